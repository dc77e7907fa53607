/* Known answer: the committed recording tests/data/kat/ofdm_kat (written
 * by tests/tools/make_kat.c: one 64-byte frame at each of the eight rates
 * and a header-only burst, CFO 1.3 kHz, a DC offset, 25 dB SNR) decodes to
 * the known bytes, rates and ctrl words, at the annotated positions, in any
 * chunking. A change of the waveform on either side (transmitter or
 * receiver) shows here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "phy/modem.h"
#include "phy/sigmf.h"
#include "sn_kat.h"
#include "sn_test.h"

#define NKAT (SN_RATE_COUNT + 1)

typedef struct got {
    int n;
    uint8_t data[NKAT][KAT_LEN];
    size_t len[NKAT];
    sn_phy_stats st[NKAT];
} got;

static void on_rx(void *user, const uint8_t *frame, size_t len, const sn_phy_stats *st)
{
    got *g = user;
    if (g->n < NKAT) {
        memcpy(g->data[g->n], frame, len < KAT_LEN ? len : KAT_LEN);
        g->len[g->n] = len;
        g->st[g->n] = *st;
    }
    g->n++;
}

static sn_cf32 *load(size_t *n)
{
    const char *src = getenv("SDRNET_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/kat/ofdm_kat", src ? src : ".");
    char err[256];
    sn_sigmf_reader *r = sn_sigmf_reader_open(path, err, sizeof err);
    CHECK(r != NULL);
    if (!r) {
        fprintf(stderr, "%s\n", err);
        return NULL;
    }
    CHECK(sn_sigmf_reader_sample_rate(r) == 1e6);
    CHECK_EQ_INT(sn_sigmf_reader_annotations(r), NKAT);
    uint64_t total = sn_sigmf_reader_samples(r);
    sn_cf32 *x = malloc(total * sizeof *x);
    if (!x)
        abort();
    long k = sn_sigmf_reader_read(r, x, total);
    CHECK_EQ_INT(k, (long)total);
    sn_sigmf_reader_close(r);
    *n = k > 0 ? (size_t)k : 0;
    return x;
}

static void test_kat(void)
{
    size_t n = 0;
    sn_cf32 *x = load(&n);
    if (!x)
        return;
    static const size_t chunks[] = {0, 1, 333};
    for (unsigned c = 0; c < 3; c++) {
        got *g = calloc(1, sizeof *g);
        sn_modem *m = sn_modem_create(NULL, 1e6, on_rx, g);
        CHECK(g && m);
        if (!g || !m)
            abort();
        size_t step = chunks[c] ? chunks[c] : n;
        for (size_t off = 0; off < n; off += step)
            sn_modem_rx(m, x + off, n - off < step ? n - off : step);
        CHECK_EQ_INT(g->n, NKAT);
        uint64_t start = 0;
        for (unsigned k = 0; k < NKAT && (int)k < g->n; k++) {
            uint8_t want[KAT_LEN];
            uint32_t ctrl;
            size_t len = kat_frame(k, want, &ctrl);
            const sn_phy_stats *st = &g->st[k];
            CHECK_EQ_INT(g->len[k], len);
            CHECK_MEM(g->data[k], want, len);
            CHECK(st->crc_ok == 1 && st->header_ok == 1);
            CHECK_EQ_INT(st->ctrl, ctrl);
            if (k < SN_RATE_COUNT)
                CHECK_EQ_INT(st->rate, k);
            /* make_kat: 400 samples of noise before each burst */
            start += 400;
            CHECK_NEAR((double)st->sample_start, (double)start, 2.0);
            CHECK_EQ_INT(st->sample_count, sn_modem_burst_len(m, len, st->rate));
            CHECK_NEAR(st->snr_db, 25.0, 2.0);
            CHECK_NEAR(st->cfo_hz, 1300.0, 30.0);
            start += st->sample_count;
        }
        if (c == 0)
            printf("  %zu samples: %d frames, first snr %.2f dB cfo %.1f Hz evm %.1f dB\n", n,
                   g->n, g->st[0].snr_db, g->st[0].cfo_hz, g->st[0].evm_db);
        sn_modem_destroy(m);
        free(g);
    }
    free(x);
}

int main(void)
{
    TEST_RUN(test_kat);
    TEST_DONE();
}
