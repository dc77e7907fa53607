#include "phy/radio.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "phy/radio_file.h"
#ifdef SDRNET_HAVE_SOAPY
#include "phy/radio_soapy.h"
#endif

struct sn_radio {
    const sn_radio_ops *ops;
    void *impl;
    sn_radio_info info;
    sn_radio_rx_fn rx;
    void *rx_user;
};

sn_radio *sn_radio_new(const sn_radio_ops *ops, void *impl, const sn_radio_info *info)
{
    sn_radio *r = calloc(1, sizeof *r);
    if (!r) {
        if (ops && ops->destroy)
            ops->destroy(impl);
        return NULL;
    }
    r->ops = ops;
    r->impl = impl;
    r->info = *info;
    return r;
}

void sn_radio_deliver(sn_radio *r, const sn_radio_rx *rx)
{
    if (r && r->rx)
        r->rx(r->rx_user, rx);
}

void *sn_radio_impl(const sn_radio *r, const sn_radio_ops *ops)
{
    return r && r->ops == ops ? r->impl : NULL;
}

void sn_radio_set_rx(sn_radio *r, sn_radio_rx_fn fn, void *user)
{
    if (!r)
        return;
    r->rx = fn;
    r->rx_user = user;
}

int sn_radio_tx(sn_radio *r, const sn_cf32 *iq, size_t n, sn_time_t at)
{
    if (!r || !iq || n == 0)
        return SN_ERR_INVAL;
    if (!r->info.can_tx || !r->ops->tx)
        return SN_ERR_UNSUPP;
    return r->ops->tx(r->impl, iq, n, at);
}

int sn_radio_carrier(sn_radio *r, sn_time_t now, double *power_db)
{
    if (!r)
        return SN_ERR_INVAL;
    if (!r->ops->carrier) {
        if (power_db)
            *power_db = NAN;
        return 0;
    }
    return r->ops->carrier(r->impl, now, power_db);
}

long sn_radio_poll(sn_radio *r, sn_time_t now)
{
    if (!r)
        return SN_ERR_INVAL;
    return r->ops->poll ? r->ops->poll(r->impl, now) : 0;
}

const sn_radio_info *sn_radio_get_info(const sn_radio *r) { return r ? &r->info : NULL; }

void sn_radio_get_counters(const sn_radio *r, sn_radio_counters *c)
{
    memset(c, 0, sizeof *c);
    if (r && r->ops->counters)
        r->ops->counters(r->impl, c);
}

int sn_radio_close(sn_radio *r)
{
    if (!r)
        return SN_OK;
    int rc = r->ops->finish ? r->ops->finish(r->impl) : SN_OK;
    if (r->ops->destroy)
        r->ops->destroy(r->impl);
    free(r);
    return rc;
}

void sn_radio_destroy(sn_radio *r) { (void)sn_radio_close(r); }

void sn_radio_config_default(sn_radio_config *c)
{
    c->dir = SN_RADIO_DIR_AUTO;
    c->freq_hz = NAN;
    c->sample_rate = NAN;
    c->gain_db = NAN;
    c->antenna = NULL;
    c->gains = NULL;
    c->bandwidth_hz = NAN;
}

sn_radio *sn_radio_open(const char *spec, const sn_radio_config *cfg, sn_sched *s, char *err,
                        size_t errlen)
{
    sn_radio_config def;
    if (!cfg) {
        sn_radio_config_default(&def);
        cfg = &def;
    }
    if (!spec) {
        snprintf(err, errlen, "no radio given");
        return NULL;
    }
    if (!strncmp(spec, "file:", 5))
        return sn_radio_file_open(spec + 5, cfg, s, err, errlen);
    if (!strncmp(spec, "soapy:", 6)) {
#ifdef SDRNET_HAVE_SOAPY
        return sn_radio_soapy_open(spec + 6, cfg, s, err, errlen);
#else
        snprintf(err, errlen, "%s: this sdrnet was built without SoapySDR", spec);
        return NULL;
#endif
    }
    if (!strncmp(spec, "sim:", 4)) {
        snprintf(err, errlen, "%s: simulated radios live inside a flowgraph (sdrnet run)", spec);
        return NULL;
    }
    snprintf(err, errlen, "'%s': unknown radio (use file:PATH or soapy:ARGS)", spec);
    return NULL;
}
