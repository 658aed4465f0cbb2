/* viz_sweep: the charts of `slacksim sweep --plots DIR`: one summary field
 * against the first varied key, one line per value of the second, each
 * point the mean over replications with its 95% confidence interval as a
 * bar. Drawn with viz_chart's line chart (so it looks like every other
 * chart), written as PNG and SVG, with the numbers behind it as CSV. */
#ifndef VIZ_SWEEP_H
#define VIZ_SWEEP_H

#include <stddef.h>
#include <glib.h>

/* Everything borrowed for the call. */
typedef struct viz_sweep_chart {
    const char *field;                 /* the summary field: the y axis */
    const char *subtitle;              /* appended to the title (the fixed values of further keys), may be "" */
    const char *xkey;                  /* the first varied key: the x axis */
    const char *series_key;            /* the second varied key, or NULL (one line) */
    size_t nx;                         /* values of xkey */
    const double *x;                   /* their positions */
    const char *const *x_labels;       /* NULL when the values are numbers; else the names at x = 0, 1, ... */
    size_t nseries;                    /* values of series_key (1 without one) */
    const char *const *series_labels;  /* their names, or NULL */
    const double *mean;                /* nseries x nx, row = series; NAN: no value (an invalid point) */
    const double *ci;                  /* the same shape: 95% half-widths; NAN: none (one replication) */
} viz_sweep_chart;

/* Writes DIR/BASE.png, DIR/BASE.svg and DIR/BASE.csv (the chart's data:
 * xkey, series_key, mean, ci95 per point), each atomically. `base` has
 * '/' replaced. FALSE with `error` on the first failure. */
gboolean viz_sweep_write_chart(const char *dir, const char *base, const viz_sweep_chart *c, GError **error);

#endif
