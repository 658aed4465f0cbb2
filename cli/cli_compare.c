/* cli_compare: `slacksim compare A.json [B.json] [--a K=V]... [--b K=V]... [--out DIR] [--plots DIR]`
 * runs two designs side by side and says which differences are real.
 *
 * Replication r of A and of B share one seed (seed + r): common random
 * numbers, so the workload they see is the same draw and the difference
 * B - A is measured per replication, with a 95% Student-t interval over
 * the replications. A difference is "significant" when that interval
 * excludes zero. With one scenario, A and B differ only by their
 * overrides. Every numeric (and boolean: 0/1) field of summary.json is
 * compared; the report shows the headline ones.
 *
 * Runs are independent simulations on a GThreadPool; results are stored by
 * (design, replication), so the output does not depend on the thread
 * count. With --plots, replication 0 of each design keeps its model, and
 * viz_plots_write_compare draws A over B from those two models and the
 * mean load tables of compare.json. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "cli/cli.h"
#include "sim/sim_error.h"
#include "sim/sim_stats.h"
#include "models/slack_model.h"
#include "viz/viz_chart.h"

/* The report's rows (when present in both summaries), then any --field. */
static const char *const headline[] = {
    "latency_ms.end_to_end.p50", "latency_ms.end_to_end.p99", "latency_ms.end_to_end.max",
    "latency_ms.persist.p99", "latency_ms.push.p99",
    "messages.delivered_online", "messages.push_offline", "messages.dropped",
    "messages.out_of_order", "messages.id_inversions",   /* messages.store = wide_column only */
    "fanout.queue_lost", "fanout.queue_duplicates", "fanout.dedup_drops",
    "delivery.requests_per_sec_mean", "delivery.requests_per_sec_peak", "delivery.added_latency_ms.mean",
    "gateways.cpu_util_max", "gateways.offered_load", "postgres.util_max", "kafka.consumer_lag_max",
    "redis.ops_per_sec_peak", "redis.utilization_max", "push.offered_load",
    "slo.end_to_end_p99_ms.met", "slo.persist_p99_ms.met", "slo.push_p99_s.met",
    /* only where their module is on (null or absent otherwise) */
    "search.targets.full_text.value_ms", "search.targets.index_lag.value_ms", "postgres.disk.util",
};

typedef struct compare_job {
    const char *scenario;     /* borrowed */
    char **sets;              /* owned, NULL-terminated */
    uint64_t seed;
    gboolean keep;            /* keep the finished model (replication 0 with --plots) */
    slack_model *model;       /* owned when kept */
    cJSON *summary;           /* owned result */
    GError *error;
} compare_job;

static void run_job(gpointer data, gpointer unused)
{
    (void)unused;
    compare_job *job = data;
    if (!job->keep) {
        job->summary = slack_model_run_file(job->scenario, (const char *const *)job->sets, job->seed, &job->error);
        return;
    }
    /* slack_model_run_file's steps, keeping the model for the plots */
    sim_scenario *sc = slack_model_load_scenario(job->scenario, (const char *const *)job->sets, &job->error);
    if (sc) job->model = slack_model_new(sc, job->seed, &job->error);
    sim_scenario_free(sc);
    if (!job->model) return;
    slack_model_finish(job->model);
    slack_run_info run = { 0 };
    job->summary = slack_model_summary(job->model, &run);
}

/* The common sets, then the design's own. */
static char **join_sets(char **common, char **own)
{
    GPtrArray *a = g_ptr_array_new();
    for (guint i = 0; common && common[i]; i++) g_ptr_array_add(a, g_strdup(common[i]));
    for (guint i = 0; own && own[i]; i++) g_ptr_array_add(a, g_strdup(own[i]));
    g_ptr_array_add(a, NULL);
    return (char **)g_ptr_array_free(a, FALSE);
}

/* ------------------------------------------------------------------ fields */

/* Every numeric or boolean leaf of a summary as "a.b.c" (arrays "a[2]"),
 * in document order; the wall-clock "run" object and the seed left out. */
static void leaves(const cJSON *node, const char *path, GPtrArray *out)
{
    if (cJSON_IsNumber(node) || cJSON_IsBool(node)) { g_ptr_array_add(out, g_strdup(path)); return; }
    int i = 0;
    for (const cJSON *c = node ? node->child : NULL; c; c = c->next, i++) {
        char *p = cJSON_IsArray(node) ? g_strdup_printf("%s[%d]", path, i)
                : *path ? g_strdup_printf("%s.%s", path, c->string) : g_strdup(c->string);
        if (!(!*path && (strcmp(p, "run") == 0 || strcmp(p, "seed") == 0))) leaves(c, p, out);
        g_free(p);
    }
}

/* The node at "a.b[2].c", or NULL. */
static const cJSON *at_path(const cJSON *root, const char *path)
{
    const cJSON *n = root;
    const char *p = path;
    while (n && *p) {
        size_t len = strcspn(p, ".[");
        if (len) {
            char *key = g_strndup(p, len);
            n = cJSON_GetObjectItemCaseSensitive(n, key);
            g_free(key);
            p += len;
        } else if (*p == '[') {
            n = cJSON_GetArrayItem(n, atoi(p + 1));
            p = strchr(p, ']');
            p = p ? p + 1 : "";
        } else {
            p++;   /* the '.' */
        }
    }
    return n;
}

static double value_at(const cJSON *root, const char *path)
{
    const cJSON *n = at_path(root, path);
    if (cJSON_IsBool(n)) return cJSON_IsTrue(n) ? 1 : 0;
    return cJSON_IsNumber(n) ? n->valuedouble : NAN;
}

/* ------------------------------------------------------------------ statistics */

typedef struct field_stat {
    double a, b;              /* means over replications */
    double diff, half;        /* mean of B - A per replication, 95% half-width (NAN with one replication) */
    gboolean significant;     /* the interval excludes zero */
} field_stat;

static field_stat stat_of(const compare_job *a, const compare_job *b, guint reps, const char *path)
{
    double *x = g_new(double, reps), *y = g_new(double, reps), *d = g_new(double, reps);
    for (guint r = 0; r < reps; r++) {
        x[r] = value_at(a[r].summary, path);
        y[r] = value_at(b[r].summary, path);
        d[r] = y[r] - x[r];
    }
    field_stat s = { 0 };
    double half;
    sim_ci_mean(x, reps, 0.95, &s.a, &half);
    sim_ci_mean(y, reps, 0.95, &s.b, &half);
    sim_ci_mean(d, reps, 0.95, &s.diff, &s.half);
    if (reps < 2) { s.a = x[0]; s.b = y[0]; s.diff = d[0]; s.half = NAN; }
    s.significant = reps >= 2 && isfinite(s.half) && fabs(s.diff) > s.half;
    g_free(x); g_free(y); g_free(d);
    return s;
}

/* A's summary of replication 0 with every compared number replaced by the
 * mean over replications (strings and structure as in replication 0). */
static cJSON *mean_summary(const compare_job *jobs, guint reps, GPtrArray *paths, gboolean b_side, const compare_job *other)
{
    cJSON *m = cJSON_Duplicate(jobs[0].summary, TRUE);
    cJSON_DeleteItemFromObjectCaseSensitive(m, "run");
    for (guint i = 0; i < paths->len; i++) {
        field_stat s = b_side ? stat_of(other, jobs, reps, paths->pdata[i]) : stat_of(jobs, other, reps, paths->pdata[i]);
        cJSON *n = (cJSON *)at_path(m, paths->pdata[i]);
        if (cJSON_IsNumber(n)) cJSON_SetNumberValue(n, b_side ? s.b : s.a);
    }
    return m;
}

/* ------------------------------------------------------------------ output */

static gboolean in_both(const compare_job *a, const compare_job *b, const char *path)
{
    return !isnan(value_at(a[0].summary, path)) && !isnan(value_at(b[0].summary, path));
}

/* The field's unit, from the metric registry ("?" if it has no row:
 * tests/cli/test_compare.sh fails on it). */
static const char *unit_of(const char *path)
{
    const char *u = slack_metric_unit(path);
    return u ? u : "?";
}

static void print_row(const char *path, const field_stat *s)
{
    printf("  %-34s %-12s %14.6g %14.6g %14.6g", path, unit_of(path), s->a, s->b, s->diff);
    if (isfinite(s->half)) printf(" +- %-11.4g%s\n", s->half, s->significant ? " *" : "");
    else printf("\n");
}

/* "path --set k=v ..." for the report's header. */
static char *design_name(const char *scenario, char **sets)
{
    GString *s = g_string_new(scenario);
    for (guint i = 0; sets && sets[i]; i++) g_string_append_printf(s, " %s", sets[i]);
    return g_string_free(s, FALSE);
}

static void print_report(const char *sa, const char *sb, uint64_t seed, guint reps, const compare_job *a,
                         const compare_job *b, char **fields)
{
    char *na = design_name(sa, a[0].sets), *nb = design_name(sb, b[0].sets);
    printf("slacksim compare: seeds %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT
           " (replication r of A and B share seed + r)\n  A = %s\n  B = %s\n", seed, seed + reps - 1, na, nb);
    g_free(na); g_free(nb);
    printf("  %-34s %-12s %14s %14s %14s %s\n", "field", "unit", "A", "B", "B - A",
           reps >= 2 ? "95% CI (* significant)" : "(one replication: no CI)");
    for (size_t i = 0; i < G_N_ELEMENTS(headline); i++) {
        if (!in_both(a, b, headline[i])) continue;
        field_stat s = stat_of(a, b, reps, headline[i]);
        print_row(headline[i], &s);
    }
    for (guint i = 0; fields && fields[i]; i++) {
        field_stat s = stat_of(a, b, reps, fields[i]);
        print_row(fields[i], &s);
    }
}

static cJSON *compare_json(const char *sa, const char *sb, uint64_t seed, guint reps, const compare_job *a,
                           const compare_job *b, GPtrArray *paths)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "scenario_a", sa);
    cJSON_AddStringToObject(o, "scenario_b", sb);
    cJSON_AddNumberToObject(o, "seed", (double)seed);
    cJSON_AddNumberToObject(o, "replications", reps);
    cJSON_AddItemToObject(o, "a", mean_summary(a, reps, paths, FALSE, b));
    cJSON_AddItemToObject(o, "b", mean_summary(b, reps, paths, TRUE, a));
    cJSON *diff = cJSON_AddObjectToObject(o, "diff");
    for (guint i = 0; i < paths->len; i++) {
        field_stat s = stat_of(a, b, reps, paths->pdata[i]);
        cJSON *d = cJSON_AddObjectToObject(diff, paths->pdata[i]);
        cJSON_AddNumberToObject(d, "mean", s.diff);
        if (isfinite(s.half)) cJSON_AddNumberToObject(d, "ci95", s.half);
        else cJSON_AddNullToObject(d, "ci95");
        cJSON_AddBoolToObject(d, "significant", s.significant);
    }
    return o;
}

/* compare.json into the stage made before the runs, committed whole. */
static gboolean write_json(cli_stage *stage, cJSON *o, GError **error)
{
    char *text = cJSON_Print(o);
    gboolean ok = cli_stage_write(stage, "compare.json", text, strlen(text), error) && cli_stage_check(stage, error) &&
                  cli_stage_commit(stage, error);
    cJSON_free(text);
    return ok;
}

/* A design's load table from its mean summary's "load" (stage names
 * borrowed from `sum`). Caller frees. */
static slack_stage_load *loads_of(const cJSON *sum, size_t *n)
{
    const cJSON *load = cJSON_GetObjectItemCaseSensitive(sum, "load");
    *n = (size_t)cJSON_GetArraySize(load);
    slack_stage_load *l = g_new0(slack_stage_load, *n + 1);
    size_t i = 0;
    for (const cJSON *c = load ? load->child : NULL; c; c = c->next, i++)
        l[i] = (slack_stage_load){ c->string, value_at(c, "utilization"), value_at(c, "offered_load") };
    return l;
}

/* --plots: A over B, into the stage made before the runs, committed whole. */
static gboolean write_plots(cli_stage *stage, const cJSON *j, const compare_job *a, const compare_job *b, int pw, int ph,
                            GError **error)
{
    size_t na, nb;
    slack_stage_load *la = loads_of(cJSON_GetObjectItemCaseSensitive(j, "a"), &na);
    slack_stage_load *lb = loads_of(cJSON_GetObjectItemCaseSensitive(j, "b"), &nb);
    viz_compare_side sa = { a[0].model, la, na, "A", a[0].seed }, sb = { b[0].model, lb, nb, "B", b[0].seed };
    gboolean ok = viz_plots_write_compare(&sa, &sb, cli_stage_path(stage), pw, ph, error);
    if (!ok) cli_stage_fix_error(stage, *error);
    ok = ok && cli_stage_check(stage, error) && cli_stage_commit(stage, error);
    g_free(la);
    g_free(lb);
    return ok;
}

/* ------------------------------------------------------------------ main */

typedef struct compare_opts {
    char **a_sets, **b_sets, **sets, **fields;
    char *out, *plots, *plot_size;
    gint64 seed;
    int replications, jobs;
} compare_opts;

static gboolean check_fields(char **fields, const compare_job *a, const compare_job *b, GError **error)
{
    for (guint i = 0; fields && fields[i]; i++)
        if (!in_both(a, b, fields[i]))
            return sim_error_at(error, SIM_ERROR_USAGE, "--field", fields[i],
                                "not a numeric field of both summaries (see docs/output.md)");
    return TRUE;
}

static int compare(const char *sa, const char *sb, const compare_opts *o)
{
    GError *error = NULL;
    /* --out is checked and staged before any run, as run --out is */
    cli_stage *stage = NULL, *plots = NULL;
    int pw = VIZ_PLOT_W, ph = VIZ_PLOT_H;
    if ((o->plot_size && !viz_plot_size_parse(o->plot_size, &pw, &ph, &error)) ||
        (o->out && !((stage = cli_stage_new(o->out, "the output directory", &error)) &&
                     cli_stage_check_names(stage, (const char *const[]){ "compare.json", NULL }, &error))) ||
        (o->plots && !(plots = cli_stage_new(o->plots, "the plots directory", &error)))) {
        cli_stage_free(stage);
        cli_stage_free(plots);
        return cli_report_error("compare", error);
    }
    guint reps = (guint)o->replications;
    compare_job *jobs = g_new0(compare_job, 2 * (size_t)reps);
    for (guint r = 0; r < reps; r++) {
        jobs[r] = (compare_job){ sa, join_sets(o->sets, o->a_sets), (uint64_t)o->seed + r, r == 0 && plots };
        jobs[reps + r] = (compare_job){ sb, join_sets(o->sets, o->b_sets), (uint64_t)o->seed + r, r == 0 && plots };
    }
    GThreadPool *pool = g_thread_pool_new(run_job, NULL, MIN(o->jobs, (int)(2 * reps)), TRUE, NULL);
    for (guint i = 0; i < 2 * reps; i++) g_thread_pool_push(pool, &jobs[i], NULL);
    g_thread_pool_free(pool, FALSE, TRUE);
    for (guint i = 0; i < 2 * reps && !error; i++)
        if (jobs[i].error) error = g_error_copy(jobs[i].error);
    const compare_job *a = jobs, *b = jobs + reps;
    int rc = CLI_OK;
    if (!error && check_fields(o->fields, a, b, &error)) {
        GPtrArray *paths = g_ptr_array_new_with_free_func(g_free), *all = g_ptr_array_new_with_free_func(g_free);
        leaves(a[0].summary, "", all);
        for (guint i = 0; i < all->len; i++)
            if (in_both(a, b, all->pdata[i])) g_ptr_array_add(paths, g_strdup(all->pdata[i]));
        print_report(sa, sb, (uint64_t)o->seed, reps, a, b, o->fields);
        if (stage || plots) {
            cJSON *j = compare_json(sa, sb, (uint64_t)o->seed, reps, a, b, paths);
            if (stage) write_json(stage, j, &error);
            if (plots && !error) write_plots(plots, j, a, b, pw, ph, &error);
            cJSON_Delete(j);
        }
        g_ptr_array_free(paths, TRUE);
        g_ptr_array_free(all, TRUE);
    }
    if (error) rc = cli_report_error("compare", error);
    cli_stage_free(stage);   /* uncommitted after a failure: removed */
    cli_stage_free(plots);
    for (guint i = 0; i < 2 * reps; i++) {
        slack_model_free(jobs[i].model);
        g_strfreev(jobs[i].sets);
        cJSON_Delete(jobs[i].summary);
        g_clear_error(&jobs[i].error);
    }
    g_free(jobs);
    return rc;
}

int cli_compare_main(int argc, char **argv)
{
    compare_opts o = { .seed = 1, .replications = 5, .jobs = (int)g_get_num_processors() };
    const GOptionEntry entries[] = {
        { "a", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.a_sets, "Override a key in design A (repeatable)", "KEY=VALUE" },
        { "b", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.b_sets, "Override a key in design B (repeatable)", "KEY=VALUE" },
        { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.sets, "Override a key in both (repeatable)", "KEY=VALUE" },
        { "field", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.fields, "Also report this summary.json field (repeatable)", "PATH" },
        { "replications", 0, 0, G_OPTION_ARG_INT, &o.replications, "Replications of each design (default 5)", "R" },
        { "seed", 0, 0, G_OPTION_ARG_INT64, &o.seed, "Seed of the first replication (default 1)", "N" },
        { "jobs", 0, 0, G_OPTION_ARG_INT, &o.jobs, "Runs at once (default: the number of cores)", "J" },
        { "out", 0, 0, G_OPTION_ARG_FILENAME, &o.out, "Write compare.json here", "DIR" },
        { "plots", 0, 0, G_OPTION_ARG_FILENAME, &o.plots, "Write charts of A over B here (PNG, SVG and CSV)", "DIR" },
        { "plot-size", 0, 0, G_OPTION_ARG_STRING, &o.plot_size, "Size of the --plots charts (default 1000x560)", "WxH" },
        { NULL }
    };
    int rc;
    if (!cli_parse("compare", "A.json [B.json]",
                   "Runs two designs with common random numbers and reports B - A with 95% confidence intervals.",
                   entries, &argc, &argv))
        rc = CLI_USAGE;
    else if (argc != 2 && argc != 3)
        rc = cli_report_error("compare", g_error_new(SIM_ERROR, SIM_ERROR_USAGE, "expected A.json [B.json] (try --help)"));
    else if (o.replications < 1 || o.replications > 1000 || o.jobs < 1 || o.seed < 0)
        rc = cli_report_error("compare", g_error_new(SIM_ERROR, SIM_ERROR_USAGE,
                              "--replications must be 1..1000, --jobs >= 1 and --seed >= 0"));
    else if (argc == 2 && !o.a_sets && !o.b_sets)
        rc = cli_report_error("compare", g_error_new(SIM_ERROR, SIM_ERROR_USAGE,
                              "one scenario: give --a or --b overrides for A and B to differ"));
    else
        rc = compare(argv[1], argc == 3 ? argv[2] : argv[1], &o);
    g_strfreev(o.a_sets); g_strfreev(o.b_sets); g_strfreev(o.sets); g_strfreev(o.fields);
    g_free(o.out);
    g_free(o.plots);
    g_free(o.plot_size);
    return rc;
}
