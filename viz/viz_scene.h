/* viz_scene: the simulation the visualizer drives (viz_world) and the scenes
 * that show it (fan-out, pipeline, dashboard, quiz).
 *
 * A frame is: input -> viz_world_advance(wall dt x speed) -> each scene's
 * update -> the current scene's draw. Scenes keep their own state between
 * frames; drawing takes that state const and a cairo_t, so the same draw
 * fills a window texture, a PNG, an SVG or a PDF. Nothing here includes
 * SDL: the window lives in viz_app.c, and the tests drive scenes directly. */
#ifndef VIZ_SCENE_H
#define VIZ_SCENE_H

#include <stdint.h>
#include <cairo.h>
#include <glib.h>
#include "models/slack_model.h"
#include "viz/viz_draw.h"

/* ---- The world: one model run, its clock and its speed ---- */

typedef struct viz_world viz_world;

/* As a seed: use the scenario's "seed" key. */
#define VIZ_SEED_SCENARIO UINT64_MAX

/* Shortest run the visualizer gives a scenario (simulated seconds). */
#define VIZ_MIN_DURATION_S 3600.0

/* Loads `scenario` (a path) with `sets` (NULL-terminated "k=v", may be
 * NULL; copied) and builds the model with `seed` (or VIZ_SEED_SCENARIO). A relative scenario path
 * that does not exist is also tried next to the binary's ../ (so the
 * visualizer works from any directory). Unless `sets` sets duration_s,
 * a shorter run is extended to VIZ_MIN_DURATION_S. NULL with `error`.
 * Caller owns; free with viz_world_free. */
viz_world *viz_world_new(const char *scenario, const char *const *sets, uint64_t seed, GError **error);
void viz_world_free(viz_world *w);                      /* NULL is a no-op */
/* Rebuilds the model from the same scenario and seed (R key). The
 * observer set with viz_world_set_observer is installed again. */
gboolean viz_world_reset(viz_world *w, GError **error);

slack_model *viz_world_model(viz_world *w);             /* borrowed until reset/free */
const slack_model *viz_world_model_const(const viz_world *w);
const char *viz_world_scenario_name(const viz_world *w);
const sim_scenario *viz_world_scenario(const viz_world *w);   /* borrowed */
uint64_t viz_world_seed(const viz_world *w);

/* The observer is forwarded to the model and survives resets; `user`
 * borrowed until replaced. NULL removes. */
void viz_world_set_observer(viz_world *w, const slack_observer *obs, void *user);

sim_time viz_world_now(const viz_world *w);
sim_time viz_world_duration(const viz_world *w);
gboolean viz_world_ended(const viz_world *w);           /* clock reached the run length */
/* Wall seconds the visualizer has run (sum of the dt given to _advance),
 * for effects that fade in wall time whatever the speed. */
double   viz_world_wall(const viz_world *w);

/* Advances wall time by `wall_dt` seconds and, unless paused, simulated
 * time by wall_dt x speed (never past the run length). */
void     viz_world_advance(viz_world *w, double wall_dt);
/* The Right key: runs the events due at the next pending event's time and
 * moves the clock there. FALSE if none is left before the run length. */
gboolean viz_world_step(viz_world *w);

/* Before frame 0: runs up to `sec` simulated seconds in VIZ_WARMUP_STEP_S
 * steps, stopping early once the model made `max_deliveries` deliveries
 * (a 100k-member channel makes millions a second; the budget keeps the
 * warm-up short and, counting events rather than CPU time, deterministic).
 * Returns the seconds run; they add to viz_world_warmup until a reset. */
#define VIZ_WARMUP_STEP_S 1.0
#define VIZ_WARMUP_DELIVERIES 2000000
double   viz_world_warm_up(viz_world *w, double sec, uint64_t max_deliveries);
double   viz_world_warmup(const viz_world *w);       /* simulated s run off screen (warm-ups) */
/* Replaces the scenario (a quiz's Show me): a new model of `scenario` with
 * `sets` at the scenario's seed, t = 0; speed, pause, wall clock and the
 * observer are kept. On error `w` is unchanged. Scenes must be reset. */
gboolean viz_world_load(viz_world *w, const char *scenario, const char *const *sets, GError **error);
const char *viz_world_scenario_path(const viz_world *w);  /* as resolved; borrowed */

/* The event log: the last VIZ_LOG_SIZE stage events of every message in
 * the model (SENT .. DONE, and VIZ_EVENT_ID when the id is assigned),
 * newest first; cleared by a reset. The world observes the model itself
 * and forwards every callback to the observer set above. */
#define VIZ_LOG_SIZE 64
#define VIZ_EVENT_ID 100            /* a viz_event.stage beyond slack_stage: id assigned */
typedef struct viz_event {
    sim_time t;
    uint64_t msg;
    uint32_t channel;
    int stage;                      /* slack_stage, or VIZ_EVENT_ID */
    int64_t id_us;                  /* VIZ_EVENT_ID: the "seconds.sequence" id; else -1 */
} viz_event;
guint viz_world_log_count(const viz_world *w);
const viz_event *viz_world_log_at(const viz_world *w, guint i);   /* 0 = newest; NULL past the end */
uint64_t viz_world_log_total(const viz_world *w);                 /* events since the model was built */

gboolean viz_world_paused(const viz_world *w);
void     viz_world_set_paused(viz_world *w, gboolean paused);
double   viz_world_speed(const viz_world *w);           /* simulated s per wall s */
/* Clamped to [VIZ_SPEED_MIN, VIZ_SPEED_MAX]. */
void     viz_world_set_speed(viz_world *w, double speed);
/* One step up or down the 1-2-5 ladder (+ and - keys). */
void     viz_world_speed_step(viz_world *w, int dir);
/* The issue asks for 0.1x..1000x; slower speeds are kept for the fan-out,
 * whose whole life is a few milliseconds and would flash by at 0.1x. */
#define VIZ_SPEED_MIN 0.0001
#define VIZ_SPEED_MAX 1000.0

/* ---- The seed's alternatives and faults, live (B, T, C; the fan-out's K) ----
 * The world switches the model's fan-out queue and delivery transport,
 * crashes a fan-out consumer, and keeps what the model has no accessor
 * for: the rates, sampled once per wall second from the model's counters. */

#define VIZ_CRASH_WALL_S 6.0   /* C: the consumer is down this many wall s at the speed of the press */

typedef struct viz_alt {
    const char *queue;             /* slack_model_queue: "kafka" / "redis_pubsub" */
    const char *transport;         /* slack_model_transport */
    slack_queue_counts q;          /* slack_model_queue_counts */
    int crashed;                   /* partition C crashed last, -1: none yet */
    gboolean down;                 /* slack_model_consumer_down(crashed) */
    double down_left_s;            /* simulated s until it is back (from the crash's end time) */
    uint64_t held;                 /* its lag now: held in the log while down (Kafka) */
    double requests;               /* HTTP requests so far (summary delivery.requests), sampled */
    double requests_per_s;         /* over the last sample window, per simulated s; NAN: none yet */
    double http_column;            /* newest row's http_requests_per_s; NAN: no such column/row */
    uint64_t connects;             /* gateway connections opened since the model was built */
    double connects_per_s;         /* over the last sample window; NAN: none yet */
    uint32_t gateways, alive;      /* gateways, live ones */
    uint64_t connections;          /* WebSocket connections on every gateway now */
    gboolean active;               /* a key was used or a gateway died: worth a strip on screen */
} viz_alt;

void viz_world_alt(const viz_world *w, viz_alt *out);
/* slack_model_set_queue / _set_transport; FALSE for an unknown name. */
gboolean viz_world_set_queue(viz_world *w, const char *name);
gboolean viz_world_set_transport(viz_world *w, const char *name);
/* The next transport after the current one: websocket -> short_polling ->
 * long_polling -> sse -> websocket. Static string. */
const char *viz_world_next_transport(const viz_world *w);
/* The Kafka partition carrying `channel`'s messages, found once per model
 * on a private copy (the model does not say: see the function). -1 if the
 * probe could not tell. */
int viz_world_channel_partition(viz_world *w, uint32_t channel);
/* Channel 0's partition if already probed, else -1 (never probes). */
int viz_world_known_partition(const viz_world *w);
/* slack_model_crash_consumer(p, seconds), remembered for the strip. */
void viz_world_crash_consumer(viz_world *w, uint32_t p, double seconds);
/* HTTP requests so far, read from the summary now (not sampled). */
double viz_world_http_requests(const viz_world *w);

/* ---- What a scene sees of the frame ---- */

/* Something a click can open an inspector on (viz/viz_inspect.h). */
typedef enum {
    VIZ_INSPECT_NONE,
    VIZ_INSPECT_STATION,     /* index: a slack_station_id */
    VIZ_INSPECT_GATEWAY,     /* index: gateway number */
    VIZ_INSPECT_PARTITION,   /* index: Kafka partition */
    VIZ_INSPECT_REDIS,       /* index: Redis shard */
} viz_inspect_kind;

typedef struct viz_inspect_target {
    viz_inspect_kind kind;
    uint32_t index;
} viz_inspect_target;

typedef struct viz_frame {
    double x, y, w, h;       /* the scene's area in logical pixels */
    double canvas_w, canvas_h;
    viz_style style;
    double mouse_x, mouse_y; /* logical pixels; negative when outside */
    int switch_to;           /* out: a scene asks to show scene N (-1: none) */
    gboolean shown;          /* this scene is the one on screen */
    char toast[160];         /* out: a message to show for a few seconds ("" none) */
    /* The scene table (borrowed), so a scene can link to another by name
     * (the quiz's Show me) without calling the app or the table's file. */
    const struct viz_scene_ops *const *scenes;
    int nscenes;
    /* out: with switch_to, a scenario path to load into the world first
     * (the quiz's Show me); borrowed until the handler returns. */
    const char *load_scenario;
    viz_inspect_target inspect;  /* out: open an inspector on this (kind NONE: none) */
} viz_frame;

/* Keys reach scenes as ASCII (lower case letters, digits, '+', '-', ...)
 * or one of these. */
enum { VIZ_KEY_UP = 0x100, VIZ_KEY_DOWN, VIZ_KEY_LEFT, VIZ_KEY_RIGHT, VIZ_KEY_ENTER };

/* A key a scene understands, for the help overlay. */
typedef struct viz_key_help {
    const char *key;
    const char *what;
} viz_key_help;

typedef struct viz_scene_ops {
    const char *name;        /* "fanout": --scene and quiz demo links */
    const char *title;       /* "Fan-out": the tab */
    void *(*init)(viz_world *w);
    void  (*unload)(void *s);
    /* The world was rebuilt (R): drop everything tied to the old model. */
    void  (*reset)(void *s, viz_world *w);
    /* Called every frame after the world advanced, shown or not. */
    void  (*update)(void *s, viz_world *w, viz_frame *f);
    void  (*draw)(const void *s, const viz_world *w, const viz_frame *f, cairo_t *cr);
    /* TRUE if handled. */
    gboolean (*key)(void *s, viz_world *w, viz_frame *f, int key);
    gboolean (*click)(void *s, viz_world *w, viz_frame *f, double x, double y);
    /* Tooltip for the point (x, y), or NULL. Caller frees with g_free. */
    char *(*hover)(const void *s, const viz_world *w, const viz_frame *f, double x, double y);
    const viz_key_help *keys;  /* NULL-terminated */
    double speed;              /* the speed this scene is best watched at */
    /* Optional: the speed to watch this world at (the fan-out measures a
     * probe post); <= 0 or NULL: `speed`. Called when a world is built. */
    double (*pick_speed)(void *s, viz_world *w);
    /* Optional: simulated seconds the world should have run when this
     * scene is shown (before frame 0, or when switched to while running),
     * so its first frame shows data (charts need history). */
    double warmup_s;
    /* Optional: get ready before frame 0 when this is the first scene,
     * after the warm-up (the quiz loads its bank instead of showing
     * "Preparing"; the pipeline picks a load worth watching). May set
     * f->toast. */
    void (*prepare)(void *s, viz_world *w, viz_frame *f);
} viz_scene_ops;

extern const viz_scene_ops viz_scene_fanout;
extern const viz_scene_ops viz_scene_pipeline;
extern const viz_scene_ops viz_scene_dashboard;
extern const viz_scene_ops viz_scene_quiz;
/* The timeseries.csv columns the dashboard's charts read (each once, in
 * chart order); up to `max` into `out`, returns how many there are. */
size_t viz_dashboard_columns(const char **out, size_t max);

/* The scene table (viz/viz_scenes.c): the scenes in key order (1..4) and
 * lookup by name ("1".."4" too); NULL-safe. */
#define VIZ_NSCENES 4
const viz_scene_ops *const *viz_scene_table(void);      /* VIZ_NSCENES entries */
const viz_scene_ops *viz_scene_at(int index);
int viz_scene_count(void);
int viz_scene_find(const char *name);                   /* -1 if unknown */

/* Index of the scene called `name` (case-insensitive) in `table[0..n)`,
 * -1 if none or NULL. Inline so scenes holding a viz_frame's table need
 * not link the table's file. */
static inline int viz_scene_table_find(const viz_scene_ops *const *table, int n, const char *name)
{
    if (!name || !table) return -1;
    for (int i = 0; i < n; i++)
        if (!g_ascii_strcasecmp(name, table[i]->name)) return i;
    return -1;
}

/* ---- The fan-out scene's logic, for tests and scripted demos ---- */

typedef struct viz_fanout viz_fanout;

typedef struct viz_fanout_counts {
    uint32_t members;        /* channel members */
    uint32_t online;         /* members online now */
    uint32_t offline;
    uint64_t ws_pushes;      /* WebSocket pushes of the latest post */
    uint64_t push_queued;    /* push notifications queued for the latest post */
    uint64_t ws_total, push_total;  /* over every post since reset */
    gboolean done;           /* the latest post reached its last online member */
    double   fanout_ms;      /* simulated send -> last WS push of the latest post; NAN until done */
    uint64_t posts;
} viz_fanout_counts;

void     viz_fanout_get_counts(const viz_fanout *s, viz_fanout_counts *out);
/* "Post in #general" from the next online member; returns the message id. */
uint64_t viz_fanout_post(viz_fanout *s, viz_world *w);
/* Member i (0-based, channel order) toggled online/offline. */
void     viz_fanout_toggle_member(viz_fanout *s, viz_world *w, uint32_t i);
/* Sets the share of members online (0..1), members chosen in a fixed
 * scattered order so the picture stays mixed. */
void     viz_fanout_set_online_share(viz_fanout *s, viz_world *w, double share);
/* Kills or restores gateway g. */
void     viz_fanout_set_gateway(viz_fanout *s, viz_world *w, uint32_t g, gboolean alive);
/* Members (online) whose gateway is g now. */
uint32_t viz_fanout_gateway_members(const viz_fanout *s, uint32_t g);
uint32_t viz_fanout_member_user(const viz_fanout *s, uint32_t i);
/* The channel the scene shows (#general). */
uint32_t viz_fanout_channel(const viz_fanout *s);
/* Layout of the last update, for tests: gateway g's block (g = -1: the
 * offline block) as x, y, w, h; FALSE if there is no such block. */
gboolean viz_fanout_block_rect(const viz_fanout *s, int g, double r[4]);
/* TRUE when members are drawn as aggregates (too many for dots). */
gboolean viz_fanout_aggregate(const viz_fanout *s);
/* Send -> last push of the probe post the speed was picked from, in
 * simulated seconds (0 until picked, or when it reached nobody). */
double viz_fanout_probe_wave(const viz_fanout *s);

/* ---- The quiz scene's progress, for tests ---- */

typedef struct viz_quiz_status {
    gboolean loaded;         /* the bank is loaded and evaluated */
    const char *error;       /* why it could not be, or NULL; borrowed */
    guint question;          /* 0-based index shown */
    guint count;             /* questions in the session */
    gboolean answered;       /* the shown question has an answer */
    guint score;
    gboolean finished;       /* the score screen is shown */
    const char *demo_scene;  /* scene the shown question links ("fanout"), or NULL; borrowed */
    const char *demo_path;   /* scenario the shown question links, or NULL; borrowed */
} viz_quiz_status;

/* `scene` is the quiz scene's state (viz_app_scene_state(a, 3)). */
void viz_quiz_get_status(const void *scene, viz_quiz_status *out);
/* Asks only the first `first` (0: all) of the bank's questions whose topic
 * or id contains `topic` (case-insensitive; NULL: any), in bank order.
 * Loads (not yet evaluates) the bank now so that a topic matching nothing
 * is a usage error listing the topics. */
gboolean viz_quiz_configure(void *scene, guint first, const char *topic, GError **error);

#endif
