/* net/ipv4: a node's IPv4 layer: its interfaces and addresses, input
 * validation and local delivery by protocol, and output through ARP.
 *
 * Input (RFC 791, RFC 1122 3.2.1): a packet from an interface is validated
 * (version, IHL, lengths, header checksum; each failure a counted, silent
 * drop), trimmed to its Total Length (link padding is not payload), written
 * to that interface's net capture, and, when addressed to one of our
 * addresses or a broadcast, handed to the handler registered for its
 * protocol. Sources that do not name one host (0/8, 127/8, multicast,
 * class E, a broadcast), unicast datagrams that came as link-layer
 * broadcasts, and frames a promiscuous interface saw for other stations are
 * dropped and counted (RFC 1122 3.2.1.3, 3.3.6). Fragments for us are
 * reassembled (net/frag: sn_reass, EMTU_R 65535, timeout 60 s; a timed-out
 * datagram whose first fragment arrived is answered with ICMP Time Exceeded
 * code 1, RFC 1122 3.3.2). Whole datagrams are built in buffers of a small
 * pool of the sn_ipv4's own (SN_IPV4_REASS_BUFS of 64 KiB + headroom),
 * since they may exceed the node's pool buffers; protocol handlers free
 * them as any other packet (sn_pkt_free returns a buffer to its pool).
 *
 * Routing: one longest-prefix-match table (net/route) per sn_ipv4. Each
 * interface adds its connected route (next hop 0 = on-link);
 * sn_ipv4_add_route() adds static routes, sn_ipv4_set_default_gw() the
 * 0.0.0.0/0 one. Output and forwarding both look up this table.
 *
 * Forwarding (RFC 1812), when sn_ipv4_set_forwarding(ip, 1): a packet that
 * is not for us (neither one of our addresses nor a broadcast of the arrival
 * network) is forwarded, except (each counted, nothing sent) a link-layer
 * broadcast/multicast frame (drop_link_broadcast), a destination that is a
 * broadcast of any of our networks, multicast, class E or 0.0.0.0
 * (drop_fwd_broadcast; directed-broadcast forwarding is off, RFC 1812
 * 5.3.5), or a bad source (drop_bad_src, as for local delivery). Then:
 *   - TTL <= 1: ICMP Time Exceeded code 0 (drop_ttl_exceeded);
 *   - no route: ICMP Destination Unreachable code 0 (drop_no_route);
 *   - larger than the outgoing MTU: DF set -> Destination Unreachable code 4
 *     with the next-hop MTU (drop_frag_needed); DF clear -> fragmented
 *     (fragments_created counts the pieces sent);
 *   - else TTL - 1 with the RFC 1624 incremental checksum update, captured
 *     on the departure interface's net tap (it was captured on the arrival
 *     one already) and sent to the route's next hop through ARP
 *     (forwarded). ICMP errors quote the packet as it arrived.
 * A next hop that ARP cannot resolve earns each waiting packet's sender an
 * ICMP Host Unreachable (drop_host_unreachable; ARP counts drop_unresolved).
 * Destinations in 0/8, 127/8, multicast, class E or a broadcast are never
 * forwarded (drop_fwd_broadcast). No Redirects are sent (RFC 1812 5.2.7.2 makes them a
 * SHOULD that may be configured off). With forwarding off (the default, a
 * host) packets for other hosts are counted as drop_not_for_us.
 *
 * Every sn_ipv4 owns the node's ICMP (net/icmp.h), made with it: a packet
 * for an unregistered protocol is answered with Protocol Unreachable
 * (within ICMP's suppression rules and rate limit) besides being counted.
 *
 * Output: look the destination up in the routing table, push the header,
 * capture, fragment when larger than the interface MTU (DF clear), resolve
 * the next hop by ARP and send. A packet to one of our own addresses is looped back: delivered as
 * received one scheduler event later, without touching an interface.
 */
#ifndef SN_NET_IPV4_H
#define SN_NET_IPV4_H

#include <stdint.h>

#include "core/pcap_tap.h"
#include "core/pkt.h"
#include "core/sched.h"
#include "core/stats.h"
#include "mac/netif.h"
#include "net/arp.h"
#include "net/ipv4_wire.h"
#include "net/route.h"

#define SN_IPV4_MAX_IFACES 8
#define SN_IPV4_DEFAULT_TTL 64
#define SN_IPV4_MAX_ROUTES 256  /* [routes] per node, connected ones included */
#define SN_IPV4_REASS_BUFS 4    /* [buffers] of SN_IPV4_REASS_BUF_SIZE for reassembly */
#define SN_IPV4_REASS_BUF_SIZE (65536 + SN_PKT_HEADROOM) /* [bytes] */

typedef struct sn_ipv4 sn_ipv4;
typedef struct sn_icmp sn_icmp; /* net/icmp.h */

/* Local delivery of one protocol. pkt data = the IP payload (trimmed to
 * Total Length); the received IP header bytes stay in the headroom right
 * in front of it (hdr->hdr_len bytes), so a transport capture can include
 * them. Takes ownership of pkt. */
typedef void (*sn_ipv4_proto_fn)(void *user, const sn_ipv4_hdr *hdr, sn_pkt *pkt);

/* Creates the node's ICMP too (registered for protocol 1). */
sn_ipv4 *sn_ipv4_create(sn_sched *s, sn_pktpool *pool);
void sn_ipv4_destroy(sn_ipv4 *ip); /* NULL-safe; destroys its ARP tables and ICMP */

/* The node's ICMP (never NULL for a created sn_ipv4). */
sn_icmp *sn_ipv4_icmp(const sn_ipv4 *ip);

/* Add an interface with its address. `net_tap` (may be NULL, caller-owned)
 * is the interface's IPv4 capture. Registers itself as the netif's receive
 * handler. Returns the interface index (>= 0) or a negative error. */
int sn_ipv4_add_iface(sn_ipv4 *ip, sn_netif *nif, sn_ip4 addr, int prefix_len,
                      sn_pcap_tap *net_tap);

/* Send an ARP announcement on every interface (interfaces coming up). */
void sn_ipv4_announce(sn_ipv4 *ip);

/* The default route 0.0.0.0/0 via `gw` (replaces any; 0 removes it).
 * SN_OK, or SN_ERR_NOENT when no interface's network holds gw. */
int sn_ipv4_set_default_gw(sn_ipv4 *ip, sn_ip4 gw);

/* A static route: prefix/len via next_hop, which must lie in the connected
 * network of one of our interfaces (that interface is used; the longest
 * connected prefix wins). SN_OK; SN_ERR_NOENT (next hop not on-link);
 * SN_ERR_INVAL (next_hop 0, bad length, host bits set); SN_ERR_EXIST (a
 * route for that prefix exists); SN_ERR_RANGE / SN_ERR_NOMEM (table). */
int sn_ipv4_add_route(sn_ipv4 *ip, sn_ip4 prefix, int prefix_len, sn_ip4 next_hop);

/* Copy up to max routes (ip route order, see sn_route_list) into out;
 * returns how many the table holds. */
size_t sn_ipv4_routes(const sn_ipv4 *ip, sn_route *out, size_t max);

/* Forwarding on (1, a router) or off (0, a host: the default). */
void sn_ipv4_set_forwarding(sn_ipv4 *ip, int on);

/* Register the handler of an IP protocol number (replaces any previous). */
void sn_ipv4_register_proto(sn_ipv4 *ip, uint8_t proto, sn_ipv4_proto_fn fn, void *user);

/* Our address to use as source towards `dst` (that of the outgoing
 * interface), or 0 if there is no route. */
sn_ip4 sn_ipv4_source_for(const sn_ipv4 *ip, sn_ip4 dst);

/* 1 if `a` is one of our addresses. */
int sn_ipv4_is_local(const sn_ipv4 *ip, sn_ip4 a);

/* 1 if `a` is the limited broadcast or the directed broadcast of one of
 * our interfaces' networks. */
int sn_ipv4_is_broadcast(const sn_ipv4 *ip, sn_ip4 a);

/* Send `pkt` (data = transport segment) from `src` (0: pick) to `dst`.
 * Pushes the IPv4 header (TTL 64, DF clear). `local_tap` (may be NULL)
 * receives the whole packet too: the sender's transport capture. Takes
 * ownership of pkt. A packet larger than the interface MTU is fragmented
 * (sn_ipv4_fragment, from the node's pool) when local fragmentation is on
 * (the default; sn_ipv4_set_local_fragmentation), else refused with SN_ERR_RANGE
 * (drop_tx_too_big). SN_OK (sent or waiting for ARP), SN_ERR_NOENT (no
 * route), SN_ERR_RANGE, SN_ERR_NOBUFS. Every failure is counted. */
int sn_ipv4_output(sn_ipv4 *ip, sn_ip4 src, sn_ip4 dst, uint8_t proto, sn_pkt *pkt,
                   sn_pcap_tap *local_tap);

/* Local output larger than the interface MTU: 1 (the default, like
 * Linux's IP_PMTUDISC_WANT) fragments it (RFC 791); 0 refuses it with
 * SN_ERR_RANGE, as a socket with DF set gets EMSGSIZE. */
void sn_ipv4_set_local_fragmentation(sn_ipv4 *ip, int on);

/* Header fields a sender may choose (ping -t, ping -M do, tracepath).
 * Passing options overrides the node's local-fragmentation setting. */
typedef struct sn_ipv4_tx_opts {
    uint8_t ttl; /* 0: SN_IPV4_DEFAULT_TTL */
    uint8_t df;  /* 1: Don't Fragment set; larger than the MTU -> SN_ERR_RANGE
                    (counted drop_tx_too_big), as Linux's EMSGSIZE;
                    0: DF clear, fragmented when larger than the MTU */
} sn_ipv4_tx_opts;

/* sn_ipv4_output with options (opts NULL = defaults). */
int sn_ipv4_output_opts(sn_ipv4 *ip, sn_ip4 src, sn_ip4 dst, uint8_t proto, sn_pkt *pkt,
                        sn_pcap_tap *local_tap, const sn_ipv4_tx_opts *opts);

/* Send a transport segment given as its header `thdr` [thdr_len bytes,
 * <= 60, checksum already computed over header and data] and its data
 * [len bytes], both borrowed (copied before return), from `src` (0: pick)
 * to `dst`, with `opts` (NULL = defaults, as sn_ipv4_output_opts). Unlike
 * sn_ipv4_output the datagram need not fit one of the node's buffers: up
 * to 65535 bytes in all (65515 of segment). What fits one node buffer goes
 * the ordinary way; a larger datagram is fragmented straight from the two
 * pieces into node buffers (net/frag sn_ipv4_fragment_parts: fragments at
 * most the interface MTU, and at most a node buffer less headroom), as
 * Linux fragments a large ping or UDP send; one to our own address is
 * built whole in a reassembly buffer and looped back. `local_tap` gets the
 * whole datagram. SN_OK; SN_ERR_RANGE (larger than 65535, or DF asked and
 * larger than the MTU); SN_ERR_NOENT (no route); SN_ERR_NOBUFS (pool
 * empty: nothing is sent); SN_ERR_INVAL (bad arguments). Counted as for
 * sn_ipv4_output. */
int sn_ipv4_output_data(sn_ipv4 *ip, sn_ip4 src, sn_ip4 dst, uint8_t proto, const void *thdr,
                        size_t thdr_len, const void *data, size_t len, sn_pcap_tap *local_tap,
                        const sn_ipv4_tx_opts *opts);

size_t sn_ipv4_stats(const sn_ipv4 *ip, sn_stat *out, size_t max);

size_t sn_ipv4_iface_count(const sn_ipv4 *ip);
sn_arp *sn_ipv4_iface_arp(const sn_ipv4 *ip, size_t i);
sn_netif *sn_ipv4_iface_netif(const sn_ipv4 *ip, size_t i);

#endif
