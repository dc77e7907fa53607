/* apps/flowgraph: load a scenario from YAML (the format is in flowgraph.h).
 *
 * Two passes over the text. The event parser first checks the syntax, the
 * nesting depth and refuses aliases, so a hostile file can neither blow up
 * into a huge or cyclic tree nor run any later walk deep. Then libyaml builds
 * the document and we walk it with the schema in hand: every mapping is
 * checked against the keys it may hold, every scalar is converted with a
 * full-consumption check, and every message carries the line of the node at
 * fault. Names that point elsewhere (interface -> medium) and checks that
 * need two sections (app `at` < `duration`) wait until the whole file is
 * read, so the order of the sections does not matter.
 */
#include "apps/flowgraph.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/err.h"

#define FG_MAX_DEPTH 16          /* the schema itself needs 6 levels */
#define FG_MAX_FILE (1u << 20)   /* [bytes] a scenario is a few KiB */
#define SHOW_BUF 56              /* a value quoted in a message */
#define NUM_MAX 64               /* [chars] longest number we try to read */

typedef struct fg_ctx {
    const char *path;
    char *err;
    size_t errlen;
    yaml_document_t *doc;
    sn_flowgraph *fg;
    /* Kept until the whole file is read (the document outlives the walk). */
    yaml_node_t *iface_medium[SN_FG_MAX_NODES][SN_FG_MAX_IFACES];
    yaml_node_t *app_at[SN_FG_MAX_NODES][SN_FG_MAX_APPS];
    unsigned medium_users[SN_FG_MAX_MEDIA]; /* interfaces on each medium */
} fg_ctx;

/* ---- messages ---------------------------------------------------------- */

__attribute__((format(printf, 5, 0)))
static void put_err(char *err, size_t errlen, const char *path, size_t line,
                    const char *fmt, va_list ap)
{
    if (!err || errlen == 0)
        return;
    int n = snprintf(err, errlen, "%s:%zu: ", path, line);
    if (n < 0) {
        err[0] = '\0';
        return;
    }
    if ((size_t)n < errlen)
        vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}

__attribute__((format(printf, 5, 6)))
static int fail_at(char *err, size_t errlen, const char *path, size_t line,
                   const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_err(err, errlen, path, line, fmt, ap);
    va_end(ap);
    return -1;
}

/* Report at the line of node n (libyaml counts from 0, editors from 1). */
__attribute__((format(printf, 3, 4)))
static int fail(fg_ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_err(c->err, c->errlen, c->path, n ? n->start_mark.line + 1 : 1, fmt, ap);
    va_end(ap);
    return -1;
}

/* Bytes as they may appear inside a one-line message: control bytes become
 * '?' (a quoted "\n" must not split the message) and long values are cut
 * with "...". Only the message is shortened; the value itself is either
 * refused or kept whole. */
static const char *show_bytes(const unsigned char *s, size_t len, char *buf)
{
    size_t room = SHOW_BUF - 4, o = 0;
    for (size_t i = 0; i < len && o < room; i++)
        buf[o++] = (s[i] < 0x20 || s[i] == 0x7f) ? '?' : (char)s[i];
    if (len > room) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return buf;
}

static const char *show(const yaml_node_t *n, char *buf)
{
    if (n->type != YAML_SCALAR_NODE) {
        buf[0] = '\0';
        return buf;
    }
    return show_bytes(n->data.scalar.value, n->data.scalar.length, buf);
}

static const char *kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return "scalar";
    case YAML_SEQUENCE_NODE: return "sequence";
    case YAML_MAPPING_NODE: return "mapping";
    default: return "empty node";
    }
}

/* libyaml's own words for a syntax error, at its line. */
static void yaml_fail(const yaml_parser_t *p, const char *path, const char *text,
                      size_t len, char *err, size_t errlen)
{
    const char *problem = p->problem ? p->problem : "unknown problem";
    switch (p->error) {
    case YAML_MEMORY_ERROR:
        fail_at(err, errlen, path, 1, "out of memory while reading YAML");
        return;
    case YAML_READER_ERROR: {
        /* The reader reports a byte offset, not a mark: count the lines. */
        size_t end = p->problem_offset < len ? p->problem_offset : len;
        size_t line = 1;
        for (size_t i = 0; i < end; i++)
            line += text[i] == '\n';
        if (p->problem_value != -1)
            fail_at(err, errlen, path, line, "YAML error: %s (byte 0x%02x)", problem,
                    (unsigned)p->problem_value & 0xffu);
        else
            fail_at(err, errlen, path, line, "YAML error: %s", problem);
        return;
    }
    case YAML_SCANNER_ERROR:
    case YAML_PARSER_ERROR:
    case YAML_COMPOSER_ERROR:
        if (p->context)
            fail_at(err, errlen, path, p->problem_mark.line + 1,
                    "YAML syntax error: %s (%s at line %zu)", problem, p->context,
                    p->context_mark.line + 1);
        else
            fail_at(err, errlen, path, p->problem_mark.line + 1,
                    "YAML syntax error: %s", problem);
        return;
    default:
        fail_at(err, errlen, path, p->problem_mark.line + 1, "YAML error: %s", problem);
        return;
    }
}

/* ---- first pass: events ------------------------------------------------ */

/* Syntax, one document, bounded depth, no aliases. Returns 0 or -1. */
static int prescan(const char *path, const char *text, size_t len, char *err,
                   size_t errlen)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return fail_at(err, errlen, path, 1, "out of memory while reading YAML");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    int depth = 0, docs = 0, rc = 1;
    while (rc > 0) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            yaml_fail(&p, path, text, len, err, errlen);
            rc = -1;
            break;
        }
        size_t line = ev.start_mark.line + 1;
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1)
                rc = fail_at(err, errlen, path, line,
                             "only one YAML document per file (found a second '---')");
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (++depth > FG_MAX_DEPTH)
                rc = fail_at(err, errlen, path, line, "nested deeper than %d levels",
                             FG_MAX_DEPTH);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        case YAML_ALIAS_EVENT:
            /* A flowgraph is small: write values out instead. Refusing
             * aliases also rules out cycles and exponential expansion. */
            rc = fail_at(err, errlen, path, line,
                         "YAML aliases (*name) are not supported: write the value out");
            break;
        case YAML_STREAM_END_EVENT:
            rc = 0;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return rc;
}

/* ---- scalars ----------------------------------------------------------- */

static yaml_node_t *node_at(fg_ctx *c, int idx)
{
    return yaml_document_get_node(c->doc, idx);
}

/* The bytes of a scalar; refuses other kinds and embedded NUL bytes (a
 * double-quoted "\0"), which C strings would silently cut. */
static int scalar(fg_ctx *c, const yaml_node_t *v, const char *key,
                  const char **s, size_t *len)
{
    if (v->type != YAML_SCALAR_NODE)
        return fail(c, v, "'%s' must be a scalar, found a %s", key, kind(v));
    *s = (const char *)v->data.scalar.value;
    *len = v->data.scalar.length;
    if (memchr(*s, '\0', *len))
        return fail(c, v, "'%s' contains a NUL byte", key);
    return 0;
}

static int get_str(fg_ctx *c, const yaml_node_t *v, const char *key, char *dst,
                   size_t cap, int allow_empty)
{
    const char *s = NULL; /* set by scalar() on success */
    size_t len = 0;
    if (scalar(c, v, key, &s, &len))
        return -1;
    if (len == 0 && !allow_empty)
        return fail(c, v, "'%s' is empty", key);
    if (len >= cap)
        return fail(c, v, "'%s' is too long (%zu bytes, at most %zu)", key, len, cap - 1);
    memcpy(dst, s, len);
    dst[len] = '\0';
    return 0;
}

/* A short value handed to another module's parser: -1 (message written)
 * when not a usable scalar, 1 when empty or too long to be valid anyway (the
 * caller words that error), 0 with the text in dst. */
static int get_short(fg_ctx *c, const yaml_node_t *v, const char *key, char *dst,
                     size_t cap)
{
    const char *s = NULL; /* set by scalar() on success */
    size_t len = 0;
    if (scalar(c, v, key, &s, &len))
        return -1;
    if (len == 0 || len >= cap)
        return 1;
    memcpy(dst, s, len);
    dst[len] = '\0';
    return 0;
}

/* Names end up in messages and file names: keep them to a safe alphabet. */
static int get_name(fg_ctx *c, const yaml_node_t *v, const char *key, char *dst,
                    size_t cap)
{
    if (get_str(c, v, key, dst, cap, 0))
        return -1;
    for (const char *p = dst; *p; p++) {
        char ch = *p;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                 (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.';
        if (!ok) {
            char b[SHOW_BUF];
            return fail(c, v, "bad %s '%s' (use letters, digits, '_', '-', '.')", key,
                        show(v, b));
        }
    }
    return 0;
}

static int get_double(fg_ctx *c, const yaml_node_t *v, const char *key, double *out)
{
    const char *s = NULL; /* set by scalar() on success */
    size_t len = 0;
    char b[SHOW_BUF];
    if (scalar(c, v, key, &s, &len))
        return -1;
    /* Decimal only: strtod alone would also take "inf", "nan", hex floats
     * and leading blanks, none of which belongs in a scenario. */
    int ok = len > 0 && len < NUM_MAX;
    for (size_t i = 0; ok && i < len; i++)
        ok = strchr("0123456789+-.eE", s[i]) != NULL;
    if (ok) {
        char *end;
        errno = 0;
        double x = strtod(s, &end);
        if (end == s + len && errno == 0 && isfinite(x)) {
            *out = x;
            return 0;
        }
    }
    return fail(c, v, "bad number '%s' for '%s'", show(v, b), key);
}

static int digits_u64(const char *s, size_t len, uint64_t *out)
{
    if (len == 0 || len > 20)
        return -1;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (end != s + len || errno != 0)
        return -1;
    *out = (uint64_t)x;
    return 0;
}

static int get_u64(fg_ctx *c, const yaml_node_t *v, const char *key, uint64_t *out)
{
    const char *s = NULL; /* set by scalar() on success */
    size_t len = 0;
    char b[SHOW_BUF];
    if (scalar(c, v, key, &s, &len))
        return -1;
    if (digits_u64(s, len, out))
        return fail(c, v, "bad number '%s' for '%s' (expected 0..18446744073709551615)",
                    show(v, b), key);
    return 0;
}

static int get_port(fg_ctx *c, const yaml_node_t *v, const char *key, uint16_t *out)
{
    const char *s = NULL; /* set by scalar() on success */
    size_t len = 0;
    uint64_t x = 0;
    char b[SHOW_BUF];
    if (scalar(c, v, key, &s, &len))
        return -1;
    if (digits_u64(s, len, &x) || x < 1 || x > 65535)
        return fail(c, v, "bad port '%s' for '%s' (expected 1..65535)", show(v, b), key);
    *out = (uint16_t)x;
    return 0;
}

/* "a.b.c.d:port" */
static int get_dest(fg_ctx *c, const yaml_node_t *v, const char *key, sn_ip4 *addr,
                    uint16_t *port)
{
    const char *s = NULL; /* set by scalar() on success */
    size_t len = 0;
    uint64_t x = 0;
    char b[SHOW_BUF];
    if (scalar(c, v, key, &s, &len))
        return -1;
    const char *colon = memchr(s, ':', len);
    char host[16];
    size_t hlen = colon ? (size_t)(colon - s) : 0;
    if (!colon || hlen == 0 || hlen >= sizeof host)
        goto bad;
    memcpy(host, s, hlen);
    host[hlen] = '\0';
    if (sn_ip4_parse(host, addr) != SN_OK)
        goto bad;
    if (digits_u64(colon + 1, len - hlen - 1, &x) || x < 1 || x > 65535)
        goto bad;
    *port = (uint16_t)x;
    return 0;
bad:
    return fail(c, v, "bad destination '%s' for '%s' (expected a.b.c.d:port)",
                show(v, b), key);
}

/* A bare IPv4 address (no prefix, no port). */
static int get_ip(fg_ctx *c, const yaml_node_t *v, const char *key, sn_ip4 *out)
{
    char s[32], b[SHOW_BUF];
    int r = get_short(c, v, key, s, sizeof s);
    if (r < 0)
        return -1;
    if (r > 0 || sn_ip4_parse(s, out) != SN_OK)
        return fail(c, v, "bad IPv4 address '%s' for '%s'", show(v, b), key);
    return 0;
}

/* true/false (also yes/no, on/off). */
static int get_bool(fg_ctx *c, const yaml_node_t *v, const char *key, int *out)
{
    char s[8], b[SHOW_BUF];
    int r = get_short(c, v, key, s, sizeof s);
    if (r < 0)
        return -1;
    if (r == 0 && (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on")))
        *out = 1;
    else if (r == 0 && (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off")))
        *out = 0;
    else
        return fail(c, v, "bad value '%s' for '%s' (expected true or false)", show(v, b), key);
    return 0;
}

/* ---- mappings and sequences -------------------------------------------- */

/* Check that `map` is a mapping whose keys are all in `names` (NULL-ended),
 * none twice, and hand back the value node of each (NULL when absent). */
static int get_fields(fg_ctx *c, const yaml_node_t *map, const char *what,
                      const char *const *names, yaml_node_t **vals)
{
    size_t n = 0;
    while (names[n])
        vals[n++] = NULL;
    if (map->type != YAML_MAPPING_NODE)
        return fail(c, map, "%s must be a mapping, found a %s", what, kind(map));
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node_at(c, p->key), *v = node_at(c, p->value);
        if (!k || !v)
            return fail(c, map, "malformed %s", what);
        if (k->type != YAML_SCALAR_NODE)
            return fail(c, k, "keys in %s must be scalars, found a %s", what, kind(k));
        size_t klen = k->data.scalar.length, i;
        for (i = 0; i < n; i++)
            if (strlen(names[i]) == klen && !memcmp(names[i], k->data.scalar.value, klen))
                break;
        if (i == n) {
            char list[256] = "", b[SHOW_BUF];
            size_t o = 0;
            for (size_t j = 0; j < n && o < sizeof list; j++)
                o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", j ? ", " : "",
                                      names[j]);
            return fail(c, k, "unknown key '%s' in %s (expected %s)", show(k, b), what,
                        list);
        }
        if (vals[i])
            return fail(c, k, "duplicate key '%s' in %s", names[i], what);
        vals[i] = v;
    }
    return 0;
}

static int check_seq(fg_ctx *c, const yaml_node_t *v, const char *key)
{
    if (v->type != YAML_SEQUENCE_NODE)
        return fail(c, v, "'%s' must be a sequence, found a %s", key, kind(v));
    return 0;
}

static size_t seq_len(const yaml_node_t *v)
{
    return (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
}

/* ---- sections ---------------------------------------------------------- */

/* "modulation" is the older name of "rate" (a bare modulation name means
 * its rate-1/2 code, sn_phy_rate_parse) */
static const char *const phy_keys[] = {"rate", "modulation", "sample_rate", "frequency", NULL};
enum { PK_MOD, PK_MOD_OLD, PK_RATE, PK_FREQ, PK_N };

static int parse_phy(fg_ctx *c, const yaml_node_t *n)
{
    sn_flowgraph *fg = c->fg;
    yaml_node_t *v[PK_N];
    char b[SHOW_BUF];
    if (get_fields(c, n, "phy", phy_keys, v))
        return -1;
    if (v[PK_MOD] && v[PK_MOD_OLD])
        return fail(c, v[PK_MOD_OLD], "give either rate or modulation, not both");
    yaml_node_t *mv = v[PK_MOD] ? v[PK_MOD] : v[PK_MOD_OLD];
    if (mv) {
        const char *s = NULL; /* set by scalar() on success */
        size_t len = 0;
        char name[24];
        if (scalar(c, mv, v[PK_MOD] ? "rate" : "modulation", &s, &len))
            return -1;
        if (len >= sizeof name || (memcpy(name, s, len), name[len] = 0,
                                   sn_phy_rate_parse(name, &fg->rate) != SN_OK))
            return fail(c, mv,
                        "unknown rate '%s' (expected bpsk-1/2, bpsk-3/4, qpsk-1/2, qpsk-3/4, "
                        "qam16-1/2, qam16-3/4, qam64-2/3, qam64-3/4)",
                        show(mv, b));
    }
    if (v[PK_RATE]) {
        if (get_double(c, v[PK_RATE], "sample_rate", &fg->sample_rate))
            return -1;
        if (!(fg->sample_rate > 0 && fg->sample_rate <= 1e9))
            return fail(c, v[PK_RATE], "sample_rate %g is out of range (0, 1e9] S/s",
                        fg->sample_rate);
    }
    if (v[PK_FREQ]) {
        if (get_double(c, v[PK_FREQ], "frequency", &fg->freq_hz))
            return -1;
        if (!(fg->freq_hz > 0 && fg->freq_hz <= 100e9))
            return fail(c, v[PK_FREQ], "frequency %g is out of range (0, 100e9] Hz",
                        fg->freq_hz);
    }
    return 0;
}

static const char *const mac_keys[] = {"csma",         "retry_limit", "cw_min", "cw_max",
                                       "rate_control", "rate",        "announce", NULL};
enum { MACK_CSMA, MACK_RETRY, MACK_CWMIN, MACK_CWMAX, MACK_RC, MACK_RATE, MACK_ANN, MACK_N };

static int get_uint(fg_ctx *c, const yaml_node_t *v, const char *key, unsigned lo, unsigned hi,
                    unsigned *out);

static int pow2_minus_1(unsigned v) { return ((v + 1u) & v) == 0; }

static int parse_mac(fg_ctx *c, const yaml_node_t *n)
{
    sn_fg_mac *m = &c->fg->mac;
    yaml_node_t *v[MACK_N];
    char b[SHOW_BUF];
    if (get_fields(c, n, "mac", mac_keys, v))
        return -1;
    if (v[MACK_CSMA] && get_bool(c, v[MACK_CSMA], "csma", &m->csma))
        return -1;
    if (v[MACK_RETRY] && get_uint(c, v[MACK_RETRY], "retry_limit", 0, 255, &m->retry_limit))
        return -1;
    if (v[MACK_CWMIN]) {
        if (get_uint(c, v[MACK_CWMIN], "cw_min", 1, 1023, &m->cw_min))
            return -1;
        if (!pow2_minus_1(m->cw_min))
            return fail(c, v[MACK_CWMIN], "cw_min %u is not a power of two minus one", m->cw_min);
    }
    if (v[MACK_CWMAX]) {
        if (get_uint(c, v[MACK_CWMAX], "cw_max", 1, 65535, &m->cw_max))
            return -1;
        if (!pow2_minus_1(m->cw_max))
            return fail(c, v[MACK_CWMAX], "cw_max %u is not a power of two minus one", m->cw_max);
    }
    if (m->cw_max < m->cw_min)
        return fail(c, v[MACK_CWMAX] ? v[MACK_CWMAX] : v[MACK_CWMIN],
                    "cw_max %u is below cw_min %u", m->cw_max, m->cw_min);
    if (v[MACK_RC] && get_bool(c, v[MACK_RC], "rate_control", &m->rate_control))
        return -1;
    if (v[MACK_RATE]) {
        const char *s = NULL;
        size_t len = 0;
        char name[24];
        sn_phy_rate r;
        if (scalar(c, v[MACK_RATE], "rate", &s, &len))
            return -1;
        if (len >= sizeof name ||
            (memcpy(name, s, len), name[len] = 0, sn_phy_rate_parse(name, &r) != SN_OK))
            return fail(c, v[MACK_RATE], "unknown rate '%s'", show(v[MACK_RATE], b));
        if (m->rate_control && v[MACK_RC])
            return fail(c, v[MACK_RATE], "a fixed rate needs rate_control: false");
        m->rate_control = 0;
        m->fixed_rate = (int)r;
    }
    if (v[MACK_ANN] && get_bool(c, v[MACK_ANN], "announce", &m->announce))
        return -1;
    return 0;
}

static const char *const medium_keys[] = {"name", "type", "snr_db", "cfo_hz", NULL};
enum { MK_NAME, MK_TYPE, MK_SNR, MK_CFO, MK_N };

static int parse_medium(fg_ctx *c, const yaml_node_t *n)
{
    sn_flowgraph *fg = c->fg;
    yaml_node_t *v[MK_N];
    char b[SHOW_BUF];
    if (fg->n_media >= SN_FG_MAX_MEDIA)
        return fail(c, n, "too many media (at most %d)", SN_FG_MAX_MEDIA);
    sn_fg_medium *m = &fg->media[fg->n_media];
    strcpy(m->type, "radio");
    m->snr_db = 20.0;
    m->cfo_hz = 0.0;
    m->line = (int)n->start_mark.line + 1;
    if (get_fields(c, n, "medium", medium_keys, v))
        return -1;
    if (!v[MK_NAME])
        return fail(c, n, "missing key 'name' in medium");
    if (get_name(c, v[MK_NAME], "name", m->name, sizeof m->name))
        return -1;
    for (size_t i = 0; i < fg->n_media; i++)
        if (!strcmp(fg->media[i].name, m->name))
            return fail(c, v[MK_NAME], "duplicate medium name '%s'", m->name);
    if (v[MK_TYPE]) {
        /* Only radio links exist so far; the key is there so files written
         * today keep working when wired media arrive. */
        if (v[MK_TYPE]->type != YAML_SCALAR_NODE ||
            v[MK_TYPE]->data.scalar.length != 5 ||
            memcmp(v[MK_TYPE]->data.scalar.value, "radio", 5))
            return fail(c, v[MK_TYPE], "unknown medium type '%s' (expected radio)",
                        show(v[MK_TYPE], b));
    }
    if (v[MK_SNR]) {
        if (get_double(c, v[MK_SNR], "snr_db", &m->snr_db))
            return -1;
        if (!(m->snr_db >= -50 && m->snr_db <= 100))
            return fail(c, v[MK_SNR], "snr_db %g is out of range [-50, 100] dB", m->snr_db);
    }
    if (v[MK_CFO]) {
        if (get_double(c, v[MK_CFO], "cfo_hz", &m->cfo_hz))
            return -1;
        if (!(fabs(m->cfo_hz) <= 1e9))
            return fail(c, v[MK_CFO], "cfo_hz %g is out of range [-1e9, 1e9] Hz",
                        m->cfo_hz);
    }
    fg->n_media++;
    return 0;
}

static const char *const iface_keys[] = {"name", "medium", "mac", "ipv4", NULL};
enum { IK_NAME, IK_MEDIUM, IK_MAC, IK_IPV4, IK_N };

/* Why an address cannot be an interface's (RFC 1122 3.2.1.3), or NULL. */
static const char *iface_addr_problem(sn_ip4 a, int prefix_len)
{
    if ((a >> 24) == 0)
        return "is in 0.0.0.0/8 ('this network')";
    if ((a >> 24) == 127)
        return "is a loopback address";
    if ((a >> 28) == 14)
        return "is a multicast address";
    if ((a >> 28) == 15)
        return "is reserved (240.0.0.0/4) or the broadcast address";
    sn_ip4 mask = sn_ip4_mask(prefix_len);
    if (prefix_len < 31 && (a & ~mask) == 0)
        return "is its subnet's network address";
    if (prefix_len < 31 && (a & ~mask) == ~mask)
        return "is its subnet's broadcast address";
    return NULL;
}

static int parse_iface(fg_ctx *c, size_t ni, const yaml_node_t *n)
{
    sn_fg_node *nd = &c->fg->nodes[ni];
    yaml_node_t *v[IK_N];
    char b[SHOW_BUF], tmp[SN_FG_NAME_MAX];
    if (nd->n_ifaces >= SN_FG_MAX_IFACES)
        return fail(c, n, "too many interfaces in node '%s' (at most %d)", nd->name,
                    SN_FG_MAX_IFACES);
    size_t k = nd->n_ifaces;
    sn_fg_iface *ifc = &nd->ifaces[k];
    ifc->medium = -1;
    ifc->line = (int)n->start_mark.line + 1;
    if (get_fields(c, n, "interface", iface_keys, v))
        return -1;
    if (v[IK_NAME]) {
        if (get_name(c, v[IK_NAME], "name", ifc->name, sizeof ifc->name))
            return -1;
    } else {
        /* Unnamed interfaces are numbered like radios: rf0, rf1, ... */
        snprintf(ifc->name, sizeof ifc->name, "rf%zu", k);
    }
    for (size_t i = 0; i < k; i++)
        if (!strcmp(nd->ifaces[i].name, ifc->name))
            return fail(c, v[IK_NAME] ? v[IK_NAME] : n,
                        "duplicate interface name '%s' in node '%s'", ifc->name, nd->name);
    if (!v[IK_MEDIUM])
        return fail(c, n, "missing key 'medium' in interface '%s'", ifc->name);
    /* Check the name now; resolve it once every medium is known. */
    if (get_name(c, v[IK_MEDIUM], "medium", tmp, sizeof tmp))
        return -1;
    c->iface_medium[ni][k] = v[IK_MEDIUM];
    if (v[IK_MAC]) {
        char s[32];
        int r = get_short(c, v[IK_MAC], "mac", s, sizeof s);
        if (r < 0)
            return -1;
        if (r > 0 || sn_mac_parse(s, &ifc->mac) != SN_OK)
            return fail(c, v[IK_MAC], "bad MAC address '%s'", show(v[IK_MAC], b));
        /* a station address names one interface: the I/G bit marks group
         * (multicast/broadcast) addresses, which no station may own */
        if (sn_mac_is_multicast(&ifc->mac))
            return fail(c, v[IK_MAC], "MAC address '%s' is a group address (first byte odd): "
                        "an interface needs a unicast address", show(v[IK_MAC], b));
        ifc->has_mac = 1;
    }
    if (v[IK_IPV4]) {
        char s[32];
        int r = get_short(c, v[IK_IPV4], "ipv4", s, sizeof s);
        if (r < 0)
            return -1;
        if (r > 0 || sn_ip4_parse_prefix(s, &ifc->addr, &ifc->prefix_len) != SN_OK)
            return fail(c, v[IK_IPV4], "bad IPv4 prefix '%s'", show(v[IK_IPV4], b));
        const char *why = iface_addr_problem(ifc->addr, ifc->prefix_len);
        if (why)
            return fail(c, v[IK_IPV4], "IPv4 address '%s' %s", show(v[IK_IPV4], b), why);
        ifc->has_ipv4 = 1;
    }
    nd->n_ifaces++;
    return 0;
}

/* An app's start time `at` [s]: not negative; that it falls before the end
 * of the run is checked once the duration is known (resolve). */
static int get_at(fg_ctx *c, size_t ni, yaml_node_t *v, sn_fg_app *a)
{
    if (get_double(c, v, "at", &a->at_s))
        return -1;
    if (!(a->at_s >= 0))
        return fail(c, v, "at %g is negative", a->at_s);
    c->app_at[ni][c->fg->nodes[ni].n_apps] = v;
    return 0;
}

/* An unsigned integer in [lo, hi]. */
static int get_uint(fg_ctx *c, const yaml_node_t *v, const char *key, unsigned lo, unsigned hi,
                    unsigned *out)
{
    uint64_t x = 0;
    if (get_u64(c, v, key, &x))
        return -1;
    if (x < lo || x > hi)
        return fail(c, v, "%s %llu out of range %u..%u", key, (unsigned long long)x, lo, hi);
    *out = (unsigned)x;
    return 0;
}

static const char *const hello_keys[] = {"listen", "send", "to", "from_port", "at", NULL};
enum { HK_LISTEN, HK_SEND, HK_TO, HK_FROM, HK_AT, HK_N };

static int parse_hello(fg_ctx *c, size_t ni, sn_fg_app *a, const yaml_node_t *n)
{
    yaml_node_t *v[HK_N];
    a->type = SN_FG_APP_HELLO;
    if (get_fields(c, n, "hello app", hello_keys, v))
        return -1;
    if (!v[HK_LISTEN] && !v[HK_SEND])
        return fail(c, n, "hello app needs 'listen' or 'send'");
    if (v[HK_LISTEN] && get_port(c, v[HK_LISTEN], "listen", &a->listen_port))
        return -1;
    if (!v[HK_SEND]) {
        static const int only_send[] = {HK_TO, HK_FROM, HK_AT};
        for (size_t i = 0; i < 3; i++)
            if (v[only_send[i]])
                return fail(c, v[only_send[i]], "'%s' is only meaningful with 'send'",
                            hello_keys[only_send[i]]);
        return 0;
    }
    if (get_str(c, v[HK_SEND], "send", a->text, sizeof a->text, 0))
        return -1;
    a->has_send = 1;
    if (!v[HK_TO])
        return fail(c, n, "'send' needs 'to' (a.b.c.d:port)");
    if (get_dest(c, v[HK_TO], "to", &a->to_addr, &a->to_port))
        return -1;
    if (v[HK_FROM] && get_port(c, v[HK_FROM], "from_port", &a->from_port))
        return -1;
    if (v[HK_AT] && get_at(c, ni, v[HK_AT], a))
        return -1;
    return 0;
}

static const char *const ping_keys[] = {"to", "count", "interval", "size", "at", NULL};
enum { PGK_TO, PGK_COUNT, PGK_INTERVAL, PGK_SIZE, PGK_AT, PGK_N };

/* ping: {to: ADDR, count: 3, interval: 1, size: 56, at: 0}, like
 * `ping -c 3 -i 1 -s 56 ADDR` started at `at`. */
static int parse_ping(fg_ctx *c, size_t ni, sn_fg_app *a, const yaml_node_t *n)
{
    yaml_node_t *v[PGK_N];
    a->type = SN_FG_APP_PING;
    a->count = 3;
    a->interval_s = 1.0;
    a->size = 56;
    if (get_fields(c, n, "ping app", ping_keys, v))
        return -1;
    if (!v[PGK_TO])
        return fail(c, n, "ping app needs 'to' (an IPv4 address)");
    if (get_ip(c, v[PGK_TO], "to", &a->to_addr))
        return -1;
    uint64_t x = 0;
    if (v[PGK_COUNT] && get_uint(c, v[PGK_COUNT], "count", 1, 10000, &a->count))
        return -1;
    if (v[PGK_INTERVAL]) {
        if (get_double(c, v[PGK_INTERVAL], "interval", &a->interval_s))
            return -1;
        if (!(a->interval_s >= 0.001 && a->interval_s <= 3600))
            return fail(c, v[PGK_INTERVAL], "interval %g s out of range 0.001..3600",
                        a->interval_s);
    }
    if (v[PGK_SIZE]) {
        if (get_u64(c, v[PGK_SIZE], "size", &x))
            return -1;
        /* an IPv4 datagram allows 65507, but the echo request is built in
         * one of the node's 2048-byte packet buffers (headroom included) */
        if (x > SN_FG_PING_MAX_SIZE)
            return fail(c, v[PGK_SIZE], "size %llu: at most %d bytes for now (the node's "
                        "packet buffers are 2048 bytes)", (unsigned long long)x,
                        SN_FG_PING_MAX_SIZE);
        a->size = (unsigned)x;
    }
    if (v[PGK_AT] && get_at(c, ni, v[PGK_AT], a))
        return -1;
    a->has_send = 1; /* it sends at `at`: checked against the duration */
    return 0;
}

static const char *const trace_keys[] = {"to", "max_hops", "queries", "wait", "at", NULL};
enum { TRK_TO, TRK_MAX, TRK_Q, TRK_WAIT, TRK_AT, TRK_N };

/* traceroute: {to: ADDR, max_hops: 30, queries: 3, wait: 1, at: 0} */
static int parse_traceroute(fg_ctx *c, size_t ni, sn_fg_app *a, const yaml_node_t *n)
{
    yaml_node_t *v[TRK_N];
    a->type = SN_FG_APP_TRACEROUTE;
    a->count = 30;       /* max hops */
    a->queries = 3;
    a->interval_s = 1.0; /* wait per probe */
    if (get_fields(c, n, "traceroute app", trace_keys, v))
        return -1;
    if (!v[TRK_TO])
        return fail(c, n, "traceroute app needs 'to' (an IPv4 address)");
    if (get_ip(c, v[TRK_TO], "to", &a->to_addr))
        return -1;
    if (v[TRK_MAX] && get_uint(c, v[TRK_MAX], "max_hops", 1, 64, &a->count))
        return -1;
    if (v[TRK_Q] && get_uint(c, v[TRK_Q], "queries", 1, 10, &a->queries))
        return -1;
    if (v[TRK_WAIT]) {
        if (get_double(c, v[TRK_WAIT], "wait", &a->interval_s))
            return -1;
        if (!(a->interval_s >= 0.001 && a->interval_s <= 60))
            return fail(c, v[TRK_WAIT], "wait %g s out of range 0.001..60", a->interval_s);
    }
    if (v[TRK_AT] && get_at(c, ni, v[TRK_AT], a))
        return -1;
    a->has_send = 1;
    return 0;
}

static int parse_app(fg_ctx *c, size_t ni, const yaml_node_t *n)
{
    sn_fg_node *nd = &c->fg->nodes[ni];
    char b[SHOW_BUF];
    if (nd->n_apps >= SN_FG_MAX_APPS)
        return fail(c, n, "too many apps in node '%s' (at most %d)", nd->name,
                    SN_FG_MAX_APPS);
    if (n->type != YAML_MAPPING_NODE)
        return fail(c, n, "app must be a mapping, found a %s", kind(n));
    /* An app is one key naming its type, its settings below it. */
    if (n->data.mapping.pairs.top - n->data.mapping.pairs.start != 1)
        return fail(c, n, "an app is a mapping with one key naming its type "
                          "(e.g. 'hello: {listen: 5000}')");
    yaml_node_pair_t *p = n->data.mapping.pairs.start;
    yaml_node_t *k = node_at(c, p->key), *v = node_at(c, p->value);
    if (!k || !v)
        return fail(c, n, "malformed app");
    sn_fg_app *a = &nd->apps[nd->n_apps];
    a->line = (int)n->start_mark.line + 1;
    if (k->type == YAML_SCALAR_NODE && k->data.scalar.length == 5 &&
        !memcmp(k->data.scalar.value, "hello", 5)) {
        if (parse_hello(c, ni, a, v))
            return -1;
    } else if (k->type == YAML_SCALAR_NODE && k->data.scalar.length == 4 &&
               !memcmp(k->data.scalar.value, "ping", 4)) {
        if (parse_ping(c, ni, a, v))
            return -1;
    } else if (k->type == YAML_SCALAR_NODE && k->data.scalar.length == 10 &&
               !memcmp(k->data.scalar.value, "traceroute", 10)) {
        if (parse_traceroute(c, ni, a, v))
            return -1;
    } else {
        return fail(c, k, "unknown app type '%s' (expected hello, ping or traceroute)",
                    show(k, b));
    }
    nd->n_apps++;
    return 0;
}

static const char *const node_keys[] = {"name",       "type",   "ageing", "forwarding",
                                        "routes",     "interfaces", "apps", NULL};
enum { NK_NAME, NK_TYPE, NK_AGEING, NK_FWD, NK_ROUTES, NK_IFACES, NK_APPS, NK_N };

static const char *const route_keys[] = {"to", "via", NULL};
enum { RK_TO, RK_VIA, RK_N };

/* routes: [{to: PREFIX/LEN, via: NEXT_HOP}, ...]; 0.0.0.0/0 is the default. */
static int parse_routes(fg_ctx *c, sn_fg_node *nd, const yaml_node_t *seq)
{
    char b[SHOW_BUF];
    if (check_seq(c, seq, "routes"))
        return -1;
    for (yaml_node_item_t *it = seq->data.sequence.items.start;
         it < seq->data.sequence.items.top; it++) {
        yaml_node_t *rn = node_at(c, *it), *v[RK_N];
        if (!rn)
            return fail(c, seq, "malformed routes");
        if (nd->n_routes >= SN_FG_MAX_ROUTES)
            return fail(c, rn, "too many routes in node '%s' (at most %d)", nd->name,
                        SN_FG_MAX_ROUTES);
        if (get_fields(c, rn, "route", route_keys, v))
            return -1;
        if (!v[RK_TO] || !v[RK_VIA])
            return fail(c, rn, "a route needs 'to' (prefix/len) and 'via' (next hop)");
        sn_fg_route *r = &nd->routes[nd->n_routes];
        r->line = (int)rn->start_mark.line + 1;
        char s[32];
        int k = get_short(c, v[RK_TO], "to", s, sizeof s);
        if (k < 0)
            return -1;
        if (k > 0 || sn_ip4_parse_prefix(s, &r->prefix, &r->prefix_len) != SN_OK)
            return fail(c, v[RK_TO], "bad prefix '%s' (expected a.b.c.d/len)", show(v[RK_TO], b));
        if (r->prefix & ~sn_ip4_mask(r->prefix_len))
            return fail(c, v[RK_TO], "prefix '%s' has host bits set", show(v[RK_TO], b));
        if (get_ip(c, v[RK_VIA], "via", &r->via))
            return -1;
        for (size_t i = 0; i < nd->n_routes; i++)
            if (nd->routes[i].prefix == r->prefix && nd->routes[i].prefix_len == r->prefix_len)
                return fail(c, v[RK_TO], "duplicate route to '%s'", show(v[RK_TO], b));
        nd->n_routes++;
    }
    return 0;
}

/* type: host (default), switch or hub; ageing only for a switch. */
static int parse_node_type(fg_ctx *c, sn_fg_node *nd, yaml_node_t *const *v)
{
    char b[SHOW_BUF];
    nd->type = SN_FG_NODE_HOST;
    nd->ageing_s = 300.0; /* IEEE 802.1D default */
    if (v[NK_TYPE]) {
        char t[16];
        int r = get_short(c, v[NK_TYPE], "type", t, sizeof t);
        if (r < 0)
            return -1;
        if (r == 0 && !strcmp(t, "host"))
            nd->type = SN_FG_NODE_HOST;
        else if (r == 0 && !strcmp(t, "switch"))
            nd->type = SN_FG_NODE_SWITCH;
        else if (r == 0 && !strcmp(t, "hub"))
            nd->type = SN_FG_NODE_HUB;
        else
            return fail(c, v[NK_TYPE], "bad node type '%s' (expected host, switch or hub)",
                        show(v[NK_TYPE], b));
    }
    if (v[NK_AGEING]) {
        if (nd->type != SN_FG_NODE_SWITCH)
            return fail(c, v[NK_AGEING], "'ageing' is for switch nodes only");
        if (get_double(c, v[NK_AGEING], "ageing", &nd->ageing_s))
            return -1;
        /* IEEE 802.1D: 10 s to 1 000 000 s, in whole seconds */
        if (!(nd->ageing_s >= 10.0 && nd->ageing_s <= 1e6) || nd->ageing_s != floor(nd->ageing_s))
            return fail(c, v[NK_AGEING], "ageing %g s: a whole number of seconds from 10 to "
                        "1000000 is needed (IEEE 802.1D)", nd->ageing_s);
    }
    return 0;
}

static int parse_node(fg_ctx *c, const yaml_node_t *n)
{
    sn_flowgraph *fg = c->fg;
    yaml_node_t *v[NK_N];
    if (fg->n_nodes >= SN_FG_MAX_NODES)
        return fail(c, n, "too many nodes (at most %d)", SN_FG_MAX_NODES);
    size_t ni = fg->n_nodes;
    sn_fg_node *nd = &fg->nodes[ni];
    nd->line = (int)n->start_mark.line + 1;
    if (get_fields(c, n, "node", node_keys, v))
        return -1;
    if (!v[NK_NAME])
        return fail(c, n, "missing key 'name' in node");
    if (get_name(c, v[NK_NAME], "name", nd->name, sizeof nd->name))
        return -1;
    for (size_t i = 0; i < ni; i++)
        if (!strcmp(fg->nodes[i].name, nd->name))
            return fail(c, v[NK_NAME], "duplicate node name '%s'", nd->name);
    if (parse_node_type(c, nd, v))
        return -1;
    if (v[NK_FWD] && get_bool(c, v[NK_FWD], "forwarding", &nd->forwarding))
        return -1;
    if (v[NK_ROUTES] && parse_routes(c, nd, v[NK_ROUTES]))
        return -1;
    if (nd->type != SN_FG_NODE_HOST && (v[NK_FWD] || v[NK_ROUTES]))
        return fail(c, v[NK_FWD] ? v[NK_FWD] : v[NK_ROUTES],
                    "node '%s': routing is for hosts and routers, not a switch or hub", nd->name);
    if (v[NK_IFACES]) {
        if (check_seq(c, v[NK_IFACES], "interfaces"))
            return -1;
        for (yaml_node_item_t *it = v[NK_IFACES]->data.sequence.items.start;
             it < v[NK_IFACES]->data.sequence.items.top; it++) {
            yaml_node_t *in = node_at(c, *it);
            if (!in || parse_iface(c, ni, in))
                return in ? -1 : fail(c, v[NK_IFACES], "malformed interfaces");
        }
    }
    if (nd->type != SN_FG_NODE_HOST) {
        /* a switch or hub works below IP: its ports have no address and it
         * runs no application */
        if (v[NK_APPS])
            return fail(c, v[NK_APPS], "node '%s': a %s runs no apps", nd->name,
                        nd->type == SN_FG_NODE_SWITCH ? "switch" : "hub");
        for (size_t k = 0; k < nd->n_ifaces; k++)
            if (nd->ifaces[k].has_ipv4)
                return fail_at(c->err, c->errlen, c->path, (size_t)nd->ifaces[k].line,
                               "node '%s': port '%s': a %s port has no IPv4 address",
                               nd->name, nd->ifaces[k].name,
                               nd->type == SN_FG_NODE_SWITCH ? "switch" : "hub");
    }
    if (v[NK_APPS]) {
        if (check_seq(c, v[NK_APPS], "apps"))
            return -1;
        for (yaml_node_item_t *it = v[NK_APPS]->data.sequence.items.start;
             it < v[NK_APPS]->data.sequence.items.top; it++) {
            yaml_node_t *an = node_at(c, *it);
            if (!an || parse_app(c, ni, an))
                return an ? -1 : fail(c, v[NK_APPS], "malformed apps");
        }
    }
    fg->n_nodes++;
    return 0;
}

static const char *const top_keys[] = {"name", "description", "seed",  "duration",
                                       "phy",  "mac",         "media", "nodes", NULL};
enum { TK_NAME, TK_DESC, TK_SEED, TK_DUR, TK_PHY, TK_MAC, TK_MEDIA, TK_NODES, TK_N };

/* Whatever needs the whole file: medium references and app times. */
static int resolve(fg_ctx *c, const yaml_node_t *dur)
{
    sn_flowgraph *fg = c->fg;
    for (size_t ni = 0; ni < fg->n_nodes; ni++) {
        sn_fg_node *nd = &fg->nodes[ni];
        for (size_t k = 0; k < nd->n_ifaces; k++) {
            sn_fg_iface *ifc = &nd->ifaces[k];
            const yaml_node_t *mv = c->iface_medium[ni][k];
            /* parse_iface checked it is a short NUL-free scalar */
            const char *name = (const char *)mv->data.scalar.value;
            for (size_t m = 0; m < fg->n_media; m++)
                if (!strcmp(fg->media[m].name, name))
                    ifc->medium = (int)m;
            if (ifc->medium < 0)
                return fail_at(c->err, c->errlen, c->path, (size_t)ifc->line,
                               "node '%s': interface '%s': medium '%s' is not defined",
                               nd->name, ifc->name, name);
            if (++c->medium_users[ifc->medium] > SN_FG_MAX_PER_MEDIUM)
                return fail_at(c->err, c->errlen, c->path, (size_t)ifc->line,
                               "node '%s': interface '%s': medium '%s' already has %d "
                               "interfaces, the most one medium takes", nd->name, ifc->name,
                               name, SN_FG_MAX_PER_MEDIUM);
        }
        for (size_t k = 0; k < nd->n_apps; k++) {
            const sn_fg_app *a = &nd->apps[k];
            if (a->has_send && a->at_s >= fg->duration_s)
                return fail(c, c->app_at[ni][k] ? c->app_at[ni][k] : dur,
                            "node '%s': at %g is not before the end of the run "
                            "(duration %g s)", nd->name, a->at_s, fg->duration_s);
        }
    }
    return 0;
}

static int parse_top(fg_ctx *c, const yaml_node_t *root)
{
    sn_flowgraph *fg = c->fg;
    yaml_node_t *v[TK_N];
    if (root->type != YAML_MAPPING_NODE)
        return fail(c, root, "a flowgraph must be a mapping (name:, phy:, media:, nodes:), "
                             "found a %s", kind(root));
    if (get_fields(c, root, "flowgraph", top_keys, v))
        return -1;
    if (v[TK_NAME] && get_name(c, v[TK_NAME], "name", fg->name, sizeof fg->name))
        return -1;
    if (v[TK_DESC] &&
        get_str(c, v[TK_DESC], "description", fg->description, sizeof fg->description, 1))
        return -1;
    if (v[TK_SEED]) {
        if (get_u64(c, v[TK_SEED], "seed", &fg->seed))
            return -1;
        fg->has_seed = 1;
    }
    if (v[TK_DUR]) {
        if (get_double(c, v[TK_DUR], "duration", &fg->duration_s))
            return -1;
        if (!(fg->duration_s > 0 && fg->duration_s <= 86400))
            return fail(c, v[TK_DUR], "duration %g is out of range (0, 86400] s",
                        fg->duration_s);
    }
    if (v[TK_PHY] && parse_phy(c, v[TK_PHY]))
        return -1;
    if (v[TK_MAC] && parse_mac(c, v[TK_MAC]))
        return -1;
    if (v[TK_MEDIA]) {
        if (check_seq(c, v[TK_MEDIA], "media"))
            return -1;
        for (yaml_node_item_t *it = v[TK_MEDIA]->data.sequence.items.start;
             it < v[TK_MEDIA]->data.sequence.items.top; it++) {
            yaml_node_t *mn = node_at(c, *it);
            if (!mn || parse_medium(c, mn))
                return mn ? -1 : fail(c, v[TK_MEDIA], "malformed media");
        }
    }
    if (!v[TK_NODES])
        return fail(c, root, "missing key 'nodes' (a flowgraph needs at least one node)");
    if (check_seq(c, v[TK_NODES], "nodes"))
        return -1;
    if (seq_len(v[TK_NODES]) == 0)
        return fail(c, v[TK_NODES], "'nodes' is empty (a flowgraph needs at least one node)");
    for (yaml_node_item_t *it = v[TK_NODES]->data.sequence.items.start;
         it < v[TK_NODES]->data.sequence.items.top; it++) {
        yaml_node_t *nn = node_at(c, *it);
        if (!nn || parse_node(c, nn))
            return nn ? -1 : fail(c, v[TK_NODES], "malformed nodes");
    }
    return resolve(c, v[TK_DUR] ? v[TK_DUR] : root);
}

/* ---- entry points ------------------------------------------------------ */

sn_flowgraph *sn_flowgraph_parse(const char *text, size_t len, const char *name,
                                 char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!name)
        name = "<input>";
    if (!text) {
        if (len) {
            fail_at(err, errlen, name, 1, "no text");
            return NULL;
        }
        text = "";
    }
    if (strlen(name) >= sizeof ((sn_flowgraph *)0)->path) {
        fail_at(err, errlen, name, 1, "file name too long (at most %zu bytes)",
                sizeof ((sn_flowgraph *)0)->path - 1);
        return NULL;
    }
    if (prescan(name, text, len, err, errlen))
        return NULL;

    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        fail_at(err, errlen, name, 1, "out of memory while reading YAML");
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        /* e.g. a duplicate anchor, which only the composer notices */
        yaml_fail(&parser, name, text, len, err, errlen);
        yaml_parser_delete(&parser);
        return NULL;
    }
    yaml_parser_delete(&parser); /* the document owns its nodes */

    sn_flowgraph *fg = NULL;
    fg_ctx *c = calloc(1, sizeof *c);
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) {
        fail_at(err, errlen, name, 1,
                "empty file (expected a mapping with name, phy, media, nodes)");
        goto out;
    }
    fg = calloc(1, sizeof *fg);
    if (!c || !fg) {
        fail_at(err, errlen, name, 1, "out of memory");
        goto out_free;
    }
    strcpy(fg->path, name); /* length checked above */
    fg->duration_s = 1.0;
    fg->rate = SN_RATE_QPSK_12;
    fg->sample_rate = 1e6;
    fg->freq_hz = 433.92e6;
    fg->mac.csma = 1;
    fg->mac.retry_limit = 7;
    fg->mac.cw_min = 15;
    fg->mac.cw_max = 1023;
    fg->mac.rate_control = 1;
    fg->mac.fixed_rate = -1;
    fg->mac.announce = 1;
    c->path = name;
    c->err = err;
    c->errlen = errlen;
    c->doc = &doc;
    c->fg = fg;
    if (parse_top(c, root) == 0)
        goto out;
out_free:
    sn_flowgraph_free(fg);
    fg = NULL;
out:
    free(c);
    yaml_document_delete(&doc);
    return fg;
}

sn_flowgraph *sn_flowgraph_load(const char *path, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!path) {
        fail_at(err, errlen, "<null>", 1, "no file name");
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail_at(err, errlen, path, 1, "cannot open: %s", strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    sn_flowgraph *fg = NULL;
    if (!buf) {
        fail_at(err, errlen, path, 1, "out of memory");
        goto out;
    }
    for (;;) {
        if (n == cap) {
            if (cap > FG_MAX_FILE) {
                fail_at(err, errlen, path, 1, "file too large (more than %u bytes)",
                        FG_MAX_FILE);
                goto out;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                fail_at(err, errlen, path, 1, "out of memory");
                goto out;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        fail_at(err, errlen, path, 1, "read error: %s", strerror(errno));
        goto out;
    }
    if (n > FG_MAX_FILE) {
        fail_at(err, errlen, path, 1, "file too large (more than %u bytes)", FG_MAX_FILE);
        goto out;
    }
    fg = sn_flowgraph_parse(buf, n, path, err, errlen);
out:
    free(buf);
    fclose(f);
    return fg;
}

void sn_flowgraph_free(sn_flowgraph *fg)
{
    free(fg);
}
