/* The OFDM modem's known answer: the contents of the frames in the
 * committed recording tests/data/kat/ofdm_kat. tests/tools/make_kat.c
 * writes the recording from them and tests/unit/test_kat.c decodes it and
 * compares, so both read them from here: a change to them is a change of
 * the recording (regenerate it with make_kat and commit both). */
#ifndef SN_TEST_KAT_H
#define SN_TEST_KAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "phy/modem.h"

#define KAT_LEN 64 /* [bytes] per frame */

/* Frame k (k = 0..7 at rate k; k = 8 the header-only burst): writes its
 * bytes to `out` (room for KAT_LEN [bytes]) and its ctrl word to `ctrl`,
 * and returns its length [bytes]: KAT_LEN, or 0 for the header-only burst
 * (k >= SN_RATE_COUNT). */
static inline size_t kat_frame(unsigned k, uint8_t *out, uint32_t *ctrl)
{
    static const char text[] = "sdrnet OFDM known answer, frame ";
    *ctrl = 0x4b415400u | k; /* "KAT" k */
    if (k >= SN_RATE_COUNT)
        return 0;
    for (size_t i = 0; i < KAT_LEN; i++)
        out[i] = (uint8_t)(k * 37u + i * 11u + (i >> 3));
    memcpy(out, text, sizeof text - 1);
    out[sizeof text - 1] = (uint8_t)('0' + k);
    return KAT_LEN;
}

#endif
