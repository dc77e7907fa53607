/* core/sched: the scheduler and its clock.
 *
 * Components never read a clock of their own: they are called with `now` and
 * ask the scheduler to call them again at a later time (smoltcp's
 * poll(now)/poll_at()). In simulation the clock is virtual: sn_sched_run()
 * jumps straight to the next event, so idle gaps cost nothing and a run is
 * deterministic. Events at the same instant run in the order they were
 * scheduled.
 *
 * Single-threaded: a scheduler and every component it drives belong to one
 * thread.
 */
#ifndef SN_CORE_SCHED_H
#define SN_CORE_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "core/time.h"

typedef struct sn_sched sn_sched;

/* An event callback: `now` is the scheduler's time when it runs. [ns] */
typedef void (*sn_sched_fn)(void *user, sn_time_t now);

/* Identifies a scheduled event; 0 is never a valid id. */
typedef uint64_t sn_timer_id;

/* Create a scheduler whose clock starts at 0. NULL if allocation fails. */
sn_sched *sn_sched_create(void);

/* Destroy; pending events are discarded without being called. NULL-safe. */
void sn_sched_destroy(sn_sched *s);

/* The current time. [ns] */
sn_time_t sn_sched_now(const sn_sched *s);

/* Call fn(user, when) at time `when` [ns]; a time in the past runs at `now`.
 * Returns the event id, or 0 if memory ran out. */
sn_timer_id sn_sched_at(sn_sched *s, sn_time_t when, sn_sched_fn fn, void *user);

/* Same, `delay` [ns] after now. */
sn_timer_id sn_sched_after(sn_sched *s, sn_time_t delay, sn_sched_fn fn, void *user);

/* Cancel a pending event. SN_OK, or SN_ERR_NOENT if it already ran or was
 * cancelled (id 0 is accepted and ignored: SN_ERR_NOENT). */
int sn_sched_cancel(sn_sched *s, sn_timer_id id);

/* Time of the earliest pending event, or SN_TIME_NEVER. [ns] */
sn_time_t sn_sched_next(const sn_sched *s);

/* Number of pending events. */
size_t sn_sched_pending(const sn_sched *s);

/* Run events in time order while the earliest is at or before `until` [ns]
 * and the event count stays below `max_events` (0 = no limit), then set the
 * clock to `until` if it is not SN_TIME_NEVER and no limit stopped the run.
 * Returns the number of events run. The event limit is how a caller bounds a
 * run that would otherwise never end (e.g. two nodes ping-ponging forever). */
size_t sn_sched_run(sn_sched *s, sn_time_t until, size_t max_events);

/* Total number of events run since creation. */
uint64_t sn_sched_events_run(const sn_sched *s);

#endif
