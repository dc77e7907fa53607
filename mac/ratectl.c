/* mac/ratectl: Minstrel-like rate adaptation (see ratectl.h). */
#include "mac/ratectl.h"

#include <stdlib.h>
#include <string.h>

#include "core/rng.h"

typedef struct rate_stat {
    uint32_t att, succ;     /* this interval */
    uint64_t att_total, succ_total;
    double prob;            /* EWMA success probability */
    int known;              /* prob holds a measurement */
} rate_stat;

typedef struct dest {
    int used;
    sn_mac_addr addr;
    sn_time_t last_use;     /* [ns] for replacement */
    sn_time_t next_update;  /* [ns] */
    rate_stat r[SN_RATE_COUNT];
    sn_phy_rate best_tp, second_tp, best_prob;
    unsigned sample_rate;   /* the rate sampled by the current frame, or
                             * SN_RATE_COUNT */
} dest;

struct sn_ratectl {
    sn_ratectl_config cfg;
    sn_rng rng;
    dest *d;
    uint64_t samples;
};

sn_ratectl *sn_ratectl_create(const sn_ratectl_config *cfg, uint64_t seed)
{
    if (!cfg || cfg->max_dests == 0 || cfg->ref_bytes == 0 || cfg->ewma_pct == 0 ||
        cfg->ewma_pct > 100 || cfg->sample_pct > 100 || (unsigned)cfg->start_rate >= SN_RATE_COUNT ||
        cfg->interval <= 0)
        return NULL;
    for (int i = 0; i < SN_RATE_COUNT; i++)
        if (cfg->airtime[i] <= 0)
            return NULL;
    sn_ratectl *rc = calloc(1, sizeof *rc);
    if (!rc)
        return NULL;
    rc->d = calloc(cfg->max_dests, sizeof *rc->d);
    if (!rc->d) {
        free(rc);
        return NULL;
    }
    rc->cfg = *cfg;
    sn_rng_seed_stream(&rc->rng, seed, 0x7a7ec71);
    return rc;
}

void sn_ratectl_destroy(sn_ratectl *rc)
{
    if (!rc)
        return;
    free(rc->d);
    free(rc);
}

/* Expected throughput of rate i [bits/ns], 0 below 10 % success. */
static double tp(const sn_ratectl *rc, const dest *e, int i)
{
    double p = e->r[i].prob;
    if (!e->r[i].known || p < 0.1)
        return 0.0;
    return p * 8.0 * rc->cfg.ref_bytes / (double)rc->cfg.airtime[i];
}

/* Rank the rates: best and second-best throughput, best probability. With
 * nothing measured the start rate leads. */
static void rank(const sn_ratectl *rc, dest *e)
{
    int b = -1, s = -1, bp = -1;
    for (int i = 0; i < SN_RATE_COUNT; i++) {
        double t = tp(rc, e, i);
        if (t <= 0.0)
            continue;
        if (b < 0 || t > tp(rc, e, b)) {
            s = b;
            b = i;
        } else if (s < 0 || t > tp(rc, e, s)) {
            s = i;
        }
    }
    for (int i = 0; i < SN_RATE_COUNT; i++) {
        if (!e->r[i].known)
            continue;
        /* among equally reliable rates the faster one: ties go upward */
        if (bp < 0 || e->r[i].prob >= e->r[bp].prob)
            bp = i;
    }
    if (b < 0)
        b = (int)rc->cfg.start_rate;
    if (s < 0)
        s = b > 0 ? b - 1 : b;
    if (bp < 0)
        bp = s < b ? s : b;
    e->best_tp = (sn_phy_rate)b;
    e->second_tp = (sn_phy_rate)s;
    e->best_prob = (sn_phy_rate)bp;
}

static void update(sn_ratectl *rc, dest *e, sn_time_t now)
{
    if (now < e->next_update)
        return;
    double w = rc->cfg.ewma_pct / 100.0;
    for (int i = 0; i < SN_RATE_COUNT; i++) {
        rate_stat *r = &e->r[i];
        if (r->att == 0)
            continue;
        double p = (double)r->succ / r->att;
        r->prob = r->known ? (1.0 - w) * r->prob + w * p : p;
        r->known = 1;
        r->att = r->succ = 0;
    }
    rank(rc, e);
    e->next_update = now + rc->cfg.interval;
}

static dest *lookup(sn_ratectl *rc, const sn_mac_addr *a, sn_time_t now)
{
    dest *victim = NULL;
    for (unsigned i = 0; i < rc->cfg.max_dests; i++) {
        dest *e = &rc->d[i];
        if (e->used && !memcmp(e->addr.b, a->b, 6)) {
            e->last_use = now;
            return e;
        }
        if (!victim || (!e->used && victim->used) ||
            (e->used == victim->used && e->last_use < victim->last_use))
            victim = e;
    }
    memset(victim, 0, sizeof *victim);
    victim->used = 1;
    victim->addr = *a;
    victim->last_use = now;
    victim->next_update = now + rc->cfg.interval;
    victim->sample_rate = SN_RATE_COUNT;
    rank(rc, victim);
    return victim;
}

static const dest *find_const(const sn_ratectl *rc, const sn_mac_addr *a)
{
    for (unsigned i = 0; i < rc->cfg.max_dests; i++)
        if (rc->d[i].used && !memcmp(rc->d[i].addr.b, a->b, 6))
            return &rc->d[i];
    return NULL;
}

sn_phy_rate sn_ratectl_pick(sn_ratectl *rc, const sn_mac_addr *dst, unsigned attempt,
                            sn_time_t now)
{
    if (!rc || !dst)
        return SN_RATE_BPSK_12;
    dest *e = lookup(rc, dst, now);
    update(rc, e, now);
    if (attempt == 0) {
        e->sample_rate = SN_RATE_COUNT;
        if (sn_rng_below(&rc->rng, 100) < rc->cfg.sample_pct) {
            unsigned k = (unsigned)sn_rng_below(&rc->rng, SN_RATE_COUNT - 1);
            if (k >= (unsigned)e->best_tp)
                k++; /* any rate but the best */
            e->sample_rate = k;
            rc->samples++;
            /* a faster rate is tried first; a slower one would only cost
             * airtime when the best works, so it waits for attempt 1 */
            if (k > (unsigned)e->best_tp)
                return (sn_phy_rate)k;
        }
        return e->best_tp;
    }
    if (attempt == 1) {
        if (e->sample_rate < SN_RATE_COUNT) {
            /* the sample was first: fall back to the best; a slower sample
             * gets its turn here */
            return e->sample_rate > (unsigned)e->best_tp ? e->best_tp
                                                         : (sn_phy_rate)e->sample_rate;
        }
        return e->second_tp;
    }
    if (attempt <= 3)
        return e->best_prob;
    return SN_RATE_BPSK_12;
}

void sn_ratectl_report(sn_ratectl *rc, const sn_mac_addr *dst, sn_phy_rate rate, int acked,
                       sn_time_t now)
{
    if (!rc || !dst || (unsigned)rate >= SN_RATE_COUNT)
        return;
    dest *e = lookup(rc, dst, now);
    rate_stat *r = &e->r[rate];
    r->att++;
    r->att_total++;
    if (acked) {
        r->succ++;
        r->succ_total++;
    }
    update(rc, e, now);
}

sn_phy_rate sn_ratectl_best(const sn_ratectl *rc, const sn_mac_addr *dst, double *prob)
{
    const dest *e = rc && dst ? find_const(rc, dst) : NULL;
    if (prob)
        for (int i = 0; i < SN_RATE_COUNT; i++)
            prob[i] = e && e->r[i].known ? e->r[i].prob : 0.0;
    if (!e)
        return rc ? rc->cfg.start_rate : SN_RATE_BPSK_12;
    return e->best_tp;
}

uint64_t sn_ratectl_samples(const sn_ratectl *rc) { return rc ? rc->samples : 0; }
