/* Fuzz target: the Viterbi decoder on arbitrary soft bytes, with every kernel
 * this CPU runs. Byte 0 is a flag byte (bit 0: keep an odd length as it is,
 * to exercise the length check); the rest is the soft input. Checks,
 * besides "no crash":
 *  - the length contract (SN_OK exactly at 2 * (nbits + 6), else
 *    SN_ERR_TRUNC; SN_ERR_RANGE beyond max_bits);
 *  - every kernel gives the same bits as the portable one;
 *  - nothing is written past the packed output. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "phy/viterbi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* [bits] every input the drivers give (64 KiB) fits */
#define FUZZ_MAX_BITS (1u << 15)
#define FUZZ_MAX_KERNELS 8

static sn_viterbi *dec[FUZZ_MAX_KERNELS];
static size_t ndec;
static uint8_t ref[FUZZ_MAX_BITS / 8 + 1], out[FUZZ_MAX_BITS / 8 + 1];

static void setup(void)
{
    /* portable first: the reference the others are compared with */
    dec[ndec++] = sn_viterbi_create_kernel(FUZZ_MAX_BITS, "portable");
    for (size_t i = 0; sn_viterbi_kernel_names[i] && ndec < FUZZ_MAX_KERNELS; i++) {
        if (!strcmp(sn_viterbi_kernel_names[i], "portable"))
            continue;
        sn_viterbi *v = sn_viterbi_create_kernel(FUZZ_MAX_BITS, sn_viterbi_kernel_names[i]);
        if (v)
            dec[ndec++] = v;
        else if (sn_viterbi_kernel_available(sn_viterbi_kernel_names[i]))
            abort(); /* available but not creatable */
    }
    if (!dec[0])
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (ndec == 0)
        setup();
    const uint8_t *soft = data + 1;
    size_t nsoft = size - 1;
    if (!(data[0] & 1u))
        nsoft &= ~(size_t)1;
    if (nsoft < 2 * SN_VITERBI_TAIL_BITS || nsoft % 2) {
        if (sn_viterbi_decode(dec[0], soft, nsoft, out, 0) != SN_ERR_TRUNC)
            abort();
        return 0;
    }
    size_t nbits = nsoft / 2 - SN_VITERBI_TAIL_BITS;
    if (nbits > FUZZ_MAX_BITS) {
        if (sn_viterbi_decode(dec[0], soft, nsoft, out, nbits) != SN_ERR_RANGE)
            abort();
        return 0;
    }
    size_t nbytes = (nbits + 7) / 8;
    if (sn_viterbi_decode(dec[0], soft, nsoft - 2, ref, nbits) != SN_ERR_TRUNC)
        abort();
    ref[nbytes] = 0x5a;
    if (sn_viterbi_decode(dec[0], soft, nsoft, ref, nbits) != SN_OK || ref[nbytes] != 0x5a)
        abort();
    if ((nbits & 7) && (ref[nbytes - 1] & (0xffu >> (nbits & 7))))
        abort(); /* unused low bits of a partial byte must be 0 */
    for (size_t k = 1; k < ndec; k++) {
        out[nbytes] = 0xa5;
        if (sn_viterbi_decode(dec[k], soft, nsoft, out, nbits) != SN_OK || out[nbytes] != 0xa5 ||
            memcmp(out, ref, nbytes) != 0)
            abort();
    }
    return 0;
}
