/* slack_model: the properties issue 3 asks of the messaging model.
 * Conservation of messages and recipients, per-channel id order and
 * in-order delivery per recipient, thread replies pointing at earlier
 * parents, determinism, Erlang-C for an M/M/c-configured PostgreSQL pool,
 * linear scaling of message and Redis load with users, presence detection
 * delays, and the visualizer's steering calls. */
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "tests/test_util.h"
#include "models/slack_model.h"
#include "tests/test_model_util.h"
#include "sim/sim_stats.h"

/* ------------------------------------------------------------------ helpers */

#define load_text test_load_text
#define model_from test_model_from
#define jnum test_jnum

/* The seed's #general: 500 members, 350 online, 2 messages/s. */
static const char general_text[] =
    "{\"duration_s\": 30, \"workload\": {\"users\": 500, \"online_fraction\": 0.7, \"workspaces\": 1,"
    " \"rate_per_sec\": 2, \"daily_curve\": false}, \"presence\": {\"individual_clients\": 500}}";

/* Many channels, writers that overtake each other (and a queue limit that
 * refuses some writes), a busy consumer. */
static const char busy_text[] =
    "{\"duration_s\": 20, \"workload\": {\"users\": 3000, \"online_fraction\": 0.8, \"workspaces\": 10,"
    " \"channels_per_user\": 0.05, \"channel_size\": {\"dist\": \"uniform\", \"min\": 2, \"max\": 40},"
    " \"rate_per_sec\": 400, \"daily_curve\": false, \"thread_reply_fraction\": 0.4},"
    " \"postgres\": {\"writers\": 8, \"queue_limit\": 10, \"service_s\": {\"dist\": \"exponential\", \"mean\": 0.01}},"
    " \"kafka\": {\"partitions\": 4}}";

/* ------------------------------------------------------------------ conservation */

static void test_conservation_general_channel(void)
{
    slack_model *m = model_from(general_text, 7);
    CU_ASSERT_FATAL(m != NULL);
    slack_model_finish(m);
    cJSON *s = slack_model_summary(m, NULL);
    double sent = jnum(s, "messages", "sent"), fan = jnum(s, "fanout", "messages");
    CU_ASSERT(sent > 30);
    /* every sent message is persisted (no faults, no queue limit) and fanned out */
    CU_ASSERT_EQUAL(jnum(s, "messages", "persisted"), sent);
    CU_ASSERT_EQUAL(jnum(s, "messages", "dropped"), 0);
    CU_ASSERT_EQUAL(fan, sent);
    /* each message reaches all 500 members, the sender included, exactly once */
    double online = jnum(s, "messages", "delivered_online"), offline = jnum(s, "messages", "push_offline");
    CU_ASSERT_EQUAL(online + offline, 500 * fan);
    CU_ASSERT_EQUAL(online, jnum(s, "fanout", "recipients_online"));
    CU_ASSERT_EQUAL(offline, jnum(s, "fanout", "recipients_offline"));
    /* 350 online and 150 offline recipients each */
    CU_ASSERT_EQUAL(online, 350 * fan);
    const cJSON *e2e = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "latency_ms"), "end_to_end");
    CU_ASSERT_EQUAL(jnum(e2e, "count", NULL), online);
    cJSON_Delete(s);
    slack_model_free(m);
}

/* ------------------------------------------------------------------ order */

typedef struct {
    GHashTable *id_of;        /* msg -> id_us */
    GHashTable *chan_of;      /* msg -> channel */
    GHashTable *last_pub;     /* channel -> last published id */
    GHashTable *last_seen;    /* (member << 32 | channel) -> last delivered id */
    GHashTable *ids;          /* "channel:id" of every id, to find parents */
    GPtrArray *owned;         /* the int64 ids the tables point at */
    GArray *replies;          /* pairs (id, parent) */
    GHashTable *last_commit;  /* channel -> last committed id (to see overtaking) */
    uint64_t published, delivered, overtaken, pub_errors, order_errors, dup_ids;
} order_check;

static void oc_persisted(void *u, uint64_t msg, uint32_t channel, int64_t id, int64_t thread, sim_time t)
{
    (void)t;
    order_check *oc = u;
    char *key = g_strdup_printf("%u:%" G_GINT64_FORMAT, channel, id);
    if (g_hash_table_contains(oc->ids, key)) oc->dup_ids++;   /* ids are unique per channel */
    g_hash_table_add(oc->ids, key);
    int64_t *k = g_new(int64_t, 1); *k = id;
    g_ptr_array_add(oc->owned, k);
    g_hash_table_insert(oc->id_of, GSIZE_TO_POINTER(msg + 1), k);
    g_hash_table_insert(oc->chan_of, GSIZE_TO_POINTER(msg + 1), GUINT_TO_POINTER(channel + 1));
    int64_t *prev = g_hash_table_lookup(oc->last_commit, GUINT_TO_POINTER(channel + 1));
    if (prev && *prev > id) oc->overtaken++;
    g_hash_table_insert(oc->last_commit, GUINT_TO_POINTER(channel + 1), k);
    if (thread) { int64_t rec[3] = { id, thread, channel }; g_array_append_vals(oc->replies, rec, 3); }
}

static void oc_stage(void *u, uint64_t msg, uint32_t channel, slack_stage stage, sim_time t)
{
    (void)t;
    order_check *oc = u;
    if (stage != SLACK_STAGE_PUBLISHED) return;
    int64_t *id = g_hash_table_lookup(oc->id_of, GSIZE_TO_POINTER(msg + 1));
    int64_t *last = g_hash_table_lookup(oc->last_pub, GUINT_TO_POINTER(channel + 1));
    if (!id || (last && *last >= *id)) oc->pub_errors++;
    if (id) g_hash_table_insert(oc->last_pub, GUINT_TO_POINTER(channel + 1), id);
    oc->published++;
}

static void oc_delivered(void *u, uint64_t msg, uint32_t member, uint32_t gateway, sim_time t)
{
    (void)gateway; (void)t;
    order_check *oc = u;
    int64_t *id = g_hash_table_lookup(oc->id_of, GSIZE_TO_POINTER(msg + 1));
    uint32_t ch = GPOINTER_TO_UINT(g_hash_table_lookup(oc->chan_of, GSIZE_TO_POINTER(msg + 1)));
    gpointer key = GSIZE_TO_POINTER(((uint64_t)member << 32) | ch);
    int64_t *last = g_hash_table_lookup(oc->last_seen, key);
    if (!id || (last && *last >= *id)) oc->order_errors++;
    if (id) g_hash_table_insert(oc->last_seen, key, id);
    oc->delivered++;
}

static void test_order_per_channel_and_recipient(void)
{
    slack_model *m = model_from(busy_text, 11);
    CU_ASSERT_FATAL(m != NULL);
    order_check oc = { 0 };
    oc.id_of = g_hash_table_new(g_direct_hash, g_direct_equal);
    oc.chan_of = g_hash_table_new(g_direct_hash, g_direct_equal);
    oc.last_pub = g_hash_table_new(g_direct_hash, g_direct_equal);
    oc.last_seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    oc.last_commit = g_hash_table_new(g_direct_hash, g_direct_equal);
    oc.ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    oc.owned = g_ptr_array_new_with_free_func(g_free);
    oc.replies = g_array_new(FALSE, FALSE, sizeof(int64_t));
    slack_observer obs = { .stage = oc_stage, .delivered = oc_delivered, .persisted = oc_persisted };
    slack_model_set_observer(m, &obs, &oc);
    slack_model_finish(m);
    CU_ASSERT(oc.published > 1000);
    CU_ASSERT(oc.delivered > 1000);
    /* the writers do overtake each other, so the order is the model's doing */
    CU_ASSERT(oc.overtaken > 0);
    CU_ASSERT_EQUAL(oc.pub_errors, 0);
    CU_ASSERT_EQUAL(oc.order_errors, 0);
    CU_ASSERT_EQUAL(oc.dup_ids, 0);
    CU_ASSERT_EQUAL(oc.delivered, slack_model_deliveries(m));
    /* writes refused by the full queue free their turn: later ids go on */
    cJSON *sum = slack_model_summary(m, NULL);
    double dropped = jnum(sum, "messages", "dropped");
    CU_ASSERT(dropped > 0);
    CU_ASSERT_EQUAL(jnum(sum, "messages", "sent"), jnum(sum, "messages", "persisted") + dropped);
    CU_ASSERT_EQUAL(jnum(sum, "fanout", "messages"), jnum(sum, "messages", "persisted"));
    cJSON_Delete(sum);
    /* a reply's thread_ts is an earlier id of its own channel */
    CU_ASSERT(oc.replies->len / 3 > 100);
    uint64_t bad = 0;
    for (guint i = 0; i + 2 < oc.replies->len; i += 3) {
        int64_t id = g_array_index(oc.replies, int64_t, i), parent = g_array_index(oc.replies, int64_t, i + 1);
        char *key = g_strdup_printf("%u:%" G_GINT64_FORMAT, (uint32_t)g_array_index(oc.replies, int64_t, i + 2), parent);
        if (!g_hash_table_contains(oc.ids, key) || parent >= id) bad++;
        g_free(key);
    }
    CU_ASSERT_EQUAL(bad, 0);
    slack_model_free(m);
    g_hash_table_destroy(oc.id_of); g_hash_table_destroy(oc.chan_of); g_hash_table_destroy(oc.last_pub);
    g_hash_table_destroy(oc.last_seen); g_hash_table_destroy(oc.last_commit); g_hash_table_destroy(oc.ids);
    g_array_free(oc.replies, TRUE);
    g_ptr_array_free(oc.owned, TRUE);
}

static void test_id_format(void)
{
    char buf[32];
    CU_ASSERT_STRING_EQUAL(slack_model_format_id(1630000000000001LL, buf, sizeof buf), "1630000000.000001");
    CU_ASSERT_STRING_EQUAL(slack_model_format_id(1630000012345678LL, buf, sizeof buf), "1630000012.345678");
}

/* ------------------------------------------------------------------ determinism */

static char *summary_without_run(const char *path, uint64_t seed)
{
    GError *err = NULL;
    cJSON *s = slack_model_run_file(path, NULL, seed, &err);
    if (!s) { fprintf(stderr, "%s\n", err->message); g_clear_error(&err); return NULL; }
    cJSON_DeleteItemFromObjectCaseSensitive(s, "run");
    char *text = cJSON_PrintUnformatted(s);
    cJSON_Delete(s);
    return text;
}

static void test_determinism(void)
{
    char *path = NULL;
    int fd = g_file_open_tmp("slacksim-XXXXXX.json", &path, NULL);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    CU_ASSERT_FATAL(g_file_set_contents(path, busy_text, -1, NULL));
    char *a = summary_without_run(path, 5), *b = summary_without_run(path, 5), *c = summary_without_run(path, 6);
    CU_ASSERT_FATAL(a && b && c);
    CU_ASSERT_STRING_EQUAL(a, b);
    CU_ASSERT(strcmp(a, c) != 0);   /* the seed matters */
    free(a); free(b); free(c);
    g_unlink(path);
    g_free(path);
}

/* ------------------------------------------------------------------ Erlang-C */

/* PostgreSQL as M/M/4 at rho = 0.8: Poisson arrivals (constant rate, no
 * gateway delay), exponential writes. Replications with independent seeds
 * give a Student-t interval for the mean wait; Erlang-C must lie in it. */
/* ------------------------------------------------------------------ scale */

static cJSON *scale_run(uint32_t users, uint64_t seed)
{
    char *text = g_strdup_printf(
        "{\"duration_s\": 30, \"interval_s\": 5, \"workload\": {\"users\": %u, \"online_fraction\": 0.75,"
        " \"workspaces\": 0, \"workspace_max\": 200, \"channels_per_user\": 0.5, \"channel_max\": 50,"
        " \"messages_per_user_per_day\": 3000, \"daily_curve\": false}}", users);
    slack_model *m = model_from(text, seed);
    g_free(text);
    if (!m) return NULL;
    slack_model_finish(m);
    cJSON *s = slack_model_summary(m, NULL);
    slack_model_free(m);
    return s;
}

/* Users x 4 => messages and Redis ops x 4. Messages are Poisson counts: the
 * ratio's relative s.e. is sqrt(1/n1 + 1/n2); 4 s.e. is the tolerance.
 * Redis ops per message are 1 + members (capped at 50, cv < 1.5), which at
 * most multiplies that s.e. by 1.5 + the heartbeats' exact share. */
static void test_scale_linear(void)
{
    /* Not shrunk under test_quick(): below ~5000 users the capped heavy-tailed
     * workspace and channel sizes are not yet sampled in full, so members per
     * message still grow with users (5.5 at 3000, 6.6 at 6000, 6.9 at 24000)
     * and the ratio would test the sampling, not the model's linearity. */
    uint32_t n = 6000;
    cJSON *a = scale_run(n, 3), *b = scale_run(4 * n, 4);
    CU_ASSERT_FATAL(a && b);
    double s1 = jnum(a, "messages", "sent"), s2 = jnum(b, "messages", "sent");
    double se = sqrt(1 / s1 + 1 / s2);
    CU_ASSERT(fabs(s2 / s1 / 4 - 1) <= 4 * se);
    double r1 = jnum(a, "redis", "ops_total"), r2 = jnum(b, "redis", "ops_total");
    CU_ASSERT(fabs(r2 / r1 / 4 - 1) <= 4 * 1.5 * se);
    double d1 = jnum(a, "messages", "delivered_online"), d2 = jnum(b, "messages", "delivered_online");
    CU_ASSERT(fabs(d2 / d1 / 4 - 1) <= 4 * 1.5 * se);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

/* ------------------------------------------------------------------ presence */

/* Crashed clients are detected when their key expires: 65 s after the last
 * heartbeat, which was 0..30 s before the crash, plus the expiry
 * machinery's slack (TTL passed -> key removed), which presence reports:
 * the active cycle samples 20 of ~350 keys ten times a second, so it can
 * take seconds to find one expired key. */
static void test_presence_detection_window(void)
{
    slack_model *m = model_from(
        "{\"duration_s\": 900, \"interval_s\": 10, \"workload\": {\"users\": 400, \"online_fraction\": 1,"
        " \"rate_per_sec\": 1, \"daily_curve\": false},"
        " \"presence\": {\"individual_clients\": 400, \"crash_per_hour\": 0.5}}", 9);
    CU_ASSERT_FATAL(m != NULL);
    slack_model_finish(m);
    cJSON *s = slack_model_summary(m, NULL);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "presence"), "detect_delay_s");
    CU_ASSERT(jnum(d, "count", NULL) >= 10);
    const cJSON *slack = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "presence"), "expire_slack_s");
    CU_ASSERT(jnum(d, "max", NULL) <= 65 + jnum(slack, "max", NULL) + 0.01);
    CU_ASSERT(jnum(d, "p50", NULL) >= 35);
    CU_ASSERT(jnum(d, "p50", NULL) <= 65 + jnum(slack, "p50", NULL) + 0.01);
    /* members whose key outlives their client are routed to a dead socket */
    double lost = jnum(s, "messages", "lost_to_crashed_clients");
    CU_ASSERT(lost >= 0);
    CU_ASSERT_EQUAL(jnum(s, "messages", "delivered_online") + jnum(s, "messages", "push_offline") + lost,
                    jnum(s, "fanout", "recipients_online") + jnum(s, "fanout", "recipients_offline") + jnum(s, "fanout", "recipients_lost"));
    cJSON_Delete(s);
    slack_model_free(m);
}

/* ------------------------------------------------------------------ steering */

typedef struct { uint64_t delivered, pushes, done, sent; } steer_count;
static void sc_stage(void *u, uint64_t msg, uint32_t ch, slack_stage st, sim_time t)
{
    (void)msg; (void)ch; (void)t;
    steer_count *c = u;
    if (st == SLACK_STAGE_DONE) c->done++;
    if (st == SLACK_STAGE_SENT) c->sent++;
}
static void sc_delivered(void *u, uint64_t msg, uint32_t mem, uint32_t gw, sim_time t)
{
    (void)msg; (void)mem; (void)gw; (void)t;
    ((steer_count *)u)->delivered++;
}
static void sc_push(void *u, uint64_t msg, uint32_t mem, sim_time t)
{
    (void)msg; (void)mem; (void)t;
    ((steer_count *)u)->pushes++;
}

static void test_steering(void)
{
    slack_model *m = model_from("{\"duration_s\": 60, \"workload\": {\"users\": 500, \"online_fraction\": 0.7,"
                                " \"rate_per_sec\": 0.000001, \"daily_curve\": false}}", 2);
    CU_ASSERT_FATAL(m != NULL);
    steer_count c = { 0 };
    slack_observer obs = { sc_stage, sc_delivered, sc_push };
    slack_model_set_observer(m, &obs, &c);
    CU_ASSERT_EQUAL(slack_model_channel_size(m, 0), 500);
    uint32_t sender = 0;
    while (!slack_model_is_online(m, sender)) sender++;
    slack_model_post(m, 0, sender);
    slack_model_run_until(m, 5 * SIM_SEC);
    CU_ASSERT_EQUAL(c.sent, 1);
    CU_ASSERT_EQUAL(c.done, 1);
    CU_ASSERT_EQUAL(c.delivered, 350);
    CU_ASSERT_EQUAL(c.pushes, 150);
    /* one more member online: one more delivery next time */
    uint32_t off = 0;
    while (slack_model_is_online(m, off)) off++;
    slack_model_set_online(m, off, TRUE);
    CU_ASSERT(slack_model_is_online(m, off));
    slack_model_post(m, 0, sender);
    slack_model_run_until(m, 10 * SIM_SEC);
    CU_ASSERT_EQUAL(c.delivered, 350 + 351);
    /* a dead gateway's clients reconnect to the others */
    uint32_t g = slack_model_user_gateway(m, sender);
    uint64_t before = slack_model_connected(m);
    slack_model_set_gateway_alive(m, g, FALSE);
    CU_ASSERT_FALSE(slack_model_gateway_alive(m, g));
    slack_model_run_until(m, 30 * SIM_SEC);
    CU_ASSERT_EQUAL(slack_model_gateway_connections(m, g), 0);
    CU_ASSERT_EQUAL(slack_model_connected(m), before);
    CU_ASSERT(slack_model_user_gateway(m, sender) != g);
    slack_model_free(m);
}

static void test_observer_absent_costs_nothing_visible(void)
{
    /* with and without an observer the simulation is the same */
    slack_model *a = model_from(general_text, 4), *b = model_from(general_text, 4);
    CU_ASSERT_FATAL(a && b);
    steer_count c = { 0 };
    slack_observer obs = { sc_stage, sc_delivered, sc_push };
    slack_model_set_observer(b, &obs, &c);
    slack_model_finish(a);
    slack_model_finish(b);
    CU_ASSERT_EQUAL(slack_model_deliveries(a), slack_model_deliveries(b));
    CU_ASSERT_EQUAL(c.delivered, slack_model_deliveries(b));
    slack_model_free(a);
    slack_model_free(b);
}

/* ------------------------------------------------------------------ loads */

/* One consumer, 50 ms of work per #general message (1e-4 s x 500
 * members), 2 messages/s: its utilization is rho = 0.1 over the run (a
 * Poisson count of ~120 messages: within 4 s.e. = 4 x 0.1/sqrt(120)), and
 * the summary's worst interval is at least that. */
static void test_consumer_utilization(void)
{
    slack_model *m = model_from("{\"duration_s\": 60, \"workload\": {\"users\": 500, \"online_fraction\": 0.7,"
                                " \"rate_per_sec\": 2, \"daily_curve\": false}, \"kafka\": {\"partitions\": 1},"
                                " \"fanout\": {\"service_s\": 0.0001, \"per_recipient_s\": 0.0001}}", 8);
    CU_ASSERT_FATAL(m != NULL);
    slack_model_run_until(m, slack_model_duration(m));
    double u = sim_station_utilization(slack_model_station(m, SLACK_STATION_FANOUT));
    double rho = 2 * (0.0001 + 0.0001 * 500);
    CU_ASSERT(fabs(u - rho) <= 4 * rho / sqrt(120));
    cJSON *s = slack_model_summary(m, NULL);
    CU_ASSERT(jnum(s, "fanout", "consumer_util_max") >= u);
    CU_ASSERT(jnum(s, "kafka", "consumer_util_max") >= u);
    cJSON_Delete(s);
    slack_model_free(m);
}

/* ------------------------------------------------------------------ validation */

static void expect_invalid(const char *text, const char *needle)
{
    sim_scenario *sc = load_text(text);
    CU_ASSERT_FATAL(sc != NULL);
    GError *err = NULL;
    CU_ASSERT_FALSE(slack_model_validate(sc, &err));
    CU_ASSERT(err && strstr(err->message, needle));
    if (err && !strstr(err->message, needle)) fprintf(stderr, "got: %s\n", err->message);
    g_clear_error(&err);
    sim_scenario_free(sc);
}

static void test_validation(void)
{
    expect_invalid("{\"gateways\": {\"count\": 0}}", "gateways.count");
    expect_invalid("{\"workload\": {\"rate_per_sec\": -1}}", "workload.rate_per_sec");
    expect_invalid("{\"workload\": {\"users\": 1000}, \"gateways\": {\"count\": 1, \"max_connections\": 10}}", "exceed");
    expect_invalid("{\"postgres\": {\"writers\": 0}}", "postgres.writers");
    expect_invalid("{\"workload\": {\"online_fraction\": 1.5}}", "workload.online_fraction");
}

void test_slack_model_register(void)
{
    TEST_SUITE("slack_model",
               TEST(test_conservation_general_channel),
               TEST(test_order_per_channel_and_recipient),
               TEST(test_id_format),
               TEST(test_determinism),
               TEST(test_scale_linear),
               TEST(test_presence_detection_window),
               TEST(test_steering),
               TEST(test_observer_absent_costs_nothing_visible),
               TEST(test_consumer_utilization),
               TEST(test_validation));
}
