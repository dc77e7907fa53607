/* phy/medium: simulated AWGN medium on the scheduler's virtual time. */
#include "phy/medium.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/rng.h"

#define MOD "medium"

typedef struct medium_port {
    sn_medium_rx_fn rx; /* NULL once detached */
    void *user;
} medium_port;

typedef struct medium_link {
    double snr_db; /* [dB] */
    double cfo_hz; /* [Hz] */
    int set;       /* snr_db set explicitly (else the default applies) */
    int seeded;    /* rng seeded */
    sn_rng rng;    /* this link's noise */
} medium_link;

/* A burst in flight between transmit and delivery. Bursts are recycled
 * through a free list with their buffers, so a warmed-up medium does not
 * allocate per burst. */
typedef struct medium_burst {
    sn_medium *m;
    int from;
    sn_cf32 *iq;
    size_t n, cap; /* [samples] */
    sn_time_t t;   /* [ns] first sample on the air */
    sn_timer_id id;
    struct medium_burst *next, *prev; /* in-flight list, or free list (next) */
} medium_burst;

struct sn_medium {
    sn_sched *s;
    double fs;   /* [S/s] */
    uint64_t seed;
    double default_snr_db;
    medium_port *ports;
    size_t nports, portcap;
    medium_link *links; /* portcap x portcap, [from * portcap + to] */
    medium_burst *flight, *free;
    sn_cf32 *rxbuf; /* [samples] delivery being built */
    size_t rxcap;
    sn_medium_tap_fn tap;
    void *tap_user;
};

sn_medium *sn_medium_create(sn_sched *s, double sample_rate, uint64_t seed)
{
    if (!s || !(sample_rate > 0) || !isfinite(sample_rate)) {
        SN_ERROR(MOD, "need a scheduler and a sample rate > 0 (got %g)", sample_rate);
        return NULL;
    }
    sn_medium *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->s = s;
    m->fs = sample_rate;
    m->seed = seed;
    m->default_snr_db = 20.0;
    return m;
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
    /* bursts still in flight have events that point at them */
    for (medium_burst *b = m->flight; b; b = b->next)
        sn_sched_cancel(m->s, b->id);
    free_burst_list(m->flight);
    free_burst_list(m->free);
    free(m->ports);
    free(m->links);
    free(m->rxbuf);
    free(m);
}

static medium_link *link_at(sn_medium *m, int from, int to)
{
    return &m->links[(size_t)from * m->portcap + (size_t)to];
}

int sn_medium_attach(sn_medium *m, sn_medium_rx_fn rx, void *user)
{
    if (!m)
        return SN_ERR_INVAL;
    if (m->nports >= (size_t)(INT32_MAX / 2))
        return SN_ERR_RANGE;
    if (m->nports == m->portcap) {
        size_t cap = m->portcap ? 2 * m->portcap : 4;
        medium_port *p = realloc(m->ports, cap * sizeof *p);
        if (!p)
            return SN_ERR_NOMEM;
        m->ports = p;
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
    int port = (int)m->nports++;
    m->ports[port].rx = rx;
    m->ports[port].user = user;
    return port;
}

int sn_medium_detach(sn_medium *m, int port)
{
    if (!m || port < 0 || (size_t)port >= m->nports)
        return SN_ERR_INVAL;
    m->ports[port].rx = NULL;
    m->ports[port].user = NULL;
    return SN_OK;
}

void sn_medium_set_default_snr(sn_medium *m, double snr_db)
{
    if (m && isfinite(snr_db))
        m->default_snr_db = snr_db;
}

int sn_medium_set_link(sn_medium *m, int from, int to, double snr_db, double cfo_hz)
{
    if (!m || from < 0 || to < 0 || (size_t)from >= m->nports || (size_t)to >= m->nports ||
        from == to || !isfinite(snr_db) || !isfinite(cfo_hz))
        return SN_ERR_INVAL;
    medium_link *l = link_at(m, from, to);
    l->snr_db = snr_db;
    l->cfo_hz = cfo_hz;
    l->set = 1;
    return SN_OK;
}

void sn_medium_set_tap(sn_medium *m, sn_medium_tap_fn fn, void *user)
{
    if (!m)
        return;
    m->tap = fn;
    m->tap_user = user;
}

double sn_medium_sample_rate(const sn_medium *m) { return m ? m->fs : 0.0; }

sn_time_t sn_medium_airtime(const sn_medium *m, size_t n)
{
    if (!m)
        return 0;
    return (sn_time_t)llround((double)n * 1e9 / m->fs);
}

/* Index on the sample clock of time t (t >= 0). [samples] */
static uint64_t sample_index(const sn_medium *m, sn_time_t t)
{
    return (uint64_t)llround((double)t * m->fs / 1e9);
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

static void add_noise(sn_cf32 *x, size_t n, sn_rng *r, double sigma)
{
    for (size_t i = 0; i < n; i++) {
        double re = sn_rng_gauss(r) * sigma;
        double im = sn_rng_gauss(r) * sigma;
        x[i] += sn_cf32_make(sat_f32(re), sat_f32(im));
    }
}

static void deliver(void *user, sn_time_t now)
{
    medium_burst *b = user;
    sn_medium *m = b->m;

    /* unlink from the in-flight list first: callbacks below may transmit */
    if (b->prev)
        b->prev->next = b->next;
    else
        m->flight = b->next;
    if (b->next)
        b->next->prev = b->prev;
    b->next = b->prev = NULL;

    double p = 0.0; /* mean power of the burst [full scale^2] */
    for (size_t i = 0; i < b->n; i++) {
        double re = crealf(b->iq[i]), im = cimagf(b->iq[i]);
        p += re * re + im * im;
    }
    p = b->n ? p / (double)b->n : 0.0;
    if (!(p > 0.0) || !isfinite(p))
        p = 1.0; /* silent or broken burst: noise relative to full scale */

    uint64_t idx0 = sample_index(m, b->t);
    size_t lead = idx0 < SN_MEDIUM_GUARD ? (size_t)idx0 : SN_MEDIUM_GUARD;
    size_t total = lead + b->n + SN_MEDIUM_GUARD;
    if (total > m->rxcap) {
        sn_cf32 *nb = realloc(m->rxbuf, total * sizeof *nb);
        if (!nb) {
            SN_ERROR(MOD, "out of memory: burst of %zu samples not delivered", b->n);
            goto done;
        }
        m->rxbuf = nb;
        m->rxcap = total;
    }

    for (size_t to = 0; to < m->nports; to++) {
        if ((int)to == b->from || !m->ports[to].rx)
            continue;
        medium_link *l = link_at(m, b->from, (int)to);
        if (!l->seeded) {
            sn_rng_seed_stream(&l->rng, m->seed, ((uint64_t)b->from << 32) | to);
            l->seeded = 1;
        }
        double snr = l->set ? l->snr_db : m->default_snr_db;
        double cfo = l->set ? l->cfo_hz : 0.0;
        /* complex noise of variance p / snr: sigma per component */
        double sigma = sqrt(p / pow(10.0, snr / 10.0) / 2.0);

        sn_cf32 *x = m->rxbuf;
        memset(x, 0, lead * sizeof *x);
        if (cfo == 0.0) {
            memcpy(x + lead, b->iq, b->n * sizeof *x);
        } else {
            /* phase tied to the sample clock, so it is continuous in time */
            double w = 2.0 * M_PI * cfo / m->fs; /* [rad/sample] */
            double ph = fmod(w * (double)idx0, 2.0 * M_PI);
            for (size_t i = 0; i < b->n; i++) {
                double c = cos(ph), s = sin(ph);
                double re = crealf(b->iq[i]), im = cimagf(b->iq[i]);
                x[lead + i] = sn_cf32_make(sat_f32(re * c - im * s), sat_f32(re * s + im * c));
                ph += w;
                if (ph > M_PI)
                    ph -= 2.0 * M_PI;
                else if (ph < -M_PI)
                    ph += 2.0 * M_PI;
            }
        }
        memset(x + lead + b->n, 0, SN_MEDIUM_GUARD * sizeof *x);
        add_noise(x, total, &l->rng, sigma);

        sn_medium_rx rx;
        rx.iq = x;
        rx.n = total;
        rx.sample_start = idx0 - lead;
        rx.t_start = (sn_time_t)llround((double)rx.sample_start * 1e9 / m->fs);
        rx.from_port = b->from;
        rx.snr_db = snr;
        if (m->tap)
            m->tap(m->tap_user, (int)to, &rx);
        /* re-read: the tap or an earlier receiver may have detached it */
        if (m->ports[to].rx)
            m->ports[to].rx(m->ports[to].user, &rx);
    }
done:
    (void)now;
    b->next = m->free;
    m->free = b;
}

int sn_medium_transmit(sn_medium *m, int port, const sn_cf32 *iq, size_t n, sn_time_t t)
{
    if (!m || port < 0 || (size_t)port >= m->nports || !iq || n == 0)
        return SN_ERR_INVAL;
    if (t < sn_sched_now(m->s))
        return SN_ERR_INVAL;
    medium_burst *b = m->free;
    if (b) {
        m->free = b->next;
    } else {
        b = calloc(1, sizeof *b);
        if (!b)
            return SN_ERR_NOMEM;
        b->m = m;
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
    b->t = t;
    b->id = sn_sched_at(m->s, t + sn_medium_airtime(m, n), deliver, b);
    if (!b->id) {
        b->next = m->free;
        m->free = b;
        return SN_ERR_NOMEM;
    }
    b->prev = NULL;
    b->next = m->flight;
    if (m->flight)
        m->flight->prev = b;
    m->flight = b;
    return SN_OK;
}
