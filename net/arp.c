#include "net/arp.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "net/arp_wire.h"

enum arp_state { ARP_FREE = 0, ARP_INCOMPLETE, ARP_REACHABLE };

typedef struct arp_entry {
    int state;
    sn_ip4 ip;
    sn_mac_addr mac;
    sn_time_t expires;      /* REACHABLE: when it lapses */
    sn_time_t next_request; /* INCOMPLETE: when the next request may go */
    unsigned requests;      /* INCOMPLETE: requests sent so far */
    sn_pktq queue;          /* packets waiting for the address */
} arp_entry;

enum arp_drop {
    DROP_MALFORMED,
    DROP_NOT_FOR_US_PROTO, /* request for another address (no reply owed) */
    DROP_QUEUE_FULL,
    DROP_UNRESOLVED,       /* gave up after max_requests */
    DROP_NOBUFS,
    DROP_CONFLICT,         /* another station claims our address */
    DROP_COUNT
};
static const char *const drop_names[DROP_COUNT] = {
    "drop_malformed", "drop_other_target", "drop_queue_full", "drop_unresolved",
    "drop_nobufs",    "drop_conflict",
};

struct sn_arp {
    sn_arp_config cfg;
    sn_sched *sched;
    sn_pktpool *pool;
    sn_netif *nif;
    sn_ip4 my_ip;
    arp_entry *cache;
    sn_timer_id timer;
    sn_time_t timer_at;
    sn_arp_unreach_fn unreach;
    void *unreach_user;
    sn_timer_id ann_timer;  /* the next announcement */
    unsigned ann_left;      /* announcements still to send */
    sn_time_t last_defend;  /* [ns] last defending announcement, or -1 */
    uint64_t rx_requests, rx_replies, tx_requests, tx_replies, resolved, expired;
    uint64_t tx_announcements;
    uint64_t drops[DROP_COUNT];
};

void sn_arp_config_default(sn_arp_config *c)
{
    c->cache_size = 64;
    /* one IPv4 datagram of any size, in fragments, must survive waiting for
     * its first resolution: 65535 bytes at MTU 1500 are 45 fragments
     * (Linux keeps up to 212992 bytes per neighbour, unres_qlen_bytes) */
    c->queue_len = 48;
    c->lifetime = 60 * SN_NS_PER_S;
    c->retry_interval = 1 * SN_NS_PER_S;
    c->max_requests = 3;
}

sn_arp *sn_arp_create(const sn_arp_config *cfg, sn_sched *s, sn_pktpool *pool,
                      sn_netif *nif, sn_ip4 my_ip)
{
    sn_arp_config def;
    if (!cfg) {
        sn_arp_config_default(&def);
        cfg = &def;
    }
    if (!s || !pool || !nif || cfg->cache_size == 0 || cfg->max_requests == 0)
        return NULL;
    sn_arp *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->cache = calloc(cfg->cache_size, sizeof *a->cache);
    if (!a->cache) {
        free(a);
        return NULL;
    }
    a->cfg = *cfg;
    /* RFC 1122 2.3.2.1: no more than one request per second per address */
    if (a->cfg.retry_interval < SN_NS_PER_S)
        a->cfg.retry_interval = SN_NS_PER_S;
    a->sched = s;
    a->pool = pool;
    a->nif = nif;
    a->my_ip = my_ip;
    a->timer_at = SN_TIME_NEVER;
    a->last_defend = -1;
    return a;
}

static void entry_clear(arp_entry *e)
{
    sn_pktq_clear(&e->queue);
    memset(e, 0, sizeof *e);
}

void sn_arp_destroy(sn_arp *a)
{
    if (!a)
        return;
    for (unsigned i = 0; i < a->cfg.cache_size; i++)
        entry_clear(&a->cache[i]);
    sn_sched_cancel(a->sched, a->timer);
    sn_sched_cancel(a->sched, a->ann_timer);
    free(a->cache);
    free(a);
}

static arp_entry *find(const sn_arp *a, sn_ip4 ip)
{
    for (unsigned i = 0; i < a->cfg.cache_size; i++)
        if (a->cache[i].state != ARP_FREE && a->cache[i].ip == ip)
            return &a->cache[i];
    return NULL;
}

/* A free slot, else the reachable entry closest to expiry (never an
 * incomplete one: its queued packets are still waiting). */
static arp_entry *alloc_entry(sn_arp *a)
{
    arp_entry *victim = NULL;
    for (unsigned i = 0; i < a->cfg.cache_size; i++) {
        arp_entry *e = &a->cache[i];
        if (e->state == ARP_FREE)
            return e;
        if (e->state == ARP_REACHABLE && (!victim || e->expires < victim->expires))
            victim = e;
    }
    if (victim)
        entry_clear(victim);
    return victim;
}

static void on_timer(void *user, sn_time_t now);

/* Keep one scheduler event at the earliest deadline of the cache. */
static void rearm(sn_arp *a)
{
    sn_time_t next = SN_TIME_NEVER;
    for (unsigned i = 0; i < a->cfg.cache_size; i++) {
        const arp_entry *e = &a->cache[i];
        if (e->state == ARP_REACHABLE && e->expires < next)
            next = e->expires;
        else if (e->state == ARP_INCOMPLETE && e->next_request < next)
            next = e->next_request;
    }
    if (next == a->timer_at)
        return;
    sn_sched_cancel(a->sched, a->timer);
    a->timer = 0;
    a->timer_at = next;
    if (next != SN_TIME_NEVER)
        a->timer = sn_sched_at(a->sched, next, on_timer, a);
}

static int send_arp(sn_arp *a, uint16_t op, const sn_mac_addr *eth_dst,
                    const sn_mac_addr *tha, sn_ip4 tpa)
{
    sn_pkt *p = sn_pkt_alloc_tx(a->pool);
    if (!p) {
        a->drops[DROP_NOBUFS]++;
        return SN_ERR_NOBUFS;
    }
    uint8_t *b = sn_pkt_put(p, SN_ARP_LEN);
    if (!b) {
        a->drops[DROP_NOBUFS]++;
        sn_pkt_free(p);
        return SN_ERR_NOBUFS;
    }
    sn_arp_pkt ap = {.op = op, .sha = *sn_netif_mac(a->nif), .spa = a->my_ip, .tpa = tpa};
    ap.tha = *tha;
    sn_arp_emit(b, &ap);
    if (op == SN_ARP_OP_REQUEST)
        a->tx_requests++;
    else
        a->tx_replies++;
    return sn_netif_output(a->nif, eth_dst, SN_ETHERTYPE_ARP, p, sn_sched_now(a->sched));
}

static const sn_mac_addr zero_mac;

static void send_request(sn_arp *a, arp_entry *e, sn_time_t now)
{
    e->requests++;
    e->next_request = now + a->cfg.retry_interval;
    send_arp(a, SN_ARP_OP_REQUEST, &sn_mac_broadcast, &zero_mac, e->ip);
}

static void on_timer(void *user, sn_time_t now)
{
    sn_arp *a = user;
    a->timer = 0;
    a->timer_at = SN_TIME_NEVER;
    for (unsigned i = 0; i < a->cfg.cache_size; i++) {
        arp_entry *e = &a->cache[i];
        if (e->state == ARP_REACHABLE && e->expires <= now) {
            a->expired++;
            entry_clear(e);
        } else if (e->state == ARP_INCOMPLETE && e->next_request <= now) {
            if (e->requests >= a->cfg.max_requests) {
                SN_DEBUG("arp", "no answer for %08x, %zu packets dropped", e->ip,
                         e->queue.count);
                /* Take the waiting packets and forget the entry first: the
                 * callback sends ICMP, which may come straight back here
                 * (to the same unanswered address) and must find no
                 * half-cleared entry to queue on. */
                sn_pktq waiting = e->queue;
                sn_pktq_init(&e->queue, a->cfg.queue_len);
                entry_clear(e);
                sn_pkt *p;
                while ((p = sn_pktq_pop(&waiting))) {
                    a->drops[DROP_UNRESOLVED]++;
                    /* so the sender hears "host unreachable" (RFC 1812 4.3.3.1) */
                    if (a->unreach)
                        a->unreach(a->unreach_user, p);
                    sn_pkt_free(p);
                }
            } else {
                send_request(a, e, now);
            }
        }
    }
    rearm(a);
}

int sn_arp_output(sn_arp *a, sn_ip4 next_hop, sn_pkt *pkt)
{
    sn_time_t now = sn_sched_now(a->sched);
    arp_entry *e = find(a, next_hop);
    if (e && e->state == ARP_REACHABLE)
        return sn_netif_output(a->nif, &e->mac, SN_ETHERTYPE_IPV4, pkt, now);
    if (!e) {
        e = alloc_entry(a);
        if (!e) {
            a->drops[DROP_QUEUE_FULL]++;
            sn_pkt_free(pkt);
            return SN_ERR_NOBUFS;
        }
        e->state = ARP_INCOMPLETE;
        e->ip = next_hop;
        sn_pktq_init(&e->queue, a->cfg.queue_len);
        if (sn_pktq_push(&e->queue, pkt) != SN_OK) {
            a->drops[DROP_QUEUE_FULL]++;
            sn_pkt_free(pkt);
        }
        send_request(a, e, now);
        rearm(a);
        return SN_OK;
    }
    if (sn_pktq_push(&e->queue, pkt) != SN_OK) {
        a->drops[DROP_QUEUE_FULL]++;
        sn_pkt_free(pkt);
        return SN_ERR_NOBUFS;
    }
    return SN_OK;
}

static int announce_once(sn_arp *a);

/* Record sender -> MAC; flush packets that were waiting for it. */
static void learn(sn_arp *a, arp_entry *e, sn_ip4 ip, const sn_mac_addr *mac, sn_time_t now)
{
    if (e->state != ARP_REACHABLE)
        a->resolved++;
    if (e->state == ARP_FREE)
        sn_pktq_init(&e->queue, a->cfg.queue_len);
    e->state = ARP_REACHABLE;
    e->ip = ip;
    e->mac = *mac;
    e->expires = now + a->cfg.lifetime;
    e->requests = 0;
    sn_pkt *p;
    while ((p = sn_pktq_pop(&e->queue)))
        sn_netif_output(a->nif, mac, SN_ETHERTYPE_IPV4, p, now);
}

void sn_arp_input(sn_arp *a, sn_pkt *pkt)
{
    sn_arp_pkt ap;
    sn_time_t now = sn_sched_now(a->sched);
    int r = sn_arp_parse(sn_pkt_data(pkt), sn_pkt_len(pkt), &ap);
    sn_pkt_free(pkt);
    if (r != SN_ARP_OK || sn_mac_is_multicast(&ap.sha)) {
        a->drops[DROP_MALFORMED]++;
        return;
    }
    if (ap.op == SN_ARP_OP_REQUEST)
        a->rx_requests++;
    else
        a->rx_replies++;
    if (ap.spa == a->my_ip && a->my_ip != 0 &&
        !sn_mac_equal(&ap.sha, sn_netif_mac(a->nif))) {
        /* RFC 5227 2.4: someone else uses our address. Never learn it (it
         * would make us send to ourselves through them); defend it with
         * one announcement, at most once per DEFEND_INTERVAL (10 s). */
        a->drops[DROP_CONFLICT]++;
        char m[18];
        SN_WARN("arp", "address conflict: %s also claims our address", sn_mac_format(&ap.sha, m));
        if (a->last_defend < 0 || now - a->last_defend >= 10 * SN_NS_PER_S) {
            a->last_defend = now;
            announce_once(a);
        }
        return;
    }
    if (ap.spa == a->my_ip && a->my_ip != 0)
        return; /* our own announcement heard back: nothing to learn */
    /* RFC 826 merge rule: update an existing entry for the sender whatever
     * the target; create one only if we are the target. */
    int for_us = ap.tpa == a->my_ip && a->my_ip != 0;
    arp_entry *e = ap.spa ? find(a, ap.spa) : NULL;
    if (e)
        learn(a, e, ap.spa, &ap.sha, now);
    if (!for_us) {
        a->drops[DROP_NOT_FOR_US_PROTO]++;
        rearm(a);
        return;
    }
    if (!e && ap.spa) {
        e = alloc_entry(a);
        if (e)
            learn(a, e, ap.spa, &ap.sha, now);
    }
    if (ap.op == SN_ARP_OP_REQUEST)
        send_arp(a, SN_ARP_OP_REPLY, &ap.sha, &ap.sha, ap.spa);
    rearm(a);
}

void sn_arp_set_unreachable(sn_arp *a, sn_arp_unreach_fn fn, void *user)
{
    a->unreach = fn;
    a->unreach_user = user;
}

/* RFC 5227 2.3: ANNOUNCE_NUM announcements ANNOUNCE_INTERVAL apart. */
#define ARP_ANNOUNCE_NUM 2
#define ARP_ANNOUNCE_INTERVAL (2 * SN_NS_PER_S)

static int announce_once(sn_arp *a)
{
    /* an ARP request whose sender and target protocol addresses are both
     * ours, target hardware address zero (RFC 5227 2.3) */
    a->tx_announcements++;
    return send_arp(a, SN_ARP_OP_REQUEST, &sn_mac_broadcast, &zero_mac, a->my_ip);
}

static void on_announce(void *user, sn_time_t now)
{
    sn_arp *a = user;
    (void)now;
    a->ann_timer = 0;
    if (a->ann_left == 0)
        return;
    a->ann_left--;
    announce_once(a);
    if (a->ann_left > 0)
        a->ann_timer = sn_sched_after(a->sched, ARP_ANNOUNCE_INTERVAL, on_announce, a);
}

int sn_arp_announce(sn_arp *a)
{
    if (!a)
        return SN_ERR_INVAL;
    /* a new round replaces one still under way */
    sn_sched_cancel(a->sched, a->ann_timer);
    a->ann_timer = 0;
    a->ann_left = ARP_ANNOUNCE_NUM - 1;
    int rc = announce_once(a);
    a->ann_timer = sn_sched_after(a->sched, ARP_ANNOUNCE_INTERVAL, on_announce, a);
    if (!a->ann_timer)
        a->drops[DROP_NOBUFS]++;
    return rc;
}

int sn_arp_lookup(const sn_arp *a, sn_ip4 ip, sn_mac_addr *mac)
{
    const arp_entry *e = find(a, ip);
    if (!e || e->state != ARP_REACHABLE)
        return SN_ERR_NOENT;
    *mac = e->mac;
    return SN_OK;
}

size_t sn_arp_stats(const sn_arp *a, sn_stat *out, size_t max)
{
    size_t n = 0, entries = 0;
    for (unsigned i = 0; i < a->cfg.cache_size; i++)
        entries += a->cache[i].state == ARP_REACHABLE;
    n = sn_stat_add(out, n, max, "rx_requests", a->rx_requests);
    n = sn_stat_add(out, n, max, "rx_replies", a->rx_replies);
    n = sn_stat_add(out, n, max, "tx_requests", a->tx_requests);
    n = sn_stat_add(out, n, max, "tx_replies", a->tx_replies);
    n = sn_stat_add(out, n, max, "tx_announcements", a->tx_announcements);
    n = sn_stat_add(out, n, max, "resolved", a->resolved);
    n = sn_stat_add(out, n, max, "expired", a->expired);
    n = sn_stat_add(out, n, max, "cache_entries", entries);
    for (int i = 0; i < DROP_COUNT; i++)
        n = sn_stat_add(out, n, max, drop_names[i], a->drops[i]);
    return n;
}
