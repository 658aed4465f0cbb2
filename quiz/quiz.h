/* quiz: question banks for the Design Slack lesson, and quiz sessions over
 * them. The terminal quiz (`slacksim quiz`) and the visualizer's quiz scene
 * both drive this one API:
 *
 *     quiz_bank *bank = quiz_bank_load(path, root, &error);     // validated
 *     quiz_bank_evaluate(bank, evaluator, user, &error);        // numeric answers
 *     quiz_session *s = quiz_session_new(bank, QUIZ_SHUFFLE, seed);
 *     for (i = 0; i < quiz_session_count(s); i++) {
 *         quiz_session_question(s, i)  ->  text, explanation, demo, topic
 *         quiz_session_option(s, i, k) ->  k-th option as shown
 *         quiz_session_answer(s, i, k) ->  TRUE if right; recorded
 *     }
 *     quiz_session_score(s), quiz_session_review(s)
 *
 * A bank is JSON (format in docs/quiz.md):
 *   {"title": "...", "questions": [
 *     {"id", "topic", "question", "options": [...], "answer": <1-based>,
 *      "explanation", "demo"},
 *     {"id", "topic", "question", "numeric": {"scenario", "set", "seed",
 *      "field", "per", "tolerance", "unit"} or {"value", "tolerance", "unit"},
 *      "explanation", "demo"} ]}
 * Numeric questions whose answer comes from the model are answered by an
 * evaluator callback (the CLI and the visualizer pass quiz_model_evaluator),
 * so the quiz engine itself never links against the model and its tests use
 * a fake.
 *
 * Every recoverable problem (bad JSON, bad bank, missing scenario) is a
 * GError in SIM_ERROR whose message says where: "FILE:LINE:COL: what" for
 * JSON syntax, "FILE:LINE: question 'ID' (#N): what" for bank content
 * (LINE: where the question's object starts). */
#ifndef QUIZ_H
#define QUIZ_H

#include <stdint.h>
#include <glib.h>
#include <cjson/cJSON.h>

/* The bank `slacksim quiz` and the quiz scene use when given none. */
#define QUIZ_DEFAULT_BANK "quiz/design-slack.json"

/* The visualizer maps options to keys 1..4, so a bank may not have more. */
#define QUIZ_MIN_OPTIONS 2
#define QUIZ_MAX_OPTIONS 4

/* The visualizer scenes a "demo" may name as "viz:<scene>". */
#define QUIZ_SCENES { "fanout", "pipeline", "dashboard", "quiz" }

typedef struct quiz_bank quiz_bank;
typedef struct quiz_question quiz_question;
typedef struct quiz_session quiz_session;

/* ---- Evaluating numeric questions ---------------------------------- */

/* Runs `scenario_path` (resolved, openable) with `sets` (NULL-terminated
 * "key=value" overrides, may be empty) and `seed`, and returns the run's
 * summary tree, or NULL with `error` set. Caller (the quiz) owns the result
 * and frees it with cJSON_Delete. `user` is passed through. */
typedef cJSON *(*quiz_evaluator)(const char *scenario_path, const char *const *sets,
                                 uint64_t seed, void *user, GError **error);

/* The real evaluator: slack_model_run_file from models/slack_model.h. Lives
 * in quiz/quiz_model.c so only programs that call it link the model. */
cJSON *quiz_model_evaluator(const char *scenario_path, const char *const *sets,
                            uint64_t seed, void *user, GError **error);

/* ---- Banks ---------------------------------------------------------- */

/* Loads and checks the bank at `path`. Demo links and numeric scenarios
 * are resolved against `root` (the project root; may be NULL), then against
 * the parent of the bank's directory (quiz/x.json -> the project root of a
 * checkout). NULL with `error` = the first problem and how many more there
 * are; caller owns the result, free with quiz_bank_free. */
quiz_bank *quiz_bank_load(const char *path, const char *root, GError **error);
/* The same from text in memory; `origin` names it in messages and its
 * directory anchors relative links. */
quiz_bank *quiz_bank_load_string(const char *text, const char *origin, const char *root,
                                 GError **error);
void quiz_bank_free(quiz_bank *bank);                 /* NULL is a no-op */

/* Every problem with the bank at `path`, one message per line-worthy
 * problem, in file order; empty when the bank is sound. When `eval` is
 * non-NULL the numeric questions are also evaluated, so a field the model's
 * summary lacks is reported. Caller owns; free with g_ptr_array_unref. */
GPtrArray *quiz_check_file(const char *path, const char *root, quiz_evaluator eval, void *user);
GPtrArray *quiz_check_string(const char *text, const char *origin, const char *root,
                             quiz_evaluator eval, void *user);

/* Computes the answer of every model-backed numeric question (each distinct
 * scenario/sets/seed runs once). Needed before sessions use them; banks
 * without such questions need no call. FALSE with `error` on the first
 * failure ("FILE: question 'ID' (#N): ..."). */
gboolean quiz_bank_evaluate(quiz_bank *bank, quiz_evaluator eval, void *user, GError **error);
/* TRUE when every numeric question has its answer. */
gboolean quiz_bank_ready(const quiz_bank *bank);

const char *quiz_bank_origin(const quiz_bank *bank);  /* borrowed */
const char *quiz_bank_title(const quiz_bank *bank);   /* borrowed; the file name if untitled */
guint quiz_bank_count(const quiz_bank *bank);
/* Question `i` (0-based, bank order). Borrowed until the bank is freed. */
const quiz_question *quiz_bank_question(const quiz_bank *bank, guint i);

/* ---- Questions (all strings borrowed until the bank is freed) -------- */

typedef enum {
    QUIZ_CHOICE,   /* pick one of 2..4 options */
    QUIZ_NUMERIC   /* type a number; right within a tolerance */
} quiz_kind;

typedef enum {
    QUIZ_DEMO_NONE,
    QUIZ_DEMO_SCENE,      /* "viz:fanout": a visualizer scene */
    QUIZ_DEMO_SCENARIO    /* "scenarios/x.json": a scenario file */
} quiz_demo_kind;

const char *quiz_question_id(const quiz_question *q);
const char *quiz_question_text(const quiz_question *q);
/* The "topic" to review when this is missed; the id if the bank has none. */
const char *quiz_question_topic(const quiz_question *q);
quiz_kind   quiz_question_kind(const quiz_question *q);
/* After evaluation, "{value}" in the bank's explanation reads as the
 * answer (formatted like quiz_format_number). */
const char *quiz_question_explanation(const quiz_question *q);

/* Choice questions: options in bank order and the right one (0-based). */
guint       quiz_question_option_count(const quiz_question *q);
const char *quiz_question_option(const quiz_question *q, guint i);
guint       quiz_question_answer(const quiz_question *q);

/* Numeric questions. The value is the bank's "value" or the model's figure
 * after quiz_bank_evaluate; has_value says whether it is known yet. */
gboolean    quiz_question_has_value(const quiz_question *q);
double      quiz_question_value(const quiz_question *q);
const char *quiz_question_unit(const quiz_question *q);     /* "" if none */
/* TRUE if `x` is within the tolerance of the value (which must be known):
 * |x - v| <= max(tolerance * |v|, abs_tolerance). */
gboolean    quiz_question_accepts(const quiz_question *q, double x);

/* The demo link as written, its kind, the scene name ("fanout") for a
 * scene, and the resolved, openable path for a scenario (else NULL). */
const char    *quiz_question_demo(const quiz_question *q);
quiz_demo_kind quiz_question_demo_kind(const quiz_question *q);
const char    *quiz_question_demo_scene(const quiz_question *q);
const char    *quiz_question_demo_path(const quiz_question *q);

/* ---- Sessions: one pass through a bank ------------------------------ */

typedef enum {
    QUIZ_SESSION_PLAIN   = 0,
    QUIZ_SHUFFLE         = 1 << 0,  /* options in a seeded random order */
    /* Numeric questions become four choices (the answer and three
     * distractors outside its tolerance): for clickable front ends. */
    QUIZ_NUMERIC_CHOICES = 1 << 1
} quiz_session_flags;

/* A session over `bank` (borrowed; must outlive the session and be ready).
 * The same (bank, flags, seed) always shows the same order. Caller owns;
 * free with quiz_session_free. */
quiz_session *quiz_session_new(const quiz_bank *bank, quiz_session_flags flags, uint64_t seed);
/* A session asking only bank questions `questions[0..n)` (0-based bank
 * indices, in that order; the array is copied). Session index i is then
 * the i-th of those. */
quiz_session *quiz_session_new_subset(const quiz_bank *bank, const guint *questions, guint n,
                                      quiz_session_flags flags, uint64_t seed);
void quiz_session_free(quiz_session *s);              /* NULL is a no-op */

uint64_t quiz_session_seed(const quiz_session *s);
guint quiz_session_count(const quiz_session *s);
/* Question `i` of the session (0-based, asking order). Borrowed. */
const quiz_question *quiz_session_question(const quiz_session *s, guint i);
/* TRUE if question `i` is asked as a typed number (numeric, no CHOICES). */
gboolean quiz_session_is_typed(const quiz_session *s, guint i);

/* Options of question `i` in the order shown (0 for typed questions). */
guint       quiz_session_option_count(const quiz_session *s, guint i);
const char *quiz_session_option(const quiz_session *s, guint i, guint k);
/* The shown index (0-based) of the right option. */
guint       quiz_session_correct(const quiz_session *s, guint i);

/* Records an answer to question `i`, replacing an earlier one; returns
 * TRUE if it is right. _answer takes a shown option index (0-based; an
 * out-of-range index counts as wrong), _answer_number a typed number. */
gboolean quiz_session_answer(quiz_session *s, guint i, guint shown);
gboolean quiz_session_answer_number(quiz_session *s, guint i, double x);

gboolean quiz_session_answered(const quiz_session *s, guint i);
gboolean quiz_session_is_right(const quiz_session *s, guint i);
guint quiz_session_answered_count(const quiz_session *s);
guint quiz_session_score(const quiz_session *s);      /* right answers so far */
/* Distinct topics of the questions answered wrongly, in bank order.
 * Caller owns the array (strings borrowed from the bank); g_ptr_array_unref. */
GPtrArray *quiz_session_review(const quiz_session *s);
/* The results as JSON: bank, seed, shuffle, score, answered, total, review,
 * and per question the options shown, the answer given and the right one.
 * Caller owns; cJSON_Delete. */
cJSON *quiz_session_results(const quiz_session *s);

/* ---- Helpers the front ends share ------------------------------------ */

/* Parses a typed number: "350", "12,000,000", "400k", "12M", "1.5e6",
 * "2 G". FALSE if it is not one. */
gboolean quiz_parse_number(const char *text, double *out);
/* The checkout the running program belongs to: the nearest ancestor
 * (up to 4 levels) of the executable's directory that holds
 * QUIZ_DEFAULT_BANK (bin/slacksim and build-asan/bin/slacksim both find the
 * project). NULL if there is none. Caller frees with g_free. */
char *quiz_project_root(void);
/* Finds bank `given` (NULL = QUIZ_DEFAULT_BANK): a given path as typed
 * (relative to the working directory), else relative to `root`; the
 * default bank prefers `root`'s copy, so it is found from any directory.
 * NULL with `error` if it is nowhere. Caller frees with g_free. */
char *quiz_locate_bank(const char *given, const char *root, GError **error);
/* "400,000", "126.4", "0.25", "1.5e+15": four significant digits below
 * 1,000, whole numbers with thousands separators from there to 1e15.
 * Caller frees with g_free. */
char *quiz_format_number(double x);
/* The command that shows a demo ("slacksim viz --scene fanout",
 * "slacksim run scenarios/x.json"), or NULL. Caller frees with g_free. */
char *quiz_demo_command(const quiz_question *q);

#endif
