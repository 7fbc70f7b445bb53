/*
 * Entry formats: how one cached block is laid out and sealed.
 *
 * A block is a meta value (clear header + sealed directory) and one value
 * per cached column. The clear header holds only ids, times and sizes —
 * what the index, the hot window and eviction need without a key. The
 * directory (column names and types are data too) and the columns are
 * sealed with AES-256-GCM under the block key, HKDF(cache key, "cache
 * block", block id | salt), with a fresh random nonce for every seal: the
 * salt is new each time a block enters the cache and a block key seals at
 * most a few hundred values, so random nonces are far from any collision
 * bound, even when a directory is resealed as columns are admitted.
 *
 * A column is sealed as its in-memory image — values, text offsets, null
 * bitmap, then a small trailer with the sizes — rather than in the store's
 * compact codec: reading it back is one decryption straight into the
 * column's buffer plus two short copies, with no decompression and no
 * varint decoding. That is the point of the cache (scans of recent data);
 * it costs space, which the byte bound accounts for. Every value carries
 * associated data that pins it to its block and place (id, ordinal; the
 * directory to its clear header), so values cannot be swapped or moved.
 */
#include "cache/cache_int.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t META_MAGIC[4] = { 'S', 'L', 'C', 'B' };
#define COL_IMAGE_VERSION 1

void sl_cache__meta_write(const sl_cache_meta_t *m, uint8_t o[SL_CACHE_META_HDR])
{
    memset(o, 0, SL_CACHE_META_HDR);
    memcpy(o, META_MAGIC, 4);
    o[4] = SL_CACHE_META_VERSION;
    o[5] = m->scope;
    o[6] = m->flags;
    sl_store_u64le(o + 8, m->salt);
    memcpy(o + 16, m->ws.b, 16);
    sl_store_u64le(o + 32, (uint64_t)m->tmin);
    sl_store_u64le(o + 40, (uint64_t)m->tmax);
    sl_store_u64le(o + 48, (uint64_t)m->inserted);
    sl_store_u32le(o + 56, m->rows);
    sl_store_u64le(o + 64, m->bytes);
}

int sl_cache__meta_read(const void *p, size_t n, sl_cache_meta_t *m)
{
    const uint8_t *b = p;
    if (n < SL_CACHE_META_HDR + SL_CACHE_SEAL_OVER || memcmp(b, META_MAGIC, 4) != 0 ||
        b[4] != SL_CACHE_META_VERSION || b[5] >= SL_SCOPE_COUNT) {
        return SL_EINTEGRITY;
    }
    memset(m, 0, sizeof *m);
    m->scope = b[5];
    m->flags = b[6];
    m->salt = sl_load_u64le(b + 8);
    memcpy(m->ws.b, b + 16, 16);
    m->tmin = (sl_ticks_t)sl_load_u64le(b + 32);
    m->tmax = (sl_ticks_t)sl_load_u64le(b + 40);
    m->inserted = (sl_ticks_t)sl_load_u64le(b + 48);
    m->rows = sl_load_u32le(b + 56);
    m->bytes = sl_load_u64le(b + 64);
    return 0;
}

void sl_cache__dir_add(sl_cache_dir_t *dir, const char *name, sl_type_t type, int32_t ordinal)
{
    if (dir->n == dir->cap) {
        dir->cap = dir->cap ? dir->cap * 2 : 16;
        dir->cols = sl_xrealloc(dir->cols, dir->cap * sizeof *dir->cols);
    }
    dir->cols[dir->n++] = (sl_cache_dcol_t){ sl_xstrdup(name), type, ordinal };
}

int sl_cache__dir_find(const sl_cache_dir_t *dir, const char *name)
{
    for (size_t i = 0; i < dir->n; i++) {
        if (!strcmp(dir->cols[i].name, name)) {
            return (int)i;
        }
    }
    return -1;
}

int32_t sl_cache__dir_next(const sl_cache_dir_t *dir)
{
    int32_t next = 0;
    for (size_t i = 0; i < dir->n; i++) {
        next = SL_MAX(next, dir->cols[i].ordinal + 1);
    }
    return next;
}

void sl_cache__dir_dispose(sl_cache_dir_t *dir)
{
    for (size_t i = 0; i < dir->n; i++) {
        /* Column names are block contents: do not leave them in freed memory. */
        sl_wipe(dir->cols[i].name, strlen(dir->cols[i].name));
        sl_free(dir->cols[i].name);
    }
    sl_free(dir->cols);
    memset(dir, 0, sizeof *dir);
}

int sl_cache__block_key(const sl_key_t *cache_key, uint64_t id, uint64_t salt,
                        uint8_t out[SL_KEY_LEN])
{
    uint8_t ctx[16];
    sl_store_u64be(ctx, id);
    sl_store_u64le(ctx + 8, salt);
    return sl_key_derive_raw(cache_key, "cache block", ctx, sizeof ctx, out);
}

/* Directory plaintext: uvarint count, then per column uvarint name length,
 * name, u8 type, uvarint ordinal + 1 (0: the block lacks the column). */
static void dir_encode(const sl_cache_dir_t *dir, sl_buf_t *out)
{
    sl_buf_put_uvarint(out, dir->n);
    for (size_t i = 0; i < dir->n; i++) {
        size_t nl = strlen(dir->cols[i].name);
        sl_buf_put_uvarint(out, nl);
        sl_buf_append(out, dir->cols[i].name, nl);
        sl_buf_putc(out, (char)dir->cols[i].type);
        sl_buf_put_uvarint(out, (uint64_t)(dir->cols[i].ordinal + 1));
    }
}

size_t sl_cache__meta_len(const sl_cache_dir_t *dir)
{
    sl_buf_t b = SL_BUF_INIT;
    dir_encode(dir, &b);
    size_t n = SL_CACHE_META_HDR + SL_CACHE_SEAL_OVER + b.len;
    sl_buf_wipe(&b);
    return n;
}

static void dir_aad(const uint8_t *hdr, uint64_t id, uint8_t aad[SL_CACHE_META_HDR + 8])
{
    memcpy(aad, hdr, SL_CACHE_META_HDR);
    sl_store_u64be(aad + SL_CACHE_META_HDR, id);
}

void sl_cache__meta_seal(const uint8_t key[SL_KEY_LEN], uint64_t id, const sl_cache_meta_t *m,
                         const sl_cache_dir_t *dir, sl_buf_t *out)
{
    sl_buf_t pt = SL_BUF_INIT;
    dir_encode(dir, &pt);
    sl_buf_reserve(out, SL_CACHE_META_HDR + SL_CACHE_SEAL_OVER + pt.len);
    uint8_t *o = (uint8_t *)out->data + out->len;
    sl_cache__meta_write(m, o);
    uint8_t aad[SL_CACHE_META_HDR + 8];
    dir_aad(o, id, aad);
    uint8_t *nonce = o + SL_CACHE_META_HDR;
    sl_random_bytes(nonce, SL_AEAD_NONCE_LEN);
    if (sl_aead_seal(SL_AEAD_AES256GCM, key, nonce, aad, sizeof aad, pt.data, pt.len,
                     nonce + SL_AEAD_NONCE_LEN)) {
        abort(); /* only a broken OpenSSL fails here; never store it unsealed */
    }
    out->len += SL_CACHE_META_HDR + SL_CACHE_SEAL_OVER + pt.len;
    sl_buf_wipe(&pt);
}

int sl_cache__dir_open(const uint8_t key[SL_KEY_LEN], uint64_t id, const void *val, size_t n,
                       sl_cache_dir_t *dir)
{
    const uint8_t *v = val;
    if (n < SL_CACHE_META_HDR + SL_CACHE_SEAL_OVER) {
        return SL_EINTEGRITY;
    }
    uint8_t aad[SL_CACHE_META_HDR + 8];
    dir_aad(v, id, aad);
    const uint8_t *nonce = v + SL_CACHE_META_HDR;
    size_t ctn = n - SL_CACHE_META_HDR - SL_AEAD_NONCE_LEN;
    size_t ptn = ctn - SL_AEAD_TAG_LEN;
    uint8_t *pt = sl_xmalloc(ptn + 1);
    int rc = sl_aead_open(SL_AEAD_AES256GCM, key, nonce, aad, sizeof aad,
                          nonce + SL_AEAD_NONCE_LEN, ctn, pt);
    if (rc) {
        sl_free(pt);
        return SL_EINTEGRITY;
    }
    size_t at = 0, k;
    uint64_t count;
    if (!(k = sl_get_uvarint(pt, ptn, &count)) || count > ptn) {
        rc = SL_EINTEGRITY;
    }
    at += k;
    for (uint64_t i = 0; !rc && i < count; i++) {
        uint64_t nl, ord;
        if (!(k = sl_get_uvarint(pt + at, ptn - at, &nl)) || nl > 1024 || nl + 1 > ptn - at - k) {
            rc = SL_EINTEGRITY;
            break;
        }
        at += k;
        char *name = sl_xstrndup((const char *)pt + at, nl);
        at += nl;
        sl_type_t type = pt[at++];
        if (!(k = sl_get_uvarint(pt + at, ptn - at, &ord)) || ord > INT32_MAX ||
            !sl_type_name(type)[0] || !strcmp(sl_type_name(type), "unknown")) {
            sl_free(name);
            rc = SL_EINTEGRITY;
            break;
        }
        at += k;
        sl_cache__dir_add(dir, name, type, (int32_t)ord - 1);
        sl_free(name);
    }
    if (!rc && at != ptn) {
        rc = SL_EINTEGRITY;
    }
    sl_wipe(pt, ptn);
    sl_free(pt);
    if (rc) {
        sl_cache__dir_dispose(dir);
    }
    return rc;
}

void sl_cache__col_key(uint64_t id, uint32_t ordinal, uint8_t out[SL_CACHE_COL_KEY_LEN])
{
    sl_store_u64be(out, id);
    out[8] = (uint8_t)(ordinal >> 8);
    out[9] = (uint8_t)ordinal;
}

static size_t col_image_len(const sl_col_t *c)
{
    return c->data.len + c->offs.len + c->nulls.len + SL_CACHE_COL_TRAILER;
}

size_t sl_cache__col_sealed_len(const sl_col_t *c)
{
    return SL_CACHE_SEAL_OVER + col_image_len(c);
}

static void col_aad(uint64_t id, uint32_t ordinal, uint8_t aad[12])
{
    sl_store_u64be(aad, id);
    sl_store_u32be(aad + 8, ordinal);
}

int sl_cache__col_seal(const uint8_t key[SL_KEY_LEN], uint64_t id, uint32_t ordinal,
                       const sl_col_t *c, uint8_t *out)
{
    if (c->n > UINT32_MAX || c->offs.len > UINT32_MAX || c->nulls.len > UINT32_MAX) {
        return SL_ELIMIT;
    }
    /* Assemble the image where its ciphertext goes and seal it in place. */
    uint8_t *p = out + SL_AEAD_NONCE_LEN, *at = p;
    if (c->data.len) {
        memcpy(at, c->data.data, c->data.len);
        at += c->data.len;
    }
    if (c->offs.len) {
        memcpy(at, c->offs.data, c->offs.len);
        at += c->offs.len;
    }
    if (c->nulls.len) {
        memcpy(at, c->nulls.data, c->nulls.len);
        at += c->nulls.len;
    }
    at[0] = COL_IMAGE_VERSION;
    at[1] = (uint8_t)c->type;
    at[2] = at[3] = 0;
    sl_store_u32le(at + 4, (uint32_t)c->n);
    sl_store_u64le(at + 8, c->data.len);
    sl_store_u32le(at + 16, (uint32_t)c->offs.len);
    sl_store_u32le(at + 20, (uint32_t)c->nulls.len);
    uint8_t aad[12];
    col_aad(id, ordinal, aad);
    sl_random_bytes(out, SL_AEAD_NONCE_LEN);
    int rc = sl_aead_seal(SL_AEAD_AES256GCM, key, out, aad, sizeof aad, p, col_image_len(c), p);
    return rc ? SL_ECRYPTO : 0;
}

/* Checks the image's sizes against its type and row count. */
static bool image_ok(sl_type_t type, uint64_t n, uint64_t dl, uint64_t ol, uint64_t nl)
{
    if (sl_type_is_text(type)) {
        return ol == 4 * (n + 1) && nl == 0;
    }
    uint64_t vs = type == SL_TYPE_BOOL ? 1 : 8;
    return dl == vs * n && ol == 0 && nl <= (n + 7) / 8;
}

int sl_cache__col_open(const uint8_t key[SL_KEY_LEN], uint64_t id, uint32_t ordinal,
                       const void *p, size_t n, size_t rows, sl_col_t *out)
{
    if (n < SL_CACHE_SEAL_OVER + SL_CACHE_COL_TRAILER) {
        return SL_EINTEGRITY;
    }
    size_t img = n - SL_CACHE_SEAL_OVER;
    sl_buf_reset(&out->data);
    sl_buf_reset(&out->offs);
    sl_buf_reset(&out->nulls);
    if (sl_buf_try_reserve(&out->data, img)) {
        return SL_ENOMEM;
    }
    uint8_t aad[12];
    col_aad(id, ordinal, aad);
    uint8_t *dst = (uint8_t *)out->data.data;
    const uint8_t *src = p;
    if (sl_aead_open(SL_AEAD_AES256GCM, key, src, aad, sizeof aad, src + SL_AEAD_NONCE_LEN,
                     img + SL_AEAD_TAG_LEN, dst)) {
        return SL_EINTEGRITY;
    }
    const uint8_t *tr = dst + img - SL_CACHE_COL_TRAILER;
    uint64_t rn = sl_load_u32le(tr + 4), dl = sl_load_u64le(tr + 8);
    uint64_t ol = sl_load_u32le(tr + 16), nl = sl_load_u32le(tr + 20);
    if (tr[0] != COL_IMAGE_VERSION || tr[1] != out->type || rn != rows ||
        dl > img || dl + ol + nl + SL_CACHE_COL_TRAILER != img ||
        !image_ok(out->type, rn, dl, ol, nl)) {
        return SL_EINTEGRITY;
    }
    if (ol) {
        /* Offsets must stay inside the text: readers index with them. */
        const uint8_t *o = dst + dl;
        uint32_t prev = sl_load_u32le(o);
        for (uint64_t i = 1; i <= rn; i++) {
            uint32_t v = sl_load_u32le(o + 4 * i);
            if (v < prev) {
                return SL_EINTEGRITY;
            }
            prev = v;
        }
        if (prev > dl) {
            return SL_EINTEGRITY;
        }
        sl_buf_append(&out->offs, o, ol);
    }
    if (nl) {
        sl_buf_append(&out->nulls, dst + dl + ol, nl);
    }
    /* The values stay where they were decrypted. */
    out->data.len = dl;
    out->data.data[dl] = '\0';
    out->n = rn;
    return 0;
}
