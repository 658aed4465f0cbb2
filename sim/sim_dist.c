/* sim_dist: sampling, exact moments and the JSON form of the eight
 * distributions scenarios use.
 *
 * Invariant: a sim_dist's parameters are always valid for its kind (the _init
 * functions refuse impossible ones, sim_dist_from_json reports them), so
 * sampling never checks anything and never allocates. Each kind draws a fixed
 * number of uniforms per sample except Zipf (rejection, ~1.1 on average):
 * continuous kinds sample by inversion, so one uniform gives one value and
 * two runs with common random numbers stay in step.
 *
 * Parameter layout in p[] (private):
 *   constant     p0 = value
 *   uniform      p0 = min, p1 = max
 *   exponential  p0 = mean
 *   normal       p0 = mean, p1 = sd
 *   lognormal    p0 = mu, p1 = sigma
 *   pareto       p0 = xm, p1 = alpha
 *   zipf         n = ranks; p0 = s, p1 = H(1.5) - 1, p2 = H(n + 0.5),
 *                p3 = acceptance threshold (Hörmann-Derflinger constants)
 *   empirical    x, cdf, n: the table, owned */
#include "sim/sim_dist.h"
#include "sim/sim_error.h"
#include "sim/sim_stats.h"

#include <math.h>
#include <string.h>

static const char *const KIND_NAMES[] = {
    "constant", "uniform", "exponential", "normal", "lognormal", "pareto", "zipf", "empirical"};

/* =================================================================== Zipf
 * Rejection-inversion (Hörmann & Derflinger 1996, "Rejection-inversion to
 * generate variates from monotone discrete distributions"), as in Apache
 * Commons RNG: invert the integral H of the hat x^-s over [1.5, n + 0.5] and
 * accept rank k when the inverted point falls in k's own slice. O(1) memory
 * and expected time for any n and s > 0. */

/* log1p(x)/x and expm1(x)/x, continuous at 0. */
static double helper1(double x)
{
    return fabs(x) > 1e-8 ? log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}

static double helper2(double x)
{
    return fabs(x) > 1e-8 ? expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x));
}

/* H(x) = (x^(1-s) - 1) / (1 - s), or log(x) at s = 1. */
static double zipf_H(double x, double s)
{
    double lx = log(x);
    return helper2((1.0 - s) * lx) * lx;
}

static double zipf_h(double x, double s) { return exp(-s * log(x)); }

static double zipf_H_inv(double x, double s)
{
    double t = x * (1.0 - s);
    if (t < -1.0) t = -1.0; /* guards rounding at the upper end */
    return exp(helper1(t) * x);
}

static double zipf_sample(const sim_dist *d, sim_rng *rng)
{
    double s = d->p[0], hx1 = d->p[1], hn = d->p[2], thr = d->p[3];
    double n = (double)d->n;
    for (;;) {
        double u = hn + sim_rng_uniform(rng) * (hx1 - hn);
        double x = zipf_H_inv(u, s);
        double k = floor(x + 0.5);
        if (k < 1.0) k = 1.0;
        else if (k > n) k = n;
        if (k - x <= thr || u >= zipf_H(k + 0.5, s) - zipf_h(k, s)) return k;
    }
}

/* Generalised harmonic number sum_{k=1..n} k^-a: the first 64 terms exactly,
 * the rest by Euler-Maclaurin with three Bernoulli terms, whose remainder at
 * k >= 65 is below 1e-16 relative for the exponents scenarios use. This
 * makes Zipf's mean and variance O(1) even for n = 10^9. */
static double harmonic(uint64_t n, double a)
{
    const uint64_t K = 64;
    uint64_t m = n < K ? n : K;
    double sum = 0.0;
    for (uint64_t k = m; k >= 1; k--) sum += pow((double)k, -a);
    if (n <= K) return sum;
    double A = (double)(K + 1), B = (double)n;
    double integral = pow(A, 1.0 - a) * helper2((1.0 - a) * log(B / A)) * log(B / A);
    double fa = pow(A, -a), fb = pow(B, -a);
    /* Odd derivatives of x^-a at x: f' = -a x^(-a-1), f''' and f^(5). */
    double d1a = -a * pow(A, -a - 1), d1b = -a * pow(B, -a - 1);
    double c3 = -a * (a + 1) * (a + 2), c5 = c3 * (a + 3) * (a + 4);
    double d3a = c3 * pow(A, -a - 3), d3b = c3 * pow(B, -a - 3);
    double d5a = c5 * pow(A, -a - 5), d5b = c5 * pow(B, -a - 5);
    double em = (d1b - d1a) / 12.0 - (d3b - d3a) / 720.0 + (d5b - d5a) / 30240.0;
    return sum + integral + 0.5 * (fa + fb) + em;
}

/* ========================================================= constructors */

static void dist_zero(sim_dist *d) { memset(d, 0, sizeof *d); }

void sim_dist_init_constant(sim_dist *d, double value)
{
    dist_zero(d);
    g_return_if_fail(isfinite(value));
    d->p[0] = value;
}

void sim_dist_init_uniform(sim_dist *d, double lo, double hi)
{
    dist_zero(d);
    g_return_if_fail(isfinite(lo) && isfinite(hi) && lo <= hi);
    d->kind = SIM_DIST_UNIFORM;
    d->p[0] = lo;
    d->p[1] = hi;
}

void sim_dist_init_exponential(sim_dist *d, double mean)
{
    dist_zero(d);
    g_return_if_fail(mean > 0 && isfinite(mean));
    d->kind = SIM_DIST_EXPONENTIAL;
    d->p[0] = mean;
}

void sim_dist_init_normal(sim_dist *d, double mean, double sd)
{
    dist_zero(d);
    g_return_if_fail(isfinite(mean) && sd >= 0 && isfinite(sd));
    d->kind = SIM_DIST_NORMAL;
    d->p[0] = mean;
    d->p[1] = sd;
}

void sim_dist_init_lognormal(sim_dist *d, double mu, double sigma)
{
    dist_zero(d);
    g_return_if_fail(isfinite(mu) && sigma > 0 && isfinite(sigma));
    d->kind = SIM_DIST_LOGNORMAL;
    d->p[0] = mu;
    d->p[1] = sigma;
}

void sim_dist_init_pareto(sim_dist *d, double xm, double alpha)
{
    dist_zero(d);
    g_return_if_fail(xm > 0 && isfinite(xm) && alpha > 0 && isfinite(alpha));
    d->kind = SIM_DIST_PARETO;
    d->p[0] = xm;
    d->p[1] = alpha;
}

void sim_dist_init_zipf(sim_dist *d, uint64_t n, double s)
{
    dist_zero(d);
    g_return_if_fail(n >= 1 && n <= (UINT64_C(1) << 53) && s > 0 && isfinite(s));
    d->kind = SIM_DIST_ZIPF;
    d->n = (size_t)n;
    d->p[0] = s;
    d->p[1] = zipf_H(1.5, s) - 1.0;
    d->p[2] = zipf_H((double)n + 0.5, s);
    d->p[3] = 2.0 - zipf_H_inv(zipf_H(2.5, s) - zipf_h(2.0, s), s);
}

/* Checks an empirical table; the message names no key (callers prefix). */
static gboolean check_table(const double *x, const double *cdf, size_t n, GError **error)
{
    if (n < 2) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE, "empirical needs at least 2 points, got %zu", n);
        return FALSE;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(cdf[i])) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE, "empirical point %zu is not a finite number", i);
            return FALSE;
        }
        if (i > 0 && x[i] < x[i - 1]) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE,
                        "empirical x must be ascending, but x[%zu] = %g < x[%zu] = %g", i, x[i], i - 1, x[i - 1]);
            return FALSE;
        }
        if (i > 0 && cdf[i] < cdf[i - 1]) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE,
                        "empirical cdf must be non-decreasing, but cdf[%zu] = %g < cdf[%zu] = %g", i, cdf[i], i - 1,
                        cdf[i - 1]);
            return FALSE;
        }
    }
    if (cdf[0] != 0.0 || cdf[n - 1] != 1.0) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE, "empirical cdf must run from 0 to 1, got %g to %g", cdf[0],
                    cdf[n - 1]);
        return FALSE;
    }
    return TRUE;
}

gboolean sim_dist_init_empirical(sim_dist *d, const double *x, const double *cdf, size_t n, GError **error)
{
    dist_zero(d);
    g_return_val_if_fail(x != NULL && cdf != NULL, FALSE);
    if (!check_table(x, cdf, n, error)) return FALSE;
    d->kind = SIM_DIST_EMPIRICAL;
    d->x = g_memdup2(x, n * sizeof *x);
    d->cdf = g_memdup2(cdf, n * sizeof *cdf);
    d->n = n;
    return TRUE;
}

void sim_dist_clear(sim_dist *d)
{
    if (!d) return;
    if (d->kind == SIM_DIST_EMPIRICAL) {
        g_free(d->x);
        g_free(d->cdf);
    }
    dist_zero(d);
}

void sim_dist_copy(sim_dist *dst, const sim_dist *src)
{
    g_return_if_fail(dst != NULL && src != NULL);
    *dst = *src;
    if (src->kind == SIM_DIST_EMPIRICAL) {
        dst->x = g_memdup2(src->x, src->n * sizeof *src->x);
        dst->cdf = g_memdup2(src->cdf, src->n * sizeof *src->cdf);
    }
}

/* ============================================================= sampling */

/* Inverse of the piecewise-linear CDF: find the segment with
 * cdf[lo] <= u < cdf[lo+1] (it exists since cdf runs 0 -> 1 and u < 1) and
 * interpolate. Equal x's make an atom; equal cdf's a gap in the support. */
static double empirical_sample(const sim_dist *d, sim_rng *rng)
{
    double u = sim_rng_uniform(rng);
    size_t lo = 0, hi = d->n - 1;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->cdf[mid] <= u) lo = mid;
        else hi = mid;
    }
    double f = (u - d->cdf[lo]) / (d->cdf[hi] - d->cdf[lo]);
    return d->x[lo] + f * (d->x[hi] - d->x[lo]);
}

double sim_dist_sample(const sim_dist *d, sim_rng *rng)
{
    switch (d->kind) {
    case SIM_DIST_CONSTANT: return d->p[0];
    case SIM_DIST_UNIFORM: return d->p[0] + (d->p[1] - d->p[0]) * sim_rng_uniform(rng);
    case SIM_DIST_EXPONENTIAL: return -d->p[0] * log(sim_rng_uniform_pos(rng));
    case SIM_DIST_NORMAL: return d->p[0] + d->p[1] * sim_normal_quantile(sim_rng_uniform_pos(rng));
    case SIM_DIST_LOGNORMAL: return exp(d->p[0] + d->p[1] * sim_normal_quantile(sim_rng_uniform_pos(rng)));
    case SIM_DIST_PARETO: return d->p[0] * exp(-log(sim_rng_uniform_pos(rng)) / d->p[1]);
    case SIM_DIST_ZIPF: return zipf_sample(d, rng);
    case SIM_DIST_EMPIRICAL: return empirical_sample(d, rng);
    }
    g_return_val_if_reached(0.0);
}

/* ============================================================== moments */

/* E[X] and E[X^2] of the piecewise-linear CDF: each segment is uniform on
 * [x_i, x_i+1] with mass cdf_i+1 - cdf_i. */
static void empirical_moments(const sim_dist *d, double *m1, double *m2)
{
    double s1 = 0.0, s2 = 0.0;
    for (size_t i = 0; i + 1 < d->n; i++) {
        double w = d->cdf[i + 1] - d->cdf[i], a = d->x[i], b = d->x[i + 1];
        s1 += w * 0.5 * (a + b);
        s2 += w * (a * a + a * b + b * b) / 3.0;
    }
    *m1 = s1;
    *m2 = s2;
}

double sim_dist_mean(const sim_dist *d)
{
    const double *p = d->p;
    switch (d->kind) {
    case SIM_DIST_CONSTANT: return p[0];
    case SIM_DIST_UNIFORM: return 0.5 * (p[0] + p[1]);
    case SIM_DIST_EXPONENTIAL: return p[0];
    case SIM_DIST_NORMAL: return p[0];
    case SIM_DIST_LOGNORMAL: return exp(p[0] + 0.5 * p[1] * p[1]);
    case SIM_DIST_PARETO: return p[1] > 1.0 ? p[1] * p[0] / (p[1] - 1.0) : INFINITY;
    case SIM_DIST_ZIPF: return harmonic(d->n, p[0] - 1.0) / harmonic(d->n, p[0]);
    case SIM_DIST_EMPIRICAL: {
        double m1, m2;
        empirical_moments(d, &m1, &m2);
        return m1;
    }
    }
    g_return_val_if_reached(NAN);
}

double sim_dist_variance(const sim_dist *d)
{
    const double *p = d->p;
    switch (d->kind) {
    case SIM_DIST_CONSTANT: return 0.0;
    case SIM_DIST_UNIFORM: return (p[1] - p[0]) * (p[1] - p[0]) / 12.0;
    case SIM_DIST_EXPONENTIAL: return p[0] * p[0];
    case SIM_DIST_NORMAL: return p[1] * p[1];
    case SIM_DIST_LOGNORMAL: return expm1(p[1] * p[1]) * exp(2.0 * p[0] + p[1] * p[1]);
    case SIM_DIST_PARETO: {
        double a = p[1];
        return a > 2.0 ? p[0] * p[0] * a / ((a - 1.0) * (a - 1.0) * (a - 2.0)) : INFINITY;
    }
    case SIM_DIST_ZIPF: {
        double hs = harmonic(d->n, p[0]);
        double m1 = harmonic(d->n, p[0] - 1.0) / hs, m2 = harmonic(d->n, p[0] - 2.0) / hs;
        double v = m2 - m1 * m1;
        return v > 0.0 ? v : 0.0;
    }
    case SIM_DIST_EMPIRICAL: {
        double m1, m2;
        empirical_moments(d, &m1, &m2);
        double v = m2 - m1 * m1;
        return v > 0.0 ? v : 0.0;
    }
    }
    g_return_val_if_reached(NAN);
}

/* ================================================================= JSON */

/* Fields each kind accepts besides "dist", for validation and messages. */
static const char *const *kind_fields(sim_dist_kind k)
{
    static const char *const constant[] = {"value", NULL};
    static const char *const uniform[] = {"min", "max", NULL};
    static const char *const exponential[] = {"mean", "rate", NULL};
    static const char *const normal[] = {"mean", "sd", NULL};
    static const char *const lognormal[] = {"mu", "sigma", "median", "p99", "mean", "cv", NULL};
    static const char *const pareto[] = {"xm", "alpha", NULL};
    static const char *const zipf[] = {"n", "s", NULL};
    static const char *const empirical[] = {"x", "cdf", NULL};
    static const char *const *const all[] = {constant, uniform, exponential, normal,
                                             lognormal, pareto,  zipf,        empirical};
    return all[k];
}

static char *fields_list(sim_dist_kind k)
{
    GString *s = g_string_new(NULL);
    for (const char *const *f = kind_fields(k); *f; f++)
        g_string_append_printf(s, "%s%s", s->len ? ", " : "", *f);
    return g_string_free(s, FALSE);
}

static gboolean fail(GError **error, int code, const char *where, const char *fmt, ...) G_GNUC_PRINTF(4, 5);
static gboolean fail(GError **error, int code, const char *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, SIM_ERROR, code, "%s: %s", where, what);
    g_free(what);
    return FALSE;
}

/* Every key must be "dist" or one of the kind's fields, and appear once. */
static gboolean check_fields(const cJSON *obj, sim_dist_kind k, const char *where, GError **error)
{
    for (const cJSON *c = obj->child; c; c = c->next) {
        for (const cJSON *e = obj->child; e != c; e = e->next)
            if (strcmp(e->string, c->string) == 0) {
                g_autofree char *q = sim_error_quote(c->string);
                return fail(error, SIM_ERROR_VALUE, where, "field \"%s\" appears twice", q);
            }
        if (strcmp(c->string, "dist") == 0) continue;
        gboolean known = FALSE;
        for (const char *const *f = kind_fields(k); *f && !known; f++) known = strcmp(*f, c->string) == 0;
        if (!known) {
            char *list = fields_list(k);
            g_autofree char *q = sim_error_quote(c->string);
            fail(error, SIM_ERROR_UNKNOWN_KEY, where, "unknown field \"%s\" for %s (allowed: %s)", q,
                 KIND_NAMES[k], list);
            g_free(list);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean has(const cJSON *obj, const char *key) { return cJSON_GetObjectItemCaseSensitive(obj, key) != NULL; }

/* A JSON number node for v that prints back to exactly v. cJSON prints
 * with %.15g whenever that is within an epsilon of v, which silently drops
 * the last bit of values such as 0.30000000000000004 or a derived mu; a
 * scenario dumped and re-read must sample identically, so such values are
 * emitted as raw %.17g text instead (sim_dist_from_json reads both). */
static cJSON *exact_number(double v)
{
    char buf[40];
    if (g_ascii_strtod(g_ascii_formatd(buf, sizeof buf, "%.15g", v), NULL) == v) return cJSON_CreateNumber(v);
    g_ascii_formatd(buf, sizeof buf, "%.17g", v);
    return cJSON_CreateRaw(buf);
}

static void add_number(cJSON *o, const char *key, double v) { cJSON_AddItemToObject(o, key, exact_number(v)); }

/* A number node, or a raw node holding exactly one number (as made by
 * exact_number). */
static gboolean node_number(const cJSON *v, double *out)
{
    if (cJSON_IsNumber(v)) { *out = v->valuedouble; return isfinite(*out); }
    if (!cJSON_IsRaw(v) || !v->valuestring) return FALSE;
    char *end;
    *out = g_ascii_strtod(v->valuestring, &end);
    return end != v->valuestring && *end == '\0' && isfinite(*out);
}

/* Reads a required numeric field. */
static gboolean get_num(const cJSON *obj, const char *key, sim_dist_kind k, const char *where, double *out,
                        GError **error)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        char *list = fields_list(k);
        fail(error, SIM_ERROR_VALUE, where, "%s needs \"%s\" (fields: %s)", KIND_NAMES[k], key, list);
        g_free(list);
        return FALSE;
    }
    if (!node_number(v, out))
        return fail(error, SIM_ERROR_TYPE, where, "%s %s must be a number", KIND_NAMES[k], key);
    return TRUE;
}

/* Reads a numeric field that must be > 0. */
static gboolean get_pos(const cJSON *obj, const char *key, sim_dist_kind k, const char *where, double *out,
                        GError **error)
{
    if (!get_num(obj, key, k, where, out, error)) return FALSE;
    if (!(*out > 0.0))
        return fail(error, SIM_ERROR_VALUE, where, "%s needs %s > 0, got %g", KIND_NAMES[k], key, *out);
    return TRUE;
}

/* mu and sigma computed from another form: with extreme inputs (p99 a hair
 * above the median, cv of 1e200) they can leave the range the init takes,
 * which must be a message, not a refused init and a silent constant 0. */
static gboolean lognormal_derived(sim_dist *d, double mu, double sigma, const char *where, GError **error)
{
    if (!isfinite(mu) || !isfinite(sigma) || !(sigma > 0))
        return fail(error, SIM_ERROR_VALUE, where, "lognormal parameters out of range (mu %g, sigma %g)", mu, sigma);
    sim_dist_init_lognormal(d, mu, sigma);
    return TRUE;
}

static gboolean parse_lognormal(sim_dist *d, const cJSON *o, const char *where, GError **error)
{
    const sim_dist_kind k = SIM_DIST_LOGNORMAL;
    int forms = (has(o, "mu") || has(o, "sigma")) + (has(o, "median") || has(o, "p99")) +
                (has(o, "mean") || has(o, "cv"));
    if (forms != 1)
        return fail(error, SIM_ERROR_VALUE, where,
                    "lognormal takes exactly one of: mu and sigma, median and p99, or mean and cv");
    double a, b;
    if (has(o, "mu") || has(o, "sigma")) {
        if (!get_num(o, "mu", k, where, &a, error) || !get_pos(o, "sigma", k, where, &b, error)) return FALSE;
        sim_dist_init_lognormal(d, a, b);
    } else if (has(o, "median") || has(o, "p99")) {
        if (!get_pos(o, "median", k, where, &a, error) || !get_pos(o, "p99", k, where, &b, error)) return FALSE;
        if (!(b > a))
            return fail(error, SIM_ERROR_VALUE, where, "lognormal needs p99 > median, got median %g and p99 %g", a, b);
        /* median = e^mu; p99 = e^(mu + z99 sigma). */
        return lognormal_derived(d, log(a), log(b / a) / sim_normal_quantile(0.99), where, error);
    } else {
        if (!get_pos(o, "mean", k, where, &a, error) || !get_pos(o, "cv", k, where, &b, error)) return FALSE;
        /* cv^2 = e^(sigma^2) - 1; mean = e^(mu + sigma^2 / 2). */
        double s2 = log1p(b * b);
        return lognormal_derived(d, log(a) - 0.5 * s2, sqrt(s2), where, error);
    }
    return TRUE;
}

/* Reads a JSON array of numbers into a new g_malloc'd array. */
static double *get_array(const cJSON *o, const char *key, const char *where, size_t *n, GError **error)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!a) {
        fail(error, SIM_ERROR_VALUE, where, "empirical needs \"%s\" (fields: x, cdf)", key);
        return NULL;
    }
    if (!cJSON_IsArray(a)) {
        fail(error, SIM_ERROR_TYPE, where, "empirical %s must be an array of numbers", key);
        return NULL;
    }
    *n = (size_t)cJSON_GetArraySize(a);
    double *v = g_new(double, *n ? *n : 1);
    size_t i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        if (!node_number(e, &v[i])) {
            fail(error, SIM_ERROR_TYPE, where, "empirical %s[%zu] must be a number", key, i);
            g_free(v);
            return NULL;
        }
    }
    return v;
}

static gboolean parse_empirical(sim_dist *d, const cJSON *o, const char *where, GError **error)
{
    size_t nx = 0, nc = 0;
    double *x = get_array(o, "x", where, &nx, error);
    double *c = x ? get_array(o, "cdf", where, &nc, error) : NULL;
    gboolean ok = x && c;
    if (ok && nx != nc) ok = fail(error, SIM_ERROR_VALUE, where, "empirical x has %zu points but cdf has %zu", nx, nc);
    if (ok && !sim_dist_init_empirical(d, x, c, nx, error)) {
        g_prefix_error(error, "%s: ", where);
        ok = FALSE;
    }
    g_free(x);
    g_free(c);
    return ok;
}

static gboolean parse_kind(sim_dist *d, sim_dist_kind k, const cJSON *o, const char *where, GError **error)
{
    double a, b;
    switch (k) {
    case SIM_DIST_CONSTANT:
        if (!get_num(o, "value", k, where, &a, error)) return FALSE;
        sim_dist_init_constant(d, a);
        return TRUE;
    case SIM_DIST_UNIFORM:
        if (!get_num(o, "min", k, where, &a, error) || !get_num(o, "max", k, where, &b, error)) return FALSE;
        if (!(a <= b)) return fail(error, SIM_ERROR_VALUE, where, "uniform needs min <= max, got min %g and max %g", a, b);
        sim_dist_init_uniform(d, a, b);
        return TRUE;
    case SIM_DIST_EXPONENTIAL:
        if (has(o, "mean") == has(o, "rate"))
            return fail(error, SIM_ERROR_VALUE, where, "exponential takes exactly one of mean or rate");
        if (!get_pos(o, has(o, "mean") ? "mean" : "rate", k, where, &a, error)) return FALSE;
        if (!has(o, "mean")) a = 1.0 / a;
        if (!isfinite(a)) return fail(error, SIM_ERROR_VALUE, where, "exponential rate is too small (mean 1/rate is not finite)");
        sim_dist_init_exponential(d, a);
        return TRUE;
    case SIM_DIST_NORMAL:
        if (!get_num(o, "mean", k, where, &a, error) || !get_num(o, "sd", k, where, &b, error)) return FALSE;
        if (!(b >= 0)) return fail(error, SIM_ERROR_VALUE, where, "normal needs sd >= 0, got %g", b);
        sim_dist_init_normal(d, a, b);
        return TRUE;
    case SIM_DIST_LOGNORMAL: return parse_lognormal(d, o, where, error);
    case SIM_DIST_PARETO:
        if (!get_pos(o, "xm", k, where, &a, error) || !get_pos(o, "alpha", k, where, &b, error)) return FALSE;
        sim_dist_init_pareto(d, a, b);
        return TRUE;
    case SIM_DIST_ZIPF:
        if (!get_num(o, "n", k, where, &a, error) || !get_pos(o, "s", k, where, &b, error)) return FALSE;
        if (!(a >= 1.0 && a <= 9007199254740992.0 && a == floor(a)))
            return fail(error, SIM_ERROR_VALUE, where, "zipf needs a whole number n >= 1, got %g", a);
        sim_dist_init_zipf(d, (uint64_t)a, b);
        return TRUE;
    case SIM_DIST_EMPIRICAL: return parse_empirical(d, o, where, error);
    }
    g_return_val_if_reached(FALSE);
}

gboolean sim_dist_from_json(sim_dist *d, const cJSON *node, const char *where, GError **error)
{
    g_return_val_if_fail(d != NULL, FALSE);
    dist_zero(d);
    if (!where) where = "distribution";
    double value;
    if (node_number(node, &value)) {
        sim_dist_init_constant(d, value);
        return TRUE;
    }
    if (!cJSON_IsObject(node))
        return fail(error, SIM_ERROR_TYPE, where,
                    "expected a number or an object like {\"dist\":\"exponential\",\"mean\":0.002}");
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(node, "dist");
    if (!cJSON_IsString(kind))
        return fail(error, kind ? SIM_ERROR_TYPE : SIM_ERROR_VALUE, where,
                    "a distribution object needs \"dist\": one of constant, uniform, exponential, normal, "
                    "lognormal, pareto, zipf, empirical");
    for (int k = 0; k < (int)G_N_ELEMENTS(KIND_NAMES); k++) {
        if (strcmp(kind->valuestring, KIND_NAMES[k]) != 0) continue;
        if (!check_fields(node, (sim_dist_kind)k, where, error)) return FALSE;
        if (parse_kind(d, (sim_dist_kind)k, node, where, error)) return TRUE;
        dist_zero(d);
        return FALSE;
    }
    g_autofree char *q = sim_error_quote(kind->valuestring);
    return fail(error, SIM_ERROR_VALUE, where,
                "unknown dist \"%s\" (expected constant, uniform, exponential, normal, lognormal, pareto, zipf "
                "or empirical)", q);
}

cJSON *sim_dist_to_json(const sim_dist *d)
{
    g_return_val_if_fail(d != NULL, NULL);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "dist", KIND_NAMES[d->kind]);
    const char *const *f = kind_fields(d->kind);
    switch (d->kind) {
    case SIM_DIST_ZIPF:
        add_number(o, "n", (double)d->n);
        add_number(o, "s", d->p[0]);
        break;
    case SIM_DIST_EMPIRICAL: {
        cJSON *x = cJSON_AddArrayToObject(o, "x"), *c = cJSON_AddArrayToObject(o, "cdf");
        for (size_t i = 0; i < d->n; i++) {
            cJSON_AddItemToArray(x, exact_number(d->x[i]));
            cJSON_AddItemToArray(c, exact_number(d->cdf[i]));
        }
        break;
    }
    case SIM_DIST_CONSTANT: add_number(o, f[0], d->p[0]); break;
    case SIM_DIST_EXPONENTIAL: add_number(o, "mean", d->p[0]); break;
    default: /* two parameters, in the order of kind_fields */
        add_number(o, f[0], d->p[0]);
        add_number(o, f[1], d->p[1]);
        break;
    }
    return o;
}

char *sim_dist_describe(const sim_dist *d)
{
    g_return_val_if_fail(d != NULL, NULL);
    const double *p = d->p;
    switch (d->kind) {
    case SIM_DIST_CONSTANT: return g_strdup_printf("constant(%g)", p[0]);
    case SIM_DIST_UNIFORM: return g_strdup_printf("uniform(min=%g, max=%g)", p[0], p[1]);
    case SIM_DIST_EXPONENTIAL: return g_strdup_printf("exponential(mean=%g)", p[0]);
    case SIM_DIST_NORMAL: return g_strdup_printf("normal(mean=%g, sd=%g)", p[0], p[1]);
    case SIM_DIST_LOGNORMAL:
        return g_strdup_printf("lognormal(mu=%g, sigma=%g; median=%g, p99=%g, mean=%g)", p[0], p[1], exp(p[0]),
                               exp(p[0] + p[1] * sim_normal_quantile(0.99)), sim_dist_mean(d));
    case SIM_DIST_PARETO: return g_strdup_printf("pareto(xm=%g, alpha=%g)", p[0], p[1]);
    case SIM_DIST_ZIPF: return g_strdup_printf("zipf(n=%zu, s=%g)", d->n, p[0]);
    case SIM_DIST_EMPIRICAL:
        return g_strdup_printf("empirical(%zu points, %g..%g, mean=%g)", d->n, d->x[0], d->x[d->n - 1],
                               sim_dist_mean(d));
    }
    g_return_val_if_reached(NULL);
}
