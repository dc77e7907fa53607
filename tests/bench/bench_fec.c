/* Benchmark of phy/fec: decoded data throughput of sn_fec_decode at each
 * 802.11a code rate, beside the reference measured in the same run: libfec's
 * own decoder (init_viterbi27 + update_viterbi27_blk + chainback_viterbi27)
 * on an already depunctured rate-1/2 block of the same size, i.e. the cost
 * of the Viterbi alone. The difference is this module's overhead
 * (depuncturing and argument checks). Also the encoder, for scale.
 *
 *   bench_fec [--quick]     (--quick: 0.05 s per figure instead of 0.5 s)
 *
 * Figures are printed, never asserted. */
#include <fec.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/rng.h"
#include "phy/fec.h"

#define NBITS 12000u /* [bits] data per block: a 1500-byte frame */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint8_t in[NBITS / 8], out[NBITS / 8];
static uint8_t bits[2 * (NBITS + SN_FEC_TAIL_BITS)], soft[2 * (NBITS + SN_FEC_TAIL_BITS)];

/* BPSK at Eb/N0 = 4 dB, rate 1/2 scaling: realistic soft values (the
 * decoder's speed does not depend on them, but branch patterns should look
 * like real traffic rather than constants) */
static void make_soft(sn_rng *r, size_t n)
{
    double sigma = 0.631; /* sqrt(1 / (2 * 0.5 * 10^0.4)) */
    for (size_t i = 0; i < n; i++) {
        double y = (bits[i] ? -1.0 : 1.0) + sigma * sn_rng_gauss(r);
        double s = 127.5 - 64.0 * y;
        soft[i] = (uint8_t)(s < 0 ? 0 : s > 255 ? 255 : s);
    }
}

int main(int argc, char **argv)
{
    double span = 0.5; /* [s] per figure */
    if (argc > 1 && strcmp(argv[1], "--quick") == 0)
        span = 0.05;
    sn_rng r;
    sn_rng_seed(&r, 1);
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)sn_rng_below(&r, 256);

    printf("phy/fec benchmark: %u-bit blocks, K=7 Viterbi (libfec)\n", NBITS);
    static const sn_fec_rate rates[3] = {SN_FEC_R12, SN_FEC_R23, SN_FEC_R34};
    for (int k = 0; k < 3; k++) {
        sn_fec *f = sn_fec_create(rates[k], NBITS);
        if (!f) {
            fprintf(stderr, "bench_fec: sn_fec_create failed\n");
            return 1;
        }
        size_t n = sn_fec_encoded_bits(f, NBITS);
        if (sn_fec_encode(f, in, NBITS, bits) != SN_OK)
            return 1;
        /* correctness once, noiseless; then time on noisy input (whose
         * decoded bits may differ from `in` at rate 3/4: not checked) */
        for (size_t i = 0; i < n; i++)
            soft[i] = bits[i] ? 255 : 0;
        if (sn_fec_decode(f, soft, n, out, NBITS) != SN_OK || memcmp(out, in, sizeof in)) {
            fprintf(stderr, "bench_fec: decode failed at rate %s\n", sn_fec_rate_name(rates[k]));
            return 1;
        }
        make_soft(&r, n);

        unsigned long long blocks = 0;
        double t0 = now_s(), t;
        do {
            if (sn_fec_decode(f, soft, n, out, NBITS) != SN_OK)
                return 1;
            blocks++;
        } while ((t = now_s() - t0) < span);
        double dec = (double)blocks * NBITS / t / 1e6;

        blocks = 0;
        t0 = now_s();
        do {
            if (sn_fec_encode(f, in, NBITS, bits) != SN_OK)
                return 1;
            blocks++;
        } while ((t = now_s() - t0) < span);
        double enc = (double)blocks * NBITS / t / 1e6;
        printf("  sdrnet sn_fec_decode rate %s: %8.1f Mbit/s decoded   (encode %8.1f Mbit/s)\n",
               sn_fec_rate_name(rates[k]), dec, enc);
        sn_fec_destroy(f);
    }

    /* reference: libfec alone on a depunctured rate-1/2 block */
    {
        sn_fec *f = sn_fec_create(SN_FEC_R12, NBITS);
        void *v = create_viterbi27((int)NBITS);
        if (!f || !v) {
            fprintf(stderr, "bench_fec: create failed\n");
            return 1;
        }
        if (sn_fec_encode(f, in, NBITS, bits) != SN_OK)
            return 1;
        make_soft(&r, 2 * (NBITS + SN_FEC_TAIL_BITS));
        unsigned long long blocks = 0;
        double t0 = now_s(), t;
        do {
            if (init_viterbi27(v, 0) != 0 ||
                update_viterbi27_blk(v, soft, (int)(NBITS + SN_FEC_TAIL_BITS)) != 0 ||
                chainback_viterbi27(v, out, NBITS, 0) != 0) {
                fprintf(stderr, "bench_fec: libfec failed\n");
                return 1;
            }
            blocks++;
        } while ((t = now_s() - t0) < span);
        printf("  reference libfec viterbi27 (init+update_blk+chainback): %8.1f Mbit/s decoded\n",
               (double)blocks * NBITS / t / 1e6);
        delete_viterbi27(v);
        sn_fec_destroy(f);
    }
    return 0;
}
