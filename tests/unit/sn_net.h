/* A small simulated IPv4 network for the stack tests (no PHY), on the
 * virtual clock: nodes with a full net/ipv4 + ICMP + UDP stack whose
 * interfaces are the ends of sn_wire.h wires, and the usual topology
 *
 *   A 192.168.1.10/24 -- R (192.168.1.1 | 192.168.2.1, forwarding) -- B
 *   192.168.2.20/24
 *
 * Each node listens on UDP port 5000 and keeps the last datagram it got
 * (up to the capacity given at init), so a test can check what arrived.
 * Failures to build the network are CHECK failures of the calling test. */
#ifndef SN_TEST_NET_H
#define SN_TEST_NET_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/pkt.h"
#include "core/sched.h"
#include "mac/netif.h"
#include "net/icmp.h"
#include "net/ipv4.h"
#include "net/udp.h"
#include "sn_test.h"
#include "sn_wire.h"

#define NET_MAX_IF 3 /* interfaces per node: a router with three links */

typedef struct net_node {
    sn_sched *s;
    sn_pktpool *pool;
    wire_end end[NET_MAX_IF]; /* end[k] is interface k's side of its wire */
    sn_netif *nif[NET_MAX_IF];
    sn_ip4 addr[NET_MAX_IF];
    size_t n_if;
    sn_ipv4 *ip;
    sn_icmp *icmp; /* owned by ip */
    sn_udp *udp;
    sn_udp_sock *sock; /* port 5000 */
    /* the last UDP datagram (or, for tests that keep them, echo reply) */
    int got;          /* UDP datagrams received on port 5000 */
    int replies;      /* echo replies counted by the test's own handler */
    uint16_t reply_seq;
    uint8_t *last;    /* last_cap bytes */
    size_t last_cap;  /* [bytes] kept of a datagram, the rest is cut */
    size_t last_len;  /* [bytes] */
    sn_ip4 last_src;  /* source of the last UDP datagram */
} net_node;

static inline sn_ip4 net_ip4(const char *s)
{
    sn_ip4 a = 0;
    sn_ip4_parse(s, &a);
    return a;
}

static inline uint64_t net_ip_stat(const net_node *n, const char *name)
{
    sn_stat s[SN_STATS_MAX];
    return sn_test_stat(s, sn_ipv4_stats(n->ip, s, SN_STATS_MAX), name);
}

static inline uint64_t net_icmp_stat(const net_node *n, const char *name)
{
    sn_stat s[SN_STATS_MAX];
    return sn_test_stat(s, sn_icmp_stats(n->icmp, s, SN_STATS_MAX), name);
}

/* Keep up to last_cap bytes of `data` as the node's last payload. */
static inline void net_keep(net_node *n, const uint8_t *data, size_t len)
{
    n->last_len = len < n->last_cap ? len : n->last_cap;
    if (n->last_len)
        memcpy(n->last, data, n->last_len);
}

static inline void net_on_udp(void *user, sn_udp_sock *s, sn_ip4 src, uint16_t sport,
                              sn_ip4 dst, const uint8_t *data, size_t len,
                              const sn_pkt_meta *meta)
{
    (void)s, (void)sport, (void)dst, (void)meta;
    net_node *n = user;
    n->got++;
    net_keep(n, data, len);
    n->last_src = src;
}

/* A node on scheduler `s` with no interfaces yet, keeping up to `last_cap`
 * [bytes] of the last datagram. Undo with net_node_fini. */
static inline void net_node_init(net_node *n, sn_sched *s, size_t last_cap)
{
    memset(n, 0, sizeof *n);
    n->s = s;
    n->pool = sn_pktpool_create(128, 2048);
    n->ip = sn_ipv4_create(s, n->pool);
    n->icmp = n->ip ? sn_ipv4_icmp(n->ip) : NULL;
    n->udp = sn_udp_create(n->ip, n->pool, NULL, 7);
    n->sock = sn_udp_open(n->udp, 5000, net_on_udp, n, "t", NULL);
    n->last = malloc(last_cap);
    n->last_cap = n->last ? last_cap : 0;
    CHECK(n->pool && n->ip && n->udp && n->sock && n->last);
}

/* Add interface k (the next free one) with MAC aa:bb:cc:dd:<id>:<k>,
 * address "a.b.c.d/len" and MTU `mtu` [bytes]; it is ip's interface k. */
static inline void net_node_if(net_node *n, uint8_t id, const char *cidr, unsigned mtu)
{
    CHECK(n->n_if < NET_MAX_IF);
    if (n->n_if >= NET_MAX_IF)
        return;
    size_t k = n->n_if++;
    wire_end *e = &n->end[k];
    e->s = n->s;
    e->min_len = SIZE_MAX;
    /* deeper than wire_init's: a 65507-byte echo is 45 fragments at once */
    sn_pktq_init(&e->inflight, 256);
    sn_netif_config c = {.name = "eth", .mtu = mtu,
                         .mac = {{0xaa, 0xbb, 0xcc, 0xdd, id, (uint8_t)k}}};
    n->nif[k] = sn_netif_create(&c, wire_send, e, NULL);
    e->nif = n->nif[k];
    int len = 0;
    sn_ip4_parse_prefix(cidr, &n->addr[k], &len);
    CHECK_EQ_INT(sn_ipv4_add_iface(n->ip, n->nif[k], n->addr[k], len, NULL), (int)k);
}

/* Wire a's interface ka to b's interface kb. */
static inline void net_link(net_node *a, size_t ka, net_node *b, size_t kb)
{
    a->end[ka].peer = &b->end[kb];
    b->end[kb].peer = &a->end[ka];
}

/* Destroy the node; every packet must be back in its pool (CHECK). */
static inline void net_node_fini(net_node *n)
{
    sn_udp_destroy(n->udp);
    sn_ipv4_destroy(n->ip);
    for (size_t k = 0; k < n->n_if; k++) {
        sn_netif_destroy(n->nif[k]);
        sn_pktq_clear(&n->end[k].inflight);
    }
    CHECK_EQ_INT(sn_pktpool_in_use(n->pool), 0); /* nothing leaked */
    sn_pktpool_destroy(n->pool);
    free(n->last);
}

/* The A -- R -- B network above on a new scheduler (returned, owned by the
 * caller, freed by net_teardown); the R-B link has MTU `far_mtu` [bytes],
 * the A-R link 1500. Each node keeps up to `last_cap` [bytes]. */
static inline sn_sched *net_setup(net_node *a, net_node *r, net_node *b, unsigned far_mtu,
                                  size_t last_cap)
{
    sn_sched *s = sn_sched_create();
    CHECK(s != NULL);
    net_node_init(a, s, last_cap);
    net_node_init(r, s, last_cap);
    net_node_init(b, s, last_cap);
    net_node_if(a, 0x0a, "192.168.1.10/24", 1500);
    net_node_if(r, 0x01, "192.168.1.1/24", 1500);
    net_node_if(r, 0x01, "192.168.2.1/24", far_mtu);
    net_node_if(b, 0x0b, "192.168.2.20/24", far_mtu);
    net_link(a, 0, r, 0);
    net_link(r, 1, b, 0);
    sn_ipv4_set_forwarding(r->ip, 1);
    CHECK_EQ_INT(sn_ipv4_set_default_gw(a->ip, net_ip4("192.168.1.1")), SN_OK);
    CHECK_EQ_INT(sn_ipv4_set_default_gw(b->ip, net_ip4("192.168.2.1")), SN_OK);
    return s;
}

static inline void net_teardown(sn_sched *s, net_node *a, net_node *r, net_node *b)
{
    net_node_fini(a);
    net_node_fini(r);
    net_node_fini(b);
    sn_sched_destroy(s);
}

/* The lines an app (ping, traceroute) printed, kept for checks: up to
 * NET_MAX_LINES of them, each cut to 199 characters. */
#define NET_MAX_LINES 64

typedef struct net_lines {
    char text[NET_MAX_LINES][200];
    size_t n;
} net_lines;

/* An app's line callback; `user` is a net_lines. */
static inline void net_on_line(void *user, const char *line)
{
    net_lines *l = user;
    if (l->n < NET_MAX_LINES)
        snprintf(l->text[l->n++], sizeof l->text[0], "%s", line);
}

/* 1 if some line contains `s`. */
static inline int net_has_line(const net_lines *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strstr(l->text[i], s))
            return 1;
    return 0;
}

/* Run the scheduler for `dt` [ns] of virtual time. */
static inline void net_run_for(sn_sched *s, sn_time_t dt)
{
    sn_sched_run(s, sn_sched_now(s) + dt, 0);
}

#endif
