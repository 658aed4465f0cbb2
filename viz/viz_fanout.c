/* viz_fanout: scene 1, the seed's Channel Fan-Out Visualizer driven by the
 * model. "Post in #general" calls slack_model_post; the model's observer
 * callbacks say when the message passed each stage, when each online member
 * got its WebSocket push and when each offline member's notification was
 * queued, and the picture shows exactly that at the current simulated time.
 *
 * Invariant: every number on screen is read from the model or counted from
 * its observer callbacks for the latest post; wall time only fades
 * highlights (so they stay visible whatever the speed). */
#include "viz/viz_scene.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define NODES 6          /* sender, gateway, message service, PostgreSQL, Kafka, fan-out */
#define STAGES 6         /* slack_stage values */
#define FLASH_S 0.6      /* wall seconds a highlight takes to fade */
/* Below this dot pitch (logical px) members are no longer told apart: the
 * scene draws each gateway as an aggregate and the offline panel as a
 * gauge. 500 members on 4 gateways draw at 22 px; 100k on 20 at ~3 px. */
#define DOT_MIN_PITCH 7.0
#define AGG_BINS 24      /* histogram bins of a gateway's push times */

typedef struct rect { double x, y, w, h; } rect;

typedef struct fo_member {
    uint32_t user;
    gboolean online;
    uint32_t gateway;      /* current gateway when online */
    sim_time ws_at;        /* WS push of the latest post; -1 none */
    sim_time push_at;      /* notification queued for the latest post; -1 none */
    double flash;          /* wall time of its latest event */
    double x, y;           /* layout: dot centre */
} fo_member;

struct viz_fanout {
    viz_world *world;               /* borrowed for the scene's life */
    uint32_t channel;
    fo_member *mem;
    uint32_t n;
    uint32_t *by_user;              /* user id -> member index + 1 (0: not in the channel) */
    uint32_t nusers;                /* entries of by_user: the model's users */
    uint32_t online_now;            /* members online at the last refresh */
    uint32_t *order;                /* scattered order for the online share */
    uint32_t ngw;
    uint32_t *gw_count;             /* online channel members per gateway */
    double *gw_flash;               /* wall time of the last push through it */
    uint32_t *killed;               /* stack of killed gateways (U restores) */
    uint32_t nkilled;
    /* The latest post. */
    gboolean has_post, posting;
    uint64_t msg;
    uint32_t sender;                /* member index */
    uint32_t sender_gw;
    sim_time stage_t[STAGES];       /* -1 until reached */
    int64_t id_us;                  /* "seconds.sequence" id as us; -1 until persisted */
    double stage_wall[STAGES];
    uint64_t ws, push, ws_total, push_total, posts;
    sim_time last_ws, first_ws;     /* latest post's last and first WS push; -1 none */
    double push_flash;
    GHashTable *my_msgs;            /* ids of every post since reset */
    uint32_t next_sender;
    /* Layout, recomputed each update for the frame's size. */
    rect node[NODES], *gw_rect, push_rect, button, counters;
    double pitch;
    gboolean aggregate;             /* too many members for dots: bars, histograms, a gauge */
    uint32_t *gw_ws;                /* WS pushes of the latest post per gateway */
    uint32_t *gw_hist;              /* ngw x AGG_BINS: the latest post's push times per gateway */
    uint32_t gw_hist_max;           /* tallest bin, for a shared scale */
    sim_time push_first, push_last; /* first/last notification queued for the latest post; -1 none */
    uint64_t push_sent0;            /* push provider's completed count when the latest post was sent */
    double probe_wave_s;            /* send -> last push of a probe post, simulated s (pick_speed) */
    int fate;                       /* latest post at PUBLISHED: FATE_* (its consumer down or not) */
    int fate_partition;             /* the partition that was down */
};

/* What the queue did with the latest post, read from the model when it
 * was published (slack_model_queue, slack_model_consumer_down). */
enum { FATE_NORMAL, FATE_LOST, FATE_HELD };

static const char *fmt_int(char *buf, size_t n, uint64_t v);

static const char *const node_names[NODES] = {
    "Sender", "Gateway (WebSocket)", "Message service", "PostgreSQL", "Kafka partition", "Fan-out service",
};

/* ---- Observer: the model tells us what happened, with times ---- */

static gboolean mine(viz_fanout *s, uint64_t msg)
{
    if (s->posting) { s->msg = msg; s->has_post = TRUE; }
    return s->has_post && msg == s->msg;
}

static void on_stage(void *user, uint64_t msg, uint32_t channel, slack_stage stage, sim_time t)
{
    viz_fanout *s = user;
    (void)channel;
    if (!mine(s, msg) || stage >= STAGES) return;
    if (stage == SLACK_STAGE_PUBLISHED) {
        const slack_model *m = viz_world_model_const(s->world);
        int p = viz_world_known_partition(s->world);
        s->fate = FATE_NORMAL;
        if (p >= 0 && slack_model_consumer_down(m, (uint32_t)p)) {
            s->fate = strcmp(slack_model_queue(m), "kafka") ? FATE_LOST : FATE_HELD;
            s->fate_partition = p;
        }
    }
    s->stage_t[stage] = t;
    s->stage_wall[stage] = viz_world_wall(s->world);
}

static void on_persisted(void *user, uint64_t msg, uint32_t channel, int64_t id_us, int64_t thread_us, sim_time t)
{
    viz_fanout *s = user;
    (void)channel; (void)thread_us; (void)t;
    if (mine(s, msg)) s->id_us = id_us;
}

static fo_member *member_of(viz_fanout *s, uint32_t user)
{
    /* An array, not a hash: a 100k-member post makes 90k lookups in one
     * frame. */
    uint32_t v = user < s->nusers ? s->by_user[user] : 0;
    return v ? &s->mem[v - 1] : NULL;
}

static void on_delivered(void *user, uint64_t msg, uint32_t member, uint32_t gateway, sim_time t)
{
    viz_fanout *s = user;
    gboolean latest = mine(s, msg);
    if (!latest && !g_hash_table_contains(s->my_msgs, &msg)) return;
    s->ws_total++;
    if (!latest) return;
    s->ws++;
    s->last_ws = MAX(s->last_ws, t);
    if (s->first_ws < 0 || t < s->first_ws) s->first_ws = t;
    fo_member *mb = member_of(s, member);
    if (mb) { mb->ws_at = t; mb->flash = viz_world_wall(s->world); }
    if (gateway < s->ngw) { s->gw_flash[gateway] = viz_world_wall(s->world); s->gw_ws[gateway]++; }
}

static void on_push(void *user, uint64_t msg, uint32_t member, sim_time t)
{
    viz_fanout *s = user;
    gboolean latest = mine(s, msg);
    if (!latest && !g_hash_table_contains(s->my_msgs, &msg)) return;
    s->push_total++;
    if (!latest) return;
    s->push++;
    if (s->push_first < 0) s->push_first = t;
    s->push_last = MAX(s->push_last, t);
    fo_member *mb = member_of(s, member);
    if (mb) { mb->push_at = t; mb->flash = viz_world_wall(s->world); }
    s->push_flash = viz_world_wall(s->world);
}

static const slack_observer observer = { on_stage, on_delivered, on_push, on_persisted };

/* ---- State from the model ---- */

static void clear_post(viz_fanout *s)
{
    s->has_post = FALSE;
    s->ws = s->push = 0;
    s->last_ws = s->first_ws = -1;
    s->id_us = -1;
    s->push_first = s->push_last = -1;
    if (s->gw_ws) memset(s->gw_ws, 0, s->ngw * sizeof *s->gw_ws);
    for (int i = 0; i < STAGES; i++) { s->stage_t[i] = -1; s->stage_wall[i] = -1e9; }
    s->fate = FATE_NORMAL;
    for (uint32_t i = 0; i < s->n; i++) { s->mem[i].ws_at = s->mem[i].push_at = -1; }
}

/* Re-reads who is online and where; cheap enough for every frame. */
static void refresh(viz_fanout *s)
{
    const slack_model *m = viz_world_model_const(s->world);
    memset(s->gw_count, 0, s->ngw * sizeof *s->gw_count);
    s->online_now = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        fo_member *mb = &s->mem[i];
        mb->online = slack_model_is_online(m, mb->user);
        s->online_now += mb->online;
        mb->gateway = slack_model_user_gateway(m, mb->user);
        if (mb->online && mb->gateway < s->ngw) s->gw_count[mb->gateway]++;
    }
}

/* A fixed scattered order of members (multiplicative hash of the index),
 * so "70% online" leaves a mixed picture rather than a block. */
static int order_cmp(gconstpointer a, gconstpointer b)
{
    guint32 ha = *(const guint32 *)a * 2654435761u, hb = *(const guint32 *)b * 2654435761u;
    return ha < hb ? -1 : ha > hb;
}

static void free_members(viz_fanout *s)
{
    g_free(s->mem); s->mem = NULL;
    g_free(s->order); s->order = NULL;
    g_free(s->gw_count); s->gw_count = NULL;
    g_free(s->gw_flash); s->gw_flash = NULL;
    g_free(s->gw_rect); s->gw_rect = NULL;
    g_free(s->killed); s->killed = NULL;
    g_free(s->gw_ws); s->gw_ws = NULL;
    g_free(s->gw_hist); s->gw_hist = NULL;
    g_free(s->by_user); s->by_user = NULL;
    s->nusers = 0;
    if (s->my_msgs) g_hash_table_remove_all(s->my_msgs);
}

static void load_members(viz_fanout *s)
{
    const slack_model *m = viz_world_model_const(s->world);
    s->channel = 0;   /* #general is channel 0 in every scenario (docs/visualizer.md) */
    s->n = slack_model_channel_size(m, s->channel);
    s->mem = g_new0(fo_member, MAX(s->n, 1));
    s->nusers = slack_model_users(m);
    s->by_user = g_new0(uint32_t, MAX(s->nusers, 1));
    s->order = g_new0(uint32_t, MAX(s->n, 1));
    for (uint32_t i = 0; i < s->n; i++) {
        s->mem[i].user = slack_model_channel_member(m, s->channel, i);
        s->mem[i].flash = -1e9;
        s->order[i] = i;
        if (s->mem[i].user < s->nusers) s->by_user[s->mem[i].user] = i + 1;
    }
    qsort(s->order, s->n, sizeof *s->order, (int (*)(const void *, const void *))order_cmp);
    s->ngw = slack_model_gateways(m);
    s->gw_count = g_new0(uint32_t, MAX(s->ngw, 1));
    s->gw_flash = g_new0(double, MAX(s->ngw, 1));
    for (uint32_t g = 0; g < s->ngw; g++) s->gw_flash[g] = -1e9;
    s->gw_rect = g_new0(rect, MAX(s->ngw, 1));
    s->killed = g_new0(uint32_t, MAX(s->ngw, 1));
    s->gw_ws = g_new0(uint32_t, MAX(s->ngw, 1));
    s->gw_hist = g_new0(uint32_t, MAX(s->ngw, 1) * AGG_BINS);
    s->nkilled = 0;
    s->ws_total = s->push_total = s->posts = 0;
    s->next_sender = 0;
    s->push_flash = -1e9;
    clear_post(s);
    refresh(s);
}

static void *fanout_init(viz_world *w)
{
    viz_fanout *s = g_new0(viz_fanout, 1);
    s->world = w;
    s->my_msgs = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    load_members(s);
    viz_world_set_observer(w, &observer, s);
    return s;
}

static void fanout_unload(void *p)
{
    viz_fanout *s = p;
    if (!s) return;
    viz_world_set_observer(s->world, NULL, NULL);
    free_members(s);
    g_hash_table_destroy(s->my_msgs);
    g_free(s);
}

static void fanout_reset(void *p, viz_world *w)
{
    viz_fanout *s = p;
    s->world = w;
    free_members(s);
    load_members(s);
}

/* ---- The pace: how long one post's wave lasts in simulated time ---- */

typedef struct probe {
    gboolean posting, done;
    uint64_t msg;
    sim_time sent, first_ws, last_ws;
} probe;

static gboolean probe_mine(probe *p, uint64_t msg)
{
    if (p->posting) p->msg = msg;
    return p->posting || msg == p->msg;
}

static void probe_stage(void *user, uint64_t msg, uint32_t channel, slack_stage stage, sim_time t)
{
    probe *p = user;
    (void)channel;
    if (!probe_mine(p, msg)) return;
    if (stage == SLACK_STAGE_SENT) p->sent = t;
    if (stage == SLACK_STAGE_DONE) p->done = TRUE;
}

static void probe_delivered(void *user, uint64_t msg, uint32_t member, uint32_t gateway, sim_time t)
{
    probe *p = user;
    (void)member; (void)gateway;
    if (!probe_mine(p, msg)) return;
    if (p->first_ws < 0) p->first_ws = t;
    p->last_ws = MAX(p->last_ws, t);
}

static const slack_observer probe_observer = { probe_stage, probe_delivered, NULL, NULL };

/* Posts once into channel 0 of a fresh copy of the world's model (same
 * scenario, same seed) and reports the simulated time from the send to the
 * last WebSocket push, in seconds; <= 0 if the post reaches nobody within
 * VIZ_PROBE_MAX_S. The world itself is not touched. */
#define VIZ_PROBE_MAX_S 30.0
static double probe_wave(const viz_world *w)
{
    slack_model *m = slack_model_new(viz_world_scenario(w), viz_world_seed(w), NULL);
    if (!m) return 0;
    uint32_t n = slack_model_channel_size(m, 0), sender = UINT32_MAX;
    for (uint32_t i = 0; i < n && sender == UINT32_MAX; i++) {
        uint32_t u = slack_model_channel_member(m, 0, i);
        if (slack_model_is_online(m, u)) sender = u;
    }
    double wave = 0;
    if (sender != UINT32_MAX) {
        probe p = { .sent = -1, .first_ws = -1, .last_ws = -1 };
        slack_model_set_observer(m, &probe_observer, &p);
        p.posting = TRUE;
        p.msg = slack_model_post(m, 0, sender);
        p.posting = FALSE;
        /* Steps that grow with the wait: a few ms for a small channel's
         * post, up to seconds for a big one, without running a whole hour. */
        sim_time step = sim_time_from_sec(0.001), end = sim_time_from_sec(VIZ_PROBE_MAX_S);
        for (sim_time t = step; !p.done && t <= end; t += step, step += step / 4)
            slack_model_run_until(m, t);
        if (p.done && p.last_ws >= 0 && p.sent >= 0) wave = sim_time_to_sec(p.last_ws - p.sent);
        slack_model_set_observer(m, NULL, NULL);
    }
    slack_model_free(m);
    return wave;
}

/* Wall seconds one post should take on screen: long enough for a class to
 * follow the token and the wave, short enough to post again soon. */
#define VIZ_WAVE_WALL_S 2.5

static double fanout_pick_speed(void *p, viz_world *w)
{
    viz_fanout *s = p;
    double wave = probe_wave(w);
    s->probe_wave_s = wave;
    if (!(wave > 0)) return 0;
    /* Two significant digits, so the top bar reads 0.0012x, not 0.00118x. */
    double sp = wave / VIZ_WAVE_WALL_S, mag = pow(10, floor(log10(sp)) - 1);
    return round(sp / mag) * mag;
}

/* ---- The logic API (tests drive it directly) ---- */

void viz_fanout_get_counts(const viz_fanout *s, viz_fanout_counts *out)
{
    memset(out, 0, sizeof *out);
    out->members = s->n;
    out->online = s->online_now;
    out->offline = s->n - out->online;
    out->ws_pushes = s->ws;
    out->push_queued = s->push;
    out->ws_total = s->ws_total;
    out->push_total = s->push_total;
    out->posts = s->posts;
    out->done = s->has_post && s->stage_t[SLACK_STAGE_DONE] >= 0;
    out->fanout_ms = NAN;
    if (out->done && s->stage_t[SLACK_STAGE_SENT] >= 0) {
        sim_time last = s->last_ws >= 0 ? s->last_ws : s->stage_t[SLACK_STAGE_DONE];
        out->fanout_ms = sim_time_to_ms(last - s->stage_t[SLACK_STAGE_SENT]);
    }
}

uint64_t viz_fanout_post(viz_fanout *s, viz_world *w)
{
    if (s->n == 0) return 0;
    refresh(s);
    /* The sender: the next online member in channel order (any member if
     * nobody is online: a phone can post and go offline). */
    uint32_t pick = s->next_sender % s->n;
    for (uint32_t k = 0; k < s->n; k++) {
        uint32_t i = (s->next_sender + k) % s->n;
        if (s->mem[i].online) { pick = i; break; }
    }
    s->next_sender = pick + 1;
    clear_post(s);
    s->sender = pick;
    s->sender_gw = s->mem[pick].gateway;
    slack_stage_info pinfo;
    slack_model_stage_info(viz_world_model_const(w), SLACK_STATION_PUSH, &pinfo);
    s->push_sent0 = pinfo.completed;
    s->posting = TRUE;   /* callbacks during the call belong to this post */
    uint64_t id = slack_model_post(viz_world_model(w), s->channel, s->mem[pick].user);
    s->posting = FALSE;
    s->msg = id;
    s->has_post = TRUE;
    s->posts++;
    uint64_t *key = g_new(uint64_t, 1);
    *key = id;
    g_hash_table_add(s->my_msgs, key);
    return id;
}

void viz_fanout_toggle_member(viz_fanout *s, viz_world *w, uint32_t i)
{
    g_return_if_fail(i < s->n);
    slack_model *m = viz_world_model(w);
    slack_model_set_online(m, s->mem[i].user, !slack_model_is_online(m, s->mem[i].user));
    s->mem[i].flash = viz_world_wall(w);
    refresh(s);
}

void viz_fanout_set_online_share(viz_fanout *s, viz_world *w, double share)
{
    share = fmin(1, fmax(0, share));
    uint32_t k = (uint32_t)llround(share * s->n);
    slack_model *m = viz_world_model(w);
    for (uint32_t r = 0; r < s->n; r++) {
        fo_member *mb = &s->mem[s->order[r]];
        gboolean want = r < k;
        if (slack_model_is_online(m, mb->user) != want) slack_model_set_online(m, mb->user, want);
    }
    refresh(s);
}

/* The scenario's reconnect window in seconds (clients' jitter). */
static double reconnect_window(const viz_world *w)
{
    double v = 0;
    if (!sim_scenario_double(viz_world_scenario(w), "gateways.reconnect_window_s", 0, INFINITY, &v, NULL)) return 0;
    return v;
}

static void gateway_toast(const viz_fanout *s, const viz_world *w, uint32_t g, gboolean alive, viz_frame *f)
{
    if (!f) return;
    if (alive) snprintf(f->toast, sizeof f->toast, "gw-%u restored: new connections may land on it", g);
    else snprintf(f->toast, sizeof f->toast,
                  "gw-%u killed: its clients reconnect to the others over %g simulated s (+ speeds it up)",
                  g, reconnect_window(w));
    (void)s;
}

void viz_fanout_set_gateway(viz_fanout *s, viz_world *w, uint32_t g, gboolean alive)
{
    g_return_if_fail(g < s->ngw);
    slack_model *m = viz_world_model(w);
    if (slack_model_gateway_alive(m, g) == alive) return;
    slack_model_set_gateway_alive(m, g, alive);
    if (!alive) s->killed[s->nkilled++] = g;
    else {
        for (uint32_t k = 0; k < s->nkilled; k++)
            if (s->killed[k] == g) { memmove(&s->killed[k], &s->killed[k + 1], (s->nkilled - k - 1) * sizeof *s->killed); s->nkilled--; break; }
    }
    refresh(s);
}

uint32_t viz_fanout_gateway_members(const viz_fanout *s, uint32_t g)
{
    return g < s->ngw ? s->gw_count[g] : 0;
}

uint32_t viz_fanout_member_user(const viz_fanout *s, uint32_t i)
{
    return i < s->n ? s->mem[i].user : 0;
}

uint32_t viz_fanout_channel(const viz_fanout *s) { return s->channel; }

gboolean viz_fanout_block_rect(const viz_fanout *s, int g, double r[4])
{
    if (g >= (int)s->ngw || g < -1) return FALSE;
    const rect *b = g < 0 ? &s->push_rect : &s->gw_rect[g];
    r[0] = b->x; r[1] = b->y; r[2] = b->w; r[3] = b->h;
    return TRUE;
}

gboolean viz_fanout_aggregate(const viz_fanout *s) { return s->aggregate; }
double viz_fanout_probe_wave(const viz_fanout *s) { return s->probe_wave_s; }

/* ---- Layout ---- */

#define GW_MIN_W 165.0   /* narrowest gateway block (logical px) */

/* Largest dot pitch at which `count` dots fit in a w x h box. */
static double fit_pitch(double w, double h, uint32_t count)
{
    if (count == 0) return 1e9;
    for (double p = 22; p > 3; p -= 0.5) {
        double cols = floor(w / p), rows = floor(h / p);
        if (cols * rows >= count) return p;
    }
    return 3;
}

static void place_dots(viz_fanout *s, const rect *r, double header, gboolean want_online, uint32_t gw)
{
    double p = s->pitch;
    int cols = MAX(1, (int)floor((r->w - 12) / p));
    double x0 = r->x + (r->w - cols * p) / 2 + p / 2, y0 = r->y + header + p / 2;
    int k = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        fo_member *mb = &s->mem[i];
        if (mb->online != want_online || (want_online && mb->gateway != gw)) continue;
        mb->x = x0 + (k % cols) * p;
        mb->y = y0 + (k / cols) * p;
        k++;
    }
}

/* Gateway blocks in a grid over the push block, in the column at rx of
 * width rw from my down mh; the push block ph high. */
static void place_blocks(viz_fanout *s, double rx, double rw, double my, double mh, double ph)
{
    double gh = mh - ph - 12;
    uint32_t g = MAX(1, s->ngw);
    /* Columns at least GW_MIN_W wide, so "gw-13 · 4,500" fits one line. */
    uint32_t cols = (uint32_t)MAX(1.0, floor(rw / GW_MIN_W));
    cols = MIN(cols, g);
    uint32_t rows = (g + cols - 1) / cols;
    cols = (g + rows - 1) / rows;   /* balance the rows */
    double cw = rw / cols, chh = gh / rows;
    for (uint32_t i = 0; i < s->ngw; i++)
        s->gw_rect[i] = (rect){ rx + (i % cols) * cw + 4, my + (i / cols) * chh + 4, cw - 8, chh - 8 };
    s->push_rect = (rect){ rx + 4, my + gh + 12, rw - 8, ph - 4 };
}

static void layout(viz_fanout *s, const viz_frame *f)
{
    double ts = f->style.text_scale;
    double x = f->x + 12, y = f->y + 8, w = f->w - 24, h = f->h - 12;
    double top = fmax(96, h * 0.17) * fmin(1.4, ts);
    double bw = fmin(260, w * 0.2);
    s->counters = (rect){ x, y, w - bw - 16, top };
    s->button = (rect){ x + w - bw, y + top * 0.18, bw, top * 0.64 };
    double my = y + top + 14, mh = h - top - 14 - 26 * ts;   /* legend strip below */
    double lw = fmin(320, w * 0.25) * fmin(1.25, ts);
    double nh = mh / NODES, gap = fmin(16, nh * 0.22);
    for (int i = 0; i < NODES; i++)
        s->node[i] = (rect){ x, my + i * nh + 2, lw, nh - gap };
    /* Right: gateway blocks in a grid, push block below. */
    double rx = x + lw + 70, rw = x + w - rx;
    place_blocks(s, rx, rw, my, mh, mh * 0.30);
    /* One dot pitch for every block so a dot means the same everywhere. */
    double header = 30 * ts;
    uint32_t maxg = 1, offline = s->n - s->online_now;
    for (uint32_t i = 0; i < s->ngw; i++) maxg = MAX(maxg, s->gw_count[i]);
    double pg = s->ngw ? fit_pitch(s->gw_rect[0].w - 12, s->gw_rect[0].h - header - 4, maxg) : 1e9;
    double pp = fit_pitch(s->push_rect.w - 12, s->push_rect.h - header - 4, MAX(offline, 1));
    s->pitch = fmin(fmin(pg, pp), 22);
    s->aggregate = s->pitch < DOT_MIN_PITCH;
    if (s->aggregate) {
        /* A gauge needs less height than dots: the gateways get it. */
        place_blocks(s, rx, rw, my, mh, fmin(mh * 0.30, 110 * ts));
        return;
    }
    for (uint32_t i = 0; i < s->ngw; i++) place_dots(s, &s->gw_rect[i], header, TRUE, i);
    place_dots(s, &s->push_rect, header, FALSE, 0);
}

/* Aggregate mode: the latest post's WebSocket push times per gateway, in
 * AGG_BINS bins from its first push to its latest so far (one scale for
 * every gateway, so a slow gateway's bars sit further right). */
static void histogram(viz_fanout *s)
{
    memset(s->gw_hist, 0, MAX(s->ngw, 1) * AGG_BINS * sizeof *s->gw_hist);
    s->gw_hist_max = 0;
    sim_time t0 = s->first_ws;
    if (!s->has_post || t0 < 0) return;
    double span = fmax(1, (double)(s->last_ws - t0));
    for (uint32_t i = 0; i < s->n; i++) {
        const fo_member *mb = &s->mem[i];
        if (mb->ws_at < 0 || mb->gateway >= s->ngw) continue;
        int b = (int)floor((mb->ws_at - t0) / span * AGG_BINS);
        b = b < 0 ? 0 : b >= AGG_BINS ? AGG_BINS - 1 : b;
        uint32_t v = ++s->gw_hist[mb->gateway * AGG_BINS + b];
        s->gw_hist_max = MAX(s->gw_hist_max, v);
    }
}

static void fanout_update(void *p, viz_world *w, viz_frame *f)
{
    viz_fanout *s = p;
    (void)w;
    refresh(s);
    layout(s, f);
    if (s->aggregate) histogram(s);
}

/* ---- Drawing ---- */

static gboolean inside(const rect *r, double x, double y)
{
    return x >= r->x && x <= r->x + r->w && y >= r->y && y <= r->y + r->h;
}

static double fade(double wall_now, double at)
{
    double a = 1 - (wall_now - at) / FLASH_S;
    return a < 0 ? 0 : a > 1 ? 1 : a;
}

/* Which node holds the message now: the stage reached last decides. */
static int token_node(const viz_fanout *s)
{
    if (!s->has_post) return -1;
    if (s->stage_t[SLACK_STAGE_DONE] >= 0) return -1;
    if (s->stage_t[SLACK_STAGE_CONSUMED] >= 0) return 5;
    if (s->stage_t[SLACK_STAGE_PERSISTED] >= 0) return 4;   /* publishing, then waiting in the partition */
    if (s->stage_t[SLACK_STAGE_GATEWAY] >= 0) return 3;     /* message service writing to PostgreSQL */
    if (s->stage_t[SLACK_STAGE_SENT] >= 0) return 1;
    return 0;
}

/* The stage whose time a node shows ("done at +x ms"). */
static const slack_stage node_stage[NODES] = {
    SLACK_STAGE_SENT, SLACK_STAGE_GATEWAY, SLACK_STAGE_GATEWAY, SLACK_STAGE_PERSISTED,
    SLACK_STAGE_PUBLISHED, SLACK_STAGE_CONSUMED,
};

static const char *const node_verb[NODES] = {
    "sent", "forwarded", "received", "committed", "appended", "consumed",
};

static void draw_counters(const viz_fanout *s, const viz_frame *f, cairo_t *cr)
{
    viz_fanout_counts c;
    viz_fanout_get_counts(s, &c);
    const rect *r = &s->counters;
    double cw = (r->w - 3 * 12) / 4;
    char v[4][32], note[4][64];
    fmt_int(v[0], sizeof v[0], c.online);
    char mem[32];
    snprintf(note[0], sizeof note[0], "of %s in #general", fmt_int(mem, sizeof mem, c.members));
    fmt_int(v[1], sizeof v[1], c.offline);
    char pq[32], all[32];
    snprintf(note[1], sizeof note[1], "queued this post: %s", fmt_int(pq, sizeof pq, c.push_queued));
    fmt_int(v[2], sizeof v[2], c.ws_pushes);
    snprintf(note[2], sizeof note[2], "all posts: %s", fmt_int(all, sizeof all, c.ws_total));
    if (isnan(c.fanout_ms)) {
        snprintf(v[3], sizeof v[3], "%s", s->has_post ? "..." : "\u2014");
        snprintf(note[3], sizeof note[3], "%s", s->has_post ? "in flight" : "post to measure");
    } else {
        snprintf(v[3], sizeof v[3], "%.2f", c.fanout_ms);
        snprintf(note[3], sizeof note[3], "simulated, send \u2192 last push");
    }
    static const char *const caps[4] = { "Online members", "Offline / Push queue", "WS pushes", "Fan-out ms" };
    static const viz_color acc[4] = { VIZ_C_GREEN, VIZ_C_ORANGE, VIZ_C_BLUE, VIZ_C_PURPLE };
    for (int i = 0; i < 4; i++) {
        viz_color_set(cr, acc[i], 1.0);
        viz_counter(cr, &f->style, r->x + i * (cw + 12), r->y, cw, r->h, v[i], caps[i], note[i], acc[i]);
    }
}

static void draw_nodes(const viz_fanout *s, const viz_frame *f, cairo_t *cr, double wall)
{
    int tok = token_node(s);
    sim_time t0 = s->stage_t[SLACK_STAGE_SENT];
    for (int i = 0; i < NODES; i++) {
        const rect *r = &s->node[i];
        gboolean active = (i == tok) || (i == 2 && tok == 3);
        viz_panel(cr, r->x, r->y, r->w, r->h, VIZ_C_PANEL, active ? VIZ_C_BLUE : VIZ_C_EDGE);
        if (active) {
            viz_rounded_rect(cr, r->x, r->y, r->w, r->h, 8);
            viz_color_set(cr, VIZ_C_BLUE, 0.10 + 0.08 * sin(wall * 6));
            cairo_fill(cr);
            cairo_set_line_width(cr, 3);
            viz_rounded_rect(cr, r->x, r->y, r->w, r->h, 8);
            viz_color_set(cr, VIZ_C_BLUE, 1);
            cairo_stroke(cr);
        }
        /* Title and, when the box has room for both, a second line. */
        double size = fmin(17, r->h * 0.34), tokw = fmin(11, r->h * 0.22) * 2 + 14;
        viz_color_set(cr, VIZ_C_TEXT, 1.0);
        char label[96];
        if (i == 0 && s->has_post)
            snprintf(label, sizeof label, "Sender: user %u", s->mem[s->sender].user);
        else if (i == 1 && s->has_post)
            snprintf(label, sizeof label, "Gateway gw-%u (%s)", s->sender_gw,
                     strcmp(slack_model_transport(viz_world_model_const(s->world)), "websocket") ? "HTTP" : "WebSocket");
        else if (i == 4 && strcmp(slack_model_queue(viz_world_model_const(s->world)), "kafka"))
            snprintf(label, sizeof label, "Redis pub/sub");   /* the queue in Kafka's place (B) */
        else
            snprintf(label, sizeof label, "%s", node_names[i]);
        double th = viz_text_fit(cr, &f->style, r->x + 12, r->y + 5, size, TRUE, VIZ_ALIGN_LEFT, r->w - 16 - tokw, label);
        /* Second line: when this step finished, in simulated time since send. */
        sim_time t = s->has_post ? s->stage_t[node_stage[i]] : -1;
        char line[96] = "";
        if (i == 2 && s->id_us >= 0) {
            char id[32];
            snprintf(line, sizeof line, "id %s", slack_model_format_id(s->id_us, id, sizeof id));
        }
        else if (t >= 0 && t0 >= 0)
            snprintf(line, sizeof line, "%s +%.3f ms", node_verb[i], sim_time_to_ms(t - t0));
        else if (i == 4)
            snprintf(line, sizeof line, "key = channel_id: in order");
        else if (i == 3)
            snprintf(line, sizeof line, "source of truth");
        gboolean alarm = FALSE;
        if (s->has_post && i == 5 && s->fate == FATE_LOST && s->stage_t[SLACK_STAGE_CONSUMED] < 0) {
            snprintf(line, sizeof line, "LOST (pub/sub): p%d down", s->fate_partition);
            alarm = TRUE;
        } else if (s->has_post && i == 4 && s->fate == FATE_HELD && s->stage_t[SLACK_STAGE_CONSUMED] < 0) {
            snprintf(line, sizeof line, "held in log: p%d down", s->fate_partition);
            alarm = TRUE;
        }
        double lsize = size * 0.82;
        if (*line && 5 + th + lsize * 1.2 * f->style.text_scale <= r->h - 2) {
            viz_color_set(cr, alarm ? VIZ_C_VERMILLION : VIZ_C_MUTED, 1.0);
            viz_text_fit(cr, &f->style, r->x + 12, r->y + 5 + th, lsize, alarm, VIZ_ALIGN_LEFT, r->w - 16 - tokw, line);
        }
        /* The token: the message itself, where the model says it is. */
        if (i == tok) {
            double cx = r->x + r->w - 22, cy = r->y + r->h / 2, rad = fmin(11, r->h * 0.22);
            viz_color_set(cr, VIZ_C_BLUE, 1);
            cairo_arc(cr, cx, cy, rad, 0, 2 * M_PI);
            cairo_fill(cr);
            viz_color_set(cr, VIZ_C_BLUE, 0.35);
            cairo_set_line_width(cr, 3);
            cairo_arc(cr, cx, cy, rad + 4 + 3 * sin(wall * 6), 0, 2 * M_PI);
            cairo_stroke(cr);
        }
        if (i + 1 < NODES) {
            const rect *n = &s->node[i + 1];
            gboolean lit = s->has_post && s->stage_t[node_stage[i + 1]] >= 0;
            viz_color_set(cr, lit ? VIZ_C_BLUE : VIZ_C_EDGE, 1);
            viz_arrow(cr, r->x + r->w / 2, r->y + r->h + 1, n->x + n->w / 2, n->y - 1, lit ? 3 : 2, 9);
            /* A short comet down the arrow when the step completes. */
            double a = s->has_post ? fade(wall, s->stage_wall[node_stage[i + 1]]) : 0;
            if (a > 0 && lit) {
                double k = 1 - a, yy = r->y + r->h + k * (n->y - r->y - r->h);
                viz_color_set(cr, VIZ_C_BLUE, a);
                cairo_arc(cr, r->x + r->w / 2, yy, 6, 0, 2 * M_PI);
                cairo_fill(cr);
            }
        }
    }
}

/* Dots of one colour in one path: 500 members cost a handful of fills. */
static int dot_kind(const fo_member *mb)
{
    return !mb->online ? (mb->push_at >= 0 ? 3 : 2) : (mb->ws_at >= 0 ? 1 : 0);
}

static void fill_dots(const viz_fanout *s, cairo_t *cr, double rad, int kind)
{
    for (uint32_t i = 0; i < s->n; i++) {
        const fo_member *mb = &s->mem[i];
        if (dot_kind(mb) != kind) continue;
        cairo_new_sub_path(cr);
        cairo_arc(cr, mb->x, mb->y, rad, 0, 2 * M_PI);
    }
}

/* Paints one member's look (kind 0 online, 1 delivered, 2 offline ring,
 * 3 push queued) as a circle of radius `rad` centred at (cx, cy). */
static void dot_shape(cairo_t *cr, int kind, double cx, double cy, double rad)
{
    static const viz_color fill[4] = { VIZ_C_GREEN, VIZ_C_BLUE, VIZ_C_MUTED, VIZ_C_ORANGE };
    viz_color_set(cr, fill[kind], 1);
    cairo_arc(cr, cx, cy, kind == 2 ? rad * 0.95 : rad, 0, 2 * M_PI);
    cairo_fill(cr);
    if (kind == 2) {   /* offline: a hollow ring */
        viz_color_set(cr, VIZ_C_PANEL, 1);
        cairo_arc(cr, cx, cy, rad * 0.95 - fmax(1, rad * 0.3), 0, 2 * M_PI);
        cairo_fill(cr);
    }
}

/* Members as vector paths: one path per kind (SVG/PDF stay vector art). */
static void draw_dots_vector(const viz_fanout *s, cairo_t *cr, double rad)
{
    cairo_save(cr);
    cairo_set_tolerance(cr, 0.5);   /* half a pixel: invisible on dots this small */
    viz_color_set(cr, VIZ_C_GREEN, 1);
    fill_dots(s, cr, rad, 0);
    cairo_fill(cr);
    viz_color_set(cr, VIZ_C_BLUE, 1);
    fill_dots(s, cr, rad, 1);
    cairo_fill(cr);
    viz_color_set(cr, VIZ_C_MUTED, 1);
    fill_dots(s, cr, rad * 0.95, 2);
    cairo_fill(cr);
    viz_color_set(cr, VIZ_C_PANEL, 1);
    fill_dots(s, cr, rad * 0.95 - fmax(1, rad * 0.3), 2);
    cairo_fill(cr);
    viz_color_set(cr, VIZ_C_ORANGE, 1);
    fill_dots(s, cr, rad, 3);
    cairo_fill(cr);
    cairo_restore(cr);
}

/* Members on a raster target: each kind is drawn once into a small sprite
 * at device resolution and stamped at pixel-aligned positions. Filling 500
 * circles as paths was half of a frame; stamping is a few percent. */
static void draw_dots(const viz_fanout *s, cairo_t *cr, double rad)
{
    if (cairo_surface_get_type(cairo_get_target(cr)) != CAIRO_SURFACE_TYPE_IMAGE) {
        draw_dots_vector(s, cr, rad);
        return;
    }
    double scale = 1, zero = 0;
    cairo_user_to_device_distance(cr, &scale, &zero);
    if (!(scale > 0)) scale = 1;
    int px = (int)ceil((2 * rad + 2) * scale) + 2;
    double half = px / scale / 2;
    cairo_surface_t *sprite[4];
    for (int k = 0; k < 4; k++) {
        sprite[k] = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, px, px);
        cairo_t *sc = cairo_create(sprite[k]);
        cairo_scale(sc, scale, scale);
        dot_shape(sc, k, half, half, rad);
        cairo_destroy(sc);
        cairo_surface_set_device_scale(sprite[k], scale, scale);
    }
    for (uint32_t i = 0; i < s->n; i++) {
        const fo_member *mb = &s->mem[i];
        double dx = mb->x - half, dy = mb->y - half;
        cairo_user_to_device(cr, &dx, &dy);
        dx = round(dx);
        dy = round(dy);
        cairo_device_to_user(cr, &dx, &dy);
        cairo_set_source_surface(cr, sprite[dot_kind(mb)], dx, dy);
        cairo_rectangle(cr, dx, dy, 2 * half, 2 * half);
        cairo_fill(cr);
    }
    for (int k = 0; k < 4; k++) cairo_surface_destroy(sprite[k]);
}

/* 12,345 with thousands separators. */
static const char *fmt_int(char *buf, size_t n, uint64_t v)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%" G_GUINT64_FORMAT, v);
    size_t len = strlen(raw), o = 0;
    for (size_t i = 0; i < len && o + 2 < n; i++) {
        if (i > 0 && (len - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = raw[i];
    }
    buf[o] = '\0';
    return buf;
}

/* Wrapped text inside box `r` below its header, clipped to the box so a
 * small box never lets text spill over its neighbours. */
static void text_in_box(cairo_t *cr, const viz_style *st, const rect *r, double header, const char *text)
{
    cairo_save(cr);
    cairo_rectangle(cr, r->x, r->y + header, r->w, r->h - header);
    cairo_clip(cr);
    /* With a wrap width, x is the layout's left edge (Pango centres each
     * line inside the width): passing the centre pushed the text half a
     * block to the right, clipped ("its clients re"). */
    viz_text(cr, st, r->x + 6, r->y + header + 4, 13, FALSE, VIZ_ALIGN_CENTER, r->w - 12, text);
    cairo_restore(cr);
}

/* A gateway as an aggregate: how many of its online members the latest
 * post reached (a bar, blue over green, and the count), and when (a
 * histogram of its push times, first push -> latest, shared scale). */
static void draw_gateway_aggregate(const viz_fanout *s, const viz_frame *f, cairo_t *cr, uint32_t g,
                                   const rect *r, double header)
{
    const viz_style *st = &f->style;
    double x = r->x + 8, w = r->w - 16, y = r->y + header + 4, bottom = r->y + r->h - 4;
    if (bottom - y < 8) return;
    cairo_save(cr);
    cairo_rectangle(cr, r->x, r->y + header, r->w, r->h - header);
    cairo_clip(cr);
    uint32_t here = s->gw_count[g], got = MIN(s->gw_ws[g], here);
    double frac = here ? (double)got / here : 0;
    double bh = fmin(14, bottom - y);
    viz_color_set(cr, VIZ_C_GREEN, 1);
    cairo_rectangle(cr, x, y, w, bh);
    cairo_fill(cr);
    viz_color_set(cr, VIZ_C_BLUE, 1);
    cairo_rectangle(cr, x, y, w * frac, bh);
    cairo_fill(cr);
    y += bh + 3;
    char a[32], b[32], line[96];
    (void)b;
    snprintf(line, sizeof line, "%s pushed", fmt_int(a, sizeof a, got));
    double th;
    viz_text_size(cr, st, 13, FALSE, line, NULL, &th);
    if (y + th <= bottom) {
        viz_color_set(cr, VIZ_C_TEXT, 1);
        viz_text_fit(cr, st, x, y, 13, FALSE, VIZ_ALIGN_LEFT, w, line);
        y += th + 2;
    }
    /* Push times: AGG_BINS columns from the send (left) to the latest push. */
    double hh = bottom - y;
    if (hh >= 6 && s->gw_hist_max > 0) {
        double bw = w / AGG_BINS;
        viz_color_set(cr, VIZ_C_BLUE, 0.85);
        for (int k = 0; k < AGG_BINS; k++) {
            uint32_t v = s->gw_hist[g * AGG_BINS + k];
            if (!v) continue;
            double hk = fmax(1, hh * v / s->gw_hist_max);
            cairo_rectangle(cr, x + k * bw + 0.5, bottom - hk, fmax(1, bw - 1), hk);
        }
        cairo_fill(cr);
        viz_color_set(cr, VIZ_C_EDGE, 1);
        cairo_set_line_width(cr, 1);
        cairo_move_to(cr, x, bottom + 0.5);
        cairo_line_to(cr, x + w, bottom + 0.5);
        cairo_stroke(cr);
    }
    cairo_restore(cr);
}

/* The offline members as a queue gauge: notifications queued for the
 * latest post out of the offline members (orange), the part the push
 * provider has sent since (vermillion) and its throughput. */
static void draw_push_gauge(const viz_fanout *s, const viz_frame *f, cairo_t *cr, const rect *r, double header)
{
    const viz_style *st = &f->style;
    viz_fanout_counts c;
    viz_fanout_get_counts(s, &c);
    double x = r->x + 12, w = r->w - 24, y = r->y + header + 8, bottom = r->y + r->h - 6;
    cairo_save(cr);
    cairo_rectangle(cr, r->x, r->y + header, r->w, r->h - header);
    cairo_clip(cr);
    double gh = fmin(28, fmax(6, (bottom - y) * 0.4));
    double frac = c.offline ? fmin(1, (double)c.push_queued / c.offline) : 0;
    viz_color_set(cr, VIZ_C_EDGE, 0.35);
    cairo_rectangle(cr, x, y, w, gh);
    cairo_fill(cr);
    viz_color_set(cr, VIZ_C_ORANGE, 1);
    cairo_rectangle(cr, x, y, w * frac, gh);
    cairo_fill(cr);
    viz_color_set(cr, VIZ_C_MUTED, 1);
    cairo_set_line_width(cr, 1.5);
    cairo_rectangle(cr, x, y, w, gh);
    cairo_stroke(cr);
    /* The provider drains the queue (APNs / FCM rate limits, a token bucket
     * in the model): what it has sent since this post, darker, and its rate.
     * Background posts' notifications share the provider, so "since". */
    slack_stage_info pinfo;
    slack_model_stage_info(viz_world_model_const(s->world), SLACK_STATION_PUSH, &pinfo);
    uint64_t sent = s->has_post && pinfo.completed > s->push_sent0 ? pinfo.completed - s->push_sent0 : 0;
    uint64_t shown = MIN(sent, c.push_queued);
    viz_color_set(cr, VIZ_C_VERMILLION, 1);
    cairo_rectangle(cr, x, y, c.offline ? w * (double)shown / c.offline : 0, gh);
    cairo_fill(cr);
    y += gh + 6;
    char a[32], b[32], d[32], rate[32], line[240];
    sim_time now = viz_world_now(s->world);
    if (sent > 0 && s->push_first >= 0 && now > s->push_first) {
        double per_s = (double)sent / sim_time_to_sec(now - s->push_first);
        snprintf(line, sizeof line, "%s of %s offline queued \u00b7 %s sent by APNs / FCM since (%s/s simulated)",
                 fmt_int(a, sizeof a, c.push_queued), fmt_int(b, sizeof b, c.offline), fmt_int(d, sizeof d, sent),
                 per_s < 1e6 ? fmt_int(rate, sizeof rate, (uint64_t)llround(per_s)) : viz_fmt_count(rate, sizeof rate, per_s));
    } else {
        snprintf(line, sizeof line, "%s of %s offline members queued for APNs / FCM",
                 fmt_int(a, sizeof a, c.push_queued), fmt_int(b, sizeof b, c.offline));
    }
    double th;
    viz_text_size(cr, st, 14, FALSE, line, NULL, &th);
    if (y + th <= bottom) {
        viz_color_set(cr, VIZ_C_TEXT, 1);
        viz_text_fit(cr, st, x, y, 14, FALSE, VIZ_ALIGN_LEFT, w, line);
    }
    cairo_restore(cr);
}

static void draw_members(const viz_fanout *s, const viz_frame *f, cairo_t *cr, double wall)
{
    const slack_model *m = viz_world_model_const(s->world);
    double ts = f->style.text_scale;
    const rect *fo = &s->node[5];
    /* Two arrows out of the fan-out service: to the gateways (WebSocket
     * pushes) and to the push queue; lit while that path carries traffic. */
    gboolean flowing = s->has_post && s->stage_t[SLACK_STAGE_CONSUMED] >= 0 && s->stage_t[SLACK_STAGE_DONE] < 0;
    double gw_top = s->ngw ? s->gw_rect[0].y : s->push_rect.y, gw_bot = s->push_rect.y - 12;
    double x0 = fo->x + fo->w + 4, y0 = fo->y + fo->h * 0.35, y0b = fo->y + fo->h * 0.7;
    double gx = s->ngw ? s->gw_rect[0].x - 4 : s->push_rect.x - 4, gy = (gw_top + gw_bot) / 2;
    viz_color_set(cr, flowing ? VIZ_C_BLUE : VIZ_C_EDGE, 1);
    cairo_set_line_width(cr, flowing ? 4 : 2);
    cairo_move_to(cr, x0, y0);
    cairo_curve_to(cr, x0 + 30, y0, gx - 40, gy, gx - 12, gy);
    cairo_stroke(cr);
    viz_arrow(cr, gx - 13, gy, gx, gy, flowing ? 4 : 2, 11);
    double pa = fade(wall, s->push_flash);
    double py = s->push_rect.y + s->push_rect.h / 2;
    viz_color_set(cr, pa > 0 ? VIZ_C_ORANGE : VIZ_C_EDGE, 1);
    cairo_set_line_width(cr, pa > 0 ? 4 : 2);
    cairo_move_to(cr, x0, y0b);
    cairo_curve_to(cr, x0 + 30, y0b, s->push_rect.x - 40, py, s->push_rect.x - 12, py);
    cairo_stroke(cr);
    viz_arrow(cr, s->push_rect.x - 13, py, s->push_rect.x - 1, py, pa > 0 ? 4 : 2, 11);
    /* Gateway blocks. */
    for (uint32_t g = 0; g < s->ngw; g++) {
        const rect *r = &s->gw_rect[g];
        gboolean alive = slack_model_gateway_alive(m, g);
        viz_panel(cr, r->x, r->y, r->w, r->h, VIZ_C_PANEL, alive ? VIZ_C_SKY : VIZ_C_VERMILLION);
        double ga = fade(wall, s->gw_flash[g]);
        if (alive && ga > 0) viz_color_set(cr, VIZ_C_BLUE, 0.18 + 0.5 * ga);
        else viz_color_set(cr, alive ? VIZ_C_SKY : VIZ_C_VERMILLION, alive ? 0.18 : 0.25);
        viz_rounded_rect(cr, r->x, r->y, r->w, 26 * ts, 8);
        cairo_fill(cr);
        viz_color_set(cr, VIZ_C_TEXT, 1);
        char buf[96], num[32];
        if (alive) snprintf(buf, sizeof buf, s->aggregate ? "gw-%u \u00b7 %s" : "gw-%u \u00b7 %s here", g,
                            fmt_int(num, sizeof num, s->gw_count[g]));
        else snprintf(buf, sizeof buf, "gw-%u DOWN", g);
        /* One line, ellipsized if it must: a wrapped header ran over the dots. */
        viz_text_fit(cr, &f->style, r->x + 8, r->y + 4, 13.5, TRUE, VIZ_ALIGN_LEFT, r->w - 14, buf);
        if (!alive) {
            viz_color_set(cr, VIZ_C_VERMILLION, 1);
            text_in_box(cr, &f->style, r, 26 * ts, "its clients reconnect to the other gateways");
        } else if (s->aggregate) {
            draw_gateway_aggregate(s, f, cr, g, r, 26 * ts);
        }
    }
    /* Push-notification block. */
    const rect *pr = &s->push_rect;
    viz_panel(cr, pr->x, pr->y, pr->w, pr->h, VIZ_C_PANEL, VIZ_C_ORANGE);
    viz_color_set(cr, VIZ_C_ORANGE, 0.22);
    viz_rounded_rect(cr, pr->x, pr->y, pr->w, 26 * ts, 8);
    cairo_fill(cr);
    viz_color_set(cr, VIZ_C_TEXT, 1);
    viz_text(cr, &f->style, pr->x + 8, pr->y + 4, 13.5, TRUE, VIZ_ALIGN_LEFT, pr->w - 12,
             "Offline members \u2192 push-notification queue (APNs / FCM)");
    if (s->aggregate) {
        draw_push_gauge(s, f, cr, pr, 26 * ts);
        return;
    }
    double rad = fmax(1.2, s->pitch * 0.36);
    draw_dots(s, cr, rad);
    /* Fresh events ring outward for a moment: rings are grouped into a few
     * fade levels so a wave of 350 pushes costs a few strokes, not 350. */
    enum { LEVELS = 6 };
    cairo_set_line_width(cr, 2);
    for (int online = 0; online <= 1; online++) {
        for (int lv = 1; lv <= LEVELS; lv++) {
            double a = (double)lv / LEVELS;
            gboolean any = FALSE;
            for (uint32_t i = 0; i < s->n; i++) {
                if (s->mem[i].online != online) continue;
                double f = fade(wall, s->mem[i].flash);
                if (f <= 0 || (int)ceil(f * LEVELS) != lv) continue;
                cairo_new_sub_path(cr);
                cairo_arc(cr, s->mem[i].x, s->mem[i].y, rad + (1 - a) * s->pitch * 0.35 + 1, 0, 2 * M_PI);
                any = TRUE;
            }
            if (!any) continue;
            viz_color_set(cr, online ? VIZ_C_BLUE : VIZ_C_ORANGE, a * 0.8);
            cairo_stroke(cr);
        }
    }
    if (s->has_post && s->sender < s->n) {   /* mark the sender */
        const fo_member *mb = &s->mem[s->sender];
        viz_color_set(cr, VIZ_C_BLACK, 1);
        cairo_set_line_width(cr, 2.5);
        cairo_rectangle(cr, mb->x - rad - 2.5, mb->y - rad - 2.5, 2 * rad + 5, 2 * rad + 5);
        cairo_stroke(cr);
    }
}

static void draw_legend(const viz_fanout *s, const viz_frame *f, cairo_t *cr)
{
    double y = f->y + f->h - 24 * f->style.text_scale, x = s->gw_rect ? s->node[0].x : f->x + 12;
    static const struct { viz_color c; int hollow; const char *t; } items[] = {
        { VIZ_C_GREEN, 0, "online" }, { VIZ_C_BLUE, 0, "WebSocket push delivered" },
        { VIZ_C_MUTED, 1, "offline" }, { VIZ_C_ORANGE, 0, "push notification queued" },
        { VIZ_C_BLACK, 2, "sender" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(items); i++) {
        viz_color_set(cr, items[i].c, 1);
        cairo_set_line_width(cr, 2);
        if (items[i].hollow == 2) { cairo_rectangle(cr, x, y + 3, 12, 12); cairo_stroke(cr); }
        else {
            cairo_arc(cr, x + 6, y + 9, 6, 0, 2 * M_PI);
            if (items[i].hollow) cairo_stroke(cr); else cairo_fill(cr);
        }
        double tw;
        viz_text_size(cr, &f->style, 13, FALSE, items[i].t, &tw, NULL);
        viz_color_set(cr, VIZ_C_TEXT, 1);
        viz_text(cr, &f->style, x + 18, y, 13, FALSE, VIZ_ALIGN_LEFT, 0, items[i].t);
        x += 18 + tw + 22;
    }
    /* The mouse hint only where it fits beside the legend. */
    static const char hint[] = "click a member: online/offline \u00b7 a gateway or stage: inspect";
    double hw;
    viz_text_size(cr, &f->style, 13, FALSE, hint, &hw, NULL);
    if (x + hw < f->x + f->w - 12) {
        viz_color_set(cr, VIZ_C_MUTED, 1);
        viz_text(cr, &f->style, f->x + f->w - 12, y, 13, FALSE, VIZ_ALIGN_RIGHT, 0, hint);
    }
}

static void fanout_draw(const void *p, const viz_world *w, const viz_frame *f, cairo_t *cr)
{
    const viz_fanout *s = p;
    double wall = viz_world_wall(w);
    if (s->n == 0) {
        viz_color_set(cr, VIZ_C_TEXT, 1);
        viz_text(cr, &f->style, f->x + f->w / 2, f->y + f->h / 2, 20, FALSE, VIZ_ALIGN_CENTER, 0,
                 "This scenario's channel 0 has no members: nothing to fan out.");
        return;
    }
    draw_counters(s, f, cr);
    gboolean hot = inside(&s->button, f->mouse_x, f->mouse_y);
    viz_button(cr, &f->style, s->button.x, s->button.y, s->button.w, s->button.h, "Post in #general  (P)",
               VIZ_C_BLUE, hot);
    draw_members(s, f, cr, wall);
    draw_nodes(s, f, cr, wall);
    draw_legend(s, f, cr);
}

/* ---- Input ---- */

static int member_at(const viz_fanout *s, double x, double y)
{
    double r2 = (s->pitch * 0.5) * (s->pitch * 0.5);
    for (uint32_t i = 0; i < s->n; i++) {
        double dx = s->mem[i].x - x, dy = s->mem[i].y - y;
        if (dx * dx + dy * dy <= r2) return (int)i;
    }
    return -1;
}

static int gateway_at(const viz_fanout *s, double x, double y, double header)
{
    for (uint32_t g = 0; g < s->ngw; g++) {
        rect hr = s->gw_rect[g];
        if (header > 0) hr.h = header;
        if (inside(&hr, x, y)) return (int)g;
    }
    return -1;
}

/* The station behind each node (the hover's figures, the inspector). */
static const slack_station_id node_station[NODES] = {
    SLACK_STATION_GATEWAY_IN, SLACK_STATION_GATEWAY_IN, SLACK_STATION_POSTGRES,
    SLACK_STATION_POSTGRES, SLACK_STATION_KAFKA, SLACK_STATION_FANOUT,
};

static gboolean fanout_click(void *p, viz_world *w, viz_frame *f, double x, double y)
{
    viz_fanout *s = p;
    if (inside(&s->button, x, y)) { viz_fanout_post(s, w); return TRUE; }
    int i = member_at(s, x, y);
    if (i >= 0) { viz_fanout_toggle_member(s, w, (uint32_t)i); return TRUE; }
    /* A gateway opens its inspector (which has the kill/restore button);
     * a stage its station's. */
    int g = gateway_at(s, x, y, 0);
    if (g >= 0) {
        f->inspect = (viz_inspect_target){ VIZ_INSPECT_GATEWAY, (uint32_t)g };
        return TRUE;
    }
    for (int k = 1; k < NODES; k++) {
        if (!inside(&s->node[k], x, y)) continue;
        f->inspect = (viz_inspect_target){ VIZ_INSPECT_STATION, node_station[k] };
        return TRUE;
    }
    if (inside(&s->push_rect, x, y)) {
        f->inspect = (viz_inspect_target){ VIZ_INSPECT_STATION, SLACK_STATION_PUSH };
        return TRUE;
    }
    return FALSE;
}

static gboolean fanout_key(void *p, viz_world *w, viz_frame *f, int key)
{
    viz_fanout *s = p;
    viz_fanout_counts c;
    viz_fanout_get_counts(s, &c);
    double share = c.members ? (double)c.online / c.members : 0;
    switch (key) {
    case 'p': viz_fanout_post(s, w); return TRUE;
    case '[': viz_fanout_set_online_share(s, w, round(share * 10 - 1) / 10); return TRUE;
    case ']': viz_fanout_set_online_share(s, w, round(share * 10 + 1) / 10); return TRUE;
    case 'k': {
        /* Kill the alive gateway holding the most members: the biggest
         * reconnect storm, the clearest picture. */
        int best = -1;
        for (uint32_t g = 0; g < s->ngw; g++)
            if (slack_model_gateway_alive(viz_world_model(w), g) && (best < 0 || s->gw_count[g] > s->gw_count[best]))
                best = (int)g;
        if (best >= 0) {
            viz_fanout_set_gateway(s, w, (uint32_t)best, FALSE);
            gateway_toast(s, w, (uint32_t)best, FALSE, f);
        }
        return TRUE;
    }
    case 'u':
        if (s->nkilled > 0) {
            uint32_t g = s->killed[s->nkilled - 1];
            viz_fanout_set_gateway(s, w, g, TRUE);
            gateway_toast(s, w, g, TRUE, f);
        }
        return TRUE;
    default: return FALSE;
    }
}

static char *fanout_hover(const void *p, const viz_world *w, const viz_frame *f, double x, double y)
{
    const viz_fanout *s = p;
    const slack_model *m = viz_world_model_const(w);
    int i = member_at(s, x, y);
    if (i >= 0) {
        const fo_member *mb = &s->mem[i];
        sim_time t0 = s->stage_t[SLACK_STAGE_SENT];
        GString *g = g_string_new(NULL);
        g_string_append_printf(g, "user %u%s\n", mb->user, s->has_post && (uint32_t)i == s->sender ? " (sender)" : "");
        if (mb->online) g_string_append_printf(g, "online, WebSocket on gw-%u\n", mb->gateway);
        else g_string_append(g, "offline: gets a push notification\n");
        if (mb->ws_at >= 0 && t0 >= 0) g_string_append_printf(g, "WS push at +%.3f ms", sim_time_to_ms(mb->ws_at - t0));
        else if (mb->push_at >= 0 && t0 >= 0) g_string_append_printf(g, "push queued at +%.3f ms", sim_time_to_ms(mb->push_at - t0));
        else g_string_append(g, "click to toggle online/offline");
        return g_string_free(g, FALSE);
    }
    int gw = gateway_at(s, x, y, 0);
    if (gw >= 0) {
        return g_strdup_printf("gateway gw-%d: %s\nWebSocket connections (workspace): %" G_GUINT64_FORMAT
                               "\n#general members here: %u\nclick to inspect (and %s) it",
                               gw, slack_model_gateway_alive(m, (uint32_t)gw) ? "alive" : "DOWN",
                               slack_model_gateway_connections(m, (uint32_t)gw), s->gw_count[gw],
                               slack_model_gateway_alive(m, (uint32_t)gw) ? "kill" : "restore");
    }
    for (int k = 1; k < NODES; k++) {
        if (!inside(&s->node[k], x, y)) continue;
        const sim_station *st = slack_model_station(m, node_station[k]);
        if (!st) return NULL;
        const sim_hist *soj = sim_station_sojourn_hist(st);
        return g_strdup_printf("%s  (station \"%s\")\nservers %u, busy %" G_GUINT64_FORMAT ", waiting %" G_GUINT64_FORMAT
                               "\nutilization %.0f%%\ncompleted %" G_GUINT64_FORMAT "\nsojourn p50 %.3f ms, p99 %.3f ms",
                               node_names[k], sim_station_name(st), sim_station_servers(st),
                               sim_station_in_service(st), sim_station_in_queue(st),
                               100 * sim_station_utilization(st), sim_station_completed(st),
                               sim_hist_percentile(soj, 50) / 1e6, sim_hist_percentile(soj, 99) / 1e6);
    }
    if (inside(&s->push_rect, x, y)) {
        viz_fanout_counts c;
        viz_fanout_get_counts(s, &c);
        return g_strdup_printf("offline members: %u\nqueued for the latest post: %" G_GUINT64_FORMAT
                               "\nqueued over all posts: %" G_GUINT64_FORMAT, c.offline, c.push_queued, c.push_total);
    }
    (void)f;
    return NULL;
}

static const viz_key_help fanout_keys[] = {
    { "P", "post in #general (or click the button)" },
    { "[ / ]", "online share -10% / +10%" },
    { "K / U", "kill the busiest gateway / restore the last killed" },
    { "click", "a member: online/offline; a gateway or stage: its inspector" },
    { NULL, NULL },
};

const viz_scene_ops viz_scene_fanout = {
    .name = "fanout", .title = "Fan-out",
    .init = fanout_init, .unload = fanout_unload, .reset = fanout_reset,
    .update = fanout_update, .draw = fanout_draw, .key = fanout_key,
    .click = fanout_click, .hover = fanout_hover, .keys = fanout_keys,
    /* A post lives for a few simulated milliseconds at 500 members and
     * ~120 ms at 100k: the speed is picked from a probe post so one wave
     * takes VIZ_WAVE_WALL_S on screen; 0.001x when the probe finds none. */
    .pick_speed = fanout_pick_speed,
    .speed = 0.001,
};
