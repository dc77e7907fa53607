/* net/icmp: a node's ICMP (RFC 792, RFC 1122 3.2.2, RFC 1812 4.3.2).
 *
 * Every sn_ipv4 owns one: sn_ipv4_create() makes it and registers it for
 * protocol 1, sn_ipv4_icmp() returns it, sn_ipv4_destroy() frees it.
 *
 * Input: a message is validated (length >= 8, checksum over the whole
 * message; each failure a counted, silent drop). An Echo Request to one of
 * our unicast addresses is answered with an Echo Reply carrying the same
 * identifier, sequence number and data, whatever its size up to 65507
 * bytes of data (ICMP-01: a reassembled request gets a reply that IP
 * fragments again on the way out); one to
 * a broadcast or multicast address is ignored and counted (ICMP-02: Linux's
 * default, icmp_echo_ignore_broadcasts = 1, because a broadcast ping makes
 * every host answer at once: on one shared radio channel that is a
 * collision storm). Echo Replies go to the listener bound to their
 * identifier (sn_icmp_echo_bind, the ping API). Destination Unreachable,
 * Time Exceeded and Parameter Problem are checked (the quoted IP header:
 * version 4, IHL >= 5, 8 bytes after it for the ports; our own address as
 * its source) and handed to the error handler of the quoted protocol
 * (UDP registers one), except errors quoting one of our Echo Requests,
 * which go to the echo listener of the quoted identifier
 * (sn_icmp_echo_set_error: ping). Source Quench is ignored (RFC 6633) and so are
 * Redirect and every other type, each counted.
 *
 * Errors out (sn_icmp_send_error): the offending header and as much of its
 * datagram as keeps the error within 576 bytes (RFC 1812 4.3.2.3), from the
 * address of the interface the error leaves by. Never about an ICMP error, a
 * datagram to a broadcast or multicast address, a link-layer broadcast, a
 * non-initial fragment, or a datagram whose source does not name one host
 * (RFC 1122 3.2.2, RFC 1812 4.3.2.7): each such case is counted, nothing is
 * sent. Errors are rate-limited by one token bucket per node on the virtual
 * clock (RFC 1812 4.3.2.8, like Linux icmp_ratelimit): by default a burst of
 * 10, then one every 100 ms; echo replies are not limited (Linux's default
 * icmp_ratemask does not cover them either).
 */
#ifndef SN_NET_ICMP_H
#define SN_NET_ICMP_H

#include <stddef.h>
#include <stdint.h>

#include "core/pkt.h"
#include "core/stats.h"
#include "core/time.h"
#include "net/icmp_wire.h"
#include "net/ipv4.h"

#define SN_ICMP_ERROR_MAX_LEN 576         /* [bytes] whole error datagram, RFC 1812 */
#define SN_ICMP_RATE_BURST 10             /* errors sent back to back at most */
#define SN_ICMP_RATE_INTERVAL (100 * SN_NS_PER_MS) /* [ns] one more error per interval */
#define SN_ICMP_MAX_ECHO_LISTENERS 16

/* Created by sn_ipv4_create(); nothing else should call these two. */
sn_icmp *sn_icmp_create(sn_ipv4 *ip, sn_pktpool *pool);
void sn_icmp_destroy(sn_icmp *icmp); /* NULL-safe */

/* Send an error of `type`/`code` about `ip_pkt` [len bytes: the offending
 * datagram from its IP header on, as received]. `extra` fills the
 * rest-of-header: the next-hop MTU for Fragmentation Needed (type 3 code 4),
 * the octet pointer for Parameter Problem (type 12), ignored otherwise.
 * `link_flags` are the received packet's meta.flags (SN_PKT_F_BCAST/MCAST:
 * a link-layer broadcast is never answered); pass 0 when unknown.
 * Returns SN_OK when sent, SN_ERR_AGAIN when suppressed by a rule or the
 * rate limit (counted), SN_ERR_INVAL for Source Quench, a non-error type or
 * a datagram that does not parse as IPv4 (counted), or IP's error. */
int sn_icmp_send_error_flags(sn_icmp *icmp, uint8_t type, uint8_t code, const uint8_t *ip_pkt,
                             size_t len, uint32_t extra, uint32_t link_flags, sn_time_t now);
/* The same for a datagram not received as a link-layer broadcast/multicast
 * (link_flags 0): forwarding and reassembly, whose input already refused
 * those. */
int sn_icmp_send_error(sn_icmp *icmp, uint8_t type, uint8_t code, const uint8_t *ip_pkt,
                       size_t len, uint32_t extra, sn_time_t now);

/* Change the error rate limit: `burst` errors at once, then one per
 * `interval` [ns]. burst 0 sends none; interval 0 disables the limit. */
void sn_icmp_set_ratelimit(sn_icmp *icmp, unsigned burst, sn_time_t interval);

/* An error received about a datagram we sent. */
typedef struct sn_icmp_error {
    sn_ip4 from;            /* who sent the error (a router, or the peer) */
    uint8_t type, code;
    uint32_t extra;         /* next-hop MTU (3/4), pointer (12), else 0 */
    sn_icmp_quote quote;    /* the quoted datagram: addresses, protocol, ports */
    sn_time_t time;         /* [ns] arrival */
} sn_icmp_error;
typedef void (*sn_icmp_error_fn)(void *user, const sn_icmp_error *e);

/* Handler of errors quoting protocol `proto` (replaces any; NULL removes). */
void sn_icmp_register_error(sn_icmp *icmp, uint8_t proto, sn_icmp_error_fn fn, void *user);

/* Ping API. An Echo Reply whose identifier is bound is delivered with its
 * arrival time; the sender knows when it sent (sn_icmp_ping is immediate on
 * the virtual clock), so rtt = rx_time - its send time. `data` is borrowed
 * for the call. */
typedef void (*sn_icmp_echo_fn)(void *user, sn_ip4 from, uint16_t id, uint16_t seq,
                                const uint8_t *data, size_t len, sn_time_t rx_time,
                                const sn_pkt_meta *meta);
/* SN_OK, SN_ERR_EXIST (id bound), SN_ERR_RANGE (table full). */
int sn_icmp_echo_bind(sn_icmp *icmp, uint16_t id, sn_icmp_echo_fn fn, void *user);
void sn_icmp_echo_unbind(sn_icmp *icmp, uint16_t id);

/* Errors about our own Echo Requests (Destination Unreachable, Time
 * Exceeded, Parameter Problem quoting an Echo Request we sent) are
 * dispatched by the quoted identifier to the listener bound to it, so
 * several pings on one node, and the handler of another protocol, never
 * take each other's errors (like Linux's ping sockets). `id` and `seq`
 * are those of the quoted request. An error quoting an unbound identifier
 * goes to the protocol-1 handler of sn_icmp_register_error, if any. */
typedef void (*sn_icmp_echo_error_fn)(void *user, const sn_icmp_error *e, uint16_t id,
                                      uint16_t seq);
/* Set (or, fn NULL, clear) the error handler of bound identifier `id`.
 * SN_OK, or SN_ERR_NOENT when `id` is not bound. Unbinding clears it. */
int sn_icmp_echo_set_error(sn_icmp *icmp, uint16_t id, sn_icmp_echo_error_fn fn, void *user);

/* Send an Echo Request to `dst` with `len` bytes of payload (borrowed),
 * up to 65507 (65535 less the IP and ICMP headers): a request larger than
 * the link MTU is fragmented by IP straight from `payload`, and so is the
 * reply we send to a large request (ICMP-01). SN_OK (handed to IP),
 * SN_ERR_RANGE (too large), SN_ERR_NOBUFS, or IP's error (no route...). */
int sn_icmp_ping(sn_icmp *icmp, sn_ip4 dst, uint16_t id, uint16_t seq, const void *payload,
                 size_t len);

size_t sn_icmp_stats(const sn_icmp *icmp, sn_stat *out, size_t max);

#endif
