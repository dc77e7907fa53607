/* apps/flowgraph: a scenario described as YAML data (like GNU Radio's .grc):
 * the PHY settings, the media (radio links with their SNR), the nodes with
 * their interfaces and addresses, and the apps they run.
 *
 *   name: hello
 *   description: "S1: two devices, one link"
 *   seed: 1                 # optional; --seed overrides
 *   duration: 1.0           # [s] virtual time to run
 *   phy: {rate: qpsk-1/2, sample_rate: 1e6, frequency: 433.92e6}
 *   mac: {csma: true, retry_limit: 7, cw_min: 15, cw_max: 1023,
 *         rate_control: true, announce: true}   # optional; these are the defaults
 *   media:
 *     - {name: air, type: radio, snr_db: 20, cfo_hz: 0}
 *   nodes:
 *     - name: A
 *       interfaces:
 *         - {name: rf0, medium: air, mac: "AA:BB:CC:DD:EE:F1", ipv4: 192.168.1.10/24}
 *       apps:
 *         - hello: {send: Hello, to: "192.168.1.20:5000", from_port: 5000, at: 0.01}
 *     - name: B
 *       interfaces:
 *         - {name: rf0, medium: air, mac: "AA:BB:CC:DD:EE:F2", ipv4: 192.168.1.20/24}
 *       apps:
 *         - hello: {listen: 5000}
 *     - name: R1               # a router: forwarding on, static routes
 *       forwarding: true
 *       routes: [{to: 192.168.2.0/24, via: 10.255.0.2}, {to: 0.0.0.0/0, via: 10.255.1.1}]
 *       interfaces: [...]
 *       apps:
 *         - ping: {to: 192.168.2.10, count: 3, interval: 1, size: 56, at: 0.1}
 *         - traceroute: {to: 10.0.1.10, max_hops: 30, queries: 3, wait: 1, at: 2}
 *     - name: SW               # a switch: interfaces are its ports 1, 2, ...
 *       type: switch           # host (default) | switch | hub
 *       ageing: 300            # [s] switch only; IEEE 802.1D default
 *       interfaces: [{name: p1, medium: wire1}, {name: p2, medium: wire2}]
 *
 * Required: `nodes` (at least one), each node's `name`, each medium's
 * `name`, each interface's `medium` (media may be listed after the nodes).
 * Interfaces without a name are called rf0, rf1, ... by position. Names use
 * letters, digits, '_', '-', '.'. YAML aliases are refused.
 *
 * A bad file is refused with one message "FILE:LINE: what is wrong" (unknown
 * key, missing key, bad value, duplicate name, reference to an unknown
 * medium, YAML syntax error); the loader never crashes on any input.
 */
#ifndef SN_APPS_FLOWGRAPH_H
#define SN_APPS_FLOWGRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "mac/frame.h"
#include "phy/modem.h"
#include "net/ipv4_wire.h"

#define SN_FG_NAME_MAX 32
#define SN_FG_TEXT_MAX 256
#define SN_FG_MAX_MEDIA 32
#define SN_FG_MAX_NODES 64
#define SN_FG_MAX_IFACES 8
#define SN_FG_MAX_APPS 16
#define SN_FG_MAX_PER_MEDIUM 64 /* interfaces attached to one medium */
#define SN_FG_MAX_ROUTES 32
#define SN_FG_PING_MAX_SIZE 65507 /* [bytes] ping payload: the most an IPv4 datagram carries */

typedef struct sn_fg_route {
    sn_ip4 prefix;
    int prefix_len;
    sn_ip4 via;           /* next hop */
    int line;
} sn_fg_route;

typedef struct sn_fg_medium {
    char name[SN_FG_NAME_MAX];
    char type[16];        /* "radio" */
    double snr_db;        /* [dB] default 20 */
    double cfo_hz;        /* [Hz] default 0 */
    int line;             /* where it was defined (for messages) */
} sn_fg_medium;

typedef struct sn_fg_iface {
    char name[SN_FG_NAME_MAX];
    int medium;           /* index into sn_flowgraph.media */
    sn_mac_addr mac;
    int has_mac;          /* 0: derived from node and interface index */
    sn_ip4 addr;
    int prefix_len;
    int has_ipv4;
    int line;
} sn_fg_iface;

enum sn_fg_app_type { SN_FG_APP_HELLO = 1, SN_FG_APP_PING, SN_FG_APP_TRACEROUTE };

typedef struct sn_fg_app {
    int type;             /* sn_fg_app_type */
    /* hello */
    uint16_t listen_port; /* 0 = not listening */
    int has_send;
    char text[SN_FG_TEXT_MAX];
    sn_ip4 to_addr;
    uint16_t to_port;
    uint16_t from_port;   /* 0 = ephemeral */
    double at_s;          /* [s] when to send */
    /* ping (to_addr, at_s too); traceroute reuses count = max hops and
     * interval_s = wait per probe */
    unsigned count;       /* echo requests */
    double interval_s;    /* [s] between them */
    unsigned size;        /* [bytes] payload */
    unsigned queries;     /* traceroute: probes per hop */
    int line;
} sn_fg_app;

enum sn_fg_node_type { SN_FG_NODE_HOST = 0, SN_FG_NODE_SWITCH, SN_FG_NODE_HUB };

typedef struct sn_fg_node {
    char name[SN_FG_NAME_MAX];
    int type;             /* sn_fg_node_type; default host */
    double ageing_s;      /* [s] switch: learned entries expire (802.1D: 300) */
    int forwarding;       /* 1: a router (forwards packets not for it) */
    sn_fg_route routes[SN_FG_MAX_ROUTES];
    size_t n_routes;
    sn_fg_iface ifaces[SN_FG_MAX_IFACES];
    size_t n_ifaces;
    sn_fg_app apps[SN_FG_MAX_APPS];
    size_t n_apps;
    int line;
} sn_fg_node;

/* The radio MAC (mac/dcf) of every radio interface. */
typedef struct sn_fg_mac {
    int csma;             /* 1: CSMA/CA with ACK and retry (default); 0: frames
                           * go straight to the PHY (no ACK, no retry) */
    unsigned retry_limit; /* retransmissions after the first attempt, 0..255 (7) */
    unsigned cw_min;      /* [slots] 2^k - 1, 1..1023 (15) */
    unsigned cw_max;      /* [slots] 2^k - 1, cw_min..65535 (1023) */
    int rate_control;     /* 1: per-destination rate adaptation (default) */
    int fixed_rate;       /* sn_phy_rate with rate_control off, -1: phy.rate */
    int announce;         /* 1: two gratuitous ARP announcements 2 s apart
                           * when an interface comes up (RFC 5227) */
} sn_fg_mac;

typedef struct sn_flowgraph {
    char path[256];       /* file it came from */
    char name[64];
    char description[SN_FG_TEXT_MAX];
    uint64_t seed;
    int has_seed;
    double duration_s;    /* [s] default 1.0 */
    /* phy */
    sn_phy_rate rate;     /* the PHY's default rate; qpsk-1/2 */
    double sample_rate;   /* [S/s] default 1e6 */
    double freq_hz;       /* [Hz] default 433.92e6 */
    sn_fg_mac mac;
    sn_fg_medium media[SN_FG_MAX_MEDIA];
    size_t n_media;
    sn_fg_node nodes[SN_FG_MAX_NODES];
    size_t n_nodes;
} sn_flowgraph;

/* Load and validate a file. Returns a flowgraph to release with
 * sn_flowgraph_free(), or NULL with "PATH:LINE: message" in err[errlen]. */
sn_flowgraph *sn_flowgraph_load(const char *path, char *err, size_t errlen);

/* Same from memory; `name` stands in for the path in messages. */
sn_flowgraph *sn_flowgraph_parse(const char *text, size_t len, const char *name,
                                 char *err, size_t errlen);

void sn_flowgraph_free(sn_flowgraph *fg); /* NULL-safe */

#endif
