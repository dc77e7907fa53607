/* net/arp: address resolution on one interface (RFC 826).
 *
 * Maps a next-hop IPv4 address to a MAC address. A packet for an address not
 * yet resolved waits in a small bounded queue while a request is broadcast;
 * requests for one address go out at most once per second and are retried a
 * few times before the waiting packets are dropped (counted). Replies and
 * requests update the cache following RFC 826's merge rule: an existing entry
 * for the sender is refreshed by any ARP packet; a new entry is created only
 * when the packet is addressed to us. Entries expire after a lifetime.
 * An ARP packet from another station whose sender address is ours is an
 * address conflict (RFC 5227 2.4): counted (drop_conflict), logged, never
 * learned, and answered with one announcement at most every 10 s.
 */
#ifndef SN_NET_ARP_H
#define SN_NET_ARP_H

#include <stdint.h>

#include "core/pkt.h"
#include "core/sched.h"
#include "core/stats.h"
#include "mac/netif.h"
#include "net/ipv4_wire.h"

typedef struct sn_arp sn_arp;

typedef struct sn_arp_config {
    unsigned cache_size;      /* [entries] bound on the cache, e.g. 64 */
    unsigned queue_len;       /* [packets] waiting per unresolved address (default 48) */
    sn_time_t lifetime;       /* [ns] entry lifetime, e.g. 60 s */
    sn_time_t retry_interval; /* [ns] between requests for one address, >= 1 s */
    unsigned max_requests;    /* requests before giving up, e.g. 3 */
} sn_arp_config;

void sn_arp_config_default(sn_arp_config *c);

/* `my_ip` is the interface's address; `pool` for building requests. */
sn_arp *sn_arp_create(const sn_arp_config *cfg, sn_sched *s, sn_pktpool *pool,
                      sn_netif *nif, sn_ip4 my_ip);
void sn_arp_destroy(sn_arp *a); /* NULL-safe; frees queued packets */

/* Send an IPv4 packet to `next_hop`, resolving it first if needed. Takes
 * ownership of pkt. SN_OK when sent or queued; SN_ERR_NOBUFS when the
 * queue for that address is full (dropped, counted). */
int sn_arp_output(sn_arp *a, sn_ip4 next_hop, sn_pkt *pkt);

/* An ARP packet from the interface (data = ARP payload). Takes ownership. */
void sn_arp_input(sn_arp *a, sn_pkt *pkt);

/* Told about every packet dropped because its next hop never answered
 * (after max_requests), so the IP layer can send ICMP host unreachable.
 * `pkt` (an IPv4 packet) is borrowed for the call. */
typedef void (*sn_arp_unreach_fn)(void *user, const sn_pkt *pkt);
void sn_arp_set_unreachable(sn_arp *a, sn_arp_unreach_fn fn, void *user);

/* Interface up: announce our address with gratuitous ARP requests (sender
 * and target protocol address ours, target hardware address zero,
 * broadcast), RFC 5227 2.3: one now and a second 2 s later
 * (ANNOUNCE_NUM 2, ANNOUNCE_INTERVAL 2 s), so neighbours that cached an
 * older MAC for it update (merge rule). Calling it again restarts the
 * round. Returns the first announcement's send status (SN_ERR_INVAL for
 * NULL). Counted as tx_requests and tx_announcements. */
int sn_arp_announce(sn_arp *a);

/* Look up a cache entry; SN_OK with *mac filled, or SN_ERR_NOENT. */
int sn_arp_lookup(const sn_arp *a, sn_ip4 ip, sn_mac_addr *mac);

size_t sn_arp_stats(const sn_arp *a, sn_stat *out, size_t max);

#endif
