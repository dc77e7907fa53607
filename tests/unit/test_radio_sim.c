/* phy/radio_sim: sim radios on one medium behind the phy: the radio
 * contract (info with its CCA latency and turnaround, counters, timed and
 * late bursts, blocks with their gap flag, carrier sense), and what the physics of the medium does to frames:
 * two equal-power overlapping bursts are both lost, a burst 10 dB stronger
 * survives an overlapping weaker one (capture effect), and a radio that is
 * transmitting does not hear a burst arriving meanwhile (half-duplex). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/pkt.h"
#include "core/sched.h"
#include "phy/medium.h"
#include "phy/modem.h"
#include "phy/phy.h"
#include "phy/radio.h"
#include "phy/radio_sim.h"
#include "sn_test.h"

#define FS 1e6 /* [S/s] */
#define NODES 3

typedef struct node {
    sn_radio *radio;
    sn_phy *phy;
    int frames;       /* delivered (CRC good) */
    uint8_t tags[16]; /* first byte of each */
} node;

typedef struct net {
    sn_sched *s;
    sn_pktpool *pool;
    sn_medium *m;
    node n[NODES];
} net;

static void on_frame(void *user, sn_pkt *pkt)
{
    node *nd = user;
    if (nd->frames < 16)
        nd->tags[nd->frames] = sn_pkt_data(pkt)[0];
    nd->frames++;
    sn_pkt_free(pkt);
}

static void net_up(net *t, uint64_t seed)
{
    memset(t, 0, sizeof *t);
    t->s = sn_sched_create();
    t->pool = sn_pktpool_create(32, 2048);
    t->m = sn_medium_create(t->s, FS, seed);
    CHECK(t->s && t->pool && t->m);
    sn_phy_config cfg;
    sn_phy_config_default(&cfg);
    for (int i = 0; i < NODES; i++) {
        t->n[i].radio = sn_radio_sim_create(t->m);
        t->n[i].phy = sn_phy_create(&cfg, t->s, t->pool, t->n[i].radio, NULL, on_frame, &t->n[i]);
        CHECK(t->n[i].radio && t->n[i].phy);
        CHECK_EQ_INT(sn_radio_sim_port(t->n[i].radio), i);
        CHECK_EQ_INT(sn_phy_port(t->n[i].phy), i);
    }
}

static void net_down(net *t)
{
    for (int i = 0; i < NODES; i++) {
        sn_phy_destroy(t->n[i].phy);
        sn_radio_destroy(t->n[i].radio);
    }
    CHECK_EQ_INT(sn_pktpool_in_use(t->pool), 0);
    sn_medium_destroy(t->m);
    sn_pktpool_destroy(t->pool);
    sn_sched_destroy(t->s);
}

/* A frame of `len` bytes tagged `tag`, handed to node `from` at time `at`. */
typedef struct send_req {
    net *t;
    int from;
    size_t len;
    uint8_t tag;
} send_req;

static void do_send(void *user, sn_time_t now)
{
    send_req *r = user;
    sn_pkt *p = sn_pkt_alloc_tx(r->t->pool);
    CHECK(p != NULL);
    if (!p)
        return;
    uint8_t *d = sn_pkt_put(p, r->len);
    for (size_t i = 0; i < r->len; i++)
        d[i] = (uint8_t)(r->tag + 7 * i);
    CHECK_EQ_INT(sn_phy_send(r->t->n[r->from].phy, p), SN_OK);
    (void)now;
}

static void send_at(send_req *r, sn_time_t at)
{
    CHECK(sn_sched_at(r->t->s, at, do_send, r) != 0);
}

/* ---- the radio contract ------------------------------------------------ */

typedef struct blocks {
    int n, gaps;
    uint64_t next;  /* [samples] where the last block ended */
    int contiguous; /* every non-gap block followed the one before */
    int from;
    double snr;
} blocks;

static void on_block(void *user, const sn_radio_rx *rx)
{
    blocks *b = user;
    if (rx->flags & SN_RADIO_RX_GAP)
        b->gaps++;
    else if (b->n == 0 || rx->sample_start != b->next)
        b->contiguous = 0;
    if (b->n == 0)
        CHECK(rx->flags & SN_RADIO_RX_GAP); /* the first block is always one */
    CHECK_EQ_INT(rx->t_start, (sn_time_t)rx->sample_start * 1000);
    if (rx->from_port >= 0) {
        b->from = rx->from_port;
        b->snr = rx->snr_db;
    }
    b->next = rx->sample_start + rx->n;
    b->n++;
}

static void test_contract(void)
{
    sn_sched *s = sn_sched_create();
    sn_medium *m = sn_medium_create(s, FS, 1);
    sn_radio *a = sn_radio_sim_create(m), *b = sn_radio_sim_create(m);
    CHECK(a && b);
    CHECK(sn_radio_sim_create(NULL) == NULL);
    CHECK_EQ_INT(sn_radio_sim_port(a), 0);
    CHECK_EQ_INT(sn_radio_sim_port(b), 1);
    CHECK_EQ_INT(sn_radio_sim_port(NULL), -1);
    const sn_radio_info *info = sn_radio_get_info(a);
    CHECK(info && !strcmp(info->backend, "sim"));
    CHECK(info->sample_rate == FS && info->can_tx && info->can_rx && info->timed_tx);
    /* what a MAC's slot is made of [ns], as declared */
    CHECK_NEAR(info->cca_latency, SN_RADIO_SIM_CCA_SAMPLES * 1e9 / FS, 1e-6);
    CHECK_NEAR(info->turnaround, SN_RADIO_SIM_TURNAROUND_SAMPLES * 1e9 / FS, 1e-6);
    CHECK(info->cca_latency >= 1e9 / FS && info->turnaround > 0);
    CHECK_EQ_INT(sn_medium_set_link(m, 0, 1, 15.0, 0.0), SN_OK);

    blocks bb = {0};
    bb.contiguous = 1;
    sn_radio_set_rx(b, on_block, &bb);
    sn_cf32 x[500];
    for (int i = 0; i < 500; i++)
        x[i] = 0.3f;
    /* timed: two bursts far apart, then one "now" */
    CHECK_EQ_INT(sn_radio_tx(a, x, 500, 2 * SN_NS_PER_MS), SN_OK);
    CHECK_EQ_INT(sn_radio_tx(a, x, 500, 10 * SN_NS_PER_MS), SN_OK);
    CHECK_EQ_INT(sn_radio_tx(a, x, 0, 0), SN_ERR_INVAL);
    double pw;
    CHECK_EQ_INT(sn_radio_carrier(b, 2 * SN_NS_PER_MS + 100 * 1000, &pw), 1);
    CHECK_NEAR(pw, SN_MEDIUM_NOISE_DB + 10 * log10(1 + pow(10, 1.5)), 1e-6);
    CHECK_EQ_INT(sn_radio_carrier(b, 5 * SN_NS_PER_MS, NULL), 0);
    /* the declared CCA latency holds: idle the sample before the burst,
     * busy within cca_latency of its first sample (the medium's detector
     * is faster: busy from that very sample) */
    CHECK_EQ_INT(sn_radio_carrier(b, 2 * SN_NS_PER_MS - (sn_time_t)(1e9 / FS), NULL), 0);
    CHECK_EQ_INT(sn_radio_carrier(b, 2 * SN_NS_PER_MS + (sn_time_t)info->cca_latency, NULL), 1);
    CHECK_EQ_INT(sn_radio_carrier(b, 2 * SN_NS_PER_MS, NULL), 1);
    CHECK_EQ_INT(sn_radio_carrier(a, 2 * SN_NS_PER_MS + 100 * 1000, NULL), 0); /* own */
    CHECK_EQ_INT(sn_radio_poll(a, 0), 0); /* sim delivers through the scheduler */
    sn_sched_run(s, 20 * SN_NS_PER_MS, 0);
    /* late: asked for 1 ms, now is 20 ms: sent now, counted */
    CHECK_EQ_INT(sn_radio_tx(a, x, 500, SN_NS_PER_MS), SN_OK);
    sn_sched_run(s, 20 * SN_NS_PER_MS + 500 * 1000, 0); /* its end */
    CHECK_EQ_INT(sn_radio_tx(a, x, 500, SN_RADIO_NOW), SN_OK);
    sn_sched_run(s, SN_TIME_NEVER, 0);

    sn_radio_counters ca, cb;
    sn_radio_get_counters(a, &ca);
    sn_radio_get_counters(b, &cb);
    CHECK_EQ_INT(ca.tx_bursts, 4);
    CHECK_EQ_INT(ca.tx_samples, 2000);
    CHECK_EQ_INT(ca.late_bursts, 1);
    CHECK_EQ_INT(ca.rx_blocks, 0);
    CHECK_EQ_INT(cb.rx_blocks, (uint64_t)bb.n);
    /* 2 ms and 10 ms: segments of their own; the last two back to back:
     * one segment */
    CHECK_EQ_INT(bb.gaps, 3);
    CHECK(bb.contiguous);
    CHECK_EQ_INT(cb.rx_samples, 4 * 500 + 6 * SN_MEDIUM_GUARD);
    CHECK_EQ_INT(bb.from, 0);
    CHECK_NEAR(bb.snr, 15.0, 1e-12);
    CHECK_EQ_INT(cb.overflows + cb.underflows + cb.timeouts + cb.tx_dropped, 0);

    sn_radio_destroy(a);
    sn_radio_destroy(b);
    sn_radio_destroy(NULL);
    sn_medium_destroy(m);
    sn_sched_destroy(s);
}

/* ---- physics through the phy ------------------------------------------- */

/* Sanity: without overlap C decodes both; the reference for the next. */
static void test_no_overlap(void)
{
    net t;
    net_up(&t, 21);
    send_req ra = {&t, 0, 200, 0xA0}, rb = {&t, 1, 200, 0xB0};
    send_at(&ra, 1 * SN_NS_PER_MS);
    send_at(&rb, 10 * SN_NS_PER_MS);
    sn_sched_run(t.s, SN_TIME_NEVER, 0);
    CHECK_EQ_INT(t.n[2].frames, 2);
    net_down(&t);
}

static void test_collision_equal_power(void)
{
    int lost = 0, tries = 3;
    for (int k = 0; k < tries; k++) {
        net t;
        net_up(&t, 100 + (uint64_t)k);
        /* both at 20 dB at C; B starts 300 us into A's 1.7 ms burst */
        send_req ra = {&t, 0, 200, 0xA0}, rb = {&t, 1, 200, 0xB0};
        send_at(&ra, 1 * SN_NS_PER_MS);
        send_at(&rb, 1 * SN_NS_PER_MS + 300 * 1000);
        sn_sched_run(t.s, SN_TIME_NEVER, 0);
        lost += t.n[2].frames == 0;
        sn_phy_counters c;
        sn_phy_get_counters(t.n[2].phy, &c);
        printf("  equal power, seed %d: C decoded %d (crc failed %llu, header failed %llu)\n",
               100 + k, t.n[2].frames, (unsigned long long)c.rx_drop_crc,
               (unsigned long long)c.rx_drop_header);
        net_down(&t);
    }
    CHECK_EQ_INT(lost, tries);
}

static void test_capture_effect(void)
{
    int tries = 3, won = 0;
    for (int k = 0; k < tries; k++) {
        net t;
        net_up(&t, 200 + (uint64_t)k);
        /* A reaches C at 25 dB, B at 15 dB; B starts 300 us after A */
        CHECK_EQ_INT(sn_medium_set_link(t.m, 0, 2, 25.0, 0.0), SN_OK);
        CHECK_EQ_INT(sn_medium_set_link(t.m, 1, 2, 15.0, 0.0), SN_OK);
        send_req ra = {&t, 0, 200, 0xA0}, rb = {&t, 1, 200, 0xB0};
        send_at(&ra, 1 * SN_NS_PER_MS);
        send_at(&rb, 1 * SN_NS_PER_MS + 300 * 1000);
        sn_sched_run(t.s, SN_TIME_NEVER, 0);
        printf("  25 dB vs 15 dB, seed %d: C decoded %d, first tag %#x\n", 200 + k,
               t.n[2].frames, t.n[2].frames ? t.n[2].tags[0] : 0);
        won += t.n[2].frames == 1 && t.n[2].tags[0] == 0xA0;
        net_down(&t);
    }
    CHECK_EQ_INT(won, tries);
}

/* The stronger burst starting second: liquid's synchroniser is then busy
 * with the weaker frame's preamble and payload; reported, not asserted
 * (real receivers differ here too). */
static void test_capture_stronger_second(void)
{
    net t;
    net_up(&t, 300);
    CHECK_EQ_INT(sn_medium_set_link(t.m, 0, 2, 25.0, 0.0), SN_OK);
    CHECK_EQ_INT(sn_medium_set_link(t.m, 1, 2, 15.0, 0.0), SN_OK);
    send_req ra = {&t, 0, 200, 0xA0}, rb = {&t, 1, 200, 0xB0};
    send_at(&rb, 1 * SN_NS_PER_MS);
    send_at(&ra, 1 * SN_NS_PER_MS + 300 * 1000);
    sn_sched_run(t.s, SN_TIME_NEVER, 0);
    printf("  15 dB first, 25 dB 300 us later: C decoded %d, first tag %#x\n", t.n[2].frames,
           t.n[2].frames ? t.n[2].tags[0] : 0);
    CHECK(t.n[2].frames == 0 || t.n[2].tags[0] == 0xA0); /* never the weaker */
    net_down(&t);
}

static void test_half_duplex(void)
{
    net t;
    net_up(&t, 31);
    /* A's frame arrives at B and C; C is sending a long frame meanwhile,
     * which B cannot hear (so that B shows A's frame was fine) */
    CHECK_EQ_INT(sn_medium_set_link(t.m, 2, 1, -40.0, 0.0), SN_OK);
    send_req ra = {&t, 0, 100, 0xA0}, rc = {&t, 2, 1000, 0xC0};
    send_at(&rc, 1 * SN_NS_PER_MS); /* ~8.5 ms on the air */
    send_at(&ra, 2 * SN_NS_PER_MS);
    sn_sched_run(t.s, SN_TIME_NEVER, 0);
    CHECK_EQ_INT(t.n[2].frames, 0); /* C heard nothing of A */
    CHECK_EQ_INT(t.n[1].frames, 1);
    CHECK_EQ_INT(t.n[1].tags[0], 0xA0);
    /* and A, which sent in the middle of C's frame, lost that frame: the
     * part of it that arrived while A transmitted was never heard */
    CHECK_EQ_INT(t.n[0].frames, 0);
    net_down(&t);
}

int main(void)
{
    TEST_RUN(test_contract);
    TEST_RUN(test_no_overlap);
    TEST_RUN(test_collision_equal_power);
    TEST_RUN(test_capture_effect);
    TEST_RUN(test_capture_stronger_second);
    TEST_RUN(test_half_duplex);
    TEST_DONE();
}
