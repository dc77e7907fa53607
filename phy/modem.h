/* phy/modem: bytes <-> IQ bursts.
 *
 * The transmitter turns one frame (the MAC's bytes) into one burst of complex
 * baseband samples; the receiver takes an arbitrary stream of samples, finds
 * bursts in it, and hands each decoded frame up with its statistics.
 *
 * Walking-skeleton version: built on liquid-dsp's flexframegen/flexframesync
 * (one modulation chosen at create time, CRC-32 over the payload, no FEC).
 * The PHY issue replaces the insides with a faster synchroniser and soft-FEC;
 * this interface is what stays.
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

typedef struct sn_modem_config {
    const char *modulation;  /* "bpsk", "qpsk", "qam16", "qam64" (liquid names) */
    unsigned max_payload;    /* [bytes] largest frame accepted, e.g. 2048 */
} sn_modem_config;

/* Defaults: qpsk, 2048 bytes. */
void sn_modem_config_default(sn_modem_config *c);

/* What the receiver measured on one frame. */
typedef struct sn_phy_stats {
    float snr_db;          /* [dB] estimated SNR per sample (the medium's
                            * definition, phy/medium.h): -EVM - 10 log10(2),
                            * since -EVM estimates Es/N0 at 2 samples/symbol;
                            * NaN if EVM is not finite. Accurate within
                            * about 1 dB up to 20 dB; saturates near 29 dB
                            * (liquid's synchroniser floor) */
    float rssi_db;         /* [dB] received power relative to full scale */
    float evm_db;          /* [dB] error vector magnitude */
    float cfo_hz;          /* [Hz] carrier frequency offset estimate */
    uint64_t sample_start; /* [samples] stream index where the burst began (estimate) */
    uint64_t sample_count; /* [samples] length of the burst */
    int header_ok;         /* 1 if the PHY header decoded */
    int crc_ok;            /* 1 if the payload CRC-32 matched */
    const char *modulation;/* name of the payload modulation */
} sn_phy_stats;

/* Called once per detected burst whose header decoded. `frame` is borrowed for
 * the duration of the call; it holds `len` bytes even when crc_ok is 0 (so a
 * capture can keep the damaged frame). */
typedef void (*sn_modem_rx_fn)(void *user, const uint8_t *frame, size_t len,
                               const sn_phy_stats *st);

typedef struct sn_modem sn_modem;

/* Create. `sample_rate` [S/s] only scales the reported CFO to Hz.
 * NULL on a bad config (logged) or allocation failure. */
sn_modem *sn_modem_create(const sn_modem_config *cfg, double sample_rate,
                          sn_modem_rx_fn rx, void *user);
void sn_modem_destroy(sn_modem *m); /* NULL-safe */

/* Name of the modulation the transmitter uses (static string). */
const char *sn_modem_modulation(const sn_modem *m);

/* Forget any partially received burst. */
void sn_modem_reset(sn_modem *m);

/* 1 while the receiver is inside a frame: its synchroniser detected a
 * preamble in the samples fed so far and is receiving the header or
 * payload after it (the frame has not completed nor been abandoned). The
 * preamble-detection half of carrier sense: it sees a burst that is
 * already under way even when its energy is too weak for the radio's
 * detector. 0 otherwise, and for NULL. */
int sn_modem_busy(const sn_modem *m);

/* Modulate `len` bytes into a burst. On SN_OK *iq points to *n samples owned
 * by the modem, valid until the next sn_modem_tx() or destroy.
 * SN_ERR_RANGE if len is 0 or above max_payload. */
int sn_modem_tx(sn_modem *m, const uint8_t *frame, size_t len,
                const sn_cf32 **iq, size_t *n);

/* Burst length in samples for a frame of `len` bytes (for airtime). */
size_t sn_modem_burst_len(const sn_modem *m, size_t len);

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
                                 * scale, clipped to it (keeps liquid finite) */
} sn_modem_counters;

void sn_modem_get_counters(const sn_modem *m, sn_modem_counters *c);

#endif
