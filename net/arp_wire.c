/* net/arp_wire: ARP for Ethernet/IPv4 (RFC 826). */
#include "net/arp_wire.h"

#include <string.h>

#include "core/bytes.h"

#define ARP_HTYPE_ETHER 1

const char *sn_arp_result_str(int r)
{
    static const char *const names[SN_ARP_RESULT_COUNT] = {
        [SN_ARP_OK] = "ok",
        [SN_ARP_TRUNC] = "trunc",
        [SN_ARP_BAD_HTYPE] = "bad_htype",
        [SN_ARP_BAD_PTYPE] = "bad_ptype",
        [SN_ARP_BAD_OP] = "bad_op",
    };
    if (r < 0 || r >= SN_ARP_RESULT_COUNT)
        return "unknown";
    return names[r];
}

/* Layout for Ethernet/IPv4:
 *   0 htype  2 ptype  4 hlen  5 plen  6 op
 *   8 sha   14 spa   18 tha  24 tpa  28 end
 * Bytes past 28 (Ethernet padding) are ignored. */
int sn_arp_parse(const uint8_t *buf, size_t len, sn_arp_pkt *a)
{
    if (len < SN_ARP_LEN)
        return SN_ARP_TRUNC;
    if (sn_get_be16(buf) != ARP_HTYPE_ETHER || buf[4] != SN_ETH_ALEN)
        return SN_ARP_BAD_HTYPE;
    if (sn_get_be16(buf + 2) != SN_ETHERTYPE_IPV4 || buf[5] != 4)
        return SN_ARP_BAD_PTYPE;
    uint16_t op = sn_get_be16(buf + 6);
    if (op != SN_ARP_OP_REQUEST && op != SN_ARP_OP_REPLY)
        return SN_ARP_BAD_OP;
    a->op = op;
    memcpy(a->sha.b, buf + 8, SN_ETH_ALEN);
    a->spa = sn_get_be32(buf + 14);
    memcpy(a->tha.b, buf + 18, SN_ETH_ALEN);
    a->tpa = sn_get_be32(buf + 24);
    return SN_ARP_OK;
}

void sn_arp_emit(uint8_t *buf, const sn_arp_pkt *a)
{
    sn_put_be16(buf, ARP_HTYPE_ETHER);
    sn_put_be16(buf + 2, SN_ETHERTYPE_IPV4);
    buf[4] = SN_ETH_ALEN;
    buf[5] = 4;
    sn_put_be16(buf + 6, a->op);
    memcpy(buf + 8, a->sha.b, SN_ETH_ALEN);
    sn_put_be32(buf + 14, a->spa);
    memcpy(buf + 18, a->tha.b, SN_ETH_ALEN);
    sn_put_be32(buf + 24, a->tpa);
}
