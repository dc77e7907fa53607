/* mac/netif + net/arp + net/ipv4 + net/udp over a simulated wire (no PHY):
 * resolution, delivery, padding trim, filtering and every counted drop. */
#include "core/err.h"
#include "core/pkt.h"
#include "core/sched.h"
#include "mac/frame.h"
#include "mac/netif.h"
#include "net/arp.h"
#include "net/arp_wire.h"
#include "net/ipv4.h"
#include "net/udp.h"
#include "net/udp_wire.h"
#include "sn_test.h"

#include "sn_wire.h"

typedef struct host {
    wire_end end;
    sn_pktpool *pool;
    sn_netif *nif;
    sn_ipv4 *ip;
    sn_udp *udp;
    int got;
    uint8_t last[64];
    size_t last_len;
    sn_ip4 last_src;
    uint16_t last_sport;
} host;

static void on_udp(void *user, sn_udp_sock *s, sn_ip4 src, uint16_t sport, sn_ip4 dst,
                   const uint8_t *data, size_t len, const sn_pkt_meta *meta)
{
    host *h = user;
    h->got++;
    h->last_len = len < sizeof h->last ? len : sizeof h->last;
    memcpy(h->last, data, h->last_len);
    h->last_src = src;
    h->last_sport = sport;
}

static uint64_t nif_stat(const host *h, const char *name)
{
    sn_stat s[SN_STATS_MAX];
    return sn_test_stat(s, sn_netif_stats(h->nif, s, SN_STATS_MAX), name);
}
static uint64_t ip_stat(const host *h, const char *name)
{
    sn_stat s[SN_STATS_MAX];
    return sn_test_stat(s, sn_ipv4_stats(h->ip, s, SN_STATS_MAX), name);
}
static uint64_t udp_stat(const host *h, const char *name)
{
    sn_stat s[SN_STATS_MAX];
    return sn_test_stat(s, sn_udp_stats(h->udp, s, SN_STATS_MAX), name);
}
static uint64_t arp_stat(const host *h, const char *name)
{
    sn_stat s[SN_STATS_MAX];
    return sn_test_stat(s, sn_arp_stats(sn_ipv4_iface_arp(h->ip, 0), s, SN_STATS_MAX), name);
}

static void host_init(host *h, sn_sched *s, const char *mac, const char *ip)
{
    memset(h, 0, sizeof *h);
    h->end.s = s;
    h->end.min_len = SIZE_MAX;
    sn_pktq_init(&h->end.inflight, 64);
    h->pool = sn_pktpool_create(64, 2048);
    sn_netif_config c = {.name = "eth0", .mtu = 1500};
    sn_mac_parse(mac, &c.mac);
    h->nif = sn_netif_create(&c, wire_send, &h->end, NULL);
    h->end.nif = h->nif;
    h->ip = sn_ipv4_create(s, h->pool);
    sn_ip4 a;
    sn_ip4_parse(ip, &a);
    CHECK(sn_ipv4_add_iface(h->ip, h->nif, a, 24, NULL) == 0);
    h->udp = sn_udp_create(h->ip, h->pool, NULL, 7);
}

static void host_fini(host *h)
{
    sn_udp_destroy(h->udp);
    sn_ipv4_destroy(h->ip);
    sn_netif_destroy(h->nif);
    sn_pktq_clear(&h->end.inflight);
    CHECK_EQ_INT(sn_pktpool_in_use(h->pool), 0); /* nothing leaked */
    sn_pktpool_destroy(h->pool);
}

static sn_sched *sched;
static host A, B;

static void setup(void)
{
    sched = sn_sched_create();
    host_init(&A, sched, "aa:bb:cc:dd:ee:f1", "192.168.1.10");
    host_init(&B, sched, "aa:bb:cc:dd:ee:f2", "192.168.1.20");
    A.end.peer = &B.end;
    B.end.peer = &A.end;
}

static void teardown(void)
{
    host_fini(&A);
    host_fini(&B);
    sn_sched_destroy(sched);
}

static void test_hello_over_wire(void)
{
    setup();
    sn_udp_sock *rx = sn_udp_open(B.udp, 5000, on_udp, &B, "hello", NULL);
    sn_udp_sock *tx = sn_udp_open(A.udp, 5000, on_udp, &A, "hello", NULL);
    CHECK(rx && tx);
    sn_ip4 b;
    sn_ip4_parse("192.168.1.20", &b);
    CHECK(sn_udp_sendto(tx, b, 5000, "Hello", 5) == SN_OK);
    sn_sched_run(sched, SN_NS_PER_S, 0);
    CHECK_EQ_INT(B.got, 1);
    CHECK_EQ_INT(B.last_len, 5);
    CHECK(memcmp(B.last, "Hello", 5) == 0);
    CHECK_EQ_INT(B.last_sport, 5000);
    /* one request, one reply, then the datagram */
    CHECK_EQ_INT(arp_stat(&A, "tx_requests"), 1);
    CHECK_EQ_INT(arp_stat(&B, "tx_replies"), 1);
    CHECK_EQ_INT(arp_stat(&A, "resolved"), 1);
    CHECK_EQ_INT(A.end.sent, 2);
    /* short frames are padded to 60 bytes + FCS, and the padding never
     * reaches the application */
    CHECK_EQ_INT(A.end.min_len, SN_ETH_MIN_LEN + SN_ETH_FCS_LEN);
    CHECK_EQ_INT(B.end.min_len, SN_ETH_MIN_LEN + SN_ETH_FCS_LEN);
    CHECK_EQ_INT(udp_stat(&B, "rx_datagrams"), 1);
    /* B learned A from the request addressed to it (RFC 826 merge rule) */
    sn_mac_addr m;
    sn_ip4 a;
    sn_ip4_parse("192.168.1.10", &a);
    CHECK(sn_arp_lookup(sn_ipv4_iface_arp(B.ip, 0), a, &m) == SN_OK);
    /* a second datagram needs no ARP */
    CHECK(sn_udp_sendto(tx, b, 5000, "again", 5) == SN_OK);
    sn_sched_run(sched, 2 * SN_NS_PER_S, 0);
    CHECK_EQ_INT(B.got, 2);
    CHECK_EQ_INT(arp_stat(&A, "tx_requests"), 1);
    /* closed port: counted */
    CHECK(sn_udp_sendto(tx, b, 5001, "x", 1) == SN_OK);
    sn_sched_run(sched, 3 * SN_NS_PER_S, 0);
    CHECK_EQ_INT(udp_stat(&B, "drop_no_socket"), 1);
    teardown();
}

static void test_arp_retry_rate_and_expiry(void)
{
    setup();
    sn_udp_sock *tx = sn_udp_open(A.udp, 0, on_udp, &A, "t", NULL);
    CHECK(sn_udp_sock_port(tx) >= 49152);
    sn_ip4 ghost;
    sn_ip4_parse("192.168.1.99", &ghost); /* nobody answers */
    for (int i = 0; i < 58; i++)
        sn_udp_sendto(tx, ghost, 9, "x", 1);
    /* 48 packets wait (the default queue), ten are dropped; one request so far */
    CHECK_EQ_INT(arp_stat(&A, "drop_queue_full"), 10);
    CHECK_EQ_INT(arp_stat(&A, "tx_requests"), 1);
    sn_sched_run(sched, SN_NS_PER_S - 1, 0);
    CHECK_EQ_INT(arp_stat(&A, "tx_requests"), 1); /* <= 1 per second */
    sn_sched_run(sched, SN_NS_PER_S, 0);
    CHECK_EQ_INT(arp_stat(&A, "tx_requests"), 2);
    sn_sched_run(sched, 10 * SN_NS_PER_S, 0);
    CHECK_EQ_INT(arp_stat(&A, "tx_requests"), 3);  /* max_requests */
    CHECK_EQ_INT(arp_stat(&A, "drop_unresolved"), 48);
    /* a resolved entry expires after its lifetime (60 s) */
    sn_ip4 b;
    sn_ip4_parse("192.168.1.20", &b);
    sn_udp_sendto(tx, b, 9, "x", 1);
    sn_sched_run(sched, 11 * SN_NS_PER_S, 0);
    sn_mac_addr m;
    CHECK(sn_arp_lookup(sn_ipv4_iface_arp(A.ip, 0), b, &m) == SN_OK);
    sn_sched_run(sched, 72 * SN_NS_PER_S, 0);
    CHECK(sn_arp_lookup(sn_ipv4_iface_arp(A.ip, 0), b, &m) == SN_ERR_NOENT);
    CHECK_EQ_INT(arp_stat(&A, "expired"), 1);
    teardown();
}

/* Build a frame from A to `dst` with `payload` and inject it into B. */
static void inject(const char *dst, uint16_t type, const uint8_t *payload, size_t len,
                   int corrupt_fcs)
{
    sn_pkt *p = sn_pkt_alloc(B.pool, 0);
    uint8_t *f = sn_pkt_put(p, SN_ETH_HDR_LEN + len + SN_ETH_FCS_LEN);
    sn_eth_hdr h = {.ethertype = type};
    sn_mac_parse(dst, &h.dst);
    sn_mac_parse("aa:bb:cc:dd:ee:f1", &h.src);
    sn_eth_emit(f, &h);
    memcpy(f + SN_ETH_HDR_LEN, payload, len);
    sn_eth_fcs_put(f, SN_ETH_HDR_LEN + len);
    if (corrupt_fcs)
        f[SN_ETH_HDR_LEN] ^= 1;
    sn_netif_input(B.nif, p, sn_sched_now(sched));
}

static size_t make_udp(uint8_t *buf, const char *dst_ip, uint16_t dport, const char *text,
                       size_t pad)
{
    sn_ip4 s, d;
    sn_ip4_parse("192.168.1.10", &s);
    sn_ip4_parse(dst_ip, &d);
    size_t n = strlen(text);
    memcpy(buf + 28, text, n);
    sn_udp_hdr u = {.sport = 5000, .dport = dport, .len = (uint16_t)(8 + n)};
    sn_udp_emit(buf + 20, &u, s, d);
    sn_ipv4_hdr ih = {.hdr_len = 20, .total_len = (uint16_t)(28 + n), .id = 1, .ttl = 64,
                      .proto = SN_IPPROTO_UDP, .src = s, .dst = d};
    sn_ipv4_emit(buf, &ih);
    memset(buf + 28 + n, 0, pad); /* link padding */
    return 28 + n + pad;
}

static void test_filtering_and_drops(void)
{
    setup();
    sn_udp_open(B.udp, 5000, on_udp, &B, "hello", NULL);
    uint8_t buf[128];
    /* padded frame: the payload is exactly the datagram, not the padding */
    size_t n = make_udp(buf, "192.168.1.20", 5000, "Hi", 14);
    inject("aa:bb:cc:dd:ee:f2", SN_ETHERTYPE_IPV4, buf, n, 0);
    CHECK_EQ_INT(B.got, 1);
    CHECK_EQ_INT(B.last_len, 2);
    /* unicast for another station: dropped by the MAC, never reaches IP */
    inject("aa:bb:cc:dd:ee:f3", SN_ETHERTYPE_IPV4, buf, n, 0);
    CHECK_EQ_INT(nif_stat(&B, "drop_not_for_us"), 1);
    CHECK_EQ_INT(B.got, 1);
    /* bad FCS */
    inject("aa:bb:cc:dd:ee:f2", SN_ETHERTYPE_IPV4, buf, n, 1);
    CHECK_EQ_INT(nif_stat(&B, "drop_bad_fcs"), 1);
    /* runts of every length below header + FCS */
    for (size_t len = 0; len < SN_ETH_HDR_LEN + SN_ETH_FCS_LEN; len++) {
        sn_pkt *p = sn_pkt_alloc(B.pool, 0);
        memset(sn_pkt_put(p, len), 0xAB, len);
        sn_netif_input(B.nif, p, 0);
    }
    CHECK_EQ_INT(nif_stat(&B, "drop_runt"), SN_ETH_HDR_LEN + SN_ETH_FCS_LEN);
    /* IP for another host, bad IP checksum, bad version */
    n = make_udp(buf, "192.168.1.77", 5000, "Hi", 0);
    inject("aa:bb:cc:dd:ee:f2", SN_ETHERTYPE_IPV4, buf, n, 0);
    CHECK_EQ_INT(ip_stat(&B, "drop_not_for_us"), 1);
    n = make_udp(buf, "192.168.1.20", 5000, "Hi", 0);
    buf[10] ^= 0xff;
    inject("aa:bb:cc:dd:ee:f2", SN_ETHERTYPE_IPV4, buf, n, 0);
    CHECK_EQ_INT(ip_stat(&B, "drop_bad_csum"), 1);
    n = make_udp(buf, "192.168.1.20", 5000, "Hi", 0);
    buf[0] = 0x65;
    inject("aa:bb:cc:dd:ee:f2", SN_ETHERTYPE_IPV4, buf, n, 0);
    CHECK_EQ_INT(ip_stat(&B, "drop_bad_version"), 1);
    /* bad UDP checksum */
    n = make_udp(buf, "192.168.1.20", 5000, "Hi", 0);
    buf[28] ^= 0x01;
    inject("aa:bb:cc:dd:ee:f2", SN_ETHERTYPE_IPV4, buf, n, 0);
    CHECK_EQ_INT(udp_stat(&B, "drop_bad_csum"), 1);
    /* unknown ethertype, malformed ARP */
    inject("aa:bb:cc:dd:ee:f2", 0x88b5, buf, 20, 0);
    CHECK_EQ_INT(ip_stat(&B, "drop_unknown_ethertype"), 1);
    inject("ff:ff:ff:ff:ff:ff", SN_ETHERTYPE_ARP, buf, 10, 0);
    CHECK_EQ_INT(arp_stat(&B, "drop_malformed"), 1);
    CHECK_EQ_INT(B.got, 1);
    teardown();
}

/* A buffer with just enough room for the header and payload but not for
 * padding plus FCS is refused before anything is written past its end. */
static void test_output_tailroom(void)
{
    sn_pktpool *pool = sn_pktpool_create(2, 62);
    sn_netif_config c = {.name = "t", .mtu = 1500};
    sn_mac_parse("aa:bb:cc:dd:ee:01", &c.mac);
    wire_end end = {0};
    sn_netif *n = sn_netif_create(&c, wire_send, &end, NULL);
    sn_pkt *p = sn_pkt_alloc(pool, 14);
    memset(sn_pkt_put(p, 10), 1, 10);
    CHECK(sn_netif_output(n, &sn_mac_broadcast, SN_ETHERTYPE_IPV4, p, 0) == SN_ERR_NOBUFS);
    sn_stat s[SN_STATS_MAX];
    CHECK_EQ_INT(sn_test_stat(s, sn_netif_stats(n, s, SN_STATS_MAX), "drop_tx_nobufs"), 1);
    CHECK_EQ_INT(end.sent, 0);
    CHECK_EQ_INT(sn_pktpool_in_use(pool), 0);
    sn_netif_destroy(n);
    sn_pktpool_destroy(pool);
}

static void test_loopback_and_source_rules(void)
{
    setup();
    sn_udp_open(B.udp, 5000, on_udp, &B, "hello", NULL);
    sn_udp_sock *self = sn_udp_open(B.udp, 0, on_udp, &B, "self", NULL);
    sn_ip4 b;
    sn_ip4_parse("192.168.1.20", &b);
    /* to our own address: delivered without a frame or an ARP request */
    CHECK(sn_udp_sendto(self, b, 5000, "me", 2) == SN_OK);
    CHECK_EQ_INT(B.got, 0); /* one scheduler event later, never recursively */
    sn_sched_run(sched, SN_NS_PER_MS, 0);
    CHECK_EQ_INT(B.got, 1);
    CHECK_EQ_INT(B.end.sent, 0);
    CHECK_EQ_INT(arp_stat(&B, "tx_requests"), 0);
    /* a unicast datagram inside a link-layer broadcast is dropped */
    uint8_t buf[128];
    size_t n = make_udp(buf, "192.168.1.20", 5000, "Hi", 0);
    inject("ff:ff:ff:ff:ff:ff", SN_ETHERTYPE_IPV4, buf, n, 0);
    CHECK_EQ_INT(ip_stat(&B, "drop_link_broadcast"), 1);
    /* sources that do not name one host */
    const char *bad_src[] = {"0.1.2.3", "127.0.0.1", "224.0.0.1", "240.0.0.1",
                             "255.255.255.255", "192.168.1.255"};
    for (size_t i = 0; i < sizeof bad_src / sizeof bad_src[0]; i++) {
        n = make_udp(buf, "192.168.1.20", 5000, "Hi", 0);
        sn_ip4 src;
        sn_ip4_parse(bad_src[i], &src);
        sn_ipv4_hdr ih;
        sn_ipv4_parse(buf, n, &ih);
        ih.src = src;
        sn_ipv4_emit(buf, &ih);
        inject("aa:bb:cc:dd:ee:f2", SN_ETHERTYPE_IPV4, buf, n, 0);
    }
    CHECK_EQ_INT(ip_stat(&B, "drop_bad_src"), 6);
    CHECK_EQ_INT(B.got, 1);
    /* once IP is gone the interface no longer calls into it */
    sn_udp_destroy(B.udp);
    sn_ipv4_destroy(B.ip);
    B.udp = NULL;
    B.ip = NULL;
    n = make_udp(buf, "192.168.1.20", 5000, "Hi", 0);
    inject("aa:bb:cc:dd:ee:f2", SN_ETHERTYPE_IPV4, buf, n, 0);
    CHECK_EQ_INT(nif_stat(&B, "drop_no_handler"), 1);
    teardown();
}

/* UDP-03: a closed port is answered with ICMP Port Unreachable, which the
 * sending socket learns (net/icmp; more cases in test_icmp.c). */
static void test_closed_port_answers(void)
{
    setup();
    sn_udp_sock *tx = sn_udp_open(A.udp, 5000, on_udp, &A, "t", NULL);
    sn_ip4 b;
    sn_ip4_parse("192.168.1.20", &b);
    CHECK(sn_udp_sendto(tx, b, 5001, "x", 1) == SN_OK);
    sn_sched_run(sched, SN_NS_PER_S, 0);
    CHECK_EQ_INT(udp_stat(&B, "drop_no_socket"), 1);
    CHECK_EQ_INT(udp_stat(&B, "tx_port_unreach"), 1);
    CHECK_EQ_INT(udp_stat(&A, "rx_icmp_errors"), 1);
    sn_udp_error e;
    CHECK_EQ_INT(sn_udp_sock_error(tx, &e), 1);
    CHECK_EQ_INT(e.type, 3);
    CHECK_EQ_INT(e.code, 3);
    CHECK_EQ_INT(e.dport, 5001);
    CHECK_EQ_INT(A.got, 0);
    teardown();
}

int main(void)
{
    TEST_RUN(test_loopback_and_source_rules);
    TEST_RUN(test_output_tailroom);
    TEST_RUN(test_hello_over_wire);
    TEST_RUN(test_arp_retry_rate_and_expiry);
    TEST_RUN(test_filtering_and_drops);
    TEST_RUN(test_closed_port_answers);
    TEST_DONE();
}
