/* mac/dcf: channel access for a shared radio medium (CSMA/CA in the manner
 * of IEEE 802.11's distributed coordination function).
 *
 * Sits between the link-layer interface (mac/netif: it is the netif's lower
 * send function) and one radio port (phy/phy: the PHY's received frames are
 * handed to sn_dcf_input). Frames stay plain Ethernet (the MAC capture shows
 * them as they are); what the radio link adds travels in the PHY header's
 * 32-bit MAC control word (pkt->meta.phy_ctrl, see SN_DCF_CTRL_* below):
 *
 *   bits 31..30  type: 0 none (a sender without a DCF: delivered as is),
 *                1 data, ACK requested (unicast), 2 data, no ACK
 *                (broadcast/multicast), 3 ACK (a header-only burst)
 *   bit  29      retry: this data frame was sent before
 *   bit  28      reserved (sent 0, ignored)
 *   bits 27..16  sequence number (per transmitter, modulo 4096)
 *   bits 15..0   data: a 16-bit hash of the transmitter's MAC address;
 *                ACK: the hash of the station being acknowledged, so an ACK
 *                is only taken by the station that waits for it
 *
 * Timing is derived from the radio (sn_radio_info: cca_latency,
 * turnaround), the modem (sn_modem_get_timing, burst lengths) and the
 * sample rate, as 802.11 builds its slot from aCCATime and
 * aRxTxTurnaroundTime:
 *   slot  = cca_latency + turnaround       (a burst started one slot ago is
 *                                            seen by every carrier sense),
 *           rounded up to whole samples, at least 2 (the probe below plus
 *           the burst's first sample); propagation is not added (0 on the
 *           simulated medium unless a channel delay is set; metres on a
 *           bench). A radio whose sn_radio_carrier fails (no energy
 *           detector) gets the modem's preamble-detection latency added.
 *           Fields that do not apply (NaN: a file) count 0.
 *   SIFS  = decode_delay + turnaround      (the receiver has the frame),
 *           at least one sample
 *   DIFS  = SIFS rounded up to slots + 2 slots
 *   ACK timeout: the ACK must have *started* SIFS + 1 slot after the data
 *   burst ended and be seen by then + cca_latency (802.11's ACKTimeout:
 *   SIFS + slot + aRxPHYStartDelay); if the medium is busy then, the
 *   station waits for the end of that burst (at most one ACK length more).
 *
 * Access: every station senses the channel one sample before each slot
 * boundary of a grid common to all stations (multiples of the slot from
 * t = 0), so that their slots are aligned as in Bianchi's model. Sensing is
 * the radio's energy detector (sn_radio_carrier: on the simulated medium it
 * sees a burst from its first sample) or'ed with our own burst on the air;
 * a radio that cannot sense energy falls back to sn_phy_carrier (preamble
 * detection), which on the simulated medium can stay "busy" after a burst
 * because samples stop flowing between bursts. A frame waits for
 * DIFS of idle slots; then at each "decision slot" (every idle slot from the
 * one completing DIFS on) the station transmits if its backoff counter is 0,
 * else decrements it. Busy slots freeze the counter. The counter is drawn
 * uniformly from [0, CW]; CW starts at cw_min, doubles (2 CW + 1) after
 * every failed attempt up to cw_max, and returns to cw_min after a success
 * or a drop. A unicast frame is retransmitted (retry bit set) up to
 * retry_limit times after its first attempt, then dropped (counted).
 * Broadcast and multicast are sent once, never ACKed. Received unicast data
 * for this station is ACKed SIFS after its end (also duplicates: their ACK
 * may have been lost); a retransmission whose (transmitter, sequence) is the
 * last one seen from that transmitter is a duplicate and is dropped.
 *
 * Everything runs on the scheduler's virtual time; the backoff draws come
 * from the seed given at create, so a run is repeatable.
 */
#ifndef SN_MAC_DCF_H
#define SN_MAC_DCF_H

#include <stdint.h>

#include "core/pkt.h"
#include "core/sched.h"
#include "core/stats.h"
#include "mac/frame.h"
#include "phy/phy.h"

/* The control word (see above). */
#define SN_DCF_CTRL_TYPE_SHIFT 30
#define SN_DCF_CTRL_RETRY (1u << 29)
#define SN_DCF_CTRL_SEQ_SHIFT 16
#define SN_DCF_CTRL_SEQ_MASK 0xfffu
#define SN_DCF_CTRL_HASH_MASK 0xffffu
enum { SN_DCF_T_NONE = 0, SN_DCF_T_DATA = 1, SN_DCF_T_DATA_NOACK = 2, SN_DCF_T_ACK = 3 };

/* Build / take apart a control word. */
uint32_t sn_dcf_ctrl_make(unsigned type, int retry, unsigned seq, unsigned hash);
unsigned sn_dcf_ctrl_type(uint32_t ctrl);
int sn_dcf_ctrl_retry(uint32_t ctrl);
unsigned sn_dcf_ctrl_seq(uint32_t ctrl);
unsigned sn_dcf_ctrl_hash(uint32_t ctrl);
/* The 16-bit hash of a MAC address used in the control word. */
unsigned sn_dcf_addr_hash(const sn_mac_addr *a);

typedef struct sn_dcf sn_dcf;

/* Largest radio cca_latency or turnaround sn_dcf_create accepts [ns]
 * (1 s: beyond any real device; keeps the slot arithmetic far from
 * overflow). */
#define SN_DCF_MAX_RADIO_NS 1e9

typedef struct sn_dcf_config {
    unsigned cw_min;        /* [slots] initial contention window, 2^k - 1 (15) */
    unsigned cw_max;        /* [slots] largest window, 2^k - 1 (1023) */
    unsigned retry_limit;   /* retransmissions after the first attempt (7) */
    unsigned queue_len;     /* [frames] waiting to be sent (64) */
    int rate_control;       /* 1: per-destination rate adaptation (mac/ratectl);
                             * 0: every frame at fixed_rate */
    int fixed_rate;         /* sn_phy_rate, or -1 for the PHY's default rate;
                             * with rate_control also the starting rate */
    int ack_all_unicast;    /* 1: ACK every unicast data frame heard, whatever
                             * its destination address (a bridge port: the
                             * stations behind it are not on this medium);
                             * 0: only frames addressed to our MAC */
    sn_time_t rate_interval; /* [ns] rate statistics update period (100 ms) */
} sn_dcf_config;

/* The defaults above (rate_control 1, fixed_rate -1, ack_all_unicast 0). */
void sn_dcf_config_default(sn_dcf_config *c);

/* Up: a received data frame (FCS included, as the PHY delivered it) for the
 * netif. Takes ownership. */
typedef void (*sn_dcf_rx_fn)(void *user, sn_pkt *frame);

/* Told once per frame handed to sn_dcf_send when its fate is known:
 * status SN_OK (ACKed, or a broadcast sent), SN_ERR_RANGE (retry limit
 * reached), or another error (the PHY refused it). `attempts` is the number
 * of transmissions, `rate` the last one used. `frame` is borrowed. */
typedef void (*sn_dcf_done_fn)(void *user, const sn_pkt *frame, int status, unsigned attempts,
                               int rate);

/* A narrative hook: called with a short line for MAC events a learner may
 * want to see (ACK sent/received, retry, drop, rate change). NULL: none. */
typedef void (*sn_dcf_event_fn)(void *user, const char *what, const char *line);

/* Create on `phy` (borrowed, must outlive the dcf; the caller routes the
 * PHY's rx callback to sn_dcf_input). `modem` is the configuration the PHY
 * was created with (NULL: modem defaults): the dcf derives its timing and
 * airtimes from a modem of that configuration, never from fixed sample
 * counts. `own` is this station's MAC address;
 * `pool` supplies ACK bursts and retransmission copies; `seed` seeds the
 * backoff (and test-hook) random streams. NULL on bad config (cw_min or
 * cw_max not 2^k - 1, cw_min > cw_max, queue_len 0, fixed_rate out of range),
 * a radio latency above SN_DCF_MAX_RADIO_NS, or allocation failure. */
sn_dcf *sn_dcf_create(const sn_dcf_config *cfg, sn_sched *s, sn_pktpool *pool, sn_phy *phy,
                      const sn_modem_config *modem, const sn_mac_addr *own, uint64_t seed);
/* NULL-safe; frees queued frames and cancels its events (destroy it before
 * the phy and the scheduler). */
void sn_dcf_destroy(sn_dcf *d);

void sn_dcf_set_rx(sn_dcf *d, sn_dcf_rx_fn fn, void *user);
void sn_dcf_set_done(sn_dcf *d, sn_dcf_done_fn fn, void *user);
void sn_dcf_set_event(sn_dcf *d, sn_dcf_event_fn fn, void *user);

/* Change the MAC address the dcf answers for (e.g. the netif's). */
void sn_dcf_set_addr(sn_dcf *d, const sn_mac_addr *own);
void sn_dcf_set_ack_all(sn_dcf *d, int on);

/* Down: queue a whole frame (Ethernet header first, FCS included). Takes
 * ownership in every case. SN_OK (queued), SN_ERR_NOBUFS (queue full:
 * dropped, counted), SN_ERR_INVAL (NULL, or shorter than an Ethernet
 * header: dropped, counted). Signature of sn_netif_lower_send_fn (`dcf` is
 * the sn_dcf). */
int sn_dcf_send(void *dcf, sn_pkt *frame);

/* Up: a frame from the PHY (pkt->meta.phy_ctrl / phy_rate / time set).
 * Takes ownership. Signature of sn_phy_rx_fn. Bad control words, empty
 * frames that are not ACKs and data frames too short to hold an address
 * are counted as drop_malformed. */
void sn_dcf_input(void *dcf, sn_pkt *frame);

/* Test hook: drop each frame received from the PHY with probability
 * `p` in [0, 1] (data and ACKs alike, counted as drop_test_loss), drawn from
 * the dcf's own stream: a lossy link on the virtual clock. */
void sn_dcf_set_rx_loss(sn_dcf *d, double p);

/* Frames waiting, counting the one in service. */
unsigned sn_dcf_queued(const sn_dcf *d);

/* The derived timing [ns]: slot, SIFS, DIFS; the ACK burst length; and
 * the backoff/contention window now [slots]. */
typedef struct sn_dcf_timing {
    sn_time_t slot, sifs, difs, ack;
    unsigned difs_slots;    /* DIFS in slots */
    unsigned cw;            /* current contention window */
} sn_dcf_timing;
void sn_dcf_get_timing(const sn_dcf *d, sn_dcf_timing *t);

/* Airtime [ns] of a frame of `len` bytes at `rate` (-1: the default rate). */
sn_time_t sn_dcf_airtime(const sn_dcf *d, size_t len, int rate);

typedef struct sn_dcf_counters {
    uint64_t tx_frames;        /* frames accepted for sending */
    uint64_t tx_attempts;      /* data bursts sent (first tries + retries) */
    uint64_t tx_retries;       /* retransmissions */
    uint64_t tx_acked;         /* unicast frames acknowledged */
    uint64_t tx_bcast;         /* broadcast/multicast frames sent */
    uint64_t tx_acks;          /* ACK bursts sent */
    uint64_t ack_timeouts;     /* attempts without ACK (collision or loss) */
    uint64_t rx_data;          /* data frames handed up */
    uint64_t rx_acks;          /* ACKs taken */
    uint64_t rx_plain;         /* frames without MAC control word, handed up */
    uint64_t drop_retry_limit; /* unicast frames never ACKed */
    uint64_t drop_queue_full;
    uint64_t drop_duplicate;   /* retransmissions already received */
    uint64_t drop_ack_other;   /* ACK for another station, or late */
    uint64_t drop_malformed;
    uint64_t drop_phy;         /* the PHY refused a burst */
    uint64_t drop_nobufs;      /* no buffer for a copy or an ACK */
    uint64_t drop_test_loss;   /* dropped by the loss test hook */
    uint64_t ack_late;         /* ACKs sent later than SIFS (slow decode) */
    uint64_t tx_by_rate[SN_RATE_COUNT]; /* data bursts per rate */
    int last_rate;             /* rate of the last data burst, -1 none */
} sn_dcf_counters;

void sn_dcf_get_counters(const sn_dcf *d, sn_dcf_counters *c);

/* List counters (tx_attempts, tx_retries, tx_acks, drop_duplicate, ...) in
 * the core/stats convention. Returns how many were written. */
size_t sn_dcf_stats(const sn_dcf *d, sn_stat *out, size_t max);

#endif
