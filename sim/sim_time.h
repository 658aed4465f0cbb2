/* sim_time: simulation time as int64 nanoseconds.
 *
 * Time is an integer so that it never drifts: adding 1 ms a million times is
 * exactly 1000 s. Conversions from seconds (as read from scenarios) round to
 * the nearest nanosecond, once, at the edge, and saturate: no scenario value
 * can wrap int64 (scenario keys in seconds are bounded at 1e6 s by
 * sim_scenario, and sim_after saturates at SIM_TIME_MAX). */
#ifndef SIM_TIME_H
#define SIM_TIME_H

#include <stdint.h>
#include <math.h>

typedef int64_t sim_time;

#define SIM_NS  ((sim_time)1)
#define SIM_US  ((sim_time)1000)
#define SIM_MS  ((sim_time)1000000)
#define SIM_SEC ((sim_time)1000000000)
#define SIM_TIME_MAX INT64_MAX

static inline double sim_time_to_sec(sim_time t) { return (double)t / 1e9; }
static inline double sim_time_to_ms(sim_time t) { return (double)t / 1e6; }

/* Seconds -> ns, rounded; clamps to [0, SIM_TIME_MAX/2] so sums of two
 * converted values cannot overflow. Negative and NaN inputs become 0. */
static inline sim_time sim_time_from_sec(double s)
{
    if (!(s > 0.0)) return 0;
    if (s >= 4.6e9) return SIM_TIME_MAX / 2;
    /* s > 0 here, so adding 0.5 and truncating rounds half up like
     * llround, without its libm call on every service time. */
    return (sim_time)(s * 1e9 + 0.5);
}

/* a + b, saturating at SIM_TIME_MAX (and INT64_MIN) instead of wrapping:
 * a delay drawn from a heavy tail must land "never", not in the past. */
static inline sim_time sim_time_add_sat(sim_time a, sim_time b)
{
    sim_time r;
    if (__builtin_add_overflow(a, b, &r)) return b > 0 ? SIM_TIME_MAX : INT64_MIN;
    return r;
}

#endif
