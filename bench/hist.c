/*
 * A log-linear latency histogram, in the manner of HdrHistogram: values are
 * nanoseconds; each power of two from 128 ns up is split into 128 equal
 * buckets, so a bucket is never wider than 1/128 of the values in it, and
 * reporting a bucket's middle is off by at most 1/256 (0.4%) — inside the
 * 1% the report promises from 1 µs to 60 s. Recording is a shift, a
 * count-leading-zeros and an increment; 3,840 buckets (30 KiB) cover up to
 * 68.7 s, and the exact min, max and sum are kept beside them.
 */
#include "bench/load.h"

#include <string.h>

void sl_load_hist_init(sl_load_hist_t *h)
{
    memset(h, 0, sizeof *h);
    h->min_ns = UINT64_MAX;
}

size_t sl_load_hist_index(uint64_t ns)
{
    if (ns < SL_LOAD_HIST_SUB)
        return (size_t)ns;
    unsigned e = 63u - (unsigned)__builtin_clzll(ns); /* 2^e <= ns < 2^(e+1), e >= 7 */
    if (e >= SL_LOAD_HIST_MAX_EXP)
        return SL_LOAD_HIST_BUCKETS - 1;
    unsigned shift = e - 7;
    return SL_LOAD_HIST_SUB + (size_t)shift * SL_LOAD_HIST_SUB +
           (size_t)((ns >> shift) - SL_LOAD_HIST_SUB);
}

void sl_load_hist_bucket_range(size_t idx, uint64_t *lo, uint64_t *hi)
{
    if (idx < SL_LOAD_HIST_SUB) {
        *lo = idx;
        *hi = idx + 1;
        return;
    }
    size_t j = idx - SL_LOAD_HIST_SUB;
    unsigned shift = (unsigned)(j / SL_LOAD_HIST_SUB);
    uint64_t m = SL_LOAD_HIST_SUB + j % SL_LOAD_HIST_SUB;
    *lo = m << shift;
    *hi = (m + 1) << shift;
}

void sl_load_hist_record(sl_load_hist_t *h, uint64_t ns)
{
    h->b[sl_load_hist_index(ns)]++;
    h->count++;
    h->sum_ns += ns;
    if (ns < h->min_ns)
        h->min_ns = ns;
    if (ns > h->max_ns)
        h->max_ns = ns;
}

void sl_load_hist_merge(sl_load_hist_t *dst, const sl_load_hist_t *src)
{
    if (!src->count)
        return;
    for (size_t i = 0; i < SL_LOAD_HIST_BUCKETS; i++)
        dst->b[i] += src->b[i];
    dst->count += src->count;
    dst->sum_ns += src->sum_ns;
    dst->min_ns = SL_MIN(dst->min_ns, src->min_ns);
    dst->max_ns = SL_MAX(dst->max_ns, src->max_ns);
}

uint64_t sl_load_hist_quantile(const sl_load_hist_t *h, double q)
{
    if (!h->count)
        return 0;
    if (q <= 0)
        return h->min_ns;
    if (q >= 1)
        return h->max_ns;
    /* The rank of the value at q: the smallest value with at least q of the
     * samples at or below it (nearest-rank definition). */
    uint64_t rank = (uint64_t)(q * (double)h->count);
    if ((double)rank < q * (double)h->count)
        rank++;
    if (rank == 0)
        rank = 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < SL_LOAD_HIST_BUCKETS; i++) {
        seen += h->b[i];
        if (seen >= rank) {
            uint64_t lo, hi;
            sl_load_hist_bucket_range(i, &lo, &hi);
            uint64_t mid = lo + (hi - lo - 1) / 2;
            return SL_MAX(h->min_ns, SL_MIN(h->max_ns, mid));
        }
    }
    return h->max_ns;
}
