/* viz_plots: the charts of a finished run as files (`slacksim run --plots
 * DIR`): latency CDFs of the pipeline's stations, the run's latency
 * CDFs per stage from the model's histograms (end to end included), time
 * series of the main metrics, utilization per stage and Kafka lag per
 * partition, each as PNG (for slides) and SVG (for
 * print), drawn by the same viz_chart code as the live dashboard.
 *
 * Invariant: every figure plotted is read from the model after its run;
 * each file is written whole (temp file + rename) or not at all. */
#include "viz/viz_chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include "models/slack_model.h"
#include "sim/sim_error.h"

/* Text size of a plot of w x h: 1.3 at the default 1000x560 (slides),
 * growing with the plot's size so a 4K plot reads like a 1000 px one. */
static double plot_text_scale(double w, double h)
{
    double k = sqrt((w * h) / ((double)VIZ_PLOT_W * VIZ_PLOT_H));
    return 1.3 * fmin(4, fmax(0.75, k));
}

/* One time-series plot: columns, labels, scale, axis. */
typedef struct plot_series {
    const char *file;        /* base name, no extension */
    const char *title;
    const char *ylabel;
    const char *cols[5];
    const char *labels[5];
    double scale;
    gboolean zero_is_gap;
} plot_series;

static const plot_series series_plots[] = {
    { "timeseries_messages", "Messages per second", "messages / s",
      { "messages_per_s", "postgres_writes_per_s" }, { "sent", "PostgreSQL writes" }, 1, FALSE },
    { "timeseries_deliveries", "Deliveries per second", "per second",
      { "deliveries_per_s", "push_queued_per_s" }, { "WebSocket pushes", "push notifications queued" }, 1, FALSE },
    { "timeseries_latency", "End-to-end latency (send \u2192 WebSocket push)", "latency (ms)",
      { "e2e_p50_ms", "e2e_p99_ms", "e2e_max_ms" }, { "p50", "p99", "max" }, 1, TRUE },
    { "timeseries_utilization", "Utilization per interval (busiest instance; Redis: mean over shards)", "busy (%)",
      { "gateway_cpu_util_max", "postgres_util", "kafka_util_max", "fanout_util_max", "redis_util" },
      { "gateway CPU", "PostgreSQL", "Kafka", "fan-out", "Redis (mean)" }, 100, FALSE },
    { "timeseries_connections", "WebSocket connections", "connections",
      { "connections" }, { "connections" }, 1, FALSE },
    { "timeseries_kafka_lag", "Kafka consumer lag (busiest partition)", "lag (messages)",
      { "kafka_lag_max" }, { "lag" }, 1, FALSE },
    { "timeseries_redis", "Redis operations per second", "operations / s",
      { "redis_ops_per_s" }, { "ops/s" }, 1, FALSE },
    { "timeseries_push", "Push-notification backlog", "notifications waiting",
      { "push_backlog" }, { "backlog" }, 1, FALSE },
    { "timeseries_presence", "Presence keys in Redis", "keys",
      { "presence_keys", "presence_stale_keys" }, { "keys", "past their TTL, not yet removed" }, 1, FALSE },
    /* drawn only when the run has the columns (search, files, polling, faults on) */
    { "timeseries_search", "Search indexing", "per second / ms",
      { "search_indexed_per_s", "search_lag_p99_ms" }, { "indexed docs/s", "index lag p99 (ms)" }, 1, FALSE },
    { "timeseries_s3", "S3 requests", "per second",
      { "s3_put_per_s", "s3_slowdowns_per_s", "files_downloads_per_s" }, { "PUT", "503 SlowDown", "downloads" }, 1, FALSE },
    { "timeseries_http_requests", "HTTP requests (delivery.transport)", "requests / s",
      { "http_requests_per_s" }, { "requests" }, 1, FALSE },
    { "timeseries_reconnects", "Reconnects after a gateway crash", "clients / s",
      { "reconnects_per_s" }, { "reconnects" }, 1, FALSE },
};

size_t viz_plot_columns(const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(series_plots); i++)
        for (size_t k = 0; k < G_N_ELEMENTS(series_plots[i].cols) && series_plots[i].cols[k]; k++) {
            if (n < max) out[n] = series_plots[i].cols[k];
            n++;
        }
    return n;
}

/* Does the run's time series have every column of `ps`? */
static gboolean series_present(const sim_series *ts, const plot_series *ps)
{
    for (size_t i = 0; i < G_N_ELEMENTS(ps->cols) && ps->cols[i]; i++)
        if (sim_series_find(ts, ps->cols[i]) < 0) return FALSE;
    return TRUE;
}

/* DIR/NAME.csv, written whole (temp + rename). */
static gboolean write_csv(const char *dir, const char *name, const GString *text, GError **error)
{
    char *file = g_strconcat(name, ".csv", NULL), *path = g_build_filename(dir, file, NULL);
    gboolean ok = g_file_set_contents(path, text->str, (gssize)text->len, NULL);
    if (!ok) g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot write", path);
    g_free(path);
    g_free(file);
    return ok;
}

/* The numbers a time-series chart draws: t_s, then each column (times the
 * chart's scale), as drawn. */
static gboolean write_series_csv(const slack_model *m, const char *dir, const plot_series *ps, GError **error)
{
    const sim_series *ts = slack_model_timeseries(m);
    GString *s = g_string_new("t_s");
    int col[5];
    size_t n = 0;
    for (; n < G_N_ELEMENTS(ps->cols) && ps->cols[n]; n++) {
        col[n] = sim_series_find(ts, ps->cols[n]);
        g_string_append_printf(s, ",%s", ps->cols[n]);
    }
    g_string_append_c(s, '\n');
    for (size_t r = 0; r < sim_series_rows(ts); r++) {
        g_string_append_printf(s, "%.9g", sim_time_to_sec(sim_series_time(ts, r)));
        for (size_t i = 0; i < n; i++) g_string_append_printf(s, ",%.17g", sim_series_value(ts, r, (size_t)col[i]) * ps->scale);
        g_string_append_c(s, '\n');
    }
    gboolean ok = write_csv(dir, ps->file, s, error);
    g_string_free(s, TRUE);
    return ok;
}

typedef struct plot_ctx {
    const slack_model *m;
    const plot_series *ps;   /* the time-series plot being drawn, if any */
} plot_ctx;

static void background(cairo_t *cr)
{
    viz_color_set(cr, VIZ_C_PANEL, 1);
    cairo_paint(cr);
}

static void draw_series(cairo_t *cr, double w, double h, void *user)
{
    const plot_ctx *pc = user;
    const plot_series *ps = pc->ps;
    viz_style st;
    viz_style_init(&st, plot_text_scale(w, h));
    background(cr);
    size_t n = 0;
    while (n < G_N_ELEMENTS(ps->cols) && ps->cols[n]) n++;
    viz_axes ax;
    viz_axes_init(&ax, ps->title, "simulated time (s)", ps->ylabel);
    if (ps->scale != 1) {
        viz_chart_series(cr, &st, 0, 0, w, h, &ax, slack_model_timeseries(pc->m), ps->cols, ps->labels, n,
                         ps->scale, 0);
    } else {
        viz_chart_series_gaps(cr, &st, 0, 0, w, h, &ax, slack_model_timeseries(pc->m), ps->cols, ps->labels, n,
                              0, ps->zero_is_gap);
    }
}

/* Stations with a queueing station behind them (gateways and the push
 * provider are not sim_stations: see slack_model_station). */
static const struct { slack_station_id id; const char *label, *field; } cdf_stations[] = {
    { SLACK_STATION_POSTGRES, "PostgreSQL write", "postgres.station.sojourn_ms" },
    { SLACK_STATION_KAFKA, "Kafka append + ack (busiest partition)", NULL },
    { SLACK_STATION_FANOUT, "fan-out consumer (busiest partition)", NULL },
    { SLACK_STATION_REDIS, "Redis shard 0", NULL },
};

static void draw_cdf(cairo_t *cr, double w, double h, void *user)
{
    const plot_ctx *pc = user;
    viz_style st;
    viz_style_init(&st, plot_text_scale(w, h));
    background(cr);
    const sim_hist *hists[G_N_ELEMENTS(cdf_stations)];
    const char *labels[G_N_ELEMENTS(cdf_stations)];
    for (size_t i = 0; i < G_N_ELEMENTS(cdf_stations); i++) {
        const sim_station *s = slack_model_station(pc->m, cdf_stations[i].id);
        hists[i] = s ? sim_station_sojourn_hist(s) : NULL;
        labels[i] = cdf_stations[i].label;
    }
    viz_chart_cdf(cr, &st, 0, 0, w, h, "Latency per stage (time in station: queue + service)", hists, labels,
                  G_N_ELEMENTS(cdf_stations));
}

/* Every stage's latency over the whole run from the model's own
 * histograms (slack_model_latency_hist; the figures behind summary
 * latency_ms): end to end per online recipient, persist, Kafka, fan-out,
 * push. Left the whole distribution, right its top 1 % (p99 and beyond,
 * where SLOs live), both on the same log x axis. */
static const struct { slack_latency which; const char *label, *field; } lat_stages[] = {
    { SLACK_LATENCY_END_TO_END, "end to end", "latency_ms.end_to_end" },
    { SLACK_LATENCY_PERSIST, "persist", "latency_ms.persist" },
    { SLACK_LATENCY_KAFKA, "Kafka", "latency_ms.kafka" },
    { SLACK_LATENCY_FANOUT, "fan-out", "latency_ms.fanout" },
    { SLACK_LATENCY_PUSH, "mobile push", "latency_ms.push" },
};

static void draw_stage_cdfs(cairo_t *cr, double w, double h, void *user)
{
    const plot_ctx *pc = user;
    viz_style st;
    viz_style_init(&st, plot_text_scale(w, h));
    background(cr);
    sim_hist *hists[G_N_ELEMENTS(lat_stages)];
    const char *labels[G_N_ELEMENTS(lat_stages)];
    for (size_t i = 0; i < G_N_ELEMENTS(lat_stages); i++) {
        hists[i] = slack_model_latency_hist(pc->m, lat_stages[i].which);
        labels[i] = lat_stages[i].label;
    }
    double gap = 10, half = (w - gap) / 2;
    viz_axes ax;
    viz_axes_init(&ax, "Latency per stage, whole run", "latency (ms, log scale)",
                  "fraction <= x");
    ax.xlog = TRUE;
    ax.ymin = 0;
    ax.ymax = 1;
    viz_chart_cdf_axes(cr, &st, 0, 0, half, h, &ax, (const sim_hist *const *)hists, labels, G_N_ELEMENTS(lat_stages));
    ax.title = "Its tail: the slowest 1 %";
    ax.ymin = 0.99;
    viz_chart_cdf_axes(cr, &st, half + gap, 0, half, h, &ax, (const sim_hist *const *)hists, labels,
                       G_N_ELEMENTS(lat_stages));
    for (size_t i = 0; i < G_N_ELEMENTS(lat_stages); i++) sim_hist_free(hists[i]);
}

/* The load table (slack_model_loads: the report's and summary.json's "load"
 * numbers): utilization above, offered load below. */
static void draw_util(cairo_t *cr, double w, double h, void *user)
{
    const plot_ctx *pc = user;
    viz_style st;
    viz_style_init(&st, plot_text_scale(w, h));
    background(cr);
    slack_stage_load l[32];
    size_t n = MIN(slack_model_loads(pc->m, l, G_N_ELEMENTS(l)), G_N_ELEMENTS(l));
    double u[32], o[32];
    const char *labels[32];
    for (size_t i = 0; i < n; i++) {
        u[i] = l[i].utilization;
        o[i] = l[i].offered_load;
        labels[i] = l[i].stage;
    }
    double gap = 0.02 * h, half = (h - gap) / 2;
    viz_axes ax;
    viz_axes_init(&ax, "Utilization: busiest instance, worst interval", NULL, "of capacity");
    viz_chart_bars(cr, &st, 0, 0, w, half, &ax, labels, u, n, 1.0);
    viz_axes_init(&ax, "Offered load: demand / capacity over the run (> 1: falls behind)", NULL, "of capacity");
    viz_chart_bars(cr, &st, 0, half + gap, w, half, &ax, labels, o, n, 1.0);
}

/* utilization.csv: the numbers utilization.png draws. */
static gboolean write_util_csv(const slack_model *m, const char *dir, GError **error)
{
    slack_stage_load l[32];
    size_t n = MIN(slack_model_loads(m, l, G_N_ELEMENTS(l)), G_N_ELEMENTS(l));
    GString *s = g_string_new("stage,utilization,offered_load\n");
    for (size_t i = 0; i < n; i++) g_string_append_printf(s, "%s,%.17g,%.17g\n", l[i].stage, l[i].utilization, l[i].offered_load);
    gboolean ok = write_csv(dir, "utilization", s, error);
    g_string_free(s, TRUE);
    return ok;
}

/* latency_cdf.csv and latency_stages_cdf.csv: the curves those charts draw
 * (series, the summary field behind it when there is one, latency_ms,
 * fraction). */
static gboolean write_cdf_csvs(const slack_model *m, const char *dir, GError **error)
{
    GString *s = g_string_new("series,field,latency_ms,fraction\n");
    for (size_t i = 0; i < G_N_ELEMENTS(cdf_stations); i++) {
        const sim_station *st = slack_model_station(m, cdf_stations[i].id);
        viz_chart_cdf_csv(s, st ? sim_station_sojourn_hist(st) : NULL, cdf_stations[i].label, cdf_stations[i].field);
    }
    gboolean ok = write_csv(dir, "latency_cdf", s, error);
    g_string_truncate(s, 0);
    g_string_append(s, "series,field,latency_ms,fraction\n");
    for (size_t i = 0; ok && i < G_N_ELEMENTS(lat_stages); i++) {
        sim_hist *h = slack_model_latency_hist(m, lat_stages[i].which);
        viz_chart_cdf_csv(s, h, lat_stages[i].label, lat_stages[i].field);
        sim_hist_free(h);
    }
    ok = ok && write_csv(dir, "latency_stages_cdf", s, error);
    g_string_free(s, TRUE);
    return ok;
}

/* The run's largest consumer lag per Kafka partition (summary
 * kafka.consumer_lag_max_by_partition): a hot channel shows as one tall
 * bar, since all its messages hash to one partition. Beyond
 * PLOT_TOP_PARTITIONS the busiest, in descending order. */
#define PLOT_TOP_PARTITIONS 32

typedef struct { uint32_t p; uint64_t lag; } part_lag;

static int part_lag_cmp(const void *a, const void *b)
{
    const part_lag *x = a, *y = b;
    if (x->lag != y->lag) return x->lag < y->lag ? 1 : -1;
    return x->p < y->p ? -1 : x->p > y->p;
}

/* The bars: every partition, or the busiest PLOT_TOP_PARTITIONS in
 * descending order. *np: partitions, *n: bars. Caller frees. */
static part_lag *partition_bars(const slack_model *m, uint32_t *np, uint32_t *n)
{
    *np = slack_model_partitions(m);
    *n = MIN(*np, PLOT_TOP_PARTITIONS);
    part_lag *pl = g_new0(part_lag, *np + 1);
    for (uint32_t p = 0; p < *np; p++) pl[p] = (part_lag){ p, slack_model_partition_lag_max(m, p) };
    if (*np > *n) qsort(pl, *np, sizeof *pl, part_lag_cmp);
    return pl;
}

/* kafka_lag_partitions.csv: the bars drawn, in their order
 * (kafka.consumer_lag_max_by_partition[partition]). */
static gboolean write_partitions_csv(const slack_model *m, const char *dir, GError **error)
{
    uint32_t np, n;
    part_lag *pl = partition_bars(m, &np, &n);
    GString *s = g_string_new("partition,lag_max\n");
    for (uint32_t i = 0; i < n; i++) g_string_append_printf(s, "%u,%" G_GUINT64_FORMAT "\n", pl[i].p, pl[i].lag);
    gboolean ok = write_csv(dir, "kafka_lag_partitions", s, error);
    g_string_free(s, TRUE);
    g_free(pl);
    return ok;
}

static void draw_kafka_partitions(cairo_t *cr, double w, double h, void *user)
{
    const plot_ctx *pc = user;
    viz_style st;
    viz_style_init(&st, plot_text_scale(w, h));
    background(cr);
    uint32_t np, n;
    part_lag *pl = partition_bars(pc->m, &np, &n);
    char **labels = g_new0(char *, n + 1);
    double *v = g_new0(double, n + 1);
    for (uint32_t i = 0; i < n; i++) {
        labels[i] = g_strdup_printf("%u", pl[i].p);
        v[i] = (double)pl[i].lag;
    }
    char *title = np > n ? g_strdup_printf("Largest Kafka consumer lag by partition over the run: busiest %u of %u", n, np)
                         : g_strdup("Largest Kafka consumer lag by partition over the run");
    viz_axes ax;
    viz_axes_init(&ax, title, NULL, "lag (messages)");
    viz_chart_bars(cr, &st, 0, 0, w, h, &ax, (const char *const *)labels, v, n, 0);
    g_free(title);
    g_strfreev(labels);
    g_free(v);
    g_free(pl);
}

static gboolean write_both(const char *dir, const char *base, int pw, int ph, viz_draw_fn draw, void *user,
                           GError **error)
{
    static const char *const ext[] = { "png", "svg" };
    for (size_t i = 0; i < G_N_ELEMENTS(ext); i++) {
        char *name = g_strdup_printf("%s.%s", base, ext[i]);
        char *path = g_build_filename(dir, name, NULL);
        gboolean ok = viz_chart_write(path, pw, ph, draw, user, error);
        g_free(path);
        g_free(name);
        if (!ok) return FALSE;
    }
    return TRUE;
}

gboolean viz_plot_size_parse(const char *text, int *w, int *h, GError **error)
{
    int a = 0, b = 0;
    char x = 0, extra = 0;
    if (!text || sscanf(text, "%d%c%d%c", &a, &x, &b, &extra) != 3 || (x != 'x' && x != 'X')
        || a < VIZ_PLOT_MIN_W || b < VIZ_PLOT_MIN_H || a > VIZ_PLOT_MAX || b > VIZ_PLOT_MAX) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                    "--plot-size: expected WxH between %dx%d and %dx%d, such as 1920x1080, got '%s'",
                    VIZ_PLOT_MIN_W, VIZ_PLOT_MIN_H, VIZ_PLOT_MAX, VIZ_PLOT_MAX, text ? text : "");
        return FALSE;
    }
    *w = a;
    *h = b;
    return TRUE;
}

gboolean viz_plots_write(const struct slack_model *m, const char *dir, GError **error)
{
    return viz_plots_write_sized(m, dir, VIZ_PLOT_W, VIZ_PLOT_H, error);
}

gboolean viz_plots_write_sized(const struct slack_model *m, const char *dir, int pw, int ph, GError **error)
{
    g_return_val_if_fail(pw >= VIZ_PLOT_MIN_W && ph >= VIZ_PLOT_MIN_H && pw <= VIZ_PLOT_MAX && ph <= VIZ_PLOT_MAX, FALSE);
    if (g_mkdir_with_parents(dir, 0755) != 0 || !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot create the plots directory", dir);
        return FALSE;
    }
    plot_ctx pc = { m, NULL };
    if (!write_both(dir, "latency_cdf", pw, ph, draw_cdf, &pc, error)) return FALSE;
    if (!write_both(dir, "latency_stages_cdf", pw, ph, draw_stage_cdfs, &pc, error)) return FALSE;
    if (!write_cdf_csvs(m, dir, error)) return FALSE;
    if (!write_both(dir, "utilization", pw, ph, draw_util, &pc, error)) return FALSE;
    if (!write_util_csv(m, dir, error)) return FALSE;
    if (!write_both(dir, "kafka_lag_partitions", pw, ph, draw_kafka_partitions, &pc, error)) return FALSE;
    if (!write_partitions_csv(m, dir, error)) return FALSE;
    for (size_t i = 0; i < G_N_ELEMENTS(series_plots); i++) {
        pc.ps = &series_plots[i];
        if (!series_present(slack_model_timeseries(m), pc.ps)) continue;
        if (!write_both(dir, series_plots[i].file, pw, ph, draw_series, &pc, error)) return FALSE;
        if (!write_series_csv(m, dir, pc.ps, error)) return FALSE;
    }
    return TRUE;
}

/* ================================================================ compare --plots */

/* Two designs overlaid (`slacksim compare --plots DIR`): the load table of
 * each as grouped bars (means over the replications, compare.json's
 * a.load / b.load), then, from replication 0 of each (the same seed for
 * both: common random numbers), the end-to-end latency CDF and every time
 * series chart of `run --plots` that either run has, A's and B's lines
 * together (a column only one design has is drawn for that one). Each
 * chart's CSV holds what it draws. */

typedef struct cmp_ctx {
    const viz_compare_side *s[2];
    const plot_series *ps;
    const char *const *stages;   /* union of both load tables, A's order first */
    size_t nstages;
} cmp_ctx;

static const slack_stage_load *side_load(const viz_compare_side *s, const char *stage)
{
    for (size_t i = 0; i < s->nload; i++) if (!strcmp(s->load[i].stage, stage)) return &s->load[i];
    return NULL;
}

static void draw_cmp_util(cairo_t *cr, double w, double h, void *user)
{
    const cmp_ctx *c = user;
    viz_style st;
    viz_style_init(&st, plot_text_scale(w, h));
    background(cr);
    double *u = g_new0(double, 2 * c->nstages + 1), *o = g_new0(double, 2 * c->nstages + 1);
    for (size_t i = 0; i < c->nstages; i++)
        for (int j = 0; j < 2; j++) {
            const slack_stage_load *l = side_load(c->s[j], c->stages[i]);
            u[2 * i + j] = l ? l->utilization : 0;
            o[2 * i + j] = l ? l->offered_load : 0;
        }
    const char *series[2] = { c->s[0]->label, c->s[1]->label };
    double gap = 0.02 * h, half = (h - gap) / 2;
    viz_axes ax;
    viz_axes_init(&ax, "Utilization: busiest instance, worst interval (mean over replications)", NULL, "of capacity");
    viz_chart_bar_groups(cr, &st, 0, 0, w, half, &ax, c->stages, u, c->nstages, series, 2, 1.0);
    viz_axes_init(&ax, "Offered load: demand / capacity over the run (> 1: falls behind)", NULL, "of capacity");
    viz_chart_bar_groups(cr, &st, 0, half + gap, w, half, &ax, c->stages, o, c->nstages, series, 2, 1.0);
    g_free(u);
    g_free(o);
}

static void csv_num(GString *s, const slack_stage_load *l, gboolean offered)
{
    g_string_append_c(s, ',');
    if (l) g_string_append_printf(s, "%.17g", offered ? l->offered_load : l->utilization);
}

static gboolean write_cmp_util_csv(const cmp_ctx *c, const char *dir, GError **error)
{
    GString *s = g_string_new("stage,a_utilization,b_utilization,a_offered_load,b_offered_load\n");
    for (size_t i = 0; i < c->nstages; i++) {
        g_string_append(s, c->stages[i]);
        for (int k = 0; k < 4; k++) csv_num(s, side_load(c->s[k % 2], c->stages[i]), k >= 2);
        g_string_append_c(s, '\n');
    }
    gboolean ok = write_csv(dir, "utilization", s, error);
    g_string_free(s, TRUE);
    return ok;
}

static void draw_cmp_cdf(cairo_t *cr, double w, double h, void *user)
{
    const cmp_ctx *c = user;
    viz_style st;
    viz_style_init(&st, plot_text_scale(w, h));
    background(cr);
    sim_hist *hists[2];
    const char *labels[2];
    for (int j = 0; j < 2; j++) {
        hists[j] = slack_model_latency_hist(c->s[j]->m, SLACK_LATENCY_END_TO_END);
        labels[j] = c->s[j]->label;
    }
    double gap = 10, half = (w - gap) / 2;
    viz_axes ax;
    char *title = g_strdup_printf("End-to-end latency (seed %" G_GUINT64_FORMAT ")", c->s[0]->seed);
    viz_axes_init(&ax, title, "latency (ms, log scale)", "fraction <= x");
    ax.xlog = TRUE;
    ax.ymin = 0;
    ax.ymax = 1;
    viz_chart_cdf_axes(cr, &st, 0, 0, half, h, &ax, (const sim_hist *const *)hists, labels, 2);
    ax.title = "Its tail: the slowest 1 %";
    ax.ymin = 0.99;
    viz_chart_cdf_axes(cr, &st, half + gap, 0, half, h, &ax, (const sim_hist *const *)hists, labels, 2);
    for (int j = 0; j < 2; j++) sim_hist_free(hists[j]);
    g_free(title);
}

static gboolean write_cmp_cdf_csv(const cmp_ctx *c, const char *dir, GError **error)
{
    GString *s = g_string_new("series,field,latency_ms,fraction\n");
    for (int j = 0; j < 2; j++) {
        sim_hist *h = slack_model_latency_hist(c->s[j]->m, SLACK_LATENCY_END_TO_END);
        viz_chart_cdf_csv(s, h, c->s[j]->label, "latency_ms.end_to_end");
        sim_hist_free(h);
    }
    gboolean ok = write_csv(dir, "latency_e2e_cdf", s, error);
    g_string_free(s, TRUE);
    return ok;
}

/* The value drawn for column `col` of row r: scaled, NAN for a gap. */
static double cmp_value(const plot_series *ps, const sim_series *ts, int col, size_t r)
{
    double v = sim_series_value(ts, r, (size_t)col) * ps->scale;
    return ps->zero_is_gap && v == 0 ? NAN : v;
}

static void draw_cmp_series(cairo_t *cr, double w, double h, void *user)
{
    const cmp_ctx *c = user;
    const plot_series *ps = c->ps;
    viz_style st;
    viz_style_init(&st, plot_text_scale(w, h));
    background(cr);
    size_t n = 0;
    while (n < G_N_ELEMENTS(ps->cols) && ps->cols[n]) n++;
    viz_line lines[2 * G_N_ELEMENTS(ps->cols)];
    double *bufs[2 * G_N_ELEMENTS(ps->cols) * 2];
    char *names[2 * G_N_ELEMENTS(ps->cols)];
    size_t nl = 0;
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < 2; j++) {
            const sim_series *ts = slack_model_timeseries(c->s[j]->m);
            int col = sim_series_find(ts, ps->cols[i]);
            if (col < 0) continue;   /* this design has no such column (websocket: no HTTP requests) */
            size_t rows = sim_series_rows(ts);
            double *x = g_new0(double, rows + 1), *y = g_new0(double, rows + 1);
            for (size_t r = 0; r < rows; r++) {
                x[r] = sim_time_to_sec(sim_series_time(ts, r));
                y[r] = cmp_value(ps, ts, col, r);
            }
            names[nl] = g_strdup_printf("%s, %s", ps->labels[i], c->s[j]->label);
            bufs[2 * nl] = x;
            bufs[2 * nl + 1] = y;
            /* one colour per column; A solid, B dashed */
            lines[nl] = (viz_line){ names[nl], x, y, rows, (int)i + 1, j == 1 };
            nl++;
        }
    char *title = g_strdup_printf("%s (seed %" G_GUINT64_FORMAT ")", ps->title, c->s[0]->seed);
    viz_axes ax;
    viz_axes_init(&ax, title, "simulated time (s)", ps->ylabel);
    if (ps->zero_is_gap) ax.ymin = 0;
    viz_chart_lines(cr, &st, 0, 0, w, h, &ax, lines, nl);
    for (size_t i = 0; i < nl; i++) { g_free(names[i]); g_free(bufs[2 * i]); g_free(bufs[2 * i + 1]); }
    g_free(title);
}

/* t_s, then a_COL and b_COL for each column, as drawn (scaled; a gap is
 * empty). Rows by index; a side without that row (or whose row ends at
 * another time) leaves its cells empty. */
static gboolean write_cmp_series_csv(const cmp_ctx *c, const char *dir, GError **error)
{
    const plot_series *ps = c->ps;
    const sim_series *ts[2] = { slack_model_timeseries(c->s[0]->m), slack_model_timeseries(c->s[1]->m) };
    size_t n = 0;
    while (n < G_N_ELEMENTS(ps->cols) && ps->cols[n]) n++;
    GString *s = g_string_new("t_s");
    for (size_t i = 0; i < n; i++) g_string_append_printf(s, ",a_%s,b_%s", ps->cols[i], ps->cols[i]);
    g_string_append_c(s, '\n');
    size_t rows = MAX(sim_series_rows(ts[0]), sim_series_rows(ts[1]));
    for (size_t r = 0; r < rows; r++) {
        const sim_series *tref = r < sim_series_rows(ts[0]) ? ts[0] : ts[1];
        sim_time t = sim_series_time(tref, r);
        g_string_append_printf(s, "%.9g", sim_time_to_sec(t));
        for (size_t i = 0; i < n; i++)
            for (int j = 0; j < 2; j++) {
                g_string_append_c(s, ',');
                int col = sim_series_find(ts[j], ps->cols[i]);
                if (col < 0 || r >= sim_series_rows(ts[j]) || sim_series_time(ts[j], r) != t) continue;
                double v = cmp_value(ps, ts[j], col, r);
                if (isfinite(v)) g_string_append_printf(s, "%.17g", v);
            }
        g_string_append_c(s, '\n');
    }
    gboolean ok = write_csv(dir, ps->file, s, error);
    g_string_free(s, TRUE);
    return ok;
}

gboolean viz_plots_write_compare(const viz_compare_side *a, const viz_compare_side *b, const char *dir, int pw,
                                 int ph, GError **error)
{
    g_return_val_if_fail(a && b && a->m && b->m, FALSE);
    g_return_val_if_fail(pw >= VIZ_PLOT_MIN_W && ph >= VIZ_PLOT_MIN_H && pw <= VIZ_PLOT_MAX && ph <= VIZ_PLOT_MAX, FALSE);
    if (g_mkdir_with_parents(dir, 0755) != 0 || !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot create the plots directory", dir);
        return FALSE;
    }
    GPtrArray *stages = g_ptr_array_new();
    for (size_t i = 0; i < a->nload; i++) g_ptr_array_add(stages, (gpointer)a->load[i].stage);
    for (size_t i = 0; i < b->nload; i++)
        if (!side_load(a, b->load[i].stage)) g_ptr_array_add(stages, (gpointer)b->load[i].stage);
    cmp_ctx c = { { a, b }, NULL, (const char *const *)stages->pdata, stages->len };
    gboolean ok = write_both(dir, "utilization", pw, ph, draw_cmp_util, &c, error) && write_cmp_util_csv(&c, dir, error)
                  && write_both(dir, "latency_e2e_cdf", pw, ph, draw_cmp_cdf, &c, error)
                  && write_cmp_cdf_csv(&c, dir, error);
    for (size_t i = 0; ok && i < G_N_ELEMENTS(series_plots); i++) {
        c.ps = &series_plots[i];
        if (!series_present(slack_model_timeseries(a->m), c.ps) && !series_present(slack_model_timeseries(b->m), c.ps))
            continue;   /* drawn when either design has the columns: one line only is the difference */
        ok = write_both(dir, series_plots[i].file, pw, ph, draw_cmp_series, &c, error) && write_cmp_series_csv(&c, dir, error);
    }
    g_ptr_array_free(stages, TRUE);
    return ok;
}
