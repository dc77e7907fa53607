/* Fuzz target for mac/bridge: arbitrary frames on random ports of a 3-port
 * switch (or hub) with a 4-entry table and 10 s ageing, with time jumping
 * between frames so entries age, the table fills and stations move. The
 * ports' lower layer is a sink. Asserts: no crash, the table stays within
 * its bound and names only real ports, and every pool buffer comes back.
 *
 * Input: byte 0 chooses the mode (bit 0: hub). Then records:
 *   b0: bits 0-1 ingress port (mod 3); bit 2: header from b1 instead of
 *       the data; bit 3: keep the data's last 4 bytes as FCS (else a good
 *       FCS is appended); bits 4-7: seconds to advance the clock first
 *   b1: bits 0-3 source, bits 4-7 destination, from a small address set
 *       (so sources repeat, collide, move and age)
 *   b2: data length, then that many data bytes
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/pkt.h"
#include "core/sched.h"
#include "mac/bridge.h"
#include "mac/frame.h"
#include "mac/netif.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPORTS 3
#define TABLE 4

static const uint8_t addrs[16][6] = {
    {0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf1}, {0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf2},
    {0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf3}, {0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf4},
    {0x02, 0, 0, 0, 0, 1},                {0x02, 0, 0, 0, 0, 2},
    {0x02, 0, 0, 0, 0, 3},                {0x02, 0, 0, 0, 0, 4},
    {0x02, 0, 0, 0, 0, 5},                {0x02, 0, 0, 0, 0, 6},
    {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01},
    {0x01, 0x80, 0xc2, 0x00, 0x00, 0x00}, {0x01, 0x80, 0xc2, 0x00, 0x00, 0x0f},
    {0x01, 0x80, 0xc2, 0x00, 0x00, 0x10}, {0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
};

/* The wire below each port: counts and frees (takes ownership). */
static int sink_send(void *lower, sn_pkt *frame)
{
    (*(uint64_t *)lower)++;
    sn_pkt_free(frame);
    return SN_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    sn_sched *s = sn_sched_create();
    sn_pktpool *pool = sn_pktpool_create(16, 2048);
    sn_netif *nif[NPORTS] = {0};
    uint64_t sent[NPORTS] = {0};
    sn_bridge_config cfg = {.name = "fz", .mode = (data[0] & 1) ? SN_BRIDGE_HUB : SN_BRIDGE_SWITCH,
                            .ageing = 10 * SN_NS_PER_S, .table_size = TABLE};
    sn_bridge *b = (s && pool) ? sn_bridge_create(&cfg, s, pool) : NULL;
    if (!b)
        abort();
    for (int i = 0; i < NPORTS; i++) {
        sn_netif_config c = {.name = "p", .mac = {{0x02, 0xff, 0, 0, 0, (uint8_t)i}}, .mtu = 1500};
        nif[i] = sn_netif_create(&c, sink_send, &sent[i], NULL);
        if (!nif[i] || sn_bridge_add_port(b, nif[i]) != i + 1)
            abort();
    }

    size_t off = 1;
    while (off + 3 <= size) {
        uint8_t b0 = data[off], b1 = data[off + 1];
        size_t n = data[off + 2];
        off += 3;
        if (n > size - off)
            n = size - off;
        sn_sched_run(s, sn_sched_now(s) + (sn_time_t)(b0 >> 4) * SN_NS_PER_S, 0);
        sn_pkt *p = sn_pkt_alloc_tx(pool);
        if (!p)
            abort(); /* every earlier frame must have been freed */
        if (b0 & 4) {
            sn_eth_hdr h = {.ethertype = 0x88b5};
            memcpy(h.src.b, addrs[b1 & 15], 6);
            memcpy(h.dst.b, addrs[b1 >> 4], 6);
            sn_eth_emit(sn_pkt_put(p, SN_ETH_HDR_LEN), &h);
        }
        if (sn_pkt_append(p, data + off, n) != SN_OK)
            abort();
        off += n;
        if (!(b0 & 8)) {
            size_t len = sn_pkt_len(p);
            sn_pkt_put(p, SN_ETH_FCS_LEN);
            sn_eth_fcs_put(sn_pkt_data(p), len);
        }
        sn_netif_input(nif[(b0 & 3) % NPORTS], p, sn_sched_now(s)); /* takes it */

        sn_bridge_entry t[TABLE + 1];
        size_t cnt = sn_bridge_table(b, sn_sched_now(s), t, TABLE + 1);
        if (cnt > TABLE || (cfg.mode == SN_BRIDGE_HUB && cnt))
            abort();
        for (size_t i = 0; i < cnt; i++)
            if (t[i].port < 1 || t[i].port > NPORTS || t[i].age < 0 ||
                sn_mac_is_multicast(&t[i].mac))
                abort();
        if (sn_pktpool_in_use(pool) != 0)
            abort();
    }
    sn_sched_run(s, sn_sched_now(s) + 20 * SN_NS_PER_S, 0);
    if (cfg.mode == SN_BRIDGE_SWITCH && sn_bridge_table(b, sn_sched_now(s), NULL, 0) != 0)
        abort(); /* everything aged out */

    sn_bridge_destroy(b);
    if (sn_sched_pending(s) != 0)
        abort();
    for (int i = 0; i < NPORTS; i++)
        sn_netif_destroy(nif[i]);
    if (sn_pktpool_in_use(pool) != 0)
        abort();
    sn_pktpool_destroy(pool);
    sn_sched_destroy(s);
    return 0;
}
