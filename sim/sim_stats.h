/* sim_stats: the statistics a run collects besides histograms:
 * time-weighted averages (queue length, utilization), counters with a peak
 * rate, periodic time series, and confidence intervals across replications
 * (Student t). Time arguments are simulation time in ns. */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include <stdio.h>
#include <stdint.h>
#include <glib.h>
#include "sim/sim_time.h"

/* Time-weighted average of a piecewise-constant signal. Caller-allocated. */
typedef struct sim_tavg {
    sim_time t0;       /* private: start of observation */
    sim_time last;     /* private: time of the last change */
    double value;      /* read-only: current value */
    double max;        /* read-only: largest value seen */
    double area;       /* private: integral of value dt up to `last`, in value*ns */
} sim_tavg;

void   sim_tavg_init(sim_tavg *a, sim_time now, double value);
void   sim_tavg_set(sim_tavg *a, sim_time now, double value);
void   sim_tavg_add(sim_tavg *a, sim_time now, double delta);
/* Average over [t0, now]; the current value if no time has passed. */
double sim_tavg_mean(const sim_tavg *a, sim_time now);
/* Restart the window at `now`, keeping the current value (for per-interval
 * averages in time series). */
void   sim_tavg_restart(sim_tavg *a, sim_time now);

/* Event counter with a peak rate: the total, and the most events seen in
 * any window of `window` ns (windows aligned to the init time), so a run can
 * report "peak 1.2M msg/s" next to the mean. Caller-allocated. */
typedef struct sim_counter {
    uint64_t total;        /* read-only: events since init */
    sim_time t0;           /* private: start of observation */
    sim_time window;       /* private: window length in ns, > 0 */
    sim_time win_start;    /* private: start of the current window */
    uint64_t win_count;    /* private: events in the current window */
    uint64_t peak_count;   /* private: most events in a closed window */
} sim_counter;

void   sim_counter_init(sim_counter *c, sim_time now, sim_time window);
/* Counts `n` events at time `now` (non-decreasing across calls). */
void   sim_counter_add(sim_counter *c, sim_time now, uint64_t n);
/* Mean rate over [t0, now] in events per second; 0 if no time has passed. */
double sim_counter_rate(const sim_counter *c, sim_time now);
/* Events per second in the busiest window so far (the current, unfinished
 * window counts with what it has). */
double sim_counter_peak_rate(const sim_counter *c);

/* Periodic time series: a fixed set of named columns, one row per interval.
 * Caller owns; free with sim_series_free. */
typedef struct sim_series sim_series;
sim_series *sim_series_new(const char *const *columns, size_t ncolumns);
void   sim_series_free(sim_series *s);                 /* NULL is a no-op */
/* Appends one row; `values` has ncolumns entries. */
void   sim_series_add(sim_series *s, sim_time t, const double *values);
size_t sim_series_rows(const sim_series *s);
size_t sim_series_columns(const sim_series *s);
const char *sim_series_column_name(const sim_series *s, size_t col);
/* Column index by name, or -1. */
int    sim_series_find(const sim_series *s, const char *name);
sim_time sim_series_time(const sim_series *s, size_t row);
double sim_series_value(const sim_series *s, size_t row, size_t col);
/* CSV with a header "t_s,<columns>"; numbers printed with %.6g so output is
 * byte-stable across runs. FALSE with `error` on a write failure. */
gboolean sim_series_write_csv(const sim_series *s, FILE *out, GError **error);

/* Measured samples (a benchmark, a calibration): sorted ascending in
 * place; the nearest-rank quantile p in [0, 1] of sorted v (NAN when n is
 * 0); the plain mean (NAN when n is 0). */
void   sim_sort_doubles(double *v, size_t n);
double sim_quantile_sorted(const double *v, size_t n, double p);
double sim_mean(const double *v, size_t n);

/* Student-t confidence interval of the mean of n >= 2 observations:
 * mean +- halfwidth at confidence level `conf` (e.g. 0.95). With n < 2 the
 * halfwidth is INFINITY. */
void   sim_ci_mean(const double *x, size_t n, double conf, double *mean, double *halfwidth);
/* Quantile of Student's t distribution with `df` degrees of freedom
 * (df > 0, need not be an integer); -INFINITY/INFINITY at p = 0/1. Accurate
 * to about 1e-12 relative. */
double sim_student_t_quantile(double p, double df);
/* P(T <= t) for Student's t with `df` degrees of freedom; ~1e-13 relative
 * in the tails for df up to 10^6 (the continued fraction needs ~sqrt(df)
 * terms, so it degrades slowly beyond). */
double sim_student_t_cdf(double t, double df);
/* Standard normal quantile (Wichura AS241, ~1e-16 relative) and CDF. */
double sim_normal_quantile(double p);
double sim_normal_cdf(double x);

/* MSER-5 warm-up truncation (White 1997; Franklin and White 2008): the
 * series x[0..n) is cut into k = n / 5 batches of 5 (a last partial batch
 * is ignored) with means Z_1..Z_k; for d = 0..k/2 batches deleted,
 * MSER(d) = sum_{j>d} (Z_j - mean_{j>d} Z)^2 / (k - d)^2, and the truncation
 * is 5 d* observations for the d* with the smallest MSER (the first of
 * equals). Searching only the first half keeps the estimate from deleting
 * most of the run when the tail is noisy. Returns 0 when n < 10 (fewer than
 * two batches); `stat`, if not NULL, receives MSER(d*) (NAN when n < 10).
 * Pure: no allocation, no state. */
size_t sim_mser5_truncation(const double *x, size_t n, double *stat);

#endif
