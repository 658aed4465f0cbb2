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

/* ------------------------------------------- messages.store = wide_column */

/* One busy #general (1,400 online of 2,000, 20 messages/s) in a wide-column
 * store with `writers` writers and the senders' clocks off by up to
 * `skew_ms`; the messages summary. */
static cJSON *wide_run(int writers, double skew_ms)
{
    char *text = g_strdup_printf("{\"duration_s\": 60, \"drain_s\": 5, \"workload\": {\"users\": 2000, \"online_fraction\": 0.7,"
                                 " \"workspaces\": 1, \"general_channel\": true, \"channels_per_user\": 0, \"rate_per_sec\": 20,"
                                 " \"daily_curve\": false}, \"postgres\": {\"writers\": %d},"
                                 " \"messages\": {\"store\": \"wide_column\", \"clock_skew_ms\": %g}}", writers, skew_ms);
    cJSON *s = test_summary_of(text, 5);
    g_free(text);
    return s;
}

/* Without skew the ids are the send order (no inversion); with one writer
 * the commits are in send order too, so nothing reaches a reader out of
 * order: the count comes only from the two causes the store has. */
static void test_wide_column_zero_without_skew_and_reordering(void)
{
    cJSON *one = wide_run(1, 0), *many = wide_run(16, 0);
    CU_ASSERT_FATAL(one != NULL && many != NULL);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(one, "messages"), "store")->valuestring,
                           "wide_column");
    CU_ASSERT_EQUAL(test_jnum(one, "messages", "id_inversions"), 0);
    CU_ASSERT_EQUAL(test_jnum(one, "messages", "out_of_order"), 0);
    /* 16 writers in parallel: a write that commits before an earlier one
     * is published first, and nothing holds it back */
    CU_ASSERT_EQUAL(test_jnum(many, "messages", "id_inversions"), 0);
    CU_ASSERT(test_jnum(many, "messages", "out_of_order") > 0);
    CU_ASSERT(test_jnum(many, "messages", "out_of_order") < 0.1 * test_jnum(many, "messages", "persisted"));
    cJSON_Delete(one);
    cJSON_Delete(many);
}

/* Skew makes ids disagree with the send order: more of it, more
 * inversions and more messages shown out of order; PostgreSQL's sequence
 * has neither (both counts are 0 in its summary). */
static void test_wide_column_grows_with_skew(void)
{
    double inv[3], ooo[3], skew[3] = { 10, 100, 1000 };
    for (int i = 0; i < 3; i++) {
        cJSON *s = wide_run(1, skew[i]);
        CU_ASSERT_FATAL(s != NULL);
        inv[i] = test_jnum(s, "messages", "id_inversions");
        ooo[i] = test_jnum(s, "messages", "out_of_order");
        /* one writer commits in send order, so a reader sees exactly the inversions */
        CU_ASSERT_EQUAL(ooo[i], inv[i]);
        cJSON_Delete(s);
    }
    CU_ASSERT(inv[0] > 0 && inv[0] < inv[1] && inv[1] < inv[2]);
    cJSON *pg = test_summary_of("{\"duration_s\": 10, \"workload\": {\"users\": 200, \"workspaces\": 1, \"rate_per_sec\": 20,"
                                " \"daily_curve\": false}}", 5);
    CU_ASSERT_FATAL(pg != NULL);
    CU_ASSERT_EQUAL(test_jnum(pg, "messages", "out_of_order"), 0);
    CU_ASSERT_EQUAL(test_jnum(pg, "messages", "id_inversions"), 0);
    cJSON_Delete(pg);
}

/* The I/O device is a FIFO server of 1/iops per I/O: with nothing else on
 * it, a commit of k I/Os waits k/iops plus the M/D/1 queue,
 * rho D / (2 (1 - rho)); at 100 writes/s of 2 I/Os on 1000 IOPS (D = 2 ms,
 * rho 0.2) that is 2.25 ms on average. Every write issues exactly k. */
static void test_iops_device_is_md1(void)
{
    cJSON *s = test_summary_of("{\"duration_s\": 60, \"workload\": {\"users\": 200, \"rate_per_sec\": 100,"
                               " \"daily_curve\": false}, \"postgres\": {\"iops\": 1000, \"ios_per_write\": 2}}", 6);
    CU_ASSERT_FATAL(s != NULL);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "postgres"), "disk");
    CU_ASSERT_FATAL(d != NULL);
    double persisted = test_jnum(s, "messages", "persisted");
    CU_ASSERT(persisted > 5000);
    CU_ASSERT_EQUAL(test_jnum(d, "message_ios", NULL), 2 * persisted);
    CU_ASSERT_EQUAL(test_jnum(d, "file_ios", NULL), 0);
    double wait = test_jnum(d, "io_wait_ms", "mean");
    CU_ASSERT(fabs(wait - 2.25) < 0.1 * 2.25);
    CU_ASSERT(fabs(test_jnum(d, "util", NULL) - 0.2) < 0.02);
    cJSON_Delete(s);
}

/* Blobs in PostgreSQL share the messages' device: their pages (heap +
 * WAL) queue ahead of commits, so the persist tail grows by far more than
 * with S3, where the database writes only metadata rows. Without a device
 * (postgres.iops 0, the default) the storage choice does not touch the
 * persist latency at all. */
static void test_blobs_share_the_message_iops(void)
{
    const char *base = "{\"duration_s\": 120, \"interval_s\": 5, \"workload\": {\"users\": 20000, \"workspaces\": 20,"
                       " \"channels_per_user\": 0.2, \"rate_per_sec\": 50, \"daily_curve\": false},"
                       " \"postgres\": {\"iops\": %g}, \"files\": {\"enabled\": true, \"storage\": \"%s\","
                       " \"upload_rate_per_user\": 0.0003}}";
    double p99[2][2], wait[2];
    for (int pg = 0; pg < 2; pg++)
        for (int dev = 0; dev < 2; dev++) {
            char *text = g_strdup_printf(base, dev ? 4000.0 : 0.0, pg ? "postgres" : "s3");
            cJSON *s = test_summary_of(text, 7);
            g_free(text);
            CU_ASSERT_FATAL(s != NULL);
            p99[pg][dev] = test_jnum(cJSON_GetObjectItemCaseSensitive(s, "latency_ms"), "persist", "p99");
            const cJSON *d = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "postgres"), "disk");
            CU_ASSERT((d != NULL) == dev);
            if (dev) {
                wait[pg] = test_jnum(d, "io_wait_ms", "p99");
                CU_ASSERT((test_jnum(d, "file_ios", NULL) > 3 * test_jnum(d, "message_ios", NULL)) == pg);
            }
            cJSON_Delete(s);
        }
    CU_ASSERT(fabs(p99[1][0] - p99[0][0]) < 0.05 * p99[0][0]);   /* no device: storage is irrelevant */
    CU_ASSERT(p99[0][1] - p99[0][0] < 1.0);                       /* S3: 2 I/Os at 4000 IOPS, 0.5 ms */
    CU_ASSERT(wait[0] < 1.0);
    CU_ASSERT(p99[1][1] > p99[0][1] + 10);                        /* blobs ahead of the commits */
    CU_ASSERT(wait[1] > 10 * wait[0]);
}

/* Presence rows on the message writers (db_rows, no pool of its own) write
 * through the same device: each UPDATE (and cleanup job) issues ios_per_write I/Os, counted
 * as presence_ios, and the messages' own I/Os stay 2 per commit. */
static void test_presence_rows_share_the_iops(void)
{
    cJSON *s = test_summary_of("{\"duration_s\": 30, \"workload\": {\"users\": 3000, \"rate_per_sec\": 20,"
                               " \"daily_curve\": false}, \"postgres\": {\"iops\": 20000, \"ios_per_write\": 2},"
                               " \"presence\": {\"store\": \"db_rows\"}}", 7);
    CU_ASSERT_FATAL(s != NULL);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "postgres"), "disk");
    const cJSON *db = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "presence"), "db");
    CU_ASSERT_FATAL(d != NULL && db != NULL);
    double writes = test_jnum(db, "writes", NULL), pio = test_jnum(d, "presence_ios", NULL);
    CU_ASSERT(writes > 1000);
    /* every presence job on the pool, the cleanup scans included, at its commit */
    CU_ASSERT_EQUAL(pio, 2 * (writes + test_jnum(db, "cleanup_runs", NULL)));
    CU_ASSERT_EQUAL(test_jnum(d, "message_ios", NULL), 2 * test_jnum(s, "messages", "persisted"));
    cJSON_Delete(s);
}

void test_postgres_register(void)
{
    TEST_SUITE("postgres", TEST(test_postgres_mmc_matches_erlang_c), TEST(test_littles_law_and_p_wait),
               TEST(test_wide_column_zero_without_skew_and_reordering), TEST(test_wide_column_grows_with_skew),
               TEST(test_iops_device_is_md1), TEST(test_blobs_share_the_message_iops),
               TEST(test_presence_rows_share_the_iops));
}
