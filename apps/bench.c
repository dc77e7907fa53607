#include "apps/bench.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apps/bench_phy.h"
#include "apps/bench_mac.h"
#include "apps/bench_route.h"
#include "apps/flowgraph.h"
#include "apps/json_out.h"
#include "apps/run.h"
#include "core/err.h"
#include "core/pkt.h"
#include "core/rng.h"
#include "phy/medium.h"
#include "phy/modem.h"
#include "phy/phy.h"
#include "phy/radio.h"
#include "phy/radio_sim.h"

/* CPU time of this thread: what "on one core" means, unaffected by other
 * processes competing for the machine. [s] */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct bench_opts {
    int quick, json;
    const char *plot_dir; /* phy: write figures there, or NULL */
    uint64_t seed;        /* phy: random inputs */
} bench_opts;

/* Stage messages on a terminal, so a long benchmark shows it is alive. */
static void stage(const char *what)
{
    if (isatty(STDERR_FILENO))
        fprintf(stderr, "  ... %s\n", what);
}

/* ---- core: packet buffers -------------------------------------------- */

static int bench_pkt(const bench_opts *o, json_t *root)
{
    size_t rounds = o->quick ? 2000000 : 20000000;
    sn_pktpool *p = sn_pktpool_create(64, 2048);
    if (!p)
        return 1;
    double t0 = cpu_now();
    for (size_t i = 0; i < rounds; i++) {
        sn_pkt *k = sn_pkt_alloc_tx(p);
        sn_pkt_push(k, 14)[0] = (uint8_t)i;
        sn_pkt_free(k);
    }
    double pool_ns = (cpu_now() - t0) * 1e9 / (double)rounds;
    /* reference: what a malloc per packet would cost */
    volatile uint8_t sink = 0;
    t0 = cpu_now();
    for (size_t i = 0; i < rounds; i++) {
        uint8_t *b = malloc(2048);
        if (!b)
            break;
        b[SN_PKT_HEADROOM - 14] = (uint8_t)i;
        sink = (uint8_t)(sink + b[SN_PKT_HEADROOM - 14]);
        free(b);
    }
    double malloc_ns = (cpu_now() - t0) * 1e9 / (double)rounds;
    sn_pktpool_destroy(p);
    if (o->json)
        json_object_set_new(root, "pkt_ns", json_pack("{s:f, s:f}", "pool_alloc_push_free",
                                                      pool_ns, "malloc_free_reference",
                                                      malloc_ns));
    else
        printf("packet buffer, alloc + push + free: pool %.1f ns, malloc/free reference %.1f ns\n",
               pool_ns, malloc_ns);
    return 0;
}

/* ---- the whole stack: scenario S1 on virtual time ---------------------- */

static int bench_run(const bench_opts *o, json_t *root)
{
    const char *src = getenv("SDRNET_FLOWGRAPHS");
    char path[1024];
    snprintf(path, sizeof path, "%s/hello.yaml", src && *src ? src : SDRNET_BENCH_FLOWGRAPHS);
    char err[512];
    sn_flowgraph *fg = sn_flowgraph_load(path, err, sizeof err);
    if (!fg) {
        fprintf(stderr, "sdrnet bench: %s\n", err);
        return 1;
    }
    char dir[] = "/tmp/sdrnet-bench-XXXXXX";
    FILE *null = fopen("/dev/null", "w");
    if (!mkdtemp(dir) || !null) {
        fprintf(stderr, "sdrnet bench: cannot make a scratch directory\n");
        if (null)
            fclose(null);
        sn_flowgraph_free(fg);
        return 1;
    }
    sn_run_options ro = {.out_dir = dir, .quiet = 1, .out = null};
    int runs = o->quick ? 5 : 50;
    stage("scenario S1 (hello.yaml), whole stack, captures written");
    double t0 = cpu_now();
    int rc = 0;
    for (int i = 0; i < runs && !rc; i++)
        rc = sn_run_flowgraph(fg, &ro);
    double cpu = cpu_now() - t0;
    double virt = fg->duration_s * runs;
    fclose(null);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "sdrnet bench: could not remove %s\n", dir);
    sn_flowgraph_free(fg);
    if (rc)
        return rc;
    if (o->json)
        json_object_set_new(root, "run_hello", json_pack("{s:i, s:f, s:f, s:f}", "runs", runs,
                                                         "virtual_s", virt, "cpu_s", cpu,
                                                         "x_real_time", virt / cpu));
    else
        printf("scenario S1 (build the network, run 1 s, write every capture), %d runs: %.1f s "
               "of virtual time in %.3f s of CPU time: %.0fx real time (reference: 1x)\n",
               runs, virt, cpu, virt / cpu);
    return 0;
}

/* ---- medium: 10 radios sharing one channel on virtual time ------------- */

#define BM_NODES 10
#define BM_FRAME 200                  /* [bytes] */
#define BM_PERIOD (50 * SN_NS_PER_MS) /* [ns] between a node's frames */
#define BM_JITTER (10 * SN_NS_PER_MS) /* [ns] +- half of it around the period */

typedef struct bm_node {
    struct bm_ctx *ctx;
    int idx;
    sn_radio *radio;
    sn_phy *phy;        /* full mode only */
    sn_cf32 *burst;     /* medium-only mode: the node's burst, made once */
    size_t burst_n;
} bm_node;

typedef struct bm_ctx {
    sn_sched *s;
    sn_medium *m;
    sn_pktpool *pool;
    sn_rng rng;
    bm_node nodes[BM_NODES];
    sn_time_t until;
    uint64_t sent, samples, frames_ok;
    int full;
} bm_ctx;

static void bm_count_block(void *user, const sn_radio_rx *rx)
{
    bm_node *n = user;
    n->ctx->samples += rx->n;
}

static void bm_frame(void *user, sn_pkt *frame)
{
    bm_node *n = user;
    n->ctx->frames_ok++;
    sn_pkt_free(frame);
}

static void bm_send(void *user, sn_time_t now)
{
    bm_node *n = user;
    bm_ctx *c = n->ctx;
    if (c->full) {
        sn_pkt *p = sn_pkt_alloc_tx(c->pool);
        if (p) {
            uint8_t *d = sn_pkt_put(p, BM_FRAME);
            for (size_t i = 0; d && i < BM_FRAME; i++)
                d[i] = (uint8_t)sn_rng_u64(&c->rng);
            if (d && sn_phy_send(n->phy, p) == SN_OK)
                c->sent++;
            else if (!d)
                sn_pkt_free(p);
        }
    } else if (sn_radio_tx(n->radio, n->burst, n->burst_n, now) == SN_OK) {
        c->sent++;
    }
    sn_time_t next = now + BM_PERIOD - BM_JITTER / 2 +
                     (sn_time_t)sn_rng_below(&c->rng, (uint64_t)BM_JITTER);
    if (next < c->until)
        sn_sched_at(c->s, next, bm_send, n);
}

static void bm_free(bm_ctx *c)
{
    for (int i = 0; i < BM_NODES; i++) {
        sn_phy_destroy(c->nodes[i].phy);
        sn_radio_destroy(c->nodes[i].radio);
        free(c->nodes[i].burst);
    }
    sn_medium_destroy(c->m);
    sn_pktpool_destroy(c->pool);
    sn_sched_destroy(c->s);
}

/* One run of `secs` virtual seconds; returns CPU seconds or < 0. */
static double bm_run(bm_ctx *c, int full, double secs)
{
    memset(c, 0, sizeof *c);
    c->full = full;
    c->until = sn_time_from_s(secs);
    sn_rng_seed(&c->rng, 5);
    c->s = sn_sched_create();
    c->m = c->s ? sn_medium_create(c->s, 1e6, 11) : NULL;
    c->pool = sn_pktpool_create(256, 2048);
    sn_modem *mod = sn_modem_create(NULL, 1e6, NULL, NULL);
    int ok = c->s && c->m && c->pool && mod;
    for (int i = 0; ok && i < BM_NODES; i++) {
        bm_node *n = &c->nodes[i];
        n->ctx = c;
        n->idx = i;
        n->radio = sn_radio_sim_create(c->m);
        if (!n->radio) {
            ok = 0;
            break;
        }
        if (full) {
            n->phy = sn_phy_create(NULL, c->s, c->pool, n->radio, NULL, bm_frame, n);
            ok = n->phy != NULL;
        } else {
            uint8_t payload[BM_FRAME];
            for (size_t k = 0; k < BM_FRAME; k++)
                payload[k] = (uint8_t)sn_rng_u64(&c->rng);
            const sn_cf32 *iq;
            size_t len;
            ok = sn_modem_tx(mod, payload, BM_FRAME, NULL, &iq, &len) == SN_OK &&
                 (n->burst = malloc(len * sizeof *iq)) != NULL;
            if (ok) {
                memcpy(n->burst, iq, len * sizeof *iq);
                n->burst_n = len;
                sn_radio_set_rx(n->radio, bm_count_block, n);
            }
        }
        /* links: SNR 10..30 dB, some frequency offset, a little delay */
        for (int j = 0; ok && j < i; j++) {
            double snr = 10.0 + 20.0 * sn_rng_uniform(&c->rng);
            double cfo = 2000.0 * (sn_rng_uniform(&c->rng) - 0.5);
            double d = 5.0 * sn_rng_uniform(&c->rng);
            ok = sn_medium_set_link(c->m, i, j, snr, cfo) == SN_OK &&
                 sn_medium_set_link(c->m, j, i, snr, -cfo) == SN_OK &&
                 sn_medium_set_channel(c->m, i, j, d, NULL, 0) == SN_OK &&
                 sn_medium_set_channel(c->m, j, i, d, NULL, 0) == SN_OK;
        }
        if (ok)
            ok = sn_sched_at(c->s, (sn_time_t)sn_rng_below(&c->rng, (uint64_t)BM_PERIOD),
                             bm_send, n) != 0;
    }
    sn_modem_destroy(mod);
    if (!ok) {
        bm_free(c);
        return -1.0;
    }
    double t0 = cpu_now();
    sn_sched_run(c->s, c->until + SN_NS_PER_S / 10, 0); /* let the last bursts land */
    double cpu = cpu_now() - t0;
    for (int i = 0; i < BM_NODES; i++) {
        sn_radio_counters rc;
        sn_radio_get_counters(c->nodes[i].radio, &rc);
        if (full)
            c->samples += rc.rx_samples;
    }
    bm_free(c);
    return cpu;
}

static int bench_medium(const bench_opts *o, json_t *root)
{
    double secs = o->quick ? 1.0 : 20.0;
    bm_ctx c;
    stage("medium: 10 radios, no demodulation");
    double cpu_m = bm_run(&c, 0, secs);
    uint64_t sent_m = c.sent, samples_m = c.samples;
    stage("medium: 10 radios, every one demodulating");
    double cpu_f = bm_run(&c, 1, secs);
    uint64_t sent_f = c.sent, samples_f = c.samples, ok_f = c.frames_ok;
    if (cpu_m < 0 || cpu_f < 0) {
        fprintf(stderr, "sdrnet bench: medium: out of memory\n");
        return 1;
    }
    /* every burst could reach the 9 other radios */
    uint64_t possible = sent_f * (BM_NODES - 1);
    if (o->json) {
        json_object_set_new(root, "medium", json_pack(
            "{s:i, s:f, s:i, s:i, s:{s:I, s:I, s:f, s:f}, s:{s:I, s:I, s:I, s:I, s:f, s:f}}",
            "nodes", BM_NODES, "virtual_s", secs, "frame_bytes", BM_FRAME,
            "period_ms", (int)(BM_PERIOD / SN_NS_PER_MS),
            "medium_only", "bursts", (json_int_t)sent_m, "rx_samples", (json_int_t)samples_m,
            "cpu_s", cpu_m, "x_real_time", secs / cpu_m,
            "full_phy", "bursts", (json_int_t)sent_f, "rx_samples", (json_int_t)samples_f,
            "frames_possible", (json_int_t)possible, "frames_decoded", (json_int_t)ok_f,
            "cpu_s", cpu_f, "x_real_time", secs / cpu_f));
    } else {
        printf("medium: %d radios at 1 MS/s, each a %d-byte qpsk frame every %d ms (+-%d ms), "
               "%.0f s of virtual time:\n", BM_NODES, BM_FRAME,
               (int)(BM_PERIOD / SN_NS_PER_MS), (int)(BM_JITTER / SN_NS_PER_MS / 2), secs);
        printf("  %-26s %8s %14s %10s %16s\n", "", "bursts", "rx samples", "CPU [s]",
               "x real time");
        printf("  %-26s %8llu %14llu %10.3f %15.1fx\n", "medium only (no demod)",
               (unsigned long long)sent_m, (unsigned long long)samples_m, cpu_m, secs / cpu_m);
        printf("  %-26s %8llu %14llu %10.3f %15.1fx\n", "full phy (all demodulate)",
               (unsigned long long)sent_f, (unsigned long long)samples_f, cpu_f, secs / cpu_f);
        printf("  frames decoded %llu of %llu possible (the rest collided or were sent while "
               "the receiver was transmitting); reference: 1x real time\n",
               (unsigned long long)ok_f, (unsigned long long)possible);
    }
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: sdrnet bench [phy|mac|pkt|run|medium|route|all] [--quick] [--json]\n"
               "                    [--plot DIR] [--seed N]\n"
               "\n"
               "  phy     the PHY against issue 3's targets, all on samples made beforehand:\n"
               "          receiver throughput (MS/s on one core, CPU time) on noise and on\n"
               "          back-to-back 1500-byte frames at each rate, beside liquid-dsp's\n"
               "          flexframesync and ofdmflexframesync on their own frames; per rate\n"
               "          the Eb/N0 at PER 10 %% and 1 %% (AWGN, carrier offset, random\n"
               "          timing) beside the decoder with perfect sync; the SNR at which\n"
               "          90 %% of frames are detected; false frames on pure noise\n"
               "          (minutes; --quick: under half a minute, rough PER figures)\n"
               "  mac     radio MAC (CSMA/CA) with real PHYs on one medium: saturation\n"
               "          throughput of N = 2, 5, 10, 20 stations beside Bianchi's model,\n"
               "          Jain's fairness, efficiency per rate, delivery over a 20 %%-loss\n"
               "          link (minutes; --quick: N = 2 and 5)\n"
               "  pkt     packet buffer alloc/push/free from the pool beside malloc/free\n"
               "  run     scenario S1 through the whole stack: virtual time per CPU second\n"
               "  medium  10 radios on one medium, random 200-byte frames every 50 ms\n"
               "          (some collide): virtual time per CPU second, medium alone and\n"
               "          with every radio demodulating\n"
               "  route   longest-prefix match on 10 000 routes: lookups/s and bytes per\n"
               "          route, beside a linear scan and a hash per prefix length\n"
               "  all     everything (default)\n"
               "  --quick       smaller inputs (the whole of `all` in about a minute)\n"
               "  --json        machine-readable figures on stdout\n"
               "  --plot DIR    phy: also draw PNG figures into DIR (needs gnuplot): PER\n"
               "                against Eb/N0 per rate, 16-QAM and 64-QAM constellations,\n"
               "                detection against SNR\n"
               "  --seed N      phy: seed of every random input (default 1)\n");
}

int sn_bench_main(int argc, char **argv)
{
    bench_opts o = {.seed = 1};
    const char *what = "all";
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            o.quick = 1;
        else if ((!strcmp(argv[i], "--plot") || !strcmp(argv[i], "--seed")) &&
                 (i + 1 >= argc || !argv[i + 1][0])) {
            fprintf(stderr, "sdrnet bench: %s needs a value\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (!strcmp(argv[i], "--plot"))
            o.plot_dir = argv[++i];
        else if (!strcmp(argv[i], "--seed")) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(argv[++i], &end, 0);
            if (errno || end == argv[i] || *end || argv[i][0] == '-') {
                fprintf(stderr, "sdrnet bench: bad --seed '%s'\n", argv[i]);
                return 2;
            }
            o.seed = v;
        }
        else if (!strcmp(argv[i], "--json"))
            o.json = 1;
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] != '-' && (!strcmp(argv[i], "phy") || !strcmp(argv[i], "pkt") ||
                                         !strcmp(argv[i], "run") ||
                                         !strcmp(argv[i], "medium") ||
                                         !strcmp(argv[i], "route") ||
                                         !strcmp(argv[i], "mac") ||
                                         !strcmp(argv[i], "all")))
            what = argv[i];
        else {
            fprintf(stderr, "sdrnet bench: unknown argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    json_t *root = json_object();
    if (!root)
        return 1;
    int rc = 0;
    int all = !strcmp(what, "all");
    if (all || !strcmp(what, "phy")) {
        sn_bench_phy_opts po = {.quick = o.quick, .json = o.json, .plot_dir = o.plot_dir,
                                .seed = o.seed};
        rc |= sn_bench_phy(&po, root);
    }
    if (all || !strcmp(what, "pkt"))
        rc |= bench_pkt(&o, root);
    if (all || !strcmp(what, "run"))
        rc |= bench_run(&o, root);
    if (all || !strcmp(what, "medium"))
        rc |= bench_medium(&o, root);
    if (all || !strcmp(what, "route"))
        rc |= sn_bench_route(o.quick, o.json, root);
    if (all || !strcmp(what, "mac"))
        rc |= sn_bench_mac(o.quick, o.json, root);
    if (o.json) {
        if (sn_json_print(stdout, root, 6) != 0)
            rc = 1;
    } else {
        json_decref(root);
    }
    return rc;
}
