/* sim_dist: every kind's sample mean and variance agree with the exact
 * moments, continuous kinds pass a Kolmogorov-Smirnov test against their
 * exact CDF, Zipf passes a chi-square test, and the JSON forms parse,
 * reject bad input with a message naming the key, and round-trip.
 *
 * Bounds: means within 5 standard errors (CLT; a correct sampler fails with
 * probability ~6e-7), variances within 5 standard errors of the sample
 * variance (estimated from the sample's fourth moment), KS with
 * sqrt(n) D < 1.949 (the 0.001 critical value), chi-square at 0.001. */
#include <math.h>
#include <string.h>
#include <glib.h>
#include "tests/test_util.h"
#include "sim/sim_dist.h"
#include "sim/sim_error.h"
#include "sim/sim_stats.h"

static size_t nsamples(size_t full) { return test_quick() ? full / 10 : full; }

static double chi2_crit_001(double k)
{
    double h = 2.0 / (9.0 * k);
    double c = 1.0 - h + 3.090232 * sqrt(h);
    return k * c * c * c;
}

/* ------------------------------------------------------------- moments */

/* Draws n samples and checks mean and variance against the exact values. */
static void check_moments(const sim_dist *d, const char *stream, size_t n, gboolean check_var)
{
    sim_rng r;
    sim_rng_init_named(&r, 1234, stream);
    double *x = g_new(double, n);
    double m = 0;
    for (size_t i = 0; i < n; i++) { x[i] = sim_dist_sample(d, &r); m += x[i]; }
    m /= n;
    double m2 = 0, m4 = 0;
    for (size_t i = 0; i < n; i++) {
        double e = (x[i] - m) * (x[i] - m);
        m2 += e;
        m4 += e * e;
    }
    m2 /= n;
    m4 /= n;
    double mean = sim_dist_mean(d), var = sim_dist_variance(d);
    char *desc = sim_dist_describe(d);
    double zm = (m - mean) / sqrt(var / n);
    if (!(fabs(zm) < 5.0)) printf("\n%s: sample mean %g vs %g (z = %.2f)\n", desc, m, mean, zm);
    CU_ASSERT(fabs(zm) < 5.0);
    if (check_var) {
        double se = sqrt((m4 - m2 * m2) / n);
        double zv = (m2 - var) / se;
        if (!(fabs(zv) < 5.0)) printf("\n%s: sample variance %g vs %g (z = %.2f)\n", desc, m2, var, zv);
        CU_ASSERT(fabs(zv) < 5.0);
    }
    g_free(desc);
    g_free(x);
}

static void test_moments_continuous(void)
{
    size_t n = nsamples(200000);
    sim_dist d;
    sim_dist_init_uniform(&d, 2.0, 5.0);
    check_moments(&d, "uniform", n, TRUE);
    sim_dist_init_exponential(&d, 0.002);
    check_moments(&d, "exponential", n, TRUE);
    sim_dist_init_normal(&d, -3.0, 0.5);
    check_moments(&d, "normal", n, TRUE);
    sim_dist_init_lognormal(&d, log(0.002), 0.6);
    check_moments(&d, "lognormal", n, TRUE);
    /* alpha = 5: the fourth moment exists, so the variance test is valid. */
    sim_dist_init_pareto(&d, 1.5, 5.0);
    check_moments(&d, "pareto5", n, TRUE);
    /* alpha = 2.5: finite variance, so the mean is still asymptotically
     * normal; its sample variance is not, so only the mean is checked. */
    sim_dist_init_pareto(&d, 1.0, 2.5);
    check_moments(&d, "pareto2.5", n, FALSE);
}

static void test_moments_constant_and_infinite(void)
{
    sim_dist d;
    sim_rng r;
    sim_rng_init_named(&r, 1, "constant");
    sim_dist_init_constant(&d, 0.25);
    CU_ASSERT_EQUAL(sim_dist_sample(&d, &r), 0.25);
    CU_ASSERT_EQUAL(sim_dist_mean(&d), 0.25);
    CU_ASSERT_EQUAL(sim_dist_variance(&d), 0.0);
    sim_dist_init_pareto(&d, 1.0, 1.0);
    CU_ASSERT(isinf(sim_dist_mean(&d)) && isinf(sim_dist_variance(&d)));
    sim_dist_init_pareto(&d, 1.0, 1.5);
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&d), 3.0, 1e-12);
    CU_ASSERT(isinf(sim_dist_variance(&d)));
}

/* The empirical table mixes an atom (x repeated), a gap (cdf repeated) and
 * ordinary segments. */
static const double EMP_X[] = {0.001, 0.002, 0.002, 0.005, 0.010, 0.050};
static const double EMP_C[] = {0.0, 0.3, 0.5, 0.8, 0.8, 1.0};

static void test_moments_empirical(void)
{
    sim_dist d;
    CU_ASSERT_FATAL(sim_dist_init_empirical(&d, EMP_X, EMP_C, 6, NULL));
    /* Mean by hand: 0.3*0.0015 + 0.2*0.002 + 0.3*0.0035 + 0 + 0.2*0.03. */
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&d), 0.0079, 1e-15);
    check_moments(&d, "empirical", nsamples(200000), TRUE);
    sim_dist_clear(&d);
}

/* Exact Zipf pmf by brute force for the chi-square and moment checks. */
static double *zipf_pmf(uint64_t n, double s)
{
    double *p = g_new(double, n), z = 0;
    for (uint64_t k = n; k >= 1; k--) z += pow((double)k, -s);
    for (uint64_t k = 1; k <= n; k++) p[k - 1] = pow((double)k, -s) / z;
    return p;
}

/* The closed-form moments (Euler-Maclaurin for large n) agree with brute
 * force sums to 1e-10 relative. */
static void test_zipf_moments_exact(void)
{
    static const double exps[] = {0.5, 1.0, 1.2, 2.5};
    static const uint64_t ns[] = {1, 10, 64, 65, 1000, 200000};
    for (size_t i = 0; i < G_N_ELEMENTS(exps); i++)
        for (size_t j = 0; j < G_N_ELEMENTS(ns); j++) {
            double *p = zipf_pmf(ns[j], exps[i]);
            double m1 = 0, m2 = 0;
            for (uint64_t k = ns[j]; k >= 1; k--) { m1 += k * p[k - 1]; m2 += (double)k * k * p[k - 1]; }
            sim_dist d;
            sim_dist_init_zipf(&d, ns[j], exps[i]);
            CU_ASSERT(fabs(sim_dist_mean(&d) - m1) <= 1e-10 * m1);
            double v = m2 - m1 * m1;
            CU_ASSERT(fabs(sim_dist_variance(&d) - v) <= 1e-9 * m2 + 1e-12);
            g_free(p);
        }
}

/* Chi-square of Zipf samples against the exact pmf, for s below, at and
 * above 1 (the sampler's H changes form at s = 1). */
static void test_zipf_chi_square(void)
{
    static const double exps[] = {0.7, 1.0, 1.3, 3.0};
    const uint64_t n = 40;
    size_t draws = nsamples(400000);
    for (size_t i = 0; i < G_N_ELEMENTS(exps); i++) {
        sim_dist d;
        sim_dist_init_zipf(&d, n, exps[i]);
        sim_rng r;
        sim_rng_init_named(&r, 77, "zipf");
        uint64_t counts[40] = {0};
        gboolean in_range = TRUE;
        for (size_t t = 0; t < draws; t++) {
            double k = sim_dist_sample(&d, &r);
            if (!(k >= 1 && k <= n && k == floor(k))) { in_range = FALSE; continue; }
            counts[(int)k - 1]++;
        }
        CU_ASSERT(in_range);
        /* Pool the tail so every cell expects at least 5. */
        double *p = zipf_pmf(n, exps[i]);
        double chi = 0, e_pool = 0, o_pool = 0;
        int cells = 0;
        for (uint64_t k = 0; k < n; k++) {
            e_pool += p[k] * draws;
            o_pool += counts[k];
            if (e_pool >= 5 || k == n - 1) {
                chi += (o_pool - e_pool) * (o_pool - e_pool) / e_pool;
                cells++;
                e_pool = o_pool = 0;
            }
        }
        CU_ASSERT(chi < chi2_crit_001(cells - 1));
        g_free(p);
    }
}

/* n = 10^7 needs no table: sampling is O(1) and the mean matches. */
static void test_zipf_large_n(void)
{
    sim_dist d;
    sim_dist_init_zipf(&d, 10000000, 1.8);
    check_moments(&d, "zipf.big", nsamples(200000), FALSE);
}

/* --------------------------------------------------- Kolmogorov-Smirnov */

typedef double (*cdf_fn)(const sim_dist *d, double x);

static double cdf_uniform(const sim_dist *d, double x)
{
    double lo = d->p[0], hi = d->p[1];
    return x <= lo ? 0 : x >= hi ? 1 : (x - lo) / (hi - lo);
}
static double cdf_exponential(const sim_dist *d, double x) { return x <= 0 ? 0 : -expm1(-x / d->p[0]); }
static double cdf_normal(const sim_dist *d, double x) { return sim_normal_cdf((x - d->p[0]) / d->p[1]); }
static double cdf_lognormal(const sim_dist *d, double x)
{
    return x <= 0 ? 0 : sim_normal_cdf((log(x) - d->p[0]) / d->p[1]);
}
static double cdf_pareto(const sim_dist *d, double x) { return x <= d->p[0] ? 0 : 1 - pow(d->p[0] / x, d->p[1]); }
static double cdf_empirical(const sim_dist *d, double x)
{
    if (x < d->x[0]) return 0;
    for (size_t i = 0; i + 1 < d->n; i++)
        if (x < d->x[i + 1]) return d->cdf[i] + (d->cdf[i + 1] - d->cdf[i]) * (x - d->x[i]) / (d->x[i + 1] - d->x[i]);
    return 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* sqrt(n) * sup |F_n - F| for n samples of d. */
static double ks_statistic(const sim_dist *d, cdf_fn F, const char *stream, size_t n)
{
    sim_rng r;
    sim_rng_init_named(&r, 4321, stream);
    double *x = g_new(double, n);
    for (size_t i = 0; i < n; i++) x[i] = sim_dist_sample(d, &r);
    qsort(x, n, sizeof *x, cmp_double);
    /* sup |F_n - F| is reached at a sample: compare F just below it with
     * the empirical CDF before the sample's tie group, and F at it with the
     * empirical CDF after the group (atoms make ties). */
    double dmax = 0;
    for (size_t i = 0, j; i < n; i = j + 1) {
        for (j = i; j + 1 < n && x[j + 1] == x[i]; j++) {}
        double below = fabs(F(d, nextafter(x[i], -INFINITY)) - (double)i / n);
        double at = fabs(F(d, x[i]) - (double)(j + 1) / n);
        if (below > dmax) dmax = below;
        if (at > dmax) dmax = at;
    }
    g_free(x);
    return dmax * sqrt((double)n);
}

static void test_ks_continuous(void)
{
    size_t n = nsamples(100000);
    sim_dist d;
    struct { const char *name; cdf_fn F; } k;
    const double crit = 1.949;
#define KS(init, fn)                                                             \
    do {                                                                         \
        init;                                                                    \
        k.name = #init; k.F = fn;                                                \
        double ks = ks_statistic(&d, k.F, k.name, n);                            \
        if (!(ks < crit)) printf("\n%s: sqrt(n) D = %.3f\n", k.name, ks);        \
        CU_ASSERT(ks < crit);                                                    \
    } while (0)
    KS(sim_dist_init_uniform(&d, -1.0, 3.0), cdf_uniform);
    KS(sim_dist_init_exponential(&d, 5e-3), cdf_exponential);
    KS(sim_dist_init_normal(&d, 10.0, 2.0), cdf_normal);
    KS(sim_dist_init_lognormal(&d, -6.0, 2.5), cdf_lognormal);
    KS(sim_dist_init_pareto(&d, 0.01, 1.2), cdf_pareto);
    KS(sim_dist_init_empirical(&d, EMP_X, EMP_C, 6, NULL), cdf_empirical);
    sim_dist_clear(&d);
#undef KS
}

/* The KS test itself must be able to fail: a lognormal checked against a
 * CDF with sigma 5% off is rejected (expected sqrt(n) D ~ 3.8). */
static double cdf_lognormal_wrong(const sim_dist *d, double x)
{
    return x <= 0 ? 0 : sim_normal_cdf((log(x) - d->p[0]) / (d->p[1] * 1.05));
}

static void test_ks_detects_wrong_cdf(void)
{
    sim_dist d;
    sim_dist_init_lognormal(&d, 0.0, 1.0);
    CU_ASSERT(ks_statistic(&d, cdf_lognormal_wrong, "ks.power", 100000) > 1.949);
}

/* Continuous kinds draw exactly one uniform per sample (inversion), so
 * streams shared between two configurations stay in step. */
static void test_one_uniform_per_sample(void)
{
    sim_dist d[5];
    sim_dist_init_uniform(&d[0], 0, 1);
    sim_dist_init_exponential(&d[1], 1);
    sim_dist_init_normal(&d[2], 0, 1);
    sim_dist_init_lognormal(&d[3], 0, 1);
    sim_dist_init_pareto(&d[4], 1, 2);
    for (int k = 0; k < 5; k++) {
        sim_rng a, b;
        sim_rng_init_named(&a, 5, "step");
        sim_rng_init_named(&b, 5, "step");
        for (int i = 0; i < 100; i++) {
            (void)sim_dist_sample(&d[k], &a);
            (void)sim_rng_u64(&b);
        }
        CU_ASSERT_EQUAL(memcmp(a.s, b.s, sizeof a.s), 0);
    }
}

/* ----------------------------------------------------------------- JSON */

static gboolean parse(const char *text, sim_dist *d, GError **error)
{
    cJSON *j = cJSON_Parse(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    gboolean ok = sim_dist_from_json(d, j, "postgres.service_s", error);
    cJSON_Delete(j);
    return ok;
}

/* Each accepted form gives the intended parameters. */
static void test_json_accepts_every_form(void)
{
    sim_dist d;
    GError *e = NULL;
    CU_ASSERT(parse("0.002", &d, &e) && d.kind == SIM_DIST_CONSTANT && sim_dist_mean(&d) == 0.002);
    CU_ASSERT(parse("{\"dist\":\"constant\",\"value\":3}", &d, &e) && sim_dist_mean(&d) == 3);
    CU_ASSERT(parse("{\"dist\":\"uniform\",\"min\":1,\"max\":3}", &d, &e) && sim_dist_mean(&d) == 2);
    CU_ASSERT(parse("{\"dist\":\"exponential\",\"mean\":0.5}", &d, &e) && sim_dist_mean(&d) == 0.5);
    CU_ASSERT(parse("{\"dist\":\"exponential\",\"rate\":4}", &d, &e) && sim_dist_mean(&d) == 0.25);
    CU_ASSERT(parse("{\"dist\":\"normal\",\"mean\":1,\"sd\":2}", &d, &e) && sim_dist_variance(&d) == 4);
    CU_ASSERT(parse("{\"dist\":\"lognormal\",\"mu\":-6,\"sigma\":0.5}", &d, &e) && d.p[0] == -6 && d.p[1] == 0.5);
    /* median/p99: e^mu is the median, e^(mu + 2.3263 sigma) the p99. */
    CU_ASSERT(parse("{\"dist\":\"lognormal\",\"median\":0.002,\"p99\":0.02}", &d, &e));
    CU_ASSERT_DOUBLE_EQUAL(exp(d.p[0]), 0.002, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(exp(d.p[0] + d.p[1] * sim_normal_quantile(0.99)), 0.02, 1e-14);
    CU_ASSERT(parse("{\"dist\":\"lognormal\",\"mean\":0.01,\"cv\":2}", &d, &e));
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&d), 0.01, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(sqrt(sim_dist_variance(&d)) / sim_dist_mean(&d), 2.0, 1e-12);
    CU_ASSERT(parse("{\"dist\":\"pareto\",\"xm\":1,\"alpha\":3}", &d, &e) && sim_dist_mean(&d) == 1.5);
    CU_ASSERT(parse("{\"dist\":\"zipf\",\"n\":10000000,\"s\":1.1}", &d, &e) && d.kind == SIM_DIST_ZIPF);
    CU_ASSERT(parse("{\"dist\":\"empirical\",\"x\":[1,2,4],\"cdf\":[0,0.5,1]}", &d, &e) && sim_dist_mean(&d) == 2.25);
    sim_dist_clear(&d);
    CU_ASSERT_PTR_NULL(e);
    if (e) { printf("\nunexpected error: %s\n", e->message); g_error_free(e); }
}

/* Each malformed description is refused with exactly this message. */
static void test_json_rejects_with_message(void)
{
    static const struct { const char *json; int code; const char *message; } cases[] = {
        {"{\"dist\":\"lognormal\",\"mu\":0,\"sigma\":-1}", SIM_ERROR_VALUE,
         "postgres.service_s: lognormal needs sigma > 0, got -1"},
        {"{\"dist\":\"uniform\",\"min\":1,\"max\":2,\"mean\":3}", SIM_ERROR_UNKNOWN_KEY,
         "postgres.service_s: unknown field \"mean\" for uniform (allowed: min, max)"},
        {"{\"dist\":\"gamma\",\"k\":2}", SIM_ERROR_VALUE,
         "postgres.service_s: unknown dist \"gamma\" (expected constant, uniform, exponential, normal, lognormal, "
         "pareto, zipf or empirical)"},
        {"\"fast\"", SIM_ERROR_TYPE,
         "postgres.service_s: expected a number or an object like {\"dist\":\"exponential\",\"mean\":0.002}"},
        {"{\"mean\":1}", SIM_ERROR_VALUE,
         "postgres.service_s: a distribution object needs \"dist\": one of constant, uniform, exponential, "
         "normal, lognormal, pareto, zipf, empirical"},
        {"{\"dist\":\"exponential\",\"mean\":1,\"rate\":1}", SIM_ERROR_VALUE,
         "postgres.service_s: exponential takes exactly one of mean or rate"},
        {"{\"dist\":\"exponential\",\"mean\":0}", SIM_ERROR_VALUE,
         "postgres.service_s: exponential needs mean > 0, got 0"},
        {"{\"dist\":\"uniform\",\"min\":\"a\",\"max\":2}", SIM_ERROR_TYPE,
         "postgres.service_s: uniform min must be a number"},
        {"{\"dist\":\"uniform\",\"min\":3,\"max\":2}", SIM_ERROR_VALUE,
         "postgres.service_s: uniform needs min <= max, got min 3 and max 2"},
        {"{\"dist\":\"pareto\",\"xm\":1}", SIM_ERROR_VALUE,
         "postgres.service_s: pareto needs \"alpha\" (fields: xm, alpha)"},
        {"{\"dist\":\"normal\",\"mean\":1,\"sd\":-2}", SIM_ERROR_VALUE,
         "postgres.service_s: normal needs sd >= 0, got -2"},
        {"{\"dist\":\"lognormal\",\"median\":2,\"p99\":1}", SIM_ERROR_VALUE,
         "postgres.service_s: lognormal needs p99 > median, got median 2 and p99 1"},
        {"{\"dist\":\"lognormal\",\"mu\":1,\"sigma\":1,\"median\":1}", SIM_ERROR_VALUE,
         "postgres.service_s: lognormal takes exactly one of: mu and sigma, median and p99, or mean and cv"},
        {"{\"dist\":\"zipf\",\"n\":2.5,\"s\":1}", SIM_ERROR_VALUE,
         "postgres.service_s: zipf needs a whole number n >= 1, got 2.5"},
        {"{\"dist\":\"zipf\",\"n\":10,\"s\":1,\"s\":2}", SIM_ERROR_VALUE,
         "postgres.service_s: field \"s\" appears twice"},
        {"{\"dist\":\"empirical\",\"x\":[1,2],\"cdf\":[0,0.5]}", SIM_ERROR_VALUE,
         "postgres.service_s: empirical cdf must run from 0 to 1, got 0 to 0.5"},
        {"{\"dist\":\"empirical\",\"x\":[2,1],\"cdf\":[0,1]}", SIM_ERROR_VALUE,
         "postgres.service_s: empirical x must be ascending, but x[1] = 1 < x[0] = 2"},
        {"{\"dist\":\"empirical\",\"x\":[1,2,3],\"cdf\":[0,1]}", SIM_ERROR_VALUE,
         "postgres.service_s: empirical x has 3 points but cdf has 2"},
        {"{\"dist\":\"empirical\",\"x\":[1,\"b\"],\"cdf\":[0,1]}", SIM_ERROR_TYPE,
         "postgres.service_s: empirical x[1] must be a number"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        sim_dist d;
        GError *e = NULL;
        CU_ASSERT_FALSE(parse(cases[i].json, &d, &e));
        CU_ASSERT_PTR_NOT_NULL(e);
        if (!e) continue;
        CU_ASSERT(g_error_matches(e, SIM_ERROR, cases[i].code));
        if (strcmp(e->message, cases[i].message) != 0) printf("\ncase %zu: got   %s\n", i, e->message);
        CU_ASSERT_STRING_EQUAL(e->message, cases[i].message);
        CU_ASSERT_EQUAL(d.kind, SIM_DIST_CONSTANT); /* left safe to clear */
        sim_dist_clear(&d);
        g_error_free(e);
    }
}

static void count_critical(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer n)
{
    (void)domain; (void)level; (void)msg;
    (*(int *)n)++;
}

/* Property: a non-finite number (cJSON reads 1e400 as infinity) or a
 * derived parameter out of range is a message naming the key, never a
 * refused _init (a GLib CRITICAL and a silent constant 0). */
static void test_json_refuses_non_finite(void)
{
    static const char *const cases[] = {
        "1e400", "-1e400",
        "{\"dist\":\"constant\",\"value\":1e400}",
        "{\"dist\":\"exponential\",\"mean\":1e400}",
        "{\"dist\":\"exponential\",\"rate\":1e-320}",
        "{\"dist\":\"lognormal\",\"mean\":1,\"cv\":1e200}",
        "{\"dist\":\"uniform\",\"min\":0,\"max\":1e400}",
        "{\"dist\":\"pareto\",\"xm\":1e400,\"alpha\":2}",
        "{\"dist\":\"empirical\",\"x\":[0,1e400],\"cdf\":[0,1]}",
    };
    int criticals = 0;
    guint h = g_log_set_handler(NULL, G_LOG_LEVEL_CRITICAL, count_critical, &criticals);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        sim_dist d;
        GError *e = NULL;
        gboolean ok = parse(cases[i], &d, &e);
        if (ok) printf("\naccepted: %s\n", cases[i]);
        CU_ASSERT_FALSE(ok);
        CU_ASSERT_PTR_NOT_NULL(e);
        if (e) CU_ASSERT_PTR_NOT_NULL(strstr(e->message, "postgres.service_s: "));
        sim_dist_clear(&d);
        g_clear_error(&e);
    }
    g_log_remove_handler(NULL, h);
    CU_ASSERT_EQUAL(criticals, 0);
}

/* Property: user text in a message (a field or kind name) is quoted: one
 * line, no terminal escape. */
static void test_json_quotes_user_text(void)
{
    sim_dist d;
    GError *e = NULL;
    CU_ASSERT_FALSE(parse("{\"dist\":\"gam\\nma\\u001b[2J\"}", &d, &e));
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_PTR_NULL(strchr(e->message, '\n'));
    CU_ASSERT_PTR_NULL(strchr(e->message, '\x1b'));
    CU_ASSERT_PTR_NOT_NULL(strstr(e->message, "unknown dist \"gam\\nma\\x1b[2J\""));
    g_clear_error(&e);
    CU_ASSERT_FALSE(parse("{\"dist\":\"uniform\",\"min\":0,\"max\":1,\"a\\tb\":1}", &d, &e));
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_PTR_NOT_NULL(strstr(e->message, "unknown field \"a\\tb\""));
    g_clear_error(&e);
    sim_dist_clear(&d);
}

/* to_json -> text -> from_json gives the same distribution (the same text
 * again and the same samples from the same stream). */
static void test_json_round_trip(void)
{
    static const char *forms[] = {
        "0.002",
        "{\"dist\":\"uniform\",\"min\":0.1,\"max\":0.30000000000000004}",
        "{\"dist\":\"exponential\",\"rate\":3}",
        "{\"dist\":\"normal\",\"mean\":1,\"sd\":0.1}",
        "{\"dist\":\"lognormal\",\"median\":0.002,\"p99\":0.02}",
        "{\"dist\":\"pareto\",\"xm\":0.001,\"alpha\":1.1}",
        "{\"dist\":\"zipf\",\"n\":12000000,\"s\":1.07}",
        "{\"dist\":\"empirical\",\"x\":[0.001,0.002,0.01],\"cdf\":[0,0.9,1]}",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(forms); i++) {
        sim_dist a, b;
        CU_ASSERT_FATAL(parse(forms[i], &a, NULL));
        cJSON *ja = sim_dist_to_json(&a);
        char *ta = cJSON_PrintUnformatted(ja);
        cJSON *back = cJSON_Parse(ta);
        CU_ASSERT_FATAL(sim_dist_from_json(&b, back, "roundtrip", NULL));
        cJSON *jb = sim_dist_to_json(&b);
        char *tb = cJSON_PrintUnformatted(jb);
        CU_ASSERT_STRING_EQUAL(ta, tb);
        sim_rng ra, rb;
        sim_rng_init_named(&ra, 9, "rt");
        sim_rng_init_named(&rb, 9, "rt");
        gboolean same = TRUE;
        for (int k = 0; k < 100; k++) same &= sim_dist_sample(&a, &ra) == sim_dist_sample(&b, &rb);
        if (!same) printf("\nround trip of %s changed the samples: %s\n", forms[i], ta);
        CU_ASSERT(same);
        sim_dist c; /* and in memory, without printing */
        CU_ASSERT_FATAL(sim_dist_from_json(&c, ja, "roundtrip", NULL));
        CU_ASSERT(c.kind == a.kind && memcmp(c.p, a.p, sizeof a.p) == 0 && c.n == a.n);
        sim_dist_clear(&c);
        cJSON_free(ta); cJSON_free(tb);
        cJSON_Delete(ja); cJSON_Delete(jb); cJSON_Delete(back);
        sim_dist_clear(&a); sim_dist_clear(&b);
    }
}

static void test_describe(void)
{
    sim_dist d;
    sim_dist_init_exponential(&d, 0.002);
    char *s = sim_dist_describe(&d);
    CU_ASSERT_STRING_EQUAL(s, "exponential(mean=0.002)");
    g_free(s);
    sim_dist_init_zipf(&d, 1000, 1.1);
    s = sim_dist_describe(&d);
    CU_ASSERT_STRING_EQUAL(s, "zipf(n=1000, s=1.1)");
    g_free(s);
    sim_dist_init_lognormal(&d, 0, 1);
    s = sim_dist_describe(&d);
    CU_ASSERT_STRING_EQUAL(s, "lognormal(mu=0, sigma=1; median=1, p99=10.2405, mean=1.64872)");
    g_free(s);
}

/* A copy of an empirical table is deep: it outlives the original. */
static void test_copy_is_deep(void)
{
    sim_dist a, b;
    CU_ASSERT_FATAL(sim_dist_init_empirical(&a, EMP_X, EMP_C, 6, NULL));
    sim_dist_copy(&b, &a);
    double mean = sim_dist_mean(&a);
    sim_dist_clear(&a);
    CU_ASSERT_EQUAL(sim_dist_mean(&b), mean);
    sim_dist_clear(&b);
    sim_dist_clear(&b); /* clearing twice is safe */
}

void test_sim_dist_register(void)
{
    TEST_SUITE("sim_dist", TEST(test_moments_continuous), TEST(test_moments_constant_and_infinite),
               TEST(test_moments_empirical), TEST(test_zipf_moments_exact), TEST(test_zipf_chi_square),
               TEST(test_zipf_large_n), TEST(test_ks_continuous), TEST(test_ks_detects_wrong_cdf),
               TEST(test_one_uniform_per_sample), TEST(test_json_accepts_every_form),
               TEST(test_json_rejects_with_message), TEST(test_json_refuses_non_finite),
               TEST(test_json_quotes_user_text), TEST(test_json_round_trip), TEST(test_describe),
               TEST(test_copy_is_deep));
}
