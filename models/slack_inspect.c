/* slack_inspect: read-only accessors the visualizer's inspectors need
 * beyond the contract in slack_model.h (Redis per shard). Kept in a file of
 * its own so that models/ can be restructured around it: it only reads
 * struct slack_model through slack_internal.h and changes nothing. */
#include "models/slack_internal.h"

uint32_t slack_model_redis_shards(const slack_model *m)
{
    return m->redis ? redis_shards(m->redis) : 0;
}

const sim_station *slack_model_redis_shard(const slack_model *m, uint32_t s)
{
    return m->redis && s < redis_shards(m->redis) ? redis_station(m->redis, s) : NULL;
}
