/* phy/radio: one interface for every radio backend, so a node never knows
 * which one it has.
 *
 *   sim    a port on a simulated shared medium (phy/medium.h), virtual time
 *   file   IQ recordings: SigMF (.sigmf-meta/.sigmf-data) or raw cf32, ci8,
 *          cu8, ci16 files; receive reads the file, transmit appends to it
 *   soapy  any SoapySDR device (args as `SoapySDRUtil --make=` takes them)
 *
 * Contract (SoapySDR-style):
 *  - Transmit: sn_radio_tx() hands over one whole burst. The samples are
 *    copied before it returns. `at` is when the first sample should go on
 *    the air [ns] on the radio's clock, or SN_RADIO_NOW. A backend that
 *    cannot time bursts sends as soon as possible and counts a late burst
 *    when `at` was in the past. A radio is half-duplex: while it transmits
 *    it does not hear (sim models it; devices are configured that way).
 *  - Receive: samples are handed up through the rx callback in blocks, each
 *    with its index on the radio's sample clock. A backend that skips idle
 *    time (sim) or lost samples (overflow) sets SN_RADIO_RX_GAP on the next
 *    block, so the demodulator knows the stream is not contiguous.
 *  - Back-pressure: a backend with its own stream (file, soapy) delivers
 *    nothing until sn_radio_poll() is called; each call delivers what has
 *    arrived (soapy) or the next block (file) and returns how many samples
 *    it delivered, 0 when there is nothing now, SN_ERR_NOENT at the end of
 *    a file, or another negative error. sim delivers through the scheduler
 *    and poll returns 0.
 *  - Carrier sense: sn_radio_carrier() tells whether the channel is busy
 *    now (energy above threshold), for the MAC's CSMA. How late it can
 *    see a burst, and how long the radio takes from receive to transmit,
 *    are in sn_radio_info (cca_latency, turnaround): a MAC's slot time is
 *    made of them.
 *  - Errors: every overflow, underflow, timeout and late burst is counted
 *    (sn_radio_counters) and logged once per kind per second; none is
 *    fatal. An unplugged or missing device is an error from open, with a
 *    message, never a hang.
 */
#ifndef SN_PHY_RADIO_H
#define SN_PHY_RADIO_H

#include <stddef.h>
#include <stdint.h>

#include "core/sched.h"
#include "core/time.h"
#include "phy/modem.h"

typedef struct sn_radio sn_radio;

#define SN_RADIO_NOW ((sn_time_t)-1)

/* A block of received samples. */
typedef struct sn_radio_rx {
    const sn_cf32 *iq;      /* borrowed for the duration of the callback */
    size_t n;
    uint64_t sample_start;  /* [samples] index of iq[0] on the radio's clock */
    sn_time_t t_start;      /* [ns] time of iq[0] */
    uint32_t flags;         /* SN_RADIO_RX_* */
    double snr_db;          /* [dB] sim: configured SNR of the loudest burst in the
                             * block; NaN for other backends */
    int from_port;          /* sim: port of the loudest burst's sender; -1 otherwise */
} sn_radio_rx;

#define SN_RADIO_RX_GAP 0x1u /* samples before this block were skipped or lost */

typedef void (*sn_radio_rx_fn)(void *user, const sn_radio_rx *rx);

typedef struct sn_radio_info {
    const char *backend;    /* "sim", "file", "soapy" */
    double sample_rate;     /* [S/s] */
    double freq_hz;         /* [Hz] centre frequency, NaN if unknown */
    int can_tx, can_rx;     /* 1 if the radio can transmit / receive */
    int timed_tx;           /* 1 if bursts start at `at` exactly */
    /* What a MAC's slot is made of (802.11's aCCATime and
     * aRxTxTurnaroundTime), as the backend really is, conservative:
     *  cca_latency  [ns] from the first sample of a burst reaching the
     *               antenna until sn_radio_carrier() can report it busy
     *               (detector averaging, sample transport to the host);
     *  turnaround   [ns] from a decision to transmit, taken on the
     *               channel as sensed, until the burst's first sample is
     *               on the air (rx->tx switching, transmit path latency).
     * NaN where it does not apply (a file: nothing else transmits into it,
     * so no carrier to sense); a MAC then uses its own floor. */
    double cca_latency;
    double turnaround;
} sn_radio_info;

typedef struct sn_radio_counters {
    uint64_t tx_bursts, tx_samples;
    uint64_t rx_blocks, rx_samples;
    uint64_t overflows;     /* receive overflow events (device or ring full):
                             * a device does not say how many samples it lost */
    uint64_t underflows;    /* transmit ran dry inside a burst */
    uint64_t timeouts;      /* a device call timed out */
    uint64_t late_bursts;   /* a burst started after its `at` */
    uint64_t tx_dropped;    /* bursts refused (busy, too long, device error) */
} sn_radio_counters;

/* What a backend implements. `impl` is the backend's own object. */
typedef struct sn_radio_ops {
    int (*tx)(void *impl, const sn_cf32 *iq, size_t n, sn_time_t at);
    /* 1 busy, 0 idle, < 0 error; *power_db [dB full scale] if not NULL */
    int (*carrier)(void *impl, sn_time_t now, double *power_db);
    /* may be NULL (sim): then sn_radio_poll returns 0 */
    long (*poll)(void *impl, sn_time_t now);
    void (*counters)(const void *impl, sn_radio_counters *c);
    /* may be NULL: complete the outputs (flush, close a recording) and
     * return SN_OK or the first error; called once, before destroy */
    int (*finish)(void *impl);
    void (*destroy)(void *impl);
} sn_radio_ops;

/* For backends: wrap `impl` (owned by the radio from now on: ops->destroy
 * frees it). NULL on allocation failure (then ops->destroy(impl) has been
 * called). */
sn_radio *sn_radio_new(const sn_radio_ops *ops, void *impl, const sn_radio_info *info);

/* For backends: the backend object behind `r` if `r` was made with `ops`,
 * else NULL (so a backend can recognise its own radios). */
void *sn_radio_impl(const sn_radio *r, const sn_radio_ops *ops);

/* For backends: hand a block up to whoever set the rx callback. */
void sn_radio_deliver(sn_radio *r, const sn_radio_rx *rx);

/* Where received blocks go (fn NULL: discarded). NULL-safe. */
void sn_radio_set_rx(sn_radio *r, sn_radio_rx_fn fn, void *user);

int sn_radio_tx(sn_radio *r, const sn_cf32 *iq, size_t n, sn_time_t at);
int sn_radio_carrier(sn_radio *r, sn_time_t now, double *power_db);
long sn_radio_poll(sn_radio *r, sn_time_t now);
const sn_radio_info *sn_radio_get_info(const sn_radio *r);
void sn_radio_get_counters(const sn_radio *r, sn_radio_counters *c);
void sn_radio_destroy(sn_radio *r); /* NULL-safe; a failure to complete an
                                     * output is logged (use sn_radio_close
                                     * to get it) */
/* Complete the radio's outputs and destroy it: SN_OK, or the first error
 * met completing them (e.g. SN_ERR_IO: a recording's last samples or its
 * meta file could not be written), so a command can fail loudly instead of
 * leaving a truncated recording behind. NULL-safe (SN_OK). */
int sn_radio_close(sn_radio *r);

/* Which directions a radio is opened for. */
typedef enum sn_radio_dir {
    SN_RADIO_DIR_AUTO = 0, /* what the backend can: a device's channels; a
                            * file: receive if it exists, else transmit */
    SN_RADIO_DIR_RX,       /* receive only: an error if the radio cannot
                            * (a missing recording); a device's transmit
                            * side is left alone (an RTL-SDR has none) */
    SN_RADIO_DIR_TX,       /* transmit only: an error if it cannot (a
                            * receive-only device; an existing recording,
                            * which is never overwritten) */
} sn_radio_dir;

/* Common settings of `sdrnet tx/rx/sniff` (--freq, --samplerate, --gain,
 * --antenna, --bandwidth); NaN / NULL = backend default. */
typedef struct sn_radio_config {
    sn_radio_dir dir;       /* SN_RADIO_DIR_AUTO by default */
    double freq_hz;         /* [Hz] */
    double sample_rate;     /* [S/s] */
    double gain_db;         /* [dB] overall gain */
    const char *gains;      /* per-element gains [dB], "NAME=DB,NAME=DB"
                             * (e.g. "LNA=32,VGA=20" on a HackRF; the
                             * names `sdrnet devices` lists), applied after
                             * the overall gain; NULL: none */
    const char *antenna;
    double bandwidth_hz;    /* [Hz] */
} sn_radio_config;

void sn_radio_config_default(sn_radio_config *c);

/* Open a radio from a spec: "file:PATH" or "soapy:ARGS" ("sim:..." radios
 * are made by sn_radio_sim_create on a medium). NULL on failure with a
 * one-line reason in err[errlen]. */
sn_radio *sn_radio_open(const char *spec, const sn_radio_config *cfg, sn_sched *s, char *err,
                        size_t errlen);

#endif
