/* net/icmp over two stacks on a simulated wire (no PHY): ping and its
 * reply, Port and Protocol Unreachable with their quotes, the error
 * reaching the UDP socket, every never-send rule (silence + counter),
 * validation of received errors, and the rate limit on the virtual clock. */
#include "core/bytes.h"
#include "core/err.h"
#include "core/pkt.h"
#include "core/sched.h"
#include "mac/frame.h"
#include "mac/netif.h"
#include "net/icmp.h"
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
    sn_icmp *icmp;
    sn_udp *udp;
    sn_ip4 addr;
    /* last echo reply */
    int replies;
    sn_ip4 reply_from;
    uint16_t reply_id, reply_seq;
    uint8_t reply_data[2048];
    size_t reply_len;
    sn_time_t reply_time;
    /* last UDP socket error */
    int sock_errors;
    sn_udp_error sock_err;
} host;

static sn_sched *sched;
static host A, B;

static uint64_t icmp_stat(const host *h, const char *name)
{
    sn_stat s[SN_STATS_MAX];
    return sn_test_stat(s, sn_icmp_stats(h->icmp, s, SN_STATS_MAX), name);
}
static uint64_t udp_stat(const host *h, const char *name)
{
    sn_stat s[SN_STATS_MAX];
    return sn_test_stat(s, sn_udp_stats(h->udp, s, SN_STATS_MAX), name);
}
static uint64_t ip_stat(const host *h, const char *name)
{
    sn_stat s[SN_STATS_MAX];
    return sn_test_stat(s, sn_ipv4_stats(h->ip, s, SN_STATS_MAX), name);
}

static void on_echo(void *user, sn_ip4 from, uint16_t id, uint16_t seq, const uint8_t *data,
                    size_t len, sn_time_t rx_time, const sn_pkt_meta *meta)
{
    host *h = user;
    h->replies++;
    h->reply_from = from;
    h->reply_id = id;
    h->reply_seq = seq;
    h->reply_len = len < sizeof h->reply_data ? len : sizeof h->reply_data;
    memcpy(h->reply_data, data, h->reply_len);
    h->reply_time = rx_time;
}

static void on_sock_error(void *user, sn_udp_sock *s, const sn_udp_error *e)
{
    host *h = user;
    h->sock_errors++;
    h->sock_err = *e;
}

static void host_init(host *h, const char *mac, const char *ip)
{
    memset(h, 0, sizeof *h);
    h->end.s = sched;
    sn_pktq_init(&h->end.inflight, 256);
    h->pool = sn_pktpool_create(128, 2048);
    sn_netif_config c = {.name = "eth0", .mtu = 1500};
    sn_mac_parse(mac, &c.mac);
    h->nif = sn_netif_create(&c, wire_send, &h->end, NULL);
    h->end.nif = h->nif;
    h->ip = sn_ipv4_create(sched, h->pool);
    CHECK(h->ip != NULL);
    h->icmp = sn_ipv4_icmp(h->ip);
    CHECK(h->icmp != NULL);
    sn_ip4_parse(ip, &h->addr);
    CHECK(sn_ipv4_add_iface(h->ip, h->nif, h->addr, 24, NULL) == 0);
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

static void setup(void)
{
    sched = sn_sched_create();
    host_init(&A, "aa:bb:cc:dd:ee:f1", "192.168.1.10");
    host_init(&B, "aa:bb:cc:dd:ee:f2", "192.168.1.20");
    A.end.peer = &B.end;
    B.end.peer = &A.end;
}

static void teardown(void)
{
    host_fini(&A);
    host_fini(&B);
    sn_sched_destroy(sched);
}

static void run_for(sn_time_t dt) { sn_sched_run(sched, sn_sched_now(sched) + dt, 0); }

static void test_ping(void)
{
    setup();
    CHECK_EQ_INT(sn_icmp_echo_bind(A.icmp, 0x4242, on_echo, &A), SN_OK);
    CHECK_EQ_INT(sn_icmp_echo_bind(A.icmp, 0x4242, on_echo, &A), SN_ERR_EXIST);
    const size_t sizes[] = {56, 0, 1, 1472};
    uint8_t payload[1473];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i * 7 + 3);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        int before = A.replies;
        sn_time_t sent = sn_sched_now(sched);
        CHECK_EQ_INT(sn_icmp_ping(A.icmp, B.addr, 0x4242, (uint16_t)(k + 1), payload, sizes[k]),
                     SN_OK);
        run_for(SN_NS_PER_S);
        CHECK_EQ_INT(A.replies, before + 1);
        CHECK_EQ_INT(A.reply_from, B.addr);
        CHECK_EQ_INT(A.reply_id, 0x4242);
        CHECK_EQ_INT(A.reply_seq, k + 1);
        CHECK_EQ_INT(A.reply_len, sizes[k]);
        CHECK_MEM(A.reply_data, payload, sizes[k]);
        /* two wire hops of 1 ms each (the first ping also waits for ARP) */
        CHECK(A.reply_time - sent >= 2 * SN_NS_PER_MS);
        CHECK(A.reply_time - sent <= 4 * SN_NS_PER_MS);
    }
    /* the reply on the wire is the request with type 0: same id, seq, data */
    const uint8_t *ip = B.end.last + SN_ETH_HDR_LEN;
    CHECK_EQ_INT(ip[9], SN_IPPROTO_ICMP);
    CHECK_EQ_INT(sn_get_be32(ip + 12), B.addr);
    CHECK_EQ_INT(sn_get_be32(ip + 16), A.addr);
    CHECK_EQ_INT(ip[20], SN_ICMP_ECHO_REPLY);
    CHECK_EQ_INT(icmp_stat(&B, "rx_echo_requests"), 4);
    CHECK_EQ_INT(icmp_stat(&B, "tx_echo_replies"), 4);
    CHECK_EQ_INT(icmp_stat(&A, "tx_echo_requests"), 4);
    CHECK_EQ_INT(icmp_stat(&A, "rx_echo_replies"), 4);
    /* a reply nobody waits for is counted */
    sn_icmp_echo_unbind(A.icmp, 0x4242);
    sn_icmp_ping(A.icmp, B.addr, 0x4242, 9, "x", 1);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(A.replies, 4);
    CHECK_EQ_INT(icmp_stat(&A, "drop_echo_no_listener"), 1);
    /* too large for the interface with fragmentation off (DF, like ping
     * -M do): refused and counted */
    sn_ipv4_set_local_fragmentation(A.ip, 0);
    CHECK(sn_icmp_ping(A.icmp, B.addr, 1, 1, payload, 1473) != SN_OK);
    CHECK_EQ_INT(icmp_stat(&A, "drop_tx_error"), 1);
    /* by default it is fragmented both ways and the reply comes back whole
     * (ping -s 1473 over a 1500-byte MTU) */
    sn_ipv4_set_local_fragmentation(A.ip, 1);
    uint64_t frames_before = A.end.sent;
    CHECK_EQ_INT(sn_icmp_ping(A.icmp, B.addr, 0x4243, 1, payload, 1473), SN_OK);
    sn_icmp_echo_bind(A.icmp, 0x4243, on_echo, &A);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(A.replies, 5);
    CHECK_EQ_INT(A.reply_len, 1473);
    CHECK(memcmp(A.reply_data, payload, 1473) == 0);
    CHECK_EQ_INT(A.end.sent - frames_before, 2); /* two fragments out */
    A.replies = 4; /* the count the checks below were written for */
    /* ping ourselves: through the loopback, no frame */
    uint64_t sent_frames = A.end.sent;
    sn_icmp_echo_bind(A.icmp, 7, on_echo, &A);
    CHECK_EQ_INT(sn_icmp_ping(A.icmp, A.addr, 7, 1, "me", 2), SN_OK);
    run_for(SN_NS_PER_MS);
    CHECK_EQ_INT(A.replies, 5);
    CHECK_EQ_INT(A.reply_from, A.addr);
    CHECK_EQ_INT(A.end.sent, sent_frames);
    teardown();
}

static void test_port_unreachable(void)
{
    setup();
    sn_udp_sock *s = sn_udp_open(A.udp, 5000, NULL, NULL, "t", NULL);
    sn_udp_set_error_fn(s, on_sock_error, &A);
    CHECK_EQ_INT(sn_udp_sendto(s, B.addr, 5001, "closed?", 7), SN_OK);
    const uint8_t *dgram = A.end.last + SN_ETH_HDR_LEN; /* after ARP: see below */
    run_for(SN_NS_PER_S);
    /* A's last frame is the datagram (ARP went first) */
    uint8_t sent[64];
    memcpy(sent, dgram, 35);
    CHECK_EQ_INT(sent[9], SN_IPPROTO_UDP);
    CHECK_EQ_INT(udp_stat(&B, "drop_no_socket"), 1);
    CHECK_EQ_INT(udp_stat(&B, "tx_port_unreach"), 1);
    CHECK_EQ_INT(icmp_stat(&B, "tx_errors"), 1);
    /* the error on the wire: from B to A, 3/3, quoting the whole datagram
     * (IP header + UDP header + 7 bytes) exactly as A sent it */
    const uint8_t *ip = B.end.last + SN_ETH_HDR_LEN;
    CHECK_EQ_INT(ip[9], SN_IPPROTO_ICMP);
    CHECK_EQ_INT(sn_get_be16(ip + 2), 20 + 8 + 35);
    CHECK_EQ_INT(sn_get_be32(ip + 12), B.addr);
    CHECK_EQ_INT(sn_get_be32(ip + 16), A.addr);
    CHECK_EQ_INT(ip[20], SN_ICMP_DEST_UNREACH);
    CHECK_EQ_INT(ip[21], SN_ICMP_PORT_UNREACH);
    CHECK_MEM(ip + 28, sent, 35);
    /* A validated it and the socket learned the error */
    CHECK_EQ_INT(icmp_stat(&A, "rx_errors"), 1);
    CHECK_EQ_INT(udp_stat(&A, "rx_icmp_errors"), 1);
    CHECK_EQ_INT(A.sock_errors, 1);
    CHECK_EQ_INT(A.sock_err.type, 3);
    CHECK_EQ_INT(A.sock_err.code, 3);
    CHECK_EQ_INT(A.sock_err.from, B.addr);
    CHECK_EQ_INT(A.sock_err.dst, B.addr);
    CHECK_EQ_INT(A.sock_err.dport, 5001);
    sn_udp_error e;
    CHECK_EQ_INT(sn_udp_sock_error(s, &e), 1);
    CHECK_EQ_INT(e.code, 3);
    CHECK_EQ_INT(sn_udp_sock_error(s, &e), 0); /* read clears it */
    /* the socket closed meanwhile: the error is counted, not delivered */
    sn_udp_sendto(s, B.addr, 5001, "again", 5);
    sn_udp_close(s);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(udp_stat(&A, "drop_icmp_no_socket"), 1);
    CHECK_EQ_INT(A.sock_errors, 1);
    /* to our own closed port: the error comes back through the loopback */
    s = sn_udp_open(B.udp, 6000, NULL, NULL, "self", NULL);
    sn_udp_set_error_fn(s, on_sock_error, &B);
    sn_udp_sendto(s, B.addr, 6001, "x", 1);
    run_for(SN_NS_PER_MS);
    CHECK_EQ_INT(B.sock_errors, 1);
    CHECK_EQ_INT(B.sock_err.dport, 6001);
    teardown();
}

/* Build an IPv4 packet from `src` to `dst` carrying `proto`/`payload`. */
static size_t make_ip(uint8_t *buf, sn_ip4 src, sn_ip4 dst, uint8_t proto,
                      const uint8_t *payload, size_t len, uint16_t frag_off)
{
    memcpy(buf + 20, payload, len);
    sn_ipv4_hdr ih = {.hdr_len = 20, .total_len = (uint16_t)(20 + len), .id = 1, .ttl = 64,
                      .proto = proto, .src = src, .dst = dst, .frag_off = frag_off};
    sn_ipv4_emit(buf, &ih);
    return 20 + len;
}

static size_t make_udp(uint8_t *buf, sn_ip4 src, sn_ip4 dst, uint16_t dport)
{
    uint8_t u[12];
    memcpy(u + 8, "ping", 4);
    sn_udp_hdr h = {.sport = 5000, .dport = dport, .len = 12};
    sn_udp_emit(u, &h, src, dst);
    return make_ip(buf, src, dst, SN_IPPROTO_UDP, u, sizeof u, 0);
}

/* A frame from A's MAC to `mac` with this IP packet, into B. */
static void inject_b(const char *mac, const uint8_t *ip, size_t len)
{
    sn_pkt *p = sn_pkt_alloc(B.pool, 0);
    uint8_t *f = sn_pkt_put(p, SN_ETH_HDR_LEN + len + SN_ETH_FCS_LEN);
    sn_eth_hdr h = {.ethertype = SN_ETHERTYPE_IPV4};
    sn_mac_parse(mac, &h.dst);
    sn_mac_parse("aa:bb:cc:dd:ee:f1", &h.src);
    sn_eth_emit(f, &h);
    memcpy(f + SN_ETH_HDR_LEN, ip, len);
    sn_eth_fcs_put(f, SN_ETH_HDR_LEN + len);
    sn_netif_input(B.nif, p, sn_sched_now(sched));
}

static sn_ip4 ip4(const char *s)
{
    sn_ip4 a = 0;
    sn_ip4_parse(s, &a);
    return a;
}

static void test_protocol_unreachable(void)
{
    setup();
    uint8_t buf[128];
    const uint8_t payload[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    size_t n = make_ip(buf, A.addr, B.addr, 99, payload, sizeof payload, 0);
    inject_b("aa:bb:cc:dd:ee:f2", buf, n);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(ip_stat(&B, "drop_no_proto"), 1);
    CHECK_EQ_INT(icmp_stat(&B, "tx_errors"), 1);
    const uint8_t *ip = B.end.last + SN_ETH_HDR_LEN;
    CHECK_EQ_INT(ip[20], SN_ICMP_DEST_UNREACH);
    CHECK_EQ_INT(ip[21], SN_ICMP_PROTO_UNREACH);
    CHECK_MEM(ip + 28, buf, n);
    /* A has no handler for protocol 99: validated, then counted */
    CHECK_EQ_INT(icmp_stat(&A, "drop_error_no_handler"), 1);
    teardown();
}

static void test_never_send(void)
{
    setup();
    /* B learns A's MAC first, so every error B would send needs no ARP */
    sn_icmp_echo_bind(A.icmp, 1, on_echo, &A);
    sn_icmp_ping(A.icmp, B.addr, 1, 1, NULL, 0);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(A.replies, 1);
    uint64_t quiet = B.end.sent;
    uint8_t buf[256];
    size_t n;
    /* UDP to a closed port at the directed and the limited broadcast */
    n = make_udp(buf, A.addr, ip4("192.168.1.255"), 7);
    inject_b("ff:ff:ff:ff:ff:ff", buf, n);
    n = make_udp(buf, A.addr, ip4("255.255.255.255"), 7);
    inject_b("ff:ff:ff:ff:ff:ff", buf, n);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(udp_stat(&B, "drop_no_socket"), 2);
    CHECK_EQ_INT(icmp_stat(&B, "suppressed_broadcast"), 2);
    /* echo request to the broadcast: ignored (ICMP-02) */
    uint8_t echo[12] = {8, 0, 0, 0, 0, 1, 0, 1, 'a', 'b', 'c', 'd'};
    sn_icmp_hdr eh = {.type = 8, .id = 1, .seq = 1};
    sn_icmp_emit(echo, sizeof echo, &eh);
    n = make_ip(buf, A.addr, ip4("192.168.1.255"), SN_IPPROTO_ICMP, echo, sizeof echo, 0);
    inject_b("ff:ff:ff:ff:ff:ff", buf, n);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(icmp_stat(&B, "drop_echo_broadcast"), 1);
    CHECK_EQ_INT(icmp_stat(&B, "tx_echo_replies"), 1); /* only the first ping */

    /* The cases IP already filters before any transport sees them
     * (fragments, bad sources, unicast in a link broadcast) can still be
     * handed to ICMP by forwarding or reassembly: ask ICMP directly. */
    sn_time_t now = sn_sched_now(sched);
    /* a link-layer broadcast */
    n = make_udp(buf, A.addr, B.addr, 7);
    CHECK_EQ_INT(sn_icmp_send_error_flags(B.icmp, 3, 3, buf, n, 0, SN_PKT_F_BCAST, now),
                 SN_ERR_AGAIN);
    CHECK_EQ_INT(sn_icmp_send_error_flags(B.icmp, 3, 3, buf, n, 0, SN_PKT_F_MCAST, now),
                 SN_ERR_AGAIN);
    CHECK_EQ_INT(icmp_stat(&B, "suppressed_link_broadcast"), 2);
    /* a multicast destination */
    n = make_udp(buf, A.addr, ip4("224.0.0.251"), 7);
    CHECK_EQ_INT(sn_icmp_send_error(B.icmp, 3, 3, buf, n, 0, now), SN_ERR_AGAIN);
    CHECK_EQ_INT(icmp_stat(&B, "suppressed_broadcast"), 3);
    /* a non-initial fragment (offset 8); the first fragment is answered */
    const uint8_t body[16] = {0};
    n = make_ip(buf, A.addr, B.addr, 99, body, sizeof body, 8);
    CHECK_EQ_INT(sn_icmp_send_error(B.icmp, 11, 1, buf, n, 0, now), SN_ERR_AGAIN);
    CHECK_EQ_INT(icmp_stat(&B, "suppressed_fragment"), 1);
    /* sources that do not name one host */
    const char *bad_src[] = {"0.0.0.0", "0.1.2.3", "127.0.0.1", "224.0.0.1", "240.0.0.1",
                             "255.255.255.255", "192.168.1.255"};
    for (size_t i = 0; i < sizeof bad_src / sizeof bad_src[0]; i++) {
        n = make_udp(buf, ip4(bad_src[i]), B.addr, 7);
        CHECK_EQ_INT(sn_icmp_send_error(B.icmp, 3, 3, buf, n, 0, now), SN_ERR_AGAIN);
    }
    CHECK_EQ_INT(icmp_stat(&B, "suppressed_bad_src"), 7);
    /* an ICMP error (and a truncated ICMP whose type is unknown) */
    uint8_t err[36];
    memset(err, 0, sizeof err);
    err[0] = 3;
    err[1] = 3;
    n = make_ip(buf, A.addr, B.addr, SN_IPPROTO_ICMP, err, sizeof err, 0);
    CHECK_EQ_INT(sn_icmp_send_error(B.icmp, 3, 3, buf, n, 0, now), SN_ERR_AGAIN);
    n = make_ip(buf, A.addr, B.addr, SN_IPPROTO_ICMP, err, 0, 0);
    CHECK_EQ_INT(sn_icmp_send_error(B.icmp, 3, 3, buf, n, 0, now), SN_ERR_AGAIN);
    CHECK_EQ_INT(icmp_stat(&B, "suppressed_about_icmp_error"), 2);
    /* Source Quench is never sent; neither is a query type; nor an error
     * about something that is not IPv4 */
    n = make_udp(buf, A.addr, B.addr, 7);
    CHECK_EQ_INT(sn_icmp_send_error(B.icmp, 4, 0, buf, n, 0, now), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_icmp_send_error(B.icmp, 8, 0, buf, n, 0, now), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_icmp_send_error(B.icmp, 3, 3, buf, 19, 0, now), SN_ERR_INVAL);
    buf[0] = 0x44;
    CHECK_EQ_INT(sn_icmp_send_error(B.icmp, 3, 3, buf, n, 0, now), SN_ERR_INVAL);
    CHECK_EQ_INT(icmp_stat(&B, "drop_tx_invalid"), 4);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(B.end.sent, quiet); /* silence throughout */
    CHECK_EQ_INT(icmp_stat(&B, "tx_errors"), 0);

    /* the positive controls: an error about an echo request (a query) and
     * about the first fragment are sent, Frag Needed carries the MTU */
    n = make_ip(buf, A.addr, B.addr, SN_IPPROTO_ICMP, echo, sizeof echo, 0);
    CHECK_EQ_INT(sn_icmp_send_error(B.icmp, 3, 4, buf, n, 1400, now), SN_OK);
    run_for(SN_NS_PER_S);
    const uint8_t *ip = B.end.last + SN_ETH_HDR_LEN;
    CHECK_EQ_INT(ip[20], 3);
    CHECK_EQ_INT(ip[21], 4);
    CHECK_EQ_INT(sn_get_be16(ip + 26), 1400);
    CHECK_EQ_INT(sn_get_be16(ip + 24), 0);
    n = make_ip(buf, A.addr, B.addr, 99, body, sizeof body, 0);
    buf[6] |= 0x20; /* MF: the first fragment */
    CHECK_EQ_INT(sn_icmp_send_error(B.icmp, 12, 0, buf, n, 9, sn_sched_now(sched)), SN_OK);
    run_for(SN_NS_PER_S);
    CHECK_EQ_INT(ip[20], 12);
    CHECK_EQ_INT(ip[24], 9);
    CHECK_EQ_INT(icmp_stat(&B, "tx_errors"), 2);
    teardown();
}

/* An ICMP message from B's address into A. */
static void inject_a_icmp(const uint8_t *msg, size_t len)
{
    uint8_t ip[600];
    size_t n = make_ip(ip, B.addr, A.addr, SN_IPPROTO_ICMP, msg, len, 0);
    sn_pkt *p = sn_pkt_alloc(A.pool, 0);
    uint8_t *f = sn_pkt_put(p, SN_ETH_HDR_LEN + n + SN_ETH_FCS_LEN);
    sn_eth_hdr h = {.ethertype = SN_ETHERTYPE_IPV4};
    sn_mac_parse("aa:bb:cc:dd:ee:f1", &h.dst);
    sn_mac_parse("aa:bb:cc:dd:ee:f2", &h.src);
    sn_eth_emit(f, &h);
    memcpy(f + SN_ETH_HDR_LEN, ip, n);
    sn_eth_fcs_put(f, SN_ETH_HDR_LEN + n);
    sn_netif_input(A.nif, p, sn_sched_now(sched));
}

static void test_received_validation(void)
{
    setup();
    sn_udp_sock *s = sn_udp_open(A.udp, 5000, NULL, NULL, "t", NULL);
    sn_udp_set_error_fn(s, on_sock_error, &A);
    uint8_t msg[64], dg[64];
    /* a well-formed port unreachable about A's datagram to B:5001 */
    size_t dn = make_udp(dg, A.addr, B.addr, 5001);
    memcpy(msg + 8, dg, dn);
    sn_icmp_hdr h = {.type = 3, .code = 3};
    sn_icmp_emit(msg, 8 + dn, &h);
    inject_a_icmp(msg, 8 + dn);
    CHECK_EQ_INT(A.sock_errors, 1);
    /* truncated message, bad checksum */
    inject_a_icmp(msg, 7);
    CHECK_EQ_INT(icmp_stat(&A, "drop_trunc"), 1);
    msg[30] ^= 1;
    inject_a_icmp(msg, 8 + dn);
    CHECK_EQ_INT(icmp_stat(&A, "drop_bad_csum"), 1);
    /* a quote too short for the ports: 20 + 7 bytes */
    memcpy(msg + 8, dg, dn);
    sn_icmp_emit(msg, 8 + 27, &h);
    inject_a_icmp(msg, 8 + 27);
    /* a quote with IHL 4 */
    memcpy(msg + 8, dg, dn);
    msg[8] = 0x44;
    sn_icmp_emit(msg, 8 + dn, &h);
    inject_a_icmp(msg, 8 + dn);
    CHECK_EQ_INT(icmp_stat(&A, "drop_bad_quote"), 2);
    /* a quote of somebody else's datagram */
    dn = make_udp(dg, ip4("192.168.1.30"), B.addr, 5001);
    memcpy(msg + 8, dg, dn);
    sn_icmp_emit(msg, 8 + dn, &h);
    inject_a_icmp(msg, 8 + dn);
    CHECK_EQ_INT(icmp_stat(&A, "drop_error_not_ours"), 1);
    /* Source Quench about our datagram: ignored (RFC 6633) */
    dn = make_udp(dg, A.addr, B.addr, 5001);
    memcpy(msg + 8, dg, dn);
    sn_icmp_hdr sq = {.type = 4};
    sn_icmp_emit(msg, 8 + dn, &sq);
    inject_a_icmp(msg, 8 + dn);
    CHECK_EQ_INT(icmp_stat(&A, "rx_source_quench"), 1);
    /* Redirect: ignored by this host */
    sn_icmp_hdr rd = {.type = 5, .rest = B.addr};
    sn_icmp_emit(msg, 8 + dn, &rd);
    inject_a_icmp(msg, 8 + dn);
    CHECK_EQ_INT(icmp_stat(&A, "rx_ignored"), 1);
    CHECK_EQ_INT(A.sock_errors, 1);
    CHECK_EQ_INT(icmp_stat(&A, "rx_errors"), 1);
    CHECK_EQ_INT(A.end.sent, 0); /* no answer to any of it */
    run_for(SN_NS_PER_S);
    teardown();
}

/* ICMP-05: 10 000 datagrams to a closed port within one virtual second. */
static void test_rate_limit(void)
{
    setup();
    sn_icmp_echo_bind(A.icmp, 1, on_echo, &A);
    sn_icmp_ping(A.icmp, B.addr, 1, 1, NULL, 0); /* B learns A's MAC */
    run_for(SN_NS_PER_S);
    uint8_t buf[64];
    size_t n = make_udp(buf, A.addr, B.addr, 7);
    sn_time_t t0 = sn_sched_now(sched);
    for (int i = 0; i < 10000; i++) {
        sn_sched_run(sched, t0 + (sn_time_t)i * 100 * SN_NS_PER_US, 0);
        inject_b("aa:bb:cc:dd:ee:f2", buf, n);
    }
    run_for(SN_NS_PER_S);
    uint64_t sent = icmp_stat(&B, "tx_errors");
    /* burst of 10, then one per 100 ms over 0.9999 s: 9 more */
    CHECK_EQ_INT(sent, 19);
    CHECK_EQ_INT(sent + icmp_stat(&B, "suppressed_ratelimit"), 10000);
    CHECK_EQ_INT(udp_stat(&B, "drop_no_socket"), 10000);
    CHECK_EQ_INT(icmp_stat(&A, "drop_error_no_handler") + udp_stat(&A, "drop_icmp_no_socket"),
                 19);
    /* after a quiet second the bucket is full again: a burst of 10 */
    run_for(2 * SN_NS_PER_S);
    for (int i = 0; i < 20; i++)
        inject_b("aa:bb:cc:dd:ee:f2", buf, n);
    CHECK_EQ_INT(icmp_stat(&B, "tx_errors"), 29);
    /* the limit can be changed, or switched off */
    sn_icmp_set_ratelimit(B.icmp, 0, 0);
    for (int i = 0; i < 5; i++)
        inject_b("aa:bb:cc:dd:ee:f2", buf, n);
    CHECK_EQ_INT(icmp_stat(&B, "tx_errors"), 34);
    sn_icmp_set_ratelimit(B.icmp, 0, SN_NS_PER_MS);
    inject_b("aa:bb:cc:dd:ee:f2", buf, n);
    CHECK_EQ_INT(icmp_stat(&B, "tx_errors"), 34);
    run_for(SN_NS_PER_S);
    teardown();
}

int main(void)
{
    TEST_RUN(test_ping);
    TEST_RUN(test_port_unreachable);
    TEST_RUN(test_protocol_unreachable);
    TEST_RUN(test_never_send);
    TEST_RUN(test_received_validation);
    TEST_RUN(test_rate_limit);
    TEST_DONE();
}
