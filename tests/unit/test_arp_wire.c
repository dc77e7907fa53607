/* net/arp_wire: ARP request/reply against scapy-built packets. */
#include <stdint.h>
#include <string.h>

#include "net/arp_wire.h"
#include "sn_test.h"

/* scapy: ARP(op=1, hwsrc="02:00:00:00:00:01", psrc="10.0.0.1",
 * hwdst="00:00:00:00:00:00", pdst="10.0.0.2") */
static const uint8_t arp_req[28] = {
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x0a, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x0a, 0x00, 0x00, 0x02,
};

/* scapy: ARP(op=2, hwsrc="02:00:00:00:00:02", psrc="10.0.0.2",
 * hwdst="02:00:00:00:00:01", pdst="10.0.0.1") */
static const uint8_t arp_rep[28] = {
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00,
    0x00, 0x02, 0x0a, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x0a, 0x00, 0x00, 0x01,
};

static const sn_mac_addr mac1 = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
static const sn_mac_addr mac2 = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
static const sn_mac_addr mac0 = {{0}};

static void test_parse_request(void)
{
    sn_arp_pkt a;
    CHECK_EQ_INT(sn_arp_parse(arp_req, sizeof arp_req, &a), SN_ARP_OK);
    CHECK_EQ_INT(a.op, SN_ARP_OP_REQUEST);
    CHECK(sn_mac_equal(&a.sha, &mac1));
    CHECK(sn_mac_equal(&a.tha, &mac0));
    CHECK_EQ_INT(a.spa, 0x0A000001u);
    CHECK_EQ_INT(a.tpa, 0x0A000002u);
}

static void test_parse_reply(void)
{
    sn_arp_pkt a;
    CHECK_EQ_INT(sn_arp_parse(arp_rep, sizeof arp_rep, &a), SN_ARP_OK);
    CHECK_EQ_INT(a.op, SN_ARP_OP_REPLY);
    CHECK(sn_mac_equal(&a.sha, &mac2));
    CHECK(sn_mac_equal(&a.tha, &mac1));
    CHECK_EQ_INT(a.spa, 0x0A000002u);
    CHECK_EQ_INT(a.tpa, 0x0A000001u);
}

static void test_emit(void)
{
    uint8_t out[28];
    sn_arp_pkt q = {.op = SN_ARP_OP_REQUEST, .sha = mac1, .tha = mac0,
                    .spa = 0x0A000001u, .tpa = 0x0A000002u};
    memset(out, 0xcc, sizeof out);
    sn_arp_emit(out, &q);
    CHECK_MEM(out, arp_req, sizeof arp_req);
    sn_arp_pkt r = {.op = SN_ARP_OP_REPLY, .sha = mac2, .tha = mac1,
                    .spa = 0x0A000002u, .tpa = 0x0A000001u};
    sn_arp_emit(out, &r);
    CHECK_MEM(out, arp_rep, sizeof arp_rep);
}

static void test_padding_ignored(void)
{
    /* ARP in a minimum Ethernet frame has 18 bytes of padding. */
    uint8_t buf[46];
    memcpy(buf, arp_req, sizeof arp_req);
    memset(buf + sizeof arp_req, 0x5a, sizeof buf - sizeof arp_req);
    sn_arp_pkt a;
    CHECK_EQ_INT(sn_arp_parse(buf, sizeof buf, &a), SN_ARP_OK);
    CHECK_EQ_INT(a.tpa, 0x0A000002u);
}

static int parse_mod(size_t at, uint8_t val)
{
    uint8_t buf[28];
    memcpy(buf, arp_req, sizeof buf);
    buf[at] = val;
    sn_arp_pkt a, before;
    memset(&a, 0xaa, sizeof a);
    before = a;
    int r = sn_arp_parse(buf, sizeof buf, &a);
    if (r != SN_ARP_OK)
        CHECK(memcmp(&a, &before, sizeof a) == 0);
    return r;
}

static void test_each_error(void)
{
    sn_arp_pkt a;
    for (size_t n = 0; n < 28; n++)
        CHECK_EQ_INT(sn_arp_parse(arp_req, n, &a), SN_ARP_TRUNC);
    CHECK_EQ_INT(parse_mod(1, 6), SN_ARP_BAD_HTYPE);      /* IEEE 802 */
    CHECK_EQ_INT(parse_mod(0, 1), SN_ARP_BAD_HTYPE);      /* 0x0101 */
    CHECK_EQ_INT(parse_mod(4, 8), SN_ARP_BAD_HTYPE);      /* hlen */
    CHECK_EQ_INT(parse_mod(2, 0x86), SN_ARP_BAD_PTYPE);   /* 0x8600 */
    CHECK_EQ_INT(parse_mod(3, 0x06), SN_ARP_BAD_PTYPE);   /* 0x0806 */
    CHECK_EQ_INT(parse_mod(5, 16), SN_ARP_BAD_PTYPE);     /* plen */
    CHECK_EQ_INT(parse_mod(7, 3), SN_ARP_BAD_OP);         /* RARP request */
    CHECK_EQ_INT(parse_mod(7, 0), SN_ARP_BAD_OP);
    CHECK_EQ_INT(parse_mod(6, 1), SN_ARP_BAD_OP);         /* 0x0101 */
}

static void test_result_str(void)
{
    CHECK(strcmp(sn_arp_result_str(SN_ARP_OK), "ok") == 0);
    CHECK(strcmp(sn_arp_result_str(SN_ARP_TRUNC), "trunc") == 0);
    CHECK(strcmp(sn_arp_result_str(SN_ARP_BAD_HTYPE), "bad_htype") == 0);
    CHECK(strcmp(sn_arp_result_str(SN_ARP_BAD_PTYPE), "bad_ptype") == 0);
    CHECK(strcmp(sn_arp_result_str(SN_ARP_BAD_OP), "bad_op") == 0);
    CHECK(strcmp(sn_arp_result_str(SN_ARP_RESULT_COUNT), "unknown") == 0);
    CHECK(strcmp(sn_arp_result_str(-1), "unknown") == 0);
}

int main(void)
{
    TEST_RUN(test_parse_request);
    TEST_RUN(test_parse_reply);
    TEST_RUN(test_emit);
    TEST_RUN(test_padding_ignored);
    TEST_RUN(test_each_error);
    TEST_RUN(test_result_str);
    TEST_DONE();
}
