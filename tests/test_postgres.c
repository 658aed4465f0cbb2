/* postgres: the writer pool is an M/M/c queue when its service times are
 * exponential and its arrivals Poisson, so its mean wait matches Erlang-C
 * within a 99% confidence interval over replications. */
#include <math.h>
#include "tests/test_util.h"
#include "tests/test_model_util.h"
#include "sim/sim_stats.h"
#include "sim/sim_station.h"

/* c = 4 writers of mean 2 ms (mu 500/s), lambda = rho x 2000 writes/s. */
static char *mmc_text(double rho, const void *arg)
{
    (void)arg;
    double lambda = rho * 4 * 500;
    return g_strdup_printf(
        "{\"duration_s\": %g, \"interval_s\": 5, \"workload\": {\"users\": 2, \"online_fraction\": 1,"
        " \"rate_per_sec\": %g, \"daily_curve\": false, \"thread_reply_fraction\": 0},"
        " \"gateways\": {\"count\": 1, \"inbound_s\": 0},"
        " \"postgres\": {\"writers\": 4, \"service_s\": {\"dist\": \"exponential\", \"mean\": 0.002}}}",
        test_mmc_arrivals(rho) / lambda, lambda);
}

static const cJSON *pool(const cJSON *sum)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sum, "postgres"), "station");
}

/* M/M/4 at rho 0.5, 0.8 and 0.95: Erlang-C's wait and P(wait) within the
 * replications' 95% CI, Little's law on every replication's summary. */
static void test_postgres_mmc_matches_erlang_c(void)
{
    for (int i = 0; i < 3; i++) {
        double rho = test_mmc_rhos[i];
        test_check_mmc(mmc_text, NULL, pool, TRUE, 4, rho, rho * 2000, 500, 6, 1000);
    }
}

/* Little's law on the pool's summary: the time-average number in the
 * station against its arrival rate times its mean sojourn; and P(wait)
 * against Erlang-C at the same load. */
static void test_littles_law_and_p_wait(void)
{
    slack_model *m = test_model_from(
        "{\"duration_s\": 200, \"interval_s\": 10, \"workload\": {\"users\": 2, \"online_fraction\": 1,"
        " \"rate_per_sec\": 1600, \"daily_curve\": false, \"thread_reply_fraction\": 0},"
        " \"gateways\": {\"count\": 1, \"inbound_s\": 0},"
        " \"postgres\": {\"writers\": 4, \"service_s\": {\"dist\": \"exponential\", \"mean\": 0.002}}}", 3);
    CU_ASSERT_FATAL(m != NULL);
    slack_model_finish(m);
    cJSON *sum = slack_model_summary(m, NULL);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sum, "postgres"), "station");
    double L = test_jnum(st, "mean_in_system", NULL), lambda = test_jnum(st, "arrival_rate_per_s", NULL);
    double W = test_jnum(st, "sojourn_ms", "mean") / 1e3;
    CU_ASSERT(fabs(L - lambda * W) <= 0.01 * L);
    /* rho 0.8 at c = 4: Erlang-C 0.596; 320k jobs, one run: within 0.03 */
    CU_ASSERT_DOUBLE_EQUAL(test_jnum(st, "p_wait", NULL), sim_erlang_c(4, 1600, 500), 0.03);
    cJSON_Delete(sum);
    slack_model_free(m);
}

void test_postgres_register(void)
{
    TEST_SUITE("postgres", TEST(test_postgres_mmc_matches_erlang_c), TEST(test_littles_law_and_p_wait));
}
