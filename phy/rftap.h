/* phy/rftap: the RFtap header that Wireshark's `rftap` dissector reads,
 * carrying what the radio measured about a frame ahead of the frame itself.
 * Written into pcaps of link type 252 (exported PDU naming "rftap"). */
#ifndef SN_PHY_RFTAP_H
#define SN_PHY_RFTAP_H

#include <stddef.h>
#include <stdint.h>

/* Fields are written only when finite (NaN = absent). */
typedef struct sn_rftap_info {
    uint32_t dlt;          /* link type of what follows; 1 = Ethernet */
    double freq_hz;        /* [Hz] center frequency */
    double freq_ofs_hz;    /* [Hz] measured frequency offset */
    double power_db;       /* [dB] signal power */
    double noise_db;       /* [dB] noise power */
    double snr_db;         /* [dB] signal-to-noise ratio */
    double quality;        /* [0..1] or EVM-derived quality; NaN = absent */
    double duration_s;     /* [s] burst duration */
    int crc_bad;           /* 1 = frame failed its check (marked in flags) */
} sn_rftap_info;

/* Set every optional field to absent and dlt to 1. */
void sn_rftap_info_init(sn_rftap_info *i);

/* Largest header sn_rftap_encode() writes. [bytes] */
#define SN_RFTAP_MAX_LEN 128

/* Encode into out[cap]; returns the header length [bytes] (a multiple of 4),
 * or 0 if cap is too small. */
size_t sn_rftap_encode(uint8_t *out, size_t cap, const sn_rftap_info *i);

/* dlt value sn_rftap_parse() reports when the header has no DLT field. */
#define SN_RFTAP_DLT_NONE 0xffffffffu

/* Parse a header (length-checked), filling `i`; returns the header length or
 * a negative error (SN_ERR_TRUNC, SN_ERR_PARSE). For tests and fuzzing.
 * Absent fields come back NaN (dlt: SN_RFTAP_DLT_NONE). Fields sdrnet does
 * not use (nominal frequency, time, location) are skipped; a header with
 * reserved flag bit 14 or 15 set is refused (their size is unknown).
 *
 * crc_bad: RFtap itself has no "frame failed" flag; sdrnet marks it with
 * reserved flag bit 13 (0x2000), which carries no field. Wireshark shows it
 * as rftap.present.field13. */
int sn_rftap_parse(const uint8_t *in, size_t len, sn_rftap_info *i);

#endif
