/* phy/modem: bytes <-> IQ bursts.
 *
 * The transmitter turns one frame (the MAC's bytes) into one burst of complex
 * baseband samples; the receiver takes an arbitrary stream of samples, finds
 * bursts in it, and hands each decoded frame up with its statistics.
 *
 * Implementation: an OFDM modem (IEEE 802.11a's numerology scaled to any
 * sample rate: 64-point FFT, 16-sample cyclic prefix, 48 data and 4 pilot
 * subcarriers). phy/ofdm_sync defines the preamble (12 short training
 * periods of 16 samples, a 160-sample long training part) and the
 * receiver's synchroniser (O(1)-per-sample detector, CFO to +-3 % of fs,
 * timing, channel and noise estimates, pilot tracking); phy/ofdm the
 * symbol layer (3-symbol header under a CRC-16 with rate, length and the
 * MAC's ctrl word; scrambled data with a CRC-32, 802.11a's convolutional
 * code, interleaver and Gray-coded BPSK..64-QAM). Deterministic (no
 * planner, no threads), no allocation after create.
 */
#ifndef SN_PHY_MODEM_H
#define SN_PHY_MODEM_H

#include <complex.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef float complex sn_cf32; /* one IQ sample, full scale |x| <= 1 */

/* Build a sample from its parts, bit for bit (also NaN, Inf, -0). C11's
 * CMPLXF is not available with every compiler/libc pair (clang + glibc),
 * and re + im * I is not exact for non-finite parts. A complex float has
 * the layout of float[2] (C11 6.2.5). */
static inline sn_cf32 sn_cf32_make(float re, float im)
{
    float v[2] = {re, im};
    sn_cf32 z;
    memcpy(&z, v, sizeof z);
    return z;
}

/* The eight rates (IEEE 802.11a's set): modulation and code rate of the
 * payload, chosen per frame by the transmitter and signalled in the PHY
 * header, so a MAC can adapt the rate per destination. Ordered from the
 * most robust to the fastest. */
typedef enum sn_phy_rate {
    SN_RATE_BPSK_12 = 0, /* "bpsk-1/2"  */
    SN_RATE_BPSK_34,     /* "bpsk-3/4"  */
    SN_RATE_QPSK_12,     /* "qpsk-1/2"  */
    SN_RATE_QPSK_34,     /* "qpsk-3/4"  */
    SN_RATE_QAM16_12,    /* "qam16-1/2" */
    SN_RATE_QAM16_34,    /* "qam16-3/4" */
    SN_RATE_QAM64_23,    /* "qam64-2/3" */
    SN_RATE_QAM64_34,    /* "qam64-3/4" */
    SN_RATE_COUNT
} sn_phy_rate;

/* "bpsk-1/2", ... (static string); "?" for a value out of range. */
const char *sn_phy_rate_name(sn_phy_rate r);
/* Parse a rate name (as above). Also accepts a bare modulation name
 * ("bpsk", "qpsk", "qam16", "qam64") meaning its rate-1/2 code (qam64:
 * 2/3), for flowgraphs written before rates existed. SN_OK or
 * SN_ERR_PARSE. */
int sn_phy_rate_parse(const char *s, sn_phy_rate *out);
/* Bits per constellation point (1, 2, 4, 6) and code rate as num/den. */
unsigned sn_phy_rate_bits_per_point(sn_phy_rate r);
void sn_phy_rate_code(sn_phy_rate r, unsigned *num, unsigned *den);

typedef struct sn_modem_config {
    sn_phy_rate rate;        /* rate of frames sent without an explicit one */
    unsigned max_payload;    /* [bytes] largest frame accepted, e.g. 2048;
                              * 1..4095 (the header's 12-bit length) */
} sn_modem_config;

/* Defaults: qpsk-1/2, 2048 bytes. */
void sn_modem_config_default(sn_modem_config *c);

/* What the receiver measured on one frame. */
typedef struct sn_phy_stats {
    float snr_db;          /* [dB] estimated SNR per sample (the medium's
                            * definition, phy/medium.h: signal power over
                            * the noise power in the whole sampled band);
                            * NaN if it cannot be estimated */
    float rssi_db;         /* [dB] received power relative to full scale */
    float evm_db;          /* [dB] error vector magnitude of the payload
                            * points (after equalisation; the header's
                            * for a header-only burst): an estimate from
                            * a subset, the first 4 data symbols and
                            * every 4th after them */
    float cfo_hz;          /* [Hz] carrier frequency offset estimate */
    float timing_frac;     /* [samples] fractional part of the burst start
                            * estimate, in [-0.5, 0.5] (0 if not measured):
                            * the burst began at sample_start + timing_frac */
    uint64_t sample_start; /* [samples] stream index where the burst began
                            * (estimate, the nearest sample; multipath moves
                            * it towards the channel's centre of energy) */
    uint64_t sample_count; /* [samples] length of the burst */
    int header_ok;         /* 1 if the PHY header decoded */
    int crc_ok;            /* 1 if the payload CRC-32 matched */
    sn_phy_rate rate;      /* payload rate, from the header */
    uint32_t ctrl;         /* the header's MAC control word (see sn_modem_tx) */
} sn_phy_stats;

/* Called once per detected burst whose header decoded. `frame` is borrowed for
 * the duration of the call; it holds `len` bytes even when crc_ok is 0 (so a
 * capture can keep the damaged frame). len may be 0 (a header-only burst). */
typedef void (*sn_modem_rx_fn)(void *user, const uint8_t *frame, size_t len,
                               const sn_phy_stats *st);

typedef struct sn_modem sn_modem;

/* Create. `sample_rate` [S/s] only scales the reported CFO to Hz.
 * NULL on a bad config (logged) or allocation failure. */
sn_modem *sn_modem_create(const sn_modem_config *cfg, double sample_rate,
                          sn_modem_rx_fn rx, void *user);
void sn_modem_destroy(sn_modem *m); /* NULL-safe */

/* The configured default rate (SN_RATE_QPSK_12 for NULL). */
sn_phy_rate sn_modem_rate(const sn_modem *m);

/* Forget any partially received burst. */
void sn_modem_reset(sn_modem *m);

/* 1 while the receiver is inside a frame: its synchroniser detected a
 * preamble in the samples fed so far and is receiving the header or
 * payload after it (the frame has not completed nor been abandoned). The
 * preamble-detection half of carrier sense: it sees a burst that is
 * already under way even when its energy is too weak for the radio's
 * detector. 0 otherwise, and for NULL. */
int sn_modem_busy(const sn_modem *m);

/* Per-frame transmit options. */
typedef struct sn_modem_txopt {
    sn_phy_rate rate;  /* payload rate */
    uint32_t ctrl;     /* MAC control word: 32 bits carried in the PHY
                        * header under the header's check, opaque to the
                        * PHY, handed back in sn_phy_stats.ctrl (a radio MAC
                        * keeps its frame type, sequence number and retry
                        * flag there, so its frames stay plain Ethernet) */
} sn_modem_txopt;

/* Modulate `len` bytes into a burst with options `opt` (NULL: the
 * configured rate, ctrl 0). len 0 sends a header-only burst (e.g. an ACK).
 * On SN_OK *iq points to *n samples owned by the modem, valid until the
 * next sn_modem_tx() or destroy. SN_ERR_RANGE if len is above max_payload,
 * SN_ERR_INVAL for a rate out of range or NULL pointers. */
int sn_modem_tx(sn_modem *m, const uint8_t *frame, size_t len, const sn_modem_txopt *opt,
                const sn_cf32 **iq, size_t *n);

/* Burst length in samples for a frame of `len` bytes at `rate` (for
 * airtime); 0 for a bad rate or len above max_payload. */
size_t sn_modem_burst_len(const sn_modem *m, size_t len, sn_phy_rate rate);

/* The PHY's timing, for a MAC's inter-frame spaces and slots [samples]. */
typedef struct sn_modem_timing {
    unsigned preamble;     /* samples before the header starts */
    unsigned detect;       /* samples of a burst the receiver needs before
                            * sn_modem_busy() turns 1 (preamble detection) */
    unsigned decode_delay; /* samples after a burst's last sample before its
                            * frame callback has surely run (0 if it runs on
                            * the last sample) */
} sn_modem_timing;

void sn_modem_get_timing(const sn_modem *m, sn_modem_timing *t);

/* Observer of each received frame's equalised payload points (for
 * constellation plots and EVM studies): n points of unit mean energy, as
 * the demapper saw them, borrowed for the call; called just before the rx
 * callback of the same frame (not for a header-only burst: it has no
 * payload points). NULL fn: none. */
typedef void (*sn_modem_points_fn)(void *user, const sn_cf32 *pts, size_t n, sn_phy_rate rate);
void sn_modem_set_points_observer(sn_modem *m, sn_modem_points_fn fn, void *user);

/* Feed `n` received samples (any chunking). Calls the rx callback for each
 * frame completed inside. Non-finite samples are replaced by 0 and counted.
 * The callback must not reset or destroy the modem; it may call
 * sn_modem_tx(). sample_start counts samples fed since create (estimate,
 * within a sample or two). */
int sn_modem_rx(sn_modem *m, const sn_cf32 *iq, size_t n);

typedef struct sn_modem_counters {
    uint64_t tx_frames, tx_samples;
    uint64_t rx_samples;
    uint64_t rx_frames_ok;      /* header and CRC good */
    uint64_t rx_frames_crc_bad; /* header good, payload CRC failed */
    uint64_t rx_header_bad;     /* detected, header failed (or not ours, or a
                                 * length above max_payload): nothing delivered */
    uint64_t rx_nonfinite;      /* NaN/Inf samples replaced by 0 */
    uint64_t rx_clipped;        /* samples with a component beyond +-64 full
                                 * scale, clipped to it (keeps the
                                 * receiver's sums finite) */
    uint64_t rx_triggers;       /* preamble detector firings, each followed by
                                 * a search for the long training sequence
                                 * (on noise alone ~1 per 10^5..10^6 samples,
                                 * all rejected there) */
} sn_modem_counters;

void sn_modem_get_counters(const sn_modem *m, sn_modem_counters *c);

#endif
