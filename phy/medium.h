/* phy/medium: a simulated shared radio medium on virtual time.
 *
 * Radios attach to ports. A burst sent from one port reaches every other port
 * through that link's channel (gain, delay, multipath, frequency offset);
 * what each receiver hears is the SUM of every burst reaching it plus its
 * own white Gaussian noise. Collisions are therefore physical: two bursts of
 * equal power overlapping at a receiver garble each other, while one 10 dB
 * stronger is usually still decoded (capture effect) -- nothing decides
 * that but the demodulator.
 *
 * Idle time is skipped: each receiver gets contiguous *segments*, the union
 * of the bursts reaching it widened by SN_MEDIUM_GUARD noise-only samples on
 * each side, handed over in blocks as virtual time advances (a block never
 * holds a sample from the future, so a burst sent later can always still be
 * added). The first block of a segment that does not continue the samples
 * delivered before has `gap` set.
 */
#ifndef SN_PHY_MEDIUM_H
#define SN_PHY_MEDIUM_H

#include <stddef.h>
#include <stdint.h>

#include "core/sched.h"
#include "core/time.h"
#include "phy/modem.h"

typedef struct sn_medium sn_medium;

/* Noise-only samples before the first and after the last burst of a
 * segment. [samples] (The leading guard is shortened where it would reach
 * before sample 0, or into samples this port was already given.) */
#define SN_MEDIUM_GUARD 256

/* Multipath: at most this many taps per link (sample-spaced). */
#define SN_MEDIUM_MAX_TAPS 8

/* Longest propagation delay per link. [samples] */
#define SN_MEDIUM_MAX_DELAY 100000.0

/* Receiver noise power per complex sample unless set. [dB full scale]
 * -30 dBFS puts a 20 dB link at -10 dBFS, about the level the modem
 * transmits at, so recordings look like what was sent; and leaves 30 dB of
 * headroom below 0 dBFS for strong links (samples are floats: louder is not
 * clipped here, the modem clips far above). */
#define SN_MEDIUM_NOISE_DB (-30.0)

/* Carrier sense threshold unless set: total power (bursts + noise) this many
 * dB above the receiver's noise floor. [dB] 4 dB means a burst of SNR
 * >= 1.8 dB makes the channel busy: every burst the modem could decode
 * (bpsk needs ~5 dB) is seen, while a real energy detector averaging ~100
 * samples of noise alone (+-0.4 dB, one sigma) practically never crosses
 * it. */
#define SN_MEDIUM_CARRIER_DB 4.0

/* Definitions.
 *  - Sample clock: sample k is at time k / sample_rate (k = 0 at t = 0).
 *  - Burst power P: mean |x|^2 of the burst's samples as sent (a silent or
 *    non-finite burst counts as P = 1, full scale).
 *  - Noise: receiver `to` adds complex white Gaussian noise of power N
 *    (sn_medium_set_noise, default SN_MEDIUM_NOISE_DB), half in I and half
 *    in Q, from its own sn_rng stream sn_rng_seed_stream(seed, to), drawn in
 *    sample order: a run is repeatable for a seed.
 *  - SNR of a link (from, to): every burst from `from` reaches `to` with
 *    power SNR * N, i.e. it is scaled by the real gain sqrt(SNR * N / P)
 *    (radios transmit at a constant power whatever the digital level).
 *    That holds for the direct path (taps {1}); taps multiply it.
 *  - Channel of a link, in order: gain; delay d >= 0 [samples, fractional]
 *    by linear interpolation between the two nearest samples (simple and
 *    causal; at d = x.5 it attenuates the band edge of a 2-samples/symbol
 *    signal by up to 3 dB, which the equaliser absorbs); multipath taps h
 *    (y[k] = sum_i h[i] x[k - i]); CFO: rotation by exp(j 2 pi cfo k / fs),
 *    k the sample's index on the receiver's clock (phase continuous in
 *    time). A burst starting at sample k0 occupies [k0 + floor(d),
 *    k0 + floor(d) + n + taps - 1 (+1 if d is fractional)) at `to`.
 *  - Half-duplex: while a port transmits, its receive samples are 0 (no
 *    signal, no noise: the receiver is switched off), but they are still
 *    delivered when a segment spans them, so the stream stays contiguous.
 *    The noise stream advances over them as if they were noise. */

/* What a receiving port gets. `iq` is borrowed for the call. `t_start` is
 * the time of iq[0] [ns]; `sample_start` its index on the medium's sample
 * clock [samples]; `from_port` and `snr_db` describe the loudest burst with
 * samples in the block (-1 and NaN for a noise-only block); `gap` is 1 when
 * iq[0] does not follow the last sample delivered to this port (or nothing
 * was delivered before). */
typedef struct sn_medium_rx {
    const sn_cf32 *iq;
    size_t n;
    sn_time_t t_start;
    uint64_t sample_start;
    int from_port;
    double snr_db;
    int gap;
} sn_medium_rx;

typedef void (*sn_medium_rx_fn)(void *user, const sn_medium_rx *rx);

/* Observer of every delivered block (for SigMF recording), with the
 * receiving port; called just before the receiver's callback. */
typedef void (*sn_medium_tap_fn)(void *user, int to_port, const sn_medium_rx *rx);

/* sample_rate [S/s] in (0, 1e9]; seed makes the noise repeatable. */
sn_medium *sn_medium_create(sn_sched *s, double sample_rate, uint64_t seed);
/* NULL-safe; cancels deliveries still pending, so destroy it before the
 * scheduler. */
void sn_medium_destroy(sn_medium *m);

/* Attach a radio; returns its port (>= 0) or a negative error. */
int sn_medium_attach(sn_medium *m, sn_medium_rx_fn rx, void *user);

/* Stop delivering to `port` (its number is not reused), e.g. before the
 * radio behind it is destroyed. Its bursts already sent stay on the air.
 * SN_OK or SN_ERR_INVAL. */
int sn_medium_detach(sn_medium *m, int port);

/* SNR [dB] of every link not set explicitly (default 20 dB). */
void sn_medium_set_default_snr(sn_medium *m, double snr_db);

/* Per direction: SNR [dB] at `to` for bursts from `from`, and frequency
 * offset [Hz] applied to them. SN_ERR_INVAL for bad ports or values. */
int sn_medium_set_link(sn_medium *m, int from, int to, double snr_db, double cfo_hz);

/* Per direction: propagation delay [samples, >= 0, fractional allowed, at
 * most SN_MEDIUM_MAX_DELAY] and multipath taps (1..SN_MEDIUM_MAX_TAPS
 * complex gains one sample apart; taps NULL or ntaps 0: the direct path
 * {1}). Applies to bursts sent after the call. SN_ERR_INVAL otherwise. */
int sn_medium_set_channel(sn_medium *m, int from, int to, double delay_samples,
                          const sn_cf32 *taps, size_t ntaps);

/* Receiver noise power of `port` [dB full scale, per complex sample],
 * finite. SN_ERR_INVAL for a bad port or value. */
int sn_medium_set_noise(sn_medium *m, int port, double noise_db);

/* Carrier sense threshold for every port [dB above its noise floor, > 0]. */
void sn_medium_set_carrier_threshold(sn_medium *m, double db_above_noise);

/* Is the channel busy at `port` at time `now`? Sums the expected power of
 * every burst on the air there at `now` (its mean power through the link,
 * not a noisy measurement, so the answer is deterministic) plus the noise;
 * busy when that is at least the threshold above the noise floor. The
 * port's own bursts are not counted (it cannot hear while it transmits).
 * `now` must not be before the scheduler's now minus a burst (bursts are
 * forgotten once every port has been given them). *power_db [dB full scale]
 * if not NULL. 1 busy, 0 idle, SN_ERR_INVAL. */
int sn_medium_carrier(sn_medium *m, int port, sn_time_t now, double *power_db);

void sn_medium_set_tap(sn_medium *m, sn_medium_tap_fn fn, void *user);

/* Send a burst of `n` samples from `port`, starting at `t` [ns] (>= now).
 * The samples are copied. Every other attached port gets it inside a
 * segment: the block holding its last sample is delivered at its arrival
 * end (t + airtime for a link without delay or taps), the trailing guard
 * when the channel there has been quiet for SN_MEDIUM_GUARD samples.
 * SN_ERR_INVAL for a bad port, no samples or t < now; SN_ERR_NOMEM. No
 * allocation once warmed up. */
int sn_medium_transmit(sn_medium *m, int port, const sn_cf32 *iq, size_t n, sn_time_t t);

double sn_medium_sample_rate(const sn_medium *m);

/* The scheduler's now [ns] (for radios on the medium). */
sn_time_t sn_medium_now(const sn_medium *m);

/* Airtime of n samples [ns]. */
sn_time_t sn_medium_airtime(const sn_medium *m, size_t n);

/* Index on the sample clock of time t >= 0 (nearest sample). [samples] */
uint64_t sn_medium_sample_index(const sn_medium *m, sn_time_t t);

#endif
