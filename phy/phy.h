/* phy/phy: one radio port of a node: modem + radio (phy/radio.h, any
 * backend) + the PHY capture.
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
#include "phy/modem.h"
#include "phy/radio.h"

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
    unsigned tx_queue;     /* [frames] bound on frames waiting to be sent
                            * (not counting the one on the air) */
} sn_phy_config;

/* Defaults: modem defaults, 915 MHz, 32 frames. */
void sn_phy_config_default(sn_phy_config *c);

/* The PHY capture: each record is an exported PDU naming "rftap": an RFtap
 * header (phy/rftap.h) then the frame as sent/received, FCS included, with
 * RFtap dlt 1 (Ethernet).
 *   sent frames: stamped at the burst's start; dlt, freq, duration.
 *   received frames: stamped at delivery (the scheduler's now); dlt, freq,
 *     freqofs (CFO estimate), power (RSSI, dB full scale), noise
 *     (power - snr), snr, qual (1 - rms EVM, 0..1), duration; a frame whose
 *     CRC failed is written too, marked with RFtap flag bit 13
 *     (rftap.present.field13 in Wireshark).
 * Frames whose header did not decode are not written (nothing to show). */

/* Write one PHY capture record (the format above) to `tap` (NULL: nothing).
 * `st` NULL for a sent frame; freq_hz [Hz] the centre frequency; duration
 * = nsamples / sample_rate [S/s]. SN_OK or the tap's error. Used by the PHY
 * port and by anything else that captures frames it demodulated (sdrnet rx). */
int sn_phy_capture_write(sn_pcap_tap *tap, sn_time_t now, double freq_hz, double sample_rate,
                         const sn_phy_stats *st, const uint8_t *frame, size_t len,
                         size_t nsamples);

/* Create on `radio` (its rx callback is taken over; the radio stays owned
 * by the caller and must outlive the phy). `pool` supplies receive
 * buffers. `tap` (may be NULL) is the PHY capture, link type 252; it stays
 * owned by the caller and must outlive the phy. NULL on failure. The sample
 * rate is the radio's. Bursts are sent at the scheduler's now (timed).
 * Received blocks are fed to the modem in order; a block flagged
 * SN_RADIO_RX_GAP resets it first (the samples before it are not the ones
 * the modem last saw, so a half-received burst must be forgotten; the sim
 * medium delivers whole bursts inside guard noise, so nothing decodable is
 * lost by that). Received frames get pkt->meta time (when the block
 * completing them was delivered), snr_db, rssi_db, evm_db, cfo_hz and
 * sample (first sample on the radio's sample clock), phy_rate and
 * phy_ctrl (from the PHY header). A header-only burst is delivered as an
 * empty frame (not captured). */
sn_phy *sn_phy_create(const sn_phy_config *cfg, sn_sched *s, sn_pktpool *pool,
                      sn_radio *radio, sn_pcap_tap *tap,
                      sn_phy_rx_fn rx, void *user);
/* NULL-safe; frees queued frames, releases the radio's rx callback and
 * cancels its timer (destroy it before the scheduler and the radio). */
void sn_phy_destroy(sn_phy *p);

void sn_phy_set_burst_observer(sn_phy *p, sn_phy_burst_fn fn, void *user);

/* Send a frame. Takes ownership of `frame` in every case (freed when sent
 * or dropped). It goes at frame->meta.phy_rate (-1: the configured rate)
 * with frame->meta.phy_ctrl in the PHY header; an empty frame is a
 * header-only burst (sent and shown to the burst observer, not captured).
 * SN_OK, SN_ERR_NOBUFS (queue full: dropped, counted),
 * SN_ERR_RANGE (too long: dropped, counted as too long).
 * An idle port starts the burst now; otherwise the frame waits and starts
 * when the burst before it ends, so one port's bursts never overlap. The
 * rx callback may call this. */
int sn_phy_send(sn_phy *p, sn_pkt *frame);

/* 1 while this port is transmitting or has frames queued. */
int sn_phy_busy(const sn_phy *p);

/* Carrier sense for the MAC: is the channel busy at this port at `now`
 * [ns] (the scheduler's now, or a little before: see the radio's carrier)?
 * 1 when any of:
 *   - energy: the radio's detector says busy (sn_radio_carrier; the sim
 *     medium: total power >= SN_MEDIUM_CARRIER_DB above the noise floor);
 *   - preamble: the modem has detected a preamble and is inside a frame
 *     (sn_modem_busy), which also catches a burst too weak for the energy
 *     detector -- as of the samples received so far, and only until a
 *     preamble and header's time after the last sample received (a radio
 *     that skips idle time, like the sim medium, leaves a detection
 *     pending on a burst's trailing noise unresolved: the air was idle);
 *   - this port has a burst on the air (it cannot hear while it sends).
 * 0 when idle; a negative error (SN_ERR_INVAL for NULL, or the radio's)
 * when it cannot tell and none of the above holds. Frames only queued
 * here do not count (sn_phy_busy tells that). *power_db [dB full scale]:
 * the radio's measured power (NaN if its backend cannot sense energy), if
 * not NULL. */
int sn_phy_carrier(const sn_phy *p, sn_time_t now, double *power_db);

typedef struct sn_phy_counters {
    uint64_t tx_frames, tx_bytes, tx_samples;
    uint64_t tx_drop_queue_full, tx_drop_too_long;
    uint64_t rx_frames, rx_bytes;    /* delivered up (CRC good) */
    uint64_t rx_drop_crc;            /* CRC failed: captured, not delivered */
    uint64_t rx_drop_header;         /* detected but header undecodable
                                      * (the modem's rx_header_bad) */
    uint64_t rx_drop_nobuf;          /* packet pool empty */
    uint64_t rx_drop_too_long;       /* decoded, but larger than a pool buffer */
    uint64_t tx_drop_radio;          /* modem or radio refused the burst */
    uint64_t rx_samples;
} sn_phy_counters;

void sn_phy_get_counters(const sn_phy *p, sn_phy_counters *c);

/* Its port on the simulated medium (sn_radio_sim_port of its radio), -1 for
 * other radios. */
int sn_phy_port(const sn_phy *p);

sn_radio *sn_phy_radio(const sn_phy *p);

#endif
