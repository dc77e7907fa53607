/* net/route: IPv4 routing table, multibit trie 16-4-4-4-4 with leaf pushing.
 * See route.h for the structure and why it was chosen. */
#include "net/route.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"

#define L0_BITS 16
#define L0_SLOTS (1u << L0_BITS)
#define SUB_BITS 4
#define SUB_SLOTS (1u << SUB_BITS)
/* chunks a route may need below level 0: (32 - 16) / 4 */
#define MAX_DEPTH ((32 - L0_BITS) / SUB_BITS)
#define CACHE_LINE 64 /* [bytes] */

/* Slot value: 0 = no route; CHILD | i = chunk i; otherwise route index + 1. */
#define CHILD 0x80000000u
#define NONE UINT32_MAX /* "no index" for routes, chunks and hash probes */

typedef struct chunk {
    uint32_t slot[SUB_SLOTS];
} chunk;

/* Lookup counters live outside the table so that sn_route_lookup can take a
 * const table (it changes no route) and still count. */
typedef struct counters {
    uint64_t lookups, misses;
} counters;

struct sn_route_table {
    uint32_t *l0;          /* [L0_SLOTS] indexed by dst >> 16 */
    chunk *chunks;         /* [chunk_cap] pool, cache-line aligned */
    uint32_t *refs;        /* [chunk_cap] routes rooted in or below chunk i */
    size_t chunk_cap;      /* chunks allocated */
    size_t chunk_top;      /* chunks ever handed out (the rest never used) */
    size_t chunk_nfree;    /* chunks on the free list */
    uint32_t chunk_free;   /* free-list head (linked through slot[0]) or NONE */

    sn_route *routes;      /* [max_routes]; a free entry has prefix_len -1 */
    uint32_t *route_free;  /* [max_routes] stack of free route indices */
    size_t route_nfree;
    size_t max_routes, nroutes;

    uint32_t *hash;        /* [hash_mask + 1] route index + 1, 0 = empty;
                              linear probing on (prefix, len) */
    size_t hash_mask;
    unsigned hash_bits;

    counters *ctr;
    uint64_t adds, deletes;
};

/* ---- exact-match hash of the routes, keyed on (prefix, len) ---- */

static size_t hash_home(const sn_route_table *t, sn_ip4 prefix, int len)
{
    /* Fibonacci hashing of the 38-bit key; the top bits are the best mixed */
    uint64_t k = ((uint64_t)prefix << 6 | (uint64_t)len) * 0x9E3779B97F4A7C15ull;
    return (size_t)(k >> (64 - t->hash_bits));
}

/* Hash position of (prefix, len), or NONE. */
static uint32_t hash_pos(const sn_route_table *t, sn_ip4 prefix, int len)
{
    size_t i = hash_home(t, prefix, len);
    for (;;) {
        uint32_t v = t->hash[i];
        if (v == 0)
            return NONE;
        const sn_route *r = &t->routes[v - 1];
        if (r->prefix == prefix && r->prefix_len == len)
            return (uint32_t)i;
        i = (i + 1) & t->hash_mask;
    }
}

/* Route index of (prefix, len), or NONE. */
static uint32_t hash_find(const sn_route_table *t, sn_ip4 prefix, int len)
{
    uint32_t p = hash_pos(t, prefix, len);
    return p == NONE ? NONE : t->hash[p] - 1;
}

static void hash_insert(sn_route_table *t, uint32_t ri)
{
    const sn_route *r = &t->routes[ri];
    size_t i = hash_home(t, r->prefix, r->prefix_len);
    while (t->hash[i] != 0)
        i = (i + 1) & t->hash_mask;
    t->hash[i] = ri + 1;
}

/* Backward-shift deletion: no tombstones, so probe chains never degrade
 * after many add/delete cycles. */
static void hash_remove_at(sn_route_table *t, size_t i)
{
    t->hash[i] = 0;
    size_t j = i;
    for (;;) {
        j = (j + 1) & t->hash_mask;
        uint32_t v = t->hash[j];
        if (v == 0)
            return;
        const sn_route *r = &t->routes[v - 1];
        size_t k = hash_home(t, r->prefix, r->prefix_len);
        /* the entry at j may stay if its home lies cyclically in (i, j] */
        int stays = i < j ? (k > i && k <= j) : (k > i || k <= j);
        if (!stays) {
            t->hash[i] = v;
            t->hash[j] = 0;
            i = j;
        }
    }
}

/* ---- chunk pool ---- */

/* Make sure `need` chunks can be taken without allocating, so that an add
 * either fails before touching the trie or completes. */
static int chunk_reserve(sn_route_table *t, size_t need)
{
    if (t->chunk_nfree + (t->chunk_cap - t->chunk_top) >= need)
        return SN_OK;
    size_t cap = t->chunk_cap ? 2 * t->chunk_cap : 64;
    if (cap < t->chunk_top + need)
        cap = t->chunk_top + need;
    /* aligned_alloc, not realloc: a 64-byte chunk must not straddle two
     * cache lines, and realloc only guarantees malloc's alignment */
    chunk *c = aligned_alloc(CACHE_LINE, cap * sizeof(chunk));
    if (!c)
        return SN_ERR_NOMEM;
    uint32_t *refs = realloc(t->refs, cap * sizeof *refs);
    if (!refs) {
        free(c);
        return SN_ERR_NOMEM;
    }
    t->refs = refs;
    if (t->chunk_top)
        memcpy(c, t->chunks, t->chunk_top * sizeof(chunk));
    free(t->chunks);
    t->chunks = c;
    t->chunk_cap = cap;
    return SN_OK;
}

/* Take a reserved chunk (cannot fail after chunk_reserve). */
static uint32_t chunk_take(sn_route_table *t)
{
    uint32_t c;
    if (t->chunk_free != NONE) {
        c = t->chunk_free;
        t->chunk_free = t->chunks[c].slot[0];
        t->chunk_nfree--;
    } else {
        c = (uint32_t)t->chunk_top++;
    }
    return c;
}

static void chunk_put(sn_route_table *t, uint32_t c)
{
    t->chunks[c].slot[0] = t->chunk_free;
    t->chunk_free = c;
    t->chunk_nfree++;
}

/* ---- create / destroy ---- */

sn_route_table *sn_route_create(size_t max_routes)
{
    if (max_routes == 0 || max_routes > SN_ROUTE_MAX_ROUTES)
        return NULL;
    sn_route_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->max_routes = max_routes;
    t->chunk_free = NONE;
    /* load factor <= 1/2 keeps probe chains short */
    t->hash_bits = 4;
    while (((size_t)1 << t->hash_bits) < 2 * max_routes)
        t->hash_bits++;
    t->hash_mask = ((size_t)1 << t->hash_bits) - 1;

    t->l0 = calloc(L0_SLOTS, sizeof *t->l0);
    t->routes = malloc(max_routes * sizeof *t->routes);
    t->route_free = malloc(max_routes * sizeof *t->route_free);
    t->hash = calloc(t->hash_mask + 1, sizeof *t->hash);
    t->ctr = calloc(1, sizeof *t->ctr);
    if (!t->l0 || !t->routes || !t->route_free || !t->hash || !t->ctr) {
        sn_route_destroy(t);
        return NULL;
    }
    /* hand out low indices first: the stack pops from its end */
    for (size_t i = 0; i < max_routes; i++) {
        t->routes[i] = (sn_route){.prefix_len = -1};
        t->route_free[i] = (uint32_t)(max_routes - 1 - i);
    }
    t->route_nfree = max_routes;
    return t;
}

void sn_route_destroy(sn_route_table *t)
{
    if (!t)
        return;
    free(t->l0);
    free(t->chunks);
    free(t->refs);
    free(t->routes);
    free(t->route_free);
    free(t->hash);
    free(t->ctr);
    free(t);
}

/* ---- trie updates ---- */

static int args_ok(const sn_route_table *t, sn_ip4 prefix, int len)
{
    return t && len >= 0 && len <= 32 && (prefix & ~sn_ip4_mask(len)) == 0;
}

/* Write route value rv (prefix length len) into a slot and, through child
 * chunks, into every leaf below it, unless a longer prefix owns the leaf. */
static void push_route(sn_route_table *t, uint32_t *slot, uint32_t rv, int len)
{
    uint32_t v = *slot;
    if (v & CHILD) {
        chunk *c = &t->chunks[v & ~CHILD];
        for (unsigned i = 0; i < SUB_SLOTS; i++)
            push_route(t, &c->slot[i], rv, len);
    } else if (v == 0 || t->routes[v - 1].prefix_len < len) {
        /* equal lengths cannot meet here: same-length prefixes that
         * overlap are identical, and _add refused the duplicate */
        *slot = rv;
    }
}

/* Replace leaf value old by rep in a slot and every leaf below it. */
static void unpush_route(sn_route_table *t, uint32_t *slot, uint32_t old, uint32_t rep)
{
    uint32_t v = *slot;
    if (v & CHILD) {
        chunk *c = &t->chunks[v & ~CHILD];
        for (unsigned i = 0; i < SUB_SLOTS; i++)
            unpush_route(t, &c->slot[i], old, rep);
    } else if (v == old) {
        *slot = rep;
    }
}

/* The chunk under *slot, created from the leaf it replaces when needed
 * (the new chunk inherits that leaf in all its slots: leaf pushing). */
static uint32_t ensure_child(sn_route_table *t, uint32_t *slot)
{
    uint32_t v = *slot;
    if (v & CHILD)
        return v & ~CHILD;
    uint32_t c = chunk_take(t);
    for (unsigned i = 0; i < SUB_SLOTS; i++)
        t->chunks[c].slot[i] = v;
    t->refs[c] = 0;
    *slot = CHILD | c;
    return c;
}

static sn_route_type type_of(int len, sn_ip4 next_hop)
{
    if (len == 0)
        return SN_ROUTE_DEFAULT;
    return next_hop == 0 ? SN_ROUTE_CONNECTED : SN_ROUTE_STATIC;
}

int sn_route_add(sn_route_table *t, sn_ip4 prefix, int prefix_len, sn_ip4 next_hop,
                 int ifindex, uint32_t metric)
{
    if (!args_ok(t, prefix, prefix_len))
        return SN_ERR_INVAL;
    int len = prefix_len;
    if (hash_find(t, prefix, len) != NONE)
        return SN_ERR_EXIST;
    if (t->nroutes >= t->max_routes)
        return SN_ERR_RANGE;
    size_t need = len > L0_BITS ? (size_t)(len - L0_BITS + SUB_BITS - 1) / SUB_BITS : 0;
    if (chunk_reserve(t, need) != SN_OK)
        return SN_ERR_NOMEM;

    /* nothing below can fail */
    uint32_t ri = t->route_free[--t->route_nfree];
    t->routes[ri] = (sn_route){.prefix = prefix,
                               .prefix_len = len,
                               .next_hop = next_hop,
                               .ifindex = ifindex,
                               .metric = metric,
                               .type = type_of(len, next_hop)};
    hash_insert(t, ri);
    t->nroutes++;
    t->adds++;
    uint32_t rv = ri + 1;

    if (len <= L0_BITS) {
        uint32_t start = prefix >> (32 - L0_BITS);
        uint32_t span = 1u << (L0_BITS - len);
        for (uint32_t i = 0; i < span; i++)
            push_route(t, &t->l0[start + i], rv, len);
        return SN_OK;
    }
    uint32_t *slot = &t->l0[prefix >> (32 - L0_BITS)];
    int consumed = L0_BITS; /* [bits] of the address above this chunk */
    for (;;) {
        uint32_t c = ensure_child(t, slot);
        t->refs[c]++;
        uint32_t idx = (prefix >> (32 - consumed - SUB_BITS)) & (SUB_SLOTS - 1);
        if (len <= consumed + SUB_BITS) {
            /* host bits are zero, so idx is already aligned to span */
            uint32_t span = 1u << (consumed + SUB_BITS - len);
            for (uint32_t i = 0; i < span; i++)
                push_route(t, &t->chunks[c].slot[idx + i], rv, len);
            return SN_OK;
        }
        slot = &t->chunks[c].slot[idx];
        consumed += SUB_BITS;
    }
}

int sn_route_del(sn_route_table *t, sn_ip4 prefix, int prefix_len)
{
    if (!args_ok(t, prefix, prefix_len))
        return SN_ERR_INVAL;
    int len = prefix_len;
    uint32_t pos = hash_pos(t, prefix, len);
    if (pos == NONE)
        return SN_ERR_NOENT;
    uint32_t ri = t->hash[pos] - 1;
    uint32_t old = ri + 1;

    /* The leaves the route owned go to the longest shorter prefix that
     * covers it: every route covering part of it and shorter covers all of
     * it (prefixes nest), and longer ones never gave their leaves to it. */
    uint32_t rep = 0;
    for (int k = len - 1; k >= 0; k--) {
        uint32_t j = hash_find(t, prefix & sn_ip4_mask(k), k);
        if (j != NONE) {
            rep = j + 1;
            break;
        }
    }

    if (len <= L0_BITS) {
        uint32_t start = prefix >> (32 - L0_BITS);
        uint32_t span = 1u << (L0_BITS - len);
        for (uint32_t i = 0; i < span; i++)
            unpush_route(t, &t->l0[start + i], old, rep);
    } else {
        uint32_t *path_slot[MAX_DEPTH];
        uint32_t path_chunk[MAX_DEPTH];
        int depth = 0;
        uint32_t *slot = &t->l0[prefix >> (32 - L0_BITS)];
        int consumed = L0_BITS;
        for (;;) {
            /* the route is rooted below, so the chunk exists (refs > 0) */
            uint32_t c = *slot & ~CHILD;
            path_slot[depth] = slot;
            path_chunk[depth] = c;
            depth++;
            uint32_t idx = (prefix >> (32 - consumed - SUB_BITS)) & (SUB_SLOTS - 1);
            if (len <= consumed + SUB_BITS) {
                uint32_t span = 1u << (consumed + SUB_BITS - len);
                for (uint32_t i = 0; i < span; i++)
                    unpush_route(t, &t->chunks[c].slot[idx + i], old, rep);
                break;
            }
            slot = &t->chunks[c].slot[idx];
            consumed += SUB_BITS;
        }
        /* Deepest first: a chunk no route is rooted in holds one leaf value
         * in all its slots (what its parent slot held), so the parent slot
         * takes that value back and the chunk is freed. */
        for (int d = depth - 1; d >= 0; d--) {
            uint32_t c = path_chunk[d];
            if (--t->refs[c] == 0) {
                *path_slot[d] = t->chunks[c].slot[0];
                chunk_put(t, c);
            }
        }
    }

    hash_remove_at(t, pos);
    t->routes[ri] = (sn_route){.prefix_len = -1};
    t->route_free[t->route_nfree++] = ri;
    t->nroutes--;
    t->deletes++;
    return SN_OK;
}

/* ---- queries ---- */

const sn_route *sn_route_lookup(const sn_route_table *t, sn_ip4 dst)
{
    if (!t)
        return NULL;
    t->ctr->lookups++;
    uint32_t v = t->l0[dst >> (32 - L0_BITS)];
    unsigned shift = 32 - L0_BITS;
    /* a chunk at the last level (shift 0) never has children, so shift
     * stays >= 0 */
    while (v & CHILD) {
        shift -= SUB_BITS;
        v = t->chunks[v & ~CHILD].slot[(dst >> shift) & (SUB_SLOTS - 1)];
    }
    if (v == 0) {
        t->ctr->misses++;
        return NULL;
    }
    return &t->routes[v - 1];
}

const sn_route *sn_route_find(const sn_route_table *t, sn_ip4 prefix, int prefix_len)
{
    if (!args_ok(t, prefix, prefix_len))
        return NULL;
    uint32_t ri = hash_find(t, prefix, prefix_len);
    return ri == NONE ? NULL : &t->routes[ri];
}

size_t sn_route_count(const sn_route_table *t)
{
    return t ? t->nroutes : 0;
}

/* sort key: prefix, then length */
static uint64_t route_key(const sn_route *r)
{
    return (uint64_t)r->prefix << 6 | (uint64_t)r->prefix_len;
}

static int route_cmp(const void *a, const void *b)
{
    uint64_t ka = route_key(a), kb = route_key(b);
    return (ka > kb) - (ka < kb);
}

size_t sn_route_list(const sn_route_table *t, sn_route *out, size_t max)
{
    if (!t)
        return 0;
    if (!out)
        return t->nroutes;
    if (max >= t->nroutes) {
        size_t n = 0;
        for (size_t i = 0; i < t->max_routes; i++)
            if (t->routes[i].prefix_len >= 0)
                out[n++] = t->routes[i];
        qsort(out, n, sizeof *out, route_cmp);
        return n;
    }
    /* out is too small for a full sort in place: pick the max smallest by
     * repeated selection (O(max * routes), but it allocates nothing) */
    uint64_t prev = 0;
    for (size_t k = 0; k < max; k++) {
        const sn_route *best = NULL;
        for (size_t i = 0; i < t->max_routes; i++) {
            const sn_route *r = &t->routes[i];
            if (r->prefix_len < 0 || (k > 0 && route_key(r) <= prev))
                continue;
            if (!best || route_key(r) < route_key(best))
                best = r;
        }
        out[k] = *best; /* k < max < nroutes: one remains */
        prev = route_key(best);
    }
    return t->nroutes;
}

size_t sn_route_memory(const sn_route_table *t)
{
    if (!t)
        return 0;
    return sizeof *t + sizeof *t->ctr + L0_SLOTS * sizeof *t->l0 +
           t->max_routes * (sizeof *t->routes + sizeof *t->route_free) +
           (t->hash_mask + 1) * sizeof *t->hash +
           t->chunk_cap * (sizeof(chunk) + sizeof *t->refs);
}

size_t sn_route_stats(const sn_route_table *t, sn_stat *out, size_t max)
{
    if (!t || !out)
        return 0;
    size_t n = 0;
    n = sn_stat_add(out, n, max, "routes", t->nroutes);
    n = sn_stat_add(out, n, max, "chunks", t->chunk_top - t->chunk_nfree);
    n = sn_stat_add(out, n, max, "lookups", t->ctr->lookups);
    n = sn_stat_add(out, n, max, "misses", t->ctr->misses);
    n = sn_stat_add(out, n, max, "adds", t->adds);
    n = sn_stat_add(out, n, max, "deletes", t->deletes);
    return n;
}

const char *sn_route_type_str(sn_route_type type)
{
    switch (type) {
    case SN_ROUTE_CONNECTED:
        return "connected";
    case SN_ROUTE_STATIC:
        return "static";
    case SN_ROUTE_DEFAULT:
        return "default";
    }
    return "?";
}
