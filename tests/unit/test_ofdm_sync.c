/* phy/ofdm_sync: the preamble's properties; detection, CFO, timing, SNR
 * and channel estimates on bursts of known points (no FEC involved):
 * impairments alone and together, detection at 0 dB, noise only (with and
 * without a DC offset), chunking invariance, busy(). */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "phy/ofdm.h"
#include "phy/ofdm_sync.h"
#include "sn_chan.h"
#include "sn_test.h"

#define MAXSYM 600

/* A burst of nsym symbols of random QPSK points (kept in pts). */
static size_t make_burst(sn_rng *r, size_t nsym, sn_cf32 *pts, sn_cf32 *out)
{
    sn_ofdm_preamble(out);
    const float a = 0.70710678f;
    for (size_t s = 0; s < nsym; s++) {
        for (unsigned i = 0; i < SN_OFDM_NDATA; i++) {
            uint64_t v = sn_rng_u64(r);
            pts[s * SN_OFDM_NDATA + i] = sn_cf32_make(v & 1 ? a : -a, v & 2 ? a : -a);
        }
        sn_ofdm_symbol(pts + s * SN_OFDM_NDATA, s,
                       out + SN_OFDM_PRE_LEN + s * SN_OFDM_SYM_LEN);
    }
    return SN_OFDM_PRE_LEN + nsym * SN_OFDM_SYM_LEN;
}

/* What the receiver made of a stream holding bursts of nsym symbols. */
typedef struct rx_result {
    int bursts;           /* bursts whose nsym symbols all came out */
    double err2[8];       /* per burst: mean squared error of the points */
    double err2_last[8];  /* ... of the last 10 symbols */
    sn_ofdm_burst b[8];
    uint64_t busy_at[8];  /* [samples] stream index where busy() turned 1 */
    uint64_t hash;        /* of every point delivered, bit for bit */
    sn_ofdm_sync_counters c;
} rx_result;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* Receive stream x in chunks of `chunk` samples (0: one-sample chunks up to
 * each busy change, to time busy()). pts[k] are burst k's points. */
static void receive(const sn_cf32 *x, size_t n, size_t chunk, size_t nsym,
                    sn_cf32 *const *pts, int nb, rx_result *res)
{
    memset(res, 0, sizeof *res);
    res->hash = 1469598103934665603ull;
    sn_ofdm_sync *s = sn_ofdm_sync_create();
    CHECK(s != NULL);
    if (!s)
        return;
    sn_ofdm_sym sym;
    int was_busy = 0;
    double e = 0, el = 0;
    for (size_t off = 0; off < n;) {
        size_t c = chunk ? (n - off < chunk ? n - off : chunk) : 1;
        size_t done = 0;
        for (;;) {
            int got;
            done += sn_ofdm_sync_push(s, x + off + done, c - done, &sym, &got);
            if (!was_busy && sn_ofdm_sync_busy(s) && res->bursts < 8)
                res->busy_at[res->bursts] = sn_ofdm_sync_index(s);
            was_busy = sn_ofdm_sync_busy(s);
            if (!got)
                break;
            res->hash = fnv(res->hash, sym.y, sizeof sym.y);
            res->hash = fnv(res->hash, sym.w, sizeof sym.w);
            int k = res->bursts;
            if (sym.n == 0) {
                e = el = 0;
                if (k < 8)
                    res->b[k] = *sn_ofdm_sync_burst(s);
            }
            if (k < nb && pts) {
                for (unsigned i = 0; i < SN_OFDM_NDATA; i++) {
                    sn_cf32 d = sym.y[i] - pts[k][sym.n * SN_OFDM_NDATA + i];
                    double q = (double)(crealf(d) * crealf(d) + cimagf(d) * cimagf(d));
                    e += q;
                    if (sym.n + 10 >= nsym)
                        el += q;
                }
            }
            if (sym.n + 1 == nsym) {
                if (k < 8) {
                    res->err2[k] = e / (double)(nsym * SN_OFDM_NDATA);
                    res->err2_last[k] = el / (double)((nsym < 10 ? nsym : 10) * SN_OFDM_NDATA);
                }
                res->bursts++;
                sn_ofdm_sync_end(s);
                was_busy = 0;
            }
        }
        off += c;
    }
    sn_ofdm_sync_get_counters(s, &res->c);
    sn_ofdm_sync_destroy(s);
}

static void test_preamble(void)
{
    sn_cf32 p[SN_OFDM_PRE_LEN];
    sn_ofdm_preamble(p);
    double pw = 0, peak = 0, per = 0, cp = 0;
    for (unsigned i = 0; i < SN_OFDM_PRE_LEN; i++) {
        double a = (double)(crealf(p[i]) * crealf(p[i]) + cimagf(p[i]) * cimagf(p[i]));
        pw += a;
        if (a > peak)
            peak = a;
    }
    for (unsigned i = 16; i < SN_OFDM_STF_LEN; i++)
        per += cabsf(p[i] - p[i - 16]);
    const sn_cf32 *l = p + SN_OFDM_STF_LEN;
    for (unsigned i = 0; i < SN_OFDM_LTF_CP + SN_OFDM_NFFT; i++)
        cp += cabsf(l[i] - l[i + 64]);
    CHECK_NEAR(pw / SN_OFDM_PRE_LEN, SN_OFDM_TX_POWER, 0.002);
    CHECK(peak < 1.0);
    CHECK(per < 1e-4); /* STF: period 16 */
    CHECK(cp < 1e-4);  /* LTF: CP and two copies */
    CHECK_EQ_INT(SN_OFDM_PRE_LEN, 352);
}

/* One burst per impairment set, 40 symbols; the points must come out close
 * to what was sent and the estimates right. */
static void run_case(const chan_cfg *cfg, size_t nsym, double max_err_db, uint64_t seed,
                     const char *name)
{
    sn_rng r;
    sn_rng_seed(&r, seed);
    sn_cf32 *b = malloc((SN_OFDM_PRE_LEN + nsym * SN_OFDM_SYM_LEN) * sizeof *b);
    sn_cf32 *pts = malloc(nsym * SN_OFDM_NDATA * sizeof *pts);
    if (!b || !pts)
        abort();
    size_t n = make_burst(&r, nsym, pts, b);
    chan_stream s = {0};
    double ph = 0;
    double start = chan_burst(&s, b, n, 1500 + (size_t)sn_rng_below(&r, 64), cfg, &ph);
    chan_add(&s, 500);
    chan_noise(&s, cfg, &r);
    rx_result res;
    sn_cf32 *pl[1] = {pts};
    receive(s.x, s.n, 4096, nsym, pl, 1, &res);
    double edb = 10 * log10(res.err2[0] + 1e-30), edb_last = 10 * log10(res.err2_last[0] + 1e-30);
    printf("  %-22s snr %6.2f (set %5.1f) cfo %+.6f (set %+.6f) start %9.2f (true %9.2f) "
           "err %6.1f dB, last 10 symbols %6.1f dB\n",
           name, res.b[0].snr_db, cfg->snr_db, res.b[0].cfo, cfg->cfo, res.b[0].start, start,
           edb, edb_last);
    CHECK_EQ_INT(res.bursts, 1);
    CHECK(edb < max_err_db);
    CHECK(edb_last < max_err_db);
    CHECK_NEAR(res.b[0].cfo, cfg->cfo, 2e-4);
    /* multipath moves the "start" to the channel's centre of energy */
    CHECK_NEAR(res.b[0].start, start, cfg->taps ? 3.0 : 1.0);
    if (cfg->snr_db < 50)
        CHECK_NEAR(res.b[0].snr_db, cfg->snr_db, 2.0);
    chan_free(&s);
    free(b);
    free(pts);
}

static void test_impairments(void)
{
    /* at 20 dB the points' error is near -20 + ~0.5 dB (channel estimate) */
    chan_cfg c0 = {20, 0, 0, 0, 0, 0, 0};
    run_case(&c0, 40, -18.5, 1, "awgn 20 dB");
    chan_cfg c1 = {20, 0.02, 0, 0, 0, 0, 0};
    run_case(&c1, 40, -18.5, 2, "cfo +2%");
    chan_cfg c2 = {20, -0.02, 0, 0, 0, 0, 0};
    run_case(&c2, 40, -18.5, 3, "cfo -2%");
    chan_cfg c2b = {20, 0.029, 0, 0, 0, 0, 0};
    run_case(&c2b, 40, -18.5, 33, "cfo +2.9%");
    chan_cfg c3 = {20, 0, 0.5, 0, 0, 0, 0};
    run_case(&c3, 40, -18.5, 4, "delay 0.5");
    chan_cfg c4 = {20, 0, 0.23, 20, 0, 0, 0};
    run_case(&c4, MAXSYM, -18.0, 5, "sco +20 ppm");
    chan_cfg c5 = {20, 0, 0.71, -20, 0, 0, 0};
    run_case(&c5, MAXSYM, -18.0, 6, "sco -20 ppm");
    chan_cfg c6 = {20, 0, 0, 0, 0.1, -0.07, 0};
    run_case(&c6, 40, -18.5, 7, "dc offset");
    chan_cfg c7 = {25, 0, 0, 0, 0, 0, 3};
    run_case(&c7, 40, -19.0, 8, "3-tap multipath"); /* faded subcarriers */
    chan_cfg c8 = {20, 0.015, 0.37, 20, 0.05, 0.05, 3};
    run_case(&c8, MAXSYM, -13.5, 9, "all together");
    /* (a receiver always has some noise; with none at all before the burst,
     * the DC blocker's first 64 samples would be the STF's) */
    chan_cfg c9 = {60, 0.01, 0, 0, 0, 0, 0};
    run_case(&c9, 40, -40.0, 10, "60 dB");
}

/* The SNR estimate from 0 to 30 dB: the mean over 8 bursts within 1 dB,
 * each within 2.5 dB. */
static void test_snr(void)
{
    for (int snr = 0; snr <= 30; snr += 10) {
        sn_rng r;
        sn_rng_seed(&r, 100 + (uint64_t)snr);
        chan_cfg c = {snr, 0.003, 0.2, 0, 0, 0, 0};
        chan_stream s = {0};
        sn_cf32 pts[4 * SN_OFDM_NDATA], b[SN_OFDM_PRE_LEN + 4 * SN_OFDM_SYM_LEN];
        double ph = 0;
        for (int k = 0; k < 8; k++) {
            size_t n = make_burst(&r, 4, pts, b);
            chan_burst(&s, b, n, 700, &c, &ph);
        }
        chan_add(&s, 500);
        chan_noise(&s, &c, &r);
        rx_result res;
        receive(s.x, s.n, 1000, 4, NULL, 0, &res);
        CHECK_EQ_INT(res.bursts, 8);
        double mean = 0;
        for (int k = 0; k < 8 && k < res.bursts; k++) {
            mean += res.b[k].snr_db / 8.0;
            CHECK_NEAR(res.b[k].snr_db, snr, 2.5);
            CHECK_NEAR(res.b[k].rssi_db, 10 * log10(0.05), 1.5);
        }
        printf("  snr %2d dB: mean estimate %.2f dB (%.2f %.2f %.2f %.2f)\n", snr, mean, res.b[0].snr_db, res.b[1].snr_db, res.b[2].snr_db, res.b[7].snr_db);
        CHECK_NEAR(mean, snr, 1.0);
        chan_free(&s);
    }
}

/* Detection at 0 dB per sample: of 100 bursts at least 95 synchronised
 * (the target is 90 %); and busy() turns 1 within SN_OFDM_SYNC_DETECT
 * samples of a burst's start at 10 dB. */
static void test_detect_low_snr(void)
{
    const int nb = 100;
    sn_rng r;
    sn_rng_seed(&r, 7);
    chan_cfg c = {0.0, 0.012, 0.4, 0, 0, 0, 0};
    chan_stream s = {0};
    sn_cf32 pts[3 * SN_OFDM_NDATA], b[SN_OFDM_PRE_LEN + 3 * SN_OFDM_SYM_LEN];
    double ph = 0;
    for (int k = 0; k < nb; k++) {
        size_t n = make_burst(&r, 3, pts, b);
        chan_burst(&s, b, n, 400 + (size_t)sn_rng_below(&r, 400), &c, &ph);
    }
    chan_add(&s, 500);
    chan_noise(&s, &c, &r);
    rx_result res;
    receive(s.x, s.n, 333, 3, NULL, 0, &res);
    printf("  0 dB: %d of %d bursts, %llu triggers, %llu rejected\n", res.bursts, nb,
           (unsigned long long)res.c.triggers, (unsigned long long)res.c.rejected);
    CHECK(res.bursts >= 95 && res.bursts <= nb);
    chan_free(&s);

    /* busy() latency */
    chan_cfg c10 = {10.0, 0.005, 0, 0, 0, 0, 0};
    chan_stream s2 = {0};
    double st[8];
    for (int k = 0; k < 8; k++) {
        size_t n = make_burst(&r, 3, pts, b);
        st[k] = chan_burst(&s2, b, n, 600, &c10, &ph);
    }
    chan_add(&s2, 500);
    chan_noise(&s2, &c10, &r);
    receive(s2.x, s2.n, 0, 3, NULL, 0, &res);
    CHECK_EQ_INT(res.bursts, 8);
    for (int k = 0; k < 8 && k < res.bursts; k++) {
        double lat = (double)res.busy_at[k] - st[k];
        CHECK(lat > 16 && lat <= SN_OFDM_SYNC_DETECT);
        if (k == 0)
            printf("  busy after %.0f samples of a burst at 10 dB\n", lat);
    }
    chan_free(&s2);
}

/* Noise alone (2e6 samples), then noise with a DC offset: nothing
 * synchronised, few triggers, not left busy. */
static void test_noise_only(void)
{
    for (int dc = 0; dc < 2; dc++) {
        sn_rng r;
        sn_rng_seed(&r, 11 + (uint64_t)dc);
        chan_cfg c = {0, 0, 0, 0, dc ? 0.2 : 0, dc ? -0.1 : 0, 0};
        chan_stream s = {0};
        chan_add(&s, 2000000);
        chan_noise(&s, &c, &r);
        rx_result res;
        receive(s.x, s.n, 65536, 3, NULL, 0, &res);
        printf("  noise%s: %llu triggers, %llu rejected, %d bursts\n", dc ? " + dc" : "",
               (unsigned long long)res.c.triggers, (unsigned long long)res.c.rejected,
               res.bursts);
        CHECK_EQ_INT(res.c.bursts, 0);
        CHECK(res.c.triggers < 200);
        CHECK_EQ_INT(res.c.triggers, res.c.rejected);
        chan_free(&s);
    }
}

/* Digital silence (exact zeros, as between a recording's or the simulated
 * medium's bursts) after strong bursts: it must not fire the detector (a
 * DC blocker's residue would be a constant, which is periodic), and a
 * burst after it is found; so is one right after a reset (a gap in the
 * stream) with little noise before it. */
static void test_silence_and_reset(void)
{
    sn_rng r;
    sn_rng_seed(&r, 31);
    chan_cfg c = {30, 0.001, 0, 0, 0.01, 0.005, 0};
    sn_cf32 pts[5 * SN_OFDM_NDATA], b[SN_OFDM_PRE_LEN + 5 * SN_OFDM_SYM_LEN];
    chan_stream s = {0};
    double ph = 0;
    for (int k = 0; k < 3; k++) {
        size_t n = make_burst(&r, 5, pts, b);
        chan_burst(&s, b, n, 256, &c, &ph);
        chan_add(&s, 200);
    }
    chan_noise(&s, &c, &r);
    /* silence between the bursts: zero all but 256 samples before each
     * burst and 60 after it */
    size_t burst = SN_OFDM_PRE_LEN + 5 * SN_OFDM_SYM_LEN + 40 + 200;
    chan_stream z = {0};
    for (int k = 0; k < 3; k++) {
        sn_cf32 *o = chan_add(&z, 4000);
        memcpy(o + 4000 - 256 - burst, s.x + (size_t)k * (256 + burst),
               (256 + burst) * sizeof *o);
    }
    sn_ofdm_sync *y = sn_ofdm_sync_create();
    CHECK(y != NULL);
    if (!y)
        return;
    sn_ofdm_sym sym;
    int bursts = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t off = 0; off < z.n; off += 500) {
            size_t done = 0;
            int got;
            do {
                done += sn_ofdm_sync_push(y, z.x + off + done, 500 - done, &sym, &got);
                if (got && sym.n == 4) {
                    bursts++;
                    sn_ofdm_sync_end(y);
                }
            } while (got);
        }
        sn_ofdm_sync_reset(y); /* as after a gap */
    }
    sn_ofdm_sync_counters sc;
    sn_ofdm_sync_get_counters(y, &sc);
    printf("  silence: %d bursts, %llu triggers\n", bursts, (unsigned long long)sc.triggers);
    CHECK_EQ_INT(bursts, 6);
    CHECK_EQ_INT(sc.triggers, 6);
    CHECK_EQ_INT(sn_ofdm_sync_busy(y), 0);
    sn_ofdm_sync_destroy(y);
    chan_free(&s);
    chan_free(&z);
}

/* The same stream in chunks of 1, 7, 4096 and all at once: the same points,
 * bit for bit. */
static void test_chunking(void)
{
    sn_rng r;
    sn_rng_seed(&r, 21);
    chan_cfg c = {12, -0.007, 0.3, 10, 0.01, 0, 0};
    chan_stream s = {0};
    sn_cf32 pts[20 * SN_OFDM_NDATA], b[SN_OFDM_PRE_LEN + 20 * SN_OFDM_SYM_LEN];
    double ph = 0;
    for (int k = 0; k < 3; k++) {
        size_t n = make_burst(&r, 20, pts, b);
        chan_burst(&s, b, n, k == 1 ? 0 : 500, &c, &ph); /* two back to back */
    }
    chan_add(&s, 300);
    chan_noise(&s, &c, &r);
    rx_result a, z;
    receive(s.x, s.n, s.n, 20, NULL, 0, &a);
    CHECK_EQ_INT(a.bursts, 3);
    static const size_t chunks[] = {1, 7, 4096};
    for (unsigned i = 0; i < 3; i++) {
        receive(s.x, s.n, chunks[i], 20, NULL, 0, &z);
        CHECK_EQ_INT(z.bursts, a.bursts);
        CHECK(z.hash == a.hash);
    }
    chan_free(&s);
}

int main(void)
{
    TEST_RUN(test_preamble);
    TEST_RUN(test_impairments);
    TEST_RUN(test_snr);
    TEST_RUN(test_detect_low_snr);
    TEST_RUN(test_noise_only);
    TEST_RUN(test_silence_and_reset);
    TEST_RUN(test_chunking);
    TEST_DONE();
}
