/* phy/sigmf: SigMF recordings (https://sigmf.org): a `.sigmf-data` file of
 * raw samples and a `.sigmf-meta` JSON file describing them.
 *
 * The writer stores cf32_le samples and, per frame, one annotation
 * (core:sample_start, core:sample_count, core:label, plus the SNR), so the
 * frames of a recording can be found next to the pcap. The reader takes a
 * recording (by base name, .sigmf-meta or .sigmf-data path) and checks the
 * data against the meta: a missing file, a meta that does not parse or
 * names an unsupported datatype, or a data file whose size is not a whole
 * number of samples gets a clear error message.
 */
#ifndef SN_PHY_SIGMF_H
#define SN_PHY_SIGMF_H

#include <stddef.h>
#include <stdint.h>

#include "phy/modem.h"

typedef struct sn_sigmf_writer sn_sigmf_writer;

/* Sample rates a recording may declare. [S/s] */
#define SN_SIGMF_MIN_RATE 1.0
#define SN_SIGMF_MAX_RATE 1e12

/* Create BASE.sigmf-data now; BASE.sigmf-meta is written by close.
 * sample_rate [S/s], freq_hz [Hz] center frequency, description free text.
 * NULL on failure (reason logged). */
sn_sigmf_writer *sn_sigmf_writer_open(const char *base, double sample_rate,
                                      double freq_hz, const char *description);

/* Append samples; returns the index of the first one written [samples] via
 * *first (may be NULL). SN_OK or SN_ERR_IO. */
int sn_sigmf_writer_write(sn_sigmf_writer *w, const sn_cf32 *iq, size_t n, uint64_t *first);

/* Add an annotation over [start, start+count) [samples]; label and comment
 * are copied (NULL = omitted); snr_db NaN = omitted. The SNR is written as
 * "sdrnet:snr_db", a field of the sdrnet extension namespace
 * (phy/sdrnet.sigmf-ext.md), declared in core:extensions. Annotations are
 * written sorted by sample_start (ties in the order added). */
int sn_sigmf_writer_annotate(sn_sigmf_writer *w, uint64_t start, uint64_t count,
                             const char *label, const char *comment, double snr_db);

/* Write the meta file and close both. Returns SN_OK or SN_ERR_IO. NULL-safe
 * (returns SN_OK). */
int sn_sigmf_writer_close(sn_sigmf_writer *w);

uint64_t sn_sigmf_writer_samples(const sn_sigmf_writer *w);

/* What the reader takes from a .sigmf-meta file. */
typedef struct sn_sigmf_meta {
    char datatype[16];  /* "cf32_le", "ci16_le", "ci8" or "cu8" (phy/iqfile.h) */
    double sample_rate; /* [S/s] core:sample_rate, > 0 */
    double freq_hz;     /* [Hz] core:frequency of the first capture, NaN if absent */
    size_t annotations; /* number of annotation segments */
} sn_sigmf_meta;

/* Parse and check a .sigmf-meta document held in memory (`len` bytes, no
 * NUL needed): JSON object with "global" (core:datatype cf32_le, ci16_le,
 * ci8 or cu8 (also ci8_le, cu8_le),
 * core:version, core:sample_rate > 0), a "captures" array and an
 * "annotations" array whose entries have an integer core:sample_start >= 0.
 * `name` prefixes the one-line reason written to errbuf on failure.
 * SN_OK, SN_ERR_PARSE, SN_ERR_UNSUPP (datatype) or SN_ERR_INVAL. Used by the
 * reader; exposed for fuzzing. */
int sn_sigmf_meta_parse(const char *json, size_t len, const char *name, sn_sigmf_meta *out,
                        char *errbuf, size_t errlen);

typedef struct sn_sigmf_reader sn_sigmf_reader;

/* Open a recording. On failure returns NULL and writes a one-line reason
 * into errbuf[errlen] (e.g. "x.sigmf-meta: core:datatype 'ri16' not supported"). */
sn_sigmf_reader *sn_sigmf_reader_open(const char *path, char *errbuf, size_t errlen);
void sn_sigmf_reader_close(sn_sigmf_reader *r); /* NULL-safe */

double sn_sigmf_reader_sample_rate(const sn_sigmf_reader *r); /* [S/s] */
double sn_sigmf_reader_freq(const sn_sigmf_reader *r);        /* [Hz], NaN if absent */
uint64_t sn_sigmf_reader_samples(const sn_sigmf_reader *r);   /* [samples] total */
size_t sn_sigmf_reader_annotations(const sn_sigmf_reader *r); /* count */
const char *sn_sigmf_reader_datatype(const sn_sigmf_reader *r); /* e.g. "ci16_le" */

/* Read up to `max` samples into out, converted to full scale as
 * phy/iqfile.h describes; returns the number read (0 at end) or a
 * negative error. */
long sn_sigmf_reader_read(sn_sigmf_reader *r, sn_cf32 *out, size_t max);

#endif
