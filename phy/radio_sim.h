/* phy/radio_sim: a radio that is a port on a simulated medium. */
#ifndef SN_PHY_RADIO_SIM_H
#define SN_PHY_RADIO_SIM_H

#include "phy/medium.h"
#include "phy/radio.h"

/* Attach a new port to `m` and wrap it as a radio (backend "sim"). The
 * medium must outlive the radio. NULL on failure. */
sn_radio *sn_radio_sim_create(sn_medium *m);

/* The radio's port on its medium (for per-link settings), or -1. */
int sn_radio_sim_port(const sn_radio *r);

#endif
