/* sdrnet_soapy_link: two processes exchange frames through real radio
 * code (sn_radio_open "soapy:..."), for tests/scenario/test_soapy_virtual.sh.
 *
 *   sdrnet_soapy_link tx RADIO N [GAP_MS]   send N numbered 64-byte frames
 *   sdrnet_soapy_link rx RADIO N TIMEOUT_S  receive until N frames or timeout;
 *                                           prints "ready", then "decoded K of N"
 *   (both at 433.92 MHz, 100 kS/s or $SDRNET_LINK_RATE)
 *   sdrnet_soapy_link devices [ARGS]        sn_devices_main (until the CLI has it)
 *
 * Frame i holds i in byte 0 and a fixed pattern after it, so the receiver
 * checks every bit. Exit 0 if the program ran (the script judges K), 1 on
 * an error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apps/devices.h"
#include "core/err.h"
#include "phy/modem.h"
#include "phy/radio.h"

#define FRAME_LEN 64
#define MAX_FRAMES 256

static void make_frame(unsigned i, uint8_t *f)
{
    f[0] = (uint8_t)i;
    for (unsigned j = 1; j < FRAME_LEN; j++)
        f[j] = (uint8_t)(i * 31u + j * 7u + 0x5a);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

typedef struct rx_state {
    sn_modem *modem;
    unsigned n;
    int seen[MAX_FRAMES];
    unsigned decoded, bad;
} rx_state;

static void on_frame(void *user, const uint8_t *frame, size_t len, const sn_phy_stats *st)
{
    rx_state *s = user;
    uint8_t want[FRAME_LEN];
    if (!st->crc_ok || len != FRAME_LEN || frame[0] >= s->n) {
        s->bad++;
        return;
    }
    make_frame(frame[0], want);
    if (memcmp(frame, want, FRAME_LEN) != 0) {
        s->bad++;
        return;
    }
    if (!s->seen[frame[0]]) {
        s->seen[frame[0]] = 1;
        s->decoded++;
        printf("frame %u  SNR %.1f dB  CFO %+.0f Hz\n", frame[0], st->snr_db, st->cfo_hz);
    }
}

static void on_samples(void *user, const sn_radio_rx *rx)
{
    rx_state *s = user;
    sn_modem_rx(s->modem, rx->iq, rx->n);
}

static void print_counters(const char *who, sn_radio *r)
{
    sn_radio_counters c;
    sn_radio_get_counters(r, &c);
    printf("%s: tx_bursts=%llu rx_samples=%llu overflows=%llu underflows=%llu timeouts=%llu "
           "late=%llu dropped=%llu\n",
           who, (unsigned long long)c.tx_bursts, (unsigned long long)c.rx_samples,
           (unsigned long long)c.overflows, (unsigned long long)c.underflows,
           (unsigned long long)c.timeouts, (unsigned long long)c.late_bursts,
           (unsigned long long)c.tx_dropped);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "devices"))
        return sn_devices_main(argc - 1, argv + 1);
    if (argc < 4 || (strcmp(argv[1], "tx") && strcmp(argv[1], "rx"))) {
        fprintf(stderr, "usage: %s tx RADIO N [GAP_MS] | rx RADIO N TIMEOUT_S | devices\n",
                argv[0]);
        return 1;
    }
    int is_tx = !strcmp(argv[1], "tx");
    unsigned n = (unsigned)atoi(argv[3]);
    if (n == 0 || n > MAX_FRAMES)
        n = 20;
    sn_radio_config cfg;
    sn_radio_config_default(&cfg);
    /* 100 kS/s by default: liquid's burst detector handles only a few
     * hundred kS/s of noise per core (sdrnet bench phy), and the receiver
     * must keep up in real time; SDRNET_LINK_RATE overrides it [S/s] */
    const char *rate = getenv("SDRNET_LINK_RATE");
    cfg.sample_rate = rate && *rate ? atof(rate) : 100e3;
    cfg.freq_hz = 433.92e6;
    char err[512];
    sn_radio *r = sn_radio_open(argv[2], &cfg, NULL, err, sizeof err);
    if (!r) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    sn_modem_config mc;
    sn_modem_config_default(&mc);
    static rx_state st;
    st.n = n;
    st.modem = sn_modem_create(&mc, sn_radio_get_info(r)->sample_rate, on_frame, &st);
    if (!st.modem) {
        sn_radio_destroy(r);
        return 1;
    }
    int rc = 0;
    if (is_tx) {
        long gap_ms = argc > 4 ? atol(argv[4]) : 20;
        for (unsigned i = 0; i < n; i++) {
            uint8_t f[FRAME_LEN];
            const sn_cf32 *iq;
            size_t len;
            make_frame(i, f);
            if (sn_modem_tx(st.modem, f, FRAME_LEN, NULL, &iq, &len) != SN_OK ||
                sn_radio_tx(r, iq, len, SN_RADIO_NOW) != SN_OK) {
                fprintf(stderr, "tx: frame %u failed\n", i);
                rc = 1;
            }
            sn_radio_poll(r, 0); /* nobody listens here: keep the ring empty */
            sleep_ms(gap_ms);
        }
        sleep_ms(100); /* let the last burst leave */
        print_counters("tx", r);
    } else {
        double timeout = argc > 4 ? atof(argv[4]) : 10;
        sn_radio_set_rx(r, on_samples, &st);
        printf("ready\n");
        fflush(stdout);
        double deadline = now_s() + timeout;
        while (st.decoded < n && now_s() < deadline) {
            long got = sn_radio_poll(r, 0);
            if (got < 0) {
                fprintf(stderr, "rx: poll: %s\n", sn_strerror((int)got));
                rc = 1;
                break;
            }
            if (got == 0)
                sleep_ms(1);
        }
        printf("decoded %u of %u (%u bad)\n", st.decoded, n, st.bad);
        print_counters("rx", r);
    }
    sn_modem_destroy(st.modem);
    sn_radio_destroy(r);
    return rc;
}
