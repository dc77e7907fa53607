/* apps/rx: `sdrnet rx` and `sdrnet sniff`: receive from a radio (a file or a
 * live device, phy/radio.h) and report every frame found, with its
 * statistics, optionally (rx) or always (sniff) writing PHY and MAC
 * captures. Both are one code path; sniff is the monitor's defaults.
 *
 * Also the flags every radio command shares (--radio, --freq, --samplerate,
 * --gain, --antenna, --bandwidth), parsed here once for rx, sniff and tx. */
#ifndef SN_APPS_RX_H
#define SN_APPS_RX_H

#include "phy/radio.h"

/* argv after "rx" / "sniff". Returns the process exit status (0 ok, 1
 * run-time error, 2 bad arguments or unreadable recording). */
int sn_rx_main(int argc, char **argv);
int sn_sniff_main(int argc, char **argv);

/* If argv[*i] is one of the common radio flags, consume it (and its value,
 * advancing *i) into *radio / *cfg and return 1; return 0 if it is not one;
 * return -1 after printing "sdrnet CMD: ..." to stderr if its value is
 * missing or bad. */
int sn_radio_args_parse(const char *cmd, int argc, char **argv, int *i, const char **radio,
                        sn_radio_config *cfg);

/* Help text of the common radio flags (for the commands' usage). */
extern const char sn_radio_args_help[];

#endif
