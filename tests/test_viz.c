/* viz: the visualizer's logic without a window, and its headless frames.
 * The fan-out scene is driven through its logic API against the real model
 * (scenarios/general_channel.json: #general, 500 members, 350 online);
 * frames are drawn on cairo image surfaces and read back pixel by pixel. */
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include "tests/test_util.h"
#include "viz/viz_app.h"
#include "tests/test_viz_util.h"
#include "viz/viz_chart.h"
#include "quiz/quiz.h"

#define SCENARIO "scenarios/general_channel.json"

static viz_world *new_world(void)
{
    GError *e = NULL;
    viz_world *w = viz_world_new(SCENARIO, NULL, 1, &e);
    if (!w) fprintf(stderr, "viz_world_new: %s\n", e ? e->message : "?");
    g_clear_error(&e);
    return w;
}

/* Runs simulated time forward by `sec` in frame-sized steps, updating the
 * scene as the app would. */
static void run_sim(viz_world *w, void *scene, const viz_scene_ops *ops, double sec)
{
    viz_frame f = { 0, 44, 1280, 650, 1280, 720, { 1.0, 0, "Sans" }, -1, -1, -1, TRUE };
    viz_world_set_speed(w, 1.0);
    for (double t = 0; t < sec - 1e-12; t += 0.001) {
        viz_world_advance(w, 0.001);
        ops->update(scene, w, &f);
    }
}

/* Property: before a post the counters are the seed's (350 online, 150
 * offline, nothing pushed); after it every member but the sender is
 * reached exactly once: each online one by a WebSocket push, each offline
 * one by a queued notification, and the fan-out time is measured. */
static void test_fanout_counts_after_one_post(void)
{
    viz_world *w = new_world();
    CU_ASSERT_FATAL(w != NULL);
    viz_fanout *s = viz_scene_fanout.init(w);
    viz_fanout_counts c;
    viz_fanout_get_counts(s, &c);
    CU_ASSERT_EQUAL(c.members, 500);
    CU_ASSERT_EQUAL(c.online, 350);
    CU_ASSERT_EQUAL(c.offline, 150);
    CU_ASSERT_EQUAL(c.ws_pushes, 0);
    CU_ASSERT_TRUE(isnan(c.fanout_ms));
    viz_fanout_post(s, w);
    viz_fanout_get_counts(s, &c);
    CU_ASSERT_FALSE(c.done);                 /* nothing happens before time moves */
    run_sim(w, s, &viz_scene_fanout, 0.5);   /* a fan-out takes a few ms */
    viz_fanout_get_counts(s, &c);
    CU_ASSERT_TRUE(c.done);
    /* Every online member gets the WebSocket push, the sender's own
     * connection included (the seed's fan-out loops over all online members). */
    CU_ASSERT_EQUAL(c.ws_pushes, 350);
    CU_ASSERT_EQUAL(c.push_queued, 150);
    CU_ASSERT_EQUAL(c.ws_pushes + c.push_queued, c.members);
    CU_ASSERT_TRUE(c.fanout_ms > 0 && c.fanout_ms < 500);
    viz_scene_fanout.unload(s);
    viz_world_free(w);
}

/* Property: toggling a member moves it between the online and offline
 * counts (and the model agrees); the next post then queues one more
 * notification; toggling again restores the counts. */
static void test_fanout_toggle_member(void)
{
    viz_world *w = new_world();
    CU_ASSERT_FATAL(w != NULL);
    viz_fanout *s = viz_scene_fanout.init(w);
    /* Member 499 is not the first sender (the first online member is). */
    uint32_t i = 499, user = viz_fanout_member_user(s, i);
    gboolean was = slack_model_is_online(viz_world_model(w), user);
    viz_fanout_toggle_member(s, w, i);
    CU_ASSERT_NOT_EQUAL(slack_model_is_online(viz_world_model(w), user), was);
    viz_fanout_counts c;
    viz_fanout_get_counts(s, &c);
    CU_ASSERT_EQUAL(c.online, was ? 349 : 351);
    CU_ASSERT_EQUAL(c.offline, was ? 151 : 149);
    viz_fanout_post(s, w);
    run_sim(w, s, &viz_scene_fanout, 0.5);
    viz_fanout_get_counts(s, &c);
    CU_ASSERT_EQUAL(c.push_queued, c.offline);
    CU_ASSERT_EQUAL(c.ws_pushes, c.online);
    viz_fanout_toggle_member(s, w, i);
    viz_fanout_get_counts(s, &c);
    CU_ASSERT_EQUAL(c.online, 350);
    /* The online share key: 50% leaves exactly half online. */
    viz_fanout_set_online_share(s, w, 0.5);
    viz_fanout_get_counts(s, &c);
    CU_ASSERT_EQUAL(c.online, 250);
    viz_scene_fanout.unload(s);
    viz_world_free(w);
}

/* Property: killing a gateway empties it at once; within the model's
 * reconnect window its members come back on the surviving gateways, so the
 * online count is whole again and the dead gateway holds nobody. */
static void test_fanout_kill_gateway_moves_members(void)
{
    viz_world *w = new_world();
    CU_ASSERT_FATAL(w != NULL);
    viz_fanout *s = viz_scene_fanout.init(w);
    uint32_t ngw = slack_model_gateways(viz_world_model(w));
    CU_ASSERT_FATAL(ngw >= 2);
    uint32_t before = viz_fanout_gateway_members(s, 0);
    CU_ASSERT_TRUE(before > 0);
    viz_fanout_set_gateway(s, w, 0, FALSE);
    CU_ASSERT_FALSE(slack_model_gateway_alive(viz_world_model(w), 0));
    CU_ASSERT_EQUAL(viz_fanout_gateway_members(s, 0), 0);
    viz_fanout_counts c;
    viz_fanout_get_counts(s, &c);
    CU_ASSERT_EQUAL(c.online, 350 - before);   /* disconnected until they reconnect */
    run_sim(w, s, &viz_scene_fanout, 12.0);    /* reconnect window: 10 s */
    viz_fanout_get_counts(s, &c);
    CU_ASSERT_EQUAL(c.online, 350);
    CU_ASSERT_EQUAL(viz_fanout_gateway_members(s, 0), 0);
    uint32_t sum = 0;
    for (uint32_t g = 1; g < ngw; g++) sum += viz_fanout_gateway_members(s, g);
    CU_ASSERT_EQUAL(sum, 350);
    viz_fanout_set_gateway(s, w, 0, TRUE);
    CU_ASSERT_TRUE(slack_model_gateway_alive(viz_world_model(w), 0));
    viz_scene_fanout.unload(s);
    viz_world_free(w);
}

/* Property: the speed ladder is 1-2-5 and clamps at both ends; advancing
 * while paused moves wall time only. */
static void test_world_speed_and_pause(void)
{
    viz_world *w = new_world();
    CU_ASSERT_FATAL(w != NULL);
    viz_world_set_speed(w, 1.0);
    viz_world_speed_step(w, +1);
    CU_ASSERT_DOUBLE_EQUAL(viz_world_speed(w), 2.0, 1e-12);
    viz_world_speed_step(w, +1);
    CU_ASSERT_DOUBLE_EQUAL(viz_world_speed(w), 5.0, 1e-12);
    viz_world_speed_step(w, +1);
    CU_ASSERT_DOUBLE_EQUAL(viz_world_speed(w), 10.0, 1e-9);
    viz_world_speed_step(w, -1);
    CU_ASSERT_DOUBLE_EQUAL(viz_world_speed(w), 5.0, 1e-9);
    viz_world_set_speed(w, 1e9);
    CU_ASSERT_DOUBLE_EQUAL(viz_world_speed(w), VIZ_SPEED_MAX, 1e-9);
    viz_world_set_speed(w, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(viz_world_speed(w), VIZ_SPEED_MIN, 1e-12);
    viz_world_set_speed(w, 0.5);
    viz_world_advance(w, 0.1);
    CU_ASSERT_EQUAL(viz_world_now(w), 50 * SIM_MS);
    viz_world_set_paused(w, TRUE);
    viz_world_advance(w, 0.1);
    CU_ASSERT_EQUAL(viz_world_now(w), 50 * SIM_MS);
    CU_ASSERT_DOUBLE_EQUAL(viz_world_wall(w), 0.2, 1e-12);
    /* Right: exactly the next event, wherever it is. */
    CU_ASSERT_TRUE(viz_world_step(w));
    CU_ASSERT_TRUE(viz_world_now(w) >= 50 * SIM_MS);
    viz_world_free(w);
}

/* ---- Headless frames ---- */

static guint32 pixel(cairo_surface_t *s, int x, int y)
{
    const unsigned char *d = cairo_image_surface_get_data(s);
    return *(const guint32 *)(d + y * cairo_image_surface_get_stride(s) + 4 * x) & 0xFFFFFF;
}

static size_t count_colour(cairo_surface_t *s, guint32 rgb)
{
    size_t n = 0;
    for (int y = 0; y < cairo_image_surface_get_height(s); y++)
        for (int x = 0; x < cairo_image_surface_get_width(s); x++) n += pixel(s, x, y) == rgb;
    return n;
}

static cairo_surface_t *render(viz_app *a, int w, int h)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    cairo_t *cr = cairo_create(s);
    viz_app_draw(a, cr);
    cairo_destroy(cr);
    cairo_surface_flush(s);
    return s;
}

static viz_app *new_app(const char *scene, int w, int h)
{
    viz_options o;
    viz_options_init(&o);
    o.scene = scene;
    o.width = w;
    o.height = h;
    return test_viz_app_with(&o);
}

/* Property: a fan-out frame has the size asked for, is not blank, shows
 * the dark top bar and the page background where the layout puts them,
 * and after a post completes shows the delivered (blue) and queued
 * (orange) members: hundreds of dots' worth of those exact colours more
 * than before the post. */
static void test_headless_fanout_frame_colours(void)
{
    viz_app *a = new_app("fanout", 960, 540);
    CU_ASSERT_FATAL(a != NULL);
    viz_app_tick(a, 1.0 / 30);
    cairo_surface_t *before = render(a, 960, 540);
    CU_ASSERT_EQUAL(cairo_image_surface_get_width(before), 960);
    CU_ASSERT_EQUAL(cairo_image_surface_get_height(before), 540);
    CU_ASSERT_EQUAL(pixel(before, 4, 4), viz_color_rgb(VIZ_C_TEXT));     /* top bar */
    CU_ASSERT_EQUAL(pixel(before, 480, 47), viz_color_rgb(VIZ_C_BG));      /* gap under the bar */
    size_t green = count_colour(before, viz_color_rgb(VIZ_C_GREEN));
    size_t blue0 = count_colour(before, viz_color_rgb(VIZ_C_BLUE));
    size_t orange0 = count_colour(before, viz_color_rgb(VIZ_C_ORANGE));
    CU_ASSERT_TRUE(green > 350 * 10);   /* 350 online dots, >= 10 px each */
    viz_app_key(a, 'p');
    viz_world_set_speed(viz_app_world(a), 0.01);
    for (int i = 0; i < 60; i++) viz_app_tick(a, 1.0 / 30);   /* 20 ms simulated, 2 s wall: rings gone */
    viz_fanout_counts c;
    viz_fanout_get_counts(viz_app_scene_state(a, 0), &c);
    CU_ASSERT_TRUE(c.done);
    cairo_surface_t *after = render(a, 960, 540);
    size_t blue1 = count_colour(after, viz_color_rgb(VIZ_C_BLUE));
    size_t orange1 = count_colour(after, viz_color_rgb(VIZ_C_ORANGE));
    CU_ASSERT_TRUE(blue1 > blue0 + 350 * 10);
    CU_ASSERT_TRUE(orange1 > orange0 + 150 * 10);
    CU_ASSERT_TRUE(count_colour(after, viz_color_rgb(VIZ_C_GREEN)) < green / 10);  /* every online member turned blue */
    cairo_surface_destroy(before);
    cairo_surface_destroy(after);
    viz_app_free(a);
}

/* Property: every scene draws a non-blank frame of the requested size
 * (at least a few hundred distinct colours' worth of pixels differ from
 * the background), including the help overlay. */
static void test_headless_every_scene_draws(void)
{
    static const char *const scenes[] = { "fanout", "pipeline", "dashboard", "quiz" };
    for (size_t k = 0; k < G_N_ELEMENTS(scenes); k++) {
        viz_app *a = new_app(scenes[k], 800, 450);
        CU_ASSERT_FATAL(a != NULL);
        for (int i = 0; i < 3; i++) viz_app_tick(a, 1.0 / 30);
        cairo_surface_t *s = render(a, 800, 450);
        size_t bg = count_colour(s, viz_color_rgb(VIZ_C_BG));
        size_t all = 800 * 450;
        CU_ASSERT_TRUE(bg < all * 0.95);
        CU_ASSERT_TRUE(all - bg > 20000);
        cairo_surface_destroy(s);
        viz_app_key(a, 'h');
        s = render(a, 800, 450);
        /* The overlay darkens the page: the background colour is gone. */
        CU_ASSERT_EQUAL(count_colour(s, viz_color_rgb(VIZ_C_BG)), 0);
        cairo_surface_destroy(s);
        viz_app_free(a);
    }
}

/* Property: the same options give the same frames, byte for byte (the
 * simulation is seeded and wall time advances by the fixed frame dt). */
static void test_headless_deterministic(void)
{
    cairo_surface_t *s[2];
    for (int r = 0; r < 2; r++) {
        viz_app *a = new_app("fanout", 640, 360);
        CU_ASSERT_FATAL(a != NULL);
        viz_app_key(a, 'p');
        for (int i = 0; i < 40; i++) viz_app_tick(a, 1.0 / 30);
        s[r] = render(a, 640, 360);
        viz_app_free(a);
    }
    size_t bytes = (size_t)cairo_image_surface_get_stride(s[0]) * 360;
    CU_ASSERT_EQUAL(memcmp(cairo_image_surface_get_data(s[0]), cairo_image_surface_get_data(s[1]), bytes), 0);
    cairo_surface_destroy(s[0]);
    cairo_surface_destroy(s[1]);
}

/* Property: bad options are refused with a message naming the option. */
static void test_bad_options(void)
{
    viz_options o;
    viz_options_init(&o);
    GError *e = NULL;
    o.scene = "nope";
    CU_ASSERT_PTR_NULL(viz_app_new(&o, &e));
    CU_ASSERT_TRUE(e && strstr(e->message, "--scene"));
    g_clear_error(&e);
    o.scene = NULL;
    o.script = "1=p;x=q";
    CU_ASSERT_PTR_NULL(viz_app_new(&o, &e));
    CU_ASSERT_TRUE(e && strstr(e->message, "--script"));
    g_clear_error(&e);
    o.script = NULL;
    o.scenario = "scenarios/does-not-exist.json";
    CU_ASSERT_PTR_NULL(viz_app_new(&o, &e));
    CU_ASSERT_TRUE(e && strstr(e->message, "does-not-exist"));
    g_clear_error(&e);
}

/* Property: a script's actions run through the same handlers as keys:
 * "0=p" posts, "0=2" switches to the pipeline scene, space pauses. */
static void test_script_drives_keys(void)
{
    viz_options o;
    viz_options_init(&o);
    o.script = "0=p;0.05=space;0.1=2";
    viz_app *a = viz_app_new(&o, NULL);
    CU_ASSERT_FATAL(a != NULL);
    for (int i = 0; i < 6; i++) viz_app_tick(a, 1.0 / 30);
    viz_fanout_counts c;
    viz_fanout_get_counts(viz_app_scene_state(a, 0), &c);
    CU_ASSERT_EQUAL(c.posts, 1);
    CU_ASSERT_TRUE(viz_world_paused(viz_app_world(a)));
    CU_ASSERT_EQUAL(viz_app_scene(a), 1);
    viz_app_free(a);
}

/* Property: the quiz scene loads the shipped bank when first shown, takes
 * an answer on a number key (once), moves on with Enter, "Show me" (M)
 * opens the scene the question links, and after the last question shows
 * the score, which equals the right answers given. */
static void test_quiz_scene_flow(void)
{
    viz_app *a = new_app("quiz", 1280, 720);
    CU_ASSERT_FATAL(a != NULL);
    viz_quiz_status q;
    for (int i = 0; i < 3; i++) viz_app_tick(a, 1.0 / 30);
    viz_quiz_get_status(viz_app_scene_state(a, 3), &q);
    if (!q.loaded) fprintf(stderr, "quiz: %s\n", q.error ? q.error : "not loaded");
    CU_ASSERT_FATAL(q.loaded && q.count >= 5);
    CU_ASSERT_FALSE(q.answered);
    viz_app_key(a, '1');
    viz_quiz_get_status(viz_app_scene_state(a, 3), &q);
    CU_ASSERT_TRUE(q.answered);
    CU_ASSERT_TRUE(q.score <= 1);
    guint score = q.score;
    /* Answered: a number key no longer answers; it switches scenes. */
    viz_app_key(a, '2');
    viz_quiz_get_status(viz_app_scene_state(a, 3), &q);
    CU_ASSERT_EQUAL(q.score, score);
    CU_ASSERT_TRUE(q.answered);
    CU_ASSERT_EQUAL(viz_app_scene(a), 1);
    viz_app_set_scene(a, 3);
    /* Show me opens the linked scene (a scenario link: the dashboard, with
     * that scenario loaded). */
    viz_quiz_get_status(viz_app_scene_state(a, 3), &q);
    viz_app_key(a, 'm');
    CU_ASSERT_EQUAL(viz_app_scene(a), q.demo_scene ? viz_scene_find(q.demo_scene) : q.demo_path ? 2 : 3);
    viz_app_set_scene(a, 3);
    guint n = q.count;
    for (guint i = 0; i < n; i++) {
        viz_quiz_get_status(viz_app_scene_state(a, 3), &q);
        if (!q.answered) viz_app_key(a, '1');
        viz_app_key(a, VIZ_KEY_ENTER);
    }
    viz_quiz_get_status(viz_app_scene_state(a, 3), &q);
    CU_ASSERT_TRUE(q.finished);
    CU_ASSERT_TRUE(q.score <= n);
    viz_app_free(a);
}

/* Property: the pipeline's Up key raises the model's send rate: after
 * three presses (x8) the messages sent in 20 simulated seconds are well
 * above the starting rate's. The scene starts general_channel at x1024
 * (about 1,000 msg/s, see test_first_frames_show_data), so the counts are
 * Poisson with means near 20,000 and 160,000; "more than 3x" cannot fail
 * by chance. */
static void test_pipeline_rate_keys(void)
{
    viz_app *a = new_app("pipeline", 1280, 720);
    CU_ASSERT_FATAL(a != NULL);
    viz_world *w = viz_app_world(a);
    viz_world_set_speed(w, 10);
    slack_model *m = viz_world_model(w);
    uint64_t s0 = slack_model_messages_sent(m);
    for (int i = 0; i < 60; i++) viz_app_tick(a, 1.0 / 30);   /* 20 s */
    uint64_t base = slack_model_messages_sent(m) - s0;
    for (int k = 0; k < 3; k++) viz_app_key(a, VIZ_KEY_UP);
    uint64_t s1 = slack_model_messages_sent(m);
    for (int i = 0; i < 60; i++) viz_app_tick(a, 1.0 / 30);
    uint64_t fast = slack_model_messages_sent(m) - s1;
    CU_ASSERT_TRUE(base > 10);
    CU_ASSERT_TRUE(fast > 3 * base);
    viz_app_key(a, '0');   /* back to the scenario's rate */
    uint64_t s2 = slack_model_messages_sent(m);
    for (int i = 0; i < 60; i++) viz_app_tick(a, 1.0 / 30);
    CU_ASSERT_TRUE(slack_model_messages_sent(m) - s2 < fast / 2);
    viz_app_free(a);
}

/* ---- Lecture hall: legibility, first frames, pace, scale ---- */

/* GLib/Pango criticals and warnings raised while a test draws, counted by
 * a default handler (a fatal log would abort the whole suite). */
typedef struct { int bad; char first[256]; } log_count;

static void count_log(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer user)
{
    log_count *c = user;
    if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING | G_LOG_LEVEL_ERROR)) {
        if (!c->bad++) snprintf(c->first, sizeof c->first, "%s: %s", domain ? domain : "", msg);
    }
}

/* Property: the visualizer's text is never drawn under 16 px at scale 1
 * (a size-10 label comes out as tall as a size-16 one), sizes at or below
 * zero are drawn at the 1 px floor instead of reaching Pango, and files
 * written for slides (min_size 0) keep their own small sizes. */
static void test_text_floor(void)
{
    viz_style app, files;
    viz_style_init(&app, 1.0);
    app.min_size = VIZ_MIN_TEXT;
    viz_style_init(&files, 1.0);
    CU_ASSERT_DOUBLE_EQUAL(viz_text_px(&app, 10), 16, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(viz_text_px(&app, 20), 20, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(viz_text_px(&files, 10), 10, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(viz_text_px(&files, -3), VIZ_TINY_TEXT, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(viz_text_px(&files, NAN), VIZ_TINY_TEXT, 1e-12);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 8, 8);
    cairo_t *cr = cairo_create(s);
    double h10, h16, hsmall;
    viz_text_size(cr, &app, 10, FALSE, "Ag", NULL, &h10);
    viz_text_size(cr, &app, 16, FALSE, "Ag", NULL, &h16);
    viz_text_size(cr, &files, 10, FALSE, "Ag", NULL, &hsmall);
    CU_ASSERT_DOUBLE_EQUAL(h10, h16, 0.5);
    CU_ASSERT_TRUE(hsmall < h16 - 3);
    log_count lc = { 0, "" };
    GLogFunc old = g_log_set_default_handler(count_log, &lc);
    viz_text_size(cr, &files, -5, TRUE, "negative", NULL, &h10);
    g_log_set_default_handler(old, NULL);
    CU_ASSERT_EQUAL(lc.bad, 0);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    /* The app's own frames: at 1280x720 and scale 1 a size-12 label is
     * drawn at >= 16 px; a 4K frame doubles everything; a 320x240 one
     * zooms out rather than squeeze a 320 px layout. */
    static const struct { int w, h; double zoom; } z[] = { { 1280, 720, 1 }, { 3840, 2160, 2 }, { 320, 240, 1.0 / 3 } };
    for (size_t i = 0; i < G_N_ELEMENTS(z); i++) {
        viz_app *a = new_app("fanout", z[i].w, z[i].h);
        CU_ASSERT_FATAL(a != NULL);
        CU_ASSERT_DOUBLE_EQUAL(viz_app_zoom(a), z[i].zoom, 1e-9);
        if (i == 0) CU_ASSERT_TRUE(viz_text_px(viz_app_style(a), 12) * viz_app_zoom(a) >= 16);
        viz_app_free(a);
    }
}

/* Property: every scene renders at 320x240, 1280x720 and 3840x2160 (after
 * a post, with the help overlay, the event log and an inspector open)
 * without a single GLib or Pango critical or warning, and each frame is
 * not blank. At 320x240 the chart labels used to go to negative sizes. */
static void test_every_scene_every_size_no_criticals(void)
{
    static const int sizes[][2] = { { 320, 240 }, { 1280, 720 }, { 3840, 2160 } };
    static const char *const scenes[] = { "fanout", "pipeline", "dashboard", "quiz" };
    log_count lc = { 0, "" };
    GLogFunc old = g_log_set_default_handler(count_log, &lc);
    for (size_t z = 0; z < G_N_ELEMENTS(sizes); z++) {
        for (size_t k = 0; k < G_N_ELEMENTS(scenes); k++) {
            int w = sizes[z][0], h = sizes[z][1];
            viz_app *a = new_app(scenes[k], w, h);
            CU_ASSERT_FATAL(a != NULL);
            if (k == 0) viz_app_key(a, 'p');
            viz_app_key(a, 'e');
            for (int i = 0; i < 3; i++) viz_app_tick(a, 1.0 / 30);
            /* An inspector too: a click where each scene has something. */
            viz_app_click(a, w * 0.15, h * 0.45);
            viz_app_tick(a, 1.0 / 30);
            cairo_surface_t *s = render(a, w, h);
            size_t bg = count_colour(s, viz_color_rgb(VIZ_C_BG));
            CU_ASSERT_TRUE(bg < (size_t)w * h * 0.95);
            cairo_surface_destroy(s);
            viz_app_key(a, 'h');
            s = render(a, w, h);
            cairo_surface_destroy(s);
            viz_app_free(a);
            if (lc.bad) fprintf(stderr, "%s at %dx%d: %s\n", scenes[k], w, h, lc.first);
            CU_ASSERT_EQUAL(lc.bad, 0);
            lc.bad = 0;
        }
    }
    g_log_set_default_handler(old, NULL);
}

/* Property: the first frame of every scene shows data: the pipeline and
 * dashboard start after a warm-up (the top bar says how long; the model
 * has sent messages and written time-series rows), the pipeline raises a
 * quiet scenario's rate until a stage shows load, the quiz is loaded, and
 * the fan-out needs no warm-up (it starts at t = 0). */
static void test_first_frames_show_data(void)
{
    viz_app *a = new_app("pipeline", 1280, 720);
    CU_ASSERT_FATAL(a != NULL);
    const slack_model *m = viz_world_model_const(viz_app_world(a));
    CU_ASSERT_TRUE(viz_world_warmup(viz_app_world(a)) >= 10);
    CU_ASSERT_TRUE(slack_model_messages_sent(m) > 100);
    slack_stage_info pg;
    slack_model_stage_info(m, SLACK_STATION_POSTGRES, &pg);
    CU_ASSERT_TRUE(pg.completed > 100);
    viz_app_free(a);
    a = new_app("dashboard", 1280, 720);
    CU_ASSERT_FATAL(a != NULL);
    m = viz_world_model_const(viz_app_world(a));
    CU_ASSERT_DOUBLE_EQUAL(viz_world_warmup(viz_app_world(a)), 60, 1e-9);
    CU_ASSERT_TRUE(sim_series_rows(slack_model_timeseries(m)) >= 30);
    viz_app_free(a);
    a = new_app("quiz", 1280, 720);
    CU_ASSERT_FATAL(a != NULL);
    viz_quiz_status q;
    viz_quiz_get_status(viz_app_scene_state(a, 3), &q);   /* before any tick */
    CU_ASSERT_TRUE(q.loaded);
    viz_app_free(a);
    a = new_app("fanout", 1280, 720);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT_EQUAL(viz_world_now(viz_app_world(a)), 0);
    CU_ASSERT_DOUBLE_EQUAL(viz_world_warmup(viz_app_world(a)), 0, 1e-12);
    /* Switched to a few frames in, the dashboard warms up to its minute;
     * paused, it does not move the clock. */
    for (int i = 0; i < 3; i++) viz_app_tick(a, 1.0 / 30);
    viz_world_set_paused(viz_app_world(a), TRUE);
    sim_time t0 = viz_world_now(viz_app_world(a));
    viz_app_set_scene(a, 2);
    CU_ASSERT_EQUAL(viz_world_now(viz_app_world(a)), t0);
    viz_app_set_scene(a, 0);
    viz_world_set_paused(viz_app_world(a), FALSE);
    viz_app_set_scene(a, 2);
    CU_ASSERT_TRUE(sim_time_to_sec(viz_world_now(viz_app_world(a))) >= 60 - 1e-6);
    CU_ASSERT_TRUE(viz_world_warmup(viz_app_world(a)) > 59);
    viz_app_free(a);
}

/* Runs a fan-out app at 30 fps after one post until the post is done (at
 * most `max_s` wall seconds); returns the wall seconds it took, or -1. */
static double wall_until_done(viz_app *a, double max_s)
{
    viz_app_key(a, 'p');
    viz_fanout_counts c;
    for (int i = 1; i <= (int)(max_s * 30); i++) {
        viz_app_tick(a, 1.0 / 30);
        viz_fanout_get_counts(viz_app_scene_state(a, 0), &c);
        if (c.done && c.ws_pushes > 0) return i / 30.0;
    }
    return -1;
}

/* Property: the default fan-out speed lets one post's wave (send -> last
 * WebSocket push) take 2 to 4 s of wall time, whatever the channel size:
 * 500 members (about 3 ms simulated) and 100,000 (about 120 ms). */
static void test_fanout_pace_follows_channel_size(void)
{
    static const char *const scen[] = { SCENARIO, "scenarios/channel_storm.json" };
    for (size_t k = 0; k < G_N_ELEMENTS(scen); k++) {
        viz_options o;
        viz_options_init(&o);
        o.scenario = scen[k];
        GError *e = NULL;
        viz_app *a = viz_app_new(&o, &e);
        CU_ASSERT_FATAL(a != NULL);
        double probe = viz_fanout_probe_wave(viz_app_scene_state(a, 0));
        CU_ASSERT_TRUE(probe > 0);
        double took = wall_until_done(a, 10);
        if (took < 2 || took > 4) fprintf(stderr, "%s: wave took %.2f s wall at %gx\n", scen[k], took,
                                          viz_world_speed(viz_app_world(a)));
        CU_ASSERT_TRUE(took >= 2 && took <= 4);
        viz_app_free(a);
    }
}

/* Pixels of `s` in the rectangle that are not the page background. */
static size_t non_bg(cairo_surface_t *s, int x0, int y0, int x1, int y1)
{
    size_t n = 0;
    for (int y = MAX(0, y0); y < y1 && y < cairo_image_surface_get_height(s); y++)
        for (int x = MAX(0, x0); x < x1 && x < cairo_image_surface_get_width(s); x++)
            n += pixel(s, x, y) != viz_color_rgb(VIZ_C_BG);
    return n;
}

/* Property: at 100,000 members (channel_storm: 20 gateways) the fan-out
 * draws aggregates, and nothing (text, dots, bars) is drawn outside the
 * blocks: the gutters between gateway blocks and between the grid and
 * the offline block stay page background, after the post is done. The old
 * drawing spilled dots and wrapped headers across every gutter. */
static void test_fanout_100k_stays_in_its_boxes(void)
{
    viz_options o;
    viz_options_init(&o);
    o.scenario = "scenarios/channel_storm.json";
    GError *e = NULL;
    viz_app *a = viz_app_new(&o, &e);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT_TRUE(wall_until_done(a, 10) > 0);
    for (int i = 0; i < 30; i++) viz_app_tick(a, 1.0 / 30);   /* rings faded */
    const viz_fanout *fo = viz_app_scene_state(a, 0);
    CU_ASSERT_TRUE(viz_fanout_aggregate(fo));
    cairo_surface_t *s = render(a, 1280, 720);
    double r[4], n[4], p[4];
    CU_ASSERT_FATAL(viz_fanout_block_rect(fo, -1, p));
    int checked = 0;
    for (int g = 0; viz_fanout_block_rect(fo, g, r); g++) {
        /* The gutter right of block g when its neighbour is on the same row. */
        if (viz_fanout_block_rect(fo, g + 1, n) && fabs(n[1] - r[1]) < 1) {
            CU_ASSERT_EQUAL(non_bg(s, (int)ceil(r[0] + r[2]) + 2, (int)r[1], (int)floor(n[0]) - 1, (int)(r[1] + r[3])), 0);
            checked++;
        }
        /* The gap under the block (8 px to the next row, more to the
         * offline block): its middle band stays clear. */
        int below = (int)ceil(r[1] + r[3]) + 2;
        CU_ASSERT_EQUAL(non_bg(s, (int)r[0] + 10, below, (int)(r[0] + r[2]) - 10, below + 4), 0);
    }
    CU_ASSERT_TRUE(checked >= 10);
    /* The offline block's right margin up to the frame's edge. */
    CU_ASSERT_EQUAL(non_bg(s, (int)ceil(p[0] + p[2]) + 3, (int)p[1], 1280, (int)(p[1] + p[3])), 0);
    cairo_surface_destroy(s);
    viz_app_free(a);
}

/* Property: the quiz scene asks only what --quiz-first / --quiz-topic
 * select (the lesson's five; the presence questions, as many as the bank
 * has with that topic or id), and a topic matching nothing is refused
 * with the list of topics. */
static void test_quiz_scene_subset(void)
{
    viz_options o;
    viz_options_init(&o);
    o.scene = "quiz";
    o.quiz_first = 5;
    GError *e = NULL;
    viz_app *a = viz_app_new(&o, &e);
    CU_ASSERT_FATAL(a != NULL);
    viz_quiz_status q;
    viz_quiz_get_status(viz_app_scene_state(a, 3), &q);
    CU_ASSERT_TRUE(q.loaded);
    CU_ASSERT_EQUAL(q.count, 5);
    viz_app_free(a);
    /* The bank's presence questions, counted independently. */
    char *root = quiz_project_root();
    char *path = quiz_locate_bank(NULL, root, NULL);
    quiz_bank *bank = quiz_bank_load(path, root, NULL);
    CU_ASSERT_FATAL(bank != NULL);
    guint want = 0;
    for (guint i = 0; i < quiz_bank_count(bank); i++) {
        const quiz_question *qq = quiz_bank_question(bank, i);
        char *tp = g_utf8_casefold(quiz_question_topic(qq), -1), *id = g_utf8_casefold(quiz_question_id(qq), -1);
        want += strstr(tp, "presence") || strstr(id, "presence");
        g_free(tp);
        g_free(id);
    }
    CU_ASSERT_TRUE(want >= 2);
    o.quiz_first = 0;
    o.quiz_topic = "Presence";
    a = viz_app_new(&o, &e);
    CU_ASSERT_FATAL(a != NULL);
    viz_quiz_get_status(viz_app_scene_state(a, 3), &q);
    CU_ASSERT_EQUAL(q.count, want);
    viz_app_free(a);
    o.quiz_topic = "no such topic";
    CU_ASSERT_PTR_NULL(viz_app_new(&o, &e));
    CU_ASSERT_TRUE(e && strstr(e->message, "--quiz-topic") && strstr(e->message, "topics:"));
    g_clear_error(&e);
    quiz_bank_free(bank);
    g_free(path);
    g_free(root);
}

/* Property: Show me on a question whose demo is a scenario loads that
 * scenario into the world (the model is rebuilt from it, the scenes are
 * reset) and opens the dashboard, warmed up so it shows data. */
static void test_quiz_show_me_loads_scenario(void)
{
    viz_app *a = new_app("quiz", 1280, 720);
    CU_ASSERT_FATAL(a != NULL);
    viz_quiz_status q;
    guint asked = 0;
    /* Walk to the first question linking a scenario (bounded: a bank that
     * failed to load is neither finished nor has one, and must fail here,
     * not hang). */
    for (guint guard = 0; guard < 1000; guard++) {
        viz_quiz_get_status(viz_app_scene_state(a, 3), &q);
        if (q.finished || q.demo_path) break;
        viz_app_key(a, '1');
        viz_app_key(a, VIZ_KEY_ENTER);
        asked++;
    }
    CU_ASSERT_FATAL(q.demo_path != NULL);
    char *want = g_path_get_basename(q.demo_path);
    viz_app_key(a, '1');
    viz_app_tick(a, 1.0 / 30);
    viz_app_key(a, 'm');
    CU_ASSERT_EQUAL(viz_app_scene(a), 2);
    char *got = g_path_get_basename(viz_world_scenario_path(viz_app_world(a)));
    CU_ASSERT_STRING_EQUAL(got, want);
    CU_ASSERT_TRUE(viz_world_warmup(viz_app_world(a)) > 0);
    /* The fan-out was reset onto the new model: a post still works. */
    viz_fanout_counts c;
    viz_fanout_get_counts(viz_app_scene_state(a, 0), &c);
    CU_ASSERT_EQUAL(c.posts, 0);
    g_free(got);
    g_free(want);
    viz_app_free(a);
}

/* Property: the event log holds one post's stages in order, SENT first
 * and DONE last, with the id the model assigned, and a reset clears it. */
static void test_event_log_steps_a_post(void)
{
    viz_app *a = new_app("fanout", 1280, 720);
    CU_ASSERT_FATAL(a != NULL);
    viz_world *w = viz_app_world(a);
    CU_ASSERT_TRUE(wall_until_done(a, 10) > 0);
    viz_fanout *fo = viz_app_scene_state(a, 0);
    (void)fo;
    /* Oldest to newest, the stages of message 0 (the post; general_channel
     * sends its first background message later than 4 ms). */
    int seen[SLACK_STAGE_DONE + 1] = { 0 }, last = -1;
    gboolean ordered = TRUE, has_id = FALSE;
    for (guint i = viz_world_log_count(w); i-- > 0;) {
        const viz_event *ev = viz_world_log_at(w, i);
        if (ev->msg != 0) continue;
        if (ev->stage == VIZ_EVENT_ID) { has_id = ev->id_us > 0; continue; }
        ordered &= ev->stage > last;
        last = ev->stage;
        seen[ev->stage]++;
    }
    CU_ASSERT_TRUE(ordered);
    CU_ASSERT_TRUE(has_id);
    CU_ASSERT_EQUAL(seen[SLACK_STAGE_SENT], 1);
    CU_ASSERT_EQUAL(seen[SLACK_STAGE_DONE], 1);
    CU_ASSERT_EQUAL(last, SLACK_STAGE_DONE);
    viz_app_key(a, 'r');
    CU_ASSERT_EQUAL(viz_world_log_count(w), 0);
    viz_app_free(a);
}

/* ---- Charts ---- */

/* Property: tick steps are 1, 2 or 5 times a power of ten and give about
 * the requested number of ticks. */
static void test_nice_step(void)
{
    CU_ASSERT_DOUBLE_EQUAL(viz_nice_step(0, 10, 5), 2, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(viz_nice_step(0, 1, 5), 0.2, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(viz_nice_step(0, 1000, 4), 200, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(viz_nice_step(0, 37, 8), 5, 1e-12);
    for (double span = 0.013; span < 1e7; span *= 3.7) {
        double st = viz_nice_step(0, span, 5);
        double m = st / pow(10, floor(log10(st) + 1e-12));
        CU_ASSERT_TRUE(fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 5) < 1e-9 || fabs(m - 10) < 1e-9);
        double ticks = span / st;
        CU_ASSERT_TRUE(ticks >= 2 && ticks <= 12);
    }
}

static void draw_line_chart(cairo_t *cr, double w, double h, void *user)
{
    (void)user;
    viz_style st;
    viz_style_init(&st, 1.0);
    double x[50], y[50];
    for (int i = 0; i < 50; i++) { x[i] = i; y[i] = i * i; }
    viz_line l = { "squares", x, y, 50 };
    viz_axes ax;
    viz_axes_init(&ax, "Test chart", "x (units)", "y (units)");
    viz_color_set(cr, VIZ_C_BG, 1);
    cairo_paint(cr);
    viz_chart_lines(cr, &st, 0, 0, w, h, &ax, &l, 1);
}

/* Property: charts are written as PNG, SVG and PDF (with the right magic
 * bytes); an unknown extension is an error and writes nothing. */
/* Property: --plot-size parses WxH inside 320x240..8192x8192 and refuses
 * the rest naming the flag; plots written at a size have that size (the
 * PNG read back), and the default size stays 1000x560. */
static void test_plot_size(void)
{
    int w = 0, h = 0;
    GError *e = NULL;
    CU_ASSERT_TRUE(viz_plot_size_parse("1920x1080", &w, &h, &e));
    CU_ASSERT_EQUAL(w, 1920);
    CU_ASSERT_EQUAL(h, 1080);
    static const char *const bad[] = { "1920", "100x100", "1920x1080x", "axb", "9000x100", "" };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        CU_ASSERT_FALSE(viz_plot_size_parse(bad[i], &w, &h, &e));
        CU_ASSERT_TRUE(e && strstr(e->message, "--plot-size"));
        g_clear_error(&e);
    }
    const char *sets[] = { "duration_s=5", NULL };
    sim_scenario *sc = slack_model_load_scenario(SCENARIO, sets, &e);
    CU_ASSERT_FATAL(sc != NULL);
    slack_model *m = slack_model_new(sc, 1, &e);
    CU_ASSERT_FATAL(m != NULL);
    slack_model_run_until(m, slack_model_duration(m));
    slack_model_finish(m);
    char *dir = g_dir_make_tmp("viz-plots-XXXXXX", NULL);
    static const int dims[][2] = { { 1920, 1080 }, { VIZ_PLOT_W, VIZ_PLOT_H } };
    for (size_t k = 0; k < G_N_ELEMENTS(dims); k++) {
        gboolean ok = k == 0 ? viz_plots_write_sized(m, dir, dims[k][0], dims[k][1], &e) : viz_plots_write(m, dir, &e);
        CU_ASSERT_TRUE(ok);
        char *png = g_build_filename(dir, "utilization.png", NULL);
        cairo_surface_t *s = cairo_image_surface_create_from_png(png);
        CU_ASSERT_EQUAL(cairo_image_surface_get_width(s), dims[k][0]);
        CU_ASSERT_EQUAL(cairo_image_surface_get_height(s), dims[k][1]);
        cairo_surface_destroy(s);
        g_free(png);
    }
    GDir *d = g_dir_open(dir, 0, NULL);
    for (const char *n; d && (n = g_dir_read_name(d));) {
        char *f = g_build_filename(dir, n, NULL);
        g_unlink(f);
        g_free(f);
    }
    if (d) g_dir_close(d);
    g_rmdir(dir);
    g_free(dir);
    slack_model_free(m);
    sim_scenario_free(sc);
}

static void test_chart_files(void)
{
    char *dir = g_dir_make_tmp("viz-test-XXXXXX", NULL);
    CU_ASSERT_FATAL(dir != NULL);
    static const struct { const char *name, *magic; } files[] = {
        { "c.png", "\x89PNG" }, { "c.svg", "<?xml" }, { "c.pdf", "%PDF" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        char *p = g_build_filename(dir, files[i].name, NULL);
        GError *e = NULL;
        CU_ASSERT_TRUE(viz_chart_write(p, 400, 300, draw_line_chart, NULL, &e));
        g_clear_error(&e);
        char *data = NULL;
        gsize len = 0;
        CU_ASSERT_TRUE(g_file_get_contents(p, &data, &len, NULL));
        CU_ASSERT_TRUE(len > 100 && data && !memcmp(data, files[i].magic, strlen(files[i].magic)));
        g_free(data);
        g_unlink(p);
        g_free(p);
    }
    char *bad = g_build_filename(dir, "c.bmp", NULL);
    GError *e = NULL;
    CU_ASSERT_FALSE(viz_chart_write(bad, 400, 300, draw_line_chart, NULL, &e));
    CU_ASSERT_TRUE(e && strstr(e->message, ".png"));
    CU_ASSERT_FALSE(g_file_test(bad, G_FILE_TEST_EXISTS));
    g_clear_error(&e);
    g_free(bad);
    g_rmdir(dir);
    g_free(dir);
}

/* Numbers on charts and counters: about three significant digits, one
 * unit, never e-notation, over every magnitude the model produces. */
static void test_number_format_has_no_e_notation(void)
{
    char buf[64];
    for (double v = 1e-9; v < 1e13; v *= 3.7) {
        CU_ASSERT_PTR_NULL(strchr(viz_fmt_count(buf, sizeof buf, v), 'e'));
        CU_ASSERT_PTR_NULL(strchr(viz_fmt_duration(buf, sizeof buf, v), 'e'));
    }
    CU_ASSERT_STRING_EQUAL(viz_fmt_count(buf, sizeof buf, 10000), "10k");
    CU_ASSERT_STRING_EQUAL(viz_fmt_count(buf, sizeof buf, 38600), "38.6k");
    CU_ASSERT_STRING_EQUAL(viz_fmt_count(buf, sizeof buf, 1.5e6), "1.5M");
    CU_ASSERT_STRING_EQUAL(viz_fmt_count(buf, sizeof buf, 0.05), "0.05");
    CU_ASSERT_STRING_EQUAL(viz_fmt_duration(buf, sizeof buf, 2e9), "2 s");
    CU_ASSERT_STRING_EQUAL(viz_fmt_duration(buf, sizeof buf, 1234e9), "1234 s");
    CU_ASSERT_STRING_EQUAL(viz_fmt_duration(buf, sizeof buf, 12.5e6), "12.5 ms");
}

void test_viz_register(void)
{
    TEST_SUITE("viz",
               TEST(test_number_format_has_no_e_notation),
               TEST(test_fanout_counts_after_one_post),
               TEST(test_fanout_toggle_member),
               TEST(test_fanout_kill_gateway_moves_members),
               TEST(test_world_speed_and_pause),
               TEST(test_headless_fanout_frame_colours),
               TEST(test_headless_every_scene_draws),
               TEST(test_headless_deterministic),
               TEST(test_bad_options),
               TEST(test_script_drives_keys),
               TEST(test_quiz_scene_flow),
               TEST(test_pipeline_rate_keys),
               TEST(test_text_floor),
               TEST(test_every_scene_every_size_no_criticals),
               TEST(test_first_frames_show_data),
               TEST(test_fanout_pace_follows_channel_size),
               TEST(test_fanout_100k_stays_in_its_boxes),
               TEST(test_quiz_scene_subset),
               TEST(test_quiz_show_me_loads_scenario),
               TEST(test_event_log_steps_a_post),
               TEST(test_plot_size),
               TEST(test_nice_step),
               TEST(test_chart_files));
}
