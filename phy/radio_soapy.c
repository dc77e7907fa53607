/* phy/radio_soapy: a radio on a SoapySDR device through SoapySDR's C API.
 *
 * Receive: one pthread per radio reads the device's CF32 stream straight
 * into a lock-free single-producer/single-consumer ring of blocks
 * (phy/iq_ring.h); sn_radio_poll() drains the ring on the caller's thread
 * and hands the blocks up with their sample index. The device is read all
 * the time, so a slow caller loses samples in the ring (counted, GAP flag),
 * never inside the device's own buffers where the loss would be invisible.
 *
 * Transmit: sn_radio_tx() writes the whole burst with SoapySDR's
 * writeStream from the caller's thread, END_BURST on the last chunk, and
 * HAS_TIME + timeNs when the device has a hardware clock and `at` is given.
 *
 * Keys this backend takes out of ARGS before handing them to SoapySDR:
 *   ring_ms=N       receive ring length [ms of samples at the stream's
 *                   rate]; default 500 (80 MB at 20 MS/s)
 *   half_duplex=0|1 force the half-duplex turnaround on or off
 *
 * Half-duplex turnaround: on devices that cannot receive while they
 * transmit (HackRF: one converter shared by both directions) the receive
 * stream is deactivated for each burst and activated again after it, and
 * the next received block carries SN_RADIO_RX_GAP. It is on when the
 * driver is hackrf (driver=hackrf or the device's driver key) or when
 * half_duplex=1; off otherwise: full-duplex devices (LimeSDR, USRP, the
 * sdrnet virtual device) keep receiving, and the PHY ignores its own burst.
 *
 * Time: the radio's clock starts at 0 with the first received sample (a
 * transmit-only radio: at open) and counts samples (t = sample / rate).
 * With a hardware clock, radio time t maps to device time hw_t0 + t, hw_t0
 * being the device time of sample 0 (or of open). Without one, a burst
 * due later waits on the host's clock until its time (open + t), so
 * `sdrnet tx --interval` spaces bursts on any device.
 *
 * Counting: overflows count events (one per SOAPY_SDR_OVERFLOW, stream
 * error or block dropped because the ring was full), not samples: a device
 * overflow does not say how many samples it lost.
 */
#include "phy/radio_soapy.h"

#include <SoapySDR/Device.h>
#include <SoapySDR/Formats.h>
#include <SoapySDR/Types.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/err.h"
#include "core/log.h"
#include "phy/iq_ring.h"

#define RX_TIMEOUT_US 100000L     /* [us] per readStream: bounds the stop latency */
#define TX_TIMEOUT_US 1000000L    /* [us] per writeStream chunk */
#define RX_MAX_ERRORS 100         /* consecutive stream errors = device gone */
#define PARK_TIMEOUT_NS (2 * SN_NS_PER_S)

typedef struct soapy_radio {
    sn_radio *radio;              /* the wrapper, for sn_radio_deliver */
    SoapySDRDevice *dev;
    SoapySDRStream *rx, *tx;
    char args[256];               /* as the user gave them, for messages */
    double rate;                  /* [S/s] */
    size_t tx_mtu;                /* [samples] */
    int half_duplex;
    int hw_time;                  /* device has a hardware clock */
    int tx_status;                /* readStreamStatus supported on tx */
    sn_iq_ring *ring;
    sn_cf32 *scratch;             /* where the rx thread reads when the ring is full */

    pthread_t thread;
    int thread_started;
    atomic_int stop;
    atomic_int failed;            /* rx thread gave up: device gone */
    _Atomic int64_t hw_t0;        /* [ns] device time of sample 0, or INT64_MIN */
    sn_time_t t_open;             /* [ns] monotonic clock at open */

    /* half-duplex handshake: tx asks, rx thread parks and says so */
    pthread_mutex_t hd_lock;
    pthread_cond_t hd_cond;
    atomic_int park_req;          /* set and cleared under hd_lock */
    int parked;                   /* under hd_lock */

    /* written by the rx thread, read anywhere */
    _Atomic uint64_t overflows, timeouts;
    /* caller's thread only */
    uint64_t rx_blocks, rx_samples, next_expected;
    uint64_t tx_bursts, tx_samples, underflows, late_bursts, tx_dropped, tx_timeouts;
    double power_db, floor_db;    /* [dBFS] last block, noise floor estimate */
    sn_radio_counters logged;     /* what has been logged already */
    sn_time_t last_log;           /* [ns] monotonic */
} soapy_radio;

static sn_time_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (sn_time_t)ts.tv_sec * SN_NS_PER_S + ts.tv_nsec;
}

static void sleep_ns(sn_time_t ns)
{
    if (ns <= 0)
        return;
    struct timespec ts = {.tv_sec = ns / SN_NS_PER_S, .tv_nsec = ns % SN_NS_PER_S};
    nanosleep(&ts, NULL);
}

/* ---- receive thread ---------------------------------------------------- */

/* Park while a half-duplex transmit runs. Returns the [ns] spent parked. */
static sn_time_t rx_park(soapy_radio *s)
{
    sn_time_t t0 = 0;
    pthread_mutex_lock(&s->hd_lock);
    if (s->park_req && !atomic_load(&s->stop)) {
        t0 = mono_ns();
        SoapySDRDevice_deactivateStream(s->dev, s->rx, 0, 0);
        s->parked = 1;
        pthread_cond_broadcast(&s->hd_cond);
        while (s->park_req && !atomic_load(&s->stop))
            pthread_cond_wait(&s->hd_cond, &s->hd_lock);
        if (SoapySDRDevice_activateStream(s->dev, s->rx, 0, 0, 0) != 0)
            atomic_fetch_add(&s->overflows, 1);
        s->parked = 0;
        pthread_cond_broadcast(&s->hd_cond);
        t0 = mono_ns() - t0;
    }
    pthread_mutex_unlock(&s->hd_lock);
    return t0;
}

static void *rx_thread(void *arg)
{
    soapy_radio *s = arg;
    uint64_t next = 0;            /* [samples] index of the next sample read */
    int gap = 0, errors = 0;
    size_t len = sn_iq_ring_block_len(s->ring);
    sn_iq_block *b = NULL;        /* the block being filled, not yet published */

    /* Reads fill a block until it is full; a short block is published only
     * when the stream pauses (timeout, error, park), so the ring's length in
     * time does not depend on how much each readStream returns. */
#define PUBLISH()                                                                          \
    do {                                                                                   \
        if (b && b->n > 0) {                                                               \
            sn_iq_ring_write_commit(s->ring);                                              \
            b = NULL;                                                                      \
        }                                                                                  \
    } while (0)

    while (!atomic_load(&s->stop)) {
        if (s->half_duplex && s->park_req) {
            PUBLISH();
            sn_time_t parked = rx_park(s);
            if (parked > 0) {
                /* without timestamps, the wall clock says how much we missed */
                next += (uint64_t)((double)parked * 1e-9 * s->rate);
                gap = 1;
            }
        }
        if (!b)
            b = sn_iq_ring_write_begin(s->ring);
        void *buffs[1] = {b ? (void *)(b->iq + b->n) : (void *)s->scratch};
        size_t room = b ? len - b->n : len;
        int flags = 0;
        long long time_ns = 0;
        int ret = SoapySDRDevice_readStream(s->dev, s->rx, buffs, room, &flags, &time_ns,
                                            RX_TIMEOUT_US);
        if (ret > 0) {
            errors = 0;
            if (s->hw_time && (flags & SOAPY_SDR_HAS_TIME)) {
                int64_t t0 = atomic_load(&s->hw_t0);
                if (t0 == INT64_MIN || next == 0) {
                    atomic_store(&s->hw_t0, (int64_t)time_ns);
                } else if (gap) {
                    /* the timestamp says exactly where the stream resumes */
                    double idx = (double)(time_ns - t0) * 1e-9 * s->rate;
                    if (idx > (double)next)
                        next = (uint64_t)llround(idx);
                }
            }
            if (b) {
                if (b->n == 0) {
                    b->sample_start = next;
                    b->time_ns = (flags & SOAPY_SDR_HAS_TIME) ? (int64_t)time_ns : -1;
                    b->flags = gap ? SN_RADIO_RX_GAP : 0;
                    gap = 0;
                }
                b->n += (size_t)ret;
                if (b->n >= len)
                    PUBLISH();
            } else {
                atomic_fetch_add(&s->overflows, 1); /* ring full: block dropped */
                gap = 1;
            }
            next += (uint64_t)ret;
        } else if (ret == SOAPY_SDR_TIMEOUT || ret == 0) {
            PUBLISH();
            atomic_fetch_add(&s->timeouts, 1);
        } else if (ret == SOAPY_SDR_OVERFLOW) {
            PUBLISH();
            atomic_fetch_add(&s->overflows, 1);
            gap = 1;
        } else {
            /* stream error, corruption, unplugged: lost samples; back off so
             * a dead device does not spin a core, give up after a while */
            PUBLISH();
            atomic_fetch_add(&s->overflows, 1);
            gap = 1;
            if (++errors >= RX_MAX_ERRORS) {
                atomic_store(&s->failed, 1);
                break;
            }
            sleep_ns(10 * SN_NS_PER_MS);
        }
    }
    PUBLISH();
#undef PUBLISH
    /* a transmitter waiting for us to park must not wait for a dead thread */
    pthread_mutex_lock(&s->hd_lock);
    s->parked = 1;
    pthread_cond_broadcast(&s->hd_cond);
    pthread_mutex_unlock(&s->hd_lock);
    return NULL;
}

/* ---- transmit ---------------------------------------------------------- */

/* Read pending tx stream events without waiting (timeout_us 0) or until
 * END_BURST (timeout_us > 0). Returns 1 if END_BURST was seen. */
static int tx_status(soapy_radio *s, long timeout_us)
{
    if (!s->tx || !s->tx_status)
        return 0;
    for (int i = 0; i < 64; i++) {
        size_t mask = 0;
        int flags = 0;
        long long t = 0;
        int ret = SoapySDRDevice_readStreamStatus(s->dev, s->tx, &mask, &flags, &t, timeout_us);
        if (ret == SOAPY_SDR_NOT_SUPPORTED) {
            s->tx_status = 0;
            return 0;
        }
        if (ret == SOAPY_SDR_TIMEOUT)
            return 0;
        if (ret == SOAPY_SDR_UNDERFLOW)
            s->underflows++;
        else if (ret == SOAPY_SDR_TIME_ERROR)
            s->late_bursts++;
        else if (ret != 0)
            s->tx_dropped++;
        if (ret == 0 && (flags & SOAPY_SDR_END_BURST))
            return 1;
    }
    return 0;
}

/* Ask the rx thread to stop receiving; 0 once it has. */
static int park_rx(soapy_radio *s)
{
    if (!s->thread_started)
        return 0;
    int rc = 0;
    pthread_mutex_lock(&s->hd_lock);
    s->park_req = 1;
    sn_time_t deadline = mono_ns() + PARK_TIMEOUT_NS;
    while (!s->parked) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 10 * SN_NS_PER_MS;
        if (ts.tv_nsec >= SN_NS_PER_S) {
            ts.tv_sec++;
            ts.tv_nsec -= SN_NS_PER_S;
        }
        pthread_cond_timedwait(&s->hd_cond, &s->hd_lock, &ts);
        if (mono_ns() > deadline) {
            rc = SN_ERR_IO;
            break;
        }
    }
    pthread_mutex_unlock(&s->hd_lock);
    return rc;
}

static void unpark_rx(soapy_radio *s)
{
    if (!s->thread_started)
        return;
    pthread_mutex_lock(&s->hd_lock);
    s->park_req = 0;
    pthread_cond_broadcast(&s->hd_cond);
    pthread_mutex_unlock(&s->hd_lock);
}

static int soapy_tx(void *impl, const sn_cf32 *iq, size_t n, sn_time_t at)
{
    soapy_radio *s = impl;
    long long time_ns = 0;
    int timed = 0;
    if (at != SN_RADIO_NOW) {
        int64_t t0 = atomic_load(&s->hw_t0);
        if (s->hw_time && t0 != INT64_MIN) {
            time_ns = (long long)(t0 + at);
            if (time_ns < SoapySDRDevice_getHardwareTime(s->dev, ""))
                s->late_bursts++; /* in the past: send now */
            else
                timed = 1;
        } else if (at < mono_ns() - s->t_open) {
            s->late_bursts++;
        } else {
            /* no device clock: keep the time on the host's */
            sn_time_t due = s->t_open + at, now;
            while ((now = mono_ns()) < due) {
                sn_time_t w = due - now;
                struct timespec ts = {(time_t)(w / SN_NS_PER_S), (long)(w % SN_NS_PER_S)};
                nanosleep(&ts, NULL);
            }
        }
    }

    if (s->half_duplex) {
        if (park_rx(s) != 0) {
            SN_WARN("radio", "soapy %s: receiver did not stop for a transmit", s->args);
            unpark_rx(s);
            s->tx_dropped++;
            return SN_ERR_IO;
        }
        if (SoapySDRDevice_activateStream(s->dev, s->tx, 0, 0, 0) != 0) {
            unpark_rx(s);
            s->tx_dropped++;
            return SN_ERR_IO;
        }
    }

    sn_time_t t_start = mono_ns();
    size_t done = 0;
    int tries = 0, rc = SN_OK;
    while (done < n) {
        size_t chunk = n - done < s->tx_mtu ? n - done : s->tx_mtu;
        int flags = 0;
        if (done + chunk == n)
            flags |= SOAPY_SDR_END_BURST;
        if (timed && done == 0)
            flags |= SOAPY_SDR_HAS_TIME;
        const void *buffs[1] = {iq + done};
        int ret = SoapySDRDevice_writeStream(s->dev, s->tx, buffs, chunk, &flags, time_ns,
                                             TX_TIMEOUT_US);
        if (ret > 0) {
            done += (size_t)ret;
            tries = 0;
        } else if (ret == SOAPY_SDR_TIMEOUT && ++tries < 3) {
            s->tx_timeouts++;
        } else {
            if (ret == SOAPY_SDR_TIMEOUT)
                s->tx_timeouts++;
            rc = SN_ERR_IO;
            break;
        }
    }
    if (rc != SN_OK) {
        s->tx_dropped++;
        if (done > 0) { /* close the burst we started so the device does not wait */
            int flags = SOAPY_SDR_END_BURST;
            const void *buffs[1] = {iq};
            SoapySDRDevice_writeStream(s->dev, s->tx, buffs, 0, &flags, 0, 0);
        }
    } else {
        s->tx_bursts++;
        s->tx_samples += n;
    }

    if (s->half_duplex) {
        /* writeStream returns once the samples are queued; wait until the
         * burst has left before switching the converter back to receive */
        sn_time_t airtime = (sn_time_t)((double)n / s->rate * 1e9);
        long wait_us = (long)((airtime + 100 * SN_NS_PER_MS) / 1000);
        if (!tx_status(s, wait_us))
            sleep_ns(t_start + airtime + 5 * SN_NS_PER_MS - mono_ns());
        SoapySDRDevice_deactivateStream(s->dev, s->tx, 0, 0);
        unpark_rx(s);
    } else {
        tx_status(s, 0);
    }
    return rc;
}

/* ---- receive: the caller's side ---------------------------------------- */

static void log_counters(soapy_radio *s)
{
    sn_time_t now = mono_ns();
    if (now - s->last_log < SN_NS_PER_S)
        return;
    sn_radio_counters c;
    memset(&c, 0, sizeof c);
    c.overflows = atomic_load(&s->overflows);
    c.timeouts = atomic_load(&s->timeouts) + s->tx_timeouts;
    c.underflows = s->underflows;
    c.late_bursts = s->late_bursts;
    c.tx_dropped = s->tx_dropped;
    int logged = 0;
#define LOG_KIND(field, what)                                                              \
    if (c.field > s->logged.field) {                                                       \
        SN_WARN("radio", "soapy %s: %llu %s (%llu in all)", s->args,                      \
                (unsigned long long)(c.field - s->logged.field), what,                     \
                (unsigned long long)c.field);                                              \
        logged = 1;                                                                        \
    }
    LOG_KIND(overflows, "receive overflows (samples lost)")
    LOG_KIND(timeouts, "device timeouts")
    LOG_KIND(underflows, "transmit underflows")
    LOG_KIND(late_bursts, "late bursts")
    LOG_KIND(tx_dropped, "bursts dropped")
#undef LOG_KIND
    s->logged = c;
    if (logged)
        s->last_log = now;
}

static long soapy_poll(void *impl, sn_time_t now)
{
    soapy_radio *s = impl;
    long total = 0;
    if (s->ring) {
        /* at most one ring's worth per call, so a fast device cannot keep
         * the caller here for ever */
        size_t max = sn_iq_ring_capacity(s->ring);
        const sn_iq_block *b;
        for (size_t i = 0; i < max && (b = sn_iq_ring_read_begin(s->ring)); i++) {
            sn_radio_rx rx = {
                .iq = b->iq,
                .n = b->n,
                .sample_start = b->sample_start,
                .t_start = (sn_time_t)((double)b->sample_start / s->rate * 1e9),
                .flags = b->flags,
                .snr_db = NAN,
                .from_port = -1,
            };
            if (s->rx_blocks > 0 && b->sample_start != s->next_expected)
                rx.flags |= SN_RADIO_RX_GAP;
            double p = 0;
            for (size_t k = 0; k < b->n; k++)
                p += crealf(b->iq[k]) * crealf(b->iq[k]) + cimagf(b->iq[k]) * cimagf(b->iq[k]);
            s->power_db = 10 * log10(p / (double)(b->n ? b->n : 1) + 1e-20);
            /* the floor follows a quieter channel at once and a louder one
             * slowly (0.05 dB per block), so bursts do not raise it */
            if (!isfinite(s->floor_db) || s->power_db < s->floor_db)
                s->floor_db = s->power_db;
            else
                s->floor_db += 0.05;
            sn_radio_deliver(s->radio, &rx);
            s->next_expected = b->sample_start + b->n;
            s->rx_blocks++;
            s->rx_samples += b->n;
            total += (long)b->n;
            sn_iq_ring_read_commit(s->ring);
        }
    }
    if (!s->half_duplex)
        tx_status(s, 0);
    log_counters(s);
    if (total == 0 && atomic_load(&s->failed)) {
        SN_ERROR("radio", "soapy %s: the device stopped streaming", s->args);
        return SN_ERR_IO;
    }
    return total;
}

static int soapy_carrier(void *impl, sn_time_t now, double *power_db)
{
    soapy_radio *s = impl;
    if (power_db)
        *power_db = s->power_db;
    if (!isfinite(s->power_db) || !isfinite(s->floor_db))
        return 0;
    return s->power_db > s->floor_db + 6.0; /* [dB] above the floor = busy */
}

static void soapy_counters(const void *impl, sn_radio_counters *c)
{
    soapy_radio *s = (soapy_radio *)impl;
    c->tx_bursts = s->tx_bursts;
    c->tx_samples = s->tx_samples;
    c->rx_blocks = s->rx_blocks;
    c->rx_samples = s->rx_samples;
    c->overflows = atomic_load(&s->overflows);
    c->underflows = s->underflows;
    c->timeouts = atomic_load(&s->timeouts) + s->tx_timeouts;
    c->late_bursts = s->late_bursts;
    c->tx_dropped = s->tx_dropped;
}

static void soapy_destroy(void *impl)
{
    soapy_radio *s = impl;
    if (!s)
        return;
    if (s->thread_started) {
        atomic_store(&s->stop, 1);
        pthread_mutex_lock(&s->hd_lock);
        pthread_cond_broadcast(&s->hd_cond);
        pthread_mutex_unlock(&s->hd_lock);
        pthread_join(s->thread, NULL);
    }
    if (s->dev) {
        if (s->rx) {
            SoapySDRDevice_deactivateStream(s->dev, s->rx, 0, 0);
            SoapySDRDevice_closeStream(s->dev, s->rx);
        }
        if (s->tx) {
            if (!s->half_duplex)
                SoapySDRDevice_deactivateStream(s->dev, s->tx, 0, 0);
            SoapySDRDevice_closeStream(s->dev, s->tx);
        }
        SoapySDRDevice_unmake(s->dev);
    }
    pthread_mutex_destroy(&s->hd_lock);
    pthread_cond_destroy(&s->hd_cond);
    sn_iq_ring_destroy(s->ring);
    free(s->scratch);
    free(s);
}

static const sn_radio_ops soapy_ops = {
    .tx = soapy_tx,
    .carrier = soapy_carrier,
    .poll = soapy_poll,
    .counters = soapy_counters,
    .destroy = soapy_destroy,
};

/* ---- open -------------------------------------------------------------- */

/* Per-element gains "NAME=DB,...": each name must be one of the device's
 * gain elements in that direction (a typo must not pass silently). */
static int apply_gains(soapy_radio *s, int dir, const char *dname, const char *gains, char *err,
                       size_t errlen)
{
    SoapySDRKwargs kw = SoapySDRKwargs_fromString(gains);
    size_t nnames = 0;
    char **names = SoapySDRDevice_listGains(s->dev, dir, 0, &nnames);
    int rc = SN_OK;
    if (kw.size == 0) {
        snprintf(err, errlen, "soapy %s: gains '%s': expected NAME=DB,NAME=DB", s->args, gains);
        rc = SN_ERR_INVAL;
    }
    for (size_t i = 0; rc == SN_OK && i < kw.size; i++) {
        const char *k = kw.keys[i], *v = kw.vals[i];
        char *end = NULL;
        double db = v ? strtod(v, &end) : NAN;
        size_t j = 0;
        while (j < nnames && strcmp(names[j], k) != 0)
            j++;
        if (!v || !*v || !end || *end || !isfinite(db)) {
            snprintf(err, errlen, "soapy %s: gain %s: '%s' is not a number of dB", s->args, k,
                     v ? v : "");
            rc = SN_ERR_INVAL;
        } else if (j == nnames) {
            char list[256] = "";
            for (size_t m = 0; m < nnames; m++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", m ? ", " : "",
                         names[m]);
            snprintf(err, errlen, "soapy %s: %s has no gain element '%s' (it has: %s)", s->args,
                     dname, k, nnames ? list : "none");
            rc = SN_ERR_INVAL;
        } else if (SoapySDRDevice_setGainElement(s->dev, dir, 0, k, db) != 0) {
            snprintf(err, errlen, "soapy %s: %s gain %s=%g dB refused: %s", s->args, dname, k,
                     db, SoapySDRDevice_lastError());
            rc = SN_ERR_INVAL;
        }
    }
    SoapySDRStrings_clear(&names, nnames);
    SoapySDRKwargs_clear(&kw);
    return rc;
}

/* Apply the settings the user gave, to every direction the device has. */
static int configure(soapy_radio *s, const sn_radio_config *cfg, int has_rx, int has_tx,
                     char *err, size_t errlen)
{
    for (int k = 0; k < 2; k++) {
        int dir = k == 0 ? SOAPY_SDR_RX : SOAPY_SDR_TX;
        if (!(dir == SOAPY_SDR_RX ? has_rx : has_tx))
            continue;
        const char *dname = dir == SOAPY_SDR_RX ? "rx" : "tx";
        if (isfinite(cfg->sample_rate) &&
            SoapySDRDevice_setSampleRate(s->dev, dir, 0, cfg->sample_rate) != 0) {
            snprintf(err, errlen, "soapy %s: %s sample rate %g S/s refused: %s", s->args, dname,
                     cfg->sample_rate, SoapySDRDevice_lastError());
            return SN_ERR_INVAL;
        }
        if (isfinite(cfg->freq_hz) &&
            SoapySDRDevice_setFrequency(s->dev, dir, 0, cfg->freq_hz, NULL) != 0) {
            snprintf(err, errlen, "soapy %s: %s frequency %g Hz refused: %s", s->args, dname,
                     cfg->freq_hz, SoapySDRDevice_lastError());
            return SN_ERR_INVAL;
        }
        if (isfinite(cfg->bandwidth_hz) &&
            SoapySDRDevice_setBandwidth(s->dev, dir, 0, cfg->bandwidth_hz) != 0) {
            snprintf(err, errlen, "soapy %s: %s bandwidth %g Hz refused: %s", s->args, dname,
                     cfg->bandwidth_hz, SoapySDRDevice_lastError());
            return SN_ERR_INVAL;
        }
        if (isfinite(cfg->gain_db) && SoapySDRDevice_setGain(s->dev, dir, 0, cfg->gain_db) != 0) {
            snprintf(err, errlen, "soapy %s: %s gain %g dB refused: %s", s->args, dname,
                     cfg->gain_db, SoapySDRDevice_lastError());
            return SN_ERR_INVAL;
        }
        if (cfg->antenna && SoapySDRDevice_setAntenna(s->dev, dir, 0, cfg->antenna) != 0) {
            snprintf(err, errlen, "soapy %s: %s antenna '%s' refused: %s", s->args, dname,
                     cfg->antenna, SoapySDRDevice_lastError());
            return SN_ERR_INVAL;
        }
        if (cfg->gains && apply_gains(s, dir, dname, cfg->gains, err, errlen) != SN_OK)
            return SN_ERR_INVAL;
        /* a zero-IF receiver's LO leak sits right on our carrier */
        if (SoapySDRDevice_hasDCOffsetMode(s->dev, dir, 0))
            SoapySDRDevice_setDCOffsetMode(s->dev, dir, 0, true);
    }
    return SN_OK;
}

/* Carrier sense latency [ns], conservative. soapy_carrier judges the power
 * of the last block handed up, so a burst is seen once a block is mostly
 * burst: up to two ring blocks after its first sample (it may start at the
 * end of one), plus the device's own transfer buffer (the rx stream's MTU:
 * a USB transfer is delivered whole; HackRF's are 128 Ki samples), plus
 * SOAPY_HOST_NS for the poll loop and the host's scheduling. */
#define SOAPY_HOST_NS (2 * SN_NS_PER_MS)
/* HackRF-style half-duplex turnaround [ns]: the receive stream is stopped,
 * the transmit stream started (libhackrf stops and restarts its USB
 * transfers and switches the converter), which takes milliseconds; 20 ms
 * is a conservative bound that also covers a loaded host. */
#define SOAPY_HALF_DUPLEX_NS (20 * SN_NS_PER_MS)

static double soapy_cca_latency(const soapy_radio *s)
{
    if (!s->rx || !s->ring || !(s->rate > 0))
        return NAN; /* transmit only: nothing to sense */
    size_t mtu = SoapySDRDevice_getStreamMTU(s->dev, s->rx);
    double blocks = 2.0 * (double)sn_iq_ring_block_len(s->ring);
    return (blocks + (double)mtu) / s->rate * 1e9 + (double)SOAPY_HOST_NS;
}

/* Receive-to-transmit turnaround [ns], conservative: a burst written now
 * waits behind the device's transmit buffer (one MTU) and the host's USB
 * latency; a half-duplex device also switches its converter. */
static double soapy_turnaround(const soapy_radio *s)
{
    if (!s->tx || !(s->rate > 0))
        return NAN; /* receive only: it never transmits */
    double t = (double)s->tx_mtu / s->rate * 1e9 + (double)SOAPY_HOST_NS;
    if (s->half_duplex)
        t += (double)SOAPY_HALF_DUPLEX_NS;
    return t;
}

/* Split ARGS into our keys and the device's; *dev_args is SoapySDR-owned. */
static int split_args(const char *args, double *ring_ms, int *half_duplex, int *is_hackrf,
                      char **dev_args)
{
    SoapySDRKwargs in = SoapySDRKwargs_fromString(args);
    SoapySDRKwargs out;
    memset(&out, 0, sizeof out);
    int rc = SN_OK;
    for (size_t i = 0; i < in.size; i++) {
        const char *k = in.keys[i], *v = in.vals[i];
        if (!strcmp(k, "ring_ms")) {
            char *end;
            *ring_ms = strtod(v, &end);
            if (*end || !(*ring_ms > 0 && *ring_ms <= 60000))
                rc = SN_ERR_INVAL;
        } else if (!strcmp(k, "half_duplex")) {
            *half_duplex = atoi(v) != 0;
        } else {
            if (!strcmp(k, "driver") && !strcasecmp(v, "hackrf"))
                *is_hackrf = 1;
            if (SoapySDRKwargs_set(&out, k, v) != 0)
                rc = SN_ERR_NOMEM;
        }
    }
    *dev_args = rc == SN_OK ? SoapySDRKwargs_toString(&out) : NULL;
    if (rc == SN_OK && !*dev_args)
        rc = SN_ERR_NOMEM;
    SoapySDRKwargs_clear(&in);
    SoapySDRKwargs_clear(&out);
    return rc;
}

sn_radio *sn_radio_soapy_open(const char *args, const sn_radio_config *cfg, sn_sched *sched,
                              char *err, size_t errlen)
{
    sn_radio_config def;
    if (!cfg) {
        sn_radio_config_default(&def);
        cfg = &def;
    }
    if (!args)
        args = "";
    soapy_radio *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "soapy %s: out of memory", args);
        return NULL;
    }
    snprintf(s->args, sizeof s->args, "%s", args);
    pthread_mutex_init(&s->hd_lock, NULL);
    pthread_cond_init(&s->hd_cond, NULL);
    atomic_init(&s->stop, 0);
    atomic_init(&s->park_req, 0);
    atomic_init(&s->failed, 0);
    atomic_init(&s->hw_t0, INT64_MIN);
    atomic_init(&s->overflows, 0);
    atomic_init(&s->timeouts, 0);
    s->power_db = NAN;
    s->floor_db = NAN;
    s->t_open = mono_ns();
    s->last_log = s->t_open;

    double ring_ms = 500;
    int half_duplex = -1, is_hackrf = 0;
    char *dev_args = NULL;
    int rc = split_args(args, &ring_ms, &half_duplex, &is_hackrf, &dev_args);
    if (rc != SN_OK) {
        snprintf(err, errlen, "soapy %s: %s", args,
                 rc == SN_ERR_NOMEM ? "out of memory" : "ring_ms must be in (0, 60000]");
        soapy_destroy(s);
        return NULL;
    }
    s->dev = SoapySDRDevice_makeStrArgs(dev_args);
    SoapySDR_free(dev_args);
    if (!s->dev) {
        const char *why = SoapySDRDevice_lastError();
        snprintf(err, errlen,
                 "soapy '%s': no device opened (%s); `sdrnet devices` lists what SoapySDR sees",
                 args, why && *why ? why : "no error given");
        soapy_destroy(s);
        return NULL;
    }
    char *key = SoapySDRDevice_getDriverKey(s->dev);
    if (key && !strcasecmp(key, "hackrf"))
        is_hackrf = 1;
    SoapySDR_free(key);
    s->half_duplex = half_duplex >= 0 ? half_duplex : is_hackrf;

    int has_rx = SoapySDRDevice_getNumChannels(s->dev, SOAPY_SDR_RX) > 0;
    int has_tx = SoapySDRDevice_getNumChannels(s->dev, SOAPY_SDR_TX) > 0;
    if (!has_rx && !has_tx) {
        snprintf(err, errlen, "soapy %s: the device has no channel", args);
        soapy_destroy(s);
        return NULL;
    }
    if ((cfg->dir == SN_RADIO_DIR_RX && !has_rx) || (cfg->dir == SN_RADIO_DIR_TX && !has_tx)) {
        snprintf(err, errlen, "soapy %s: the device cannot %s", args,
                 cfg->dir == SN_RADIO_DIR_RX ? "receive" : "transmit");
        soapy_destroy(s);
        return NULL;
    }
    /* leave the unwanted direction alone: its stream would hold the
     * device's other side (and a half-duplex one's turnaround) for nothing */
    if (cfg->dir == SN_RADIO_DIR_RX)
        has_tx = 0;
    else if (cfg->dir == SN_RADIO_DIR_TX)
        has_rx = 0;
    if (configure(s, cfg, has_rx, has_tx, err, errlen) != SN_OK) {
        soapy_destroy(s);
        return NULL;
    }
    s->rate = SoapySDRDevice_getSampleRate(s->dev, has_rx ? SOAPY_SDR_RX : SOAPY_SDR_TX, 0);
    if (!(s->rate > 0)) {
        snprintf(err, errlen, "soapy %s: the device reports no sample rate; give one", args);
        soapy_destroy(s);
        return NULL;
    }
    s->hw_time = SoapySDRDevice_hasHardwareTime(s->dev, "");

    size_t chan = 0;
    if (has_tx) {
        s->tx = SoapySDRDevice_setupStream(s->dev, SOAPY_SDR_TX, SOAPY_SDR_CF32, &chan, 1, NULL);
        if (!s->tx) {
            snprintf(err, errlen, "soapy %s: cannot set up a CF32 transmit stream: %s", args,
                     SoapySDRDevice_lastError());
            soapy_destroy(s);
            return NULL;
        }
        s->tx_mtu = SoapySDRDevice_getStreamMTU(s->dev, s->tx);
        if (s->tx_mtu == 0)
            s->tx_mtu = 4096;
        s->tx_status = 1;
        /* full duplex: the stream stays active and each burst ends itself
         * with END_BURST; half duplex activates it per burst */
        if (!s->half_duplex && SoapySDRDevice_activateStream(s->dev, s->tx, 0, 0, 0) != 0) {
            snprintf(err, errlen, "soapy %s: cannot start the transmit stream: %s", args,
                     SoapySDRDevice_lastError());
            soapy_destroy(s);
            return NULL;
        }
    }
    if (has_rx) {
        s->rx = SoapySDRDevice_setupStream(s->dev, SOAPY_SDR_RX, SOAPY_SDR_CF32, &chan, 1, NULL);
        if (!s->rx) {
            snprintf(err, errlen, "soapy %s: cannot set up a CF32 receive stream: %s", args,
                     SoapySDRDevice_lastError());
            soapy_destroy(s);
            return NULL;
        }
        /* blocks of 5 ms: short enough for a prompt poll, long enough that
         * the ring's bookkeeping costs nothing; 256..65536 samples */
        size_t block = (size_t)(s->rate * 5e-3);
        block = block < 256 ? 256 : block > 65536 ? 65536 : block;
        double want = ring_ms * 1e-3 * s->rate; /* [samples] */
        size_t n_blocks = (size_t)ceil(want / (double)block) + 2;
        s->ring = sn_iq_ring_create(n_blocks, block);
        s->scratch = malloc(block * sizeof *s->scratch);
        if (!s->ring || !s->scratch) {
            snprintf(err, errlen, "soapy %s: out of memory for a %.0f ms receive ring", args,
                     ring_ms);
            soapy_destroy(s);
            return NULL;
        }
        if (SoapySDRDevice_activateStream(s->dev, s->rx, 0, 0, 0) != 0) {
            snprintf(err, errlen, "soapy %s: cannot start the receive stream: %s", args,
                     SoapySDRDevice_lastError());
            soapy_destroy(s);
            return NULL;
        }
        if (pthread_create(&s->thread, NULL, rx_thread, s) != 0) {
            snprintf(err, errlen, "soapy %s: cannot start the receive thread", args);
            soapy_destroy(s);
            return NULL;
        }
        s->thread_started = 1;
    } else if (s->hw_time) {
        /* transmit only: the radio's clock starts now */
        atomic_store(&s->hw_t0, (int64_t)SoapySDRDevice_getHardwareTime(s->dev, ""));
    }

    double freq = SoapySDRDevice_getFrequency(s->dev, has_rx ? SOAPY_SDR_RX : SOAPY_SDR_TX, 0);
    sn_radio_info info = {
        .cca_latency = soapy_cca_latency(s),
        .turnaround = soapy_turnaround(s),
        .backend = "soapy",
        .sample_rate = s->rate,
        .freq_hz = freq > 0 ? freq : NAN,
        .can_tx = has_tx,
        .can_rx = has_rx,
        .timed_tx = s->hw_time,
    };
    sn_radio *r = sn_radio_new(&soapy_ops, s, &info);
    if (!r) {
        snprintf(err, errlen, "soapy %s: out of memory", args);
        return NULL; /* sn_radio_new destroyed s */
    }
    /* the rx thread never touches s->radio: only poll delivers */
    s->radio = r;
    SN_INFO("radio", "soapy %s: %.0f S/s at %.0f Hz, %s%s%s", args, s->rate, freq,
            has_rx ? "rx " : "", has_tx ? "tx " : "", s->half_duplex ? "(half duplex)" : "");
    return r;
}
