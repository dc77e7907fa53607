/* phy/radio_file: a radio whose air is a file (phy/radio_file.h).
 *
 * An existing recording is opened for receive only; a path that does not
 * exist yet gives a transmit-only radio, so a run can never overwrite the
 * recording it is reading. The file is created at the first burst, not at
 * open: `sdrnet rx` on a misspelt name must not leave an empty recording
 * behind (it sees can_rx == 0 and says the file is missing). The radio's
 * sample clock is the sample index in the file: time [ns] = index / rate.
 */
#include "phy/radio_file.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/err.h"
#include "core/log.h"
#include "phy/iqfile.h"
#include "phy/sigmf.h"

#define MOD "radio_file"
#define RX_BLOCK 16384          /* [samples] delivered per poll */
#define TX_DEFAULT_RATE 1e6     /* [S/s] of a new recording without --samplerate */
#define ZERO_CHUNK 4096         /* [samples] of silence written at a time */
#define MAX_GAP_SAMPLES (1ull << 32) /* refuse a silence longer than this [samples]
                                      * (about an hour at 1 MS/s): a wild `at` would
                                      * otherwise fill the disk */

typedef struct radio_file {
    sn_radio *radio;         /* the sn_radio wrapping this, for deliver */
    const char *name;        /* points into path_copy, for messages */
    char *path_copy;
    char *base;              /* SigMF base name for transmit (NULL: raw) */
    sn_iq_format fmt;        /* raw files: their format */
    double fs;               /* [S/s] */
    double freq;             /* [Hz] written into a new recording, NaN: none */
    int can_tx;
    /* receive: exactly one of sigmf_r / raw_r */
    sn_sigmf_reader *sigmf_r;
    sn_iqfile_reader *raw_r;
    sn_cf32 *block;          /* RX_BLOCK samples */
    /* transmit: exactly one of sigmf_w / raw_w */
    sn_sigmf_writer *sigmf_w;
    sn_iqfile_writer *raw_w;
    uint64_t pos;            /* [samples] next sample index (rx: read, tx: written) */
    int at_end, io_error;
    sn_radio_counters cnt;
} radio_file;

/* Close the recording being written (once) and say whether all of it
 * reached the disk. A failure is also logged, so a truncated recording
 * never passes silently even when the caller only destroys. */
static int file_finish(void *impl)
{
    radio_file *f = impl;
    int rc = f->io_error ? SN_ERR_IO : SN_OK;
    if (f->sigmf_w && sn_sigmf_writer_close(f->sigmf_w) != SN_OK) {
        SN_ERROR(MOD, "%s: the recording could not be completed", f->name);
        rc = SN_ERR_IO;
    }
    if (f->raw_w && sn_iqfile_writer_close(f->raw_w) != SN_OK) {
        SN_ERROR(MOD, "%s: write or close failed", f->name);
        rc = SN_ERR_IO;
    }
    f->sigmf_w = NULL;
    f->raw_w = NULL;
    return rc;
}

static void file_destroy(void *impl)
{
    radio_file *f = impl;
    if (!f)
        return;
    sn_sigmf_reader_close(f->sigmf_r);
    sn_iqfile_close(f->raw_r);
    (void)file_finish(f); /* nothing left to do if sn_radio_close ran it */
    free(f->block);
    free(f->base);
    free(f->path_copy);
    free(f);
}

static sn_time_t index_to_ns(const radio_file *f, uint64_t idx)
{
    return (sn_time_t)((double)idx / f->fs * 1e9 + 0.5);
}

static long file_poll(void *impl, sn_time_t now);

static int write_samples(radio_file *f, const sn_cf32 *iq, size_t n)
{
    int rc = f->sigmf_w ? sn_sigmf_writer_write(f->sigmf_w, iq, n, NULL)
                        : sn_iqfile_write(f->raw_w, iq, n);
    if (rc != SN_OK && !f->io_error) {
        SN_ERROR(MOD, "%s: write failed: %s", f->name, strerror(errno));
        f->io_error = 1;
    }
    return rc;
}

static int file_tx(void *impl, const sn_cf32 *iq, size_t n, sn_time_t at)
{
    radio_file *f = impl;
    if (!f->can_tx)
        return SN_ERR_UNSUPP;
    if (f->io_error) {
        f->cnt.tx_dropped++;
        return SN_ERR_IO;
    }
    if (!f->sigmf_w && !f->raw_w) {
        char err[512];
        if (f->base) {
            f->sigmf_w = sn_sigmf_writer_open(f->base, f->fs, f->freq, "sdrnet tx");
            snprintf(err, sizeof err, "%s.sigmf-data: cannot create", f->base);
        } else {
            f->raw_w = sn_iqfile_writer_open(f->name, f->fmt, err, sizeof err);
        }
        if (!f->sigmf_w && !f->raw_w) {
            SN_ERROR(MOD, "%s", err);
            f->io_error = 1;
            f->cnt.tx_dropped++;
            return SN_ERR_IO;
        }
    }
    if (at != SN_RADIO_NOW) {
        /* a burst due later starts after silence, so the file keeps the
         * spacing the sender asked for; one due earlier goes now, late */
        double want = at < 0 ? 0.0 : (double)at * f->fs / 1e9;
        if (want > (double)(f->pos + MAX_GAP_SAMPLES)) { /* before llround can overflow */
            f->cnt.tx_dropped++;
            return SN_ERR_RANGE;
        }
        uint64_t start = (uint64_t)llround(want);
        if (start < f->pos) {
            f->cnt.late_bursts++;
        } else {
            static const sn_cf32 zeros[ZERO_CHUNK];
            while (f->pos < start) {
                uint64_t k = start - f->pos < ZERO_CHUNK ? start - f->pos : ZERO_CHUNK;
                if (write_samples(f, zeros, (size_t)k) != SN_OK) {
                    f->cnt.tx_dropped++;
                    return SN_ERR_IO;
                }
                f->pos += k;
            }
        }
    }
    uint64_t first = f->pos;
    if (write_samples(f, iq, n) != SN_OK) {
        f->cnt.tx_dropped++;
        return SN_ERR_IO;
    }
    f->pos += n;
    f->cnt.tx_bursts++;
    f->cnt.tx_samples += n;
    if (f->sigmf_w) {
        char label[32];
        snprintf(label, sizeof label, "burst %llu", (unsigned long long)f->cnt.tx_bursts);
        int rc = sn_sigmf_writer_annotate(f->sigmf_w, first, n, label, NULL, NAN);
        if (rc != SN_OK)
            return rc;
    }
    return SN_OK;
}

/* A file is never busy: nothing else transmits into it. */
static int file_carrier(void *impl, sn_time_t now, double *power_db)
{
    if (power_db)
        *power_db = NAN;
    return 0;
}

static void file_counters(const void *impl, sn_radio_counters *c)
{
    const radio_file *f = impl;
    *c = f->cnt;
}

static const sn_radio_ops file_ops = {
    .tx = file_tx,
    .carrier = file_carrier,
    .poll = file_poll,
    .counters = file_counters,
    .finish = file_finish,
    .destroy = file_destroy,
};

static long file_poll(void *impl, sn_time_t now)
{
    radio_file *f = impl;
    if (!f->sigmf_r && !f->raw_r)
        return 0; /* transmit-only: nothing to hear */
    if (f->at_end)
        return SN_ERR_NOENT;
    long n = f->sigmf_r ? sn_sigmf_reader_read(f->sigmf_r, f->block, RX_BLOCK)
                        : sn_iqfile_read(f->raw_r, f->block, RX_BLOCK);
    if (n < 0)
        return n;
    if (n == 0) {
        f->at_end = 1;
        return SN_ERR_NOENT;
    }
    sn_radio_rx rx = {
        .iq = f->block,
        .n = (size_t)n,
        .sample_start = f->pos,
        .t_start = index_to_ns(f, f->pos),
        .flags = 0,
        .snr_db = NAN,
        .from_port = -1,
    };
    f->pos += (uint64_t)n;
    f->cnt.rx_blocks++;
    f->cnt.rx_samples += (uint64_t)n;
    sn_radio_deliver(f->radio, &rx);
    return n;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* Does the SigMF recording named by `path` (base, .sigmf-meta or
 * .sigmf-data) have either of its files on disk? */
static int sigmf_exists(const char *path, char *base, size_t baselen)
{
    size_t n = strlen(path);
    if (ends_with(path, ".sigmf-meta") || ends_with(path, ".sigmf-data"))
        n -= strlen(".sigmf-meta");
    snprintf(base, baselen, "%.*s", (int)n, path);
    char p[4200];
    snprintf(p, sizeof p, "%s.sigmf-meta", base);
    if (exists(p))
        return 1;
    snprintf(p, sizeof p, "%s.sigmf-data", base);
    return exists(p);
}

sn_radio *sn_radio_file_open(const char *path, const sn_radio_config *cfg, sn_sched *s,
                             char *err, size_t errlen)
{
    if (!path || !*path) {
        snprintf(err, errlen, "file radio: no path given (file:PATH)");
        return NULL;
    }
    if (strlen(path) > 4000) {
        snprintf(err, errlen, "file radio: path too long");
        return NULL;
    }
    sn_radio_config def;
    if (!cfg) {
        sn_radio_config_default(&def);
        cfg = &def;
    }
    if (isfinite(cfg->sample_rate) && !(cfg->sample_rate > 0)) {
        snprintf(err, errlen, "%s: sample rate must be > 0", path);
        return NULL;
    }
    radio_file *f = calloc(1, sizeof *f);
    if (!f || !(f->path_copy = strdup(path))) {
        free(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    f->name = f->path_copy;
    /* a file has no carrier to sense and no switching: cca_latency and
     * turnaround do not apply (NaN) */
    sn_radio_info info = {
        .backend = "file", .freq_hz = cfg->freq_hz, .cca_latency = NAN, .turnaround = NAN};
    sn_iq_format fmt;
    int raw = sn_iq_format_from_path(path, &fmt) == SN_OK;
    char base[4096];
    int rx = raw ? exists(path) : sigmf_exists(path, base, sizeof base);
    if (cfg->dir == SN_RADIO_DIR_RX && !rx) {
        snprintf(err, errlen, "%s: no such recording", path);
        goto fail;
    }
    if (cfg->dir == SN_RADIO_DIR_TX && rx) {
        snprintf(err, errlen,
                 "%s: a recording of that name exists; it is never overwritten (remove it or "
                 "give a new name)",
                 path);
        goto fail;
    }

    if (rx) {
        f->block = malloc(RX_BLOCK * sizeof *f->block);
        if (!f->block) {
            snprintf(err, errlen, "%s: out of memory", path);
            goto fail;
        }
        if (raw) {
            if (!isfinite(cfg->sample_rate)) {
                snprintf(err, errlen, "%s: raw file: give --samplerate", path);
                goto fail;
            }
            f->fs = cfg->sample_rate;
            f->raw_r = sn_iqfile_open(path, fmt, err, errlen);
            if (!f->raw_r)
                goto fail;
        } else {
            f->sigmf_r = sn_sigmf_reader_open(path, err, errlen);
            if (!f->sigmf_r)
                goto fail;
            /* the recording knows its own rate; a different one asked for
             * would only mislabel the captures */
            f->fs = sn_sigmf_reader_sample_rate(f->sigmf_r);
            if (isfinite(cfg->sample_rate) && cfg->sample_rate != f->fs)
                SN_WARN(MOD, "%s: recorded at %g S/s, ignoring --samplerate %g", path, f->fs,
                        cfg->sample_rate);
            if (!isfinite(info.freq_hz))
                info.freq_hz = sn_sigmf_reader_freq(f->sigmf_r);
        }
        info.can_rx = 1;
    } else {
        f->fs = isfinite(cfg->sample_rate) ? cfg->sample_rate : TX_DEFAULT_RATE;
        f->freq = cfg->freq_hz;
        f->fmt = fmt;
        if (!raw && !(f->base = strdup(base))) {
            snprintf(err, errlen, "%s: out of memory", path);
            goto fail;
        }
        /* created at the first burst; say now if that cannot work */
        char dir[4096];
        const char *slash = strrchr(path, '/');
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + 1 : 1,
                 slash ? path : ".");
        struct stat sb;
        if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            snprintf(err, errlen, "%s: no such file, and directory '%s' does not exist", path,
                     dir);
            goto fail;
        }
        f->can_tx = 1;
        info.can_tx = 1;
        info.timed_tx = 1; /* the sample clock is the file position */
    }
    info.sample_rate = f->fs;
    sn_radio *r = sn_radio_new(&file_ops, f, &info);
    if (!r) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL; /* sn_radio_new destroyed f */
    }
    f->radio = r;
    return r;
fail:
    file_destroy(f);
    return NULL;
}
