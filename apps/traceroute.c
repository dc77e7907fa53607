#include "apps/traceroute.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "net/icmp_wire.h"

#define PROBE_DATA 32 /* [bytes] UDP payload: 60-byte probes, as traceroute's default */

struct sn_traceroute {
    sn_traceroute_config cfg;
    sn_sched *sched;
    sn_udp_sock *sock;
    sn_traceroute_line_fn line;
    void *user;
    sn_traceroute_hop hops[SN_TRACEROUTE_MAX_HOPS];
    size_t n_hops;
    unsigned ttl, query;  /* probe in flight */
    unsigned probe;       /* probes sent: the port offset of the next one */
    sn_time_t sent_at;    /* [ns] of the probe in flight */
    sn_timer_id timer;
    int reached, done, waiting;
    unsigned unreachable; /* probes of this hop that ended "unreachable" */
    int last_send_rc;     /* last send failure reported (one line each) */
};

static void say(sn_traceroute *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(sn_traceroute *t, const char *fmt, ...)
{
    if (!t->line)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    t->line(t->user, buf);
}

/* " 2  10.255.1.254  3.120 ms  2.950 ms  *" like traceroute -n */
static void print_hop(sn_traceroute *t, const sn_traceroute_hop *h)
{
    char buf[400], a[16];
    size_t k = (size_t)snprintf(buf, sizeof buf, "%2u ", h->ttl);
    sn_ip4 last = 0;
    for (unsigned q = 0; q < t->cfg.queries && k < sizeof buf; q++) {
        if (!h->addr[q]) {
            k += (size_t)snprintf(buf + k, sizeof buf - k, " *%s%s", h->note[q][0] ? " " : "",
                                  h->note[q]);
            continue;
        }
        if (h->addr[q] != last)
            k += (size_t)snprintf(buf + k, sizeof buf - k, " %s", sn_ip4_format(h->addr[q], a));
        last = h->addr[q];
        if (k < sizeof buf)
            k += (size_t)snprintf(buf + k, sizeof buf - k, "  %.3f ms%s%s", h->rtt_ms[q],
                                  h->note[q][0] ? " " : "", h->note[q]);
    }
    say(t, "%s", buf);
}

static void send_probe(sn_traceroute *t, sn_time_t now);

static void next(sn_traceroute *t, sn_time_t now)
{
    t->waiting = 0;
    if (++t->query < t->cfg.queries) {
        send_probe(t, now);
        return;
    }
    print_hop(t, &t->hops[t->n_hops - 1]);
    /* BSD traceroute's rule (Linux's ends at the first such hop too): the
     * path ends where all probes, or all but one, were unreachable */
    unsigned need = t->cfg.queries > 1 ? t->cfg.queries - 1 : 1;
    if (t->reached || t->unreachable >= need || t->ttl >= t->cfg.max_hops) {
        t->done = 1;
        return;
    }
    t->ttl++;
    t->query = 0;
    t->unreachable = 0;
    send_probe(t, now);
}

static void on_wait(void *user, sn_time_t now)
{
    sn_traceroute *t = user;
    t->timer = 0;
    if (t->waiting)
        next(t, now); /* no answer: shown as "*" */
}

static void send_probe(sn_traceroute *t, sn_time_t now)
{
    if (t->query == 0) {
        sn_traceroute_hop *h = &t->hops[t->n_hops++];
        memset(h, 0, sizeof *h);
        h->ttl = t->ttl;
        for (unsigned q = 0; q < SN_TRACEROUTE_MAX_QUERIES; q++)
            h->rtt_ms[q] = NAN;
    }
    static const uint8_t data[PROBE_DATA] = {0};
    sn_ipv4_tx_opts o = {.ttl = (uint8_t)t->ttl, .df = 0};
    uint16_t dport = (uint16_t)(SN_TRACEROUTE_BASE_PORT + t->probe++);
    t->sent_at = now;
    t->waiting = 1;
    int rc = sn_udp_sendto_opts(t->sock, t->cfg.dst, dport, data, sizeof data, &o);
    if (rc == SN_OK) {
        t->timer = sn_sched_at(t->sched, now + t->cfg.wait, on_wait, t);
        return;
    }
    /* nothing went out, so nothing can answer: the probe fails now (one
     * scheduler event later, so a run of failures never recurses) */
    if (rc != t->last_send_rc)
        say(t, "traceroute: send failed: %s", sn_strerror(rc));
    t->last_send_rc = rc;
    sn_traceroute_hop *h = &t->hops[t->n_hops - 1];
    if (rc == SN_ERR_NOENT) {
        snprintf(h->note[t->query], sizeof h->note[t->query], "!N"); /* no route */
        t->unreachable++;
    } else if (rc == SN_ERR_RANGE) {
        snprintf(h->note[t->query], sizeof h->note[t->query], "!F");
        t->unreachable++;
    }
    t->timer = sn_sched_at(t->sched, now, on_wait, t);
}

/* traceroute's annotation of a Destination Unreachable other than the
 * destination's Port Unreachable; returns 1 when the probe counts as
 * "unreachable" (the path ends), 0 for a port unreachable from some other
 * host (shown without a mark, like traceroute). */
static int annotate(const sn_udp_error *e, char *note, size_t n)
{
    switch (e->code) {
    case SN_ICMP_NET_UNREACH:
    case 6:  /* network unknown */
    case 11: /* network unreachable for TOS */
        snprintf(note, n, "!N");
        break;
    case SN_ICMP_HOST_UNREACH:
    case 7:  /* host unknown */
    case 8:  /* source host isolated */
    case 12: /* host unreachable for TOS */
        snprintf(note, n, "!H");
        break;
    case SN_ICMP_PROTO_UNREACH:
        snprintf(note, n, "!P");
        break;
    case SN_ICMP_PORT_UNREACH:
        return 0;
    case SN_ICMP_FRAG_NEEDED:
        snprintf(note, n, "!F-%u", (unsigned)e->extra);
        break;
    case 5:
        snprintf(note, n, "!S");
        break;
    case 9:  /* network administratively prohibited */
    case 10: /* host administratively prohibited */
    case 13: /* communication administratively prohibited */
        snprintf(note, n, "!X");
        break;
    case 14:
        snprintf(note, n, "!V");
        break;
    case 15:
        snprintf(note, n, "!C");
        break;
    default:
        snprintf(note, n, "!<%u>", (unsigned)e->code);
        break;
    }
    return 1;
}

static void on_error(void *user, sn_udp_sock *s, const sn_udp_error *e)
{
    sn_traceroute *t = user;
    /* only the answer to the probe in flight counts (its port says which) */
    uint16_t expect = (uint16_t)(SN_TRACEROUTE_BASE_PORT + t->probe - 1);
    if (!t->waiting || e->dport != expect || e->dst != t->cfg.dst)
        return;
    if (!(e->type == SN_ICMP_TIME_EXCEEDED || e->type == SN_ICMP_DEST_UNREACH))
        return;
    sn_traceroute_hop *h = &t->hops[t->n_hops - 1];
    h->addr[t->query] = e->from;
    h->rtt_ms[t->query] = sn_time_to_s(e->time - t->sent_at) * 1e3;
    if (e->type == SN_ICMP_DEST_UNREACH) {
        if (e->code == SN_ICMP_PORT_UNREACH && e->from == t->cfg.dst)
            t->reached = 1; /* the destination itself: the path is found */
        else if (annotate(e, h->note[t->query], sizeof h->note[t->query]))
            t->unreachable++;
    }
    sn_sched_cancel(t->sched, t->timer);
    t->timer = 0;
    next(t, e->time);
}

static void on_recv(void *user, sn_udp_sock *s, sn_ip4 src, uint16_t sport, sn_ip4 dst,
                    const uint8_t *data, size_t len, const sn_pkt_meta *meta)
{
    /* nothing is expected on the probe socket */
}

static void on_start(void *user, sn_time_t now)
{
    sn_traceroute *t = user;
    t->timer = 0;
    char d[16];
    sn_ip4_format(t->cfg.dst, d);
    say(t, "traceroute to %s (%s), %u hops max, %d byte packets", d, d, t->cfg.max_hops,
        20 + 8 + PROBE_DATA);
    send_probe(t, now);
}

sn_traceroute *sn_traceroute_create(const sn_traceroute_config *cfg, sn_sched *s, sn_udp *udp,
                                    sn_traceroute_line_fn line, void *user, int *err)
{
    int e = SN_ERR_INVAL;
    sn_traceroute *t = NULL;
    if (!cfg || !s || !udp || cfg->max_hops < 1 || cfg->max_hops > SN_TRACEROUTE_MAX_HOPS ||
        cfg->queries < 1 || cfg->queries > SN_TRACEROUTE_MAX_QUERIES || cfg->wait <= 0)
        goto fail;
    e = SN_ERR_NOMEM;
    t = calloc(1, sizeof *t);
    if (!t)
        goto fail;
    t->cfg = *cfg;
    t->sched = s;
    t->line = line;
    t->user = user;
    t->ttl = 1;
    t->sock = sn_udp_open(udp, 0, on_recv, t, "traceroute", &e);
    if (!t->sock)
        goto fail;
    sn_udp_set_error_fn(t->sock, on_error, t);
    t->timer = sn_sched_at(s, cfg->start, on_start, t);
    if (!t->timer) {
        e = SN_ERR_NOMEM;
        goto fail;
    }
    if (err)
        *err = SN_OK;
    return t;
fail:
    if (err)
        *err = e;
    sn_traceroute_destroy(t);
    return NULL;
}

void sn_traceroute_destroy(sn_traceroute *t)
{
    if (!t)
        return;
    if (t->timer)
        sn_sched_cancel(t->sched, t->timer);
    sn_udp_close(t->sock);
    free(t);
}

size_t sn_traceroute_hops(const sn_traceroute *t, const sn_traceroute_hop **hops, int *reached)
{
    *hops = t->hops;
    if (reached)
        *reached = t->reached;
    return t->n_hops;
}

const sn_traceroute_config *sn_traceroute_get_config(const sn_traceroute *t) { return &t->cfg; }
