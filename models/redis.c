/* redis: Redis as `shards` single-threaded FIFO servers with finite ops/s.
 *
 * Invariant (per shard): `w` is the unfinished work (ns) on the shard's
 * thread at time `last`, counting simulated requests, charged work and the
 * background fluid; between updates it drains at 1 - rho_bg (grows when
 * rho_bg >= 1). A simulated request arriving at t with cost s completes at
 * t + w(t) + s. The station replays exactly these completion times: a
 * request's station service is its completion minus the time the station can
 * start it (max(arrival, previous completion)), so the station's FIFO order
 * and departures equal the fluid model's, and `d_prev` is the station's last
 * departure. `busy` integrates the thread's busy time up to `last` (while
 * w > 0 the thread is busy; at w = 0 it is busy a fraction rho_bg).
 *
 * Ops are counted when offered; the background integral is kept globally
 * (ops/s summed over shards, integrated at each change). */
#include "models/redis.h"
#include "models/slack_internal.h"

#include <float.h>
#include <math.h>
#include <stddef.h>
#include "sim/sim_error.h"

/* The two public figures the default costs are fitted to (see redis.h). */
#define REDIS_UNPIPELINED_OPS 110000.0   /* SET/s, 50 clients, no pipelining */
#define REDIS_PIPELINED_OPS   682000.0   /* SET/s at pipeline depth 16 */
#define REDIS_PIPELINE_DEPTH  16.0

/* Largest request whose commands are drawn one by one; above it the sum is
 * drawn with the right mean and variance (mean*n + sqrt(n)*(x - mean)). */
#define REDIS_EXACT_SUM_MAX 16u

typedef struct {
    sim_station *st;
    sim_rng rng;          /* stream "redis.<shard>.cost" */
    double w;             /* unfinished work at `last`, ns */
    sim_time last;
    sim_time d_prev;      /* last station departure */
    double rho_bg;        /* background work per unit time */
    double bg_ops;        /* background ops/s on this shard */
    double busy;          /* busy ns up to `last` */
    double work;          /* work offered up to `last`, ns */
} rd_shard;

typedef struct {
    sim_event_fn done;
    void *data;
    uint64_t arg;
} rd_pending;

struct redis_server {
    sim_ctx *ctx;
    redis_config cfg;
    double req_mean_ns, cmd_mean_ns;  /* mean costs, for the fluid */
    rd_shard *sh;
    uint32_t n;
    GArray *pend;         /* rd_pending, indexed by station job tag */
    GArray *free_slots;   /* uint32 indices of `pend` not in use */
    uint64_t requests;
    double fg_ops;        /* ops of requests and charges */
    double bg_ops;        /* background ops/s, all shards */
    double bg_area;       /* background ops integrated up to bg_last */
    sim_time bg_last;
    sim_time t0;
    sim_time int_t;       /* start of the current interval */
    double int_ops;       /* ops_total at int_t */
    double peak;
    gboolean have_peak;
    sim_hist *lat;
};

/* ------------------------------------------------------------ config */

void redis_config_init(redis_config *cfg)
{
    /* request + cmd = 1/110000; request + 16 cmd = 16/682000. */
    double cmd = (REDIS_PIPELINE_DEPTH / REDIS_PIPELINED_OPS - 1.0 / REDIS_UNPIPELINED_OPS)
                 / (REDIS_PIPELINE_DEPTH - 1.0);
    double req = 1.0 / REDIS_UNPIPELINED_OPS - cmd;
    cfg->shards = 1;
    sim_dist_init_constant(&cfg->request_s, req);
    sim_dist_init_constant(&cfg->command_s, cmd);
}

void redis_config_clear(redis_config *cfg)
{
    sim_dist_clear(&cfg->request_s);
    sim_dist_clear(&cfg->command_s);
}

/* Every "redis" key, once. The per-command cost must be positive: a zero
 * cost would make a pipelined request free. */
static const sim_field rd_fields[] = {
    { "shards", 1, 65536, SIM_FIELD_U32, offsetof(redis_config, shards), "count" },
    { "request_s", 0, DBL_MAX, SIM_FIELD_DIST, offsetof(redis_config, request_s), "s" },
    { "command_s", DBL_MIN, DBL_MAX, SIM_FIELD_DIST, offsetof(redis_config, command_s), "s" },
};

/* Written from redis_config_init through the table that reads the keys. */
cJSON *redis_defaults(void)
{
    redis_config c;
    redis_config_init(&c);
    cJSON *o = cJSON_CreateObject();
    sim_scenario_fields_to_json(o, rd_fields, G_N_ELEMENTS(rd_fields), &c);
    redis_config_clear(&c);
    return o;
}

gboolean redis_config_from_scenario(const sim_scenario *sc, redis_config *out, GError **error)
{
    redis_config_init(out);
    return sim_scenario_read_fields(sc, "redis", rd_fields, G_N_ELEMENTS(rd_fields), out, error);
}

/* ------------------------------------------------------- the fluid */

/* Where shard `s` will be at `now` if nothing arrives: unfinished work, busy
 * and offered work integrals. Pure, so getters can use it. */
static void project(const rd_shard *s, sim_time now, double *w, double *busy, double *work)
{
    double dt = (double)(now - s->last);
    *w = s->w;
    *busy = s->busy;
    *work = s->work + s->rho_bg * dt;
    if (dt <= 0.0) return;
    if (s->rho_bg >= 1.0) {
        *busy += dt;
        *w += (s->rho_bg - 1.0) * dt;
        return;
    }
    double drain = 1.0 - s->rho_bg;
    double empty_after = s->w / drain;
    if (dt <= empty_after) {
        *busy += dt;
        *w -= drain * dt;
    } else {
        *busy += empty_after + s->rho_bg * (dt - empty_after);
        *w = 0.0;
    }
}

static void advance(redis_server *r, rd_shard *s)
{
    sim_time now = sim_now(r->ctx);
    project(s, now, &s->w, &s->busy, &s->work);
    s->last = now;
}

static double cost_ns(redis_server *r, rd_shard *s, uint32_t n_ops)
{
    double x = sim_dist_sample(&r->cfg.request_s, &s->rng);
    if (n_ops <= REDIS_EXACT_SUM_MAX) {
        for (uint32_t i = 0; i < n_ops; i++) x += sim_dist_sample(&r->cfg.command_s, &s->rng);
    } else {
        double m = r->cmd_mean_ns / 1e9;
        x += m * n_ops + sqrt((double)n_ops) * (sim_dist_sample(&r->cfg.command_s, &s->rng) - m);
    }
    return x > 0.0 ? x * 1e9 : 0.0;
}

static void bg_integrate(redis_server *r)
{
    sim_time now = sim_now(r->ctx);
    r->bg_area += r->bg_ops * (double)(now - r->bg_last) / 1e9;
    r->bg_last = now;
}

/* ------------------------------------------------------ lifecycle */

static void on_station_done(sim_ctx *ctx, void *user, uint64_t job, sim_time arrived, sim_time started)
{
    (void)started;
    redis_server *r = user;
    rd_pending p = g_array_index(r->pend, rd_pending, job);
    uint32_t idx = (uint32_t)job;
    g_array_append_val(r->free_slots, idx);
    sim_hist_record(r->lat, sim_now(ctx) - arrived);
    if (p.done) p.done(ctx, p.data, p.arg);
}

redis_server *redis_new(sim_ctx *ctx, const redis_config *cfg)
{
    g_return_val_if_fail(ctx != NULL && cfg != NULL && cfg->shards >= 1, NULL);
    redis_server *r = g_new0(redis_server, 1);
    r->ctx = ctx;
    r->cfg.shards = cfg->shards;
    sim_dist_copy(&r->cfg.request_s, &cfg->request_s);
    sim_dist_copy(&r->cfg.command_s, &cfg->command_s);
    r->req_mean_ns = sim_dist_mean(&cfg->request_s) * 1e9;
    r->cmd_mean_ns = sim_dist_mean(&cfg->command_s) * 1e9;
    r->n = cfg->shards;
    r->sh = g_new0(rd_shard, r->n);
    sim_time now = sim_now(ctx);
    for (uint32_t i = 0; i < r->n; i++) {
        char *name = r->n == 1 ? g_strdup("redis") : g_strdup_printf("redis.%u", i);
        char *stream = g_strdup_printf("%s.cost", name);
        sim_station_config sc = { .name = name, .servers = 1, .capacity = 0, .drop = SIM_DROP_TAIL };
        sim_dist_init_constant(&sc.service, 0.0);
        r->sh[i].st = sim_station_new(ctx, &sc, on_station_done, NULL, r);
        sim_ctx_stream(ctx, stream, &r->sh[i].rng);
        r->sh[i].last = now;
        r->sh[i].d_prev = now;
        sim_dist_clear(&sc.service);
        g_free(stream);
        g_free(name);
    }
    r->pend = g_array_new(FALSE, FALSE, sizeof(rd_pending));
    r->free_slots = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    r->t0 = r->bg_last = r->int_t = now;
    r->lat = sim_hist_new();
    return r;
}

void redis_free(redis_server *r)
{
    if (!r) return;
    for (uint32_t i = 0; i < r->n; i++) sim_station_free(r->sh[i].st);
    g_free(r->sh);
    g_array_free(r->pend, TRUE);
    g_array_free(r->free_slots, TRUE);
    sim_hist_free(r->lat);
    redis_config_clear(&r->cfg);
    g_free(r);
}

/* ------------------------------------------------------------ load */

uint32_t redis_shards(const redis_server *r) { return r->n; }

uint32_t redis_shard_of(const redis_server *r, uint64_t key)
{
    /* splitmix64 finalizer: consecutive ids spread evenly (Redis Cluster
     * hashes the key name with CRC16 for the same reason). */
    uint64_t z = key + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (uint32_t)(z % r->n);
}

double redis_request_cost_s(const redis_server *r, double n_ops)
{
    return (r->req_mean_ns + n_ops * r->cmd_mean_ns) / 1e9;
}

static uint32_t pending_slot(redis_server *r, sim_event_fn done, void *data, uint64_t arg)
{
    rd_pending p = { done, data, arg };
    if (r->free_slots->len) {
        uint32_t idx = g_array_index(r->free_slots, uint32_t, r->free_slots->len - 1);
        g_array_set_size(r->free_slots, r->free_slots->len - 1);
        g_array_index(r->pend, rd_pending, idx) = p;
        return idx;
    }
    g_array_append_val(r->pend, p);
    return r->pend->len - 1;
}

void redis_request(redis_server *r, uint64_t key, uint32_t n_ops,
                   sim_event_fn done, void *data, uint64_t arg)
{
    g_return_if_fail(n_ops >= 1);
    rd_shard *s = &r->sh[redis_shard_of(r, key)];
    advance(r, s);
    sim_time now = s->last;
    double c = cost_ns(r, s, n_ops);
    sim_time finish = now + (sim_time)llround(s->w + c);
    sim_time start = MAX(now, s->d_prev);
    sim_time service = MAX(finish - start, 0);
    s->d_prev = start + service;
    s->w += c;
    s->work += c;
    r->fg_ops += n_ops;
    r->requests++;
    sim_station_submit_timed(s->st, pending_slot(r, done, data, arg), service);
}

void redis_charge(redis_server *r, uint64_t key, uint32_t n_ops)
{
    if (n_ops == 0) return;
    rd_shard *s = &r->sh[redis_shard_of(r, key)];
    advance(r, s);
    double c = cost_ns(r, s, n_ops);
    s->w += c;
    s->work += c;
    r->fg_ops += n_ops;
}

void redis_charge_work(redis_server *r, uint32_t shard, sim_time work)
{
    g_return_if_fail(shard < r->n);
    if (work <= 0) return;
    rd_shard *s = &r->sh[shard];
    advance(r, s);
    s->w += (double)work;
    s->work += (double)work;
}

void redis_add_background_shard(redis_server *r, uint32_t shard, double ops_per_sec, double ops_per_request)
{
    g_return_if_fail(shard < r->n && ops_per_request >= 1.0);
    rd_shard *s = &r->sh[shard];
    advance(r, s);
    bg_integrate(r);
    double before = s->bg_ops;
    s->bg_ops = MAX(0.0, s->bg_ops + ops_per_sec);
    r->bg_ops = MAX(0.0, r->bg_ops + (s->bg_ops - before));
    /* Work per ns of simulated time: ops/s * ns per op / 1e9. The request
     * overhead is shared by the ops of one pipelined request. */
    double per_op_ns = r->req_mean_ns / ops_per_request + r->cmd_mean_ns;
    s->rho_bg = MAX(0.0, s->rho_bg + (s->bg_ops - before) * per_op_ns / 1e9);
    if (s->bg_ops == 0.0) s->rho_bg = 0.0;   /* no drift from rounding */
}

void redis_add_background_ops(redis_server *r, double ops_per_sec)
{
    for (uint32_t i = 0; i < r->n; i++)
        redis_add_background_shard(r, i, ops_per_sec / r->n, 1.0);
}

double redis_background_ops_per_sec(const redis_server *r) { return r->bg_ops; }

/* ------------------------------------------------------ statistics */

double redis_ops_total(const redis_server *r)
{
    double dt = (double)(sim_now(r->ctx) - r->bg_last) / 1e9;
    return r->fg_ops + r->bg_area + r->bg_ops * dt;
}

double redis_take_interval_rate(redis_server *r)
{
    sim_time now = sim_now(r->ctx);
    double total = redis_ops_total(r);
    if (now <= r->int_t) return 0.0;
    double rate = (total - r->int_ops) / ((double)(now - r->int_t) / 1e9);
    r->int_t = now;
    r->int_ops = total;
    if (!r->have_peak || rate > r->peak) r->peak = rate;
    r->have_peak = TRUE;
    return rate;
}

static double elapsed_ns(const redis_server *r)
{
    return (double)(sim_now(r->ctx) - r->t0);
}

double redis_ops_per_sec_peak(const redis_server *r)
{
    if (r->have_peak) return r->peak;
    double t = elapsed_ns(r);
    return t > 0 ? redis_ops_total(r) / (t / 1e9) : 0.0;
}

static double shard_util(const redis_server *r, uint32_t i, double *offered)
{
    double w, busy, work, t = elapsed_ns(r);
    project(&r->sh[i], sim_now(r->ctx), &w, &busy, &work);
    if (offered) *offered = t > 0 ? work / t : 0.0;
    return t > 0 ? MIN(1.0, busy / t) : 0.0;
}

double redis_utilization(const redis_server *r)
{
    double sum = 0;
    for (uint32_t i = 0; i < r->n; i++) sum += shard_util(r, i, NULL);
    return sum / r->n;
}

double redis_utilization_max(const redis_server *r)
{
    double m = 0;
    for (uint32_t i = 0; i < r->n; i++) m = MAX(m, shard_util(r, i, NULL));
    return m;
}

double redis_offered_load(const redis_server *r)
{
    double sum = 0, off;
    for (uint32_t i = 0; i < r->n; i++) {
        shard_util(r, i, &off);
        sum += off;
    }
    return sum / r->n;
}

double redis_backlog_s(const redis_server *r, uint32_t shard)
{
    g_return_val_if_fail(shard < r->n, 0.0);
    double w, busy, work;
    project(&r->sh[shard], sim_now(r->ctx), &w, &busy, &work);
    return w / 1e9;
}

const sim_hist *redis_latency_hist(const redis_server *r) { return r->lat; }

const sim_station *redis_station(const redis_server *r, uint32_t shard)
{
    g_return_val_if_fail(shard < r->n, NULL);
    return r->sh[shard].st;
}

cJSON *redis_summary_json(const redis_server *r)
{
    cJSON *o = cJSON_CreateObject();
    double t = elapsed_ns(r) / 1e9;
    cJSON_AddNumberToObject(o, "shards", r->n);
    cJSON_AddNumberToObject(o, "ops_total", round(redis_ops_total(r)));
    cJSON_AddNumberToObject(o, "ops_per_sec_peak", redis_ops_per_sec_peak(r));
    cJSON_AddNumberToObject(o, "ops_per_sec_mean", t > 0 ? redis_ops_total(r) / t : 0.0);
    cJSON_AddNumberToObject(o, "background_ops_per_sec", r->bg_ops);
    cJSON_AddNumberToObject(o, "utilization", redis_utilization(r));
    cJSON_AddNumberToObject(o, "utilization_max", redis_utilization_max(r));
    cJSON_AddNumberToObject(o, "offered_load", redis_offered_load(r));
    cJSON_AddNumberToObject(o, "requests", (double)r->requests);
    cJSON_AddItemToObject(o, "latency_ms", sim_hist_to_json(r->lat, 1e6));
    return o;
}

/* ================================================================ the component */

static gboolean rd_build(slack_model *m, const sim_scenario *sc, GError **error)
{
    (void)sc; (void)error;
    m->redis = redis_new(m->ctx, &m->config.redis);
    return TRUE;
}

static void rd_component_free(slack_model *m) { redis_free(m->redis); }
static cJSON *rd_summary(const slack_model *m) { return redis_summary_json(m->redis); }

/* Utilization: the worst interval's, as a mean over shards, or the busiest
 * shard's over the run where higher; offered: work / time, mean over shards
 * (docs/presence.md). */
static gboolean rd_load(const slack_model *m, slack_load *out)
{
    *out = (slack_load){ MAX(m->redis_util_iv_max, redis_utilization_max(m->redis)), redis_offered_load(m->redis) };
    return TRUE;
}

const slack_component redis_component = {
    .name = "redis", .fields = rd_fields, .n_fields = G_N_ELEMENTS(rd_fields),
    .config_offset = offsetof(slack_config, redis), .build = rd_build, .free = rd_component_free,
    .summary = rd_summary, .load = rd_load,
};
