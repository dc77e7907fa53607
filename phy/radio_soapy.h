/* phy/radio_soapy: a radio on a SoapySDR device (C API), built when
 * SoapySDR is found (SDRNET_HAVE_SOAPY). Spec "soapy:ARGS", ARGS exactly as
 * `SoapySDRUtil --make=ARGS` takes them (e.g. "driver=hackrf"). */
#ifndef SN_PHY_RADIO_SOAPY_H
#define SN_PHY_RADIO_SOAPY_H

#include "phy/radio.h"

sn_radio *sn_radio_soapy_open(const char *args, const sn_radio_config *cfg, sn_sched *s,
                              char *err, size_t errlen);

#endif
