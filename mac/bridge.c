#include "mac/bridge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"

#define NIL UINT32_MAX /* end of a hash chain or of the free list */

/* One filtering-database entry. Entries live in one array allocated at
 * creation (nothing is allocated per frame); a free one is on the free list,
 * a used one on its hash bucket's chain. */
typedef struct fdb_entry {
    sn_mac_addr mac;
    int port;          /* 1-based; 0 while free */
    sn_time_t seen;    /* [ns] last frame from this station */
    uint32_t next;     /* chain or free-list link */
} fdb_entry;

/* A port: what the netif's rx callback gets as `user`, so the bridge knows
 * the ingress port without a search. */
typedef struct bridge_port {
    sn_bridge *b;
    sn_netif *nif;     /* borrowed */
    int no;            /* 1-based */
    int old_promisc;   /* restored when the bridge lets go of the netif */
} bridge_port;

struct sn_bridge {
    char name[32];
    sn_bridge_mode mode;
    sn_time_t ageing;  /* [ns] */
    sn_sched *sched;   /* borrowed */
    sn_pktpool *pool;  /* borrowed: flood copies */
    bridge_port ports[SN_BRIDGE_MAX_PORTS];
    size_t nports;

    fdb_entry *ent;    /* [cap] */
    size_t cap, used;
    uint32_t free_head;
    uint32_t *bucket;  /* [nbuckets] chain heads */
    size_t nbuckets;   /* power of two */
    /* scratch for sn_bridge_table(): sorting needs room for the whole table,
     * which the caller's array may not have; allocated once, here */
    sn_bridge_entry *sorted;

    /* Ageing: expiry_hint is never later than the earliest expiry in the
     * table (SN_TIME_NEVER when empty); the one timer stands at it. */
    sn_time_t expiry_hint;
    sn_timer_id timer;
    sn_time_t timer_at;

    uint64_t rx_frames, rx_bytes, forwarded, flooded, tx_frames;
    uint64_t learned, moved, aged_out;
    uint64_t filtered_same_port, filtered_reserved;
    uint64_t drop_group_src, drop_table_full, drop_nobufs, drop_tx, drop_no_port;
    uint64_t timer_failures;
};

/* ---- filtering database ------------------------------------------------ */

static size_t mac_hash(const sn_mac_addr *m, size_t nbuckets)
{
    /* FNV-1a: deterministic, so runs repeat; chains are bounded by the table
     * size whatever addresses arrive */
    uint32_t h = 2166136261u;
    for (int i = 0; i < SN_ETH_ALEN; i++) {
        h ^= m->b[i];
        h *= 16777619u;
    }
    return h & (nbuckets - 1);
}

static uint32_t fdb_find(const sn_bridge *b, const sn_mac_addr *mac)
{
    for (uint32_t i = b->bucket[mac_hash(mac, b->nbuckets)]; i != NIL; i = b->ent[i].next)
        if (sn_mac_equal(&b->ent[i].mac, mac))
            return i;
    return NIL;
}

static int fdb_expired(const sn_bridge *b, const fdb_entry *e, sn_time_t now)
{
    /* expired once the full ageing time has passed: a station learned at 0
     * is still known at 299 s and gone at 300 s (default ageing) */
    return now - e->seen >= b->ageing;
}

static void fdb_remove(sn_bridge *b, uint32_t i)
{
    uint32_t *link = &b->bucket[mac_hash(&b->ent[i].mac, b->nbuckets)];
    while (*link != i)
        link = &b->ent[*link].next;
    *link = b->ent[i].next;
    b->ent[i].port = 0;
    b->ent[i].next = b->free_head;
    b->free_head = i;
    b->used--;
}

/* Remove every expired entry; returns the earliest remaining expiry (and
 * keeps it as the hint). O(table size): runs when the timer fires or when a
 * full table is asked for room, not per frame. */
static sn_time_t fdb_sweep(sn_bridge *b, sn_time_t now)
{
    sn_time_t next = SN_TIME_NEVER;
    for (uint32_t i = 0; i < b->cap; i++) {
        fdb_entry *e = &b->ent[i];
        if (!e->port)
            continue;
        if (fdb_expired(b, e, now)) {
            fdb_remove(b, i);
            b->aged_out++;
        } else if (e->seen + b->ageing < next) {
            next = e->seen + b->ageing;
        }
    }
    b->expiry_hint = next;
    return next;
}

static void age_timer(void *user, sn_time_t now);

/* Make sure the timer stands no later than `when` [ns]. */
static void timer_arm(sn_bridge *b, sn_time_t when)
{
    if (when < b->expiry_hint)
        b->expiry_hint = when;
    if (b->timer && b->timer_at <= b->expiry_hint)
        return;
    if (b->timer)
        sn_sched_cancel(b->sched, b->timer);
    b->timer_at = b->expiry_hint;
    b->timer = sn_sched_at(b->sched, b->timer_at, age_timer, b);
    /* Without a timer, lookups still ignore expired entries and a full table
     * still sweeps; the next learned station tries again. */
    if (!b->timer)
        b->timer_failures++;
}

static void age_timer(void *user, sn_time_t now)
{
    sn_bridge *b = user;
    b->timer = 0;
    sn_time_t next = fdb_sweep(b, now);
    if (next != SN_TIME_NEVER)
        timer_arm(b, next);
}

/* The live entry for `mac`, or NIL; an expired one found on the way is
 * removed (the timer may not have run yet at this very instant). */
static uint32_t fdb_live(sn_bridge *b, const sn_mac_addr *mac, sn_time_t now)
{
    uint32_t i = fdb_find(b, mac);
    if (i != NIL && fdb_expired(b, &b->ent[i], now)) {
        fdb_remove(b, i);
        b->aged_out++;
        return NIL;
    }
    return i;
}

/* 802.1D learning process: `src` (a station address) was heard on `port`. */
static void fdb_learn(sn_bridge *b, const sn_mac_addr *src, int port, sn_time_t now)
{
    uint32_t i = fdb_live(b, src, now);
    if (i != NIL) {
        if (b->ent[i].port != port) {
            /* the station moved: its frames go to the new port at once,
             * not after the old entry ages out */
            b->ent[i].port = port;
            b->moved++;
        }
        b->ent[i].seen = now;
        return;
    }
    if (b->used == b->cap && b->expiry_hint <= now)
        fdb_sweep(b, now);
    if (b->used == b->cap) {
        /* Full: no eviction, so a flood of made-up sources cannot push out
         * stations already known; frames to this one are flooded instead. */
        b->drop_table_full++;
        return;
    }
    i = b->free_head;
    b->free_head = b->ent[i].next;
    fdb_entry *e = &b->ent[i];
    e->mac = *src;
    e->port = port;
    e->seen = now;
    size_t h = mac_hash(src, b->nbuckets);
    e->next = b->bucket[h];
    b->bucket[h] = i;
    b->used++;
    b->learned++;
    timer_arm(b, now + b->ageing);
}

/* ---- forwarding -------------------------------------------------------- */

/* Hand `frame` (whole frame, no FCS) to port `no`. Takes ownership. */
static void port_send(sn_bridge *b, int no, sn_pkt *frame, sn_time_t now)
{
    /* the netif owns the frame from here in every case, and counts its own
     * failure by reason; the bridge counts that one was lost */
    if (sn_netif_output_frame(b->ports[no - 1].nif, frame, now) == SN_OK)
        b->tx_frames++;
    else
        b->drop_tx++;
}

/* Send `frame` out of every port except `in`. Takes ownership. */
static void flood(sn_bridge *b, int in, sn_pkt *frame, sn_time_t now)
{
    int last = 0; /* the last target gets the original: one copy fewer */
    for (size_t k = b->nports; k > 0; k--)
        if ((int)k != in) {
            last = (int)k;
            break;
        }
    if (!last) {
        b->drop_no_port++;
        sn_pkt_free(frame);
        return;
    }
    b->flooded++;
    for (int no = 1; no < last; no++) {
        if (no == in)
            continue;
        sn_pkt *c = sn_pkt_clone(b->pool, frame);
        if (!c) {
            b->drop_nobufs++; /* this port misses the frame; the others don't */
            continue;
        }
        port_send(b, no, c, now); /* the copy goes to the netif */
    }
    port_send(b, last, frame, now);
}

/* 01:80:c2:00:00:00 .. 0f: link-local to one segment by definition (802.1D
 * Table 7-10); a bridge that relayed them would merge protocols meant for
 * one link. */
static int is_reserved_group(const sn_mac_addr *m)
{
    static const uint8_t pfx[5] = {0x01, 0x80, 0xc2, 0x00, 0x00};
    return memcmp(m->b, pfx, sizeof pfx) == 0 && (m->b[5] & 0xf0) == 0;
}

/* The netif rx callback of every port. `pkt` (owned from here) starts at the
 * payload; the netif stamped meta.time with its `now`. */
static void bridge_rx(void *user, sn_netif *nif, const sn_eth_hdr *eth, sn_pkt *pkt)
{
    bridge_port *p = user;
    sn_bridge *b = p->b;
    sn_time_t now = pkt->meta.time;
    b->rx_frames++;
    b->rx_bytes += sn_pkt_len(pkt) + SN_ETH_HDR_LEN;

    /* Forwarding needs the whole frame back. The netif only pulled the
     * header, so its bytes are still in the headroom; writing them again
     * from the parsed header costs 14 bytes and does not depend on that. */
    uint8_t *h = sn_pkt_push(pkt, SN_ETH_HDR_LEN);
    if (!h) {
        b->drop_nobufs++;
        sn_pkt_free(pkt);
        return;
    }
    sn_eth_emit(h, eth);
    /* these flags described how the frame arrived at the ingress netif, not
     * how it leaves */
    pkt->meta.flags &= ~(SN_PKT_F_BCAST | SN_PKT_F_MCAST | SN_PKT_F_OTHERHOST);

    if (b->mode == SN_BRIDGE_HUB) {
        flood(b, p->no, pkt, now);
        return;
    }
    if (sn_mac_is_multicast(&eth->src)) {
        /* a group address cannot send: the frame is invalid, and learning it
         * would steer unicast to a group. (The netif refuses these already;
         * this guards the table whatever delivers frames.) */
        b->drop_group_src++;
        sn_pkt_free(pkt);
        return;
    }
    fdb_learn(b, &eth->src, p->no, now);
    if (is_reserved_group(&eth->dst)) {
        b->filtered_reserved++;
        sn_pkt_free(pkt);
        return;
    }
    if (sn_mac_is_multicast(&eth->dst)) {
        flood(b, p->no, pkt, now);
        return;
    }
    uint32_t i = fdb_live(b, &eth->dst, now);
    if (i == NIL) {
        flood(b, p->no, pkt, now);
        return;
    }
    int out = b->ent[i].port;
    if (out == p->no) {
        /* the destination is on the segment the frame came from: it has
         * heard it already */
        b->filtered_same_port++;
        sn_pkt_free(pkt);
        return;
    }
    b->forwarded++;
    port_send(b, out, pkt, now);
}

/* ---- life cycle and introspection ------------------------------------- */

sn_bridge *sn_bridge_create(const sn_bridge_config *cfg, sn_sched *s, sn_pktpool *pool)
{
    static const sn_bridge_config defaults = {.mode = SN_BRIDGE_SWITCH};
    if (!cfg)
        cfg = &defaults;
    const char *name = cfg->name ? cfg->name : "bridge";
    if (!s || !pool)
        return NULL;
    if (cfg->mode != SN_BRIDGE_SWITCH && cfg->mode != SN_BRIDGE_HUB) {
        SN_ERROR("mac", "%s: unknown bridge mode %d", name, (int)cfg->mode);
        return NULL;
    }
    sn_time_t ageing = cfg->ageing ? cfg->ageing : SN_BRIDGE_AGEING_DEFAULT;
    if (ageing < SN_BRIDGE_AGEING_MIN || ageing > SN_BRIDGE_AGEING_MAX ||
        ageing % SN_NS_PER_S != 0) {
        SN_ERROR("mac", "%s: ageing time %.3f s is not a whole number of seconds in 10..1000000",
                 name, sn_time_to_s(ageing));
        return NULL;
    }
    size_t cap = cfg->table_size ? cfg->table_size : SN_BRIDGE_TABLE_DEFAULT;
    if (cap > SN_BRIDGE_TABLE_MAX) {
        SN_ERROR("mac", "%s: table size %zu exceeds %d entries", name, cap, SN_BRIDGE_TABLE_MAX);
        return NULL;
    }
    sn_bridge *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    snprintf(b->name, sizeof b->name, "%s", name);
    b->mode = cfg->mode;
    b->ageing = ageing;
    b->sched = s;
    b->pool = pool;
    b->cap = cap;
    b->nbuckets = 1;
    while (b->nbuckets < cap)
        b->nbuckets <<= 1;
    b->ent = calloc(cap, sizeof *b->ent);
    b->bucket = malloc(b->nbuckets * sizeof *b->bucket);
    b->sorted = calloc(cap, sizeof *b->sorted);
    if (!b->ent || !b->bucket || !b->sorted) {
        sn_bridge_destroy(b); /* frees what was allocated; no ports yet */
        return NULL;
    }
    for (size_t i = 0; i < b->nbuckets; i++)
        b->bucket[i] = NIL;
    for (size_t i = 0; i < cap; i++)
        b->ent[i].next = i + 1 < cap ? (uint32_t)(i + 1) : NIL;
    b->free_head = 0;
    b->expiry_hint = SN_TIME_NEVER;
    b->timer_at = SN_TIME_NEVER;
    return b;
}

void sn_bridge_destroy(sn_bridge *b)
{
    if (!b)
        return;
    if (b->timer)
        sn_sched_cancel(b->sched, b->timer);
    for (size_t k = 0; k < b->nports; k++) {
        sn_netif_set_rx(b->ports[k].nif, NULL, NULL);
        sn_netif_set_promisc(b->ports[k].nif, b->ports[k].old_promisc);
    }
    free(b->sorted);
    free(b->bucket);
    free(b->ent);
    free(b);
}

int sn_bridge_add_port(sn_bridge *b, sn_netif *nif)
{
    if (!b || !nif)
        return SN_ERR_INVAL;
    for (size_t k = 0; k < b->nports; k++)
        if (b->ports[k].nif == nif)
            return SN_ERR_EXIST;
    if (b->nports == SN_BRIDGE_MAX_PORTS)
        return SN_ERR_RANGE;
    bridge_port *p = &b->ports[b->nports];
    p->b = b;
    p->nif = nif;
    p->no = (int)b->nports + 1;
    /* a port must hear frames for every station, not only its own address */
    p->old_promisc = sn_netif_set_promisc(nif, 1);
    sn_netif_set_rx(nif, bridge_rx, p);
    b->nports++;
    return p->no;
}

size_t sn_bridge_port_count(const sn_bridge *b) { return b->nports; }

sn_netif *sn_bridge_port_netif(const sn_bridge *b, int port)
{
    if (port < 1 || (size_t)port > b->nports)
        return NULL;
    return b->ports[port - 1].nif;
}

const char *sn_bridge_name(const sn_bridge *b) { return b->name; }
sn_bridge_mode sn_bridge_get_mode(const sn_bridge *b) { return b->mode; }

int sn_bridge_lookup(const sn_bridge *b, const sn_mac_addr *mac, sn_time_t now)
{
    uint32_t i = fdb_find(b, mac);
    if (i == NIL || fdb_expired(b, &b->ent[i], now))
        return 0;
    return b->ent[i].port;
}

static int entry_cmp(const void *pa, const void *pb)
{
    const sn_bridge_entry *a = pa, *c = pb;
    if (a->port != c->port)
        return a->port < c->port ? -1 : 1;
    return memcmp(a->mac.b, c->mac.b, SN_ETH_ALEN);
}

size_t sn_bridge_table(const sn_bridge *b, sn_time_t now, sn_bridge_entry *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < b->cap; i++) {
        const fdb_entry *e = &b->ent[i];
        if (!e->port || fdb_expired(b, e, now))
            continue; /* expired but not yet swept: gone as far as anyone asks */
        b->sorted[n].mac = e->mac;
        b->sorted[n].port = e->port;
        b->sorted[n].age = now - e->seen;
        n++;
    }
    qsort(b->sorted, n, sizeof *b->sorted, entry_cmp);
    if (out)
        memcpy(out, b->sorted, (n < max ? n : max) * sizeof *out);
    return n;
}

size_t sn_bridge_stats(const sn_bridge *b, sn_stat *out, size_t max)
{
    size_t n = 0;
    n = sn_stat_add(out, n, max, "rx_frames", b->rx_frames);
    n = sn_stat_add(out, n, max, "rx_bytes", b->rx_bytes);
    n = sn_stat_add(out, n, max, "forwarded", b->forwarded);
    n = sn_stat_add(out, n, max, "flooded", b->flooded);
    n = sn_stat_add(out, n, max, "tx_frames", b->tx_frames);
    n = sn_stat_add(out, n, max, "learned", b->learned);
    n = sn_stat_add(out, n, max, "moved", b->moved);
    n = sn_stat_add(out, n, max, "aged_out", b->aged_out);
    n = sn_stat_add(out, n, max, "table_entries", b->used);
    n = sn_stat_add(out, n, max, "filtered_same_port", b->filtered_same_port);
    n = sn_stat_add(out, n, max, "filtered_reserved", b->filtered_reserved);
    n = sn_stat_add(out, n, max, "drop_group_src", b->drop_group_src);
    n = sn_stat_add(out, n, max, "drop_table_full", b->drop_table_full);
    n = sn_stat_add(out, n, max, "drop_nobufs", b->drop_nobufs);
    n = sn_stat_add(out, n, max, "drop_tx", b->drop_tx);
    n = sn_stat_add(out, n, max, "drop_no_port", b->drop_no_port);
    n = sn_stat_add(out, n, max, "timer_failures", b->timer_failures);
    return n;
}
