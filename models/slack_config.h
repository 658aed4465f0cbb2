/* slack_config: the Slack model's own configuration (everything but the
 * subtrees of redis, presence, search and files, which keep their own
 * structs). Each stage reads its part through its component's field table
 * (models/slack_internal.h), which also holds each key's default and unit;
 * docs/scenarios.md gives each key's source. */
#ifndef SLACK_CONFIG_H
#define SLACK_CONFIG_H

#include <math.h>
#include <stdint.h>
#include <glib.h>
#include "sim/sim_dist.h"

/* delivery.transport (delivery.c). */
typedef enum {
    SLACK_TRANSPORT_WEBSOCKET,     /* the seed's design: server push on an open connection */
    SLACK_TRANSPORT_SHORT_POLLING, /* GET every poll_interval_s */
    SLACK_TRANSPORT_LONG_POLLING,  /* a held GET, answered at once, re-sent */
    SLACK_TRANSPORT_SSE            /* server push one way, sends as POSTs */
} slack_transport;

/* fanout.queue (fanout.c, kafka.c, pubsub.c). */
typedef enum {
    SLACK_QUEUE_KAFKA,             /* the seed's design: a log, consumers resume from their offset */
    SLACK_QUEUE_REDIS_PUBSUB       /* fire and forget: only subscribers connected now receive */
} slack_queue;

/* messages.store (message.c). */
typedef enum {
    SLACK_STORE_POSTGRES,          /* the seed's design: a per-channel sequence, published in id order */
    SLACK_STORE_WIDE_COLUMN        /* Cassandra-like: ids from clocks, no sequence, published at commit */
} slack_store;

/* gateways.scheduling (gateway.c). */
typedef enum {
    SLACK_SCHED_PINNED,            /* a connection's work on its own core (user % cores) */
    SLACK_SCHED_POOLED             /* one FIFO queue per host, served by every core */
} slack_sched;

/* gateways.reconnect.jitter (faults.c). */
typedef enum {
    SLACK_JITTER_WINDOW,           /* uniform over gateways.reconnect_window_s */
    SLACK_JITTER_FULL,             /* exponential backoff, full jitter */
    SLACK_JITTER_NONE              /* exponential backoff in step: the thundering herd */
} slack_jitter;

/* Caller-allocated; filled by slack_config_read (models/slack_internal.h). */
typedef struct slack_cfg {
    /* run (top-level keys; slack_model.c) */
    double duration_s;             /* simulated time during which messages are sent */
    double interval_s;             /* one time-series row per interval */
    double drain_s;                /* longest run after duration to empty the pipeline */
    double start_hour;             /* time of day at t = 0 */
    int64_t seed;                  /* the run's seed unless --seed */
    int64_t epoch_s;               /* seconds part of the first id */
    /* network */
    double client_one_way_s;       /* client <-> gateway, one way */
    /* workload (workload.c) */
    int64_t users;                 /* everyone who may connect */
    double online_fraction;        /* connected at t = 0 */
    int64_t workspaces;            /* 0: drawn from workspace_size */
    int64_t workspace_max;         /* cap on a drawn workspace size */
    sim_dist workspace_size;       /* users per workspace */
    gboolean general_channel;      /* every workspace has #general */
    double channels_per_user;      /* other channels per member */
    sim_dist channel_size;         /* members per other channel */
    int64_t channel_max;           /* largest channel */
    double activity_exponent;      /* channel weight size^x */
    double general_activity;       /* extra weight of #general */
    double messages_per_user_per_day; /* per connected user */
    double rate_per_sec;           /* if > 0, replaces the per-user rate */
    gboolean daily_curve;          /* rate follows the daily curve */
    double peak1_hour;             /* first daily peak */
    double peak2_hour;             /* second daily peak */
    double peak_width_h;           /* standard deviation of each peak */
    double night_level;            /* floor of the curve */
    double thread_reply_fraction;  /* share of messages that are thread replies */
    /* gateways (gateway.c) */
    int64_t gw_count;              /* gateway servers */
    int64_t gw_cores;              /* cores per gateway */
    int64_t gw_max_connections;    /* connections one gateway holds */
    double gw_memory_per_connection_kib; /* memory per connection */
    double gw_memory_gib;          /* memory per gateway */
    sim_dist gw_inbound_s;         /* CPU per inbound message */
    sim_dist gw_push_s;            /* CPU per outbound push (its mean is used) */
    sim_dist gw_batch_overhead_s;  /* CPU per push batch */
    sim_dist gw_connect_s;         /* CPU per connect handshake */
    slack_sched gw_scheduling;     /* pinned or pooled cores */
    double gw_reconnect_window_s;  /* clients of a dead gateway reconnect over this (jitter "window") */
    slack_jitter gw_reconnect_jitter; /* how reconnects spread */
    double gw_reconnect_base_s;    /* first backoff */
    double gw_reconnect_max_s;     /* longest backoff */
    /* message store (message.c) */
    slack_store msg_store;         /* postgres or wide_column */
    double msg_clock_skew_ms;      /* wide_column: each sender's clock is off by up to this */
    /* PostgreSQL (postgres.c) */
    int64_t pg_writers;            /* writers of the pool */
    int64_t pg_queue_limit;        /* 0: unbounded */
    sim_dist pg_service_s;         /* one write */
    double pg_iops;                /* the database's I/O device, I/Os per second; 0: unlimited (off) */
    double pg_ios_per_write;       /* I/Os a message write's commit waits for (with pg_iops) */
    /* Kafka (kafka.c) */
    int64_t kafka_partitions;      /* of the topic */
    sim_dist kafka_append_s;       /* leader time per append */
    sim_dist kafka_ack_s;          /* replication delay until readable */
    double kafka_commit_interval_s; /* consumers commit their offset this often */
    /* fan-out (fanout.c) */
    sim_dist fanout_service_s;     /* consumer time per message */
    double fanout_per_recipient_s; /* plus this per member */
    slack_queue fanout_queue;      /* what carries messages to the fan-out */
    sim_dist pubsub_publish_s;     /* redis_pubsub: PUBLISH to the subscriber */
    /* delivery (delivery.c) */
    slack_transport transport;     /* how a recipient's client gets a message */
    double poll_interval_s;        /* short polling period */
    double hold_s;                 /* long-poll hold timeout */
    double request_s;              /* gateway CPU per HTTP request */
    /* mobile push (push.c) */
    double push_rate_per_min;      /* provider quota */
    double push_burst_s;           /* bucket holds this much of the quota */
    double push_notify_fraction;   /* offline recipients who get a notification */
    double push_retry_base_s;      /* first backoff after a 429 */
    double push_retry_max_s;       /* longest backoff */
    sim_dist push_send_s;          /* provider accept latency */
    /* SLOs checked by the report (slack_output.c) */
    double slo_e2e_p99_ms;         /* end-to-end p99 target */
    double slo_push_p99_s;         /* push p99 target */
    double slo_persist_p99_ms;     /* persist p99 target */
} slack_cfg;

/* Connected users the configuration implies: exactly round(users x f). */
static inline uint64_t slack_cfg_online_users(const slack_cfg *cfg)
{
    return (uint64_t)llround((double)cfg->users * cfg->online_fraction);
}

#endif
