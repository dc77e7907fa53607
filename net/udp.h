/* net/udp: UDP sockets of a node (RFC 768, RFC 1122 4.1.3).
 *
 * A socket is bound to a local port (chosen from the dynamic range
 * 49152-65535 when 0 is asked); datagrams arriving for that port are
 * delivered to its callback, and the node's transport capture records every
 * datagram that reached or left a socket. Datagrams with a bad length or
 * checksum are counted and dropped; one for a port nobody listens on is
 * counted, dropped and answered with ICMP Port Unreachable (RFC 1122
 * 4.1.3.1; ICMP itself refuses when the datagram was a broadcast or
 * multicast, and rate-limits).
 *
 * ICMP errors quoting a datagram one of our sockets sent (Destination
 * Unreachable, Time Exceeded, Parameter Problem) are delivered to that
 * socket, found by the quoted source port: its error callback runs and the
 * error is kept as the socket's pending error (like SO_ERROR) until read.
 */
#ifndef SN_NET_UDP_H
#define SN_NET_UDP_H

#include <stddef.h>
#include <stdint.h>

#include "core/pcap_tap.h"
#include "core/pkt.h"
#include "core/stats.h"
#include "net/ipv4.h"

#define SN_UDP_MAX_SOCKETS 64
#define SN_UDP_EPHEMERAL_MIN 49152
#define SN_UDP_EPHEMERAL_MAX 65535

typedef struct sn_udp sn_udp;
typedef struct sn_udp_sock sn_udp_sock;

/* A datagram for the socket: `data` is borrowed for the call. `meta`
 * carries arrival time, interface and PHY statistics. */
typedef void (*sn_udp_recv_fn)(void *user, sn_udp_sock *s, sn_ip4 src, uint16_t sport,
                               sn_ip4 dst, const uint8_t *data, size_t len,
                               const sn_pkt_meta *meta);

/* An ICMP error about a datagram the socket sent. */
typedef struct sn_udp_error {
    sn_ip4 from;          /* who reported it */
    uint8_t type, code;   /* ICMP type and code (3/3: port unreachable) */
    uint32_t extra;       /* next-hop MTU (3/4), pointer (12), else 0 */
    sn_ip4 dst;           /* where the offending datagram was going */
    uint16_t dport;
    sn_time_t time;       /* [ns] arrival of the error */
} sn_udp_error;
typedef void (*sn_udp_error_fn)(void *user, sn_udp_sock *s, const sn_udp_error *e);

/* Registers itself with `ip` for protocol 17 (and with ip's ICMP for
 * errors quoting UDP). `tap` (may be NULL,
 * caller-owned) is the transport capture. `seed` drives ephemeral port
 * choice, so a run is repeatable. */
sn_udp *sn_udp_create(sn_ipv4 *ip, sn_pktpool *pool, sn_pcap_tap *tap, uint64_t seed);
void sn_udp_destroy(sn_udp *u); /* NULL-safe; closes every socket */

/* Open a socket on `port` (0: ephemeral). `owner` names the application
 * (copied; shown by netstat-like listings). NULL if the port is taken, the
 * table is full, or allocation fails (*err tells which, if non-NULL). */
sn_udp_sock *sn_udp_open(sn_udp *u, uint16_t port, sn_udp_recv_fn fn, void *user,
                         const char *owner, int *err);
void sn_udp_close(sn_udp_sock *s); /* NULL-safe */

uint16_t sn_udp_sock_port(const sn_udp_sock *s);

/* Call `fn` for each ICMP error the socket receives (NULL: none). */
void sn_udp_set_error_fn(sn_udp_sock *s, sn_udp_error_fn fn, void *user);

/* The pending ICMP error: 1 and *out filled (then cleared) if there is one,
 * else 0. Only the latest error is kept. */
int sn_udp_sock_error(sn_udp_sock *s, sn_udp_error *out);

/* Send `len` bytes (borrowed) to dst:dport, up to 65507 (65535 less the
 * IP and UDP headers): IP fragments a datagram larger than the link MTU
 * straight from `data` (net/ipv4 sn_ipv4_output_data), so no buffer
 * larger than a frame is needed. SN_OK (handed to IP), SN_ERR_RANGE (too
 * large), SN_ERR_NOBUFS (pool empty), or IP's error. */
int sn_udp_sendto(sn_udp_sock *s, sn_ip4 dst, uint16_t dport, const void *data, size_t len);

/* The same with IP options (TTL, DF) for this datagram, e.g. the probes of
 * traceroute; opts NULL = defaults. With DF set a datagram larger than the
 * MTU is refused with SN_ERR_RANGE (Linux's EMSGSIZE). */
int sn_udp_sendto_opts(sn_udp_sock *s, sn_ip4 dst, uint16_t dport, const void *data, size_t len,
                       const sn_ipv4_tx_opts *opts);

size_t sn_udp_stats(const sn_udp *u, sn_stat *out, size_t max);

#endif
