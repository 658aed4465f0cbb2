/* sim_hist: latency histogram with bounded relative error, in the manner of
 * HdrHistogram: log-linear buckets (each power of two split into 2^k equal
 * sub-buckets), so any recorded value v >= 1 is reported within a relative
 * error of at most 1% (values are int64, typically nanoseconds; 1 us to 1 h
 * is well inside the range). Recording is O(1) and never allocates after
 * creation; histograms merge exactly (the merge of two runs equals one
 * histogram that saw both). */
#ifndef SIM_HIST_H
#define SIM_HIST_H

#include <stdint.h>
#include <glib.h>
#include <cjson/cJSON.h>

typedef struct sim_hist sim_hist;

/* Caller owns the result; free with sim_hist_free. */
sim_hist *sim_hist_new(void);
void sim_hist_free(sim_hist *h);              /* NULL is a no-op */
void sim_hist_reset(sim_hist *h);

/* Negative values are recorded as 0. */
void sim_hist_record(sim_hist *h, int64_t value);
void sim_hist_record_n(sim_hist *h, int64_t value, uint64_t count);
/* Adds every sample of `src` to `dst`. */
void sim_hist_merge(sim_hist *dst, const sim_hist *src);

uint64_t sim_hist_count(const sim_hist *h);
double   sim_hist_mean(const sim_hist *h);    /* exact (kept as a sum); 0 if empty */
int64_t  sim_hist_min(const sim_hist *h);     /* exact; 0 if empty */
int64_t  sim_hist_max(const sim_hist *h);     /* exact; 0 if empty */
/* The value at percentile q in [0, 100] (nearest rank), within the stated
 * relative error; 0 if empty. */
int64_t  sim_hist_percentile(const sim_hist *h, double q);
/* Fraction of samples <= value (for CDF plots). */
double   sim_hist_cdf(const sim_hist *h, int64_t value);

/* {"count","mean","p50","p90","p99","p999","max"} with values divided by
 * `unit` (1e6 turns ns into ms). Caller owns; free with cJSON_Delete. */
cJSON *sim_hist_to_json(const sim_hist *h, double unit);

/* Iterates non-empty buckets in ascending order: calls fn(value, count,
 * user) with each bucket's representative value. For plotting. */
void sim_hist_foreach(const sim_hist *h, void (*fn)(int64_t value, uint64_t count, void *user), void *user);

#endif
