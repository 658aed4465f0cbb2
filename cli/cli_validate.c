/* cli_validate: `slacksim validate SCENARIO [--set k=v]...`: every check
 * `run` makes on its input (JSON syntax with line:column, unknown keys with
 * a suggestion, types, ranges, capacity), without building or running. */
#include <stdio.h>
#include "cli/cli.h"
#include "models/slack_model.h"
#include "sim/sim_error.h"

static int validate(const char *path, char **sets)
{
    GError *error = NULL;
    sim_scenario *sc = slack_model_load_scenario(path, (const char *const *)sets, &error);
    if (!sc) return cli_report_error("validate", error);
    gboolean ok = slack_model_validate(sc, &error);
    if (ok) printf("%s: ok (scenario \"%s\", seed %" G_GUINT64_FORMAT ")\n", path, sim_scenario_name(sc),
                   slack_model_scenario_seed(sc));
    sim_scenario_free(sc);
    return ok ? CLI_OK : cli_report_error("validate", error);
}

/* The schema, from the tables that read it: the defaults document, or one
 * line per key (path, kind, unit, range). */
static int print_schema(gboolean defaults)
{
    char *text;
    if (defaults) {
        cJSON *d = slack_model_defaults();
        text = cJSON_Print(d);
        cJSON_Delete(d);
        printf("%s\n", text);
        cJSON_free(text);
    } else {
        text = slack_model_keys();
        fputs(text, stdout);
        g_free(text);
    }
    return CLI_OK;
}

int cli_validate_main(int argc, char **argv)
{
    char **sets = NULL;
    gboolean print_defaults = FALSE, print_keys = FALSE;
    const GOptionEntry entries[] = {
        { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, "Override a scenario key (repeatable)", "KEY=VALUE" },
        { "print-defaults", 0, 0, G_OPTION_ARG_NONE, &print_defaults, "Print every key with its default (JSON) and exit", NULL },
        { "keys", 0, 0, G_OPTION_ARG_NONE, &print_keys, "Print every key: path, kind, unit, min, max (tab-separated)", NULL },
        { NULL }
    };
    int rc;
    if (!cli_parse("validate", "SCENARIO", "Checks a scenario without running it.", entries, &argc, &argv)) rc = CLI_USAGE;
    else if ((print_defaults || print_keys) && argc == 1) rc = print_schema(print_defaults);
    else if (argc != 2) rc = cli_report_error("validate", g_error_new(SIM_ERROR, SIM_ERROR_USAGE,
                                              "expected one SCENARIO file (try 'slacksim validate --help')"));
    else rc = validate(argv[1], sets);
    g_strfreev(sets);
    return rc;
}
