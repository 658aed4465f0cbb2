/* sim_station: a multi-server FIFO queueing station (G/G/c/K).
 *
 * Invariants: busy <= number of server slots; a job waits in the queue only
 * while no server it may use is free (busy >= servers), so the queue is
 * empty whenever busy < servers; waiting + busy <= capacity when a capacity
 * is set. Each busy server has exactly one pending engine event, its service
 * completion, carrying the server's slot index; the station schedules
 * nothing else. The hot path (submit, completion) never allocates: waiting
 * jobs live in a ring buffer that only grows (doubling), busy jobs in the
 * slot array.
 *
 * Statistics: busy servers, servers and waiting jobs are time-weighted
 * averages (sim_tavg); waits (arrival -> start) and sojourns (arrival ->
 * done) are histograms in ns. */
#include "sim/sim_station.h"

#include <math.h>
#include <string.h>
#include "sim/sim_stats.h"

typedef struct {
    uint64_t job;
    sim_time arrived;
    sim_time service;     /* caller-chosen service time, or -1: draw at start */
} st_waiting;

typedef struct {
    uint64_t job;
    sim_time arrived;
    sim_time started;
} st_busy;

struct sim_station {
    sim_ctx *ctx;
    char *name;
    unsigned servers;           /* servers allowed to start jobs (c) */
    uint64_t capacity;          /* 0 = unlimited */
    sim_drop_policy drop;
    sim_dist service;           /* seconds */
    sim_rng rng;                /* stream sim_ctx_stream(ctx, name) */
    sim_station_done_fn done;
    sim_station_drop_fn dropped_fn;
    void *user;

    st_waiting *q;              /* ring buffer, capacity qcap (power of 2) */
    uint64_t qhead, qlen, qcap;

    st_busy *slot;              /* one per server slot, nslots >= servers */
    unsigned *free_slot;        /* stack of idle slot indices */
    unsigned nslots, nfree;
    unsigned busy;

    uint64_t arrivals, completed, ndropped;
    uint64_t waited;            /* jobs that found every server busy (waited > 0) */
    double service_scale;       /* drawn service times are multiplied by this (1; a fault's slowdown) */
    sim_time stats_t0;          /* start of the statistics (creation or reset) */
    /* servers_avg follows the servers that exist: max(servers, busy), since
     * a removed server finishes its job first; utilization is busy_avg
     * over it, so it never exceeds 1. */
    sim_tavg busy_avg, queue_avg, servers_avg;
    sim_hist *wait, *sojourn;
};

static void on_complete(sim_ctx *ctx, void *data, uint64_t arg);

/* ---------------------------------------------------------------- queue */

static void queue_grow(sim_station *st)
{
    uint64_t ncap = st->qcap ? st->qcap * 2 : 64;
    st_waiting *nq = g_new(st_waiting, ncap);
    for (uint64_t i = 0; i < st->qlen; i++) nq[i] = st->q[(st->qhead + i) & (st->qcap - 1)];
    g_free(st->q);
    st->q = nq;
    st->qhead = 0;
    st->qcap = ncap;
}

static inline void queue_push(sim_station *st, uint64_t job, sim_time arrived, sim_time service)
{
    if (G_UNLIKELY(st->qlen == st->qcap)) queue_grow(st);
    st_waiting *w = &st->q[(st->qhead + st->qlen) & (st->qcap - 1)];
    w->job = job;
    w->arrived = arrived;
    w->service = service;
    st->qlen++;
}

static inline st_waiting queue_pop(sim_station *st)
{
    st_waiting w = st->q[st->qhead];
    st->qhead = (st->qhead + 1) & (st->qcap - 1);
    st->qlen--;
    return w;
}

/* -------------------------------------------------------------- servers */

static void slots_grow(sim_station *st, unsigned n)
{
    if (n <= st->nslots) return;
    st->slot = g_renew(st_busy, st->slot, n);
    st->free_slot = g_renew(unsigned, st->free_slot, n);
    /* Push new slots so that the lowest index is used first. */
    for (unsigned i = n; i-- > st->nslots; ) st->free_slot[st->nfree++] = i;
    st->nslots = n;
}

/* Puts a job on server `s` now and schedules its completion. */
static inline void start_on(sim_station *st, unsigned s, uint64_t job, sim_time arrived, sim_time service, sim_time now)
{
    if (service < 0) service = sim_time_from_sec(sim_dist_sample(&st->service, &st->rng) * st->service_scale);
    st->slot[s].job = job;
    st->slot[s].arrived = arrived;
    st->slot[s].started = now;
    sim_hist_record(st->wait, now - arrived);
    st->waited += now > arrived;
    /* The sojourn is known now: fetch its bucket while the job is served
     * (on_complete otherwise waits on memory there). A hint only. */
    sim_hist_prefetch(st->sojourn, now + service - arrived);
    sim_at(st->ctx, sim_time_add_sat(now, service), on_complete, st, s);
}

static void start_new_server(sim_station *st, uint64_t job, sim_time arrived, sim_time service, sim_time now)
{
    unsigned s = st->free_slot[--st->nfree];
    st->busy++;
    sim_tavg_set(&st->busy_avg, now, st->busy);
    start_on(st, s, job, arrived, service, now);
}

static void on_complete(sim_ctx *ctx, void *data, uint64_t arg)
{
    sim_station *st = data;
    unsigned s = (unsigned)arg;
    sim_time now = sim_now(ctx);
    st_busy done = st->slot[s];
    st->completed++;
    sim_hist_record(st->sojourn, now - done.arrived);
    /* The next waiting job starts before the callback runs, so a job the
     * callback submits cannot overtake it. */
    if (st->qlen && st->busy <= st->servers) {
        st_waiting w = queue_pop(st);
        sim_tavg_set(&st->queue_avg, now, (double)st->qlen);
        start_on(st, s, w.job, w.arrived, w.service, now);
    } else {
        st->free_slot[st->nfree++] = s;
        st->busy--;
        sim_tavg_set(&st->busy_avg, now, st->busy);
        if (G_UNLIKELY(st->busy >= st->servers)) sim_tavg_set(&st->servers_avg, now, st->busy); /* a removed server left */
    }
    if (st->done) st->done(ctx, st->user, done.job, done.arrived, done.started);
}

/* ------------------------------------------------------------------ API */

sim_station *sim_station_new(sim_ctx *ctx, const sim_station_config *cfg,
                             sim_station_done_fn done, sim_station_drop_fn dropped, void *user)
{
    g_return_val_if_fail(ctx != NULL && cfg != NULL && cfg->servers >= 1, NULL);
    sim_station *st = g_new0(sim_station, 1);
    st->ctx = ctx;
    st->stats_t0 = sim_now(ctx);
    st->service_scale = 1.0;
    st->name = g_strdup(cfg->name ? cfg->name : "station");
    st->servers = cfg->servers;
    st->capacity = cfg->capacity;
    st->drop = cfg->drop;
    sim_dist_copy(&st->service, &cfg->service);
    sim_ctx_stream(ctx, st->name, &st->rng);
    st->done = done;
    st->dropped_fn = dropped;
    st->user = user;
    slots_grow(st, cfg->servers);
    sim_time now = sim_now(ctx);
    sim_tavg_init(&st->busy_avg, now, 0);
    sim_tavg_init(&st->queue_avg, now, 0);
    sim_tavg_init(&st->servers_avg, now, st->servers);
    st->wait = sim_hist_new();
    st->sojourn = sim_hist_new();
    return st;
}

void sim_station_free(sim_station *st)
{
    if (!st) return;
    g_free(st->name);
    sim_dist_clear(&st->service);
    g_free(st->q);
    g_free(st->slot);
    g_free(st->free_slot);
    sim_hist_free(st->wait);
    sim_hist_free(st->sojourn);
    g_free(st);
}

/* Makes room for one arrival under the capacity; FALSE if it is dropped. */
static gboolean admit(sim_station *st, uint64_t job, sim_time now)
{
    if (!st->capacity || st->qlen + st->busy < st->capacity) return TRUE;
    st->ndropped++;
    if (st->drop == SIM_DROP_HEAD && st->qlen) {
        st_waiting old = queue_pop(st);
        sim_tavg_set(&st->queue_avg, now, (double)st->qlen);
        if (st->dropped_fn) st->dropped_fn(st->ctx, st->user, old.job);
        return TRUE;
    }
    if (st->dropped_fn) st->dropped_fn(st->ctx, st->user, job);
    return FALSE;
}

/* `service` < 0: draw it from the distribution when service starts. */
static inline gboolean submit_job(sim_station *st, uint64_t job, sim_time service)
{
    sim_time now = sim_now(st->ctx);
    st->arrivals++;
    if (G_UNLIKELY(st->capacity) && !admit(st, job, now)) return FALSE;
    if (st->busy < st->servers) {
        start_new_server(st, job, now, service, now);
    } else {
        queue_push(st, job, now, service);
        sim_tavg_set(&st->queue_avg, now, (double)st->qlen);
    }
    return TRUE;
}

gboolean sim_station_submit(sim_station *st, uint64_t job)
{
    return submit_job(st, job, -1);
}

gboolean sim_station_submit_timed(sim_station *st, uint64_t job, sim_time service)
{
    g_return_val_if_fail(service >= 0, FALSE);
    return submit_job(st, job, service);
}

void sim_station_set_servers(sim_station *st, unsigned servers)
{
    g_return_if_fail(servers >= 1);
    sim_time now = sim_now(st->ctx);
    /* Busy slots above the new count stay busy until their jobs finish, so
     * the slot array may hold more than `servers` slots. */
    slots_grow(st, servers);
    st->servers = servers;
    sim_tavg_set(&st->servers_avg, now, MAX(servers, st->busy));
    while (st->busy < st->servers && st->qlen && st->nfree) {
        st_waiting w = queue_pop(st);
        sim_tavg_set(&st->queue_avg, now, (double)st->qlen);
        start_new_server(st, w.job, w.arrived, w.service, now);
    }
}

const char *sim_station_name(const sim_station *st) { return st->name; }
unsigned sim_station_servers(const sim_station *st) { return st->servers; }
uint64_t sim_station_in_queue(const sim_station *st) { return st->qlen; }
uint64_t sim_station_in_service(const sim_station *st) { return st->busy; }
uint64_t sim_station_arrivals(const sim_station *st) { return st->arrivals; }
uint64_t sim_station_completed(const sim_station *st) { return st->completed; }
uint64_t sim_station_dropped(const sim_station *st) { return st->ndropped; }

double sim_station_utilization(const sim_station *st)
{
    sim_time now = sim_now(st->ctx);
    double c = sim_tavg_mean(&st->servers_avg, now);
    return c > 0 ? sim_tavg_mean(&st->busy_avg, now) / c : 0.0;
}

double sim_station_mean_queue(const sim_station *st)
{
    return sim_tavg_mean(&st->queue_avg, sim_now(st->ctx));
}

double sim_station_mean_in_system(const sim_station *st)
{
    sim_time now = sim_now(st->ctx);
    return sim_tavg_mean(&st->queue_avg, now) + sim_tavg_mean(&st->busy_avg, now);
}

const sim_hist *sim_station_wait_hist(const sim_station *st) { return st->wait; }
const sim_hist *sim_station_sojourn_hist(const sim_station *st) { return st->sojourn; }

void sim_station_reset_stats(sim_station *st)
{
    sim_time now = sim_now(st->ctx);
    sim_tavg_restart(&st->busy_avg, now);
    sim_tavg_restart(&st->queue_avg, now);
    sim_tavg_restart(&st->servers_avg, now);
    sim_hist_reset(st->wait);
    sim_hist_reset(st->sojourn);
    st->arrivals = st->completed = st->ndropped = st->waited = 0;
    st->stats_t0 = now;
}

void sim_station_set_service_scale(sim_station *st, double factor)
{
    g_return_if_fail(factor > 0 && isfinite(factor));
    st->service_scale = factor;
}

double sim_station_p_wait(const sim_station *st)
{
    uint64_t started = sim_hist_count(st->wait);
    return started ? (double)st->waited / (double)started : 0;
}

double sim_station_arrival_rate(const sim_station *st)
{
    double secs = sim_time_to_sec(sim_now(st->ctx) - st->stats_t0);
    return secs > 0 ? (double)st->arrivals / secs : 0;
}

cJSON *sim_station_to_json(const sim_station *st)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", st->name);
    cJSON_AddNumberToObject(o, "servers", st->servers);
    if (st->capacity) cJSON_AddNumberToObject(o, "capacity", (double)st->capacity);
    cJSON_AddNumberToObject(o, "arrivals", (double)st->arrivals);
    cJSON_AddNumberToObject(o, "completed", (double)st->completed);
    cJSON_AddNumberToObject(o, "dropped", (double)st->ndropped);
    cJSON_AddNumberToObject(o, "utilization", sim_station_utilization(st));
    cJSON_AddNumberToObject(o, "mean_queue", sim_station_mean_queue(st));
    cJSON_AddNumberToObject(o, "mean_in_system", sim_station_mean_in_system(st));
    cJSON_AddNumberToObject(o, "arrival_rate_per_s", sim_station_arrival_rate(st));
    cJSON_AddNumberToObject(o, "p_wait", sim_station_p_wait(st));
    cJSON_AddItemToObject(o, "wait_ms", sim_hist_to_json(st->wait, 1e6));
    cJSON_AddItemToObject(o, "sojourn_ms", sim_hist_to_json(st->sojourn, 1e6));
    return o;
}

cJSON *sim_station_pool_to_json(const sim_station *const *st, size_t n, gboolean by_instance)
{
    g_return_val_if_fail(st != NULL || n == 0, NULL);
    uint64_t servers = 0, arrivals = 0, completed = 0, dropped = 0, waited = 0;
    size_t hot = 0;
    double rate = 0, util = 0, util_max = 0, lq = 0, lq_max = 0, l = 0, l_max = 0, pw_max = 0, w_max = 0;
    sim_hist *wait = sim_hist_new(), *sojourn = sim_hist_new();
    for (size_t i = 0; i < n; i++) {
        const sim_station *s = st[i];
        double u = sim_station_utilization(s), q = sim_station_mean_queue(s), ls = sim_station_mean_in_system(s);
        servers += s->servers;
        arrivals += s->arrivals;
        completed += s->completed;
        dropped += s->ndropped;
        waited += s->waited;
        rate += sim_station_arrival_rate(s);
        util += u;
        if (u > util_max) { util_max = u; hot = i; }
        lq += q;
        lq_max = MAX(lq_max, q);
        l += ls;
        l_max = MAX(l_max, ls);
        pw_max = MAX(pw_max, sim_station_p_wait(s));
        w_max = MAX(w_max, sim_hist_mean(s->wait) / 1e6);
        sim_hist_merge(wait, s->wait);
        sim_hist_merge(sojourn, s->sojourn);
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "instances", (double)n);
    cJSON_AddNumberToObject(o, "servers", (double)servers);
    cJSON_AddNumberToObject(o, "arrivals", (double)arrivals);
    cJSON_AddNumberToObject(o, "completed", (double)completed);
    cJSON_AddNumberToObject(o, "dropped", (double)dropped);
    cJSON_AddNumberToObject(o, "utilization", n ? util / (double)n : 0);
    cJSON_AddNumberToObject(o, "utilization_max", util_max);
    cJSON_AddNumberToObject(o, "hot_instance", (double)hot);
    cJSON_AddNumberToObject(o, "mean_queue", lq);
    cJSON_AddNumberToObject(o, "mean_queue_max", lq_max);
    cJSON_AddNumberToObject(o, "mean_in_system", l);
    cJSON_AddNumberToObject(o, "mean_in_system_max", l_max);
    cJSON_AddNumberToObject(o, "arrival_rate_per_s", rate);
    cJSON_AddNumberToObject(o, "p_wait", sim_hist_count(wait) ? (double)waited / (double)sim_hist_count(wait) : 0);
    cJSON_AddNumberToObject(o, "p_wait_max", pw_max);
    cJSON_AddItemToObject(o, "wait_ms", sim_hist_to_json(wait, 1e6));
    cJSON_AddNumberToObject(o, "wait_mean_ms_max", w_max);
    cJSON_AddItemToObject(o, "sojourn_ms", sim_hist_to_json(sojourn, 1e6));
    if (by_instance) {
        cJSON *a = cJSON_AddArrayToObject(o, "by_instance");
        for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(a, sim_station_to_json(st[i]));
    }
    sim_hist_free(wait);
    sim_hist_free(sojourn);
    return o;
}

/* ------------------------------------------------------------- formulas */

double sim_erlang_c(unsigned c, double lambda, double mu)
{
    g_return_val_if_fail(c >= 1 && mu > 0 && lambda >= 0, NAN);
    double a = lambda / mu;          /* offered load in Erlangs */
    double rho = a / c;
    if (rho >= 1.0) return 1.0;
    /* Erlang B by its recurrence B(k) = a B(k-1) / (k + a B(k-1)): every
     * term lies in [0, 1], so it neither overflows (as a^c / c! would for
     * c = 1000) nor cancels. Then C = B / (1 - rho (1 - B)). */
    double b = 1.0;
    for (unsigned k = 1; k <= c; k++) b = a * b / (k + a * b);
    return b / (1.0 - rho * (1.0 - b));
}

double sim_mmc_mean_wait(unsigned c, double lambda, double mu)
{
    g_return_val_if_fail(c >= 1 && mu > 0 && lambda >= 0, NAN);
    if (lambda >= c * mu) return INFINITY;
    return sim_erlang_c(c, lambda, mu) / (c * mu - lambda);
}
