/* phy/radio_file: a radio backed by IQ files.
 *
 * PATH forms accepted by sn_radio_file_open (spec "file:PATH"):
 *   NAME.sigmf-meta | NAME.sigmf-data | NAME   a SigMF recording
 *   NAME.cf32 | .cfile | .fc32                 raw interleaved float32 I/Q (GNU Radio)
 *   NAME.ci8 | NAME.cs8                        raw int8 I/Q (HackRF)
 *   NAME.cu8                                   raw uint8 I/Q, offset 127.5 (RTL-SDR)
 *   NAME.ci16 | NAME.cs16                      raw int16 little-endian I/Q (PlutoSDR, LimeSDR)
 * Raw files carry no sample rate: it comes from cfg->sample_rate (required).
 * Receive: an existing file opens for receiving; each sn_radio_poll()
 * delivers the next block; SN_ERR_NOENT at the end.
 * Transmit: a path that does not exist yet opens for transmitting (the file
 * is created at the first burst, so a mistyped receive path leaves nothing
 * behind). Bursts are appended, with silence up to a burst's `at`: into a
 * SigMF recording (cf32_le, one annotation per burst) or, for a raw
 * extension above, into a raw file of that format. */
#ifndef SN_PHY_RADIO_FILE_H
#define SN_PHY_RADIO_FILE_H

#include "phy/radio.h"

sn_radio *sn_radio_file_open(const char *path, const sn_radio_config *cfg, sn_sched *s,
                             char *err, size_t errlen);

#endif
