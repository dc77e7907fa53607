#include "core/sched.h"

#include <stdlib.h>

#include "core/err.h"

/* A binary min-heap of events ordered by (time, sequence). The sequence
 * number breaks ties so events at the same instant run in the order they
 * were scheduled: that is what makes a run deterministic. It doubles as the
 * event id. */
typedef struct sn_event {
    sn_time_t when;
    uint64_t seq;
    sn_sched_fn fn;
    void *user;
} sn_event;

struct sn_sched {
    sn_event *heap;
    size_t n, cap;
    sn_time_t now;
    uint64_t next_seq;
    uint64_t events_run;
};

sn_sched *sn_sched_create(void)
{
    sn_sched *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->next_seq = 1;
    return s;
}

void sn_sched_destroy(sn_sched *s)
{
    if (!s)
        return;
    free(s->heap);
    free(s);
}

sn_time_t sn_sched_now(const sn_sched *s) { return s->now; }

static int ev_less(const sn_event *a, const sn_event *b)
{
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void sift_up(sn_event *h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ev_less(&h[i], &h[p]))
            break;
        sn_event t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

static void sift_down(sn_event *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && ev_less(&h[l], &h[m]))
            m = l;
        if (r < n && ev_less(&h[r], &h[m]))
            m = r;
        if (m == i)
            break;
        sn_event t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

sn_timer_id sn_sched_at(sn_sched *s, sn_time_t when, sn_sched_fn fn, void *user)
{
    if (!s || !fn)
        return 0;
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        sn_event *nh = realloc(s->heap, ncap * sizeof *nh);
        if (!nh)
            return 0;
        s->heap = nh;
        s->cap = ncap;
    }
    if (when < s->now)
        when = s->now;
    sn_event *e = &s->heap[s->n];
    sn_timer_id id = s->next_seq++;
    e->when = when;
    e->seq = id;
    e->fn = fn;
    e->user = user;
    sift_up(s->heap, s->n++);
    return id;
}

sn_timer_id sn_sched_after(sn_sched *s, sn_time_t delay, sn_sched_fn fn, void *user)
{
    if (!s)
        return 0;
    if (delay < 0)
        delay = 0;
    sn_time_t when = (delay > SN_TIME_NEVER - s->now) ? SN_TIME_NEVER : s->now + delay;
    return sn_sched_at(s, when, fn, user);
}

/* Remove heap entry i, restoring the heap property. */
static void heap_remove(sn_sched *s, size_t i)
{
    s->n--;
    if (i == s->n)
        return;
    s->heap[i] = s->heap[s->n];
    sift_down(s->heap, s->n, i);
    sift_up(s->heap, i);
}

int sn_sched_cancel(sn_sched *s, sn_timer_id id)
{
    if (!s || id == 0)
        return SN_ERR_NOENT;
    /* Linear search: pending events number in the tens per node, and cancel
     * is rare compared to run. */
    for (size_t i = 0; i < s->n; i++) {
        if (s->heap[i].seq == id) {
            heap_remove(s, i);
            return SN_OK;
        }
    }
    return SN_ERR_NOENT;
}

sn_time_t sn_sched_next(const sn_sched *s)
{
    return (s && s->n) ? s->heap[0].when : SN_TIME_NEVER;
}

size_t sn_sched_pending(const sn_sched *s) { return s ? s->n : 0; }

uint64_t sn_sched_events_run(const sn_sched *s) { return s ? s->events_run : 0; }

size_t sn_sched_run(sn_sched *s, sn_time_t until, size_t max_events)
{
    size_t ran = 0;
    while (s->n && s->heap[0].when <= until) {
        if (max_events && ran >= max_events)
            return ran;
        sn_event e = s->heap[0];
        heap_remove(s, 0);
        s->now = e.when;
        ran++;
        s->events_run++;
        e.fn(e.user, e.when);
    }
    if (until != SN_TIME_NEVER && until > s->now)
        s->now = until;
    return ran;
}
