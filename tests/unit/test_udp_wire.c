/* net/udp_wire: UDP header and pseudo-header checksum against scapy. */
#include <stdint.h>
#include <string.h>

#include "net/udp_wire.h"
#include "sn_test.h"

/* scapy: UDP(sport=5000, dport=53)/"hello sdrnet" from 192.168.1.10 to
 * 192.168.1.20; checksum d960. */
#define UDP1_SRC 0xC0A8010Au
#define UDP1_DST 0xC0A80114u
static const uint8_t udp1[20] = {
    0x13, 0x88, 0x00, 0x35, 0x00, 0x14, 0xd9, 0x60, 0x68, 0x65, 0x6c, 0x6c,
    0x6f, 0x20, 0x73, 0x64, 0x72, 0x6e, 0x65, 0x74,
};

/* scapy: UDP(sport=1234, dport=5678)/"zero\xe3\xfa" from 10.0.0.1 to
 * 10.0.0.2: the payload is chosen so the checksum computes to 0, which
 * scapy (like RFC 768 asks) sends as ffff. */
#define UDP0_SRC 0x0A000001u
#define UDP0_DST 0x0A000002u
static const uint8_t udp0[14] = {
    0x04, 0xd2, 0x16, 0x2e, 0x00, 0x0e, 0xff, 0xff, 0x7a, 0x65, 0x72, 0x6f,
    0xe3, 0xfa,
};

static void test_parse_known(void)
{
    sn_udp_hdr h;
    CHECK_EQ_INT(sn_udp_parse(udp1, sizeof udp1, UDP1_SRC, UDP1_DST, &h), SN_UDP_OK);
    CHECK_EQ_INT(h.sport, 5000);
    CHECK_EQ_INT(h.dport, 53);
    CHECK_EQ_INT(h.len, 20);
    CHECK_EQ_INT(h.csum, 0xd960);
    /* The pseudo-header is covered: another destination fails. */
    CHECK_EQ_INT(sn_udp_parse(udp1, sizeof udp1, UDP1_SRC, UDP1_DST + 1, &h),
                 SN_UDP_BAD_CSUM);
    CHECK_EQ_INT(sn_udp_parse(udp0, sizeof udp0, UDP0_SRC, UDP0_DST, &h), SN_UDP_OK);
    CHECK_EQ_INT(h.csum, 0xffff);
}

static void test_emit_known(void)
{
    uint8_t buf[20];
    memset(buf, 0x77, 8);
    memcpy(buf + 8, udp1 + 8, 12);
    sn_udp_hdr h = {.sport = 5000, .dport = 53, .len = 20, .csum = 0x1234};
    sn_udp_emit(buf, &h, UDP1_SRC, UDP1_DST);
    CHECK_MEM(buf, udp1, sizeof udp1);
    CHECK_EQ_INT(h.csum, 0xd960);

    /* A computed 0 goes out as ffff. */
    uint8_t b0[14];
    memset(b0, 0, 8);
    memcpy(b0 + 8, udp0 + 8, 6);
    sn_udp_hdr h0 = {.sport = 1234, .dport = 5678, .len = 14};
    sn_udp_emit(b0, &h0, UDP0_SRC, UDP0_DST);
    CHECK_MEM(b0, udp0, sizeof udp0);
    CHECK_EQ_INT(h0.csum, 0xffff);
}

static void test_zero_checksum_not_checked(void)
{
    uint8_t buf[20];
    memcpy(buf, udp1, sizeof buf);
    buf[6] = buf[7] = 0;
    buf[10] ^= 0x40; /* corrupt the payload: nobody can tell */
    sn_udp_hdr h;
    CHECK_EQ_INT(sn_udp_parse(buf, sizeof buf, UDP1_SRC, UDP1_DST, &h), SN_UDP_OK);
    CHECK_EQ_INT(h.csum, 0);
}

static void test_length_field_honoured(void)
{
    /* Trailing bytes beyond the length field (e.g. Ethernet padding) are
     * outside the datagram and outside the checksum. */
    uint8_t buf[26];
    memcpy(buf, udp1, sizeof udp1);
    memset(buf + sizeof udp1, 0xa5, sizeof buf - sizeof udp1);
    sn_udp_hdr h;
    CHECK_EQ_INT(sn_udp_parse(buf, sizeof buf, UDP1_SRC, UDP1_DST, &h), SN_UDP_OK);
    CHECK_EQ_INT(h.len, 20);
}

static void test_each_error(void)
{
    sn_udp_hdr h, before;
    memset(&h, 0xaa, sizeof h);
    before = h;
    for (size_t n = 0; n < 8; n++)
        CHECK_EQ_INT(sn_udp_parse(udp1, n, UDP1_SRC, UDP1_DST, &h), SN_UDP_TRUNC);

    uint8_t buf[20];
    memcpy(buf, udp1, sizeof buf);
    buf[5] = 7; /* length < 8 */
    CHECK_EQ_INT(sn_udp_parse(buf, sizeof buf, UDP1_SRC, UDP1_DST, &h), SN_UDP_BAD_LEN);
    buf[5] = 0;
    CHECK_EQ_INT(sn_udp_parse(buf, sizeof buf, UDP1_SRC, UDP1_DST, &h), SN_UDP_BAD_LEN);
    buf[5] = 21; /* more than available */
    CHECK_EQ_INT(sn_udp_parse(buf, sizeof buf, UDP1_SRC, UDP1_DST, &h), SN_UDP_BAD_LEN);
    CHECK_EQ_INT(sn_udp_parse(udp1, 19, UDP1_SRC, UDP1_DST, &h), SN_UDP_BAD_LEN);

    /* Every single-bit error in the datagram is refused. */
    int missed = 0;
    for (size_t bit = 0; bit < sizeof udp1 * 8; bit++) {
        memcpy(buf, udp1, sizeof buf);
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (sn_udp_parse(buf, sizeof buf, UDP1_SRC, UDP1_DST, &h) == SN_UDP_OK)
            missed++;
    }
    CHECK_EQ_INT(missed, 0);
    memcpy(buf, udp1, sizeof buf);
    buf[19] ^= 0x01;
    CHECK_EQ_INT(sn_udp_parse(buf, sizeof buf, UDP1_SRC, UDP1_DST, &h), SN_UDP_BAD_CSUM);
    CHECK(memcmp(&h, &before, sizeof h) == 0); /* untouched on failure */
}

static void test_result_str(void)
{
    CHECK(strcmp(sn_udp_result_str(SN_UDP_OK), "ok") == 0);
    CHECK(strcmp(sn_udp_result_str(SN_UDP_TRUNC), "trunc") == 0);
    CHECK(strcmp(sn_udp_result_str(SN_UDP_BAD_LEN), "bad_len") == 0);
    CHECK(strcmp(sn_udp_result_str(SN_UDP_BAD_CSUM), "bad_csum") == 0);
    CHECK(strcmp(sn_udp_result_str(SN_UDP_RESULT_COUNT), "unknown") == 0);
    CHECK(strcmp(sn_udp_result_str(-1), "unknown") == 0);
}

int main(void)
{
    TEST_RUN(test_parse_known);
    TEST_RUN(test_emit_known);
    TEST_RUN(test_zero_checksum_not_checked);
    TEST_RUN(test_length_field_honoured);
    TEST_RUN(test_each_error);
    TEST_RUN(test_result_str);
    TEST_DONE();
}
