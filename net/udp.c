#include "net/udp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/rng.h"
#include "net/icmp.h"
#include "net/inet_csum.h"
#include "net/udp_wire.h"

struct sn_udp_sock {
    sn_udp *udp;
    int in_use;
    uint16_t port;
    char owner[32];
    sn_udp_recv_fn fn;
    void *user;
    sn_udp_error_fn err_fn;
    void *err_user;
    int has_error;
    sn_udp_error error; /* pending, see sn_udp_sock_error */
    uint64_t rx, tx;
};

enum udp_drop {
    DROP_NO_SOCKET = SN_UDP_RESULT_COUNT, /* after the parse reasons */
    DROP_TX_ERROR,
    DROP_ICMP_NO_SOCKET, /* ICMP error quoting a port no socket has */
    DROP_COUNT
};
static const char *const drop_names[DROP_COUNT] = {
    [SN_UDP_TRUNC] = "drop_trunc",
    [SN_UDP_BAD_LEN] = "drop_bad_len",
    [SN_UDP_BAD_CSUM] = "drop_bad_csum",
    [DROP_NO_SOCKET] = "drop_no_socket",
    [DROP_TX_ERROR] = "drop_tx_error",
    [DROP_ICMP_NO_SOCKET] = "drop_icmp_no_socket",
};

struct sn_udp {
    sn_ipv4 *ip;
    sn_pktpool *pool;
    sn_pcap_tap *tap;
    sn_rng rng;
    sn_udp_sock socks[SN_UDP_MAX_SOCKETS];
    uint64_t rx_datagrams, tx_datagrams;
    uint64_t rx_icmp_errors, tx_port_unreach;
    uint64_t drops[DROP_COUNT];
};

static void udp_input(void *user, const sn_ipv4_hdr *ih, sn_pkt *pkt);
static void udp_icmp_error(void *user, const sn_icmp_error *e);

sn_udp *sn_udp_create(sn_ipv4 *ip, sn_pktpool *pool, sn_pcap_tap *tap, uint64_t seed)
{
    if (!ip || !pool)
        return NULL;
    sn_udp *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    u->ip = ip;
    u->pool = pool;
    u->tap = tap;
    sn_rng_seed(&u->rng, seed);
    for (size_t i = 0; i < SN_UDP_MAX_SOCKETS; i++)
        u->socks[i].udp = u;
    sn_ipv4_register_proto(ip, SN_IPPROTO_UDP, udp_input, u);
    sn_icmp_register_error(sn_ipv4_icmp(ip), SN_IPPROTO_UDP, udp_icmp_error, u);
    return u;
}

void sn_udp_destroy(sn_udp *u)
{
    if (!u)
        return;
    sn_ipv4_register_proto(u->ip, SN_IPPROTO_UDP, NULL, NULL);
    sn_icmp_register_error(sn_ipv4_icmp(u->ip), SN_IPPROTO_UDP, NULL, NULL);
    free(u);
}

static sn_udp_sock *find_port(sn_udp *u, uint16_t port)
{
    for (size_t i = 0; i < SN_UDP_MAX_SOCKETS; i++)
        if (u->socks[i].in_use && u->socks[i].port == port)
            return &u->socks[i];
    return NULL;
}

sn_udp_sock *sn_udp_open(sn_udp *u, uint16_t port, sn_udp_recv_fn fn, void *user,
                         const char *owner, int *err)
{
    int e = SN_OK;
    sn_udp_sock *s = NULL;
    for (size_t i = 0; i < SN_UDP_MAX_SOCKETS && !s; i++)
        if (!u->socks[i].in_use)
            s = &u->socks[i];
    if (!s) {
        e = SN_ERR_RANGE;
        goto out;
    }
    if (port == 0) {
        /* RFC 6056 algorithm 1: random start in the range, then linear
         * search, bounded by the range size */
        const uint32_t span = SN_UDP_EPHEMERAL_MAX - SN_UDP_EPHEMERAL_MIN + 1;
        uint32_t start = (uint32_t)sn_rng_below(&u->rng, span);
        for (uint32_t k = 0; k < span && !port; k++) {
            uint16_t cand = (uint16_t)(SN_UDP_EPHEMERAL_MIN + (start + k) % span);
            if (!find_port(u, cand))
                port = cand;
        }
        if (!port) {
            e = SN_ERR_RANGE;
            s = NULL;
            goto out;
        }
    } else if (find_port(u, port)) {
        e = SN_ERR_EXIST;
        s = NULL;
        goto out;
    }
    s->in_use = 1;
    s->port = port;
    s->fn = fn;
    s->user = user;
    s->rx = s->tx = 0;
    s->err_fn = NULL;
    s->err_user = NULL;
    s->has_error = 0;
    snprintf(s->owner, sizeof s->owner, "%s", owner ? owner : "");
out:
    if (err)
        *err = e;
    return s;
}

void sn_udp_close(sn_udp_sock *s)
{
    if (s)
        s->in_use = 0;
}

uint16_t sn_udp_sock_port(const sn_udp_sock *s) { return s->port; }

void sn_udp_set_error_fn(sn_udp_sock *s, sn_udp_error_fn fn, void *user)
{
    s->err_fn = fn;
    s->err_user = user;
}

int sn_udp_sock_error(sn_udp_sock *s, sn_udp_error *out)
{
    if (!s->has_error)
        return 0;
    if (out)
        *out = s->error;
    s->has_error = 0;
    return 1;
}

/* RFC 1122 4.1.3.3: UDP passes ICMP errors up to the application. The
 * socket is the one bound to the quoted source port (ICMP checked that the
 * quoted source is one of our addresses). */
static void udp_icmp_error(void *user, const sn_icmp_error *e)
{
    sn_udp *u = user;
    /* a non-initial fragment quotes no ports */
    sn_udp_sock *s = e->quote.ip.frag_off == 0 ? find_port(u, e->quote.sport) : NULL;
    if (!s) {
        u->drops[DROP_ICMP_NO_SOCKET]++;
        return;
    }
    u->rx_icmp_errors++;
    s->error = (sn_udp_error){.from = e->from, .type = e->type, .code = e->code,
                              .extra = e->extra, .dst = e->quote.ip.dst,
                              .dport = e->quote.dport, .time = e->time};
    s->has_error = 1;
    if (s->err_fn)
        s->err_fn(s->err_user, s, &s->error);
}

int sn_udp_sendto(sn_udp_sock *s, sn_ip4 dst, uint16_t dport, const void *data, size_t len)
{
    return sn_udp_sendto_opts(s, dst, dport, data, len, NULL);
}

int sn_udp_sendto_opts(sn_udp_sock *s, sn_ip4 dst, uint16_t dport, const void *data, size_t len,
                       const sn_ipv4_tx_opts *opts)
{
    sn_udp *u = s->udp;
    if (len > 65535 - SN_UDP_HDR_LEN - SN_IPV4_HDR_MIN) {
        u->drops[DROP_TX_ERROR]++;
        return SN_ERR_RANGE;
    }
    /* the header is built here and IP copies header and data into its
     * buffers itself, fragmenting a datagram larger than one of them */
    sn_ip4 src = sn_ipv4_source_for(u->ip, dst);
    uint16_t ulen = (uint16_t)(SN_UDP_HDR_LEN + len);
    uint8_t hdr[SN_UDP_HDR_LEN];
    sn_put_be16(hdr, s->port);
    sn_put_be16(hdr + 2, dport);
    sn_put_be16(hdr + 4, ulen);
    sn_put_be16(hdr + 6, 0);
    uint32_t sum = sn_csum_pseudo(src, dst, SN_IPPROTO_UDP, ulen);
    sum = sn_csum_add(sn_csum_add(sum, hdr, sizeof hdr), data, len);
    uint16_t c = sn_csum_finish(sum);
    sn_put_be16(hdr + 6, c ? c : 0xffff); /* 0 on the wire means "no checksum" */
    int rc = sn_ipv4_output_data(u->ip, src, dst, SN_IPPROTO_UDP, hdr, sizeof hdr, data, len,
                                 u->tap, opts);
    if (rc == SN_OK) {
        u->tx_datagrams++;
        s->tx++;
    } else {
        u->drops[DROP_TX_ERROR]++;
    }
    return rc;
}

static void udp_input(void *user, const sn_ipv4_hdr *ih, sn_pkt *pkt)
{
    sn_udp *u = user;
    sn_udp_hdr h;
    int r = sn_udp_parse(sn_pkt_data(pkt), sn_pkt_len(pkt), ih->src, ih->dst, &h);
    if (r != SN_UDP_OK) {
        u->drops[r]++;
        sn_pkt_free(pkt);
        return;
    }
    sn_udp_sock *s = find_port(u, h.dport);
    if (!s) {
        u->drops[DROP_NO_SOCKET]++;
        /* UDP-03: Port Unreachable quoting the datagram with the IP header
         * it came in (still in the headroom, see net/ipv4.h); ICMP refuses
         * for broadcast/multicast and link-layer broadcasts (ICMP-03) */
        const uint8_t *d = sn_pkt_data(pkt);
        if (sn_icmp_send_error_flags(sn_ipv4_icmp(u->ip), SN_ICMP_DEST_UNREACH,
                                     SN_ICMP_PORT_UNREACH, d - ih->hdr_len,
                                     ih->hdr_len + sn_pkt_len(pkt), 0, pkt->meta.flags,
                                     pkt->meta.time) == SN_OK)
            u->tx_port_unreach++;
        sn_pkt_free(pkt);
        return;
    }
    /* the transport capture shows the datagram with the IP header it came
     * in (still in the headroom, see net/ipv4.h) */
    const uint8_t *d = sn_pkt_data(pkt);
    sn_pcap_tap_write2(u->tap, pkt->meta.time, d - ih->hdr_len, ih->hdr_len, d, sn_pkt_len(pkt));
    u->rx_datagrams++;
    s->rx++;
    if (s->fn)
        s->fn(s->user, s, ih->src, h.sport, ih->dst, d + SN_UDP_HDR_LEN,
              (size_t)h.len - SN_UDP_HDR_LEN, &pkt->meta);
    sn_pkt_free(pkt);
}

size_t sn_udp_stats(const sn_udp *u, sn_stat *out, size_t max)
{
    size_t n = 0;
    n = sn_stat_add(out, n, max, "rx_datagrams", u->rx_datagrams);
    n = sn_stat_add(out, n, max, "tx_datagrams", u->tx_datagrams);
    n = sn_stat_add(out, n, max, "rx_icmp_errors", u->rx_icmp_errors);
    n = sn_stat_add(out, n, max, "tx_port_unreach", u->tx_port_unreach);
    for (int i = 1; i < DROP_COUNT; i++)
        n = sn_stat_add(out, n, max, drop_names[i], u->drops[i]);
    return n;
}
