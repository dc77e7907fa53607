/* apps/bench_phy: `sdrnet bench phy`, the PHY benchmark issue 3 judges the
 * receiver by. On samples generated first (the timing covers only the
 * receivers) it measures:
 *   - receive throughput [MS/s of CPU time on one core] on noise alone and
 *     on back-to-back 1500-byte frames: sdrnet's modem at each of the 8
 *     rates, beside liquid-dsp's flexframesync and ofdmflexframesync on
 *     their own frames (same payload size, same noise);
 *   - per rate, the Eb/N0 at packet error rates 10 % and 1 % of 1500-byte
 *     frames through AWGN with a random carrier frequency offset, random
 *     gaps and fractional delays, beside the same code's reference: the
 *     decoder alone fed the points of the same waveform with perfect
 *     synchronisation (phy/ofdm.h);
 *   - detection: the SNR at which 90 % of short frames are found (header
 *     decoded), and frames reported on pure noise.
 * Eb is the energy per data bit: Eb/N0 = SNR per sample * 80 / n_dbps
 * (an OFDM symbol is 80 samples carrying n_dbps data bits), so the cyclic
 * prefix and the pilots count as energy spent, for the modem and the
 * reference alike.
 */
#ifndef SN_APPS_BENCH_PHY_H
#define SN_APPS_BENCH_PHY_H

#include <jansson.h>
#include <stdint.h>

typedef struct sn_bench_phy_opts {
    int quick;            /* fewer frames and samples: rough figures, well
                           * under a minute */
    int json;             /* add the figures to `root` instead of printing
                           * tables on stdout */
    const char *plot_dir; /* write PNG figures there (created if missing;
                           * its parent must exist), or NULL for none */
    uint64_t seed;        /* every random input derives from it */
} sn_bench_phy_opts;

/* Run the benchmark. Progress goes to stderr when it is a terminal.
 * Returns 0; 1 if memory runs out or a modem cannot be made (nothing
 * added to root); 1 also when only the plots failed (gnuplot missing or
 * failing: said on stderr), the figures being printed or added anyway. */
int sn_bench_phy(const sn_bench_phy_opts *o, json_t *root);

#endif
