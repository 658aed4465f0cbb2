/* sim_rng: the generator matches the xoshiro256** reference, stream
 * derivation is stable and reproducible, streams are uncorrelated, and
 * sim_rng_below is unbiased.
 *
 * Statistical tests use a fixed seed and a bound that a correct generator
 * exceeds with probability ~1e-6 (|z| > 5) or 0.001 (chi-square), so a
 * failure means a defect, not bad luck. */
#include <math.h>
#include <string.h>
#include <glib.h>
#include "tests/test_util.h"
#include "sim/sim_rng.h"

static size_t nsamples(size_t full) { return test_quick() ? full / 10 : full; }

/* Upper 0.001 critical value of chi-square with k degrees of freedom
 * (Wilson-Hilferty; within 1% for k >= 10). */
static double chi2_crit_001(double k)
{
    double h = 2.0 / (9.0 * k);
    double c = 1.0 - h + 3.090232 * sqrt(h);
    return k * c * c * c;
}

/* Vigna's xoshiro256** reference output from state {1, 2, 3, 4}. */
static void test_matches_reference_vectors(void)
{
    static const uint64_t expected[] = {11520ULL, 0ULL, 1509978240ULL, 1215971899390074240ULL,
                                        1216172134540287360ULL, 607988272756665600ULL,
                                        16172922978634559625ULL, 8476171486693032832ULL};
    sim_rng r = {{1, 2, 3, 4}};
    for (size_t i = 0; i < G_N_ELEMENTS(expected); i++) CU_ASSERT_EQUAL(sim_rng_u64(&r), expected[i]);
}

/* FNV-1a 64 test vectors: the stream id of a name may never change. */
static void test_stream_id_is_fnv1a(void)
{
    CU_ASSERT_EQUAL(sim_rng_stream_id(""), 0xcbf29ce484222325ULL);
    CU_ASSERT_EQUAL(sim_rng_stream_id("a"), 0xaf63dc4c8601ec8cULL);
    CU_ASSERT_EQUAL(sim_rng_stream_id("foobar"), 0x85944171f73967e8ULL);
    CU_ASSERT_NOT_EQUAL(sim_rng_stream_id("gateway"), sim_rng_stream_id("gateway "));
}

/* Golden outputs of (seed 42, "gateway"), recorded when the derivation was
 * fixed: any change to seeding or the generator changes every published
 * result and must be deliberate. */
static void test_known_first_outputs(void)
{
    sim_rng r;
    sim_rng_init_named(&r, 42, "gateway");
    CU_ASSERT_EQUAL(sim_rng_u64(&r), 0x3000c6d165241a61ULL);
    CU_ASSERT_EQUAL(sim_rng_u64(&r), 0x85ffb7df656fa82bULL);
    CU_ASSERT_EQUAL(sim_rng_u64(&r), 0xcce0e1215db95ec8ULL);
}

/* Same (seed, name) gives the same sequence; changing either changes it. */
static void test_streams_reproduce_and_differ(void)
{
    sim_rng a, b, c, d;
    sim_rng_init_named(&a, 7, "kafka.partition.3");
    sim_rng_init_named(&b, 7, "kafka.partition.3");
    sim_rng_init_named(&c, 7, "kafka.partition.4");
    sim_rng_init_named(&d, 8, "kafka.partition.3");
    int same_ab = 1, same_ac = 0, same_ad = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = sim_rng_u64(&a);
        same_ab &= x == sim_rng_u64(&b);
        same_ac += x == sim_rng_u64(&c);
        same_ad += x == sim_rng_u64(&d);
    }
    CU_ASSERT(same_ab);
    CU_ASSERT_EQUAL(same_ac, 0);
    CU_ASSERT_EQUAL(same_ad, 0);
}

/* Pearson correlation of paired uniforms; under independence it is
 * ~N(0, 1/n), so |r| < 5/sqrt(n) except with probability 6e-7. */
static double correlation(sim_rng *a, sim_rng *b, size_t n, int lag)
{
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (int i = 0; i < lag; i++) (void)sim_rng_u64(b);
    for (size_t i = 0; i < n; i++) {
        double x = sim_rng_uniform(a), y = sim_rng_uniform(b);
        sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
    }
    double cov = sxy / n - (sx / n) * (sy / n);
    return cov / sqrt((sxx / n - (sx / n) * (sx / n)) * (syy / n - (sy / n) * (sy / n)));
}

/* The hardest case for a weak derivation: the same seed and adjacent
 * stream numbers (0 and 1), and adjacent seeds with one stream. */
static void test_streams_uncorrelated(void)
{
    size_t n = nsamples(400000);
    double bound = 5.0 / sqrt((double)n);
    static const struct { uint64_t seed_a, stream_a, seed_b, stream_b; int lag; } cases[] = {
        {1, 0, 1, 1, 0}, {1, 0, 1, 1, 1}, {0, 0, 1, 0, 0}, {42, 5, 43, 5, 0}, {42, 5, 42, 6, 3}};
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        sim_rng a, b;
        sim_rng_init(&a, cases[i].seed_a, cases[i].stream_a);
        sim_rng_init(&b, cases[i].seed_b, cases[i].stream_b);
        double r = correlation(&a, &b, n, cases[i].lag);
        CU_ASSERT(fabs(r) < bound);
    }
    sim_rng a, b;
    sim_rng_init_named(&a, 99, "gateway");
    sim_rng_init_named(&b, 99, "gatewaz"); /* one bit apart in the hash input */
    CU_ASSERT(fabs(correlation(&a, &b, n, 0)) < bound);
}

/* The first output of streams 0, 1, 2, ... of one seed is uniform: a
 * chi-square over its top 8 bits (256 bins). Catches a derivation that
 * leaves nearby stream numbers close. */
static void test_first_outputs_of_many_streams_uniform(void)
{
    size_t streams = nsamples(256000);
    uint64_t bins[256] = {0};
    for (size_t s = 0; s < streams; s++) {
        sim_rng r;
        sim_rng_init(&r, 2026, s);
        bins[sim_rng_u64(&r) >> 56]++;
    }
    double e = (double)streams / 256.0, chi = 0;
    for (int i = 0; i < 256; i++) chi += (bins[i] - e) * (bins[i] - e) / e;
    CU_ASSERT(chi < chi2_crit_001(255));
}

static gint cmp_u64(gconstpointer a, gconstpointer b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Nearby streams do not share state: across streams 0..4999 of one seed
 * all 20000 state words differ. (Seeding SplitMix64 with seed + stream
 * would make stream 1 start one step along stream 0's sequence.) */
static void test_nearby_streams_share_no_state(void)
{
    const size_t streams = 5000;
    GArray *words = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    for (size_t s = 0; s < streams; s++) {
        sim_rng r;
        sim_rng_init(&r, 12345, s);
        g_array_append_vals(words, r.s, 4);
    }
    g_array_sort(words, cmp_u64);
    size_t dups = 0;
    for (guint i = 1; i < words->len; i++)
        dups += g_array_index(words, uint64_t, i) == g_array_index(words, uint64_t, i - 1);
    CU_ASSERT_EQUAL(dups, 0);
    g_array_free(words, TRUE);
}

/* sim_rng_uniform: mean 1/2 and variance 1/12 within 5 standard errors;
 * sim_rng_uniform_pos stays inside (0, 1). */
static void test_uniform_moments(void)
{
    size_t n = nsamples(1000000);
    sim_rng r;
    sim_rng_init_named(&r, 3, "uniform");
    double s = 0, s2 = 0, lo = 1, hi = 0;
    for (size_t i = 0; i < n; i++) {
        double u = sim_rng_uniform(&r);
        s += u;
        s2 += (u - 0.5) * (u - 0.5);
        double v = sim_rng_uniform_pos(&r);
        if (v < lo) lo = v;
        if (v > hi) hi = v;
    }
    CU_ASSERT(fabs(s / n - 0.5) < 5.0 * sqrt(1.0 / 12.0 / n));
    /* Var of (U - 1/2)^2 is 1/80 - 1/144 = 1/180. */
    CU_ASSERT(fabs(s2 / n - 1.0 / 12.0) < 5.0 * sqrt(1.0 / 180.0 / n));
    CU_ASSERT(lo > 0.0 && hi < 1.0);
}

/* sim_rng_below: chi-square over a small non-power-of-two range. */
static void test_below_chi_square(void)
{
    const uint64_t k = 37;
    size_t n = nsamples(1000000);
    uint64_t bins[37] = {0};
    sim_rng r;
    sim_rng_init_named(&r, 5, "below");
    for (size_t i = 0; i < n; i++) {
        uint64_t v = sim_rng_below(&r, k);
        CU_ASSERT_FATAL(v < k);
        bins[v]++;
    }
    double e = (double)n / k, chi = 0;
    for (uint64_t i = 0; i < k; i++) chi += (bins[i] - e) * (bins[i] - e) / e;
    CU_ASSERT(chi < chi2_crit_001((double)(k - 1)));
}

/* With n = 3 * 2^62, a modulo reduction would return values below 2^62
 * half the time instead of a third: the rejection step must remove that
 * bias. The proportion is tested within 5 standard errors. */
static void test_below_unbiased_for_huge_n(void)
{
    const uint64_t n = 3ULL << 62;
    size_t draws = nsamples(300000), low = 0;
    sim_rng r;
    sim_rng_init_named(&r, 6, "below.huge");
    for (size_t i = 0; i < draws; i++) {
        uint64_t v = sim_rng_below(&r, n);
        CU_ASSERT_FATAL(v < n);
        low += v < (1ULL << 62);
    }
    double p = (double)low / draws;
    CU_ASSERT(fabs(p - 1.0 / 3.0) < 5.0 * sqrt((2.0 / 9.0) / draws));
    CU_ASSERT_EQUAL(sim_rng_below(&r, 1), 0);
}

/* A jump is a linear map that commutes with the generator step, and it
 * lands somewhere else entirely. */
static void test_jump_commutes_with_step(void)
{
    sim_rng a, b;
    sim_rng_init_named(&a, 11, "jump");
    b = a;
    (void)sim_rng_u64(&a);
    sim_rng_jump(&a);
    sim_rng_jump(&b);
    (void)sim_rng_u64(&b);
    CU_ASSERT_EQUAL(memcmp(a.s, b.s, sizeof a.s), 0);
    sim_rng c;
    sim_rng_init_named(&c, 11, "jump");
    sim_rng_long_jump(&c);
    CU_ASSERT_NOT_EQUAL(memcmp(c.s, b.s, sizeof c.s), 0);
    sim_rng x, y;
    sim_rng_init_named(&x, 11, "jump");
    y = x;
    sim_rng_jump(&y);
    CU_ASSERT(fabs(correlation(&x, &y, nsamples(200000), 0)) < 5.0 / sqrt((double)nsamples(200000)));
}

void test_sim_rng_register(void)
{
    TEST_SUITE("sim_rng", TEST(test_matches_reference_vectors), TEST(test_stream_id_is_fnv1a),
               TEST(test_known_first_outputs), TEST(test_streams_reproduce_and_differ),
               TEST(test_streams_uncorrelated), TEST(test_first_outputs_of_many_streams_uniform),
               TEST(test_nearby_streams_share_no_state),
               TEST(test_uniform_moments), TEST(test_below_chi_square), TEST(test_below_unbiased_for_huge_n),
               TEST(test_jump_commutes_with_step));
}
