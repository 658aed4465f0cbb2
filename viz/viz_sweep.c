/* viz_sweep: sweep charts (viz/viz_sweep.h). The confidence bars are
 * extra lines of viz_chart_lines, one per series with a break between
 * bars, so the axes fit them and they share the chart's geometry; a bar's
 * line sits a whole palette cycle after its series so it takes the same
 * colour, and has no label so the legend lists each series once. */
#include "viz/viz_sweep.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "viz/viz_chart.h"
#include "viz/viz_draw.h"

#define SWEEP_W 960
#define SWEEP_H 600

static double at(const double *a, const viz_sweep_chart *c, size_t s, size_t i) { return a[s * c->nx + i]; }

/* The first index >= n whose colours repeat those of 0, 1, ...: bars of
 * series s go at offset + s. */
static size_t color_offset(size_t n)
{
    size_t period = 1;
    while (period < 64 && viz_series_color(period) != viz_series_color(0)) period++;
    return (n + period - 1) / period * period;
}

static void sweep_draw(cairo_t *cr, double w, double h, void *user)
{
    const viz_sweep_chart *c = user;
    viz_style st;
    viz_style_init(&st, 1.3);
    viz_color_set(cr, VIZ_C_BG, 1.0);
    cairo_paint(cr);
    size_t off = color_offset(c->nseries), nlines = off + c->nseries;
    viz_line *lines = g_new0(viz_line, nlines);
    char **labels = g_new0(char *, c->nseries + 1);
    double *bx = g_new(double, c->nseries * c->nx * 3), *by = g_new(double, c->nseries * c->nx * 3);
    for (size_t s = 0; s < c->nseries; s++) {
        if (c->series_key)
            labels[s] = g_strdup_printf("%s=%s", c->series_key, c->series_labels ? c->series_labels[s] : "");
        lines[s] = (viz_line){ labels[s], c->x, c->mean + s * c->nx, c->nx };
        /* a bar: (x, mean - ci) to (x, mean + ci), then a break */
        double *px = bx + s * c->nx * 3, *py = by + s * c->nx * 3;
        for (size_t i = 0; i < c->nx; i++) {
            double m = at(c->mean, c, s, i), e = at(c->ci, c, s, i);
            gboolean bar = isfinite(m) && isfinite(e);
            px[3 * i] = px[3 * i + 1] = c->x[i];
            px[3 * i + 2] = NAN;
            py[3 * i] = bar ? m - e : NAN;
            py[3 * i + 1] = bar ? m + e : NAN;
            py[3 * i + 2] = NAN;
        }
        lines[off + s] = (viz_line){ NULL, px, py, c->nx * 3 };
    }
    char *title = g_strdup_printf("%s%s: mean over replications, bars: 95%% confidence interval", c->field,
                                  c->subtitle ? c->subtitle : "");
    char *xlabel = c->x_labels ? g_strdup_printf("%s (0 = %s ...)", c->xkey, c->x_labels[0]) : g_strdup(c->xkey);
    viz_axes ax;
    viz_axes_init(&ax, title, xlabel, c->field);
    viz_chart_lines(cr, &st, 0, 0, w, h, &ax, lines, nlines);
    g_free(title);
    g_free(xlabel);
    g_strfreev(labels);
    g_free(lines);
    g_free(bx);
    g_free(by);
}

static char *chart_csv(const viz_sweep_chart *c)
{
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "%s,%s,mean,ci95\n", c->xkey, c->series_key ? c->series_key : "series");
    for (size_t k = 0; k < c->nseries; k++)
        for (size_t i = 0; i < c->nx; i++) {
            if (c->x_labels) g_string_append(s, c->x_labels[i]);
            else g_string_append_printf(s, "%.12g", c->x[i]);
            g_string_append_printf(s, ",%s,%.6g,%.6g\n", c->series_labels ? c->series_labels[k] : "", at(c->mean, c, k, i),
                                   at(c->ci, c, k, i));
        }
    return g_string_free(s, FALSE);
}

gboolean viz_sweep_write_chart(const char *dir, const char *base, const viz_sweep_chart *c, GError **error)
{
    char *safe = g_strdelimit(g_strdup(base), "/\\", '_');
    gboolean ok = TRUE;
    static const char *const ext[] = { "png", "svg" };
    for (size_t i = 0; i < G_N_ELEMENTS(ext) && ok; i++) {
        char *name = g_strdup_printf("%s.%s", safe, ext[i]);
        char *path = g_build_filename(dir, name, NULL);
        ok = viz_chart_write(path, SWEEP_W, SWEEP_H, sweep_draw, (void *)c, error);
        g_free(path);
        g_free(name);
    }
    if (ok) {
        char *name = g_strdup_printf("%s.csv", safe);
        char *path = g_build_filename(dir, name, NULL);
        char *csv = chart_csv(c);
        GError *e = NULL;
        ok = g_file_set_contents(path, csv, -1, &e);
        if (!ok) {
            g_set_error(error, e->domain, e->code, "%s: cannot write: %s", path, e->message);
            g_error_free(e);
        }
        g_free(csv);
        g_free(path);
        g_free(name);
    }
    g_free(safe);
    return ok;
}
