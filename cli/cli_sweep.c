/* cli_sweep: `slacksim sweep SCENARIO --vary KEY=V1,V2,...` runs a scenario
 * once per value of one key (and per replication), and prints one CSV row
 * per value: the mean of each requested summary field and the half-width of
 * its 95% Student-t confidence interval across replications.
 *
 * Runs are independent simulations, so they go to a GThreadPool: each run
 * owns its whole context (the engine keeps no globals), and results are
 * stored by (value, replication) index, so the output does not depend on
 * which thread finished first. */
#include <stdio.h>
#include <string.h>
#include <math.h>
#include <cjson/cJSON.h>
#include "cli/cli.h"
#include "sim/sim_error.h"
#include "sim/sim_stats.h"
#include "models/slack_model.h"

/* Each run holds a whole simulation in memory; more threads than this
 * would only exhaust the machine. */
#define SWEEP_MAX_JOBS 256

static const char *const default_fields[] = {
    "latency_ms.end_to_end.p99",
    "latency_ms.end_to_end.p50",
    "gateways.cpu_util_max",
    "postgres.util_max",
    "kafka.consumer_lag_max",
    "redis.ops_per_sec_peak",
};

typedef struct sweep_job {
    const char *scenario;     /* borrowed */
    char **sets;              /* owned: user sets + the varied key, NULL-terminated */
    uint64_t seed;
    cJSON *summary;           /* owned result, or NULL with error */
    GError *error;
} sweep_job;

typedef struct sweep_plan {
    char *key;                /* owned: the varied key */
    char **values;            /* owned: its values */
    guint nvalues;
    guint replications;
    const char *const *fields;
    guint nfields;
} sweep_plan;

static void sweep_run_job(gpointer data, gpointer unused)
{
    (void)unused;
    sweep_job *job = data;
    job->summary = slack_model_run_file(job->scenario, (const char *const *)job->sets,
                                        job->seed, &job->error);
}

/* A numeric field at a dotted path of the summary, or NAN. */
static double sweep_field(const cJSON *root, const char *path)
{
    char **parts = g_strsplit(path, ".", -1);
    const cJSON *node = root;
    for (char **p = parts; *p && node; p++)
        node = cJSON_GetObjectItemCaseSensitive(node, *p);
    g_strfreev(parts);
    return cJSON_IsNumber(node) ? node->valuedouble : NAN;
}

static gboolean sweep_parse_vary(const char *vary, sweep_plan *plan, GError **error)
{
    const char *eq = vary ? strchr(vary, '=') : NULL;
    if (!eq || eq == vary || !eq[1]) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                    "--vary needs KEY=V1,V2,... (e.g. --vary gateways.count=2,4,8)");
        return FALSE;
    }
    plan->key = g_strndup(vary, (gsize)(eq - vary));
    plan->values = g_strsplit(eq + 1, ",", -1);
    plan->nvalues = g_strv_length(plan->values);
    return TRUE;
}

static sweep_job *sweep_make_jobs(const char *scenario, char **sets, const sweep_plan *plan, uint64_t seed)
{
    guint nsets = sets ? g_strv_length(sets) : 0;
    sweep_job *jobs = g_new0(sweep_job, plan->nvalues * plan->replications);
    for (guint v = 0; v < plan->nvalues; v++) {
        for (guint r = 0; r < plan->replications; r++) {
            sweep_job *job = &jobs[v * plan->replications + r];
            job->scenario = scenario;
            job->sets = g_new0(char *, nsets + 2);
            for (guint i = 0; i < nsets; i++) job->sets[i] = g_strdup(sets[i]);
            job->sets[nsets] = g_strdup_printf("%s=%s", plan->key, plan->values[v]);
            job->seed = seed + r;   /* replication r: an independent run */
        }
    }
    return jobs;
}

static void sweep_print_header(const sweep_plan *plan, const char *scenario, uint64_t seed)
{
    printf("# slacksim sweep scenario=%s seed=%" G_GUINT64_FORMAT " replications=%u"
           " (replication r uses seed+r; _ci95 is the 95%% Student-t half-width)\n",
           scenario, seed, plan->replications);
    printf("%s", plan->key);
    for (guint f = 0; f < plan->nfields; f++) printf(",%s,%s_ci95", plan->fields[f], plan->fields[f]);
    printf("\n");
}

static void sweep_print_row(const sweep_plan *plan, guint v, const sweep_job *jobs)
{
    double *x = g_new(double, plan->replications);
    printf("%s", plan->values[v]);
    for (guint f = 0; f < plan->nfields; f++) {
        for (guint r = 0; r < plan->replications; r++)
            x[r] = sweep_field(jobs[v * plan->replications + r].summary, plan->fields[f]);
        double mean, half;
        sim_ci_mean(x, plan->replications, 0.95, &mean, &half);
        if (plan->replications < 2) { mean = x[0]; half = NAN; }
        printf(",%.6g,%.6g", mean, half);
    }
    printf("\n");
    g_free(x);
}

static void sweep_free_jobs(sweep_job *jobs, guint n)
{
    for (guint i = 0; i < n; i++) {
        g_strfreev(jobs[i].sets);
        cJSON_Delete(jobs[i].summary);
        g_clear_error(&jobs[i].error);
    }
    g_free(jobs);
}

/* Runs every job on a pool of `threads`; returns the first error (owned by
 * the job, borrowed here) or NULL. */
static const GError *sweep_run_all(sweep_job *jobs, guint n, int threads)
{
    GThreadPool *pool = g_thread_pool_new(sweep_run_job, NULL, threads, TRUE, NULL);
    for (guint i = 0; i < n; i++) g_thread_pool_push(pool, &jobs[i], NULL);
    g_thread_pool_free(pool, FALSE, TRUE);
    for (guint i = 0; i < n; i++)
        if (jobs[i].error) return jobs[i].error;
    return NULL;
}

/* The run seed comes from --seed and the replication number only, so a
 * "seed" key would be silently ignored: refuse it. */
static gboolean sweep_check_seed_key(const char *vary, char **sets, GError **error)
{
    gboolean bad = vary && g_str_has_prefix(vary, "seed=");
    for (guint i = 0; sets && sets[i]; i++) bad |= g_str_has_prefix(sets[i], "seed=");
    if (bad)
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                    "the seed cannot be set or varied as a key: use --seed N and --replications R (seeds N..N+R-1)");
    return !bad;
}

static gboolean sweep_check_fields(const sweep_plan *plan, const cJSON *summary, GError **error)
{
    for (guint f = 0; f < plan->nfields; f++) {
        if (isnan(sweep_field(summary, plan->fields[f]))) {
            g_autofree char *q = sim_error_quote(plan->fields[f]);
            g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                        "--field %s: not a numeric field of summary.json (see docs/output.md)", q);
            return FALSE;
        }
    }
    return TRUE;
}

int cli_sweep_main(int argc, char **argv)
{
    char *vary = NULL;
    char **sets = NULL, **fields = NULL;
    gint64 seed = 1;
    int replications = 1, threads = (int)g_get_num_processors();
    GOptionEntry entries[] = {
        { "vary", 0, 0, G_OPTION_ARG_STRING, &vary, "The key to vary and its values", "KEY=V1,V2,..." },
        { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, "Override a scenario key (repeatable)", "KEY=VALUE" },
        { "field", 0, 0, G_OPTION_ARG_STRING_ARRAY, &fields, "A summary.json field to report (repeatable; default: latency, utilizations, lag, Redis load)", "PATH" },
        { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the first replication (default 1)", "N" },
        { "replications", 0, 0, G_OPTION_ARG_INT, &replications, "Independent runs per value (default 1; >= 2 gives confidence intervals)", "N" },
        { "jobs", 0, 0, G_OPTION_ARG_INT, &threads, "Runs at once (default: the number of cores)", "N" },
        { NULL }
    };
    int rc = CLI_USAGE;
    sweep_plan plan = { 0 };
    if (!cli_parse("sweep", "SCENARIO", "Runs SCENARIO once per value of one key and prints a CSV table.",
                   entries, &argc, &argv))
        goto out;
    GError *error = NULL;
    if (argc != 2) {
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "expected one SCENARIO (try --help)");
    } else if (!sweep_check_seed_key(vary, sets, &error)) {
        /* error set */
    } else if (seed < 0) {
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "--seed must be >= 0, got %" G_GINT64_FORMAT, seed);
    } else if (replications < 1 || replications > 1000) {
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "--replications must be 1..1000, got %d", replications);
    } else if (threads < 1 || threads > SWEEP_MAX_JOBS) {
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "--jobs must be 1..%d, got %d", SWEEP_MAX_JOBS, threads);
    } else if (sweep_parse_vary(vary, &plan, &error)) {
        plan.replications = (guint)replications;
        plan.fields = fields ? (const char *const *)fields : default_fields;
        plan.nfields = fields ? g_strv_length(fields) : G_N_ELEMENTS(default_fields);
        guint njobs = plan.nvalues * plan.replications;
        sweep_job *jobs = sweep_make_jobs(argv[1], sets, &plan, (uint64_t)seed);
        /* No more threads than runs: each thread holds a whole simulation. */
        const GError *first = sweep_run_all(jobs, njobs, (int)MIN((guint)threads, njobs));
        if (first) error = g_error_copy(first);
        else if (sweep_check_fields(&plan, jobs[0].summary, &error)) {
            sweep_print_header(&plan, argv[1], (uint64_t)seed);
            for (guint v = 0; v < plan.nvalues; v++) sweep_print_row(&plan, v, jobs);
            rc = CLI_OK;
        }
        sweep_free_jobs(jobs, njobs);
    }
    if (error) rc = cli_report_error("sweep", error);
out:
    g_free(vary);
    g_strfreev(sets);
    g_strfreev(fields);
    g_free(plan.key);
    g_strfreev(plan.values);
    return rc;
}
