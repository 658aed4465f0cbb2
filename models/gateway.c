/* gateway: connection tables and per-core CPU of the WebSocket gateways.
 *
 * Invariant: conns[g] == number of users u with conn[u] == g; a core's
 * free_at is the end of the last work booked on it, and booked[] - the work
 * still ahead of `now` is the work done by `now` (bookings are contiguous
 * after any idle gap, so the remaining work is max(0, free_at - now)). */
#include "models/gateway.h"
#include "models/slack_internal.h"

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <string.h>
#include "sim/sim_error.h"

typedef struct gw_core {
    sim_time free_at;   /* end of the last booked work */
    sim_time booked;    /* total work booked, ns */
} gw_core;

struct gw_set {
    uint32_t cores;           /* per gateway */
    uint32_t n;               /* gateways */
    sim_ctx *ctx;             /* borrowed */
    sim_rng rng;
    uint16_t *conn;           /* per user */
    uint64_t *conns;          /* per gateway */
    gboolean *alive;
    gw_core *core;            /* n * cores */
    sim_time *done_prev;      /* per gateway: work done at the last interval */
    sim_time *booked_prev;    /* per gateway: work booked at the last interval */
    sim_time t_prev, t0;
    uint64_t total, peak, max_conns, max_per_gw, pushes, batches;
    double util_max, offered_max;
    sim_hist *wait;           /* per booking (a job: inbound, connect, push batch): start - now, ns */
    uint64_t waited;          /* bookings that found their core busy */
    gboolean pooled;          /* gateways.scheduling = pooled: any core serves any connection */
    sim_time *offered;        /* per gateway: all work booked on it (its cores' demand), ns */
    sim_dist inbound, push, overhead, connect;
};

gw_set *gw_new(sim_ctx *ctx, const slack_cfg *cfg, uint32_t n_users)
{
    gw_set *g = g_new0(gw_set, 1);
    g->n = (uint32_t)cfg->gw_count;
    g->cores = (uint32_t)cfg->gw_cores;
    g->ctx = ctx;
    sim_ctx_stream(ctx, "gateways", &g->rng);
    g->conn = g_new(uint16_t, MAX(n_users, 1u));
    memset(g->conn, 0xFF, sizeof(uint16_t) * MAX(n_users, 1u));
    g->conns = g_new0(uint64_t, g->n);
    g->alive = g_new(gboolean, g->n);
    for (uint32_t i = 0; i < g->n; i++) g->alive[i] = TRUE;
    g->core = g_new0(gw_core, (size_t)g->n * g->cores);
    g->done_prev = g_new0(sim_time, g->n);
    g->offered = g_new0(sim_time, g->n);
    g->booked_prev = g_new0(sim_time, g->n);
    g->t_prev = g->t0 = sim_now(ctx);
    g->max_conns = (uint64_t)cfg->gw_max_connections;
    g->wait = sim_hist_new();
    g->pooled = cfg->gw_scheduling == SLACK_SCHED_POOLED;
    sim_dist_copy(&g->inbound, &cfg->gw_inbound_s);
    sim_dist_copy(&g->push, &cfg->gw_push_s);
    sim_dist_copy(&g->overhead, &cfg->gw_batch_overhead_s);
    sim_dist_copy(&g->connect, &cfg->gw_connect_s);
    return g;
}

void gw_free(gw_set *g)
{
    if (!g) return;
    sim_dist_clear(&g->inbound); sim_dist_clear(&g->push);
    sim_dist_clear(&g->overhead); sim_dist_clear(&g->connect);
    sim_hist_free(g->wait);
    g_free(g->conn); g_free(g->conns); g_free(g->alive); g_free(g->core); g_free(g->done_prev); g_free(g->booked_prev); g_free(g->offered);
    g_free(g);
}

uint32_t gw_count(const gw_set *g) { return g->n; }
uint32_t gw_cores(const gw_set *g) { return g->cores; }
/* Pinned: the connection's core. Pooled: the core that frees first (a
 * shared FIFO work queue served by every core: M/G/c). */
uint32_t gw_core_of(const gw_set *g, uint32_t gw, uint32_t user)
{
    if (!g->pooled) return user % g->cores;
    const gw_core *c = &g->core[(size_t)gw * g->cores];
    uint32_t best = 0;
    for (uint32_t i = 1; i < g->cores; i++) if (c[i].free_at < c[best].free_at) best = i;
    return best;
}

gboolean gw_pooled(const gw_set *g) { return g->pooled; }
const uint16_t *gw_conn_table(const gw_set *g) { return g->conn; }
uint64_t gw_connections(const gw_set *g, uint32_t gw) { return gw < g->n ? g->conns[gw] : 0; }
uint64_t gw_total_connections(const gw_set *g) { return g->total; }
uint64_t gw_connections_peak(const gw_set *g) { return g->peak; }
uint64_t gw_connections_max_per_gateway(const gw_set *g) { return g->max_per_gw; }
gboolean gw_alive(const gw_set *g, uint32_t gw) { return gw < g->n && g->alive[gw]; }
void gw_set_alive(gw_set *g, uint32_t gw, gboolean alive) { if (gw < g->n) g->alive[gw] = alive; }
uint64_t gw_pushes(const gw_set *g) { return g->pushes; }
uint64_t gw_batches(const gw_set *g) { return g->batches; }
void gw_count_pushes(gw_set *g, uint64_t pushes) { g->pushes += pushes; g->batches++; }

static uint16_t least_loaded(const gw_set *g)
{
    uint16_t best = GW_NONE;
    for (uint32_t i = 0; i < g->n; i++)
        if (g->alive[i] && g->conns[i] < g->max_conns && (best == GW_NONE || g->conns[i] < g->conns[best])) best = (uint16_t)i;
    return best;
}

uint16_t gw_connect(gw_set *g, uint32_t user, uint16_t gw)
{
    if (g->conn[user] != GW_NONE) return g->conn[user];
    if (gw == GW_NONE || gw >= g->n || !g->alive[gw] || g->conns[gw] >= g->max_conns) gw = least_loaded(g);
    if (gw == GW_NONE) return GW_NONE;
    g->conn[user] = gw;
    g->conns[gw]++;
    g->total++;
    g->peak = MAX(g->peak, g->total);
    g->max_per_gw = MAX(g->max_per_gw, g->conns[gw]);
    return gw;
}

void gw_disconnect(gw_set *g, uint32_t user)
{
    uint16_t gw = g->conn[user];
    if (gw == GW_NONE) return;
    g->conns[gw]--;
    g->total--;
    g->conn[user] = GW_NONE;
}

sim_time gw_book_load(gw_set *g, uint32_t gw, uint32_t core, sim_time work)
{
    gw_core *c = &g->core[(size_t)gw * g->cores + core];
    sim_time now = sim_now(g->ctx);
    sim_time start = c->free_at > now ? c->free_at : now;
    c->free_at = start + work;
    c->booked += work;
    g->offered[gw] += work;
    return start;
}

sim_time gw_book_core(gw_set *g, uint32_t gw, uint32_t core, sim_time work)
{
    sim_time start = gw_book_load(g, gw, core, work), wait = start - sim_now(g->ctx);
    if (work > 0) {   /* a job; a zero-cost booking occupies nothing */
        sim_hist_record(g->wait, wait);
        g->waited += wait > 0;
    }
    return start;
}

const sim_hist *gw_wait_hist(const gw_set *g) { return g->wait; }
double gw_p_wait(const gw_set *g) { return sim_hist_count(g->wait) ? (double)g->waited / (double)sim_hist_count(g->wait) : 0; }

void gw_extend_core(gw_set *g, uint32_t gw, uint32_t core, sim_time work)
{
    gw_core *c = &g->core[(size_t)gw * g->cores + core];
    c->free_at += work;
    c->booked += work;
    g->offered[gw] += work;
}

sim_time gw_book(gw_set *g, uint32_t gw, uint32_t user, sim_time work)
{
    return gw_book_core(g, gw, gw_core_of(g, gw, user), work);
}

static sim_time sample_ns(const sim_dist *d, sim_rng *rng)
{
    double s = sim_dist_sample(d, rng);
    return s > 0 ? sim_time_from_sec(s) : 0;
}

sim_time gw_inbound_work(gw_set *g) { return sample_ns(&g->inbound, &g->rng); }
/* The mean, not a draw: a batch of n pushes costs the sum of n per-push
 * times, which for the batch sizes that load a gateway is n x mean within
 * a few percent (law of large numbers); one draw for the whole batch would
 * instead give an exponential push_s an exponential batch time. */
sim_time gw_push_cost(gw_set *g)
{
    double mean = sim_dist_mean(&g->push);
    return isfinite(mean) && mean > 0 ? sim_time_from_sec(mean) : 0;
}
sim_time gw_batch_overhead(gw_set *g) { return sample_ns(&g->overhead, &g->rng); }
sim_time gw_connect_work(gw_set *g) { return sample_ns(&g->connect, &g->rng); }

static sim_time work_done(const gw_set *g, uint32_t gw, sim_time now, sim_time *booked)
{
    sim_time done = 0, b = 0;
    for (uint32_t k = 0; k < g->cores; k++) {
        const gw_core *c = &g->core[(size_t)gw * g->cores + k];
        done += c->booked - (c->free_at > now ? c->free_at - now : 0);
        b += c->booked;
    }
    if (booked) *booked = b;
    return done;
}

double gw_take_interval_util_max(gw_set *g)
{
    sim_time now = sim_now(g->ctx), dt = now - g->t_prev;
    double mx = 0, off = 0;
    for (uint32_t i = 0; i < g->n; i++) {
        sim_time b, d = work_done(g, i, now, &b);
        if (dt > 0) {
            mx = MAX(mx, (double)(d - g->done_prev[i]) / ((double)dt * g->cores));
            off = MAX(off, (double)(b - g->booked_prev[i]) / ((double)dt * g->cores));
        }
        g->done_prev[i] = d;
        g->booked_prev[i] = b;
    }
    g->t_prev = now;
    g->util_max = MAX(g->util_max, mx);
    g->offered_max = MAX(g->offered_max, off);
    return mx;
}

double gw_offered_max(const gw_set *g) { return g->offered_max; }

double gw_offered_load(const gw_set *g, sim_time over)
{
    double mx = 0;
    for (uint32_t i = 0; i < g->n && over > 0; i++) mx = MAX(mx, (double)g->offered[i] / ((double)over * g->cores));
    return mx;
}

double gw_util_max(const gw_set *g) { return g->util_max; }

double gw_util_mean(const gw_set *g)
{
    sim_time now = sim_now(g->ctx), done = 0;
    for (uint32_t i = 0; i < g->n; i++) done += work_done(g, i, now, NULL);
    return now > g->t0 ? (double)done / ((double)(now - g->t0) * g->cores * g->n) : 0;
}

double gw_backlog_max_s(const gw_set *g)
{
    sim_time now = sim_now(g->ctx), mx = 0;
    for (size_t i = 0; i < (size_t)g->n * g->cores; i++) mx = MAX(mx, g->core[i].free_at - now);
    return sim_time_to_sec(mx);
}

/* ================================================================ the component */

static const char *const JITTER_NAMES[] = { "window", "full", "none", NULL };
static const char *const SCHED_NAMES[] = { "pinned", "pooled", NULL };
G_STATIC_ASSERT(sizeof(slack_sched) == sizeof(int));
G_STATIC_ASSERT(sizeof(slack_jitter) == sizeof(int));

#define GD(p, lo, hi, f, u, d) { p, lo, hi, SIM_FIELD_DOUBLE, offsetof(slack_cfg, f), u, NULL, d }
#define GI(p, lo, hi, f, u, d) { p, lo, hi, SIM_FIELD_INT64, offsetof(slack_cfg, f), u, NULL, d }
#define GS(p, f, d) { p, 0, DBL_MAX, SIM_FIELD_DIST, offsetof(slack_cfg, f), "s", NULL, d }
static const sim_field gw_fields[] = {
    GI("count", 1, 65000, gw_count, "count", "4"),
    GI("cores", 1, 1024, gw_cores, "count", "8"),
    GI("max_connections", 1, 1000000000.0, gw_max_connections, "count", "500000"),
    GD("memory_per_connection_kib", 0, 1e9, gw_memory_per_connection_kib, "KiB", "64"),
    GD("memory_gib", 1e-6, 1e9, gw_memory_gib, "GiB", "128"),
    GS("inbound_s", gw_inbound_s, "{\"dist\": \"exponential\", \"mean\": 0.00005}"),
    GS("push_s", gw_push_s, "{\"dist\": \"exponential\", \"mean\": 0.000005}"),
    GS("batch_overhead_s", gw_batch_overhead_s, "{\"dist\": \"exponential\", \"mean\": 0.00002}"),
    GS("connect_s", gw_connect_s, "{\"dist\": \"exponential\", \"mean\": 0.0002}"),
    { "scheduling", 0, 0, SIM_FIELD_ENUM, offsetof(slack_cfg, gw_scheduling), NULL, SCHED_NAMES, "\"pinned\"" },
    GD("reconnect_window_s", 0, 3600, gw_reconnect_window_s, "s", "10"),
    { "reconnect.jitter", 0, 0, SIM_FIELD_ENUM, offsetof(slack_cfg, gw_reconnect_jitter), NULL, JITTER_NAMES, "\"window\"" },
    GD("reconnect.base_s", 1e-3, 3600, gw_reconnect_base_s, "s", "1"),
    GD("reconnect.max_s", 1e-3, 86400, gw_reconnect_max_s, "s", "30"),
};
#undef GD
#undef GI
#undef GS

/* The gateways must hold every connected user, in connections and memory. */
static gboolean gw_validate(const sim_scenario *sc, const slack_config *config, GError **error)
{
    const slack_cfg *cfg = &config->core;
    const char *o = sim_scenario_origin(sc);
    uint64_t online = slack_cfg_online_users(cfg);
    uint64_t hold = (uint64_t)cfg->gw_count * (uint64_t)cfg->gw_max_connections;
    if (online > hold)
        return sim_error_at(error, SIM_ERROR_VALUE, o, NULL, "gateways: %" G_GUINT64_FORMAT " connected users (workload.users x online_fraction) "
                            "exceed gateways.count x gateways.max_connections = %" G_GUINT64_FORMAT, online, hold);
    double per_gw = ceil((double)online / (double)cfg->gw_count);
    double mem_gib = per_gw * cfg->gw_memory_per_connection_kib / (1024.0 * 1024.0);
    if (mem_gib > cfg->gw_memory_gib)
        return sim_error_at(error, SIM_ERROR_VALUE, o, NULL, "gateways: %.0f connections per gateway need %.1f GiB "
                            "(memory_per_connection_kib), more than gateways.memory_gib = %g", per_gw, mem_gib, cfg->gw_memory_gib);
    return TRUE;
}

static gboolean gw_build(slack_model *m, const sim_scenario *sc, GError **error)
{
    (void)sc; (void)error;
    m->gw = gw_new(m->ctx, m->cfg, wl_users(m->wl));
    m->conn = gw_conn_table(m->gw);
    return TRUE;
}

static void gw_component_free(slack_model *m) { gw_free(m->gw); }

static cJSON *gw_summary(const slack_model *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "count", gw_count(m->gw));
    cJSON_AddNumberToObject(o, "cores", gw_cores(m->gw));
    cJSON_AddNumberToObject(o, "connections_peak", (double)gw_connections_peak(m->gw));
    cJSON_AddNumberToObject(o, "connections_per_gateway_max", (double)gw_connections_max_per_gateway(m->gw));
    cJSON_AddNumberToObject(o, "memory_gib_per_gateway_max",
                            (double)gw_connections_max_per_gateway(m->gw) * m->cfg->gw_memory_per_connection_kib / 1048576.0);
    cJSON_AddNumberToObject(o, "cpu_util_max", gw_util_max(m->gw));
    cJSON_AddNumberToObject(o, "offered_load", gw_offered_load(m->gw, m->duration));
    cJSON_AddNumberToObject(o, "cpu_util_mean", gw_util_mean(m->gw));
    cJSON_AddNumberToObject(o, "pushes", (double)gw_pushes(m->gw));
    cJSON_AddNumberToObject(o, "batches", (double)gw_batches(m->gw));
    cJSON_AddItemToObject(o, "core_wait_ms", sim_hist_to_json(gw_wait_hist(m->gw), 1e6));
    cJSON_AddNumberToObject(o, "core_p_wait", gw_p_wait(m->gw));
    return o;
}

static gboolean gw_load(const slack_model *m, slack_load *out)
{
    *out = (slack_load){ gw_util_max(m->gw), gw_offered_load(m->gw, m->duration) };
    return TRUE;
}

const slack_component gw_component = {
    .name = "gateways", .fields = gw_fields, .n_fields = G_N_ELEMENTS(gw_fields),
    .config_offset = offsetof(slack_config, core), .validate = gw_validate,
    .build = gw_build, .free = gw_component_free, .summary = gw_summary, .load = gw_load,
};
