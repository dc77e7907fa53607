/* phy/medium: simulated shared medium on the scheduler's virtual time.
 *
 * How it works: every burst sent stays in a list ("on the air") until every
 * port has been given its samples. Each receiving port has at most one open
 * segment [seg_start, seg_end) and one timer. The timer fires at the next
 * "flush point" -- the arrival end of a burst in the segment, the end of the
 * port's own burst inside it, or the segment's end -- and the samples from
 * where the port left off up to that point are computed (sum of the bursts
 * through their links, noise, half-duplex blanking) and handed over. Since a
 * flush point is never in the future, every burst that can touch a sample
 * was sent before the sample is computed: the sum is always complete. */
#include "phy/medium.h"

#include <complex.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/rng.h"

#define MOD "medium"

#define NEFF_MAX (SN_MEDIUM_MAX_TAPS + 1) /* taps (x) 2-tap interpolator */

/* Ziggurat for the normal distribution: 128 layers of equal area V; the
 * base layer's edge R. Constants of the published algorithm. */
#define ZIG_N 128
#define ZIG_R 3.442619855899
#define ZIG_V 9.91256303526217e-3

typedef struct medium_link {
    double snr_db;       /* [dB] */
    double cfo_hz;       /* [Hz] */
    int set;             /* snr_db set explicitly (else the default applies) */
    int chan_set;        /* delay/taps set (else direct path, no delay) */
    uint64_t delay_int;  /* [samples] whole part of the delay */
    sn_cf32 eff[NEFF_MAX]; /* interpolator (x) taps: the link's FIR */
    size_t neff;
    double eff_energy;   /* sum |eff|^2: power gain of the FIR */
} medium_link;

/* A burst on the air. Recycled through a free list with its buffer, so a
 * warmed-up medium does not allocate per burst. */
typedef struct medium_burst {
    int from;
    sn_cf32 *iq;
    size_t n, cap;    /* [samples] */
    uint64_t k0;      /* [samples] first sample on the sender's clock */
    double p;         /* mean power as sent [full scale^2] */
    double amax;      /* largest |re| or |im| as sent (NaN if any is) [full scale] */
    uint64_t end_max; /* [samples] no port needs it from this index on */
    struct medium_burst *next;
} medium_burst;

typedef struct medium_port {
    sn_medium *m;       /* owner (the timer gets the port) */
    int idx;            /* its port number */
    sn_medium_rx_fn rx; /* NULL once detached */
    void *user;
    int attached;
    double noise;       /* [full scale^2] noise power per complex sample */
    sn_rng rng;         /* this receiver's noise */
    /* receive stream */
    int any;            /* something was delivered */
    uint64_t done;      /* [samples] delivered up to here (exclusive) */
    int open;           /* a segment is open */
    int started;        /* ...and part of it was delivered */
    uint64_t seg_start, seg_end; /* [samples] */
    uint64_t flush_at;  /* [samples] where the timer delivers up to */
    sn_timer_id timer;
} medium_port;

struct sn_medium {
    sn_sched *s;
    double fs; /* [S/s] */
    uint64_t seed;
    double default_snr_db;
    double carrier_db;
    medium_port **ports; /* each allocated once: timers point at them */
    size_t nports, portcap;
    medium_link *links; /* portcap x portcap, [from * portcap + to] */
    medium_burst *flight, *free;
    sn_cf32 *rxbuf;     /* [samples] block being built */
    size_t rxcap;
    sn_medium_tap_fn tap;
    void *tap_user;
    /* Gaussian noise by the ziggurat method (Marsaglia & Tsang 2000, in
     * Doornik's 2005 formulation): exact N(0, 1) like the polar method of
     * sn_rng_gauss, but mostly one table look-up and a multiply per value
     * instead of a log and a square root -- the noise is most of the
     * medium's work. Edges of the ZIG_N layers, and their ratios. */
    double zig_x[ZIG_N + 1], zig_r[ZIG_N];
    double zig_f[ZIG_N + 1]; /* exp(-x^2 / 2) at the edges */
    /* The same in float for the fast path (zig_rf rounded down, so a value
     * it accepts is always inside the core: the method stays exact). */
    float zig_xf[ZIG_N], zig_rf[ZIG_N];
};

sn_medium *sn_medium_create(sn_sched *s, double sample_rate, uint64_t seed)
{
    if (!s || !(sample_rate > 0) || !(sample_rate <= 1e9)) {
        SN_ERROR(MOD, "need a scheduler and a sample rate in (0, 1e9] (got %g)", sample_rate);
        return NULL;
    }
    sn_medium *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->s = s;
    m->fs = sample_rate;
    m->seed = seed;
    m->default_snr_db = 20.0;
    m->carrier_db = SN_MEDIUM_CARRIER_DB;
    double f = exp(-0.5 * ZIG_R * ZIG_R);
    m->zig_x[0] = ZIG_V / f; /* the base layer as a rectangle, tail included */
    m->zig_x[1] = ZIG_R;
    m->zig_x[ZIG_N] = 0.0;
    for (int i = 2; i < ZIG_N; i++) {
        m->zig_x[i] = sqrt(-2.0 * log(ZIG_V / m->zig_x[i - 1] + f));
        f = exp(-0.5 * m->zig_x[i] * m->zig_x[i]);
    }
    for (int i = 0; i < ZIG_N; i++) {
        m->zig_r[i] = m->zig_x[i + 1] / m->zig_x[i];
        m->zig_f[i] = exp(-0.5 * m->zig_x[i] * m->zig_x[i]);
        m->zig_xf[i] = (float)m->zig_x[i];
        float rf = (float)m->zig_r[i];
        if ((double)rf > m->zig_r[i])
            rf = nextafterf(rf, 0.0f);
        m->zig_rf[i] = rf;
    }
    m->zig_f[ZIG_N] = 1.0;
    return m;
}

/* Uniform in (0, 1] from the top 53 bits of a draw. */
static double unit_open0(uint64_t bits) { return (double)((bits >> 11) + 1) * 0x1p-53; }

/* The rest of a ziggurat trial (layer i, u in [-1, 1)) that fell outside
 * its layer's core: the tail, or the wedge test. 1 and *v set if the trial
 * is accepted, 0 if rejected (the caller starts a new one). */
static int zig_slow(const sn_medium *m, sn_rng *r, int i, double u, double *v)
{
    if (i == 0) {
        /* the tail beyond R (Marsaglia's method) */
        double x, y;
        do {
            x = log(unit_open0(sn_rng_u64(r))) / ZIG_R;
            y = log(unit_open0(sn_rng_u64(r)));
        } while (-2.0 * y < x * x);
        *v = u < 0 ? x - ZIG_R : ZIG_R - x;
        return 1;
    }
    /* the wedge between the core and the curve */
    double x = u * m->zig_x[i];
    *v = x;
    return m->zig_f[i + 1] + sn_rng_uniform(r) * (m->zig_f[i] - m->zig_f[i + 1]) <
           exp(-0.5 * x * x);
}

/* One N(0, 1) value from full 53-bit trials (after a rejection). */
static double zig_gauss(const sn_medium *m, sn_rng *r)
{
    for (;;) {
        uint64_t bits = sn_rng_u64(r);
        int i = (int)(bits & (ZIG_N - 1));           /* low 7 bits: the layer */
        double u = 2.0 * (double)(bits >> 11) * 0x1p-53 - 1.0; /* top 53: [-1, 1) */
        if (fabs(u) < m->zig_r[i])
            return u * m->zig_x[i]; /* inside the layer's core: ~99% */
        double v;
        if (zig_slow(m, r, i, u, &v))
            return v;
    }
}

/* out[2k], out[2k+1] = sigma * two N(0, 1) values, for k in [0, n): the
 * I and Q noise of n samples, from one 64-bit draw per sample -- each
 * 32-bit half is a ziggurat trial of its own (low 7 bits the layer, top 24
 * a uniform in [-1, 1), as fine as a float sample needs). A trial outside
 * its core (~1 %) goes on in double (zig_slow), drawing more from the same
 * stream, so the noise of a sample never depends on how the stream is cut
 * into blocks. sigma * |value| < 1e16 [full scale]: no overflow. */
static void noise_fill(const sn_medium *m, sn_rng *r, float sigma, float *out, size_t n)
{
    const float *xf = m->zig_xf, *rf = m->zig_rf;
    for (size_t k = 0; k < n; k++) {
        uint64_t bits = sn_rng_u64(r);
        for (int h = 0; h < 2; h++, bits >>= 32) {
            uint32_t w = (uint32_t)bits;
            int i = (int)(w & (ZIG_N - 1));
            /* (w >> 8) - 2^23 is exact in float: u in [-1, 1) */
            float u = (float)((int32_t)(w >> 8) - 0x800000) * 0x1p-23f;
            float g;
            double v;
            if (fabsf(u) < rf[i])
                g = u * xf[i];
            else if (zig_slow(m, r, i, (double)u, &v))
                g = (float)v;
            else
                g = (float)zig_gauss(m, r);
            out[2 * k + (size_t)h] = g * sigma;
        }
    }
}

static void free_burst_list(medium_burst *b)
{
    while (b) {
        medium_burst *next = b->next;
        free(b->iq);
        free(b);
        b = next;
    }
}

void sn_medium_destroy(sn_medium *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nports; i++) {
        if (m->ports[i]->timer)
            sn_sched_cancel(m->s, m->ports[i]->timer);
        free(m->ports[i]);
    }
    free_burst_list(m->flight);
    free_burst_list(m->free);
    free(m->ports);
    free(m->links);
    free(m->rxbuf);
    free(m);
}

static medium_link *link_at(const sn_medium *m, int from, int to)
{
    return &m->links[(size_t)from * m->portcap + (size_t)to];
}

/* The direct path: no delay, one tap of 1. */
static const sn_cf32 direct_tap[1] = {1.0f};

static const sn_cf32 *link_fir(const medium_link *l, size_t *n, uint64_t *delay, double *energy)
{
    if (!l->chan_set) {
        *n = 1;
        *delay = 0;
        if (energy)
            *energy = 1.0;
        return direct_tap;
    }
    *n = l->neff;
    *delay = l->delay_int;
    if (energy)
        *energy = l->eff_energy;
    return l->eff;
}

static double link_snr(const sn_medium *m, const medium_link *l)
{
    return l->set ? l->snr_db : m->default_snr_db;
}

int sn_medium_attach(sn_medium *m, sn_medium_rx_fn rx, void *user)
{
    if (!m)
        return SN_ERR_INVAL;
    if (m->nports >= 4096) /* links are nports^2: keep that sane */
        return SN_ERR_RANGE;
    if (m->nports == m->portcap) {
        size_t cap = m->portcap ? 2 * m->portcap : 4;
        medium_port **pa = realloc(m->ports, cap * sizeof *pa);
        if (!pa)
            return SN_ERR_NOMEM;
        m->ports = pa;
        medium_link *l = calloc(cap * cap, sizeof *l);
        if (!l)
            return SN_ERR_NOMEM;
        for (size_t f = 0; f < m->nports; f++)
            for (size_t t = 0; t < m->nports; t++)
                l[f * cap + t] = m->links[f * m->portcap + t];
        free(m->links);
        m->links = l;
        m->portcap = cap;
    }
    medium_port *p = calloc(1, sizeof *p);
    if (!p)
        return SN_ERR_NOMEM;
    int port = (int)m->nports++;
    m->ports[port] = p;
    p->m = m;
    p->idx = port;
    p->rx = rx;
    p->user = user;
    p->attached = 1;
    p->noise = pow(10.0, SN_MEDIUM_NOISE_DB / 10.0);
    sn_rng_seed_stream(&p->rng, m->seed, (uint64_t)port);
    return port;
}

int sn_medium_detach(sn_medium *m, int port)
{
    if (!m || port < 0 || (size_t)port >= m->nports)
        return SN_ERR_INVAL;
    medium_port *p = m->ports[port];
    if (p->timer)
        sn_sched_cancel(m->s, p->timer);
    p->timer = 0;
    p->rx = NULL;
    p->user = NULL;
    p->attached = 0;
    p->open = 0;
    return SN_OK;
}

void sn_medium_set_default_snr(sn_medium *m, double snr_db)
{
    if (m && isfinite(snr_db))
        m->default_snr_db = snr_db;
}

static int bad_pair(const sn_medium *m, int from, int to)
{
    return !m || from < 0 || to < 0 || (size_t)from >= m->nports || (size_t)to >= m->nports ||
           from == to;
}

int sn_medium_set_link(sn_medium *m, int from, int to, double snr_db, double cfo_hz)
{
    if (bad_pair(m, from, to) || !isfinite(snr_db) || !isfinite(cfo_hz))
        return SN_ERR_INVAL;
    medium_link *l = link_at(m, from, to);
    l->snr_db = snr_db;
    l->cfo_hz = cfo_hz;
    l->set = 1;
    return SN_OK;
}

int sn_medium_set_channel(sn_medium *m, int from, int to, double delay_samples,
                          const sn_cf32 *taps, size_t ntaps)
{
    if (bad_pair(m, from, to) || !(delay_samples >= 0.0) ||
        !(delay_samples <= SN_MEDIUM_MAX_DELAY) || ntaps > SN_MEDIUM_MAX_TAPS ||
        (ntaps > 0 && !taps))
        return SN_ERR_INVAL;
    for (size_t i = 0; i < ntaps; i++)
        if (!isfinite(crealf(taps[i])) || !isfinite(cimagf(taps[i])))
            return SN_ERR_INVAL;
    if (!taps || ntaps == 0) {
        taps = direct_tap;
        ntaps = 1;
    }
    medium_link *l = link_at(m, from, to);
    double whole = floor(delay_samples);
    double f = delay_samples - whole; /* [0, 1) */
    l->delay_int = (uint64_t)whole;
    /* linear interpolation x(k - f) ~ (1 - f) x[k] + f x[k - 1], then taps */
    double interp[2] = {1.0 - f, f};
    size_t ni = f > 0.0 ? 2 : 1;
    l->neff = ntaps + ni - 1;
    l->eff_energy = 0.0;
    for (size_t k = 0; k < l->neff; k++) {
        double complex acc = 0.0;
        for (size_t i = 0; i < ni; i++)
            if (k >= i && k - i < ntaps)
                acc += interp[i] * (double complex)taps[k - i];
        l->eff[k] = (sn_cf32)acc;
        l->eff_energy += creal(acc) * creal(acc) + cimag(acc) * cimag(acc);
    }
    l->chan_set = 1;
    return SN_OK;
}

int sn_medium_set_noise(sn_medium *m, int port, double noise_db)
{
    if (!m || port < 0 || (size_t)port >= m->nports || !isfinite(noise_db) ||
        noise_db > 300.0 || noise_db < -300.0)
        return SN_ERR_INVAL;
    m->ports[port]->noise = pow(10.0, noise_db / 10.0);
    return SN_OK;
}

void sn_medium_set_carrier_threshold(sn_medium *m, double db_above_noise)
{
    if (m && db_above_noise > 0.0 && isfinite(db_above_noise))
        m->carrier_db = db_above_noise;
}

void sn_medium_set_tap(sn_medium *m, sn_medium_tap_fn fn, void *user)
{
    if (!m)
        return;
    m->tap = fn;
    m->tap_user = user;
}

double sn_medium_sample_rate(const sn_medium *m) { return m ? m->fs : 0.0; }

sn_time_t sn_medium_now(const sn_medium *m) { return m ? sn_sched_now(m->s) : 0; }

sn_time_t sn_medium_airtime(const sn_medium *m, size_t n)
{
    if (!m)
        return 0;
    return (sn_time_t)llround((double)n * 1e9 / m->fs);
}

uint64_t sn_medium_sample_index(const sn_medium *m, sn_time_t t)
{
    if (!m || t <= 0)
        return 0;
    return (uint64_t)llround((double)t * m->fs / 1e9);
}

/* Time of sample k. [ns] */
static sn_time_t sample_time(const sn_medium *m, uint64_t k)
{
    return (sn_time_t)llround((double)k * 1e9 / m->fs);
}

/* Where burst b is at port `to`: [*a0, *a1) on the sample clock. */
static void arrival(const sn_medium *m, const medium_burst *b, int to, uint64_t *a0,
                    uint64_t *a1)
{
    size_t neff;
    uint64_t d;
    link_fir(link_at(m, b->from, to), &neff, &d, NULL);
    *a0 = b->k0 + d;
    *a1 = *a0 + b->n + neff - 1;
}

/* double -> float, saturating: converting a value beyond float's range is
 * undefined behaviour (absurd SNRs or sample values could get there). */
static float sat_f32(double v)
{
    if (v > FLT_MAX)
        return FLT_MAX;
    if (v < -FLT_MAX)
        return -FLT_MAX;
    return (float)v;
}

/* Does burst b belong to port r's stream at all? */
static int heard_by(const medium_burst *b, int r) { return b->from != r; }

static void port_flush(void *user, sn_time_t now);

/* Recompute port r's segment and (re)arm its timer. Idempotent. */
static void port_update(sn_medium *m, int r)
{
    medium_port *p = m->ports[r];
    if (!p->attached)
        return;
    uint64_t floor_k = p->any ? p->done : 0; /* nothing before this is ever delivered again */
    if (!p->open) {
        /* the earliest burst still to come opens a segment */
        int found = 0;
        uint64_t first = 0, first_end = 0;
        for (const medium_burst *b = m->flight; b; b = b->next) {
            if (!heard_by(b, r))
                continue;
            uint64_t a0, a1;
            arrival(m, b, r, &a0, &a1);
            if (a1 <= floor_k || (p->any && a1 <= p->done))
                continue;
            if (!found || a0 < first) {
                first = a0;
                first_end = a1;
                found = 1;
            }
        }
        if (!found)
            return;
        p->open = 1;
        p->started = 0;
        uint64_t s = first >= SN_MEDIUM_GUARD ? first - SN_MEDIUM_GUARD : 0;
        p->seg_start = s > floor_k ? s : floor_k;
        p->seg_end = first_end + SN_MEDIUM_GUARD;
    }
    /* grow it by every burst that overlaps it (guards included), until
     * nothing changes: one burst may bridge to another */
    for (int changed = 1; changed;) {
        changed = 0;
        for (const medium_burst *b = m->flight; b; b = b->next) {
            if (!heard_by(b, r))
                continue;
            uint64_t a0, a1;
            arrival(m, b, r, &a0, &a1);
            if (a1 <= floor_k || a0 >= p->seg_end || a1 + SN_MEDIUM_GUARD <= p->seg_start)
                continue;
            if (a1 + SN_MEDIUM_GUARD > p->seg_end) {
                p->seg_end = a1 + SN_MEDIUM_GUARD;
                changed = 1;
            }
            if (!p->started) {
                uint64_t s = a0 >= SN_MEDIUM_GUARD ? a0 - SN_MEDIUM_GUARD : 0;
                if (s < floor_k)
                    s = floor_k;
                if (s < p->seg_start) {
                    p->seg_start = s;
                    changed = 1;
                }
            }
        }
    }
    /* next flush point: a burst's end or our own burst's end inside the
     * segment (so a frame is decoded as soon as it has arrived), or the end */
    uint64_t pos = p->started ? p->done : p->seg_start;
    uint64_t f = p->seg_end;
    for (const medium_burst *b = m->flight; b; b = b->next) {
        uint64_t e;
        if (b->from == r) {
            e = b->k0 + b->n;
        } else {
            uint64_t a0;
            arrival(m, b, r, &a0, &e);
        }
        if (e > pos && e < f)
            f = e;
    }
    if (p->timer && p->flush_at == f)
        return;
    if (p->timer)
        sn_sched_cancel(m->s, p->timer);
    p->flush_at = f;
    sn_time_t when = sample_time(m, f);
    sn_time_t now = sn_sched_now(m->s);
    if (when < now)
        when = now;
    p->timer = sn_sched_at(m->s, when, port_flush, p);
    if (!p->timer)
        SN_ERROR(MOD, "port %d: out of memory for a delivery event: samples lost", r);
}

/* Free bursts no port needs any more. */
static void collect(sn_medium *m)
{
    uint64_t k = sn_medium_sample_index(m, sn_sched_now(m->s));
    medium_burst **pp = &m->flight;
    while (*pp) {
        medium_burst *b = *pp;
        if (b->end_max < k) {
            *pp = b->next;
            b->next = m->free;
            m->free = b;
        } else {
            pp = &b->next;
        }
    }
}

/* Amplitude gain of burst b at port r over link l: its power brought to
 * the link's SNR above r's noise floor. */
static double burst_gain(const sn_medium *m, const medium_link *l, const medium_burst *b, int r)
{
    return sqrt(pow(10.0, link_snr(m, l) / 10.0) * m->ports[r]->noise / b->p);
}

/* Add burst b as heard at port r over [lo, hi) into out[] (out[0] is
 * sample `base`), in double: for absurd gains, where float products could
 * overflow (inf - inf would make NaN where the saturated sum is wanted). */
static void add_burst_exact(const sn_medium *m, const medium_burst *b, int r, uint64_t lo,
                      uint64_t hi, uint64_t base, uint64_t a0, sn_cf32 *out)
{
    const medium_link *l = link_at(m, b->from, r);
    size_t neff;
    uint64_t d;
    const sn_cf32 *h = link_fir(l, &neff, &d, NULL);
    double g = burst_gain(m, l, b, r);
    double cfo = l->set ? l->cfo_hz : 0.0;
    /* rotation phasor (rc, rs) = g exp(j w k), advanced by (sc, ss) */
    double rc = g, rs = 0.0, sc = 1.0, ss = 0.0;
    if (cfo != 0.0) {
        /* phase tied to the sample clock, so it is continuous in time */
        double w = 2.0 * M_PI * cfo / m->fs; /* [rad/sample] */
        double ph = fmod(w * (double)lo, 2.0 * M_PI);
        rc = g * cos(ph);
        rs = g * sin(ph);
        sc = cos(w);
        ss = sin(w);
    }
    float hr[NEFF_MAX], hi_[NEFF_MAX];
    for (size_t i = 0; i < neff; i++) {
        hr[i] = crealf(h[i]);
        hi_[i] = cimagf(h[i]);
    }
    const float *x = (const float *)b->iq; /* re, im pairs (C11 6.2.5) */
    float *y = (float *)(out + (lo - base));
    size_t j = (size_t)(lo - a0); /* index into the filtered burst */
    for (uint64_t k = lo; k < hi; k++, j++, y += 2) {
        float ar, ai;
        if (neff == 1) {
            ar = x[2 * j];
            ai = x[2 * j + 1];
        } else {
            ar = ai = 0.0f;
            for (size_t i = 0; i < neff; i++) {
                if (j < i || j - i >= b->n)
                    continue;
                float xr = x[2 * (j - i)], xi = x[2 * (j - i) + 1];
                ar += hr[i] * xr - hi_[i] * xi;
                ai += hr[i] * xi + hi_[i] * xr;
            }
        }
        y[0] = sat_f32((double)y[0] + (double)ar * rc - (double)ai * rs);
        y[1] = sat_f32((double)y[1] + (double)ar * rs + (double)ai * rc);
        if (cfo != 0.0) {
            double t = rc * sc - rs * ss;
            rs = rc * ss + rs * sc;
            rc = t;
            if (((k - lo) & 1023) == 1023) {
                /* keep |phasor| = g against rounding drift */
                double a = g / sqrt(rc * rc + rs * rs);
                rc *= a;
                rs *= a;
            }
        }
    }
}

/* Block kernels of add_burst, called with n = a constant where they can
 * be: GCC -O2 vectorises a loop only when its count needs no scalar rest. */

/* y[i] += h x[i] for n complex samples, h = hr + j hi. */
static inline void blk_fir(float *restrict y, const float *restrict x, float hr, float hi, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        y[2 * i] += hr * x[2 * i] - hi * x[2 * i + 1];
        y[2 * i + 1] += hr * x[2 * i + 1] + hi * x[2 * i];
    }
}

/* y[i] += x[i] (cr[i] + j ci[i]) for n complex samples. */
static inline void blk_add_rot(float *restrict y, const float *restrict x,
                               const float *restrict cr, const float *restrict ci, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float ar = x[2 * i], ai = x[2 * i + 1];
        y[2 * i] += ar * cr[i] - ai * ci[i];
        y[2 * i + 1] += ar * ci[i] + ai * cr[i];
    }
}

/* y[i] += g x[i] for n floats. */
static inline void blk_add_gain(float *restrict y, const float *restrict x, float g, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] += g * x[i];
}

/* Samples per block of add_burst: the CFO phasor is computed exactly (in
 * double) at the start of every block and stepped from a table inside it,
 * so its error never accumulates beyond a block. [samples] */
#define ROT_BLK 64

/* Add burst b as heard at port r over [lo, hi) into out[] (out[0] is
 * sample `base`; a0 the burst's first sample at r). In float, block by
 * block, with no per-sample branches, so GCC vectorises the loops: this is
 * the medium's inner loop with the noise. Real arithmetic throughout: C's
 * complex multiply checks for NaN on every product. */
static void add_burst(const sn_medium *m, const medium_burst *b, int r, uint64_t lo,
                      uint64_t hi, uint64_t base, uint64_t a0, sn_cf32 *out)
{
    const medium_link *l = link_at(m, b->from, r);
    size_t neff;
    uint64_t d;
    const sn_cf32 *h = link_fir(l, &neff, &d, NULL);
    double g = burst_gain(m, l, b, r);
    float hr[NEFF_MAX], hi_[NEFF_MAX];
    double hsum = 0.0;
    for (size_t i = 0; i < neff; i++) {
        hr[i] = crealf(h[i]);
        hi_[i] = cimagf(h[i]);
        hsum += fabs((double)hr[i]) + fabs((double)hi_[i]);
    }
    /* Float is enough unless the gain is absurd. Below this bound every
     * product and FIR sum is under 2e29 in magnitude, far below half a
     * float ulp at FLT_MAX (1e31): adding it to a sample in
     * [-FLT_MAX, FLT_MAX] (noise, other bursts, or one saturated by
     * add_burst_exact) cannot overflow, so no clamp is needed, and no NaN
     * arises (amax is NaN for a burst with one). */
    if (!(g < 1e29 && g * b->amax * hsum < 1e29)) {
        add_burst_exact(m, b, r, lo, hi, base, a0, out);
        return;
    }
    double cfo = l->set ? l->cfo_hz : 0.0;
    double w = 2.0 * M_PI * cfo / m->fs; /* [rad/sample] */
    /* tr + j ti = exp(j w i), i in [0, ROT_BLK) */
    float tr[ROT_BLK], ti[ROT_BLK];
    /* pc + j ps = exp(j w k) at the block's first sample k, stepped by
     * bc + j bs = exp(j w ROT_BLK) in double: ~1e-16 rad of drift per
     * block, nothing even over a burst of millions of samples */
    double pc = 1.0, ps = 0.0, bc = 1.0, bs = 0.0;
    if (cfo != 0.0) {
        /* phase tied to the sample clock, so it is continuous in time */
        double ph = fmod(w * (double)lo, 2.0 * M_PI);
        pc = cos(ph);
        ps = sin(ph);
        bc = cos(w * ROT_BLK);
        bs = sin(w * ROT_BLK);
        double c = cos(w), sn = sin(w), pr = 1.0, pi = 0.0;
        for (size_t i = 0; i < ROT_BLK; i++) {
            tr[i] = (float)pr;
            ti[i] = (float)pi;
            double t = pr * c - pi * sn;
            pi = pr * sn + pi * c;
            pr = t;
        }
    }
    const float gf = (float)g;
    const float *x = (const float *)b->iq; /* re, im pairs (C11 6.2.5) */
    size_t j = (size_t)(lo - a0); /* index into the filtered burst */
    float fb[2 * ROT_BLK], cr[ROT_BLK], ci[ROT_BLK];
    for (uint64_t k = lo; k < hi;) {
        size_t nb = hi - k < ROT_BLK ? (size_t)(hi - k) : ROT_BLK;
        const float *src;
        if (neff == 1) {
            src = x + 2 * j; /* j + nb <= n: the block lies in the burst */
        } else {
            /* the FIR, tap by tap over the samples where it has input */
            memset(fb, 0, sizeof fb);
            for (size_t i = 0; i < neff; i++) {
                if (j + nb <= i || b->n + i <= j)
                    continue;
                size_t m0 = i > j ? i - j : 0;
                size_t m1 = b->n + i - j < nb ? b->n + i - j : nb;
                const float *xx = x + 2 * (j + m0 - i);
                if (m0 == 0 && m1 == ROT_BLK)
                    blk_fir(fb, xx, hr[i], hi_[i], ROT_BLK);
                else
                    blk_fir(fb + 2 * m0, xx, hr[i], hi_[i], m1 - m0);
            }
            src = fb;
        }
        float *y = (float *)(out + (k - base));
        if (cfo != 0.0) {
            float pr = (float)(g * pc), pi = (float)(g * ps);
            double t = pc * bc - ps * bs; /* on to the next block */
            ps = pc * bs + ps * bc;
            pc = t;
            for (size_t i = 0; i < ROT_BLK; i++) {
                cr[i] = pr * tr[i] - pi * ti[i];
                ci[i] = pr * ti[i] + pi * tr[i];
            }
            if (nb == ROT_BLK)
                blk_add_rot(y, src, cr, ci, ROT_BLK);
            else
                blk_add_rot(y, src, cr, ci, nb);
        } else {
            if (nb == ROT_BLK)
                blk_add_gain(y, src, gf, 2 * ROT_BLK);
            else
                blk_add_gain(y, src, gf, 2 * nb);
        }
        k += nb;
        j += nb;
    }
}

/* Timer of a port: hand over [pos, flush_at). */
static void port_flush(void *user, sn_time_t now)
{
    medium_port *p = user;
    sn_medium *m = p->m;
    int r = p->idx;
    p->timer = 0;
    if (!p->open)
        return;
    uint64_t lo = p->started ? p->done : p->seg_start;
    uint64_t hi = p->flush_at;
    size_t n = hi > lo ? (size_t)(hi - lo) : 0;
    if (n > m->rxcap) {
        sn_cf32 *nb = realloc(m->rxbuf, n * sizeof *nb);
        if (!nb) {
            SN_ERROR(MOD, "port %d: out of memory: %zu samples not delivered", r, n);
            n = 0;
        } else {
            m->rxbuf = nb;
            m->rxcap = n;
        }
    }
    sn_medium_rx rx;
    memset(&rx, 0, sizeof rx);
    rx.from_port = -1;
    rx.snr_db = NAN;
    if (n > 0) {
        sn_cf32 *x = m->rxbuf;
        /* complex noise of power N: sigma per component; the bursts are
         * added on top (saturating) */
        noise_fill(m, &p->rng, (float)sqrt(p->noise / 2.0), (float *)x, n);
        double loudest = -INFINITY;
        for (const medium_burst *b = m->flight; b; b = b->next) {
            if (!heard_by(b, r))
                continue;
            uint64_t a0, a1;
            arrival(m, b, r, &a0, &a1);
            uint64_t s = a0 > lo ? a0 : lo, e = a1 < hi ? a1 : hi;
            if (s >= e)
                continue;
            add_burst(m, b, r, s, e, lo, a0, x);
            double snr = link_snr(m, link_at(m, b->from, r));
            if (snr > loudest) {
                loudest = snr;
                rx.from_port = b->from;
                rx.snr_db = snr;
            }
        }
        /* half-duplex: nothing is heard while we transmit */
        for (const medium_burst *b = m->flight; b; b = b->next) {
            if (b->from != r)
                continue;
            uint64_t s = b->k0 > lo ? b->k0 : lo, e = b->k0 + b->n < hi ? b->k0 + b->n : hi;
            if (s < e)
                memset(x + (s - lo), 0, (size_t)(e - s) * sizeof *x);
        }
        rx.iq = x;
        rx.n = n;
        rx.sample_start = lo;
        rx.t_start = sample_time(m, lo);
        rx.gap = !p->any || lo != p->done;
    }
    /* state first: the callbacks below may transmit */
    p->any = p->any || n > 0;
    p->done = hi;
    p->started = 1;
    if (hi >= p->seg_end) {
        p->open = 0;
        p->started = 0;
    }
    if (n > 0) {
        if (m->tap)
            m->tap(m->tap_user, r, &rx);
        /* re-read: the tap may have detached it */
        if (p->rx)
            p->rx(p->user, &rx);
    }
    port_update(m, r);
    collect(m);
    (void)now;
}

int sn_medium_transmit(sn_medium *m, int port, const sn_cf32 *iq, size_t n, sn_time_t t)
{
    if (!m || port < 0 || (size_t)port >= m->nports || !iq || n == 0)
        return SN_ERR_INVAL;
    if (t < sn_sched_now(m->s))
        return SN_ERR_INVAL;
    /* also here, not only after deliveries: with nobody listening there
     * are none, and the list would only grow */
    collect(m);
    medium_burst *b = m->free;
    if (b) {
        m->free = b->next;
    } else {
        b = calloc(1, sizeof *b);
        if (!b)
            return SN_ERR_NOMEM;
    }
    if (n > b->cap) {
        sn_cf32 *nb = realloc(b->iq, n * sizeof *nb);
        if (!nb) {
            b->next = m->free;
            m->free = b;
            return SN_ERR_NOMEM;
        }
        b->iq = nb;
        b->cap = n;
    }
    memcpy(b->iq, iq, n * sizeof *iq);
    b->n = n;
    b->from = port;
    b->k0 = sn_medium_sample_index(m, t);
    double pw = 0.0;
    for (size_t i = 0; i < n; i++) {
        double re = crealf(iq[i]), im = cimagf(iq[i]);
        pw += re * re + im * im;
    }
    pw /= (double)n;
    float amax = 0.0f;
    for (size_t i = 0; i < n; i++) {
        float re = fabsf(crealf(iq[i])), im = fabsf(cimagf(iq[i]));
        amax = re > amax ? re : amax;
        amax = im > amax ? im : amax;
    }
    /* pw is finite only if every sample is (NaN and inf propagate) */
    b->amax = isfinite(pw) ? (double)amax : NAN;
    /* silent or broken burst: power relative to full scale */
    b->p = pw > 0.0 && isfinite(pw) ? pw : 1.0;
    b->end_max = b->k0 + n;
    for (size_t r = 0; r < m->nports; r++) {
        if ((int)r == port)
            continue;
        uint64_t a0, a1;
        arrival(m, b, (int)r, &a0, &a1);
        if (a1 > b->end_max)
            b->end_max = a1;
    }
    /* append: bursts are summed in the order they were sent */
    b->next = NULL;
    medium_burst **pp = &m->flight;
    while (*pp)
        pp = &(*pp)->next;
    *pp = b;
    for (size_t r = 0; r < m->nports; r++)
        port_update(m, (int)r);
    return SN_OK;
}

int sn_medium_carrier(sn_medium *m, int port, sn_time_t now, double *power_db)
{
    if (!m || port < 0 || (size_t)port >= m->nports) {
        if (power_db)
            *power_db = NAN;
        return SN_ERR_INVAL;
    }
    const medium_port *p = m->ports[port];
    uint64_t k = sn_medium_sample_index(m, now);
    double sig = 0.0; /* [full scale^2] */
    for (const medium_burst *b = m->flight; b; b = b->next) {
        if (!heard_by(b, port))
            continue;
        uint64_t a0, a1;
        arrival(m, b, port, &a0, &a1);
        if (k < a0 || k >= a1)
            continue;
        const medium_link *l = link_at(m, b->from, port);
        size_t neff;
        uint64_t d;
        double energy;
        link_fir(l, &neff, &d, &energy);
        sig += pow(10.0, link_snr(m, l) / 10.0) * p->noise * energy;
    }
    double total = sig + p->noise;
    if (power_db)
        *power_db = 10.0 * log10(total);
    return 10.0 * log10(total / p->noise) >= m->carrier_db;
}
