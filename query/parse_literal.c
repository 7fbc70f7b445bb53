/*
 * Literal values: decoding the bodies of typed literals (datetime(...),
 * timespan(...), guid(...), int/long/real/decimal/bool(...), typeof(...)),
 * timespan units, and turning literal tokens into LITERAL nodes.
 *
 * Decisions (see docs/KQL-PARSER.md):
 *  - Timespan units are the spellings of KqlTokens.g4: d/day/days, h/hr/hrs/
 *    hour/hours, m/min/minute/minutes, s/sec/second/seconds, ms/milli/millis/
 *    millisec/millisecond/milliseconds, micro.../microsecond(s), nano.../
 *    nanosecond(s), tick/ticks. Lower case only; no week unit.
 *  - Values are exact: "1.5h" is computed in integers (no floating point),
 *    rounded half away from zero to a tick; nanoseconds are 1/100 tick.
 *  - timespan(N) with a bare number is N days; timespan(d.hh:mm:ss.fffffff)
 *    and timespan(hh:mm[:ss]) are clock forms; a leading '-' negates.
 *  - datetime(...) accepts ISO 8601 (via common/time.c) and RFC 822/1123/850
 *    including the named US zones (EST ... PDT) and UT/GMT/Z, all to UTC.
 *  - Typed nulls (`real(null)`) are LITERAL nodes with is_null set.
 */
#include "query/query_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* Trims ASCII whitespace from both ends of s[0..*n). */
static const char *trim(const char *s, size_t *n)
{
    while (*n && is_space((unsigned char)s[0])) {
        s++;
        (*n)--;
    }
    while (*n && is_space((unsigned char)s[*n - 1])) {
        (*n)--;
    }
    return s;
}

static bool word_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && memcmp(s, w, n) == 0;
}

/* ------------------------------------------------------------------------ */
/* Timespans                                                                */
/* ------------------------------------------------------------------------ */

bool sl_query_timespan_unit(const char *s, size_t n, int64_t *num, int64_t *den)
{
    static const struct {
        const char *name;
        int64_t num, den;
    } units[] = {
        { "d", SL_TICKS_PER_DAY, 1 },
        { "day", SL_TICKS_PER_DAY, 1 },
        { "days", SL_TICKS_PER_DAY, 1 },
        { "h", SL_TICKS_PER_HOUR, 1 },
        { "hr", SL_TICKS_PER_HOUR, 1 },
        { "hrs", SL_TICKS_PER_HOUR, 1 },
        { "hour", SL_TICKS_PER_HOUR, 1 },
        { "hours", SL_TICKS_PER_HOUR, 1 },
        { "m", SL_TICKS_PER_MIN, 1 },
        { "min", SL_TICKS_PER_MIN, 1 },
        { "minute", SL_TICKS_PER_MIN, 1 },
        { "minutes", SL_TICKS_PER_MIN, 1 },
        { "s", SL_TICKS_PER_SEC, 1 },
        { "sec", SL_TICKS_PER_SEC, 1 },
        { "second", SL_TICKS_PER_SEC, 1 },
        { "seconds", SL_TICKS_PER_SEC, 1 },
        { "ms", SL_TICKS_PER_MS, 1 },
        { "milli", SL_TICKS_PER_MS, 1 },
        { "millis", SL_TICKS_PER_MS, 1 },
        { "millisec", SL_TICKS_PER_MS, 1 },
        { "millisecond", SL_TICKS_PER_MS, 1 },
        { "milliseconds", SL_TICKS_PER_MS, 1 },
        { "micro", SL_TICKS_PER_US, 1 },
        { "micros", SL_TICKS_PER_US, 1 },
        { "microsec", SL_TICKS_PER_US, 1 },
        { "microsecond", SL_TICKS_PER_US, 1 },
        { "microseconds", SL_TICKS_PER_US, 1 },
        { "nano", 1, 100 },
        { "nanos", 1, 100 },
        { "nanosec", 1, 100 },
        { "nanosecond", 1, 100 },
        { "nanoseconds", 1, 100 },
        { "tick", 1, 1 },
        { "ticks", 1, 1 },
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(units); i++) {
        if (word_is(s, n, units[i].name)) {
            *num = units[i].num;
            *den = units[i].den;
            return true;
        }
    }
    return false;
}

/*
 * Parses "digits[.digits]" exactly: *ip gets the integer part, *frac and
 * *scale the fraction as frac / 10^scale (at most 15 digits are kept — far
 * below a tick for any unit). Returns false on other text or overflow.
 */
static bool parse_decimal(const char *s, size_t n, int64_t *ip, int64_t *frac, int64_t *scale)
{
    size_t i = 0;
    int64_t v = 0;
    if (n == 0 || !is_digit((unsigned char)s[0])) {
        return false;
    }
    while (i < n && is_digit((unsigned char)s[i])) {
        if (v > (INT64_MAX - 9) / 10) {
            return false;
        }
        v = v * 10 + (s[i++] - '0');
    }
    *ip = v;
    *frac = 0;
    *scale = 1;
    if (i < n && s[i] == '.') {
        i++;
        if (i == n || !is_digit((unsigned char)s[i])) {
            return false;
        }
        int kept = 0;
        while (i < n && is_digit((unsigned char)s[i])) {
            if (kept < 15) {
                *frac = *frac * 10 + (s[i] - '0');
                *scale *= 10;
                kept++;
            }
            i++;
        }
    }
    return i == n;
}

/* (ip + frac/scale) * num / den ticks, rounded half away from zero, in
 * 128-bit integers: ip * num < 2^63 * 2^40 and frac * num < 10^15 * 2^40. */
static bool scale_ticks(int64_t ip,
                        int64_t frac,
                        int64_t scale,
                        int64_t num,
                        int64_t den,
                        sl_ticks_t *out)
{
    __int128 whole = (__int128)ip * num;
    __int128 q = whole / den, r = whole % den;
    __int128 bottom = (__int128)den * scale;
    q += (r * scale + (__int128)frac * num + bottom / 2) / bottom;
    if (q > INT64_MAX) {
        return false;
    }
    *out = (sl_ticks_t)q;
    return true;
}

int sl_query_timespan_from_parts(const char *num,
                                 size_t num_n,
                                 const char *unit,
                                 size_t unit_n,
                                 sl_ticks_t *out)
{
    int64_t un, ud, ip, frac, scale;
    if (!sl_query_timespan_unit(unit, unit_n, &un, &ud) ||
        !parse_decimal(num, num_n, &ip, &frac, &scale)) {
        return SL_EPARSE;
    }
    return scale_ticks(ip, frac, scale, un, ud, out) ? 0 : SL_ELIMIT;
}

/* Clock form "[d.]hh:mm[:ss[.fffffff]]" (sign handled by the caller). */
static bool parse_clock_span(const char *s, size_t n, sl_ticks_t *out)
{
    size_t i = 0;
    int64_t days = 0, h = 0, m = 0, sec = 0, frac = 0;
    /* A '.' before the first ':' separates days from hours. */
    const char *colon = memchr(s, ':', n);
    const char *dot = memchr(s, '.', n);
    if (!colon) {
        return false;
    }
    if (dot && dot < colon) {
        for (; i < (size_t)(dot - s); i++) {
            if (!is_digit((unsigned char)s[i]) || days > 10675199) { /* ~2^63 ticks */
                return false;
            }
            days = days * 10 + (s[i] - '0');
        }
        if (i == 0) {
            return false;
        }
        i++;
    }
    int64_t *fields[3] = { &h, &m, &sec };
    for (int f = 0; f < 3; f++) {
        int digits = 0;
        while (i < n && is_digit((unsigned char)s[i]) && digits < 2) {
            *fields[f] = *fields[f] * 10 + (s[i++] - '0');
            digits++;
        }
        if (digits == 0) {
            return false;
        }
        if (i == n || f == 2 || s[i] != ':') {
            if (f == 0) {
                return false; /* hours alone are not a clock */
            }
            break;
        }
        i++;
    }
    if (i < n && s[i] == '.') {
        i++;
        int k = 0;
        while (i < n && is_digit((unsigned char)s[i])) {
            if (k < 7) {
                frac = frac * 10 + (s[i] - '0');
                k++;
            }
            i++;
        }
        if (k == 0) {
            return false;
        }
        while (k++ < 7) {
            frac *= 10;
        }
    }
    if (i != n || h > 23 || m > 59 || sec > 59) {
        return false;
    }
    *out = days * SL_TICKS_PER_DAY + h * SL_TICKS_PER_HOUR + m * SL_TICKS_PER_MIN +
           sec * SL_TICKS_PER_SEC + frac;
    return true;
}

int sl_query_timespan_decode(const char *s, size_t n, sl_ticks_t *out, bool *is_null)
{
    s = trim(s, &n);
    *is_null = false;
    if (word_is(s, n, "null")) {
        *is_null = true;
        *out = 0;
        return 0;
    }
    bool neg = false;
    if (n && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s++;
        n--;
        s = trim(s, &n);
    }
    sl_ticks_t t;
    if (memchr(s, ':', n)) {
        if (!parse_clock_span(s, n, &t)) {
            return SL_EPARSE;
        }
    } else {
        /* A number, then optional whitespace and a unit; no unit = days. */
        size_t k = 0;
        while (k < n && (is_digit((unsigned char)s[k]) || s[k] == '.')) {
            k++;
        }
        size_t u = k;
        while (u < n && is_space((unsigned char)s[u])) {
            u++;
        }
        int rc = u == n ? sl_query_timespan_from_parts(s, k, "d", 1, &t)
                        : sl_query_timespan_from_parts(s, k, s + u, n - u, &t);
        if (rc != 0) {
            return SL_EPARSE;
        }
    }
    *out = neg ? -t : t;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Datetimes                                                                */
/* ------------------------------------------------------------------------ */

/* RFC 822 zone names and their UTC offsets in hours. */
static bool named_zone(const char *z, size_t n, int *hours)
{
    static const struct {
        const char *name;
        int hours;
    } zones[] = { { "UT", 0 },   { "EST", -5 }, { "EDT", -4 }, { "CST", -6 }, { "CDT", -5 },
                  { "MST", -7 }, { "MDT", -6 }, { "PST", -8 }, { "PDT", -7 } };
    for (size_t i = 0; i < SL_ARRAY_SIZE(zones); i++) {
        if (strlen(zones[i].name) == n && strncasecmp(zones[i].name, z, n) == 0) {
            *hours = zones[i].hours;
            return true;
        }
    }
    return false;
}

int sl_query_datetime_decode(const char *s, size_t n, sl_ticks_t *out, bool *is_null)
{
    s = trim(s, &n);
    *is_null = false;
    if (word_is(s, n, "null")) {
        *is_null = true;
        *out = 0;
        return 0;
    }
    if (n == 0 || n > 64) {
        return SL_EPARSE;
    }
    if (sl_time_parse_iso8601(s, n, out) == 0 || sl_time_parse_rfc1123(s, n, out) == 0) {
        return 0;
    }
    /* A trailing named zone the common parsers do not know: rewrite it as a
     * numeric offset and try again ("... 15:05:02 EST" → "... -0500"). */
    size_t z = n;
    while (z > 0 &&
           ((s[z - 1] >= 'A' && s[z - 1] <= 'Z') || (s[z - 1] >= 'a' && s[z - 1] <= 'z'))) {
        z--;
    }
    int hours;
    if (z == n || z == 0 || s[z - 1] != ' ' || !named_zone(s + z, n - z, &hours)) {
        return SL_EPARSE;
    }
    char buf[80];
    int len = snprintf(buf,
                       sizeof buf,
                       "%.*s%c%02d00",
                       (int)z,
                       s,
                       hours < 0 ? '-' : '+',
                       hours < 0 ? -hours : hours);
    if (sl_time_parse_rfc1123(buf, (size_t)len, out) == 0 ||
        sl_time_parse_iso8601(buf, (size_t)len, out) == 0) {
        return 0;
    }
    return SL_EPARSE;
}

/* ------------------------------------------------------------------------ */
/* Numbers                                                                  */
/* ------------------------------------------------------------------------ */

/* "[+-]digits" or "[+-]0x hex" covering all of s. */
static bool parse_integer(const char *s, size_t n, int64_t *out)
{
    bool neg = false;
    if (n && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        s++;
        n--;
    }
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        uint64_t v = 0;
        if (n - 2 > 16) {
            return false;
        }
        uint8_t bytes[8];
        char hex[16];
        size_t h = n - 2;
        memset(hex, '0', sizeof hex);
        memcpy(hex + 16 - h, s + 2, h);
        if (sl_hex_decode(hex, 16, bytes) != 0) {
            return false;
        }
        v = sl_load_u64be(bytes);
        *out = (int64_t)(neg ? 0 - v : v); /* two's complement, as Kusto */
        return true;
    }
    if (n == 0) {
        return false;
    }
    if (neg) {
        /* Parse with the sign so that INT64_MIN is reachable. */
        char buf[24];
        if (n + 1 >= sizeof buf) {
            return false;
        }
        buf[0] = '-';
        memcpy(buf + 1, s, n);
        return sl_parse_i64(buf, n + 1, out) == 0;
    }
    return sl_parse_i64(s, n, out) == 0;
}

/* "[+-]digits[.digits][e[+-]digits]", also ".5" and "5." (real and decimal
 * bodies). strtod alone would also take hex floats and "infinity". */
static bool is_real_text(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        i++;
    }
    while (i < n && is_digit((unsigned char)s[i])) {
        i++;
        digits++;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && is_digit((unsigned char)s[i])) {
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
        while (i < n && is_digit((unsigned char)s[i])) {
            i++;
        }
        if (i == e) {
            return false;
        }
    }
    return i == n;
}

static bool parse_real(const char *s, size_t n, double *out)
{
    if (sl_strn_ieq(s, n, "nan", 3)) {
        *out = NAN;
        return true;
    }
    if (sl_strn_ieq(s, n, "inf", 3) || sl_strn_ieq(s, n, "+inf", 4)) {
        *out = INFINITY;
        return true;
    }
    if (sl_strn_ieq(s, n, "-inf", 4)) {
        *out = -INFINITY;
        return true;
    }
    char buf[128];
    if (!is_real_text(s, n) || n >= sizeof buf) {
        return false;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    *out = strtod(buf, NULL);
    return true;
}

/* ------------------------------------------------------------------------ */
/* Literal nodes                                                            */
/* ------------------------------------------------------------------------ */

static bool is_bool_kw(sl_query_kw_t kw, bool *value)
{
    switch (kw) {
    case SL_QUERY_KW_TRUE:
    case SL_QUERY_KW_TRUE_UPPER:
    case SL_QUERY_KW_TRUE_TITLE:
        *value = true;
        return true;
    case SL_QUERY_KW_FALSE:
    case SL_QUERY_KW_FALSE_UPPER:
    case SL_QUERY_KW_FALSE_TITLE:
        *value = false;
        return true;
    default:
        return false;
    }
}

bool sl_query__at_literal(const sl_query__parser_t *p)
{
    const sl_query_tok_t *t = sl_query__peek(p, 0);
    bool b;
    switch (t->kind) {
    case SL_QUERY_T_STRING:
    case SL_QUERY_T_LONG:
    case SL_QUERY_T_REAL:
    case SL_QUERY_T_TIMESPAN:
    case SL_QUERY_T_TYPED:
        return true;
    case SL_QUERY_T_IDENT:
        return is_bool_kw(t->kw, &b);
    default:
        return false;
    }
}

static bool is_name_char(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* "*, a:int, b:string": the row-schema form of typeof(...). */
static bool is_row_schema(const char *s, size_t n)
{
    size_t i = 0;
    for (;;) {
        while (i < n && is_space((unsigned char)s[i])) {
            i++;
        }
        if (i < n && s[i] == '*') {
            i++;
        } else {
            size_t name = i;
            while (i < n && is_name_char((unsigned char)s[i])) {
                i++;
            }
            while (i < n && is_space((unsigned char)s[i])) {
                i++;
            }
            if (i == name || i >= n || s[i] != ':') {
                return false;
            }
            i++;
            while (i < n && is_space((unsigned char)s[i])) {
                i++;
            }
            size_t ty = i;
            while (i < n && is_name_char((unsigned char)s[i])) {
                i++;
            }
            if (sl_query_type_parse(s + ty, i - ty) == SL_QUERY_TY_NONE) {
                return false;
            }
        }
        while (i < n && is_space((unsigned char)s[i])) {
            i++;
        }
        if (i == n) {
            return true;
        }
        if (s[i] != ',') {
            return false;
        }
        i++;
    }
}

/* Decodes a TYPED token's body into `lit`; false (with an error) if bad. */
static bool decode_typed(sl_query__parser_t *p, const sl_query_tok_t *t, sl_query_lit_t *lit)
{
    size_t n = t->v.typed.body_len;
    const char *s = trim(p->text + t->v.typed.body_off, &n);
    bool null = word_is(s, n, "null");
    lit->type = t->v.typed.type;
    const char *what = "literal";
    switch (t->v.typed.type) {
    case SL_QUERY_TY_DATETIME:
        what = "datetime";
        if (sl_query_datetime_decode(s, n, &lit->t, &lit->is_null) == 0) {
            return true;
        }
        break;
    case SL_QUERY_TY_TIMESPAN:
        what = "timespan";
        if (sl_query_timespan_decode(s, n, &lit->t, &lit->is_null) == 0) {
            return true;
        }
        break;
    case SL_QUERY_TY_GUID:
        what = "guid";
        if (null || sl_guid_parse(s, n, &lit->g) == 0) {
            lit->is_null = null;
            return true;
        }
        break;
    case SL_QUERY_TY_INT:
    case SL_QUERY_TY_LONG:
        what = t->v.typed.type == SL_QUERY_TY_INT ? "int" : "long";
        if (null) {
            lit->is_null = true;
            return true;
        }
        if (parse_integer(s, n, &lit->i) &&
            (t->v.typed.type == SL_QUERY_TY_LONG || (lit->i >= INT32_MIN && lit->i <= INT32_MAX))) {
            return true;
        }
        break;
    case SL_QUERY_TY_REAL:
        what = "real";
        if (null) {
            lit->is_null = true;
            return true;
        }
        if (parse_real(s, n, &lit->r)) {
            return true;
        }
        break;
    case SL_QUERY_TY_DECIMAL:
        what = "decimal";
        if (null) {
            lit->is_null = true;
            return true;
        }
        if (is_real_text(s, n)) {
            lit->str.s = sl_pool_strndup(p->pool, s, n);
            lit->str.n = n;
            return true;
        }
        break;
    case SL_QUERY_TY_BOOL:
        what = "bool";
        if (null) {
            lit->is_null = true;
            return true;
        }
        if (sl_strn_ieq(s, n, "true", 4) || sl_strn_ieq(s, n, "false", 5)) {
            lit->b = n == 4;
            return true;
        }
        break;
    case SL_QUERY_TY_TYPE:
        what = "type";
        lit->of_type = sl_query_type_parse(s, n);
        if (lit->of_type != SL_QUERY_TY_NONE) {
            return true;
        }
        if (is_row_schema(s, n)) {
            /* typeof(*, x:int): a plugin's output schema, kept as text. */
            lit->str.s = sl_pool_strndup(p->pool, s, n);
            lit->str.n = n;
            return true;
        }
        sl_query__fail(p, t, SL_EPARSE, "unknown type '%.*s' in typeof()", (int)SL_MIN(n, 32), s);
        return false;
    case SL_QUERY_TY_DYNAMIC:
        lit->dyn = sl_query__parse_dynamic(p, t);
        return lit->dyn != NULL;
    default:
        break;
    }
    sl_query__fail(p, t, SL_EPARSE, "invalid %s literal", what);
    return false;
}

sl_query_node_t *sl_query__parse_literal(sl_query__parser_t *p)
{
    const sl_query_tok_t *t = sl_query__peek(p, 0);
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_LITERAL, t);
    sl_query_lit_t *lit = &n->lit;
    bool b;
    switch (t->kind) {
    case SL_QUERY_T_STRING:
        lit->type = SL_QUERY_TY_STRING;
        lit->str.s = t->v.str.s;
        lit->str.n = t->v.str.n;
        lit->obfuscated = t->v.str.obfuscated;
        break;
    case SL_QUERY_T_LONG:
        lit->type = SL_QUERY_TY_LONG;
        lit->i = t->v.i;
        break;
    case SL_QUERY_T_REAL:
        lit->type = SL_QUERY_TY_REAL;
        lit->r = t->v.r;
        break;
    case SL_QUERY_T_TIMESPAN:
        lit->type = SL_QUERY_TY_TIMESPAN;
        lit->t = t->v.ticks;
        break;
    case SL_QUERY_T_TYPED:
        if (!decode_typed(p, t, lit)) {
            return NULL;
        }
        break;
    default:
        if (t->kind == SL_QUERY_T_IDENT && is_bool_kw(t->kw, &b)) {
            lit->type = SL_QUERY_TY_BOOL;
            lit->b = b;
            break;
        }
        return sl_query__expected(p, "a literal");
    }
    sl_query__next(p);
    return sl_query__finish(p, n);
}
