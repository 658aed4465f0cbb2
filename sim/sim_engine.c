/* sim_engine: the simulation context and its event loop.
 *
 * A sim_ctx owns the clock, the pending-event set and the run seed; nothing
 * here is global, so contexts on different threads never interact.
 * Invariant: the clock never goes backwards; every pending event has
 * time >= now, and events run in (time, seq) order (the event set's order),
 * so equal times run first-in first-out. */
#include "sim/sim_engine.h"
#include "sim/sim_evset.h"

struct sim_ctx {
    sim_time     now;
    sim_evset   *events;
    uint64_t     seed;
    uint64_t     executed;   /* events run so far */
    gboolean     stop;       /* set by sim_stop, read by sim_run_until */
    sim_trace_fn trace;
    void        *trace_user;
};

sim_ctx *sim_ctx_new(uint64_t seed)
{
    sim_ctx *ctx = g_new0(sim_ctx, 1);
    ctx->events = sim_evset_new();
    ctx->seed = seed;
    return ctx;
}

void sim_ctx_free(sim_ctx *ctx)
{
    if (!ctx) return;
    sim_evset_free(ctx->events);
    g_free(ctx);
}

uint64_t sim_ctx_seed(const sim_ctx *ctx) { return ctx->seed; }

void sim_ctx_stream(const sim_ctx *ctx, const char *name, sim_rng *out)
{
    sim_rng_init_named(out, ctx->seed, name);
}

sim_time sim_now(const sim_ctx *ctx) { return ctx->now; }

sim_event_id sim_at(sim_ctx *ctx, sim_time when, sim_event_fn fn, void *data, uint64_t arg)
{
    g_return_val_if_fail(when >= ctx->now && fn != NULL, SIM_EVENT_NONE);
    return sim_evset_push(ctx->events, when, (void *)fn, data, arg);
}

sim_event_id sim_after(sim_ctx *ctx, sim_time delay, sim_event_fn fn, void *data, uint64_t arg)
{
    g_return_val_if_fail(delay >= 0 && fn != NULL, SIM_EVENT_NONE);
    /* Saturates: a delay past the end of time is an event that never comes,
     * not a refused call that silently loses the event. */
    return sim_evset_push(ctx->events, sim_time_add_sat(ctx->now, delay), (void *)fn, data, arg);
}

gboolean sim_cancel(sim_ctx *ctx, sim_event_id id)
{
    return id != SIM_EVENT_NONE && sim_evset_cancel(ctx->events, id);
}

sim_event_id sim_reschedule(sim_ctx *ctx, sim_event_id id, sim_time when)
{
    g_return_val_if_fail(when >= ctx->now, SIM_EVENT_NONE);
    if (id == SIM_EVENT_NONE) return SIM_EVENT_NONE;
    return sim_evset_reschedule(ctx->events, id, when);
}

gboolean sim_is_pending(const sim_ctx *ctx, sim_event_id id)
{
    return id != SIM_EVENT_NONE && sim_evset_contains(ctx->events, id);
}

size_t sim_pending(const sim_ctx *ctx) { return sim_evset_size(ctx->events); }

size_t sim_events_held(const sim_ctx *ctx) { return sim_evset_held(ctx->events); }

uint64_t sim_events_executed(const sim_ctx *ctx) { return ctx->executed; }

sim_time sim_next_time(sim_ctx *ctx) { return sim_evset_peek_time(ctx->events); }

static inline void sim_dispatch(sim_ctx *ctx, const sim_evset_item *ev)
{
    ctx->now = ev->time;
    ctx->executed++;
    sim_event_fn fn = (sim_event_fn)ev->fn;
    if (ctx->trace) ctx->trace(ev->time, ev->seq, fn, ev->arg, ctx->trace_user);
    fn(ctx, ev->data, ev->arg);
}

gboolean sim_step(sim_ctx *ctx)
{
    sim_evset_item ev;
    if (!sim_evset_pop(ctx->events, &ev)) return FALSE;
    sim_dispatch(ctx, &ev);
    return TRUE;
}

uint64_t sim_run_until(sim_ctx *ctx, sim_time end)
{
    uint64_t ran = 0;
    sim_evset_item ev;
    ctx->stop = FALSE;
    while (!ctx->stop && sim_evset_pop_until(ctx->events, end, &ev)) {
        sim_dispatch(ctx, &ev);
        ran++;
    }
    if (!ctx->stop && end > ctx->now) ctx->now = end;
    ctx->stop = FALSE;
    return ran;
}

void sim_stop(sim_ctx *ctx) { ctx->stop = TRUE; }

void sim_set_trace(sim_ctx *ctx, sim_trace_fn fn, void *user)
{
    ctx->trace = fn;
    ctx->trace_user = user;
}
