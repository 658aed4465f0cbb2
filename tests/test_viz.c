/* viz: the visualizer's logic without a window, and its headless frames.
 * The fan-out scene is driven through its logic API against the real model
 * (scenarios/general_channel.json: #general, 500 members, 350 online);
 * frames are drawn on cairo image surfaces and read back pixel by pixel. */
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include "tests/test_util.h"
#include "viz/viz_app.h"
#include "viz/viz_chart.h"

#define SCENARIO "scenarios/general_channel.json"

/* LeakSanitizer (make asan): fontconfig, below Pango, keeps allocations
 * for its font cache that it never frees (a known fontconfig behaviour);
 * they are not ours and would fail every run that draws text. Ignored by
 * builds without the sanitizer. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }

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
    GError *e = NULL;
    viz_app *a = viz_app_new(&o, &e);
    if (!a) fprintf(stderr, "viz_app_new: %s\n", e ? e->message : "?");
    g_clear_error(&e);
    return a;
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
    /* Show me opens the linked scene (a scenario link keeps the quiz). */
    viz_quiz_get_status(viz_app_scene_state(a, 3), &q);
    viz_app_key(a, 'm');
    CU_ASSERT_EQUAL(viz_app_scene(a), q.demo_scene ? viz_scene_find(q.demo_scene) : 3);
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
 * above the base rate's. general_channel sends 2/s, so the counts are
 * Poisson with means 40 and 320; "more than 3x" fails with a probability
 * far below 1e-12. */
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

void test_viz_register(void)
{
    TEST_SUITE("viz",
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
               TEST(test_nice_step),
               TEST(test_chart_files));
}
