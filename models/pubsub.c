/* pubsub: Redis pub/sub in Kafka's place (fanout.queue = "redis_pubsub"),
 * the seed's "Why Kafka?" row made runnable. PUBLISH is one Redis command
 * on the channel's shard, and the message reaches its subscriber (the
 * partition's fan-out consumer) after publish_s, in publish order; there is
 * no log, so a subscriber that is down at that moment never gets it
 * (fanout.c counts it in fanout.queue_lost), and one that comes back starts
 * from now: no replay, no duplicates.
 *
 * Invariant: built but idle unless fanout.queue selects it, so a Kafka run
 * draws nothing from its stream and schedules nothing. */
#include "models/slack_internal.h"

#include <float.h>
#include <stddef.h>

static void delivered_ev(sim_ctx *ctx, void *data, uint64_t slot)
{
    slack_model *m = data;
    msg_rec *r = msg_at(m, (uint32_t)slot);
    r->t_visible = sim_now(ctx);
    sim_hist_record(m->pubsub.h, r->t_visible - r->t_published);
    if (m->obs.on) obs_stage(m, r, SLACK_STAGE_PUBLISHED);
    fanout_submit(m, (uint32_t)slot, r);
}

static void pubsub_publish(slack_model *m, uint32_t slot)
{
    msg_rec *r = msg_at(m, slot);
    sim_time now = sim_now(m->ctx);
    r->t_published = now;
    m->fan.queue_published++;
    redis_charge(m->redis, r->channel, 1);
    sim_time t = now + slack_sample_ns(&m->cfg->pubsub_publish_s, &m->pubsub.rng);
    uint32_t p = r->partition;
    if (t < m->pubsub.last[p]) t = m->pubsub.last[p];   /* one subscriber connection: in order */
    m->pubsub.last[p] = t;
    sim_at(m->ctx, t, delivered_ev, m, slot);
    slack_hooks_published(m, r);
}

/* ================================================================ the component */

static const sim_field pubsub_fields[] = {
    { "publish_s", 0, DBL_MAX, SIM_FIELD_DIST, offsetof(slack_cfg, pubsub_publish_s), "s", NULL,
      "{\"dist\": \"lognormal\", \"median\": 0.0005, \"p99\": 0.002}" },
};

/* Its state, made when it is first chosen (at build, or by the visualizer). */
static void pubsub_prepare(slack_model *m)
{
    if (m->pubsub.h) return;
    m->pubsub.last = g_new0(sim_time, m->kafka.partitions);
    m->pubsub.h = sim_hist_new();
    sim_ctx_stream(m->ctx, "pubsub", &m->pubsub.rng);
}

static gboolean pubsub_build(slack_model *m, const sim_scenario *sc, GError **error)
{
    (void)sc; (void)error;
    if (m->cfg->fanout_queue != SLACK_QUEUE_REDIS_PUBSUB) return TRUE;
    m->publish = pubsub_publish;
    pubsub_prepare(m);
    return TRUE;
}

/* Makes pub/sub the queue messages are published to from now on (the
 * visualizer's switch; those already in Kafka finish there). */
void pubsub_use(slack_model *m)
{
    pubsub_prepare(m);
    m->fan.queue = SLACK_QUEUE_REDIS_PUBSUB;
    m->publish = pubsub_publish;
}

static void pubsub_free(slack_model *m)
{
    g_free(m->pubsub.last);
    sim_hist_free(m->pubsub.h);
}

/* Only when chosen: a Kafka run's latency_ms has no "pubsub" entry. */
static const sim_hist *pubsub_latency(const slack_model *m) { return m->pubsub.h; }

const slack_component pubsub_component = {
    .name = "pubsub", .fields = pubsub_fields, .n_fields = G_N_ELEMENTS(pubsub_fields),
    .config_offset = offsetof(slack_config, core), .build = pubsub_build, .free = pubsub_free,
    .latency = pubsub_latency, .latency_name = "pubsub", .latency_label = "pub/sub", .latency_unit = 1e6,
    .latency_unit_name = "ms",
};
