/* viz_chart: line, CDF and bar charts drawn on any cairo_t, and atomic
 * PNG/SVG/PDF files of them.
 *
 * Invariant: a chart never draws outside its rectangle (the plot area is
 * clipped), and every axis it draws carries a label with a unit and ticks
 * at 1/2/5 x 10^k, so a chart cut out of a slide still reads alone. */
#include "viz/viz_chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cairo-svg.h>
#include <cairo-pdf.h>
#include "sim/sim_error.h"

/* Margins around the plot area, in logical pixels before text scaling. */
#define PAD        10.0
#define TITLE_SIZE 15.0
#define TICK_SIZE  11.5
#define LABEL_SIZE 12.0

void viz_axes_init(viz_axes *ax, const char *title, const char *xlabel, const char *ylabel)
{
    memset(ax, 0, sizeof *ax);
    ax->title = title;
    ax->xlabel = xlabel;
    ax->ylabel = ylabel;
    ax->xmin = ax->xmax = ax->ymin = ax->ymax = NAN;
}

double viz_nice_step(double lo, double hi, int target)
{
    double span = hi - lo;
    if (!(span > 0) || target < 1) return 1.0;
    double raw = span / target;
    double mag = pow(10.0, floor(log10(raw)));
    double f = raw / mag;
    double nice = f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10;
    return nice * mag;
}

/* The plot's geometry: data range and the pixel rectangle it maps to. */
typedef struct frame {
    double px, py, pw, ph;          /* plot area */
    double xmin, xmax, ymin, ymax;  /* data range */
    gboolean xlog;
} frame;

static double map_x(const frame *f, double x)
{
    if (f->xlog) {
        x = log10(fmax(x, 1e-300));
        return f->px + (x - log10(f->xmin)) / (log10(f->xmax) - log10(f->xmin)) * f->pw;
    }
    return f->px + (x - f->xmin) / (f->xmax - f->xmin) * f->pw;
}

static double map_y(const frame *f, double y)
{
    return f->py + f->ph - (y - f->ymin) / (f->ymax - f->ymin) * f->ph;
}

static void fmt_tick(char *buf, size_t n, double v, double step)
{
    double a = fabs(v);
    if (a >= 1e6) { viz_fmt_count(buf, n, v); return; }
    int decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (decimals > 6) decimals = 6;
    snprintf(buf, n, "%.*f", decimals, v);
}

/* Title (and legend to its right when there are several series). */
static double draw_header_dashed(cairo_t *cr, const viz_style *st, double x, double y, double w, const char *title,
                                 const char *const *labels, const viz_color *colors, const gboolean *dashed, size_t n);

static double draw_header(cairo_t *cr, const viz_style *st, double x, double y, double w,
                          const char *title, const char *const *labels, const viz_color *colors, size_t n)
{
    return draw_header_dashed(cr, st, x, y, w, title, labels, colors, NULL, n);
}

/* The title, then the legend: a sample of each line (dashed where the
 * line is) and its label. */
static double draw_header_dashed(cairo_t *cr, const viz_style *st, double x, double y, double w, const char *title,
                                 const char *const *labels, const viz_color *colors, const gboolean *dashed, size_t n)
{
    viz_color_set(cr, VIZ_C_TEXT, 1.0);
    double th = viz_text(cr, st, x + PAD, y + PAD * 0.6, TITLE_SIZE, TRUE, VIZ_ALIGN_LEFT, w - 2 * PAD,
                         title ? title : "");
    double ly = y + PAD * 0.6 + th + 2;
    double lx = x + PAD, lh = 0;
    for (size_t i = 0; i < n; i++) {
        if (!labels[i]) continue;
        double tw, tht;
        viz_text_size(cr, st, LABEL_SIZE, FALSE, labels[i], &tw, &tht);
        if (lx + 26 + tw > x + w - PAD && lx > x + PAD) { lx = x + PAD; ly += tht + 2; }
        viz_color_set(cr, colors[i], 1.0);
        if (dashed && dashed[i]) {
            cairo_rectangle(cr, lx, ly + tht / 2 - 2, 7, 4);
            cairo_rectangle(cr, lx + 11, ly + tht / 2 - 2, 7, 4);
        } else {
            cairo_rectangle(cr, lx, ly + tht / 2 - 2, 18, 4);
        }
        cairo_fill(cr);
        viz_color_set(cr, VIZ_C_TEXT, 1.0);
        viz_text(cr, st, lx + 22, ly, LABEL_SIZE, FALSE, VIZ_ALIGN_LEFT, 0, labels[i]);
        lx += 22 + tw + 16;
        lh = tht + 2;
    }
    return ly + lh - y + 4;
}

/* Computes the plot area inside the chart rectangle below the header. */
static void layout_frame(cairo_t *cr, const viz_style *st, frame *f, double x, double y, double w,
                         double h, double header, const viz_axes *ax)
{
    double tw, th;
    viz_text_size(cr, st, TICK_SIZE, FALSE, "000.00", &tw, &th);
    double left = PAD + th * 1.3 + tw + 6;   /* rotated y label + tick labels */
    double bottom = PAD + th * 2.4;           /* tick labels + x label */
    f->px = x + left;
    f->py = y + header;
    f->pw = fmax(10, w - left - PAD * 1.5);
    f->ph = fmax(10, h - header - bottom);
    f->xlog = ax->xlog;
    (void)ax;
}

int viz_chart_bar_at(cairo_t *cr, const viz_style *st, double x, double w, size_t n, double px)
{
    if (n == 0) return -1;
    viz_axes ax;
    viz_axes_init(&ax, NULL, NULL, NULL);
    frame f;
    layout_frame(cr, st, &f, x, 0, w, 100, 0, &ax);   /* the x extent does not depend on y */
    if (px < f.px || px >= f.px + f.pw) return -1;
    size_t i = (size_t)floor((px - f.px) / (f.pw / (double)n));
    return i < n ? (int)i : -1;
}

static void draw_axes(cairo_t *cr, const viz_style *st, const frame *f, const viz_axes *ax)
{
    double tw, th;
    viz_text_size(cr, st, TICK_SIZE, FALSE, "0", &tw, &th);
    /* Y grid and ticks. */
    double ystep = viz_nice_step(f->ymin, f->ymax, f->ph > 160 ? 5 : 3);
    cairo_set_line_width(cr, 1);
    for (double v = ceil(f->ymin / ystep - 1e-9) * ystep; v <= f->ymax + ystep * 1e-6; v += ystep) {
        double yy = round(map_y(f, v)) + 0.5;
        viz_color_set(cr, VIZ_C_EDGE, 0.45);
        cairo_move_to(cr, f->px, yy);
        cairo_line_to(cr, f->px + f->pw, yy);
        cairo_stroke(cr);
        char buf[32];
        fmt_tick(buf, sizeof buf, fabs(v) < ystep * 1e-9 ? 0 : v, ystep);
        viz_color_set(cr, VIZ_C_MUTED, 1.0);
        viz_text(cr, st, f->px - 5, yy - th / 2, TICK_SIZE, FALSE, VIZ_ALIGN_RIGHT, 0, buf);
    }
    /* X ticks. */
    if (f->xlog) {
        /* 2 and 5 get labels only where a decade is wide enough for three */
        double decade_px = f->pw / fmax(1e-9, log10(f->xmax) - log10(f->xmin));
        for (double dec = floor(log10(f->xmin)); dec <= ceil(log10(f->xmax)); dec++) {
            static const double mult[] = { 1, 2, 5 };
            for (size_t k = 0; k < 3; k++) {
                double v = mult[k] * pow(10, dec);
                if (v < f->xmin * 0.999 || v > f->xmax * 1.001) continue;
                double xx = round(map_x(f, v)) + 0.5;
                viz_color_set(cr, VIZ_C_EDGE, k == 0 ? 0.6 : 0.3);
                cairo_move_to(cr, xx, f->py);
                cairo_line_to(cr, xx, f->py + f->ph);
                cairo_stroke(cr);
                char buf[32];
                if (k > 0 && decade_px < 110) continue;
                viz_fmt_count(buf, sizeof buf, v);
                viz_color_set(cr, VIZ_C_MUTED, 1.0);
                viz_text(cr, st, xx, f->py + f->ph + 4, TICK_SIZE, FALSE, VIZ_ALIGN_CENTER, 0, buf);
            }
        }
    } else if (f->xmax > f->xmin) {
        double xstep = viz_nice_step(f->xmin, f->xmax, f->pw > 400 ? 8 : 4);
        for (double v = ceil(f->xmin / xstep - 1e-9) * xstep; v <= f->xmax + xstep * 1e-6; v += xstep) {
            double xx = round(map_x(f, v)) + 0.5;
            viz_color_set(cr, VIZ_C_EDGE, 0.3);
            cairo_move_to(cr, xx, f->py);
            cairo_line_to(cr, xx, f->py + f->ph);
            cairo_stroke(cr);
            char buf[32];
            fmt_tick(buf, sizeof buf, fabs(v) < xstep * 1e-9 ? 0 : v, xstep);
            viz_color_set(cr, VIZ_C_MUTED, 1.0);
            viz_text(cr, st, xx, f->py + f->ph + 4, TICK_SIZE, FALSE, VIZ_ALIGN_CENTER, 0, buf);
        }
    }
    /* Axis lines. */
    viz_color_set(cr, VIZ_C_TEXT, 0.8);
    cairo_set_line_width(cr, 1.2);
    cairo_move_to(cr, f->px, f->py);
    cairo_line_to(cr, f->px, f->py + f->ph);
    cairo_line_to(cr, f->px + f->pw, f->py + f->ph);
    cairo_stroke(cr);
    /* Axis labels. */
    viz_color_set(cr, VIZ_C_TEXT, 1.0);
    if (ax->xlabel)
        viz_text(cr, st, f->px + f->pw / 2, f->py + f->ph + 6 + th, LABEL_SIZE, FALSE, VIZ_ALIGN_CENTER, 0, ax->xlabel);
    if (ax->ylabel) {
        /* Rotated; shrunk (then ellipsized) when longer than the axis so
         * it never runs into the title or the tick labels below. */
        double lh;
        viz_text_size(cr, st, LABEL_SIZE, FALSE, ax->ylabel, NULL, &lh);
        cairo_save(cr);
        double tickw;
        viz_text_size(cr, st, TICK_SIZE, FALSE, "000.00", &tickw, NULL);
        cairo_translate(cr, f->px - tickw - 10 - lh, f->py + f->ph / 2);
        cairo_rotate(cr, -M_PI / 2);
        viz_text_fit(cr, st, 0, 0, LABEL_SIZE, FALSE, VIZ_ALIGN_CENTER, f->ph, ax->ylabel);
        cairo_restore(cr);
    }
}

/* Data range of the lines, widened to the axes' fixed limits. */
static gboolean fit_range(const viz_axes *ax, const viz_line *lines, size_t n, frame *f)
{
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < lines[i].n; k++) {
            double xv = lines[i].x[k], yv = lines[i].y[k];
            if (!isfinite(xv) || !isfinite(yv)) continue;
            if (ax->xlog && xv <= 0) continue;
            x0 = fmin(x0, xv); x1 = fmax(x1, xv);
            y0 = fmin(y0, yv); y1 = fmax(y1, yv);
        }
    gboolean any = isfinite(x0);
    if (!any) { x0 = 0; x1 = 1; y0 = 0; y1 = 1; }
    if (isfinite(ax->xmin)) x0 = ax->xmin;
    if (isfinite(ax->xmax)) x1 = ax->xmax;
    if (isfinite(ax->ymin)) y0 = ax->ymin;
    else if (y0 >= 0) y0 = 0;
    if (isfinite(ax->ymax)) y1 = ax->ymax;
    else {
        /* Headroom, then round up to a tick so the top line is labelled. */
        double step = viz_nice_step(y0, y1 > y0 ? y1 * 1.05 : y0 + 1, 5);
        y1 = ceil((y1 > y0 ? y1 * 1.05 : y0 + 1) / step) * step;
    }
    if (!(x1 > x0)) x1 = x0 + (ax->xlog ? x0 * 9 + 1 : 1);
    if (!(y1 > y0)) y1 = y0 + 1;
    if (ax->xlog) {
        x0 = pow(10, floor(log10(x0)));
        x1 = pow(10, ceil(log10(x1)));
        if (x1 <= x0) x1 = x0 * 10;
    }
    f->xmin = x0; f->xmax = x1; f->ymin = y0; f->ymax = y1;
    return any;
}

static void no_data(cairo_t *cr, const viz_style *st, const frame *f)
{
    viz_color_set(cr, VIZ_C_MUTED, 1.0);
    viz_text(cr, st, f->px + f->pw / 2, f->py + f->ph / 2 - 10, 14, FALSE, VIZ_ALIGN_CENTER, 0,
             "no data yet");
}

void viz_chart_lines(cairo_t *cr, const viz_style *st, double x, double y, double w, double h,
                     const viz_axes *ax, const viz_line *lines, size_t nlines)
{
    viz_panel(cr, x, y, w, h, VIZ_C_PANEL, VIZ_C_EDGE);
    const char *labels[16] = { 0 };
    viz_color colors[16] = { 0 };
    gboolean dashed[16] = { 0 };
    size_t nl = MIN(nlines, G_N_ELEMENTS(labels));
    for (size_t i = 0; i < nl; i++) {
        labels[i] = nlines > 1 ? lines[i].label : NULL;
        colors[i] = viz_series_color(lines[i].color ? (size_t)lines[i].color - 1 : i);
        dashed[i] = lines[i].dashed;
    }
    double header = draw_header_dashed(cr, st, x, y, w, ax->title, labels, colors, dashed, nl);
    frame f;
    layout_frame(cr, st, &f, x, y, w, h, header, ax);
    gboolean any = fit_range(ax, lines, nlines, &f);
    draw_axes(cr, st, &f, ax);
    if (!any) { no_data(cr, st, &f); return; }
    cairo_save(cr);
    cairo_rectangle(cr, f.px, f.py - 2, f.pw + 2, f.ph + 4);
    cairo_clip(cr);
    cairo_set_line_width(cr, 2.2);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    for (size_t i = 0; i < nlines; i++) {
        viz_color_set(cr, viz_series_color(lines[i].color ? (size_t)lines[i].color - 1 : i), 1.0);
        double dash[] = { 7, 4 };
        cairo_set_dash(cr, dash, lines[i].dashed ? 2 : 0, 0);
        gboolean pen = FALSE;
        for (size_t k = 0; k < lines[i].n; k++) {
            double xv = lines[i].x[k], yv = lines[i].y[k];
            if (!isfinite(xv) || !isfinite(yv) || (f.xlog && xv <= 0)) { pen = FALSE; continue; }
            double X = map_x(&f, xv), Y = map_y(&f, yv);
            if (pen) cairo_line_to(cr, X, Y);
            else cairo_move_to(cr, X, Y);
            pen = TRUE;
        }
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        /* Few points are measurements worth marking (and a lone point would
         * be invisible as a line). */
        if (lines[i].n <= 12) {
            for (size_t k = 0; k < lines[i].n; k++) {
                double xv = lines[i].x[k], yv = lines[i].y[k];
                if (!isfinite(xv) || !isfinite(yv) || (f.xlog && xv <= 0)) continue;
                cairo_new_sub_path(cr);
                cairo_arc(cr, map_x(&f, xv), map_y(&f, yv), 3.5, 0, 2 * M_PI);
            }
            cairo_fill(cr);
        }
    }
    cairo_restore(cr);
}

static void series_chart(cairo_t *cr, const viz_style *st, double x, double y, double w, double h,
                         const viz_axes *ax, const sim_series *s, const char *const *cols,
                         const char *const *labels, size_t ncols, double scale, double window_s,
                         gboolean zero_is_gap)
{
    size_t rows = s ? sim_series_rows(s) : 0;
    size_t first = 0;
    if (rows > 0 && window_s > 0) {
        double tend = sim_time_to_sec(sim_series_time(s, rows - 1));
        while (first < rows && sim_time_to_sec(sim_series_time(s, first)) < tend - window_s) first++;
    }
    size_t n = rows - first;
    double *xs = g_new0(double, n + 1);
    double *ys = g_new0(double, (n + 1) * (ncols + 1));
    viz_line *lines = g_new0(viz_line, ncols + 1);
    for (size_t r = 0; r < n; r++) xs[r] = sim_time_to_sec(sim_series_time(s, first + r));
    size_t nl = 0;
    for (size_t c = 0; c < ncols; c++) {
        int col = s ? sim_series_find(s, cols[c]) : -1;
        if (col < 0) continue;
        double *yc = ys + nl * (n + 1);
        for (size_t r = 0; r < n; r++) {
            double v = sim_series_value(s, first + r, (size_t)col);
            yc[r] = zero_is_gap && v == 0 ? NAN : v * scale;
        }
        lines[nl] = (viz_line){ labels && labels[c] ? labels[c] : cols[c], xs, yc, n };
        nl++;
    }
    viz_chart_lines(cr, st, x, y, w, h, ax, lines, nl);
    g_free(lines);
    g_free(ys);
    g_free(xs);
}

void viz_chart_series(cairo_t *cr, const viz_style *st, double x, double y, double w, double h,
                      const viz_axes *ax, const sim_series *s, const char *const *cols,
                      const char *const *labels, size_t ncols, double scale, double window_s)
{
    series_chart(cr, st, x, y, w, h, ax, s, cols, labels, ncols, scale, window_s, FALSE);
}

void viz_chart_series_gaps(cairo_t *cr, const viz_style *st, double x, double y, double w, double h,
                           const viz_axes *ax, const sim_series *s, const char *const *cols,
                           const char *const *labels, size_t ncols, double window_s, gboolean zero_is_gap)
{
    series_chart(cr, st, x, y, w, h, ax, s, cols, labels, ncols, 1.0, window_s, zero_is_gap);
}

/* Collects a histogram's buckets as a cumulative curve. */
typedef struct cdf_acc {
    GArray *x, *y;
    double total, run;
} cdf_acc;

static void cdf_bucket(int64_t value, uint64_t count, void *user)
{
    cdf_acc *a = user;
    /* A step: the curve rises at each bucket's value, from the fraction
     * below it to the fraction at or below it. */
    double xv = fmax((double)value / 1e6, 1e-3);   /* ns -> ms, floor 1 us for the log axis */
    double below = a->run / a->total;
    a->run += (double)count;
    double yv = a->run / a->total;
    g_array_append_val(a->x, xv);
    g_array_append_val(a->y, below);
    g_array_append_val(a->x, xv);
    g_array_append_val(a->y, yv);
}

void viz_chart_cdf_csv(GString *out, const sim_hist *h, const char *label, const char *field)
{
    if (!h || sim_hist_count(h) == 0) return;
    cdf_acc a = { g_array_new(FALSE, FALSE, sizeof(double)), g_array_new(FALSE, FALSE, sizeof(double)),
                  (double)sim_hist_count(h), 0 };
    sim_hist_foreach(h, cdf_bucket, &a);
    for (guint i = 0; i < a.x->len; i++)
        g_string_append_printf(out, "%s,%s,%.17g,%.17g\n", label, field ? field : "", g_array_index(a.x, double, i),
                               g_array_index(a.y, double, i));
    g_array_free(a.x, TRUE);
    g_array_free(a.y, TRUE);
}

void viz_chart_cdf(cairo_t *cr, const viz_style *st, double x, double y, double w, double h,
                   const char *title, const sim_hist *const *hists, const char *const *labels, size_t n)
{
    viz_axes ax;
    viz_axes_init(&ax, title, "latency (ms, log scale)", "fraction of jobs <= x");
    ax.xlog = TRUE;
    ax.ymin = 0;
    ax.ymax = 1;
    viz_chart_cdf_axes(cr, st, x, y, w, h, &ax, hists, labels, n);
}

void viz_chart_cdf_axes(cairo_t *cr, const viz_style *st, double x, double y, double w, double h,
                        const viz_axes *ax, const sim_hist *const *hists, const char *const *labels, size_t n)
{
    viz_line *lines = g_new0(viz_line, n + 1);
    GArray **arrs = g_new0(GArray *, 2 * n + 2);
    size_t nl = 0;
    for (size_t i = 0; i < n; i++) {
        if (!hists[i] || sim_hist_count(hists[i]) == 0) continue;
        cdf_acc a = { g_array_new(FALSE, FALSE, sizeof(double)), g_array_new(FALSE, FALSE, sizeof(double)),
                      (double)sim_hist_count(hists[i]), 0 };
        sim_hist_foreach(hists[i], cdf_bucket, &a);
        arrs[2 * nl] = a.x;
        arrs[2 * nl + 1] = a.y;
        lines[nl] = (viz_line){ labels[i], (double *)a.x->data, (double *)a.y->data, a.x->len };
        nl++;
    }
    viz_chart_lines(cr, st, x, y, w, h, ax, lines, nl);
    for (size_t i = 0; i < 2 * nl; i++) g_array_free(arrs[i], TRUE);
    g_free(arrs);
    g_free(lines);
}

void viz_chart_bars(cairo_t *cr, const viz_style *st, double x, double y, double w, double h,
                    const viz_axes *ax, const char *const *labels, const double *values,
                    size_t n, double ref)
{
    viz_chart_bar_groups(cr, st, x, y, w, h, ax, labels, values, n, NULL, 1, ref);
}

void viz_chart_bar_groups(cairo_t *cr, const viz_style *st, double x, double y, double w, double h,
                          const viz_axes *ax, const char *const *labels, const double *values, size_t n,
                          const char *const *series, size_t k, double ref)
{
    g_return_if_fail(k >= 1 && k <= 8);
    viz_panel(cr, x, y, w, h, VIZ_C_PANEL, VIZ_C_EDGE);
    viz_color colors[8];
    for (size_t j = 0; j < k; j++) colors[j] = viz_series_color(j);
    double header = draw_header(cr, st, x, y, w, ax->title, k > 1 ? series : NULL, colors, k > 1 ? k : 0);
    frame f;
    layout_frame(cr, st, &f, x, y, w, h, header, ax);
    f.ph = fmax(10, f.ph - 14 - 16);   /* room for bar labels under the axis and values above the bars */
    f.py += 16;
    double vmax = ref > 0 ? ref : 0;
    for (size_t i = 0; i < n * k; i++) if (isfinite(values[i])) vmax = fmax(vmax, values[i]);
    f.xmin = 0; f.xmax = n > 0 ? (double)n : 1;
    f.ymin = isfinite(ax->ymin) ? ax->ymin : 0;
    f.ymax = isfinite(ax->ymax) ? ax->ymax : (vmax > 0 ? vmax * 1.12 : 1);
    f.xlog = FALSE;
    /* Y axis only: the x axis is categorical. */
    viz_axes yonly = *ax;
    yonly.xlabel = NULL;
    /* An empty x range: draw_axes then draws no x ticks. */
    draw_axes(cr, st, &(frame){ f.px, f.py, f.pw, f.ph, 0, 0, f.ymin, f.ymax, FALSE }, &yonly);
    /* One slot per label; its k bars side by side in 62% of it. */
    double slot = f.pw / fmax(1, (double)n), bw = slot * 0.62 / (double)k;
    /* Labels (and values) that do not fit their slot are shown for every
     * k-th bar only, never wrapped into a column of digits. */
    double widest = 0;
    for (size_t i = 0; i < n; i++) {
        double lw;
        viz_text_size(cr, st, TICK_SIZE, TRUE, labels[i], &lw, NULL);
        widest = fmax(widest, lw);
    }
    size_t every = widest + 4 > slot ? (size_t)ceil((widest + 4) / fmax(1, slot)) : 1;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < k; j++) {
            double v = isfinite(values[i * k + j]) ? values[i * k + j] : 0;
            double bx = f.px + slot * i + (slot - bw * (double)k) / 2 + bw * (double)j;
            double top = map_y(&f, fmin(v, f.ymax));
            /* one series: the warning colour marks saturation; several:
             * each keeps its legend colour (the dashed line marks it) */
            viz_color_set(cr, k == 1 && ref > 0 && v >= ref * 0.95 ? VIZ_C_VERMILLION : viz_series_color(j), 1.0);
            cairo_rectangle(cr, bx, top, bw, f.py + f.ph - top);
            cairo_fill(cr);
            char buf[32];
            if (ref == 1.0) snprintf(buf, sizeof buf, v < 0.1 ? "%.1f%%" : "%.0f%%", v * 100);
            else viz_fmt_count(buf, sizeof buf, v);
            viz_color_set(cr, VIZ_C_TEXT, 1.0);
            double vw;
            viz_text_size(cr, st, TICK_SIZE, TRUE, buf, &vw, NULL);
            if ((k == 1 && i % every == 0) || vw + 2 <= slot / (double)k)
                viz_text(cr, st, bx + bw / 2, top - 18, TICK_SIZE, TRUE, VIZ_ALIGN_CENTER, 0, buf);
        }
        if (every == 1)   /* each label fits its slot: centred in it */
            viz_text(cr, st, f.px + slot * i, f.py + f.ph + 4, TICK_SIZE, FALSE, VIZ_ALIGN_CENTER, slot, labels[i]);
        else if (i % every == 0)   /* centred on its slot, free to overhang the skipped neighbours */
            viz_text(cr, st, f.px + slot * i + slot / 2, f.py + f.ph + 4, TICK_SIZE, FALSE, VIZ_ALIGN_CENTER, 0, labels[i]);
    }
    if (ref > 0 && ref <= f.ymax) {
        double yy = map_y(&f, ref);
        viz_color_set(cr, VIZ_C_VERMILLION, 0.9);
        cairo_set_line_width(cr, 1.5);
        double dash[] = { 6, 4 };
        cairo_set_dash(cr, dash, 2, 0);
        cairo_move_to(cr, f.px, yy);
        cairo_line_to(cr, f.px + f.pw, yy);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
    }
}

/* ---- Files ---- */

static cairo_status_t append_bytes(void *closure, const unsigned char *data, unsigned int length)
{
    g_byte_array_append(closure, data, length);
    return CAIRO_STATUS_SUCCESS;
}

gboolean viz_chart_write(const char *path, int w, int h, viz_draw_fn draw, void *user, GError **error)
{
    GByteArray *bytes = g_byte_array_new();
    cairo_surface_t *surf;
    gboolean png = g_str_has_suffix(path, ".png");
    if (png) surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    else if (g_str_has_suffix(path, ".svg")) surf = cairo_svg_surface_create_for_stream(append_bytes, bytes, w, h);
    else if (g_str_has_suffix(path, ".pdf")) surf = cairo_pdf_surface_create_for_stream(append_bytes, bytes, w, h);
    else {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "%s: unknown file type (use .png, .svg or .pdf)", path);
        g_byte_array_unref(bytes);
        return FALSE;
    }
    cairo_t *cr = cairo_create(surf);
    draw(cr, w, h, user);
    cairo_status_t status = cairo_status(cr);
    cairo_destroy(cr);
    if (png && status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_write_to_png_stream(surf, append_bytes, bytes);
    cairo_surface_finish(surf);
    if (status == CAIRO_STATUS_SUCCESS) status = cairo_surface_status(surf);
    cairo_surface_destroy(surf);
    gboolean ok = FALSE;
    if (status != CAIRO_STATUS_SUCCESS) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot draw: %s", path, cairo_status_to_string(status));
    } else {
        GError *e = NULL;
        ok = g_file_set_contents(path, (const char *)bytes->data, bytes->len, &e);
        if (!ok) {
            /* GLib's message names its temporary file; the user's is `path`. */
            char *dir = g_path_get_dirname(path);
            g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot write: %s", path,
                        g_file_test(dir, G_FILE_TEST_IS_DIR) ? "permission denied or disk full" : "no such directory");
            g_free(dir);
            g_error_free(e);
        }
    }
    g_byte_array_unref(bytes);
    return ok;
}
