/* Fuzz target: the RFtap parser. A header that parses must survive an
 * encode/parse round trip with the same fields. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "phy/rftap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(double a, double b)
{
    /* encode writes finite values only; a non-finite one comes back absent */
    return isfinite(a) ? a == b : isnan(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sn_rftap_info a, b;
    int n = sn_rftap_parse(data, size, &a);
    if (n < 0)
        return 0;
    if ((size_t)n > size || n < 8 || n % 4 != 0)
        abort();
    uint8_t out[SN_RFTAP_MAX_LEN];
    size_t m = sn_rftap_encode(out, sizeof out, &a);
    if (m == 0 || sn_rftap_parse(out, m, &b) != (int)m)
        abort();
    if (a.dlt != b.dlt || a.crc_bad != b.crc_bad || !same(a.freq_hz, b.freq_hz) ||
        !same(a.freq_ofs_hz, b.freq_ofs_hz) || !same(a.power_db, b.power_db) ||
        !same(a.noise_db, b.noise_db) || !same(a.snr_db, b.snr_db) ||
        !same(a.quality, b.quality) || !same(a.duration_s, b.duration_s))
        abort();
    return 0;
}
