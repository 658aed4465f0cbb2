/* postgres: the PostgreSQL writer pool the message service writes to: c
 * writers sharing one FIFO queue (an M/G/c/K station when queue_limit > 0),
 * so Erlang-C gives its wait when service times are exponential.
 *
 * Invariant: every write submitted is either committed (message.c's
 * msg_persisted, which publishes it in id order) or refused at arrival
 * (msg_dropped); the pool itself knows nothing of messages. */
#include "models/slack_internal.h"

#include <float.h>
#include <stddef.h>

/* ================================================================ API implementation */

/* The pool's utilization since the previous row (call once per row). */
double pg_take_interval_util(slack_model *m, sim_time now, double dt)
{
    return slack_interval_util(m->pg.pool, &m->pg.area_prev, now, dt);
}

/* ================================================================ the component */

static const sim_field pg_fields[] = {
    { "writers", 1, 100000, SIM_FIELD_INT64, offsetof(slack_cfg, pg_writers), "count", NULL, "16" },
    { "queue_limit", 0, 1000000000.0, SIM_FIELD_INT64, offsetof(slack_cfg, pg_queue_limit), "count", NULL, "0" },
    { "service_s", 0, DBL_MAX, SIM_FIELD_DIST, offsetof(slack_cfg, pg_service_s), "s", NULL,
      "{\"dist\": \"lognormal\", \"median\": 0.002, \"p99\": 0.011}" },
};

static gboolean pg_build(slack_model *m, const sim_scenario *sc, GError **error)
{
    (void)sc; (void)error;
    const slack_cfg *c = m->cfg;
    sim_station_config st = { .name = "postgres", .servers = (unsigned)c->pg_writers,
                              .capacity = (uint64_t)c->pg_queue_limit, .drop = SIM_DROP_TAIL };
    sim_dist_copy(&st.service, &c->pg_service_s);
    m->pg.pool = sim_station_new(m->ctx, &st, msg_persisted, msg_dropped, m);
    sim_dist_clear(&st.service);
    m->pg.h_persist = sim_hist_new();
    return TRUE;
}

static void pg_free(slack_model *m)
{
    sim_station_free(m->pg.pool);
    sim_hist_free(m->pg.h_persist);
}

static cJSON *pg_summary(const slack_model *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "writers", (double)m->cfg->pg_writers);
    cJSON_AddNumberToObject(o, "writes_per_sec_peak", m->pg.wps_peak);
    cJSON_AddNumberToObject(o, "util_max", m->pg.util_max);
    cJSON_AddItemToObject(o, "station", sim_station_to_json(m->pg.pool));
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
    .summary = pg_summary, .load = pg_load,
    .latency = pg_latency, .latency_name = "persist", .latency_label = "persist", .latency_unit = 1e6,
    .latency_unit_name = "ms",
};
