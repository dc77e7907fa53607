/* Fuzz target: the OFDM symbol layer's receiver (phy/ofdm) on arbitrary
 * equalised points and reliabilities, and its transmitter on arbitrary
 * headers and frames.
 *
 * Byte 0, bit 0 picks the mode:
 *  - 0, raw points: the rest is points of 3 bytes each (I, Q, weight; see
 *    to_value/to_weight: small values, NaN, +-Inf and huge ones). The first
 *    144 points are the header; when sn_ofdm_decode_header() accepts them,
 *    the following points are the data symbols (missing ones erased,
 *    NaN) and the frame is decoded. Checks, besides "no crash": the
 *    decoder's result codes stay in their contract, an accepted header is
 *    in range.
 *  - 1, round trip: bytes 1..7 are a header (rate, length, ctrl), then the
 *    frame's bytes (cycled to the header's length), then noise: the burst
 *    is encoded, must decode exactly when noiseless, and is then decoded
 *    again with the noise bytes added to its points.
 * Seeds (tests/fuzz/corpus/ofdm_header) hold valid bursts in the raw
 * format, so mutations get past the header's CRC. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "phy/ofdm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* [bytes] frames the fuzz codec accepts: the header's whole range */
#define FUZZ_MAX_LEN SN_OFDM_MAX_LEN
/* [points] header and the longest burst (bpsk-1/2, 4095 bytes) */
#define FUZZ_MAX_POINTS ((SN_OFDM_HDR_SYMS + 1400) * SN_OFDM_NDATA)
/* [bytes] frame length cap of the round-trip mode (keeps runs short) */
#define FUZZ_RT_MAX_LEN 600u

static sn_ofdm_codec *codec;
static sn_cf32 pts[FUZZ_MAX_POINTS];
static float wts[FUZZ_MAX_POINTS];
static uint8_t frame[FUZZ_MAX_LEN], out[FUZZ_MAX_LEN];

static float to_value(uint8_t b)
{
    switch (b) {
    case 0x80: return NAN;
    case 0x7F: return INFINITY;
    case 0x81: return -INFINITY;
    case 0x7E: return 3e38f;
    case 0x82: return -3e38f;
    default: return (float)(int8_t)b / 32.0f; /* BPSK's +-1 is +-32 */
    }
}

static float to_weight(uint8_t b)
{
    switch (b) {
    case 0xFF: return INFINITY;
    case 0xFE: return NAN;
    case 0xFD: return 3e38f;
    default: return (float)b / 8.0f;
    }
}

static void raw_mode(const uint8_t *d, size_t n)
{
    size_t np = n / 3;
    if (np > FUZZ_MAX_POINTS)
        np = FUZZ_MAX_POINTS;
    for (size_t i = 0; i < np; i++) {
        pts[i] = sn_cf32_make(to_value(d[3 * i]), to_value(d[3 * i + 1]));
        wts[i] = to_weight(d[3 * i + 2]);
    }
    const size_t nh = SN_OFDM_HDR_SYMS * SN_OFDM_NDATA;
    for (size_t i = np; i < nh; i++) {
        pts[i] = sn_cf32_make(NAN, NAN);
        wts[i] = 1.0f;
    }
    sn_ofdm_header h;
    int e = sn_ofdm_decode_header(codec, pts, wts, &h);
    if (e == SN_ERR_PARSE)
        return;
    if (e != SN_OK || (unsigned)h.rate >= SN_RATE_COUNT || h.len > FUZZ_MAX_LEN)
        abort();
    size_t nd = sn_ofdm_nsym(h.rate, h.len) * SN_OFDM_NDATA;
    for (size_t i = np > nh ? np : nh; i < nh + nd; i++) {
        pts[i] = sn_cf32_make(NAN, NAN);
        wts[i] = 1.0f;
    }
    int ok = -1;
    if (sn_ofdm_decode_data(codec, &h, pts + nh, wts + nh, out, &ok) != SN_OK ||
        (ok != 0 && ok != 1) || (h.len == 0 && ok != 1))
        abort();
}

static void round_trip(const uint8_t *d, size_t n)
{
    if (n < 7)
        return;
    sn_ofdm_header h, g;
    h.rate = (sn_phy_rate)(d[0] % SN_RATE_COUNT);
    h.len = ((unsigned)d[1] << 8 | d[2]) % (FUZZ_RT_MAX_LEN + 1);
    h.ctrl = (uint32_t)d[3] << 24 | (uint32_t)d[4] << 16 | (uint32_t)d[5] << 8 | d[6];
    d += 7;
    n -= 7;
    size_t nf = n < h.len ? n : h.len;
    for (size_t i = 0; i < h.len; i++)
        frame[i] = nf ? d[i % nf] : (uint8_t)i;
    d += nf;
    n -= nf;
    if (sn_ofdm_encode(codec, &h, frame, pts) != SN_OK)
        abort();
    const size_t nh = SN_OFDM_HDR_SYMS * SN_OFDM_NDATA;
    size_t total = nh + sn_ofdm_nsym(h.rate, h.len) * SN_OFDM_NDATA;
    for (size_t i = 0; i < total; i++)
        wts[i] = 100.0f;
    int ok = -1;
    if (sn_ofdm_decode_header(codec, pts, wts, &g) != SN_OK || g.rate != h.rate ||
        g.len != h.len || g.ctrl != h.ctrl)
        abort();
    if (sn_ofdm_decode_data(codec, &g, pts + nh, wts + nh, out, &ok) != SN_OK || ok != 1 ||
        memcmp(out, frame, h.len) != 0)
        abort();
    /* noise from the remaining bytes, two per point */
    for (size_t i = 0; i < total && 2 * i + 1 < n; i++)
        pts[i] += sn_cf32_make(to_value(d[2 * i]), to_value(d[2 * i + 1]));
    int e = sn_ofdm_decode_header(codec, pts, wts, &g);
    if (e != SN_OK && e != SN_ERR_PARSE)
        abort();
    if (e == SN_OK && (sn_ofdm_decode_data(codec, &g, pts + nh, wts + nh, out, &ok) != SN_OK ||
                       (ok != 0 && ok != 1)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (!codec) {
        codec = sn_ofdm_codec_create(FUZZ_MAX_LEN);
        if (!codec)
            abort();
    }
    if (data[0] & 1)
        round_trip(data + 1, size - 1);
    else
        raw_mode(data + 1, size - 1);
    return 0;
}
