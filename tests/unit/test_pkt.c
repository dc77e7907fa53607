/* core/pkt: headroom push/pull, tail put/trim, pool accounting and bounds. */
#include "core/err.h"
#include "core/pkt.h"
#include "sn_test.h"

static void test_push_pull_bounds(void)
{
    sn_pktpool *p = sn_pktpool_create(4, 256);
    CHECK(p != NULL);
    sn_pkt *k = sn_pkt_alloc(p, 64);
    CHECK(k != NULL);
    CHECK_EQ_INT(sn_pkt_headroom(k), 64);
    CHECK_EQ_INT(sn_pkt_len(k), 0);
    CHECK_EQ_INT(sn_pkt_tailroom(k), 192);
    CHECK(sn_pkt_append(k, "payload", 7) == SN_OK);
    uint8_t *h = sn_pkt_push(k, 14);
    CHECK(h != NULL && h == sn_pkt_data(k));
    CHECK_EQ_INT(sn_pkt_len(k), 21);
    CHECK_EQ_INT(sn_pkt_headroom(k), 50);
    /* exactly the remaining headroom works, one more byte does not */
    CHECK(sn_pkt_push(k, 51) == NULL);
    CHECK_EQ_INT(sn_pkt_len(k), 21);
    CHECK(sn_pkt_push(k, 50) != NULL);
    CHECK_EQ_INT(sn_pkt_headroom(k), 0);
    CHECK(sn_pkt_push(k, 1) == NULL);
    CHECK(sn_pkt_pull(k, 64) != NULL);
    CHECK(memcmp(sn_pkt_data(k), "payload", 7) == 0);
    CHECK(sn_pkt_pull(k, 8) == NULL); /* only 7 left */
    CHECK_EQ_INT(sn_pkt_len(k), 7);
    /* tail */
    CHECK(sn_pkt_put(k, sn_pkt_tailroom(k) + 1) == NULL);
    CHECK(sn_pkt_put(k, sn_pkt_tailroom(k)) != NULL);
    CHECK_EQ_INT(sn_pkt_tailroom(k), 0);
    CHECK(sn_pkt_append(k, "x", 1) == SN_ERR_NOBUFS);
    CHECK(sn_pkt_trim(k, 3) == SN_OK);
    CHECK_EQ_INT(sn_pkt_len(k), 3);
    CHECK(sn_pkt_trim(k, 4) == SN_ERR_INVAL);
    CHECK(sn_pkt_reset(k, 257) == SN_ERR_INVAL);
    CHECK(sn_pkt_reset(k, 10) == SN_OK);
    CHECK_EQ_INT(sn_pkt_len(k), 0);
    sn_pkt_free(k);
    CHECK_EQ_INT(sn_pktpool_in_use(p), 0);
    sn_pktpool_destroy(p);
}

static void test_pool_exhaustion(void)
{
    sn_pktpool *p = sn_pktpool_create(3, 128);
    sn_pkt *a = sn_pkt_alloc(p, 0), *b = sn_pkt_alloc(p, 0), *c = sn_pkt_alloc(p, 0);
    CHECK(a && b && c);
    CHECK(a->buf != b->buf && b->buf != c->buf);
    CHECK(sn_pkt_alloc(p, 0) == NULL);
    CHECK_EQ_INT(sn_pktpool_failures(p), 1);
    CHECK(sn_pkt_alloc(p, 129) == NULL); /* headroom above size */
    CHECK_EQ_INT(sn_pktpool_in_use(p), 3);
    sn_pkt_free(b);
    sn_pkt *d = sn_pkt_alloc(p, 0);
    CHECK(d != NULL);
    sn_pkt_free(a);
    sn_pkt_free(c);
    sn_pkt_free(d);
    sn_pkt_free(NULL);
    CHECK_EQ_INT(sn_pktpool_in_use(p), 0);
    sn_pktpool_destroy(p);
    sn_pktpool_destroy(NULL);
    CHECK(sn_pktpool_create(0, 10) == NULL);
    CHECK(sn_pktpool_create(10, 0) == NULL);
    CHECK(sn_pktpool_create(SIZE_MAX / 2, 16) == NULL);
}

static void test_meta_and_clone(void)
{
    sn_pktpool *p = sn_pktpool_create(2, 128);
    sn_pkt *a = sn_pkt_alloc(p, 32);
    CHECK(isnan(a->meta.snr_db) && a->meta.ifindex == -1);
    a->meta.snr_db = 19.5f;
    a->meta.time = 12345;
    sn_pkt_append(a, "abc", 3);
    sn_pkt *b = sn_pkt_clone(p, a);
    CHECK(b != NULL);
    CHECK_EQ_INT(sn_pkt_headroom(b), 32);
    CHECK_EQ_INT(sn_pkt_len(b), 3);
    CHECK(memcmp(sn_pkt_data(b), "abc", 3) == 0);
    CHECK(b->meta.snr_db == 19.5f && b->meta.time == 12345);
    CHECK(sn_pkt_clone(p, a) == NULL); /* pool empty */
    sn_pkt_free(a);
    sn_pkt_free(b);
    sn_pktpool_destroy(p);
}

static void test_queue_bound(void)
{
    sn_pktpool *p = sn_pktpool_create(4, 64);
    sn_pktq q;
    sn_pktq_init(&q, 2);
    sn_pkt *a = sn_pkt_alloc(p, 0), *b = sn_pkt_alloc(p, 0), *c = sn_pkt_alloc(p, 0);
    CHECK(sn_pktq_push(&q, a) == SN_OK);
    CHECK(sn_pktq_push(&q, b) == SN_OK);
    CHECK(sn_pktq_push(&q, c) == SN_ERR_NOBUFS);
    CHECK(sn_pktq_pop(&q) == a);
    sn_pkt_free(a);
    sn_pkt_free(c);
    sn_pktq_clear(&q);
    CHECK_EQ_INT(q.count, 0);
    CHECK(sn_pktq_pop(&q) == NULL);
    CHECK_EQ_INT(sn_pktpool_in_use(p), 0);
    sn_pktpool_destroy(p);
}

int main(void)
{
    TEST_RUN(test_push_pull_bounds);
    TEST_RUN(test_pool_exhaustion);
    TEST_RUN(test_meta_and_clone);
    TEST_RUN(test_queue_bound);
    TEST_DONE();
}
