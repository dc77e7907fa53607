#include "phy/fec.h"

#include <stdlib.h>

#include "core/err.h"
#include "phy/viterbi.h"

/* Generators as masks over the encoder register: bit k of the register is
 * the input delayed by k bits, so 133 octal (taps at delays 0,2,3,5,6) is
 * 0x6d and 171 octal (delays 0,1,2,3,6) is 0x4f. phy/viterbi decodes the
 * same register convention, pairs (A, B) in this order. */
#define SN_FEC_G0 0x6du /* 133 octal, output A */
#define SN_FEC_G1 0x4fu /* 171 octal, output B */

/* Puncturing patterns per input bit of a period: bit 0 = keep A, bit 1 =
 * keep B. */
typedef struct sn_fec_pattern {
    unsigned period;      /* [input bits] */
    unsigned kept;        /* [coded bits] sent per period */
    uint8_t keep[3];      /* per input bit of the period */
} sn_fec_pattern;

#define KEEP_A 1u
#define KEEP_B 2u

static const sn_fec_pattern sn_fec_patterns[3] = {
    [SN_FEC_R12] = {1, 2, {KEEP_A | KEEP_B}},
    [SN_FEC_R23] = {2, 3, {KEEP_A | KEEP_B, KEEP_A}},
    [SN_FEC_R34] = {3, 4, {KEEP_A | KEEP_B, KEEP_A, KEEP_B}},
};

struct sn_fec {
    sn_fec_rate rate;
    const sn_fec_pattern *pat;
    size_t max_bits;   /* [bits] data bits per block, tail excluded */
    sn_viterbi *vit;   /* decoder for max_bits data bits */
    uint8_t *mother;   /* 2 * (max_bits + 6) depunctured soft values */
};

const char *sn_fec_rate_name(sn_fec_rate rate)
{
    switch (rate) {
    case SN_FEC_R12: return "1/2";
    case SN_FEC_R23: return "2/3";
    case SN_FEC_R34: return "3/4";
    }
    return "?";
}

sn_fec *sn_fec_create(sn_fec_rate rate, size_t max_payload_bits)
{
    if ((unsigned)rate > (unsigned)SN_FEC_R34 || max_payload_bits == 0 ||
        max_payload_bits > SN_FEC_MAX_PAYLOAD_BITS)
        return NULL;
    sn_fec *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->rate = rate;
    f->pat = &sn_fec_patterns[rate];
    f->max_bits = max_payload_bits;
    /* the bound above keeps this size far from SIZE_MAX; the decoder adds
     * the 6 tail steps to its own decision memory */
    f->mother = malloc(2 * (max_payload_bits + SN_FEC_TAIL_BITS));
    f->vit = sn_viterbi_create(max_payload_bits);
    if (!f->mother || !f->vit) {
        sn_fec_destroy(f);
        return NULL;
    }
    return f;
}

void sn_fec_destroy(sn_fec *f)
{
    if (!f)
        return;
    sn_viterbi_destroy(f->vit);
    free(f->mother);
    free(f);
}

sn_fec_rate sn_fec_get_rate(const sn_fec *f) { return f->rate; }
size_t sn_fec_max_payload_bits(const sn_fec *f) { return f->max_bits; }

/* Coded bits sent for n mother-code input bits (data + tail). */
static size_t punctured_len(const sn_fec_pattern *p, size_t n)
{
    size_t len = (n / p->period) * p->kept;
    for (size_t i = 0; i < n % p->period; i++)
        len += (size_t)((p->keep[i] & KEEP_A) != 0) + ((p->keep[i] & KEEP_B) != 0);
    return len;
}

size_t sn_fec_encoded_bits(const sn_fec *f, size_t nbits)
{
    if (!f || nbits > f->max_bits)
        return 0;
    return punctured_len(f->pat, nbits + SN_FEC_TAIL_BITS);
}

static unsigned parity7(unsigned x)
{
    x &= 0x7fu;
    x ^= x >> 4;
    x ^= x >> 2;
    x ^= x >> 1;
    return x & 1u;
}

int sn_fec_encode(const sn_fec *f, const uint8_t *in, size_t nbits, uint8_t *out_bits)
{
    if (!f || !out_bits || (!in && nbits > 0))
        return SN_ERR_INVAL;
    if (nbits > f->max_bits)
        return SN_ERR_RANGE;
    const sn_fec_pattern *p = f->pat;
    unsigned state = 0; /* bit k = input delayed by k; bit 0 = current */
    unsigned phase = 0; /* position in the puncturing period */
    size_t o = 0;
    size_t total = nbits + SN_FEC_TAIL_BITS;
    for (size_t i = 0; i < total; i++) {
        unsigned bit = 0; /* tail bits are zero */
        if (i < nbits)
            bit = (in[i >> 3] >> (7u - (unsigned)(i & 7u))) & 1u;
        state = ((state << 1) | bit) & 0x7fu;
        uint8_t keep = p->keep[phase];
        if (keep & KEEP_A)
            out_bits[o++] = (uint8_t)parity7(state & SN_FEC_G0);
        if (keep & KEEP_B)
            out_bits[o++] = (uint8_t)parity7(state & SN_FEC_G1);
        if (++phase == p->period)
            phase = 0;
    }
    return SN_OK;
}

int sn_fec_decode(sn_fec *f, const uint8_t *soft, size_t nsoft, uint8_t *out, size_t nbits)
{
    if (!f || (!soft && nsoft > 0) || (!out && nbits > 0))
        return SN_ERR_INVAL;
    if (nbits > f->max_bits)
        return SN_ERR_RANGE;
    size_t total = nbits + SN_FEC_TAIL_BITS;
    if (nsoft != punctured_len(f->pat, total))
        return SN_ERR_TRUNC;

    /* Depuncture into (A, B) pairs; a stolen bit becomes an erasure, half-way
     * between 0 and 1 (to 1/255 of a sure bit), so it adds (almost) the same
     * metric to every branch. */
    const sn_fec_pattern *p = f->pat;
    const uint8_t *m;
    if (p->period == 1) {
        m = soft; /* rate 1/2: already in pair order, no copy */
    } else {
        uint8_t *w = f->mother;
        const uint8_t e = (uint8_t)SN_FEC_SOFT_ERASURE;
        size_t s = 0, i = 0;
        /* whole periods of the two punctured rates without per-bit tests
         * (this loop would otherwise cost a fifth of the decoder's time) */
        if (p->period == 2 && p->keep[0] == (KEEP_A | KEEP_B) && p->keep[1] == KEEP_A) {
            for (; i + 2 <= total; i += 2, s += 3) { /* A0 B0 A1 */
                uint8_t *o = w + 2 * i;
                o[0] = soft[s];
                o[1] = soft[s + 1];
                o[2] = soft[s + 2];
                o[3] = e;
            }
        } else if (p->period == 3 && p->keep[0] == (KEEP_A | KEEP_B) &&
                   p->keep[1] == KEEP_A && p->keep[2] == KEEP_B) {
            for (; i + 3 <= total; i += 3, s += 4) { /* A0 B0 A1 B2 */
                uint8_t *o = w + 2 * i;
                o[0] = soft[s];
                o[1] = soft[s + 1];
                o[2] = soft[s + 2];
                o[3] = e;
                o[4] = e;
                o[5] = soft[s + 3];
            }
        }
        /* the rest (a last, partial period), from phase 0 */
        for (unsigned phase = 0; i < total; i++) {
            uint8_t keep = p->keep[phase];
            w[2 * i] = (keep & KEEP_A) ? soft[s++] : e;
            w[2 * i + 1] = (keep & KEEP_B) ? soft[s++] : e;
            if (++phase == p->period)
                phase = 0;
        }
        m = w;
    }

    /* the sizes were checked above, so only a broken invariant fails here */
    return sn_viterbi_decode(f->vit, m, 2 * total, out, nbits) == SN_OK ? SN_OK : SN_ERR_IO;
}

/* --- interleaver --- */

int sn_fec_interleaver_valid(size_t n_cbps, unsigned n_bpsc)
{
    if (n_bpsc == 0 || n_cbps == 0 || n_cbps % 16 != 0)
        return 0;
    size_t s = n_bpsc / 2 > 1 ? n_bpsc / 2 : 1;
    return (n_cbps / 16) % s == 0;
}

/* Index j, within a symbol, to which coded bit k goes (both permutations). */
static size_t interleave_index(size_t n_cbps, size_t s, size_t k)
{
    /* first: write row by row into 16 columns, read column by column, so
     * adjacent coded bits land n_cbps/16 subcarrier bits apart */
    size_t i = (n_cbps / 16) * (k % 16) + k / 16;
    /* second: rotate within groups of s bits, so adjacent coded bits
     * alternate between more and less reliable constellation bits */
    return s * (i / s) + (i + n_cbps - (16 * i) / n_cbps) % s;
}

static int interleave_common(size_t n_cbps, unsigned n_bpsc, const uint8_t *in,
                             uint8_t *out, size_t n, int inverse)
{
    if (!sn_fec_interleaver_valid(n_cbps, n_bpsc) || n % n_cbps != 0 ||
        ((!in || !out) && n > 0))
        return SN_ERR_INVAL;
    size_t s = n_bpsc / 2 > 1 ? n_bpsc / 2 : 1;
    for (size_t b = 0; b < n; b += n_cbps) {
        for (size_t k = 0; k < n_cbps; k++) {
            size_t j = interleave_index(n_cbps, s, k);
            if (inverse)
                out[b + k] = in[b + j];
            else
                out[b + j] = in[b + k];
        }
    }
    return SN_OK;
}

int sn_fec_interleave(size_t n_cbps, unsigned n_bpsc, const uint8_t *in,
                      uint8_t *out, size_t n)
{
    return interleave_common(n_cbps, n_bpsc, in, out, n, 0);
}

int sn_fec_deinterleave(size_t n_cbps, unsigned n_bpsc, const uint8_t *in,
                        uint8_t *out, size_t n)
{
    return interleave_common(n_cbps, n_bpsc, in, out, n, 1);
}
