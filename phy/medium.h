/* phy/medium: a simulated shared radio medium on virtual time.
 *
 * Radios attach to ports. A burst sent from one port reaches every other port
 * scaled by that link's path gain, plus complex white Gaussian noise at the
 * receiver, so what a receiver hears is a physical signal, not a flag. The
 * burst is delivered when its last sample has arrived (start time + airtime),
 * through the scheduler, with a few hundred noise-only guard samples before
 * and after it so the receiver has to find it.
 *
 * Walking-skeleton version: AWGN with a per-link SNR and frequency offset.
 * Overlap of bursts, delay and multipath come with the radios issue; this
 * interface is what stays.
 */
#ifndef SN_PHY_MEDIUM_H
#define SN_PHY_MEDIUM_H

#include <stddef.h>
#include <stdint.h>

#include "core/sched.h"
#include "core/time.h"
#include "phy/modem.h"

typedef struct sn_medium sn_medium;

/* Noise-only samples delivered before and after each burst. [samples]
 * (The leading guard is shortened for a burst starting less than this many
 * samples after time 0, so every index on the sample clock is >= 0.) */
#define SN_MEDIUM_GUARD 256

/* Definitions.
 *  - Sample clock: sample k is at time k / sample_rate (k = 0 at t = 0).
 *  - SNR of a link: mean power of the burst's samples (as sent; the path
 *    gain is 1 for now) over the noise power per complex sample, i.e. the
 *    noise is complex white Gaussian of variance P_burst / 10^(snr/10) over
 *    the whole sampled band. A burst of zero power gets noise relative to
 *    full scale (P = 1).
 *  - Noise: each link (from, to) draws from its own sn_rng stream,
 *    sn_rng_seed_stream(seed, from << 32 | to), so a run is repeatable for a
 *    seed and adding a node does not change the other links' noise.
 *  - CFO: the burst is rotated by exp(j 2 pi cfo k / fs), k its samples'
 *    indices on the sample clock (so the phase is continuous in time). */

/* What a receiving port gets. `iq` is borrowed for the call. `t_start` is
 * the time of iq[0] [ns]; `sample_start` its index on the medium's sample
 * clock [samples]; `snr_db` the link's configured SNR (for captures). */
typedef struct sn_medium_rx {
    const sn_cf32 *iq;
    size_t n;
    sn_time_t t_start;
    uint64_t sample_start;
    int from_port;
    double snr_db;
} sn_medium_rx;

typedef void (*sn_medium_rx_fn)(void *user, const sn_medium_rx *rx);

/* Observer of every delivered burst (for SigMF recording), with the sending
 * and receiving port; called just before the receiver's callback. */
typedef void (*sn_medium_tap_fn)(void *user, int to_port, const sn_medium_rx *rx);

/* sample_rate [S/s] > 0; seed makes the noise repeatable. */
sn_medium *sn_medium_create(sn_sched *s, double sample_rate, uint64_t seed);
/* NULL-safe; cancels deliveries still pending, so destroy it before the
 * scheduler. */
void sn_medium_destroy(sn_medium *m);

/* Attach a radio; returns its port (>= 0) or a negative error. */
int sn_medium_attach(sn_medium *m, sn_medium_rx_fn rx, void *user);

/* Stop delivering to `port` (its number is not reused), e.g. before the
 * radio behind it is destroyed. SN_OK or SN_ERR_INVAL. */
int sn_medium_detach(sn_medium *m, int port);

/* SNR [dB] of every link not set explicitly (default 20 dB). */
void sn_medium_set_default_snr(sn_medium *m, double snr_db);

/* Per direction: SNR [dB] at `to` for bursts from `from`, and frequency
 * offset [Hz] applied to them. SN_ERR_INVAL for bad ports. */
int sn_medium_set_link(sn_medium *m, int from, int to, double snr_db, double cfo_hz);

void sn_medium_set_tap(sn_medium *m, sn_medium_tap_fn fn, void *user);

/* Send a burst of `n` samples from `port`, starting at `t` [ns] (>= now).
 * The samples are copied; delivery happens at t + airtime, as
 * [guard noise][burst + noise][guard noise] to every other attached port
 * (tap first, then the port's callback). SN_ERR_INVAL for a bad port, no
 * samples or t < now; SN_ERR_NOMEM. No allocation once warmed up. */
int sn_medium_transmit(sn_medium *m, int port, const sn_cf32 *iq, size_t n, sn_time_t t);

double sn_medium_sample_rate(const sn_medium *m);

/* Airtime of n samples [ns]. */
sn_time_t sn_medium_airtime(const sn_medium *m, size_t n);

#endif
