/* sim_engine: the simulation context: clock, pending-event set, run seed.
 *
 * Everything a run mutates lives in one sim_ctx, so independent simulations
 * run side by side on threads. Events are (time, handler, data, arg); they
 * run in a total order: by time, and at equal times in the order they were
 * scheduled (FIFO). Models plug in through handlers and a void * (libuv,
 * ROSS); the engine never sees model types. */
#ifndef SIM_ENGINE_H
#define SIM_ENGINE_H

#include <stdint.h>
#include <stddef.h>
#include <glib.h>
#include "sim/sim_time.h"
#include "sim/sim_rng.h"

typedef struct sim_ctx sim_ctx;

/* Handle of a scheduled event; 0 is never a valid handle. */
typedef uint64_t sim_event_id;
#define SIM_EVENT_NONE ((sim_event_id)0)

/* An event's action. `data` and `arg` are whatever the scheduler passed:
 * the engine neither reads nor frees them. */
typedef void (*sim_event_fn)(sim_ctx *ctx, void *data, uint64_t arg);

/* Caller owns the result; free with sim_ctx_free. The clock starts at 0. */
sim_ctx *sim_ctx_new(uint64_t seed);
void     sim_ctx_free(sim_ctx *ctx);               /* NULL is a no-op */

uint64_t sim_ctx_seed(const sim_ctx *ctx);
/* Initialises `out` as this run's stream named `name` (see sim_rng.h). */
void     sim_ctx_stream(const sim_ctx *ctx, const char *name, sim_rng *out);

sim_time sim_now(const sim_ctx *ctx);

/* Schedules fn(ctx, data, arg) at absolute time `when` (>= now; earlier is a
 * programming error) or after `delay` (>= 0). Returns the event's handle. */
sim_event_id sim_at(sim_ctx *ctx, sim_time when, sim_event_fn fn, void *data, uint64_t arg);
sim_event_id sim_after(sim_ctx *ctx, sim_time delay, sim_event_fn fn, void *data, uint64_t arg);

/* Cancels a pending event: TRUE if it was pending, FALSE if it already ran,
 * was cancelled, or `id` is SIM_EVENT_NONE. */
gboolean sim_cancel(sim_ctx *ctx, sim_event_id id);
/* Moves a pending event to `when` (>= now). It is ordered as if scheduled
 * now (a later FIFO position among equal times). Returns the handle that now
 * refers to it, which may differ from `id`: store the result. Returns
 * SIM_EVENT_NONE if `id` was not pending. */
sim_event_id sim_reschedule(sim_ctx *ctx, sim_event_id id, sim_time when);
gboolean sim_is_pending(const sim_ctx *ctx, sim_event_id id);

size_t   sim_pending(const sim_ctx *ctx);          /* events waiting */
/* Event records held, pending or cancelled and not yet reclaimed
 * (cancellation is lazy): at most 2 * sim_pending + SIM_EVSET_DEAD_SLACK. */
size_t   sim_events_held(const sim_ctx *ctx);
uint64_t sim_events_executed(const sim_ctx *ctx);
/* Time of the next pending event, or SIM_TIME_MAX. */
sim_time sim_next_time(sim_ctx *ctx);

/* Runs the earliest event. FALSE if none was pending. */
gboolean sim_step(sim_ctx *ctx);
/* Runs every event with time <= `end` (including events a handler schedules
 * at <= `end`), then advances the clock to `end` (never backwards: with
 * end < now nothing runs and the clock stays). If a handler calls sim_stop,
 * returns after that event with the clock at its time; the next call goes
 * on from there. Returns the number of events run. */
uint64_t sim_run_until(sim_ctx *ctx, sim_time end);
/* From inside a handler: make the current sim_run_until return after this
 * event (no effect on later calls). */
void     sim_stop(sim_ctx *ctx);

/* Optional per-event observer, for traces and determinism tests: called
 * before each event runs with its time and scheduling sequence number.
 * NULL removes it. */
typedef void (*sim_trace_fn)(sim_time t, uint64_t seq, sim_event_fn fn, uint64_t arg, void *user);
void     sim_set_trace(sim_ctx *ctx, sim_trace_fn fn, void *user);

#endif
