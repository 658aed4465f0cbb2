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
    cJSON_Delete(s);
    /* a commit at every message: nothing to replay */
    s = crash_run("kafka", 0, &w);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(test_jnum(s, "fanout", "queue_duplicates"), 0);
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

void test_faults_register(void)
{
    TEST_SUITE("faults", TEST(test_pubsub_loses_what_is_published_while_down),
               TEST(test_kafka_loses_none_and_replays_uncommitted),
               TEST(test_reconnect_peak_grows_with_clients_and_shrinks_with_jitter));
}
