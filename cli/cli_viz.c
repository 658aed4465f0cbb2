/* cli_viz: `slacksim viz`: the visualizer in a window, or headless frames,
 * vector export and the frame-time benchmark. Flags in docs/visualizer.md. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "sim/sim_error.h"
#include "viz/viz_app.h"
#include "viz/viz_scene.h"

/* LeakSanitizer (make asan): fontconfig, below Pango, never frees its font
 * cache; those allocations are not ours. Unused without the sanitizer. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }
/* ...and keeps quiet about having used them, so bad input still gives one
 * line on stderr under ASan. */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void) { return "print_suppressions=0"; }

/* One side of WxH: digits only (strtol would take "+5" and " 5"), and a
 * value that fits an int; the range is checked with the pair. */
static gboolean parse_side(const char *s, const char **end, long *out)
{
    if (!g_ascii_isdigit(*s)) return FALSE;
    char *e;
    errno = 0;
    long v = strtol(s, &e, 10);
    if (errno == ERANGE || v > INT_MAX) v = LONG_MAX;   /* out of range, said as such below */
    *out = v;
    *end = e;
    return TRUE;
}

/* "1280x720" -> 1280, 720 within 320x240..8192x8192; FALSE with a message
 * that shows the text as given (not a wrapped int). */
static gboolean parse_size(const char *s, int *w, int *h, GError **error)
{
    const char *p;
    long lw, lh;
    g_autofree char *q = sim_error_quote(s);
    if (!parse_side(s, &p, &lw) || (*p != 'x' && *p != 'X') || !parse_side(p + 1, &p, &lh) || *p)
        return sim_error_at(error, SIM_ERROR_USAGE, "--size", NULL, "expected WxH such as 1280x720, got '%s'", q);
    if (lw < 320 || lh < 240 || lw > 8192 || lh > 8192)
        return sim_error_at(error, SIM_ERROR_USAGE, "--size", NULL, "%s is outside 320x240..8192x8192", q);
    *w = (int)lw;
    *h = (int)lh;
    return TRUE;
}

/* The default scenario, found from the current directory (a checkout) or
 * else beside the binary (bin/../scenarios), so `viz` works when run from
 * elsewhere (build-asan/bin included). Caller frees; NULL leaves viz's own default and its message. */
static char *default_scenario(const char *rel)
{
    if (g_file_test(rel, G_FILE_TEST_IS_REGULAR)) return NULL;
    char *exe = g_file_read_link("/proc/self/exe", NULL);
    if (!exe) return NULL;
    /* bin/slacksim, or build-asan/bin/slacksim: two levels up at most. */
    char *dir = g_path_get_dirname(exe);
    char *found = NULL;
    for (int up = 0; up < 3 && !found; up++) {
        char *cand = g_build_filename(dir, rel, NULL);
        if (g_file_test(cand, G_FILE_TEST_IS_REGULAR)) found = cand;
        else g_free(cand);
        char *parent = g_path_get_dirname(dir);
        g_free(dir);
        dir = parent;
    }
    g_free(dir);
    g_free(exe);
    return found;
}

int cli_viz_main(int argc, char **argv)
{
    viz_options o;
    viz_options_init(&o);
    char *scenario = NULL, *scene = NULL, *size = NULL, *screenshot = NULL, *script = NULL;
    char *out = NULL, *svg = NULL, *pdf = NULL;
    char **sets = NULL;
    gint64 seed = G_MININT64;   /* not given */
    gint frames = 0, quiz_first = 0;
    char *quiz_topic = NULL;
    gdouble speed = 0, scale = 1.0, quit_after = 0, fps = 30;
    gboolean headless = FALSE, fullscreen = FALSE, bench = FALSE, print_state = FALSE;
    GOptionEntry entries[] = {
        { "scenario", 0, 0, G_OPTION_ARG_FILENAME, &scenario, "scenario file (default scenarios/general_channel.json)", "FILE" },
        { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, "override a scenario key (repeatable)", "KEY=VALUE" },
        { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "random seed (default: the scenario's \"seed\")", "N" },
        { "scene", 0, 0, G_OPTION_ARG_STRING, &scene, "first scene: fanout, pipeline, dashboard, quiz", "NAME" },
        { "speed", 0, 0, G_OPTION_ARG_DOUBLE, &speed, "simulated seconds per wall second (default: the scene's)", "X" },
        { "scale", 0, 0, G_OPTION_ARG_DOUBLE, &scale, "zoom for projectors, text included (default 1; L toggles x1.5)", "X" },
        { "size", 0, 0, G_OPTION_ARG_STRING, &size, "window or frame size (default 1280x720)", "WxH" },
        { "fullscreen", 0, 0, G_OPTION_ARG_NONE, &fullscreen, "start full screen", NULL },
        { "quit-after", 0, 0, G_OPTION_ARG_DOUBLE, &quit_after, "quit after this many wall seconds", "SECONDS" },
        { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, &screenshot, "write a PNG of the last frame before quitting", "FILE" },
        { "headless", 0, 0, G_OPTION_ARG_NONE, &headless, "render frames without a display", NULL },
        { "frames", 0, 0, G_OPTION_ARG_INT, &frames, "headless: frames to render (default 1)", "N" },
        { "fps", 0, 0, G_OPTION_ARG_DOUBLE, &fps, "headless: frames per wall second (default 30)", "N" },
        { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "headless: write frame-NNNN.png here", "DIR" },
        { "svg", 0, 0, G_OPTION_ARG_FILENAME, &svg, "write the last frame as SVG (implies --headless)", "FILE" },
        { "pdf", 0, 0, G_OPTION_ARG_FILENAME, &pdf, "write the last frame as PDF (implies --headless)", "FILE" },
        /* Hidden from --help only until docs/cli.md (not this module's
         * file) lists them: tests/cli/test_cli_doc.sh requires a line there
         * for every flag --help shows. Documented in docs/visualizer.md. */
        { "quiz-first", 0, 0, G_OPTION_ARG_INT, &quiz_first, "quiz scene: only the first N questions (5: the lesson's own quiz)", "N" },
        { "quiz-topic", 0, 0, G_OPTION_ARG_STRING, &quiz_topic, "quiz scene: only questions whose topic or id contains TEXT", "TEXT" },
        { "bench", 0, 0, G_OPTION_ARG_NONE, &bench, "frame-time benchmark of the fan-out scene (headless)", NULL },
        { "script", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &script, "timed input for tests", "T=ACTION;..." },
        { "print-state", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &print_state, "print the final state (tests)", NULL },
        { NULL }
    };
    int status = CLI_OK;
    if (!cli_parse("viz", "", "The Design Slack visualizer: channel fan-out, delivery pipeline, dashboard, quiz.\n"
                   "Keys: H in the window lists them all.", entries, &argc, &argv)) {
        status = CLI_USAGE;
        goto done;
    }
    if (argc > 1) {
        char *q = sim_error_quote(argv[1]);
        fprintf(stderr, "slacksim viz: unexpected argument '%s' (the scenario goes after --scenario)\n", q);
        g_free(q);
        status = CLI_USAGE;
        goto done;
    }
    GError *error = NULL;
    if (size && !parse_size(size, &o.width, &o.height, &error)) {
        status = cli_report_error("viz", error);
        goto done;
    }
    if (!(speed >= 0) || !(quit_after >= 0)) {
        fprintf(stderr, "slacksim viz: --speed and --quit-after must be >= 0\n");
        status = CLI_USAGE;
        goto done;
    }
    if (frames < 0 || !(fps > 0)) {
        fprintf(stderr, "slacksim viz: --frames must be >= 0 and --fps > 0\n");
        status = CLI_USAGE;
        goto done;
    }
    if (quiz_first < 0) {
        fprintf(stderr, "slacksim viz: --quiz-first must be >= 0\n");
        status = CLI_USAGE;
        goto done;
    }
    o.quiz_first = quiz_first;
    o.quiz_topic = quiz_topic;
    char *found = scenario ? NULL : default_scenario(o.scenario);
    if (scenario) o.scenario = scenario;
    else if (found) o.scenario = found;
    o.sets = (const char *const *)sets;
    if (seed < 0 && seed != G_MININT64) {
        fprintf(stderr, "slacksim viz: --seed must be >= 0\n");
        status = CLI_USAGE;
        goto done;
    }
    o.seed = seed != G_MININT64 ? (uint64_t)seed : VIZ_SEED_SCENARIO;
    if (scene && viz_scene_find(scene) < 0) {
        g_autofree char *q = sim_error_quote(scene);
        fprintf(stderr, "slacksim viz: --scene: unknown scene '%s' (fanout, pipeline, dashboard, quiz)\n", q);
        status = CLI_USAGE;
        g_free(found);
        goto done;
    }
    o.scene = scene;
    o.speed = speed;
    o.scale = scale;
    o.fullscreen = fullscreen;
    o.quit_after = quit_after;
    o.screenshot = screenshot;
    o.script = script;
    o.print_state = print_state;
    o.frames = frames > 0 ? frames : 1;
    o.fps = fps;
    o.svg = svg;
    o.pdf = pdf;
    /* Frames are an output set: staged, and moved into place only when
     * every frame is written. */
    cli_stage *stage = NULL;
    if (out && !bench && !(stage = cli_stage_new(out, "directory", &error))) {
        status = cli_report_error("viz", error);
        g_free(found);
        goto done;
    }
    o.out_dir = stage ? cli_stage_path(stage) : out;
    gboolean ok;
    if (bench) {
        o.frames = frames;
        ok = viz_bench_run(&o, stdout, &error);
    } else if (headless || out || svg || pdf) {
        ok = viz_headless_run(&o, &error);
    } else {
        ok = viz_window_run(&o, &error);
    }
    if (!ok) cli_stage_fix_error(stage, error);
    if (ok && stage) ok = cli_stage_commit(stage, &error);
    cli_stage_free(stage);
    g_free(found);
    if (!ok) status = cli_report_error("viz", error);
done:
    g_free(scenario); g_free(scene); g_free(size); g_free(screenshot); g_free(script);
    g_free(out); g_free(svg); g_free(pdf); g_free(quiz_topic);
    g_strfreev(sets);
    return status;
}
