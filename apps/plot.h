/* apps/plot: draw a PNG with gnuplot -- the small piece behind
 * `sdrnet bench phy --plot DIR` (`sdrnet run --plot` still starts its own
 * gnuplot, apps/run.c plot_media).
 *
 * sn_plot_open() starts gnuplot with its terminal set to a PNG file (a
 * path with a line break is refused: gnuplot would read the rest of it as
 * commands) and
 * returns the pipe to its script; the caller writes the script, inline data
 * included (gnuplot 5 data blocks: "$d << EOD ... EOD"), and
 * sn_plot_close() waits for the picture. Nothing is written to disk but the
 * PNG, so no temporary files are left behind on failure.
 *
 * Not thread safe (SIGPIPE is ignored while a plot is open, so a gnuplot
 * that dies early gives an error rather than killing the program).
 */
#ifndef SN_APPS_PLOT_H
#define SN_APPS_PLOT_H

#include <stdio.h>

/* 1 if a gnuplot program is on the PATH, 0 if not (checked once). */
int sn_plot_available(void);

/* Start gnuplot drawing into `png` (path, truncated), width x height
 * [pixels], with the cairo PNG terminal if this gnuplot has it (Debian's
 * gnuplot-nox does) or else libgd's png terminal. Returns the pipe to write
 * the script to, or NULL with a message on stderr (gnuplot missing or
 * cannot be started). The returned stream must be passed to
 * sn_plot_close(). */
FILE *sn_plot_open(const char *png, unsigned width, unsigned height);

/* Finish the script, wait for gnuplot and restore SIGPIPE. 0 if gnuplot
 * ran the whole script without error, -1 otherwise (message on stderr
 * naming `png`). NULL-safe (returns -1). */
int sn_plot_close(FILE *g, const char *png);

#endif
