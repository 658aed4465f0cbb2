/* slack_output: what a run reports: one time-series row per interval,
 * summary.json (docs/output.md lists every field) and the readable report.
 *
 * Invariant: the summary depends only on the simulation (same seed, same
 * bytes) except its "run" object, which holds the wall-clock facts the
 * caller passes in. Per-interval figures are differences of cumulative
 * counters, so no interval is counted twice or lost. */
#include "models/slack_internal.h"

#include <math.h>
#include <string.h>

static const char *const series_columns[] = {
    "connections", "messages_per_s", "deliveries_per_s", "push_queued_per_s", "push_backlog",
    "kafka_lag_max", "redis_ops_per_s", "redis_util", "gateway_cpu_util_max", "postgres_util",
    "postgres_writes_per_s", "kafka_util_max", "fanout_util_max",
    "e2e_p50_ms", "e2e_p99_ms", "e2e_max_ms", "presence_stale_keys", "presence_keys",
};
enum { N_COLUMNS = G_N_ELEMENTS(series_columns) };

void slack_output_series_init(slack_model *m)
{
    const char *cols[N_COLUMNS + SLACK_WORLD_COLUMNS];
    memcpy(cols, series_columns, sizeof series_columns);
    m->series = sim_series_new(cols, N_COLUMNS + slack_world_columns(m, cols + N_COLUMNS));
}

/* Busy-server integral of a station since creation, in server-fraction x s. */
static double station_area(const sim_station *st, sim_time now)
{
    return sim_station_utilization(st) * sim_time_to_sec(now);
}

static double interval_util(const sim_station *st, double *prev, sim_time now, double dt)
{
    double a = station_area(st, now), u = dt > 0 ? (a - *prev) / dt : 0;
    *prev = a;
    return u;
}

static void sample_partitions(slack_model *m, sim_time now, double dt, double *kafka_u, double *fanout_u)
{
    *kafka_u = *fanout_u = 0;
    for (uint32_t p = 0; p < m->partitions; p++) {
        sim_time done = m->kafka_booked[p] - MAX(0, m->kafka_free_at[p] - now);
        *kafka_u = MAX(*kafka_u, (double)(done - m->kafka_done_prev[p]) / 1e9 / dt);
        m->kafka_done_prev[p] = done;
        double fu = interval_util(m->fanout[p], &m->fanout_area_prev[p], now, dt);  /* once: it updates prev */
        *fanout_u = MAX(*fanout_u, fu);
    }
    m->kafka_util_max = MAX(m->kafka_util_max, *kafka_u);
    m->fanout_util_max = MAX(m->fanout_util_max, *fanout_u);
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

void slack_output_sample(slack_model *m)
{
    sim_time now = sim_now(m->ctx);
    double dt = sim_time_to_sec(now - m->iv_prev), v[N_COLUMNS + SLACK_WORLD_COLUMNS], ku, fu;
    if (dt <= 0) return;
    double pg_u = interval_util(m->pg, &m->pg_area_prev, now, dt);
    sample_partitions(m, now, dt, &ku, &fu);
    double mps = m->iv_sent / dt, dps = m->iv_delivered / dt, wps = m->iv_pg_done / dt;
    const sim_hist *h = m->h_e2e_iv;
    double row[N_COLUMNS] = {
        (double)gw_total_connections(m->gw), mps, dps, m->iv_push / dt, (double)m->push_waiting,
        (double)m->lag_iv_max, redis_take_interval_rate(m->redis), redis_interval_util(m, dt),
        gw_take_interval_util_max(m->gw), pg_u, wps, ku, fu,
        sim_hist_percentile(h, 50) / 1e6, sim_hist_percentile(h, 99) / 1e6, sim_hist_max(h) / 1e6,
        (double)presence_stale_keys(m->pres), (double)presence_keys(m->pres),
    };
    memcpy(v, row, sizeof row);
    slack_world_sample(m, v + N_COLUMNS);
    sim_series_add(m->series, now, v);
    m->pg_util_max = MAX(m->pg_util_max, pg_u);
    m->pg_wps_peak = MAX(m->pg_wps_peak, wps);
    m->msgs_per_s_peak = MAX(m->msgs_per_s_peak, mps);
    m->deliveries_per_s_peak = MAX(m->deliveries_per_s_peak, dps);
    m->push_per_s_peak = MAX(m->push_per_s_peak, m->iv_push / dt);
    m->lag_max = MAX(m->lag_max, m->lag_iv_max);
    sim_hist_merge(m->h_e2e, m->h_e2e_iv);
    sim_hist_reset(m->h_e2e_iv);
    m->iv_sent = m->iv_delivered = m->iv_push = m->iv_pg_done = m->lag_iv_max = 0;
    /* this interval's per-partition maxima become the last row's */
    memcpy(m->lag_iv_by_partition + m->partitions, m->lag_iv_by_partition, m->partitions * sizeof(uint64_t));
    memset(m->lag_iv_by_partition, 0, m->partitions * sizeof(uint64_t));
    m->iv_prev = now;
}

const sim_series *slack_model_timeseries(const slack_model *m) { return m->series; }

uint32_t slack_model_partitions(const slack_model *m) { return m->partitions; }

uint64_t slack_model_partition_lag_now(const slack_model *m, uint32_t p)
{
    g_return_val_if_fail(p < m->partitions, 0);
    return sim_station_in_queue(m->fanout[p]) + sim_station_in_service(m->fanout[p]);
}

uint64_t slack_model_partition_lag(const slack_model *m, uint32_t p)
{
    g_return_val_if_fail(p < m->partitions, 0);
    return m->lag_iv_by_partition[m->partitions + p];
}

uint64_t slack_model_partition_lag_max(const slack_model *m, uint32_t p)
{
    g_return_val_if_fail(p < m->partitions, 0);
    return m->lag_by_partition[p];
}

/* ------------------------------------------------------------------ summary */

/* End-to-end over the whole run: the merged intervals plus deliveries after
 * the last row (the drain). Caller frees. */
static sim_hist *e2e_all(const slack_model *m)
{
    sim_hist *h = sim_hist_new();
    sim_hist_merge(h, m->h_e2e);
    sim_hist_merge(h, m->h_e2e_iv);
    return h;
}

sim_hist *slack_model_latency_hist(const slack_model *m, slack_latency which)
{
    const sim_hist *src[SLACK_LATENCY_COUNT] = { NULL, m->h_persist, m->h_kafka, m->h_fanout, m->h_push };
    g_return_val_if_fail(which < SLACK_LATENCY_COUNT, NULL);
    if (which == SLACK_LATENCY_END_TO_END) return e2e_all(m);
    sim_hist *h = sim_hist_new();
    sim_hist_merge(h, src[which]);
    return h;
}

static cJSON *latency_json(const slack_model *m)
{
    cJSON *o = cJSON_CreateObject();
    sim_hist *e2e = e2e_all(m);
    cJSON_AddItemToObject(o, "end_to_end", sim_hist_to_json(e2e, 1e6));
    cJSON_AddItemToObject(o, "persist", sim_hist_to_json(m->h_persist, 1e6));
    cJSON_AddItemToObject(o, "kafka", sim_hist_to_json(m->h_kafka, 1e6));
    cJSON_AddItemToObject(o, "fanout", sim_hist_to_json(m->h_fanout, 1e6));
    cJSON_AddItemToObject(o, "push", sim_hist_to_json(m->h_push, 1e6));
    sim_hist_free(e2e);
    return o;
}

static cJSON *workload_json(const slack_model *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "users", wl_users(m->wl));
    cJSON_AddNumberToObject(o, "connected_at_start", (double)slack_cfg_online_users(&m->cfg));
    cJSON_AddNumberToObject(o, "workspaces", wl_workspaces(m->wl));
    cJSON_AddNumberToObject(o, "channels", wl_channels(m->wl));
    cJSON_AddNumberToObject(o, "memberships", (double)wl_memberships(m->wl));
    cJSON_AddNumberToObject(o, "largest_channel", wl_channel_max_size(m->wl));
    cJSON_AddNumberToObject(o, "members_per_message_mean", wl_mean_channel_size_by_activity(m->wl));
    cJSON_AddNumberToObject(o, "rate_per_sec_base", m->base_rate);
    return o;
}

static cJSON *messages_json(const slack_model *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "sent", (double)m->sent);
    cJSON_AddNumberToObject(o, "persisted", (double)m->persisted);
    cJSON_AddNumberToObject(o, "delivered_online", (double)m->delivered_online);
    cJSON_AddNumberToObject(o, "push_offline", (double)m->push_offline);
    cJSON_AddNumberToObject(o, "dropped", (double)m->dropped);
    cJSON_AddNumberToObject(o, "in_flight", (double)m->in_flight);
    cJSON_AddNumberToObject(o, "thread_replies", (double)m->thread_replies);
    cJSON_AddNumberToObject(o, "lost_to_crashed_clients", (double)m->lost_crashed);
    cJSON_AddNumberToObject(o, "no_online_sender", (double)m->no_sender);
    cJSON_AddNumberToObject(o, "per_sec_peak", m->msgs_per_s_peak);
    return o;
}

static cJSON *fanout_json(const slack_model *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "messages", (double)m->fanned_out);
    cJSON_AddNumberToObject(o, "recipients_online", (double)m->recipients_online);
    cJSON_AddNumberToObject(o, "recipients_offline", (double)m->recipients_offline);
    cJSON_AddNumberToObject(o, "recipients_lost", (double)m->lost_crashed);
    cJSON_AddNumberToObject(o, "deliveries_per_sec_peak", m->deliveries_per_s_peak);
    cJSON_AddNumberToObject(o, "consumer_util_max", m->fanout_util_max);
    cJSON_AddNumberToObject(o, "redis_ops", (double)m->redis_fanout_ops);
    return o;
}

static cJSON *gateways_json(const slack_model *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "count", gw_count(m->gw));
    cJSON_AddNumberToObject(o, "cores", gw_cores(m->gw));
    cJSON_AddNumberToObject(o, "connections_peak", (double)gw_connections_peak(m->gw));
    cJSON_AddNumberToObject(o, "connections_per_gateway_max", (double)gw_connections_max_per_gateway(m->gw));
    cJSON_AddNumberToObject(o, "memory_gib_per_gateway_max",
                            (double)gw_connections_max_per_gateway(m->gw) * m->cfg.gw_memory_per_connection_kib / 1048576.0);
    cJSON_AddNumberToObject(o, "cpu_util_max", gw_util_max(m->gw));
    cJSON_AddNumberToObject(o, "offered_load_max", gw_offered_max(m->gw));
    cJSON_AddNumberToObject(o, "cpu_util_mean", gw_util_mean(m->gw));
    cJSON_AddNumberToObject(o, "pushes", (double)gw_pushes(m->gw));
    cJSON_AddNumberToObject(o, "batches", (double)gw_batches(m->gw));
    return o;
}

static cJSON *postgres_json(const slack_model *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "writers", (double)m->cfg.pg_writers);
    cJSON_AddNumberToObject(o, "writes_per_sec_peak", m->pg_wps_peak);
    cJSON_AddNumberToObject(o, "util_max", m->pg_util_max);
    cJSON_AddItemToObject(o, "station", sim_station_to_json(m->pg));
    return o;
}

static cJSON *kafka_json(const slack_model *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "partitions", m->partitions);
    cJSON_AddNumberToObject(o, "consumer_lag_max", (double)MAX(m->lag_max, m->lag_iv_max));
    cJSON *per = cJSON_AddArrayToObject(o, "consumer_lag_max_by_partition");
    for (uint32_t p = 0; p < m->partitions; p++) cJSON_AddItemToArray(per, cJSON_CreateNumber((double)m->lag_by_partition[p]));
    cJSON_AddNumberToObject(o, "append_util_max", m->kafka_util_max);
    cJSON_AddNumberToObject(o, "consumer_util_max", m->fanout_util_max);
    return o;
}

/* Mean notifications offered per second over the run / the quota. */
static double push_offered(const slack_model *m)
{
    double secs = sim_time_to_sec(m->duration);
    return secs > 0 ? m->push_offline * m->cfg.push_notify_fraction / secs / MAX(1e-9, m->cfg.push_rate_per_min / 60.0) : 0;
}

static cJSON *push_json(const slack_model *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "queued", (double)m->push_offline);
    cJSON_AddNumberToObject(o, "sent", (double)m->push_sent);
    cJSON_AddNumberToObject(o, "retries_429", (double)m->push_429);
    cJSON_AddNumberToObject(o, "backlog", (double)m->push_waiting);
    cJSON_AddNumberToObject(o, "limit_per_sec", m->cfg.push_rate_per_min / 60.0);
    cJSON_AddNumberToObject(o, "queued_per_sec_peak", m->push_per_s_peak);
    cJSON_AddNumberToObject(o, "offered_load", push_offered(m));
    return o;
}

/* ------------------------------------------------------------------ verdicts */

typedef struct { const char *stage; double util; } stage_util;

/* Each stage's load: the worst interval's utilization, or the offered load
 * where a stage can be offered more than it serves (gateways: worst
 * interval; Redis and push: whole run). Above 1 the stage falls behind. */
static void stage_utils(const slack_model *m, stage_util out[6])
{
    double push_load = push_offered(m);
    stage_util s[6] = {
        { "gateways", MAX(gw_util_max(m->gw), gw_offered_max(m->gw)) }, { "postgres", m->pg_util_max },
        { "kafka", m->kafka_util_max }, { "fanout", m->fanout_util_max },
        { "redis", MAX(m->redis_util_iv_max, redis_offered_load(m->redis)) }, { "push", push_load },
    };
    memcpy(out, s, sizeof s);
}

static stage_util bottleneck(const slack_model *m)
{
    stage_util s[6], best = { "none", -1 };
    stage_utils(m, s);
    for (int i = 0; i < 6; i++) if (s[i].util > best.util) best = s[i];
    return best;
}

typedef struct { const char *name; double target, value; const char *unit; } slo_check;

static int slo_checks(const slack_model *m, const sim_hist *e2e, slo_check out[3])
{
    out[0] = (slo_check){ "end_to_end_p99_ms", m->cfg.slo_e2e_p99_ms, sim_hist_percentile(e2e, 99) / 1e6, "ms" };
    out[1] = (slo_check){ "persist_p99_ms", m->cfg.slo_persist_p99_ms, sim_hist_percentile(m->h_persist, 99) / 1e6, "ms" };
    out[2] = (slo_check){ "push_p99_s", m->cfg.slo_push_p99_s, sim_hist_percentile(m->h_push, 99) / 1e9, "s" };
    return 3;
}

static gboolean slo_met(const slo_check *c, uint64_t count) { return count == 0 || c->value <= c->target; }

static cJSON *slo_json(const slack_model *m)
{
    cJSON *o = cJSON_CreateObject();
    sim_hist *e2e = e2e_all(m);
    slo_check c[3];
    uint64_t counts[3] = { sim_hist_count(e2e), sim_hist_count(m->h_persist), sim_hist_count(m->h_push) };
    for (int i = 0, n = slo_checks(m, e2e, c); i < n; i++) {
        cJSON *x = cJSON_AddObjectToObject(o, c[i].name);
        cJSON_AddNumberToObject(x, "target", c[i].target);
        cJSON_AddNumberToObject(x, "value", c[i].value);
        cJSON_AddBoolToObject(x, "met", slo_met(&c[i], counts[i]));
    }
    sim_hist_free(e2e);
    stage_util b = bottleneck(m);
    cJSON *bo = cJSON_AddObjectToObject(o, "bottleneck");
    cJSON_AddStringToObject(bo, "stage", b.stage);
    cJSON_AddNumberToObject(bo, "utilization", b.util);
    return o;
}

static cJSON *run_json(const slack_model *m, const slack_run_info *run)
{
    cJSON *o = cJSON_CreateObject();
    double wall = run ? run->wall_seconds : 0;
    cJSON_AddNumberToObject(o, "wall_seconds", wall);
    cJSON_AddNumberToObject(o, "events_per_second", wall > 0 ? (double)sim_events_executed(m->ctx) / wall : 0);
    cJSON_AddNumberToObject(o, "peak_rss_mib", run ? run->peak_rss_mib : 0);
    return o;
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
    cJSON_AddItemToObject(o, "workload", workload_json(m));
    cJSON_AddItemToObject(o, "messages", messages_json(m));
    cJSON_AddItemToObject(o, "fanout", fanout_json(m));
    cJSON_AddItemToObject(o, "latency_ms", latency_json(m));
    cJSON_AddItemToObject(o, "gateways", gateways_json(m));
    cJSON_AddItemToObject(o, "postgres", postgres_json(m));
    cJSON_AddItemToObject(o, "kafka", kafka_json(m));
    cJSON *redis = redis_summary_json(m->redis);
    cJSON_AddItemToObject(o, "redis", redis);
    cJSON_AddItemToObject(o, "presence", presence_summary_json(m->pres));
    cJSON_AddItemToObject(o, "push", push_json(m));
    slack_world_summary(m, o);
    cJSON_AddItemToObject(o, "slo", slo_json(m));
    return o;
}

/* ------------------------------------------------------------------ report */

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
                           wl_users(m->wl), slack_cfg_online_users(&m->cfg), ws, ws == 1 ? "workspace" : "workspaces",
                           ch, ch == 1 ? "channel" : "channels", wl_channel_max_size(m->wl),
                           wl_mean_channel_size_by_activity(m->wl));
    g_string_append_printf(s, "Messages: %" G_GUINT64_FORMAT " sent (peak %.1f/s), %" G_GUINT64_FORMAT " persisted, %"
                           G_GUINT64_FORMAT " dropped, %" G_GUINT64_FORMAT " still in flight, %" G_GUINT64_FORMAT " thread replies\n",
                           m->sent, m->msgs_per_s_peak, m->persisted, m->dropped, m->in_flight, m->thread_replies);
    g_string_append_printf(s, "Fan-out:  %" G_GUINT64_FORMAT " WebSocket pushes (peak %.0f/s), %" G_GUINT64_FORMAT
                           " offline -> push notifications, %" G_GUINT64_FORMAT " lost to crashed clients\n",
                           m->delivered_online, m->deliveries_per_s_peak, m->push_offline, m->lost_crashed);
}

static void report_latencies(GString *s, const slack_model *m)
{
    sim_hist *e2e = e2e_all(m);
    g_string_append_printf(s, "Latency (end-to-end includes 2 x %.0f ms of client network, network.client_one_way_s):\n",
                           1e3 * m->cfg.client_one_way_s);
    report_latency(s, "end-to-end", e2e, 1e6, "ms");
    report_latency(s, "persist", m->h_persist, 1e6, "ms");
    report_latency(s, "kafka", m->h_kafka, 1e6, "ms");
    report_latency(s, "fan-out", m->h_fanout, 1e6, "ms");
    report_latency(s, "push", m->h_push, 1e9, "s");
    slo_check c[3];
    uint64_t counts[3] = { sim_hist_count(e2e), sim_hist_count(m->h_persist), sim_hist_count(m->h_push) };
    g_string_append(s, "SLOs:\n");
    for (int i = 0, n = slo_checks(m, e2e, c); i < n; i++)
        g_string_append_printf(s, "  %-18s %-4s  %.3f %s (target <= %g %s)%s\n", c[i].name,
                               slo_met(&c[i], counts[i]) ? "MET" : "MISS", c[i].value, c[i].unit, c[i].target, c[i].unit,
                               counts[i] ? "" : " [no samples]");
    sim_hist_free(e2e);
}

/* Crash detection delay beside the counts, so a student need not open
 * summary.json to see it land in [TTL - heartbeat, TTL] plus the slack. */
static void report_presence(GString *s, const slack_model *m)
{
    const sim_hist *d = presence_detect_hist(m->pres);
    g_string_append_printf(s, "Presence: %" G_GUINT64_FORMAT " heartbeats, %" G_GUINT64_FORMAT " crashes, %" G_GUINT64_FORMAT " detected",
                           presence_heartbeats(m->pres), presence_crashes(m->pres), presence_detected(m->pres));
    if (sim_hist_count(d))
        g_string_append_printf(s, ", detection delay p50 %.1f s, p99 %.1f s, max %.1f s", sim_hist_percentile(d, 50) / 1e9,
                               sim_hist_percentile(d, 99) / 1e9, sim_hist_max(d) / 1e9);
    g_string_append_c(s, '\n');
}

static void report_stations(GString *s, const slack_model *m)
{
    stage_util u[6];
    stage_utils(m, u);
    g_string_append(s, "Load (utilization of the worst interval; offered load where higher):\n");
    for (int i = 0; i < 6; i++) g_string_append_printf(s, "  %-9s %6.1f%%\n", u[i].stage, 100 * u[i].util);
    stage_util b = bottleneck(m);
    /* Below half load no stage limits the system: name it "highest load"
     * so a student does not read 3% as a bottleneck. */
    g_string_append_printf(s, "%s: %s (%.1f%%)%s\n", b.util >= 0.5 ? "Bottleneck" : "Highest load", b.stage, 100 * b.util,
                           b.util > 1.001 ? "  OVERLOADED (offered more than it can serve)"
                           : b.util >= 0.999 ? "  SATURATED (busy a whole interval)"
                           : b.util < 0.5 ? "  (no stage near saturation)" : "");
    uint32_t worst = 0;   /* the partition that fell furthest behind (first of equals) */
    for (uint32_t p = 1; p < m->partitions; p++) if (m->lag_by_partition[p] > m->lag_by_partition[worst]) worst = p;
    g_string_append_printf(s, "Gateways: %u x %u cores, peak %" G_GUINT64_FORMAT " connections (max %" G_GUINT64_FORMAT
                           " on one), Kafka lag max %" G_GUINT64_FORMAT " message%s (partition %u of %u), Redis peak %.0f ops/s, "
                           "PostgreSQL peak %.0f writes/s\n",
                           gw_count(m->gw), gw_cores(m->gw), gw_connections_peak(m->gw), gw_connections_max_per_gateway(m->gw),
                           m->lag_by_partition[worst], m->lag_by_partition[worst] == 1 ? "" : "s", worst, m->partitions, redis_ops_per_sec_peak(m->redis), m->pg_wps_peak);
    report_presence(s, m);
    g_string_append_printf(s, "Push: %" G_GUINT64_FORMAT " sent, %" G_GUINT64_FORMAT " retried after HTTP 429 (quota), %" G_GUINT64_FORMAT " waiting at the end\n",
                           m->push_sent, m->push_429, m->push_waiting);
}

char *slack_model_report(const slack_model *m, const slack_run_info *run)
{
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "slacksim run: %s  seed %" G_GUINT64_FORMAT "  simulated %.0f s (+%.1f s drain), %"
                           G_GUINT64_FORMAT " events\n", m->name, m->seed, sim_time_to_sec(m->duration),
                           sim_time_to_sec(m->drained), sim_events_executed(m->ctx));
    report_flow(s, m);
    report_latencies(s, m);
    report_stations(s, m);
    slack_world_report(m, s);
    if (run && run->wall_seconds > 0)
        g_string_append_printf(s, "Run: %.2f s wall, %.0f events/s, peak RSS %.0f MiB\n", run->wall_seconds,
                               (double)sim_events_executed(m->ctx) / run->wall_seconds, run->peak_rss_mib);
    return g_string_free(s, FALSE);
}
