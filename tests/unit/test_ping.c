/* Large ICMP echoes and the ping app over simulated wires (no PHY), on the
 * virtual clock: host A - router R - host B. Echo requests of 4000 and
 * 65507 bytes answered and reassembled byte for byte (the reply
 * fragmented on the way out, and again by a router on a small-MTU link),
 * a large ping to ourselves, a large UDP datagram; the ping app's lines
 * for Destination Host Unreachable and Time to live exceeded with "+N
 * errors" in its summary, two pings on one node each hearing only of its
 * own requests, and replies after the summary ignored (counted late). */
#include "apps/ping.h"
#include "core/bytes.h"
#include "core/err.h"
#include "core/pkt.h"
#include "core/sched.h"
#include "mac/frame.h"
#include "mac/netif.h"
#include "net/icmp.h"
#include "net/ipv4.h"
#include "net/udp.h"
#include "sn_test.h"

#include "sn_net.h"

#define BIG 65507 /* [bytes] largest echo payload: 65535 - 20 - 8 */

typedef net_node node;

static sn_sched *sched;
static node A, R, B;

/* A -- R -- B (sn_net.h); the R-B link has MTU `far_mtu` [bytes]. */
static void setup(unsigned far_mtu) { sched = net_setup(&A, &R, &B, far_mtu, BIG); }
static void teardown(void) { net_teardown(sched, &A, &R, &B); }
static void run_for(sn_time_t dt) { net_run_for(sched, dt); }

static void on_echo(void *user, sn_ip4 from, uint16_t id, uint16_t seq, const uint8_t *data,
                    size_t len, sn_time_t rx_time, const sn_pkt_meta *meta)
{
    (void)from, (void)id, (void)rx_time, (void)meta;
    node *n = user;
    n->replies++;
    n->reply_seq = seq;
    net_keep(n, data, len);
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 131u + i / 251u + seed);
}

/* Echo of `len` bytes from A to `dst` with seq; the reply must be exact. */
static void echo_exact(node *from, sn_ip4 dst, const uint8_t *payload, size_t len, uint16_t seq)
{
    int before = from->replies;
    CHECK_EQ_INT(sn_icmp_ping(from->icmp, dst, 0x77, seq, payload, len), SN_OK);
    run_for(2 * SN_NS_PER_S);
    CHECK_EQ_INT(from->replies, before + 1);
    CHECK_EQ_INT(from->reply_seq, seq);
    CHECK_EQ_INT(from->last_len, len);
    if (from->last_len == len)
        CHECK_MEM(from->last, payload, len);
}

static void test_large_echo(void)
{
    setup(1500);
    uint8_t *payload = malloc(BIG);
    CHECK(payload != NULL);
    if (!payload) {
        teardown();
        return;
    }
    fill(payload, BIG, 5);
    CHECK_EQ_INT(sn_icmp_echo_bind(A.icmp, 0x77, on_echo, &A), SN_OK);
    sn_ip4 b = net_ip4("192.168.2.20");
    /* a small one first: ARP resolves every hop (ARP queues only a few
     * packets per unresolved neighbour, not a 45-fragment datagram) */
    echo_exact(&A, b, payload, 56, 1);

    uint64_t a_frags = net_ip_stat(&A, "fragments_created");
    uint64_t b_frags = net_ip_stat(&B, "fragments_created");
    echo_exact(&A, b, payload, 4000, 2);
    /* 4008 bytes of ICMP in 1480-byte pieces: 3 fragments each way */
    CHECK_EQ_INT(net_ip_stat(&A, "fragments_created") - a_frags, 3);
    CHECK_EQ_INT(net_ip_stat(&B, "fragments_created") - b_frags, 3);

    echo_exact(&A, b, payload, BIG, 3);
    /* 65515 bytes of ICMP: 44 full 1480-byte fragments and a last one */
    CHECK_EQ_INT(net_ip_stat(&A, "fragments_created") - a_frags, 3 + 45);
    CHECK_EQ_INT(net_ip_stat(&B, "fragments_created") - b_frags, 3 + 45);
    CHECK_EQ_INT(net_ip_stat(&A, "rx_reassembled"), 2);
    CHECK_EQ_INT(net_ip_stat(&B, "rx_reassembled"), 2);
    CHECK_EQ_INT(net_icmp_stat(&B, "tx_echo_replies"), 3);
    CHECK_EQ_INT(net_icmp_stat(&B, "drop_tx_error"), 0);
    /* no frame ever exceeded the MTU (Ethernet header + 1500 + FCS) */
    CHECK_EQ_INT(A.end[0].max_len, SN_ETH_HDR_LEN + 1500 + SN_ETH_FCS_LEN);
    CHECK_EQ_INT(B.end[0].max_len, SN_ETH_HDR_LEN + 1500 + SN_ETH_FCS_LEN);
    /* one byte more than IPv4 can carry is refused, counted */
    CHECK_EQ_INT(sn_icmp_ping(A.icmp, b, 0x77, 4, payload, BIG + 1), SN_ERR_RANGE);
    CHECK_EQ_INT(net_icmp_stat(&A, "drop_tx_error"), 1);

    /* to ourselves: built whole and looped back, answered the same way */
    echo_exact(&A, A.addr[0], payload, BIG, 5);

    /* a large UDP datagram, fragmented from the caller's bytes */
    fill(payload, 30000, 9);
    CHECK_EQ_INT(sn_udp_sendto(A.sock, b, 5000, payload, 30000), SN_OK);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(B.got, 1);
    CHECK_EQ_INT(B.last_len, 30000);
    CHECK_MEM(B.last, payload, 30000);
    /* ...unless DF is asked: EMSGSIZE, nothing sent */
    sn_ipv4_tx_opts df = {.df = 1};
    CHECK_EQ_INT(sn_udp_sendto_opts(A.sock, b, 5000, payload, 30000, &df), SN_ERR_RANGE);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(B.got, 1);
    sn_icmp_echo_unbind(A.icmp, 0x77);
    free(payload);
    teardown();
}

/* R refragments the fragments for a 576-byte link; B's reply is cut for
 * 576 bytes from the start. */
static void test_large_echo_small_mtu(void)
{
    setup(576);
    uint8_t payload[4000];
    fill(payload, sizeof payload, 1);
    CHECK_EQ_INT(sn_icmp_echo_bind(A.icmp, 0x77, on_echo, &A), SN_OK);
    sn_ip4 b = net_ip4("192.168.2.20");
    echo_exact(&A, b, payload, 56, 1);
    echo_exact(&A, b, payload, sizeof payload, 2);
    CHECK(net_ip_stat(&R, "fragments_created") >= 6);
    CHECK_EQ_INT(B.end[0].max_len, SN_ETH_HDR_LEN + 572 + SN_ETH_FCS_LEN); /* 20 + 69 * 8 */
    sn_icmp_echo_unbind(A.icmp, 0x77);
    teardown();
}

/* ---- the ping app ---- */

static size_t count_lines(const net_lines *l, const char *s)
{
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++)
        k += strstr(l->text[i], s) != NULL;
    return k;
}

static sn_ping *start_ping(const char *dst, unsigned count, size_t size, uint16_t id,
                           sn_time_t timeout, net_lines *l)
{
    sn_ping_config c = {.dst = net_ip4(dst), .count = count, .interval = SN_NS_PER_S,
                        .start = sn_sched_now(sched), .size = size, .timeout = timeout,
                        .id = id};
    int err = -1;
    sn_ping *p = sn_ping_create(&c, sched, A.icmp, net_on_line, l, &err);
    CHECK(p != NULL);
    CHECK_EQ_INT(err, SN_OK);
    return p;
}

static void test_ping_app_large(void)
{
    setup(1500);
    static net_lines l;
    memset(&l, 0, sizeof l);
    /* resolve ARP first (see test_large_echo) */
    sn_ping *warm = start_ping("192.168.2.20", 1, 56, 0x100, SN_NS_PER_S, &l);
    run_for(3 * SN_NS_PER_S);
    sn_ping_destroy(warm);
    memset(&l, 0, sizeof l);
    sn_ping *p = start_ping("192.168.2.20", 2, BIG, 0x101, SN_NS_PER_S, &l);
    run_for(5 * SN_NS_PER_S);
    sn_ping_result r;
    sn_ping_get_result(p, &r);
    CHECK_EQ_INT(r.transmitted, 2);
    CHECK_EQ_INT(r.received, 2);
    CHECK_EQ_INT(r.errors, 0);
    CHECK(net_has_line(&l, "PING 192.168.2.20 (192.168.2.20) 65507(65535) bytes of data."));
    CHECK(net_has_line(&l, "65515 bytes from 192.168.2.20: icmp_seq=1 time="));
    CHECK(net_has_line(&l, "65515 bytes from 192.168.2.20: icmp_seq=2 time="));
    CHECK(!net_has_line(&l, "wrong data"));
    CHECK(net_has_line(&l, "2 packets transmitted, 2 received, 0% packet loss"));
    sn_ping_destroy(p);
    teardown();
}

/* R's ARP for 192.168.2.99 gives up: each request earns a Host Unreachable
 * from R; on A's own network A's stack says it, from A's address. */
static void test_ping_host_unreachable(void)
{
    setup(1500);
    static net_lines l;
    memset(&l, 0, sizeof l);
    sn_ping *p = start_ping("192.168.2.99", 3, 56, 0x200, 5 * SN_NS_PER_S, &l);
    run_for(12 * SN_NS_PER_S);
    sn_ping_result r;
    sn_ping_get_result(p, &r);
    CHECK_EQ_INT(r.transmitted, 3);
    CHECK_EQ_INT(r.received, 0);
    CHECK_EQ_INT(r.errors, 3);
    CHECK(net_has_line(&l, "From 192.168.1.1 icmp_seq=1 Destination Host Unreachable"));
    CHECK(net_has_line(&l, "From 192.168.1.1 icmp_seq=2 Destination Host Unreachable"));
    CHECK(net_has_line(&l, "From 192.168.1.1 icmp_seq=3 Destination Host Unreachable"));
    CHECK(net_has_line(&l, "3 packets transmitted, 0 received, +3 errors, 100% packet loss"));
    CHECK(!net_has_line(&l, "rtt min"));
    sn_ping_destroy(p);

    memset(&l, 0, sizeof l);
    p = start_ping("192.168.1.99", 1, 56, 0x201, 5 * SN_NS_PER_S, &l);
    run_for(8 * SN_NS_PER_S);
    sn_ping_get_result(p, &r);
    CHECK_EQ_INT(r.errors, 1);
    CHECK(net_has_line(&l, "From 192.168.1.10 icmp_seq=1 Destination Host Unreachable"));
    CHECK(net_has_line(&l, "1 packets transmitted, 0 received, +1 errors, 100% packet loss"));
    sn_ping_destroy(p);
    teardown();
}

/* A routing loop R <-> B for 10.0.0.0/8: the TTL runs out and whoever
 * holds the request when it does says so. Two pings on A at once: each
 * hears only of its own requests (net/icmp dispatches by identifier). */
static void test_ping_time_exceeded_two_pings(void)
{
    setup(1500);
    sn_ipv4_set_forwarding(B.ip, 1);
    CHECK_EQ_INT(sn_ipv4_add_route(R.ip, net_ip4("10.0.0.0"), 8, net_ip4("192.168.2.20")), SN_OK);
    static net_lines l1, l2;
    memset(&l1, 0, sizeof l1);
    memset(&l2, 0, sizeof l2);
    sn_ping *p1 = start_ping("10.1.2.3", 2, 56, 0x300, 2 * SN_NS_PER_S, &l1);
    sn_ping *p2 = start_ping("192.168.2.99", 1, 56, 0x301, 5 * SN_NS_PER_S, &l2);
    run_for(10 * SN_NS_PER_S);
    sn_ping_result r1, r2;
    sn_ping_get_result(p1, &r1);
    sn_ping_get_result(p2, &r2);
    /* TTL 64 from A: R sees even TTLs, B odd ones, so B sees TTL 1 */
    CHECK(net_has_line(&l1, "From 192.168.2.20 icmp_seq=1 Time to live exceeded"));
    CHECK(net_has_line(&l1, "From 192.168.2.20 icmp_seq=2 Time to live exceeded"));
    CHECK_EQ_INT(count_lines(&l1, "From "), 2);
    CHECK_EQ_INT(r1.errors, 2);
    CHECK(net_has_line(&l1, "2 packets transmitted, 0 received, +2 errors, 100% packet loss"));
    CHECK(net_has_line(&l2, "From 192.168.1.1 icmp_seq=1 Destination Host Unreachable"));
    CHECK_EQ_INT(count_lines(&l2, "From "), 1);
    CHECK_EQ_INT(r2.errors, 1);
    CHECK_EQ_INT(net_icmp_stat(&A, "drop_error_no_handler"), 0);
    sn_ping_destroy(p1);
    sn_ping_destroy(p2);
    /* with the pings gone, an error about an echo goes nowhere: counted */
    CHECK_EQ_INT(sn_icmp_ping(A.icmp, net_ip4("10.9.9.9"), 0x300, 1, "x", 1), SN_OK);
    run_for(2 * SN_NS_PER_S);
    CHECK_EQ_INT(net_icmp_stat(&A, "drop_error_no_handler"), 1);
    teardown();
}

/* A reply that comes after the summary changes nothing: counted late. */
static void test_ping_late_reply(void)
{
    setup(1500);
    static net_lines l;
    memset(&l, 0, sizeof l);
    /* 4 wire hops of 1 ms there and back, ARP first: far beyond 1 ms */
    sn_ping *p = start_ping("192.168.2.20", 1, 56, 0x400, SN_NS_PER_MS, &l);
    run_for(2 * SN_NS_PER_S);
    sn_ping_result r;
    sn_ping_get_result(p, &r);
    CHECK_EQ_INT(r.transmitted, 1);
    CHECK_EQ_INT(r.received, 0);
    CHECK_EQ_INT(r.late, 1);
    CHECK_EQ_INT(net_icmp_stat(&A, "rx_echo_replies"), 1);
    CHECK(l.n >= 1 && strstr(l.text[l.n - 1], "1 packets transmitted, 0 received, 100% packet loss"));
    CHECK(isnan(sn_ping_rtt_ms(p, 1)));
    sn_ping_destroy(p);
    teardown();
}

int main(void)
{
    TEST_RUN(test_large_echo);
    TEST_RUN(test_large_echo_small_mtu);
    TEST_RUN(test_ping_app_large);
    TEST_RUN(test_ping_host_unreachable);
    TEST_RUN(test_ping_time_exceeded_two_pings);
    TEST_RUN(test_ping_late_reply);
    TEST_DONE();
}
