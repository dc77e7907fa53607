/* apps/devices: `sdrnet devices`, what SoapySDR can see on this machine. */
#ifndef SN_APPS_DEVICES_H
#define SN_APPS_DEVICES_H

/* `sdrnet devices [ARGS] [--help]`: list every SoapySDR device (or those
 * matching ARGS, e.g. driver=hackrf) with driver, label, serial and, per
 * direction, channels, frequency and sample-rate ranges, gains and
 * antennas. argv[0] is "devices". Exit status: 0 (also when there is no
 * device: that is an answer, not a failure), 1 when built without
 * SoapySDR, 2 on a bad command line. */
int sn_devices_main(int argc, char **argv);

#endif
