#include "mac/netif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"

enum netif_drop {
    DROP_RUNT,
    DROP_OVERSIZE,
    DROP_BAD_FCS,
    DROP_BAD_SRC,      /* source address is a group address (I/G set) */
    DROP_NOT_FOR_US,   /* unicast to another station (not promiscuous) */
    DROP_NO_HANDLER,   /* nothing registered above */
    DROP_TX_MTU,
    DROP_TX_NOBUFS,
    DROP_TX_LOWER,
    DROP_TX_RUNT,      /* sn_netif_output_frame() given less than a header */
    DROP_COUNT
};

static const char *const drop_names[DROP_COUNT] = {
    "drop_runt",       "drop_oversize",  "drop_bad_fcs",
    "drop_bad_src",    "drop_not_for_us", "drop_no_handler",
    "drop_tx_mtu",     "drop_tx_nobufs", "drop_tx_lower",
    "drop_tx_runt",
};

struct sn_netif {
    char name[32];
    sn_mac_addr mac;
    int promisc;
    unsigned mtu;
    sn_netif_lower_send_fn send;
    void *lower;
    sn_pcap_tap *tap;
    sn_netif_rx_fn rx;
    void *rx_user;
    uint64_t rx_frames, rx_bytes, rx_bcast, tx_frames, tx_bytes;
    uint64_t drops[DROP_COUNT];
};

sn_netif *sn_netif_create(const sn_netif_config *cfg, sn_netif_lower_send_fn send,
                          void *lower, sn_pcap_tap *tap)
{
    if (!cfg || !send || cfg->mtu == 0 || cfg->mtu > SN_ETH_MTU)
        return NULL;
    if (sn_mac_is_multicast(&cfg->mac)) {
        SN_ERROR("mac", "%s: a station address cannot be a group address",
                 cfg->name ? cfg->name : "?");
        return NULL;
    }
    sn_netif *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    snprintf(n->name, sizeof n->name, "%s", cfg->name ? cfg->name : "if");
    n->mac = cfg->mac;
    n->promisc = cfg->promisc;
    n->mtu = cfg->mtu;
    n->send = send;
    n->lower = lower;
    n->tap = tap;
    return n;
}

void sn_netif_destroy(sn_netif *nif) { free(nif); }

void sn_netif_set_rx(sn_netif *nif, sn_netif_rx_fn rx, void *user)
{
    nif->rx = rx;
    nif->rx_user = user;
}

int sn_netif_set_promisc(sn_netif *nif, int on)
{
    int old = nif->promisc;
    nif->promisc = on ? 1 : 0;
    return old;
}

const sn_mac_addr *sn_netif_mac(const sn_netif *nif) { return &nif->mac; }
const char *sn_netif_name(const sn_netif *nif) { return nif->name; }
unsigned sn_netif_mtu(const sn_netif *nif) { return nif->mtu; }

static int netif_emit(sn_netif *nif, sn_pkt *pkt, size_t pad, sn_time_t now);

int sn_netif_output(sn_netif *nif, const sn_mac_addr *dst, uint16_t ethertype, sn_pkt *pkt,
                    sn_time_t now)
{
    if (sn_pkt_len(pkt) > nif->mtu) {
        nif->drops[DROP_TX_MTU]++;
        sn_pkt_free(pkt);
        return SN_ERR_RANGE;
    }
    /* room for the header in front, and behind for the padding and the FCS,
     * all checked before anything is written */
    size_t pad = sn_pkt_len(pkt) + SN_ETH_HDR_LEN < SN_ETH_MIN_LEN
                     ? SN_ETH_MIN_LEN - SN_ETH_HDR_LEN - sn_pkt_len(pkt) : 0;
    if (sn_pkt_headroom(pkt) < SN_ETH_HDR_LEN || sn_pkt_tailroom(pkt) < pad + SN_ETH_FCS_LEN) {
        nif->drops[DROP_TX_NOBUFS]++;
        sn_pkt_free(pkt);
        return SN_ERR_NOBUFS;
    }
    uint8_t *h = sn_pkt_push(pkt, SN_ETH_HDR_LEN);
    sn_eth_hdr eth = {.dst = *dst, .src = nif->mac, .ethertype = ethertype};
    sn_eth_emit(h, &eth);
    return netif_emit(nif, pkt, pad, now);
}

/* The common tail of both output paths: `pkt` holds a whole frame without
 * FCS, and the caller has checked that `pad` + FCS bytes of tailroom exist.
 * Takes ownership. */
static int netif_emit(sn_netif *nif, sn_pkt *pkt, size_t pad, sn_time_t now)
{
    /* Pad to Ethernet's 60-byte minimum (64 with the FCS), as 802.3 does:
     * it costs at most 46 bytes of airtime on the smallest frames, and in
     * return Wireshark recognises the trailing 4 bytes as the FCS instead of
     * an unknown trailer, and every receiver exercises the rule that padding
     * is not payload. */
    if (pad)
        memset(sn_pkt_put(pkt, pad), 0, pad);
    /* the MAC capture shows the frame as Wireshark expects Ethernet:
     * without the FCS */
    sn_pcap_tap_write(nif->tap, now, sn_pkt_data(pkt), sn_pkt_len(pkt));
    size_t len = sn_pkt_len(pkt);
    sn_pkt_put(pkt, SN_ETH_FCS_LEN);
    sn_eth_fcs_put(sn_pkt_data(pkt), len);
    pkt->meta.time = now;
    nif->tx_frames++;
    nif->tx_bytes += len;
    int rc = nif->send(nif->lower, pkt);
    if (rc != SN_OK)
        nif->drops[DROP_TX_LOWER]++;
    return rc;
}

int sn_netif_output_frame(sn_netif *nif, sn_pkt *frame, sn_time_t now)
{
    size_t len = sn_pkt_len(frame);
    if (len < SN_ETH_HDR_LEN) {
        nif->drops[DROP_TX_RUNT]++;
        sn_pkt_free(frame);
        return SN_ERR_INVAL;
    }
    if (len - SN_ETH_HDR_LEN > nif->mtu) {
        nif->drops[DROP_TX_MTU]++;
        sn_pkt_free(frame);
        return SN_ERR_RANGE;
    }
    /* checked before anything is written, as in sn_netif_output() */
    size_t pad = len < SN_ETH_MIN_LEN ? SN_ETH_MIN_LEN - len : 0;
    if (sn_pkt_tailroom(frame) < pad + SN_ETH_FCS_LEN) {
        nif->drops[DROP_TX_NOBUFS]++;
        sn_pkt_free(frame);
        return SN_ERR_NOBUFS;
    }
    return netif_emit(nif, frame, pad, now);
}

void sn_netif_input(sn_netif *nif, sn_pkt *frame, sn_time_t now)
{
    const uint8_t *d = sn_pkt_data(frame);
    size_t len = sn_pkt_len(frame);
    int r = sn_eth_check(d, len);
    if (r == SN_ETH_OK && len - SN_ETH_HDR_LEN - SN_ETH_FCS_LEN > nif->mtu)
        r = SN_ETH_OVERSIZE;
    if (r != SN_ETH_OK) {
        nif->drops[r == SN_ETH_RUNT ? DROP_RUNT
                   : r == SN_ETH_OVERSIZE ? DROP_OVERSIZE : DROP_BAD_FCS]++;
        sn_pkt_free(frame);
        return;
    }
    sn_pkt_trim(frame, len - SN_ETH_FCS_LEN);
    sn_eth_hdr eth;
    sn_eth_parse(d, sn_pkt_len(frame), &eth); /* length already checked */
    if (sn_mac_is_multicast(&eth.src)) {
        nif->drops[DROP_BAD_SRC]++;
        sn_pkt_free(frame);
        return;
    }
    uint32_t flags = 0;
    if (sn_mac_is_broadcast(&eth.dst))
        flags |= SN_PKT_F_BCAST;
    else if (sn_mac_is_multicast(&eth.dst))
        flags |= SN_PKT_F_MCAST;
    else if (!sn_mac_equal(&eth.dst, &nif->mac))
        flags |= SN_PKT_F_OTHERHOST;
    /* Multicast is accepted only in promiscuous mode until groups can be
     * joined: no protocol here subscribes to one yet. */
    if (((flags & SN_PKT_F_OTHERHOST) || (flags & SN_PKT_F_MCAST)) && !nif->promisc) {
        nif->drops[DROP_NOT_FOR_US]++;
        sn_pkt_free(frame);
        return;
    }
    sn_pcap_tap_write(nif->tap, now, d, sn_pkt_len(frame));
    nif->rx_frames++;
    nif->rx_bytes += sn_pkt_len(frame);
    if (flags & SN_PKT_F_BCAST)
        nif->rx_bcast++;
    if (!nif->rx) {
        nif->drops[DROP_NO_HANDLER]++;
        sn_pkt_free(frame);
        return;
    }
    frame->meta.flags |= flags;
    frame->meta.time = now;
    sn_pkt_pull(frame, SN_ETH_HDR_LEN);
    nif->rx(nif->rx_user, nif, &eth, frame);
}

size_t sn_netif_stats(const sn_netif *nif, sn_stat *out, size_t max)
{
    size_t n = 0;
    n = sn_stat_add(out, n, max, "rx_frames", nif->rx_frames);
    n = sn_stat_add(out, n, max, "rx_bytes", nif->rx_bytes);
    n = sn_stat_add(out, n, max, "rx_broadcast", nif->rx_bcast);
    n = sn_stat_add(out, n, max, "tx_frames", nif->tx_frames);
    n = sn_stat_add(out, n, max, "tx_bytes", nif->tx_bytes);
    for (int i = 0; i < DROP_COUNT; i++)
        n = sn_stat_add(out, n, max, drop_names[i], nif->drops[i]);
    return n;
}
