/* cli_sweep: `slacksim sweep SCENARIO --vary KEY=VALUES [--vary ...]` runs
 * a scenario at every point of the grid of the varied keys (and per
 * replication) and prints one CSV row per point: the point's values, the
 * mean of each requested summary field and the half-width of its 95%
 * Student-t confidence interval across replications, and a status (`ok`,
 * or why the point could not run).
 *
 * This file also holds the trial machinery `size` shares (cli.h):
 * axes, trials with warm-up deletion, and the runner. Runs are independent
 * simulations, so they go to a GThreadPool (each owns its whole context:
 * the engine keeps no globals) and, in bin/slacksim-mpi, are spread over
 * MPI ranks; results are stored by index, so the output does not depend
 * on which thread or rank finished first.
 *
 * Invariant: bad input (a flag, an unknown key or --field) is refused
 * before any run, with one line on stderr and exit 2; a point that fails
 * the model's validation is a row, not an error. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <math.h>
#include <cjson/cJSON.h>
#include <glib/gstdio.h>
#include "cli/cli.h"
#include "sim/sim_error.h"
#include "sim/sim_stats.h"
#include "sim/sim_hist.h"
#include "models/slack_model.h"
#include "viz/viz_sweep.h"
#ifdef SLACKSIM_MPI
#include <mpi.h>
#endif

static const char *const default_fields[] = {
    "latency_ms.end_to_end.p99",
    "latency_ms.end_to_end.p50",
    "gateways.cpu_util_max",
    "postgres.util_max",
    "kafka.consumer_lag_max",
    "redis.ops_per_sec_peak",
};

/* Each run holds a whole simulation in memory; more threads than this
 * would only exhaust the machine. */
#define SWEEP_MAX_JOBS 256

/* The most values one axis may have: a typo such as 1..1000000 should be
 * an error, not a week of runs. */
#define AXIS_MAX_VALUES 10000

/* ================================================================ axes */

static gboolean parse_number(const char *s, const char *end, double *out)
{
    char *buf = g_strndup(s, (gsize)(end - s)), *stop = NULL;
    errno = 0;
    *out = g_ascii_strtod(buf, &stop);
    gboolean ok = *buf && !*stop && errno == 0 && isfinite(*out);
    g_free(buf);
    return ok;
}

static gboolean is_whole(double x) { return fabs(x) < 9007199254740992.0 && floor(x) == x; }

static char *format_value(double v, gboolean whole)
{
    return whole ? g_strdup_printf("%.0f", v) : g_strdup_printf("%.12g", v);
}

/* "LO..HI[:STEP]" or "LO..HI*FACTOR" into `out`. */
static gboolean axis_range(const char *key, const char *text, GPtrArray *out, GError **error)
{
    const char *dots = strstr(text, ".."), *hi_end = text + strlen(text);
    const char *step_at = strchr(dots + 2, ':'), *fac_at = strchr(dots + 2, '*');
    if (step_at && fac_at) goto bad;
    const char *tail = step_at ? step_at : fac_at;
    if (tail) hi_end = tail;
    double lo, hi, step = 1, factor = 0;
    if (!parse_number(text, dots, &lo) || !parse_number(dots + 2, hi_end, &hi)) goto bad;
    if (step_at && (!parse_number(step_at + 1, step_at + strlen(step_at), &step) || !(step > 0))) goto bad;
    if (fac_at && (!parse_number(fac_at + 1, fac_at + strlen(fac_at), &factor) || !(factor > 1) || !(lo > 0))) goto bad;
    if (hi < lo) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "--vary %s=%s: the range ends below its start", key, text);
        return FALSE;
    }
    gboolean whole = is_whole(lo) && is_whole(hi) && (fac_at || is_whole(step));
    double last = NAN;
    for (guint i = 0;; i++) {
        /* Each value from LO and i, never accumulated: no drift. */
        double v = fac_at ? lo * pow(factor, i) : lo + i * step;
        if (whole) v = round(v);
        if (v > hi * (1 + 1e-12) + 1e-12) break;
        if (v == last) continue;
        if (out->len >= AXIS_MAX_VALUES) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "--vary %s=%s: more than %d values", key, text, AXIS_MAX_VALUES);
            return FALSE;
        }
        g_ptr_array_add(out, format_value(v, whole));
        last = v;
    }
    return TRUE;
bad:
    g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                "--vary %s=%s: a range is LO..HI, LO..HI:STEP (STEP > 0) or LO..HI*FACTOR (LO > 0, FACTOR > 1)", key, text);
    return FALSE;
}

gboolean cli_axis_parse(const char *spec, cli_axis *axis, GError **error)
{
    memset(axis, 0, sizeof *axis);
    const char *eq = spec ? strchr(spec, '=') : NULL;
    if (!eq || eq == spec || !eq[1]) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                    "--vary needs KEY=V1,V2,... or KEY=LO..HI[:STEP] or KEY=LO..HI*FACTOR (e.g. --vary gateways.count=2..8:2)");
        return FALSE;
    }
    char *key = g_strndup(spec, (gsize)(eq - spec));
    GPtrArray *vals = g_ptr_array_new_with_free_func(g_free);
    gboolean ok = TRUE;
    if (strstr(eq + 1, "..") && !strchr(eq + 1, ',')) {
        ok = axis_range(key, eq + 1, vals, error);
    } else {
        char **parts = g_strsplit(eq + 1, ",", -1);
        for (char **p = parts; *p; p++) {
            if (!**p) {
                g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "--vary %s: an empty value in '%s'", key, eq + 1);
                ok = FALSE;
                break;
            }
            g_ptr_array_add(vals, g_strdup(*p));
        }
        g_strfreev(parts);
    }
    if (!ok) { g_free(key); g_ptr_array_free(vals, TRUE); return FALSE; }
    axis->key = key;
    axis->n = vals->len;
    g_ptr_array_add(vals, NULL);
    g_ptr_array_set_free_func(vals, NULL);
    axis->values = (char **)g_ptr_array_free(vals, FALSE);
    return TRUE;
}

void cli_axis_clear(cli_axis *axis)
{
    g_free(axis->key);
    g_strfreev(axis->values);
    memset(axis, 0, sizeof *axis);
}

char **cli_point_sets(char **sets, const cli_axis *axes, guint naxes, const guint *index)
{
    guint nsets = sets ? g_strv_length(sets) : 0;
    char **out = g_new0(char *, nsets + naxes + 1);
    for (guint i = 0; i < nsets; i++) out[i] = g_strdup(sets[i]);
    for (guint k = 0; k < naxes; k++) out[nsets + k] = g_strdup_printf("%s=%s", axes[k].key, axes[k].values[index[k]]);
    return out;
}

/* ================================================================ fields */

/* The node at a dotted path of the summary, or NULL. */
static const cJSON *field_node(const cJSON *root, const char *path)
{
    char **parts = g_strsplit(path, ".", -1);
    const cJSON *node = root;
    for (char **p = parts; *p && node; p++)
        node = cJSON_IsObject(node) ? cJSON_GetObjectItemCaseSensitive(node, *p) : NULL;
    g_strfreev(parts);
    return node;
}

/* A number, or a boolean as 0/1 (so `slo.*.met` averages to the fraction
 * of replications that met it); NAN otherwise. */
static double field_value(const cJSON *root, const char *path)
{
    const cJSON *n = field_node(root, path);
    if (cJSON_IsNumber(n)) return n->valuedouble;
    if (cJSON_IsBool(n)) return cJSON_IsTrue(n) ? 1.0 : 0.0;
    return NAN;
}

gboolean cli_fields_check(const char *scenario, const char *const *sets, const char *flag,
                          const char *const *fields, guint nfields, GError **error)
{
    sim_scenario *sc = slack_model_load_scenario(scenario, sets, error);
    if (!sc) return FALSE;
    slack_model *m = slack_model_new(sc, 1, error);
    sim_scenario_free(sc);
    if (!m) return FALSE;
    cJSON *dry = slack_model_summary(m, NULL);   /* built, not run: every field is there */
    slack_model_free(m);
    gboolean ok = TRUE;
    for (guint f = 0; f < nfields && ok; f++) {
        const cJSON *n = field_node(dry, fields[f]);
        g_autofree char *q = sim_error_quote(fields[f]);
        /* null: a figure with no samples yet (search targets), a number after a run */
        if (cJSON_IsNumber(n) || cJSON_IsBool(n) || cJSON_IsNull(n)) continue;
        ok = FALSE;
        if (!n) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "%s %s: not a numeric field of summary.json (see docs/output.md)", flag, q);
        } else if (cJSON_IsObject(n)) {
            GString *names = g_string_new(NULL);
            for (const cJSON *c = n->child; c; c = c->next) g_string_append_printf(names, "%s%s", names->len ? ", " : "", c->string);
            g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "%s %s: a section, not a figure (it has: %s)", flag, q, names->str);
            g_string_free(names, TRUE);
        } else {
            g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "%s %s: a %s field; only numbers and booleans can be averaged", flag,
                        q, cJSON_IsString(n) ? "string" : "list");
        }
    }
    cJSON_Delete(dry);
    return ok;
}

/* ================================================================ one trial */

void cli_trial_clear(cli_trial *t)
{
    g_strfreev(t->sets);
    g_free(t->values);
    g_free(t->error);
    memset(t, 0, sizeof *t);
}

/* The latency histograms behind latency_ms.*, by their summary names. */
static const char *const latency_names[SLACK_LATENCY_COUNT] = { "end_to_end", "persist", "kafka", "fanout", "push" };

/* After - before, bucket by bucket: `before` is the same run's histogram at
 * the end of the warm-up, so each of its buckets holds at most what
 * `after` holds there. sim_hist_foreach reports a bucket by its middle
 * clamped to the histogram's own min and max, so the two histograms may
 * name one bucket by different values: buckets are matched by index, with
 * sim_hist__bucket, the header's own bucket function (the one
 * sim_hist_record uses). The result is the post-warm-up histogram exactly,
 * except that its min and max become bucket values (within 0.39%). */
typedef struct { GHashTable *before; sim_hist *out; } hist_diff;

static void diff_collect(int64_t value, uint64_t count, void *user)
{
    hist_diff *d = user;
    g_hash_table_insert(d->before, GUINT_TO_POINTER(sim_hist__bucket((uint64_t)value) + 1), GSIZE_TO_POINTER((gsize)count));
}

static void diff_record(int64_t value, uint64_t count, void *user)
{
    hist_diff *d = user;
    uint64_t b = (uint64_t)GPOINTER_TO_SIZE(g_hash_table_lookup(d->before, GUINT_TO_POINTER(sim_hist__bucket((uint64_t)value) + 1)));
    if (count > b) sim_hist_record_n(d->out, value, count - b);
}

static sim_hist *hist_subtract(const sim_hist *after, const sim_hist *before)
{
    sim_hist *out = sim_hist_new();
    hist_diff d = { g_hash_table_new(g_direct_hash, g_direct_equal), out };
    if (before) sim_hist_foreach(before, diff_collect, &d);
    sim_hist_foreach(after, diff_record, &d);
    g_hash_table_destroy(d.before);
    return out;
}

/* The SLO verdicts the model computes from the histograms, recomputed from
 * the post-warm-up ones: the same definitions as models/slack_output.c
 * (p99 against the target; no samples, no verdict against it). */
static void patch_slo(cJSON *summary, const char *name, const sim_hist *h, double unit)
{
    cJSON *slo = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(summary, "slo"), name);
    const cJSON *target = cJSON_GetObjectItemCaseSensitive(slo, "target");
    if (!slo || !cJSON_IsNumber(target)) return;
    double v = (double)sim_hist_percentile(h, 99) / unit;
    cJSON_ReplaceItemInObjectCaseSensitive(slo, "value", cJSON_CreateNumber(v));
    cJSON_ReplaceItemInObjectCaseSensitive(slo, "met", cJSON_CreateBool(sim_hist_count(h) == 0 || v <= target->valuedouble));
}

/* Runs the model to `warmup` (ns), keeps copies of the latency histograms,
 * runs to the end and rewrites latency_ms.* and the SLO verdicts with what
 * came after. Counts, peaks and utilizations stay whole-run figures. */
static cJSON *run_with_warmup(const sim_scenario *sc, uint64_t seed, sim_time warmup, GError **error)
{
    slack_model *m = slack_model_new(sc, seed, error);
    if (!m) return NULL;
    sim_hist *before[SLACK_LATENCY_COUNT] = { NULL };
    if (warmup > 0) {
        slack_model_run_until(m, warmup);
        for (int i = 0; i < SLACK_LATENCY_COUNT; i++) before[i] = slack_model_latency_hist(m, (slack_latency)i);
    }
    slack_model_finish(m);
    cJSON *out = slack_model_summary(m, NULL);
    if (warmup > 0) {
        cJSON *lat = cJSON_GetObjectItemCaseSensitive(out, "latency_ms");
        sim_hist *kept[SLACK_LATENCY_COUNT];
        for (int i = 0; i < SLACK_LATENCY_COUNT; i++) {
            sim_hist *after = slack_model_latency_hist(m, (slack_latency)i);
            kept[i] = hist_subtract(after, before[i]);
            sim_hist_free(after);
            if (cJSON_GetObjectItemCaseSensitive(lat, latency_names[i]))
                cJSON_ReplaceItemInObjectCaseSensitive(lat, latency_names[i], sim_hist_to_json(kept[i], 1e6));
        }
        patch_slo(out, "end_to_end_p99_ms", kept[SLACK_LATENCY_END_TO_END], 1e6);
        patch_slo(out, "persist_p99_ms", kept[SLACK_LATENCY_PERSIST], 1e6);
        patch_slo(out, "push_p99_s", kept[SLACK_LATENCY_PUSH], 1e9);
        for (int i = 0; i < SLACK_LATENCY_COUNT; i++) { sim_hist_free(kept[i]); sim_hist_free(before[i]); }
    }
    slack_model_free(m);
    return out;
}

/* MSER-5 on a pilot run's per-interval end-to-end p99: the warm-up is the
 * end of the last deleted interval (0 when nothing is deleted). */
static sim_time mser_warmup(const sim_scenario *sc, uint64_t seed, cJSON **pilot, GError **error)
{
    slack_model *m = slack_model_new(sc, seed, error);
    if (!m) return -1;
    slack_model_finish(m);
    const sim_series *s = slack_model_timeseries(m);
    int col = sim_series_find(s, "e2e_p99_ms");
    size_t n = sim_series_rows(s), d = 0;
    if (col >= 0 && n) {
        double *x = g_new(double, n);
        for (size_t i = 0; i < n; i++) x[i] = sim_series_value(s, i, (size_t)col);
        d = sim_mser5_truncation(x, n, NULL);
        g_free(x);
    }
    sim_time w = d ? sim_series_time(s, d - 1) : 0;
    *pilot = d ? NULL : slack_model_summary(m, NULL);
    slack_model_free(m);
    return w;
}

static void trial_run(const char *scenario, const char *const *fields, guint nfields, cli_trial *t)
{
    GError *error = NULL;
    cJSON *summary = NULL;
    t->values = g_new(double, nfields);
    for (guint f = 0; f < nfields; f++) t->values[f] = NAN;
    sim_scenario *sc = slack_model_load_scenario(scenario, (const char *const *)t->sets, &error);
    if (sc) {
        sim_time w = 0;
        if (t->warmup_s == CLI_WARMUP_AUTO) w = mser_warmup(sc, t->seed, &summary, &error);
        else w = sim_time_from_sec(t->warmup_s);
        if (w >= 0 && !summary) summary = run_with_warmup(sc, t->seed, w, &error);
        t->warmup_used_s = w > 0 ? sim_time_to_sec(w) : 0;
        sim_scenario_free(sc);
    }
    if (summary) {
        for (guint f = 0; f < nfields; f++) t->values[f] = field_value(summary, fields[f]);
        cJSON_Delete(summary);
    } else {
        t->error = g_strdup(error ? error->message : "the run failed");
    }
    g_clear_error(&error);
}

/* ================================================================ the runner */

typedef struct {
    const char *scenario;
    const char *const *fields;
    guint nfields;
} trial_ctx;

static void pool_run(gpointer data, gpointer user)
{
    const trial_ctx *c = user;
    trial_run(c->scenario, c->fields, c->nfields, data);
}

#ifdef SLACKSIM_MPI
static int mpi_rank, mpi_size = 1;

int cli_mpi_rank(void) { return mpi_rank; }

void cli_mpi_begin(int *argc, char ***argv)
{
    int provided;
    /* Only the main thread calls MPI; the pool's threads never do. */
    MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &mpi_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &mpi_size);
}

void cli_mpi_end(void) { MPI_Finalize(); }

/* Trial i's results, broadcast by its rank (i % size) to all: a packed
 * vector [has_error, warmup_used_s, values...], then the error text. Every
 * rank calls this in the same order, so no tags or matching are needed. */
static void mpi_share(cli_trial *t, guint nfields, int owner)
{
    double *buf = g_new(double, nfields + 3);
    int elen = 0;
    if (owner == mpi_rank) {
        buf[0] = t->error != NULL;
        buf[1] = t->warmup_used_s;
        memcpy(buf + 2, t->values, nfields * sizeof(double));
        elen = t->error ? (int)strlen(t->error) + 1 : 0;
    }
    MPI_Bcast(buf, (int)nfields + 2, MPI_DOUBLE, owner, MPI_COMM_WORLD);
    MPI_Bcast(&elen, 1, MPI_INT, owner, MPI_COMM_WORLD);
    if (owner != mpi_rank) {
        t->warmup_used_s = buf[1];
        g_free(t->values);
        t->values = g_memdup2(buf + 2, nfields * sizeof(double));
        g_free(t->error);
        t->error = elen ? g_malloc(elen) : NULL;
    }
    if (elen) MPI_Bcast(t->error, elen, MPI_CHAR, owner, MPI_COMM_WORLD);
    g_free(buf);
}
#else
int cli_mpi_rank(void) { return 0; }
void cli_mpi_begin(int *argc, char ***argv) { (void)argc; (void)argv; }
void cli_mpi_end(void) {}
#endif

void cli_trials_run(const char *scenario, const char *const *fields, guint nfields,
                    cli_trial *trials, guint n, int jobs)
{
    trial_ctx c = { scenario, fields, nfields };
    /* No more threads than runs: each thread holds a whole simulation. */
    GThreadPool *pool = g_thread_pool_new(pool_run, &c, (gint)MAX(1u, MIN((guint)MAX(jobs, 1), n)), TRUE, NULL);
    for (guint i = 0; i < n; i++) {
#ifdef SLACKSIM_MPI
        if ((int)(i % (guint)mpi_size) != mpi_rank) continue;
#endif
        g_thread_pool_push(pool, &trials[i], NULL);
    }
    g_thread_pool_free(pool, FALSE, TRUE);
#ifdef SLACKSIM_MPI
    for (guint i = 0; i < n; i++) mpi_share(&trials[i], nfields, (int)(i % (guint)mpi_size));
#endif
}

/* ================================================================ sweep */

typedef struct sweep_plan {
    cli_axis *axes;           /* owned: the varied keys, first slowest */
    guint naxes;
    guint npoints;            /* product of the axes' sizes */
    guint replications;
    double warmup_s;          /* as for cli_trial; NAN: no --warmup */
    const char *const *fields;
    guint nfields;
} sweep_plan;

typedef struct sweep_point {
    char **sets;              /* owned: fixed overrides + the point's values */
    char *status;             /* owned: NULL (runs) or why it cannot */
    guint first_trial;        /* index of its first replication */
} sweep_point;

static void point_index(const sweep_plan *plan, guint p, guint *index)
{
    for (guint k = plan->naxes; k-- > 0;) {
        index[k] = p % plan->axes[k].n;
        p /= plan->axes[k].n;
    }
}

/* CSV cell (RFC 4180): quoted when it holds a comma, quote or newline. */
static void print_cell(GString *out, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) { g_string_append(out, s); return; }
    g_string_append_c(out, '"');
    for (const char *c = s; *c; c++) {
        if (*c == '"') g_string_append_c(out, '"');
        g_string_append_c(out, *c == '\n' || *c == '\r' ? ' ' : *c);
    }
    g_string_append_c(out, '"');
}

/* Mean and 95% half-width of field f (or the warm-up, f == nfields) over
 * a point's replications; NAN half-width with one replication. */
static void point_stat(const sweep_plan *plan, const cli_trial *trials, const sweep_point *pt, guint f,
                       double *mean, double *half)
{
    double *x = g_new(double, plan->replications);
    for (guint r = 0; r < plan->replications; r++) {
        const cli_trial *t = &trials[pt->first_trial + r];
        x[r] = f < plan->nfields ? t->values[f] : t->warmup_used_s;
    }
    sim_ci_mean(x, plan->replications, 0.95, mean, half);
    if (plan->replications < 2) { *mean = x[0]; *half = NAN; }
    g_free(x);
}

static const char *point_error(const sweep_plan *plan, const cli_trial *trials, const sweep_point *pt)
{
    if (pt->status) return pt->status;
    for (guint r = 0; r < plan->replications; r++)
        if (trials[pt->first_trial + r].error) return trials[pt->first_trial + r].error;
    return NULL;
}

static char *sweep_table(const sweep_plan *plan, const sweep_point *pts, const cli_trial *trials,
                         const char *scenario, uint64_t seed)
{
    GString *o = g_string_new(NULL);
    g_string_append_printf(o, "# slacksim sweep scenario=%s seed=%" G_GUINT64_FORMAT " replications=%u", scenario, seed,
                           plan->replications);
    if (plan->warmup_s == CLI_WARMUP_AUTO)
        g_string_append(o, " warmup=auto (MSER-5 on each run's e2e_p99_ms series; warmup_s is the mean deleted)");
    else if (!isnan(plan->warmup_s))
        g_string_append_printf(o, " warmup=%gs (deleted from the latency figures)", plan->warmup_s);
    g_string_append(o, " (replication r uses seed+r; _ci95 is the 95% Student-t half-width)\n");
    for (guint k = 0; k < plan->naxes; k++) { if (k) g_string_append_c(o, ','); print_cell(o, plan->axes[k].key); }
    for (guint f = 0; f < plan->nfields; f++) g_string_append_printf(o, ",%s,%s_ci95", plan->fields[f], plan->fields[f]);
    if (!isnan(plan->warmup_s)) g_string_append(o, ",warmup_s,warmup_s_ci95");
    g_string_append(o, ",status\n");
    guint *index = g_new(guint, plan->naxes);
    guint ncols = plan->nfields + !isnan(plan->warmup_s);
    for (guint p = 0; p < plan->npoints; p++) {
        point_index(plan, p, index);
        for (guint k = 0; k < plan->naxes; k++) { if (k) g_string_append_c(o, ','); print_cell(o, plan->axes[k].values[index[k]]); }
        const char *err = point_error(plan, trials, &pts[p]);
        for (guint f = 0; f < ncols; f++) {
            if (err) { g_string_append(o, ",,"); continue; }
            double mean, half;
            point_stat(plan, trials, &pts[p], f, &mean, &half);
            g_string_append_printf(o, ",%.6g,%.6g", mean, half);
        }
        g_string_append_c(o, ',');
        print_cell(o, err ? err : "ok");
        g_string_append_c(o, '\n');
    }
    g_free(index);
    return g_string_free(o, FALSE);
}

/* The x positions of an axis: its values when they are all numbers, else
 * 0, 1, 2, ... (the chart labels them). */
static double *axis_positions(const cli_axis *a, gboolean *numeric)
{
    double *x = g_new(double, a->n);
    *numeric = TRUE;
    for (guint i = 0; i < a->n; i++) {
        char *end = NULL;
        x[i] = g_ascii_strtod(a->values[i], &end);
        if (!*a->values[i] || *end) *numeric = FALSE;
    }
    if (!*numeric) for (guint i = 0; i < a->n; i++) x[i] = i;
    return x;
}

/* One chart per field (and per combination of a third and later key's
 * values): the first key on x, one line per value of the second. */
static gboolean sweep_plots(const sweep_plan *plan, const sweep_point *pts, const cli_trial *trials, const char *dir,
                            GError **error)
{
    const cli_axis *ax = &plan->axes[0], *sx = plan->naxes > 1 ? &plan->axes[1] : NULL;
    guint nseries = sx ? sx->n : 1, nrest = plan->npoints / (ax->n * nseries);
    gboolean numeric;
    double *x = axis_positions(ax, &numeric);
    double *mean = g_new(double, nseries * ax->n), *ci = g_new(double, nseries * ax->n);
    guint *index = g_new(guint, plan->naxes);
    gboolean ok = TRUE;
    for (guint f = 0; f < plan->nfields && ok; f++) {
        for (guint rest = 0; rest < nrest && ok; rest++) {
            GString *name = g_string_new(plan->fields[f]);
            for (guint s = 0; s < nseries; s++) {
                for (guint i = 0; i < ax->n; i++) {
                    /* point number: axis 0 slowest, then axis 1, then the rest */
                    guint p = (i * nseries + s) * nrest + rest;
                    double m = NAN, h = NAN;
                    if (!point_error(plan, trials, &pts[p])) point_stat(plan, trials, &pts[p], f, &m, &h);
                    mean[s * ax->n + i] = m;
                    ci[s * ax->n + i] = h;
                    if (s == 0 && i == 0 && plan->naxes > 2) {
                        point_index(plan, p, index);
                        for (guint k = 2; k < plan->naxes; k++)
                            g_string_append_printf(name, "__%s=%s", plan->axes[k].key, plan->axes[k].values[index[k]]);
                    }
                }
            }
            viz_sweep_chart c = {
                .field = plan->fields[f], .xkey = ax->key, .series_key = sx ? sx->key : NULL,
                .nx = ax->n, .x = x, .x_labels = numeric ? NULL : (const char *const *)ax->values,
                .nseries = nseries, .series_labels = sx ? (const char *const *)sx->values : NULL,
                .mean = mean, .ci = ci, .subtitle = name->str + strlen(plan->fields[f]),
            };
            ok = viz_sweep_write_chart(dir, name->str, &c, error);
            g_string_free(name, TRUE);
        }
    }
    g_free(index);
    g_free(x);
    g_free(mean);
    g_free(ci);
    return ok;
}

/* The run seed comes from --seed and the replication number only, so a
 * "seed" key would be silently ignored: refuse it. */
static gboolean check_seed_key(char **vary, char **sets, GError **error)
{
    gboolean bad = FALSE;
    for (guint i = 0; vary && vary[i]; i++) bad |= g_str_has_prefix(vary[i], "seed=");
    for (guint i = 0; sets && sets[i]; i++) bad |= g_str_has_prefix(sets[i], "seed=");
    if (bad)
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                    "the seed cannot be set or varied as a key: use --seed N and --replications R (seeds N..N+R-1)");
    return !bad;
}

gboolean cli_parse_warmup(const char *text, double *out, GError **error)
{
    if (!text) { *out = NAN; return TRUE; }
    if (strcmp(text, "auto") == 0) { *out = CLI_WARMUP_AUTO; return TRUE; }
    if (parse_number(text, text + strlen(text), out) && *out >= 0) return TRUE;
    g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "--warmup takes seconds >= 0 or 'auto', got '%s'", text);
    return FALSE;
}

gboolean cli_parse_axes(char **vary, cli_axis **axes, guint *naxes, guint *npoints, GError **error)
{
    guint n = vary ? g_strv_length(vary) : 0;
    *axes = g_new0(cli_axis, MAX(n, 1));
    *naxes = 0;
    *npoints = 1;
    if (n == 0) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "--vary needs KEY=V1,V2,... or KEY=LO..HI[:STEP] or KEY=LO..HI*FACTOR (required; e.g. --vary postgres.writers=4..8)");
        return FALSE;
    }
    for (guint i = 0; i < n; i++) {
        if (!cli_axis_parse(vary[i], &(*axes)[i], error)) return FALSE;
        (*naxes)++;
        for (guint j = 0; j < i; j++)
            if (strcmp((*axes)[j].key, (*axes)[i].key) == 0) {
                g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "--vary %s is given twice", (*axes)[i].key);
                return FALSE;
            }
        if ((guint64)*npoints * (*axes)[i].n > 100000) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "the grid has more than 100000 points");
            return FALSE;
        }
        *npoints *= (*axes)[i].n;
    }
    return TRUE;
}

/* Loads every point (an unknown key or a malformed value is bad input: the
 * whole command is refused) and validates it (a value the model refuses
 * is that point's status). */
static gboolean sweep_points(const char *scenario, char **sets, const sweep_plan *plan, sweep_point *pts,
                             guint *first_valid, GError **error)
{
    guint *index = g_new(guint, plan->naxes);
    *first_valid = G_MAXUINT;
    gboolean ok = TRUE;
    for (guint p = 0; p < plan->npoints && ok; p++) {
        point_index(plan, p, index);
        pts[p].sets = cli_point_sets(sets, plan->axes, plan->naxes, index);
        sim_scenario *sc = slack_model_load_scenario(scenario, (const char *const *)pts[p].sets, error);
        if (!sc) { ok = FALSE; break; }
        GError *invalid = NULL;
        if (!slack_model_validate(sc, &invalid)) {
            pts[p].status = g_strdup(invalid->message);
            g_error_free(invalid);
        } else if (*first_valid == G_MAXUINT) {
            *first_valid = p;
        }
        sim_scenario_free(sc);
    }
    if (ok && *first_valid == G_MAXUINT) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "no point of the grid is valid; the first: %s", pts[0].status);
        ok = FALSE;
    }
    g_free(index);
    return ok;
}

int cli_sweep_main(int argc, char **argv)
{
    char **vary = NULL, **sets = NULL, **fields = NULL, *warmup = NULL, *plots = NULL;
    gint64 seed = 1;
    int replications = 1, threads = (int)g_get_num_processors();
    GOptionEntry entries[] = {
        { "vary", 0, 0, G_OPTION_ARG_STRING_ARRAY, &vary, "A key to vary and its values (repeatable: the full grid)", "KEY=V1,V2,...|LO..HI[:STEP]|LO..HI*FACTOR" },
        { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, "Override a scenario key (repeatable)", "KEY=VALUE" },
        { "field", 0, 0, G_OPTION_ARG_STRING_ARRAY, &fields, "A summary.json number or boolean to report (repeatable; default: latency, utilizations, lag, Redis load)", "PATH" },
        { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the first replication (default 1)", "N" },
        { "replications", 0, 0, G_OPTION_ARG_INT, &replications, "Independent runs per point (default 1; >= 2 gives confidence intervals)", "N" },
        { "warmup", 0, 0, G_OPTION_ARG_STRING, &warmup, "Delete the first S simulated seconds from the latency figures, or 'auto' (MSER-5)", "S|auto" },
        { "plots", 0, 0, G_OPTION_ARG_FILENAME, &plots, "Write one chart per field (PNG, SVG and its data as CSV) to DIR", "DIR" },
        { "jobs", 0, 0, G_OPTION_ARG_INT, &threads, "Runs at once (default: the number of cores)", "N" },
        { NULL }
    };
    int rc = CLI_USAGE;
    sweep_plan plan = { 0 };
    sweep_point *pts = NULL;
    cli_trial *trials = NULL;
    guint ntrials = 0;
    cli_stage *stage = NULL;   /* --plots: the charts appear all at once, or not at all */
    cli_mpi_begin(&argc, &argv);
    if (!cli_parse("sweep", "SCENARIO", "Runs SCENARIO at every point of a grid of keys and prints a CSV table.",
                   entries, &argc, &argv))
        goto out;
    GError *error = NULL;
    guint first_valid = 0;
    if (argc != 2) {
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "expected one SCENARIO (try --help)");
    } else if (!check_seed_key(vary, sets, &error)) {
        /* error set */
    } else if (seed < 0) {
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "--seed must be >= 0, got %" G_GINT64_FORMAT, seed);
    } else if (replications < 1 || replications > 1000) {
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "--replications must be 1..1000, got %d", replications);
    } else if (threads < 1 || threads > SWEEP_MAX_JOBS) {
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "--jobs must be 1..%d, got %d", SWEEP_MAX_JOBS, threads);
    } else if (cli_parse_warmup(warmup, &plan.warmup_s, &error) &&
               cli_parse_axes(vary, &plan.axes, &plan.naxes, &plan.npoints, &error)) {
        plan.replications = (guint)replications;
        plan.fields = fields ? (const char *const *)fields : default_fields;
        plan.nfields = fields ? g_strv_length(fields) : G_N_ELEMENTS(default_fields);
        pts = g_new0(sweep_point, plan.npoints);
        if (sweep_points(argv[1], sets, &plan, pts, &first_valid, &error) &&
            cli_fields_check(argv[1], (const char *const *)pts[first_valid].sets, "--field", plan.fields, plan.nfields, &error) &&
            (!plots || (stage = cli_stage_new(plots, "the plots directory", &error)))) {
            trials = g_new0(cli_trial, plan.npoints * plan.replications);
            for (guint p = 0; p < plan.npoints; p++) {
                pts[p].first_trial = ntrials;
                if (pts[p].status) continue;
                for (guint r = 0; r < plan.replications; r++) {
                    cli_trial *t = &trials[ntrials++];
                    t->sets = g_strdupv(pts[p].sets);
                    t->seed = (uint64_t)seed + r;   /* replication r: an independent run, the same at every point */
                    t->warmup_s = isnan(plan.warmup_s) ? 0 : plan.warmup_s;
                }
            }
            cli_trials_run(argv[1], plan.fields, plan.nfields, trials, ntrials, threads);
            if (cli_mpi_rank() == 0) {
                char *table = sweep_table(&plan, pts, trials, argv[1], (uint64_t)seed);
                fputs(table, stdout);
                g_free(table);
                gboolean ok = TRUE;
                if (stage) {
                    ok = sweep_plots(&plan, pts, trials, cli_stage_path(stage), &error);
                    if (!ok) cli_stage_fix_error(stage, error);
                    ok = ok && cli_stage_check(stage, &error) && cli_stage_commit(stage, &error);
                }
                if (ok) rc = CLI_OK;
            } else {
                rc = CLI_OK;
            }
        }
    }
    if (error) rc = cli_mpi_rank() == 0 ? cli_report_error("sweep", error) : (g_error_free(error), CLI_USAGE);
out:
    cli_stage_free(stage);   /* on other MPI ranks and after a failure: removes the stage */
    for (guint i = 0; i < ntrials; i++) cli_trial_clear(&trials[i]);
    g_free(trials);
    for (guint p = 0; pts && p < plan.npoints; p++) { g_strfreev(pts[p].sets); g_free(pts[p].status); }
    g_free(pts);
    for (guint k = 0; k < plan.naxes; k++) cli_axis_clear(&plan.axes[k]);
    g_free(plan.axes);
    g_strfreev(vary);
    g_strfreev(sets);
    g_strfreev(fields);
    g_free(warmup);
    g_free(plots);
    cli_mpi_end();
    return rc;
}
