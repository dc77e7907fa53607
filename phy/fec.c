#include "phy/fec.h"

#include <fec.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

/* Generators in libfec's orientation: bit k of the encoder register is the
 * input delayed by k bits, so 133 octal (taps at delays 0,2,3,5,6) is 0x6d
 * and 171 octal (delays 0,1,2,3,6) is 0x4f. libfec's V27POLYA/V27POLYB are
 * exactly these, in this order, so its default decoder expects the pairs
 * (A, B) that 802.11 sends: no polynomial change (a global in libfec) needed. */
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
    void *vit;         /* libfec viterbi27 decoder for max_bits */
    uint8_t *mother;   /* 2 * (max_bits + 6) depunctured soft values */
};

/* libfec's create_viterbi27 picks a SIMD flavour into a global (Cpu_mode)
 * and fills that flavour's branch table on its first call, both without a
 * lock: a first call from two threads at once would race. Doing one
 * create/delete under pthread_once makes every later create read-only on
 * those globals. */
static pthread_once_t sn_fec_once = PTHREAD_ONCE_INIT;
static int sn_fec_once_ok;

static void sn_fec_global_init(void)
{
    void *v = create_viterbi27(8);
    if (v) {
        delete_viterbi27(v);
        sn_fec_once_ok = 1;
    }
}

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
    if (pthread_once(&sn_fec_once, sn_fec_global_init) != 0 || !sn_fec_once_ok)
        return NULL;
    sn_fec *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->rate = rate;
    f->pat = &sn_fec_patterns[rate];
    f->max_bits = max_payload_bits;
    /* the bound above keeps both sizes far from INT_MAX and SIZE_MAX */
    f->mother = malloc(2 * (max_payload_bits + SN_FEC_TAIL_BITS));
    /* libfec sizes its decision memory for len data bits plus the 6 tail
     * bits itself */
    f->vit = create_viterbi27((int)max_payload_bits);
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
    if (f->vit)
        delete_viterbi27(f->vit);
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

    /* Depuncture into (A, B) pairs; a stolen bit becomes an erasure, equally
     * far from 0 and 1, so it adds the same metric to every branch. */
    const sn_fec_pattern *p = f->pat;
    const uint8_t *m;
    if (p->period == 1) {
        m = soft; /* rate 1/2: already in pair order, no copy */
    } else {
        uint8_t *w = f->mother;
        size_t s = 0;
        unsigned phase = 0;
        for (size_t i = 0; i < total; i++) {
            uint8_t keep = p->keep[phase];
            w[2 * i] = (keep & KEEP_A) ? soft[s++] : (uint8_t)SN_FEC_SOFT_ERASURE;
            w[2 * i + 1] = (keep & KEEP_B) ? soft[s++] : (uint8_t)SN_FEC_SOFT_ERASURE;
            if (++phase == p->period)
                phase = 0;
        }
        m = w;
    }

    /* libfec takes non-const symbols but only reads them. Its decision
     * memory holds max_bits + 6 steps, and total <= that (checked above). */
    if (init_viterbi27(f->vit, 0) != 0)
        return SN_ERR_IO;
    if (update_viterbi27_blk(f->vit, (unsigned char *)(uintptr_t)m, (int)total) != 0)
        return SN_ERR_IO;
    if (nbits == 0)
        return SN_OK;
    if (chainback_viterbi27(f->vit, out, (unsigned)nbits, 0) != 0)
        return SN_ERR_IO;
    /* chainback fills a partial last byte's low bits from the tail (zeros);
     * clear them anyway so the contract does not rest on that */
    if (nbits & 7u)
        out[nbits >> 3] &= (uint8_t)(0xffu << (8u - (unsigned)(nbits & 7u)));
    return SN_OK;
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
