/* phy/medium: noise power matches the configured SNR, delivery time is
 * t + airtime, guard samples, CFO, determinism per seed, detach. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/sched.h"
#include "phy/medium.h"
#include "sn_test.h"

#define FS 1e6 /* [S/s] */

typedef struct capture {
    sn_cf32 *iq;
    size_t n;
    sn_time_t now, t_start;
    uint64_t sample_start;
    int from, count, tapped_first;
    double snr_db;
    sn_sched *s;
} capture;

static void on_rx(void *user, const sn_medium_rx *rx)
{
    capture *c = user;
    free(c->iq);
    c->iq = malloc(rx->n * sizeof *rx->iq);
    if (c->iq)
        memcpy(c->iq, rx->iq, rx->n * sizeof *rx->iq);
    c->n = rx->n;
    c->now = sn_sched_now(c->s);
    c->t_start = rx->t_start;
    c->sample_start = rx->sample_start;
    c->from = rx->from_port;
    c->snr_db = rx->snr_db;
    c->count++;
}

static int tap_calls, tap_to;
static void on_tap(void *user, int to_port, const sn_medium_rx *rx)
{
    capture *c = user; /* the receiver's capture: must not have run yet */
    tap_calls++;
    tap_to = to_port;
    c->tapped_first = (c->count == 0);
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

    CHECK_EQ_INT(a.count, 0); /* the sender does not hear itself */
    CHECK_EQ_INT(b.count, 1);
    CHECK_EQ_INT(tap_calls, 1);
    CHECK_EQ_INT(tap_to, pb);
    CHECK(b.tapped_first);
    CHECK_EQ_INT(b.now, t + sn_medium_airtime(m, n));
    CHECK_EQ_INT(b.n, SN_MEDIUM_GUARD + n + SN_MEDIUM_GUARD);
    CHECK_EQ_INT(b.sample_start, 5000 - SN_MEDIUM_GUARD);
    CHECK_EQ_INT(b.t_start, t - SN_MEDIUM_GUARD * 1000);
    CHECK_EQ_INT(b.from, pa);
    CHECK_NEAR(b.snr_db, 10.0, 1e-12);

    /* noise = received - sent over the burst (cfo 0, gain 1) */
    double ps = power(x, n);
    sn_cf32 *e = malloc(n * sizeof *e);
    for (size_t i = 0; i < n; i++)
        e[i] = b.iq[SN_MEDIUM_GUARD + i] - x[i];
    double pn = power(e, n);
    CHECK_NEAR(10 * log10(ps / pn), 10.0, 0.3);
    /* the guards hold noise of the same power (512 samples: looser) */
    double pg = (power(b.iq, SN_MEDIUM_GUARD) + power(b.iq + SN_MEDIUM_GUARD + n, SN_MEDIUM_GUARD)) / 2;
    CHECK_NEAR(10 * log10(ps / pg), 10.0, 1.0);
    /* real and imaginary parts carry half each */
    double pre = 0;
    for (size_t i = 0; i < n; i++)
        pre += (double)crealf(e[i]) * crealf(e[i]);
    CHECK_NEAR(pre / (double)n / pn, 0.5, 0.02);

    /* default SNR applies to the reverse link */
    sn_medium_set_default_snr(m, 30.0);
    CHECK_EQ_INT(sn_medium_transmit(m, pb, x, n, sn_sched_now(s)), SN_OK);
    sn_sched_run(s, SN_TIME_NEVER, 0);
    CHECK_EQ_INT(a.count, 1);
    for (size_t i = 0; i < n; i++)
        e[i] = a.iq[SN_MEDIUM_GUARD + i] - x[i];
    CHECK_NEAR(10 * log10(ps / power(e, n)), 30.0, 0.3);
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
    capture a = {0}, b = {0};
    a.s = b.s = s;
    int pa = sn_medium_attach(m, on_rx, &a);
    int pb = sn_medium_attach(m, on_rx, &b);
    sn_cf32 x[100];
    for (int i = 0; i < 100; i++)
        x[i] = 0.5f;
    CHECK_EQ_INT(sn_medium_transmit(m, 7, x, 100, 0), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_medium_transmit(m, pa, x, 0, 0), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_medium_set_link(m, pa, 9, 10, 0), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_medium_set_link(m, pa, pa, 10, 0), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_medium_set_link(m, pa, pb, NAN, 0), SN_ERR_INVAL);

    /* a burst at t = 0 gets a shorter leading guard: indices stay >= 0 */
    CHECK_EQ_INT(sn_medium_transmit(m, pa, x, 100, 0), SN_OK);
    sn_sched_run(s, SN_TIME_NEVER, 0);
    CHECK_EQ_INT(b.count, 1);
    CHECK_EQ_INT(b.sample_start, 0);
    CHECK_EQ_INT(b.t_start, 0);
    CHECK_EQ_INT(b.n, 100 + SN_MEDIUM_GUARD);
    CHECK_EQ_INT(b.now, 100 * 1000);

    /* in the past: refused */
    CHECK_EQ_INT(sn_medium_transmit(m, pa, x, 100, 0), SN_ERR_INVAL);

    /* detached ports hear nothing; a pending burst dies with the medium */
    CHECK_EQ_INT(sn_medium_detach(m, pb), SN_OK);
    CHECK_EQ_INT(sn_medium_detach(m, 5), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_medium_transmit(m, pa, x, 100, sn_sched_now(s)), SN_OK);
    sn_sched_run(s, SN_TIME_NEVER, 0);
    CHECK_EQ_INT(b.count, 1);
    CHECK_EQ_INT(sn_medium_transmit(m, pa, x, 100, sn_sched_now(s) + 1000), SN_OK);
    CHECK_EQ_INT(sn_sched_pending(s), 1);
    sn_medium_destroy(m);
    CHECK_EQ_INT(sn_sched_pending(s), 0);
    sn_medium_destroy(NULL);
    free(a.iq);
    free(b.iq);
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
    CHECK_EQ_INT(b.count, 1);
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
    free(a.iq);
    free(b.iq);
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
    return b.iq; /* the second delivery */
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
    TEST_RUN(test_determinism);
    TEST_DONE();
}
