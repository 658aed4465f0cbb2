/* gateway (gw_): the WebSocket gateway servers. Each holds connections
 * (one per connected client; the client's gateway is recorded for routing,
 * the seed's user:{id}:conn_server) and a CPU of `cores` cores.
 *
 * A client's connection is pinned to one core (user % cores), as event-loop
 * servers do (gateways.scheduling "pinned"; "pooled" lets any core take any
 * work, the earliest free first), and each core serves its work FIFO: inbound messages, connect
 * handshakes and outbound push batches. Work is booked in virtual time
 * (Lindley's recursion: start = max(now, core free), free = start + work), so
 * a batch of pushes needs no event of its own: the i-th push of a batch
 * starting at s completes at s + overhead + i * per_push. This is exact for a
 * FIFO single-server core whose bookings arrive in time order, which they do
 * (every booking is made at the current simulated time). */
#ifndef GATEWAY_H
#define GATEWAY_H

#include <stdint.h>
#include <glib.h>
#include "sim/sim_engine.h"
#include "sim/sim_hist.h"
#include "models/slack_config.h"

typedef struct gw_set gw_set;

/* conn[] value of a user without a connection. */
#define GW_NONE ((uint16_t)0xFFFF)

/* `cfg` borrowed during the call; `ctx` for the set's lifetime (RNG stream
 * "gateways"). Caller owns; free with gw_free. */
gw_set *gw_new(sim_ctx *ctx, const slack_cfg *cfg, uint32_t n_users);
void gw_free(gw_set *g);                               /* NULL is a no-op */

uint32_t gw_count(const gw_set *g);
uint32_t gw_cores(const gw_set *g);
/* Each user's gateway or GW_NONE. Borrowed; valid until gw_free. */
const uint16_t *gw_conn_table(const gw_set *g);
/* The core that serves `user`'s work on gateway `gw` now: with
 * gateways.scheduling "pinned" (an event loop per core) user % cores, with
 * "pooled" (one work queue for every core) the core that frees first. */
uint32_t gw_core_of(const gw_set *g, uint32_t gw, uint32_t user);
gboolean gw_pooled(const gw_set *g);

/* Opens `user`'s connection on gateway `gw` (no CPU charged) or, with
 * gw = GW_NONE, on the least-loaded live gateway; returns the gateway, or
 * GW_NONE if every gateway is full or dead. No-op if already connected. */
uint16_t gw_connect(gw_set *g, uint32_t user, uint16_t gw);
void gw_disconnect(gw_set *g, uint32_t user);
uint64_t gw_connections(const gw_set *g, uint32_t gw);
uint64_t gw_total_connections(const gw_set *g);
uint64_t gw_connections_peak(const gw_set *g);        /* largest total so far */
uint64_t gw_connections_max_per_gateway(const gw_set *g);
gboolean gw_alive(const gw_set *g, uint32_t gw);
void gw_set_alive(gw_set *g, uint32_t gw, gboolean alive);

/* Books `work` ns on `user`'s core of gateway `gw` now; returns the time
 * the work starts. */
sim_time gw_book(gw_set *g, uint32_t gw, uint32_t user, sim_time work);
/* Same for a core given by index (push batches are per core). Each
 * booking is a job: its wait (start - now) goes to gw_wait_hist. */
sim_time gw_book_core(gw_set *g, uint32_t gw, uint32_t core, sim_time work);
/* Aggregated load (many requests as one booking, e.g. polls): occupies the
 * core like a job but is not one, so no wait is recorded. */
sim_time gw_book_load(gw_set *g, uint32_t gw, uint32_t core, sim_time work);
/* Waits of every job booked on any core (start - booking time), ns;
 * borrowed. And the fraction of them that found their core busy. */
const sim_hist *gw_wait_hist(const gw_set *g);
double gw_p_wait(const gw_set *g);
/* Appends `work` ns to the work just booked on that core (a batch that
 * grows after its start was fixed; no booking may come in between). */
void gw_extend_core(gw_set *g, uint32_t gw, uint32_t core, sim_time work);
/* Samples of the configured service times, ns; the per-push cost is the
 * mean of push_s (pushes come in batches, whose total is n x mean). */
sim_time gw_inbound_work(gw_set *g);
sim_time gw_push_cost(gw_set *g);
sim_time gw_batch_overhead(gw_set *g);
sim_time gw_connect_work(gw_set *g);

/* Utilization of the busiest gateway since the previous call (or creation):
 * work done in the interval / (cores x interval length). Also updates the
 * run's maximum. Call once per time-series row. */
double gw_take_interval_util_max(gw_set *g);
double gw_util_max(const gw_set *g);                   /* largest interval value */
/* Work booked per interval / capacity, largest over gateways and
 * intervals. Bursty where a backlog holds work back and releases it (the
 * booking follows the backlog, not the demand): gw_offered_load is the
 * figure to read. */
double gw_offered_max(const gw_set *g);
/* All work booked on a gateway / (cores x `over`), the busiest gateway's:
 * the demand over a run of length `over` (above 1 it falls behind). */
double gw_offered_load(const gw_set *g, sim_time over);
double gw_util_mean(const gw_set *g);                  /* whole run, all gateways */
/* Longest queue of booked work on any core now, seconds. */
double gw_backlog_max_s(const gw_set *g);
uint64_t gw_pushes(const gw_set *g);
uint64_t gw_batches(const gw_set *g);
void gw_count_pushes(gw_set *g, uint64_t pushes);

#endif
