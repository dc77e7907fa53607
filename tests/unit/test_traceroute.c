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

#include "sn_wire.h"

#define MAX_IF 2
#define MAX_LINES 64
#define BIG 2048 /* [bytes] kept of the last datagram */

typedef struct node {
    sn_pktpool *pool;
    wire_end end[MAX_IF];
    sn_netif *nif[MAX_IF];
    sn_ip4 addr[MAX_IF];
    size_t n_if;
    sn_ipv4 *ip;
    sn_icmp *icmp;
    sn_udp *udp;
    sn_udp_sock *sock; /* port 5000 */
    /* last UDP datagram */
    int got;
    uint8_t *last; /* BIG bytes */
    size_t last_len;
} node;

static sn_sched *sched;
static node A, R, B;

static sn_ip4 ip4(const char *s)
{
    sn_ip4 a = 0;
    sn_ip4_parse(s, &a);
    return a;
}

static void keep(node *n, const uint8_t *data, size_t len)
{
    n->last_len = len < BIG ? len : BIG;
    memcpy(n->last, data, n->last_len);
}

static void on_udp(void *user, sn_udp_sock *s, sn_ip4 src, uint16_t sport, sn_ip4 dst,
                   const uint8_t *data, size_t len, const sn_pkt_meta *meta)
{
    (void)s, (void)src, (void)sport, (void)dst, (void)meta;
    node *n = user;
    n->got++;
    keep(n, data, len);
}

static void node_init(node *n)
{
    memset(n, 0, sizeof *n);
    n->pool = sn_pktpool_create(128, 2048);
    n->ip = sn_ipv4_create(sched, n->pool);
    n->icmp = n->ip ? sn_ipv4_icmp(n->ip) : NULL;
    n->udp = sn_udp_create(n->ip, n->pool, NULL, 7);
    n->sock = sn_udp_open(n->udp, 5000, on_udp, n, "t", NULL);
    n->last = malloc(BIG);
    CHECK(n->pool && n->ip && n->udp && n->sock && n->last);
}

/* Interface k with MAC aa:bb:cc:dd:<id>:<k>, address "a.b.c.d/len". */
static void node_if(node *n, uint8_t id, const char *cidr, unsigned mtu)
{
    size_t k = n->n_if++;
    wire_end *e = &n->end[k];
    e->s = sched;
    e->min_len = SIZE_MAX;
    sn_pktq_init(&e->inflight, 256);
    sn_netif_config c = {.name = "eth", .mtu = mtu,
                         .mac = {{0xaa, 0xbb, 0xcc, 0xdd, id, (uint8_t)k}}};
    n->nif[k] = sn_netif_create(&c, wire_send, e, NULL);
    e->nif = n->nif[k];
    int len;
    sn_ip4_parse_prefix(cidr, &n->addr[k], &len);
    CHECK_EQ_INT(sn_ipv4_add_iface(n->ip, n->nif[k], n->addr[k], len, NULL), (int)k);
}

static void link_ends(node *a, size_t ka, node *b, size_t kb)
{
    a->end[ka].peer = &b->end[kb];
    b->end[kb].peer = &a->end[ka];
}

static void node_fini(node *n)
{
    sn_udp_destroy(n->udp);
    sn_ipv4_destroy(n->ip);
    for (size_t k = 0; k < n->n_if; k++) {
        sn_netif_destroy(n->nif[k]);
        sn_pktq_clear(&n->end[k].inflight);
    }
    CHECK_EQ_INT(sn_pktpool_in_use(n->pool), 0); /* nothing leaked */
    sn_pktpool_destroy(n->pool);
    free(n->last);
}

/* A 192.168.1.10/24 -- R (192.168.1.1 | 192.168.2.1, forwarding) -- B
 * 192.168.2.20/24; the R-B link has MTU `far_mtu`. */
static void setup(unsigned far_mtu)
{
    sched = sn_sched_create();
    node_init(&A);
    node_init(&R);
    node_init(&B);
    node_if(&A, 0x0a, "192.168.1.10/24", 1500);
    node_if(&R, 0x01, "192.168.1.1/24", 1500);
    node_if(&R, 0x01, "192.168.2.1/24", far_mtu);
    node_if(&B, 0x0b, "192.168.2.20/24", far_mtu);
    link_ends(&A, 0, &R, 0);
    link_ends(&R, 1, &B, 0);
    sn_ipv4_set_forwarding(R.ip, 1);
    CHECK_EQ_INT(sn_ipv4_set_default_gw(A.ip, ip4("192.168.1.1")), SN_OK);
    CHECK_EQ_INT(sn_ipv4_set_default_gw(B.ip, ip4("192.168.2.1")), SN_OK);
}

static void teardown(void)
{
    node_fini(&A);
    node_fini(&R);
    node_fini(&B);
    sn_sched_destroy(sched);
}

static void run_for(sn_time_t dt) { sn_sched_run(sched, sn_sched_now(sched) + dt, 0); }

typedef struct lines {
    char text[MAX_LINES][200];
    size_t n;
} lines;

static void on_line(void *user, const char *line)
{
    lines *l = user;
    if (l->n < MAX_LINES)
        snprintf(l->text[l->n++], sizeof l->text[0], "%s", line);
}

static int has_line(const lines *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strstr(l->text[i], s))
            return 1;
    return 0;
}

static void dump(const lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        fprintf(stderr, "  | %s\n", l->text[i]);
}

static sn_traceroute *start_trace(const char *dst, unsigned queries, sn_time_t wait, lines *l)
{
    sn_traceroute_config c = {.dst = ip4(dst), .max_hops = 30, .queries = queries,
                              .wait = wait, .start = sn_sched_now(sched)};
    int err = -1;
    sn_traceroute *t = sn_traceroute_create(&c, sched, A.udp, on_line, l, &err);
    CHECK(t != NULL);
    CHECK_EQ_INT(err, SN_OK);
    return t;
}

static void test_trace_reached(void)
{
    setup(1500);
    static lines l;
    memset(&l, 0, sizeof l);
    sn_traceroute *t = start_trace("192.168.2.20", 3, SN_NS_PER_S, &l);
    run_for(10 * SN_NS_PER_S);
    const sn_traceroute_hop *h;
    int reached = 0;
    size_t n = sn_traceroute_hops(t, &h, &reached);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(reached, 1);
    CHECK_EQ_INT(l.n, 3);
    CHECK(has_line(&l, "traceroute to 192.168.2.20 (192.168.2.20), 30 hops max, 60 byte packets"));
    /* 2 ms there and back per hop once ARP is done */
    CHECK(has_line(&l, " 1  192.168.1.1  "));
    CHECK(has_line(&l, " 2  192.168.2.20  "));
    CHECK(has_line(&l, "  2.000 ms  2.000 ms") || has_line(&l, " ms  2.000 ms  2.000 ms"));
    CHECK(!has_line(&l, "!"));
    if (n == 2) {
        CHECK_EQ_INT(h[1].addr[2], ip4("192.168.2.20"));
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
    static lines l;
    memset(&l, 0, sizeof l);
    sn_traceroute *t = start_trace("172.16.0.1", 3, SN_NS_PER_S, &l);
    run_for(10 * SN_NS_PER_S);
    const sn_traceroute_hop *h;
    int reached = 1;
    size_t n = sn_traceroute_hops(t, &h, &reached);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(reached, 0);
    CHECK_EQ_INT(l.n, 3);
    CHECK(has_line(&l, " 1  192.168.1.1  "));
    CHECK(has_line(&l, " 2  192.168.1.1  2.000 ms !N  2.000 ms !N  2.000 ms !N"));
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
    static lines l;
    memset(&l, 0, sizeof l);
    sn_traceroute *t = start_trace("192.168.2.99", 3, 5 * SN_NS_PER_S, &l);
    run_for(60 * SN_NS_PER_S);
    const sn_traceroute_hop *h;
    int reached = 1;
    size_t n = sn_traceroute_hops(t, &h, &reached);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(reached, 0);
    CHECK(has_line(&l, " 2  192.168.1.1  "));
    CHECK(has_line(&l, " ms !H"));
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
    static lines l;
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
    CHECK(has_line(&l, "traceroute: send failed: "));
    CHECK(has_line(&l, " 1  * !N * !N * !N"));
    if (sn_test_current_failed)
        dump(&l);
    sn_traceroute_destroy(t);
    teardown();
}

static void on_ping_line(void *user, const char *line) { on_line(user, line); }

/* traceroute (UDP errors, by port) and ping (ICMP errors about echoes, by
 * identifier) on one node, both towards a host that never answers ARP:
 * each hears of its own probes. */
static void test_trace_and_ping_together(void)
{
    setup(1500);
    static lines lt, lp;
    memset(&lt, 0, sizeof lt);
    memset(&lp, 0, sizeof lp);
    sn_traceroute *t = start_trace("192.168.2.99", 1, 5 * SN_NS_PER_S, &lt);
    sn_ping_config pc = {.dst = ip4("192.168.2.99"), .count = 2, .interval = SN_NS_PER_S,
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
    CHECK(has_line(&lp, "From 192.168.1.1 icmp_seq=1 Destination Host Unreachable"));
    CHECK(has_line(&lp, "From 192.168.1.1 icmp_seq=2 Destination Host Unreachable"));
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
