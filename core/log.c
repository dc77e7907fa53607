#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

static int log_level = SN_LOG_WARN;
static sn_time_t (*log_now)(const void *ctx);
static const void *log_ctx;

void sn_log_set_level(int level) { log_level = level; }
int sn_log_get_level(void) { return log_level; }

void sn_log_set_clock(sn_time_t (*now)(const void *ctx), const void *ctx)
{
    log_now = now;
    log_ctx = ctx;
}

void sn_log(int level, const char *module, const char *fmt, ...)
{
    static const char *names[] = {"error", "warn", "info", "debug"};
    if (level > log_level)
        return;
    if (level < 0)
        level = 0;
    if (level > SN_LOG_DEBUG)
        level = SN_LOG_DEBUG;
    if (log_now)
        fprintf(stderr, "[%12.6f] ", sn_time_to_s(log_now(log_ctx)));
    fprintf(stderr, "%s: %s: ", module ? module : "sdrnet", names[level]);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
