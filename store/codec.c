/*
 * Column encodings, chosen per column by type and content, applied before
 * zstd. The goal is to hand zstd regular byte streams and to let readers
 * skip work: times and integers as zig-zag deltas (small, repetitive),
 * low-cardinality text as a dictionary plus fixed-width indices, other text
 * as lengths followed by the bytes (the bytes stay contiguous, so a scan can
 * search them without re-assembling rows).
 *
 * Encoded column:
 *   u8 encoding | u8 flags (1: has nulls) | uvarint n
 *   [uvarint bitmap_len | null bitmap]            when flags & 1
 *   payload (see below)
 *
 *   I64_DELTA   svarint first, then svarint deltas (wrapping arithmetic)
 *   F64_RAW     n little-endian doubles
 *   BOOL_BITS   ceil(n/8) bytes, bit i = value i
 *   TEXT_PLAIN  n uvarint lengths, then the bytes
 *   TEXT_DICT   uvarint k, k uvarint lengths, the k entries' bytes,
 *               u8 width (1, 2 or 4), n indices of that width (little-endian)
 */
#include "store/store_int.h"

#include <string.h>

enum { ENC_I64_DELTA = 1, ENC_F64_RAW = 2, ENC_BOOL_BITS = 3, ENC_TEXT_PLAIN = 4,
       ENC_TEXT_DICT = 5 };

static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x100000001b3u;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ (uint8_t)p[i]) * 0x100000001b3u;
    return h ^ (h >> 32);
}

/* Tries a dictionary; returns false (and writes nothing) when the column has
 * too many distinct values for one to pay off. */
static bool encode_dict(const sl_col_t *c, sl_buf_t *out)
{
    size_t n = c->n;
    size_t limit = n / 4 + 1;
    if (limit > 65536)
        limit = 65536;
    size_t cap = 64;
    while (cap < limit * 2)
        cap *= 2;
    uint32_t *slots = sl_xmalloc(cap * sizeof *slots); /* entry index + 1, 0 = empty */
    memset(slots, 0, cap * sizeof *slots);
    uint32_t *first_row = sl_xmalloc(limit * sizeof *first_row);
    uint32_t *idx = sl_xmalloc((n ? n : 1) * sizeof *idx);
    size_t k = 0;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        size_t len;
        const char *s = sl_col_text(c, i, &len);
        size_t h = (size_t)hash_bytes(s, len) & (cap - 1);
        for (;;) {
            if (!slots[h]) {
                if (k == limit) {
                    ok = false;
                    break;
                }
                first_row[k] = (uint32_t)i;
                slots[h] = (uint32_t)++k;
                idx[i] = (uint32_t)(k - 1);
                break;
            }
            size_t elen;
            const char *e = sl_col_text(c, first_row[slots[h] - 1], &elen);
            if (elen == len && memcmp(e, s, len) == 0) {
                idx[i] = slots[h] - 1;
                break;
            }
            h = (h + 1) & (cap - 1);
        }
    }
    if (ok) {
        sl_buf_put_uvarint(out, k);
        for (size_t j = 0; j < k; j++) {
            size_t len;
            sl_col_text(c, first_row[j], &len);
            sl_buf_put_uvarint(out, len);
        }
        for (size_t j = 0; j < k; j++) {
            size_t len;
            const char *s = sl_col_text(c, first_row[j], &len);
            sl_buf_append(out, s, len);
        }
        uint8_t width = k <= 256 ? 1 : k <= 65536 ? 2 : 4;
        sl_buf_putc(out, (char)width);
        sl_buf_reserve(out, n * width);
        uint8_t *p = (uint8_t *)out->data + out->len;
        for (size_t i = 0; i < n; i++) {
            if (width == 1)
                p[i] = (uint8_t)idx[i];
            else if (width == 2)
                sl_store_u16le(p + 2 * i, (uint16_t)idx[i]);
            else
                sl_store_u32le(p + 4 * i, idx[i]);
        }
        out->len += n * width;
    }
    sl_free(slots);
    sl_free(first_row);
    sl_free(idx);
    return ok;
}

void sl_store__col_encode(const sl_col_t *c, sl_buf_t *out)
{
    size_t n = c->n;
    bool nulls = c->nulls.len > 0;
    size_t head = out->len;
    sl_buf_putc(out, 0); /* encoding, set below */
    sl_buf_putc(out, nulls ? 1 : 0);
    sl_buf_put_uvarint(out, n);
    if (nulls) {
        size_t bl = (n + 7) / 8;
        sl_buf_put_uvarint(out, bl);
        size_t have = SL_MIN(bl, c->nulls.len);
        sl_buf_append(out, c->nulls.data, have);
        for (size_t i = have; i < bl; i++)
            sl_buf_putc(out, 0);
    }
    uint8_t enc;
    if (sl_type_is_i64(c->type)) {
        enc = ENC_I64_DELTA;
        int64_t prev = 0;
        sl_buf_reserve(out, n * 3);
        for (size_t i = 0; i < n; i++) {
            int64_t v = sl_col_i64(c, i);
            sl_buf_put_svarint(out, (int64_t)((uint64_t)v - (uint64_t)prev));
            prev = v;
        }
    } else if (c->type == SL_TYPE_REAL) {
        enc = ENC_F64_RAW;
        sl_buf_append(out, c->data.data, n * 8);
    } else if (c->type == SL_TYPE_BOOL) {
        enc = ENC_BOOL_BITS;
        size_t bl = (n + 7) / 8, at = out->len;
        sl_buf_reserve(out, bl);
        memset(out->data + at, 0, bl);
        for (size_t i = 0; i < n; i++)
            if (sl_col_bool(c, i))
                out->data[at + i / 8] |= (char)(1u << (i & 7));
        out->len += bl;
    } else if (n >= 16 && encode_dict(c, out)) {
        enc = ENC_TEXT_DICT;
    } else {
        enc = ENC_TEXT_PLAIN;
        for (size_t i = 0; i < n; i++) {
            size_t len;
            sl_col_text(c, i, &len);
            sl_buf_put_uvarint(out, len);
        }
        const uint32_t *o = (const uint32_t *)c->offs.data;
        if (n)
            sl_buf_append(out, c->data.data + o[0], o[n] - o[0]);
    }
    out->data[head] = (char)enc;
}

/* Bounds-checked reader over an encoded column. */
typedef struct rd {
    const uint8_t *p;
    size_t n, off;
} rd_t;

static bool rd_uv(rd_t *r, uint64_t *v)
{
    size_t k = sl_get_uvarint(r->p + r->off, r->n - r->off, v);
    r->off += k;
    return k > 0;
}

static bool rd_sv(rd_t *r, int64_t *v)
{
    size_t k = sl_get_svarint(r->p + r->off, r->n - r->off, v);
    r->off += k;
    return k > 0;
}

static bool rd_bytes(rd_t *r, size_t len, const uint8_t **out)
{
    if (len > r->n - r->off)
        return false;
    *out = r->p + r->off;
    r->off += len;
    return true;
}

int sl_store__col_decode(const uint8_t *p, size_t len, sl_col_t *c, size_t max_rows)
{
    rd_t r = { p, len, 0 };
    const uint8_t *b;
    uint64_t n, bl;
    if (len < 2)
        return SL_EINTEGRITY;
    uint8_t enc = p[0], flags = p[1];
    r.off = 2;
    if (!rd_uv(&r, &n) || n > max_rows)
        return SL_EINTEGRITY;
    const uint8_t *nullmap = NULL;
    if (flags & 1) {
        if (!rd_uv(&r, &bl) || bl != (n + 7) / 8 || !rd_bytes(&r, bl, &nullmap))
            return SL_EINTEGRITY;
    }
    switch (enc) {
    case ENC_I64_DELTA: {
        if (!sl_type_is_i64(c->type))
            return SL_EINTEGRITY;
        if (sl_buf_try_reserve(&c->data, n * 8))
            return SL_ENOMEM;
        int64_t *out = (int64_t *)(c->data.data + c->data.len);
        uint64_t prev = 0;
        for (uint64_t i = 0; i < n; i++) {
            int64_t d;
            if (!rd_sv(&r, &d))
                return SL_EINTEGRITY;
            prev += (uint64_t)d;
            out[i] = (int64_t)prev;
        }
        c->data.len += n * 8;
        break;
    }
    case ENC_F64_RAW:
        if (c->type != SL_TYPE_REAL || !rd_bytes(&r, n * 8, &b))
            return SL_EINTEGRITY;
        sl_buf_append(&c->data, b, n * 8);
        break;
    case ENC_BOOL_BITS:
        if (c->type != SL_TYPE_BOOL || !rd_bytes(&r, (n + 7) / 8, &b))
            return SL_EINTEGRITY;
        sl_buf_reserve(&c->data, n);
        for (uint64_t i = 0; i < n; i++)
            c->data.data[c->data.len + i] = (char)(b[i / 8] >> (i & 7) & 1);
        c->data.len += n;
        break;
    case ENC_TEXT_PLAIN: {
        if (!sl_type_is_text(c->type))
            return SL_EINTEGRITY;
        size_t lens_at = r.off, total = 0;
        for (uint64_t i = 0; i < n; i++) {
            uint64_t l;
            if (!rd_uv(&r, &l) || l > len)
                return SL_EINTEGRITY;
            total += l;
        }
        if (!rd_bytes(&r, total, &b) || total > UINT32_MAX)
            return SL_EINTEGRITY;
        sl_buf_append(&c->data, b, total);
        sl_buf_reserve(&c->offs, 4 * (n + 1));
        uint32_t *o = (uint32_t *)c->offs.data;
        o[0] = 0;
        rd_t lr = { p, len, lens_at };
        uint32_t at = 0;
        for (uint64_t i = 0; i < n; i++) {
            uint64_t l;
            rd_uv(&lr, &l);
            at += (uint32_t)l;
            o[i + 1] = at;
        }
        c->offs.len = 4 * (n + 1);
        break;
    }
    case ENC_TEXT_DICT: {
        uint64_t k;
        if (!sl_type_is_text(c->type) || !rd_uv(&r, &k) || k > n || k > 65536 * 2)
            return SL_EINTEGRITY;
        uint32_t *doff = sl_xmalloc((k + 1) * sizeof *doff);
        doff[0] = 0;
        uint64_t tot = 0;
        int rc = 0;
        for (uint64_t j = 0; j < k && !rc; j++) {
            uint64_t l;
            if (!rd_uv(&r, &l) || l > len)
                rc = SL_EINTEGRITY;
            tot += l;
            doff[j + 1] = (uint32_t)tot;
        }
        const uint8_t *dict = NULL, *ix = NULL;
        uint8_t width = 0;
        if (!rc && (!rd_bytes(&r, tot, &dict) || r.off >= len))
            rc = SL_EINTEGRITY;
        if (!rc) {
            width = p[r.off++];
            if ((width != 1 && width != 2 && width != 4) || !rd_bytes(&r, n * width, &ix))
                rc = SL_EINTEGRITY;
        }
        if (!rc) {
            sl_buf_reserve(&c->offs, 4 * (n + 1));
            uint32_t *o = (uint32_t *)c->offs.data;
            o[0] = 0;
            uint64_t at = 0;
            for (uint64_t i = 0; i < n && !rc; i++) {
                uint32_t j = width == 1 ? ix[i] : width == 2 ? sl_load_u16le(ix + 2 * i)
                                                             : sl_load_u32le(ix + 4 * i);
                if (j >= k) {
                    rc = SL_EINTEGRITY;
                    break;
                }
                uint32_t l = doff[j + 1] - doff[j];
                if (at + l > UINT32_MAX) {
                    rc = SL_ELIMIT;
                    break;
                }
                sl_buf_append(&c->data, dict + doff[j], l);
                at += l;
                o = (uint32_t *)c->offs.data;
                o[i + 1] = (uint32_t)at;
            }
            c->offs.len = 4 * (n + 1);
        }
        sl_free(doff);
        if (rc)
            return rc;
        break;
    }
    default:
        return SL_EINTEGRITY;
    }
    if (r.off != len)
        return SL_EINTEGRITY;
    if (nullmap) {
        if (sl_type_is_text(c->type))
            return SL_EINTEGRITY;
        sl_buf_append(&c->nulls, nullmap, (n + 7) / 8);
    }
    c->n = n;
    return 0;
}
