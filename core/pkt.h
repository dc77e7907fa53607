/* core/pkt: the one packet buffer that carries a frame from the radio to the
 * socket and back.
 *
 * A buffer is a contiguous byte array with headroom in front of the data, so
 * each layer prepends its header with sn_pkt_push() and strips it on receive
 * with sn_pkt_pull(), without copying (like lwIP's pbuf or Linux's sk_buff).
 *
 *     buf                head          head+len            cap
 *      |<--- headroom --->|<---- data ---->|<-- tailroom -->|
 *
 * Buffers come from a pool created once; nothing on the data path calls
 * malloc. Metadata (receive time, interface, PHY statistics) travels with the
 * buffer.
 *
 * Ownership: whoever holds a pkt owns it and must either hand it on (the
 * callee documents that it takes ownership) or release it with sn_pkt_free().
 * Functions that take a pkt state "takes ownership" or "borrows" in their
 * header comment.
 */
#ifndef SN_CORE_PKT_H
#define SN_CORE_PKT_H

#include <stddef.h>
#include <stdint.h>

#include "core/time.h"

/* Headroom reserved by sn_pkt_alloc_tx(): enough for every lower header
 * (PHY framing 32 + MAC 24 + IPv4 60 + TCP 60, rounded up). [bytes] */
#define SN_PKT_HEADROOM 192

/* Metadata that travels with a packet. Fields a layer does not know are left
 * at their reset values (0, or NaN for the PHY statistics). */
typedef struct sn_pkt_meta {
    sn_time_t time;     /* [ns] receive time, or intended send time */
    int ifindex;        /* interface the packet arrived on / leaves by, -1 none */
    float snr_db;       /* [dB] PHY estimate of signal-to-noise ratio */
    float rssi_db;      /* [dB] received signal strength (full scale = 0 dB) */
    float evm_db;       /* [dB] error vector magnitude */
    float cfo_hz;       /* [Hz] estimated carrier frequency offset */
    uint64_t sample;    /* [samples] index of the frame's first sample */
    uint32_t flags;     /* SN_PKT_F_* */
    int phy_rate;       /* PHY rate (sn_phy_rate, phy/modem.h) it arrived at
                         * or is to be sent at; -1: the port's default */
    uint32_t phy_ctrl;  /* MAC control word carried in the PHY header
                         * (sn_modem_txopt.ctrl), 0 if none */
} sn_pkt_meta;

#define SN_PKT_F_CRC_BAD   0x1u /* PHY or MAC check failed (kept for captures) */
#define SN_PKT_F_BCAST     0x2u /* arrived as link-layer broadcast */
#define SN_PKT_F_MCAST     0x4u /* arrived as link-layer multicast */
#define SN_PKT_F_OTHERHOST 0x8u /* arrived addressed to another host (promisc) */

typedef struct sn_pktpool sn_pktpool;

typedef struct sn_pkt {
    uint8_t *buf;       /* start of storage (owned by the pool) */
    size_t cap;         /* [bytes] size of storage */
    size_t head;        /* [bytes] offset of first data byte */
    size_t len;         /* [bytes] number of data bytes */
    sn_pkt_meta meta;
    sn_pktpool *pool;   /* pool it returns to on free */
    struct sn_pkt *next; /* free-list / queue link, owned by current holder */
} sn_pkt;

/* Create a pool of `count` buffers of `size` bytes each. [bytes]
 * Returns NULL if an allocation fails (nothing is leaked). */
sn_pktpool *sn_pktpool_create(size_t count, size_t size);

/* Destroy a pool. NULL-safe. Every buffer must have been freed first;
 * outstanding buffers are reported by sn_pktpool_in_use() and leaked
 * deliberately (freeing memory still referenced would be worse). */
void sn_pktpool_destroy(sn_pktpool *p);

size_t sn_pktpool_in_use(const sn_pktpool *p);     /* buffers handed out */
size_t sn_pktpool_capacity(const sn_pktpool *p);   /* buffers in total */
size_t sn_pktpool_buf_size(const sn_pktpool *p);   /* [bytes] per buffer */
uint64_t sn_pktpool_failures(const sn_pktpool *p); /* allocs refused */

/* Take a buffer with `headroom` bytes before an empty data area. Returns NULL
 * (and counts a failure) when the pool is empty or headroom exceeds the size.
 * Metadata is reset. Caller owns the result. */
sn_pkt *sn_pkt_alloc(sn_pktpool *p, size_t headroom);

/* Shorthand for sn_pkt_alloc(p, SN_PKT_HEADROOM). */
sn_pkt *sn_pkt_alloc_tx(sn_pktpool *p);

/* Return a buffer to its pool. NULL-safe. Takes ownership. */
void sn_pkt_free(sn_pkt *pkt);

/* Copy a packet (data and metadata) into a new buffer from pool `p`, keeping
 * the same headroom when it fits. Returns NULL when the pool is empty. */
sn_pkt *sn_pkt_clone(sn_pktpool *p, const sn_pkt *pkt);

static inline uint8_t *sn_pkt_data(const sn_pkt *pkt) { return pkt->buf + pkt->head; }
static inline size_t sn_pkt_len(const sn_pkt *pkt) { return pkt->len; }
static inline size_t sn_pkt_headroom(const sn_pkt *pkt) { return pkt->head; }
static inline size_t sn_pkt_tailroom(const sn_pkt *pkt)
{
    return pkt->cap - pkt->head - pkt->len;
}

/* Prepend `n` bytes: returns a pointer to the new first byte, or NULL (packet
 * unchanged) when headroom is short. The new bytes are uninitialised. */
uint8_t *sn_pkt_push(sn_pkt *pkt, size_t n);

/* Strip `n` bytes from the front: returns a pointer to the stripped bytes
 * (still valid until the next push), or NULL (unchanged) if len < n. */
uint8_t *sn_pkt_pull(sn_pkt *pkt, size_t n);

/* Append `n` bytes at the tail: returns a pointer to them, or NULL
 * (unchanged) when tailroom is short. The new bytes are uninitialised. */
uint8_t *sn_pkt_put(sn_pkt *pkt, size_t n);

/* Append `n` bytes copied from `src`. SN_OK or SN_ERR_NOBUFS. */
int sn_pkt_append(sn_pkt *pkt, const void *src, size_t n);

/* Shorten the data to `len` bytes (drop the tail, e.g. link padding or an
 * FCS). SN_ERR_INVAL if len exceeds the current length. */
int sn_pkt_trim(sn_pkt *pkt, size_t len);

/* Reset to an empty data area with `headroom` bytes in front; keeps the
 * buffer. SN_ERR_INVAL if headroom exceeds capacity. */
int sn_pkt_reset(sn_pkt *pkt, size_t headroom);

/* Reset metadata fields to "unknown". */
void sn_pkt_meta_reset(sn_pkt_meta *m);

/* A FIFO of packets linked through pkt->next, bounded by `limit` entries.
 * The queue owns what it holds. */
typedef struct sn_pktq {
    sn_pkt *first, *last;
    size_t count, limit;
} sn_pktq;

void sn_pktq_init(sn_pktq *q, size_t limit);
/* Takes ownership on SN_OK; on SN_ERR_NOBUFS (full) the caller keeps it. */
int sn_pktq_push(sn_pktq *q, sn_pkt *pkt);
/* Returns the oldest packet (caller owns it) or NULL. */
sn_pkt *sn_pktq_pop(sn_pktq *q);
/* Free every packet held. */
void sn_pktq_clear(sn_pktq *q);

#endif
