/* phy/sigmf: SigMF 1.0.0 recordings (written as cf32_le; read as cf32_le, ci16_le,
 * ci8 or cu8) with per-frame annotations. */
#include "phy/sigmf.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/err.h"
#include "core/log.h"
#include "phy/iqfile.h"

#define MOD "sigmf"
#define SIGMF_VERSION "1.0.0"
#define SDRNET_EXT_VERSION "0.1.0" /* of phy/sdrnet.sigmf-ext.md */
#define SAMPLE_BYTES 8             /* cf32_le: two little-endian floats */
#define STAGE_SAMPLES 1024         /* conversion buffer [samples] */
#define META_MAX_BYTES (64u << 20) /* refuse larger meta files [bytes] */

/* ---- little-endian float conversion (independent of the host) ---- */

static void f32_to_le(uint8_t *p, float f)
{
    uint32_t v;
    memcpy(&v, &f, sizeof v);
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* "base" + "ext" in fresh memory, NULL if out of memory. */
static char *join(const char *base, const char *ext)
{
    size_t a = strlen(base), b = strlen(ext);
    char *s = malloc(a + b + 1);
    if (!s)
        return NULL;
    memcpy(s, base, a);
    memcpy(s + a, ext, b + 1);
    return s;
}

/* ---------------------------------------------------------------- writer */

typedef struct sigmf_annot {
    uint64_t start, count; /* [samples] */
    char *label, *comment;
    double snr_db; /* [dB], NaN = none */
    size_t seq;    /* order of arrival, to keep the sort stable */
} sigmf_annot;

struct sn_sigmf_writer {
    FILE *data;
    char *data_path, *meta_path, *description;
    double fs, freq;  /* [S/s], [Hz] */
    uint64_t samples; /* written so far */
    int io_error;
    sigmf_annot *annots;
    size_t nannots, annotcap;
    uint8_t stage[STAGE_SAMPLES * SAMPLE_BYTES];
};

static void writer_free(sn_sigmf_writer *w)
{
    for (size_t i = 0; i < w->nannots; i++) {
        free(w->annots[i].label);
        free(w->annots[i].comment);
    }
    free(w->annots);
    free(w->data_path);
    free(w->meta_path);
    free(w->description);
    free(w);
}

sn_sigmf_writer *sn_sigmf_writer_open(const char *base, double sample_rate, double freq_hz,
                                      const char *description)
{
    if (!base || !*base || !(sample_rate > 0) || !isfinite(sample_rate)) {
        SN_ERROR(MOD, "need a base name and a sample rate > 0");
        return NULL;
    }
    sn_sigmf_writer *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->fs = sample_rate;
    w->freq = freq_hz;
    w->data_path = join(base, ".sigmf-data");
    w->meta_path = join(base, ".sigmf-meta");
    w->description = description ? strdup(description) : NULL;
    if (!w->data_path || !w->meta_path || (description && !w->description)) {
        writer_free(w);
        return NULL;
    }
    w->data = fopen(w->data_path, "wb");
    if (!w->data) {
        SN_ERROR(MOD, "%s: cannot create: %s", w->data_path, strerror(errno));
        writer_free(w);
        return NULL;
    }
    return w;
}

int sn_sigmf_writer_write(sn_sigmf_writer *w, const sn_cf32 *iq, size_t n, uint64_t *first)
{
    if (!w || (!iq && n))
        return SN_ERR_INVAL;
    if (first)
        *first = w->samples;
    size_t done = 0;
    while (done < n) {
        size_t k = n - done < STAGE_SAMPLES ? n - done : STAGE_SAMPLES;
        for (size_t i = 0; i < k; i++) {
            f32_to_le(w->stage + i * SAMPLE_BYTES, crealf(iq[done + i]));
            f32_to_le(w->stage + i * SAMPLE_BYTES + 4, cimagf(iq[done + i]));
        }
        size_t put = fwrite(w->stage, SAMPLE_BYTES, k, w->data);
        w->samples += put;
        if (put != k) {
            if (!w->io_error)
                SN_ERROR(MOD, "%s: write failed: %s", w->data_path, strerror(errno));
            w->io_error = 1;
            return SN_ERR_IO;
        }
        done += k;
    }
    return SN_OK;
}

int sn_sigmf_writer_annotate(sn_sigmf_writer *w, uint64_t start, uint64_t count,
                             const char *label, const char *comment, double snr_db)
{
    if (!w)
        return SN_ERR_INVAL;
    if (w->nannots == w->annotcap) {
        size_t cap = w->annotcap ? 2 * w->annotcap : 64;
        sigmf_annot *a = realloc(w->annots, cap * sizeof *a);
        if (!a)
            return SN_ERR_NOMEM;
        w->annots = a;
        w->annotcap = cap;
    }
    sigmf_annot *a = &w->annots[w->nannots];
    a->start = start;
    a->count = count;
    a->snr_db = snr_db;
    a->seq = w->nannots;
    a->label = label ? strdup(label) : NULL;
    a->comment = comment ? strdup(comment) : NULL;
    if ((label && !a->label) || (comment && !a->comment)) {
        free(a->label);
        free(a->comment);
        return SN_ERR_NOMEM;
    }
    w->nannots++;
    return SN_OK;
}

uint64_t sn_sigmf_writer_samples(const sn_sigmf_writer *w) { return w ? w->samples : 0; }

static int annot_cmp(const void *pa, const void *pb)
{
    const sigmf_annot *a = pa, *b = pb;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return a->seq < b->seq ? -1 : (a->seq > b->seq);
}

/* json_object_set_new that remembers a failure in *bad. */
static void set(json_t *o, const char *key, json_t *v, int *bad)
{
    if (!v || json_object_set_new(o, key, v) != 0)
        *bad = 1;
}

static json_int_t as_jint(uint64_t v)
{
    return v > (uint64_t)INT64_MAX ? (json_int_t)INT64_MAX : (json_int_t)v;
}

static json_t *build_meta(sn_sigmf_writer *w)
{
    int bad = 0;
    json_t *root = json_object();
    json_t *global = json_object();
    json_t *captures = json_array();
    json_t *annots = json_array();
    json_t *cap0 = json_object();
    json_t *exts = json_array();
    json_t *ext = json_object();
    if (!root || !global || !captures || !annots || !cap0 || !exts || !ext) {
        json_decref(root);
        json_decref(global);
        json_decref(captures);
        json_decref(annots);
        json_decref(cap0);
        json_decref(exts);
        json_decref(ext);
        return NULL;
    }
    /* ownership passes to root here, so one decref cleans up on failure */
    set(root, "global", global, &bad);
    set(root, "captures", captures, &bad);
    set(root, "annotations", annots, &bad);
    if (bad) {
        json_decref(cap0);
        json_decref(exts);
        json_decref(ext);
        json_decref(root);
        return NULL;
    }

    set(global, "core:datatype", json_string("cf32_le"), &bad);
    set(global, "core:sample_rate", json_real(w->fs), &bad);
    set(global, "core:version", json_string(SIGMF_VERSION), &bad);
    set(global, "core:recorder", json_string("sdrnet"), &bad);
    if (w->description)
        set(global, "core:description", json_string(w->description), &bad);
    /* SigMF 1.0: fields of a namespace other than core must be declared */
    set(ext, "name", json_string("sdrnet"), &bad);
    set(ext, "version", json_string(SDRNET_EXT_VERSION), &bad);
    set(ext, "optional", json_true(), &bad);
    if (json_array_append_new(exts, ext) != 0)
        bad = 1;
    set(global, "core:extensions", exts, &bad);

    set(cap0, "core:sample_start", json_integer(0), &bad);
    if (isfinite(w->freq))
        set(cap0, "core:frequency", json_real(w->freq), &bad);
    if (json_array_append_new(captures, cap0) != 0)
        bad = 1;

    if (w->nannots > 1) /* qsort(NULL, 0, ...) is undefined */
        qsort(w->annots, w->nannots, sizeof *w->annots, annot_cmp);
    for (size_t i = 0; i < w->nannots && !bad; i++) {
        const sigmf_annot *a = &w->annots[i];
        json_t *o = json_object();
        if (!o) {
            bad = 1;
            break;
        }
        set(o, "core:sample_start", json_integer(as_jint(a->start)), &bad);
        set(o, "core:sample_count", json_integer(as_jint(a->count)), &bad);
        if (a->label)
            set(o, "core:label", json_string(a->label), &bad);
        if (a->comment)
            set(o, "core:comment", json_string(a->comment), &bad);
        if (isfinite(a->snr_db))
            set(o, "sdrnet:snr_db", json_real(a->snr_db), &bad);
        if (json_array_append_new(annots, o) != 0)
            bad = 1;
    }
    if (bad) {
        json_decref(root);
        return NULL;
    }
    return root;
}

int sn_sigmf_writer_close(sn_sigmf_writer *w)
{
    if (!w)
        return SN_OK;
    int rc = w->io_error ? SN_ERR_IO : SN_OK;
    if (fclose(w->data) != 0 && rc == SN_OK) {
        SN_ERROR(MOD, "%s: close failed: %s", w->data_path, strerror(errno));
        rc = SN_ERR_IO;
    }
    json_t *root = build_meta(w);
    if (!root) {
        SN_ERROR(MOD, "%s: out of memory building the metadata", w->meta_path);
        rc = SN_ERR_NOMEM;
    } else {
        if (json_dump_file(root, w->meta_path, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) != 0) {
            SN_ERROR(MOD, "%s: cannot write", w->meta_path);
            rc = SN_ERR_IO;
        }
        json_decref(root);
    }
    writer_free(w);
    return rc;
}

/* ---------------------------------------------------------------- reader */

static void seterr(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void seterr(char *errbuf, size_t errlen, const char *fmt, ...)
{
    if (!errbuf || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, errlen, fmt, ap);
    va_end(ap);
}

int sn_sigmf_meta_parse(const char *json, size_t len, const char *name, sn_sigmf_meta *out,
                        char *errbuf, size_t errlen)
{
    if (!name)
        name = "sigmf-meta";
    if (!out || (!json && len)) {
        seterr(errbuf, errlen, "%s: bad arguments", name);
        return SN_ERR_INVAL;
    }
    memset(out, 0, sizeof *out);
    out->freq_hz = NAN;
    json_error_t je;
    json_t *root = json_loadb(json ? json : "", len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        seterr(errbuf, errlen, "%s: not valid JSON (line %d: %s)", name, je.line, je.text);
        return SN_ERR_PARSE;
    }
    int rc = SN_ERR_PARSE;
    json_t *global = json_object_get(root, "global");
    if (!json_is_object(root) || !json_is_object(global)) {
        seterr(errbuf, errlen, "%s: no \"global\" object", name);
        goto out;
    }
    json_t *dt = json_object_get(global, "core:datatype");
    if (!json_is_string(dt)) {
        seterr(errbuf, errlen, "%s: core:datatype missing", name);
        goto out;
    }
    if (sn_iq_format_from_sigmf(json_string_value(dt), NULL) != SN_OK) {
        seterr(errbuf, errlen,
               "%s: core:datatype '%.32s' not supported (cf32_le, ci16_le, ci8 or cu8)", name,
               json_string_value(dt));
        rc = SN_ERR_UNSUPP;
        goto out;
    }
    snprintf(out->datatype, sizeof out->datatype, "%s", json_string_value(dt));
    if (!json_is_string(json_object_get(global, "core:version"))) {
        seterr(errbuf, errlen, "%s: core:version missing", name);
        goto out;
    }
    json_t *sr = json_object_get(global, "core:sample_rate");
    double fs = json_is_number(sr) ? json_number_value(sr) : NAN;
    /* 1 S/s .. 1e12 S/s: beyond either end no radio exists, and times
     * computed from sample indices would overflow */
    if (!(fs >= SN_SIGMF_MIN_RATE && fs <= SN_SIGMF_MAX_RATE)) {
        seterr(errbuf, errlen, "%s: core:sample_rate missing or outside %g..%g S/s", name,
               SN_SIGMF_MIN_RATE, SN_SIGMF_MAX_RATE);
        goto out;
    }
    out->sample_rate = fs;
    json_t *caps = json_object_get(root, "captures");
    if (!json_is_array(caps)) {
        seterr(errbuf, errlen, "%s: no \"captures\" array", name);
        goto out;
    }
    json_t *c0 = json_array_get(caps, 0);
    if (c0) {
        json_t *f = json_object_get(c0, "core:frequency");
        if (json_is_number(f) && isfinite(json_number_value(f)))
            out->freq_hz = json_number_value(f);
    }
    json_t *anns = json_object_get(root, "annotations");
    if (!json_is_array(anns)) {
        seterr(errbuf, errlen, "%s: no \"annotations\" array", name);
        goto out;
    }
    for (size_t i = 0; i < json_array_size(anns); i++) {
        json_t *a = json_array_get(anns, i);
        json_t *s = json_object_get(a, "core:sample_start");
        if (!json_is_integer(s) || json_integer_value(s) < 0) {
            seterr(errbuf, errlen, "%s: annotation %zu has no valid core:sample_start", name, i);
            goto out;
        }
    }
    out->annotations = json_array_size(anns);
    rc = SN_OK;
out:
    json_decref(root);
    return rc;
}

struct sn_sigmf_reader {
    sn_iqfile_reader *data; /* the samples, in the meta's datatype */
    sn_sigmf_meta meta;
};

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Read a whole (small) file; NULL with errbuf set on failure. */
static char *slurp(const char *path, size_t *len, char *errbuf, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        seterr(errbuf, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || sb.st_size < 0 || (uint64_t)sb.st_size > META_MAX_BYTES) {
        seterr(errbuf, errlen, "%s: unreadable or larger than %u bytes", path, META_MAX_BYTES);
        fclose(f);
        return NULL;
    }
    size_t n = (size_t)sb.st_size;
    char *buf = malloc(n + 1);
    if (!buf) {
        seterr(errbuf, errlen, "%s: out of memory", path);
        fclose(f);
        return NULL;
    }
    if (fread(buf, 1, n, f) != n) {
        seterr(errbuf, errlen, "%s: read failed", path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

sn_sigmf_reader *sn_sigmf_reader_open(const char *path, char *errbuf, size_t errlen)
{
    seterr(errbuf, errlen, "%s", "");
    if (!path || !*path) {
        seterr(errbuf, errlen, "no recording given");
        return NULL;
    }
    size_t blen = strlen(path);
    if (ends_with(path, ".sigmf-meta") || ends_with(path, ".sigmf-data"))
        blen -= strlen(".sigmf-meta");
    char *base = strndup(path, blen);
    char *meta_path = base ? join(base, ".sigmf-meta") : NULL;
    char *data_path = base ? join(base, ".sigmf-data") : NULL;
    sn_sigmf_reader *r = calloc(1, sizeof *r);
    char *json = NULL;
    if (!base || !meta_path || !data_path || !r) {
        seterr(errbuf, errlen, "%s: out of memory", path);
        goto fail;
    }
    size_t jlen = 0;
    json = slurp(meta_path, &jlen, errbuf, errlen);
    if (!json)
        goto fail;
    if (sn_sigmf_meta_parse(json, jlen, meta_path, &r->meta, errbuf, errlen) != SN_OK)
        goto fail;
    sn_iq_format fmt;
    if (sn_iq_format_from_sigmf(r->meta.datatype, &fmt) != SN_OK) { /* parse checked it */
        seterr(errbuf, errlen, "%s: core:datatype '%s' not supported", meta_path,
               r->meta.datatype);
        goto fail;
    }
    r->data = sn_iqfile_open(data_path, fmt, errbuf, errlen);
    if (!r->data)
        goto fail;
    free(json);
    free(base);
    free(meta_path);
    free(data_path);
    return r;
fail:
    free(json);
    free(base);
    free(meta_path);
    free(data_path);
    sn_sigmf_reader_close(r);
    return NULL;
}

void sn_sigmf_reader_close(sn_sigmf_reader *r)
{
    if (!r)
        return;
    sn_iqfile_close(r->data);
    free(r);
}

double sn_sigmf_reader_sample_rate(const sn_sigmf_reader *r)
{
    return r ? r->meta.sample_rate : NAN;
}

double sn_sigmf_reader_freq(const sn_sigmf_reader *r) { return r ? r->meta.freq_hz : NAN; }

uint64_t sn_sigmf_reader_samples(const sn_sigmf_reader *r)
{
    return r ? sn_iqfile_samples(r->data) : 0;
}

const char *sn_sigmf_reader_datatype(const sn_sigmf_reader *r)
{
    return r ? r->meta.datatype : NULL;
}

size_t sn_sigmf_reader_annotations(const sn_sigmf_reader *r)
{
    return r ? r->meta.annotations : 0;
}

long sn_sigmf_reader_read(sn_sigmf_reader *r, sn_cf32 *out, size_t max)
{
    if (!r || (!out && max))
        return SN_ERR_INVAL;
    return sn_iqfile_read(r->data, out, max);
}
