/* phy/phy: one radio port: modem + radio + PHY capture. */
#include "phy/phy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "phy/ofdm.h"
#include "phy/radio_sim.h"
#include "phy/rftap.h"

#define MOD "phy"

struct sn_phy {
    sn_phy_config cfg;
    sn_sched *s;
    sn_pktpool *pool;
    sn_radio *radio;
    sn_pcap_tap *tap;
    sn_phy_rx_fn rx;
    void *user;
    sn_phy_burst_fn obs;
    void *obs_user;
    sn_modem *modem;
    int port;     /* on the sim medium, or -1 */
    int attached; /* we hold the radio's rx callback */
    double fs;    /* [S/s] */

    /* transmit side: one burst on the air, the rest wait in txq */
    sn_pktq txq;
    int tx_active;
    sn_timer_id tx_timer; /* fires when the burst on the air ends */

    /* receive side: modem stream index -> radio sample clock, per
     * contiguous run of blocks */
    int in_block;       /* a block is being fed to the modem */
    int any;            /* a block was received */
    uint64_t run_stream; /* [samples] modem stream index where the run began */
    uint64_t run_sample; /* [samples] radio sample index there */
    uint64_t fed;        /* [samples] fed to the modem since create */
    sn_time_t cur_now;   /* [ns] */
    sn_time_t rx_end;    /* [ns] time just after the last sample received */
    sn_time_t resolve;   /* [ns] how long after its last sample the modem can
                          * stay inside a detection or a frame's start
                          * without more samples: preamble + header */

    sn_phy_counters c;
};

void sn_phy_config_default(sn_phy_config *c)
{
    sn_modem_config_default(&c->modem);
    c->freq_hz = 915e6; /* an ISM-band centre; only labels captures */
    c->tx_queue = 32;
}

/* EVM [dB] as a 0..1 signal quality for RFtap: 1 - rms error amplitude. */
static double evm_quality(double evm_db)
{
    if (!isfinite(evm_db))
        return NAN;
    double q = 1.0 - pow(10.0, evm_db / 20.0);
    return q < 0.0 ? 0.0 : (q > 1.0 ? 1.0 : q);
}

int sn_phy_capture_write(sn_pcap_tap *tap, sn_time_t now, double freq_hz, double sample_rate,
                         const sn_phy_stats *st, const uint8_t *frame, size_t len,
                         size_t nsamples)
{
    if (!tap)
        return SN_OK;
    sn_rftap_info ri;
    sn_rftap_info_init(&ri);
    ri.dlt = 1; /* Ethernet: the frame carries its FCS */
    ri.freq_hz = freq_hz;
    if (sample_rate > 0)
        ri.duration_s = (double)nsamples / sample_rate;
    if (st) {
        ri.freq_ofs_hz = st->cfo_hz;
        ri.power_db = st->rssi_db;
        ri.snr_db = st->snr_db;
        if (isfinite(st->rssi_db) && isfinite(st->snr_db))
            ri.noise_db = st->rssi_db - st->snr_db;
        ri.quality = evm_quality(st->evm_db);
        ri.crc_bad = !st->crc_ok;
    }
    uint8_t hdr[SN_RFTAP_MAX_LEN];
    size_t hlen = sn_rftap_encode(hdr, sizeof hdr, &ri);
    if (hlen == 0)
        return SN_ERR_RANGE;
    return sn_pcap_tap_write_pdu(tap, now, "rftap", hdr, hlen, frame, len);
}

static void write_capture(sn_phy *p, sn_time_t now, const uint8_t *frame, size_t len,
                          const sn_phy_stats *st, size_t nsamples)
{
    if (sn_phy_capture_write(p->tap, now, p->cfg.freq_hz, p->fs, st, frame, len, nsamples) !=
        SN_OK)
        SN_WARN(MOD, "port %d: capture record not written", p->port);
}

/* Put one frame on the air now; takes ownership of `frame`. */
static void tx_done(void *user, sn_time_t now);

static int start_tx(sn_phy *p, sn_pkt *frame, sn_time_t now)
{
    const sn_cf32 *iq;
    size_t n;
    size_t len = sn_pkt_len(frame);
    sn_modem_txopt opt = {p->cfg.modem.rate, frame->meta.phy_ctrl};
    if (frame->meta.phy_rate >= 0)
        opt.rate = (sn_phy_rate)frame->meta.phy_rate;
    int rc = sn_modem_tx(p->modem, sn_pkt_data(frame), len, &opt, &iq, &n);
    if (rc == SN_OK)
        rc = sn_radio_tx(p->radio, iq, n, now);
    if (rc != SN_OK) {
        SN_WARN(MOD, "port %d: frame of %zu bytes not sent: %s", p->port, len, sn_strerror(rc));
        p->c.tx_drop_radio++;
        sn_pkt_free(frame);
        return rc;
    }
    sn_time_t end = now + (sn_time_t)llround((double)n * 1e9 / p->fs);
    p->tx_timer = sn_sched_at(p->s, end, tx_done, p);
    /* without the timer nothing would end the burst: fall back to "idle" */
    p->tx_active = p->tx_timer != 0;
    if (!p->tx_active)
        SN_ERROR(MOD, "port %d: out of memory for the end-of-burst event", p->port);
    p->c.tx_frames++;
    p->c.tx_bytes += len;
    p->c.tx_samples += n;

    /* a header-only burst (a radio MAC's ACK) is not an Ethernet frame:
     * it is counted, shown to the observer, not captured */
    if (len > 0)
        write_capture(p, now, sn_pkt_data(frame), len, NULL, n);
    if (p->obs) {
        sn_phy_stats st;
        memset(&st, 0, sizeof st);
        st.snr_db = st.rssi_db = st.evm_db = st.cfo_hz = NAN;
        st.sample_start = (uint64_t)llround((double)now * p->fs / 1e9);
        st.sample_count = n;
        st.header_ok = st.crc_ok = 1;
        st.rate = opt.rate;
        st.ctrl = opt.ctrl;
        p->obs(p->obs_user, 1, sn_pkt_data(frame), len, &st, n);
    }
    sn_pkt_free(frame);
    return SN_OK;
}

static void tx_done(void *user, sn_time_t now)
{
    sn_phy *p = user;
    p->tx_timer = 0;
    p->tx_active = 0;
    sn_pkt *next;
    /* a frame that fails to start is dropped (logged); try the next one */
    while (!p->tx_active && (next = sn_pktq_pop(&p->txq)) != NULL)
        start_tx(p, next, now);
}

int sn_phy_send(sn_phy *p, sn_pkt *frame)
{
    if (!p || !frame) {
        sn_pkt_free(frame);
        return SN_ERR_INVAL;
    }
    size_t len = sn_pkt_len(frame);
    if (len > p->cfg.modem.max_payload) {
        p->c.tx_drop_too_long++;
        sn_pkt_free(frame);
        return SN_ERR_RANGE;
    }
    if (!p->tx_active && p->txq.count == 0)
        return start_tx(p, frame, sn_sched_now(p->s));
    if (sn_pktq_push(&p->txq, frame) != SN_OK) {
        p->c.tx_drop_queue_full++;
        sn_pkt_free(frame);
        return SN_ERR_NOBUFS;
    }
    return SN_OK;
}

int sn_phy_busy(const sn_phy *p) { return p && (p->tx_active || p->txq.count > 0); }

int sn_phy_carrier(const sn_phy *p, sn_time_t now, double *power_db)
{
    if (power_db)
        *power_db = NAN;
    if (!p)
        return SN_ERR_INVAL;
    int energy = sn_radio_carrier(p->radio, now, power_db);
    /* The modem's busy() reflects the samples fed so far. A radio that
     * skips idle time (the sim medium) stops delivering after a burst's
     * guard noise: a detection still pending then would have come to
     * nothing, as the air was idle, so it no longer holds the channel once
     * the time it needed has passed. A live radio streams without gaps,
     * so rx_end stays close to now there. */
    int preamble = sn_modem_busy(p->modem) && (!p->any || now <= p->rx_end + p->resolve);
    if (energy > 0 || preamble || p->tx_active)
        return 1;
    return energy; /* 0, or the radio's error */
}

static void on_modem_frame(void *user, const uint8_t *frame, size_t len, const sn_phy_stats *st)
{
    sn_phy *p = user;
    sn_phy_stats s = *st;
    sn_time_t now = p->in_block ? p->cur_now : sn_sched_now(p->s);
    /* modem stream index -> radio sample clock */
    uint64_t rel = st->sample_start >= p->run_stream ? st->sample_start - p->run_stream : 0;
    s.sample_start = p->run_sample + rel;
    if (len > 0)
        write_capture(p, now, frame, len, &s, s.sample_count);
    if (p->obs)
        p->obs(p->obs_user, 0, frame, len, &s, s.sample_count);
    if (!s.crc_ok) {
        p->c.rx_drop_crc++;
        return;
    }
    sn_pkt *pkt = sn_pkt_alloc(p->pool, SN_PKT_HEADROOM);
    if (!pkt) {
        p->c.rx_drop_nobuf++;
        return;
    }
    if (sn_pkt_append(pkt, frame, len) != SN_OK) {
        /* decoded fine, but larger than a buffer can hold after headroom */
        sn_pkt_free(pkt);
        p->c.rx_drop_too_long++;
        return;
    }
    pkt->meta.time = now;
    pkt->meta.snr_db = s.snr_db;
    pkt->meta.rssi_db = s.rssi_db;
    pkt->meta.evm_db = s.evm_db;
    pkt->meta.cfo_hz = s.cfo_hz;
    pkt->meta.sample = s.sample_start;
    pkt->meta.phy_rate = (int)s.rate;
    pkt->meta.phy_ctrl = s.ctrl;
    p->c.rx_frames++;
    p->c.rx_bytes += len;
    if (p->rx)
        p->rx(p->user, pkt);
    else
        sn_pkt_free(pkt);
}

static void on_radio_rx(void *user, const sn_radio_rx *rx)
{
    sn_phy *p = user;
    if (!p->any || (rx->flags & SN_RADIO_RX_GAP)) {
        /* the stream jumps: whatever the modem was in the middle of cannot
         * continue here */
        if (p->any)
            sn_modem_reset(p->modem);
        p->run_stream = p->fed;
        p->run_sample = rx->sample_start;
        p->any = 1;
    }
    p->in_block = 1;
    p->cur_now = sn_sched_now(p->s);
    p->rx_end = rx->t_start + (sn_time_t)llround((double)rx->n * 1e9 / p->fs);
    p->c.rx_samples += rx->n;
    sn_modem_rx(p->modem, rx->iq, rx->n);
    p->fed += rx->n;
    p->in_block = 0;
}

sn_phy *sn_phy_create(const sn_phy_config *cfg, sn_sched *s, sn_pktpool *pool,
                      sn_radio *radio, sn_pcap_tap *tap, sn_phy_rx_fn rx, void *user)
{
    const sn_radio_info *info = sn_radio_get_info(radio);
    if (!s || !pool || !info) {
        SN_ERROR(MOD, "need a scheduler, a packet pool and a radio");
        return NULL;
    }
    if (!(info->sample_rate > 0) || !isfinite(info->sample_rate)) {
        SN_ERROR(MOD, "the radio has no sample rate");
        return NULL;
    }
    sn_phy *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    if (cfg)
        p->cfg = *cfg;
    else
        sn_phy_config_default(&p->cfg);
    p->s = s;
    p->pool = pool;
    p->radio = radio;
    p->tap = tap;
    p->rx = rx;
    p->user = user;
    p->port = sn_radio_sim_port(radio);
    p->fs = info->sample_rate;
    sn_pktq_init(&p->txq, p->cfg.tx_queue);
    p->modem = sn_modem_create(&p->cfg.modem, p->fs, on_modem_frame, p);
    if (!p->modem)
        goto fail;
    sn_modem_timing mt;
    sn_modem_get_timing(p->modem, &mt);
    p->resolve = (sn_time_t)llround(
        (double)(mt.preamble + SN_OFDM_HDR_SYMS * SN_OFDM_SYM_LEN + mt.detect) * 1e9 / p->fs);
    sn_radio_set_rx(radio, on_radio_rx, p);
    p->attached = 1;
    return p;
fail:
    sn_phy_destroy(p);
    return NULL;
}

void sn_phy_destroy(sn_phy *p)
{
    if (!p)
        return;
    if (p->attached)
        sn_radio_set_rx(p->radio, NULL, NULL);
    if (p->tx_timer)
        sn_sched_cancel(p->s, p->tx_timer);
    sn_pktq_clear(&p->txq);
    sn_modem_destroy(p->modem);
    free(p);
}

void sn_phy_set_burst_observer(sn_phy *p, sn_phy_burst_fn fn, void *user)
{
    if (!p)
        return;
    p->obs = fn;
    p->obs_user = user;
}

void sn_phy_get_counters(const sn_phy *p, sn_phy_counters *c)
{
    if (!c)
        return;
    memset(c, 0, sizeof *c);
    if (!p)
        return;
    *c = p->c;
    sn_modem_counters mc;
    sn_modem_get_counters(p->modem, &mc);
    c->rx_drop_header = mc.rx_header_bad;
}

int sn_phy_port(const sn_phy *p) { return p ? p->port : -1; }

sn_radio *sn_phy_radio(const sn_phy *p) { return p ? p->radio : NULL; }
