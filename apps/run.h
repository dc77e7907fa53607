/* apps/run: build the network a flowgraph describes, run it on virtual time,
 * write the captures and recordings, and tell what happened layer by layer.
 * This is `sdrnet run`. */
#ifndef SN_APPS_RUN_H
#define SN_APPS_RUN_H

#include <stdint.h>
#include <stdio.h>

#include "apps/flowgraph.h"

typedef struct sn_run_options {
    const char *out_dir;   /* where captures go (created if missing) */
    int has_seed;          /* 1: `seed` overrides the flowgraph's */
    uint64_t seed;
    int json;              /* print a JSON summary instead of the narrative */
    int quiet;             /* no narrative, only the summary and file list */
    int plot;              /* draw each medium's bursts to MEDIUM.png (gnuplot) */
    int progress;          /* show progress on stderr (when it is a terminal) */
    size_t max_events;     /* bound on scheduler events (0: default 10^7) */
    FILE *out;             /* where to print (stdout) */
} sn_run_options;

/* Returns 0 when the run completed and every file was written, 1 on a
 * run-time error (message printed to stderr). */
int sn_run_flowgraph(const sn_flowgraph *fg, const sn_run_options *opt);

#endif
