/* phy/modem: the OFDM modem -- phy/ofdm_sync (preamble, synchronisation,
 * equalisation) and phy/ofdm (header, FEC, mapping) behind phy/modem.h.
 *
 * Transmit: preamble | SN_OFDM_HDR_SYMS header symbols | data symbols, the
 * points from sn_ofdm_encode, every sample of magnitude above 1 clipped to 1
 * (about one sample in 10^4 at SN_OFDM_TX_POWER).
 * Receive: samples are sanitised (non-finite -> 0, components beyond +-64
 * clipped; both counted), the synchroniser hands out equalised symbols; the
 * third one completes the header, which says how many data symbols follow
 * (or rejects the burst); the last one completes the frame. Everything runs
 * per sample in stream order, so the chunking of the input cannot change a
 * result, and nothing is allocated after create.
 */
#include "phy/modem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/err.h"
#include "core/log.h"
#include "phy/ofdm.h"
#include "phy/ofdm_sync.h"

#define MOD "modem"

/* Input components beyond this are clipped [full scale]: far above any real
 * signal, it keeps the receiver's sums finite on garbage. */
#define SN_MODEM_RX_CLIP 64.0f
#define RX_BLOCK 256 /* [samples] sanitised per step */
#define HDR_PTS (SN_OFDM_HDR_SYMS * SN_OFDM_NDATA)

struct sn_modem {
    sn_modem_config cfg;
    double fs; /* [S/s] */
    sn_ofdm_codec *txc, *rxc; /* two: the rx callback may transmit */
    sn_ofdm_sync *sync;
    sn_cf32 pre[SN_OFDM_PRE_LEN];
    sn_cf32 *txpts; /* (HDR + nsym_max) * 48 points */
    sn_cf32 *txbuf; /* [samples] the longest burst */
    size_t txcap;
    /* frame being received */
    sn_cf32 hdr_y[HDR_PTS];
    float hdr_w[HDR_PTS];
    sn_ofdm_header h;
    size_t nsym;       /* data symbols of the frame */
    unsigned bpsc;
    double err2;       /* sum of squared errors of the points (EVM) */
    size_t npts;
    sn_cf32 *pts;      /* the payload's points, for the observer */
    uint8_t *frame;
    sn_modem_rx_fn rx;
    void *user;
    sn_modem_points_fn obs;
    void *obs_user;
    sn_modem_counters c;
};

void sn_modem_config_default(sn_modem_config *c)
{
    c->rate = SN_RATE_QPSK_12;
    c->max_payload = 2048;
}

static size_t burst_len(size_t nsym)
{
    return SN_OFDM_PRE_LEN + (SN_OFDM_HDR_SYMS + nsym) * (size_t)SN_OFDM_SYM_LEN;
}

size_t sn_modem_burst_len(const sn_modem *m, size_t len, sn_phy_rate rate)
{
    if (!m || (unsigned)rate >= SN_RATE_COUNT || len > m->cfg.max_payload)
        return 0;
    return burst_len(sn_ofdm_nsym(rate, len));
}

void sn_modem_get_timing(const sn_modem *m, sn_modem_timing *t)
{
    if (!t)
        return;
    t->preamble = m ? SN_OFDM_PRE_LEN : 0;
    t->detect = m ? SN_OFDM_SYNC_DETECT : 0;
    t->decode_delay = m ? SN_OFDM_SYNC_DELAY : 0;
}

sn_modem *sn_modem_create(const sn_modem_config *cfg, double sample_rate, sn_modem_rx_fn rx,
                          void *user)
{
    sn_modem_config def;
    if (!cfg) {
        sn_modem_config_default(&def);
        cfg = &def;
    }
    if ((unsigned)cfg->rate >= SN_RATE_COUNT) {
        SN_ERROR(MOD, "rate %d not supported", (int)cfg->rate);
        return NULL;
    }
    if (cfg->max_payload == 0 || cfg->max_payload > SN_OFDM_MAX_LEN) {
        SN_ERROR(MOD, "max_payload %u out of range 1..%u", cfg->max_payload, SN_OFDM_MAX_LEN);
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
    size_t nmax = sn_ofdm_nsym(SN_RATE_BPSK_12, cfg->max_payload); /* the longest */
    m->txcap = burst_len(nmax);
    m->txc = sn_ofdm_codec_create(cfg->max_payload);
    m->rxc = sn_ofdm_codec_create(cfg->max_payload);
    m->sync = sn_ofdm_sync_create();
    m->txpts = malloc((SN_OFDM_HDR_SYMS + nmax) * SN_OFDM_NDATA * sizeof *m->txpts);
    m->txbuf = malloc(m->txcap * sizeof *m->txbuf);
    m->pts = malloc(nmax * SN_OFDM_NDATA * sizeof *m->pts);
    m->frame = malloc(cfg->max_payload);
    if (!m->txc || !m->rxc || !m->sync || !m->txpts || !m->txbuf || !m->pts || !m->frame) {
        SN_ERROR(MOD, "out of memory");
        sn_modem_destroy(m);
        return NULL;
    }
    sn_ofdm_preamble(m->pre);
    return m;
}

void sn_modem_destroy(sn_modem *m)
{
    if (!m)
        return;
    sn_ofdm_codec_destroy(m->txc);
    sn_ofdm_codec_destroy(m->rxc);
    sn_ofdm_sync_destroy(m->sync);
    free(m->txpts);
    free(m->txbuf);
    free(m->pts);
    free(m->frame);
    free(m);
}

sn_phy_rate sn_modem_rate(const sn_modem *m) { return m ? m->cfg.rate : SN_RATE_QPSK_12; }

void sn_modem_reset(sn_modem *m)
{
    if (m)
        sn_ofdm_sync_reset(m->sync);
}

int sn_modem_busy(const sn_modem *m) { return m && sn_ofdm_sync_busy(m->sync) ? 1 : 0; }

int sn_modem_tx(sn_modem *m, const uint8_t *frame, size_t len, const sn_modem_txopt *opt,
                const sn_cf32 **iq, size_t *n)
{
    if (!m || !iq || !n || (!frame && len))
        return SN_ERR_INVAL;
    if (len > m->cfg.max_payload)
        return SN_ERR_RANGE;
    sn_ofdm_header h;
    h.rate = opt ? opt->rate : m->cfg.rate;
    h.ctrl = opt ? opt->ctrl : 0;
    h.len = (unsigned)len;
    if ((unsigned)h.rate >= SN_RATE_COUNT)
        return SN_ERR_INVAL;
    int rc = sn_ofdm_encode(m->txc, &h, frame, m->txpts);
    if (rc != SN_OK)
        return rc;
    size_t nsym = SN_OFDM_HDR_SYMS + sn_ofdm_nsym(h.rate, len);
    size_t total = SN_OFDM_PRE_LEN + nsym * SN_OFDM_SYM_LEN;
    if (total > m->txcap)
        return SN_ERR_RANGE; /* cannot happen: txcap covers max_payload */
    memcpy(m->txbuf, m->pre, sizeof m->pre);
    for (size_t s = 0; s < nsym; s++)
        sn_ofdm_symbol(m->txpts + s * SN_OFDM_NDATA, s,
                       m->txbuf + SN_OFDM_PRE_LEN + s * SN_OFDM_SYM_LEN);
    for (size_t i = 0; i < total; i++) {
        float re = crealf(m->txbuf[i]), im = cimagf(m->txbuf[i]);
        float p = re * re + im * im;
        if (p > 1.0f) {
            float g = 1.0f / sqrtf(p);
            m->txbuf[i] = sn_cf32_make(re * g, im * g);
        }
    }
    m->c.tx_frames++;
    m->c.tx_samples += total;
    *iq = m->txbuf;
    *n = total;
    return SN_OK;
}

static void deliver(sn_modem *m, size_t len, int crc_ok)
{
    const sn_ofdm_burst *b = sn_ofdm_sync_burst(m->sync);
    sn_phy_stats st;
    memset(&st, 0, sizeof st);
    st.snr_db = b->snr_db;
    st.rssi_db = b->rssi_db;
    st.evm_db = m->npts && m->err2 > 0 ? (float)(10.0 * log10(m->err2 / (double)m->npts))
                                       : (m->npts ? -100.0f : NAN);
    st.cfo_hz = (float)(b->cfo * m->fs);
    double r = floor(b->start + 0.5);
    st.timing_frac = (float)(b->start - r);
    st.sample_start = r > 0 ? (uint64_t)r : 0;
    st.sample_count = burst_len(m->nsym);
    st.header_ok = 1;
    st.crc_ok = crc_ok;
    st.rate = m->h.rate;
    st.ctrl = m->h.ctrl;
    if (crc_ok)
        m->c.rx_frames_ok++;
    else
        m->c.rx_frames_crc_bad++;
    if (m->obs && len > 0)
        m->obs(m->obs_user, m->pts, m->nsym * SN_OFDM_NDATA, m->h.rate);
    if (m->rx)
        m->rx(m->user, m->frame, len, &st);
}

static void add_error(sn_modem *m, unsigned bpsc, const sn_cf32 *y, size_t n)
{
    double e = 0; /* a local sum: the calls would force m->err2 to memory */
    for (size_t i = 0; i < n; i++)
        e += sn_ofdm_error2(bpsc, y[i]);
    m->err2 += e;
    m->npts += n;
}

/* One equalised symbol from the synchroniser. */
static void on_symbol(sn_modem *m, const sn_ofdm_sym *s)
{
    if (s->n < SN_OFDM_HDR_SYMS) {
        memcpy(m->hdr_y + s->n * SN_OFDM_NDATA, s->y, sizeof s->y);
        memcpy(m->hdr_w + s->n * SN_OFDM_NDATA, s->w, sizeof s->w);
        if (s->n + 1 < SN_OFDM_HDR_SYMS)
            return;
        if (sn_ofdm_decode_header(m->rxc, m->hdr_y, m->hdr_w, &m->h) != SN_OK ||
            m->h.len > m->cfg.max_payload) {
            m->c.rx_header_bad++;
            sn_ofdm_sync_end(m->sync);
            return;
        }
        m->nsym = sn_ofdm_nsym(m->h.rate, m->h.len);
        m->bpsc = sn_phy_rate_bits_per_point(m->h.rate);
        m->err2 = 0;
        m->npts = 0;
        if (m->h.len == 0) {
            /* header-only burst: its EVM from the header's points */
            add_error(m, 1, m->hdr_y, HDR_PTS);
            sn_ofdm_sync_end(m->sync);
            deliver(m, 0, 1);
            return;
        }
        if (sn_ofdm_decode_begin(m->rxc, &m->h) != SN_OK) {
            m->c.rx_header_bad++;
            sn_ofdm_sync_end(m->sync);
        }
        return;
    }
    size_t j = s->n - SN_OFDM_HDR_SYMS;
    if (j >= m->nsym) { /* cannot happen: the frame ended at its last symbol */
        sn_ofdm_sync_end(m->sync);
        return;
    }
    sn_ofdm_decode_symbol(m->rxc, j, s->y, s->w);
    /* EVM from the first 4 data symbols and every 4th after them (all the
     * points of a frame of up to 5 data symbols, about a quarter of a long
     * frame's): a statistic, not part of decoding, whose cost on every
     * point was ~5 % of the receiver at 64-QAM */
    if (j < 4 || j % 4 == 0)
        add_error(m, m->bpsc, s->y, SN_OFDM_NDATA);
    memcpy(m->pts + j * SN_OFDM_NDATA, s->y, sizeof s->y);
    if (j + 1 < m->nsym)
        return;
    sn_ofdm_sync_end(m->sync);
    int crc_ok = 0;
    if (sn_ofdm_decode_finish(m->rxc, m->frame, &crc_ok) != SN_OK) {
        memset(m->frame, 0, m->h.len);
        crc_ok = 0;
    }
    deliver(m, m->h.len, crc_ok);
}

int sn_modem_rx(sn_modem *m, const sn_cf32 *iq, size_t n)
{
    if (!m || (!iq && n))
        return SN_ERR_INVAL;
    sn_cf32 buf[RX_BLOCK];
    sn_ofdm_sym sym;
    for (size_t off = 0; off < n;) {
        size_t cnt = n - off < RX_BLOCK ? n - off : RX_BLOCK;
        /* the common case, every component finite and within the clip
         * (NaN fails the comparison): the input goes to the synchroniser
         * as it is, without a per-sample branch or copy. The test is a
         * branch-free reduction over the block (SSE2 where available) */
        int in_range = 1;
        size_t i0 = 0;
#if defined(__SSE2__)
        {
            const __m128 lim = _mm_set1_ps(SN_MODEM_RX_CLIP);
            const __m128 sign = _mm_set1_ps(-0.0f);
            __m128 ok = _mm_castsi128_ps(_mm_set1_epi32(-1));
            for (; i0 + 2 <= cnt; i0 += 2) {
                const __m128 v = _mm_loadu_ps((const float *)(iq + off + i0)); /* r i r i */
                ok = _mm_and_ps(ok, _mm_cmple_ps(_mm_andnot_ps(sign, v), lim));
            }
            in_range = _mm_movemask_ps(ok) == 0xf;
        }
#endif
        for (size_t i = i0; i < cnt; i++)
            in_range &= (fabsf(crealf(iq[off + i])) <= SN_MODEM_RX_CLIP) &
                        (fabsf(cimagf(iq[off + i])) <= SN_MODEM_RX_CLIP);
        const sn_cf32 *src = in_range ? iq + off : buf;
        for (size_t i = 0; !in_range && i < cnt; i++) { /* the rare case: sanitise */
            float re = crealf(iq[off + i]), im = cimagf(iq[off + i]);
            if (!isfinite(re) || !isfinite(im)) {
                re = im = 0.0f;
                m->c.rx_nonfinite++;
            } else if (fabsf(re) > SN_MODEM_RX_CLIP || fabsf(im) > SN_MODEM_RX_CLIP) {
                re = fminf(fmaxf(re, -SN_MODEM_RX_CLIP), SN_MODEM_RX_CLIP);
                im = fminf(fmaxf(im, -SN_MODEM_RX_CLIP), SN_MODEM_RX_CLIP);
                m->c.rx_clipped++;
            }
            buf[i] = sn_cf32_make(re, im);
        }
        m->c.rx_samples += cnt;
        size_t done = 0;
        for (;;) {
            int got;
            done += sn_ofdm_sync_push(m->sync, src + done, cnt - done, &sym, &got);
            if (!got)
                break;
            on_symbol(m, &sym);
        }
        off += cnt;
    }
    sn_ofdm_sync_counters sc;
    sn_ofdm_sync_get_counters(m->sync, &sc);
    m->c.rx_triggers = sc.triggers;
    return SN_OK;
}

void sn_modem_set_points_observer(sn_modem *m, sn_modem_points_fn fn, void *user)
{
    if (!m)
        return;
    m->obs = fn;
    m->obs_user = user;
}

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
