/* net/icmp_wire: ICMP message parse and emit (RFC 792, RFC 1191, RFC 1122
 * 3.2.2), and the parser of the IP header + 8 bytes an error quotes.
 * Length-checked: nothing is read outside buf[0..len). */
#ifndef SN_NET_ICMP_WIRE_H
#define SN_NET_ICMP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "net/ipv4_wire.h"

#define SN_ICMP_HDR_LEN 8 /* type, code, checksum, 4 bytes rest-of-header */

/* Types (RFC 792) */
#define SN_ICMP_ECHO_REPLY 0
#define SN_ICMP_DEST_UNREACH 3
#define SN_ICMP_SOURCE_QUENCH 4 /* deprecated (RFC 6633): never sent, ignored */
#define SN_ICMP_REDIRECT 5
#define SN_ICMP_ECHO_REQUEST 8
#define SN_ICMP_TIME_EXCEEDED 11
#define SN_ICMP_PARAM_PROBLEM 12

/* Destination Unreachable codes */
#define SN_ICMP_NET_UNREACH 0
#define SN_ICMP_HOST_UNREACH 1
#define SN_ICMP_PROTO_UNREACH 2
#define SN_ICMP_PORT_UNREACH 3
#define SN_ICMP_FRAG_NEEDED 4 /* rest-of-header carries the next-hop MTU (RFC 1191) */
/* Time Exceeded codes */
#define SN_ICMP_TTL_EXCEEDED 0
#define SN_ICMP_REASM_EXCEEDED 1

typedef struct sn_icmp_hdr {
    uint8_t type, code;
    uint16_t csum;     /* as received / as written */
    /* Views of the 4 rest-of-header bytes. Parse fills every view; emit
     * writes the one that belongs to the type: id/seq for echo (0, 8),
     * next_hop_mtu for Destination Unreachable (bytes 6..7, the "unused"
     * bytes 4..5 zero), pointer for Parameter Problem (byte 4, rest zero),
     * `rest` as is for every other type. */
    uint16_t id, seq;
    uint16_t next_hop_mtu;
    uint8_t pointer;
    uint32_t rest;
} sn_icmp_hdr;

enum sn_icmp_result {
    SN_ICMP_OK = 0,
    SN_ICMP_TRUNC,    /* fewer than 8 bytes */
    SN_ICMP_BAD_CSUM, /* checksum over the whole message does not verify */
    SN_ICMP_RESULT_COUNT
};

/* Parse and validate the message buf[0..len) (len = the whole IP payload:
 * the checksum covers all of it, RFC 792). `h` is filled only on OK. */
int sn_icmp_parse(const uint8_t *buf, size_t len, sn_icmp_hdr *h);

/* Write the 8-byte header into buf[0..8) and the checksum over buf[0..len)
 * (the body, buf[8..len), must already be in place). Sets h->csum.
 * Returns 8, or 0 if len < 8. */
size_t sn_icmp_emit(uint8_t *buf, size_t len, sn_icmp_hdr *h);

/* 1 for a type that is an error message, about which no error is ever sent
 * (RFC 1122 3.2.2). Unknown types count as errors, as in Linux: a reply
 * storm is worse than a lost answer to a query nobody defined. */
int sn_icmp_type_is_error(uint8_t type);

/* The invoking datagram quoted by an error (RFC 792: IP header + first 64
 * bits of its data). The quoted header's checksum is not verified: a
 * router quotes the header as it received it except for the TTL (RFC 1812
 * 4.3.2.3), so the checksum may legitimately disagree. */
typedef struct sn_icmp_quote {
    sn_ipv4_hdr ip;      /* quoted header; total_len may exceed what is quoted */
    const uint8_t *data; /* the quoted bytes after the IP header (>= 8) */
    size_t data_len;
    uint16_t sport, dport; /* first 4 data bytes: the UDP/TCP ports */
} sn_icmp_quote;

enum sn_icmp_quote_result {
    SN_ICMP_QUOTE_OK = 0,
    SN_ICMP_QUOTE_TRUNC,       /* shorter than IHL*4 + 8 (no room for ports) */
    SN_ICMP_QUOTE_BAD_VERSION, /* version != 4 */
    SN_ICMP_QUOTE_BAD_IHL,     /* IHL < 5 */
    SN_ICMP_QUOTE_BAD_LEN,     /* total length < header length + 8 */
    SN_ICMP_QUOTE_RESULT_COUNT
};

/* Parse the quote: `body` = the error message after its 8-byte header. */
int sn_icmp_quote_parse(const uint8_t *body, size_t len, sn_icmp_quote *q);

#endif
