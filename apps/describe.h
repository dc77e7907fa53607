/* apps/describe: one-line, human-readable summaries of frames and bits, for
 * the narrative `sdrnet run` prints and the labels of SigMF annotations. */
#ifndef SN_APPS_DESCRIBE_H
#define SN_APPS_DESCRIBE_H

#include <stddef.h>
#include <stdint.h>

/* Summarise a MAC frame (Ethernet header first; a trailing FCS, if
 * `has_fcs`, is ignored) like "ARP who-has 192.168.1.20 tell 192.168.1.10"
 * or "UDP 192.168.1.10:5000 > 192.168.1.20:5000 len 5 \"Hello\"". Never
 * fails: malformed input is summarised as such. Returns out. */
char *sn_describe_frame(const uint8_t *frame, size_t len, int has_fcs, char *out, size_t outlen);

/* Summarise a received burst: `ctrl` is the MAC control word from its PHY
 * header. A header-only burst that the radio MAC sent as an ACK is
 * "ACK seq N (header only)"; anything else is sn_describe_frame's summary
 * of the frame (FCS included). Returns out. */
char *sn_describe_burst(const uint8_t *frame, size_t len, uint32_t ctrl, char *out,
                        size_t outlen);

/* Bytes as groups of 8 bits, MSB first, separated by spaces
 * ("01001000 01100101"); at most `max_bytes` bytes, then "...". */
char *sn_describe_bits(const uint8_t *data, size_t len, size_t max_bytes, char *out,
                       size_t outlen);

/* Printable text: non-printable bytes as \xNN, at most `max` input bytes. */
char *sn_describe_text(const uint8_t *data, size_t len, size_t max, char *out, size_t outlen);

#endif
