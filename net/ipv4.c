#include "net/ipv4.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/log.h"
#include "net/frag.h"
#include "net/icmp.h"
#include "net/inet_csum.h"

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
    DROP_BAD_SRC,
    DROP_HOST_UNREACH, /* next hop never answered ARP */
    DROP_LINK_BCAST,  /* unicast IP in a link-layer broadcast (RFC 1122 3.3.6) */
    DROP_OTHERHOST,   /* frame for another station (promiscuous interface) */
    DROP_LOOP_FULL,   /* loopback queue full */
    DROP_UNKNOWN_ETHERTYPE,
    DROP_NO_ROUTE,
    DROP_TX_TOO_BIG,
    DROP_TX_NOBUFS,
    DROP_TTL_EXCEEDED, /* forwarding: TTL <= 1 (RFC 1812 5.3.1) */
    DROP_FRAG_NEEDED,  /* forwarding: larger than the next-hop MTU with DF set */
    DROP_FWD_BROADCAST, /* forwarding: to a broadcast, multicast or 0.0.0.0 */
    DROP_FWD_NOBUFS,   /* forwarding: no buffer for the fragments */
    DROP_REASS,        /* reassembly refused a fragment or gave a datagram up */
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
    [DROP_BAD_SRC] = "drop_bad_src",
    [DROP_HOST_UNREACH] = "drop_host_unreachable",
    [DROP_LINK_BCAST] = "drop_link_broadcast",
    [DROP_OTHERHOST] = "drop_otherhost",
    [DROP_LOOP_FULL] = "drop_loopback_full",
    [DROP_UNKNOWN_ETHERTYPE] = "drop_unknown_ethertype",
    [DROP_NO_ROUTE] = "drop_no_route",
    [DROP_TX_TOO_BIG] = "drop_tx_too_big",
    [DROP_TX_NOBUFS] = "drop_tx_nobufs",
    [DROP_TTL_EXCEEDED] = "drop_ttl_exceeded",
    [DROP_FRAG_NEEDED] = "drop_frag_needed",
    [DROP_FWD_BROADCAST] = "drop_fwd_broadcast",
    [DROP_FWD_NOBUFS] = "drop_fwd_nobufs",
    [DROP_REASS] = "drop_reass",
};

struct sn_ipv4 {
    sn_sched *sched;
    sn_pktpool *pool;
    sn_icmp *icmp;
    ipv4_iface ifs[SN_IPV4_MAX_IFACES];
    size_t n_ifs;
    sn_route_table *routes; /* connected, static and default routes */
    int forwarding;
    int frag_local;         /* sn_ipv4_output fragments (else SN_ERR_RANGE) */
    sn_pktpool *reass_pool; /* whole reassembled datagrams (up to 64 KiB) */
    sn_reass *reass;
    uint16_t next_id;
    proto_handler protos[256];
    sn_pktq loop_q;         /* packets to ourselves, delivered by loop_timer */
    sn_timer_id loop_timer;
    uint64_t rx_packets, rx_delivered, tx_packets;
    uint64_t forwarded, fragments_created, rx_fragments, reassembled;
    uint64_t drops[DROP_COUNT];
};

/* A datagram gave up by the reassembler: RFC 1122 3.3.2 asks for Time
 * Exceeded code 1 only when its first fragment arrived (it is quoted). */
static void on_reass_timeout(void *user, const sn_pkt *first)
{
    sn_ipv4 *ip = user;
    if (first)
        sn_icmp_send_error(ip->icmp, SN_ICMP_TIME_EXCEEDED, SN_ICMP_REASM_EXCEEDED,
                           sn_pkt_data(first), sn_pkt_len(first), 0, sn_sched_now(ip->sched));
}

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
    /* like Linux's default (IP_PMTUDISC_WANT): a datagram larger than the
     * link MTU is fragmented, unless the sender asks for DF */
    ip->frag_local = 1;
    sn_pktq_init(&ip->loop_q, 64);
    ip->icmp = sn_icmp_create(ip, pool);
    ip->routes = sn_route_create(SN_IPV4_MAX_ROUTES);
    ip->reass_pool = sn_pktpool_create(SN_IPV4_REASS_BUFS, SN_IPV4_REASS_BUF_SIZE);
    sn_reass_config rc;
    sn_reass_config_default(&rc);
    rc.on_timeout = on_reass_timeout;
    rc.user = ip;
    ip->reass = ip->reass_pool ? sn_reass_create(&rc, s, ip->reass_pool) : NULL;
    if (!ip->icmp || !ip->routes || !ip->reass) {
        sn_reass_destroy(ip->reass);
        sn_pktpool_destroy(ip->reass_pool);
        sn_route_destroy(ip->routes);
        sn_icmp_destroy(ip->icmp);
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
    /* the reassembler returns the fragments it holds to the node's pool,
     * then its own pool must be empty: handlers free what they got */
    sn_reass_destroy(ip->reass);
    sn_pktpool_destroy(ip->reass_pool);
    sn_route_destroy(ip->routes);
    sn_icmp_destroy(ip->icmp);
    free(ip);
}

static void on_frame(void *user, sn_netif *nif, const sn_eth_hdr *eth, sn_pkt *pkt);

/* ARP gave up on a next hop: each packet that waited for it earns its
 * sender an ICMP host unreachable (RFC 1812 4.3.3.1; the usual rules
 * decide whether one may be sent). A packet of our own comes back to us
 * through the loopback and reaches the socket that sent it. */
static void on_arp_unreach(void *user, const sn_pkt *pkt)
{
    sn_ipv4 *ip = user;
    ip->drops[DROP_HOST_UNREACH]++;
    sn_icmp_send_error(ip->icmp, SN_ICMP_DEST_UNREACH, SN_ICMP_HOST_UNREACH, sn_pkt_data(pkt),
                       sn_pkt_len(pkt), 0, sn_sched_now(ip->sched));
}

int sn_ipv4_add_iface(sn_ipv4 *ip, sn_netif *nif, sn_ip4 addr, int prefix_len,
                      sn_pcap_tap *net_tap)
{
    if (!ip || !nif || prefix_len < 0 || prefix_len > 32)
        return SN_ERR_INVAL;
    if (ip->n_ifs >= SN_IPV4_MAX_IFACES)
        return SN_ERR_RANGE;
    sn_ip4 mask = sn_ip4_mask(prefix_len);
    /* the connected route: on-link (next hop 0). A second interface on the
     * same network adds none; the first one keeps carrying its traffic. */
    int rc = sn_route_add(ip->routes, addr & mask, prefix_len, 0, (int)ip->n_ifs, 0);
    if (rc != SN_OK && rc != SN_ERR_EXIST)
        return rc;
    int added = rc == SN_OK;
    sn_arp *arp = sn_arp_create(NULL, ip->sched, ip->pool, nif, addr);
    if (!arp) {
        if (added)
            sn_route_del(ip->routes, addr & mask, prefix_len);
        return SN_ERR_NOMEM;
    }
    ipv4_iface *f = &ip->ifs[ip->n_ifs];
    f->nif = nif;
    f->arp = arp;
    f->addr = addr;
    f->mask = sn_ip4_mask(prefix_len);
    f->tap = net_tap;
    sn_netif_set_rx(nif, on_frame, ip);
    sn_arp_set_unreachable(arp, on_arp_unreach, ip);
    return (int)ip->n_ifs++;
}

void sn_ipv4_announce(sn_ipv4 *ip)
{
    for (size_t i = 0; i < ip->n_ifs; i++)
        sn_arp_announce(ip->ifs[i].arp);
}

/* The interface whose connected network holds `a` (longest prefix), or
 * NULL. */
static const ipv4_iface *onlink_iface(const sn_ipv4 *ip, sn_ip4 a)
{
    const ipv4_iface *best = NULL;
    for (size_t i = 0; i < ip->n_ifs; i++) {
        const ipv4_iface *f = &ip->ifs[i];
        if ((a & f->mask) == (f->addr & f->mask) && (!best || f->mask > best->mask))
            best = f;
    }
    return best;
}

int sn_ipv4_add_route(sn_ipv4 *ip, sn_ip4 prefix, int prefix_len, sn_ip4 next_hop)
{
    if (!ip || next_hop == 0)
        return SN_ERR_INVAL;
    const ipv4_iface *f = onlink_iface(ip, next_hop);
    if (!f)
        return SN_ERR_NOENT;
    return sn_route_add(ip->routes, prefix, prefix_len, next_hop, (int)(f - ip->ifs), 0);
}

int sn_ipv4_set_default_gw(sn_ipv4 *ip, sn_ip4 gw)
{
    if (gw && !onlink_iface(ip, gw))
        return SN_ERR_NOENT; /* checked first: a refused gateway keeps the old one */
    sn_route_del(ip->routes, 0, 0); /* SN_ERR_NOENT when there was none: fine */
    return gw ? sn_ipv4_add_route(ip, 0, 0, gw) : SN_OK;
}

size_t sn_ipv4_routes(const sn_ipv4 *ip, sn_route *out, size_t max)
{
    return sn_route_list(ip->routes, out, max);
}

void sn_ipv4_set_forwarding(sn_ipv4 *ip, int on) { ip->forwarding = on != 0; }

void sn_ipv4_set_local_fragmentation(sn_ipv4 *ip, int on) { ip->frag_local = on != 0; }

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

/* Longest-prefix match in the routing table: the outgoing interface, and
 * in *next_hop the gateway or, on-link, the destination itself. NULL: no
 * route. */
static ipv4_iface *route(const sn_ipv4 *ip, sn_ip4 dst, sn_ip4 *next_hop)
{
    const sn_route *r = sn_route_lookup(ip->routes, dst);
    if (!r || r->ifindex < 0 || (size_t)r->ifindex >= ip->n_ifs)
        return NULL;
    *next_hop = r->next_hop ? r->next_hop : dst;
    return (ipv4_iface *)&ip->ifs[r->ifindex];
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

/* Hand each packet of `q` (all of it, in order) to interface `f`: captured,
 * then to the link broadcast or through ARP to `nh`. Returns SN_OK or the
 * first error (the datagram is then lost: a missing fragment spoils it). */
static int send_queue(sn_ipv4 *ip, ipv4_iface *f, sn_ip4 nh, int bcast, sn_pktq *q,
                      sn_time_t now)
{
    int rc = SN_OK;
    sn_pkt *p;
    while ((p = sn_pktq_pop(q))) {
        sn_pcap_tap_write(f->tap, now, sn_pkt_data(p), sn_pkt_len(p));
        p->meta.ifindex = (int)(f - ip->ifs);
        p->meta.flags = 0;
        int r = bcast ? sn_netif_output(f->nif, &sn_mac_broadcast, SN_ETHERTYPE_IPV4, p, now)
                      : sn_arp_output(f->arp, nh, p);
        if (r != SN_OK && rc == SN_OK)
            rc = r;
    }
    return rc;
}

/* RFC 1812 5.2-5.3: forward a packet (data = whole IPv4 packet, trimmed,
 * captured on its arrival interface) that is not for us. Takes ownership.
 * ICMP errors quote it as it arrived (before the TTL decrement). */
static void ip_forward(sn_ipv4 *ip, const sn_ipv4_hdr *h, sn_pkt *pkt, sn_time_t now)
{
    const uint8_t *in = sn_pkt_data(pkt);
    size_t in_len = sn_pkt_len(pkt);
    /* RFC 1812 5.3.5 / RFC 1122 3.3.6: link-layer broadcasts and IP
     * broadcasts, multicast (no multicast routing here) and 0.0.0.0 stay on
     * their network; directed-broadcast forwarding is off */
    if (pkt->meta.flags & (SN_PKT_F_BCAST | SN_PKT_F_MCAST)) {
        ip->drops[DROP_LINK_BCAST]++;
        sn_pkt_free(pkt);
        return;
    }
    /* ...nor do martians: "this network" (0/8) and loopback (127/8) are
     * never forwarded (RFC 1812 4.2.2.11, 5.3.7) */
    if ((h->dst >> 24) == 0 || (h->dst >> 24) == 127 || (h->dst >> 28) >= 14 ||
        sn_ipv4_is_broadcast(ip, h->dst)) {
        ip->drops[DROP_FWD_BROADCAST]++;
        sn_pkt_free(pkt);
        return;
    }
    /* RFC 1812 5.3.1: a TTL that would reach 0 is not forwarded */
    if (h->ttl <= 1) {
        ip->drops[DROP_TTL_EXCEEDED]++;
        sn_icmp_send_error(ip->icmp, SN_ICMP_TIME_EXCEEDED, SN_ICMP_TTL_EXCEEDED, in, in_len, 0,
                           now);
        sn_pkt_free(pkt);
        return;
    }
    sn_ip4 nh;
    ipv4_iface *out = route(ip, h->dst, &nh);
    if (!out) {
        ip->drops[DROP_NO_ROUTE]++;
        sn_icmp_send_error(ip->icmp, SN_ICMP_DEST_UNREACH, SN_ICMP_NET_UNREACH, in, in_len, 0,
                           now);
        sn_pkt_free(pkt);
        return;
    }
    unsigned mtu = sn_netif_mtu(out->nif);
    if (h->total_len > mtu && h->df) {
        /* RFC 1191: the next-hop MTU tells the sender what fits */
        ip->drops[DROP_FRAG_NEEDED]++;
        sn_icmp_send_error(ip->icmp, SN_ICMP_DEST_UNREACH, SN_ICMP_FRAG_NEEDED, in, in_len, mtu,
                           now);
        sn_pkt_free(pkt);
        return;
    }
    /* TTL - 1; the checksum follows incrementally (RFC 1624 eqn 3, RFC 1812
     * 5.3.1) over the 16-bit word TTL|protocol: no pass over the header */
    uint8_t *b = sn_pkt_data(pkt);
    uint16_t old = sn_get_be16(b + 8);
    b[8]--;
    sn_put_be16(b + 10, sn_csum_update16(sn_get_be16(b + 10), old, sn_get_be16(b + 8)));
    sn_pktq q;
    sn_pktq_init(&q, SIZE_MAX);
    if (h->total_len > mtu) {
        /* RFC 1812 5.2.6: DF clear, so fragment; the fragments are new
         * buffers, the original is ours to free */
        int n = sn_ipv4_fragment(ip->pool, pkt, mtu, &q);
        sn_pkt_free(pkt);
        if (n < 0) {
            ip->drops[DROP_FWD_NOBUFS]++;
            return;
        }
        ip->fragments_created += (uint64_t)n;
    } else {
        sn_pktq_push(&q, pkt); /* cannot fail: the queue is unbounded */
    }
    ip->forwarded++;
    send_queue(ip, out, nh, 0, &q, now);
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
        if (f && ip->forwarding) {
            ip_forward(ip, &h, pkt, now);
            return;
        }
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
        ip->rx_fragments++;
        sn_pkt *whole = NULL;
        /* the reassembler takes the fragment whatever happens and counts
         * its own drops (listed as drop_reass*) */
        if (sn_reass_input(ip->reass, pkt, &whole) != SN_OK || !whole)
            return;
        /* a new buffer from reass_pool: its header says MF 0, offset 0 */
        pkt = whole;
        if (sn_ipv4_parse(sn_pkt_data(pkt), sn_pkt_len(pkt), &h) != SN_IPV4_OK) {
            ip->drops[DROP_REASS]++; /* cannot happen: reass writes a valid header */
            sn_pkt_free(pkt);
            return;
        }
        ip->reassembled++;
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
static int loop_output(sn_ipv4 *ip, sn_ip4 src, sn_ip4 dst, uint8_t proto, uint8_t ttl,
                       sn_pkt *pkt, sn_pcap_tap *local_tap)
{
    uint8_t *b = sn_pkt_push(pkt, SN_IPV4_HDR_MIN);
    if (!b || sn_pkt_len(pkt) > 65535) {
        ip->drops[DROP_TX_NOBUFS]++;
        sn_pkt_free(pkt);
        return SN_ERR_NOBUFS;
    }
    sn_ipv4_hdr h = {.total_len = (uint16_t)sn_pkt_len(pkt), .id = ip->next_id++,
                     .ttl = ttl, .proto = proto, .src = src, .dst = dst};
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

/* How a datagram this node originates is sent, from the caller's options
 * (NULL: the defaults): both output paths decode them here. */
typedef struct tx_params {
    uint8_t ttl, df;
    int may_frag; /* fragment locally when larger than the MTU */
} tx_params;

static tx_params tx_params_of(const sn_ipv4 *ip, const sn_ipv4_tx_opts *opts)
{
    tx_params t = {opts && opts->ttl ? opts->ttl : SN_IPV4_DEFAULT_TTL, opts && opts->df,
                   opts ? !opts->df : ip->frag_local};
    return t;
}

/* Write the 20-byte header of an originated datagram of `total` bytes
 * leaving by f (a zero source: f's address), taking the next id. */
static void emit_local_hdr(sn_ipv4 *ip, const ipv4_iface *f, sn_ip4 src, sn_ip4 dst,
                           uint8_t proto, const tx_params *t, size_t total, uint8_t *out)
{
    sn_ipv4_hdr h = {
        .hdr_len = SN_IPV4_HDR_MIN,
        .total_len = (uint16_t)total,
        .id = ip->next_id++,
        .df = t->df,
        .ttl = t->ttl,
        .proto = proto,
        .src = src ? src : f->addr,
        .dst = dst,
    };
    sn_ipv4_emit(out, &h);
}

int sn_ipv4_output(sn_ipv4 *ip, sn_ip4 src, sn_ip4 dst, uint8_t proto, sn_pkt *pkt,
                   sn_pcap_tap *local_tap)
{
    return sn_ipv4_output_opts(ip, src, dst, proto, pkt, local_tap, NULL);
}

int sn_ipv4_output_opts(sn_ipv4 *ip, sn_ip4 src, sn_ip4 dst, uint8_t proto, sn_pkt *pkt,
                        sn_pcap_tap *local_tap, const sn_ipv4_tx_opts *opts)
{
    tx_params t = tx_params_of(ip, opts);
    if (sn_ipv4_is_local(ip, dst))
        return loop_output(ip, src ? src : dst, dst, proto, t.ttl, pkt, local_tap);
    sn_ip4 nh;
    ipv4_iface *f = route(ip, dst, &nh);
    if (!f) {
        ip->drops[DROP_NO_ROUTE]++;
        sn_pkt_free(pkt);
        return SN_ERR_NOENT;
    }
    size_t total = sn_pkt_len(pkt) + SN_IPV4_HDR_MIN;
    unsigned mtu = sn_netif_mtu(f->nif);
    /* DF set: the sender asked not to be fragmented (path MTU discovery),
     * so it learns at once, as Linux answers EMSGSIZE; beyond 65535 no
     * header can say the length */
    if (total > SN_IPV4_MAX_LEN || (!t.may_frag && total > mtu)) {
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
    emit_local_hdr(ip, f, src, dst, proto, &t, total, b);
    sn_time_t now = sn_sched_now(ip->sched);
    /* the transport capture shows the datagram whole, the interface's
     * capture what goes on its link (fragments, in send_queue) */
    sn_pcap_tap_write(local_tap, now, b, sn_pkt_len(pkt));
    sn_pktq q;
    sn_pktq_init(&q, SIZE_MAX);
    if (total > mtu) {
        int n = sn_ipv4_fragment(ip->pool, pkt, mtu, &q);
        sn_pkt_free(pkt); /* the fragments are new buffers */
        if (n < 0) {
            ip->drops[DROP_TX_NOBUFS]++;
            return SN_ERR_NOBUFS;
        }
        ip->fragments_created += (uint64_t)n;
    } else {
        sn_pktq_push(&q, pkt); /* cannot fail: the queue is unbounded */
    }
    ip->tx_packets++;
    return send_queue(ip, f, nh, is_broadcast_for(f, dst), &q, now);
}

/* The largest thdr_len sn_ipv4_output_data takes: a TCP header with every
 * option. [bytes] */
#define OUTPUT_DATA_THDR_MAX 60

int sn_ipv4_output_data(sn_ipv4 *ip, sn_ip4 src, sn_ip4 dst, uint8_t proto, const void *thdr,
                        size_t thdr_len, const void *data, size_t len, sn_pcap_tap *local_tap,
                        const sn_ipv4_tx_opts *opts)
{
    if (!ip || thdr_len > OUTPUT_DATA_THDR_MAX || (thdr_len && !thdr) || (len && !data))
        return SN_ERR_INVAL;
    size_t seg = thdr_len + len; /* [bytes] transport segment */
    if (len > SN_IPV4_MAX_LEN || seg + SN_IPV4_HDR_MIN > SN_IPV4_MAX_LEN) {
        ip->drops[DROP_TX_TOO_BIG]++;
        return SN_ERR_RANGE;
    }
    int local = sn_ipv4_is_local(ip, dst);
    /* what fits one buffer of the node's pool takes the ordinary path;
     * a larger datagram to ourselves needs one whole buffer all the same
     * (it is delivered as if reassembled), so it borrows a reassembly one */
    size_t node_room = sn_pktpool_buf_size(ip->pool);
    node_room = node_room > SN_PKT_HEADROOM ? node_room - SN_PKT_HEADROOM : 0;
    if (seg + SN_IPV4_HDR_MIN <= node_room || local) {
        sn_pkt *p = sn_pkt_alloc_tx(seg + SN_IPV4_HDR_MIN <= node_room ? ip->pool
                                                                      : ip->reass_pool);
        uint8_t *b = p ? sn_pkt_put(p, seg) : NULL;
        if (!b) {
            sn_pkt_free(p);
            ip->drops[DROP_TX_NOBUFS]++;
            return SN_ERR_NOBUFS;
        }
        if (thdr_len)
            memcpy(b, thdr, thdr_len);
        if (len)
            memcpy(b + thdr_len, data, len);
        return sn_ipv4_output_opts(ip, src, dst, proto, p, local_tap, opts);
    }

    /* Larger than a node buffer: the fragments are built straight from the
     * caller's pieces (net/frag sn_ipv4_fragment_parts), so no 64 KiB
     * buffer is ever needed on the way out. */
    tx_params t = tx_params_of(ip, opts);
    sn_ip4 nh;
    ipv4_iface *f = route(ip, dst, &nh);
    if (!f) {
        ip->drops[DROP_NO_ROUTE]++;
        return SN_ERR_NOENT;
    }
    size_t total = seg + SN_IPV4_HDR_MIN;
    /* a frame must also fit one node buffer: with an MTU above what the
     * pool can carry, fragments are cut to what it can */
    unsigned mtu = sn_netif_mtu(f->nif);
    if (mtu > node_room)
        mtu = (unsigned)node_room;
    if (!t.may_frag) {
        ip->drops[DROP_TX_TOO_BIG]++; /* larger than a buffer, so than any frame */
        return SN_ERR_RANGE;
    }
    uint8_t hdr[SN_IPV4_HDR_MIN + OUTPUT_DATA_THDR_MAX];
    emit_local_hdr(ip, f, src, dst, proto, &t, total, hdr);
    if (thdr_len)
        memcpy(hdr + SN_IPV4_HDR_MIN, thdr, thdr_len);
    sn_time_t now = sn_sched_now(ip->sched);
    sn_pcap_tap_write2(local_tap, now, hdr, SN_IPV4_HDR_MIN + thdr_len, data, len);
    sn_pkt_meta meta;
    sn_pkt_meta_reset(&meta);
    meta.time = now;
    sn_pktq q;
    sn_pktq_init(&q, SIZE_MAX);
    int n = sn_ipv4_fragment_parts(ip->pool, hdr, hdr + SN_IPV4_HDR_MIN, thdr_len, data, len,
                                   mtu, &meta, &q);
    if (n < 0) {
        ip->drops[DROP_TX_NOBUFS]++;
        return n == SN_ERR_NOBUFS ? SN_ERR_NOBUFS : SN_ERR_RANGE;
    }
    ip->fragments_created += (uint64_t)n;
    ip->tx_packets++;
    return send_queue(ip, f, nh, is_broadcast_for(f, dst), &q, now);
}

size_t sn_ipv4_stats(const sn_ipv4 *ip, sn_stat *out, size_t max)
{
    size_t n = 0;
    n = sn_stat_add(out, n, max, "rx_packets", ip->rx_packets);
    n = sn_stat_add(out, n, max, "rx_delivered", ip->rx_delivered);
    n = sn_stat_add(out, n, max, "tx_packets", ip->tx_packets);
    n = sn_stat_add(out, n, max, "forwarded", ip->forwarded);
    n = sn_stat_add(out, n, max, "fragments_created", ip->fragments_created);
    n = sn_stat_add(out, n, max, "rx_fragments", ip->rx_fragments);
    n = sn_stat_add(out, n, max, "rx_reassembled", ip->reassembled);
    /* the reassembler's datagram drops, in one line (net/frag lists them
     * by reason), timeouts apart since they may answer with ICMP */
    sn_reass_stats rs;
    sn_reass_get_stats(ip->reass, &rs);
    uint64_t reass_drops = rs.drop_malformed + rs.drop_duplicate + rs.drop_overlap +
                           rs.drop_too_big + rs.drop_bad_frag + rs.drop_tiny +
                           rs.drop_evicted + rs.drop_nobufs + ip->drops[DROP_REASS];
    for (int i = 1; i < DROP_COUNT; i++)
        n = sn_stat_add(out, n, max, drop_names[i],
                        i == DROP_REASS ? reass_drops : ip->drops[i]);
    n = sn_stat_add(out, n, max, "drop_reass_timeout", rs.drop_timeout);
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
