/* mac/dcf: CSMA/CA on the virtual clock with real PHYs on one simulated
 * medium: ACK and retry, duplicate suppression over a lossy link, the
 * contention window doubling and its reset, broadcast without ACK, the
 * retry-limit drop, deferral to a burst on the air, malformed input; the
 * slot and SIFS made of the radio's CCA latency and turnaround. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/pkt.h"
#include "core/sched.h"
#include "mac/dcf.h"
#include "phy/medium.h"
#include "phy/phy.h"
#include "phy/radio_sim.h"
#include "sn_test.h"

#define FS 1e6 /* [S/s] */
#define MAXN 4
#define MAXSEQ 4096

typedef struct sta {
    struct net *net;
    sn_radio *radio;
    sn_phy *phy;
    sn_dcf *dcf;
    sn_mac_addr mac;
    int rx;                 /* data frames delivered up */
    int got[MAXSEQ];        /* deliveries per payload tag */
    int done_ok, done_fail;
    unsigned cw_seen[16];
    int n_cw;
} sta;

typedef struct net {
    sn_sched *s;
    sn_medium *m;
    sn_pktpool *pool;
    sta st[MAXN];
    int n;
} net;

static void phy_rx(void *user, sn_pkt *f)
{
    sta *x = user;
    sn_dcf_input(x->dcf, f);
}

static void dcf_rx(void *user, sn_pkt *f)
{
    sta *x = user;
    x->rx++;
    if (sn_pkt_len(f) >= 16) {
        const uint8_t *p = sn_pkt_data(f);
        unsigned tag = ((unsigned)p[14] << 8 | p[15]) % MAXSEQ;
        x->got[tag]++;
    }
    sn_pkt_free(f);
}

static void dcf_done(void *user, const sn_pkt *f, int status, unsigned attempts, int rate)
{
    sta *x = user;
    (void)f;
    (void)attempts;
    (void)rate;
    if (status == SN_OK)
        x->done_ok++;
    else
        x->done_fail++;
}

static void dcf_event(void *user, const char *what, const char *line)
{
    sta *x = user;
    (void)line;
    if (!strcmp(what, "retry") && x->n_cw < 16) {
        sn_dcf_timing t;
        sn_dcf_get_timing(x->dcf, &t);
        x->cw_seen[x->n_cw++] = t.cw;
    }
}

static int net_init(net *n, int count, const sn_dcf_config *cfg, double snr_db)
{
    memset(n, 0, sizeof *n);
    n->s = sn_sched_create();
    n->m = sn_medium_create(n->s, FS, 7);
    n->pool = sn_pktpool_create(256, 2048);
    if (!n->s || !n->m || !n->pool)
        return -1;
    sn_medium_set_default_snr(n->m, snr_db);
    sn_modem_config mc;
    sn_modem_config_default(&mc);
    for (int i = 0; i < count; i++) {
        sta *x = &n->st[i];
        x->net = n;
        memset(&x->mac, 0, sizeof x->mac);
        x->mac.b[0] = 0x02;
        x->mac.b[5] = (uint8_t)(i + 1);
        x->radio = sn_radio_sim_create(n->m);
        if (!x->radio)
            return -1;
        sn_phy_config pc;
        sn_phy_config_default(&pc);
        x->phy = sn_phy_create(&pc, n->s, n->pool, x->radio, NULL, phy_rx, x);
        x->dcf = sn_dcf_create(cfg, n->s, n->pool, x->phy, &pc.modem, &x->mac, 100 + (uint64_t)i);
        if (!x->phy || !x->dcf)
            return -1;
        sn_dcf_set_rx(x->dcf, dcf_rx, x);
        sn_dcf_set_done(x->dcf, dcf_done, x);
        sn_dcf_set_event(x->dcf, dcf_event, x);
        n->n++;
    }
    return 0;
}

static void net_free(net *n)
{
    for (int i = 0; i < MAXN; i++) {
        sn_dcf_destroy(n->st[i].dcf);
        sn_phy_destroy(n->st[i].phy);
        sn_radio_destroy(n->st[i].radio);
    }
    sn_medium_destroy(n->m);
    sn_sched_destroy(n->s);
    sn_pktpool_destroy(n->pool);
}

/* An Ethernet frame from x to `dst` whose first payload bytes are `tag`,
 * `len` bytes in all (the FCS is not checked by the dcf: zeros). */
static int send_frame(net *n, sta *x, const sn_mac_addr *dst, unsigned tag, size_t len)
{
    sn_pkt *p = sn_pkt_alloc(n->pool, SN_PKT_HEADROOM);
    if (!p)
        return SN_ERR_NOBUFS;
    uint8_t *b = sn_pkt_put(p, len);
    memset(b, 0, len);
    memcpy(b, dst->b, 6);
    memcpy(b + 6, x->mac.b, 6);
    b[12] = 0x88;
    b[13] = 0xb5;
    b[14] = (uint8_t)(tag >> 8);
    b[15] = (uint8_t)tag;
    return sn_dcf_send(x->dcf, p);
}

static void run_for(net *n, double seconds)
{
    sn_sched_run(n->s, sn_sched_now(n->s) + sn_time_from_s(seconds), 20000000);
}

static void test_ctrl_word(void)
{
    uint32_t c = sn_dcf_ctrl_make(SN_DCF_T_DATA, 1, 0xabc, 0x1234);
    CHECK_EQ_INT(c, 0x40000000u | 0x20000000u | (0xabcu << 16) | 0x1234u);
    CHECK_EQ_INT(sn_dcf_ctrl_type(c), SN_DCF_T_DATA);
    CHECK_EQ_INT(sn_dcf_ctrl_retry(c), 1);
    CHECK_EQ_INT(sn_dcf_ctrl_seq(c), 0xabc);
    CHECK_EQ_INT(sn_dcf_ctrl_hash(c), 0x1234);
    c = sn_dcf_ctrl_make(SN_DCF_T_ACK, 0, 0x1fff, 0x1ffff); /* out-of-range parts are masked */
    CHECK_EQ_INT(sn_dcf_ctrl_type(c), SN_DCF_T_ACK);
    CHECK_EQ_INT(sn_dcf_ctrl_retry(c), 0);
    CHECK_EQ_INT(sn_dcf_ctrl_seq(c), 0xfff);
    CHECK_EQ_INT(sn_dcf_ctrl_hash(c), 0xffff);
    sn_mac_addr a = {{2, 0, 0, 0, 1, 1}}, b = {{2, 0, 0, 0, 2, 1}};
    CHECK(sn_dcf_addr_hash(&a) != sn_dcf_addr_hash(&b));
}

static void test_timing(void)
{
    net n;
    CHECK(net_init(&n, 1, NULL, 30) == 0);
    sn_dcf_timing t;
    sn_dcf_get_timing(n.st[0].dcf, &t);
    sn_modem *m = sn_modem_create(NULL, FS, NULL, NULL);
    sn_modem_timing mt;
    sn_modem_get_timing(m, &mt);
    const sn_radio_info *ri = sn_radio_get_info(n.st[0].radio);
    /* slot = the radio's CCA latency + turnaround (whole samples), not the
     * modem's preamble detection: the sim radio has an energy detector */
    CHECK_EQ_INT(t.slot,
                 (sn_time_t)llround((SN_RADIO_SIM_CCA_SAMPLES + SN_RADIO_SIM_TURNAROUND_SAMPLES) *
                                    1e9 / FS));
    CHECK(t.slot >= (sn_time_t)floor(ri->cca_latency + ri->turnaround));
    CHECK(t.slot < (sn_time_t)llround(mt.detect * 1e9 / FS));
    /* SIFS: the decode delay + the turnaround; DIFS = SIFS + 2 slots or more */
    CHECK_EQ_INT(t.sifs, (sn_time_t)llround(mt.decode_delay * 1e9 / FS) +
                             (sn_time_t)ceil(ri->turnaround));
    CHECK(t.difs >= t.sifs + 2 * t.slot);
    CHECK(t.difs < t.sifs + 3 * t.slot);
    CHECK_EQ_INT(t.ack, (sn_time_t)llround(sn_modem_burst_len(m, 0, sn_modem_rate(m)) * 1e9 / FS));
    CHECK_EQ_INT(t.cw, 15);
    sn_modem_destroy(m);
    net_free(&n);
}

/* A stand-in radio backend with chosen latencies and carrier answer. */
typedef struct fake_radio {
    int carrier_rc;
} fake_radio;

static int fake_tx(void *impl, const sn_cf32 *iq, size_t n, sn_time_t at)
{
    (void)impl;
    (void)iq;
    (void)n;
    (void)at;
    return SN_OK;
}

static int fake_carrier(void *impl, sn_time_t now, double *power_db)
{
    const fake_radio *f = impl;
    (void)now;
    if (power_db)
        *power_db = NAN;
    return f->carrier_rc;
}

static void fake_counters(const void *impl, sn_radio_counters *c)
{
    (void)impl;
    memset(c, 0, sizeof *c);
}

static void fake_destroy(void *impl) { free(impl); }

static const sn_radio_ops fake_ops = {
    .tx = fake_tx,
    .carrier = fake_carrier,
    .counters = fake_counters,
    .destroy = fake_destroy,
};

/* The dcf's timing on a fake radio: 1 created (timing in *t), 0 refused. */
static int timing_on(double cca, double turn, int carrier_rc, sn_dcf_timing *t)
{
    sn_sched *s = sn_sched_create();
    sn_pktpool *pool = sn_pktpool_create(16, 2048);
    fake_radio *f = calloc(1, sizeof *f);
    sn_radio *r = NULL;
    sn_phy *phy = NULL;
    sn_dcf *d = NULL;
    int ok = 0;
    if (f) {
        f->carrier_rc = carrier_rc;
        sn_radio_info info = {.backend = "fake", .sample_rate = FS, .freq_hz = NAN,
                              .can_tx = 1, .can_rx = 1, .timed_tx = 1,
                              .cca_latency = cca, .turnaround = turn};
        r = sn_radio_new(&fake_ops, f, &info); /* owns f from here */
    }
    if (s && pool && r) {
        sn_phy_config pc;
        sn_phy_config_default(&pc);
        phy = sn_phy_create(&pc, s, pool, r, NULL, NULL, NULL);
        sn_mac_addr a = {{2, 0, 0, 0, 0, 9}};
        d = phy ? sn_dcf_create(NULL, s, pool, phy, &pc.modem, &a, 1) : NULL;
        if (d) {
            sn_dcf_get_timing(d, t);
            ok = 1;
        }
    }
    sn_dcf_destroy(d);
    sn_phy_destroy(phy);
    sn_radio_destroy(r);
    sn_pktpool_destroy(pool);
    sn_sched_destroy(s);
    return ok;
}

static void test_timing_from_radio(void)
{
    sn_modem_timing mt;
    sn_modem *m = sn_modem_create(NULL, FS, NULL, NULL);
    CHECK(m != NULL);
    sn_modem_get_timing(m, &mt);
    sn_modem_destroy(m);
    const sn_time_t us = 1000;
    sn_dcf_timing t;
    /* a slow device (a USB SDR): slot and SIFS follow it */
    CHECK(timing_on(12e6, 25e6, 0, &t));
    CHECK_EQ_INT(t.slot, 37000 * us);
    CHECK_EQ_INT(t.sifs, (sn_time_t)llround(mt.decode_delay * 1e9 / FS) + 25000 * us);
    CHECK_EQ_INT(t.difs_slots, 3);
    /* fractions of a sample are rounded up to whole samples */
    CHECK(timing_on(2500.0, 1200.0, 0, &t));
    CHECK_EQ_INT(t.slot, 4 * us);
    /* nearly nothing: the floor of 2 samples (probe + first sample) */
    CHECK(timing_on(0.0, 0.0, 0, &t));
    CHECK_EQ_INT(t.slot, 2 * us);
    CHECK(t.sifs >= 1 * us);
    /* NaN (a file: not applicable) counts 0 */
    CHECK(timing_on(NAN, NAN, 0, &t));
    CHECK_EQ_INT(t.slot, 2 * us);
    /* no energy detector: preamble detection's latency is added */
    CHECK(timing_on(3e3, 5e3, SN_ERR_UNSUPP, &t));
    CHECK_EQ_INT(t.slot, (sn_time_t)(mt.detect + 8) * us);
    /* absurd latencies are refused, not overflowed */
    CHECK(!timing_on(2e9, 0.0, 0, &t));
    CHECK(!timing_on(0.0, INFINITY, 0, &t));
}

static void test_ack_and_retry(void)
{
    net n;
    sn_dcf_config cfg;
    sn_dcf_config_default(&cfg);
    cfg.rate_control = 0;
    CHECK(net_init(&n, 2, &cfg, 30) == 0);
    sta *a = &n.st[0], *b = &n.st[1];
    for (unsigned i = 0; i < 10; i++)
        CHECK_EQ_INT(send_frame(&n, a, &b->mac, i, 100), SN_OK);
    run_for(&n, 2.0);
    sn_dcf_counters ca, cb;
    sn_dcf_get_counters(a->dcf, &ca);
    sn_dcf_get_counters(b->dcf, &cb);
    CHECK_EQ_INT(b->rx, 10);
    CHECK_EQ_INT(a->done_ok, 10);
    CHECK_EQ_INT(ca.tx_acked, 10);
    CHECK_EQ_INT(ca.rx_acks, 10);
    CHECK_EQ_INT(cb.tx_acks, 10);
    CHECK_EQ_INT(ca.tx_retries, 0);
    CHECK_EQ_INT(cb.ack_late, 0);
    CHECK_EQ_INT(sn_dcf_queued(a->dcf), 0);
    net_free(&n);
}

/* 30 % of all frames (data and ACKs) lost at both ends: every frame still
 * arrives exactly once; lost ACKs cause retransmissions that the receiver
 * recognises as duplicates. */
static void test_lossy_dedup(void)
{
    net n;
    sn_dcf_config cfg;
    sn_dcf_config_default(&cfg);
    cfg.rate_control = 0;
    cfg.retry_limit = 15; /* 1 - 0.49^16: no frame should be lost */
    cfg.queue_len = 256;
    CHECK(net_init(&n, 2, &cfg, 30) == 0);
    sta *a = &n.st[0], *b = &n.st[1];
    sn_dcf_set_rx_loss(a->dcf, 0.3);
    sn_dcf_set_rx_loss(b->dcf, 0.3);
    const unsigned N = 150;
    for (unsigned i = 0; i < N; i++)
        CHECK_EQ_INT(send_frame(&n, a, &b->mac, i, 60), SN_OK);
    run_for(&n, 20.0);
    sn_dcf_counters ca, cb;
    sn_dcf_get_counters(a->dcf, &ca);
    sn_dcf_get_counters(b->dcf, &cb);
    int once = 1;
    for (unsigned i = 0; i < N; i++)
        once &= b->got[i] == 1;
    CHECK(once);
    CHECK_EQ_INT(b->rx, N);
    CHECK_EQ_INT(a->done_ok, N);
    CHECK(ca.tx_retries > 0);
    CHECK(cb.drop_duplicate > 0);
    CHECK(cb.drop_test_loss > 0 && ca.drop_test_loss > 0);
    CHECK_EQ_INT(ca.drop_retry_limit, 0);
    net_free(&n);
}

/* Nobody answers: the window doubles per failure up to cw_max, the frame is
 * dropped after retry_limit retransmissions, and the window resets. */
static void test_backoff_and_retry_limit(void)
{
    net n;
    sn_dcf_config cfg;
    sn_dcf_config_default(&cfg);
    cfg.rate_control = 0;
    cfg.cw_max = 255;
    CHECK(net_init(&n, 2, &cfg, 30) == 0);
    sta *a = &n.st[0];
    sn_mac_addr ghost = {{0x02, 0, 0, 0, 0, 0x77}};
    CHECK_EQ_INT(send_frame(&n, a, &ghost, 1, 60), SN_OK);
    run_for(&n, 5.0);
    sn_dcf_counters ca;
    sn_dcf_get_counters(a->dcf, &ca);
    CHECK_EQ_INT(ca.tx_attempts, 8);
    CHECK_EQ_INT(ca.tx_retries, 7);
    CHECK_EQ_INT(ca.ack_timeouts, 8);
    CHECK_EQ_INT(ca.drop_retry_limit, 1);
    CHECK_EQ_INT(a->done_fail, 1);
    CHECK_EQ_INT(a->n_cw, 7);
    const unsigned want[7] = {31, 63, 127, 255, 255, 255, 255};
    for (int i = 0; i < 7 && i < a->n_cw; i++)
        CHECK_EQ_INT(a->cw_seen[i], want[i]);
    sn_dcf_timing t;
    sn_dcf_get_timing(a->dcf, &t);
    CHECK_EQ_INT(t.cw, 15);
    /* the receiver-less frame did not get ACKed by the other station */
    sn_dcf_counters cb;
    sn_dcf_get_counters(n.st[1].dcf, &cb);
    CHECK_EQ_INT(cb.tx_acks, 0);
    /* every attempt reached the other station's PHY, and what it decoded
     * went up (for the netif to filter) */
    sn_phy_counters pc;
    sn_phy_get_counters(n.st[1].phy, &pc);
    CHECK_EQ_INT(pc.rx_frames + pc.rx_drop_header + pc.rx_drop_crc, 8);
    CHECK_EQ_INT(n.st[1].rx, pc.rx_frames);
    CHECK(n.st[1].rx >= 6);
    net_free(&n);
}

static void test_broadcast_no_ack(void)
{
    net n;
    sn_dcf_config cfg;
    sn_dcf_config_default(&cfg);
    CHECK(net_init(&n, 3, &cfg, 30) == 0);
    sta *a = &n.st[0];
    CHECK_EQ_INT(send_frame(&n, a, &sn_mac_broadcast, 5, 60), SN_OK);
    run_for(&n, 1.0);
    sn_dcf_counters ca, cb, cc;
    sn_dcf_get_counters(a->dcf, &ca);
    sn_dcf_get_counters(n.st[1].dcf, &cb);
    sn_dcf_get_counters(n.st[2].dcf, &cc);
    CHECK_EQ_INT(ca.tx_bcast, 1);
    CHECK_EQ_INT(ca.tx_attempts, 1);
    CHECK_EQ_INT(ca.ack_timeouts, 0);
    CHECK_EQ_INT(a->done_ok, 1);
    CHECK_EQ_INT(cb.tx_acks + cc.tx_acks, 0);
    CHECK_EQ_INT(n.st[1].rx, 1);
    CHECK_EQ_INT(n.st[2].rx, 1);
    net_free(&n);
}

/* B gets its frame while A's long burst is on the air: B defers, so no
 * attempt of either fails. Then both saturate the medium towards C: some
 * collide (same slot), but every frame arrives once. */
static void test_deferral(void)
{
    net n;
    sn_dcf_config cfg;
    sn_dcf_config_default(&cfg);
    cfg.rate_control = 0;
    CHECK(net_init(&n, 3, &cfg, 30) == 0);
    sta *a = &n.st[0], *b = &n.st[1], *c = &n.st[2];
    CHECK_EQ_INT(send_frame(&n, a, &c->mac, 1, 1000), SN_OK);
    sn_dcf_timing t;
    sn_dcf_get_timing(a->dcf, &t);
    /* A transmits after DIFS + at most 15 slots; 1000 bytes last far longer */
    run_for(&n, sn_time_to_s(t.difs + 16 * t.slot) + 1e-3);
    CHECK(sn_phy_carrier(b->phy, sn_sched_now(n.s), NULL) == 1);
    CHECK_EQ_INT(send_frame(&n, b, &c->mac, 2, 1000), SN_OK);
    run_for(&n, 1.0);
    sn_dcf_counters ca, cb;
    sn_dcf_get_counters(a->dcf, &ca);
    sn_dcf_get_counters(b->dcf, &cb);
    CHECK_EQ_INT(ca.ack_timeouts + cb.ack_timeouts, 0);
    CHECK_EQ_INT(c->got[1], 1);
    CHECK_EQ_INT(c->got[2], 1);

    for (unsigned i = 0; i < 20; i++) {
        CHECK_EQ_INT(send_frame(&n, a, &c->mac, 100 + i, 200), SN_OK);
        CHECK_EQ_INT(send_frame(&n, b, &c->mac, 200 + i, 200), SN_OK);
    }
    run_for(&n, 10.0);
    int once = 1;
    for (unsigned i = 0; i < 20; i++)
        once &= c->got[100 + i] == 1 && c->got[200 + i] == 1;
    CHECK(once);
    net_free(&n);
}

static sn_pkt *raw(net *n, uint32_t ctrl, size_t len)
{
    sn_pkt *p = sn_pkt_alloc(n->pool, SN_PKT_HEADROOM);
    if (!p)
        return NULL;
    uint8_t *b = sn_pkt_put(p, len);
    if (len)
        memset(b, 0x02, len);
    p->meta.phy_ctrl = ctrl;
    p->meta.phy_rate = 2;
    return p;
}

static void test_malformed(void)
{
    net n;
    CHECK(net_init(&n, 1, NULL, 30) == 0);
    sta *a = &n.st[0];
    sn_dcf_input(a->dcf, raw(&n, sn_dcf_ctrl_make(SN_DCF_T_ACK, 0, 1, 2), 20)); /* ACK w/ data */
    sn_dcf_input(a->dcf, raw(&n, sn_dcf_ctrl_make(SN_DCF_T_DATA, 0, 1, 2), 0)); /* empty data */
    sn_dcf_input(a->dcf, raw(&n, sn_dcf_ctrl_make(SN_DCF_T_DATA, 0, 1, 2), 13)); /* runt */
    sn_dcf_input(a->dcf, raw(&n, sn_dcf_ctrl_make(SN_DCF_T_ACK, 0, 1, 2), 0)); /* stray ACK */
    sn_dcf_input(a->dcf, raw(&n, 0, 30)); /* no control word: handed up as is */
    sn_dcf_input(a->dcf, NULL);
    CHECK_EQ_INT(sn_dcf_send(a->dcf, raw(&n, 0, 10)), SN_ERR_INVAL);
    CHECK_EQ_INT(sn_dcf_send(a->dcf, NULL), SN_ERR_INVAL);
    sn_dcf_counters c;
    sn_dcf_get_counters(a->dcf, &c);
    CHECK_EQ_INT(c.drop_malformed, 4);
    CHECK_EQ_INT(c.drop_ack_other, 1);
    CHECK_EQ_INT(c.rx_plain, 1);
    CHECK_EQ_INT(a->rx, 1);
    sn_dcf_config bad;
    sn_dcf_config_default(&bad);
    bad.cw_min = 16;
    sn_modem_config mc;
    sn_modem_config_default(&mc);
    CHECK(sn_dcf_create(&bad, n.s, n.pool, a->phy, &mc, &a->mac, 1) == NULL);
    sn_dcf_destroy(NULL);
    net_free(&n);
}

int main(void)
{
    TEST_RUN(test_ctrl_word);
    TEST_RUN(test_timing);
    TEST_RUN(test_timing_from_radio);
    TEST_RUN(test_ack_and_retry);
    TEST_RUN(test_lossy_dedup);
    TEST_RUN(test_backoff_and_retry_limit);
    TEST_RUN(test_broadcast_no_ack);
    TEST_RUN(test_deferral);
    TEST_RUN(test_malformed);
    TEST_DONE();
}
