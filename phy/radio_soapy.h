/* phy/radio_soapy: a radio on a SoapySDR device (C API), built when
 * SoapySDR is found (SDRNET_HAVE_SOAPY). Spec "soapy:ARGS", ARGS exactly as
 * `SoapySDRUtil --make=ARGS` takes them (e.g. "driver=hackrf"), plus two
 * keys of sdrnet's own, removed before the args reach SoapySDR:
 *   ring_ms=N       receive ring length [ms] (default 500)
 *   half_duplex=0|1 stop receiving while a burst is sent (default: 1 for
 *                   driver=hackrf, which cannot do both, else 0)
 * Clock: the radio's sample clock counts received samples from the first;
 * with a hardware clock, `at` is mapped to device time through the time of
 * sample 0, so receive latency means a MAC must schedule with a margin. */
#ifndef SN_PHY_RADIO_SOAPY_H
#define SN_PHY_RADIO_SOAPY_H

#include "phy/radio.h"

sn_radio *sn_radio_soapy_open(const char *args, const sn_radio_config *cfg, sn_sched *s,
                              char *err, size_t errlen);

#endif
