/* make_kat: writes the OFDM modem's known-answer recording and the modem
 * fuzz target's seeds.
 *
 *   make_kat KAT_BASE            e.g. tests/data/kat/ofdm_kat
 *   make_kat --fuzz CORPUS_DIR   e.g. tests/fuzz/corpus/modem_rx
 *
 * The recording (SigMF, cf32_le, 1 MS/s) holds one frame at each of the
 * eight rates and a header-only burst, each annotated, through a channel
 * with a frequency offset of 1.3 kHz (0.13 % of fs), a DC offset, and noise
 * at 25 dB SNR per sample, all from fixed seeds. The frames' bytes and ctrl
 * words follow kat_frame() in tests/unit/sn_kat.h, which
 * tests/unit/test_kat.c shares: the test decodes the committed recording
 * and compares. Regenerate (and commit) the recording only when the
 * waveform changes on purpose.
 *
 * The fuzz seeds: a header-only burst, a short QPSK frame, and that frame
 * with NaNs in it, each as the fuzz target reads them (one byte of chunk
 * size, then native float pairs). */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/rng.h"
#include "phy/modem.h"
#include "phy/sigmf.h"
/* relative: this tool is built without the unit tests' include path */
#include "../unit/sn_kat.h"

#define FS 1e6          /* [S/s] */
#define KAT_GAP 400     /* [samples] of noise between bursts */
#define KAT_CFO 1300.0  /* [Hz] */
#define KAT_SNR 25.0    /* [dB] per sample, burst power SN_OFDM_TX_POWER = 0.05 */

static int write_kat(const char *base)
{
    sn_modem_config cfg;
    sn_modem_config_default(&cfg);
    sn_modem *m = sn_modem_create(&cfg, FS, NULL, NULL);
    sn_sigmf_writer *w = sn_sigmf_writer_open(
        base, FS, 433.92e6,
        "sdrnet OFDM modem known-answer recording (tests/tools/make_kat.c)");
    sn_cf32 *buf = malloc(8192 * sizeof *buf);
    if (!m || !w || !buf) {
        fprintf(stderr, "make_kat: cannot create the modem or %s\n", base);
        sn_modem_destroy(m);
        sn_sigmf_writer_close(w);
        free(buf);
        return 1;
    }
    sn_rng r;
    sn_rng_seed(&r, 20261122);
    const double sd = sqrt(0.05 / pow(10.0, KAT_SNR / 10.0) / 2.0);
    const float dc_re = 0.004f, dc_im = -0.003f;
    uint64_t pos = 0; /* [samples] written */
    int rc = 0;
    for (unsigned k = 0; k <= SN_RATE_COUNT && rc == 0; k++) {
        uint8_t fr[KAT_LEN];
        uint32_t ctrl;
        size_t len = kat_frame(k, fr, &ctrl);
        sn_modem_txopt o = {k < SN_RATE_COUNT ? (sn_phy_rate)k : SN_RATE_BPSK_12, ctrl};
        const sn_cf32 *iq;
        size_t n;
        if (sn_modem_tx(m, fr, len, &o, &iq, &n) != SN_OK || n + KAT_GAP > 8192) {
            rc = 1;
            break;
        }
        /* gap, then the burst */
        size_t total = KAT_GAP + n;
        for (size_t i = 0; i < total; i++) {
            sn_cf32 v = i >= KAT_GAP ? iq[i - KAT_GAP] : 0;
            double ph = 2.0 * M_PI * KAT_CFO / FS * (double)(pos + i);
            float c = (float)cos(ph), s = (float)sin(ph);
            float re = crealf(v) * c - cimagf(v) * s, im = crealf(v) * s + cimagf(v) * c;
            buf[i] = sn_cf32_make(re + (float)(sd * sn_rng_gauss(&r)) + dc_re,
                                  im + (float)(sd * sn_rng_gauss(&r)) + dc_im);
        }
        char label[64];
        snprintf(label, sizeof label, "%s ctrl 0x%08x len %zu",
                 sn_phy_rate_name(o.rate), (unsigned)ctrl, len);
        if (sn_sigmf_writer_write(w, buf, total, NULL) != SN_OK ||
            sn_sigmf_writer_annotate(w, pos + KAT_GAP, n, label, NULL, KAT_SNR) != SN_OK)
            rc = 1;
        pos += total;
    }
    /* trailing noise */
    for (size_t i = 0; i < KAT_GAP && rc == 0; i++)
        buf[i] = sn_cf32_make((float)(sd * sn_rng_gauss(&r)) + dc_re,
                              (float)(sd * sn_rng_gauss(&r)) + dc_im);
    if (rc == 0 && sn_sigmf_writer_write(w, buf, KAT_GAP, NULL) != SN_OK)
        rc = 1;
    if (sn_sigmf_writer_close(w) != SN_OK)
        rc = 1;
    sn_modem_destroy(m);
    free(buf);
    if (rc)
        fprintf(stderr, "make_kat: writing %s failed\n", base);
    return rc;
}

/* One seed: chunk byte, then n samples as native floats. */
static int write_seed(const char *dir, const char *name, uint8_t chunk, const sn_cf32 *x,
                      size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return 1;
    int bad = fwrite(&chunk, 1, 1, f) != 1 || fwrite(x, sizeof *x, n, f) != n;
    bad |= fclose(f) != 0;
    return bad;
}

static int write_fuzz(const char *dir)
{
    sn_modem *m = sn_modem_create(NULL, FS, NULL, NULL);
    sn_cf32 *x = calloc(2048, sizeof *x);
    if (!m || !x) {
        sn_modem_destroy(m);
        free(x);
        return 1;
    }
    sn_rng r;
    sn_rng_seed(&r, 7);
    int rc = 0;
    const sn_cf32 *iq;
    size_t n;
    sn_modem_txopt o = {SN_RATE_BPSK_12, 0x12345678u};
    uint8_t fr[20] = "sdrnet fuzz seed ..";
    /* header-only burst after 100 samples of noise */
    rc |= sn_modem_tx(m, NULL, 0, &o, &iq, &n) != SN_OK || n + 200 > 2048;
    if (!rc) {
        for (size_t i = 0; i < n + 200; i++)
            x[i] = sn_cf32_make((float)(0.005 * sn_rng_gauss(&r)), (float)(0.005 * sn_rng_gauss(&r)));
        for (size_t i = 0; i < n; i++)
            x[100 + i] += iq[i];
        rc |= write_seed(dir, "ack_burst", 63, x, n + 200);
    }
    o.rate = SN_RATE_QPSK_12;
    rc |= sn_modem_tx(m, fr, sizeof fr, &o, &iq, &n) != SN_OK || n + 200 > 2048;
    if (!rc) {
        for (size_t i = 0; i < n + 200; i++)
            x[i] = sn_cf32_make((float)(0.005 * sn_rng_gauss(&r)), (float)(0.005 * sn_rng_gauss(&r)));
        for (size_t i = 0; i < n; i++)
            x[100 + i] += iq[i];
        rc |= write_seed(dir, "qpsk_burst", 255, x, n + 200);
        for (size_t i = 300; i < n; i += 97)
            x[i] = sn_cf32_make(NAN, i % 2 ? INFINITY : 0.0f);
        rc |= write_seed(dir, "qpsk_burst_nan", 17, x, n + 200);
    }
    sn_modem_destroy(m);
    free(x);
    if (rc)
        fprintf(stderr, "make_kat: writing the seeds into %s failed\n", dir);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--fuzz"))
        return write_fuzz(argv[2]);
    if (argc == 2 && argv[1][0] != '-')
        return write_kat(argv[1]);
    fprintf(stderr, "usage: make_kat KAT_BASE | make_kat --fuzz CORPUS_DIR\n");
    return 2;
}
