/* The traceroute app over simulated wires (no PHY), on the virtual clock:
 * host A - router R - host B. The path found hop by hop and "reached" only
 * on Port Unreachable from the destination; Destination Unreachable from a
 * router annotated (!N, !H) and ending the trace; a probe that cannot be
 * sent failing at once ("* !N") instead of waiting; traceroute and ping on
 * one node each hearing of their own probes. */
#include "apps/ping.h"
#include "apps/traceroute.h"
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

#define BIG 2048 /* [bytes] kept of the last datagram */

typedef net_node node;

static sn_sched *sched;
static node A, R, B;

/* A -- R -- B (sn_net.h); the R-B link has MTU `far_mtu` [bytes]. */
static void setup(unsigned far_mtu) { sched = net_setup(&A, &R, &B, far_mtu, BIG); }
static void teardown(void) { net_teardown(sched, &A, &R, &B); }
static void run_for(sn_time_t dt) { net_run_for(sched, dt); }

static void dump(const net_lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        fprintf(stderr, "  | %s\n", l->text[i]);
}

static sn_traceroute *start_trace(const char *dst, unsigned queries, sn_time_t wait, net_lines *l)
{
    sn_traceroute_config c = {.dst = net_ip4(dst), .max_hops = 30, .queries = queries,
                              .wait = wait, .start = sn_sched_now(sched)};
    int err = -1;
    sn_traceroute *t = sn_traceroute_create(&c, sched, A.udp, net_on_line, l, &err);
    CHECK(t != NULL);
    CHECK_EQ_INT(err, SN_OK);
    return t;
}

static void test_trace_reached(void)
{
    setup(1500);
    static net_lines l;
    memset(&l, 0, sizeof l);
    sn_traceroute *t = start_trace("192.168.2.20", 3, SN_NS_PER_S, &l);
    run_for(10 * SN_NS_PER_S);
    const sn_traceroute_hop *h;
    int reached = 0;
    size_t n = sn_traceroute_hops(t, &h, &reached);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(reached, 1);
    CHECK_EQ_INT(l.n, 3);
    CHECK(net_has_line(
        &l, "traceroute to 192.168.2.20 (192.168.2.20), 30 hops max, 60 byte packets"));
    /* 2 ms there and back per hop once ARP is done */
    CHECK(net_has_line(&l, " 1  192.168.1.1  "));
    CHECK(net_has_line(&l, " 2  192.168.2.20  "));
    CHECK(net_has_line(&l, "  2.000 ms  2.000 ms") || net_has_line(&l, " ms  2.000 ms  2.000 ms"));
    CHECK(!net_has_line(&l, "!"));
    if (n == 2) {
        CHECK_EQ_INT(h[1].addr[2], net_ip4("192.168.2.20"));
        CHECK_NEAR(h[1].rtt_ms[2], 4.0, 1e-9);
        CHECK_EQ_INT(h[1].note[2][0], 0);
    }
    if (sn_test_current_failed)
        dump(&l);
    sn_traceroute_destroy(t);
    teardown();
}

/* No route on R: the TTL-1 probes hear Time Exceeded from R (the TTL is
 * checked first), the TTL-2 ones Net Unreachable, annotated !N: the trace
 * ends there, not "reached". */
static void test_trace_net_unreachable(void)
{
    setup(1500);
    static net_lines l;
    memset(&l, 0, sizeof l);
    sn_traceroute *t = start_trace("172.16.0.1", 3, SN_NS_PER_S, &l);
    run_for(10 * SN_NS_PER_S);
    const sn_traceroute_hop *h;
    int reached = 1;
    size_t n = sn_traceroute_hops(t, &h, &reached);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(reached, 0);
    CHECK_EQ_INT(l.n, 3);
    CHECK(net_has_line(&l, " 1  192.168.1.1  "));
    CHECK(net_has_line(&l, " 2  192.168.1.1  2.000 ms !N  2.000 ms !N  2.000 ms !N"));
    if (n == 2) {
        CHECK_EQ_INT(h[0].note[0][0], 0);
        CHECK(strcmp(h[1].note[0], "!N") == 0);
    }
    if (sn_test_current_failed)
        dump(&l);
    sn_traceroute_destroy(t);
    teardown();
}

/* 192.168.2.99 does not answer R's ARP: each probe of hop 2 waits in R's
 * ARP queue until R gives up and says Host Unreachable: !H, the end. */
static void test_trace_host_unreachable(void)
{
    setup(1500);
    static net_lines l;
    memset(&l, 0, sizeof l);
    sn_traceroute *t = start_trace("192.168.2.99", 3, 5 * SN_NS_PER_S, &l);
    run_for(60 * SN_NS_PER_S);
    const sn_traceroute_hop *h;
    int reached = 1;
    size_t n = sn_traceroute_hops(t, &h, &reached);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(reached, 0);
    CHECK(net_has_line(&l, " 2  192.168.1.1  "));
    CHECK(net_has_line(&l, " ms !H"));
    if (n == 2) {
        unsigned marked = 0;
        for (unsigned q = 0; q < 3; q++)
            marked += strcmp(h[1].note[q], "!H") == 0;
        CHECK(marked >= 2);
    }
    if (sn_test_current_failed)
        dump(&l);
    sn_traceroute_destroy(t);
    teardown();
}

/* A has no route at all: the probes cannot be sent, so they fail at once
 * (no wait), shown "* !N", one error line, the trace ends. */
static void test_trace_send_fails(void)
{
    setup(1500);
    sn_ipv4_set_default_gw(A.ip, 0);
    static net_lines l;
    memset(&l, 0, sizeof l);
    sn_time_t t0 = sn_sched_now(sched);
    sn_traceroute *t = start_trace("172.16.0.1", 3, 5 * SN_NS_PER_S, &l);
    /* the whole trace happens without the clock moving */
    sn_sched_run(sched, t0, 0);
    const sn_traceroute_hop *h;
    int reached = 1;
    size_t n = sn_traceroute_hops(t, &h, &reached);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(reached, 0);
    CHECK_EQ_INT(l.n, 3);
    CHECK(net_has_line(&l, "traceroute: send failed: "));
    CHECK(net_has_line(&l, " 1  * !N * !N * !N"));
    if (sn_test_current_failed)
        dump(&l);
    sn_traceroute_destroy(t);
    teardown();
}

static void on_ping_line(void *user, const char *line) { net_on_line(user, line); }

/* traceroute (UDP errors, by port) and ping (ICMP errors about echoes, by
 * identifier) on one node, both towards a host that never answers ARP:
 * each hears of its own probes. */
static void test_trace_and_ping_together(void)
{
    setup(1500);
    static net_lines lt, lp;
    memset(&lt, 0, sizeof lt);
    memset(&lp, 0, sizeof lp);
    sn_traceroute *t = start_trace("192.168.2.99", 1, 5 * SN_NS_PER_S, &lt);
    sn_ping_config pc = {.dst = net_ip4("192.168.2.99"), .count = 2, .interval = SN_NS_PER_S,
                         .start = sn_sched_now(sched), .size = 56,
                         .timeout = 5 * SN_NS_PER_S, .id = 0x600};
    sn_ping *p = sn_ping_create(&pc, sched, A.icmp, on_ping_line, &lp, NULL);
    CHECK(p != NULL);
    run_for(30 * SN_NS_PER_S);
    const sn_traceroute_hop *h;
    int reached = 1;
    size_t n = sn_traceroute_hops(t, &h, &reached);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(reached, 0);
    if (n == 2)
        CHECK(strcmp(h[1].note[0], "!H") == 0);
    sn_ping_result r;
    sn_ping_get_result(p, &r);
    CHECK_EQ_INT(r.errors, 2);
    CHECK(net_has_line(&lp, "From 192.168.1.1 icmp_seq=1 Destination Host Unreachable"));
    CHECK(net_has_line(&lp, "From 192.168.1.1 icmp_seq=2 Destination Host Unreachable"));
    if (sn_test_current_failed) {
        dump(&lt);
        dump(&lp);
    }
    sn_ping_destroy(p);
    sn_traceroute_destroy(t);
    teardown();
}

int main(void)
{
    TEST_RUN(test_trace_reached);
    TEST_RUN(test_trace_net_unreachable);
    TEST_RUN(test_trace_host_unreachable);
    TEST_RUN(test_trace_send_fails);
    TEST_RUN(test_trace_and_ping_together);
    TEST_DONE();
}
