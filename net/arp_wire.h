/* net/arp_wire: ARP packet parse and emit (RFC 826) for Ethernet/IPv4. */
#ifndef SN_NET_ARP_WIRE_H
#define SN_NET_ARP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "mac/frame.h"
#include "net/ipv4_wire.h"

#define SN_ARP_LEN 28
#define SN_ARP_OP_REQUEST 1
#define SN_ARP_OP_REPLY 2

typedef struct sn_arp_pkt {
    uint16_t op;
    sn_mac_addr sha, tha; /* sender / target hardware address */
    sn_ip4 spa, tpa;      /* sender / target protocol address */
} sn_arp_pkt;

enum sn_arp_result {
    SN_ARP_OK = 0,
    SN_ARP_TRUNC,        /* fewer than 28 bytes */
    SN_ARP_BAD_HTYPE,    /* hardware type != 1 or hlen != 6 */
    SN_ARP_BAD_PTYPE,    /* protocol type != 0x0800 or plen != 4 */
    SN_ARP_BAD_OP,       /* opcode not request or reply */
    SN_ARP_RESULT_COUNT
};
const char *sn_arp_result_str(int r);

int sn_arp_parse(const uint8_t *buf, size_t len, sn_arp_pkt *a);
/* Write 28 bytes. */
void sn_arp_emit(uint8_t *buf, const sn_arp_pkt *a);

#endif
