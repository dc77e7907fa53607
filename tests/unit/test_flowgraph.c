/* apps/flowgraph: the S1 scenario file loads with every field as written,
 * defaults fill what is left out, and each kind of broken file is refused
 * with one "NAME:LINE: message" line pointing at the right place. */
#include "apps/flowgraph.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sn_test.h"

static sn_ip4 ip(unsigned a, unsigned b, unsigned c, unsigned d)
{
    return (sn_ip4)(a << 24 | b << 16 | c << 8 | d);
}

static void test_hello_file(void)
{
    const char *src = getenv("SDRNET_SOURCE_DIR");
    char path[1024], err[512];
    snprintf(path, sizeof path, "%s/flowgraphs/hello.yaml", src ? src : ".");
    sn_flowgraph *fg = sn_flowgraph_load(path, err, sizeof err);
    if (!fg) {
        fprintf(stderr, "load failed: %s\n", err);
        CHECK(fg != NULL);
        return;
    }
    CHECK(!strcmp(fg->path, path));
    CHECK(!strcmp(fg->name, "hello"));
    CHECK(strstr(fg->description, "S1") != NULL);
    CHECK_EQ_INT(fg->has_seed, 1);
    CHECK_EQ_INT(fg->seed, 1);
    CHECK_NEAR(fg->duration_s, 1.0, 0);
    CHECK(fg->rate == SN_RATE_QPSK_12);
    CHECK_NEAR(fg->sample_rate, 1e6, 0);
    CHECK_NEAR(fg->freq_hz, 433.92e6, 0);

    CHECK_EQ_INT(fg->n_media, 1);
    CHECK(!strcmp(fg->media[0].name, "air"));
    CHECK(!strcmp(fg->media[0].type, "radio"));
    CHECK_NEAR(fg->media[0].snr_db, 20, 0);
    CHECK_NEAR(fg->media[0].cfo_hz, 0, 0);
    CHECK(fg->media[0].line > 0);

    CHECK_EQ_INT(fg->n_nodes, 2);
    static const uint8_t mac_a[6] = {0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xF1};
    static const uint8_t mac_b[6] = {0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xF2};
    const sn_fg_node *a = &fg->nodes[0], *b = &fg->nodes[1];

    CHECK(!strcmp(a->name, "A"));
    CHECK(a->line > fg->media[0].line);
    CHECK_EQ_INT(a->n_ifaces, 1);
    CHECK(!strcmp(a->ifaces[0].name, "rf0"));
    CHECK_EQ_INT(a->ifaces[0].medium, 0);
    CHECK_EQ_INT(a->ifaces[0].has_mac, 1);
    CHECK_MEM(a->ifaces[0].mac.b, mac_a, 6);
    CHECK_EQ_INT(a->ifaces[0].has_ipv4, 1);
    CHECK_EQ_INT(a->ifaces[0].addr, ip(192, 168, 1, 10));
    CHECK_EQ_INT(a->ifaces[0].prefix_len, 24);
    CHECK(a->ifaces[0].line > a->line);
    CHECK_EQ_INT(a->n_apps, 1);
    CHECK_EQ_INT(a->apps[0].type, SN_FG_APP_HELLO);
    CHECK_EQ_INT(a->apps[0].listen_port, 0);
    CHECK_EQ_INT(a->apps[0].has_send, 1);
    CHECK(!strcmp(a->apps[0].text, "Hello"));
    CHECK_EQ_INT(a->apps[0].to_addr, ip(192, 168, 1, 20));
    CHECK_EQ_INT(a->apps[0].to_port, 5000);
    CHECK_EQ_INT(a->apps[0].from_port, 5000);
    CHECK_NEAR(a->apps[0].at_s, 0.01, 0);
    CHECK(a->apps[0].line > a->ifaces[0].line);

    CHECK(!strcmp(b->name, "B"));
    CHECK(b->line > a->apps[0].line);
    CHECK_EQ_INT(b->n_ifaces, 1);
    CHECK(!strcmp(b->ifaces[0].name, "rf0"));
    CHECK_EQ_INT(b->ifaces[0].medium, 0);
    CHECK_EQ_INT(b->ifaces[0].has_mac, 1);
    CHECK_MEM(b->ifaces[0].mac.b, mac_b, 6);
    CHECK_EQ_INT(b->ifaces[0].has_ipv4, 1);
    CHECK_EQ_INT(b->ifaces[0].addr, ip(192, 168, 1, 20));
    CHECK_EQ_INT(b->ifaces[0].prefix_len, 24);
    CHECK_EQ_INT(b->n_apps, 1);
    CHECK_EQ_INT(b->apps[0].type, SN_FG_APP_HELLO);
    CHECK_EQ_INT(b->apps[0].listen_port, 5000);
    CHECK_EQ_INT(b->apps[0].has_send, 0);
    sn_flowgraph_free(fg);
}

static sn_flowgraph *parse(const char *text, char *err, size_t errlen)
{
    return sn_flowgraph_parse(text, strlen(text), "t.yaml", err, errlen);
}

/* What is left out takes its documented default; media may come last. */
static void test_defaults_and_order(void)
{
    char err[512];
    sn_flowgraph *fg = parse("nodes:\n"
                             "  - name: A\n"
                             "    interfaces: [{medium: air}, {medium: air}]\n"
                             "    apps: [{hello: {send: hi, to: \"10.0.0.2:7\"}}]\n"
                             "media: [{name: air}]\n",
                             err, sizeof err);
    if (!fg) {
        fprintf(stderr, "parse failed: %s\n", err);
        CHECK(fg != NULL);
        return;
    }
    CHECK(!strcmp(fg->path, "t.yaml"));
    CHECK_EQ_INT(fg->has_seed, 0);
    CHECK_NEAR(fg->duration_s, 1.0, 0);
    CHECK(fg->rate == SN_RATE_QPSK_12);
    CHECK_NEAR(fg->sample_rate, 1e6, 0);
    CHECK_NEAR(fg->freq_hz, 433.92e6, 0);
    CHECK_EQ_INT(fg->n_media, 1);
    CHECK(!strcmp(fg->media[0].type, "radio"));
    CHECK_NEAR(fg->media[0].snr_db, 20, 0);
    CHECK_NEAR(fg->media[0].cfo_hz, 0, 0);
    CHECK_EQ_INT(fg->media[0].line, 5);
    const sn_fg_node *a = &fg->nodes[0];
    CHECK_EQ_INT(a->line, 2);
    CHECK_EQ_INT(a->n_ifaces, 2);
    CHECK(!strcmp(a->ifaces[0].name, "rf0"));
    CHECK(!strcmp(a->ifaces[1].name, "rf1"));
    CHECK_EQ_INT(a->ifaces[0].medium, 0);
    CHECK_EQ_INT(a->ifaces[0].has_mac, 0);
    CHECK_EQ_INT(a->ifaces[0].has_ipv4, 0);
    CHECK_EQ_INT(a->apps[0].from_port, 0);
    CHECK_NEAR(a->apps[0].at_s, 0, 0);
    CHECK_EQ_INT(a->apps[0].to_port, 7);
    sn_flowgraph_free(fg);

    /* every modulation and edge of the ranges that is allowed */
    fg = parse("seed: 18446744073709551615\nduration: 86400\n"
               "phy: {modulation: qam64, sample_rate: 1e9, frequency: 2.4e9}\n"
               "media: [{name: m, snr_db: -50, cfo_hz: -1500.5}, {name: n, snr_db: 100}]\n"
               "nodes: [{name: A, interfaces: [{medium: n, ipv4: 10.0.0.1}],\n"
               "         apps: [{hello: {listen: 65535, send: x, to: \"1.2.3.4:1\","
               " from_port: 1, at: 86399.5}}]}]\n",
               err, sizeof err);
    if (!fg) {
        fprintf(stderr, "parse failed: %s\n", err);
        CHECK(fg != NULL);
        return;
    }
    CHECK_EQ_INT(fg->seed == UINT64_MAX, 1);
    CHECK(fg->rate == SN_RATE_QAM64_23);
    CHECK_NEAR(fg->media[0].cfo_hz, -1500.5, 0);
    CHECK_EQ_INT(fg->nodes[0].ifaces[0].medium, 1);
    CHECK_EQ_INT(fg->nodes[0].ifaces[0].prefix_len, 32);
    CHECK_EQ_INT(fg->nodes[0].apps[0].listen_port, 65535);
    CHECK_EQ_INT(fg->nodes[0].apps[0].has_send, 1);
    sn_flowgraph_free(fg);
}

typedef struct bad_case {
    const char *text;
    const char *prefix;  /* exact "t.yaml:LINE: " */
    const char *needle;  /* a distinctive part of the message */
} bad_case;

static const bad_case bad_cases[] = {
    {"", "t.yaml:1: ", "empty file"},
    {"# only a comment\n", "t.yaml:1: ", "empty file"},
    {"- a\n- b\n", "t.yaml:1: ", "must be a mapping"},
    {"name: x\nnodes:\n  - name: A\n   bad: [\n", "t.yaml:4: ", "YAML syntax error: did not find expected '-'"},
    {"name: x\n\tnodes: []\n", "t.yaml:2: ", "YAML syntax error"},
    {"name: \"x\xff\"\nnodes: []\n", "t.yaml:1: ", "invalid leading UTF-8 octet"},
    {"name: x\nsnr: 3\nnodes: [{name: A}]\n", "t.yaml:2: ",
     "unknown key 'snr' in flowgraph (expected name, description, seed"},
    {"media:\n  - name: air\n    snr: 3\nnodes: [{name: A}]\n", "t.yaml:3: ",
     "unknown key 'snr' in medium (expected name, type, snr_db, cfo_hz)"},
    {"nodes:\n  - interfaces: []\n", "t.yaml:2: ", "missing key 'name' in node"},
    {"media: [{name: air}]\nnodes:\n  - name: A\n    interfaces:\n      - {name: rf0}\n",
     "t.yaml:5: ", "missing key 'medium' in interface 'rf0'"},
    {"media: [{name: air}]\nnodes:\n  - name: A\n  - name: B\n    interfaces:\n"
     "      - {name: rf0, medium: air2}\n",
     "t.yaml:6: ", "node 'B': interface 'rf0': medium 'air2' is not defined"},
    {"nodes:\n  - name: A\n  - name: B\n  - name: A\n", "t.yaml:4: ", "duplicate node name 'A'"},
    {"media: [{name: m}, {name: m}]\nnodes: [{name: A}]\n", "t.yaml:1: ", "duplicate medium name 'm'"},
    {"media: [{name: m}]\nnodes:\n - name: A\n   interfaces: [{medium: m}, {name: rf0, medium: m}]\n",
     "t.yaml:4: ", "duplicate interface name 'rf0'"},
    {"name: x\nname: y\nnodes: [{name: A}]\n", "t.yaml:2: ", "duplicate key 'name' in flowgraph"},
    {"media: [{name: m}]\nnodes:\n - name: A\n   interfaces:\n    - medium: m\n"
     "      mac: AA:BB\n", "t.yaml:6: ", "bad MAC address 'AA:BB'"},
    {"media: [{name: m}]\nnodes:\n - name: A\n   interfaces:\n    - medium: m\n"
     "      ipv4: 192.168.1.300/24\n", "t.yaml:6: ", "bad IPv4 prefix '192.168.1.300/24'"},
    {"media: [{name: m}]\nnodes:\n - name: A\n   interfaces:\n    - medium: m\n"
     "      mac: \"01:00:5e:00:00:01\"\n", "t.yaml:6: ", "is a group address"},
    {"media: [{name: m}]\nnodes:\n - name: A\n   interfaces:\n    - medium: m\n"
     "      ipv4: 127.0.0.1/8\n", "t.yaml:6: ", "is a loopback address"},
    {"media: [{name: m}]\nnodes:\n - name: A\n   interfaces:\n    - medium: m\n"
     "      ipv4: 224.0.0.5/24\n", "t.yaml:6: ", "is a multicast address"},
    {"media: [{name: m}]\nnodes:\n - name: A\n   interfaces:\n    - medium: m\n"
     "      ipv4: 192.168.1.255/24\n", "t.yaml:6: ", "broadcast address"},
    {"media: [{name: m}]\nnodes:\n - name: A\n   interfaces:\n    - medium: m\n"
     "      ipv4: 192.168.1.0/24\n", "t.yaml:6: ", "network address"},
    {"media: [{name: m}]\nnodes:\n - name: A\n   interfaces:\n    - medium: m\n"
     "      ipv4: 0.1.2.3/8\n", "t.yaml:6: ", "0.0.0.0/8"},
    {"nodes:\n - name: S\n   type: router\n", "t.yaml:3: ", "bad node type 'router'"},
    {"nodes:\n - name: S\n   ageing: 10\n", "t.yaml:3: ", "'ageing' is for switch nodes only"},
    {"nodes:\n - name: S\n   type: switch\n   ageing: 0\n", "t.yaml:4: ", "ageing 0 s: a whole number"},
    {"nodes:\n - name: S\n   type: switch\n   ageing: 30.5\n", "t.yaml:4: ", "ageing 30.5 s: a whole number"},
    {"nodes:\n - name: S\n   type: hub\n   apps: [{hello: {listen: 5}}]\n", "t.yaml:4: ",
     "a hub runs no apps"},
    {"media: [{name: m}]\nnodes:\n - name: S\n   type: switch\n   interfaces:\n"
     "    - {name: p1, medium: m, ipv4: 10.0.0.1/24}\n", "t.yaml:6: ",
     "a switch port has no IPv4 address"},
    {"nodes:\n - name: R\n   forwarding: maybe\n", "t.yaml:3: ", "bad value 'maybe' for 'forwarding'"},
    {"nodes:\n - name: R\n   routes: [{to: 10.0.0.0/8}]\n", "t.yaml:3: ", "a route needs 'to'"},
    {"nodes:\n - name: R\n   routes: [{to: 10.0.0.1/8, via: 10.0.0.2}]\n", "t.yaml:3: ",
     "has host bits set"},
    {"nodes:\n - name: R\n   routes: [{to: 10.0.0.0/8, via: 10.0.0.300}]\n", "t.yaml:3: ",
     "bad IPv4 address '10.0.0.300'"},
    {"nodes:\n - name: R\n   routes:\n    - {to: 10.0.0.0/8, via: 1.1.1.1}\n"
     "    - {to: 10.0.0.0/8, via: 1.1.1.2}\n", "t.yaml:5: ", "duplicate route to '10.0.0.0/8'"},
    {"nodes:\n - name: S\n   type: switch\n   forwarding: true\n", "t.yaml:4: ",
     "routing is for hosts and routers"},
    {"nodes:\n - name: A\n   apps: [{ping: {count: 3}}]\n", "t.yaml:3: ", "ping app needs 'to'"},
    {"nodes:\n - name: A\n   apps: [{traceroute: {}}]\n", "t.yaml:3: ", "traceroute app needs 'to'"},
    {"nodes:\n - name: A\n   apps: [{traceroute: {to: 1.2.3.4, max_hops: 65}}]\n", "t.yaml:3: ",
     "max_hops 65 out of range"},
    {"nodes:\n - name: A\n   apps: [{ping: {to: 1.2.3.4, count: 0}}]\n", "t.yaml:3: ",
     "count 0 out of range"},
    {"nodes:\n - name: A\n   apps: [{ping: {to: 1.2.3.4, size: 70000}}]\n", "t.yaml:3: ",
     "size 70000: at most 65507 bytes"},
    {"nodes:\n - name: A\n   apps: [{ping: {to: 1.2.3.4, at: 5}}]\n", "t.yaml:3: ",
     "not before the end of the run"},
    {"nodes:\n  - [name, A]\n", "t.yaml:2: ", "node must be a mapping, found a sequence"},
    {"nodes: {name: A}\n", "t.yaml:1: ", "'nodes' must be a sequence, found a mapping"},
    {"phy: [qpsk]\nnodes: [{name: A}]\n", "t.yaml:1: ", "phy must be a mapping"},
    {"nodes:\n - name: {a: 1}\n", "t.yaml:2: ", "'name' must be a scalar, found a mapping"},
    {"nodes: [{name: ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456}]\n", "t.yaml:1: ",
     "'name' is too long (33 bytes, at most 31)"},
    {"nodes: [{name: \"a b\"}]\n", "t.yaml:1: ", "bad name 'a b'"},
    {"nodes: [{name: \"a\\0b\"}]\n", "t.yaml:1: ", "'name' contains a NUL byte"},
    {"media: [{name: m, snr_db: 100.5}]\nnodes: [{name: A}]\n", "t.yaml:1: ",
     "snr_db 100.5 is out of range [-50, 100]"},
    {"media: [{name: m,\n snr_db: twenty}]\nnodes: [{name: A}]\n", "t.yaml:2: ",
     "bad number 'twenty' for 'snr_db'"},
    {"media: [{name: m, snr_db: .nan}]\nnodes: [{name: A}]\n", "t.yaml:1: ", "bad number '.nan'"},
    {"media: [{name: m, snr_db: inf}]\nnodes: [{name: A}]\n", "t.yaml:1: ", "bad number 'inf'"},
    {"media: [{name: m, type: wire}]\nnodes: [{name: A}]\n", "t.yaml:1: ",
     "unknown medium type 'wire' (expected radio)"},
    {"phy:\n  sample_rate: 0\nnodes: [{name: A}]\n", "t.yaml:2: ", "sample_rate 0 is out of range"},
    {"phy:\n  sample_rate: 2e9\nnodes: [{name: A}]\n", "t.yaml:2: ", "sample_rate 2e+09 is out of range"},
    {"phy: {modulation: qam256}\nnodes: [{name: A}]\n", "t.yaml:1: ",
     "unknown rate 'qam256' (expected bpsk-1/2, bpsk-3/4, qpsk-1/2, qpsk-3/4, qam16-1/2, "
     "qam16-3/4, qam64-2/3, qam64-3/4)"},
    {"phy: {rate: qpsk-1/2, modulation: qpsk}\nnodes: [{name: A}]\n", "t.yaml:1: ",
     "give either rate or modulation, not both"},
    {"mac: {retry_limit: 1000}\nnodes: [{name: A}]\n", "t.yaml:1: ",
     "retry_limit 1000 out of range 0..255"},
    {"mac: {nope: 1}\nnodes: [{name: A}]\n", "t.yaml:1: ", "unknown key 'nope' in mac"},
    {"mac: {rate: qam99}\nnodes: [{name: A}]\n", "t.yaml:1: ", "unknown rate 'qam99'"},
    {"mac: {cw_min: 100}\nnodes: [{name: A}]\n", "t.yaml:1: ",
     "cw_min 100 is not a power of two minus one"},
    {"mac: {cw_min: 63, cw_max: 15}\nnodes: [{name: A}]\n", "t.yaml:1: ",
     "cw_max 15 is below cw_min 63"},
    {"duration: 86401\nnodes: [{name: A}]\n", "t.yaml:1: ", "duration 86401 is out of range"},
    {"duration: 0\nnodes: [{name: A}]\n", "t.yaml:1: ", "duration 0 is out of range"},
    {"seed: -1\nnodes: [{name: A}]\n", "t.yaml:1: ", "bad number '-1' for 'seed'"},
    {"seed: 18446744073709551616\nnodes: [{name: A}]\n", "t.yaml:1: ", "bad number"},
    {"nodes:\n - name: A\n   apps:\n    - hello: {listen: 70000}\n", "t.yaml:4: ",
     "bad port '70000' for 'listen' (expected 1..65535)"},
    {"nodes:\n - name: A\n   apps:\n    - hello: {send: x, to: \"1.2.3.4:0\"}\n", "t.yaml:4: ",
     "bad destination '1.2.3.4:0'"},
    {"nodes:\n - name: A\n   apps:\n    - hello: {send: x, to: 1.2.3.4}\n", "t.yaml:4: ",
     "bad destination '1.2.3.4' for 'to' (expected a.b.c.d:port)"},
    {"nodes:\n - name: A\n   apps:\n    - hello: {send: x, to: \"1.2.3.4:5\", from_port: 0}\n",
     "t.yaml:4: ", "bad port '0' for 'from_port'"},
    {"duration: 0.5\nnodes:\n - name: A\n   apps:\n    - hello:\n        send: x\n"
     "        to: \"1.2.3.4:5\"\n        at: 0.5\n",
     "t.yaml:8: ", "node 'A': at 0.5 is not before the end of the run"},
    {"nodes:\n - name: A\n   apps:\n    - hello: {send: x, to: \"1.2.3.4:5\", at: -1}\n",
     "t.yaml:4: ", "at -1 is negative"},
    {"nodes:\n - name: A\n   apps:\n    - hello: {from_port: 5}\n", "t.yaml:4: ",
     "hello app needs 'listen' or 'send'"},
    {"nodes:\n - name: A\n   apps:\n    - hello: {send: Hello}\n", "t.yaml:4: ",
     "'send' needs 'to'"},
    {"nodes:\n - name: A\n   apps:\n    - hello: {listen: 5, to: \"1.2.3.4:5\"}\n", "t.yaml:4: ",
     "'to' is only meaningful with 'send'"},
    {"nodes:\n - name: A\n   apps:\n    - pong: {}\n", "t.yaml:4: ",
     "unknown app type 'pong' (expected hello, ping or traceroute)"},
    {"name: x\n", "t.yaml:1: ", "missing key 'nodes'"},
    {"nodes: []\n", "t.yaml:1: ", "'nodes' is empty"},
    {"nodes: [{name: &a A}, {name: *a}]\n", "t.yaml:1: ", "aliases (*name) are not supported"},
    {"nodes: [{name: A}]\n---\nnodes: [{name: B}]\n", "t.yaml:2: ", "only one YAML document"},
    {"nodes: [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]\n", "t.yaml:1: ", "nested deeper than"},
    {"? [a]\n: 1\nnodes: [{name: A}]\n", "t.yaml:1: ", "keys in flowgraph must be scalars"},
    {"description: \"" /* 256 bytes: one more than fits */
     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
     "\"\nnodes: [{name: A}]\n",
     "t.yaml:1: ", "'description' is too long (256 bytes, at most 255)"},
};

static void check_refused(const char *text, size_t len, const char *prefix,
                          const char *needle, size_t idx)
{
    char err[512];
    memset(err, 'X', sizeof err);
    sn_flowgraph *fg = sn_flowgraph_parse(text, len, "t.yaml", err, sizeof err);
    CHECK(fg == NULL);
    sn_flowgraph_free(fg);
    int ok = !strncmp(err, prefix, strlen(prefix)) && strstr(err, needle) &&
             !strchr(err, '\n');
    if (!ok)
        fprintf(stderr, "case %zu: got \"%s\"\n  want \"%s...%s...\"\n", idx, err, prefix,
                needle);
    CHECK(ok);
}

static void test_broken_documents(void)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++)
        check_refused(bad_cases[i].text, strlen(bad_cases[i].text), bad_cases[i].prefix,
                      bad_cases[i].needle, i);
}

/* Limits: one past each is refused at the line of the item too many. */
static void test_limits(void)
{
    size_t cap = 64 * 1024, o;
    char *buf = malloc(cap);
    CHECK(buf != NULL);
    if (!buf)
        return;

    o = (size_t)snprintf(buf, cap, "nodes:\n");
    for (int i = 0; i <= SN_FG_MAX_NODES; i++)
        o += (size_t)snprintf(buf + o, cap - o, "  - name: N%d\n", i);
    check_refused(buf, o, "t.yaml:66: ", "too many nodes (at most 64)", 1000);

    o = (size_t)snprintf(buf, cap, "media: [{name: m}]\nnodes:\n  - name: A\n    interfaces:\n");
    for (int i = 0; i <= SN_FG_MAX_IFACES; i++)
        o += (size_t)snprintf(buf + o, cap - o, "      - {medium: m}\n");
    check_refused(buf, o, "t.yaml:13: ", "too many interfaces in node 'A' (at most 8)", 1001);

    o = (size_t)snprintf(buf, cap, "nodes:\n  - name: A\n    apps:\n");
    for (int i = 0; i <= SN_FG_MAX_APPS; i++)
        o += (size_t)snprintf(buf + o, cap - o, "      - hello: {listen: %d}\n", 1000 + i);
    check_refused(buf, o, "t.yaml:20: ", "too many apps in node 'A' (at most 16)", 1002);

    o = (size_t)snprintf(buf, cap, "media:\n");
    for (int i = 0; i <= SN_FG_MAX_MEDIA; i++)
        o += (size_t)snprintf(buf + o, cap - o, "  - name: m%d\n", i);
    o += (size_t)snprintf(buf + o, cap - o, "nodes: [{name: A}]\n");
    check_refused(buf, o, "t.yaml:34: ", "too many media (at most 32)", 1003);

    /* 65 interfaces on one medium: 9 nodes of 8 interfaces, the 65th is
     * refused at its own line (line 2 + 9 per node) */
    o = (size_t)snprintf(buf, cap, "media: [{name: m}]\nnodes:\n");
    for (int nd = 0; nd < 9; nd++) {
        o += (size_t)snprintf(buf + o, cap - o, "  - name: N%d\n    interfaces:\n", nd);
        for (int i = 0; i < SN_FG_MAX_IFACES; i++)
            o += (size_t)snprintf(buf + o, cap - o, "      - {medium: m}\n");
    }
    check_refused(buf, o, "t.yaml:85: ", "medium 'm' already has 64 interfaces", 1005);

    /* A NUL byte in the raw text is not YAML; a text without NUL at the end
     * must not be read past. */
    static const char nul_text[] = "nodes: [{name: A}]\n\0x: 1\n";
    check_refused(nul_text, sizeof nul_text - 1, "t.yaml:", "YAML", 1004);
    char exact[] = {'n', 'o', 'd', 'e', 's', ':', ' ', '[', '{', 'n', 'a', 'm', 'e', ':', ' ', 'A', '}', ']'};
    sn_flowgraph *fg = sn_flowgraph_parse(exact, sizeof exact, "t.yaml", NULL, 0);
    CHECK(fg != NULL);
    sn_flowgraph_free(fg);
    free(buf);
}

static void test_misc(void)
{
    char err[512];
    sn_flowgraph_free(NULL);
    CHECK(sn_flowgraph_load("/nonexistent/x.yaml", err, sizeof err) == NULL);
    CHECK(!strncmp(err, "/nonexistent/x.yaml:1: cannot open", 34));
    /* a tiny error buffer is cut, never overrun */
    char small[8];
    CHECK(sn_flowgraph_parse("- a", 3, "t.yaml", small, sizeof small) == NULL);
    CHECK(!strcmp(small, "t.yaml:"));
    /* a message quotes a value on one line, cut to a readable length */
    CHECK(parse("media: [{name: m, type: \"a\\nb\\nc012345678901234567890123456789"
                "012345678901234567890123456789\"}]\nnodes: [{name: A}]\n",
                err, sizeof err) == NULL);
    CHECK(strchr(err, '\n') == NULL);
    CHECK(strstr(err, "unknown medium type 'a?b?c0123") != NULL);
    CHECK(strstr(err, "...'") != NULL);
}

static void test_switch_node(void)
{
    static const char text[] = "media: [{name: w1}, {name: w2}, {name: w3}]\n"
                               "nodes:\n"
                               "  - name: SW\n"
                               "    type: switch\n"
                               "    ageing: 60\n"
                               "    interfaces: [{medium: w1}, {medium: w2}, {medium: w3}]\n"
                               "  - {name: H, type: hub}\n"
                               "  - {name: A}\n";
    char err[256];
    sn_flowgraph *fg = sn_flowgraph_parse(text, sizeof text - 1, "t.yaml", err, sizeof err);
    CHECK(fg != NULL);
    if (!fg) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    CHECK_EQ_INT(fg->nodes[0].type, SN_FG_NODE_SWITCH);
    CHECK_NEAR(fg->nodes[0].ageing_s, 60.0, 0);
    CHECK_EQ_INT(fg->nodes[0].n_ifaces, 3);
    CHECK_EQ_INT(fg->nodes[1].type, SN_FG_NODE_HUB);
    CHECK_NEAR(fg->nodes[1].ageing_s, 300.0, 0);
    CHECK_EQ_INT(fg->nodes[2].type, SN_FG_NODE_HOST);
    sn_flowgraph_free(fg);
}

static void test_router_and_ping(void)
{
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/flowgraphs/four-networks.yaml",
             getenv("SDRNET_SOURCE_DIR") ? getenv("SDRNET_SOURCE_DIR") : ".");
    sn_flowgraph *fg = sn_flowgraph_load(path, err, sizeof err);
    CHECK(fg != NULL);
    if (!fg) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    const sn_fg_node *r1 = NULL, *a1 = NULL;
    for (size_t i = 0; i < fg->n_nodes; i++) {
        if (!strcmp(fg->nodes[i].name, "R1"))
            r1 = &fg->nodes[i];
        if (!strcmp(fg->nodes[i].name, "A1"))
            a1 = &fg->nodes[i];
    }
    CHECK(r1 && a1);
    if (r1 && a1) {
        CHECK_EQ_INT(r1->forwarding, 1);
        CHECK_EQ_INT(r1->n_routes, 2); /* the hierarchy: two routes suffice */
        CHECK_EQ_INT(r1->routes[1].prefix, 0x0A000000);
        CHECK_EQ_INT(r1->routes[1].prefix_len, 16);
        CHECK_EQ_INT(a1->forwarding, 0);
        CHECK_EQ_INT(a1->apps[0].type, SN_FG_APP_PING);
        CHECK_EQ_INT(a1->apps[0].count, 2);
        CHECK_EQ_INT(a1->apps[0].size, 56);
        CHECK_NEAR(a1->apps[1].at_s, 1.2, 1e-12);
        CHECK_EQ_INT(a1->apps[2].type, SN_FG_APP_TRACEROUTE);
        CHECK_EQ_INT(a1->apps[2].count, 30); /* max hops default */
        CHECK_EQ_INT(a1->apps[2].queries, 3);
    }
    sn_flowgraph_free(fg);
}

int main(void)
{
    TEST_RUN(test_router_and_ping);
    TEST_RUN(test_switch_node);
    TEST_RUN(test_hello_file);
    TEST_RUN(test_defaults_and_order);
    TEST_RUN(test_broken_documents);
    TEST_RUN(test_limits);
    TEST_RUN(test_misc);
    TEST_DONE();
}
