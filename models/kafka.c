/* kafka: the topic messages are published to, one partition per channel
 * (hashed), and the consumer lag of each partition.
 *
 * A partition leader appends (append_s of its time, FIFO in virtual time
 * like a gateway core: no event needed), and a write is acknowledged,
 * readable by the partition's fan-out consumer, after the replication
 * delay (ack_s), never before an earlier write of the partition: so each
 * partition delivers to its consumer in publish order, and each channel
 * (one partition) in id order. */
#include "models/slack_internal.h"

#include <float.h>
#include <stddef.h>
#include <string.h>

/* ================================================================ API implementation */

uint32_t kafka_partition_of(const slack_model *m, uint32_t channel)
{
    uint64_t h = (uint64_t)channel * 0x9E3779B97F4A7C15ull;
    return (uint32_t)((h >> 32) % m->kafka.partitions);
}

/* Lag of a partition: messages readable by its consumer and not yet
 * consumed (its queue plus the one in service). */
static void note_lag(slack_model *m, uint32_t p)
{
    uint64_t lag = fanout_lag(m, p);
    if (lag > m->kafka.lag_iv_max) m->kafka.lag_iv_max = lag;
    if (lag > m->kafka.lag_max_by_p[p]) m->kafka.lag_max_by_p[p] = lag;
    if (lag > m->kafka.lag_iv_by_p[p]) m->kafka.lag_iv_by_p[p] = lag;
}

static void visible_ev(sim_ctx *ctx, void *data, uint64_t slot)
{
    slack_model *m = data;
    msg_rec *r = msg_at(m, (uint32_t)slot);
    arrivals_prefetch_sender(m);
    r->t_visible = sim_now(ctx);
    sim_hist_record(m->kafka.h_kafka, r->t_visible - r->t_published);
    if (m->obs.on) obs_stage(m, r, SLACK_STAGE_PUBLISHED);
    fanout_submit(m, (uint32_t)slot, r);
    note_lag(m, r->partition);
}

void kafka_publish(slack_model *m, uint32_t slot)
{
    msg_rec *r = msg_at(m, slot);
    m->fan.queue_published++;
    sim_time now = sim_now(m->ctx);
    r->t_published = now;
    uint32_t p = r->partition;
    sim_time work = slack_sample_ns(&m->cfg->kafka_append_s, &m->kafka.rng);
    sim_time start = MAX(now, m->kafka.free_at[p]);
    sim_hist_record(m->kafka.h_append_wait, start - now);
    m->kafka.append_waited += start > now;
    m->kafka.appends[p]++;
    m->kafka.free_at[p] = sim_time_add_sat(start, work);
    m->kafka.booked[p] = sim_time_add_sat(m->kafka.booked[p], work);
    sim_time t = sim_time_add_sat(sim_time_add_sat(start, work), slack_sample_ns(&m->cfg->kafka_ack_s, &m->kafka.rng));
    if (t < m->kafka.visible_last[p]) t = m->kafka.visible_last[p];
    m->kafka.visible_last[p] = t;
    sim_at(m->ctx, t, visible_ev, m, slot);
    /* a hint for the fan-out a few events ahead (no effect on results) */
    wl_prefetch_channel(m->wl, r->channel);
    slack_hooks_published(m, r);
}

/* The busiest leader's append utilization since the previous row. */
double kafka_take_interval_util(slack_model *m, sim_time now, double dt)
{
    double u = 0;
    for (uint32_t p = 0; p < m->kafka.partitions; p++) {
        sim_time done = m->kafka.booked[p] - MAX(0, m->kafka.free_at[p] - now);
        u = MAX(u, (double)(done - m->kafka.done_prev[p]) / 1e9 / dt);
        m->kafka.done_prev[p] = done;
    }
    m->kafka.util_max = MAX(m->kafka.util_max, u);
    return u;
}

/* A row was written: this interval's lag maxima become the last row's. */
void kafka_end_interval(slack_model *m)
{
    uint32_t n = m->kafka.partitions;
    m->kafka.lag_max = MAX(m->kafka.lag_max, m->kafka.lag_iv_max);
    m->kafka.lag_iv_max = 0;
    memcpy(m->kafka.lag_iv_by_p + n, m->kafka.lag_iv_by_p, n * sizeof(uint64_t));
    memset(m->kafka.lag_iv_by_p, 0, n * sizeof(uint64_t));
}

/* Makes Kafka the queue messages are published to from now on. */
void kafka_use(slack_model *m)
{
    m->fan.queue = SLACK_QUEUE_KAFKA;
    m->publish = kafka_publish;
}

/* ================================================================ the component */

static const sim_field kafka_fields[] = {
    { "partitions", 1, 100000, SIM_FIELD_INT64, offsetof(slack_cfg, kafka_partitions), "count", NULL, "64" },
    { "append_s", 0, DBL_MAX, SIM_FIELD_DIST, offsetof(slack_cfg, kafka_append_s), "s", NULL,
      "{\"dist\": \"exponential\", \"mean\": 0.0000012}" },
    { "ack_s", 0, DBL_MAX, SIM_FIELD_DIST, offsetof(slack_cfg, kafka_ack_s), "s", NULL,
      "{\"dist\": \"lognormal\", \"median\": 0.002, \"p99\": 0.005}" },
    /* Kafka's consumer default: enable.auto.commit every 5 s */
    { "commit_interval_s", 0, 86400, SIM_FIELD_DOUBLE, offsetof(slack_cfg, kafka_commit_interval_s), "s", NULL, "5" },
};

static gboolean kafka_build(slack_model *m, const sim_scenario *sc, GError **error)
{
    (void)sc; (void)error;
    uint32_t n = m->kafka.partitions = (uint32_t)m->cfg->kafka_partitions;
    m->kafka.free_at = g_new0(sim_time, n);
    m->kafka.booked = g_new0(sim_time, n);
    m->kafka.done_prev = g_new0(sim_time, n);
    m->kafka.visible_last = g_new0(sim_time, n);
    m->kafka.lag_max_by_p = g_new0(uint64_t, n);
    m->kafka.lag_iv_by_p = g_new0(uint64_t, 2 * (size_t)n);
    m->kafka.h_kafka = sim_hist_new();
    m->kafka.h_append_wait = sim_hist_new();
    m->kafka.appends = g_new0(uint64_t, n);
    sim_ctx_stream(m->ctx, "kafka", &m->kafka.rng);
    if (m->cfg->fanout_queue == SLACK_QUEUE_KAFKA) m->publish = kafka_publish;
    return TRUE;
}

static void kafka_free(slack_model *m)
{
    g_free(m->kafka.free_at); g_free(m->kafka.booked); g_free(m->kafka.done_prev);
    g_free(m->kafka.visible_last); g_free(m->kafka.lag_max_by_p); g_free(m->kafka.lag_iv_by_p);
    sim_hist_free(m->kafka.h_kafka);
    sim_hist_free(m->kafka.h_append_wait);
    g_free(m->kafka.appends);
}

static cJSON *kafka_summary(const slack_model *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "partitions", m->kafka.partitions);
    cJSON_AddNumberToObject(o, "consumer_lag_max", (double)MAX(m->kafka.lag_max, m->kafka.lag_iv_max));
    cJSON *per = cJSON_AddArrayToObject(o, "consumer_lag_max_by_partition");
    for (uint32_t p = 0; p < m->kafka.partitions; p++)
        cJSON_AddItemToArray(per, cJSON_CreateNumber((double)m->kafka.lag_max_by_p[p]));
    cJSON_AddNumberToObject(o, "append_util_max", m->kafka.util_max);
    cJSON_AddNumberToObject(o, "consumer_util_max", m->fan.util_max);
    /* the leaders as queues: FIFO single servers in virtual time */
    double secs = sim_time_to_sec(sim_now(m->ctx));
    cJSON *leaders = cJSON_AddObjectToObject(o, "leaders");
    cJSON *u = cJSON_AddArrayToObject(leaders, "utilization_by_partition");
    cJSON *l = cJSON_AddArrayToObject(leaders, "arrival_rate_by_partition");
    double umax = 0, usum = 0;
    for (uint32_t p = 0; p < m->kafka.partitions; p++) {
        double up = secs > 0 ? sim_time_to_sec(m->kafka.booked[p] - MAX(0, m->kafka.free_at[p] - sim_now(m->ctx))) / secs : 0;
        cJSON_AddItemToArray(u, cJSON_CreateNumber(up));
        cJSON_AddItemToArray(l, cJSON_CreateNumber(secs > 0 ? (double)m->kafka.appends[p] / secs : 0));
        umax = MAX(umax, up);
        usum += up;
    }
    cJSON_AddNumberToObject(leaders, "utilization_max", umax);
    cJSON_AddNumberToObject(leaders, "utilization_mean", m->kafka.partitions ? usum / m->kafka.partitions : 0);
    cJSON_AddItemToObject(leaders, "wait_ms", sim_hist_to_json(m->kafka.h_append_wait, 1e6));
    uint64_t n = sim_hist_count(m->kafka.h_append_wait);
    cJSON_AddNumberToObject(leaders, "p_wait", n ? (double)m->kafka.append_waited / (double)n : 0);
    return o;
}

/* Offered: the busiest leader's appends' work over duration_s. */
static gboolean kafka_load(const slack_model *m, slack_load *out)
{
    double secs = sim_time_to_sec(m->duration), mx = 0;
    for (uint32_t p = 0; p < m->kafka.partitions && secs > 0; p++) mx = MAX(mx, sim_time_to_sec(m->kafka.booked[p]) / secs);
    *out = (slack_load){ m->kafka.util_max, mx };
    return TRUE;
}
/* Only when chosen: a pub/sub run has no "kafka" latency. */
static const sim_hist *kafka_latency(const slack_model *m)
{
    return m->fan.queue == SLACK_QUEUE_KAFKA || sim_hist_count(m->kafka.h_kafka) ? m->kafka.h_kafka : NULL;
}

const slack_component kafka_component = {
    .name = "kafka", .fields = kafka_fields, .n_fields = G_N_ELEMENTS(kafka_fields),
    .config_offset = offsetof(slack_config, core), .build = kafka_build, .free = kafka_free,
    .summary = kafka_summary, .load = kafka_load,
    .latency = kafka_latency, .latency_name = "kafka", .latency_label = "kafka", .latency_unit = 1e6,
    .latency_unit_name = "ms",
};
