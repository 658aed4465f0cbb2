/* sim_evset: the pending-event set, a ladder queue (Tang, Goh & Thng 2005)
 * with a sorted run as its bottom and chunked array buckets.
 * docs/engine.md explains the choice and the measurements behind it.
 *
 * Layout, from the near future to the far future:
 *   bottom   a sorted array on (time, seq) of every entry with
 *            time < bottom_end;
 *   rungs    rung[k] (the finest, k = nrungs - 1) down to rung[0] (the
 *            coarsest): each an array of buckets of width 2^shift holding
 *            unsorted entries in [cur_start, end); rung[k].cur_start ==
 *            bottom_end and rung[i].cur_start == rung[i + 1].end;
 *   top      unsorted entries with time >= top_start == rung[0].end.
 * With no rungs and no top, bottom_end == top_start == SIM_TIME_MAX and the
 * set is one sorted array (small simulations, e.g. M/M/1, never leave it).
 * When the bottom empties, the first non-empty bucket of the finest rung is
 * either moved into it (few entries) or split into a finer rung (many);
 * an exhausted rung is dropped; with no rungs left the top becomes rung 0.
 * When the bottom grows past EVS_BOTTOM_MAX it is spilled into a new rung.
 *
 * Events and handles: every pending event owns a slot holding its payload;
 * its handle is (gen << 32) | slot, and slots[slot].gen is odd exactly while
 * it is pending. Cancelling only bumps gen ("lazy deletion"): the entry stays
 * where it is, dead, and its slot is not reused until the entry leaves the
 * set, so an entry is live iff its slot's gen is odd. Dead entries never
 * outnumber live ones by more than SIM_EVSET_DEAD_SLACK: past that the whole
 * set is swept (amortised O(1) per cancellation). */
#include "sim/sim_evset.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Tuning constants (docs/engine.md has the measurements); the #ifndef lets
 * an experiment override them with -D. */
#ifndef EVS_BOTTOM_MAX
#define EVS_BOTTOM_MAX  64u    /* spill the bottom into a rung past this */
#endif
#ifndef EVS_THRES
#define EVS_THRES       64u    /* a bucket with more entries is split, not sorted (<= EVS_BINS) */
#endif
#ifndef EVS_PER_BUCKET
#define EVS_PER_BUCKET  4u     /* target entries per bucket when building a rung */
#endif
#ifndef EVS_PER_CHILD
#define EVS_PER_CHILD   32u    /* same, for a rung split from a bucket */
#endif
#ifndef EVS_MAX_NB
#define EVS_MAX_NB      2048u  /* buckets per rung: keeps the buckets being filled cache-resident */
#endif
#define EVS_MAX_RUNGS   24
#define EVS_BINS_LOG    6u     /* a bucket sorted into the bottom is first binned 64 ways */
#define EVS_BINS        (1u << EVS_BINS_LOG)
_Static_assert(EVS_THRES <= EVS_BINS, "a bucket sorted into the bottom fits the bins");
#define EVS_WARM_MAX    8192u  /* prefetch the slots of a split bucket up to this size (L2) */
#define EVS_CHUNK       18u    /* entries per chunk: 16 + 18 * 24 = 448 bytes */
#define EVS_SLAB        128u   /* chunks in the first slab; later ones double, to 16384 */

typedef struct evs_entry {
    sim_time time;   /* key, part 1 */
    uint64_t seq;    /* key, part 2 */
    uint32_t slot;   /* payload and liveness live in slots[slot] */
} evs_entry;

typedef struct evs_slot {
    void    *fn, *data;
    uint64_t arg;
    uint32_t gen;    /* odd: pending */
} evs_slot;

typedef struct evs_chunk {
    struct evs_chunk *next;
    uint32_t n;      /* entries used; valid once the chunk left a bucket's head */
    evs_entry e[EVS_CHUNK];
} evs_chunk;

/* An unsorted bag of entries: a stack of chunks, the head one filling. The
 * head's fill count lives here, not in the chunk, so an append touches the
 * (dense, cached) bucket array and one line of the chunk. */
typedef struct evs_bucket {
    evs_chunk *head;
    uint32_t   fill;     /* entries used in head */
    uint32_t   count;    /* entries in all chunks */
} evs_bucket;

typedef struct evs_rung {
    sim_time    lo;      /* start of bucket 0 */
    sim_time    end;     /* exclusive end of what the rung may hold */
    unsigned    shift;   /* bucket width is 2^shift ns */
    uint32_t    nb;      /* buckets in use */
    uint32_t    cur;     /* buckets before cur are empty and closed */
    uint32_t    cap;     /* buckets allocated */
    evs_bucket *b;
} evs_rung;

struct sim_evset {
    evs_entry  *near;          /* the bottom: near[head..n) sorted by (time, seq) */
    size_t      head, n, cap;
    sim_time    bottom_end;
    evs_rung    rung[EVS_MAX_RUNGS];
    int         nrungs;
    evs_bucket  top;
    sim_time    top_start, top_min, top_max;
    size_t      spill_at;      /* spill the bottom when it grows past this */

    evs_slot   *slots;
    uint32_t    nslots, slots_cap;
    uint32_t   *free_slots;    /* stack of reusable slot numbers */
    uint32_t    nfree;

    evs_chunk  *free_chunks;   /* chunk free list */
    GPtrArray  *slabs;         /* chunk allocations, freed with the set */

    size_t      live, dead;    /* pending events; cancelled entries still held */
    uint64_t    seq;           /* next sequence number */
};

static inline gboolean evs_less(const evs_entry *a, const evs_entry *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static inline gboolean evs_live(const sim_evset *s, const evs_entry *e)
{
    return s->slots[e->slot].gen & 1;
}

/* ---- lifecycle ---- */

static void evs_reset_levels(sim_evset *s)
{
    s->nrungs = 0;
    s->bottom_end = s->top_start = SIM_TIME_MAX;
}

sim_evset *sim_evset_new(void)
{
    sim_evset *s = g_new0(sim_evset, 1);
    s->seq = 1;
    s->slabs = g_ptr_array_new_with_free_func(free);
    s->spill_at = EVS_BOTTOM_MAX;
    evs_reset_levels(s);
    return s;
}

void sim_evset_free(sim_evset *s)
{
    if (!s) return;
    for (int i = 0; i < EVS_MAX_RUNGS; i++) g_free(s->rung[i].b);
    g_ptr_array_free(s->slabs, TRUE);
    g_free(s->near);
    free(s->slots);
    g_free(s->free_slots);
    g_free(s);
}

/* ---- slots ---- */

/* Memory for the big arrays. Past 2 MiB it is 2 MiB-aligned and advised
 * to use huge pages: pop reads one random slot per event, and with 4 KiB
 * pages that is a TLB miss too once the slots outgrow the TLB's reach
 * (~8 MiB). Free with free(). */
static void *evs_big_alloc(size_t bytes)
{
    const size_t huge = (size_t)2 << 20;
    if (bytes < huge) return g_malloc(bytes);       /* g_malloc is malloc: free() it */
    size_t size = (bytes + huge - 1) & ~(huge - 1);
    void *p = aligned_alloc(huge, size);
    if (!p) g_error("sim_evset: out of memory (%zu bytes)", size);
    madvise(p, size, MADV_HUGEPAGE);                 /* advice only: failure is harmless */
    return p;
}

static __attribute__((noinline)) uint32_t evs_slot_grow(sim_evset *s)
{
    g_assert(s->slots_cap < UINT32_MAX / 2);
    uint32_t cap = s->slots_cap ? s->slots_cap * 2 : 64;
    evs_slot *slots = evs_big_alloc(cap * sizeof *slots);
    if (s->nslots) memcpy(slots, s->slots, s->nslots * sizeof *slots);
    free(s->slots);
    s->slots = slots;
    s->slots_cap = cap;
    s->free_slots = g_renew(uint32_t, s->free_slots, s->slots_cap);
    return s->nslots;
}

static inline uint32_t evs_slot_alloc(sim_evset *s)
{
    if (G_LIKELY(s->nfree)) return s->free_slots[--s->nfree];
    if (G_UNLIKELY(s->nslots == s->slots_cap)) evs_slot_grow(s);
    s->slots[s->nslots].gen = 0;
    return s->nslots++;
}

static inline void evs_slot_release(sim_evset *s, uint32_t slot)
{
    s->free_slots[s->nfree++] = slot;
}

/* ---- buckets (chunk stacks) ---- */

/* Slabs grow geometrically (a small simulation holds a few KiB) up to
 * 16384 chunks (7 MiB), huge-page advised: pushes write to the chunks of
 * up to 2048 buckets at random, and with 4 KiB pages that is a TLB miss
 * each (measured: +10-15% holds/s at 10^6 with huge pages). */
static __attribute__((noinline)) evs_chunk *evs_chunk_refill(sim_evset *s)
{
    size_t n = (size_t)EVS_SLAB << MIN(s->slabs->len, 7u);
    evs_chunk *slab = evs_big_alloc(n * sizeof *slab);
    g_ptr_array_add(s->slabs, slab);
    for (size_t i = 0; i < n; i++) {
        slab[i].next = s->free_chunks;
        s->free_chunks = &slab[i];
    }
    return s->free_chunks;
}

static inline void evs_bucket_add(sim_evset *s, evs_bucket *b, const evs_entry *e)
{
    evs_chunk *c = b->head;
    if (G_UNLIKELY(!c || b->fill == EVS_CHUNK)) {
        if (c) c->n = EVS_CHUNK;
        c = s->free_chunks ? s->free_chunks : evs_chunk_refill(s);
        s->free_chunks = c->next;
        if (c->next) __builtin_prefetch(c->next, 1);   /* the next allocation */
        c->next = b->head;
        b->head = c;
        b->fill = 0;
    }
    c->e[b->fill++] = *e;
    b->count++;
}

/* Detaches the bucket's chunks; give each back with evs_chunk_free. */
static inline evs_chunk *evs_bucket_take(evs_bucket *b)
{
    evs_chunk *c = b->head;
    if (c) c->n = b->fill;
    b->head = NULL;
    b->fill = 0;
    b->count = 0;
    return c;
}

static inline void evs_chunk_free(sim_evset *s, evs_chunk *c)
{
    c->next = s->free_chunks;
    s->free_chunks = c;
}

/* ---- bottom: a sorted run ---- */

/* The bottom is small (a bucket's worth, <= EVS_BOTTOM_MAX unless entries
 * cannot be told apart by time), so a sorted array beats a heap: popping is
 * head++, and a new entry, usually later than most, is placed by a short
 * scan from the end. */

/* Makes room for `extra` more entries at the end: first by reclaiming the
 * popped prefix, then by growing. */
static __attribute__((noinline)) void evs_near_make_room(sim_evset *s, size_t extra)
{
    if (s->head) {
        memmove(s->near, s->near + s->head, (s->n - s->head) * sizeof *s->near);
        s->n -= s->head;
        s->head = 0;
    }
    if (s->n + extra <= s->cap) return;
    size_t cap = s->cap ? s->cap : 64;
    while (cap < s->n + extra) cap *= 2;
    s->near = g_renew(evs_entry, s->near, cap);
    s->cap = cap;
}

static inline size_t evs_near_size(const sim_evset *s) { return s->n - s->head; }

/* Inserts e in order. `e` is passed by value so that it stays in registers:
 * a copy of a struct just stored field by field stalls on store forwarding. */
static inline void evs_near_insert(sim_evset *s, const evs_entry ev)
{
    const evs_entry *e = &ev;
    if (G_UNLIKELY(s->n == s->cap)) evs_near_make_room(s, 1);
    evs_entry *a = s->near;
    size_t j = s->n;
    if (j == s->head || !evs_less(e, &a[j - 1])) {  /* the common case: last */
        a[s->n++] = *e;
        return;
    }
    if (j - s->head <= 16) {                        /* short: shift while scanning */
        a[j] = a[j - 1];
        j--;
        while (j > s->head && evs_less(e, &a[j - 1])) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = *e;
        s->n++;
        return;
    }
    size_t lo = s->head, hi = j - 1;                /* binary search: first entry > e */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (evs_less(e, &a[mid])) hi = mid; else lo = mid + 1;
    }
    j = lo;
    if (s->head > 0 && j - s->head < s->n - j) {    /* shorter to shift the front left */
        memmove(&a[s->head - 1], &a[s->head], (j - s->head) * sizeof *a);
        s->head--;
        a[j - 1] = *e;
    } else {
        memmove(&a[j + 1], &a[j], (s->n - j) * sizeof *a);
        a[j] = *e;
        s->n++;
    }
}

static int evs_cmp(const void *x, const void *y)
{
    return evs_less(x, y) ? -1 : evs_less(y, x) ? 1 : 0;
}

/* Insertion sort of near[0..n): linear on a run that is nearly sorted. */
static void evs_near_insertion_sort(sim_evset *s)
{
    evs_entry *a = s->near;
    for (size_t i = 1; i < s->n; i++) {
        if (!evs_less(&a[i], &a[i - 1])) continue;     /* the common case */
        evs_entry e = a[i];
        size_t j = i;
        do {
            a[j] = a[j - 1];
            j--;
        } while (j > 0 && evs_less(&e, &a[j - 1]));
        a[j] = e;
    }
}

/* ---- rungs ---- */

static inline uint32_t evs_next_pow2(uint64_t x)
{
    uint32_t p = 1;
    while (p < x && p < EVS_MAX_NB) p <<= 1;
    return p;
}

/* Opens rung[nrungs] over [lo, end) with about `count` entries to come,
 * buckets no wider than 2^max_shift. Returns it, empty. */
static evs_rung *evs_rung_open(sim_evset *s, sim_time lo, sim_time end, size_t count, unsigned per_bucket, unsigned max_shift)
{
    g_assert(s->nrungs < EVS_MAX_RUNGS && lo < end);
    evs_rung *r = &s->rung[s->nrungs++];
    uint64_t range = (uint64_t)end - (uint64_t)lo;
    uint32_t want = evs_next_pow2(count / per_bucket + 1);
    unsigned shift = 0;
    while (((range - 1) >> shift) >= want) shift++;   /* want << shift >= range */
    if (shift > max_shift) shift = max_shift;
    uint64_t nb = ((range - 1) >> shift) + 1;
    if (nb > EVS_MAX_NB) {                             /* only if max_shift bound it */
        nb = EVS_MAX_NB;
        while ((((range - 1) >> shift) + 1) > nb) shift++;
        nb = ((range - 1) >> shift) + 1;
    }
    if (nb > r->cap) {
        g_free(r->b);
        r->cap = (uint32_t)nb;
        r->b = g_new(evs_bucket, r->cap);
    }
    memset(r->b, 0, nb * sizeof *r->b);
    r->lo = lo;
    r->end = end;
    r->shift = shift;
    r->nb = (uint32_t)nb;
    r->cur = 0;
    return r;
}

static inline void evs_rung_add(sim_evset *s, evs_rung *r, const evs_entry *e)
{
    evs_bucket_add(s, &r->b[(uint64_t)(e->time - r->lo) >> r->shift], e);
}

/* Moves every entry of a chunk stack into rung r, freeing the chunks.
 * `warm`: the entries will pop soon (a split bucket, a few thousand at
 * most), so start fetching their slots now: pop reads each one, and
 * otherwise pays a cache miss per event on large sets. */
static void evs_scatter(sim_evset *s, evs_chunk *c, evs_rung *r, gboolean warm)
{
    while (c) {
        evs_chunk *next = c->next;
        if (next) {                                    /* a chunk spans 8 lines */
            for (size_t off = 0; off < sizeof *next; off += 64) __builtin_prefetch((const char *)next + off);
        }
        for (uint32_t i = 0; i < c->n; i++) {
            if (warm) __builtin_prefetch(&s->slots[c->e[i].slot]);
            evs_rung_add(s, r, &c->e[i]);
        }
        evs_chunk_free(s, c);
        c = next;
    }
}

/* The top becomes rung 0, sized from its bounds. */
static void evs_top_to_rung(sim_evset *s)
{
    size_t count = s->top.count;
    /* A rung needs lo < end; a top holding only SIM_TIME_MAX gets one spare ns. */
    sim_time lo = s->top_min == SIM_TIME_MAX ? SIM_TIME_MAX - 1 : s->top_min;
    uint64_t range = (uint64_t)s->top_max - (uint64_t)lo + 1;
    uint32_t want = evs_next_pow2(count / EVS_PER_BUCKET + 1);
    unsigned shift = 0;
    while (((range - 1) >> shift) >= want) shift++;
    /* Let the rung reach as far as its last bucket: later pushes land in
     * buckets, not in the top. */
    uint64_t span = (((range - 1) >> shift) + 1) << shift;
    sim_time end = span > (uint64_t)(SIM_TIME_MAX - lo) ? SIM_TIME_MAX : lo + (sim_time)span;
    evs_rung *r = evs_rung_open(s, lo, end, count, EVS_PER_BUCKET, 63);
    evs_chunk *c = evs_bucket_take(&s->top);
    evs_scatter(s, c, r, FALSE);
    s->top_start = r->end;
    s->top_min = SIM_TIME_MAX;
    s->top_max = 0;
}

/* Moves the bottom into a new finest rung over [min, bottom_end). */
static __attribute__((noinline)) void evs_spill_bottom(sim_evset *s)
{
    sim_time lo = s->near[s->head].time, hi = s->near[s->n - 1].time;
    sim_time end = s->bottom_end;
    if (s->nrungs == 0 && s->top.count == 0) {
        /* Unbounded bottom: the new rung 0 ends just past its maximum. */
        end = hi == SIM_TIME_MAX ? SIM_TIME_MAX : hi + 1;
    }
    if (end - lo < 2) {                                /* nothing to separate: */
        s->spill_at = 2 * evs_near_size(s);            /* retry only after doubling */
        return;
    }
    evs_rung *r = evs_rung_open(s, lo, end, evs_near_size(s), EVS_PER_CHILD, 63);
    for (size_t i = s->head; i < s->n; i++) evs_rung_add(s, r, &s->near[i]);
    s->head = s->n = 0;
    s->spill_at = EVS_BOTTOM_MAX;
    if (s->nrungs == 1) s->top_start = r->end;
    s->bottom_end = lo;
}

/* Moves a chunk stack into the (empty) bottom and sorts it. */
static void evs_fill_bottom_qsort(sim_evset *s, evs_chunk *c)
{
    while (c) {
        evs_chunk *next = c->next;
        memcpy(&s->near[s->n], c->e, c->n * sizeof *c->e);
        s->n += c->n;
        evs_chunk_free(s, c);
        c = next;
    }
    qsort(s->near, s->n, sizeof *s->near, evs_cmp);
}

/* Turns 64 bin counts (summing to <= 64) into exclusive prefix sums, the
 * bins' first positions. `w` is `n` seen as 8 words: on a little-endian
 * machine, multiplying a word by 0x01..01 adds each byte to every byte
 * above it, 8 bins at once (no byte overflows, the sum being <= 64). */
static inline void evs_bins_to_offsets(uint8_t *n, uint64_t *w)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    (void)n;
    uint64_t below = 0;
    for (unsigned i = 0; i < EVS_BINS / 8; i++) {
        uint64_t incl = w[i] * 0x0101010101010101u;
        w[i] = (incl << 8) + below * 0x0101010101010101u;
        below += incl >> 56;
    }
#else
    (void)w;
    uint8_t below = 0;
    for (unsigned i = 0; i < EVS_BINS; i++) {
        uint8_t k = n[i];
        n[i] = below;
        below += k;
    }
#endif
}

/* Moves a bucket's chunk stack (every entry in [lo, lo + 2^shift)) into
 * the empty bottom, sorted. A counting sort on each entry's 1/64th of the
 * bucket comes first, so the insertion sort after it (which orders
 * entries of one sub-bin, and ties by seq) finds the run nearly sorted.
 * Insertion sort alone made n^2/4 moves of a bucket's ~20 entries and
 * mispredicted one loop exit per entry: a third of a hold at 10^3
 * pending (docs/performance.md). The bin index is masked so that no time
 * can write outside the bins; order never rests on the bins, only speed. */
static void evs_fill_bottom(sim_evset *s, evs_chunk *c, size_t count, sim_time lo, unsigned shift)
{
    s->head = s->n = 0;
    if (count > s->cap) evs_near_make_room(s, count);
    if (count > EVS_BINS) {                            /* only when times cannot be told apart */
        evs_fill_bottom_qsort(s, c);
        return;
    }
    const unsigned sub = shift > EVS_BINS_LOG ? shift - EVS_BINS_LOG : 0;
    union { uint8_t n[EVS_BINS]; uint64_t w[EVS_BINS / 8]; } bin = { .w = { 0 } };
    for (const evs_chunk *k = c; k; k = k->next)
        for (uint32_t i = 0; i < k->n; i++) {
            __builtin_prefetch(&s->slots[k->e[i].slot]);
            bin.n[((uint64_t)(k->e[i].time - lo) >> sub) & (EVS_BINS - 1)]++;
        }
    evs_bins_to_offsets(bin.n, bin.w);
    while (c) {
        evs_chunk *next = c->next;
        for (uint32_t i = 0; i < c->n; i++)
            s->near[bin.n[((uint64_t)(c->e[i].time - lo) >> sub) & (EVS_BINS - 1)]++] = c->e[i];
        evs_chunk_free(s, c);
        c = next;
    }
    s->n = count;
    evs_near_insertion_sort(s);
}

/* Software pipelining across refills: pop needs each entry's slot, and a
 * bucket's chunk is cold when its turn comes. So fetch the chunk of the
 * bucket after next, and the slots of the next bucket (whose chunk the
 * previous refill fetched), one bucket (a few hundred ns) ahead of use. */
static inline void evs_prefetch_ahead(sim_evset *s, const evs_rung *r)
{
    uint32_t next = r->cur + 1;
    if (next + 1 < r->nb && r->b[next + 1].head) __builtin_prefetch(r->b[next + 1].head);
    if (next < r->nb && r->b[next].head) {
        const evs_chunk *c = r->b[next].head;
        uint32_t fill = r->b[next].fill;
        for (uint32_t i = 0; i < fill; i++) __builtin_prefetch(&s->slots[c->e[i].slot]);
    }
}

/* Refills the empty bottom from the rungs or the top. FALSE if the set holds
 * no entry at all. */
static __attribute__((noinline)) gboolean evs_refill(sim_evset *s)
{
    for (;;) {
        if (s->nrungs == 0) {
            if (s->top.count == 0) {
                evs_reset_levels(s);
                return FALSE;
            }
            evs_top_to_rung(s);
        }
        evs_rung *r = &s->rung[s->nrungs - 1];
        while (r->cur < r->nb && r->b[r->cur].count == 0) r->cur++;
        if (r->cur == r->nb) {                         /* exhausted */
            s->nrungs--;
            s->bottom_end = r->end;
            continue;
        }
        evs_bucket *b = &r->b[r->cur];
        evs_prefetch_ahead(s, r);
        sim_time bstart = r->lo + (sim_time)((uint64_t)r->cur << r->shift);
        uint64_t width = (uint64_t)1 << r->shift;
        sim_time bend = (uint64_t)(r->end - bstart) <= width ? r->end : bstart + (sim_time)width;
        r->cur++;
        if (b->count > EVS_THRES && r->shift > 0 && s->nrungs < EVS_MAX_RUNGS) {
            size_t count = b->count;
            evs_chunk *c = evs_bucket_take(b);
            evs_rung *child = evs_rung_open(s, bstart, bend, count, EVS_PER_CHILD, r->shift - 1);
            evs_scatter(s, c, child, count <= EVS_WARM_MAX);
            continue;
        }
        size_t count = b->count;
        evs_fill_bottom(s, evs_bucket_take(b), count, bstart, r->shift);
        s->bottom_end = bend;
        if (s->spill_at != SIZE_MAX) s->spill_at = MAX(EVS_BOTTOM_MAX, 2 * count);
        return TRUE;
    }
}

/* ---- sweeping cancelled entries ---- */

/* Keeps the live entries of a chunk stack, compacted into fewer chunks. */
static void evs_sweep_bucket(sim_evset *s, evs_bucket *b)
{
    evs_chunk *c = evs_bucket_take(b);
    while (c) {
        evs_chunk *next = c->next;
        for (uint32_t i = 0; i < c->n; i++) {
            if (evs_live(s, &c->e[i])) evs_bucket_add(s, b, &c->e[i]);
            else evs_slot_release(s, c->e[i].slot);
        }
        evs_chunk_free(s, c);
        c = next;
    }
}

/* Drops every cancelled entry: O(entries held), paid for by the
 * cancellations that made at least half of them dead. */
static __attribute__((noinline)) void evs_sweep(sim_evset *s)
{
    size_t k = 0;
    for (size_t i = s->head; i < s->n; i++) {
        if (evs_live(s, &s->near[i])) s->near[k++] = s->near[i];
        else evs_slot_release(s, s->near[i].slot);
    }
    s->head = 0;
    s->n = k;                                          /* still sorted */
    for (int i = 0; i < s->nrungs; i++) {
        evs_rung *r = &s->rung[i];
        for (uint32_t j = r->cur; j < r->nb; j++)
            if (r->b[j].count) evs_sweep_bucket(s, &r->b[j]);
    }
    evs_sweep_bucket(s, &s->top);
    s->dead = 0;
}

/* ---- API ---- */

/* Files an entry at or after bottom_end: into the finest rung whose range
 * holds it, or the top. */
static inline void evs_push_far(sim_evset *s, sim_time time, uint64_t seq, uint32_t slot)
{
    const evs_entry ent = { time, seq, slot }, *e = &ent;
    int i = s->nrungs - 1;
    while (i >= 0 && e->time >= s->rung[i].end) i--;
    if (i >= 0) {
        evs_rung_add(s, &s->rung[i], e);
    } else {
        evs_bucket_add(s, &s->top, e);
        if (e->time < s->top_min) s->top_min = e->time;
        if (e->time > s->top_max) s->top_max = e->time;
    }
}

uint64_t sim_evset_push(sim_evset *s, sim_time time, void *fn, void *data, uint64_t arg)
{
    g_return_val_if_fail(time >= 0, 0);
    uint32_t slot = evs_slot_alloc(s);
    evs_slot *sl = &s->slots[slot];
    sl->fn = fn;
    sl->data = data;
    sl->arg = arg;
    uint32_t gen = ++sl->gen;
    evs_entry e = { time, s->seq++, slot };
    s->live++;
    if (time < s->bottom_end) {
        evs_near_insert(s, e);
        if (G_UNLIKELY(evs_near_size(s) > s->spill_at) && s->nrungs < EVS_MAX_RUNGS) evs_spill_bottom(s);
    } else {
        evs_push_far(s, e.time, e.seq, e.slot);   /* by value: see evs_near_insert */
    }
    return ((uint64_t)gen << 32) | slot;
}

gboolean sim_evset_pop(sim_evset *s, sim_evset_item *out)
{
    return sim_evset_pop_until(s, SIM_TIME_MAX, out);
}

/* Makes near[head] the earliest live entry; FALSE if the set is empty. */
static inline gboolean evs_settle(sim_evset *s)
{
    for (;;) {
        if (G_UNLIKELY(s->head == s->n) && !evs_refill(s)) return FALSE;
        evs_entry *e = &s->near[s->head];
        if (G_LIKELY(evs_live(s, e))) return TRUE;
        evs_slot_release(s, e->slot);
        s->dead--;
        s->head++;
    }
}

gboolean sim_evset_pop_until(sim_evset *s, sim_time end, sim_evset_item *out)
{
    if (!evs_settle(s) || s->near[s->head].time > end) return FALSE;
    evs_entry e = s->near[s->head++];
    /* The next pop reads the next entry's slot: start fetching it now, so
     * the miss overlaps with whatever the caller does with this event. */
    if (s->head < s->n) __builtin_prefetch(&s->slots[s->near[s->head].slot]);
    evs_slot *sl = &s->slots[e.slot];
    *out = (sim_evset_item){ e.time, e.seq, sl->fn, sl->data, sl->arg };
    sl->gen++;
    evs_slot_release(s, e.slot);
    s->live--;
    if (G_UNLIKELY(s->dead > s->live + SIM_EVSET_DEAD_SLACK)) evs_sweep(s);
    return TRUE;
}

sim_time sim_evset_peek_time(sim_evset *s)
{
    return evs_settle(s) ? s->near[s->head].time : SIM_TIME_MAX;
}

static evs_slot *evs_lookup(const sim_evset *s, uint64_t handle)
{
    uint32_t slot = (uint32_t)handle, gen = (uint32_t)(handle >> 32);
    if (!(gen & 1) || slot >= s->nslots || s->slots[slot].gen != gen) return NULL;
    return &s->slots[slot];
}

gboolean sim_evset_cancel(sim_evset *s, uint64_t handle)
{
    evs_slot *sl = evs_lookup(s, handle);
    if (!sl) return FALSE;
    sl->gen++;
    s->live--;
    s->dead++;
    if (s->dead > s->live + SIM_EVSET_DEAD_SLACK) evs_sweep(s);
    return TRUE;
}

uint64_t sim_evset_reschedule(sim_evset *s, uint64_t handle, sim_time time)
{
    evs_slot *sl = evs_lookup(s, handle);
    if (!sl) return 0;
    void *fn = sl->fn, *data = sl->data;
    uint64_t arg = sl->arg;
    sim_evset_cancel(s, handle);
    return sim_evset_push(s, time, fn, data, arg);
}

gboolean sim_evset_contains(const sim_evset *s, uint64_t handle)
{
    return evs_lookup(s, handle) != NULL;
}

size_t sim_evset_size(const sim_evset *s) { return s->live; }

size_t sim_evset_held(const sim_evset *s) { return s->live + s->dead; }

uint64_t sim_evset_next_seq(const sim_evset *s) { return s->seq; }
