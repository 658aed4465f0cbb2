/* sim_hist: percentiles agree with exact sorted percentiles within
 * SIM_HIST_REL_ERROR on very different data; count, mean, min and max are
 * exact; merging equals recording everything in one histogram; the JSON
 * summary is byte-stable.
 *
 * The error bound is deterministic (it follows from the bucket layout), so
 * these tests compare against the bound itself, with no statistical slack. */
#include <math.h>
#include <string.h>
#include <glib.h>
#include "tests/test_util.h"
#include "sim/sim_hist.h"
#include "sim/sim_rng.h"
#include "sim/sim_time.h"

static size_t nsamples(size_t full) { return test_quick() ? full / 10 : full; }

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

typedef int64_t (*gen_fn)(sim_rng *r);

static int64_t gen_uniform(sim_rng *r) { return 1 + (int64_t)sim_rng_below(r, 1000000); }
/* Lognormal with a median of 1 ms and sigma 3: values from ns to hours. */
static int64_t gen_lognormal_wide(sim_rng *r)
{
    double u1 = sim_rng_uniform_pos(r), u2 = sim_rng_uniform(r);
    double z = sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
    return (int64_t)llround(1e6 * exp(3.0 * z));
}
/* Log-uniform over 1 us .. 1 h: every bucket octave of the stated range. */
static int64_t gen_loguniform(sim_rng *r)
{
    return (int64_t)llround(exp(log(1e3) + sim_rng_uniform(r) * (log(3.6e12) - log(1e3))));
}
/* Small integers: exercises the exact region below 256. */
static int64_t gen_small(sim_rng *r) { return (int64_t)sim_rng_below(r, 600); }

static void check_percentiles(gen_fn gen, const char *name)
{
    size_t n = nsamples(200000);
    sim_rng r;
    sim_rng_init_named(&r, 2024, name);
    int64_t *v = g_new(int64_t, n);
    sim_hist *h = sim_hist_new();
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        v[i] = gen(&r);
        sum += (double)v[i];
        sim_hist_record(h, v[i]);
    }
    qsort(v, n, sizeof *v, cmp_i64);
    CU_ASSERT_EQUAL(sim_hist_count(h), n);
    CU_ASSERT_EQUAL(sim_hist_min(h), v[0]);
    CU_ASSERT_EQUAL(sim_hist_max(h), v[n - 1]);
    CU_ASSERT(fabs(sim_hist_mean(h) - sum / n) <= 1e-12 * sum / n);
    static const double qs[] = {0, 0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100};
    for (size_t i = 0; i < G_N_ELEMENTS(qs); i++) {
        int64_t exact = v[sim_hist_rank(qs[i], n) - 1];
        int64_t got = sim_hist_percentile(h, qs[i]);
        double err = fabs((double)(got - exact));
        if (!(err <= SIM_HIST_REL_ERROR * (double)exact))
            printf("\n%s p%g: got %" G_GINT64_FORMAT ", exact %" G_GINT64_FORMAT "\n", name, qs[i], got, exact);
        CU_ASSERT(err <= SIM_HIST_REL_ERROR * (double)exact);
    }
    /* Every value in 1..n-1 ranks too (finer than the fixed list). */
    gboolean all_ok = TRUE;
    for (size_t k = 1; k <= 1000; k++) {
        double q = 100.0 * (double)k / 1000.0;
        int64_t exact = v[sim_hist_rank(q, n) - 1];
        all_ok &= fabs((double)(sim_hist_percentile(h, q) - exact)) <= SIM_HIST_REL_ERROR * (double)exact;
    }
    CU_ASSERT(all_ok);
    sim_hist_free(h);
    g_free(v);
}

static void test_percentiles_uniform(void) { check_percentiles(gen_uniform, "uniform"); }
static void test_percentiles_lognormal_wide(void) { check_percentiles(gen_lognormal_wide, "lognormal"); }
static void test_percentiles_1us_to_1h(void) { check_percentiles(gen_loguniform, "loguniform"); }
static void test_percentiles_small_exact(void) { check_percentiles(gen_small, "small"); }

/* The bound is not vacuous: over one octave, some bucket middles are off
 * by more than a third of it, and none by more than all of it. */
static void test_error_bound_is_tight(void)
{
    double worst = 0;
    for (int64_t v = 1 << 20; v < (1 << 21); v += 1009) {
        sim_hist *h = sim_hist_new();
        sim_hist_record(h, 0);
        sim_hist_record(h, v);
        sim_hist_record(h, INT64_MAX);
        double err = fabs((double)(sim_hist_percentile(h, 50) - v)) / (double)v;
        if (err > worst) worst = err;
        sim_hist_free(h);
    }
    CU_ASSERT(worst <= SIM_HIST_REL_ERROR);
    CU_ASSERT(worst > SIM_HIST_REL_ERROR / 3);
}

/* Extremes and clamping: INT64_MAX and negatives are recorded safely. */
static void test_extremes(void)
{
    sim_hist *h = sim_hist_new();
    CU_ASSERT_EQUAL(sim_hist_percentile(h, 50), 0);
    CU_ASSERT_EQUAL(sim_hist_mean(h), 0.0);
    CU_ASSERT_EQUAL(sim_hist_min(h), 0);
    CU_ASSERT_EQUAL(sim_hist_max(h), 0);
    CU_ASSERT_EQUAL(sim_hist_cdf(h, 10), 0.0);
    sim_hist_record(h, -5);
    sim_hist_record(h, INT64_MAX);
    sim_hist_record(h, INT64_MAX);
    CU_ASSERT_EQUAL(sim_hist_min(h), 0);
    CU_ASSERT_EQUAL(sim_hist_max(h), INT64_MAX);
    CU_ASSERT(fabs((double)sim_hist_percentile(h, 50) - (double)INT64_MAX) <= SIM_HIST_REL_ERROR * (double)INT64_MAX);
    CU_ASSERT_EQUAL(sim_hist_percentile(h, 100), INT64_MAX);
    CU_ASSERT_EQUAL(sim_hist_percentile(h, 0), 0);
    CU_ASSERT_DOUBLE_EQUAL(sim_hist_mean(h), 2.0 * (double)INT64_MAX / 3.0, 1e4);
    sim_hist_reset(h);
    CU_ASSERT_EQUAL(sim_hist_count(h), 0);
    sim_hist_free(h);
    sim_hist_free(NULL);
}

/* Nearest rank despite binary fractions: 99.9% of 1000 is rank 999, 90%
 * of 10 is 9, 50% of 3 is 2, and the ends are 1 and n. */
static void test_rank(void)
{
    CU_ASSERT_EQUAL(sim_hist_rank(99.9, 1000), 999);
    CU_ASSERT_EQUAL(sim_hist_rank(99.99, 100000), 99990);
    CU_ASSERT_EQUAL(sim_hist_rank(90, 10), 9);
    CU_ASSERT_EQUAL(sim_hist_rank(50, 3), 2);
    CU_ASSERT_EQUAL(sim_hist_rank(0.1, 1000), 1);
    CU_ASSERT_EQUAL(sim_hist_rank(0.11, 1000), 2);
    CU_ASSERT_EQUAL(sim_hist_rank(0, 7), 1);
    CU_ASSERT_EQUAL(sim_hist_rank(100, 7), 7);
    CU_ASSERT_EQUAL(sim_hist_rank(99.9, 10000000000ULL), 9990000000ULL);
    CU_ASSERT_EQUAL(sim_hist_rank(50, 0), 0);
}

/* record_n(v, k) is k records of v. */
static void test_record_n(void)
{
    sim_hist *a = sim_hist_new(), *b = sim_hist_new();
    sim_hist_record_n(a, 12345, 1000);
    sim_hist_record_n(a, 7, 0);
    for (int i = 0; i < 1000; i++) sim_hist_record(b, 12345);
    CU_ASSERT_EQUAL(sim_hist_count(a), sim_hist_count(b));
    CU_ASSERT_EQUAL(sim_hist_mean(a), sim_hist_mean(b));
    CU_ASSERT_EQUAL(sim_hist_percentile(a, 50), sim_hist_percentile(b, 50));
    CU_ASSERT_EQUAL(sim_hist_min(a), 12345);
    sim_hist_free(a);
    sim_hist_free(b);
}


/* Every bucket's count as "value:count " text, for whole-histogram equality. */
static void dump_fn(int64_t value, uint64_t count, void *user)
{
    g_string_append_printf(user, "%" G_GINT64_FORMAT ":%" G_GUINT64_FORMAT " ", value, count);
}

static gboolean same_hist(const sim_hist *a, const sim_hist *b)
{
    GString *x = g_string_new(NULL), *y = g_string_new(NULL);
    sim_hist_foreach(a, dump_fn, x);
    sim_hist_foreach(b, dump_fn, y);
    gboolean same = g_str_equal(x->str, y->str) && sim_hist_count(a) == sim_hist_count(b)
                 && sim_hist_mean(a) == sim_hist_mean(b) && sim_hist_min(a) == sim_hist_min(b)
                 && sim_hist_max(a) == sim_hist_max(b);
    g_string_free(x, TRUE);
    g_string_free(y, TRUE);
    return same;
}

/* record_seq(first, step, n) is the n records first + i * step, bucket by
 * bucket and in count, sum, min and max: the exact region below 256,
 * sequences crossing many octaves, negative starts (clamped to 0), step 0,
 * n 0 and 1, and random cases on top of earlier contents. */
static void test_record_seq(void)
{
    static const struct { int64_t first, step; uint64_t n; } fixed[] = {
        {0, 1, 600}, {5, 3, 1}, {7, 0, 40}, {100, 7, 0}, {-10, 3, 9}, {-10, 3, 2},
        {-9, 3, 4}, {1, 1000003, 5000}, {255, 1, 3}, {INT64_MAX - 10, 5, 3},
        {-1000, 999, 2}, {3600000000000LL, 4000000, 1000}};
    for (size_t c = 0; c < G_N_ELEMENTS(fixed); c++) {
        sim_hist *a = sim_hist_new(), *b = sim_hist_new();
        sim_hist_record_seq(a, fixed[c].first, fixed[c].step, fixed[c].n);
        for (uint64_t i = 0; i < fixed[c].n; i++) sim_hist_record(b, fixed[c].first + (int64_t)i * fixed[c].step);
        CU_ASSERT_TRUE(same_hist(a, b));
        sim_hist_free(a);
        sim_hist_free(b);
    }
    sim_rng r;
    sim_rng_init_named(&r, 11, "record_seq");
    sim_hist *a = sim_hist_new(), *b = sim_hist_new();
    for (int c = 0; c < (test_quick() ? 200 : 2000); c++) {
        int64_t first = (int64_t)sim_rng_below(&r, 400000000) - 1000000;
        int64_t step = (int64_t)sim_rng_below(&r, c % 2 ? 3000 : 3000000);
        uint64_t n = sim_rng_below(&r, 300);
        sim_hist_record_seq(a, first, step, n);
        for (uint64_t i = 0; i < n; i++) sim_hist_record(b, first + (int64_t)i * step);
    }
    CU_ASSERT_TRUE(same_hist(a, b));
    sim_hist_free(a);
    sim_hist_free(b);
}

typedef struct { GString *s; int64_t last; gboolean ascending; uint64_t total; } walk;

static void walk_fn(int64_t value, uint64_t count, void *user)
{
    walk *w = user;
    g_string_append_printf(w->s, "%" G_GINT64_FORMAT ":%" G_GUINT64_FORMAT " ", value, count);
    w->ascending &= value > w->last;
    w->last = value;
    w->total += count;
}

/* Everything observable about a histogram, as text. */
static char *fingerprint(const sim_hist *h)
{
    walk w = {g_string_new(NULL), -1, TRUE, 0};
    sim_hist_foreach(h, walk_fn, &w);
    cJSON *j = sim_hist_to_json(h, 1e6);
    char *json = cJSON_PrintUnformatted(j);
    g_string_append_printf(w.s, "| %s | %.17g %" G_GINT64_FORMAT " %" G_GINT64_FORMAT, json, sim_hist_mean(h),
                           sim_hist_min(h), sim_hist_max(h));
    cJSON_free(json);
    cJSON_Delete(j);
    return g_string_free(w.s, FALSE);
}

/* merge(A, B) is indistinguishable from one histogram fed A then B; foreach
 * walks buckets in ascending order and accounts for every sample. */
static void test_merge_equals_combined(void)
{
    size_t n = nsamples(100000);
    sim_rng r;
    sim_rng_init_named(&r, 8, "merge");
    sim_hist *a = sim_hist_new(), *b = sim_hist_new(), *all = sim_hist_new(), *empty = sim_hist_new();
    for (size_t i = 0; i < n; i++) {
        int64_t v = gen_lognormal_wide(&r);
        sim_hist_record(i % 3 ? a : b, v);
        sim_hist_record(all, v);
    }
    sim_hist_merge(a, b);
    sim_hist_merge(a, empty);
    char *fa = fingerprint(a), *fall = fingerprint(all);
    CU_ASSERT_STRING_EQUAL(fa, fall);
    sim_hist_merge(empty, all); /* into an empty one */
    char *fe = fingerprint(empty);
    CU_ASSERT_STRING_EQUAL(fe, fall);
    walk w = {g_string_new(NULL), -1, TRUE, 0};
    sim_hist_foreach(all, walk_fn, &w);
    CU_ASSERT(w.ascending);
    CU_ASSERT_EQUAL(w.total, n);
    g_string_free(w.s, TRUE);
    g_free(fa); g_free(fall); g_free(fe);
    sim_hist_free(a); sim_hist_free(b); sim_hist_free(all); sim_hist_free(empty);
}

/* cdf(v) lies between the exact fraction <= v and the exact fraction
 * <= v * (1 + 2 * SIM_HIST_REL_ERROR) (samples sharing v's bucket count). */
static void test_cdf_brackets_exact(void)
{
    size_t n = nsamples(50000);
    sim_rng r;
    sim_rng_init_named(&r, 9, "cdf");
    int64_t *v = g_new(int64_t, n);
    sim_hist *h = sim_hist_new();
    for (size_t i = 0; i < n; i++) { v[i] = gen_loguniform(&r); sim_hist_record(h, v[i]); }
    qsort(v, n, sizeof *v, cmp_i64);
    gboolean ok = TRUE;
    for (int k = 0; k < 200; k++) {
        int64_t x = (int64_t)exp(log(500.0) + k * (log(4e12) - log(500.0)) / 199.0);
        int64_t x_hi = (int64_t)((double)x * (1.0 + 2.0 * SIM_HIST_REL_ERROR)) + 1;
        size_t below = 0, below_hi = 0;
        while (below < n && v[below] <= x) below++;
        below_hi = below;
        while (below_hi < n && v[below_hi] <= x_hi) below_hi++;
        double c = sim_hist_cdf(h, x);
        ok &= c >= (double)below / n && c <= (double)below_hi / n;
    }
    CU_ASSERT(ok);
    CU_ASSERT_EQUAL(sim_hist_cdf(h, v[n - 1]), 1.0);
    CU_ASSERT_EQUAL(sim_hist_cdf(h, v[0] - 1), 0.0);
    g_free(v);
    sim_hist_free(h);
}

/* 1..1000 us: the summary has the exact count, mean and max and bucket
 * middles for the percentiles, printed identically every time. */
static void test_json_bytes(void)
{
    sim_hist *h = sim_hist_new();
    for (int i = 1; i <= 1000; i++) sim_hist_record(h, (int64_t)i * SIM_US);
    cJSON *j = sim_hist_to_json(h, 1e6);
    char *s = cJSON_PrintUnformatted(j);
    /* p50 = 500000 ns lies in bucket [499712, 501760), middle 500735
     * (+0.15%); p90 = 900 us in [897024, 901120) -> 899071 (-0.10%); p99 =
     * 990 us -> 989183 (-0.08%); p99.9 = 999 us -> 997375 (-0.16%). */
    CU_ASSERT_STRING_EQUAL(s, "{\"count\":1000,\"mean\":0.5005,\"p50\":0.500735,\"p90\":0.899071,"
                              "\"p99\":0.989183,\"p999\":0.997375,\"max\":1}");
    cJSON_free(s);
    cJSON_Delete(j);
    sim_hist_free(h);
}

void test_sim_hist_register(void)
{
    TEST_SUITE("sim_hist", TEST(test_percentiles_uniform), TEST(test_percentiles_lognormal_wide),
               TEST(test_percentiles_1us_to_1h), TEST(test_percentiles_small_exact),
               TEST(test_error_bound_is_tight), TEST(test_extremes), TEST(test_rank), TEST(test_record_n), TEST(test_record_seq),
               TEST(test_merge_equals_combined), TEST(test_cdf_brackets_exact), TEST(test_json_bytes));
}
