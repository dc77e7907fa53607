/* apps/json_out: how every sdrnet command prints its --json result, so all
 * of them read the same (indented, keys in insertion order). */
#ifndef SN_APPS_JSON_OUT_H
#define SN_APPS_JSON_OUT_H

#include <jansson.h>
#include <stdio.h>

/* Print `root` (may be NULL: an allocation failed while building it) to
 * `out` with `precision` significant digits for reals (0: jansson's
 * default), then release it. Returns 0, or -1 if nothing could be printed
 * (the caller reports a failure). */
int sn_json_print(FILE *out, json_t *root, int precision);

#endif
