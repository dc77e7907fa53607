/* phy/iqfile (raw cf32, ci8, cu8, ci16) and phy/radio_file: known bytes ->
 * known samples, round trips, refused files, and the radio's rx blocks,
 * tx bursts and annotations. */
#include <complex.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "phy/iqfile.h"
#include "phy/radio.h"
#include "phy/radio_file.h"
#include "phy/sigmf.h"
#include "sn_test.h"

static void path_for(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", sn_test_tmpdir(), name);
}

static void write_bytes(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(fwrite(b, 1, n, f) == n);
    fclose(f);
}

static int one_line(const char *s) { return s[0] && !strchr(s, '\n'); }

static void check_err(const char *err, const char *want)
{
    CHECK(one_line(err));
    if (!strstr(err, want)) {
        fprintf(stderr, "error '%s' lacks '%s'\n", err, want);
        CHECK(strstr(err, want) != NULL);
    }
}

/* Write `bytes` to NAME and read them back as format f. */
static void expect_samples(const char *name, sn_iq_format f, const uint8_t *bytes, size_t nb,
                           const float *want, size_t nsamp)
{
    char p[512], err[256];
    path_for(p, sizeof p, name);
    write_bytes(p, bytes, nb);
    sn_iqfile_reader *r = sn_iqfile_open(p, f, err, sizeof err);
    CHECK(r != NULL);
    if (!r) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    CHECK_EQ_INT(sn_iqfile_samples(r), nsamp);
    sn_cf32 y[16];
    /* two reads: the reader keeps its place */
    CHECK_EQ_INT(sn_iqfile_read(r, y, 1), 1);
    CHECK_EQ_INT(sn_iqfile_read(r, y + 1, 16), nsamp - 1);
    CHECK_EQ_INT(sn_iqfile_read(r, y, 16), 0);
    for (size_t i = 0; i < nsamp; i++) {
        if (crealf(y[i]) != want[2 * i] || cimagf(y[i]) != want[2 * i + 1]) {
            fprintf(stderr, "%s sample %zu: %g%+gj, want %g%+gj\n", name, i, crealf(y[i]),
                    cimagf(y[i]), want[2 * i], want[2 * i + 1]);
            CHECK(0);
        }
    }
    sn_iqfile_close(r);
}

static void test_known_bytes(void)
{
    /* cf32: 1.0f = 00 00 80 3f, -0.5f = 00 00 00 bf (little-endian) */
    const uint8_t cf32[] = {0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xbf,
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0xbf};
    const float cf32_w[] = {1.0f, -0.5f, 0.0f, -1.0f};
    expect_samples("k.cf32", SN_IQ_CF32, cf32, sizeof cf32, cf32_w, 2);

    const uint8_t ci8[] = {0x80, 0x7f, 0x00, 0x40, 0xff, 0xc0};
    const float ci8_w[] = {-1.0f, 127.0f / 128, 0.0f, 0.5f, -1.0f / 128, -0.5f};
    expect_samples("k.ci8", SN_IQ_CI8, ci8, sizeof ci8, ci8_w, 3);

    const uint8_t cu8[] = {0, 255, 127, 128};
    const float cu8_w[] = {-1.0f, 1.0f, -0.5f / 127.5f, 0.5f / 127.5f};
    expect_samples("k.cu8", SN_IQ_CU8, cu8, sizeof cu8, cu8_w, 2);

    const uint8_t ci16[] = {0x00, 0x80, 0xff, 0x7f, 0x00, 0x40, 0xff, 0xff};
    const float ci16_w[] = {-1.0f, 32767.0f / 32768, 0.5f, -1.0f / 32768};
    expect_samples("k.ci16", SN_IQ_CI16, ci16, sizeof ci16, ci16_w, 2);

    /* encode: rounding, clipping, NaN */
    const sn_cf32 x[] = {sn_cf32_make(2.0f, -2.0f), sn_cf32_make(NAN, 0.5f),
                         sn_cf32_make(-1.0f, 0.49f / 128)};
    uint8_t b[12];
    sn_iq_encode(SN_IQ_CI8, x, 3, b);
    const uint8_t ci8_e[] = {0x7f, 0x80, 0x00, 0x40, 0x80, 0x00};
    CHECK_MEM(b, ci8_e, 6);
    sn_iq_encode(SN_IQ_CU8, x, 3, b);
    const uint8_t cu8_e[] = {255, 0, 128, 191, 0, 128};
    CHECK_MEM(b, cu8_e, 6);
    sn_iq_encode(SN_IQ_CI16, x, 3, b);
    const uint8_t ci16_e[] = {0xff, 0x7f, 0x00, 0x80, 0x00, 0x00, 0x00, 0x40,
                              0x00, 0x80, 0x7d, 0x00}; /* 0.49/128 * 32768 = 125.4 */
    CHECK_MEM(b, ci16_e, 12);
}

static void test_names(void)
{
    sn_iq_format f;
    struct {
        const char *path;
        sn_iq_format f;
    } ok[] = {{"a.cf32", SN_IQ_CF32}, {"b/c.cfile", SN_IQ_CF32}, {"x.FC32", SN_IQ_CF32},
              {"a.ci8", SN_IQ_CI8},   {"a.cs8", SN_IQ_CI8},      {"a.cu8", SN_IQ_CU8},
              {"a.ci16", SN_IQ_CI16}, {"a.cs16", SN_IQ_CI16}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        CHECK_EQ_INT(sn_iq_format_from_path(ok[i].path, &f), SN_OK);
        CHECK_EQ_INT(f, ok[i].f);
    }
    CHECK_EQ_INT(sn_iq_format_from_path("a.sigmf-meta", &f), SN_ERR_NOENT);
    CHECK_EQ_INT(sn_iq_format_from_path(".cu8", &f), SN_ERR_NOENT);
    CHECK_EQ_INT(sn_iq_format_from_path("air", &f), SN_ERR_NOENT);
    CHECK_EQ_INT(sn_iq_format_from_sigmf("ci16_le", &f), SN_OK);
    CHECK_EQ_INT(f, SN_IQ_CI16);
    CHECK_EQ_INT(sn_iq_format_from_sigmf("ci16_be", &f), SN_ERR_UNSUPP);
    CHECK_EQ_INT(sn_iq_format_bytes(SN_IQ_CU8), 2);
    CHECK_EQ_INT(sn_iq_format_bytes(SN_IQ_CI16), 4);
    CHECK_EQ_INT(sn_iq_format_bytes(SN_IQ_CF32), 8);
}

enum { RT = 3000 };

static void test_round_trip(void)
{
    const sn_iq_format fmts[] = {SN_IQ_CF32, SN_IQ_CI8, SN_IQ_CU8, SN_IQ_CI16};
    const char *names[] = {"rt.cf32", "rt.ci8", "rt.cu8", "rt.ci16"};
    static sn_cf32 x[RT], y[RT];
    for (size_t k = 0; k < 4; k++) {
        /* values on each format's grid come back exactly */
        for (int i = 0; i < RT; i++) {
            float a = (float)((i * 37) % 255) , b = (float)((i * 11) % 255);
            switch (fmts[k]) {
            case SN_IQ_CF32:
                x[i] = sn_cf32_make((float)sin(i * 0.01), (float)cos(i * 0.013) * 1e-3f);
                break;
            case SN_IQ_CI8:
                x[i] = sn_cf32_make((a - 128.0f) / 128.0f, (b - 128.0f) / 128.0f);
                break;
            case SN_IQ_CU8:
                x[i] = sn_cf32_make((a - 127.5f) / 127.5f, (b - 127.5f) / 127.5f);
                break;
            case SN_IQ_CI16:
                x[i] = sn_cf32_make((float)(i * 21 - 32768) / 32768.0f,
                                    (float)(32767 - i * 13) / 32768.0f);
                break;
            }
        }
        char p[512], err[256];
        path_for(p, sizeof p, names[k]);
        sn_iqfile_writer *w = sn_iqfile_writer_open(p, fmts[k], err, sizeof err);
        CHECK(w != NULL);
        if (!w)
            continue;
        CHECK_EQ_INT(sn_iqfile_write(w, x, 1000), SN_OK);
        CHECK_EQ_INT(sn_iqfile_write(w, x + 1000, RT - 1000), SN_OK);
        CHECK_EQ_INT(sn_iqfile_writer_close(w), SN_OK);
        sn_iqfile_reader *r = sn_iqfile_open(p, fmts[k], err, sizeof err);
        CHECK(r != NULL);
        if (!r)
            continue;
        CHECK_EQ_INT(sn_iqfile_samples(r), RT);
        CHECK_EQ_INT(sn_iqfile_read(r, y, RT + 5), RT);
        CHECK_MEM(x, y, sizeof x);
        sn_iqfile_close(r);
    }
    CHECK_EQ_INT(sn_iqfile_writer_close(NULL), SN_OK);
    sn_iqfile_close(NULL);
}

static void test_refused(void)
{
    char p[512], err[512];
    const uint8_t b[7] = {1, 2, 3, 4, 5, 6, 7};
    /* not a whole number of samples: name, size and sample size */
    path_for(p, sizeof p, "odd.ci16");
    write_bytes(p, b, 6);
    CHECK(sn_iqfile_open(p, SN_IQ_CI16, err, sizeof err) == NULL);
    check_err(err, "odd.ci16: size 6 bytes is not a whole number of ci16_le samples (4 bytes each)");
    path_for(p, sizeof p, "odd.cu8");
    write_bytes(p, b, 7);
    CHECK(sn_iqfile_open(p, SN_IQ_CU8, err, sizeof err) == NULL);
    check_err(err, "odd.cu8: size 7 bytes is not a whole number of cu8 samples (2 bytes each)");
    path_for(p, sizeof p, "odd.cf32");
    write_bytes(p, b, 7);
    CHECK(sn_iqfile_open(p, SN_IQ_CF32, err, sizeof err) == NULL);
    check_err(err, "size 7 bytes is not a whole number of cf32_le samples (8 bytes each)");
    /* missing */
    path_for(p, sizeof p, "no-such-file.ci8");
    remove(p);
    CHECK(sn_iqfile_open(p, SN_IQ_CI8, err, sizeof err) == NULL);
    check_err(err, "no-such-file.ci8: cannot open");
    /* a directory */
    CHECK(sn_iqfile_open(sn_test_tmpdir(), SN_IQ_CI8, err, sizeof err) == NULL);
    check_err(err, "not a regular file");
    /* empty: valid, no samples */
    path_for(p, sizeof p, "empty.ci8");
    write_bytes(p, b, 0);
    sn_iqfile_reader *r = sn_iqfile_open(p, SN_IQ_CI8, err, sizeof err);
    CHECK(r != NULL);
    sn_cf32 y[4];
    CHECK_EQ_INT(sn_iqfile_samples(r), 0);
    CHECK_EQ_INT(sn_iqfile_read(r, y, 4), 0);
    sn_iqfile_close(r);
    /* writer into a missing directory */
    path_for(p, sizeof p, "no/such/dir/x.ci8");
    CHECK(sn_iqfile_writer_open(p, SN_IQ_CI8, err, sizeof err) == NULL);
    check_err(err, "cannot create");
}

/* ---- the radio ---- */

typedef struct blocks {
    uint64_t next, n;
    int bad_start, bad_time, bad_flags;
    sn_cf32 *copy;
    size_t cap;
} blocks;

static void on_rx(void *user, const sn_radio_rx *rx)
{
    blocks *b = user;
    if (rx->sample_start != b->next)
        b->bad_start = 1;
    if (rx->t_start != (sn_time_t)((double)rx->sample_start / 2e6 * 1e9 + 0.5))
        b->bad_time = 1;
    if (rx->flags != 0 || rx->from_port != -1 || !isnan(rx->snr_db))
        b->bad_flags = 1;
    if (b->copy && rx->sample_start + rx->n <= b->cap)
        memcpy(b->copy + rx->sample_start, rx->iq, rx->n * sizeof *rx->iq);
    b->next = rx->sample_start + rx->n;
    b->n++;
}

enum { RAW_N = 40000 };

static void test_radio_raw_rx(void)
{
    char p[512], spec[600], err[512];
    static sn_cf32 x[RAW_N], y[RAW_N];
    for (int i = 0; i < RAW_N; i++)
        x[i] = sn_cf32_make((float)((i % 200) - 100) / 128.0f, (float)((i % 7) - 3) / 128.0f);
    path_for(p, sizeof p, "radio.cs8");
    sn_iqfile_writer *w = sn_iqfile_writer_open(p, SN_IQ_CI8, err, sizeof err);
    CHECK(w != NULL);
    CHECK_EQ_INT(sn_iqfile_write(w, x, RAW_N), SN_OK);
    CHECK_EQ_INT(sn_iqfile_writer_close(w), SN_OK);

    /* no sample rate: refused */
    snprintf(spec, sizeof spec, "file:%s", p);
    sn_radio_config cfg;
    sn_radio_config_default(&cfg);
    CHECK(sn_radio_open(spec, &cfg, NULL, err, sizeof err) == NULL);
    check_err(err, "raw file: give --samplerate");

    cfg.sample_rate = 2e6;
    cfg.freq_hz = 433.92e6;
    sn_radio *r = sn_radio_open(spec, &cfg, NULL, err, sizeof err);
    CHECK(r != NULL);
    if (!r) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    const sn_radio_info *info = sn_radio_get_info(r);
    CHECK(!strcmp(info->backend, "file"));
    CHECK(info->sample_rate == 2e6 && info->freq_hz == 433.92e6);
    CHECK(info->can_rx && !info->can_tx);
    /* nothing is delivered before poll; then one block per poll */
    blocks b = {.copy = y, .cap = RAW_N};
    sn_radio_set_rx(r, on_rx, &b);
    double pw = 0;
    CHECK_EQ_INT(sn_radio_carrier(r, 0, &pw), 0);
    CHECK(isnan(pw));
    CHECK_EQ_INT(b.n, 0);
    long n, total = 0, polls = 0;
    while ((n = sn_radio_poll(r, 0)) > 0) {
        CHECK(n <= 16384);
        total += n;
        polls++;
    }
    CHECK_EQ_INT(n, SN_ERR_NOENT);
    CHECK_EQ_INT(sn_radio_poll(r, 0), SN_ERR_NOENT); /* and stays there */
    CHECK_EQ_INT(total, RAW_N);
    CHECK_EQ_INT(b.n, polls);
    CHECK(!b.bad_start && !b.bad_time && !b.bad_flags);
    CHECK_MEM(x, y, sizeof x);
    sn_radio_counters c;
    sn_radio_get_counters(r, &c);
    CHECK_EQ_INT(c.rx_blocks, polls);
    CHECK_EQ_INT(c.rx_samples, RAW_N);
    CHECK_EQ_INT(c.tx_bursts, 0);
    /* an existing file is never written */
    CHECK_EQ_INT(sn_radio_tx(r, x, 10, SN_RADIO_NOW), SN_ERR_UNSUPP);
    CHECK_EQ_INT(sn_radio_close(r), SN_OK);
    sn_radio_destroy(NULL);
    CHECK_EQ_INT(sn_radio_close(NULL), SN_OK);

    /* asked for a direction: an existing recording opens for receive, is
     * refused for transmit; a missing one is refused for receive and opens
     * for transmit without creating anything */
    cfg.dir = SN_RADIO_DIR_TX;
    CHECK(sn_radio_open(spec, &cfg, NULL, err, sizeof err) == NULL);
    check_err(err, "radio.cs8: a recording of that name exists; it is never overwritten "
                   "(remove it or give a new name)");
    cfg.dir = SN_RADIO_DIR_RX;
    r = sn_radio_open(spec, &cfg, NULL, err, sizeof err);
    CHECK(r != NULL && sn_radio_get_info(r)->can_rx);
    sn_radio_destroy(r);
    char missing[600], mspec[700];
    path_for(missing, sizeof missing, "radio_missing.ci8");
    remove(missing);
    snprintf(mspec, sizeof mspec, "file:%s", missing);
    CHECK(sn_radio_open(mspec, &cfg, NULL, err, sizeof err) == NULL);
    check_err(err, "radio_missing.ci8: no such recording");
    cfg.dir = SN_RADIO_DIR_TX;
    r = sn_radio_open(mspec, &cfg, NULL, err, sizeof err);
    CHECK(r != NULL && sn_radio_get_info(r)->can_tx && !sn_radio_get_info(r)->can_rx);
    CHECK_EQ_INT(sn_radio_close(r), SN_OK);
    FILE *gone = fopen(missing, "rb");
    CHECK(gone == NULL); /* nothing sent: nothing created */
    if (gone)
        fclose(gone);
    cfg.dir = SN_RADIO_DIR_AUTO;

    /* a bad file: the reason names it */
    path_for(p, sizeof p, "radio_odd.cu8");
    write_bytes(p, x, 3);
    snprintf(spec, sizeof spec, "file:%s", p);
    CHECK(sn_radio_open(spec, &cfg, NULL, err, sizeof err) == NULL);
    check_err(err, "radio_odd.cu8: size 3 bytes is not a whole number of cu8 samples");
    CHECK(sn_radio_open("file:", &cfg, NULL, err, sizeof err) == NULL);
    check_err(err, "no path");
}

static void test_radio_tx_sigmf(void)
{
    char base[512], spec[700], err[512], p[600];
    path_for(base, sizeof base, "radio_tx");
    snprintf(p, sizeof p, "%s.sigmf-meta", base);
    remove(p);
    snprintf(p, sizeof p, "%s.sigmf-data", base);
    remove(p);
    snprintf(spec, sizeof spec, "file:%s.sigmf-meta", base);
    sn_radio_config cfg;
    sn_radio_config_default(&cfg);
    cfg.sample_rate = 2e6;
    cfg.freq_hz = 915e6;
    sn_radio *r = sn_radio_open(spec, &cfg, NULL, err, sizeof err);
    CHECK(r != NULL);
    if (!r) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    const sn_radio_info *info = sn_radio_get_info(r);
    CHECK(info->can_tx && !info->can_rx && info->timed_tx);
    CHECK(info->sample_rate == 2e6);
    CHECK_EQ_INT(sn_radio_poll(r, 0), 0); /* nothing to hear */
    sn_cf32 burst[100];
    for (int i = 0; i < 100; i++)
        burst[i] = sn_cf32_make(0.5f, (float)i / 100.0f);
    /* at 1 ms = sample 2000: silence before it; then NOW; then a late one */
    CHECK_EQ_INT(sn_radio_tx(r, burst, 100, SN_NS_PER_MS), SN_OK);
    CHECK_EQ_INT(sn_radio_tx(r, burst, 50, SN_RADIO_NOW), SN_OK);
    CHECK_EQ_INT(sn_radio_tx(r, burst, 10, 0), SN_OK);
    sn_radio_counters c;
    sn_radio_get_counters(r, &c);
    CHECK_EQ_INT(c.tx_bursts, 3);
    CHECK_EQ_INT(c.tx_samples, 160);
    CHECK_EQ_INT(c.late_bursts, 1);
    sn_radio_destroy(r);

    /* the recording: 2000 zeros, the bursts, one annotation each */
    sn_sigmf_reader *rd = sn_sigmf_reader_open(base, err, sizeof err);
    CHECK(rd != NULL);
    if (!rd)
        return;
    CHECK_EQ_INT(sn_sigmf_reader_samples(rd), 2160);
    CHECK(sn_sigmf_reader_sample_rate(rd) == 2e6 && sn_sigmf_reader_freq(rd) == 915e6);
    CHECK_EQ_INT(sn_sigmf_reader_annotations(rd), 3);
    static sn_cf32 y[2160];
    CHECK_EQ_INT(sn_sigmf_reader_read(rd, y, 2160), 2160);
    for (int i = 0; i < 2000; i++)
        if (y[i] != 0)
            CHECK(y[i] == 0);
    CHECK_MEM(y + 2000, burst, 100 * sizeof *y);
    CHECK_MEM(y + 2100, burst, 50 * sizeof *y);
    CHECK_MEM(y + 2150, burst, 10 * sizeof *y);
    sn_sigmf_reader_close(rd);
    snprintf(p, sizeof p, "%s.sigmf-meta", base);
    json_error_t je;
    json_t *root = json_load_file(p, 0, &je);
    CHECK(root != NULL);
    json_t *an = json_object_get(root, "annotations");
    const long long start[3] = {2000, 2100, 2150}, count[3] = {100, 50, 10};
    const char *label[3] = {"burst 1", "burst 2", "burst 3"};
    for (size_t i = 0; i < 3 && root; i++) {
        json_t *a = json_array_get(an, i);
        CHECK_EQ_INT(json_integer_value(json_object_get(a, "core:sample_start")), start[i]);
        CHECK_EQ_INT(json_integer_value(json_object_get(a, "core:sample_count")), count[i]);
        const char *l = json_string_value(json_object_get(a, "core:label"));
        CHECK(l && !strcmp(l, label[i]));
    }
    json_decref(root);

    /* the same name again is an existing recording: receive only */
    r = sn_radio_open(spec, &cfg, NULL, err, sizeof err);
    CHECK(r != NULL);
    if (r) {
        CHECK(sn_radio_get_info(r)->can_rx && !sn_radio_get_info(r)->can_tx);
        CHECK_EQ_INT(sn_radio_tx(r, burst, 10, SN_RADIO_NOW), SN_ERR_UNSUPP);
    }
    sn_radio_destroy(r);

    /* a new name in a missing directory: refused at open */
    path_for(p, sizeof p, "no/such/dir/x.sigmf-meta");
    snprintf(spec, sizeof spec, "file:%s", p);
    CHECK(sn_radio_open(spec, &cfg, NULL, err, sizeof err) == NULL);
    check_err(err, "does not exist");

    /* a new raw name: written in its format, read back by rx */
    path_for(p, sizeof p, "radio_tx.ci16");
    remove(p);
    snprintf(spec, sizeof spec, "file:%s", p);
    r = sn_radio_open(spec, &cfg, NULL, err, sizeof err);
    CHECK(r != NULL);
    CHECK_EQ_INT(sn_radio_tx(r, burst, 100, SN_RADIO_NOW), SN_OK);
    sn_radio_destroy(r);
    sn_iqfile_reader *ir = sn_iqfile_open(p, SN_IQ_CI16, err, sizeof err);
    CHECK(ir != NULL);
    CHECK_EQ_INT(sn_iqfile_samples(ir), 100);
    sn_iqfile_close(ir);
}

int main(void)
{
    TEST_RUN(test_known_bytes);
    TEST_RUN(test_names);
    TEST_RUN(test_round_trip);
    TEST_RUN(test_refused);
    TEST_RUN(test_radio_raw_rx);
    TEST_RUN(test_radio_tx_sigmf);
    TEST_DONE();
}
