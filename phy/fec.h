/* phy/fec: the IEEE 802.11a (OFDM PHY) forward error correction, on its own.
 *
 * Convolutional code: rate 1/2, constraint length K = 7, generators
 * g0 = 133 (octal) giving output A and g1 = 171 (octal) giving output B
 * (IEEE 802.11-2020 17.3.5.6). Higher rates by puncturing the A/B stream
 * with the standard's patterns (17.3.5.6, figure "puncturing"), read per
 * input bit i of a period (1 = sent, 0 = stolen):
 *
 *   rate 1/2  A: 1      B: 1       sent A0 B0
 *   rate 2/3  A: 1 1    B: 1 0     sent A0 B0 A1
 *   rate 3/4  A: 1 1 0  B: 1 0 1   sent A0 B0 A1 B2
 *
 * The encoder starts in state 0 and appends six zero tail bits, so the
 * decoder ends in state 0 too. Decoding is soft-decision Viterbi by
 * phy/viterbi (exact integer metrics; AVX2, SSE2 or portable C kernel chosen
 * at run time for the running CPU; with AVX2 well above 100 Mbit/s of
 * decoded data on one core, against 6-12 Mbit/s for Debian's libfec, which
 * ships only its portable C decoder); stolen positions are filled with
 * erasures (128, "no information") before the decoder sees them.
 *
 * Bit order, everywhere in this module:
 *  - packed data bytes (encoder input, decoder output): bit 0 of the stream
 *    is the MSB of byte 0, bit 7 its LSB, bit 8 the MSB of byte 1, ... ;
 *    in a last, partial byte the unused low bits are 0 on output and ignored
 *    on input;
 *  - coded bits (encoder output): one bit per byte, value 0 or 1, in
 *    transmission order (A0 B0 A1 ...);
 *  - soft coded bits (decoder input): one per byte in the same order,
 *    0 = certainly 0, 255 = certainly 1, 128 = no information (an erasure);
 *    values in between in proportion to confidence (e.g. a clipped, scaled
 *    LLR: soft = clamp(128 - llr * k, 0, 255) with llr = log P(0)/P(1)).
 *    For BPSK of unit amplitude, soft = clamp(127.5 - 64 * y, 0, 255)
 *    (noiseless points at 128 -+ 64) measured best near 3 dB Eb/N0;
 *    -+128 costs 1.7x the BER there, -+200 4x (clipping).
 *
 * Interleaver: the 802.11a block interleaver (17.3.5.7), one OFDM symbol of
 * n_cbps coded bits at a time, two permutations (adjacent coded bits onto
 * non-adjacent subcarriers, then alternately onto less and more significant
 * bits of the constellation). The same functions move hard bits or soft
 * bytes, since both are one byte per coded bit.
 *
 * Thread safety: one sn_fec per thread (decode writes its decoder state);
 * create/destroy may run in any thread.
 */
#ifndef SN_PHY_FEC_H
#define SN_PHY_FEC_H

#include <stddef.h>
#include <stdint.h>

typedef enum sn_fec_rate {
    SN_FEC_R12 = 0, /* rate 1/2, no puncturing */
    SN_FEC_R23 = 1, /* rate 2/3 */
    SN_FEC_R34 = 2, /* rate 3/4 */
} sn_fec_rate;

#define SN_FEC_TAIL_BITS 6u          /* zero bits appended by the encoder (K - 1) */
#define SN_FEC_SOFT_ERASURE 128u     /* soft value meaning "no information" */
#define SN_FEC_MAX_PAYLOAD_BITS (1u << 24) /* [bits] largest max_payload_bits (2 MiB) */

typedef struct sn_fec sn_fec;

/* One codec for one rate, decoding up to max_payload_bits data bits per
 * block (tail excluded). NULL on a bad rate, max_payload_bits of 0 or above
 * SN_FEC_MAX_PAYLOAD_BITS, or allocation failure. */
sn_fec *sn_fec_create(sn_fec_rate rate, size_t max_payload_bits);
void sn_fec_destroy(sn_fec *f); /* NULL-safe */

sn_fec_rate sn_fec_get_rate(const sn_fec *f);
size_t sn_fec_max_payload_bits(const sn_fec *f); /* [bits] */
/* "1/2", "2/3", "3/4" (static string), "?" for an unknown rate. */
const char *sn_fec_rate_name(sn_fec_rate rate);

/* [coded bits] transmitted for nbits data bits at this rate, the 6 tail
 * bits included (2 * (nbits + 6) at rate 1/2; a last, partial puncturing
 * period sends the leading part of its pattern). 0 if nbits is above
 * max_payload_bits. */
size_t sn_fec_encoded_bits(const sn_fec *f, size_t nbits);

/* Encode nbits data bits (packed, MSB first) into
 * sn_fec_encoded_bits(f, nbits) coded bits, one per byte (0/1), in
 * transmission order. SN_ERR_RANGE if nbits > max_payload_bits,
 * SN_ERR_INVAL on NULL buffers (in may be NULL when nbits is 0). */
int sn_fec_encode(const sn_fec *f, const uint8_t *in, size_t nbits, uint8_t *out_bits);

/* Decode: nsoft soft coded bits (transmission order, stolen bits absent) into
 * nbits data bits, written packed MSB first to out ((nbits + 7) / 8 bytes;
 * unused low bits of a last partial byte set to 0). nsoft must be exactly
 * sn_fec_encoded_bits(f, nbits): SN_ERR_RANGE if nbits > max_payload_bits,
 * SN_ERR_TRUNC if nsoft differs, SN_ERR_INVAL on NULL buffers (out may be
 * NULL when nbits is 0); SN_ERR_IO is reserved for a decoder failure, which
 * the checks above leave impossible.
 * Any soft values are accepted; the result is the maximum-likelihood path
 * ending in state 0 (no error detection: that is the CRC's job). */
int sn_fec_decode(sn_fec *f, const uint8_t *soft, size_t nsoft, uint8_t *out, size_t nbits);

/* --- 802.11a block interleaver (17.3.5.7) --- */

/* 1 if (n_cbps, n_bpsc) is a valid interleaver shape: n_bpsc >= 1,
 * n_cbps a positive multiple of 16 whose n_cbps / 16 is a multiple of
 * s = max(n_bpsc / 2, 1). 802.11a uses n_cbps = 48 * n_bpsc with n_bpsc in
 * {1 (BPSK), 2 (QPSK), 4 (16-QAM), 6 (64-QAM)}. */
int sn_fec_interleaver_valid(size_t n_cbps, unsigned n_bpsc);

/* Interleave n coded values (a multiple of n_cbps: whole OFDM symbols) from
 * in to out (one byte per coded bit; in and out must not overlap).
 * SN_ERR_INVAL on a bad shape, NULL buffers or n not a multiple of n_cbps. */
int sn_fec_interleave(size_t n_cbps, unsigned n_bpsc, const uint8_t *in,
                      uint8_t *out, size_t n);
/* The inverse, for received soft values (or hard bits). Same contract. */
int sn_fec_deinterleave(size_t n_cbps, unsigned n_bpsc, const uint8_t *in,
                        uint8_t *out, size_t n);

#endif
