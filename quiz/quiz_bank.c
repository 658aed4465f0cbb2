/* quiz_bank: loading and checking question banks, the questions' accessors,
 * and the helpers the CLI and the visualizer share (numbers, paths).
 * Sessions (order, answers, score) are quiz_session.c, which sees a bank
 * only through quiz/quiz.h.
 *
 * Invariant: a quiz_bank that exists has passed every check: each question
 * has a unique non-empty id, text, explanation, 2..QUIZ_MAX_OPTIONS
 * distinct options with an answer among them (or a well-formed numeric
 * spec), and a demo link that resolves. Checking and loading share one
 * parser that collects every problem; loading refuses on the first, --check
 * lists them all. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "quiz/quiz.h"
#include "sim/sim_error.h"
#include "sim/sim_file.h"

#define QUIZ_DEFAULT_SEED 1
#define QUIZ_DEFAULT_TOLERANCE 0.05

struct quiz_question {
    guint index;              /* 0-based position in the bank */
    char *id, *topic, *text;
    char *explanation_raw;    /* as written, may hold "{value}" */
    char *explanation;        /* rendered */
    quiz_kind kind;
    GPtrArray *options;       /* char *, owned (choice questions) */
    guint answer;             /* 0-based (choice questions) */
    /* numeric questions */
    gboolean has_value;
    double value, tolerance, abs_tolerance, scale;
    char *unit;
    char *scenario;           /* as written; NULL for a fixed value */
    char *scenario_path;      /* resolved */
    char **sets;              /* NULL-terminated "key=value" */
    uint64_t seed;
    char *field;              /* dotted path into the summary */
    char *per;                /* optional divisor field ("per message") */
    /* demo */
    char *demo;
    quiz_demo_kind demo_kind;
    char *demo_scene, *demo_path;
};

struct quiz_bank {
    char *origin, *title;
    GPtrArray *questions;     /* quiz_question *, owned */
};

/* ==== Private: parsing with problem collection ========================== */

typedef struct {
    const char *origin;
    const char *root;         /* may be NULL */
    char *anchor;             /* parent of the bank's directory */
    GArray *lines;            /* line of each question object, 0 if unknown */
    GPtrArray *problems;      /* char *, owned */
} quiz_parser;

static void question_free(quiz_question *q)
{
    if (!q) return;
    g_free(q->id); g_free(q->topic); g_free(q->text);
    g_free(q->explanation_raw); g_free(q->explanation);
    if (q->options) g_ptr_array_unref(q->options);
    g_free(q->unit); g_free(q->scenario); g_free(q->scenario_path);
    g_strfreev(q->sets); g_free(q->field); g_free(q->per);
    g_free(q->demo); g_free(q->demo_scene); g_free(q->demo_path);
    g_free(q);
}

G_GNUC_PRINTF(3, 4)
static void problem(quiz_parser *p, const quiz_question *q, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    GString *s = g_string_new(p->origin);
    if (q) {
        guint line = q->index < p->lines->len ? g_array_index(p->lines, guint, q->index) : 0;
        if (line) g_string_append_printf(s, ":%u", line);
        g_string_append(s, ": question ");
        if (q->id && *q->id) g_string_append_printf(s, "'%s' ", q->id);
        g_string_append_printf(s, "(#%u)", q->index + 1);
    }
    g_string_append_printf(s, ": %s", what);
    g_ptr_array_add(p->problems, g_string_free(s, FALSE));
    g_free(what);
}

/* Line and column (1-based) of byte `off` in `text`. */
static void line_col(const char *text, size_t off, guint *line, guint *col)
{
    *line = 1; *col = 1;
    for (size_t i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') { (*line)++; *col = 1; }
        else if (((unsigned char)text[i] & 0xC0) != 0x80) (*col)++;   /* count UTF-8 characters */
    }
}

/* Finds the line where each element of the top-level "questions" array
 * starts. cJSON keeps no positions, so this is a small scan of the (already
 * valid) text that tracks nesting and the key each container belongs to. */
static void find_question_lines(const char *text, GArray *lines)
{
    int depth = 0, qdepth = -1;       /* depth inside "questions"; -2 once past it */
    guint line = 1;
    gboolean last_key_questions = FALSE, in_questions_value = FALSE;
    for (const char *c = text; *c; c++) {
        if (*c == '\n') { line++; continue; }
        if (g_ascii_isspace(*c)) continue;
        if (*c == ':' || *c == ',') {
            if (depth == 1) in_questions_value = *c == ':' && last_key_questions;
            continue;
        }
        if (*c == '}' || *c == ']') {
            if (depth == qdepth) qdepth = -2;
            depth--;
            continue;
        }
        /* Any other character starts a token; directly inside the
         * questions array, that token is a question. */
        if (depth == qdepth) g_array_append_val(lines, line);
        if (*c == '{' || *c == '[') {
            depth++;
            if (*c == '[' && depth == 2 && in_questions_value && qdepth == -1) qdepth = 2;
            continue;
        }
        if (*c == '"') {
            const char *start = c + 1;
            for (c++; *c && *c != '"'; c++)
                if (*c == '\\' && c[1]) c++;
            if (depth == 1) last_key_questions = c - start == 9 && !strncmp(start, "questions", 9);
            if (!*c) break;
            continue;
        }
        while (c[1] && !strchr(",]}: \t\r\n", c[1])) c++;   /* a bare scalar */
    }
}

static guint edit_distance(const char *a, const char *b)
{
    size_t n = strlen(b);
    guint *row = g_new(guint, n + 1);
    for (size_t j = 0; j <= n; j++) row[j] = (guint)j;
    for (size_t i = 1; a[i - 1]; i++) {
        guint diag = row[0];
        row[0] = (guint)i;
        for (size_t j = 1; j <= n; j++) {
            guint up = row[j];
            guint best = MIN(row[j] + 1, row[j - 1] + 1);
            row[j] = MIN(best, diag + (a[i - 1] != b[j - 1]));
            diag = up;
        }
    }
    guint d = row[n];
    g_free(row);
    return d;
}

/* Reports keys of `obj` that are not in `known` (NULL-terminated), with
 * the nearest known key when one is close: a typo in "explanation" should
 * not silently drop the explanation. */
static void check_keys(quiz_parser *p, const quiz_question *q, const char *where,
                       const cJSON *obj, const char *const *known)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, obj) {
        /* cJSON keeps duplicate keys and lookups see only the first. */
        for (const cJSON *prev = obj->child; prev != item; prev = prev->next)
            if (!strcmp(prev->string, item->string)) {
                problem(p, q, "key '%s%s' appears twice", where, item->string);
                break;
            }
        const char *best = NULL; guint best_d = G_MAXUINT;
        gboolean ok = FALSE;
        for (const char *const *k = known; *k; k++) {
            if (!strcmp(item->string, *k)) { ok = TRUE; break; }
            guint d = edit_distance(item->string, *k);
            if (d < best_d) { best_d = d; best = *k; }
        }
        if (ok) continue;
        if (best && best_d <= 2)
            problem(p, q, "unknown key '%s%s' (did you mean '%s'?)", where, item->string, best);
        else
            problem(p, q, "unknown key '%s%s'", where, item->string);
    }
}

/* A required non-empty string member, duplicated; NULL (and a problem) if
 * absent or empty. */
static char *take_string(quiz_parser *p, const quiz_question *q, const cJSON *obj,
                         const char *key, gboolean required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        if (required) problem(p, q, "missing \"%s\"", key);
        return NULL;
    }
    if (!cJSON_IsString(v)) { problem(p, q, "\"%s\" must be a string", key); return NULL; }
    char *s = g_strstrip(g_strdup(v->valuestring));
    if (!*s) {
        problem(p, q, "empty \"%s\"", key);
        g_free(s);
        return NULL;
    }
    return s;
}

/* Resolves a relative link against the root, then the bank's anchor. */
static char *resolve_path(const quiz_parser *p, const char *link)
{
    if (g_path_is_absolute(link))
        return g_file_test(link, G_FILE_TEST_IS_REGULAR) ? g_strdup(link) : NULL;
    const char *bases[] = { p->root, p->anchor };
    for (size_t i = 0; i < G_N_ELEMENTS(bases); i++) {
        if (!bases[i]) continue;
        char *path = strcmp(bases[i], ".") ? g_build_filename(bases[i], link, NULL) : g_strdup(link);
        if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) return path;
        g_free(path);
    }
    return NULL;
}

static void parse_demo(quiz_parser *p, quiz_question *q, const cJSON *obj)
{
    q->demo = take_string(p, q, obj, "demo", FALSE);
    if (!q->demo) return;
    if (g_str_has_prefix(q->demo, "viz:")) {
        static const char *const scenes[] = QUIZ_SCENES;
        const char *name = q->demo + 4;
        for (size_t i = 0; i < G_N_ELEMENTS(scenes); i++)
            if (!strcmp(name, scenes[i])) {
                q->demo_kind = QUIZ_DEMO_SCENE;
                q->demo_scene = g_strdup(name);
                return;
            }
        problem(p, q, "unknown demo scene '%s' (scenes: viz:fanout, viz:pipeline, viz:dashboard, viz:quiz)",
                q->demo);
        return;
    }
    q->demo_path = resolve_path(p, q->demo);
    if (q->demo_path) { q->demo_kind = QUIZ_DEMO_SCENARIO; return; }
    problem(p, q, "unknown demo '%s': no such scenario file (nor a viz:<scene>)", q->demo);
}

static void parse_options(quiz_parser *p, quiz_question *q, const cJSON *obj)
{
    const cJSON *opts = cJSON_GetObjectItemCaseSensitive(obj, "options");
    if (!opts) { problem(p, q, "missing \"options\" (or \"numeric\")"); return; }
    if (!cJSON_IsArray(opts)) { problem(p, q, "\"options\" must be an array of strings"); return; }
    q->options = g_ptr_array_new_with_free_func(g_free);
    const cJSON *o;
    guint k = 0;
    cJSON_ArrayForEach(o, opts) {
        k++;
        if (!cJSON_IsString(o) || !*g_strstrip(o->valuestring)) {
            problem(p, q, "option %u must be a non-empty string", k);
            continue;
        }
        for (guint j = 0; j < q->options->len; j++)
            if (!strcmp(g_ptr_array_index(q->options, j), o->valuestring))
                problem(p, q, "option %u repeats option %u", k, j + 1);
        g_ptr_array_add(q->options, g_strdup(o->valuestring));
    }
    guint n = (guint)cJSON_GetArraySize(opts);
    if (n < QUIZ_MIN_OPTIONS)
        problem(p, q, "%u option%s; a question needs at least %d", n, n == 1 ? "" : "s", QUIZ_MIN_OPTIONS);
    else if (n > QUIZ_MAX_OPTIONS)
        problem(p, q, "%u options; at most %d fit the keys 1-%d", n, QUIZ_MAX_OPTIONS, QUIZ_MAX_OPTIONS);

    const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, "answer");
    if (!a) { problem(p, q, "missing \"answer\""); return; }
    if (!cJSON_IsNumber(a) || a->valuedouble != floor(a->valuedouble)) {
        problem(p, q, "\"answer\" must be an option number (1-based integer)");
        return;
    }
    if (a->valuedouble < 1 || a->valuedouble > n) {
        problem(p, q, "answer %g is out of range (options 1-%u)", a->valuedouble, n);
        return;
    }
    q->answer = (guint)a->valuedouble - 1;
}

static gboolean take_number(quiz_parser *p, quiz_question *q, const cJSON *obj, const char *key,
                            double min, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return FALSE;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
        problem(p, q, "\"numeric.%s\" must be a number", key);
        return FALSE;
    }
    if (v->valuedouble < min) {
        problem(p, q, "\"numeric.%s\" must be >= %g, got %g", key, min, v->valuedouble);
        return FALSE;
    }
    *out = v->valuedouble;
    return TRUE;
}

static void parse_sets(quiz_parser *p, quiz_question *q, const cJSON *num)
{
    const cJSON *sets = cJSON_GetObjectItemCaseSensitive(num, "set");
    GPtrArray *out = g_ptr_array_new();
    if (sets && !cJSON_IsArray(sets))
        problem(p, q, "\"numeric.set\" must be an array of \"key=value\" strings");
    else if (sets) {
        const cJSON *s;
        cJSON_ArrayForEach(s, sets) {
            if (!cJSON_IsString(s) || !strchr(s->valuestring, '=') || s->valuestring[0] == '=')
                problem(p, q, "\"numeric.set\" entries must be \"key=value\" strings");
            else
                g_ptr_array_add(out, g_strdup(s->valuestring));
        }
    }
    g_ptr_array_add(out, NULL);
    q->sets = (char **)g_ptr_array_free(out, FALSE);
}

/* A dotted summary path ("messages.delivered_online"), duplicated. */
static char *take_field(quiz_parser *p, quiz_question *q, const cJSON *num, const char *key,
                        gboolean required)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(num, key);
    if (!f && !required) return NULL;
    const char *s = cJSON_IsString(f) ? f->valuestring : NULL;
    if (!s || !*s || s[0] == '.' || g_str_has_suffix(s, ".") || strstr(s, "..")) {
        problem(p, q, "\"numeric.%s\" must be a dotted summary path such as \"messages.delivered_online\"", key);
        return NULL;
    }
    return g_strdup(s);
}

static void parse_numeric(quiz_parser *p, quiz_question *q, const cJSON *num)
{
    static const char *const known[] = { "scenario", "set", "seed", "field", "scale", "per",
                                         "value", "tolerance", "abs_tolerance", "unit", NULL };
    q->kind = QUIZ_NUMERIC;
    if (!cJSON_IsObject(num)) { problem(p, q, "\"numeric\" must be an object"); return; }
    check_keys(p, q, "numeric.", num, known);
    q->tolerance = QUIZ_DEFAULT_TOLERANCE;
    q->scale = 1.0;
    q->seed = QUIZ_DEFAULT_SEED;
    if (take_number(p, q, num, "tolerance", 0, &q->tolerance) && q->tolerance >= 1)
        problem(p, q, "\"numeric.tolerance\" is relative (0.05 = 5%%) and must be < 1, got %g", q->tolerance);
    take_number(p, q, num, "abs_tolerance", 0, &q->abs_tolerance);
    take_number(p, q, num, "scale", -INFINITY, &q->scale);
    const cJSON *unit = cJSON_GetObjectItemCaseSensitive(num, "unit");
    if (unit && !cJSON_IsString(unit)) problem(p, q, "\"numeric.unit\" must be a string");
    q->unit = g_strdup(cJSON_IsString(unit) ? unit->valuestring : "");

    gboolean has_value = cJSON_HasObjectItem(num, "value");
    gboolean has_scenario = cJSON_HasObjectItem(num, "scenario");
    if (has_value == has_scenario) {
        problem(p, q, "\"numeric\" needs either \"value\" or \"scenario\" with \"field\"");
        return;
    }
    if (has_value) {
        q->has_value = take_number(p, q, num, "value", -INFINITY, &q->value);
        return;
    }
    double seed = QUIZ_DEFAULT_SEED;
    if (take_number(p, q, num, "seed", 0, &seed)) q->seed = (uint64_t)seed;
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(num, "scenario");
    if (!cJSON_IsString(sc) || !*sc->valuestring)
        problem(p, q, "\"numeric.scenario\" must be a scenario path");
    else {
        q->scenario = g_strdup(sc->valuestring);
        q->scenario_path = resolve_path(p, q->scenario);
        if (!q->scenario_path)
            problem(p, q, "numeric scenario '%s' does not exist", q->scenario);
    }
    q->field = take_field(p, q, num, "field", TRUE);
    q->per = take_field(p, q, num, "per", FALSE);
    parse_sets(p, q, num);
}

static void render_explanation(quiz_question *q)
{
    g_free(q->explanation);
    q->explanation = NULL;
    if (!q->explanation_raw) return;
    if (q->kind != QUIZ_NUMERIC || !q->has_value || !strstr(q->explanation_raw, "{value}")) {
        q->explanation = g_strdup(q->explanation_raw);
        return;
    }
    char *num = quiz_format_number(q->value);
    char **parts = g_strsplit(q->explanation_raw, "{value}", -1);
    q->explanation = g_strjoinv(num, parts);
    g_strfreev(parts);
    g_free(num);
}

static quiz_question *parse_question(quiz_parser *p, const cJSON *obj, guint index)
{
    static const char *const known[] = { "id", "topic", "question", "options", "answer",
                                         "numeric", "explanation", "demo", NULL };
    quiz_question *q = g_new0(quiz_question, 1);
    q->index = index;
    if (!cJSON_IsObject(obj)) {
        problem(p, q, "must be an object");
        return q;
    }
    q->id = take_string(p, q, obj, "id", TRUE);
    check_keys(p, q, "", obj, known);
    q->text = take_string(p, q, obj, "question", TRUE);
    q->topic = take_string(p, q, obj, "topic", FALSE);
    q->explanation_raw = take_string(p, q, obj, "explanation", TRUE);
    const cJSON *num = cJSON_GetObjectItemCaseSensitive(obj, "numeric");
    if (num) {
        if (cJSON_HasObjectItem(obj, "options") || cJSON_HasObjectItem(obj, "answer"))
            problem(p, q, "a numeric question has no \"options\" or \"answer\"");
        parse_numeric(p, q, num);
    } else {
        parse_options(p, q, obj);
    }
    parse_demo(p, q, obj);
    render_explanation(q);
    return q;
}

/* Reports `q` if an earlier question has its id; `seen` maps id -> first. */
static void check_duplicate_id(quiz_parser *p, GHashTable *seen, quiz_question *q)
{
    if (!q->id) return;
    quiz_question *first = g_hash_table_lookup(seen, q->id);
    if (first) problem(p, q, "duplicate id (first used by question #%u)", first->index + 1);
    else g_hash_table_insert(seen, q->id, q);
}

/* Parses `text` into a bank, adding every problem to p->problems. Returns
 * NULL only when the JSON itself is unusable. */
static quiz_bank *parse_bank(quiz_parser *p, const char *text)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, TRUE);
    if (!root) {
        guint line, col;
        size_t off = end ? (size_t)(end - text) : 0;
        line_col(text, off, &line, &col);
        g_ptr_array_add(p->problems, g_strdup_printf("%s:%u:%u: malformed JSON%s", p->origin, line, col,
                                                     *text ? "" : " (empty file)"));
        return NULL;
    }
    quiz_bank *bank = g_new0(quiz_bank, 1);
    bank->origin = g_strdup(p->origin);
    bank->questions = g_ptr_array_new_with_free_func((GDestroyNotify)question_free);
    if (!cJSON_IsObject(root)) {
        problem(p, NULL, "a bank is an object with a \"questions\" array");
        cJSON_Delete(root);
        return bank;
    }
    static const char *const known[] = { "title", "description", "questions", NULL };
    check_keys(p, NULL, "", root, known);
    const cJSON *title = cJSON_GetObjectItemCaseSensitive(root, "title");
    if (title && !cJSON_IsString(title)) problem(p, NULL, "\"title\" must be a string");
    bank->title = cJSON_IsString(title) ? g_strdup(title->valuestring) : g_path_get_basename(p->origin);
    const cJSON *qs = cJSON_GetObjectItemCaseSensitive(root, "questions");
    if (!cJSON_IsArray(qs)) {
        problem(p, NULL, "missing \"questions\" array");
    } else if (cJSON_GetArraySize(qs) == 0) {
        problem(p, NULL, "\"questions\" is empty");
    } else {
        find_question_lines(text, p->lines);
        GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
        const cJSON *item;
        cJSON_ArrayForEach(item, qs) {
            quiz_question *q = parse_question(p, item, bank->questions->len);
            check_duplicate_id(p, seen, q);
            g_ptr_array_add(bank->questions, q);
        }
        g_hash_table_destroy(seen);
    }
    cJSON_Delete(root);
    return bank;
}

static void parser_init(quiz_parser *p, const char *origin, const char *root)
{
    p->origin = origin;
    p->root = root;
    char *dir = g_path_get_dirname(origin);
    p->anchor = g_path_get_dirname(dir);   /* quiz/x.json -> "." */
    g_free(dir);
    p->lines = g_array_new(FALSE, FALSE, sizeof(guint));
    p->problems = g_ptr_array_new_with_free_func(g_free);
}

static void parser_clear(quiz_parser *p)
{
    g_free(p->anchor);
    g_array_unref(p->lines);
    /* problems are handed to the caller or freed by it */
}

/* Only a regular file of text, with a size cap (sim_file): a directory,
 * a FIFO or /dev/zero is refused with one line. */
static char *read_bank(const char *path, GError **error)
{
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return sim_error_at(error, SIM_ERROR_IO, path, NULL, "no such quiz bank"), NULL;
    if (g_file_test(path, G_FILE_TEST_IS_DIR))
        return sim_error_at(error, SIM_ERROR_IO, path, NULL, "is a directory, not a quiz bank"), NULL;
    return sim_file_read_text(path, SIM_FILE_MAX_TEXT, NULL, error);
}

/* ==== Private: evaluation ============================================ */

/* A dotted path, "[n]" indexing an array ("faults[0].recover_s"), as
 * `slacksim compare --field` writes it; NULL if it names nothing. */
static const cJSON *summary_field(const cJSON *summary, const char *path)
{
    const cJSON *node = summary;
    const char *p = path;
    while (node && *p) {
        size_t len = strcspn(p, ".[");
        if (len) {
            char *key = g_strndup(p, len);
            node = cJSON_IsObject(node) ? cJSON_GetObjectItemCaseSensitive(node, key) : NULL;
            g_free(key);
            p += len;
        } else if (*p == '[') {
            char *end;
            unsigned long i = strtoul(p + 1, &end, 10);
            gboolean ok = cJSON_IsArray(node) && g_ascii_isdigit(p[1]) && *end == ']' && i < (unsigned long)cJSON_GetArraySize(node);
            node = ok ? cJSON_GetArrayItem(node, (int)i) : NULL;
            p = ok ? end + 1 : "";
        } else {
            p++;   /* the '.' */
        }
    }
    return node;
}

static char *run_key(const quiz_question *q)
{
    char *sets = g_strjoinv("\x1f", q->sets);
    char *key = g_strdup_printf("%s\x1e%s\x1e%" G_GUINT64_FORMAT, q->scenario_path, sets, q->seed);
    g_free(sets);
    return key;
}

/* Evaluates question `q`; on failure returns a message (caller frees). */
static char *evaluate_one(quiz_question *q, GHashTable *runs, quiz_evaluator eval, void *user)
{
    char *key = run_key(q);
    cJSON *summary = g_hash_table_lookup(runs, key);
    if (!summary) {
        GError *error = NULL;
        summary = eval(q->scenario_path, (const char *const *)q->sets, q->seed, user, &error);
        if (!summary) {
            /* Model errors usually name the scenario already. */
            const char *why = error ? error->message : "the evaluator failed";
            char *msg = g_str_has_prefix(why, q->scenario_path)
                            ? g_strdup(why) : g_strdup_printf("running %s: %s", q->scenario, why);
            g_clear_error(&error);
            g_free(key);
            return msg;
        }
        g_hash_table_insert(runs, key, summary);
    } else {
        g_free(key);
    }
    const cJSON *v = summary_field(summary, q->field);
    if (!cJSON_IsNumber(v))
        return g_strdup_printf("%s's summary has no number at '%s'", q->scenario, q->field);
    double x = v->valuedouble;
    if (q->per) {
        const cJSON *d = summary_field(summary, q->per);
        if (!cJSON_IsNumber(d))
            return g_strdup_printf("%s's summary has no number at '%s'", q->scenario, q->per);
        if (d->valuedouble == 0)
            return g_strdup_printf("%s's '%s' is 0; cannot give a figure per one of it", q->scenario, q->per);
        x /= d->valuedouble;
    }
    q->value = x * q->scale;
    q->has_value = TRUE;
    render_explanation(q);
    return NULL;
}

/* Evaluates every model-backed question; adds one problem per failure. */
static void evaluate_all(quiz_parser *p, quiz_bank *bank, quiz_evaluator eval, void *user)
{
    GHashTable *runs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify)cJSON_Delete);
    for (guint i = 0; i < bank->questions->len; i++) {
        quiz_question *q = g_ptr_array_index(bank->questions, i);
        if (q->kind != QUIZ_NUMERIC || !q->scenario_path || !q->field) continue;
        char *msg = evaluate_one(q, runs, eval, user);
        if (msg) problem(p, q, "%s", msg);
        g_free(msg);
    }
    g_hash_table_destroy(runs);
}

/* ==== API: banks ===================================================== */

static GPtrArray *check_text(const char *text, const char *origin, const char *root,
                             quiz_evaluator eval, void *user)
{
    quiz_parser p;
    parser_init(&p, origin, root);
    quiz_bank *bank = parse_bank(&p, text);
    if (bank && eval && p.problems->len == 0) evaluate_all(&p, bank, eval, user);
    quiz_bank_free(bank);
    parser_clear(&p);
    return p.problems;
}

GPtrArray *quiz_check_string(const char *text, const char *origin, const char *root,
                             quiz_evaluator eval, void *user)
{
    g_return_val_if_fail(text && origin, NULL);
    return check_text(text, origin, root, eval, user);
}

GPtrArray *quiz_check_file(const char *path, const char *root, quiz_evaluator eval, void *user)
{
    g_return_val_if_fail(path, NULL);
    GError *error = NULL;
    char *text = read_bank(path, &error);
    if (!text) {
        GPtrArray *problems = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(problems, g_strdup(error->message));
        g_clear_error(&error);
        return problems;
    }
    GPtrArray *problems = check_text(text, path, root, eval, user);
    g_free(text);
    return problems;
}

quiz_bank *quiz_bank_load_string(const char *text, const char *origin, const char *root,
                                 GError **error)
{
    g_return_val_if_fail(text && origin, NULL);
    quiz_parser p;
    parser_init(&p, origin, root);
    quiz_bank *bank = parse_bank(&p, text);
    if (p.problems->len) {
        guint more = p.problems->len - 1;
        const char *first = g_ptr_array_index(p.problems, 0);
        if (more)
            g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE,
                        "%s (and %u more problem%s: slacksim quiz --check %s)",
                        first, more, more == 1 ? "" : "s", origin);
        else
            g_set_error_literal(error, SIM_ERROR, bank ? SIM_ERROR_VALUE : SIM_ERROR_PARSE, first);
        quiz_bank_free(bank);
        bank = NULL;
    }
    g_ptr_array_unref(p.problems);
    parser_clear(&p);
    return bank;
}

quiz_bank *quiz_bank_load(const char *path, const char *root, GError **error)
{
    g_return_val_if_fail(path, NULL);
    char *text = read_bank(path, error);
    if (!text) return NULL;
    quiz_bank *bank = quiz_bank_load_string(text, path, root, error);
    g_free(text);
    return bank;
}

void quiz_bank_free(quiz_bank *bank)
{
    if (!bank) return;
    g_free(bank->origin);
    g_free(bank->title);
    g_ptr_array_unref(bank->questions);
    g_free(bank);
}

gboolean quiz_bank_evaluate(quiz_bank *bank, quiz_evaluator eval, void *user, GError **error)
{
    g_return_val_if_fail(bank && eval, FALSE);
    quiz_parser p;
    parser_init(&p, bank->origin, NULL);
    evaluate_all(&p, bank, eval, user);
    gboolean ok = p.problems->len == 0;
    if (!ok)
        g_set_error_literal(error, SIM_ERROR, SIM_ERROR_VALUE, g_ptr_array_index(p.problems, 0));
    g_ptr_array_unref(p.problems);
    parser_clear(&p);
    return ok;
}

gboolean quiz_bank_ready(const quiz_bank *bank)
{
    g_return_val_if_fail(bank, FALSE);
    for (guint i = 0; i < bank->questions->len; i++) {
        const quiz_question *q = g_ptr_array_index(bank->questions, i);
        if (q->kind == QUIZ_NUMERIC && !q->has_value) return FALSE;
    }
    return TRUE;
}

const char *quiz_bank_origin(const quiz_bank *bank) { return bank->origin; }
const char *quiz_bank_title(const quiz_bank *bank) { return bank->title; }
guint quiz_bank_count(const quiz_bank *bank) { return bank->questions->len; }

const quiz_question *quiz_bank_question(const quiz_bank *bank, guint i)
{
    g_return_val_if_fail(bank && i < bank->questions->len, NULL);
    return g_ptr_array_index(bank->questions, i);
}

/* ==== API: questions ================================================= */

const char *quiz_question_id(const quiz_question *q) { return q->id; }
const char *quiz_question_text(const quiz_question *q) { return q->text; }
const char *quiz_question_topic(const quiz_question *q) { return q->topic ? q->topic : q->id; }
quiz_kind quiz_question_kind(const quiz_question *q) { return q->kind; }
const char *quiz_question_explanation(const quiz_question *q) { return q->explanation; }

guint quiz_question_option_count(const quiz_question *q)
{
    return q->kind == QUIZ_CHOICE ? q->options->len : 0;
}

const char *quiz_question_option(const quiz_question *q, guint i)
{
    g_return_val_if_fail(q->kind == QUIZ_CHOICE && i < q->options->len, NULL);
    return g_ptr_array_index(q->options, i);
}

guint quiz_question_answer(const quiz_question *q) { return q->answer; }
gboolean quiz_question_has_value(const quiz_question *q) { return q->has_value; }
double quiz_question_value(const quiz_question *q) { return q->value; }
const char *quiz_question_unit(const quiz_question *q) { return q->unit ? q->unit : ""; }

gboolean quiz_question_accepts(const quiz_question *q, double x)
{
    g_return_val_if_fail(q->kind == QUIZ_NUMERIC && q->has_value, FALSE);
    if (!isfinite(x)) return FALSE;
    double slack = MAX(q->tolerance * fabs(q->value), q->abs_tolerance);
    return fabs(x - q->value) <= slack;
}

const char *quiz_question_demo(const quiz_question *q) { return q->demo; }
quiz_demo_kind quiz_question_demo_kind(const quiz_question *q) { return q->demo_kind; }
const char *quiz_question_demo_scene(const quiz_question *q) { return q->demo_scene; }
const char *quiz_question_demo_path(const quiz_question *q) { return q->demo_path; }

/* ==== API: helpers =================================================== */

gboolean quiz_parse_number(const char *text, double *out)
{
    g_return_val_if_fail(text && out, FALSE);
    GString *clean = g_string_new(NULL);
    for (const char *c = text; *c; c++)
        if (!g_ascii_isspace(*c) && *c != ',' && *c != '_') g_string_append_c(clean, *c);
    double mult = 1;
    if (clean->len > 1) {
        switch (clean->str[clean->len - 1]) {
        case 'k': case 'K': mult = 1e3; break;
        case 'M': mult = 1e6; break;
        case 'G': case 'B': mult = 1e9; break;
        default: break;
        }
        if (mult != 1) g_string_truncate(clean, clean->len - 1);
    }
    char *end = NULL;
    double x = clean->len ? g_ascii_strtod(clean->str, &end) : 0;
    gboolean ok = clean->len && end && *end == '\0' && isfinite(x);
    g_string_free(clean, TRUE);
    if (ok) *out = x * mult;
    return ok;
}

char *quiz_format_number(double x)
{
    /* Four significant digits are plenty for a quiz figure; from 1,000 up a
     * measured figure reads best as a whole number with separators. */
    if (isfinite(x) && fabs(x) >= 1000 && fabs(x) < 1e15) x = round(x);
    if (!isfinite(x) || fabs(x) >= 1e15 || x != floor(x)) {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        return g_strdup(g_ascii_formatd(buf, sizeof buf, "%.4g", x));
    }
    char *digits = g_strdup_printf("%.0f", fabs(x));
    GString *s = g_string_new(x < 0 ? "-" : "");
    size_t n = strlen(digits);
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0) g_string_append_c(s, ',');
        g_string_append_c(s, digits[i]);
    }
    g_free(digits);
    return g_string_free(s, FALSE);
}

/* The checkout this binary belongs to: the nearest ancestor of the
 * executable's directory holding the default bank (bin/slacksim -> ., and
 * build-asan/bin/slacksim -> . as well). NULL if there is none, e.g. an
 * installed binary. Caller frees. */
char *quiz_project_root(void)
{
    char *exe = g_file_read_link("/proc/self/exe", NULL);
    if (!exe) return NULL;
    char *dir = g_path_get_dirname(exe);
    g_free(exe);
    for (int up = 0; up < 4; up++) {
        char *marker = g_build_filename(dir, QUIZ_DEFAULT_BANK, NULL);
        gboolean found = g_file_test(marker, G_FILE_TEST_IS_REGULAR);
        g_free(marker);
        if (found) return dir;
        char *parent = g_path_get_dirname(dir);
        gboolean top = !strcmp(parent, dir);
        g_free(dir);
        dir = parent;
        if (top) break;
    }
    g_free(dir);
    return NULL;
}

/* Where the bank is: as given (relative to the working directory), else
 * relative to the project root. The default bank prefers the project's own
 * copy so `slacksim quiz` works from any directory. Caller frees. */
char *quiz_locate_bank(const char *given, const char *root, GError **error)
{
    const char *name = given ? given : QUIZ_DEFAULT_BANK;
    char *in_root = root && !g_path_is_absolute(name) ? g_build_filename(root, name, NULL) : NULL;
    const char *order[2] = { given ? name : in_root, given ? in_root : name };
    for (int i = 0; i < 2; i++)
        if (order[i] && g_file_test(order[i], G_FILE_TEST_IS_REGULAR)) {
            char *found = g_strdup(order[i]);
            g_free(in_root);
            return found;
        }
    g_free(in_root);
    if (given && g_file_test(given, G_FILE_TEST_IS_DIR))
        return sim_error_at(error, SIM_ERROR_IO, name, NULL, "is a directory, not a quiz bank"), NULL;
    sim_error_at(error, SIM_ERROR_IO, name, NULL, "no such quiz bank%s", given ? "" : " (run from the project directory or pass BANK)");
    return NULL;
}

char *quiz_demo_command(const quiz_question *q)
{
    switch (q->demo_kind) {
    case QUIZ_DEMO_SCENE:
        return g_strdup_printf("slacksim viz --scene %s", q->demo_scene);
    case QUIZ_DEMO_SCENARIO:
        return g_strdup_printf("slacksim run %s", q->demo_path);
    case QUIZ_DEMO_NONE:
    default:
        return NULL;
    }
}
