/* net/ipv4_wire: addresses and header against known answers (scapy). */
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "net/ipv4_wire.h"
#include "sn_test.h"

/* scapy: IP(src="192.168.1.10", dst="192.168.1.20", id=0x1c46, ttl=64,
 * flags="DF")/UDP(sport=5000, dport=53)/"hello sdrnet" */
static const uint8_t ip_udp[40] = {
    0x45, 0x00, 0x00, 0x28, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x11, 0x9b, 0x10,
    0xc0, 0xa8, 0x01, 0x0a, 0xc0, 0xa8, 0x01, 0x14, 0x13, 0x88, 0x00, 0x35,
    0x00, 0x14, 0xd9, 0x60, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0x73, 0x64,
    0x72, 0x6e, 0x65, 0x74,
};

/* scapy: IP(src="10.1.2.3", dst="224.0.0.22", ttl=1, id=0x4242,
 * options=[IPOption_Router_Alert()])/ICMP(type=8, id=1, seq=1)/"ping" */
static const uint8_t ip_opts[36] = {
    0x46, 0x00, 0x00, 0x24, 0x42, 0x42, 0x00, 0x00, 0x01, 0x01, 0xf6, 0x78,
    0x0a, 0x01, 0x02, 0x03, 0xe0, 0x00, 0x00, 0x16, 0x94, 0x04, 0x00, 0x00,
    0x08, 0x00, 0x19, 0x2d, 0x00, 0x01, 0x00, 0x01, 0x70, 0x69, 0x6e, 0x67,
};

/* scapy: IP(src="192.0.2.1", dst="198.51.100.7", id=0xabcd, flags="MF",
 * frag=185, ttl=17, proto=17, tos=0xb8)/(8 zero bytes) */
static const uint8_t ip_frag[28] = {
    0x45, 0xb8, 0x00, 0x1c, 0xab, 0xcd, 0x20, 0xb9, 0x11, 0x11, 0xf0, 0x56,
    0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x07, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
};

static void test_parse_udp_packet(void)
{
    sn_ipv4_hdr h;
    CHECK_EQ_INT(sn_ipv4_parse(ip_udp, sizeof ip_udp, &h), SN_IPV4_OK);
    CHECK_EQ_INT(h.hdr_len, 20);
    CHECK_EQ_INT(h.tos, 0);
    CHECK_EQ_INT(h.total_len, 40);
    CHECK_EQ_INT(h.id, 0x1c46);
    CHECK_EQ_INT(h.df, 1);
    CHECK_EQ_INT(h.mf, 0);
    CHECK_EQ_INT(h.frag_off, 0);
    CHECK_EQ_INT(h.ttl, 64);
    CHECK_EQ_INT(h.proto, SN_IPPROTO_UDP);
    CHECK_EQ_INT(h.csum, 0x9b10);
    CHECK_EQ_INT(h.src, 0xC0A8010Au);
    CHECK_EQ_INT(h.dst, 0xC0A80114u);
}

static void test_emit_matches_scapy(void)
{
    sn_ipv4_hdr h = {0};
    h.tos = 0;
    h.total_len = 40;
    h.id = 0x1c46;
    h.df = 1;
    h.ttl = 64;
    h.proto = SN_IPPROTO_UDP;
    h.csum = 0x5555; /* ignored */
    h.src = 0xC0A8010A;
    h.dst = 0xC0A80114;
    uint8_t out[20];
    CHECK_EQ_INT(sn_ipv4_emit(out, &h), 20);
    CHECK_MEM(out, ip_udp, 20);
    CHECK_EQ_INT(h.csum, 0x9b10);
    CHECK_EQ_INT(h.hdr_len, 20);
}

static void test_fragment_fields(void)
{
    sn_ipv4_hdr h;
    CHECK_EQ_INT(sn_ipv4_parse(ip_frag, sizeof ip_frag, &h), SN_IPV4_OK);
    CHECK_EQ_INT(h.tos, 0xb8);
    CHECK_EQ_INT(h.df, 0);
    CHECK_EQ_INT(h.mf, 1);
    CHECK_EQ_INT(h.frag_off, 185 * 8);
    CHECK_EQ_INT(h.ttl, 17);
    CHECK_EQ_INT(h.src, 0xC0000201u);
    CHECK_EQ_INT(h.dst, 0xC6336407u);
    uint8_t out[20];
    sn_ipv4_emit(out, &h);
    CHECK_MEM(out, ip_frag, 20);
}

static void test_options_and_known_header(void)
{
    sn_ipv4_hdr h;
    CHECK_EQ_INT(sn_ipv4_parse(ip_opts, sizeof ip_opts, &h), SN_IPV4_OK);
    CHECK_EQ_INT(h.hdr_len, 24);
    CHECK_EQ_INT(h.total_len, 36);
    CHECK_EQ_INT(h.proto, SN_IPPROTO_ICMP);
    CHECK_EQ_INT(h.dst, 0xE0000016u);

    /* A frequently quoted header (checksum b861), total length 115. */
    uint8_t pkt[115] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                        0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    CHECK_EQ_INT(sn_ipv4_parse(pkt, sizeof pkt, &h), SN_IPV4_OK);
    CHECK_EQ_INT(h.total_len, 115);
    CHECK_EQ_INT(h.src, 0xC0A80001u);
}

static void test_trailing_padding(void)
{
    /* Link-layer padding after total_len is accepted; the caller trims. */
    uint8_t buf[46];
    memcpy(buf, ip_udp, sizeof ip_udp);
    memset(buf + sizeof ip_udp, 0xee, sizeof buf - sizeof ip_udp);
    sn_ipv4_hdr h;
    CHECK_EQ_INT(sn_ipv4_parse(buf, sizeof buf, &h), SN_IPV4_OK);
    CHECK_EQ_INT(h.total_len, 40);
    /* A corrupted payload does not matter to the header checksum. */
    buf[30] ^= 0x01;
    CHECK_EQ_INT(sn_ipv4_parse(buf, sizeof buf, &h), SN_IPV4_OK);
}

static int parse_mod(size_t len, size_t at, uint8_t val)
{
    uint8_t buf[64];
    memset(buf, 0, sizeof buf);
    memcpy(buf, ip_udp, sizeof ip_udp);
    buf[at] = val;
    sn_ipv4_hdr h;
    memset(&h, 0xaa, sizeof h);
    sn_ipv4_hdr before = h;
    int r = sn_ipv4_parse(buf, len, &h);
    if (r != SN_IPV4_OK)
        CHECK(memcmp(&h, &before, sizeof h) == 0); /* untouched on failure */
    return r;
}

static void test_each_error(void)
{
    for (size_t n = 0; n < 20; n++)
        CHECK_EQ_INT(parse_mod(n, 0, 0x45), SN_IPV4_TRUNC);
    CHECK_EQ_INT(parse_mod(40, 0, 0x65), SN_IPV4_BAD_VERSION);
    CHECK_EQ_INT(parse_mod(40, 0, 0x05), SN_IPV4_BAD_VERSION);
    CHECK_EQ_INT(parse_mod(40, 0, 0x44), SN_IPV4_BAD_IHL);
    CHECK_EQ_INT(parse_mod(40, 0, 0x40), SN_IPV4_BAD_IHL);
    CHECK_EQ_INT(parse_mod(40, 0, 0x4f), SN_IPV4_TRUNC);      /* 60 > 40 */
    CHECK_EQ_INT(parse_mod(40, 3, 19), SN_IPV4_BAD_LEN);      /* < 20 */
    CHECK_EQ_INT(parse_mod(40, 3, 0), SN_IPV4_BAD_LEN);
    CHECK_EQ_INT(parse_mod(40, 3, 41), SN_IPV4_TRUNC);        /* 41 > 40 */
    CHECK_EQ_INT(parse_mod(39, 3, 40), SN_IPV4_TRUNC);
    CHECK_EQ_INT(parse_mod(40, 8, 63), SN_IPV4_BAD_CSUM);     /* TTL changed */
    CHECK_EQ_INT(parse_mod(40, 11, 0x11), SN_IPV4_BAD_CSUM);  /* checksum changed */
    /* Checks come in the documented order. */
    CHECK_EQ_INT(parse_mod(19, 0, 0x64), SN_IPV4_TRUNC);
    CHECK_EQ_INT(parse_mod(40, 0, 0x64), SN_IPV4_BAD_VERSION);
    CHECK_EQ_INT(parse_mod(20, 0, 0x46), SN_IPV4_TRUNC);      /* len < IHL*4 */
    CHECK_EQ_INT(parse_mod(20, 3, 19), SN_IPV4_BAD_LEN);      /* before total > len */

    /* Every single-bit error in the header is caught by some check. */
    int missed = 0;
    for (size_t bit = 0; bit < 160; bit++)
        if (parse_mod(40, bit / 8, (uint8_t)(ip_udp[bit / 8] ^ (1u << (bit % 8)))) == SN_IPV4_OK)
            missed++;
    CHECK_EQ_INT(missed, 0);
}

static void test_addr_parse(void)
{
    sn_ip4 a = 0;
    CHECK_EQ_INT(sn_ip4_parse("192.168.1.10", &a), SN_OK);
    CHECK_EQ_INT(a, 0xC0A8010Au);
    CHECK_EQ_INT(sn_ip4_parse("0.0.0.0", &a), SN_OK);
    CHECK_EQ_INT(a, 0);
    CHECK_EQ_INT(sn_ip4_parse("255.255.255.255", &a), SN_OK);
    CHECK_EQ_INT(a, 0xffffffffu);
    CHECK_EQ_INT(sn_ip4_parse("10.0.100.2", &a), SN_OK);
    CHECK_EQ_INT(a, 0x0A006402u);

    static const char *const bad[] = {
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", " 1.2.3.4", "1.2.3.4 ",
        "1.2.3.4x", "+1.2.3.4", "-1.2.3.4", "1.+2.3.4", "1.2.3.-4", "1..2.3",
        "1.2.3.", ".1.2.3", "1.2.3.4/24", "1234.1.1.1", "4294967296",
        "01.2.3.4", "1.2.3.00", "0x1.2.3.4", "1,2,3,4", "1.2.3.4\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        a = 0x01020304;
        int r = sn_ip4_parse(bad[i], &a);
        if (r != SN_ERR_PARSE)
            fprintf(stderr, "accepted bad address \"%s\"\n", bad[i]);
        CHECK_EQ_INT(r, SN_ERR_PARSE);
        CHECK_EQ_INT(a, 0x01020304); /* untouched on failure */
    }
}

static void test_prefix_parse(void)
{
    sn_ip4 a;
    int n;
    CHECK_EQ_INT(sn_ip4_parse_prefix("10.0.0.0/8", &a, &n), SN_OK);
    CHECK_EQ_INT(a, 0x0A000000u);
    CHECK_EQ_INT(n, 8);
    CHECK_EQ_INT(sn_ip4_parse_prefix("10.1.2.3", &a, &n), SN_OK);
    CHECK_EQ_INT(a, 0x0A010203u);
    CHECK_EQ_INT(n, 32);
    CHECK_EQ_INT(sn_ip4_parse_prefix("0.0.0.0/0", &a, &n), SN_OK);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(sn_ip4_parse_prefix("192.168.1.0/32", &a, &n), SN_OK);
    CHECK_EQ_INT(n, 32);
    static const char *const bad[] = {
        "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/8x", "10.0.0.0/ 8", "10.0.0.0/-1",
        "10.0.0.0/+8", "10.0.0.0/08", "10.0.0.0/100", "10.0.0/8", "/8", "",
        "10.0.0.0//8", "10.0.0.0/8/8",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int r = sn_ip4_parse_prefix(bad[i], &a, &n);
        if (r != SN_ERR_PARSE)
            fprintf(stderr, "accepted bad prefix \"%s\"\n", bad[i]);
        CHECK_EQ_INT(r, SN_ERR_PARSE);
    }
}

static void test_format_and_mask(void)
{
    char buf[16];
    CHECK(strcmp(sn_ip4_format(0xC0A8010Au, buf), "192.168.1.10") == 0);
    CHECK(strcmp(sn_ip4_format(0xffffffffu, buf), "255.255.255.255") == 0);
    CHECK(strcmp(sn_ip4_format(0, buf), "0.0.0.0") == 0);
    CHECK_EQ_INT(sn_ip4_mask(0), 0);
    CHECK_EQ_INT(sn_ip4_mask(1), 0x80000000u);
    CHECK_EQ_INT(sn_ip4_mask(8), 0xff000000u);
    CHECK_EQ_INT(sn_ip4_mask(24), 0xffffff00u);
    CHECK_EQ_INT(sn_ip4_mask(31), 0xfffffffeu);
    CHECK_EQ_INT(sn_ip4_mask(32), 0xffffffffu);
}

static void test_result_str(void)
{
    CHECK(strcmp(sn_ipv4_result_str(SN_IPV4_OK), "ok") == 0);
    CHECK(strcmp(sn_ipv4_result_str(SN_IPV4_TRUNC), "trunc") == 0);
    CHECK(strcmp(sn_ipv4_result_str(SN_IPV4_BAD_VERSION), "bad_version") == 0);
    CHECK(strcmp(sn_ipv4_result_str(SN_IPV4_BAD_IHL), "bad_ihl") == 0);
    CHECK(strcmp(sn_ipv4_result_str(SN_IPV4_BAD_LEN), "bad_len") == 0);
    CHECK(strcmp(sn_ipv4_result_str(SN_IPV4_BAD_CSUM), "bad_csum") == 0);
    CHECK(strcmp(sn_ipv4_result_str(SN_IPV4_RESULT_COUNT), "unknown") == 0);
    CHECK(strcmp(sn_ipv4_result_str(-1), "unknown") == 0);
}

int main(void)
{
    TEST_RUN(test_parse_udp_packet);
    TEST_RUN(test_emit_matches_scapy);
    TEST_RUN(test_fragment_fields);
    TEST_RUN(test_options_and_known_header);
    TEST_RUN(test_trailing_padding);
    TEST_RUN(test_each_error);
    TEST_RUN(test_addr_parse);
    TEST_RUN(test_prefix_parse);
    TEST_RUN(test_format_and_mask);
    TEST_RUN(test_result_str);
    TEST_DONE();
}
