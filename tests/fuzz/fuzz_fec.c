/* Fuzz target: the soft-decision decoder and the interleaver on arbitrary
 * input. Byte 0 picks the code rate and the interleaver shape; the rest is
 * the soft input, of any length. Checks, besides "no crash":
 *  - the length contract (SN_OK exactly at sn_fec_encoded_bits, else
 *    SN_ERR_TRUNC);
 *  - the decoder's output is a fixed point: re-encoding it and decoding the
 *    noiseless codeword gives it back;
 *  - deinterleave(interleave(x)) == x. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "phy/fec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* [bits] bigger than any input the drivers give (64 KiB): every soft
 * length maps to a payload the codec accepts */
#define FUZZ_MAX_BITS (1u << 16)

static sn_fec *codec[3];
static uint8_t out[FUZZ_MAX_BITS / 8], out2[FUZZ_MAX_BITS / 8];
static uint8_t bits[2 * (FUZZ_MAX_BITS + SN_FEC_TAIL_BITS)];
static uint8_t tmp[1u << 17], tmp2[1u << 17];

/* Largest nbits whose coded length fits in nsoft, or SIZE_MAX if none (the
 * tail alone needs 8 to 12 coded bits). */
static size_t fit_bits(const sn_fec *f, size_t nsoft)
{
    if (nsoft < sn_fec_encoded_bits(f, 0))
        return SIZE_MAX;
    /* every data bit costs at least 4/3 coded bits: start above, walk down */
    size_t n = nsoft;
    if (n > sn_fec_max_payload_bits(f))
        n = sn_fec_max_payload_bits(f);
    while (n > 0 && sn_fec_encoded_bits(f, n) > nsoft)
        n--;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const sn_fec_rate rates[3] = {SN_FEC_R12, SN_FEC_R23, SN_FEC_R34};
    unsigned r = data[0] % 3u;
    if (!codec[r]) {
        codec[r] = sn_fec_create(rates[r], FUZZ_MAX_BITS);
        if (!codec[r])
            abort();
    }
    sn_fec *f = codec[r];
    const uint8_t *soft = data + 1;
    size_t nsoft = size - 1;
    if (nsoft > sizeof bits)
        return 0;

    size_t nbits = fit_bits(f, nsoft);
    if (nbits == SIZE_MAX) {
        if (sn_fec_decode(f, soft, nsoft, out, 0) != SN_ERR_TRUNC)
            abort();
    } else {
        size_t n = sn_fec_encoded_bits(f, nbits);
        int want = n == nsoft ? SN_OK : SN_ERR_TRUNC;
        if (sn_fec_decode(f, soft, nsoft, out, nbits) != want)
            abort();
        if (sn_fec_decode(f, soft, n, out, nbits) != SN_OK)
            abort();
        if (sn_fec_encode(f, out, nbits, bits) != SN_OK)
            abort();
        for (size_t i = 0; i < n; i++)
            bits[i] = bits[i] ? 255 : 0;
        if (sn_fec_decode(f, bits, n, out2, nbits) != SN_OK ||
            memcmp(out, out2, (nbits + 7) / 8) != 0)
            abort();
    }

    /* interleaver: 802.11a shape from the rate byte, whole symbols only */
    static const unsigned bpsc[4] = {1, 2, 4, 6};
    unsigned b = bpsc[(data[0] / 3u) % 4u];
    size_t ncbps = 48u * b;
    size_t n = nsoft - nsoft % ncbps;
    if (n > sizeof tmp)
        n = sizeof tmp - sizeof tmp % ncbps;
    if (sn_fec_interleave(ncbps, b, soft, tmp, n) != SN_OK ||
        sn_fec_deinterleave(ncbps, b, tmp, tmp2, n) != SN_OK ||
        memcmp(tmp2, soft, n) != 0)
        abort();
    return 0;
}
