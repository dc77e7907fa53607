/* net/route: an IPv4 routing table with longest-prefix match.
 *
 * A router asks one question per forwarded packet: which route has the
 * longest prefix that contains this destination? (RFC 1812, 5.2.4.3.) The
 * table holds at most one route per (prefix, length); 0.0.0.0/0 is the
 * default route and matches everything; a next hop of 0 means "on-link"
 * (a connected network: send straight to the destination itself).
 *
 * Structure: a multibit trie with strides 16-4-4-4-4 and leaf pushing.
 *   - Level 0 is a flat array of 2^16 32-bit slots indexed by the top 16
 *     bits of the address (256 KiB, fixed).
 *   - Below it, chunks of 16 slots (64 bytes: exactly one cache line, and
 *     allocated cache-line aligned) each consume 4 more bits, up to 4 levels
 *     (16 + 4*4 = 32).
 *   - A slot holds either nothing, a route, or a child chunk. Every route is
 *     "pushed" (expanded) into all the slots its prefix covers, unless a
 *     longer prefix already owns them, so a lookup never backtracks: it
 *     follows child pointers until it meets a leaf, and that leaf is the
 *     answer. One load for prefixes up to /16, three for a /24, five at most.
 * Why this one:
 *   - DIR-24-8 would do a /24 in one load, but costs 32..64 MiB whatever the
 *     table holds; a node of sdrnet's simulator may be one of dozens of
 *     routers in one process.
 *   - Poptrie-style bitmap compression is smaller still, but its updates are
 *     far more involved; 4-bit chunks already keep a /24 in an otherwise
 *     empty /16 to 2 chunks (128 bytes), and a real table's prefixes cluster
 *     and share chunks.
 *   - A binary or path-compressed trie needs up to 32 dependent loads and
 *     branchy code; here the inner loop is a shift, a mask and a load.
 * The top level dominates the memory of small tables (256 KiB); for 10 000
 * routes of a realistic length mix the total is about 100..200 bytes/route
 * (see tests/bench/bench_route.c).
 *
 * Updates are incremental: adding a route rewrites only the slots under its
 * prefix; deleting one writes back the next shorter prefix that covers it
 * (found with at most 32 exact-match probes of a hash of the routes) and
 * frees the chunks that no longer hold any route. Each chunk counts the
 * routes rooted at or below it, so an emptied chunk is noticed in O(1).
 *
 * Lookups never allocate and never fail; adds may allocate (chunks) and
 * report SN_ERR_NOMEM, leaving the table unchanged. The table is not
 * thread-safe: one owner, as everywhere in sdrnet's single-threaded
 * scheduler.
 */
#ifndef SN_NET_ROUTE_H
#define SN_NET_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "core/stats.h"
#include "net/ipv4_wire.h"

/* Upper bound on sn_route_create's max_routes: slot values keep one bit for
 * "child chunk" and the chunk pool needs up to 4 chunks per route. */
#define SN_ROUTE_MAX_ROUTES (1u << 24)

typedef enum sn_route_type {
    SN_ROUTE_CONNECTED = 0, /* next_hop == 0: the destination is on-link */
    SN_ROUTE_STATIC,        /* via a gateway (next_hop != 0) */
    SN_ROUTE_DEFAULT,       /* 0.0.0.0/0, whatever its next hop */
} sn_route_type;

typedef struct sn_route {
    sn_ip4 prefix;      /* network address, host bits zero */
    int prefix_len;     /* [bits] 0..32 */
    sn_ip4 next_hop;    /* gateway; 0 = on-link (connected) */
    int ifindex;        /* outgoing interface, as the caller numbers them */
    uint32_t metric;    /* informational (one route per prefix: never
                           compared), printed like `ip route` does */
    sn_route_type type; /* derived from prefix_len and next_hop by _add */
} sn_route;

typedef struct sn_route_table sn_route_table;

/* A table for up to max_routes routes (1..SN_ROUTE_MAX_ROUTES); NULL on a
 * bad bound or when memory runs out. */
sn_route_table *sn_route_create(size_t max_routes);
void sn_route_destroy(sn_route_table *t); /* NULL-safe */

/* Add a route.
 *   SN_OK;
 *   SN_ERR_INVAL  t NULL, prefix_len outside 0..32, or host bits set in
 *                 prefix (192.168.1.7/24): refused rather than masked, as
 *                 `ip route` does, because a silently "corrected" route
 *                 hides a typing mistake in the configuration;
 *   SN_ERR_EXIST  a route for the same prefix and length exists (delete it
 *                 first to replace it);
 *   SN_ERR_RANGE  the table already holds max_routes routes;
 *   SN_ERR_NOMEM  a chunk could not be allocated (table unchanged). */
int sn_route_add(sn_route_table *t, sn_ip4 prefix, int prefix_len, sn_ip4 next_hop,
                 int ifindex, uint32_t metric);

/* Delete the route for exactly (prefix, prefix_len): SN_OK, SN_ERR_NOENT
 * when there is none, SN_ERR_INVAL for bad arguments (as in _add). */
int sn_route_del(sn_route_table *t, sn_ip4 prefix, int prefix_len);

/* The route whose prefix is the longest one containing dst, or NULL when no
 * route matches (no default route). The pointer stays valid until that
 * route is deleted or the table destroyed. Counts lookups and misses. */
const sn_route *sn_route_lookup(const sn_route_table *t, sn_ip4 dst);

/* The route for exactly (prefix, prefix_len), or NULL. */
const sn_route *sn_route_find(const sn_route_table *t, sn_ip4 prefix, int prefix_len);

/* Number of routes held. */
size_t sn_route_count(const sn_route_table *t);

/* Copy up to max routes into out, sorted by prefix (ascending, as an
 * unsigned number) then by length (shorter first) - the order `ip route`
 * prints, default route first. Returns the number of routes in the table
 * (may exceed max: then out holds the first max in that order). Does not
 * allocate. */
size_t sn_route_list(const sn_route_table *t, sn_route *out, size_t max);

/* [bytes] heap memory held by the table (all arrays, at their capacity). */
size_t sn_route_memory(const sn_route_table *t);

/* Counters: routes, chunks, lookups, misses, adds, deletes. */
size_t sn_route_stats(const sn_route_table *t, sn_stat *out, size_t max);

/* "connected", "static" or "default". */
const char *sn_route_type_str(sn_route_type type);

#endif
