#include "phy/viterbi.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"

/* SIMD kernels: x86 only, with GCC or clang (per-function target attributes
 * and __builtin_cpu_supports). Elsewhere the portable kernel alone, as also
 * with -DSN_VITERBI_PORTABLE_ONLY (to test that build on x86). */
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__) && \
    !defined(SN_VITERBI_PORTABLE_ONLY)
#define SN_VITERBI_X86 1
#include <immintrin.h>
#else
#define SN_VITERBI_X86 0
#endif

/* The trellis. State s after a step = the last 6 input bits, the newest in
 * bit 0, so the encoder register of that step is (previous state << 1 |
 * bit), 7 bits, bit 6 the bit that drops out. New state n has the two
 * predecessors n >> 1 (dropped bit 0, the "lower" one) and n >> 1 | 32
 * ("upper"); a butterfly j (0..31) joins old states j and j + 32 to new
 * states 2j and 2j + 1. Both generators tap bit 0 and bit 6 of the register,
 * so within a butterfly the four branches carry only two output pairs: the
 * pair (pA, pB) expected on j -> 2j and j+32 -> 2j+1, and its complement on
 * j -> 2j+1 and j+32 -> 2j. pA_j = parity(2j & 133 octal), pB_j =
 * parity(2j & 171 octal), as bit j of these masks: */
#define SN_VIT_PA_MASK 0xc3c33c3cu
#define SN_VIT_PB_MASK 0x96969696u

/* Path metric of the states other than 0 at the start. Any value above the
 * largest possible spread of the metrics (6 steps of at most 510, see
 * viterbi.h) makes those states as good as impossible: every path from
 * state 0 beats every path from another start where they meet. */
#define SN_VIT_START_PENALTY 4096
/* [steps] between renormalisations of the path metrics (subtracting state
 * 0's metric from all, which changes no comparison). Bound for 16-bit
 * values: a state is reachable from any state 6 steps earlier, so from step
 * 6 on the spread is at most 6 * 510 = 3060 (and at most 4096 + 3060 before);
 * after a renormalisation every metric is within that spread of 0, and 16
 * steps add at most 16 * 510 more: |metric| < 7156 + 8160 + 510 < 32767.
 * So 16-bit arithmetic never wraps, and every kernel's decisions equal
 * those of exact integer arithmetic. */
#define SN_VIT_RENORM 16u

typedef void (*sn_viterbi_fwd)(const uint8_t *soft, size_t nsteps, uint64_t *dec);

struct sn_viterbi {
    const char *kernel;
    sn_viterbi_fwd fwd;
    size_t max_bits; /* [bits] data bits per block, tail excluded */
    uint64_t *dec;   /* (max_bits + 6) decision words: bit n of word t = 1 if
                        new state n of step t came from its upper predecessor */
    uint64_t retraces; /* segments traced twice (a wrong guess; see traceback) */
};

/* --- portable kernel --- */

/* Forward pass over nsteps pairs of soft bytes, writing one decision word per
 * step. The SIMD kernels compute exactly this (same metrics, same ties; the
 * AVX2 one offsets every branch of a step by the same amount). Written as
 * loops over 32 butterflies on 16-bit arrays, one value per lane, that
 * compilers vectorise at -O2 (SSE2, NEON): 2.5x the speed of the same code
 * on 32-bit scalars. The 16-bit values stay in range by the bound above. */
static void fwd_portable(const uint8_t *soft, size_t nsteps, uint64_t *dec)
{
    int16_t ta[32], tb[32]; /* 255 where butterfly j expects a 1 */
    for (unsigned j = 0; j < 32; j++) {
        ta[j] = (SN_VIT_PA_MASK >> j) & 1u ? 255 : 0;
        tb[j] = (SN_VIT_PB_MASK >> j) & 1u ? 255 : 0;
    }
    int16_t old[64], ev[32], od[32];
    uint8_t de[32], dd[32];
    old[0] = 0;
    for (unsigned s = 1; s < 64; s++)
        old[s] = SN_VIT_START_PENALTY;
    for (size_t t = 0; t < nsteps; t++) {
        int16_t sa = soft[2 * t], sb = soft[2 * t + 1];
        for (unsigned j = 0; j < 32; j++) {
            /* distance to the expected pair (s ^ 255 = 255 - s) */
            int16_t m = (int16_t)((sa ^ ta[j]) + (sb ^ tb[j])), mc = (int16_t)(510 - m);
            int16_t a = (int16_t)(old[j] + m), b = (int16_t)(old[j + 32] + mc); /* into 2j */
            int16_t c = (int16_t)(old[j] + mc), e = (int16_t)(old[j + 32] + m); /* into 2j+1 */
            ev[j] = b < a ? b : a;
            od[j] = e < c ? e : c;
            de[j] = a > b; /* ties: the lower predecessor */
            dd[j] = c > e;
        }
        uint64_t d = 0;
        for (unsigned j = 0; j < 32; j++)
            d |= (uint64_t)de[j] << (2 * j) | (uint64_t)dd[j] << (2 * j + 1);
        dec[t] = d;
        for (unsigned j = 0; j < 32; j++) {
            old[2 * j] = ev[j];
            old[2 * j + 1] = od[j];
        }
        if (t % SN_VIT_RENORM == SN_VIT_RENORM - 1) {
            int16_t base = old[0];
            for (unsigned s = 0; s < 64; s++)
                old[s] = (int16_t)(old[s] - base);
        }
    }
}

#if SN_VITERBI_X86

/* Per-butterfly constants for the SSE2 kernel, lane j = butterfly j: the
 * mask that turns a soft byte s into its distance to the expected bit
 * (s ^ 255 = 255 - s, the distance to a 1). */
static void butterfly_tables(int16_t ta[32], int16_t tb[32])
{
    for (unsigned j = 0; j < 32; j++) {
        ta[j] = (SN_VIT_PA_MASK >> j) & 1u ? 255 : 0;
        tb[j] = (SN_VIT_PB_MASK >> j) & 1u ? 255 : 0;
    }
}

/* --- SSE2 kernel: 8 registers of 8 states (register r = states 8r..8r+7),
 * butterflies in groups of 8 (group r: old registers r and r + 4, new
 * registers 2r and 2r + 1 after interleaving the even and odd results).
 * Branch metrics as distances: m into 2j from j, the complement 510 - m
 * from j + 32. Butterflies j and j + 8 expect the same pairs for j < 8 and
 * for 16 <= j < 24 (checked here), so groups 0 and 1 share their metrics,
 * and so do groups 2 and 3. --- */
_Static_assert(((SN_VIT_PA_MASK ^ (SN_VIT_PA_MASK >> 8)) & 0x00ff00ffu) == 0 &&
                   ((SN_VIT_PB_MASK ^ (SN_VIT_PB_MASK >> 8)) & 0x00ff00ffu) == 0,
               "butterflies j and j + 8 expect the same pairs");

#define SN_VIT_SSE2_GROUP(r, m, mc)                                              \
    do {                                                                         \
        __m128i a = _mm_add_epi16(x##r, m), b = _mm_add_epi16(h##r, mc);         \
        __m128i c = _mm_add_epi16(x##r, mc), e = _mm_add_epi16(h##r, m);         \
        __m128i ev = _mm_min_epi16(a, b), od = _mm_min_epi16(c, e);              \
        y##r##l = _mm_unpacklo_epi16(ev, od);                                    \
        y##r##h = _mm_unpackhi_epi16(ev, od);                                    \
        /* decision masks (0 or -1 per lane): the even state's into the low  \
         * byte, the odd state's into the high byte, so movemask gives bit   \
         * 2l = state 2j, bit 2l + 1 = state 2j + 1 for lane l */             \
        mask |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_or_si128(              \
                    _mm_srli_epi16(_mm_cmpgt_epi16(a, b), 8),                    \
                    _mm_slli_epi16(_mm_cmpgt_epi16(c, e), 8)))                   \
                << (16 * (r));                                                   \
    } while (0)

__attribute__((target("sse2")))
static void fwd_sse2(const uint8_t *soft, size_t nsteps, uint64_t *dec)
{
    int16_t ta[32], tb[32];
    butterfly_tables(ta, tb);
    const __m128i ta0 = _mm_loadu_si128((const __m128i *)(const void *)&ta[0]);
    const __m128i ta2 = _mm_loadu_si128((const __m128i *)(const void *)&ta[16]);
    const __m128i tb0 = _mm_loadu_si128((const __m128i *)(const void *)&tb[0]);
    const __m128i tb2 = _mm_loadu_si128((const __m128i *)(const void *)&tb[16]);
    const __m128i c510 = _mm_set1_epi16(510);
    const __m128i pen = _mm_set1_epi16(SN_VIT_START_PENALTY);
    /* x0..x3: states 0..31 (lower predecessors), h0..h3: 32..63 */
    __m128i x0 = _mm_insert_epi16(pen, 0, 0), x1 = pen, x2 = pen, x3 = pen;
    __m128i h0 = pen, h1 = pen, h2 = pen, h3 = pen;
    for (size_t t = 0; t < nsteps; t++) {
        const __m128i sa = _mm_set1_epi16((short)soft[2 * t]);
        const __m128i sb = _mm_set1_epi16((short)soft[2 * t + 1]);
        __m128i y0l, y0h, y1l, y1h, y2l, y2h, y3l, y3h;
        uint64_t mask = 0;
        const __m128i m0 = _mm_add_epi16(_mm_xor_si128(sa, ta0), _mm_xor_si128(sb, tb0));
        const __m128i m2 = _mm_add_epi16(_mm_xor_si128(sa, ta2), _mm_xor_si128(sb, tb2));
        const __m128i mc0 = _mm_sub_epi16(c510, m0), mc2 = _mm_sub_epi16(c510, m2);
        SN_VIT_SSE2_GROUP(0, m0, mc0);
        SN_VIT_SSE2_GROUP(1, m0, mc0);
        SN_VIT_SSE2_GROUP(2, m2, mc2);
        SN_VIT_SSE2_GROUP(3, m2, mc2);
        dec[t] = mask;
        /* new states 16r..16r+15 are y(r)l, y(r)h */
        x0 = y0l; x1 = y0h; x2 = y1l; x3 = y1h;
        h0 = y2l; h1 = y2h; h2 = y3l; h3 = y3h;
        if (t % SN_VIT_RENORM == SN_VIT_RENORM - 1) {
            const __m128i base = _mm_set1_epi16((short)_mm_extract_epi16(x0, 0));
            x0 = _mm_sub_epi16(x0, base); x1 = _mm_sub_epi16(x1, base);
            x2 = _mm_sub_epi16(x2, base); x3 = _mm_sub_epi16(x3, base);
            h0 = _mm_sub_epi16(h0, base); h1 = _mm_sub_epi16(h1, base);
            h2 = _mm_sub_epi16(h2, base); h3 = _mm_sub_epi16(h3, base);
        }
    }
}

/* --- AVX2 kernel: 4 registers of 16 states, two steps per round. In units
 * of 8 states (a 128-bit half), U0 = states 0..7, ..., U7 = 56..63:
 *   step A starts from  r0 = [U0|U1] r1 = [U2|U3] r2 = [U4|U5] r3 = [U6|U7]
 *   and (butterflies r0 with r2, r1 with r3, then interleaving the even and
 *   odd new states per 128-bit half, which is all that unpack does) leaves
 *                       s0 = [U0|U2] s1 = [U1|U3] s2 = [U4|U6] s3 = [U5|U7],
 *   again registers whose lanes are 32 states apart, so step B runs on them
 *   directly (s0 with s2, s1 with s3) and leaves
 *                       [U0|U4] [U1|U5] [U2|U6] [U3|U7],
 *   which four cross-half permutes put back in step A's order. Two permutes
 *   per step instead of four for the natural order every step.
 * Branch metrics centred on zero (distance - 255, the same for every branch
 * of a step, so no comparison changes): m' = +-(sA + sB - 255) when
 * pA == pB, +-(sA - sB) otherwise, negative when pA = 1; the upper
 * predecessor's branch is -m'. One multiply-add of the broadcast byte pair
 * (sA, sB) with per-lane (+-1, +-1) and a per-lane offset (+-255 or 0) gives
 * m' for all lanes at once. --- */

#define SN_VIT_AVX2_GROUP(lo, hi, m, out_lo, out_hi, dmask)                      \
    do {                                                                         \
        __m256i a = _mm256_add_epi16(lo, m), b = _mm256_sub_epi16(hi, m);        \
        __m256i c = _mm256_sub_epi16(lo, m), e = _mm256_add_epi16(hi, m);        \
        __m256i ev = _mm256_min_epi16(a, b), od = _mm256_min_epi16(c, e);        \
        out_lo = _mm256_unpacklo_epi16(ev, od);                                  \
        out_hi = _mm256_unpackhi_epi16(ev, od);                                  \
        /* decision masks are 0 or -1 per 16-bit lane: the even state's in    \
         * the low byte and the odd state's in the high byte make movemask    \
         * give bit 2l = state 2j, bit 2l + 1 = state 2j + 1 for lane l */     \
        dmask = (uint32_t)_mm256_movemask_epi8(_mm256_blendv_epi8(               \
                    _mm256_cmpgt_epi16(a, b), _mm256_cmpgt_epi16(c, e), hibytes)); \
    } while (0)

/* Lane constants for one group of 16 butterflies: j[l] = butterfly in lane l. */
static void avx2_group_tables(const unsigned j[16], int8_t c[32], int16_t k[16])
{
    for (unsigned l = 0; l < 16; l++) {
        unsigned pa = (SN_VIT_PA_MASK >> j[l]) & 1u, pb = (SN_VIT_PB_MASK >> j[l]) & 1u;
        c[2 * l] = pa ? -1 : 1;
        c[2 * l + 1] = (int8_t)(pa == pb ? c[2 * l] : -c[2 * l]);
        k[l] = (int16_t)(pa != pb ? 0 : pa ? 255 : -255);
    }
}

__attribute__((target("avx2")))
static void fwd_avx2(const uint8_t *soft, size_t nsteps, uint64_t *dec)
{
    /* butterflies per lane: step A natural (0..15, 16..31); step B groups
     * s0/s2 = [U0|U2] (0..7, 16..23) and s1/s3 = [U1|U3] (8..15, 24..31),
     * which expect the same pairs lane by lane */
    unsigned ja[2][16], jb[16];
    for (unsigned l = 0; l < 16; l++) {
        ja[0][l] = l;
        ja[1][l] = 16 + l;
        jb[l] = l < 8 ? l : l + 8;
    }
    int8_t cm[3][32];
    int16_t k[3][16];
    avx2_group_tables(ja[0], cm[0], k[0]);
    avx2_group_tables(ja[1], cm[1], k[1]);
    avx2_group_tables(jb, cm[2], k[2]);
    const __m256i ca0 = _mm256_loadu_si256((const __m256i *)(const void *)cm[0]);
    const __m256i ca1 = _mm256_loadu_si256((const __m256i *)(const void *)cm[1]);
    const __m256i cb = _mm256_loadu_si256((const __m256i *)(const void *)cm[2]);
    const __m256i ka0 = _mm256_loadu_si256((const __m256i *)(const void *)k[0]);
    const __m256i ka1 = _mm256_loadu_si256((const __m256i *)(const void *)k[1]);
    const __m256i kb = _mm256_loadu_si256((const __m256i *)(const void *)k[2]);
    const __m256i pen = _mm256_set1_epi16(SN_VIT_START_PENALTY);
    const __m256i hibytes = _mm256_set1_epi16((short)0xff00);
    __m256i r0 = _mm256_insert_epi16(pen, 0, 0), r1 = pen, r2 = pen, r3 = pen;
    size_t t = 0;
    for (; t + 2 <= nsteps; t += 2) {
        uint16_t pair;
        __m256i x, m0, m1, s0, s1, s2, s3;
        uint32_t d0, d1;
        /* step A */
        memcpy(&pair, soft + 2 * t, 2); /* sA in the low byte (x86) */
        x = _mm256_set1_epi16((short)pair);
        m0 = _mm256_add_epi16(_mm256_maddubs_epi16(x, ca0), ka0);
        m1 = _mm256_add_epi16(_mm256_maddubs_epi16(x, ca1), ka1);
        SN_VIT_AVX2_GROUP(r0, r2, m0, s0, s1, d0);
        SN_VIT_AVX2_GROUP(r1, r3, m1, s2, s3, d1);
        dec[t] = (uint64_t)d0 | (uint64_t)d1 << 32;
        /* step B */
        memcpy(&pair, soft + 2 * t + 2, 2);
        x = _mm256_set1_epi16((short)pair);
        /* both groups' butterflies expect the same pairs (see the SSE2
         * kernel): one metric vector */
        m0 = _mm256_add_epi16(_mm256_maddubs_epi16(x, cb), kb);
        SN_VIT_AVX2_GROUP(s0, s2, m0, r0, r1, d0); /* [U0|U4] [U1|U5] */
        SN_VIT_AVX2_GROUP(s1, s3, m0, r2, r3, d1); /* [U2|U6] [U3|U7] */
        /* d0: states 0..15, 32..47; d1: 16..31, 48..63 */
        dec[t + 1] = (uint64_t)(d0 & 0xffffu) | (uint64_t)(d1 & 0xffffu) << 16 |
                     (uint64_t)(d0 >> 16) << 32 | (uint64_t)(d1 >> 16) << 48;
        s0 = _mm256_permute2x128_si256(r0, r1, 0x20); /* [U0|U1] */
        s2 = _mm256_permute2x128_si256(r0, r1, 0x31); /* [U4|U5] */
        s1 = _mm256_permute2x128_si256(r2, r3, 0x20); /* [U2|U3] */
        s3 = _mm256_permute2x128_si256(r2, r3, 0x31); /* [U6|U7] */
        r0 = s0;
        r1 = s1;
        r2 = s2;
        r3 = s3;
        if (t % SN_VIT_RENORM == SN_VIT_RENORM - 2) {
            const __m256i base = _mm256_broadcastw_epi16(_mm256_castsi256_si128(r0));
            r0 = _mm256_sub_epi16(r0, base);
            r1 = _mm256_sub_epi16(r1, base);
            r2 = _mm256_sub_epi16(r2, base);
            r3 = _mm256_sub_epi16(r3, base);
        }
    }
    if (t < nsteps) { /* an odd last step: step A alone */
        uint16_t pair;
        __m256i s0, s1, s2, s3;
        uint32_t d0, d1;
        memcpy(&pair, soft + 2 * t, 2);
        const __m256i x = _mm256_set1_epi16((short)pair);
        const __m256i m0 = _mm256_add_epi16(_mm256_maddubs_epi16(x, ca0), ka0);
        const __m256i m1 = _mm256_add_epi16(_mm256_maddubs_epi16(x, ca1), ka1);
        SN_VIT_AVX2_GROUP(r0, r2, m0, s0, s1, d0);
        SN_VIT_AVX2_GROUP(r1, r3, m1, s2, s3, d1);
        (void)s0;
        (void)s1;
        (void)s2;
        (void)s3;
        dec[t] = (uint64_t)d0 | (uint64_t)d1 << 32;
    }
}

#endif /* SN_VITERBI_X86 */

/* --- kernels, dispatch --- */

typedef struct sn_viterbi_kernel_desc {
    const char *name;
    sn_viterbi_fwd fwd;
} sn_viterbi_kernel_desc;

static const sn_viterbi_kernel_desc sn_viterbi_kernels[] = {
#if SN_VITERBI_X86
    {"avx2", fwd_avx2},
    {"sse2", fwd_sse2},
#endif
    {"portable", fwd_portable},
};
#define SN_VIT_NKERNELS (sizeof sn_viterbi_kernels / sizeof sn_viterbi_kernels[0])

const char *const sn_viterbi_kernel_names[] = {
#if SN_VITERBI_X86
    "avx2",
    "sse2",
#endif
    "portable",
    NULL,
};

static int cpu_has(const char *name)
{
#if SN_VITERBI_X86
    if (!strcmp(name, "avx2"))
        return __builtin_cpu_supports("avx2") != 0;
    if (!strcmp(name, "sse2"))
        return __builtin_cpu_supports("sse2") != 0;
#endif
    return !strcmp(name, "portable");
}

static const sn_viterbi_kernel_desc *find_kernel(const char *name)
{
    for (size_t i = 0; i < SN_VIT_NKERNELS; i++) {
        const sn_viterbi_kernel_desc *k = &sn_viterbi_kernels[i];
        if (name && strcmp(name, "auto") != 0) {
            if (!strcmp(name, k->name))
                return cpu_has(k->name) ? k : NULL;
        } else if (cpu_has(k->name)) {
            return k; /* the table is fastest first */
        }
    }
    return NULL;
}

int sn_viterbi_kernel_available(const char *kernel)
{
    return find_kernel(kernel) != NULL;
}

sn_viterbi *sn_viterbi_create_kernel(size_t max_bits, const char *kernel)
{
    if (max_bits == 0 || max_bits > SN_VITERBI_MAX_BITS)
        return NULL;
    const sn_viterbi_kernel_desc *k = find_kernel(kernel);
    if (!k)
        return NULL;
    sn_viterbi *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->kernel = k->name;
    v->fwd = k->fwd;
    v->max_bits = max_bits;
    /* the bound on max_bits keeps this far from SIZE_MAX */
    v->dec = malloc((max_bits + SN_VITERBI_TAIL_BITS) * sizeof *v->dec);
    if (!v->dec) {
        sn_viterbi_destroy(v);
        return NULL;
    }
    return v;
}

sn_viterbi *sn_viterbi_create(size_t max_bits)
{
    return sn_viterbi_create_kernel(max_bits, NULL);
}

void sn_viterbi_destroy(sn_viterbi *v)
{
    if (!v)
        return;
    free(v->dec);
    free(v);
}

const char *sn_viterbi_kernel(const sn_viterbi *v) { return v->kernel; }
size_t sn_viterbi_max_bits(const sn_viterbi *v) { return v->max_bits; }
uint64_t sn_viterbi_retraces(const sn_viterbi *v) { return v->retraces; }

/* --- traceback --- */

/* One step back: the state before step t from the state s after it. A serial
 * chain of 2-3 cycles (bit test, conditional move; the select form keeps it
 * that short).
 *
 * Output without a per-bit cost: the state after step t holds the data bits
 * of steps t, t-1, ..., t-5 in its bits 0..5, which is exactly where they go
 * in an MSB-first byte when t is the byte's last step. So a whole byte is
 * the state at its end ORed with bits 0..1 of the state 6 steps earlier,
 * shifted to bits 6..7. */
static unsigned trace_step(const uint64_t *dec, size_t t, unsigned s)
{
    return (dec[t] >> s) & 1u ? (s >> 1) | 32u : s >> 1;
}

/* Walk back from state s at time `from` (after `from` steps) to time lo,
 * writing the data bits of steps lo..hi-1 (the bit of step t is bit 0 of
 * the state after step t). lo must be a multiple of 8, lo <= hi <= from;
 * the bytes holding those bits are written whole (bits at hi and beyond
 * within the last byte as 0). Returns the state at time lo. */
static unsigned trace_out(const uint64_t *dec, size_t from, size_t hi, size_t lo,
                          unsigned s, uint8_t *out)
{
    size_t t = from;
    while (t > hi)
        s = trace_step(dec, --t, s);
    if (t & 7u) { /* a partial byte */
        unsigned acc = 0;
        while (t & 7u) {
            t--;
            acc |= (s & 1u) << (7u - (unsigned)(t & 7u));
            s = trace_step(dec, t, s);
        }
        out[t >> 3] = (uint8_t)acc;
    }
    while (t > lo) { /* whole bytes, from states (see above) */
        unsigned first = s;
        for (unsigned k = 0; k < 6; k++)
            s = trace_step(dec, --t, s);
        t -= 2;
        out[t >> 3] = (uint8_t)(first | (s & 3u) << 6);
        s = trace_step(dec, t + 1, s);
        s = trace_step(dec, t, s);
    }
    return s;
}

/* Long blocks are traced back as 4 segments at once, since one serial chain
 * leaves most of the core idle (1.6 instead of 2.4 cycles per bit). Only the top segment knows its
 * start (state 0 after the tail); each lower one starts SN_VIT_TB_DEPTH
 * steps above its segment from a guessed state, relying on the survivors of
 * all states merging within that depth. The guess is then checked: once the
 * segment above has been traced (exactly, by induction from the top), its
 * state at the boundary is the truth; if the guess led elsewhere, that
 * segment is traced again from the true state. So the result is always the
 * exact single-chain traceback; the check almost never fails at working
 * SNRs. */
#define SN_VIT_TB_DEPTH 96u        /* [steps] */
#define SN_VIT_TB_MIN_BITS 1024u   /* [bits] shorter blocks: one chain */

static void traceback(const uint64_t *dec, size_t nbits, uint8_t *out, uint64_t *retraces)
{
    const size_t steps = nbits + SN_VITERBI_TAIL_BITS;
    if (nbits < SN_VIT_TB_MIN_BITS) {
        (void)trace_out(dec, steps, nbits, 0, 0, out);
        return;
    }
    enum { K = 4 }; /* the interleaved loop below is written for 4 */
    /* segments of whole bytes; with nbits >= 1024 the top one holds at
     * least a quarter minus 24 bits, more than the depth */
    const size_t seg = ((nbits + K - 1) / K + 7) & ~(size_t)7;
    size_t lo[K], hi[K], t[K];
    unsigned s[K], guess[K];
    for (unsigned k = 0; k < K; k++) {
        lo[k] = k * seg;
        hi[k] = k == K - 1 ? nbits : (k + 1) * seg;
    }
    /* top: exact, through the tail and a partial last byte, to a byte
     * boundary */
    t[K - 1] = nbits & ~(size_t)7;
    s[K - 1] = trace_out(dec, steps, nbits, t[K - 1], 0, out);
    /* the others: from the depth above their segment down to it */
    for (unsigned k = 0; k < K - 1; k++) {
        t[k] = hi[k] + SN_VIT_TB_DEPTH;
        s[k] = 0;
    }
    for (unsigned i = 0; i < SN_VIT_TB_DEPTH; i++)
        for (unsigned k = 0; k < K - 1; k++)
            s[k] = trace_step(dec, --t[k], s[k]);
    for (unsigned k = 0; k < K - 1; k++)
        guess[k] = s[k];
    /* all chains a byte at a time, interleaved, while each has bytes left */
    size_t nbytes = (t[0] - lo[0]) / 8;
    for (unsigned k = 1; k < K; k++)
        if ((t[k] - lo[k]) / 8 < nbytes)
            nbytes = (t[k] - lo[k]) / 8;
    {
        /* in named scalars: arrays indexed in the loop can end up in memory,
         * which puts a store and a load into every chain */
        const uint64_t *d0 = dec + t[0], *d1 = dec + t[1], *d2 = dec + t[2], *d3 = dec + t[3];
        unsigned s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
        for (size_t b = 1; b <= nbytes; b++) {
            const unsigned f0 = s0, f1 = s1, f2 = s2, f3 = s3;
            d0 -= 8;
            d1 -= 8;
            d2 -= 8;
            d3 -= 8;
            for (unsigned j = 8; j-- > 0;) {
                if (j == 1) { /* 6 steps done: the byte's two first bits */
                    out[(t[0] >> 3) - b] = (uint8_t)(f0 | (s0 & 3u) << 6);
                    out[(t[1] >> 3) - b] = (uint8_t)(f1 | (s1 & 3u) << 6);
                    out[(t[2] >> 3) - b] = (uint8_t)(f2 | (s2 & 3u) << 6);
                    out[(t[3] >> 3) - b] = (uint8_t)(f3 | (s3 & 3u) << 6);
                }
                s0 = (d0[j] >> s0) & 1u ? (s0 >> 1) | 32u : s0 >> 1;
                s1 = (d1[j] >> s1) & 1u ? (s1 >> 1) | 32u : s1 >> 1;
                s2 = (d2[j] >> s2) & 1u ? (s2 >> 1) | 32u : s2 >> 1;
                s3 = (d3[j] >> s3) & 1u ? (s3 >> 1) | 32u : s3 >> 1;
            }
        }
        s[0] = s0;
        s[1] = s1;
        s[2] = s2;
        s[3] = s3;
        for (unsigned k = 0; k < K; k++)
            t[k] -= 8 * nbytes;
    }
    for (unsigned k = 0; k < K; k++) /* the rest of each, alone */
        s[k] = trace_out(dec, t[k], t[k], lo[k], s[k], out);
    /* check the guesses from the top down */
    for (unsigned k = K - 1; k-- > 0;) {
        if (guess[k] != s[k + 1]) {
            s[k] = trace_out(dec, hi[k], hi[k], lo[k], s[k + 1], out);
            (*retraces)++;
        }
    }
}

int sn_viterbi_decode(sn_viterbi *v, const uint8_t *soft, size_t nsoft,
                      uint8_t *out, size_t nbits)
{
    if (!v || !soft || (!out && nbits > 0))
        return SN_ERR_INVAL;
    if (nbits > v->max_bits)
        return SN_ERR_RANGE;
    if (nsoft != 2 * (nbits + SN_VITERBI_TAIL_BITS))
        return SN_ERR_TRUNC;
    v->fwd(soft, nbits + SN_VITERBI_TAIL_BITS, v->dec);
    traceback(v->dec, nbits, out, &v->retraces);
    return SN_OK;
}
