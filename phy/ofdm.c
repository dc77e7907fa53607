/* phy/ofdm: the OFDM symbol layer (see phy/ofdm.h for the waveform).
 *
 * Energy and SNR conventions (the figures in tests and benchmarks use them):
 *  - A point of a constellation has unit mean energy; an OFDM symbol carries
 *    48 data points and 4 pilots (energy 1 each) in 64 bins, scaled so that
 *    the mean power per sample is SN_OFDM_TX_POWER.
 *  - The simulated medium's SNR is per sample: signal power over the noise
 *    power in the whole sampled band. One symbol is 80 samples (CP included)
 *    and carries n_dbps data bits, so with Eb the energy per *data* bit and
 *    N0 the noise power per sample (the noise density times fs):
 *        Eb/N0 = SNR_per_sample * 80 / n_dbps.
 *  - After the receiver's FFT, a bin's noise is 64 times the per-sample
 *    noise power and a used bin's signal is 64^2 / 52 times the per-sample
 *    signal power, so the SNR of an equalised point (Es/N0 per point) is
 *        Es/N0_point = SNR_per_sample * 64 / 52 = Eb/N0 * n_dbps / 65.
 *    ("Decoder alone" figures that ignore the cyclic prefix and the pilots
 *    use Es/N0_point = Eb/N0 * n_dbps / 48 instead: 1.32 dB apart.)
 *  - The demapper's reliability w is 1 / E|noise of y|^2, i.e. Es/N0_point
 *    for unit-energy points. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/err.h"
#include "phy/fec.h"
#include "phy/ofdm.h"

/* --- tables --- */

/* Subcarriers -26..-22, -20..-8, -6..-1, 1..6, 8..20, 22..26 as FFT bins
 * (k + 64) % 64. */
const uint8_t sn_ofdm_data_bin[SN_OFDM_NDATA] = {
    38, 39, 40, 41, 42,                                         /* -26..-22 */
    44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56,         /* -20..-8 */
    58, 59, 60, 61, 62, 63,                                     /* -6..-1 */
    1,  2,  3,  4,  5,  6,                                      /* 1..6 */
    8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,         /* 8..20 */
    22, 23, 24, 25, 26,                                         /* 22..26 */
};
const uint8_t sn_ofdm_pilot_bin[SN_OFDM_NPILOT] = {43, 57, 7, 21}; /* -21, -7, 7, 21 */

/* 802.11a's pilot polarity p_0..p_126 (17.3.5.10): the scrambler's output
 * from the all-ones state, 0 -> +1, 1 -> -1. */
static const int8_t polarity[127] = {
    1,  1,  1,  1,  -1, -1, -1, 1,  -1, -1, -1, -1, 1,  1,  -1, 1,  -1, -1, 1,  1,  -1, 1,
    1,  -1, 1,  1,  1,  1,  1,  1,  -1, 1,  1,  1,  -1, 1,  1,  -1, -1, 1,  1,  1,  -1, 1,
    -1, -1, -1, 1,  -1, 1,  -1, -1, 1,  -1, -1, 1,  1,  1,  1,  1,  -1, -1, 1,  1,  -1, -1,
    1,  -1, 1,  -1, 1,  1,  -1, -1, -1, 1,  1,  -1, -1, -1, -1, 1,  -1, -1, 1,  -1, 1,  1,
    1,  1,  -1, 1,  -1, 1,  -1, 1,  -1, -1, -1, -1, -1, 1,  -1, 1,  1,  -1, 1,  -1, 1,  1,
    1,  -1, -1, 1,  -1, -1, -1, 1,  1,  1,  -1, -1, -1, -1, -1, -1, -1,
};

void sn_ofdm_pilots(size_t n, float out[SN_OFDM_NPILOT])
{
    static const float base[SN_OFDM_NPILOT] = {1.0f, 1.0f, 1.0f, -1.0f};
    float p = (float)polarity[n % 127u];
    for (unsigned i = 0; i < SN_OFDM_NPILOT; i++)
        out[i] = base[i] * p;
}

/* --- 64-point FFT ---
 *
 * Radix-4 decimation in frequency, three stages, on split real/imaginary
 * arrays (so the compiler can vectorise the butterflies), with the
 * twiddles W^m = e^{-j 2 pi m / 64} as constant tables: no planner, no
 * state, the same bits on every call. Stage 1 works on four 16-long
 * quarters with twiddles W^{j r}, stage 2 on 4-long quarters of each
 * 16-block with W^{4 j r}, stage 3 on single points without twiddles; the
 * result is in base-4 digit-reversed order. The inverse transform is the
 * forward one on swapped real/imaginary parts (ifft(x) = swap(fft(swap(x)))).
 */
static const float tw1_re[3][16] = {
    {1.000000000f, 0.995184727f, 0.980785280f, 0.956940336f, 0.923879533f, 0.881921264f,
     0.831469612f, 0.773010453f, 0.707106781f, 0.634393284f, 0.555570233f, 0.471396737f,
     0.382683432f, 0.290284677f, 0.195090322f, 0.098017140f},
    {1.000000000f, 0.980785280f, 0.923879533f, 0.831469612f, 0.707106781f, 0.555570233f,
     0.382683432f, 0.195090322f, 0.0f, -0.195090322f, -0.382683432f, -0.555570233f,
     -0.707106781f, -0.831469612f, -0.923879533f, -0.980785280f},
    {1.000000000f, 0.956940336f, 0.831469612f, 0.634393284f, 0.382683432f, 0.098017140f,
     -0.195090322f, -0.471396737f, -0.707106781f, -0.881921264f, -0.980785280f, -0.995184727f,
     -0.923879533f, -0.773010453f, -0.555570233f, -0.290284677f}};
static const float tw1_im[3][16] = {
    {0.0f, -0.098017140f, -0.195090322f, -0.290284677f, -0.382683432f, -0.471396737f,
     -0.555570233f, -0.634393284f, -0.707106781f, -0.773010453f, -0.831469612f, -0.881921264f,
     -0.923879533f, -0.956940336f, -0.980785280f, -0.995184727f},
    {0.0f, -0.195090322f, -0.382683432f, -0.555570233f, -0.707106781f, -0.831469612f,
     -0.923879533f, -0.980785280f, -1.000000000f, -0.980785280f, -0.923879533f, -0.831469612f,
     -0.707106781f, -0.555570233f, -0.382683432f, -0.195090322f},
    {0.0f, -0.290284677f, -0.555570233f, -0.773010453f, -0.923879533f, -0.995184727f,
     -0.980785280f, -0.881921264f, -0.707106781f, -0.471396737f, -0.195090322f, 0.098017140f,
     0.382683432f, 0.634393284f, 0.831469612f, 0.956940336f}};
static const float tw2_re[3][4] = {{1.000000000f, 0.923879533f, 0.707106781f, 0.382683432f},
                                   {1.000000000f, 0.707106781f, 0.0f, -0.707106781f},
                                   {1.000000000f, 0.382683432f, -0.707106781f, -0.923879533f}};
static const float tw2_im[3][4] = {{0.0f, -0.382683432f, -0.707106781f, -0.923879533f},
                                   {0.0f, -0.707106781f, -1.000000000f, -0.707106781f},
                                   {0.0f, -0.923879533f, -0.707106781f, 0.382683432f}};
/* base-4 digit reversal of 0..63 (its own inverse) */
static const uint8_t digit_rev[64] = {
    0, 16, 32, 48, 4, 20, 36, 52, 8, 24, 40, 56, 12, 28, 44, 60,
    1, 17, 33, 49, 5, 21, 37, 53, 9, 25, 41, 57, 13, 29, 45, 61,
    2, 18, 34, 50, 6, 22, 38, 54, 10, 26, 42, 58, 14, 30, 46, 62,
    3, 19, 35, 51, 7, 23, 39, 55, 11, 27, 43, 59, 15, 31, 47, 63};

/* One radix-4 stage over a block of 4q points starting at re/im, with
 * twiddle rows twr/twi (NULL: all ones). */
static inline void radix4_block(float *restrict re, float *restrict im, unsigned q,
                                const float *twr1, const float *twi1, const float *twr2,
                                const float *twi2, const float *twr3, const float *twi3)
{
    for (unsigned j = 0; j < q; j++) {
        float ar = re[j], ai = im[j];
        float br = re[j + q], bi = im[j + q];
        float cr = re[j + 2 * q], ci = im[j + 2 * q];
        float dr = re[j + 3 * q], di = im[j + 3 * q];
        float t0r = ar + cr, t0i = ai + ci;
        float t1r = ar - cr, t1i = ai - ci;
        float t2r = br + dr, t2i = bi + di;
        /* t3 = -j (b - d) */
        float t3r = bi - di, t3i = dr - br;
        float y0r = t0r + t2r, y0i = t0i + t2i;
        float y1r = t1r + t3r, y1i = t1i + t3i;
        float y2r = t0r - t2r, y2i = t0i - t2i;
        float y3r = t1r - t3r, y3i = t1i - t3i;
        re[j] = y0r;
        im[j] = y0i;
        re[j + q] = y1r * twr1[j] - y1i * twi1[j];
        im[j + q] = y1r * twi1[j] + y1i * twr1[j];
        re[j + 2 * q] = y2r * twr2[j] - y2i * twi2[j];
        im[j + 2 * q] = y2r * twi2[j] + y2i * twr2[j];
        re[j + 3 * q] = y3r * twr3[j] - y3i * twi3[j];
        im[j + 3 * q] = y3r * twi3[j] + y3i * twr3[j];
    }
}

/* In-place forward transform of re/im, result in digit-reversed order. */
static void fft64_core(float *restrict re, float *restrict im)
{
    radix4_block(re, im, 16, tw1_re[0], tw1_im[0], tw1_re[1], tw1_im[1], tw1_re[2], tw1_im[2]);
    for (unsigned g = 0; g < 64; g += 16)
        radix4_block(re + g, im + g, 4, tw2_re[0], tw2_im[0], tw2_re[1], tw2_im[1], tw2_re[2],
                     tw2_im[2]);
    for (unsigned g = 0; g < 64; g += 4) {
        float ar = re[g], ai = im[g], br = re[g + 1], bi = im[g + 1];
        float cr = re[g + 2], ci = im[g + 2], dr = re[g + 3], di = im[g + 3];
        float t0r = ar + cr, t0i = ai + ci, t1r = ar - cr, t1i = ai - ci;
        float t2r = br + dr, t2i = bi + di, t3r = bi - di, t3i = dr - br;
        re[g] = t0r + t2r;
        im[g] = t0i + t2i;
        re[g + 1] = t1r + t3r;
        im[g + 1] = t1i + t3i;
        re[g + 2] = t0r - t2r;
        im[g + 2] = t0i - t2i;
        re[g + 3] = t1r - t3r;
        im[g + 3] = t1i - t3i;
    }
}

void sn_ofdm_fft(const sn_cf32 *in, sn_cf32 *out)
{
    float re[64], im[64];
    for (unsigned i = 0; i < 64; i++) {
        re[i] = crealf(in[i]);
        im[i] = cimagf(in[i]);
    }
    fft64_core(re, im);
    for (unsigned k = 0; k < 64; k++)
        out[k] = sn_cf32_make(re[digit_rev[k]], im[digit_rev[k]]);
}

void sn_ofdm_ifft(const sn_cf32 *in, sn_cf32 *out)
{
    float re[64], im[64];
    for (unsigned i = 0; i < 64; i++) {
        re[i] = cimagf(in[i]);
        im[i] = crealf(in[i]);
    }
    fft64_core(re, im);
    for (unsigned k = 0; k < 64; k++)
        out[k] = sn_cf32_make(im[digit_rev[k]], re[digit_rev[k]]);
}

/* --- rates --- */

unsigned sn_ofdm_dbps(sn_phy_rate rate)
{
    unsigned bpsc = sn_phy_rate_bits_per_point(rate), num, den;
    if (!bpsc)
        return 0;
    sn_phy_rate_code(rate, &num, &den);
    return SN_OFDM_NDATA * bpsc * num / den;
}

size_t sn_ofdm_nsym(sn_phy_rate rate, size_t len)
{
    unsigned dbps = sn_ofdm_dbps(rate);
    if (!dbps || len == 0 || len > SN_OFDM_MAX_LEN)
        return 0;
    size_t bits = 8 * (len + 4) + SN_FEC_TAIL_BITS;
    return (bits + dbps - 1) / dbps;
}

/* --- symbols and constellations --- */

void sn_ofdm_symbol(const sn_cf32 data[SN_OFDM_NDATA], size_t n, sn_cf32 out[SN_OFDM_SYM_LEN])
{
    sn_cf32 bins[SN_OFDM_NFFT], t[SN_OFDM_NFFT];
    float pil[SN_OFDM_NPILOT];
    for (unsigned i = 0; i < SN_OFDM_NFFT; i++)
        bins[i] = 0;
    for (unsigned i = 0; i < SN_OFDM_NDATA; i++)
        bins[sn_ofdm_data_bin[i]] = data[i];
    sn_ofdm_pilots(n, pil);
    for (unsigned i = 0; i < SN_OFDM_NPILOT; i++)
        bins[sn_ofdm_pilot_bin[i]] = sn_cf32_make(pil[i], 0.0f);
    sn_ofdm_ifft(bins, t);
    /* unnormalised IDFT: mean |t|^2 = sum of the bins' energies = 52 */
    const float g = sqrtf(SN_OFDM_TX_POWER / (float)SN_OFDM_NUSED);
    for (unsigned i = 0; i < SN_OFDM_NFFT; i++)
        out[SN_OFDM_NCP + i] = sn_cf32_make(g * crealf(t[i]), g * cimagf(t[i]));
    memcpy(out, out + SN_OFDM_NFFT, SN_OFDM_NCP * sizeof *out);
}

/* Per-axis amplitudes of 802.11a's Gray-coded PAMs (17.3.5.8), indexed by
 * the axis' bits read MSB first (the first bit is the sign: 0 negative). */
static const float pam2[2] = {-1.0f, 1.0f};
static const float pam4[4] = {-3.0f, -1.0f, 3.0f, 1.0f};
static const float pam8[8] = {-7.0f, -5.0f, -1.0f, -3.0f, 7.0f, 5.0f, 1.0f, 3.0f};

/* [1/amplitude] scale of an axis step giving unit mean energy */
static float axis_scale(unsigned bpsc)
{
    switch (bpsc) {
    case 1: return 1.0f;
    case 2: return 0.70710678f;  /* 1/sqrt(2) */
    case 4: return 0.31622777f;  /* 1/sqrt(10) */
    case 6: return 0.15430335f;  /* 1/sqrt(42) */
    default: return 0.0f;
    }
}

void sn_ofdm_map(unsigned bpsc, const uint8_t *bits, size_t npoints, sn_cf32 *out)
{
    const float s = axis_scale(bpsc);
    for (size_t p = 0; p < npoints; p++) {
        const uint8_t *b = bits + p * bpsc;
        float re, im;
        switch (bpsc) {
        case 1:
            re = pam2[b[0] & 1];
            im = 0.0f;
            break;
        case 2:
            re = pam2[b[0] & 1];
            im = pam2[b[1] & 1];
            break;
        case 4:
            re = pam4[(b[0] & 1) << 1 | (b[1] & 1)];
            im = pam4[(b[2] & 1) << 1 | (b[3] & 1)];
            break;
        case 6:
            re = pam8[(b[0] & 1) << 2 | (b[1] & 1) << 1 | (b[2] & 1)];
            im = pam8[(b[3] & 1) << 2 | (b[4] & 1) << 1 | (b[5] & 1)];
            break;
        default:
            re = im = 0.0f;
            break;
        }
        out[p] = sn_cf32_make(re * s, im * s);
    }
}

/* --- soft demapping ---
 *
 * Max-log LLR of a bit: llr = log P(0)/P(1) ~= w * (min over points with
 * the bit 1 of |y - s|^2 - min over points with the bit 0 of |y - s|^2).
 * For Gray square QAM the two axes separate, and on one axis, in units of
 * the axis step (levels +-1, +-3, ...; u = y / step, a = |u|), the
 * difference of the two nearest-point distances is piecewise linear and
 * known in closed form (no search):
 *   BPSK/QPSK:  b0: -4u
 *   16-QAM:     b0: -sgn(u) (4a + 4 max(a-2, 0))          b1: 4a - 8
 *   64-QAM:     b0: -sgn(u) (4a + 4 max(a-2,0) + 4 max(a-4,0) + 4 max(a-6,0))
 *               b1: 4a - 16 + 4 min(a-2, 0) + 4 max(a-6, 0)
 *               b2: 4 |a - 4| - 8
 * (b0 is the sign bit, 1 for positive; b1 = 1 on the inner half; b2 = 1
 * on levels 3 and 5), multiplied by step^2 to get back to the points'
 * units. The LLR becomes a soft byte as 128 - SOFT_PER_NAT * llr, rounded
 * and clipped to 0..255. */

/* [soft units per nat] The Viterbi decoder's decision does not depend on a
 * common scale of its inputs, only on their quantisation (too small: many
 * LLRs round to the same few values) and their clipping at 0/255 (too
 * large: strong and moderately strong bits look alike). Measured on
 * 1500-byte frames through AWGN, the same noise for every scale: at each
 * rate's 10-20 % PER point (600 frames) 4, 8 and 16 are within the
 * statistical noise of each other, 24 loses (PER x1.3 at BPSK to x2 at
 * 64-QAM), 32 more; at the 1 % points of bpsk-1/2 and qam64-3/4 (2000
 * frames, higher SNR, larger LLRs) 4, 8 and 12 tie. 8 sits in the middle
 * of the flat region. A noiseless BPSK point at Es/N0 = 0 dB gets
 * 128 -+ 32. */
#define SOFT_PER_NAT 8.0f

/* The demapper is branch-free (random noise would mispredict about half
 * of any data-dependent branch, and fmaxf/fminf are library calls without
 * -ffast-math): ramps are (x + |x|) / 2 (exact), the bounds work on the
 * bits of non-negative floats, which order like integers, and the final
 * clip on integers, all with integer selects (cmov). */
static inline float ramp(float x) { return 0.5f * (x + fabsf(x)); }  /* max(x, 0) */
static inline float nramp(float x) { return 0.5f * (x - fabsf(x)); } /* min(x, 0) */

static inline int32_t float_bits(float x)
{
    int32_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

/* 128 - v rounded and clipped to a soft byte; |v| < 2^30 (see the bounds
 * below), so the conversion to int is defined. Truncation rounds t >= 0
 * to nearest (the + 0.5); negative t clip to 0 anyway. */
static inline uint8_t soft_byte(float v)
{
    int32_t i = (int32_t)(128.5f - v);
    i = i < 0 ? 0 : i;
    i = i > 255 ? 255 : i;
    return (uint8_t)i;
}

/* Axis coordinate in steps, |y| bounded to 1e3 first (an equalised point
 * a thousand times the constellation's size says no more than one at
 * 1e3): |u| <= 6.5e3, every distance difference below |L| <= 1.1e5. A NaN
 * comes out as +-1e3 (finite; its gain is 0). */
static inline float axis_units(float y, float inv_step)
{
    int32_t b = float_bits(y), m = b & 0x7FFFFFFF;
    m = m > 0x447A0000 ? 0x447A0000 : m; /* 1e3f */
    b = (b & (int32_t)0x80000000) | m;
    memcpy(&y, &b, sizeof y);
    return y * inv_step;
}

/* [soft units per unit of distance difference] c = SOFT_PER_NAT * w * step^2
 * for a usable point, 0 (all bits erased) when y or w is not finite or
 * w <= 0. c is bounded to 1e3 so that c * L stays below 2^30: at that gain
 * (Es/N0 of 21 dB at BPSK, 37 dB at 64-QAM) a point 1/1000 of a step off
 * a decision boundary already gets a soft value of its own, so the bound
 * only saturates what is certain. The tests are on the bits (finite: the
 * exponent not all ones; w > 0: a positive int below +Inf's bits). */
static inline float point_gain(float yr, float yi, float w, float step2)
{
    int32_t br = float_bits(yr) & 0x7FFFFFFF, bi = float_bits(yi) & 0x7FFFFFFF;
    int32_t bw = float_bits(w);
    int32_t ok = (br < 0x7F800000) & (bi < 0x7F800000) & (bw > 0) & (bw < 0x7F800000);
    int32_t c = float_bits(SOFT_PER_NAT * w * step2); /* may be Inf/NaN when !ok */
    c = c > 0x447A0000 ? 0x447A0000 : c;              /* 1e3f */
    c &= -ok;
    float g;
    memcpy(&g, &c, sizeof g);
    return g;
}

/* The demapper works on blocks of DEMAP_BLOCK points and writes its soft
 * bytes bit plane by bit plane: out[k * DEMAP_BLOCK + l] is bit k of point
 * l of the block. Planes let SIMD lanes hold one bit of several points
 * (interleaved bytes would need a byte shuffle per point); the callers
 * put the planes in order, sn_ofdm_decode_symbol straight through its
 * deinterleaver table. */
#define DEMAP_BLOCK 16
_Static_assert(SN_OFDM_NDATA % DEMAP_BLOCK == 0, "a symbol is whole blocks");

/* Inlined into each constant-bpsc caller (GCC's size limits would keep one
 * generic copy that tests bpsc per point or group and keeps the SIMD planes
 * in memory). */
#if defined(__GNUC__)
#define DEMAP_INLINE static inline __attribute__((always_inline))
#else
#define DEMAP_INLINE static inline
#endif

/* One axis into bpsc / 2 soft bytes, bit k of the axis at o[k * bs]. */
static inline void demap_pam2(float u, float c, uint8_t *o)
{
    o[0] = soft_byte(-4.0f * c * u);
}

static inline void demap_pam4(float u, float c, uint8_t *o, size_t bs)
{
    float a = fabsf(u);
    float g0 = 4.0f * a + 4.0f * ramp(a - 2.0f);
    o[0] = soft_byte(-c * copysignf(g0, u));
    o[bs] = soft_byte(c * (4.0f * a - 8.0f));
}

static inline void demap_pam8(float u, float c, uint8_t *o, size_t bs)
{
    float a = fabsf(u);
    float g0 = 4.0f * (a + ramp(a - 2.0f) + ramp(a - 4.0f) + ramp(a - 6.0f));
    float l1 = 4.0f * (a - 4.0f + nramp(a - 2.0f) + ramp(a - 6.0f));
    float l2 = 4.0f * fabsf(a - 4.0f) - 8.0f;
    o[0] = soft_byte(-c * copysignf(g0, u));
    o[bs] = soft_byte(c * l1);
    o[2 * bs] = soft_byte(c * l2);
}

/* n points one at a time, bit k of point p to out[p * ps + k * bs]: planes
 * (ps 1, bs DEMAP_BLOCK) or the points' order (ps bpsc, bs 1). Any target;
 * the reference the SIMD kernel must match bit for bit, and the tail of a
 * block-unaligned call. */
DEMAP_INLINE void demap_points(unsigned bpsc, float inv, float step2, const sn_cf32 *y,
                               const float *w, size_t n, uint8_t *out, size_t ps, size_t bs)
{
    for (size_t p = 0; p < n; p++) {
        float yr = crealf(y[p]), yi = cimagf(y[p]);
        float c = point_gain(yr, yi, w[p], step2);
        float ur = axis_units(yr, inv), ui = axis_units(yi, inv);
        uint8_t *o = out + p * ps;
        switch (bpsc) {
        case 1:
            demap_pam2(ur, c, o);
            break;
        case 2:
            demap_pam2(ur, c, o);
            demap_pam2(ui, c, o + bs);
            break;
        case 4:
            demap_pam4(ur, c, o, bs);
            demap_pam4(ui, c, o + 2 * bs, bs);
            break;
        default: /* 6 */
            demap_pam8(ur, c, o, bs);
            demap_pam8(ui, c, o + 3 * bs, bs);
            break;
        }
    }
}

#if defined(__SSE2__)
/* The same arithmetic as the scalar functions above, four points per
 * register and operation by operation in the same order (no FMA, no
 * reassociation), so every rounding and every soft byte is the same:
 *  - axis_units: minps(|y|, 1e3) returns its second operand when |y| is
 *    NaN, like the integer bound on the bits; the axis is kept as
 *    magnitude and sign, which only moves sign bits (exact);
 *  - point_gain: when the point is usable, the gain is positive or +Inf
 *    and minps bounds it like the integer compare; otherwise it is masked
 *    to 0 anyway;
 *  - soft_byte: |v| < 2^30 as before, so cvttps2dq converts exactly
 *    (truncation), and packssdw + packuswb clip to 0..255 like the two
 *    integer selects. */
#include <emmintrin.h>

static inline __m128 v_ramp(__m128 x, __m128 absm)
{
    return _mm_mul_ps(_mm_set1_ps(0.5f), _mm_add_ps(x, _mm_and_ps(x, absm)));
}

static inline __m128 v_nramp(__m128 x, __m128 absm)
{
    return _mm_mul_ps(_mm_set1_ps(0.5f), _mm_sub_ps(x, _mm_and_ps(x, absm)));
}

static inline __m128i v_soft(__m128 v)
{
    return _mm_cvttps_epi32(_mm_sub_ps(_mm_set1_ps(128.5f), v));
}

/* A full block of DEMAP_BLOCK points. */
DEMAP_INLINE void demap_block_sse2(unsigned bpsc, float inv, float step2, const sn_cf32 *y,
                                   const float *w, uint8_t *out)
{
    const __m128 absm = _mm_castsi128_ps(_mm_set1_epi32(0x7FFFFFFF));
    const __m128i fin = _mm_set1_epi32(0x7F800000);
    const __m128 k1e3 = _mm_set1_ps(1e3f), vinv = _mm_set1_ps(inv);
    const __m128 four = _mm_set1_ps(4.0f), two = _mm_set1_ps(2.0f), eight = _mm_set1_ps(8.0f);
    const __m128 six = _mm_set1_ps(6.0f);
    __m128i s[6][DEMAP_BLOCK / 4];
    const float *yf = (const float *)(const void *)y; /* sn_cf32 is float[2] */
    for (unsigned g = 0; g < DEMAP_BLOCK / 4; g++) {
        __m128 lo = _mm_loadu_ps(yf + 8 * g), hi = _mm_loadu_ps(yf + 8 * g + 4);
        __m128 yr = _mm_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
        __m128 yi = _mm_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1));
        __m128 wv = _mm_loadu_ps(w + 4 * g);
        /* point_gain */
        __m128i br = _mm_castps_si128(_mm_and_ps(yr, absm));
        __m128i bi = _mm_castps_si128(_mm_and_ps(yi, absm));
        __m128i bw = _mm_castps_si128(wv);
        __m128i ok = _mm_and_si128(_mm_cmpgt_epi32(fin, br), _mm_cmpgt_epi32(fin, bi));
        ok = _mm_and_si128(ok, _mm_cmpgt_epi32(bw, _mm_setzero_si128()));
        ok = _mm_and_si128(ok, _mm_cmpgt_epi32(fin, bw));
        __m128 c = _mm_mul_ps(_mm_mul_ps(_mm_set1_ps(SOFT_PER_NAT), wv), _mm_set1_ps(step2));
        c = _mm_and_ps(_mm_min_ps(c, k1e3), _mm_castsi128_ps(ok));
        /* axis_units as magnitude m = |u| and the sign bit of y: u = m | sy */
        __m128 sg = _mm_andnot_ps(absm, _mm_set1_ps(-0.0f));
        __m128 mr = _mm_mul_ps(_mm_min_ps(_mm_and_ps(yr, absm), k1e3), vinv);
        __m128 mi = _mm_mul_ps(_mm_min_ps(_mm_and_ps(yi, absm), k1e3), vinv);
        __m128 sr = _mm_and_ps(yr, sg), si = _mm_and_ps(yi, sg);
        /* -c * copysignf(g0, u) with g0 >= +0 (a sum of terms >= +0; the ramps
         * give +0, not -0, below their knee) is (-c with u's sign flipped in)
         * * g0: IEEE products round the magnitude whatever the signs */
        __m128 nc = _mm_xor_ps(c, sg);
        const unsigned half = bpsc / 2;
        for (unsigned ax = 0; ax < (bpsc == 1 ? 1u : 2u); ax++) {
            __m128 a = ax ? mi : mr, su = ax ? si : sr;
            __m128i *o = &s[ax * half][g];
            if (bpsc <= 2) {
                o[0] = v_soft(_mm_mul_ps(_mm_mul_ps(_mm_set1_ps(-4.0f), c), _mm_or_ps(a, su)));
            } else if (bpsc == 4) {
                __m128 a4x = _mm_mul_ps(four, a);
                __m128 g0 = _mm_add_ps(a4x, _mm_mul_ps(four, v_ramp(_mm_sub_ps(a, two), absm)));
                o[0] = v_soft(_mm_mul_ps(_mm_xor_ps(nc, su), g0));
                o[DEMAP_BLOCK / 4] = v_soft(_mm_mul_ps(c, _mm_sub_ps(a4x, eight)));
            } else {
                __m128 a2 = _mm_sub_ps(a, two), a4 = _mm_sub_ps(a, four), a6 = _mm_sub_ps(a, six);
                __m128 g0 = _mm_add_ps(_mm_add_ps(a, v_ramp(a2, absm)), v_ramp(a4, absm));
                g0 = _mm_mul_ps(four, _mm_add_ps(g0, v_ramp(a6, absm)));
                __m128 l1 = _mm_add_ps(_mm_add_ps(a4, v_nramp(a2, absm)), v_ramp(a6, absm));
                l1 = _mm_mul_ps(four, l1);
                __m128 l2 = _mm_sub_ps(_mm_mul_ps(four, _mm_and_ps(a4, absm)), eight);
                o[0] = v_soft(_mm_mul_ps(_mm_xor_ps(nc, su), g0));
                o[DEMAP_BLOCK / 4] = v_soft(_mm_mul_ps(c, l1));
                o[2 * (DEMAP_BLOCK / 4)] = v_soft(_mm_mul_ps(c, l2));
            }
        }
    }
    for (unsigned k = 0; k < bpsc; k++) {
        __m128i a = _mm_packs_epi32(s[k][0], s[k][1]), b = _mm_packs_epi32(s[k][2], s[k][3]);
        _mm_storeu_si128((__m128i *)(void *)(out + k * DEMAP_BLOCK), _mm_packus_epi16(a, b));
    }
}
#endif

/* Planes of n <= DEMAP_BLOCK points. */
DEMAP_INLINE void demap_block(unsigned bpsc, float inv, float step2, const sn_cf32 *y,
                              const float *w, size_t n, uint8_t *out)
{
#if defined(__SSE2__)
    if (n == DEMAP_BLOCK) {
        demap_block_sse2(bpsc, inv, step2, y, w, out);
        return;
    }
#endif
    demap_points(bpsc, inv, step2, y, w, n, out, 1, DEMAP_BLOCK);
}

#if defined(__SSE2__)
static inline __m128i load_plane(const uint8_t *pl, unsigned k)
{
    return _mm_loadu_si128((const __m128i *)(const void *)(pl + k * DEMAP_BLOCK));
}

static inline void store16(uint8_t *d, __m128i v)
{
    _mm_storeu_si128((__m128i *)(void *)d, v);
}

/* A full block's planes back to the points' order with byte, 16-bit and
 * 32-bit interleaves (SSE2 has no byte shuffle). */
DEMAP_INLINE void unplane_sse2(unsigned bpsc, const uint8_t *pl, uint8_t *soft)
{
    switch (bpsc) {
    case 1:
        memcpy(soft, pl, DEMAP_BLOCK);
        break;
    case 2: {
        __m128i p0 = load_plane(pl, 0), p1 = load_plane(pl, 1);
        store16(soft, _mm_unpacklo_epi8(p0, p1));
        store16(soft + 16, _mm_unpackhi_epi8(p0, p1));
        break;
    }
    case 4: {
        __m128i p0 = load_plane(pl, 0), p1 = load_plane(pl, 1);
        __m128i p2 = load_plane(pl, 2), p3 = load_plane(pl, 3);
        __m128i a = _mm_unpacklo_epi8(p0, p1), b = _mm_unpacklo_epi8(p2, p3);
        store16(soft, _mm_unpacklo_epi16(a, b));
        store16(soft + 16, _mm_unpackhi_epi16(a, b));
        a = _mm_unpackhi_epi8(p0, p1);
        b = _mm_unpackhi_epi8(p2, p3);
        store16(soft + 32, _mm_unpacklo_epi16(a, b));
        store16(soft + 48, _mm_unpackhi_epi16(a, b));
        break;
    }
    default: { /* 6: each point as 8 bytes (6 + 2 zero), stored 6 apart */
        __m128i z = _mm_setzero_si128();
        __m128i q[4];
        for (unsigned h = 0; h < 2; h++) {
            __m128i p0 = load_plane(pl, 0), p1 = load_plane(pl, 1), p2 = load_plane(pl, 2);
            __m128i p3 = load_plane(pl, 3), p4 = load_plane(pl, 4), p5 = load_plane(pl, 5);
            __m128i a = h ? _mm_unpackhi_epi8(p0, p1) : _mm_unpacklo_epi8(p0, p1);
            __m128i b = h ? _mm_unpackhi_epi8(p2, p3) : _mm_unpacklo_epi8(p2, p3);
            __m128i c = h ? _mm_unpackhi_epi8(p4, p5) : _mm_unpacklo_epi8(p4, p5);
            __m128i ab = _mm_unpacklo_epi16(a, b), c0 = _mm_unpacklo_epi16(c, z);
            q[0] = _mm_unpacklo_epi32(ab, c0);
            q[1] = _mm_unpackhi_epi32(ab, c0);
            ab = _mm_unpackhi_epi16(a, b);
            c0 = _mm_unpackhi_epi16(c, z);
            q[2] = _mm_unpacklo_epi32(ab, c0);
            q[3] = _mm_unpackhi_epi32(ab, c0);
            /* q[i] holds points 8h + 2i (low half) and 8h + 2i + 1 */
            for (unsigned i = 0; i < 4; i++) {
                size_t pt = 8 * h + 2 * i;
                _mm_storel_epi64((__m128i *)(void *)(soft + 6 * pt), q[i]);
                if (pt + 1 < DEMAP_BLOCK - 1) {
                    _mm_storel_epi64((__m128i *)(void *)(soft + 6 * pt + 6),
                                     _mm_unpackhi_epi64(q[i], q[i]));
                } else { /* the last point: 8 bytes would overrun */
                    uint8_t last[8];
                    _mm_storel_epi64((__m128i *)(void *)last, _mm_unpackhi_epi64(q[i], q[i]));
                    memcpy(soft + 6 * pt + 6, last, 6);
                }
            }
        }
        break;
    }
    }
}
#endif

/* Planes of a block back to the points' order. */
DEMAP_INLINE void unplane(unsigned bpsc, const uint8_t *pl, size_t n, uint8_t *soft)
{
#if defined(__SSE2__)
    if (n == DEMAP_BLOCK) {
        unplane_sse2(bpsc, pl, soft);
        return;
    }
#endif
    for (size_t p = 0; p < n; p++)
        for (unsigned k = 0; k < bpsc; k++)
            soft[p * bpsc + k] = pl[k * DEMAP_BLOCK + p];
}

DEMAP_INLINE void demap_run(unsigned bpsc, float inv, float step2, const sn_cf32 *y,
                            const float *w, size_t npoints, uint8_t *soft)
{
#if !defined(__SSE2__)
    /* no SIMD kernel: straight to the points' order */
    demap_points(bpsc, inv, step2, y, w, npoints, soft, bpsc, 1);
#else
    uint8_t pl[6 * DEMAP_BLOCK];
    for (size_t p = 0; p < npoints; p += DEMAP_BLOCK) {
        size_t n = npoints - p < DEMAP_BLOCK ? npoints - p : DEMAP_BLOCK;
        demap_block(bpsc, inv, step2, y + p, w + p, n, pl);
        unplane(bpsc, pl, n, soft + bpsc * p);
    }
#endif
}

void sn_ofdm_demap(unsigned bpsc, const sn_cf32 *y, const float *w, size_t npoints,
                   uint8_t *soft)
{
    const float step = axis_scale(bpsc);
    if (step == 0.0f)
        return;
    const float inv = 1.0f / step, step2 = step * step;
    /* a constant bpsc per copy of the inlined loop: the compiler drops the
     * other modulations' code and keeps the planes in registers */
    switch (bpsc) {
    case 1: demap_run(1, inv, step2, y, w, npoints, soft); break;
    case 2: demap_run(2, inv, step2, y, w, npoints, soft); break;
    case 4: demap_run(4, inv, step2, y, w, npoints, soft); break;
    default: demap_run(6, inv, step2, y, w, npoints, soft); break;
    }
}

/* Nearest level of an M-level PAM (levels +-1, ..., +-(M-1)) to u. */
static inline float nearest_level(float u, float top)
{
    float v = 2.0f * floorf(u * 0.5f) + 1.0f;
    if (v > top)
        v = top;
    if (v < -top)
        v = -top;
    return v;
}

float sn_ofdm_error2(unsigned bpsc, sn_cf32 y)
{
    const float step = axis_scale(bpsc);
    float yr = crealf(y), yi = cimagf(y);
    if (step == 0.0f || !isfinite(yr) || !isfinite(yi))
        return INFINITY;
    if (bpsc == 1) {
        float er = yr - (yr >= 0.0f ? 1.0f : -1.0f);
        return er * er + yi * yi;
    }
    const float top = bpsc == 2 ? 1.0f : bpsc == 4 ? 3.0f : 7.0f;
    float ur = yr / step, ui = yi / step;
    float er = ur - nearest_level(ur, top), ei = ui - nearest_level(ui, top);
    return (er * er + ei * ei) * step * step;
}

/* --- header and frame codec --- */

#define HDR_BITS 66u      /* [bits] version..CRC, before the encoder's tail */
#define HDR_CRC_BITS 50u  /* [bits] covered by the header's CRC-16 */
#define HDR_BYTES ((HDR_BITS + 7) / 8)
#define HDR_CODED (SN_OFDM_HDR_SYMS * SN_OFDM_NDATA) /* [coded bits] BPSK 1/2 */
#define MAX_CBPS (SN_OFDM_NDATA * 6u)                /* [coded bits] per symbol */

/* 802.11a's scrambler (x^7 + x^4 + 1) from state 0x5D, as packed bytes
 * (MSB first): its sequence has period 127 bits, so 127 bytes (1016 bits)
 * repeat exactly, and byte j of the stream is scrambled with entry j % 127.
 * State convention: bit 6 holds x7 and bit 3 x4; each step the output
 * x7 ^ x4 is shifted in at bit 0 (0x5D = 1011101 reads the same both ways). */
static const uint8_t scrambler[127] = {
    0x6c, 0x19, 0xa9, 0xcf, 0x68, 0x55, 0xf4, 0xa3, 0x71, 0xfc, 0x3b, 0xcb, 0x24, 0x08, 0x98,
    0xba, 0xd8, 0x33, 0x53, 0x9e, 0xd0, 0xab, 0xe9, 0x46, 0xe3, 0xf8, 0x77, 0x96, 0x48, 0x11,
    0x31, 0x75, 0xb0, 0x66, 0xa7, 0x3d, 0xa1, 0x57, 0xd2, 0x8d, 0xc7, 0xf0, 0xef, 0x2c, 0x90,
    0x22, 0x62, 0xeb, 0x60, 0xcd, 0x4e, 0x7b, 0x42, 0xaf, 0xa5, 0x1b, 0x8f, 0xe1, 0xde, 0x59,
    0x20, 0x44, 0xc5, 0xd6, 0xc1, 0x9a, 0x9c, 0xf6, 0x85, 0x5f, 0x4a, 0x37, 0x1f, 0xc3, 0xbc,
    0xb2, 0x40, 0x89, 0x8b, 0xad, 0x83, 0x35, 0x39, 0xed, 0x0a, 0xbe, 0x94, 0x6e, 0x3f, 0x87,
    0x79, 0x64, 0x81, 0x13, 0x17, 0x5b, 0x06, 0x6a, 0x73, 0xda, 0x15, 0x7d, 0x28, 0xdc, 0x7f,
    0x0e, 0xf2, 0xc9, 0x02, 0x26, 0x2e, 0xb6, 0x0c, 0xd4, 0xe7, 0xb4, 0x2a, 0xfa, 0x51, 0xb8,
    0xfe, 0x1d, 0xe5, 0x92, 0x04, 0x4c, 0x5d,
};

static void scramble(uint8_t *b, size_t n)
{
    for (size_t j = 0, s = 0; j < n; j++) {
        b[j] ^= scrambler[s];
        if (++s == 127)
            s = 0;
    }
}

struct sn_ofdm_codec {
    size_t max_len;     /* [bytes] */
    sn_fec *fec[3];     /* by sn_fec_rate */
    uint8_t *packed;    /* PSDU bits, packed MSB first */
    size_t packed_cap;  /* [bytes] */
    uint8_t *coded;     /* coded bits (tx) or soft bytes (rx), whole frame */
    size_t coded_cap;   /* [coded bits] */
    uint8_t tmp[MAX_CBPS];
    /* the 802.11a interleaver of each modulation as a table: coded bit
     * perm[m][j] of a symbol goes to position j (phy/fec's functions
     * derive it per call, several times slower than the Viterbi per bit) */
    uint16_t perm[4][MAX_CBPS];
    /* the receive side's deinterleaver in the demapper's plane order: soft
     * byte j of demap_block's output for the symbol (block j / (16 bpsc),
     * plane, point) goes to position rperm[m][j] */
    uint16_t rperm[4][MAX_CBPS];
    /* frame being received (sn_ofdm_decode_begin) */
    int active;
    sn_ofdm_header h;
    size_t nsym;
};

/* Row of codec->perm for a modulation (bpsc 1, 2, 4, 6). */
static unsigned perm_row(unsigned bpsc) { return bpsc == 1 ? 0 : bpsc == 2 ? 1 : bpsc == 4 ? 2 : 3; }

/* Tabulate phy/fec's interleaver (the one definition of it) by
 * interleaving the positions' low and high bytes. */
static int make_perm(sn_ofdm_codec *c)
{
    static const unsigned bpscs[4] = {1, 2, 4, 6};
    uint8_t lo[MAX_CBPS], hi[MAX_CBPS], olo[MAX_CBPS], ohi[MAX_CBPS];
    for (unsigned i = 0; i < MAX_CBPS; i++) {
        lo[i] = (uint8_t)(i & 0xFFu);
        hi[i] = (uint8_t)(i >> 8);
    }
    for (unsigned m = 0; m < 4; m++) {
        size_t n = SN_OFDM_NDATA * bpscs[m];
        if (sn_fec_interleave(n, bpscs[m], lo, olo, n) != SN_OK ||
            sn_fec_interleave(n, bpscs[m], hi, ohi, n) != SN_OK)
            return SN_ERR_INVAL;
        for (size_t j = 0; j < n; j++) {
            c->perm[m][j] = (uint16_t)(ohi[j] << 8 | olo[j]);
            if (c->perm[m][j] >= n)
                return SN_ERR_INVAL;
        }
        for (size_t j = 0; j < n; j++) {
            size_t b = j / (DEMAP_BLOCK * bpscs[m]), r = j % (DEMAP_BLOCK * bpscs[m]);
            size_t k = r / DEMAP_BLOCK, p = b * DEMAP_BLOCK + r % DEMAP_BLOCK;
            c->rperm[m][j] = c->perm[m][p * bpscs[m] + k];
        }
    }
    return SN_OK;
}

static sn_fec_rate fec_rate(sn_phy_rate r)
{
    unsigned num, den;
    sn_phy_rate_code(r, &num, &den);
    return num == 1 ? SN_FEC_R12 : num == 2 ? SN_FEC_R23 : SN_FEC_R34;
}

/* [bits] PSDU + padding of a frame: everything the encoder gets but the tail */
static size_t data_bits(sn_phy_rate r, size_t len)
{
    size_t nsym = sn_ofdm_nsym(r, len);
    return nsym ? nsym * sn_ofdm_dbps(r) - SN_FEC_TAIL_BITS : 0;
}

sn_ofdm_codec *sn_ofdm_codec_create(size_t max_len)
{
    if (max_len > SN_OFDM_MAX_LEN)
        return NULL;
    sn_ofdm_codec *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->max_len = max_len;
    size_t maxbits = HDR_BITS, maxcoded = HDR_CODED;
    for (unsigned r = 0; r < SN_RATE_COUNT; r++) {
        size_t nsym = sn_ofdm_nsym((sn_phy_rate)r, max_len);
        size_t nb = data_bits((sn_phy_rate)r, max_len);
        size_t nc = nsym * SN_OFDM_NDATA * sn_phy_rate_bits_per_point((sn_phy_rate)r);
        if (nb > maxbits)
            maxbits = nb;
        if (nc > maxcoded)
            maxcoded = nc;
    }
    c->packed_cap = (maxbits + 7) / 8;
    c->coded_cap = maxcoded;
    c->packed = malloc(c->packed_cap);
    c->coded = malloc(c->coded_cap);
    static const sn_fec_rate fr[3] = {SN_FEC_R12, SN_FEC_R23, SN_FEC_R34};
    for (unsigned i = 0; i < 3; i++)
        c->fec[i] = sn_fec_create(fr[i], maxbits);
    if (!c->packed || !c->coded || !c->fec[0] || !c->fec[1] || !c->fec[2] ||
        make_perm(c) != SN_OK) {
        sn_ofdm_codec_destroy(c);
        return NULL;
    }
    return c;
}

void sn_ofdm_codec_destroy(sn_ofdm_codec *c)
{
    if (!c)
        return;
    for (unsigned i = 0; i < 3; i++)
        sn_fec_destroy(c->fec[i]);
    free(c->packed);
    free(c->coded);
    free(c);
}

/* Append the `n` low bits of v, MSB first, at bit position *pos of b. */
static void put_bits(uint8_t *b, size_t *pos, uint32_t v, unsigned n)
{
    for (unsigned i = n; i-- > 0; (*pos)++)
        if ((v >> i) & 1u)
            b[*pos / 8] |= (uint8_t)(0x80u >> (*pos % 8));
}

static uint32_t get_bits(const uint8_t *b, size_t *pos, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++, (*pos)++)
        v = v << 1 | ((b[*pos / 8] >> (7 - *pos % 8)) & 1u);
    return v;
}

/* CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final
 * xor) over the first nbits bits of b, MSB first. */
static uint16_t crc16_bits(const uint8_t *b, size_t nbits)
{
    uint16_t crc = 0xFFFF;
    for (size_t i = 0; i < nbits; i++) {
        unsigned bit = (b[i / 8] >> (7 - i % 8)) & 1u;
        unsigned fb = ((crc >> 15) & 1u) ^ bit;
        crc = (uint16_t)(crc << 1);
        if (fb)
            crc ^= 0x1021;
    }
    return crc;
}

static int header_valid(const sn_ofdm_codec *c, const sn_ofdm_header *h)
{
    if (!c || !h || (unsigned)h->rate >= SN_RATE_COUNT)
        return SN_ERR_INVAL;
    if (h->len > c->max_len)
        return SN_ERR_RANGE;
    return SN_OK;
}

/* Interleave (802.11a, per symbol) and map nsym symbols of coded bits. */
static void map_symbols(sn_ofdm_codec *c, unsigned bpsc, const uint8_t *coded, size_t nsym,
                        sn_cf32 *points)
{
    const size_t ncbps = SN_OFDM_NDATA * bpsc;
    const uint16_t *perm = c->perm[perm_row(bpsc)];
    for (size_t s = 0; s < nsym; s++) {
        const uint8_t *in = coded + s * ncbps;
        for (size_t j = 0; j < ncbps; j++)
            c->tmp[j] = in[perm[j]];
        sn_ofdm_map(bpsc, c->tmp, SN_OFDM_NDATA, points + s * SN_OFDM_NDATA);
    }
}

int sn_ofdm_encode(sn_ofdm_codec *c, const sn_ofdm_header *h, const uint8_t *frame,
                   sn_cf32 *points)
{
    int err = header_valid(c, h);
    if (err)
        return err;
    if (!points || (h->len && !frame))
        return SN_ERR_INVAL;

    /* header: not scrambled, BPSK 1/2 */
    uint8_t hb[HDR_BYTES] = {0};
    uint8_t hc[HDR_CODED];
    size_t pos = 0;
    put_bits(hb, &pos, 0, 2);
    put_bits(hb, &pos, (uint32_t)h->rate, 4);
    put_bits(hb, &pos, h->len, 12);
    put_bits(hb, &pos, h->ctrl, 32);
    put_bits(hb, &pos, crc16_bits(hb, HDR_CRC_BITS), 16);
    if (sn_fec_encode(c->fec[SN_FEC_R12], hb, HDR_BITS, hc) != SN_OK)
        return SN_ERR_INVAL;
    map_symbols(c, 1, hc, SN_OFDM_HDR_SYMS, points);
    if (h->len == 0)
        return SN_OK;

    /* data: frame | CRC-32 LSB first | zero pad, scrambled, encoded */
    size_t nsym = sn_ofdm_nsym(h->rate, h->len);
    size_t nbits = data_bits(h->rate, h->len), nbytes = (nbits + 7) / 8;
    unsigned bpsc = sn_phy_rate_bits_per_point(h->rate);
    memcpy(c->packed, frame, h->len);
    uint32_t crc = (uint32_t)crc32(0L, frame, (uInt)h->len);
    for (unsigned i = 0; i < 4; i++)
        c->packed[h->len + i] = (uint8_t)(crc >> (8 * i));
    memset(c->packed + h->len + 4, 0, nbytes - (h->len + 4));
    scramble(c->packed, nbytes);
    sn_fec *f = c->fec[fec_rate(h->rate)];
    if (sn_fec_encode(f, c->packed, nbits, c->coded) != SN_OK)
        return SN_ERR_INVAL;
    map_symbols(c, bpsc, c->coded, nsym, points + HDR_CODED);
    return SN_OK;
}

int sn_ofdm_decode_header(sn_ofdm_codec *c, const sn_cf32 *y, const float *w,
                          sn_ofdm_header *h)
{
    if (!c || !y || !w || !h)
        return SN_ERR_INVAL;
    uint8_t soft[HDR_CODED], de[HDR_CODED], hb[HDR_BYTES];
    sn_ofdm_demap(1, y, w, HDR_CODED, soft);
    for (size_t s = 0; s < SN_OFDM_HDR_SYMS; s++)
        for (size_t j = 0; j < SN_OFDM_NDATA; j++)
            de[s * SN_OFDM_NDATA + c->perm[0][j]] = soft[s * SN_OFDM_NDATA + j];
    if (sn_fec_decode(c->fec[SN_FEC_R12], de, HDR_CODED, hb, HDR_BITS) != SN_OK)
        return SN_ERR_PARSE;
    size_t pos = 0;
    uint32_t version = get_bits(hb, &pos, 2);
    uint32_t rate = get_bits(hb, &pos, 4);
    uint32_t len = get_bits(hb, &pos, 12);
    uint32_t ctrl = get_bits(hb, &pos, 32);
    uint32_t crc = get_bits(hb, &pos, 16);
    if (crc != crc16_bits(hb, HDR_CRC_BITS) || version != 0 || rate >= SN_RATE_COUNT)
        return SN_ERR_PARSE;
    h->rate = (sn_phy_rate)rate;
    h->len = len;
    h->ctrl = ctrl;
    return len > c->max_len ? SN_ERR_RANGE : SN_OK;
}

int sn_ofdm_decode_begin(sn_ofdm_codec *c, const sn_ofdm_header *h)
{
    int err = header_valid(c, h);
    if (err)
        return err;
    c->h = *h;
    c->nsym = sn_ofdm_nsym(h->rate, h->len);
    /* symbols that never arrive stay erasures */
    memset(c->coded, SN_FEC_SOFT_ERASURE,
           c->nsym * SN_OFDM_NDATA * sn_phy_rate_bits_per_point(h->rate));
    c->active = 1;
    return SN_OK;
}

int sn_ofdm_decode_symbol(sn_ofdm_codec *c, size_t sym, const sn_cf32 y[SN_OFDM_NDATA],
                          const float w[SN_OFDM_NDATA])
{
    if (!c || !y || !w || !c->active)
        return SN_ERR_INVAL;
    if (sym >= c->nsym)
        return SN_ERR_RANGE;
    unsigned bpsc = sn_phy_rate_bits_per_point(c->h.rate);
    size_t ncbps = SN_OFDM_NDATA * bpsc;
    const uint16_t *perm = c->rperm[perm_row(bpsc)];
    uint8_t *dst = c->coded + sym * ncbps;
    /* planes straight into the deinterleaver: no reordering to points */
    const float step = axis_scale(bpsc), inv = 1.0f / step, step2 = step * step;
    for (size_t p = 0; p < SN_OFDM_NDATA; p += DEMAP_BLOCK) {
        uint8_t *t = c->tmp + p * bpsc;
        switch (bpsc) { /* constant bpsc: see sn_ofdm_demap */
        case 1: demap_block(1, inv, step2, y + p, w + p, DEMAP_BLOCK, t); break;
        case 2: demap_block(2, inv, step2, y + p, w + p, DEMAP_BLOCK, t); break;
        case 4: demap_block(4, inv, step2, y + p, w + p, DEMAP_BLOCK, t); break;
        default: demap_block(6, inv, step2, y + p, w + p, DEMAP_BLOCK, t); break;
        }
    }
    for (size_t j = 0; j < ncbps; j++)
        dst[perm[j]] = c->tmp[j];
    return SN_OK;
}

int sn_ofdm_decode_finish(sn_ofdm_codec *c, uint8_t *frame, int *crc_ok)
{
    if (!c || !crc_ok || !c->active || (c->h.len && !frame))
        return SN_ERR_INVAL;
    c->active = 0;
    const size_t len = c->h.len;
    if (len == 0) {
        *crc_ok = 1; /* header-only burst: nothing to check */
        return SN_OK;
    }
    size_t nbits = data_bits(c->h.rate, len);
    size_t ncoded = c->nsym * SN_OFDM_NDATA * sn_phy_rate_bits_per_point(c->h.rate);
    int err = sn_fec_decode(c->fec[fec_rate(c->h.rate)], c->coded, ncoded, c->packed, nbits);
    if (err)
        return err;
    /* only the frame and its CRC need descrambling; the padding is dropped */
    scramble(c->packed, len + 4);
    memcpy(frame, c->packed, len);
    uint32_t crc = (uint32_t)crc32(0L, frame, (uInt)len);
    uint32_t got = (uint32_t)c->packed[len] | (uint32_t)c->packed[len + 1] << 8 |
                   (uint32_t)c->packed[len + 2] << 16 | (uint32_t)c->packed[len + 3] << 24;
    *crc_ok = crc == got;
    return SN_OK;
}

int sn_ofdm_decode_data(sn_ofdm_codec *c, const sn_ofdm_header *h, const sn_cf32 *y,
                        const float *w, uint8_t *frame, int *crc_ok)
{
    int err = sn_ofdm_decode_begin(c, h);
    if (err)
        return err;
    if (c->nsym && (!y || !w)) {
        c->active = 0;
        return SN_ERR_INVAL;
    }
    for (size_t s = 0; s < c->nsym; s++)
        sn_ofdm_decode_symbol(c, s, y + s * SN_OFDM_NDATA, w + s * SN_OFDM_NDATA);
    return sn_ofdm_decode_finish(c, frame, crc_ok);
}
