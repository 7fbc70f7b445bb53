/*
 * Small shared pieces of the text functions: UTF-8 character arithmetic and
 * the argument checks every bind function starts with.
 *
 * Characters: KQL's strlen(), substring(), indexof() and reverse() count
 * Unicode characters. We count code points of UTF-8 text; a byte that is
 * not part of a valid sequence counts as one character of its own, so
 * every byte belongs to exactly one character and offsets never fall
 * inside a sequence, whatever the input.
 */
#include "query/fn_text_int.h"

#include <string.h>

/* ---- UTF-8 -------------------------------------------------------------- */

size_t sl_qutf8_count(const char *s, size_t n)
{
    /* A character starts at every byte that is not 10xxxxxx. Counting the
     * continuation bytes eight at a time keeps ASCII text at memory speed. */
    size_t cont = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        /* bit 7 set and bit 6 clear, per byte */
        uint64_t c = w & ~(w << 1) & UINT64_C(0x8080808080808080);
        cont += (size_t)__builtin_popcountll(c);
    }
    for (; i < n; i++) {
        cont += ((unsigned char)s[i] & 0xC0) == 0x80;
    }
    /* A character starts at byte 0 and at every byte that is not a
     * continuation byte (stray continuation bytes join the character
     * before them, as in sl_qutf8_char_len and sl_qutf8_offset). */
    if (n && ((unsigned char)s[0] & 0xC0) == 0x80) {
        cont--;
    }
    return n - cont;
}

size_t sl_qutf8_char_len(const char *s, size_t n)
{
    size_t k = 1;
    while (k < n && ((unsigned char)s[k] & 0xC0) == 0x80) {
        k++;
    }
    return k;
}

size_t sl_qutf8_offset(const char *s, size_t n, size_t k)
{
    size_t i = 0;
    while (k && i < n) {
        /* ASCII runs: skip eight bytes at once when none has bit 7. */
        if (k >= 8 && i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & UINT64_C(0x8080808080808080))) {
                i += 8;
                k -= 8;
                continue;
            }
        }
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80) {
            i++;
        }
        k--;
    }
    return i;
}

size_t sl_qutf8_decode(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char c = u[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            return 0;
        }
        v = v << 6 | (u[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)) {
        return 0;
    }
    *cp = v;
    return len;
}

void sl_qutf8_put(sl_buf_t *b, uint32_t cp)
{
    char t[4];
    size_t k;
    if (cp < 0x80) {
        t[0] = (char)cp;
        k = 1;
    } else if (cp < 0x800) {
        t[0] = (char)(0xC0 | cp >> 6);
        t[1] = (char)(0x80 | (cp & 0x3F));
        k = 2;
    } else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | cp >> 12);
        t[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        t[2] = (char)(0x80 | (cp & 0x3F));
        k = 3;
    } else {
        t[0] = (char)(0xF0 | cp >> 18);
        t[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        t[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        t[3] = (char)(0x80 | (cp & 0x3F));
        k = 4;
    }
    sl_buf_append(b, t, k);
}

bool sl_qutf8_valid(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & UINT64_C(0x8080808080808080))) {
                i += 8;
                continue;
            }
        }
        uint32_t cp;
        size_t k = sl_qutf8_decode(s + i, n - i, &cp);
        if (!k) {
            return false;
        }
        i += k;
    }
    return true;
}

/* ---- Bind helpers ------------------------------------------------------- */

int sl_qtext_want_string(sl_qbind_t *b, sl_qcall_t *call, size_t k, sl_diag_t *d)
{
    if (call->args[k]->type == SL_TYPE_STRING) {
        return 0;
    }
    return sl_qbind_cast(b, &call->args[k], SL_TYPE_STRING, d);
}

int sl_qtext_want_int(sl_qbind_t *b, sl_qcall_t *call, size_t k, const char *what, sl_diag_t *d)
{
    sl_type_t t = call->args[k]->type;
    if (t == SL_TYPE_INT || t == SL_TYPE_LONG) {
        return 0;
    }
    if (t == SL_TYPE_REAL || t == SL_TYPE_DYNAMIC) {
        return sl_qbind_cast(b, &call->args[k], SL_TYPE_LONG, d);
    }
    return sl_qbind_arg_error(d, call, k, what);
}

int sl_qtext_const_arg(const sl_qcall_t *call,
                       size_t k,
                       const char *what,
                       const char **s,
                       size_t *n,
                       sl_diag_t *d)
{
    const sl_qexpr_t *e = call->args[k];
    if (e->type == SL_TYPE_STRING && sl_qexpr_const_text(e, s, n)) {
        return 0;
    }
    return sl_diag_set(d,
                       SL_ESEMANTIC,
                       "%s(): the %s (argument %zu) must be a constant string",
                       sl_qtext_fname(call),
                       what,
                       k + 1);
}

sl_qvec_t *sl_qtext_new(sl_type_t t, size_t rows, size_t bytes)
{
    sl_qvec_t *v = sl_qvec_new(t, rows);
    sl_qvec_reserve_text(v, rows, bytes);
    return v;
}
