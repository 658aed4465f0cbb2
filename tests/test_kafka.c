/* kafka: each partition's consumer lag is one figure read three ways (the
 * accessors, summary.json's per-partition array and maximum, and the time
 * series' kafka_lag_max column) and they agree; a channel's messages reach
 * the fan-out in id order (test_slack_model's order test walks it end to
 * end). */
#include <math.h>
#include <string.h>
#include "tests/test_util.h"
#include "tests/test_model_util.h"
#include "sim/sim_stats.h"

/* Fan-out consumers slower than the arrivals into their partitions (each
 * of 4 consumers gets ~50 messages/s and serves ~40/s), so real lag builds
 * on every partition. */
static const char lagging_text[] =
    "{\"duration_s\": 20, \"interval_s\": 1, \"workload\": {\"users\": 2000, \"online_fraction\": 0.8, \"workspaces\": 10,"
    " \"channels_per_user\": 0.05, \"channel_size\": {\"dist\": \"uniform\", \"min\": 2, \"max\": 20},"
    " \"rate_per_sec\": 200, \"daily_curve\": false}, \"kafka\": {\"partitions\": 4},"
    " \"fanout\": {\"service_s\": 0.025, \"per_recipient_s\": 0}}";

/* Each row's kafka_lag_max is the largest lag of any partition in that
 * interval, so after every row the per-partition figures of the last
 * interval have that row's value as their maximum; over the run, the
 * summary's array has one entry per partition, its maximum is
 * consumer_lag_max, and it matches the accessor. */
static void test_lag_per_partition(void)
{
    slack_model *m = test_model_from(lagging_text, 3);
    CU_ASSERT_FATAL(m != NULL);
    uint32_t np = slack_model_partitions(m);
    CU_ASSERT_EQUAL(np, 4);
    const sim_series *ts = slack_model_timeseries(m);
    size_t col = test_column(ts, "kafka_lag_max");
    CU_ASSERT_FATAL(col != SIZE_MAX);
    size_t checked = 0, rows_seen = 0;
    for (int s = 1; s <= 20; s++) {
        slack_model_run_until(m, sim_time_from_sec(s + 0.5));
        size_t rows = sim_series_rows(ts);
        if (rows == rows_seen) continue;
        rows_seen = rows;
        uint64_t mx = 0;
        for (uint32_t p = 0; p < np; p++) mx = MAX(mx, slack_model_partition_lag(m, p));
        CU_ASSERT_EQUAL((double)mx, sim_series_value(ts, rows - 1, col));
        checked++;
    }
    CU_ASSERT(checked >= 15);
    slack_model_finish(m);
    cJSON *s = slack_model_summary(m, NULL);
    const cJSON *kafka = cJSON_GetObjectItemCaseSensitive(s, "kafka"), *arr = cJSON_GetObjectItemCaseSensitive(kafka, "consumer_lag_max_by_partition");
    CU_ASSERT_FATAL(cJSON_IsArray(arr));
    CU_ASSERT_EQUAL(cJSON_GetArraySize(arr), (int)np);
    CU_ASSERT_EQUAL(test_jnum(kafka, "partitions", NULL), np);
    double amax = 0;
    uint32_t behind = 0;
    for (uint32_t p = 0; p < np; p++) {
        double v = cJSON_GetArrayItem(arr, (int)p)->valuedouble;
        CU_ASSERT_EQUAL(v, (double)slack_model_partition_lag_max(m, p));
        amax = fmax(amax, v);
        behind += v > 5;
    }
    CU_ASSERT_EQUAL(amax, test_jnum(kafka, "consumer_lag_max", NULL));
    /* the consumers are overloaded: every partition fell behind */
    CU_ASSERT_EQUAL(behind, np);
    /* the report names the partition that fell furthest behind */
    uint32_t worst = 0;
    for (uint32_t p = 1; p < np; p++) if (slack_model_partition_lag_max(m, p) > slack_model_partition_lag_max(m, worst)) worst = p;
    char *want = g_strdup_printf("Kafka lag max %.0f messages (partition %u of 4)", amax, worst);
    char *rep = slack_model_report(m, NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(rep, want));
    g_free(rep);
    g_free(want);
    /* after the drain nothing is left to consume */
    for (uint32_t p = 0; p < np; p++) CU_ASSERT_EQUAL(slack_model_partition_lag_now(m, p), 0);
    cJSON_Delete(s);
    slack_model_free(m);
}


/* A partition leader is a FIFO single server in virtual time: made M/M/1
 * through documented keys (Poisson publishes into one partition, every
 * stage before it instant, an exponential append_s), its waits and P(wait)
 * (kafka.leaders) match M/M/1 within a 95% CI over replications at rho
 * 0.5, 0.8 and 0.95. The leaders are not stations (no time-average count),
 * so Little's law is checked on the stations downstream. */
static char *leader_text(double rho, const void *arg)
{
    (void)arg;
    const double lambda = 100;
    return g_strdup_printf(
        TEST_MMC_INSTANT_UPSTREAM
        " \"kafka\": {\"partitions\": 1, \"append_s\": {\"dist\": \"exponential\", \"mean\": %g}, \"ack_s\": 0}}",
        test_mmc_arrivals(rho) / lambda, lambda, rho / lambda);
}

static const cJSON *leaders(const cJSON *sum)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sum, "kafka"), "leaders");
}

static void test_leader_is_mm1(void)
{
    for (int i = 0; i < 3; i++)
        test_check_mmc(leader_text, NULL, leaders, FALSE, 1, test_mmc_rhos[i], 100, 100 / test_mmc_rhos[i], 6, 90);
}

void test_kafka_register(void)
{
    TEST_SUITE("kafka", TEST(test_lag_per_partition), TEST(test_leader_is_mm1));
}
