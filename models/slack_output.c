/* slack_output: what a run reports: one time-series row per interval,
 * summary.json (docs/output.md lists every field) and the readable report,
 * gathered from the components' outputs (models/slack_internal.h), and the
 * SLO verdicts.
 *
 * Invariant: the summary depends only on the simulation (same seed, same
 * bytes) except its "run" object, which holds the wall-clock facts the
 * caller passes in. Per-interval figures are differences of cumulative
 * counters, so no interval is counted twice or lost. */
#include "models/slack_internal.h"

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

/* ================================================================ time series */

/* The model's own columns; components add theirs after (their `columns`). */
static const char *const series_columns[] = {
    "connections", "messages_per_s", "deliveries_per_s", "push_queued_per_s", "push_backlog",
    "kafka_lag_max", "redis_ops_per_s", "redis_util", "gateway_cpu_util_max", "postgres_util",
    "postgres_writes_per_s", "kafka_util_max", "fanout_util_max",
    "e2e_p50_ms", "e2e_p99_ms", "e2e_max_ms", "presence_stale_keys", "presence_keys",
};
enum { N_COLUMNS = G_N_ELEMENTS(series_columns), MAX_EXTRA_COLUMNS = 32 };

void slack_output_series_init(slack_model *m)
{
    const char *cols[N_COLUMNS + MAX_EXTRA_COLUMNS];
    size_t n = N_COLUMNS;
    memcpy(cols, series_columns, sizeof series_columns);
    for (size_t i = 0; i < m->n_components; i++)
        if (m->components[i]->columns) n += m->components[i]->columns(m, cols + n);
    g_assert(n <= G_N_ELEMENTS(cols));
    m->out.series = sim_series_new(cols, n);
}

static double redis_interval_util(slack_model *m, double dt)
{
    /* busy fraction since creation x elapsed, differenced like the stations */
    double a = redis_utilization(m->redis) * sim_time_to_sec(sim_now(m->ctx));
    double u = dt > 0 ? (a - m->redis_area_prev) / dt : 0;
    m->redis_area_prev = a;
    m->redis_util_iv_max = MAX(m->redis_util_iv_max, u);
    return u;
}

/* The interval is over: its counters start again, its peaks are kept. */
static void end_interval(slack_model *m, double dt, double pg_u, double wps)
{
    m->pg.util_max = MAX(m->pg.util_max, pg_u);
    m->pg.wps_peak = MAX(m->pg.wps_peak, wps);
    m->msg.per_s_peak = MAX(m->msg.per_s_peak, m->msg.iv_sent / dt);
    m->fan.deliveries_per_s_peak = MAX(m->fan.deliveries_per_s_peak, m->fan.iv_delivered / dt);
    m->push.per_s_peak = MAX(m->push.per_s_peak, m->push.iv_queued / dt);
    m->push.util_max = MAX(m->push.util_max, (double)(m->push.sent - m->push.iv_sent_prev) / dt / (m->cfg->push_rate_per_min / 60.0));
    m->push.iv_sent_prev = m->push.sent;
    sim_hist_merge(m->fan.h_e2e, m->fan.h_e2e_iv);
    sim_hist_reset(m->fan.h_e2e_iv);
    m->msg.iv_sent = m->fan.iv_delivered = m->push.iv_queued = m->pg.iv_done = 0;
    kafka_end_interval(m);
}

void slack_output_sample(slack_model *m)
{
    sim_time now = sim_now(m->ctx);
    double dt = sim_time_to_sec(now - m->out.iv_prev), v[N_COLUMNS + MAX_EXTRA_COLUMNS];
    if (dt <= 0) return;
    double pg_u = pg_take_interval_util(m, now, dt);
    double ku = kafka_take_interval_util(m, now, dt);
    double fu = fanout_take_interval_util(m, now, dt);
    double mps = m->msg.iv_sent / dt, dps = m->fan.iv_delivered / dt, wps = m->pg.iv_done / dt;
    const sim_hist *h = m->fan.h_e2e_iv;
    double row[N_COLUMNS] = {
        (double)gw_total_connections(m->gw), mps, dps, m->push.iv_queued / dt, (double)m->push.waiting,
        (double)m->kafka.lag_iv_max, redis_take_interval_rate(m->redis), redis_interval_util(m, dt),
        gw_take_interval_util_max(m->gw), pg_u, wps, ku, fu,
        sim_hist_percentile(h, 50) / 1e6, sim_hist_percentile(h, 99) / 1e6, sim_hist_max(h) / 1e6,
        (double)presence_stale_keys(m->pres), (double)presence_keys(m->pres),
    };
    memcpy(v, row, sizeof row);
    size_t n = N_COLUMNS;
    for (size_t i = 0; i < m->n_components; i++)
        if (m->components[i]->sample) n += m->components[i]->sample(m, v + n);
    sim_series_add(m->out.series, now, v);
    end_interval(m, dt, pg_u, wps);
    m->out.iv_prev = now;
}

const sim_series *slack_model_timeseries(const slack_model *m) { return m->out.series; }

/* ================================================================ latencies */

sim_hist *slack_model_latency_hist(const slack_model *m, slack_latency which)
{
    g_return_val_if_fail(which < SLACK_LATENCY_COUNT, NULL);
    if (which == SLACK_LATENCY_END_TO_END) return fanout_e2e_all(m);
    const sim_hist *src[SLACK_LATENCY_COUNT] = { NULL, m->pg.h_persist, m->kafka.h_kafka, m->fan.h_fanout, m->push.h_push };
    sim_hist *h = sim_hist_new();
    sim_hist_merge(h, src[which]);
    return h;
}

/* End to end, then each stage's own latency, in pipeline order. */
static cJSON *latency_json(const slack_model *m)
{
    cJSON *o = cJSON_CreateObject();
    sim_hist *e2e = fanout_e2e_all(m);
    cJSON_AddItemToObject(o, "end_to_end", sim_hist_to_json(e2e, 1e6));
    sim_hist_free(e2e);
    for (size_t i = 0; i < m->n_components; i++) {
        const slack_component *c = m->components[i];
        const sim_hist *h = c->latency ? c->latency(m) : NULL;
        if (h) cJSON_AddItemToObject(o, c->latency_name, sim_hist_to_json(h, 1e6));
    }
    return o;
}

/* ================================================================ verdicts */

typedef struct { const char *stage; double util; } stage_util;

size_t slack_model_loads(const slack_model *m, slack_stage_load *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n_components; i++) {
        const slack_component *c = m->components[i];
        slack_load l;
        if (!c->load || !c->load(m, &l)) continue;
        if (n < max) out[n] = (slack_stage_load){ c->name, l.utilization, l.offered };
        n++;
    }
    return n;
}

enum { MAX_STAGES = SLACK_MAX_COMPONENTS };

/* The stage with the highest load over every stage of the load table:
 * max(utilization, offered load). Above 1 the stage falls behind. */
static stage_util bottleneck(const slack_model *m)
{
    slack_stage_load l[MAX_STAGES];
    stage_util best = { "none", -1 };
    for (size_t i = 0, n = slack_model_loads(m, l, MAX_STAGES); i < n; i++)
        if (MAX(l[i].utilization, l[i].offered_load) > best.util)
            best = (stage_util){ l[i].stage, MAX(l[i].utilization, l[i].offered_load) };
    return best;
}

/* summary.json's "load": one entry per stage of the report's table. */
static cJSON *load_json(const slack_model *m)
{
    slack_stage_load l[MAX_STAGES];
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0, n = slack_model_loads(m, l, MAX_STAGES); i < n; i++) {
        cJSON *x = cJSON_AddObjectToObject(o, l[i].stage);
        cJSON_AddNumberToObject(x, "utilization", l[i].utilization);
        cJSON_AddNumberToObject(x, "offered_load", l[i].offered_load);
    }
    return o;
}

typedef struct { const char *name; double target, value; const char *unit; uint64_t count; } slo_check;

static int slo_checks(const slack_model *m, const sim_hist *e2e, slo_check out[3])
{
    const slack_cfg *c = m->cfg;
    out[0] = (slo_check){ "end_to_end_p99_ms", c->slo_e2e_p99_ms, sim_hist_percentile(e2e, 99) / 1e6, "ms", sim_hist_count(e2e) };
    out[1] = (slo_check){ "persist_p99_ms", c->slo_persist_p99_ms, sim_hist_percentile(m->pg.h_persist, 99) / 1e6, "ms",
                          sim_hist_count(m->pg.h_persist) };
    out[2] = (slo_check){ "push_p99_s", c->slo_push_p99_s, sim_hist_percentile(m->push.h_push, 99) / 1e9, "s",
                          sim_hist_count(m->push.h_push) };
    return 3;
}

/* No sample, no verdict against the target: an empty stage meets its SLO. */
static gboolean slo_met(const slo_check *c) { return c->count == 0 || c->value <= c->target; }

static cJSON *slo_summary(const slack_model *m)
{
    cJSON *o = cJSON_CreateObject();
    sim_hist *e2e = fanout_e2e_all(m);
    slo_check c[3];
    for (int i = 0, n = slo_checks(m, e2e, c); i < n; i++) {
        cJSON *x = cJSON_AddObjectToObject(o, c[i].name);
        cJSON_AddNumberToObject(x, "target", c[i].target);
        cJSON_AddNumberToObject(x, "value", c[i].value);
        cJSON_AddBoolToObject(x, "met", slo_met(&c[i]));
    }
    sim_hist_free(e2e);
    stage_util b = bottleneck(m);
    cJSON *bo = cJSON_AddObjectToObject(o, "bottleneck");
    cJSON_AddStringToObject(bo, "stage", b.stage);
    cJSON_AddNumberToObject(bo, "utilization", b.util);
    return o;
}

#define SD(p, f, u, d) { p, 0, 1e9, SIM_FIELD_DOUBLE, offsetof(slack_cfg, f), u, NULL, d }
static const sim_field slo_fields[] = {
    SD("end_to_end_p99_ms", slo_e2e_p99_ms, "ms", "500"),
    SD("push_p99_s", slo_push_p99_s, "s", "30"),
    SD("persist_p99_ms", slo_persist_p99_ms, "ms", "50"),
};
#undef SD

const slack_component slo_component = {
    .name = "slo", .fields = slo_fields, .n_fields = G_N_ELEMENTS(slo_fields),
    .config_offset = offsetof(slack_config, core), .summary = slo_summary,
};

/* ================================================================ summary */

static cJSON *run_json(const slack_model *m, const slack_run_info *run)
{
    cJSON *o = cJSON_CreateObject();
    double wall = run ? run->wall_seconds : 0;
    cJSON_AddNumberToObject(o, "wall_seconds", wall);
    cJSON_AddNumberToObject(o, "events_per_second", wall > 0 ? (double)sim_events_executed(m->ctx) / wall : 0);
    cJSON_AddNumberToObject(o, "peak_rss_mib", run ? run->peak_rss_mib : 0);
    return o;
}

/* The order of summary.json's sections, as docs/output.md lists them. A
 * component whose section is not named here still reports: its section
 * comes after these, before "slo". */
static const char *const summary_layout[] = {
    "workload", "messages", "fanout", "latency_ms", "gateways", "delivery", "postgres", "kafka", "redis", "presence",
    "push", "search", "files", "load",
};

static gboolean in_layout(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(summary_layout); i++)
        if (strcmp(summary_layout[i], name) == 0) return TRUE;
    return FALSE;
}

static void add_section(const slack_model *m, cJSON *o, const char *name)
{
    if (strcmp(name, "latency_ms") == 0) { cJSON_AddItemToObject(o, name, latency_json(m)); return; }
    if (strcmp(name, "load") == 0) { cJSON_AddItemToObject(o, name, load_json(m)); return; }
    for (size_t i = 0; i < m->n_components; i++)
        if (m->components[i]->summary && strcmp(m->components[i]->name, name) == 0)
            cJSON_AddItemToObject(o, name, m->components[i]->summary(m));
}

cJSON *slack_model_summary(const slack_model *m, const slack_run_info *run)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "scenario", m->name);
    cJSON_AddNumberToObject(o, "seed", (double)m->seed);
    cJSON *sim = cJSON_AddObjectToObject(o, "sim");
    cJSON_AddNumberToObject(sim, "seconds", sim_time_to_sec(m->duration));
    cJSON_AddNumberToObject(sim, "drain_seconds", sim_time_to_sec(m->drained));
    cJSON_AddNumberToObject(sim, "events", (double)sim_events_executed(m->ctx));
    cJSON_AddItemToObject(o, "run", run_json(m, run));
    for (size_t i = 0; i < G_N_ELEMENTS(summary_layout); i++) add_section(m, o, summary_layout[i]);
    for (size_t i = 0; i < m->n_components; i++) {
        const slack_component *c = m->components[i];
        if (c->summary && c != &slo_component && !in_layout(c->name)) add_section(m, o, c->name);
    }
    add_section(m, o, "slo");
    return o;
}

/* ================================================================ report */

static void report_latency(GString *s, const char *name, const sim_hist *h, double unit, const char *u)
{
    if (!sim_hist_count(h)) { g_string_append_printf(s, "  %-11s (none)\n", name); return; }
    g_string_append_printf(s, "  %-11s p50 %9.3f  p99 %9.3f  p99.9 %9.3f  max %9.3f %s  (n=%" G_GUINT64_FORMAT ")\n", name,
                           sim_hist_percentile(h, 50) / unit, sim_hist_percentile(h, 99) / unit,
                           sim_hist_percentile(h, 99.9) / unit, sim_hist_max(h) / unit, u, sim_hist_count(h));
}

static void report_flow(GString *s, const slack_model *m)
{
    uint32_t ws = wl_workspaces(m->wl), ch = wl_channels(m->wl);
    g_string_append_printf(s, "Workload: %u users (%" G_GUINT64_FORMAT " connected at start) in %u %s, %u %s "
                           "(largest %u members), %.1f members per message on average\n",
                           wl_users(m->wl), slack_cfg_online_users(m->cfg), ws, ws == 1 ? "workspace" : "workspaces",
                           ch, ch == 1 ? "channel" : "channels", wl_channel_max_size(m->wl),
                           wl_mean_channel_size_by_activity(m->wl));
    g_string_append_printf(s, "Messages: %" G_GUINT64_FORMAT " sent (peak %.1f/s), %" G_GUINT64_FORMAT " persisted, %"
                           G_GUINT64_FORMAT " dropped, %" G_GUINT64_FORMAT " still in flight, %" G_GUINT64_FORMAT " thread replies\n",
                           m->msg.sent, m->msg.per_s_peak, m->pg.persisted, m->pg.dropped, m->msg.in_flight, m->msg.thread_replies);
    g_string_append_printf(s, "Fan-out:  %" G_GUINT64_FORMAT " WebSocket pushes (peak %.0f/s), %" G_GUINT64_FORMAT
                           " offline recipients -> %" G_GUINT64_FORMAT " push notifications (push.notify_fraction %g), %"
                           G_GUINT64_FORMAT " lost to crashed clients\n", m->fan.online, m->fan.deliveries_per_s_peak,
                           m->push.queued, m->push.notifications, m->cfg->push_notify_fraction, m->fan.lost);
}

static void report_latencies(GString *s, const slack_model *m)
{
    sim_hist *e2e = fanout_e2e_all(m);
    g_string_append_printf(s, "Latency (end-to-end includes 2 x %.0f ms of client network, network.client_one_way_s):\n",
                           1e3 * m->cfg->client_one_way_s);
    report_latency(s, "end-to-end", e2e, 1e6, "ms");
    for (size_t i = 0; i < m->n_components; i++) {
        const slack_component *c = m->components[i];
        const sim_hist *h = c->latency ? c->latency(m) : NULL;
        if (h) report_latency(s, c->latency_label, h, c->latency_unit, c->latency_unit_name);
    }
    slo_check c[3];
    g_string_append(s, "SLOs:\n");
    for (int i = 0, n = slo_checks(m, e2e, c); i < n; i++)
        g_string_append_printf(s, "  %-18s %-4s  %.3f %s (target <= %g %s)%s\n", c[i].name,
                               slo_met(&c[i]) ? "MET" : "MISS", c[i].value, c[i].unit, c[i].target, c[i].unit,
                               c[i].count ? "" : " [no samples]");
    sim_hist_free(e2e);
}

static void report_load(GString *s, const slack_model *m)
{
    slack_stage_load l[MAX_STAGES];
    g_string_append(s, "Load (utilization: busiest instance, worst interval; offered: demand / capacity over the run):\n");
    for (size_t i = 0, n = slack_model_loads(m, l, MAX_STAGES); i < n; i++)
        g_string_append_printf(s, "  %-9s %6.1f%% utilization  %6.1f%% offered\n", l[i].stage, 100 * l[i].utilization,
                               100 * l[i].offered_load);
    stage_util b = bottleneck(m);
    /* Below half load no stage limits the system: name it "highest load"
     * so a student does not read 3% as a bottleneck. */
    g_string_append_printf(s, "%s: %s (%.1f%%)%s\n", b.util >= 0.5 ? "Bottleneck" : "Highest load", b.stage, 100 * b.util,
                           b.util > 1.001 ? "  OVERLOADED (offered more than it can serve)"
                           : b.util >= 0.999 ? "  SATURATED (busy a whole interval)"
                           : b.util < 0.5 ? "  (no stage near saturation)" : "");
}

/* One line across the stages a planner sizes together. */
static void report_fleet(GString *s, const slack_model *m)
{
    uint32_t worst = 0;   /* the partition that fell furthest behind (first of equals) */
    for (uint32_t p = 1; p < m->kafka.partitions; p++) if (m->kafka.lag_max_by_p[p] > m->kafka.lag_max_by_p[worst]) worst = p;
    g_string_append_printf(s, "Gateways: %u x %u cores, peak %" G_GUINT64_FORMAT " connections (max %" G_GUINT64_FORMAT
                           " on one), Kafka lag max %" G_GUINT64_FORMAT " message%s (partition %u of %u), Redis peak %.0f ops/s, "
                           "PostgreSQL peak %.0f writes/s\n",
                           gw_count(m->gw), gw_cores(m->gw), gw_connections_peak(m->gw), gw_connections_max_per_gateway(m->gw),
                           m->kafka.lag_max_by_p[worst], m->kafka.lag_max_by_p[worst] == 1 ? "" : "s", worst, m->kafka.partitions,
                           redis_ops_per_sec_peak(m->redis), m->pg.wps_peak);
}

char *slack_model_report(const slack_model *m, const slack_run_info *run)
{
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "slacksim run: %s  seed %" G_GUINT64_FORMAT "  simulated %.0f s (+%.1f s drain), %"
                           G_GUINT64_FORMAT " events\n", m->name, m->seed, sim_time_to_sec(m->duration),
                           sim_time_to_sec(m->drained), sim_events_executed(m->ctx));
    report_flow(s, m);
    report_latencies(s, m);
    report_load(s, m);
    report_fleet(s, m);
    for (size_t i = 0; i < m->n_components; i++)
        if (m->components[i]->report) m->components[i]->report(m, s);
    if (run && run->wall_seconds > 0)
        g_string_append_printf(s, "Run: %.2f s wall, %.0f events/s, peak RSS %.0f MiB\n", run->wall_seconds,
                               (double)sim_events_executed(m->ctx) / run->wall_seconds, run->peak_rss_mib);
    return g_string_free(s, FALSE);
}
