/* delivery: the transports the lesson compares. Short polling at interval
 * T adds T/2 to the mean delivery latency (a message waits for a poll at a
 * uniformly placed phase) and costs clients / T requests per second;
 * WebSocket adds nothing and costs no request. */
#include <math.h>
#include "tests/test_util.h"
#include "tests/test_model_util.h"
#include "sim/sim_stats.h"

static const char polling_text[] =
    "{\"duration_s\": 20, \"interval_s\": 1, \"workload\": {\"users\": 2000, \"online_fraction\": 0.5, \"workspaces\": 4,"
    " \"rate_per_sec\": 20, \"daily_curve\": false}, \"delivery\": {\"transport\": \"short_polling\", \"poll_interval_s\": 0.4}}";

static void test_short_polling_adds_half_interval(void)
{
    enum { REPS = 5 };
    double added[REPS];
    for (int r = 0; r < REPS; r++) {
        slack_model *m = test_model_from(polling_text, 40 + (uint64_t)r);
        CU_ASSERT_FATAL(m != NULL);
        slack_model_finish(m);
        cJSON *s = slack_model_summary(m, NULL);
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(s, "delivery");
        added[r] = test_jnum(d, "added_latency_ms", "mean");
        /* requests: the polls of 1000 connected clients every 0.4 s, plus
         * one POST per message sent (about 20/s), over the whole run */
        const sim_series *ts = slack_model_timeseries(m);
        size_t col = test_column(ts, "http_requests_per_s"), rows = sim_series_rows(ts);
        CU_ASSERT_FATAL(col != SIZE_MAX);
        double mean = 0;
        for (size_t i = 1; i < rows; i++) mean += sim_series_value(ts, i, col) / (double)(rows - 1);
        double expect = 1000 / 0.4 + test_jnum(s, "messages", "sent") / test_jnum(s, "sim", "seconds");
        CU_ASSERT(fabs(mean - expect) <= 0.02 * expect);
        cJSON_Delete(s);
        slack_model_free(m);
    }
    double mean, half;
    sim_ci_mean(added, REPS, 0.95, &mean, &half);
    CU_ASSERT(fabs(mean - 200.0) <= half);
    CU_ASSERT(half < 20);   /* tight enough to tell 200 ms from, say, 400 */
}

static void test_websocket_adds_nothing(void)
{
    slack_model *m = test_model_from("{\"duration_s\": 10, \"workload\": {\"rate_per_sec\": 5, \"daily_curve\": false}}", 3);
    CU_ASSERT_FATAL(m != NULL);
    slack_model_finish(m);
    cJSON *s = slack_model_summary(m, NULL);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(s, "delivery");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItemCaseSensitive(d, "transport")->valuestring, "websocket");
    CU_ASSERT_EQUAL(test_jnum(d, "requests", NULL), 0);
    CU_ASSERT_EQUAL(test_jnum(d, "added_latency_ms", "count"), 0);
    CU_ASSERT(test_jnum(s, "messages", "delivered_online") > 1000);
    cJSON_Delete(s);
    slack_model_free(m);
}

void test_delivery_register(void)
{
    TEST_SUITE("delivery", TEST(test_short_polling_adds_half_interval), TEST(test_websocket_adds_nothing));
}
