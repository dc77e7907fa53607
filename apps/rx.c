#include "apps/rx.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apps/describe.h"
#include "core/err.h"
#include "core/pcap_tap.h"
#include "mac/frame.h"
#include "phy/modem.h"
#include "phy/phy.h"
#include "phy/sigmf.h"

#define RX_CHUNK 65536 /* [samples] read per call */

typedef struct rx_ctx {
    double fs, freq;
    int json;
    sn_pcap_tap *phy_tap, *mac_tap;
    json_t *frames;
    uint64_t ok, bad;
} rx_ctx;

static void on_frame(void *user, const uint8_t *frame, size_t len, const sn_phy_stats *st)
{
    rx_ctx *c = user;
    sn_time_t t = (sn_time_t)((double)st->sample_start / c->fs * 1e9);
    if (st->crc_ok)
        c->ok++;
    else
        c->bad++;
    sn_phy_capture_write(c->phy_tap, t, c->freq, c->fs, st, frame, len, (size_t)st->sample_count);
    if (st->crc_ok && sn_eth_check(frame, len) == SN_ETH_OK)
        sn_pcap_tap_write(c->mac_tap, t, frame, len - SN_ETH_FCS_LEN);
    char desc[200];
    sn_describe_frame(frame, len, 1, desc, sizeof desc);
    uint64_t idx = c->ok + c->bad;
    if (c->json) {
        json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:s, s:b, s:s}", "index", (json_int_t)idx,
                              "sample_start", (json_int_t)st->sample_start, "sample_count",
                              (json_int_t)st->sample_count, "bytes", (json_int_t)len,
                              "modulation", st->modulation ? st->modulation : "?", "crc_ok",
                              st->crc_ok, "summary", desc);
        if (o) {
            json_object_set_new(o, "snr_db", isfinite(st->snr_db) ? json_real(st->snr_db)
                                                                  : json_null());
            json_object_set_new(o, "cfo_hz", isfinite(st->cfo_hz) ? json_real(st->cfo_hz)
                                                                  : json_null());
            json_object_set_new(o, "evm_db", isfinite(st->evm_db) ? json_real(st->evm_db)
                                                                  : json_null());
            json_object_set_new(o, "rssi_db", isfinite(st->rssi_db) ? json_real(st->rssi_db)
                                                                    : json_null());
            json_array_append_new(c->frames, o);
        }
    } else {
        printf("frame %-4llu sample %-9llu %5zu bytes  %-5s  SNR %5.1f dB  CFO %+7.0f Hz  %s  %s\n",
               (unsigned long long)idx, (unsigned long long)st->sample_start, len,
               st->modulation ? st->modulation : "?", st->snr_db, st->cfo_hz,
               st->crc_ok ? "crc ok " : "CRC BAD", desc);
    }
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sdrnet rx --radio RADIO [--out DIR] [--json] [--freq HZ]\n"
            "\n"
            "Receive and print every frame found, with its SNR, frequency offset and\n"
            "CRC result.\n"
            "\n"
            "  --radio RADIO  file:PATH  a SigMF recording (PATH.sigmf-meta, .sigmf-data or\n"
            "                 the base name), cf32_le, such as `sdrnet run` writes per\n"
            "                 medium (live devices come with the radios issue)\n"
            "  --out DIR      also write DIR/rx.phy.pcap (RFtap + frame) and DIR/rx.mac.pcap\n"
            "                 (Ethernet, frames whose CRC passed)\n"
            "  --json         totals frames_ok and frames_bad and one object per frame\n"
            "  --freq HZ      center frequency for the captures (default: the recording's)\n");
}

int sn_rx_main(int argc, char **argv)
{
    const char *radio = NULL, *out = NULL;
    double freq = NAN;
    int json = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--radio") && i + 1 < argc) {
            radio = argv[++i];
        } else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(argv[i], "--freq") && i + 1 < argc) {
            char *end;
            freq = strtod(argv[++i], &end);
            if (*end || !isfinite(freq) || freq <= 0) {
                fprintf(stderr, "sdrnet rx: --freq needs a frequency in Hz\n");
                return 2;
            }
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else {
            fprintf(stderr, "sdrnet rx: unknown or incomplete argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (!radio) {
        fprintf(stderr, "sdrnet rx: --radio is required\n");
        usage(stderr);
        return 2;
    }
    if (strncmp(radio, "file:", 5) != 0) {
        fprintf(stderr, "sdrnet rx: radio '%s' not supported yet (use file:PATH)\n", radio);
        return 2;
    }
    char err[512];
    sn_sigmf_reader *r = sn_sigmf_reader_open(radio + 5, err, sizeof err);
    if (!r) {
        fprintf(stderr, "sdrnet rx: %s\n", err);
        return 2;
    }
    rx_ctx c = {.fs = sn_sigmf_reader_sample_rate(r), .json = json};
    c.freq = isfinite(freq) ? freq : sn_sigmf_reader_freq(r);
    int rc = 0;
    sn_modem *m = sn_modem_create(NULL, c.fs, on_frame, &c);
    sn_cf32 *buf = malloc(RX_CHUNK * sizeof *buf);
    if (json)
        c.frames = json_array();
    if (!m || !buf || (json && !c.frames)) {
        fprintf(stderr, "sdrnet rx: out of memory\n");
        rc = 1;
        goto done;
    }
    if (out) {
        if (mkdir(out, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "sdrnet rx: cannot create '%s': %s\n", out, strerror(errno));
            rc = 1;
            goto done;
        }
        char p[1024];
        snprintf(p, sizeof p, "%s/rx.phy.pcap", out);
        c.phy_tap = sn_pcap_tap_open(p, SN_LINKTYPE_WIRESHARK_UPPER_PDU, NULL);
        snprintf(p, sizeof p, "%s/rx.mac.pcap", out);
        c.mac_tap = sn_pcap_tap_open(p, SN_LINKTYPE_ETHERNET, NULL);
        if (!c.phy_tap || !c.mac_tap) {
            rc = 1;
            goto done;
        }
    }
    long n;
    uint64_t total = 0;
    while ((n = sn_sigmf_reader_read(r, buf, RX_CHUNK)) > 0) {
        sn_modem_rx(m, buf, (size_t)n);
        total += (uint64_t)n;
    }
    if (n < 0) {
        fprintf(stderr, "sdrnet rx: %s: read error: %s\n", radio + 5, sn_strerror((int)n));
        rc = 1;
    }
    /* push the tail of the last burst through the detector */
    static const sn_cf32 zeros[1024];
    sn_modem_rx(m, zeros, sizeof zeros / sizeof zeros[0]);
    if (json) {
        json_t *root = json_pack("{s:s, s:f, s:I, s:I, s:I, s:O}", "radio", radio, "sample_rate",
                                 c.fs, "samples", (json_int_t)total, "frames_ok",
                                 (json_int_t)c.ok, "frames_bad", (json_int_t)c.bad, "frames",
                                 c.frames);
        char *s = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        if (s)
            printf("%s\n", s);
        free(s);
        json_decref(root);
    } else {
        printf("%llu samples (%.3f s at %.3g S/s): %llu frames ok, %llu with a bad CRC\n",
               (unsigned long long)total, (double)total / c.fs, c.fs, (unsigned long long)c.ok,
               (unsigned long long)c.bad);
    }
done:
    json_decref(c.frames);
    sn_pcap_tap_close(c.phy_tap);
    sn_pcap_tap_close(c.mac_tap);
    sn_modem_destroy(m);
    free(buf);
    sn_sigmf_reader_close(r);
    return rc;
}
