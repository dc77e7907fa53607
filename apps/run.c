#include "apps/run.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apps/describe.h"
#include "apps/hello.h"
#include "apps/json_out.h"
#include "apps/ping.h"
#include "apps/traceroute.h"
#include "core/err.h"
#include "core/log.h"
#include "core/pcap_tap.h"
#include "core/pkt.h"
#include "core/rng.h"
#include "core/sched.h"
#include "mac/bridge.h"
#include "mac/netif.h"
#include "net/icmp.h"
#include "net/ipv4.h"
#include "net/route.h"
#include "net/udp.h"
#include "mac/dcf.h"
#include "phy/medium.h"
#include "phy/phy.h"
#include "phy/radio_sim.h"
#include "phy/sigmf.h"

#define RUN_POOL_BUFS 512
#define RUN_POOL_BUF_SIZE 2048
#define RUN_DEFAULT_MAX_EVENTS 10000000u
#define RUN_MAX_FILES 1024

struct run;
struct run_node;

typedef struct run_iface {
    struct run_node *node;
    const sn_fg_iface *fg;
    char label[2 * SN_FG_NAME_MAX + 2]; /* "A.rf0" */
    sn_radio *radio; /* a port on the interface's medium */
    sn_phy *phy;
    sn_dcf *dcf;     /* the radio MAC between netif and phy (NULL: csma off) */
    sn_netif *nif;
    sn_pcap_tap *phy_tap, *mac_tap, *net_tap;
    int medium;
    int port;
} run_iface;

typedef struct run_node {
    struct run *run;
    const sn_fg_node *fg;
    sn_pktpool *pool;
    sn_ipv4 *ip;
    sn_udp *udp;
    sn_pcap_tap *transport_tap;
    run_iface ifs[SN_FG_MAX_IFACES];
    size_t n_ifs;
    sn_hello *apps[SN_FG_MAX_APPS];
    size_t n_apps;
    sn_bridge *bridge;      /* switch and hub nodes: their ports are the ifs */
    sn_ping *pings[SN_FG_MAX_APPS];
    size_t n_pings;
    sn_traceroute *traces[SN_FG_MAX_APPS];
    size_t n_traces;
} run_node;

/* One block of samples a port was given, as written to the medium's
 * recording. A frame the PHY reports later is placed in the file through
 * these: its first sample is on the medium's sample clock, and the
 * recording interleaves every port's blocks, so only the block that holds
 * that sample knows where it landed in the file. */
typedef struct rec_block {
    uint64_t msample;  /* [samples] medium sample index of the block's first sample */
    uint64_t file;     /* [samples] offset of that sample in the recording */
    uint64_t n;        /* [samples] */
    int from_port;     /* loudest burst with samples in it, -1 for noise only */
    double snr_db;     /* [dB] that burst's SNR at this port */
    int decoded;       /* a decoded frame has samples in it */
} rec_block;

/* Blocks remembered per port. The PHY reports a frame once its last sample
 * is fed, and the medium hands a burst over in one or a few blocks, so the
 * block holding a frame's first sample is always among the last few; 16
 * leaves a wide margin. */
#define RUN_REC_RING 16

typedef struct rec_ring {
    rec_block b[RUN_REC_RING];
    size_t head;  /* index of the oldest */
    size_t count;
} rec_ring;

#define RUN_MAX_PORTS 64

/* Bursts kept for the plot of a medium's signal. */
#define RUN_PLOT_MAX 8
typedef struct plot_burst {
    uint64_t start, count;
    char label[96];
} plot_burst;

typedef struct run_medium {
    struct run *run;
    const char *base;       /* OUT/MEDIUM: its SigMF recording, without extension */
    plot_burst plot[RUN_PLOT_MAX];
    size_t n_plot;
    const sn_fg_medium *fg;
    sn_medium *m;
    sn_sigmf_writer *rec;
    run_iface *port_iface[RUN_MAX_PORTS];
    rec_ring *rings; /* [RUN_MAX_PORTS], recent blocks per receiving port */
    uint64_t bursts, samples;
} run_medium;

typedef struct run {
    const sn_flowgraph *fg;
    const sn_run_options *opt;
    uint64_t seed;
    sn_sched *sched;
    run_medium media[SN_FG_MAX_MEDIA];
    run_node nodes[SN_FG_MAX_NODES];
    char *files[RUN_MAX_FILES];
    size_t n_files;
    json_t *events; /* narrative as JSON (for --json) */
    int error;
} run;

/* ---- small helpers ---------------------------------------------------- */

static int mkdir_p(const char *path)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

/* Remember OUT_DIR/a[.b].suffix as a file of the run; returns its path. */
static const char *add_file(run *r, const char *a, const char *b, const char *suffix)
{
    char path[1024];
    int n = snprintf(path, sizeof path, "%s/%s%s%s%s", r->opt->out_dir, a, b ? "." : "",
                     b ? b : "", suffix);
    if (n < 0 || n >= (int)sizeof path || r->n_files >= RUN_MAX_FILES)
        return NULL;
    r->files[r->n_files] = strdup(path);
    return r->files[r->n_files] ? r->files[r->n_files++] : NULL;
}

static sn_pcap_tap *open_tap(run *r, const char *path, int linktype)
{
    if (!path) {
        r->error = 1;
        return NULL;
    }
    int err;
    sn_pcap_tap *t = sn_pcap_tap_open(path, linktype, &err);
    if (!t)
        r->error = 1;
    return t;
}

static double now_s(const run *r) { return sn_time_to_s(sn_sched_now(r->sched)); }

static int narrate(const run *r) { return !r->opt->json && !r->opt->quiet; }

static void event_json(run *r, const char *who, const char *layer, const char *what,
                       const char *detail)
{
    if (!r->events)
        return;
    json_t *e = json_pack("{s:f, s:s, s:s, s:s}", "t", now_s(r), "who", who, "layer", layer,
                          "what", what);
    if (!e)
        return;
    if (detail)
        json_object_set_new(e, "detail", json_string(detail));
    json_array_append_new(r->events, e);
}

/* One line of the narrative ("  0.012 s  A.rf0      phy    ...") and the
 * same event in the --json log. `col` is the short column label. */
static void report_event(run *r, const char *who, const char *col, const char *layer,
                         const char *what, const char *line)
{
    if (narrate(r))
        fprintf(r->opt->out, "%10.6f s  %-10s %-6s %s\n", now_s(r), who, col, line);
    event_json(r, who, layer, what, line);
}

/* ---- glue between layers --------------------------------------------- */

static int lower_send(void *lower, sn_pkt *frame) { return sn_phy_send(lower, frame); }

static void phy_up(void *user, sn_pkt *frame)
{
    run_iface *f = user;
    if (f->dcf)
        sn_dcf_input(f->dcf, frame);
    else
        sn_netif_input(f->nif, frame, sn_sched_now(f->node->run->sched));
}

static void dcf_up(void *user, sn_pkt *frame)
{
    run_iface *f = user;
    sn_netif_input(f->nif, frame, sn_sched_now(f->node->run->sched));
}

static void on_dcf_event(void *user, const char *what, const char *line)
{
    run_iface *f = user;
    report_event(f->node->run, f->label, "csma", "csma", what, line);
}

static void note_plot(run_medium *m, uint64_t start, uint64_t count, const char *label)
{
    if (m->n_plot >= RUN_PLOT_MAX)
        return;
    plot_burst *b = &m->plot[m->n_plot++];
    b->start = start;
    b->count = count;
    /* gnuplot titles: keep it to characters that need no escaping */
    size_t k = 0;
    for (const char *c = label; *c && k + 1 < sizeof b->label; c++)
        b->label[k++] = (*c == '"' || *c == '\\' || *c == '\'') ? ' ' : *c;
    b->label[k] = 0;
}

static run_iface *port_iface(const run_medium *m, int port)
{
    return port >= 0 && port < RUN_MAX_PORTS ? m->port_iface[port] : NULL;
}

/* A block leaves the ring: if it carried a burst and no decoded frame has
 * samples in it, the recording still says a burst was there. */
static void retire_block(run_medium *m, int port, const rec_block *b)
{
    if (b->from_port < 0 || b->decoded)
        return;
    char comment[256];
    run_iface *from = port_iface(m, b->from_port), *to = port_iface(m, port);
    snprintf(comment, sizeof comment, "%s -> %s, nothing decoded", from ? from->label : "?",
             to ? to->label : "?");
    sn_sigmf_writer_annotate(m->rec, b->file, b->n, "burst (not decoded)", comment, b->snr_db);
    note_plot(m, b->file, b->n, comment);
}

static rec_block *ring_at(rec_ring *g, size_t i) { return &g->b[(g->head + i) % RUN_REC_RING]; }

/* Retire every block remembered for `port`. */
static void flush_ring(run_medium *m, int port)
{
    if (!m->rings || port < 0 || port >= RUN_MAX_PORTS)
        return;
    rec_ring *g = &m->rings[port];
    for (size_t i = 0; i < g->count; i++)
        retire_block(m, port, ring_at(g, i));
    g->head = g->count = 0;
}

/* Annotate exactly the samples of one frame the PHY of `f` reported: `st`
 * is on the medium's sample clock (sn_phy maps the modem's stream index to
 * the radio's, which for a sim radio is the medium's). */
static void annotate_frame(run_medium *m, const run_iface *f, const sn_phy_stats *st,
                           size_t len, const char *desc)
{
    if (!m->rings || f->port < 0 || f->port >= RUN_MAX_PORTS || st->sample_count == 0)
        return;
    rec_ring *g = &m->rings[f->port];
    /* the block holding the frame's first sample: newest first */
    size_t k = g->count;
    while (k > 0) {
        const rec_block *b = ring_at(g, k - 1);
        if (st->sample_start >= b->msample && st->sample_start - b->msample < b->n)
            break;
        k--;
    }
    if (k == 0)
        return; /* not among the blocks remembered: nowhere to put it */
    size_t first = k - 1;
    /* the stretch of the file around it where the port's samples follow one
     * another (the recording interleaves ports: a frame must not be drawn
     * over another port's samples) */
    size_t lo = first, hi = first;
    while (lo > 0) {
        const rec_block *a = ring_at(g, lo - 1), *b = ring_at(g, lo);
        if (a->msample + a->n != b->msample || a->file + a->n != b->file)
            break;
        lo--;
    }
    while (hi + 1 < g->count) {
        const rec_block *a = ring_at(g, hi), *b = ring_at(g, hi + 1);
        if (a->msample + a->n != b->msample || a->file + a->n != b->file)
            break;
        hi++;
    }
    const rec_block *b0 = ring_at(g, first);
    uint64_t run_lo = ring_at(g, lo)->file;
    uint64_t run_hi = ring_at(g, hi)->file + ring_at(g, hi)->n;
    uint64_t start = b0->file + (st->sample_start - b0->msample);
    uint64_t count = st->sample_count;
    /* The start is the modem's estimate (within a sample or two), and the
     * medium ends a burst's block on its last sample: an estimate a little
     * late would reach past it into whatever comes next in the file. Keep
     * the frame's length exact and move it back inside instead. */
    if (count > run_hi - run_lo)
        count = run_hi - run_lo;
    if (start + count > run_hi)
        start = run_hi - count;
    if (start < run_lo)
        start = run_lo;
    /* every block the frame has samples in was decoded */
    for (size_t i = 0; i < g->count; i++) {
        rec_block *b = ring_at(g, i);
        if (b->msample < st->sample_start + st->sample_count &&
            st->sample_start < b->msample + b->n)
            b->decoded = 1;
    }
    char label[256];
    snprintf(label, sizeof label, "%s%s", st->crc_ok ? "" : "[CRC failed] ", desc);
    char comment[256];
    run_iface *from = port_iface(m, b0->from_port);
    snprintf(comment, sizeof comment, "%s -> %s, %zu bytes, measured SNR %.1f dB",
             from ? from->label : "?", f->label, len, st->snr_db);
    sn_sigmf_writer_annotate(m->rec, start, count, label, comment, st->snr_db);
    char title[600];
    snprintf(title, sizeof title, "%s -> %s: %s", from ? from->label : "?", f->label, label);
    note_plot(m, start, count, title);
}

static void on_burst(void *user, int tx, const uint8_t *frame, size_t len,
                     const sn_phy_stats *st, size_t nsamples)
{
    run_iface *f = user;
    run *r = f->node->run;
    /* `label`: what the frame is (the SigMF annotation, as sdrnet rx names
     * it); `desc`: that plus the radio MAC's control word, for the
     * narrative */
    char label[160], desc[240];
    unsigned type = sn_dcf_ctrl_type(st->ctrl);
    sn_describe_burst(frame, len, st->ctrl, label, sizeof label);
    if (len == 0 && type == SN_DCF_T_ACK) {
        snprintf(desc, sizeof desc, "%s  [MAC control word 0x%08x]", label, (unsigned)st->ctrl);
    } else {
        if (type == SN_DCF_T_DATA || type == SN_DCF_T_DATA_NOACK)
            snprintf(desc, sizeof desc, "%s  [%s seq %u%s, %s]", label,
                     type == SN_DCF_T_DATA ? "ack requested," : "no ack,",
                     sn_dcf_ctrl_seq(st->ctrl), sn_dcf_ctrl_retry(st->ctrl) ? " retry" : "",
                     sn_phy_rate_name(st->rate));
        else
            snprintf(desc, sizeof desc, "%s", label);
    }
    char line[400];
    if (tx) {
        snprintf(line, sizeof line, "tx %zu bytes -> %zu samples (%.3f ms)  %s", len, nsamples,
                 1e3 * (double)nsamples / r->fg->sample_rate, desc);
    } else {
        snprintf(line, sizeof line, "rx %zu bytes  SNR %.1f dB  CFO %+.0f Hz  %s  %s", len,
                 st->snr_db, st->cfo_hz, st->crc_ok ? "crc ok " : "CRC BAD", desc);
        annotate_frame(&r->media[f->medium], f, st, len, label);
    }
    report_event(r, f->label, "phy", "phy", tx ? "tx" : "rx", line);
}

static void on_medium(void *user, int to_port, const sn_medium_rx *rx)
{
    run_medium *m = user;
    /* blocks without a burst's samples (trailing guards, or what a port got
     * while it was transmitting) are recorded, not annotated */
    int burst = rx->from_port >= 0;
    m->bursts += burst;
    m->samples += rx->n;
    if (to_port < 0 || to_port >= RUN_MAX_PORTS || !m->rings)
        return;
    /* at a gap the PHY forgets whatever it was receiving (sn_phy resets its
     * modem), so no frame can still be reported in the blocks before */
    if (rx->gap)
        flush_ring(m, to_port);
    uint64_t first = 0;
    if (sn_sigmf_writer_write(m->rec, rx->iq, rx->n, &first) != SN_OK) {
        m->run->error = 1;
        return;
    }
    rec_ring *g = &m->rings[to_port];
    if (g->count == RUN_REC_RING) {
        retire_block(m, to_port, ring_at(g, 0));
        g->head = (g->head + 1) % RUN_REC_RING;
        g->count--;
    }
    rec_block *b = ring_at(g, g->count++);
    b->msample = rx->sample_start;
    b->file = first;
    b->n = rx->n;
    b->from_port = rx->from_port;
    b->snr_db = rx->snr_db;
    b->decoded = 0;
}

static void on_hello(void *user, const sn_hello_msg *msg)
{
    run_node *n = user;
    run *r = n->run;
    char peer[16], txt[3 * SN_HELLO_TEXT_MAX], bits[9 * 64 + 8], line[1100];
    sn_describe_text(msg->data, msg->len, SN_HELLO_TEXT_MAX, txt, sizeof txt);
    sn_describe_bits(msg->data, msg->len, 64, bits, sizeof bits);
    if (msg->sent) {
        sn_ip4_format(msg->dst, peer);
        snprintf(line, sizeof line, "send \"%s\" to %s:%u from port %u", txt, peer,
                 msg->dport, msg->sport);
    } else {
        sn_ip4_format(msg->src, peer);
        snprintf(line, sizeof line, "received \"%s\" from %s:%u on port %u (SNR %.1f dB)", txt,
                 peer, msg->sport, msg->dport, msg->snr_db);
    }
    report_event(r, n->fg->name, "hello", "app", msg->sent ? "send" : "receive", line);
    if (narrate(r))
        fprintf(r->opt->out, "%10s    %-10s        bits %s\n", "", "", bits);
}

/* ---- building ------------------------------------------------------- */

static int build_media(run *r)
{
    const sn_flowgraph *fg = r->fg;
    for (size_t i = 0; i < fg->n_media; i++) {
        run_medium *m = &r->media[i];
        m->run = r;
        m->fg = &fg->media[i];
        m->rings = calloc(RUN_MAX_PORTS, sizeof *m->rings);
        if (!m->rings)
            return -1;
        sn_rng seeder;
        sn_rng_seed_stream(&seeder, r->seed, 1000 + i);
        m->m = sn_medium_create(r->sched, fg->sample_rate, sn_rng_u64(&seeder));
        if (!m->m)
            return -1;
        sn_medium_set_default_snr(m->m, m->fg->snr_db);
        const char *base = add_file(r, m->fg->name, NULL, "");
        if (!base)
            return -1;
        m->base = base;
        char desc[SN_FG_TEXT_MAX + 128];
        snprintf(desc, sizeof desc, "sdrnet flowgraph '%s', medium '%s': every burst as received, "
                 "%.1f dB SNR", fg->name, m->fg->name, m->fg->snr_db);
        m->rec = sn_sigmf_writer_open(base, fg->sample_rate, fg->freq_hz, desc);
        if (!m->rec)
            return -1;
        sn_medium_set_tap(m->m, on_medium, m);
    }
    return 0;
}

static void default_mac(size_t node, size_t iface, sn_mac_addr *mac)
{
    /* locally administered unicast: 02:00:00:00:<node>:<iface> */
    memset(mac, 0, sizeof *mac);
    mac->b[0] = 0x02;
    mac->b[4] = (uint8_t)(node + 1);
    mac->b[5] = (uint8_t)(iface + 1);
}

static int build_iface(run *r, run_node *n, size_t ni, size_t ii)
{
    const sn_fg_iface *fi = &n->fg->ifaces[ii];
    run_iface *f = &n->ifs[ii];
    f->node = n;
    f->fg = fi;
    f->medium = fi->medium;
    snprintf(f->label, sizeof f->label, "%s.%s", n->fg->name, fi->name);
    f->phy_tap = open_tap(r, add_file(r, n->fg->name, fi->name, ".phy.pcap"),
                          SN_LINKTYPE_WIRESHARK_UPPER_PDU);
    f->mac_tap = open_tap(r, add_file(r, n->fg->name, fi->name, ".mac.pcap"),
                          SN_LINKTYPE_ETHERNET);
    if (n->fg->type == SN_FG_NODE_HOST) /* a switch port has no IP layer */
        f->net_tap = open_tap(r, add_file(r, n->fg->name, fi->name, ".net.pcap"),
                              SN_LINKTYPE_IPV4);
    if (r->error)
        return -1;
    sn_phy_config pc;
    sn_phy_config_default(&pc);
    pc.modem.rate = r->fg->rate;
    pc.freq_hz = r->fg->freq_hz;
    run_medium *m = &r->media[fi->medium];
    f->radio = sn_radio_sim_create(m->m);
    if (!f->radio)
        return -1;
    f->phy = sn_phy_create(&pc, r->sched, n->pool, f->radio, f->phy_tap, phy_up, f);
    if (!f->phy)
        return -1;
    f->port = sn_phy_port(f->phy);
    if (f->port >= 0 && f->port < RUN_MAX_PORTS)
        m->port_iface[f->port] = f;
    sn_phy_set_burst_observer(f->phy, on_burst, f);
    sn_netif_config nc = {.name = fi->name, .mtu = SN_ETH_MTU};
    if (fi->has_mac)
        nc.mac = fi->mac;
    else
        default_mac(ni, ii, &nc.mac);
    if (r->fg->mac.csma) {
        const sn_fg_mac *fm = &r->fg->mac;
        sn_dcf_config dc;
        sn_dcf_config_default(&dc);
        dc.retry_limit = fm->retry_limit;
        dc.cw_min = fm->cw_min;
        dc.cw_max = fm->cw_max;
        dc.rate_control = fm->rate_control;
        dc.fixed_rate = fm->fixed_rate;
        /* a bridge port answers for the stations behind it */
        dc.ack_all_unicast = n->fg->type != SN_FG_NODE_HOST;
        sn_rng seeder;
        sn_rng_seed_stream(&seeder, r->seed, 3000 + 64 * ni + ii);
        f->dcf = sn_dcf_create(&dc, r->sched, n->pool, f->phy, &pc.modem, &nc.mac,
                               sn_rng_u64(&seeder));
        if (!f->dcf)
            return -1;
        sn_dcf_set_rx(f->dcf, dcf_up, f);
        sn_dcf_set_event(f->dcf, on_dcf_event, f);
        f->nif = sn_netif_create(&nc, sn_dcf_send, f->dcf, f->mac_tap);
    } else {
        f->nif = sn_netif_create(&nc, lower_send, f->phy, f->mac_tap);
    }
    if (!f->nif)
        return -1;
    n->n_ifs = ii + 1;
    /* per-link settings: every other port on this medium hears us at the
     * medium's SNR and frequency offset */
    if (fi->has_ipv4) {
        int rc = sn_ipv4_add_iface(n->ip, f->nif, fi->addr, fi->prefix_len, f->net_tap);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static void on_ping_line(void *user, const char *line)
{
    run_node *n = user;
    report_event(n->run, n->fg->name, "ping", "app", "ping", line);
}

static int build_ping(run *r, run_node *n, const sn_fg_app *a)
{
    sn_ping_config pc = {
        .dst = a->to_addr,
        .count = a->count,
        .interval = sn_time_from_s(a->interval_s),
        .start = sn_time_from_s(a->at_s),
        .size = a->size,
        .timeout = 2 * SN_NS_PER_S, /* wait this long after the last request */
        .id = (uint16_t)(0x5000 + n->n_pings),
    };
    int err;
    sn_ping *p = sn_ping_create(&pc, r->sched, sn_ipv4_icmp(n->ip), on_ping_line, n, &err);
    if (!p) {
        fprintf(stderr, "%s:%d: node '%s': ping cannot start: %s\n", r->fg->path, a->line,
                n->fg->name, sn_strerror(err));
        return -1;
    }
    n->pings[n->n_pings++] = p;
    return 0;
}

static void on_trace_line(void *user, const char *line)
{
    run_node *n = user;
    report_event(n->run, n->fg->name, "trace", "app", "traceroute", line);
}

static int build_traceroute(run *r, run_node *n, const sn_fg_app *a)
{
    sn_traceroute_config tc = {
        .dst = a->to_addr,
        .max_hops = a->count,
        .queries = a->queries,
        .wait = sn_time_from_s(a->interval_s),
        .start = sn_time_from_s(a->at_s),
    };
    int err;
    sn_traceroute *t = sn_traceroute_create(&tc, r->sched, n->udp, on_trace_line, n, &err);
    if (!t) {
        fprintf(stderr, "%s:%d: node '%s': traceroute cannot start: %s\n", r->fg->path,
                a->line, n->fg->name, sn_strerror(err));
        return -1;
    }
    n->traces[n->n_traces++] = t;
    return 0;
}

/* A switch or hub: its interfaces become the bridge's ports 1, 2, ... in
 * the order the flowgraph lists them; no IP, no apps. */
static int build_bridge(run *r, run_node *n, size_t ni)
{
    for (size_t ii = 0; ii < n->fg->n_ifaces; ii++)
        if (build_iface(r, n, ni, ii) != 0)
            return -1;
    sn_bridge_config bc = {
        .name = n->fg->name,
        .mode = n->fg->type == SN_FG_NODE_HUB ? SN_BRIDGE_HUB : SN_BRIDGE_SWITCH,
        .ageing = sn_time_from_s(n->fg->ageing_s),
    };
    n->bridge = sn_bridge_create(&bc, r->sched, n->pool);
    if (!n->bridge)
        return -1;
    for (size_t ii = 0; ii < n->n_ifs; ii++)
        if (sn_bridge_add_port(n->bridge, n->ifs[ii].nif) < 0)
            return -1;
    return 0;
}

static int build_node(run *r, size_t ni)
{
    run_node *n = &r->nodes[ni];
    n->run = r;
    n->fg = &r->fg->nodes[ni];
    n->pool = sn_pktpool_create(RUN_POOL_BUFS, RUN_POOL_BUF_SIZE);
    if (!n->pool)
        return -1;
    if (n->fg->type != SN_FG_NODE_HOST)
        return build_bridge(r, n, ni);
    n->ip = sn_ipv4_create(r->sched, n->pool);
    n->transport_tap = open_tap(r, add_file(r, n->fg->name, NULL, ".transport.pcap"),
                                SN_LINKTYPE_IPV4);
    if (!n->pool || !n->ip || !n->transport_tap)
        return -1;
    sn_rng seeder;
    sn_rng_seed_stream(&seeder, r->seed, 2000 + ni);
    n->udp = sn_udp_create(n->ip, n->pool, n->transport_tap, sn_rng_u64(&seeder));
    if (!n->udp)
        return -1;
    for (size_t ii = 0; ii < n->fg->n_ifaces; ii++)
        if (build_iface(r, n, ni, ii) != 0)
            return -1;
    /* static routes need their interfaces: a next hop must be on a
     * connected network */
    for (size_t ri = 0; ri < n->fg->n_routes; ri++) {
        const sn_fg_route *rt = &n->fg->routes[ri];
        int rc = sn_ipv4_add_route(n->ip, rt->prefix, rt->prefix_len, rt->via);
        if (rc != SN_OK) {
            char via[16];
            fprintf(stderr, "%s:%d: node '%s': route via %s: %s\n", r->fg->path, rt->line,
                    n->fg->name, sn_ip4_format(rt->via, via),
                    rc == SN_ERR_NOENT ? "the next hop is on none of the node's networks"
                                       : sn_strerror(rc));
            return -1;
        }
    }
    sn_ipv4_set_forwarding(n->ip, n->fg->forwarding);
    /* the interfaces are up: tell the neighbours (RFC 5227 announcements) */
    if (r->fg->mac.announce)
        sn_ipv4_announce(n->ip);
    for (size_t ai = 0; ai < n->fg->n_apps; ai++) {
        const sn_fg_app *a = &n->fg->apps[ai];
        if (a->type == SN_FG_APP_PING) {
            if (build_ping(r, n, a) != 0)
                return -1;
            continue;
        }
        if (a->type == SN_FG_APP_TRACEROUTE) {
            if (build_traceroute(r, n, a) != 0)
                return -1;
            continue;
        }
        if (a->type != SN_FG_APP_HELLO)
            continue;
        sn_hello_config hc = {
            .listen_port = a->listen_port,
            .send = a->has_send,
            .to_addr = a->to_addr,
            .to_port = a->to_port,
            .from_port = a->from_port,
            .at = sn_time_from_s(a->at_s),
        };
        snprintf(hc.text, sizeof hc.text, "%s", a->text);
        int err;
        n->apps[n->n_apps] = sn_hello_create(&hc, r->sched, n->udp, "hello", on_hello, n, &err);
        if (!n->apps[n->n_apps]) {
            fprintf(stderr, "%s:%d: node '%s': hello app cannot start: %s\n", r->fg->path,
                    a->line, n->fg->name, sn_strerror(err));
            return -1;
        }
        n->n_apps++;
    }
    return 0;
}

static void set_links(run *r)
{
    /* every ordered pair of ports on a medium gets the medium's SNR and CFO */
    for (size_t i = 0; i < r->fg->n_media; i++) {
        run_medium *m = &r->media[i];
        for (int a = 0; a < RUN_MAX_PORTS; a++)
            for (int b = 0; b < RUN_MAX_PORTS; b++)
                if (a != b && m->port_iface[a] && m->port_iface[b])
                    sn_medium_set_link(m->m, a, b, m->fg->snr_db, m->fg->cfo_hz);
    }
}

static void teardown(run *r)
{
    for (size_t ni = 0; ni < r->fg->n_nodes; ni++) {
        run_node *n = &r->nodes[ni];
        for (size_t ai = 0; ai < n->n_apps; ai++)
            sn_hello_destroy(n->apps[ai]);
        for (size_t pi = 0; pi < n->n_pings; pi++)
            sn_ping_destroy(n->pings[pi]);
        for (size_t ti = 0; ti < n->n_traces; ti++)
            sn_traceroute_destroy(n->traces[ti]);
        sn_bridge_destroy(n->bridge); /* before its netifs */
        sn_udp_destroy(n->udp);
        sn_ipv4_destroy(n->ip);
        for (size_t ii = 0; ii < SN_FG_MAX_IFACES; ii++) {
            run_iface *f = &n->ifs[ii];
            sn_netif_destroy(f->nif);
            sn_dcf_destroy(f->dcf);
            sn_phy_destroy(f->phy);
            sn_radio_destroy(f->radio);
            if (sn_pcap_tap_close(f->phy_tap) | sn_pcap_tap_close(f->mac_tap) |
                sn_pcap_tap_close(f->net_tap))
                r->error = 1; /* reported by the tap; the run's status says it */
        }
        if (sn_pcap_tap_close(n->transport_tap))
            r->error = 1;
        sn_pktpool_destroy(n->pool);
    }
    for (size_t i = 0; i < r->fg->n_media; i++) {
        run_medium *m = &r->media[i];
        sn_sigmf_writer_close(m->rec); /* only if the run stopped early */
        sn_medium_destroy(m->m);
        free(m->rings);
    }
    sn_sched_destroy(r->sched);
    for (size_t i = 0; i < r->n_files; i++)
        free(r->files[i]);
    json_decref(r->events);
}

/* ---- reporting ------------------------------------------------------- */

/* The radio MAC's counters, with the rate of its last data burst as an
 * index (0 = bpsk-1/2 ... 7 = qam64-3/4; the text report names it). */
static size_t dcf_stats(const sn_dcf *d, sn_stat *s, size_t max)
{
    size_t n = sn_dcf_stats(d, s, max);
    sn_dcf_counters c;
    sn_dcf_get_counters(d, &c);
    if (c.last_rate >= 0)
        n = sn_stat_add(s, n, max, "last_rate", (uint64_t)c.last_rate);
    return n;
}

static size_t phy_stats(const sn_phy *p, sn_stat *s, size_t max)
{
    sn_phy_counters c;
    sn_phy_get_counters(p, &c);
    size_t n = 0;
    n = sn_stat_add(s, n, max, "tx_frames", c.tx_frames);
    n = sn_stat_add(s, n, max, "tx_bytes", c.tx_bytes);
    n = sn_stat_add(s, n, max, "tx_samples", c.tx_samples);
    n = sn_stat_add(s, n, max, "rx_frames", c.rx_frames);
    n = sn_stat_add(s, n, max, "rx_bytes", c.rx_bytes);
    n = sn_stat_add(s, n, max, "rx_samples", c.rx_samples);
    n = sn_stat_add(s, n, max, "drop_crc", c.rx_drop_crc);
    n = sn_stat_add(s, n, max, "drop_header", c.rx_drop_header);
    n = sn_stat_add(s, n, max, "drop_nobuf", c.rx_drop_nobuf);
    n = sn_stat_add(s, n, max, "drop_too_long", c.rx_drop_too_long);
    n = sn_stat_add(s, n, max, "drop_tx_radio", c.tx_drop_radio);
    n = sn_stat_add(s, n, max, "drop_tx_queue_full", c.tx_drop_queue_full);
    n = sn_stat_add(s, n, max, "drop_tx_too_long", c.tx_drop_too_long);
    return n;
}

static json_t *stats_json(const sn_stat *s, size_t n)
{
    json_t *o = json_object();
    json_t *drops = json_object();
    for (size_t i = 0; i < n && o && drops; i++) {
        if (!strncmp(s[i].name, "drop_", 5))
            json_object_set_new(drops, s[i].name + 5, json_integer((json_int_t)s[i].value));
        else
            json_object_set_new(o, s[i].name, json_integer((json_int_t)s[i].value));
    }
    json_object_set_new(o, "drops", drops);
    return o;
}

static void print_stats(FILE *out, const char *who, const char *layer, const sn_stat *s,
                        size_t n)
{
    fprintf(out, "  %-10s %-9s", who, layer);
    int drops = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strncmp(s[i].name, "drop_", 5)) {
            drops += s[i].value != 0;
            continue;
        }
        if (!strcmp(s[i].name, "last_rate")) /* the radio MAC's: name it */
            fprintf(out, " last_rate=%s", sn_phy_rate_name((sn_phy_rate)s[i].value));
        else
            fprintf(out, " %s=%llu", s[i].name, (unsigned long long)s[i].value);
    }
    if (drops) {
        fprintf(out, "\n  %-10s %-9s drops:", "", "");
        for (size_t i = 0; i < n; i++)
            if (!strncmp(s[i].name, "drop_", 5) && s[i].value)
                fprintf(out, " %s=%llu", s[i].name + 5, (unsigned long long)s[i].value);
    }
    fputc('\n', out);
}

/* Visit every (who, layer, stats) triple once, for printing or JSON. */
typedef void (*layer_visit_fn)(void *ctx, const run_node *n, const run_iface *f,
                               const char *layer, const sn_stat *s, size_t count);

static void visit_layers(const run *r, layer_visit_fn fn, void *ctx)
{
    sn_stat s[SN_STATS_MAX];
    for (size_t ni = 0; ni < r->fg->n_nodes; ni++) {
        const run_node *n = &r->nodes[ni];
        for (size_t ii = 0; ii < n->n_ifs; ii++) {
            const run_iface *f = &n->ifs[ii];
            fn(ctx, n, f, "phy", s, phy_stats(f->phy, s, SN_STATS_MAX));
            fn(ctx, n, f, "mac", s, sn_netif_stats(f->nif, s, SN_STATS_MAX));
            if (f->dcf)
                fn(ctx, n, f, "csma", s, dcf_stats(f->dcf, s, SN_STATS_MAX));
            for (size_t k = 0; n->ip && k < sn_ipv4_iface_count(n->ip); k++)
                if (sn_ipv4_iface_netif(n->ip, k) == f->nif)
                    fn(ctx, n, f, "arp", s, sn_arp_stats(sn_ipv4_iface_arp(n->ip, k), s,
                                                         SN_STATS_MAX));
        }
        if (n->bridge) {
            fn(ctx, n, NULL, "bridge", s, sn_bridge_stats(n->bridge, s, SN_STATS_MAX));
            continue;
        }
        fn(ctx, n, NULL, "net", s, sn_ipv4_stats(n->ip, s, SN_STATS_MAX));
        fn(ctx, n, NULL, "icmp", s, sn_icmp_stats(sn_ipv4_icmp(n->ip), s, SN_STATS_MAX));
        fn(ctx, n, NULL, "transport", s, sn_udp_stats(n->udp, s, SN_STATS_MAX));
    }
}

static void print_visit(void *ctx, const run_node *n, const run_iface *f, const char *layer,
                        const sn_stat *s, size_t count)
{
    print_stats(ctx, f ? f->label : n->fg->name, layer, s, count);
}

static const char *r_medium_name(const run_iface *f)
{
    return f->node->run->fg->media[f->medium].name;
}

typedef struct json_visit {
    json_t *nodes;
} json_visit;

static json_t *node_obj(json_t *nodes, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(nodes, i, v)
    {
        if (!strcmp(json_string_value(json_object_get(v, "name")), name))
            return v;
    }
    v = json_pack("{s:s, s:{}, s:[]}", "name", name, "layers", "interfaces");
    json_array_append_new(nodes, v);
    return v;
}

static void json_visit_fn(void *ctx, const run_node *n, const run_iface *f, const char *layer,
                          const sn_stat *s, size_t count)
{
    json_visit *jv = ctx;
    json_t *node = node_obj(jv->nodes, n->fg->name);
    if (!node)
        return;
    if (!f) {
        json_object_set_new(json_object_get(node, "layers"), layer, stats_json(s, count));
        return;
    }
    json_t *ifs = json_object_get(node, "interfaces");
    json_t *ifo = NULL, *v;
    size_t i;
    json_array_foreach(ifs, i, v)
    {
        if (!strcmp(json_string_value(json_object_get(v, "name")), f->fg->name))
            ifo = v;
    }
    if (!ifo) {
        char mac[18];
        ifo = json_pack("{s:s, s:s, s:s, s:{}}", "name", f->fg->name, "medium",
                        r_medium_name(f), "mac", sn_mac_format(sn_netif_mac(f->nif), mac),
                        "layers");
        if (!ifo)
            return;
        if (f->fg->has_ipv4) {
            char a[16], buf[24];
            snprintf(buf, sizeof buf, "%s/%d", sn_ip4_format(f->fg->addr, a), f->fg->prefix_len);
            json_object_set_new(ifo, "ipv4", json_string(buf));
        }
        json_array_append_new(ifs, ifo);
    }
    json_object_set_new(json_object_get(ifo, "layers"), layer, stats_json(s, count));
}

static json_t *apps_json(const run_node *n)
{
    json_t *arr = json_array();
    for (size_t ai = 0; ai < n->n_apps && arr; ai++) {
        const sn_hello_msg *msgs;
        uint64_t dropped;
        size_t cnt = sn_hello_messages(n->apps[ai], &msgs, &dropped);
        json_t *sent = json_array(), *recv = json_array();
        for (size_t i = 0; i < cnt; i++) {
            const sn_hello_msg *m = &msgs[i];
            char txt[3 * SN_HELLO_TEXT_MAX], bits[9 * SN_HELLO_TEXT_MAX + 8], a[16], b[16];
            sn_describe_text(m->data, m->len, SN_HELLO_TEXT_MAX, txt, sizeof txt);
            sn_describe_bits(m->data, m->len, SN_HELLO_TEXT_MAX, bits, sizeof bits);
            json_t *o = json_pack("{s:f, s:s, s:s, s:s, s:i, s:i}", "t", sn_time_to_s(m->time),
                                  "text", txt, "bits", bits, m->sent ? "to" : "from",
                                  sn_ip4_format(m->sent ? m->dst : m->src, a), "sport", m->sport,
                                  "dport", m->dport);
            if (!o)
                continue;
            if (m->sent) {
                json_object_set_new(o, "status", json_string(sn_strerror(m->status)));
                json_array_append_new(sent, o);
            } else {
                json_object_set_new(o, "to", json_string(sn_ip4_format(m->dst, b)));
                json_object_set_new(o, "snr_db", isfinite(m->snr_db) ? json_real(m->snr_db)
                                                                     : json_null());
                json_array_append_new(recv, o);
            }
        }
        json_array_append_new(arr, json_pack("{s:s, s:o, s:o, s:I}", "type", "hello", "sent",
                                             sent, "received", recv, "dropped",
                                             (json_int_t)dropped));
    }
    for (size_t pi = 0; pi < n->n_pings && arr; pi++) {
        const sn_ping *p = n->pings[pi];
        const sn_ping_config *pc = sn_ping_get_config(p);
        sn_ping_result pr;
        sn_ping_get_result(p, &pr);
        char dst[16];
        json_t *rtts = json_array();
        for (unsigned seq = 1; seq <= pc->count && rtts; seq++) {
            double t = sn_ping_rtt_ms(p, seq);
            json_array_append_new(rtts, isnan(t) ? json_null() : json_real(t));
        }
        json_t *o = json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:o}", "type", "ping", "to",
                              sn_ip4_format(pc->dst, dst), "size", (int)pc->size,
                              "transmitted", (int)pr.transmitted, "received", (int)pr.received,
                              "duplicates", (int)pr.duplicates, "rtt_ms",
                              rtts ? rtts : json_array());
        if (o && pr.received) {
            json_object_set_new(o, "rtt_min_ms", json_real(pr.rtt_min_ms));
            json_object_set_new(o, "rtt_avg_ms", json_real(pr.rtt_avg_ms));
            json_object_set_new(o, "rtt_max_ms", json_real(pr.rtt_max_ms));
            json_object_set_new(o, "rtt_mdev_ms", json_real(pr.rtt_mdev_ms));
        }
        json_array_append_new(arr, o);
    }
    for (size_t ti = 0; ti < n->n_traces && arr; ti++) {
        const sn_traceroute_hop *hops;
        int reached;
        size_t nh = sn_traceroute_hops(n->traces[ti], &hops, &reached);
        const sn_traceroute_config *tc = sn_traceroute_get_config(n->traces[ti]);
        json_t *jh = json_array();
        for (size_t h = 0; h < nh && jh; h++) {
            json_t *addrs = json_array(), *rtts = json_array();
            for (unsigned q = 0; q < tc->queries && addrs && rtts; q++) {
                char a[16];
                json_array_append_new(addrs, hops[h].addr[q]
                                                 ? json_string(sn_ip4_format(hops[h].addr[q], a))
                                                 : json_null());
                json_array_append_new(rtts, isnan(hops[h].rtt_ms[q]) ? json_null()
                                                                     : json_real(hops[h].rtt_ms[q]));
            }
            json_array_append_new(jh, json_pack("{s:i, s:o, s:o}", "ttl", (int)hops[h].ttl,
                                                "from", addrs ? addrs : json_array(), "rtt_ms",
                                                rtts ? rtts : json_array()));
        }
        char dst[16];
        json_array_append_new(arr, json_pack("{s:s, s:s, s:b, s:o}", "type", "traceroute", "to",
                                             sn_ip4_format(tc->dst, dst), "reached", reached,
                                             "hops", jh ? jh : json_array()));
    }
    return arr;
}

/* A switch's learned table (MAC -> port) as it stands at the end. */
#define RUN_TABLE_MAX 256

static json_t *bridge_json(const run *r, const run_node *n)
{
    sn_bridge_entry e[RUN_TABLE_MAX];
    size_t cnt = sn_bridge_table(n->bridge, sn_sched_now(r->sched), e, RUN_TABLE_MAX);
    json_t *table = json_array();
    for (size_t i = 0; i < cnt && i < RUN_TABLE_MAX && table; i++) {
        char mac[18];
        json_array_append_new(table, json_pack("{s:s, s:i, s:f}", "mac",
                                               sn_mac_format(&e[i].mac, mac), "port",
                                               (int)e[i].port, "age_s",
                                               sn_time_to_s(e[i].age)));
    }
    return json_pack("{s:s, s:f, s:o}", "mode",
                     n->fg->type == SN_FG_NODE_HUB ? "hub" : "switch", "ageing_s",
                     n->fg->ageing_s, "table", table ? table : json_array());
}

/* The name of IP interface `ifindex` (IP numbers only the interfaces that
 * have an address, so its index is not the flowgraph's). */
static const char *route_dev(const run_node *n, int ifindex)
{
    const sn_netif *nif = ifindex >= 0 ? sn_ipv4_iface_netif(n->ip, (size_t)ifindex) : NULL;
    for (size_t k = 0; nif && k < n->n_ifs; k++)
        if (n->ifs[k].nif == nif)
            return n->ifs[k].fg->name;
    return "?";
}

/* `ip route`-like text for one route: "10.0.0.0/16 via 10.255.1.254 dev cr". */
static void format_route(const run_node *n, const sn_route *rt, char *buf, size_t len)
{
    char p[16], v[16];
    const char *dev = route_dev(n, rt->ifindex);
    sn_ip4_format(rt->prefix, p);
    if (rt->next_hop)
        snprintf(buf, len, "%s/%d via %s dev %s", rt->prefix_len ? p : "default",
                 rt->prefix_len, sn_ip4_format(rt->next_hop, v), dev);
    else
        snprintf(buf, len, "%s/%d dev %s (connected)", p, rt->prefix_len, dev);
    if (!rt->prefix_len && rt->next_hop)
        snprintf(buf, len, "default via %s dev %s", sn_ip4_format(rt->next_hop, v), dev);
}

#define RUN_ROUTES_MAX 64

static json_t *routes_json(const run_node *n)
{
    sn_route rt[RUN_ROUTES_MAX];
    size_t cnt = sn_ipv4_routes(n->ip, rt, RUN_ROUTES_MAX);
    json_t *arr = json_array();
    for (size_t i = 0; i < cnt && i < RUN_ROUTES_MAX && arr; i++) {
        char p[16], v[16], line[96];
        format_route(n, &rt[i], line, sizeof line);
        json_array_append_new(arr, json_pack("{s:s, s:i, s:s, s:s, s:s, s:s}", "prefix",
                                             sn_ip4_format(rt[i].prefix, p), "len",
                                             rt[i].prefix_len, "via",
                                             rt[i].next_hop ? sn_ip4_format(rt[i].next_hop, v) : "",
                                             "dev", route_dev(n, rt[i].ifindex),
                                             "type", sn_route_type_str(rt[i].type), "text", line));
    }
    return arr;
}

static void print_routes(const run *r, FILE *out)
{
    for (size_t ni = 0; ni < r->fg->n_nodes; ni++) {
        const run_node *n = &r->nodes[ni];
        if (!n->ip || !n->fg->forwarding)
            continue;
        sn_route rt[RUN_ROUTES_MAX];
        size_t cnt = sn_ipv4_routes(n->ip, rt, RUN_ROUTES_MAX);
        fprintf(out, "\nRouter %s: routing table (longest prefix wins)\n", n->fg->name);
        for (size_t i = 0; i < cnt && i < RUN_ROUTES_MAX; i++) {
            char line[96];
            format_route(n, &rt[i], line, sizeof line);
            fprintf(out, "  %s\n", line);
        }
    }
}

static void print_bridge_tables(const run *r, FILE *out)
{
    for (size_t ni = 0; ni < r->fg->n_nodes; ni++) {
        const run_node *n = &r->nodes[ni];
        if (!n->bridge || n->fg->type != SN_FG_NODE_SWITCH)
            continue;
        sn_bridge_entry e[RUN_TABLE_MAX];
        size_t cnt = sn_bridge_table(n->bridge, sn_sched_now(r->sched), e, RUN_TABLE_MAX);
        fprintf(out, "\nSwitch %s: who is where (entries age out after %.0f s)\n",
                n->fg->name, n->fg->ageing_s);
        if (!cnt)
            fprintf(out, "  (nothing learned)\n");
        for (size_t i = 0; i < cnt && i < RUN_TABLE_MAX; i++) {
            char mac[18];
            const run_iface *f = e[i].port >= 1 && (size_t)e[i].port <= n->n_ifs
                                     ? &n->ifs[e[i].port - 1] : NULL;
            fprintf(out, "  %s -> port %d (%s), last heard %.3f s ago\n",
                    sn_mac_format(&e[i].mac, mac), (int)e[i].port,
                    f ? f->fg->name : "?", sn_time_to_s(e[i].age));
        }
    }
}

static void report_json(run *r, sn_time_t ran)
{
    json_visit jv = {.nodes = json_array()};
    visit_layers(r, json_visit_fn, &jv);
    for (size_t ni = 0; ni < r->fg->n_nodes; ni++) {
        json_t *node = node_obj(jv.nodes, r->nodes[ni].fg->name);
        if (node)
            json_object_set_new(node, "apps", apps_json(&r->nodes[ni]));
        if (node && r->nodes[ni].bridge)
            json_object_set_new(node, "bridge", bridge_json(r, &r->nodes[ni]));
        if (node && r->nodes[ni].ip) {
            json_object_set_new(node, "forwarding", json_boolean(r->nodes[ni].fg->forwarding));
            json_object_set_new(node, "routes", routes_json(&r->nodes[ni]));
        }
    }
    json_t *media = json_array();
    for (size_t i = 0; i < r->fg->n_media; i++) {
        const run_medium *m = &r->media[i];
        json_array_append_new(media, json_pack("{s:s, s:s, s:f, s:f, s:I, s:I}", "name",
                                               m->fg->name, "type", m->fg->type, "snr_db",
                                               m->fg->snr_db, "cfo_hz", m->fg->cfo_hz, "bursts",
                                               (json_int_t)m->bursts, "samples",
                                               (json_int_t)m->samples));
    }
    json_t *files = json_array();
    for (size_t i = 0; i < r->n_files; i++) {
        const char *f = r->files[i];
        size_t l = strlen(f);
        if ((l > 5 && !strcmp(f + l - 5, ".pcap")) || (l > 4 && !strcmp(f + l - 4, ".png"))) {
            json_array_append_new(files, json_string(f));
        } else { /* a SigMF base name: list both files */
            char p[1100];
            snprintf(p, sizeof p, "%s.sigmf-meta", f);
            json_array_append_new(files, json_string(p));
            snprintf(p, sizeof p, "%s.sigmf-data", f);
            json_array_append_new(files, json_string(p));
        }
    }
    json_t *root = json_pack(
        "{s:s, s:s, s:I, s:f, s:f, s:I, s:{s:s, s:f, s:f}, s:o, s:o, s:o, s:o}", "flowgraph",
        r->fg->name, "path", r->fg->path, "seed", (json_int_t)r->seed, "duration_s",
        r->fg->duration_s, "virtual_time_s", sn_time_to_s(ran), "events",
        (json_int_t)sn_sched_events_run(r->sched), "phy", "rate", sn_phy_rate_name(r->fg->rate),
        "sample_rate", r->fg->sample_rate, "frequency_hz", r->fg->freq_hz, "media", media,
        "nodes", jv.nodes, "events_log", r->events ? json_incref(r->events) : json_array(),
        "files", files);
    if (!root) {
        fprintf(stderr, "sdrnet: cannot build the JSON summary\n");
        r->error = 1;
        return;
    }
    if (sn_json_print(r->opt->out, root, 9) != 0)
        r->error = 1;
}

static void report_text(run *r)
{
    FILE *out = r->opt->out;
    fprintf(out, "\nWhat each layer did (drops by reason):\n");
    visit_layers(r, print_visit, out);
    print_bridge_tables(r, out);
    print_routes(r, out);
    fprintf(out, "\nChannel:\n");
    for (size_t i = 0; i < r->fg->n_media; i++) {
        const run_medium *m = &r->media[i];
        fprintf(out, "  %-10s %s, SNR %.1f dB, CFO %.0f Hz: %llu bursts delivered, %llu samples\n",
                m->fg->name, m->fg->type, m->fg->snr_db, m->fg->cfo_hz,
                (unsigned long long)m->bursts, (unsigned long long)m->samples);
    }
    fprintf(out, "\nFiles written:\n");
    for (size_t i = 0; i < r->n_files; i++) {
        const char *f = r->files[i];
        size_t l = strlen(f);
        if ((l > 5 && !strcmp(f + l - 5, ".pcap")) || (l > 4 && !strcmp(f + l - 4, ".png")))
            fprintf(out, "  %s\n", f);
        else
            fprintf(out, "  %s.sigmf-meta\n  %s.sigmf-data\n", f, f);
    }
}

/* `s` as a gnuplot single-quoted string (no escapes there but '' for a
 * quote; the caller keeps line breaks out). */
static void put_gp_quoted(FILE *g, const char *s)
{
    fputc('\'', g);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', g);
        fputc(*s, g);
    }
    fputc('\'', g);
}

/* Draw each medium's recorded bursts (I and Q against time) with gnuplot:
 * the picture of the signal a learner looks at. Returns 0 or -1. */
static int plot_media(run *r)
{
    int rc = 0;
    for (size_t i = 0; i < r->fg->n_media; i++) {
        run_medium *m = &r->media[i];
        if (!m->n_plot)
            continue;
        const char *png = add_file(r, m->fg->name, NULL, ".png");
        const char *base = m->base;
        if (!png || !base)
            return -1;
        if (strpbrk(png, "\n\r")) { /* a gnuplot string cannot hold one */
            fprintf(stderr, "sdrnet: cannot draw %s: line break in the file name\n", png);
            rc = -1;
            continue;
        }
        /* the recording, as a gnuplot string (base is png's directory and a
         * name of the flowgraph's safe alphabet) */
        char *data = malloc(strlen(base) + sizeof ".sigmf-data");
        if (!data)
            return -1;
        strcpy(data, base);
        strcat(data, ".sigmf-data");
        FILE *g = popen("gnuplot 2>&1", "w");
        if (!g) {
            free(data);
            fprintf(stderr, "sdrnet: --plot needs gnuplot (apt-get install gnuplot-nox)\n");
            return -1;
        }
        fprintf(g, "set terminal pngcairo size 1200,%zu font ',10'\n", 220 + 230 * m->n_plot);
        fputs("set output ", g);
        put_gp_quoted(g, png);
        fputc('\n', g);
        fprintf(g, "set multiplot layout %zu,1 title 'medium %s: bursts as received "
                   "(%.1f dB SNR, %.3g S/s)'\n", m->n_plot, m->fg->name, m->fg->snr_db,
                r->fg->sample_rate);
        fprintf(g, "set xlabel 'time from start of recording slice [ms]'\n"
                   "set ylabel 'amplitude'\nset grid\nset key top right\n");
        for (size_t k = 0; k < m->n_plot; k++) {
            const plot_burst *b = &m->plot[k];
            fprintf(g, "set title '%s'\n", b->label);
            fputs("plot ", g);
            put_gp_quoted(g, data);
            fprintf(g, " binary format='%%float%%float' skip=%llu "
                       "record=%llu using ($0/%.17g*1e3):1 with lines lw 1 title 'I', "
                       "'' binary format='%%float%%float' skip=%llu record=%llu "
                       "using ($0/%.17g*1e3):2 with lines lw 1 title 'Q'\n",
                    (unsigned long long)(b->start * 8), (unsigned long long)b->count,
                    r->fg->sample_rate, (unsigned long long)(b->start * 8),
                    (unsigned long long)b->count, r->fg->sample_rate);
        }
        fprintf(g, "unset multiplot\n");
        free(data);
        if (pclose(g) != 0) {
            fprintf(stderr, "sdrnet: gnuplot failed to draw %s\n", png);
            rc = -1;
        }
    }
    return rc;
}

/* Flush pending annotations and write the SigMF meta files, so the
 * recordings are complete before they are plotted or listed. */
static void close_recordings(run *r)
{
    for (size_t i = 0; i < r->fg->n_media; i++) {
        run_medium *m = &r->media[i];
        if (!m->rec)
            continue;
        for (int p = 0; p < RUN_MAX_PORTS; p++)
            flush_ring(m, p);
        if (sn_sigmf_writer_close(m->rec) != SN_OK)
            r->error = 1;
        m->rec = NULL;
    }
}

/* The logger's clock: calling sn_sched_now through a pointer of another
 * type would be undefined. */
static sn_time_t log_clock(const void *ctx) { return sn_sched_now(ctx); }

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int sn_run_flowgraph(const sn_flowgraph *fg, const sn_run_options *opt)
{
    run *r = calloc(1, sizeof *r);
    if (!r) {
        fprintf(stderr, "sdrnet: out of memory\n");
        return 1;
    }
    r->fg = fg;
    r->opt = opt;
    r->seed = opt->has_seed ? opt->seed : fg->has_seed ? fg->seed : 1;
    r->sched = sn_sched_create();
    if (opt->json)
        r->events = json_array();
    int rc = 1;
    if (!r->sched || mkdir_p(opt->out_dir) != 0) {
        fprintf(stderr, "sdrnet: cannot create output directory '%s': %s\n", opt->out_dir,
                strerror(errno));
        goto done;
    }
    sn_log_set_clock(log_clock, r->sched);
    if (build_media(r) != 0)
        goto build_failed;
    for (size_t ni = 0; ni < fg->n_nodes; ni++)
        if (build_node(r, ni) != 0)
            goto build_failed;
    set_links(r);

    if (narrate(r)) {
        fprintf(opt->out, "sdrnet run %s (seed %llu)\n", fg->path, (unsigned long long)r->seed);
        if (fg->description[0])
            fprintf(opt->out, "%s\n", fg->description);
        fprintf(opt->out, "PHY: %s, %.3g MS/s at %.3f MHz; %zu node%s, %zu medi%s\n\n",
                sn_phy_rate_name(fg->rate), fg->sample_rate / 1e6, fg->freq_hz / 1e6, fg->n_nodes,
                fg->n_nodes == 1 ? "" : "s", fg->n_media, fg->n_media == 1 ? "um" : "a");
    }
    /* run in slices so a long run can show progress */
    size_t max_events = opt->max_events ? opt->max_events : RUN_DEFAULT_MAX_EVENTS;
    sn_time_t end = sn_time_from_s(fg->duration_s);
    int show = opt->progress && isatty(STDERR_FILENO);
    double t0 = wall_now();
    size_t events = 0;
    const int slices = 100;
    for (int k = 1; k <= slices; k++) {
        sn_time_t until = end / slices * k;
        if (k == slices)
            until = end;
        events += sn_sched_run(r->sched, until, max_events - events);
        if (events >= max_events) {
            fprintf(stderr, "sdrnet: stopped after %zu events at t = %.6f s (event limit)\n",
                    events, now_s(r));
            r->error = 1;
            break;
        }
        if (show && wall_now() - t0 > 0.5)
            fprintf(stderr, "\r  running: %3d%%  t = %.3f s of %.3f s", k, now_s(r),
                    fg->duration_s);
    }
    if (show && wall_now() - t0 > 0.5)
        fputc('\n', stderr);
    double wall = wall_now() - t0;
    sn_time_t ran = sn_sched_now(r->sched);
    close_recordings(r);
    if (opt->plot && plot_media(r) != 0)
        r->error = 1;

    if (opt->json) {
        report_json(r, ran);
    } else {
        report_text(r);
        fflush(r->opt->out);
        if (!opt->quiet)
            fprintf(stderr, "ran %.3f s of virtual time in %.3f s of wall time (%.0fx real time), "
                "%llu events\n", sn_time_to_s(ran), wall, wall > 0 ? sn_time_to_s(ran) / wall : 0,
                (unsigned long long)sn_sched_events_run(r->sched));
    }
    rc = r->error ? 1 : 0;
    goto done;

build_failed:
    fprintf(stderr, "sdrnet: %s: cannot build the network (see messages above)\n", fg->path);
done:
    sn_log_set_clock(NULL, NULL);
    teardown(r);
    if (r->error)
        rc = 1;
    free(r);
    return rc;
}
