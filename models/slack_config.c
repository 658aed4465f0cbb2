/* slack_config: the Slack model's scenario schema and its reading.
 *
 * Invariant: a slack_cfg that slack_cfg_read accepted describes a model that
 * can be built: every count >= 1 where the model needs one, every fraction
 * in [0, 1], every rate positive, and the gateways can hold every connected
 * user (count x max_connections and memory). The defaults are one small
 * deployment with component figures from public sources; docs/scenarios.md
 * cites each. */
#include "models/slack_config.h"

#include <math.h>
#include <unistd.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include "sim/sim_error.h"

/* The schema. Distribution slots are objects with a "dist" key. */
static const char slack_cfg_defaults_text[] =
"{"
" \"seed\": 1, \"duration_s\": 60, \"interval_s\": 1, \"drain_s\": 300, \"start_hour\": 11,"
" \"epoch_s\": 1630000000,"
" \"workload\": {"
"  \"users\": 500, \"online_fraction\": 0.7,"
"  \"workspaces\": 1, \"workspace_max\": 250000,"
"  \"workspace_size\": {\"dist\": \"pareto\", \"xm\": 3, \"alpha\": 1.12},"
"  \"general_channel\": true, \"channels_per_user\": 0,"
"  \"channel_size\": {\"dist\": \"pareto\", \"xm\": 2, \"alpha\": 1.2},"
"  \"channel_max\": 100000,"
"  \"activity_exponent\": 0.3, \"general_activity\": 1,"
"  \"messages_per_user_per_day\": 20, \"rate_per_sec\": 0,"
"  \"daily_curve\": true, \"peak1_hour\": 11, \"peak2_hour\": 14,"
"  \"peak_width_h\": 2, \"night_level\": 0.05,"
"  \"thread_reply_fraction\": 0.3"
" },"
" \"network\": { \"client_one_way_s\": 0.04 },"
" \"gateways\": {"
"  \"count\": 4, \"cores\": 8, \"max_connections\": 500000,"
"  \"memory_per_connection_kib\": 64, \"memory_gib\": 128,"
"  \"inbound_s\": {\"dist\": \"exponential\", \"mean\": 0.00005},"
"  \"push_s\": {\"dist\": \"exponential\", \"mean\": 0.000005},"
"  \"batch_overhead_s\": {\"dist\": \"exponential\", \"mean\": 0.00002},"
"  \"connect_s\": {\"dist\": \"exponential\", \"mean\": 0.0002},"
"  \"reconnect_window_s\": 10"
" },"
" \"postgres\": {"
"  \"writers\": 16, \"queue_limit\": 0,"
"  \"service_s\": {\"dist\": \"lognormal\", \"median\": 0.002, \"p99\": 0.011}"
" },"
" \"kafka\": {"
"  \"partitions\": 64,"
"  \"append_s\": {\"dist\": \"exponential\", \"mean\": 0.0000012},"
"  \"ack_s\": {\"dist\": \"lognormal\", \"median\": 0.002, \"p99\": 0.005}"
" },"
" \"fanout\": {"
"  \"service_s\": {\"dist\": \"exponential\", \"mean\": 0.0001},"
"  \"per_recipient_s\": 0.0000002"
" },"
" \"push\": {"
"  \"rate_per_min\": 600000, \"burst_s\": 1, \"notify_fraction\": 1,"
"  \"retry_base_s\": 1, \"retry_max_s\": 60,"
"  \"send_s\": {\"dist\": \"lognormal\", \"median\": 0.05, \"p99\": 0.3}"
" },"
" \"slo\": { \"end_to_end_p99_ms\": 500, \"push_p99_s\": 30, \"persist_p99_ms\": 50 }"
"}";

cJSON *slack_cfg_defaults(void)
{
    cJSON *d = cJSON_Parse(slack_cfg_defaults_text);
    g_assert(d);
    return d;
}

/* One numeric key: path, range, destination. */
typedef struct { const char *path; double min, max; size_t off; } cfg_double;
typedef struct { const char *path; int64_t min, max; size_t off; } cfg_int;
typedef struct { const char *path; size_t off; } cfg_other;

#define D(p, lo, hi, f) { p, lo, hi, offsetof(slack_cfg, f) }
static const cfg_double cfg_doubles[] = {
    D("duration_s", 1e-3, 1e7, duration_s),
    D("interval_s", 1e-3, 1e6, interval_s),
    D("drain_s", 0, 1e6, drain_s),
    D("start_hour", 0, 24, start_hour),
    D("workload.online_fraction", 0, 1, online_fraction),
    D("workload.channels_per_user", 0, 1000, channels_per_user),
    D("workload.activity_exponent", -4, 4, activity_exponent),
    D("workload.general_activity", 0, 1e6, general_activity),
    D("workload.messages_per_user_per_day", 0, 1e6, messages_per_user_per_day),
    D("workload.rate_per_sec", 0, 1e9, rate_per_sec),
    D("workload.peak1_hour", 0, 24, peak1_hour),
    D("workload.peak2_hour", 0, 24, peak2_hour),
    D("workload.peak_width_h", 0.05, 24, peak_width_h),
    D("workload.night_level", 0, 1, night_level),
    D("workload.thread_reply_fraction", 0, 1, thread_reply_fraction),
    D("network.client_one_way_s", 0, 60, client_one_way_s),
    D("gateways.memory_per_connection_kib", 0, 1e9, gw_memory_per_connection_kib),
    D("gateways.memory_gib", 1e-6, 1e9, gw_memory_gib),
    D("gateways.reconnect_window_s", 0, 3600, gw_reconnect_window_s),
    D("fanout.per_recipient_s", 0, 1, fanout_per_recipient_s),
    D("push.rate_per_min", 1e-6, 1e12, push_rate_per_min),
    D("push.burst_s", 1e-6, 3600, push_burst_s),
    D("push.notify_fraction", 0, 1, push_notify_fraction),
    D("push.retry_base_s", 1e-6, 3600, push_retry_base_s),
    D("push.retry_max_s", 1e-6, 86400, push_retry_max_s),
    D("slo.end_to_end_p99_ms", 0, 1e9, slo_e2e_p99_ms),
    D("slo.push_p99_s", 0, 1e9, slo_push_p99_s),
    D("slo.persist_p99_ms", 0, 1e9, slo_persist_p99_ms),
};
#undef D

#define I(p, lo, hi, f) { p, lo, hi, offsetof(slack_cfg, f) }
static const cfg_int cfg_ints[] = {
    I("seed", 0, 9007199254740991LL, seed),
    I("epoch_s", 0, 4000000000LL, epoch_s),
    I("workload.users", 1, 1000000000LL, users),
    I("workload.workspaces", 0, 1000000000LL, workspaces),
    I("workload.workspace_max", 1, 1000000000LL, workspace_max),
    I("workload.channel_max", 2, 1000000000LL, channel_max),
    I("gateways.count", 1, 65000, gw_count),
    I("gateways.cores", 1, 1024, gw_cores),
    I("gateways.max_connections", 1, 1000000000LL, gw_max_connections),
    I("postgres.writers", 1, 100000, pg_writers),
    I("postgres.queue_limit", 0, 1000000000LL, pg_queue_limit),
    I("kafka.partitions", 1, 100000, kafka_partitions),
};
#undef I

#define S(p, f) { p, offsetof(slack_cfg, f) }
static const cfg_other cfg_dists[] = {
    S("workload.workspace_size", workspace_size),
    S("workload.channel_size", channel_size),
    S("gateways.inbound_s", gw_inbound_s),
    S("gateways.push_s", gw_push_s),
    S("gateways.batch_overhead_s", gw_batch_overhead_s),
    S("gateways.connect_s", gw_connect_s),
    S("postgres.service_s", pg_service_s),
    S("kafka.append_s", kafka_append_s),
    S("kafka.ack_s", kafka_ack_s),
    S("fanout.service_s", fanout_service_s),
    S("push.send_s", push_send_s),
};
static const cfg_other cfg_bools[] = {
    S("workload.general_channel", general_channel),
    S("workload.daily_curve", daily_curve),
};
#undef S

static gboolean read_scalars(const sim_scenario *sc, slack_cfg *cfg, GError **error)
{
    char *base = (char *)cfg;
    for (size_t i = 0; i < G_N_ELEMENTS(cfg_doubles); i++) {
        const cfg_double *k = &cfg_doubles[i];
        if (!sim_scenario_double(sc, k->path, k->min, k->max, (double *)(base + k->off), error)) return FALSE;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(cfg_ints); i++) {
        const cfg_int *k = &cfg_ints[i];
        if (!sim_scenario_int(sc, k->path, k->min, k->max, (int64_t *)(base + k->off), error)) return FALSE;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(cfg_bools); i++)
        if (!sim_scenario_bool(sc, cfg_bools[i].path, (gboolean *)(base + cfg_bools[i].off), error)) return FALSE;
    return TRUE;
}

/* Every distribution must also have a finite, non-negative mean: service
 * times and sizes cannot be negative on average. */
static gboolean read_dists(const sim_scenario *sc, slack_cfg *cfg, GError **error)
{
    char *base = (char *)cfg;
    for (size_t i = 0; i < G_N_ELEMENTS(cfg_dists); i++) {
        sim_dist *d = (sim_dist *)(base + cfg_dists[i].off);
        if (!sim_scenario_dist(sc, cfg_dists[i].path, d, error)) return FALSE;
        double mean = sim_dist_mean(d);
        gboolean sizes = i < 2; /* workspace and channel sizes may be heavy-tailed */
        if (!(mean >= 0) || (!sizes && !isfinite(mean))) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE, "%s: %s must have a finite, non-negative mean",
                        sim_scenario_origin(sc), cfg_dists[i].path);
            return FALSE;
        }
    }
    return TRUE;
}

uint64_t slack_cfg_online_users(const slack_cfg *cfg)
{
    return (uint64_t)llround((double)cfg->users * cfg->online_fraction);
}

static gboolean value_fail(const sim_scenario *sc, GError **error, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static gboolean value_fail(const sim_scenario *sc, GError **error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE, "%s: %s", sim_scenario_origin(sc), what);
    g_free(what);
    return FALSE;
}

/* Checks that involve more than one key. */
/* A lower bound on the world's footprint: ~49 bytes per user were measured
 * for peak_hour_12m (753 MiB at 16M users), so 48 bytes a user is a floor.
 * A scenario that cannot fit in this machine's memory is refused here, with
 * a message, instead of aborting in an allocation half-way through the
 * build of the world. */
static gboolean check_memory(const sim_scenario *sc, const slack_cfg *cfg, GError **error)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return TRUE;   /* unknown: let the allocator decide */
    double need_gib = 48.0 * (double)cfg->users / (1024.0 * 1024.0 * 1024.0);
    double have_gib = (double)pages * (double)page / (1024.0 * 1024.0 * 1024.0);
    if (need_gib > have_gib)
        return value_fail(sc, error, "workload.users: %" G_GINT64_FORMAT " users need at least %.1f GiB, "
                          "more than this machine's %.1f GiB", cfg->users, need_gib, have_gib);
    return TRUE;
}

static gboolean check_cross(const sim_scenario *sc, const slack_cfg *cfg, GError **error)
{
    uint64_t online = slack_cfg_online_users(cfg);
    uint64_t hold = (uint64_t)cfg->gw_count * (uint64_t)cfg->gw_max_connections;
    if (online > hold)
        return value_fail(sc, error, "gateways: %" G_GUINT64_FORMAT " connected users (workload.users x online_fraction) "
                          "exceed gateways.count x gateways.max_connections = %" G_GUINT64_FORMAT, online, hold);
    double per_gw = ceil((double)online / (double)cfg->gw_count);
    double mem_gib = per_gw * cfg->gw_memory_per_connection_kib / (1024.0 * 1024.0);
    if (mem_gib > cfg->gw_memory_gib)
        return value_fail(sc, error, "gateways: %.0f connections per gateway need %.1f GiB "
                          "(memory_per_connection_kib), more than gateways.memory_gib = %g", per_gw, mem_gib, cfg->gw_memory_gib);
    if (cfg->workspaces > cfg->users)
        return value_fail(sc, error, "workload.workspaces (%" G_GINT64_FORMAT ") exceeds workload.users (%" G_GINT64_FORMAT ")",
                          cfg->workspaces, cfg->users);
    if (cfg->users > 4000000000LL / 2)
        return value_fail(sc, error, "workload.users must be < 2e9 (32-bit user ids)");
    if (cfg->interval_s > cfg->duration_s)
        return value_fail(sc, error, "interval_s (%g) exceeds duration_s (%g)", cfg->interval_s, cfg->duration_s);
    return check_memory(sc, cfg, error);
}

gboolean slack_cfg_read(const sim_scenario *sc, slack_cfg *cfg, GError **error)
{
    memset(cfg, 0, sizeof *cfg);
    return read_scalars(sc, cfg, error) && read_dists(sc, cfg, error) && check_cross(sc, cfg, error);
}

void slack_cfg_clear(slack_cfg *cfg)
{
    char *base = (char *)cfg;
    for (size_t i = 0; i < G_N_ELEMENTS(cfg_dists); i++) sim_dist_clear((sim_dist *)(base + cfg_dists[i].off));
}
