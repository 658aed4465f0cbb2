/* viz_quiz: scene 4, the Design Slack quiz on the projector: one question
 * at a time in large text, options clickable and on keys 1-4, feedback with
 * the explanation, "Show me" opening the linked scene, and a score screen.
 * Built on quiz/quiz.h; numeric questions are asked as four choices
 * (QUIZ_NUMERIC_CHOICES) with their answers computed by the model.
 *
 * Invariant: the bank is loaded (and its model-backed answers evaluated)
 * only when the scene is first shown, one frame after a "preparing" notice
 * has been drawn, so starting the visualizer never waits on the quiz. */
#include "viz/viz_scene.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "quiz/quiz.h"
#include "sim/sim_error.h"

#define BANK_PATH "quiz/design-slack.json"
/* Where Show me loads a question's scenario: live charts of the run. */
#define QUIZ_SCENARIO_SCENE "dashboard"

typedef enum { QS_IDLE, QS_PREPARING, QS_ERROR, QS_ASK, QS_SCORE } quiz_state;

typedef struct rect { double x, y, w, h; } rect;

typedef struct viz_quiz {
    quiz_state state;
    char *error;
    quiz_bank *bank;
    quiz_session *session;
    uint64_t seed;
    guint cur;                 /* question shown */
    int chosen;                /* shown option picked, -1 none */
    /* Layout of the question screen, computed in update (text measured on
     * a private 1x1 surface) so that drawing only reads it. */
    cairo_surface_t *msurf;
    cairo_t *measure;
    double x, w;               /* text column */
    double head_y, text_y;     /* header line, question text */
    rect opt[QUIZ_MAX_OPTIONS];
    double opt_th[QUIZ_MAX_OPTIONS];   /* each option's text height */
    guint nopt;
    double after_y;            /* below the options: hint or feedback */
    double expl_y;             /* the explanation */
    rect next_btn, show_btn;
    gboolean has_show;
    /* Which questions (--quiz-first, --quiz-topic). */
    guint first;               /* 0: all */
    char *topic;               /* NULL: any */
    GArray *subset;            /* guint bank indices asked, in bank order */
} viz_quiz;

static char *resolve_bank(void)
{
    if (g_file_test(BANK_PATH, G_FILE_TEST_EXISTS)) return g_strdup(BANK_PATH);
    char *exe = g_file_read_link("/proc/self/exe", NULL);
    if (!exe) return g_strdup(BANK_PATH);
    char *dir = g_path_get_dirname(exe);
    char *alt = g_build_filename(dir, "..", BANK_PATH, NULL);
    g_free(dir);
    g_free(exe);
    return alt;
}

static void quiz_clear(viz_quiz *s)
{
    quiz_session_free(s->session);
    s->session = NULL;
    quiz_bank_free(s->bank);
    s->bank = NULL;
    g_free(s->error);
    s->error = NULL;
}

static gboolean contains_casefold(const char *hay, const char *needle)
{
    char *h = g_utf8_casefold(hay, -1), *n = g_utf8_casefold(needle, -1);
    gboolean r = strstr(h, n) != NULL;
    g_free(h);
    g_free(n);
    return r;
}

/* The bank indices asked: topic filter, then the first N. FALSE with a
 * usage error listing the topics when the topic matches nothing. */
static gboolean pick_subset(viz_quiz *s, GError **error)
{
    g_array_set_size(s->subset, 0);
    guint n = quiz_bank_count(s->bank);
    for (guint i = 0; i < n && (s->first == 0 || s->subset->len < s->first); i++) {
        const quiz_question *q = quiz_bank_question(s->bank, i);
        if (s->topic && !contains_casefold(quiz_question_topic(q), s->topic)
            && !contains_casefold(quiz_question_id(q), s->topic))
            continue;
        g_array_append_val(s->subset, i);
    }
    if (s->subset->len > 0 || n == 0) return TRUE;
    GString *topics = g_string_new(NULL);
    for (guint i = 0; i < n; i++) {
        const char *tp = quiz_question_topic(quiz_bank_question(s->bank, i));
        gboolean seen = FALSE;
        for (guint j = 0; j < i && !seen; j++) seen = !strcmp(tp, quiz_question_topic(quiz_bank_question(s->bank, j)));
        if (!seen) g_string_append_printf(topics, "%s'%s'", topics->len ? ", " : "", tp);
    }
    g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "--quiz-topic: no question matches '%s'; topics: %s",
                s->topic, topics->str);
    g_string_free(topics, TRUE);
    return FALSE;
}

static quiz_session *new_session(const viz_quiz *s)
{
    return quiz_session_new_subset(s->bank, (const guint *)(void *)s->subset->data, s->subset->len,
                                   QUIZ_SHUFFLE | QUIZ_NUMERIC_CHOICES, s->seed);
}

static quiz_bank *load_bank(GError **error)
{
    char *path = resolve_bank();
    quiz_bank *b = quiz_bank_load(path, NULL, error);
    g_free(path);
    return b;
}

gboolean viz_quiz_configure(void *scene, guint first, const char *topic, GError **error)
{
    viz_quiz *s = scene;
    s->first = first;
    g_free(s->topic);
    s->topic = topic && *topic ? g_strdup(topic) : NULL;
    if (!s->bank && !(s->bank = load_bank(error))) return FALSE;
    return pick_subset(s, error);
}

static void quiz_load(viz_quiz *s)
{
    GError *e = NULL;
    if (!s->bank) s->bank = load_bank(&e);
    if (s->bank && !quiz_bank_ready(s->bank) && !quiz_bank_evaluate(s->bank, quiz_model_evaluator, NULL, &e)) {
        quiz_bank_free(s->bank);
        s->bank = NULL;
    }
    if (!s->bank) {
        s->error = g_strdup(e ? e->message : "cannot load the quiz bank");
        g_clear_error(&e);
        s->state = QS_ERROR;
        return;
    }
    if (!pick_subset(s, &e)) {
        s->error = g_strdup(e->message);
        g_clear_error(&e);
        s->state = QS_ERROR;
        return;
    }
    s->session = new_session(s);
    s->cur = 0;
    s->chosen = -1;
    s->state = quiz_session_count(s->session) ? QS_ASK : QS_SCORE;
}

static void *quiz_init(viz_world *w)
{
    viz_quiz *s = g_new0(viz_quiz, 1);
    s->seed = viz_world_seed(w);
    s->chosen = -1;
    s->subset = g_array_new(FALSE, FALSE, sizeof(guint));
    s->msurf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    s->measure = cairo_create(s->msurf);
    return s;
}

static void quiz_unload(void *p)
{
    viz_quiz *s = p;
    if (!s) return;
    quiz_clear(s);
    g_array_free(s->subset, TRUE);
    g_free(s->topic);
    cairo_destroy(s->measure);
    cairo_surface_destroy(s->msurf);
    g_free(s);
}

/* R rebuilds the model; the quiz keeps its place (it does not use it). */
static void quiz_reset(void *p, viz_world *w) { (void)p; (void)w; }

/* Option k as shown, with the verdict once answered. Caller frees. */
static char *option_label(const viz_quiz *s, guint k)
{
    const char *mark = "";
    if (s->chosen >= 0 && k == quiz_session_correct(s->session, s->cur)) mark = "  \u2713 right";
    else if (s->chosen == (int)k) mark = "  \u2717 your answer";
    return g_strconcat(quiz_session_option(s->session, s->cur, k), mark, NULL);
}

static void head_text(const viz_quiz *s, char *buf, size_t n)
{
    const quiz_question *q = quiz_session_question(s->session, s->cur);
    snprintf(buf, n, "Question %u of %u  \u00b7  %s  \u00b7  score %u", s->cur + 1,
             quiz_session_count(s->session), quiz_question_topic(q), quiz_session_score(s->session));
}

/* Scene index the question's Show me opens: its scene, or for a scenario
 * demo the dashboard (where the scenario is loaded); -1 if none. */
static int demo_target(const quiz_question *q, const viz_frame *f)
{
    switch (quiz_question_demo_kind(q)) {
    case QUIZ_DEMO_SCENE: return viz_scene_table_find(f->scenes, f->nscenes, quiz_question_demo_scene(q));
    case QUIZ_DEMO_SCENARIO:
        return quiz_question_demo_path(q) ? viz_scene_table_find(f->scenes, f->nscenes, QUIZ_SCENARIO_SCENE) : -1;
    default: return -1;
    }
}

static void layout_ask(viz_quiz *s, const viz_frame *f)
{
    cairo_t *cr = s->measure;
    const viz_style *st = &f->style;
    const quiz_question *q = quiz_session_question(s->session, s->cur);
    char head[160];
    head_text(s, head, sizeof head);
    s->x = f->x + f->w * 0.08;
    s->w = f->w * 0.84;
    s->head_y = f->y + 18;
    s->text_y = s->head_y + viz_text_height(cr, st, 15, FALSE, s->w, head) + 10;
    double y = s->text_y + viz_text_height(cr, st, 26, TRUE, s->w, quiz_question_text(q)) + 18;
    s->nopt = MIN(quiz_session_option_count(s->session, s->cur), QUIZ_MAX_OPTIONS);
    for (guint k = 0; k < s->nopt; k++) {
        char *label = option_label(s, k);
        s->opt_th[k] = viz_text_height(cr, st, 19, FALSE, s->w - 70, label);
        g_free(label);
        double oh = fmax(48, s->opt_th[k] + 16);
        s->opt[k] = (rect){ s->x, y, s->w, oh };
        y += oh + 10;
    }
    s->after_y = y + 4;
    s->expl_y = s->after_y + viz_text_height(cr, st, 20, TRUE, s->w, "Right.") + 4;
    double by = s->expl_y + viz_text_height(cr, st, 16.5, FALSE, s->w, quiz_question_explanation(q)) + 14;
    double bw = 260, bh = 44;
    by = fmin(by, f->y + f->h - bh - 10);
    s->next_btn = (rect){ s->x + s->w - bw, by, bw, bh };
    s->show_btn = (rect){ s->x, by, bw, bh };
    s->has_show = s->chosen >= 0 && demo_target(q, f) >= 0;
    if (s->has_show && quiz_question_demo_kind(q) == QUIZ_DEMO_SCENARIO) s->show_btn.w = fmin(s->w - bw - 20, 420);
}

static void quiz_update(void *p, viz_world *w, viz_frame *f)
{
    viz_quiz *s = p;
    (void)w;
    if (!f->shown) return;
    if (s->state == QS_IDLE) s->state = QS_PREPARING;        /* draw the notice first */
    else if (s->state == QS_PREPARING) quiz_load(s);
    if (s->state == QS_ASK) layout_ask(s, f);
}

static void restart(viz_quiz *s)
{
    quiz_session_free(s->session);
    s->seed++;
    s->session = new_session(s);
    s->cur = 0;
    s->chosen = -1;
    s->state = QS_ASK;
}

static void answer(viz_quiz *s, guint k)
{
    if (s->state != QS_ASK || s->chosen >= 0 || k >= quiz_session_option_count(s->session, s->cur)) return;
    quiz_session_answer(s->session, s->cur, k);
    s->chosen = (int)k;
}

static void next(viz_quiz *s)
{
    if (s->state == QS_SCORE) { restart(s); return; }
    if (s->state != QS_ASK || s->chosen < 0) return;
    s->chosen = -1;
    if (++s->cur >= quiz_session_count(s->session)) s->state = QS_SCORE;
}

static void show_me(viz_quiz *s, viz_frame *f)
{
    if (s->state != QS_ASK || s->chosen < 0) return;
    const quiz_question *q = quiz_session_question(s->session, s->cur);
    f->switch_to = demo_target(q, f);
    if (f->switch_to >= 0 && quiz_question_demo_kind(q) == QUIZ_DEMO_SCENARIO)
        f->load_scenario = quiz_question_demo_path(q);
}

void viz_quiz_get_status(const void *scene, viz_quiz_status *out)
{
    const viz_quiz *s = scene;
    memset(out, 0, sizeof *out);
    out->loaded = s->state == QS_ASK || s->state == QS_SCORE;
    out->error = s->error;
    out->finished = s->state == QS_SCORE;
    if (!s->session) return;
    out->question = s->cur;
    out->count = quiz_session_count(s->session);
    out->answered = s->chosen >= 0;
    out->score = quiz_session_score(s->session);
    if (s->state == QS_ASK) {
        const quiz_question *q = quiz_session_question(s->session, s->cur);
        if (quiz_question_demo_kind(q) == QUIZ_DEMO_SCENE) out->demo_scene = quiz_question_demo_scene(q);
        if (quiz_question_demo_kind(q) == QUIZ_DEMO_SCENARIO) out->demo_path = quiz_question_demo_path(q);
    }
}

/* ---- Drawing ---- */

static void draw_center(const viz_frame *f, cairo_t *cr, const char *title, const char *body)
{
    viz_color_set(cr, VIZ_C_TEXT, 1);
    double y = f->y + f->h * 0.3;
    y += viz_text(cr, &f->style, f->x + f->w / 2, y, 26, TRUE, VIZ_ALIGN_CENTER, 0, title) + 16;
    viz_color_set(cr, VIZ_C_MUTED, 1);
    viz_text(cr, &f->style, f->x + f->w * 0.15, y, 17, FALSE, VIZ_ALIGN_CENTER, f->w * 0.7, body);
}

static void draw_score(const viz_quiz *s, const viz_frame *f, cairo_t *cr)
{
    guint n = quiz_session_count(s->session), sc = quiz_session_score(s->session);
    char title[64];
    snprintf(title, sizeof title, "Score: %u / %u", sc, n);
    GPtrArray *review = quiz_session_review(s->session);
    GString *body = g_string_new(NULL);
    if (review->len == 0) g_string_append(body, "Every answer right. ");
    else {
        g_string_append(body, "Topics to review: ");
        for (guint i = 0; i < review->len; i++)
            g_string_append_printf(body, "%s%s", i ? ", " : "", (const char *)g_ptr_array_index(review, i));
        g_string_append(body, ". ");
    }
    g_string_append(body, "\n\nEnter: take the quiz again (options reshuffled).");
    draw_center(f, cr, title, body->str);
    g_string_free(body, TRUE);
    g_ptr_array_unref(review);
}

static void draw_ask(const viz_quiz *s, const viz_frame *f, cairo_t *cr)
{
    const viz_style *st = &f->style;
    const quiz_question *q = quiz_session_question(s->session, s->cur);
    char head[160];
    head_text(s, head, sizeof head);
    viz_color_set(cr, VIZ_C_MUTED, 1);
    viz_text(cr, st, s->x, s->head_y, 15, FALSE, VIZ_ALIGN_LEFT, s->w, head);
    viz_color_set(cr, VIZ_C_TEXT, 1);
    viz_text(cr, st, s->x, s->text_y, 26, TRUE, VIZ_ALIGN_LEFT, s->w, quiz_question_text(q));
    guint right = quiz_session_correct(s->session, s->cur);
    for (guint k = 0; k < s->nopt; k++) {
        const rect *r = &s->opt[k];
        viz_color fill = VIZ_C_PANEL, border = VIZ_C_EDGE;
        if (s->chosen >= 0 && k == right) { fill = VIZ_C_GREEN; border = VIZ_C_GREEN; }
        else if (s->chosen == (int)k) { fill = VIZ_C_VERMILLION; border = VIZ_C_VERMILLION; }
        gboolean hot = s->chosen < 0 && f->mouse_x >= r->x && f->mouse_x <= r->x + r->w &&
                       f->mouse_y >= r->y && f->mouse_y <= r->y + r->h;
        viz_panel(cr, r->x, r->y, r->w, r->h, VIZ_C_PANEL, hot ? VIZ_C_BLUE : border);
        if (fill != VIZ_C_PANEL) {
            viz_rounded_rect(cr, r->x, r->y, r->w, r->h, 8);
            viz_color_set(cr, fill, 0.22);
            cairo_fill(cr);
        }
        viz_color_set(cr, VIZ_C_BLUE, 1);
        cairo_arc(cr, r->x + 28, r->y + r->h / 2, 16, 0, 2 * M_PI);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        viz_textf(cr, st, r->x + 28, r->y + r->h / 2 - 11, 18, TRUE, VIZ_ALIGN_CENTER, "%u", k + 1);
        viz_color_set(cr, VIZ_C_TEXT, 1);
        char *label = option_label(s, k);
        viz_text(cr, st, r->x + 58, r->y + (r->h - s->opt_th[k]) / 2, 19, FALSE, VIZ_ALIGN_LEFT, r->w - 70, label);
        g_free(label);
    }
    if (s->chosen < 0) {
        viz_color_set(cr, VIZ_C_MUTED, 1);
        viz_text(cr, st, s->x, s->after_y + 2, 15, FALSE, VIZ_ALIGN_LEFT, s->w, "Press 1-4 or click an option.");
        return;
    }
    /* Feedback and explanation. */
    gboolean ok = quiz_session_is_right(s->session, s->cur);
    viz_color_set(cr, ok ? VIZ_C_GREEN : VIZ_C_VERMILLION, 1);
    viz_text(cr, st, s->x, s->after_y, 20, TRUE, VIZ_ALIGN_LEFT, s->w, ok ? "Right." : "Not quite.");
    viz_color_set(cr, VIZ_C_TEXT, 1);
    viz_text(cr, st, s->x, s->expl_y, 16.5, FALSE, VIZ_ALIGN_LEFT, s->w, quiz_question_explanation(q));
    const rect *nb = &s->next_btn, *sb = &s->show_btn;
    viz_button(cr, st, nb->x, nb->y, nb->w, nb->h,
               s->cur + 1 < quiz_session_count(s->session) ? "Next  (Enter)" : "Score  (Enter)", VIZ_C_BLUE, FALSE);
    if (s->has_show) {
        char lbl[128];
        if (quiz_question_demo_kind(q) == QUIZ_DEMO_SCENARIO) {
            char *base = g_path_get_basename(quiz_question_demo_path(q));
            char *dot = strrchr(base, '.');
            if (dot) *dot = '\0';
            snprintf(lbl, sizeof lbl, "Show me: run %s  (M)", base);
            g_free(base);
        } else {
            snprintf(lbl, sizeof lbl, "Show me: %s  (M)", f->scenes[demo_target(q, f)]->title);
        }
        viz_button(cr, st, sb->x, sb->y, sb->w, sb->h, lbl, VIZ_C_GREEN, FALSE);
    } else if (quiz_question_demo_kind(q) == QUIZ_DEMO_SCENARIO) {
        char *cmd = quiz_demo_command(q);
        if (cmd) {
            viz_color_set(cr, VIZ_C_MUTED, 1);
            char *t = g_strdup_printf("See it run: %s", cmd);
            viz_text(cr, st, s->x, sb->y + 10, 14, FALSE, VIZ_ALIGN_LEFT, s->w - nb->w - 20, t);
            g_free(t);
            g_free(cmd);
        }
    }
}

static void quiz_draw(const void *p, const viz_world *w, const viz_frame *f, cairo_t *cr)
{
    const viz_quiz *s = p;
    (void)w;
    switch (s->state) {
    case QS_IDLE:
    case QS_PREPARING:
        draw_center(f, cr, "Preparing the quiz\u2026",
                    "Loading the question bank and computing model-backed answers by running their scenarios.");
        break;
    case QS_ERROR: draw_center(f, cr, "The quiz could not be loaded", s->error); break;
    case QS_SCORE: draw_score(s, f, cr); break;
    case QS_ASK: draw_ask(s, f, cr); break;
    }
}

static gboolean quiz_key(void *p, viz_world *w, viz_frame *f, int key)
{
    viz_quiz *s = p;
    (void)w;
    if (s->state == QS_ASK && s->chosen < 0 && key >= '1' && key <= '4') { answer(s, (guint)(key - '1')); return TRUE; }
    if (key == VIZ_KEY_ENTER || key == 'n' || (key == VIZ_KEY_RIGHT && s->state != QS_IDLE)) {
        if (s->state == QS_ASK || s->state == QS_SCORE) { next(s); return TRUE; }
    }
    if (key == 'm') { show_me(s, f); return TRUE; }
    return FALSE;
}

static gboolean in_rect(const rect *r, double x, double y)
{
    return x >= r->x && x <= r->x + r->w && y >= r->y && y <= r->y + r->h;
}

static gboolean quiz_click(void *p, viz_world *w, viz_frame *f, double x, double y)
{
    viz_quiz *s = p;
    (void)w;
    if (s->state == QS_SCORE) { restart(s); return TRUE; }
    if (s->state != QS_ASK) return FALSE;
    if (s->chosen < 0) {
        for (guint k = 0; k < quiz_session_option_count(s->session, s->cur) && k < QUIZ_MAX_OPTIONS; k++)
            if (in_rect(&s->opt[k], x, y)) { answer(s, k); return TRUE; }
        return FALSE;
    }
    if (in_rect(&s->next_btn, x, y)) { next(s); return TRUE; }
    if (s->has_show && in_rect(&s->show_btn, x, y)) { show_me(s, f); return TRUE; }
    return FALSE;
}

static char *quiz_hover(const void *p, const viz_world *w, const viz_frame *f, double x, double y)
{
    (void)p; (void)w; (void)f; (void)x; (void)y;
    return NULL;
}

/* Before frame 0 when the quiz is the first scene: load now rather than
 * show "Preparing" on the first frame. */
static void quiz_prepare(void *p, viz_world *w, viz_frame *f)
{
    viz_quiz *s = p;
    (void)w; (void)f;
    if (s->state == QS_IDLE || s->state == QS_PREPARING) quiz_load(s);
}

static const viz_key_help quiz_keys[] = {
    { "1 2 3 4", "answer (or click an option)" },
    { "Enter / N", "next question; on the score screen, start again" },
    { "M", "show me: open the scene (or load the scenario) that shows the answer" },
    { NULL, NULL },
};

const viz_scene_ops viz_scene_quiz = {
    .name = "quiz", .title = "Quiz",
    .init = quiz_init, .unload = quiz_unload, .reset = quiz_reset,
    .update = quiz_update, .draw = quiz_draw, .key = quiz_key,
    .click = quiz_click, .hover = quiz_hover, .keys = quiz_keys,
    .prepare = quiz_prepare,
    .speed = 0,
};
