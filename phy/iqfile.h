/* phy/iqfile: raw IQ sample files, the formats SDR tools write without any
 * header, and their conversion to and from sn_cf32.
 *
 *   format  bytes/sample  layout                         to full scale
 *   cf32    8             float32 LE I, Q (GNU Radio)    as is
 *   ci8     2             int8 I, Q (HackRF)             x / 128
 *   cu8     2             uint8 I, Q (RTL-SDR)           (x - 127.5) / 127.5
 *   ci16    4             int16 LE I, Q (Pluto, Lime)    x / 32768
 *
 * The bytes of a file are untrusted: every byte pattern decodes to some
 * sample (cf32 may give NaN/Inf, which the modem replaces), and a file whose
 * size is not a whole number of samples is refused at open with a message
 * naming it, its size and the sample size. The SigMF reader (phy/sigmf.h)
 * reads its data file through this module too.
 */
#ifndef SN_PHY_IQFILE_H
#define SN_PHY_IQFILE_H

#include <stddef.h>
#include <stdint.h>

#include "phy/modem.h"

typedef enum sn_iq_format {
    SN_IQ_CF32 = 0,
    SN_IQ_CI8,
    SN_IQ_CU8,
    SN_IQ_CI16,
} sn_iq_format;

/* Bytes of one complex sample (I and Q) [bytes]. */
size_t sn_iq_format_bytes(sn_iq_format f);

/* SigMF name of the format: "cf32_le", "ci8", "cu8", "ci16_le". */
const char *sn_iq_format_sigmf(sn_iq_format f);

/* Format from a file name's extension (.cf32 .cfile .fc32 .ci8 .cs8 .cu8
 * .ci16 .cs16, any case). SN_OK or SN_ERR_NOENT if it is none of them. */
int sn_iq_format_from_path(const char *path, sn_iq_format *f);

/* Format from a SigMF core:datatype ("cf32_le", "ci8", "cu8", "ci16_le";
 * the 8-bit names also with an _le suffix, which SigMF allows). SN_OK or
 * SN_ERR_UNSUPP. */
int sn_iq_format_from_sigmf(const char *datatype, sn_iq_format *f);

/* Decode n samples from n * sn_iq_format_bytes(f) bytes. */
void sn_iq_decode(sn_iq_format f, const uint8_t *in, size_t n, sn_cf32 *out);

/* Encode n samples into n * sn_iq_format_bytes(f) bytes. Integer formats
 * round to nearest and clip to their range (NaN becomes 0); cf32 is bit
 * exact. */
void sn_iq_encode(sn_iq_format f, const sn_cf32 *in, size_t n, uint8_t *out);

/* ---- reading a file ---- */

typedef struct sn_iqfile_reader sn_iqfile_reader;

/* Open `path` holding samples of format f. NULL with a one-line reason in
 * err[errlen] when it is missing, unreadable, or its size is not a whole
 * number of samples. An empty file is valid (0 samples). */
sn_iqfile_reader *sn_iqfile_open(const char *path, sn_iq_format f, char *err, size_t errlen);
void sn_iqfile_close(sn_iqfile_reader *r); /* NULL-safe */

uint64_t sn_iqfile_samples(const sn_iqfile_reader *r); /* [samples] in the file */

/* Read up to max samples; returns how many (0 at the end) or SN_ERR_IO. */
long sn_iqfile_read(sn_iqfile_reader *r, sn_cf32 *out, size_t max);

/* ---- writing a file ---- */

typedef struct sn_iqfile_writer sn_iqfile_writer;

/* Create (truncate) `path`. NULL with a reason in err[errlen]. */
sn_iqfile_writer *sn_iqfile_writer_open(const char *path, sn_iq_format f, char *err,
                                        size_t errlen);
/* Append n samples: SN_OK or SN_ERR_IO. */
int sn_iqfile_write(sn_iqfile_writer *w, const sn_cf32 *iq, size_t n);
/* Close: SN_OK or SN_ERR_IO (a failed write or close). NULL-safe. */
int sn_iqfile_writer_close(sn_iqfile_writer *w);

#endif
