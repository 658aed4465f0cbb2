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
    /* The alternatives and faults (viz_world_alt); a rebuilt model clears them. */
    gboolean alt_active;       /* B, T or C used, or a gateway seen dead */
    int crashed;               /* partition crashed last by C, -1 none */
    sim_time crash_end;        /* when it comes back */
    int partition0;            /* channel 0's partition from the probe; -2 not probed yet */
    uint64_t *gw_prev;         /* connections per gateway at the last sample */
    uint32_t ngw;
    uint64_t connects;         /* positive changes of gateway connections since build */
    double win_wall;           /* the sample window's start: wall s, ... */
    sim_time win_t;            /* ... simulated time, ... */
    uint64_t win_connects;     /* ... connects ... */
    double win_requests;       /* ... and HTTP requests */
    double requests;           /* HTTP requests at the last window's end */
    double requests_per_s, connects_per_s;   /* NAN until a window closed */
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

/* ---- The alternatives and faults ---- */

static void alt_clear(viz_world *w)
{
    w->alt_active = FALSE;
    w->crashed = -1;
    w->crash_end = 0;
    w->partition0 = -2;
    w->ngw = slack_model_gateways(w->model);
    g_free(w->gw_prev);
    w->gw_prev = g_new0(uint64_t, MAX(w->ngw, 1));
    for (uint32_t g = 0; g < w->ngw; g++) w->gw_prev[g] = slack_model_gateway_connections(w->model, g);
    w->connects = 0;
    w->win_wall = w->wall;
    w->win_t = w->now;
    w->win_connects = 0;
    w->win_requests = 0;
    w->requests = 0;
    w->requests_per_s = w->connects_per_s = NAN;
}

double viz_world_http_requests(const viz_world *w)
{
    /* The model counts requests but exposes the count only in its summary
     * (delivery.requests); building the summary costs a fraction of a ms
     * at 500 members, so it is read once per sample window, not per frame. */
    if (!strcmp(slack_model_transport(w->model), "websocket")) return 0;
    cJSON *sum = slack_model_summary(w->model, &(slack_run_info){ 0 });
    const cJSON *r = cJSON_GetObjectItem(cJSON_GetObjectItem(sum, "delivery"), "requests");
    double v = cJSON_IsNumber(r) ? r->valuedouble : 0;
    cJSON_Delete(sum);
    return v;
}

/* Once per frame after the clock moved: gateway connections opened (a
 * reconnect storm is their rate), and once per wall second the rates. */
static void alt_sample(viz_world *w)
{
    for (uint32_t g = 0; g < w->ngw; g++) {
        uint64_t c = slack_model_gateway_connections(w->model, g);
        if (c > w->gw_prev[g]) w->connects += c - w->gw_prev[g];
        w->gw_prev[g] = c;
        if (!slack_model_gateway_alive(w->model, g)) w->alt_active = TRUE;
    }
    if (w->wall - w->win_wall < 1.0) return;
    double dt = sim_time_to_sec(w->now - w->win_t);
    w->requests = viz_world_http_requests(w);
    if (dt > 0) {
        w->connects_per_s = (double)(w->connects - w->win_connects) / dt;
        w->requests_per_s = fmax(0, w->requests - w->win_requests) / dt;
    }
    w->win_wall = w->wall;
    w->win_t = w->now;
    w->win_connects = w->connects;
    w->win_requests = w->requests;
}

void viz_world_alt(const viz_world *w, viz_alt *out)
{
    const slack_model *m = w->model;
    *out = (viz_alt){ .queue = slack_model_queue(m), .transport = slack_model_transport(m), .crashed = w->crashed,
                      .requests = w->requests, .requests_per_s = w->requests_per_s, .http_column = NAN,
                      .connects = w->connects, .connects_per_s = w->connects_per_s,
                      .gateways = slack_model_gateways(m), .active = w->alt_active };
    slack_model_queue_counts(m, &out->q);
    if (w->crashed >= 0) {
        out->down = slack_model_consumer_down(m, (uint32_t)w->crashed);
        out->down_left_s = out->down ? fmax(0, sim_time_to_sec(w->crash_end - w->now)) : 0;
        out->held = slack_model_partition_lag_now(m, (uint32_t)w->crashed);
    }
    for (uint32_t g = 0; g < out->gateways; g++) {
        out->alive += slack_model_gateway_alive(m, g);
        out->connections += slack_model_gateway_connections(m, g);
    }
    const sim_series *ts = slack_model_timeseries(m);
    int col = ts ? sim_series_find(ts, "http_requests_per_s") : -1;
    if (col >= 0 && sim_series_rows(ts) > 0) out->http_column = sim_series_value(ts, sim_series_rows(ts) - 1, (size_t)col);
}

gboolean viz_world_set_queue(viz_world *w, const char *name)
{
    if (!slack_model_set_queue(w->model, name)) return FALSE;
    w->alt_active = TRUE;
    return TRUE;
}

gboolean viz_world_set_transport(viz_world *w, const char *name)
{
    if (!slack_model_set_transport(w->model, name)) return FALSE;
    w->alt_active = TRUE;
    /* A fresh window, so the rate shown is the new transport's. */
    w->requests = w->win_requests = viz_world_http_requests(w);
    w->win_wall = w->wall;
    w->win_t = w->now;
    w->requests_per_s = NAN;
    return TRUE;
}

const char *viz_world_next_transport(const viz_world *w)
{
    static const char *const order[] = { "websocket", "short_polling", "long_polling", "sse" };
    const char *now = slack_model_transport(w->model);
    for (size_t i = 0; i < G_N_ELEMENTS(order); i++)
        if (!strcmp(now, order[i])) return order[(i + 1) % G_N_ELEMENTS(order)];
    return order[0];
}

void viz_world_crash_consumer(viz_world *w, uint32_t p, double seconds)
{
    g_return_if_fail(p < slack_model_partitions(w->model));
    slack_model_crash_consumer(w->model, p, seconds);
    sim_time end = w->now + sim_time_from_sec(seconds);
    w->crash_end = (int)p == w->crashed ? MAX(w->crash_end, end) : end;
    w->crashed = (int)p;
    w->alt_active = TRUE;
}

/* The model hashes a channel to its partition (kafka_partition_of) but
 * does not export it. It is found here on a private copy of the model, by
 * what the model does: with pub/sub and the consumers of the partitions
 * whose bit b is set crashed, a post in the channel is lost iff its
 * partition has bit b. log2(P) posts, no arrivals (rate factor 0); a lost
 * post never fans out, so even a 100k-member channel probes quickly. */
#define PROBE_DOWN_S 0.5
static int probe_partition(const viz_world *w, uint32_t channel)
{
    slack_model *m = slack_model_new(w->sc, w->seed, NULL);
    if (!m) return -1;
    uint32_t P = slack_model_partitions(m), n = slack_model_channel_size(m, channel), sender = UINT32_MAX;
    for (uint32_t i = 0; i < n && sender == UINT32_MAX; i++)
        if (slack_model_is_online(m, slack_model_channel_member(m, channel, i))) sender = slack_model_channel_member(m, channel, i);
    int p = -1;
    if (P == 1) p = 0;
    else if (sender != UINT32_MAX && slack_model_set_queue(m, "redis_pubsub")) {
        slack_model_set_rate_factor(m, 0);
        p = 0;
        sim_time t = 0;
        for (uint32_t bit = 1; bit < P; bit <<= 1) {
            for (uint32_t q = 0; q < P; q++)
                if (q & bit) slack_model_crash_consumer(m, q, PROBE_DOWN_S);
            slack_queue_counts before, after;
            slack_model_queue_counts(m, &before);
            slack_model_post(m, channel, sender);
            slack_model_run_until(m, t += sim_time_from_sec(PROBE_DOWN_S * 0.8));
            slack_model_queue_counts(m, &after);
            if (after.lost > before.lost) p |= (int)bit;
            else if (after.published == before.published) { p = -1; break; }   /* never reached the queue */
            slack_model_run_until(m, t += sim_time_from_sec(PROBE_DOWN_S));   /* consumers back */
        }
        if (p >= (int)P) p = -1;
    }
    slack_model_free(m);
    return p;
}

int viz_world_channel_partition(viz_world *w, uint32_t channel)
{
    if (channel != 0) return probe_partition(w, channel);
    if (w->partition0 == -2) w->partition0 = probe_partition(w, 0);
    return w->partition0;
}

int viz_world_known_partition(const viz_world *w) { return w->partition0 >= 0 ? w->partition0 : -1; }

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
    alt_clear(w);
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
    g_free(w->gw_prev);
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
    alt_sample(w);
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
    alt_sample(w);
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
