/* postgres: the PostgreSQL writer pool the message service writes to: c
 * writers sharing one FIFO queue (an M/G/c/K station when queue_limit > 0),
 * so Erlang-C gives its wait when service times are exponential.
 *
 * With postgres.iops > 0 the database has an I/O device of that many I/Os
 * per second, served in order, which message writes and file blobs
 * (files.storage "postgres", files.c) share: a write's commit waits, after
 * its service time, for its postgres.ios_per_write I/Os, queued behind
 * whatever blob pages were issued before it. That is the seed's "blobs in
 * the database waste IOPS" as a mechanism. The device is a virtual-time
 * FIFO (done = max(now, free) + ios / iops), so it costs one event per
 * write; with iops 0 (the default) it does not exist and nothing changes.
 *
 * Invariant: every write submitted is either committed (message.c's
 * msg_persisted, which publishes it in id order) or refused at arrival
 * (msg_dropped); the pool itself knows nothing of messages. Commits leave
 * the device in the order they entered it. */
#include "models/slack_internal.h"

#include <float.h>
#include <stddef.h>

/* ================================================================ API implementation */

/* The pool's utilization since the previous row (call once per row). */
double pg_take_interval_util(slack_model *m, sim_time now, double dt)
{
    return slack_interval_util(m->pg.pool, &m->pg.area_prev, now, dt);
}

sim_time pg_io(slack_model *m, double ios, pg_io_source source)
{
    sim_time now = sim_now(m->ctx);
    if (m->cfg->pg_iops <= 0 || ios <= 0) return now;
    double s = ios / m->cfg->pg_iops;
    m->pg.disk_free = MAX(m->pg.disk_free, now) + MAX((sim_time)1, sim_time_from_sec(s));
    m->pg.disk_busy_s += s;
    m->pg.ios[source] += ios;
    return m->pg.disk_free;
}

/* A commit waiting for the device: the write's slot and its pool arrival. */
typedef struct { uint64_t job; sim_time arrived, started; } pg_commit;

static void commit_ev(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    slack_model *m = data;
    pg_commit *c = g_queue_pop_head(m->pg.committing);
    pg_commit done = *c;
    g_free(c);
    msg_persisted(ctx, m, done.job, done.arrived, done.started);
}

/* The pool's done callback with a device: the write's I/Os, then its
 * commit. The device is FIFO and its completion times never decrease, so
 * the commit events pop the queue in order. */
static void pg_write_done(sim_ctx *ctx, void *user, uint64_t job, sim_time arrived, sim_time started)
{
    slack_model *m = user;
    /* a presence UPDATE on the shared writers (presence.store db_rows)
     * writes its row like a message commit: the same I/Os, counted apart */
    sim_time done = pg_io(m, m->cfg->pg_ios_per_write, (job & PRESENCE_DB_JOB) ? PG_IO_PRESENCE : PG_IO_MESSAGES);
    sim_hist_record(m->pg.h_io_wait, done - sim_now(ctx));
    pg_commit *c = g_new(pg_commit, 1);
    *c = (pg_commit){ job, arrived, started };
    g_queue_push_tail(m->pg.committing, c);
    sim_at(ctx, done, commit_ev, m, 0);
}

/* ================================================================ the component */

static const sim_field pg_fields[] = {
    { "writers", 1, 100000, SIM_FIELD_INT64, offsetof(slack_cfg, pg_writers), "count", NULL, "16" },
    { "queue_limit", 0, 1000000000.0, SIM_FIELD_INT64, offsetof(slack_cfg, pg_queue_limit), "count", NULL, "0" },
    { "service_s", 0, DBL_MAX, SIM_FIELD_DIST, offsetof(slack_cfg, pg_service_s), "s", NULL,
      "{\"dist\": \"lognormal\", \"median\": 0.002, \"p99\": 0.011}" },
    { "iops", 0, 1e9, SIM_FIELD_DOUBLE, offsetof(slack_cfg, pg_iops), "1/s", NULL, "0" },
    { "ios_per_write", 0, 1e6, SIM_FIELD_DOUBLE, offsetof(slack_cfg, pg_ios_per_write), "count", NULL, "2" },
};

static gboolean pg_build(slack_model *m, const sim_scenario *sc, GError **error)
{
    (void)sc; (void)error;
    const slack_cfg *c = m->cfg;
    sim_station_config st = { .name = "postgres", .servers = (unsigned)c->pg_writers,
                              .capacity = (uint64_t)c->pg_queue_limit, .drop = SIM_DROP_TAIL };
    sim_dist_copy(&st.service, &c->pg_service_s);
    gboolean device = c->pg_iops > 0;
    m->pg.pool = sim_station_new(m->ctx, &st, device ? pg_write_done : msg_persisted, msg_dropped, m);
    sim_dist_clear(&st.service);
    m->pg.h_persist = sim_hist_new();
    m->pg.h_io_wait = sim_hist_new();
    m->pg.committing = g_queue_new();
    return TRUE;
}

static void pg_free(slack_model *m)
{
    sim_station_free(m->pg.pool);
    sim_hist_free(m->pg.h_persist);
    sim_hist_free(m->pg.h_io_wait);
    if (m->pg.committing) g_queue_free_full(m->pg.committing, g_free);
}

/* Only with a device (the default summary is as it was). */
static void disk_json(const slack_model *m, cJSON *o)
{
    double secs = sim_time_to_sec(sim_now(m->ctx));
    cJSON *d = cJSON_AddObjectToObject(o, "disk");
    cJSON_AddNumberToObject(d, "iops", m->cfg->pg_iops);
    cJSON_AddNumberToObject(d, "ios_per_write", m->cfg->pg_ios_per_write);
    cJSON_AddNumberToObject(d, "message_ios", m->pg.ios[PG_IO_MESSAGES]);
    cJSON_AddNumberToObject(d, "file_ios", m->pg.ios[PG_IO_FILES]);
    cJSON_AddNumberToObject(d, "presence_ios", m->pg.ios[PG_IO_PRESENCE]);
    cJSON_AddNumberToObject(d, "util", secs > 0 ? MIN(1.0, m->pg.disk_busy_s / secs) : 0);
    cJSON_AddItemToObject(d, "io_wait_ms", sim_hist_to_json(m->pg.h_io_wait, 1e6));
}

/* One line, only with a device. */
static void pg_report(const slack_model *m, GString *s)
{
    if (m->cfg->pg_iops <= 0) return;
    double secs = sim_time_to_sec(sim_now(m->ctx));
    g_string_append_printf(s, "PostgreSQL I/O: %g IOPS device %.1f%% busy: %.0f I/Os for messages, %.0f for files;"
                           " a commit's I/O wait p99 %.2f ms\n", m->cfg->pg_iops,
                           secs > 0 ? 100 * MIN(1.0, m->pg.disk_busy_s / secs) : 0, m->pg.ios[PG_IO_MESSAGES],
                           m->pg.ios[PG_IO_FILES], (double)sim_hist_percentile(m->pg.h_io_wait, 99) / 1e6);
}

static cJSON *pg_summary(const slack_model *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "writers", (double)m->cfg->pg_writers);
    cJSON_AddNumberToObject(o, "writes_per_sec_peak", m->pg.wps_peak);
    cJSON_AddNumberToObject(o, "util_max", m->pg.util_max);
    cJSON_AddItemToObject(o, "station", sim_station_to_json(m->pg.pool));
    if (m->cfg->pg_iops > 0) disk_json(m, o);
    return o;
}

/* Offered: arrivals x mean service time / writers, over duration_s. */
static gboolean pg_load(const slack_model *m, slack_load *out)
{
    double secs = sim_time_to_sec(m->duration);
    double work = (double)sim_station_arrivals(m->pg.pool) * sim_dist_mean(&m->cfg->pg_service_s);
    *out = (slack_load){ m->pg.util_max, secs > 0 ? work / ((double)m->cfg->pg_writers * secs) : 0 };
    return TRUE;
}
static const sim_hist *pg_latency(const slack_model *m) { return m->pg.h_persist; }

const slack_component pg_component = {
    .name = "postgres", .fields = pg_fields, .n_fields = G_N_ELEMENTS(pg_fields),
    .config_offset = offsetof(slack_config, core), .build = pg_build, .free = pg_free,
    .summary = pg_summary, .report = pg_report, .load = pg_load,
    .latency = pg_latency, .latency_name = "persist", .latency_label = "persist", .latency_unit = 1e6,
    .latency_unit_name = "ms",
};
