/*
 * Constant sets for `in`, `in~`, `has_any`: built once at bind time from
 * the literal items (and the elements of dynamic arrays among them), then
 * probed once per row by every scan thread.
 *
 * The set is an open-addressing table of 32-bit slot indexes over an entry
 * array, both in the bind pool (so nothing is freed by hand and a probe
 * never allocates). Strings are hashed as bytes; a case-folding set stores
 * them lower-cased and folds each probe into a small stack buffer (longer
 * probes fold in pieces while hashing and comparing, so no length is too
 * long). Reals are stored by bit pattern with -0 normalised to 0, so that
 * 0.0 in (-0.0) holds; NaN is never a member (NaN == NaN is false).
 */
#include "query/fn_text_int.h"

#include <math.h>
#include <string.h>

typedef struct entry {
    uint64_t h;
    const char *p; /* text entries (NULL for numbers) */
    size_t n;
    int64_t v; /* numbers: the value or the double's bits */
} entry_t;

struct sl_qset {
    sl_pool_t *pool;
    bool fold;
    entry_t *e;
    size_t n, cap;
    uint32_t *slot; /* index + 1, 0 = empty */
    size_t mask;
};

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

/* FNV-1a over 8-byte words (with a lower-casing variant), then mixed. */
static uint64_t hash_words(const char *s, size_t n, bool fold)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325) ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (fold) {
            /* ASCII upper-case letters get bit 5 set; other bytes stay. */
            uint64_t hi = w & UINT64_C(0x8080808080808080);
            uint64_t x = w & ~UINT64_C(0x8080808080808080);
            uint64_t ge_a = (x + UINT64_C(0x3f3f3f3f3f3f3f3f)) & ~hi; /* >= 'A' */
            uint64_t gt_z = (x + UINT64_C(0x2525252525252525)) & ~hi; /* > 'Z' */
            uint64_t up = ge_a & ~gt_z & UINT64_C(0x8080808080808080);
            w |= up >> 2;
        }
        h = (h ^ w) * UINT64_C(0x100000001b3);
        h ^= h >> 29;
    }
    /* The tail is assembled byte by byte in both variants so that a folded
     * probe and a stored lower-case string hash alike on any byte order. */
    uint64_t tail = 0;
    for (size_t k = 0; k < n - i; k++) {
        unsigned char c = (unsigned char)s[i + k];
        tail |= (uint64_t)(fold ? sl_qstr_lower1(c) : c) << (8 * k);
    }
    h = (h ^ tail) * UINT64_C(0x100000001b3);
    return mix(h);
}

uint64_t sl_qtext_hash(const char *s, size_t n)
{
    return hash_words(s, n, false);
}

sl_qset_t *sl_qset_new(sl_pool_t *pool, bool fold_case)
{
    sl_qset_t *s = sl_pool_calloc(pool, sizeof *s);
    s->pool = pool;
    s->fold = fold_case;
    return s;
}

static entry_t *push(sl_qset_t *s)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        entry_t *e = sl_pool_alloc(s->pool, cap * sizeof *e);
        if (s->n) {
            memcpy(e, s->e, s->n * sizeof *e);
        }
        s->e = e;
        s->cap = cap;
    }
    return &s->e[s->n++];
}

void sl_qset_add_text(sl_qset_t *s, const char *p, size_t n)
{
    entry_t *e = push(s);
    char *copy = sl_pool_alloc(s->pool, n + 1);
    for (size_t i = 0; i < n; i++) {
        copy[i] = s->fold ? (char)sl_qstr_lower1((unsigned char)p[i]) : p[i];
    }
    copy[n] = '\0';
    e->p = copy;
    e->n = n;
    e->v = 0;
    e->h = hash_words(copy, n, false);
}

void sl_qset_add_i64(sl_qset_t *s, int64_t v)
{
    entry_t *e = push(s);
    e->p = NULL;
    e->n = 0;
    e->v = v;
    e->h = mix((uint64_t)v);
}

static int64_t f64_key(double v)
{
    if (v == 0) {
        v = 0; /* -0.0 */
    }
    int64_t b;
    memcpy(&b, &v, 8);
    return b;
}

void sl_qset_add_f64(sl_qset_t *s, double v)
{
    if (isnan(v)) {
        return;
    }
    sl_qset_add_i64(s, f64_key(v));
}

size_t sl_qset_count(const sl_qset_t *s)
{
    return s->n;
}

void sl_qset_seal(sl_qset_t *s)
{
    size_t size = 16;
    while (size < 2 * s->n) {
        size *= 2;
    }
    s->slot = sl_pool_calloc(s->pool, size * sizeof *s->slot);
    s->mask = size - 1;
    for (size_t i = 0; i < s->n; i++) {
        size_t k = s->e[i].h & s->mask;
        while (s->slot[k]) {
            k = (k + 1) & s->mask;
        }
        s->slot[k] = (uint32_t)(i + 1);
    }
}

static bool text_eq_folded(const char *probe, const char *stored, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (sl_qstr_lower1((unsigned char)probe[i]) != (unsigned char)stored[i]) {
            return false;
        }
    }
    return true;
}

bool sl_qset_has_text(const sl_qset_t *s, const char *p, size_t n)
{
    if (!s->n) {
        return false;
    }
    uint64_t h = hash_words(p, n, s->fold);
    for (size_t k = h & s->mask; s->slot[k]; k = (k + 1) & s->mask) {
        const entry_t *e = &s->e[s->slot[k] - 1];
        if (e->h != h || e->n != n) {
            continue;
        }
        if (s->fold ? text_eq_folded(p, e->p, n) : memcmp(p, e->p, n) == 0) {
            return true;
        }
    }
    return false;
}

bool sl_qset_has_i64(const sl_qset_t *s, int64_t v)
{
    if (!s->n) {
        return false;
    }
    uint64_t h = mix((uint64_t)v);
    for (size_t k = h & s->mask; s->slot[k]; k = (k + 1) & s->mask) {
        const entry_t *e = &s->e[s->slot[k] - 1];
        if (e->h == h && e->v == v && !e->p) {
            return true;
        }
    }
    return false;
}

bool sl_qset_has_f64(const sl_qset_t *s, double v)
{
    return !isnan(v) && sl_qset_has_i64(s, f64_key(v));
}
