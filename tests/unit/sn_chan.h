/* tests/unit/sn_chan.h: test channel for the OFDM modem tests: a stream of bursts with
 * impairments (AWGN at an SNR per sample, CFO, fractional delay, sample
 * clock offset, DC offset, multipath). Header-only helpers, test code. */
#ifndef SN_TEST_SN_CHAN_H
#define SN_TEST_SN_CHAN_H

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "phy/modem.h"

typedef struct chan_stream {
    sn_cf32 *x;
    size_t n, cap;
} chan_stream;

static sn_cf32 *chan_add(chan_stream *s, size_t n)
{
    if (s->n + n > s->cap) {
        size_t cap = (s->n + n) * 2 + 1024;
        sn_cf32 *x = realloc(s->x, cap * sizeof *x);
        if (!x)
            abort();
        s->x = x;
        s->cap = cap;
    }
    sn_cf32 *p = s->x + s->n;
    memset(p, 0, n * sizeof *p);
    s->n += n;
    return p;
}

static void chan_free(chan_stream *s)
{
    free(s->x);
    memset(s, 0, sizeof *s);
}

typedef struct chan_cfg {
    double snr_db;   /* [dB] per sample, relative to the burst power 0.05; > 200: no noise */
    double cfo;      /* [cycles/sample] */
    double delay;    /* [samples] fractional delay added to each burst */
    double ppm;      /* [1e-6] sample clock offset (receiver faster if > 0) */
    double dc_re, dc_im; /* [full scale] */
    int taps;        /* 0/1: none, 3: three-tap multipath */
} chan_cfg;

static double chan_sinc(double x) { return fabs(x) < 1e-12 ? 1.0 : sin(M_PI * x) / (M_PI * x); }

/* Value of burst b (n samples) at fractional time t by windowed-sinc
 * interpolation (half width 16). */
static sn_cf32 chan_interp(const sn_cf32 *b, size_t n, double t)
{
    long c = (long)floor(t);
    double re = 0, im = 0;
    for (long k = c - 15; k <= c + 16; k++) {
        if (k < 0 || k >= (long)n)
            continue;
        double u = t - (double)k;
        if (fabs(u) >= 16.0)
            continue;
        double w = chan_sinc(u) * (0.5 + 0.5 * cos(M_PI * u / 16.0));
        re += w * crealf(b[k]);
        im += w * cimagf(b[k]);
    }
    return sn_cf32_make((float)re, (float)im);
}

/* Append `lead` noise-only samples then the burst through the channel
 * (its length grows with the delay and clock offset), followed by nothing;
 * the noise is added by chan_noise over the whole stream at the end. The
 * returned value is the stream index where the burst's first sample lands
 * (fractional). */
static double chan_burst(chan_stream *s, const sn_cf32 *b, size_t n, size_t lead,
                         const chan_cfg *c, double *phase)
{
    size_t extra = 40 + (size_t)(fabs(c->ppm) * 1e-6 * (double)n) + 4;
    size_t base = s->n + lead;
    sn_cf32 *o = chan_add(s, lead + n + extra) + lead;
    double r = 1.0 + c->ppm * 1e-6; /* receiver samples per transmitter sample */
    double start = (double)base + c->delay;
    static const float tap_g[3][2] = {{0.85f, 0.0f}, {0.0f, 0.4f}, {-0.25f, 0.15f}};
    static const int tap_d[3] = {0, 3, 7};
    for (size_t i = 0; i < n + extra; i++) {
        /* receiver sample i is at transmitter time (i - delay) / r */
        double t = ((double)i - c->delay) / r;
        sn_cf32 v = 0;
        if (t > -20 && t < (double)n + 20) {
            if (c->taps == 3) {
                float vr = 0, vi = 0;
                for (int k = 0; k < 3; k++) {
                    sn_cf32 u = chan_interp(b, n, t - tap_d[k]);
                    vr += crealf(u) * tap_g[k][0] - cimagf(u) * tap_g[k][1];
                    vi += crealf(u) * tap_g[k][1] + cimagf(u) * tap_g[k][0];
                }
                v = sn_cf32_make(vr, vi);
            } else if (c->delay == 0 && c->ppm == 0) {
                v = i < n ? b[i] : 0;
            } else {
                v = chan_interp(b, n, t);
            }
        }
        double ph = *phase + 2 * M_PI * c->cfo * (double)(base + i);
        float cr = (float)cos(ph), ci = (float)sin(ph);
        o[i] = sn_cf32_make(crealf(v) * cr - cimagf(v) * ci, crealf(v) * ci + cimagf(v) * cr);
    }
    return start;
}

/* AWGN of power 0.05 / 10^(snr/10) and the DC offset over the stream. */
static void chan_noise(chan_stream *s, const chan_cfg *c, sn_rng *rng)
{
    double sd = c->snr_db > 200 ? 0 : sqrt(0.05 / pow(10.0, c->snr_db / 10.0) / 2.0);
    for (size_t i = 0; i < s->n; i++)
        s->x[i] = sn_cf32_make(crealf(s->x[i]) + (float)(sd * sn_rng_gauss(rng) + c->dc_re),
                               cimagf(s->x[i]) + (float)(sd * sn_rng_gauss(rng) + c->dc_im));
}

#endif
