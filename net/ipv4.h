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
 * dropped and counted (RFC 1122 3.2.1.3, 3.3.6). Forwarding (routers)
 * arrives with the routing issue; until then packets for other hosts are
 * counted as drop_not_for_us.
 *
 * Every sn_ipv4 owns the node's ICMP (net/icmp.h), made with it: a packet
 * for an unregistered protocol is answered with Protocol Unreachable
 * (within ICMP's suppression rules and rate limit) besides being counted.
 *
 * Output: pick the interface whose connected prefix holds the destination
 * (else the default gateway's), push the header, capture, resolve by ARP and
 * send. A packet to one of our own addresses is looped back: delivered as
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

#define SN_IPV4_MAX_IFACES 8
#define SN_IPV4_DEFAULT_TTL 64

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

int sn_ipv4_set_default_gw(sn_ipv4 *ip, sn_ip4 gw);

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
 * ownership of pkt. SN_OK (sent or waiting for ARP), SN_ERR_NOENT (no
 * route), SN_ERR_RANGE (larger than the interface MTU: fragmentation comes
 * with the routing issue), SN_ERR_NOBUFS. Every failure is counted. */
int sn_ipv4_output(sn_ipv4 *ip, sn_ip4 src, sn_ip4 dst, uint8_t proto, sn_pkt *pkt,
                   sn_pcap_tap *local_tap);

size_t sn_ipv4_stats(const sn_ipv4 *ip, sn_stat *out, size_t max);

size_t sn_ipv4_iface_count(const sn_ipv4 *ip);
sn_arp *sn_ipv4_iface_arp(const sn_ipv4 *ip, size_t i);
sn_netif *sn_ipv4_iface_netif(const sn_ipv4 *ip, size_t i);

#endif
