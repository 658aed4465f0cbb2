/* slack_output: what a run reports beyond the core counters. Kafka
 * consumer lag per partition (accessors, summary array, the time series'
 * busiest-partition column all agree), the presence_keys column, the
 * report's presence and workload lines, and the latency histograms behind
 * summary latency_ms. */
#include <math.h>
#include <string.h>
#include "tests/test_util.h"
#include "models/slack_model.h"
#include "sim/sim_stats.h"

static slack_model *model_from(const char *text, uint64_t seed)
{
    cJSON *d = slack_model_defaults();
    GError *err = NULL;
    sim_scenario *sc = sim_scenario_load_string(text, "test.json", d, &err);
    cJSON_Delete(d);
    slack_model *m = sc ? slack_model_new(sc, seed, &err) : NULL;
    if (!m) fprintf(stderr, "model: %s\n", err ? err->message : "?");
    g_clear_error(&err);
    sim_scenario_free(sc);
    return m;
}

static const cJSON *jobj(const cJSON *o, const char *key) { return cJSON_GetObjectItemCaseSensitive(o, key); }

static double jnum(const cJSON *o, const char *a, const char *b)
{
    const cJSON *v = b ? jobj(jobj(o, a), b) : jobj(o, a);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static size_t column(const sim_series *ts, const char *name)
{
    for (size_t c = 0; c < sim_series_columns(ts); c++)
        if (strcmp(sim_series_column_name(ts, c), name) == 0) return c;
    return SIZE_MAX;
}

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
    slack_model *m = model_from(lagging_text, 3);
    CU_ASSERT_FATAL(m != NULL);
    uint32_t np = slack_model_partitions(m);
    CU_ASSERT_EQUAL(np, 4);
    const sim_series *ts = slack_model_timeseries(m);
    size_t col = column(ts, "kafka_lag_max");
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
    const cJSON *kafka = jobj(s, "kafka"), *arr = jobj(kafka, "consumer_lag_max_by_partition");
    CU_ASSERT_FATAL(cJSON_IsArray(arr));
    CU_ASSERT_EQUAL(cJSON_GetArraySize(arr), (int)np);
    CU_ASSERT_EQUAL(jnum(kafka, "partitions", NULL), np);
    double amax = 0;
    uint32_t behind = 0;
    for (uint32_t p = 0; p < np; p++) {
        double v = cJSON_GetArrayItem(arr, (int)p)->valuedouble;
        CU_ASSERT_EQUAL(v, (double)slack_model_partition_lag_max(m, p));
        amax = fmax(amax, v);
        behind += v > 5;
    }
    CU_ASSERT_EQUAL(amax, jnum(kafka, "consumer_lag_max", NULL));
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
               TEST(test_lag_per_partition),
               TEST(test_presence_keys_column),
               TEST(test_report_lines),
               TEST(test_latency_hists));
}
