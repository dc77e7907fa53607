#include "apps/hello.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"

struct sn_hello {
    sn_hello_config cfg;
    sn_sched *sched;
    sn_udp_sock *listen_sock, *send_sock;
    sn_timer_id timer;
    sn_hello_observer_fn obs;
    void *obs_user;
    sn_hello_msg msgs[SN_HELLO_MAX_MSGS];
    size_t n_msgs;
    uint64_t dropped;
};

static sn_hello_msg *record(sn_hello *h)
{
    if (h->n_msgs >= SN_HELLO_MAX_MSGS) {
        h->dropped++;
        return NULL;
    }
    sn_hello_msg *m = &h->msgs[h->n_msgs++];
    memset(m, 0, sizeof *m);
    return m;
}

static void on_recv(void *user, sn_udp_sock *s, sn_ip4 src, uint16_t sport, sn_ip4 dst,
                    const uint8_t *data, size_t len, const sn_pkt_meta *meta)
{
    sn_hello *h = user;
    sn_hello_msg tmp, *m = record(h);
    if (!m)
        m = &tmp; /* still shown to the observer */
    m->sent = 0;
    m->time = meta->time;
    m->src = src;
    m->sport = sport;
    m->dst = dst;
    m->dport = sn_udp_sock_port(s);
    m->len = len < sizeof m->data ? len : sizeof m->data;
    memcpy(m->data, data, m->len);
    m->snr_db = meta->snr_db;
    if (h->obs)
        h->obs(h->obs_user, m);
}

static void on_send(void *user, sn_time_t now)
{
    sn_hello *h = user;
    h->timer = 0;
    sn_hello_msg tmp, *m = record(h);
    if (!m)
        m = &tmp;
    m->sent = 1;
    m->time = now;
    m->dst = h->cfg.to_addr;
    m->dport = h->cfg.to_port;
    m->sport = sn_udp_sock_port(h->send_sock);
    m->len = strnlen(h->cfg.text, sizeof h->cfg.text);
    memcpy(m->data, h->cfg.text, m->len);
    m->snr_db = 0;
    /* tell the observer first: what the send sets off below (ARP, bursts)
     * then reads in cause-and-effect order */
    if (h->obs)
        h->obs(h->obs_user, m);
    m->status = sn_udp_sendto(h->send_sock, h->cfg.to_addr, h->cfg.to_port, m->data, m->len);
    if (m->status != SN_OK)
        SN_WARN("hello", "sending to port %u failed: %s", m->dport, sn_strerror(m->status));
}

sn_hello *sn_hello_create(const sn_hello_config *cfg, sn_sched *s, sn_udp *udp,
                          const char *owner, sn_hello_observer_fn obs, void *user, int *err)
{
    int e = SN_OK;
    sn_hello *h = calloc(1, sizeof *h);
    if (!h) {
        e = SN_ERR_NOMEM;
        goto fail;
    }
    h->cfg = *cfg;
    h->sched = s;
    h->obs = obs;
    h->obs_user = user;
    if (cfg->listen_port) {
        h->listen_sock = sn_udp_open(udp, cfg->listen_port, on_recv, h, owner, &e);
        if (!h->listen_sock)
            goto fail;
    }
    if (cfg->send) {
        /* sending from the listening port is allowed: replies come back to it */
        if (cfg->from_port && cfg->from_port == cfg->listen_port) {
            h->send_sock = h->listen_sock;
        } else {
            h->send_sock = sn_udp_open(udp, cfg->from_port, on_recv, h, owner, &e);
            if (!h->send_sock)
                goto fail;
        }
        h->timer = sn_sched_at(s, cfg->at, on_send, h);
        if (!h->timer) {
            e = SN_ERR_NOMEM;
            goto fail;
        }
    }
    if (err)
        *err = SN_OK;
    return h;
fail:
    if (err)
        *err = e;
    sn_hello_destroy(h);
    return NULL;
}

void sn_hello_destroy(sn_hello *h)
{
    if (!h)
        return;
    if (h->timer)
        sn_sched_cancel(h->sched, h->timer);
    if (h->send_sock != h->listen_sock)
        sn_udp_close(h->send_sock);
    sn_udp_close(h->listen_sock);
    free(h);
}

size_t sn_hello_messages(const sn_hello *h, const sn_hello_msg **msgs, uint64_t *dropped)
{
    *msgs = h->msgs;
    if (dropped)
        *dropped = h->dropped;
    return h->n_msgs;
}
