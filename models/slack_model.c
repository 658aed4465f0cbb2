/* slack_model: the Slack model assembled from its components, the run
 * loop, and the public API (models/slack_model.h).
 *
 * The components are one table (slack_components, construction order):
 * configuration is read, defaults written and keys listed by walking it;
 * the model is built, started, stopped and freed by walking it; outputs
 * are gathered from it by slack_output.c. Adding a stage, or another
 * implementation of one chosen by a scenario key, is a file with its
 * slack_component and a row here.
 *
 * The pipeline itself (message.c -> postgres.c -> kafka.c -> fanout.c ->
 * push.c) calls stage to stage directly; this file never sits in the hot
 * path. */
#include "models/slack_internal.h"

#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include "sim/sim_error.h"

/* ================================================================ the component table */

const slack_component *const slack_components[] = {
    &run_component, &wl_component, &arrivals_component, &gw_component, &pg_component, &kafka_component, &pubsub_component,
    &fanout_component, &redis_component, &presence_component, &push_component, &delivery_component, &msg_component,
    &search_component, &files_component, &faults_component, &slo_component,
    &cost_component,
};
const size_t slack_n_components = G_N_ELEMENTS(slack_components);
G_STATIC_ASSERT(G_N_ELEMENTS(slack_components) < SLACK_MAX_COMPONENTS);

/* ---- the run's own keys: top level and network */

#define RD(p, lo, hi, f, u, d) { p, lo, hi, SIM_FIELD_DOUBLE, offsetof(slack_cfg, f), u, NULL, d }
#define RI(p, lo, hi, f, u, d) { p, lo, hi, SIM_FIELD_INT64, offsetof(slack_cfg, f), u, NULL, d }
static const sim_field run_fields[] = {
    RI("seed", 0, 9007199254740991.0, seed, "-", "1"),
    RD("duration_s", 1e-3, 1e6, duration_s, "s", "60"),
    RD("interval_s", 1e-3, 1e6, interval_s, "s", "1"),
    RD("drain_s", 0, 1e6, drain_s, "s", "300"),
    RD("start_hour", 0, 24, start_hour, "h", "11"),
    RI("epoch_s", 0, 4000000000.0, epoch_s, "s", "1630000000"),
    RD("network.client_one_way_s", 0, 60, client_one_way_s, "s", "0.04"),
};
#undef RD
#undef RI

static gboolean run_validate(const sim_scenario *sc, const slack_config *cfg, GError **error)
{
    if (cfg->core.interval_s > cfg->core.duration_s)
        return sim_error_at(error, SIM_ERROR_VALUE, sim_scenario_origin(sc), NULL, "interval_s (%g) exceeds duration_s (%g)",
                            cfg->core.interval_s, cfg->core.duration_s);
    return TRUE;
}

const slack_component run_component = {
    .name = "", .fields = run_fields, .n_fields = G_N_ELEMENTS(run_fields),
    .config_offset = offsetof(slack_config, core), .validate = run_validate,
};

/* ================================================================ configuration */

static void config_init(slack_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    redis_config_init(&cfg->redis);
    presence_config_init(&cfg->presence);
    search_config_init(&cfg->search);
    files_config_init(&cfg->files);
}

gboolean slack_config_read(const sim_scenario *sc, slack_config *cfg, GError **error)
{
    config_init(cfg);
    for (size_t i = 0; i < slack_n_components; i++) {
        const slack_component *c = slack_components[i];
        if (c->n_fields && !sim_scenario_read_fields(sc, c->name, c->fields, c->n_fields,
                                                     (char *)cfg + c->config_offset, error))
            return FALSE;
    }
    for (size_t i = 0; i < slack_n_components; i++)
        if (slack_components[i]->validate && !slack_components[i]->validate(sc, cfg, error)) return FALSE;
    return TRUE;
}

void slack_config_clear(slack_config *cfg)
{
    for (size_t i = 0; i < slack_n_components; i++) {
        const slack_component *c = slack_components[i];
        if (c->n_fields) sim_scenario_fields_clear(c->fields, c->n_fields, (char *)cfg + c->config_offset);
    }
}

/* A table either carries its defaults (dflt) or, for the components with a
 * config struct of their own, takes them from that struct's init. */
cJSON *slack_model_defaults(void)
{
    cJSON *d = cJSON_CreateObject();
    slack_config cfg;
    config_init(&cfg);
    for (size_t i = 0; i < slack_n_components; i++) {
        const slack_component *c = slack_components[i];
        if (c->defaults) c->defaults(d);
        if (!c->n_fields) continue;
        cJSON *root = d;
        if (*c->name && !(root = cJSON_GetObjectItemCaseSensitive(d, c->name))) root = cJSON_AddObjectToObject(d, c->name);
        if (c->fields[0].dflt) sim_scenario_fields_defaults(root, c->fields, c->n_fields);
        else sim_scenario_fields_to_json(root, c->fields, c->n_fields, (const char *)&cfg + c->config_offset);
    }
    slack_config_clear(&cfg);
    return d;
}

char *slack_model_keys(void)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < slack_n_components; i++)
        sim_scenario_fields_list(s, slack_components[i]->name, slack_components[i]->fields, slack_components[i]->n_fields);
    return g_string_free(s, FALSE);
}

gboolean slack_model_validate(const sim_scenario *sc, GError **error)
{
    slack_config cfg;
    gboolean ok = slack_config_read(sc, &cfg, error);
    slack_config_clear(&cfg);
    return ok;
}

/* ================================================================ building */

static void sample_ev(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    slack_model *m = data;
    slack_output_sample(m);
    sim_time next = sim_now(ctx) + m->out.iv_ns;
    if (next <= m->duration + m->out.iv_ns / 2) m->out.ev = sim_at(ctx, MIN(next, m->duration), sample_ev, m, 0);
    else m->out.ev = SIM_EVENT_NONE;
}

static void collect_hooks(slack_model *m)
{
    size_t np = 0, nd = 0;
    for (size_t i = 0; i < slack_n_components; i++) {
        const slack_component *c = slack_components[i];
        if (c->on_published) m->hook_published[np++] = c;
        if (c->on_delivered) m->hook_delivered[nd++] = c;
    }
}

slack_model *slack_model_new(const sim_scenario *sc, uint64_t seed, GError **error)
{
    slack_model *m = g_new0(slack_model, 1);
    if (!slack_config_read(sc, &m->config, error)) {
        slack_config_clear(&m->config);
        g_free(m);
        return NULL;
    }
    gint64 t0 = g_get_monotonic_time();
    m->cfg = &m->config.core;
    m->name = g_strdup(sim_scenario_name(sc));
    m->seed = seed;
    m->ctx = sim_ctx_new(seed);
    m->duration = sim_time_from_sec(m->cfg->duration_s);
    m->components = slack_components;
    m->n_components = slack_n_components;
    collect_hooks(m);
    obs_build(m);
    for (size_t i = 0; i < slack_n_components; i++)
        if (slack_components[i]->build && !slack_components[i]->build(m, sc, error)) { slack_model_free(m); return NULL; }
    slack_output_series_init(m);
    for (size_t i = 0; i < slack_n_components; i++)
        if (slack_components[i]->start) slack_components[i]->start(m);
    m->out.iv_ns = sim_time_from_sec(m->cfg->interval_s);
    m->out.ev = sim_at(m->ctx, MIN(m->out.iv_ns, m->duration), sample_ev, m, 0);
    m->build_wall_s = (double)(g_get_monotonic_time() - t0) / 1e6;
    return m;
}

void slack_model_free(slack_model *m)
{
    if (!m) return;
    for (size_t i = slack_n_components; i-- > 0;)
        if (slack_components[i]->free) slack_components[i]->free(m);
    obs_free(m);
    sim_series_free(m->out.series);
    sim_ctx_free(m->ctx);
    slack_config_clear(&m->config);
    g_free(m->name);
    g_free(m);
}

/* ================================================================ running */

sim_ctx *slack_model_ctx(slack_model *m) { return m->ctx; }
sim_time slack_model_duration(const slack_model *m) { return m->duration; }

void slack_model_run_until(slack_model *m, sim_time t)
{
    if (t > m->duration) t = m->duration;
    if (t > sim_now(m->ctx)) sim_run_until(m->ctx, t);
}

void slack_model_finish(slack_model *m)
{
    slack_model_run_until(m, m->duration);
    for (size_t i = 0; i < slack_n_components; i++)
        if (slack_components[i]->stop) slack_components[i]->stop(m);
    sim_time end = m->duration + sim_time_from_sec(m->cfg->drain_s);
    while ((m->msg.in_flight || m->push.waiting) && sim_now(m->ctx) < end) {
        sim_time next = sim_next_time(m->ctx);
        if (next == SIM_TIME_MAX) break;
        sim_run_until(m->ctx, MIN(end, MAX(next, sim_now(m->ctx) + 100 * SIM_MS)));
    }
    m->drained = sim_now(m->ctx) - m->duration;
}

sim_scenario *slack_model_load_scenario(const char *path, const char *const *sets, GError **error)
{
    cJSON *defaults = slack_model_defaults();
    sim_scenario *sc = sim_scenario_load(path, defaults, error);
    cJSON_Delete(defaults);
    if (!sc) return NULL;
    for (size_t i = 0; sets && sets[i]; i++)
        if (!sim_scenario_set(sc, sets[i], error)) { sim_scenario_free(sc); return NULL; }
    return sc;
}

/* The "seed" row of the run's table (its first): the key is read, and
 * range-checked, in one place. An invalid seed gives 1 here; validation
 * refuses it with its message. */
uint64_t slack_model_scenario_seed(const sim_scenario *sc)
{
    slack_cfg c = { .seed = 1 };
    if (!sim_scenario_read_fields(sc, "", run_fields, 1, &c, NULL)) return 1;
    return (uint64_t)c.seed;
}

cJSON *slack_model_run_file(const char *scenario_path, const char *const *sets, uint64_t seed, GError **error)
{
    sim_scenario *sc = slack_model_load_scenario(scenario_path, sets, error);
    if (!sc) return NULL;
    slack_model *m = slack_model_new(sc, seed, error);
    sim_scenario_free(sc);
    if (!m) return NULL;
    slack_model_finish(m);
    slack_run_info run = { 0 };
    cJSON *out = slack_model_summary(m, &run);
    slack_model_free(m);
    return out;
}

/* ================================================================ observing and steering */

void slack_model_set_observer(slack_model *m, const slack_observer *obs, void *user)
{
    if (obs) { m->obs.fn = *obs; m->obs.user = user; m->obs.on = TRUE; }
    else { memset(&m->obs.fn, 0, sizeof m->obs.fn); m->obs.user = NULL; m->obs.on = FALSE; }
}

uint64_t slack_model_post(slack_model *m, uint32_t channel, uint32_t sender)
{
    g_return_val_if_fail(channel < wl_channels(m->wl) && sender < wl_users(m->wl), 0);
    uint64_t serial = m->msg.serial_next;
    msg_send(m, channel, sender);
    return serial;
}

void slack_model_set_online(slack_model *m, uint32_t user, gboolean online)
{
    g_return_if_fail(user < wl_users(m->wl));
    if (online) presence_client_connect(m, user);
    else presence_client_disconnect(m, user);
}

gboolean slack_model_is_online(const slack_model *m, uint32_t user)
{
    return user < wl_users(m->wl) && slack_user_connected(m, user, slack_crash_mode(m));
}

/* A dead gateway's clients notice at once and reconnect to the others
 * (gateways.reconnect.*: spread over reconnect_window_s by default). */
void slack_model_set_gateway_alive(slack_model *m, uint32_t gateway, gboolean alive)
{
    g_return_if_fail(gateway < gw_count(m->gw));
    if (alive == gw_alive(m->gw, gateway)) return;
    if (alive) faults_gateway_up(m, gateway);
    else faults_gateway_down(m, gateway);
}

gboolean slack_model_gateway_alive(const slack_model *m, uint32_t gateway) { return gw_alive(m->gw, gateway); }
uint32_t slack_model_gateways(const slack_model *m) { return gw_count(m->gw); }
uint64_t slack_model_gateway_connections(const slack_model *m, uint32_t gateway) { return gw_connections(m->gw, gateway); }
uint32_t slack_model_channel_size(const slack_model *m, uint32_t channel)
{
    return channel < wl_channels(m->wl) ? wl_channel_size(m->wl, channel) : 0;
}
uint32_t slack_model_channel_member(const slack_model *m, uint32_t channel, uint32_t i)
{
    g_return_val_if_fail(channel < wl_channels(m->wl), 0);
    return wl_channel_member(m->wl, channel, i);
}
uint32_t slack_model_user_gateway(const slack_model *m, uint32_t user)
{
    return user < wl_users(m->wl) && m->conn[user] != GW_NONE ? m->conn[user] : UINT32_MAX;
}
uint32_t slack_model_users(const slack_model *m) { return wl_users(m->wl); }
uint32_t slack_model_channels(const slack_model *m) { return wl_channels(m->wl); }
uint32_t slack_model_workspaces(const slack_model *m) { return wl_workspaces(m->wl); }
uint64_t slack_model_connected(const slack_model *m) { return gw_total_connections(m->gw); }
uint64_t slack_model_messages_sent(const slack_model *m) { return m->msg.sent; }
uint64_t slack_model_deliveries(const slack_model *m) { return m->fan.online; }
void slack_model_set_rate_factor(slack_model *m, double factor) { arrivals_set_rate_factor(m, factor); }

char *slack_model_format_id(int64_t id_us, char *buf, size_t size)
{
    g_snprintf(buf, size, "%" G_GINT64_FORMAT ".%06" G_GINT64_FORMAT, id_us / 1000000, id_us % 1000000);
    return buf;
}

/* ================================================================ Kafka and the alternatives */

uint32_t slack_model_partitions(const slack_model *m) { return m->kafka.partitions; }

uint64_t slack_model_partition_lag_now(const slack_model *m, uint32_t p)
{
    g_return_val_if_fail(p < m->kafka.partitions, 0);
    return fanout_lag(m, p);
}

uint64_t slack_model_partition_lag(const slack_model *m, uint32_t p)
{
    g_return_val_if_fail(p < m->kafka.partitions, 0);
    return m->kafka.lag_iv_by_p[m->kafka.partitions + p];
}

uint64_t slack_model_partition_lag_max(const slack_model *m, uint32_t p)
{
    g_return_val_if_fail(p < m->kafka.partitions, 0);
    return m->kafka.lag_max_by_p[p];
}

void slack_model_crash_consumer(slack_model *m, uint32_t partition, double seconds)
{
    g_return_if_fail(partition < m->kafka.partitions && seconds >= 0 && seconds <= 1e6);
    fanout_consumer_crash(m, partition, sim_time_from_sec(seconds));
}

gboolean slack_model_consumer_down(const slack_model *m, uint32_t partition)
{
    return partition < m->kafka.partitions && m->fan.down_until[partition] != 0;
}

void slack_model_queue_counts(const slack_model *m, slack_queue_counts *out)
{
    *out = (slack_queue_counts){ m->fan.queue_published, m->fan.queue_lost, m->fan.queue_duplicates, m->fan.dedup_drops };
}

gboolean slack_model_set_queue(slack_model *m, const char *name)
{
    if (g_strcmp0(name, "kafka") == 0) kafka_use(m);
    else if (g_strcmp0(name, "redis_pubsub") == 0) pubsub_use(m);
    else return FALSE;
    return TRUE;
}

const char *slack_model_queue(const slack_model *m) { return m->fan.queue == SLACK_QUEUE_KAFKA ? "kafka" : "redis_pubsub"; }
gboolean slack_model_set_transport(slack_model *m, const char *name) { return delivery_set_transport(m, name); }
const char *slack_model_transport(const slack_model *m) { return delivery_transport_name(m); }

/* ================================================================ stations */

uint32_t slack_model_redis_shards(const slack_model *m)
{
    return m->redis ? redis_shards(m->redis) : 0;
}

const sim_station *slack_model_redis_shard(const slack_model *m, uint32_t s)
{
    return m->redis && s < redis_shards(m->redis) ? redis_station(m->redis, s) : NULL;
}

static const sim_station *busiest(sim_station *const *st, uint32_t n)
{
    const sim_station *best = NULL;
    for (uint32_t i = 0; i < n; i++)
        if (!best || sim_station_utilization(st[i]) > sim_station_utilization(best)) best = st[i];
    return best;
}

const sim_station *slack_model_station(const slack_model *m, slack_station_id which)
{
    switch (which) {
    case SLACK_STATION_POSTGRES: return m->pg.pool;
    case SLACK_STATION_FANOUT: return busiest(m->fan.consumer, m->kafka.partitions);
    case SLACK_STATION_REDIS: return redis_station(m->redis, 0);
    default: return NULL;
    }
}

static void station_info(const sim_station *st, slack_stage_info *out)
{
    out->utilization = sim_station_utilization(st);
    out->queue = (double)sim_station_in_queue(st);
    out->completed = sim_station_completed(st);
    out->backlog_s = 0;
}

void slack_model_stage_info(const slack_model *m, slack_station_id which, slack_stage_info *out)
{
    memset(out, 0, sizeof *out);
    switch (which) {
    case SLACK_STATION_KAFKA:
        out->utilization = m->kafka.util_max;
        out->completed = m->pg.persisted;
        break;
    case SLACK_STATION_GATEWAY_IN:
    case SLACK_STATION_GATEWAY_OUT:
        out->utilization = gw_util_mean(m->gw);
        out->backlog_s = gw_backlog_max_s(m->gw);
        out->completed = which == SLACK_STATION_GATEWAY_IN ? m->msg.sent : gw_pushes(m->gw);
        break;
    case SLACK_STATION_PUSH:
        out->queue = (double)m->push.waiting;
        out->completed = m->push.sent;
        out->utilization = m->push.sent ? MIN(1.0, (double)m->push.queued / MAX(1.0, m->cfg->push_rate_per_min / 60.0 * sim_time_to_sec(sim_now(m->ctx)))) : 0;
        break;
    case SLACK_STATION_REDIS:
        station_info(redis_station(m->redis, 0), out);
        out->utilization = redis_utilization_max(m->redis);
        out->backlog_s = redis_backlog_s(m->redis, 0);
        break;
    default: {
        const sim_station *st = slack_model_station(m, which);
        if (st) station_info(st, out);
    }
    }
}
