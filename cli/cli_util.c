/* cli_util: error reporting and option parsing shared by the subcommands. */
#include <locale.h>
#include <stdio.h>
#include "cli/cli.h"
#include "sim/sim_error.h"

int cli_report_error(const char *cmd, GError *error)
{
    /* Layers quote user text themselves; this makes sure that whatever a
     * layer pasted raw still prints as one line of valid UTF-8. */
    char *line = sim_error_one_line(error ? error->message : "failed");
    fprintf(stderr, "slacksim %s: %s\n", cmd, line);
    g_free(line);
    g_clear_error(&error);
    return CLI_USAGE;
}

gboolean cli_parse(const char *cmd, const char *params, const char *summary,
                   const GOptionEntry *entries, int *argc, char ***argv)
{
    char *title = g_strdup_printf("%s%s", params ? "" : "", params ? params : "");
    GOptionContext *oc = g_option_context_new(title);
    g_free(title);
    char *prog = g_strdup_printf("slacksim %s", cmd);
    g_set_prgname(prog);
    g_free(prog);
    if (summary) g_option_context_set_summary(oc, summary);
    g_option_context_add_main_entries(oc, entries, NULL);
    GError *error = NULL;
    /* GOption converts string arguments from the locale's character set,
     * so that comes from the environment (without it, "--set name=Z\u00fcrich"
     * is refused); a plain C or POSIX locale is taken as UTF-8, as the bytes
     * nearly always are, and our own checks refuse invalid UTF-8 with a
     * message. Only while parsing: afterwards LC_CTYPE is C again, as it
     * always was, so nothing else changes with the user's locale (Xlib, for
     * one, encodes the viz window title by it), and numbers are C-locale
     * throughout. */
    char *saved = g_strdup(setlocale(LC_CTYPE, NULL));
    if (!setlocale(LC_CTYPE, "") || !g_get_charset(NULL)) setlocale(LC_CTYPE, "C.UTF-8");
    gboolean ok = g_option_context_parse(oc, argc, argv, &error);
    setlocale(LC_CTYPE, saved);
    g_free(saved);
    g_option_context_free(oc);
    /* GOption says only "Invalid byte sequence in conversion input". */
    if (!ok && error->domain == G_CONVERT_ERROR) {
        g_clear_error(&error);
        g_set_error(&error, SIM_ERROR, SIM_ERROR_USAGE,
                    "an argument is not valid text in this locale's character set (UTF-8 expected)");
    }
    if (!ok) cli_report_error(cmd, error);
    return ok;
}
