#include "net/ipv4.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "net/icmp.h"

typedef struct ipv4_iface {
    sn_netif *nif;
    sn_arp *arp;
    sn_ip4 addr, mask;
    sn_pcap_tap *tap;
} ipv4_iface;

typedef struct proto_handler {
    sn_ipv4_proto_fn fn;
    void *user;
} proto_handler;

enum ipv4_drop {
    DROP_NOT_FOR_US = SN_IPV4_RESULT_COUNT, /* after the parse reasons */
    DROP_NO_PROTO,
    DROP_FRAGMENT,
    DROP_BAD_SRC,
    DROP_LINK_BCAST,  /* unicast IP in a link-layer broadcast (RFC 1122 3.3.6) */
    DROP_OTHERHOST,   /* frame for another station (promiscuous interface) */
    DROP_LOOP_FULL,   /* loopback queue full */
    DROP_UNKNOWN_ETHERTYPE,
    DROP_NO_ROUTE,
    DROP_TX_TOO_BIG,
    DROP_TX_NOBUFS,
    DROP_COUNT
};
static const char *const drop_names[DROP_COUNT] = {
    [SN_IPV4_TRUNC] = "drop_trunc",
    [SN_IPV4_BAD_VERSION] = "drop_bad_version",
    [SN_IPV4_BAD_IHL] = "drop_bad_ihl",
    [SN_IPV4_BAD_LEN] = "drop_bad_len",
    [SN_IPV4_BAD_CSUM] = "drop_bad_csum",
    [DROP_NOT_FOR_US] = "drop_not_for_us",
    [DROP_NO_PROTO] = "drop_no_proto",
    [DROP_FRAGMENT] = "drop_fragment",
    [DROP_BAD_SRC] = "drop_bad_src",
    [DROP_LINK_BCAST] = "drop_link_broadcast",
    [DROP_OTHERHOST] = "drop_otherhost",
    [DROP_LOOP_FULL] = "drop_loopback_full",
    [DROP_UNKNOWN_ETHERTYPE] = "drop_unknown_ethertype",
    [DROP_NO_ROUTE] = "drop_no_route",
    [DROP_TX_TOO_BIG] = "drop_tx_too_big",
    [DROP_TX_NOBUFS] = "drop_tx_nobufs",
};

struct sn_ipv4 {
    sn_sched *sched;
    sn_pktpool *pool;
    sn_icmp *icmp;
    ipv4_iface ifs[SN_IPV4_MAX_IFACES];
    size_t n_ifs;
    sn_ip4 gw;
    uint16_t next_id;
    proto_handler protos[256];
    sn_pktq loop_q;         /* packets to ourselves, delivered by loop_timer */
    sn_timer_id loop_timer;
    uint64_t rx_packets, rx_delivered, tx_packets;
    uint64_t drops[DROP_COUNT];
};

sn_ipv4 *sn_ipv4_create(sn_sched *s, sn_pktpool *pool)
{
    if (!s || !pool)
        return NULL;
    sn_ipv4 *ip = calloc(1, sizeof *ip);
    if (!ip)
        return NULL;
    ip->sched = s;
    ip->pool = pool;
    ip->next_id = 1;
    sn_pktq_init(&ip->loop_q, 64);
    ip->icmp = sn_icmp_create(ip, pool);
    if (!ip->icmp) {
        free(ip);
        return NULL;
    }
    return ip;
}

sn_icmp *sn_ipv4_icmp(const sn_ipv4 *ip) { return ip->icmp; }

void sn_ipv4_destroy(sn_ipv4 *ip)
{
    if (!ip)
        return;
    for (size_t i = 0; i < ip->n_ifs; i++) {
        /* the netif outlives us: it must stop calling into freed memory */
        sn_netif_set_rx(ip->ifs[i].nif, NULL, NULL);
        sn_arp_destroy(ip->ifs[i].arp);
    }
    sn_sched_cancel(ip->sched, ip->loop_timer);
    sn_pktq_clear(&ip->loop_q);
    sn_icmp_destroy(ip->icmp);
    free(ip);
}

static void on_frame(void *user, sn_netif *nif, const sn_eth_hdr *eth, sn_pkt *pkt);

int sn_ipv4_add_iface(sn_ipv4 *ip, sn_netif *nif, sn_ip4 addr, int prefix_len,
                      sn_pcap_tap *net_tap)
{
    if (!ip || !nif || prefix_len < 0 || prefix_len > 32)
        return SN_ERR_INVAL;
    if (ip->n_ifs >= SN_IPV4_MAX_IFACES)
        return SN_ERR_RANGE;
    sn_arp *arp = sn_arp_create(NULL, ip->sched, ip->pool, nif, addr);
    if (!arp)
        return SN_ERR_NOMEM;
    ipv4_iface *f = &ip->ifs[ip->n_ifs];
    f->nif = nif;
    f->arp = arp;
    f->addr = addr;
    f->mask = sn_ip4_mask(prefix_len);
    f->tap = net_tap;
    sn_netif_set_rx(nif, on_frame, ip);
    return (int)ip->n_ifs++;
}

void sn_ipv4_announce(sn_ipv4 *ip)
{
    for (size_t i = 0; i < ip->n_ifs; i++)
        sn_arp_announce(ip->ifs[i].arp);
}

int sn_ipv4_set_default_gw(sn_ipv4 *ip, sn_ip4 gw)
{
    ip->gw = gw;
    return SN_OK;
}

void sn_ipv4_register_proto(sn_ipv4 *ip, uint8_t proto, sn_ipv4_proto_fn fn, void *user)
{
    ip->protos[proto].fn = fn;
    ip->protos[proto].user = user;
}

int sn_ipv4_is_local(const sn_ipv4 *ip, sn_ip4 a)
{
    for (size_t i = 0; i < ip->n_ifs; i++)
        if (ip->ifs[i].addr == a)
            return 1;
    return 0;
}

/* The interface whose connected prefix holds `dst` (longest prefix wins),
 * else the one holding the default gateway. *next_hop is set. */
static ipv4_iface *route(const sn_ipv4 *ip, sn_ip4 dst, sn_ip4 *next_hop)
{
    const ipv4_iface *best = NULL;
    for (size_t i = 0; i < ip->n_ifs; i++) {
        const ipv4_iface *f = &ip->ifs[i];
        if ((dst & f->mask) == (f->addr & f->mask) && (!best || f->mask > best->mask))
            best = f;
    }
    if (best) {
        *next_hop = dst;
        return (ipv4_iface *)best;
    }
    if (ip->gw && ip->gw != dst) {
        sn_ip4 nh;
        ipv4_iface *f = route(ip, ip->gw, &nh);
        *next_hop = ip->gw;
        return f;
    }
    return NULL;
}

sn_ip4 sn_ipv4_source_for(const sn_ipv4 *ip, sn_ip4 dst)
{
    sn_ip4 nh;
    const ipv4_iface *f = route(ip, dst, &nh);
    return f ? f->addr : 0;
}

static int is_broadcast_for(const ipv4_iface *f, sn_ip4 dst)
{
    return dst == 0xFFFFFFFFu || (f->mask != 0xFFFFFFFFu && dst == (f->addr | ~f->mask));
}

int sn_ipv4_is_broadcast(const sn_ipv4 *ip, sn_ip4 a)
{
    if (a == 0xFFFFFFFFu)
        return 1;
    for (size_t i = 0; i < ip->n_ifs; i++)
        if (is_broadcast_for(&ip->ifs[i], a))
            return 1;
    return 0;
}

/* Validate and deliver one IPv4 packet that arrived on interface `f` (NULL:
 * looped back from ourselves). Takes ownership. */
static void ip_input(sn_ipv4 *ip, ipv4_iface *f, sn_pkt *pkt)
{
    sn_ipv4_hdr h;
    int r = sn_ipv4_parse(sn_pkt_data(pkt), sn_pkt_len(pkt), &h);
    if (r != SN_IPV4_OK) {
        ip->drops[r]++;
        sn_pkt_free(pkt);
        return;
    }
    /* link padding is not payload (RFC 894; Linux trims to tot_len) */
    sn_pkt_trim(pkt, h.total_len);
    ip->rx_packets++;
    sn_time_t now = sn_sched_now(ip->sched);
    if (f)
        sn_pcap_tap_write(f->tap, now, sn_pkt_data(pkt), sn_pkt_len(pkt));
    /* RFC 1122 3.2.1.3: a source must name one host: not "this network"
     * (0/8), loopback, multicast, class E or a broadcast */
    if ((h.src >> 24) == 0 || (h.src >> 24) == 127 || (h.src >> 28) >= 14 ||
        (f && is_broadcast_for(f, h.src))) {
        ip->drops[DROP_BAD_SRC]++;
        sn_pkt_free(pkt);
        return;
    }
    int bcast = f ? is_broadcast_for(f, h.dst) : 0;
    if (!sn_ipv4_is_local(ip, h.dst) && !bcast) {
        ip->drops[DROP_NOT_FOR_US]++;
        sn_pkt_free(pkt);
        return;
    }
    /* RFC 1122 3.3.6: a unicast datagram that came as a link-layer
     * broadcast is discarded */
    if (!bcast && (pkt->meta.flags & SN_PKT_F_BCAST)) {
        ip->drops[DROP_LINK_BCAST]++;
        sn_pkt_free(pkt);
        return;
    }
    if (h.mf || h.frag_off) {
        /* reassembly comes with the routing issue */
        ip->drops[DROP_FRAGMENT]++;
        sn_pkt_free(pkt);
        return;
    }
    proto_handler *ph = &ip->protos[h.proto];
    if (!ph->fn) {
        ip->drops[DROP_NO_PROTO]++;
        /* RFC 1122 3.2.2.1; ICMP applies the never-send rules (a broadcast
         * destination, a link-layer broadcast...) and the rate limit */
        sn_icmp_send_error_flags(ip->icmp, SN_ICMP_DEST_UNREACH, SN_ICMP_PROTO_UNREACH,
                                 sn_pkt_data(pkt), sn_pkt_len(pkt), 0, pkt->meta.flags, now);
        sn_pkt_free(pkt);
        return;
    }
    ip->rx_delivered++;
    pkt->meta.ifindex = f ? (int)(f - ip->ifs) : -1;
    pkt->meta.time = now;
    sn_pkt_pull(pkt, h.hdr_len);
    ph->fn(ph->user, &h, pkt);
}

static void on_frame(void *user, sn_netif *nif, const sn_eth_hdr *eth, sn_pkt *pkt)
{
    sn_ipv4 *ip = user;
    ipv4_iface *f = NULL;
    for (size_t i = 0; i < ip->n_ifs; i++)
        if (ip->ifs[i].nif == nif)
            f = &ip->ifs[i];
    if (!f) {
        sn_pkt_free(pkt);
        return;
    }
    /* a promiscuous interface shows us other stations' frames: a host
     * does not act on them (Linux drops PACKET_OTHERHOST) */
    if (pkt->meta.flags & SN_PKT_F_OTHERHOST) {
        ip->drops[DROP_OTHERHOST]++;
        sn_pkt_free(pkt);
        return;
    }
    if (eth->ethertype == SN_ETHERTYPE_ARP) {
        sn_arp_input(f->arp, pkt);
        return;
    }
    if (eth->ethertype != SN_ETHERTYPE_IPV4) {
        ip->drops[DROP_UNKNOWN_ETHERTYPE]++;
        sn_pkt_free(pkt);
        return;
    }
    ip_input(ip, f, pkt);
}

/* Deliver packets we sent to ourselves, one scheduler event later, so a
 * reply sent from inside a receive callback never recurses. */
static void loop_deliver(void *user, sn_time_t now)
{
    sn_ipv4 *ip = user;
    ip->loop_timer = 0;
    size_t n = ip->loop_q.count; /* what was queued before this event only */
    sn_pkt *p;
    while (n-- && (p = sn_pktq_pop(&ip->loop_q)))
        ip_input(ip, NULL, p);
    if (ip->loop_q.count)
        ip->loop_timer = sn_sched_at(ip->sched, now, loop_deliver, ip);
}

/* To one of our own addresses: no interface, no ARP; the packet comes back
 * in through ip_input like any other. */
static int loop_output(sn_ipv4 *ip, sn_ip4 src, sn_ip4 dst, uint8_t proto, sn_pkt *pkt,
                       sn_pcap_tap *local_tap)
{
    uint8_t *b = sn_pkt_push(pkt, SN_IPV4_HDR_MIN);
    if (!b || sn_pkt_len(pkt) > 65535) {
        ip->drops[DROP_TX_NOBUFS]++;
        sn_pkt_free(pkt);
        return SN_ERR_NOBUFS;
    }
    sn_ipv4_hdr h = {.total_len = (uint16_t)sn_pkt_len(pkt), .id = ip->next_id++,
                     .ttl = SN_IPV4_DEFAULT_TTL, .proto = proto, .src = src, .dst = dst};
    sn_ipv4_emit(b, &h);
    sn_pcap_tap_write(local_tap, sn_sched_now(ip->sched), b, sn_pkt_len(pkt));
    pkt->meta.flags = 0;
    if (sn_pktq_push(&ip->loop_q, pkt) != SN_OK) {
        ip->drops[DROP_LOOP_FULL]++;
        sn_pkt_free(pkt);
        return SN_ERR_NOBUFS;
    }
    ip->tx_packets++;
    if (!ip->loop_timer)
        ip->loop_timer = sn_sched_at(ip->sched, sn_sched_now(ip->sched), loop_deliver, ip);
    return SN_OK;
}

int sn_ipv4_output(sn_ipv4 *ip, sn_ip4 src, sn_ip4 dst, uint8_t proto, sn_pkt *pkt,
                   sn_pcap_tap *local_tap)
{
    if (sn_ipv4_is_local(ip, dst))
        return loop_output(ip, src ? src : dst, dst, proto, pkt, local_tap);
    sn_ip4 nh;
    ipv4_iface *f = route(ip, dst, &nh);
    if (!f) {
        ip->drops[DROP_NO_ROUTE]++;
        sn_pkt_free(pkt);
        return SN_ERR_NOENT;
    }
    if (sn_pkt_len(pkt) + SN_IPV4_HDR_MIN > sn_netif_mtu(f->nif)) {
        ip->drops[DROP_TX_TOO_BIG]++;
        sn_pkt_free(pkt);
        return SN_ERR_RANGE;
    }
    uint8_t *b = sn_pkt_push(pkt, SN_IPV4_HDR_MIN);
    if (!b) {
        ip->drops[DROP_TX_NOBUFS]++;
        sn_pkt_free(pkt);
        return SN_ERR_NOBUFS;
    }
    sn_ipv4_hdr h = {
        .hdr_len = SN_IPV4_HDR_MIN,
        .total_len = (uint16_t)sn_pkt_len(pkt),
        .id = ip->next_id++,
        .ttl = SN_IPV4_DEFAULT_TTL,
        .proto = proto,
        .src = src ? src : f->addr,
        .dst = dst,
    };
    sn_ipv4_emit(b, &h);
    sn_time_t now = sn_sched_now(ip->sched);
    sn_pcap_tap_write(local_tap, now, b, sn_pkt_len(pkt));
    sn_pcap_tap_write(f->tap, now, b, sn_pkt_len(pkt));
    ip->tx_packets++;
    pkt->meta.ifindex = (int)(f - ip->ifs);
    if (is_broadcast_for(f, dst))
        return sn_netif_output(f->nif, &sn_mac_broadcast, SN_ETHERTYPE_IPV4, pkt, now);
    return sn_arp_output(f->arp, nh, pkt);
}

size_t sn_ipv4_stats(const sn_ipv4 *ip, sn_stat *out, size_t max)
{
    size_t n = 0;
    n = sn_stat_add(out, n, max, "rx_packets", ip->rx_packets);
    n = sn_stat_add(out, n, max, "rx_delivered", ip->rx_delivered);
    n = sn_stat_add(out, n, max, "tx_packets", ip->tx_packets);
    for (int i = 1; i < DROP_COUNT; i++)
        n = sn_stat_add(out, n, max, drop_names[i], ip->drops[i]);
    return n;
}

size_t sn_ipv4_iface_count(const sn_ipv4 *ip) { return ip->n_ifs; }
sn_arp *sn_ipv4_iface_arp(const sn_ipv4 *ip, size_t i)
{
    return i < ip->n_ifs ? ip->ifs[i].arp : NULL;
}
sn_netif *sn_ipv4_iface_netif(const sn_ipv4 *ip, size_t i)
{
    return i < ip->n_ifs ? ip->ifs[i].nif : NULL;
}
