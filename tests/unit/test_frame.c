/* mac/frame: MAC addresses, Ethernet header and FCS against known answers. */
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "mac/frame.h"
#include "sn_test.h"

/* A broadcast ARP request (who has 10.0.0.2? tell 10.0.0.1), padded to the
 * 60-byte minimum, with its FCS. The frame was built with scapy and the FCS
 * with a bitwise reference CRC; tshark (eth.check_fcs) reports it "Good". */
static const uint8_t arp_frame[64] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00,
    0x00, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x0a, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xe8, 0x6f, 0x4d, 0xf8,
};

static void test_crc32_check_value(void)
{
    /* The CRC-32 catalogue check value. */
    CHECK_EQ_INT(sn_eth_crc32((const uint8_t *)"123456789", 9), 0xCBF43926u);
    CHECK_EQ_INT(sn_eth_crc32((const uint8_t *)"", 0), 0);
}

static void test_fcs_known_frame(void)
{
    uint8_t buf[64];
    memcpy(buf, arp_frame, 60);
    memset(buf + 60, 0, 4);
    sn_eth_fcs_put(buf, 60);
    CHECK_MEM(buf, arp_frame, sizeof arp_frame);
    CHECK_EQ_INT(sn_eth_crc32(arp_frame, 60), 0xf84d6fe8u);
    CHECK_EQ_INT(sn_eth_check(arp_frame, sizeof arp_frame), SN_ETH_OK);
    /* The CRC over a frame with its FCS is the fixed 802.3 residue. */
    CHECK_EQ_INT(sn_eth_crc32(arp_frame, sizeof arp_frame), 0x2144DF1Cu);
}

static void test_fcs_single_bit_errors(void)
{
    uint8_t buf[64];
    int missed = 0;
    for (size_t bit = 0; bit < sizeof buf * 8; bit++) {
        memcpy(buf, arp_frame, sizeof buf);
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (sn_eth_check(buf, sizeof buf) != SN_ETH_BAD_FCS)
            missed++;
    }
    CHECK_EQ_INT(missed, 0);
}

static void test_check_runt_and_oversize(void)
{
    static uint8_t big[SN_ETH_HDR_LEN + SN_ETH_MTU + SN_ETH_FCS_LEN + 1];
    for (size_t n = 0; n < 18; n++)
        CHECK_EQ_INT(sn_eth_check(arp_frame, n), SN_ETH_RUNT);
    /* 18 bytes: an empty payload with a correct FCS is accepted. */
    uint8_t small[18];
    memcpy(small, arp_frame, 14);
    sn_eth_fcs_put(small, 14);
    CHECK_EQ_INT(sn_eth_check(small, sizeof small), SN_ETH_OK);

    /* 1518 bytes is the largest frame; 1519 is refused before the FCS. */
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    memcpy(big, arp_frame, 14);
    size_t max = SN_ETH_HDR_LEN + SN_ETH_MTU;
    sn_eth_fcs_put(big, max);
    CHECK_EQ_INT(sn_eth_check(big, max + 4), SN_ETH_OK);
    sn_eth_fcs_put(big, max + 1);
    CHECK_EQ_INT(sn_eth_check(big, max + 5), SN_ETH_OVERSIZE);
}

static void test_header_parse_emit(void)
{
    sn_eth_hdr h;
    CHECK_EQ_INT(sn_eth_parse(arp_frame, 60, &h), SN_ETH_OK);
    CHECK(sn_mac_is_broadcast(&h.dst));
    const uint8_t src[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    CHECK_MEM(h.src.b, src, 6);
    CHECK_EQ_INT(h.ethertype, SN_ETHERTYPE_ARP);

    uint8_t out[14];
    sn_eth_emit(out, &h);
    CHECK_MEM(out, arp_frame, 14);

    for (size_t n = 0; n < 14; n++)
        CHECK_EQ_INT(sn_eth_parse(arp_frame, n, &h), SN_ETH_RUNT);
    CHECK_EQ_INT(sn_eth_parse(arp_frame, 14, &h), SN_ETH_OK);
}

static void test_mac_parse_format(void)
{
    sn_mac_addr a;
    char buf[18];
    const uint8_t want[6] = {0x02, 0x00, 0x5e, 0x10, 0xab, 0xcd};
    CHECK_EQ_INT(sn_mac_parse("02:00:5E:10:ab:CD", &a), SN_OK);
    CHECK_MEM(a.b, want, 6);
    CHECK(strcmp(sn_mac_format(&a, buf), "02:00:5e:10:ab:cd") == 0);
    memset(&a, 0, sizeof a);
    CHECK_EQ_INT(sn_mac_parse("02-00-5e-10-AB-cd", &a), SN_OK);
    CHECK_MEM(a.b, want, 6);
    CHECK_EQ_INT(sn_mac_parse("ff:ff:ff:ff:ff:ff", &a), SN_OK);
    CHECK(sn_mac_equal(&a, &sn_mac_broadcast));
    CHECK(strcmp(sn_mac_format(&sn_mac_broadcast, buf), "ff:ff:ff:ff:ff:ff") == 0);

    static const char *const bad[] = {
        "", "02:00:5e:10:ab", "02:00:5e:10:ab:", "02:00:5e:10:ab:cd:",
        "02:00:5e:10:ab:cde", "2:0:5e:10:ab:cd", "02:00-5e:10:ab:cd",
        "0g:00:5e:10:ab:cd", " 02:00:5e:10:ab:cd", "02:00:5e:10:ab:cd ",
        "02.00.5e.10.ab.cd", "02005e10abcd", "02::00:5e:10:ab:cd",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(a.b, want, 6);
        if (sn_mac_parse(bad[i], &a) != SN_ERR_PARSE)
            fprintf(stderr, "accepted bad MAC \"%s\"\n", bad[i]);
        CHECK_EQ_INT(sn_mac_parse(bad[i], &a), SN_ERR_PARSE);
        CHECK_MEM(a.b, want, 6); /* untouched on failure */
    }
}

static void test_mac_predicates(void)
{
    const sn_mac_addr mcast = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}};
    const sn_mac_addr ucast = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
    const sn_mac_addr ucast2 = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
    CHECK(sn_mac_is_broadcast(&sn_mac_broadcast));
    CHECK(sn_mac_is_multicast(&sn_mac_broadcast));
    CHECK(sn_mac_is_multicast(&mcast));
    CHECK(!sn_mac_is_broadcast(&mcast));
    CHECK(!sn_mac_is_multicast(&ucast));
    CHECK(!sn_mac_is_broadcast(&ucast));
    CHECK(sn_mac_equal(&ucast, &ucast));
    CHECK(!sn_mac_equal(&ucast, &ucast2));
}

static void test_result_str(void)
{
    CHECK(strcmp(sn_eth_result_str(SN_ETH_OK), "ok") == 0);
    CHECK(strcmp(sn_eth_result_str(SN_ETH_RUNT), "runt") == 0);
    CHECK(strcmp(sn_eth_result_str(SN_ETH_OVERSIZE), "oversize") == 0);
    CHECK(strcmp(sn_eth_result_str(SN_ETH_BAD_FCS), "bad_fcs") == 0);
    CHECK(strcmp(sn_eth_result_str(SN_ETH_RESULT_COUNT), "unknown") == 0);
    CHECK(strcmp(sn_eth_result_str(-1), "unknown") == 0);
}

int main(void)
{
    TEST_RUN(test_crc32_check_value);
    TEST_RUN(test_fcs_known_frame);
    TEST_RUN(test_fcs_single_bit_errors);
    TEST_RUN(test_check_runt_and_oversize);
    TEST_RUN(test_header_parse_emit);
    TEST_RUN(test_mac_parse_format);
    TEST_RUN(test_mac_predicates);
    TEST_RUN(test_result_str);
    TEST_DONE();
}
