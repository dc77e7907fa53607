/* net/ipv4_wire: IPv4 addresses and header (RFC 791). */
#include "net/ipv4_wire.h"

#include <stdio.h>

#include "core/bytes.h"
#include "core/err.h"
#include "net/inet_csum.h"

/* Parse a decimal number of at most `maxdig` digits and at most `maxval`
 * starting at *s; advances *s. Leading zeros are refused ("010" is 8 to
 * inet_aton() but 10 to a human), as inet_pton() does. strtoul() is not
 * used because it accepts spaces and signs. */
static int parse_dec(const char **s, int maxdig, unsigned maxval, unsigned *out)
{
    const char *p = *s;
    unsigned v = 0;
    int n = 0;
    while (*p >= '0' && *p <= '9') {
        if (n == maxdig)
            return SN_ERR_PARSE;
        if (n == 1 && v == 0)
            return SN_ERR_PARSE; /* leading zero */
        v = v * 10 + (unsigned)(*p - '0');
        n++;
        p++;
    }
    if (n == 0 || v > maxval)
        return SN_ERR_PARSE;
    *s = p;
    *out = v;
    return SN_OK;
}

/* Dotted quad at the start of s; *end points just past it. */
static int parse_quad(const char *s, sn_ip4 *out, const char **end)
{
    sn_ip4 a = 0;
    for (int i = 0; i < 4; i++) {
        if (i > 0) {
            if (*s != '.')
                return SN_ERR_PARSE;
            s++;
        }
        unsigned part;
        if (parse_dec(&s, 3, 255, &part) != SN_OK)
            return SN_ERR_PARSE;
        a = a << 8 | part;
    }
    *out = a;
    *end = s;
    return SN_OK;
}

int sn_ip4_parse(const char *s, sn_ip4 *out)
{
    if (!s || !out)
        return SN_ERR_PARSE;
    sn_ip4 a;
    const char *end;
    if (parse_quad(s, &a, &end) != SN_OK || *end != '\0')
        return SN_ERR_PARSE;
    *out = a;
    return SN_OK;
}

int sn_ip4_parse_prefix(const char *s, sn_ip4 *addr, int *prefix_len)
{
    if (!s || !addr || !prefix_len)
        return SN_ERR_PARSE;
    sn_ip4 a;
    const char *p;
    if (parse_quad(s, &a, &p) != SN_OK)
        return SN_ERR_PARSE;
    unsigned n = 32;
    if (*p == '/') {
        p++;
        if (parse_dec(&p, 2, 32, &n) != SN_OK)
            return SN_ERR_PARSE;
    }
    if (*p != '\0')
        return SN_ERR_PARSE;
    *addr = a;
    *prefix_len = (int)n;
    return SN_OK;
}

char *sn_ip4_format(sn_ip4 a, char *buf)
{
    snprintf(buf, 16, "%u.%u.%u.%u", (unsigned)(a >> 24), (unsigned)(a >> 16 & 0xff),
             (unsigned)(a >> 8 & 0xff), (unsigned)(a & 0xff));
    return buf;
}

sn_ip4 sn_ip4_mask(int prefix_len)
{
    /* A shift by 32 is undefined, so both ends are handled apart. */
    if (prefix_len <= 0)
        return 0;
    if (prefix_len >= 32)
        return 0xffffffffu;
    return 0xffffffffu << (32 - prefix_len);
}

const char *sn_ipv4_result_str(int r)
{
    static const char *const names[SN_IPV4_RESULT_COUNT] = {
        [SN_IPV4_OK] = "ok",
        [SN_IPV4_TRUNC] = "trunc",
        [SN_IPV4_BAD_VERSION] = "bad_version",
        [SN_IPV4_BAD_IHL] = "bad_ihl",
        [SN_IPV4_BAD_LEN] = "bad_len",
        [SN_IPV4_BAD_CSUM] = "bad_csum",
    };
    if (r < 0 || r >= SN_IPV4_RESULT_COUNT)
        return "unknown";
    return names[r];
}

int sn_ipv4_parse(const uint8_t *buf, size_t len, sn_ipv4_hdr *h)
{
    if (len < SN_IPV4_HDR_MIN)
        return SN_IPV4_TRUNC;
    if (buf[0] >> 4 != 4)
        return SN_IPV4_BAD_VERSION;
    unsigned ihl = buf[0] & 0x0f;
    if (ihl < 5)
        return SN_IPV4_BAD_IHL;
    size_t hdr_len = (size_t)ihl * 4;
    if (len < hdr_len)
        return SN_IPV4_TRUNC;
    uint16_t total = sn_get_be16(buf + 2);
    if (total < hdr_len)
        return SN_IPV4_BAD_LEN;
    if (total > len)
        return SN_IPV4_TRUNC;
    /* A header that includes its own correct checksum sums to 0xffff, so
     * the finished value is 0. */
    if (sn_csum_finish(sn_csum_add(0, buf, hdr_len)) != 0)
        return SN_IPV4_BAD_CSUM;

    uint16_t flags_frag = sn_get_be16(buf + 6);
    h->hdr_len = (uint8_t)hdr_len;
    h->tos = buf[1];
    h->total_len = total;
    h->id = sn_get_be16(buf + 4);
    /* The reserved flag (0x8000) is ignored, as RFC 791 asks. */
    h->df = (flags_frag & 0x4000) != 0;
    h->mf = (flags_frag & 0x2000) != 0;
    h->frag_off = (uint16_t)((flags_frag & 0x1fff) * 8u); /* <= 65528 */
    h->ttl = buf[8];
    h->proto = buf[9];
    h->csum = sn_get_be16(buf + 10);
    h->src = sn_get_be32(buf + 12);
    h->dst = sn_get_be32(buf + 16);
    return SN_IPV4_OK;
}

size_t sn_ipv4_emit(uint8_t *buf, sn_ipv4_hdr *h)
{
    h->hdr_len = SN_IPV4_HDR_MIN;
    buf[0] = 0x45;
    buf[1] = h->tos;
    sn_put_be16(buf + 2, h->total_len);
    sn_put_be16(buf + 4, h->id);
    /* frag_off is in bytes; the field counts 8-byte units, so a value that
     * is not a multiple of 8 is rounded down. */
    uint16_t flags_frag = (uint16_t)((h->df ? 0x4000u : 0) | (h->mf ? 0x2000u : 0) |
                                     (h->frag_off >> 3 & 0x1fffu));
    sn_put_be16(buf + 6, flags_frag);
    buf[8] = h->ttl;
    buf[9] = h->proto;
    sn_put_be16(buf + 10, 0);
    sn_put_be32(buf + 12, h->src);
    sn_put_be32(buf + 16, h->dst);
    h->csum = sn_csum_finish(sn_csum_add(0, buf, SN_IPV4_HDR_MIN));
    sn_put_be16(buf + 10, h->csum);
    return SN_IPV4_HDR_MIN;
}
