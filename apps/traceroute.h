/* apps/traceroute: find the path to a host like Linux `traceroute -q Q -m
 * MAX HOST`: UDP probes to ports 33434 and up with TTL 1, 2, 3, ...; each
 * router where a probe's TTL runs out answers ICMP Time Exceeded, and the
 * destination answers Port Unreachable. Probes go one at a time on the
 * virtual clock; a probe with no answer within the wait is shown as "*".
 *
 * Only Port Unreachable from the destination itself means "reached".
 * Other Destination Unreachable answers are annotated after their time as
 * traceroute does: !N (net), !H (host), !P (protocol), !F-MTU
 * (fragmentation needed), !S (source route failed), !X (administratively
 * prohibited), !V (host precedence violation), !C (precedence cutoff),
 * !<code> otherwise; a probe that could not even be sent does not wait:
 * it shows "*", with !N when there was no route and !F when it was too
 * large. The trace ends after a hop where the destination answered, or
 * where every probe (all but one when there are several) was unreachable,
 * like traceroute. */
#ifndef SN_APPS_TRACEROUTE_H
#define SN_APPS_TRACEROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "core/sched.h"
#include "net/udp.h"

#define SN_TRACEROUTE_MAX_HOPS 64
#define SN_TRACEROUTE_MAX_QUERIES 10
#define SN_TRACEROUTE_BASE_PORT 33434

typedef struct sn_traceroute_config {
    sn_ip4 dst;
    unsigned max_hops;    /* 1..64 (traceroute's default 30) */
    unsigned queries;     /* probes per hop, 1..10 (default 3) */
    sn_time_t wait;       /* [ns] how long to wait for each answer */
    sn_time_t start;      /* [ns] when to begin */
} sn_traceroute_config;

typedef struct sn_traceroute_hop {
    unsigned ttl;
    sn_ip4 addr[SN_TRACEROUTE_MAX_QUERIES];   /* who answered each probe, 0 = nobody */
    double rtt_ms[SN_TRACEROUTE_MAX_QUERIES]; /* NaN = no answer */
    char note[SN_TRACEROUTE_MAX_QUERIES][12]; /* "!H", "!N", "!F-1500"...; "" none */
} sn_traceroute_hop;

typedef struct sn_traceroute sn_traceroute;
typedef void (*sn_traceroute_line_fn)(void *user, const char *line);

sn_traceroute *sn_traceroute_create(const sn_traceroute_config *cfg, sn_sched *s, sn_udp *udp,
                                    sn_traceroute_line_fn line, void *user, int *err);
void sn_traceroute_destroy(sn_traceroute *t); /* NULL-safe */

/* Hops measured so far; *reached = 1 once the destination answered. */
size_t sn_traceroute_hops(const sn_traceroute *t, const sn_traceroute_hop **hops, int *reached);
const sn_traceroute_config *sn_traceroute_get_config(const sn_traceroute *t);

#endif
