/* apps/tx: build, modulate and send numbered frames through a radio. */
#include "apps/tx.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "apps/describe.h"
#include "apps/json_out.h"
#include "apps/rx.h"
#include "core/err.h"
#include "mac/frame.h"
#include "phy/modem.h"
#include "phy/radio.h"

#define TX_DEFAULT_COUNT 10
#define TX_DEFAULT_SIZE 100         /* [bytes] Ethernet payload */
#define TX_DEFAULT_INTERVAL 0.001   /* [s] silence before each burst */
#define TX_MAX_FILE (16u << 20)     /* [bytes] largest --file accepted */
#define TX_MAX_COUNT 1000000u       /* frames, so a typo cannot fill the disk */
#define TX_MAX_FRAME (SN_ETH_HDR_LEN + SN_ETH_MTU + SN_ETH_FCS_LEN)

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sdrnet tx --radio RADIO [--count N] [--size S] [--message TEXT]\n"
            "                 [--file PATH] [--rate R] [--interval SECONDS]\n"
            "                 [--src MAC] [--dst MAC] [--json] [radio flags]\n"
            "\n"
            "Build numbered MAC frames (Ethernet II + FCS, ethertype 0x88b5; payload:\n"
            "sequence number (4 bytes), data length (2 bytes), data), modulate each into\n"
            "a burst and send it. A file radio on a new PATH records them: a SigMF\n"
            "recording (PATH or PATH.sigmf-meta; one annotation per burst) or a raw file\n"
            "by its extension, which `sdrnet rx --radio file:PATH` decodes.\n"
            "\n"
            "%s"
            "  --count N         frames to send (default %d); data byte i of frame\n"
            "                    number seq (from 0) is (seq + i) mod 256\n"
            "  --size S          Ethernet payload per frame [bytes], %d..%d (default %d):\n"
            "                    6 bytes of header and S - 6 of data\n"
            "  --message TEXT    send TEXT instead, split into as many frames as needed\n"
            "  --file PATH       send the contents of PATH instead (up to %u bytes)\n"
            "  --rate R          bpsk-1/2, bpsk-3/4, qpsk-1/2 (default), qpsk-3/4,\n"
            "                    qam16-1/2, qam16-3/4, qam64-2/3 or qam64-3/4\n"
            "  --interval SEC    silence before each burst [s] (default %g)\n"
            "  --src MAC         source address (default 02:00:00:00:00:01)\n"
            "  --dst MAC         destination address (default ff:ff:ff:ff:ff:ff)\n"
            "  --json            print what was sent as JSON\n"
            "  -h, --help        this help\n",
            sn_radio_args_help, TX_DEFAULT_COUNT, SN_TX_HDR_LEN + 1, SN_ETH_MTU, TX_DEFAULT_SIZE,
            TX_MAX_FILE,
            TX_DEFAULT_INTERVAL);
}

static int parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Whole file into memory; NULL with a message printed on failure. */
static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "sdrnet tx: %s: cannot open: %s\n", path, strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size < 0 ||
        (uint64_t)sb.st_size > TX_MAX_FILE) {
        fprintf(stderr, "sdrnet tx: %s: not a regular file of at most %u bytes\n", path,
                TX_MAX_FILE);
        fclose(f);
        return NULL;
    }
    size_t n = (size_t)sb.st_size;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) {
        fprintf(stderr, "sdrnet tx: %s: out of memory\n", path);
        fclose(f);
        return NULL;
    }
    if (fread(buf, 1, n, f) != n) {
        fprintf(stderr, "sdrnet tx: %s: read failed\n", path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Frame `seq`: header, payload (seq, len, data), padding, FCS. Returns its
 * length with FCS [bytes]. out holds TX_MAX_FRAME bytes; dlen <= MTU - 6. */
static size_t build_frame(uint8_t *out, const sn_eth_hdr *h, uint32_t seq, const uint8_t *data,
                          size_t dlen)
{
    sn_eth_emit(out, h);
    uint8_t *p = out + SN_ETH_HDR_LEN;
    p[0] = (uint8_t)(seq >> 24);
    p[1] = (uint8_t)(seq >> 16);
    p[2] = (uint8_t)(seq >> 8);
    p[3] = (uint8_t)seq;
    p[4] = (uint8_t)(dlen >> 8);
    p[5] = (uint8_t)dlen;
    if (data)
        memcpy(p + SN_TX_HDR_LEN, data, dlen);
    else
        for (size_t i = 0; i < dlen; i++)
            p[SN_TX_HDR_LEN + i] = (uint8_t)((seq + i) & 0xff);
    size_t len = SN_ETH_HDR_LEN + SN_TX_HDR_LEN + dlen;
    if (len < SN_ETH_MIN_LEN) {
        memset(out + len, 0, SN_ETH_MIN_LEN - len);
        len = SN_ETH_MIN_LEN;
    }
    sn_eth_fcs_put(out, len);
    return len + SN_ETH_FCS_LEN;
}

int sn_tx_main(int argc, char **argv)
{
    const char *radio = NULL, *message = NULL, *file = NULL, *rate_name = "qpsk-1/2";
    unsigned long count = TX_DEFAULT_COUNT, size = TX_DEFAULT_SIZE;
    int count_given = 0, json = 0;
    double interval = TX_DEFAULT_INTERVAL;
    sn_eth_hdr h = {.dst = sn_mac_broadcast,
                    .src = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}},
                    .ethertype = SN_TX_ETHERTYPE};
    sn_radio_config cfg;
    sn_radio_config_default(&cfg);
    for (int i = 0; i < argc; i++) {
        int r = sn_radio_args_parse("tx", argc, argv, &i, &radio, &cfg);
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            json = 1;
            continue;
        } else if (!v) {
            fprintf(stderr, "sdrnet tx: unknown or incomplete argument '%s' (see sdrnet tx --help)\n", a);
            return 2;
        }
        if (!strcmp(a, "--count")) {
            if (parse_uint(v, 1, TX_MAX_COUNT, &count) != 0) {
                fprintf(stderr, "sdrnet tx: --count needs a number from 1 to %u\n", TX_MAX_COUNT);
                return 2;
            }
            count_given = 1;
        } else if (!strcmp(a, "--size")) {
            if (parse_uint(v, SN_TX_HDR_LEN + 1, SN_ETH_MTU, &size) != 0) {
                fprintf(stderr, "sdrnet tx: --size needs a payload size from %d to %d bytes\n",
                        SN_TX_HDR_LEN + 1, SN_ETH_MTU);
                return 2;
            }
        } else if (!strcmp(a, "--message")) {
            message = v;
        } else if (!strcmp(a, "--file")) {
            file = v;
        } else if (!strcmp(a, "--rate") || !strcmp(a, "--modulation")) {
            rate_name = v;
        } else if (!strcmp(a, "--interval")) {
            char *end;
            errno = 0;
            interval = strtod(v, &end);
            if (errno || *end || !*v || !isfinite(interval) || interval < 0 || interval > 3600) {
                fprintf(stderr, "sdrnet tx: --interval needs seconds from 0 to 3600\n");
                return 2;
            }
        } else if (!strcmp(a, "--src") || !strcmp(a, "--dst")) {
            if (sn_mac_parse(v, !strcmp(a, "--src") ? &h.src : &h.dst) != SN_OK) {
                fprintf(stderr, "sdrnet tx: %s needs a MAC address like 02:00:00:00:00:01\n", a);
                return 2;
            }
        } else {
            fprintf(stderr, "sdrnet tx: unknown argument '%s' (see sdrnet tx --help)\n", a);
            return 2;
        }
        i++;
    }
    if (!radio) {
        fprintf(stderr, "sdrnet tx: --radio is required (see sdrnet tx --help)\n");
        return 2;
    }
    if (message && file) {
        fprintf(stderr, "sdrnet tx: give --message or --file, not both\n");
        return 2;
    }
    if ((message || file) && count_given) {
        fprintf(stderr, "sdrnet tx: --count does not go with --message/--file (the contents "
                        "decide the number of frames)\n");
        return 2;
    }
    uint8_t *content = NULL;
    size_t clen = 0;
    if (file) {
        content = read_file(file, &clen);
        if (!content)
            return 2;
    } else if (message) {
        clen = strlen(message);
    }
    if ((message || file) && clen == 0) {
        fprintf(stderr, "sdrnet tx: nothing to send (empty %s)\n", file ? file : "message");
        free(content);
        return 2;
    }
    const uint8_t *src = file ? content : (const uint8_t *)message;
    size_t chunk = size - SN_TX_HDR_LEN; /* [bytes] of data per frame */
    if (src)
        count = (unsigned long)((clen + chunk - 1) / chunk);

    sn_modem_config mc;
    sn_modem_config_default(&mc);
    mc.max_payload = TX_MAX_FRAME;
    char err[512];
    int rc = 0;
    sn_radio *r = NULL;
    json_t *frames = NULL;
    sn_modem *m = NULL;
    if (sn_phy_rate_parse(rate_name, &mc.rate) != SN_OK) {
        fprintf(stderr,
                "sdrnet tx: --rate '%s' not known (bpsk-1/2, bpsk-3/4, qpsk-1/2, qpsk-3/4, "
                "qam16-1/2, qam16-3/4, qam64-2/3, qam64-3/4)\n",
                rate_name);
        rc = 2;
        goto done;
    }
    m = sn_modem_create(&mc, 1e6, NULL, NULL);
    if (!m) {
        fprintf(stderr, "sdrnet tx: cannot create the modem\n");
        rc = 1;
        goto done;
    }
    cfg.dir = SN_RADIO_DIR_TX; /* never overwrite a recording, never open an unused receiver */
    r = sn_radio_open(radio, &cfg, NULL, err, sizeof err);
    if (!r) {
        fprintf(stderr, "sdrnet tx: %s\n", err);
        rc = 2;
        goto done;
    }
    const sn_radio_info *info = sn_radio_get_info(r);
    if (!info->can_tx) {
        fprintf(stderr, "sdrnet tx: %s: cannot transmit%s\n", radio,
                !strncmp(radio, "file:", 5) ? " into an existing recording (give a new name)"
                                            : "");
        rc = 2;
        goto done;
    }
    double fs = info->sample_rate;
    if (json && !(frames = json_array())) {
        fprintf(stderr, "sdrnet tx: out of memory\n");
        rc = 1;
        goto done;
    }
    uint8_t frame[TX_MAX_FRAME];
    double t = 0; /* [s] on the radio's clock: where the next burst may start */
    uint64_t samples = 0, sent = 0;
    for (unsigned long seq = 0; seq < count; seq++) {
        size_t dlen = chunk;
        const uint8_t *data = NULL;
        if (src) {
            size_t off = (size_t)seq * chunk;
            dlen = clen - off < chunk ? clen - off : chunk;
            data = src + off;
        }
        size_t len = build_frame(frame, &h, (uint32_t)seq, data, dlen);
        const sn_cf32 *iq;
        size_t n;
        int e = sn_modem_tx(m, frame, len, NULL, &iq, &n);
        if (e != SN_OK) {
            fprintf(stderr, "sdrnet tx: frame %lu: modulation failed: %s\n", seq, sn_strerror(e));
            rc = 1;
            break;
        }
        t += interval;
        sn_time_t at = SN_RADIO_NOW;
        if (info->timed_tx) {
            at = sn_time_from_s(t);
        } else if (interval > 0 && seq > 0) {
            /* no timed bursts: wait for the previous one and the gap */
            double w = interval + (double)n / fs;
            struct timespec ts = {(time_t)w, (long)((w - floor(w)) * 1e9)};
            nanosleep(&ts, NULL);
        }
        e = sn_radio_tx(r, iq, n, at);
        if (e != SN_OK) {
            fprintf(stderr, "sdrnet tx: %s: frame %lu not sent: %s\n", radio, seq, sn_strerror(e));
            rc = 1;
            break;
        }
        sent++;
        samples += n;
        char desc[200], text[120];
        sn_describe_frame(frame, len, 1, desc, sizeof desc);
        if (data)
            sn_describe_text(data, dlen, 40, text, sizeof text);
        if (json) {
            json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:f, s:s}", "seq", (json_int_t)seq,
                                  "bytes", (json_int_t)len, "data_bytes", (json_int_t)dlen,
                                  "samples", (json_int_t)n, "at_s", t, "summary", desc);
            if (!o || json_array_append_new(frames, o) != 0)
                rc = 1;
        } else {
            printf("tx %-5lu %5zu bytes -> %6zu samples (%.3f ms) at %.6f s  %s%s%s%s\n", seq,
                   len, n, (double)n / fs * 1e3, t, desc, data ? "  \"" : "", data ? text : "",
                   data ? "\"" : "");
        }
        t += (double)n / fs;
    }
    sn_radio_counters cnt;
    sn_radio_get_counters(r, &cnt);
    if (json) {
        json_t *root = json_pack("{s:s, s:f, s:s, s:I, s:I, s:I, s:O}", "radio", radio,
                                 "sample_rate", fs, "rate", sn_phy_rate_name(mc.rate),
                                 "frames_sent", (json_int_t)sent, "samples",
                                 (json_int_t)samples, "late_bursts",
                                 (json_int_t)cnt.late_bursts, "frames", frames);
        if (sn_json_print(stdout, root, 0) != 0)
            rc = 1;
    } else {
        printf("%llu frames, %llu samples of bursts (%s, %.3g S/s) sent to %s\n",
               (unsigned long long)sent, (unsigned long long)samples, sn_phy_rate_name(mc.rate),
               fs, radio);
    }
done:
    json_decref(frames);
    if (r) {
        /* a recording's tail and meta file are written here: a failure
         * means an incomplete recording, so the command fails */
        int e = sn_radio_close(r);
        if (e != SN_OK) {
            fprintf(stderr, "sdrnet tx: %s: could not be completed: %s\n", radio,
                    sn_strerror(e));
            if (rc == 0)
                rc = 1;
        }
    }
    sn_modem_destroy(m);
    free(content);
    return rc;
}
