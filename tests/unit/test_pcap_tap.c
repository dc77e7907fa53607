/* core/pcap_tap: records read back with libpcap carry the link type, the
 * nanosecond virtual time and, for link type 252, the exported-PDU tags. */
#include <pcap/pcap.h>
#include <stdio.h>

#include "core/err.h"
#include "core/pcap_tap.h"
#include "sn_test.h"

static void path_for(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", sn_test_tmpdir(), name);
}

static void test_ethernet_records(void)
{
    char path[512];
    path_for(path, sizeof path, "tap_eth.pcap");
    int err = 1;
    sn_pcap_tap *t = sn_pcap_tap_open(path, SN_LINKTYPE_ETHERNET, &err);
    CHECK(t != NULL && err == SN_OK);
    uint8_t frame[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 0x08, 0x06};
    CHECK(sn_pcap_tap_write(t, 1500000123, frame, sizeof frame) == SN_OK);
    CHECK(sn_pcap_tap_write2(t, 2 * SN_NS_PER_S, frame, 14, frame + 14, 46) == SN_OK);
    CHECK_EQ_INT(sn_pcap_tap_records(t), 2);
    CHECK_EQ_INT(sn_pcap_tap_linktype(t), 1);
    sn_pcap_tap_close(t);

    char ebuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_EQ_INT(pcap_datalink(p), 1);
    struct pcap_pkthdr *h;
    const u_char *d;
    CHECK(pcap_next_ex(p, &h, &d) == 1);
    CHECK_EQ_INT(h->ts.tv_sec, 1);
    CHECK_EQ_INT(h->ts.tv_usec, 500000123); /* nanoseconds */
    CHECK_EQ_INT(h->caplen, 60);
    CHECK_MEM(d, frame, 60);
    CHECK(pcap_next_ex(p, &h, &d) == 1);
    CHECK_EQ_INT(h->ts.tv_sec, 2);
    CHECK_MEM(d, frame, 60);
    CHECK(pcap_next_ex(p, &h, &d) == PCAP_ERROR_BREAK);
    pcap_close(p);
}

static void test_exported_pdu(void)
{
    char path[512];
    path_for(path, sizeof path, "tap_pdu.pcap");
    sn_pcap_tap *t = sn_pcap_tap_open(path, SN_LINKTYPE_WIRESHARK_UPPER_PDU, NULL);
    CHECK(t != NULL);
    CHECK(sn_pcap_tap_write_pdu(t, 0, "rftap", "HDR!", 4, "data", 4) == SN_OK);
    CHECK(sn_pcap_tap_write_pdu(t, 0, "", NULL, 0, NULL, 0) == SN_ERR_INVAL);
    sn_pcap_tap_close(t);
    char ebuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, ebuf);
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_EQ_INT(pcap_datalink(p), 252);
    struct pcap_pkthdr *h;
    const u_char *d;
    CHECK(pcap_next_ex(p, &h, &d) == 1);
    /* tag 12, length 8 ("rftap" padded to 8), end tag, then payload */
    static const uint8_t want[] = {0, 12, 0, 8, 'r', 'f', 't', 'a', 'p', 0, 0, 0,
                                   0, 0, 0, 0, 'H', 'D', 'R', '!', 'd', 'a', 't', 'a'};
    CHECK_EQ_INT(h->caplen, sizeof want);
    CHECK_MEM(d, want, sizeof want);
    pcap_close(p);
}

static void test_null_and_bad_path(void)
{
    CHECK(sn_pcap_tap_write(NULL, 0, "x", 1) == SN_OK);
    CHECK(sn_pcap_tap_write_pdu(NULL, 0, "rftap", NULL, 0, NULL, 0) == SN_OK);
    sn_pcap_tap_close(NULL);
    int err = 0;
    CHECK(sn_pcap_tap_open("/nonexistent-dir/x.pcap", 1, &err) == NULL);
    CHECK(err == SN_ERR_IO);
    CHECK(sn_pcap_tap_open(NULL, 1, &err) == NULL);
}

/* A full disk is reported, not swallowed: /dev/full fails every write. */
static void test_write_error_reported(void)
{
    sn_pcap_tap *t = sn_pcap_tap_open("/dev/full", SN_LINKTYPE_ETHERNET, NULL);
    if (!t) {
        printf("     (no /dev/full here: skipped)\n");
        return;
    }
    uint8_t frame[1500] = {0};
    int failed = 0;
    for (int i = 0; i < 100; i++)
        failed |= sn_pcap_tap_write(t, i, frame, sizeof frame) != SN_OK;
    CHECK(failed);
    CHECK(sn_pcap_tap_close(t) == SN_ERR_IO);
}

int main(void)
{
    TEST_RUN(test_write_error_reported);
    TEST_RUN(test_ethernet_records);
    TEST_RUN(test_exported_pdu);
    TEST_RUN(test_null_and_bad_path);
    TEST_DONE();
}
