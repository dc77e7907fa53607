/* Benchmark of phy/fec and phy/viterbi: decoded data throughput of
 * sn_fec_decode at each 802.11a code rate (depuncturing included, fastest
 * Viterbi kernel of this CPU), of each Viterbi kernel this CPU runs
 * (sn_viterbi_decode on an already depunctured rate-1/2 block), and, in the
 * same run on the same block, the reference: libfec's own decoder
 * (init_viterbi27 + update_viterbi27_blk + chainback_viterbi27). Also the
 * encoder, for scale.
 *
 *   bench_fec [--quick] [--json]
 *     --quick  0.05 s per figure instead of 0.5 s
 *     --json   one JSON object on stdout instead of the text table:
 *              {"block_bits", "kernel", "fec_decode_mbps": {rate: Mbit/s},
 *               "encode_mbps": {rate: Mbit/s}, "viterbi_mbps": {kernel:
 *               Mbit/s}, "libfec_mbps", "best_block_mbps": {"fec_decode":
 *               {rate: ...}, "viterbi": {kernel: ...}, "libfec": ...}}
 *
 * Each figure is the average over its span; the best single block is also
 * given (on a busy machine the average measures the other jobs too, the best
 * block much less so). Figures are printed, never asserted. Every decoder is
 * first checked once on a noiseless block (exit 1 if it does not give the
 * data back). */
#include <fec.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/rng.h"
#include "phy/fec.h"
#include "phy/viterbi.h"

#define NBITS 12000u /* [bits] data per block: a 1500-byte frame */
#define MAX_KERNELS 8

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Mbit/s of data over a span of repeated blocks: the average, and the best
 * single block */
typedef struct rate_pair {
    double mean, best; /* [Mbit/s] */
} rate_pair;

typedef struct timer {
    double t0, last, best_dt; /* [s] */
    unsigned long long blocks;
} timer;

static void timer_start(timer *tm)
{
    tm->t0 = tm->last = now_s();
    tm->best_dt = 1e30;
    tm->blocks = 0;
}

/* Count one block; 1 while the span is not over. */
static int timer_next(timer *tm, double span)
{
    double t = now_s();
    if (t - tm->last < tm->best_dt)
        tm->best_dt = t - tm->last;
    tm->last = t;
    tm->blocks++;
    return t - tm->t0 < span;
}

static rate_pair timer_rates(const timer *tm)
{
    rate_pair r;
    r.mean = (double)tm->blocks * NBITS / (tm->last - tm->t0) / 1e6;
    r.best = NBITS / tm->best_dt / 1e6;
    return r;
}

static uint8_t in[NBITS / 8], out[NBITS / 8];
static uint8_t bits[2 * (NBITS + SN_FEC_TAIL_BITS)], soft[2 * (NBITS + SN_FEC_TAIL_BITS)];

/* BPSK at Eb/N0 = 4 dB, rate 1/2 scaling: realistic soft values (the
 * decoders' speed does not depend on them, but branch patterns should look
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

static void noiseless_soft(size_t n)
{
    for (size_t i = 0; i < n; i++)
        soft[i] = bits[i] ? 255 : 0;
}

typedef struct figures {
    rate_pair dec[3], enc[3];       /* per code rate */
    const char *kname[MAX_KERNELS]; /* kernels run */
    rate_pair kmbps[MAX_KERNELS];
    size_t nk;
    rate_pair libfec;
    const char *kernel;             /* sn_fec's kernel */
} figures;

static int bench_fec_rates(sn_rng *r, double span, figures *fg)
{
    static const sn_fec_rate rates[3] = {SN_FEC_R12, SN_FEC_R23, SN_FEC_R34};
    for (int k = 0; k < 3; k++) {
        sn_fec *f = sn_fec_create(rates[k], NBITS);
        if (!f) {
            fprintf(stderr, "bench_fec: sn_fec_create failed\n");
            return -1;
        }
        size_t n = sn_fec_encoded_bits(f, NBITS);
        if (sn_fec_encode(f, in, NBITS, bits) != SN_OK)
            return -1;
        /* correctness once, noiseless; then time on noisy input (whose
         * decoded bits may differ from `in` at rate 3/4: not checked) */
        noiseless_soft(n);
        if (sn_fec_decode(f, soft, n, out, NBITS) != SN_OK || memcmp(out, in, sizeof in)) {
            fprintf(stderr, "bench_fec: decode failed at rate %s\n", sn_fec_rate_name(rates[k]));
            return -1;
        }
        make_soft(r, n);

        timer tm;
        timer_start(&tm);
        do {
            if (sn_fec_decode(f, soft, n, out, NBITS) != SN_OK)
                return -1;
        } while (timer_next(&tm, span));
        fg->dec[k] = timer_rates(&tm);

        timer_start(&tm);
        do {
            if (sn_fec_encode(f, in, NBITS, bits) != SN_OK)
                return -1;
        } while (timer_next(&tm, span));
        fg->enc[k] = timer_rates(&tm);
        sn_fec_destroy(f);
    }
    return 0;
}

/* Each kernel, then libfec, on the same noisy rate-1/2 block. */
static int bench_kernels(sn_rng *r, double span, figures *fg)
{
    const size_t n = 2 * (NBITS + SN_FEC_TAIL_BITS);
    sn_fec *f = sn_fec_create(SN_FEC_R12, NBITS);
    if (!f || sn_fec_encode(f, in, NBITS, bits) != SN_OK) {
        fprintf(stderr, "bench_fec: encoder failed\n");
        sn_fec_destroy(f);
        return -1;
    }
    sn_fec_destroy(f);

    for (size_t i = 0; sn_viterbi_kernel_names[i] && fg->nk < MAX_KERNELS; i++) {
        sn_viterbi *v = sn_viterbi_create_kernel(NBITS, sn_viterbi_kernel_names[i]);
        if (!v)
            continue; /* not on this CPU */
        noiseless_soft(n);
        if (sn_viterbi_decode(v, soft, n, out, NBITS) != SN_OK || memcmp(out, in, sizeof in)) {
            fprintf(stderr, "bench_fec: kernel %s failed\n", sn_viterbi_kernel(v));
            sn_viterbi_destroy(v);
            return -1;
        }
        make_soft(r, n);
        timer tm;
        timer_start(&tm);
        do {
            if (sn_viterbi_decode(v, soft, n, out, NBITS) != SN_OK) {
                sn_viterbi_destroy(v);
                return -1;
            }
        } while (timer_next(&tm, span));
        fg->kname[fg->nk] = sn_viterbi_kernel(v);
        fg->kmbps[fg->nk] = timer_rates(&tm);
        fg->nk++;
        sn_viterbi_destroy(v);
    }

    void *lf = create_viterbi27((int)NBITS);
    if (!lf) {
        fprintf(stderr, "bench_fec: create_viterbi27 failed\n");
        return -1;
    }
    noiseless_soft(n);
    if (init_viterbi27(lf, 0) != 0 || update_viterbi27_blk(lf, soft, (int)(NBITS + 6)) != 0 ||
        chainback_viterbi27(lf, out, NBITS, 0) != 0 || memcmp(out, in, sizeof in)) {
        fprintf(stderr, "bench_fec: libfec failed\n");
        delete_viterbi27(lf);
        return -1;
    }
    make_soft(r, n);
    timer tm;
    timer_start(&tm);
    do {
        if (init_viterbi27(lf, 0) != 0 ||
            update_viterbi27_blk(lf, soft, (int)(NBITS + SN_FEC_TAIL_BITS)) != 0 ||
            chainback_viterbi27(lf, out, NBITS, 0) != 0) {
            fprintf(stderr, "bench_fec: libfec failed\n");
            delete_viterbi27(lf);
            return -1;
        }
    } while (timer_next(&tm, span));
    fg->libfec = timer_rates(&tm);
    delete_viterbi27(lf);
    return 0;
}

int main(int argc, char **argv)
{
    double span = 0.5; /* [s] per figure */
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) {
            span = 0.05;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else {
            fprintf(stderr, "usage: bench_fec [--quick] [--json]\n");
            return 2;
        }
    }
    sn_rng r;
    sn_rng_seed(&r, 1);
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)sn_rng_below(&r, 256);

    figures fg;
    memset(&fg, 0, sizeof fg);
    sn_viterbi *v = sn_viterbi_create(NBITS);
    if (!v)
        return 1;
    fg.kernel = sn_viterbi_kernel(v);
    sn_viterbi_destroy(v);
    if (bench_fec_rates(&r, span, &fg) != 0 || bench_kernels(&r, span, &fg) != 0)
        return 1;

    static const char *rn[3] = {"1/2", "2/3", "3/4"};
    if (json) {
        printf("{\"block_bits\": %u, \"kernel\": \"%s\", \"fec_decode_mbps\": {", NBITS, fg.kernel);
        for (int k = 0; k < 3; k++)
            printf("%s\"%s\": %.2f", k ? ", " : "", rn[k], fg.dec[k].mean);
        printf("}, \"encode_mbps\": {");
        for (int k = 0; k < 3; k++)
            printf("%s\"%s\": %.2f", k ? ", " : "", rn[k], fg.enc[k].mean);
        printf("}, \"viterbi_mbps\": {");
        for (size_t k = 0; k < fg.nk; k++)
            printf("%s\"%s\": %.2f", k ? ", " : "", fg.kname[k], fg.kmbps[k].mean);
        printf("}, \"libfec_mbps\": %.2f, \"best_block_mbps\": {\"fec_decode\": {", fg.libfec.mean);
        for (int k = 0; k < 3; k++)
            printf("%s\"%s\": %.2f", k ? ", " : "", rn[k], fg.dec[k].best);
        printf("}, \"viterbi\": {");
        for (size_t k = 0; k < fg.nk; k++)
            printf("%s\"%s\": %.2f", k ? ", " : "", fg.kname[k], fg.kmbps[k].best);
        printf("}, \"libfec\": %.2f}}\n", fg.libfec.best);
        return 0;
    }
    printf("phy/fec benchmark: %u-bit blocks, K=7 soft Viterbi (phy/viterbi, kernel %s)\n"
           "  Mbit/s of data: average over the run [best single block]\n",
           NBITS, fg.kernel);
    for (int k = 0; k < 3; k++)
        printf("  sdrnet sn_fec_decode rate %s: %8.1f [%6.1f] Mbit/s decoded   (encode %8.1f Mbit/s)\n",
               rn[k], fg.dec[k].mean, fg.dec[k].best, fg.enc[k].mean);
    printf("  same rate-1/2 block, Viterbi alone:\n");
    for (size_t k = 0; k < fg.nk; k++)
        printf("    sdrnet kernel %-8s %8.1f [%6.1f] Mbit/s decoded  (%5.1fx libfec)\n", fg.kname[k],
               fg.kmbps[k].mean, fg.kmbps[k].best,
               fg.libfec.mean > 0 ? fg.kmbps[k].mean / fg.libfec.mean : 0.0);
    printf("    reference libfec viterbi27 (init+update_blk+chainback): %8.1f [%6.1f] Mbit/s decoded\n",
           fg.libfec.mean, fg.libfec.best);
    return 0;
}
