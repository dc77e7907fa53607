/* phy/ofdm_sync: the OFDM burst's preamble and the receiver's synchroniser
 * (detection, frequency offset, timing, channel estimation and tracking).
 *
 * Preamble (SN_OFDM_PRE_LEN = 352 samples, mean power SN_OFDM_TX_POWER):
 *   - short training (STF): 12 periods of 16 samples, IEEE 802.11a's short
 *     training sequence (12 subcarriers k = +-4, +-8, .., +-24 with QPSK
 *     values, 17.3.3). 802.11a sends 10 periods; two more lengthen the
 *     detector's window (128 products) so that at 0 dB SNR per sample the
 *     detection metric stays well above its threshold while noise alone
 *     practically never crosses it. Its period of 16 gives the coarse
 *     frequency offset unambiguously within +-1/32 of the sample rate
 *     (+-3.1 %).
 *   - long training (LTF): a 32-sample cyclic prefix and two copies of a
 *     64-sample symbol carrying 802.11a's long training values (+-1 on the
 *     52 used subcarriers): fine timing (cross-correlation), fine frequency
 *     offset (lag 64, range +-1/128 of fs), the channel (average of the two
 *     copies) and the noise (their difference).
 * then the SN_OFDM_HDR_SYMS header symbols and the data symbols (phy/ofdm.h).
 *
 * Receiver: samples go in one at a time (any chunking gives the same
 * result); a cheap detector (O(1) per sample, no FFT, no division) runs on
 * every sample; the heavier steps run once per detection; then one FFT per
 * OFDM symbol. Each symbol comes out equalised (phase and timing drift
 * tracked with the pilots) as 48 data points and their reliabilities, for
 * phy/ofdm's decoder. The caller (phy/modem) decides from the header how
 * many symbols the frame has and ends it with sn_ofdm_sync_end().
 *
 * Thread safety: one sn_ofdm_sync per thread.
 */
#ifndef SN_PHY_OFDM_SYNC_H
#define SN_PHY_OFDM_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "phy/modem.h"
#include "phy/ofdm.h"

#define SN_OFDM_STF_PERIOD 16 /* [samples] */
#define SN_OFDM_STF_REPS 12
#define SN_OFDM_STF_LEN (SN_OFDM_STF_PERIOD * SN_OFDM_STF_REPS) /* [samples] 192 */
#define SN_OFDM_LTF_CP 32     /* [samples] */
#define SN_OFDM_LTF_LEN (SN_OFDM_LTF_CP + 2 * SN_OFDM_NFFT) /* [samples] 160 */
#define SN_OFDM_PRE_LEN (SN_OFDM_STF_LEN + SN_OFDM_LTF_LEN) /* [samples] 352 */

/* Write the preamble (SN_OFDM_PRE_LEN samples). Pure function. */
void sn_ofdm_preamble(sn_cf32 out[SN_OFDM_PRE_LEN]);

/* [samples] of a burst after which the detector has fired: it needs the
 * first 16 samples, then enough products in its 128-sample window for
 * |P|/R > 0.3: ~30 at 10 dB SNR, ~55 at 0 dB (measured busy() at ~30
 * and ~70, tests/unit/test_ofdm_sync.c and test_modem.c). */
#define SN_OFDM_SYNC_DETECT 80
/* [samples] after a burst's last sample before its last symbol has surely
 * been delivered: none. The last symbol's FFT window ends 3 samples before
 * the burst does (it sits inside the cyclic prefix), and the search for
 * the long training, 345 samples after the detector fired, is over by
 * then even for a header-only burst (592 samples). */
#define SN_OFDM_SYNC_DELAY 0

typedef struct sn_ofdm_sync sn_ofdm_sync;

/* NULL on allocation failure. */
sn_ofdm_sync *sn_ofdm_sync_create(void);
void sn_ofdm_sync_destroy(sn_ofdm_sync *s); /* NULL-safe */

/* Back to searching; forget the detector's history (the stream index
 * keeps counting). */
void sn_ofdm_sync_reset(sn_ofdm_sync *s);

/* One equalised OFDM symbol of a burst being received. */
typedef struct sn_ofdm_sym {
    size_t n;                     /* symbol index, 0 = first header symbol */
    sn_cf32 y[SN_OFDM_NDATA];     /* equalised data points (unit-energy scale) */
    float w[SN_OFDM_NDATA];       /* [1/energy] reliability: 1 / noise variance of y */
} sn_ofdm_sym;

/* What the synchroniser measured on the burst it is receiving (valid from
 * its first symbol until sn_ofdm_sync_end). */
typedef struct sn_ofdm_burst {
    double start;       /* [samples] stream index of the burst's first sample
                         * (fractional estimate) */
    double cfo;         /* [cycles/sample] carrier frequency offset */
    float snr_db;       /* [dB] SNR per sample over the whole band */
    float rssi_db;      /* [dB full scale] signal power */
    float noise;        /* [full scale^2] noise power per sample */
} sn_ofdm_burst;

/* Feed samples from `x` (n of them, finite, already clipped by the caller)
 * until one symbol is ready: returns how many samples were consumed and, if
 * the last of them completed a symbol, fills *sym and returns with
 * *got = 1 (else *got = 0 and all n were consumed). */
size_t sn_ofdm_sync_push(sn_ofdm_sync *s, const sn_cf32 *x, size_t n, sn_ofdm_sym *sym,
                         int *got);

/* The burst being received (after its first symbol). */
const sn_ofdm_burst *sn_ofdm_sync_burst(const sn_ofdm_sync *s);

/* The caller is done with the burst (all its symbols received, or its
 * header rejected): back to searching. */
void sn_ofdm_sync_end(sn_ofdm_sync *s);

/* 1 from a detection until the burst ends or the detection is rejected. */
int sn_ofdm_sync_busy(const sn_ofdm_sync *s);

/* [samples] stream index of the next sample to be pushed */
uint64_t sn_ofdm_sync_index(const sn_ofdm_sync *s);

typedef struct sn_ofdm_sync_counters {
    uint64_t triggers;  /* detector firings */
    uint64_t rejected;  /* firings without a long training sequence */
    uint64_t bursts;    /* bursts synchronised (first symbol delivered) */
} sn_ofdm_sync_counters;

void sn_ofdm_sync_get_counters(const sn_ofdm_sync *s, sn_ofdm_sync_counters *c);

#endif
