/* sim_hist: log-linear latency histogram (HdrHistogram's layout).
 *
 * Bucket layout, with M = 2^SUB_BITS = 128 sub-buckets:
 *   values 0 .. 2M-1       one bucket per integer (exact);
 *   values in [2^e, 2^e+1) for e >= SUB_BITS + 1: M equal buckets of width
 *                          2^(e - SUB_BITS).
 * The index of v is (b << SUB_BITS) + (v >> b) with
 * b = floor(log2(v | M)) - SUB_BITS: one clz, two shifts and an add.
 * A bucket [L, L + w) with w > 1 has L >= M * w, so its middle is within
 * w / 2 <= L / (2M) of every value in it: relative error <= 1/256 (0.39%),
 * for every v in 0 .. INT64_MAX, comfortably inside the promised 1%.
 *
 * Invariants: counts[] sums to `count`; `sum`, `min`, `max` are exact over
 * the recorded values (negative values clamped to 0 before anything);
 * `min` > `max` exactly when the histogram is empty. */
#include "sim/sim_hist.h"

#include <math.h>
#include <string.h>

/* struct sim_hist and the inline sim_hist_record live in the header (the
 * record is the hot path); the sum is a 128-bit integer because 10^9
 * samples of an hour in ns overflow 64 bits. */
#define SUB_BITS SIM_HIST__SUB_BITS
/* Index of INT64_MAX is (55 << 7) + 255 = 7295 = SIM_HIST__BUCKETS - 1. */
G_STATIC_ASSERT(SIM_HIST__BUCKETS == 7296);

/* ------------------------------------------------------ bucket geometry */

static inline unsigned bucket_of(uint64_t v) { return sim_hist__bucket(v); }

/* Smallest value in bucket i and the bucket's width. */
static void bucket_bounds(unsigned i, uint64_t *lower, uint64_t *width)
{
    unsigned b = i >> SUB_BITS;
    unsigned shift = b > 0 ? b - 1 : 0;
    *lower = (uint64_t)(i - (shift << SUB_BITS)) << shift;
    *width = (uint64_t)1 << shift;
}

/* The value a bucket reports: its middle, pulled into [min, max] so that the
 * first and last buckets report the exact extremes when those are closer. */
static int64_t bucket_value(const sim_hist *h, unsigned i)
{
    uint64_t lower, width;
    bucket_bounds(i, &lower, &width);
    uint64_t v = lower + (width - 1) / 2;
    if (v < h->min) v = h->min;
    if (v > h->max) v = h->max;
    return (int64_t)v;
}

/* ------------------------------------------------------------------ API */

sim_hist *sim_hist_new(void)
{
    sim_hist *h = g_malloc(sizeof *h);
    sim_hist_reset(h);
    return h;
}

void sim_hist_free(sim_hist *h)
{
    g_free(h);
}

void sim_hist_reset(sim_hist *h)
{
    g_return_if_fail(h != NULL);
    memset(h, 0, sizeof *h);
    h->min = UINT64_MAX;
}

void sim_hist_record_n(sim_hist *h, int64_t value, uint64_t count)
{
    if (count == 0) return;
    uint64_t v = value < 0 ? 0 : (uint64_t)value;
    h->counts[bucket_of(v)] += count;
    h->count += count;
    h->sum += (unsigned __int128)v * count;
    if (v < h->min) h->min = v;
    if (v > h->max) h->max = v;
}

/* Walks the sequence bucket by bucket: the terms below a bucket's end are
 * those with index < ceil((end - first) / step), one division per bucket
 * crossed. The sum of the non-negative terms first + step * i, i in
 * [k, n), is (n - k) * first + step * (k + n - 1) * (n - k) / 2; each
 * factor stays below 2^127 because the last term fits in int64. */
void sim_hist_record_seq(sim_hist *h, int64_t first, int64_t step, uint64_t n)
{
    g_return_if_fail(h != NULL && step >= 0);
    if (n == 0) return;
    if (step == 0 || n == 1) { sim_hist_record_n(h, first, n); return; }
    uint64_t i = 0;
    if (first < 0) {                         /* terms below 0 count as 0 */
        uint64_t k = (uint64_t)(-(first + 1)) / (uint64_t)step + 1;
        i = k < n ? k : n;
        sim_hist_record_n(h, 0, i);
        if (i == n) return;
    }
    uint64_t k = i;
    while (i < n) {
        uint64_t v = (uint64_t)((__int128)first + (__int128)step * i);
        uint64_t lower, width;
        bucket_bounds(bucket_of(v), &lower, &width);
        uint64_t stop;                       /* ceil(span / step), span > 0 */
        if (first >= 0) {                    /* the usual case: 64-bit division */
            uint64_t span = lower + width - (uint64_t)first;
            stop = span / (uint64_t)step + (span % (uint64_t)step != 0);
        } else {
            __int128 span = (__int128)(lower + width) - first;
            __int128 q = (span + step - 1) / step;
            stop = q < (__int128)n ? (uint64_t)q : n;
        }
        uint64_t next = stop < n ? stop : n;
        h->counts[bucket_of(v)] += next - i;
        i = next;
    }
    uint64_t m = n - k;
    h->count += m;
    h->sum += (unsigned __int128)((__int128)m * first + (__int128)step * (((__int128)k + n - 1) * m / 2));
    uint64_t lo = (uint64_t)((__int128)first + (__int128)step * k);
    uint64_t hi = (uint64_t)((__int128)first + (__int128)step * (n - 1));
    if (lo < h->min) h->min = lo;
    if (hi > h->max) h->max = hi;
}

void sim_hist_merge(sim_hist *dst, const sim_hist *src)
{
    g_return_if_fail(dst != NULL && src != NULL);
    if (src->count == 0) return;
    unsigned last = bucket_of(src->max);
    for (unsigned i = bucket_of(src->min); i <= last; i++) dst->counts[i] += src->counts[i];
    dst->count += src->count;
    dst->sum += src->sum;
    if (src->min < dst->min) dst->min = src->min;
    if (src->max > dst->max) dst->max = src->max;
}

uint64_t sim_hist_count(const sim_hist *h) { return h->count; }

double sim_hist_mean(const sim_hist *h)
{
    return h->count ? (double)h->sum / (double)h->count : 0.0;
}

int64_t sim_hist_min(const sim_hist *h) { return h->count ? (int64_t)h->min : 0; }
int64_t sim_hist_max(const sim_hist *h) { return h->count ? (int64_t)h->max : 0; }

/* Nearest rank: the smallest sample with at least q% of the samples at or
 * below it, i.e. rank ceil(q/100 * n) in 1..n. 99.9 is not exact in
 * binary (it is 99.900000000000006), so 99.9% of 1000 computes as
 * 999.00000000000006; the fuzz, a few times the representation error of q
 * and far below the 1e-5 granularity of q * n / 100 for any q with three
 * decimals and n < 10^10, puts it back at 999. long double keeps n exact. */
uint64_t sim_hist_rank(double q, uint64_t n)
{
    if (n == 0) return 0;
    if (!(q > 0.0)) return 1;
    if (q >= 100.0) return n;
    long double x = (long double)q * (long double)n / 100.0L;
    long double r = ceill(x - x * 1e-15L);
    if (r < 1.0L) return 1;
    return r >= (long double)n ? n : (uint64_t)r;
}

int64_t sim_hist_percentile(const sim_hist *h, double q)
{
    g_return_val_if_fail(h != NULL, 0);
    if (h->count == 0) return 0;
    uint64_t rank = sim_hist_rank(q, h->count);
    if (rank == 1) return (int64_t)h->min;
    if (rank == h->count) return (int64_t)h->max;
    uint64_t seen = 0;
    unsigned last = bucket_of(h->max);
    for (unsigned i = bucket_of(h->min); i <= last; i++) {
        seen += h->counts[i];
        if (seen >= rank) return bucket_value(h, i);
    }
    return (int64_t)h->max; /* unreachable: counts sum to count */
}

double sim_hist_cdf(const sim_hist *h, int64_t value)
{
    g_return_val_if_fail(h != NULL, 0.0);
    if (h->count == 0 || value < 0 || (uint64_t)value < h->min) return 0.0;
    if ((uint64_t)value >= h->max) return 1.0;
    /* Samples sharing value's bucket count as <= value: the answer is exact
     * for some value within the bucket's relative error of `value`. */
    uint64_t seen = 0;
    unsigned last = bucket_of((uint64_t)value);
    for (unsigned i = bucket_of(h->min); i <= last; i++) seen += h->counts[i];
    return (double)seen / (double)h->count;
}

void sim_hist_foreach(const sim_hist *h, void (*fn)(int64_t value, uint64_t count, void *user), void *user)
{
    g_return_if_fail(h != NULL && fn != NULL);
    if (h->count == 0) return;
    unsigned last = bucket_of(h->max);
    for (unsigned i = bucket_of(h->min); i <= last; i++)
        if (h->counts[i]) fn(bucket_value(h, i), h->counts[i], user);
}

/* Six significant digits: more than the histogram's 0.39% resolution, and a
 * double parsed back from 6 digits prints as those same digits under cJSON's
 * %.15g, so the JSON is byte-stable. */
static double round6(double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    return g_ascii_strtod(g_ascii_formatd(buf, sizeof buf, "%.6g", v), NULL);
}

cJSON *sim_hist_to_json(const sim_hist *h, double unit)
{
    g_return_val_if_fail(h != NULL && unit > 0.0, NULL);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "count", (double)h->count);
    cJSON_AddNumberToObject(o, "mean", round6(sim_hist_mean(h) / unit));
    static const struct { const char *key; double q; } pct[] = {
        {"p50", 50.0}, {"p90", 90.0}, {"p99", 99.0}, {"p999", 99.9}};
    for (size_t i = 0; i < G_N_ELEMENTS(pct); i++)
        cJSON_AddNumberToObject(o, pct[i].key, round6((double)sim_hist_percentile(h, pct[i].q) / unit));
    cJSON_AddNumberToObject(o, "max", round6((double)sim_hist_max(h) / unit));
    return o;
}
