#include "apps/describe.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mac/dcf.h"
#include "mac/frame.h"
#include "net/arp_wire.h"
#include "net/icmp_wire.h"
#include "net/ipv4_wire.h"
#include "net/udp_wire.h"

/* snprintf that appends at *pos and never overruns */
static void app(char *out, size_t outlen, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void app(char *out, size_t outlen, size_t *pos, const char *fmt, ...)
{
    if (*pos >= outlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out + *pos, outlen - *pos, fmt, ap);
    va_end(ap);
    if (n > 0)
        *pos += (size_t)n < outlen - *pos ? (size_t)n : outlen - *pos - 1;
}

char *sn_describe_text(const uint8_t *data, size_t len, size_t max, char *out, size_t outlen)
{
    size_t pos = 0;
    if (outlen == 0)
        return out;
    out[0] = 0;
    for (size_t i = 0; i < len && i < max; i++) {
        if (data[i] >= 0x20 && data[i] < 0x7f && data[i] != '"' && data[i] != '\\')
            app(out, outlen, &pos, "%c", data[i]);
        else
            app(out, outlen, &pos, "\\x%02x", data[i]);
    }
    if (len > max)
        app(out, outlen, &pos, "...");
    return out;
}

char *sn_describe_bits(const uint8_t *data, size_t len, size_t max_bytes, char *out,
                       size_t outlen)
{
    size_t pos = 0;
    if (outlen == 0)
        return out;
    out[0] = 0;
    for (size_t i = 0; i < len && i < max_bytes; i++) {
        char b[10];
        for (int k = 0; k < 8; k++)
            b[k] = (data[i] >> (7 - k)) & 1 ? '1' : '0';
        b[8] = 0;
        app(out, outlen, &pos, "%s%s", i ? " " : "", b);
    }
    if (len > max_bytes)
        app(out, outlen, &pos, " ...");
    return out;
}

static void describe_ipv4(const uint8_t *d, size_t len, char *out, size_t outlen, size_t *pos)
{
    sn_ipv4_hdr ih;
    int r = sn_ipv4_parse(d, len, &ih);
    if (r != SN_IPV4_OK) {
        app(out, outlen, pos, "IPv4 (malformed: %s)", sn_ipv4_result_str(r));
        return;
    }
    char s[16], t[16];
    sn_ip4_format(ih.src, s);
    sn_ip4_format(ih.dst, t);
    const uint8_t *p = d + ih.hdr_len;
    size_t plen = ih.total_len - ih.hdr_len;
    if (ih.proto == SN_IPPROTO_ICMP && !ih.mf && !ih.frag_off) {
        sn_icmp_hdr ch;
        if (sn_icmp_parse(p, plen, &ch) != SN_ICMP_OK) {
            app(out, outlen, pos, "ICMP %s > %s (malformed)", s, t);
            return;
        }
        if (ch.type == 8 || ch.type == 0)
            app(out, outlen, pos, "ICMP echo %s %s > %s id %u seq %u len %zu",
                ch.type == 8 ? "request" : "reply", s, t, ch.id, ch.seq, plen - 8);
        else
            app(out, outlen, pos, "ICMP %s > %s type %u code %u", s, t, ch.type, ch.code);
        return;
    }
    if (ih.proto == SN_IPPROTO_UDP && !ih.mf && !ih.frag_off) {
        sn_udp_hdr uh;
        r = sn_udp_parse(p, plen, ih.src, ih.dst, &uh);
        if (r != SN_UDP_OK) {
            app(out, outlen, pos, "UDP %s > %s (malformed: %s)", s, t, sn_udp_result_str(r));
            return;
        }
        char txt[64];
        size_t n = uh.len - SN_UDP_HDR_LEN;
        sn_describe_text(p + SN_UDP_HDR_LEN, n, 24, txt, sizeof txt);
        app(out, outlen, pos, "UDP %s:%u > %s:%u len %zu \"%s\"", s, uh.sport, t, uh.dport, n,
            txt);
        return;
    }
    app(out, outlen, pos, "IPv4 %s > %s proto %u len %u", s, t, ih.proto, ih.total_len);
}

char *sn_describe_frame(const uint8_t *frame, size_t len, int has_fcs, char *out, size_t outlen)
{
    size_t pos = 0;
    if (outlen == 0)
        return out;
    out[0] = 0;
    if (has_fcs) {
        if (len < SN_ETH_FCS_LEN) {
            app(out, outlen, &pos, "runt frame (%zu bytes)", len);
            return out;
        }
        len -= SN_ETH_FCS_LEN;
    }
    sn_eth_hdr eh;
    if (sn_eth_parse(frame, len, &eh) != SN_ETH_OK) {
        app(out, outlen, &pos, "runt frame (%zu bytes)", len);
        return out;
    }
    const uint8_t *d = frame + SN_ETH_HDR_LEN;
    size_t dl = len - SN_ETH_HDR_LEN;
    if (eh.ethertype == SN_ETHERTYPE_ARP) {
        sn_arp_pkt a;
        if (sn_arp_parse(d, dl, &a) != SN_ARP_OK) {
            app(out, outlen, &pos, "ARP (malformed)");
            return out;
        }
        char s[16], t[16], m[18];
        sn_ip4_format(a.spa, s);
        sn_ip4_format(a.tpa, t);
        if (a.op == SN_ARP_OP_REQUEST)
            app(out, outlen, &pos, "ARP who-has %s tell %s", t, s);
        else
            app(out, outlen, &pos, "ARP %s is-at %s", s, sn_mac_format(&a.sha, m));
    } else if (eh.ethertype == SN_ETHERTYPE_IPV4) {
        describe_ipv4(d, dl, out, outlen, &pos);
    } else {
        app(out, outlen, &pos, "ethertype 0x%04x, %zu bytes", eh.ethertype, dl);
    }
    return out;
}

char *sn_describe_burst(const uint8_t *frame, size_t len, uint32_t ctrl, char *out,
                        size_t outlen)
{
    if (len == 0 && sn_dcf_ctrl_type(ctrl) == SN_DCF_T_ACK) {
        /* in no pcap (not an Ethernet frame): the narrative, the SigMF
         * annotations and sdrnet rx are where an ACK shows */
        if (outlen)
            snprintf(out, outlen, "ACK seq %u (header only)", sn_dcf_ctrl_seq(ctrl));
        return out;
    }
    return sn_describe_frame(frame, len, 1, out, outlen);
}
