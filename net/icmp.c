#include "net/icmp.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/err.h"
#include "net/inet_csum.h"

enum icmp_counter {
    /* received */
    C_RX_MSGS,
    C_RX_ECHO_REQUESTS,
    C_RX_ECHO_REPLIES,
    C_RX_ERRORS,         /* validated and handed to a transport */
    C_RX_SOURCE_QUENCH,  /* ignored, RFC 6633 */
    C_RX_IGNORED,        /* redirect, timestamp, unknown types... */
    /* sent */
    C_TX_ECHO_REPLIES,
    C_TX_ECHO_REQUESTS,
    C_TX_ERRORS,
    /* drops of received messages */
    C_DROP_TRUNC,
    C_DROP_BAD_CSUM,
    C_DROP_ECHO_BROADCAST,   /* echo to broadcast/multicast: ICMP-02 */
    C_DROP_ECHO_NO_LISTENER, /* echo reply with an unbound identifier */
    C_DROP_BAD_QUOTE,        /* error whose quoted header is not sane */
    C_DROP_ERROR_NOT_OURS,   /* error quoting a datagram we did not send */
    C_DROP_ERROR_NO_HANDLER, /* no transport handles the quoted protocol */
    /* errors and requests we could not send */
    C_DROP_TX_ERROR,         /* pool empty, too large, or IP refused */
    C_DROP_TX_INVALID,       /* asked for a non-error type, Source Quench, or
                                about a datagram that is not IPv4 */
    /* errors deliberately not sent (RFC 1122 3.2.2, RFC 1812 4.3.2.7/8) */
    C_SUPP_ICMP_ERROR,
    C_SUPP_BROADCAST,
    C_SUPP_LINK_BROADCAST,
    C_SUPP_FRAGMENT,
    C_SUPP_BAD_SRC,
    C_SUPP_RATELIMIT,
    C_COUNT
};
static const char *const counter_names[C_COUNT] = {
    [C_RX_MSGS] = "rx_msgs",
    [C_RX_ECHO_REQUESTS] = "rx_echo_requests",
    [C_RX_ECHO_REPLIES] = "rx_echo_replies",
    [C_RX_ERRORS] = "rx_errors",
    [C_RX_SOURCE_QUENCH] = "rx_source_quench",
    [C_RX_IGNORED] = "rx_ignored",
    [C_TX_ECHO_REPLIES] = "tx_echo_replies",
    [C_TX_ECHO_REQUESTS] = "tx_echo_requests",
    [C_TX_ERRORS] = "tx_errors",
    [C_DROP_TRUNC] = "drop_trunc",
    [C_DROP_BAD_CSUM] = "drop_bad_csum",
    [C_DROP_ECHO_BROADCAST] = "drop_echo_broadcast",
    [C_DROP_ECHO_NO_LISTENER] = "drop_echo_no_listener",
    [C_DROP_BAD_QUOTE] = "drop_bad_quote",
    [C_DROP_ERROR_NOT_OURS] = "drop_error_not_ours",
    [C_DROP_ERROR_NO_HANDLER] = "drop_error_no_handler",
    [C_DROP_TX_ERROR] = "drop_tx_error",
    [C_DROP_TX_INVALID] = "drop_tx_invalid",
    [C_SUPP_ICMP_ERROR] = "suppressed_about_icmp_error",
    [C_SUPP_BROADCAST] = "suppressed_broadcast",
    [C_SUPP_LINK_BROADCAST] = "suppressed_link_broadcast",
    [C_SUPP_FRAGMENT] = "suppressed_fragment",
    [C_SUPP_BAD_SRC] = "suppressed_bad_src",
    [C_SUPP_RATELIMIT] = "suppressed_ratelimit",
};

typedef struct echo_listener {
    int in_use;
    uint16_t id;
    sn_icmp_echo_fn fn;
    void *user;
    sn_icmp_echo_error_fn err_fn; /* errors quoting our requests with this id */
    void *err_user;
} echo_listener;

typedef struct error_handler {
    sn_icmp_error_fn fn;
    void *user;
} error_handler;

struct sn_icmp {
    sn_ipv4 *ip;
    sn_pktpool *pool;
    echo_listener echo[SN_ICMP_MAX_ECHO_LISTENERS];
    error_handler err[256];
    /* token bucket kept as time credit [ns]: one error costs `interval`,
     * credit grows with virtual time up to burst * interval */
    unsigned burst;
    sn_time_t interval;
    sn_time_t credit, last;
    int bucket_started;
    uint64_t c[C_COUNT];
};

static void icmp_input(void *user, const sn_ipv4_hdr *ih, sn_pkt *pkt);

sn_icmp *sn_icmp_create(sn_ipv4 *ip, sn_pktpool *pool)
{
    if (!ip || !pool)
        return NULL;
    sn_icmp *icmp = calloc(1, sizeof *icmp);
    if (!icmp)
        return NULL;
    icmp->ip = ip;
    icmp->pool = pool;
    sn_icmp_set_ratelimit(icmp, SN_ICMP_RATE_BURST, SN_ICMP_RATE_INTERVAL);
    sn_ipv4_register_proto(ip, SN_IPPROTO_ICMP, icmp_input, icmp);
    return icmp;
}

void sn_icmp_destroy(sn_icmp *icmp)
{
    if (!icmp)
        return;
    sn_ipv4_register_proto(icmp->ip, SN_IPPROTO_ICMP, NULL, NULL);
    free(icmp);
}

void sn_icmp_set_ratelimit(sn_icmp *icmp, unsigned burst, sn_time_t interval)
{
    icmp->burst = burst;
    icmp->interval = interval < 0 ? 0 : interval;
    icmp->bucket_started = 0; /* full again */
}

/* Take one token at `now`; 0 if the bucket is empty. */
static int ratelimit_take(sn_icmp *icmp, sn_time_t now)
{
    if (icmp->interval == 0)
        return 1;
    const sn_time_t cap = (sn_time_t)icmp->burst * icmp->interval;
    if (!icmp->bucket_started) {
        icmp->bucket_started = 1;
        icmp->credit = cap;
        icmp->last = now;
    }
    if (now > icmp->last) {
        /* cap the elapsed time before adding, so a long idle run cannot
         * overflow the credit */
        sn_time_t dt = now - icmp->last;
        icmp->credit = dt >= cap ? cap : icmp->credit + dt;
        if (icmp->credit > cap)
            icmp->credit = cap;
        icmp->last = now;
    }
    if (icmp->credit < icmp->interval || icmp->burst == 0)
        return 0;
    icmp->credit -= icmp->interval;
    return 1;
}

/* RFC 1122 3.2.1.3: 0/8, 127/8, multicast, class E, limited broadcast and
 * the directed broadcast of one of our networks do not name one host. */
static int src_names_one_host(const sn_icmp *icmp, sn_ip4 src)
{
    unsigned top = src >> 24;
    return top != 0 && top != 127 && (src >> 28) < 14 && !sn_ipv4_is_broadcast(icmp->ip, src);
}

int sn_icmp_send_error_flags(sn_icmp *icmp, uint8_t type, uint8_t code, const uint8_t *ip_pkt,
                             size_t len, uint32_t extra, uint32_t link_flags, sn_time_t now)
{
    if (!icmp)
        return SN_ERR_INVAL;
    /* Source Quench is never sent (RFC 6633); queries are not errors */
    if (type == SN_ICMP_SOURCE_QUENCH || !sn_icmp_type_is_error(type) || !ip_pkt ||
        len < SN_IPV4_HDR_MIN || ip_pkt[0] >> 4 != 4) {
        icmp->c[C_DROP_TX_INVALID]++;
        return SN_ERR_INVAL;
    }
    size_t hl = (size_t)(ip_pkt[0] & 0x0f) * 4;
    if (hl < SN_IPV4_HDR_MIN || len < hl) {
        icmp->c[C_DROP_TX_INVALID]++;
        return SN_ERR_INVAL;
    }
    /* link padding beyond Total Length is not part of the datagram */
    size_t tot = sn_get_be16(ip_pkt + 2);
    if (tot >= hl && tot < len)
        len = tot;
    sn_ip4 src = sn_get_be32(ip_pkt + 12), dst = sn_get_be32(ip_pkt + 16);
    uint16_t frag = sn_get_be16(ip_pkt + 6) & 0x1fff;
    uint8_t proto = ip_pkt[9];

    if (!src_names_one_host(icmp, src)) {
        icmp->c[C_SUPP_BAD_SRC]++;
        return SN_ERR_AGAIN;
    }
    if (dst == 0 || (dst >> 28) >= 14 || sn_ipv4_is_broadcast(icmp->ip, dst)) {
        icmp->c[C_SUPP_BROADCAST]++;
        return SN_ERR_AGAIN;
    }
    if (link_flags & (SN_PKT_F_BCAST | SN_PKT_F_MCAST)) {
        icmp->c[C_SUPP_LINK_BROADCAST]++;
        return SN_ERR_AGAIN;
    }
    if (frag != 0) {
        icmp->c[C_SUPP_FRAGMENT]++;
        return SN_ERR_AGAIN;
    }
    /* an ICMP whose type we cannot even see is treated as an error: the
     * safe side of the rule */
    if (proto == SN_IPPROTO_ICMP && (len <= hl || sn_icmp_type_is_error(ip_pkt[hl]))) {
        icmp->c[C_SUPP_ICMP_ERROR]++;
        return SN_ERR_AGAIN;
    }
    if (!ratelimit_take(icmp, now)) {
        icmp->c[C_SUPP_RATELIMIT]++;
        return SN_ERR_AGAIN;
    }

    const size_t max_quote = SN_ICMP_ERROR_MAX_LEN - SN_IPV4_HDR_MIN - SN_ICMP_HDR_LEN;
    size_t qlen = len < max_quote ? len : max_quote;
    sn_pkt *p = sn_pkt_alloc_tx(icmp->pool);
    uint8_t *b = p ? sn_pkt_put(p, SN_ICMP_HDR_LEN + qlen) : NULL;
    if (!b) {
        sn_pkt_free(p);
        icmp->c[C_DROP_TX_ERROR]++;
        return SN_ERR_NOBUFS;
    }
    memcpy(b + SN_ICMP_HDR_LEN, ip_pkt, qlen);
    sn_icmp_hdr h = {.type = type, .code = code};
    if (type == SN_ICMP_DEST_UNREACH && code == SN_ICMP_FRAG_NEEDED)
        h.next_hop_mtu = (uint16_t)extra;
    else if (type == SN_ICMP_PARAM_PROBLEM)
        h.pointer = (uint8_t)extra;
    sn_icmp_emit(b, SN_ICMP_HDR_LEN + qlen, &h);
    /* source 0: IP picks the address of the interface the error leaves by */
    int rc = sn_ipv4_output(icmp->ip, 0, src, SN_IPPROTO_ICMP, p, NULL);
    if (rc != SN_OK) {
        icmp->c[C_DROP_TX_ERROR]++;
        return rc;
    }
    icmp->c[C_TX_ERRORS]++;
    return SN_OK;
}

int sn_icmp_send_error(sn_icmp *icmp, uint8_t type, uint8_t code, const uint8_t *ip_pkt,
                       size_t len, uint32_t extra, sn_time_t now)
{
    return sn_icmp_send_error_flags(icmp, type, code, ip_pkt, len, extra, 0, now);
}

void sn_icmp_register_error(sn_icmp *icmp, uint8_t proto, sn_icmp_error_fn fn, void *user)
{
    icmp->err[proto].fn = fn;
    icmp->err[proto].user = user;
}

static echo_listener *find_echo(sn_icmp *icmp, uint16_t id)
{
    for (size_t i = 0; i < SN_ICMP_MAX_ECHO_LISTENERS; i++)
        if (icmp->echo[i].in_use && icmp->echo[i].id == id)
            return &icmp->echo[i];
    return NULL;
}

int sn_icmp_echo_bind(sn_icmp *icmp, uint16_t id, sn_icmp_echo_fn fn, void *user)
{
    if (find_echo(icmp, id))
        return SN_ERR_EXIST;
    for (size_t i = 0; i < SN_ICMP_MAX_ECHO_LISTENERS; i++)
        if (!icmp->echo[i].in_use) {
            icmp->echo[i] = (echo_listener){.in_use = 1, .id = id, .fn = fn, .user = user};
            return SN_OK;
        }
    return SN_ERR_RANGE;
}

int sn_icmp_echo_set_error(sn_icmp *icmp, uint16_t id, sn_icmp_echo_error_fn fn, void *user)
{
    echo_listener *l = find_echo(icmp, id);
    if (!l)
        return SN_ERR_NOENT;
    l->err_fn = fn;
    l->err_user = fn ? user : NULL;
    return SN_OK;
}

void sn_icmp_echo_unbind(sn_icmp *icmp, uint16_t id)
{
    echo_listener *l = find_echo(icmp, id);
    if (l)
        l->in_use = 0;
}

/* An echo message of `len` data bytes, built by IP straight from `data`
 * (borrowed): a fresh buffer, never the request's (its tailroom may be
 * short of the padding a smaller reply needs), and no buffer larger than a
 * fragment even for a 64 KiB echo (IP fragments it like Linux does). */
static int send_echo(sn_icmp *icmp, uint8_t type, sn_ip4 src, sn_ip4 dst, uint16_t id,
                     uint16_t seq, const void *data, size_t len)
{
    if (len > 65535 - SN_IPV4_HDR_MIN - SN_ICMP_HDR_LEN) {
        icmp->c[C_DROP_TX_ERROR]++;
        return SN_ERR_RANGE;
    }
    uint8_t hdr[SN_ICMP_HDR_LEN];
    sn_icmp_hdr h = {.type = type, .id = id, .seq = seq};
    sn_icmp_emit(hdr, sizeof hdr, &h);
    /* the checksum covers the data too: the 8-byte header is an even
     * piece, so the sum may continue over the data (RFC 1071) */
    sn_put_be16(hdr + 2, 0);
    sn_put_be16(hdr + 2, sn_csum_finish(sn_csum_add(sn_csum_add(0, hdr, sizeof hdr), data, len)));
    int rc = sn_ipv4_output_data(icmp->ip, src, dst, SN_IPPROTO_ICMP, hdr, sizeof hdr, data, len,
                                 NULL, NULL);
    if (rc != SN_OK)
        icmp->c[C_DROP_TX_ERROR]++;
    return rc;
}

int sn_icmp_ping(sn_icmp *icmp, sn_ip4 dst, uint16_t id, uint16_t seq, const void *payload,
                 size_t len)
{
    int rc = send_echo(icmp, SN_ICMP_ECHO_REQUEST, 0, dst, id, seq, payload, len);
    if (rc == SN_OK)
        icmp->c[C_TX_ECHO_REQUESTS]++;
    return rc;
}

static void input_error(sn_icmp *icmp, const sn_ipv4_hdr *ih, const sn_icmp_hdr *h,
                        const uint8_t *msg, size_t len, sn_time_t now)
{
    sn_icmp_error e = {.from = ih->src, .type = h->type, .code = h->code, .time = now};
    if (sn_icmp_quote_parse(msg + SN_ICMP_HDR_LEN, len - SN_ICMP_HDR_LEN, &e.quote) !=
        SN_ICMP_QUOTE_OK) {
        icmp->c[C_DROP_BAD_QUOTE]++;
        return;
    }
    /* a host only hears of its own datagrams; anything else is forged or
     * misrouted, and must not reach a socket */
    if (!sn_ipv4_is_local(icmp->ip, e.quote.ip.src)) {
        icmp->c[C_DROP_ERROR_NOT_OURS]++;
        return;
    }
    if (h->type == SN_ICMP_DEST_UNREACH && h->code == SN_ICMP_FRAG_NEEDED)
        e.extra = h->next_hop_mtu;
    else if (h->type == SN_ICMP_PARAM_PROBLEM)
        e.extra = h->pointer;
    /* an error about one of our echo requests goes to the ping that sent
     * it, found by the quoted identifier (a non-initial fragment quotes no
     * ICMP header) */
    const sn_icmp_quote *q = &e.quote;
    if (q->ip.proto == SN_IPPROTO_ICMP && q->ip.frag_off == 0 && q->data_len >= SN_ICMP_HDR_LEN &&
        q->data[0] == SN_ICMP_ECHO_REQUEST) {
        echo_listener *l = find_echo(icmp, sn_get_be16(q->data + 4));
        if (l && l->err_fn) {
            icmp->c[C_RX_ERRORS]++;
            l->err_fn(l->err_user, &e, l->id, sn_get_be16(q->data + 6));
            return;
        }
    }
    error_handler *eh = &icmp->err[e.quote.ip.proto];
    if (!eh->fn) {
        icmp->c[C_DROP_ERROR_NO_HANDLER]++;
        return;
    }
    icmp->c[C_RX_ERRORS]++;
    eh->fn(eh->user, &e);
}

static void icmp_input(void *user, const sn_ipv4_hdr *ih, sn_pkt *pkt)
{
    sn_icmp *icmp = user;
    const uint8_t *msg = sn_pkt_data(pkt);
    size_t len = sn_pkt_len(pkt);
    sn_icmp_hdr h;
    int r = sn_icmp_parse(msg, len, &h);
    if (r != SN_ICMP_OK) {
        icmp->c[r == SN_ICMP_TRUNC ? C_DROP_TRUNC : C_DROP_BAD_CSUM]++;
        sn_pkt_free(pkt);
        return;
    }
    icmp->c[C_RX_MSGS]++;
    sn_time_t now = pkt->meta.time;
    switch (h.type) {
    case SN_ICMP_ECHO_REQUEST:
        icmp->c[C_RX_ECHO_REQUESTS]++;
        /* ICMP-02: only to one of our unicast addresses (IP delivers
         * broadcasts too, and may deliver multicast one day) */
        if (!sn_ipv4_is_local(icmp->ip, ih->dst)) {
            icmp->c[C_DROP_ECHO_BROADCAST]++;
            break;
        }
        /* from the address the request was sent to (RFC 1122 3.2.2.6) */
        if (send_echo(icmp, SN_ICMP_ECHO_REPLY, ih->dst, ih->src, h.id, h.seq,
                      msg + SN_ICMP_HDR_LEN, len - SN_ICMP_HDR_LEN) == SN_OK)
            icmp->c[C_TX_ECHO_REPLIES]++;
        break;
    case SN_ICMP_ECHO_REPLY: {
        icmp->c[C_RX_ECHO_REPLIES]++;
        echo_listener *l = find_echo(icmp, h.id);
        if (!l || !l->fn) {
            icmp->c[C_DROP_ECHO_NO_LISTENER]++;
            break;
        }
        l->fn(l->user, ih->src, h.id, h.seq, msg + SN_ICMP_HDR_LEN, len - SN_ICMP_HDR_LEN, now,
              &pkt->meta);
        break;
    }
    case SN_ICMP_DEST_UNREACH:
    case SN_ICMP_TIME_EXCEEDED:
    case SN_ICMP_PARAM_PROBLEM:
        input_error(icmp, ih, &h, msg, len, now);
        break;
    case SN_ICMP_SOURCE_QUENCH:
        icmp->c[C_RX_SOURCE_QUENCH]++; /* RFC 6633: ignored */
        break;
    default:
        icmp->c[C_RX_IGNORED]++; /* redirect (hosts may ignore), queries we do not serve */
        break;
    }
    sn_pkt_free(pkt);
}

size_t sn_icmp_stats(const sn_icmp *icmp, sn_stat *out, size_t max)
{
    size_t n = 0;
    for (int i = 0; i < C_COUNT; i++)
        n = sn_stat_add(out, n, max, counter_names[i], icmp->c[i]);
    return n;
}
