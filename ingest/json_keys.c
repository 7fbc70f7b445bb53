/*
 * Duplicate keys in large objects.
 *
 * The scanner compares each new key with the previous ones while an object
 * is small (json.c); that is quadratic, so an object with more than
 * SL_INGEST__JSON_LINEAR_KEYS members is checked once more when it closes,
 * here, with an open-addressing table over the doc's scratch array.
 *
 * The keys come from the peer, so the hash is keyed: SipHash-1-3 with a
 * random 128-bit key drawn once per doc (on the first large object). With
 * an unkeyed hash a client could send one object of a million colliding
 * keys and turn this check into 10^12 comparisons. Keys are hashed as
 * decoded bytes, so "a" and "\u0061" collide and are then compared.
 *
 * Table entries are 64-bit: the high half holds 32 bits of the hash (most
 * unequal keys in a probe chain are rejected without touching the input),
 * the low half the key's token index + 1 (0 marks an empty slot).
 */
#include "ingest/ingest_int.h"

#include <string.h>

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                               \
    do {                                                                                       \
        v0 += v1;                                                                              \
        v1 = ROTL(v1, 13);                                                                     \
        v1 ^= v0;                                                                              \
        v0 = ROTL(v0, 32);                                                                     \
        v2 += v3;                                                                              \
        v3 = ROTL(v3, 16);                                                                     \
        v3 ^= v2;                                                                              \
        v0 += v3;                                                                              \
        v3 = ROTL(v3, 21);                                                                     \
        v3 ^= v0;                                                                              \
        v2 += v1;                                                                              \
        v1 = ROTL(v1, 17);                                                                     \
        v1 ^= v2;                                                                              \
        v2 = ROTL(v2, 32);                                                                     \
    } while (0)

/* SipHash-1-3 (one compression round, three finalisation rounds). */
static uint64_t siphash13(const uint64_t key[2], const uint8_t *p, size_t n)
{
    uint64_t v0 = UINT64_C(0x736f6d6570736575) ^ key[0];
    uint64_t v1 = UINT64_C(0x646f72616e646f6d) ^ key[1];
    uint64_t v2 = UINT64_C(0x6c7967656e657261) ^ key[0];
    uint64_t v3 = UINT64_C(0x7465646279746573) ^ key[1];
    uint64_t b = (uint64_t)n << 56;
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t m = sl_load_u64le(p);
        v3 ^= m;
        SIPROUND;
        v0 ^= m;
    }
    for (size_t i = 0; i < n; i++) {
        b |= (uint64_t)p[i] << (8 * i);
    }
    v3 ^= b;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

int sl_ingest__json_dup_error(const sl_json_doc_t *d, const sl_json_tok_t *k, sl_diag_t *diag)
{
    /* Show the key as written (escapes verbatim), cut at a character
     * boundary if it is long. */
    const uint8_t *s = (const uint8_t *)d->src + k->off;
    size_t n = k->len, show = n;
    if (show > 64) {
        show = 64;
        while (show > 0 && (s[show] & 0xc0) == 0x80) {
            show--;
        }
    }
    return sl_diag_set(diag, SL_EPARSE, "duplicate key \"%.*s\"%s at byte %u", (int)show,
                       (const char *)s, show < n ? "..." : "", k->off - 1);
}

int sl_ingest__json_dup_hash(sl_json_doc_t *d, size_t o, sl_diag_t *diag)
{
    const sl_json_tok_t *obj = &d->tok[o];
    size_t cap = 64;
    while (cap < (size_t)obj->count * 2) {
        cap *= 2;
    }
    if (cap > d->hash_cap) {
        uint64_t *h = sl_try_realloc(d->hash, cap * sizeof *h);
        if (!h) {
            return sl_diag_set(diag, SL_ENOMEM, "out of memory checking keys at byte %u",
                               obj->off);
        }
        d->hash = h;
        d->hash_cap = cap;
    }
    memset(d->hash, 0, cap * sizeof *d->hash);
    if (!d->seeded) {
        sl_random_bytes(d->seed, sizeof d->seed);
        d->seeded = true;
    }
    size_t mask = cap - 1;
    for (size_t k = o + 1; k < obj->end; k = d->tok[k + 1].end) {
        const sl_json_tok_t *tk = &d->tok[k];
        uint64_t h;
        if (!(tk->flags & SL_JSON_F_ESCAPED)) {
            h = siphash13(d->seed, (const uint8_t *)d->src + tk->off, tk->len);
        } else {
            sl_buf_reset(&d->tmp);
            if (sl_buf_try_reserve(&d->tmp, tk->len) != 0) {
                return sl_diag_set(diag, SL_ENOMEM, "out of memory checking keys at byte %u",
                                   tk->off);
            }
            sl_json_string(d, tk, &d->tmp);
            h = siphash13(d->seed, (const uint8_t *)d->tmp.data, d->tmp.len);
        }
        uint64_t tag = h & UINT64_C(0xffffffff00000000);
        size_t i = (size_t)h & mask;
        for (uint64_t e; (e = d->hash[i]) != 0; i = (i + 1) & mask) {
            if ((e & UINT64_C(0xffffffff00000000)) != tag) {
                continue;
            }
            int err = 0;
            const sl_json_tok_t *other = &d->tok[(uint32_t)e - 1];
            if (sl_ingest__json_key_eq(d, other, tk, &err)) {
                return sl_ingest__json_dup_error(d, tk, diag);
            }
            if (err) {
                return sl_diag_set(diag, err, "out of memory checking keys at byte %u", tk->off);
            }
        }
        d->hash[i] = tag | (uint64_t)(k + 1);
    }
    return 0;
}
