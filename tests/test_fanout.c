/* fanout: each consumer is the queue it claims to be. Made M/M/1 through
 * documented keys (Poisson arrivals, every stage before it instant, an
 * exponential consumer time), its mean wait and P(wait) match M/M/1 within
 * a 95% confidence interval over replications at rho 0.5, 0.8 and 0.95; and
 * Little's law L = lambda W holds on every consumer's summary. */
#include <math.h>
#include "tests/test_util.h"
#include "tests/test_model_util.h"
#include "sim/sim_stats.h"

static char *mm1_text(double rho, const void *arg)
{
    (void)arg;
    const double lambda = 100;
    return g_strdup_printf(
        "{\"duration_s\": %g, \"interval_s\": 10, \"workload\": {\"users\": 4000, \"workspaces\": 0,"
        " \"channels_per_user\": 0.5, \"channel_max\": 50, \"rate_per_sec\": %g, \"daily_curve\": false,"
        " \"thread_reply_fraction\": 0},"
        " \"gateways\": {\"inbound_s\": 0}, \"postgres\": {\"writers\": 64, \"service_s\": 0},"
        " \"kafka\": {\"partitions\": 1, \"append_s\": 0, \"ack_s\": 0},"
        " \"fanout\": {\"service_s\": {\"dist\": \"exponential\", \"mean\": %g}, \"per_recipient_s\": 0}}",
        test_mmc_arrivals(rho) / lambda, lambda, rho / lambda);
}

static const cJSON *first_consumer(const cJSON *sum)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sum, "fanout"), "consumers"), 0);
}

static const cJSON *consumer_pool(const cJSON *sum)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sum, "fanout"), "consumer_pool");
}

/* M/M/1 at rho 0.5, 0.8 and 0.95 (100 messages/s); the pool object of its
 * one consumer says the same. */
static void test_consumer_is_mm1(void)
{
    for (int i = 0; i < 3; i++) {
        double rho = test_mmc_rhos[i];
        test_check_mmc(mm1_text, NULL, first_consumer, TRUE, 1, rho, 100, 100 / rho, 6, 70);
    }
    test_check_mmc(mm1_text, NULL, consumer_pool, TRUE, 1, 0.8, 100, 100 / 0.8, 6, 70);
}

/* L = lambda W on every consumer: the time-average number in the station
 * against its arrival rate times its mean sojourn (both over the run). */
static void test_littles_law_on_every_consumer(void)
{
    slack_model *m = test_model_from(
        "{\"duration_s\": 60, \"workload\": {\"users\": 3000, \"workspaces\": 0, \"channels_per_user\": 0.3,"
        " \"rate_per_sec\": 300, \"daily_curve\": false}, \"kafka\": {\"partitions\": 8},"
        " \"fanout\": {\"service_s\": {\"dist\": \"exponential\", \"mean\": 0.015}}}", 4);
    CU_ASSERT_FATAL(m != NULL);
    slack_model_finish(m);
    cJSON *sum = slack_model_summary(m, NULL);
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sum, "fanout"), "consumers");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(arr), 8);
    const cJSON *st;
    cJSON_ArrayForEach(st, arr) {
        double L = test_jnum(st, "mean_in_system", NULL), lambda = test_jnum(st, "arrival_rate_per_s", NULL);
        double W = test_jnum(st, "sojourn_ms", "mean") / 1e3;
        CU_ASSERT(L > 0.05);
        CU_ASSERT(fabs(L - lambda * W) <= 0.01 * L);
    }
    cJSON_Delete(sum);
    slack_model_free(m);
}

/* Redis Cluster: a big channel's presence GETs spread over the shards (the
 * members' keys hash over every slot), so more shards take the load off
 * the channel's own shard: the busiest shard's utilization falls about as
 * 1/shards, and so does the big channel's delivery tail. */
static void test_cluster_spreads_member_reads(void)
{
    double util[2], p99[2];
    const int shards[2] = { 1, 4 };
    for (int i = 0; i < 2; i++) {
        char *text = g_strdup_printf(
            "{\"duration_s\": 20, \"workload\": {\"users\": 20000, \"online_fraction\": 0.9, \"workspaces\": 1,"
            " \"rate_per_sec\": 5, \"daily_curve\": false}, \"presence\": {\"individual_clients\": 0},"
            " \"redis\": {\"shards\": %d}}", shards[i]);
        cJSON *sum = test_summary_of(text, 6);
        g_free(text);
        CU_ASSERT_FATAL(sum != NULL);
        util[i] = test_jnum(sum, "redis", "utilization_max");
        p99[i] = test_jnum(cJSON_GetObjectItemCaseSensitive(sum, "latency_ms"), "end_to_end", "p99");
        cJSON_Delete(sum);
    }
    CU_ASSERT(util[0] > 0.05);
    CU_ASSERT(util[1] < util[0] / 3);
    CU_ASSERT(p99[1] < p99[0]);
}

void test_fanout_register(void)
{
    TEST_SUITE("fanout", TEST(test_cluster_spreads_member_reads), TEST(test_consumer_is_mm1),
               TEST(test_littles_law_on_every_consumer));
}
