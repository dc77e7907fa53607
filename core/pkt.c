#include "core/pkt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

struct sn_pktpool {
    sn_pkt *hdrs;      /* `count` headers, one per buffer */
    uint8_t *storage;  /* count * size bytes */
    sn_pkt *free_list;
    size_t count, size, in_use;
    uint64_t failures;
};

sn_pktpool *sn_pktpool_create(size_t count, size_t size)
{
    if (count == 0 || size == 0 || count > SIZE_MAX / size)
        return NULL;
    sn_pktpool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->hdrs = calloc(count, sizeof *p->hdrs);
    p->storage = malloc(count * size);
    if (!p->hdrs || !p->storage) {
        free(p->hdrs);
        free(p->storage);
        free(p);
        return NULL;
    }
    p->count = count;
    p->size = size;
    /* build the free list back to front so buffers are handed out in order */
    for (size_t i = count; i-- > 0;) {
        sn_pkt *k = &p->hdrs[i];
        k->buf = p->storage + i * size;
        k->cap = size;
        k->pool = p;
        k->next = p->free_list;
        p->free_list = k;
    }
    return p;
}

void sn_pktpool_destroy(sn_pktpool *p)
{
    if (!p || p->in_use)
        return; /* outstanding buffers: leak rather than free live memory */
    free(p->hdrs);
    free(p->storage);
    free(p);
}

size_t sn_pktpool_in_use(const sn_pktpool *p) { return p ? p->in_use : 0; }
size_t sn_pktpool_capacity(const sn_pktpool *p) { return p ? p->count : 0; }
size_t sn_pktpool_buf_size(const sn_pktpool *p) { return p ? p->size : 0; }
uint64_t sn_pktpool_failures(const sn_pktpool *p) { return p ? p->failures : 0; }

void sn_pkt_meta_reset(sn_pkt_meta *m)
{
    m->time = 0;
    m->ifindex = -1;
    m->snr_db = NAN;
    m->rssi_db = NAN;
    m->evm_db = NAN;
    m->cfo_hz = NAN;
    m->sample = 0;
    m->flags = 0;
    m->phy_rate = -1;
    m->phy_ctrl = 0;
}

sn_pkt *sn_pkt_alloc(sn_pktpool *p, size_t headroom)
{
    if (!p)
        return NULL;
    if (!p->free_list || headroom > p->size) {
        p->failures++;
        return NULL;
    }
    sn_pkt *k = p->free_list;
    p->free_list = k->next;
    k->next = NULL;
    k->head = headroom;
    k->len = 0;
    sn_pkt_meta_reset(&k->meta);
    p->in_use++;
    return k;
}

sn_pkt *sn_pkt_alloc_tx(sn_pktpool *p) { return sn_pkt_alloc(p, SN_PKT_HEADROOM); }

void sn_pkt_free(sn_pkt *pkt)
{
    if (!pkt)
        return;
    sn_pktpool *p = pkt->pool;
    pkt->next = p->free_list;
    p->free_list = pkt;
    p->in_use--;
}

sn_pkt *sn_pkt_clone(sn_pktpool *p, const sn_pkt *pkt)
{
    if (!p || !pkt)
        return NULL;
    size_t head = pkt->head;
    if (p->size < pkt->len)
        return NULL;
    if (head + pkt->len > p->size)
        head = p->size - pkt->len;
    sn_pkt *c = sn_pkt_alloc(p, head);
    if (!c)
        return NULL;
    memcpy(c->buf + c->head, pkt->buf + pkt->head, pkt->len);
    c->len = pkt->len;
    c->meta = pkt->meta;
    return c;
}

uint8_t *sn_pkt_push(sn_pkt *pkt, size_t n)
{
    if (n > pkt->head)
        return NULL;
    pkt->head -= n;
    pkt->len += n;
    return pkt->buf + pkt->head;
}

uint8_t *sn_pkt_pull(sn_pkt *pkt, size_t n)
{
    if (n > pkt->len)
        return NULL;
    uint8_t *old = pkt->buf + pkt->head;
    pkt->head += n;
    pkt->len -= n;
    return old;
}

uint8_t *sn_pkt_put(sn_pkt *pkt, size_t n)
{
    if (n > sn_pkt_tailroom(pkt))
        return NULL;
    uint8_t *t = pkt->buf + pkt->head + pkt->len;
    pkt->len += n;
    return t;
}

int sn_pkt_append(sn_pkt *pkt, const void *src, size_t n)
{
    uint8_t *t = sn_pkt_put(pkt, n);
    if (!t)
        return SN_ERR_NOBUFS;
    if (n)
        memcpy(t, src, n);
    return 0;
}

int sn_pkt_trim(sn_pkt *pkt, size_t len)
{
    if (len > pkt->len)
        return SN_ERR_INVAL;
    pkt->len = len;
    return 0;
}

int sn_pkt_reset(sn_pkt *pkt, size_t headroom)
{
    if (headroom > pkt->cap)
        return SN_ERR_INVAL;
    pkt->head = headroom;
    pkt->len = 0;
    return 0;
}

void sn_pktq_init(sn_pktq *q, size_t limit)
{
    q->first = q->last = NULL;
    q->count = 0;
    q->limit = limit;
}

int sn_pktq_push(sn_pktq *q, sn_pkt *pkt)
{
    if (q->count >= q->limit)
        return SN_ERR_NOBUFS;
    pkt->next = NULL;
    if (q->last)
        q->last->next = pkt;
    else
        q->first = pkt;
    q->last = pkt;
    q->count++;
    return 0;
}

sn_pkt *sn_pktq_pop(sn_pktq *q)
{
    sn_pkt *k = q->first;
    if (!k)
        return NULL;
    q->first = k->next;
    if (!q->first)
        q->last = NULL;
    k->next = NULL;
    q->count--;
    return k;
}

void sn_pktq_clear(sn_pktq *q)
{
    sn_pkt *k;
    while ((k = sn_pktq_pop(q)))
        sn_pkt_free(k);
}
