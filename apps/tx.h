/* apps/tx: `sdrnet tx --radio RADIO`: build MAC frames (Ethernet II + FCS,
 * ethertype 0x88b5, "local experimental"), modulate each into a burst and
 * send them through a radio (phy/radio.h), spaced in time. On a file radio
 * this writes a SigMF recording (or a raw IQ file) that `sdrnet rx` decodes
 * bit for bit.
 *
 * Payload of every frame (big-endian fields):
 *
 *   0     4      6
 *   | seq | len | data (len bytes) | zero padding up to the 60-byte minimum
 *
 * seq counts frames from 0; without --message/--file, data byte i of frame
 * seq is (seq + i) mod 256, so a receiver can check every byte. */
#ifndef SN_APPS_TX_H
#define SN_APPS_TX_H

#define SN_TX_ETHERTYPE 0x88b5 /* IEEE 802 local experimental ethertype 1 */
#define SN_TX_HDR_LEN 6        /* [bytes] seq + len before the data */

/* argv after "tx". Returns the process exit status (0 ok, 1 run-time
 * error, 2 bad arguments). */
int sn_tx_main(int argc, char **argv);

#endif
