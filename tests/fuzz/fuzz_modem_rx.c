/* Fuzz target: the modem receiver. The input's bytes (after the first) are
 * IQ samples, two native floats each, so NaN, Inf, subnormals and huge
 * values all occur; they are fed in chunks whose size comes from the first
 * byte. One modem serves every input: creating liquid's synchroniser costs
 * ~0.1 s, and resetting it costs more than most inputs (its detector needs
 * two FFT sweeps to forget what it saw), so state carries from one input to
 * the next; a crash reproduces by replaying the inputs in order. Liquid's
 * detector costs ~3 us per sample while it searches, so inputs are cut at
 * 1024 samples. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phy/modem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SAMPLES 1024

static sn_modem *modem;
static sn_cf32 buf[MAX_SAMPLES];

static void on_rx(void *user, const uint8_t *frame, size_t len, const sn_phy_stats *st)
{
    /* touch everything handed over, so the sanitizers see any bad byte */
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < len; i++)
        sink ^= frame[i];
    if (st->sample_count == 0 || (unsigned)st->rate >= SN_RATE_COUNT)
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
    return 0;
}
