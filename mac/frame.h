/* mac/frame: the MAC frame on the air: an Ethernet II header (so the MAC
 * capture opens as Ethernet in Wireshark), the payload, and a 4-byte FCS
 * (IEEE 802.3 CRC-32, transmitted least significant byte first).
 *
 *   0      6      12   14          14+n   18+n
 *   | dst  | src  |type| payload... | FCS |
 *
 * Parsing reads untrusted bytes only after checking their length; the parsed
 * form (sn_eth_hdr) is kept apart from the bytes.
 */
#ifndef SN_MAC_FRAME_H
#define SN_MAC_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define SN_ETH_ALEN 6
#define SN_ETH_HDR_LEN 14
#define SN_ETH_FCS_LEN 4
#define SN_ETH_MTU 1500         /* [bytes] largest payload accepted */
#define SN_ETH_MIN_LEN 60       /* [bytes] shortest frame without FCS; shorter ones are
                                 * padded with zeros on output */

#define SN_ETHERTYPE_IPV4 0x0800
#define SN_ETHERTYPE_ARP 0x0806

typedef struct sn_mac_addr {
    uint8_t b[SN_ETH_ALEN];
} sn_mac_addr;

extern const sn_mac_addr sn_mac_broadcast; /* ff:ff:ff:ff:ff:ff */

/* Parse "aa:bb:cc:dd:ee:ff" (or all '-' separators; any case; exactly two
 * hex digits per byte). SN_OK or SN_ERR_PARSE. */
int sn_mac_parse(const char *s, sn_mac_addr *out);
/* Format as "aa:bb:cc:dd:ee:ff" into buf (>= 18 bytes); returns buf. */
char *sn_mac_format(const sn_mac_addr *a, char *buf);
int sn_mac_equal(const sn_mac_addr *a, const sn_mac_addr *b);
int sn_mac_is_broadcast(const sn_mac_addr *a);
int sn_mac_is_multicast(const sn_mac_addr *a); /* I/G bit set (incl. broadcast) */

/* Parsed Ethernet header; ethertype in host byte order. */
typedef struct sn_eth_hdr {
    sn_mac_addr dst, src;
    uint16_t ethertype;
} sn_eth_hdr;

/* Reasons a frame is refused, used as drop-counter indices. */
enum sn_eth_result {
    SN_ETH_OK = 0,
    SN_ETH_RUNT,       /* shorter than header + FCS */
    SN_ETH_OVERSIZE,   /* payload longer than SN_ETH_MTU */
    SN_ETH_BAD_FCS,    /* FCS mismatch */
    SN_ETH_RESULT_COUNT
};
const char *sn_eth_result_str(int r);

/* Parse the header of a frame WITHOUT FCS: `len` >= 14 or SN_ETH_RUNT.
 * Returns an sn_eth_result. */
int sn_eth_parse(const uint8_t *buf, size_t len, sn_eth_hdr *h);

/* Write the 14-byte header. */
void sn_eth_emit(uint8_t *buf, const sn_eth_hdr *h);

/* CRC-32 of IEEE 802.3 over len bytes. */
uint32_t sn_eth_crc32(const uint8_t *buf, size_t len);

/* Write the FCS of buf[0..len) into buf[len..len+4). */
void sn_eth_fcs_put(uint8_t *buf, size_t len);

/* Check a whole frame WITH FCS: SN_ETH_OK, SN_ETH_RUNT (< 18 bytes),
 * SN_ETH_OVERSIZE (> 14 + MTU + 4) or SN_ETH_BAD_FCS. */
int sn_eth_check(const uint8_t *frame, size_t len);

#endif
