/* phy/iqfile: raw IQ files (cf32, ci8, cu8, ci16) <-> sn_cf32. */
#include "phy/iqfile.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/err.h"

#define STAGE_SAMPLES 1024 /* conversion buffer [samples] */
#define MAX_SAMPLE_BYTES 8 /* cf32, the widest format [bytes] */

size_t sn_iq_format_bytes(sn_iq_format f)
{
    switch (f) {
    case SN_IQ_CF32:
        return 8;
    case SN_IQ_CI8:
    case SN_IQ_CU8:
        return 2;
    case SN_IQ_CI16:
        return 4;
    }
    return 8;
}

const char *sn_iq_format_sigmf(sn_iq_format f)
{
    switch (f) {
    case SN_IQ_CF32:
        return "cf32_le";
    case SN_IQ_CI8:
        return "ci8";
    case SN_IQ_CU8:
        return "cu8";
    case SN_IQ_CI16:
        return "ci16_le";
    }
    return "?";
}

int sn_iq_format_from_path(const char *path, sn_iq_format *f)
{
    static const struct {
        const char *ext;
        sn_iq_format f;
    } exts[] = {
        {".cf32", SN_IQ_CF32}, {".cfile", SN_IQ_CF32}, {".fc32", SN_IQ_CF32},
        {".ci8", SN_IQ_CI8},   {".cs8", SN_IQ_CI8},    {".cu8", SN_IQ_CU8},
        {".ci16", SN_IQ_CI16}, {".cs16", SN_IQ_CI16},
    };
    if (!path)
        return SN_ERR_NOENT;
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t k = strlen(exts[i].ext);
        if (n > k && strcasecmp(path + n - k, exts[i].ext) == 0) {
            if (f)
                *f = exts[i].f;
            return SN_OK;
        }
    }
    return SN_ERR_NOENT;
}

int sn_iq_format_from_sigmf(const char *dt, sn_iq_format *f)
{
    static const struct {
        const char *name;
        sn_iq_format f;
    } names[] = {
        {"cf32_le", SN_IQ_CF32}, {"ci8", SN_IQ_CI8},     {"ci8_le", SN_IQ_CI8},
        {"cu8", SN_IQ_CU8},      {"cu8_le", SN_IQ_CU8},  {"ci16_le", SN_IQ_CI16},
    };
    if (!dt)
        return SN_ERR_UNSUPP;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(dt, names[i].name)) {
            if (f)
                *f = names[i].f;
            return SN_OK;
        }
    return SN_ERR_UNSUPP;
}

/* ---- conversions, independent of the host's byte order ---- */

static float le_to_f32(const uint8_t *p)
{
    uint32_t v = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
                 ((uint32_t)p[3] << 24);
    float x;
    memcpy(&x, &v, sizeof x);
    return x;
}

static void f32_to_le(uint8_t *p, float x)
{
    uint32_t v;
    memcpy(&v, &x, sizeof v);
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Two's complement bytes to a signed value without implementation-defined
 * conversions of out-of-range unsigned values. */
static int s8(uint8_t b) { return b < 0x80 ? (int)b : (int)b - 0x100; }

static int s16le(const uint8_t *p)
{
    unsigned u = (unsigned)p[0] | ((unsigned)p[1] << 8);
    return u < 0x8000u ? (int)u : (int)u - 0x10000;
}

/* Round x * scale + offset to the nearest integer in [lo, hi]; NaN -> 0
 * (lrintf of NaN or of a value beyond long is undefined: clip first). */
static long quant(float x, float scale, float offset, long lo, long hi)
{
    if (isnan(x))
        x = 0.0f;
    float v = x * scale + offset;
    if (!(v > (float)lo))
        return lo;
    if (!(v < (float)hi))
        return hi;
    return lrintf(v);
}

void sn_iq_decode(sn_iq_format f, const uint8_t *in, size_t n, sn_cf32 *out)
{
    for (size_t i = 0; i < n; i++) {
        float re = 0.0f, im = 0.0f;
        switch (f) {
        case SN_IQ_CF32:
            re = le_to_f32(in + 8 * i);
            im = le_to_f32(in + 8 * i + 4);
            break;
        case SN_IQ_CI8:
            re = (float)s8(in[2 * i]) / 128.0f;
            im = (float)s8(in[2 * i + 1]) / 128.0f;
            break;
        case SN_IQ_CU8:
            re = ((float)in[2 * i] - 127.5f) / 127.5f;
            im = ((float)in[2 * i + 1] - 127.5f) / 127.5f;
            break;
        case SN_IQ_CI16:
            re = (float)s16le(in + 4 * i) / 32768.0f;
            im = (float)s16le(in + 4 * i + 2) / 32768.0f;
            break;
        }
        out[i] = sn_cf32_make(re, im);
    }
}

void sn_iq_encode(sn_iq_format f, const sn_cf32 *in, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        float re = crealf(in[i]), im = cimagf(in[i]);
        switch (f) {
        case SN_IQ_CF32:
            f32_to_le(out + 8 * i, re);
            f32_to_le(out + 8 * i + 4, im);
            break;
        case SN_IQ_CI8: {
            long a = quant(re, 128.0f, 0.0f, -128, 127), b = quant(im, 128.0f, 0.0f, -128, 127);
            out[2 * i] = (uint8_t)(a & 0xff);
            out[2 * i + 1] = (uint8_t)(b & 0xff);
            break;
        }
        case SN_IQ_CU8:
            out[2 * i] = (uint8_t)quant(re, 127.5f, 127.5f, 0, 255);
            out[2 * i + 1] = (uint8_t)quant(im, 127.5f, 127.5f, 0, 255);
            break;
        case SN_IQ_CI16: {
            long a = quant(re, 32768.0f, 0.0f, -32768, 32767);
            long b = quant(im, 32768.0f, 0.0f, -32768, 32767);
            out[4 * i] = (uint8_t)(a & 0xff);
            out[4 * i + 1] = (uint8_t)((a >> 8) & 0xff);
            out[4 * i + 2] = (uint8_t)(b & 0xff);
            out[4 * i + 3] = (uint8_t)((b >> 8) & 0xff);
            break;
        }
        }
    }
}

/* ---- reader ---- */

struct sn_iqfile_reader {
    FILE *f;
    sn_iq_format fmt;
    uint64_t samples; /* [samples] in the file */
    uint8_t stage[STAGE_SAMPLES * MAX_SAMPLE_BYTES];
};

sn_iqfile_reader *sn_iqfile_open(const char *path, sn_iq_format fmt, char *err, size_t errlen)
{
    if (!path || !*path) {
        snprintf(err, errlen, "no IQ file given");
        return NULL;
    }
    sn_iqfile_reader *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    r->fmt = fmt;
    r->f = fopen(path, "rb");
    if (!r->f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        free(r);
        return NULL;
    }
    struct stat sb;
    if (fstat(fileno(r->f), &sb) != 0 || sb.st_size < 0) {
        snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
        sn_iqfile_close(r);
        return NULL;
    }
    if (!S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        sn_iqfile_close(r);
        return NULL;
    }
    size_t ss = sn_iq_format_bytes(fmt);
    if ((uint64_t)sb.st_size % ss != 0) {
        snprintf(err, errlen,
                 "%s: size %llu bytes is not a whole number of %s samples (%zu bytes each)",
                 path, (unsigned long long)sb.st_size, sn_iq_format_sigmf(fmt), ss);
        sn_iqfile_close(r);
        return NULL;
    }
    r->samples = (uint64_t)sb.st_size / ss;
    return r;
}

void sn_iqfile_close(sn_iqfile_reader *r)
{
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    free(r);
}

uint64_t sn_iqfile_samples(const sn_iqfile_reader *r) { return r ? r->samples : 0; }

long sn_iqfile_read(sn_iqfile_reader *r, sn_cf32 *out, size_t max)
{
    if (!r || (!out && max))
        return SN_ERR_INVAL;
    if (max > (size_t)LONG_MAX)
        max = (size_t)LONG_MAX;
    size_t ss = sn_iq_format_bytes(r->fmt), done = 0;
    while (done < max) {
        size_t want = max - done < STAGE_SAMPLES ? max - done : STAGE_SAMPLES;
        size_t got = fread(r->stage, ss, want, r->f);
        sn_iq_decode(r->fmt, r->stage, got, out + done);
        done += got;
        if (got < want) {
            if (ferror(r->f))
                return SN_ERR_IO;
            break;
        }
    }
    return (long)done;
}

/* ---- writer ---- */

struct sn_iqfile_writer {
    FILE *f;
    sn_iq_format fmt;
    int io_error;
    uint8_t stage[STAGE_SAMPLES * MAX_SAMPLE_BYTES];
};

sn_iqfile_writer *sn_iqfile_writer_open(const char *path, sn_iq_format fmt, char *err,
                                        size_t errlen)
{
    if (!path || !*path) {
        snprintf(err, errlen, "no IQ file given");
        return NULL;
    }
    sn_iqfile_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    w->fmt = fmt;
    w->f = fopen(path, "wb");
    if (!w->f) {
        snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        free(w);
        return NULL;
    }
    return w;
}

int sn_iqfile_write(sn_iqfile_writer *w, const sn_cf32 *iq, size_t n)
{
    if (!w || (!iq && n))
        return SN_ERR_INVAL;
    size_t ss = sn_iq_format_bytes(w->fmt), done = 0;
    while (done < n) {
        size_t k = n - done < STAGE_SAMPLES ? n - done : STAGE_SAMPLES;
        sn_iq_encode(w->fmt, iq + done, k, w->stage);
        if (fwrite(w->stage, ss, k, w->f) != k) {
            w->io_error = 1;
            return SN_ERR_IO;
        }
        done += k;
    }
    return SN_OK;
}

int sn_iqfile_writer_close(sn_iqfile_writer *w)
{
    if (!w)
        return SN_OK;
    int rc = w->io_error ? SN_ERR_IO : SN_OK;
    if (fclose(w->f) != 0)
        rc = SN_ERR_IO;
    free(w);
    return rc;
}
