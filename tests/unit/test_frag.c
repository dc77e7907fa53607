/* net/frag: fragmentation and reassembly (NET-CHECKLIST section D). */
#include <stdint.h>
#include <string.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/pkt.h"
#include "core/rng.h"
#include "core/sched.h"
#include "net/frag.h"
#include "net/inet_csum.h"
#include "net/ipv4_wire.h"
#include "sn_test.h"

#define SRC 0xC0A8010Au /* 192.168.1.10 */
#define DST 0x0A000014u /* 10.0.0.20 */

/* An IPv4 packet of `total` bytes [header included] carrying proto
 * `proto`, with `opt_len` bytes of options copied from `opts` (multiple of
 * 4), and a payload pattern that depends on id. */
static sn_pkt *make_packet(sn_pktpool *pool, size_t total, uint16_t id, uint8_t proto,
                           const uint8_t *opts, size_t opt_len, int df)
{
    sn_pkt *p = sn_pkt_alloc(pool, 0);
    if (!p)
        return NULL;
    size_t hl = SN_IPV4_HDR_MIN + opt_len;
    uint8_t *b = sn_pkt_put(p, total);
    if (!b) {
        sn_pkt_free(p);
        return NULL;
    }
    sn_ipv4_hdr h = {0};
    h.total_len = (uint16_t)total;
    h.id = id;
    h.df = (uint8_t)df;
    h.ttl = 64;
    h.proto = proto;
    h.src = SRC;
    h.dst = DST;
    sn_ipv4_emit(b, &h);
    if (opt_len) {
        memcpy(b + SN_IPV4_HDR_MIN, opts, opt_len);
        b[0] = (uint8_t)(0x40 | hl / 4);
        b[10] = b[11] = 0;
        sn_put_be16(b + 10, sn_csum_finish(sn_csum_add(0, b, hl)));
    }
    for (size_t i = hl; i < total; i++)
        b[i] = (uint8_t)(i * 7 + id);
    if (proto == SN_IPPROTO_UDP && total >= hl + 8) {
        sn_put_be16(b + hl, 5000);
        sn_put_be16(b + hl + 2, 5001);
        sn_put_be16(b + hl + 4, (uint16_t)(total - hl));
        b[hl + 6] = b[hl + 7] = 0;
    }
    if (proto == SN_IPPROTO_TCP && total >= hl + 20)
        b[hl + 12] = 0x50; /* data offset 5 words */
    return p;
}

/* A hand-made fragment of `orig` (no options): data [off, off+len), MF. */
static sn_pkt *make_frag(sn_pktpool *pool, const sn_pkt *orig, size_t off, size_t len, int mf)
{
    const uint8_t *o = sn_pkt_data(orig);
    size_t hl = (size_t)(o[0] & 0xf) * 4;
    sn_pkt *f = sn_pkt_alloc(pool, 0);
    uint8_t *b = f ? sn_pkt_put(f, SN_IPV4_HDR_MIN + len) : NULL;
    if (!b) {
        sn_pkt_free(f);
        return NULL;
    }
    memcpy(b, o, SN_IPV4_HDR_MIN);
    b[0] = 0x45;
    sn_put_be16(b + 2, (uint16_t)(SN_IPV4_HDR_MIN + len));
    sn_put_be16(b + 6, (uint16_t)((mf ? 0x2000 : 0) | off / 8));
    b[10] = b[11] = 0;
    sn_put_be16(b + 10, sn_csum_finish(sn_csum_add(0, b, SN_IPV4_HDR_MIN)));
    if (len)
        memcpy(b + SN_IPV4_HDR_MIN, o + hl + off, len);
    return f;
}

/* Recompute the header checksum after a test edited the header. */
static void fix_csum(sn_pkt *p)
{
    uint8_t *b = sn_pkt_data(p);
    size_t hl = (size_t)(b[0] & 0xf) * 4;
    b[10] = b[11] = 0;
    sn_put_be16(b + 10, sn_csum_finish(sn_csum_add(0, b, hl)));
}

typedef struct fixture {
    sn_pktpool *pool;  /* fragments, 2048-byte buffers */
    sn_pktpool *big;   /* whole datagrams */
    sn_pktpool *src;   /* original packets, up to 64 KiB */
    sn_sched *sched;
    sn_reass *r;
    int timeouts, timeouts_with_first;
    uint16_t first_id;
} fixture;

static void on_timeout(void *user, const sn_pkt *first)
{
    fixture *fx = user;
    fx->timeouts++;
    if (first) {
        fx->timeouts_with_first++;
        fx->first_id = sn_get_be16(sn_pkt_data(first) + 4);
    }
}

static void fx_init(fixture *fx, const sn_reass_config *cfg_in)
{
    memset(fx, 0, sizeof *fx);
    fx->pool = sn_pktpool_create(512, 2048);
    fx->big = sn_pktpool_create(4, 65536 + SN_PKT_HEADROOM);
    fx->src = sn_pktpool_create(4, 65536);
    fx->sched = sn_sched_create();
    sn_reass_config cfg;
    if (cfg_in)
        cfg = *cfg_in;
    else
        sn_reass_config_default(&cfg);
    cfg.on_timeout = on_timeout;
    cfg.user = fx;
    fx->r = sn_reass_create(&cfg, fx->sched, fx->big);
    CHECK(fx->pool && fx->big && fx->src && fx->sched && fx->r);
}

static void fx_done(fixture *fx)
{
    sn_reass_destroy(fx->r);
    CHECK_EQ_INT(sn_pktpool_in_use(fx->pool), 0);
    CHECK_EQ_INT(sn_pktpool_in_use(fx->big), 0);
    CHECK_EQ_INT(sn_pktpool_in_use(fx->src), 0);
    sn_pktpool_destroy(fx->src);
    sn_sched_destroy(fx->sched);
    sn_pktpool_destroy(fx->pool);
    sn_pktpool_destroy(fx->big);
}

static sn_reass_stats fx_stats(const fixture *fx)
{
    sn_reass_stats s;
    sn_reass_get_stats(fx->r, &s);
    return s;
}

/* Check the fragments in q against orig for `mtu`; returns their count. */
static size_t check_fragments(const sn_pkt *orig, sn_pktq *q, unsigned mtu)
{
    const uint8_t *o = sn_pkt_data(orig);
    sn_ipv4_hdr oh;
    CHECK_EQ_INT(sn_ipv4_parse(o, sn_pkt_len(orig), &oh), SN_IPV4_OK);
    size_t expect_off = 0, n = 0;
    for (const sn_pkt *f = q->first; f; f = f->next, n++) {
        sn_ipv4_hdr h;
        CHECK_EQ_INT(sn_ipv4_parse(sn_pkt_data(f), sn_pkt_len(f), &h), SN_IPV4_OK);
        CHECK(h.total_len <= mtu);
        CHECK_EQ_INT(h.total_len, sn_pkt_len(f));
        CHECK_EQ_INT(h.frag_off, expect_off);
        CHECK_EQ_INT(h.id, oh.id);
        CHECK_EQ_INT(h.proto, oh.proto);
        CHECK(h.src == oh.src && h.dst == oh.dst);
        size_t dlen = (size_t)h.total_len - h.hdr_len;
        CHECK_EQ_INT(h.mf, f->next != NULL);
        if (f->next)
            CHECK_EQ_INT(dlen % 8, 0);
        CHECK_MEM(sn_pkt_data(f) + h.hdr_len, o + oh.hdr_len + expect_off, dlen);
        CHECK(sn_pkt_headroom(f) >= SN_PKT_HEADROOM);
        expect_off += dlen;
    }
    CHECK_EQ_INT(expect_off, (size_t)oh.total_len - oh.hdr_len);
    return n;
}

static void test_fragment_udp_4000(void)
{
    sn_pktpool *srcp = sn_pktpool_create(2, 65536);
    sn_pktpool *pool = sn_pktpool_create(32, 2048);
    sn_pkt *p = make_packet(srcp, 4000, 0x1234, SN_IPPROTO_UDP, NULL, 0, 0);
    CHECK(p != NULL);
    sn_pktq q;
    sn_pktq_init(&q, 64);
    /* MTU 1000: 976 data bytes per fragment, 3980 = 4 * 976 + 76 */
    CHECK_EQ_INT(sn_ipv4_fragment(pool, p, 1000, &q), 5);
    CHECK_EQ_INT(check_fragments(p, &q, 1000), 5);
    CHECK_EQ_INT(sn_pkt_len(q.last), 20 + 76);
    sn_pktq_clear(&q);
    /* MTU 576: 552 per fragment, 3980 = 7 * 552 + 116 */
    CHECK_EQ_INT(sn_ipv4_fragment(pool, p, 576, &q), 8);
    CHECK_EQ_INT(check_fragments(p, &q, 576), 8);
    CHECK_EQ_INT(sn_pkt_len(q.last), 20 + 116);
    sn_pktq_clear(&q);
    /* fits the MTU but not a 2048-byte buffer */
    CHECK_EQ_INT(sn_ipv4_fragment(pool, p, 4000, &q), SN_ERR_NOBUFS);
    CHECK_EQ_INT(q.count, 0);
    /* fits: one copy */
    sn_pkt *small = make_packet(srcp, 1000, 0x1235, SN_IPPROTO_UDP, NULL, 0, 1);
    CHECK_EQ_INT(sn_ipv4_fragment(pool, small, 1000, &q), 1);
    CHECK_EQ_INT(sn_pkt_len(q.first), 1000);
    CHECK_MEM(sn_pkt_data(q.first), sn_pkt_data(small), 1000);
    sn_pktq_clear(&q);
    sn_pkt_free(small);
    /* bad MTUs */
    CHECK_EQ_INT(sn_ipv4_fragment(pool, p, 67, &q), SN_ERR_INVAL);
    CHECK_EQ_INT(q.count, 0);
    sn_pkt_free(p);
    CHECK_EQ_INT(sn_pktpool_in_use(pool), 0);
    sn_pktpool_destroy(pool);
    CHECK_EQ_INT(sn_pktpool_in_use(srcp), 0);
    sn_pktpool_destroy(srcp);
}

static void test_fragment_df_and_nobufs(void)
{
    sn_pktpool *srcp = sn_pktpool_create(2, 65536);
    sn_pktpool *pool = sn_pktpool_create(4, 2048);
    sn_pkt *p = make_packet(srcp, 1500, 7, SN_IPPROTO_UDP, NULL, 0, 1);
    sn_pktq q;
    sn_pktq_init(&q, 64);
    /* DF: the caller sends frag-needed with next-hop MTU 576 */
    CHECK_EQ_INT(sn_ipv4_fragment(pool, p, 576, &q), SN_ERR_RANGE);
    CHECK_EQ_INT(q.count, 0);
    sn_pkt_free(p);
    /* 1900 bytes at MTU 200 needs 11 buffers, the pool has 4 */
    p = make_packet(srcp, 1900, 8, SN_IPPROTO_UDP, NULL, 0, 0);
    CHECK_EQ_INT(sn_ipv4_fragment(pool, p, 200, &q), SN_ERR_NOBUFS);
    CHECK_EQ_INT(q.count, 0);
    CHECK_EQ_INT(sn_pktpool_in_use(pool), 0);
    /* queue too short: nothing appended */
    sn_pktq small;
    sn_pktq_init(&small, 1);
    CHECK_EQ_INT(sn_ipv4_fragment(pool, p, 1000, &small), SN_ERR_NOBUFS);
    CHECK_EQ_INT(small.count, 0);
    CHECK_EQ_INT(sn_pktpool_in_use(pool), 0);
    /* buffers too small for the fragments */
    sn_pktpool *tiny = sn_pktpool_create(8, SN_PKT_HEADROOM + 100);
    CHECK_EQ_INT(sn_ipv4_fragment(tiny, p, 1000, &q), SN_ERR_NOBUFS);
    CHECK_EQ_INT(sn_pktpool_in_use(tiny), 0);
    sn_pktpool_destroy(tiny);
    sn_pkt_free(p);
    CHECK_EQ_INT(sn_pktpool_in_use(pool), 0);
    sn_pktpool_destroy(pool);
    CHECK_EQ_INT(sn_pktpool_in_use(srcp), 0);
    sn_pktpool_destroy(srcp);
}

static void test_fragment_options(void)
{
    sn_pktpool *srcp = sn_pktpool_create(2, 65536);
    /* NOP, Record Route (copy bit clear, 7 bytes), LSRR (copied, 7 bytes),
     * End: 16 bytes -> header 36; later fragments carry LSRR + pad = 28. */
    const uint8_t opts[16] = {1, 7, 7, 4, 0, 0, 0, 0, 0x83, 7, 4, 10, 0, 0, 1, 0};
    sn_pktpool *pool = sn_pktpool_create(16, 2048);
    sn_pkt *p = make_packet(srcp, 1200, 99, SN_IPPROTO_UDP, opts, 16, 0);
    sn_pktq q;
    sn_pktq_init(&q, 16);
    int n = sn_ipv4_fragment(pool, p, 500, &q);
    CHECK(n >= 3);
    CHECK_EQ_INT(check_fragments(p, &q, 500), (size_t)n);
    const sn_pkt *f = q.first;
    CHECK_EQ_INT(sn_pkt_data(f)[0] & 0xf, 9);
    CHECK_MEM(sn_pkt_data(f) + 20, opts, 16);
    for (f = f->next; f; f = f->next) {
        CHECK_EQ_INT(sn_pkt_data(f)[0] & 0xf, 7);
        const uint8_t want[8] = {0x83, 7, 4, 10, 0, 0, 1, 0};
        CHECK_MEM(sn_pkt_data(f) + 20, want, 8);
    }
    /* and they reassemble to the original, options of the first kept */
    fixture fx;
    fx_init(&fx, NULL);
    sn_pkt *whole = NULL, *frag;
    while ((frag = sn_pktq_pop(&q)) != NULL)
        CHECK_EQ_INT(sn_reass_input(fx.r, frag, &whole), SN_OK);
    CHECK(whole != NULL);
    if (whole) {
        CHECK_EQ_INT(sn_pkt_len(whole), 1200);
        CHECK_MEM(sn_pkt_data(whole), sn_pkt_data(p), 1200);
    }
    sn_pkt_free(whole);
    fx_done(&fx);
    /* malformed option length */
    sn_pkt_data(p)[20 + 2] = 40; /* Record Route length past the header */
    sn_pkt_data(p)[10] = sn_pkt_data(p)[11] = 0;
    sn_put_be16(sn_pkt_data(p) + 10, sn_csum_finish(sn_csum_add(0, sn_pkt_data(p), 36)));
    CHECK_EQ_INT(sn_ipv4_fragment(pool, p, 500, &q), SN_ERR_PARSE);
    sn_pkt_free(p);
    CHECK_EQ_INT(sn_pktpool_in_use(pool), 0);
    sn_pktpool_destroy(pool);
    CHECK_EQ_INT(sn_pktpool_in_use(srcp), 0);
    sn_pktpool_destroy(srcp);
}

/* Fragment `orig` at `mtu` into an array (owned by the caller). */
static size_t split(sn_pktpool *pool, const sn_pkt *orig, unsigned mtu, sn_pkt **arr, size_t max)
{
    sn_pktq q;
    sn_pktq_init(&q, max);
    int n = sn_ipv4_fragment(pool, orig, mtu, &q);
    CHECK(n > 0);
    for (int i = 0; i < n; i++)
        arr[i] = sn_pktq_pop(&q);
    return n > 0 ? (size_t)n : 0;
}

/* Feed arr[order[i]]; the whole must appear exactly at the last one and
 * equal orig byte for byte. */
static void feed_expect_whole(fixture *fx, sn_pkt **arr, const size_t *order, size_t n,
                              const sn_pkt *orig)
{
    sn_pkt *whole = NULL;
    for (size_t i = 0; i < n; i++) {
        CHECK_EQ_INT(sn_reass_input(fx->r, arr[order[i]], &whole), SN_OK);
        if (i + 1 < n)
            CHECK(whole == NULL);
        else
            CHECK(whole != NULL);
        if (whole && i + 1 < n) {
            sn_pkt_free(whole);
            whole = NULL;
        }
    }
    if (whole) {
        CHECK_EQ_INT(sn_pkt_len(whole), sn_pkt_len(orig));
        CHECK_MEM(sn_pkt_data(whole), sn_pkt_data(orig), sn_pkt_len(orig));
        sn_ipv4_hdr h;
        CHECK_EQ_INT(sn_ipv4_parse(sn_pkt_data(whole), sn_pkt_len(whole), &h), SN_IPV4_OK);
    }
    sn_pkt_free(whole);
}

static void test_reass_orders(void)
{
    fixture fx;
    fx_init(&fx, NULL);
    sn_pkt *orig = make_packet(fx.src, 4000, 1, SN_IPPROTO_UDP, NULL, 0, 0);
    sn_pkt *arr[16];
    size_t order[16];
    sn_rng rng;
    sn_rng_seed(&rng, 42);
    for (int mode = 0; mode < 3 + 20; mode++) {
        size_t n = split(fx.pool, orig, mode % 2 ? 576 : 1000, arr, 16);
        for (size_t i = 0; i < n; i++)
            order[i] = mode == 1 ? n - 1 - i : i; /* 0 in order, 1 reverse */
        if (mode >= 2) /* shuffled, seeded */
            for (size_t i = n - 1; i > 0; i--) {
                size_t j = (size_t)sn_rng_below(&rng, i + 1), t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        feed_expect_whole(&fx, arr, order, n, orig);
    }
    sn_reass_stats s = fx_stats(&fx);
    CHECK_EQ_INT(s.reassembled, 23);
    CHECK_EQ_INT(s.datagrams_held, 0);
    CHECK_EQ_INT(s.bytes_held, 0);
    /* a non-fragment goes straight through */
    sn_pkt *whole = NULL;
    sn_pkt *plain = sn_pkt_clone(fx.src, orig);
    CHECK_EQ_INT(sn_reass_input(fx.r, plain, &whole), SN_OK);
    CHECK(whole == plain);
    sn_pkt_free(whole);
    sn_pkt_free(orig);
    fx_done(&fx);
}

/* FRAG-02: all 6 orders of 3 fragments (OpenBSD frag_permute). */
static void test_reass_permute3(void)
{
    static const size_t perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                       {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    fixture fx;
    fx_init(&fx, NULL);
    sn_pkt *orig = make_packet(fx.src, 20 + 8 + 56, 3, SN_IPPROTO_ICMP, NULL, 0, 0);
    for (int k = 0; k < 6; k++) {
        sn_pkt *arr[3] = {make_frag(fx.pool, orig, 0, 24, 1), make_frag(fx.pool, orig, 24, 24, 1),
                          make_frag(fx.pool, orig, 48, 16, 0)};
        feed_expect_whole(&fx, arr, perms[k], 3, orig);
    }
    CHECK_EQ_INT(fx_stats(&fx).reassembled, 6);
    sn_pkt_free(orig);
    fx_done(&fx);
}

static void test_reass_duplicates(void)
{
    fixture fx;
    fx_init(&fx, NULL);
    sn_pkt *orig = make_packet(fx.src, 4000, 2, SN_IPPROTO_UDP, NULL, 0, 0);
    sn_pkt *arr[16];
    size_t n = split(fx.pool, orig, 1000, arr, 16);
    sn_pkt *whole = NULL;
    /* every fragment but the last twice, the first three times */
    for (size_t i = 0; i + 1 < n; i++) {
        sn_pkt *dup = sn_pkt_clone(fx.pool, arr[i]);
        CHECK_EQ_INT(sn_reass_input(fx.r, arr[i], &whole), SN_OK);
        CHECK_EQ_INT(sn_reass_input(fx.r, dup, &whole), SN_OK);
        CHECK(whole == NULL);
        if (i == 0) {
            /* an exact subset: the first 16 bytes again (FRAG-03) */
            sn_pkt *sub = make_frag(fx.pool, orig, 0, 16, 1);
            CHECK_EQ_INT(sn_reass_input(fx.r, sub, &whole), SN_OK);
        }
    }
    /* identical bytes spanning two held fragments: tolerated */
    sn_pkt *span = make_frag(fx.pool, orig, 976 - 8, 16, 1);
    CHECK_EQ_INT(sn_reass_input(fx.r, span, &whole), SN_OK);
    CHECK(whole == NULL);
    CHECK_EQ_INT(sn_reass_input(fx.r, arr[n - 1], &whole), SN_OK);
    CHECK(whole != NULL);
    if (whole)
        CHECK_MEM(sn_pkt_data(whole), sn_pkt_data(orig), 4000);
    sn_pkt_free(whole);
    sn_reass_stats s = fx_stats(&fx);
    CHECK_EQ_INT(s.reassembled, 1);
    CHECK_EQ_INT(s.drop_duplicate, n - 1 + 2);
    CHECK_EQ_INT(s.drop_overlap, 0);
    sn_pkt_free(orig);
    fx_done(&fx);
}

/* FRAG-05: timeout on the virtual clock, Time Exceeded only with the
 * first fragment; memory released. */
static void test_reass_timeout(void)
{
    fixture fx;
    fx_init(&fx, NULL);
    sn_pkt *orig = make_packet(fx.src, 4000, 5, SN_IPPROTO_UDP, NULL, 0, 0);
    sn_pkt *arr[16];
    size_t n = split(fx.pool, orig, 1000, arr, 16);
    sn_pkt *whole = NULL;
    for (size_t i = 0; i + 1 < n; i++) /* last one missing, first present */
        CHECK_EQ_INT(sn_reass_input(fx.r, arr[i], &whole), SN_OK);
    sn_pkt_free(arr[n - 1]);
    sn_sched_run(fx.sched, 60 * SN_NS_PER_S - 1, 0);
    CHECK_EQ_INT(fx.timeouts, 0);
    sn_sched_run(fx.sched, 60 * SN_NS_PER_S, 0);
    CHECK_EQ_INT(fx.timeouts, 1);
    CHECK_EQ_INT(fx.timeouts_with_first, 1);
    CHECK_EQ_INT(fx.first_id, 5);
    CHECK_EQ_INT(fx_stats(&fx).drop_timeout, 1);
    CHECK_EQ_INT(fx_stats(&fx).bytes_held, 0);
    CHECK_EQ_INT(sn_pktpool_in_use(fx.pool), 0);

    /* first fragment missing: silence (callback with NULL) */
    n = split(fx.pool, orig, 1000, arr, 16);
    sn_pkt_free(arr[0]);
    for (size_t i = 1; i < n; i++)
        CHECK_EQ_INT(sn_reass_input(fx.r, arr[i], &whole), SN_OK);
    sn_sched_run(fx.sched, 200 * SN_NS_PER_S, 0);
    CHECK_EQ_INT(fx.timeouts, 2);
    CHECK_EQ_INT(fx.timeouts_with_first, 1);
    CHECK_EQ_INT(sn_sched_pending(fx.sched), 0);
    CHECK_EQ_INT(fx_stats(&fx).datagrams_held, 0);

    /* two datagrams 10 s apart expire 10 s apart (one timer, rearmed) */
    sn_pkt *a = make_frag(fx.pool, orig, 0, 8, 1);
    sn_pkt_data(a)[4] = 0x70; /* another id */
    fix_csum(a);
    CHECK_EQ_INT(sn_reass_input(fx.r, a, &whole), SN_OK);
    sn_sched_run(fx.sched, 210 * SN_NS_PER_S, 0);
    sn_pkt *b = make_frag(fx.pool, orig, 0, 8, 1);
    CHECK_EQ_INT(sn_reass_input(fx.r, b, &whole), SN_OK);
    sn_sched_run(fx.sched, 260 * SN_NS_PER_S, 0);
    CHECK_EQ_INT(fx.timeouts, 3);
    sn_sched_run(fx.sched, 270 * SN_NS_PER_S, 0);
    CHECK_EQ_INT(fx.timeouts, 4);
    sn_pkt_free(orig);
    fx_done(&fx);
}

/* FRAG-04: non-identical overlaps drop the whole datagram. */
static void test_reass_overlap(void)
{
    fixture fx;
    fx_init(&fx, NULL);
    sn_pkt *orig = make_packet(fx.src, 20 + 64, 9, SN_IPPROTO_UDP, NULL, 0, 0);
    sn_pkt *whole = NULL;
    for (int where = 0; where < 3; where++) {
        /* 0: teardrop-like overlap in the middle, 1: rewriting the UDP
         * header (overreplace), 2: overlap at the end */
        size_t off = where == 0 ? 16 : where == 1 ? 0 : 48;
        CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, orig, 0, 24, 1), &whole), SN_OK);
        CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, orig, 40, 24, 0), &whole), SN_OK);
        sn_pkt *evil = make_frag(fx.pool, orig, off, 16, 1);
        sn_pkt_data(evil)[20 + 3] ^= 0xff;
        CHECK_EQ_INT(sn_reass_input(fx.r, evil, &whole), SN_ERR_PARSE);
        CHECK(whole == NULL);
        CHECK_EQ_INT(fx_stats(&fx).datagrams_held, 0);
        /* the rest alone starts a new, incomplete datagram */
        CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, orig, 24, 16, 1), &whole), SN_OK);
        CHECK(whole == NULL);
        sn_sched_run(fx.sched, sn_sched_now(fx.sched) + 61 * SN_NS_PER_S, 0);
    }
    CHECK_EQ_INT(fx_stats(&fx).drop_overlap, 3);
    CHECK_EQ_INT(fx_stats(&fx).reassembled, 0);
    sn_pkt_free(orig);
    fx_done(&fx);
}

/* FRAG-06: sizes and inconsistent ends (OpenBSD frag_maxlen, mf0long,
 * mf0short, mf1end, zerofirst). */
static void test_reass_bad_shapes(void)
{
    fixture fx;
    fx_init(&fx, NULL);
    sn_pkt *orig = make_packet(fx.src, 20 + 64, 11, SN_IPPROTO_ICMP, NULL, 0, 0);
    sn_pkt *whole = NULL;
    sn_pkt *big = make_frag(fx.pool, orig, 0, 16, 1);
    sn_put_be16(sn_pkt_data(big) + 6, (uint16_t)(0x2000 | 65520 / 8));
    fix_csum(big);
    CHECK_EQ_INT(sn_reass_input(fx.r, big, &whole), SN_ERR_RANGE); /* 20+65520+16 > 65535 */
    CHECK_EQ_INT(fx_stats(&fx).drop_too_big, 1);

    /* zerofirst: zero-length first fragment dropped, the real ones work */
    CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, orig, 0, 0, 1), &whole), SN_ERR_PARSE);
    CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, orig, 0, 32, 1), &whole), SN_OK);
    CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, orig, 32, 32, 0), &whole), SN_OK);
    CHECK(whole != NULL);
    sn_pkt_free(whole);
    whole = NULL;

    /* non-last length not a multiple of 8 */
    CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, orig, 0, 12, 1), &whole), SN_ERR_PARSE);
    /* mf0long: data beyond a known end */
    CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, orig, 32, 16, 0), &whole), SN_OK);
    CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, orig, 40, 24, 0), &whole), SN_ERR_PARSE);
    /* mf0short: a second last fragment ending earlier */
    CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, orig, 32, 32, 0), &whole), SN_OK);
    CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, orig, 24, 16, 0), &whole), SN_ERR_PARSE);
    /* mf1end: MF fragment past the end */
    CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, orig, 32, 16, 0), &whole), SN_OK);
    CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, orig, 40, 16, 1), &whole), SN_ERR_PARSE);
    /* a last fragment ending before data already seen */
    CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, orig, 40, 24, 0), &whole), SN_OK);
    CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, orig, 32, 8, 1), &whole), SN_OK);
    CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, orig, 16, 8, 0), &whole), SN_ERR_PARSE);
    CHECK(whole == NULL);
    CHECK_EQ_INT(fx_stats(&fx).drop_bad_frag, 6);
    CHECK_EQ_INT(fx_stats(&fx).datagrams_held, 0);
    /* malformed header */
    sn_pkt *bad = make_frag(fx.pool, orig, 0, 16, 1);
    sn_pkt_data(bad)[10] ^= 1;
    CHECK_EQ_INT(sn_reass_input(fx.r, bad, &whole), SN_ERR_PARSE);
    CHECK_EQ_INT(fx_stats(&fx).drop_malformed, 1);
    sn_pkt_free(orig);
    fx_done(&fx);
}

/* FRAG-08: tiny first TCP fragment, TCP fragment at offset 8. */
static void test_reass_tiny(void)
{
    fixture fx;
    fx_init(&fx, NULL);
    sn_pkt *tcp = make_packet(fx.src, 20 + 40, 12, SN_IPPROTO_TCP, NULL, 0, 0);
    sn_pkt *whole = NULL;
    CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, tcp, 0, 8, 1), &whole), SN_ERR_PARSE);
    CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, tcp, 8, 32, 0), &whole), SN_ERR_PARSE);
    /* offset 8 after a good first fragment drops the datagram */
    CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, tcp, 0, 24, 1), &whole), SN_OK);
    CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, tcp, 8, 32, 0), &whole), SN_ERR_PARSE);
    CHECK_EQ_INT(fx_stats(&fx).drop_tiny, 3);
    CHECK_EQ_INT(fx_stats(&fx).datagrams_held, 0);
    /* a sane split works */
    CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, tcp, 24, 16, 0), &whole), SN_OK);
    CHECK_EQ_INT(sn_reass_input(fx.r, make_frag(fx.pool, tcp, 0, 24, 1), &whole), SN_OK);
    CHECK(whole != NULL);
    if (whole)
        CHECK_MEM(sn_pkt_data(whole), sn_pkt_data(tcp), 60);
    sn_pkt_free(whole);
    sn_pkt_free(tcp);
    fx_done(&fx);
}

/* FRAG-07: 10 000 distinct incomplete datagrams; memory stays bounded and
 * a normal datagram still gets through meanwhile. */
static void test_reass_flood(void)
{
    sn_reass_config cfg;
    sn_reass_config_default(&cfg);
    cfg.max_datagrams = 32;
    cfg.max_bytes = 64 * 2048;
    fixture fx;
    fx_init(&fx, &cfg);
    sn_pkt *orig = make_packet(fx.src, 3000, 0xbeef, SN_IPPROTO_UDP, NULL, 0, 0);
    sn_pkt *junk = make_packet(fx.src, 20 + 64, 0, SN_IPPROTO_UDP, NULL, 0, 0);
    sn_pkt *arr[16];
    size_t n = split(fx.pool, orig, 1000, arr, 16);
    size_t fed = 0, max_in_use = 0, max_bytes = 0;
    sn_pkt *whole = NULL;
    int got = 0;
    for (unsigned i = 0; i < 10000; i++) {
        sn_pkt *f = make_frag(fx.pool, junk, (i % 2) ? 0 : 8, 8, 1);
        sn_put_be16(sn_pkt_data(f) + 4, (uint16_t)(i + 1)); /* id */
        sn_put_be32(sn_pkt_data(f) + 12, 0x0B000000u + i / 65000); /* src */
        fix_csum(f);
        CHECK_EQ_INT(sn_reass_input(fx.r, f, &whole), SN_OK);
        /* a real fragment every 5 junk ones: it must survive 15 junk
         * datagrams, well within 32 slots */
        if (i % 5 == 4 && fed < n) {
            CHECK_EQ_INT(sn_reass_input(fx.r, arr[fed++], &whole), SN_OK);
            if (whole) {
                got++;
                CHECK_MEM(sn_pkt_data(whole), sn_pkt_data(orig), 3000);
                sn_pkt_free(whole);
                whole = NULL;
            }
        }
        sn_reass_stats s = fx_stats(&fx);
        if (sn_pktpool_in_use(fx.pool) > max_in_use)
            max_in_use = sn_pktpool_in_use(fx.pool);
        if (s.bytes_held > max_bytes)
            max_bytes = s.bytes_held;
        CHECK(s.datagrams_held <= 32);
    }
    CHECK_EQ_INT(got, 1);
    CHECK(max_bytes <= cfg.max_bytes);
    CHECK(max_in_use <= 2 + 32 + 4);
    CHECK(fx_stats(&fx).drop_evicted >= 10000 - 32);
    sn_pkt_free(orig);
    sn_pkt_free(junk);
    fx_done(&fx);
}

/* Byte bound smaller than one datagram: it goes, counted. */
static void test_reass_byte_bound(void)
{
    sn_reass_config cfg;
    sn_reass_config_default(&cfg);
    cfg.max_bytes = 2 * 2048;
    fixture fx;
    fx_init(&fx, &cfg);
    sn_pkt *orig = make_packet(fx.src, 4000, 77, SN_IPPROTO_UDP, NULL, 0, 0);
    sn_pkt *arr[16];
    size_t n = split(fx.pool, orig, 1000, arr, 16);
    sn_pkt *whole = NULL;
    CHECK_EQ_INT(sn_reass_input(fx.r, arr[0], &whole), SN_OK);
    CHECK_EQ_INT(sn_reass_input(fx.r, arr[1], &whole), SN_OK);
    CHECK_EQ_INT(sn_reass_input(fx.r, arr[2], &whole), SN_ERR_NOBUFS);
    CHECK_EQ_INT(fx_stats(&fx).drop_evicted, 1);
    CHECK_EQ_INT(fx_stats(&fx).bytes_held, 0);
    for (size_t i = 3; i < n; i++)
        sn_pkt_free(arr[i]);
    sn_pkt_free(orig);
    fx_done(&fx);
}

/* FRAG-01: 576, 1500, 4096 and 65535-byte datagrams; EMTU_R. */
static void test_reass_sizes(void)
{
    sn_reass_config cfg;
    sn_reass_config_default(&cfg);
    cfg.max_bytes = 1024 * 1024;
    fixture fx;
    fx_init(&fx, &cfg);
    CHECK_EQ_INT(sn_reass_emtu_r(fx.r), 65535);
    static const size_t sizes[] = {576, 1500, 4096, 65535};
    sn_pktpool *bigsrc = sn_pktpool_create(1, 65536);
    for (size_t k = 0; k < 4; k++) {
        sn_pkt *orig = make_packet(bigsrc, sizes[k], (uint16_t)(100 + k), SN_IPPROTO_UDP, NULL,
                                   0, 0);
        sn_pkt *arr[160];
        size_t n = split(fx.pool, orig, 512, arr, 160);
        size_t order[160];
        for (size_t i = 0; i < n; i++)
            order[i] = i;
        /* reverse half of them for good measure */
        for (size_t i = 0; i < n / 2; i++) {
            size_t t = order[i];
            order[i] = order[n - 1 - i];
            order[n - 1 - i] = t;
        }
        feed_expect_whole(&fx, arr, order, n, orig);
        sn_pkt_free(orig);
    }
    CHECK_EQ_INT(fx_stats(&fx).reassembled, 4);
    sn_pktpool_destroy(bigsrc);
    fx_done(&fx);

    /* a small output pool caps EMTU_R */
    sn_sched *s = sn_sched_create();
    sn_pktpool *small = sn_pktpool_create(2, 1000);
    sn_reass *r = sn_reass_create(NULL, s, small);
    CHECK_EQ_INT(sn_reass_emtu_r(r), 1000);
    sn_reass_destroy(r);
    sn_pktpool *toosmall = sn_pktpool_create(2, 500);
    CHECK(sn_reass_create(NULL, s, toosmall) == NULL);
    sn_pktpool_destroy(toosmall);
    sn_pktpool_destroy(small);
    sn_sched_destroy(s);
}

/* A router fragments a fragment again; the receiver reassembles all. */
static void test_refragment(void)
{
    fixture fx;
    fx_init(&fx, NULL);
    sn_pkt *orig = make_packet(fx.src, 4000, 21, SN_IPPROTO_UDP, NULL, 0, 0);
    sn_pkt *arr[16];
    size_t n = split(fx.pool, orig, 1500, arr, 16);
    sn_pktq q;
    sn_pktq_init(&q, 64);
    for (size_t i = 0; i < n; i++) {
        CHECK(sn_ipv4_fragment(fx.pool, arr[i], 576, &q) > 0);
        sn_pkt_free(arr[i]);
    }
    sn_pkt *whole = NULL, *f;
    int got = 0;
    while ((f = sn_pktq_pop(&q)) != NULL) {
        CHECK_EQ_INT(sn_reass_input(fx.r, f, &whole), SN_OK);
        if (whole) {
            got++;
            CHECK_MEM(sn_pkt_data(whole), sn_pkt_data(orig), 4000);
            sn_pkt_free(whole);
            whole = NULL;
        }
    }
    CHECK_EQ_INT(got, 1);
    sn_pkt_free(orig);
    fx_done(&fx);
}

static void test_stats_list(void)
{
    fixture fx;
    fx_init(&fx, NULL);
    sn_stat st[SN_STATS_MAX];
    size_t n = sn_reass_stats_list(fx.r, st, SN_STATS_MAX);
    CHECK_EQ_INT(n, 14);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        found += strcmp(st[i].name, "drop_overlap") == 0;
    CHECK_EQ_INT(found, 1);
    sn_reass_destroy(NULL);
    CHECK(sn_reass_create(NULL, NULL, fx.big) == NULL);
    sn_pkt *whole = (sn_pkt *)1;
    CHECK_EQ_INT(sn_reass_input(NULL, NULL, &whole), SN_ERR_INVAL);
    CHECK(whole == NULL);
    fx_done(&fx);
}

/* sn_ipv4_fragment_parts: the fragments of a datagram given as header +
 * two pieces are byte for byte those of the same datagram in one buffer,
 * wherever the pieces are split, for several MTUs, with and without
 * options; a header whose total length disagrees with the pieces, or DF
 * on a datagram too large, is refused with nothing appended. */
static void test_fragment_parts(void)
{
    /* room for both fragment lists of the worst case below: 20000 bytes
     * in 56-byte pieces twice */
    sn_pktpool *pool = sn_pktpool_create(1000, 2048);
    sn_pktpool *big = sn_pktpool_create(1, 65536);
    CHECK(pool && big);
    sn_rng rng;
    sn_rng_seed(&rng, 11);
    const uint8_t opts[8] = {0x83, 7, 4, 1, 2, 3, 4, 0}; /* LSRR: copied */
    for (int round = 0; round < 12; round++) {
        size_t opt_len = round % 2 ? sizeof opts : 0;
        size_t hl = SN_IPV4_HDR_MIN + opt_len;
        size_t total = round == 0 ? 65535 : hl + 1 + (size_t)sn_rng_below(&rng, 20000);
        unsigned mtu = (unsigned)(SN_IPV4_MTU_MIN + 8 + sn_rng_below(&rng, 1500));
        if (round == 0)
            mtu = 576; /* 65535 bytes: 119 fragments */
        sn_pkt *whole = make_packet(big, total, (uint16_t)round, SN_IPPROTO_UDP,
                                    opt_len ? opts : NULL, opt_len, 0);
        CHECK(whole != NULL);
        if (!whole)
            break;
        const uint8_t *w = sn_pkt_data(whole);
        size_t split = (size_t)sn_rng_below(&rng, total - hl + 1);
        sn_pktq qa, qb;
        sn_pktq_init(&qa, SIZE_MAX);
        sn_pktq_init(&qb, SIZE_MAX);
        int na = sn_ipv4_fragment(pool, whole, mtu, &qa);
        sn_pkt_meta meta = whole->meta;
        int nb = sn_ipv4_fragment_parts(pool, w, w + hl, split, w + hl + split, total - hl - split,
                                        mtu, &meta, &qb);
        CHECK(na >= 1);
        CHECK_EQ_INT(nb, na);
        sn_pkt *a, *b;
        while ((a = sn_pktq_pop(&qa)) != NULL) {
            b = sn_pktq_pop(&qb);
            CHECK(b != NULL);
            if (b) {
                CHECK_EQ_INT(sn_pkt_len(b), sn_pkt_len(a));
                if (sn_pkt_len(b) == sn_pkt_len(a))
                    CHECK_MEM(sn_pkt_data(b), sn_pkt_data(a), sn_pkt_len(a));
            }
            sn_pkt_free(a);
            sn_pkt_free(b);
        }
        CHECK(sn_pktq_pop(&qb) == NULL);
        /* a total length that does not match the pieces */
        CHECK_EQ_INT(sn_ipv4_fragment_parts(pool, w, w + hl, split, w + hl + split,
                                            total - hl - split - 1, mtu, &meta, &qb),
                     SN_ERR_PARSE);
        CHECK_EQ_INT(qb.count, 0);
        sn_pkt_free(whole);
    }
    /* DF and larger than the MTU: SN_ERR_RANGE, nothing appended */
    sn_pkt *df = make_packet(big, 3000, 99, SN_IPPROTO_UDP, NULL, 0, 1);
    CHECK(df != NULL);
    if (df) {
        sn_pktq q;
        sn_pktq_init(&q, SIZE_MAX);
        const uint8_t *w = sn_pkt_data(df);
        CHECK_EQ_INT(sn_ipv4_fragment_parts(pool, w, w + 20, 8, w + 28, 3000 - 28, 1500,
                                            &df->meta, &q),
                     SN_ERR_RANGE);
        CHECK_EQ_INT(q.count, 0);
        sn_pkt_free(df);
    }
    CHECK_EQ_INT(sn_pktpool_in_use(pool), 0);
    sn_pktpool_destroy(pool);
    sn_pktpool_destroy(big);
}

int main(void)
{
    TEST_RUN(test_fragment_udp_4000);
    TEST_RUN(test_fragment_df_and_nobufs);
    TEST_RUN(test_fragment_options);
    TEST_RUN(test_reass_orders);
    TEST_RUN(test_reass_permute3);
    TEST_RUN(test_reass_duplicates);
    TEST_RUN(test_reass_timeout);
    TEST_RUN(test_reass_overlap);
    TEST_RUN(test_reass_bad_shapes);
    TEST_RUN(test_reass_tiny);
    TEST_RUN(test_reass_flood);
    TEST_RUN(test_reass_byte_bound);
    TEST_RUN(test_reass_sizes);
    TEST_RUN(test_refragment);
    TEST_RUN(test_stats_list);
    TEST_RUN(test_fragment_parts);
    TEST_DONE();
}
