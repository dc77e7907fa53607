/* phy/modem: walking-skeleton modem on liquid-dsp 1.5's flexframegen and
 * flexframesync.
 *
 * Frame: flexframe preamble (64 p/n symbols), flexframe header carrying our
 * 8-byte user header (magic "SN", version) plus liquid's own fields
 * (payload length, modulation, CRC, FEC), payload with CRC-32 and no FEC
 * (Debian's liquid is built without libfec, so the convolutional and
 * Reed-Solomon codes fail at run time), then a tail. 2 samples/symbol.
 */
#include "phy/modem.h"

#include <dlfcn.h>
#include <liquid/liquid.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"

#define MOD "modem"

/* Length of our part of the flexframe header [bytes]. liquid protects it
 * with its header CRC; we use the first bytes to reject headers that
 * decode but are not ours. */
#define SN_MODEM_HDR_LEN 9
static const uint8_t hdr_magic[3] = {'S', 'N', 2}; /* magic, version 2 */
/* then: [3] rate (sn_phy_rate), [4..7] ctrl (big-endian), [8] flags */
#define HDR_F_EMPTY 0x01 /* header-only burst: the one payload byte is filler */

/* flexframegen's oversampling [samples/symbol] (fixed inside liquid 1.5). */
#define SN_MODEM_K 2

/* The largest payload the flexframe header can describe (16-bit length). */
#define SN_MODEM_MAX_PAYLOAD 65535u

/* TX gain. flexframegen bursts have a mean power near 1 (0 dBFS) and peaks up
 * to about 2.6 (qam64) from the pulse shaping; scaling by 1/3 puts the mean
 * near -9.5 dBFS and the peak near 0.85, inside full scale with a little
 * margin. A burst whose peak still exceeds 1 is scaled down as a whole, so
 * the waveform is never clipped. */
#define SN_MODEM_TX_GAIN (1.0f / 3.0f)

/* Input components beyond this are clipped [full scale]. Far above any real
 * signal; it keeps liquid's power sums finite on garbage input. */
#define SN_MODEM_RX_CLIP 64.0f

/* flexframesync calls back this many samples before the last sample of the
 * burst (measured: 2 or 3), so the start estimate is corrected by it. */
#define SN_MODEM_CB_LEAD 3

/* liquid 1.5's frame detector keeps samples from before the last frame in
 * its buffer (its reset is a no-op), and about one frame in ten that stale
 * content triggers a false detection right after the frame, which then
 * fails its header (and can hide a frame that follows closely). After each
 * frame we push zero samples (not part of the stream) until its 512-sample
 * window has been replaced: it advances by half a window, from the middle.
 * Costs one or two detector steps (each ~0.3 ms: an FFT and ~50 inverse
 * FFTs for its frequency search) per frame. */
#define SN_MODEM_FLUSH 512
#define SN_MODEM_FLUSH_MAX 8192 /* bound if a (false) frame is still open */

struct sn_modem {
    sn_modem_config cfg;
    double fs;           /* [S/s] */
    flexframegen gen;
    flexframesync sync;
    sn_cf32 *txbuf; /* [samples] burst of the largest frame */
    size_t txcap;
    size_t overhead; /* [samples] preamble + header + tail of a burst */
    uint64_t rx_index; /* [samples] stream index of the next input sample */
    int flushing;      /* ignore callbacks: we are feeding flush zeros */
    int frame_done;    /* a callback happened: flush after this sample */
    sn_modem_rx_fn rx;
    void *user;
    sn_modem_points_fn pts;
    void *pts_user;
    sn_modem_counters c;
};

static const struct {
    const char *name;
    modulation_scheme ms;
    unsigned bps; /* [bits/symbol] */
} mods[] = {
    {"bpsk", LIQUID_MODEM_BPSK, 1},
    {"qpsk", LIQUID_MODEM_QPSK, 2},
    {"qam16", LIQUID_MODEM_QAM16, 4},
    {"qam64", LIQUID_MODEM_QAM64, 6},
};
#define NMODS (sizeof mods / sizeof mods[0])

static int mod_index(modulation_scheme ms)
{
    for (size_t i = 0; i < NMODS; i++)
        if (mods[i].ms == ms)
            return (int)i;
    return -1;
}

/* This skeleton has no FEC: a rate maps to its modulation only. */
static int rate_mod_index(sn_phy_rate r)
{
    unsigned bpp = sn_phy_rate_bits_per_point(r);
    for (size_t i = 0; i < NMODS; i++)
        if (mods[i].bps == bpp)
            return (int)i;
    return -1;
}

/* liquid 1.5 plans its FFTs (the frame detector's) with FFTW_MEASURE, which
 * picks among algorithms by timing them: two runs can get different plans,
 * and so results differing in the last bits (seen in the RSSI and EVM), so a
 * simulation would not be byte-for-byte repeatable. With a planning time
 * limit of 0, FFTW plans at FFTW_ESTIMATE (never timed out) and then gives
 * up on measuring at once, so the plan is the estimator's: deterministic.
 * FFTW's time limit is process-wide, so this applies to every FFTW plan
 * made after the first modem is created. Looked up at run time because
 * FFTW is liquid's dependency, not ours (absent when liquid uses its own
 * FFT, which needs nothing). */
static void fft_planning_deterministic(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    void *sym = dlsym(RTLD_DEFAULT, "fftwf_set_timelimit");
    if (!sym)
        return;
    void (*set_timelimit)(double);
    _Static_assert(sizeof set_timelimit == sizeof sym, "function and object pointers differ");
    memcpy(&set_timelimit, &sym, sizeof sym);
    set_timelimit(0.0);
}

void sn_modem_config_default(sn_modem_config *c)
{
    c->rate = SN_RATE_QPSK_12;
    c->max_payload = 2048;
}

/* Burst length of a payload of `len` bytes at `bps` bits/symbol: the
 * payload carries len + 4 (CRC-32) bytes, no FEC. [samples] */
static size_t burst_len(const sn_modem *m, size_t len, unsigned bps)
{
    size_t bits = (len + 4) * 8;
    size_t syms = (bits + bps - 1) / bps;
    return m->overhead + SN_MODEM_K * syms;
}

size_t sn_modem_burst_len(const sn_modem *m, size_t len, sn_phy_rate rate)
{
    int k = rate_mod_index(rate);
    if (!m || k < 0 || len > m->cfg.max_payload)
        return 0;
    return burst_len(m, len ? len : 1, mods[k].bps);
}

void sn_modem_get_timing(const sn_modem *m, sn_modem_timing *t)
{
    if (!t)
        return;
    /* flexframe: 64-symbol p/n preamble at 2 samples/symbol, detected
     * near its end; the callback runs SN_MODEM_CB_LEAD samples early */
    t->preamble = m ? 2 * 64 : 0;
    t->detect = m ? 2 * 64 : 0;
    t->decode_delay = 0;
}

/* Push zeros (not counted in the stream) until the frame detector's buffer
 * holds nothing of the past; callbacks they cause are ignored. */
static void flush_detector(sn_modem *m)
{
    liquid_float_complex z = 0.0f;
    m->flushing = 1;
    for (unsigned k = 0; k < SN_MODEM_FLUSH_MAX; k++) {
        if (k >= SN_MODEM_FLUSH && !flexframesync_is_frame_open(m->sync))
            break;
        flexframesync_execute(m->sync, &z, 1);
    }
    m->flushing = 0;
    m->frame_done = 0;
}

static int on_frame(unsigned char *header, int header_valid, unsigned char *payload,
                    unsigned int payload_len, int payload_valid, framesyncstats_s fs,
                    void *userdata)
{
    sn_modem *m = userdata;
    if (m->flushing)
        return 0;
    m->frame_done = 1;
    int k = mod_index((modulation_scheme)fs.mod_scheme);
    if (!header_valid || !header || memcmp(header, hdr_magic, sizeof hdr_magic) != 0 ||
        !payload || payload_len == 0 || payload_len > m->cfg.max_payload || k < 0 ||
        header[3] >= SN_RATE_COUNT || rate_mod_index((sn_phy_rate)header[3]) != k ||
        fs.fec0 != LIQUID_FEC_NONE || fs.fec1 != LIQUID_FEC_NONE) {
        m->c.rx_header_bad++;
        return 0;
    }
    sn_phy_stats st;
    memset(&st, 0, sizeof st);
    st.evm_db = fs.evm;
    /* -EVM estimates Es/N0, the SNR per symbol after the matched filter.
     * With white noise over the whole sampled band and K samples/symbol,
     * Es/N0 = K * (signal power per sample) / (noise power per sample), so
     * subtracting 10 log10(K) reports the SNR per sample: the medium's
     * definition (phy/medium.h), comparable with what a link is set to. */
    st.snr_db = isfinite(fs.evm) ? -fs.evm - (float)(10.0 * log10(SN_MODEM_K)) : NAN;
    st.rssi_db = fs.rssi;
    st.cfo_hz = (float)((double)fs.cfo * m->fs / (2.0 * M_PI));
    st.sample_count = burst_len(m, payload_len, mods[k].bps);
    /* the callback comes on the sample m->rx_index, SN_MODEM_CB_LEAD before
     * the burst's last one */
    uint64_t end = m->rx_index + SN_MODEM_CB_LEAD;
    st.sample_start = end >= st.sample_count ? end - st.sample_count : 0;
    st.header_ok = 1;
    st.crc_ok = payload_valid ? 1 : 0;
    st.rate = (sn_phy_rate)header[3];
    st.ctrl = (uint32_t)header[4] << 24 | (uint32_t)header[5] << 16 | (uint32_t)header[6] << 8 |
              header[7];
    if (header[8] & HDR_F_EMPTY)
        payload_len = 0;
    if (st.crc_ok)
        m->c.rx_frames_ok++;
    else
        m->c.rx_frames_crc_bad++;
    if (m->pts && fs.framesyms && fs.num_framesyms > 0)
        m->pts(m->pts_user, fs.framesyms, fs.num_framesyms, st.rate);
    if (m->rx)
        m->rx(m->user, payload, payload_len, &st);
    return 0;
}

sn_modem *sn_modem_create(const sn_modem_config *cfg, double sample_rate, sn_modem_rx_fn rx,
                          void *user)
{
    sn_modem_config def;
    if (!cfg) {
        sn_modem_config_default(&def);
        cfg = &def;
    }
    int k = rate_mod_index(cfg->rate);
    if (k < 0) {
        SN_ERROR(MOD, "rate %d not supported", (int)cfg->rate);
        return NULL;
    }
    if (cfg->max_payload == 0 || cfg->max_payload > SN_MODEM_MAX_PAYLOAD) {
        SN_ERROR(MOD, "max_payload %u out of range 1..%u", cfg->max_payload,
                 SN_MODEM_MAX_PAYLOAD);
        return NULL;
    }
    /* the upper bound keeps CFOs in Hz (|cfo| <= fs/2) within a float */
    if (!(sample_rate > 0) || !(sample_rate <= 1e15)) {
        SN_ERROR(MOD, "sample rate %g not in (0, 1e15]", sample_rate);
        return NULL;
    }

    sn_modem *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->cfg = *cfg;
    m->fs = sample_rate;
    m->rx = rx;
    m->user = user;

    fft_planning_deterministic();
    flexframegenprops_s props;
    flexframegenprops_init_default(&props);
    props.check = LIQUID_CRC_32;
    props.fec0 = LIQUID_FEC_NONE;
    props.fec1 = LIQUID_FEC_NONE;
    props.mod_scheme = mods[k].ms;
    m->gen = flexframegen_create(&props);
    m->sync = flexframesync_create(on_frame, m);
    if (!m->gen || !m->sync)
        goto fail;
    if (flexframegen_set_header_len(m->gen, SN_MODEM_HDR_LEN) != LIQUID_OK ||
        flexframesync_set_header_len(m->sync, SN_MODEM_HDR_LEN) != LIQUID_OK)
        goto fail;

    /* Measure the fixed part of a burst (preamble, header, tail) once, from
     * a one-byte frame, so burst lengths need no assembled frame. */
    uint8_t hdr[SN_MODEM_HDR_LEN] = {0};
    uint8_t one = 0;
    if (flexframegen_assemble(m->gen, hdr, &one, 1) != LIQUID_OK)
        goto fail;
    size_t total = flexframegen_getframelen(m->gen);
    size_t one_syms = (5 * 8 + mods[k].bps - 1) / mods[k].bps;
    if (total <= SN_MODEM_K * one_syms)
        goto fail;
    m->overhead = total - SN_MODEM_K * one_syms;
    flexframegen_reset(m->gen);

    m->txcap = burst_len(m, cfg->max_payload, 1); /* the longest: bpsk */
    m->txbuf = malloc(m->txcap * sizeof *m->txbuf);
    if (!m->txbuf)
        goto fail;
    return m;
fail:
    SN_ERROR(MOD, "cannot create the liquid frame generator/synchroniser");
    sn_modem_destroy(m);
    return NULL;
}

void sn_modem_destroy(sn_modem *m)
{
    if (!m)
        return;
    if (m->gen)
        flexframegen_destroy(m->gen);
    if (m->sync)
        flexframesync_destroy(m->sync);
    free(m->txbuf);
    free(m);
}

void sn_modem_reset(sn_modem *m)
{
    if (!m)
        return;
    flexframesync_reset(m->sync);
    flush_detector(m);
}

int sn_modem_busy(const sn_modem *m)
{
    /* between calls of sn_modem_rx a completed frame has been flushed out
     * (flush_detector), so an open frame here is one still arriving */
    return m && flexframesync_is_frame_open(m->sync) ? 1 : 0;
}

int sn_modem_tx(sn_modem *m, const uint8_t *frame, size_t len, const sn_modem_txopt *opt,
                const sn_cf32 **iq, size_t *n)
{
    if (!m || !iq || !n || (!frame && len))
        return SN_ERR_INVAL;
    if (len > m->cfg.max_payload)
        return SN_ERR_RANGE;
    sn_phy_rate rate = opt ? opt->rate : m->cfg.rate;
    uint32_t ctrl = opt ? opt->ctrl : 0;
    int k = rate_mod_index(rate);
    if (k < 0)
        return SN_ERR_INVAL;
    uint8_t hdr[SN_MODEM_HDR_LEN] = {0};
    memcpy(hdr, hdr_magic, sizeof hdr_magic);
    hdr[3] = (uint8_t)rate;
    hdr[4] = (uint8_t)(ctrl >> 24);
    hdr[5] = (uint8_t)(ctrl >> 16);
    hdr[6] = (uint8_t)(ctrl >> 8);
    hdr[7] = (uint8_t)ctrl;
    static const uint8_t filler = 0;
    if (len == 0) {
        hdr[8] = HDR_F_EMPTY;
        frame = &filler;
    }
    flexframegenprops_s props;
    flexframegen_getprops(m->gen, &props);
    props.mod_scheme = mods[k].ms;
    if (flexframegen_setprops(m->gen, &props) != LIQUID_OK ||
        flexframegen_assemble(m->gen, hdr, frame, (unsigned)(len ? len : 1)) != LIQUID_OK)
        return SN_ERR_INVAL;
    size_t total = flexframegen_getframelen(m->gen);
    if (total == 0 || total > m->txcap) {
        flexframegen_reset(m->gen);
        return SN_ERR_RANGE; /* cannot happen: txcap covers max_payload */
    }
    flexframegen_write_samples(m->gen, m->txbuf, (unsigned)total);

    float peak = 0.0f;
    for (size_t i = 0; i < total; i++) {
        float a = cabsf(m->txbuf[i]);
        if (a > peak)
            peak = a;
    }
    float g = SN_MODEM_TX_GAIN;
    if (peak * g > 1.0f)
        g = 1.0f / peak;
    for (size_t i = 0; i < total; i++)
        m->txbuf[i] *= g;

    m->c.tx_frames++;
    m->c.tx_samples += total;
    *iq = m->txbuf;
    *n = total;
    return SN_OK;
}

int sn_modem_rx(sn_modem *m, const sn_cf32 *iq, size_t n)
{
    if (!m || (!iq && n))
        return SN_ERR_INVAL;
    for (size_t i = 0; i < n; i++) {
        float re = crealf(iq[i]), im = cimagf(iq[i]);
        if (!isfinite(re) || !isfinite(im)) {
            re = im = 0.0f;
            m->c.rx_nonfinite++;
        } else if (fabsf(re) > SN_MODEM_RX_CLIP || fabsf(im) > SN_MODEM_RX_CLIP) {
            re = fminf(fmaxf(re, -SN_MODEM_RX_CLIP), SN_MODEM_RX_CLIP);
            im = fminf(fmaxf(im, -SN_MODEM_RX_CLIP), SN_MODEM_RX_CLIP);
            m->c.rx_clipped++;
        }
        liquid_float_complex x = sn_cf32_make(re, im);
        /* one sample per call, so a callback knows its sample's index */
        flexframesync_execute(m->sync, &x, 1);
        m->rx_index++;
        m->c.rx_samples++;
        if (m->frame_done)
            flush_detector(m);
    }
    return SN_OK;
}

void sn_modem_set_points_observer(sn_modem *m, sn_modem_points_fn fn, void *user)
{
    if (!m)
        return;
    m->pts = fn;
    m->pts_user = user;
}

sn_phy_rate sn_modem_rate(const sn_modem *m) { return m ? m->cfg.rate : SN_RATE_QPSK_12; }

void sn_modem_get_counters(const sn_modem *m, sn_modem_counters *c)
{
    if (!c)
        return;
    if (!m) {
        memset(c, 0, sizeof *c);
        return;
    }
    *c = m->c;
}
