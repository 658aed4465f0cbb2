/* push: the mobile push provider (FCM/APNs) for offline recipients: a
 * quota of rate_per_min as a token bucket holding burst_s of it; what the
 * quota refuses is answered HTTP 429 and retried after an exponential
 * backoff with jitter.
 *
 * Invariant: waiting = notifications queued (after notify_fraction) - sent;
 * a job's slot is freed when its last notification is sent. */
#include "models/slack_internal.h"

#include <float.h>
#include <math.h>
#include <stddef.h>

/* ================================================================ API implementation */

static push_job *push_at(slack_model *m, uint32_t i) { return &g_array_index(m->push.jobs, push_job, i); }

static void try_ev(sim_ctx *ctx, void *data, uint64_t job);

/* A message's offline recipients (notify_fraction of them, rounded at
 * random) become one job for the provider. */
void push_enqueue(slack_model *m, uint32_t n)
{
    double want = n * m->cfg->push_notify_fraction;
    uint32_t k = (uint32_t)floor(want) + (sim_rng_uniform(&m->push.rng) < want - floor(want) ? 1 : 0);
    m->push.queued += n;
    m->push.iv_queued += n;
    if (k == 0) return;
    uint32_t i = m->push.free;
    if (i != SLACK_NIL) m->push.free = push_at(m, i)->next_free;
    else { push_job blank = { 0 }; g_array_append_val(m->push.jobs, blank); i = m->push.jobs->len - 1; }
    *push_at(m, i) = (push_job){ sim_now(m->ctx), k, 0, SLACK_NIL };
    m->push.waiting += k;
    m->push.notifications += k;
    try_ev(m->ctx, m, i);
}

/* The quota's tokens now: rate_per_min / 60 a second, at most burst_s of them. */
static void refill(slack_model *m)
{
    sim_time now = sim_now(m->ctx);
    m->push.tokens = MIN(m->push.token_cap, m->push.tokens + (double)(now - m->push.tokens_t) * m->push.token_rate_ns);
    m->push.tokens_t = now;
}

/* Sends what the quota allows; the provider answers 429 for the rest, which
 * retries after an exponential backoff with jitter. */
static void try_ev(sim_ctx *ctx, void *data, uint64_t job)
{
    slack_model *m = data;
    push_job *j = push_at(m, (uint32_t)job);
    refill(m);
    uint32_t take = (uint32_t)MIN((double)j->left, floor(m->push.tokens));
    if (take) {
        m->push.tokens -= take;
        j->left -= take;
        m->push.waiting -= take;
        m->push.sent += take;
        /* each notification is its own request to the provider: its own
         * send time, so the tail is per notification (docs/output.md) */
        sim_time waited = sim_now(ctx) - j->t_queued;
        for (uint32_t i = 0; i < take; i++)
            sim_hist_record(m->push.h_push, waited + slack_sample_ns(&m->cfg->push_send_s, &m->push.rng));
    }
    if (j->left == 0) { j->next_free = m->push.free; m->push.free = (uint32_t)job; return; }
    m->push.retries_429++;
    double backoff = MIN(m->cfg->push_retry_max_s, m->cfg->push_retry_base_s * pow(2.0, MIN(j->attempts, 40u)));
    j->attempts++;
    sim_after(ctx, sim_time_from_sec(backoff * (0.5 + sim_rng_uniform(&m->push.rng))), try_ev, m, job);
}

/* Mean notifications offered per second over the run / the quota. */
double push_offered(const slack_model *m)
{
    double secs = sim_time_to_sec(m->duration);
    return secs > 0 ? m->push.queued * m->cfg->push_notify_fraction / secs / MAX(1e-9, m->cfg->push_rate_per_min / 60.0) : 0;
}

/* ================================================================ the component */

#define PD(p, lo, hi, f, u, d) { p, lo, hi, SIM_FIELD_DOUBLE, offsetof(slack_cfg, f), u, NULL, d }
static const sim_field push_fields[] = {
    PD("rate_per_min", 1e-6, 1e12, push_rate_per_min, "1/min", "600000"),
    PD("burst_s", 1e-6, 3600, push_burst_s, "s", "1"),
    PD("notify_fraction", 0, 1, push_notify_fraction, "0..1", "1"),
    PD("retry_base_s", 1e-6, 3600, push_retry_base_s, "s", "1"),
    PD("retry_max_s", 1e-6, 86400, push_retry_max_s, "s", "60"),
    { "send_s", 0, DBL_MAX, SIM_FIELD_DIST, offsetof(slack_cfg, push_send_s), "s", NULL,
      "{\"dist\": \"lognormal\", \"median\": 0.05, \"p99\": 0.3}" },
};
#undef PD

static gboolean push_build(slack_model *m, const sim_scenario *sc, GError **error)
{
    (void)sc; (void)error;
    const slack_cfg *c = m->cfg;
    m->push.jobs = g_array_new(FALSE, FALSE, sizeof(push_job));
    m->push.free = SLACK_NIL;
    m->push.token_rate_ns = c->push_rate_per_min / 60.0 / 1e9;
    m->push.token_cap = MAX(1.0, c->push_rate_per_min / 60.0 * c->push_burst_s);
    m->push.tokens = m->push.token_cap;
    m->push.h_push = sim_hist_new();
    sim_ctx_stream(m->ctx, "push", &m->push.rng);
    return TRUE;
}

static void push_free(slack_model *m)
{
    if (m->push.jobs) g_array_free(m->push.jobs, TRUE);
    sim_hist_free(m->push.h_push);
}

static cJSON *push_summary(const slack_model *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "queued", (double)m->push.queued);
    cJSON_AddNumberToObject(o, "notifications", (double)m->push.notifications);
    cJSON_AddNumberToObject(o, "sent", (double)m->push.sent);
    cJSON_AddNumberToObject(o, "retries_429", (double)m->push.retries_429);
    cJSON_AddNumberToObject(o, "backlog", (double)m->push.waiting);
    cJSON_AddNumberToObject(o, "limit_per_sec", m->cfg->push_rate_per_min / 60.0);
    cJSON_AddNumberToObject(o, "queued_per_sec_peak", m->push.per_s_peak);
    cJSON_AddNumberToObject(o, "offered_load", push_offered(m));
    return o;
}

static void push_report(const slack_model *m, GString *s)
{
    g_string_append_printf(s, "Push: %" G_GUINT64_FORMAT " sent, %" G_GUINT64_FORMAT " retried after HTTP 429 (quota), %"
                           G_GUINT64_FORMAT " waiting at the end\n", m->push.sent, m->push.retries_429, m->push.waiting);
}

/* Utilization: notifications sent / quota in the worst interval, at most 1
 * (the bucket's burst lets one interval send more than its quota);
 * offered: notifications asked for / quota over duration_s. */
static gboolean push_load(const slack_model *m, slack_load *out)
{
    *out = (slack_load){ MIN(1.0, m->push.util_max), push_offered(m) };
    return TRUE;
}
static const sim_hist *push_latency(const slack_model *m) { return m->push.h_push; }

const slack_component push_component = {
    .name = "push", .fields = push_fields, .n_fields = G_N_ELEMENTS(push_fields),
    .config_offset = offsetof(slack_config, core), .build = push_build, .free = push_free,
    .summary = push_summary, .report = push_report, .load = push_load,
    .latency = push_latency, .latency_name = "push", .latency_label = "push", .latency_unit = 1e6,
    .latency_unit_name = "ms",
};
