/* apps/rx: `sdrnet rx` and `sdrnet sniff` on any radio (phy/radio.h). */
#include "apps/rx.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "apps/describe.h"
#include "apps/json_out.h"
#include "core/err.h"
#include "core/log.h"
#include "core/pcap_tap.h"
#include "mac/frame.h"
#include "phy/modem.h"
#include "phy/phy.h"

#define IDLE_SLEEP_NS 1000000L /* [ns] wait when a live radio has nothing yet */
#define TAIL_SAMPLES 1024      /* [samples] of silence that push the last burst
                                * through the detector at the end */

/* ---------------------------------------------------------- common flags */

const char sn_radio_args_help[] =
    "  --radio RADIO     file:PATH  an IQ recording: SigMF (PATH.sigmf-meta,\n"
    "                    .sigmf-data or the base name; cf32_le, ci16_le, ci8, cu8)\n"
    "                    or raw PATH.cf32/.cfile/.fc32, .ci8/.cs8, .cu8, .ci16/.cs16\n"
    "                    (raw files need --samplerate);\n"
    "                    soapy:ARGS  a SoapySDR device (e.g. soapy:driver=rtlsdr)\n"
    "  --freq HZ         centre frequency [Hz] (files: for the captures; default\n"
    "                    the recording's)\n"
    "  --samplerate SPS  sample rate [S/s] (raw files: required)\n"
    "  --gain DB         overall gain [dB] (devices)\n"
    "  --gain NAME=DB[,NAME=DB]  per-element gains (devices; e.g. LNA=32,VGA=20\n"
    "                    on a HackRF; `sdrnet devices` lists the names)\n"
    "  --antenna NAME    antenna port (devices)\n"
    "  --bandwidth HZ    analog filter bandwidth [Hz] (devices)\n";

static int parse_num(const char *s, double *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int sn_radio_args_parse(const char *cmd, int argc, char **argv, int *i, const char **radio,
                        sn_radio_config *cfg)
{
    static const struct {
        const char *flag, *what;
        int positive; /* 1: > 0, 0: any finite number */
    } nums[] = {
        {"--freq", "a frequency in Hz", 1},
        {"--samplerate", "a sample rate in S/s", 1},
        {"--gain", "a gain in dB", 0},
        {"--bandwidth", "a bandwidth in Hz", 1},
    };
    const char *a = argv[*i];
    const char *val = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (!strcmp(a, "--gain") && val && strchr(val, '=')) {
        cfg->gains = val; /* checked against the device's elements at open */
        (*i)++;
        return 1;
    }
    if (!strcmp(a, "--radio") || !strcmp(a, "--antenna")) {
        if (!val || !*val) {
            fprintf(stderr, "sdrnet %s: %s needs a value\n", cmd, a);
            return -1;
        }
        if (!strcmp(a, "--radio"))
            *radio = val;
        else
            cfg->antenna = val;
        (*i)++;
        return 1;
    }
    for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
        if (strcmp(a, nums[k].flag) != 0)
            continue;
        double v;
        if (parse_num(val, &v) != 0 || (nums[k].positive && !(v > 0))) {
            fprintf(stderr, "sdrnet %s: %s needs %s\n", cmd, a, nums[k].what);
            return -1;
        }
        if (k == 0)
            cfg->freq_hz = v;
        else if (k == 1)
            cfg->sample_rate = v;
        else if (k == 2)
            cfg->gain_db = v;
        else
            cfg->bandwidth_hz = v;
        (*i)++;
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------- receiving */

typedef struct rx_ctx {
    double fs, freq;        /* [S/s], [Hz] */
    int json;
    sn_pcap_tap *phy_tap, *mac_tap;
    json_t *frames;
    uint64_t ok, bad;
    sn_modem *modem;
    uint64_t fed;           /* [samples] given to the modem since create */
    int64_t offset;         /* [samples] radio sample index - modem index */
    uint64_t samples;       /* [samples] received */
    uint64_t gaps;          /* blocks flagged or found not contiguous */
} rx_ctx;

static void on_frame(void *user, const uint8_t *frame, size_t len, const sn_phy_stats *st)
{
    rx_ctx *c = user;
    /* the modem counts the samples it was fed; the radio's clock may have
     * skipped some (SN_RADIO_RX_GAP): report on the radio's clock */
    sn_phy_stats s = *st;
    s.sample_start = (uint64_t)((int64_t)st->sample_start + c->offset);
    sn_time_t t = (sn_time_t)((double)s.sample_start / c->fs * 1e9);
    if (s.crc_ok)
        c->ok++;
    else
        c->bad++;
    sn_phy_capture_write(c->phy_tap, t, c->freq, c->fs, &s, frame, len, (size_t)s.sample_count);
    if (s.crc_ok && sn_eth_check(frame, len) == SN_ETH_OK)
        sn_pcap_tap_write(c->mac_tap, t, frame, len - SN_ETH_FCS_LEN);
    char desc[200];
    sn_describe_burst(frame, len, st->ctrl, desc, sizeof desc);
    uint64_t idx = c->ok + c->bad;
    if (c->json) {
        json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:s, s:b, s:s}", "index", (json_int_t)idx,
                              "sample_start", (json_int_t)s.sample_start, "sample_count",
                              (json_int_t)s.sample_count, "bytes", (json_int_t)len,
                              "rate", sn_phy_rate_name(s.rate), "crc_ok",
                              s.crc_ok, "summary", desc);
        if (o) {
            json_object_set_new(o, "snr_db", isfinite(s.snr_db) ? json_real(s.snr_db)
                                                                 : json_null());
            json_object_set_new(o, "cfo_hz", isfinite(s.cfo_hz) ? json_real(s.cfo_hz)
                                                                 : json_null());
            json_object_set_new(o, "evm_db", isfinite(s.evm_db) ? json_real(s.evm_db)
                                                                 : json_null());
            json_object_set_new(o, "rssi_db", isfinite(s.rssi_db) ? json_real(s.rssi_db)
                                                                   : json_null());
            json_array_append_new(c->frames, o);
        }
    } else {
        printf("frame %-4llu sample %-9llu %5zu bytes  %-9s  SNR %5.1f dB  CFO %+7.0f Hz  %s  %s\n",
               (unsigned long long)idx, (unsigned long long)s.sample_start, len,
               sn_phy_rate_name(s.rate), s.snr_db, s.cfo_hz,
               s.crc_ok ? "crc ok " : "CRC BAD", desc);
        fflush(stdout); /* a monitor on a live radio shows frames as they come */
    }
}

static void on_block(void *user, const sn_radio_rx *rx)
{
    rx_ctx *c = user;
    int64_t expect = (int64_t)c->fed + c->offset;
    if ((rx->flags & SN_RADIO_RX_GAP) || (int64_t)rx->sample_start != expect) {
        /* a burst cut by lost samples cannot be decoded: start afresh */
        if (c->fed)
            c->gaps++;
        sn_modem_reset(c->modem);
        c->offset = (int64_t)rx->sample_start - (int64_t)c->fed;
    }
    sn_modem_rx(c->modem, rx->iq, rx->n);
    c->fed += rx->n;
    c->samples += rx->n;
}

static volatile sig_atomic_t stop_requested;
static void on_sigint(int sig) { stop_requested = 1; }

static sn_time_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (sn_time_t)ts.tv_sec * SN_NS_PER_S + ts.tv_nsec;
}

static void usage(FILE *f, int sniff)
{
    if (sniff)
        fprintf(f,
                "usage: sdrnet sniff --radio RADIO --out DIR [--json] [--duration S]\n"
                "                    [radio flags]\n"
                "\n"
                "Receive-only monitor: print one line per frame heard and write every one\n"
                "into DIR/rx.phy.pcap (RFtap + frame) and DIR/rx.mac.pcap (Ethernet, frames\n"
                "whose CRC passed), until the end of a file, --duration or Ctrl-C on a\n"
                "device.\n"
                "\n");
    else
        fprintf(f,
                "usage: sdrnet rx --radio RADIO [--out DIR] [--json] [--duration S]\n"
                "                 [radio flags]\n"
                "\n"
                "Receive and print every frame found, with its SNR, frequency offset and\n"
                "CRC result, until the end of a file, --duration or Ctrl-C on a device.\n"
                "\n");
    fprintf(f, "%s", sn_radio_args_help);
    fprintf(f, "  --out DIR         %s DIR/rx.phy.pcap (RFtap + frame, link type 252) and\n"
               "                    DIR/rx.mac.pcap (Ethernet, frames whose CRC passed)\n"
               "  --json            print totals frames_ok, frames_bad and one object per\n"
               "                    frame instead of the lines\n"
               "  --duration S      stop after S seconds of receiving [s] (wall clock;\n"
               "                    default: no limit)\n"
               "  -h, --help        this help\n",
            sniff ? "write" : "also write");
}

static int rx_common(const char *cmd, int sniff, int argc, char **argv)
{
    const char *radio = NULL, *out = NULL;
    int json = 0;
    double duration_s = 0; /* [s] 0: until the end, or Ctrl-C */
    sn_radio_config cfg;
    sn_radio_config_default(&cfg);
    for (int i = 0; i < argc; i++) {
        int r = sn_radio_args_parse(cmd, argc, argv, &i, &radio, &cfg);
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout, sniff);
            return 0;
        } else if ((!strcmp(argv[i], "--out") || !strcmp(argv[i], "-o")) && i + 1 < argc &&
                   *argv[i + 1]) {
            out = argv[++i];
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--duration") && i + 1 < argc) {
            /* bounded above so the nanoseconds below cannot overflow */
            if (parse_num(argv[i + 1], &duration_s) != 0 || !(duration_s > 0) ||
                duration_s > 1e9) {
                fprintf(stderr, "sdrnet %s: --duration needs a number of seconds > 0 (got '%s')\n",
                        cmd, argv[i + 1]);
                return 2;
            }
            i++;
        } else {
            fprintf(stderr, "sdrnet %s: unknown or incomplete argument '%s' (see sdrnet %s --help)\n",
                    cmd, argv[i], cmd);
            return 2;
        }
    }
    if (!radio) {
        fprintf(stderr, "sdrnet %s: --radio is required (see sdrnet %s --help)\n", cmd, cmd);
        return 2;
    }
    if (sniff && !out) {
        fprintf(stderr, "sdrnet %s: --out DIR is required\n", cmd);
        return 2;
    }
    char err[512];
    /* receive only: a device's transmit side stays untouched (an RTL-SDR
     * has none), and a missing recording is an error, not a new one */
    cfg.dir = SN_RADIO_DIR_RX;
    sn_radio *r = sn_radio_open(radio, &cfg, NULL, err, sizeof err);
    if (!r) {
        fprintf(stderr, "sdrnet %s: %s\n", cmd, err);
        return 2;
    }
    const sn_radio_info *info = sn_radio_get_info(r);
    rx_ctx c = {.fs = info->sample_rate, .freq = info->freq_hz, .json = json};
    int rc = 0;
    c.modem = sn_modem_create(NULL, c.fs, on_frame, &c);
    if (json)
        c.frames = json_array();
    if (!c.modem || (json && !c.frames)) {
        fprintf(stderr, "sdrnet %s: out of memory\n", cmd);
        rc = 1;
        goto done;
    }
    if (out) {
        if (mkdir(out, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "sdrnet %s: cannot create '%s': %s\n", cmd, out, strerror(errno));
            rc = 1;
            goto done;
        }
        char p[4200];
        snprintf(p, sizeof p, "%s/rx.phy.pcap", out);
        c.phy_tap = sn_pcap_tap_open(p, SN_LINKTYPE_WIRESHARK_UPPER_PDU, NULL);
        snprintf(p, sizeof p, "%s/rx.mac.pcap", out);
        c.mac_tap = sn_pcap_tap_open(p, SN_LINKTYPE_ETHERNET, NULL);
        if (!c.phy_tap || !c.mac_tap) {
            fprintf(stderr, "sdrnet %s: cannot write the captures in '%s'\n", cmd, out);
            rc = 1;
            goto done;
        }
    }
    sn_radio_set_rx(r, on_block, &c);
    struct sigaction sa, old_sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_sa);
    sn_time_t t0 = monotonic_ns();
    sn_time_t limit = duration_s > 0 ? (sn_time_t)llround(duration_s * 1e9) : 0; /* [ns] */
    long n;
    while (!stop_requested) {
        sn_time_t now = monotonic_ns() - t0;
        if (limit > 0 && now >= limit)
            break;
        n = sn_radio_poll(r, now);
        if (n == SN_ERR_NOENT)
            break;
        if (n < 0) {
            fprintf(stderr, "sdrnet %s: %s: receive error: %s\n", cmd, radio, sn_strerror((int)n));
            rc = 1;
            break;
        }
        if (n == 0) {
            struct timespec ts = {0, IDLE_SLEEP_NS};
            nanosleep(&ts, NULL);
        }
    }
    sigaction(SIGINT, &old_sa, NULL);
    static const sn_cf32 zeros[TAIL_SAMPLES];
    sn_modem_rx(c.modem, zeros, TAIL_SAMPLES);
    sn_radio_counters rc_cnt;
    sn_radio_get_counters(r, &rc_cnt);
    if (json) {
        json_t *root = json_pack("{s:s, s:f, s:I, s:I, s:I, s:O}", "radio", radio, "sample_rate",
                                 c.fs, "samples", (json_int_t)c.samples, "frames_ok",
                                 (json_int_t)c.ok, "frames_bad", (json_int_t)c.bad, "frames",
                                 c.frames);
        if (root) {
            json_object_set_new(root, "overflows", json_integer((json_int_t)rc_cnt.overflows));
            json_object_set_new(root, "gaps", json_integer((json_int_t)c.gaps));
        }
        if (sn_json_print(stdout, root, 0) != 0)
            rc = 1;
    } else {
        printf("%llu samples (%.3f s at %.3g S/s): %llu frames ok, %llu with a bad CRC\n",
               (unsigned long long)c.samples, (double)c.samples / c.fs, c.fs,
               (unsigned long long)c.ok, (unsigned long long)c.bad);
        if (rc_cnt.overflows || c.gaps)
            printf("%llu samples lost in %llu gaps (overflows)\n",
                   (unsigned long long)rc_cnt.overflows, (unsigned long long)c.gaps);
    }
done:
    json_decref(c.frames);
    sn_pcap_tap_close(c.phy_tap);
    sn_pcap_tap_close(c.mac_tap);
    sn_modem_destroy(c.modem);
    sn_radio_destroy(r);
    return rc;
}

int sn_rx_main(int argc, char **argv) { return rx_common("rx", 0, argc, argv); }

int sn_sniff_main(int argc, char **argv) { return rx_common("sniff", 1, argc, argv); }
