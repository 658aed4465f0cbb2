/* viz_inspect: the inspector panel's figures and history against the real
 * model (scenarios/general_channel.json), and the clicks that open it. */
#include <math.h>
#include <string.h>
#include "tests/test_util.h"
#include "viz/viz_app.h"
#include "tests/test_viz_util.h"
#include "viz/viz_inspect.h"

static viz_app *new_app(const char *scene) { return test_viz_app(scene, NULL); }

/* Property: a station inspector reports the model's own figures (queue,
 * utilization and completions of slack_model_stage_info), gains one sample
 * per frame in which time moves and none while paused, and a second open
 * on the same target closes it. */
static void test_station_facts_and_history(void)
{
    viz_app *a = new_app("pipeline");
    CU_ASSERT_FATAL(a != NULL);
    viz_world *w = viz_app_world(a);
    viz_inspector *in = viz_inspector_new();
    viz_inspector_open(in, (viz_inspect_target){ VIZ_INSPECT_STATION, SLACK_STATION_POSTGRES });
    for (int i = 0; i < 10; i++) {
        viz_app_tick(a, 1.0 / 30);
        viz_inspector_sample(in, w);
    }
    viz_inspect_facts f;
    CU_ASSERT_TRUE(viz_inspector_facts(in, w, &f));
    slack_stage_info info;
    slack_model_stage_info(viz_world_model_const(w), SLACK_STATION_POSTGRES, &info);
    CU_ASSERT_EQUAL(f.count, info.completed);
    CU_ASSERT_DOUBLE_EQUAL(f.utilization, info.utilization, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(f.queue, info.queue, 1e-12);
    CU_ASSERT_TRUE(f.count > 0);
    CU_ASSERT_EQUAL(f.samples, 10);
    viz_world_set_paused(w, TRUE);
    for (int i = 0; i < 5; i++) {
        viz_app_tick(a, 1.0 / 30);
        viz_inspector_sample(in, w);
    }
    viz_inspector_facts(in, w, &f);
    CU_ASSERT_EQUAL(f.samples, 10);
    viz_inspector_open(in, (viz_inspect_target){ VIZ_INSPECT_STATION, SLACK_STATION_POSTGRES });
    CU_ASSERT_EQUAL(viz_inspector_target(in).kind, VIZ_INSPECT_NONE);
    CU_ASSERT_FALSE(viz_inspector_facts(in, w, &f));
    viz_inspector_free(in);
    viz_app_free(a);
}

/* Property: gateway, partition and Redis-shard inspectors read the model's
 * per-instance figures (connections, lag, the shard's station), cycling
 * wraps around the instances, and an index the model lacks is refused. */
static void test_instance_targets(void)
{
    viz_app *a = new_app("dashboard");
    CU_ASSERT_FATAL(a != NULL);
    viz_world *w = viz_app_world(a);
    const slack_model *m = viz_world_model_const(w);
    viz_inspector *in = viz_inspector_new();
    viz_inspect_facts f;
    uint32_t ngw = slack_model_gateways(m);
    CU_ASSERT_FATAL(ngw >= 2);
    viz_inspector_open(in, (viz_inspect_target){ VIZ_INSPECT_GATEWAY, ngw - 1 });
    CU_ASSERT_TRUE(viz_inspector_facts(in, w, &f));
    CU_ASSERT_EQUAL(f.count, slack_model_gateway_connections(m, ngw - 1));
    viz_inspector_cycle(in, w, +1);
    CU_ASSERT_EQUAL(viz_inspector_target(in).index, 0);
    viz_inspector_cycle(in, w, -1);
    CU_ASSERT_EQUAL(viz_inspector_target(in).index, ngw - 1);
    uint32_t np = slack_model_partitions(m);
    viz_inspector_open(in, (viz_inspect_target){ VIZ_INSPECT_PARTITION, np - 1 });
    CU_ASSERT_TRUE(viz_inspector_facts(in, w, &f));
    CU_ASSERT_EQUAL(f.count, slack_model_partition_lag_max(m, np - 1));
    CU_ASSERT_DOUBLE_EQUAL(f.queue, (double)slack_model_partition_lag_now(m, np - 1), 1e-12);
    CU_ASSERT_TRUE(slack_model_redis_shards(m) >= 1);
    viz_inspector_open(in, (viz_inspect_target){ VIZ_INSPECT_REDIS, 0 });
    CU_ASSERT_TRUE(viz_inspector_facts(in, w, &f));
    const sim_station *sh = slack_model_redis_shard(m, 0);
    CU_ASSERT_FATAL(sh != NULL);
    CU_ASSERT_EQUAL(f.count, sim_station_completed(sh));
    CU_ASSERT_TRUE(f.count > 0);   /* a minute of presence heartbeats and fan-out reads */
    CU_ASSERT_PTR_NULL(slack_model_redis_shard(m, slack_model_redis_shards(m)));
    viz_inspector_open(in, (viz_inspect_target){ VIZ_INSPECT_GATEWAY, ngw + 5 });
    CU_ASSERT_FALSE(viz_inspector_facts(in, w, &f));
    viz_inspector_free(in);
    viz_app_free(a);
}

/* Property: clicks open the inspector of what is under them: a pipeline
 * card its station, a dashboard connections bar its gateway; in the
 * panel of a gateway the button kills it and a second click restores it;
 * I closes. Checked through the app's state dump. */
static void test_clicks_open_inspectors(void)
{
    viz_app *a = new_app("pipeline");
    CU_ASSERT_FATAL(a != NULL);
    viz_app_tick(a, 1.0 / 30);
    /* Card 2 of 4 (PostgreSQL) sits around x = 480 on a 1280 canvas. */
    viz_app_click(a, 480, 300);
    char buf[512] = "";
    FILE *mem = fmemopen(buf, sizeof buf, "w");
    viz_app_print_state(a, mem);
    fclose(mem);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "inspect=station:1 "));
    viz_app_key(a, 'i');
    viz_app_set_scene(a, 2);
    viz_app_tick(a, 1.0 / 30);
    /* The first bar of the connections chart (top left). */
    viz_app_click(a, 150, 250);
    mem = fmemopen(buf, sizeof buf, "w");
    viz_app_print_state(a, mem);
    fclose(mem);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "inspect=gateway:0 "));
    /* The panel is bottom right; its button at the panel's bottom. */
    slack_model *m = viz_world_model(viz_app_world(a));
    CU_ASSERT_TRUE(slack_model_gateway_alive(m, 0));
    viz_app_click(a, 1060, 650);
    CU_ASSERT_FALSE(slack_model_gateway_alive(m, 0));
    viz_app_click(a, 1060, 650);
    CU_ASSERT_TRUE(slack_model_gateway_alive(m, 0));
    viz_app_key(a, 'i');
    mem = fmemopen(buf, sizeof buf, "w");
    viz_app_print_state(a, mem);
    fclose(mem);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "inspect=none:"));
    viz_app_free(a);
}

void test_viz_inspect_register(void)
{
    TEST_SUITE("viz_inspect",
               TEST(test_station_facts_and_history),
               TEST(test_instance_targets),
               TEST(test_clicks_open_inspectors));
}
