/* redis: Redis as a capacity-limited, single-threaded server (or a cluster of
 * `shards` such servers routed as Redis Cluster routes: CRC16 of the key's
 * hash tag into 16384 slots, contiguous slot ranges per shard), for the
 * membership, routing and presence keys of the seed's design.
 *
 * Cost of a request. One request (a round trip carrying n >= 1 pipelined
 * commands) occupies its shard's one thread for
 *     request_s + n * command_s                       (both distributions)
 * The defaults fit two public benchmark figures: ~110k SET/s unpipelined
 * (1 / 110000 s for a request of one command) and ~682k SET/s at pipeline
 * depth 16 (16 / 682000 s for a request of 16), which gives a per-request
 * overhead of ~8.13 us (syscalls, parsing, reply) and ~0.96 us per command.
 * With n = 1 this is exactly the 110k/s figure; pipelining amortises the
 * overhead, as it does in Redis.
 *
 * Three kinds of load, all served by the same thread in FIFO order:
 *  - redis_request: a simulated request with a completion callback. It is a
 *    job of a 1-server sim_station per shard (so the visualizer and reports
 *    see its queue, waits and sojourn times).
 *  - redis_charge / redis_charge_work: work that occupies the thread (and
 *    delays later requests) but needs no completion event (e.g. the SETEX of
 *    an aggregated client's connect, the expire cycle's CPU time).
 *  - background ops (redis_add_background*): load given as a rate, e.g. the
 *    heartbeats of the millions of clients that never crash. It is modelled
 *    as a fluid: work arrives continuously at rate rho_bg (ops/s x cost per
 *    op), and the thread serves it FIFO with everything else. A request
 *    arriving at t waits for all unfinished work at t, background included:
 *        W(t) = unfinished work; between arrivals W drains at 1 - rho_bg
 *        (it grows if rho_bg >= 1: the shard is saturated and every request
 *        waits longer and longer, as a real overloaded Redis does);
 *        a request of cost s arriving at t completes at t + W(t) + s.
 *    The only thing the fluid leaves out is the granularity of background
 *    commands (a request may find one 1-us command in progress): a bias
 *    below one command time per request. See docs/presence.md.
 *
 * Counters: ops offered (requests' commands + charged ops + the integral of
 * the background rate), ops/s per interval with its peak, busy fraction
 * (utilization, <= 1) and offered load (work per unit time, may exceed 1).
 *
 * Scenario keys: the "redis" subtree (redis_defaults). */
#ifndef REDIS_H
#define REDIS_H

#include <stdint.h>
#include <glib.h>
#include <cjson/cJSON.h>
#include "sim/sim_engine.h"
#include "sim/sim_dist.h"
#include "sim/sim_hist.h"
#include "sim/sim_station.h"
#include "sim/sim_scenario.h"

typedef struct redis_server redis_server;

/* Caller-allocated; clear with redis_config_clear. */
typedef struct redis_config {
    uint32_t shards;     /* independent single-threaded servers (cluster masters), 1..16384 */
    sim_dist request_s;  /* per-request overhead, seconds */
    sim_dist command_s;  /* per-command cost, seconds */
    uint32_t active_expire_effort; /* redis.conf active-expire-effort, 1..10 (presence's expire cycle reads it) */
} redis_config;

/* Fills `cfg` with the defaults (1 shard, constant 8.13e-6 s + constant
 * 9.58e-7 s per command). */
void redis_config_init(redis_config *cfg);
void redis_config_clear(redis_config *cfg);

/* The "redis" subtree's schema with defaults: {"shards", "request_s",
 * "command_s"}. Caller owns; free with cJSON_Delete. */
cJSON *redis_defaults(void);
/* Reads the "redis" subtree of a loaded scenario (borrowed) into `out`
 * (which it initialises; clear with redis_config_clear even on failure).
 * FALSE with a one-line error naming the key on an impossible value. */
gboolean redis_config_from_scenario(const sim_scenario *sc, redis_config *out, GError **error);

/* Borrows `ctx` for the server's lifetime; copies `cfg`. Its RNG streams are
 * "redis.<shard>". Caller owns; free with redis_free. */
redis_server *redis_new(sim_ctx *ctx, const redis_config *cfg);
void redis_free(redis_server *r);                      /* NULL is a no-op */

uint32_t redis_shards(const redis_server *r);

/* ---- Redis Cluster routing: key -> one of 16384 hash slots -> shard ---- */
/* CRC16-CCITT (XModem), the cluster's key hash: CRC16("123456789") = 0x31C3. */
uint16_t redis_crc16(const char *buf, size_t len);
/* The slot of a key name, with hash tags: if the name has a '{' followed
 * later by a '}' with at least one byte between them, only those bytes are
 * hashed (CLUSTER KEYSLOT). */
uint16_t redis_key_slot(const char *key, size_t len);
/* The slot of every model key named after `id` as its hash tag
 * (presence:{id}, user:{id}:conn_server, channel:{id}:members): the CRC16
 * of the decimal id. */
uint16_t redis_id_slot(uint64_t id);
/* The slots master `i` of `n` owns after `redis-cli --cluster create`: one
 * contiguous range [first, last] (n = 3: 0-5460, 5461-10922, 10923-16383). */
void redis_shard_slots(uint32_t n, uint32_t i, uint32_t *first, uint32_t *last);
uint32_t redis_shard_of_slot(const redis_server *r, uint16_t slot);
/* The shard holding the keys tagged with `id` (a user id, a channel id):
 * the owner of redis_id_slot(id). */
uint32_t redis_shard_of(const redis_server *r, uint64_t key);
/* Mean cost in seconds of one request of `n_ops` commands. */
double redis_request_cost_s(const redis_server *r, double n_ops);

/* A request of `n_ops` (>= 1) pipelined commands on `key`'s shard, now.
 * done(ctx, data, arg) runs when it has been served (the reply is back;
 * network time is not modelled). `data` is borrowed until then. */
void redis_request(redis_server *r, uint64_t key, uint32_t n_ops,
                   sim_event_fn done, void *data, uint64_t arg);
/* The same on a shard given by index (the caller already knows the key's
 * shard: redis_shard_of hashes the key's id, and the fan-out needs it too). */
void redis_request_shard(redis_server *r, uint32_t shard, uint32_t n_ops,
                         sim_event_fn done, void *data, uint64_t arg);

/* Fire-and-forget: `n_ops` commands sent now in one request; their work
 * occupies the shard but no event is scheduled. */
void redis_charge(redis_server *r, uint64_t key, uint32_t n_ops);
/* The same on a shard given by index (commands whose keys the caller has
 * already spread over the shards). */
void redis_charge_shard(redis_server *r, uint32_t shard, uint32_t n_ops);
/* Work of `work` ns on `shard` now that is not a command (e.g. the active
 * expire cycle); counted in utilization, not in ops. */
void redis_charge_work(redis_server *r, uint32_t shard, sim_time work);

/* Adds `ops_per_sec` (negative to remove) of background load spread evenly
 * over all shards, as unpipelined single-command requests. */
void redis_add_background_ops(redis_server *r, double ops_per_sec);
/* Same on one shard, for commands sent `ops_per_request` per request
 * (pipelined; 1 = unpipelined). */
void redis_add_background_shard(redis_server *r, uint32_t shard, double ops_per_sec, double ops_per_request);
/* Current background rate in ops/s (all shards). */
double redis_background_ops_per_sec(const redis_server *r);

/* ---- Statistics ---- */
/* Ops offered since creation (requests, charges, background integral). */
double redis_ops_total(const redis_server *r);
/* Ops/s offered since the previous call (or creation); updates the peak.
 * Call once per time-series row. */
double redis_take_interval_rate(redis_server *r);
/* Largest interval rate so far; the mean rate if no interval was taken. */
double redis_ops_per_sec_peak(const redis_server *r);
/* Busy fraction of the thread since creation, mean over shards and the
 * largest shard's; in [0, 1]. */
double redis_utilization(const redis_server *r);
double redis_utilization_max(const redis_server *r);
/* The busiest shard (largest busy fraction; the lowest index on ties). */
uint32_t redis_hot_shard(const redis_server *r);
/* Work offered per unit time / shards; above 1 the cluster is overloaded. */
double redis_offered_load(const redis_server *r);
/* Unfinished work on `shard` now, seconds (the wait a request would see). */
double redis_backlog_s(const redis_server *r, uint32_t shard);
/* Sojourn times (arrival -> served) of redis_request requests, ns.
 * Borrowed until redis_free. */
const sim_hist *redis_latency_hist(const redis_server *r);
/* The station of `shard`, for the visualizer's pipeline scene. Its service
 * times include the background work a request found ahead of it, so its
 * waits are only the waits behind other simulated requests. Borrowed. */
const sim_station *redis_station(const redis_server *r, uint32_t shard);
/* {"shards","ops_total","ops_per_sec_peak","ops_per_sec_mean",
 *  "background_ops_per_sec","utilization","utilization_mean" (the same: the
 *  mean over shards),"utilization_max" (the busiest shard's),"hot_shard"
 *  (its index),"offered_load",
 *  "requests","latency_ms":{count,mean,p50,p90,p99,p999,max},
 *  "stations": the shards' stations, sim_station_pool_to_json with
 *  "by_instance" (simulated requests only, as redis_station says)}.
 * Caller owns. */
cJSON *redis_summary_json(const redis_server *r);

#endif
