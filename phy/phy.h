/* phy/phy: one radio port of a node: modem + radio + the PHY capture.
 *
 * Down: the MAC hands a whole frame (bytes, FCS included) to sn_phy_send();
 * the PHY modulates it and transmits the burst, one burst at a time
 * (half-duplex: frames handed over while a burst is on the air wait in a
 * bounded queue).
 * Up: every decoded burst is written to the PHY capture (RFtap + frame,
 * failed ones marked); frames whose CRC passed are handed to the MAC through
 * the rx callback with their statistics in pkt->meta.
 */
#ifndef SN_PHY_PHY_H
#define SN_PHY_PHY_H

#include <stdint.h>

#include "core/pcap_tap.h"
#include "core/pkt.h"
#include "core/sched.h"
#include "phy/medium.h"
#include "phy/modem.h"

typedef struct sn_phy sn_phy;

/* Upward delivery: takes ownership of `frame` (the MAC must free it). */
typedef void (*sn_phy_rx_fn)(void *user, sn_pkt *frame);

/* Observer of every burst sent or received by this port (for printing what
 * the channel did). `tx` is 1 for our own bursts. Borrowed for the call. */
typedef void (*sn_phy_burst_fn)(void *user, int tx, const uint8_t *frame, size_t len,
                                const sn_phy_stats *st, size_t nsamples);

typedef struct sn_phy_config {
    sn_modem_config modem;
    double freq_hz;        /* [Hz] center frequency, for captures */
    unsigned tx_queue;     /* [frames] bound on frames waiting to be sent */
} sn_phy_config;

void sn_phy_config_default(sn_phy_config *c);

/* Create and attach to `medium`. `pool` supplies receive buffers. `tap`
 * (may be NULL) is the PHY capture, link type 252; it stays owned by the
 * caller and must outlive the phy. NULL on failure. */
sn_phy *sn_phy_create(const sn_phy_config *cfg, sn_sched *s, sn_pktpool *pool,
                      sn_medium *medium, sn_pcap_tap *tap,
                      sn_phy_rx_fn rx, void *user);
void sn_phy_destroy(sn_phy *p); /* NULL-safe; frees queued frames */

void sn_phy_set_burst_observer(sn_phy *p, sn_phy_burst_fn fn, void *user);

/* Send a frame. Takes ownership of `frame` in every case (freed when sent
 * or dropped). SN_OK, SN_ERR_NOBUFS (queue full: dropped, counted),
 * SN_ERR_RANGE (too long: dropped, counted). */
int sn_phy_send(sn_phy *p, sn_pkt *frame);

/* 1 while this port is transmitting or has frames queued. */
int sn_phy_busy(const sn_phy *p);

typedef struct sn_phy_counters {
    uint64_t tx_frames, tx_bytes, tx_samples;
    uint64_t tx_drop_queue_full, tx_drop_too_long;
    uint64_t rx_frames, rx_bytes;    /* delivered up (CRC good) */
    uint64_t rx_drop_crc;            /* CRC failed: captured, not delivered */
    uint64_t rx_drop_header;         /* detected but header undecodable */
    uint64_t rx_drop_nobuf;          /* packet pool empty */
    uint64_t rx_samples;
} sn_phy_counters;

void sn_phy_get_counters(const sn_phy *p, sn_phy_counters *c);

int sn_phy_port(const sn_phy *p); /* its port on the medium */

#endif
