/* The soapy radio's receive ring (phy/iq_ring) and open errors. */
#include <pthread.h>
#include <time.h>

#include "core/err.h"
#include "phy/iq_ring.h"
#include "phy/radio.h"
#include "sn_test.h"

static void test_ring_wraps(void)
{
    sn_iq_ring *r = sn_iq_ring_create(4, 16);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_EQ_INT(sn_iq_ring_block_len(r), 16);
    CHECK_EQ_INT(sn_iq_ring_capacity(r), 4);
    CHECK(sn_iq_ring_read_begin(r) == NULL);
    /* 3 in, 2 out, many times: the indices wrap around the 4 slots */
    uint64_t w = 0, rd = 0;
    for (int round = 0; round < 50; round++) {
        while (w - rd < 3) {
            sn_iq_block *b = sn_iq_ring_write_begin(r);
            CHECK(b != NULL);
            if (!b)
                return;
            b->n = 1 + (size_t)(w % 16);
            b->sample_start = w * 100;
            for (size_t k = 0; k < b->n; k++)
                b->iq[k] = sn_cf32_make((float)w, (float)k);
            sn_iq_ring_write_commit(r);
            w++;
        }
        for (int k = 0; k < 2; k++) {
            const sn_iq_block *b = sn_iq_ring_read_begin(r);
            CHECK(b != NULL);
            if (!b)
                return;
            CHECK_EQ_INT(b->sample_start, rd * 100);
            CHECK_EQ_INT(b->n, 1 + rd % 16);
            CHECK(crealf(b->iq[b->n - 1]) == (float)rd && cimagf(b->iq[b->n - 1]) == (float)(b->n - 1));
            sn_iq_ring_read_commit(r);
            rd++;
        }
    }
    CHECK_EQ_INT(sn_iq_ring_full_count(r), 0);
    sn_iq_ring_destroy(r);
    sn_iq_ring_destroy(NULL);
}

static void test_ring_full_counts(void)
{
    sn_iq_ring *r = sn_iq_ring_create(3, 8);
    CHECK(r != NULL);
    if (!r)
        return;
    for (int i = 0; i < 3; i++) {
        sn_iq_block *b = sn_iq_ring_write_begin(r);
        CHECK(b != NULL);
        if (!b)
            return;
        b->n = 8;
        b->sample_start = (uint64_t)i * 8;
        sn_iq_ring_write_commit(r);
    }
    CHECK_EQ_INT(sn_iq_ring_used(r), 3);
    CHECK(sn_iq_ring_write_begin(r) == NULL);
    CHECK(sn_iq_ring_write_begin(r) == NULL);
    CHECK_EQ_INT(sn_iq_ring_full_count(r), 2);
    const sn_iq_block *b = sn_iq_ring_read_begin(r);
    CHECK(b && b->sample_start == 0);
    sn_iq_ring_read_commit(r);
    CHECK(sn_iq_ring_write_begin(r) != NULL); /* room again */
    CHECK_EQ_INT(sn_iq_ring_full_count(r), 2);
    CHECK(sn_iq_ring_create(1, 8) == NULL);
    CHECK(sn_iq_ring_create(4, 0) == NULL);
    sn_iq_ring_destroy(r);
}

/* A producer thread and this consumer: every block arrives once, in
 * order, or was refused (and counted) at the producer. */
#define PROD_BLOCKS 200000
static void *producer(void *arg)
{
    sn_iq_ring *r = arg;
    uint64_t next = 0;
    for (int i = 0; i < PROD_BLOCKS; i++) {
        sn_iq_block *b = sn_iq_ring_write_begin(r);
        if (b) {
            b->n = 1;
            b->sample_start = next;
            b->iq[0] = sn_cf32_make((float)(next & 0xffff), 0);
            sn_iq_ring_write_commit(r);
        }
        next++;
    }
    return NULL;
}

static void test_ring_threads(void)
{
    sn_iq_ring *r = sn_iq_ring_create(64, 4);
    CHECK(r != NULL);
    if (!r)
        return;
    pthread_t t;
    CHECK(pthread_create(&t, NULL, producer, r) == 0);
    uint64_t got = 0, last = 0, bad = 0;
    int first = 1;
    for (;;) {
        const sn_iq_block *b = sn_iq_ring_read_begin(r);
        if (!b) {
            if (got + sn_iq_ring_full_count(r) == PROD_BLOCKS)
                break;
            continue;
        }
        if ((!first && b->sample_start <= last) ||
            crealf(b->iq[0]) != (float)(b->sample_start & 0xffff))
            bad++;
        first = 0;
        last = b->sample_start;
        got++;
        sn_iq_ring_read_commit(r);
    }
    pthread_join(t, NULL);
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(got + sn_iq_ring_full_count(r), PROD_BLOCKS);
    printf("     threads: %llu blocks through, %llu refused (ring full)\n",
           (unsigned long long)got, (unsigned long long)sn_iq_ring_full_count(r));
    sn_iq_ring_destroy(r);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void test_open_no_device(void)
{
    char err[512] = "";
    double t0 = now_s();
    sn_radio *r = sn_radio_open("soapy:driver=sdrnet_no_such_radio,serial=42", NULL, NULL, err,
                                sizeof err);
    double dt = now_s() - t0;
    CHECK(r == NULL);
    CHECK(strstr(err, "driver=sdrnet_no_such_radio") != NULL);
    CHECK(dt < 5.0);
    printf("     %s (%.3f s)\n", err, dt);
#ifdef SDRNET_HAVE_SOAPY
    r = sn_radio_open("soapy:driver=sdrnet_no_such_radio,ring_ms=0", NULL, NULL, err, sizeof err);
    CHECK(r == NULL);
    CHECK(strstr(err, "ring_ms") != NULL);
#else
    CHECK(strstr(err, "without SoapySDR") != NULL);
#endif
    sn_radio_destroy(NULL);
}

int main(void)
{
    TEST_RUN(test_ring_wraps);
    TEST_RUN(test_ring_full_counts);
    TEST_RUN(test_ring_threads);
    TEST_RUN(test_open_no_device);
    TEST_DONE();
}
