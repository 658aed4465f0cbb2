/* presence: the seed's Presence TTL Pattern on a redis_server.
 *
 * Every connected client heartbeats every heartbeat_s (30 s) and the server
 * runs `SETEX presence:{user} ttl_s {gateway}` (65 s) on each. A clean
 * disconnect DELs the key at once. A client that crashes stops heartbeating;
 * its key expires ttl_s after the last SETEX and is *detected* when Redis
 * actually removes it, the moment Redis emits the "expired" keyspace event:
 *  - lazily, when a GET finds it expired (presence_online, or the watchers'
 *    reads, presence.reads_per_key_s), which deletes it and answers absent;
 *  - or by the active expire cycle, expire.hz times a second per shard,
 *    in one of two versions (presence.expire.algorithm):
 *    "scan" (default: Redis 6.0 to 7.0's activeExpireCycle, what Debian 12
 *    ships): a cursor walks the expires dict's buckets in order; each loop
 *    visits buckets until keys_per_loop keys were sampled or 20 x that many
 *    buckets checked, deletes the expired ones, and the loop repeats while
 *    the expired share of its sample exceeds stale_pct; active-expire-effort
 *    (redis.active_expire_effort, 1..10) derives keys per loop 20 + 5(e-1), the slow
 *    cycle's CPU limit 25 + 2(e-1) % of 1/hz, the acceptable stale share
 *    10 - (e-1) % and the fast cycle (1000 + 250(e-1) us, run before the
 *    event loop sleeps, only after a cycle hit its time limit);
 *    "sample" (Redis <= 5, the algorithm redis.io's EXPIRE page describes):
 *    each loop draws 20 keys with a TTL at random (with replacement) and
 *    repeats while more than 5 of the 20 were expired.
 *    Both check their time limit every 16 loops, each sampled key costing
 *    sample_cost_s of the shard's thread.
 *
 * Scale. A client is simulated individually (its own key, its own heartbeat
 * events and SETEX requests through the redis station) if its id is below
 * presence.individual_clients, or from the moment it crashes. Every other
 * connected client is aggregated: it is counted per shard, its heartbeats
 * are Redis background load (connected / heartbeat_s SETEX/s), and its key
 * is one of the live keys the active cycle visits. The cycle works on the
 * shard's whole TTL keyspace (aggregated live keys + explicit keys): the
 * sample draws hit an expired key with exactly the probability Redis's
 * would, and the scan finds each stale key in its own bucket with the live
 * keys of a bucket drawn as uniform hashing spreads them. See
 * docs/presence.md.
 *
 * Time 0: clients connected at time 0 (presence_connect before the clock
 * moves) are taken as connected before the run started: a uniform random
 * heartbeat phase, key present, no connect SETEX charged. Later connects
 * SETEX at once and heartbeat from then on.
 *
 * Alternatives and faults: presence.store = "db_rows" puts the same
 * heartbeats in PostgreSQL rows with a cleanup job instead (see
 * presence_db_use); a redis_failover fault loses a shard's keys (see
 * presence_failover_begin).
 *
 * Scenario keys: the "presence" subtree (presence_defaults). */
#ifndef PRESENCE_H
#define PRESENCE_H

#include <stdint.h>
#include <glib.h>
#include <cjson/cJSON.h>
#include "sim/sim_engine.h"
#include "sim/sim_hist.h"
#include "sim/sim_scenario.h"
#include "models/redis.h"

typedef struct presence presence;

typedef struct presence_config {
    double heartbeat_s;           /* client heartbeat period (30) */
    double ttl_s;                 /* SETEX expiry (65) */
    double crash_per_hour;        /* fraction of connected clients crashing per hour (Poisson) */
    uint32_t crash_count;         /* plus this many crashes, uniform over [0, crash_window_s) */
    double crash_window_s;
    double reconnect_s;           /* mean time after a crash until the client reconnects; 0 = never */
    double reads_per_key_s;       /* GETs of each user's presence key per second by watchers */
    uint32_t individual_clients;  /* users [0, n) simulated with their own heartbeat events */
    uint32_t pipeline;            /* aggregated heartbeats per pipelined SETEX request (1 = none) */
    uint32_t expire_hz;           /* active expire cycles per second per shard (Redis hz) */
    uint32_t expire_effort;       /* active-expire-effort, 1..10 ("scan" only) */
    uint32_t expire_keys_per_loop;/* keys per loop; 0 = from algorithm and effort */
    double expire_stale_pct;      /* repeat while expired share > this %; 0 = derived */
    double expire_time_limit_pct; /* slow cycle's limit, % of 1/hz; 0 = derived */
    double expire_sample_cost_s;  /* thread time per sampled key */
    gboolean expire_scan;         /* TRUE: "scan" (Redis 6.0-7.0); FALSE: "sample" (<= 5) */
    gboolean failover_storm;      /* failover_resync: FALSE "heartbeat", TRUE "storm" */
    /* store "db_rows": heartbeats UPDATE a row in PostgreSQL, a cleanup job finds stale rows */
    gboolean store_db;            /* store: FALSE "redis_ttl", TRUE "db_rows" */
    uint32_t db_pool;             /* writers of presence's own pool; 0: share the message writers */
    double cleanup_interval_s;    /* the cleanup job runs this often */
    double cleanup_row_s;         /* its writer time per row scanned */
} presence_config;

/* The expire cycle's parameters as Redis derives them. */
typedef struct presence_expire {
    uint32_t keys_per_loop;       /* scan: 20 + 5(e-1); sample: 20 */
    double stale_pct;             /* scan: 10 - (e-1); sample: 25 */
    double time_limit_pct;        /* scan: 25 + 2(e-1); sample: 25 */
    uint32_t fast_duration_us;    /* scan: 1000 + 250(e-1); sample: 0 (none) */
} presence_expire;

/* Resolves `cfg`'s algorithm, effort and explicit overrides (non-zero
 * keys_per_loop, stale_pct, time_limit_pct) into `out`. */
void presence_expire_params(const presence_config *cfg, presence_expire *out);

/* Fills `cfg` with the defaults (see presence_defaults). */
void presence_config_init(presence_config *cfg);

/* The "presence" subtree's schema with defaults. Caller owns; free with
 * cJSON_Delete. */
cJSON *presence_defaults(void);
/* Reads and range-checks the "presence" subtree (scenario borrowed). FALSE
 * with a one-line error naming the key. */
gboolean presence_config_from_scenario(const sim_scenario *sc, presence_config *out, GError **error);

/* Users are 0 .. n_users-1, all offline at first. Borrows `ctx` and `redis`
 * for its lifetime; copies `cfg`. Starts the expire cycles (one per shard,
 * random phases), the crash process if crash_per_hour > 0, and schedules
 * the crash_count crashes (each hits a client connected at that time);
 * RNG streams "presence.*". Caller owns; free with presence_free (before
 * the redis server). */
presence *presence_new(sim_ctx *ctx, redis_server *redis, const presence_config *cfg, uint32_t n_users);
void presence_free(presence *p);                       /* NULL is a no-op */

/* Client `user` opens its WebSocket on `gateway`: SETEX now, then a
 * heartbeat every heartbeat_s. No-op if already connected. */
void presence_connect(presence *p, uint32_t user, uint32_t gateway);
/* Clean disconnect: DEL now; never counted as a crash or a detection. */
void presence_disconnect(presence *p, uint32_t user);
/* The client dies without a word: no more heartbeats, the key stays until
 * Redis removes it. No-op unless connected. */
void presence_crash(presence *p, uint32_t user);

/* GET presence:{user} now, with Redis's lazy expiry: an expired key is
 * deleted (a detection, if its client crashed) and reported absent. The
 * caller accounts the GET's Redis cost in its own request (e.g. the
 * fan-out's pipelined lookups). */
gboolean presence_online(presence *p, uint32_t user);
/* TRUE while the client itself is connected (not crashed, not gone). */
gboolean presence_connected(const presence *p, uint32_t user);

/* ---- redis_failover (faults.c) ----
 * Shard `shard`'s master dies now and takes every presence:{user} key of
 * the shard with it (presence is not persisted, and a replica promoted
 * from an empty or lagging copy has none of them). Until the promotion,
 * SETEXs land on the dead master and are lost. A connected client whose
 * key is gone reads as offline (presence_online FALSE): a false offline.
 * A crashed client's key awaiting detection is gone too (counted as
 * cleared, not detected). */
void presence_failover_begin(presence *p, uint32_t shard);
/* The replica takes over now. With failover_resync "heartbeat" each
 * client's key is back at its next heartbeat (within heartbeat_s); with
 * "storm" every gateway re-SETEXes all its clients of the shard at once
 * (presence.pipeline per request): keys are back when the burst is served,
 * and everything else on the shard waits behind it. Returns when the
 * last key is back. */
sim_time presence_failover_promote(presence *p, uint32_t shard);
/* Some shard's keys are not all back: fan-out must ask presence_online
 * even for connected members (once per message, not per member). */
gboolean presence_failover_active(const presence *p);
/* Keys lost, crashed clients' keys cleared, resync SETEXs sent, over
 * every failover so far. */
void presence_failover_counts(const presence *p, uint64_t *keys_lost, uint64_t *cleared, uint64_t *resync_setex);

/* ---- store "db_rows" (presence.c's component wires it) ----
 * Every write (a heartbeat's or connect's UPDATE, a disconnect's, the
 * cleanup job) is a job for a PostgreSQL writer pool: `submit(data, job,
 * work)` queues it (work 0: one write, drawn from the pool's service
 * time; else the job's own time); when it commits the pool's owner calls
 * presence_db_done with the job and the time it started. A row is online
 * until the cleanup job, which reads the table as of its start, finds its
 * last_seen older than ttl_s: that is when a crash is detected. Nothing
 * of presence touches Redis. */
typedef void (*presence_db_submit_fn)(void *data, uint64_t job, sim_time work);
/* Jobs of presence carry this bit (the message writers' jobs are slots). */
#define PRESENCE_DB_JOB (UINT64_C(1) << 63)
/* Call once, right after presence_new with store_db, before any connect;
 * starts the heartbeat writes and the cleanup job. `data` borrowed. */
void presence_db_use(presence *p, presence_db_submit_fn submit, void *data);
void presence_db_done(presence *p, uint64_t job, sim_time started);
void presence_db_dropped(presence *p, uint64_t job);     /* refused by the pool's queue_limit */
/* {"store":"db_rows","writes","writes_per_sec","heartbeat_writes","dropped",
 *  "cleanup_runs","cleanup_rows_scanned","cleanup_s":{count,mean,...}}; NULL
 * with the Redis store. Caller owns. */
cJSON *presence_db_summary_json(const presence *p);

/* ---- Statistics ---- */
uint64_t presence_connected_count(const presence *p);
/* presence:* keys in Redis now, expired-but-not-removed included. */
uint64_t presence_keys(const presence *p);
/* Keys past their TTL not yet removed (memory Redis still holds). */
uint64_t presence_stale_keys(presence *p);
/* Heartbeat SETEXs so far (individual + aggregated, rounded). */
uint64_t presence_heartbeats(const presence *p);
uint64_t presence_crashes(const presence *p);
uint64_t presence_detected(const presence *p);
/* Crash -> removal, ns. Borrowed until presence_free. */
const sim_hist *presence_detect_hist(const presence *p);
/* TTL passed -> removal (the expiry machinery's slack), ns. Borrowed. */
const sim_hist *presence_slack_hist(const presence *p);

/* {"heartbeats","crashes","detected","detect_delay_s":{count,mean,p50,p90,
 *   p99,p999,max},"detected_active","detected_lazy","undetected",
 *   "undetected_past_ttl","undetected_before_ttl",
 *   "reconnected_before_detection","false_expiries","expire_slack_s":{...},
 *   "connected","keys","stale_keys","stale_keys_peak","expire_cycles",
 *   "expire_fast_cycles","expire_loops","expire_buckets","expire_keys_sampled",
 *   "expire_time_limit_hits","setex_per_sec"}.
 * Undetected crashes are censored: they are not in detect_delay_s, so read
 * "undetected_past_ttl" next to it. Caller owns. */
cJSON *presence_summary_json(const presence *p);

#endif
