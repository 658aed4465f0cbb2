/* slack_internal: the slack_model struct, shared by the model's own files
 * (slack_model.c runs the pipeline, slack_output.c writes the summary, the
 * report and the time series). Not a public header: viz/, quiz/ and cli/
 * use models/slack_model.h only. */
#ifndef SLACK_INTERNAL_H
#define SLACK_INTERNAL_H

#include "models/slack_model.h"
#include "models/slack_config.h"
#include "models/workload.h"
#include "models/gateway.h"
#include "models/redis.h"
#include "models/presence.h"
#include "models/search.h"
#include "models/files.h"

/* A message in flight (sender -> last recipient); slots are recycled. */
typedef struct msg_rec {
    uint64_t serial;       /* the observer's message number */
    int64_t ts_us;         /* id "seconds.sequence" as microseconds since the epoch */
    int64_t thread_us;     /* parent's id for a thread reply, else 0 */
    sim_time t_sent;       /* reached the sender's gateway */
    sim_time t_published;  /* handed to Kafka */
    sim_time t_visible;    /* readable by the fan-out consumer */
    uint32_t channel, sender;
    uint32_t size;         /* the channel's members (cached: read at every stage) */
    uint32_t partition;    /* its Kafka partition */
    uint32_t chan_seq;     /* per-channel assignment order (for publish order) */
    uint32_t next_free;    /* free-list link */
} msg_rec;

/* Notifications of one message waiting for the push provider. */
typedef struct push_job {
    sim_time t_queued;
    uint32_t left, attempts, next_free;
} push_job;

/* Per-channel message-service state. */
typedef struct chan_state {
    int64_t last_ts;       /* last id assigned (us) */
    int64_t last_parent;   /* last top-level id, for thread replies */
    uint32_t assigned;     /* ids assigned so far */
    uint32_t published;    /* next assignment number to publish */
} chan_state;

/* One observer callback waiting for its time (only while observed). */
typedef struct obs_rec {
    uint64_t serial;
    uint32_t a, b;         /* delivered: member, gateway; done: channel */
    uint32_t next_free;
} obs_rec;

#define SLACK_NIL UINT32_MAX

struct slack_model {
    slack_cfg cfg;
    char *name;
    uint64_t seed;
    sim_ctx *ctx;
    wl_workload *wl;
    gw_set *gw;
    const uint16_t *conn;          /* gw_conn_table(gw) */
    redis_config rcfg;
    redis_server *redis;
    presence_config pcfg;
    presence *pres;
    search_model *search;          /* indexing consumer group + queries */
    files_model *files;            /* uploads and downloads */
    sim_station *pg, **fanout;     /* writer pool; one consumer per partition */
    sim_time *kafka_free_at, *kafka_booked, *kafka_done_prev;  /* per partition leader, virtual time */
    uint64_t *lag_by_partition;    /* largest consumer lag seen per partition */
    uint64_t *lag_iv_by_partition; /* 2 x partitions: [0,P) largest lag this interval, [P,2P) in the last row's */
    uint32_t partitions;
    sim_rng rng_wl, rng_msg, rng_kafka, rng_fanout, rng_push;
    sim_time duration, drained;    /* drained: extra time run after duration */

    chan_state *chan;
    GArray *msgs;                  /* msg_rec */
    uint32_t msg_free;
    uint64_t serial_next, in_flight;
    GHashTable *parked;            /* (channel << 32 | seq) -> slot + 1, or SLACK_NIL for a drop */
    sim_time *kafka_visible_last;  /* per partition: keeps ack delays FIFO */

    /* arrivals */
    double base_rate, rate_factor, rate_max;
    float *curve_knots;            /* daily curve at every whole second of the run */
    uint32_t n_knots;
    gboolean arrivals_on;
    uint64_t alias_bits;           /* random bits of the channel draw after next */
    uint32_t next_channel;         /* channel of the next arrival */
    const uint32_t *sender_hint;   /* next arrival's first sender candidate, not yet prefetched (hint) */
    sim_event_id arrival_ev;

    /* fan-out scratch, one entry per (gateway, core) */
    uint32_t *slot_count, *touched, n_touched;
    sim_time *slot_base;

    /* push provider */
    GArray *push_jobs;
    uint32_t push_free;
    double tokens, token_rate_ns, token_cap;
    sim_time tokens_t;
    uint64_t push_waiting;

    /* counters */
    uint64_t sent, persisted, dropped, delivered_online, push_offline;
    uint64_t recipients_online, recipients_offline, lost_crashed, thread_replies;
    uint64_t fanned_out, push_sent, push_429, no_sender, redis_fanout_ops;
    sim_hist *h_e2e, *h_e2e_iv, *h_persist, *h_kafka, *h_fanout, *h_push;

    /* time series */
    sim_series *series;
    sim_time iv_ns, iv_prev;
    sim_event_id sample_ev;
    uint64_t iv_sent, iv_delivered, iv_push, iv_pg_done, lag_max, lag_iv_max;
    double pg_area_prev, *fanout_area_prev;
    double pg_wps_peak, pg_util_max, kafka_util_max, fanout_util_max;
    double msgs_per_s_peak, deliveries_per_s_peak, push_per_s_peak;
    double redis_area_prev, redis_util_iv_max;

    /* observer */
    slack_observer obs;
    void *obs_user;
    gboolean obs_on;
    GArray *obs_recs;
    uint32_t obs_free;

    /* wall clock of slack_model_new's build, for the report */
    double build_wall_s;
};

/* slack_world.c: search and files, wired in */
void slack_world_defaults(cJSON *d);
gboolean slack_world_validate(const sim_scenario *sc, GError **error);
gboolean slack_world_new(slack_model *m, const sim_scenario *sc, GError **error);
void slack_world_free(slack_model *m);
void slack_world_stop_arrivals(slack_model *m);
void slack_world_summary(const slack_model *m, cJSON *o);
void slack_world_report(const slack_model *m, GString *s);
void slack_world_published(slack_model *m, uint32_t partition, uint64_t msg, uint32_t channel);
void slack_world_delivered(slack_model *m, uint64_t msg, uint64_t online);
/* Extra time-series columns (at most SLACK_WORLD_COLUMNS): names, then
 * one row's values since the previous row. Both return the count. */
#define SLACK_WORLD_COLUMNS 8
size_t slack_world_columns(const slack_model *m, const char **out);
size_t slack_world_sample(slack_model *m, double *out);

/* slack_output.c */
void slack_output_series_init(slack_model *m);
void slack_output_sample(slack_model *m);

#endif
