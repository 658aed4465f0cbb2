/* viz_alt: the seed's alternatives and faults switched live from the
 * visualizer's keys (B queue, T transport, C consumer crash, the fan-out's
 * K), checked against the real model (scenarios/general_channel.json). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "tests/test_util.h"
#include "models/slack_internal.h"   /* kafka_partition_of: to check the viz's probe */
#include "viz/viz_app.h"
#include "tests/test_viz_util.h"

/* Property: the probe finds the partition the model hashes the channel to
 * (the model does not export kafka_partition_of; the viz finds it by what
 * a crash does): #general in general_channel (its only channel with
 * members), and the first channels with members in why_kafka. */
static void test_probe_finds_the_channel_partition(void)
{
    viz_app *a = test_viz_app("fanout", "");
    CU_ASSERT_FATAL(a != NULL);
    viz_world *w = viz_app_world(a);
    const slack_model *m = viz_world_model_const(w);
    CU_ASSERT_EQUAL(viz_world_known_partition(w), -1);
    CU_ASSERT_EQUAL(viz_world_channel_partition(w, 0), (int)kafka_partition_of(m, 0));
    CU_ASSERT_EQUAL(viz_world_known_partition(w), (int)kafka_partition_of(m, 0));
    viz_app_free(a);
    GError *e = NULL;
    w = viz_world_new("scenarios/why_kafka.json", NULL, VIZ_SEED_SCENARIO, &e);
    CU_ASSERT_FATAL(w != NULL);
    m = viz_world_model_const(w);
    int checked = 0;
    for (uint32_t ch = 0; ch < 64 && checked < 3; ch++) {
        if (slack_model_channel_size(m, ch) == 0) continue;
        CU_ASSERT_EQUAL(viz_world_channel_partition(w, ch), (int)kafka_partition_of(m, ch));
        checked++;
    }
    CU_ASSERT_TRUE(checked > 0);
    viz_world_free(w);
}

/* Property: B then C then a post: with pub/sub and #general's consumer
 * down the post is lost (no WebSocket push, no consumed stage); lost > 0
 * in --print-state and equal to the model's count; the consumer comes
 * back VIZ_CRASH_WALL_S later. */
static void test_pubsub_crash_loses_the_post(void)
{
    viz_app *a = test_viz_app("fanout", "0=b;0.05=c;0.1=p");
    CU_ASSERT_FATAL(a != NULL);
    test_viz_ticks(a, 60);
    slack_model *m = viz_world_model(viz_app_world(a));
    slack_queue_counts q;
    slack_model_queue_counts(m, &q);
    CU_ASSERT_STRING_EQUAL(slack_model_queue(m), "redis_pubsub");
    CU_ASSERT_TRUE(q.lost > 0);
    CU_ASSERT_EQUAL(test_viz_state_value(a, "lost"), (double)q.lost);
    CU_ASSERT_EQUAL(test_viz_state_value(a, "consumer_down"), 1);
    viz_fanout_counts c;
    viz_fanout_get_counts(viz_app_scene_state(a, 0), &c);
    CU_ASSERT_EQUAL(c.posts, 1);
    CU_ASSERT_EQUAL(c.ws_pushes, 0);
    test_viz_ticks(a, (int)(VIZ_CRASH_WALL_S * 30) + 10);
    CU_ASSERT_EQUAL(test_viz_state_value(a, "consumer_down"), 0);
    viz_app_free(a);
}

/* Property: with Kafka (the default) the same crash loses nothing: the
 * post is held in the log (held = the partition's lag > 0) and, once the
 * consumer is back, replayed to all 350 online members; duplicated and
 * dedup_drops in --print-state are the model's. */
static void test_kafka_crash_holds_then_replays(void)
{
    viz_app *a = test_viz_app("fanout", "0=c;0.1=p");
    CU_ASSERT_FATAL(a != NULL);
    test_viz_ticks(a, 100);   /* the post is readable (held) from ~2.5 simulated ms */
    viz_world *w = viz_app_world(a);
    viz_alt al;
    viz_world_alt(w, &al);
    CU_ASSERT_STRING_EQUAL(al.queue, "kafka");
    CU_ASSERT_TRUE(al.down);
    CU_ASSERT_TRUE(al.held >= 1);
    CU_ASSERT_EQUAL(al.q.lost, 0);
    test_viz_ticks(a, (int)(VIZ_CRASH_WALL_S * 30) + 120);
    viz_world_alt(w, &al);
    CU_ASSERT_FALSE(al.down);
    viz_fanout_counts c;
    viz_fanout_get_counts(viz_app_scene_state(a, 0), &c);
    CU_ASSERT_EQUAL(c.ws_pushes, 350);
    slack_queue_counts q;
    slack_model_queue_counts(viz_world_model(w), &q);
    CU_ASSERT_EQUAL(test_viz_state_value(a, "lost"), 0);
    CU_ASSERT_EQUAL(test_viz_state_value(a, "duplicated"), (double)q.duplicated);
    CU_ASSERT_EQUAL(test_viz_state_value(a, "dedup_drops"), (double)q.dedup_drops);
    viz_app_free(a);
}

/* Property: T once is short polling: HTTP requests > 0 (the model's
 * summary delivery.requests), and a post's deliveries wait for each
 * member's next poll, so its fan-out spans a good part of the 1 s poll
 * interval instead of WebSocket's ~3 ms. T three more times returns to
 * websocket through long_polling and sse. */
static void test_short_polling_requests_and_spread(void)
{
    viz_app *a = test_viz_app("fanout", "0=t;0.05=p");
    CU_ASSERT_FATAL(a != NULL);
    test_viz_ticks(a, 3);
    viz_world *w = viz_app_world(a);
    CU_ASSERT_STRING_EQUAL(slack_model_transport(viz_world_model(w)), "short_polling");
    test_viz_ticks(a, 6 * 30);   /* 0.2x: 1.2 simulated s, past one poll interval */
    CU_ASSERT_TRUE(test_viz_state_value(a, "requests") > 0);
    cJSON *sum = slack_model_summary(viz_world_model(w), &(slack_run_info){ 0 });
    double req = cJSON_GetObjectItem(cJSON_GetObjectItem(sum, "delivery"), "requests")->valuedouble;
    cJSON_Delete(sum);
    CU_ASSERT_EQUAL(test_viz_state_value(a, "requests"), req);
    viz_alt al;
    viz_world_alt(w, &al);
    CU_ASSERT_TRUE(isfinite(al.requests_per_s) && al.requests_per_s > 0);
    viz_fanout_counts c;
    viz_fanout_get_counts(viz_app_scene_state(a, 0), &c);
    CU_ASSERT_TRUE(c.done);
    CU_ASSERT_EQUAL(c.ws_pushes, 350);
    CU_ASSERT_TRUE(c.fanout_ms > 500);   /* 350 phases in [0, 1 s): the last is near 1 s */
    const char *want[] = { "long_polling", "sse", "websocket" };
    for (int i = 0; i < 3; i++) {
        viz_app_key(a, 't');
        CU_ASSERT_STRING_EQUAL(slack_model_transport(viz_world_model(w)), want[i]);
    }
    viz_app_free(a);
}

/* Property: killing a gateway (K) starts a reconnect storm that the world
 * counts from slack_model_gateway_connections: its clients' connections
 * reopen on the survivors (connects = the connections restored), at a
 * positive rate, and the strip is switched on. */
static void test_gateway_kill_counts_reconnects(void)
{
    viz_app *a = test_viz_app("fanout", "");
    CU_ASSERT_FATAL(a != NULL);
    viz_world *w = viz_app_world(a);
    viz_alt al;
    test_viz_ticks(a, 2);
    viz_world_alt(w, &al);
    uint64_t before = al.connections;
    CU_ASSERT_FALSE(al.active);
    viz_app_key(a, 'k');
    viz_world_set_speed(w, 5);   /* the 10 s reconnect window in 2 wall s */
    test_viz_ticks(a, 40);
    viz_world_alt(w, &al);
    CU_ASSERT_TRUE(al.active);
    CU_ASSERT_EQUAL(al.alive, al.gateways - 1);
    CU_ASSERT_TRUE(al.connects > 0);
    CU_ASSERT_TRUE(isfinite(al.connects_per_s) && al.connects_per_s > 0);
    test_viz_ticks(a, 90);
    viz_world_alt(w, &al);
    CU_ASSERT_EQUAL(al.connections, before);
    CU_ASSERT_TRUE(al.connects >= before / al.gateways);
    CU_ASSERT_EQUAL(test_viz_state_value(a, "gateways_alive"), al.gateways - 1);
    viz_app_free(a);
}

void test_viz_alt_register(void)
{
    TEST_SUITE("viz_alt",
               TEST(test_probe_finds_the_channel_partition),
               TEST(test_pubsub_crash_loses_the_post),
               TEST(test_kafka_crash_holds_then_replays),
               TEST(test_short_polling_requests_and_spread),
               TEST(test_gateway_kill_counts_reconnects));
}
