/* phy/iq_ring: a lock-free single-producer / single-consumer ring of sample
 * blocks, between a device's receive thread and the thread that polls it.
 *
 * The ring holds `n_blocks` slots of `block_len` samples each. The producer
 * reads straight into a slot (no copy), stamps it and publishes it; the
 * consumer borrows the oldest published slot and releases it. Blocks, not
 * loose samples, so that each one keeps its own sample index and flags: a
 * loss between two blocks stays visible to the consumer.
 *
 * Contract:
 *  - exactly one producer thread calls *_write_*, exactly one consumer
 *    thread calls *_read_*; create/destroy happen when neither runs;
 *  - write_begin returns NULL when every slot is full (the caller drops its
 *    samples and counts the loss; the ring counts the refusals too);
 *  - a slot handed out by write_begin/read_begin stays valid until the
 *    matching commit; at most one slot is open on each side.
 */
#ifndef SN_PHY_IQ_RING_H
#define SN_PHY_IQ_RING_H

#include <stddef.h>
#include <stdint.h>

#include "phy/modem.h"

typedef struct sn_iq_block {
    sn_cf32 *iq;            /* block_len samples of room */
    size_t n;               /* samples used */
    uint64_t sample_start;  /* [samples] index of iq[0] on the stream */
    int64_t time_ns;        /* [ns] device time of iq[0], or -1 if unknown */
    uint32_t flags;         /* SN_RADIO_RX_* */
} sn_iq_block;

typedef struct sn_iq_ring sn_iq_ring;

/* NULL on allocation failure or a zero size. Needs n_blocks >= 2. */
sn_iq_ring *sn_iq_ring_create(size_t n_blocks, size_t block_len);
void sn_iq_ring_destroy(sn_iq_ring *r); /* NULL-safe */

size_t sn_iq_ring_block_len(const sn_iq_ring *r);  /* [samples] per slot */
size_t sn_iq_ring_capacity(const sn_iq_ring *r);   /* [blocks] */

/* Producer side. */
sn_iq_block *sn_iq_ring_write_begin(sn_iq_ring *r);  /* NULL when full */
void sn_iq_ring_write_commit(sn_iq_ring *r);

/* Consumer side. */
const sn_iq_block *sn_iq_ring_read_begin(sn_iq_ring *r);  /* NULL when empty */
void sn_iq_ring_read_commit(sn_iq_ring *r);

/* Blocks published and not yet released (a snapshot; any thread). */
size_t sn_iq_ring_used(const sn_iq_ring *r);
/* Times write_begin found the ring full (any thread). */
uint64_t sn_iq_ring_full_count(const sn_iq_ring *r);

#endif
