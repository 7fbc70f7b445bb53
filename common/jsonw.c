/*
 * A streaming JSON writer. It tracks whether a comma is due at each nesting
 * level so callers only say what to write, and it guarantees valid output:
 * strings are escaped and invalid UTF-8 becomes U+FFFD.
 */
#include "common/common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sl_jw_init(sl_jw_t *w, sl_buf_t *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
}

/* Emits the separator owed before a value at the current level. */
static void before_value(sl_jw_t *w)
{
    if (w->need_comma[w->depth] == 1)
        sl_buf_putc(w->out, ',');
    /* 2 means "a key was just written": the value follows the colon. */
    w->need_comma[w->depth] = 1;
}

void sl_jw_obj_begin(sl_jw_t *w)
{
    before_value(w);
    sl_buf_putc(w->out, '{');
    if (w->depth < (int)sizeof w->need_comma - 1)
        w->depth++;
    w->need_comma[w->depth] = 0;
}

void sl_jw_obj_end(sl_jw_t *w)
{
    sl_buf_putc(w->out, '}');
    if (w->depth > 0)
        w->depth--;
}

void sl_jw_arr_begin(sl_jw_t *w)
{
    before_value(w);
    sl_buf_putc(w->out, '[');
    if (w->depth < (int)sizeof w->need_comma - 1)
        w->depth++;
    w->need_comma[w->depth] = 0;
}

void sl_jw_arr_end(sl_jw_t *w)
{
    sl_buf_putc(w->out, ']');
    if (w->depth > 0)
        w->depth--;
}

void sl_jw_keyn(sl_jw_t *w, const char *k, size_t n)
{
    if (w->need_comma[w->depth] == 1)
        sl_buf_putc(w->out, ',');
    sl_buf_putc(w->out, '"');
    sl_json_escape(w->out, k, n);
    sl_buf_append(w->out, "\":", 2);
    w->need_comma[w->depth] = 2;
}

void sl_jw_key(sl_jw_t *w, const char *k)
{
    sl_jw_keyn(w, k, strlen(k));
}

void sl_jw_strn(sl_jw_t *w, const char *s, size_t n)
{
    before_value(w);
    sl_buf_putc(w->out, '"');
    sl_json_escape(w->out, s, n);
    sl_buf_putc(w->out, '"');
}

void sl_jw_str(sl_jw_t *w, const char *s)
{
    sl_jw_strn(w, s, strlen(s));
}

void sl_jw_int(sl_jw_t *w, int64_t v)
{
    before_value(w);
    sl_buf_printf(w->out, "%lld", (long long)v);
}

void sl_jw_uint(sl_jw_t *w, uint64_t v)
{
    before_value(w);
    sl_buf_printf(w->out, "%llu", (unsigned long long)v);
}

size_t sl_format_double(double v, char out[32])
{
    if (isnan(v))
        return (size_t)snprintf(out, 32, "NaN");
    if (isinf(v))
        return (size_t)snprintf(out, 32, v > 0 ? "Infinity" : "-Infinity");
    if (v == 0)
        return (size_t)snprintf(out, 32, "0");
    for (int prec = 15; prec <= 17; prec++) {
        int n = snprintf(out, 32, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            return (size_t)n;
    }
    return (size_t)snprintf(out, 32, "%.17g", v);
}

void sl_jw_real(sl_jw_t *w, double v)
{
    char t[32];
    size_t n = sl_format_double(v, t);
    if (!isfinite(v)) {
        sl_jw_strn(w, t, n);
        return;
    }
    before_value(w);
    sl_buf_append(w->out, t, n);
}

void sl_jw_bool(sl_jw_t *w, bool v)
{
    before_value(w);
    sl_buf_puts(w->out, v ? "true" : "false");
}

void sl_jw_null(sl_jw_t *w)
{
    before_value(w);
    sl_buf_puts(w->out, "null");
}

void sl_jw_raw(sl_jw_t *w, const char *s, size_t n)
{
    before_value(w);
    sl_buf_append(w->out, s, n);
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
        len = 2;
        cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3;
        cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    /* Reject overlong forms, surrogates and values past U+10FFFF. */
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

void sl_json_escape(sl_buf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    sl_buf_reserve(b, n + 2);
    size_t i = 0;
    while (i < n) {
        /* Copy the longest run that needs no escaping in one go. */
        size_t run = i;
        while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
            run++;
        if (run > i) {
            sl_buf_append(b, s + i, run - i);
            i = run;
            continue;
        }
        unsigned char c = p[i];
        if (c >= 0x80) {
            size_t k = utf8_seq(p + i, n - i);
            if (k) {
                sl_buf_append(b, s + i, k);
                i += k;
            } else {
                sl_buf_append(b, "\xef\xbf\xbd", 3);
                i++;
            }
            continue;
        }
        switch (c) {
        case '"':
            sl_buf_append(b, "\\\"", 2);
            break;
        case '\\':
            sl_buf_append(b, "\\\\", 2);
            break;
        case '\n':
            sl_buf_append(b, "\\n", 2);
            break;
        case '\r':
            sl_buf_append(b, "\\r", 2);
            break;
        case '\t':
            sl_buf_append(b, "\\t", 2);
            break;
        case '\b':
            sl_buf_append(b, "\\b", 2);
            break;
        case '\f':
            sl_buf_append(b, "\\f", 2);
            break;
        default: {
            char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            sl_buf_append(b, u, 6);
        }
        }
        i++;
    }
}
