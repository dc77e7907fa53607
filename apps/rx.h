/* apps/rx: `sdrnet rx --radio file:PATH`: receive from a radio and report
 * every frame found, with its statistics, optionally writing PHY and MAC
 * captures. The walking skeleton reads SigMF recordings (the file channel);
 * the radios issue adds live devices behind the same command. */
#ifndef SN_APPS_RX_H
#define SN_APPS_RX_H

/* argv after "rx". Returns the process exit status (0 ok, 1 run-time error,
 * 2 bad arguments or unreadable recording). */
int sn_rx_main(int argc, char **argv);

#endif
