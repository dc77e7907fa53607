/* phy/ofdm_sync: preamble, detection, frequency offset, timing, channel
 * estimation and tracking for the OFDM waveform (see phy/ofdm_sync.h).
 *
 * Per sample (every sample, whatever the state), O(1), no division, no
 * square root, no trigonometry:
 *   1. DC blocker: a one-pole average (time constant 2048 samples, a plain
 *      running mean over the first 64 samples it learns from) subtracted from
 *      the input. A constant DC offset (HackRF) is periodic with any
 *      period and would otherwise make the delayed autocorrelation below
 *      fire on noise; our DC subcarrier is unused, the nearest used one is
 *      fs/64 away, far above the blocker's corner (fs/13000). It learns
 *      only while nothing is detected, and exact zeros (digital silence of
 *      a recording or of the simulated medium between bursts) pass as
 *      zeros. A burst's own samples must not move it: at high SNR the
 *      bias they leave (its first samples before the detector fires, its
 *      last ones after the frame ends) is a constant residue above the
 *      noise, which is periodic and fires the detector in the noise before
 *      the next burst (measured at 40 dB: |DC| 5 dB below the noise, half
 *      the bursts detected early, headers lost). So on a firing the
 *      estimate goes back to a snapshot taken 256..511 samples before it,
 *      and it does not learn from the BACKOFF + CP samples after a frame.
 *   2. Schmidl-Cox style detector over the STF's period of 16: running sums
 *      P = sum x[j] conj(x[j-16]), R = sum |x[j]|^2 and R16 =
 *      sum |x[j-16]|^2 over the last W = 128 samples (double precision,
 *      recomputed from the sample ring every 4096 samples so rounding
 *      cannot accumulate after a huge input). It fires when
 *      |P|^2 > T max(R, R16)^2 (T = 0.09, |P|/R > 0.3 inside a burst) and R
 *      is above a floor (an all-zero input never fires). The larger of the
 *      two energies matters at a burst's edges: with R alone, the products
 *      of a burst's last samples and the noise after it give
 *      |P|/R ~ sqrt(SNR / W), which fired after almost every burst above
 *      ~15 dB; with R * R16 (Cauchy-Schwarz) a window holding a few
 *      products after silence reads close to 1. With the larger energy
 *      neither can reach the threshold. Inside the STF
 *      |P|/R = S/(S+N): 0.5 at 0 dB SNR per sample; on noise alone
 *      |P|^2/R^2 is exponential with mean 1/W, so it exceeds T with
 *      probability e^{-11.5} = 1e-5 per sample: roughly one firing per
 *      10^5..10^6 samples of noise, each rejected by step 3 at a cost of
 *      ~30 us: a few percent of the idle path at worst.
 * Once per firing (at most once per 217 samples):
 *   3. Wait until every LTF position the firing allows is in (firing at
 *      sample t: LTF start d in [t - 32, t + 184]: the detector needs at
 *      least the STF's first 16 samples, and fires within its first ~130
 *      at 0 dB SNR, ~190 at -2 dB (measured); then the search runs 345
 *      samples after the firing, before the end of the shortest burst, a
 *      header-only one, so no callback comes after its burst), remove the
 *      coarse CFO
 *      (angle of the strongest P seen since the firing, over 16 samples)
 *      and cross-correlate with the known 64-sample long symbol at both
 *      copies, each normalised: rho_i = |c_i|^2 / (E_ref E_i), 1 for a
 *      clean copy, S/(S+N) = 0.5 at 0 dB, exponential with mean 1/64 on
 *      noise; each summed over two adjacent lags, since a fractional
 *      delay splits the peak (half a sample leaves 0.56 of it on either).
 *      The position maximises min(rho_1, rho_2): one copy alone
 *      also matches 64 samples early or late (one window on a copy, the
 *      other on the CP or the header: ~0.25 at best), which the minimum
 *      rejects. The firing is a burst if the best min(rho) > 0.3 (noise:
 *      (e^{-19})^2 per position; the header's CRC-16 and range checks
 *      then reject ~1 - 1e-6 of what is left, so a false frame on noise
 *      is practically impossible). Correlating each copy on its own
 *      tolerates the coarse CFO's residual error.
 *   4. Fine CFO from the LTF's lag-64 autocorrelation (72 products: CP
 *      and both copies, 12 samples kept from either edge, as for the
 *      noise below), range +-1/128 of fs, far wider than the coarse
 *      estimate's error.
 *   5. Channel: FFT of both copies (the window 3 samples early inside the
 *      cyclic prefix, the same for every symbol, so timing errors of a few
 *      samples and multipath stay inside the CP), averaged. Noise: the
 *      time-domain difference of the two copies and of consecutive STF
 *      periods (~190 samples in all, 12 samples away from any boundary
 *      with a different signal: a fractional delay smears neighbours
 *      into each other, which read as noise near -35 dB); SNR per sample
 *      = (LTF power - noise) / noise, within ~0.3 dB on average from 0 to
 *      30 dB. The estimate is smoothed across subcarriers after
 *      removing its mean phase slope (the fractional timing), over 9
 *      subcarriers when what is left looks flat (its roughness is what
 *      the noise alone explains: AWGN, where averaging 2 copies alone
 *      would cost 1.8 dB and 9 x 2 costs 0.2 dB), 3 when it is a little
 *      rough, not at all on a frequency-selective channel. The slope is
 *      also the fractional part of the burst's start.
 * Per OFDM symbol (one FFT per 80 samples):
 *   6. CFO removed (phase from the stream index, so chunking cannot
 *      matter), FFT, equalisation by the stored 1/H, then the 4 pilots
 *      measure the common phase (residual CFO, phase noise) and the phase
 *      slope across subcarriers (timing drift from a sample-clock offset).
 *      Phase: for the first 16 symbols a least-squares line through the
 *      LTF's phase (0 by construction) with the fine CFO's uncertainty as
 *      prior, which learns the residual CFO within the header; then a
 *      second-order loop (gains 0.15 / 0.01). Timing: a second-order loop
 *      (0.03 / 0.0003: slow, 20 ppm drifts 0.0016 sample per symbol, and
 *      4 pilots are noisy); when it has drifted by a whole sample the FFT
 *      window moves by one. These gains halved the loss against perfect
 *      synchronisation at 1 % PER (from 1.4 to ~0.5 dB, QPSK-1/2).
 *      Reliabilities w = |H_k|^2 / (noise per bin), for the soft demapper.
 */
#include "phy/ofdm_sync.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define RING 2048u /* [samples] history kept: the search needs ~650 */
#define RMASK (RING - 1u)
#define DET_W 128u                 /* [samples] detector window */
#define DET_T 0.09                 /* threshold on |P|^2 / R^2 */
#define DET_RMIN (DET_W * 1e-12)   /* [full scale^2] window energy floor (-120 dBFS) */
#define DET_RECOMPUTE 4096u        /* [samples] exact recomputation period */
#define DC_SHIFT 11                /* DC blocker time constant 2^11 samples */
#define DC_MAX 8.0f /* [full scale] larger components do not move the DC estimate */
#define DC_START 64u               /* [samples] plain running mean over the first ones */
#define DC_SNAP 256u /* [samples] snapshot period: above the detector's latency (~190) */
#define SRCH_A 32u                 /* LTF start from t - SRCH_A ... */
#define SRCH_B 184u                /* ... to t + SRCH_B */
#define SRCH_N (SRCH_A + SRCH_B + 1u) /* candidate positions */
#define SRCH_SEG (SRCH_N + 1u + SN_OFDM_LTF_LEN) /* [samples] searched segment (one extra lag) */
#define SRCH_AT (SRCH_B + 1u + SN_OFDM_LTF_LEN) /* search this many samples after t */
#define RHO_MIN 0.3f
#define SRCH_EDGE 8u /* [samples] a best position this close to the range's end is not trusted */
#define BACKOFF 3 /* [samples] FFT windows start this far inside the CP */
#define NOISE_MARGIN 12 /* [samples] noise estimates keep this far from a boundary */
#define LS_SYMS 16 /* symbols of least-squares phase tracking, then the loop */
#define LS_T0 1.4f /* [symbols] from the LTF's centre to symbol 0's window centre */
#define A_PHI 0.15f
#define B_PHI 0.01f
#define A_TAU 0.03f
#define B_TAU 0.0003f

#define PI_F 3.14159265358979f
#define TWO_PI 6.283185307179586

enum { ST_IDLE, ST_SYNC, ST_FRAME };

struct sn_ofdm_sync {
    float re[RING], im[RING]; /* DC-blocked input by stream index & RMASK */
    uint64_t idx;             /* [samples] index of the next sample */
    float dc_re, dc_im;
    unsigned dc_n; /* samples the DC estimate has learnt from, up to DC_START */
    float dc_snap_re[2], dc_snap_im[2]; /* DC estimate every DC_SNAP samples: older, newer */
    unsigned dc_snaps; /* snapshots taken with a trained estimate, up to 2 */
    unsigned dc_hold;  /* [samples] a frame's last samples, not learnt from */
    double p_re, p_im, r, r16; /* detector sums: P, energies of x[j] and x[j-16] */
    int state;
    unsigned fill; /* [samples] since the reset or silence, up to DET_W + 16 */
    unsigned zrun; /* [samples] exact zeros in a row (up to 16) */
    int armed; /* IDLE: may fire (the metric was below threshold since the last rejection) */
    int cont;  /* SYNC: this search continues a rejected one */
    /* SYNC */
    uint64_t t_trig, t_last;
    double bp_re, bp_im, br; /* strongest P since the firing, and its R * R16 */
    /* FRAME */
    uint64_t d;    /* LTF start (integer) */
    double cfo;    /* [cycles/sample] */
    _Alignas(16) float rot_re[SN_OFDM_NFFT]; /* e^{-j 2 pi cfo k}, k = 0..63 */
    _Alignas(16) float rot_im[SN_OFDM_NFFT];
    uint64_t win;  /* FFT window start of the next symbol */
    int shift;     /* [samples] window moves so far */
    size_t nsym;   /* next symbol's index */
    float hinv_re[SN_OFDM_NFFT], hinv_im[SN_OFDM_NFFT];
    float h2[SN_OFDM_NFFT], wgt[SN_OFDM_NFFT];
    float phi, omega, tau, vel; /* [rad], [rad/symbol], [samples], [samples/symbol] */
    float ls;                   /* least-squares weight of the residual CFO */
    sn_ofdm_burst b;
    sn_ofdm_sync_counters c;
    /* tables */
    _Alignas(16) float lref_re[SN_OFDM_NFFT]; /* conj(time LTF), aligned for SSE loads */
    _Alignas(16) float lref_im[SN_OFDM_NFFT];
    float lref_e;                                       /* its energy */
    float ltf_val[SN_OFDM_NFFT];                        /* +-1 per used bin */
    /* scratch */
    float sg_re[SRCH_SEG], sg_im[SRCH_SEG];
    double sg_e[SRCH_SEG + 1];
    float rho1[SRCH_N + 1], rho2[SRCH_N + 1]; /* per lag, per LTF copy */
};

/* 802.11a's short training values on k = -24, -20, .., 24 (k = 0 empty),
 * in units of (1 + j): +1 or -1 (17.3.3). */
static const int8_t stf_val[13] = {1, -1, 1, -1, -1, 1, 0, -1, -1, 1, 1, 1, 1};
/* 802.11a's long training values on k = -26..26 (k = 0 empty). */
static const int8_t ltf_k[53] = {1,  1,  -1, -1, 1, 1,  -1, 1,  -1, 1,  1,  1,  1, 1,
                                 1,  -1, -1, 1,  1, -1, 1,  -1, 1,  1,  1,  1,  0, 1,
                                 -1, -1, 1,  1,  -1, 1, -1, 1,  -1, -1, -1, -1, -1, 1,
                                 1,  -1, -1, 1,  -1, 1, -1, 1,  1,  1,  1};

static void det_recompute(sn_ofdm_sync *s, uint64_t i);

static unsigned bin_of(int k) { return (unsigned)((k + SN_OFDM_NFFT) % SN_OFDM_NFFT); }

/* Time-domain LTF symbol (64 samples) at the data symbols' scale. */
static void ltf_symbol(sn_cf32 out[SN_OFDM_NFFT])
{
    sn_cf32 f[SN_OFDM_NFFT];
    for (unsigned i = 0; i < SN_OFDM_NFFT; i++)
        f[i] = 0;
    for (int k = -26; k <= 26; k++)
        f[bin_of(k)] = sn_cf32_make((float)ltf_k[k + 26], 0.0f);
    sn_ofdm_ifft(f, out);
    const float g = sqrtf(SN_OFDM_TX_POWER / (float)SN_OFDM_NUSED);
    for (unsigned i = 0; i < SN_OFDM_NFFT; i++)
        out[i] = sn_cf32_make(g * crealf(out[i]), g * cimagf(out[i]));
}

void sn_ofdm_preamble(sn_cf32 out[SN_OFDM_PRE_LEN])
{
    sn_cf32 f[SN_OFDM_NFFT], t[SN_OFDM_NFFT];
    for (unsigned i = 0; i < SN_OFDM_NFFT; i++)
        f[i] = 0;
    for (int j = 0; j < 13; j++) {
        float v = (float)stf_val[j];
        f[bin_of(-24 + 4 * j)] = sn_cf32_make(v, v);
    }
    sn_ofdm_ifft(f, t);
    /* 12 subcarriers of energy 2: mean power 24 before scaling */
    const float g = sqrtf(SN_OFDM_TX_POWER / 24.0f);
    for (unsigned i = 0; i < SN_OFDM_STF_LEN; i++) {
        sn_cf32 v = t[i % SN_OFDM_NFFT]; /* period 16 divides 64 */
        out[i] = sn_cf32_make(g * crealf(v), g * cimagf(v));
    }
    sn_cf32 l[SN_OFDM_NFFT];
    ltf_symbol(l);
    sn_cf32 *o = out + SN_OFDM_STF_LEN;
    memcpy(o, l + SN_OFDM_NFFT - SN_OFDM_LTF_CP, SN_OFDM_LTF_CP * sizeof *o);
    memcpy(o + SN_OFDM_LTF_CP, l, SN_OFDM_NFFT * sizeof *o);
    memcpy(o + SN_OFDM_LTF_CP + SN_OFDM_NFFT, l, SN_OFDM_NFFT * sizeof *o);
}

sn_ofdm_sync *sn_ofdm_sync_create(void)
{
    sn_ofdm_sync *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    sn_cf32 l[SN_OFDM_NFFT];
    ltf_symbol(l);
    double e = 0;
    for (unsigned i = 0; i < SN_OFDM_NFFT; i++) {
        s->lref_re[i] = crealf(l[i]);
        s->lref_im[i] = -cimagf(l[i]);
        e += (double)crealf(l[i]) * crealf(l[i]) + (double)cimagf(l[i]) * cimagf(l[i]);
    }
    s->lref_e = (float)e;
    for (int k = -26; k <= 26; k++)
        s->ltf_val[bin_of(k)] = (float)ltf_k[k + 26];
    sn_ofdm_sync_reset(s);
    return s;
}

void sn_ofdm_sync_destroy(sn_ofdm_sync *s) { free(s); }

void sn_ofdm_sync_reset(sn_ofdm_sync *s)
{
    if (!s)
        return;
    memset(s->re, 0, sizeof s->re);
    memset(s->im, 0, sizeof s->im);
    s->p_re = s->p_im = s->r = s->r16 = 0;
    s->fill = 0;
    s->zrun = 0;
    s->state = ST_IDLE;
    s->armed = 1;
}

void sn_ofdm_sync_end(sn_ofdm_sync *s)
{
    if (!s)
        return;
    if (s->state == ST_FRAME && s->idx > 0)
        det_recompute(s, s->idx - 1); /* it rested during the burst */
    s->state = ST_IDLE;
    s->armed = 1; /* a burst may follow back to back */
    /* the burst goes on BACKOFF samples after its last FFT window, and
     * echoes within the CP beyond that */
    s->dc_hold = BACKOFF + SN_OFDM_NCP;
}

int sn_ofdm_sync_busy(const sn_ofdm_sync *s) { return s && s->state != ST_IDLE; }

uint64_t sn_ofdm_sync_index(const sn_ofdm_sync *s) { return s ? s->idx : 0; }

const sn_ofdm_burst *sn_ofdm_sync_burst(const sn_ofdm_sync *s) { return &s->b; }

void sn_ofdm_sync_get_counters(const sn_ofdm_sync *s, sn_ofdm_sync_counters *c)
{
    if (!c)
        return;
    if (!s)
        memset(c, 0, sizeof *c);
    else
        *c = s->c;
}

/* Exact detector sums over the window ending at sample i: P (re, im), R,
 * R16. */
static void det_sums(const float *re, const float *im, uint64_t i, double v[4])
{
    double pr = 0, pi = 0, r = 0, r16 = 0;
    for (uint64_t j = i - DET_W + 1; j != i + 1; j++) {
        float xr = re[j & RMASK], xi = im[j & RMASK];
        float ar = re[(j - 16) & RMASK], ai = im[(j - 16) & RMASK];
        pr += (double)(xr * ar + xi * ai);
        pi += (double)(xi * ar - xr * ai);
        r += (double)(xr * xr + xi * xi);
        r16 += (double)(ar * ar + ai * ai);
    }
    v[0] = pr;
    v[1] = pi;
    v[2] = r;
    v[3] = r16;
}

static void det_recompute(sn_ofdm_sync *s, uint64_t i)
{
    double v[4];
    det_sums(s->re, s->im, i, v);
    s->p_re = v[0];
    s->p_im = v[1];
    s->r = v[2];
    s->r16 = v[3];
}

/* x[m] (ring) times e^{-j 2 pi f (m - ref)}, for n consecutive samples from
 * m0, into split arrays. */
static void derotate(const sn_ofdm_sync *s, uint64_t m0, size_t n, double f, uint64_t ref,
                     float *ore, float *oim)
{
    double ph = f * (double)(int64_t)(m0 - ref);
    ph -= floor(ph);
    float er = (float)cos(TWO_PI * ph), ei = (float)-sin(TWO_PI * ph);
    float sr = (float)cos(TWO_PI * f), si = (float)-sin(TWO_PI * f);
    for (size_t k = 0; k < n; k++) {
        float xr = s->re[(m0 + k) & RMASK], xi = s->im[(m0 + k) & RMASK];
        ore[k] = xr * er - xi * ei;
        oim[k] = xr * ei + xi * er;
        float nr = er * sr - ei * si;
        ei = er * si + ei * sr;
        er = nr;
    }
}

/* As derotate, for the frame's CFO (the table s->rot_*) and one FFT
 * window of 64 samples from m0, into the FFT's input (interleaved): the
 * start phase from the stream index, so a long frame does not drift, then
 * a product per sample. */
static void derotate_win(const sn_ofdm_sync *s, uint64_t m0, uint64_t ref,
                         sn_cf32 out[SN_OFDM_NFFT])
{
    double ph = s->cfo * (double)(int64_t)(m0 - ref);
    ph -= floor(ph);
    const float er = (float)cos(TWO_PI * ph), ei = (float)-sin(TWO_PI * ph);
    /* the window out of the ring in at most two pieces, then loops
     * without index masks (they vectorise) */
    float xr[SN_OFDM_NFFT], xi[SN_OFDM_NFFT];
    const size_t a = (size_t)(m0 & RMASK);
    const size_t n1 = RING - a < SN_OFDM_NFFT ? RING - a : SN_OFDM_NFFT;
    memcpy(xr, s->re + a, n1 * sizeof *xr);
    memcpy(xi, s->im + a, n1 * sizeof *xi);
    memcpy(xr + n1, s->re, (SN_OFDM_NFFT - n1) * sizeof *xr);
    memcpy(xi + n1, s->im, (SN_OFDM_NFFT - n1) * sizeof *xi);
    unsigned k = 0;
#if defined(__SSE2__)
    const __m128 ver = _mm_set1_ps(er), vei = _mm_set1_ps(ei);
    for (; k < SN_OFDM_NFFT; k += 4) {
        const __m128 tr = _mm_load_ps(s->rot_re + k), ti = _mm_load_ps(s->rot_im + k);
        const __m128 rr = _mm_sub_ps(_mm_mul_ps(ver, tr), _mm_mul_ps(vei, ti));
        const __m128 ri = _mm_add_ps(_mm_mul_ps(ver, ti), _mm_mul_ps(vei, tr));
        const __m128 ur = _mm_loadu_ps(xr + k), ui = _mm_loadu_ps(xi + k);
        const __m128 vr = _mm_sub_ps(_mm_mul_ps(ur, rr), _mm_mul_ps(ui, ri));
        const __m128 vi = _mm_add_ps(_mm_mul_ps(ur, ri), _mm_mul_ps(ui, rr));
        _mm_storeu_ps((float *)(out + k), _mm_unpacklo_ps(vr, vi));
        _mm_storeu_ps((float *)(out + k + 2), _mm_unpackhi_ps(vr, vi));
    }
#endif
    for (; k < SN_OFDM_NFFT; k++) {
        const float rr = er * s->rot_re[k] - ei * s->rot_im[k];
        const float ri = er * s->rot_im[k] + ei * s->rot_re[k];
        out[k] = sn_cf32_make(xr[k] * rr - xi[k] * ri, xr[k] * ri + xi[k] * rr);
    }
}

/* Channel, noise, SNR and start from the LTF at s->d with s->cfo known. */
static void estimate(sn_ofdm_sync *s)
{
    const uint64_t d = s->d;
    sn_cf32 z[SN_OFDM_NFFT], y1[SN_OFDM_NFFT], y2[SN_OFDM_NFFT];
    derotate_win(s, d + SN_OFDM_LTF_CP - BACKOFF, d, z);
    sn_ofdm_fft(z, y1);
    derotate_win(s, d + SN_OFDM_LTF_CP - BACKOFF + SN_OFDM_NFFT, d, z);
    sn_ofdm_fft(z, y2);

    /* noise [per sample]: the LTF copies' difference (time domain: every
     * bin, DC included, which the blocker removed) and the STF's
     * period-to-period difference, both kept NOISE_MARGIN samples away from
     * a boundary with a different signal: a fractional delay (any real
     * channel, any band-limited transmitter) spreads each sample's
     * neighbours into it, which would read as noise of about -35 dB */
    double nl = 0, ns = 0;
    unsigned cl = 0, cs = 0;
    float rr = (float)cos(TWO_PI * 64 * s->cfo), ri = (float)sin(TWO_PI * 64 * s->cfo);
    for (uint64_t m = d + NOISE_MARGIN; m != d + SN_OFDM_LTF_CP + SN_OFDM_NFFT - NOISE_MARGIN;
         m++, cl++) {
        float xr = s->re[(m + 64) & RMASK], xi = s->im[(m + 64) & RMASK];
        float ar = s->re[m & RMASK], ai = s->im[m & RMASK];
        float dr = xr - (ar * rr - ai * ri), di = xi - (ar * ri + ai * rr);
        nl += (double)dr * dr + (double)di * di;
    }
    rr = (float)cos(TWO_PI * 16 * s->cfo);
    ri = (float)sin(TWO_PI * 16 * s->cfo);
    for (uint64_t m = d - SN_OFDM_STF_LEN + 16 + NOISE_MARGIN; m != d - NOISE_MARGIN;
         m++, cs++) {
        float xr = s->re[m & RMASK], xi = s->im[m & RMASK];
        float ar = s->re[(m - 16) & RMASK], ai = s->im[(m - 16) & RMASK];
        float dr = xr - (ar * rr - ai * ri), di = xi - (ar * ri + ai * rr);
        ns += (double)dr * dr + (double)di * di;
    }
    double noise = (nl + ns) / (2.0 * (cl + cs));
    double ptot = 0;
    for (uint64_t m = d + SN_OFDM_LTF_CP; m != d + SN_OFDM_LTF_LEN; m++) {
        float xr = s->re[m & RMASK], xi = s->im[m & RMASK];
        ptot += (double)xr * xr + (double)xi * xi;
    }
    ptot /= 2 * SN_OFDM_NFFT;
    if (!(noise > ptot * 1e-7))
        noise = ptot * 1e-7 + 1e-30; /* noiseless input: SNR capped at 70 dB */
    double sig = ptot - noise;
    if (!(sig > noise * 1e-3))
        sig = noise * 1e-3;
    s->b.noise = (float)noise;
    s->b.snr_db = (float)(10.0 * log10(sig / noise));
    s->b.rssi_db = (float)(10.0 * log10(sig > 0 ? sig : 1e-30));
    s->b.cfo = s->cfo;

    /* least squares per used subcarrier, in order of k */
    float hr[SN_OFDM_NUSED], hi[SN_OFDM_NUSED];
    int kk[SN_OFDM_NUSED];
    unsigned nu = 0;
    for (int k = -26; k <= 26; k++) {
        if (k == 0)
            continue;
        unsigned b = bin_of(k);
        float l = s->ltf_val[b] * 0.5f;
        hr[nu] = (crealf(y1[b]) + crealf(y2[b])) * l;
        hi[nu] = (cimagf(y1[b]) + cimagf(y2[b])) * l;
        kk[nu++] = k;
    }
    /* mean phase slope per subcarrier (timing) */
    double sr = 0, si = 0;
    for (unsigned j = 0; j + 1 < nu; j++) {
        if (kk[j + 1] - kk[j] != 1)
            continue;
        sr += (double)hr[j + 1] * hr[j] + (double)hi[j + 1] * hi[j];
        si += (double)hi[j + 1] * hr[j] - (double)hr[j + 1] * hi[j];
    }
    double slope = (sr != 0 || si != 0) ? atan2(si, sr) : 0.0; /* [rad/subcarrier] */
    float gr[SN_OFDM_NUSED], gi[SN_OFDM_NUSED], cr[SN_OFDM_NUSED], ci[SN_OFDM_NUSED];
    for (unsigned j = 0; j < nu; j++) {
        float c = (float)cos(slope * kk[j]), sn = (float)-sin(slope * kk[j]);
        gr[j] = hr[j] * c - hi[j] * sn;
        gi[j] = hr[j] * sn + hi[j] * c;
        cr[j] = c;
        ci[j] = -sn; /* e^{+j slope k}, to put the slope back */
    }
    /* how rough the slope-free estimate is, against the noise alone:
     * per-bin noise of the average of two copies is 64 * noise / 2 */
    double rough = 0;
    for (unsigned j = 0; j + 1 < nu; j++) {
        float dr = gr[j + 1] - gr[j], di = gi[j + 1] - gi[j];
        rough += (double)dr * dr + (double)di * di;
    }
    rough /= (double)(nu - 1) * 2.0 * (SN_OFDM_NFFT * noise / 2.0);
    int half = rough < 1.5 ? 4 : rough < 4.0 ? 1 : 0;
    for (unsigned j = 0; j < nu; j++) {
        float ar = 0, ai = 0;
        int cntj = 0;
        for (int o = -half; o <= half; o++) {
            int q = (int)j + o;
            if (q < 0 || q >= (int)nu)
                continue;
            ar += gr[q];
            ai += gi[q];
            cntj++;
        }
        ar /= (float)cntj;
        ai /= (float)cntj;
        unsigned b = bin_of(kk[j]);
        float h_r = ar * cr[j] - ai * ci[j], h_i = ar * ci[j] + ai * cr[j];
        float h2 = h_r * h_r + h_i * h_i;
        if (!(h2 > 0) || !isfinite(h2)) {
            s->hinv_re[b] = s->hinv_im[b] = s->h2[b] = s->wgt[b] = 0;
            continue;
        }
        s->hinv_re[b] = h_r / h2;
        s->hinv_im[b] = -h_i / h2;
        s->h2[b] = h2;
        s->wgt[b] = (float)(h2 / (SN_OFDM_NFFT * noise));
    }
    /* the window starts BACKOFF samples before the LTF copy; the slope says
     * where the copy really starts: H_k ~ e^{-j 2 pi k delay / 64} */
    double delay = -slope * SN_OFDM_NFFT / TWO_PI;
    s->b.start = (double)(int64_t)(d - SN_OFDM_STF_LEN) + delay - BACKOFF;

    s->phi = s->omega = s->tau = s->vel = 0;
    /* prior of the residual CFO's least squares: (pilot phase variance) /
     * (residual CFO variance per symbol). The pilots' phase: 1 / (2 sum of
     * their SNRs); the fine CFO over 72 lag-64 products at SNR q:
     * (1 + 2q) / (2 * 72 q^2) [rad^2 per 64 samples] */
    {
        double q = sig / noise, wp = 0;
        for (unsigned i = 0; i < SN_OFDM_NPILOT; i++)
            wp += s->wgt[sn_ofdm_pilot_bin[i]];
        double vphi = 1.0 / (2.0 * wp + 1e-30);
        double vom = (1.0 + 2.0 * q) / (2.0 * 72.0 * q * q) * (80.0 / 64.0) * (80.0 / 64.0);
        s->ls = (float)(vphi / vom);
        if (!(s->ls > 1e-6f))
            s->ls = 1e-6f;
        if (s->ls > 1e6f)
            s->ls = 1e6f;
    }
    s->shift = 0;
    s->nsym = 0;
    s->win = d + SN_OFDM_LTF_LEN + SN_OFDM_NCP - BACKOFF;
}

/* Cross-correlations of the two LTF copies (64 samples from xr/xi and 64
 * after them) with the reference: c = sum x[i] lref[i]. This is the
 * search's inner loop (~220 positions x 128 complex products per firing),
 * so it runs in 4 lanes, tap i in lane i % 4, the lanes summed
 * (l0 + l1) + (l2 + l3) at the end: SSE2 where available, the same order
 * in plain C elsewhere (the same result on both, no FMA contraction in
 * ISO C mode). */
static void correlate(const sn_ofdm_sync *s, const float *xr, const float *xi, float *c1r,
                      float *c1i, float *c2r, float *c2i)
{
#if defined(__SSE2__)
    __m128 a1r = _mm_setzero_ps(), a1i = _mm_setzero_ps();
    __m128 a2r = _mm_setzero_ps(), a2i = _mm_setzero_ps();
    for (unsigned i = 0; i < SN_OFDM_NFFT; i += 4) {
        const __m128 lr = _mm_load_ps(s->lref_re + i), li = _mm_load_ps(s->lref_im + i);
        const __m128 ur = _mm_loadu_ps(xr + i), ui = _mm_loadu_ps(xi + i);
        const __m128 vr = _mm_loadu_ps(xr + i + 64), vi = _mm_loadu_ps(xi + i + 64);
        a1r = _mm_add_ps(a1r, _mm_sub_ps(_mm_mul_ps(ur, lr), _mm_mul_ps(ui, li)));
        a1i = _mm_add_ps(a1i, _mm_add_ps(_mm_mul_ps(ur, li), _mm_mul_ps(ui, lr)));
        a2r = _mm_add_ps(a2r, _mm_sub_ps(_mm_mul_ps(vr, lr), _mm_mul_ps(vi, li)));
        a2i = _mm_add_ps(a2i, _mm_add_ps(_mm_mul_ps(vr, li), _mm_mul_ps(vi, lr)));
    }
    float t[4][4];
    _mm_storeu_ps(t[0], a1r);
    _mm_storeu_ps(t[1], a1i);
    _mm_storeu_ps(t[2], a2r);
    _mm_storeu_ps(t[3], a2i);
#else
    float t[4][4] = {{0}};
    for (unsigned i = 0; i < SN_OFDM_NFFT; i += 4)
        for (unsigned l = 0; l < 4; l++) {
            const float lr = s->lref_re[i + l], li = s->lref_im[i + l];
            const float ur = xr[i + l], ui = xi[i + l];
            const float vr = xr[i + l + 64], vi = xi[i + l + 64];
            t[0][l] += ur * lr - ui * li;
            t[1][l] += ur * li + ui * lr;
            t[2][l] += vr * lr - vi * li;
            t[3][l] += vr * li + vi * lr;
        }
#endif
    *c1r = (t[0][0] + t[0][1]) + (t[0][2] + t[0][3]);
    *c1i = (t[1][0] + t[1][1]) + (t[1][2] + t[1][3]);
    *c2r = (t[2][0] + t[2][1]) + (t[2][2] + t[2][3]);
    *c2i = (t[3][0] + t[3][1]) + (t[3][2] + t[3][3]);
}

/* Step 3 and 4: is there an LTF where the firing at t_trig says? 1: yes
 * (estimates made), 0: no, 2: maybe just beyond the range (t_trig moved
 * for a new search). */
static int search(sn_ofdm_sync *s)
{
    const uint64_t base = s->t_trig - SRCH_A;
    const double fc = atan2(s->bp_im, s->bp_re) / (TWO_PI * SN_OFDM_STF_PERIOD);
    derotate(s, base, SRCH_SEG, fc, base, s->sg_re, s->sg_im);
    s->sg_e[0] = 0;
    for (unsigned m = 0; m < SRCH_SEG; m++)
        s->sg_e[m + 1] = s->sg_e[m] + (double)s->sg_re[m] * s->sg_re[m] +
                         (double)s->sg_im[m] * s->sg_im[m];
    for (unsigned dd = 0; dd <= SRCH_N; dd++) {
        float c1r, c1i, c2r, c2i;
        correlate(s, s->sg_re + dd + SN_OFDM_LTF_CP, s->sg_im + dd + SN_OFDM_LTF_CP, &c1r, &c1i,
                  &c2r, &c2i);
        double e1 = s->sg_e[dd + SN_OFDM_LTF_CP + SN_OFDM_NFFT] - s->sg_e[dd + SN_OFDM_LTF_CP];
        double e2 = s->sg_e[dd + SN_OFDM_LTF_LEN] - s->sg_e[dd + SN_OFDM_LTF_CP + SN_OFDM_NFFT];
        s->rho1[dd] = e1 > 0 ? (float)((double)(c1r * c1r + c1i * c1i) / ((double)s->lref_e * e1)) : 0;
        s->rho2[dd] = e2 > 0 ? (float)((double)(c2r * c2r + c2i * c2i) / ((double)s->lref_e * e2)) : 0;
    }
    /* two adjacent lags together: a fractional delay splits the peak
     * between them (half a sample keeps only 0.56 of it on either) */
    float best = -1;
    unsigned bd = 0;
    for (unsigned dd = 0; dd < SRCH_N; dd++) {
        float a = s->rho1[dd] + s->rho1[dd + 1], b = s->rho2[dd] + s->rho2[dd + 1];
        float rho = a < b ? a : b;
        if (rho > best) {
            best = rho;
            bd = dd;
        }
    }
    if (s->rho1[bd + 1] + s->rho2[bd + 1] > s->rho1[bd] + s->rho2[bd])
        bd++; /* the nearer of the two */
    if (!(best > RHO_MIN))
        return 0;
    /* the best position at the end of the range: the true one may lie
     * beyond it (a window half over the LTF already correlates well, e.g.
     * after a false firing just before a burst): search again from there */
    if (bd + SRCH_EDGE >= SRCH_N) {
        s->t_trig = base + bd - SRCH_EDGE + SRCH_A;
        return 2;
    }
    /* the second copy strong, the first weak, and the position one copy
     * later beyond the range: the windows may sit one copy early (the
     * second on the first copy, the first on the STF's end and the CP,
     * which is the copy's second half: ~0.3 over two lags, above RHO_MIN)
     * after a firing in the noise just before the burst. The header then
     * fails (at 40 dB, before the DC estimate stopped learning from the
     * bursts: 1..8 % of them, always the same ones). Search
     * again with both positions inside the range. */
    if (bd + SN_OFDM_NFFT + SRCH_EDGE >= SRCH_N &&
        2.0f * (s->rho1[bd] + s->rho1[bd + 1]) < s->rho2[bd] + s->rho2[bd + 1]) {
        s->t_trig = base + bd;
        return 2;
    }
    /* fine CFO: lag 64 over the CP (less its first 8) and the copies */
    double ar = 0, ai = 0;
    for (unsigned m = bd + NOISE_MARGIN; m < bd + SN_OFDM_LTF_CP + SN_OFDM_NFFT - NOISE_MARGIN;
         m++) {
        float xr = s->sg_re[m + 64], xi = s->sg_im[m + 64];
        float yr = s->sg_re[m], yi = s->sg_im[m];
        ar += (double)(xr * yr + xi * yi);
        ai += (double)(xi * yr - xr * yi);
    }
    double ff = (ar != 0 || ai != 0) ? atan2(ai, ar) / (TWO_PI * SN_OFDM_NFFT) : 0.0;
    s->d = base + bd;
    s->cfo = fc + ff;
    /* the CFO is fixed for the frame: one table, so that derotating a
     * window is a product per sample, not a recurrence (a loop-carried
     * dependency that cannot run in parallel) */
    {
        const double wr = cos(TWO_PI * s->cfo), wi = -sin(TWO_PI * s->cfo);
        double qr = 1.0, qi = 0.0; /* double: 64 steps of rounding stay far below float's */
        for (unsigned k = 0; k < SN_OFDM_NFFT; k++) {
            s->rot_re[k] = (float)qr;
            s->rot_im[k] = (float)qi;
            const double nr = qr * wr - qi * wi;
            qi = qr * wi + qi * wr;
            qr = nr;
        }
    }
    estimate(s);
    return 1;
}

/* Step 6: equalise the symbol whose window starts at s->win. */
static void symbol(sn_ofdm_sync *s, sn_ofdm_sym *out)
{
    sn_cf32 z[SN_OFDM_NFFT], y[SN_OFDM_NFFT];
    derotate_win(s, s->win, s->d, z);
    sn_ofdm_fft(z, y);
    float er[SN_OFDM_NFFT], ei[SN_OFDM_NFFT]; /* Y / H */
    for (unsigned b = 0; b < SN_OFDM_NFFT; b++) {
        float a = crealf(y[b]), c = cimagf(y[b]);
        er[b] = a * s->hinv_re[b] - c * s->hinv_im[b];
        ei[b] = a * s->hinv_im[b] + c * s->hinv_re[b];
    }
    float pv[SN_OFDM_NPILOT], ur[SN_OFDM_NPILOT], ui[SN_OFDM_NPILOT];
    sn_ofdm_pilots(s->nsym, pv);
    for (unsigned i = 0; i < SN_OFDM_NPILOT; i++) {
        unsigned b = sn_ofdm_pilot_bin[i];
        float g = pv[i] * s->h2[b];
        ur[i] = er[b] * g;
        ui[i] = ei[b] * g;
    }
    /* timing: pilots 14 subcarriers apart (k = -21, -7, 7, 21) */
    const float k14 = 2.0f * PI_F * 14.0f / SN_OFDM_NFFT;
    float sr = 0, si = 0;
    for (unsigned i = 0; i + 1 < SN_OFDM_NPILOT; i++) {
        sr += ur[i + 1] * ur[i] + ui[i + 1] * ui[i];
        si += ui[i + 1] * ur[i] - ur[i + 1] * ui[i];
    }
    float tp = s->tau + s->vel;
    float c = cosf(k14 * tp), sn = -sinf(k14 * tp);
    float rr = sr * c - si * sn, ri = sr * sn + si * c;
    float terr = (rr != 0 || ri != 0) ? atan2f(ri, rr) / k14 : 0.0f;
    s->tau = tp + A_TAU * terr;
    s->vel += B_TAU * terr;
    /* common phase, the slope removed */
    static const int pk[SN_OFDM_NPILOT] = {-21, -7, 7, 21};
    float cr = 0, ci = 0;
    for (unsigned i = 0; i < SN_OFDM_NPILOT; i++) {
        float a = -2.0f * PI_F * (float)pk[i] * s->tau / SN_OFDM_NFFT;
        float ca = cosf(a), sa = sinf(a);
        cr += ur[i] * ca - ui[i] * sa;
        ci += ur[i] * sa + ui[i] * ca;
    }
    float meas = (cr != 0 || ci != 0) ? atan2f(ci, cr) : 0.0f;
    if (s->nsym < LS_SYMS) {
        /* the phase is 0 at the LTF (the channel estimate absorbed it) and
         * grows linearly with the residual CFO: least squares of a line
         * through that origin, with the fine CFO's own uncertainty as the
         * prior (s->ls), learns the residual CFO from the header's pilots
         * far better than a loop could in 3 symbols */
        float t = (float)s->nsym + LS_T0;
        float pred = s->omega * t;
        float e = meas - pred;
        e = e - 2.0f * PI_F * floorf((e + PI_F) / (2.0f * PI_F));
        s->ls += t * t;
        s->omega += t / s->ls * e;
        s->phi = s->omega * t;
    } else {
        float pp = s->phi + s->omega;
        float perr = meas - pp;
        perr = perr - 2.0f * PI_F * floorf((perr + PI_F) / (2.0f * PI_F));
        s->phi = pp + A_PHI * perr;
        s->omega += B_PHI * perr;
    }
    s->phi = s->phi - 2.0f * PI_F * floorf((s->phi + PI_F) / (2.0f * PI_F));
    s->b.cfo = s->cfo + (double)s->omega / (TWO_PI * SN_OFDM_SYM_LEN);
    /* correction e^{-j (phi + 2 pi k tau / 64)}, k = -26..26 */
    /* in 4 interleaved recurrences (j = l mod 4, each stepping by d^4):
     * independent chains, a quarter as long, that run in parallel */
    float rot_r[56], rot_i[56];
    float a0 = -(s->phi - 2.0f * PI_F * 26.0f * s->tau / SN_OFDM_NFFT);
    float dr = cosf(-2.0f * PI_F * s->tau / SN_OFDM_NFFT),
          di = sinf(-2.0f * PI_F * s->tau / SN_OFDM_NFFT);
    float qr[4], qi[4];
    qr[0] = cosf(a0);
    qi[0] = sinf(a0);
    for (unsigned l = 1; l < 4; l++) {
        qr[l] = qr[l - 1] * dr - qi[l - 1] * di;
        qi[l] = qr[l - 1] * di + qi[l - 1] * dr;
    }
    const float d2r = dr * dr - di * di, d2i = 2.0f * dr * di;
    const float d4r = d2r * d2r - d2i * d2i, d4i = 2.0f * d2r * d2i;
    for (unsigned j = 0; j < 56; j += 4)
        for (unsigned l = 0; l < 4; l++) {
            rot_r[j + l] = qr[l];
            rot_i[j + l] = qi[l];
            const float nr = qr[l] * d4r - qi[l] * d4i;
            qi[l] = qr[l] * d4i + qi[l] * d4r;
            qr[l] = nr;
        }
    out->n = s->nsym;
    for (unsigned i = 0; i < SN_OFDM_NDATA; i++) {
        unsigned b = sn_ofdm_data_bin[i];
        unsigned j = (unsigned)((b < 32 ? (int)b : (int)b - 64) + 26);
        out->y[i] = sn_cf32_make(er[b] * rot_r[j] - ei[b] * rot_i[j],
                                 er[b] * rot_i[j] + ei[b] * rot_r[j]);
        out->w[i] = s->wgt[b];
    }
    if (s->nsym == 0)
        s->c.bursts++;
    /* move the window when the drift reaches a whole sample */
    float tn = s->tau + s->vel;
    if (tn < -1.0f) {
        s->shift++;
        s->tau += 1.0f;
    } else if (tn > 1.0f) {
        s->shift--;
        s->tau -= 1.0f;
    }
    s->nsym++;
    s->win = s->d + SN_OFDM_LTF_LEN + SN_OFDM_NCP - BACKOFF +
             (uint64_t)SN_OFDM_SYM_LEN * s->nsym + (uint64_t)(int64_t)s->shift;
}

/* n samples from x into the ring from stream index i, the DC estimate
 * removed (exact zeros stay zero, see idle_scan): in at most two pieces
 * without index masks, 4 samples at a time with SSE2 (it runs on every
 * sample of a burst). */
static void ring_store(sn_ofdm_sync *s, const sn_cf32 *x, size_t n, uint64_t i)
{
    const float dcr = s->dc_re, dci = s->dc_im;
    while (n > 0) {
        const size_t a = (size_t)(i & RMASK);
        const size_t m = RING - a < n ? RING - a : n;
        float *re = s->re + a, *im = s->im + a;
        size_t q = 0;
#if defined(__SSE2__)
        /* x - (nonzero ? dc : +0): exactly the scalar result, -0 included */
        const __m128 vdr = _mm_set1_ps(dcr), vdi = _mm_set1_ps(dci), z = _mm_setzero_ps();
        for (; q + 4 <= m; q += 4) {
            const __m128 u = _mm_loadu_ps((const float *)(x + q)); /* r0 i0 r1 i1 */
            const __m128 v = _mm_loadu_ps((const float *)(x + q + 2));
            const __m128 xr = _mm_shuffle_ps(u, v, _MM_SHUFFLE(2, 0, 2, 0));
            const __m128 xi = _mm_shuffle_ps(u, v, _MM_SHUFFLE(3, 1, 3, 1));
            const __m128 nz = _mm_or_ps(_mm_cmpneq_ps(xr, z), _mm_cmpneq_ps(xi, z));
            _mm_storeu_ps(re + q, _mm_sub_ps(xr, _mm_and_ps(nz, vdr)));
            _mm_storeu_ps(im + q, _mm_sub_ps(xi, _mm_and_ps(nz, vdi)));
        }
#endif
        for (; q < m; q++) {
            const float xr = crealf(x[q]), xi = cimagf(x[q]);
            const int nz = xr != 0.0f || xi != 0.0f;
            re[q] = nz ? xr - dcr : xr;
            im[q] = nz ? xi - dci : xi;
        }
        x += m;
        n -= m;
        i += m;
    }
}

/* Steps 1 and 2 while nothing is detected, with the state in locals (the
 * compiler cannot keep the struct's fields in registers across the ring's
 * stores). Consumes all n samples, or up to and including the one that
 * fires the detector (then the state is ST_SYNC). */
static size_t idle_scan(sn_ofdm_sync *s, const sn_cf32 *x, size_t n)
{
    float *re = s->re, *im = s->im;
    uint64_t i = s->idx;
    float dcr = s->dc_re, dci = s->dc_im;
    double pr = s->p_re, pi = s->p_im, r = s->r, r16 = s->r16, rr = 0;
    unsigned fill = s->fill, zrun = s->zrun, dcn = s->dc_n, hold = s->dc_hold;
    int armed = s->armed, fired = 0;
    size_t k = 0;
    while (k < n) {
        float xr = crealf(x[k]), xi = cimagf(x[k]);
        k++;
        /* DC blocker, updated only while nothing is detected: a burst's
         * own samples would move it (following a burst's slow
         * fluctuations distorts it, about -37 dB, and a strong preamble
         * left a bias that made noise look periodic), and so would
         * garbage (components beyond DC_MAX). Exact zeros are digital
         * silence (a recording's or a simulated medium's idle time, a
         * replaced NaN), not a radio's output: they stay zero, else the
         * blocker's residue would be a constant, which is periodic and
         * fires the detector. */
        if (xr != 0.0f || xi != 0.0f) {
            const int in_scale = fabsf(xr) <= DC_MAX && fabsf(xi) <= DC_MAX;
            xr -= dcr;
            xi -= dci;
            if (hold > 0)
                hold--;
            else if (in_scale) {
                float a = dcn < DC_START ? 1.0f / (float)(++dcn) : 1.0f / (1u << DC_SHIFT);
                dcr += xr * a;
                dci += xi * a;
            }
            zrun = 0;
        } else if (++zrun >= 16) {
            /* silence: the window must fill with real samples again (a
             * window sliding into silence holds ever fewer products, and
             * few products can look periodic). 16 in a row: a radio's
             * noise is never exactly zero that long, even in 8 bits */
            fill = 0;
            zrun = 16;
        }
        re[i & RMASK] = xr;
        im[i & RMASK] = xi;
        if ((i & (DC_SNAP - 1)) == 0 && dcn >= DC_START) {
            s->dc_snap_re[0] = s->dc_snap_re[1];
            s->dc_snap_im[0] = s->dc_snap_im[1];
            s->dc_snap_re[1] = dcr;
            s->dc_snap_im[1] = dci;
            if (s->dc_snaps < 2)
                s->dc_snaps++;
        }
        if (fill < DET_W + 16)
            fill++;
        if ((i & (DET_RECOMPUTE - 1)) == 0) {
            double v[4];
            det_sums(re, im, i, v);
            pr = v[0];
            pi = v[1];
            r = v[2];
            r16 = v[3];
        } else {
            float ar = re[(i - 16) & RMASK], ai = im[(i - 16) & RMASK];
            float or_ = re[(i - DET_W) & RMASK], oi = im[(i - DET_W) & RMASK];
            float br = re[(i - DET_W - 16) & RMASK], bi = im[(i - DET_W - 16) & RMASK];
            pr += (double)(xr * ar + xi * ai) - (double)(or_ * br + oi * bi);
            pi += (double)(xi * ar - xr * ai) - (double)(oi * br - or_ * bi);
            r += (double)(xr * xr + xi * xi) - (double)(or_ * or_ + oi * oi);
            r16 += (double)(ar * ar + ai * ai) - (double)(br * br + bi * bi);
        }
        i++;
        const double rm = r > r16 ? r : r16;
        rr = rm * rm;
        /* a window not yet full after a reset or the stream's start
         * holds few products, and few products can look periodic */
        const int above =
            fill >= DET_W + 16 && r > DET_RMIN && pr * pr + pi * pi > DET_T * rr;
        if (!above)
            armed = 1;
        else if (armed) {
            fired = 1;
            break;
        }
    }
    s->idx = i;
    s->dc_re = dcr;
    s->dc_im = dci;
    s->p_re = pr;
    s->p_im = pi;
    s->r = r;
    s->r16 = r16;
    s->fill = fill;
    s->zrun = zrun;
    s->dc_n = dcn;
    s->dc_hold = hold;
    s->armed = armed;
    if (fired) {
        /* what the burst's first samples taught the estimate is undone
         * (see the top); a false firing loses at most 511 samples of
         * learning, a quarter of the time constant */
        if (s->dc_snaps == 2) {
            s->dc_re = s->dc_snap_re[0];
            s->dc_im = s->dc_snap_im[0];
        }
        s->state = ST_SYNC;
        s->t_trig = s->t_last = i - 1;
        s->cont = 0;
        s->bp_re = pr;
        s->bp_im = pi;
        s->br = rr;
        s->c.triggers++;
    }
    return k;
}

size_t sn_ofdm_sync_push(sn_ofdm_sync *s, const sn_cf32 *x, size_t n, sn_ofdm_sym *sym,
                         int *got)
{
    *got = 0;
    /* a symbol already complete (after a late search or a window move) */
    if (s->state == ST_FRAME && s->idx >= s->win + SN_OFDM_NFFT) {
        symbol(s, sym);
        *got = 1;
        return 0;
    }
    size_t k = 0;
    while (k < n) {
        if (s->state == ST_IDLE) {
            k += idle_scan(s, x + k, n - k);
            continue;
        }
        if (s->state == ST_FRAME) {
            /* inside a burst the detector rests (its sums are recomputed
             * when the burst ends) and so does the DC estimate (see
             * idle_scan): the samples only go into the ring, up to the end
             * of the next FFT window */
            uint64_t i = s->idx;
            const uint64_t end = s->win + SN_OFDM_NFFT;
            size_t m = end > i ? (size_t)(end - i < n - k ? end - i : n - k) : 0;
            ring_store(s, x + k, m, i);
            i += m;
            k += m;
            s->idx = i;
            s->fill = s->fill + m < DET_W + 16 ? s->fill + (unsigned)m : DET_W + 16;
            if (i >= end) {
                symbol(s, sym);
                *got = 1;
                return k;
            }
            continue;
        }
        /* ST_SYNC: the DC estimate rests (see idle_scan) */
        const uint64_t i = s->idx;
        float xr = crealf(x[k]), xi = cimagf(x[k]);
        k++;
        if (xr != 0.0f || xi != 0.0f) {
            xr -= s->dc_re;
            xi -= s->dc_im;
        }
        s->re[i & RMASK] = xr;
        s->im[i & RMASK] = xi;
        s->idx = i + 1;
        if (s->fill < DET_W + 16)
            s->fill++;
        /* the detector runs on, to see whether it keeps firing
         * and to keep the strongest P for the coarse CFO */
        if ((i & (DET_RECOMPUTE - 1)) == 0) {
            det_recompute(s, i);
        } else {
            float ar = s->re[(i - 16) & RMASK], ai = s->im[(i - 16) & RMASK];
            float or_ = s->re[(i - DET_W) & RMASK], oi = s->im[(i - DET_W) & RMASK];
            float br = s->re[(i - DET_W - 16) & RMASK], bi = s->im[(i - DET_W - 16) & RMASK];
            s->p_re += (double)(xr * ar + xi * ai) - (double)(or_ * br + oi * bi);
            s->p_im += (double)(xi * ar - xr * ai) - (double)(oi * br - or_ * bi);
            s->r += (double)(xr * xr + xi * xi) - (double)(or_ * or_ + oi * oi);
            s->r16 += (double)(ar * ar + ai * ai) - (double)(br * br + bi * bi);
        }
        const double p2 = s->p_re * s->p_re + s->p_im * s->p_im;
        const double rm = s->r > s->r16 ? s->r : s->r16;
        const double rr = rm * rm;
        if (s->fill >= DET_W + 16 && s->r > DET_RMIN && p2 > DET_T * rr) {
            s->t_last = i;
            const double b2 = s->bp_re * s->bp_re + s->bp_im * s->bp_im;
            if (p2 * s->br > b2 * rr) {
                s->bp_re = s->p_re;
                s->bp_im = s->p_im;
                s->br = rr;
            }
        }
        if (i == s->t_trig + SRCH_AT) {
            int found = search(s);
            if (found == 2) {
                s->c.triggers++; /* a new search, from the end of this one */
            } else if (found) {
                s->state = ST_FRAME;
                if (s->idx >= s->win + SN_OFDM_NFFT) {
                    symbol(s, sym);
                    *got = 1;
                    return k;
                }
            } else {
                s->c.rejected++;
                /* the detector kept firing beyond what this search
                 * covered: search the next positions at once (a burst
                 * right after a false start), once. Then it must fall
                 * below its threshold before it fires again, so
                 * something periodic but not a burst (a constant left
                 * on an otherwise silent input, a CW tone) cannot keep
                 * the receiver busy */
                if (!s->cont && s->t_last > s->t_trig + SRCH_N - 1) {
                    s->t_trig += SRCH_N;
                    s->cont = 1;
                    s->c.triggers++;
                } else {
                    s->state = ST_IDLE;
                    s->armed = 0;
                }
            }
        }
    }
    return n;
}
