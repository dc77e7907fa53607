#include "core/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void sn_rng_seed(sn_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    r->has_spare = 0;
    r->spare = 0;
}

void sn_rng_seed_stream(sn_rng *out, uint64_t seed, uint64_t stream)
{
    uint64_t x = stream;
    sn_rng_seed(out, seed ^ splitmix64(&x));
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t sn_rng_u64(sn_rng *r)
{
    /* xoshiro256** (Blackman & Vigna) */
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double sn_rng_uniform(sn_rng *r)
{
    return (double)(sn_rng_u64(r) >> 11) * 0x1.0p-53;
}

uint64_t sn_rng_below(sn_rng *r, uint64_t n)
{
    if (n == 0)
        return 0;
    /* rejection sampling: draw until below the largest multiple of n */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = sn_rng_u64(r);
    while (x >= limit);
    return x % n;
}

double sn_rng_gauss(sn_rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    /* Marsaglia polar method */
    double u, v, s;
    do {
        u = 2.0 * sn_rng_uniform(r) - 1.0;
        v = 2.0 * sn_rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt(-2.0 * log(s) / s);
    r->spare = v * f;
    r->has_spare = 1;
    return u * f;
}
