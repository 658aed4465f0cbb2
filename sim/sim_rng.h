/* sim_rng: xoshiro256** pseudo-random generator with named, independent
 * streams derived from one run seed.
 *
 * Every component of a simulation owns its own stream (ROSS gives each entity
 * its own), so adding draws in one component never shifts the numbers another
 * component sees, and a run is reproducible from (seed, stream name). */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>

/* Caller-allocated so it can be embedded in component structs; the state is
 * private: touch it only through the functions below. */
typedef struct sim_rng {
    uint64_t s[4]; /* private: xoshiro256** state, never all zero */
} sim_rng;

/* Seeds `rng` for stream `stream` of run `seed`. Distinct (seed, stream)
 * pairs give statistically independent sequences. */
void sim_rng_init(sim_rng *rng, uint64_t seed, uint64_t stream);

/* Stream number for a component name ("gateway", "kafka.partition.3"): a
 * stable 64-bit hash, so stream identity does not depend on creation order. */
uint64_t sim_rng_stream_id(const char *name);

/* Convenience: sim_rng_init(rng, seed, sim_rng_stream_id(name)). */
void sim_rng_init_named(sim_rng *rng, uint64_t seed, const char *name);

static inline uint64_t sim_rng__rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* Next 64 random bits. */
static inline uint64_t sim_rng_u64(sim_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = sim_rng__rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = sim_rng__rotl(s[3], 45);
    return result;
}

/* Uniform on [0, 1) with 53 random bits. */
static inline double sim_rng_uniform(sim_rng *r) { return (double)(sim_rng_u64(r) >> 11) * 0x1.0p-53; }

/* Uniform on (0, 1): never 0, safe for log(). */
static inline double sim_rng_uniform_pos(sim_rng *r) { return ((double)(sim_rng_u64(r) >> 11) + 0.5) * 0x1.0p-53; }

/* Uniform integer in [0, n), n > 0, without modulo bias (Lemire). */
uint64_t sim_rng_below(sim_rng *r, uint64_t n);

/* Advances `r` by 2^128 draws (sim_rng_jump) or 2^192 draws
 * (sim_rng_long_jump): successive jumps from one state give substreams that
 * provably do not overlap, e.g. one per replication of a named stream. */
void sim_rng_jump(sim_rng *r);
void sim_rng_long_jump(sim_rng *r);

#endif
