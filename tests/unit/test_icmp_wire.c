/* net/icmp_wire: known answers produced by scapy 2.x, e.g.
 *   bytes(ICMP(type=8, id=0x1234, seq=1)/b"abcdefgh")
 *   bytes(ICMP(type=3, code=4, nexthopmtu=1400)/bytes(IP(src="192.168.1.10",
 *         dst="192.168.1.20", id=7)/UDP(sport=5000, dport=5001)/b"x"))
 * and every malformed case the parsers must refuse. */
#include "core/err.h"
#include "net/icmp_wire.h"
#include "sn_test.h"

static const uint8_t kat_echo_req[] = {0x08, 0x00, 0x54, 0x35, 0x12, 0x34, 0x00, 0x01, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68};
static const uint8_t kat_echo_odd[] = {0x00, 0x00, 0x4e, 0x96, 0xbe, 0xef, 0xff, 0xff, 0x78, 0x79, 0x7a};
static const uint8_t kat_udp_dgram[] = {0x45, 0x00, 0x00, 0x1d, 0x00, 0x07, 0x00, 0x00, 0x40, 0x11, 0xf7, 0x5a, 0xc0, 0xa8, 0x01, 0x0a, 0xc0, 0xa8, 0x01, 0x14, 0x13, 0x88, 0x13, 0x89, 0x00, 0x09, 0xdd, 0x5b, 0x78};
static const uint8_t kat_port_unreach[] = {0x03, 0x03, 0x80, 0x86, 0x00, 0x00, 0x00, 0x00, 0x45, 0x00, 0x00, 0x1d, 0x00, 0x07, 0x00, 0x00, 0x40, 0x11, 0xf7, 0x5a, 0xc0, 0xa8, 0x01, 0x0a, 0xc0, 0xa8, 0x01, 0x14, 0x13, 0x88, 0x13, 0x89, 0x00, 0x09, 0xdd, 0x5b, 0x78};
static const uint8_t kat_frag_needed[] = {0x03, 0x04, 0x7b, 0x0d, 0x00, 0x00, 0x05, 0x78, 0x45, 0x00, 0x00, 0x1d, 0x00, 0x07, 0x00, 0x00, 0x40, 0x11, 0xf7, 0x5a, 0xc0, 0xa8, 0x01, 0x0a, 0xc0, 0xa8, 0x01, 0x14, 0x13, 0x88, 0x13, 0x89, 0x00, 0x09, 0xdd, 0x5b, 0x78};
static const uint8_t kat_param_problem[] = {0x0c, 0x00, 0x63, 0x89, 0x14, 0x00, 0x00, 0x00, 0x45, 0x00, 0x00, 0x1d, 0x00, 0x07, 0x00, 0x00, 0x40, 0x11, 0xf7, 0x5a, 0xc0, 0xa8, 0x01, 0x0a, 0xc0, 0xa8, 0x01, 0x14, 0x13, 0x88, 0x13, 0x89, 0x00, 0x09, 0xdd, 0x5b, 0x78};
static const uint8_t kat_time_exceeded[] = {0x0b, 0x00, 0x78, 0x89, 0x00, 0x00, 0x00, 0x00, 0x45, 0x00, 0x00, 0x1d, 0x00, 0x07, 0x00, 0x00, 0x40, 0x11, 0xf7, 0x5a, 0xc0, 0xa8, 0x01, 0x0a, 0xc0, 0xa8, 0x01, 0x14, 0x13, 0x88, 0x13, 0x89, 0x00, 0x09, 0xdd, 0x5b, 0x78};

static void test_echo_kat(void)
{
    sn_icmp_hdr h;
    CHECK_EQ_INT(sn_icmp_parse(kat_echo_req, sizeof kat_echo_req, &h), SN_ICMP_OK);
    CHECK_EQ_INT(h.type, SN_ICMP_ECHO_REQUEST);
    CHECK_EQ_INT(h.code, 0);
    CHECK_EQ_INT(h.id, 0x1234);
    CHECK_EQ_INT(h.seq, 1);
    CHECK_EQ_INT(h.csum, 0x5435);
    uint8_t buf[sizeof kat_echo_req];
    memcpy(buf + 8, "abcdefgh", 8);
    sn_icmp_hdr e = {.type = SN_ICMP_ECHO_REQUEST, .id = 0x1234, .seq = 1};
    CHECK_EQ_INT(sn_icmp_emit(buf, sizeof buf, &e), 8);
    CHECK_MEM(buf, kat_echo_req, sizeof buf);
    CHECK_EQ_INT(e.csum, 0x5435);
    /* odd length: the checksum pads with a zero byte */
    CHECK_EQ_INT(sn_icmp_parse(kat_echo_odd, sizeof kat_echo_odd, &h), SN_ICMP_OK);
    CHECK_EQ_INT(h.type, SN_ICMP_ECHO_REPLY);
    CHECK_EQ_INT(h.id, 0xbeef);
    CHECK_EQ_INT(h.seq, 0xffff);
    uint8_t odd[sizeof kat_echo_odd];
    memcpy(odd + 8, "xyz", 3);
    e = (sn_icmp_hdr){.type = SN_ICMP_ECHO_REPLY, .id = 0xbeef, .seq = 0xffff};
    sn_icmp_emit(odd, sizeof odd, &e);
    CHECK_MEM(odd, kat_echo_odd, sizeof odd);
}

/* Emit an error quoting kat_udp_dgram and compare with scapy's bytes. */
static void check_error_emit(const uint8_t *kat, size_t n, uint8_t type, uint8_t code,
                             uint16_t mtu, uint8_t ptr)
{
    uint8_t buf[64];
    CHECK_EQ_INT(n, 8 + sizeof kat_udp_dgram);
    memcpy(buf + 8, kat_udp_dgram, sizeof kat_udp_dgram);
    /* stale bytes in rest-of-header must not leak into views not used */
    sn_icmp_hdr e = {.type = type, .code = code, .next_hop_mtu = mtu, .pointer = ptr,
                     .id = 0x5555, .rest = 0xdeadbeef};
    if (type != SN_ICMP_DEST_UNREACH && type != SN_ICMP_PARAM_PROBLEM)
        e.rest = 0;
    sn_icmp_emit(buf, n, &e);
    CHECK_MEM(buf, kat, n);
    sn_icmp_hdr h;
    CHECK_EQ_INT(sn_icmp_parse(kat, n, &h), SN_ICMP_OK);
    CHECK_EQ_INT(h.type, type);
    CHECK_EQ_INT(h.code, code);
    CHECK_EQ_INT(h.csum, e.csum);
}

static void test_error_kats(void)
{
    check_error_emit(kat_port_unreach, sizeof kat_port_unreach, 3, 3, 0, 0);
    check_error_emit(kat_frag_needed, sizeof kat_frag_needed, 3, 4, 1400, 0);
    check_error_emit(kat_param_problem, sizeof kat_param_problem, 12, 0, 0, 20);
    check_error_emit(kat_time_exceeded, sizeof kat_time_exceeded, 11, 0, 0, 0);
    sn_icmp_hdr h;
    sn_icmp_parse(kat_frag_needed, sizeof kat_frag_needed, &h);
    CHECK_EQ_INT(h.next_hop_mtu, 1400);
    CHECK_EQ_INT(h.rest, 1400);
    sn_icmp_parse(kat_param_problem, sizeof kat_param_problem, &h);
    CHECK_EQ_INT(h.pointer, 20);
    CHECK_EQ_INT(h.rest, 0x14000000u);
}

static void test_malformed(void)
{
    sn_icmp_hdr h;
    for (size_t n = 0; n < 8; n++)
        CHECK_EQ_INT(sn_icmp_parse(kat_echo_req, n, &h), SN_ICMP_TRUNC);
    CHECK_EQ_INT(sn_icmp_parse(NULL, 8, &h), SN_ICMP_TRUNC);
    /* the checksum covers the whole message: one bit anywhere breaks it */
    uint8_t buf[sizeof kat_port_unreach];
    for (size_t i = 0; i < sizeof buf; i++) {
        memcpy(buf, kat_port_unreach, sizeof buf);
        buf[i] ^= 0x10;
        CHECK_EQ_INT(sn_icmp_parse(buf, sizeof buf, &h), SN_ICMP_BAD_CSUM);
    }
    /* a message cut short no longer verifies */
    CHECK_EQ_INT(sn_icmp_parse(kat_port_unreach, sizeof kat_port_unreach - 1, &h),
                 SN_ICMP_BAD_CSUM);
    CHECK_EQ_INT(sn_icmp_emit(buf, 7, &h), 0);
}

static void test_quote(void)
{
    sn_icmp_quote q;
    const uint8_t *body = kat_port_unreach + 8;
    size_t n = sizeof kat_port_unreach - 8;
    CHECK_EQ_INT(sn_icmp_quote_parse(body, n, &q), SN_ICMP_QUOTE_OK);
    CHECK_EQ_INT(q.ip.hdr_len, 20);
    CHECK_EQ_INT(q.ip.proto, SN_IPPROTO_UDP);
    CHECK_EQ_INT(q.ip.src, 0xC0A8010A);
    CHECK_EQ_INT(q.ip.dst, 0xC0A80114);
    CHECK_EQ_INT(q.ip.id, 7);
    CHECK_EQ_INT(q.ip.ttl, 64);
    CHECK_EQ_INT(q.ip.total_len, 29);
    CHECK_EQ_INT(q.sport, 5000);
    CHECK_EQ_INT(q.dport, 5001);
    CHECK_EQ_INT(q.data_len, 9);
    CHECK(q.data == body + 20);
    /* RFC 792's minimum: header + 8 bytes; one fewer has no room for ports */
    CHECK_EQ_INT(sn_icmp_quote_parse(body, 28, &q), SN_ICMP_QUOTE_OK);
    for (size_t k = 0; k < 28; k++)
        CHECK_EQ_INT(sn_icmp_quote_parse(body, k, &q), SN_ICMP_QUOTE_TRUNC);
    uint8_t b[64];
    memcpy(b, body, n);
    b[0] = 0x65;
    CHECK_EQ_INT(sn_icmp_quote_parse(b, n, &q), SN_ICMP_QUOTE_BAD_VERSION);
    for (uint8_t ihl = 0; ihl < 5; ihl++) {
        b[0] = (uint8_t)(0x40 | ihl);
        CHECK_EQ_INT(sn_icmp_quote_parse(b, n, &q), SN_ICMP_QUOTE_BAD_IHL);
    }
    /* IHL 6 (one option word): 24 + 8 bytes needed */
    b[0] = 0x46;
    CHECK_EQ_INT(sn_icmp_quote_parse(b, 31, &q), SN_ICMP_QUOTE_TRUNC);
    b[2] = 0;
    b[3] = 40;
    CHECK_EQ_INT(sn_icmp_quote_parse(b, 32, &q), SN_ICMP_QUOTE_OK);
    CHECK_EQ_INT(q.ip.hdr_len, 24);
    CHECK(q.data == b + 24);
    /* total length smaller than header + 8 */
    memcpy(b, body, n);
    b[3] = 27;
    CHECK_EQ_INT(sn_icmp_quote_parse(b, n, &q), SN_ICMP_QUOTE_BAD_LEN);
    /* the quoted checksum is not checked (a router changed the TTL) */
    memcpy(b, body, n);
    b[8] = 1;
    CHECK_EQ_INT(sn_icmp_quote_parse(b, n, &q), SN_ICMP_QUOTE_OK);
    CHECK_EQ_INT(q.ip.ttl, 1);
    /* fragment fields */
    b[6] = 0x20 | 0x00; /* MF, offset 0 */
    b[7] = 0x00;
    sn_icmp_quote_parse(b, n, &q);
    CHECK_EQ_INT(q.ip.mf, 1);
    CHECK_EQ_INT(q.ip.frag_off, 0);
    b[6] = 0x40;
    b[7] = 0x03;
    sn_icmp_quote_parse(b, n, &q);
    CHECK_EQ_INT(q.ip.df, 1);
    CHECK_EQ_INT(q.ip.frag_off, 24);
}

static void test_error_types(void)
{
    const uint8_t queries[] = {0, 8, 9, 10, 13, 14, 15, 16, 17, 18};
    const uint8_t errors[] = {3, 4, 5, 11, 12, 1, 2, 6, 7, 19, 40, 255};
    for (size_t i = 0; i < sizeof queries; i++)
        CHECK_EQ_INT(sn_icmp_type_is_error(queries[i]), 0);
    for (size_t i = 0; i < sizeof errors; i++)
        CHECK_EQ_INT(sn_icmp_type_is_error(errors[i]), 1);
}

int main(void)
{
    TEST_RUN(test_echo_kat);
    TEST_RUN(test_error_kats);
    TEST_RUN(test_malformed);
    TEST_RUN(test_quote);
    TEST_RUN(test_error_types);
    TEST_DONE();
}
