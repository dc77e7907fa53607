/* phy/radio_sim: a radio that is a port on a simulated medium. */
#ifndef SN_PHY_RADIO_SIM_H
#define SN_PHY_RADIO_SIM_H

#include "phy/medium.h"
#include "phy/radio.h"

/* Carrier sense latency and rx->tx turnaround the sim radio reports in its
 * sn_radio_info, in sample periods of the medium [samples].
 *
 * CCA: the medium's detector (sn_medium_carrier) answers from the expected
 * power of what is on the air, so it sees a burst from its first sample.
 * No receiver can know the power of one sample: a real energy detector
 * averages. Over 8 samples noise alone varies by about +-1.5 dB (1/sqrt(8),
 * one sigma), so the medium's 4 dB threshold (SN_MEDIUM_CARRIER_DB) is >4
 * sigma away, and a slot built on this latency also holds for such a
 * detector, not only for the ideal one.
 * Turnaround: the medium starts a burst exactly at its time (no switching
 * modelled); a front end's T/R switch, PA ramp and transmit path take a few
 * microseconds (802.11's OFDM PHY allows 2 us for the switch alone); 8
 * samples is 8 us at 1 MS/s.
 * Propagation (sn_medium_set_channel delays) is not included: channels
 * are set after radios exist and have no delay unless asked for. */
#define SN_RADIO_SIM_CCA_SAMPLES 8
#define SN_RADIO_SIM_TURNAROUND_SAMPLES 8

/* Attach a new port to `m` and wrap it as a radio (backend "sim"). The
 * medium must outlive the radio. NULL on failure. */
sn_radio *sn_radio_sim_create(sn_medium *m);

/* The radio's port on its medium (for per-link settings), or -1. */
int sn_radio_sim_port(const sn_radio *r);

#endif
