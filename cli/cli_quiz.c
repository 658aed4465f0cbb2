/* cli_quiz: `slacksim quiz [BANK]`, the terminal face of quiz/.
 *
 * Three ways in: interactive (numbered options, feedback with the
 * explanation after each answer, then the score and the topics to review),
 * scripted (--answers, last line exactly "score=N/M"), and --check (every
 * problem in a bank, exit 2 if any). A bank that fails the check is refused
 * by every mode the same way, before a question is asked. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "quiz/quiz.h"
#include "sim/sim_error.h"
#include "sim/sim_file.h"

#define WRAP_WIDTH 76

typedef struct {
    char *answers;       /* --answers */
    gboolean shuffle;    /* --shuffle */
    char *seed;          /* --seed, parsed later for the full uint64 range */
    gboolean json;       /* --json */
    gboolean check;      /* --check */
    char *topic;         /* --topic: only questions whose topic or id has this */
    int first;           /* --first: only the first N (after --topic) */
    char *retry;         /* --retry: only the questions missed in these results */
} quiz_opts;

/* ---- Paths ------------------------------------------------------------ */

/* `path` relative to the working directory when it lies below it, so
 * printed commands stay short. Borrowed from `path`. */
static const char *display_path(const char *path)
{
    char *cwd = g_get_current_dir();
    size_t n = strlen(cwd);
    const char *shown = path;
    if (!strncmp(path, cwd, n) && path[n] == '/') shown = path + n + 1;
    g_free(cwd);
    return shown;
}

/* ---- Printing --------------------------------------------------------- */

/* Prints `text` word-wrapped at WRAP_WIDTH: the first line starts with
 * `first`, the others with `indent`. */
static void print_wrapped2(FILE *out, const char *first, const char *indent, const char *text)
{
    char **words = g_strsplit_set(text, " \n", -1);
    size_t col = 0;
    gboolean started = FALSE;
    for (char **w = words; *w; w++) {
        size_t len = strlen(*w);
        if (!len) continue;
        if (col && col + 1 + len > WRAP_WIDTH) { fputc('\n', out); col = 0; }
        if (!col) {
            const char *lead = started ? indent : first;
            fputs(lead, out);
            col = strlen(lead);
            started = TRUE;
        } else {
            fputc(' ', out);
            col++;
        }
        fputs(*w, out);
        col += len;
    }
    if (col) fputc('\n', out);
    g_strfreev(words);
}

static void print_wrapped(FILE *out, const char *indent, const char *text)
{
    print_wrapped2(out, indent, indent, text);
}

static void print_question(FILE *out, const quiz_session *s, guint i)
{
    const quiz_question *q = quiz_session_question(s, i);
    fprintf(out, "\nQuestion %u/%u  [%s]\n", i + 1, quiz_session_count(s), quiz_question_topic(q));
    print_wrapped(out, "", quiz_question_text(q));
    for (guint k = 0; k < quiz_session_option_count(s, i); k++) {
        /* Continuation lines line up under the option text. */
        char *prefix = g_strdup_printf("  %u) ", k + 1);
        print_wrapped2(out, prefix, "     ", quiz_session_option(s, i, k));
        g_free(prefix);
    }
    if (quiz_session_is_typed(s, i) && *quiz_question_unit(q))
        fprintf(out, "  (a number, in %s)\n", quiz_question_unit(q));
}

static char *right_answer(const quiz_session *s, guint i)
{
    const quiz_question *q = quiz_session_question(s, i);
    if (quiz_session_is_typed(s, i)) {
        char *num = quiz_format_number(quiz_question_value(q));
        char *text = *quiz_question_unit(q) ? g_strdup_printf("%s %s", num, quiz_question_unit(q))
                                            : g_strdup(num);
        g_free(num);
        return text;
    }
    guint c = quiz_session_correct(s, i);
    return g_strdup_printf("%u) %s", c + 1, quiz_session_option(s, i, c));
}

static void print_feedback(FILE *out, const quiz_session *s, guint i)
{
    const quiz_question *q = quiz_session_question(s, i);
    char *answer = right_answer(s, i);
    const char *lead = quiz_session_is_right(s, i) ? "Right: "
                     : quiz_session_answered(s, i) ? "Not quite. The answer is " : "Skipped. The answer is ";
    char *line = g_strconcat(lead, answer, NULL);
    print_wrapped(out, "", line);
    g_free(line);
    g_free(answer);
    print_wrapped(out, "  ", quiz_question_explanation(q));
    char *cmd = quiz_demo_command(q);
    if (cmd) {
        const char *path = quiz_question_demo_path(q);
        if (path) {
            char *short_cmd = g_strdup_printf("slacksim run %s", display_path(path));
            fprintf(out, "  Show me: %s\n", short_cmd);
            g_free(short_cmd);
        } else {
            fprintf(out, "  Show me: %s\n", cmd);
        }
    }
    g_free(cmd);
}

static void print_summary(FILE *out, const quiz_session *s)
{
    guint answered = quiz_session_answered_count(s), total = quiz_session_count(s);
    guint score = quiz_session_score(s);
    fprintf(out, "\n%u of %u right", score, answered);
    if (answered < total) fprintf(out, " (%u of %u questions answered)", answered, total);
    fputs(".\n", out);
    GPtrArray *topics = quiz_session_review(s);
    if (topics->len) {
        fputs("Topics to review:\n", out);
        for (guint j = 0; j < topics->len; j++) fprintf(out, "  - %s\n", (char *)g_ptr_array_index(topics, j));
    } else if (answered) {
        fputs("Nothing to review.\n", out);
    }
    g_ptr_array_unref(topics);
}

static void print_json(const quiz_session *s)
{
    cJSON *r = quiz_session_results(s);
    char *text = cJSON_Print(r);
    printf("%s\n", text);
    cJSON_free(text);
    cJSON_Delete(r);
}

/* ---- Answering -------------------------------------------------------- */

/* Applies one answer token to question `i`: an option number as shown, a
 * number for a typed question, or "-" to skip. FALSE with a message if
 * the token fits neither. */
static gboolean apply_answer(quiz_session *s, guint i, const char *token, GError **error)
{
    char *t = g_strstrip(g_strdup(token));
    gboolean ok = TRUE;
    if (!strcmp(t, "-")) {
        /* skipped: stays unanswered, counts as not right */
    } else if (quiz_session_is_typed(s, i)) {
        double x;
        ok = quiz_parse_number(t, &x);
        if (ok) quiz_session_answer_number(s, i, x);
        else {
            g_autofree char *q = sim_error_quote(t);
            g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                        "question %u wants a number (e.g. 350, 400k, 12M), got '%s'", i + 1, q);
        }
    } else {
        guint64 k = 0;
        guint n = quiz_session_option_count(s, i);
        ok = g_ascii_string_to_unsigned(t, 10, 1, n, &k, NULL);
        if (ok) quiz_session_answer(s, i, (guint)k - 1);
        else {
            g_autofree char *q = sim_error_quote(t);
            g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                        "question %u wants an option number 1-%u, got '%s'", i + 1, n, q);
        }
    }
    g_free(t);
    return ok;
}

static gboolean run_scripted(quiz_session *s, const char *answers, gboolean json, GError **error)
{
    char **tokens = g_strsplit(answers, ",", -1);
    guint n = g_strv_length(tokens), total = quiz_session_count(s);
    gboolean ok = n == total;
    if (!ok)
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                    "--answers gives %u answer%s; the quiz has %u questions (use - to skip one)",
                    n, n == 1 ? "" : "s", total);
    for (guint i = 0; ok && i < total; i++) ok = apply_answer(s, i, tokens[i], error);
    g_strfreev(tokens);
    if (!ok) return FALSE;
    if (json) { print_json(s); return TRUE; }
    for (guint i = 0; i < total; i++) {
        const quiz_question *q = quiz_session_question(s, i);
        printf("%2u. %-5s %s\n", i + 1, quiz_session_is_right(s, i) ? "right" : "wrong",
               quiz_question_id(q));
        if (!quiz_session_is_right(s, i)) {
            char *answer = right_answer(s, i);
            printf("    answer: %s\n", answer);
            g_free(answer);
            print_wrapped(stdout, "    ", quiz_question_explanation(q));
        }
    }
    print_summary(stdout, s);
    printf("score=%u/%u\n", quiz_session_score(s), total);
    return TRUE;
}

/* Reads one line from stdin into a new string without its newline; NULL
 * at end of input. */
static char *read_line(void)
{
    GString *line = g_string_new(NULL);
    int c;
    while ((c = getchar()) != EOF && c != '\n') g_string_append_c(line, (char)c);
    if (c == EOF && line->len == 0) { g_string_free(line, TRUE); return NULL; }
    return g_string_free(line, FALSE);
}

/* Asks question `i` until it gets a usable answer. FALSE when the student
 * quits (q) or input ends. */
static gboolean ask(FILE *out, quiz_session *s, guint i)
{
    print_question(out, s, i);
    for (;;) {
        if (quiz_session_is_typed(s, i)) fputs("your answer (a number; q quits)> ", out);
        else fprintf(out, "your answer (1-%u; q quits)> ", quiz_session_option_count(s, i));
        fflush(out);
        char *line = read_line();
        if (!line) { fputs("\n(end of input)\n", out); return FALSE; }
        /* Piped answers are not echoed by a terminal: echo them so the
         * transcript reads like a session. */
        if (!isatty(STDIN_FILENO)) fprintf(out, "%s\n", line);
        char *t = g_strstrip(line);
        if (!g_ascii_strcasecmp(t, "q") || !g_ascii_strcasecmp(t, "quit")) { g_free(line); return FALSE; }
        GError *error = NULL;
        gboolean ok = *t && strcmp(t, "-") && apply_answer(s, i, t, &error);
        if (!ok) fprintf(out, "%s\n", error ? error->message : "please answer (or q to quit)");
        g_clear_error(&error);
        g_free(line);
        if (ok) break;
    }
    print_feedback(out, s, i);
    return TRUE;
}

static void run_interactive(quiz_session *s, const quiz_bank *bank, gboolean json)
{
    /* With --json the conversation goes to stderr so stdout is pure JSON. */
    FILE *out = json ? stderr : stdout;
    guint asked = quiz_session_count(s), all = quiz_bank_count(bank);
    fprintf(out, "%s: ", quiz_bank_title(bank));
    if (asked < all) fprintf(out, "%u of ", asked);
    fprintf(out, "%u questions (%s)\n", all, display_path(quiz_bank_origin(bank)));
    for (guint i = 0; i < quiz_session_count(s); i++)
        if (!ask(out, s, i)) break;
    print_summary(out, s);
    if (json) print_json(s);
    else fprintf(out, "score=%u/%u\n", quiz_session_score(s), quiz_session_answered_count(s));
}

/* ---- Checking --------------------------------------------------------- */

/* A bank's text read the way scenarios are (sim_file: regular files only,
 * a size cap, UTF-8), so /dev/zero or a FIFO cannot hang quiz; the bank
 * itself is then parsed from the string. Caller frees. */
static char *read_bank_text(const char *path, GError **error)
{
    GError *e = NULL;
    char *text = sim_file_read_text(path, SIM_FILE_MAX_TEXT, NULL, &e);
    if (!text && g_file_test(path, G_FILE_TEST_IS_DIR)) {
        g_clear_error(&e);
        sim_error_at(&e, SIM_ERROR_IO, path, NULL, "is a directory, not a quiz bank");
    }
    if (e) g_propagate_error(error, e);
    return text;
}

static int run_check(const char *path, const char *root)
{
    GError *error = NULL;
    char *text = read_bank_text(path, &error);
    if (!text) return cli_report_error("quiz", error);
    GPtrArray *problems = quiz_check_string(text, path, root, quiz_model_evaluator, NULL);
    int status = CLI_OK;
    g_autofree char *qpath = sim_error_quote(path);
    if (problems->len) {
        /* One line each, whatever a bank's text holds. */
        for (guint i = 0; i < problems->len; i++) {
            char *line = sim_error_one_line(g_ptr_array_index(problems, i));
            fprintf(stderr, "%s\n", line);
            g_free(line);
        }
        fprintf(stderr, "slacksim quiz: %s: %u problem%s\n", qpath, problems->len,
                problems->len == 1 ? "" : "s");
        status = CLI_USAGE;
    } else {
        quiz_bank *bank = quiz_bank_load_string(text, path, root, &error);
        if (bank) printf("%s: %u questions, no problems\n", qpath, quiz_bank_count(bank));
        else status = cli_report_error("quiz", error);
        quiz_bank_free(bank);
    }
    g_ptr_array_unref(problems);
    g_free(text);
    return status;
}

/* ---- Entry point ------------------------------------------------------ */

static gboolean parse_seed(const quiz_opts *o, uint64_t *seed, GError **error)
{
    if (!o->seed) {
        /* Unseeded shuffles still print their seed, so any run can be
         * replayed with --seed. */
        *seed = (uint64_t)g_get_real_time() ^ ((uint64_t)getpid() << 32);
        return TRUE;
    }
    guint64 v;
    if (g_ascii_string_to_unsigned(o->seed, 10, 0, G_MAXUINT64, &v, NULL)) { *seed = v; return TRUE; }
    g_autofree char *q = sim_error_quote(o->seed);
    g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "--seed wants a non-negative integer, got '%s'", q);
    return FALSE;
}

/* TRUE if `needle` occurs in `hay`, ignoring case. */
static gboolean contains_casefold(const char *hay, const char *needle)
{
    char *h = g_utf8_casefold(hay, -1), *n = g_utf8_casefold(needle, -1);
    gboolean found = strstr(h, n) != NULL;
    g_free(h);
    g_free(n);
    return found;
}

/* The ids of the questions not answered right in a --json results file
 * (an earlier `slacksim quiz --json > FILE`). Caller frees the table. */
static GHashTable *missed_ids(const char *path, GError **error)
{
    GError *e = NULL;
    char *text = sim_file_read_text(path, SIM_FILE_MAX_TEXT, NULL, &e);
    if (!text) {
        sim_error_at(error, SIM_ERROR_IO, path, NULL, "cannot read the results (%s)", e->message);
        g_error_free(e);
        return NULL;
    }
    cJSON *r = cJSON_Parse(text);
    g_free(text);
    const cJSON *qs = cJSON_GetObjectItemCaseSensitive(r, "questions");
    if (!cJSON_IsArray(qs)) {
        sim_error_at(error, SIM_ERROR_PARSE, path, NULL, "not quiz results (write them with slacksim quiz --json > FILE)");
        cJSON_Delete(r);
        return NULL;
    }
    GHashTable *ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    const cJSON *q;
    cJSON_ArrayForEach(q, qs) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(q, "id");
        if (cJSON_IsString(id) && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(q, "right")))
            g_hash_table_add(ids, g_strdup(id->valuestring));
    }
    cJSON_Delete(r);
    return ids;
}

/* The bank indices --retry, --topic and --first select, in bank order. An
 * empty selection is an error that says why. */
static GArray *select_questions(const quiz_opts *o, const quiz_bank *bank, GError **error)
{
    GHashTable *missed = o->retry ? missed_ids(o->retry, error) : NULL;
    if (o->retry && !missed) return NULL;
    GArray *pick = g_array_new(FALSE, FALSE, sizeof(guint));
    for (guint i = 0; i < quiz_bank_count(bank); i++) {
        const quiz_question *q = quiz_bank_question(bank, i);
        if (missed && !g_hash_table_contains(missed, quiz_question_id(q)))
            continue;
        if (o->topic && !contains_casefold(quiz_question_topic(q), o->topic)
            && !contains_casefold(quiz_question_id(q), o->topic))
            continue;
        if (o->first > 0 && pick->len == (guint)o->first) break;
        g_array_append_val(pick, i);
    }
    if (missed) g_hash_table_destroy(missed);
    if (pick->len) return pick;
    g_array_unref(pick);
    if (!o->topic) {
        sim_error_at(error, SIM_ERROR_USAGE, o->retry, NULL, "nothing to retry: every question in it was answered right");
        return NULL;
    }
    GString *topics = g_string_new(NULL);
    for (guint i = 0; i < quiz_bank_count(bank); i++) {
        const char *t = quiz_question_topic(quiz_bank_question(bank, i));
        gboolean seen = FALSE;
        for (guint j = 0; j < i && !seen; j++) seen = !strcmp(t, quiz_question_topic(quiz_bank_question(bank, j)));
        if (!seen) {
            g_autofree char *qt = sim_error_quote(t);
            g_string_append_printf(topics, "%s'%s'", topics->len ? ", " : "", qt);
        }
    }
    g_autofree char *qtopic = sim_error_quote(o->topic);
    g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "no question matches --topic '%s'; topics: %s",
                qtopic, topics->str);
    g_string_free(topics, TRUE);
    return NULL;
}

static int take_quiz(const quiz_opts *o, const char *path, const char *root)
{
    GError *error = NULL;
    uint64_t seed = 0;
    if (o->shuffle && !parse_seed(o, &seed, &error)) return cli_report_error("quiz", error);
    char *text = read_bank_text(path, &error);
    if (!text) return cli_report_error("quiz", error);
    quiz_bank *bank = quiz_bank_load_string(text, path, root, &error);
    g_free(text);
    if (!bank) return cli_report_error("quiz", error);
    if (!quiz_bank_ready(bank) && !quiz_bank_evaluate(bank, quiz_model_evaluator, NULL, &error)) {
        quiz_bank_free(bank);
        return cli_report_error("quiz", error);
    }
    GArray *pick = select_questions(o, bank, &error);
    if (!pick) {
        quiz_bank_free(bank);
        return cli_report_error("quiz", error);
    }
    quiz_session *s = quiz_session_new_subset(bank, (const guint *)(void *)pick->data, pick->len,
                                              o->shuffle ? QUIZ_SHUFFLE : QUIZ_SESSION_PLAIN, seed);
    g_array_unref(pick);
    if (o->shuffle && !o->json) printf("seed=%" G_GUINT64_FORMAT "\n", seed);
    int status = CLI_OK;
    if (o->answers) {
        if (!run_scripted(s, o->answers, o->json, &error)) status = cli_report_error("quiz", error);
    } else {
        run_interactive(s, bank, o->json);
    }
    quiz_session_free(s);
    quiz_bank_free(bank);
    return status;
}

int cli_quiz_main(int argc, char **argv)
{
    quiz_opts o = { .first = G_MININT };   /* G_MININT: --first not given */
    const GOptionEntry entries[] = {
        { "answers", 'a', 0, G_OPTION_ARG_STRING, &o.answers,
          "Answer in order without asking: option numbers as shown, numbers for numeric questions, - to skip", "2,1,4,..." },
        { "shuffle", 0, 0, G_OPTION_ARG_NONE, &o.shuffle, "Shuffle each question's options (answers refer to the shown order)", NULL },
        { "seed", 0, 0, G_OPTION_ARG_STRING, &o.seed, "Seed for --shuffle (printed when omitted)", "N" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, "Print the results as JSON on stdout", NULL },
        { "topic", 't', 0, G_OPTION_ARG_STRING, &o.topic, "Only the questions whose topic or id contains TEXT (e.g. presence, search)", "TEXT" },
        { "first", 0, 0, G_OPTION_ARG_INT, &o.first, "Only the first N questions (--first 5: the lesson's own quiz)", "N" },
        { "retry", 0, 0, G_OPTION_ARG_FILENAME, &o.retry, "Only the questions missed in FILE, saved from an earlier --json run", "FILE" },
        { "check", 0, 0, G_OPTION_ARG_NONE, &o.check, "Validate the bank and list every problem (exit 2 if any)", NULL },
        { NULL }
    };
    int status = CLI_USAGE;
    if (!cli_parse("quiz", "[BANK]",
                   "Quiz yourself on the Design Slack lesson. BANK defaults to " QUIZ_DEFAULT_BANK ".\n"
                   "Exit status: 0 when the quiz ran (whatever the score), 2 for a bad bank or flag.",
                   entries, &argc, &argv))
        goto out;
    if (argc > 2) {
        fprintf(stderr, "slacksim quiz: one BANK at most, got %d (see --help)\n", argc - 1);
        goto out;
    }
    if (o.first <= 0 && o.first != G_MININT) {
        fprintf(stderr, "slacksim quiz: --first wants a positive number, got %d\n", o.first);
        goto out;
    }
    if (o.first == G_MININT) o.first = 0;   /* 0 below: no limit */
    char *root = quiz_project_root();
    GError *error = NULL;
    /* A BANK that exists but is not a regular file (a directory, /dev/zero)
     * is said to be what it is, not "no such quiz bank". */
    const char *given = argc == 2 ? argv[1] : NULL;
    char *path = NULL;
    if (given && g_file_test(given, G_FILE_TEST_EXISTS) && !g_file_test(given, G_FILE_TEST_IS_REGULAR)) {
        char *t = read_bank_text(given, &error);
        g_free(t);   /* a regular file after all: raced; fall through to locating it */
    }
    if (!error) path = quiz_locate_bank(given, root, &error);
    /* Messages name the bank as the user would type it from here. */
    if (!path) status = cli_report_error("quiz", error);
    else if (o.check) status = run_check(display_path(path), root);
    else status = take_quiz(&o, display_path(path), root);
    g_free(path);
    g_free(root);
out:
    g_free(o.answers);
    g_free(o.seed);
    g_free(o.topic);
    g_free(o.retry);
    return status;
}
