/*
 * Growable buffers and varints. Capacity doubles so appends are amortised
 * O(1); one spare byte always holds a NUL terminator.
 */
#include "common/common.h"

#include <stdio.h>
#include <string.h>

static size_t grow_to(const sl_buf_t *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    return cap;
}

void sl_buf_reserve(sl_buf_t *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = grow_to(b, extra);
    b->data = sl_xrealloc(b->data, cap);
    b->cap = cap;
}

int sl_buf_try_reserve(sl_buf_t *b, size_t extra)
{
    if (extra > SIZE_MAX / 2 - b->len)
        return SL_ENOMEM;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = grow_to(b, extra);
    char *p = sl_try_realloc(b->data, cap);
    if (!p)
        return SL_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

void sl_buf_append(sl_buf_t *b, const void *p, size_t n)
{
    sl_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sl_buf_puts(sl_buf_t *b, const char *s)
{
    sl_buf_append(b, s, strlen(s));
}

void sl_buf_putc(sl_buf_t *b, char c)
{
    sl_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void sl_buf_vprintf(sl_buf_t *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    if ((size_t)n < sizeof small) {
        sl_buf_append(b, small, (size_t)n);
    } else {
        sl_buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void sl_buf_printf(sl_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sl_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void sl_buf_put_uvarint(sl_buf_t *b, uint64_t v)
{
    sl_buf_reserve(b, 10);
    uint8_t *p = (uint8_t *)b->data + b->len;
    size_t i = 0;
    while (v >= 0x80) {
        p[i++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[i++] = (uint8_t)v;
    b->len += i;
    b->data[b->len] = '\0';
}

void sl_buf_put_svarint(sl_buf_t *b, int64_t v)
{
    sl_buf_put_uvarint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

void sl_buf_put_u16le(sl_buf_t *b, uint16_t v)
{
    uint8_t t[2];
    sl_store_u16le(t, v);
    sl_buf_append(b, t, 2);
}

void sl_buf_put_u32le(sl_buf_t *b, uint32_t v)
{
    uint8_t t[4];
    sl_store_u32le(t, v);
    sl_buf_append(b, t, 4);
}

void sl_buf_put_u64le(sl_buf_t *b, uint64_t v)
{
    uint8_t t[8];
    sl_store_u64le(t, v);
    sl_buf_append(b, t, 8);
}

void sl_buf_reset(sl_buf_t *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void sl_buf_wipe(sl_buf_t *b)
{
    if (b->data)
        sl_wipe(b->data, b->cap);
    sl_buf_dispose(b);
}

void sl_buf_dispose(sl_buf_t *b)
{
    sl_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *sl_buf_steal(sl_buf_t *b, size_t *len)
{
    if (!b->data)
        sl_buf_reserve(b, 0);
    char *p = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

size_t sl_get_uvarint(const uint8_t *p, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && i < 10; i++) {
        uint64_t byte = p[i];
        if (i == 9 && byte > 1)
            return 0; /* would overflow 64 bits */
        v |= (byte & 0x7f) << (7 * i);
        if (!(byte & 0x80)) {
            *out = v;
            return i + 1;
        }
    }
    return 0;
}

size_t sl_get_svarint(const uint8_t *p, size_t n, int64_t *out)
{
    uint64_t u;
    size_t k = sl_get_uvarint(p, n, &u);
    if (k)
        *out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
    return k;
}
