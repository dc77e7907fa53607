/* A minimal test harness: each test file is one program; TEST_RUN() runs a
 * test function and the program exits non-zero if any CHECK failed. */
#ifndef SN_TEST_H
#define SN_TEST_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sn_test_failed_checks;
static int sn_test_current_failed;
static int sn_test_passed, sn_test_failed;

#define CHECK(cond)                                                             \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__,    \
                    #cond);                                                     \
            sn_test_failed_checks++;                                            \
            sn_test_current_failed = 1;                                         \
        }                                                                       \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                      \
    do {                                                                        \
        long long va_ = (long long)(a), vb_ = (long long)(b);                   \
        if (va_ != vb_) {                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n",   \
                    __FILE__, __LINE__, #a, #b, va_, vb_);                      \
            sn_test_failed_checks++;                                            \
            sn_test_current_failed = 1;                                         \
        }                                                                       \
    } while (0)

#define CHECK_MEM(a, b, n)                                                      \
    do {                                                                        \
        if (memcmp((a), (b), (n)) != 0) {                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%zu bytes)\n",      \
                    __FILE__, __LINE__, #a, #b, (size_t)(n));                   \
            sn_test_failed_checks++;                                            \
            sn_test_current_failed = 1;                                         \
        }                                                                       \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                   \
    do {                                                                        \
        double va_ = (double)(a), vb_ = (double)(b);                            \
        if (!(fabs(va_ - vb_) <= (tol))) {                                      \
            fprintf(stderr, "%s:%d: CHECK failed: %s ~ %s (%g vs %g, tol %g)\n", \
                    __FILE__, __LINE__, #a, #b, va_, vb_, (double)(tol));       \
            sn_test_failed_checks++;                                            \
            sn_test_current_failed = 1;                                         \
        }                                                                       \
    } while (0)

#define TEST_RUN(fn)                                                            \
    do {                                                                        \
        sn_test_current_failed = 0;                                             \
        fn();                                                                   \
        if (sn_test_current_failed) {                                           \
            sn_test_failed++;                                                   \
            fprintf(stderr, "FAIL %s\n", #fn);                                  \
        } else {                                                                \
            sn_test_passed++;                                                   \
            printf("ok   %s\n", #fn);                                           \
        }                                                                       \
    } while (0)

#define TEST_DONE()                                                             \
    do {                                                                        \
        printf("%d passed, %d failed\n", sn_test_passed, sn_test_failed);       \
        return sn_test_failed ? 1 : 0;                                          \
    } while (0)

#include "core/stats.h"

/* The value of counter `name` in a module's stats list; UINT64_MAX (and a
 * message) when the module lists no such counter, so a misspelt name fails
 * the check instead of reading 0. */
static inline uint64_t sn_test_stat(const sn_stat *s, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s[i].name, name))
            return s[i].value;
    fprintf(stderr, "no counter %s\n", name);
    return UINT64_MAX;
}

/* A scratch directory for files a test writes ($SDRNET_TEST_TMP or /tmp). */
static inline const char *sn_test_tmpdir(void)
{
    const char *d = getenv("SDRNET_TEST_TMP");
    if (d && *d) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "mkdir -p '%s'", d);
        if (system(cmd) != 0)
            return "/tmp";
        return d;
    }
    return "/tmp";
}

#endif
