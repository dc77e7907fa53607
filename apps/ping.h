/* apps/ping: ICMP echo, like Linux `ping -c COUNT -i INTERVAL -s SIZE`,
 * on the node's own stack and the virtual clock. Each reply, each ICMP
 * error about a request (Destination Unreachable, Time Exceeded, Parameter
 * Problem: "From 192.168.1.1 icmp_seq=3 Destination Host Unreachable") and
 * the closing statistics are reported as text lines in the format of
 * iputils ping, and kept as numbers for --json. The payload may be up to
 * 65507 bytes: IP fragments larger requests (and the peer's replies).
 * Anything arriving after the statistics were printed is only counted
 * (late). */
#ifndef SN_APPS_PING_H
#define SN_APPS_PING_H

#include <stddef.h>
#include <stdint.h>

#include "core/sched.h"
#include "net/icmp.h"

typedef struct sn_ping_config {
    sn_ip4 dst;
    unsigned count;       /* echo requests to send, >= 1 */
    sn_time_t interval;   /* [ns] between requests */
    sn_time_t start;      /* [ns] when the first goes */
    size_t size;          /* [bytes] payload (56 like ping's default) */
    sn_time_t timeout;    /* [ns] a reply later than this after the last request
                           * is not waited for (lost) */
    uint16_t id;          /* ICMP identifier, unique on the node */
} sn_ping_config;

typedef struct sn_ping sn_ping;

/* Where the lines go (e.g. the run's narrative). `line` is borrowed. */
typedef void (*sn_ping_line_fn)(void *user, const char *line);

typedef struct sn_ping_result {
    unsigned transmitted, received, duplicates;
    unsigned errors; /* ICMP errors about our requests ("From R icmp_seq=N
                      * Destination Host Unreachable") and requests that
                      * could not be sent: "+N errors" in the summary */
    unsigned late;   /* replies and errors that came after the summary:
                      * ignored (not in received, errors or the RTTs) */
    double rtt_min_ms, rtt_avg_ms, rtt_max_ms, rtt_mdev_ms; /* NaN if nothing came back */
} sn_ping_result;

/* NULL on failure (*err: SN_ERR_EXIST if the id is bound, SN_ERR_RANGE if
 * the node's SN_ICMP_MAX_ECHO_LISTENERS identifiers are all bound,
 * SN_ERR_INVAL for a bad config, SN_ERR_NOMEM). */
sn_ping *sn_ping_create(const sn_ping_config *cfg, sn_sched *s, sn_icmp *icmp,
                        sn_ping_line_fn line, void *user, int *err);
void sn_ping_destroy(sn_ping *p); /* NULL-safe */

void sn_ping_get_result(const sn_ping *p, sn_ping_result *r);
/* RTT of request `seq` (1-based) [ms], NaN if no reply. */
double sn_ping_rtt_ms(const sn_ping *p, unsigned seq);
const sn_ping_config *sn_ping_get_config(const sn_ping *p);

#endif
