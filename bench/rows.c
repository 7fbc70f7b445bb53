/*
 * Reading the shared generator's JSON lines (BENCHMARKS.md, "Data").
 *
 * Each line is a flat object: {"ts":"2024-06-10 00:00:00","ts_ms":1718000000123,
 * "host":..,"app":..,"severity":..,"message":..}. The generator re-emits the
 * strings inside another JSON document, so they are never unescaped: the row
 * keeps slices of the escaped text and a body writer copies them verbatim.
 * That keeps reading at memory speed (jansson manages ~35 MB/s here, which
 * would make preparing 2 M rows take longer than sending them). The scanner
 * still checks every escape and rejects raw control characters, so what it
 * accepts is valid JSON string content.
 */
#include "bench/load.h"

#include <stdlib.h>
#include <string.h>

typedef struct scan {
    const char *p, *end;
} scan_t;

static void skip_ws(scan_t *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\r' || *s->p == '\n'))
        s->p++;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Scans a string whose opening quote is at s->p; returns its content. */
static int scan_string(scan_t *s, sl_load_str_t *out)
{
    if (s->p >= s->end || *s->p != '"')
        return SL_EPARSE;
    const char *start = ++s->p;
    while (s->p < s->end) {
        unsigned char c = (unsigned char)*s->p;
        if (c == '"') {
            out->p = start;
            out->n = (size_t)(s->p - start);
            s->p++;
            return 0;
        }
        if (c < 0x20)
            return SL_EPARSE;
        if (c == '\\') {
            if (s->end - s->p < 2)
                return SL_EPARSE;
            char e = s->p[1];
            if (e == 'u') {
                if (s->end - s->p < 6 || !is_hex(s->p[2]) || !is_hex(s->p[3]) || !is_hex(s->p[4]) ||
                    !is_hex(s->p[5]))
                    return SL_EPARSE;
                s->p += 6;
                continue;
            }
            if (!strchr("\"\\/bfnrt", e) || e == '\0')
                return SL_EPARSE;
            s->p += 2;
            continue;
        }
        s->p++;
    }
    return SL_EPARSE;
}

/* Scans a JSON number; returns its text. */
static int scan_number(scan_t *s, sl_load_str_t *out, bool *integer)
{
    const char *start = s->p;
    *integer = true;
    if (s->p < s->end && *s->p == '-')
        s->p++;
    const char *digits = s->p;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
        s->p++;
    if (s->p == digits)
        return SL_EPARSE;
    if (s->p < s->end && *s->p == '.') {
        *integer = false;
        const char *f = ++s->p;
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
            s->p++;
        if (s->p == f)
            return SL_EPARSE;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        *integer = false;
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        const char *x = s->p;
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
            s->p++;
        if (s->p == x)
            return SL_EPARSE;
    }
    out->p = start;
    out->n = (size_t)(s->p - start);
    return 0;
}

/* Skips any JSON value (nested values are allowed and ignored). */
static int skip_value(scan_t *s, int depth)
{
    if (depth > 32)
        return SL_EPARSE;
    skip_ws(s);
    if (s->p >= s->end)
        return SL_EPARSE;
    sl_load_str_t tmp;
    bool integer;
    char c = *s->p;
    if (c == '"')
        return scan_string(s, &tmp);
    if (c == '-' || (c >= '0' && c <= '9'))
        return scan_number(s, &tmp, &integer);
    static const char *const words[] = { "true", "false", "null" };
    for (size_t i = 0; i < 3; i++) {
        size_t wn = strlen(words[i]);
        if ((size_t)(s->end - s->p) >= wn && !memcmp(s->p, words[i], wn)) {
            s->p += wn;
            return 0;
        }
    }
    if (c != '{' && c != '[')
        return SL_EPARSE;
    char close = c == '{' ? '}' : ']';
    s->p++;
    skip_ws(s);
    if (s->p < s->end && *s->p == close) {
        s->p++;
        return 0;
    }
    for (;;) {
        if (close == '}') {
            skip_ws(s);
            if (scan_string(s, &tmp))
                return SL_EPARSE;
            skip_ws(s);
            if (s->p >= s->end || *s->p != ':')
                return SL_EPARSE;
            s->p++;
        }
        if (skip_value(s, depth + 1))
            return SL_EPARSE;
        skip_ws(s);
        if (s->p >= s->end)
            return SL_EPARSE;
        if (*s->p == close) {
            s->p++;
            return 0;
        }
        if (*s->p != ',')
            return SL_EPARSE;
        s->p++;
    }
}

static bool key_is(const sl_load_str_t *k, const char *name)
{
    return k->n == strlen(name) && !memcmp(k->p, name, k->n);
}

int sl_load_row_parse(const char *line, size_t n, sl_load_row_t *row, sl_diag_t *d)
{
    memset(row, 0, sizeof *row);
    scan_t s = { line, line + n };
    bool have_ms = false, have_ts = false;
    sl_load_str_t ts_text = { NULL, 0 };
    bool seen[4] = { false, false, false, false };
    sl_load_str_t *slot[4] = { &row->host, &row->app, &row->severity, &row->message };
    static const char *const names[4] = { "host", "app", "severity", "message" };

    skip_ws(&s);
    if (s.p >= s.end || *s.p != '{')
        return sl_diag_set(d, SL_EPARSE, "not a JSON object");
    s.p++;
    skip_ws(&s);
    if (s.p < s.end && *s.p == '}') {
        s.p++;
    } else {
        for (;;) {
            sl_load_str_t key;
            skip_ws(&s);
            if (scan_string(&s, &key))
                return sl_diag_set(d, SL_EPARSE, "bad key at byte %zu", (size_t)(s.p - line));
            skip_ws(&s);
            if (s.p >= s.end || *s.p != ':')
                return sl_diag_set(d, SL_EPARSE, "missing ':' at byte %zu", (size_t)(s.p - line));
            s.p++;
            skip_ws(&s);
            int field = -1;
            for (int i = 0; i < 4; i++)
                if (key_is(&key, names[i]))
                    field = i;
            if (field >= 0) {
                if (scan_string(&s, slot[field]))
                    return sl_diag_set(d, SL_EPARSE, "\"%s\" must be a valid string", names[field]);
                seen[field] = true;
            } else if (key_is(&key, "ts_ms")) {
                sl_load_str_t num;
                bool integer;
                if (scan_number(&s, &num, &integer))
                    return sl_diag_set(d, SL_EPARSE, "\"ts_ms\" must be a number");
                int64_t v;
                if (integer) {
                    if (sl_parse_i64(num.p, num.n, &v))
                        return sl_diag_set(d, SL_EPARSE, "\"ts_ms\" out of range");
                } else {
                    char tmp[64];
                    if (num.n >= sizeof tmp)
                        return sl_diag_set(d, SL_EPARSE, "\"ts_ms\" too long");
                    memcpy(tmp, num.p, num.n);
                    tmp[num.n] = '\0';
                    double x = strtod(tmp, NULL);
                    if (!(x > -9.2e18 && x < 9.2e18))
                        return sl_diag_set(d, SL_EPARSE, "\"ts_ms\" out of range");
                    v = (int64_t)x;
                }
                row->ts_ms = v;
                have_ms = true;
            } else if (key_is(&key, "ts") && s.p < s.end && *s.p == '"') {
                if (scan_string(&s, &ts_text))
                    return sl_diag_set(d, SL_EPARSE, "\"ts\" must be a valid string");
                have_ts = true;
            } else if (skip_value(&s, 0)) {
                return sl_diag_set(d, SL_EPARSE, "bad value at byte %zu", (size_t)(s.p - line));
            }
            skip_ws(&s);
            if (s.p < s.end && *s.p == ',') {
                s.p++;
                continue;
            }
            if (s.p < s.end && *s.p == '}') {
                s.p++;
                break;
            }
            return sl_diag_set(
              d, SL_EPARSE, "expected ',' or '}' at byte %zu", (size_t)(s.p - line));
        }
    }
    skip_ws(&s);
    if (s.p != s.end)
        return sl_diag_set(d, SL_EPARSE, "trailing bytes after the object");
    for (int i = 0; i < 4; i++)
        if (!seen[i])
            return sl_diag_set(d, SL_EPARSE, "missing \"%s\"", names[i]);
    if (!have_ms) {
        sl_ticks_t t;
        if (!have_ts || sl_time_parse_iso8601(ts_text.p, ts_text.n, &t))
            return sl_diag_set(d, SL_EPARSE, "missing \"ts_ms\" and no ISO 8601 \"ts\"");
        row->ts_ms = t / SL_TICKS_PER_MS;
    }
    return 0;
}
