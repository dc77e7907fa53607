/* mac/ratectl: per-destination rate adaptation in the spirit of Linux's
 * Minstrel (mac80211 rc80211_minstrel).
 *
 * For every destination it counts, per PHY rate, the attempts made and how
 * many were acknowledged. Every `interval` of (virtual) time each rate's
 * success probability is folded into an exponentially weighted moving
 * average (EWMA: new = (1 - w) * old + w * this interval's ratio), and the
 * expected throughput of a rate is its probability times the bits a
 * reference frame carries divided by that frame's airtime at the rate
 * (airtime includes the fixed per-frame overheads: IFS, backoff, ACK).
 * A rate whose probability is below 10 % has no throughput.
 *
 * Rates for one frame follow a retry chain: first attempt at the rate of
 * best throughput, second at the second best, then the rate of best
 * probability, then the most robust rate. A share of first attempts
 * (`sample_pct`) samples another rate instead, so a rate that became usable
 * again (the SNR rose) is found; a sampled rate slower than the current best
 * is only tried as the second attempt (it would cost airtime for nothing
 * when the best works). A rate never tried has probability 0, so a new
 * destination starts at the configured start rate until statistics exist.
 */
#ifndef SN_MAC_RATECTL_H
#define SN_MAC_RATECTL_H

#include <stdint.h>

#include "core/time.h"
#include "mac/frame.h"
#include "phy/modem.h"

typedef struct sn_ratectl sn_ratectl;

typedef struct sn_ratectl_config {
    sn_time_t airtime[SN_RATE_COUNT]; /* [ns] airtime of one reference frame
                                       * exchange at each rate (> 0) */
    unsigned ref_bytes;               /* [bytes] payload of that frame */
    sn_phy_rate start_rate;           /* rate of a new destination */
    sn_time_t interval;               /* [ns] statistics update period */
    unsigned ewma_pct;                /* [%] weight of a new interval, 1..100 (25) */
    unsigned sample_pct;              /* [%] of first attempts that sample (10) */
    unsigned max_dests;               /* [entries] destinations kept (oldest
                                       * replaced), >= 1 */
} sn_ratectl_config;

/* NULL on a bad config or allocation failure. `seed` for the sampling
 * choices. */
sn_ratectl *sn_ratectl_create(const sn_ratectl_config *cfg, uint64_t seed);
void sn_ratectl_destroy(sn_ratectl *rc); /* NULL-safe */

/* The rate for attempt `attempt` (0 = first) of a frame to `dst` at `now`
 * [ns]. Always a valid rate. */
sn_phy_rate sn_ratectl_pick(sn_ratectl *rc, const sn_mac_addr *dst, unsigned attempt,
                            sn_time_t now);

/* The outcome of one attempt at `rate` to `dst`: acked 1 or 0. */
void sn_ratectl_report(sn_ratectl *rc, const sn_mac_addr *dst, sn_phy_rate rate, int acked,
                       sn_time_t now);

/* What the controller thinks of `dst` now: its best-throughput rate (the
 * start rate if unknown) and, if prob is not NULL, every rate's EWMA
 * success probability [0..1] (prob[SN_RATE_COUNT]). */
sn_phy_rate sn_ratectl_best(const sn_ratectl *rc, const sn_mac_addr *dst, double *prob);

/* How many first attempts were samples (for statistics). */
uint64_t sn_ratectl_samples(const sn_ratectl *rc);

#endif
