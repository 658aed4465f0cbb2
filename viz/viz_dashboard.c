/* viz_dashboard: scene 3, live charts of whatever scenario runs: WebSocket
 * connections per gateway, messages/s, end-to-end p50/p99, Kafka lag per
 * partition (bars of the last interval), Redis ops/s and presence keys. Drawn with viz_chart, the code
 * `slacksim run --plots` uses for files.
 *
 * Invariant: charts read the model's own time series (one row per
 * simulated interval) by column name; connections per gateway are read
 * live from the model, so killing a gateway shows at once; lag per Kafka
 * partition is the model's figure for the same last interval as the
 * newest row. */
#include "viz/viz_scene.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "viz/viz_chart.h"

/* Live charts show the last ten simulated minutes: long enough to see a
 * trend, short enough that a spike stays visible. */
#define DASH_WINDOW_S 600.0

typedef struct viz_dashboard {
    int unused;   /* the scene keeps no state: everything comes from the model */
} viz_dashboard;

/* One chart: up to three time-series columns (docs/output.md names them)
 * with their legend labels. */
typedef struct dash_chart {
    const char *title;
    const char *ylabel;
    const char *cols[3];
    const char *labels[3];
    gboolean zero_is_gap;   /* 0 means "no sample this interval" (latency percentiles) */
    gboolean per_partition; /* drawn by draw_kafka_lag instead (bars, not columns) */
} dash_chart;

static const dash_chart charts[] = {
    { "Messages per second", "messages / s",
      { "messages_per_s", "postgres_writes_per_s" }, { "sent", "PostgreSQL writes" } },
    { "End-to-end latency (send \u2192 WebSocket push)", "latency (ms)",
      { "e2e_p50_ms", "e2e_p99_ms" }, { "p50", "p99" }, TRUE },
    { "Kafka consumer lag per partition", "lag (messages)", { NULL }, { NULL }, FALSE, TRUE },
    { "Redis operations per second", "operations / s",
      { "redis_ops_per_s" }, { "ops/s" } },
    { "Presence keys in Redis", "keys",
      { "presence_keys", "connections", "presence_stale_keys" },
      { "presence:* keys", "gateway connections", "stale (past TTL, not yet removed)" } },
};

static size_t chart_columns(const dash_chart *c)
{
    size_t n = 0;
    while (n < G_N_ELEMENTS(c->cols) && c->cols[n]) n++;
    return n;
}

size_t viz_dashboard_columns(const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(charts); i++)
        for (size_t k = 0; k < chart_columns(&charts[i]); k++) {
            gboolean dup = FALSE;
            for (size_t j = 0; j < MIN(n, max); j++) dup |= !strcmp(out[j], charts[i].cols[k]);
            if (dup) continue;
            if (n < max) out[n] = charts[i].cols[k];
            n++;
        }
    return n;
}

static void *dashboard_init(viz_world *w) { (void)w; return g_new0(viz_dashboard, 1); }
static void dashboard_unload(void *p) { g_free(p); }
static void dashboard_reset(void *p, viz_world *w) { (void)p; (void)w; }
static void dashboard_update(void *p, viz_world *w, viz_frame *f) { (void)p; (void)w; (void)f; }

static void draw_connections(const slack_model *m, const viz_frame *f, cairo_t *cr, double x, double y, double w, double h)
{
    uint32_t g = slack_model_gateways(m);
    char **labels = g_new0(char *, g + 1);
    double *v = g_new0(double, g + 1);
    for (uint32_t i = 0; i < g; i++) {
        labels[i] = g_strdup_printf(slack_model_gateway_alive(m, i) ? "gw-%u" : "gw-%u \u2717", i);
        v[i] = (double)slack_model_gateway_connections(m, i);
    }
    viz_axes ax;
    viz_axes_init(&ax, "WebSocket connections per gateway (now)", NULL, "connections");
    viz_chart_bars(cr, &f->style, x, y, w, h, &ax, (const char *const *)labels, v, g, 0);
    g_strfreev(labels);
    g_free(v);
}

/* A partition's lag is the busiest-partition line split out: which
 * partition is behind (a hot channel hashes all its messages to one) and
 * whether lag is spread or concentrated. Beyond DASH_TOP_PARTITIONS the
 * busiest are shown, sorted, so each bar stays readable. */
#define DASH_TOP_PARTITIONS 16

typedef struct { uint32_t p; uint64_t lag; } part_lag;

static int part_lag_cmp(const void *a, const void *b)
{
    const part_lag *x = a, *y = b;
    if (x->lag != y->lag) return x->lag < y->lag ? 1 : -1;
    return x->p < y->p ? -1 : x->p > y->p;
}

static part_lag *lag_order(const slack_model *m, uint32_t *nbars);

static void draw_kafka_lag(const slack_model *m, const viz_frame *f, cairo_t *cr, double x, double y, double w, double h)
{
    uint32_t np = slack_model_partitions(m), n;
    part_lag *pl = lag_order(m, &n);
    char **labels = g_new0(char *, n + 1);
    double *v = g_new0(double, n + 1);
    for (uint32_t i = 0; i < n; i++) {
        labels[i] = g_strdup_printf("%u", pl[i].p);   /* bare numbers fit under narrow bars */
        v[i] = (double)pl[i].lag;
    }
    char *title = np > n ? g_strdup_printf("Kafka consumer lag by partition: busiest %u of %u (last interval)", n, np)
                         : g_strdup_printf("Kafka consumer lag by partition (last interval)");
    viz_axes ax;
    viz_axes_init(&ax, title, NULL, "lag (messages)");
    viz_chart_bars(cr, &f->style, x, y, w, h, &ax, (const char *const *)labels, v, n, 0);
    g_free(title);
    g_strfreev(labels);
    g_free(v);
    g_free(pl);
}

static void chart_rect(const viz_frame *f, size_t k, double r[4]);

static void dashboard_draw(const void *p, const viz_world *w, const viz_frame *f, cairo_t *cr)
{
    (void)p;
    const slack_model *m = viz_world_model_const(w);
    const sim_series *ts = slack_model_timeseries(m);
    double r[4];
    chart_rect(f, 0, r);
    draw_connections(m, f, cr, r[0], r[1], r[2], r[3]);
    for (size_t i = 0; i < G_N_ELEMENTS(charts); i++) {
        chart_rect(f, i + 1, r);
        double cx = r[0], cy = r[1], cw = r[2], ch = r[3];
        if (charts[i].per_partition) { draw_kafka_lag(m, f, cr, cx, cy, cw, ch); continue; }
        viz_axes ax;
        viz_axes_init(&ax, charts[i].title, "simulated time (s)", charts[i].ylabel);
        if (charts[i].zero_is_gap) ax.ymin = 0;
        viz_chart_series_gaps(cr, &f->style, cx, cy, cw, ch, &ax, ts, charts[i].cols, charts[i].labels,
                              chart_columns(&charts[i]), DASH_WINDOW_S, charts[i].zero_is_gap);
    }
}

static gboolean dashboard_key(void *p, viz_world *w, viz_frame *f, int key)
{
    (void)p; (void)w; (void)f; (void)key;
    return FALSE;
}

/* Which partition each lag bar shows: the busiest DASH_TOP_PARTITIONS,
 * sorted, as draw_kafka_lag orders them. Caller frees. */
static part_lag *lag_order(const slack_model *m, uint32_t *nbars)
{
    uint32_t np = slack_model_partitions(m);
    part_lag *pl = g_new0(part_lag, np + 1);
    for (uint32_t p = 0; p < np; p++) pl[p] = (part_lag){ p, slack_model_partition_lag(m, p) };
    if (np > DASH_TOP_PARTITIONS) qsort(pl, np, sizeof *pl, part_lag_cmp);
    *nbars = MIN(np, DASH_TOP_PARTITIONS);
    return pl;
}

/* Chart k (0 = connections, then charts[]) at its place in the 3 x 2 grid. */
static void chart_rect(const viz_frame *f, size_t k, double r[4])
{
    double gap = 12, x = f->x + gap, y = f->y + gap;
    double cw = (f->w - 4 * gap) / 3, ch = (f->h - 3 * gap) / 2;
    r[0] = x + (k % 3) * (cw + gap);
    r[1] = y + (k / 3) * (ch + gap);
    r[2] = cw;
    r[3] = ch;
}

/* A bar of the connections chart inspects its gateway, a bar of the lag
 * chart its partition, the Redis and presence charts Redis shard 0. */
static gboolean dashboard_click(void *p, viz_world *w, viz_frame *f, double x, double y)
{
    (void)p;
    const slack_model *m = viz_world_model_const(w);
    for (size_t k = 0; k <= G_N_ELEMENTS(charts); k++) {
        double r[4];
        chart_rect(f, k, r);
        if (x < r[0] || x > r[0] + r[2] || y < r[1] || y > r[1] + r[3]) continue;
        const dash_chart *c = k > 0 ? &charts[k - 1] : NULL;
        cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
        cairo_t *cr = cairo_create(surf);
        gboolean hit = FALSE;
        if (k == 0) {
            int i = viz_chart_bar_at(cr, &f->style, r[0], r[2], slack_model_gateways(m), x);
            if (i >= 0) { f->inspect = (viz_inspect_target){ VIZ_INSPECT_GATEWAY, (uint32_t)i }; hit = TRUE; }
        } else if (c->per_partition) {
            uint32_t n;
            part_lag *pl = lag_order(m, &n);
            int i = viz_chart_bar_at(cr, &f->style, r[0], r[2], n, x);
            if (i >= 0) { f->inspect = (viz_inspect_target){ VIZ_INSPECT_PARTITION, pl[i].p }; hit = TRUE; }
            g_free(pl);
        } else if (c->cols[0] && (g_str_has_prefix(c->cols[0], "redis") || g_str_has_prefix(c->cols[0], "presence"))
                   && slack_model_redis_shards(m) > 0) {
            f->inspect = (viz_inspect_target){ VIZ_INSPECT_REDIS, 0 };
            hit = TRUE;
        }
        cairo_destroy(cr);
        cairo_surface_destroy(surf);
        return hit;
    }
    return FALSE;
}

static char *dashboard_hover(const void *p, const viz_world *w, const viz_frame *f, double x, double y)
{
    (void)p; (void)x; (void)y; (void)f;
    const sim_series *ts = slack_model_timeseries(viz_world_model_const(w));
    size_t rows = ts ? sim_series_rows(ts) : 0;
    if (rows == 0) return g_strdup("the model writes one row per simulated interval:\nthe first appears after one interval");
    return g_strdup_printf("%zu intervals so far, latest at t = %.1f s", rows,
                           sim_time_to_sec(sim_series_time(ts, rows - 1)));
}

static const viz_key_help dashboard_keys[] = {
    { "+ / \u2212", "faster time fills the charts sooner" },
    { "click", "a gateway's or partition's bar, or the Redis charts: its inspector" },
    { NULL, NULL },
};

const viz_scene_ops viz_scene_dashboard = {
    .name = "dashboard", .title = "Dashboard",
    .init = dashboard_init, .unload = dashboard_unload, .reset = dashboard_reset,
    .update = dashboard_update, .draw = dashboard_draw, .key = dashboard_key,
    .click = dashboard_click, .hover = dashboard_hover, .keys = dashboard_keys,
    .speed = 10.0,
    /* A simulated minute: every chart has a line on the first frame. */
    .warmup_s = 60.0,
};
