/*
 * A running query's shared state: its clock, deadline and cancellation,
 * memory budget and statistics. Worker threads touch it only through
 * atomics.
 */
#include "query/query_int.h"

#include <string.h>

void sl_qctx_init(sl_qctx_t *q, sl_ticks_t now, uint64_t deadline_ns, int64_t budget,
                  const _Atomic bool *cancel)
{
    memset(q, 0, sizeof *q);
    q->now = now;
    q->deadline_ns = deadline_ns;
    q->budget = budget;
    q->cancel = cancel;
}

void sl_qrt_init(sl_qrt_t *rt, sl_qctx_t *q, sl_diag_t *d)
{
    memset(rt, 0, sizeof *rt);
    rt->q = q;
    rt->now = q ? q->now : 0;
    rt->d = d;
}

int sl_qrt_charge(sl_qrt_t *rt, int64_t bytes)
{
    sl_qctx_t *q = rt->q;
    if (!q)
        return 0;
    int64_t now = atomic_fetch_add(&q->mem, bytes) + bytes;
    int64_t peak = atomic_load(&q->mem_peak);
    while (now > peak && !atomic_compare_exchange_weak(&q->mem_peak, &peak, now))
        ;
    if (bytes > 0 && q->budget && now > q->budget) {
        atomic_store(&q->stop, true);
        return sl_diag_set(rt->d, SL_ELIMIT,
                           "the query needs more than its memory budget of %lld MiB; narrow the "
                           "time range, filter earlier, or summarize",
                           (long long)(q->budget >> 20));
    }
    return 0;
}

sl_ticks_t sl_qrt_now(const sl_qrt_t *rt)
{
    return rt->now;
}

bool sl_qrt_stopped(const sl_qrt_t *rt)
{
    sl_qctx_t *q = rt->q;
    if (!q)
        return false;
    if (atomic_load_explicit(&q->stop, memory_order_relaxed))
        return true;
    if ((q->cancel && atomic_load(q->cancel)) ||
        (q->deadline_ns && sl_time_mono_ns() > q->deadline_ns)) {
        atomic_store(&q->stop, true);
        return true;
    }
    return false;
}
