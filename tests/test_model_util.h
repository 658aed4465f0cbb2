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
#include "sim/sim_station.h"
#include "tests/test_util.h"

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

/* The loads every station made M/M/c is checked at (issue 17), and the
 * arrivals a replication needs at each for a 95% interval tight enough to
 * mean something: the variance of a mean wait grows as 1/(1 - rho)^4, so
 * rho 0.95 runs eight times longer than rho 0.5. Halved under `make asan`. */
static const double test_mmc_rhos[3] = { 0.5, 0.8, 0.95 };
static inline double test_mmc_arrivals(double rho)
{
    double n = rho < 0.7 ? 3e4 : rho < 0.9 ? 6e4 : 2.4e5;
    return test_quick() ? n / 2 : n;
}

/* The head of an M/M/c scenario for a stage past PostgreSQL: Poisson sends
 * (two %g: duration_s, rate_per_sec) into small channels, the gateway's
 * inbound work and the database instant, so the stage under test sees the
 * arrival process unchanged. The caller appends its stages' keys and the
 * closing brace. */
#define TEST_MMC_INSTANT_UPSTREAM \
    "{\"duration_s\": %g, \"interval_s\": 10, \"workload\": {\"users\": 4000, \"workspaces\": 0," \
    " \"channels_per_user\": 0.5, \"channel_max\": 50, \"rate_per_sec\": %g, \"daily_curve\": false," \
    " \"thread_reply_fraction\": 0}, \"gateways\": {\"inbound_s\": 0}, \"postgres\": {\"writers\": 64, \"service_s\": 0},"

/* L = lambda W on a station object with the fields of sim_station_to_json
 * (or sim_station_pool_to_json): the time-average number in the station
 * against its arrival rate times its mean sojourn, both over the run. With
 * every job finished by the end (the drain) the two are the same integral
 * (sum of sojourns over the run's length), so the tolerance is tight;
 * `min_l` keeps it from passing on an empty station. */
static inline void test_assert_little(const cJSON *st, double min_l)
{
    const cJSON *so = cJSON_GetObjectItemCaseSensitive(st, "sojourn_ms");
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(st, "mean_in_system");
    const cJSON *lam = cJSON_GetObjectItemCaseSensitive(st, "arrival_rate_per_s");
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(so, "mean");
    CU_ASSERT_FATAL(cJSON_IsNumber(l) && cJSON_IsNumber(lam) && cJSON_IsNumber(w));
    double L = l->valuedouble, lw = lam->valuedouble * w->valuedouble / 1e3;
    CU_ASSERT(L >= min_l);
    CU_ASSERT(fabs(L - lw) <= 2e-3 * L);
    if (!(fabs(L - lw) <= 2e-3 * L)) fprintf(stderr, "\nLittle: L %g, lambda W %g\n", L, lw);
}

/* A stage's station made M/M/c through documented keys: `reps`
 * replications of text(rho, arg) at seeds seed, seed + 1, ...; pick(summary)
 * is the station's object, whose "wait_ms".mean and "p_wait" the 95%
 * interval over replications must cover at the M/M/c values
 * (sim_mmc_mean_wait, sim_erlang_c) for c servers, lambda arrivals/s and mu
 * per server, with half-widths within 30% (wait) and 20% (P(wait)) of
 * them. With `little`, Little's law holds on every replication's object. */
typedef char *(*test_mmc_text_fn)(double rho, const void *arg);
typedef const cJSON *(*test_mmc_pick_fn)(const cJSON *summary);
static inline void test_check_mmc(test_mmc_text_fn text, const void *arg, test_mmc_pick_fn pick, gboolean little,
                                  unsigned c, double rho, double lambda, double mu, int reps, uint64_t seed)
{
    double *w = g_new(double, reps), *pw = g_new(double, reps);
    for (int r = 0; r < reps; r++) {
        char *t = text(rho, arg);
        slack_model *m = test_model_from(t, seed + (uint64_t)r);
        g_free(t);
        CU_ASSERT_FATAL(m != NULL);
        slack_model_finish(m);
        cJSON *sum = slack_model_summary(m, NULL);
        slack_model_free(m);
        const cJSON *st = pick(sum);
        CU_ASSERT_FATAL(st != NULL);
        w[r] = test_jnum(st, "wait_ms", "mean") / 1e3;
        pw[r] = test_jnum(st, "p_wait", NULL);
        if (little) test_assert_little(st, 0.1 * rho);
        cJSON_Delete(sum);
    }
    double wq = sim_mmc_mean_wait(c, lambda, mu), pc = sim_erlang_c(c, lambda, mu);
    double mw, hw, mp, hp;
    sim_ci_mean(w, (size_t)reps, 0.95, &mw, &hw);
    sim_ci_mean(pw, (size_t)reps, 0.95, &mp, &hp);
    if (!(fabs(mw - wq) <= hw && hw <= 0.3 * wq && fabs(mp - pc) <= hp && hp <= 0.2 * pc))
        fprintf(stderr, "\nM/M/%u rho %g: Wq %g in %g +- %g? P(wait) %g in %g +- %g?\n", c, rho, wq, mw, hw, pc, mp, hp);
    test_assert_ci_covers(w, (size_t)reps, wq, 0.3);
    test_assert_ci_covers(pw, (size_t)reps, pc, 0.2);
    g_free(w);
    g_free(pw);
}

#endif
