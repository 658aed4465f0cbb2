/* delivery: how a message reaches an online recipient's client, the
 * lesson's "Why WebSocket over HTTP Polling?" made runnable
 * (delivery.transport):
 *
 *   websocket      the gateway pushes a frame on the open connection (the
 *                  seed's design): delivered when its push batch runs;
 *   short_polling  each client sends GET /messages every poll_interval_s
 *                  (at its own phase): a message waits for the next poll;
 *                  connections / interval requests per second, each
 *                  costing request_s of gateway CPU;
 *   long_polling   the client holds a request; a message answers it at
 *                  once, then the client needs 2 x network.client_one_way_s
 *                  to hold the next one, and messages in that gap wait; an
 *                  idle request times out after hold_s and is re-sent;
 *   sse            server push one way (as websocket for delivery), but
 *                  every send is a separate HTTP POST.
 * With any HTTP transport a send is a request (request_s of CPU on the
 * sender's core, on top of gateways.inbound_s).
 *
 * Invariant: with websocket this component adds no event, no draw and no
 * work, so the seed's design runs exactly as without it. */
#include "models/slack_internal.h"

#include <float.h>
#include <stddef.h>

static const char *const TRANSPORT_NAMES[] = { "websocket", "short_polling", "long_polling", "sse", NULL };
G_STATIC_ASSERT(sizeof(slack_transport) == sizeof(int));

/* Aggregated request load is booked on the gateway cores this often. */
#define DELIVERY_TICK (100 * SIM_MS)

/* ================================================================ API implementation */

static gboolean polled(slack_transport t) { return t == SLACK_TRANSPORT_SHORT_POLLING || t == SLACK_TRANSPORT_LONG_POLLING; }

/* A client's poll phase in [0, interval): its own, fixed (a hash of its id),
 * so clients do not poll in step. */
static sim_time poll_phase(uint32_t user, sim_time interval)
{
    uint64_t h = (uint64_t)(user + 1) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
    return (sim_time)(h % (uint64_t)interval);
}

/* Long polling: `next_req[u]` is when u's current (or coming) request is
 * held at the server. An idle held request times out after hold_s and the
 * next one arrives a gap later, so from next_req the client cycles through
 * [held for hold_s][gap]. */
static sim_time long_poll_delivery(slack_model *m, uint32_t user, sim_time t)
{
    sim_time held = m->deliv.next_req[user], cycle = m->deliv.hold + m->deliv.gap, at;
    if (t < held) {
        at = held;                       /* in the gap: waits for the request */
    } else {
        sim_time k = (t - held) / cycle, r = (t - held) - k * cycle;
        at = r < m->deliv.hold ? t : held + (k + 1) * cycle;
    }
    m->deliv.next_req[user] = at + m->deliv.gap;   /* answered: the client re-requests */
    m->deliv.responses++;
    return at;
}

sim_time delivery_time(slack_model *m, uint32_t user, sim_time t)
{
    sim_time at = t;
    switch (m->deliv.transport) {
    case SLACK_TRANSPORT_SHORT_POLLING: {
        sim_time T = m->deliv.interval, ph = poll_phase(user, T);
        at = t <= ph ? ph : ph + ((t - ph + T - 1) / T) * T;
        break;
    }
    case SLACK_TRANSPORT_LONG_POLLING: at = long_poll_delivery(m, user, t); break;
    default: break;
    }
    sim_hist_record(m->deliv.h_added, at - t);
    return at;
}

/* Requests of one tick (polls, or long-poll timeouts), booked on every live
 * gateway's cores as the fluid they are: conns / cores per core. */
static void tick_ev(sim_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    slack_model *m = data;
    double per_s = m->deliv.transport == SLACK_TRANSPORT_SHORT_POLLING ? 1.0 / sim_time_to_sec(m->deliv.interval)
                 : 1.0 / sim_time_to_sec(m->deliv.hold + m->deliv.gap);
    double tick_s = sim_time_to_sec(DELIVERY_TICK);
    uint32_t cores = gw_cores(m->gw);
    for (uint32_t g = 0; g < gw_count(m->gw); g++) {
        if (!gw_alive(m->gw, g)) continue;
        double reqs = (double)gw_connections(m->gw, g) * per_s * tick_s;
        m->deliv.polls += reqs;
        sim_time work = sim_time_from_sec(reqs / cores * m->deliv.request_s);
        if (work > 0)
            for (uint32_t c = 0; c < cores; c++) gw_book_load(m->gw, g, c, work);
    }
    if ((m->arr.on || m->msg.in_flight) && polled(m->deliv.transport)) sim_after(ctx, DELIVERY_TICK, tick_ev, m, 0);
    else m->deliv.ticking = FALSE;
}

/* ================================================================ the component */

static const sim_field deliv_fields[] = {
    { "transport", 0, 0, SIM_FIELD_ENUM, offsetof(slack_cfg, transport), NULL, TRANSPORT_NAMES, "\"websocket\"" },
    { "poll_interval_s", 1e-3, 3600, SIM_FIELD_DOUBLE, offsetof(slack_cfg, poll_interval_s), "s", NULL, "1" },
    { "hold_s", 1e-3, 3600, SIM_FIELD_DOUBLE, offsetof(slack_cfg, hold_s), "s", NULL, "30" },
    { "request_s", 0, 1, SIM_FIELD_DOUBLE, offsetof(slack_cfg, request_s), "s", NULL, "0.0001" },
};

static gboolean deliv_build(slack_model *m, const sim_scenario *sc, GError **error)
{
    (void)sc; (void)error;
    const slack_cfg *c = m->cfg;
    m->deliv.transport = c->transport;
    m->deliv.interval = sim_time_from_sec(c->poll_interval_s);
    m->deliv.hold = sim_time_from_sec(c->hold_s);
    m->deliv.gap = 2 * sim_time_from_sec(c->client_one_way_s);
    m->deliv.request_s = c->request_s;
    m->deliv.send_work = c->transport == SLACK_TRANSPORT_WEBSOCKET ? 0 : sim_time_from_sec(c->request_s);
    m->deliv.h_added = sim_hist_new();
    if (c->transport == SLACK_TRANSPORT_LONG_POLLING) m->deliv.next_req = g_new0(sim_time, MAX(wl_users(m->wl), 1u));
    return TRUE;
}

static void start_ticks(slack_model *m)
{
    if (!m->deliv.ticking && polled(m->deliv.transport)) {
        m->deliv.ticking = TRUE;
        sim_after(m->ctx, DELIVERY_TICK, tick_ev, m, 0);
    }
}

static void deliv_start(slack_model *m) { start_ticks(m); }

/* The visualizer's switch: deliveries from now on use the other transport. */
gboolean delivery_set_transport(slack_model *m, const char *name)
{
    int t = 0;
    while (TRANSPORT_NAMES[t] && g_strcmp0(TRANSPORT_NAMES[t], name) != 0) t++;
    if (!TRANSPORT_NAMES[t]) return FALSE;
    m->deliv.transport = (slack_transport)t;
    m->deliv.send_work = t == SLACK_TRANSPORT_WEBSOCKET ? 0 : sim_time_from_sec(m->deliv.request_s);
    if (t == SLACK_TRANSPORT_LONG_POLLING && !m->deliv.next_req) m->deliv.next_req = g_new0(sim_time, MAX(wl_users(m->wl), 1u));
    start_ticks(m);
    return TRUE;
}

const char *delivery_transport_name(const slack_model *m) { return TRANSPORT_NAMES[m->deliv.transport]; }

static void deliv_free(slack_model *m)
{
    g_free(m->deliv.next_req);
    sim_hist_free(m->deliv.h_added);
}

/* HTTP requests so far: polls (or long-poll timeouts), long-poll answers,
 * and sends (every send is a POST unless the transport is websocket). */
static double requests(const slack_model *m)
{
    if (m->deliv.transport == SLACK_TRANSPORT_WEBSOCKET) return 0;
    return m->deliv.polls + (double)m->deliv.responses + (double)m->msg.sent;
}

static const char *const deliv_column[] = { "http_requests_per_s" };

static size_t deliv_columns(const slack_model *m, const char **out)
{
    if (m->deliv.transport == SLACK_TRANSPORT_WEBSOCKET) return 0;
    out[0] = deliv_column[0];
    return 1;
}

static size_t deliv_sample(slack_model *m, double *out)
{
    if (m->deliv.transport == SLACK_TRANSPORT_WEBSOCKET) return 0;
    double dt = sim_time_to_sec(sim_now(m->ctx) - m->out.iv_prev), r = requests(m);
    out[0] = dt > 0 ? (r - m->deliv.requests_prev) / dt : 0;
    m->deliv.requests_prev = r;
    m->deliv.requests_per_s_peak = MAX(m->deliv.requests_per_s_peak, out[0]);
    return 1;
}

static cJSON *deliv_summary(const slack_model *m)
{
    cJSON *o = cJSON_CreateObject();
    double secs = sim_time_to_sec(m->duration + m->drained);
    cJSON_AddStringToObject(o, "transport", TRANSPORT_NAMES[m->deliv.transport]);
    cJSON_AddNumberToObject(o, "requests", requests(m));
    cJSON_AddNumberToObject(o, "requests_per_sec_mean", secs > 0 ? requests(m) / secs : 0);
    cJSON_AddNumberToObject(o, "requests_per_sec_peak", m->deliv.requests_per_s_peak);
    cJSON_AddItemToObject(o, "added_latency_ms", sim_hist_to_json(m->deliv.h_added, 1e6));
    cJSON_AddNumberToObject(o, "connections_peak", (double)gw_connections_peak(m->gw));
    return o;
}

static void deliv_report(const slack_model *m, GString *s)
{
    if (m->deliv.transport == SLACK_TRANSPORT_WEBSOCKET) return;
    double secs = sim_time_to_sec(m->duration + m->drained);
    g_string_append_printf(s, "Delivery: %s, %.0f HTTP requests/s on average (peak %.0f/s), added latency mean %.1f ms, "
                           "p99 %.1f ms per recipient\n", TRANSPORT_NAMES[m->deliv.transport],
                           secs > 0 ? requests(m) / secs : 0, m->deliv.requests_per_s_peak,
                           sim_hist_mean(m->deliv.h_added) / 1e6, sim_hist_percentile(m->deliv.h_added, 99) / 1e6);
}

const slack_component delivery_component = {
    .name = "delivery", .fields = deliv_fields, .n_fields = G_N_ELEMENTS(deliv_fields),
    .config_offset = offsetof(slack_config, core), .build = deliv_build, .start = deliv_start, .free = deliv_free,
    .columns = deliv_columns, .sample = deliv_sample, .summary = deliv_summary, .report = deliv_report,
};
