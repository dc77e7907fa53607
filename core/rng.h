/* core/rng: a small, fast, seedable random number generator
 * (xoshiro256** seeded through splitmix64) so that a simulated run is
 * byte-for-byte repeatable for a given --seed. Not for cryptography.
 * The state is a plain struct so it can be embedded without allocation. */
#ifndef SN_CORE_RNG_H
#define SN_CORE_RNG_H

#include <stdint.h>

typedef struct sn_rng {
    uint64_t s[4];
    double spare;     /* cached second Gaussian of a pair */
    int has_spare;
} sn_rng;

/* Seed the generator; any seed (including 0) gives a valid stream. */
void sn_rng_seed(sn_rng *r, uint64_t seed);

/* Derive an independent stream: seeds `out` from `seed` mixed with `stream`
 * (e.g. a node or link index), so adding a node does not shift the others. */
void sn_rng_seed_stream(sn_rng *out, uint64_t seed, uint64_t stream);

uint64_t sn_rng_u64(sn_rng *r);
/* uniform in [0, 1) */
double sn_rng_uniform(sn_rng *r);
/* uniform integer in [0, n), n > 0, without modulo bias */
uint64_t sn_rng_below(sn_rng *r, uint64_t n);
/* standard normal (mean 0, variance 1) */
double sn_rng_gauss(sn_rng *r);

#endif
