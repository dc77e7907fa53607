/* core/sched: virtual time ordering, ties, cancel, bounded runs;
 * core/rng: determinism and distribution sanity. */
#include "core/err.h"
#include "core/rng.h"
#include "core/sched.h"
#include "sn_test.h"

static char order[64];
static size_t norder;
static sn_time_t seen[64];

static void mark(void *user, sn_time_t now)
{
    seen[norder] = now;
    order[norder++] = *(const char *)user;
}

static void test_order_and_ties(void)
{
    sn_sched *s = sn_sched_create();
    norder = 0;
    sn_sched_at(s, 300, mark, "c");
    sn_sched_at(s, 100, mark, "a");
    sn_sched_at(s, 200, mark, "b");
    sn_sched_at(s, 200, mark, "B"); /* same time: after "b" */
    CHECK_EQ_INT(sn_sched_next(s), 100);
    CHECK_EQ_INT(sn_sched_run(s, 250, 0), 3);
    CHECK_EQ_INT(sn_sched_now(s), 250);
    CHECK_EQ_INT(sn_sched_run(s, SN_TIME_NEVER, 0), 1);
    order[norder] = 0;
    CHECK(strcmp(order, "abBc") == 0);
    CHECK_EQ_INT(seen[0], 100);
    CHECK_EQ_INT(seen[3], 300);
    CHECK_EQ_INT(sn_sched_now(s), 300);
    sn_sched_destroy(s);
}

static void test_cancel_and_past(void)
{
    sn_sched *s = sn_sched_create();
    norder = 0;
    sn_timer_id x = sn_sched_at(s, 10, mark, "x");
    sn_timer_id y = sn_sched_at(s, 20, mark, "y");
    CHECK(x != 0 && y != 0 && x != y);
    CHECK(sn_sched_cancel(s, x) == SN_OK);
    CHECK(sn_sched_cancel(s, x) == SN_ERR_NOENT);
    CHECK(sn_sched_cancel(s, 0) == SN_ERR_NOENT);
    sn_sched_run(s, 1000, 0);
    CHECK_EQ_INT(norder, 1);
    CHECK(order[0] == 'y');
    /* the past runs now, never earlier */
    sn_sched_at(s, 5, mark, "p");
    sn_sched_run(s, SN_TIME_NEVER, 0);
    CHECK_EQ_INT(seen[1], 1000);
    sn_sched_destroy(s);
    sn_sched_destroy(NULL);
}

static sn_sched *loop_s;
static void forever(void *user, sn_time_t now)
{
    (void)user;
    sn_sched_at(loop_s, now + 1, forever, NULL);
}

static void test_event_bound(void)
{
    /* a component that reschedules itself forever is stopped by the bound */
    loop_s = sn_sched_create();
    sn_sched_at(loop_s, 0, forever, NULL);
    CHECK_EQ_INT(sn_sched_run(loop_s, SN_TIME_NEVER, 1000), 1000);
    CHECK_EQ_INT(sn_sched_pending(loop_s), 1);
    /* two hours of virtual time in one call, with nothing in between */
    sn_sched *s = sn_sched_create();
    norder = 0;
    sn_sched_at(s, 2 * 3600 * SN_NS_PER_S + 4 * 60 * SN_NS_PER_S, mark, "t");
    sn_sched_run(s, SN_TIME_NEVER, 0);
    CHECK_EQ_INT(seen[0], 7440 * SN_NS_PER_S);
    sn_sched_destroy(s);
    sn_sched_destroy(loop_s);
}

static void test_rng(void)
{
    sn_rng a, b, c;
    sn_rng_seed(&a, 42);
    sn_rng_seed(&b, 42);
    sn_rng_seed(&c, 43);
    int same = 1, diff = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t x = sn_rng_u64(&a), y = sn_rng_u64(&b), z = sn_rng_u64(&c);
        same &= x == y;
        diff |= x != z;
    }
    CHECK(same && diff);
    double sum = 0, sum2 = 0;
    int n = 200000;
    for (int i = 0; i < n; i++) {
        double g = sn_rng_gauss(&a);
        sum += g;
        sum2 += g * g;
    }
    CHECK_NEAR(sum / n, 0.0, 0.01);
    CHECK_NEAR(sum2 / n, 1.0, 0.02);
    for (int i = 0; i < 1000; i++) {
        CHECK(sn_rng_below(&a, 7) < 7);
        double u = sn_rng_uniform(&a);
        CHECK(u >= 0 && u < 1);
    }
    sn_rng s1, s2;
    sn_rng_seed_stream(&s1, 1, 0);
    sn_rng_seed_stream(&s2, 1, 1);
    CHECK(sn_rng_u64(&s1) != sn_rng_u64(&s2));
}

int main(void)
{
    TEST_RUN(test_order_and_ties);
    TEST_RUN(test_cancel_and_past);
    TEST_RUN(test_event_bound);
    TEST_RUN(test_rng);
    TEST_DONE();
}
