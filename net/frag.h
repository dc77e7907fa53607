/* net/frag: IPv4 fragmentation and reassembly (RFC 791, RFC 815,
 * RFC 1122 3.3.2, RFC 1858), on sn_pkt buffers holding whole IPv4 packets
 * (header included, data = first byte of the IPv4 header).
 *
 * Both halves are standalone: the IP layer calls sn_ipv4_fragment() on the
 * way out when a packet exceeds the interface MTU, and sn_reass_input() on
 * the way in for every packet with MF set or a non-zero offset.
 *
 * Reassembly policy (see ../shared/NET-CHECKLIST.md section D):
 *   - key (src, dst, proto, id) (RFC 791); fragments in any order (FRAG-02);
 *   - a fragment whose bytes are all already held, with identical content,
 *     is a duplicate: absorbed (counted drop_duplicate), the datagram lives
 *     on (FRAG-03). Overlaps whose overlapping bytes are identical are
 *     tolerated; ANY overlap whose bytes differ drops the whole datagram
 *     (drop_overlap, FRAG-04), so no mix of two versions of the data (or of
 *     a transport header, RFC 1858) is ever delivered;
 *   - hdr + data > 65535 or > EMTU_R drops the datagram (drop_too_big,
 *     FRAG-06, "ping of death");
 *   - zero-length fragment, non-last fragment whose length is not a
 *     multiple of 8, data past an already known end, a second last fragment
 *     with a different end: the datagram is dropped (drop_bad_frag, FRAG-06);
 *   - TCP/UDP first fragment too short for the transport header (TCP: 20
 *     bytes or its data offset, UDP: 8), or a TCP fragment at offset 8: the
 *     datagram is dropped (drop_tiny, FRAG-08, RFC 1858 / RFC 3128);
 *   - bounds on datagrams in progress and on bytes held, counted as the
 *     capacity of the buffers held (a 1-byte fragment pins a whole pool
 *     buffer, so that is what is bounded); to make room for a fragment the
 *     OLDEST datagrams are evicted (drop_evicted, FRAG-07), so a flood of
 *     incomplete datagrams never blocks a new one;
 *   - a fixed timeout from the first fragment's arrival, not derived from
 *     TTL (FRAG-05). Default 60 s: RFC 1122 3.3.2 recommends 60..120 s and
 *     the checklist follows it (lwIP's 15 s and Linux's 30 s are shorter
 *     than the RFC asks; a shorter value is allowed by configuration).
 *
 * Single-threaded, like the scheduler that drives it.
 */
#ifndef SN_NET_FRAG_H
#define SN_NET_FRAG_H

#include <stddef.h>
#include <stdint.h>

#include "core/pkt.h"
#include "core/sched.h"
#include "core/stats.h"
#include "core/time.h"
#include "net/ipv4_wire.h"

/* Smallest MTU every IPv4 link must carry (RFC 791): 60-byte header plus
 * 8 bytes of data. [bytes] */
#define SN_IPV4_MTU_MIN 68
/* Largest IPv4 datagram (16-bit total length). [bytes] */
#define SN_IPV4_MAX_LEN 65535

/* Fragment the IPv4 packet `pkt` (borrowed, unchanged) for a link of MTU
 * `mtu` [bytes, IPv4 header included] and append the fragments, in offset
 * order, to `out` (the queue then owns them; the caller sends them in queue
 * order, RFC 4787 REQ-13a). Fragments come from `pool` with SN_PKT_HEADROOM
 * in front for the link layer; metadata is copied from `pkt`.
 *
 * The first fragment carries every option of `pkt`; later ones only the
 * options with the copy bit (RFC 791 3.1), padded with End-of-Options to a
 * multiple of 4. Every fragment's data length is a multiple of 8 except the
 * last; offsets continue those of `pkt` and the last fragment keeps `pkt`'s
 * MF (so a fragment can be fragmented again by a router). Checksums are
 * computed.
 *
 * A packet that already fits (total length <= mtu) is appended as one copy
 * (same bytes), so the caller can always send what is in `out` and free
 * `pkt` itself.
 *
 * Returns the number of packets appended (>= 1), or:
 *   SN_ERR_RANGE  DF is set and the packet exceeds `mtu`: nothing appended.
 *                 The caller sends ICMP Destination Unreachable code 4
 *                 (fragmentation needed) quoting `pkt`, with Next-Hop MTU
 *                 = `mtu`, the value it passed here (RFC 1191).
 *   SN_ERR_PARSE  `pkt` is not a valid IPv4 header or its options are
 *                 malformed.
 *   SN_ERR_INVAL  NULL argument, or mtu < SN_IPV4_MTU_MIN or too small for
 *                 the header plus 8 bytes.
 *   SN_ERR_NOBUFS `pool` ran out, a buffer is too small, or `out` lacks
 *                 room for all fragments: nothing appended, nothing leaked.
 */
int sn_ipv4_fragment(sn_pktpool *pool, const sn_pkt *pkt, unsigned mtu, sn_pktq *out);

/* The same for a datagram that is not in one buffer: its IPv4 header at
 * ip_hdr (IHL*4 bytes, valid checksum, Total Length = header + alen + blen)
 * and its data as the concatenation of a[0..alen) and b[0..blen) (e.g. a
 * transport header and the application's bytes), all borrowed. Each
 * fragment is built directly from those pieces, so a datagram of up to
 * 65535 bytes needs no buffer larger than one fragment (a host's own large
 * datagrams, net/ipv4 sn_ipv4_output_data). Fragments get `meta`. Same
 * results as sn_ipv4_fragment; SN_ERR_PARSE also when Total Length does
 * not match the pieces. */
int sn_ipv4_fragment_parts(sn_pktpool *pool, const uint8_t *ip_hdr, const uint8_t *a,
                           size_t alen, const uint8_t *b, size_t blen, unsigned mtu,
                           const sn_pkt_meta *meta, sn_pktq *out);

typedef struct sn_reass sn_reass;

/* Called when a datagram times out. `first` is its fragment at offset 0
 * (whole IPv4 packet, header included), borrowed for the duration of the
 * call, or NULL when that fragment never arrived: the IP layer sends ICMP
 * Time Exceeded code 1 quoting `first` only when it is non-NULL (RFC 792,
 * RFC 1122 3.3.2). The callback must not call sn_reass_destroy(). */
typedef void (*sn_reass_timeout_fn)(void *user, const sn_pkt *first);

typedef struct sn_reass_config {
    unsigned max_datagrams; /* [datagrams] in progress at once, e.g. 64 */
    size_t max_bytes;       /* [bytes] buffer capacity held in total, e.g. 256 KiB */
    size_t max_datagram;    /* [bytes] EMTU_R: largest datagram reassembled,
                               header included, 576..65535; further capped by
                               what one buffer of the output pool holds */
    sn_time_t timeout;      /* [ns] from the first fragment received, e.g. 60 s */
    sn_reass_timeout_fn on_timeout; /* may be NULL */
    void *user;             /* passed to on_timeout */
} sn_reass_config;

void sn_reass_config_default(sn_reass_config *c);

/* Create a reassembler. `s` supplies the clock and the timeout timer;
 * whole datagrams are built in buffers from `pool` (whose buffer size bounds
 * EMTU_R: RFC 1122 requires at least 576, so the pool's buffers must hold
 * 576 bytes plus headroom). All state is allocated here, none on input.
 * Returns NULL on a bad argument or when memory runs out. */
sn_reass *sn_reass_create(const sn_reass_config *cfg, sn_sched *s, sn_pktpool *pool);

/* Free every fragment held and cancel the timer; no callback is called.
 * NULL-safe. */
void sn_reass_destroy(sn_reass *r);

/* The EMTU_R in force (after capping by the pool's buffer size). [bytes] */
size_t sn_reass_emtu_r(const sn_reass *r);

/* Offer one IPv4 fragment (whole packet, header included; link padding
 * beyond the total length is trimmed). Takes ownership of `frag` in every
 * case. The time of arrival is the scheduler's now.
 *
 * On SN_OK, *whole is either NULL (held, datagram incomplete, or an
 * identical duplicate absorbed) or a datagram the caller now owns: a NEW
 * buffer from the reassembler's pool with the first fragment's header
 * (options included) rewritten with MF = 0, offset 0, the total length and a
 * valid checksum, and the metadata of the fragment that completed it.
 * A packet that is not a fragment (MF = 0, offset 0) is handed straight
 * back as *whole (the same buffer).
 *
 * On error *whole is NULL and `frag` has been freed (counted):
 *   SN_ERR_PARSE  invalid header, or a bad fragment (drop_malformed /
 *                 drop_bad_frag / drop_tiny / drop_overlap: the datagram
 *                 it belonged to is gone too, except for drop_malformed);
 *   SN_ERR_RANGE  datagram larger than EMTU_R (drop_too_big);
 *   SN_ERR_NOBUFS no buffer for the whole datagram, or the fragment alone
 *                 exceeds the byte bound (drop_nobufs / drop_evicted). */
int sn_reass_input(sn_reass *r, sn_pkt *frag, sn_pkt **whole);

/* Counters (names in the header comment of core/stats.h style):
 * fragments_in, reassembled, and drop_* counting DATAGRAMS discarded, except
 * drop_malformed and drop_duplicate which count single fragments; gauges
 * datagrams_held, fragments_held, bytes_held. */
typedef struct sn_reass_stats {
    uint64_t fragments_in;   /* fragments offered */
    uint64_t reassembled;    /* datagrams completed */
    uint64_t drop_malformed; /* fragment with an invalid IPv4 header */
    uint64_t drop_duplicate; /* fragment whose bytes were all held already */
    uint64_t drop_overlap;   /* overlap with different bytes (FRAG-04) */
    uint64_t drop_too_big;   /* beyond 65535 or EMTU_R (FRAG-06) */
    uint64_t drop_bad_frag;  /* zero length, length % 8, past the end (FRAG-06) */
    uint64_t drop_tiny;      /* tiny first fragment, TCP at offset 8 (FRAG-08) */
    uint64_t drop_timeout;   /* timed out (FRAG-05) */
    uint64_t drop_evicted;   /* evicted for room, oldest first (FRAG-07) */
    uint64_t drop_nobufs;    /* no buffer for the whole datagram */
    uint64_t datagrams_held; /* gauge [datagrams] */
    uint64_t fragments_held; /* gauge [fragments] */
    uint64_t bytes_held;     /* gauge [bytes] capacity of the buffers held */
} sn_reass_stats;

void sn_reass_get_stats(const sn_reass *r, sn_reass_stats *st);
/* The same as name/value pairs (core/stats.h) for the CLI. */
size_t sn_reass_stats_list(const sn_reass *r, sn_stat *out, size_t max);

#endif
