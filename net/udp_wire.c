/* net/udp_wire: UDP header (RFC 768) and its pseudo-header checksum. */
#include "net/udp_wire.h"

#include "core/bytes.h"
#include "net/inet_csum.h"

const char *sn_udp_result_str(int r)
{
    static const char *const names[SN_UDP_RESULT_COUNT] = {
        [SN_UDP_OK] = "ok",
        [SN_UDP_TRUNC] = "trunc",
        [SN_UDP_BAD_LEN] = "bad_len",
        [SN_UDP_BAD_CSUM] = "bad_csum",
    };
    if (r < 0 || r >= SN_UDP_RESULT_COUNT)
        return "unknown";
    return names[r];
}

/* Sum of pseudo-header and datagram; the pseudo-header carries the UDP
 * length field, not the IP payload length (they differ with padding). */
static uint32_t udp_sum(const uint8_t *buf, uint16_t ulen, sn_ip4 src, sn_ip4 dst)
{
    return sn_csum_add(sn_csum_pseudo(src, dst, SN_IPPROTO_UDP, ulen), buf, ulen);
}

int sn_udp_parse(const uint8_t *buf, size_t len, sn_ip4 src, sn_ip4 dst, sn_udp_hdr *h)
{
    if (len < SN_UDP_HDR_LEN)
        return SN_UDP_TRUNC;
    uint16_t ulen = sn_get_be16(buf + 4);
    if (ulen < SN_UDP_HDR_LEN || ulen > len)
        return SN_UDP_BAD_LEN;
    uint16_t csum = sn_get_be16(buf + 6);
    /* 0 means the sender computed no checksum (RFC 768); a computed 0 is
     * sent as 0xffff, which still verifies as -0. */
    if (csum != 0 && sn_csum_finish(udp_sum(buf, ulen, src, dst)) != 0)
        return SN_UDP_BAD_CSUM;
    h->sport = sn_get_be16(buf);
    h->dport = sn_get_be16(buf + 2);
    h->len = ulen;
    h->csum = csum;
    return SN_UDP_OK;
}

void sn_udp_emit(uint8_t *buf, sn_udp_hdr *h, sn_ip4 src, sn_ip4 dst)
{
    sn_put_be16(buf, h->sport);
    sn_put_be16(buf + 2, h->dport);
    sn_put_be16(buf + 4, h->len);
    sn_put_be16(buf + 6, 0);
    uint16_t c = sn_csum_finish(udp_sum(buf, h->len, src, dst));
    if (c == 0)
        c = 0xffff; /* 0 on the wire would mean "no checksum" */
    sn_put_be16(buf + 6, c);
    h->csum = c;
}
