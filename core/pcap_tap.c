#include "core/pcap_tap.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"

/* Exported-PDU tags (Wireshark's exported_pdu.h): a sequence of
 * (type u16 BE, length u16 BE, value) ending with type 0, length 0. */
#define EXP_PDU_TAG_END_OF_OPT 0
#define EXP_PDU_TAG_DISSECTOR_NAME 12
#define EXP_PDU_NAME_MAX 64

struct sn_pcap_tap {
    pcap_t *dead;
    pcap_dumper_t *dumper;
    int linktype;
    uint64_t records;
    uint64_t errors;  /* failed writes */
    char *path;
    uint8_t scratch[SN_PCAP_SNAPLEN]; /* gathers multi-part records */
};

sn_pcap_tap *sn_pcap_tap_open(const char *path, int linktype, int *err)
{
    if (err)
        *err = SN_OK;
    if (!path) {
        if (err)
            *err = SN_ERR_INVAL;
        return NULL;
    }
    sn_pcap_tap *t = calloc(1, sizeof *t);
    if (!t)
        goto nomem;
    t->path = strdup(path);
    if (!t->path)
        goto nomem;
    t->dead = pcap_open_dead_with_tstamp_precision(linktype, SN_PCAP_SNAPLEN,
                                                   PCAP_TSTAMP_PRECISION_NANO);
    if (!t->dead)
        goto nomem;
    t->dumper = pcap_dump_open(t->dead, path);
    if (!t->dumper) {
        SN_ERROR("pcap", "cannot create %s: %s", path, pcap_geterr(t->dead));
        pcap_close(t->dead);
        free(t->path);
        free(t);
        if (err)
            *err = SN_ERR_IO;
        return NULL;
    }
    t->linktype = linktype;
    return t;
nomem:
    if (t)
        free(t->path);
    free(t);
    if (err)
        *err = SN_ERR_NOMEM;
    return NULL;
}

int sn_pcap_tap_close(sn_pcap_tap *t)
{
    if (!t)
        return SN_OK;
    int rc = (pcap_dump_flush(t->dumper) != 0 || t->errors) ? SN_ERR_IO : SN_OK;
    if (rc != SN_OK && !t->errors)
        SN_ERROR("pcap", "%s: flush failed; the capture is incomplete", t->path);
    pcap_dump_close(t->dumper);
    pcap_close(t->dead);
    free(t->path);
    free(t);
    return rc;
}

static int write_record(sn_pcap_tap *t, sn_time_t now, const uint8_t *data, size_t caplen,
                        size_t origlen)
{
    struct pcap_pkthdr h;
    if (now < 0)
        now = 0;
    h.ts.tv_sec = (time_t)(now / SN_NS_PER_S);
    /* with nanosecond precision libpcap stores tv_usec as nanoseconds */
    h.ts.tv_usec = (suseconds_t)(now % SN_NS_PER_S);
    h.caplen = (bpf_u_int32)caplen;
    h.len = (bpf_u_int32)origlen;
    pcap_dump((u_char *)t->dumper, &h, data);
    /* pcap_dump reports nothing; the stdio stream under it does (a full
     * disk, a vanished file system) */
    if (ferror(pcap_dump_file(t->dumper))) {
        if (!t->errors++)
            SN_ERROR("pcap", "%s: write failed; the capture is incomplete", t->path);
        return SN_ERR_IO;
    }
    t->records++;
    return SN_OK;
}

int sn_pcap_tap_write(sn_pcap_tap *t, sn_time_t now, const void *data, size_t len)
{
    if (!t)
        return SN_OK;
    size_t cap = len < SN_PCAP_SNAPLEN ? len : SN_PCAP_SNAPLEN;
    return write_record(t, now, data, cap, len);
}

int sn_pcap_tap_write2(sn_pcap_tap *t, sn_time_t now, const void *hdr, size_t hlen,
                       const void *data, size_t len)
{
    if (!t)
        return SN_OK;
    size_t total = hlen + len;
    size_t a = hlen < SN_PCAP_SNAPLEN ? hlen : SN_PCAP_SNAPLEN;
    if (a)
        memcpy(t->scratch, hdr, a);
    size_t b = len < SN_PCAP_SNAPLEN - a ? len : SN_PCAP_SNAPLEN - a;
    if (b)
        memcpy(t->scratch + a, data, b);
    return write_record(t, now, t->scratch, a + b, total);
}

int sn_pcap_tap_write_pdu(sn_pcap_tap *t, sn_time_t now, const char *proto,
                          const void *hdr, size_t hlen, const void *data, size_t len)
{
    if (!t)
        return SN_OK;
    size_t nlen = strlen(proto);
    if (nlen == 0 || nlen > EXP_PDU_NAME_MAX)
        return SN_ERR_INVAL;
    /* tshark 4.0 finds the name only when the tag length counts the name
     * NUL-padded to a multiple of 4 */
    size_t padded = (nlen + 4) & ~(size_t)3;
    uint8_t tags[4 + EXP_PDU_NAME_MAX + 4 + 4];
    size_t k = 0;
    tags[k++] = 0;
    tags[k++] = EXP_PDU_TAG_DISSECTOR_NAME;
    tags[k++] = (uint8_t)(padded >> 8);
    tags[k++] = (uint8_t)padded;
    memset(tags + k, 0, padded);
    memcpy(tags + k, proto, nlen);
    k += padded;
    tags[k++] = 0; /* end of options */
    tags[k++] = EXP_PDU_TAG_END_OF_OPT;
    tags[k++] = 0;
    tags[k++] = 0;
    size_t total = k + hlen + len;
    if (total > SN_PCAP_SNAPLEN)
        return SN_ERR_RANGE;
    memcpy(t->scratch, tags, k);
    if (hlen)
        memcpy(t->scratch + k, hdr, hlen);
    if (len)
        memcpy(t->scratch + k + hlen, data, len);
    return write_record(t, now, t->scratch, total, total);
}

uint64_t sn_pcap_tap_records(const sn_pcap_tap *t) { return t ? t->records : 0; }
const char *sn_pcap_tap_path(const sn_pcap_tap *t) { return t ? t->path : NULL; }
int sn_pcap_tap_linktype(const sn_pcap_tap *t) { return t ? t->linktype : -1; }
