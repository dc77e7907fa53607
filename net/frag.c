#include "net/frag.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/err.h"
#include "net/inet_csum.h"

/* Flags/offset word of the IPv4 header (bytes 6..7). */
#define IP_FLAG_RESERVED 0x8000u
#define IP_FLAG_DF 0x4000u
#define IP_FLAG_MF 0x2000u
#define IP_OFF_MASK 0x1fffu

#define TCP_HDR_MIN 20 /* [bytes] */
#define UDP_HDR_LEN 8  /* [bytes] */

/* Recompute the header checksum of the header at hdr[0..hl). */
static void ip_set_csum(uint8_t *hdr, size_t hl)
{
    hdr[10] = hdr[11] = 0;
    sn_put_be16(hdr + 10, sn_csum_finish(sn_csum_add(0, hdr, hl)));
}

/* ---------------------------------------------------------------------- */
/* Fragmentation                                                          */
/* ---------------------------------------------------------------------- */

/* Collect the options with the copy bit (RFC 791 3.1) from the header
 * options at opt[0..len) into cp (>= 40 bytes), padded with End-of-Options
 * to a multiple of 4. Returns the copied length, or -1 when malformed. */
static int copied_options(const uint8_t *opt, size_t len, uint8_t *cp)
{
    size_t i = 0, n = 0;
    while (i < len) {
        uint8_t type = opt[i];
        if (type == 0) /* End of Option List */
            break;
        if (type == 1) { /* No Operation: never copied (copy bit clear) */
            i++;
            continue;
        }
        if (i + 1 >= len)
            return -1;
        size_t olen = opt[i + 1];
        if (olen < 2 || olen > len - i)
            return -1;
        if (type & 0x80) {
            memcpy(cp + n, opt + i, olen);
            n += olen;
        }
        i += olen;
    }
    while (n % 4 != 0)
        cp[n++] = 0;
    return (int)n;
}

/* Copy n bytes at offset `off` of the concatenation a[0..alen) b[0..blen)
 * to dst. The caller keeps off + n within alen + blen. */
static void copy_span(uint8_t *dst, const uint8_t *a, size_t alen, const uint8_t *b, size_t off,
                      size_t n)
{
    if (off < alen) {
        size_t k = alen - off < n ? alen - off : n;
        memcpy(dst, a + off, k);
        dst += k;
        off += k;
        n -= k;
    }
    if (n)
        memcpy(dst, b + (off - alen), n);
}

/* The common fragmenter: header `p` (hl bytes, already validated, its total
 * length = hl + alen + blen) and the data in two pieces. */
static int fragment_core(sn_pktpool *pool, const uint8_t *p, const sn_ipv4_hdr *h,
                         const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                         unsigned mtu, const sn_pkt_meta *meta, sn_pktq *out)
{
    size_t hl = h->hdr_len, total = h->total_len;
    if (mtu < SN_IPV4_MTU_MIN || mtu < hl + 8)
        return SN_ERR_INVAL;
    size_t room_out = out->count < out->limit ? out->limit - out->count : 0;

    sn_pktq tmp; /* built aside, so a failure leaves `out` untouched */
    sn_pktq_init(&tmp, SIZE_MAX);

    if (total <= mtu) {
        if (room_out < 1)
            return SN_ERR_NOBUFS;
        sn_pkt *c = sn_pkt_alloc_tx(pool);
        uint8_t *cb = c ? sn_pkt_put(c, total) : NULL;
        if (!cb) {
            sn_pkt_free(c);
            return SN_ERR_NOBUFS;
        }
        memcpy(cb, p, hl);
        copy_span(cb + hl, a, alen, b, 0, alen + blen);
        c->meta = *meta;
        sn_pktq_push(out, c); /* room checked above */
        return 1;
    }
    if (h->df)
        return SN_ERR_RANGE; /* caller: ICMP frag-needed, next-hop MTU = mtu */

    uint8_t opts[40];
    int olen = copied_options(p + SN_IPV4_HDR_MIN, hl - SN_IPV4_HDR_MIN, opts);
    if (olen < 0)
        return SN_ERR_PARSE;
    size_t hl_rest = SN_IPV4_HDR_MIN + (size_t)olen; /* <= hl */

    size_t dlen = total - hl; /* [bytes] data to split */
    size_t base = h->frag_off; /* [bytes] offset of this packet's data */
    uint16_t keep_flags = (uint16_t)(sn_get_be16(p + 6) & IP_FLAG_RESERVED);
    size_t pos = 0;
    while (pos < dlen) {
        size_t fhl = pos == 0 ? hl : hl_rest;
        size_t room = (mtu - fhl) & ~(size_t)7; /* >= 8: mtu >= hl + 8 */
        size_t n = dlen - pos < room ? dlen - pos : room;
        int last = pos + n == dlen;
        if ((base + pos) / 8 > IP_OFF_MASK) {
            sn_pktq_clear(&tmp);
            return SN_ERR_PARSE; /* offset does not fit: input was bogus */
        }
        sn_pkt *f = sn_pkt_alloc_tx(pool);
        uint8_t *fb = f ? sn_pkt_put(f, fhl + n) : NULL;
        if (!fb) {
            sn_pkt_free(f);
            sn_pktq_clear(&tmp);
            return SN_ERR_NOBUFS;
        }
        if (pos == 0) {
            memcpy(fb, p, hl);
        } else {
            memcpy(fb, p, SN_IPV4_HDR_MIN);
            fb[0] = (uint8_t)(0x40 | fhl / 4);
            memcpy(fb + SN_IPV4_HDR_MIN, opts, (size_t)olen);
        }
        sn_put_be16(fb + 2, (uint16_t)(fhl + n));
        uint16_t fo = (uint16_t)(keep_flags | ((base + pos) / 8));
        if (!last || h->mf)
            fo |= IP_FLAG_MF;
        sn_put_be16(fb + 6, fo);
        ip_set_csum(fb, fhl);
        copy_span(fb + fhl, a, alen, b, pos, n);
        f->meta = *meta;
        sn_pktq_push(&tmp, f); /* unbounded */
        pos += n;
    }
    if (tmp.count > room_out) {
        sn_pktq_clear(&tmp);
        return SN_ERR_NOBUFS;
    }
    int count = (int)tmp.count;
    sn_pkt *f;
    while ((f = sn_pktq_pop(&tmp)) != NULL)
        sn_pktq_push(out, f); /* room checked above; `out` owns it now */
    return count;
}

int sn_ipv4_fragment(sn_pktpool *pool, const sn_pkt *pkt, unsigned mtu, sn_pktq *out)
{
    if (!pool || !pkt || !out)
        return SN_ERR_INVAL;
    const uint8_t *p = sn_pkt_data(pkt);
    sn_ipv4_hdr h;
    if (sn_ipv4_parse(p, sn_pkt_len(pkt), &h) != SN_IPV4_OK)
        return SN_ERR_PARSE;
    return fragment_core(pool, p, &h, p + h.hdr_len, (size_t)h.total_len - h.hdr_len, NULL, 0,
                         mtu, &pkt->meta, out);
}

int sn_ipv4_fragment_parts(sn_pktpool *pool, const uint8_t *ip_hdr, const uint8_t *a,
                           size_t alen, const uint8_t *b, size_t blen, unsigned mtu,
                           const sn_pkt_meta *meta, sn_pktq *out)
{
    if (!pool || !ip_hdr || !meta || !out || (alen && !a) || (blen && !b))
        return SN_ERR_INVAL;
    /* the header alone is parsed: a copy of it with the total length set
     * to its own length, so the parser does not ask for the data */
    uint8_t hb[60];
    size_t hl = (size_t)(ip_hdr[0] & 0x0f) * 4;
    if (hl < SN_IPV4_HDR_MIN || hl > sizeof hb)
        return SN_ERR_PARSE;
    memcpy(hb, ip_hdr, hl);
    size_t total = sn_get_be16(ip_hdr + 2);
    if (total != hl + alen + blen)
        return SN_ERR_PARSE;
    sn_put_be16(hb + 2, (uint16_t)hl);
    ip_set_csum(hb, hl);
    sn_ipv4_hdr h;
    if (sn_ipv4_parse(hb, hl, &h) != SN_IPV4_OK)
        return SN_ERR_PARSE;
    h.total_len = (uint16_t)total;
    return fragment_core(pool, ip_hdr, &h, a, alen, b, blen, mtu, meta, out);
}

/* ---------------------------------------------------------------------- */
/* Reassembly                                                             */
/* ---------------------------------------------------------------------- */

/* One datagram in progress. Its fragments are whole IPv4 packets (header
 * included, trimmed to their total length) kept sorted by offset and linked
 * through pkt->next; the datagram owns them. */
typedef struct reass_dgram {
    sn_ip4 src, dst;
    uint8_t proto;
    uint16_t id;
    sn_time_t created;   /* [ns] first fragment's arrival */
    sn_pkt *frags;       /* sorted by offset; ties keep arrival order */
    sn_pkt *first;       /* the fragment at offset 0 (also in frags), or NULL */
    unsigned nfrags;
    size_t held;         /* [bytes] capacity of the buffers held */
    size_t end;          /* [bytes] largest data end seen */
    int have_last;       /* a fragment with MF = 0 arrived: `end` is final */
    struct reass_dgram *older, *newer; /* age list / free list (newer) */
} reass_dgram;

struct sn_reass {
    sn_reass_config cfg;
    sn_sched *sched;
    sn_pktpool *pool;
    size_t emtu_r;          /* [bytes] */
    reass_dgram *slots;     /* cfg.max_datagrams, allocated at create */
    reass_dgram *free_list; /* linked through `newer` */
    reass_dgram *oldest, *newest; /* age list: creation order = expiry order */
    unsigned count;         /* datagrams in progress */
    size_t bytes_held;      /* [bytes] */
    uint64_t frags_held;
    sn_timer_id timer;
    sn_time_t timer_at;     /* [ns] when `timer` fires */
    sn_reass_stats st;
};

void sn_reass_config_default(sn_reass_config *c)
{
    c->max_datagrams = 64;
    c->max_bytes = 256 * 1024;
    c->max_datagram = SN_IPV4_MAX_LEN;
    c->timeout = 60 * SN_NS_PER_S; /* RFC 1122 3.3.2: 60..120 s recommended */
    c->on_timeout = NULL;
    c->user = NULL;
}

sn_reass *sn_reass_create(const sn_reass_config *cfg, sn_sched *s, sn_pktpool *pool)
{
    sn_reass_config def;
    if (!cfg) {
        sn_reass_config_default(&def);
        cfg = &def;
    }
    if (!s || !pool || cfg->max_datagrams == 0 || cfg->max_bytes == 0 || cfg->timeout <= 0 ||
        cfg->max_datagram < 576 || cfg->max_datagram > SN_IPV4_MAX_LEN)
        return NULL;
    /* RFC 1122 3.3.2: EMTU_R >= 576, so the output pool must hold that. */
    size_t bufsz = sn_pktpool_buf_size(pool);
    if (bufsz < 576)
        return NULL;
    sn_reass *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->slots = calloc(cfg->max_datagrams, sizeof *r->slots);
    if (!r->slots) {
        free(r);
        return NULL;
    }
    r->cfg = *cfg;
    r->sched = s;
    r->pool = pool;
    r->emtu_r = cfg->max_datagram < bufsz ? cfg->max_datagram : bufsz;
    for (unsigned i = cfg->max_datagrams; i-- > 0;) {
        r->slots[i].newer = r->free_list;
        r->free_list = &r->slots[i];
    }
    return r;
}

size_t sn_reass_emtu_r(const sn_reass *r) { return r ? r->emtu_r : 0; }

/* Offsets of a held (already validated) fragment. [bytes] */
static size_t frag_hl(const sn_pkt *f) { return (size_t)(sn_pkt_data(f)[0] & 0x0f) * 4; }
static size_t frag_off(const sn_pkt *f)
{
    return (size_t)(sn_get_be16(sn_pkt_data(f) + 6) & IP_OFF_MASK) * 8;
}
static size_t frag_dlen(const sn_pkt *f) { return sn_pkt_len(f) - frag_hl(f); }

/* Unlink d from the age list (its fragments stay with it). */
static void age_unlink(sn_reass *r, reass_dgram *d)
{
    if (d->older)
        d->older->newer = d->newer;
    else
        r->oldest = d->newer;
    if (d->newer)
        d->newer->older = d->older;
    else
        r->newest = d->older;
    d->older = d->newer = NULL;
    r->count--;
}

/* Free d's fragments and return its slot. d must be unlinked already. */
static void dgram_release(sn_reass *r, reass_dgram *d)
{
    sn_pkt *f = d->frags;
    while (f) {
        sn_pkt *next = f->next;
        sn_pkt_free(f);
        f = next;
    }
    r->bytes_held -= d->held;
    r->frags_held -= d->nfrags;
    memset(d, 0, sizeof *d);
    d->newer = r->free_list;
    r->free_list = d;
}

/* Drop a datagram in progress with everything it holds. */
static void dgram_drop(sn_reass *r, reass_dgram *d)
{
    age_unlink(r, d);
    dgram_release(r, d);
}

static void reass_timer(void *user, sn_time_t now);

/* Keep one timer armed at the oldest datagram's deadline: the timeout is
 * the same for all, so creation order is expiry order. */
static void timer_arm(sn_reass *r)
{
    if (!r->oldest) {
        if (r->timer)
            sn_sched_cancel(r->sched, r->timer);
        r->timer = 0;
        return;
    }
    sn_time_t at = r->oldest->created + r->cfg.timeout;
    if (r->timer && r->timer_at == at)
        return;
    if (r->timer)
        sn_sched_cancel(r->sched, r->timer);
    r->timer = sn_sched_at(r->sched, at, reass_timer, r);
    r->timer_at = at;
    /* If the scheduler ran out of memory (id 0), expiry happens on the
     * next input instead (see sn_reass_input), so nothing is held forever
     * while traffic flows. */
}

/* Expire every datagram whose deadline has passed. */
static void reass_expire(sn_reass *r, sn_time_t now)
{
    while (r->oldest && r->oldest->created + r->cfg.timeout <= now) {
        reass_dgram *d = r->oldest;
        age_unlink(r, d); /* invisible to lookups during the callback */
        r->st.drop_timeout++;
        if (r->cfg.on_timeout)
            r->cfg.on_timeout(r->cfg.user, d->first); /* borrowed */
        dgram_release(r, d);
    }
}

static void reass_timer(void *user, sn_time_t now)
{
    sn_reass *r = user;
    r->timer = 0; /* this event has run */
    reass_expire(r, now);
    timer_arm(r);
}

void sn_reass_destroy(sn_reass *r)
{
    if (!r)
        return;
    while (r->oldest)
        dgram_drop(r, r->oldest);
    if (r->timer)
        sn_sched_cancel(r->sched, r->timer);
    free(r->slots);
    free(r);
}

static reass_dgram *dgram_find(sn_reass *r, const sn_ipv4_hdr *h)
{
    for (reass_dgram *d = r->newest; d; d = d->older)
        if (d->id == h->id && d->src == h->src && d->dst == h->dst && d->proto == h->proto)
            return d;
    return NULL;
}

/* Is a first fragment (offset 0, MF set) too short for the transport
 * header a NAT or filter must see whole (RFC 1858, RFC 3128)? */
static int tiny_first(const sn_ipv4_hdr *h, const uint8_t *data, size_t dlen)
{
    if (h->proto == SN_IPPROTO_UDP)
        return dlen < UDP_HDR_LEN;
    if (h->proto == SN_IPPROTO_TCP) {
        if (dlen < TCP_HDR_MIN)
            return 1;
        size_t doff = (size_t)(data[12] >> 4) * 4; /* TCP data offset [bytes] */
        return doff < TCP_HDR_MIN || dlen < doff;
    }
    return 0;
}

/* Build the whole datagram from a complete d. Returns it or NULL. */
static sn_pkt *dgram_build(sn_reass *r, reass_dgram *d, const sn_pkt *last_in)
{
    size_t hl = frag_hl(d->first);
    size_t total = hl + d->end; /* <= emtu_r <= pool buffer size: checked on input */
    size_t bufsz = sn_pktpool_buf_size(r->pool);
    size_t headroom = bufsz - total < SN_PKT_HEADROOM ? bufsz - total : SN_PKT_HEADROOM;
    sn_pkt *w = sn_pkt_alloc(r->pool, headroom);
    uint8_t *b = w ? sn_pkt_put(w, total) : NULL;
    if (!b) {
        sn_pkt_free(w);
        return NULL;
    }
    memcpy(b, sn_pkt_data(d->first), hl);
    /* Overlapping bytes were verified identical, so copying every fragment
     * in order gives the same result whatever overlaps. */
    for (const sn_pkt *f = d->frags; f; f = f->next)
        memcpy(b + hl + frag_off(f), sn_pkt_data(f) + frag_hl(f), frag_dlen(f));
    sn_put_be16(b + 2, (uint16_t)total);
    sn_put_be16(b + 6, (uint16_t)(sn_get_be16(b + 6) & (IP_FLAG_RESERVED | IP_FLAG_DF)));
    ip_set_csum(b, hl);
    w->meta = last_in->meta;
    return w;
}

/* All data from 0 to the final end held? */
static int dgram_complete(const reass_dgram *d)
{
    if (!d->have_last || !d->first)
        return 0;
    size_t cov = 0;
    for (const sn_pkt *f = d->frags; f; f = f->next) {
        size_t o = frag_off(f);
        if (o > cov)
            return 0; /* a hole; later fragments start even further on */
        size_t e = o + frag_dlen(f);
        if (e > cov)
            cov = e;
    }
    return cov >= d->end;
}

/* Drop `frag` and, when present, its datagram; count once. */
static int drop_both(sn_reass *r, reass_dgram *d, sn_pkt *frag, uint64_t *counter, int rc)
{
    if (d)
        dgram_drop(r, d);
    sn_pkt_free(frag);
    (*counter)++;
    timer_arm(r);
    return rc;
}

int sn_reass_input(sn_reass *r, sn_pkt *frag, sn_pkt **whole)
{
    if (whole)
        *whole = NULL;
    if (!r || !frag || !whole) {
        sn_pkt_free(frag);
        return SN_ERR_INVAL;
    }
    sn_ipv4_hdr h;
    if (sn_ipv4_parse(sn_pkt_data(frag), sn_pkt_len(frag), &h) != SN_IPV4_OK) {
        r->st.drop_malformed++;
        sn_pkt_free(frag);
        return SN_ERR_PARSE;
    }
    (void)sn_pkt_trim(frag, h.total_len); /* cannot fail: parse checked the length */
    if (!h.mf && h.frag_off == 0) {
        *whole = frag; /* not a fragment: ownership passes straight back */
        return SN_OK;
    }
    r->st.fragments_in++;
    sn_time_t now = sn_sched_now(r->sched);
    reass_expire(r, now); /* in case the timer could not be armed */

    const uint8_t *data = sn_pkt_data(frag) + h.hdr_len;
    size_t dlen = (size_t)h.total_len - h.hdr_len; /* [bytes] */
    size_t off = h.frag_off, end = off + dlen;     /* [bytes] */
    reass_dgram *d = dgram_find(r, &h);

    /* FRAG-06: shapes no valid fragmentation produces. */
    if (dlen == 0 || (h.mf && dlen % 8 != 0))
        return drop_both(r, d, frag, &r->st.drop_bad_frag, SN_ERR_PARSE);
    if (d && d->have_last && (end > d->end || (!h.mf && end != d->end)))
        return drop_both(r, d, frag, &r->st.drop_bad_frag, SN_ERR_PARSE);
    if (d && !d->have_last && !h.mf && end < d->end)
        return drop_both(r, d, frag, &r->st.drop_bad_frag, SN_ERR_PARSE);
    /* FRAG-06 size: the header is the first fragment's (20 until known). */
    size_t hl = off == 0 ? h.hdr_len : (d && d->first ? frag_hl(d->first) : SN_IPV4_HDR_MIN);
    size_t max_end = d && d->end > end ? d->end : end;
    if (hl + max_end > r->emtu_r)
        return drop_both(r, d, frag, &r->st.drop_too_big, SN_ERR_RANGE);
    /* FRAG-08: tiny first fragment, or a TCP fragment at offset 8 that
     * would rewrite the TCP flags (RFC 1858 3.2). */
    if ((off == 0 && tiny_first(&h, data, dlen)) || (h.proto == SN_IPPROTO_TCP && off == 8))
        return drop_both(r, d, frag, &r->st.drop_tiny, SN_ERR_PARSE);

    if (d) {
        /* FRAG-03/04: overlapping bytes must be identical; a fragment
         * entirely covered by what is held is a duplicate. */
        size_t cov = off;
        for (const sn_pkt *f = d->frags; f; f = f->next) {
            size_t fo = frag_off(f), fe = fo + frag_dlen(f);
            size_t lo = fo > off ? fo : off, hi = fe < end ? fe : end;
            if (lo < hi &&
                memcmp(sn_pkt_data(f) + frag_hl(f) + (lo - fo), data + (lo - off), hi - lo) != 0)
                return drop_both(r, d, frag, &r->st.drop_overlap, SN_ERR_PARSE);
            if (fo <= cov && fe > cov)
                cov = fe;
        }
        /* A covered fragment still matters if it is the first (header) or
         * the first to say where the datagram ends. */
        if (cov >= end && (h.mf || d->have_last) && (off != 0 || d->first)) {
            r->st.drop_duplicate++;
            sn_pkt_free(frag);
            return SN_OK;
        }
    }

    /* FRAG-07: room for the fragment, evicting the oldest others. */
    size_t need = frag->cap; /* [bytes] the buffer is what is pinned */
    if (need > r->cfg.max_bytes)
        return drop_both(r, d, frag, &r->st.drop_nobufs, SN_ERR_NOBUFS);
    for (;;) {
        int need_slot = !d && !r->free_list;
        if (!need_slot && r->bytes_held + need <= r->cfg.max_bytes)
            break;
        reass_dgram *victim = r->oldest;
        if (victim == d)
            victim = d->newer;
        if (!victim) /* d alone exceeds the bound: it goes */
            return drop_both(r, d, frag, &r->st.drop_evicted, SN_ERR_NOBUFS);
        dgram_drop(r, victim);
        r->st.drop_evicted++;
    }

    if (!d) {
        d = r->free_list;
        r->free_list = d->newer;
        memset(d, 0, sizeof *d);
        d->src = h.src;
        d->dst = h.dst;
        d->proto = h.proto;
        d->id = h.id;
        d->created = now;
        d->older = r->newest;
        if (r->newest)
            r->newest->newer = d;
        else
            r->oldest = d;
        r->newest = d;
        r->count++;
    }
    /* Insert sorted by offset, after equal offsets (the datagram owns it). */
    sn_pkt **pp = &d->frags;
    while (*pp && frag_off(*pp) <= off)
        pp = &(*pp)->next;
    frag->next = *pp;
    *pp = frag;
    d->nfrags++;
    d->held += need;
    r->frags_held++;
    r->bytes_held += need;
    if (end > d->end)
        d->end = end;
    if (!h.mf)
        d->have_last = 1;
    if (off == 0 && !d->first)
        d->first = frag;

    if (dgram_complete(d)) {
        sn_pkt *w = dgram_build(r, d, frag);
        dgram_drop(r, d); /* frees frag too */
        if (!w) {
            r->st.drop_nobufs++;
            timer_arm(r);
            return SN_ERR_NOBUFS;
        }
        r->st.reassembled++;
        *whole = w; /* caller owns it */
    }
    timer_arm(r);
    return SN_OK;
}

void sn_reass_get_stats(const sn_reass *r, sn_reass_stats *st)
{
    if (!r || !st)
        return;
    *st = r->st;
    st->datagrams_held = r->count;
    st->fragments_held = r->frags_held;
    st->bytes_held = r->bytes_held;
}

size_t sn_reass_stats_list(const sn_reass *r, sn_stat *out, size_t max)
{
    sn_reass_stats s;
    size_t n = 0;
    if (!r)
        return 0;
    sn_reass_get_stats(r, &s);
    n = sn_stat_add(out, n, max, "fragments_in", s.fragments_in);
    n = sn_stat_add(out, n, max, "reassembled", s.reassembled);
    n = sn_stat_add(out, n, max, "datagrams_held", s.datagrams_held);
    n = sn_stat_add(out, n, max, "fragments_held", s.fragments_held);
    n = sn_stat_add(out, n, max, "bytes_held", s.bytes_held);
    n = sn_stat_add(out, n, max, "drop_malformed", s.drop_malformed);
    n = sn_stat_add(out, n, max, "drop_duplicate", s.drop_duplicate);
    n = sn_stat_add(out, n, max, "drop_overlap", s.drop_overlap);
    n = sn_stat_add(out, n, max, "drop_too_big", s.drop_too_big);
    n = sn_stat_add(out, n, max, "drop_bad_frag", s.drop_bad_frag);
    n = sn_stat_add(out, n, max, "drop_tiny", s.drop_tiny);
    n = sn_stat_add(out, n, max, "drop_timeout", s.drop_timeout);
    n = sn_stat_add(out, n, max, "drop_evicted", s.drop_evicted);
    n = sn_stat_add(out, n, max, "drop_nobufs", s.drop_nobufs);
    return n;
}
