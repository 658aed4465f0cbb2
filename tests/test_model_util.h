/* Helpers shared by the suites that build a Slack model from scenario text. */
#ifndef TEST_MODEL_UTIL_H
#define TEST_MODEL_UTIL_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include "models/slack_model.h"
#include "sim/sim_stats.h"

/* `text` over the model's defaults, named "test.json"; NULL (message on
 * stderr) if it does not load. Caller frees with sim_scenario_free. */
static inline sim_scenario *test_load_text(const char *text)
{
    cJSON *d = slack_model_defaults();
    GError *err = NULL;
    sim_scenario *sc = sim_scenario_load_string(text, "test.json", d, &err);
    cJSON_Delete(d);
    if (!sc) fprintf(stderr, "scenario: %s\n", err->message);
    g_clear_error(&err);
    return sc;
}

/* A model of `text` at `seed`; NULL (message on stderr) if it cannot be
 * built. Caller frees with slack_model_free. */
static inline slack_model *test_model_from(const char *text, uint64_t seed)
{
    sim_scenario *sc = test_load_text(text);
    if (!sc) return NULL;
    GError *err = NULL;
    slack_model *m = slack_model_new(sc, seed, &err);
    if (!m) fprintf(stderr, "model: %s\n", err->message);
    g_clear_error(&err);
    sim_scenario_free(sc);
    return m;
}

/* The summary of `text` run to its end at `seed` (the model freed); NULL
 * if it cannot be built. Caller frees with cJSON_Delete. */
static inline cJSON *test_summary_of(const char *text, uint64_t seed)
{
    slack_model *m = test_model_from(text, seed);
    if (!m) return NULL;
    slack_model_finish(m);
    cJSON *s = slack_model_summary(m, NULL);
    slack_model_free(m);
    return s;
}

/* The replications' 95% Student-t interval covers `theory`, and is tight
 * enough to mean something (half-width below `max_rel` of it). */
static inline void test_assert_ci_covers(const double *x, size_t n, double theory, double max_rel)
{
    double mean, half;
    sim_ci_mean(x, n, 0.95, &mean, &half);
    CU_ASSERT(fabs(mean - theory) <= half);
    CU_ASSERT(half <= max_rel * fabs(theory));
}

/* root.a (or root.a.b) as a number; NAN if absent. */
static inline double test_jnum(const cJSON *root, const char *a, const char *b)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, a);
    const cJSON *v = b ? cJSON_GetObjectItemCaseSensitive(o, b) : o;
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* The index of the time-series column `name`, or SIZE_MAX. */
static inline size_t test_column(const sim_series *ts, const char *name)
{
    for (size_t c = 0; c < sim_series_columns(ts); c++)
        if (strcmp(sim_series_column_name(ts, c), name) == 0) return c;
    return SIZE_MAX;
}

#endif
