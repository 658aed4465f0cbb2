/* sim_rng: seeding and stream derivation for the xoshiro256** generator
 * (the generator step itself is inline in sim_rng.h).
 *
 * Invariant: a sim_rng's state is a pure function of (seed, stream), never
 * all zero, and is changed only by drawing from it or jumping it. Nothing here reads the
 * clock, the environment or a global, so two simulations with the same seed
 * see the same numbers on any thread.
 *
 * Why streams are independent in practice: (seed, stream) is hashed through
 * SplitMix64's finaliser (a bijection on 64 bits with full avalanche) into a
 * 64-bit key, and the four state words are the next four SplitMix64 outputs
 * from that key. Every stream therefore starts at an effectively random point
 * of xoshiro256**'s 2^256 - 1 cycle. With m streams each drawing L numbers,
 * the chance that any two overlap is at most about m^2 * L / 2^256: for a
 * million streams of 2^64 draws each that is 2^-152. (Within one seed two
 * streams never share a key; across seeds two (seed, stream) pairs share
 * one with probability 2^-64.) This is the seeding
 * Vigna recommends for xoshiro. For guaranteed disjointness, sim_rng_jump
 * advances a stream by 2^128 steps (2^128 non-overlapping substreams). */
#include "sim/sim_rng.h"

#include <glib.h>

/* SplitMix64 finaliser (Stafford's Mix13): a bijection on 64 bits in which
 * every input bit flips each output bit with probability ~1/2. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* One SplitMix64 step: advances *x by the golden gamma, returns its mix. */
static uint64_t splitmix64_next(uint64_t *x)
{
    *x += 0x9e3779b97f4a7c15ULL;
    return mix64(*x);
}

void sim_rng_init(sim_rng *rng, uint64_t seed, uint64_t stream)
{
    g_return_if_fail(rng != NULL);
    /* For a fixed seed, stream -> key is a bijection (xor then mix), so two
     * different streams of one run can never share a key; the extra constant
     * keeps (seed 0, stream 0) away from SplitMix64's zero state. */
    uint64_t key = mix64(mix64(seed ^ 0x6a09e667f3bcc909ULL) ^ stream);
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64_next(&key);
    /* Four consecutive SplitMix64 outputs are distinct (mix64 is a
     * bijection of distinct inputs), so at most one is zero. */
    g_assert((rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]) != 0);
}

/* FNV-1a 64-bit: tiny, stable across platforms and releases, and good enough
 * as a name -> number map because the result is mixed again in
 * sim_rng_init. Changing it would change every run's numbers: don't. */
uint64_t sim_rng_stream_id(const char *name)
{
    g_return_val_if_fail(name != NULL, 0);
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

void sim_rng_init_named(sim_rng *rng, uint64_t seed, const char *name)
{
    sim_rng_init(rng, seed, sim_rng_stream_id(name));
}

/* Lemire's nearly divisionless method (ACM TOMS 2019): the high 64 bits of
 * x * n are uniform on [0, n) once the few x whose low product falls below
 * 2^64 mod n are rejected; the division happens only when the low product is
 * below n, i.e. with probability n / 2^64. */
uint64_t sim_rng_below(sim_rng *r, uint64_t n)
{
    g_return_val_if_fail(n > 0, 0);
    unsigned __int128 m = (unsigned __int128)sim_rng_u64(r) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = -n % n; /* 2^64 mod n */
        while (low < threshold) {
            m = (unsigned __int128)sim_rng_u64(r) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

/* Applies one of Vigna's jump polynomials: equivalent to `steps` calls of
 * sim_rng_u64 where the polynomial encodes x^steps mod the characteristic
 * polynomial. */
static void jump_with(sim_rng *r, const uint64_t poly[4])
{
    uint64_t t[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; i++)
        for (int b = 0; b < 64; b++) {
            if (poly[i] & (1ULL << b))
                for (int k = 0; k < 4; k++) t[k] ^= r->s[k];
            (void)sim_rng_u64(r);
        }
    for (int k = 0; k < 4; k++) r->s[k] = t[k];
}

void sim_rng_jump(sim_rng *r)
{
    static const uint64_t JUMP[4] = {0x180ec6d33cfd0abaULL, 0xd5a61266f0c9392cULL,
                                     0xa9582618e03fc9aaULL, 0x39abdc4529b1661cULL};
    g_return_if_fail(r != NULL);
    jump_with(r, JUMP);
}

void sim_rng_long_jump(sim_rng *r)
{
    static const uint64_t LONG_JUMP[4] = {0x76e15d3efefdcbbfULL, 0xc5004e441c522fb3ULL,
                                          0x77710069854ee241ULL, 0x39109bb02acbe635ULL};
    g_return_if_fail(r != NULL);
    jump_with(r, LONG_JUMP);
}
