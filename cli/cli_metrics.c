/* cli_metrics: `slacksim metrics`: the metric registry
 * (models/slack_metrics.c) as tab-separated rows, as the markdown tables of
 * docs/output.md, as the report's figures, or as a check of output files
 * against it: every field of a summary.json and every column of a
 * timeseries.csv must have a row, and every row must be written by at
 * least one of the files given. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "models/slack_model.h"
#include "sim/sim_error.h"

static void print_tsv(void)
{
    size_t n;
    const slack_metric *mt = slack_metrics(&n);
    static const char *const shape[] = { [SLACK_SHAPE_VALUE] = "value", [SLACK_SHAPE_HIST] = "latency",
                                         [SLACK_SHAPE_STATION] = "station", [SLACK_SHAPE_POOL] = "pool" };
    G_STATIC_ASSERT(G_N_ELEMENTS(shape) == SLACK_SHAPE_POOL + 1);
    printf("path\tshape\tunit\tover\tmeaning\n");
    for (size_t i = 0; i < n; i++)
        printf("%s\t%s\t%s\t%s\t%s\n", mt[i].path, shape[mt[i].shape], mt[i].unit, slack_metric_over_name(mt[i].over),
               mt[i].meaning);
}

static void print_figures(void)
{
    size_t n;
    const slack_report_figure *f = slack_report_figures(&n);
    printf("pattern\tpath\tscale\tmetric\n");
    for (size_t i = 0; i < n; i++) {
        const slack_metric *mt = slack_metric_find(f[i].path);
        printf("%s\t%s\t%g\t%s\n", f[i].pattern, f[i].path, f[i].scale, mt ? mt->path : "(none)");
    }
}

/* docs/output.md's tables: "summary" (every summary.json row) or
 * "timeseries" (the columns). */
static int print_markdown(const char *which)
{
    gboolean ts = !strcmp(which, "timeseries");
    if (!ts && strcmp(which, "summary"))
        return cli_report_error("metrics", g_error_new(SIM_ERROR, SIM_ERROR_USAGE,
                                "--markdown: expected 'summary' or 'timeseries', got '%s'", which));
    size_t n;
    const slack_metric *mt = slack_metrics(&n);
    printf(ts ? "| Column | Unit | Meaning |\n|---|---|---|\n" : "| Field | Unit | Over | Meaning |\n|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        gboolean is_ts = g_str_has_prefix(mt[i].path, "timeseries.");
        if (is_ts != ts) continue;
        const char *shape = mt[i].shape == SLACK_SHAPE_HIST ? " (latency object)"
                            : mt[i].shape == SLACK_SHAPE_STATION ? " (station object)"
                            : mt[i].shape == SLACK_SHAPE_POOL ? " (pool of stations)" : "";
        if (ts) printf("| `%s` | %s | %s |\n", mt[i].path + strlen("timeseries."), mt[i].unit, mt[i].meaning);
        else printf("| `%s` | %s | %s | %s%s |\n", mt[i].path, mt[i].unit, slack_metric_over_name(mt[i].over),
                    mt[i].meaning, shape);
    }
    return CLI_OK;
}

/* ---- --check */

typedef struct check {
    GHashTable *seen;     /* registry rows some file wrote (slack_metric *) */
    int undocumented;
} check;

static void check_field(check *c, const char *file, const char *path)
{
    const slack_metric *mt = slack_metric_find(path);
    if (mt) { g_hash_table_add(c->seen, (gpointer)mt); return; }
    printf("%s: %s is not in the metric registry (models/slack_metrics.c)\n", file, path);
    c->undocumented++;
}

/* Every leaf of `o` (arrays of numbers are one field "x[]"; arrays of
 * objects "x[N].field"). */
static void walk(check *c, const char *file, const cJSON *o, const char *path)
{
    if (cJSON_IsObject(o)) {
        for (const cJSON *k = o->child; k; k = k->next) {
            char *p = *path ? g_strdup_printf("%s.%s", path, k->string) : g_strdup(k->string);
            walk(c, file, k, p);
            g_free(p);
        }
    } else if (cJSON_IsArray(o)) {
        int i = 0;
        gboolean leaves = TRUE;
        for (const cJSON *k = o->child; k; k = k->next) leaves &= !cJSON_IsObject(k) && !cJSON_IsArray(k);
        if (leaves) {
            char *p = g_strdup_printf("%s[]", path);
            if (o->child) check_field(c, file, p);
            g_free(p);
            return;
        }
        for (const cJSON *k = o->child; k; k = k->next, i++) {
            char *p = g_strdup_printf("%s[%d]", path, i);
            walk(c, file, k, p);
            g_free(p);
        }
    } else {
        check_field(c, file, path);
    }
}

static gboolean check_file(check *c, const char *file, GError **error)
{
    char *text = NULL;
    if (!g_file_get_contents(file, &text, NULL, NULL)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot read", file);
        return FALSE;
    }
    if (g_str_has_suffix(file, ".csv")) {
        char *nl = strchr(text, '\n');
        if (nl) *nl = 0;
        char **cols = g_strsplit(text, ",", -1);
        for (char **k = cols; *k; k++) {
            char *p = g_strdup_printf("timeseries.%s", g_strstrip(*k));
            check_field(c, file, p);
            g_free(p);
        }
        g_strfreev(cols);
    } else {
        cJSON *j = cJSON_Parse(text);
        if (!j) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE, "%s: not JSON", file);
            g_free(text);
            return FALSE;
        }
        walk(c, file, j, "");
        cJSON_Delete(j);
    }
    g_free(text);
    return TRUE;
}

static int run_check(int nfiles, char **files)
{
    check c = { g_hash_table_new(NULL, NULL), 0 };
    GError *error = NULL;
    for (int i = 0; i < nfiles; i++)
        if (!check_file(&c, files[i], &error)) {
            g_hash_table_destroy(c.seen);
            return cli_report_error("metrics", error);
        }
    size_t n;
    const slack_metric *mt = slack_metrics(&n);
    int unused = 0;
    for (size_t i = 0; i < n; i++)
        if (!g_hash_table_contains(c.seen, &mt[i])) {
            printf("%s: in the metric registry, but none of the %d files has it\n", mt[i].path, nfiles);
            unused++;
        }
    g_hash_table_destroy(c.seen);
    return c.undocumented || unused ? 1 : CLI_OK;
}

int cli_metrics_main(int argc, char **argv)
{
    char *markdown = NULL;
    gboolean figures = FALSE, do_check = FALSE;
    const GOptionEntry entries[] = {
        { "markdown", 0, 0, G_OPTION_ARG_STRING, &markdown, "Print docs/output.md's table of summary.json fields or of timeseries.csv columns", "summary|timeseries" },
        { "figures", 0, 0, G_OPTION_ARG_NONE, &figures, "Print the report's figures: regex, summary field, scale, registry row (tab-separated)", NULL },
        { "check", 0, 0, G_OPTION_ARG_NONE, &do_check, "Check summary.json / timeseries.csv FILEs against the registry (exit 1 on a mismatch)", NULL },
        { NULL }
    };
    int rc;
    if (!cli_parse("metrics", "[FILE...]", "The registry of every figure slacksim shows (docs/output.md).", entries, &argc, &argv))
        rc = CLI_USAGE;
    else if (do_check && argc < 2)
        rc = cli_report_error("metrics", g_error_new(SIM_ERROR, SIM_ERROR_USAGE, "--check: expected summary.json or timeseries.csv FILEs"));
    else if (!do_check && argc > 1)
        rc = cli_report_error("metrics", g_error_new(SIM_ERROR, SIM_ERROR_USAGE, "unexpected argument '%s' (FILEs go with --check)", argv[1]));
    else if (do_check) rc = run_check(argc - 1, argv + 1);
    else if (markdown) rc = print_markdown(markdown);
    else if (figures) { print_figures(); rc = CLI_OK; }
    else { print_tsv(); rc = CLI_OK; }
    g_free(markdown);
    return rc;
}
