/* phy/radio_file: a radio backed by IQ files.
 *
 * PATH forms accepted by sn_radio_file_open (spec "file:PATH"):
 *   NAME.sigmf-meta | NAME.sigmf-data | NAME   a SigMF recording
 *   NAME.cf32 | .cfile | .fc32                 raw interleaved float32 I/Q (GNU Radio)
 *   NAME.ci8 | NAME.cs8                        raw int8 I/Q (HackRF)
 *   NAME.cu8                                   raw uint8 I/Q, offset 127.5 (RTL-SDR)
 *   NAME.ci16 | NAME.cs16                      raw int16 little-endian I/Q (PlutoSDR, LimeSDR)
 * Raw files carry no sample rate: it comes from cfg->sample_rate (required).
 * Receive: each sn_radio_poll() delivers the next block; SN_ERR_NOENT at the
 * end. Transmit: bursts are appended to a SigMF recording (cf32_le) opened
 * for writing when the file does not exist yet, with one annotation each. */
#ifndef SN_PHY_RADIO_FILE_H
#define SN_PHY_RADIO_FILE_H

#include "phy/radio.h"

sn_radio *sn_radio_file_open(const char *path, const sn_radio_config *cfg, sn_sched *s,
                             char *err, size_t errlen);

#endif
