/* viz_inspect: inspectors in the manner of OMNeT++'s Qtenv: click a stage,
 * a gateway, a Kafka partition or a Redis shard and a panel shows its
 * queue, utilization, counters and a sparkline of its recent history, all
 * read from the model. One inspector at a time; the app owns it, samples it
 * every frame and draws it over whichever scene is shown. */
#ifndef VIZ_INSPECT_H
#define VIZ_INSPECT_H

#include <cairo.h>
#include <glib.h>
#include "viz/viz_scene.h"

/* viz_inspect_kind and viz_inspect_target are in viz_scene.h (scenes
 * name a target in viz_frame.inspect). */

typedef struct viz_inspector viz_inspector;

/* Caller owns; free with viz_inspector_free (NULL is a no-op). */
viz_inspector *viz_inspector_new(void);
void viz_inspector_free(viz_inspector *in);

/* Opens on `t` (history restarts); opening the target already shown
 * closes it, as a second click does. */
void viz_inspector_open(viz_inspector *in, viz_inspect_target t);
void viz_inspector_close(viz_inspector *in);
viz_inspect_target viz_inspector_target(const viz_inspector *in);   /* kind NONE when closed */
/* The previous / next target of the same kind (',' and '.'), wrapping. */
void viz_inspector_cycle(viz_inspector *in, const viz_world *w, int dir);
/* The world was rebuilt: history dropped; closed if the target is gone. */
void viz_inspector_reset(viz_inspector *in, const viz_world *w);

/* Once per frame after the world advanced: one sample when simulated time
 * moved (nothing while paused). */
void viz_inspector_sample(viz_inspector *in, const viz_world *w);

/* What the panel shows, for tests and the state dump. */
typedef struct viz_inspect_facts {
    char title[96];          /* "PostgreSQL writers", "gw-3", "Kafka partition 7", "Redis shard 0" */
    double queue;            /* waiting now (jobs, messages, lag) */
    double utilization;      /* busy fraction since the start; NAN where the model has none */
    uint64_t count;          /* completed jobs, connections, or the largest lag */
    guint samples;           /* points in the sparkline */
} viz_inspect_facts;
/* FALSE when closed. */
gboolean viz_inspector_facts(const viz_inspector *in, const viz_world *w, viz_inspect_facts *out);

/* The panel inside (x, y, w, h) on `cr`; a gateway's panel has a
 * kill/restore button. */
void viz_inspector_draw(const viz_inspector *in, const viz_world *world, const viz_style *st,
                        double x, double y, double w, double h, cairo_t *cr);
/* The kill/restore button of a gateway panel drawn in (x, y, w, h): TRUE
 * and its rectangle in *b (x, y, w, h), FALSE when the panel has none. */
gboolean viz_inspector_button(const viz_inspector *in, double x, double y, double w, double h, double b[4]);

#endif
