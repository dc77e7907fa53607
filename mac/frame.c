/* mac/frame: Ethernet II header, MAC addresses and the IEEE 802.3 FCS. */
#include "mac/frame.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include "core/err.h"

const sn_mac_addr sn_mac_broadcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

static int hex_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int sn_mac_parse(const char *s, sn_mac_addr *out)
{
    if (!s || !out)
        return SN_ERR_PARSE;
    sn_mac_addr a;
    char sep = 0;
    for (int i = 0; i < SN_ETH_ALEN; i++) {
        /* Exactly two hex digits per octet: "a:b:..." is too easily a typo
         * to guess at. Reading s[1] is safe because s[0] was not NUL. */
        int hi = hex_val(s[0]);
        if (hi < 0)
            return SN_ERR_PARSE;
        int lo = hex_val(s[1]);
        if (lo < 0)
            return SN_ERR_PARSE;
        a.b[i] = (uint8_t)(hi << 4 | lo);
        s += 2;
        if (i == SN_ETH_ALEN - 1)
            break;
        /* The first separator fixes the style; a mix is refused. */
        if (sep == 0 && (*s == ':' || *s == '-'))
            sep = *s;
        if (*s != sep)
            return SN_ERR_PARSE;
        s++;
    }
    if (*s != '\0')
        return SN_ERR_PARSE;
    *out = a;
    return SN_OK;
}

char *sn_mac_format(const sn_mac_addr *a, char *buf)
{
    snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", a->b[0], a->b[1], a->b[2],
             a->b[3], a->b[4], a->b[5]);
    return buf;
}

int sn_mac_equal(const sn_mac_addr *a, const sn_mac_addr *b)
{
    return memcmp(a->b, b->b, SN_ETH_ALEN) == 0;
}

int sn_mac_is_broadcast(const sn_mac_addr *a)
{
    return sn_mac_equal(a, &sn_mac_broadcast);
}

int sn_mac_is_multicast(const sn_mac_addr *a)
{
    /* The I/G bit is the least significant bit of the first octet, the
     * first bit on the wire. */
    return (a->b[0] & 0x01) != 0;
}

const char *sn_eth_result_str(int r)
{
    static const char *const names[SN_ETH_RESULT_COUNT] = {
        [SN_ETH_OK] = "ok",
        [SN_ETH_RUNT] = "runt",
        [SN_ETH_OVERSIZE] = "oversize",
        [SN_ETH_BAD_FCS] = "bad_fcs",
    };
    if (r < 0 || r >= SN_ETH_RESULT_COUNT)
        return "unknown";
    return names[r];
}

int sn_eth_parse(const uint8_t *buf, size_t len, sn_eth_hdr *h)
{
    /* Only the header is read; the payload size is the caller's concern
     * (sn_eth_check bounds a received frame, a dissector may want to show
     * an oversize one). */
    if (len < SN_ETH_HDR_LEN)
        return SN_ETH_RUNT;
    memcpy(h->dst.b, buf, SN_ETH_ALEN);
    memcpy(h->src.b, buf + SN_ETH_ALEN, SN_ETH_ALEN);
    h->ethertype = (uint16_t)((unsigned)buf[12] << 8 | buf[13]);
    return SN_ETH_OK;
}

void sn_eth_emit(uint8_t *buf, const sn_eth_hdr *h)
{
    memcpy(buf, h->dst.b, SN_ETH_ALEN);
    memcpy(buf + SN_ETH_ALEN, h->src.b, SN_ETH_ALEN);
    buf[12] = (uint8_t)(h->ethertype >> 8);
    buf[13] = (uint8_t)h->ethertype;
}

uint32_t sn_eth_crc32(const uint8_t *buf, size_t len)
{
    /* zlib's crc32() is the reflected 0x04C11DB7 CRC with all-ones preset
     * and final inversion, i.e. exactly the 802.3 FCS. Its length is a
     * uInt, so feed a size_t length in pieces. */
    uLong crc = crc32(0L, Z_NULL, 0);
    while (len > 0) {
        uInt n = len > UINT_MAX ? UINT_MAX : (uInt)len;
        crc = crc32(crc, buf, n);
        buf += n;
        len -= n;
    }
    return (uint32_t)crc;
}

void sn_eth_fcs_put(uint8_t *buf, size_t len)
{
    uint32_t fcs = sn_eth_crc32(buf, len);
    /* Least significant byte first, as 802.3 transmits it. */
    buf[len] = (uint8_t)fcs;
    buf[len + 1] = (uint8_t)(fcs >> 8);
    buf[len + 2] = (uint8_t)(fcs >> 16);
    buf[len + 3] = (uint8_t)(fcs >> 24);
}

int sn_eth_check(const uint8_t *frame, size_t len)
{
    if (len < SN_ETH_HDR_LEN + SN_ETH_FCS_LEN)
        return SN_ETH_RUNT;
    if (len > SN_ETH_HDR_LEN + SN_ETH_MTU + SN_ETH_FCS_LEN)
        return SN_ETH_OVERSIZE;
    size_t n = len - SN_ETH_FCS_LEN;
    uint32_t got = (uint32_t)frame[n] | (uint32_t)frame[n + 1] << 8 |
                   (uint32_t)frame[n + 2] << 16 | (uint32_t)frame[n + 3] << 24;
    return sn_eth_crc32(frame, n) == got ? SN_ETH_OK : SN_ETH_BAD_FCS;
}
