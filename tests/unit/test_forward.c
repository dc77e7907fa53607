/* net/ipv4 as a router (RFC 1812) over simulated wires (no PHY):
 * host A - router R - host B on two subnets. Forwarding with TTL - 1 and
 * the incremental checksum, MAC addresses changing per hop, Time Exceeded,
 * Net Unreachable, fragmentation or Frag Needed on a small-MTU link,
 * reassembly for local delivery (and its timeout), local fragmentation,
 * longest-prefix match on the S4 router-1 table, broadcasts kept home. */
#include "core/bytes.h"
#include "core/err.h"
#include "core/pkt.h"
#include "core/rng.h"
#include "core/sched.h"
#include "mac/frame.h"
#include "mac/netif.h"
#include "net/frag.h"
#include "net/icmp.h"
#include "net/inet_csum.h"
#include "net/ipv4.h"
#include "net/udp.h"
#include "net/udp_wire.h"
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

/* A UDP datagram 5000 -> dst:5000 sent with explicit IP options. */
static int send_udp(node *n, sn_ip4 dst, const uint8_t *data, size_t len,
                    const sn_ipv4_tx_opts *o)
{
    sn_pkt *p = sn_pkt_alloc_tx(n->pool);
    CHECK(p != NULL);
    uint8_t *b = sn_pkt_put(p, SN_UDP_HDR_LEN + len);
    CHECK(b != NULL);
    memcpy(b + SN_UDP_HDR_LEN, data, len);
    sn_ip4 src = sn_ipv4_source_for(n->ip, dst);
    sn_udp_hdr h = {.sport = 5000, .dport = 5000, .len = (uint16_t)(SN_UDP_HDR_LEN + len)};
    sn_udp_emit(b, &h, src, dst);
    return sn_ipv4_output_opts(n->ip, src, dst, SN_IPPROTO_UDP, p, NULL, o);
}

/* The IPv4 header of the last frame sent on a wire end (after Ethernet). */
static const uint8_t *last_ip(const wire_end *e) { return e->last + SN_ETH_HDR_LEN; }

static void test_forward_udp(void)
{
    setup(1500);
    sn_ip4 b = net_ip4("192.168.2.20"), a = net_ip4("192.168.1.10");
    CHECK_EQ_INT(sn_udp_sendto(A.sock, b, 5000, "through", 7), SN_OK);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(B.got, 1);
    CHECK_EQ_INT(B.last_len, 7);
    CHECK(memcmp(B.last, "through", 7) == 0);
    CHECK_EQ_INT(B.last_src, a);
    CHECK_EQ_INT(net_ip_stat(&R, "forwarded"), 1);
    /* hop 1: A's MAC -> R's first interface, TTL 64 */
    const uint8_t *f = A.end[0].last;
    CHECK_MEM(f, sn_netif_mac(R.nif[0])->b, 6);
    CHECK_MEM(f + 6, sn_netif_mac(A.nif[0])->b, 6);
    CHECK_EQ_INT(last_ip(&A.end[0])[8], 64);
    /* hop 2: R's second interface -> B's MAC, TTL 63; addresses unchanged */
    f = R.end[1].last;
    CHECK_MEM(f, sn_netif_mac(B.nif[0])->b, 6);
    CHECK_MEM(f + 6, sn_netif_mac(R.nif[1])->b, 6);
    const uint8_t *h = last_ip(&R.end[1]);
    CHECK_EQ_INT(h[8], 63);
    CHECK_EQ_INT(sn_get_be32(h + 12), a);
    CHECK_EQ_INT(sn_get_be32(h + 16), b);
    /* the incrementally updated checksum equals a full recomputation */
    uint8_t hdr[20];
    memcpy(hdr, h, 20);
    uint16_t got = sn_get_be16(hdr + 10);
    hdr[10] = hdr[11] = 0;
    CHECK_EQ_INT(got, sn_csum_finish(sn_csum_add(0, hdr, 20)));
    /* and B answers back through R too */
    CHECK_EQ_INT(sn_udp_sendto(B.sock, a, 5000, "back", 4), SN_OK);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(A.got, 1);
    CHECK_EQ_INT(net_ip_stat(&R, "forwarded"), 2);
    /* a host (forwarding off) does not forward: counted */
    CHECK_EQ_INT(net_ip_stat(&A, "forwarded"), 0);
    teardown();
}

/* RFC 1624 eqn 3 as used by the router, against a full recomputation, for
 * random headers and every TTL. */
static void test_incremental_checksum_property(void)
{
    sn_rng rng;
    sn_rng_seed(&rng, 99);
    for (int i = 0; i < 100000; i++) {
        uint8_t h[20];
        for (int k = 0; k < 20; k++)
            h[k] = (uint8_t)sn_rng_below(&rng, 256);
        h[0] = 0x45;
        if (h[8] == 0)
            h[8] = 1;
        h[10] = h[11] = 0;
        sn_put_be16(h + 10, sn_csum_finish(sn_csum_add(0, h, 20)));
        uint16_t old = sn_get_be16(h + 8);
        h[8]--;
        uint16_t inc = sn_csum_update16(sn_get_be16(h + 10), old, sn_get_be16(h + 8));
        h[10] = h[11] = 0;
        uint16_t full = sn_csum_finish(sn_csum_add(0, h, 20));
        if (inc != full) {
            CHECK_EQ_INT(inc, full);
            break;
        }
    }
}

static void test_ttl_exceeded_and_no_route(void)
{
    setup(1500);
    sn_ip4 b = net_ip4("192.168.2.20");
    /* TTL 1 reaches R but would leave with 0: Time Exceeded from R's
     * address on A's side (RFC 1812 4.3.2.4) */
    sn_ipv4_tx_opts o = {.ttl = 1};
    CHECK_EQ_INT(send_udp(&A, b, (const uint8_t *)"x", 1, &o), SN_OK);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(B.got, 0);
    CHECK_EQ_INT(net_ip_stat(&R, "drop_ttl_exceeded"), 1);
    sn_udp_error e;
    CHECK_EQ_INT(sn_udp_sock_error(A.sock, &e), 1);
    CHECK_EQ_INT(e.type, SN_ICMP_TIME_EXCEEDED);
    CHECK_EQ_INT(e.code, SN_ICMP_TTL_EXCEEDED);
    CHECK_EQ_INT(e.from, net_ip4("192.168.1.1"));
    CHECK_EQ_INT(e.dst, b);
    /* TTL 2 gets through with 1 left; local delivery ignores TTL */
    o.ttl = 2;
    CHECK_EQ_INT(send_udp(&A, b, (const uint8_t *)"y", 1, &o), SN_OK);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(B.got, 1);
    CHECK_EQ_INT(last_ip(&R.end[1])[8], 1);
    /* TTL 1 to the router itself is delivered (IP-03) */
    o.ttl = 1;
    CHECK_EQ_INT(send_udp(&A, net_ip4("192.168.1.1"), (const uint8_t *)"z", 1, &o), SN_OK);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(R.got, 1);
    /* no route on R: Net Unreachable */
    CHECK_EQ_INT(sn_udp_sendto(A.sock, net_ip4("172.16.0.1"), 5000, "n", 1), SN_OK);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(net_ip_stat(&R, "drop_no_route"), 1);
    CHECK_EQ_INT(sn_udp_sock_error(A.sock, &e), 1);
    CHECK_EQ_INT(e.type, SN_ICMP_DEST_UNREACH);
    CHECK_EQ_INT(e.code, SN_ICMP_NET_UNREACH);
    CHECK_EQ_INT(e.from, net_ip4("192.168.1.1"));
    /* a host without a route refuses locally */
    CHECK_EQ_INT(sn_udp_sendto(B.sock, net_ip4("172.16.0.1"), 5000, "n", 1), SN_OK);
    sn_ipv4_set_default_gw(B.ip, 0);
    CHECK_EQ_INT(sn_udp_sendto(B.sock, net_ip4("172.16.0.1"), 5000, "n", 1), SN_ERR_NOENT);
    CHECK_EQ_INT(net_ip_stat(&B, "drop_no_route"), 1);
    run_for(SN_NS_PER_S);
    teardown();
}

/* A next hop that never answers ARP: after ARP gives up (3 requests, one
 * per second) the sender hears Host Unreachable, from the router for a
 * forwarded packet and from its own stack for a local one. */
static void test_host_unreachable(void)
{
    setup(1500);
    sn_udp_error e;
    CHECK_EQ_INT(sn_udp_sendto(A.sock, net_ip4("192.168.2.99"), 5000, "g", 1), SN_OK);
    run_for(5 * SN_NS_PER_S);
    CHECK_EQ_INT(net_ip_stat(&R, "drop_host_unreachable"), 1);
    CHECK_EQ_INT(sn_udp_sock_error(A.sock, &e), 1);
    CHECK_EQ_INT(e.type, SN_ICMP_DEST_UNREACH);
    CHECK_EQ_INT(e.code, SN_ICMP_HOST_UNREACH);
    CHECK_EQ_INT(e.from, net_ip4("192.168.1.1"));
    CHECK_EQ_INT(e.dst, net_ip4("192.168.2.99"));
    /* on A's own network: A's stack tells A's socket */
    CHECK_EQ_INT(sn_udp_sendto(A.sock, net_ip4("192.168.1.99"), 5000, "h", 1), SN_OK);
    run_for(5 * SN_NS_PER_S);
    CHECK_EQ_INT(net_ip_stat(&A, "drop_host_unreachable"), 1);
    CHECK_EQ_INT(sn_udp_sock_error(A.sock, &e), 1);
    CHECK_EQ_INT(e.code, SN_ICMP_HOST_UNREACH);
    CHECK_EQ_INT(e.dst, net_ip4("192.168.1.99"));
    teardown();
}

static uint64_t arp_unresolved(const node *n)
{
    uint64_t sum = 0;
    sn_stat s[SN_STATS_MAX];
    for (size_t i = 0; i < sn_ipv4_iface_count(n->ip); i++)
        sum += sn_test_stat(s, sn_arp_stats(sn_ipv4_iface_arp(n->ip, i), s, SN_STATS_MAX),
                            "drop_unresolved");
    return sum;
}

/* The Host Unreachable for a packet whose source is the very neighbour that
 * never answered goes back into ARP for that neighbour while ARP is giving
 * up on it: it must start a fresh resolution, and every packet dropped is
 * counted once by ARP and once by IP. Martian destinations are never
 * forwarded. */
static void test_unreachable_reentry_and_martians(void)
{
    setup(1500);
    sn_ip4 ghost = net_ip4("192.168.2.99");
    sn_pkt *p = sn_pkt_alloc_tx(A.pool);
    memcpy(sn_pkt_put(p, 12), "\x13\x88\x13\x88\x00\x0c\x00\x00spf!", 12); /* UDP, no csum */
    CHECK_EQ_INT(sn_ipv4_output(A.ip, ghost, ghost, SN_IPPROTO_UDP, p, NULL), SN_OK);
    run_for(10 * SN_NS_PER_S);
    CHECK(arp_unresolved(&R) >= 1);
    CHECK_EQ_INT(net_ip_stat(&R, "drop_host_unreachable"), arp_unresolved(&R));
    /* 127/8 and 0/8 destinations stay put */
    uint64_t fwd = net_ip_stat(&R, "forwarded"), mart = net_ip_stat(&R, "drop_fwd_broadcast");
    CHECK_EQ_INT(sn_udp_sendto(A.sock, net_ip4("127.0.0.1"), 5000, "l", 1), SN_OK);
    CHECK_EQ_INT(sn_udp_sendto(A.sock, net_ip4("0.1.2.3"), 5000, "z", 1), SN_OK);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(net_ip_stat(&R, "forwarded"), fwd);
    CHECK_EQ_INT(net_ip_stat(&R, "drop_fwd_broadcast"), mart + 2);
    teardown();
}

static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 7 + 3);
}

static void test_small_mtu_fragment_or_frag_needed(void)
{
    setup(576);
    sn_ip4 b = net_ip4("192.168.2.20");
    static uint8_t data[1400];
    fill(data, sizeof data);
    /* resolve every hop first: ARP queues few packets per address */
    CHECK_EQ_INT(sn_udp_sendto(A.sock, b, 5000, "p", 1), SN_OK);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(B.got, 1);
    /* DF clear: R fragments, B reassembles */
    CHECK_EQ_INT(sn_udp_sendto(A.sock, b, 5000, data, sizeof data), SN_OK);
    uint64_t frames_before = R.end[1].sent;
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(B.got, 2);
    CHECK_EQ_INT(B.last_len, sizeof data);
    CHECK(memcmp(B.last, data, sizeof data) == 0);
    CHECK_EQ_INT(R.end[1].sent - frames_before, 3); /* 1428 bytes in 552-byte pieces */
    CHECK(R.end[1].max_len <= 576 + SN_ETH_HDR_LEN + SN_ETH_FCS_LEN);
    CHECK_EQ_INT(net_ip_stat(&R, "fragments_created"), 3);
    CHECK_EQ_INT(net_ip_stat(&B, "rx_fragments"), 3);
    CHECK_EQ_INT(net_ip_stat(&B, "rx_reassembled"), 1);
    CHECK_EQ_INT(net_ip_stat(&B, "drop_reass"), 0);
    /* DF set: Frag Needed with the next-hop MTU, from R's A-side address */
    sn_ipv4_tx_opts o = {.df = 1};
    CHECK_EQ_INT(send_udp(&A, b, data, sizeof data, &o), SN_OK);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(B.got, 2);
    CHECK_EQ_INT(net_ip_stat(&R, "drop_frag_needed"), 1);
    sn_udp_error e;
    CHECK_EQ_INT(sn_udp_sock_error(A.sock, &e), 1);
    CHECK_EQ_INT(e.type, SN_ICMP_DEST_UNREACH);
    CHECK_EQ_INT(e.code, SN_ICMP_FRAG_NEEDED);
    CHECK_EQ_INT(e.extra, 576);
    CHECK_EQ_INT(e.from, net_ip4("192.168.1.1"));
    /* local output on B's 576 link: refused when fragmentation is off and
     * with DF... */
    sn_ipv4_set_local_fragmentation(B.ip, 0);
    CHECK_EQ_INT(sn_udp_sendto(B.sock, net_ip4("192.168.1.10"), 5000, data, sizeof data),
                 SN_ERR_RANGE);
    CHECK_EQ_INT(send_udp(&B, net_ip4("192.168.1.10"), data, sizeof data, &o), SN_ERR_RANGE);
    CHECK_EQ_INT(net_ip_stat(&B, "drop_tx_too_big"), 2);
    /* ...fragmented when allowed (the default); A reassembles (R forwards
     * 3 fragments) */
    sn_ipv4_set_local_fragmentation(B.ip, 1);
    CHECK_EQ_INT(sn_udp_sendto(B.sock, net_ip4("192.168.1.10"), 5000, data, sizeof data), SN_OK);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(A.got, 1);
    CHECK_EQ_INT(A.last_len, sizeof data);
    CHECK(memcmp(A.last, data, sizeof data) == 0);
    CHECK_EQ_INT(net_ip_stat(&B, "fragments_created"), 3);
    CHECK_EQ_INT(net_ip_stat(&A, "rx_reassembled"), 1);
    teardown();
}

/* A first fragment alone: after the 60 s reassembly timeout the sender
 * gets Time Exceeded code 1 (RFC 1122 3.3.2). */
static void test_reassembly_timeout(void)
{
    setup(1500);
    sn_ip4 b = net_ip4("192.168.2.20");
    CHECK_EQ_INT(sn_udp_sendto(A.sock, b, 5000, "p", 1), SN_OK); /* resolve */
    run_for(SN_NS_PER_S);
    static uint8_t data[1400];
    fill(data, sizeof data);
    sn_pkt *p = sn_pkt_alloc_tx(A.pool);
    uint8_t *u = sn_pkt_put(p, SN_UDP_HDR_LEN + sizeof data);
    memcpy(u + SN_UDP_HDR_LEN, data, sizeof data);
    sn_udp_hdr uh = {.sport = 5000, .dport = 5000, .len = (uint16_t)(8 + sizeof data)};
    sn_ip4 a = net_ip4("192.168.1.10");
    sn_udp_emit(u, &uh, a, b);
    uint8_t *ih = sn_pkt_push(p, 20);
    sn_ipv4_hdr h = {.total_len = (uint16_t)sn_pkt_len(p), .id = 77, .ttl = 64,
                     .proto = SN_IPPROTO_UDP, .src = a, .dst = b};
    sn_ipv4_emit(ih, &h);
    sn_pktq q;
    sn_pktq_init(&q, 16);
    CHECK_EQ_INT(sn_ipv4_fragment(A.pool, p, 576, &q), 3);
    sn_pkt_free(p);
    sn_pkt *first = sn_pktq_pop(&q);
    sn_pktq_clear(&q);
    /* the first fragment, straight onto A's wire through its netif */
    CHECK_EQ_INT(sn_netif_output(A.nif[0], sn_netif_mac(R.nif[0]), SN_ETHERTYPE_IPV4, first,
                                 sn_sched_now(sched)),
                 SN_OK);
    run_for(59 * SN_NS_PER_S);
    CHECK_EQ_INT(net_ip_stat(&B, "rx_fragments"), 1);
    CHECK_EQ_INT(net_ip_stat(&B, "drop_reass_timeout"), 0);
    run_for(2 * SN_NS_PER_S);
    CHECK_EQ_INT(net_ip_stat(&B, "drop_reass_timeout"), 1);
    CHECK_EQ_INT(B.got, 1);
    sn_udp_error e;
    CHECK_EQ_INT(sn_udp_sock_error(A.sock, &e), 1);
    CHECK_EQ_INT(e.type, SN_ICMP_TIME_EXCEEDED);
    CHECK_EQ_INT(e.code, SN_ICMP_REASM_EXCEEDED);
    CHECK_EQ_INT(e.from, b);
    teardown();
}

static void test_broadcasts_not_forwarded(void)
{
    setup(1500);
    uint64_t far = R.end[1].sent;
    /* limited broadcast, R's A-side directed broadcast (local to R), the
     * far side's directed broadcast, and multicast */
    CHECK_EQ_INT(sn_udp_sendto(A.sock, 0xFFFFFFFFu, 5000, "b", 1), SN_OK);
    CHECK_EQ_INT(sn_udp_sendto(A.sock, net_ip4("192.168.1.255"), 5000, "b", 1), SN_OK);
    CHECK_EQ_INT(sn_udp_sendto(A.sock, net_ip4("192.168.2.255"), 5000, "b", 1), SN_OK);
    CHECK_EQ_INT(sn_udp_sendto(A.sock, net_ip4("224.0.0.9"), 5000, "b", 1), SN_OK);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(R.got, 2); /* the two broadcasts of its own network */
    CHECK_EQ_INT(B.got, 0);
    CHECK_EQ_INT(R.end[1].sent, far); /* nothing crossed */
    CHECK_EQ_INT(net_ip_stat(&R, "forwarded"), 0);
    CHECK_EQ_INT(net_ip_stat(&R, "drop_fwd_broadcast"), 2);
    /* a unicast datagram for B inside a link-layer broadcast */
    sn_pkt *p = sn_pkt_alloc_tx(A.pool);
    uint8_t *u = sn_pkt_put(p, SN_UDP_HDR_LEN + 1);
    sn_udp_hdr uh = {.sport = 5000, .dport = 5000, .len = 9};
    sn_ip4 a = net_ip4("192.168.1.10"), b = net_ip4("192.168.2.20");
    u[8] = 'x';
    sn_udp_emit(u, &uh, a, b);
    uint8_t *ih = sn_pkt_push(p, 20);
    sn_ipv4_hdr h = {.total_len = 29, .id = 5, .ttl = 64, .proto = SN_IPPROTO_UDP,
                     .src = a, .dst = b};
    sn_ipv4_emit(ih, &h);
    sn_netif_output(A.nif[0], &sn_mac_broadcast, SN_ETHERTYPE_IPV4, p, sn_sched_now(sched));
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(net_ip_stat(&R, "drop_link_broadcast"), 1);
    CHECK_EQ_INT(R.end[1].sent, far);
    CHECK_EQ_INT(B.got, 0);
    teardown();
}

/* S4's router R1: 192.168.2.0/24 via R2 (10.255.12.2), 10.0.0.0/16 via the
 * central router (10.255.1.254). Its two far links lead nowhere: the ARP
 * request R1 sends shows which next hop it chose. */
static void test_lpm_s4_router1(void)
{
    sched = sn_sched_create();
    net_node_init(&A, sched, BIG);
    net_node_init(&R, sched, BIG);
    net_node_if(&A, 0x0a, "192.168.1.10/24", 1500);
    net_node_if(&R, 0x01, "192.168.1.1/24", 1500);
    net_node_if(&R, 0x01, "10.255.12.1/24", 1500);
    net_node_if(&R, 0x01, "10.255.1.1/24", 1500);
    net_link(&A, 0, &R, 0);
    sn_ipv4_set_forwarding(R.ip, 1);
    CHECK_EQ_INT(sn_ipv4_set_default_gw(A.ip, net_ip4("192.168.1.1")), SN_OK);
    CHECK_EQ_INT(sn_ipv4_add_route(R.ip, net_ip4("192.168.2.0"), 24, net_ip4("10.255.12.2")),
                 SN_OK);
    CHECK_EQ_INT(sn_ipv4_add_route(R.ip, net_ip4("10.0.0.0"), 16, net_ip4("10.255.1.254")), SN_OK);
    /* refused: next hop on no connected network, host bits, duplicate */
    CHECK_EQ_INT(sn_ipv4_add_route(R.ip, net_ip4("172.16.0.0"), 12, net_ip4("10.9.9.9")),
                 SN_ERR_NOENT);
    CHECK_EQ_INT(sn_ipv4_set_default_gw(R.ip, net_ip4("10.9.9.9")), SN_ERR_NOENT);
    CHECK_EQ_INT(sn_ipv4_add_route(R.ip, net_ip4("10.0.0.1"), 16, net_ip4("10.255.1.254")),
                 SN_ERR_INVAL);
    CHECK_EQ_INT(sn_ipv4_add_route(R.ip, net_ip4("10.0.0.0"), 16, net_ip4("10.255.1.254")),
                 SN_ERR_EXIST);
    sn_route rt[8];
    CHECK_EQ_INT(sn_ipv4_routes(R.ip, rt, 8), 5); /* 3 connected + 2 static */
    CHECK_EQ_INT(rt[0].prefix, net_ip4("10.0.0.0"));
    CHECK_EQ_INT(rt[0].next_hop, net_ip4("10.255.1.254"));
    CHECK_EQ_INT(rt[0].ifindex, 2);
    CHECK_EQ_INT(sn_ipv4_routes(A.ip, rt, 8), 2); /* connected + default */
    CHECK_EQ_INT(rt[0].prefix_len, 0);
    struct {
        const char *dst;
        size_t out_if;
        const char *next_hop;
    } cases[] = {
        {"192.168.2.10", 1, "10.255.12.2"},
        {"10.0.1.10", 2, "10.255.1.254"},
        {"10.255.12.7", 1, "10.255.12.7"}, /* connected: on-link */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t sent = R.end[cases[i].out_if].sent;
        CHECK_EQ_INT(sn_udp_sendto(A.sock, net_ip4(cases[i].dst), 5000, "q", 1), SN_OK);
        run_for(100 * SN_NS_PER_MS);
        CHECK_EQ_INT(R.end[cases[i].out_if].sent, sent + 1);
        const uint8_t *f = R.end[cases[i].out_if].last;
        CHECK_EQ_INT(sn_get_be16(f + 12), SN_ETHERTYPE_ARP);
        CHECK_EQ_INT(sn_get_be32(f + SN_ETH_HDR_LEN + 24), net_ip4(cases[i].next_hop));
    }
    CHECK_EQ_INT(net_ip_stat(&R, "forwarded"), 3);
    /* 172.16.0.1 matches nothing on R1 (no default route there) */
    CHECK_EQ_INT(sn_udp_sendto(A.sock, net_ip4("172.16.0.1"), 5000, "q", 1), SN_OK);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(net_ip_stat(&R, "drop_no_route"), 1);
    sn_udp_error e;
    CHECK_EQ_INT(sn_udp_sock_error(A.sock, &e), 1);
    CHECK_EQ_INT(e.code, SN_ICMP_NET_UNREACH);
    run_for(20 * SN_NS_PER_S); /* let ARP give up on the silent next hops */
    net_node_fini(&A);
    net_node_fini(&R);
    sn_sched_destroy(sched);
}

int main(void)
{
    TEST_RUN(test_forward_udp);
    TEST_RUN(test_incremental_checksum_property);
    TEST_RUN(test_ttl_exceeded_and_no_route);
    TEST_RUN(test_host_unreachable);
    TEST_RUN(test_unreachable_reentry_and_martians);
    TEST_RUN(test_small_mtu_fragment_or_frag_needed);
    TEST_RUN(test_reassembly_timeout);
    TEST_RUN(test_broadcasts_not_forwarded);
    TEST_RUN(test_lpm_s4_router1);
    TEST_DONE();
}
