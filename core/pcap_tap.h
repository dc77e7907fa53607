/* core/pcap_tap: a capture file written through libpcap
 * (pcap_open_dead + pcap_dump), one per node per layer.
 *
 * Timestamps have nanosecond resolution and come from the caller's `now`, so
 * a simulated run writes the virtual time and two runs with the same seed
 * write identical files. Link types are ones stock Wireshark opens without a
 * plugin or preference:
 *   SN_LINKTYPE_ETHERNET (1), SN_LINKTYPE_IPV4 (228),
 *   SN_LINKTYPE_WIRESHARK_UPPER_PDU (252): an exported-PDU header naming the
 *   dissector (e.g. "rftap"), then that protocol's bytes.
 *
 * Every write function accepts a NULL tap and then does nothing, so a layer
 * can call it unconditionally whether or not capturing is enabled.
 */
#ifndef SN_CORE_PCAP_TAP_H
#define SN_CORE_PCAP_TAP_H

#include <stddef.h>
#include <stdint.h>

#include "core/time.h"

#define SN_LINKTYPE_ETHERNET 1
#define SN_LINKTYPE_IPV4 228
#define SN_LINKTYPE_WIRESHARK_UPPER_PDU 252

/* Largest record written; longer data is truncated in the file (and the
 * original length recorded, as pcap does). [bytes] */
#define SN_PCAP_SNAPLEN 65535

typedef struct sn_pcap_tap sn_pcap_tap;

/* Create (truncate) `path` as a pcap of `linktype`. NULL on failure, with
 * *err set (if err != NULL) and the reason logged. */
sn_pcap_tap *sn_pcap_tap_open(const char *path, int linktype, int *err);

/* Flush and close. NULL-safe. Returns SN_ERR_IO if any record could not be
 * written or the final flush failed (the file is then incomplete). */
int sn_pcap_tap_close(sn_pcap_tap *t);

/* Write one record of `len` bytes stamped `now` [ns]. SN_OK or SN_ERR_IO. */
int sn_pcap_tap_write(sn_pcap_tap *t, sn_time_t now, const void *data, size_t len);

/* Write one record made of two parts (a prefix header then data), so a
 * caller can add a pseudo-header without copying the packet. */
int sn_pcap_tap_write2(sn_pcap_tap *t, sn_time_t now, const void *hdr, size_t hlen,
                       const void *data, size_t len);

/* For SN_LINKTYPE_WIRESHARK_UPPER_PDU: write an exported-PDU record whose
 * tag 12 (protocol name) names `proto` (e.g. "rftap"), then `hdr` and `data`.
 * The name is NUL-padded to a multiple of 4 bytes and the tag length counts
 * the padding, which is what tshark 4.0 needs to find the name. */
int sn_pcap_tap_write_pdu(sn_pcap_tap *t, sn_time_t now, const char *proto,
                          const void *hdr, size_t hlen, const void *data, size_t len);

uint64_t sn_pcap_tap_records(const sn_pcap_tap *t); /* records written */
const char *sn_pcap_tap_path(const sn_pcap_tap *t); /* NULL for a NULL tap */
int sn_pcap_tap_linktype(const sn_pcap_tap *t);

#endif
