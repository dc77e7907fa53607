/* mac/dcf: CSMA/CA with ACK, retry and duplicate suppression (see dcf.h). */
#include "mac/dcf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/rng.h"
#include "mac/ratectl.h"

#define MOD "dcf"

/* Transmitters remembered for duplicate detection (802.11 keeps the last
 * sequence number per transmitter). */
#define DCF_DUP_CACHE 32

enum dcf_state { ST_IDLE = 0, ST_CONTEND, ST_WAIT_ACK };

typedef struct dup_entry {
    int used;
    uint16_t hash;
    uint16_t seq;
    uint64_t stamp; /* for replacing the least recently seen */
} dup_entry;

struct sn_dcf {
    sn_dcf_config cfg;
    sn_sched *s;
    sn_pktpool *pool;
    sn_phy *phy;
    sn_modem *modem; /* private: airtimes and timing only */
    sn_phy_rate def_rate;
    double fs;       /* [S/s] */
    sn_mac_addr own;
    unsigned own_hash;
    sn_rng rng, loss_rng;
    double loss_p;
    sn_ratectl *rc;

    /* timing [ns] */
    sn_time_t slot, sifs, ack_len, decode;
    sn_time_t cca;   /* the radio's carrier sense latency (+ preamble
                      * detection when it has no energy detector) */
    sn_time_t probe; /* carrier sensed this long before a slot boundary */
    unsigned difs_slots;

    /* transmit side */
    sn_pktq q;
    sn_pkt *cur;          /* frame in service (owned) */
    unsigned attempts;    /* transmissions of cur so far */
    int cur_rate;
    unsigned cur_seq;
    int cur_group;        /* broadcast/multicast: no ACK */
    unsigned seq_next;
    unsigned cw;          /* [slots] */
    unsigned backoff;     /* [slots] decision slots left */
    int state;
    unsigned idle_run;    /* consecutive idle slots sensed */
    sn_timer_id tick;
    sn_time_t ack_start_deadline, ack_hard_deadline; /* [ns] */

    /* ACK to send */
    sn_timer_id ack_timer;
    uint32_t ack_ctrl;
    int ack_rate;

    dup_entry dup[DCF_DUP_CACHE];
    uint64_t dup_stamp;

    sn_dcf_rx_fn rx;
    void *rx_user;
    sn_dcf_done_fn done;
    void *done_user;
    sn_dcf_event_fn ev;
    void *ev_user;

    sn_dcf_counters c;
};

/* ---- control word ----------------------------------------------------- */

uint32_t sn_dcf_ctrl_make(unsigned type, int retry, unsigned seq, unsigned hash)
{
    return ((uint32_t)(type & 3u) << SN_DCF_CTRL_TYPE_SHIFT) | (retry ? SN_DCF_CTRL_RETRY : 0u) |
           ((uint32_t)(seq & SN_DCF_CTRL_SEQ_MASK) << SN_DCF_CTRL_SEQ_SHIFT) |
           (uint32_t)(hash & SN_DCF_CTRL_HASH_MASK);
}

unsigned sn_dcf_ctrl_type(uint32_t ctrl) { return (unsigned)(ctrl >> SN_DCF_CTRL_TYPE_SHIFT) & 3u; }
int sn_dcf_ctrl_retry(uint32_t ctrl) { return (ctrl & SN_DCF_CTRL_RETRY) != 0; }
unsigned sn_dcf_ctrl_seq(uint32_t ctrl)
{
    return (unsigned)(ctrl >> SN_DCF_CTRL_SEQ_SHIFT) & SN_DCF_CTRL_SEQ_MASK;
}
unsigned sn_dcf_ctrl_hash(uint32_t ctrl) { return (unsigned)ctrl & SN_DCF_CTRL_HASH_MASK; }

unsigned sn_dcf_addr_hash(const sn_mac_addr *a)
{
    /* FNV-1a folded to 16 bits: cheap, and addresses differing in one byte
     * (02:00:00:00:01:01 vs ..:02:01) never share a hash */
    uint32_t h = 2166136261u;
    for (int i = 0; i < SN_ETH_ALEN; i++) {
        h ^= a->b[i];
        h *= 16777619u;
    }
    return (unsigned)((h >> 16) ^ (h & 0xffffu));
}

/* ---- configuration ---------------------------------------------------- */

void sn_dcf_config_default(sn_dcf_config *c)
{
    c->cw_min = 15;
    c->cw_max = 1023;
    c->retry_limit = 7;
    c->queue_len = 64;
    c->rate_control = 1;
    c->fixed_rate = -1;
    c->ack_all_unicast = 0;
    c->rate_interval = 100 * SN_NS_PER_MS;
}

static int pow2m1(unsigned v) { return ((v + 1u) & v) == 0; }

static sn_time_t samples_ns(const sn_dcf *d, double n)
{
    return (sn_time_t)llround(n * 1e9 / d->fs);
}

sn_time_t sn_dcf_airtime(const sn_dcf *d, size_t len, int rate)
{
    if (!d)
        return 0;
    sn_phy_rate r = rate >= 0 && rate < SN_RATE_COUNT ? (sn_phy_rate)rate : d->def_rate;
    return samples_ns(d, (double)sn_modem_burst_len(d->modem, len, r));
}

static void noop_rx(void *user, const uint8_t *f, size_t len, const sn_phy_stats *st)
{
    (void)user;
    (void)f;
    (void)len;
    (void)st;
}

sn_dcf *sn_dcf_create(const sn_dcf_config *cfg, sn_sched *s, sn_pktpool *pool, sn_phy *phy,
                      const sn_modem_config *modem, const sn_mac_addr *own, uint64_t seed)
{
    sn_dcf_config def;
    if (!cfg) {
        sn_dcf_config_default(&def);
        cfg = &def;
    }
    const sn_radio_info *info = sn_radio_get_info(sn_phy_radio(phy));
    if (!s || !pool || !phy || !own || !info || !(info->sample_rate > 0))
        return NULL;
    if (!pow2m1(cfg->cw_min) || !pow2m1(cfg->cw_max) || cfg->cw_min > cfg->cw_max ||
        cfg->cw_max > 65535 || cfg->queue_len == 0 || cfg->fixed_rate >= SN_RATE_COUNT ||
        cfg->fixed_rate < -1 || cfg->retry_limit > 255 || cfg->rate_interval <= 0) {
        SN_ERROR(MOD, "bad configuration (cw_min/cw_max must be 2^k-1, cw_min <= cw_max)");
        return NULL;
    }
    sn_dcf *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->cfg = *cfg;
    d->s = s;
    d->pool = pool;
    d->phy = phy;
    d->fs = info->sample_rate;
    d->own = *own;
    d->own_hash = sn_dcf_addr_hash(own);
    sn_rng_seed_stream(&d->rng, seed, 0xdcf);
    sn_rng_seed_stream(&d->loss_rng, seed, 0x1055);
    sn_pktq_init(&d->q, cfg->queue_len);
    sn_modem_config mc;
    if (modem)
        mc = *modem;
    else
        sn_modem_config_default(&mc);
    d->modem = sn_modem_create(&mc, d->fs, noop_rx, NULL);
    if (!d->modem)
        goto fail;
    d->def_rate = sn_modem_rate(d->modem);
    if (cfg->fixed_rate >= 0)
        d->def_rate = (sn_phy_rate)cfg->fixed_rate;

    /* timing from the radio (carrier sense latency, turnaround) and the
     * modem (decode delay) */
    sn_modem_timing t;
    sn_modem_get_timing(d->modem, &t);
    double cca = info->cca_latency >= 0.0 ? info->cca_latency : 0.0; /* NaN: 0 */
    double turn = info->turnaround >= 0.0 ? info->turnaround : 0.0;
    if (cca > SN_DCF_MAX_RADIO_NS || turn > SN_DCF_MAX_RADIO_NS) {
        SN_ERROR(MOD, "radio latency out of range (cca %.0f ns, turnaround %.0f ns)", cca, turn);
        goto fail;
    }
    /* a radio without an energy detector: the fallback, preamble
     * detection, sees a burst only once the modem has `detect` samples */
    if (sn_radio_carrier(sn_phy_radio(phy), sn_sched_now(s), NULL) < 0)
        cca += (double)t.detect * 1e9 / d->fs;
    /* whole sample periods, at least 2: the channel is sensed one sample
     * before each boundary (probe) and a burst is seen from its first
     * sample, so a burst started at a boundary is seen by the next probe */
    double slot_samples = ceil((cca + turn) * d->fs / 1e9 - 1e-9);
    d->slot = samples_ns(d, slot_samples < 2.0 ? 2.0 : slot_samples);
    d->cca = (sn_time_t)ceil(cca);
    d->decode = samples_ns(d, t.decode_delay);
    /* one sample period before the boundary: the medium's carrier works on
     * whole samples, so a burst starting at the boundary is not yet seen */
    d->probe = (sn_time_t)ceil(1e9 / d->fs);
    /* the receiver has the frame decode_delay after its end and needs the
     * turnaround to answer; at least one sample */
    d->sifs = d->decode + (sn_time_t)ceil(turn);
    if (d->sifs < d->probe)
        d->sifs = d->probe;
    d->difs_slots = (unsigned)((d->sifs + d->slot - 1) / d->slot) + 2;
    d->ack_len = sn_dcf_airtime(d, 0, d->def_rate);
    d->cw = cfg->cw_min;

    if (cfg->rate_control) {
        sn_ratectl_config rcfg;
        memset(&rcfg, 0, sizeof rcfg);
        rcfg.ref_bytes = 1200;
        /* one exchange: DIFS, mean backoff, data, SIFS, ACK */
        sn_time_t fixed = (sn_time_t)d->difs_slots * d->slot +
                          (sn_time_t)(cfg->cw_min / 2) * d->slot + d->sifs + d->ack_len;
        for (int r = 0; r < SN_RATE_COUNT; r++) {
            rcfg.airtime[r] = fixed + sn_dcf_airtime(d, rcfg.ref_bytes, r);
            if (rcfg.airtime[r] <= fixed)
                goto fail;
        }
        rcfg.start_rate = d->def_rate;
        rcfg.interval = cfg->rate_interval;
        rcfg.ewma_pct = 25;
        rcfg.sample_pct = 10;
        rcfg.max_dests = 32;
        d->rc = sn_ratectl_create(&rcfg, seed);
        if (!d->rc)
            goto fail;
    }
    d->c.last_rate = -1;
    return d;
fail:
    sn_dcf_destroy(d);
    return NULL;
}

void sn_dcf_destroy(sn_dcf *d)
{
    if (!d)
        return;
    sn_sched_cancel(d->s, d->tick);
    sn_sched_cancel(d->s, d->ack_timer);
    sn_pktq_clear(&d->q);
    sn_pkt_free(d->cur);
    sn_ratectl_destroy(d->rc);
    sn_modem_destroy(d->modem);
    free(d);
}

void sn_dcf_set_rx(sn_dcf *d, sn_dcf_rx_fn fn, void *user)
{
    if (!d)
        return;
    d->rx = fn;
    d->rx_user = user;
}

void sn_dcf_set_done(sn_dcf *d, sn_dcf_done_fn fn, void *user)
{
    if (!d)
        return;
    d->done = fn;
    d->done_user = user;
}

void sn_dcf_set_event(sn_dcf *d, sn_dcf_event_fn fn, void *user)
{
    if (!d)
        return;
    d->ev = fn;
    d->ev_user = user;
}

void sn_dcf_set_addr(sn_dcf *d, const sn_mac_addr *own)
{
    if (!d || !own)
        return;
    d->own = *own;
    d->own_hash = sn_dcf_addr_hash(own);
}

void sn_dcf_set_ack_all(sn_dcf *d, int on)
{
    if (d)
        d->cfg.ack_all_unicast = on != 0;
}

void sn_dcf_set_rx_loss(sn_dcf *d, double p)
{
    if (d)
        d->loss_p = p > 0.0 ? (p < 1.0 ? p : 1.0) : 0.0;
}

unsigned sn_dcf_queued(const sn_dcf *d)
{
    return d ? (unsigned)d->q.count + (d->cur != NULL) : 0;
}

void sn_dcf_get_timing(const sn_dcf *d, sn_dcf_timing *t)
{
    if (!t)
        return;
    memset(t, 0, sizeof *t);
    if (!d)
        return;
    t->slot = d->slot;
    t->sifs = d->sifs;
    t->difs = (sn_time_t)d->difs_slots * d->slot;
    t->difs_slots = d->difs_slots;
    t->ack = d->ack_len;
    t->cw = d->cw;
}

static void event(sn_dcf *d, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void event(sn_dcf *d, const char *what, const char *fmt, ...)
{
    if (!d->ev)
        return;
    char line[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    d->ev(d->ev_user, what, line);
}

/* ---- transmit state machine ------------------------------------------- */

static void on_tick(void *user, sn_time_t now);

/* Keep the slot clock running: the next slot boundary after `now`, on the
 * grid every station shares (multiples of the slot from t = 0). */
static void ensure_tick(sn_dcf *d, sn_time_t now)
{
    if (d->tick)
        return;
    sn_time_t next = (now / d->slot + 1) * d->slot;
    d->tick = sn_sched_at(d->s, next, on_tick, d);
    if (!d->tick)
        SN_ERROR(MOD, "out of memory for the slot event");
}

static unsigned draw_backoff(sn_dcf *d)
{
    return (unsigned)sn_rng_below(&d->rng, (uint64_t)d->cw + 1);
}

static void finish(sn_dcf *d, int status)
{
    sn_pkt *f = d->cur;
    d->cur = NULL;
    if (d->done && f)
        d->done(d->done_user, f, status, d->attempts, d->cur_rate);
    sn_pkt_free(f);
}

/* Take the next frame into service, or go idle. */
static void next_frame(sn_dcf *d, sn_time_t now)
{
    d->state = ST_IDLE;
    while (!d->cur) {
        sn_pkt *f = sn_pktq_pop(&d->q);
        if (!f)
            return;
        d->cur = f;
    }
    d->attempts = 0;
    d->cur_seq = d->seq_next;
    d->seq_next = (d->seq_next + 1) & SN_DCF_CTRL_SEQ_MASK;
    d->cur_group = (sn_pkt_data(d->cur)[0] & 1) != 0;
    d->backoff = draw_backoff(d);
    d->state = ST_CONTEND;
    ensure_tick(d, now);
}

static const sn_mac_addr *cur_dst(const sn_dcf *d)
{
    /* the frame starts with its destination address (checked at send) */
    return (const sn_mac_addr *)(const void *)sn_pkt_data(d->cur);
}

static void attempt_failed(sn_dcf *d, sn_time_t now)
{
    d->c.ack_timeouts++;
    if (d->rc)
        sn_ratectl_report(d->rc, cur_dst(d), (sn_phy_rate)d->cur_rate, 0, now);
    if (d->attempts > d->cfg.retry_limit) {
        d->c.drop_retry_limit++;
        event(d, "drop", "seq %u dropped after %u attempts (no ACK)", d->cur_seq, d->attempts);
        d->cw = d->cfg.cw_min;
        finish(d, SN_ERR_RANGE);
        next_frame(d, now);
        return;
    }
    d->cw = 2 * d->cw + 1 > d->cfg.cw_max ? d->cfg.cw_max : 2 * d->cw + 1;
    d->backoff = draw_backoff(d);
    d->state = ST_CONTEND;
    event(d, "retry", "no ACK for seq %u: retry %u, window %u slots", d->cur_seq, d->attempts,
          d->cw);
}

static void transmit(sn_dcf *d, sn_time_t now)
{
    int rate = d->cfg.fixed_rate;
    if (d->rc && !d->cur_group)
        rate = (int)sn_ratectl_pick(d->rc, cur_dst(d), d->attempts, now);
    else if (rate < 0)
        rate = (int)d->def_rate;
    sn_pkt *copy = sn_pkt_clone(d->pool, d->cur);
    if (!copy) {
        d->c.drop_nobufs++;
        d->cw = d->cfg.cw_min;
        finish(d, SN_ERR_NOBUFS);
        next_frame(d, now);
        return;
    }
    unsigned type = d->cur_group ? SN_DCF_T_DATA_NOACK : SN_DCF_T_DATA;
    copy->meta.phy_ctrl = sn_dcf_ctrl_make(type, d->attempts > 0, d->cur_seq, d->own_hash);
    copy->meta.phy_rate = rate;
    size_t len = sn_pkt_len(copy);
    int rc = sn_phy_send(d->phy, copy);
    d->cur_rate = rate;
    if (rc != SN_OK) {
        d->c.drop_phy++;
        d->cw = d->cfg.cw_min;
        finish(d, rc);
        next_frame(d, now);
        return;
    }
    d->c.tx_attempts++;
    d->c.tx_retries += d->attempts > 0;
    d->c.tx_by_rate[rate]++;
    d->c.last_rate = rate;
    d->attempts++;
    if (d->cur_group) {
        d->c.tx_bcast++;
        finish(d, SN_OK);
        next_frame(d, now);
        return;
    }
    sn_time_t end = now + sn_dcf_airtime(d, len, rate);
    /* 802.11's ACKTimeout (SIFS + slot + aRxPHYStartDelay): the ACK must
     * have started by SIFS + a slot, and our carrier sense needs its
     * latency to see it (on a USB radio, most of a slot) */
    d->ack_start_deadline = end + d->sifs + d->slot + d->cca;
    d->ack_hard_deadline = d->ack_start_deadline + d->ack_len + d->decode + d->slot;
    d->state = ST_WAIT_ACK;
}

/* Clear channel assessment at `at` [ns]. The radio's energy detector
 * (802.11's CCA energy detect) decides when it can tell, plus our own
 * burst on the air or queued in the PHY. Only a radio that cannot sense
 * energy falls back to sn_phy_carrier, whose preamble half is the modem's
 * state "as of the samples fed so far": on the simulated medium samples
 * stop flowing between bursts (idle time is skipped), so a synchroniser
 * left mid-detection by the noise after a burst would report busy until
 * the next burst -- which then never comes, since everyone defers. */
static int channel_busy(const sn_dcf *d, sn_time_t at)
{
    if (sn_phy_busy(d->phy))
        return 1;
    int e = sn_radio_carrier(sn_phy_radio(d->phy), at, NULL);
    if (e >= 0)
        return e > 0;
    return sn_phy_carrier(d->phy, at, NULL) > 0;
}

static void on_tick(void *user, sn_time_t now)
{
    sn_dcf *d = user;
    d->tick = 0;
    /* the medium just before this boundary: a burst starting exactly now
     * (another station's decision in this very slot) is not seen, as in
     * the slotted model where two stations choosing one slot collide */
    sn_time_t at = now > d->probe ? now - d->probe : 0;
    int busy = channel_busy(d, at);
    if (d->state == ST_WAIT_ACK && now >= d->ack_start_deadline &&
        (!busy || now >= d->ack_hard_deadline))
        attempt_failed(d, now);
    d->idle_run = busy ? 0 : d->idle_run + 1;
    if (d->state == ST_CONTEND && !busy && d->idle_run >= d->difs_slots) {
        if (d->backoff == 0)
            transmit(d, now);
        else
            d->backoff--;
    }
    if (d->state != ST_IDLE)
        ensure_tick(d, now);
}

int sn_dcf_send(void *dcf, sn_pkt *frame)
{
    sn_dcf *d = dcf;
    if (!d || !frame) {
        sn_pkt_free(frame);
        return SN_ERR_INVAL;
    }
    if (sn_pkt_len(frame) < SN_ETH_HDR_LEN) {
        d->c.drop_malformed++;
        sn_pkt_free(frame);
        return SN_ERR_INVAL;
    }
    if (sn_pktq_push(&d->q, frame) != SN_OK) {
        d->c.drop_queue_full++;
        sn_pkt_free(frame);
        return SN_ERR_NOBUFS;
    }
    d->c.tx_frames++;
    if (d->state == ST_IDLE && !d->cur)
        next_frame(d, sn_sched_now(d->s));
    return SN_OK;
}

/* ---- receive side ----------------------------------------------------- */

static void send_ack(void *user, sn_time_t now)
{
    sn_dcf *d = user;
    (void)now;
    d->ack_timer = 0;
    sn_pkt *a = sn_pkt_alloc(d->pool, 0);
    if (!a) {
        d->c.drop_nobufs++;
        return;
    }
    a->meta.phy_ctrl = d->ack_ctrl;
    a->meta.phy_rate = d->ack_rate;
    if (sn_phy_send(d->phy, a) != SN_OK) {
        d->c.drop_phy++;
        return;
    }
    d->c.tx_acks++;
}

/* 1 if (hash, seq) repeats the last frame seen from that transmitter; the
 * cache then remembers seq as the transmitter's last. */
static int duplicate(sn_dcf *d, unsigned hash, unsigned seq, int retry)
{
    dup_entry *e = NULL, *victim = &d->dup[0];
    for (int i = 0; i < DCF_DUP_CACHE; i++) {
        dup_entry *x = &d->dup[i];
        if (x->used && x->hash == hash) {
            e = x;
            break;
        }
        if (!x->used || (victim->used && x->stamp < victim->stamp))
            victim = x;
    }
    int dup = e && retry && e->seq == seq;
    if (!e) {
        e = victim;
        e->used = 1;
        e->hash = (uint16_t)hash;
    }
    e->seq = (uint16_t)seq;
    e->stamp = ++d->dup_stamp;
    return dup;
}

static void deliver(sn_dcf *d, sn_pkt *f)
{
    if (d->rx)
        d->rx(d->rx_user, f);
    else
        sn_pkt_free(f);
}

static void schedule_ack(sn_dcf *d, const sn_pkt *f, unsigned seq, unsigned hash)
{
    sn_time_t now = sn_sched_now(d->s);
    int rate = f->meta.phy_rate >= 0 && f->meta.phy_rate < SN_RATE_COUNT ? f->meta.phy_rate
                                                                        : (int)d->def_rate;
    /* the data burst's end from its first sample on the radio's clock;
     * the ACK starts SIFS later. A receiver that had the frame late sends
     * at once (counted); a clock that does not match is clamped. */
    double end_s = ((double)f->meta.sample +
                    (double)sn_modem_burst_len(d->modem, sn_pkt_len(f), (sn_phy_rate)rate)) /
                   d->fs;
    sn_time_t at = (sn_time_t)llround(end_s * 1e9) + d->sifs;
    if (at < now) {
        d->c.ack_late++;
        at = now;
    }
    if (at > now + d->sifs)
        at = now + d->sifs;
    if (d->ack_timer) /* one ACK at a time: the newer frame wins */
        sn_sched_cancel(d->s, d->ack_timer);
    d->ack_ctrl = sn_dcf_ctrl_make(SN_DCF_T_ACK, 0, seq, hash);
    d->ack_rate = rate;
    d->ack_timer = sn_sched_at(d->s, at, send_ack, d);
    if (!d->ack_timer)
        d->c.drop_nobufs++;
}

void sn_dcf_input(void *dcf, sn_pkt *f)
{
    sn_dcf *d = dcf;
    if (!d || !f) {
        sn_pkt_free(f);
        return;
    }
    if (d->loss_p > 0.0 && sn_rng_uniform(&d->loss_rng) < d->loss_p) {
        d->c.drop_test_loss++;
        sn_pkt_free(f);
        return;
    }
    uint32_t ctrl = f->meta.phy_ctrl;
    unsigned type = sn_dcf_ctrl_type(ctrl), seq = sn_dcf_ctrl_seq(ctrl);
    unsigned hash = sn_dcf_ctrl_hash(ctrl);
    size_t len = sn_pkt_len(f);
    sn_time_t now = sn_sched_now(d->s);
    if (type == SN_DCF_T_ACK) {
        if (len != 0) {
            d->c.drop_malformed++;
        } else if (d->state == ST_WAIT_ACK && seq == d->cur_seq && hash == d->own_hash) {
            d->c.rx_acks++;
            d->c.tx_acked++;
            if (d->rc)
                sn_ratectl_report(d->rc, cur_dst(d), (sn_phy_rate)d->cur_rate, 1, now);
            d->cw = d->cfg.cw_min;
            finish(d, SN_OK);
            next_frame(d, now);
        } else {
            d->c.drop_ack_other++;
        }
        sn_pkt_free(f);
        return;
    }
    if (len == 0 || (type != SN_DCF_T_NONE && len < SN_ETH_HDR_LEN)) {
        d->c.drop_malformed++;
        sn_pkt_free(f);
        return;
    }
    if (type == SN_DCF_T_NONE) {
        d->c.rx_plain++;
        deliver(d, f);
        return;
    }
    const uint8_t *dst = sn_pkt_data(f);
    int group = (dst[0] & 1) != 0;
    int mine = !group && (d->cfg.ack_all_unicast || !memcmp(dst, d->own.b, SN_ETH_ALEN));
    if (type == SN_DCF_T_DATA && mine) {
        schedule_ack(d, f, seq, hash);
        if (duplicate(d, hash, seq, sn_dcf_ctrl_retry(ctrl))) {
            d->c.drop_duplicate++;
            sn_pkt_free(f);
            return;
        }
    }
    d->c.rx_data++;
    deliver(d, f);
}

/* ---- counters --------------------------------------------------------- */

void sn_dcf_get_counters(const sn_dcf *d, sn_dcf_counters *c)
{
    if (!c)
        return;
    memset(c, 0, sizeof *c);
    c->last_rate = -1;
    if (d)
        *c = d->c;
}

size_t sn_dcf_stats(const sn_dcf *d, sn_stat *out, size_t max)
{
    if (!d)
        return 0;
    const sn_dcf_counters *c = &d->c;
    size_t n = 0;
    n = sn_stat_add(out, n, max, "tx_frames", c->tx_frames);
    n = sn_stat_add(out, n, max, "tx_attempts", c->tx_attempts);
    n = sn_stat_add(out, n, max, "tx_retries", c->tx_retries);
    n = sn_stat_add(out, n, max, "tx_acked", c->tx_acked);
    n = sn_stat_add(out, n, max, "tx_bcast", c->tx_bcast);
    n = sn_stat_add(out, n, max, "tx_acks", c->tx_acks);
    n = sn_stat_add(out, n, max, "ack_timeouts", c->ack_timeouts);
    n = sn_stat_add(out, n, max, "ack_late", c->ack_late);
    n = sn_stat_add(out, n, max, "rx_data", c->rx_data);
    n = sn_stat_add(out, n, max, "rx_acks", c->rx_acks);
    n = sn_stat_add(out, n, max, "rx_plain", c->rx_plain);
    n = sn_stat_add(out, n, max, "drop_retry_limit", c->drop_retry_limit);
    n = sn_stat_add(out, n, max, "drop_queue_full", c->drop_queue_full);
    n = sn_stat_add(out, n, max, "drop_duplicate", c->drop_duplicate);
    n = sn_stat_add(out, n, max, "drop_ack_other", c->drop_ack_other);
    n = sn_stat_add(out, n, max, "drop_malformed", c->drop_malformed);
    n = sn_stat_add(out, n, max, "drop_phy", c->drop_phy);
    n = sn_stat_add(out, n, max, "drop_nobufs", c->drop_nobufs);
    n = sn_stat_add(out, n, max, "drop_test_loss", c->drop_test_loss);
    return n;
}
