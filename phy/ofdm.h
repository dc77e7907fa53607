/* phy/ofdm: the symbol layer of sdrnet's OFDM waveform -- everything the
 * transmitter does after the preamble and everything the receiver does once
 * it is synchronised (phy/ofdm_sync finds bursts, estimates and removes the
 * frequency offset and the channel; phy/modem ties the two together).
 *
 * Waveform (IEEE 802.11a's numerology, scaled to any sample rate fs):
 *   - 64-point FFT, 16-sample cyclic prefix: one OFDM symbol = 80 samples.
 *   - Subcarriers k = -26..26 except 0 are used (52): 48 carry data, 4 are
 *     BPSK pilots at k = -21, -7, 7, 21 with base values 1, 1, 1, -1
 *     multiplied by 802.11a's 127-periodic polarity p_n (17.3.5.10), n the
 *     OFDM symbol's index counted from the first header symbol (n = 0).
 *     Data points fill k = -26..-22, -20..-8, -6..-1, 1..6, 8..20, 22..26
 *     in that order; subcarrier k is FFT bin (k + 64) % 64.
 *   - Constellations: 802.11a's (17.3.5.8), Gray-coded, unit mean energy
 *     (BPSK 1, QPSK 1/sqrt 2, 16-QAM 1/sqrt 10, 64-QAM 1/sqrt 42 per axis
 *     step), the first of a point's bits on the I axis.
 *   - A burst is: preamble (phy/ofdm_sync.h) | SN_OFDM_HDR_SYMS header
 *     symbols | nsym data symbols. Mean power SN_OFDM_TX_POWER per sample.
 *
 * Header (BPSK, rate 1/2, not scrambled, interleaved per symbol like the
 * data, SN_OFDM_HDR_SYMS = 3 symbols = 144 coded bits = 72 data bits with
 * the 6 tail bits), bits in order, each field MSB first: version (2 bits,
 * 0) | rate (4 bits, sn_phy_rate) | length (12 bits, frame bytes,
 * 0..4095) | ctrl (32 bits, the MAC's word) |
 * CRC-16/CCITT-FALSE over the 50 bits before it (16 bits) | tail (6 zeros).
 * A header whose CRC fails, or with a version, rate or length out of range,
 * is rejected.
 *
 * Data (only when length > 0): the PSDU is the frame followed by its
 * CRC-32 (IEEE 802.3's, least significant byte first, as Ethernet's FCS),
 * padded with zero bits to nsym * n_dbps - 6 bits, scrambled by 802.11a's
 * scrambler (x^7 + x^4 + 1, 17.3.5.5) started in state 0x5D, encoded by
 * phy/fec at the rate's code (the 6 tail bits appended by the encoder, not
 * scrambled), interleaved per symbol (phy/fec's 802.11a interleaver) and
 * mapped. nsym = ceil((8 * (length + 4) + 6) / n_dbps).
 *
 * Soft values: the receiver hands equalised points y (received / channel)
 * with a reliability w = 1 / (noise variance of y) per point; demapping
 * computes max-log LLRs scaled by w and quantises them to phy/fec's soft
 * bytes (0 = surely 0, 255 = surely 1, 128 = nothing known).
 *
 * Thread safety: the tables and pure functions are safe anywhere; one
 * sn_ofdm_codec per thread.
 */
#ifndef SN_PHY_OFDM_H
#define SN_PHY_OFDM_H

#include <stddef.h>
#include <stdint.h>

#include "phy/modem.h"

#define SN_OFDM_NFFT 64     /* [samples] FFT size */
#define SN_OFDM_NCP 16      /* [samples] cyclic prefix */
#define SN_OFDM_SYM_LEN 80  /* [samples] one OFDM symbol, CP included */
#define SN_OFDM_NDATA 48    /* data subcarriers */
#define SN_OFDM_NPILOT 4    /* pilot subcarriers */
#define SN_OFDM_NUSED 52    /* data + pilots */
#define SN_OFDM_HDR_SYMS 3  /* header symbols */
#define SN_OFDM_MAX_LEN 4095u /* [bytes] largest frame the header can describe */
#define SN_OFDM_TX_POWER 0.05f /* [full scale^2] mean power per sample of a
                                * burst (-13 dBFS: peaks of a 52-subcarrier
                                * symbol stay below full scale but for about
                                * one sample in 10^4, which is clipped) */

/* FFT bins of the data subcarriers (in mapping order) and of the pilots
 * (k = -21, -7, 7, 21). */
extern const uint8_t sn_ofdm_data_bin[SN_OFDM_NDATA];
extern const uint8_t sn_ofdm_pilot_bin[SN_OFDM_NPILOT];

/* Pilot values (+-1, real) of OFDM symbol n (0 = first header symbol). */
void sn_ofdm_pilots(size_t n, float out[SN_OFDM_NPILOT]);

/* 64-point DFTs, unnormalised: fft out[k] = sum_n in[n] e^{-j 2 pi k n / 64},
 * ifft out[n] = sum_k in[k] e^{+j 2 pi k n / 64}. in and out must not
 * overlap. Deterministic (no planner, no library state). */
void sn_ofdm_fft(const sn_cf32 *in, sn_cf32 *out);
void sn_ofdm_ifft(const sn_cf32 *in, sn_cf32 *out);

/* Data bits per OFDM symbol at a rate (24, 36, 48, 72, 96, 144, 192, 216);
 * 0 for a bad rate. */
unsigned sn_ofdm_dbps(sn_phy_rate rate);
/* Data symbols for a frame of `len` bytes at `rate` (0 for len 0). */
size_t sn_ofdm_nsym(sn_phy_rate rate, size_t len);

/* One time-domain symbol: CP + 64 samples, from 48 data points and the
 * pilots of symbol n, scaled so that a symbol of unit-energy points has
 * mean power SN_OFDM_TX_POWER. */
void sn_ofdm_symbol(const sn_cf32 data[SN_OFDM_NDATA], size_t n,
                    sn_cf32 out[SN_OFDM_SYM_LEN]);

/* Map bits (one per byte, 0/1, npoints * bpsc of them) to points;
 * bpsc in {1, 2, 4, 6}. */
void sn_ofdm_map(unsigned bpsc, const uint8_t *bits, size_t npoints, sn_cf32 *out);
/* Max-log soft demapping of npoints equalised points with reliabilities
 * w (see above) into npoints * bpsc soft bytes. Non-finite inputs and
 * weights <= 0 give erasures (128); bpsc outside {1, 2, 4, 6} writes
 * nothing. */
void sn_ofdm_demap(unsigned bpsc, const sn_cf32 *y, const float *w, size_t npoints,
                   uint8_t *soft);
/* Squared distance from y to the nearest point of the constellation
 * (for EVM). */
float sn_ofdm_error2(unsigned bpsc, sn_cf32 y);

typedef struct sn_ofdm_header {
    sn_phy_rate rate;
    unsigned len;   /* [bytes] 0..SN_OFDM_MAX_LEN */
    uint32_t ctrl;
} sn_ofdm_header;

typedef struct sn_ofdm_codec sn_ofdm_codec;

/* A codec for frames of up to max_len bytes (<= SN_OFDM_MAX_LEN). NULL on a
 * bad max_len or allocation failure. */
sn_ofdm_codec *sn_ofdm_codec_create(size_t max_len);
void sn_ofdm_codec_destroy(sn_ofdm_codec *c); /* NULL-safe */

/* Transmit: header and frame (h->len bytes) into
 * (SN_OFDM_HDR_SYMS + sn_ofdm_nsym(h->rate, h->len)) * 48 data points,
 * header symbols first. SN_OK; SN_ERR_INVAL for a bad rate or NULL;
 * SN_ERR_RANGE for len above max_len. */
int sn_ofdm_encode(sn_ofdm_codec *c, const sn_ofdm_header *h, const uint8_t *frame,
                   sn_cf32 *points);

/* Receive the header from its 3 * 48 equalised points. SN_OK, or
 * SN_ERR_PARSE (CRC, version, rate or length out of range: counted by the
 * caller). A length above the codec's max_len is SN_ERR_RANGE, with *h
 * filled in (the burst's length is known, e.g. to skip it). */
int sn_ofdm_decode_header(sn_ofdm_codec *c, const sn_cf32 *y, const float *w,
                          sn_ofdm_header *h);

/* Receive the data, one symbol at a time as it arrives: sym = 0 .. nsym-1
 * of the frame described by h (demapped and deinterleaved into the codec's
 * buffer), then sn_ofdm_decode_finish() decodes, descrambles and checks the
 * CRC, writing h->len bytes to frame and *crc_ok (1 for a header-only
 * frame, len 0, where frame may be NULL). sn_ofdm_decode_begin() starts a
 * frame (SN_ERR_RANGE / SN_ERR_INVAL as sn_ofdm_encode); a symbol never
 * handed over stays erased (the code may still recover it). decode_symbol:
 * SN_ERR_RANGE for sym >= nsym, SN_ERR_INVAL without a begun frame;
 * finish: SN_ERR_INVAL without a begun frame (each begin allows one finish). */
int sn_ofdm_decode_begin(sn_ofdm_codec *c, const sn_ofdm_header *h);
int sn_ofdm_decode_symbol(sn_ofdm_codec *c, size_t sym, const sn_cf32 y[SN_OFDM_NDATA],
                          const float w[SN_OFDM_NDATA]);
int sn_ofdm_decode_finish(sn_ofdm_codec *c, uint8_t *frame, int *crc_ok);

/* The whole data part at once (begin, every symbol, finish). */
int sn_ofdm_decode_data(sn_ofdm_codec *c, const sn_ofdm_header *h, const sn_cf32 *y,
                        const float *w, uint8_t *frame, int *crc_ok);

#endif
