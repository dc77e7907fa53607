#include "phy/iq_ring.h"

#include <stdatomic.h>
#include <stdlib.h>

struct sn_iq_ring {
    size_t n_blocks, block_len;
    sn_iq_block *blocks;
    sn_cf32 *store;                 /* n_blocks * block_len samples */
    /* Monotonic counters of blocks written and read; slot = count % n.
     * Each is written by one side only; the other side reads it with
     * acquire so the slot's contents are visible before its index. The two
     * sit on separate cache lines so the sides do not share a line. */
    _Alignas(64) _Atomic uint64_t head; /* written by the producer */
    _Alignas(64) _Atomic uint64_t tail; /* written by the consumer */
    _Alignas(64) _Atomic uint64_t full; /* refusals, producer side */
};

sn_iq_ring *sn_iq_ring_create(size_t n_blocks, size_t block_len)
{
    if (n_blocks < 2 || block_len == 0 || block_len > SIZE_MAX / sizeof(sn_cf32) / n_blocks)
        return NULL;
    sn_iq_ring *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->n_blocks = n_blocks;
    r->block_len = block_len;
    r->blocks = calloc(n_blocks, sizeof *r->blocks);
    /* calloc, not malloc: a big ring costs memory only where it is used */
    r->store = calloc(n_blocks * block_len, sizeof *r->store);
    if (!r->blocks || !r->store) {
        sn_iq_ring_destroy(r);
        return NULL;
    }
    for (size_t i = 0; i < n_blocks; i++)
        r->blocks[i].iq = r->store + i * block_len;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    atomic_init(&r->full, 0);
    return r;
}

void sn_iq_ring_destroy(sn_iq_ring *r)
{
    if (!r)
        return;
    free(r->blocks);
    free(r->store);
    free(r);
}

size_t sn_iq_ring_block_len(const sn_iq_ring *r) { return r->block_len; }
size_t sn_iq_ring_capacity(const sn_iq_ring *r) { return r->n_blocks; }

sn_iq_block *sn_iq_ring_write_begin(sn_iq_ring *r)
{
    uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    if (head - tail >= r->n_blocks) {
        atomic_fetch_add_explicit(&r->full, 1, memory_order_relaxed);
        return NULL;
    }
    sn_iq_block *b = &r->blocks[head % r->n_blocks];
    b->n = 0;
    b->flags = 0;
    b->sample_start = 0;
    b->time_ns = -1;
    return b;
}

void sn_iq_ring_write_commit(sn_iq_ring *r)
{
    uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    atomic_store_explicit(&r->head, head + 1, memory_order_release);
}

const sn_iq_block *sn_iq_ring_read_begin(sn_iq_ring *r)
{
    uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    if (head == tail)
        return NULL;
    return &r->blocks[tail % r->n_blocks];
}

void sn_iq_ring_read_commit(sn_iq_ring *r)
{
    uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
}

size_t sn_iq_ring_used(const sn_iq_ring *r)
{
    uint64_t tail = atomic_load_explicit(&((sn_iq_ring *)r)->tail, memory_order_acquire);
    uint64_t head = atomic_load_explicit(&((sn_iq_ring *)r)->head, memory_order_acquire);
    return (size_t)(head - tail);
}

uint64_t sn_iq_ring_full_count(const sn_iq_ring *r)
{
    return atomic_load_explicit(&((sn_iq_ring *)r)->full, memory_order_relaxed);
}
