/* phy/rftap: RFtap header encoder and parser.
 *
 * Layout (all little-endian, fields packed without padding, see
 * https://rftap.github.io/specifications/ and Wireshark's rftap dissector):
 *
 *   u32 magic "RFta" (52 46 74 61)
 *   u16 len32   header length in 32-bit words, optional fields included
 *   u16 flags   bit i set = field i present (bits 4 and 9 are booleans)
 *   then the present fields in bit order:
 *     0 dlt u32 | 1 freq f64 | 2 nomfreq f64 | 3 freqofs f64 | 4 isdbm (flag)
 *     5 power f32 | 6 noise f32 | 7 snr f32 | 8 qual f32 | 9 isunixtime (flag)
 *     10 time 2 x f64 | 11 duration f64 | 12 location 3 x f64
 *     13..15 reserved
 *
 * RFtap has no "frame failed its check" flag (radiotap has one, RFtap does
 * not). sdrnet marks a failed frame with reserved bit 13, which carries no
 * field, so every other field still sits where a reader expects it.
 * Wireshark 4.0 shows that bit as "Reserved Field 13 Present"
 * (filter: rftap.present.field13 == 1); it stops reading the fixed fields
 * there, after all of them have been read, and still hands the payload to
 * the DLT's dissector. The one cost is that the spec says reserved bits
 * "must be 0": a strict reader may refuse such a header.
 */
#include "phy/rftap.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "core/bytes.h"
#include "core/err.h"

#define RFTAP_MAGIC_LE 0x61744652u /* "RFta" read as a little-endian u32 */
#define RFTAP_FIXED_LEN 8          /* magic + len32 + flags [bytes] */

enum {
    F_DLT = 1u << 0,
    F_FREQ = 1u << 1,
    F_NOMFREQ = 1u << 2,
    F_FREQOFS = 1u << 3,
    F_ISDBM = 1u << 4,
    F_POWER = 1u << 5,
    F_NOISE = 1u << 6,
    F_SNR = 1u << 7,
    F_QUAL = 1u << 8,
    F_ISUNIXTIME = 1u << 9,
    F_TIME = 1u << 10,
    F_DURATION = 1u << 11,
    F_LOCATION = 1u << 12,
    F_SN_CRC_BAD = 1u << 13, /* sdrnet's use of a reserved bit, see top */
    F_RESERVED = (1u << 14) | (1u << 15),
};

/* Size of field `bit` [bytes]; 0 for the boolean flags. */
static const unsigned field_size[13] = {4, 8, 8, 8, 0, 4, 4, 4, 4, 0, 16, 8, 24};

void sn_rftap_info_init(sn_rftap_info *i)
{
    i->dlt = 1;
    i->freq_hz = NAN;
    i->freq_ofs_hz = NAN;
    i->power_db = NAN;
    i->noise_db = NAN;
    i->snr_db = NAN;
    i->quality = NAN;
    i->duration_s = NAN;
    i->crc_bad = 0;
}

static void put_f64(uint8_t *p, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    sn_put_le64(p, v);
}

static void put_f32(uint8_t *p, double d)
{
    /* a double outside float's range would be undefined to convert */
    if (d > FLT_MAX)
        d = FLT_MAX;
    if (d < -FLT_MAX)
        d = -FLT_MAX;
    float f = (float)d;
    uint32_t v;
    memcpy(&v, &f, sizeof v);
    sn_put_le32(p, v);
}

static double get_f64(const uint8_t *p)
{
    uint64_t v = sn_get_le64(p);
    double d;
    memcpy(&d, &v, sizeof d);
    return d;
}

static double get_f32(const uint8_t *p)
{
    uint32_t v = sn_get_le32(p);
    float f;
    memcpy(&f, &v, sizeof f);
    return (double)f;
}

size_t sn_rftap_encode(uint8_t *out, size_t cap, const sn_rftap_info *i)
{
    if (!out || !i)
        return 0;
    uint16_t flags = F_DLT;
    size_t len = RFTAP_FIXED_LEN + 4;
    if (isfinite(i->freq_hz)) {
        flags |= F_FREQ;
        len += 8;
    }
    if (isfinite(i->freq_ofs_hz)) {
        flags |= F_FREQOFS;
        len += 8;
    }
    if (isfinite(i->power_db)) {
        flags |= F_POWER;
        len += 4;
    }
    if (isfinite(i->noise_db)) {
        flags |= F_NOISE;
        len += 4;
    }
    if (isfinite(i->snr_db)) {
        flags |= F_SNR;
        len += 4;
    }
    if (isfinite(i->quality)) {
        flags |= F_QUAL;
        len += 4;
    }
    if (isfinite(i->duration_s)) {
        flags |= F_DURATION;
        len += 8;
    }
    if (i->crc_bad)
        flags |= F_SN_CRC_BAD;
    /* every field is 4 or 8 bytes, so len is already a whole number of words */
    if (cap < len)
        return 0;

    sn_put_le32(out, RFTAP_MAGIC_LE);
    sn_put_le16(out + 4, (uint16_t)(len / 4));
    sn_put_le16(out + 6, flags);
    uint8_t *p = out + RFTAP_FIXED_LEN;
    sn_put_le32(p, i->dlt);
    p += 4;
    if (flags & F_FREQ) {
        put_f64(p, i->freq_hz);
        p += 8;
    }
    if (flags & F_FREQOFS) {
        put_f64(p, i->freq_ofs_hz);
        p += 8;
    }
    if (flags & F_POWER) {
        put_f32(p, i->power_db);
        p += 4;
    }
    if (flags & F_NOISE) {
        put_f32(p, i->noise_db);
        p += 4;
    }
    if (flags & F_SNR) {
        put_f32(p, i->snr_db);
        p += 4;
    }
    if (flags & F_QUAL) {
        put_f32(p, i->quality);
        p += 4;
    }
    if (flags & F_DURATION) {
        put_f64(p, i->duration_s);
        p += 8;
    }
    return (size_t)(p - out);
}

int sn_rftap_parse(const uint8_t *in, size_t len, sn_rftap_info *i)
{
    if (!i || (!in && len))
        return SN_ERR_INVAL;
    sn_rftap_info_init(i);
    if (len < RFTAP_FIXED_LEN)
        return SN_ERR_TRUNC;
    if (sn_get_le32(in) != RFTAP_MAGIC_LE)
        return SN_ERR_PARSE;
    size_t hlen = (size_t)sn_get_le16(in + 4) * 4;
    unsigned flags = sn_get_le16(in + 6);
    if (hlen < RFTAP_FIXED_LEN)
        return SN_ERR_PARSE;
    if (hlen > len)
        return SN_ERR_TRUNC;
    /* a reserved field of unknown size: nothing after it could be located */
    if (flags & F_RESERVED)
        return SN_ERR_PARSE;

    i->dlt = SN_RFTAP_DLT_NONE;
    size_t off = RFTAP_FIXED_LEN;
    for (unsigned bit = 0; bit < 13; bit++) {
        if (!(flags & (1u << bit)))
            continue;
        size_t n = field_size[bit];
        if (n > hlen - off)
            return SN_ERR_PARSE; /* flags promise more than len32 holds */
        const uint8_t *p = in + off;
        switch (1u << bit) {
        case F_DLT: i->dlt = sn_get_le32(p); break;
        case F_FREQ: i->freq_hz = get_f64(p); break;
        case F_FREQOFS: i->freq_ofs_hz = get_f64(p); break;
        case F_POWER: i->power_db = get_f32(p); break;
        case F_NOISE: i->noise_db = get_f32(p); break;
        case F_SNR: i->snr_db = get_f32(p); break;
        case F_QUAL: i->quality = get_f32(p); break;
        case F_DURATION: i->duration_s = get_f64(p); break;
        default: break; /* nomfreq, time, location: skipped; flags: no data */
        }
        off += n;
    }
    i->crc_bad = (flags & F_SN_CRC_BAD) ? 1 : 0;
    /* words after the last field are allowed (the spec's future extensions) */
    return (int)hlen;
}
