/* Fuzz target for net/frag: the input either describes a valid UDP-in-IPv4
 * datagram that is fragmented and fed back in an input-chosen order (with
 * duplicates, losses, byte flips and clock jumps), or is a list of raw
 * "fragments" fed as they are. Reassembly runs with small bounds. Checks:
 * no crash, a datagram rebuilt from unmodified fragments equals the
 * original, bounds hold, and every pool buffer is back after destroy. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/pkt.h"
#include "core/sched.h"
#include "net/frag.h"
#include "net/ipv4_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct cursor {
    const uint8_t *p;
    size_t n;
} cursor;

static unsigned take(cursor *c)
{
    if (c->n == 0)
        return 0;
    c->n--;
    return *c->p++;
}

static void on_timeout(void *user, const sn_pkt *first)
{
    (void)user;
    if (first && sn_pkt_len(first) < SN_IPV4_HDR_MIN)
        abort();
}

static void feed(sn_reass *r, sn_pkt *f, const sn_pkt *orig, int pristine)
{
    sn_pkt *whole = NULL;
    int rc = sn_reass_input(r, f, &whole);
    if (rc != 0 && whole)
        abort();
    if (!whole)
        return;
    sn_ipv4_hdr h;
    if (sn_ipv4_parse(sn_pkt_data(whole), sn_pkt_len(whole), &h) != SN_IPV4_OK || h.mf ||
        h.total_len != sn_pkt_len(whole))
        abort();
    /* from unmodified fragments of one datagram, the original comes back */
    if (pristine && orig && whole != f &&
        (sn_pkt_len(whole) != sn_pkt_len(orig) ||
         memcmp(sn_pkt_data(whole), sn_pkt_data(orig), sn_pkt_len(orig)) != 0))
        abort();
    sn_pkt_free(whole);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sn_pktpool *pool = sn_pktpool_create(96, 2048);
    sn_pktpool *big = sn_pktpool_create(2, 8192);
    sn_sched *s = sn_sched_create();
    sn_reass_config cfg;
    sn_reass_config_default(&cfg);
    cfg.max_datagrams = 4;
    cfg.max_bytes = 12 * 2048;
    cfg.timeout = SN_NS_PER_S;
    cfg.on_timeout = on_timeout;
    sn_reass *r = pool && big && s ? sn_reass_create(&cfg, s, big) : NULL;
    if (!r)
        abort();
    cursor c = {data, size};
    unsigned mode = take(&c);

    if (mode & 1) {
        /* a valid datagram: payload from the input, fragmented */
        size_t plen = (take(&c) << 8 | take(&c)) % 7000;
        unsigned mtu = 68 + 8 * take(&c);
        sn_pkt *orig = sn_pkt_alloc(big, 0);
        uint8_t *b = orig ? sn_pkt_put(orig, SN_IPV4_HDR_MIN + 8 + plen) : NULL;
        if (!b)
            abort();
        sn_ipv4_hdr h = {0};
        h.total_len = (uint16_t)(SN_IPV4_HDR_MIN + 8 + plen);
        h.id = (uint16_t)mode;
        h.ttl = 64;
        h.proto = SN_IPPROTO_UDP;
        h.src = 0x0a000001u;
        h.dst = 0x0a000002u;
        sn_ipv4_emit(b, &h);
        for (size_t i = SN_IPV4_HDR_MIN; i < h.total_len; i++)
            b[i] = (uint8_t)(c.n ? c.p[i % c.n] : i);
        sn_pktq q;
        sn_pktq_init(&q, 128);
        int n = sn_ipv4_fragment(pool, orig, mtu, &q);
        sn_pkt *arr[128];
        size_t cnt = 0;
        for (sn_pkt *f; (f = sn_pktq_pop(&q)) != NULL;)
            arr[cnt++] = f;
        if (n > 0 && (size_t)n != cnt)
            abort();
        int pristine = 1;
        /* feed in input-chosen order; ops: 0 feed, 1 duplicate, 2 lose,
         * 3 flip a byte, 4 jump the clock */
        while (cnt > 0) {
            unsigned op = take(&c), pick = take(&c) % (unsigned)cnt;
            sn_pkt *f = arr[pick];
            switch (op % 8) {
            case 1: {
                sn_pkt *d = sn_pkt_clone(pool, f);
                if (d)
                    feed(r, d, orig, pristine);
                continue;
            }
            case 2:
                sn_pkt_free(f);
                pristine = 0;
                break;
            case 3:
                if (sn_pkt_len(f) > 0)
                    sn_pkt_data(f)[take(&c) % sn_pkt_len(f)] ^= (uint8_t)(1 + take(&c));
                pristine = 0;
                feed(r, f, orig, pristine);
                break;
            case 4:
                sn_sched_run(s, sn_sched_now(s) + (sn_time_t)take(&c) * 10 * SN_NS_PER_MS, 0);
                pristine = 0; /* a timeout may split the datagram */
                continue;
            default:
                feed(r, f, orig, pristine);
                break;
            }
            arr[pick] = arr[--cnt];
        }
        sn_pkt_free(orig);
    } else {
        /* raw fragments: [jump][len][bytes...] records, the first 20 bytes
         * of each overlaid on a plausible header so some get far */
        while (c.n > 0) {
            unsigned jump = take(&c);
            size_t len = take(&c) * 8 % 1800;
            sn_pkt *f = sn_pkt_alloc(pool, 0);
            uint8_t *b = f ? sn_pkt_put(f, len) : NULL;
            if (!b) {
                sn_pkt_free(f);
                break;
            }
            for (size_t i = 0; i < len; i++)
                b[i] = (uint8_t)take(&c);
            if (len >= SN_IPV4_HDR_MIN && (jump & 0x80)) {
                /* repair version, length and checksum */
                sn_ipv4_hdr h = {0};
                h.total_len = (uint16_t)len;
                h.id = (uint16_t)(b[4] & 3);
                h.df = 0;
                h.mf = b[6] & 1;
                h.frag_off = (uint16_t)(sn_get_be16(b + 6) & 0x1fff) * 8 % 4096;
                h.ttl = 1;
                h.proto = b[9] & 1 ? SN_IPPROTO_UDP : SN_IPPROTO_TCP;
                h.src = 1;
                h.dst = 2;
                sn_ipv4_emit(b, &h);
            }
            if (jump & 0x40)
                sn_sched_run(s, sn_sched_now(s) + (sn_time_t)(jump & 0x3f) * 50 * SN_NS_PER_MS, 0);
            feed(r, f, NULL, 0);
            sn_reass_stats st;
            sn_reass_get_stats(r, &st);
            if (st.datagrams_held > cfg.max_datagrams || st.bytes_held > cfg.max_bytes)
                abort();
        }
    }
    sn_sched_run(s, sn_sched_now(s) + 2 * SN_NS_PER_S, 0);
    sn_reass_stats st;
    sn_reass_get_stats(r, &st);
    if (st.datagrams_held != 0 || st.bytes_held != 0)
        abort(); /* everything timed out */
    sn_reass_destroy(r);
    if (sn_pktpool_in_use(pool) != 0 || sn_pktpool_in_use(big) != 0)
        abort();
    sn_sched_destroy(s);
    sn_pktpool_destroy(pool);
    sn_pktpool_destroy(big);
    return 0;
}
