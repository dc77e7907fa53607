/* mac/bridge: a hub or a learning switch joining several netifs (ports).
 *
 * Hub: every frame that arrives on one port is repeated out of every other
 * port, unchanged. Nothing is learned: every station hears everything, as on
 * one shared medium (scenario S2).
 *
 * Switch (IEEE 802.1D transparent bridge, scenario S3): the filtering
 * database maps a station's MAC address to the port it was last heard on.
 *   - learning: the source address of every valid frame is recorded against
 *     its ingress port; a station heard on another port moves there at once;
 *     group addresses are never learned (a frame with a group *source* is
 *     invalid and dropped);
 *   - forwarding: a unicast frame to a known station goes out of that one
 *     port; unknown unicast, broadcast and multicast are flooded to every
 *     port but the ingress one; a frame is never sent back out of the port
 *     it came in on (destination learned on the ingress port: filtered);
 *     frames to the reserved link-local group 01:80:c2:00:00:00..0f (STP,
 *     LACP, 802.1X, ...) are never relayed;
 *   - ageing: an entry not refreshed by its station's traffic for the
 *     ageing time (default 300 s) is removed, and frames to it are flooded
 *     again; one scheduler timer stands at the earliest expiry;
 *   - bounded table: when it is full a new source is not learned (counted);
 *     frames to it are flooded, which is always correct, only less quiet.
 *
 * Ports are borrowed netifs. A port receives frames for every destination
 * (the bridge switches it to promiscuous mode) and hands them up to the
 * bridge, which puts the Ethernet header back and sends the frame as is
 * (source address kept) with sn_netif_output_frame(). Each netif still
 * checks length and FCS on the way in and pads and appends the FCS on the
 * way out, and writes its MAC capture in both directions.
 *
 * Loops: there is no spanning tree. Two bridges joined by two paths flood a
 * broadcast around forever; flowgraphs must be trees.
 *
 * Time is explicit: entry points take `now` [ns]; ageing runs on the
 * scheduler given at creation. Single-threaded, like the scheduler.
 */
#ifndef SN_MAC_BRIDGE_H
#define SN_MAC_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/pkt.h"
#include "core/sched.h"
#include "core/stats.h"
#include "core/time.h"
#include "mac/frame.h"
#include "mac/netif.h"

typedef struct sn_bridge sn_bridge;

typedef enum sn_bridge_mode {
    SN_BRIDGE_SWITCH = 0, /* learning switch (IEEE 802.1D) */
    SN_BRIDGE_HUB = 1,    /* repeater: every frame to every other port */
} sn_bridge_mode;

/* Ageing time bounds and default (IEEE 802.1D filtering database; the range
 * 10..1 000 000 s in steps of 1 s as 802.1Q lists it). [ns] */
#define SN_BRIDGE_AGEING_DEFAULT (300 * SN_NS_PER_S)
#define SN_BRIDGE_AGEING_MIN (10 * SN_NS_PER_S)
#define SN_BRIDGE_AGEING_MAX (1000000 * SN_NS_PER_S)
#define SN_BRIDGE_TABLE_DEFAULT 1024 /* [entries] */
#define SN_BRIDGE_TABLE_MAX 1048576  /* [entries] sanity bound on the config */
#define SN_BRIDGE_MAX_PORTS 64       /* ports per bridge */

typedef struct sn_bridge_config {
    const char *name;       /* e.g. "SW" (copied); NULL: "bridge" */
    sn_bridge_mode mode;
    sn_time_t ageing;       /* [ns] 0: SN_BRIDGE_AGEING_DEFAULT; otherwise a
                             * whole number of seconds in [MIN, MAX] */
    size_t table_size;      /* [entries] 0: SN_BRIDGE_TABLE_DEFAULT */
} sn_bridge_config;

/* One filtering-database entry as sn_bridge_table() lists it. */
typedef struct sn_bridge_entry {
    sn_mac_addr mac;
    int port;               /* 1-based port number */
    sn_time_t age;          /* [ns] since the station was last heard */
} sn_bridge_entry;

/* `s` runs the ageing timer and `pool` supplies the copies a flood needs;
 * both are borrowed and must outlive the bridge. `cfg` NULL: a switch with
 * the defaults. NULL on a bad config (logged) or allocation failure. */
sn_bridge *sn_bridge_create(const sn_bridge_config *cfg, sn_sched *s, sn_pktpool *pool);

/* Cancels the ageing timer, gives every port back (rx handler cleared,
 * promiscuous mode restored) and frees the table. The netifs are not
 * destroyed: destroy the bridge first, then its netifs. NULL-safe. */
void sn_bridge_destroy(sn_bridge *b);

/* Attach `nif` (borrowed; must outlive the bridge) as the next port. The
 * bridge becomes the netif's rx handler (replacing any other) and sets it
 * promiscuous. Returns the port number (1, 2, 3, ... in the order added), or
 * SN_ERR_RANGE (SN_BRIDGE_MAX_PORTS reached), SN_ERR_EXIST (already a port)
 * or SN_ERR_INVAL. */
int sn_bridge_add_port(sn_bridge *b, sn_netif *nif);

size_t sn_bridge_port_count(const sn_bridge *b);
/* The netif of port `port` (1-based), or NULL. */
sn_netif *sn_bridge_port_netif(const sn_bridge *b, int port);
const char *sn_bridge_name(const sn_bridge *b);
sn_bridge_mode sn_bridge_get_mode(const sn_bridge *b);

/* The port `mac` was learned on, or 0 if unknown (or aged out by `now` [ns]).
 * Always 0 for a hub. */
int sn_bridge_lookup(const sn_bridge *b, const sn_mac_addr *mac, sn_time_t now);

/* List the filtering database at `now` [ns], sorted by port then MAC address.
 * Writes up to `max` entries to out and returns the number of entries the
 * table holds (which may exceed max). */
size_t sn_bridge_table(const sn_bridge *b, sn_time_t now, sn_bridge_entry *out, size_t max);

/* Counters: rx_frames, rx_bytes, forwarded, flooded, tx_frames, learned,
 * moved, aged_out, table_entries, filtered_same_port, filtered_reserved,
 * drop_group_src, drop_table_full, drop_nobufs, drop_tx, drop_no_port,
 * timer_failures. Returns how many were written to out[max]. */
size_t sn_bridge_stats(const sn_bridge *b, sn_stat *out, size_t max);

#endif
