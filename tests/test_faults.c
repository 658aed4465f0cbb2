/* faults: what the seed's "Why Kafka?" and reconnect arguments rest on.
 * With Redis pub/sub, a dead subscriber loses exactly the messages
 * published to it while it is down; with Kafka none is lost, and what the
 * consumer had processed since its last commit comes back as duplicates.
 * After a gateway crash, the reconnect peak grows with the clients it held
 * and shrinks with jitter. */
#include <math.h>
#include "tests/test_util.h"
#include "tests/test_model_util.h"
#include "models/slack_internal.h"

static const char crash_text[] =
    "{\"duration_s\": 40, \"workload\": {\"users\": 2000, \"workspaces\": 5, \"channels_per_user\": 0.2,"
    " \"rate_per_sec\": 50, \"daily_curve\": false}, \"kafka\": {\"partitions\": 4, \"commit_interval_s\": %g},"
    " \"fanout\": {\"queue\": \"%s\"}, \"faults\": [{\"at_s\": 15, \"kind\": \"consumer_crash\", \"target\": 1, \"duration_s\": 10}]}";

typedef struct { slack_model *m; uint64_t in_window, consumed_before; } crash_watch;

/* Messages of partition 1 reaching its consumer (PUBLISHED) while it is
 * down, and consumed by it before the crash. */
static void on_stage(void *user, uint64_t msg, uint32_t channel, slack_stage stage, sim_time t)
{
    (void)msg;
    crash_watch *w = user;
    if (kafka_partition_of(w->m, channel) != 1) return;
    if (stage == SLACK_STAGE_PUBLISHED && t >= 15 * SIM_SEC && t < 25 * SIM_SEC) w->in_window++;
    if (stage == SLACK_STAGE_CONSUMED && t < 15 * SIM_SEC) w->consumed_before++;
}

static cJSON *crash_run(const char *queue, double commit_s, crash_watch *w)
{
    char *text = g_strdup_printf(crash_text, commit_s, queue);
    w->m = test_model_from(text, 5);
    g_free(text);
    if (!w->m) return NULL;
    slack_observer obs = { .stage = on_stage };
    slack_model_set_observer(w->m, &obs, w);
    slack_model_finish(w->m);
    cJSON *s = slack_model_summary(w->m, NULL);
    slack_model_free(w->m);
    return s;
}

static void test_pubsub_loses_what_is_published_while_down(void)
{
    crash_watch w = { 0 };
    cJSON *s = crash_run("redis_pubsub", 5, &w);
    CU_ASSERT_FATAL(s != NULL);
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(s, "fanout");
    CU_ASSERT(w.in_window > 50);
    CU_ASSERT_EQUAL(test_jnum(f, "queue_lost", NULL), (double)w.in_window);
    CU_ASSERT_EQUAL(test_jnum(f, "queue_duplicates", NULL), 0);
    const cJSON *fault = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(s, "faults"), 0);
    CU_ASSERT_EQUAL(test_jnum(fault, "lost", NULL), (double)w.in_window);
    /* nothing else is lost: every other message reached its recipients */
    CU_ASSERT_EQUAL(test_jnum(s, "fanout", "messages") + test_jnum(f, "queue_lost", NULL), test_jnum(s, "messages", "persisted"));
    cJSON_Delete(s);
}

static void test_kafka_loses_none_and_replays_uncommitted(void)
{
    crash_watch w = { 0 };
    /* no commit after the start: everything consumed before the crash is re-delivered */
    cJSON *s = crash_run("kafka", 86400, &w);
    CU_ASSERT_FATAL(s != NULL);
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(s, "fanout");
    CU_ASSERT_EQUAL(test_jnum(f, "queue_lost", NULL), 0);
    CU_ASSERT_EQUAL(test_jnum(s, "fanout", "messages"), test_jnum(s, "messages", "persisted"));
    CU_ASSERT(w.consumed_before > 50);
    CU_ASSERT_EQUAL(test_jnum(f, "queue_duplicates", NULL), (double)w.consumed_before);
    CU_ASSERT(test_jnum(f, "queue_held_max", NULL) > 50);
    /* the duplicates' second fan-out is charged to the consumer: the mean
     * service (0.1 ms) each plus 0.2 us per member, every online recipient
     * (dedup_drops) being a member */
    double dups = test_jnum(f, "queue_duplicates", NULL), replay = test_jnum(f, "replay_work_s", NULL);
    CU_ASSERT(replay >= (dups * 1e-4 + test_jnum(f, "dedup_drops", NULL) * 2e-7) * (1 - 1e-6));
    CU_ASSERT(replay < dups * 1e-4 * 10);
    cJSON_Delete(s);
    /* a commit at every message: nothing to replay */
    s = crash_run("kafka", 0, &w);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(test_jnum(s, "fanout", "queue_duplicates"), 0);
    CU_ASSERT_EQUAL(test_jnum(s, "fanout", "replay_work_s"), 0);
    cJSON_Delete(s);
}

static double reconnect_peak(uint32_t users, const char *jitter)
{
    char *text = g_strdup_printf(
        "{\"duration_s\": 30, \"workload\": {\"users\": %u, \"workspaces\": 4, \"rate_per_sec\": 5, \"daily_curve\": false},"
        " \"gateways\": {\"count\": 4, \"reconnect\": {\"jitter\": \"%s\", \"base_s\": 5}},"
        " \"faults\": [{\"at_s\": 10, \"kind\": \"gateway_crash\", \"target\": 2}]}", users, jitter);
    slack_model *m = test_model_from(text, 9);
    g_free(text);
    if (!m) return NAN;
    slack_model_finish(m);
    cJSON *s = slack_model_summary(m, NULL);
    const cJSON *fault = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(s, "faults"), 0);
    double peak = test_jnum(fault, "reconnect_peak_per_s", NULL), lost = test_jnum(fault, "disconnected", NULL);
    /* every disconnected client came back */
    CU_ASSERT_EQUAL(test_jnum(s, "gateways", "connections_peak"), (double)slack_model_connected(m));
    CU_ASSERT(lost > 0);
    cJSON_Delete(s);
    slack_model_free(m);
    return peak;
}

static void test_reconnect_peak_grows_with_clients_and_shrinks_with_jitter(void)
{
    double herd = reconnect_peak(4000, "none"), spread = reconnect_peak(4000, "full"), bigger = reconnect_peak(8000, "none");
    /* 2800 connected, 700 on the dead gateway: all at once in step */
    CU_ASSERT_DOUBLE_EQUAL(herd, 700, 1e-9);
    CU_ASSERT(spread < herd / 2);      /* full jitter over 5 s: about a fifth per 1 s row */
    CU_ASSERT_DOUBLE_EQUAL(bigger, 1400, 1e-9);
}

/* A slowed PostgreSQL shows in the persist tail, and only while it lasts. */
static void test_postgres_slow_raises_persist_latency(void)
{
    const char *base = "{\"duration_s\": 60, \"workload\": {\"users\": 500, \"rate_per_sec\": 20, \"daily_curve\": false},"
                       " \"postgres\": {\"service_s\": {\"dist\": \"exponential\", \"mean\": 0.002}}%s}";
    double p99[2];
    for (int slow = 0; slow < 2; slow++) {
        char *text = g_strdup_printf(base, slow ? ", \"faults\": [{\"at_s\": 20, \"kind\": \"postgres_slow\", \"duration_s\": 20, \"factor\": 50}]" : "");
        slack_model *m = test_model_from(text, 2);
        g_free(text);
        CU_ASSERT_FATAL(m != NULL);
        slack_model_finish(m);
        cJSON *s = slack_model_summary(m, NULL);
        p99[slow] = test_jnum(cJSON_GetObjectItemCaseSensitive(s, "latency_ms"), "persist", "p99");
        if (slow) {
            const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(s, "faults"), 0);
            CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItemCaseSensitive(f, "kind")->valuestring, "postgres_slow");
        }
        cJSON_Delete(s);
        slack_model_free(m);
    }
    CU_ASSERT(p99[1] > 10 * p99[0]);   /* a third of the writes at 50x the service time */
}

/* The visualizer's live switches: a queue switched to pub/sub mid-run loses
 * what a crashed consumer misses from then on, and switching back to
 * Kafka keeps the rest; the transport switch starts the polls. */
static void test_live_switches(void)
{
    slack_model *m = test_model_from("{\"duration_s\": 60, \"workload\": {\"users\": 2000, \"workspaces\": 5,"
                                     " \"channels_per_user\": 0.2, \"rate_per_sec\": 50, \"daily_curve\": false},"
                                     " \"kafka\": {\"partitions\": 4}}", 8);
    CU_ASSERT_FATAL(m != NULL);
    CU_ASSERT_STRING_EQUAL(slack_model_queue(m), "kafka");
    slack_model_run_until(m, 10 * SIM_SEC);
    CU_ASSERT_TRUE(slack_model_set_queue(m, "redis_pubsub"));
    CU_ASSERT_FALSE(slack_model_set_queue(m, "carrier_pigeon"));
    slack_model_crash_consumer(m, 2, 5);
    CU_ASSERT_TRUE(slack_model_consumer_down(m, 2));
    slack_model_run_until(m, 20 * SIM_SEC);
    CU_ASSERT_FALSE(slack_model_consumer_down(m, 2));
    slack_queue_counts c;
    slack_model_queue_counts(m, &c);
    CU_ASSERT(c.lost > 10);
    CU_ASSERT_TRUE(slack_model_set_queue(m, "kafka"));
    slack_model_crash_consumer(m, 2, 5);
    uint64_t lost = c.lost;
    CU_ASSERT_TRUE(slack_model_set_transport(m, "short_polling"));
    CU_ASSERT_STRING_EQUAL(slack_model_transport(m), "short_polling");
    slack_model_finish(m);
    slack_model_queue_counts(m, &c);
    CU_ASSERT_EQUAL(c.lost, lost);   /* Kafka loses none */
    cJSON *s = slack_model_summary(m, NULL);
    CU_ASSERT(test_jnum(cJSON_GetObjectItemCaseSensitive(s, "delivery"), "requests", NULL) > 1000);
    CU_ASSERT_EQUAL(test_jnum(s, "fanout", "messages") + (double)c.lost, test_jnum(s, "messages", "persisted"));
    cJSON_Delete(s);
    slack_model_free(m);
}

/* A Redis failover on shard 0 of 2 at 30 s, the replica up 10 s later,
 * with `resync` ("heartbeat" or "storm"; NULL: no fault). */
static cJSON *failover_run(const char *resync, cJSON **fault)
{
    char *text = g_strdup_printf("{\"duration_s\": 90, \"workload\": {\"users\": 20000, \"workspaces\": 0,"
                                 " \"channels_per_user\": 0.5, \"channel_max\": 2000, \"rate_per_sec\": 100, \"daily_curve\": false},"
                                 " \"redis\": {\"shards\": 2}, \"presence\": {\"failover_resync\": \"%s\"}%s}",
                                 resync ? resync : "heartbeat",
                                 resync ? ", \"faults\": [{\"at_s\": 30, \"kind\": \"redis_failover\", \"target\": 0, \"duration_s\": 10}]" : "");
    cJSON *s = test_summary_of(text, 4);
    g_free(text);
    *fault = s ? cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(s, "faults"), 0) : NULL;
    return s;
}

/* Heartbeat resync: every key is back exactly one heartbeat period after
 * the promotion, and the recipients the fan-out took for offline are
 * exactly those the same run without the fault delivered online (the
 * failover changes nothing else: common random numbers). */
static void test_redis_failover_false_offline(void)
{
    cJSON *f0, *f;
    cJSON *base = failover_run(NULL, &f0), *s = failover_run("heartbeat", &f);
    CU_ASSERT_FATAL(base != NULL && s != NULL && f != NULL);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItemCaseSensitive(f, "kind")->valuestring, "redis_failover");
    double connected = test_jnum(s, "presence", "connected");
    double keys = test_jnum(f, "keys_lost", NULL), fo = test_jnum(f, "false_offline", NULL);
    CU_ASSERT(keys > 0.4 * connected && keys < 0.6 * connected);    /* one shard of two */
    CU_ASSERT_DOUBLE_EQUAL(test_jnum(f, "keys_restored_s", NULL), 10 + 30, 1e-6);
    CU_ASSERT(fo > 100);
    CU_ASSERT_EQUAL(test_jnum(base, "fanout", "recipients_online") - test_jnum(s, "fanout", "recipients_online"), fo);
    CU_ASSERT_EQUAL(test_jnum(s, "fanout", "recipients_offline") - test_jnum(base, "fanout", "recipients_offline"), fo);
    CU_ASSERT_EQUAL(test_jnum(f, "resync_setex", NULL), 0);
    cJSON_Delete(base);
    cJSON_Delete(s);
}

/* Storm resync: one SETEX per lost key, all keys back once the burst is
 * served (just after the promotion), so fewer false offlines than waiting
 * for heartbeats, at the price of a backlog on the shard. */
static void test_redis_failover_storm(void)
{
    cJSON *fh, *fs;
    cJSON *h = failover_run("heartbeat", &fh), *s = failover_run("storm", &fs);
    CU_ASSERT_FATAL(h != NULL && s != NULL);
    double keys = test_jnum(fs, "keys_lost", NULL), backlog_s = test_jnum(fs, "resync_backlog_ms", NULL) / 1e3;
    CU_ASSERT_EQUAL(test_jnum(fs, "resync_setex", NULL), keys);
    /* 1 us per unpipelined SETEX at least */
    CU_ASSERT(backlog_s > keys * 1e-6);
    CU_ASSERT(test_jnum(fs, "keys_restored_s", NULL) <= 10 + backlog_s + 1e-6);
    CU_ASSERT(test_jnum(fs, "keys_restored_s", NULL) >= 10);
    CU_ASSERT(test_jnum(fs, "false_offline", NULL) < test_jnum(fh, "false_offline", NULL));
    CU_ASSERT(test_jnum(fs, "false_offline", NULL) > 0);    /* the 10 s without a master */
    cJSON_Delete(h);
    cJSON_Delete(s);
}

/* search_outage: indexing stops for D s at publish rate r, so about r·D
 * documents wait (Poisson: within 4 sigma), the index lag peaks near D,
 * nothing is lost, and the backlog drains after it; delivery is untouched
 * (the indexer is a consumer group of its own). */
static void test_search_outage_builds_lag_then_drains(void)
{
    const char *base = "{\"duration_s\": 120, \"interval_s\": 5, \"workload\": {\"users\": 5000, \"workspaces\": 20,"
                       " \"channels_per_user\": 0.2, \"rate_per_sec\": 100, \"daily_curve\": false},"
                       " \"kafka\": {\"partitions\": 4}, \"search\": {\"enabled\": true}%s}";
    double e2e[2];
    for (int down = 0; down < 2; down++) {
        char *text = g_strdup_printf(base, down ? ", \"faults\": [{\"at_s\": 40, \"kind\": \"search_outage\", \"duration_s\": 30}]" : "");
        cJSON *s = test_summary_of(text, 3);
        g_free(text);
        CU_ASSERT_FATAL(s != NULL);
        e2e[down] = test_jnum(cJSON_GetObjectItemCaseSensitive(s, "latency_ms"), "end_to_end", "p99");
        const cJSON *srch = cJSON_GetObjectItemCaseSensitive(s, "search");
        /* drained: what is left is the last bulk's linger (the run stops when delivery is done) */
        CU_ASSERT(test_jnum(srch, "pending", NULL) < 100);
        CU_ASSERT_EQUAL(test_jnum(srch, "unindexable", NULL), 0);
        if (down) {
            const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(s, "faults"), 0);
            double rd = 100.0 * 30;
            CU_ASSERT(fabs(test_jnum(f, "delayed", NULL) - rd) < 4 * sqrt(rd));
            CU_ASSERT(test_jnum(f, "peak_backlog", NULL) >= test_jnum(f, "delayed", NULL));
            CU_ASSERT(test_jnum(f, "peak_backlog", NULL) < rd + 4 * sqrt(rd) + 500);
            CU_ASSERT(test_jnum(f, "peak_lag_ms", NULL) > 29000 && test_jnum(f, "peak_lag_ms", NULL) < 33000);
            CU_ASSERT_EQUAL(test_jnum(f, "lost", NULL), 0);
            CU_ASSERT(test_jnum(f, "queries_failed", NULL) > 0);
            double rec = test_jnum(f, "recover_s", NULL);
            CU_ASSERT(rec >= 30 && rec <= 45);   /* the backlog drains in seconds */
        }
        cJSON_Delete(s);
    }
    CU_ASSERT(e2e[1] < 1.2 * e2e[0] + 5);
}

/* s3_throttle: every request 503 for 20 s. Uploads that meet it retry
 * with backoff; with one attempt allowed, each of them fails at once. */
static void test_s3_throttle_retries_with_backoff(void)
{
    const char *base = "{\"duration_s\": 120, \"interval_s\": 5, \"drain_s\": 200, \"workload\": {\"users\": 20000, \"workspaces\": 20,"
                       " \"channels_per_user\": 0.2, \"rate_per_sec\": 20, \"daily_curve\": false},"
                       " \"files\": {\"enabled\": true, \"upload_rate_per_user\": 0.002, \"s3\": {\"max_attempts\": %d}},"
                       " \"faults\": [{\"at_s\": 40, \"kind\": \"s3_throttle\", \"duration_s\": 20}]}";
    double failed[2], delayed[2];
    for (int k = 0; k < 2; k++) {
        char *text = g_strdup_printf(base, k ? 1 : 20);
        cJSON *s = test_summary_of(text, 4);
        g_free(text);
        CU_ASSERT_FATAL(s != NULL);
        const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(s, "faults"), 0);
        CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItemCaseSensitive(f, "kind")->valuestring, "s3_throttle");
        failed[k] = test_jnum(f, "uploads_failed", NULL);
        delayed[k] = test_jnum(f, "delayed", NULL);
        /* every 503 of the run came from the fault (no prefix is near its limit) */
        CU_ASSERT_EQUAL(test_jnum(f, "slowdowns", NULL), test_jnum(cJSON_GetObjectItemCaseSensitive(s, "files"), "s3_slowdowns", NULL));
        CU_ASSERT(test_jnum(f, "slowdowns", NULL) >= delayed[k]);
        if (k == 0) CU_ASSERT(test_jnum(f, "recover_s", NULL) >= 20);
        cJSON_Delete(s);
    }
    /* 30 uploads/s for 20 s meet the fault */
    CU_ASSERT(delayed[0] > 500 && delayed[0] < 700);
    CU_ASSERT_EQUAL(failed[0], 0);              /* 20 attempts outlast 20 s of 503s */
    CU_ASSERT_EQUAL(failed[1], delayed[1]);     /* no retry: each fails */
}

/* A fault on a module the scenario leaves off is refused, naming it. */
static void test_module_faults_need_their_module(void)
{
    const char *texts[] = {
        "{\"faults\": [{\"at_s\": 1, \"kind\": \"search_outage\", \"duration_s\": 1}]}",
        "{\"files\": {\"enabled\": true, \"storage\": \"postgres\"}, \"faults\": [{\"at_s\": 1, \"kind\": \"s3_throttle\"}]}",
        "{\"files\": {\"enabled\": true, \"s3\": {\"prefixes\": 4}}, \"faults\": [{\"at_s\": 1, \"kind\": \"s3_throttle\", \"target\": 4}]}",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
        sim_scenario *sc = test_load_text(texts[i]);
        CU_ASSERT_FATAL(sc != NULL);
        GError *err = NULL;
        CU_ASSERT_FALSE(slack_model_validate(sc, &err));
        CU_ASSERT(err && strstr(err->message, "faults[0]"));
        g_clear_error(&err);
        sim_scenario_free(sc);
    }
}

void test_faults_register(void)
{
    TEST_SUITE("faults", TEST(test_live_switches), TEST(test_postgres_slow_raises_persist_latency), TEST(test_pubsub_loses_what_is_published_while_down),
               TEST(test_kafka_loses_none_and_replays_uncommitted),
               TEST(test_reconnect_peak_grows_with_clients_and_shrinks_with_jitter),
               TEST(test_redis_failover_false_offline), TEST(test_redis_failover_storm),
               TEST(test_search_outage_builds_lag_then_drains), TEST(test_s3_throttle_retries_with_backoff),
               TEST(test_module_faults_need_their_module));
}
