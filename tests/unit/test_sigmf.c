/* phy/sigmf: round trip bit-exact, the meta file's keys, reader errors. */
#include <complex.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "phy/sigmf.h"
#include "sn_test.h"

static void path_for(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", sn_test_tmpdir(), name);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
}

static void write_bytes(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(fwrite(b, 1, n, f) == n);
    fclose(f);
}

static int one_line(const char *s) { return s[0] && !strchr(s, '\n'); }

enum { N = 5000 };

/* A recording with no annotation at all (a medium nobody used) closes and
 * reads back cleanly. */
static void test_no_annotations(void)
{
    char base[512];
    path_for(base, sizeof base, "sigmf_empty");
    sn_sigmf_writer *w = sn_sigmf_writer_open(base, 1e6, 915e6, "nothing happened");
    CHECK(w != NULL);
    CHECK_EQ_INT(sn_sigmf_writer_close(w), SN_OK);
    char err[256];
    sn_sigmf_reader *r = sn_sigmf_reader_open(base, err, sizeof err);
    CHECK(r != NULL);
    CHECK_EQ_INT(sn_sigmf_reader_samples(r), 0);
    CHECK_EQ_INT(sn_sigmf_reader_annotations(r), 0);
    sn_sigmf_reader_close(r);
}

static void test_round_trip(void)
{
    char base[512], p[600];
    path_for(base, sizeof base, "sigmf_rt");
    sn_sigmf_writer *w = sn_sigmf_writer_open(base, 2e6, 915e6, "round trip test");
    CHECK(w != NULL);
    if (!w)
        return;
    static sn_cf32 x[N], y[N];
    for (int i = 0; i < N; i++)
        x[i] = sn_cf32_make((float)sin(i * 0.01) * 0.7f, (float)i * 1e-3f - 2.0f);
    x[0] = sn_cf32_make(-0.0f, 1e-40f);     /* negative zero, subnormal */
    x[1] = sn_cf32_make(NAN, -INFINITY);    /* kept bit for bit */
    x[2] = sn_cf32_make(3.4e38f, -1.0f);
    uint64_t first = 99;
    CHECK_EQ_INT(sn_sigmf_writer_write(w, x, 1000, &first), SN_OK);
    CHECK_EQ_INT(first, 0);
    CHECK_EQ_INT(sn_sigmf_writer_write(w, x + 1000, 3000, &first), SN_OK);
    CHECK_EQ_INT(first, 1000);
    CHECK_EQ_INT(sn_sigmf_writer_write(w, x + 4000, 1000, NULL), SN_OK);
    CHECK_EQ_INT(sn_sigmf_writer_samples(w), N);
    /* added out of order: written sorted */
    CHECK_EQ_INT(sn_sigmf_writer_annotate(w, 3000, 500, "frame", "second", 18.5), SN_OK);
    CHECK_EQ_INT(sn_sigmf_writer_annotate(w, 100, 700, "frame", "first", 20.25), SN_OK);
    CHECK_EQ_INT(sn_sigmf_writer_annotate(w, 4000, 10, "noise", NULL, NAN), SN_OK);
    CHECK_EQ_INT(sn_sigmf_writer_close(w), SN_OK);
    CHECK_EQ_INT(sn_sigmf_writer_close(NULL), SN_OK);

    /* the meta file, read with jansson */
    snprintf(p, sizeof p, "%s.sigmf-meta", base);
    json_error_t je;
    json_t *root = json_load_file(p, 0, &je);
    CHECK(root != NULL);
    if (root) {
        json_t *g = json_object_get(root, "global");
        CHECK(json_is_object(g));
        CHECK(!strcmp(json_string_value(json_object_get(g, "core:datatype")), "cf32_le"));
        CHECK(json_number_value(json_object_get(g, "core:sample_rate")) == 2e6);
        CHECK(!strcmp(json_string_value(json_object_get(g, "core:version")), "1.0.0"));
        CHECK(!strcmp(json_string_value(json_object_get(g, "core:recorder")), "sdrnet"));
        CHECK(!strcmp(json_string_value(json_object_get(g, "core:description")),
                      "round trip test"));
        json_t *ext = json_array_get(json_object_get(g, "core:extensions"), 0);
        CHECK(ext && !strcmp(json_string_value(json_object_get(ext, "name")), "sdrnet"));
        CHECK(json_is_string(json_object_get(ext, "version")));
        CHECK(json_is_true(json_object_get(ext, "optional")));
        json_t *caps = json_object_get(root, "captures");
        CHECK_EQ_INT(json_array_size(caps), 1);
        json_t *c0 = json_array_get(caps, 0);
        CHECK_EQ_INT(json_integer_value(json_object_get(c0, "core:sample_start")), 0);
        CHECK(json_number_value(json_object_get(c0, "core:frequency")) == 915e6);
        json_t *an = json_object_get(root, "annotations");
        CHECK_EQ_INT(json_array_size(an), 3);
        const long long starts[3] = {100, 3000, 4000};
        const long long counts[3] = {700, 500, 10};
        for (size_t i = 0; i < 3; i++) {
            json_t *a = json_array_get(an, i);
            CHECK_EQ_INT(json_integer_value(json_object_get(a, "core:sample_start")), starts[i]);
            CHECK_EQ_INT(json_integer_value(json_object_get(a, "core:sample_count")), counts[i]);
            CHECK(json_is_string(json_object_get(a, "core:label")));
        }
        json_t *a0 = json_array_get(an, 0);
        CHECK(!strcmp(json_string_value(json_object_get(a0, "core:comment")), "first"));
        CHECK(json_number_value(json_object_get(a0, "sdrnet:snr_db")) == 20.25);
        json_t *a2 = json_array_get(an, 2);
        CHECK(json_object_get(a2, "sdrnet:snr_db") == NULL);
        CHECK(json_object_get(a2, "core:comment") == NULL);
        json_decref(root);
    }

    /* read back, by each of the three names */
    const char *suffix[3] = {"", ".sigmf-meta", ".sigmf-data"};
    for (int k = 0; k < 3; k++) {
        char err[256];
        snprintf(p, sizeof p, "%s%s", base, suffix[k]);
        sn_sigmf_reader *r = sn_sigmf_reader_open(p, err, sizeof err);
        CHECK(r != NULL);
        if (!r) {
            fprintf(stderr, "%s\n", err);
            continue;
        }
        CHECK(sn_sigmf_reader_sample_rate(r) == 2e6);
        CHECK(sn_sigmf_reader_freq(r) == 915e6);
        CHECK_EQ_INT(sn_sigmf_reader_samples(r), N);
        CHECK_EQ_INT(sn_sigmf_reader_annotations(r), 3);
        memset(y, 0x55, sizeof y);
        CHECK_EQ_INT(sn_sigmf_reader_read(r, y, 1234), 1234);
        CHECK_EQ_INT(sn_sigmf_reader_read(r, y + 1234, N), N - 1234);
        CHECK_EQ_INT(sn_sigmf_reader_read(r, y, 10), 0);
        CHECK_MEM(x, y, sizeof x);
        sn_sigmf_reader_close(r);
    }
    sn_sigmf_reader_close(NULL);
}

static const char *good_meta =
    "{\"global\":{\"core:datatype\":\"cf32_le\",\"core:sample_rate\":1000000,"
    "\"core:version\":\"1.0.0\"},\"captures\":[{\"core:sample_start\":0}],"
    "\"annotations\":[]}";

static void expect_error(const char *base, const char *want)
{
    char err[512];
    strcpy(err, "untouched");
    sn_sigmf_reader *r = sn_sigmf_reader_open(base, err, sizeof err);
    CHECK(r == NULL);
    sn_sigmf_reader_close(r);
    CHECK(one_line(err));
    if (!strstr(err, want)) {
        fprintf(stderr, "error '%s' lacks '%s'\n", err, want);
        CHECK(strstr(err, want) != NULL);
    }
}

static void test_errors(void)
{
    char base[512], meta[600], data[600];
    path_for(base, sizeof base, "sigmf_bad");
    snprintf(meta, sizeof meta, "%s.sigmf-meta", base);
    snprintf(data, sizeof data, "%s.sigmf-data", base);
    remove(meta);
    remove(data);
    uint8_t zeros[64] = {0};

    /* missing meta, then missing data */
    expect_error(base, ".sigmf-meta: cannot open");
    write_text(meta, good_meta);
    expect_error(base, ".sigmf-data: cannot open");

    /* good, to be sure the rest fails for the reason given */
    write_bytes(data, zeros, 64);
    char err[256];
    sn_sigmf_reader *r = sn_sigmf_reader_open(base, err, sizeof err);
    CHECK(r != NULL);
    if (r) {
        CHECK_EQ_INT(sn_sigmf_reader_samples(r), 8);
        CHECK(isnan(sn_sigmf_reader_freq(r)));
    }
    sn_sigmf_reader_close(r);

    /* data not a whole number of samples */
    write_bytes(data, zeros, 63);
    expect_error(base, "size 63 bytes is not a whole number of cf32_le samples");
    write_bytes(data, zeros, 64);

    /* datatype */
    write_text(meta, "{\"global\":{\"core:datatype\":\"ri16\",\"core:sample_rate\":1e6,"
                     "\"core:version\":\"1.0.0\"},\"captures\":[],\"annotations\":[]}");
    expect_error(base, ".sigmf-meta: core:datatype 'ri16' not supported");
    /* not JSON */
    write_text(meta, "{\"global\": {\"core:datatype\": \"cf32_le\",");
    expect_error(base, ".sigmf-meta: not valid JSON");
    write_text(meta, "");
    expect_error(base, "not valid JSON");
    /* sample rate */
    write_text(meta, "{\"global\":{\"core:datatype\":\"cf32_le\",\"core:sample_rate\":0,"
                     "\"core:version\":\"1.0.0\"},\"captures\":[],\"annotations\":[]}");
    expect_error(base, "core:sample_rate missing or outside");
    /* absurd rates: times computed from them would overflow */
    write_text(meta, "{\"global\":{\"core:datatype\":\"cf32_le\",\"core:sample_rate\":1e-12,"
                     "\"core:version\":\"1.0.0\"},\"captures\":[],\"annotations\":[]}");
    expect_error(base, "core:sample_rate missing or outside");
    write_text(meta, "{\"global\":{\"core:datatype\":\"cf32_le\",\"core:sample_rate\":1e300,"
                     "\"core:version\":\"1.0.0\"},\"captures\":[],\"annotations\":[]}");
    expect_error(base, "core:sample_rate missing or outside");
    write_text(meta, "{\"global\":{\"core:datatype\":\"cf32_le\","
                     "\"core:version\":\"1.0.0\"},\"captures\":[],\"annotations\":[]}");
    expect_error(base, "core:sample_rate");
    /* structure */
    write_text(meta, "[1,2,3]");
    expect_error(base, "no \"global\" object");
    write_text(meta, "{\"global\":{\"core:datatype\":\"cf32_le\",\"core:sample_rate\":1e6,"
                     "\"core:version\":\"1.0.0\"},\"annotations\":[]}");
    expect_error(base, "no \"captures\" array");
    write_text(meta, "{\"global\":{\"core:datatype\":\"cf32_le\",\"core:sample_rate\":1e6,"
                     "\"core:version\":\"1.0.0\"},\"captures\":[],"
                     "\"annotations\":[{\"core:sample_start\":-5}]}");
    expect_error(base, "annotation 0 has no valid core:sample_start");
    write_text(meta, "{\"global\":{\"core:datatype\":\"cf32_le\",\"core:sample_rate\":1e6},"
                     "\"captures\":[],\"annotations\":[]}");
    expect_error(base, "core:version missing");
    expect_error("", "no recording");

    /* the in-memory parser, as the fuzz target uses it */
    sn_sigmf_meta mt;
    CHECK_EQ_INT(sn_sigmf_meta_parse(good_meta, strlen(good_meta), "m", &mt, err, sizeof err),
                 SN_OK);
    CHECK(mt.sample_rate == 1e6 && !strcmp(mt.datatype, "cf32_le"));
    CHECK(sn_sigmf_meta_parse(good_meta, 10, "m", &mt, err, sizeof err) == SN_ERR_PARSE);
    CHECK(sn_sigmf_meta_parse(NULL, 0, "m", &mt, err, sizeof err) == SN_ERR_PARSE);
    /* the writer refuses what it cannot do */
    CHECK(sn_sigmf_writer_open(base, 0, 0, NULL) == NULL);
    char nodir[600];
    snprintf(nodir, sizeof nodir, "%s/no/such/dir/x", sn_test_tmpdir());
    CHECK(sn_sigmf_writer_open(nodir, 1e6, 0, NULL) == NULL);
}

/* SigMF recordings of integer samples (what HackRF, RTL-SDR and Pluto
 * tools write): known bytes -> known full-scale samples. */
static void read_datatype(const char *dt, const uint8_t *bytes, size_t nbytes,
                          const float *want, size_t nwant)
{
    char base[512], meta[600], data[600], text[400], err[256];
    path_for(base, sizeof base, "sigmf_dt");
    snprintf(meta, sizeof meta, "%s.sigmf-meta", base);
    snprintf(data, sizeof data, "%s.sigmf-data", base);
    snprintf(text, sizeof text,
             "{\"global\":{\"core:datatype\":\"%s\",\"core:sample_rate\":2.4e6,"
             "\"core:version\":\"1.0.0\"},\"captures\":[{\"core:sample_start\":0,"
             "\"core:frequency\":1e8}],\"annotations\":[]}",
             dt);
    write_text(meta, text);
    write_bytes(data, bytes, nbytes);
    sn_sigmf_reader *r = sn_sigmf_reader_open(base, err, sizeof err);
    CHECK(r != NULL);
    if (!r) {
        fprintf(stderr, "%s: %s\n", dt, err);
        return;
    }
    CHECK(!strcmp(sn_sigmf_reader_datatype(r), dt));
    CHECK(sn_sigmf_reader_sample_rate(r) == 2.4e6);
    CHECK_EQ_INT(sn_sigmf_reader_samples(r), nwant / 2);
    sn_cf32 y[8];
    CHECK_EQ_INT(sn_sigmf_reader_read(r, y, 8), nwant / 2);
    for (size_t i = 0; i < nwant / 2; i++) {
        CHECK(crealf(y[i]) == want[2 * i]);
        CHECK(cimagf(y[i]) == want[2 * i + 1]);
    }
    sn_sigmf_reader_close(r);
}

static void test_integer_datatypes(void)
{
    const uint8_t ci8[] = {0x80, 0x7f, 0x00, 0x40, 0xff, 0xc0};
    const float ci8_want[] = {-1.0f, 127.0f / 128, 0.0f, 0.5f, -1.0f / 128, -0.5f};
    read_datatype("ci8", ci8, sizeof ci8, ci8_want, 6);
    read_datatype("ci8_le", ci8, sizeof ci8, ci8_want, 6);

    const uint8_t cu8[] = {0, 255, 127, 128};
    const float cu8_want[] = {-1.0f, 1.0f, -0.5f / 127.5f, 0.5f / 127.5f};
    read_datatype("cu8", cu8, sizeof cu8, cu8_want, 4);

    const uint8_t ci16[] = {0x00, 0x80, 0xff, 0x7f, 0x00, 0x40, 0xff, 0xff};
    const float ci16_want[] = {-1.0f, 32767.0f / 32768, 0.5f, -1.0f / 32768};
    read_datatype("ci16_le", ci16, sizeof ci16, ci16_want, 4);

    /* a ci16 data file of an odd size is refused, naming the datatype */
    char base[512], data[600];
    path_for(base, sizeof base, "sigmf_dt");
    snprintf(data, sizeof data, "%s.sigmf-data", base);
    write_bytes(data, ci16, 6);
    expect_error(base, "size 6 bytes is not a whole number of ci16_le samples (4 bytes each)");
    /* others are still refused, with the list of what is accepted */
    const char *bad[] = {"ci16_be", "cf64_le", "ri8", "cu16_le", "cf32_be"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char meta[600], text[300], want[100];
        snprintf(meta, sizeof meta, "%s.sigmf-meta", base);
        snprintf(text, sizeof text,
                 "{\"global\":{\"core:datatype\":\"%s\",\"core:sample_rate\":1e6,"
                 "\"core:version\":\"1.0.0\"},\"captures\":[],\"annotations\":[]}",
                 bad[i]);
        write_text(meta, text);
        snprintf(want, sizeof want, "core:datatype '%s' not supported (cf32_le, ci16_le, ci8",
                 bad[i]);
        expect_error(base, want);
    }
}

int main(void)
{
    TEST_RUN(test_no_annotations);
    TEST_RUN(test_round_trip);
    TEST_RUN(test_errors);
    TEST_RUN(test_integer_datatypes);
    TEST_DONE();
}
