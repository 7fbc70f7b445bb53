/*
 * Conversion functions: tostring, toint, tolong, todouble / toreal /
 * todecimal, tobool / toboolean, todatetime, totimespan / totime, toguid,
 * and the unnamed to-dynamic conversion that sl_qbind_cast uses.
 *
 * Every conversion accepts any scalar type and yields null (or "" for
 * tostring/toguid) when the value cannot be converted; KQL's docs say
 * "if the conversion isn't successful, the result is null". Decisions where
 * the docs are silent, chosen so that conversions round-trip:
 *
 *  - Text is trimmed of ASCII whitespace (" 12 " → 12). Integers parse
 *    exactly; a real text converts to an integer type by truncation towards
 *    zero ("1.9" → 1, as toint(2.3) → 2 in the docs), and only if it fits.
 *  - toint() of an integral value (int, long, bool, datetime, timespan)
 *    wraps to 32 bits as a C# cast does; toint() of a real or of text that
 *    does not fit in int is null.
 *  - tolong(datetime) is the datetime in .NET ticks (100 ns since
 *    0001-01-01), as Kusto returns it; todatetime(long) reads .NET ticks
 *    back, so todatetime(tolong(d)) == d. tolong(timespan) and
 *    totimespan(long) are ticks. todouble() follows tolong().
 *  - tobool() takes "true"/"false" in any case and numbers (non-zero is
 *    true, in text too); anything else is null.
 *  - todecimal() returns real: sealog has no 128-bit decimal type, so
 *    decimals are carried as doubles (15-16 significant digits).
 *  - Dynamic values convert by their JSON kind: a JSON string converts as
 *    its text, a number as its digits, a bool as 1/0 or true/false; arrays
 *    and objects convert only to string (their JSON text) and dynamic. The
 *    JSON literal null is null (tostring gives "").
 *  - The to-dynamic cast wraps a value as a dynamic element
 *    (sl_qvec_json): 5 → 5, "a" → "a" (a JSON string, not parsed).
 */
#include "query/fn_misc_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Text parsers                                                             */
/* ------------------------------------------------------------------------ */

static bool is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static const char *trim(const char *s, size_t *n)
{
    while (*n && is_ws((unsigned char)s[0])) {
        s++;
        (*n)--;
    }
    while (*n && is_ws((unsigned char)s[*n - 1])) {
        (*n)--;
    }
    return s;
}

/* "[+-]digits[.digits][e[+-]digits]" (also ".5", "5.") covering all of s. */
static bool is_real_text(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        i++;
    }
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        i++;
        digits++;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
            digits++;
        }
    }
    if (digits == 0) {
        return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            i++;
        }
        size_t e = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
        if (i == e) {
            return false;
        }
    }
    return i == n;
}

bool sl_qconv_parse_real(const char *s, size_t n, double *out)
{
    s = trim(s, &n);
    if (n == 0) {
        return false;
    }
    if (sl_strn_ieq(s, n, "nan", 3)) {
        *out = NAN;
        return true;
    }
    bool neg = s[0] == '-';
    const char *w = s + (s[0] == '-' || s[0] == '+');
    size_t wn = n - (size_t)(w - s);
    if (sl_strn_ieq(w, wn, "infinity", 8) || sl_strn_ieq(w, wn, "inf", 3)) {
        *out = neg ? -INFINITY : INFINITY;
        return true;
    }
    /* strtod needs a terminated copy; 400 bytes hold any sensible number
     * (a double has at most ~770 significant digits, none beyond 17 count). */
    char buf[400];
    if (n >= sizeof buf || !is_real_text(s, n)) {
        return false;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    *out = strtod(buf, NULL);
    return true;
}

bool sl_qconv_parse_long(const char *s, size_t n, int64_t *out)
{
    s = trim(s, &n);
    if (n == 0) {
        return false;
    }
    size_t i = s[0] == '-' || s[0] == '+';
    bool neg = s[0] == '-';
    uint64_t v = 0;
    bool integral = i < n;
    for (size_t k = i; k < n; k++) {
        unsigned dgt = (unsigned)(unsigned char)s[k] - '0';
        if (dgt > 9) {
            integral = false;
            break;
        }
        if (v > (UINT64_MAX - dgt) / 10) {
            integral = false; /* too long for 64 bits: maybe a real */
            break;
        }
        v = v * 10 + dgt;
    }
    if (integral) {
        if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX) {
            return false;
        }
        *out = neg ? (int64_t)(0 - v) : (int64_t)v;
        return true;
    }
    double r;
    if (!sl_qconv_parse_real(s, n, &r) || isnan(r) || r >= 9223372036854775808.0 ||
        r < -9223372036854775808.0) {
        return false;
    }
    *out = (int64_t)r;
    return true;
}

bool sl_qconv_parse_bool(const char *s, size_t n, bool *out)
{
    s = trim(s, &n);
    if (sl_strn_ieq(s, n, "true", 4)) {
        *out = true;
        return true;
    }
    if (sl_strn_ieq(s, n, "false", 5)) {
        *out = false;
        return true;
    }
    double r;
    if (sl_qconv_parse_real(s, n, &r) && !isnan(r)) {
        *out = r != 0;
        return true;
    }
    return false;
}

/* ------------------------------------------------------------------------ */
/* One value of any type, converted                                         */
/* ------------------------------------------------------------------------ */

/* The text a string or dynamic row converts from, and whether it is a JSON
 * bool/number (for dynamic). Returns false for null, arrays and objects. */
static bool text_of(const sl_qvec_t *v,
                    size_t i,
                    sl_buf_t *tmp,
                    const char **s,
                    size_t *n,
                    sl_qdyn_kind_t *kind)
{
    const char *raw = sl_qvec_text(v, i, n);
    if (v->col.type != SL_TYPE_DYNAMIC) {
        *s = raw;
        *kind = SL_QDYN_STRING;
        return v->col.type == SL_TYPE_STRING || *n > 0;
    }
    *kind = sl_qmisc_dyn_scalar(raw, *n, tmp, s, n);
    return *kind == SL_QDYN_STRING || *kind == SL_QDYN_NUMBER || *kind == SL_QDYN_BOOL;
}

/* The value as a long. *integral tells toint() whether to wrap (integral
 * sources) or to range-check (reals, text). */
static bool val_long(const sl_qvec_t *v, size_t i, sl_buf_t *tmp, int64_t *out, bool *integral)
{
    *integral = true;
    if (sl_qvec_is_null(v, i)) {
        return false;
    }
    switch (v->col.type) {
    case SL_TYPE_BOOL:
        *out = sl_qvec_bool(v, i);
        return true;
    case SL_TYPE_INT:
    case SL_TYPE_LONG:
    case SL_TYPE_TIMESPAN:
        *out = sl_qvec_i64(v, i);
        return true;
    case SL_TYPE_DATETIME:
        *out = sl_qvec_i64(v, i) + SL_QDT_NET_EPOCH;
        return true;
    case SL_TYPE_REAL: {
        double r = sl_qvec_f64(v, i);
        *integral = false;
        if (isnan(r) || r >= 9223372036854775808.0 || r < -9223372036854775808.0) {
            return false;
        }
        *out = (int64_t)r;
        return true;
    }
    case SL_TYPE_STRING:
    case SL_TYPE_DYNAMIC: {
        const char *s;
        size_t n;
        sl_qdyn_kind_t k;
        *integral = false;
        if (!text_of(v, i, tmp, &s, &n, &k)) {
            return false;
        }
        if (k == SL_QDYN_BOOL) {
            *out = s[0] == 't';
            return true;
        }
        return sl_qconv_parse_long(s, n, out);
    }
    default: /* guid */
        return false;
    }
}

static bool val_real(const sl_qvec_t *v, size_t i, sl_buf_t *tmp, double *out)
{
    if (sl_qvec_is_null(v, i)) {
        return false;
    }
    switch (v->col.type) {
    case SL_TYPE_REAL:
        *out = sl_qvec_f64(v, i);
        return true;
    case SL_TYPE_STRING:
    case SL_TYPE_DYNAMIC: {
        const char *s;
        size_t n;
        sl_qdyn_kind_t k;
        if (!text_of(v, i, tmp, &s, &n, &k)) {
            return false;
        }
        if (k == SL_QDYN_BOOL) {
            *out = s[0] == 't';
            return true;
        }
        return sl_qconv_parse_real(s, n, out);
    }
    default: {
        int64_t x;
        bool integral;
        if (!val_long(v, i, tmp, &x, &integral)) {
            return false;
        }
        *out = (double)x;
        return true;
    }
    }
}

static bool val_bool(const sl_qvec_t *v, size_t i, sl_buf_t *tmp, bool *out)
{
    if (sl_qvec_is_null(v, i)) {
        return false;
    }
    switch (v->col.type) {
    case SL_TYPE_BOOL:
        *out = sl_qvec_bool(v, i);
        return true;
    case SL_TYPE_INT:
    case SL_TYPE_LONG:
        *out = sl_qvec_i64(v, i) != 0;
        return true;
    case SL_TYPE_REAL: {
        double r = sl_qvec_f64(v, i);
        *out = r != 0;
        return !isnan(r);
    }
    case SL_TYPE_STRING:
    case SL_TYPE_DYNAMIC: {
        const char *s;
        size_t n;
        sl_qdyn_kind_t k;
        return text_of(v, i, tmp, &s, &n, &k) && sl_qconv_parse_bool(s, n, out);
    }
    default: /* datetime, timespan, guid */
        return false;
    }
}

static bool val_datetime(const sl_qvec_t *v, size_t i, sl_buf_t *tmp, sl_ticks_t *out)
{
    if (sl_qvec_is_null(v, i)) {
        return false;
    }
    switch (v->col.type) {
    case SL_TYPE_DATETIME:
        *out = sl_qvec_i64(v, i);
        return true;
    case SL_TYPE_INT:
    case SL_TYPE_LONG: {
        int64_t x = sl_qvec_i64(v, i);
        if (x < 0) {
            return false;
        }
        *out = x - SL_QDT_NET_EPOCH;
        return sl_qdt_ok(*out);
    }
    case SL_TYPE_STRING:
    case SL_TYPE_DYNAMIC: {
        const char *s;
        size_t n;
        sl_qdyn_kind_t k;
        bool is_null;
        if (!text_of(v, i, tmp, &s, &n, &k) || k == SL_QDYN_BOOL) {
            return false;
        }
        if (k == SL_QDYN_NUMBER) {
            int64_t x;
            if (!sl_qconv_parse_long(s, n, &x) || x < 0) {
                return false;
            }
            *out = x - SL_QDT_NET_EPOCH;
            return sl_qdt_ok(*out);
        }
        return sl_query_datetime_decode(s, n, out, &is_null) == 0 && !is_null && sl_qdt_ok(*out);
    }
    default: /* real, bool, timespan, guid */
        return false;
    }
}

static bool val_timespan(const sl_qvec_t *v, size_t i, sl_buf_t *tmp, sl_ticks_t *out)
{
    if (sl_qvec_is_null(v, i)) {
        return false;
    }
    switch (v->col.type) {
    case SL_TYPE_TIMESPAN:
    case SL_TYPE_INT:
    case SL_TYPE_LONG:
        *out = sl_qvec_i64(v, i);
        return true;
    case SL_TYPE_REAL: {
        double r = sl_qvec_f64(v, i);
        if (isnan(r) || r >= 9223372036854775808.0 || r < -9223372036854775808.0) {
            return false;
        }
        *out = (int64_t)r;
        return true;
    }
    case SL_TYPE_STRING:
    case SL_TYPE_DYNAMIC: {
        const char *s;
        size_t n;
        sl_qdyn_kind_t k;
        bool is_null;
        if (!text_of(v, i, tmp, &s, &n, &k) || k == SL_QDYN_BOOL) {
            return false;
        }
        if (k == SL_QDYN_NUMBER) {
            return sl_qconv_parse_long(s, n, out);
        }
        return sl_query_timespan_decode(s, n, out, &is_null) == 0 && !is_null;
    }
    default: /* datetime, bool, guid */
        return false;
    }
}

/* ------------------------------------------------------------------------ */
/* Vector loops                                                             */
/* ------------------------------------------------------------------------ */

/* Formats x in decimal at the end of buf[24]; returns the first char. */
static char *fmt_i64(int64_t x, char buf[24])
{
    char *p = buf + 24;
    uint64_t u = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (x < 0) {
        *--p = '-';
    }
    return p;
}

static sl_qvec_t *conv_text(const sl_qvec_t *a, size_t n, sl_type_t to, sl_buf_t *tmp)
{
    sl_qvec_t *o = sl_qvec_new(to, n);
    sl_type_t from = a->col.type;
    if (to == SL_TYPE_STRING && (from == SL_TYPE_INT || from == SL_TYPE_LONG)) {
        sl_qvec_reserve_text(o, n, n * 8);
        for (size_t i = 0; i < n; i++) {
            if (sl_qvec_is_null(a, i)) {
                sl_qvec_push_text(o, "", 0);
                continue;
            }
            char buf[24];
            char *p = fmt_i64(sl_qvec_i64(a, i), buf);
            sl_qvec_push_text(o, p, (size_t)(buf + 24 - p));
        }
        return o;
    }
    if (to == SL_TYPE_STRING && (from == SL_TYPE_DATETIME || from == SL_TYPE_TIMESPAN)) {
        sl_qvec_reserve_text(o, n, n * 28);
        for (size_t i = 0; i < n; i++) {
            char buf[40];
            size_t len = 0;
            if (!sl_qvec_is_null(a, i)) {
                len = from == SL_TYPE_DATETIME ? sl_qmisc_fmt_datetime(sl_qvec_i64(a, i), buf)
                                               : sl_qmisc_fmt_timespan(sl_qvec_i64(a, i), buf);
            }
            sl_qvec_push_text(o, buf, len);
        }
        return o;
    }
    sl_buf_t tmp2 = SL_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        sl_buf_reset(tmp);
        if (to == SL_TYPE_STRING) {
            size_t dn;
            const char *ds = from == SL_TYPE_DYNAMIC ? sl_qvec_text(a, i, &dn) : NULL;
            /* The JSON literal null is a null value: tostring() gives "". */
            if (!ds || dn != 4 || memcmp(ds, "null", 4) != 0) {
                sl_qvec_tostring(a, i, tmp);
            }
        } else if (to == SL_TYPE_DYNAMIC) {
            if (!sl_qvec_is_null(a, i) || from == SL_TYPE_STRING) {
                sl_qvec_json(a, i, tmp);
            }
        } else { /* guid */
            const char *s;
            size_t sn;
            sl_qdyn_kind_t k;
            sl_guid_t g;
            if (from == SL_TYPE_GUID) {
                s = sl_qvec_text(a, i, &sn);
                sl_buf_append(tmp, s, sn);
            } else if ((from == SL_TYPE_STRING || from == SL_TYPE_DYNAMIC) &&
                       text_of(a, i, &tmp2, &s, &sn, &k) && k == SL_QDYN_STRING &&
                       (s = trim(s, &sn), sl_guid_parse(s, sn, &g) == 0)) {
                char canon[37];
                sl_guid_format(&g, canon);
                sl_buf_append(tmp, canon, 36);
            }
        }
        sl_qvec_push_text(o, tmp->data ? tmp->data : "", tmp->len);
    }
    sl_buf_dispose(&tmp2);
    return o;
}

static sl_qvec_t *conv_long(const sl_qvec_t *a, size_t n, bool to_int, sl_buf_t *tmp)
{
    sl_qvec_t *o = sl_qvec_new(to_int ? SL_TYPE_INT : SL_TYPE_LONG, n);
    int64_t *w = sl_qvec_i64w(o);
    sl_type_t from = a->col.type;
    if (!a->konst && (from == SL_TYPE_INT || from == SL_TYPE_LONG || from == SL_TYPE_TIMESPAN)) {
        const int64_t *x = (const int64_t *)a->col.data.data;
        if (to_int) {
            for (size_t i = 0; i < n; i++) {
                w[i] = (int32_t)(uint32_t)(uint64_t)x[i];
            }
        } else {
            memcpy(w, x, n * sizeof *w);
        }
        sl_qmisc_copy_nulls(o, a, n);
        return o;
    }
    if (!a->konst && from == SL_TYPE_REAL) {
        const double *x = (const double *)a->col.data.data;
        /* Open bounds: every value strictly inside truncates into range.
         * NaN fails both comparisons and lands on null too. */
        double lo = to_int ? -2147483649.0 : -9223372036854777856.0; /* next below -2^63 */
        double hi = to_int ? 2147483648.0 : 9223372036854775808.0;
        for (size_t i = 0; i < n; i++) {
            if (x[i] > lo && x[i] < hi && !sl_qvec_is_null(a, i)) {
                w[i] = (int64_t)x[i];
            } else {
                sl_qvec_set_null(o, i);
            }
        }
        return o;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t x;
        bool integral;
        if (!val_long(a, i, tmp, &x, &integral)) {
            sl_qvec_set_null(o, i);
        } else if (!to_int) {
            w[i] = x;
        } else if (integral) {
            w[i] = (int32_t)(uint32_t)(uint64_t)x;
        } else if (x >= INT32_MIN && x <= INT32_MAX) {
            w[i] = x;
        } else {
            sl_qvec_set_null(o, i);
        }
    }
    return o;
}

static sl_qvec_t *conv_real(const sl_qvec_t *a, size_t n, sl_buf_t *tmp)
{
    sl_qvec_t *o = sl_qvec_new(SL_TYPE_REAL, n);
    double *w = sl_qvec_f64w(o);
    sl_type_t from = a->col.type;
    if (!a->konst && (from == SL_TYPE_INT || from == SL_TYPE_LONG)) {
        const int64_t *x = (const int64_t *)a->col.data.data;
        for (size_t i = 0; i < n; i++) {
            w[i] = (double)x[i];
        }
        sl_qmisc_copy_nulls(o, a, n);
        return o;
    }
    for (size_t i = 0; i < n; i++) {
        if (!val_real(a, i, tmp, &w[i])) {
            w[i] = 0;
            sl_qvec_set_null(o, i);
        }
    }
    return o;
}

static sl_qvec_t *conv_fixed(const sl_qvec_t *a, size_t n, sl_type_t to, sl_buf_t *tmp)
{
    sl_qvec_t *o = sl_qvec_new(to, n);
    for (size_t i = 0; i < n; i++) {
        bool ok;
        if (to == SL_TYPE_BOOL) {
            bool x = false;
            ok = val_bool(a, i, tmp, &x);
            sl_qvec_boolw(o)[i] = ok && x;
        } else {
            sl_ticks_t t = 0;
            ok = to == SL_TYPE_DATETIME ? val_datetime(a, i, tmp, &t) : val_timespan(a, i, tmp, &t);
            sl_qvec_i64w(o)[i] = ok ? t : 0;
        }
        if (!ok) {
            sl_qvec_set_null(o, i);
        }
    }
    return o;
}

/* ------------------------------------------------------------------------ */
/* Bind and eval                                                            */
/* ------------------------------------------------------------------------ */

static const struct {
    const char *name;
    sl_type_t to;
} targets[] = {
    { "tostring", SL_TYPE_STRING },     { "toint", SL_TYPE_INT },
    { "tolong", SL_TYPE_LONG },         { "todouble", SL_TYPE_REAL },
    { "toreal", SL_TYPE_REAL },         { "todecimal", SL_TYPE_REAL },
    { "tobool", SL_TYPE_BOOL },         { "toboolean", SL_TYPE_BOOL },
    { "todatetime", SL_TYPE_DATETIME }, { "totimespan", SL_TYPE_TIMESPAN },
    { "totime", SL_TYPE_TIMESPAN },     { "toguid", SL_TYPE_GUID },
    { "todynamic", SL_TYPE_DYNAMIC },
};

int sl_qmisc_bind_conv(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    (void)b;
    for (size_t i = 0; i < SL_ARRAY_SIZE(targets); i++) {
        if (sl_qmisc_named(call, targets[i].name)) {
            call->variant = (int)targets[i].to;
            *type = targets[i].to;
            return 0;
        }
    }
    return sl_qmisc_error(d, call, "not a conversion function");
}

int sl_qmisc_eval_conv(const sl_qcall_t *call,
                       sl_qvec_t *const *args,
                       size_t n,
                       sl_qvec_t **out,
                       sl_qrt_t *rt)
{
    sl_qvec_t *a = args[0];
    sl_type_t to = (sl_type_t)call->variant;
    if (a->col.type == to) {
        /* Same type: the values are already right (vectors are immutable
         * once made, so sharing is safe). */
        *out = sl_qvec_ref(a);
        return 0;
    }
    sl_buf_t *tmp = &rt->scratch;
    switch (to) {
    case SL_TYPE_STRING:
    case SL_TYPE_GUID:
    case SL_TYPE_DYNAMIC:
        *out = conv_text(a, n, to, tmp);
        break;
    case SL_TYPE_INT:
    case SL_TYPE_LONG:
        *out = conv_long(a, n, to == SL_TYPE_INT, tmp);
        break;
    case SL_TYPE_REAL:
        *out = conv_real(a, n, tmp);
        break;
    default:
        *out = conv_fixed(a, n, to, tmp);
        break;
    }
    sl_buf_reset(tmp);
    return 0;
}

/* The functions sl_qbind_cast wraps arguments in. They are the registered
 * ones in behaviour; these entries exist so that a cast does not depend on
 * the registry's order (and todynamic's name belongs to the text library). */
static const sl_qfn_t cast_fns[] = {
    { "tostring", 1, 1, false, sl_qmisc_bind_conv, sl_qmisc_eval_conv },
    { "toint", 1, 1, false, sl_qmisc_bind_conv, sl_qmisc_eval_conv },
    { "tolong", 1, 1, false, sl_qmisc_bind_conv, sl_qmisc_eval_conv },
    { "todouble", 1, 1, false, sl_qmisc_bind_conv, sl_qmisc_eval_conv },
    { "tobool", 1, 1, false, sl_qmisc_bind_conv, sl_qmisc_eval_conv },
    { "todatetime", 1, 1, false, sl_qmisc_bind_conv, sl_qmisc_eval_conv },
    { "totimespan", 1, 1, false, sl_qmisc_bind_conv, sl_qmisc_eval_conv },
    { "toguid", 1, 1, false, sl_qmisc_bind_conv, sl_qmisc_eval_conv },
    { "todynamic", 1, 1, false, sl_qmisc_bind_conv, sl_qmisc_eval_conv },
};

const sl_qfn_t *sl_qconv_fn(sl_type_t to)
{
    switch (to) {
    case SL_TYPE_STRING:
        return &cast_fns[0];
    case SL_TYPE_INT:
        return &cast_fns[1];
    case SL_TYPE_LONG:
        return &cast_fns[2];
    case SL_TYPE_REAL:
        return &cast_fns[3];
    case SL_TYPE_BOOL:
        return &cast_fns[4];
    case SL_TYPE_DATETIME:
        return &cast_fns[5];
    case SL_TYPE_TIMESPAN:
        return &cast_fns[6];
    case SL_TYPE_GUID:
        return &cast_fns[7];
    case SL_TYPE_DYNAMIC:
        return &cast_fns[8];
    default:
        return NULL;
    }
}
