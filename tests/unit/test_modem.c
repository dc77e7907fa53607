/* phy/modem: loopback over AWGN at every modulation, noise-only input,
 * hostile input (NaN, Inf, zeros, clipping, huge values), arbitrary
 * chunking, damaged headers and payloads, burst lengths. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/rng.h"
#include "phy/modem.h"
#include "sn_test.h"

#define FS 1e6 /* [S/s] */
#define LEAD 300 /* [samples] noise before each burst in a test stream */
#define MAXF 200 /* frames remembered by a sink */

typedef struct sink {
    int n;         /* callbacks */
    int ok, bad;   /* crc_ok 1 / 0 */
    uint8_t *data[MAXF];
    size_t len[MAXF];
    sn_phy_stats st[MAXF];
} sink;

static void on_rx(void *user, const uint8_t *frame, size_t len, const sn_phy_stats *st)
{
    sink *k = user;
    if (k->n < MAXF) {
        k->data[k->n] = malloc(len);
        if (k->data[k->n])
            memcpy(k->data[k->n], frame, len);
        k->len[k->n] = len;
        k->st[k->n] = *st;
    }
    k->n++;
    if (st->crc_ok)
        k->ok++;
    else
        k->bad++;
}

static void sink_clear(sink *k)
{
    for (int i = 0; i < MAXF; i++)
        free(k->data[i]);
    memset(k, 0, sizeof *k);
}

/* A growing sample stream. */
typedef struct stream {
    sn_cf32 *x;
    size_t n, cap;
} stream;

static sn_cf32 *stream_add(stream *s, size_t n)
{
    if (s->n + n > s->cap) {
        size_t cap = (s->n + n) * 2;
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

static double mean_power(const sn_cf32 *x, size_t n)
{
    double p = 0;
    for (size_t i = 0; i < n; i++)
        p += (double)crealf(x[i]) * crealf(x[i]) + (double)cimagf(x[i]) * cimagf(x[i]);
    return n ? p / (double)n : 0;
}

static void add_noise(sn_cf32 *x, size_t n, double var, sn_rng *r)
{
    double sd = sqrt(var / 2);
    for (size_t i = 0; i < n; i++)
        x[i] += sn_cf32_make((float)(sn_rng_gauss(r) * sd), (float)(sn_rng_gauss(r) * sd));
}

static void random_frame(uint8_t *f, size_t len, sn_rng *r)
{
    for (size_t i = 0; i < len; i++)
        f[i] = (uint8_t)sn_rng_u64(r);
}

/* Append [LEAD noise][burst * rotation + noise] to s, noise at `snr_db`
 * below the burst's mean power (the medium's definition). Returns the
 * index of the burst's first sample. */
static size_t put_burst(stream *s, const sn_cf32 *iq, size_t n, double snr_db, double cfo_hz,
                        sn_rng *r)
{
    double var = mean_power(iq, n) / pow(10, snr_db / 10);
    sn_cf32 *p = stream_add(s, LEAD + n);
    for (size_t i = 0; i < n; i++)
        p[LEAD + i] = iq[i] * cexp(I * 2 * M_PI * cfo_hz * (double)i / FS);
    add_noise(p, LEAD + n, var, r);
    return s->n - n;
}

static void put_noise(stream *s, size_t n, double var, sn_rng *r)
{
    add_noise(stream_add(s, n), n, var, r);
}

/* want_snr: what the SNR estimate should read (within 3 dB). */
static void loopback(const char *mod, double snr_db, double want_snr, int frames, uint64_t seed)
{
    sn_modem_config cfg;
    sn_modem_config_default(&cfg);
    CHECK_EQ_INT(sn_phy_rate_parse(mod, &cfg.rate), SN_OK);
    cfg.max_payload = 1500;
    sink k = {0};
    sn_modem *m = sn_modem_create(&cfg, FS, on_rx, &k);
    CHECK(m != NULL);
    if (!m)
        return;
    CHECK_EQ_INT(sn_modem_rate(m), cfg.rate);
    sn_rng r;
    sn_rng_seed(&r, seed);
    stream s = {0};
    static uint8_t sent[MAXF][300];
    size_t len[MAXF], start[MAXF], count[MAXF];
    double var = 0;
    for (int f = 0; f < frames; f++) {
        len[f] = 1 + sn_rng_below(&r, 300);
        random_frame(sent[f], len[f], &r);
        const sn_cf32 *iq;
        size_t n;
        CHECK_EQ_INT(sn_modem_tx(m, sent[f], len[f], NULL, &iq, &n), SN_OK);
        CHECK_EQ_INT(n, sn_modem_burst_len(m, len[f], cfg.rate));
        count[f] = n;
        var = mean_power(iq, n) / pow(10, snr_db / 10);
        start[f] = put_burst(&s, iq, n, snr_db, 0, &r);
    }
    put_noise(&s, LEAD, var, &r);
    CHECK_EQ_INT(sn_modem_rx(m, s.x, s.n), SN_OK);

    CHECK_EQ_INT(k.n, frames);
    CHECK_EQ_INT(k.ok, frames);
    double snr_sum = 0, snr_min = 1e9, snr_max = -1e9;
    for (int f = 0; f < frames && f < k.n; f++) {
        CHECK_EQ_INT(k.len[f], len[f]);
        if (k.len[f] == len[f] && k.data[f])
            CHECK_MEM(k.data[f], sent[f], len[f]);
        CHECK_EQ_INT(k.st[f].sample_count, count[f]);
        CHECK_NEAR((double)k.st[f].sample_start, (double)start[f], 2);
        CHECK(k.st[f].header_ok == 1 && k.st[f].crc_ok == 1);
        CHECK_EQ_INT(k.st[f].rate, cfg.rate);
        CHECK_NEAR(k.st[f].snr_db, want_snr, 3.0);
        CHECK_NEAR(k.st[f].cfo_hz, 0.0, 200.0);
        snr_sum += k.st[f].snr_db;
        snr_min = fmin(snr_min, k.st[f].snr_db);
        snr_max = fmax(snr_max, k.st[f].snr_db);
    }
    printf("  %s at %.0f dB: %d/%d frames, SNR estimate mean %.2f min %.2f max %.2f dB\n",
           mod, snr_db, k.ok, frames, snr_sum / (k.n ? k.n : 1), snr_min, snr_max);
    sn_modem_counters c;
    sn_modem_get_counters(m, &c);
    CHECK_EQ_INT(c.tx_frames, frames);
    CHECK_EQ_INT(c.rx_frames_ok, frames);
    CHECK_EQ_INT(c.rx_frames_crc_bad, 0);
    CHECK_EQ_INT(c.rx_header_bad, 0);
    CHECK_EQ_INT(c.rx_samples, s.n);
    free(s.x);
    sink_clear(&k);
    sn_modem_destroy(m);
}

/* 100 random frames each; qam64 uncoded needs more SNR than 20 dB for
 * frames of hundreds of bytes to pass CRC-32 every time. The SNR estimate
 * is accurate to about 20 dB and saturates near 29 dB (liquid's timing and
 * phase tracking floor): at 30 dB it reads about 26-27. */
static void test_loopback_bpsk(void) { loopback("bpsk", 20, 20, 100, 1); }
static void test_loopback_qpsk(void) { loopback("qpsk", 20, 20, 100, 2); }
static void test_loopback_qam16(void) { loopback("qam16", 20, 20, 100, 3); }
static void test_loopback_qam64(void) { loopback("qam64", 30, 25, 100, 4); }

static void test_tx_levels_and_errors(void)
{
    const char *mods[] = {"bpsk", "qpsk", "qam16", "qam64"};
    uint8_t f[2048];
    sn_rng r;
    sn_rng_seed(&r, 9);
    random_frame(f, sizeof f, &r);
    for (int i = 0; i < 4; i++) {
        sn_modem_config cfg;
        sn_modem_config_default(&cfg);
        CHECK(cfg.rate == SN_RATE_QPSK_12 && cfg.max_payload == 2048);
        CHECK_EQ_INT(sn_phy_rate_parse(mods[i], &cfg.rate), SN_OK);
        sn_modem *m = sn_modem_create(&cfg, FS, NULL, NULL);
        CHECK(m != NULL);
        const sn_cf32 *iq;
        size_t n;
        for (size_t len = 1; len <= 2048; len = len * 3 + 1) {
            CHECK_EQ_INT(sn_modem_tx(m, f, len, NULL, &iq, &n), SN_OK);
            CHECK_EQ_INT(n, sn_modem_burst_len(m, len, cfg.rate));
            float peak = 0;
            for (size_t j = 0; j < n; j++)
                peak = fmaxf(peak, cabsf(iq[j]));
            CHECK(peak <= 1.0f);
            double p = 10 * log10(mean_power(iq, n));
            CHECK(p > -13 && p < -7);
        }
        CHECK_EQ_INT(sn_modem_tx(m, f, 2048, NULL, &iq, &n), SN_OK);
        CHECK_EQ_INT(sn_modem_tx(m, f, 0, NULL, &iq, &n), SN_OK);
        CHECK_EQ_INT(sn_modem_tx(m, f, 2049, NULL, &iq, &n), SN_ERR_RANGE);
        sn_modem_destroy(m);
    }
    sn_modem_config cfg;
    sn_modem_config_default(&cfg);
    CHECK(sn_phy_rate_parse("qam256", &cfg.rate) == SN_ERR_PARSE);
    cfg.rate = SN_RATE_COUNT;
    CHECK(sn_modem_create(&cfg, FS, NULL, NULL) == NULL);
    sn_modem_config_default(&cfg);
    cfg.max_payload = 0;
    CHECK(sn_modem_create(&cfg, FS, NULL, NULL) == NULL);
    cfg.max_payload = 70000;
    CHECK(sn_modem_create(&cfg, FS, NULL, NULL) == NULL);
    sn_modem_config_default(&cfg);
    CHECK(sn_modem_create(&cfg, 0.0, NULL, NULL) == NULL);
    sn_modem_destroy(NULL);
}

static void test_noise_only(void)
{
    sink k = {0};
    sn_modem *m = sn_modem_create(NULL, FS, on_rx, &k);
    CHECK(m != NULL);
    sn_rng r;
    sn_rng_seed(&r, 77);
    enum { CH = 50000 };
    static sn_cf32 x[CH];
    for (int c = 0; c < 1000000 / CH; c++) {
        memset(x, 0, sizeof x);
        add_noise(x, CH, 0.1, &r);
        sn_modem_rx(m, x, CH);
    }
    sn_modem_counters c;
    sn_modem_get_counters(m, &c);
    CHECK_EQ_INT(k.n, 0);
    CHECK_EQ_INT(c.rx_frames_ok + c.rx_frames_crc_bad, 0);
    CHECK_EQ_INT(c.rx_samples, 1000000);
    printf("  noise only: %llu false detections (header failed)\n",
           (unsigned long long)c.rx_header_bad);
    sink_clear(&k);
    sn_modem_destroy(m);
}

/* A stream of hostile input, then a clean frame that must still decode. */
static void test_hostile_input(void)
{
    sink k = {0};
    sn_modem *m = sn_modem_create(NULL, FS, on_rx, &k);
    sn_rng r;
    sn_rng_seed(&r, 5);
    enum { N = 20000 };
    static sn_cf32 x[N];
    /* NaN and Inf, alone and mixed with noise */
    size_t nonfinite = 0;
    for (int i = 0; i < N; i++) {
        switch (i % 7) {
        case 0: x[i] = sn_cf32_make(NAN, 0.1f); nonfinite++; break;
        case 1: x[i] = sn_cf32_make(0.2f, INFINITY); nonfinite++; break;
        case 2: x[i] = sn_cf32_make(-INFINITY, NAN); nonfinite++; break;
        default: x[i] = sn_cf32_make((float)sn_rng_gauss(&r) * 0.1f, (float)sn_rng_gauss(&r) * 0.1f);
        }
    }
    CHECK_EQ_INT(sn_modem_rx(m, x, N), SN_OK);
    /* all zeros */
    memset(x, 0, sizeof x);
    CHECK_EQ_INT(sn_modem_rx(m, x, N), SN_OK);
    /* huge finite values (clipped) */
    for (int i = 0; i < N; i++)
        x[i] = sn_cf32_make((i & 1) ? 3e38f : -1e30f, (float)i);
    CHECK_EQ_INT(sn_modem_rx(m, x, N), SN_OK);
    sn_modem_counters c;
    sn_modem_get_counters(m, &c);
    CHECK_EQ_INT(c.rx_nonfinite, nonfinite);
    CHECK_EQ_INT(c.rx_clipped, N);
    CHECK_EQ_INT(c.rx_samples, 3 * N);
    CHECK_EQ_INT(k.ok, 0);

    /* a burst 20 dB over full scale, hard-clipped by a receiver's ADC: the
     * receiver survives it (qpsk may even decode through it) */
    uint8_t f[100];
    random_frame(f, sizeof f, &r);
    const sn_cf32 *iq;
    size_t n;
    CHECK_EQ_INT(sn_modem_tx(m, f, sizeof f, NULL, &iq, &n), SN_OK);
    stream s = {0};
    put_burst(&s, iq, n, 30, 0, &r);
    for (size_t i = 0; i < s.n; i++) {
        float re = fminf(fmaxf(crealf(s.x[i]) * 10, -1), 1);
        float im = fminf(fmaxf(cimagf(s.x[i]) * 10, -1), 1);
        s.x[i] = sn_cf32_make(re, im);
    }
    put_noise(&s, LEAD, 1e-4, &r);
    CHECK_EQ_INT(sn_modem_rx(m, s.x, s.n), SN_OK);
    printf("  clipped burst: %d callbacks, %d ok\n", k.n, k.ok);

    /* and a clean frame afterwards decodes */
    int before = k.ok;
    s.n = 0;
    put_burst(&s, iq, n, 25, 0, &r);
    put_noise(&s, LEAD, mean_power(iq, n) / 300, &r);
    CHECK_EQ_INT(sn_modem_rx(m, s.x, s.n), SN_OK);
    CHECK_EQ_INT(k.ok, before + 1);
    if (k.ok == before + 1 && k.n <= MAXF && k.data[k.n - 1])
        CHECK_MEM(k.data[k.n - 1], f, sizeof f);
    free(s.x);
    sink_clear(&k);
    sn_modem_destroy(m);
}

static void test_chunking_and_cfo(void)
{
    sink k = {0};
    sn_modem *m = sn_modem_create(NULL, FS, on_rx, &k);
    sn_rng r;
    sn_rng_seed(&r, 11);
    stream s = {0};
    enum { F = 20 };
    static uint8_t sent[F][400];
    size_t len[F];
    const double cfo = 2000.0; /* [Hz] */
    double var = 0;
    for (int f = 0; f < F; f++) {
        len[f] = 1 + sn_rng_below(&r, 400);
        random_frame(sent[f], len[f], &r);
        const sn_cf32 *iq;
        size_t n;
        sn_modem_tx(m, sent[f], len[f], NULL, &iq, &n);
        var = mean_power(iq, n) / 100;
        put_burst(&s, iq, n, 20, cfo, &r);
    }
    put_noise(&s, LEAD, var, &r);
    /* chunks of 1 .. 3000 samples, sizes drawn at random */
    size_t off = 0;
    while (off < s.n) {
        size_t c = 1 + sn_rng_below(&r, 3000);
        if (sn_rng_below(&r, 4) == 0)
            c = 1 + sn_rng_below(&r, 3);
        if (c > s.n - off)
            c = s.n - off;
        sn_modem_rx(m, s.x + off, c);
        off += c;
    }
    CHECK_EQ_INT(k.ok, F);
    for (int f = 0; f < F && f < k.n; f++) {
        CHECK_EQ_INT(k.len[f], len[f]);
        if (k.len[f] == len[f] && k.data[f])
            CHECK_MEM(k.data[f], sent[f], len[f]);
        CHECK_NEAR(k.st[f].cfo_hz, cfo, 200.0);
    }
    free(s.x);
    sink_clear(&k);
    sn_modem_destroy(m);
}

/* Preamble detection: busy from a little after a burst's preamble until
 * its frame completes, idle in noise before and after, and after a reset. */
static void test_busy(void)
{
    sink k = {0};
    sn_modem *m = sn_modem_create(NULL, FS, on_rx, &k);
    CHECK(m != NULL);
    CHECK_EQ_INT(sn_modem_busy(NULL), 0);
    CHECK_EQ_INT(sn_modem_busy(m), 0);
    sn_rng r;
    sn_rng_seed(&r, 5);
    uint8_t f[200];
    random_frame(f, sizeof f, &r);
    const sn_cf32 *iq;
    size_t n;
    CHECK_EQ_INT(sn_modem_tx(m, f, sizeof f, NULL, &iq, &n), SN_OK);
    double var = mean_power(iq, n) / 100; /* 20 dB SNR */
    stream s = {0};
    put_burst(&s, iq, n, 20, 0, &r); /* LEAD samples of noise, then the burst */
    put_noise(&s, LEAD, var, &r);
    /* noise, then the first half of the burst: preamble found, frame open */
    sn_modem_rx(m, s.x, LEAD);
    CHECK_EQ_INT(sn_modem_busy(m), 0);
    sn_modem_rx(m, s.x + LEAD, n / 2);
    CHECK_EQ_INT(sn_modem_busy(m), 1);
    CHECK_EQ_INT(k.n, 0);
    /* the rest: the frame completes and the receiver is free again */
    sn_modem_rx(m, s.x + LEAD + n / 2, s.n - LEAD - n / 2);
    CHECK_EQ_INT(k.ok, 1);
    CHECK_EQ_INT(sn_modem_busy(m), 0);
    /* a frame cut short by a reset is forgotten */
    sn_modem_rx(m, s.x, LEAD + n / 2);
    CHECK_EQ_INT(sn_modem_busy(m), 1);
    sn_modem_reset(m);
    CHECK_EQ_INT(sn_modem_busy(m), 0);
    free(s.x);
    sink_clear(&k);
    sn_modem_destroy(m);
}

/* A burst whose header is wiped is counted, not delivered; one whose
 * payload is damaged is delivered with crc_ok = 0 and its full length. */
static void test_damaged_bursts(void)
{
    sink k = {0};
    sn_modem *m = sn_modem_create(NULL, FS, on_rx, &k);
    sn_rng r;
    sn_rng_seed(&r, 13);
    uint8_t f[200];
    random_frame(f, sizeof f, &r);
    const sn_cf32 *iq;
    size_t n;
    CHECK_EQ_INT(sn_modem_tx(m, f, sizeof f, NULL, &iq, &n), SN_OK);
    double p = mean_power(iq, n);
    sn_cf32 *b = malloc(n * sizeof *b);

    /* header: after the 64-symbol (128-sample) preamble */
    memcpy(b, iq, n * sizeof *b);
    for (size_t i = 160; i < 460; i++)
        b[i] = sn_cf32_make((float)(sn_rng_gauss(&r) * sqrt(p)), (float)(sn_rng_gauss(&r) * sqrt(p)));
    stream s = {0};
    put_burst(&s, b, n, 30, 0, &r);
    put_noise(&s, LEAD, p / 1000, &r);
    sn_modem_rx(m, s.x, s.n);
    sn_modem_counters c;
    sn_modem_get_counters(m, &c);
    CHECK_EQ_INT(k.n, 0);
    CHECK_EQ_INT(c.rx_header_bad, 1);

    /* payload: the end of the burst, before the tail */
    memcpy(b, iq, n * sizeof *b);
    for (size_t i = n - 300; i < n - 60; i++)
        b[i] = -b[i] * I;
    s.n = 0;
    put_burst(&s, b, n, 30, 0, &r);
    put_noise(&s, LEAD, p / 1000, &r);
    sn_modem_rx(m, s.x, s.n);
    sn_modem_get_counters(m, &c);
    CHECK_EQ_INT(k.n, 1);
    CHECK_EQ_INT(k.bad, 1);
    CHECK_EQ_INT(c.rx_frames_crc_bad, 1);
    CHECK_EQ_INT(k.len[0], sizeof f);
    CHECK(k.st[0].header_ok == 1 && k.st[0].crc_ok == 0);

    /* reset mid-burst: the half-received frame is forgotten, the next decodes */
    s.n = 0;
    put_burst(&s, iq, n, 30, 0, &r);
    put_noise(&s, LEAD, p / 1000, &r);
    sn_modem_rx(m, s.x, s.n / 2);
    sn_modem_reset(m);
    sn_modem_rx(m, s.x, s.n);
    CHECK_EQ_INT(k.ok, 1);
    free(s.x);
    free(b);
    sink_clear(&k);
    sn_modem_destroy(m);
}

int main(void)
{
    TEST_RUN(test_loopback_bpsk);
    TEST_RUN(test_loopback_qpsk);
    TEST_RUN(test_loopback_qam16);
    TEST_RUN(test_loopback_qam64);
    TEST_RUN(test_tx_levels_and_errors);
    TEST_RUN(test_noise_only);
    TEST_RUN(test_hostile_input);
    TEST_RUN(test_chunking_and_cfo);
    TEST_RUN(test_damaged_bursts);
    TEST_RUN(test_busy);
    TEST_DONE();
}
