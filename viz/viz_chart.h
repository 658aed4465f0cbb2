/* viz_chart: labelled charts on a cairo_t (line charts of time series,
 * latency CDFs, bars), used both by the visualizer's dashboard scene and by
 * `slacksim run --plots DIR`, so what students see live and what a report
 * embeds are drawn by the same code. Every chart has a title, axis labels
 * with units, ticks at round numbers and a legend when it has more than one
 * series. */
#ifndef VIZ_CHART_H
#define VIZ_CHART_H

#include <cairo.h>
#include <glib.h>
#include "viz/viz_draw.h"
#include "sim/sim_stats.h"
#include "sim/sim_hist.h"

/* One line: n points (x[i], y[i]), both borrowed for the call. Non-finite
 * y values break the line. */
typedef struct viz_line {
    const char *label;
    const double *x;
    const double *y;
    size_t n;
    int color;          /* series colour index + 1 (viz_series_color); 0: the line's position */
    gboolean dashed;    /* dashed line and legend sample (design B of compare --plots) */
} viz_line;

/* Axes of a chart. NAN limits mean "fit the data"; ymin defaults to 0
 * when every value is >= 0 (rates, counts and latencies start at zero). */
typedef struct viz_axes {
    const char *title;
    const char *xlabel;    /* with unit: "simulated time (s)" */
    const char *ylabel;    /* with unit: "latency (ms)" */
    double xmin, xmax, ymin, ymax;
    gboolean xlog;         /* log10 x axis (CDFs of latencies) */
} viz_axes;

/* Fills `ax` with NAN limits and linear axes. */
void viz_axes_init(viz_axes *ax, const char *title, const char *xlabel, const char *ylabel);

/* Line chart of `lines` inside the rectangle (x, y, w, h). */
void viz_chart_lines(cairo_t *cr, const viz_style *st, double x, double y, double w, double h,
                     const viz_axes *ax, const viz_line *lines, size_t nlines);

/* Time-series chart: the columns `cols` (names in `s`) against simulated
 * time in seconds, each multiplied by `scale` (e.g. 1e-3 for ms -> s);
 * `labels` may be NULL to use the column names. Only the last `window_s`
 * seconds when window_s > 0. */
void viz_chart_series(cairo_t *cr, const viz_style *st, double x, double y, double w, double h,
                      const viz_axes *ax, const sim_series *s, const char *const *cols,
                      const char *const *labels, size_t ncols, double scale, double window_s);

/* The same with scale 1; when `zero_is_gap`, zero values break the line
 * (an interval with no message has no latency). */
void viz_chart_series_gaps(cairo_t *cr, const viz_style *st, double x, double y, double w, double h,
                           const viz_axes *ax, const sim_series *s, const char *const *cols,
                           const char *const *labels, size_t ncols, double window_s, gboolean zero_is_gap);

/* Cumulative distributions of latency histograms (values in ns, drawn in
 * ms on a log axis). Empty histograms are skipped. */
void viz_chart_cdf(cairo_t *cr, const viz_style *st, double x, double y, double w, double h,
                   const char *title, const sim_hist *const *hists, const char *const *labels, size_t n);
/* The same with caller-set axes (title, labels, and a y range such as
 * [0.99, 1] to show the tail); x is in ms. */
void viz_chart_cdf_axes(cairo_t *cr, const viz_style *st, double x, double y, double w, double h,
                        const viz_axes *ax, const sim_hist *const *hists, const char *const *labels, size_t n);
/* The points viz_chart_cdf draws for `h` (latency in ms, fraction <= it),
 * appended to `out` as CSV rows "LABEL,FIELD,latency_ms,fraction": the
 * step curve, two points per histogram bucket. */
void viz_chart_cdf_csv(GString *out, const sim_hist *h, const char *label, const char *field);

/* Vertical bars with value labels; `ref` > 0 draws a dashed reference line
 * there (1.0 for utilization = saturation); bars at or above it are drawn
 * in the warning colour. */
void viz_chart_bars(cairo_t *cr, const viz_style *st, double x, double y, double w, double h,
                    const viz_axes *ax, const char *const *labels, const double *values,
                    size_t n, double ref);

/* Grouped bars: n groups (labels) of k bars (series, legend when k > 1),
 * values[i * k + j] the bar of series j in group i; k = 1 is
 * viz_chart_bars. */
void viz_chart_bar_groups(cairo_t *cr, const viz_style *st, double x, double y, double w, double h,
                          const viz_axes *ax, const char *const *labels, const double *values, size_t n,
                          const char *const *series, size_t k, double ref);

/* "Nice" tick step (1, 2 or 5 x 10^k) giving about `target` ticks over
 * [lo, hi]. Exposed for tests. */
double viz_nice_step(double lo, double hi, int target);

/* ---- Files ---- */

/* Draws with `draw(cr, w, h, user)` into `path` as PNG (".png") or SVG
 * (".svg") or PDF (".pdf") of w x h points, written atomically (temp file +
 * rename). FALSE with `error` ("PATH: why") on failure. */
typedef void (*viz_draw_fn)(cairo_t *cr, double w, double h, void *user);
gboolean viz_chart_write(const char *path, int w, int h, viz_draw_fn draw, void *user, GError **error);

/* The bar of a viz_chart_bars chart drawn at x with width w and n bars
 * under the horizontal position px, or -1 (hit-testing clicks). */
int viz_chart_bar_at(cairo_t *cr, const viz_style *st, double x, double w, size_t n, double px);

/* The plots of a finished run in `dir` (created if missing): for each of
 * latency_cdf, timeseries_* and utilization, a PNG and an SVG. Lives in
 * viz/viz_plots.c. FALSE with `error` on the first failure. */
struct slack_model;
gboolean viz_plots_write(const struct slack_model *m, const char *dir, GError **error);
/* The same at pw x ph pixels (PNG; the SVG's size in points), text grown
 * with the size. `--plot-size WxH` of `slacksim run` parses with
 * viz_plot_size_parse: FALSE with a usage error outside the range. */
#define VIZ_PLOT_W 1000
#define VIZ_PLOT_H 560
#define VIZ_PLOT_MIN_W 320
#define VIZ_PLOT_MIN_H 240
#define VIZ_PLOT_MAX 8192
gboolean viz_plots_write_sized(const struct slack_model *m, const char *dir, int pw, int ph, GError **error);
gboolean viz_plot_size_parse(const char *text, int *w, int *h, GError **error);
/* The timeseries.csv columns the timeseries_* plots draw (in plot order,
 * repeats included); up to `max` into `out`, returns how many. */
size_t viz_plot_columns(const char **out, size_t max);

/* One design of `slacksim compare --plots`: replication 0's finished model
 * (time series, histograms) and the load table averaged over the
 * replications (compare.json's a.load or b.load). All borrowed. */
struct slack_stage_load;
typedef struct viz_compare_side {
    const struct slack_model *m;
    const struct slack_stage_load *load;
    size_t nload;
    const char *label;           /* legend: "A", "B" */
    uint64_t seed;               /* replication 0's seed (the charts' titles) */
} viz_compare_side;
/* A and B overlaid in `dir` (viz/viz_plots.c): utilization (grouped bars),
 * latency_e2e_cdf and the timeseries_* charts either run has, each as PNG,
 * SVG and the CSV of what it draws (a_ / b_ columns). */
gboolean viz_plots_write_compare(const viz_compare_side *a, const viz_compare_side *b, const char *dir, int pw,
                                 int ph, GError **error);

#endif
