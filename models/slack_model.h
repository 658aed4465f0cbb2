/* slack_model: the seed's Slack messaging architecture built on the engine:
 * workload, WebSocket gateways, message service + PostgreSQL, Kafka,
 * fan-out, Redis membership/presence, mobile push. The CLI (`slacksim run`),
 * the visualizer and the quizzes all drive it through this header.
 *
 * CONTRACT (written before the implementation; the implementer may add
 * functions but keeps these signatures so viz/ and quiz/ can rely on them). */
#ifndef SLACK_MODEL_H
#define SLACK_MODEL_H

#include <stdint.h>
#include <glib.h>
#include <cjson/cJSON.h>
#include "sim/sim_engine.h"
#include "sim/sim_scenario.h"
#include "sim/sim_station.h"
#include "sim/sim_stats.h"

typedef struct slack_model slack_model;

/* The schema and defaults of every scenario key. Caller owns; free with
 * cJSON_Delete. */
cJSON *slack_model_defaults(void);
/* Every scenario key, one line each: "path<TAB>kind<TAB>unit<TAB>min<TAB>max"
 * (an enum gives its names), from the same tables that read them. Caller
 * frees with g_free. */
char *slack_model_keys(void);

/* Builds a model from a loaded scenario (borrowed during the call). Range
 * checks happen here: NULL with a one-line `error` naming the key. Caller
 * owns the result; free with slack_model_free. */
slack_model *slack_model_new(const sim_scenario *sc, uint64_t seed, GError **error);
void slack_model_free(slack_model *m);                 /* NULL is a no-op */

/* Same checks as slack_model_new without building anything big. */
gboolean slack_model_validate(const sim_scenario *sc, GError **error);

sim_ctx *slack_model_ctx(slack_model *m);              /* borrowed */
sim_time slack_model_duration(const slack_model *m);   /* the scenario's run length */
/* Advances the simulation to `t` (<= duration); callable repeatedly, e.g. by
 * the visualizer once per frame. */
void slack_model_run_until(slack_model *m, sim_time t);

/* Wall-clock facts about a run; the only fields allowed to differ between
 * two runs with the same seed. */
typedef struct slack_run_info {
    double wall_seconds;
    double peak_rss_mib;
} slack_run_info;

/* summary.json as a tree (see docs/output.md). Caller owns. */
cJSON *slack_model_summary(const slack_model *m, const slack_run_info *run);
/* One row per simulated interval (see docs/output.md). Borrowed. */
const sim_series *slack_model_timeseries(const slack_model *m);
/* The human-readable report (SLO verdicts, bottleneck, utilizations).
 * Caller frees with g_free. */
char *slack_model_report(const slack_model *m, const slack_run_info *run);

/* Convenience for quizzes and sweeps: load `scenario_path` with `sets`
 * (NULL-terminated "key=value" overrides, may be NULL), run it to the end
 * and return its summary (run fields zero). Caller owns. */
cJSON *slack_model_run_file(const char *scenario_path, const char *const *sets, uint64_t seed, GError **error);

/* ---- For the visualizer: observe and steer a running model. ---- */

typedef enum {
    SLACK_STAGE_SENT,        /* client sent on its WebSocket */
    SLACK_STAGE_GATEWAY,     /* gateway forwarded to the message service */
    SLACK_STAGE_PERSISTED,   /* PostgreSQL write committed, id assigned */
    SLACK_STAGE_PUBLISHED,   /* appended to its Kafka partition */
    SLACK_STAGE_CONSUMED,    /* fan-out consumer took it; membership read */
    SLACK_STAGE_DONE         /* last online recipient pushed */
} slack_stage;

typedef struct slack_observer {
    void (*stage)(void *user, uint64_t msg, uint32_t channel, slack_stage stage, sim_time t);
    /* One call per online recipient when its WebSocket push completes. */
    void (*delivered)(void *user, uint64_t msg, uint32_t member, uint32_t gateway, sim_time t);
    /* One call per offline recipient when its notification is queued. */
    void (*push_queued)(void *user, uint64_t msg, uint32_t member, sim_time t);
    /* Added after the contract (may be NULL): the message service assigned
     * `msg` its id and PostgreSQL committed it. `id_us` is the id
     * "seconds.sequence" as microseconds (slack_model_format_id prints it);
     * `thread_us` the parent's id for a thread reply, else 0. */
    void (*persisted)(void *user, uint64_t msg, uint32_t channel, int64_t id_us, int64_t thread_us, sim_time t);
} slack_observer;

/* `obs` is copied; `user` borrowed until replaced. NULL removes. */
void slack_model_set_observer(slack_model *m, const slack_observer *obs, void *user);

/* Injects one message from `sender` into `channel` now; returns its
 * message number, the `msg` the observer calls carry. (Its id
 * "seconds.sequence" is assigned by the message service a little later and
 * reported by the observer's `persisted`.) */
uint64_t slack_model_post(slack_model *m, uint32_t channel, uint32_t sender);
void     slack_model_set_online(slack_model *m, uint32_t user, gboolean online);
gboolean slack_model_is_online(const slack_model *m, uint32_t user);
/* Kills or restores a gateway; a killed gateway's clients reconnect to the
 * others. */
void     slack_model_set_gateway_alive(slack_model *m, uint32_t gateway, gboolean alive);
gboolean slack_model_gateway_alive(const slack_model *m, uint32_t gateway);
uint32_t slack_model_gateways(const slack_model *m);
uint32_t slack_model_user_gateway(const slack_model *m, uint32_t user);
uint64_t slack_model_gateway_connections(const slack_model *m, uint32_t gateway);
/* Members of a channel: count and the i-th member's user id. */
uint32_t slack_model_channel_size(const slack_model *m, uint32_t channel);
uint32_t slack_model_channel_member(const slack_model *m, uint32_t channel, uint32_t i);
/* Scales the workload's send rate (1.0 = as configured). */
void     slack_model_set_rate_factor(slack_model *m, double factor);

/* The pipeline's stations in order, for the pipeline scene; borrowed. */
typedef enum {
    SLACK_STATION_GATEWAY_IN,
    SLACK_STATION_POSTGRES,
    SLACK_STATION_KAFKA,
    SLACK_STATION_FANOUT,
    SLACK_STATION_GATEWAY_OUT,
    SLACK_STATION_PUSH,
    SLACK_STATION_REDIS,
    SLACK_STATION_COUNT
} slack_station_id;
/* NULL for stages that are not sim_stations: the gateways (per-core
 * virtual-time CPUs, see models/gateway.h), the Kafka partition leaders
 * (virtual time too) and the push provider (a token bucket). For the
 * fan-out consumers (one per partition) the busiest; for Redis shard 0.
 * slack_model_stage_info covers every stage. */
const sim_station *slack_model_station(const slack_model *m, slack_station_id which);

/* ---- Added after the contract ---- */

/* Live figures of one pipeline stage, for every stage. */
typedef struct slack_stage_info {
    double utilization;    /* busy fraction since the start (busiest instance) */
    double queue;          /* jobs or notifications waiting now */
    double backlog_s;      /* work queued ahead of a new arrival now, seconds */
    uint64_t completed;    /* jobs done so far */
} slack_stage_info;
void slack_model_stage_info(const slack_model *m, slack_station_id which, slack_stage_info *out);

/* After the run's duration: stops new messages and runs until every message
 * in flight is delivered and every notification sent, or drain_s passes.
 * The summary reports the extra time as sim.drain_seconds. */
void slack_model_finish(slack_model *m);

/* Prints an id in the seed's "1630000000.000001" form into `buf`
 * (>= 24 bytes); returns buf. */
char *slack_model_format_id(int64_t id_us, char *buf, size_t size);

/* Loads `path` over slack_model_defaults() and applies `sets`
 * (NULL-terminated "key=value", may be NULL). Caller owns; free with
 * sim_scenario_free. NULL with a one-line `error`. */
sim_scenario *slack_model_load_scenario(const char *path, const char *const *sets, GError **error);
/* The scenario's "seed" key (the run's seed unless --seed overrides it). */
uint64_t slack_model_scenario_seed(const sim_scenario *sc);

uint32_t slack_model_users(const slack_model *m);
uint32_t slack_model_channels(const slack_model *m);
uint32_t slack_model_workspaces(const slack_model *m);
/* Users connected now (gateway connections). */
uint64_t slack_model_connected(const slack_model *m);
/* Messages sent so far and deliveries (WebSocket pushes) so far. */
uint64_t slack_model_messages_sent(const slack_model *m);
uint64_t slack_model_deliveries(const slack_model *m);

/* Kafka partitions of the topic, and consumer lag per partition: messages
 * readable by partition p's fan-out consumer and not yet consumed (its
 * queue plus the one in service). `_lag_now` is the lag at this instant,
 * `_lag` the largest in the last time-series interval (the max over p is
 * that row's kafka_lag_max; 0 before the first row), `_lag_max` the
 * largest over the run (summary kafka.consumer_lag_max_by_partition).
 * p < slack_model_partitions(m). */
uint32_t slack_model_partitions(const slack_model *m);
uint64_t slack_model_partition_lag_now(const slack_model *m, uint32_t p);
uint64_t slack_model_partition_lag(const slack_model *m, uint32_t p);
uint64_t slack_model_partition_lag_max(const slack_model *m, uint32_t p);

/* The load table: one row per stage (summary.json "load", the report's
 * table, the bottleneck, `--plots` utilization), each figure defined once:
 * utilization = busy time / capacity of the busiest instance in the worst
 * time-series interval (<= 1); offered_load = demand over the run /
 * capacity, busiest instance (may exceed 1). docs/output.md. */
typedef struct slack_stage_load {
    const char *stage;        /* "gateways", "postgres", ...; static */
    double utilization;
    double offered_load;
} slack_stage_load;
/* Fills up to `max` rows in table order; returns how many stages there are. */
size_t slack_model_loads(const slack_model *m, slack_stage_load *out, size_t max);

/* ---- The metric registry (models/slack_metrics.c, docs/output.md) ----
 * Every figure slacksim shows, defined once: its summary.json path (or
 * "timeseries.COLUMN"), unit, the interval it is taken over and what it
 * measures. `slacksim metrics` prints it; docs/output.md's tables are its
 * --markdown output; tests check every view against it. */
typedef enum slack_metric_shape {
    SLACK_SHAPE_VALUE,     /* a number, string, bool or an array of numbers (path ends "[]") */
    SLACK_SHAPE_HIST,      /* a latency object: {count, mean, p50, p90, p99, p999, max} */
    SLACK_SHAPE_STATION,   /* a station object (sim_station_to_json) */
    SLACK_SHAPE_POOL,      /* a pool of like stations (sim_station_pool_to_json), by_instance[] of stations */
} slack_metric_shape;

typedef enum slack_metric_over {
    SLACK_OVER_RUN,              /* total or mean over the whole run (drain included) */
    SLACK_OVER_WORST_INTERVAL,   /* the worst time-series interval */
    SLACK_OVER_BUSIEST_WORST,    /* busiest instance, worst interval */
    SLACK_OVER_BUSIEST_RUN,      /* busiest instance, over the run */
    SLACK_OVER_INSTANCE_MEAN,    /* mean over instances, over the run */
    SLACK_OVER_EACH,             /* one value per instance, over the run */
    SLACK_OVER_WORST_MOMENT,     /* the largest instantaneous value */
    SLACK_OVER_END,              /* at the end of the run */
    SLACK_OVER_PER_ITEM,         /* a distribution over messages, deliveries, requests... */
    SLACK_OVER_CONFIG,           /* configuration or derived from it */
    SLACK_OVER_INTERVAL,         /* one time-series interval */
    SLACK_OVER_WALL,             /* wall clock: differs between runs */
    SLACK_OVER_FAULT,            /* from the fault's start to its recovery */
} slack_metric_over;

typedef struct slack_metric {
    const char *path;            /* "messages.sent", "load.*.utilization", "faults[].lost", "timeseries.connections" */
    slack_metric_shape shape;
    const char *unit;
    slack_metric_over over;
    const char *meaning;         /* markdown */
} slack_metric;

/* A number of the text report and the summary field it shows. */
typedef struct slack_report_figure {
    const char *pattern;         /* Python-style regex, one group; `{}` names the `*` of path */
    const char *path;            /* a registry path, with `[N]` for an array element */
    double scale;                /* printed = field x scale */
} slack_report_figure;

/* Static tables; *n receives the row count. */
const slack_metric *slack_metrics(size_t *n);
const slack_report_figure *slack_report_figures(size_t *n);
/* The row defining field `path` ("latency_ms.push.p99", "fanout.consumers[3].wait_ms.max"), NULL if none. */
const slack_metric *slack_metric_find(const char *path);
/* The fields of a HIST or STATION object (NULL-terminated, "wait_ms.*" for a
 * nested latency object); NULL for VALUE. */
const char *const *slack_metric_shape_fields(slack_metric_shape shape);
const char *slack_metric_over_name(slack_metric_over over);
/* The unit of field `path`, a field inside a latency or station object
 * included ("count" for a latency object's count); NULL if no row. */
const char *slack_metric_unit(const char *path);

/* ---- The seed's alternatives and faults, live (the visualizer) ---- */

/* fanout.queue now: "kafka" or "redis_pubsub"; switching affects messages
 * published from now on. FALSE for an unknown name. */
gboolean slack_model_set_queue(slack_model *m, const char *name);
const char *slack_model_queue(const slack_model *m);                 /* static string */
/* delivery.transport now: "websocket", "short_polling", "long_polling" or
 * "sse"; switching affects deliveries from now on. FALSE if unknown. */
gboolean slack_model_set_transport(slack_model *m, const char *name);
const char *slack_model_transport(const slack_model *m);             /* static string */
/* Fan-out consumer `partition` dies now for `seconds` (the consumer_crash
 * fault): Kafka keeps its messages and replays, pub/sub loses them. */
void slack_model_crash_consumer(slack_model *m, uint32_t partition, double seconds);
gboolean slack_model_consumer_down(const slack_model *m, uint32_t partition);
/* What the queue did so far (summary fanout.queue_*). */
typedef struct slack_queue_counts {
    uint64_t published;       /* handed to the queue */
    uint64_t lost;            /* pub/sub: published while the subscriber was down */
    uint64_t duplicated;      /* Kafka: re-delivered after a crash (uncommitted) */
    uint64_t dedup_drops;     /* clients' copies of those, dropped by message id */
} slack_queue_counts;
void slack_model_queue_counts(const slack_model *m, slack_queue_counts *out);

/* The latency histograms behind summary latency_ms (values in ns). */
typedef enum {
    SLACK_LATENCY_END_TO_END,   /* send -> WebSocket push, one per online recipient */
    SLACK_LATENCY_PERSIST,      /* queued at PostgreSQL -> write committed */
    SLACK_LATENCY_KAFKA,        /* publish -> readable by the fan-out consumer */
    SLACK_LATENCY_FANOUT,       /* readable -> last online recipient pushed */
    SLACK_LATENCY_PUSH,         /* offline notification queued -> sent by the provider */
    SLACK_LATENCY_COUNT
} slack_latency;
/* A copy of the whole run's histogram so far (the end-to-end one includes
 * the interval not yet written as a row). Caller owns; free with
 * sim_hist_free. */
sim_hist *slack_model_latency_hist(const slack_model *m, slack_latency which);

/* ---- added for the visualizer's inspectors ---- */
/* Redis shards, and shard s's single-threaded server as a station (queue,
 * busy, utilization, sojourn); NULL if s >= the shard count. Borrowed
 * until the model is freed. (models/slack_inspect.c) */
uint32_t slack_model_redis_shards(const slack_model *m);
const sim_station *slack_model_redis_shard(const slack_model *m, uint32_t s);

#endif
