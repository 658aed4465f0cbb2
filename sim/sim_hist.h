/* sim_hist: latency histogram with bounded relative error, in the manner of
 * HdrHistogram: log-linear buckets (each power of two split into 128 equal
 * sub-buckets), so any recorded value is reported within a relative error
 * of 1/256 = 0.39% (SIM_HIST_REL_ERROR; the requirement is 1%) over the
 * whole int64 range (values are typically nanoseconds; 1 us to 1 h is well
 * inside). count, sum, min and max are exact. Recording is O(1) and never
 * allocates after creation; histograms merge exactly (the merge of two runs
 * equals one histogram that saw both). Not synchronised: one histogram per
 * thread, merged at the end. docs/statistics.md has the details. */
#ifndef SIM_HIST_H
#define SIM_HIST_H

#include <stdint.h>
#include <glib.h>
#include <cjson/cJSON.h>

typedef struct sim_hist sim_hist;

/* Layout constants (see sim_hist.c): 2^7 = 128 linear sub-buckets per power
 * of two; 57 * 128 buckets cover 0 .. INT64_MAX. */
#define SIM_HIST__SUB_BITS 7
#define SIM_HIST__BUCKETS ((64 - SIM_HIST__SUB_BITS) << SIM_HIST__SUB_BITS)

/* The struct is visible only so that sim_hist_record can be inlined: it runs
 * once per delivered message (billions of times in the 12M-user scenario),
 * and inlining saves the call and lets callers keep fields in registers.
 * Every field is private: use the functions below. */
struct sim_hist {
    uint64_t count;                       /* private: samples recorded */
    unsigned __int128 sum;                /* private: exact sum of values */
    uint64_t min, max;                    /* private: exact; min = UINT64_MAX when empty */
    uint64_t counts[SIM_HIST__BUCKETS];   /* private: samples per bucket */
};

/* Bound on |reported - true| / true for any percentile or bucket value:
 * 128 linear sub-buckets per power of two, values reported at the bucket
 * middle (values below 256 are exact). */
#define SIM_HIST_REL_ERROR (1.0 / 256.0)

/* Caller owns the result; free with sim_hist_free. */
sim_hist *sim_hist_new(void);
void sim_hist_free(sim_hist *h);              /* NULL is a no-op */
void sim_hist_reset(sim_hist *h);

/* Bucket index of v: one clz, two shifts and an add (sim_hist.c explains). */
static inline unsigned sim_hist__bucket(uint64_t v)
{
    unsigned b = (unsigned)(63 - __builtin_clzll(v | (1u << SIM_HIST__SUB_BITS))) - SIM_HIST__SUB_BITS;
    return (b << SIM_HIST__SUB_BITS) + (unsigned)(v >> b);
}

/* Records one value; negative values are recorded as 0. O(1), no
 * allocation. */
static inline void sim_hist_record(sim_hist *h, int64_t value)
{
    uint64_t v = value < 0 ? 0 : (uint64_t)value;
    h->counts[sim_hist__bucket(v)]++;
    h->count++;
    h->sum += v;
    if (v < h->min) h->min = v;
    if (v > h->max) h->max = v;
}
/* A hint: fetches the cache lines sim_hist_record(h, value) will touch,
 * for a caller that knows a value some time before recording it. */
static inline void sim_hist_prefetch(const sim_hist *h, int64_t value)
{
    __builtin_prefetch(&h->counts[sim_hist__bucket(value < 0 ? 0 : (uint64_t)value)], 1);
    __builtin_prefetch(h, 1);
}
void sim_hist_record_n(sim_hist *h, int64_t value, uint64_t count);
/* Records the n values first, first + step, ..., first + (n-1) * step
 * (step >= 0), exactly as n calls of sim_hist_record would (negative
 * values as 0), in O(1 + buckets the sequence crosses): for a batch of
 * pushes spaced by a fixed cost. The last value must not overflow int64.
 * A negative step is a programming error (g_return_if_fail). */
void sim_hist_record_seq(sim_hist *h, int64_t first, int64_t step, uint64_t n);
/* Adds every sample of `src` to `dst`. */
void sim_hist_merge(sim_hist *dst, const sim_hist *src);

uint64_t sim_hist_count(const sim_hist *h);
double   sim_hist_mean(const sim_hist *h);    /* exact (kept as a sum); 0 if empty */
int64_t  sim_hist_min(const sim_hist *h);     /* exact; 0 if empty */
int64_t  sim_hist_max(const sim_hist *h);     /* exact; 0 if empty */
/* The value at percentile q in [0, 100] (nearest rank), within the stated
 * relative error; 0 if empty. */
int64_t  sim_hist_percentile(const sim_hist *h, double q);
/* The nearest rank of percentile q among n samples: ceil(q/100 * n)
 * clamped to 1..n (0 if n == 0). sim_hist_percentile reports the bucket of
 * the sample with this rank; exposed so callers can compare exactly. */
uint64_t sim_hist_rank(double q, uint64_t n);
/* Fraction of samples <= value (for CDF plots); samples in value's own
 * bucket count as <= value. */
double   sim_hist_cdf(const sim_hist *h, int64_t value);

/* {"count","mean","p50","p90","p99","p999","max"} with values divided by
 * `unit` (1e6 turns ns into ms). Caller owns; free with cJSON_Delete. */
cJSON *sim_hist_to_json(const sim_hist *h, double unit);

/* Iterates non-empty buckets in ascending order: calls fn(value, count,
 * user) with each bucket's representative value. For plotting. */
void sim_hist_foreach(const sim_hist *h, void (*fn)(int64_t value, uint64_t count, void *user), void *user);

#endif
