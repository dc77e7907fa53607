/* mac/ratectl: Minstrel-like rate adaptation. First on a synthetic channel
 * (rates up to a limit always get through, faster ones never) whose limit
 * falls and rises; then end to end: two stations with the dcf and real PHYs
 * on a simulated medium whose SNR drops and rises again. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/pkt.h"
#include "core/rng.h"
#include "core/sched.h"
#include "mac/dcf.h"
#include "mac/ratectl.h"
#include "phy/medium.h"
#include "phy/phy.h"
#include "phy/radio_sim.h"
#include "sn_test.h"

static void config(sn_ratectl_config *c)
{
    memset(c, 0, sizeof *c);
    /* airtime falling with the rate, as bits per symbol rise */
    const double bits[SN_RATE_COUNT] = {0.5, 0.75, 1, 1.5, 2, 3, 4, 4.5};
    for (int i = 0; i < SN_RATE_COUNT; i++)
        c->airtime[i] = (sn_time_t)(1e6 / bits[i]) + 200000; /* [ns] + fixed overhead */
    c->ref_bytes = 1200;
    c->start_rate = SN_RATE_QPSK_12;
    c->interval = 100 * SN_NS_PER_MS;
    c->ewma_pct = 25;
    c->sample_pct = 10;
    c->max_dests = 4;
}

/* Send frames for `secs` [s] of virtual time, one every 2 ms, each with up
 * to 8 attempts through the retry chain; rates <= limit succeed. */
static void drive(sn_ratectl *rc, const sn_mac_addr *dst, sn_time_t *now, double secs, int limit,
                  sn_rng *rng, double *ok_share)
{
    sn_time_t end = *now + sn_time_from_s(secs);
    unsigned frames = 0, ok = 0;
    for (; *now < end; *now += 2 * SN_NS_PER_MS) {
        frames++;
        for (unsigned a = 0; a < 8; a++) {
            sn_phy_rate r = sn_ratectl_pick(rc, dst, a, *now);
            CHECK((unsigned)r < SN_RATE_COUNT);
            /* a little noise: 2 % of frames at usable rates are lost */
            int acked = (int)r <= limit && sn_rng_uniform(rng) >= 0.02;
            sn_ratectl_report(rc, dst, r, acked, *now);
            if (acked) {
                ok++;
                break;
            }
        }
    }
    if (ok_share)
        *ok_share = frames ? (double)ok / frames : 0;
}

static void test_synthetic(void)
{
    sn_ratectl_config c;
    config(&c);
    sn_ratectl *rc = sn_ratectl_create(&c, 1);
    CHECK(rc != NULL);
    sn_rng rng;
    sn_rng_seed(&rng, 5);
    sn_mac_addr d = {{2, 0, 0, 0, 0, 9}}, other = {{2, 0, 0, 0, 0, 10}};
    CHECK_EQ_INT(sn_ratectl_best(rc, &d, NULL), SN_RATE_QPSK_12); /* unknown: start rate */
    sn_time_t now = 0;
    double share;
    drive(rc, &d, &now, 3.0, SN_RATE_QAM64_34, &rng, &share);
    CHECK_EQ_INT(sn_ratectl_best(rc, &d, NULL), SN_RATE_QAM64_34); /* climbed to the top */
    CHECK(share > 0.97);
    drive(rc, &d, &now, 3.0, SN_RATE_QPSK_34, &rng, &share); /* the channel worsens */
    CHECK_EQ_INT(sn_ratectl_best(rc, &d, NULL), SN_RATE_QPSK_34);
    CHECK(share > 0.97); /* the retry chain keeps frames going meanwhile */
    double prob[SN_RATE_COUNT];
    sn_ratectl_best(rc, &d, prob);
    CHECK(prob[SN_RATE_QAM64_34] < 0.1);
    drive(rc, &d, &now, 3.0, SN_RATE_QAM16_34, &rng, &share); /* and improves */
    CHECK_EQ_INT(sn_ratectl_best(rc, &d, NULL), SN_RATE_QAM16_34);
    drive(rc, &d, &now, 3.0, SN_RATE_BPSK_12, &rng, &share); /* only the most robust */
    CHECK_EQ_INT(sn_ratectl_best(rc, &d, NULL), SN_RATE_BPSK_12);
    CHECK(share > 0.97);
    /* destinations are independent */
    CHECK_EQ_INT(sn_ratectl_best(rc, &other, NULL), SN_RATE_QPSK_12);
    CHECK(sn_ratectl_samples(rc) > 0);
    /* bad configurations */
    sn_ratectl_config bad = c;
    bad.max_dests = 0;
    CHECK(sn_ratectl_create(&bad, 1) == NULL);
    bad = c;
    bad.airtime[3] = 0;
    CHECK(sn_ratectl_create(&bad, 1) == NULL);
    CHECK(sn_ratectl_create(NULL, 1) == NULL);
    sn_ratectl_destroy(rc);
    sn_ratectl_destroy(NULL);
}

/* More destinations than slots: the least recently used is replaced, no
 * growth, no crash. */
static void test_many_dests(void)
{
    sn_ratectl_config c;
    config(&c);
    sn_ratectl *rc = sn_ratectl_create(&c, 2);
    sn_time_t now = 0;
    for (unsigned i = 0; i < 1000; i++) {
        sn_mac_addr d = {{2, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i}};
        sn_phy_rate r = sn_ratectl_pick(rc, &d, 0, now);
        sn_ratectl_report(rc, &d, r, 1, now);
        now += SN_NS_PER_MS;
    }
    sn_ratectl_report(rc, NULL, SN_RATE_BPSK_12, 1, now);
    sn_mac_addr d = {{2, 0, 0, 0, 0, 1}};
    sn_ratectl_report(rc, &d, (sn_phy_rate)99, 1, now); /* ignored */
    CHECK_EQ_INT(sn_ratectl_pick(NULL, &d, 0, now), SN_RATE_BPSK_12);
    sn_ratectl_destroy(rc);
}

/* ---- end to end on the simulated medium ------------------------------- */

#define FS 1e6

typedef struct e2e {
    sn_sched *s;
    sn_medium *m;
    sn_pktpool *pool;
    sn_radio *radio[2];
    sn_phy *phy[2];
    sn_dcf *dcf[2];
    sn_mac_addr mac[2];
    unsigned delivered;
} e2e;

static void e_phy_rx0(void *user, sn_pkt *f) { sn_dcf_input(((e2e *)user)->dcf[0], f); }
static void e_phy_rx1(void *user, sn_pkt *f) { sn_dcf_input(((e2e *)user)->dcf[1], f); }

static void e_rx(void *user, sn_pkt *f)
{
    ((e2e *)user)->delivered++;
    sn_pkt_free(f);
}

static void e_send(e2e *e)
{
    sn_pkt *p = sn_pkt_alloc(e->pool, SN_PKT_HEADROOM);
    if (!p)
        return;
    uint8_t *b = sn_pkt_put(p, 400);
    memset(b, 0x5a, 400);
    memcpy(b, e->mac[1].b, 6);
    memcpy(b + 6, e->mac[0].b, 6);
    sn_dcf_send(e->dcf[0], p);
}

static void e_done(void *user, const sn_pkt *f, int status, unsigned attempts, int rate)
{
    (void)f;
    (void)status;
    (void)attempts;
    (void)rate;
    e_send(user); /* always one more: saturated */
}

static void set_snr(e2e *e, double snr)
{
    int a = sn_phy_port(e->phy[0]), b = sn_phy_port(e->phy[1]);
    CHECK_EQ_INT(sn_medium_set_link(e->m, a, b, snr, 0), SN_OK);
    CHECK_EQ_INT(sn_medium_set_link(e->m, b, a, snr, 0), SN_OK);
}

/* Run `secs` [s] more; the rate that carried most data attempts meanwhile,
 * and its share of them. */
static int dominant(e2e *e, double secs, double *share)
{
    sn_dcf_counters a, b;
    sn_dcf_get_counters(e->dcf[0], &a);
    sn_sched_run(e->s, sn_sched_now(e->s) + sn_time_from_s(secs), 0);
    sn_dcf_get_counters(e->dcf[0], &b);
    int best = 0;
    uint64_t all = 0, most = 0;
    for (int r = 0; r < SN_RATE_COUNT; r++) {
        uint64_t v = b.tx_by_rate[r] - a.tx_by_rate[r];
        all += v;
        if (v > most) {
            most = v;
            best = r;
        }
    }
    *share = all ? (double)most / (double)all : 0;
    return best;
}

static void test_snr_drop_and_rise(void)
{
    e2e e;
    memset(&e, 0, sizeof e);
    e.s = sn_sched_create();
    e.m = sn_medium_create(e.s, FS, 3);
    e.pool = sn_pktpool_create(128, 2048);
    CHECK(e.s && e.m && e.pool);
    sn_dcf_config dc;
    sn_dcf_config_default(&dc);
    dc.rate_interval = 25 * SN_NS_PER_MS; /* adapt quickly: a short test */
    sn_phy_rx_fn rxf[2] = {e_phy_rx0, e_phy_rx1};
    for (int i = 0; i < 2; i++) {
        e.mac[i].b[0] = 2;
        e.mac[i].b[5] = (uint8_t)(i + 1);
        e.radio[i] = sn_radio_sim_create(e.m);
        sn_phy_config pc;
        sn_phy_config_default(&pc);
        e.phy[i] = sn_phy_create(&pc, e.s, e.pool, e.radio[i], NULL, rxf[i], &e);
        e.dcf[i] = sn_dcf_create(&dc, e.s, e.pool, e.phy[i], &pc.modem, &e.mac[i], 40 + (uint64_t)i);
        CHECK(e.phy[i] && e.dcf[i]);
    }
    sn_dcf_set_rx(e.dcf[1], e_rx, &e);
    sn_dcf_set_done(e.dcf[0], e_done, &e);
    set_snr(&e, 35.0);
    e_send(&e);
    e_send(&e);
    /* each phase: let the controller settle, then see which rate carried
     * the attempts of the phase's last 0.2 s */
    sn_sched_run(e.s, sn_time_from_s(0.4), 0);
    double share;
    int high = dominant(&e, 0.2, &share);
    CHECK(high >= (int)SN_RATE_QAM64_23); /* 35 dB: the fastest rates */
    CHECK(share >= 0.7);
    unsigned got_high = e.delivered;

    set_snr(&e, 6.0);
    sn_sched_run(e.s, sn_sched_now(e.s) + sn_time_from_s(0.6), 0);
    sn_dcf_counters c1;
    sn_dcf_get_counters(e.dcf[0], &c1);
    int low = dominant(&e, 0.2, &share);
    CHECK(low <= high - 3); /* well down */
    CHECK(share >= 0.7);    /* most attempts there (sampling aside) */
    sn_dcf_counters c;
    sn_dcf_get_counters(e.dcf[0], &c);
    CHECK(c.tx_acked > c1.tx_acked); /* frames still get through */

    set_snr(&e, 35.0);
    sn_sched_run(e.s, sn_time_from_s(sn_time_to_s(sn_sched_now(e.s)) + 0.6), 0);
    int up = dominant(&e, 0.2, &share);
    CHECK(up >= high - 1); /* back up */
    CHECK(share >= 0.7);
    CHECK(e.delivered > got_high);
    printf("rates: %s at 35 dB, %s at 6 dB, %s at 35 dB again\n",
           sn_phy_rate_name((sn_phy_rate)high), sn_phy_rate_name((sn_phy_rate)low),
           sn_phy_rate_name((sn_phy_rate)up));
    sn_dcf_get_counters(e.dcf[0], &c);
    CHECK_EQ_INT(c.drop_retry_limit, 0);
    for (int i = 0; i < 2; i++) {
        sn_dcf_destroy(e.dcf[i]);
        sn_phy_destroy(e.phy[i]);
        sn_radio_destroy(e.radio[i]);
    }
    sn_medium_destroy(e.m);
    sn_sched_destroy(e.s);
    sn_pktpool_destroy(e.pool);
}

int main(void)
{
    TEST_RUN(test_synthetic);
    TEST_RUN(test_many_dests);
    TEST_RUN(test_snr_drop_and_rise);
    TEST_DONE();
}
