/* apps/bench: `sdrnet bench`: benchmarks that print figures (and --json),
 * each beside a reference measured in the same run on the same input. */
#ifndef SN_APPS_BENCH_H
#define SN_APPS_BENCH_H

/* argv after "bench". Returns the process exit status. */
int sn_bench_main(int argc, char **argv);

#endif
