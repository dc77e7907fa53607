/* apps/bench_route: `sdrnet bench route`, longest-prefix-match lookups on
 * 10 000 routes beside a linear scan and a hash per prefix length. */
#ifndef SN_APPS_BENCH_ROUTE_H
#define SN_APPS_BENCH_ROUTE_H

#include <jansson.h>

/* Prints a table, or with `json` adds "route" to `root`. Returns 0, or 1 if
 * the methods disagree or memory runs out. */
int sn_bench_route(int quick, int json, json_t *root);

#endif
