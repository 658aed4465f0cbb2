/* cost: what the simulated fleet costs per month, from unit prices given
 * as scenario keys (the "cost" subtree, all 0 by default: prices are the
 * planner's, see docs/capacity.md for list prices to start from).
 *
 * Instances (gateways, PostgreSQL writers, Kafka partitions, Redis shards,
 * Elasticsearch nodes) cost their hourly price x 730 hours a month, counted
 * as configured (the search nodes as simulated, when search is on). Usage
 * (S3 requests, push notifications) is the simulated rate extrapolated to a
 * month: a peak-hour scenario prices a month at peak, an upper bound.
 *
 * Invariant: every figure follows from the configuration and the run's
 * counters; the component holds no state and adds no event. */
#include "models/slack_internal.h"

#include <stddef.h>

#define COST_HOURS_PER_MONTH 730.0   /* 8760 / 12, the cloud providers' convention */

#define CP(p, f) { p, 0, 1e9, SIM_FIELD_DOUBLE, offsetof(cost_config, f), "$", NULL, "0" }
static const sim_field cost_fields[] = {
    CP("gateway_hour", gateway_hour),
    CP("postgres_writer_hour", postgres_writer_hour),
    CP("kafka_partition_hour", kafka_partition_hour),
    CP("redis_shard_hour", redis_shard_hour),
    CP("es_node_hour", es_node_hour),
    CP("s3_per_million_requests", s3_per_million_requests),
    CP("push_per_million", push_per_million),
};
#undef CP

/* Events per simulated second, times a month of seconds. */
static double per_month(const slack_model *m, double events)
{
    double s = sim_time_to_sec(m->duration);
    return s > 0 ? events / s * COST_HOURS_PER_MONTH * 3600.0 : 0;
}

static cJSON *cost_summary(const slack_model *m)
{
    const cost_config *p = &m->config.cost;
    const slack_cfg *c = m->cfg;
    search_shard_plan plan = { 0 };
    if (search_enabled(m->search)) search_get_plan(m->search, &plan);
    files_counts fc = { 0 };
    if (files_enabled(m->files)) files_get_counts(m->files, &fc);
    struct { const char *name; double monthly; } rows[] = {
        { "gateways", (double)c->gw_count * p->gateway_hour * COST_HOURS_PER_MONTH },
        { "postgres", (double)c->pg_writers * p->postgres_writer_hour * COST_HOURS_PER_MONTH },
        { "kafka", (double)c->kafka_partitions * p->kafka_partition_hour * COST_HOURS_PER_MONTH },
        { "redis", (double)redis_shards(m->redis) * p->redis_shard_hour * COST_HOURS_PER_MONTH },
        { "search", (double)plan.nodes * p->es_node_hour * COST_HOURS_PER_MONTH },
        { "s3", per_month(m, (double)(fc.put_requests + fc.get_requests)) / 1e6 * p->s3_per_million_requests },
        { "push", per_month(m, (double)m->push.sent) / 1e6 * p->push_per_million },
    };
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "hours_per_month", COST_HOURS_PER_MONTH);
    cJSON *by = cJSON_AddObjectToObject(o, "monthly");
    double total = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        cJSON_AddNumberToObject(by, rows[i].name, rows[i].monthly);
        total += rows[i].monthly;
    }
    cJSON_AddNumberToObject(o, "monthly_total", total);
    return o;
}

static void cost_report(const slack_model *m, GString *s)
{
    cJSON *o = cost_summary(m);
    double total = cJSON_GetObjectItemCaseSensitive(o, "monthly_total")->valuedouble;
    if (total > 0) {   /* no prices, no line: the report stays what it was */
        g_string_append_printf(s, "Cost: %.2f per month (", total);
        const cJSON *row;
        gboolean first = TRUE;
        cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(o, "monthly")) {
            if (row->valuedouble <= 0) continue;
            g_string_append_printf(s, "%s%s %.2f", first ? "" : ", ", row->string, row->valuedouble);
            first = FALSE;
        }
        g_string_append(s, ")\n");
    }
    cJSON_Delete(o);
}

const slack_component cost_component = {
    .name = "cost", .fields = cost_fields, .n_fields = G_N_ELEMENTS(cost_fields),
    .config_offset = offsetof(slack_config, cost), .summary = cost_summary, .report = cost_report,
};
