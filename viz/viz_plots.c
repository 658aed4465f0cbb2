/* viz_plots: the charts of a finished run as files (`slacksim run --plots
 * DIR`): latency CDFs of the pipeline's stations, the run's latency
 * percentiles per stage (end to end included), time series of the main
 * metrics, and utilization per stage, each as PNG (for slides) and SVG (for
 * print), drawn by the same viz_chart code as the live dashboard.
 *
 * Invariant: every figure plotted is read from the model after its run;
 * each file is written whole (temp file + rename) or not at all. */
#include "viz/viz_chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include "models/slack_model.h"
#include "sim/sim_error.h"

#define PLOT_W 1000
#define PLOT_H 560

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
    { "timeseries_utilization", "Utilization of the busiest instance per stage", "busy (%)",
      { "gateway_cpu_util_max", "postgres_util", "kafka_util_max", "fanout_util_max", "redis_util" },
      { "gateway CPU", "PostgreSQL", "Kafka", "fan-out", "Redis" }, 100, FALSE },
    { "timeseries_connections", "WebSocket connections", "connections",
      { "connections" }, { "connections" }, 1, FALSE },
    { "timeseries_kafka_lag", "Kafka consumer lag (busiest partition)", "lag (messages)",
      { "kafka_lag_max" }, { "lag" }, 1, FALSE },
    { "timeseries_redis", "Redis operations per second", "operations / s",
      { "redis_ops_per_s" }, { "ops/s" }, 1, FALSE },
    { "timeseries_push", "Push-notification backlog", "notifications waiting",
      { "push_backlog" }, { "backlog" }, 1, FALSE },
};

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
    viz_style_init(&st, 1.3);
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
static const struct { slack_station_id id; const char *label; } cdf_stations[] = {
    { SLACK_STATION_POSTGRES, "PostgreSQL write" },
    { SLACK_STATION_KAFKA, "Kafka append + ack (busiest partition)" },
    { SLACK_STATION_FANOUT, "fan-out consumer (busiest partition)" },
    { SLACK_STATION_REDIS, "Redis shard 0" },
};

static void draw_cdf(cairo_t *cr, double w, double h, void *user)
{
    const plot_ctx *pc = user;
    viz_style st;
    viz_style_init(&st, 1.3);
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

/* The run's own per-stage latency percentiles (summary "latency_ms"), as
 * points of each stage's distribution: end to end, persist, Kafka,
 * fan-out, push. Covers the stages that are not queueing stations too. */
static const struct { const char *key, *label; } pct_stages[] = {
    { "end_to_end", "end to end (send \u2192 WebSocket push)" },
    { "persist", "persist (PostgreSQL)" },
    { "kafka", "Kafka" },
    { "fanout", "fan-out" },
    { "push", "mobile push" },
};

static void draw_percentiles(cairo_t *cr, double w, double h, void *user)
{
    const plot_ctx *pc = user;
    static const char *const pk[] = { "p50", "p90", "p99", "p999", "max" };
    static const double q[] = { 0.5, 0.9, 0.99, 0.999, 1.0 };
    viz_style st;
    viz_style_init(&st, 1.3);
    background(cr);
    slack_run_info run = { 0 };
    cJSON *sum = slack_model_summary(pc->m, &run);
    const cJSON *lat = cJSON_GetObjectItemCaseSensitive(sum, "latency_ms");
    double xs[G_N_ELEMENTS(pct_stages)][G_N_ELEMENTS(pk)];
    viz_line lines[G_N_ELEMENTS(pct_stages)];
    size_t nl = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(pct_stages); i++) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(lat, pct_stages[i].key);
        const cJSON *count = cJSON_GetObjectItemCaseSensitive(o, "count");
        if (!cJSON_IsNumber(count) || count->valuedouble <= 0) continue;
        gboolean ok = TRUE;
        for (size_t k = 0; k < G_N_ELEMENTS(pk); k++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, pk[k]);
            ok = ok && cJSON_IsNumber(v);
            xs[nl][k] = ok ? fmax(v->valuedouble, 1e-3) : NAN;
        }
        if (!ok) continue;
        lines[nl] = (viz_line){ pct_stages[i].label, xs[nl], q, G_N_ELEMENTS(pk) };
        nl++;
    }
    viz_axes ax;
    viz_axes_init(&ax, "Latency per stage: the run's p50, p90, p99, p99.9 and max", "latency (ms, log scale)",
                  "fraction of messages <= x");
    ax.xlog = TRUE;
    ax.ymin = 0.5;
    ax.ymax = 1.0;
    viz_chart_lines(cr, &st, 0, 0, w, h, &ax, lines, nl);
    cJSON_Delete(sum);
}

static const struct { slack_station_id id; const char *label; } util_stations[] = {
    { SLACK_STATION_GATEWAY_IN, "gateways" },
    { SLACK_STATION_POSTGRES, "PostgreSQL" },
    { SLACK_STATION_KAFKA, "Kafka" },
    { SLACK_STATION_FANOUT, "fan-out" },
    { SLACK_STATION_REDIS, "Redis" },
    { SLACK_STATION_PUSH, "push provider" },
};

static void draw_util(cairo_t *cr, double w, double h, void *user)
{
    const plot_ctx *pc = user;
    viz_style st;
    viz_style_init(&st, 1.3);
    background(cr);
    double v[G_N_ELEMENTS(util_stations)];
    const char *labels[G_N_ELEMENTS(util_stations)];
    for (size_t i = 0; i < G_N_ELEMENTS(util_stations); i++) {
        slack_stage_info info;
        slack_model_stage_info(pc->m, util_stations[i].id, &info);
        v[i] = info.utilization;
        labels[i] = util_stations[i].label;
    }
    viz_axes ax;
    viz_axes_init(&ax, "Utilization per stage over the run (busiest instance; dashed line = saturation)",
                  NULL, "utilization (fraction of capacity)");
    viz_chart_bars(cr, &st, 0, 0, w, h, &ax, labels, v, G_N_ELEMENTS(util_stations), 1.0);
}

static gboolean write_both(const char *dir, const char *base, viz_draw_fn draw, void *user, GError **error)
{
    static const char *const ext[] = { "png", "svg" };
    for (size_t i = 0; i < G_N_ELEMENTS(ext); i++) {
        char *name = g_strdup_printf("%s.%s", base, ext[i]);
        char *path = g_build_filename(dir, name, NULL);
        gboolean ok = viz_chart_write(path, PLOT_W, PLOT_H, draw, user, error);
        g_free(path);
        g_free(name);
        if (!ok) return FALSE;
    }
    return TRUE;
}

gboolean viz_plots_write(const struct slack_model *m, const char *dir, GError **error)
{
    if (g_mkdir_with_parents(dir, 0755) != 0 || !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot create the plots directory", dir);
        return FALSE;
    }
    plot_ctx pc = { m, NULL };
    if (!write_both(dir, "latency_cdf", draw_cdf, &pc, error)) return FALSE;
    if (!write_both(dir, "latency_percentiles", draw_percentiles, &pc, error)) return FALSE;
    if (!write_both(dir, "utilization", draw_util, &pc, error)) return FALSE;
    for (size_t i = 0; i < G_N_ELEMENTS(series_plots); i++) {
        pc.ps = &series_plots[i];
        if (!write_both(dir, series_plots[i].file, draw_series, &pc, error)) return FALSE;
    }
    return TRUE;
}
