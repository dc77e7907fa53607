/* A simulated wire for the stack tests: a frame sent into one end arrives
 * at the other end's netif 1 ms later, through the scheduler (so replies
 * never recurse). Each end counts what was sent into it, keeps the last
 * frame, the shortest and longest lengths, and can drop the next N frames
 * (loss). An end with no peer only records. */
#ifndef SN_TEST_WIRE_H
#define SN_TEST_WIRE_H

#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "core/pkt.h"
#include "core/sched.h"
#include "mac/netif.h"

typedef struct wire_end {
    sn_sched *s;
    struct wire_end *peer; /* NULL: frames are only recorded */
    sn_netif *nif;         /* the netif at this end (receives) */
    sn_pktq inflight;
    uint64_t sent;         /* frames sent into this end */
    int drop_next;         /* drop this many frames (loss) */
    uint8_t last[2048];    /* the last frame sent */
    size_t last_len;
    size_t min_len, max_len; /* [bytes] shortest / longest frame sent */
} wire_end;

/* Zero the end, attach the scheduler, bound its queue. */
static inline void wire_init(wire_end *e, sn_sched *s)
{
    memset(e, 0, sizeof *e);
    e->s = s;
    e->min_len = SIZE_MAX;
    sn_pktq_init(&e->inflight, 64);
}

static inline void wire_deliver(void *user, sn_time_t now)
{
    wire_end *e = user;
    sn_pkt *p = sn_pktq_pop(&e->inflight);
    if (p)
        sn_netif_input(e->nif, p, now); /* the netif owns it now */
}

/* The netif's lower send function: takes ownership of the frame. */
static inline int wire_send(void *lower, sn_pkt *frame)
{
    wire_end *e = lower;
    size_t len = sn_pkt_len(frame);
    e->sent++;
    e->last_len = len < sizeof e->last ? len : sizeof e->last;
    memcpy(e->last, sn_pkt_data(frame), e->last_len);
    if (len < e->min_len)
        e->min_len = len;
    if (len > e->max_len)
        e->max_len = len;
    if (e->drop_next > 0 || !e->peer) {
        if (e->drop_next > 0)
            e->drop_next--;
        sn_pkt_free(frame);
        return SN_OK;
    }
    if (sn_pktq_push(&e->peer->inflight, frame) != SN_OK) {
        sn_pkt_free(frame);
        return SN_ERR_NOBUFS;
    }
    sn_sched_after(e->s, SN_NS_PER_MS, wire_deliver, e->peer);
    return SN_OK;
}

#endif
