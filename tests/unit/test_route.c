/* Unit tests of net/route: the S4 router-1 table, edge prefixes, add/delete,
 * bounds, and a property test against an independent reference. */
#include <stdint.h>
#include <stdlib.h>

#include "core/err.h"
#include "core/rng.h"
#include "net/route.h"
#include "sn_test.h"

static sn_ip4 ip(const char *s)
{
    sn_ip4 a = 0;
    if (sn_ip4_parse(s, &a) != SN_OK) {
        fprintf(stderr, "bad address in test: %s\n", s);
        abort();
    }
    return a;
}

/* prefix of the route dst resolves to, "-" for none, "a.b.c.d/n" else */
static const char *via(const sn_route_table *t, const char *dst, char *buf)
{
    const sn_route *r = sn_route_lookup(t, ip(dst));
    if (!r)
        return "-";
    char a[16];
    snprintf(buf, 24, "%s/%d", sn_ip4_format(r->prefix, a), r->prefix_len);
    return buf;
}

#define CHECK_VIA(t, dst, want)                                                 \
    do {                                                                        \
        char b_[24];                                                            \
        const char *got_ = via((t), (dst), b_);                                 \
        if (strcmp(got_, (want)) != 0) {                                        \
            fprintf(stderr, "%s:%d: lookup %s -> %s, want %s\n", __FILE__,      \
                    __LINE__, (dst), got_, (want));                             \
            sn_test_failed_checks++;                                            \
            sn_test_current_failed = 1;                                         \
        }                                                                       \
    } while (0)

/* SCENARIOS.md S4, router 1: B behind router 2, the 10.0.x.x group behind
 * the central router, A connected. */
static void test_s4_router1(void)
{
    sn_route_table *t = sn_route_create(16);
    CHECK(t != NULL);
    CHECK_EQ_INT(sn_route_add(t, ip("192.168.1.0"), 24, 0, 0, 0), SN_OK);
    CHECK_EQ_INT(sn_route_add(t, ip("192.168.2.0"), 24, ip("192.168.12.2"), 1, 0), SN_OK);
    CHECK_EQ_INT(sn_route_add(t, ip("10.0.0.0"), 16, ip("192.168.100.1"), 2, 0), SN_OK);

    const sn_route *r = sn_route_lookup(t, ip("192.168.2.10"));
    CHECK(r && r->next_hop == ip("192.168.12.2") && r->ifindex == 1 &&
          r->type == SN_ROUTE_STATIC);
    r = sn_route_lookup(t, ip("10.0.1.10"));
    CHECK(r && r->next_hop == ip("192.168.100.1") && r->ifindex == 2);
    r = sn_route_lookup(t, ip("10.0.2.20"));
    CHECK(r && r->prefix == ip("10.0.0.0") && r->prefix_len == 16);
    r = sn_route_lookup(t, ip("192.168.1.20"));
    CHECK(r && r->next_hop == 0 && r->ifindex == 0 && r->type == SN_ROUTE_CONNECTED);
    CHECK(sn_route_lookup(t, ip("8.8.8.8")) == NULL);
    CHECK(sn_route_lookup(t, ip("10.1.0.1")) == NULL);
    CHECK(sn_route_lookup(t, ip("192.168.3.1")) == NULL);

    sn_stat st[SN_STATS_MAX];
    size_t n = sn_route_stats(t, st, SN_STATS_MAX);
    uint64_t lookups = 0, misses = 0, routes = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(st[i].name, "lookups"))
            lookups = st[i].value;
        if (!strcmp(st[i].name, "misses"))
            misses = st[i].value;
        if (!strcmp(st[i].name, "routes"))
            routes = st[i].value;
    }
    CHECK_EQ_INT(lookups, 7);
    CHECK_EQ_INT(misses, 3);
    CHECK_EQ_INT(routes, 3);

    /* listing: sorted by prefix then length */
    sn_route out[8];
    CHECK_EQ_INT(sn_route_list(t, out, 8), 3);
    CHECK(out[0].prefix == ip("10.0.0.0") && out[1].prefix == ip("192.168.1.0") &&
          out[2].prefix == ip("192.168.2.0"));
    /* a short buffer gets the first ones of the same order */
    CHECK_EQ_INT(sn_route_list(t, out, 2), 3);
    CHECK(out[0].prefix == ip("10.0.0.0") && out[1].prefix == ip("192.168.1.0"));
    CHECK(sn_route_memory(t) > 0);
    sn_route_destroy(t);
}

static void test_default_and_longest(void)
{
    sn_route_table *t = sn_route_create(16);
    CHECK_EQ_INT(sn_route_add(t, 0, 0, ip("192.168.1.1"), 0, 0), SN_OK);
    CHECK_VIA(t, "8.8.8.8", "0.0.0.0/0");
    CHECK(sn_route_lookup(t, ip("8.8.8.8"))->type == SN_ROUTE_DEFAULT);
    CHECK_EQ_INT(sn_route_add(t, ip("10.0.0.0"), 8, 1, 0, 0), SN_OK);
    CHECK_EQ_INT(sn_route_add(t, ip("10.1.0.0"), 16, 2, 0, 0), SN_OK);
    CHECK_EQ_INT(sn_route_add(t, ip("10.1.2.0"), 24, 3, 0, 0), SN_OK);
    CHECK_EQ_INT(sn_route_add(t, ip("10.1.2.128"), 25, 4, 0, 0), SN_OK);
    CHECK_EQ_INT(sn_route_add(t, ip("10.1.2.200"), 32, 5, 0, 0), SN_OK);
    CHECK_EQ_INT(sn_route_add(t, ip("10.1.2.192"), 30, 6, 0, 0), SN_OK);
    CHECK_VIA(t, "10.9.9.9", "10.0.0.0/8");
    CHECK_VIA(t, "10.1.9.9", "10.1.0.0/16");
    CHECK_VIA(t, "10.1.2.127", "10.1.2.0/24");
    CHECK_VIA(t, "10.1.2.128", "10.1.2.128/25");
    CHECK_VIA(t, "10.1.2.199", "10.1.2.128/25");
    CHECK_VIA(t, "10.1.2.200", "10.1.2.200/32");
    CHECK_VIA(t, "10.1.2.201", "10.1.2.128/25");
    CHECK_VIA(t, "10.1.2.192", "10.1.2.192/30");
    CHECK_VIA(t, "10.1.2.195", "10.1.2.192/30");
    CHECK_VIA(t, "10.1.2.196", "10.1.2.128/25");
    CHECK_VIA(t, "11.0.0.0", "0.0.0.0/0");
    CHECK_VIA(t, "9.255.255.255", "0.0.0.0/0");

    /* deleting the middle hands its addresses to the next shorter one */
    CHECK_EQ_INT(sn_route_del(t, ip("10.1.2.0"), 24), SN_OK);
    CHECK_VIA(t, "10.1.2.127", "10.1.0.0/16");
    CHECK_VIA(t, "10.1.2.200", "10.1.2.200/32");
    CHECK_EQ_INT(sn_route_del(t, ip("10.1.0.0"), 16), SN_OK);
    CHECK_VIA(t, "10.1.2.127", "10.0.0.0/8");
    CHECK_EQ_INT(sn_route_del(t, 0, 0), SN_OK);
    CHECK_VIA(t, "11.0.0.0", "-");
    CHECK_VIA(t, "10.1.2.196", "10.1.2.128/25");
    sn_route_destroy(t);
}

static void test_edges(void)
{
    sn_route_table *t = sn_route_create(8);
    /* /32 at both ends of the address space */
    CHECK_EQ_INT(sn_route_add(t, 0xffffffffu, 32, 1, 0, 0), SN_OK);
    CHECK_EQ_INT(sn_route_add(t, 0, 32, 1, 0, 0), SN_OK);
    CHECK_VIA(t, "255.255.255.255", "255.255.255.255/32");
    CHECK_VIA(t, "255.255.255.254", "-");
    CHECK_VIA(t, "0.0.0.0", "0.0.0.0/32");
    CHECK_VIA(t, "0.0.0.1", "-");
    /* /0 under them; then /1 halves */
    CHECK_EQ_INT(sn_route_add(t, 0, 0, 9, 0, 0), SN_OK);
    CHECK_VIA(t, "0.0.0.1", "0.0.0.0/0");
    CHECK_VIA(t, "0.0.0.0", "0.0.0.0/32");
    CHECK_EQ_INT(sn_route_add(t, 0x80000000u, 1, 9, 0, 0), SN_OK);
    CHECK_VIA(t, "128.0.0.0", "128.0.0.0/1");
    CHECK_VIA(t, "127.255.255.255", "0.0.0.0/0");
    CHECK_VIA(t, "255.255.255.255", "255.255.255.255/32");

    /* arguments */
    CHECK_EQ_INT(sn_route_add(t, ip("192.168.1.7"), 24, 0, 0, 0), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_route_add(t, 0, 33, 0, 0, 0), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_route_add(t, 0, -1, 0, 0, 0), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_route_add(NULL, 0, 0, 0, 0, 0), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_route_del(t, ip("192.168.1.7"), 24), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_route_del(NULL, 0, 0), SN_ERR_INVAL);
    CHECK(sn_route_lookup(NULL, 0) == NULL);
    CHECK(sn_route_create(0) == NULL);
    CHECK(sn_route_create((size_t)SN_ROUTE_MAX_ROUTES + 1) == NULL);
    sn_route_destroy(NULL);
    CHECK_EQ_INT(sn_route_count(NULL), 0);
    CHECK(strcmp(sn_route_type_str(SN_ROUTE_CONNECTED), "connected") == 0);
    sn_route_destroy(t);
}

static void test_add_del_readd_dup_full(void)
{
    sn_route_table *t = sn_route_create(3);
    sn_ip4 p = ip("172.16.0.0");
    CHECK_EQ_INT(sn_route_add(t, p, 12, 1, 1, 10), SN_OK);
    CHECK_EQ_INT(sn_route_add(t, p, 12, 2, 2, 20), SN_ERR_EXIST);
    CHECK(sn_route_find(t, p, 12)->next_hop == 1);
    CHECK_EQ_INT(sn_route_add(t, p, 13, 2, 2, 20), SN_OK); /* same address, other length */
    CHECK_EQ_INT(sn_route_add(t, ip("172.24.0.0"), 30, 3, 3, 0), SN_OK);
    CHECK_EQ_INT(sn_route_count(t), 3);
    CHECK_EQ_INT(sn_route_add(t, ip("1.0.0.0"), 8, 4, 4, 0), SN_ERR_RANGE);
    CHECK_EQ_INT(sn_route_add(t, p, 12, 4, 4, 0), SN_ERR_EXIST); /* EXIST before RANGE */
    CHECK_VIA(t, "172.24.0.1", "172.24.0.0/30");
    CHECK_VIA(t, "172.24.0.4", "172.16.0.0/12");
    CHECK_VIA(t, "172.17.0.4", "172.16.0.0/13");
    CHECK_VIA(t, "172.23.255.255", "172.16.0.0/13");

    CHECK_EQ_INT(sn_route_del(t, ip("172.24.0.0"), 30), SN_OK);
    CHECK_EQ_INT(sn_route_del(t, ip("172.24.0.0"), 30), SN_ERR_NOENT);
    CHECK_EQ_INT(sn_route_del(t, p, 14), SN_ERR_NOENT);
    CHECK_VIA(t, "172.24.0.1", "172.16.0.0/12");
    CHECK_EQ_INT(sn_route_add(t, ip("1.0.0.0"), 8, 4, 4, 0), SN_OK); /* room again */
    CHECK_EQ_INT(sn_route_del(t, ip("1.0.0.0"), 8), SN_OK);
    /* re-add with a different gateway replaces the old one */
    CHECK_EQ_INT(sn_route_add(t, ip("172.24.0.0"), 30, 7, 7, 0), SN_OK);
    CHECK(sn_route_lookup(t, ip("172.24.0.2"))->next_hop == 7);

    /* deleting everything frees every chunk */
    CHECK_EQ_INT(sn_route_del(t, p, 12), SN_OK);
    CHECK_EQ_INT(sn_route_del(t, p, 13), SN_OK);
    CHECK_EQ_INT(sn_route_del(t, ip("172.24.0.0"), 30), SN_OK);
    CHECK_EQ_INT(sn_route_count(t), 0);
    sn_stat st[8];
    size_t n = sn_route_stats(t, st, 8);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(st[i].name, "chunks"))
            CHECK_EQ_INT(st[i].value, 0);
    CHECK_VIA(t, "172.24.0.2", "-");
    sn_route_destroy(t);
}

/* ---- property test ---- */

typedef struct ref_route {
    sn_ip4 prefix;
    int len;
} ref_route;

/* Reference 1: a linear scan, the definition of longest-prefix match. */
static int ref_linear(const ref_route *r, size_t n, sn_ip4 a)
{
    int best = -1;
    for (size_t i = 0; i < n; i++)
        if ((a & sn_ip4_mask(r[i].len)) == r[i].prefix &&
            (best < 0 || r[i].len > r[best].len))
            best = (int)i;
    return best < 0 ? -1 : r[best].len;
}

/* Reference 2 (fast enough for 10 000 routes x 100 000 addresses): routes
 * sorted by (len, prefix); try each length from 32 down with a binary
 * search. Shares no code with the trie. */
static int cmp_ref(const void *a, const void *b)
{
    const ref_route *x = a, *y = b;
    if (x->len != y->len)
        return x->len - y->len;
    return (x->prefix > y->prefix) - (x->prefix < y->prefix);
}

static int ref_sorted(const ref_route *r, size_t n, sn_ip4 a)
{
    for (int len = 32; len >= 0; len--) {
        ref_route key = {a & sn_ip4_mask(len), len};
        if (bsearch(&key, r, n, sizeof *r, cmp_ref))
            return len;
    }
    return -1;
}

static int trie_len(const sn_route_table *t, sn_ip4 a, const ref_route *r, size_t n)
{
    const sn_route *x = sn_route_lookup(t, a);
    if (!x)
        return -1;
    /* the route returned must contain a, and its next hop identifies it */
    if ((a & sn_ip4_mask(x->prefix_len)) != x->prefix || x->next_hop != x->prefix + 1u)
        return -2;
    (void)r;
    (void)n;
    return x->prefix_len;
}

static sn_ip4 random_prefix(sn_rng *g, int *len)
{
    *len = (int)sn_rng_below(g, 33);
    return (sn_ip4)sn_rng_u64(g) & sn_ip4_mask(*len);
}

/* One trial: nroutes random routes, nlookups random + boundary addresses,
 * then delete half at random and check again. */
static int property_trial(uint64_t seed, size_t nroutes, size_t nlookups, int linear)
{
    sn_rng g;
    sn_rng_seed(&g, seed);
    sn_route_table *t = sn_route_create(nroutes);
    ref_route *ref = malloc(nroutes * sizeof *ref);
    if (!t || !ref) {
        sn_route_destroy(t);
        free(ref);
        return 0;
    }
    size_t n = 0;
    int ok = 1;
    for (size_t i = 0; i < nroutes && ok; i++) {
        int len;
        sn_ip4 p = random_prefix(&g, &len);
        int rc = sn_route_add(t, p, len, p + 1u, (int)i, 0);
        int dup = 0;
        for (size_t j = 0; j < n; j++)
            dup |= ref[j].prefix == p && ref[j].len == len;
        if (rc != (dup ? SN_ERR_EXIST : SN_OK))
            ok = 0;
        if (!dup)
            ref[n++] = (ref_route){p, len};
    }
    for (int round = 0; round < 2 && ok; round++) {
        ref_route *sorted = malloc((n ? n : 1) * sizeof *sorted);
        if (!sorted) {
            ok = 0;
            break;
        }
        memcpy(sorted, ref, n * sizeof *ref);
        qsort(sorted, n, sizeof *sorted, cmp_ref);
        CHECK_EQ_INT(sn_route_count(t), n);
        for (size_t k = 0; k < nlookups + 4 * n && ok; k++) {
            sn_ip4 a;
            if (k < nlookups) {
                a = (sn_ip4)sn_rng_u64(&g);
            } else {
                /* both ends of each prefix and just outside them */
                const ref_route *r = &ref[(k - nlookups) / 4];
                sn_ip4 last = r->prefix | ~sn_ip4_mask(r->len);
                switch ((k - nlookups) % 4) {
                case 0: a = r->prefix; break;
                case 1: a = last; break;
                case 2: a = r->prefix - 1u; break;
                default: a = last + 1u; break;
                }
            }
            int want = linear ? ref_linear(ref, n, a) : ref_sorted(sorted, n, a);
            int got = trie_len(t, a, ref, n);
            if (got != want) {
                char s[16];
                fprintf(stderr, "seed %llu routes %zu: %s -> /%d, want /%d\n",
                        (unsigned long long)seed, n, sn_ip4_format(a, s), got, want);
                ok = 0;
            }
        }
        free(sorted);
        /* listing is sorted and complete */
        sn_route *list = malloc((n ? n : 1) * sizeof *list);
        if (list) {
            if (sn_route_list(t, list, n) != n)
                ok = 0;
            for (size_t i = 1; i < n; i++)
                if (list[i - 1].prefix > list[i].prefix ||
                    (list[i - 1].prefix == list[i].prefix &&
                     list[i - 1].prefix_len >= list[i].prefix_len))
                    ok = 0;
            free(list);
        }
        /* delete about half, in random order */
        size_t ndel = n / 2 + (n == 1);
        for (size_t d = 0; d < ndel && ok; d++) {
            size_t j = (size_t)sn_rng_below(&g, n);
            if (sn_route_del(t, ref[j].prefix, ref[j].len) != SN_OK)
                ok = 0;
            ref[j] = ref[--n];
        }
    }
    /* deleting all that is left must free every chunk */
    for (size_t j = 0; j < n && ok; j++)
        if (sn_route_del(t, ref[j].prefix, ref[j].len) != SN_OK)
            ok = 0;
    sn_stat st[8];
    size_t ns = sn_route_stats(t, st, 8);
    for (size_t i = 0; i < ns; i++)
        if (!strcmp(st[i].name, "chunks") && st[i].value != 0)
            ok = 0;
    sn_route_destroy(t);
    free(ref);
    return ok;
}

static void test_property_linear(void)
{
    /* small tables against the plain linear definition */
    static const size_t sizes[] = {1, 2, 5, 30, 200, 1000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        CHECK(property_trial(100 + i, sizes[i], 20000, 1));
}

static void test_property_large(void)
{
    /* up to 10 000 routes, 100 000 random addresses each round */
    static const size_t sizes[] = {1, 17, 500, 3000, 10000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        CHECK(property_trial(200 + i, sizes[i], 100000, 0));
}

/* Many add/delete cycles on a small dense region: every chunk free-list
 * and hash backward-shift path gets exercised. */
static void test_churn(void)
{
    sn_rng g;
    sn_rng_seed(&g, 7);
    enum { N = 64 };
    sn_route_table *t = sn_route_create(N);
    ref_route ref[N];
    size_t n = 0;
    int ok = 1;
    for (int it = 0; it < 20000 && ok; it++) {
        int len = 16 + (int)sn_rng_below(&g, 17);
        sn_ip4 p = (ip("10.0.0.0") | ((sn_ip4)sn_rng_below(&g, 4) << 16) |
                    ((sn_ip4)sn_rng_u64(&g) & 0xffffu)) & sn_ip4_mask(len);
        size_t j = 0;
        while (j < n && !(ref[j].prefix == p && ref[j].len == len))
            j++;
        if (j < n) {
            ok &= sn_route_del(t, p, len) == SN_OK;
            ref[j] = ref[--n];
        } else {
            int rc = sn_route_add(t, p, len, p + 1u, 0, 0);
            ok &= rc == (n == N ? SN_ERR_RANGE : SN_OK);
            if (rc == SN_OK)
                ref[n++] = (ref_route){p, len};
        }
        sn_ip4 a = ip("10.0.0.0") | ((sn_ip4)sn_rng_u64(&g) & 0x3ffffu);
        ok &= trie_len(t, a, ref, n) == ref_linear(ref, n, a);
        if (n)
            ok &= trie_len(t, ref[0].prefix, ref, n) == ref_linear(ref, n, ref[0].prefix);
    }
    CHECK(ok);
    sn_route_destroy(t);
}

int main(void)
{
    TEST_RUN(test_s4_router1);
    TEST_RUN(test_default_and_longest);
    TEST_RUN(test_edges);
    TEST_RUN(test_add_del_readd_dup_full);
    TEST_RUN(test_churn);
    TEST_RUN(test_property_linear);
    TEST_RUN(test_property_large);
    TEST_DONE();
}
