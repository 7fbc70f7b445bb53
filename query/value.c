/*
 * Value helpers shared by operators, functions and aggregates: hashing and
 * ordering of single values, and their text forms (tostring(), dynamic
 * elements, timespans).
 *
 * Equal values must hash equal wherever KQL considers them equal in a group
 * key or a set: int and long values alike, and a real with an integral
 * value hashes like the same long, so `summarize by x` merges 1 and 1.0
 * coming from different union legs.
 */
#include "query/query_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    /* FNV-1a over 8-byte words, then mixed: fast for short keys. */
    uint64_t h = UINT64_C(0xcbf29ce484222325) ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * UINT64_C(0x100000001b3);
        h ^= h >> 29;
    }
    uint64_t tail = 0;
    memcpy(&tail, s + i, n - i);
    h = (h ^ tail) * UINT64_C(0x100000001b3);
    return mix(h);
}

uint64_t sl_qvec_hash(const sl_qvec_t *v, size_t i)
{
    sl_type_t t = v->col.type;
    if (sl_type_is_text(t)) {
        size_t n;
        const char *s = sl_qvec_text(v, i, &n);
        return hash_bytes(s, n) ^ (uint64_t)t;
    }
    if (sl_qvec_is_null(v, i))
        return UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)t;
    switch (t) {
    case SL_TYPE_BOOL:
        return mix(sl_qvec_bool(v, i) ? 3 : 5);
    case SL_TYPE_REAL: {
        double x = sl_qvec_f64(v, i);
        if (x == floor(x) && fabs(x) < 9.2e18)
            return mix((uint64_t)(int64_t)x);
        if (x == 0)
            x = 0; /* -0.0 equals 0.0 */
        uint64_t b;
        memcpy(&b, &x, 8);
        return mix(b ^ UINT64_C(0x5555));
    }
    case SL_TYPE_INT:
    case SL_TYPE_LONG:
        return mix((uint64_t)sl_qvec_i64(v, i));
    default: /* datetime, timespan */
        return mix((uint64_t)sl_qvec_i64(v, i) ^ ((uint64_t)t << 56));
    }
}

static int cmp_i64(int64_t a, int64_t b)
{
    return (a > b) - (a < b);
}

static int cmp_f64(double a, double b)
{
    /* NaN sorts after every number (a total order for sorting). */
    bool an = isnan(a), bn = isnan(b);
    if (an || bn)
        return an - bn;
    return (a > b) - (a < b);
}

int sl_qvec_cmp(const sl_qvec_t *a, size_t i, const sl_qvec_t *b, size_t j)
{
    sl_type_t ta = a->col.type, tb = b->col.type;
    bool na = sl_qvec_is_null(a, i), nb = sl_qvec_is_null(b, j);
    if (na || nb)
        return nb - na;
    if (sl_type_is_text(ta) && sl_type_is_text(tb)) {
        size_t an, bn;
        const char *as = sl_qvec_text(a, i, &an), *bs = sl_qvec_text(b, j, &bn);
        int c = memcmp(as, bs, SL_MIN(an, bn));
        return c ? (c > 0) - (c < 0) : cmp_i64((int64_t)an, (int64_t)bn);
    }
    if (ta == SL_TYPE_REAL || tb == SL_TYPE_REAL) {
        if (ta == tb)
            return cmp_f64(sl_qvec_f64(a, i), sl_qvec_f64(b, j));
        return cmp_f64(sl_qvec_num(a, i), sl_qvec_num(b, j));
    }
    if (ta == SL_TYPE_BOOL && tb == SL_TYPE_BOOL)
        return (int)sl_qvec_bool(a, i) - (int)sl_qvec_bool(b, j);
    if (!sl_type_is_text(ta) && !sl_type_is_text(tb) && ta != SL_TYPE_BOOL && tb != SL_TYPE_BOOL)
        return cmp_i64(sl_qvec_i64(a, i), sl_qvec_i64(b, j));
    /* Different families (a union of mismatched columns): order by type. */
    return cmp_i64(ta, tb);
}

void sl_qfmt_timespan(sl_ticks_t t, sl_buf_t *out)
{
    char tmp[40];
    size_t n = sl_time_format_timespan(t, tmp);
    sl_buf_append(out, tmp, n);
}

void sl_qfmt_datetime(sl_ticks_t t, sl_buf_t *out)
{
    char tmp[32];
    size_t n = sl_time_format_iso8601(t, tmp);
    sl_buf_append(out, tmp, n);
}

static void fmt_real(double x, sl_buf_t *out)
{
    if (isnan(x)) {
        sl_buf_puts(out, "NaN");
        return;
    }
    if (isinf(x)) {
        sl_buf_puts(out, x > 0 ? "Infinity" : "-Infinity");
        return;
    }
    /* Shortest text that reads back as the same double. */
    char tmp[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, x);
        if (strtod(tmp, NULL) == x)
            break;
    }
    sl_buf_puts(out, tmp);
}

void sl_qvec_tostring(const sl_qvec_t *v, size_t i, sl_buf_t *out)
{
    sl_type_t t = v->col.type;
    if (sl_type_is_text(t)) {
        size_t n;
        const char *s = sl_qvec_text(v, i, &n);
        if (t == SL_TYPE_DYNAMIC && n && s[0] == '"') {
            sl_qdyn_unquote(s, n, out);
            return;
        }
        sl_buf_append(out, s, n);
        return;
    }
    if (sl_qvec_is_null(v, i))
        return;
    switch (t) {
    case SL_TYPE_BOOL:
        sl_buf_puts(out, sl_qvec_bool(v, i) ? "true" : "false");
        break;
    case SL_TYPE_REAL:
        fmt_real(sl_qvec_f64(v, i), out);
        break;
    case SL_TYPE_DATETIME:
        sl_qfmt_datetime(sl_qvec_i64(v, i), out);
        break;
    case SL_TYPE_TIMESPAN:
        sl_qfmt_timespan(sl_qvec_i64(v, i), out);
        break;
    default:
        sl_buf_printf(out, "%lld", (long long)sl_qvec_i64(v, i));
        break;
    }
}

void sl_qvec_json(const sl_qvec_t *v, size_t i, sl_buf_t *out)
{
    sl_type_t t = v->col.type;
    if (t == SL_TYPE_DYNAMIC) {
        size_t n;
        const char *s = sl_qvec_text(v, i, &n);
        if (n)
            sl_buf_append(out, s, n);
        else
            sl_buf_puts(out, "null");
        return;
    }
    if (t == SL_TYPE_STRING || t == SL_TYPE_GUID) {
        size_t n;
        const char *s = sl_qvec_text(v, i, &n);
        if (t == SL_TYPE_GUID && !n) {
            sl_buf_puts(out, "null");
            return;
        }
        sl_qdyn_quote(s, n, out);
        return;
    }
    if (sl_qvec_is_null(v, i)) {
        sl_buf_puts(out, "null");
        return;
    }
    switch (t) {
    case SL_TYPE_BOOL:
    case SL_TYPE_INT:
    case SL_TYPE_LONG:
        sl_qvec_tostring(v, i, out);
        break;
    case SL_TYPE_REAL: {
        double x = sl_qvec_f64(v, i);
        if (isnan(x) || isinf(x)) {
            sl_buf_putc(out, '"');
            fmt_real(x, out);
            sl_buf_putc(out, '"');
        } else {
            fmt_real(x, out);
        }
        break;
    }
    default: /* datetime, timespan: strings, as Kusto renders them in dynamic */
        sl_buf_putc(out, '"');
        sl_qvec_tostring(v, i, out);
        sl_buf_putc(out, '"');
        break;
    }
}

sl_type_t sl_qtype_numeric_join(sl_type_t a, sl_type_t b)
{
    if (!sl_qtype_is_numeric(a) || !sl_qtype_is_numeric(b))
        return 0;
    if (a == SL_TYPE_REAL || b == SL_TYPE_REAL)
        return SL_TYPE_REAL;
    if (a == SL_TYPE_LONG || b == SL_TYPE_LONG)
        return SL_TYPE_LONG;
    return SL_TYPE_INT;
}
