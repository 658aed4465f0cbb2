/* sim_scenario: every error path gives a one-line message that says where
 * (file:line:col or --set), with the right GError code; extends chains
 * merge in order and cycles are caught; --set goes through the same checks
 * and leaves the scenario untouched when it fails; did-you-mean finds the
 * nearest key. */
#include <stddef.h>
#include <float.h>
#include <string.h>
#include <glib/gstdio.h>
#include "tests/test_util.h"
#include "sim/sim_scenario.h"
#include "sim/sim_time.h"
#include "sim/sim_error.h"
#include "sim/sim_file.h"
#include <sys/stat.h>

static const char *DEFAULTS =
    "{\"gateway\": {\"count\": 4, \"timeout_ms\": 500, \"enabled\": true, \"region\": \"us-east\","
    "               \"service_s\": {\"dist\": \"exponential\", \"mean\": 0.002}},"
    " \"kafka\": {\"replicas\": 3, \"partitions\": 64},"
    " \"alerts\": [{\"metric\": \"p99\", \"max\": 0.5}],"
    " \"tags\": [\"a\"],"
    " \"mix\": [{\"dist\": \"constant\", \"value\": 1}]}";

static cJSON *defaults(void)
{
    cJSON *d = cJSON_Parse(DEFAULTS);
    g_assert(d);
    return d;
}

/* A fresh directory for scenario files; remove with rm_tree. */
static char *tmp_dir(void)
{
    char *d = g_dir_make_tmp("slacksim-scn-XXXXXX", NULL);
    g_assert(d);
    return d;
}

static char *put_file(const char *dir, const char *name, const char *text)
{
    char *p = g_build_filename(dir, name, NULL);
    char *parent = g_path_get_dirname(p);
    g_mkdir_with_parents(parent, 0700);
    g_free(parent);
    g_assert(g_file_set_contents(p, text, -1, NULL));
    return p;
}

static void rm_tree(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *n;
    while (d && (n = g_dir_read_name(d))) {
        char *p = g_build_filename(dir, n, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_DIR)) rm_tree(p);
        else g_unlink(p);
        g_free(p);
    }
    if (d) g_dir_close(d);
    g_rmdir(dir);
}

/* Loads `text` as origin "x.json"; expects failure with `code` and a
 * message containing every NULL-terminated fragment. */
static void expect_load_error(const char *text, int code, ...)
{
    cJSON *d = defaults();
    GError *err = NULL;
    sim_scenario *sc = sim_scenario_load_string(text, "x.json", d, &err);
    CU_ASSERT_PTR_NULL(sc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_EQUAL(err->code, code);
    CU_ASSERT(strchr(err->message, '\n') == NULL);
    va_list ap;
    va_start(ap, code);
    for (const char *frag; (frag = va_arg(ap, const char *)); ) {
        if (!strstr(err->message, frag)) fprintf(stderr, "\nmessage '%s' lacks '%s'\n", err->message, frag);
        CU_ASSERT_PTR_NOT_NULL(strstr(err->message, frag));
    }
    va_end(ap);
    g_error_free(err);
    sim_scenario_free(sc);
    cJSON_Delete(d);
}

static void expect_error(GError *err, int code, const char *frag)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    if (!strstr(err->message, frag)) fprintf(stderr, "\nmessage '%s' lacks '%s'\n", err->message, frag);
    CU_ASSERT_EQUAL(err->code, code);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, frag));
}

static int64_t get_int(const sim_scenario *sc, const char *path)
{
    int64_t v = -12345;
    GError *err = NULL;
    CU_ASSERT_TRUE(sim_scenario_int(sc, path, INT64_MIN, INT64_MAX, &v, &err));
    g_clear_error(&err);
    return v;
}

/* --------------------------------------------------------------- files */

static void test_missing_file_says_no_such_file(void)
{
    cJSON *d = defaults();
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(sim_scenario_load("/nonexistent/dir/nope.json", d, &err));
    expect_error(err, SIM_ERROR_IO, "/nonexistent/dir/nope.json: No such file or directory");
    g_clear_error(&err);
    cJSON_Delete(d);
}

static void test_parse_errors_give_line_and_column(void)
{
    expect_load_error("{\n  \"gateway\": {\"count\": 4,}\n}", SIM_ERROR_PARSE, "x.json:2:26: trailing comma", NULL);
    expect_load_error("{\n  \"gateway\": {\"count\": 4 \"enabled\": true}\n}", SIM_ERROR_PARSE,
                      "x.json:2:26: expected ',' or '}'", NULL);
    expect_load_error("{\"gateway\": {\"region\": \"eu}}", SIM_ERROR_PARSE, "x.json:1:24: unterminated string", NULL);
    expect_load_error("{\"gateway\": ", SIM_ERROR_PARSE, "x.json:1:13: unexpected end of input", NULL);
    expect_load_error("{\"gateway\": {\"count\": tru}}", SIM_ERROR_PARSE, "x.json:1:23: unexpected word", NULL);
    expect_load_error("{'gateway': 1}", SIM_ERROR_PARSE, "x.json:1:2: keys need double quotes", NULL);
    expect_load_error("{} {}", SIM_ERROR_PARSE, "x.json:1:4: unexpected text after the JSON value", NULL);
    expect_load_error("{\"kafka\": {\"replicas\": 03}}", SIM_ERROR_PARSE, "x.json:1:24: numbers cannot have leading zeros", NULL);
    expect_load_error("{\"kafka\": {} // partitions\n}", SIM_ERROR_PARSE, "x.json:1:14: comments are not allowed", NULL);
    expect_load_error("[1, 2]", SIM_ERROR_TYPE, "x.json:1:1: a scenario is a JSON object, got an array", NULL);
    /* Columns count characters, not bytes. */
    expect_load_error("{\"description\": \"\xc3\xa9t\xc3\xa9\",}", SIM_ERROR_PARSE, "x.json:1:23: trailing comma", NULL);
}

static void test_unknown_key_suggests_nearest(void)
{
    /* A typo of a sibling. */
    expect_load_error("{\n  \"gateway\": {\n    \"cont\": 2\n  }\n}", SIM_ERROR_UNKNOWN_KEY,
                      "x.json:3:5: unknown key 'gateway.cont' (did you mean 'gateway.count'?)", NULL);
    /* A transposition counts as one edit. */
    expect_load_error("{\"kafka\": {\"replicsa\": 2}}", SIM_ERROR_UNKNOWN_KEY, "did you mean 'kafka.replicas'?", NULL);
    /* The right leaf under the wrong parent. */
    expect_load_error("{\"gateway\": {\"replicas\": 2}}", SIM_ERROR_UNKNOWN_KEY,
                      "unknown key 'gateway.replicas' (did you mean 'kafka.replicas'?)", NULL);
    /* A misspelt parent: the whole key is named. */
    expect_load_error("{\"gatway\": {\"count\": 2}}", SIM_ERROR_UNKNOWN_KEY,
                      "x.json:1:2: unknown key 'gatway.count' (did you mean 'gateway.count'?)", NULL);
    /* A prefix of a known key. */
    expect_load_error("{\"gateway\": {\"timeout\": 2}}", SIM_ERROR_UNKNOWN_KEY, "did you mean 'gateway.timeout_ms'?", NULL);
    /* Nothing close: the known keys of that level instead. */
    expect_load_error("{\"zzzzzzzz\": 1}", SIM_ERROR_UNKNOWN_KEY,
                      "x.json:1:2: unknown key 'zzzzzzzz' (known keys here: gateway, kafka, alerts, tags, mix)", NULL);
}

static void test_wrong_types_are_rejected(void)
{
    expect_load_error("{\"gateway\": {\"count\": \"four\"}}", SIM_ERROR_TYPE,
                      "x.json:1:14: gateway.count: expected a number, got a string", NULL);
    expect_load_error("{\"gateway\": 5}", SIM_ERROR_TYPE, "x.json:1:2: gateway: expected an object, got a number", NULL);
    expect_load_error("{\"gateway\": {\"enabled\": 1}}", SIM_ERROR_TYPE, "gateway.enabled: expected true or false", NULL);
    expect_load_error("{\"tags\": \"a\"}", SIM_ERROR_TYPE, "tags: expected an array, got a string", NULL);
    expect_load_error("{\"tags\": [\"a\", 2]}", SIM_ERROR_TYPE, "tags[1]: expected a string, got a number", NULL);
    expect_load_error("{\"name\": 3}", SIM_ERROR_TYPE, "name: expected a string", NULL);
    expect_load_error("{\"kafka\": {\"replicas\": 2, \"replicas\": 3}}", SIM_ERROR_PARSE, "duplicate key 'kafka.replicas'", NULL);
}

static void test_array_elements_checked_and_completed(void)
{
    expect_load_error("{\"alerts\": [{\"metric\": \"p50\"}, {\"metrc\": \"p99\"}]}", SIM_ERROR_UNKNOWN_KEY,
                      "x.json:1:33: unknown key 'alerts[1].metrc' (did you mean 'alerts[1].metric'?)", NULL);
    cJSON *d = defaults();
    GError *err = NULL;
    sim_scenario *sc = sim_scenario_load_string("{\"alerts\": [{\"metric\": \"p50\"}, {\"max\": 2}]}", "x.json", d, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    const cJSON *a = sim_scenario_get(sc, "alerts");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(a), 2);
    double v = 0;
    CU_ASSERT_TRUE(sim_scenario_double(sc, "alerts[0].max", 0, 10, &v, NULL));
    CU_ASSERT_DOUBLE_EQUAL(v, 0.5, 0);   /* from the element template */
    const char *m = NULL;
    CU_ASSERT_TRUE(sim_scenario_string(sc, "alerts[1].metric", &m, NULL));
    CU_ASSERT_STRING_EQUAL(m, "p99");
    /* Elements of an array of distributions are distribution slots. */
    CU_ASSERT_TRUE(sim_scenario_set(sc, "mix=[0.5, {\"dist\": \"uniform\", \"min\": 0, \"max\": 2}]", &err));
    sim_dist dist;
    CU_ASSERT_TRUE(sim_scenario_dist(sc, "mix[1]", &dist, NULL));
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&dist), 1.0, 1e-12);
    sim_dist_clear(&dist);
    CU_ASSERT_FALSE(sim_scenario_set(sc, "mix=[0.5, {\"dist\": \"uniform\", \"min\": 3, \"max\": 2}]", &err));
    expect_error(err, SIM_ERROR_VALUE, "mix[1]: uniform needs min <= max");
    g_clear_error(&err);
    /* An element's value is blamed on the element in the file. */
    CU_ASSERT_FALSE(sim_scenario_double(sc, "alerts[1].max", 0, 1, &v, &err));
    expect_error(err, SIM_ERROR_VALUE, "x.json:1:33: alerts[1].max must be <= 1, got 2");
    g_clear_error(&err);
    sim_scenario_free(sc);
    cJSON_Delete(d);
}

static void test_dist_slots_accept_any_distribution_form(void)
{
    cJSON *d = defaults();
    static const struct { const char *json; double mean; } ok[] = {
        { "{\"gateway\": {\"service_s\": 0.25}}", 0.25 },
        { "{\"gateway\": {\"service_s\": {\"dist\": \"uniform\", \"min\": 1, \"max\": 3}}}", 2.0 },
        /* no "dist": parameters change over the default kind */
        { "{\"gateway\": {\"service_s\": {\"mean\": 0.004}}}", 0.004 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
        GError *err = NULL;
        sim_scenario *sc = sim_scenario_load_string(ok[i].json, "x.json", d, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
        sim_dist dist;
        CU_ASSERT_TRUE(sim_scenario_dist(sc, "gateway.service_s", &dist, &err));
        CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&dist), ok[i].mean, 1e-12);
        sim_dist_clear(&dist);
        sim_scenario_free(sc);
    }
    cJSON_Delete(d);
    expect_load_error("{\"gateway\": {\"service_s\": {\"dist\": \"exponential\", \"mean\": -1}}}", SIM_ERROR_VALUE,
                      "x.json:1:14: gateway.service_s: exponential needs mean > 0", NULL);
}

/* The kind name error's code is sim_dist's; only the location is ours. */
static void test_dist_slot_bad_kind_and_type(void)
{
    cJSON *d = defaults();
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(sim_scenario_load_string("{\"gateway\": {\"service_s\": {\"dist\": \"bogus\"}}}", "x.json", d, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT(g_str_has_prefix(err->message, "x.json:1:14: gateway.service_s"));
    g_clear_error(&err);
    cJSON_Delete(d);
    expect_load_error("{\"gateway\": {\"service_s\": \"fast\"}}", SIM_ERROR_TYPE,
                      "gateway.service_s: expected a distribution (a number or an object with \"dist\"), got a string", NULL);
}

/* ------------------------------------------------------------- extends */

static void test_extends_chain_merges_in_order(void)
{
    char *dir = tmp_dir();
    char *base = put_file(dir, "base.json", "{\"gateway\": {\"count\": 8, \"timeout_ms\": 900}, \"name\": \"base\"}");
    char *mid = put_file(dir, "mid.json", "{\"extends\": \"base.json\", \"kafka\": {\"replicas\": 5}, \"gateway\": {\"count\": 9}}");
    char *top = put_file(dir, "sub/top.json", "{\"extends\": \"../mid.json\", \"gateway\": {\"timeout_ms\": 100}}");
    cJSON *d = defaults();
    GError *err = NULL;
    sim_scenario *sc = sim_scenario_load(top, d, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    CU_ASSERT_EQUAL(get_int(sc, "gateway.count"), 9);        /* mid over base */
    CU_ASSERT_EQUAL(get_int(sc, "gateway.timeout_ms"), 100); /* top over base */
    CU_ASSERT_EQUAL(get_int(sc, "kafka.replicas"), 5);
    CU_ASSERT_EQUAL(get_int(sc, "kafka.partitions"), 64);    /* default */
    CU_ASSERT_STRING_EQUAL(sim_scenario_name(sc), "base");   /* inherited "name" */
    CU_ASSERT_PTR_NULL(sim_scenario_get(sc, "extends"));
    CU_ASSERT_STRING_EQUAL(sim_scenario_origin(sc), top);
    sim_scenario_free(sc);

    /* Without a "name" anywhere, the file's base name. */
    char *plain = put_file(dir, "plain_run.json", "{}");
    sc = sim_scenario_load(plain, d, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    CU_ASSERT_STRING_EQUAL(sim_scenario_name(sc), "plain_run");
    sim_scenario_free(sc);

    cJSON_Delete(d);
    rm_tree(dir);
    g_free(dir); g_free(base); g_free(mid); g_free(top); g_free(plain);
}

static void test_extends_cycles_and_missing_bases(void)
{
    char *dir = tmp_dir();
    char *a = put_file(dir, "a.json", "{\"extends\": \"b.json\"}");
    char *b = put_file(dir, "b.json", "{\n\"extends\": \"a.json\"}");
    char *self = put_file(dir, "self.json", "{\"extends\": \"./self.json\"}");
    char *lost = put_file(dir, "lost.json", "{\"gateway\": {},\n \"extends\": \"gone.json\"}");
    char *bad = put_file(dir, "bad.json", "{\"extends\": \"broken.json\"}");
    char *broken = put_file(dir, "broken.json", "{\n\n  \"kafka\": {\"partitons\": 3}}");
    char *num = put_file(dir, "num.json", "{\"extends\": 3}");
    cJSON *d = defaults();
    GError *err = NULL;

    CU_ASSERT_PTR_NULL(sim_scenario_load(a, d, &err));
    expect_error(err, SIM_ERROR_VALUE, "b.json:2:1: extends cycle:");
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "a.json -> "));
    g_clear_error(&err);

    CU_ASSERT_PTR_NULL(sim_scenario_load(self, d, &err));
    expect_error(err, SIM_ERROR_VALUE, "extends cycle");
    g_clear_error(&err);

    CU_ASSERT_PTR_NULL(sim_scenario_load(lost, d, &err));
    expect_error(err, SIM_ERROR_IO, "lost.json:2:2: cannot extend:");
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "gone.json: No such file or directory"));
    g_clear_error(&err);

    /* An error inside a base names the base and its line. */
    CU_ASSERT_PTR_NULL(sim_scenario_load(bad, d, &err));
    expect_error(err, SIM_ERROR_UNKNOWN_KEY, "broken.json:3:13: unknown key 'kafka.partitons' (did you mean 'kafka.partitions'?)");
    g_clear_error(&err);

    CU_ASSERT_PTR_NULL(sim_scenario_load(num, d, &err));
    expect_error(err, SIM_ERROR_TYPE, "num.json:1:2: extends: expected a string");
    g_clear_error(&err);

    cJSON_Delete(d);
    rm_tree(dir);
    g_free(dir); g_free(a); g_free(b); g_free(self); g_free(lost); g_free(bad); g_free(broken); g_free(num);
}

static void test_extends_depth_is_bounded(void)
{
    char *dir = tmp_dir();
    /* f0 <- f1 <- ... <- f39: a chain, no cycle, too long to be meant. */
    for (int i = 0; i < 40; i++) {
        char name[32], text[64];
        g_snprintf(name, sizeof name, "f%d.json", i);
        if (i) g_snprintf(text, sizeof text, "{\"extends\": \"f%d.json\"}", i - 1);
        else g_snprintf(text, sizeof text, "{}");
        g_free(put_file(dir, name, text));
    }
    cJSON *d = defaults();
    GError *err = NULL;
    char *top = g_build_filename(dir, "f39.json", NULL);
    CU_ASSERT_PTR_NULL(sim_scenario_load(top, d, &err));
    expect_error(err, SIM_ERROR_VALUE, "extends chain deeper than 32 files");
    g_clear_error(&err);
    char *ok = g_build_filename(dir, "f20.json", NULL);
    sim_scenario *sc = sim_scenario_load(ok, d, &err);
    CU_ASSERT_PTR_NOT_NULL(sc);
    sim_scenario_free(sc);
    g_clear_error(&err);
    cJSON_Delete(d);
    rm_tree(dir);
    g_free(dir); g_free(top); g_free(ok);
}

/* ----------------------------------------------------------------- set */

static void test_set_overrides(void)
{
    cJSON *d = defaults();
    sim_scenario *sc = sim_scenario_from_defaults("demo", d);
    GError *err = NULL;
    CU_ASSERT_TRUE(sim_scenario_set(sc, "gateway.count=16", &err));
    CU_ASSERT_EQUAL(get_int(sc, "gateway.count"), 16);
    CU_ASSERT_TRUE(sim_scenario_set(sc, "gateway.region=eu-west", &err));
    const char *s = NULL;
    CU_ASSERT_TRUE(sim_scenario_string(sc, "gateway.region", &s, NULL));
    CU_ASSERT_STRING_EQUAL(s, "eu-west");
    /* A string slot keeps the text even if it reads as JSON. */
    CU_ASSERT_TRUE(sim_scenario_set(sc, "gateway.region=2024", &err));
    CU_ASSERT_TRUE(sim_scenario_string(sc, "gateway.region", &s, NULL));
    CU_ASSERT_STRING_EQUAL(s, "2024");
    gboolean b = TRUE;
    CU_ASSERT_TRUE(sim_scenario_set(sc, "gateway.enabled=false", &err));
    CU_ASSERT_TRUE(sim_scenario_bool(sc, "gateway.enabled", &b, NULL));
    CU_ASSERT_FALSE(b);
    CU_ASSERT_TRUE(sim_scenario_set(sc, "kafka={\"replicas\": 7}", &err));
    CU_ASSERT_EQUAL(get_int(sc, "kafka.replicas"), 7);
    CU_ASSERT_EQUAL(get_int(sc, "kafka.partitions"), 64);
    CU_ASSERT_TRUE(sim_scenario_set(sc, "gateway.service_s.mean=0.01", &err));
    sim_dist dist;
    CU_ASSERT_TRUE(sim_scenario_dist(sc, "gateway.service_s", &dist, NULL));
    CU_ASSERT_EQUAL(dist.kind, SIM_DIST_EXPONENTIAL);
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&dist), 0.01, 1e-15);
    sim_dist_clear(&dist);
    CU_ASSERT_TRUE(sim_scenario_set(sc, "name=My run", &err));
    CU_ASSERT_STRING_EQUAL(sim_scenario_name(sc), "My run");
    CU_ASSERT_PTR_NULL(err);
    g_clear_error(&err);
    sim_scenario_free(sc);
    cJSON_Delete(d);
}

static void test_set_errors_leave_scenario_unchanged(void)
{
    cJSON *d = defaults();
    sim_scenario *sc = sim_scenario_from_defaults("demo", d);
    char *before = cJSON_PrintUnformatted(sim_scenario_root(sc));
    GError *err = NULL;
    CU_ASSERT_FALSE(sim_scenario_set(sc, "gateway.cont=3", &err));
    expect_error(err, SIM_ERROR_UNKNOWN_KEY, "--set gateway.cont=3: unknown key 'gateway.cont' (did you mean 'gateway.count'?)");
    g_clear_error(&err);
    CU_ASSERT_FALSE(sim_scenario_set(sc, "gateway.count=abc", &err));
    expect_error(err, SIM_ERROR_TYPE, "--set gateway.count=abc: gateway.count: expected a number, got a string");
    g_clear_error(&err);
    CU_ASSERT_FALSE(sim_scenario_set(sc, "kafka={\"replicas\": 7, \"bogus\": 1}", &err));
    expect_error(err, SIM_ERROR_UNKNOWN_KEY, "unknown key 'kafka.bogus'");
    g_clear_error(&err);
    CU_ASSERT_FALSE(sim_scenario_set(sc, "gateway.service_s.mean=-2", &err));
    expect_error(err, SIM_ERROR_VALUE, "gateway.service_s: exponential needs mean > 0");
    g_clear_error(&err);
    CU_ASSERT_FALSE(sim_scenario_set(sc, "gateway.count", &err));
    expect_error(err, SIM_ERROR_USAGE, "expected KEY=VALUE");
    g_clear_error(&err);
    CU_ASSERT_FALSE(sim_scenario_set(sc, "extends=base.json", &err));
    expect_error(err, SIM_ERROR_USAGE, "extends can only be used in a file");
    g_clear_error(&err);
    char *after = cJSON_PrintUnformatted(sim_scenario_root(sc));
    CU_ASSERT_STRING_EQUAL(before, after);
    /* The failed kafka={...} set must not be blamed for kafka.replicas. */
    int64_t v;
    CU_ASSERT_FALSE(sim_scenario_int(sc, "kafka.replicas", 10, 20, &v, &err));
    expect_error(err, SIM_ERROR_VALUE, "demo (default): kafka.replicas must be >= 10, got 3");
    g_clear_error(&err);
    g_free(before);
    g_free(after);
    sim_scenario_free(sc);
    cJSON_Delete(d);
}

/* ------------------------------------------------------------- getters */

static void test_getters_name_origin_and_key(void)
{
    cJSON *d = defaults();
    GError *err = NULL;
    sim_scenario *sc = sim_scenario_load_string("{\n  \"gateway\": {\"count\": 0, \"timeout_ms\": 2.5}\n}", "x.json", d, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    int64_t i;
    double x;
    CU_ASSERT_FALSE(sim_scenario_int(sc, "gateway.count", 1, 64, &i, &err));
    expect_error(err, SIM_ERROR_VALUE, "x.json:2:15: gateway.count must be >= 1, got 0");
    g_clear_error(&err);
    CU_ASSERT_FALSE(sim_scenario_int(sc, "gateway.timeout_ms", 1, 1000, &i, &err));
    expect_error(err, SIM_ERROR_VALUE, "gateway.timeout_ms must be a whole number, got 2.5");
    g_clear_error(&err);
    CU_ASSERT_FALSE(sim_scenario_double(sc, "kafka.partitions", 0, 10, &x, &err));
    expect_error(err, SIM_ERROR_VALUE, "x.json (default): kafka.partitions must be <= 10, got 64");
    g_clear_error(&err);
    CU_ASSERT_FALSE(sim_scenario_string(sc, "gateway.count", NULL, &err));
    expect_error(err, SIM_ERROR_TYPE, "gateway.count: expected a string, got a number");
    g_clear_error(&err);
    CU_ASSERT_FALSE(sim_scenario_bool(sc, "gateway.nope", NULL, &err));
    expect_error(err, SIM_ERROR_UNKNOWN_KEY, "no key 'gateway.nope'");
    g_clear_error(&err);
    CU_ASSERT_TRUE(sim_scenario_set(sc, "gateway.count=100", &err));
    CU_ASSERT_FALSE(sim_scenario_int(sc, "gateway.count", 1, 64, &i, &err));
    expect_error(err, SIM_ERROR_VALUE, "--set gateway.count=100: gateway.count must be <= 64, got 100");
    g_clear_error(&err);
    CU_ASSERT_TRUE(sim_scenario_double(sc, "gateway.timeout_ms", 0, 10, &x, &err));
    CU_ASSERT_DOUBLE_EQUAL(x, 2.5, 0);
    sim_scenario_free(sc);
    cJSON_Delete(d);
}

static void test_edit_distance(void)
{
    CU_ASSERT_EQUAL(sim_scenario_edit_distance("kitten", "sitting"), 3);
    CU_ASSERT_EQUAL(sim_scenario_edit_distance("", "abc"), 3);
    CU_ASSERT_EQUAL(sim_scenario_edit_distance("abc", ""), 3);
    CU_ASSERT_EQUAL(sim_scenario_edit_distance("same", "same"), 0);
    CU_ASSERT_EQUAL(sim_scenario_edit_distance("ab", "ba"), 1);         /* transposition */
    CU_ASSERT_EQUAL(sim_scenario_edit_distance("count", "cont"), 1);
    CU_ASSERT_EQUAL(sim_scenario_edit_distance("ca", "abc"), 3);        /* OSA, not full Damerau */
}

static void test_is_dist_node(void)
{
    cJSON *d = defaults();
    CU_ASSERT_TRUE(sim_scenario_is_dist_node(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "gateway"), "service_s")));
    CU_ASSERT_FALSE(sim_scenario_is_dist_node(cJSON_GetObjectItem(d, "gateway")));
    CU_ASSERT_FALSE(sim_scenario_is_dist_node(NULL));
    cJSON_Delete(d);
}

/* Property: a field table reads each key into its slot with the declared
 * storage (double, rounded count, seconds as ns), enforces its range, and a
 * distribution table rejects a negative or zero mean as the entry says; an
 * enum names every allowed value. */
typedef struct {
    double rate; uint32_t count; sim_time timeout; sim_dist size;
    int64_t big; gboolean on; int mode;
} table_cfg;

static const char *const table_modes[] = { "a", "b", "c", NULL };

/* One table reads every kind of key, writes the same document back and
 * lists the keys; a bad value names its full path. */
static void test_field_tables(void)
{
    cJSON *d = cJSON_Parse("{\"m\": {\"rate\": 1.5, \"count\": 3, \"timeout_s\": 0.25,"
                           " \"size\": {\"dist\": \"exponential\", \"mean\": 2}, \"big\": 9007199254740991,"
                           " \"on\": true, \"mode\": \"a\"}}");
    const sim_field fields[] = {
        { "rate", 0, 10, SIM_FIELD_DOUBLE, offsetof(table_cfg, rate), "1/s" },
        { "count", 1, 100, SIM_FIELD_U32, offsetof(table_cfg, count) },
        { "timeout_s", 0, 60, SIM_FIELD_TIME, offsetof(table_cfg, timeout), "s" },
        { "size", DBL_MIN, DBL_MAX, SIM_FIELD_DIST, offsetof(table_cfg, size) },
        { "big", 0, 9007199254740991.0, SIM_FIELD_INT64, offsetof(table_cfg, big) },
        { "on", 0, 0, SIM_FIELD_BOOL, offsetof(table_cfg, on) },
        { "mode", 0, 0, SIM_FIELD_ENUM, offsetof(table_cfg, mode), NULL, table_modes },
    };
    GError *err = NULL;
    sim_scenario *sc = sim_scenario_load_string("{\"m\": {\"count\": 7, \"mode\": \"c\"}}", "x.json", d, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    table_cfg c = { 0 };
    CU_ASSERT_TRUE(sim_scenario_read_fields(sc, "m", fields, G_N_ELEMENTS(fields), &c, &err));
    CU_ASSERT_DOUBLE_EQUAL(c.rate, 1.5, 0);
    CU_ASSERT_EQUAL(c.count, 7);
    CU_ASSERT_EQUAL(c.timeout, 250 * SIM_MS);
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&c.size), 2, 1e-12);
    CU_ASSERT_EQUAL(c.big, 9007199254740991LL);
    CU_ASSERT_TRUE(c.on);
    CU_ASSERT_EQUAL(c.mode, 2);

    CU_ASSERT_TRUE(sim_scenario_set(sc, "m.count=0", &err));
    CU_ASSERT_FALSE(sim_scenario_read_fields(sc, "m", fields, G_N_ELEMENTS(fields), &c, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "m.count must be >= 1"));
    g_clear_error(&err);
    CU_ASSERT_TRUE(sim_scenario_set(sc, "m.count=7", &err));

    CU_ASSERT_TRUE(sim_scenario_set(sc, "m.size=0", &err));
    CU_ASSERT_FALSE(sim_scenario_read_fields(sc, "m", fields, G_N_ELEMENTS(fields), &c, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "m.size must have a finite, positive mean"));
    g_clear_error(&err);
    CU_ASSERT_TRUE(sim_scenario_set(sc, "m.size=2", &err));

    CU_ASSERT_TRUE(sim_scenario_set(sc, "m.big=1.5", &err));
    CU_ASSERT_FALSE(sim_scenario_read_fields(sc, "m", fields, G_N_ELEMENTS(fields), &c, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "m.big must be a whole number"));
    g_clear_error(&err);
    CU_ASSERT_TRUE(sim_scenario_set(sc, "m.big=3", &err));

    CU_ASSERT_TRUE(sim_scenario_set(sc, "m.mode=z", &err));
    CU_ASSERT_FALSE(sim_scenario_read_fields(sc, "m", fields, G_N_ELEMENTS(fields), &c, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "m.mode must be \"a\", \"b\" or \"c\", got \"z\""));
    g_clear_error(&err);

    /* Written back from a struct, the table gives the same document shape
     * and values the reader takes. */
    cJSON *w = cJSON_CreateObject();
    table_cfg back = { .rate = 1.5, .count = 3, .timeout = 250 * SIM_MS, .big = 9007199254740991LL, .on = TRUE };
    sim_dist_init_exponential(&back.size, 2);
    sim_scenario_fields_to_json(w, fields, G_N_ELEMENTS(fields), &back);
    CU_ASSERT_TRUE(cJSON_Compare(w, cJSON_GetObjectItem(d, "m"), TRUE));
    cJSON_Delete(w);
    sim_scenario_fields_clear(fields, G_N_ELEMENTS(fields), &back);

    GString *list = g_string_new(NULL);
    sim_scenario_fields_list(list, "m", fields, G_N_ELEMENTS(fields));
    CU_ASSERT_PTR_NOT_NULL(strstr(list->str, "m.rate\tnumber\t1/s\t0\t10\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(list->str, "m.mode\tstring\t-\ta|b|c\t-\n"));
    g_string_free(list, TRUE);

    sim_scenario_fields_clear(fields, G_N_ELEMENTS(fields), &c);
    sim_scenario_free(sc);
    cJSON_Delete(d);
}

/* ------------------------------------------------------------ hardening */

/* Property: a key or value with a newline, a terminal escape or invalid
 * UTF-8 gives a one-line message with the text escaped, from a file and
 * from --set. */
static void test_user_text_is_quoted(void)
{
    expect_load_error("{\"gate\\nways\": 1}", SIM_ERROR_UNKNOWN_KEY, "unknown key 'gate\\nways'", NULL);
    expect_load_error("{\"a\\u001b[2J\": 1}", SIM_ERROR_UNKNOWN_KEY, "unknown key 'a\\x1b[2J'", NULL);
    expect_load_error("{\"gateway\": {\"service_s\": {\"dist\": \"x\\ty\"}}}", SIM_ERROR_VALUE,
                      "unknown dist \"x\\ty\"", NULL);
    cJSON *d = defaults();
    GError *err = NULL;
    sim_scenario *sc = sim_scenario_from_defaults("x", d);
    CU_ASSERT_FALSE(sim_scenario_set(sc, "gateway.count=a\nb", &err));
    expect_error(err, SIM_ERROR_TYPE, "--set gateway.count=a\\nb: gateway.count: expected a number");
    CU_ASSERT_PTR_NULL(strchr(err->message, '\n'));
    g_clear_error(&err);
    CU_ASSERT_FALSE(sim_scenario_set(sc, "gate\x1bway.count=1", &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NULL(strchr(err->message, '\x1b'));
    g_clear_error(&err);
    /* Invalid UTF-8 never enters the tree (it would reach summary.json). */
    CU_ASSERT_FALSE(sim_scenario_set(sc, "name=Z\xffrich", &err));
    expect_error(err, SIM_ERROR_PARSE, "invalid UTF-8");
    CU_ASSERT_TRUE(g_utf8_validate(err->message, -1, NULL));
    g_clear_error(&err);
    CU_ASSERT_TRUE(sim_scenario_set(sc, "name=Z\xc3\xbcrich", &err));
    CU_ASSERT_STRING_EQUAL(sim_scenario_name(sc), "Z\xc3\xbcrich");
    sim_scenario_free(sc);
    cJSON_Delete(d);
    expect_load_error("{\"name\": \"a\xc3\"}", SIM_ERROR_PARSE, "x.json:1:12: invalid UTF-8", NULL);
}

/* Property: numbers beyond a double (1e400 is infinity to cJSON) are
 * refused where they are read, with line:col in a file and the assignment
 * in --set; no GLib CRITICAL on the way. */
static void test_non_finite_numbers_refused(void)
{
    expect_load_error("{\"kafka\": {\"replicas\": 1e400}}", SIM_ERROR_PARSE, "x.json:1:24: number out of range", NULL);
    expect_load_error("{\"gateway\": {\"service_s\": -1E999}}", SIM_ERROR_PARSE, "x.json:1:27: number out of range", NULL);
    cJSON *d = defaults();
    GError *err = NULL;
    sim_scenario *sc = sim_scenario_from_defaults("x", d);
    CU_ASSERT_FALSE(sim_scenario_set(sc, "gateway.service_s=1e400", &err));
    expect_error(err, SIM_ERROR_VALUE, "--set gateway.service_s=1e400: number out of range");
    g_clear_error(&err);
    CU_ASSERT_FALSE(sim_scenario_set(sc, "gateway.service_s={\"dist\":\"exponential\",\"mean\":1e999}", &err));
    expect_error(err, SIM_ERROR_VALUE, "number out of range");
    g_clear_error(&err);
    CU_ASSERT_FALSE(sim_scenario_set(sc, "alerts=[{\"max\":-1e400}]", &err));
    expect_error(err, SIM_ERROR_VALUE, "number out of range");
    g_clear_error(&err);
    /* 1.7e308 is finite and stays a range question for the model. */
    CU_ASSERT_TRUE(sim_scenario_set(sc, "kafka.replicas=1.7e308", &err));
    sim_scenario_free(sc);
    cJSON_Delete(d);
}

/* Property: a time-valued key is bounded by SIM_SCENARIO_TIME_MAX_S whatever
 * the model's table allows: a SIM_FIELD_TIME field, and the mean of a
 * distribution whose key ends in "_s". Values at the bound are taken. */
static void test_time_keys_are_bounded(void)
{
    cJSON *d = cJSON_Parse("{\"m\": {\"timeout_s\": 1, \"service_s\": {\"dist\": \"constant\", \"value\": 0.1},"
                           " \"size\": {\"dist\": \"constant\", \"value\": 5}}}");
    const sim_field fields[] = { { "timeout_s", 0, 1e300, SIM_FIELD_TIME, 0 } };
    GError *err = NULL;
    sim_scenario *sc = sim_scenario_from_defaults("x", d);
    sim_time t = 0;
    CU_ASSERT_TRUE(sim_scenario_set(sc, "m.timeout_s=1e6", &err));
    CU_ASSERT_TRUE(sim_scenario_read_fields(sc, "m", fields, 1, &t, &err));
    CU_ASSERT_EQUAL(t, (sim_time)1000000 * SIM_SEC);
    CU_ASSERT_TRUE(sim_scenario_set(sc, "m.timeout_s=1e9", &err));
    CU_ASSERT_FALSE(sim_scenario_read_fields(sc, "m", fields, 1, &t, &err));
    expect_error(err, SIM_ERROR_VALUE, "m.timeout_s must be <= 1e+06");
    g_clear_error(&err);
    double secs = 0;
    CU_ASSERT_FALSE(sim_scenario_double(sc, "m.timeout_s", 0, 1e300, &secs, &err));
    expect_error(err, SIM_ERROR_VALUE, "m.timeout_s must be <= 1e+06");
    g_clear_error(&err);
    sim_dist dist = { 0 };
    CU_ASSERT_TRUE(sim_scenario_set(sc, "m.service_s={\"dist\":\"exponential\",\"mean\":1e9}", &err));
    CU_ASSERT_FALSE(sim_scenario_dist(sc, "m.service_s", &dist, &err));
    expect_error(err, SIM_ERROR_VALUE, "m.service_s must have a mean of at most 1e+06 s");
    g_clear_error(&err);
    /* Pareto with alpha <= 1 has no mean: not a time. */
    CU_ASSERT_TRUE(sim_scenario_set(sc, "m.service_s={\"dist\":\"pareto\",\"xm\":1,\"alpha\":0.5}", &err));
    CU_ASSERT_FALSE(sim_scenario_dist(sc, "m.service_s", &dist, &err));
    g_clear_error(&err);
    /* A size is not a time: no bound from here. */
    CU_ASSERT_TRUE(sim_scenario_set(sc, "m.size=1e12", &err));
    CU_ASSERT_TRUE(sim_scenario_dist(sc, "m.size", &dist, &err));
    sim_dist_clear(&dist);
    sim_scenario_free(sc);
    cJSON_Delete(d);
}

/* Property: a huge unknown key costs no quadratic did-you-mean search and
 * is not echoed whole; an object with many keys is checked for duplicates
 * in linear time. */
static void test_huge_keys_are_cheap(void)
{
    GString *t = g_string_new("{\"");
    for (int i = 0; i < 1000000; i++) g_string_append_c(t, 'k');
    g_string_append(t, "\": 1}");
    cJSON *d = defaults();
    GError *err = NULL;
    gint64 t0 = g_get_monotonic_time();
    CU_ASSERT_PTR_NULL(sim_scenario_load_string(t->str, "x.json", d, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_TRUE(strlen(err->message) < 600);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "(1000000 bytes)"));
    g_clear_error(&err);
    g_string_assign(t, "{\"tags\": [\"a\"]");
    for (int i = 0; i < 200000; i++) g_string_append_printf(t, ", \"u%d\": 1", i);
    g_string_append(t, ", \"tags\": [\"b\"]}");
    sim_scenario_load_string(t->str, "x.json", d, &err);
    CU_ASSERT_PTR_NOT_NULL(err);   /* u0 is unknown: first error wins */
    g_clear_error(&err);
    /* A --set key of 60000 segments is refused, not 60000 levels deep. */
    sim_scenario *sc = sim_scenario_from_defaults("x", d);
    GString *deep = g_string_new("a");
    for (int i = 0; i < 60000; i++) g_string_append(deep, ".a");
    g_string_append(deep, "=1");
    CU_ASSERT_FALSE(sim_scenario_set(sc, deep->str, &err));
    expect_error(err, SIM_ERROR_USAGE, "key deeper than 32 levels");
    g_clear_error(&err);
    g_string_free(deep, TRUE);
    sim_scenario_free(sc);
    /* Generous: a quadratic scan of either input takes minutes. */
    CU_ASSERT_TRUE(g_get_monotonic_time() - t0 < 20 * G_USEC_PER_SEC);
    g_string_free(t, TRUE);
    cJSON_Delete(d);
}

/* Property: only regular files are read, and only up to the size cap: a
 * device, a FIFO (opened without blocking) and a directory are one line
 * each, and so is an "extends" naming one. */
static void test_only_regular_files(void)
{
    cJSON *d = defaults();
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(sim_scenario_load("/dev/zero", d, &err));
    expect_error(err, SIM_ERROR_IO, "/dev/zero: not a regular file");
    g_clear_error(&err);
    char *dir = tmp_dir();
    char *fifo = g_build_filename(dir, "fifo.json", NULL);
    CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
    CU_ASSERT_PTR_NULL(sim_scenario_load(fifo, d, &err));
    expect_error(err, SIM_ERROR_IO, "fifo.json: not a regular file");
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(sim_scenario_load(dir, d, &err));
    expect_error(err, SIM_ERROR_IO, "Is a directory");
    g_clear_error(&err);
    char *f = put_file(dir, "a.json", "{\"extends\": \"/dev/zero\"}");
    CU_ASSERT_PTR_NULL(sim_scenario_load(f, d, &err));
    expect_error(err, SIM_ERROR_IO, "cannot extend: /dev/zero: not a regular file");
    g_clear_error(&err);
    char *big = put_file(dir, "big.json", "{\"description\": \"0123456789\"}");
    size_t len = 0;
    char *text = sim_file_read_text(big, 29, &len, &err);
    CU_ASSERT_PTR_NOT_NULL(text);
    CU_ASSERT_EQUAL(len, 29);
    g_free(text);
    CU_ASSERT_PTR_NULL(sim_file_read_text(big, 28, NULL, &err));
    expect_error(err, SIM_ERROR_IO, "big.json: file too large (29 bytes; the limit is 28)");
    g_clear_error(&err);
    g_free(big); g_free(f); g_free(fifo);
    rm_tree(dir);
    g_free(dir);
    cJSON_Delete(d);
}

void test_sim_scenario_register(void)
{
    TEST_SUITE("sim_scenario",
               TEST(test_missing_file_says_no_such_file),
               TEST(test_parse_errors_give_line_and_column),
               TEST(test_unknown_key_suggests_nearest),
               TEST(test_wrong_types_are_rejected),
               TEST(test_array_elements_checked_and_completed),
               TEST(test_dist_slots_accept_any_distribution_form),
               TEST(test_dist_slot_bad_kind_and_type),
               TEST(test_extends_chain_merges_in_order),
               TEST(test_extends_cycles_and_missing_bases),
               TEST(test_extends_depth_is_bounded),
               TEST(test_set_overrides),
               TEST(test_set_errors_leave_scenario_unchanged),
               TEST(test_getters_name_origin_and_key),
               TEST(test_edit_distance),
               TEST(test_is_dist_node),
               TEST(test_field_tables),
               TEST(test_user_text_is_quoted),
               TEST(test_non_finite_numbers_refused),
               TEST(test_time_keys_are_bounded),
               TEST(test_huge_keys_are_cheap),
               TEST(test_only_regular_files));
}
