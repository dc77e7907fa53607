/* phy/medium: noise power matches the configured SNR, delivery time is the
 * burst's arrival end, segments and guards, CFO, delay, multipath, bursts
 * adding up at a receiver, half-duplex blanking, carrier sense, determinism
 * per seed, detach. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/rng.h"
#include "core/sched.h"
#include "phy/medium.h"
#include "sn_test.h"

#define FS 1e6 /* [S/s] */
#define MAXB 16

/* What a port received: the samples of its LAST segment (blocks appended
 * while they follow each other), plus counts. */
typedef struct capture {
    sn_cf32 *iq;
    size_t n, cap;
    uint64_t sample_start; /* of iq[0] */
    sn_time_t t_start;
    int segments, blocks, tapped_first;
    sn_time_t first_now;   /* delivery time of the segment's first block */
    size_t first_n;        /* its length */
    int from;              /* loudest sender of the segment */
    double snr_db;
    sn_sched *s;
} capture;

static void on_rx(void *user, const sn_medium_rx *rx)
{
    capture *c = user;
    c->blocks++;
    if (rx->gap || c->segments == 0 || rx->sample_start != c->sample_start + c->n) {
        CHECK(rx->gap); /* anything not following must be flagged */
        c->segments++;
        c->n = 0;
        c->sample_start = rx->sample_start;
        c->t_start = rx->t_start;
        c->first_now = sn_sched_now(c->s);
        c->first_n = rx->n;
        c->from = -1;
        c->snr_db = NAN;
    }
    if (rx->from_port >= 0 && (c->from < 0 || rx->snr_db > c->snr_db)) {
        c->from = rx->from_port;
        c->snr_db = rx->snr_db;
    }
    if (c->n + rx->n > c->cap) {
        size_t cap = 2 * (c->n + rx->n);
        sn_cf32 *p = realloc(c->iq, cap * sizeof *p);
        CHECK(p != NULL);
        if (!p)
            return;
        c->iq = p;
        c->cap = cap;
    }
    memcpy(c->iq + c->n, rx->iq, rx->n * sizeof *rx->iq);
    c->n += rx->n;
}

static int tap_calls, tap_to;
static void on_tap(void *user, int to_port, const sn_medium_rx *rx)
{
    capture *c = user; /* the receiver's capture: must not have run yet */
    if (tap_calls++ == 0)
        c->tapped_first = (c->blocks == 0);
    tap_to = to_port;
    (void)rx;
}

static sn_cf32 *make_burst(size_t n, double amp)
{
    sn_cf32 *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n && x; i++) {
        double ph = 0.001 * (double)(i * i % 10007);
        x[i] = sn_cf32_make((float)(amp * cos(ph)), (float)(amp * sin(ph)));
    }
    return x;
}

static double power(const sn_cf32 *x, size_t n)
{
    double p = 0;
    for (size_t i = 0; i < n; i++)
        p += (double)crealf(x[i]) * crealf(x[i]) + (double)cimagf(x[i]) * cimagf(x[i]);
    return p / (double)n;
}

/* Least-squares complex gain of y ~ g x. */
static double complex ls_gain(const sn_cf32 *y, const sn_cf32 *x, size_t n)
{
    double complex num = 0;
    double den = 0;
    for (size_t i = 0; i < n; i++) {
        num += (double complex)y[i] * conj((double complex)x[i]);
        den += (double)crealf(x[i]) * crealf(x[i]) + (double)cimagf(x[i]) * cimagf(x[i]);
    }
    return num / den;
}

static void test_snr_and_timing(void)
{
    sn_sched *s = sn_sched_create();
    sn_medium *m = sn_medium_create(s, FS, 42);
    CHECK(s && m);
    capture a = {0}, b = {0};
    a.s = b.s = s;
    int pa = sn_medium_attach(m, on_rx, &a);
    int pb = sn_medium_attach(m, on_rx, &b);
    CHECK_EQ_INT(pa, 0);
    CHECK_EQ_INT(pb, 1);
    CHECK_EQ_INT(sn_medium_set_link(m, pa, pb, 10.0, 0.0), SN_OK);
    sn_medium_set_tap(m, on_tap, &b);

    const size_t n = 40000;
    const double amp = 0.3;
    sn_cf32 *x = make_burst(n, amp);
    sn_time_t t = 5 * SN_NS_PER_MS;
    CHECK_EQ_INT(sn_medium_airtime(m, n), 40 * SN_NS_PER_MS); /* 40000 / 1 MS/s */
    CHECK_EQ_INT(sn_medium_transmit(m, pa, x, n, t), SN_OK);
    sn_sched_run(s, SN_TIME_NEVER, 0);

    CHECK_EQ_INT(a.blocks, 0); /* the sender does not hear itself */
    CHECK_EQ_INT(b.segments, 1);
    CHECK_EQ_INT(b.blocks, 2); /* up to the burst's end, then the trailing guard */
    CHECK_EQ_INT(tap_calls, 2);
    CHECK_EQ_INT(tap_to, pb);
    CHECK(b.tapped_first);
    /* the burst is handed over as soon as its last sample has arrived */
    CHECK_EQ_INT(b.first_now, t + sn_medium_airtime(m, n));
    CHECK_EQ_INT(b.first_n, SN_MEDIUM_GUARD + n);
    CHECK_EQ_INT(b.n, SN_MEDIUM_GUARD + n + SN_MEDIUM_GUARD);
    CHECK_EQ_INT(b.sample_start, 5000 - SN_MEDIUM_GUARD);
    CHECK_EQ_INT(b.t_start, t - SN_MEDIUM_GUARD * 1000);
    CHECK_EQ_INT(b.from, pa);
    CHECK_NEAR(b.snr_db, 10.0, 1e-12);

    /* received = g x + noise with g real (cfo 0, direct path) */
    const sn_cf32 *y = b.iq + SN_MEDIUM_GUARD;
    double complex g = ls_gain(y, x, n);
    /* the estimate scatters by sqrt(1 / (2 n SNR)) = 1.1e-3 of g here: 4.5 sigma */
    CHECK_NEAR(cimag(g), 0.0, 5e-3 * creal(g));
    double ps = power(x, n) * creal(g) * creal(g);
    sn_cf32 *e = malloc(n * sizeof *e);
    for (size_t i = 0; i < n; i++)
        e[i] = y[i] - (sn_cf32)(creal(g) * x[i]);
    double pn = power(e, n);
    CHECK_NEAR(10 * log10(ps / pn), 10.0, 0.3);
    /* the noise is the receiver's floor; the burst arrives 10 dB above it */
    CHECK_NEAR(10 * log10(pn), SN_MEDIUM_NOISE_DB, 0.3);
    CHECK_NEAR(10 * log10(ps), SN_MEDIUM_NOISE_DB + 10.0, 0.3);
    /* the guards hold the same noise (512 samples: looser) */
    double pg = (power(b.iq, SN_MEDIUM_GUARD) + power(b.iq + SN_MEDIUM_GUARD + n, SN_MEDIUM_GUARD)) / 2;
    CHECK_NEAR(10 * log10(pg), SN_MEDIUM_NOISE_DB, 1.0);
    /* real and imaginary parts carry half each */
    double pre = 0;
    for (size_t i = 0; i < n; i++)
        pre += (double)crealf(e[i]) * crealf(e[i]);
    CHECK_NEAR(pre / (double)n / pn, 0.5, 0.02);

    /* default SNR applies to the reverse link; another noise floor */
    sn_medium_set_default_snr(m, 30.0);
    CHECK_EQ_INT(sn_medium_set_noise(m, pa, -50.0), SN_OK);
    CHECK_EQ_INT(sn_medium_set_noise(m, 9, -50.0), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_medium_transmit(m, pb, x, n, sn_sched_now(s)), SN_OK);
    sn_sched_run(s, SN_TIME_NEVER, 0);
    CHECK_EQ_INT(a.segments, 1);
    y = a.iq + SN_MEDIUM_GUARD;
    g = ls_gain(y, x, n);
    for (size_t i = 0; i < n; i++)
        e[i] = y[i] - (sn_cf32)(creal(g) * x[i]);
    CHECK_NEAR(10 * log10(power(x, n) * creal(g) * creal(g) / power(e, n)), 30.0, 0.3);
    CHECK_NEAR(10 * log10(power(e, n)), -50.0, 0.3);
    CHECK_NEAR(a.snr_db, 30.0, 1e-12);

    free(e);
    free(x);
    free(a.iq);
    free(b.iq);
    sn_medium_destroy(m);
    sn_sched_destroy(s);
}

static void test_errors_and_edges(void)
{
    sn_sched *s = sn_sched_create();
    CHECK(sn_medium_create(s, 0.0, 1) == NULL);
    CHECK(sn_medium_create(NULL, FS, 1) == NULL);
    sn_medium *m = sn_medium_create(s, FS, 1);
    capture a = {0}, b = {0}, c = {0};
    a.s = b.s = c.s = s;
    int pa = sn_medium_attach(m, on_rx, &a);
    int pb = sn_medium_attach(m, on_rx, &b);
    int pc = sn_medium_attach(m, on_rx, &c);
    sn_cf32 x[100];
    for (int i = 0; i < 100; i++)
        x[i] = 0.5f;
    sn_cf32 taps[SN_MEDIUM_MAX_TAPS + 1] = {1.0f};
    CHECK_EQ_INT(sn_medium_transmit(m, 7, x, 100, 0), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_medium_transmit(m, pa, x, 0, 0), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_medium_set_link(m, pa, 9, 10, 0), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_medium_set_link(m, pa, pa, 10, 0), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_medium_set_link(m, pa, pb, NAN, 0), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_medium_set_channel(m, pa, pb, -1.0, NULL, 0), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_medium_set_channel(m, pa, pb, NAN, NULL, 0), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_medium_set_channel(m, pa, pb, 2 * SN_MEDIUM_MAX_DELAY, NULL, 0),
                 SN_ERR_INVAL);
    CHECK_EQ_INT(sn_medium_set_channel(m, pa, pb, 0, taps, SN_MEDIUM_MAX_TAPS + 1),
                 SN_ERR_INVAL);
    CHECK_EQ_INT(sn_medium_set_channel(m, pa, pb, 0, NULL, 3), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_medium_set_channel(m, pa, pa, 0, NULL, 0), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_medium_set_channel(m, pa, pb, 0, NULL, 0), SN_OK); /* direct path */
    CHECK_EQ_INT(sn_medium_carrier(m, 9, 0, NULL), SN_ERR_INVAL);

    /* a burst at t = 0 gets a shorter leading guard: indices stay >= 0 */
    CHECK_EQ_INT(sn_medium_transmit(m, pa, x, 100, 0), SN_OK);
    sn_sched_run(s, SN_TIME_NEVER, 0);
    CHECK_EQ_INT(b.segments, 1);
    CHECK_EQ_INT(b.sample_start, 0);
    CHECK_EQ_INT(b.t_start, 0);
    CHECK_EQ_INT(b.n, 100 + SN_MEDIUM_GUARD);
    CHECK_EQ_INT(b.first_now, 100 * 1000);

    /* in the past: refused */
    CHECK_EQ_INT(sn_medium_transmit(m, pa, x, 100, 0), SN_ERR_INVAL);

    /* a burst starting inside the trailing guard just delivered continues
     * the stream: no gap, a shortened leading guard */
    sn_time_t t1 = sn_sched_now(s); /* end of b's trailing guard */
    CHECK_EQ_INT(sn_medium_transmit(m, pa, x, 100, t1 + 10 * 1000), SN_OK);
    sn_sched_run(s, SN_TIME_NEVER, 0);
    CHECK_EQ_INT(b.segments, 1); /* the same, continued */
    CHECK_EQ_INT(b.n, 100 + SN_MEDIUM_GUARD + 10 + 100 + SN_MEDIUM_GUARD);

    /* detached ports hear nothing; a pending delivery dies with the medium */
    CHECK_EQ_INT(sn_medium_detach(m, pb), SN_OK);
    CHECK_EQ_INT(sn_medium_detach(m, 5), SN_ERR_INVAL);
    int blocks = b.blocks;
    CHECK_EQ_INT(sn_medium_transmit(m, pa, x, 100, sn_sched_now(s) + SN_NS_PER_MS), SN_OK);
    sn_sched_run(s, SN_TIME_NEVER, 0);
    CHECK_EQ_INT(b.blocks, blocks);
    CHECK_EQ_INT(c.segments, 2);
    CHECK_EQ_INT(sn_medium_transmit(m, pa, x, 100, sn_sched_now(s) + 1000), SN_OK);
    CHECK_EQ_INT(sn_sched_pending(s), 1); /* c's delivery */
    sn_medium_destroy(m);
    CHECK_EQ_INT(sn_sched_pending(s), 0);
    sn_medium_destroy(NULL);
    (void)pc;
    free(a.iq);
    free(b.iq);
    free(c.iq);
    sn_sched_destroy(s);
}

static void test_cfo(void)
{
    sn_sched *s = sn_sched_create();
    sn_medium *m = sn_medium_create(s, FS, 3);
    capture a = {0}, b = {0};
    a.s = b.s = s;
    int pa = sn_medium_attach(m, on_rx, &a);
    int pb = sn_medium_attach(m, on_rx, &b);
    const double cfo = 1234.0; /* [Hz] */
    CHECK_EQ_INT(sn_medium_set_link(m, pa, pb, 60.0, cfo), SN_OK);
    enum { N = 5000 };
    sn_cf32 x[N];
    for (int i = 0; i < N; i++)
        x[i] = 0.5f;
    CHECK_EQ_INT(sn_medium_transmit(m, pa, x, N, SN_NS_PER_MS), SN_OK);
    sn_sched_run(s, SN_TIME_NEVER, 0);
    CHECK_EQ_INT(b.segments, 1);
    /* mean phase step across the burst */
    double complex acc = 0;
    for (int i = 1; i < N; i++) {
        const sn_cf32 *y = b.iq + SN_MEDIUM_GUARD;
        acc += y[i] * conj(y[i - 1]);
    }
    double f = carg(acc) * FS / (2 * M_PI);
    CHECK_NEAR(f, cfo, 1.0);
    /* and the phase is tied to the sample clock: sample 1000 at t = 1 ms */
    double ph = carg(b.iq[SN_MEDIUM_GUARD]);
    double want = remainder(2 * M_PI * cfo * 1000 / FS, 2 * M_PI);
    CHECK_NEAR(remainder(ph - want, 2 * M_PI), 0.0, 0.01);
    /* and still at the end of the burst (the phasor does not drift) */
    ph = carg(b.iq[SN_MEDIUM_GUARD + N - 1]);
    want = remainder(2 * M_PI * cfo * (1000 + N - 1) / FS, 2 * M_PI);
    CHECK_NEAR(remainder(ph - want, 2 * M_PI), 0.0, 0.01);
    free(a.iq);
    free(b.iq);
    sn_medium_destroy(m);
    sn_sched_destroy(s);
}

/* Low-pass random signal (a smooth waveform for delay measurements). */
static sn_cf32 *make_smooth(size_t n, uint64_t seed)
{
    sn_cf32 *x = malloc(n * sizeof *x);
    sn_rng r;
    sn_rng_seed(&r, seed);
    double complex st = 0;
    for (size_t i = 0; i < n + 64 && x; i++) {
        double complex w = sn_rng_gauss(&r) + I * sn_rng_gauss(&r);
        st = 0.9 * st + 0.1 * w; /* one-pole low-pass */
        if (i >= 64)
            x[i - 64] = (sn_cf32)(0.5 * st);
    }
    return x;
}

static void test_delay(void)
{
    sn_sched *s = sn_sched_create();
    sn_medium *m = sn_medium_create(s, FS, 5);
    capture a = {0}, b = {0};
    a.s = b.s = s;
    int pa = sn_medium_attach(m, on_rx, &a);
    int pb = sn_medium_attach(m, on_rx, &b);
    const double delay = 10.3; /* [samples] */
    CHECK_EQ_INT(sn_medium_set_link(m, pa, pb, 50.0, 0.0), SN_OK);
    CHECK_EQ_INT(sn_medium_set_channel(m, pa, pb, delay, NULL, 0), SN_OK);
    enum { N = 4000 };
    sn_cf32 *x = make_smooth(N, 11);
    sn_time_t t = 2 * SN_NS_PER_MS;
    CHECK_EQ_INT(sn_medium_transmit(m, pa, x, N, t), SN_OK);
    sn_sched_run(s, SN_TIME_NEVER, 0);
    CHECK_EQ_INT(b.segments, 1);
    /* the burst arrives at sample 2000 + 10 (whole part), 1 sample longer */
    CHECK_EQ_INT(b.sample_start, 2010 - SN_MEDIUM_GUARD);
    CHECK_EQ_INT(b.n, SN_MEDIUM_GUARD + N + 1 + SN_MEDIUM_GUARD);
    CHECK_EQ_INT(b.first_now, t + (10 + N + 1) * 1000);
    /* cross-correlation of what arrived with what was sent, against lag on
     * the sample clock; the peak refined by a parabola */
    double best = -1, c[3] = {0};
    long best_lag = 0;
    for (long lag = 0; lag <= 20; lag++) {
        double complex acc = 0;
        for (long i = 0; i < N; i++) {
            long k = 2000 + i + lag - (long)b.sample_start; /* index into b.iq */
            if (k >= 0 && (size_t)k < b.n)
                acc += (double complex)b.iq[k] * conj((double complex)x[i]);
        }
        if (cabs(acc) > best) {
            best = cabs(acc);
            best_lag = lag;
        }
    }
    for (int j = -1; j <= 1; j++) {
        double complex acc = 0;
        for (long i = 0; i < N; i++) {
            long k = 2000 + i + best_lag + j - (long)b.sample_start;
            if (k >= 0 && (size_t)k < b.n)
                acc += (double complex)b.iq[k] * conj((double complex)x[i]);
        }
        c[j + 1] = cabs(acc);
    }
    double frac = 0.5 * (c[0] - c[2]) / (c[0] - 2 * c[1] + c[2]);
    double measured = (double)best_lag + frac;
    printf("  delay %.2f samples configured, %.3f measured\n", delay, measured);
    CHECK_NEAR(measured, delay, 0.1);
    free(x);
    free(a.iq);
    free(b.iq);
    sn_medium_destroy(m);
    sn_sched_destroy(s);
}

static void test_multipath(void)
{
    sn_sched *s = sn_sched_create();
    sn_medium *m = sn_medium_create(s, FS, 6);
    capture a = {0}, b = {0};
    a.s = b.s = s;
    int pa = sn_medium_attach(m, on_rx, &a);
    int pb = sn_medium_attach(m, on_rx, &b);
    const sn_cf32 taps[4] = {1.0f, sn_cf32_make(0.0f, 0.5f), 0.0f, -0.25f};
    CHECK_EQ_INT(sn_medium_set_link(m, pa, pb, 80.0, 0.0), SN_OK);
    CHECK_EQ_INT(sn_medium_set_channel(m, pa, pb, 3.0, taps, 4), SN_OK);
    enum { N = 32 };
    sn_cf32 x[N] = {0};
    x[0] = 1.0f;  /* impulse */
    x[20] = 0.5f; /* and a second, smaller one */
    CHECK_EQ_INT(sn_medium_transmit(m, pa, x, N, SN_NS_PER_MS), SN_OK);
    sn_sched_run(s, SN_TIME_NEVER, 0);
    CHECK_EQ_INT(b.segments, 1);
    CHECK_EQ_INT(b.n, SN_MEDIUM_GUARD + N + 3 + SN_MEDIUM_GUARD);
    CHECK_EQ_INT(b.sample_start, 1003 - SN_MEDIUM_GUARD);
    const sn_cf32 *y = b.iq + SN_MEDIUM_GUARD;
    /* output = (x * taps) scaled by the link gain; at 80 dB the noise is
     * 1e-4 of it */
    double g = crealf(y[0]);
    CHECK(g > 0);
    for (int k = 0; k < N + 3; k++) {
        double complex want = 0;
        for (int i = 0; i < 4; i++)
            if (k - i >= 0 && k - i < N)
                want += (double complex)taps[i] * (double complex)x[k - i];
        CHECK_NEAR(crealf(y[k]) / g, creal(want), 1e-3);
        CHECK_NEAR(cimagf(y[k]) / g, cimag(want), 1e-3);
    }
    free(a.iq);
    free(b.iq);
    sn_medium_destroy(m);
    sn_sched_destroy(s);
}

/* Bursts from two ports overlapping at a third add up there, in one
 * segment; the carrier is busy while either is on the air. */
static void test_overlap_and_carrier(void)
{
    sn_sched *s = sn_sched_create();
    sn_medium *m = sn_medium_create(s, FS, 9);
    capture a = {0}, b = {0}, c = {0};
    a.s = b.s = c.s = s;
    int pa = sn_medium_attach(m, on_rx, &a);
    int pb = sn_medium_attach(m, on_rx, &b);
    int pc = sn_medium_attach(m, on_rx, &c);
    CHECK_EQ_INT(sn_medium_set_link(m, pa, pc, 60.0, 0.0), SN_OK);
    CHECK_EQ_INT(sn_medium_set_link(m, pb, pc, 50.0, 0.0), SN_OK);
    enum { N = 2000 };
    sn_cf32 *x1 = make_smooth(N, 1), *x2 = make_smooth(N, 2);
    /* a: samples 1000..3000, b: 2500..4500 */
    CHECK_EQ_INT(sn_medium_transmit(m, pa, x1, N, SN_NS_PER_MS), SN_OK);
    CHECK_EQ_INT(sn_medium_transmit(m, pb, x2, N, 2500 * 1000), SN_OK);
    double pw;
    CHECK_EQ_INT(sn_medium_carrier(m, pc, 500 * 1000, &pw), 0);
    CHECK_NEAR(pw, SN_MEDIUM_NOISE_DB, 1e-9);
    CHECK_EQ_INT(sn_medium_carrier(m, pa, 500 * 1000, NULL), 0);
    sn_sched_run(s, 1500 * 1000, 0);
    CHECK_EQ_INT(sn_medium_carrier(m, pc, sn_sched_now(s), &pw), 1);
    CHECK_NEAR(pw, SN_MEDIUM_NOISE_DB + 10 * log10(1 + 1e6), 1e-6);
    /* a does not hear itself; b hears a */
    CHECK_EQ_INT(sn_medium_carrier(m, pa, sn_sched_now(s), NULL), 0);
    CHECK_EQ_INT(sn_medium_carrier(m, pb, sn_sched_now(s), NULL), 1);
    sn_sched_run(s, 2700 * 1000, 0);
    CHECK_EQ_INT(sn_medium_carrier(m, pc, sn_sched_now(s), &pw), 1);
    CHECK_NEAR(pw, SN_MEDIUM_NOISE_DB + 10 * log10(1 + 1e6 + 1e5), 1e-6);
    sn_sched_run(s, 4400 * 1000, 0);
    CHECK_EQ_INT(sn_medium_carrier(m, pc, sn_sched_now(s), &pw), 1);
    CHECK_NEAR(pw, SN_MEDIUM_NOISE_DB + 10 * log10(1 + 1e5), 1e-6);
    sn_sched_run(s, SN_TIME_NEVER, 0);
    CHECK_EQ_INT(sn_medium_carrier(m, pc, sn_sched_now(s), &pw), 0);
    /* a threshold above what b's burst makes: idle */
    sn_medium_set_carrier_threshold(m, 70.0);
    CHECK_EQ_INT(sn_medium_carrier(m, pc, sn_sched_now(s), NULL), 0);

    /* c got one segment: a's guard, both bursts, b's guard */
    CHECK_EQ_INT(c.segments, 1);
    CHECK_EQ_INT(c.sample_start, 1000 - SN_MEDIUM_GUARD);
    CHECK_EQ_INT(c.n, 4500 + SN_MEDIUM_GUARD - (1000 - SN_MEDIUM_GUARD));
    CHECK_EQ_INT(c.from, pa); /* the loudest */
    /* in the overlap the sum of both, each with its own gain */
    const sn_cf32 *y = c.iq + SN_MEDIUM_GUARD; /* sample 1000 */
    double complex g1 = ls_gain(y, x1, 1500); /* a alone: 1000..2500 */
    double complex g2 = ls_gain(y + 2000, x2 + 500, 1500); /* b alone: 3000..4500 */
    CHECK_NEAR(20 * log10(cabs(g1) / cabs(g2)), 10.0 + 10 * log10(power(x2, N) / power(x1, N)),
               0.1);
    double err = 0, ref = 0;
    for (int k = 1500; k < 2000; k++) { /* both: 2500..3000 */
        double complex want = g1 * x1[k] + g2 * x2[k - 1500];
        err += pow(cabs(y[k] - want), 2);
        ref += pow(cabs(want), 2);
    }
    CHECK(err / ref < 1e-5); /* what is left is the noise, 50+ dB down */
    /* a and b, each transmitting while the other's burst arrives, heard it
     * only while they were not transmitting themselves: zeros there */
    CHECK_EQ_INT(a.segments, 1);
    CHECK_EQ_INT(a.sample_start, 2500 - SN_MEDIUM_GUARD);
    for (int k = 0; k < 500 + SN_MEDIUM_GUARD; k++)
        CHECK(a.iq[k] == 0.0f); /* a's own burst lasts until 3000 */
    CHECK(a.iq[500 + SN_MEDIUM_GUARD] != 0.0f);
    CHECK_EQ_INT(b.segments, 1);
    CHECK_EQ_INT(b.sample_start, 1000 - SN_MEDIUM_GUARD);
    CHECK_EQ_INT(b.n, 3000 + SN_MEDIUM_GUARD - (1000 - SN_MEDIUM_GUARD));
    CHECK_EQ_INT(b.first_n, 3000 - (1000 - SN_MEDIUM_GUARD)); /* up to a's end */
    CHECK(b.iq[2500 - (1000 - SN_MEDIUM_GUARD) - 1] != 0.0f);
    for (size_t k = 2500 - (1000 - SN_MEDIUM_GUARD); k < b.n; k++)
        CHECK(b.iq[k] == 0.0f); /* b transmits from 2500 on */
    free(x1);
    free(x2);
    free(a.iq);
    free(b.iq);
    free(c.iq);
    sn_medium_destroy(m);
    sn_sched_destroy(s);
}

/* One burst through a fresh medium seeded `seed`; returns what port 1 got. */
static sn_cf32 *run_once(uint64_t seed, size_t *n)
{
    sn_sched *s = sn_sched_create();
    sn_medium *m = sn_medium_create(s, FS, seed);
    capture a = {0}, b = {0};
    a.s = b.s = s;
    sn_medium_attach(m, on_rx, &a);
    sn_medium_attach(m, on_rx, &b);
    sn_cf32 *x = make_burst(3000, 0.4);
    sn_medium_transmit(m, 0, x, 3000, 10 * SN_NS_PER_MS);
    sn_medium_transmit(m, 0, x, 3000, 20 * SN_NS_PER_MS);
    sn_sched_run(s, SN_TIME_NEVER, 0);
    free(x);
    free(a.iq);
    sn_medium_destroy(m);
    sn_sched_destroy(s);
    *n = b.n;
    return b.iq; /* the second segment */
}

static void test_determinism(void)
{
    size_t n1, n2, n3;
    sn_cf32 *r1 = run_once(7, &n1);
    sn_cf32 *r2 = run_once(7, &n2);
    sn_cf32 *r3 = run_once(8, &n3);
    CHECK(r1 && r2 && r3);
    CHECK_EQ_INT(n1, n2);
    CHECK_EQ_INT(n1, n3);
    if (r1 && r2 && r3 && n1 == n2 && n1 == n3) {
        CHECK_MEM(r1, r2, n1 * sizeof *r1);
        CHECK(memcmp(r1, r3, n1 * sizeof *r1) != 0);
    }
    free(r1);
    free(r2);
    free(r3);
}

int main(void)
{
    TEST_RUN(test_snr_and_timing);
    TEST_RUN(test_errors_and_edges);
    TEST_RUN(test_cfo);
    TEST_RUN(test_delay);
    TEST_RUN(test_multipath);
    TEST_RUN(test_overlap_and_carrier);
    TEST_RUN(test_determinism);
    TEST_DONE();
}
