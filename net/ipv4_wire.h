/* net/ipv4_wire: IPv4 header parse and emit (RFC 791), length-checked.
 * Addresses are uint32_t in host byte order everywhere in sdrnet. */
#ifndef SN_NET_IPV4_WIRE_H
#define SN_NET_IPV4_WIRE_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t sn_ip4; /* host byte order: 192.168.1.10 = 0xC0A8010A */

#define SN_IPV4_HDR_MIN 20
#define SN_IPPROTO_ICMP 1
#define SN_IPPROTO_TCP 6
#define SN_IPPROTO_UDP 17

/* Parse dotted quad; SN_OK or SN_ERR_PARSE (no leading junk, each part
 * 0..255, no leading zeros: "01.2.3.4" is refused, as inet_pton does,
 * because inet_aton would read it as octal). */
int sn_ip4_parse(const char *s, sn_ip4 *out);
/* "a.b.c.d/n" (n 0..32); a bare address gives n = 32. */
int sn_ip4_parse_prefix(const char *s, sn_ip4 *addr, int *prefix_len);
/* Format into buf (>= 16 bytes); returns buf. */
char *sn_ip4_format(sn_ip4 a, char *buf);
/* Netmask of a prefix length 0..32. */
sn_ip4 sn_ip4_mask(int prefix_len);

typedef struct sn_ipv4_hdr {
    uint8_t hdr_len;      /* [bytes] IHL*4, 20..60 */
    uint8_t tos;
    uint16_t total_len;   /* [bytes] header + payload */
    uint16_t id;
    uint8_t df, mf;       /* flags */
    uint16_t frag_off;    /* [bytes] fragment offset (multiple of 8) */
    uint8_t ttl;
    uint8_t proto;
    uint16_t csum;        /* as received / as written */
    sn_ip4 src, dst;
} sn_ipv4_hdr;

enum sn_ipv4_result {
    SN_IPV4_OK = 0,
    SN_IPV4_TRUNC,        /* fewer than 20 bytes, or than IHL*4, or than total length */
    SN_IPV4_BAD_VERSION,  /* version != 4 */
    SN_IPV4_BAD_IHL,      /* IHL < 5 */
    SN_IPV4_BAD_LEN,      /* total length < header length */
    SN_IPV4_BAD_CSUM,     /* header checksum mismatch */
    SN_IPV4_RESULT_COUNT
};
const char *sn_ipv4_result_str(int r);

/* Parse and validate the header at buf[0..len). `len` may exceed
 * total_len (link padding): the caller trims to total_len. Returns an
 * sn_ipv4_result; `h` is filled only on SN_IPV4_OK. */
int sn_ipv4_parse(const uint8_t *buf, size_t len, sn_ipv4_hdr *h);

/* Write a header without options into buf[0..20), computing the checksum.
 * Sets h->hdr_len = 20 and h->csum; total_len is written as given (the
 * caller accounts for dropped options); frag_off is rounded down to a
 * multiple of 8; the reserved flag is written as 0. Returns 20. */
size_t sn_ipv4_emit(uint8_t *buf, sn_ipv4_hdr *h);

#endif
