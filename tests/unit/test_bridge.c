/* mac/bridge: a learning switch and a hub joining hosts over simulated wires
 * (no PHY). Scenario S3 step by step (flood, learn, forward, age out), and
 * the 802.1D rules of NET-CHECKLIST section A: group sources, flooding,
 * same-port filtering, station moves, ageing, a bounded table, reserved
 * groups; then S2's hub.
 *
 * Topology: host i's netif --wire-- switch port i's netif (i = 1..n). Each
 * wire end counts the frames sent into it, so "port 3 sent nothing" is the
 * count on port 3's end of the wire to C. */
#include "core/err.h"
#include "core/pkt.h"
#include "core/sched.h"
#include "mac/bridge.h"
#include "mac/frame.h"
#include "mac/netif.h"
#include "sn_test.h"

#define MAXH 4
#define ETHERTYPE_TEST 0x88b5 /* IEEE 802 local experimental */

#include "sn_wire.h"

typedef struct host {
    wire_end end;
    sn_netif *nif;
    int got;          /* frames delivered up to the host */
    sn_eth_hdr last;  /* header of the last one */
} host;

typedef struct swport {
    wire_end end;     /* end.sent: frames the bridge sent out of this port */
    sn_netif *nif;
} swport;

static struct {
    sn_sched *s;
    sn_pktpool *pool;
    sn_bridge *br;
    host h[MAXH + 1];   /* 1-based, like the ports */
    swport p[MAXH + 1];
    int n;
} N;

static void on_host_rx(void *user, sn_netif *nif, const sn_eth_hdr *eth, sn_pkt *pkt)
{
    host *h = user;
    h->got++;
    h->last = *eth;
    sn_pkt_free(pkt);
}

static sn_mac_addr mac(const char *s)
{
    sn_mac_addr m = {{0}};
    CHECK(sn_mac_parse(s, &m) == SN_OK);
    return m;
}

static const char *const host_mac[MAXH + 1] = {
    NULL, "AA:BB:CC:DD:EE:F1", "AA:BB:CC:DD:EE:F2", "AA:BB:CC:DD:EE:F3", "AA:BB:CC:DD:EE:F4",
};

static void end_attach(wire_end *e, sn_netif *nif)
{
    wire_init(e, N.s);
    e->nif = nif;
    sn_pktq_init(&e->inflight, 256); /* floods queue many frames at once */
}

/* n hosts, each on its own port of a bridge built from `cfg`. */
static void net_init(int n, const sn_bridge_config *cfg)
{
    memset(&N, 0, sizeof N);
    N.n = n;
    N.s = sn_sched_create();
    N.pool = sn_pktpool_create(512, 2048);
    CHECK(N.s && N.pool);
    N.br = sn_bridge_create(cfg, N.s, N.pool);
    CHECK(N.br != NULL);
    for (int i = 1; i <= n; i++) {
        host *h = &N.h[i];
        swport *p = &N.p[i];
        sn_netif_config hc = {.name = "eth0", .mac = mac(host_mac[i]), .mtu = 1500};
        h->nif = sn_netif_create(&hc, wire_send, &h->end, NULL);
        char pname[16];
        snprintf(pname, sizeof pname, "p%d", i);
        /* a port's own address never appears in switched traffic; locally
         * administered so it cannot clash with a host */
        sn_netif_config pc = {.name = pname, .mac = {{0x02, 0, 0, 0, 0, (uint8_t)i}},
                              .mtu = 1500};
        p->nif = sn_netif_create(&pc, wire_send, &p->end, NULL);
        CHECK(h->nif && p->nif);
        end_attach(&h->end, h->nif);
        end_attach(&p->end, p->nif);
        h->end.peer = &p->end;
        p->end.peer = &h->end;
        sn_netif_set_rx(h->nif, on_host_rx, h);
        CHECK_EQ_INT(sn_bridge_add_port(N.br, p->nif), i);
    }
}

static void net_fini(void)
{
    sn_bridge_destroy(N.br);
    for (int i = 1; i <= N.n; i++) {
        sn_netif_destroy(N.h[i].nif);
        sn_netif_destroy(N.p[i].nif);
        sn_pktq_clear(&N.h[i].end.inflight);
        sn_pktq_clear(&N.p[i].end.inflight);
    }
    CHECK_EQ_INT(sn_pktpool_in_use(N.pool), 0); /* every copy came back */
    sn_pktpool_destroy(N.pool);
    sn_sched_destroy(N.s);
}

static void run_for(sn_time_t dt) { sn_sched_run(N.s, sn_sched_now(N.s) + dt, 0); }

/* Host i sends "Hello" to `dst` the ordinary way (its own source address),
 * then the network settles. */
static void host_send(int i, const char *dst)
{
    sn_pkt *p = sn_pkt_alloc_tx(N.pool);
    CHECK(p != NULL);
    CHECK(sn_pkt_append(p, "Hello", 5) == SN_OK);
    sn_mac_addr d = mac(dst);
    CHECK(sn_netif_output(N.h[i].nif, &d, ETHERTYPE_TEST, p, sn_sched_now(N.s)) == SN_OK);
    run_for(10 * SN_NS_PER_MS);
}

/* Host i's wire carries a frame with any source address (a station behind
 * it, a forged or broken sender). */
static void host_send_raw(int i, const char *src, const char *dst)
{
    sn_pkt *p = sn_pkt_alloc_tx(N.pool);
    CHECK(p != NULL);
    sn_eth_hdr e = {.dst = mac(dst), .src = mac(src), .ethertype = ETHERTYPE_TEST};
    sn_eth_emit(sn_pkt_put(p, SN_ETH_HDR_LEN), &e);
    CHECK(sn_pkt_append(p, "Hello", 5) == SN_OK);
    CHECK(sn_netif_output_frame(N.h[i].nif, p, sn_sched_now(N.s)) == SN_OK);
    run_for(10 * SN_NS_PER_MS);
}

static uint64_t br_stat(const char *name)
{
    sn_stat s[SN_STATS_MAX];
    return sn_test_stat(s, sn_bridge_stats(N.br, s, SN_STATS_MAX), name);
}

static uint64_t nif_stat(sn_netif *nif, const char *name)
{
    sn_stat s[SN_STATS_MAX];
    return sn_test_stat(s, sn_netif_stats(nif, s, SN_STATS_MAX), name);
}

static uint64_t sent(int port) { return N.p[port].end.sent; }

static int port_of(const char *m)
{
    sn_mac_addr a = mac(m);
    return sn_bridge_lookup(N.br, &a, sn_sched_now(N.s));
}

#define A 1
#define B 2
#define C 3
#define F1 "aa:bb:cc:dd:ee:f1"
#define F2 "aa:bb:cc:dd:ee:f2"
#define F3 "aa:bb:cc:dd:ee:f3"
#define BCAST "ff:ff:ff:ff:ff:ff"

/* S3 as the story tells it. */
static void test_s3_flood_learn_forward(void)
{
    net_init(3, NULL);
    /* the bridge made its ports promiscuous */
    CHECK_EQ_INT(sn_netif_set_promisc(N.p[1].nif, 1), 1);

    /* A -> B before anything is learned: flooded to ports 2 and 3 */
    host_send(A, F2);
    CHECK_EQ_INT(sent(1), 0);
    CHECK_EQ_INT(sent(2), 1);
    CHECK_EQ_INT(sent(3), 1);
    CHECK_EQ_INT(N.h[B].got, 1);
    CHECK(sn_mac_equal(&N.h[B].last.src, sn_netif_mac(N.h[A].nif))); /* source kept */
    CHECK(sn_mac_equal(&N.h[B].last.dst, sn_netif_mac(N.h[B].nif)));
    /* C's PHY would see it; C's MAC drops it as not addressed to C */
    CHECK_EQ_INT(N.h[C].got, 0);
    CHECK_EQ_INT(nif_stat(N.h[C].nif, "drop_not_for_us"), 1);
    CHECK_EQ_INT(port_of(F1), 1);
    CHECK_EQ_INT(br_stat("flooded"), 1);

    /* B -> A: A is known, so only port 1 */
    host_send(B, F1);
    CHECK_EQ_INT(sent(1), 1);
    CHECK_EQ_INT(sent(3), 1);
    CHECK_EQ_INT(N.h[A].got, 1);
    CHECK_EQ_INT(br_stat("forwarded"), 1);

    /* after learning, A -> B reaches only port 2; C gets nothing at all */
    uint64_t c_rx = nif_stat(N.h[C].nif, "rx_frames"), c_drop =
                                                            nif_stat(N.h[C].nif, "drop_not_for_us");
    host_send(A, F2);
    CHECK_EQ_INT(sent(2), 2);
    CHECK_EQ_INT(sent(3), 1);
    CHECK_EQ_INT(N.h[B].got, 2);
    CHECK_EQ_INT(nif_stat(N.h[C].nif, "rx_frames"), c_rx);
    CHECK_EQ_INT(nif_stat(N.h[C].nif, "drop_not_for_us"), c_drop);

    /* C speaks (broadcast): flooded to 1 and 2, C learned */
    host_send(C, BCAST);
    CHECK_EQ_INT(sent(1), 2);
    CHECK_EQ_INT(sent(2), 3);
    CHECK_EQ_INT(sent(3), 1);
    CHECK_EQ_INT(N.h[A].got, 2);
    CHECK_EQ_INT(N.h[B].got, 3);

    /* the table: F1 -> 1, F2 -> 2, F3 -> 3, sorted by port */
    sn_bridge_entry t[8];
    size_t n = sn_bridge_table(N.br, sn_sched_now(N.s), t, 8);
    CHECK_EQ_INT(n, 3);
    const char *want[3] = {F1, F2, F3};
    for (size_t i = 0; i < 3 && i < n; i++) {
        sn_mac_addr w = mac(want[i]);
        CHECK(sn_mac_equal(&t[i].mac, &w));
        CHECK_EQ_INT(t[i].port, (int)i + 1);
        CHECK(t[i].age >= 0 && t[i].age < 100 * SN_NS_PER_MS);
    }
    /* F3 was heard last, so it is the youngest */
    CHECK(t[2].age < t[0].age);
    /* a short array gets the first entries, the count is still the total */
    CHECK_EQ_INT(sn_bridge_table(N.br, sn_sched_now(N.s), t, 1), 3);
    CHECK_EQ_INT(t[0].port, 1);

    CHECK_EQ_INT(br_stat("rx_frames"), 4);
    CHECK_EQ_INT(br_stat("learned"), 3);
    CHECK_EQ_INT(br_stat("table_entries"), 3);
    CHECK_EQ_INT(br_stat("flooded"), 2);
    CHECK_EQ_INT(br_stat("forwarded"), 2);
    CHECK_EQ_INT(br_stat("tx_frames"), 6);
    net_fini();
}

/* [L2-09] learn B at t0; at t0+299 s A -> B is unicast, at t0+301 s flooded;
 * B's own traffic refreshes its entry. */
static void test_ageing(void)
{
    net_init(3, NULL);
    host_send(B, BCAST); /* B learned on port 2 */
    sn_time_t t0 = sn_sched_now(N.s);
    CHECK_EQ_INT(port_of(F2), 2);

    run_for(299 * SN_NS_PER_S - (sn_sched_now(N.s) - t0));
    uint64_t s3 = sent(3);
    host_send(A, F2);
    CHECK_EQ_INT(sent(3), s3); /* unicast */
    CHECK_EQ_INT(N.h[B].got, 1);

    run_for(2 * SN_NS_PER_S);
    /* the timer removed B by itself, with no frame to trigger it */
    CHECK_EQ_INT(port_of(F2), 0);
    CHECK_EQ_INT(br_stat("aged_out"), 1);
    CHECK_EQ_INT(port_of(F1), 1); /* A was learned at 299 s */
    host_send(A, F2);
    CHECK_EQ_INT(sent(3), s3 + 1); /* flooded again */
    CHECK_EQ_INT(N.h[B].got, 2);

    /* refresh: B heard again at t1 and t1+200 s; still known at t1+450 s */
    host_send(B, BCAST);
    run_for(200 * SN_NS_PER_S);
    host_send(B, BCAST);
    run_for(250 * SN_NS_PER_S);
    CHECK_EQ_INT(port_of(F2), 2);
    run_for(51 * SN_NS_PER_S);
    CHECK_EQ_INT(port_of(F2), 0);

    /* everything aged out and no timer left behind */
    run_for(400 * SN_NS_PER_S);
    CHECK_EQ_INT(br_stat("table_entries"), 0);
    CHECK_EQ_INT(sn_sched_pending(N.s), 0);
    net_fini();

    /* a configured ageing time (802.1D allows 10 .. 1 000 000 s) */
    sn_bridge_config cfg = {.name = "sw", .ageing = 10 * SN_NS_PER_S};
    net_init(3, &cfg);
    host_send(B, BCAST);
    run_for(9 * SN_NS_PER_S);
    CHECK_EQ_INT(port_of(F2), 2);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(port_of(F2), 0);
    net_fini();
}

/* A frame straight into port `port`'s netif at `now` [ns], with no event
 * run first: what arrives at the very instant an entry expires, before the
 * ageing timer (due at the same instant) has run. */
static void inject(int port, const char *src, const char *dst, sn_time_t now)
{
    sn_pkt *p = sn_pkt_alloc_tx(N.pool);
    CHECK(p != NULL);
    sn_eth_hdr e = {.dst = mac(dst), .src = mac(src), .ethertype = ETHERTYPE_TEST};
    sn_eth_emit(sn_pkt_put(p, SN_ETH_HDR_LEN), &e);
    memset(sn_pkt_put(p, 46), 0, 46);
    sn_eth_fcs_put(sn_pkt_data(p), SN_ETH_MIN_LEN);
    sn_pkt_put(p, SN_ETH_FCS_LEN);
    sn_netif_input(N.p[port].nif, p, now); /* the netif owns it */
}

/* An entry is gone at exactly ageing time after it was last heard, even if
 * the timer has not run yet; a full table makes room the same way. */
static void test_expiry_at_the_instant(void)
{
    net_init(3, NULL);
    inject(2, F2, BCAST, 0);
    inject(1, F1, F2, SN_BRIDGE_AGEING_DEFAULT - 1);
    CHECK_EQ_INT(br_stat("forwarded"), 1);
    inject(1, F1, F2, SN_BRIDGE_AGEING_DEFAULT);
    CHECK_EQ_INT(br_stat("aged_out"), 1);
    CHECK_EQ_INT(br_stat("flooded"), 2);
    run_for(SN_BRIDGE_AGEING_DEFAULT + SN_NS_PER_S); /* deliver, let the timer run */
    net_fini();

    sn_bridge_config cfg = {.table_size = 1};
    net_init(3, &cfg);
    inject(2, F2, BCAST, 0);
    inject(1, F1, F2, SN_BRIDGE_AGEING_DEFAULT);
    CHECK_EQ_INT(br_stat("drop_table_full"), 0);
    CHECK_EQ_INT(br_stat("aged_out"), 1);
    CHECK_EQ_INT(br_stat("learned"), 2);
    CHECK_EQ_INT(br_stat("flooded"), 2);
    run_for(SN_BRIDGE_AGEING_DEFAULT + SN_NS_PER_S);
    net_fini();
}

/* [L2-06] broadcast and multicast flood to every port but the ingress one,
 * on 3 and 4 ports; [L2-11] reserved link-local groups are not relayed. */
static void test_flood_group_destinations(void)
{
    for (int n = 3; n <= 4; n++) {
        net_init(n, NULL);
        host_send(A, BCAST);
        host_send(A, "01:00:5e:00:00:fb");
        CHECK_EQ_INT(sent(1), 0);
        for (int i = 2; i <= n; i++) {
            CHECK_EQ_INT(sent(i), 2);
            CHECK_EQ_INT(N.h[i].got, 1); /* hosts accept broadcast only */
        }
        CHECK_EQ_INT(br_stat("flooded"), 2);
        CHECK_EQ_INT(br_stat("tx_frames"), 2 * (n - 1));

        /* now that A is known, a broadcast from B still reaches everyone */
        host_send(B, BCAST);
        CHECK_EQ_INT(sent(1), 1);
        CHECK_EQ_INT(sent(2), 2);

        host_send(A, "01:80:c2:00:00:00"); /* STP */
        host_send(A, "01:80:c2:00:00:0e"); /* LLDP */
        CHECK_EQ_INT(br_stat("filtered_reserved"), 2);
        for (int i = 2; i <= n; i++)
            CHECK_EQ_INT(sent(i), i == 2 ? 2 : 3);
        /* 01:80:c2:00:00:10 is outside the reserved block: flooded */
        host_send(A, "01:80:c2:00:00:10");
        CHECK_EQ_INT(sent(2), 3);
        net_fini();
    }
}

/* [L2-05] a group source address is never learned and the frame goes
 * nowhere. The port's netif refuses it first (drop_bad_src). */
static void test_group_source_dropped(void)
{
    net_init(3, NULL);
    host_send_raw(A, "01:00:5e:00:00:01", F2);
    host_send_raw(A, BCAST, BCAST);
    CHECK_EQ_INT(nif_stat(N.p[1].nif, "drop_bad_src"), 2);
    CHECK_EQ_INT(sn_bridge_table(N.br, sn_sched_now(N.s), NULL, 0), 0);
    CHECK_EQ_INT(br_stat("learned"), 0);
    CHECK_EQ_INT(sent(2) + sent(3), 0);
    CHECK_EQ_INT(N.h[B].got, 0);
    net_fini();
}

/* [L2-07] A and C behind the same port (a hub segment): A -> C is filtered,
 * not sent anywhere, and never back out of port 1. */
static void test_same_port_filtered(void)
{
    net_init(3, NULL);
    host_send_raw(A, F3, BCAST); /* C speaks from behind port 1 */
    CHECK_EQ_INT(port_of(F3), 1);
    uint64_t s1 = sent(1), s2 = sent(2), s3 = sent(3);
    host_send(A, F3);
    CHECK_EQ_INT(sent(1), s1);
    CHECK_EQ_INT(sent(2), s2);
    CHECK_EQ_INT(sent(3), s3);
    CHECK_EQ_INT(br_stat("filtered_same_port"), 1);
    net_fini();
}

/* [L2-08] B's frames now come from port 3: the entry moves at once and the
 * next A -> B exits port 3 only. */
static void test_station_move(void)
{
    net_init(3, NULL);
    host_send(B, BCAST);
    host_send(A, F2);
    CHECK_EQ_INT(port_of(F2), 2);
    uint64_t s2 = sent(2), s3 = sent(3);
    host_send_raw(C, F2, F1); /* B, moved behind port 3, talks to A */
    CHECK_EQ_INT(port_of(F2), 3);
    CHECK_EQ_INT(br_stat("moved"), 1);
    CHECK_EQ_INT(br_stat("learned"), 2);
    host_send(A, F2);
    CHECK_EQ_INT(sent(2), s2);
    CHECK_EQ_INT(sent(3), s3 + 1);
    net_fini();
}

/* [L2-10] a full table learns nothing more (counted) and floods instead;
 * known stations keep being forwarded; space comes back with ageing. */
static void test_table_full(void)
{
    sn_bridge_config cfg = {.ageing = 10 * SN_NS_PER_S, .table_size = 4};
    net_init(3, &cfg);
    host_send(B, BCAST); /* B known */
    char src[32];
    for (int i = 0; i < 10; i++) {
        snprintf(src, sizeof src, "02:00:00:00:01:%02x", i);
        host_send_raw(A, src, BCAST);
    }
    CHECK_EQ_INT(br_stat("table_entries"), 4);
    CHECK_EQ_INT(br_stat("learned"), 4);
    CHECK_EQ_INT(br_stat("drop_table_full"), 7);
    /* B, learned before the flood, is still forwarded to */
    uint64_t s3 = sent(3);
    host_send(A, F2);
    CHECK_EQ_INT(sent(3), s3);
    CHECK_EQ_INT(port_of(F1), 0); /* A could not be learned */
    /* so frames to A are flooded, and still arrive */
    host_send(B, F1);
    CHECK_EQ_INT(sent(3), s3 + 1);
    CHECK_EQ_INT(N.h[A].got, 2); /* B's first broadcast, then this */
    /* once the flood sources age out, A is learned and B -> A is unicast */
    run_for(11 * SN_NS_PER_S);
    host_send(A, F2);
    CHECK_EQ_INT(port_of(F1), 1);
    host_send(B, F1);
    CHECK_EQ_INT(sent(3), s3 + 2); /* only the A -> F2 flood, B was aged too */
    net_fini();

    /* MAC flood: 100 000 random sources into the default 1024-entry table */
    net_init(3, NULL);
    uint64_t x = 1;
    for (int i = 0; i < 100000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint8_t m[6] = {(uint8_t)((x >> 56) & 0xfe), (uint8_t)(x >> 48), (uint8_t)(x >> 40),
                        (uint8_t)(x >> 32), (uint8_t)(x >> 24), (uint8_t)(x >> 16)};
        sn_pkt *p = sn_pkt_alloc_tx(N.pool);
        CHECK(p != NULL);
        if (!p)
            break;
        uint8_t *h = sn_pkt_put(p, 60);
        memset(h, 0, 60);
        static const uint8_t nobody[6] = {0x02, 0, 0, 0, 0x99, 0x99}; /* unknown unicast */
        memcpy(h, nobody, 6);
        memcpy(h + 6, m, 6);
        sn_netif_output_frame(N.h[A].nif, p, sn_sched_now(N.s));
        if (i % 64 == 63)
            run_for(SN_NS_PER_MS * 2);
    }
    run_for(SN_NS_PER_MS * 2);
    CHECK_EQ_INT(br_stat("table_entries"), 1024);
    CHECK_EQ_INT(br_stat("learned") + br_stat("drop_table_full"), 100000);
    CHECK_EQ_INT(br_stat("rx_frames"), 100000);
    net_fini();
}

/* a flood copy that finds no buffer is lost for that port only */
static void test_flood_nobufs(void)
{
    net_init(3, NULL);
    sn_bridge_destroy(N.br);
    sn_pktpool *tiny = sn_pktpool_create(1, 2048);
    N.br = sn_bridge_create(NULL, N.s, tiny);
    for (int i = 1; i <= 3; i++)
        CHECK_EQ_INT(sn_bridge_add_port(N.br, N.p[i].nif), i);
    sn_pkt *hold = sn_pkt_alloc_tx(tiny); /* the only buffer */
    host_send(A, BCAST);
    CHECK_EQ_INT(br_stat("drop_nobufs"), 1);
    CHECK_EQ_INT(sent(2) + sent(3), 1);
    sn_pkt_free(hold);
    host_send(A, BCAST);
    CHECK_EQ_INT(sent(2), 1);
    CHECK_EQ_INT(sent(3), 2);
    CHECK_EQ_INT(sn_pktpool_in_use(tiny), 0);
    net_fini();
    sn_pktpool_destroy(tiny);
}

/* S2 with a hub: every frame to every other port, nothing learned. */
static void test_hub(void)
{
    sn_bridge_config cfg = {.name = "HUB", .mode = SN_BRIDGE_HUB};
    net_init(3, &cfg);
    CHECK(sn_bridge_get_mode(N.br) == SN_BRIDGE_HUB);
    host_send(A, F2);
    host_send(B, F1);
    host_send(A, F2);
    CHECK_EQ_INT(sent(1), 1);
    CHECK_EQ_INT(sent(2), 2);
    CHECK_EQ_INT(sent(3), 3); /* C hears everything */
    CHECK_EQ_INT(N.h[B].got, 2);
    CHECK_EQ_INT(N.h[A].got, 1);
    CHECK_EQ_INT(N.h[C].got, 0);
    CHECK_EQ_INT(nif_stat(N.h[C].nif, "drop_not_for_us"), 3);
    CHECK_EQ_INT(sn_bridge_table(N.br, sn_sched_now(N.s), NULL, 0), 0);
    CHECK_EQ_INT(port_of(F1), 0);
    CHECK_EQ_INT(br_stat("flooded"), 3);
    CHECK_EQ_INT(br_stat("tx_frames"), 6);
    /* a hub repeats reserved groups too: it is a repeater, not a bridge */
    host_send(A, "01:80:c2:00:00:00");
    CHECK_EQ_INT(sent(2), 3);
    net_fini();
}

static void test_config_and_ports(void)
{
    sn_sched *s = sn_sched_create();
    sn_pktpool *pool = sn_pktpool_create(4, 2048);
    sn_bridge_config bad = {.ageing = 5 * SN_NS_PER_S};
    CHECK(sn_bridge_create(&bad, s, pool) == NULL);
    bad.ageing = 300 * SN_NS_PER_S + SN_NS_PER_MS; /* 1 s granularity */
    CHECK(sn_bridge_create(&bad, s, pool) == NULL);
    bad.ageing = 1000001 * SN_NS_PER_S;
    CHECK(sn_bridge_create(&bad, s, pool) == NULL);
    bad.ageing = 0;
    bad.mode = (sn_bridge_mode)7;
    CHECK(sn_bridge_create(&bad, s, pool) == NULL);
    CHECK(sn_bridge_create(NULL, NULL, pool) == NULL);
    sn_bridge_destroy(NULL);

    sn_bridge *b = sn_bridge_create(NULL, s, pool);
    CHECK(b != NULL);
    CHECK(!strcmp(sn_bridge_name(b), "bridge"));
    sn_netif_config c = {.name = "p1", .mac = {{0x02, 0, 0, 0, 0, 1}}, .mtu = 1500};
    wire_end dummy = {0};
    sn_netif *nif = sn_netif_create(&c, wire_send, &dummy, NULL);
    CHECK_EQ_INT(sn_bridge_add_port(b, nif), 1);
    CHECK_EQ_INT(sn_bridge_add_port(b, nif), SN_ERR_EXIST);
    CHECK_EQ_INT(sn_bridge_add_port(b, NULL), SN_ERR_INVAL);
    CHECK(sn_bridge_port_netif(b, 1) == nif);
    CHECK(sn_bridge_port_netif(b, 2) == NULL);
    CHECK_EQ_INT(sn_bridge_port_count(b), 1);

    /* a frame on a one-port bridge has nowhere to go: counted */
    sn_pkt *p = sn_pkt_alloc_tx(pool);
    sn_eth_hdr e = {.dst = sn_mac_broadcast, .src = mac(F1), .ethertype = ETHERTYPE_TEST};
    sn_eth_emit(sn_pkt_put(p, SN_ETH_HDR_LEN), &e);
    memset(sn_pkt_put(p, 46), 0, 46);
    sn_eth_fcs_put(sn_pkt_data(p), 60);
    sn_pkt_put(p, SN_ETH_FCS_LEN);
    sn_netif_input(nif, p, 0);
    sn_stat st[SN_STATS_MAX];
    size_t n = sn_bridge_stats(b, st, SN_STATS_MAX);
    CHECK_EQ_INT(sn_test_stat(st, n, "drop_no_port"), 1);
    CHECK_EQ_INT(sn_pktpool_in_use(pool), 0);

    /* destroy gives the netif back: promiscuous off again, no handler */
    sn_bridge_destroy(b);
    CHECK_EQ_INT(sn_sched_pending(s), 0); /* ageing timer cancelled */
    CHECK_EQ_INT(sn_netif_set_promisc(nif, 0), 0);

    /* sn_netif_output_frame refuses what is not a frame, counted */
    p = sn_pkt_alloc_tx(pool);
    sn_pkt_put(p, 10);
    CHECK_EQ_INT(sn_netif_output_frame(nif, p, 0), SN_ERR_INVAL);
    CHECK_EQ_INT(nif_stat(nif, "drop_tx_runt"), 1);
    p = sn_pkt_alloc_tx(pool);
    memset(sn_pkt_put(p, SN_ETH_HDR_LEN + 1501), 0, SN_ETH_HDR_LEN + 1501);
    CHECK_EQ_INT(sn_netif_output_frame(nif, p, 0), SN_ERR_RANGE);
    CHECK_EQ_INT(sn_pktpool_in_use(pool), 0);

    sn_netif_destroy(nif);
    sn_pktpool_destroy(pool);
    sn_sched_destroy(s);
}

int main(void)
{
    TEST_RUN(test_s3_flood_learn_forward);
    TEST_RUN(test_ageing);
    TEST_RUN(test_expiry_at_the_instant);
    TEST_RUN(test_flood_group_destinations);
    TEST_RUN(test_group_source_dropped);
    TEST_RUN(test_same_port_filtered);
    TEST_RUN(test_station_move);
    TEST_RUN(test_table_full);
    TEST_RUN(test_flood_nobufs);
    TEST_RUN(test_hub);
    TEST_RUN(test_config_and_ports);
    TEST_DONE();
}
