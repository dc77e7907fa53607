/* apps/bench_mac: `sdrnet bench mac`: the radio MAC (mac/dcf) with real
 * PHYs on one simulated medium, beside Bianchi's analytical model of the
 * 802.11 DCF (IEEE JSAC 18(3), 2000) computed for the same timing:
 *   - saturation throughput and Jain's fairness for N = 2, 5, 10, 20
 *     stations (--quick: 2 and 5), every station always holding a
 *     1500-byte-payload frame for the next one;
 *   - MAC efficiency (UDP goodput / PHY bit rate) of one saturated pair at
 *     each of the 8 rates (target >= 70 % at every rate), beside the model
 *     for one station and with the share of attempts the PHY lost;
 *   - unicast delivery over a link losing 20 % of its frames (both
 *     directions, ACKs included), and duplicates delivered (must be 0). */
#ifndef SN_APPS_BENCH_MAC_H
#define SN_APPS_BENCH_MAC_H

#include <jansson.h>

/* Prints tables, or with `json` adds "mac" to `root`. Returns 0 (targets
 * missed are reported in the output, "pass" in JSON), 1 if a simulation
 * could not be set up. */
int sn_bench_mac(int quick, int json, json_t *root);

/* Bianchi's model: solves the fixed point of tau (transmission probability
 * per slot) and p (conditional collision probability) for `n` saturated
 * stations with W = cw_min + 1 and `m` backoff stages (cw_max + 1 =
 * 2^m W), and returns the saturation throughput [bits/s] for a payload of
 * `payload_bits` with slot `sigma`, success time `ts` and collision time
 * `tc` [s]. *p_out (if not NULL) gets p. */
double sn_bianchi_throughput(unsigned n, unsigned w, unsigned m, double payload_bits,
                             double sigma, double ts, double tc, double *p_out);

#endif
