/*
 * Per-block term filters: a Bloom filter of the long terms of each string
 * column, stored (sealed, like everything but the header) with the block.
 *
 * A query looking for a rare identifier (`where Msg has "a65ed389..."`)
 * checks each block's filter before decrypting and decompressing the
 * column, and skips blocks that certainly lack the term — most of them.
 *
 * Terms are what KQL's `has` matches: maximal runs of ASCII letters,
 * digits and bytes >= 0x80, folded to ASCII lower case. Only terms of
 * SL_TERM_MIN_LEN characters or more are indexed: identifiers, hashes and
 * long words, which is what rare-term searches look for; short terms
 * (IP octets, "the", "error") are everywhere and would only grow the
 * filter. A probe with a shorter term cannot use the filter.
 *
 * Filter: 2^b bits, sized for ~10 bits per distinct indexed term (about 1%
 * false positives with 7 probes), from 1 Kibit to 8 Mibit. Bit positions
 * come from one 64-bit hash by double hashing.
 */
#include "store/store_int.h"

#include <string.h>

#define PROBES 7
#define MIN_BITS_LOG2 10
#define MAX_BITS_LOG2 23

static inline bool term_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c >= 0x80;
}

static inline unsigned char lower(unsigned char c)
{
    return (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

static inline uint64_t finish(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

uint64_t sl_store_term_hash(const char *s, size_t n)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < n; i++)
        h = (h ^ lower((unsigned char)s[i])) * UINT64_C(0x100000001b3);
    return finish(h ^ n);
}

size_t sl_store_terms(const char *s, size_t n, uint64_t *hashes, size_t max, bool *short_term)
{
    size_t k = 0;
    if (short_term)
        *short_term = false;
    size_t i = 0;
    while (i < n) {
        while (i < n && !term_char((unsigned char)s[i]))
            i++;
        size_t st = i;
        while (i < n && term_char((unsigned char)s[i]))
            i++;
        if (i == st)
            break;
        if (i - st < SL_TERM_MIN_LEN) {
            if (short_term)
                *short_term = true;
            continue;
        }
        if (k < max)
            hashes[k] = sl_store_term_hash(s + st, i - st);
        k++;
    }
    return k;
}

/* A set of 64-bit hashes (open addressing; 0 stands for empty, so a hash
 * of 0 is stored as 1 — a harmless merge for a Bloom filter). */
typedef struct hset {
    uint64_t *v;
    size_t cap, n;
} hset_t;

static void hset_add(hset_t *s, uint64_t h)
{
    if (!h)
        h = 1;
    if ((s->n + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        uint64_t *v = sl_xcalloc(cap, sizeof *v);
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->v[i])
                continue;
            size_t at = s->v[i] & (cap - 1);
            while (v[at])
                at = (at + 1) & (cap - 1);
            v[at] = s->v[i];
        }
        sl_free(s->v);
        s->v = v;
        s->cap = cap;
    }
    size_t at = h & (s->cap - 1);
    while (s->v[at]) {
        if (s->v[at] == h)
            return;
        at = (at + 1) & (s->cap - 1);
    }
    s->v[at] = h;
    s->n++;
}

static inline void set_bits(uint8_t *bits, unsigned log2, uint64_t h)
{
    uint64_t mask = ((uint64_t)1 << log2) - 1;
    uint64_t a = h, b = (h >> 32) | 1;
    for (int i = 0; i < PROBES; i++) {
        uint64_t bit = (a + (uint64_t)i * b) & mask;
        bits[bit >> 3] |= (uint8_t)(1u << (bit & 7));
    }
}

bool sl_store__terms_build(const sl_col_t *c, sl_buf_t *out)
{
    if (c->type != SL_TYPE_STRING || !c->n)
        return false;
    hset_t set = { 0 };
    const uint32_t *o = (const uint32_t *)c->offs.data;
    const char *data = c->data.data;
    for (size_t r = 0; r < c->n; r++) {
        const char *s = data + o[r];
        size_t n = o[r + 1] - o[r], i = 0;
        while (i < n) {
            while (i < n && !term_char((unsigned char)s[i]))
                i++;
            size_t st = i;
            while (i < n && term_char((unsigned char)s[i]))
                i++;
            if (i - st >= SL_TERM_MIN_LEN)
                hset_add(&set, sl_store_term_hash(s + st, i - st));
        }
    }
    /* A column without long terms gets an all-zero filter: it proves
     * every probe absent. */
    unsigned log2 = MIN_BITS_LOG2;
    while (log2 < MAX_BITS_LOG2 && ((size_t)1 << log2) < set.n * 10)
        log2++;
    size_t bytes = (size_t)1 << (log2 - 3);
    sl_buf_reset(out);
    sl_buf_putc(out, (char)log2);
    sl_buf_reserve(out, bytes);
    uint8_t *bits = (uint8_t *)out->data + out->len;
    memset(bits, 0, bytes);
    for (size_t i = 0; i < set.cap; i++)
        if (set.v[i])
            set_bits(bits, log2, set.v[i]);
    out->len += bytes;
    sl_free(set.v);
    return true;
}

bool sl_store__terms_may_have(const uint8_t *f, size_t n, uint64_t h)
{
    if (n < 1)
        return true;
    unsigned log2 = f[0];
    if (log2 < 3 || log2 > 30 || n != 1 + ((size_t)1 << (log2 - 3)))
        return true; /* not a filter we understand: no pruning */
    if (!h)
        h = 1;
    const uint8_t *bits = f + 1;
    uint64_t mask = ((uint64_t)1 << log2) - 1;
    uint64_t a = h, b = (h >> 32) | 1;
    for (int i = 0; i < PROBES; i++) {
        uint64_t bit = (a + (uint64_t)i * b) & mask;
        if (!(bits[bit >> 3] >> (bit & 7) & 1))
            return false;
    }
    return true;
}
