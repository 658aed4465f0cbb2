/* observer: the visualizer's view of a running model. Callbacks that
 * belong to a later time (a push completes at its batch's booked time) are
 * scheduled as events carrying an obs_rec; they are made only while an
 * observer is set, so an unobserved run schedules none and its results do
 * not depend on whether anyone watches. */
#include "models/slack_internal.h"

static obs_rec *obs_at(slack_model *m, uint32_t i) { return &g_array_index(m->obs.recs, obs_rec, i); }

uint32_t obs_alloc(slack_model *m, uint64_t serial, uint32_t a, uint32_t b)
{
    uint32_t i = m->obs.free;
    if (i != SLACK_NIL) m->obs.free = obs_at(m, i)->next_free;
    else { obs_rec blank = { 0 }; g_array_append_val(m->obs.recs, blank); i = m->obs.recs->len - 1; }
    *obs_at(m, i) = (obs_rec){ serial, a, b, SLACK_NIL };
    return i;
}

static void obs_release(slack_model *m, uint32_t i) { obs_at(m, i)->next_free = m->obs.free; m->obs.free = i; }

void obs_delivered_ev(sim_ctx *ctx, void *data, uint64_t arg)
{
    slack_model *m = data;
    obs_rec r = *obs_at(m, (uint32_t)arg);
    obs_release(m, (uint32_t)arg);
    if (m->obs.on && m->obs.fn.delivered) m->obs.fn.delivered(m->obs.user, r.serial, r.a, r.b, sim_now(ctx));
}

void obs_done_ev(sim_ctx *ctx, void *data, uint64_t arg)
{
    slack_model *m = data;
    obs_rec r = *obs_at(m, (uint32_t)arg);
    obs_release(m, (uint32_t)arg);
    if (m->obs.on && m->obs.fn.stage) m->obs.fn.stage(m->obs.user, r.serial, r.a, SLACK_STAGE_DONE, sim_now(ctx));
}

void obs_build(slack_model *m)
{
    m->obs.recs = g_array_new(FALSE, FALSE, sizeof(obs_rec));
    m->obs.free = SLACK_NIL;
}

void obs_free(slack_model *m)
{
    if (m->obs.recs) g_array_free(m->obs.recs, TRUE);
}
