#include "net/icmp_wire.h"

#include "core/bytes.h"
#include "net/inet_csum.h"

int sn_icmp_parse(const uint8_t *buf, size_t len, sn_icmp_hdr *h)
{
    if (!buf || len < SN_ICMP_HDR_LEN)
        return SN_ICMP_TRUNC;
    /* a message that sums to 0xffff (complement 0) is intact, whatever its
     * length: odd lengths are padded with a zero byte by sn_csum_add */
    if (sn_csum_finish(sn_csum_add(0, buf, len)) != 0)
        return SN_ICMP_BAD_CSUM;
    h->type = buf[0];
    h->code = buf[1];
    h->csum = sn_get_be16(buf + 2);
    h->rest = sn_get_be32(buf + 4);
    h->id = sn_get_be16(buf + 4);
    h->seq = sn_get_be16(buf + 6);
    h->next_hop_mtu = sn_get_be16(buf + 6);
    h->pointer = buf[4];
    return SN_ICMP_OK;
}

size_t sn_icmp_emit(uint8_t *buf, size_t len, sn_icmp_hdr *h)
{
    if (!buf || len < SN_ICMP_HDR_LEN)
        return 0;
    uint32_t rest;
    switch (h->type) {
    case SN_ICMP_ECHO_REPLY:
    case SN_ICMP_ECHO_REQUEST:
        rest = (uint32_t)h->id << 16 | h->seq;
        break;
    case SN_ICMP_DEST_UNREACH:
        rest = h->next_hop_mtu; /* 0 except for code 4, RFC 1191 */
        break;
    case SN_ICMP_PARAM_PROBLEM:
        rest = (uint32_t)h->pointer << 24;
        break;
    default:
        rest = h->rest;
        break;
    }
    buf[0] = h->type;
    buf[1] = h->code;
    sn_put_be16(buf + 2, 0);
    sn_put_be32(buf + 4, rest);
    h->csum = sn_csum_finish(sn_csum_add(0, buf, len));
    sn_put_be16(buf + 2, h->csum);
    h->rest = rest;
    return SN_ICMP_HDR_LEN;
}

int sn_icmp_type_is_error(uint8_t type)
{
    switch (type) {
    case 0:  /* echo reply */
    case 8:  /* echo request */
    case 9:  /* router advertisement */
    case 10: /* router solicitation */
    case 13: /* timestamp */
    case 14: /* timestamp reply */
    case 15: /* information request */
    case 16: /* information reply */
    case 17: /* address mask request */
    case 18: /* address mask reply */
        return 0;
    default:
        return 1;
    }
}

int sn_icmp_quote_parse(const uint8_t *body, size_t len, sn_icmp_quote *q)
{
    if (!body || len < SN_IPV4_HDR_MIN + 8)
        return SN_ICMP_QUOTE_TRUNC;
    if (body[0] >> 4 != 4)
        return SN_ICMP_QUOTE_BAD_VERSION;
    size_t hl = (size_t)(body[0] & 0x0f) * 4;
    if (hl < SN_IPV4_HDR_MIN)
        return SN_ICMP_QUOTE_BAD_IHL;
    if (len < hl + 8)
        return SN_ICMP_QUOTE_TRUNC;
    uint16_t tot = sn_get_be16(body + 2);
    if (tot < hl + 8)
        return SN_ICMP_QUOTE_BAD_LEN;
    uint16_t ff = sn_get_be16(body + 6);
    q->ip = (sn_ipv4_hdr){
        .hdr_len = (uint8_t)hl,
        .tos = body[1],
        .total_len = tot,
        .id = sn_get_be16(body + 4),
        .df = (uint8_t)((ff >> 14) & 1),
        .mf = (uint8_t)((ff >> 13) & 1),
        .frag_off = (uint16_t)((ff & 0x1fff) * 8),
        .ttl = body[8],
        .proto = body[9],
        .csum = sn_get_be16(body + 10),
        .src = sn_get_be32(body + 12),
        .dst = sn_get_be32(body + 16),
    };
    q->data = body + hl;
    q->data_len = len - hl;
    q->sport = sn_get_be16(q->data);
    q->dport = sn_get_be16(q->data + 2);
    return SN_ICMP_QUOTE_OK;
}
