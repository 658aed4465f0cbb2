/* test_viz_util: helpers the visualizer suites share (test_viz.c, test_viz_alt.c,
 * test_viz_counters.c, test_viz_inspect.c): an app on a scene, ticks at 30 fps, and a value
 * of its --print-state line. Header-only, static inline. */
#ifndef TEST_VIZ_UTIL_H
#define TEST_VIZ_UTIL_H

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include "viz/viz_app.h"

/* An app with options `o`; NULL (with a line on stderr) if it cannot be
 * built. Free with viz_app_free. */
static inline viz_app *test_viz_app_with(const viz_options *o)
{
    GError *e = NULL;
    viz_app *a = viz_app_new(o, &e);
    if (!a) fprintf(stderr, "viz_app_new: %s\n", e ? e->message : "?");
    g_clear_error(&e);
    return a;
}

/* An app on `scene` (NULL: the default), driven by `script` (NULL: none). */
static inline viz_app *test_viz_app(const char *scene, const char *script)
{
    viz_options o;
    viz_options_init(&o);
    o.scene = scene;
    o.script = script;
    return test_viz_app_with(&o);
}

static inline void test_viz_ticks(viz_app *a, int n)
{
    for (int i = 0; i < n; i++) viz_app_tick(a, 1.0 / 30);
}

/* `key=` of a --print-state dump, as a double (NAN if absent). */
static inline double test_viz_dump_value(const char *dump, const char *key)
{
    char *pat = g_strdup_printf(" %s=", key);
    const char *p = strstr(dump, pat);
    double v = p ? g_ascii_strtod(p + strlen(pat), NULL) : NAN;
    g_free(pat);
    return v;
}

/* The same, of the app's state now. */
static inline double test_viz_state_value(viz_app *a, const char *key)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    viz_app_print_state(a, f);
    fclose(f);
    double v = test_viz_dump_value(buf, key);
    free(buf);
    return v;
}

#endif
