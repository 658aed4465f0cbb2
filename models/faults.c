/* faults: the scenario's fault timeline ("faults": an array of
 * {"at_s", "kind", "target", "duration_s"}), and what each one cost.
 *
 *   gateway_crash   gateway `target` dies at at_s (restarts empty after
 *                   duration_s, or never when 0): its clients reconnect to
 *                   the others as gateways.reconnect.* says, each paying
 *                   connect_s of CPU where it lands: with jitter "none",
 *                   the thundering herd;
 *   consumer_crash  fan-out consumer `target` dies for duration_s: Kafka
 *                   keeps what is published meanwhile and replays from
 *                   the last commit (duplicates); Redis pub/sub loses it;
 *   postgres_slow   the PostgreSQL writers' service times are multiplied by
 *                   `factor` for duration_s (0: for the rest of the run);
 *   redis_failover  Redis shard `target`'s master dies with its presence
 *                   keys; a replica takes over after duration_s. Connected
 *                   clients read as offline (false offline: their messages
 *                   go to mobile push) until their key is back: at their
 *                   next heartbeat, or in a re-SETEX storm
 *                   (presence.failover_resync; presence.c).
 *   search_outage   the Elasticsearch cluster takes no bulk and answers no
 *                   query for duration_s: documents wait in Kafka, the
 *                   index lag builds, then the backlog drains;
 *   s3_throttle     S3 answers every request to prefix `target` (-1: all)
 *                   503 SlowDown for duration_s: uploads back off and
 *                   retry (files.s3.retry_*), some give up.
 * A fault without a target (-1) hits every instance of its kind.
 *
 * Invariant: with no fault in the scenario (the default: one entry of kind
 * "none") this component schedules nothing and draws nothing. */
#include "models/slack_internal.h"

#include <math.h>
#include <string.h>
#include "sim/sim_error.h"

typedef enum {
    FAULT_NONE, FAULT_GATEWAY_CRASH, FAULT_CONSUMER_CRASH, FAULT_POSTGRES_SLOW, FAULT_REDIS_FAILOVER,
    FAULT_SEARCH_OUTAGE, FAULT_S3_THROTTLE
} fault_kind;
static const char *const KIND_NAMES[] = {
    "none", "gateway_crash", "consumer_crash", "postgres_slow", "redis_failover", "search_outage", "s3_throttle", NULL
};

typedef struct faults_entry {
    fault_kind kind;
    double at_s, duration_s;
    double factor;               /* postgres_slow: service times x this */
    int64_t target;              /* -1: every instance */
    /* what it cost */
    uint64_t lost_before;        /* pub/sub losses when it began */
    uint64_t lost;               /* messages lost while it lasted */
    uint64_t duplicated;         /* messages re-delivered after it */
    uint64_t delayed;            /* messages the log kept for a dead consumer */
    uint64_t disconnected;       /* clients whose gateway died */
    /* redis_failover */
    uint64_t keys_lost;          /* presence keys gone with the master */
    uint64_t crashes_cleared;    /* of them, crashed clients' keys awaiting detection */
    uint64_t resync_setex;       /* SETEXs of the re-heartbeat storm */
    uint64_t false_offline_before; /* fan-out's false offlines when it began */
    uint64_t false_offline;      /* recipients taken for offline until every key was back */
    double restored_s;           /* from at_s until the last key was back; -1: not in the run */
    double storm_backlog_s;      /* the shard's backlog right after the storm was sent */
    /* search_outage, s3_throttle: counted by their module from begin_ev
     * until the next fault of the same kind begins, or the run ends */
    gboolean open;               /* still counting */
    uint64_t peak_backlog;       /* documents pending / uploads in flight, at most */
    double peak_lag_ms;          /* search_outage: largest index lag */
    uint64_t failed;             /* queries failed / uploads given up */
    uint64_t slowdowns;          /* s3_throttle: 503s it answered */
} faults_entry;

/* ================================================================ reading */

static gboolean entry_fail(const sim_scenario *sc, size_t i, const char *key, GError **error, const char *what)
{
    char *where = g_strdup_printf("faults[%zu].%s", i, key);
    sim_error_at(error, SIM_ERROR_VALUE, sim_scenario_origin(sc), where, "%s", what);
    g_free(where);
    return FALSE;
}

/* How many instances a fault of `kind` can target. */
static int64_t target_count(const slack_config *cfg, fault_kind kind)
{
    switch (kind) {
    case FAULT_GATEWAY_CRASH: return cfg->core.gw_count;
    case FAULT_POSTGRES_SLOW: case FAULT_SEARCH_OUTAGE: return 1;
    case FAULT_REDIS_FAILOVER: return cfg->redis.shards;
    case FAULT_S3_THROTTLE: return cfg->files.prefixes;
    default: return cfg->core.kafka_partitions;
    }
}

/* A fault on a module the scenario leaves off would cost nothing: refused. */
static gboolean check_module(const sim_scenario *sc, const slack_config *cfg, size_t i, fault_kind kind, GError **error)
{
    if (kind == FAULT_SEARCH_OUTAGE && !cfg->search.enabled)
        return entry_fail(sc, i, "kind", error, "\"search_outage\" needs search.enabled true");
    if (kind == FAULT_S3_THROTTLE && !(cfg->files.enabled && cfg->files.storage == FILES_STORE_S3))
        return entry_fail(sc, i, "kind", error, "\"s3_throttle\" needs files.enabled true and files.storage \"s3\"");
    return TRUE;
}

static gboolean read_entry(const sim_scenario *sc, const slack_config *config, size_t i, const cJSON *o, faults_entry *e,
                           GError **error)
{
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(o, "kind");
    int k = 0;
    while (KIND_NAMES[k] && strcmp(KIND_NAMES[k], kind->valuestring) != 0) k++;
    if (!KIND_NAMES[k])
        return entry_fail(sc, i, "kind", error, "must be \"gateway_crash\", \"consumer_crash\", \"postgres_slow\", "
                          "\"redis_failover\", \"search_outage\", \"s3_throttle\" or \"none\"");
    e->kind = (fault_kind)k;
    e->at_s = cJSON_GetObjectItemCaseSensitive(o, "at_s")->valuedouble;
    e->duration_s = cJSON_GetObjectItemCaseSensitive(o, "duration_s")->valuedouble;
    double target = cJSON_GetObjectItemCaseSensitive(o, "target")->valuedouble;
    e->factor = cJSON_GetObjectItemCaseSensitive(o, "factor")->valuedouble;
    if (!(e->factor > 0 && e->factor <= 1e6)) return entry_fail(sc, i, "factor", error, "must be in (0, 1e6]");
    if (!(e->at_s >= 0 && e->at_s <= 1e7)) return entry_fail(sc, i, "at_s", error, "must be in [0, 1e7] s");
    if (!(e->duration_s >= 0 && e->duration_s <= 1e7)) return entry_fail(sc, i, "duration_s", error, "must be in [0, 1e7] s");
    int64_t count = target_count(config, e->kind);
    if (!(target == floor(target) && target >= -1 && target < (double)count))
        return entry_fail(sc, i, "target", error, "must be -1 (all) or an instance index below its count "
                          "(gateways.count, kafka.partitions, redis.shards, files.s3.prefixes, or 1 for the "
                          "PostgreSQL pool and the search cluster)");
    if (!check_module(sc, config, i, e->kind, error)) return FALSE;
    e->target = (int64_t)target;
    return TRUE;
}

/* The scenario's faults, checked; NULL entries array on error. */
static GArray *read_faults(const sim_scenario *sc, const slack_config *cfg, GError **error)
{
    const cJSON *arr = sim_scenario_get(sc, "faults");
    GArray *out = g_array_new(FALSE, TRUE, sizeof(faults_entry));
    size_t i = 0;
    for (const cJSON *o = arr ? arr->child : NULL; o; o = o->next, i++) {
        faults_entry e = { .restored_s = -1 };
        if (!read_entry(sc, cfg, i, o, &e, error)) { g_array_free(out, TRUE); return NULL; }
        if (e.kind != FAULT_NONE) g_array_append_val(out, e);
    }
    return out;
}

static gboolean faults_validate(const sim_scenario *sc, const slack_config *cfg, GError **error)
{
    GArray *f = read_faults(sc, cfg, error);
    if (f) g_array_free(f, TRUE);
    return f != NULL;
}

/* The schema's template entry: its keys are the keys every entry may have,
 * and the values an entry leaves out. */
static void faults_defaults(cJSON *root)
{
    cJSON *a = cJSON_AddArrayToObject(root, "faults");
    cJSON *e = cJSON_CreateObject();
    cJSON_AddNumberToObject(e, "at_s", 0);
    cJSON_AddStringToObject(e, "kind", "none");
    cJSON_AddNumberToObject(e, "target", -1);
    cJSON_AddNumberToObject(e, "duration_s", 0);
    cJSON_AddNumberToObject(e, "factor", 1);
    cJSON_AddItemToArray(a, e);
}

/* ================================================================ gateways */

/* Backoff k of a client reconnecting (k = 0 for its first attempt). */
static sim_time reconnect_delay(slack_model *m, uint32_t k)
{
    const slack_cfg *c = m->cfg;
    if (c->gw_reconnect_jitter == SLACK_JITTER_WINDOW) {
        sim_time w = sim_time_from_sec(c->gw_reconnect_window_s);
        return w > 0 ? (sim_time)sim_rng_below(&m->faults.rng, (uint64_t)w) : 0;
    }
    double cap = MIN(c->gw_reconnect_max_s, c->gw_reconnect_base_s * pow(2.0, MIN(k, 40u)));
    if (c->gw_reconnect_jitter == SLACK_JITTER_NONE) return sim_time_from_sec(cap);
    return sim_time_from_sec(cap * sim_rng_uniform(&m->faults.rng));   /* full jitter */
}

/* `arg`: the user (low 32 bits) and its attempt number (high 32). */
static void reconnect_ev(sim_ctx *ctx, void *data, uint64_t arg)
{
    slack_model *m = data;
    uint32_t user = (uint32_t)arg, k = (uint32_t)(arg >> 32);
    if (m->conn[user] != GW_NONE) return;
    if (presence_client_connect(m, user)) { m->faults.reconnects++; return; }
    sim_after(ctx, reconnect_delay(m, k + 1), reconnect_ev, m, ((uint64_t)(k + 1) << 32) | user);
}

void faults_gateway_down(slack_model *m, uint32_t g)
{
    gw_set_alive(m->gw, g, FALSE);
    for (uint32_t u = 0; u < wl_users(m->wl); u++) {
        if (m->conn[u] != g) continue;
        presence_client_disconnect(m, u);
        sim_after(m->ctx, reconnect_delay(m, 0), reconnect_ev, m, u);
    }
}

void faults_gateway_up(slack_model *m, uint32_t g) { gw_set_alive(m->gw, g, TRUE); }

/* ================================================================ the timeline */

static faults_entry *entry(slack_model *m, uint64_t i) { return &g_array_index(m->faults.list, faults_entry, i); }

static void each_target(slack_model *m, const faults_entry *e, uint32_t count, void (*fn)(slack_model *, const faults_entry *, uint32_t))
{
    if (e->target >= 0) { fn(m, e, (uint32_t)e->target); return; }
    for (uint32_t i = 0; i < count; i++) fn(m, e, i);
}

static void crash_gateway(slack_model *m, const faults_entry *e, uint32_t g)
{
    (void)e;
    if (gw_alive(m->gw, g)) faults_gateway_down(m, g);
}

static void restart_gateway(slack_model *m, const faults_entry *e, uint32_t g) { (void)e; faults_gateway_up(m, g); }

static void crash_consumer(slack_model *m, const faults_entry *e, uint32_t p)
{
    fanout_consumer_crash(m, p, sim_time_from_sec(e->duration_s));
}

/* The last shard's keys are back: what the false offlines cost so far. */
static void restored_ev(sim_ctx *ctx, void *data, uint64_t i)
{
    slack_model *m = data;
    faults_entry *e = entry(m, i);
    e->false_offline = m->fan.false_offline - e->false_offline_before;
    e->restored_s = sim_time_to_sec(sim_now(ctx)) - e->at_s;
}

static void fail_shard(slack_model *m, const faults_entry *e, uint32_t s) { (void)e; presence_failover_begin(m->pres, s); }

/* Promotes the fault's shards; schedules restored_ev when the last key is back. */
static void promote_shards(slack_model *m, faults_entry *e, uint64_t i)
{
    uint64_t keys0, cleared0, setex0, keys, cleared, setex;
    presence_failover_counts(m->pres, &keys0, &cleared0, &setex0);
    uint32_t n = redis_shards(m->redis), lo = e->target >= 0 ? (uint32_t)e->target : 0, hi = e->target >= 0 ? lo + 1 : n;
    sim_time last = sim_now(m->ctx);
    for (uint32_t s = lo; s < hi; s++) {
        sim_time back = presence_failover_promote(m->pres, s);   /* once: MAX evaluates twice */
        last = MAX(last, back);
        e->storm_backlog_s = MAX(e->storm_backlog_s, redis_backlog_s(m->redis, s));
    }
    presence_failover_counts(m->pres, &keys, &cleared, &setex);
    e->resync_setex = setex - setex0;
    if (!m->config.presence.failover_storm) e->storm_backlog_s = 0;
    sim_at(m->ctx, last, restored_ev, m, i);
}

/* ---- search_outage and s3_throttle: their modules count, the entry
 * copies the counts when it closes */

static void fill_costs(const slack_model *m, faults_entry *e)
{
    if (e->kind == FAULT_SEARCH_OUTAGE) {
        search_outage_counts c;
        search_get_outage(m->search, &c);
        e->peak_backlog = c.pending_peak;
        e->peak_lag_ms = (double)c.lag_peak / 1e6;
        e->delayed = c.published_down;
        e->failed = c.queries_failed;
    } else {
        files_throttle_counts c;
        files_get_throttle(m->files, &c);
        e->peak_backlog = c.in_flight_peak;
        e->delayed = c.delayed;
        e->failed = c.failed;
        e->slowdowns = c.slowdowns;
    }
}

static void close_entry(slack_model *m, faults_entry *e)
{
    if (!e->open) return;
    e->open = FALSE;
    fill_costs(m, e);
}

/* The module's counts restart: an earlier fault of the kind keeps what it
 * had counted so far. */
static void module_begin(slack_model *m, faults_entry *e)
{
    for (guint i = 0; i < m->faults.list->len; i++)
        if (entry(m, i)->kind == e->kind) close_entry(m, entry(m, i));
    e->open = TRUE;
    if (e->kind == FAULT_SEARCH_OUTAGE) {
        search_outage_mark(m->search);
        search_set_outage(m->search, TRUE);
    } else {
        files_throttle_mark(m->files);
        files_set_throttle(m->files, e->target, TRUE);
    }
}

static void module_end(slack_model *m, const faults_entry *e)
{
    if (e->kind == FAULT_SEARCH_OUTAGE) search_set_outage(m->search, FALSE);
    else files_set_throttle(m->files, e->target, FALSE);
}

static gboolean module_kind(fault_kind k) { return k == FAULT_SEARCH_OUTAGE || k == FAULT_S3_THROTTLE; }

static void begin_ev(sim_ctx *ctx, void *data, uint64_t i)
{
    (void)ctx;
    slack_model *m = data;
    faults_entry *e = entry(m, i);
    e->lost_before = m->fan.queue_lost;
    if (e->kind == FAULT_REDIS_FAILOVER) {
        uint64_t keys0, cleared0, setex0, keys, cleared, setex;
        presence_failover_counts(m->pres, &keys0, &cleared0, &setex0);
        e->false_offline_before = m->fan.false_offline;
        each_target(m, e, redis_shards(m->redis), fail_shard);
        presence_failover_counts(m->pres, &keys, &cleared, &setex);
        e->keys_lost = keys - keys0;
        e->crashes_cleared = cleared - cleared0;
    } else if (e->kind == FAULT_GATEWAY_CRASH) {
        uint64_t before = gw_total_connections(m->gw);
        each_target(m, e, gw_count(m->gw), crash_gateway);
        e->disconnected = before - gw_total_connections(m->gw);
    } else if (e->kind == FAULT_POSTGRES_SLOW) {
        sim_station_set_service_scale(m->pg.pool, e->factor);
    } else if (module_kind(e->kind)) {
        module_begin(m, e);
    } else {
        uint64_t dup = m->fan.queue_duplicates;
        each_target(m, e, m->kafka.partitions, crash_consumer);
        e->duplicated = m->fan.queue_duplicates - dup;
    }
}

/* The fault is over: its losses are counted, a crashed gateway restarts. */
static void end_ev(sim_ctx *ctx, void *data, uint64_t i)
{
    (void)ctx;
    slack_model *m = data;
    faults_entry *e = entry(m, i);
    e->lost = m->fan.queue_lost - e->lost_before;
    if (e->kind == FAULT_GATEWAY_CRASH && e->duration_s > 0) each_target(m, e, gw_count(m->gw), restart_gateway);
    if (e->kind == FAULT_CONSUMER_CRASH) e->delayed = m->fan.held_max;
    if (e->kind == FAULT_POSTGRES_SLOW && e->duration_s > 0) sim_station_set_service_scale(m->pg.pool, 1.0);
    if (e->kind == FAULT_REDIS_FAILOVER) promote_shards(m, e, i);
    if (module_kind(e->kind) && e->duration_s > 0) module_end(m, e);
}

static gboolean faults_build(slack_model *m, const sim_scenario *sc, GError **error)
{
    m->faults.list = read_faults(sc, &m->config, error);
    if (!m->faults.list) return FALSE;
    sim_ctx_stream(m->ctx, "gateways.reconnect", &m->faults.rng);
    for (guint i = 0; i < m->faults.list->len; i++) {
        if (entry(m, i)->kind == FAULT_GATEWAY_CRASH) m->faults.column = TRUE;
        if (entry(m, i)->kind == FAULT_S3_THROTTLE) m->faults.upload_column = TRUE;
    }
    return TRUE;
}

static void faults_start(slack_model *m)
{
    for (guint i = 0; i < m->faults.list->len; i++) {
        const faults_entry *e = entry(m, i);
        sim_time at = sim_time_from_sec(e->at_s);
        sim_at(m->ctx, at, begin_ev, m, i);
        sim_at(m->ctx, at + sim_time_from_sec(e->duration_s), end_ev, m, i);
    }
}

static void faults_free(slack_model *m)
{
    if (m->faults.list) g_array_free(m->faults.list, TRUE);
}

/* ================================================================ outputs */

/* reconnects_per_s with a gateway_crash, s3_upload_wait_p99_ms (what an
 * s3_throttle's recovery is measured on) with an s3_throttle. */
static size_t faults_columns(const slack_model *m, const char **out)
{
    size_t n = 0;
    if (m->faults.column) out[n++] = "reconnects_per_s";
    if (m->faults.upload_column) out[n++] = "s3_upload_wait_p99_ms";
    return n;
}

static size_t faults_sample(slack_model *m, double *out)
{
    size_t n = 0;
    if (m->faults.column) {
        double dt = sim_time_to_sec(sim_now(m->ctx) - m->out.iv_prev);
        out[n++] = dt > 0 ? (double)(m->faults.reconnects - m->faults.reconnects_prev) / dt : 0;
        m->faults.reconnects_prev = m->faults.reconnects;
    }
    if (m->faults.upload_column) out[n++] = files_take_upload_wait_p99(m->files);
    return n;
}

/* The time-series column a fault's recovery is read on: what it hurts
 * (the index lag, the upload wait), else the end-to-end p99. Those
 * two are 0 in a row without a sample, which says nothing either way. */
static const char *recover_column(const faults_entry *e, gboolean *skip_empty)
{
    *skip_empty = module_kind(e->kind);
    return e->kind == FAULT_SEARCH_OUTAGE ? "search_lag_p99_ms" : e->kind == FAULT_S3_THROTTLE ? "s3_upload_wait_p99_ms" : "e2e_p99_ms";
}

/* Seconds from the fault's start until the first row, at or after its end,
 * whose p99 is back within 10% of the mean p99 of the rows before it; -1
 * if that never happens in the run (or no row came before). */
static double recover_s(const slack_model *m, const faults_entry *e)
{
    const sim_series *ts = m->out.series;
    gboolean skip;
    int col = sim_series_find(ts, recover_column(e, &skip));
    double before = 0, at = e->at_s, end = e->at_s + (e->duration_s > 0 || !module_kind(e->kind) ? e->duration_s : 1e18);
    size_t n = 0, used = 0, rows = sim_series_rows(ts);
    for (size_t r = 0; col >= 0 && r < rows && sim_time_to_sec(sim_series_time(ts, r)) <= at; r++, n++) {
        double v = sim_series_value(ts, r, (size_t)col);
        if (skip && v <= 0) continue;
        before += v;
        used++;
    }
    if (col < 0 || used == 0) return -1;
    before /= (double)used;
    for (size_t r = n; r < rows; r++) {
        double t = sim_time_to_sec(sim_series_time(ts, r)), v = sim_series_value(ts, r, (size_t)col);
        if (t >= end && !(skip && v <= 0) && v <= 1.1 * before) return t - at;
    }
    return -1;
}

/* The largest reconnect rate of any row after the fault began. */
static double reconnect_peak(const slack_model *m, const faults_entry *e)
{
    const sim_series *ts = m->out.series;
    int col = sim_series_find(ts, "reconnects_per_s");
    double peak = 0;
    for (size_t r = 0; col >= 0 && r < sim_series_rows(ts); r++)
        if (sim_time_to_sec(sim_series_time(ts, r)) > e->at_s) peak = MAX(peak, sim_series_value(ts, r, (size_t)col));
    return peak;
}

/* What only search_outage and s3_throttle report; "delayed" is theirs too
 * (documents published while search was down, uploads answered 503). */
static void module_summary(const slack_model *m, const faults_entry *e, cJSON *o)
{
    faults_entry v = *e;
    if (v.open) fill_costs(m, &v);
    cJSON_ReplaceItemInObjectCaseSensitive(o, "delayed", cJSON_CreateNumber((double)v.delayed));
    cJSON_AddNumberToObject(o, "peak_backlog", (double)v.peak_backlog);
    if (e->kind == FAULT_SEARCH_OUTAGE) {
        cJSON_AddNumberToObject(o, "peak_lag_ms", v.peak_lag_ms);
        cJSON_AddNumberToObject(o, "queries_failed", (double)v.failed);
    } else {
        cJSON_AddNumberToObject(o, "slowdowns", (double)v.slowdowns);
        cJSON_AddNumberToObject(o, "uploads_failed", (double)v.failed);
    }
}

static cJSON *faults_summary(const slack_model *m)
{
    cJSON *a = cJSON_CreateArray();
    for (guint i = 0; i < m->faults.list->len; i++) {
        const faults_entry *e = &g_array_index(m->faults.list, faults_entry, i);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "kind", KIND_NAMES[e->kind]);
        cJSON_AddNumberToObject(o, "at_s", e->at_s);
        cJSON_AddNumberToObject(o, "target", (double)e->target);
        cJSON_AddNumberToObject(o, "duration_s", e->duration_s);
        cJSON_AddNumberToObject(o, "lost", (double)e->lost);
        cJSON_AddNumberToObject(o, "duplicated", (double)e->duplicated);
        cJSON_AddNumberToObject(o, "delayed", (double)e->delayed);
        cJSON_AddNumberToObject(o, "disconnected", (double)e->disconnected);
        cJSON_AddNumberToObject(o, "reconnect_peak_per_s", reconnect_peak(m, e));
        cJSON_AddNumberToObject(o, "recover_s", recover_s(m, e));
        if (e->kind == FAULT_REDIS_FAILOVER) {
            cJSON_AddNumberToObject(o, "keys_lost", (double)e->keys_lost);
            cJSON_AddNumberToObject(o, "crashes_cleared", (double)e->crashes_cleared);
            cJSON_AddNumberToObject(o, "false_offline", (double)e->false_offline);
            cJSON_AddNumberToObject(o, "resync_setex", (double)e->resync_setex);
            cJSON_AddNumberToObject(o, "resync_backlog_ms", e->storm_backlog_s * 1e3);
            cJSON_AddNumberToObject(o, "keys_restored_s", e->restored_s);
        }
        if (module_kind(e->kind)) module_summary(m, e, o);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

/* "Fault: search_outage at 60 s (target all): 6000 documents waited, ..." */
static void module_report(const slack_model *m, const faults_entry *e, const char *target, GString *s)
{
    faults_entry v = *e;
    if (v.open) fill_costs(m, &v);
    g_string_append_printf(s, "Fault: %s at %.0f s (target %s): ", KIND_NAMES[e->kind], e->at_s, target);
    if (e->kind == FAULT_SEARCH_OUTAGE)
        g_string_append_printf(s, "%" G_GUINT64_FORMAT " documents published while down, index backlog peak %"
                               G_GUINT64_FORMAT ", index lag peak %.1f s, %" G_GUINT64_FORMAT " queries failed; ",
                               v.delayed, v.peak_backlog, v.peak_lag_ms / 1e3, v.failed);
    else
        g_string_append_printf(s, "%" G_GUINT64_FORMAT " 503 SlowDown, %" G_GUINT64_FORMAT " uploads answered 503 (%"
                               G_GUINT64_FORMAT " of them gave up), %" G_GUINT64_FORMAT " uploads in flight at most; ",
                               v.slowdowns, v.delayed, v.failed, v.peak_backlog);
}

static void faults_report(const slack_model *m, GString *s)
{
    for (guint i = 0; i < m->faults.list->len; i++) {
        const faults_entry *e = &g_array_index(m->faults.list, faults_entry, i);
        double rec = recover_s(m, e);
        char target[32];
        if (e->target < 0) g_strlcpy(target, "all", sizeof target);
        else g_snprintf(target, sizeof target, "%" G_GINT64_FORMAT, e->target);
        if (module_kind(e->kind)) module_report(m, e, target, s);
        else g_string_append_printf(s, "Fault: %s at %.0f s (target %s): %" G_GUINT64_FORMAT " lost, %"
                               G_GUINT64_FORMAT " duplicated, %" G_GUINT64_FORMAT " held in the log, %" G_GUINT64_FORMAT
                               " clients disconnected (reconnect peak %.0f/s); ",
                               KIND_NAMES[e->kind], e->at_s, target,
                               e->lost, e->duplicated, e->delayed, e->disconnected, reconnect_peak(m, e));
        const char *what = e->kind == FAULT_SEARCH_OUTAGE ? "index lag " : e->kind == FAULT_S3_THROTTLE ? "upload wait " : "";
        if (rec >= 0) g_string_append_printf(s, "%sp99 back within 10%% after %.0f s\n", what, rec);
        else g_string_append_printf(s, "%sp99 not back within 10%% in the run\n", what);
        if (e->kind == FAULT_REDIS_FAILOVER)
            g_string_append_printf(s, "  presence keys lost %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " of crashed clients), "
                                   "%" G_GUINT64_FORMAT " recipients falsely offline (sent to push), resync storm %"
                                   G_GUINT64_FORMAT " SETEX (backlog %.1f ms), last key back after %.1f s\n",
                                   e->keys_lost, e->crashes_cleared, e->false_offline, e->resync_setex,
                                   e->storm_backlog_s * 1e3, e->restored_s);
    }
}

const slack_component faults_component = {
    .name = "faults", .defaults = faults_defaults, .validate = faults_validate,
    .build = faults_build, .start = faults_start, .free = faults_free,
    .columns = faults_columns, .sample = faults_sample, .summary = faults_summary, .report = faults_report,
};
