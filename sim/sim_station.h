/* sim_station: a multi-server FIFO queueing station (G/G/c/K): c identical
 * servers, one FIFO queue, service times from a distribution (in seconds),
 * an optional capacity with a drop policy. The Slack components are built
 * from it. It reports utilization, mean queue length, waits and sojourn
 * times. Jobs are opaque 64-bit tags chosen by the caller. */
#ifndef SIM_STATION_H
#define SIM_STATION_H

#include <stdint.h>
#include <glib.h>
#include <cjson/cJSON.h>
#include "sim/sim_engine.h"
#include "sim/sim_dist.h"
#include "sim/sim_hist.h"

typedef struct sim_station sim_station;

typedef enum {
    SIM_DROP_TAIL,   /* a job arriving at a full station is dropped */
    SIM_DROP_HEAD    /* the oldest waiting job is dropped to make room */
} sim_drop_policy;

typedef struct sim_station_config {
    const char *name;       /* copied; names the RNG stream and reports */
    unsigned servers;       /* c >= 1 */
    uint64_t capacity;      /* max jobs waiting + in service; 0 = unlimited */
    sim_drop_policy drop;
    sim_dist service;       /* service time in seconds; copied */
} sim_station_config;

/* Called when `job` finishes service (`arrived`, `started` are its times).
 * May be NULL. The next waiting job has already started when it runs, so a
 * job it submits queues behind those already waiting. */
typedef void (*sim_station_done_fn)(sim_ctx *ctx, void *user, uint64_t job, sim_time arrived, sim_time started);
/* Called when `job` is dropped for lack of room. May be NULL. */
typedef void (*sim_station_drop_fn)(sim_ctx *ctx, void *user, uint64_t job);

/* Borrows `ctx` for the station's lifetime; `cfg` is copied. Draws service
 * times from the stream sim_ctx_stream(ctx, cfg->name). Schedules exactly one
 * engine event per job served (its completion) and allocates nothing per
 * job. Caller owns the result; free with sim_station_free (pending
 * completions must not run afterwards: free the ctx too, or stop running). */
sim_station *sim_station_new(sim_ctx *ctx, const sim_station_config *cfg,
                             sim_station_done_fn done, sim_station_drop_fn dropped, void *user);
void sim_station_free(sim_station *st);           /* NULL is a no-op */

/* A job arrives now. Its service time is drawn from the configured
 * distribution when service starts. FALSE if it was dropped on arrival
 * (tail drop); with SIM_DROP_HEAD a full station drops its oldest waiting
 * job instead (reported through `dropped`) and returns TRUE. Every drop
 * counts in sim_station_dropped. */
gboolean sim_station_submit(sim_station *st, uint64_t job);
/* Same, with a service time in ns (>= 0) chosen by the caller (e.g. batch
 * size dependent); the distribution is not sampled. */
gboolean sim_station_submit_timed(sim_station *st, uint64_t job, sim_time service);

/* Changes the number of servers (e.g. a gateway dies); jobs in service on
 * removed servers finish, and no job starts until fewer than `servers` are
 * busy. Added servers take waiting jobs at once. servers >= 1. */
void sim_station_set_servers(sim_station *st, unsigned servers);
/* Service times drawn from now on are multiplied by `factor` (> 0): a
 * slowed-down server (a fault); 1 restores it. Timed submissions, whose
 * service the caller gives, are not scaled. */
void sim_station_set_service_scale(sim_station *st, double factor);

const char *sim_station_name(const sim_station *st);
unsigned sim_station_servers(const sim_station *st);
uint64_t sim_station_in_queue(const sim_station *st);   /* waiting now */
uint64_t sim_station_in_service(const sim_station *st); /* busy servers now */
uint64_t sim_station_arrivals(const sim_station *st);
uint64_t sim_station_completed(const sim_station *st);
uint64_t sim_station_dropped(const sim_station *st);
/* Time averages since creation (or the last sim_station_reset_stats). The
 * utilization is busy servers over servers present (a removed server is
 * present until its last job ends), so it stays in [0, 1]. */
double sim_station_utilization(const sim_station *st);    /* busy servers / c */
double sim_station_mean_queue(const sim_station *st);     /* waiting jobs */
double sim_station_mean_in_system(const sim_station *st); /* waiting + in service */
/* Wait (arrival -> start) and sojourn (arrival -> done) times in ns. Borrowed. */
const sim_hist *sim_station_wait_hist(const sim_station *st);
/* Fraction of started jobs that waited (found every server busy): Erlang-C's
 * C(c, a) for an M/M/c station. */
double sim_station_p_wait(const sim_station *st);
/* Arrivals per second since creation (or the last reset): lambda of
 * Little's law L = lambda W with mean_in_system and the mean sojourn. */
double sim_station_arrival_rate(const sim_station *st);
const sim_hist *sim_station_sojourn_hist(const sim_station *st);
/* Forget statistics gathered so far (end of warm-up); state is kept. */
void sim_station_reset_stats(sim_station *st);
/* {"name","servers","capacity" (if set),"arrivals","completed","dropped",
 *  "utilization","mean_queue","mean_in_system","wait_ms":{...},
 *  "sojourn_ms":{...}} (histograms as sim_hist_to_json in ms). Caller owns. */
cJSON *sim_station_to_json(const sim_station *st);
/* The queue statistics of a pool of `n` like stations (a cluster's nodes,
 * Redis's shards; n may be 0 or 1), under the names sim_station_to_json
 * uses so one reader checks Little's law and Erlang-C on either:
 * {"instances", "servers", "arrivals", "completed", "dropped",
 *  "arrival_rate_per_s" (sums over instances), "utilization" (mean over
 *  instances), "utilization_max", "hot_instance" (the index of the
 *  busiest instance, the first of equals; 0 when n is 0), "mean_queue", "mean_in_system" (sums: the
 *  pool's Lq and L), "mean_queue_max", "mean_in_system_max" (the worst
 *  instance's), "p_wait" (share of all started jobs that waited),
 *  "p_wait_max", "wait_ms", "sojourn_ms" (every instance's jobs merged, so
 *  L = lambda W holds on the pool), "wait_mean_ms_max" (the worst
 *  instance's mean wait) and, with `by_instance`, "by_instance": one
 *  sim_station_to_json object per station in order}. `st` is borrowed.
 * Caller owns the result. */
cJSON *sim_station_pool_to_json(const sim_station *const *st, size_t n, gboolean by_instance);

/* Erlang-C: probability an arrival waits in M/M/c with arrival rate lambda
 * and service rate mu per server (lambda < c mu; 1 otherwise), and the mean
 * wait Wq in the time unit of 1/mu (INFINITY if lambda >= c mu). Stable for
 * any c (computed through the Erlang-B recurrence, no factorials). */
double sim_erlang_c(unsigned c, double lambda, double mu);
double sim_mmc_mean_wait(unsigned c, double lambda, double mu);

#endif
