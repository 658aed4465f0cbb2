/* sim_dist: the probability distributions scenarios use for service times,
 * sizes and rates: constant, uniform, exponential, normal, lognormal,
 * Pareto, Zipf and empirical (piecewise-linear inverse of a CDF table).
 *
 * A sim_dist is a small value: caller-allocated, initialised by one of the
 * _init functions or sim_dist_from_json, released with sim_dist_clear (only
 * empirical tables own memory). Sampling never allocates. Units are the
 * caller's: the same distribution may describe seconds or bytes. */
#ifndef SIM_DIST_H
#define SIM_DIST_H

#include <stddef.h>
#include <glib.h>
#include <cjson/cJSON.h>
#include "sim/sim_rng.h"

typedef enum {
    SIM_DIST_CONSTANT,
    SIM_DIST_UNIFORM,
    SIM_DIST_EXPONENTIAL,
    SIM_DIST_NORMAL,
    SIM_DIST_LOGNORMAL,
    SIM_DIST_PARETO,
    SIM_DIST_ZIPF,
    SIM_DIST_EMPIRICAL
} sim_dist_kind;

typedef struct sim_dist {
    sim_dist_kind kind;  /* read-only */
    double p[4];         /* private: parameters, meaning depends on kind */
    double *x, *cdf;     /* private: empirical table (owned), n points */
    size_t n;            /* private */
} sim_dist;

void sim_dist_init_constant(sim_dist *d, double value);
void sim_dist_init_uniform(sim_dist *d, double lo, double hi);
void sim_dist_init_exponential(sim_dist *d, double mean);
/* The plain (untruncated) normal: it can go negative, so use lognormal
 * for times. */
void sim_dist_init_normal(sim_dist *d, double mean, double sd);
/* mu, sigma of the underlying normal (median = exp(mu)). */
void sim_dist_init_lognormal(sim_dist *d, double mu, double sigma);
/* Scale xm > 0, shape alpha > 0; support [xm, inf). */
void sim_dist_init_pareto(sim_dist *d, double xm, double alpha);
/* Ranks 1..n with P(k) proportional to k^-s, s > 0; returned as a double.
 * O(1) memory and time for any n (rejection-inversion), n <= 2^53. */
void sim_dist_init_zipf(sim_dist *d, uint64_t n, double s);
/* Table of n >= 2 points: x non-decreasing (a repeated x is an atom, a
 * point mass), cdf non-decreasing from exactly 0 to exactly 1; sampled by
 * inverting the piecewise-linear CDF. Copies the arrays. FALSE with
 * `error` set (message without a key; callers prefix one) if the table is
 * malformed. */
gboolean sim_dist_init_empirical(sim_dist *d, const double *x, const double *cdf, size_t n, GError **error);

/* Releases an empirical table; safe on any initialised or zeroed sim_dist. */
void sim_dist_clear(sim_dist *d);
/* Deep copy into caller-allocated `dst`. */
void sim_dist_copy(sim_dist *dst, const sim_dist *src);

/* One draw. Continuous kinds use exactly one uniform (inversion), so
 * streams shared by two configurations stay in step. The _init functions
 * refuse impossible parameters (g_return_if_fail, leaving constant 0). */
double sim_dist_sample(const sim_dist *d, sim_rng *rng);
/* Exact mean and variance; INFINITY where they do not exist (Pareto). */
double sim_dist_mean(const sim_dist *d);
double sim_dist_variance(const sim_dist *d);

/* Parses a JSON description (every form is listed in docs/statistics.md),
 * e.g. 0.002 (a constant),
 * {"dist":"exponential","mean":0.002}, {"dist":"lognormal","mu":-6,"sigma":0.5},
 * {"dist":"lognormal","median":0.002,"p99":0.02},
 * {"dist":"empirical","x":[...],"cdf":[...]}. `where` names the key for
 * messages ("postgres.service_s"); it is message text, so a caller passing
 * user text quotes it first (sim_error_quote). Non-finite numbers are
 * refused. FALSE with a user-facing `error` if the
 * JSON is not a valid distribution or a parameter is impossible. */
gboolean sim_dist_from_json(sim_dist *d, const cJSON *node, const char *where, GError **error);
/* Caller owns the result; free with cJSON_Delete. Round-trips exactly
 * through sim_dist_from_json, also via text: a parameter that cJSON would
 * print inexactly (it prints %.15g when that is merely close) is stored as
 * a raw node (cJSON_IsRaw) holding its %.17g text. Lognormal is written as
 * mu/sigma and exponential as mean whatever form it was read from. */
cJSON *sim_dist_to_json(const sim_dist *d);
/* "exponential(mean=0.002)" style; caller frees with g_free. */
char *sim_dist_describe(const sim_dist *d);

#endif
