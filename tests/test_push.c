/* push: the provider's quota is a token bucket. Over a run the
 * notifications sent never exceed what the bucket allows (a full burst plus
 * the rate times the time), what it refuses is retried after HTTP 429
 * until sent, and the push latency histogram holds one sample per
 * notification sent. */
#include <math.h>
#include "tests/test_util.h"
#include "tests/test_model_util.h"

/* 2,000 users, 30% online: a post to #general queues ~1,400 notifications,
 * against a quota of 600 a minute (10/s) and a 5 s burst. */
static const char quota_text[] =
    "{\"duration_s\": 20, \"drain_s\": 3000, \"workload\": {\"users\": 2000, \"online_fraction\": 0.3,"
    " \"rate_per_sec\": 0.2, \"daily_curve\": false}, \"presence\": {\"individual_clients\": 0},"
    " \"push\": {\"rate_per_min\": 600, \"burst_s\": 5, \"retry_base_s\": 0.5, \"retry_max_s\": 4}}";

static void test_quota_bounds_sends_and_429s_retry(void)
{
    slack_model *m = test_model_from(quota_text, 11);
    CU_ASSERT_FATAL(m != NULL);
    slack_model_finish(m);
    cJSON *s = slack_model_summary(m, NULL);
    double queued = test_jnum(s, "push", "queued"), sent = test_jnum(s, "push", "sent");
    double retries = test_jnum(s, "push", "retries_429"), backlog = test_jnum(s, "push", "backlog");
    double seconds = test_jnum(s, "sim", "seconds") + test_jnum(s, "sim", "drain_seconds");
    CU_ASSERT(queued > 1000);                      /* the quota binds */
    CU_ASSERT(sent <= 10.0 * 5 + 10.0 * seconds);  /* the bucket: burst + rate x time */
    CU_ASSERT(retries > 0);
    CU_ASSERT_EQUAL(backlog, 0);                   /* every refused notification was retried until sent */
    CU_ASSERT_EQUAL(sent, queued);                 /* notify_fraction 1 */
    sim_hist *h = slack_model_latency_hist(m, SLACK_LATENCY_PUSH);
    CU_ASSERT_EQUAL((double)sim_hist_count(h), sent);
    /* waiting for the quota shows in the latency: the last of ~1,400 sent
     * at 10/s waits over a minute */
    CU_ASSERT(sim_hist_max(h) / 1e9 > 60);
    sim_hist_free(h);
    cJSON_Delete(s);
    slack_model_free(m);
}

void test_push_register(void)
{
    TEST_SUITE("push", TEST(test_quota_bounds_sends_and_429s_retry));
}
