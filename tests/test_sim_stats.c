/* sim_stats: time averages on a hand-computed signal, the exact bytes of a
 * series CSV, Student-t quantiles against the printed table, and the
 * coverage of sim_ci_mean over many replications. */
#include <math.h>
#include <string.h>
#include <glib.h>
#include "tests/test_util.h"
#include "sim/sim_stats.h"
#include "sim/sim_error.h"
#include "sim/sim_dist.h"
#include "sim/sim_rng.h"

/* Signal: 0 on [0,10), 2 on [10,30), 5 on [30,40), 4 on [40,50):
 * area 0 + 40 + 50 + 40 = 130 over 50 -> 2.6. */
static void test_tavg_hand_computed(void)
{
    sim_tavg a;
    sim_tavg_init(&a, 0, 0.0);
    CU_ASSERT_EQUAL(sim_tavg_mean(&a, 0), 0.0);
    sim_tavg_set(&a, 10, 2.0);
    sim_tavg_set(&a, 30, 5.0);
    sim_tavg_add(&a, 40, -1.0);
    CU_ASSERT_DOUBLE_EQUAL(sim_tavg_mean(&a, 50), 2.6, 1e-12);
    CU_ASSERT_EQUAL(a.max, 5.0);
    CU_ASSERT_EQUAL(a.value, 4.0);
    /* New window from 50: 4 on [50,60), 0 on [60,70) -> 2; max restarts. */
    sim_tavg_restart(&a, 50);
    CU_ASSERT_EQUAL(sim_tavg_mean(&a, 50), 4.0);
    sim_tavg_set(&a, 60, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(sim_tavg_mean(&a, 70), 2.0, 1e-12);
    CU_ASSERT_EQUAL(a.max, 4.0);
    /* Two changes at the same instant: the zero-length piece weighs nothing. */
    sim_tavg_set(&a, 70, 100.0);
    sim_tavg_set(&a, 70, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(sim_tavg_mean(&a, 80), 40.0 / 30.0, 1e-12);
}

/* Utilisation of one server over an hour in ns: large times stay exact. */
static void test_tavg_long_horizon(void)
{
    sim_tavg a;
    sim_tavg_init(&a, 0, 0.0);
    sim_time t = 0;
    for (int i = 0; i < 3600; i++) {
        sim_tavg_set(&a, t, 1.0);
        t += 250 * SIM_MS;
        sim_tavg_set(&a, t, 0.0);
        t += 750 * SIM_MS;
    }
    CU_ASSERT_DOUBLE_EQUAL(sim_tavg_mean(&a, t), 0.25, 1e-12);
}

/* Windows of 1 s from t = 0: 3 events in [0,1), none in [1,2), 5 in
 * [2,3), 1 so far in [3,4): peak 5/s; mean 9 events over 3.5 s. */
static void test_counter_peak_rate(void)
{
    sim_counter c;
    sim_counter_init(&c, 0, SIM_SEC);
    CU_ASSERT_EQUAL(sim_counter_peak_rate(&c), 0.0);
    CU_ASSERT_EQUAL(sim_counter_rate(&c, 0), 0.0);
    sim_counter_add(&c, 0, 1);
    sim_counter_add(&c, 999 * SIM_MS, 2);
    sim_counter_add(&c, 2 * SIM_SEC, 4);
    sim_counter_add(&c, 2500 * SIM_MS, 1);
    CU_ASSERT_DOUBLE_EQUAL(sim_counter_peak_rate(&c), 5.0, 1e-12);
    sim_counter_add(&c, 3 * SIM_SEC, 1);
    CU_ASSERT_EQUAL(c.total, 9);
    CU_ASSERT_DOUBLE_EQUAL(sim_counter_peak_rate(&c), 5.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(sim_counter_rate(&c, 3500 * SIM_MS), 9.0 / 3.5, 1e-12);
    /* A burst in the current window raises the peak before it closes. */
    sim_counter_add(&c, 3600 * SIM_MS, 9);
    CU_ASSERT_DOUBLE_EQUAL(sim_counter_peak_rate(&c), 10.0, 1e-12);
}

static char *csv_of(const sim_series *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    GError *e = NULL;
    CU_ASSERT(sim_series_write_csv(s, f, &e));
    CU_ASSERT_PTR_NULL(e);
    fclose(f);
    return buf;
}

static void test_series_csv_bytes(void)
{
    const char *cols[] = {"queue", "util", "p99,ms"};
    sim_series *s = sim_series_new(cols, 3);
    CU_ASSERT_EQUAL(sim_series_columns(s), 3);
    CU_ASSERT_EQUAL(sim_series_find(s, "util"), 1);
    CU_ASSERT_EQUAL(sim_series_find(s, "nope"), -1);
    sim_series_add(s, 0, (double[]){0, 0, 0});
    sim_series_add(s, 1500 * SIM_MS, (double[]){12, 0.123456789, 1e-7});
    sim_series_add(s, 1234567891011, (double[]){-3.5, 1.0 / 3.0, 123456789});
    CU_ASSERT_EQUAL(sim_series_rows(s), 3);
    CU_ASSERT_EQUAL(sim_series_time(s, 1), 1500 * SIM_MS);
    CU_ASSERT_EQUAL(sim_series_value(s, 2, 0), -3.5);
    CU_ASSERT_STRING_EQUAL(sim_series_column_name(s, 2), "p99,ms");
    char *csv = csv_of(s);
    CU_ASSERT_STRING_EQUAL(csv, "t_s,queue,util,\"p99,ms\"\n"
                                "0,0,0,0\n"
                                "1.5,12,0.123457,1e-07\n"
                                "1234.567891011,-3.5,0.333333,1.23457e+08\n");
    free(csv);
    sim_series_free(s);
    sim_series_free(NULL);
}

/* A write to a closed-for-writing stream is reported, not ignored. */
static void test_series_csv_write_error(void)
{
    const char *cols[] = {"x"};
    sim_series *s = sim_series_new(cols, 1);
    sim_series_add(s, 0, (double[]){1});
    FILE *f = fopen("/dev/full", "w");
    if (f) {
        GError *e = NULL;
        CU_ASSERT_FALSE(sim_series_write_csv(s, f, &e));
        CU_ASSERT(g_error_matches(e, SIM_ERROR, SIM_ERROR_IO));
        g_clear_error(&e);
        fclose(f);
    }
    sim_series_free(s);
}

/* Printed table values (3 decimals): must agree to rounding. */
static void test_student_t_table(void)
{
    static const struct { double p, df, t; } table[] = {
        {0.975, 1, 12.706}, {0.975, 2, 4.303}, {0.975, 5, 2.571}, {0.975, 10, 2.228},
        {0.975, 30, 2.042}, {0.995, 30, 2.750}, {0.95, 4, 2.132},  {0.90, 20, 1.325},
        {0.999, 3, 10.215}, {0.9995, 60, 3.460}, {0.975, 120, 1.980}, {0.75, 1, 1.000},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
        double t = sim_student_t_quantile(table[i].p, table[i].df);
        if (!(fabs(t - table[i].t) <= 0.0005 + 1e-12))
            printf("\nt(%g, %g) = %.6f, table %.3f\n", table[i].p, table[i].df, t, table[i].t);
        CU_ASSERT(fabs(t - table[i].t) <= 0.0005 + 1e-12);
        CU_ASSERT_DOUBLE_EQUAL(sim_student_t_quantile(1 - table[i].p, table[i].df), -t, 1e-9 * t);
    }
    /* 40-digit references (mpmath: root of the regularized incomplete
     * beta), to 1e-12 relative. */
    CU_ASSERT_DOUBLE_EQUAL(sim_student_t_quantile(0.975, 1), 12.706204736174693, 1.3e-11);
    CU_ASSERT_DOUBLE_EQUAL(sim_student_t_quantile(0.975, 4), 2.7764451051977935, 2.8e-12);
    CU_ASSERT_DOUBLE_EQUAL(sim_student_t_quantile(0.975, 10), 2.2281388519862742, 2.3e-12);
    CU_ASSERT_DOUBLE_EQUAL(sim_student_t_quantile(0.995, 30), 2.7499956535672250, 2.8e-12);
    CU_ASSERT_EQUAL(sim_student_t_quantile(0.5, 7), 0.0);
    CU_ASSERT(isinf(sim_student_t_quantile(1.0, 7)));
}

/* The quantile inverts the CDF for integer and fractional df, deep tails
 * included; large df tends to the normal quantile. */
static void test_student_t_inverts_cdf(void)
{
    static const double dfs[] = {1, 1.5, 2, 2.5, 3, 4, 7, 15, 29, 100, 1000, 99999, 1e5, 1e6};
    static const double ps[] = {1e-10, 1e-6, 0.001, 0.025, 0.2, 0.49, 0.51, 0.9, 0.995, 1 - 1e-8};
    gboolean ok = TRUE;
    for (size_t i = 0; i < G_N_ELEMENTS(dfs); i++)
        for (size_t j = 0; j < G_N_ELEMENTS(ps); j++) {
            double t = sim_student_t_quantile(ps[j], dfs[i]);
            double back = sim_student_t_cdf(t, dfs[i]);
            double tail = ps[j] < 0.5 ? ps[j] : 1 - ps[j];
            if (!(fabs(back - ps[j]) <= 1e-9 * tail)) {
                printf("\ndf %g p %g: t %.17g cdf %.17g\n", dfs[i], ps[j], t, back);
                ok = FALSE;
            }
        }
    CU_ASSERT(ok);
    /* Beyond the CDF's range: t = z + (z^3 + z) / (4 df) + O(df^-2). */
    const double z = 1.959963984540054;
    CU_ASSERT_DOUBLE_EQUAL(sim_student_t_quantile(0.975, 1e9), z + (z * z * z + z) / 4e9, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(sim_student_t_quantile(0.975, INFINITY), z, 1e-15);
}

static void test_normal_quantile(void)
{
    CU_ASSERT_DOUBLE_EQUAL(sim_normal_quantile(0.975), 1.959963984540054, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(sim_normal_quantile(0.99), 2.326347874040841, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(sim_normal_quantile(1e-10), -6.361340902404056, 1e-13);
    CU_ASSERT_EQUAL(sim_normal_quantile(0.5), 0.0);
    gboolean ok = TRUE;
    for (double p = 1e-12; p < 1; p = p < 0.01 ? p * 3 : p + 0.01)
        ok &= fabs(sim_normal_cdf(sim_normal_quantile(p)) - p) <= 1e-13 * (p < 0.5 ? p : 1 - p) + 1e-16;
    CU_ASSERT(ok);
}

/* Hand-computed: x = 1..5, mean 3, sd sqrt(2.5), t(0.975, 4) = 2.7764451,
 * halfwidth 2.7764451 * 1.5811388 / sqrt(5) = 1.9632432. */
static void test_ci_mean_hand_computed(void)
{
    const double x[] = {1, 2, 3, 4, 5};
    double m, hw;
    sim_ci_mean(x, 5, 0.95, &m, &hw);
    CU_ASSERT_DOUBLE_EQUAL(m, 3.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(hw, 1.9632431614775607, 1e-11);
    sim_ci_mean(x, 1, 0.95, &m, &hw);
    CU_ASSERT_EQUAL(m, 1.0);
    CU_ASSERT(isinf(hw));
}

/* Coverage: 95% intervals from 10 normal observations contain the true
 * mean in ~95% of 4000 replications; the count is Binomial(4000, 0.95),
 * sd 13.8, so it lies within 5 sd of 3800 unless the CI is wrong (a
 * normal-z interval would cover only ~92%, 3680). */
static void test_ci_mean_coverage(void)
{
    int reps = test_quick() ? 1000 : 4000, covered = 0;
    sim_dist d;
    sim_dist_init_normal(&d, 7.0, 2.0);
    sim_rng r;
    sim_rng_init_named(&r, 17, "ci.coverage");
    for (int i = 0; i < reps; i++) {
        double x[10], m, hw;
        for (int k = 0; k < 10; k++) x[k] = sim_dist_sample(&d, &r);
        sim_ci_mean(x, 10, 0.95, &m, &hw);
        covered += fabs(m - 7.0) <= hw;
    }
    double sd = sqrt(reps * 0.95 * 0.05);
    CU_ASSERT(fabs(covered - 0.95 * reps) <= 5 * sd);
}

/* MSER-5 on series whose batch statistics are computed by hand.
 * (1) Two batches at 100, then 18 batches whose values 0..4 average 2:
 * deleting the two leaves zero spread, so the truncation is 10 observations
 * (MSER(0) = 17287.2 / 400, MSER(1) = 9098.5 / 361 are larger).
 * (2) Constant batches with means 9, 5, 1, 3, 1, 3 (k = 6, d <= 3):
 * MSER(0) = 45.33 / 36 = 1.259, MSER(1) = 11.2 / 25 = 0.448,
 * MSER(2) = 4 / 16 = 0.25, MSER(3) = 2.667 / 9 = 0.296: d* = 2, 10 deleted;
 * a trailing partial batch (3 values of 1000) is ignored.
 * (3) A constant series deletes nothing (ties go to the smallest d), and a
 * series shorter than two batches gives 0 and NAN. */
static void test_mser5_known_series(void)
{
    double x[100], stat;
    for (int i = 0; i < 100; i++) x[i] = i < 10 ? 100 : (double)(i % 5);
    CU_ASSERT_EQUAL(sim_mser5_truncation(x, 100, &stat), 10);
    CU_ASSERT_DOUBLE_EQUAL(stat, 0.0, 1e-12);

    const double z[6] = {9, 5, 1, 3, 1, 3};
    double y[33];
    for (int i = 0; i < 30; i++) y[i] = z[i / 5];
    y[30] = y[31] = y[32] = 1000;
    CU_ASSERT_EQUAL(sim_mser5_truncation(y, 30, &stat), 10);
    CU_ASSERT_DOUBLE_EQUAL(stat, 0.25, 1e-12);
    CU_ASSERT_EQUAL(sim_mser5_truncation(y, 33, &stat), 10);
    CU_ASSERT_DOUBLE_EQUAL(stat, 0.25, 1e-12);
    /* Without the first batch, 5 1 3 1 3 (d <= 2): MSER(0) = 0.448,
     * MSER(1) = 4 / 16 = 0.25, MSER(2) = 0.296: one batch deleted. */
    CU_ASSERT_EQUAL(sim_mser5_truncation(y + 5, 25, &stat), 5);
    CU_ASSERT_DOUBLE_EQUAL(stat, 0.25, 1e-12);

    double c[40];
    for (int i = 0; i < 40; i++) c[i] = 7;
    CU_ASSERT_EQUAL(sim_mser5_truncation(c, 40, &stat), 0);
    CU_ASSERT_EQUAL(sim_mser5_truncation(c, 9, &stat), 0);
    CU_ASSERT(isnan(stat));
}

/* Samples: sorted in place, nearest-rank quantiles, the mean; NAN when empty. */
static void test_sample_quantiles(void)
{
    double v[] = { 5, 1, 4, 2, 3 };
    sim_sort_doubles(v, 5);
    CU_ASSERT_DOUBLE_EQUAL(v[0], 1, 0);
    CU_ASSERT_DOUBLE_EQUAL(v[4], 5, 0);
    CU_ASSERT_DOUBLE_EQUAL(sim_quantile_sorted(v, 5, 0.5), 3, 0);
    CU_ASSERT_DOUBLE_EQUAL(sim_quantile_sorted(v, 5, 0.99), 5, 0);
    CU_ASSERT_DOUBLE_EQUAL(sim_quantile_sorted(v, 5, 0), 1, 0);
    CU_ASSERT_DOUBLE_EQUAL(sim_quantile_sorted(v, 5, 1), 5, 0);
    CU_ASSERT_DOUBLE_EQUAL(sim_mean(v, 5), 3, 1e-15);
    CU_ASSERT_TRUE(isnan(sim_quantile_sorted(v, 0, 0.5)) && isnan(sim_mean(v, 0)));
}

void test_sim_stats_register(void)
{
    TEST_SUITE("sim_stats", TEST(test_sample_quantiles), TEST(test_tavg_hand_computed), TEST(test_tavg_long_horizon), TEST(test_counter_peak_rate),
               TEST(test_series_csv_bytes), TEST(test_series_csv_write_error), TEST(test_student_t_table),
               TEST(test_student_t_inverts_cdf), TEST(test_normal_quantile), TEST(test_ci_mean_hand_computed),
               TEST(test_ci_mean_coverage), TEST(test_mser5_known_series));
}
