/* mac/netif: one MAC on one radio (or wire): the node's link-layer interface.
 *
 * Down: sn_netif_output() prepends the Ethernet header, pads the frame to
 * Ethernet's 60-byte minimum, records it in the MAC capture (link type 1,
 * without FCS), appends the FCS and hands the frame to the lower layer's
 * send function.
 * Up: sn_netif_input() takes a frame with FCS from the lower layer, checks
 * length and FCS, filters by destination (own unicast, broadcast, or
 * everything in promiscuous mode), records accepted frames in the MAC
 * capture, strips the header and hands the payload up by callback. Every
 * refused frame is counted by reason; none is silently lost.
 */
#ifndef SN_MAC_NETIF_H
#define SN_MAC_NETIF_H

#include <stdint.h>

#include "core/pcap_tap.h"
#include "core/pkt.h"
#include "core/stats.h"
#include "mac/frame.h"

typedef struct sn_netif sn_netif;

/* Upward delivery. pkt data starts at the payload (after the Ethernet
 * header); pkt->meta.flags tells broadcast/multicast/otherhost; `src` and
 * `dst` are the frame's addresses. Takes ownership of pkt. */
typedef void (*sn_netif_rx_fn)(void *user, sn_netif *nif, const sn_eth_hdr *eth, sn_pkt *pkt);

/* The lower layer: sends one whole frame (FCS included). Takes ownership of
 * the frame in every case. Returns SN_OK or a negative error (dropped). */
typedef int (*sn_netif_lower_send_fn)(void *lower, sn_pkt *frame);

typedef struct sn_netif_config {
    const char *name;      /* e.g. "rf0" (copied) */
    sn_mac_addr mac;
    int promisc;           /* 1: deliver frames for every destination */
    unsigned mtu;          /* [bytes] largest payload, <= SN_ETH_MTU */
} sn_netif_config;

/* `tap` (may be NULL) is the MAC capture; owned by the caller, must outlive
 * the netif. NULL on allocation failure or bad config. */
sn_netif *sn_netif_create(const sn_netif_config *cfg, sn_netif_lower_send_fn send,
                          void *lower, sn_pcap_tap *tap);
void sn_netif_destroy(sn_netif *nif); /* NULL-safe */

void sn_netif_set_rx(sn_netif *nif, sn_netif_rx_fn rx, void *user);

/* Promiscuous mode: 1 delivers frames for every destination (and every
 * multicast) upward, as a bridge port needs; 0 filters by destination.
 * Returns the previous setting, so a borrower can restore it. */
int sn_netif_set_promisc(sn_netif *nif, int on);

/* Send `pkt` (payload, e.g. an IP packet) to `dst` with `ethertype`.
 * Takes ownership of pkt in every case. `now` [ns] stamps the capture.
 * SN_OK, SN_ERR_RANGE (payload > MTU), SN_ERR_NOBUFS (no head/tailroom), or
 * the lower layer's error; every failure is counted. */
int sn_netif_output(sn_netif *nif, const sn_mac_addr *dst, uint16_t ethertype, sn_pkt *pkt,
                    sn_time_t now);

/* Send a complete Ethernet frame as is: `frame` starts at the 14-byte
 * header and has no FCS; its addresses are not touched (a bridge forwards
 * other stations' frames with their own source address). Pads to 60 bytes,
 * records the MAC capture, appends the FCS and hands it down, exactly as
 * sn_netif_output() does after writing its header. Takes ownership of frame
 * in every case. `now` [ns] stamps the capture. SN_OK, SN_ERR_INVAL (shorter
 * than a header), SN_ERR_RANGE (payload > MTU), SN_ERR_NOBUFS (no tailroom)
 * or the lower layer's error; every failure is counted. */
int sn_netif_output_frame(sn_netif *nif, sn_pkt *frame, sn_time_t now);

/* A frame from below (FCS included). Takes ownership. `now` [ns]. */
void sn_netif_input(sn_netif *nif, sn_pkt *frame, sn_time_t now);

const sn_mac_addr *sn_netif_mac(const sn_netif *nif);
const char *sn_netif_name(const sn_netif *nif);
unsigned sn_netif_mtu(const sn_netif *nif);

/* List counters (rx_frames, tx_frames, drop_bad_fcs, drop_not_for_us, ...).
 * Returns how many were written to out[max]. */
size_t sn_netif_stats(const sn_netif *nif, sn_stat *out, size_t max);

#endif
