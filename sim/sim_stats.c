/* sim_stats: time-weighted averages, counters with a peak rate, periodic
 * time series, and Student-t confidence intervals across replications.
 *
 * Invariants: a sim_tavg's `area` is the exact integral of its piecewise
 * constant signal over [t0, last] (times are integer ns, so the only rounding
 * is the double product value * dt); a sim_series holds rows x ncolumns
 * values in row-major order, one time per row, in the order they were added.
 *
 * The t quantile is Hill's (1970, CACM Algorithm 396) closed-form
 * approximation polished with Halley steps against the exact t CDF (the
 * regularized incomplete beta function by Lentz's continued fraction), so it
 * is accurate to ~1e-12 relative, far below what any CI needs. */
#include "sim/sim_stats.h"
#include "sim/sim_error.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- tavg */

void sim_tavg_init(sim_tavg *a, sim_time now, double value)
{
    g_return_if_fail(a != NULL);
    a->t0 = now;
    a->last = now;
    a->value = value;
    a->max = value;
    a->area = 0.0;
}

/* Closes the constant piece [last, now] into the integral. */
static void tavg_advance(sim_tavg *a, sim_time now)
{
    g_return_if_fail(now >= a->last);
    a->area += a->value * (double)(now - a->last);
    a->last = now;
}

void sim_tavg_set(sim_tavg *a, sim_time now, double value)
{
    tavg_advance(a, now);
    a->value = value;
    if (value > a->max) a->max = value;
}

void sim_tavg_add(sim_tavg *a, sim_time now, double delta)
{
    sim_tavg_set(a, now, a->value + delta);
}

double sim_tavg_mean(const sim_tavg *a, sim_time now)
{
    g_return_val_if_fail(now >= a->last, a->value);
    if (now == a->t0) return a->value;
    double area = a->area + a->value * (double)(now - a->last);
    return area / (double)(now - a->t0);
}

void sim_tavg_restart(sim_tavg *a, sim_time now)
{
    g_return_if_fail(now >= a->last);
    a->t0 = now;
    a->last = now;
    a->area = 0.0;
    a->max = a->value; /* the new window has seen only the current value */
}

/* ------------------------------------------------------------- counter */

void sim_counter_init(sim_counter *c, sim_time now, sim_time window)
{
    g_return_if_fail(c != NULL && window > 0);
    *c = (sim_counter){.t0 = now, .window = window, .win_start = now};
}

void sim_counter_add(sim_counter *c, sim_time now, uint64_t n)
{
    g_return_if_fail(now >= c->win_start);
    if (now - c->win_start >= c->window) {
        /* Close the current window; any skipped windows were empty. */
        if (c->win_count > c->peak_count) c->peak_count = c->win_count;
        c->win_start += (now - c->win_start) / c->window * c->window;
        c->win_count = 0;
    }
    c->win_count += n;
    c->total += n;
}

double sim_counter_rate(const sim_counter *c, sim_time now)
{
    if (now <= c->t0) return 0.0;
    return (double)c->total / sim_time_to_sec(now - c->t0);
}

double sim_counter_peak_rate(const sim_counter *c)
{
    uint64_t peak = c->win_count > c->peak_count ? c->win_count : c->peak_count;
    return (double)peak / sim_time_to_sec(c->window);
}

/* -------------------------------------------------------------- series */

struct sim_series {
    char **names;      /* ncolumns owned strings */
    size_t ncolumns;
    GArray *times;     /* sim_time per row */
    GArray *values;    /* double, rows * ncolumns, row-major */
};

sim_series *sim_series_new(const char *const *columns, size_t ncolumns)
{
    g_return_val_if_fail(columns != NULL || ncolumns == 0, NULL);
    sim_series *s = g_new0(sim_series, 1);
    s->names = g_new0(char *, ncolumns + 1);
    for (size_t i = 0; i < ncolumns; i++) s->names[i] = g_strdup(columns[i]);
    s->ncolumns = ncolumns;
    s->times = g_array_new(FALSE, FALSE, sizeof(sim_time));
    s->values = g_array_new(FALSE, FALSE, sizeof(double));
    return s;
}

void sim_series_free(sim_series *s)
{
    if (!s) return;
    g_strfreev(s->names);
    g_array_free(s->times, TRUE);
    g_array_free(s->values, TRUE);
    g_free(s);
}

void sim_series_add(sim_series *s, sim_time t, const double *values)
{
    g_return_if_fail(s != NULL && (values != NULL || s->ncolumns == 0));
    g_array_append_val(s->times, t);
    g_array_append_vals(s->values, values, (guint)s->ncolumns);
}

size_t sim_series_rows(const sim_series *s) { return s->times->len; }
size_t sim_series_columns(const sim_series *s) { return s->ncolumns; }

const char *sim_series_column_name(const sim_series *s, size_t col)
{
    g_return_val_if_fail(col < s->ncolumns, NULL);
    return s->names[col];
}

int sim_series_find(const sim_series *s, const char *name)
{
    for (size_t i = 0; i < s->ncolumns; i++)
        if (strcmp(s->names[i], name) == 0) return (int)i;
    return -1;
}

sim_time sim_series_time(const sim_series *s, size_t row)
{
    g_return_val_if_fail(row < s->times->len, 0);
    return g_array_index(s->times, sim_time, row);
}

double sim_series_value(const sim_series *s, size_t row, size_t col)
{
    g_return_val_if_fail(row < s->times->len && col < s->ncolumns, NAN);
    return g_array_index(s->values, double, row * s->ncolumns + col);
}

/* Seconds from integer ns, exactly: "12.5", "0.000001", "3". %.6g would
 * turn t = 1234.567 s into 1234.57 and make rows collide. */
static void format_seconds(char *buf, size_t len, sim_time t)
{
    const char *sign = t < 0 ? "-" : "";
    uint64_t u = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
    uint64_t whole = u / 1000000000u, frac = u % 1000000000u;
    if (frac == 0) { snprintf(buf, len, "%s%" G_GUINT64_FORMAT, sign, whole); return; }
    int digits = 9;
    while (frac % 10 == 0) { frac /= 10; digits--; }
    snprintf(buf, len, "%s%" G_GUINT64_FORMAT ".%0*" G_GUINT64_FORMAT, sign, whole, digits, frac);
}

/* RFC 4180: quote a header cell only if it contains , " or a line break. */
static int write_csv_name(FILE *out, const char *name)
{
    if (!strpbrk(name, ",\"\r\n")) return fputs(name, out) < 0 ? -1 : 0;
    if (fputc('"', out) == EOF) return -1;
    for (const char *p = name; *p; p++) {
        if (*p == '"' && fputc('"', out) == EOF) return -1;
        if (fputc(*p, out) == EOF) return -1;
    }
    return fputc('"', out) == EOF ? -1 : 0;
}

gboolean sim_series_write_csv(const sim_series *s, FILE *out, GError **error)
{
    g_return_val_if_fail(s != NULL && out != NULL, FALSE);
    int bad = fputs("t_s", out) < 0;
    for (size_t c = 0; c < s->ncolumns && !bad; c++)
        bad = fputc(',', out) == EOF || write_csv_name(out, s->names[c]) < 0;
    bad = bad || fputc('\n', out) == EOF;
    char tbuf[48], vbuf[G_ASCII_DTOSTR_BUF_SIZE];
    for (size_t r = 0; r < s->times->len && !bad; r++) {
        format_seconds(tbuf, sizeof tbuf, sim_series_time(s, r));
        bad = fputs(tbuf, out) < 0;
        /* g_ascii_formatd: a decimal point whatever the user's locale. */
        for (size_t c = 0; c < s->ncolumns && !bad; c++)
            bad = fputc(',', out) == EOF ||
                  fputs(g_ascii_formatd(vbuf, sizeof vbuf, "%.6g", sim_series_value(s, r, c)), out) < 0;
        bad = bad || fputc('\n', out) == EOF;
    }
    bad = bad || fflush(out) != 0 || ferror(out);
    if (bad) {
        int e = errno;
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "cannot write time series CSV: %s",
                    e ? g_strerror(e) : "write error");
        return FALSE;
    }
    return TRUE;
}

/* ------------------------------------------------- normal and Student t */

/* Wichura's AS241 (PPND16): the standard normal quantile to about 1e-16
 * relative accuracy, with one log and one sqrt in the tails. */
double sim_normal_quantile(double p)
{
    if (!(p > 0.0)) return p == 0.0 ? -INFINITY : NAN;
    if (!(p < 1.0)) return p == 1.0 ? INFINITY : NAN;
    double q = p - 0.5, r, x;
    if (fabs(q) <= 0.425) {
        r = 0.180625 - q * q;
        return q * (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r
                        + 45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r
                        + 133.14166789178437745) * r + 3.387132872796366608)
               / (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r
                        + 21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r
                        + 42.313330701600911252) * r + 1.0);
    }
    r = q < 0 ? p : 1.0 - p;
    r = sqrt(-log(r));
    if (r <= 5.0) {
        r -= 1.6;
        x = (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r
                 + 1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r
                 + 4.6303378461565452959) * r + 1.42343711074968357734)
            / (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r
                 + 0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r
                 + 2.05319162663775882187) * r + 1.0);
    } else {
        r -= 5.0;
        x = (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r
                 + 0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r
                 + 5.4637849111641143699) * r + 6.6579046435011037772)
            / (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r
                 + 7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r
                 + 0.59983220655588793769) * r + 1.0);
    }
    return q < 0 ? -x : x;
}

double sim_normal_cdf(double x)
{
    return 0.5 * erfc(-x / M_SQRT2);
}

/* Continued fraction for the incomplete beta (modified Lentz), valid and fast
 * for x < (a + 1) / (a + b + 2). */
static double betacf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0, d = 1.0 - qab * x / qap;
    if (fabs(d) < tiny) d = tiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= 10000; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d; if (fabs(d) < tiny) d = tiny;
        c = 1.0 + aa / c; if (fabs(c) < tiny) c = tiny;
        d = 1.0 / d; h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d; if (fabs(d) < tiny) d = tiny;
        c = 1.0 + aa / c; if (fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) < 1e-16) break;
    }
    return h;
}

/* log(Gamma(a + 1/2) / Gamma(a)). For large a the two lgamma values are
 * huge and nearly equal (df = 10^6 loses 7 digits), so use the asymptotic
 * series there; it is below 1e-15 absolute error from a = 25. */
static double lgamma_half_ratio(double a)
{
    if (a < 25.0) return lgamma(a + 0.5) - lgamma(a);
    double r = 1.0 / a, r2 = r * r;
    return 0.5 * log(a) - r / 8.0 + r * r2 * (1.0 / 192.0 + r2 * (-1.0 / 640.0 + r2 * 17.0 / 14336.0));
}

/* P(T > t) for t >= 0: 0.5 * I_x(df/2, 1/2) with x = df / (df + t^2),
 * with log x and log(1 - x) formed from t and df directly so that neither
 * a small t with a large df nor a large t loses digits to rounding of x. */
static double t_upper_tail(double t, double df)
{
    if (t == 0.0) return 0.5;
    double a = 0.5 * df, b = 0.5, t2 = t * t;
    double x = df / (df + t2), omx = t2 / (df + t2);
    double log_x = -log1p(t2 / df), log_omx = 2.0 * log(t) - log(df + t2);
    /* log B(a, 1/2)^-1 = log Gamma(a + 1/2) - log Gamma(a) - log sqrt(pi). */
    double front = exp(lgamma_half_ratio(a) - 0.5 * log(M_PI) + a * log_x + b * log_omx);
    double ibeta = x < (a + 1.0) / (a + b + 2.0) ? front * betacf(a, b, x) / a : 1.0 - front * betacf(b, a, omx) / b;
    return 0.5 * ibeta;
}

static double t_density(double t, double df)
{
    double lc = lgamma_half_ratio(0.5 * df) - 0.5 * log(df * M_PI);
    return exp(lc - 0.5 * (df + 1.0) * log1p(t * t / df));
}

double sim_student_t_cdf(double t, double df)
{
    g_return_val_if_fail(df > 0, NAN);
    if (isnan(t)) return NAN;
    if (isinf(t)) return t > 0 ? 1.0 : 0.0;
    double tail = t_upper_tail(fabs(t), df);
    return t >= 0 ? 1.0 - tail : tail;
}

/* Hill's approximation for the upper-tail quantile: the t > 0 with
 * P(T > t) = a, 0 < a < 0.5 (R's qt uses the same starting point). */
static double hill_start(double a, double df)
{
    double P = 2.0 * a; /* two-sided tail probability */
    if (fabs(df - 2.0) < 1e-12) return sqrt(2.0 / (P * (2.0 - P)) - 2.0);
    if (df < 1.0 + 1e-12) return 1.0 / tan(P * M_PI_2);
    double A = 1.0 / (df - 0.5), B = 48.0 / (A * A);
    double C = ((20700.0 * A / B - 98.0) * A - 16.0) * A + 96.36;
    double D = ((94.5 / (B + C) - 3.0) / B + 1.0) * sqrt(A * M_PI_2) * df;
    double y = pow(D * P, 2.0 / df);
    if (y > 0.05 + A) {
        double x = sim_normal_quantile(0.5 * P), y2 = x * x;
        if (df < 5) C += 0.3 * (df - 4.5) * (x + 0.6);
        C = (((0.05 * D * x - 5.0) * x - 7.0) * x - 2.0) * x + B + C;
        y = (((((0.4 * y2 + 6.3) * y2 + 36.0) * y2 + 94.5) / C - y2 - 3.0) / B + 1.0) * x;
        y = expm1(A * y * y);
    } else {
        y = ((1.0 / (((df + 6.0) / (df * y) - 0.089 * D - 0.822) * (df + 2.0) * 3.0) + 0.5 / (df + 4.0)) * y - 1.0)
            * (df + 1.0) / (df + 2.0) + 1.0 / y;
    }
    return sqrt(df * y);
}

double sim_student_t_quantile(double p, double df)
{
    g_return_val_if_fail(df > 0, NAN);
    if (isnan(p) || p < 0.0 || p > 1.0) return NAN;
    if (p == 0.0) return -INFINITY;
    if (p == 1.0) return INFINITY;
    if (p == 0.5) return 0.0;
    double a = p < 0.5 ? p : 1.0 - p; /* upper-tail probability */
    double t;
    if (df == 1.0) {
        t = 1.0 / tan(M_PI * a); /* Cauchy; not tan(pi (1/2 - a)), which rounds */
    } else if (df >= 1e5) {
        /* Cornish-Fisher expansion in 1/df (Abramowitz & Stegun 26.7.5);
         * the first omitted term is O(z^9 / df^4) < 1e-17 relative here,
         * where the continued fraction below would need ~sqrt(df) terms. */
        double z = -sim_normal_quantile(a), z2 = z * z, v = df;
        double g1 = (z2 + 1.0) * z / 4.0;
        double g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
        double g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
        t = z + g1 / v + g2 / (v * v) + g3 / (v * v * v);
    } else {
        t = hill_start(a, df);
        /* Halley steps on P(T > t) - a: converges cubically from Hill's
         * 3-4 correct digits. */
        for (int it = 0; it < 20 && isfinite(t); it++) {
            double f = t_upper_tail(t, df) - a, dens = t_density(t, df);
            if (!(dens > 0)) break;
            double step = f / dens;
            step *= 1.0 + step * t * (df + 1.0) / (2.0 * (t * t + df));
            t += step;
            if (fabs(step) <= 1e-14 * fabs(t)) break;
        }
    }
    return p < 0.5 ? -t : t;
}

void sim_ci_mean(const double *x, size_t n, double conf, double *mean, double *halfwidth)
{
    if (mean) *mean = NAN;
    if (halfwidth) *halfwidth = INFINITY;
    g_return_if_fail((x != NULL || n == 0) && conf > 0.0 && conf < 1.0);
    double m = 0.0, m2 = 0.0;
    /* Welford: stable even when the spread is tiny next to the mean. */
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - m;
        m += d / (double)(i + 1);
        m2 += d * (x[i] - m);
    }
    if (mean) *mean = n ? m : NAN;
    if (!halfwidth) return;
    if (n < 2) { *halfwidth = INFINITY; return; }
    double sd = sqrt(m2 / (double)(n - 1));
    *halfwidth = sim_student_t_quantile(0.5 + 0.5 * conf, (double)(n - 1)) * sd / sqrt((double)n);
}

/* ================================================================ warm-up detection */

size_t sim_mser5_truncation(const double *x, size_t n, double *stat)
{
    enum { B = 5 };
    size_t k = n / B;
    if (stat) *stat = NAN;
    g_return_val_if_fail(x != NULL || n == 0, 0);
    if (k < 2) return 0;
    /* Walk d from k/2 down to 0, growing the kept tail one batch at a time:
     * Welford's update of mean and squared deviations, so each MSER(d) costs
     * O(1) and no batch means need storing. */
    size_t dmax = k / 2, best_d = 0;
    double mean = 0, m2 = 0, best = INFINITY;
    size_t kept = 0;
    for (size_t j = k; j-- > 0;) {
        double z = 0;
        for (size_t i = 0; i < B; i++) z += x[j * B + i];
        z /= B;
        kept++;
        double dz = z - mean;
        mean += dz / (double)kept;
        m2 += dz * (z - mean);
        if (j <= dmax) {
            double v = m2 / ((double)kept * (double)kept);
            if (v <= best) { best = v; best_d = j; }   /* <=: ties go to the smaller d */
        }
    }
    if (stat) *stat = best;
    return best_d * B;
}

/* ---------------------------------------------------------------- samples */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void sim_sort_doubles(double *v, size_t n)
{
    if (n > 1) qsort(v, n, sizeof *v, cmp_double);
}

double sim_quantile_sorted(const double *v, size_t n, double p)
{
    if (!n) return NAN;
    size_t i = (size_t)ceil(p * (double)n);
    return v[i ? MIN(i, n) - 1 : 0];
}

double sim_mean(const double *v, size_t n)
{
    if (!n) return NAN;
    double s = 0;
    for (size_t i = 0; i < n; i++) s += v[i];
    return s / (double)n;
}
