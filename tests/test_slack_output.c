/* slack_output: what a run reports beyond the core counters. Kafka
 * consumer lag per partition (accessors, summary array, the time series'
 * busiest-partition column all agree), the presence_keys column, the
 * report's presence and workload lines, and the latency histograms behind
 * summary latency_ms. */
#include <math.h>
#include <string.h>
#include "tests/test_util.h"
#include "models/slack_model.h"
#include "tests/test_model_util.h"
#include "sim/sim_stats.h"

#define model_from test_model_from

static const cJSON *jobj(const cJSON *o, const char *key) { return cJSON_GetObjectItemCaseSensitive(o, key); }

#define jnum test_jnum

#define column test_column

/* Fan-out consumers slower than the arrivals into their partitions (each
 * of 4 consumers gets ~50 messages/s and serves ~40/s), so real lag builds
 * on every partition. */
static const char lagging_text[] =
    "{\"duration_s\": 20, \"interval_s\": 1, \"workload\": {\"users\": 2000, \"online_fraction\": 0.8, \"workspaces\": 10,"
    " \"channels_per_user\": 0.05, \"channel_size\": {\"dist\": \"uniform\", \"min\": 2, \"max\": 20},"
    " \"rate_per_sec\": 200, \"daily_curve\": false}, \"kafka\": {\"partitions\": 4},"
    " \"fanout\": {\"service_s\": 0.025, \"per_recipient_s\": 0}}";

/* Without crashes every presence key belongs to a connected client: the
 * column equals connections in every row, and none is stale. With crashes
 * (and no reconnects or clean disconnects) a key lives until Redis
 * removes it: the last row holds the 400 clients' keys minus the crashes
 * detected, which is more than the clients still alive while some crash
 * is undetected. (The gateways keep a crashed client's half-open socket,
 * so connections stays at 400.) */
static const sim_series *presence_run(slack_model *m, size_t *ck, size_t *cc, size_t *cs)
{
    slack_model_run_until(m, slack_model_duration(m));
    const sim_series *ts = slack_model_timeseries(m);
    *ck = column(ts, "presence_keys");
    *cc = column(ts, "connections");
    *cs = column(ts, "presence_stale_keys");
    CU_ASSERT(sim_series_rows(ts) >= 10);
    return ts;
}

static void test_presence_keys_column(void)
{
    size_t ck, cc, cs;
    slack_model *m = model_from("{\"duration_s\": 60, \"interval_s\": 5, \"workload\": {\"users\": 500, \"online_fraction\": 0.7,"
                                " \"workspaces\": 1, \"rate_per_sec\": 2, \"daily_curve\": false},"
                                " \"presence\": {\"individual_clients\": 500}}", 5);
    CU_ASSERT_FATAL(m != NULL);
    const sim_series *ts = presence_run(m, &ck, &cc, &cs);
    CU_ASSERT_FATAL(ck != SIZE_MAX && cc != SIZE_MAX && cs != SIZE_MAX);
    for (size_t r = 0; r < sim_series_rows(ts); r++) {
        CU_ASSERT_EQUAL(sim_series_value(ts, r, ck), 350);
        CU_ASSERT_EQUAL(sim_series_value(ts, r, ck), sim_series_value(ts, r, cc));
        CU_ASSERT_EQUAL(sim_series_value(ts, r, cs), 0);
    }
    slack_model_free(m);

    /* 400 clients at 6 crashes per client-hour: ~80 crashes in 120 s */
    m = model_from("{\"duration_s\": 120, \"interval_s\": 5, \"workload\": {\"users\": 400, \"online_fraction\": 1,"
                   " \"rate_per_sec\": 1, \"daily_curve\": false},"
                   " \"presence\": {\"individual_clients\": 400, \"crash_per_hour\": 6}}", 5);
    CU_ASSERT_FATAL(m != NULL);
    ts = presence_run(m, &ck, &cc, &cs);
    size_t last = sim_series_rows(ts) - 1;
    cJSON *s = slack_model_summary(m, NULL);
    double detected = jnum(s, "presence", "detected"), alive = jnum(s, "presence", "connected");
    CU_ASSERT(detected > 0);
    CU_ASSERT_EQUAL(sim_series_value(ts, last, ck), 400 - detected);
    CU_ASSERT_EQUAL(sim_series_value(ts, last, ck), jnum(s, "presence", "keys"));
    CU_ASSERT_EQUAL(sim_series_value(ts, last, ck) - alive, jnum(s, "presence", "undetected"));
    CU_ASSERT(jnum(s, "presence", "undetected") > 0);
    for (size_t r = 0; r < sim_series_rows(ts); r++) CU_ASSERT(sim_series_value(ts, r, ck) <= sim_series_value(ts, r, cc));
    cJSON_Delete(s);
    slack_model_free(m);
}

/* The report's presence line carries the detection delay the summary
 * holds, and the workload line says "1 workspace", "10 workspaces". */
static void test_report_lines(void)
{
    slack_model *m = model_from("{\"duration_s\": 300, \"interval_s\": 10, \"workload\": {\"users\": 400, \"online_fraction\": 1,"
                                " \"workspaces\": 1, \"rate_per_sec\": 1, \"daily_curve\": false},"
                                " \"presence\": {\"individual_clients\": 400, \"crash_per_hour\": 2}}", 9);
    CU_ASSERT_FATAL(m != NULL);
    slack_model_finish(m);
    cJSON *s = slack_model_summary(m, NULL);
    const cJSON *d = jobj(jobj(s, "presence"), "detect_delay_s");
    CU_ASSERT(jnum(d, "count", NULL) > 0);
    char *want = g_strdup_printf("detection delay p50 %.1f s, p99 %.1f s", jnum(d, "p50", NULL), jnum(d, "p99", NULL));
    char *rep = slack_model_report(m, NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(rep, want));
    CU_ASSERT_PTR_NOT_NULL(strstr(rep, " in 1 workspace, "));
    g_free(rep);
    g_free(want);
    cJSON_Delete(s);
    slack_model_free(m);

    m = model_from(lagging_text, 3);
    CU_ASSERT_FATAL(m != NULL);
    slack_model_run_until(m, sim_time_from_sec(1));
    rep = slack_model_report(m, NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(rep, " in 10 workspaces, "));
    /* no crashes yet: no delay to report */
    CU_ASSERT_PTR_NULL(strstr(rep, "detection delay"));
    g_free(rep);
    slack_model_free(m);
}

/* The histograms are the summary's: one end-to-end sample per online
 * delivery, one persist sample per persisted message, and the same
 * percentiles as latency_ms; each call returns an independent copy. */
static void test_latency_hists(void)
{
    slack_model *m = model_from(lagging_text, 11);
    CU_ASSERT_FATAL(m != NULL);
    slack_model_finish(m);
    cJSON *s = slack_model_summary(m, NULL);
    const cJSON *lat = jobj(s, "latency_ms");
    static const char *const keys[SLACK_LATENCY_COUNT] = { "end_to_end", "persist", "kafka", "fanout", "push" };
    for (int i = 0; i < SLACK_LATENCY_COUNT; i++) {
        sim_hist *h = slack_model_latency_hist(m, (slack_latency)i);
        CU_ASSERT_FATAL(h != NULL);
        const cJSON *o = jobj(lat, keys[i]);
        CU_ASSERT_EQUAL((double)sim_hist_count(h), jnum(o, "count", NULL));
        if (sim_hist_count(h)) {
            /* the summary prints 6 significant digits */
            double p99 = sim_hist_percentile(h, 99) / 1e6, mx = sim_hist_max(h) / 1e6;
            CU_ASSERT_DOUBLE_EQUAL(p99, jnum(o, "p99", NULL), 5e-6 * p99);
            CU_ASSERT_DOUBLE_EQUAL(mx, jnum(o, "max", NULL), 5e-6 * mx);
        }
        sim_hist_record(h, 1);   /* a copy: the model's own stays as it was */
        sim_hist *again = slack_model_latency_hist(m, (slack_latency)i);
        CU_ASSERT_EQUAL(sim_hist_count(again) + 1, sim_hist_count(h));
        sim_hist_free(again);
        sim_hist_free(h);
    }
    sim_hist *e2e = slack_model_latency_hist(m, SLACK_LATENCY_END_TO_END);
    CU_ASSERT((double)sim_hist_count(e2e) > 0);
    CU_ASSERT_EQUAL((double)sim_hist_count(e2e), jnum(s, "messages", "delivered_online"));
    sim_hist_free(e2e);
    sim_hist *pe = slack_model_latency_hist(m, SLACK_LATENCY_PERSIST);
    CU_ASSERT_EQUAL((double)sim_hist_count(pe), jnum(s, "messages", "persisted"));
    sim_hist_free(pe);
    cJSON_Delete(s);
    slack_model_free(m);
}

void test_slack_output_register(void)
{
    TEST_SUITE("slack_output",
               TEST(test_presence_keys_column),
               TEST(test_report_lines),
               TEST(test_latency_hists));
}
