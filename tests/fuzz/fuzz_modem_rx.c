/* Fuzz target: the modem receiver. The input's bytes (after the first) are
 * IQ samples, two native floats each, so NaN, Inf, subnormals and huge
 * values all occur; they are fed in chunks whose size comes from the first
 * byte. One modem serves every input (its state carries from one input to
 * the next, as a receiver's would; a crash reproduces by replaying the
 * inputs in order). Inputs are cut at 2048 samples: enough for a header-only
 * burst (592 samples) or a short frame; the seeds are such bursts
 * (tests/fuzz/corpus/modem_rx, written by tests/tools/make_kat.c --fuzz). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phy/modem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SAMPLES 2048

static sn_modem *modem;
static sn_cf32 buf[MAX_SAMPLES];

static void on_rx(void *user, const uint8_t *frame, size_t len, const sn_phy_stats *st)
{
    /* touch everything handed over, so the sanitizers see any bad byte */
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < len; i++)
        sink ^= frame[i];
    if (st->sample_count == 0 || (unsigned)st->rate >= SN_RATE_COUNT || !st->header_ok ||
        len > 2048)
        abort();
    (void)user;
    (void)sink;
}

static void on_points(void *user, const sn_cf32 *pts, size_t n, sn_phy_rate rate)
{
    volatile float sink = 0;
    for (size_t i = 0; i < n; i++)
        sink += crealf(pts[i]);
    if ((unsigned)rate >= SN_RATE_COUNT)
        abort();
    (void)user;
    (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!modem) {
        sn_modem_config cfg;
        sn_modem_config_default(&cfg);
        modem = sn_modem_create(&cfg, 1e6, on_rx, NULL);
        if (!modem)
            abort();
        sn_modem_set_points_observer(modem, on_points, NULL);
    }
    if (size < 1)
        return 0;
    size_t chunk = 1 + (size_t)data[0] * 4; /* 1 .. 1021 samples */
    data++;
    size--;
    size_t n = size / sizeof(sn_cf32);
    if (n > MAX_SAMPLES)
        n = MAX_SAMPLES;
    memcpy(buf, data, n * sizeof(sn_cf32));
    sn_modem_counters before, after;
    sn_modem_get_counters(modem, &before);
    for (size_t off = 0; off < n; off += chunk)
        sn_modem_rx(modem, buf + off, n - off < chunk ? n - off : chunk);
    sn_modem_get_counters(modem, &after);
    if (after.rx_samples - before.rx_samples != n)
        abort();
    if (after.rx_frames_ok + after.rx_frames_crc_bad + after.rx_header_bad >
        after.rx_triggers)
        abort(); /* every frame or bad header follows a detector firing */
    return 0;
}
