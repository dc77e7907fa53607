/* core/stats: a uniform way for every module to list its counters by name,
 * so the CLI can print and export them (--json) without knowing each
 * module's struct. Drop counters are named "drop_<reason>". */
#ifndef SN_CORE_STATS_H
#define SN_CORE_STATS_H

#include <stddef.h>
#include <stdint.h>

typedef struct sn_stat {
    const char *name;  /* static string, snake_case */
    uint64_t value;
} sn_stat;

/* Upper bound on counters one module lists. */
#define SN_STATS_MAX 48

/* Append (name, value) if room remains; returns the new count. */
static inline size_t sn_stat_add(sn_stat *out, size_t n, size_t max, const char *name,
                                 uint64_t value)
{
    if (n < max) {
        out[n].name = name;
        out[n].value = value;
    }
    return n < max ? n + 1 : n;
}

#endif
