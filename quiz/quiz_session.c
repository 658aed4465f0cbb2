/* quiz_session: one pass through a bank: the shown order of each
 * question's options, the numeric questions asked as choices, the answers
 * given and the score.
 *
 * Invariant: a session never changes its bank (borrowed, read only through
 * quiz/quiz.h's accessors) and keeps its own order and answers, so the
 * visualizer and the terminal can hold sessions over one bank at once.
 * Every shuffle comes from the question's own named stream, so the same
 * seed gives the same order whatever else is in the bank. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "quiz/quiz.h"
#include "sim/sim_rng.h"

/* ==== Private ======================================================== */
typedef struct {
    guint question;                       /* index in the bank */
    gboolean typed;                       /* numeric, asked as a number */
    guint nopt;                           /* options shown */
    guint order[QUIZ_MAX_OPTIONS];        /* shown k -> bank option (choice) */
    double values[QUIZ_MAX_OPTIONS];      /* shown k -> value (numeric choices) */
    char *labels[QUIZ_MAX_OPTIONS];       /* numeric choices, owned */
    guint correct;                        /* shown index of the right option */
    gboolean answered, right;
    guint given;                          /* shown index given */
    double given_number;                  /* typed number given */
} session_item;

struct quiz_session {
    const quiz_bank *bank;                /* borrowed */
    quiz_session_flags flags;
    uint64_t seed;
    guint n;
    session_item *items;
};

/* Fisher-Yates over `order[0..n)` from the question's own stream, so
 * editing one question never reorders another's options. */
static void shuffle_options(guint *order, guint n, uint64_t seed, const char *id)
{
    char *name = g_strdup_printf("quiz.shuffle.%s", id);
    sim_rng rng;
    sim_rng_init_named(&rng, seed, name);
    g_free(name);
    for (guint i = n; i > 1; i--) {
        guint j = (guint)sim_rng_below(&rng, i);
        guint t = order[i - 1]; order[i - 1] = order[j]; order[j] = t;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Three distractors for a numeric answer, each outside its tolerance and
 * distinct once printed, picked by the question's stream; shown in
 * ascending order like any numeric scale. */
static void numeric_choices(const quiz_question *q, session_item *it, uint64_t seed)
{
    static const double factors[] = { 0.01, 0.1, 0.5, 2, 10, 100, 0.25, 4 };
    guint idx[G_N_ELEMENTS(factors)];
    for (guint i = 0; i < G_N_ELEMENTS(factors); i++) idx[i] = i;
    /* The first six are the interesting ones; shuffle those, keep the two
     * spares for values where some collide after rounding. */
    shuffle_options(idx, 6, seed, quiz_question_id(q));
    double v = quiz_question_value(q);
    it->values[0] = v;
    guint n = 1;
    for (guint i = 0; i < G_N_ELEMENTS(factors) && n < QUIZ_MAX_OPTIONS; i++) {
        double d = v != 0 ? v * factors[idx[i]] : factors[idx[i]] * 100;
        if (quiz_question_accepts(q, d)) continue;
        gboolean dup = FALSE;
        for (guint j = 0; j < n; j++) dup |= fabs(it->values[j] - d) <= 1e-9 * fabs(d);
        if (!dup) it->values[n++] = d;
    }
    qsort(it->values, n, sizeof(double), cmp_double);
    it->nopt = n;
    for (guint k = 0; k < n; k++) {
        char *num = quiz_format_number(it->values[k]);
        it->labels[k] = *quiz_question_unit(q) ? g_strdup_printf("%s %s", num, quiz_question_unit(q)) : g_strdup(num);
        g_free(num);
        if (it->values[k] == v) it->correct = k;
    }
}

static void session_item_init(const quiz_session *s, const quiz_question *q, session_item *it)
{
    if (quiz_question_kind(q) == QUIZ_NUMERIC) {
        if (s->flags & QUIZ_NUMERIC_CHOICES) numeric_choices(q, it, s->seed);
        else it->typed = TRUE;
        return;
    }
    it->nopt = quiz_question_option_count(q);
    for (guint k = 0; k < it->nopt; k++) it->order[k] = k;
    if (s->flags & QUIZ_SHUFFLE) shuffle_options(it->order, it->nopt, s->seed, quiz_question_id(q));
    for (guint k = 0; k < it->nopt; k++)
        if (it->order[k] == quiz_question_answer(q)) it->correct = k;
}

/* ==== API: sessions ================================================== */

quiz_session *quiz_session_new(const quiz_bank *bank, quiz_session_flags flags, uint64_t seed)
{
    return quiz_session_new_subset(bank, NULL, 0, flags, seed);
}

quiz_session *quiz_session_new_subset(const quiz_bank *bank, const guint *questions, guint n,
                                      quiz_session_flags flags, uint64_t seed)
{
    g_return_val_if_fail(bank && quiz_bank_ready(bank), NULL);
    if (questions)
        for (guint i = 0; i < n; i++) g_return_val_if_fail(questions[i] < quiz_bank_count(bank), NULL);
    quiz_session *s = g_new0(quiz_session, 1);
    s->bank = bank;
    s->flags = flags;
    s->seed = seed;
    s->n = questions ? n : quiz_bank_count(bank);
    s->items = g_new0(session_item, s->n);
    for (guint i = 0; i < s->n; i++) {
        s->items[i].question = questions ? questions[i] : i;
        session_item_init(s, quiz_bank_question(bank, s->items[i].question), &s->items[i]);
    }
    return s;
}

void quiz_session_free(quiz_session *s)
{
    if (!s) return;
    for (guint i = 0; i < s->n; i++)
        for (guint k = 0; k < QUIZ_MAX_OPTIONS; k++) g_free(s->items[i].labels[k]);
    g_free(s->items);
    g_free(s);
}

uint64_t quiz_session_seed(const quiz_session *s) { return s->seed; }
guint quiz_session_count(const quiz_session *s) { return s->n; }

const quiz_question *quiz_session_question(const quiz_session *s, guint i)
{
    g_return_val_if_fail(s && i < s->n, NULL);
    return quiz_bank_question(s->bank, s->items[i].question);
}

gboolean quiz_session_is_typed(const quiz_session *s, guint i)
{
    g_return_val_if_fail(s && i < s->n, FALSE);
    return s->items[i].typed;
}

guint quiz_session_option_count(const quiz_session *s, guint i)
{
    g_return_val_if_fail(s && i < s->n, 0);
    return s->items[i].nopt;
}

const char *quiz_session_option(const quiz_session *s, guint i, guint k)
{
    g_return_val_if_fail(s && i < s->n && k < s->items[i].nopt, NULL);
    const session_item *it = &s->items[i];
    if (it->labels[k]) return it->labels[k];
    return quiz_question_option(quiz_session_question(s, i), it->order[k]);
}

guint quiz_session_correct(const quiz_session *s, guint i)
{
    g_return_val_if_fail(s && i < s->n, 0);
    return s->items[i].correct;
}

gboolean quiz_session_answer(quiz_session *s, guint i, guint shown)
{
    g_return_val_if_fail(s && i < s->n && !s->items[i].typed, FALSE);
    session_item *it = &s->items[i];
    it->answered = TRUE;
    it->given = shown;
    it->right = shown == it->correct;
    return it->right;
}

gboolean quiz_session_answer_number(quiz_session *s, guint i, double x)
{
    g_return_val_if_fail(s && i < s->n && s->items[i].typed, FALSE);
    session_item *it = &s->items[i];
    it->answered = TRUE;
    it->given_number = x;
    it->right = quiz_question_accepts(quiz_session_question(s, i), x);
    return it->right;
}

gboolean quiz_session_answered(const quiz_session *s, guint i)
{
    g_return_val_if_fail(s && i < s->n, FALSE);
    return s->items[i].answered;
}

gboolean quiz_session_is_right(const quiz_session *s, guint i)
{
    g_return_val_if_fail(s && i < s->n, FALSE);
    return s->items[i].answered && s->items[i].right;
}

guint quiz_session_answered_count(const quiz_session *s)
{
    guint n = 0;
    for (guint i = 0; i < s->n; i++) n += s->items[i].answered;
    return n;
}

guint quiz_session_score(const quiz_session *s)
{
    guint n = 0;
    for (guint i = 0; i < s->n; i++) n += s->items[i].answered && s->items[i].right;
    return n;
}

GPtrArray *quiz_session_review(const quiz_session *s)
{
    GPtrArray *topics = g_ptr_array_new();
    for (guint i = 0; i < s->n; i++) {
        if (!s->items[i].answered || s->items[i].right) continue;
        const char *t = quiz_question_topic(quiz_session_question(s, i));
        gboolean seen = FALSE;
        for (guint j = 0; j < topics->len && !seen; j++) seen = !strcmp(g_ptr_array_index(topics, j), t);
        if (!seen) g_ptr_array_add(topics, (gpointer)t);
    }
    return topics;
}

static cJSON *item_results(const quiz_session *s, guint i)
{
    const quiz_question *q = quiz_session_question(s, i);
    const session_item *it = &s->items[i];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", quiz_question_id(q));
    cJSON_AddStringToObject(o, "topic", quiz_question_topic(q));
    cJSON_AddStringToObject(o, "kind", it->typed ? "numeric" : "choice");
    cJSON_AddBoolToObject(o, "answered", it->answered);
    cJSON_AddBoolToObject(o, "right", it->answered && it->right);
    if (it->typed) {
        cJSON_AddNumberToObject(o, "value", quiz_question_value(q));
        if (it->answered) cJSON_AddNumberToObject(o, "given", it->given_number);
        else cJSON_AddNullToObject(o, "given");
    } else {
        cJSON *opts = cJSON_AddArrayToObject(o, "options");
        for (guint k = 0; k < it->nopt; k++)
            cJSON_AddItemToArray(opts, cJSON_CreateString(quiz_session_option(s, i, k)));
        cJSON_AddNumberToObject(o, "correct", it->correct + 1);
        if (it->answered) cJSON_AddNumberToObject(o, "given", it->given + 1);
        else cJSON_AddNullToObject(o, "given");
    }
    return o;
}

cJSON *quiz_session_results(const quiz_session *s)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "bank", quiz_bank_origin(s->bank));
    cJSON_AddStringToObject(r, "title", quiz_bank_title(s->bank));
    cJSON_AddNumberToObject(r, "seed", (double)s->seed);
    cJSON_AddBoolToObject(r, "shuffle", (s->flags & QUIZ_SHUFFLE) != 0);
    cJSON_AddNumberToObject(r, "score", quiz_session_score(s));
    cJSON_AddNumberToObject(r, "answered", quiz_session_answered_count(s));
    cJSON_AddNumberToObject(r, "total", s->n);
    GPtrArray *topics = quiz_session_review(s);
    cJSON *review = cJSON_AddArrayToObject(r, "review");
    for (guint j = 0; j < topics->len; j++)
        cJSON_AddItemToArray(review, cJSON_CreateString(g_ptr_array_index(topics, j)));
    g_ptr_array_unref(topics);
    cJSON *qs = cJSON_AddArrayToObject(r, "questions");
    for (guint i = 0; i < s->n; i++) cJSON_AddItemToArray(qs, item_results(s, i));
    return r;
}
