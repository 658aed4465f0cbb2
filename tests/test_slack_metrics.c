/* slack_metrics: the metric registry's lookups. A field inside a latency
 * or station object belongs to its row only if the object has that field;
 * `*` and `[]` match one key and any index; every path is defined once;
 * every report figure names a row. */
#include <string.h>
#include "tests/test_util.h"
#include "models/slack_model.h"

/* Property: leaf paths resolve to their row, shapes included. */
static void test_find_resolves_leaves(void)
{
    const slack_metric *mt = slack_metric_find("messages.sent");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mt);
    CU_ASSERT_STRING_EQUAL(mt->path, "messages.sent");
    mt = slack_metric_find("latency_ms.push.p99");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mt);
    CU_ASSERT_STRING_EQUAL(mt->path, "latency_ms.push");
    CU_ASSERT_EQUAL(mt->shape, SLACK_SHAPE_HIST);
    mt = slack_metric_find("fanout.consumers[12].wait_ms.p999");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mt);
    CU_ASSERT_STRING_EQUAL(mt->path, "fanout.consumers[]");
    mt = slack_metric_find("load.search.offered_load");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mt);
    CU_ASSERT_STRING_EQUAL(mt->path, "load.*.offered_load");
    CU_ASSERT_PTR_NOT_NULL(slack_metric_find("kafka.consumer_lag_max_by_partition[]"));
    CU_ASSERT_PTR_NOT_NULL(slack_metric_find("faults[0].recover_s"));
    CU_ASSERT_PTR_NOT_NULL(slack_metric_find("timeseries.e2e_p99_ms"));
}

/* Property: what no row defines is not found, even inside a shaped object. */
static void test_find_rejects_unknown(void)
{
    CU_ASSERT_PTR_NULL(slack_metric_find("messages.sent_twice"));
    CU_ASSERT_PTR_NULL(slack_metric_find("latency_ms.push.p42"));
    CU_ASSERT_PTR_NULL(slack_metric_find("postgres.station.wait_ms.p42"));
    CU_ASSERT_PTR_NULL(slack_metric_find("postgres.station.queue_depth"));
    CU_ASSERT_PTR_NULL(slack_metric_find("load.gateways"));
    CU_ASSERT_PTR_NULL(slack_metric_find("timeseries.no_such_column"));
    CU_ASSERT_PTR_NULL(slack_metric_find(""));
}

/* Property: units reach inside shaped objects. */
static void test_units(void)
{
    CU_ASSERT_STRING_EQUAL(slack_metric_unit("messages.sent"), "msgs");
    CU_ASSERT_STRING_EQUAL(slack_metric_unit("latency_ms.push.p99"), "ms");
    CU_ASSERT_STRING_EQUAL(slack_metric_unit("latency_ms.push.count"), "count");
    CU_ASSERT_STRING_EQUAL(slack_metric_unit("presence.detect_delay_s.max"), "s");
    CU_ASSERT_STRING_EQUAL(slack_metric_unit("postgres.station.wait_ms.p99"), "ms");
    CU_ASSERT_STRING_EQUAL(slack_metric_unit("postgres.station.wait_ms.count"), "count");
    CU_ASSERT_STRING_EQUAL(slack_metric_unit("fanout.consumers[3].utilization"), "0..1");
    CU_ASSERT_STRING_EQUAL(slack_metric_unit("fanout.consumers[3].arrival_rate_per_s"), "jobs/s");
    CU_ASSERT_STRING_EQUAL(slack_metric_unit("postgres.station.completed"), "jobs");
    CU_ASSERT_STRING_EQUAL(slack_metric_unit("load.redis.utilization"), "0..1");
    CU_ASSERT_PTR_NULL(slack_metric_unit("messages.nope"));
}

/* Property: one row per path; every row has a unit and a meaning. */
static void test_rows_unique_and_complete(void)
{
    size_t n;
    const slack_metric *mt = slack_metrics(&n);
    CU_ASSERT_TRUE(n > 100);
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_FALSE(g_hash_table_contains(seen, mt[i].path));
        g_hash_table_add(seen, (gpointer)mt[i].path);
        CU_ASSERT_TRUE(mt[i].unit && *mt[i].unit);
        CU_ASSERT_TRUE(mt[i].meaning && *mt[i].meaning);
        CU_ASSERT_STRING_NOT_EQUAL(slack_metric_over_name(mt[i].over), "?");
        /* a row is its own first match: no earlier pattern shadows it */
        if (mt[i].shape == SLACK_SHAPE_VALUE && !strchr(mt[i].path, '*')) CU_ASSERT_PTR_EQUAL(slack_metric_find(mt[i].path), &mt[i]);
    }
    g_hash_table_destroy(seen);
}

/* Property: each report figure names a row and has one capture group. */
static void test_report_figures_name_rows(void)
{
    size_t n;
    const slack_report_figure *f = slack_report_figures(&n);
    CU_ASSERT_TRUE(n > 50);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_PTR_NOT_NULL(slack_metric_find(f[i].path));
        CU_ASSERT_TRUE(f[i].scale > 0);
        CU_ASSERT_PTR_NOT_NULL(strchr(f[i].pattern, '('));
        CU_ASSERT_EQUAL(strchr(f[i].path, '*') != NULL, strstr(f[i].pattern, "{}") != NULL);
    }
}

void test_slack_metrics_register(void)
{
    TEST_SUITE("slack_metrics",
               TEST(test_find_resolves_leaves),
               TEST(test_find_rejects_unknown),
               TEST(test_units),
               TEST(test_rows_unique_and_complete),
               TEST(test_report_figures_name_rows));
}
