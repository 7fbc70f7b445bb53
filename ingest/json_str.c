/*
 * JSON strings after the scan: UTF-8 validation (called by the scanner for
 * strings that hold non-ASCII bytes), and decoding and comparison of string
 * tokens for callers.
 *
 * The scanner has already validated every escape, surrogate pair and UTF-8
 * sequence of a token, so decoding here trusts the span and never fails.
 * A decoded string is never longer than its raw span (an escape of 2, 6 or
 * 12 bytes yields 1, at most 3, or 4 bytes), which lets sl_json_string()
 * reserve once and write in place, and lets comparisons reject on length.
 */
#include "ingest/ingest_int.h"

#include <string.h>

#define HIGHS UINT64_C(0x8080808080808080)

size_t sl_ingest__utf8_check(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (n - i >= 8) {
            uint64_t x;
            memcpy(&x, p + i, 8);
            if ((x & HIGHS) == 0) {
                i += 8; /* eight ASCII bytes */
                continue;
            }
        }
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        /* Table 3-7 of the Unicode standard: the lead byte fixes the length
         * and the range of the first continuation byte, which is what rules
         * out overlongs (E0 80.., F0 80..), surrogates (ED A0..) and code
         * points above U+10FFFF (F4 90..). */
        size_t need;
        uint8_t lo = 0x80, hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
        } else if (c == 0xe0) {
            need = 2;
            lo = 0xa0;
        } else if (c == 0xed) {
            need = 2;
            hi = 0x9f;
        } else if (c >= 0xe1 && c <= 0xef) {
            need = 2;
        } else if (c == 0xf0) {
            need = 3;
            lo = 0x90;
        } else if (c == 0xf4) {
            need = 3;
            hi = 0x8f;
        } else if (c >= 0xf1 && c <= 0xf3) {
            need = 3;
        } else {
            return i; /* 80..C1 (stray continuation, overlong lead), F5..FF */
        }
        if (n - i <= need || p[i + 1] < lo || p[i + 1] > hi) {
            return i;
        }
        for (size_t k = 2; k <= need; k++) {
            if ((p[i + k] & 0xc0) != 0x80) {
                return i;
            }
        }
        i += need + 1;
    }
    return n;
}

size_t sl_ingest__utf8_put(uint32_t cp, uint8_t out[4])
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xc0 | cp >> 6);
        out[1] = (uint8_t)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xe0 | cp >> 12);
        out[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (uint8_t)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (uint8_t)(0xf0 | cp >> 18);
    out[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (uint8_t)(0x80 | (cp & 0x3f));
    return 4;
}

/* Value of four validated hex digits. */
static uint32_t hex4(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t c = p[i];
        v = v << 4 | (uint32_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

size_t sl_ingest__json_unescape(const uint8_t *p, size_t *used, uint8_t out[4])
{
    *used = 2;
    switch (p[1]) {
    case 'b':
        out[0] = '\b';
        return 1;
    case 'f':
        out[0] = '\f';
        return 1;
    case 'n':
        out[0] = '\n';
        return 1;
    case 'r':
        out[0] = '\r';
        return 1;
    case 't':
        out[0] = '\t';
        return 1;
    case 'u': {
        uint32_t cp = hex4(p + 2);
        *used = 6;
        if (cp >= 0xd800 && cp <= 0xdbff) {
            /* the scanner guaranteed a low surrogate escape follows */
            cp = 0x10000 + ((cp - 0xd800) << 10) + (hex4(p + 8) - 0xdc00);
            *used = 12;
        }
        return sl_ingest__utf8_put(cp, out);
    }
    default: /* '"', '\\', '/' */
        out[0] = p[1];
        return 1;
    }
}

void sl_json_string(const sl_json_doc_t *d, const sl_json_tok_t *t, sl_buf_t *out)
{
    if (t->type != SL_JSON_STRING) {
        return;
    }
    const uint8_t *p = (const uint8_t *)d->src + t->off, *e = p + t->len;
    if (!(t->flags & SL_JSON_F_ESCAPED)) {
        sl_buf_append(out, p, t->len);
        return;
    }
    sl_buf_reserve(out, t->len);
    uint8_t *w = (uint8_t *)out->data + out->len;
    while (p < e) {
        const uint8_t *bs = memchr(p, '\\', (size_t)(e - p));
        size_t run = (size_t)((bs ? bs : e) - p);
        memcpy(w, p, run);
        w += run;
        p += run;
        if (bs) {
            size_t used;
            w += sl_ingest__json_unescape(p, &used, w);
            p += used;
        }
    }
    out->len = (size_t)(w - (uint8_t *)out->data);
    out->data[out->len] = '\0';
}

bool sl_json_string_eq(const sl_json_doc_t *d, const sl_json_tok_t *t, const char *s, size_t n)
{
    if (t->type != SL_JSON_STRING) {
        return false;
    }
    const uint8_t *p = (const uint8_t *)d->src + t->off, *e = p + t->len;
    if (!(t->flags & SL_JSON_F_ESCAPED)) {
        return t->len == n && memcmp(p, s, n) == 0;
    }
    if (n > t->len) {
        return false; /* decoding only shortens */
    }
    const uint8_t *q = (const uint8_t *)s, *qe = q + n;
    while (p < e) {
        const uint8_t *bs = memchr(p, '\\', (size_t)(e - p));
        size_t run = (size_t)((bs ? bs : e) - p);
        if (run > (size_t)(qe - q) || memcmp(p, q, run) != 0) {
            return false;
        }
        p += run;
        q += run;
        if (bs) {
            uint8_t u[4];
            size_t used;
            size_t k = sl_ingest__json_unescape(p, &used, u);
            if (k > (size_t)(qe - q) || memcmp(u, q, k) != 0) {
                return false;
            }
            p += used;
            q += k;
        }
    }
    return q == qe;
}

bool sl_ingest__json_key_eq(sl_json_doc_t *d, const sl_json_tok_t *a, const sl_json_tok_t *b,
                            int *err)
{
    if (!(a->flags & SL_JSON_F_ESCAPED)) {
        return sl_json_string_eq(d, b, d->src + a->off, a->len);
    }
    if (!(b->flags & SL_JSON_F_ESCAPED)) {
        return sl_json_string_eq(d, a, d->src + b->off, b->len);
    }
    /* Both escaped (rare): decode one into the doc's scratch buffer. The
     * reservation makes sl_json_string's own (aborting) reserve a no-op. */
    sl_buf_reset(&d->tmp);
    if (sl_buf_try_reserve(&d->tmp, a->len) != 0) {
        *err = SL_ENOMEM;
        return false;
    }
    sl_json_string(d, a, &d->tmp);
    return sl_json_string_eq(d, b, d->tmp.data, d->tmp.len);
}
