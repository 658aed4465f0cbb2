/* slack_config: the scenario keys of the Slack model (everything but the
 * "redis" and "presence" subtrees, which belong to models/redis.h and
 * models/presence.h), their defaults, and range checks. docs/scenarios.md
 * gives each key's unit, default and source. */
#ifndef SLACK_CONFIG_H
#define SLACK_CONFIG_H

#include <stdint.h>
#include <glib.h>
#include <cjson/cJSON.h>
#include "sim/sim_dist.h"
#include "sim/sim_scenario.h"

/* Caller-allocated; fill with slack_cfg_read, release with slack_cfg_clear. */
typedef struct slack_cfg {
    /* run */
    double duration_s, interval_s, drain_s, start_hour;
    int64_t seed, epoch_s;
    /* workload (wl_) */
    int64_t users;
    double online_fraction;
    int64_t workspaces, workspace_max;
    sim_dist workspace_size;
    gboolean general_channel;
    double channels_per_user;
    sim_dist channel_size;
    int64_t channel_max;
    double activity_exponent, general_activity;
    double messages_per_user_per_day, rate_per_sec;
    gboolean daily_curve;
    double peak1_hour, peak2_hour, peak_width_h, night_level;
    double thread_reply_fraction;
    /* network */
    double client_one_way_s;
    /* gateways (gw_) */
    int64_t gw_count, gw_cores, gw_max_connections;
    double gw_memory_per_connection_kib, gw_memory_gib;
    sim_dist gw_inbound_s, gw_push_s, gw_batch_overhead_s, gw_connect_s;
    double gw_reconnect_window_s;
    /* message service + PostgreSQL (msg_) */
    int64_t pg_writers, pg_queue_limit;
    sim_dist pg_service_s;
    /* Kafka (kafka_) */
    int64_t kafka_partitions;
    sim_dist kafka_append_s, kafka_ack_s;
    /* fan-out (fanout_) */
    sim_dist fanout_service_s;
    double fanout_per_recipient_s;
    /* mobile push (push_) */
    double push_rate_per_min, push_burst_s, push_retry_base_s, push_retry_max_s;
    double push_notify_fraction;
    sim_dist push_send_s;
    /* SLOs checked by the report */
    double slo_e2e_p99_ms, slo_push_p99_s, slo_persist_p99_ms;
} slack_cfg;

/* The model's own keys with their defaults (no "redis"/"presence").
 * Caller owns; free with cJSON_Delete. */
cJSON *slack_cfg_defaults(void);

/* Reads and range-checks every key into `cfg` (which it initialises; clear
 * with slack_cfg_clear even on failure). Cross-key checks included (e.g.
 * more connections than the gateways hold). */
gboolean slack_cfg_read(const sim_scenario *sc, slack_cfg *cfg, GError **error);
void slack_cfg_clear(slack_cfg *cfg);

/* Connected users the configuration implies. */
uint64_t slack_cfg_online_users(const slack_cfg *cfg);

#endif
