/* net/arp: announcements when an interface comes up (RFC 5227 2.3: two, 2 s
 * apart) and address-conflict handling (RFC 5227 2.4), on the virtual
 * clock with a netif whose lower layer records what is sent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/pkt.h"
#include "core/sched.h"
#include "mac/frame.h"
#include "mac/netif.h"
#include "net/arp.h"
#include "net/arp_wire.h"
#include "sn_test.h"

#define MAXF 16

typedef struct wire {
    sn_sched *s;
    int n;
    sn_time_t t[MAXF];
    sn_eth_hdr eth[MAXF];
    sn_arp_pkt arp[MAXF];
} wire;

static int wire_send(void *lower, sn_pkt *frame)
{
    wire *w = lower;
    if (w->n < MAXF && sn_pkt_len(frame) >= SN_ETH_HDR_LEN + SN_ARP_LEN) {
        w->t[w->n] = sn_sched_now(w->s);
        sn_eth_parse(sn_pkt_data(frame), sn_pkt_len(frame), &w->eth[w->n]);
        sn_arp_parse(sn_pkt_data(frame) + SN_ETH_HDR_LEN, SN_ARP_LEN, &w->arp[w->n]);
        w->n++;
    }
    sn_pkt_free(frame);
    return SN_OK;
}

static const sn_ip4 MY_IP = 0xc0a8010a; /* 192.168.1.10 */

static sn_pkt *arp_pkt(sn_pktpool *pool, uint16_t op, const sn_mac_addr *sha, sn_ip4 spa,
                       sn_ip4 tpa)
{
    sn_pkt *p = sn_pkt_alloc_tx(pool);
    if (!p)
        return NULL;
    sn_arp_pkt a = {.op = op, .sha = *sha, .spa = spa, .tpa = tpa};
    sn_arp_emit(sn_pkt_put(p, SN_ARP_LEN), &a);
    return p;
}

static void test_announce(void)
{
    wire w = {0};
    w.s = sn_sched_create();
    sn_pktpool *pool = sn_pktpool_create(32, 2048);
    sn_netif_config nc = {.name = "rf0", .mac = {{0x02, 0, 0, 0, 1, 1}}, .mtu = SN_ETH_MTU};
    sn_netif *nif = sn_netif_create(&nc, wire_send, &w, NULL);
    sn_arp *a = sn_arp_create(NULL, w.s, pool, nif, MY_IP);
    CHECK(a != NULL);
    sn_sched_run(w.s, sn_time_from_s(0.5), 0);
    CHECK_EQ_INT(sn_arp_announce(a), SN_OK);
    sn_sched_run(w.s, sn_time_from_s(10), 0);
    CHECK_EQ_INT(w.n, 2);
    for (int i = 0; i < w.n && i < 2; i++) {
        CHECK(sn_mac_is_broadcast(&w.eth[i].dst));
        CHECK_EQ_INT(w.eth[i].ethertype, SN_ETHERTYPE_ARP);
        CHECK_EQ_INT(w.arp[i].op, SN_ARP_OP_REQUEST);
        CHECK_EQ_INT(w.arp[i].spa, MY_IP);
        CHECK_EQ_INT(w.arp[i].tpa, MY_IP);
        static const sn_mac_addr zero;
        CHECK(sn_mac_equal(&w.arp[i].tha, &zero));
        CHECK(sn_mac_equal(&w.arp[i].sha, &nc.mac));
    }
    CHECK_EQ_INT(w.t[0], sn_time_from_s(0.5));
    CHECK_EQ_INT(w.t[1] - w.t[0], 2 * SN_NS_PER_S);
    /* a second round restarts (and replaces) the first */
    w.n = 0;
    sn_arp_announce(a);
    sn_sched_run(w.s, sn_sched_now(w.s) + sn_time_from_s(1), 0);
    sn_arp_announce(a);
    sn_sched_run(w.s, sn_sched_now(w.s) + sn_time_from_s(10), 0);
    CHECK_EQ_INT(w.n, 3);
    CHECK_EQ_INT(sn_arp_announce(NULL), SN_ERR_INVAL);
    sn_arp_destroy(a); /* cancels a pending announcement */
    sn_netif_destroy(nif);
    CHECK_EQ_INT(sn_pktpool_in_use(pool), 0);
    sn_pktpool_destroy(pool);
    sn_sched_destroy(w.s);
}

static uint64_t stat(const sn_arp *a, const char *name)
{
    sn_stat s[SN_STATS_MAX];
    size_t n = sn_arp_stats(a, s, SN_STATS_MAX);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s[i].name, name))
            return s[i].value;
    return 0xdeadbeef;
}

static void test_conflict(void)
{
    wire w = {0};
    w.s = sn_sched_create();
    sn_pktpool *pool = sn_pktpool_create(32, 2048);
    sn_netif_config nc = {.name = "rf0", .mac = {{0x02, 0, 0, 0, 1, 1}}, .mtu = SN_ETH_MTU};
    sn_netif *nif = sn_netif_create(&nc, wire_send, &w, NULL);
    sn_arp *a = sn_arp_create(NULL, w.s, pool, nif, MY_IP);
    sn_mac_addr intruder = {{0x02, 0, 0, 0, 9, 9}};
    /* another station announces our address: counted, defended once, not learned */
    sn_arp_input(a, arp_pkt(pool, SN_ARP_OP_REQUEST, &intruder, MY_IP, MY_IP));
    CHECK_EQ_INT(stat(a, "drop_conflict"), 1);
    CHECK_EQ_INT(w.n, 1);
    CHECK_EQ_INT(w.arp[0].spa, MY_IP);
    CHECK(sn_mac_equal(&w.arp[0].sha, &nc.mac));
    sn_mac_addr m;
    CHECK_EQ_INT(sn_arp_lookup(a, MY_IP, &m), SN_ERR_NOENT);
    /* again within 10 s: no second defence */
    sn_sched_run(w.s, sn_time_from_s(5), 0);
    sn_arp_input(a, arp_pkt(pool, SN_ARP_OP_REPLY, &intruder, MY_IP, 0xc0a80114));
    CHECK_EQ_INT(stat(a, "drop_conflict"), 2);
    CHECK_EQ_INT(w.n, 1);
    /* after DEFEND_INTERVAL: defended again */
    sn_sched_run(w.s, sn_time_from_s(11), 0);
    sn_arp_input(a, arp_pkt(pool, SN_ARP_OP_REQUEST, &intruder, MY_IP, MY_IP));
    CHECK_EQ_INT(w.n, 2);
    /* our own address from our own MAC (an echo) is no conflict */
    sn_arp_input(a, arp_pkt(pool, SN_ARP_OP_REQUEST, &nc.mac, MY_IP, MY_IP));
    CHECK_EQ_INT(stat(a, "drop_conflict"), 3);
    CHECK_EQ_INT(sn_arp_lookup(a, MY_IP, &m), SN_ERR_NOENT);
    sn_arp_destroy(a);
    sn_netif_destroy(nif);
    CHECK_EQ_INT(sn_pktpool_in_use(pool), 0);
    sn_pktpool_destroy(pool);
    sn_sched_destroy(w.s);
}

int main(void)
{
    TEST_RUN(test_announce);
    TEST_RUN(test_conflict);
    TEST_DONE();
}
