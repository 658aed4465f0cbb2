/* cli_size: `slacksim size SCENARIO --slo 'FIELD<=VALUE'... --vary K=LO..HI...`
 * finds the smallest configuration in the grid of the varied keys for which
 * every SLO holds at its one-sided confidence bound (the upper bound of the
 * mean for `<=`, the lower for `>=`) over R replications.
 *
 * The search assumes each key is monotone (more of it never breaks an SLO
 * that a smaller value meets): from the largest point, a bisection per key
 * in the order of --vary gives the lexicographic minimum; with
 * --minimize cost|sum, coordinate descent then trades one step down of a
 * key for the least increase of another while that lowers the objective.
 * Every point tried is printed and kept in size.json; a pair of tried
 * points that contradicts monotonicity is reported (docs/capacity.md).
 *
 * Exit: 0 found, 1 nothing in the ranges meets the SLOs, 2 bad input. The
 * last line of stdout is `size: K=V K2=V2 ...` (`size: none` for exit 1). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <glib/gstdio.h>
#include "cli/cli.h"
#include "sim/sim_error.h"
#include "sim/sim_stats.h"
#include "models/slack_model.h"

#define SIZE_MAX_MOVES 64    /* coordinate-descent moves; each lowers the objective */

typedef struct size_slo {
    char *field;              /* owned: summary path */
    gboolean at_most;         /* `<=` (else `>=`) */
    double target;
    char *text;               /* owned: "field<=target" as given */
} size_slo;

typedef enum { MIN_LEX, MIN_COST, MIN_SUM } size_objective;

/* One evaluated point. */
typedef struct size_eval {
    guint *index;             /* owned: per axis */
    gboolean ok;              /* every SLO met at its bound */
    char *reason;             /* owned: why not (invalid point, failed run, first failing SLO) */
    gboolean ran;             /* FALSE: refused by validation */
    double *mean, *ci, *bound; /* owned, per SLO: mean, two-sided CI half-width, one-sided bound */
    double cost;              /* mean cost.monthly_total */
    guint order;              /* when it was tried */
} size_eval;

typedef struct size_ctx {
    const char *scenario;     /* borrowed */
    char **sets;              /* borrowed: --set */
    cli_axis *axes;           /* borrowed */
    guint naxes;
    size_slo *slos;           /* borrowed */
    guint nslos;
    const char **fields;      /* owned array: the SLO fields, then cost.monthly_total */
    guint replications;
    double confidence;
    double warmup_s;
    uint64_t seed;
    int jobs;
    GHashTable *memo;         /* point key -> size_eval* (owned) */
    GPtrArray *tried;         /* size_eval* in order tried (borrowed from memo) */
    guint runs;               /* simulations run */
    gboolean quiet_rank;      /* an MPI rank other than 0: print nothing */
} size_ctx;

/* ================================================================ points */

static char *point_key(const size_ctx *c, const guint *index)
{
    GString *s = g_string_new(NULL);
    for (guint k = 0; k < c->naxes; k++)
        g_string_append_printf(s, "%s%s=%s", k ? " " : "", c->axes[k].key, c->axes[k].values[index[k]]);
    return g_string_free(s, FALSE);
}

static void eval_free(gpointer p)
{
    size_eval *e = p;
    g_free(e->index);
    g_free(e->reason);
    g_free(e->mean);
    g_free(e->ci);
    g_free(e->bound);
    g_free(e);
}

static void print_eval(const size_ctx *c, const size_eval *e)
{
    if (c->quiet_rank) return;
    char *key = point_key(c, e->index);
    printf("tried %s: %s", key, e->ok ? "ok" : "FAIL");
    if (e->ran) {
        for (guint s = 0; s < c->nslos; s++)
            printf("  %s %.6g (bound %.6g)", c->slos[s].field, e->mean[s], e->bound[s]);
        if (e->cost > 0) printf("  cost %.2f/month", e->cost);
    }
    if (!e->ok) printf("  [%s]", e->reason);
    printf("\n");
    fflush(stdout);
    g_free(key);
}

/* The verdict of a point from its trials: each SLO's mean over the
 * replications, its two-sided CI at the confidence level (shown), and the
 * one-sided bound the verdict uses: mean + t(conf, R-1) s / sqrt(R) for
 * `<=`, which is the half-width of a two-sided (2 conf - 1) interval. */
static void eval_verdict(const size_ctx *c, size_eval *e, const cli_trial *t)
{
    guint R = c->replications;
    double *x = g_new(double, R);
    e->mean = g_new(double, c->nslos);
    e->ci = g_new(double, c->nslos);
    e->bound = g_new(double, c->nslos);
    e->ok = TRUE;
    for (guint s = 0; s <= c->nslos; s++) {
        for (guint r = 0; r < R; r++) x[r] = t[r].values[s];
        double mean, ci = NAN, one = 0;
        sim_ci_mean(x, R, c->confidence, &mean, &ci);
        if (R >= 2) sim_ci_mean(x, R, 2 * c->confidence - 1, NULL, &one);
        else ci = NAN;
        if (s == c->nslos) { e->cost = isfinite(mean) ? mean : 0; break; }
        const size_slo *o = &c->slos[s];
        double bound = o->at_most ? mean + one : mean - one;
        e->mean[s] = mean;
        e->ci[s] = ci;
        e->bound[s] = bound;
        gboolean met = isfinite(bound) && (o->at_most ? bound <= o->target : bound >= o->target);
        if (!met && e->ok) {
            e->ok = FALSE;
            e->reason = isfinite(bound)
                ? g_strdup_printf("%s: %s bound %.6g %s %g", o->text, o->at_most ? "upper" : "lower", bound,
                                  o->at_most ? ">" : "<", o->target)
                : g_strdup_printf("%s: no value in the summary", o->text);
        }
    }
    g_free(x);
}

static const size_eval *evaluate(size_ctx *c, const guint *index)
{
    char *key = point_key(c, index);
    size_eval *e = g_hash_table_lookup(c->memo, key);
    if (e) { g_free(key); return e; }
    e = g_new0(size_eval, 1);
    e->index = g_memdup2(index, c->naxes * sizeof(guint));
    e->order = c->tried->len;
    char **sets = cli_point_sets(c->sets, c->axes, c->naxes, index);
    GError *error = NULL;
    sim_scenario *sc = slack_model_load_scenario(c->scenario, (const char *const *)sets, &error);
    gboolean valid = sc && slack_model_validate(sc, &error);
    sim_scenario_free(sc);
    if (!valid) {
        e->reason = g_strdup_printf("invalid: %s", error->message);
        g_error_free(error);
    } else {
        cli_trial *t = g_new0(cli_trial, c->replications);
        for (guint r = 0; r < c->replications; r++) {
            t[r].sets = g_strdupv(sets);
            t[r].seed = c->seed + r;
            t[r].warmup_s = isnan(c->warmup_s) ? 0 : c->warmup_s;
        }
        cli_trials_run(c->scenario, c->fields, c->nslos + 1, t, c->replications, c->jobs);
        c->runs += c->replications;
        const char *failed = NULL;
        for (guint r = 0; r < c->replications && !failed; r++) failed = t[r].error;
        if (failed) {
            e->reason = g_strdup_printf("run failed: %s", failed);
        } else {
            e->ran = TRUE;
            eval_verdict(c, e, t);
        }
        for (guint r = 0; r < c->replications; r++) cli_trial_clear(&t[r]);
        g_free(t);
    }
    g_strfreev(sets);
    g_hash_table_insert(c->memo, key, e);
    g_ptr_array_add(c->tried, e);
    print_eval(c, e);
    return e;
}

/* ================================================================ search */

/* The smallest index of axis k in [0, hi] that passes with the other keys
 * at `index` (index[k] = hi passes). Bisection: assumes monotone. */
static guint bisect_down(size_ctx *c, guint *index, guint k, guint hi)
{
    guint lo = 0;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        index[k] = mid;
        if (evaluate(c, index)->ok) hi = mid;
        else lo = mid + 1;
    }
    index[k] = hi;
    return hi;
}

/* The smallest index of axis k in [lo, last] that passes, or G_MAXUINT. */
static guint bisect_up(size_ctx *c, guint *index, guint k, guint lo)
{
    guint last = c->axes[k].n - 1, save = index[k];
    index[k] = last;
    if (!evaluate(c, index)->ok) { index[k] = save; return G_MAXUINT; }
    guint hi = last;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        index[k] = mid;
        if (evaluate(c, index)->ok) hi = mid;
        else lo = mid + 1;
    }
    index[k] = save;
    return hi;
}

static double objective(const size_ctx *c, size_objective how, const guint *index, const size_eval *e)
{
    if (how == MIN_COST) return e->cost;
    double sum = 0;
    for (guint k = 0; k < c->naxes; k++) sum += g_ascii_strtod(c->axes[k].values[index[k]], NULL);
    return sum;
}

/* Coordinate descent: one step down on key i, the least compensating
 * increase on key j (bisection), kept when the objective drops. */
static void descend(size_ctx *c, size_objective how, guint *index)
{
    guint *cand = g_new(guint, c->naxes);
    for (int moves = 0; moves < SIZE_MAX_MOVES; moves++) {
        double best = objective(c, how, index, evaluate(c, index));
        gboolean moved = FALSE;
        for (guint i = 0; i < c->naxes && !moved; i++) {
            if (index[i] == 0) continue;
            for (guint j = 0; j < c->naxes && !moved; j++) {
                if (j == i) continue;
                memcpy(cand, index, c->naxes * sizeof(guint));
                cand[i]--;
                guint up = bisect_up(c, cand, j, index[j]);
                if (up == G_MAXUINT) continue;
                cand[j] = up;
                const size_eval *e = evaluate(c, cand);
                if (e->ok && objective(c, how, cand, e) < best) {
                    memcpy(index, cand, c->naxes * sizeof(guint));
                    for (guint k = 0; k < c->naxes; k++) bisect_down(c, index, k, index[k]);
                    moved = TRUE;
                }
            }
        }
        if (!moved) break;
    }
    g_free(cand);
}

/* Tried pairs p <= q (every key) where p passes and q fails: evidence that
 * some key is not monotone here. */
static GPtrArray *violations(const size_ctx *c)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    for (guint a = 0; a < c->tried->len; a++) {
        const size_eval *p = c->tried->pdata[a];
        if (!p->ok) continue;
        for (guint b = 0; b < c->tried->len; b++) {
            const size_eval *q = c->tried->pdata[b];
            if (q->ok || !q->ran) continue;
            gboolean le = TRUE;
            for (guint k = 0; k < c->naxes && le; k++) le = p->index[k] <= q->index[k];
            if (!le) continue;
            char *pk = point_key(c, p->index), *qk = point_key(c, q->index);
            g_ptr_array_add(out, g_strdup_printf("%s passes but the larger %s fails", pk, qk));
            g_free(pk);
            g_free(qk);
        }
    }
    return out;
}

/* ================================================================ output */

static cJSON *point_json(const size_ctx *c, const guint *index)
{
    cJSON *o = cJSON_CreateObject();
    for (guint k = 0; k < c->naxes; k++) {
        const char *v = c->axes[k].values[index[k]];
        char *end = NULL;
        double d = g_ascii_strtod(v, &end);
        cJSON_AddItemToObject(o, c->axes[k].key, *v && !*end ? cJSON_CreateNumber(d) : cJSON_CreateString(v));
    }
    return o;
}

static cJSON *eval_json(const size_ctx *c, const size_eval *e)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "point", point_json(c, e->index));
    cJSON_AddStringToObject(o, "verdict", e->ok ? "ok" : e->ran ? "fail" : "invalid");
    if (e->reason) cJSON_AddStringToObject(o, "reason", e->reason);
    if (e->ran) {
        cJSON *a = cJSON_AddArrayToObject(o, "slos");
        for (guint s = 0; s < c->nslos; s++) {
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "slo", c->slos[s].text);
            cJSON_AddNumberToObject(x, "mean", e->mean[s]);
            if (isfinite(e->ci[s])) cJSON_AddNumberToObject(x, "ci", e->ci[s]);
            cJSON_AddNumberToObject(x, "bound", e->bound[s]);
            cJSON_AddNumberToObject(x, "margin", c->slos[s].at_most ? c->slos[s].target - e->bound[s] : e->bound[s] - c->slos[s].target);
            cJSON_AddItemToArray(a, x);
        }
        cJSON_AddNumberToObject(o, "cost_monthly_total", e->cost);
    }
    return o;
}

/* The SLO with the smallest margin relative to its target. */
static guint binding_slo(const size_ctx *c, const size_eval *e, double *margin)
{
    guint best = 0;
    double best_rel = INFINITY;
    for (guint s = 0; s < c->nslos; s++) {
        double m = c->slos[s].at_most ? c->slos[s].target - e->bound[s] : e->bound[s] - c->slos[s].target;
        double rel = m / fmax(fabs(c->slos[s].target), 1e-300);
        if (rel < best_rel) { best_rel = rel; best = s; *margin = m; }
    }
    return best;
}

static const char *objective_name(size_objective how)
{
    return how == MIN_COST ? "cost" : how == MIN_SUM ? "sum" : "lexicographic";
}

/* Prints the answer (or the failure at the largest point) and fills the
 * rest of size.json. */
static void report(size_ctx *c, cJSON *doc, const guint *answer, const size_eval *top, size_objective how)
{
    GString *o = g_string_new(NULL);
    if (!answer) {
        char *k = point_key(c, top->index);
        g_string_append_printf(o, "no configuration in the ranges meets the SLOs: at the largest point %s, %s\n", k,
                               top->reason);
        cJSON_AddNullToObject(doc, "answer");
        cJSON_AddStringToObject(doc, "failing_at_largest", top->reason);
        g_string_append(o, "size: none\n");
        g_free(k);
    } else {
        const size_eval *e = evaluate(c, answer);
        char *k = point_key(c, answer);
        double margin = 0;
        guint b = binding_slo(c, e, &margin);
        g_string_append_printf(o, "answer: %s (minimize %s, %u runs)\n", k, objective_name(how), c->runs);
        for (guint s = 0; s < c->nslos; s++) {
            const size_slo *x = &c->slos[s];
            double m = x->at_most ? x->target - e->bound[s] : e->bound[s] - x->target;
            g_string_append_printf(o, "  %s: mean %.6g", x->text, e->mean[s]);
            if (isfinite(e->ci[s])) g_string_append_printf(o, " +- %.6g (%g%% CI)", e->ci[s], 100 * c->confidence);
            g_string_append_printf(o, ", %s bound %.6g, margin %.6g (%.1f%%)%s\n", x->at_most ? "upper" : "lower", e->bound[s],
                                   m, 100 * m / fmax(fabs(x->target), 1e-300), s == b ? "  [binding]" : "");
        }
        if (e->cost > 0) g_string_append_printf(o, "  cost: %.2f per month (cost.monthly_total)\n", e->cost);
        cJSON_AddItemToObject(doc, "answer", point_json(c, answer));
        cJSON_AddStringToObject(doc, "binding_slo", c->slos[b].text);
        cJSON_AddNumberToObject(doc, "margin", margin);
        cJSON_AddNumberToObject(doc, "cost_monthly_total", e->cost);
        cJSON *ru = cJSON_AddArrayToObject(doc, "runner_up");
        guint *idx = g_memdup2(answer, c->naxes * sizeof(guint));
        for (guint a = 0; a < c->naxes; a++) {
            if (answer[a] == 0) continue;
            idx[a] = answer[a] - 1;
            const size_eval *r = evaluate(c, idx);
            char *rk = point_key(c, idx);
            g_string_append_printf(o, "  one step smaller, %s: %s\n", rk, r->ok ? "also passes (not monotone here: see docs/capacity.md)" : r->reason);
            cJSON *x = eval_json(c, r);
            cJSON_AddStringToObject(x, "key", c->axes[a].key);
            cJSON_AddItemToArray(ru, x);
            g_free(rk);
            idx[a] = answer[a];
        }
        g_free(idx);
        GPtrArray *v = violations(c);
        for (guint i = 0; i < v->len; i++) g_string_append_printf(o, "  warning: %s (a key is not monotone here)\n", (char *)v->pdata[i]);
        cJSON *va = cJSON_AddArrayToObject(doc, "monotonicity_violations");
        for (guint i = 0; i < v->len; i++) cJSON_AddItemToArray(va, cJSON_CreateString(v->pdata[i]));
        g_ptr_array_free(v, TRUE);
        g_string_append_printf(o, "size: %s\n", k);
        g_free(k);
    }
    cJSON_AddNumberToObject(doc, "runs", c->runs);
    cJSON *tr = cJSON_AddArrayToObject(doc, "tried");
    for (guint i = 0; i < c->tried->len; i++) cJSON_AddItemToArray(tr, eval_json(c, c->tried->pdata[i]));
    if (!c->quiet_rank) fputs(o->str, stdout);
    g_string_free(o, TRUE);
}

/* ================================================================ flags */

static gboolean parse_slo(const char *text, size_slo *out, GError **error)
{
    const char *le = strstr(text, "<="), *ge = strstr(text, ">=");
    const char *op = le ? le : ge;
    char *end = NULL;
    double v = op ? g_ascii_strtod(op + 2, &end) : NAN;
    if (!op || (le && ge) || op == text || !end || end == op + 2 || *end || !isfinite(v)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                    "--slo '%s': expected FIELD<=VALUE or FIELD>=VALUE (e.g. --slo 'latency_ms.persist.p99<=20')", text);
        return FALSE;
    }
    out->field = g_strstrip(g_strndup(text, (gsize)(op - text)));
    out->at_most = op == le;
    out->target = v;
    out->text = g_strdup(text);
    return TRUE;
}

/* size.json into the stage, then the stage to its target. */
static gboolean write_size_json(cli_stage *stage, cJSON *doc, GError **error)
{
    char *text = cJSON_Print(doc);
    GString *s = g_string_new(text);
    g_string_append_c(s, '\n');
    gboolean ok = cli_stage_write(stage, "size.json", s->str, s->len, error) && cli_stage_check(stage, error) &&
                  cli_stage_commit(stage, error);
    g_string_free(s, TRUE);
    cJSON_free(text);
    return ok;
}

int cli_size_main(int argc, char **argv)
{
    char **vary = NULL, **sets = NULL, **slo_text = NULL, *minimize = NULL, *warmup = NULL, *out = NULL;
    gint64 seed = 1;
    int replications = 3, jobs = (int)g_get_num_processors();
    double confidence = 0.95;
    GOptionEntry entries[] = {
        { "slo", 0, 0, G_OPTION_ARG_STRING_ARRAY, &slo_text, "A target on a summary field (repeatable, required)", "FIELD<=VALUE|FIELD>=VALUE" },
        { "vary", 0, 0, G_OPTION_ARG_STRING_ARRAY, &vary, "A key to size and its candidate values (repeatable, required)", "KEY=LO..HI[:STEP]|LO..HI*FACTOR|V1,V2,..." },
        { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, "Override a scenario key (repeatable)", "KEY=VALUE" },
        { "replications", 0, 0, G_OPTION_ARG_INT, &replications, "Runs per point, 1..1000 (default 3)", "R" },
        { "confidence", 0, 0, G_OPTION_ARG_DOUBLE, &confidence, "Confidence of the bound an SLO must meet, 0.5..0.9999 (default 0.95)", "C" },
        { "minimize", 0, 0, G_OPTION_ARG_STRING, &minimize, "cost (cost.monthly_total), sum (of the keys' values) or lex (default: cost when priced, else lex)", "cost|sum|lex" },
        { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the first replication (default 1)", "N" },
        { "warmup", 0, 0, G_OPTION_ARG_STRING, &warmup, "Delete the first S simulated seconds from the latency figures, or 'auto' (MSER-5)", "S|auto" },
        { "jobs", 0, 0, G_OPTION_ARG_INT, &jobs, "Runs at once (default: the number of cores)", "N" },
        { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "Write DIR/size.json", "DIR" },
        { NULL }
    };
    int rc = CLI_USAGE;
    GError *error = NULL;
    size_ctx c = { 0 };
    size_slo *slos = NULL;
    guint nslos = 0;
    cli_axis *axes = NULL;
    guint naxes = 0, npoints = 0;
    cJSON *doc = NULL;
    cli_stage *stage = NULL;   /* --out: made before any run, committed with size.json */
    cli_mpi_begin(&argc, &argv);
    if (!cli_parse("size", "SCENARIO", "Finds the smallest configuration meeting every SLO at a confidence bound.",
                   entries, &argc, &argv))
        goto done;
    nslos = slo_text ? g_strv_length(slo_text) : 0;
    slos = g_new0(size_slo, MAX(nslos, 1));
    size_objective how = MIN_LEX;
    gboolean how_given = minimize != NULL;
    if (argc != 2) {
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "expected one SCENARIO (try --help)");
        goto done;
    }
    if (nslos == 0) {
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "--slo FIELD<=VALUE is required (e.g. --slo 'latency_ms.persist.p99<=20')");
        goto done;
    }
    for (guint s = 0; s < nslos; s++)
        if (!parse_slo(slo_text[s], &slos[s], &error)) { nslos = s; goto done; }
    if (minimize && strcmp(minimize, "cost") == 0) how = MIN_COST;
    else if (minimize && strcmp(minimize, "sum") == 0) how = MIN_SUM;
    else if (minimize && strcmp(minimize, "lex") != 0) {
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "--minimize takes cost, sum or lex, got '%s'", minimize);
        goto done;
    }
    if (replications < 1 || replications > 1000 || jobs < 1 || seed < 0 || !(confidence >= 0.5 && confidence <= 0.9999)) {
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "--replications must be 1..1000, --jobs >= 1, --seed >= 0, --confidence 0.5..0.9999");
        goto done;
    }
    for (guint i = 0; sets && sets[i]; i++)
        if (g_str_has_prefix(sets[i], "seed=")) {
            g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "the seed cannot be set as a key: use --seed N and --replications R");
            goto done;
        }
    double warm;
    if (!cli_parse_warmup(warmup, &warm, &error) || !cli_parse_axes(vary, &axes, &naxes, &npoints, &error) ||
        (out && !((stage = cli_stage_new(out, "the output directory", &error)) &&
                  cli_stage_check_names(stage, (const char *const[]){ "size.json", NULL }, &error))))
        goto done;
    for (guint k = 0; k < naxes; k++)
        if (strcmp(axes[k].key, "seed") == 0) {
            g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "the seed cannot be varied: use --seed N and --replications R");
            goto done;
        }
    c = (size_ctx){ .scenario = argv[1], .sets = sets, .axes = axes, .naxes = naxes, .slos = slos, .nslos = nslos,
                    .replications = (guint)replications, .confidence = confidence, .warmup_s = warm, .seed = (uint64_t)seed,
                    .jobs = jobs, .quiet_rank = cli_mpi_rank() != 0 };
    c.fields = g_new0(const char *, nslos + 1);
    for (guint s = 0; s < nslos; s++) c.fields[s] = slos[s].field;
    c.fields[nslos] = "cost.monthly_total";
    /* Before any run: the largest point's keys load (an unknown key is bad
     * input) and, if it is valid, the SLO fields exist in its dry summary. */
    guint *index = g_new(guint, naxes);
    for (guint k = 0; k < naxes; k++) index[k] = axes[k].n - 1;
    char **top_sets = cli_point_sets(sets, axes, naxes, index);
    sim_scenario *sc = slack_model_load_scenario(argv[1], (const char *const *)top_sets, &error);
    gboolean loaded = sc != NULL, top_valid = loaded && slack_model_validate(sc, NULL);
    sim_scenario_free(sc);
    if (top_valid) cli_fields_check(argv[1], (const char *const *)top_sets, "--slo", c.fields, nslos, &error);
    g_strfreev(top_sets);
    if (error) { g_free(index); goto done; }

    c.memo = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, eval_free);
    c.tried = g_ptr_array_new();
    doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "scenario", argv[1]);
    cJSON_AddNumberToObject(doc, "seed", (double)seed);
    cJSON_AddNumberToObject(doc, "replications", replications);
    cJSON_AddNumberToObject(doc, "confidence", confidence);
    if (!c.quiet_rank)
        printf("# slacksim size scenario=%s seed=%" G_GINT64_FORMAT " replications=%d confidence=%g"
               " (an SLO holds when its one-sided bound does: upper for <=, lower for >=)%s\n",
               argv[1], seed, replications, confidence, replications < 2 ? "; one replication: the bound is the value itself" : "");
    const size_eval *top = evaluate(&c, index);
    if (top->ok && !how_given && top->cost > 0) how = MIN_COST;
    if (top->ok && how == MIN_COST && !(top->cost > 0)) {
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE, "--minimize cost: nothing is priced (set cost.* keys, docs/scenarios.md)");
        g_free(index);
        goto done;
    }
    cJSON_AddStringToObject(doc, "minimize", objective_name(how));
    if (top->ok) {
        for (guint k = 0; k < naxes; k++) bisect_down(&c, index, k, index[k]);
        if (how != MIN_LEX) descend(&c, how, index);
        report(&c, doc, index, top, how);
        rc = CLI_OK;
    } else {
        report(&c, doc, NULL, top, how);
        rc = CLI_FAIL;
    }
    g_free(index);
    if (stage && !c.quiet_rank && !write_size_json(stage, doc, &error)) rc = CLI_USAGE;
done:
    cli_stage_free(stage);   /* uncommitted (another MPI rank, a failure): removed */
    if (error) rc = cli_mpi_rank() != 0 ? (g_error_free(error), CLI_USAGE) : cli_report_error("size", error);
    cJSON_Delete(doc);
    if (c.memo) g_hash_table_destroy(c.memo);
    if (c.tried) g_ptr_array_free(c.tried, TRUE);
    g_free(c.fields);
    for (guint s = 0; s < nslos; s++) { g_free(slos[s].field); g_free(slos[s].text); }
    g_free(slos);
    for (guint k = 0; k < naxes; k++) cli_axis_clear(&axes[k]);
    g_free(axes);
    g_strfreev(vary);
    g_strfreev(sets);
    g_strfreev(slo_text);
    g_free(minimize);
    g_free(warmup);
    g_free(out);
    cli_mpi_end();
    return rc;
}
