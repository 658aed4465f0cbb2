/* viz_world: the model run behind the visualizer, with a clock that follows
 * wall time times a speed factor.
 *
 * Invariant: the model's clock equals `now`, and now <= duration; the
 * model's observer is always the world's own, which logs stage events and
 * forwards every call to the scene's observer; wall time
 * moves only through viz_world_advance, so the same sequence of dt values
 * (headless frames, tests) gives the same simulation, byte for byte. */
#include "viz/viz_scene.h"

#include <math.h>
#include <string.h>
#include "sim/sim_error.h"

struct viz_world {
    char *scenario_path;       /* as resolved */
    char **sets;               /* NULL-terminated, owned */
    uint64_t seed;
    sim_scenario *sc;          /* loaded once; reset rebuilds the model from it */
    slack_model *model;
    sim_time now;
    double wall;               /* wall seconds advanced */
    double speed;
    gboolean paused;
    slack_observer obs;        /* installed again on reset */
    void *obs_user;
    gboolean has_obs;
    sim_time warmup;           /* simulated time run off screen by warm-ups (0: none); reset clears */
    /* The event log: the last VIZ_LOG_SIZE stage events of every message,
     * recorded by the world's own observer, which forwards to `obs`. */
    viz_event log[VIZ_LOG_SIZE];
    guint log_head;            /* next slot to write */
    uint64_t log_total;        /* events recorded since the model was built */
};

/* ---- The world's observer: log, then forward to the scene's ---- */

static void log_push(viz_world *w, sim_time t, uint64_t msg, uint32_t channel, int stage, int64_t id_us)
{
    w->log[w->log_head] = (viz_event){ t, msg, channel, stage, id_us };
    w->log_head = (w->log_head + 1) % VIZ_LOG_SIZE;
    w->log_total++;
}

static void fwd_stage(void *user, uint64_t msg, uint32_t channel, slack_stage stage, sim_time t)
{
    viz_world *w = user;
    log_push(w, t, msg, channel, (int)stage, -1);
    if (w->has_obs && w->obs.stage) w->obs.stage(w->obs_user, msg, channel, stage, t);
}

static void fwd_delivered(void *user, uint64_t msg, uint32_t member, uint32_t gateway, sim_time t)
{
    viz_world *w = user;
    if (w->has_obs && w->obs.delivered) w->obs.delivered(w->obs_user, msg, member, gateway, t);
}

static void fwd_push(void *user, uint64_t msg, uint32_t member, sim_time t)
{
    viz_world *w = user;
    if (w->has_obs && w->obs.push_queued) w->obs.push_queued(w->obs_user, msg, member, t);
}

static void fwd_persisted(void *user, uint64_t msg, uint32_t channel, int64_t id_us, int64_t thread_us, sim_time t)
{
    viz_world *w = user;
    log_push(w, t, msg, channel, VIZ_EVENT_ID, id_us);
    if (w->has_obs && w->obs.persisted) w->obs.persisted(w->obs_user, msg, channel, id_us, thread_us, t);
}

static const slack_observer world_observer = { fwd_stage, fwd_delivered, fwd_push, fwd_persisted };

guint viz_world_log_count(const viz_world *w)
{
    return (guint)MIN(w->log_total, (uint64_t)VIZ_LOG_SIZE);
}

const viz_event *viz_world_log_at(const viz_world *w, guint i)
{
    if (i >= viz_world_log_count(w)) return NULL;
    return &w->log[(w->log_head + VIZ_LOG_SIZE - 1 - i) % VIZ_LOG_SIZE];
}

uint64_t viz_world_log_total(const viz_world *w) { return w->log_total; }

/* A relative path that does not exist from the working directory is tried
 * beside the binary (bin/../scenarios/x.json). Caller frees. */
static char *resolve_path(const char *path)
{
    if (g_path_is_absolute(path) || g_file_test(path, G_FILE_TEST_EXISTS)) return g_strdup(path);
    char *exe = g_file_read_link("/proc/self/exe", NULL);
    if (!exe) return g_strdup(path);
    char *dir = g_path_get_dirname(exe);
    char *alt = g_build_filename(dir, "..", path, NULL);
    g_free(dir);
    g_free(exe);
    if (g_file_test(alt, G_FILE_TEST_EXISTS)) return alt;
    g_free(alt);
    return g_strdup(path);
}

/* A lecture outlasts most scenarios (general_channel runs 60 s): unless
 * --set duration_s says otherwise, the visualizer runs at least an hour of
 * simulated time. The workload is unchanged; only the end moves. */
static gboolean extend_duration(sim_scenario *sc, GError **error)
{
    double d = 0;
    if (!sim_scenario_double(sc, "duration_s", 0, INFINITY, &d, NULL)) return TRUE;
    if (d >= VIZ_MIN_DURATION_S) return TRUE;
    char *set = g_strdup_printf("duration_s=%g", VIZ_MIN_DURATION_S);
    gboolean ok = sim_scenario_set(sc, set, error);
    g_free(set);
    return ok;
}

static gboolean build_model(viz_world *w, GError **error)
{
    slack_model *m = slack_model_new(w->sc, w->seed, error);
    if (!m) return FALSE;
    slack_model_free(w->model);
    w->model = m;
    w->now = 0;
    w->warmup = 0;
    w->log_head = 0;
    w->log_total = 0;
    slack_model_set_observer(m, &world_observer, w);
    return TRUE;
}

viz_world *viz_world_new(const char *scenario, const char *const *sets, uint64_t seed, GError **error)
{
    g_return_val_if_fail(scenario != NULL, NULL);
    viz_world *w = g_new0(viz_world, 1);
    w->scenario_path = resolve_path(scenario);
    w->sets = g_strdupv((char **)sets);
    w->seed = seed;
    w->speed = 1.0;
    w->sc = slack_model_load_scenario(w->scenario_path, sets, error);
    gboolean ok = w->sc != NULL;
    gboolean duration_set = FALSE;
    for (size_t i = 0; w->sets && w->sets[i]; i++) duration_set |= g_str_has_prefix(w->sets[i], "duration_s=");
    if (ok && seed == VIZ_SEED_SCENARIO) w->seed = slack_model_scenario_seed(w->sc);
    if (ok && !duration_set) ok = extend_duration(w->sc, error);
    if (ok) ok = build_model(w, error);
    if (!ok) {
        viz_world_free(w);
        return NULL;
    }
    return w;
}

void viz_world_free(viz_world *w)
{
    if (!w) return;
    slack_model_free(w->model);
    sim_scenario_free(w->sc);
    g_strfreev(w->sets);
    g_free(w->scenario_path);
    g_free(w);
}

gboolean viz_world_reset(viz_world *w, GError **error)
{
    return build_model(w, error);
}

slack_model *viz_world_model(viz_world *w) { return w->model; }
const slack_model *viz_world_model_const(const viz_world *w) { return w->model; }
const char *viz_world_scenario_name(const viz_world *w) { return sim_scenario_name(w->sc); }
uint64_t viz_world_seed(const viz_world *w) { return w->seed; }
const sim_scenario *viz_world_scenario(const viz_world *w) { return w->sc; }

void viz_world_set_observer(viz_world *w, const slack_observer *obs, void *user)
{
    w->has_obs = obs != NULL;
    if (obs) w->obs = *obs;
    w->obs_user = user;
}

sim_time viz_world_now(const viz_world *w) { return w->now; }
sim_time viz_world_duration(const viz_world *w) { return slack_model_duration(w->model); }
gboolean viz_world_ended(const viz_world *w) { return w->now >= slack_model_duration(w->model); }
double viz_world_wall(const viz_world *w) { return w->wall; }

void viz_world_advance(viz_world *w, double wall_dt)
{
    if (!(wall_dt > 0)) return;
    w->wall += wall_dt;
    if (w->paused) return;
    sim_time end = slack_model_duration(w->model);
    /* Rounded once per frame to whole ns: the clock itself stays integer. */
    double dt_ns = wall_dt * w->speed * 1e9;
    sim_time target = dt_ns >= (double)(end - w->now) ? end : w->now + (sim_time)llround(dt_ns);
    if (target <= w->now) return;
    slack_model_run_until(w->model, target);
    w->now = target;
}

double viz_world_warm_up(viz_world *w, double sec, uint64_t max_deliveries)
{
    sim_time end = MIN(slack_model_duration(w->model), w->now + sim_time_from_sec(fmax(0, sec)));
    sim_time step = sim_time_from_sec(VIZ_WARMUP_STEP_S), start = w->now;
    uint64_t d0 = slack_model_deliveries(w->model);
    while (w->now < end && slack_model_deliveries(w->model) - d0 < max_deliveries) {
        sim_time target = MIN(end, w->now + step);
        slack_model_run_until(w->model, target);
        w->now = target;
    }
    w->warmup += w->now - start;
    return sim_time_to_sec(w->now - start);
}

double viz_world_warmup(const viz_world *w) { return sim_time_to_sec(w->warmup); }

gboolean viz_world_load(viz_world *w, const char *scenario, const char *const *sets, GError **error)
{
    viz_world *n = viz_world_new(scenario, sets, VIZ_SEED_SCENARIO, error);
    if (!n) return FALSE;
    /* Swap the contents so pointers to `w` held by the scenes stay valid;
     * the observer moves to the new model. */
    viz_world old = *w;
    *w = *n;
    w->wall = old.wall;
    w->speed = old.speed;
    w->paused = old.paused;
    w->obs = old.obs;
    w->obs_user = old.obs_user;
    w->has_obs = old.has_obs;
    slack_model_set_observer(w->model, &world_observer, w);   /* user was `n` */
    *n = old;
    viz_world_free(n);
    return TRUE;
}

const char *viz_world_scenario_path(const viz_world *w) { return w->scenario_path; }

gboolean viz_world_step(viz_world *w)
{
    sim_ctx *ctx = slack_model_ctx(w->model);
    sim_time next = sim_next_time(ctx);
    sim_time end = slack_model_duration(w->model);
    if (next > end) return FALSE;
    /* run_until(next) runs every event at `next`; stepping by the instant
     * keeps the model's own bookkeeping (it may hook run_until). */
    slack_model_run_until(w->model, next);
    w->now = next;
    return TRUE;
}

gboolean viz_world_paused(const viz_world *w) { return w->paused; }
void viz_world_set_paused(viz_world *w, gboolean paused) { w->paused = paused; }
double viz_world_speed(const viz_world *w) { return w->speed; }

void viz_world_set_speed(viz_world *w, double speed)
{
    if (!(speed > 0)) speed = VIZ_SPEED_MIN;
    w->speed = fmin(VIZ_SPEED_MAX, fmax(VIZ_SPEED_MIN, speed));
}

void viz_world_speed_step(viz_world *w, int dir)
{
    /* The 1-2-5 ladder: find the current rung (speeds set by hand may sit
     * between rungs) and move one rung. */
    double e = floor(log10(w->speed) + 1e-9);
    double base = pow(10, e), f = w->speed / base;
    double rung = f < 1.5 ? 1 : f < 3.5 ? 2 : 5;
    double next;
    if (dir > 0) next = rung == 1 ? 2 * base : rung == 2 ? 5 * base : 10 * base;
    else next = rung == 1 ? 0.5 * base : rung == 2 ? base : 2 * base;
    viz_world_set_speed(w, next);
}
