/* phy/rftap: known-answer bytes derived by hand from the RFtap spec
 * (https://rftap.github.io/specifications/), round trips, bad input refused. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "phy/rftap.h"
#include "sn_test.h"

/* dlt 1, freq 1.0 Hz, snr 20 dB.
 *   magic "RFta"                        52 46 74 61
 *   len32 = (8 + 4 + 8 + 4) / 4 = 6     06 00
 *   flags = dlt 0x1 | freq 0x2 | snr 0x80 = 0x0083
 *                                       83 00
 *   dlt u32 1                           01 00 00 00
 *   freq f64 1.0 = 0x3FF0000000000000   00 00 00 00 00 00 f0 3f
 *   snr f32 20.0 = 0x41A00000           00 00 a0 41 */
static const uint8_t kat1[] = {
    0x52, 0x46, 0x74, 0x61, 0x06, 0x00, 0x83, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f, 0x00, 0x00, 0xa0, 0x41,
};

/* Every field sdrnet writes, and the failed-frame mark:
 *   flags = dlt 0x1 | freq 0x2 | freqofs 0x8 | power 0x20 | noise 0x40
 *         | snr 0x80 | qual 0x100 | duration 0x800 | bit 13 0x2000 = 0x29eb
 *   len32 = (8 + 4 + 8 + 8 + 4*4 + 8) / 4 = 13
 *   freq 2.0 = 0x4000000000000000, freqofs -0.5 = 0xBFE0000000000000
 *   power -10.0f = 0xC1200000, noise -30.0f = 0xC1F00000
 *   snr 20.0f = 0x41A00000, qual 0.5f = 0x3F000000
 *   duration 0.25 = 0x3FD0000000000000 */
static const uint8_t kat2[] = {
    0x52, 0x46, 0x74, 0x61, 0x0d, 0x00, 0xeb, 0x29,                 /* fixed */
    0x01, 0x00, 0x00, 0x00,                                         /* dlt */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40,                 /* freq */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe0, 0xbf,                 /* freqofs */
    0x00, 0x00, 0x20, 0xc1,                                         /* power */
    0x00, 0x00, 0xf0, 0xc1,                                         /* noise */
    0x00, 0x00, 0xa0, 0x41,                                         /* snr */
    0x00, 0x00, 0x00, 0x3f,                                         /* qual */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xd0, 0x3f,                 /* duration */
};

static void test_known_answer(void)
{
    uint8_t out[SN_RFTAP_MAX_LEN];
    sn_rftap_info i;
    sn_rftap_info_init(&i);
    i.freq_hz = 1.0;
    i.snr_db = 20.0;
    size_t n = sn_rftap_encode(out, sizeof out, &i);
    CHECK_EQ_INT(n, sizeof kat1);
    CHECK_MEM(out, kat1, sizeof kat1);

    sn_rftap_info_init(&i);
    i.freq_hz = 2.0;
    i.freq_ofs_hz = -0.5;
    i.power_db = -10.0;
    i.noise_db = -30.0;
    i.snr_db = 20.0;
    i.quality = 0.5;
    i.duration_s = 0.25;
    i.crc_bad = 1;
    n = sn_rftap_encode(out, sizeof out, &i);
    CHECK_EQ_INT(n, sizeof kat2);
    CHECK_MEM(out, kat2, sizeof kat2);
}

static void test_minimal_and_cap(void)
{
    uint8_t out[SN_RFTAP_MAX_LEN];
    sn_rftap_info i;
    sn_rftap_info_init(&i);
    CHECK_EQ_INT(i.dlt, 1);
    CHECK(isnan(i.freq_hz) && isnan(i.snr_db) && isnan(i.quality));
    /* nothing optional: fixed header + dlt */
    static const uint8_t min[] = {0x52, 0x46, 0x74, 0x61, 0x03, 0x00, 0x01, 0x00, 1, 0, 0, 0};
    CHECK_EQ_INT(sn_rftap_encode(out, sizeof out, &i), sizeof min);
    CHECK_MEM(out, min, sizeof min);
    CHECK_EQ_INT(sn_rftap_encode(out, sizeof min - 1, &i), 0);
    /* non-finite values are absent */
    i.snr_db = INFINITY;
    i.power_db = NAN;
    CHECK_EQ_INT(sn_rftap_encode(out, sizeof out, &i), sizeof min);
}

static void test_round_trip(void)
{
    uint8_t out[SN_RFTAP_MAX_LEN];
    sn_rftap_info a, b;
    sn_rftap_info_init(&a);
    a.dlt = 1;
    a.freq_hz = 915e6;
    a.freq_ofs_hz = -1234.5;
    a.power_db = -9.5;
    a.noise_db = -29.5;
    a.snr_db = 20.0;
    a.quality = 0.9;
    a.duration_s = 1.5e-3;
    a.crc_bad = 1;
    size_t n = sn_rftap_encode(out, sizeof out, &a);
    CHECK(n > 8 && n % 4 == 0 && n <= SN_RFTAP_MAX_LEN);
    CHECK_EQ_INT(sn_rftap_parse(out, n, &b), n);
    CHECK_EQ_INT(b.dlt, 1);
    CHECK(b.freq_hz == a.freq_hz);
    CHECK(b.freq_ofs_hz == a.freq_ofs_hz);
    CHECK(b.duration_s == a.duration_s);
    CHECK_NEAR(b.power_db, a.power_db, 1e-6);
    CHECK_NEAR(b.noise_db, a.noise_db, 1e-6);
    CHECK_NEAR(b.snr_db, a.snr_db, 1e-6);
    CHECK_NEAR(b.quality, a.quality, 1e-6);
    CHECK_EQ_INT(b.crc_bad, 1);

    /* the known answers parse back too, with trailing payload ignored */
    uint8_t buf[sizeof kat1 + 10];
    memcpy(buf, kat1, sizeof kat1);
    memset(buf + sizeof kat1, 0xee, 10);
    CHECK_EQ_INT(sn_rftap_parse(buf, sizeof buf, &b), sizeof kat1);
    CHECK(b.freq_hz == 1.0 && b.snr_db == 20.0 && isnan(b.freq_ofs_hz) && !b.crc_bad);
    CHECK_EQ_INT(sn_rftap_parse(kat2, sizeof kat2, &b), sizeof kat2);
    CHECK(b.crc_bad == 1 && b.quality == 0.5 && b.duration_s == 0.25);

    /* huge values do not overflow the float fields */
    a.snr_db = 1e300;
    n = sn_rftap_encode(out, sizeof out, &a);
    CHECK_EQ_INT(sn_rftap_parse(out, n, &b), n);
    CHECK(isfinite(b.snr_db) && b.snr_db > 1e38);
}

static void test_fields_we_skip(void)
{
    /* nomfreq (bit 2), isdbm (4), time (10), location (12): parsed past */
    uint8_t h[8 + 4 + 8 + 16 + 24 + 4];
    memset(h, 0, sizeof h);
    memcpy(h, "RFta", 4);
    h[4] = sizeof h / 4;
    uint16_t flags = 0x1 | 0x4 | 0x10 | 0x400 | 0x1000;
    h[6] = (uint8_t)flags;
    h[7] = (uint8_t)(flags >> 8);
    h[8] = 105; /* dlt */
    sn_rftap_info b;
    CHECK_EQ_INT(sn_rftap_parse(h, sizeof h, &b), sizeof h); /* extra word allowed */
    CHECK_EQ_INT(b.dlt, 105);
    CHECK(isnan(b.freq_hz));
    /* no DLT field */
    uint8_t nodlt[8] = {0x52, 0x46, 0x74, 0x61, 2, 0, 0, 0};
    CHECK_EQ_INT(sn_rftap_parse(nodlt, sizeof nodlt, &b), 8);
    CHECK(b.dlt == SN_RFTAP_DLT_NONE);
}

static void test_refused(void)
{
    sn_rftap_info b;
    uint8_t buf[sizeof kat2];
    /* truncated: every prefix shorter than the header */
    for (size_t n = 0; n < sizeof kat2; n++) {
        int rc = sn_rftap_parse(kat2, n, &b);
        CHECK(rc == SN_ERR_TRUNC);
    }
    /* bad magic */
    memcpy(buf, kat2, sizeof buf);
    buf[0] = 'r';
    CHECK_EQ_INT(sn_rftap_parse(buf, sizeof buf, &b), SN_ERR_PARSE);
    /* len32 below the fixed header */
    memcpy(buf, kat2, sizeof buf);
    buf[4] = 1;
    CHECK_EQ_INT(sn_rftap_parse(buf, sizeof buf, &b), SN_ERR_PARSE);
    /* len32 larger than the buffer */
    memcpy(buf, kat2, sizeof buf);
    buf[4] = 200;
    CHECK_EQ_INT(sn_rftap_parse(buf, sizeof buf, &b), SN_ERR_TRUNC);
    /* flags promise more fields than len32 covers */
    memcpy(buf, kat1, sizeof kat1);
    buf[4] = 4; /* 16 bytes: dlt fits, freq does not */
    CHECK_EQ_INT(sn_rftap_parse(buf, sizeof kat1, &b), SN_ERR_PARSE);
    /* reserved bits 14/15 */
    memcpy(buf, kat1, sizeof kat1);
    buf[7] |= 0x40;
    CHECK_EQ_INT(sn_rftap_parse(buf, sizeof kat1, &b), SN_ERR_PARSE);
    memcpy(buf, kat1, sizeof kat1);
    buf[7] |= 0x80;
    CHECK_EQ_INT(sn_rftap_parse(buf, sizeof kat1, &b), SN_ERR_PARSE);
    /* garbage */
    uint8_t g[64];
    for (size_t k = 0; k < sizeof g; k++)
        g[k] = (uint8_t)(k * 37 + 11);
    CHECK(sn_rftap_parse(g, sizeof g, &b) < 0);
    CHECK(sn_rftap_parse(NULL, 0, &b) == SN_ERR_TRUNC);
}

int main(void)
{
    TEST_RUN(test_known_answer);
    TEST_RUN(test_minimal_and_cap);
    TEST_RUN(test_round_trip);
    TEST_RUN(test_fields_we_skip);
    TEST_RUN(test_refused);
    TEST_DONE();
}
