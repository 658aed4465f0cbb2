/* viz_counters: the visualizer's counters equal the model's. Each key of
 * --print-state that shows a model figure (viz_state_counters: the
 * alternatives strip, the pipeline's PostgreSQL card) names its metric
 * registry field; at several moments of a run, with the alternatives and
 * faults that move those figures, the dump's value equals that field of
 * slack_model_summary taken at the same simulated time (`t_s`). And the
 * columns the dashboard and the plots chart are registry columns. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "tests/test_util.h"
#include "models/slack_model.h"
#include "viz/viz_app.h"
#include "tests/test_viz_util.h"
#include "viz/viz_chart.h"

/* The number at dotted `path` of `o`, NAN if absent. */
static double json_value(const cJSON *o, const char *path)
{
    char **parts = g_strsplit(path, ".", -1);
    for (char **p = parts; *p && o; p++) o = cJSON_GetObjectItemCaseSensitive(o, *p);
    g_strfreev(parts);
    return cJSON_IsNumber(o) ? o->valuedouble : NAN;
}

/* Every counter at this moment against the summary at this moment; the
 * summary rounds latencies to 6 significant digits. Returns the sum of
 * the counters named in `nonzero` (so a case proves it moved them). */
static double check_now(viz_app *a, const char *nonzero)
{
    char *dump = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&dump, &len);
    viz_app_print_state(a, f);
    fclose(f);
    const slack_model *m = viz_world_model_const(viz_app_world(a));
    cJSON *sum = slack_model_summary(m, NULL);
    CU_ASSERT_DOUBLE_EQUAL(test_viz_dump_value(dump, "t_s"), sim_time_to_sec(viz_world_now(viz_app_world(a))), 1e-9);
    CU_ASSERT_EQUAL(test_viz_dump_value(dump, "connections"), (double)slack_model_connected(m));
    size_t n;
    const viz_state_counter *c = viz_state_counters(&n);
    double moved = 0;
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_PTR_NOT_NULL(slack_metric_find(c[i].field));
        double shown = test_viz_dump_value(dump, c[i].key), model = json_value(sum, c[i].field);
        CU_ASSERT_FALSE(isnan(shown));
        CU_ASSERT_FALSE(isnan(model));
        if (fabs(shown - model) > 5e-6 * fabs(model) + 1e-9)
            fprintf(stderr, "\n  %s=%.9g but %s = %.9g at t = %.9f s\n", c[i].key, shown, c[i].field, model,
                    test_viz_dump_value(dump, "t_s"));
        CU_ASSERT_DOUBLE_EQUAL(shown, model, 5e-6 * fabs(model) + 1e-9);
        if (strstr(nonzero, c[i].key)) moved += shown;
    }
    cJSON_Delete(sum);
    free(dump);
    return moved;
}

/* Property: Redis pub/sub with #general's consumer down: posts are lost
 * (published, lost) and the dump equals the model at every moment. */
static void test_counters_pubsub_crash(void)
{
    viz_app *a = test_viz_app("fanout", "0=b;0.05=c;0.1=p;0.5=p");
    CU_ASSERT_FATAL(a != NULL);
    double lost = 0;
    for (int k = 0; k < 4; k++) {
        test_viz_ticks(a, 30);
        lost = check_now(a, "lost");
    }
    CU_ASSERT_TRUE(lost > 0);
    viz_app_free(a);
}

/* Property: Kafka: a consumer crash then replay (duplicated,
 * dedup_drops) while the workload keeps PostgreSQL busy (its card). */
static void test_counters_kafka_replay(void)
{
    viz_app *a = test_viz_app("fanout", "0=c;0.1=p");
    CU_ASSERT_FATAL(a != NULL);
    check_now(a, "");
    test_viz_ticks(a, 100);
    check_now(a, "");
    test_viz_ticks(a, 300);
    CU_ASSERT_TRUE(check_now(a, "published pg_completed") > 0);
    viz_app_free(a);
}

/* Property: short polling: HTTP requests move and equal delivery.requests. */
static void test_counters_short_polling(void)
{
    viz_app *a = test_viz_app("fanout", "0=t;0.05=p");
    CU_ASSERT_FATAL(a != NULL);
    test_viz_ticks(a, 6 * 30);
    CU_ASSERT_TRUE(check_now(a, "requests") > 0);
    viz_app_free(a);
}

/* Property: the pipeline scene at its own speed: the PostgreSQL card's
 * latency and completions are the summary's postgres.station. */
static void test_counters_pipeline(void)
{
    viz_app *a = test_viz_app("pipeline", "");
    CU_ASSERT_FATAL(a != NULL);
    test_viz_ticks(a, 60);
    check_now(a, "");
    test_viz_ticks(a, 120);
    CU_ASSERT_TRUE(check_now(a, "pg_completed pg_p99_ms") > 0);
    viz_app_free(a);
}

/* Property: every time-series column the dashboard and the plots draw is
 * a timeseries.csv column of the metric registry (what they show is
 * defined there, in the unit their axes say). */
static void test_chart_columns_are_registry_columns(void)
{
    const char *cols[128];
    size_t nd = viz_dashboard_columns(cols, G_N_ELEMENTS(cols));
    size_t np = viz_plot_columns(cols + MIN(nd, G_N_ELEMENTS(cols)), G_N_ELEMENTS(cols) - MIN(nd, G_N_ELEMENTS(cols)));
    CU_ASSERT_TRUE(nd >= 5 && np >= 20 && nd + np <= G_N_ELEMENTS(cols));
    for (size_t i = 0; i < MIN(nd + np, G_N_ELEMENTS(cols)); i++) {
        char *p = g_strdup_printf("timeseries.%s", cols[i]);
        if (!slack_metric_find(p)) fprintf(stderr, "\n  chart column %s is not a registry column\n", cols[i]);
        CU_ASSERT_PTR_NOT_NULL(slack_metric_find(p));
        g_free(p);
    }
}

void test_viz_counters_register(void)
{
    TEST_SUITE("viz_counters",
               TEST(test_chart_columns_are_registry_columns),
               TEST(test_counters_pubsub_crash),
               TEST(test_counters_kafka_replay),
               TEST(test_counters_short_polling),
               TEST(test_counters_pipeline));
}
