#include "apps/bench_phy.h"

#include <errno.h>
#include <liquid/liquid.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apps/plot.h"
#include "core/err.h"
#include "core/rng.h"
#include "phy/modem.h"
#include "phy/ofdm.h"

#define FRAME_LEN 1500   /* [bytes] frames of the throughput and PER runs */
#define DET_LEN 100      /* [bytes] frames of the detection run */
#define DET_RATE SN_RATE_BPSK_12
#define RX_BLOCK 4096    /* [samples] per receiver call, as a radio delivers */
#define FD_TAPS 32       /* fractional-delay filter length [taps] */
#define CFO_MAX 0.01     /* [cycles/sample] carrier offset: uniform +-1 % of fs */
#define GAP_MIN 200      /* [samples] noise before each burst of the PER runs */
#define GAP_MAX 1200
#define BUSY_SNR_DB 30.0 /* [dB] SNR of the throughput runs' frames */
#define BUSY_CFO 0.002   /* [cycles/sample] their largest carrier offset */
#define IDLE_SIGMA 0.01  /* noise per component on idle input (-37 dBFS) */
#define MAX_POINTS 64    /* measured points per curve */
#define PER_HI 0.1       /* the two packet error rates the search finds */
#define PER_LO 0.01
#define DET_TARGET 0.9   /* detection probability the search finds */
#define DET_SNR_MIN -6.0 /* [dB] where the detection search starts */
#define DET_SNR_MAX 12.0
#define CONST_PTS 3000   /* points per constellation picture */
#define LIQ_HDR 14       /* [bytes] liquid's default user header length */
/* issue 3's targets, printed beside the figures */
#define TARGET_MSPS 20.0   /* [MS/s] idle and busy, one core */
#define TARGET_GAP_DB 1.0  /* [dB] modem minus reference at PER 1 % */
#define TARGET_DET_DB 0.0  /* [dB] SNR at 90 % detection, at most */

/* Eb/N0 of the waveform with perfect synchronisation, minus Eb/N0 of the
 * decoder fed unit-energy points: the cyclic prefix (80/64) and the four
 * pilots (52/48) carry energy but no data bits. [dB] */
#define WAVEFORM_OVERHEAD_DB (10.0 * log10(80.0 * 52.0 / (64.0 * 48.0)))

/* CPU time of this thread [s]: what "on one core" means, unaffected by
 * other processes competing for the machine. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A number for JSON: null when it could not be measured (jansson refuses
 * NaN and infinities). */
static json_t *jnum(double x) { return isfinite(x) ? json_real(x) : json_null(); }

/* ---- the run's shared state ------------------------------------------- */

typedef struct bench {
    const sn_bench_phy_opts *o;
    int tty;                 /* progress lines on stderr */
    size_t per_frames;       /* most frames per PER point */
    size_t per_errors;       /* a PER point stops after this many errors */
    size_t det_frames;       /* frames per detection point */
    sn_modem *tx;            /* transmitter of every sdrnet burst */
    uint8_t payload[FRAME_LEN];
    double cpu_tput, cpu_ref, cpu_modem, cpu_det; /* [s] spent in each part */
    sn_cf32 *buf;            /* channel output: gap + burst + filter tail */
    size_t cap;              /* [samples] allocated in buf */
} bench;

static void progress(const bench *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void progress(const bench *b, const char *fmt, ...)
{
    if (!b->tty)
        return;
    char line[100];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\r  %-76s", line);
    fflush(stderr);
}

static void progress_done(const bench *b)
{
    if (b->tty)
        fprintf(stderr, "\r%-78s\r", "");
}

/* ---- channel ------------------------------------------------------------ */

/* Add complex white Gaussian noise of `sigma` per component. Marsaglia's
 * polar method in single precision on 24-bit uniforms: several times
 * faster than core/rng's double-precision Box-Muller, so that making the
 * noise does not dominate the PER runs; its tails reach 8 sigma, far
 * beyond what a packet error rate of 1e-2 depends on. */
static void add_noise(sn_rng *r, sn_cf32 *x, size_t n, float sigma)
{
    size_t i = 0;
    while (i < n) {
        uint64_t u = sn_rng_u64(r);
        float a = (float)(u >> 40) * 0x1p-23f - 1.0f;
        float c = (float)((u >> 16) & 0xFFFFFFu) * 0x1p-23f - 1.0f;
        float s = a * a + c * c;
        if (s >= 1.0f || s == 0.0f)
            continue;
        float f = sigma * sqrtf(-2.0f * logf(s) / s);
        x[i] += sn_cf32_make(a * f, c * f);
        i++;
    }
}

static int reserve(bench *b, size_t n)
{
    if (n <= b->cap)
        return 0;
    sn_cf32 *p = realloc(b->buf, n * sizeof *p);
    if (!p)
        return -1;
    b->buf = p;
    b->cap = n;
    return 0;
}

static double mean_power(const sn_cf32 *x, size_t n)
{
    double p = 0;
    for (size_t i = 0; i < n; i++)
        p += (double)(crealf(x[i]) * crealf(x[i]) + cimagf(x[i]) * cimagf(x[i]));
    return n ? p / (double)n : 0.0;
}

/* Write into b->buf from `at`: a gap of gap_min..gap_max samples, then the
 * burst delayed by a random fraction of a sample (windowed-sinc filter),
 * turned by a random carrier offset within +-cfo_max [cycles/sample] from
 * a random phase, all with noise at `snr_db` [dB] relative to the burst's
 * mean power. Samples before `valid` (>= at) already hold signal and noise
 * (the previous burst's filter tail) and are added to, not replaced.
 * Returns the new end, or 0 if memory ran out. */
static size_t channel(bench *b, sn_rng *r, size_t at, size_t valid, const sn_cf32 *burst,
                      size_t n, double snr_db, double cfo_max, size_t gap_min, size_t gap_max)
{
    size_t gap = gap_min + (size_t)sn_rng_below(r, gap_max - gap_min + 1);
    size_t end = at + gap + n + FD_TAPS - 1;
    if (valid < at)
        valid = at;
    if (reserve(b, end) != 0)
        return 0;
    sn_cf32 *y = b->buf + at;
    memset(b->buf + valid, 0, (end - valid) * sizeof *y);

    /* Hann-windowed sinc centred on tap 15 + mu, so the burst starts
     * 15 + mu samples after the gap; unit gain at DC */
    double mu = sn_rng_uniform(r);
    float h[FD_TAPS];
    double sum = 0;
    for (int k = 0; k < FD_TAPS; k++) {
        double t = k - (FD_TAPS / 2 - 1) - mu;
        double s = fabs(t) < 1e-9 ? 1.0 : sin(M_PI * t) / (M_PI * t);
        double w = 0.5 + 0.5 * cos(M_PI * t / (FD_TAPS / 2));
        h[k] = (float)(s * w);
        sum += s * w;
    }
    for (int k = 0; k < FD_TAPS; k++)
        h[k] = (float)(h[k] / sum);

    double cfo = cfo_max * (2.0 * sn_rng_uniform(r) - 1.0);
    double ph = 2.0 * M_PI * sn_rng_uniform(r);
    double complex rot = cexp(I * ph), step = cexp(I * 2.0 * M_PI * cfo);
    sn_cf32 *d = y + gap;
    for (size_t m = 0; m < n + FD_TAPS - 1; m++) {
        size_t k0 = m >= n ? m - n + 1 : 0;
        size_t k1 = m < FD_TAPS - 1 ? m : FD_TAPS - 1;
        float re = 0.0f, im = 0.0f;
        for (size_t k = k0; k <= k1; k++) {
            re += h[k] * crealf(burst[m - k]);
            im += h[k] * cimagf(burst[m - k]);
        }
        d[m] += sn_cf32_make(re, im) * (sn_cf32)rot;
        rot *= step;
    }
    double p = mean_power(burst, n);
    add_noise(r, b->buf + valid, end - valid, (float)sqrt(p / pow(10.0, snr_db / 10.0) / 2.0));
    return end;
}

/* ---- what a receiver reported ------------------------------------------ */

/* Frames are told apart by the MAC control word in their header (the
 * frame's index), so a frame counts once however late its callback runs. */
typedef struct rxlog {
    uint8_t *seen;  /* per frame: bit 0 header decoded, bit 1 CRC good */
    size_t n;       /* frames that may be reported */
    size_t len;     /* [bytes] their length */
    size_t hdr, ok; /* distinct frames with a header / a good CRC */
    size_t stray;   /* reports of no frame sent (false detections) */
} rxlog;

static void on_rx(void *user, const uint8_t *frame, size_t len, const sn_phy_stats *st)
{
    rxlog *l = user;
    if (st->ctrl >= l->n || len != l->len) {
        l->stray++;
        return;
    }
    uint8_t *s = &l->seen[st->ctrl];
    if (!(*s & 1)) {
        *s |= 1;
        l->hdr++;
    }
    if (st->crc_ok && !(*s & 2)) {
        *s |= 2;
        l->ok++;
    }
}

static int log_init(rxlog *l, size_t n, size_t len)
{
    memset(l, 0, sizeof *l);
    l->seen = calloc(n ? n : 1, 1);
    l->n = n;
    l->len = len;
    return l->seen ? 0 : -1;
}

/* ---- throughput ---------------------------------------------------------- */

typedef struct rx_result {
    double msps;      /* [MS/s] of thread CPU time */
    size_t ok;        /* frames sent that arrived with a good CRC */
    size_t stray;     /* frames reported that were not sent */
} rx_result;

/* Time sdrnet's receiver over x[0..n), fed in radio-sized blocks. */
static int time_sdrnet(sn_cf32 *x, size_t n, size_t frames, rx_result *res)
{
    rxlog l;
    if (log_init(&l, frames, FRAME_LEN) != 0)
        return -1;
    sn_modem *m = sn_modem_create(NULL, 1e6, on_rx, &l);
    if (!m) {
        free(l.seen);
        return -1;
    }
    double t0 = cpu_now();
    for (size_t i = 0; i < n; i += RX_BLOCK)
        sn_modem_rx(m, x + i, n - i < RX_BLOCK ? n - i : RX_BLOCK);
    double t = cpu_now() - t0;
    sn_modem_destroy(m);
    res->msps = (double)n / t / 1e6;
    res->ok = l.ok;
    res->stray = l.stray;
    free(l.seen);
    return 0;
}

static size_t liquid_ok;
static int liquid_cb(unsigned char *h, int hv, unsigned char *p, unsigned int pl, int pv,
                     framesyncstats_s s, void *u)
{
    liquid_ok += hv && pv;
    return 0;
}

static int time_flex(sn_cf32 *x, size_t n, rx_result *res)
{
    flexframesync fs = flexframesync_create(liquid_cb, NULL);
    if (!fs)
        return -1;
    liquid_ok = 0;
    double t0 = cpu_now();
    for (size_t i = 0; i < n; i += RX_BLOCK)
        flexframesync_execute(fs, x + i, (unsigned)(n - i < RX_BLOCK ? n - i : RX_BLOCK));
    double t = cpu_now() - t0;
    flexframesync_destroy(fs);
    res->msps = (double)n / t / 1e6;
    res->ok = liquid_ok;
    res->stray = 0;
    return 0;
}

/* liquid's OFDM frames as in its examples: 64 subcarriers (its default
 * allocation), 16-sample cyclic prefix, 4-sample taper. */
static int time_ofdmflex(sn_cf32 *x, size_t n, rx_result *res)
{
    ofdmflexframesync fs = ofdmflexframesync_create(64, 16, 4, NULL, liquid_cb, NULL);
    if (!fs)
        return -1;
    liquid_ok = 0;
    double t0 = cpu_now();
    for (size_t i = 0; i < n; i += RX_BLOCK)
        ofdmflexframesync_execute(fs, x + i, (unsigned)(n - i < RX_BLOCK ? n - i : RX_BLOCK));
    double t = cpu_now() - t0;
    ofdmflexframesync_destroy(fs);
    res->msps = (double)n / t / 1e6;
    res->ok = liquid_ok;
    res->stray = 0;
    return 0;
}

/* Back-to-back 1500-byte sdrnet frames at `rate` (gaps of 0..16 samples)
 * filling about `target` samples, at BUSY_SNR_DB. */
static int make_busy_sdrnet(bench *b, sn_phy_rate rate, size_t target, size_t *n, size_t *frames)
{
    sn_rng r;
    sn_rng_seed_stream(&r, b->o->seed, 100 + (uint64_t)rate);
    size_t at = 0, k = 0;
    *n = 0;
    while (at < target) {
        for (size_t i = 0; i < FRAME_LEN; i++)
            b->payload[i] = (uint8_t)sn_rng_u64(&r);
        sn_modem_txopt opt = {.rate = rate, .ctrl = (uint32_t)k};
        const sn_cf32 *iq;
        size_t len;
        if (sn_modem_tx(b->tx, b->payload, FRAME_LEN, &opt, &iq, &len) != SN_OK)
            return -1;
        size_t end = channel(b, &r, at, *n, iq, len, BUSY_SNR_DB, BUSY_CFO, 0, 16);
        if (!end)
            return -1;
        /* the filter's tail overlaps the next gap */
        at = end - (FD_TAPS - 1);
        *n = end;
        k++;
    }
    *frames = k;
    return 0;
}

/* liquid's own frames of the same payload (QPSK, CRC-32, no FEC: Debian's
 * liquid has no libfec codes), back to back like sdrnet's. ofdm selects
 * ofdmflexframegen instead of flexframegen. */
static int make_busy_liquid(bench *b, int ofdm, size_t target, size_t *n, size_t *frames)
{
    sn_rng r;
    sn_rng_seed_stream(&r, b->o->seed, ofdm ? 201 : 200);
    flexframegen fg = NULL;
    ofdmflexframegen og = NULL;
    if (ofdm) {
        ofdmflexframegenprops_s p;
        ofdmflexframegenprops_init_default(&p);
        p.check = LIQUID_CRC_32;
        p.fec0 = LIQUID_FEC_NONE;
        p.fec1 = LIQUID_FEC_NONE;
        p.mod_scheme = LIQUID_MODEM_QPSK;
        og = ofdmflexframegen_create(64, 16, 4, NULL, &p);
    } else {
        flexframegenprops_s p;
        flexframegenprops_init_default(&p);
        p.check = LIQUID_CRC_32;
        p.fec0 = LIQUID_FEC_NONE;
        p.fec1 = LIQUID_FEC_NONE;
        p.mod_scheme = LIQUID_MODEM_QPSK;
        fg = flexframegen_create(&p);
    }
    size_t cap = 1 << 16, len = 0;
    sn_cf32 *burst = malloc(cap * sizeof *burst);
    int rc = (fg || og) && burst ? 0 : -1;
    unsigned char hdr[LIQ_HDR] = {0};
    size_t at = 0, k = 0;
    *n = 0;
    while (!rc && at < target) {
        for (size_t i = 0; i < FRAME_LEN; i++)
            b->payload[i] = (uint8_t)sn_rng_u64(&r);
        hdr[0] = (unsigned char)k;
        len = 0;
        if (ofdm) {
            ofdmflexframegen_assemble(og, hdr, b->payload, FRAME_LEN);
            int done = 0;
            while (!done && !rc) {
                if (len + 80 > cap) {
                    rc = -1; /* a 1500-byte frame is far shorter */
                    break;
                }
                done = ofdmflexframegen_write(og, burst + len, 80);
                len += 80;
            }
        } else {
            flexframegen_assemble(fg, hdr, b->payload, FRAME_LEN);
            len = flexframegen_getframelen(fg);
            if (len > cap)
                rc = -1;
            else
                flexframegen_write_samples(fg, burst, (unsigned)len);
        }
        if (rc)
            break;
        /* the same mean power as sdrnet's bursts */
        float g = (float)sqrt(SN_OFDM_TX_POWER / mean_power(burst, len));
        for (size_t i = 0; i < len; i++)
            burst[i] *= g;
        size_t end = channel(b, &r, at, *n, burst, len, BUSY_SNR_DB, BUSY_CFO, 0, 16);
        if (!end) {
            rc = -1;
        } else {
            at = end - (FD_TAPS - 1);
            *n = end;
        }
        k++;
    }
    free(burst);
    if (fg)
        flexframegen_destroy(fg);
    if (og)
        ofdmflexframegen_destroy(og);
    *frames = k;
    return rc;
}

typedef struct tput {
    double idle[3], busy[3];       /* sdrnet, flexframesync, ofdmflexframesync */
    size_t sent[3], ok[3], false_idle[3];
    double per_rate[SN_RATE_COUNT];
    size_t rate_sent[SN_RATE_COUNT], rate_ok[SN_RATE_COUNT];
    size_t n_idle, n_busy[3];
} tput;

static const char *const rx_name[3] = {"sdrnet", "liquid_flexframesync",
                                       "liquid_ofdmflexframesync"};

static int measure_throughput(bench *b, tput *t)
{
    memset(t, 0, sizeof *t);
    t->n_idle = b->o->quick ? 1000000 : 10000000;
    size_t target = b->o->quick ? 1000000 : 3000000; /* [samples] per busy buffer */
    sn_cf32 *idle = calloc(t->n_idle, sizeof *idle);
    if (!idle)
        return -1;
    sn_rng r;
    sn_rng_seed_stream(&r, b->o->seed, 1);
    add_noise(&r, idle, t->n_idle, IDLE_SIGMA);
    rx_result res;
    progress(b, "throughput: receivers on %zu samples of noise", t->n_idle);
    int rc = time_sdrnet(idle, t->n_idle, 0, &res);
    t->idle[0] = res.msps;
    t->false_idle[0] = res.stray;
    if (!rc)
        rc = time_flex(idle, t->n_idle, &res);
    t->idle[1] = res.msps;
    t->false_idle[1] = res.ok;
    if (!rc)
        rc = time_ofdmflex(idle, t->n_idle, &res);
    t->idle[2] = res.msps;
    t->false_idle[2] = res.ok;
    free(idle);
    if (rc)
        return -1;

    /* sdrnet at each rate; "busy" is the slowest of them (the target holds
     * at every rate or not at all) */
    t->busy[0] = INFINITY;
    for (int q = 0; q < SN_RATE_COUNT; q++) {
        size_t n, frames;
        progress(b, "throughput: sdrnet on back-to-back %s frames", sn_phy_rate_name(q));
        if (make_busy_sdrnet(b, (sn_phy_rate)q, target, &n, &frames) != 0 ||
            time_sdrnet(b->buf, n, frames, &res) != 0)
            return -1;
        t->per_rate[q] = res.msps;
        t->rate_sent[q] = frames;
        t->rate_ok[q] = res.ok;
        t->sent[0] += frames;
        t->ok[0] += res.ok;
        t->n_busy[0] += n;
        if (res.msps < t->busy[0])
            t->busy[0] = res.msps;
    }
    for (int w = 1; w <= 2; w++) {
        size_t n, frames;
        progress(b, "throughput: %s on its own frames", rx_name[w]);
        if (make_busy_liquid(b, w == 2, target, &n, &frames) != 0 ||
            (w == 1 ? time_flex(b->buf, n, &res) : time_ofdmflex(b->buf, n, &res)) != 0)
            return -1;
        t->busy[w] = res.msps;
        t->sent[w] = frames;
        t->ok[w] = res.ok;
        t->n_busy[w] = n;
    }
    progress_done(b);
    return 0;
}

/* ---- packet error rate ---------------------------------------------------- */

typedef struct curve {
    double x[MAX_POINTS];      /* [dB] Eb/N0 (or SNR for detection), ascending */
    double p[MAX_POINTS];      /* error (or detection) rate measured there */
    size_t frames[MAX_POINTS]; /* frames behind it */
    size_t nohdr[MAX_POINTS];  /* of which the header was not received (missed
                                * or failed): tells synchronisation losses
                                * from payload decoding losses */
    size_t n;
} curve;

/* One measured point: frames sent, frames that failed, and of those the
 * frames whose header was not received. */
typedef int (*point_fn)(bench *b, void *ctx, double x, size_t *frames, size_t *bad,
                        size_t *nohdr);

/* Stream of a point's random inputs: its experiment, rate and abscissa,
 * so a point's figures do not depend on the order the search visits it. */
static uint64_t point_stream(unsigned kind, unsigned rate, double x)
{
    return ((uint64_t)kind << 40) | ((uint64_t)rate << 32) |
           (uint32_t)(int32_t)lround(x * 100.0);
}

/* Measure at x unless measured already (points on the same grid).
 * 0, 1 if the curve is full (the search stops there), -1 on failure. */
static int curve_eval(bench *b, curve *c, point_fn f, void *ctx, double x, double *p)
{
    size_t i = 0;
    while (i < c->n && c->x[i] < x - 1e-6)
        i++;
    if (i < c->n && fabs(c->x[i] - x) < 1e-6) {
        *p = c->p[i];
        return 0;
    }
    if (c->n == MAX_POINTS)
        return 1;
    size_t frames, bad, nohdr;
    if (f(b, ctx, x, &frames, &bad, &nohdr) != 0)
        return -1;
    memmove(c->x + i + 1, c->x + i, (c->n - i) * sizeof c->x[0]);
    memmove(c->p + i + 1, c->p + i, (c->n - i) * sizeof c->p[0]);
    memmove(c->frames + i + 1, c->frames + i, (c->n - i) * sizeof c->frames[0]);
    memmove(c->nohdr + i + 1, c->nohdr + i, (c->n - i) * sizeof c->nohdr[0]);
    c->x[i] = x;
    c->p[i] = frames ? (double)bad / (double)frames : 1.0;
    c->frames[i] = frames;
    c->nohdr[i] = nohdr;
    c->n++;
    *p = c->p[i];
    return 0;
}

/* Walk down from x0 in 1 dB steps until the error rate is at least
 * PER_HI, then up in `step` until it is below PER_LO (or give up `span`
 * dB away): the thresholds then lie between measured points. */
static int per_search(bench *b, curve *c, point_fn f, void *ctx, double x0, double step,
                      double span)
{
    double x = x0, p;
    int rc = curve_eval(b, c, f, ctx, x, &p);
    while (!rc && p < PER_HI && x > x0 - span) {
        x -= 1.0;
        rc = curve_eval(b, c, f, ctx, x, &p);
    }
    while (!rc && p >= PER_LO && x < x0 + span) {
        x += step;
        rc = curve_eval(b, c, f, ctx, x, &p);
    }
    return rc < 0 ? -1 : 0;
}

/* Where the measured rate falls through `thr`: between the highest pair of
 * neighbours with p >= thr > p', linear in log10(p) (a rate of 0 counts as
 * half a frame). NaN if never crossed. */
static double crossing(const curve *c, double thr)
{
    if (c->n < 2)
        return NAN;
    for (size_t i = c->n - 1; i-- > 0;) {
        if (c->p[i] >= thr && c->p[i + 1] < thr) {
            double lo = c->p[i + 1] > 0 ? c->p[i + 1] : 0.5 / (double)c->frames[i + 1];
            double l0 = log10(c->p[i]), l1 = log10(lo), lt = log10(thr);
            if (l0 - l1 < 1e-12)
                return c->x[i];
            return c->x[i] + (c->x[i + 1] - c->x[i]) * (l0 - lt) / (l0 - l1);
        }
    }
    return NAN;
}

static size_t total_frames(const curve *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++)
        n += c->frames[i];
    return n;
}

static double snr_of_ebn0(double ebn0_db, sn_phy_rate rate)
{
    return ebn0_db + 10.0 * log10(sn_ofdm_dbps(rate) / 80.0);
}

typedef struct per_ctx {
    sn_phy_rate rate;
    const char *who;         /* "modem" or "reference" (progress) */
    sn_ofdm_codec *codec;    /* reference only */
    sn_cf32 *pts;            /* reference: the frame's points */
    float *w;
    uint8_t *rxbuf;
} per_ctx;

static void random_payload(sn_rng *r, uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)sn_rng_u64(r);
}

/* Stop a point after per_frames frames, or once per_errors frames failed
 * (enough for a rate well above PER_LO). */
static int enough(const bench *b, size_t frames, size_t bad)
{
    return frames >= b->per_frames || bad >= b->per_errors;
}

/* The modem: frames through the channel into a fresh receiver. */
static int modem_point(bench *b, void *vctx, double ebn0, size_t *frames, size_t *bad,
                       size_t *nohdr)
{
    per_ctx *c = vctx;
    sn_rng r;
    sn_rng_seed_stream(&r, b->o->seed, point_stream(1, c->rate, ebn0));
    double snr = snr_of_ebn0(ebn0, c->rate);
    rxlog l;
    if (log_init(&l, b->per_frames, FRAME_LEN) != 0)
        return -1;
    sn_modem *m = sn_modem_create(NULL, 1e6, on_rx, &l);
    int rc = m ? 0 : -1;
    size_t k = 0;
    /* frame k-1 may still be in the receiver: count it only at the end */
    while (!rc && !enough(b, k, k - l.ok > 0 ? k - l.ok - 1 : 0)) {
        random_payload(&r, b->payload, FRAME_LEN);
        sn_modem_txopt opt = {.rate = c->rate, .ctrl = (uint32_t)k};
        const sn_cf32 *iq;
        size_t len, n;
        if (sn_modem_tx(b->tx, b->payload, FRAME_LEN, &opt, &iq, &len) != SN_OK ||
            !(n = channel(b, &r, 0, 0, iq, len, snr, CFO_MAX, GAP_MIN, GAP_MAX))) {
            rc = -1;
            break;
        }
        sn_modem_rx(m, b->buf, n);
        k++;
        if (k % 25 == 0)
            progress(b, "rate %s: modem at Eb/N0 %.1f dB, %zu frames, PER %.1f %% (%zu no header)",
                     sn_phy_rate_name(c->rate), ebn0, k, 100.0 * (double)(k - l.ok) / (double)k,
                     k - l.hdr);
    }
    /* let the last frame out: its decoding delay and some more noise */
    sn_modem_timing tm;
    sn_modem_get_timing(m, &tm);
    size_t tail = tm.decode_delay + 2000;
    if (!rc && reserve(b, tail) == 0) {
        memset(b->buf, 0, tail * sizeof *b->buf);
        add_noise(&r, b->buf, tail, (float)sqrt(SN_OFDM_TX_POWER / pow(10.0, snr / 10.0) / 2.0));
        sn_modem_rx(m, b->buf, tail);
    }
    sn_modem_destroy(m);
    *frames = k;
    *bad = k - l.ok;
    *nohdr = k - l.hdr;
    free(l.seen);
    return rc;
}

/* The reference: the same frames' points, AWGN on each point at the SNR a
 * perfectly synchronised receiver of the waveform sees on a subcarrier
 * (SNR per sample * 64 / 52: the noise of all 64 bins, the signal in 52),
 * decoded by phy/ofdm with w = 1 / noise variance. */
static int ref_point(bench *b, void *vctx, double ebn0, size_t *frames, size_t *bad,
                     size_t *nohdr)
{
    per_ctx *c = vctx;
    sn_rng r;
    sn_rng_seed_stream(&r, b->o->seed, point_stream(2, c->rate, ebn0));
    double snr_pt = pow(10.0, snr_of_ebn0(ebn0, c->rate) / 10.0) * 64.0 / 52.0;
    float var = (float)(1.0 / snr_pt);
    size_t npts = (SN_OFDM_HDR_SYMS + sn_ofdm_nsym(c->rate, FRAME_LEN)) * SN_OFDM_NDATA;
    for (size_t i = 0; i < npts; i++)
        c->w[i] = 1.0f / var;
    size_t k = 0, nbad = 0, nh = 0;
    while (!enough(b, k, nbad)) {
        random_payload(&r, b->payload, FRAME_LEN);
        sn_ofdm_header h = {.rate = c->rate, .len = FRAME_LEN, .ctrl = (uint32_t)k}, got;
        if (sn_ofdm_encode(c->codec, &h, b->payload, c->pts) != SN_OK)
            return -1;
        add_noise(&r, c->pts, npts, sqrtf(var / 2.0f));
        int crc_ok = 0;
        int hdr = sn_ofdm_decode_header(c->codec, c->pts, c->w, &got) == SN_OK &&
                  got.rate == h.rate && got.len == h.len && got.ctrl == h.ctrl;
        int good = hdr &&
                   sn_ofdm_decode_data(c->codec, &got, c->pts + SN_OFDM_HDR_SYMS * SN_OFDM_NDATA,
                                       c->w + SN_OFDM_HDR_SYMS * SN_OFDM_NDATA, c->rxbuf,
                                       &crc_ok) == SN_OK &&
                   crc_ok && !memcmp(c->rxbuf, b->payload, FRAME_LEN);
        nbad += !good;
        nh += !hdr;
        k++;
        if (k % 100 == 0)
            progress(b, "rate %s: reference at Eb/N0 %.1f dB, %zu frames, PER %.1f %%",
                     sn_phy_rate_name(c->rate), ebn0, k, 100.0 * (double)nbad / (double)k);
    }
    *frames = k;
    *bad = nbad;
    *nohdr = nh;
    return 0;
}

typedef struct rate_fig {
    curve modem, ref;
    double eb_hi, eb_lo, ref_hi, ref_lo; /* [dB] Eb/N0 at PER_HI / PER_LO */
} rate_fig;

/* A first guess of the reference's Eb/N0 at PER 10 % [dB], per rate; the
 * search walks from there, so a wrong guess costs time, not accuracy. */
static const double ref_guess[SN_RATE_COUNT] = {3.0, 5.0, 3.0, 5.0, 5.0, 7.5, 9.5, 10.5};

static int measure_per(bench *b, rate_fig *fig)
{
    per_ctx c = {0};
    size_t maxpts = (SN_OFDM_HDR_SYMS + sn_ofdm_nsym(SN_RATE_BPSK_12, FRAME_LEN)) * SN_OFDM_NDATA;
    c.codec = sn_ofdm_codec_create(FRAME_LEN);
    c.pts = malloc(maxpts * sizeof *c.pts);
    c.w = malloc(maxpts * sizeof *c.w);
    c.rxbuf = malloc(FRAME_LEN);
    int rc = c.codec && c.pts && c.w && c.rxbuf ? 0 : -1;
    for (int q = 0; !rc && q < SN_RATE_COUNT; q++) {
        rate_fig *f = &fig[q];
        memset(f, 0, sizeof *f);
        c.rate = (sn_phy_rate)q;
        double t0 = cpu_now();
        rc = per_search(b, &f->ref, ref_point, &c, ref_guess[q], 0.5, 15.0);
        double t1 = cpu_now();
        b->cpu_ref += t1 - t0;
        if (rc)
            break;
        f->ref_hi = crossing(&f->ref, PER_HI);
        f->ref_lo = crossing(&f->ref, PER_LO);
        /* the modem starts half a dB above the reference, on the grid */
        double x0 = isfinite(f->ref_hi) ? ceil(2.0 * f->ref_hi) / 2.0 + 0.5 : ref_guess[q];
        rc = per_search(b, &f->modem, modem_point, &c, x0, 0.5, 10.0);
        b->cpu_modem += cpu_now() - t1;
        f->eb_hi = crossing(&f->modem, PER_HI);
        f->eb_lo = crossing(&f->modem, PER_LO);
    }
    progress_done(b);
    sn_ofdm_codec_destroy(c.codec);
    free(c.pts);
    free(c.w);
    free(c.rxbuf);
    return rc;
}

/* ---- detection -------------------------------------------------------- */

typedef struct det_fig {
    curve c;                 /* p = fraction of frames detected */
    double snr90;            /* [dB] SNR per sample where 90 % are detected */
    size_t noise_samples;    /* pure noise fed for false alarms */
    size_t false_frames;     /* frames reported on it */
    sn_modem_counters cnt;   /* the receiver's counters after it */
} det_fig;

static int det_point(bench *b, void *ctx, double snr, size_t *frames, size_t *missed,
                     size_t *nohdr)
{
    sn_rng r;
    sn_rng_seed_stream(&r, b->o->seed, point_stream(3, DET_RATE, snr));
    rxlog l;
    if (log_init(&l, b->det_frames, DET_LEN) != 0)
        return -1;
    sn_modem *m = sn_modem_create(NULL, 1e6, on_rx, &l);
    int rc = m ? 0 : -1;
    size_t k;
    for (k = 0; !rc && k < b->det_frames; k++) {
        random_payload(&r, b->payload, DET_LEN);
        sn_modem_txopt opt = {.rate = DET_RATE, .ctrl = (uint32_t)k};
        const sn_cf32 *iq;
        size_t len, n;
        if (sn_modem_tx(b->tx, b->payload, DET_LEN, &opt, &iq, &len) != SN_OK ||
            !(n = channel(b, &r, 0, 0, iq, len, snr, CFO_MAX, GAP_MIN, GAP_MAX))) {
            rc = -1;
            break;
        }
        sn_modem_rx(m, b->buf, n);
        if (k % 50 == 49)
            progress(b, "detection: SNR %.1f dB, %zu frames, %.1f %% found", snr, k + 1,
                     100.0 * (double)l.hdr / (double)(k + 1));
    }
    size_t tail = 4000;
    if (!rc && reserve(b, tail) == 0) {
        memset(b->buf, 0, tail * sizeof *b->buf);
        add_noise(&r, b->buf, tail, (float)sqrt(SN_OFDM_TX_POWER / pow(10.0, snr / 10.0) / 2.0));
        sn_modem_rx(m, b->buf, tail);
    }
    sn_modem_destroy(m);
    *frames = k;
    *missed = k - l.hdr;
    *nohdr = k - l.hdr;
    free(l.seen);
    return rc;
}

static int measure_detection(bench *b, det_fig *d)
{
    memset(d, 0, sizeof *d);
    /* up to 99 % detected; the curve holds miss rates while searching,
     * detection rates after */
    double p = 1.0;
    int rc = 0;
    for (int i = 0; !rc && p > 0.01 && DET_SNR_MIN + 0.5 * i <= DET_SNR_MAX; i++)
        rc = curve_eval(b, &d->c, det_point, NULL, DET_SNR_MIN + 0.5 * i, &p);
    if (rc < 0)
        return -1;
    d->snr90 = crossing(&d->c, 1.0 - DET_TARGET);
    if (!isfinite(d->snr90) && d->c.n && d->c.p[0] < 1.0 - DET_TARGET)
        d->snr90 = d->c.x[0]; /* found at the lowest SNR tried: at most that */
    for (size_t i = 0; i < d->c.n; i++)
        d->c.p[i] = 1.0 - d->c.p[i];

    /* false alarms: frames reported on pure noise, fed as a radio would */
    d->noise_samples = b->o->quick ? 10000000 : 100000000;
    rxlog l;
    if (log_init(&l, 0, 0) != 0 || reserve(b, 1 << 20) != 0) {
        free(l.seen);
        return -1;
    }
    sn_modem *m = sn_modem_create(NULL, 1e6, on_rx, &l);
    if (!m) {
        free(l.seen);
        return -1;
    }
    sn_rng r;
    sn_rng_seed_stream(&r, b->o->seed, 4);
    for (size_t done = 0; done < d->noise_samples; done += 1 << 20) {
        size_t n = d->noise_samples - done < (1u << 20) ? d->noise_samples - done : 1 << 20;
        memset(b->buf, 0, n * sizeof *b->buf);
        add_noise(&r, b->buf, n, IDLE_SIGMA);
        for (size_t i = 0; i < n; i += RX_BLOCK)
            sn_modem_rx(m, b->buf + i, n - i < RX_BLOCK ? n - i : RX_BLOCK);
        progress(b, "false detections: %zu of %zu noise samples, %zu frames", done + n,
                 d->noise_samples, l.stray);
    }
    sn_modem_get_counters(m, &d->cnt);
    sn_modem_destroy(m);
    d->false_frames = l.stray;
    free(l.seen);
    progress_done(b);
    return 0;
}

/* ---- constellations ------------------------------------------------------ */

typedef struct constel {
    sn_cf32 pts[CONST_PTS];
    size_t n;
} constel;

static void on_points(void *user, const sn_cf32 *pts, size_t n, sn_phy_rate rate)
{
    constel *c = user;
    for (size_t i = 0; i < n && c->n < CONST_PTS; i++)
        c->pts[c->n++] = pts[i];
}

/* Equalised points of frames at `rate` received at `snr_db` (the PER
 * runs' channel), until CONST_PTS are collected or 20 frames sent. */
static int capture_points(bench *b, sn_phy_rate rate, double snr_db, constel *c)
{
    c->n = 0;
    sn_rng r;
    sn_rng_seed_stream(&r, b->o->seed, point_stream(5, rate, snr_db));
    sn_modem *m = sn_modem_create(NULL, 1e6, NULL, NULL);
    if (!m)
        return -1;
    sn_modem_set_points_observer(m, on_points, c);
    int rc = 0;
    for (int k = 0; k < 20 && c->n < CONST_PTS && !rc; k++) {
        random_payload(&r, b->payload, FRAME_LEN);
        sn_modem_txopt opt = {.rate = rate, .ctrl = (uint32_t)k};
        const sn_cf32 *iq;
        size_t len, n;
        if (sn_modem_tx(b->tx, b->payload, FRAME_LEN, &opt, &iq, &len) != SN_OK ||
            !(n = channel(b, &r, 0, 0, iq, len, snr_db, CFO_MAX, GAP_MIN, GAP_MAX)))
            rc = -1;
        else
            sn_modem_rx(m, b->buf, n);
    }
    sn_modem_destroy(m);
    return rc;
}

/* ---- plots ------------------------------------------------------------ */

static int plot_path(char *out, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", dir, name);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

static void plot_curve(FILE *g, const char *name, const curve *c)
{
    fprintf(g, "$%s << EOD\n", name);
    for (size_t i = 0; i < c->n; i++)
        if (c->p[i] > 0)
            fprintf(g, "%.3f %.6g\n", c->x[i], c->p[i]);
    fprintf(g, "EOD\n");
}

static int plot_per(const bench *b, const rate_fig *fig, const char *png)
{
    FILE *g = sn_plot_open(png, 1600, 800);
    if (!g)
        return -1;
    for (int q = 0; q < SN_RATE_COUNT; q++) {
        char name[16];
        snprintf(name, sizeof name, "m%d", q);
        plot_curve(g, name, &fig[q].modem);
        snprintf(name, sizeof name, "r%d", q);
        plot_curve(g, name, &fig[q].ref);
    }
    fprintf(g, "set multiplot layout 2,4 title 'PER of %d-byte frames vs Eb/N0: sdrnet modem "
               "(AWGN, CFO within +-%g %% of fs, random timing) and the decoder with perfect "
               "sync (dashed)%s'\n", FRAME_LEN, 100.0 * CFO_MAX,
            b->o->quick ? ", --quick: rough" : "");
    fprintf(g, "set logscale y\nset yrange [1e-3:1]\nset format y '10^{%%L}'\nset grid\n"
               "set xlabel 'Eb/N0 [dB]'\nset ylabel 'PER'\nset key bottom left\n");
    for (int q = 0; q < SN_RATE_COUNT; q++) {
        fprintf(g, "set title '%s'\n", sn_phy_rate_name(q));
        fprintf(g, "plot $m%d using 1:2 with linespoints lw 2 pt 7 ps 0.6 title 'modem', "
                   "$r%d using 1:2 with lines lw 2 dt 2 title 'perfect sync', "
                   "0.1 with lines lc rgb 'gray' notitle, "
                   "0.01 with lines lc rgb 'gray' notitle\n", q, q);
    }
    fprintf(g, "unset multiplot\n");
    return sn_plot_close(g, png);
}

static int plot_constellations(bench *b, sn_phy_rate rate, const double snr[4], const char *png)
{
    constel *c = malloc(4 * sizeof *c);
    if (!c)
        return -1;
    for (int i = 0; i < 4; i++) {
        progress(b, "constellation %s at SNR %.0f dB", sn_phy_rate_name(rate), snr[i]);
        if (capture_points(b, rate, snr[i], &c[i]) != 0) {
            free(c);
            return -1;
        }
    }
    progress_done(b);
    FILE *g = sn_plot_open(png, 1600, 460);
    if (!g) {
        free(c);
        return -1;
    }
    for (int i = 0; i < 4; i++) {
        fprintf(g, "$c%d << EOD\n", i);
        for (size_t k = 0; k < c[i].n; k++)
            fprintf(g, "%.4f %.4f\n", crealf(c[i].pts[k]), cimagf(c[i].pts[k]));
        /* an empty block would make plot fail: one point far outside */
        if (!c[i].n)
            fprintf(g, "99 99\n");
        fprintf(g, "EOD\n");
    }
    fprintf(g, "set multiplot layout 1,4 title '%s: equalised payload points as the demapper "
               "sees them (AWGN, CFO, random timing)'\n", sn_phy_rate_name(rate));
    fprintf(g, "set size ratio -1\nset xrange [-1.6:1.6]\nset yrange [-1.6:1.6]\nset grid\n"
               "unset key\nset xlabel 'I'\nset ylabel 'Q'\n");
    for (int i = 0; i < 4; i++) {
        fprintf(g, "set title 'SNR %.0f dB (%zu points)'\n", snr[i], c[i].n);
        fprintf(g, "plot $c%d using 1:2 with dots lc rgb '#1060c0'\n", i);
    }
    fprintf(g, "unset multiplot\n");
    free(c);
    return sn_plot_close(g, png);
}

static int plot_detection(const det_fig *d, const char *png)
{
    FILE *g = sn_plot_open(png, 900, 600);
    if (!g)
        return -1;
    fprintf(g, "$d << EOD\n");
    for (size_t i = 0; i < d->c.n; i++)
        fprintf(g, "%.3f %.6g\n", d->c.x[i], d->c.p[i]);
    fprintf(g, "EOD\n");
    fprintf(g, "set title 'Frame detection (header decoded), %d-byte %s frames, AWGN, CFO, "
               "random timing'\n", DET_LEN, sn_phy_rate_name(DET_RATE));
    fprintf(g, "set xlabel 'SNR per sample [dB]'\nset ylabel 'fraction detected'\n"
               "set yrange [0:1.02]\nset grid\nset key bottom right\n");
    fprintf(g, "plot $d using 1:2 with linespoints lw 2 pt 7 title 'sdrnet modem', "
               "0.9 with lines lc rgb 'gray' title '90 %%'\n");
    return sn_plot_close(g, png);
}

static int make_plots(bench *b, const rate_fig *fig, const det_fig *d)
{
    const char *dir = b->o->plot_dir;
    if (!sn_plot_available()) {
        fprintf(stderr, "sdrnet bench phy: --plot needs gnuplot (apt-get install gnuplot-nox); "
                        "no figures drawn\n");
        return -1;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "sdrnet bench phy: cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    static const double snr16[4] = {10, 15, 20, 30}, snr64[4] = {15, 20, 25, 35};
    char png[4][1024];
    static const char *const names[4] = {"per_vs_ebn0.png", "constellation_qam16.png",
                                         "constellation_qam64.png", "detection_vs_snr.png"};
    int rc = 0;
    for (int i = 0; i < 4; i++) {
        if (plot_path(png[i], sizeof png[i], dir, names[i]) != 0) {
            fprintf(stderr, "sdrnet bench phy: plot directory name too long\n");
            return -1;
        }
    }
    int ok[4];
    ok[0] = plot_per(b, fig, png[0]) == 0;
    ok[1] = plot_constellations(b, SN_RATE_QAM16_12, snr16, png[1]) == 0;
    ok[2] = plot_constellations(b, SN_RATE_QAM64_23, snr64, png[2]) == 0;
    ok[3] = plot_detection(d, png[3]) == 0;
    FILE *out = b->o->json ? stderr : stdout;
    fprintf(out, "figures:\n");
    for (int i = 0; i < 4; i++) {
        if (ok[i])
            fprintf(out, "  %s\n", png[i]);
        else
            rc = -1;
    }
    return rc;
}

/* ---- report ------------------------------------------------------------- */

static json_t *curve_json(const curve *c)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < c->n; i++)
        json_array_append_new(a, json_pack("[f, f, I, I]", c->x[i], c->p[i],
                                           (json_int_t)c->frames[i],
                                           (json_int_t)c->nohdr[i]));
    return a;
}

static int report_json(const bench *b, const tput *t, const rate_fig *fig, const det_fig *d,
                       json_t *root)
{
    json_t *per_rate = json_object();
    json_t *rates = json_array();
    if (!per_rate || !rates) {
        json_decref(per_rate);
        json_decref(rates);
        return -1;
    }
    for (int q = 0; q < SN_RATE_COUNT; q++) {
        const rate_fig *f = &fig[q];
        json_object_set_new(per_rate, sn_phy_rate_name(q), json_real(t->per_rate[q]));
        json_t *r = json_object();
        if (!r)
            continue;
        json_object_set_new(r, "name", json_string(sn_phy_rate_name(q)));
        json_object_set_new(r, "ebn0_db_at_per_1e-1", jnum(f->eb_hi));
        json_object_set_new(r, "ebn0_db_at_per_1e-2", jnum(f->eb_lo));
        json_object_set_new(r, "snr_db_at_per_1e-2", jnum(snr_of_ebn0(f->eb_lo, q)));
        json_object_set_new(r, "reference_ebn0_db_at_per_1e-1", jnum(f->ref_hi));
        json_object_set_new(r, "reference_ebn0_db_at_per_1e-2", jnum(f->ref_lo));
        json_object_set_new(r, "frames", json_integer((json_int_t)total_frames(&f->modem)));
        json_object_set_new(r, "reference_frames",
                            json_integer((json_int_t)total_frames(&f->ref)));
        json_object_set_new(r, "decoder_only_ebn0_db_at_per_1e-2",
                            jnum(f->ref_lo - WAVEFORM_OVERHEAD_DB));
        json_object_set_new(r, "busy_msps", json_real(t->per_rate[q]));
        json_object_set_new(r, "curve", curve_json(&f->modem));
        json_object_set_new(r, "reference_curve", curve_json(&f->ref));
        json_array_append_new(rates, r);
    }
    json_t *rx = json_object();
    for (int w = 0; rx && w < 3; w++)
        json_object_set_new(rx, rx_name[w], json_pack("{s:f, s:f}", "idle", t->idle[w],
                                                      "busy", t->busy[w]));
    json_object_set_new(json_object_get(rx, "sdrnet"), "busy_per_rate", per_rate);
    json_object_set_new(root, "rx_msps", rx);
    json_t *frames = json_object();
    for (int w = 0; frames && w < 3; w++)
        json_object_set_new(frames, rx_name[w],
                            json_pack("{s:I, s:I, s:I, s:I}", "sent", (json_int_t)t->sent[w],
                                      "ok", (json_int_t)t->ok[w], "busy_samples",
                                      (json_int_t)t->n_busy[w], "false_on_idle",
                                      (json_int_t)t->false_idle[w]));
    json_object_set_new(frames, "idle_samples", json_integer((json_int_t)t->n_idle));
    json_object_set_new(root, "rx_frames", frames);
    json_object_set_new(root, "rates", rates);
    json_t *det = json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:s, s:I, s:o}",
                            "snr_db_at_90pct", jnum(d->snr90),
                            "false_alarms", (json_int_t)d->false_frames,
                            "noise_samples", (json_int_t)d->noise_samples,
                            "false_header_failures", (json_int_t)d->cnt.rx_header_bad,
                            "false_triggers", (json_int_t)d->cnt.rx_triggers,
                            "frame_bytes", (json_int_t)DET_LEN,
                            "rate", sn_phy_rate_name(DET_RATE),
                            "frames_per_point", (json_int_t)b->det_frames,
                            "curve", curve_json(&d->c));
    json_object_set_new(root, "detection", det);
    json_object_set_new(root, "phy_bench", json_pack(
        "{s:I, s:b, s:I, s:I, s:I, s:f, s:i, s:i, s:f, s:f}",
        "seed", (json_int_t)b->o->seed, "quick", b->o->quick,
        "frame_bytes", (json_int_t)FRAME_LEN, "per_frames_max", (json_int_t)b->per_frames,
        "per_errors_stop", (json_int_t)b->per_errors, "cfo_max_fs", CFO_MAX,
        "gap_min", GAP_MIN, "gap_max", GAP_MAX, "busy_snr_db", BUSY_SNR_DB,
        "waveform_overhead_db", WAVEFORM_OVERHEAD_DB));
    json_object_set_new(root, "phy_targets", json_pack(
        "{s:f, s:f, s:f, s:i}", "rx_msps_min", TARGET_MSPS, "gap_db_at_per_1e-2_max",
        TARGET_GAP_DB, "detection_snr_db_at_90pct_max", TARGET_DET_DB, "false_alarms", 0));
    json_object_set_new(json_object_get(root, "phy_bench"), "cpu_s", json_pack(
        "{s:f, s:f, s:f, s:f}", "throughput", b->cpu_tput, "per_modem", b->cpu_modem,
        "per_reference", b->cpu_ref, "detection", b->cpu_det));
    return 0;
}

static void print_db(double x)
{
    if (isfinite(x))
        printf(" %9.2f |", x);
    else
        printf(" %9s |", "n/a");
}

static void report_text(const bench *b, const tput *t, const rate_fig *fig, const det_fig *d)
{
    printf("bench phy (seed %llu)%s\n\n", (unsigned long long)b->o->seed,
           b->o->quick ? ": --quick, few frames: rough figures" : "");
    printf("Receiver throughput, one core (thread CPU time) [MS/s]; target >= %.0f idle and "
           "busy\n", TARGET_MSPS);
    printf("  idle: %zu samples of noise; busy: back-to-back %d-byte frames at %.0f dB SNR\n",
           t->n_idle, FRAME_LEN, BUSY_SNR_DB);
    printf("  | %-27s |   idle |   busy | frames ok/sent | false on idle |\n", "receiver");
    printf("  |-----------------------------|--------|--------|----------------|---------------|\n");
    static const char *const label[3] = {"sdrnet (busy: slowest rate)",
                                         "liquid flexframesync", "liquid ofdmflexframesync"};
    for (int w = 0; w < 3; w++)
        printf("  | %-27s | %6.2f | %6.2f | %6zu/%-7zu | %13zu |\n", label[w], t->idle[w],
               t->busy[w], t->ok[w], t->sent[w], t->false_idle[w]);
    printf("  (liquid: its own frames, QPSK without FEC, same payload size and mean power)\n\n");

    printf("PER of %d-byte frames: AWGN, CFO uniform within +-%g %% of fs, random gaps of %d-%d "
           "samples and fractional delays\n", FRAME_LEN, 100.0 * CFO_MAX, GAP_MIN, GAP_MAX);
    printf("  Eb/N0 = SNR per sample * 80 / data bits per symbol; reference = the decoder with "
           "perfect sync on the same waveform\n");
    printf("  (decoder alone on unit-energy points: reference - %.2f dB); target: gap <= 1 dB "
           "at PER 1 %%\n", WAVEFORM_OVERHEAD_DB);
    printf("  points: up to %zu frames each, stopped after %zu errors\n\n", b->per_frames,
           b->per_errors);
    static const char *const col[] = {"Eb/N0@10%", "Eb/N0@1%", "SNR@1%", "ref@10%",
                                      "ref@1%", "gap@1%"};
    printf("| %-9s |", "rate");
    for (size_t i = 0; i < sizeof col / sizeof col[0]; i++)
        printf(" %9s |", col[i]);
    printf(" %7s | %9s |\n|-----------|", "frames", "busy MS/s");
    for (size_t i = 0; i < sizeof col / sizeof col[0]; i++)
        printf("-----------|");
    printf("---------|-----------|\n");
    for (int q = 0; q < SN_RATE_COUNT; q++) {
        const rate_fig *f = &fig[q];
        printf("| %-9s |", sn_phy_rate_name(q));
        print_db(f->eb_hi);
        print_db(f->eb_lo);
        print_db(snr_of_ebn0(f->eb_lo, q));
        print_db(f->ref_hi);
        print_db(f->ref_lo);
        print_db(f->eb_lo - f->ref_lo);
        printf(" %7zu | %9.2f |\n", total_frames(&f->modem), t->per_rate[q]);
    }
    printf("  (n/a: the threshold was not crossed within the search range)\n\n");

    printf("Detection (%d-byte %s frames, same channel, %zu frames per point):\n", DET_LEN,
           sn_phy_rate_name(DET_RATE), b->det_frames);
    if (isfinite(d->snr90))
        printf("  90 %% detected at SNR %.2f dB (target <= 0 dB)\n", d->snr90);
    else
        printf("  90 %% detected: not reached by %.0f dB (target <= 0 dB)\n", DET_SNR_MAX);
    printf("  false detections on %zu noise samples: %zu frames (target 0); preamble "
           "detector triggers: %llu, headers that failed their check: %llu\n",
           d->noise_samples, d->false_frames, (unsigned long long)d->cnt.rx_triggers,
           (unsigned long long)d->cnt.rx_header_bad);
    int gaps_ok = 0;
    for (int q = 0; q < SN_RATE_COUNT; q++)
        gaps_ok += fig[q].eb_lo - fig[q].ref_lo <= TARGET_GAP_DB; /* NaN: not met */
    printf("\nTargets: idle >= %.0f MS/s: %s; busy >= %.0f MS/s at every rate: %s; gap <= %.0f dB "
           "at PER 1 %%: %d of %d rates; 90 %% detection at <= %.0f dB: %s; no false frame: %s\n",
           TARGET_MSPS, t->idle[0] >= TARGET_MSPS ? "met" : "NOT met", TARGET_MSPS,
           t->busy[0] >= TARGET_MSPS ? "met" : "NOT met", TARGET_GAP_DB, gaps_ok,
           SN_RATE_COUNT, TARGET_DET_DB, d->snr90 <= TARGET_DET_DB ? "met" : "NOT met",
           d->false_frames == 0 ? "met" : "NOT met");
    printf("\nCPU time of this benchmark: throughput %.1f s, PER modem %.1f s, PER reference "
           "%.1f s, detection %.1f s\n", b->cpu_tput, b->cpu_modem, b->cpu_ref, b->cpu_det);
}

/* ---- main ------------------------------------------------------------------ */

int sn_bench_phy(const sn_bench_phy_opts *o, json_t *root)
{
    bench b = {.o = o, .tty = isatty(STDERR_FILENO)};
    b.per_frames = o->quick ? 150 : 2000;
    b.per_errors = o->quick ? 15 : 100;
    b.det_frames = o->quick ? 100 : 500;
    b.tx = sn_modem_create(NULL, 1e6, NULL, NULL);
    tput *t = malloc(sizeof *t);
    rate_fig *fig = malloc(SN_RATE_COUNT * sizeof *fig);
    det_fig *d = malloc(sizeof *d);
    int rc = 0;
    double t0 = cpu_now();
    if (!b.tx || !t || !fig || !d || measure_throughput(&b, t) != 0 ||
        ((b.cpu_tput = cpu_now() - t0), measure_per(&b, fig) != 0) ||
        ((t0 = cpu_now()), measure_detection(&b, d) != 0)) {
        progress_done(&b);
        fprintf(stderr, "sdrnet bench phy: out of memory or no modem\n");
        rc = 1;
    } else {
        b.cpu_det = cpu_now() - t0;
        if (o->json)
            rc = report_json(&b, t, fig, d, root) != 0;
        else
            report_text(&b, t, fig, d);
        fflush(stdout);
        if (o->plot_dir && make_plots(&b, fig, d) != 0)
            rc = 1;
    }
    sn_modem_destroy(b.tx);
    free(b.buf);
    free(t);
    free(fig);
    free(d);
    return rc;
}
