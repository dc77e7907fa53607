/* net/inet_csum: the Internet checksum (RFC 1071) and its incremental
 * update (RFC 1624), shared by IPv4, ICMP, UDP and TCP. */
#ifndef SN_NET_INET_CSUM_H
#define SN_NET_INET_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Add `len` bytes (network order, odd length padded with zero) into a 32-bit
 * running sum; start with sum = 0. Every call pads an odd length, so a sum
 * built in pieces must use even-length pieces except the last. */
uint32_t sn_csum_add(uint32_t sum, const void *data, size_t len);

/* Fold a running sum to 16 bits and complement it: the value to store in a
 * checksum field (host order; store with a big-endian write). */
uint16_t sn_csum_finish(uint32_t sum);

/* Sum of the IPv4 pseudo-header (addresses in host order). */
uint32_t sn_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);

/* RFC 1624 eqn. 3: new checksum after a 16-bit field changes from `old` to
 * `new_`: HC' = ~(~HC + ~m + m'). All values in host order. */
uint16_t sn_csum_update16(uint16_t csum, uint16_t old, uint16_t new_);

#endif
