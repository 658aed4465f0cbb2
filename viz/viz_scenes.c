/* viz_scenes: the scene table: the four scenes in key order (1..4) and
 * lookup by name. Its own object so that the app (which owns the table's
 * users: tabs, keys, --scene) and the scenes (which only link to one
 * another through viz_frame.scenes) do not call each other: the table
 * depends on the scenes, the app on the table, and no scene on either. */
#include <glib.h>
#include "viz/viz_scene.h"

static const viz_scene_ops *const scene_table[VIZ_NSCENES] = {
    &viz_scene_fanout, &viz_scene_pipeline, &viz_scene_dashboard, &viz_scene_quiz,
};

const viz_scene_ops *const *viz_scene_table(void) { return scene_table; }

const viz_scene_ops *viz_scene_at(int index)
{
    return index >= 0 && index < VIZ_NSCENES ? scene_table[index] : NULL;
}

int viz_scene_count(void) { return VIZ_NSCENES; }

int viz_scene_find(const char *name)
{
    int i = viz_scene_table_find(scene_table, VIZ_NSCENES, name);
    if (i >= 0 || !name) return i;
    /* "1".."4" too, as on the keyboard. */
    if (name[0] >= '1' && name[0] <= '0' + VIZ_NSCENES && !name[1]) return name[0] - '1';
    return -1;
}
