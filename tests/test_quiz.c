/* quiz: the shipped bank is sound and complete, banks are checked with
 * messages that say where, sessions score exactly, shuffles are
 * reproducible permutations, and numeric questions take their answers from
 * an evaluator (a fake here, so the suite never runs the model). */
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include "tests/test_util.h"
#include "quiz/quiz.h"
#include "sim/sim_error.h"

#define SHIPPED "quiz/design-slack.json"

/* ---- helpers ------------------------------------------------------------ */

/* A bank of three choice questions (answers 2, 1, 3) and one fixed-value
 * numeric question (400,000 within 2%). */
static const char *small_bank =
    "{\"questions\": [\n"
    " {\"id\": \"a\", \"topic\": \"Alpha\", \"question\": \"A?\", \"options\": [\"a1\", \"a2\", \"a3\", \"a4\"],\n"
    "  \"answer\": 2, \"explanation\": \"because a2\", \"demo\": \"viz:fanout\"},\n"
    " {\"id\": \"b\", \"topic\": \"Beta\", \"question\": \"B?\", \"options\": [\"b1\", \"b2\"],\n"
    "  \"answer\": 1, \"explanation\": \"because b1\", \"demo\": \"viz:pipeline\"},\n"
    " {\"id\": \"c\", \"topic\": \"Alpha\", \"question\": \"C?\", \"options\": [\"c1\", \"c2\", \"c3\"],\n"
    "  \"answer\": 3, \"explanation\": \"because c3\"},\n"
    " {\"id\": \"n\", \"topic\": \"Numbers\", \"question\": \"12M / 30?\",\n"
    "  \"numeric\": {\"value\": 400000, \"tolerance\": 0.02, \"unit\": \"SETEX/s\"},\n"
    "  \"explanation\": \"{value} per second\", \"demo\": \"viz:dashboard\"}\n"
    "]}\n";

static quiz_bank *load_text(const char *text)
{
    GError *error = NULL;
    quiz_bank *b = quiz_bank_load_string(text, "mem/bank.json", NULL, &error);
    if (!b) fprintf(stderr, "unexpected: %s\n", error->message);
    g_clear_error(&error);
    return b;
}

/* TRUE if some problem reported for `text` contains `needle`. */
static gboolean check_reports(const char *text, const char *needle)
{
    GPtrArray *problems = quiz_check_string(text, "t/bad.json", NULL, NULL, NULL);
    gboolean found = FALSE;
    for (guint i = 0; i < problems->len; i++)
        found |= strstr(g_ptr_array_index(problems, i), needle) != NULL;
    if (!found)
        for (guint i = 0; i < problems->len; i++)
            fprintf(stderr, "  got: %s\n", (char *)g_ptr_array_index(problems, i));
    g_ptr_array_unref(problems);
    return found;
}

/* A fake model: fixed summaries, counting its runs. */
typedef struct { int runs; gboolean fail; } fake_model;

static cJSON *fake_eval(const char *scenario, const char *const *sets, uint64_t seed, void *user,
                        GError **error)
{
    fake_model *m = user;
    m->runs++;
    if (m->fail) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE, "%s: the fake refuses", scenario);
        return NULL;
    }
    /* A "--set" doubling the channel proves sets reach the evaluator. */
    double online = 3500;
    for (const char *const *s = sets; s && *s; s++)
        if (!strcmp(*s, "channel.online=700")) online = 7000;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "seed", (double)seed);
    cJSON *msg = cJSON_AddObjectToObject(root, "messages");
    cJSON_AddNumberToObject(msg, "sent", 10);
    cJSON_AddNumberToObject(msg, "delivered_online", online);
    cJSON_AddNumberToObject(msg, "dropped", 0);
    cJSON *faults = cJSON_AddArrayToObject(root, "faults");
    for (int i = 0; i < 2; i++) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddNumberToObject(f, "lost", 5 + 4 * i);
        cJSON_AddItemToArray(faults, f);
    }
    return root;
}

/* A scratch project: DIR/quiz/ for banks, DIR/scenarios/s.json. */
static char *make_project(void)
{
    char *dir = g_dir_make_tmp("quiztest-XXXXXX", NULL);
    g_assert(dir);
    char *q = g_build_filename(dir, "quiz", NULL), *s = g_build_filename(dir, "scenarios", NULL);
    g_mkdir(q, 0700);
    g_mkdir(s, 0700);
    char *f = g_build_filename(s, "s.json", NULL);
    g_file_set_contents(f, "{}", -1, NULL);
    g_free(q); g_free(s); g_free(f);
    return dir;
}

static void remove_project(char *dir)
{
    const char *files[] = { "quiz/b.json", QUIZ_DEFAULT_BANK, "scenarios/s.json", "quiz", "scenarios" };
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        char *p = g_build_filename(dir, files[i], NULL);
        g_remove(p);
        g_free(p);
    }
    g_rmdir(dir);
    g_free(dir);
}

static char *write_bank(const char *dir, const char *rel, const char *text)
{
    char *path = g_build_filename(dir, rel, NULL);
    char *sub = g_path_get_dirname(path);
    g_mkdir_with_parents(sub, 0700);
    g_free(sub);
    g_assert(g_file_set_contents(path, text, -1, NULL));
    return path;
}

/* ---- the shipped bank ------------------------------------------------- */

/* Structure and links (numeric answers are the model's: the CLI test
 * evaluates them for real). */
static void test_shipped_bank_passes_check(void)
{
    GPtrArray *problems = quiz_check_file(SHIPPED, ".", NULL, NULL);
    for (guint i = 0; i < problems->len; i++) fprintf(stderr, "  %s\n", (char *)g_ptr_array_index(problems, i));
    CU_ASSERT_EQUAL(problems->len, 0);
    g_ptr_array_unref(problems);
}

static void test_shipped_bank_opens_with_the_seed_quiz(void)
{
    static const char *seed_questions[] = {
        "Slack uses WebSocket for message delivery because:",
        "A Slack workspace has a #general channel with 1,000 members. When someone posts, messages must be delivered to:",
        "Slack message timestamps look like 1630000000.000001. The decimal part (sequence) ensures:",
        "Slack search is scoped to channels you're a member of. This is NOT just a privacy feature \xe2\x80\x94 it also:",
        "When a Slack user goes offline, the server detects this via:",
    };
    quiz_bank *b = quiz_bank_load(SHIPPED, ".", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT(quiz_bank_count(b) >= 20);
    for (guint i = 0; i < G_N_ELEMENTS(seed_questions); i++) {
        const quiz_question *q = quiz_bank_question(b, i);
        CU_ASSERT_STRING_EQUAL(quiz_question_text(q), seed_questions[i]);
        CU_ASSERT_EQUAL(quiz_question_kind(q), QUIZ_CHOICE);
    }
    quiz_bank_free(b);
}

/* Every question shows something ("Show me") that exists, and has a topic
 * for the review list; scenario links point at files. */
static void test_shipped_demo_links_resolve(void)
{
    quiz_bank *b = quiz_bank_load(SHIPPED, ".", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    static const char *scenes[] = QUIZ_SCENES;
    for (guint i = 0; i < quiz_bank_count(b); i++) {
        const quiz_question *q = quiz_bank_question(b, i);
        CU_ASSERT_NOT_EQUAL(quiz_question_demo_kind(q), QUIZ_DEMO_NONE);
        CU_ASSERT_STRING_NOT_EQUAL(quiz_question_topic(q), quiz_question_id(q));
        if (quiz_question_demo_kind(q) == QUIZ_DEMO_SCENARIO) {
            CU_ASSERT(g_file_test(quiz_question_demo_path(q), G_FILE_TEST_IS_REGULAR));
        } else if (quiz_question_demo_kind(q) == QUIZ_DEMO_SCENE) {
            gboolean known = FALSE;
            for (size_t k = 0; k < G_N_ELEMENTS(scenes); k++)
                known |= !strcmp(scenes[k], quiz_question_demo_scene(q));
            CU_ASSERT(known);
        }
    }
    quiz_bank_free(b);
}

/* ---- scoring ---------------------------------------------------------- */

static void test_scripted_answers_score_exactly(void)
{
    quiz_bank *b = load_text(small_bank);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT(quiz_bank_ready(b));
    /* all right */
    quiz_session *s = quiz_session_new(b, QUIZ_SESSION_PLAIN, 1);
    CU_ASSERT(quiz_session_answer(s, 0, 1));
    CU_ASSERT(quiz_session_answer(s, 1, 0));
    CU_ASSERT(quiz_session_answer(s, 2, 2));
    CU_ASSERT(quiz_session_answer_number(s, 3, 400000));
    CU_ASSERT_EQUAL(quiz_session_score(s), 4);
    GPtrArray *review = quiz_session_review(s);
    CU_ASSERT_EQUAL(review->len, 0);
    g_ptr_array_unref(review);
    quiz_session_free(s);
    /* all wrong, including an out-of-range option */
    s = quiz_session_new(b, QUIZ_SESSION_PLAIN, 1);
    CU_ASSERT_FALSE(quiz_session_answer(s, 0, 0));
    CU_ASSERT_FALSE(quiz_session_answer(s, 1, 1));
    CU_ASSERT_FALSE(quiz_session_answer(s, 2, 7));
    CU_ASSERT_FALSE(quiz_session_answer_number(s, 3, 12e6));
    CU_ASSERT_EQUAL(quiz_session_score(s), 0);
    CU_ASSERT_EQUAL(quiz_session_answered_count(s), 4);
    review = quiz_session_review(s);
    /* distinct topics, bank order: Alpha (a, c), Beta, Numbers */
    CU_ASSERT_EQUAL_FATAL(review->len, 3);
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(review, 0), "Alpha");
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(review, 1), "Beta");
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(review, 2), "Numbers");
    g_ptr_array_unref(review);
    quiz_session_free(s);
    /* mixed, with one question left unanswered and one answer changed */
    s = quiz_session_new(b, QUIZ_SESSION_PLAIN, 1);
    quiz_session_answer(s, 0, 1);
    quiz_session_answer(s, 1, 1);
    quiz_session_answer(s, 1, 0);          /* replaces the wrong answer */
    quiz_session_answer_number(s, 3, 407000);  /* within 2% */
    CU_ASSERT_EQUAL(quiz_session_score(s), 3);
    CU_ASSERT_EQUAL(quiz_session_answered_count(s), 3);
    CU_ASSERT_FALSE(quiz_session_answered(s, 2));
    cJSON *r = quiz_session_results(s);
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(r, "score")->valueint, 3);
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(r, "total")->valueint, 4);
    cJSON *q0 = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "questions"), 0);
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(q0, "correct")->valueint, 2);
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(q0, "given")->valueint, 2);
    cJSON_Delete(r);
    quiz_session_free(s);
    quiz_bank_free(b);
    quiz_session_free(NULL);   /* no-ops */
    quiz_bank_free(NULL);
}

/* A subset session asks the chosen bank questions, in the given order,
 * and scores over them only. */
static void test_subset_session(void)
{
    quiz_bank *b = load_text(small_bank);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    const guint pick[] = { 3, 0 };
    quiz_session *s = quiz_session_new_subset(b, pick, 2, QUIZ_SESSION_PLAIN, 1);
    CU_ASSERT_EQUAL(quiz_session_count(s), 2);
    CU_ASSERT_STRING_EQUAL(quiz_question_id(quiz_session_question(s, 0)), "n");
    CU_ASSERT_STRING_EQUAL(quiz_question_id(quiz_session_question(s, 1)), "a");
    CU_ASSERT(quiz_session_is_typed(s, 0));
    CU_ASSERT(quiz_session_answer_number(s, 0, 4e5));
    CU_ASSERT_FALSE(quiz_session_answer(s, 1, 0));
    CU_ASSERT_EQUAL(quiz_session_score(s), 1);
    cJSON *r = quiz_session_results(s);
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(r, "total")->valueint, 2);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(r, "questions")), 2);
    cJSON_Delete(r);
    quiz_session_free(s);
    quiz_bank_free(b);
}

static void test_explanation_renders_value(void)
{
    quiz_bank *b = load_text(small_bank);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_STRING_EQUAL(quiz_question_explanation(quiz_bank_question(b, 3)), "400,000 per second");
    CU_ASSERT_STRING_EQUAL(quiz_question_explanation(quiz_bank_question(b, 0)), "because a2");
    char *cmd = quiz_demo_command(quiz_bank_question(b, 0));
    CU_ASSERT_STRING_EQUAL(cmd, "slacksim viz --scene fanout");
    g_free(cmd);
    CU_ASSERT_PTR_NULL(quiz_demo_command(quiz_bank_question(b, 2)));   /* no demo */
    quiz_bank_free(b);
}

/* ---- shuffling ---------------------------------------------------------- */

static void test_shuffle_is_reproducible_and_maps_answers(void)
{
    quiz_bank *b = load_text(small_bank);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    quiz_session *s1 = quiz_session_new(b, QUIZ_SHUFFLE, 42), *s2 = quiz_session_new(b, QUIZ_SHUFFLE, 42);
    for (guint i = 0; i < 3; i++) {
        const quiz_question *q = quiz_bank_question(b, i);
        guint n = quiz_session_option_count(s1, i);
        CU_ASSERT_EQUAL(n, quiz_question_option_count(q));
        /* same seed, same order; every bank option shown exactly once */
        guint seen = 0;
        for (guint k = 0; k < n; k++) {
            CU_ASSERT_STRING_EQUAL(quiz_session_option(s1, i, k), quiz_session_option(s2, i, k));
            for (guint j = 0; j < n; j++)
                if (!strcmp(quiz_session_option(s1, i, k), quiz_question_option(q, j))) seen |= 1u << j;
        }
        CU_ASSERT_EQUAL(seen, (1u << n) - 1);
        /* the shown right option is the bank's right option, and answering
         * it by its shown number scores */
        guint c = quiz_session_correct(s1, i);
        CU_ASSERT_STRING_EQUAL(quiz_session_option(s1, i, c), quiz_question_option(q, quiz_question_answer(q)));
        CU_ASSERT(quiz_session_answer(s1, i, c));
        CU_ASSERT_FALSE(quiz_session_answer(s2, i, (c + 1) % n));
    }
    CU_ASSERT_EQUAL(quiz_session_seed(s1), 42);
    quiz_session_free(s1);
    quiz_session_free(s2);
    quiz_bank_free(b);
}

/* Over many seeds the right answer of a 4-option question lands in each
 * position about equally often: chi-square with 3 degrees of freedom below
 * 16.27, its 0.999 quantile. The seeds are fixed, so the test is
 * deterministic; a fair shuffle would exceed the bound for only about 1 in
 * 1000 choices of seed range, a biased one (e.g. never moving the answer)
 * by orders of magnitude. */
static void test_shuffle_is_uniform(void)
{
    quiz_bank *b = load_text(small_bank);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    guint n = test_quick() ? 800 : 4000, counts[4] = { 0 };
    for (guint seed = 0; seed < n; seed++) {
        quiz_session *s = quiz_session_new(b, QUIZ_SHUFFLE, seed);
        counts[quiz_session_correct(s, 0)]++;
        quiz_session_free(s);
    }
    double expect = n / 4.0, chi2 = 0;
    for (int k = 0; k < 4; k++) chi2 += (counts[k] - expect) * (counts[k] - expect) / expect;
    CU_ASSERT(chi2 < 16.27);
    quiz_bank_free(b);
}

static void test_unshuffled_keeps_bank_order(void)
{
    quiz_bank *b = load_text(small_bank);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    quiz_session *s = quiz_session_new(b, QUIZ_SESSION_PLAIN, 99);
    CU_ASSERT_STRING_EQUAL(quiz_session_option(s, 0, 0), "a1");
    CU_ASSERT_STRING_EQUAL(quiz_session_option(s, 0, 3), "a4");
    CU_ASSERT_EQUAL(quiz_session_correct(s, 2), 2);
    CU_ASSERT(quiz_session_is_typed(s, 3));
    CU_ASSERT_EQUAL(quiz_session_option_count(s, 3), 0);
    quiz_session_free(s);
    quiz_bank_free(b);
}

/* For clickable front ends: a numeric question as four ascending choices,
 * exactly one of them accepted. */
static void test_numeric_as_choices(void)
{
    quiz_bank *b = load_text(small_bank);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    const quiz_question *q = quiz_bank_question(b, 3);
    for (uint64_t seed = 0; seed < 20; seed++) {
        quiz_session *s = quiz_session_new(b, QUIZ_NUMERIC_CHOICES | QUIZ_SHUFFLE, seed);
        CU_ASSERT_FALSE(quiz_session_is_typed(s, 3));
        guint n = quiz_session_option_count(s, 3);
        CU_ASSERT_EQUAL(n, 4);
        double prev = -INFINITY;
        guint accepted = 0;
        for (guint k = 0; k < n; k++) {
            double x;
            char *label = g_strdup(quiz_session_option(s, 3, k));
            char *sp = strchr(label, ' ');
            if (sp) *sp = '\0';
            CU_ASSERT(quiz_parse_number(label, &x));
            g_free(label);
            CU_ASSERT(x > prev);
            prev = x;
            if (quiz_question_accepts(q, x)) { accepted++; CU_ASSERT_EQUAL(k, quiz_session_correct(s, 3)); }
        }
        CU_ASSERT_EQUAL(accepted, 1);
        CU_ASSERT(quiz_session_answer(s, 3, quiz_session_correct(s, 3)));
        quiz_session_free(s);
    }
    quiz_bank_free(b);
}

/* ---- checking ------------------------------------------------------------ */

static void test_malformed_json_gives_line_and_column(void)
{
    /* the missing comma is on line 3, column 3 */
    const char *text = "{\"questions\": [\n  {\"id\": \"a\"}\n  {\"id\": \"b\"}\n]}\n";
    CU_ASSERT(check_reports(text, "t/bad.json:3:3: malformed JSON"));
    GError *error = NULL;
    CU_ASSERT_PTR_NULL(quiz_bank_load_string(text, "t/bad.json", NULL, &error));
    CU_ASSERT(g_error_matches(error, SIM_ERROR, SIM_ERROR_PARSE));
    g_clear_error(&error);
    CU_ASSERT(check_reports("", "t/bad.json:1:1: malformed JSON (empty file)"));
    /* columns count characters, not bytes: the stray x follows "é" */
    CU_ASSERT(check_reports("{\"title\": \"\xc3\xa9\" x}", "t/bad.json:1:15: malformed JSON"));
}

#define Q(body) "{\"questions\": [" body "]}"
#define GOOD(id) "{\"id\": \"" id "\", \"question\": \"Q?\", \"options\": [\"x\", \"y\"], \"answer\": 1, \"explanation\": \"E\"}"

static void test_bad_banks_are_reported_with_where(void)
{
    struct { const char *text, *needle; } cases[] = {
        { Q(GOOD("a") ",\n" GOOD("a")), "t/bad.json:2: question 'a' (#2): duplicate id (first used by question #1)" },
        { Q("{\"id\": \"a\", \"question\": \"Q?\", \"options\": [\"x\", \"y\"], \"explanation\": \"E\"}"),
          "question 'a' (#1): missing \"answer\"" },
        { Q("{\"id\": \"a\", \"question\": \"Q?\", \"options\": [\"x\", \"y\"], \"answer\": 3, \"explanation\": \"E\"}"),
          "question 'a' (#1): answer 3 is out of range (options 1-2)" },
        { Q("{\"id\": \"a\", \"question\": \"Q?\", \"options\": [\"x\", \"y\"], \"answer\": 0, \"explanation\": \"E\"}"),
          "answer 0 is out of range" },
        { Q("{\"id\": \"a\", \"question\": \"Q?\", \"options\": [\"x\", \"y\"], \"answer\": 1.5, \"explanation\": \"E\"}"),
          "\"answer\" must be an option number" },
        { Q("{\"id\": \"a\", \"question\": \"Q?\", \"options\": [\"x\", \"y\"], \"answer\": 1, \"explanation\": \"  \"}"),
          "question 'a' (#1): empty \"explanation\"" },
        { Q("{\"id\": \"a\", \"question\": \"Q?\", \"options\": [\"x\", \"y\"], \"answer\": 1}"),
          "missing \"explanation\"" },
        { Q("{\"id\": \"a\", \"question\": \"Q?\", \"options\": [\"x\"], \"answer\": 1, \"explanation\": \"E\"}"),
          "1 option; a question needs at least 2" },
        { Q("{\"id\": \"a\", \"question\": \"Q?\", \"options\": [\"1\",\"2\",\"3\",\"4\",\"5\"], \"answer\": 1, \"explanation\": \"E\"}"),
          "5 options; at most 4" },
        { Q("{\"id\": \"a\", \"question\": \"Q?\", \"options\": [\"x\", \"x\"], \"answer\": 1, \"explanation\": \"E\"}"),
          "option 2 repeats option 1" },
        { Q("{\"id\": \"a\", \"question\": \"Q?\", \"options\": [\"x\", \"y\"], \"answer\": 1, \"explanation\": \"E\", \"demo\": \"viz:fanoot\"}"),
          "unknown demo scene 'viz:fanoot'" },
        { Q("{\"id\": \"a\", \"question\": \"Q?\", \"options\": [\"x\", \"y\"], \"answer\": 1, \"explanation\": \"E\", \"demo\": \"scenarios/nope.json\"}"),
          "unknown demo 'scenarios/nope.json'" },
        { Q("{\"id\": \"a\", \"question\": \"Q?\", \"options\": [\"x\", \"y\"], \"answer\": 1, \"explanaton\": \"E\"}"),
          "unknown key 'explanaton' (did you mean 'explanation'?)" },
        { Q("{\"question\": \"Q?\", \"options\": [\"x\", \"y\"], \"answer\": 1, \"explanation\": \"E\"}"),
          "question (#1): missing \"id\"" },
        { Q("{\"id\": \"n\", \"question\": \"Q?\", \"numeric\": {\"value\": 1, \"scenario\": \"s.json\", \"field\": \"a\"}, \"explanation\": \"E\"}"),
          "needs either \"value\" or \"scenario\"" },
        { Q("{\"id\": \"n\", \"question\": \"Q?\", \"numeric\": {\"value\": 1, \"tolerance\": -0.1}, \"explanation\": \"E\"}"),
          "\"numeric.tolerance\" must be >= 0" },
        { Q("{\"id\": \"n\", \"question\": \"Q?\", \"numeric\": {\"value\": 1}, \"options\": [\"x\", \"y\"], \"explanation\": \"E\"}"),
          "a numeric question has no \"options\"" },
        { Q("{\"id\": \"n\", \"question\": \"Q?\", \"numeric\": {\"scenario\": \"nope.json\", \"field\": \"a..b\"}, \"explanation\": \"E\"}"),
          "\"numeric.field\" must be a dotted summary path" },
        { Q("{\"id\": \"n\", \"question\": \"Q?\", \"numeric\": {\"scenario\": \"nope.json\", \"field\": \"a\"}, \"explanation\": \"E\"}"),
          "numeric scenario 'nope.json' does not exist" },
        { Q(""), "\"questions\" is empty" },
        { "{\"title\": \"x\"}", "t/bad.json: missing \"questions\" array" },
        { "[1, 2]", "t/bad.json: a bank is an object" },
        { Q("3"), "t/bad.json:1: question (#1): must be an object" },
        { Q("{\"id\": \"a\", \"question\": \"Q?\", \"options\": [\"x\", \"y\"], \"answer\": 1, \"answer\": 2, \"explanation\": \"E\"}"),
          "question 'a' (#1): key 'answer' appears twice" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        gboolean found = check_reports(cases[i].text, cases[i].needle);
        if (!found) fprintf(stderr, "case %zu: expected '%s'\n", i, cases[i].needle);
        CU_ASSERT(found);
        /* and loading refuses the same bank with a located message */
        GError *error = NULL;
        CU_ASSERT_PTR_NULL(quiz_bank_load_string(cases[i].text, "t/bad.json", NULL, &error));
        CU_ASSERT(error && g_str_has_prefix(error->message, "t/bad.json"));
        g_clear_error(&error);
    }
    /* a sound bank has no problems */
    GPtrArray *none = quiz_check_string(Q(GOOD("a") "," GOOD("b")), "t/ok.json", NULL, NULL, NULL);
    CU_ASSERT_EQUAL(none->len, 0);
    g_ptr_array_unref(none);
}

static void test_load_reports_first_problem_and_count(void)
{
    const char *text = Q(GOOD("a") ",\n" GOOD("a") ",\n"
                         "{\"id\": \"c\", \"question\": \"Q?\", \"options\": [\"x\"], \"answer\": 1, \"explanation\": \"E\"}");
    GError *error = NULL;
    CU_ASSERT_PTR_NULL(quiz_bank_load_string(text, "t/bad.json", NULL, &error));
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    /* problems come in file order: the duplicate (line 2) before line 3's */
    CU_ASSERT(g_str_has_prefix(error->message, "t/bad.json:2: question 'a' (#2): duplicate id"));
    CU_ASSERT(strstr(error->message, "and 1 more problem") != NULL);
    g_clear_error(&error);

    CU_ASSERT_PTR_NULL(quiz_bank_load("t/no-such-bank.json", NULL, &error));
    CU_ASSERT(g_error_matches(error, SIM_ERROR, SIM_ERROR_IO));
    CU_ASSERT_STRING_EQUAL(error->message, "t/no-such-bank.json: no such quiz bank");
    g_clear_error(&error);
}

/* Links resolve against the root, else the bank's directory's parent. */
static void test_demo_links_resolve_from_root_or_bank(void)
{
    char *dir = make_project();
    const char *text = Q("{\"id\": \"a\", \"question\": \"Q?\", \"options\": [\"x\", \"y\"], \"answer\": 1,"
                         " \"explanation\": \"E\", \"demo\": \"scenarios/s.json\"}");
    /* quiz/b.json -> DIR/scenarios/s.json with no root given */
    char *in_quiz = write_bank(dir, "quiz/b.json", text);
    GError *error = NULL;
    quiz_bank *b = quiz_bank_load(in_quiz, NULL, &error);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    const quiz_question *q = quiz_bank_question(b, 0);
    CU_ASSERT_EQUAL(quiz_question_demo_kind(q), QUIZ_DEMO_SCENARIO);
    CU_ASSERT(g_file_test(quiz_question_demo_path(q), G_FILE_TEST_IS_REGULAR));
    char *cmd = quiz_demo_command(q);
    CU_ASSERT(g_str_has_prefix(cmd, "slacksim run ") && g_str_has_suffix(cmd, "scenarios/s.json"));
    g_free(cmd);
    quiz_bank_free(b);
    /* a bank with no project around it needs the root */
    char *deeper = g_build_filename(g_get_tmp_dir(), "quiztest-nowhere", "b.json", NULL);
    CU_ASSERT(check_reports(text, "unknown demo 'scenarios/s.json'"));
    b = quiz_bank_load_string(text, deeper, dir, &error);
    CU_ASSERT_PTR_NOT_NULL(b);
    quiz_bank_free(b);
    g_free(deeper);
    g_free(in_quiz);
    remove_project(dir);
}

/* A given bank is taken as typed, else under the root; the default bank
 * prefers the root's copy; a bank that is nowhere is an IO error. */
static void test_locate_bank(void)
{
    char *dir = make_project();
    char *bank = write_bank(dir, QUIZ_DEFAULT_BANK, small_bank);
    GError *error = NULL;
    char *found = quiz_locate_bank(NULL, dir, &error);
    CU_ASSERT_STRING_EQUAL(found, bank);
    g_free(found);
    char *other = write_bank(dir, "quiz/b.json", small_bank);
    found = quiz_locate_bank("quiz/b.json", dir, &error);       /* relative, not in the cwd */
    CU_ASSERT_STRING_EQUAL(found, other);
    g_free(found);
    g_free(other);
    found = quiz_locate_bank(bank, NULL, &error);                 /* absolute, as typed */
    CU_ASSERT_STRING_EQUAL(found, bank);
    g_free(found);
    CU_ASSERT_PTR_NULL(quiz_locate_bank("quiz/none.json", dir, &error));
    CU_ASSERT(g_error_matches(error, SIM_ERROR, SIM_ERROR_IO));
    CU_ASSERT(error && g_str_has_prefix(error->message, "quiz/none.json: no such quiz bank"));
    g_clear_error(&error);
    g_free(bank);
    remove_project(dir);
}

/* ---- numeric questions from the model ------------------------------------ */

static char *numeric_bank(const char *dir, const char *extra)
{
    return g_strdup_printf(
        "{\"questions\": [\n"
        " {\"id\": \"pushes\", \"question\": \"Pushes per post?\", \"numeric\": {\"scenario\": \"scenarios/s.json\",\n"
        "  \"field\": \"messages.delivered_online\", \"per\": \"messages.sent\", \"tolerance\": 0.05%s},\n"
        "  \"explanation\": \"The model says {value}.\", \"demo\": \"scenarios/s.json\"},\n"
        " {\"id\": \"total\", \"question\": \"Pushes?\", \"numeric\": {\"scenario\": \"%s/scenarios/s.json\",\n"
        "  \"field\": \"messages.delivered_online\", \"tolerance\": 0, \"abs_tolerance\": 10},\n"
        "  \"explanation\": \"E\"}\n"
        "]}\n", extra, dir);
}

static void test_numeric_with_fake_evaluator(void)
{
    char *dir = make_project();
    char *text = numeric_bank(dir, "");
    char *path = write_bank(dir, "quiz/b.json", text);
    quiz_bank *b = quiz_bank_load(path, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_FALSE(quiz_bank_ready(b));
    fake_model m = { 0 };
    GError *error = NULL;
    CU_ASSERT(quiz_bank_evaluate(b, fake_eval, &m, &error));
    /* one scenario, same sets and seed: one run for both questions */
    CU_ASSERT_EQUAL(m.runs, 1);
    CU_ASSERT(quiz_bank_ready(b));
    const quiz_question *q = quiz_bank_question(b, 0);
    CU_ASSERT_DOUBLE_EQUAL(quiz_question_value(q), 350, 1e-9);
    CU_ASSERT_STRING_EQUAL(quiz_question_explanation(q), "The model says 350.");
    /* relative tolerance 5%: 332.5 .. 367.5 */
    CU_ASSERT(quiz_question_accepts(q, 350));
    CU_ASSERT(quiz_question_accepts(q, 367.4));
    CU_ASSERT(quiz_question_accepts(q, 332.6));
    CU_ASSERT_FALSE(quiz_question_accepts(q, 367.6));
    CU_ASSERT_FALSE(quiz_question_accepts(q, 332.4));
    CU_ASSERT_FALSE(quiz_question_accepts(q, 500));
    CU_ASSERT_FALSE(quiz_question_accepts(q, NAN));
    /* absolute tolerance 10 around 3500 */
    const quiz_question *t = quiz_bank_question(b, 1);
    CU_ASSERT(quiz_question_accepts(t, 3509));
    CU_ASSERT_FALSE(quiz_question_accepts(t, 3511));
    quiz_session *s = quiz_session_new(b, QUIZ_SESSION_PLAIN, 1);
    CU_ASSERT(quiz_session_answer_number(s, 0, 349));
    CU_ASSERT_FALSE(quiz_session_answer_number(s, 1, 350));
    CU_ASSERT_EQUAL(quiz_session_score(s), 1);
    quiz_session_free(s);
    quiz_bank_free(b);
    g_free(text); g_free(path);

    /* --set reaches the evaluator and a different seed runs again */
    text = numeric_bank(dir, ", \"set\": [\"channel.online=700\"], \"seed\": 7");
    path = write_bank(dir, "quiz/b.json", text);
    b = quiz_bank_load(path, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    m.runs = 0;
    CU_ASSERT(quiz_bank_evaluate(b, fake_eval, &m, NULL));
    CU_ASSERT_EQUAL(m.runs, 2);
    CU_ASSERT_DOUBLE_EQUAL(quiz_question_value(quiz_bank_question(b, 0)), 700, 1e-9);
    quiz_bank_free(b);
    g_free(text); g_free(path);
    remove_project(dir);
}

static void test_numeric_evaluation_errors_say_where(void)
{
    char *dir = make_project();
    char *text = numeric_bank(dir, "");
    char *missing = g_strdup(text);
    /* a field the summary lacks */
    char *at = strstr(missing, "messages.sent");
    memcpy(at, "messages.sant", 13);
    char *path = write_bank(dir, "quiz/b.json", missing);
    fake_model m = { 0 };
    GPtrArray *problems = quiz_check_file(path, NULL, fake_eval, &m);
    CU_ASSERT_EQUAL_FATAL(problems->len, 1);
    CU_ASSERT(strstr(g_ptr_array_index(problems, 0), ":2: question 'pushes' (#1): scenarios/s.json's summary has no number at 'messages.sant'") != NULL);
    g_ptr_array_unref(problems);
    /* an evaluator failure */
    g_file_set_contents(path, text, -1, NULL);
    quiz_bank *b = quiz_bank_load(path, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    m.fail = TRUE;
    GError *error = NULL;
    CU_ASSERT_FALSE(quiz_bank_evaluate(b, fake_eval, &m, &error));
    /* the evaluator's message already names the scenario: not repeated */
    CU_ASSERT(error && strstr(error->message, "question 'pushes' (#1): ") != NULL);
    CU_ASSERT(error && g_str_has_suffix(error->message, "scenarios/s.json: the fake refuses"));
    CU_ASSERT(error && strstr(error->message, "running") == NULL);
    g_clear_error(&error);
    quiz_bank_free(b);
    g_free(text); g_free(missing); g_free(path);
    remove_project(dir);
}

/* "[n]" in a field indexes an array ("faults[1].lost"), as compare's
 * --field writes it; an index past its end, or a malformed one, names no
 * number. */
static void test_numeric_field_indexes_arrays(void)
{
    static const struct { const char *field; double value; } cases[] = {
        { "faults[0].lost", 5 }, { "faults[1].lost", 9 }, { "faults[2].lost", NAN }, { "faults.first.lost", NAN },
        { "faults[-1].lost", NAN }, { "faults[1.lost", NAN }, { "messages[0]", NAN }, { "faults.0.lost", NAN },
    };
    char *dir = make_project();
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *text = g_strdup_printf("{\"questions\": [{\"id\": \"f\", \"question\": \"Lost?\", \"numeric\":"
                                     " {\"scenario\": \"scenarios/s.json\", \"field\": \"%s\"}, \"explanation\": \"E\"}]}",
                                     cases[i].field);
        char *path = write_bank(dir, "quiz/b.json", text);
        quiz_bank *b = quiz_bank_load(path, NULL, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        fake_model m = { 0 };
        GError *error = NULL;
        gboolean ok = quiz_bank_evaluate(b, fake_eval, &m, &error);
        CU_ASSERT_EQUAL(ok, !isnan(cases[i].value));
        if (ok) {
            CU_ASSERT_DOUBLE_EQUAL(quiz_question_value(quiz_bank_question(b, 0)), cases[i].value, 1e-9);
        } else {
            CU_ASSERT(error && strstr(error->message, "has no number at") != NULL);
        }
        g_clear_error(&error);
        quiz_bank_free(b);
        g_free(text); g_free(path);
    }
    remove_project(dir);
}

/* ---- helpers ---------------------------------------------------------------- */

static void test_parse_and_format_numbers(void)
{
    struct { const char *text; double value; } ok[] = {
        { "350", 350 }, { " 12,000,000 ", 12e6 }, { "400k", 4e5 }, { "12M", 12e6 },
        { "1.5e6", 1.5e6 }, { "2 G", 2e9 }, { "-3", -3 }, { "0.25", 0.25 }, { "12_000", 12000 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
        double x = -1;
        CU_ASSERT(quiz_parse_number(ok[i].text, &x));
        CU_ASSERT_DOUBLE_EQUAL(x, ok[i].value, 1e-9 * fabs(ok[i].value));
    }
    const char *bad[] = { "", "abc", "12MM", "k", "1.2.3", "nan", "inf", "3 4x" };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        double x;
        CU_ASSERT_FALSE(quiz_parse_number(bad[i], &x));
    }
    struct { double x; const char *text; } fmt[] = {
        { 400000, "400,000" }, { 12e6, "12,000,000" }, { 350, "350" }, { -1234, "-1,234" },
        { 0.25, "0.25" }, { 0, "0" }, { 49.5, "49.5" }, { 126.4331, "126.4" }, { 12345.678, "12,346" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(fmt); i++) {
        char *s = quiz_format_number(fmt[i].x);
        CU_ASSERT_STRING_EQUAL(s, fmt[i].text);
        g_free(s);
    }
}

void test_quiz_register(void)
{
    TEST_SUITE("quiz",
               TEST(test_shipped_bank_passes_check),
               TEST(test_shipped_bank_opens_with_the_seed_quiz),
               TEST(test_shipped_demo_links_resolve),
               TEST(test_scripted_answers_score_exactly),
               TEST(test_subset_session),
               TEST(test_explanation_renders_value),
               TEST(test_shuffle_is_reproducible_and_maps_answers),
               TEST(test_shuffle_is_uniform),
               TEST(test_unshuffled_keeps_bank_order),
               TEST(test_numeric_as_choices),
               TEST(test_malformed_json_gives_line_and_column),
               TEST(test_bad_banks_are_reported_with_where),
               TEST(test_load_reports_first_problem_and_count),
               TEST(test_demo_links_resolve_from_root_or_bank),
               TEST(test_locate_bank),
               TEST(test_numeric_with_fake_evaluator),
               TEST(test_numeric_field_indexes_arrays),
               TEST(test_numeric_evaluation_errors_say_where),
               TEST(test_parse_and_format_numbers));
}
