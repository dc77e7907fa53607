#include "apps/ping.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

#define PING_MAX_COUNT 10000
#define PING_MAX_SIZE 65507 /* 65535 - 20 (IP) - 8 (ICMP) */

struct sn_ping {
    sn_ping_config cfg;
    sn_sched *sched;
    sn_icmp *icmp;
    sn_ping_line_fn line;
    void *user;
    uint8_t *payload;
    sn_time_t *sent;      /* [ns] per seq (index seq-1), -1 = not sent */
    double *rtt_ms;       /* per seq, NaN = no reply yet */
    unsigned next_seq;    /* 1-based, next to send */
    unsigned received, duplicates, errors, late;
    sn_time_t last_event;   /* [ns] last request sent or reply received */
    sn_timer_id timer;
    int done;
};

static void say(sn_ping *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(sn_ping *p, const char *fmt, ...)
{
    if (!p->line)
        return;
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    p->line(p->user, buf);
}

void sn_ping_get_result(const sn_ping *p, sn_ping_result *r)
{
    memset(r, 0, sizeof *r);
    r->transmitted = p->next_seq - 1;
    r->received = p->received;
    r->duplicates = p->duplicates;
    r->errors = p->errors;
    r->late = p->late;
    double sum = 0, sum2 = 0, mn = INFINITY, mx = -INFINITY;
    unsigned n = 0;
    for (unsigned i = 0; i < p->cfg.count; i++) {
        double t = p->rtt_ms[i];
        if (isnan(t))
            continue;
        sum += t;
        sum2 += t * t;
        mn = t < mn ? t : mn;
        mx = t > mx ? t : mx;
        n++;
    }
    if (!n) {
        r->rtt_min_ms = r->rtt_avg_ms = r->rtt_max_ms = r->rtt_mdev_ms = NAN;
        return;
    }
    double avg = sum / n;
    r->rtt_min_ms = mn;
    r->rtt_avg_ms = avg;
    r->rtt_max_ms = mx;
    double var = sum2 / n - avg * avg; /* iputils' mdev: sqrt(mean(x^2) - mean(x)^2) */
    r->rtt_mdev_ms = sqrt(var > 0 ? var : 0);
}

double sn_ping_rtt_ms(const sn_ping *p, unsigned seq)
{
    return seq >= 1 && seq <= p->cfg.count ? p->rtt_ms[seq - 1] : NAN;
}

const sn_ping_config *sn_ping_get_config(const sn_ping *p) { return &p->cfg; }

static void finish(sn_ping *p, sn_time_t now)
{
    if (p->done)
        return;
    p->done = 1;
    char dst[16];
    sn_ip4_format(p->cfg.dst, dst);
    sn_ping_result r;
    sn_ping_get_result(p, &r);
    double loss = r.transmitted ? 100.0 * (r.transmitted - r.received) / r.transmitted : 0;
    say(p, "--- %s ping statistics ---", dst);
    /* iputils' "time": from the first request to the last thing that
     * happened, not including the final wait for stragglers; duplicates
     * and errors appear only when there are some, as in iputils */
    char dup[32] = "", errs[32] = "";
    if (r.duplicates)
        snprintf(dup, sizeof dup, ", +%u duplicates", r.duplicates);
    if (r.errors)
        snprintf(errs, sizeof errs, ", +%u errors", r.errors);
    say(p, "%u packets transmitted, %u received%s%s, %.0f%% packet loss, time %.0fms",
        r.transmitted, r.received, dup, errs, loss,
        sn_time_to_s(p->last_event - p->cfg.start) * 1e3);
    if (r.received)
        say(p, "rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms", r.rtt_min_ms, r.rtt_avg_ms,
            r.rtt_max_ms, r.rtt_mdev_ms);
}

static void on_reply(void *user, sn_ip4 from, uint16_t id, uint16_t seq, const uint8_t *data,
                     size_t len, sn_time_t rx_time, const sn_pkt_meta *meta)
{
    sn_ping *p = user;
    if (seq < 1 || seq >= p->next_seq || p->sent[seq - 1] < 0)
        return; /* not one of ours: counted nowhere, like iputils */
    if (p->done) {
        p->late++; /* the statistics are printed: they stay as they are */
        return;
    }
    char src[16];
    sn_ip4_format(from, src);
    double rtt = sn_time_to_s(rx_time - p->sent[seq - 1]) * 1e3;
    if (rx_time > p->last_event)
        p->last_event = rx_time;
    if (!isnan(p->rtt_ms[seq - 1])) {
        p->duplicates++;
        say(p, "%zu bytes from %s: icmp_seq=%u time=%.3f ms (DUP!)", len + 8, src, seq, rtt);
        return;
    }
    /* a reply whose data differs from what was sent is reported, as
     * iputils does ("wrong data byte") */
    int bad = len != p->cfg.size || (len && memcmp(data, p->payload, len) != 0);
    p->rtt_ms[seq - 1] = rtt;
    p->received++;
    if (isfinite(meta->snr_db))
        say(p, "%zu bytes from %s: icmp_seq=%u time=%.3f ms%s (SNR %.1f dB)", len + 8, src,
            seq, rtt, bad ? " wrong data" : "", meta->snr_db);
    else
        say(p, "%zu bytes from %s: icmp_seq=%u time=%.3f ms%s", len + 8, src, seq, rtt,
            bad ? " wrong data" : "");
}

/* iputils' wording of an ICMP error (pr_icmph), into buf. */
static void describe_error(const sn_icmp_error *e, char *buf, size_t n)
{
    static const char *const unreach[16] = {
        "Destination Net Unreachable",
        "Destination Host Unreachable",
        "Destination Protocol Unreachable",
        "Destination Port Unreachable",
        NULL, /* code 4: with the MTU, below */
        "Source Route Failed",
        "Destination Net Unknown",
        "Destination Host Unknown",
        "Source Host Isolated",
        "Destination Net Prohibited",
        "Destination Host Prohibited",
        "Destination Net Unreachable for Type of Service",
        "Destination Host Unreachable for Type of Service",
        "Packet filtered",
        "Precedence Violation",
        "Precedence Cutoff",
    };
    switch (e->type) {
    case SN_ICMP_DEST_UNREACH:
        if (e->code == SN_ICMP_FRAG_NEEDED)
            snprintf(buf, n, "Frag needed and DF set (mtu = %u)", (unsigned)e->extra);
        else if (e->code < 16)
            snprintf(buf, n, "%s", unreach[e->code]);
        else
            snprintf(buf, n, "Dest Unreachable, Bad Code: %u", e->code);
        break;
    case SN_ICMP_TIME_EXCEEDED:
        if (e->code == 0)
            snprintf(buf, n, "Time to live exceeded");
        else if (e->code == 1)
            snprintf(buf, n, "Frag reassembly time exceeded");
        else
            snprintf(buf, n, "Time exceeded, Bad Code: %u", e->code);
        break;
    case SN_ICMP_PARAM_PROBLEM:
        snprintf(buf, n, "Parameter problem: pointer = %u", (unsigned)e->extra);
        break;
    default:
        snprintf(buf, n, "Bad ICMP type: %u", e->type);
        break;
    }
}

/* An ICMP error about one of our requests (net/icmp dispatches it by the
 * quoted identifier): one line and one error, like iputils. */
static void on_error(void *user, const sn_icmp_error *e, uint16_t id, uint16_t seq)
{
    sn_ping *p = user;
    (void)id;
    if (seq < 1 || seq >= p->next_seq || p->sent[seq - 1] < 0)
        return; /* not a request we sent */
    if (p->done) {
        p->late++;
        return;
    }
    char from[16], what[64];
    sn_ip4_format(e->from, from);
    describe_error(e, what, sizeof what);
    p->errors++;
    if (e->time > p->last_event)
        p->last_event = e->time;
    say(p, "From %s icmp_seq=%u %s", from, (unsigned)seq, what);
}

static void on_timer(void *user, sn_time_t now)
{
    sn_ping *p = user;
    p->timer = 0;
    if (p->next_seq > p->cfg.count) {
        finish(p, now);
        return;
    }
    unsigned seq = p->next_seq++;
    if (seq == 1) {
        char dst[16];
        sn_ip4_format(p->cfg.dst, dst);
        say(p, "PING %s (%s) %zu(%zu) bytes of data.", dst, dst, p->cfg.size, p->cfg.size + 28);
    }
    p->sent[seq - 1] = now;
    p->last_event = now;
    int rc = sn_icmp_ping(p->icmp, p->cfg.dst, p->cfg.id, (uint16_t)seq, p->payload,
                          p->cfg.size);
    if (rc != SN_OK) {
        p->errors++;
        say(p, "ping: sendmsg: %s (icmp_seq=%u)", sn_strerror(rc), seq);
    }
    sn_time_t next = p->next_seq > p->cfg.count ? now + p->cfg.timeout : now + p->cfg.interval;
    p->timer = sn_sched_at(p->sched, next, on_timer, p);
}

sn_ping *sn_ping_create(const sn_ping_config *cfg, sn_sched *s, sn_icmp *icmp,
                        sn_ping_line_fn line, void *user, int *err)
{
    int e = SN_ERR_INVAL;
    sn_ping *p = NULL;
    if (!cfg || !s || !icmp || cfg->count < 1 || cfg->count > PING_MAX_COUNT ||
        cfg->size > PING_MAX_SIZE || cfg->interval <= 0 || cfg->timeout <= 0)
        goto fail;
    e = SN_ERR_NOMEM;
    p = calloc(1, sizeof *p);
    if (!p)
        goto fail;
    p->cfg = *cfg;
    p->sched = s;
    p->icmp = icmp;
    p->line = line;
    p->user = user;
    p->next_seq = 1;
    p->payload = malloc(cfg->size ? cfg->size : 1);
    p->sent = malloc(cfg->count * sizeof *p->sent);
    p->rtt_ms = malloc(cfg->count * sizeof *p->rtt_ms);
    if (!p->payload || !p->sent || !p->rtt_ms)
        goto fail;
    for (size_t i = 0; i < cfg->size; i++)
        p->payload[i] = (uint8_t)(0x10 + i); /* like iputils' pattern after the timestamp */
    for (unsigned i = 0; i < cfg->count; i++) {
        p->sent[i] = -1;
        p->rtt_ms[i] = NAN;
    }
    e = sn_icmp_echo_bind(icmp, cfg->id, on_reply, p);
    if (e != SN_OK) {
        p->icmp = NULL; /* not bound: nothing to unbind */
        goto fail;
    }
    sn_icmp_echo_set_error(icmp, cfg->id, on_error, p); /* cannot fail: bound */
    p->timer = sn_sched_at(s, cfg->start, on_timer, p);
    if (!p->timer) {
        e = SN_ERR_NOMEM;
        goto fail;
    }
    if (err)
        *err = SN_OK;
    return p;
fail:
    if (err)
        *err = e;
    sn_ping_destroy(p);
    return NULL;
}

void sn_ping_destroy(sn_ping *p)
{
    if (!p)
        return;
    if (p->timer)
        sn_sched_cancel(p->sched, p->timer);
    if (p->icmp)
        sn_icmp_echo_unbind(p->icmp, p->cfg.id);
    free(p->payload);
    free(p->sent);
    free(p->rtt_ms);
    free(p);
}
