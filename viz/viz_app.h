/* viz_app: the visualizer as a program: a world, its four scenes, the
 * chrome around them (tabs, clock, speed, help overlay, tooltips) and the
 * keys every scene shares. viz_app_* works without a display (headless
 * frames, SVG/PDF export, the frame-time benchmark, tests); viz_window_run
 * (viz/viz_window.c) puts it in an SDL window. */
#ifndef VIZ_APP_H
#define VIZ_APP_H

#include <stdint.h>
#include <stdio.h>
#include <cairo.h>
#include <glib.h>
#include "viz/viz_scene.h"

typedef struct viz_options {
    const char *scenario;        /* path; borrowed */
    const char *const *sets;     /* NULL-terminated "k=v"; may be NULL; borrowed */
    uint64_t seed;               /* VIZ_SEED_SCENARIO: the scenario's "seed" */
    const char *scene;           /* name of the first scene; NULL = fanout */
    double speed;                /* initial speed; <= 0: the scene's own */
    double scale;                /* zoom of the whole picture (projector mode), 0.5..4 */
    int width, height;           /* window or frame size in logical pixels */
    gboolean fullscreen;
    double quit_after;           /* wall seconds; <= 0: run until quit */
    const char *screenshot;      /* PNG written just before quitting; may be NULL */
    const char *script;          /* "T=ACTION;..." timed input (docs/visualizer.md) */
    gboolean print_state;        /* print viz_app_print_state on stdout at exit (tests) */
    /* The quiz scene's questions: the first N (0: all) of those whose
     * topic or id contains quiz_topic (NULL: any); borrowed. */
    int quiz_first;
    const char *quiz_topic;
    /* Headless. */
    int frames;                  /* frames to render */
    double fps;                  /* wall dt per frame = 1/fps */
    const char *out_dir;         /* PNG frames here when set */
    const char *svg, *pdf;       /* last frame as vector art when set */
} viz_options;

void viz_options_init(viz_options *o);

typedef struct viz_app viz_app;

/* The smallest canvas (logical px) the scenes lay out: a smaller window or
 * frame zooms the picture out to fit instead of cramping it. */
#define VIZ_MIN_CANVAS_W 960.0
#define VIZ_MIN_CANVAS_H 540.0
/* ...and the largest: a bigger one zooms the picture in (3840x2160: x2). */
#define VIZ_MAX_CANVAS_W 1920.0
#define VIZ_MAX_CANVAS_H 1080.0

/* Builds the world and every scene. NULL with `error` (bad scenario, bad
 * scene name, bad script). Caller owns; free with viz_app_free. */
viz_app *viz_app_new(const viz_options *o, GError **error);
void viz_app_free(viz_app *a);                            /* NULL is a no-op */

viz_world *viz_app_world(viz_app *a);                      /* borrowed */
/* The scene object of scene `index` (0-based), e.g. the viz_fanout. */
void *viz_app_scene_state(viz_app *a, int index);
int  viz_app_scene(const viz_app *a);
void viz_app_set_scene(viz_app *a, int index);

/* The frame's style (its min_size is the text floor) and the zoom from
 * logical canvas to window points: a text of size s is drawn at
 * viz_text_px(style, s) x zoom points. Borrowed. */
const viz_style *viz_app_style(const viz_app *a);
double viz_app_zoom(const viz_app *a);

/* The canvas size in logical pixels (window points). */
void viz_app_resize(viz_app *a, double w, double h);
/* One frame's update: script actions due, world advance, scene updates. */
void viz_app_tick(viz_app *a, double wall_dt);
/* Draws the whole frame (chrome, scene, overlays) on `cr`, whose user
 * space must be the logical canvas. */
void viz_app_draw(viz_app *a, cairo_t *cr);

/* Input. Keys as in viz_scene.h plus: ' ' pause, '+'/'-' speed, 'r' reset,
 * 's' screenshot, 'f' fullscreen, 'h' help, 'l' large text, 'q'/27 quit,
 * '1'..'4' scenes. */
void viz_app_key(viz_app *a, int key);
void viz_app_click(viz_app *a, double x, double y);
void viz_app_motion(viz_app *a, double x, double y);

/* Requests the window layer polls and clears. */
gboolean viz_app_quit_requested(const viz_app *a);
gboolean viz_app_take_fullscreen_toggle(viz_app *a);
/* Path of a screenshot the user asked for (S), or NULL. Caller frees. */
char *viz_app_take_screenshot_request(viz_app *a);
/* A short message shown for a few seconds ("saved shot.png"). */
void viz_app_toast(viz_app *a, const char *msg);

/* One line of key=value facts for tests: scene, paused, speed, posts,
 * ws_pushes, push_queued, online, help, frames, warmup_s (simulated s run
 * off screen by warm-ups), scenario (its name), quiz (questions in the quiz
 * scene's session, 0 until loaded). */
void viz_app_print_state(const viz_app *a, FILE *out);

/* The state dump's keys that show a model figure, each with the metric
 * registry field it equals at the same simulated time (`t_s`): the
 * fan-out scene's alternatives strip (published, lost, duplicated,
 * dedup_drops, requests) and the pipeline scene's PostgreSQL card (latency
 * p50/p99, dropped, completed). tests/test_viz_counters.c checks each
 * against slack_model_summary taken at that moment. Static table. */
typedef struct viz_state_counter {
    const char *key;             /* --print-state key */
    const char *field;           /* summary.json path (models/slack_metrics.c) */
} viz_state_counter;
const viz_state_counter *viz_state_counters(size_t *n);

/* Draws the current frame into `path` (.png/.svg/.pdf, atomic). */
gboolean viz_app_write(viz_app *a, const char *path, GError **error);

/* Headless: renders o->frames frames, PNGs into o->out_dir, the last one
 * as o->svg / o->pdf. No SDL is initialised. */
gboolean viz_headless_run(const viz_options *o, GError **error);
/* The frame-time benchmark: the fan-out scene at 500 members during posts,
 * headless at o->width x o->height; prints key=value lines on `out`. */
gboolean viz_bench_run(const viz_options *o, FILE *out, GError **error);

/* The SDL window (viz/viz_window.c). FALSE with `error` if SDL cannot
 * start or the app cannot be built. */
gboolean viz_window_run(const viz_options *o, GError **error);

#endif
