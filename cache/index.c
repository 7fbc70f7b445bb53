/*
 * The in-memory index: one small record per cached block (ids, times, size,
 * last access), so that a read knows at once whether to look in the cache,
 * and eviction can rank blocks without touching the disk. It is rebuilt
 * from the environments' clear headers when a scope is attached.
 *
 * Open addressing with linear probing and backward-shift deletion (no
 * tombstones, so lookups stay short however much churn there is). Block ids
 * are random 64-bit numbers; a multiplicative mix still spreads them in case
 * a caller's ids are not. The caller (cache.c, writer.c) holds the cache's
 * mutex around every call.
 *
 * Eviction ranks by (inside the hot window?, last access): everything
 * outside the window goes before anything inside it, least recently used
 * first in both groups. Ranking sorts a snapshot of the index; the writer
 * asks for a few percent more than it needs, so this runs seldom.
 */
#include "cache/cache_int.h"

#include <stdlib.h>
#include <string.h>

static size_t slot_of(const sl_cache_idx_t *x, uint64_t id)
{
    return (size_t)((id * 0x9e3779b97f4a7c15u) >> 17) & (x->cap - 1);
}

void sl_cache__idx_dispose(sl_cache_idx_t *x)
{
    sl_free(x->slot);
    memset(x, 0, sizeof *x);
}

sl_cache_ent_t *sl_cache__idx_get(sl_cache_idx_t *x, uint64_t id)
{
    if (!x->cap || !id) {
        return NULL;
    }
    for (size_t i = slot_of(x, id);; i = (i + 1) & (x->cap - 1)) {
        if (x->slot[i].id == id) {
            return &x->slot[i];
        }
        if (!x->slot[i].id) {
            return NULL;
        }
    }
}

static void grow(sl_cache_idx_t *x)
{
    sl_cache_ent_t *old = x->slot;
    size_t ocap = x->cap;
    x->cap = ocap ? ocap * 2 : 1024;
    x->slot = sl_xcalloc(x->cap, sizeof *x->slot);
    for (size_t i = 0; i < ocap; i++) {
        if (!old[i].id) {
            continue;
        }
        size_t j = slot_of(x, old[i].id);
        while (x->slot[j].id) {
            j = (j + 1) & (x->cap - 1);
        }
        x->slot[j] = old[i];
    }
    sl_free(old);
}

sl_cache_ent_t *sl_cache__idx_put(sl_cache_idx_t *x, const sl_cache_ent_t *e)
{
    sl_cache_ent_t *have = sl_cache__idx_get(x, e->id);
    if (have) {
        *have = *e;
        return have;
    }
    if ((x->n + 1) * 2 > x->cap) {
        grow(x);
    }
    size_t i = slot_of(x, e->id);
    while (x->slot[i].id) {
        i = (i + 1) & (x->cap - 1);
    }
    x->slot[i] = *e;
    x->n++;
    return &x->slot[i];
}

bool sl_cache__idx_del(sl_cache_idx_t *x, uint64_t id, sl_cache_ent_t *old)
{
    sl_cache_ent_t *e = sl_cache__idx_get(x, id);
    if (!e) {
        return false;
    }
    if (old) {
        *old = *e;
    }
    /* Backward shift: pull later members of the probe run into the hole
     * when their home slot is at or before it. */
    size_t hole = (size_t)(e - x->slot), mask = x->cap - 1;
    for (size_t j = (hole + 1) & mask; x->slot[j].id; j = (j + 1) & mask) {
        size_t home = slot_of(x, x->slot[j].id);
        bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
        if (movable) {
            x->slot[hole] = x->slot[j];
            hole = j;
        }
    }
    memset(&x->slot[hole], 0, sizeof x->slot[hole]);
    x->n--;
    return true;
}

typedef struct ranked {
    int inside; /* 0: outside the window (goes first) */
    sl_ticks_t atime;
    uint64_t id, bytes;
    uint8_t scope;
} ranked_t;

static int cmp_rank(const void *a, const void *b)
{
    const ranked_t *x = a, *y = b;
    if (x->inside != y->inside) {
        return x->inside - y->inside;
    }
    if (x->atime != y->atime) {
        return x->atime < y->atime ? -1 : 1;
    }
    return x->id < y->id ? -1 : x->id > y->id;
}

size_t sl_cache__idx_victims(const sl_cache_idx_t *x, sl_ticks_t win, uint64_t need,
                             sl_cache_victim_t **out)
{
    *out = NULL;
    if (!x->n || !need) {
        return 0;
    }
    ranked_t *r = sl_xmalloc(x->n * sizeof *r);
    size_t n = 0;
    for (size_t i = 0; i < x->cap; i++) {
        const sl_cache_ent_t *e = &x->slot[i];
        if (e->id) {
            r[n++] = (ranked_t){ e->tmax >= win, e->atime, e->id, e->bytes, e->scope };
        }
    }
    qsort(r, n, sizeof *r, cmp_rank);
    sl_cache_victim_t *v = sl_xmalloc(n * sizeof *v);
    size_t k = 0;
    uint64_t freed = 0;
    while (k < n && freed < need) {
        v[k] = (sl_cache_victim_t){ r[k].id, r[k].scope };
        freed += r[k].bytes;
        k++;
    }
    sl_free(r);
    *out = v;
    return k;
}

uint64_t sl_cache__idx_below(const sl_cache_idx_t *x, sl_ticks_t win, sl_ticks_t atime)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < x->cap; i++) {
        const sl_cache_ent_t *e = &x->slot[i];
        if (e->id && (e->tmax < win || e->atime < atime)) {
            sum += e->bytes;
        }
    }
    return sum;
}
