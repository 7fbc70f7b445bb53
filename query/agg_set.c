/*
 * Exact sets of values for dcount, count_distinct, make_set and make_bag
 * (agg_int.h, sl_qagg_set_t).
 *
 * Our dcount is exact, where Kusto's is a HyperLogLog estimate: a set is
 * what makes that affordable. Values live in dense arrays in first-seen
 * order (so make_set lists them as they arrived, and merging partials
 * keeps each partial's order); a separate open-addressing table of 32-bit
 * indexes, at most 3/4 full, finds them. Each value keeps its 64-bit hash,
 * so the table grows without touching the values, and a probe compares
 * the hash before the value.
 *
 * A set starts tiny (4 values, 8 table slots) because summarize may keep
 * one per group for a million groups; it doubles as it fills. Growth is
 * charged to the query before the memory is taken.
 */
#include "query/agg_int.h"

#define SET_MIN_CAP 4u

static size_t arrays_bytes(uint32_t cap, uint32_t tslots)
{
    return (size_t)cap * 16 + (size_t)tslots * 4;
}

size_t sl_qagg_set_bytes(const sl_qagg_set_t *s)
{
    if (!s) {
        return 0;
    }
    return sizeof *s + arrays_bytes(s->cap, s->tmask + 1) + s->arena.cap;
}

int sl_qagg_set_create(bool text, sl_qrt_t *rt, sl_qagg_set_t **out)
{
    int rc = sl_qrt_charge(
      rt, (int64_t)(sizeof(sl_qagg_set_t) + arrays_bytes(SET_MIN_CAP, 2 * SET_MIN_CAP)));
    if (rc) {
        return rc;
    }
    sl_qagg_set_t *s = sl_xcalloc(1, sizeof *s);
    s->text = text;
    s->cap = SET_MIN_CAP;
    s->tmask = 2 * SET_MIN_CAP - 1;
    s->keys = sl_xmalloc(SET_MIN_CAP * sizeof *s->keys);
    s->hashes = sl_xmalloc(SET_MIN_CAP * sizeof *s->hashes);
    s->table = sl_xcalloc(2 * SET_MIN_CAP, sizeof *s->table);
    *out = s;
    return 0;
}

void sl_qagg_set_destroy(sl_qagg_set_t *s)
{
    if (!s) {
        return;
    }
    sl_free(s->keys);
    sl_free(s->hashes);
    sl_free(s->table);
    sl_buf_dispose(&s->arena);
    sl_free(s);
}

/* Doubles the value arrays and the table. */
static int grow(sl_qagg_set_t *s, sl_qrt_t *rt)
{
    if (s->cap >= UINT32_MAX / 4) {
        return sl_diag_set(rt->d, SL_ELIMIT, "too many distinct values in one group");
    }
    uint32_t cap = s->cap * 2, tslots = (s->tmask + 1) * 2;
    int rc =
      sl_qrt_charge(rt, (int64_t)(arrays_bytes(cap, tslots) - arrays_bytes(s->cap, s->tmask + 1)));
    if (rc) {
        return rc;
    }
    s->keys = sl_xrealloc(s->keys, (size_t)cap * sizeof *s->keys);
    s->hashes = sl_xrealloc(s->hashes, (size_t)cap * sizeof *s->hashes);
    sl_free(s->table);
    s->table = sl_xcalloc(tslots, sizeof *s->table);
    s->cap = cap;
    s->tmask = tslots - 1;
    for (uint32_t i = 0; i < s->n; i++) {
        size_t j = s->hashes[i] & s->tmask;
        while (s->table[j]) {
            j = (j + 1) & s->tmask;
        }
        s->table[j] = i + 1;
    }
    return 0;
}

/* Appends value `key` (hash h) at table slot j, growing first if the set
 * is full; `j` is re-found after a growth. */
static int append(sl_qagg_set_t *s, uint64_t key, uint64_t h, size_t j, sl_qrt_t *rt)
{
    if (s->n == s->cap) {
        int rc = grow(s, rt);
        if (rc) {
            return rc;
        }
        j = h & s->tmask;
        while (s->table[j]) {
            j = (j + 1) & s->tmask;
        }
    }
    s->keys[s->n] = key;
    s->hashes[s->n] = h;
    s->table[j] = ++s->n;
    return 0;
}

int sl_qagg_set_add_u64(sl_qagg_set_t *s, uint64_t key, uint64_t h, bool *added, sl_qrt_t *rt)
{
    size_t j = h & s->tmask;
    for (uint32_t t; (t = s->table[j]) != 0; j = (j + 1) & s->tmask) {
        if (s->hashes[t - 1] == h && s->keys[t - 1] == key) {
            if (added) {
                *added = false;
            }
            return 0;
        }
    }
    if (added) {
        *added = true;
    }
    return append(s, key, h, j, rt);
}

int sl_qagg_set_add_text(sl_qagg_set_t *s,
                         const char *p,
                         size_t n,
                         uint64_t h,
                         bool *added,
                         sl_qrt_t *rt)
{
    size_t j = h & s->tmask;
    for (uint32_t t; (t = s->table[j]) != 0; j = (j + 1) & s->tmask) {
        if (s->hashes[t - 1] != h) {
            continue;
        }
        size_t vn;
        const char *v = sl_qagg_set_text(s, t - 1, &vn);
        if (vn == n && memcmp(v, p, n) == 0) {
            if (added) {
                *added = false;
            }
            return 0;
        }
    }
    if (added) {
        *added = true;
    }
    if (n > UINT32_MAX - 4) {
        return sl_diag_set(rt->d, SL_ELIMIT, "value too large for a set");
    }
    uint64_t off = s->arena.len;
    uint32_t len32 = (uint32_t)n;
    int rc = sl_qagg_buf_append(&s->arena, (const char *)&len32, 4, rt);
    if (!rc) {
        rc = sl_qagg_buf_append(&s->arena, p, n, rt);
    }
    if (!rc) {
        rc = append(s, off, h, j, rt);
    }
    if (rc) {
        s->arena.len = off; /* keep the arena and the values in step */
    }
    return rc;
}

int sl_qagg_set_merge(sl_qagg_set_t *dst, const sl_qagg_set_t *src, sl_qrt_t *rt)
{
    for (uint32_t i = 0; i < src->n; i++) {
        int rc;
        if (src->text) {
            size_t n;
            const char *p = sl_qagg_set_text(src, i, &n);
            rc = sl_qagg_set_add_text(dst, p, n, src->hashes[i], NULL, rt);
        } else {
            rc = sl_qagg_set_add_u64(dst, src->keys[i], src->hashes[i], NULL, rt);
        }
        if (rc) {
            return rc;
        }
    }
    return 0;
}

int sl_qagg_set_merge_into(sl_qagg_set_t **dst, sl_qagg_set_t **src, sl_qrt_t *rt)
{
    int rc = 0;
    if (!*src) {
        return 0;
    }
    if (!*dst) {
        *dst = *src;
        *src = NULL;
        return 0;
    }
    rc = sl_qagg_set_merge(*dst, *src, rt);
    /* The caller frees src next; its memory leaves the budget here. */
    sl_qrt_charge(rt, -(int64_t)sl_qagg_set_bytes(*src));
    sl_qagg_set_destroy(*src);
    *src = NULL;
    return rc;
}
