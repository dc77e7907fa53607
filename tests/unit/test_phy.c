/* phy/phy: two phys on sim radios on one simulated medium: delivery with statistics,
 * the PHY capture (RFtap + Ethernet frame), the half-duplex transmit queue,
 * drops and their counters. When tshark is installed, the capture is also
 * checked to dissect as RFtap carrying Ethernet with its FCS. */
#include <math.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/pcap_tap.h"
#include "core/pkt.h"
#include "core/sched.h"
#include "phy/medium.h"
#include "phy/phy.h"
#include "phy/radio_sim.h"
#include "phy/rftap.h"
#include "sn_test.h"

#define FS 1e6 /* [S/s] */
#define MAXR 64

typedef struct node {
    sn_phy *phy;
    int n;
    uint8_t data[MAXR][1600];
    size_t len[MAXR];
    sn_pkt_meta meta[MAXR];
    int hold; /* keep the packets (to exhaust a pool) */
    sn_pkt *held[MAXR];
    int nheld;
    /* burst observer */
    int ntx, nrx;
    uint64_t tx_start[MAXR], tx_count[MAXR];
} node;

static void on_rx(void *user, sn_pkt *pkt)
{
    node *nd = user;
    if (nd->n < MAXR) {
        nd->len[nd->n] = sn_pkt_len(pkt);
        memcpy(nd->data[nd->n], sn_pkt_data(pkt), sn_pkt_len(pkt));
        nd->meta[nd->n] = pkt->meta;
    }
    nd->n++;
    if (nd->hold && nd->nheld < MAXR)
        nd->held[nd->nheld++] = pkt;
    else
        sn_pkt_free(pkt);
}

static void on_burst(void *user, int tx, const uint8_t *frame, size_t len,
                     const sn_phy_stats *st, size_t nsamples)
{
    node *nd = user;
    if (tx) {
        if (nd->ntx < MAXR) {
            nd->tx_start[nd->ntx] = st->sample_start;
            nd->tx_count[nd->ntx] = nsamples;
        }
        nd->ntx++;
    } else {
        nd->nrx++;
    }
    (void)frame;
    (void)len;
}

/* IEEE 802.3 CRC-32 (reflected, poly 0xEDB88320), as the FCS. */
static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

/* An Ethernet II frame carrying IPv4/UDP with `plen` payload bytes and a
 * correct FCS (sent least significant byte first). Returns its length. */
static size_t make_frame(uint8_t *f, size_t plen, uint8_t tag)
{
    static const uint8_t dst[6] = {0x02, 0, 0, 0, 0, 0x02}, src[6] = {0x02, 0, 0, 0, 0, 0x01};
    size_t k = 0;
    memcpy(f + k, dst, 6);
    k += 6;
    memcpy(f + k, src, 6);
    k += 6;
    f[k++] = 0x08;
    f[k++] = 0x00;
    size_t iplen = 20 + 8 + plen;
    uint8_t *ip = f + k;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    ip[2] = (uint8_t)(iplen >> 8);
    ip[3] = (uint8_t)iplen;
    ip[8] = 64;
    ip[9] = 17;
    ip[12] = 10, ip[13] = 0, ip[14] = 0, ip[15] = 1;
    ip[16] = 10, ip[17] = 0, ip[18] = 0, ip[19] = 2;
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    ip[10] = (uint8_t)(~sum >> 8);
    ip[11] = (uint8_t)~sum;
    k += 20;
    uint8_t *udp = f + k;
    udp[0] = 0x30, udp[1] = 0x39; /* 12345 */
    udp[2] = 0x30, udp[3] = 0x3a;
    udp[4] = (uint8_t)((8 + plen) >> 8);
    udp[5] = (uint8_t)(8 + plen);
    udp[6] = udp[7] = 0; /* no checksum */
    k += 8;
    for (size_t i = 0; i < plen; i++)
        f[k++] = (uint8_t)(tag + i);
    while (k < 60) /* pad to the Ethernet minimum */
        f[k++] = 0;
    uint32_t fcs = crc32_ieee(f, k);
    f[k++] = (uint8_t)fcs;
    f[k++] = (uint8_t)(fcs >> 8);
    f[k++] = (uint8_t)(fcs >> 16);
    f[k++] = (uint8_t)(fcs >> 24);
    return k;
}

static sn_pkt *pkt_of(sn_pktpool *pool, const uint8_t *f, size_t len)
{
    sn_pkt *p = sn_pkt_alloc_tx(pool);
    CHECK(p != NULL);
    if (p)
        CHECK_EQ_INT(sn_pkt_append(p, f, len), SN_OK);
    return p;
}

typedef struct rig {
    sn_sched *s;
    sn_pktpool *pool;
    sn_medium *m;
    sn_radio *ra, *rb;
    sn_pcap_tap *tap_a, *tap_b;
    node a, b;
} rig;

static void rig_up(rig *r, const char *name, const char *mod, unsigned txq)
{
    memset(r, 0, sizeof *r);
    r->s = sn_sched_create();
    r->pool = sn_pktpool_create(64, 2048);
    r->m = sn_medium_create(r->s, FS, 1);
    char pa[512], pb[512];
    snprintf(pa, sizeof pa, "%s/%s_a.pcap", sn_test_tmpdir(), name);
    snprintf(pb, sizeof pb, "%s/%s_b.pcap", sn_test_tmpdir(), name);
    r->tap_a = sn_pcap_tap_open(pa, SN_LINKTYPE_WIRESHARK_UPPER_PDU, NULL);
    r->tap_b = sn_pcap_tap_open(pb, SN_LINKTYPE_WIRESHARK_UPPER_PDU, NULL);
    sn_phy_config cfg;
    sn_phy_config_default(&cfg);
    CHECK(cfg.tx_queue > 0 && cfg.freq_hz > 0 && cfg.modem.max_payload == 2048);
    CHECK_EQ_INT(sn_phy_rate_parse(mod, &cfg.modem.rate), SN_OK);
    cfg.modem.max_payload = 1600;
    cfg.freq_hz = 433.92e6;
    cfg.tx_queue = txq;
    r->ra = sn_radio_sim_create(r->m);
    r->rb = sn_radio_sim_create(r->m);
    r->a.phy = sn_phy_create(&cfg, r->s, r->pool, r->ra, r->tap_a, on_rx, &r->a);
    r->b.phy = sn_phy_create(&cfg, r->s, r->pool, r->rb, r->tap_b, on_rx, &r->b);
    CHECK(r->s && r->pool && r->m && r->tap_a && r->tap_b && r->a.phy && r->b.phy);
    CHECK(sn_phy_radio(r->a.phy) == r->ra);
    sn_phy_set_burst_observer(r->a.phy, on_burst, &r->a);
    sn_phy_set_burst_observer(r->b.phy, on_burst, &r->b);
}

static void rig_down(rig *r)
{
    sn_phy_destroy(r->a.phy);
    sn_phy_destroy(r->b.phy);
    sn_radio_destroy(r->ra);
    sn_radio_destroy(r->rb);
    for (int i = 0; i < r->a.nheld; i++)
        sn_pkt_free(r->a.held[i]);
    for (int i = 0; i < r->b.nheld; i++)
        sn_pkt_free(r->b.held[i]);
    CHECK_EQ_INT(sn_pktpool_in_use(r->pool), 0);
    sn_medium_destroy(r->m);
    sn_pcap_tap_close(r->tap_a);
    sn_pcap_tap_close(r->tap_b);
    sn_pktpool_destroy(r->pool);
    sn_sched_destroy(r->s);
}

/* Read every record of a link-type-252 pcap: RFtap info and frame. */
typedef struct rec {
    sn_rftap_info ri;
    int hlen;
    uint8_t frame[1600];
    size_t flen;
    long long ts; /* [ns] */
} rec;

static int read_pcap(const char *path, rec *out, int max)
{
    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, eb);
    CHECK(p != NULL);
    if (!p)
        return -1;
    CHECK_EQ_INT(pcap_datalink(p), SN_LINKTYPE_WIRESHARK_UPPER_PDU);
    struct pcap_pkthdr *h;
    const u_char *d;
    int n = 0;
    while (pcap_next_ex(p, &h, &d) == 1 && n < max) {
        /* exported PDU tags: type u16, len u16, value; end with type 0 */
        size_t off = 0;
        int named = 0;
        while (off + 4 <= h->caplen) {
            unsigned type = (unsigned)(d[off] << 8 | d[off + 1]);
            unsigned len = (unsigned)(d[off + 2] << 8 | d[off + 3]);
            if (type == 12 && len >= 5 && !memcmp(d + off + 4, "rftap", 5))
                named = 1;
            off += 4 + len;
            if (type == 0)
                break;
        }
        CHECK(named);
        rec *r = &out[n];
        r->hlen = sn_rftap_parse(d + off, h->caplen - off, &r->ri);
        CHECK(r->hlen > 0);
        if (r->hlen > 0) {
            r->flen = h->caplen - off - (size_t)r->hlen;
            if (r->flen > sizeof r->frame)
                r->flen = sizeof r->frame;
            memcpy(r->frame, d + off + r->hlen, r->flen);
        }
        r->ts = (long long)h->ts.tv_sec * 1000000000LL + h->ts.tv_usec;
        n++;
    }
    pcap_close(p);
    return n;
}

static void test_one_frame(void)
{
    rig r;
    rig_up(&r, "phy_one", "qpsk", 8);
    CHECK_EQ_INT(sn_phy_port(r.a.phy), 0);
    CHECK_EQ_INT(sn_phy_port(r.b.phy), 1);
    uint8_t f[200];
    size_t len = make_frame(f, 100, 7);
    sn_time_t t0 = 3 * SN_NS_PER_MS;
    sn_sched_run(r.s, t0, 0);
    CHECK_EQ_INT(sn_phy_send(r.a.phy, pkt_of(r.pool, f, len)), SN_OK);
    CHECK(sn_phy_busy(r.a.phy));
    sn_sched_run(r.s, SN_TIME_NEVER, 0);
    CHECK(!sn_phy_busy(r.a.phy));

    CHECK_EQ_INT(r.b.n, 1);
    CHECK_EQ_INT(r.a.n, 0);
    CHECK_EQ_INT(r.a.ntx, 1);
    CHECK_EQ_INT(r.b.nrx, 1);
    uint64_t nsamp = r.a.tx_count[0];
    sn_time_t t_end = t0 + sn_medium_airtime(r.m, nsamp);
    if (r.b.n == 1) {
        CHECK_EQ_INT(r.b.len[0], len);
        CHECK_MEM(r.b.data[0], f, len);
        CHECK_NEAR(r.b.meta[0].snr_db, 20.0, 3.0);
        CHECK(isfinite(r.b.meta[0].rssi_db) && isfinite(r.b.meta[0].evm_db));
        CHECK_NEAR(r.b.meta[0].cfo_hz, 0.0, 200.0);
        CHECK_EQ_INT(r.b.meta[0].time, t_end);
        CHECK_NEAR((double)r.b.meta[0].sample, 3000.0, 2.0); /* 3 ms at 1 MS/s */
        CHECK_EQ_INT(r.b.meta[0].flags & SN_PKT_F_CRC_BAD, 0);
        printf("  SNR estimate %.2f dB (link 20 dB), RSSI %.2f dB, sample %llu\n",
               r.b.meta[0].snr_db, r.b.meta[0].rssi_db,
               (unsigned long long)r.b.meta[0].sample);
    }
    CHECK_EQ_INT(r.a.tx_start[0], 3000);

    sn_phy_counters ca, cb;
    sn_phy_get_counters(r.a.phy, &ca);
    sn_phy_get_counters(r.b.phy, &cb);
    CHECK_EQ_INT(ca.tx_frames, 1);
    CHECK_EQ_INT(ca.tx_bytes, len);
    CHECK_EQ_INT(ca.tx_samples, nsamp);
    CHECK_EQ_INT(cb.rx_frames, 1);
    CHECK_EQ_INT(cb.rx_bytes, len);
    CHECK_EQ_INT(cb.rx_samples, nsamp + 2 * SN_MEDIUM_GUARD);
    CHECK_EQ_INT(cb.rx_drop_crc + cb.rx_drop_header + cb.rx_drop_nobuf, 0);
    CHECK_EQ_INT(sn_pcap_tap_records(r.tap_a), 1);
    CHECK_EQ_INT(sn_pcap_tap_records(r.tap_b), 1);
    char pa[512], pb[512];
    snprintf(pa, sizeof pa, "%s", sn_pcap_tap_path(r.tap_a));
    snprintf(pb, sizeof pb, "%s", sn_pcap_tap_path(r.tap_b));
    rig_down(&r);

    static rec rr[4];
    CHECK_EQ_INT(read_pcap(pa, rr, 4), 1);
    /* sent: stamped at the burst start; dlt, freq, duration, no SNR */
    CHECK_EQ_INT(rr[0].ts, t0);
    CHECK_EQ_INT(rr[0].ri.dlt, 1);
    CHECK(rr[0].ri.freq_hz == 433.92e6);
    CHECK(isnan(rr[0].ri.snr_db) && !rr[0].ri.crc_bad);
    CHECK_NEAR(rr[0].ri.duration_s, (double)nsamp / FS, 1e-12);
    CHECK_EQ_INT(rr[0].flen, len);
    CHECK_MEM(rr[0].frame, f, len);
    CHECK_EQ_INT(read_pcap(pb, rr, 4), 1);
    /* received: stamped at delivery, with the measurements */
    CHECK_EQ_INT(rr[0].ts, t_end);
    CHECK_EQ_INT(rr[0].ri.dlt, 1);
    CHECK_NEAR(rr[0].ri.snr_db, 20.0, 3.0);
    CHECK(isfinite(rr[0].ri.power_db) && isfinite(rr[0].ri.noise_db));
    CHECK(isfinite(rr[0].ri.freq_ofs_hz) && rr[0].ri.quality > 0 && rr[0].ri.quality <= 1);
    CHECK(!rr[0].ri.crc_bad);
    CHECK_EQ_INT(rr[0].flen, len);
    CHECK_MEM(rr[0].frame, f, len);
}

static void test_queue_back_to_back(void)
{
    rig r;
    rig_up(&r, "phy_queue", "qpsk", 3);
    uint8_t f[8][300];
    size_t len[8];
    for (int i = 0; i < 8; i++)
        len[i] = make_frame(f[i], 40 + 30 * (size_t)i, (uint8_t)i);
    /* at t = 0: one goes on the air, 3 wait, the rest are dropped */
    for (int i = 0; i < 6; i++) {
        int rc = sn_phy_send(r.a.phy, pkt_of(r.pool, f[i], len[i]));
        CHECK_EQ_INT(rc, i < 4 ? SN_OK : SN_ERR_NOBUFS);
    }
    /* too long: refused; an empty frame (header-only burst) is a frame
     * like another: the queue is full */
    sn_pkt *big = sn_pkt_alloc(r.pool, 0);
    CHECK(big && sn_pkt_put(big, 1601) != NULL);
    CHECK_EQ_INT(sn_phy_send(r.a.phy, big), SN_ERR_RANGE);
    CHECK_EQ_INT(sn_phy_send(r.a.phy, sn_pkt_alloc_tx(r.pool)), SN_ERR_NOBUFS);
    CHECK_EQ_INT(sn_phy_send(r.a.phy, NULL), SN_ERR_INVAL);
    CHECK(sn_phy_busy(r.a.phy));
    sn_sched_run(r.s, SN_TIME_NEVER, 0);
    CHECK(!sn_phy_busy(r.a.phy));

    CHECK_EQ_INT(r.a.ntx, 4);
    CHECK_EQ_INT(r.a.tx_start[0], 0);
    for (int i = 1; i < 4 && i < r.a.ntx; i++) {
        /* each starts where the one before ended: no overlap, no gap */
        uint64_t prev_end = r.a.tx_start[i - 1] + r.a.tx_count[i - 1];
        CHECK_NEAR((double)r.a.tx_start[i], (double)prev_end, 1.0);
    }
    CHECK_EQ_INT(r.b.n, 4);
    for (int i = 0; i < 4 && i < r.b.n; i++) {
        CHECK_EQ_INT(r.b.len[i], len[i]);
        CHECK_MEM(r.b.data[i], f[i], len[i]);
        CHECK_NEAR((double)r.b.meta[i].sample, (double)r.a.tx_start[i], 2.0);
    }
    sn_phy_counters c;
    sn_phy_get_counters(r.a.phy, &c);
    CHECK_EQ_INT(c.tx_frames, 4);
    CHECK_EQ_INT(c.tx_drop_queue_full, 3);
    CHECK_EQ_INT(c.tx_drop_too_long, 1);

    /* destroying a phy with frames still queued frees them */
    for (int i = 0; i < 3; i++)
        sn_phy_send(r.a.phy, pkt_of(r.pool, f[i], len[i]));
    CHECK(sn_phy_busy(r.a.phy));
    rig_down(&r);
}

/* Carrier sense: idle before a burst; at the receiver busy while it is on
 * the air (energy), at the sender busy while it transmits; idle after. */
static void test_carrier(void)
{
    rig r;
    rig_up(&r, "phy_carrier", "qpsk", 4);
    double pw = 0;
    CHECK_EQ_INT(sn_phy_carrier(NULL, 0, &pw), SN_ERR_INVAL);
    CHECK(isnan(pw));
    /* start the burst at 1 ms, not at 0, to see the channel idle first */
    sn_sched_run(r.s, 1000000, 0);
    sn_time_t t0 = sn_sched_now(r.s);
    CHECK_EQ_INT(sn_phy_carrier(r.a.phy, t0, &pw), 0);
    CHECK_EQ_INT(sn_phy_carrier(r.b.phy, t0, &pw), 0);
    CHECK(isfinite(pw) && pw < SN_MEDIUM_NOISE_DB + SN_MEDIUM_CARRIER_DB);
    uint8_t f[300];
    size_t len = make_frame(f, 200, 1);
    CHECK_EQ_INT(sn_phy_send(r.a.phy, pkt_of(r.pool, f, len)), SN_OK);
    CHECK_EQ_INT(r.a.ntx, 1);
    /* [ns] airtime of the burst */
    sn_time_t air = (sn_time_t)llround((double)r.a.tx_count[0] * 1e9 / FS);
    sn_sched_run(r.s, t0 + air / 2, 0);
    sn_time_t mid = sn_sched_now(r.s);
    CHECK_EQ_INT(sn_phy_carrier(r.b.phy, mid, &pw), 1); /* energy: 20 dB link */
    CHECK(pw > SN_MEDIUM_NOISE_DB + 15.0);
    CHECK_EQ_INT(sn_phy_carrier(r.a.phy, mid, NULL), 1); /* it is sending */
    /* past the burst's end (and the receiver's guard): idle everywhere */
    sn_sched_run(r.s, SN_TIME_NEVER, 0);
    sn_time_t end = sn_sched_now(r.s);
    CHECK(end >= t0 + air);
    CHECK_EQ_INT(r.b.n, 1);
    CHECK_EQ_INT(sn_phy_carrier(r.a.phy, end, NULL), 0);
    CHECK_EQ_INT(sn_phy_carrier(r.b.phy, end, &pw), 0);
    rig_down(&r);
}

/* A low-SNR link: frames fail their CRC; they are captured (marked) and
 * counted, not delivered. */
static void test_crc_failures(void)
{
    rig r;
    rig_up(&r, "phy_crc", "qam64-2/3", 64); /* needs about 17 dB */
    CHECK_EQ_INT(sn_medium_set_link(r.m, 0, 1, 9.0, 500.0), SN_OK);
    uint8_t f[1600];
    size_t len = make_frame(f, 1000, 3);
    for (int i = 0; i < 20; i++)
        CHECK_EQ_INT(sn_phy_send(r.a.phy, pkt_of(r.pool, f, len)), SN_OK);
    sn_sched_run(r.s, SN_TIME_NEVER, 0);
    sn_phy_counters c;
    sn_phy_get_counters(r.b.phy, &c);
    printf("  9 dB qam64-2/3: %llu ok, %llu CRC failed, %llu header failed\n",
           (unsigned long long)c.rx_frames, (unsigned long long)c.rx_drop_crc,
           (unsigned long long)c.rx_drop_header);
    CHECK(c.rx_drop_crc > 0);
    CHECK_EQ_INT((uint64_t)r.b.n, c.rx_frames);
    CHECK_EQ_INT(sn_pcap_tap_records(r.tap_b), c.rx_frames + c.rx_drop_crc);
    CHECK_EQ_INT((uint64_t)r.b.nrx, c.rx_frames + c.rx_drop_crc);
    for (int i = 0; i < r.b.n; i++)
        CHECK_MEM(r.b.data[i], f, len);
    char pb[512];
    snprintf(pb, sizeof pb, "%s", sn_pcap_tap_path(r.tap_b));
    rig_down(&r);
    static rec rr[MAXR];
    int n = read_pcap(pb, rr, MAXR);
    int bad = 0;
    double cfo_sum = 0;
    for (int i = 0; i < n; i++) {
        bad += rr[i].ri.crc_bad;
        CHECK_EQ_INT(rr[i].flen, len); /* damaged frames keep their length */
        /* one frame's estimate at 9 dB scatters by ~100 Hz (one sigma) */
        CHECK_NEAR(rr[i].ri.freq_ofs_hz, 500.0, 400.0);
        cfo_sum += rr[i].ri.freq_ofs_hz;
    }
    CHECK(n > 0);
    if (n > 0)
        CHECK_NEAR(cfo_sum / n, 500.0, 100.0);
    CHECK_EQ_INT((uint64_t)bad, c.rx_drop_crc);
}

static void test_pool_empty(void)
{
    rig r;
    rig_up(&r, "phy_pool", "bpsk", 8);
    r.b.hold = 1;
    uint8_t f[100];
    size_t len = make_frame(f, 20, 1);
    /* B keeps what it gets until the pool is empty */
    for (int round = 0; round < 70 && sn_pktpool_in_use(r.pool) < sn_pktpool_capacity(r.pool);
         round++) {
        CHECK_EQ_INT(sn_phy_send(r.a.phy, pkt_of(r.pool, f, len)), SN_OK);
        sn_sched_run(r.s, SN_TIME_NEVER, 0);
    }
    CHECK_EQ_INT(sn_pktpool_in_use(r.pool), sn_pktpool_capacity(r.pool));
    /* a frame from another pool: B has no buffer to receive it into */
    sn_pktpool *other = sn_pktpool_create(2, 2048);
    CHECK_EQ_INT(sn_phy_send(r.a.phy, pkt_of(other, f, len)), SN_OK);
    sn_sched_run(r.s, SN_TIME_NEVER, 0);
    CHECK_EQ_INT(sn_pktpool_in_use(other), 0);
    sn_pktpool_destroy(other);
    sn_phy_counters c;
    sn_phy_get_counters(r.b.phy, &c);
    CHECK(c.rx_drop_nobuf >= 1);
    CHECK_EQ_INT((uint64_t)r.b.n, c.rx_frames);
    rig_down(&r);
    CHECK(sn_phy_create(NULL, NULL, NULL, NULL, NULL, NULL, NULL) == NULL);
    sn_phy_destroy(NULL);
}

/* tshark (when installed) dissects the capture: RFtap with its SNR, the
 * frame as Ethernet with the FCS recognised, nothing malformed. */
static void test_tshark(void)
{
    if (system("command -v tshark >/dev/null 2>&1") != 0) {
        printf("  tshark not installed: skipped\n");
        return;
    }
    rig r;
    rig_up(&r, "phy_tshark", "qpsk", 8);
    uint8_t f[200];
    size_t len = make_frame(f, 100, 9);
    /* an ARP request: 28 bytes padded to 60, then the FCS */
    uint8_t arp[64] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x06,
                       0, 1, 0x08, 0, 6, 4, 0, 1, 0x02, 0, 0, 0, 0, 0x01, 10, 0, 0, 1,
                       0, 0, 0, 0, 0, 0, 10, 0, 0, 2};
    uint32_t fcs = crc32_ieee(arp, 60);
    for (int i = 0; i < 4; i++)
        arp[60 + i] = (uint8_t)(fcs >> (8 * i));
    CHECK_EQ_INT(sn_phy_send(r.a.phy, pkt_of(r.pool, f, len)), SN_OK);
    CHECK_EQ_INT(sn_phy_send(r.a.phy, pkt_of(r.pool, arp, sizeof arp)), SN_OK);
    sn_sched_run(r.s, SN_TIME_NEVER, 0);
    CHECK_EQ_INT(r.b.n, 2);
    char pa[512], pb[512];
    snprintf(pa, sizeof pa, "%s", sn_pcap_tap_path(r.tap_a));
    snprintf(pb, sizeof pb, "%s", sn_pcap_tap_path(r.tap_b));
    rig_down(&r);

    /* both directions' captures; eth.check_fcs so the FCS gets verified */
    const char *paths[2] = {pa, pb};
    for (int k = 0; k < 2; k++) {
        char cmd[1400], line[1024];
        snprintf(cmd, sizeof cmd,
                 "tshark -r '%s' -o eth.check_fcs:TRUE -T fields -E separator='|' "
                 "-e rftap.dlt -e rftap.snr -e rftap.freq -e eth.fcs -e eth.fcs.status "
                 "-e frame.protocols -e _ws.malformed -e _ws.expert 2>/dev/null",
                 paths[k]);
        FILE *p = popen(cmd, "r");
        CHECK(p != NULL);
        if (!p)
            return;
        int lines = 0;
        while (fgets(line, sizeof line, p)) {
            line[strcspn(line, "\n")] = 0;
            printf("  tshark %s: %s\n", k ? "rx" : "tx", line);
            char *fld[8] = {0};
            char *s = line;
            for (int i = 0; i < 8 && s; i++) {
                fld[i] = s;
                s = strchr(s, '|');
                if (s)
                    *s++ = 0;
            }
            CHECK(fld[0] && !strcmp(fld[0], "1")); /* rftap.dlt */
            if (k == 1)
                CHECK(fld[1] && fabs(atof(fld[1]) - 20.0) <= 3.0); /* rftap.snr */
            else
                CHECK(fld[1] && fld[1][0] == 0); /* sent: no SNR */
            CHECK(fld[2] && atof(fld[2]) == 433.92e6);
            CHECK(fld[3] && !strncmp(fld[3], "0x", 2)); /* eth.fcs */
            CHECK(fld[4] && !strcmp(fld[4], "1"));      /* eth.fcs.status: Good */
            CHECK(fld[5] && (strstr(fld[5], "eth:ethertype:ip:udp") ||
                             strstr(fld[5], "eth:ethertype:arp")));
            CHECK(fld[6] && fld[6][0] == 0); /* not malformed */
            CHECK(fld[7] && fld[7][0] == 0); /* no expert info at all */
            lines++;
        }
        pclose(p);
        CHECK_EQ_INT(lines, 2);
    }
}

int main(void)
{
    TEST_RUN(test_one_frame);
    TEST_RUN(test_queue_back_to_back);
    TEST_RUN(test_carrier);
    TEST_RUN(test_crc_failures);
    TEST_RUN(test_pool_empty);
    TEST_RUN(test_tshark);
    TEST_DONE();
}
