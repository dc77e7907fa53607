/* apps/bench_mac: `sdrnet bench mac` (see bench_mac.h). */
#include "apps/bench_mac.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/pkt.h"
#include "core/sched.h"
#include "mac/dcf.h"
#include "phy/medium.h"
#include "phy/phy.h"
#include "phy/radio_sim.h"

#define BM_FS 1e6               /* [S/s] */
#define BM_SNR_DB 40.0          /* [dB] every link: no frame error but collisions */
#define BM_PAYLOAD 1500         /* [bytes] Ethernet payload (an MTU-sized IP packet) */
#define BM_FRAME (BM_PAYLOAD + 18) /* [bytes] with header and FCS */
#define BM_UDP_PAYLOAD 1472     /* [bytes] UDP data in a 1500-byte IP packet */
#define BM_MAXN 20
#define BM_MAXTAG 65536
#define BM_LOSS 0.2

double sn_bianchi_throughput(unsigned n, unsigned w, unsigned m, double payload_bits,
                             double sigma, double ts, double tc, double *p_out)
{
    /* tau(p) from the Markov chain (Bianchi eq. 7), p = 1 - (1 - tau)^(n-1)
     * (eq. 9): f(p) = p - (1 - (1 - tau(p))^(n-1)) rises monotonically, so
     * bisection on p in [0, 1) finds the unique root */
    double lo = 0.0, hi = 0.999999, p = 0.0, tau = 2.0 / (w + 1.0);
    for (int it = 0; it < 200 && n > 1; it++) {
        p = 0.5 * (lo + hi);
        double t2p = pow(2.0 * p, m);
        tau = 2.0 * (1.0 - 2.0 * p) /
              ((1.0 - 2.0 * p) * (w + 1.0) + p * w * (1.0 - t2p));
        if (fabs(1.0 - 2.0 * p) < 1e-12) /* the limit at p = 1/2 */
            tau = 2.0 / (w + 1.0 + w * m / 2.0 * 1.0);
        double f = p - (1.0 - pow(1.0 - tau, n - 1.0));
        if (f > 0)
            hi = p;
        else
            lo = p;
    }
    if (n <= 1) {
        p = 0.0;
        tau = 2.0 / (w + 1.0);
    }
    double ptr = 1.0 - pow(1.0 - tau, n);
    double ps = n * tau * pow(1.0 - tau, n - 1.0) / ptr;
    if (p_out)
        *p_out = p;
    return ps * ptr * payload_bits /
           ((1.0 - ptr) * sigma + ptr * ps * ts + ptr * (1.0 - ps) * tc);
}

typedef struct bsta {
    struct bnet *net;
    sn_radio *radio;
    sn_phy *phy;
    sn_dcf *dcf;
    sn_mac_addr mac;
    const sn_mac_addr *peer;
    int saturate;          /* refill the queue when a frame is done */
    size_t len;            /* [bytes] frames sent */
    unsigned next_tag;
    uint64_t delivered;    /* unique frames received by the peer from us */
    uint64_t sent_left;    /* frames still to hand over (loss test) */
    uint64_t tx_start, tx_end; /* [samples] our last data burst on the air */
    uint64_t collided;     /* failed attempts overlapped by another burst */
    uint64_t phy_lost;     /* failed attempts alone on the air: the PHY lost
                            * the frame or its ACK */
} bsta;

typedef struct bnet {
    sn_sched *s;
    sn_medium *m;
    sn_pktpool *pool;
    bsta st[BM_MAXN];
    int n;
    sn_time_t t_measure;   /* [ns] deliveries before it are warm-up */
    uint64_t rx_after[BM_MAXN];  /* per sender, delivered after t_measure */
    uint8_t *seen;         /* [BM_MAXN][BM_MAXTAG] deliveries per tag */
    uint64_t dups;
} bnet;

/* Our data bursts, to tell collisions from PHY losses. */
static void b_burst(void *user, int tx, const uint8_t *frame, size_t len,
                    const sn_phy_stats *st, size_t nsamples)
{
    bsta *x = user;
    (void)frame;
    if (tx && len > 0) {
        x->tx_start = st->sample_start;
        x->tx_end = st->sample_start + nsamples;
    }
}

/* An attempt failed (the dcf says "retry" or "drop"): was another data
 * burst on the air with ours? (Nobody starts one between our burst's end
 * and the ACK timeout: that needs DIFS of idle medium.) */
static void b_event(void *user, const char *what, const char *line)
{
    bsta *x = user;
    bnet *n = x->net;
    (void)line;
    if (strcmp(what, "retry") && strcmp(what, "drop"))
        return;
    int overlap = 0;
    for (int j = 0; j < n->n; j++) {
        const bsta *y = &n->st[j];
        if (y != x && y->tx_end > y->tx_start && y->tx_start < x->tx_end &&
            x->tx_start < y->tx_end)
            overlap = 1;
    }
    if (overlap)
        x->collided++;
    else
        x->phy_lost++;
}

static void b_phy_rx(void *user, sn_pkt *f)
{
    bsta *x = user;
    sn_dcf_input(x->dcf, f);
}

/* Frames carry the sender's index and a tag in their payload. */
static void b_dcf_rx(void *user, sn_pkt *f)
{
    bsta *x = user;
    bnet *n = x->net;
    const uint8_t *p = sn_pkt_data(f);
    if (sn_pkt_len(f) >= 17 && !memcmp(p, x->mac.b, 6)) {
        unsigned from = p[14], tag = ((unsigned)p[15] << 8) | p[16];
        if (from < (unsigned)n->n) {
            uint8_t *c = &n->seen[(size_t)from * BM_MAXTAG + tag];
            if (*c)
                n->dups++;
            else
                n->st[from].delivered++;
            if (*c < 255)
                (*c)++;
            if (sn_sched_now(n->s) >= n->t_measure)
                n->rx_after[from]++;
        }
    }
    sn_pkt_free(f);
}

static int b_send(bsta *x)
{
    bnet *n = x->net;
    sn_pkt *p = sn_pkt_alloc(n->pool, SN_PKT_HEADROOM);
    if (!p)
        return SN_ERR_NOBUFS;
    uint8_t *b = sn_pkt_put(p, x->len);
    if (!b) {
        sn_pkt_free(p);
        return SN_ERR_NOBUFS;
    }
    memset(b, 0xa5, x->len);
    memcpy(b, x->peer->b, 6);
    memcpy(b + 6, x->mac.b, 6);
    b[12] = 0x88; /* local experimental EtherType */
    b[13] = 0xb5;
    b[14] = (uint8_t)(x - n->st);
    b[15] = (uint8_t)(x->next_tag >> 8);
    b[16] = (uint8_t)x->next_tag;
    x->next_tag = (x->next_tag + 1) % BM_MAXTAG;
    return sn_dcf_send(x->dcf, p);
}

static void b_done(void *user, const sn_pkt *f, int status, unsigned attempts, int rate)
{
    bsta *x = user;
    (void)f;
    (void)status;
    (void)attempts;
    (void)rate;
    if (x->saturate) {
        b_send(x);
    } else if (x->sent_left > 0) {
        x->sent_left--;
        b_send(x);
    }
}

static void bnet_free(bnet *n)
{
    for (int i = 0; i < BM_MAXN; i++) {
        sn_dcf_destroy(n->st[i].dcf);
        sn_phy_destroy(n->st[i].phy);
        sn_radio_destroy(n->st[i].radio);
    }
    sn_medium_destroy(n->m);
    sn_sched_destroy(n->s);
    sn_pktpool_destroy(n->pool);
    free(n->seen);
    memset(n, 0, sizeof *n);
}

static int bnet_init(bnet *n, int count, sn_phy_rate rate, uint64_t seed)
{
    memset(n, 0, sizeof *n);
    n->s = sn_sched_create();
    n->m = n->s ? sn_medium_create(n->s, BM_FS, seed) : NULL;
    n->pool = sn_pktpool_create(64 + 16 * (size_t)count, 2048);
    n->seen = calloc((size_t)count * BM_MAXTAG, 1);
    if (!n->s || !n->m || !n->pool || !n->seen)
        return -1;
    sn_medium_set_default_snr(n->m, BM_SNR_DB);
    sn_dcf_config dc;
    sn_dcf_config_default(&dc);
    dc.rate_control = 0;
    dc.fixed_rate = (int)rate;
    dc.queue_len = 8;
    for (int i = 0; i < count; i++) {
        bsta *x = &n->st[i];
        x->net = n;
        x->mac.b[0] = 0x02;
        x->mac.b[4] = 0x4d;
        x->mac.b[5] = (uint8_t)(i + 1);
        x->radio = sn_radio_sim_create(n->m);
        if (!x->radio)
            return -1;
        sn_phy_config pc;
        sn_phy_config_default(&pc);
        pc.modem.rate = rate;
        x->phy = sn_phy_create(&pc, n->s, n->pool, x->radio, NULL, b_phy_rx, x);
        if (!x->phy)
            return -1;
        x->dcf = sn_dcf_create(&dc, n->s, n->pool, x->phy, &pc.modem, &x->mac, seed * 131 + i);
        if (!x->dcf)
            return -1;
        sn_dcf_set_rx(x->dcf, b_dcf_rx, x);
        sn_dcf_set_done(x->dcf, b_done, x);
        sn_dcf_set_event(x->dcf, b_event, x);
        sn_phy_set_burst_observer(x->phy, b_burst, x);
        n->n++;
    }
    return 0;
}

static double cpu_now(void) { return (double)clock() / CLOCKS_PER_SEC; }

/* Bianchi's Ts and Tc for basic access as this DCF realises them: slots
 * on a shared grid, a busy period seen until its last slot boundary, then
 * DIFS (difs_slots slots) before the next decision slot. [ns] */
static void model_times(const sn_dcf_timing *t, sn_time_t data, double *ts, double *tc)
{
    sn_time_t s = t->slot;
    *ts = (double)(((data + t->sifs + t->ack) / s + t->difs_slots) * s) * 1e-9;
    *tc = (double)((data / s + t->difs_slots) * s) * 1e-9;
}

typedef struct sat_row {
    int n;
    double model_bps, meas_bps, err_pct, jain, p_model, p_meas, p_phy, virt_s, cpu_s;
    uint64_t frames;
} sat_row;

/* The radio's figures the slot is made of [ns] (sn_radio_info). */
typedef struct radio_lat {
    double cca, turnaround;
} radio_lat;

static int run_saturation(int nsta, sn_phy_rate rate, uint64_t frames_target, sat_row *row,
                          sn_dcf_timing *tim, sn_time_t *data_ns, radio_lat *lat)
{
    bnet n;
    double c0 = cpu_now();
    if (bnet_init(&n, nsta, rate, 1000 + (uint64_t)nsta) != 0) {
        bnet_free(&n);
        return -1;
    }
    for (int i = 0; i < nsta; i++) {
        bsta *x = &n.st[i];
        x->peer = &n.st[(i + 1) % nsta].mac;
        x->saturate = 1;
        x->len = BM_FRAME;
        b_send(x);
        b_send(x);
    }
    sn_dcf_get_timing(n.st[0].dcf, tim);
    *data_ns = sn_dcf_airtime(n.st[0].dcf, BM_FRAME, (int)rate);
    const sn_radio_info *ri = sn_radio_get_info(n.st[0].radio);
    lat->cca = ri->cca_latency;
    lat->turnaround = ri->turnaround;
    /* run in steps until enough frames were delivered after a warm-up of
     * a tenth of them */
    sn_time_t step = 20 * *data_ns;
    uint64_t total = 0;
    int warm = 0;
    uint64_t att0 = 0, col0 = 0, lost0 = 0;
    while (total < frames_target) {
        sn_sched_run(n.s, sn_sched_now(n.s) + step, 0);
        total = 0;
        for (int i = 0; i < nsta; i++)
            total += warm ? n.rx_after[i] : n.st[i].delivered;
        if (!warm && total >= frames_target / 10) {
            warm = 1;
            n.t_measure = sn_sched_now(n.s);
            memset(n.rx_after, 0, sizeof n.rx_after);
            for (int i = 0; i < nsta; i++) {
                sn_dcf_counters c;
                sn_dcf_get_counters(n.st[i].dcf, &c);
                att0 += c.tx_attempts;
                col0 += n.st[i].collided;
                lost0 += n.st[i].phy_lost;
            }
            total = 0;
        }
        if (sn_sched_now(n.s) > sn_time_from_s(600.0))
            break; /* cannot happen at these SNRs; bounds a broken run */
    }
    double secs = sn_time_to_s(sn_sched_now(n.s) - n.t_measure);
    double sum = 0, sum2 = 0;
    uint64_t att = 0, col = 0, lost = 0;
    for (int i = 0; i < nsta; i++) {
        double v = (double)n.rx_after[i];
        sum += v;
        sum2 += v * v;
        sn_dcf_counters c;
        sn_dcf_get_counters(n.st[i].dcf, &c);
        att += c.tx_attempts;
        col += n.st[i].collided;
        lost += n.st[i].phy_lost;
    }
    double ts, tc;
    model_times(tim, *data_ns, &ts, &tc);
    unsigned m = 0;
    while (((tim->cw + 1u) << m) < 1024u) /* cw_max 1023 */
        m++;
    row->n = nsta;
    row->model_bps = sn_bianchi_throughput((unsigned)nsta, tim->cw + 1, m, BM_PAYLOAD * 8.0,
                                           sn_time_to_s(tim->slot), ts, tc, &row->p_model);
    row->meas_bps = secs > 0 ? sum * BM_PAYLOAD * 8.0 / secs : 0;
    row->err_pct = 100.0 * (row->meas_bps - row->model_bps) / row->model_bps;
    row->jain = sum2 > 0 ? sum * sum / (nsta * sum2) : 0;
    /* collisions: attempts without ACK that overlapped another burst;
     * the rest the PHY lost (frame or ACK not decoded, none expected at
     * this SNR) */
    row->p_meas = att > att0 ? (double)(col - col0) / (double)(att - att0) : 0;
    row->p_phy = att > att0 ? (double)(lost - lost0) / (double)(att - att0) : 0;
    row->frames = (uint64_t)sum;
    row->virt_s = secs;
    row->cpu_s = cpu_now() - c0;
    bnet_free(&n);
    return 0;
}

typedef struct eff_row {
    sn_phy_rate rate;
    double phy_bps, goodput_bps, eff_pct, model_pct, p_phy, cpu_s;
    uint64_t frames;
} eff_row;

#define BM_EFF_TARGET 70.0 /* [%] at every rate */

static int run_efficiency(sn_phy_rate rate, uint64_t frames, eff_row *row)
{
    bnet n;
    double c0 = cpu_now();
    if (bnet_init(&n, 2, rate, 77) != 0) {
        bnet_free(&n);
        return -1;
    }
    bsta *a = &n.st[0];
    a->peer = &n.st[1].mac;
    a->saturate = 1;
    a->len = BM_FRAME;
    sn_dcf_timing tim; /* before the first attempt: the window is cw_min */
    sn_dcf_get_timing(a->dcf, &tim);
    b_send(a);
    b_send(a);
    /* PHY bit rate: the payload's share of the burst length, from the
     * modem's burst lengths (header and preamble excluded) */
    double per_byte = (double)(sn_dcf_airtime(a->dcf, 2000, (int)rate) -
                               sn_dcf_airtime(a->dcf, 1000, (int)rate)) / 1000.0; /* [ns] */
    sn_time_t step = 10 * sn_dcf_airtime(a->dcf, BM_FRAME, (int)rate);
    while (n.st[0].delivered < frames / 10 + 1)
        sn_sched_run(n.s, sn_sched_now(n.s) + step, 0);
    n.t_measure = sn_sched_now(n.s);
    n.rx_after[0] = 0;
    sn_dcf_counters c0c, c1c;
    sn_dcf_get_counters(a->dcf, &c0c);
    uint64_t lost0 = a->phy_lost;
    while (n.rx_after[0] < frames && sn_sched_now(n.s) < sn_time_from_s(600.0))
        sn_sched_run(n.s, sn_sched_now(n.s) + step, 0);
    double secs = sn_time_to_s(sn_sched_now(n.s) - n.t_measure);
    sn_dcf_get_counters(a->dcf, &c1c);
    uint64_t att = c1c.tx_attempts - c0c.tx_attempts;
    row->p_phy = att > 0 ? (double)(a->phy_lost - lost0) / (double)att : 0;
    /* the model: Bianchi for one station (no collision), i.e. one exchange
     * every Ts plus on average cw_min / 2 idle slots */
    double ts, tc;
    model_times(&tim, sn_dcf_airtime(a->dcf, BM_FRAME, (int)rate), &ts, &tc);
    double model_bps = sn_bianchi_throughput(1, tim.cw + 1, 6, BM_UDP_PAYLOAD * 8.0,
                                             sn_time_to_s(tim.slot), ts, tc, NULL);
    row->rate = rate;
    row->phy_bps = per_byte > 0 ? 8e9 / per_byte : 0;
    row->goodput_bps = secs > 0 ? (double)n.rx_after[0] * BM_UDP_PAYLOAD * 8.0 / secs : 0;
    row->eff_pct = row->phy_bps > 0 ? 100.0 * row->goodput_bps / row->phy_bps : 0;
    row->model_pct = row->phy_bps > 0 ? 100.0 * model_bps / row->phy_bps : 0;
    row->frames = n.rx_after[0];
    row->cpu_s = cpu_now() - c0;
    bnet_free(&n);
    return 0;
}

typedef struct loss_row {
    uint64_t sent, delivered, dups, retries, drops, dup_dropped;
    double delivery_pct, cpu_s;
    size_t len;
} loss_row;

static int run_loss(sn_phy_rate rate, uint64_t frames, loss_row *row)
{
    bnet n;
    double c0 = cpu_now();
    if (bnet_init(&n, 2, rate, 99) != 0) {
        bnet_free(&n);
        return -1;
    }
    bsta *a = &n.st[0];
    a->peer = &n.st[1].mac;
    a->len = 200;
    a->sent_left = frames - 1;
    sn_dcf_set_rx_loss(n.st[0].dcf, BM_LOSS);
    sn_dcf_set_rx_loss(n.st[1].dcf, BM_LOSS);
    b_send(a);
    sn_time_t step = 200 * sn_dcf_airtime(a->dcf, a->len, (int)rate);
    while ((a->sent_left > 0 || sn_dcf_queued(a->dcf) > 0) &&
           sn_sched_now(n.s) < sn_time_from_s(3600.0))
        sn_sched_run(n.s, sn_sched_now(n.s) + step, 0);
    sn_dcf_counters ca, cb;
    sn_dcf_get_counters(a->dcf, &ca);
    sn_dcf_get_counters(n.st[1].dcf, &cb);
    row->len = a->len;
    row->sent = frames;
    row->delivered = a->delivered;
    row->dups = n.dups;
    row->retries = ca.tx_retries;
    row->drops = ca.drop_retry_limit;
    row->dup_dropped = cb.drop_duplicate;
    row->delivery_pct = 100.0 * (double)row->delivered / (double)frames;
    row->cpu_s = cpu_now() - c0;
    bnet_free(&n);
    return 0;
}

int sn_bench_mac(int quick, int json, json_t *root)
{
    const sn_phy_rate sat_rate = SN_RATE_QAM64_34;
    const int ns[] = {2, 5, 10, 20};
    /* --quick: N = 2 and 5 only. Frames per N: ~400 (quick) or ~500 per
     * station, so Jain's index measures the MAC's long-term fairness: over
     * short windows binary exponential backoff is known to favour the last
     * winner (its window is back at cw_min while the losers' have grown) */
    const size_t nn = quick ? 2 : 4;
    sat_row rows[4];
    sn_dcf_timing tim;
    sn_time_t data_ns = 0;
    radio_lat lat = {NAN, NAN};
    int pass = 1;
    for (size_t i = 0; i < nn; i++) {
        uint64_t per = quick ? 400 : 500, sat_frames = per * (uint64_t)ns[i];
        if (sat_frames < (quick ? 300u : 3000u))
            sat_frames = quick ? 300u : 3000u;
        if (run_saturation(ns[i], sat_rate, sat_frames, &rows[i], &tim, &data_ns, &lat) != 0) {
            fprintf(stderr, "sdrnet bench: mac: cannot set up %d stations\n", ns[i]);
            return 1;
        }
        pass &= fabs(rows[i].err_pct) <= 10.0 && rows[i].jain >= 0.95;
    }
    /* efficiency at every rate: the fixed overheads (IFS, backoff, ACK,
     * preamble and header) weigh more the faster the payload goes; the
     * target holds at every rate */
    eff_row eff[SN_RATE_COUNT];
    for (int i = 0; i < SN_RATE_COUNT; i++) {
        if (run_efficiency((sn_phy_rate)i, quick ? 100 : 1000, &eff[i]) != 0)
            return 1;
        pass &= eff[i].eff_pct >= BM_EFF_TARGET;
    }
    loss_row loss;
    if (run_loss(sat_rate, quick ? 2000 : 20000, &loss) != 0)
        return 1;
    int loss_ok = loss.delivery_pct >= 99.9 && loss.dups == 0;
    pass &= loss_ok;

    if (json) {
        json_t *sat = json_array(), *ej = json_array();
        for (size_t i = 0; i < nn; i++)
            json_array_append_new(sat, json_pack(
                "{s:i, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:f, s:f}", "n", rows[i].n,
                "model_mbps", rows[i].model_bps / 1e6, "measured_mbps", rows[i].meas_bps / 1e6,
                "error_pct", rows[i].err_pct, "jain", rows[i].jain, "p_model", rows[i].p_model,
                "p_measured", rows[i].p_meas, "phy_loss", rows[i].p_phy,
                "frames", (json_int_t)rows[i].frames,
                "virtual_s", rows[i].virt_s, "cpu_s", rows[i].cpu_s));
        for (int i = 0; i < SN_RATE_COUNT; i++)
            json_array_append_new(
                ej, json_pack("{s:s, s:f, s:f, s:f, s:f, s:f, s:I, s:f}", "rate",
                              sn_phy_rate_name(eff[i].rate), "phy_mbps", eff[i].phy_bps / 1e6,
                              "udp_goodput_mbps", eff[i].goodput_bps / 1e6, "efficiency_pct",
                              eff[i].eff_pct, "model_pct", eff[i].model_pct, "phy_loss",
                              eff[i].p_phy, "frames", (json_int_t)eff[i].frames, "cpu_s",
                              eff[i].cpu_s));
        json_object_set_new(
            root, "mac",
            json_pack("{s:{s:s, s:f, s:f, s:i, s:f, s:f, s:f, s:f, s:f, s:f, s:i, s:i, s:i}, "
                      "s:o, s:o, s:{s:f, s:i, s:I, s:I, s:f, s:I, s:I, s:I, s:I, s:f}, s:b}",
                      "setup", "rate", sn_phy_rate_name(sat_rate), "sample_rate", BM_FS,
                      "snr_db", BM_SNR_DB, "frame_bytes", BM_FRAME, "cca_latency_us",
                      lat.cca / 1e3, "turnaround_us", lat.turnaround / 1e3, "slot_us",
                      (double)tim.slot / 1e3, "sifs_us", (double)tim.sifs / 1e3, "ack_us",
                      (double)tim.ack / 1e3, "data_us", (double)data_ns / 1e3, "difs_slots",
                      (int)tim.difs_slots, "cw_min", 15, "cw_max", 1023, "saturation", sat,
                      "efficiency", ej, "loss", "loss", BM_LOSS, "frame_bytes", (int)loss.len,
                      "sent", (json_int_t)loss.sent, "delivered", (json_int_t)loss.delivered,
                      "delivery_pct", loss.delivery_pct, "duplicates_delivered",
                      (json_int_t)loss.dups, "duplicates_dropped", (json_int_t)loss.dup_dropped,
                      "retries", (json_int_t)loss.retries, "retry_limit_drops",
                      (json_int_t)loss.drops, "cpu_s", loss.cpu_s, "pass", pass));
        return 0;
    }
    printf("mac: saturation, N stations on one simulated medium, real PHYs (every radio\n"
           "     demodulates), %d-byte frames (%d payload) at %s, %.0f dB SNR, %.0f MS/s;\n"
           "     radio: CCA latency %.0f us, rx->tx turnaround %.0f us;\n"
           "     slot %.0f us, SIFS %.0f us, DIFS %u slots, ACK %.0f us, data %.0f us, "
           "CW 15..1023\n",
           BM_FRAME, BM_PAYLOAD, sn_phy_rate_name(sat_rate), BM_SNR_DB, BM_FS / 1e6,
           lat.cca / 1e3, lat.turnaround / 1e3, (double)tim.slot / 1e3, (double)tim.sifs / 1e3, tim.difs_slots,
           (double)tim.ack / 1e3, (double)data_ns / 1e3);
    printf("  %3s %13s %16s %8s %7s %8s %8s %8s %7s %9s %7s\n", "N", "model [Mb/s]",
           "measured [Mb/s]", "error", "Jain", "p model", "p meas", "PHY loss", "frames",
           "virtual s", "CPU s");
    for (size_t i = 0; i < nn; i++)
        printf("  %3d %13.4f %16.4f %+7.1f%% %7.3f %8.3f %8.3f %8.4f %7llu %9.2f %7.1f  %s\n",
               rows[i].n, rows[i].model_bps / 1e6, rows[i].meas_bps / 1e6, rows[i].err_pct,
               rows[i].jain, rows[i].p_model, rows[i].p_meas, rows[i].p_phy,
               (unsigned long long)rows[i].frames, rows[i].virt_s, rows[i].cpu_s,
               fabs(rows[i].err_pct) <= 10.0 && rows[i].jain >= 0.95 ? "ok" : "MISSED");
    printf("  targets: within 10 %% of Bianchi's model, Jain >= 0.95; p meas: attempts that "
           "collided,\n  PHY loss: attempts alone on the air yet without ACK (the modem lost "
           "the frame or its ACK)\n");
    printf("mac: efficiency, one saturated pair, 1500-byte IP packets (1472 bytes of UDP "
           "data)\n");
    printf("  %-10s %11s %19s %11s %7s %9s %7s\n", "rate", "PHY [Mb/s]",
           "UDP goodput [Mb/s]", "efficiency", "model", "PHY loss", "frames");
    for (int i = 0; i < SN_RATE_COUNT; i++)
        printf("  %-10s %11.4f %19.4f %10.1f%% %6.1f%% %9.4f %7llu  %s\n",
               sn_phy_rate_name(eff[i].rate), eff[i].phy_bps / 1e6, eff[i].goodput_bps / 1e6,
               eff[i].eff_pct, eff[i].model_pct, eff[i].p_phy,
               (unsigned long long)eff[i].frames,
               eff[i].eff_pct >= BM_EFF_TARGET ? "ok" : "MISSED");
    printf("  target: efficiency >= %.0f %% at every rate; model: Bianchi for one station "
           "(no collision, no loss)\n", BM_EFF_TARGET);
    printf("mac: %.0f %% of frames lost on a link (both ways, ACKs too), %zu-byte frames, "
           "retry limit 7\n", 100 * BM_LOSS, loss.len);
    printf("  sent %llu, delivered %llu (%.3f %%), duplicates delivered %llu  %s\n"
           "  retries %llu, duplicates dropped by the receiver %llu (their ACK was lost), "
           "given up at the retry limit %llu\n"
           "  (a frame given up can still have arrived: then only its ACKs were lost)\n",
           (unsigned long long)loss.sent, (unsigned long long)loss.delivered, loss.delivery_pct,
           (unsigned long long)loss.dups,
           loss_ok ? "ok (target >= 99.9 %, no duplicate)" : "MISSED (target >= 99.9 %)",
           (unsigned long long)loss.retries, (unsigned long long)loss.dup_dropped,
           (unsigned long long)loss.drops);
    printf("  CPU %.1f s; all targets %s\n", loss.cpu_s, pass ? "met" : "NOT met");
    return 0;
}
