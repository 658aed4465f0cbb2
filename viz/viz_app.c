/* viz_app: the visualizer without a display: world, scenes, shared keys,
 * chrome (tabs, clock, speed, help, tooltips), scripted input, headless
 * frames, vector export and the frame-time benchmark.
 *
 * Invariant: every scene is updated every frame (so a scene switched to
 * shows the present, not the moment it was left), and only the current
 * scene is drawn. Input from a script and from the keyboard take the same
 * path (viz_app_key/click), so scripted tests exercise the real handlers. */
#include "viz/viz_app.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <glib/gstdio.h>
#include "sim/sim_error.h"
#include "viz/viz_chart.h"
#include "viz/viz_inspect.h"

#define NSCENES VIZ_NSCENES
#define BAR_H   44.0     /* top bar, before text scaling */
#define LOG_LINES 4      /* event-log strip: lines shown */
#define LOG_LINE  21.0   /* height of one (16 px text) */
#define HINT_H  26.0     /* bottom hint line */
#define VIZ_POLL_WALL_S 5.0   /* T to short polling on the fan-out: one poll interval on screen */
#define TAB_X   118.0    /* first scene tab, before text scaling */
#define TAB_W   126.0

typedef struct script_step {
    double at;       /* wall seconds since start */
    int key;         /* a key, or 0 for a pointer action */
    gboolean click;  /* pointer: click (else move) */
    double x, y;
} script_step;

struct viz_app {
    viz_world *world;
    void *state[NSCENES];
    int current;
    double w, h;             /* canvas in window points (pixels headless) */
    double lw, lh;           /* the same divided by the zoom: what scenes lay out */
    double zoom;             /* --scale x (1.5 with L): everything grows, text included */
    viz_style style;
    double base_scale;
    double fixed_speed;      /* --speed; <= 0: each scene picks */
    gboolean large;          /* L: projector text */
    gboolean help;
    double speed[NSCENES];   /* each scene keeps its own speed across switches */
    double mouse_x, mouse_y;
    gboolean quit, fullscreen_toggle;
    char *screenshot;        /* pending request */
    char *toast;
    double toast_until;
    GArray *script;          /* script_step, by time */
    uint64_t frames;         /* ticks so far */
    guint script_next;
    int shots;
    viz_inspector *insp;     /* the one inspector (closed: target kind NONE) */
    gboolean log_on;         /* E: the event-log strip under the scene */
};

void viz_options_init(viz_options *o)
{
    memset(o, 0, sizeof *o);
    o->scenario = "scenarios/general_channel.json";
    o->seed = VIZ_SEED_SCENARIO;
    o->scale = 1.0;
    o->width = 1280;
    o->height = 720;
    o->frames = 1;
    o->fps = 30;
}

/* ---- Script: "0.5=p;1=space;2=click:640,360;3=q" ---- */

static int key_by_name(const char *s)
{
    static const struct { const char *n; int k; } names[] = {
        { "space", ' ' }, { "right", VIZ_KEY_RIGHT }, { "left", VIZ_KEY_LEFT }, { "up", VIZ_KEY_UP },
        { "down", VIZ_KEY_DOWN }, { "enter", VIZ_KEY_ENTER }, { "plus", '+' }, { "minus", '-' },
        { "esc", 27 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        if (!g_ascii_strcasecmp(s, names[i].n)) return names[i].k;
    if (strlen(s) == 1) return g_ascii_tolower(s[0]);
    return -1;
}

static gboolean parse_script(const char *text, GArray *out, GError **error)
{
    char **items = g_strsplit(text, ";", -1);
    gboolean ok = TRUE;
    for (char **it = items; ok && *it; it++) {
        char *item = g_strstrip(*it);
        if (!*item) continue;
        char *eq = strchr(item, '=');
        char *end = NULL;
        script_step st = { 0 };
        if (eq) { *eq = 0; st.at = g_ascii_strtod(item, &end); }
        if (!eq || end == item || *end || st.at < 0) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "--script: '%s': expected SECONDS=ACTION", item);
            ok = FALSE;
            break;
        }
        const char *act = eq + 1;
        if (g_str_has_prefix(act, "click:") || g_str_has_prefix(act, "move:")) {
            st.click = act[0] == 'c';
            if (sscanf(strchr(act, ':') + 1, "%lf,%lf", &st.x, &st.y) != 2) {
                g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "--script: '%s': expected click:X,Y", act);
                ok = FALSE;
            }
        } else if ((st.key = key_by_name(act)) < 0) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "--script: unknown action '%s'", act);
            ok = FALSE;
        }
        if (ok) g_array_append_val(out, st);
    }
    g_strfreev(items);
    return ok;
}

/* ---- Life cycle ---- */

/* Projector mode zooms the whole picture (cairo_scale) rather than the
 * text alone, so layouts never overflow: scenes lay out a smaller logical
 * canvas that is then drawn larger. */
static void scene_frame(const viz_app *a, viz_frame *f);
static double log_height(const viz_app *a);
static double alt_height(const viz_app *a);
static gboolean inspector_rect(const viz_app *a, const viz_frame *f, double r[4]);
static void draw_log(viz_app *a, cairo_t *cr, double y);
static void update_scenes_hidden(viz_app *a);
#define WARMUP_SAMPLES 60

static void style_update(viz_app *a)
{
    viz_style_init(&a->style, 1.0);
    a->style.min_size = VIZ_MIN_TEXT;
    a->zoom = a->base_scale * (a->large ? 1.5 : 1.0);
    /* Below the smallest canvas the scenes are laid out for, zoom out
     * instead: the whole picture, smaller, rather than boxes that no
     * longer hold their 16 px text. */
    double fit = fmin(a->w / VIZ_MIN_CANVAS_W, a->h / VIZ_MIN_CANVAS_H);
    if (fit > 0 && a->zoom > fit) a->zoom = fit;
    /* Above the largest canvas, zoom in: a 4K projector shows the 1080p
     * layout at 2x (16 px text stays readable from the back) rather than a
     * sea of boxes with text a quarter of their height. */
    double grow = fmax(a->w / VIZ_MAX_CANVAS_W, a->h / VIZ_MAX_CANVAS_H);
    if (a->zoom < grow) a->zoom = grow;
    a->lw = a->w / a->zoom;
    a->lh = a->h / a->zoom;
}

/* Each scene's speed for the current world: --speed, else what the scene
 * picks for this world (the fan-out times a probe post), else its own. */
static void pick_speeds(viz_app *a)
{
    for (int i = 0; i < NSCENES; i++) {
        const viz_scene_ops *ops = viz_scene_at(i);
        double sp = 0;
        if (a->fixed_speed > 0) sp = a->fixed_speed;
        else if (ops->pick_speed) sp = ops->pick_speed(a->state[i], a->world);
        if (!(sp > 0)) sp = ops->speed > 0 ? ops->speed : 1.0;
        a->speed[i] = sp;
    }
}

/* A fresh world is about to be shown in scene `index`: run it to a state
 * worth showing (the scene's warm-up) and let the scene get ready, so its
 * first frame shows data rather than "no data yet" or "Preparing". */
/* Runs the world up to scene `index`'s warm-up time if it is not there
 * yet (a fresh world, or the dashboard opened 3 ms into a fan-out): in
 * WARMUP_SAMPLES steps, each followed by the scenes' update (not shown),
 * so history charts get a line, not one point. Not while paused: a class
 * stepping through a post keeps its clock. */
static void warm(viz_app *a, int index)
{
    const viz_scene_ops *ops = viz_scene_at(index);
    double have = sim_time_to_sec(viz_world_now(a->world)), need = ops->warmup_s - have;
    if (!(need > 1e-9) || viz_world_paused(a->world)) return;
    const slack_model *m = viz_world_model_const(a->world);
    uint64_t d0 = slack_model_deliveries(m);
    for (int k = 0; k < WARMUP_SAMPLES; k++) {
        uint64_t used = slack_model_deliveries(m) - d0;
        if (used >= VIZ_WARMUP_DELIVERIES) break;
        viz_world_warm_up(a->world, need / WARMUP_SAMPLES, VIZ_WARMUP_DELIVERIES - used);
        update_scenes_hidden(a);
    }
}

static void arrive(viz_app *a, int index)
{
    const viz_scene_ops *ops = viz_scene_at(index);
    warm(a, index);
    if (ops->prepare) {
        viz_frame f;
        scene_frame(a, &f);
        ops->prepare(a->state[index], a->world, &f);
        if (f.toast[0]) viz_app_toast(a, f.toast);
    }
}

viz_app *viz_app_new(const viz_options *o, GError **error)
{
    int first = o->scene ? viz_scene_find(o->scene) : 0;
    if (first < 0) {
        char *q = sim_error_quote(o->scene);
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "--scene: unknown scene '%s' (fanout, pipeline, dashboard, quiz)", q);
        g_free(q);
        return NULL;
    }
    if (!(o->scale >= 0.5 && o->scale <= 4)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "--scale: must be between 0.5 and 4, got %g", o->scale);
        return NULL;
    }
    if (o->width < 320 || o->height < 240 || o->width > 8192 || o->height > 8192) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "--size: %dx%d is outside 320x240..8192x8192",
                    o->width, o->height);
        return NULL;
    }
    GArray *script = g_array_new(FALSE, TRUE, sizeof(script_step));
    if (o->script && !parse_script(o->script, script, error)) {
        g_array_free(script, TRUE);
        return NULL;
    }
    viz_world *w = viz_world_new(o->scenario, o->sets, o->seed, error);
    if (!w) { g_array_free(script, TRUE); return NULL; }
    viz_app *a = g_new0(viz_app, 1);
    a->world = w;
    a->script = script;
    a->base_scale = o->scale;
    a->mouse_x = a->mouse_y = -1;
    a->w = o->width;
    a->h = o->height;
    a->insp = viz_inspector_new();
    style_update(a);
    for (int i = 0; i < NSCENES; i++) a->state[i] = viz_scene_at(i)->init(w);
    a->current = first;
    a->fixed_speed = o->speed;
    if (o->quiz_first > 0 || o->quiz_topic) {
        if (!viz_quiz_configure(a->state[3], o->quiz_first > 0 ? (guint)o->quiz_first : 0, o->quiz_topic, error)) {
            viz_app_free(a);
            return NULL;
        }
    }
    pick_speeds(a);
    viz_world_set_speed(w, a->speed[first]);
    arrive(a, first);
    return a;
}

void viz_app_free(viz_app *a)
{
    if (!a) return;
    for (int i = NSCENES - 1; i >= 0; i--) viz_scene_at(i)->unload(a->state[i]);
    viz_world_free(a->world);
    viz_inspector_free(a->insp);
    g_array_free(a->script, TRUE);
    g_free(a->screenshot);
    g_free(a->toast);
    g_free(a);
}

viz_world *viz_app_world(viz_app *a) { return a->world; }
const viz_style *viz_app_style(const viz_app *a) { return &a->style; }
double viz_app_zoom(const viz_app *a) { return a->zoom; }
void *viz_app_scene_state(viz_app *a, int index) { return index >= 0 && index < NSCENES ? a->state[index] : NULL; }
int viz_app_scene(const viz_app *a) { return a->current; }

void viz_app_set_scene(viz_app *a, int index)
{
    if (index < 0 || index >= NSCENES || index == a->current) return;
    /* The fan-out is watched at 0.001x, the dashboard at 10x: each scene
     * gets back the speed it was left at. */
    a->speed[a->current] = viz_world_speed(a->world);
    a->current = index;
    viz_world_set_speed(a->world, a->speed[index]);
    warm(a, index);
}

void viz_app_resize(viz_app *a, double w, double h)
{
    a->w = w;
    a->h = h;
    style_update(a);
}

static void scene_frame(const viz_app *a, viz_frame *f)
{
    double bar = BAR_H * a->style.text_scale, hint = HINT_H * a->style.text_scale + log_height(a) + alt_height(a);
    *f = (viz_frame){ 0, bar, a->lw, a->lh - bar - hint, a->lw, a->lh, a->style, a->mouse_x, a->mouse_y, -1, TRUE, "",
                       viz_scene_table(), VIZ_NSCENES };
}

/* Scenes reset for a rebuilt or replaced world (R, Show me). */
static void reset_scenes(viz_app *a)
{
    for (int i = 0; i < NSCENES; i++) viz_scene_at(i)->reset(a->state[i], a->world);
    viz_inspector_reset(a->insp, a->world);
}

static void load_scenario(viz_app *a, const char *path, int scene)
{
    GError *e = NULL;
    if (!viz_world_load(a->world, path, NULL, &e)) {
        viz_app_toast(a, e->message);
        g_error_free(e);
        return;
    }
    reset_scenes(a);
    a->speed[a->current] = viz_world_speed(a->world);
    pick_speeds(a);
    a->current = scene;
    viz_world_set_speed(a->world, a->speed[scene]);
    arrive(a, scene);
    char msg[200];
    snprintf(msg, sizeof msg, "Show me: %s loaded (%s); 4 returns to the quiz",
             viz_world_scenario_name(a->world), path);
    viz_app_toast(a, msg);
}

static void apply_switch(viz_app *a, const viz_frame *f)
{
    if (f->toast[0]) viz_app_toast(a, f->toast);
    if (f->inspect.kind != VIZ_INSPECT_NONE) viz_inspector_open(a->insp, f->inspect);
    if (f->load_scenario && f->switch_to >= 0) load_scenario(a, f->load_scenario, f->switch_to);
    else if (f->switch_to >= 0) viz_app_set_scene(a, f->switch_to);
}

static void update_scenes(viz_app *a)
{
    int current = a->current;
    for (int i = 0; i < NSCENES; i++) {
        viz_frame f;
        scene_frame(a, &f);
        f.shown = i == current;
        viz_scene_at(i)->update(a->state[i], a->world, &f);
        if (f.shown) apply_switch(a, &f);
    }
}

/* Every scene's update with none shown (warm-up: no switches, no toasts). */
static void update_scenes_hidden(viz_app *a)
{
    for (int i = 0; i < NSCENES; i++) {
        viz_frame f;
        scene_frame(a, &f);
        f.shown = FALSE;
        viz_scene_at(i)->update(a->state[i], a->world, &f);
    }
}

void viz_app_tick(viz_app *a, double wall_dt)
{
    a->frames++;
    double now = viz_world_wall(a->world);
    while (a->script_next < a->script->len) {
        script_step *st = &g_array_index(a->script, script_step, a->script_next);
        if (st->at > now + 1e-9) break;
        a->script_next++;
        if (st->key) viz_app_key(a, st->key);
        else if (st->click) viz_app_click(a, st->x, st->y);
        else viz_app_motion(a, st->x, st->y);
    }
    viz_world_advance(a->world, wall_dt);
    update_scenes(a);
    viz_inspector_sample(a->insp, a->world);
}

/* ---- Input ---- */

static void request_screenshot(viz_app *a)
{
    for (int i = a->shots + 1; i < 10000; i++) {
        char *p = g_strdup_printf("slacksim-%s-%03d.png", viz_scene_at(a->current)->name, i);
        if (!g_file_test(p, G_FILE_TEST_EXISTS)) {
            g_free(a->screenshot);
            a->screenshot = p;
            a->shots = i;
            return;
        }
        g_free(p);
    }
}

static void reset_world(viz_app *a)
{
    GError *e = NULL;
    if (!viz_world_reset(a->world, &e)) {
        viz_app_toast(a, e->message);
        g_error_free(e);
        return;
    }
    reset_scenes(a);
    warm(a, a->current);   /* the dashboard after R still shows a minute, saying so */
    viz_app_toast(a, "reset: the scenario starts again from t = 0");
}

/* B, T, C: the seed's alternatives and the consumer crash, live (every
 * scene but the quiz, whose keys come first). */
static void alt_key(viz_app *a, int key)
{
    viz_world *w = a->world;
    slack_model *m = viz_world_model(w);
    char msg[200];
    if (key == 'b') {
        gboolean kafka = !strcmp(slack_model_queue(m), "kafka");
        viz_world_set_queue(w, kafka ? "redis_pubsub" : "kafka");
        snprintf(msg, sizeof msg, kafka ? "fan-out queue: Redis pub/sub (no log: a message published to a dead subscriber is lost)"
                                        : "fan-out queue: Kafka (a log: a dead consumer's messages wait and replay)");
    } else if (key == 't') {
        const char *next = viz_world_next_transport(w);
        viz_world_set_transport(w, next);
        snprintf(msg, sizeof msg, "delivery transport: %s", next);
        /* On the fan-out a wave lasts milliseconds; a short poll waits up
         * to the poll interval, so the speed follows: one interval takes
         * VIZ_POLL_WALL_S on screen and members turn blue poll by poll. */
        double T = 1;
        if (!strcmp(next, "short_polling") && a->current == 0) {
            if (!sim_scenario_double(viz_world_scenario(w), "delivery.poll_interval_s", 1e-3, 3600, &T, NULL)) T = 1;
            viz_world_set_speed(w, T / VIZ_POLL_WALL_S);
            snprintf(msg, sizeof msg, "delivery transport: short polling every %g s; speed %gx so a poll interval takes %g s",
                     T, viz_world_speed(w), VIZ_POLL_WALL_S);
        }
    } else {
        /* The consumer of the shown channel's partition (#general is
         * channel 0 in every scene), down for VIZ_CRASH_WALL_S on screen. */
        int p = viz_world_channel_partition(w, 0);
        if (p < 0) p = 0;
        double sec = VIZ_CRASH_WALL_S * viz_world_speed(w);
        viz_world_crash_consumer(w, (uint32_t)p, sec);
        snprintf(msg, sizeof msg, "fan-out consumer of partition %d (#general's) down for %.3g simulated s (%s)", p, sec,
                 !strcmp(slack_model_queue(m), "kafka") ? "Kafka holds its messages" : "pub/sub loses them");
    }
    viz_app_toast(a, msg);
}

void viz_app_key(viz_app *a, int key)
{
    viz_world *w = a->world;
    if (a->help && key != 'q' && key != 27) { a->help = FALSE; return; }   /* any key closes help */
    viz_frame f;
    scene_frame(a, &f);
    /* The quiz takes 1-4 as answers: it sees keys first. */
    if (a->current == 3 && viz_scene_at(3)->key(a->state[3], w, &f, key)) { apply_switch(a, &f); return; }
    switch (key) {
    case ' ': viz_world_set_paused(w, !viz_world_paused(w)); return;
    case VIZ_KEY_RIGHT:
        viz_world_set_paused(w, TRUE);
        if (!viz_world_step(w)) viz_app_toast(a, "no more events before the end of the run");
        update_scenes(a);
        return;
    case '+': case '=': viz_world_speed_step(w, +1); return;
    case '-': case '_': viz_world_speed_step(w, -1); return;
    case 'r': reset_world(a); return;
    case 's': request_screenshot(a); return;
    case 'f': a->fullscreen_toggle = TRUE; return;
    case 'h': a->help = TRUE; return;
    case 'l': a->large = !a->large; style_update(a); return;
    case 'q': case 27: a->quit = TRUE; return;
    case 'i': viz_inspector_close(a->insp); return;
    case ',': case '.': viz_inspector_cycle(a->insp, w, key == ',' ? -1 : +1); return;
    case 'e': a->log_on = !a->log_on; update_scenes(a); return;
    case '1': case '2': case '3': case '4': viz_app_set_scene(a, key - '1'); return;
    case 'b': case 't': case 'c': alt_key(a, key); update_scenes(a); return;
    default: break;
    }
    if (viz_scene_at(a->current)->key(a->state[a->current], w, &f, key)) apply_switch(a, &f);
}

/* The tabs in the top bar: x extents computed by the last draw. */
static int tab_at(const viz_app *a, double x, double y)
{
    double bar = BAR_H * a->style.text_scale;
    if (y < 0 || y > bar) return -1;
    double tw = TAB_W * a->style.text_scale, x0 = TAB_X * a->style.text_scale;
    for (int i = 0; i < NSCENES; i++)
        if (x >= x0 + i * tw && x < x0 + (i + 1) * tw) return i;
    return -1;
}

void viz_app_click(viz_app *a, double x, double y)
{
    x /= a->zoom;
    y /= a->zoom;
    a->mouse_x = x;
    a->mouse_y = y;
    if (a->help) { a->help = FALSE; return; }
    int t = tab_at(a, x, y);
    if (t >= 0) { viz_app_set_scene(a, t); return; }
    viz_frame f;
    scene_frame(a, &f);
    double ir[4];
    if (inspector_rect(a, &f, ir) && x >= ir[0] && x <= ir[0] + ir[2] && y >= ir[1] && y <= ir[1] + ir[3]) {
        double b[4];
        viz_inspect_target it = viz_inspector_target(a->insp);
        if (viz_inspector_button(a->insp, ir[0], ir[1], ir[2], ir[3], b) && x >= b[0] && x <= b[0] + b[2]
            && y >= b[1] && y <= b[1] + b[3]) {
            gboolean alive = !slack_model_gateway_alive(viz_world_model(a->world), it.index);
            viz_fanout_set_gateway(a->state[0], a->world, it.index, alive);
            char msg[160];
            snprintf(msg, sizeof msg, alive ? "gw-%u restored: new connections may land on it"
                                            : "gw-%u killed: its clients reconnect to the others (+ speeds it up)", it.index);
            viz_app_toast(a, msg);
        }
        return;   /* the panel takes clicks over the scene */
    }
    if (viz_scene_at(a->current)->click(a->state[a->current], a->world, &f, x, y)) apply_switch(a, &f);
}

void viz_app_motion(viz_app *a, double x, double y)
{
    a->mouse_x = x < 0 ? -1 : x / a->zoom;
    a->mouse_y = y < 0 ? -1 : y / a->zoom;
}

gboolean viz_app_quit_requested(const viz_app *a) { return a->quit; }

static const char *const inspect_kind_name[] = {
    [VIZ_INSPECT_NONE] = "none", [VIZ_INSPECT_STATION] = "station", [VIZ_INSPECT_GATEWAY] = "gateway",
    [VIZ_INSPECT_PARTITION] = "partition", [VIZ_INSPECT_REDIS] = "redis",
};

void viz_app_print_state(const viz_app *a, FILE *out)
{
    viz_fanout_counts c;
    viz_fanout_get_counts(a->state[0], &c);
    viz_quiz_status q;
    viz_quiz_get_status(a->state[3], &q);
    fprintf(out, "scene=%s paused=%d speed=%g posts=%" G_GUINT64_FORMAT " ws_pushes=%" G_GUINT64_FORMAT
            " push_queued=%" G_GUINT64_FORMAT " online=%u help=%d large=%d frames=%" G_GUINT64_FORMAT
            " warmup_s=%g scenario=%s quiz=%u inspect=%s:%u log=%d log_events=%" G_GUINT64_FORMAT,
            viz_scene_at(a->current)->name, viz_world_paused(a->world), viz_world_speed(a->world), c.posts,
            c.ws_pushes, c.push_queued, c.online, a->help, a->large, a->frames,
            viz_world_warmup(a->world), viz_world_scenario_name(a->world), q.loaded ? q.count : 0,
            inspect_kind_name[viz_inspector_target(a->insp).kind], viz_inspector_target(a->insp).index,
            a->log_on, viz_world_log_total(a->world));
    viz_alt al;
    viz_world_alt(a->world, &al);
    fprintf(out, " queue=%s transport=%s lost=%" G_GUINT64_FORMAT " duplicated=%" G_GUINT64_FORMAT
            " dedup_drops=%" G_GUINT64_FORMAT " published=%" G_GUINT64_FORMAT " crashed=%d consumer_down=%d held=%"
            G_GUINT64_FORMAT " requests=%.0f connects=%" G_GUINT64_FORMAT " gateways_alive=%u ",
            al.queue, al.transport, al.q.lost, al.q.duplicated, al.q.dedup_drops, al.q.published, al.crashed, al.down,
            al.held, viz_world_http_requests(a->world), al.connects, al.alive);
    /* The pipeline scene's PostgreSQL card, as it reads the station (its
     * text rounds these), and the clock they belong to. */
    const slack_model *m = viz_world_model_const(a->world);
    const sim_station *pg = slack_model_station(m, SLACK_STATION_POSTGRES);
    const sim_hist *soj = pg ? sim_station_sojourn_hist(pg) : NULL;
    fprintf(out, "t_s=%.9f pg_p50_ms=%.9g pg_p99_ms=%.9g pg_dropped=%" G_GUINT64_FORMAT " pg_completed=%" G_GUINT64_FORMAT
            " connections=%" G_GUINT64_FORMAT "\n",
            sim_time_to_sec(viz_world_now(a->world)), soj ? sim_hist_percentile(soj, 50) / 1e6 : 0,
            soj ? sim_hist_percentile(soj, 99) / 1e6 : 0, pg ? sim_station_dropped(pg) : 0,
            pg ? sim_station_completed(pg) : 0, al.connections);
}

static const viz_state_counter state_counters[] = {
    { "published", "fanout.queue_published" },
    { "lost", "fanout.queue_lost" },
    { "duplicated", "fanout.queue_duplicates" },
    { "dedup_drops", "fanout.dedup_drops" },
    { "requests", "delivery.requests" },
    { "pg_p50_ms", "postgres.station.sojourn_ms.p50" },
    { "pg_p99_ms", "postgres.station.sojourn_ms.p99" },
    { "pg_dropped", "postgres.station.dropped" },
    { "pg_completed", "postgres.station.completed" },
};

const viz_state_counter *viz_state_counters(size_t *n)
{
    *n = G_N_ELEMENTS(state_counters);
    return state_counters;
}

gboolean viz_app_take_fullscreen_toggle(viz_app *a)
{
    gboolean t = a->fullscreen_toggle;
    a->fullscreen_toggle = FALSE;
    return t;
}

char *viz_app_take_screenshot_request(viz_app *a)
{
    char *p = a->screenshot;
    a->screenshot = NULL;
    return p;
}

void viz_app_toast(viz_app *a, const char *msg)
{
    g_free(a->toast);
    a->toast = g_strdup(msg);
    a->toast_until = viz_world_wall(a->world) + 3.0;
}

/* ---- Drawing ---- */

static void draw_bar(viz_app *a, cairo_t *cr)
{
    const viz_style *st = &a->style;
    double bar = BAR_H * st->text_scale;
    viz_color_set(cr, VIZ_C_TEXT, 1);
    cairo_rectangle(cr, 0, 0, a->lw, bar);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    double th;
    viz_text_size(cr, st, 17, TRUE, "S", NULL, &th);
    viz_text(cr, st, 14, (bar - th) / 2, 17, TRUE, VIZ_ALIGN_LEFT, 0, "slacksim");
    double tw = TAB_W * st->text_scale, x0 = TAB_X * st->text_scale;
    for (int i = 0; i < NSCENES; i++) {
        gboolean cur = i == a->current;
        if (cur) {
            viz_color_set(cr, VIZ_C_BG, 1);
            viz_rounded_rect(cr, x0 + i * tw + 3, 6, tw - 6, bar - 6, 6);
            cairo_fill(cr);
            cairo_rectangle(cr, x0 + i * tw + 3, bar - 8, tw - 6, 8);
            cairo_fill(cr);
        }
        if (cur) viz_color_set(cr, VIZ_C_TEXT, 1);
        else cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
        char buf[48];
        snprintf(buf, sizeof buf, "%d %s", i + 1, viz_scene_at(i)->title);
        viz_text(cr, st, x0 + i * tw + tw / 2, (bar - th) / 2 + 2, 15, cur, VIZ_ALIGN_CENTER, 0, buf);
    }
    /* Clock and speed: the two numbers an audience must never guess. */
    viz_world *w = a->world;
    char clock[96];
    double t = sim_time_to_sec(viz_world_now(w));
    double sp = viz_world_speed(w);
    /* Microseconds matter in slow motion; milliseconds are enough above. */
    snprintf(clock, sizeof clock, "t = %.*f s   %gx%s", sp < 0.1 ? 6 : 3, t, sp,
             viz_world_ended(w) ? "   END: R restarts" : viz_world_paused(w) ? "   PAUSED" : "");
    if (viz_world_paused(w) || viz_world_ended(w)) viz_color_set(cr, VIZ_C_YELLOW, 1);
    else cairo_set_source_rgb(cr, 1, 1, 1);
    double cw;
    viz_text_size(cr, st, 15, TRUE, clock, &cw, NULL);
    viz_text(cr, st, a->lw - 14, (bar - th) / 2 + 1, 15, TRUE, VIZ_ALIGN_RIGHT, 0, clock);
    /* Say so when the picture did not start at t = 0. */
    double warmed = viz_world_warmup(w);
    if (warmed > 0) {
        char note[64];
        snprintf(note, sizeof note, "warm-up: %g s simulated off screen", warmed);
        double nw, right = a->lw - 14 - cw - 24, left = x0 + NSCENES * tw + 12;
        viz_text_size(cr, st, 15, FALSE, note, &nw, NULL);
        if (right - nw < left) snprintf(note, sizeof note, "warm-up %g s", warmed);
        viz_text_size(cr, st, 15, FALSE, note, &nw, NULL);
        if (right - nw >= left) {
            viz_color_set(cr, VIZ_C_YELLOW, 1);
            viz_text(cr, st, right, (bar - th) / 2 + 1, 15, FALSE, VIZ_ALIGN_RIGHT, 0, note);
        }
    }
}

/* The alternatives strip: two lines under the scene once B, T or C was
 * pressed or a gateway died (not on the quiz). Every figure is the model's
 * (viz_world_alt). */
#define ALT_LINES 2
static double alt_height(const viz_app *a)
{
    viz_alt al;
    viz_world_alt(a->world, &al);
    return al.active && a->current != 3 ? ALT_LINES * LOG_LINE * a->style.text_scale + 12 : 0;
}

/* A rate for the strip: "1,234/s", or "-" before a window closed. */
static void fmt_rate(char *buf, size_t n, double r)
{
    if (!isfinite(r)) { snprintf(buf, n, "\u2013"); return; }
    char num[32];
    if (r > 0 && r < 10) snprintf(num, sizeof num, "%.2g", r);
    else viz_fmt_count(num, sizeof num, round(r));
    snprintf(buf, n, "%s/s", num);
}

/* Draws one piece of a strip line at x; returns the x after it and a gap. */
static double strip_piece(cairo_t *cr, const viz_style *st, double x, double y, gboolean bold, const char *text)
{
    double tw;
    viz_text_size(cr, st, 16, bold, text, &tw, NULL);
    viz_text(cr, st, x, y, 16, bold, VIZ_ALIGN_LEFT, 0, text);
    return x + tw + 18;
}

static void draw_alt(viz_app *a, cairo_t *cr, double y)
{
    const viz_style *st = &a->style;
    double h = alt_height(a), x = 12, w = a->lw - 24, lh = LOG_LINE * st->text_scale;
    if (h <= 0) return;
    viz_alt al;
    viz_world_alt(a->world, &al);
    viz_color_set(cr, VIZ_C_PANEL, 1);
    viz_rounded_rect(cr, x, y + 4, w, h - 6, 6);
    cairo_fill(cr);
    char b1[64], b2[64], b3[64], b4[96], line[400];
    gboolean kafka = !strcmp(al.queue, "kafka");
    /* Line 1: the queue, the crash and what it cost. */
    double cx = x + 10, ly = y + 8;
    viz_color_set(cr, VIZ_C_PURPLE, 1);
    cx = strip_piece(cr, st, cx, ly, TRUE, kafka ? "B queue: Kafka" : "B queue: Redis pub/sub");
    if (al.crashed >= 0 && al.down) {
        snprintf(line, sizeof line, "C consumer p%d DOWN %.3g s left", al.crashed, al.down_left_s);
        viz_color_set(cr, VIZ_C_VERMILLION, 1);
        cx = strip_piece(cr, st, cx, ly, TRUE, line);
    } else {
        snprintf(line, sizeof line, al.crashed >= 0 ? "C consumer p%d back" : "C crash a consumer", al.crashed);
        viz_color_set(cr, VIZ_C_MUTED, 1);
        cx = strip_piece(cr, st, cx, ly, FALSE, line);
    }
    viz_fmt_count(b1, sizeof b1, (double)(al.q.lost));
    snprintf(line, sizeof line, "lost %s", b1);
    viz_color_set(cr, al.q.lost ? VIZ_C_VERMILLION : VIZ_C_MUTED, 1);
    cx = strip_piece(cr, st, cx, ly, al.q.lost > 0, line);
    viz_fmt_count(b1, sizeof b1, (double)(al.held));
    viz_fmt_count(b2, sizeof b2, (double)(al.q.duplicated));
    viz_fmt_count(b3, sizeof b3, (double)(al.q.dedup_drops));
    viz_fmt_count(b4, sizeof b4, (double)(al.q.published));
    snprintf(line, sizeof line, "held in log %s \u00b7 replayed twice %s \u00b7 copies dropped by clients %s \u00b7 published %s",
             b1, b2, b3, b4);
    viz_color_set(cr, VIZ_C_TEXT, 1);
    if (cx < x + w - 40) viz_text_fit(cr, st, cx, ly, 16, FALSE, VIZ_ALIGN_LEFT, x + w - 10 - cx, line);
    /* Line 2: the transport and its HTTP load; the gateways' reconnects. */
    ly += lh;
    cx = x + 10;
    snprintf(line, sizeof line, "T transport: %s", al.transport);
    viz_color_set(cr, VIZ_C_SKY, 1);
    cx = strip_piece(cr, st, cx, ly, TRUE, line);
    fmt_rate(b1, sizeof b1, al.requests_per_s);
    viz_fmt_count(b2, sizeof b2, (double)((uint64_t)llround(al.requests)));
    if (isfinite(al.http_column)) {
        fmt_rate(b3, sizeof b3, al.http_column);
        snprintf(b4, sizeof b4, " (last interval %s)", b3);
    } else b4[0] = 0;
    snprintf(line, sizeof line, "HTTP %s%s, %s requests", b1, b4, b2);
    viz_color_set(cr, strcmp(al.transport, "websocket") ? VIZ_C_TEXT : VIZ_C_MUTED, 1);
    cx = strip_piece(cr, st, cx, ly, FALSE, line);
    fmt_rate(b1, sizeof b1, al.connects_per_s);
    viz_fmt_count(b2, sizeof b2, (double)(al.connects));
    viz_fmt_count(b3, sizeof b3, (double)(al.connections));
    snprintf(line, sizeof line, "gateways %u/%u alive \u00b7 %s connections \u00b7 reconnects %s (%s opened)", al.alive,
             al.gateways, b3, b1, b2);
    viz_color_set(cr, al.alive < al.gateways ? VIZ_C_VERMILLION : VIZ_C_TEXT, 1);
    if (cx < x + w - 40) viz_text_fit(cr, st, cx, ly, 16, FALSE, VIZ_ALIGN_LEFT, x + w - 10 - cx, line);
}

static double log_height(const viz_app *a)
{
    return a->log_on ? (LOG_LINES + 1) * LOG_LINE * a->style.text_scale + 8 : 0;
}

/* The inspector's panel: the right side of the scene area. FALSE when no
 * inspector is open. */
static gboolean inspector_rect(const viz_app *a, const viz_frame *f, double r[4])
{
    if (viz_inspector_target(a->insp).kind == VIZ_INSPECT_NONE) return FALSE;
    /* Bottom right: over the gateways' lower rows and the offline block,
     * clear of the counters and the stages a class is watching. */
    r[2] = fmin(400, f->w * 0.34);
    r[3] = fmin(f->h - 24, 330);
    r[0] = f->x + f->w - r[2] - 14;
    r[1] = f->y + f->h - r[3] - 10;
    return TRUE;
}

static const char *const stage_verb[] = {
    [SLACK_STAGE_SENT] = "sent by its client",
    [SLACK_STAGE_GATEWAY] = "forwarded by the gateway",
    [SLACK_STAGE_PERSISTED] = "committed to PostgreSQL",
    [SLACK_STAGE_PUBLISHED] = "appended to its Kafka partition",
    [SLACK_STAGE_CONSUMED] = "taken by the fan-out consumer",
    [SLACK_STAGE_DONE] = "pushed to its last online member",
};

/* The event log strip: the newest LOG_LINES stage events, newest on top,
 * each with its time since that message was sent (when the send is still
 * in the log). Space pauses it with the clock; Right steps event by event. */
static void draw_log(viz_app *a, cairo_t *cr, double y)
{
    const viz_style *st = &a->style;
    double h = log_height(a), x = 12, w = a->lw - 24;
    viz_panel(cr, x, y + 2, w, h - 6, VIZ_C_PANEL, VIZ_C_EDGE);
    const viz_world *wd = a->world;
    char head[128];
    snprintf(head, sizeof head, "Event log: %" G_GUINT64_FORMAT " events%s   (E hides, Space pauses, → steps)",
             viz_world_log_total(wd), viz_world_paused(wd) ? ", paused" : "");
    viz_color_set(cr, VIZ_C_MUTED, 1);
    double ly = y + 5;
    viz_text_fit(cr, st, x + 10, ly, 16, TRUE, VIZ_ALIGN_LEFT, w - 20, head);
    ly += LOG_LINE * st->text_scale;
    guint n = viz_world_log_count(wd);
    for (guint i = 0; i < LOG_LINES && i < n; i++) {
        const viz_event *e = viz_world_log_at(wd, i);
        /* The same message's send, further back in the log. */
        sim_time sent = -1;
        for (guint j = i; j < n && sent < 0; j++) {
            const viz_event *o = viz_world_log_at(wd, j);
            if (o->msg == e->msg && o->stage == SLACK_STAGE_SENT) sent = o->t;
        }
        char what[96], since[48] = "", line[240];
        if (e->stage == VIZ_EVENT_ID) {
            char id[32];
            snprintf(what, sizeof what, "assigned id %s", slack_model_format_id(e->id_us, id, sizeof id));
        } else {
            snprintf(what, sizeof what, "%s", e->stage >= 0 && e->stage <= SLACK_STAGE_DONE ? stage_verb[e->stage] : "?");
        }
        if (sent >= 0 && e->stage != SLACK_STAGE_SENT) snprintf(since, sizeof since, "  (+%.3f ms)", sim_time_to_ms(e->t - sent));
        snprintf(line, sizeof line, "t = %.6f s   message %" G_GUINT64_FORMAT " in channel %u: %s%s",
                 sim_time_to_sec(e->t), e->msg, e->channel, what, since);
        viz_color_set(cr, i == 0 ? VIZ_C_TEXT : VIZ_C_MUTED, 1);
        viz_text_fit(cr, st, x + 10, ly, 16, i == 0, VIZ_ALIGN_LEFT, w - 20, line);
        ly += LOG_LINE * st->text_scale;
    }
    if (n == 0) {
        viz_color_set(cr, VIZ_C_MUTED, 1);
        viz_text_fit(cr, st, x + 10, ly, 16, FALSE, VIZ_ALIGN_LEFT, w - 20,
                     "no message has moved yet: post (P on the fan-out) or let time run");
    }
}

static void draw_hints(viz_app *a, cairo_t *cr)
{
    double hint = HINT_H * a->style.text_scale;
    viz_color_set(cr, VIZ_C_EDGE, 0.35);
    cairo_rectangle(cr, 0, a->lh - hint, a->lw, hint);
    cairo_fill(cr);
    static const char keys[] = "H help   Space pause   \u2192 step   +/\u2212 speed   1-4 scenes   R reset   "
                               "S screenshot   L zoom   F full screen   Q quit";
    double kw;
    viz_text_size(cr, &a->style, 13, FALSE, keys, &kw, NULL);
    viz_color_set(cr, VIZ_C_TEXT, 1);
    viz_text_fit(cr, &a->style, 14, a->lh - hint + 4, 13, FALSE, VIZ_ALIGN_LEFT, a->lw - 28, keys);
    /* The scenario and seed: what to type to get this run again. */
    char who[160];
    snprintf(who, sizeof who, "%s \u00b7 seed %" G_GUINT64_FORMAT, viz_world_scenario_name(a->world),
             viz_world_seed(a->world));
    double ww;
    viz_text_size(cr, &a->style, 13, FALSE, who, &ww, NULL);
    if (14 + kw + 30 + ww < a->lw - 14) {
        viz_color_set(cr, VIZ_C_MUTED, 1);
        viz_text(cr, &a->style, a->lw - 14, a->lh - hint + 4, 13, FALSE, VIZ_ALIGN_RIGHT, 0, who);
    }
}

static void draw_help(viz_app *a, cairo_t *cr)
{
    static const viz_key_help global[] = {
        { "Space", "pause / resume the simulation" },
        { "\u2192 (Right)", "single step: to the next simulated event" },
        { "+ / \u2212", "simulation speed (0.0001x to 1000x; shown top right)" },
        { "1 2 3 4", "scenes: fan-out, pipeline, dashboard, quiz" },
        { "R", "reset: rebuild the model from the scenario, t = 0" },
        { "S", "screenshot (PNG in the current directory)" },
        { "L", "projector mode: everything x1.5 (also --scale)" },
        { "F", "full screen on/off" },
        { "E", "event log strip: the last stage events" },
        { "B", "fan-out queue: Kafka \u2194 Redis pub/sub" },
        { "T", "transport: WebSocket \u2192 short poll \u2192 long poll \u2192 SSE" },
        { "C", "crash #general's fan-out consumer (6 s on screen)" },
        { "I  , .", "close the inspector; previous / next of its kind" },
        { "H", "this help (any key closes it)" },
        { "Q / Esc", "quit" },
        { "mouse", "hover for details; click a part for its inspector" },
    };
    cairo_set_source_rgba(cr, 0, 0, 0, 0.55);
    cairo_paint(cr);
    size_t nscene = 0;
    for (const viz_key_help *k = viz_scene_at(a->current)->keys; k && k->key; k++) nscene++;
    double row = 21.5;   /* a 15 pt line plus spacing */
    double want = 18 + 32 + G_N_ELEMENTS(global) * row + (nscene ? 10 + 28 + nscene * row : 0) + 18;
    double pw = fmin(a->lw - 80, 900), ph = fmin(a->lh - 60, want);
    double px = (a->lw - pw) / 2, py = (a->lh - ph) / 2;
    viz_panel(cr, px, py, pw, ph, VIZ_C_PANEL, VIZ_C_TEXT);
    const viz_style *st = &a->style;
    double size = 15, y = py + 18, col = px + 24, col2 = px + 24 + 170 * st->text_scale;
    viz_color_set(cr, VIZ_C_TEXT, 1);
    y += viz_text(cr, st, col, y, 20, TRUE, VIZ_ALIGN_LEFT, 0, "Keys") + 8;
    for (size_t i = 0; i < G_N_ELEMENTS(global); i++) {
        viz_color_set(cr, VIZ_C_BLUE, 1);
        viz_text(cr, st, col, y, size, TRUE, VIZ_ALIGN_LEFT, 0, global[i].key);
        viz_color_set(cr, VIZ_C_TEXT, 1);
        y += viz_text(cr, st, col2, y, size, FALSE, VIZ_ALIGN_LEFT, px + pw - col2 - 20, global[i].what) + 3;
    }
    const viz_key_help *k = viz_scene_at(a->current)->keys;
    if (k && k->key) {
        y += 10;
        char title[64];
        snprintf(title, sizeof title, "This scene (%s)", viz_scene_at(a->current)->title);
        viz_color_set(cr, VIZ_C_TEXT, 1);
        y += viz_text(cr, st, col, y, 18, TRUE, VIZ_ALIGN_LEFT, 0, title) + 6;
        for (; k->key; k++) {
            viz_color_set(cr, VIZ_C_BLUE, 1);
            viz_text(cr, st, col, y, size, TRUE, VIZ_ALIGN_LEFT, 0, k->key);
            viz_color_set(cr, VIZ_C_TEXT, 1);
            y += viz_text(cr, st, col2, y, size, FALSE, VIZ_ALIGN_LEFT, px + pw - col2 - 20, k->what) + 3;
        }
    }
}

void viz_app_draw(viz_app *a, cairo_t *cr)
{
    cairo_save(cr);
    cairo_scale(cr, a->zoom, a->zoom);
    viz_color_set(cr, VIZ_C_BG, 1);
    cairo_paint(cr);
    viz_frame f;
    scene_frame(a, &f);
    cairo_save(cr);
    cairo_rectangle(cr, f.x, f.y, f.w, f.h);
    cairo_clip(cr);
    viz_scene_at(a->current)->draw(a->state[a->current], a->world, &f, cr);
    double ir[4];
    if (inspector_rect(a, &f, ir)) viz_inspector_draw(a->insp, a->world, &a->style, ir[0], ir[1], ir[2], ir[3], cr);
    cairo_restore(cr);
    draw_alt(a, cr, f.y + f.h);
    if (a->log_on) draw_log(a, cr, f.y + f.h + alt_height(a));
    draw_bar(a, cr);
    draw_hints(a, cr);
    if (a->toast && viz_world_wall(a->world) < a->toast_until) {
        double tw, th;
        viz_text_size(cr, &a->style, 15, FALSE, a->toast, &tw, &th);
        double x = (a->lw - tw) / 2 - 14, y = f.y + f.h - th - 30;
        viz_rounded_rect(cr, x, y, tw + 28, th + 14, 8);
        viz_color_set(cr, VIZ_C_TEXT, 0.9);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        viz_text(cr, &a->style, a->lw / 2, y + 7, 15, FALSE, VIZ_ALIGN_CENTER, 0, a->toast);
    }
    if (a->help) draw_help(a, cr);
    else if (a->mouse_x >= 0 && a->mouse_y >= f.y && a->mouse_y < f.y + f.h) {
        char *tip = viz_scene_at(a->current)->hover(a->state[a->current], a->world, &f, a->mouse_x, a->mouse_y);
        if (tip) viz_tooltip(cr, &a->style, a->mouse_x, a->mouse_y, a->lw, a->lh, tip);
        g_free(tip);
    }
    cairo_restore(cr);
}

static void draw_cb(cairo_t *cr, double w, double h, void *user)
{
    (void)w; (void)h;
    viz_app_draw(user, cr);
}

gboolean viz_app_write(viz_app *a, const char *path, GError **error)
{
    return viz_chart_write(path, (int)a->w, (int)a->h, draw_cb, a, error);
}

/* ---- Headless ---- */

gboolean viz_headless_run(const viz_options *o, GError **error)
{
    viz_options opt = *o;
    /* Frames of the fan-out without a post would all look alike: unless a
     * script says otherwise, post at t = 0. */
    if (!opt.script && (!opt.scene || viz_scene_find(opt.scene) == 0)) opt.script = "0=p";
    viz_app *a = viz_app_new(&opt, error);
    if (!a) return FALSE;
    if (o->out_dir && g_mkdir_with_parents(o->out_dir, 0755) != 0) {
        sim_error_at(error, SIM_ERROR_IO, o->out_dir, NULL, "cannot create directory: %s", g_strerror(errno));
        viz_app_free(a);
        return FALSE;
    }
    double dt = 1.0 / (o->fps > 0 ? o->fps : 30);
    gboolean ok = TRUE;
    for (int i = 0; ok && i < MAX(o->frames, 1); i++) {
        viz_app_tick(a, dt);
        if (o->out_dir) {
            char name[32];
            snprintf(name, sizeof name, "frame-%04d.png", i);
            char *path = g_build_filename(o->out_dir, name, NULL);
            ok = viz_app_write(a, path, error);
            g_free(path);
        }
    }
    if (ok && o->svg) ok = viz_app_write(a, o->svg, error);
    if (ok && o->pdf) ok = viz_app_write(a, o->pdf, error);
    if (ok && o->screenshot) ok = viz_app_write(a, o->screenshot, error);
    if (ok && o->print_state) viz_app_print_state(a, stdout);
    viz_app_free(a);
    return ok;
}

/* ---- Benchmark ---- */

static double thread_cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static double pct(const double *v, size_t n, double q)
{
    if (n == 0) return 0;
    size_t k = (size_t)ceil(q / 100 * n);
    return v[k == 0 ? 0 : k - 1];
}

gboolean viz_bench_run(const viz_options *o, FILE *out, GError **error)
{
    viz_options opt = *o;
    opt.scene = "fanout";
    int frames = o->frames > 1 ? o->frames : 300;
    /* A post every second of wall time, so most frames draw a fan-out in
     * flight (rings, lit edges) rather than a quiet picture. */
    GString *script = g_string_new(NULL);
    for (int s = 0; s * 30 < frames; s++) g_string_append_printf(script, "%d=p;", s);
    opt.script = script->str;
    viz_app *a = viz_app_new(&opt, error);
    if (!a) { g_string_free(script, TRUE); return FALSE; }
    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, o->width, o->height);
    cairo_t *cr = cairo_create(surf);
    double *upd = g_new(double, frames), *drw = g_new(double, frames), *tot = g_new(double, frames);
    double *cpu = g_new(double, frames);
    for (int i = 0; i < frames; i++) {
        double c0 = thread_cpu_ms();
        gint64 t0 = g_get_monotonic_time();
        viz_app_tick(a, 1.0 / 30);
        gint64 t1 = g_get_monotonic_time();
        viz_app_draw(a, cr);
        cairo_surface_flush(surf);
        gint64 t2 = g_get_monotonic_time();
        upd[i] = (t1 - t0) / 1e3;
        drw[i] = (t2 - t1) / 1e3;
        tot[i] = (t2 - t0) / 1e3;
        cpu[i] = thread_cpu_ms() - c0;
    }
    viz_fanout_counts c;
    viz_fanout_get_counts(viz_app_scene_state(a, 0), &c);
    qsort(upd, frames, sizeof *upd, cmp_double);
    qsort(drw, frames, sizeof *drw, cmp_double);
    qsort(tot, frames, sizeof *tot, cmp_double);
    qsort(cpu, frames, sizeof *cpu, cmp_double);
    double sum = 0;
    for (int i = 0; i < frames; i++) sum += tot[i];
    fprintf(out, "scene=fanout\nsize=%dx%d\nframes=%d\nmembers=%u\nonline=%u\nposts=%" G_GUINT64_FORMAT "\n",
            o->width, o->height, frames, c.members, c.online, c.posts);
    fprintf(out, "update_ms_p50=%.3f\nupdate_ms_p99=%.3f\n", pct(upd, frames, 50), pct(upd, frames, 99));
    fprintf(out, "draw_ms_p50=%.3f\ndraw_ms_p99=%.3f\n", pct(drw, frames, 50), pct(drw, frames, 99));
    fprintf(out, "frame_ms_mean=%.3f\nframe_ms_p50=%.3f\nframe_ms_p99=%.3f\nframe_ms_max=%.3f\n",
            sum / frames, pct(tot, frames, 50), pct(tot, frames, 99), tot[frames - 1]);
    /* CPU time of this thread is what the frame costs; wall time also
     * counts waiting for a core on a shared machine. */
    fprintf(out, "frame_cpu_ms_p50=%.3f\nframe_cpu_ms_p99=%.3f\nframe_cpu_ms_max=%.3f\n",
            pct(cpu, frames, 50), pct(cpu, frames, 99), cpu[frames - 1]);
    fprintf(out, "budget_ms=16.000\nwithin_budget=%s\n", pct(cpu, frames, 99) < 16 ? "yes" : "no");
    g_free(upd); g_free(drw); g_free(tot); g_free(cpu);
    cairo_destroy(cr);
    cairo_surface_destroy(surf);
    viz_app_free(a);
    g_string_free(script, TRUE);
    return TRUE;
}
