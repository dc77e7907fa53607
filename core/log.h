/* core/log: leveled logging to stderr, tagged with the module name and, when
 * a clock is attached, the virtual time. */
#ifndef SN_CORE_LOG_H
#define SN_CORE_LOG_H

#include "core/time.h"

enum sn_log_level {
    SN_LOG_ERROR = 0,
    SN_LOG_WARN = 1,
    SN_LOG_INFO = 2,
    SN_LOG_DEBUG = 3,
};

/* Messages above `level` are discarded. Default: SN_LOG_WARN. */
void sn_log_set_level(int level);
int sn_log_get_level(void);

/* Give the logger a way to read the current time for its prefix (or NULL). */
void sn_log_set_clock(sn_time_t (*now)(const void *ctx), const void *ctx);

/* Log a printf-style message from `module` (e.g. "phy", "arp"). */
void sn_log(int level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define SN_ERROR(mod, ...) sn_log(SN_LOG_ERROR, mod, __VA_ARGS__)
#define SN_WARN(mod, ...) sn_log(SN_LOG_WARN, mod, __VA_ARGS__)
#define SN_INFO(mod, ...) sn_log(SN_LOG_INFO, mod, __VA_ARGS__)
#define SN_DEBUG(mod, ...)                                                  \
    do {                                                                    \
        if (sn_log_get_level() >= SN_LOG_DEBUG)                             \
            sn_log(SN_LOG_DEBUG, mod, __VA_ARGS__);                         \
    } while (0)

#endif
