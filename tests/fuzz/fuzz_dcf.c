/* Fuzz target for mac/dcf: arbitrary (control word, frame) pairs from the
 * PHY, interleaved with frames to send and time advancing, on one station
 * with a real PHY on a simulated medium (no other station: every unicast
 * ends at the retry limit unless the input supplies its ACK). Asserts: no
 * crash, counters consistent (every frame handed over is accounted for),
 * and every pool buffer comes back.
 *
 * Input: records
 *   b0 bits 0-1: 0 a frame from the PHY: 4 bytes control word (big-endian),
 *                  1 byte length, that many bytes (the first 6 may be
 *                  replaced by our address: b0 bit 2);
 *                1 a frame to send: b1 bits 0-5 length - 14 (+14), bit 7
 *                  broadcast;
 *                2 advance the clock by b1 * 37 us;
 *                3 an ACK for the frame in service (b1 bit 0: wrong hash,
 *                  bit 1: wrong sequence)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/pkt.h"
#include "core/sched.h"
#include "mac/dcf.h"
#include "phy/medium.h"
#include "phy/phy.h"
#include "phy/radio_sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t delivered, done_count;

static void on_rx(void *user, sn_pkt *f)
{
    (void)user;
    delivered++;
    sn_pkt_free(f);
}

static void on_done(void *user, const sn_pkt *f, int status, unsigned attempts, int rate)
{
    (void)user;
    (void)status;
    (void)rate;
    if (!f || attempts > 8)
        abort();
    done_count++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    delivered = done_count = 0;
    /* the medium and the PHY are built once (building a modem costs more
     * than a run); each input ends with the PHY idle and its queue empty,
     * so what one input leaves behind is only the clock's position */
    static sn_sched *s;
    static sn_medium *m;
    static sn_pktpool *pool;
    static sn_radio *radio;
    static sn_phy *phy;
    sn_phy_config pc;
    sn_phy_config_default(&pc);
    if (!s) {
        s = sn_sched_create();
        m = s ? sn_medium_create(s, 1e6, 1) : NULL;
        pool = sn_pktpool_create(48, 2048);
        radio = m ? sn_radio_sim_create(m) : NULL;
        phy = radio && pool ? sn_phy_create(&pc, s, pool, radio, NULL, NULL, NULL) : NULL;
    }
    sn_mac_addr me = {{0x02, 0, 0, 0, 0, 1}}, peer = {{0x02, 0, 0, 0, 0, 2}};
    sn_dcf_config dc;
    sn_dcf_config_default(&dc);
    dc.queue_len = 4;
    dc.retry_limit = 2;
    sn_dcf *d = phy ? sn_dcf_create(&dc, s, pool, phy, &pc.modem, &me, 1) : NULL;
    if (!d)
        abort();
    sn_dcf_set_rx(d, on_rx, NULL);
    sn_dcf_set_done(d, on_done, NULL);

    size_t off = 0;
    uint64_t accepted = 0;
    unsigned seq_guess = 0;
    while (off < size) {
        uint8_t b0 = data[off++];
        uint8_t b1 = off < size ? data[off] : 0;
        switch (b0 & 3) {
        case 0: {
            if (size - off < 5)
                goto out;
            uint32_t ctrl = (uint32_t)data[off] << 24 | (uint32_t)data[off + 1] << 16 |
                            (uint32_t)data[off + 2] << 8 | data[off + 3];
            size_t n = data[off + 4];
            off += 5;
            if (n > size - off)
                n = size - off;
            sn_pkt *p = sn_pkt_alloc(pool, SN_PKT_HEADROOM);
            if (!p)
                abort(); /* every earlier buffer must have come back */
            if (sn_pkt_append(p, data + off, n) != SN_OK)
                abort();
            off += n;
            if ((b0 & 4) && n >= 6)
                memcpy(sn_pkt_data(p), me.b, 6);
            p->meta.phy_ctrl = ctrl;
            p->meta.phy_rate = (int)(b0 >> 3) - 8; /* also out of range */
            p->meta.sample = (uint64_t)b1 << (b0 >> 3);
            sn_dcf_input(d, p);
            break;
        }
        case 1: {
            off++;
            size_t n = 14 + (b1 & 63);
            sn_pkt *p = sn_pkt_alloc(pool, SN_PKT_HEADROOM);
            if (!p)
                abort();
            uint8_t *b = sn_pkt_put(p, n);
            memset(b, 0x11, n);
            memcpy(b, (b1 & 128) ? sn_mac_broadcast.b : peer.b, 6);
            memcpy(b + 6, me.b, 6);
            if (sn_dcf_send(d, p) == SN_OK)
                accepted++;
            break;
        }
        case 2:
            off++;
            sn_sched_run(s, sn_sched_now(s) + (sn_time_t)b1 * 37000, 0);
            break;
        default: {
            off++;
            sn_pkt *p = sn_pkt_alloc(pool, 0);
            if (!p)
                abort();
            unsigned hash = sn_dcf_addr_hash(&me) ^ (b1 & 1u);
            p->meta.phy_ctrl = sn_dcf_ctrl_make(SN_DCF_T_ACK, 0, seq_guess + ((b1 >> 1) & 1u), hash);
            seq_guess = (seq_guess + ((b1 >> 2) & 1u)) & SN_DCF_CTRL_SEQ_MASK;
            sn_dcf_input(d, p);
            break;
        }
        }
    }
out:
    /* let every frame reach its end (ACK or retry limit) */
    sn_sched_run(s, sn_sched_now(s) + 10 * SN_NS_PER_S, 0);
    sn_dcf_counters c;
    sn_dcf_get_counters(d, &c);
    if (sn_dcf_queued(d) != 0 || done_count != accepted || c.tx_frames != accepted)
        abort();
    if (c.tx_acked + c.tx_bcast + c.drop_retry_limit + c.drop_phy + c.drop_nobufs != accepted)
        abort();
    if (c.rx_data + c.rx_plain != delivered)
        abort();
    sn_dcf_destroy(d);
    if (sn_phy_busy(phy) || sn_pktpool_in_use(pool) != 0)
        abort();
    return 0;
}
