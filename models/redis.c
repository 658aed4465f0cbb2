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

/* Redis Cluster: 16384 hash slots (cluster.h CLUSTER_SLOTS). */
#define REDIS_SLOTS 16384u

typedef struct {
    sim_event_fn done;
    void *data;
    uint64_t arg;
} rd_pending;

struct redis_server {
    sim_ctx *ctx;
    redis_config cfg;
    uint16_t *slot_shard;  /* REDIS_SLOTS entries: the shard owning each slot */
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

static void cluster_create_ranges(uint32_t n, uint32_t *first);

/* ------------------------------------------------------------ config */

void redis_config_init(redis_config *cfg)
{
    /* request + cmd = 1/110000; request + 16 cmd = 16/682000. */
    double cmd = (REDIS_PIPELINE_DEPTH / REDIS_PIPELINED_OPS - 1.0 / REDIS_UNPIPELINED_OPS)
                 / (REDIS_PIPELINE_DEPTH - 1.0);
    double req = 1.0 / REDIS_UNPIPELINED_OPS - cmd;
    cfg->shards = 1;
    cfg->active_expire_effort = 1;     /* redis.conf default */
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
    { "shards", 1, REDIS_SLOTS, SIM_FIELD_U32, offsetof(redis_config, shards), "count" },
    { "request_s", 0, DBL_MAX, SIM_FIELD_DIST, offsetof(redis_config, request_s), "s" },
    /* 0 allowed: a request then costs its overhead alone (turning the
     * shard into an M/G/1 queue of requests) */
    { "command_s", 0, DBL_MAX, SIM_FIELD_DIST, offsetof(redis_config, command_s), "s" },
    { "active_expire_effort", 1, 10, SIM_FIELD_U32, offsetof(redis_config, active_expire_effort), "1..10" },
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
    r->n = MIN(cfg->shards, REDIS_SLOTS);
    r->sh = g_new0(rd_shard, r->n);
    r->slot_shard = g_new(uint16_t, REDIS_SLOTS);
    uint32_t *first = g_new(uint32_t, r->n);
    cluster_create_ranges(r->n, first);
    for (uint32_t i = 0; i < r->n; i++) {
        uint32_t end = i + 1 < r->n ? first[i + 1] : REDIS_SLOTS;
        for (uint32_t sl = first[i]; sl < end; sl++) r->slot_shard[sl] = (uint16_t)i;
    }
    g_free(first);
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
    g_free(r->slot_shard);
    g_array_free(r->pend, TRUE);
    g_array_free(r->free_slots, TRUE);
    sim_hist_free(r->lat);
    redis_config_clear(&r->cfg);
    g_free(r);
}

/* ------------------------------------------------------------ load */

uint32_t redis_shards(const redis_server *r) { return r->n; }

/* CRC16-CCITT (XModem: polynomial 0x1021, initial value 0), the key hash
 * of the Redis Cluster specification (src/crc16.c); CRC16("123456789") =
 * 0x31C3. */
static const uint16_t CRC16_TAB[256] = {
0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50a5, 0x60c6, 0x70e7,
    0x8108, 0x9129, 0xa14a, 0xb16b, 0xc18c, 0xd1ad, 0xe1ce, 0xf1ef,
    0x1231, 0x0210, 0x3273, 0x2252, 0x52b5, 0x4294, 0x72f7, 0x62d6,
    0x9339, 0x8318, 0xb37b, 0xa35a, 0xd3bd, 0xc39c, 0xf3ff, 0xe3de,
    0x2462, 0x3443, 0x0420, 0x1401, 0x64e6, 0x74c7, 0x44a4, 0x5485,
    0xa56a, 0xb54b, 0x8528, 0x9509, 0xe5ee, 0xf5cf, 0xc5ac, 0xd58d,
    0x3653, 0x2672, 0x1611, 0x0630, 0x76d7, 0x66f6, 0x5695, 0x46b4,
    0xb75b, 0xa77a, 0x9719, 0x8738, 0xf7df, 0xe7fe, 0xd79d, 0xc7bc,
    0x48c4, 0x58e5, 0x6886, 0x78a7, 0x0840, 0x1861, 0x2802, 0x3823,
    0xc9cc, 0xd9ed, 0xe98e, 0xf9af, 0x8948, 0x9969, 0xa90a, 0xb92b,
    0x5af5, 0x4ad4, 0x7ab7, 0x6a96, 0x1a71, 0x0a50, 0x3a33, 0x2a12,
    0xdbfd, 0xcbdc, 0xfbbf, 0xeb9e, 0x9b79, 0x8b58, 0xbb3b, 0xab1a,
    0x6ca6, 0x7c87, 0x4ce4, 0x5cc5, 0x2c22, 0x3c03, 0x0c60, 0x1c41,
    0xedae, 0xfd8f, 0xcdec, 0xddcd, 0xad2a, 0xbd0b, 0x8d68, 0x9d49,
    0x7e97, 0x6eb6, 0x5ed5, 0x4ef4, 0x3e13, 0x2e32, 0x1e51, 0x0e70,
    0xff9f, 0xefbe, 0xdfdd, 0xcffc, 0xbf1b, 0xaf3a, 0x9f59, 0x8f78,
    0x9188, 0x81a9, 0xb1ca, 0xa1eb, 0xd10c, 0xc12d, 0xf14e, 0xe16f,
    0x1080, 0x00a1, 0x30c2, 0x20e3, 0x5004, 0x4025, 0x7046, 0x6067,
    0x83b9, 0x9398, 0xa3fb, 0xb3da, 0xc33d, 0xd31c, 0xe37f, 0xf35e,
    0x02b1, 0x1290, 0x22f3, 0x32d2, 0x4235, 0x5214, 0x6277, 0x7256,
    0xb5ea, 0xa5cb, 0x95a8, 0x8589, 0xf56e, 0xe54f, 0xd52c, 0xc50d,
    0x34e2, 0x24c3, 0x14a0, 0x0481, 0x7466, 0x6447, 0x5424, 0x4405,
    0xa7db, 0xb7fa, 0x8799, 0x97b8, 0xe75f, 0xf77e, 0xc71d, 0xd73c,
    0x26d3, 0x36f2, 0x0691, 0x16b0, 0x6657, 0x7676, 0x4615, 0x5634,
    0xd94c, 0xc96d, 0xf90e, 0xe92f, 0x99c8, 0x89e9, 0xb98a, 0xa9ab,
    0x5844, 0x4865, 0x7806, 0x6827, 0x18c0, 0x08e1, 0x3882, 0x28a3,
    0xcb7d, 0xdb5c, 0xeb3f, 0xfb1e, 0x8bf9, 0x9bd8, 0xabbb, 0xbb9a,
    0x4a75, 0x5a54, 0x6a37, 0x7a16, 0x0af1, 0x1ad0, 0x2ab3, 0x3a92,
    0xfd2e, 0xed0f, 0xdd6c, 0xcd4d, 0xbdaa, 0xad8b, 0x9de8, 0x8dc9,
    0x7c26, 0x6c07, 0x5c64, 0x4c45, 0x3ca2, 0x2c83, 0x1ce0, 0x0cc1,
    0xef1f, 0xff3e, 0xcf5d, 0xdf7c, 0xaf9b, 0xbfba, 0x8fd9, 0x9ff8,
    0x6e17, 0x7e36, 0x4e55, 0x5e74, 0x2e93, 0x3eb2, 0x0ed1, 0x1ef0,
};

uint16_t redis_crc16(const char *buf, size_t len)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < len; i++)
        crc = (uint16_t)((crc << 8) ^ CRC16_TAB[((crc >> 8) ^ (unsigned char)buf[i]) & 0xff]);
    return crc;
}

/* cluster.c keyHashSlot: only the part between the first '{' and the next
 * '}' is hashed, if that part is not empty (a hash tag). */
uint16_t redis_key_slot(const char *key, size_t len)
{
    size_t s, e;
    for (s = 0; s < len && key[s] != '{'; s++) {}
    if (s == len) return redis_crc16(key, len) & (REDIS_SLOTS - 1);
    for (e = s + 1; e < len && key[e] != '}'; e++) {}
    if (e == len || e == s + 1) return redis_crc16(key, len) & (REDIS_SLOTS - 1);
    return redis_crc16(key + s + 1, e - s - 1) & (REDIS_SLOTS - 1);
}

uint16_t redis_id_slot(uint64_t id)
{
    char buf[24];
    size_t n = 0;
    do { buf[sizeof buf - 1 - n++] = (char)('0' + id % 10); id /= 10; } while (id);
    return redis_crc16(buf + sizeof buf - n, n) & (REDIS_SLOTS - 1);
}

/* redis-cli --cluster create (clusterManagerCommandCreate, 7.0): master i
 * of n gets the slots from the previous master's last + 1 to
 * lround(cursor + 16384/n - 1), cursor a float advanced by 16384/n, the
 * last master up to 16383. Fills first[0..n-1] with each master's first
 * slot (the float arithmetic is Redis's, so the ranges match its own). */
static void cluster_create_ranges(uint32_t n, uint32_t *first)
{
    float per = REDIS_SLOTS / (float)n, cursor = 0.0f;
    long f = 0;
    for (uint32_t i = 0; i < n; i++) {
        long last = lround(cursor + per - 1);
        if (last > (long)REDIS_SLOTS || i == n - 1) last = REDIS_SLOTS - 1;
        if (last < f) last = f;
        first[i] = (uint32_t)f;
        f = last + 1;
        cursor += per;
    }
}

void redis_shard_slots(uint32_t n, uint32_t i, uint32_t *first, uint32_t *last)
{
    g_return_if_fail(n >= 1 && n <= REDIS_SLOTS && i < n);
    uint32_t *f = g_new(uint32_t, n);
    cluster_create_ranges(n, f);
    *first = f[i];
    *last = i + 1 < n ? f[i + 1] - 1 : REDIS_SLOTS - 1;
    g_free(f);
}

uint32_t redis_shard_of_slot(const redis_server *r, uint16_t slot)
{
    return r->slot_shard[slot & (REDIS_SLOTS - 1)];
}

/* Every key of the model carries its id as a hash tag (presence:{id},
 * user:{id}:conn_server, channel:{id}:members), so its slot is the CRC16 of
 * the id in decimal. */
uint32_t redis_shard_of(const redis_server *r, uint64_t key)
{
    return r->slot_shard[redis_id_slot(key)];
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
    redis_request_shard(r, redis_shard_of(r, key), n_ops, done, data, arg);
}

void redis_request_shard(redis_server *r, uint32_t shard, uint32_t n_ops,
                         sim_event_fn done, void *data, uint64_t arg)
{
    g_return_if_fail(n_ops >= 1 && shard < r->n);
    rd_shard *s = &r->sh[shard];
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
    redis_charge_shard(r, redis_shard_of(r, key), n_ops);
}

void redis_charge_shard(redis_server *r, uint32_t shard, uint32_t n_ops)
{
    g_return_if_fail(shard < r->n);
    if (n_ops == 0) return;
    rd_shard *s = &r->sh[shard];
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
    return shard_util(r, redis_hot_shard(r), NULL);
}

uint32_t redis_hot_shard(const redis_server *r)
{
    uint32_t hot = 0;
    double m = -1;
    for (uint32_t i = 0; i < r->n; i++) {
        double u = shard_util(r, i, NULL);
        if (u > m) { m = u; hot = i; }
    }
    return hot;
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
    cJSON_AddNumberToObject(o, "utilization_mean", redis_utilization(r));
    cJSON_AddNumberToObject(o, "utilization_max", redis_utilization_max(r));
    cJSON_AddNumberToObject(o, "hot_shard", redis_hot_shard(r));
    cJSON_AddNumberToObject(o, "offered_load", redis_offered_load(r));
    cJSON_AddNumberToObject(o, "requests", (double)r->requests);
    cJSON_AddItemToObject(o, "latency_ms", sim_hist_to_json(r->lat, 1e6));
    /* the shards' stations (simulated requests only: see redis.h) */
    const sim_station **st = g_new(const sim_station *, r->n);
    for (uint32_t i = 0; i < r->n; i++) st[i] = r->sh[i].st;
    cJSON_AddItemToObject(o, "stations", sim_station_pool_to_json(st, r->n, TRUE));
    g_free(st);
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
