/* Fuzz target: raw IQ bytes -> samples for every format (phy/iqfile), and
 * the name parsers on the same bytes taken as text. Any byte pattern must
 * decode without reading past the input; integer formats stay in
 * [-1, 1]; encoding what was decoded must give the same bytes back. */
#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "phy/iqfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SAMPLES 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sn_cf32 iq[MAX_SAMPLES];
    static uint8_t back[MAX_SAMPLES * 8];
    const sn_iq_format fmts[] = {SN_IQ_CF32, SN_IQ_CI8, SN_IQ_CU8, SN_IQ_CI16};
    for (size_t k = 0; k < sizeof fmts / sizeof fmts[0]; k++) {
        size_t ss = sn_iq_format_bytes(fmts[k]);
        size_t n = size / ss; /* whole samples only, as the reader ensures */
        if (n > MAX_SAMPLES)
            n = MAX_SAMPLES;
        sn_iq_decode(fmts[k], data, n, iq);
        for (size_t i = 0; i < n && fmts[k] != SN_IQ_CF32; i++)
            if (!(fabsf(crealf(iq[i])) <= 1.0f && fabsf(cimagf(iq[i])) <= 1.0f))
                abort();
        sn_iq_encode(fmts[k], iq, n, back);
        /* cf32 is bit exact, the integer grids are exact too */
        if (memcmp(back, data, n * ss) != 0)
            abort();
    }
    char name[64];
    size_t len = size < sizeof name - 1 ? size : sizeof name - 1;
    memcpy(name, data, len);
    name[len] = 0;
    sn_iq_format f;
    if (sn_iq_format_from_path(name, &f) == SN_OK && sn_iq_format_bytes(f) == 0)
        abort();
    if (sn_iq_format_from_sigmf(name, &f) == SN_OK && !sn_iq_format_sigmf(f)[0])
        abort();
    return 0;
}
