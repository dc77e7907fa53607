/* sdrnet: the command line.
 *
 *   sdrnet run [FLOWGRAPH] [--out DIR] [--seed N] [--json] [--plot] [--quiet] [-v]
 *   sdrnet rx --radio RADIO [--out DIR] [--json] [radio flags]
 *   sdrnet sniff --radio RADIO --out DIR [--json] [radio flags]
 *   sdrnet tx --radio RADIO [--count N] [--size S] [--message TEXT] [--file PATH] ...
 *   sdrnet bench [phy|pkt|all] [--quick] [--json]
 *
 * Exit status: 0 success, 1 run-time failure, 2 bad command line or bad
 * flowgraph file. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apps/bench.h"
#include "apps/devices.h"
#include "apps/flowgraph.h"
#include "apps/run.h"
#include "apps/rx.h"
#include "apps/tx.h"
#include "core/log.h"

#ifndef SDRNET_VERSION
#define SDRNET_VERSION "0"
#endif
#ifndef SDRNET_SOURCE_FLOWGRAPHS
#define SDRNET_SOURCE_FLOWGRAPHS "flowgraphs"
#endif
#ifndef SDRNET_INSTALL_FLOWGRAPHS
#define SDRNET_INSTALL_FLOWGRAPHS "/usr/local/share/sdrnet/flowgraphs"
#endif

#define DEFAULT_FLOWGRAPH "hello.yaml"
#define DEFAULT_OUT "sdrnet-out"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sdrnet [--help] [--version] COMMAND [ARGS]\n"
            "\n"
            "sdrnet: a software-defined-radio PHY and a network stack on top of it.\n"
            "\n"
            "Commands:\n"
            "  run [FLOWGRAPH]   build the network a flowgraph (YAML) describes, run it on\n"
            "                    a simulated radio channel in virtual time, write a pcap\n"
            "                    per node per layer and a SigMF recording per medium, and\n"
            "                    print what happened layer by layer. Without FLOWGRAPH it\n"
            "                    runs the default, %s (scenario S1: 'Hello' over\n"
            "                    one radio link).\n"
            "  rx --radio RADIO  receive and print every frame with its statistics; RADIO\n"
            "                    is file:PATH (a SigMF recording or a raw cf32/ci8/cu8/\n"
            "                    ci16 file) or soapy:ARGS (a device) (sdrnet rx --help)\n"
            "  sniff --radio RADIO --out DIR\n"
            "                    receive-only monitor: one line per frame, and every frame\n"
            "                    into DIR/rx.phy.pcap and DIR/rx.mac.pcap\n"
            "  tx --radio RADIO  build numbered frames (or a message, or a file), modulate\n"
            "                    and send them; file:NEW.sigmf-meta records them\n"
            "                    (sdrnet tx --help)\n"
            "  devices           list every SoapySDR device with its ranges (the virtual\n"
            "                    driver=sdrnet one included when its module is found)\n"
            "  bench [WHAT]      benchmarks with a reference measured in the same run\n"
            "                    (sdrnet bench --help)\n"
            "  help [COMMAND]    show help for a command\n"
            "  version           print the version\n"
            "\n"
            "Run 'sdrnet run --help' for the flags of run.\n",
            DEFAULT_FLOWGRAPH);
}

static void usage_run(FILE *f)
{
    fprintf(f,
            "usage: sdrnet run [FLOWGRAPH] [--out DIR] [--seed N] [--json] [--plot] [--quiet] [-v]\n"
            "\n"
            "Run a flowgraph on the simulated radio channel (virtual time: as fast as the\n"
            "CPU allows, and the same every time for the same seed).\n"
            "\n"
            "  FLOWGRAPH     a flowgraph file, or the name of one shipped with sdrnet\n"
            "                (e.g. hello or hello.yaml); default %s\n"
            "  --out DIR     directory for the captures and recordings (created if\n"
            "                missing; default %s). Per node and interface it writes\n"
            "                NODE.IF.phy.pcap (RFtap + frame, Wireshark link type 252),\n"
            "                NODE.IF.mac.pcap (Ethernet), NODE.IF.net.pcap (IPv4), and per\n"
            "                node NODE.transport.pcap (IPv4: what reached or left its\n"
            "                sockets); per medium MEDIUM.sigmf-meta/.sigmf-data.\n"
            "  --seed N      seed of every random choice (noise, ports); overrides the\n"
            "                flowgraph's seed. The same seed gives byte-identical files.\n"
            "  --json        print a machine-readable summary instead of the narrative:\n"
            "                per node and layer, frames/packets in and out, drops by\n"
            "                reason, the apps' messages, and the files written.\n"
            "  --plot        draw the signal of each medium's bursts (I and Q against\n"
            "                time) into MEDIUM.png, with gnuplot\n"
            "  --quiet       print only the per-layer summary and the file list\n"
            "  -v, --verbose log protocol details to stderr (repeat for more)\n"
            "  -h, --help    this help\n",
            DEFAULT_FLOWGRAPH, DEFAULT_OUT);
}

/* A name like "hello" or "hello.yaml" is looked up among the shipped
 * flowgraphs when no such file exists in the current directory. */
static const char *resolve_flowgraph(const char *arg, char *buf, size_t len)
{
    if (access(arg, F_OK) == 0 || strchr(arg, '/'))
        return arg;
    const char *dirs[] = {getenv("SDRNET_FLOWGRAPHS"), SDRNET_SOURCE_FLOWGRAPHS,
                          SDRNET_INSTALL_FLOWGRAPHS};
    const char *ext = strstr(arg, ".yaml") ? "" : ".yaml";
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        if (!dirs[i] || !*dirs[i])
            continue;
        snprintf(buf, len, "%s/%s%s", dirs[i], arg, ext);
        if (access(buf, R_OK) == 0)
            return buf;
    }
    return arg; /* let the loader report it missing */
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    char *end;
    errno = 0;
    /* base 10 only: "010" is ten, not eight */
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int cmd_run(int argc, char **argv)
{
    sn_run_options opt = {.out_dir = DEFAULT_OUT, .progress = 1, .out = stdout};
    const char *fg_arg = NULL;
    int verbose = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage_run(stdout);
            return 0;
        } else if (!strcmp(a, "--out") || !strcmp(a, "-o")) {
            if (i + 1 >= argc || !*argv[i + 1]) {
                fprintf(stderr, "sdrnet run: %s needs a directory\n", a);
                return 2;
            }
            opt.out_dir = argv[++i];
        } else if (!strcmp(a, "--seed")) {
            if (i + 1 >= argc || parse_u64(argv[i + 1], &opt.seed) != 0) {
                fprintf(stderr, "sdrnet run: --seed needs a non-negative integer\n");
                return 2;
            }
            opt.has_seed = 1;
            i++;
        } else if (!strcmp(a, "--json")) {
            opt.json = 1;
        } else if (!strcmp(a, "--plot")) {
            opt.plot = 1;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            opt.quiet = 1;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            verbose++;
        } else if (!strcmp(a, "-vv")) {
            verbose += 2;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "sdrnet run: unknown option '%s' (see sdrnet run --help)\n", a);
            return 2;
        } else if (!fg_arg) {
            fg_arg = a;
        } else {
            fprintf(stderr, "sdrnet run: only one flowgraph may be given ('%s')\n", a);
            return 2;
        }
    }
    sn_log_set_level(SN_LOG_WARN + verbose);
    char buf[1024];
    const char *path = resolve_flowgraph(fg_arg ? fg_arg : DEFAULT_FLOWGRAPH, buf, sizeof buf);
    char err[512];
    sn_flowgraph *fg = sn_flowgraph_load(path, err, sizeof err);
    if (!fg) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    int rc = sn_run_flowgraph(fg, &opt);
    sn_flowgraph_free(fg);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("sdrnet %s\n", SDRNET_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "help")) {
        char help[] = "--help";
        char *hargv[] = {help, NULL};
        if (argc > 2 && !strcmp(argv[2], "run"))
            usage_run(stdout);
        else if (argc > 2 && !strcmp(argv[2], "rx"))
            return sn_rx_main(1, hargv);
        else if (argc > 2 && !strcmp(argv[2], "sniff"))
            return sn_sniff_main(1, hargv);
        else if (argc > 2 && !strcmp(argv[2], "tx"))
            return sn_tx_main(1, hargv);
        else
            usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 2, argv + 2);
    if (!strcmp(cmd, "rx"))
        return sn_rx_main(argc - 2, argv + 2);
    if (!strcmp(cmd, "sniff"))
        return sn_sniff_main(argc - 2, argv + 2);
    if (!strcmp(cmd, "tx"))
        return sn_tx_main(argc - 2, argv + 2);
    if (!strcmp(cmd, "devices"))
        return sn_devices_main(argc - 1, argv + 1); /* argv[0] = "devices" */
    if (!strcmp(cmd, "bench"))
        return sn_bench_main(argc - 2, argv + 2);
    fprintf(stderr, "sdrnet: unknown command '%s' (see sdrnet --help)\n", cmd);
    return 2;
}
