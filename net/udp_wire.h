/* net/udp_wire: UDP header parse and emit (RFC 768), with the pseudo-header
 * checksum. */
#ifndef SN_NET_UDP_WIRE_H
#define SN_NET_UDP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "net/ipv4_wire.h"

#define SN_UDP_HDR_LEN 8

typedef struct sn_udp_hdr {
    uint16_t sport, dport;
    uint16_t len;   /* [bytes] header + payload */
    uint16_t csum;  /* as received; 0 = sender computed none */
} sn_udp_hdr;

enum sn_udp_result {
    SN_UDP_OK = 0,
    SN_UDP_TRUNC,     /* fewer than 8 bytes */
    SN_UDP_BAD_LEN,   /* length field < 8 or > bytes available */
    SN_UDP_BAD_CSUM,  /* non-zero checksum does not verify */
    SN_UDP_RESULT_COUNT
};
const char *sn_udp_result_str(int r);

/* Parse the datagram buf[0..len) (the IP payload) received from src to dst.
 * A length field below `len` is honoured (the caller uses h->len).
 * Returns an sn_udp_result; `h` is filled only on SN_UDP_OK. */
int sn_udp_parse(const uint8_t *buf, size_t len, sn_ip4 src, sn_ip4 dst, sn_udp_hdr *h);

/* buf[0..8) is the header to write, followed by h->len - 8 payload bytes
 * already in place. Writes ports and length and the checksum over the
 * pseudo-header, header and payload (a computed 0 is sent as 0xFFFF), and
 * sets h->csum. Reads exactly h->len - 8 payload bytes. */
void sn_udp_emit(uint8_t *buf, sn_udp_hdr *h, sn_ip4 src, sn_ip4 dst);

#endif
