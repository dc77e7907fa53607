/* phy/viterbi: every kernel decodes exactly, all kernels agree bit for bit,
 * and the decoding quality equals libfec's and an unquantised (double)
 * Viterbi on the same noisy BPSK blocks. */
#include <fec.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/rng.h"
#include "phy/viterbi.h"
#include "sn_test.h"

/* Reference encoder straight from the standard's description: delay line
 * x[0] (current) .. x[6], generators 133 and 171 octal as tap lists. Writes
 * 2 * (nbits + 6) coded bits (0/1), A then B per input bit. */
static void ref_encode(const uint8_t *in, size_t nbits, uint8_t *out)
{
    static const int g0[7] = {1, 0, 1, 1, 0, 1, 1}; /* 133 octal = 1 011 011 */
    static const int g1[7] = {1, 1, 1, 1, 0, 0, 1}; /* 171 octal = 1 111 001 */
    int x[7] = {0};
    for (size_t i = 0; i < nbits + 6; i++) {
        for (int d = 6; d > 0; d--)
            x[d] = x[d - 1];
        x[0] = i < nbits ? (in[i / 8] >> (7 - i % 8)) & 1 : 0;
        int a = 0, b = 0;
        for (int d = 0; d < 7; d++) {
            a ^= g0[d] & x[d];
            b ^= g1[d] & x[d];
        }
        out[2 * i] = (uint8_t)a;
        out[2 * i + 1] = (uint8_t)b;
    }
}

static void random_bytes(sn_rng *r, uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)sn_rng_below(r, 256);
}

/* The packed input with the unused low bits of a last partial byte cleared:
 * what the decoder must give back. */
static void clear_tail(uint8_t *in, size_t nbits)
{
    if (nbits & 7)
        in[nbits / 8] &= (uint8_t)(0xffu << (8 - (nbits & 7)));
}

static size_t count_bit_errors(const uint8_t *a, const uint8_t *b, size_t nbits)
{
    size_t e = 0;
    for (size_t i = 0; i < nbits; i++)
        e += ((a[i / 8] ^ b[i / 8]) >> (7 - i % 8)) & 1u;
    return e;
}

/* The kernels this machine runs (portable always). */
static size_t available_kernels(const char **names, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; sn_viterbi_kernel_names[i] && n < max; i++)
        if (sn_viterbi_kernel_available(sn_viterbi_kernel_names[i]))
            names[n++] = sn_viterbi_kernel_names[i];
    return n;
}

static void test_create(void)
{
    sn_viterbi_destroy(NULL);
    CHECK(sn_viterbi_create(0) == NULL);
    CHECK(sn_viterbi_create((size_t)SN_VITERBI_MAX_BITS + 1) == NULL);
    CHECK(sn_viterbi_create_kernel(100, "neon-ish") == NULL);
    CHECK(sn_viterbi_create_kernel(100, "") == NULL);
    CHECK(!sn_viterbi_kernel_available("neon-ish"));
    CHECK(sn_viterbi_kernel_available(NULL)); /* NULL = auto */
    CHECK(sn_viterbi_kernel_available("portable"));
    CHECK(sn_viterbi_kernel_available("auto"));

    const char *names[8];
    size_t nk = available_kernels(names, 8);
    CHECK(nk >= 1);
    printf("     kernels here:");
    for (size_t i = 0; i < nk; i++)
        printf(" %s", names[i]);
    printf("\n");
    for (size_t i = 0; i < nk; i++) {
        sn_viterbi *v = sn_viterbi_create_kernel(100, names[i]);
        CHECK(v != NULL);
        if (!v)
            continue;
        CHECK(strcmp(sn_viterbi_kernel(v), names[i]) == 0);
        CHECK_EQ_INT(sn_viterbi_max_bits(v), 100);
        sn_viterbi_destroy(v);
    }
    /* auto = the first available one in the fastest-first list */
    sn_viterbi *v = sn_viterbi_create(100);
    CHECK(v != NULL);
    if (v) {
        CHECK(strcmp(sn_viterbi_kernel(v), names[0]) == 0);
        sn_viterbi_destroy(v);
    }
    v = sn_viterbi_create_kernel(100, NULL);
    CHECK(v != NULL);
    sn_viterbi_destroy(v);
}

static void test_errors(void)
{
    sn_viterbi *v = sn_viterbi_create(100);
    CHECK(v != NULL);
    if (!v)
        return;
    static uint8_t soft[2 * 107], out[16];
    memset(soft, 0, sizeof soft);
    CHECK_EQ_INT(sn_viterbi_decode(v, soft, 2 * 106, out, 100), SN_OK);
    CHECK_EQ_INT(sn_viterbi_decode(v, soft, 2 * 106 - 1, out, 100), SN_ERR_TRUNC);
    CHECK_EQ_INT(sn_viterbi_decode(v, soft, 2 * 106 + 1, out, 100), SN_ERR_TRUNC);
    CHECK_EQ_INT(sn_viterbi_decode(v, soft, 2 * 107, out, 101), SN_ERR_RANGE);
    CHECK_EQ_INT(sn_viterbi_decode(v, NULL, 2 * 106, out, 100), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_viterbi_decode(v, soft, 2 * 106, NULL, 100), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_viterbi_decode(NULL, soft, 2 * 106, out, 100), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_viterbi_decode(v, soft, 12, NULL, 0), SN_OK);
    CHECK_EQ_INT(sn_viterbi_decode(v, soft, 0, NULL, 0), SN_ERR_TRUNC);
    sn_viterbi_destroy(v);
}

/* Noiseless codewords of many lengths, with full-confidence soft bytes and
 * with the BPSK-style 128 -+ 64: every kernel gives the data back exactly,
 * clears the unused bits of a last partial byte and writes nothing beyond. */
static void test_noiseless(void)
{
    enum { MAXB = 12000 };
    static uint8_t in[MAXB / 8 + 1], out[MAXB / 8 + 2], bits[2 * (MAXB + 6)],
        soft[2 * (MAXB + 6)];
    static const size_t lens[] = {0, 1, 2, 5, 6, 7, 8, 9, 15, 16, 17, 31, 32, 33,
                                  63, 64, 65, 100, 1000, 4099, MAXB};
    const char *names[8];
    size_t nk = available_kernels(names, 8);
    sn_rng r;
    sn_rng_seed(&r, 101);
    for (size_t k = 0; k < nk; k++) {
        sn_viterbi *v = sn_viterbi_create_kernel(MAXB, names[k]);
        CHECK(v != NULL);
        if (!v)
            continue;
        for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
            for (int style = 0; style < 3; style++) {
                size_t nbits = lens[li], nbytes = (nbits + 7) / 8;
                random_bytes(&r, in, sizeof in);
                if (style == 2) /* all ones: the longest run away from state 0 */
                    memset(in, 0xff, sizeof in);
                ref_encode(in, nbits, bits);
                size_t n = 2 * (nbits + 6);
                for (size_t i = 0; i < n; i++)
                    soft[i] = style == 1 ? (bits[i] ? 192 : 64) : (bits[i] ? 255 : 0);
                memset(out, 0xa5, sizeof out);
                CHECK_EQ_INT(sn_viterbi_decode(v, soft, n, out, nbits), SN_OK);
                clear_tail(in, nbits);
                if (memcmp(out, in, nbytes) != 0) {
                    fprintf(stderr, "kernel %s, %zu bits, style %d\n", names[k], nbits, style);
                    CHECK_MEM(out, in, nbytes);
                }
                CHECK_EQ_INT(out[nbytes], 0xa5);
            }
        }
        sn_viterbi_destroy(v);
    }
}

/* Soft input for BPSK over AWGN, the phy/fec scaling (noiseless points at
 * 128 -+ 64). Also keeps the channel output y for the double reference. */
static void bpsk_awgn(sn_rng *r, const uint8_t *bits, size_t n, double sigma,
                      uint8_t *soft, double *y)
{
    for (size_t i = 0; i < n; i++) {
        double v = (bits[i] ? -1.0 : 1.0) + sigma * sn_rng_gauss(r);
        double s = 127.5 - 64.0 * v;
        soft[i] = (uint8_t)(s < 0 ? 0 : s > 255 ? 255 : s);
        if (y)
            y[i] = v;
    }
}

/* All kernels agree bit for bit on the same input: noisy BPSK from clean to
 * hopeless, uniformly random bytes, bytes from {0, 128, 255} only (many
 * exact ties) and long constant runs (the largest metric growth, which
 * would show a 16-bit overflow as a difference from the 32-bit portable
 * kernel). */
static void test_kernels_agree(void)
{
    enum { MAXB = 20000 };
    static uint8_t in[MAXB / 8], bits[2 * (MAXB + 6)], soft[2 * (MAXB + 6)];
    static uint8_t ref[MAXB / 8], out[MAXB / 8];
    const char *names[8];
    size_t nk = available_kernels(names, 8);
    sn_viterbi *v[8] = {0};
    for (size_t k = 0; k < nk; k++) {
        v[k] = sn_viterbi_create_kernel(MAXB, names[k]);
        CHECK(v[k] != NULL);
        if (!v[k])
            return;
    }
    sn_rng r;
    sn_rng_seed(&r, 102);
    size_t blocks = 0, differing = 0;
    for (int trial = 0; trial < 40; trial++) {
        size_t nbits = trial < 8 ? (size_t)sn_rng_below(&r, 70)
                                 : (size_t)sn_rng_below(&r, trial % 4 ? 3000 : MAXB + 1);
        size_t n = 2 * (nbits + 6);
        int mode = trial % 5;
        random_bytes(&r, in, sizeof in);
        ref_encode(in, nbits, bits);
        if (mode <= 1) {
            bpsk_awgn(&r, bits, n, mode ? 1.2 : 0.7, soft, NULL);
        } else if (mode == 2) {
            random_bytes(&r, soft, n);
        } else if (mode == 3) {
            static const uint8_t lv[3] = {0, 128, 255};
            for (size_t i = 0; i < n; i++)
                soft[i] = lv[sn_rng_below(&r, 3)];
        } else {
            uint8_t c = (uint8_t)sn_rng_below(&r, 256);
            for (size_t i = 0; i < n; i++) {
                if (sn_rng_below(&r, 4000) == 0)
                    c = (uint8_t)sn_rng_below(&r, 256);
                soft[i] = (i & 1) && trial % 2 ? (uint8_t)(255 - c) : c;
            }
        }
        CHECK_EQ_INT(sn_viterbi_decode(v[0], soft, n, ref, nbits), SN_OK);
        for (size_t k = 1; k < nk; k++) {
            CHECK_EQ_INT(sn_viterbi_decode(v[k], soft, n, out, nbits), SN_OK);
            if (memcmp(out, ref, (nbits + 7) / 8) != 0) {
                differing++;
                fprintf(stderr, "%s and %s differ: trial %d, %zu bits, mode %d\n",
                        names[k], names[0], trial, nbits, mode);
            }
        }
        blocks++;
    }
    printf("     %zu kernels, %zu blocks: %zu differing\n", nk, blocks, differing);
    CHECK_EQ_INT(differing, 0);
    for (size_t k = 0; k < nk; k++)
        sn_viterbi_destroy(v[k]);
}

/* An independent exact decoder for the soft bytes, written the slow and
 * obvious way: for every new state, both predecessors, expected outputs from
 * the generators' tap lists, distance metrics in 64 bits, start states other
 * than 0 impossible, ties to the predecessor whose dropped bit is 0 (the
 * documented rule), one plain traceback from state 0. */
static void ref_decode(const uint8_t *soft, size_t nbits, uint8_t *out, uint64_t *dec)
{
    static const int g0[7] = {1, 0, 1, 1, 0, 1, 1}, g1[7] = {1, 1, 1, 1, 0, 0, 1};
    const int64_t never = INT64_MAX / 4;
    int64_t pm[64], nm[64];
    for (int st = 0; st < 64; st++)
        pm[st] = st ? never : 0;
    size_t steps = nbits + 6;
    for (size_t t = 0; t < steps; t++) {
        uint64_t d = 0;
        for (int n = 0; n < 64; n++) {
            int64_t m[2];
            for (int up = 0; up < 2; up++) {
                int prev = (n >> 1) | (up << 5);
                /* delay line: x[0] = newest bit (n & 1), x[k] = bit k - 1 of prev */
                int a = 0, b = 0;
                for (int k = 0; k < 7; k++) {
                    int xk = k == 0 ? (n & 1) : (prev >> (k - 1)) & 1;
                    a ^= g0[k] & xk;
                    b ^= g1[k] & xk;
                }
                int64_t bm = (a ? 255 - soft[2 * t] : soft[2 * t]) +
                             (b ? 255 - soft[2 * t + 1] : soft[2 * t + 1]);
                m[up] = pm[prev] >= never ? never : pm[prev] + bm;
            }
            nm[n] = m[1] < m[0] ? m[1] : m[0];
            if (m[1] < m[0])
                d |= 1ull << n;
        }
        dec[t] = d;
        memcpy(pm, nm, sizeof pm);
    }
    unsigned st = 0;
    memset(out, 0, (nbits + 7) / 8);
    for (size_t t = steps; t-- > 0;) {
        if (t < nbits && (st & 1u))
            out[t / 8] |= (uint8_t)(0x80u >> (t % 8));
        st = (st >> 1) | (unsigned)((dec[t] >> st) & 1u) << 5;
    }
}

/* Every kernel equals the independent decoder bit for bit, on lengths
 * around the one where the traceback switches to 4 segments and around
 * segment boundaries, on noisy codewords and on random bytes (whose
 * survivors merge late, so guessed segment starts are often wrong and get
 * traced again: that path is checked to have run). */
static void test_vs_reference_decoder(void)
{
    enum { MAXB = 16000 };
    static uint8_t in[MAXB / 8], bits[2 * (MAXB + 6)], soft[2 * (MAXB + 6)];
    static uint8_t want[MAXB / 8 + 1], out[MAXB / 8 + 1];
    static uint64_t rdec[MAXB + 6];
    static const size_t lens[] = {1, 100, 1017, 1023, 1024, 1025, 1031, 1032, 1033,
                                  1057, 2047, 2048, 4099, 9001, MAXB};
    const char *names[8];
    size_t nk = available_kernels(names, 8);
    sn_viterbi *v[8] = {0};
    for (size_t k = 0; k < nk; k++) {
        v[k] = sn_viterbi_create_kernel(MAXB, names[k]);
        CHECK(v[k] != NULL);
        if (!v[k])
            goto out;
    }
    sn_rng r;
    sn_rng_seed(&r, 106);
    size_t cases = 0, wrong = 0;
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        for (int mode = 0; mode < 3; mode++) {
            size_t nbits = lens[li], n = 2 * (nbits + 6);
            random_bytes(&r, in, sizeof in);
            ref_encode(in, nbits, bits);
            if (mode == 2)
                random_bytes(&r, soft, n);
            else
                bpsk_awgn(&r, bits, n, mode ? 1.0 : 0.6, soft, NULL);
            ref_decode(soft, nbits, want, rdec);
            for (size_t k = 0; k < nk; k++) {
                memset(out, 0xa5, sizeof out);
                CHECK_EQ_INT(sn_viterbi_decode(v[k], soft, n, out, nbits), SN_OK);
                cases++;
                if (memcmp(out, want, (nbits + 7) / 8) != 0) {
                    wrong++;
                    fprintf(stderr, "kernel %s, %zu bits, mode %d: differs from the reference\n",
                            names[k], nbits, mode);
                }
            }
        }
    }
    printf("     %zu decodes, %zu differing from the reference decoder; segments traced again: %llu\n",
           cases, wrong, (unsigned long long)sn_viterbi_retraces(v[0]));
    CHECK_EQ_INT(wrong, 0);
    CHECK(sn_viterbi_retraces(v[0]) > 0); /* the re-trace path was exercised */
out:
    for (size_t k = 0; k < nk; k++)
        sn_viterbi_destroy(v[k]);
}

/* Exact Viterbi on the unquantised channel output: double metrics,
 * correlation of y with the expected +-1 (the ML metric for BPSK in AWGN),
 * terminated in state 0. The yardstick for "no loss from 8-bit soft input
 * and integer metrics". */
static void float_viterbi(const double *y, size_t nbits, uint8_t *out, uint64_t *dec)
{
    double pm[64], nm[64];
    /* expected A, B (+1 for a 0 bit, -1 for a 1) on the branch from the
     * lower predecessor j into 2j; the other three branches of the
     * butterfly carry the same pair or its negation (both generators tap
     * the newest and the oldest bit) */
    double ea[32], eb[32];
    for (unsigned j = 0; j < 32; j++) {
        ea[j] = __builtin_parity((2 * j) & 0x6du) ? -1.0 : 1.0;
        eb[j] = __builtin_parity((2 * j) & 0x4fu) ? -1.0 : 1.0;
    }
    for (int s = 0; s < 64; s++)
        pm[s] = s ? -1e300 : 0.0;
    size_t steps = nbits + 6;
    for (size_t t = 0; t < steps; t++) {
        uint64_t d = 0;
        for (unsigned j = 0; j < 32; j++) {
            double c = ea[j] * y[2 * t] + eb[j] * y[2 * t + 1];
            double l0 = pm[j] + c, u0 = pm[j + 32] - c; /* into 2j */
            double l1 = pm[j] - c, u1 = pm[j + 32] + c; /* into 2j + 1 */
            nm[2 * j] = u0 > l0 ? u0 : l0;
            nm[2 * j + 1] = u1 > l1 ? u1 : l1;
            d |= (uint64_t)(u0 > l0) << (2 * j) | (uint64_t)(u1 > l1) << (2 * j + 1);
        }
        dec[t] = d;
        memcpy(pm, nm, sizeof pm);
    }
    unsigned s = 0;
    memset(out, 0, (nbits + 7) / 8);
    for (size_t t = steps; t-- > 0;) {
        if (t < nbits && (s & 1u))
            out[t / 8] |= (uint8_t)(0x80u >> (t % 8));
        s = (s >> 1) | (unsigned)((dec[t] >> s) & 1u) << 5;
    }
}

/* Two error counts on the same noisy blocks agree within sampling noise:
 * 3 standard deviations of independent Poisson counts (generous: the blocks
 * are shared, so the counts are strongly correlated), plus 3 for tiny
 * counts. */
static int counts_agree(size_t a, size_t b)
{
    double d = fabs((double)a - (double)b);
    return d <= 3.0 * sqrt((double)a + (double)b) + 3.0;
}

/* BER of rate-1/2 BPSK at Eb/N0 = 2..5 dB: this decoder (fastest kernel),
 * libfec's viterbi27 and the double Viterbi on the same blocks. */
static void test_ber_vs_references(void)
{
    enum { NB = 4000 };
    static uint8_t in[NB / 8], bits[2 * (NB + 6)], soft[2 * (NB + 6)];
    static uint8_t o_sn[NB / 8], o_lf[NB / 8], o_fl[NB / 8];
    static double y[2 * (NB + 6)];
    static uint64_t fdec[NB + 6];
    static const double ebn0_db[4] = {2.0, 3.0, 4.0, 5.0};
    static const size_t nblocks[4] = {120, 250, 500, 1000}; /* 0.48 .. 4 Mbit */
    sn_viterbi *v = sn_viterbi_create(NB);
    void *lf = create_viterbi27(NB);
    CHECK(v && lf);
    if (!v || !lf) {
        sn_viterbi_destroy(v);
        if (lf)
            delete_viterbi27(lf);
        return;
    }
    sn_rng r;
    sn_rng_seed(&r, 103);
    printf("     Eb/N0  bits      errors: sdrnet(%s)  libfec  double   bits differing from libfec\n",
           sn_viterbi_kernel(v));
    for (int p = 0; p < 4; p++) {
        double sigma = sqrt(1.0 / (2.0 * 0.5 * pow(10.0, ebn0_db[p] / 10.0)));
        size_t e_sn = 0, e_lf = 0, e_fl = 0, diff = 0, total = 0;
        for (size_t b = 0; b < nblocks[p]; b++) {
            random_bytes(&r, in, sizeof in);
            ref_encode(in, NB, bits);
            bpsk_awgn(&r, bits, 2 * (NB + 6), sigma, soft, y);
            CHECK_EQ_INT(sn_viterbi_decode(v, soft, 2 * (NB + 6), o_sn, NB), SN_OK);
            CHECK(init_viterbi27(lf, 0) == 0);
            CHECK(update_viterbi27_blk(lf, soft, NB + 6) == 0);
            CHECK(chainback_viterbi27(lf, o_lf, NB, 0) == 0);
            float_viterbi(y, NB, o_fl, fdec);
            e_sn += count_bit_errors(o_sn, in, NB);
            e_lf += count_bit_errors(o_lf, in, NB);
            e_fl += count_bit_errors(o_fl, in, NB);
            diff += count_bit_errors(o_sn, o_lf, NB);
            total += NB;
        }
        printf("     %.1f dB %8zu        %8zu  %8zu  %6zu   %zu\n", ebn0_db[p], total, e_sn,
               e_lf, e_fl, diff);
        CHECK(counts_agree(e_sn, e_lf));
        CHECK(counts_agree(e_sn, e_fl));
        /* and the curve is where a K=7 soft decoder's is: 1e-3 or better at
         * 3 dB (test_fec), errors falling with every dB */
        if (p == 1)
            CHECK((double)e_sn / (double)total < 1e-3);
    }
    sn_viterbi_destroy(v);
    delete_viterbi27(lf);
}

/* Erasures: everything erased decodes, to the same bits in every kernel (128
 * is not exactly half-way, so the result is some fixed sequence); a quarter
 * erased, noiseless, still decodes exactly; and the rate-3/4 pattern of
 * erasures, noiseless. */
static void test_erasures(void)
{
    enum { NB = 3000 };
    static uint8_t in[NB / 8], out[NB / 8], first[NB / 8], bits[2 * (NB + 6)],
        soft[2 * (NB + 6)];
    const char *names[8];
    size_t nk = available_kernels(names, 8);
    sn_rng r;
    sn_rng_seed(&r, 104);
    for (size_t k = 0; k < nk; k++) {
        sn_viterbi *v = sn_viterbi_create_kernel(NB, names[k]);
        CHECK(v != NULL);
        if (!v)
            continue;
        size_t n = 2 * (NB + 6);
        memset(soft, 128, n);
        memset(out, 0x55, sizeof out);
        CHECK_EQ_INT(sn_viterbi_decode(v, soft, n, out, NB), SN_OK);
        if (k == 0)
            memcpy(first, out, sizeof out);
        CHECK_MEM(out, first, sizeof out);

        random_bytes(&r, in, sizeof in);
        ref_encode(in, NB, bits);
        for (size_t i = 0; i < n; i++)
            soft[i] = i % 4 == 3 ? 128 : bits[i] ? 255 : 0;
        CHECK_EQ_INT(sn_viterbi_decode(v, soft, n, out, NB), SN_OK);
        CHECK_MEM(out, in, sizeof out);

        for (size_t i = 0; i < NB + 6; i++) { /* 3/4: B1 and A2 of each period stolen */
            unsigned ph = (unsigned)(i % 3);
            soft[2 * i] = ph == 2 ? 128 : bits[2 * i] ? 255 : 0;
            soft[2 * i + 1] = ph == 1 ? 128 : bits[2 * i + 1] ? 255 : 0;
        }
        CHECK_EQ_INT(sn_viterbi_decode(v, soft, n, out, NB), SN_OK);
        CHECK_MEM(out, in, sizeof out);
        sn_viterbi_destroy(v);
    }
}

/* The largest block a decoder was made for (here 200 000 bits, 1.6 MB of
 * decisions) decodes, one more bit is refused; a decoder at the global
 * maximum can be made (its memory is only touched when used). */
static void test_max_length(void)
{
    enum { NB = 200000 };
    uint8_t *in = malloc(NB / 8), *out = malloc(NB / 8);
    uint8_t *bits = malloc(2 * (NB + 6) + 2);
    sn_viterbi *v = sn_viterbi_create(NB);
    CHECK(in && out && bits && v);
    if (in && out && bits && v) {
        sn_rng r;
        sn_rng_seed(&r, 105);
        random_bytes(&r, in, NB / 8);
        ref_encode(in, NB, bits);
        for (size_t i = 0; i < 2 * (NB + 6); i++)
            bits[i] = bits[i] ? 200 : 40;
        CHECK_EQ_INT(sn_viterbi_decode(v, bits, 2 * (NB + 6), out, NB), SN_OK);
        CHECK_MEM(out, in, NB / 8);
        CHECK_EQ_INT(sn_viterbi_decode(v, bits, 2 * (NB + 7), out, NB + 1), SN_ERR_RANGE);
    }
    sn_viterbi_destroy(v);
    free(in);
    free(out);
    free(bits);
    v = sn_viterbi_create(SN_VITERBI_MAX_BITS);
    CHECK(v != NULL);
    sn_viterbi_destroy(v);
}

int main(void)
{
    TEST_RUN(test_create);
    TEST_RUN(test_errors);
    TEST_RUN(test_noiseless);
    TEST_RUN(test_kernels_agree);
    TEST_RUN(test_vs_reference_decoder);
    TEST_RUN(test_erasures);
    TEST_RUN(test_max_length);
    TEST_RUN(test_ber_vs_references);
    TEST_DONE();
}
