/* net/inet_csum: RFC 1071 sum and RFC 1624 update against known answers. */
#include <stdint.h>
#include <string.h>

#include "net/inet_csum.h"
#include "sn_test.h"

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

static void test_rfc1071_example(void)
{
    /* RFC 1071 section 3: these bytes sum to ddf2 (after the carries). */
    const uint8_t b[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    uint32_t s = sn_csum_add(0, b, sizeof b);
    CHECK_EQ_INT(fold(s), 0xddf2);
    CHECK_EQ_INT(sn_csum_finish(s), 0x220d);
    /* Summing in even-sized pieces gives the same answer. */
    CHECK_EQ_INT(fold(sn_csum_add(sn_csum_add(0, b, 2), b + 2, 6)), 0xddf2);
}

static void test_odd_length(void)
{
    const uint8_t b[3] = {0x12, 0x34, 0x56};
    /* The trailing byte is the high half of a zero-padded word. */
    CHECK_EQ_INT(sn_csum_add(0, b, 3), 0x1234 + 0x5600);
    CHECK_EQ_INT(sn_csum_add(0, b, 0), 0);
    CHECK_EQ_INT(sn_csum_finish(0), 0xffff);
}

static void test_ipv4_header_known(void)
{
    /* A frequently quoted IPv4 header whose checksum field is b861. */
    uint8_t h[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                     0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    CHECK_EQ_INT(sn_csum_finish(sn_csum_add(0, h, 20)), 0);
    h[10] = h[11] = 0;
    CHECK_EQ_INT(sn_csum_finish(sn_csum_add(0, h, 20)), 0xb861);
}

static void test_pseudo_udp_known(void)
{
    /* UDP 5000 -> 53 "hello sdrnet" from 192.168.1.10 to 192.168.1.20,
     * checksum d960 as computed by scapy. */
    uint8_t u[20] = {0x13, 0x88, 0x00, 0x35, 0x00, 0x14, 0x00, 0x00, 0x68, 0x65,
                     0x6c, 0x6c, 0x6f, 0x20, 0x73, 0x64, 0x72, 0x6e, 0x65, 0x74};
    uint32_t s = sn_csum_pseudo(0xC0A8010A, 0xC0A80114, 17, 20);
    CHECK_EQ_INT(sn_csum_finish(sn_csum_add(s, u, sizeof u)), 0xd960);
}

static void test_long_buffer_carries(void)
{
    /* 200000 bytes of 0xff: 100000 words of 0xffff (-0) overflow a naive
     * 32-bit sum; the ones'-complement sum is 0xffff, the checksum 0. */
    static uint8_t b[200000];
    memset(b, 0xff, sizeof b);
    uint32_t s = sn_csum_add(0, b, sizeof b);
    CHECK_EQ_INT(fold(s), 0xffff);
    CHECK_EQ_INT(sn_csum_finish(s), 0);
    /* Starting from a large running sum must not lose the carry: the
     * running sum 0xffffffff is a -0, so adding 1 gives 1. */
    const uint8_t one[2] = {0x00, 0x01};
    CHECK_EQ_INT(fold(sn_csum_add(0xffffffffu, one, 2)), 1);
}

static void test_rfc1624_example(void)
{
    /* RFC 1624 section 4: HC 0xDD2F, m 0x5555 -> m' 0x3285 gives 0x0000
     * (eqn. 2 would give the wrong 0xFFFF). */
    CHECK_EQ_INT(sn_csum_update16(0xDD2F, 0x5555, 0x3285), 0x0000);
    /* No change leaves the checksum alone. */
    CHECK_EQ_INT(sn_csum_update16(0x1234, 0xabcd, 0xabcd), 0x1234);
}

static uint32_t rng_state = 0x12345678u;
static uint32_t xorshift32(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static void test_update_matches_recompute(void)
{
    /* Property: on random IPv4-like headers, changing one 16-bit word and
     * updating incrementally gives the recomputed checksum. */
    int bad = 0;
    for (int iter = 0; iter < 20000; iter++) {
        uint8_t h[20];
        for (int i = 0; i < 20; i++)
            h[i] = (uint8_t)xorshift32();
        h[0] = 0x45; /* a real header is never all zeros */
        h[10] = h[11] = 0;
        uint16_t c = sn_csum_finish(sn_csum_add(0, h, 20));
        h[10] = (uint8_t)(c >> 8);
        h[11] = (uint8_t)c;

        int w = (int)(xorshift32() % 10);
        if (w == 5)
            w = 4; /* not the checksum field itself */
        uint16_t old = (uint16_t)(h[2 * w] << 8 | h[2 * w + 1]);
        uint16_t nw = (iter % 4 == 0) ? (uint16_t)(old - 0x0100) /* TTL-- style */
                                      : (uint16_t)xorshift32();
        h[2 * w] = (uint8_t)(nw >> 8);
        h[2 * w + 1] = (uint8_t)nw;
        uint16_t inc = sn_csum_update16(c, old, nw);
        h[10] = h[11] = 0;
        uint16_t full = sn_csum_finish(sn_csum_add(0, h, 20));
        if (inc != full)
            bad++;
    }
    CHECK_EQ_INT(bad, 0);
}

int main(void)
{
    TEST_RUN(test_rfc1071_example);
    TEST_RUN(test_odd_length);
    TEST_RUN(test_ipv4_header_known);
    TEST_RUN(test_pseudo_udp_known);
    TEST_RUN(test_long_buffer_carries);
    TEST_RUN(test_rfc1624_example);
    TEST_RUN(test_update_matches_recompute);
    TEST_DONE();
}
