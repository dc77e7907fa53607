/* phy/radio_sim: a port on a simulated medium, seen as a radio.
 *
 * Transmit goes straight to sn_medium_transmit (timed exactly: the medium
 * runs on the same virtual clock); blocks the medium hands to the port are
 * passed up through sn_radio_deliver with their sample index, time, gap flag
 * and the loudest burst's SNR and sender. Nothing can overflow or underflow
 * in simulation; a burst refused by the medium (bad time, out of memory) is
 * counted in tx_dropped, one asked for in the past is counted late and sent
 * now. */
#include "phy/radio_sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"

#define MOD "radio_sim"

typedef struct radio_sim {
    sn_medium *m;
    sn_radio *radio; /* the wrapper, for sn_radio_deliver */
    int port;
    sn_radio_counters c;
} radio_sim;

/* The ops table identifies our radios (sn_radio_impl in sn_radio_sim_port). */
static int sim_tx(void *impl, const sn_cf32 *iq, size_t n, sn_time_t at);
static int sim_carrier(void *impl, sn_time_t now, double *power_db);
static void sim_counters(const void *impl, sn_radio_counters *c);
static void sim_destroy(void *impl);

static const sn_radio_ops sim_ops = {
    .tx = sim_tx,
    .carrier = sim_carrier,
    .poll = NULL,
    .counters = sim_counters,
    .destroy = sim_destroy,
};

static int sim_tx(void *impl, const sn_cf32 *iq, size_t n, sn_time_t at)
{
    radio_sim *r = impl;
    sn_time_t now = sn_medium_now(r->m);
    if (at == SN_RADIO_NOW) {
        at = now;
    } else if (at < now) {
        r->c.late_bursts++;
        at = now;
    }
    int rc = sn_medium_transmit(r->m, r->port, iq, n, at);
    if (rc != SN_OK) {
        r->c.tx_dropped++;
        return rc;
    }
    r->c.tx_bursts++;
    r->c.tx_samples += n;
    return SN_OK;
}

static int sim_carrier(void *impl, sn_time_t now, double *power_db)
{
    radio_sim *r = impl;
    return sn_medium_carrier(r->m, r->port, now, power_db);
}

static void sim_counters(const void *impl, sn_radio_counters *c)
{
    const radio_sim *r = impl;
    *c = r->c;
}

static void sim_destroy(void *impl)
{
    radio_sim *r = impl;
    if (!r)
        return;
    if (r->port >= 0)
        sn_medium_detach(r->m, r->port);
    free(r);
}

static void on_medium(void *user, const sn_medium_rx *mrx)
{
    radio_sim *r = user;
    sn_radio_rx rx;
    rx.iq = mrx->iq;
    rx.n = mrx->n;
    rx.sample_start = mrx->sample_start;
    rx.t_start = mrx->t_start;
    rx.flags = mrx->gap ? SN_RADIO_RX_GAP : 0u;
    rx.snr_db = mrx->snr_db;
    rx.from_port = mrx->from_port;
    r->c.rx_blocks++;
    r->c.rx_samples += mrx->n;
    sn_radio_deliver(r->radio, &rx);
}

sn_radio *sn_radio_sim_create(sn_medium *m)
{
    if (!m)
        return NULL;
    radio_sim *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->m = m;
    r->port = sn_medium_attach(m, on_medium, r);
    if (r->port < 0) {
        SN_ERROR(MOD, "cannot attach to the medium: %s", sn_strerror(r->port));
        free(r);
        return NULL;
    }
    sn_radio_info info;
    memset(&info, 0, sizeof info);
    info.backend = "sim";
    info.sample_rate = sn_medium_sample_rate(m);
    info.freq_hz = NAN; /* the medium has no centre frequency */
    info.can_tx = info.can_rx = 1;
    info.timed_tx = 1;
    info.cca_latency = SN_RADIO_SIM_CCA_SAMPLES * 1e9 / info.sample_rate;
    info.turnaround = SN_RADIO_SIM_TURNAROUND_SAMPLES * 1e9 / info.sample_rate;
    sn_radio *radio = sn_radio_new(&sim_ops, r, &info);
    if (!radio)
        return NULL; /* sn_radio_new called sim_destroy: detached and freed */
    r->radio = radio;
    return radio;
}

int sn_radio_sim_port(const sn_radio *r)
{
    const radio_sim *impl = sn_radio_impl(r, &sim_ops);
    return impl ? impl->port : -1;
}
