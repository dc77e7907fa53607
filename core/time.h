/* core/time: the one time type of the project.
 *
 * Time is explicit: nothing in sdrnet reads a hidden clock. Every component is
 * handed `now` and says when it next wants to run. On a simulated channel the
 * scheduler's virtual clock supplies `now`; on a real radio the sample counter
 * does. The unit is the nanosecond, counted from the start of the run.
 */
#ifndef SN_CORE_TIME_H
#define SN_CORE_TIME_H

#include <stdint.h>

typedef int64_t sn_time_t;                 /* [ns] since start of run */

#define SN_TIME_NEVER INT64_MAX            /* "no deadline" */
#define SN_NS_PER_US ((sn_time_t)1000)
#define SN_NS_PER_MS ((sn_time_t)1000000)
#define SN_NS_PER_S ((sn_time_t)1000000000)

/* seconds (double) -> ns, rounded to nearest */
static inline sn_time_t sn_time_from_s(double s)
{
    return (sn_time_t)(s * 1e9 + (s >= 0 ? 0.5 : -0.5));
}

static inline double sn_time_to_s(sn_time_t t) { return (double)t / 1e9; }

#endif
