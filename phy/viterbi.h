/* phy/viterbi: soft-decision Viterbi decoder for the K = 7, rate-1/2
 * convolutional code with generators 133 and 171 (octal), the mother code of
 * IEEE 802.11a (phy/fec punctures and depunctures around it).
 *
 * Input: soft coded bits in pairs (A0 B0 A1 B1 ...), one byte each,
 * 0 = certainly 0, 255 = certainly 1, 128 = an erasure (no information; a
 * depunctured stolen bit). The encoder is assumed to start in state 0 and to
 * be terminated by 6 zero tail bits, so the decoder traces back from state 0
 * after the last pair. Output: the data bits (tail excluded), packed MSB
 * first.
 *
 * Arithmetic (the same in every kernel, so all kernels give bit-identical
 * output): branch metric = sum over the two symbols of the distance between
 * the soft byte and the expected one (s or 255 - s), i.e. the ML metric for
 * soft bytes that are a clipped, scaled LLR; exact integer path metrics
 * (16-bit values, which provably never wrap: the spread between states is
 * at most 6 * 510 and the metrics are renormalised every 16 steps); on a tie
 * the survivor is the predecessor whose dropped bit is 0. The result is the
 * exact maximum-likelihood path of the soft bytes, as libfec's portable
 * viterbi27 computes it (libfec gives the other start states a penalty of
 * only 63, so its first bits may differ on very noisy input; this decoder
 * treats them as impossible). 128 is not exactly half-way (1/255 of a sure
 * bit towards 1), a bias far below any real noise.
 *
 * Kernels: "avx2" (16 x 16-bit lanes, x86 with AVX2), "sse2" (8 x 16-bit
 * lanes, every x86-64), "portable" (plain C, every platform, written so
 * that compilers vectorise it, e.g. with ARM NEON). The SIMD kernels are
 * compiled with per-function target attributes, so the build needs no
 * special flags and the binary still runs on a CPU without AVX2:
 * sn_viterbi_create picks the fastest kernel the running CPU supports.
 *
 * Traceback: blocks of 1024 bits or more are traced back as 4 segments at
 * once, the lower three from a guessed state some depth above them; each
 * guess is checked against the segment above and the segment traced again
 * if it was wrong, so the output is always the exact single traceback.
 *
 * Memory: 8 bytes of decisions per trellis step, i.e. 8 * (max_bits + 6)
 * bytes per decoder (96 KiB for a 12000-bit frame).
 *
 * Thread safety: one decoder per thread (decode writes its decision memory);
 * create/destroy and the query functions may run in any thread.
 */
#ifndef SN_PHY_VITERBI_H
#define SN_PHY_VITERBI_H

#include <stddef.h>
#include <stdint.h>

#define SN_VITERBI_TAIL_BITS 6u /* [bits] zero tail after the data (K - 1) */
/* [bits] largest max_bits accepted by create (the phy/fec bound) */
#define SN_VITERBI_MAX_BITS (1u << 24)

typedef struct sn_viterbi sn_viterbi;

/* A decoder for blocks of up to max_bits data bits (tail excluded), using the
 * fastest kernel this CPU supports. NULL if max_bits is 0 or above
 * SN_VITERBI_MAX_BITS, or on allocation failure. */
sn_viterbi *sn_viterbi_create(size_t max_bits);

/* The same with a named kernel: "avx2", "sse2", "portable", or "auto" (or
 * NULL) for the fastest available. NULL also if the kernel is unknown, not
 * compiled into this build, or not supported by the running CPU: tests and
 * benchmarks use this to run every kernel the machine has. */
sn_viterbi *sn_viterbi_create_kernel(size_t max_bits, const char *kernel);

void sn_viterbi_destroy(sn_viterbi *v); /* NULL-safe */

/* The kernel this decoder runs ("avx2", "sse2" or "portable"; static). */
const char *sn_viterbi_kernel(const sn_viterbi *v);
/* [bits] the max_bits given to create. */
size_t sn_viterbi_max_bits(const sn_viterbi *v);
/* 1 if sn_viterbi_create_kernel would accept this kernel name here (so also
 * for "auto" and NULL). */
int sn_viterbi_kernel_available(const char *kernel);
/* Diagnostic: how many traceback segments this decoder had to trace a
 * second time (a wrong guess, see above; it costs time, never accuracy),
 * over all decodes. Rare on noisy codewords, common on random bytes. */
uint64_t sn_viterbi_retraces(const sn_viterbi *v);
/* The kernel names this build knows, fastest first, NULL-terminated
 * (available or not on this CPU: ask sn_viterbi_kernel_available). */
extern const char *const sn_viterbi_kernel_names[];

/* Decode one terminated block: nsoft soft bytes, which must be exactly
 * 2 * (nbits + 6) (pairs A B for every data and tail bit), into nbits data
 * bits packed MSB first in out ((nbits + 7) / 8 bytes; the unused low bits of
 * a last partial byte are set to 0; nothing is written beyond).
 * SN_ERR_INVAL on a NULL decoder or buffer (out may be NULL when nbits is 0),
 * SN_ERR_RANGE if nbits > max_bits, SN_ERR_TRUNC if nsoft differs from
 * 2 * (nbits + 6). Any soft byte values are accepted. */
int sn_viterbi_decode(sn_viterbi *v, const uint8_t *soft, size_t nsoft,
                      uint8_t *out, size_t nbits);

#endif
