/* arrivals: when messages are sent, in which channel and by whom.
 *
 * A non-homogeneous Poisson process following the daily curve (thinning),
 * each arrival in a channel drawn by activity weight, from a connected
 * member drawn uniformly. Invariant: at most one arrival event is pending
 * (m->arr.ev), and none once the arrivals are off or the run's duration
 * is reached. The draws keep one deterministic order; the prefetches
 * around them are hints that change no result. */
#include "models/slack_internal.h"

#include <math.h>

/* ================================================================ API implementation */

/* The send rate at t: the daily curve, linearly interpolated between its
 * values at whole seconds (tabulated once: the curve moves by < 1e-5 of
 * its peak within a second, and the thinning loop is hot). */
static double rate_at(const slack_model *m, sim_time t)
{
    double x = sim_time_to_sec(t);
    uint32_t i = (uint32_t)x;
    if (i + 1 >= m->arr.n_knots) i = m->arr.n_knots - 2;
    double f = x - i, c = m->arr.curve_knots[i] + (m->arr.curve_knots[i + 1] - m->arr.curve_knots[i]) * f;
    return m->arr.base_rate * m->arr.rate_factor * c;
}

static void update_rate_max(slack_model *m)
{
    double hours = sim_time_to_sec(m->duration) / 3600.0;
    m->arr.rate_max = m->arr.base_rate * m->arr.rate_factor * wl_curve_max(m->wl, m->cfg->start_hour, hours);
}

/* A uniformly drawn member who is connected: first the member at `first`
 * (drawn in advance, see arrivals_schedule_next), then a few fresh draws. */
static gboolean pick_sender(slack_model *m, uint32_t channel, uint32_t first, uint32_t *sender)
{
    uint32_t size = wl_channel_size(m->wl, channel);
    gboolean cm = slack_crash_mode(m);
    for (int i = 0; i < 8; i++) {
        uint32_t k = i == 0 ? first : (uint32_t)sim_rng_below(&m->arr.rng, size);
        uint32_t u = wl_channel_member(m->wl, channel, k);
        if (slack_user_connected(m, u, cm)) { *sender = u; return TRUE; }
    }
    return FALSE;
}

/* `arg` is the channel (low 32 bits) and the index of the first sender
 * candidate (high 32 bits) drawn when this arrival was scheduled; a channel
 * without a connected member is replaced by fresh draws. */
static void arrival_ev(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    slack_model *m = data;
    m->arr.ev = SIM_EVENT_NONE;
    m->arr.sender_hint = NULL;
    uint32_t channel = (uint32_t)arg, first = (uint32_t)(arg >> 32), sender;
    for (int tries = 0; tries < 8; tries++) {
        if (pick_sender(m, channel, first, &sender)) { msg_send(m, channel, sender); break; }
        if (tries == 7) m->arr.no_sender++;
        channel = wl_pick_channel(m->wl, &m->arr.rng);
        first = (uint32_t)sim_rng_below(&m->arr.rng, wl_channel_size(m->wl, channel));
    }
    arrivals_schedule_next(m);
}

/* The next arrival's first sender candidate: its member entry is being
 * prefetched; the next message event (arrivals_prefetch_sender) reads it
 * and prefetches its connection entry, so arrival_ev finds both in cache. */
static void sender_hint_set(slack_model *m, uint32_t channel, uint32_t i)
{
    uint32_t first;
    const uint32_t *list;
    wl_channel_members(m->wl, channel, &first, &list);
    if (i >= wl_channel_size(m->wl, channel)) {
        m->arr.sender_hint = NULL;
    } else if (list) {
        m->arr.sender_hint = list + i;
    } else {
        __builtin_prefetch(&m->conn[first + i]);
        m->arr.sender_hint = NULL;
    }
}

/* Moves the arrival pipeline one step: the next channel from the bits
 * drawn last time, fresh bits for the one after. */
static void pipeline_advance(slack_model *m)
{
    m->arr.next_channel = wl_pick_channel_bits(m->wl, m->arr.alias_bits);
    wl_prefetch_channel(m->wl, m->arr.next_channel);
    __builtin_prefetch(&m->msg.chan[m->arr.next_channel]);
    m->arr.alias_bits = sim_rng_u64(&m->arr.rng);
    wl_prefetch_draw(m->wl, m->arr.alias_bits);
}

/* Non-homogeneous Poisson arrivals by thinning (Lewis and Shedler):
 * candidates at rate_max, each kept with probability rate(t)/rate_max.
 * Rejected candidates cost no event. */
void arrivals_schedule_next(slack_model *m)
{
    if (!m->arr.on || m->arr.rate_max <= 0 || wl_channels(m->wl) == 0) return;
    sim_time t = sim_now(m->ctx);
    for (;;) {
        double gap = -log(sim_rng_uniform_pos(&m->arr.rng)) / m->arr.rate_max;
        t += sim_time_from_sec(gap);
        if (t >= m->duration) return;
        if (sim_rng_uniform(&m->arr.rng) * m->arr.rate_max <= rate_at(m, t)) break;
    }
    /* A pipeline over arrivals: this arrival's channel was drawn one arrival
     * ago (its record prefetched then), from bits drawn two arrivals ago
     * (their alias entry prefetched then); now draw its first sender
     * candidate and prefetch that member. The draws keep one deterministic
     * order, and memory latency hides behind the events in between. */
    uint32_t channel = m->arr.next_channel;
    uint32_t first = (uint32_t)sim_rng_below(&m->arr.rng, MAX(1u, wl_channel_size(m->wl, channel)));
    wl_prefetch_member(m->wl, channel, first);
    sender_hint_set(m, channel, first);
    pipeline_advance(m);
    m->arr.ev = sim_at(m->ctx, t, arrival_ev, m, ((uint64_t)first << 32) | channel);
}

void arrivals_set_rate_factor(slack_model *m, double factor)
{
    if (!(factor >= 0)) return;
    m->arr.rate_factor = factor;
    update_rate_max(m);
    if (m->arr.ev) { sim_cancel(m->ctx, m->arr.ev); m->arr.ev = SIM_EVENT_NONE; }
    arrivals_schedule_next(m);
}

void arrivals_stop(slack_model *m)
{
    m->arr.on = FALSE;
    if (m->arr.ev) { sim_cancel(m->ctx, m->arr.ev); m->arr.ev = SIM_EVENT_NONE; }
}

/* ================================================================ the component */

static void tabulate_curve(slack_model *m)
{
    m->arr.n_knots = (uint32_t)ceil(sim_time_to_sec(m->duration)) + 2;
    m->arr.curve_knots = g_new(float, m->arr.n_knots);
    for (uint32_t i = 0; i < m->arr.n_knots; i++)
        m->arr.curve_knots[i] = (float)wl_curve(m->wl, m->cfg->start_hour + i / 3600.0);
}

static gboolean arrivals_build(slack_model *m, const sim_scenario *sc, GError **error)
{
    (void)sc; (void)error;
    const slack_cfg *c = m->cfg;
    m->arr.base_rate = c->rate_per_sec > 0 ? c->rate_per_sec
                     : (double)slack_cfg_online_users(c) * c->messages_per_user_per_day / 86400.0;
    m->arr.rate_factor = 1.0;
    update_rate_max(m);
    tabulate_curve(m);
    sim_ctx_stream(m->ctx, "workload.arrivals", &m->arr.rng);
    m->arr.alias_bits = sim_rng_u64(&m->arr.rng);
    return TRUE;
}

/* The first arrival; the channel pipeline needs message.c's channel table,
 * built after this component, so it is primed here rather than in build. */
static void arrivals_start(slack_model *m)
{
    if (wl_channels(m->wl)) pipeline_advance(m);
    m->arr.on = TRUE;
    arrivals_schedule_next(m);
}

static void arrivals_free(slack_model *m) { g_free(m->arr.curve_knots); }

const slack_component arrivals_component = {
    .name = "arrivals", .build = arrivals_build, .start = arrivals_start, .stop = arrivals_stop,
    .free = arrivals_free,
};
