/* apps/sdrnet bench route: benchmark of net/route: longest-prefix-match lookups per second on a table
 * of 10 000 random routes, beside two references measured in the same run
 * on the same routes and addresses:
 *   - a linear scan over the routes (the definition; fewer lookups, scaled),
 *   - one hash set per prefix length, probed from /32 down (the textbook
 *     "exact match per length" approach; at most 33 probes).
 * Length mix (roughly a BGP table's): 55 % /24, 10 % /16, 20 % /17../23,
 * 8 % /8../15, 7 % /25../32. Addresses: half inside a random route (random
 * host bits), half uniform over the whole space.
 *
 *   sdrnet bench route [--quick] [--json]   (--quick: 1 M lookups, not 10 M)
 *
 * Figures are printed, never asserted. */
#include "apps/bench_route.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/rng.h"
#include "net/route.h"

#define NROUTES 10000u
#define NADDR (1u << 20) /* addresses generated once, reused in a loop */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int random_len(sn_rng *g)
{
    uint64_t u = sn_rng_below(g, 100);
    if (u < 55)
        return 24;
    if (u < 65)
        return 16;
    if (u < 85)
        return 17 + (int)sn_rng_below(g, 7);
    if (u < 93)
        return 8 + (int)sn_rng_below(g, 8);
    return 25 + (int)sn_rng_below(g, 8);
}

typedef struct pfx {
    sn_ip4 prefix;
    int len;
} pfx;

/* reference 2: open-addressed hash set per length */
typedef struct lenhash {
    sn_ip4 *key; /* prefix + 1 would collide with 0; keep a used flag */
    uint8_t *used;
    size_t mask;
} lenhash;

static size_t h32(sn_ip4 k, size_t mask)
{
    return (size_t)(((uint64_t)k * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

static int lenhash_has(const lenhash *h, sn_ip4 k)
{
    for (size_t i = h32(k, h->mask);; i = (i + 1) & h->mask) {
        if (!h->used[i])
            return 0;
        if (h->key[i] == k)
            return 1;
    }
}

int sn_bench_route(int quick, int json, json_t *root)
{
    size_t nlookups = quick ? 1000000u : 10000000u;
    size_t nlinear = quick ? 2000u : 20000u;

    sn_rng g;
    sn_rng_seed(&g, 1);
    sn_route_table *t = sn_route_create(NROUTES);
    pfx *routes = malloc(NROUTES * sizeof *routes);
    sn_ip4 *addr = malloc(NADDR * sizeof *addr);
    lenhash hs[33];
    memset(hs, 0, sizeof hs);
    if (!t || !routes || !addr) {
        fprintf(stderr, "sdrnet bench route: out of memory\n");
        return 1;
    }
    size_t n = 0;
    while (n < NROUTES) {
        int len = random_len(&g);
        sn_ip4 p = (sn_ip4)sn_rng_u64(&g) & sn_ip4_mask(len);
        int rc = sn_route_add(t, p, len, p + 1u, 0, 0);
        if (rc == SN_ERR_EXIST)
            continue;
        if (rc != SN_OK) {
            fprintf(stderr, "sdrnet bench route: add: %s\n", sn_strerror(rc));
            return 1;
        }
        routes[n++] = (pfx){p, len};
    }
    for (size_t i = 0; i < NADDR; i++) {
        if (i & 1) {
            addr[i] = (sn_ip4)sn_rng_u64(&g);
        } else {
            const pfx *r = &routes[sn_rng_below(&g, n)];
            addr[i] = r->prefix | ((sn_ip4)sn_rng_u64(&g) & ~sn_ip4_mask(r->len));
        }
    }
    for (int l = 0; l <= 32; l++) {
        hs[l].mask = 15; /* 2^k - 1, with 2^k >= 2 * routes */
        while (hs[l].mask + 1 < 2 * NROUTES)
            hs[l].mask = hs[l].mask * 2 + 1;
        hs[l].key = calloc(hs[l].mask + 1, sizeof *hs[l].key);
        hs[l].used = calloc(hs[l].mask + 1, 1);
        if (!hs[l].key || !hs[l].used) {
            fprintf(stderr, "sdrnet bench route: out of memory\n");
            return 1;
        }
    }
    for (size_t i = 0; i < n; i++) {
        lenhash *h = &hs[routes[i].len];
        size_t j = h32(routes[i].prefix, h->mask);
        while (h->used[j])
            j = (j + 1) & h->mask;
        h->used[j] = 1;
        h->key[j] = routes[i].prefix;
    }

    /* sdrnet's table; the checksum keeps the loop from being optimised out
     * and ties the three methods' answers together */
    uint64_t sum_trie = 0;
    double t0 = now_s();
    for (size_t i = 0; i < nlookups; i++) {
        const sn_route *r = sn_route_lookup(t, addr[i & (NADDR - 1)]);
        sum_trie += r ? (uint64_t)r->prefix_len + 1 : 0;
    }
    double dt = now_s() - t0;
    double trie_rate = (double)nlookups / dt;

    /* reference: linear scan */
    uint64_t sum_lin = 0, sum_trie_lin = 0;
    t0 = now_s();
    for (size_t i = 0; i < nlinear; i++) {
        sn_ip4 a = addr[i & (NADDR - 1)];
        int best = -1;
        for (size_t k = 0; k < n; k++)
            if ((a & sn_ip4_mask(routes[k].len)) == routes[k].prefix && routes[k].len > best)
                best = routes[k].len;
        sum_lin += (uint64_t)(best + 1);
    }
    double lin_rate = (double)nlinear / (now_s() - t0);

    /* reference: hash per length */
    uint64_t sum_hash = 0;
    t0 = now_s();
    for (size_t i = 0; i < nlookups; i++) {
        sn_ip4 a = addr[i & (NADDR - 1)];
        int best = -1;
        for (int l = 32; l >= 0; l--)
            if (lenhash_has(&hs[l], a & sn_ip4_mask(l))) {
                best = l;
                break;
            }
        sum_hash += (uint64_t)(best + 1);
    }
    double hash_rate = (double)nlookups / (now_s() - t0);

    for (size_t i = 0; i < nlinear; i++) {
        const sn_route *r = sn_route_lookup(t, addr[i & (NADDR - 1)]);
        sum_trie_lin += r ? (uint64_t)r->prefix_len + 1 : 0;
    }
    if (sum_trie_lin != sum_lin || sum_trie != sum_hash) {
        fprintf(stderr, "sdrnet bench route: methods disagree (%llu/%llu, %llu/%llu)\n",
                (unsigned long long)sum_trie_lin, (unsigned long long)sum_lin,
                (unsigned long long)sum_trie, (unsigned long long)sum_hash);
        return 1;
    }

    size_t mem = sn_route_memory(t);
    sn_stat st[SN_STATS_MAX];
    size_t ns = sn_route_stats(t, st, SN_STATS_MAX);
    uint64_t chunks = 0;
    for (size_t i = 0; i < ns; i++)
        if (!strcmp(st[i].name, "chunks"))
            chunks = st[i].value;
    double bpr = (double)mem / (double)n;
    if (json) {
        json_object_set_new(root, "route", json_pack(
            "{s:I, s:I, s:f, s:f, s:f, s:I, s:f, s:I}", "routes", (json_int_t)n, "lookups",
            (json_int_t)nlookups, "lookups_per_s", trie_rate, "reference_linear_lookups_per_s",
            lin_rate, "reference_hash_per_length_lookups_per_s", hash_rate, "bytes",
            (json_int_t)mem, "bytes_per_route", bpr, "chunks", (json_int_t)chunks));
    } else {
        printf("net/route benchmark: %zu routes (55%% /24, 10%% /16, 20%% /17-23, "
               "8%% /8-15, 7%% /25-32), half the addresses inside a route\n", n);
        printf("  sdrnet sn_route_lookup (trie 16-4-4-4-4): %8.2f M lookups/s  (%zu lookups)\n",
               trie_rate / 1e6, nlookups);
        printf("  reference linear scan:                     %8.4f M lookups/s  (%zu lookups)\n",
               lin_rate / 1e6, nlinear);
        printf("  reference hash per prefix length:          %8.2f M lookups/s\n",
               hash_rate / 1e6);
        printf("  memory: %zu bytes (%llu chunks of 64 B), %.1f bytes/route\n", mem,
               (unsigned long long)chunks, bpr);
    }
    for (int l = 0; l <= 32; l++) {
        free(hs[l].key);
        free(hs[l].used);
    }
    free(addr);
    free(routes);
    sn_route_destroy(t);
    return 0;
}
