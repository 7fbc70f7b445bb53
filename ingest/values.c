/*
 * Value rules shared by both ingestion APIs: what counts as a GUID or a
 * datetime in a string, numbers in strings, truncation on a UTF-8 boundary,
 * and JSON values converted to column types.
 */
#include "ingest/ingest_int.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool sl_ingest__guid_text(const char *s, size_t n, char canonical[37])
{
    sl_guid_t g;
    /* Braces are Microsoft's habit, not JSON's: accept the two plain forms. */
    if ((n != 36 && n != 32) || sl_guid_parse(s, n, &g))
        return false;
    sl_guid_format(&g, canonical);
    return true;
}

bool sl_ingest__datetime_text(const char *s, size_t n, sl_ticks_t *out)
{
    /* A date-time needs a time part: "2024-06-10" alone stays a string. */
    if (n < 16 || n > 40 || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
        return false;
    return sl_time_parse_iso8601(s, n, out) == 0;
}

bool sl_ingest__number_text(const char *s, size_t n, double *out)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    /* JSON number syntax only: no hex, inf, nan or surrounding blanks. */
    size_t i = 0;
    if (buf[i] == '-')
        i++;
    if (!isdigit((unsigned char)buf[i]))
        return false;
    for (size_t k = i; k < n; k++)
        if (!isdigit((unsigned char)buf[k]) && !strchr(".eE+-", buf[k]))
            return false;
    char *end;
    double v = strtod(buf, &end);
    if (*end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

size_t sl_ingest__utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    /* Step back over continuation bytes so a character is never split. */
    while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
        k--;
    return k;
}

/* Decoded text of a string token (zero-copy when it has no escapes). */
static const char *text_of(const sl_json_doc_t *doc, const sl_json_tok_t *t, sl_buf_t *tmp,
                           size_t *len)
{
    if (!(t->flags & SL_JSON_F_ESCAPED)) {
        *len = t->len;
        return doc->src + t->off;
    }
    sl_buf_reset(tmp);
    sl_json_string(doc, t, tmp);
    *len = tmp->len;
    return tmp->data ? tmp->data : "";
}

bool sl_ingest__convert(const sl_json_doc_t *doc, size_t vi, sl_type_t type, size_t field_max,
                        sl_ingest_val_t *v, sl_buf_t *tmp)
{
    const sl_json_tok_t *t = &doc->tok[vi];
    memset(v, 0, sizeof *v);
    v->type = type;
    switch (type) {
    case SL_TYPE_STRING:
    case SL_TYPE_GUID:
        if (t->type == SL_JSON_STRING) {
            v->text = text_of(doc, t, tmp, &v->len);
            if (type == SL_TYPE_GUID) {
                if (!sl_ingest__guid_text(v->text, v->len, v->guid))
                    return false;
                v->text = v->guid;
                v->len = 36;
            }
        } else if (type == SL_TYPE_GUID) {
            return false;
        } else if (t->type == SL_JSON_OBJECT || t->type == SL_JSON_ARRAY) {
            sl_buf_reset(tmp);
            sl_json_compact(doc, vi, tmp);
            v->text = tmp->data;
            v->len = tmp->len;
        } else {
            v->text = doc->src + t->off; /* number or literal, as written */
            v->len = t->len;
        }
        v->len = sl_ingest__utf8_cut(v->text, v->len, field_max);
        return true;
    case SL_TYPE_DYNAMIC:
        if (t->type == SL_JSON_STRING) {
            /* A string holding a JSON object or array is that value; any other
             * string is stored as a JSON string. */
            size_t n;
            const char *s = text_of(doc, t, tmp, &n);
            if (n && (s[0] == '{' || s[0] == '[')) {
                sl_json_doc_t inner;
                sl_json_doc_init(&inner);
                bool ok = sl_json_parse(&inner, s, n, NULL, NULL) == 0;
                sl_json_doc_dispose(&inner);
                if (ok) {
                    v->text = s;
                    v->len = n;
                    return true;
                }
            }
            sl_buf_t q = SL_BUF_INIT;
            sl_buf_putc(&q, '"');
            sl_json_escape(&q, s, n);
            sl_buf_putc(&q, '"');
            sl_buf_reset(tmp);
            sl_buf_append(tmp, q.data, q.len);
            sl_buf_dispose(&q);
        } else {
            sl_buf_reset(tmp);
            sl_json_compact(doc, vi, tmp);
        }
        v->text = tmp->data;
        v->len = tmp->len;
        /* A truncated JSON value is no longer JSON: refuse rather than corrupt. */
        return v->len <= field_max;
    case SL_TYPE_REAL:
        if (t->type == SL_JSON_NUMBER)
            return sl_json_number_double(doc, t, &v->f) == 0;
        if (t->type == SL_JSON_STRING) {
            size_t n;
            const char *s = text_of(doc, t, tmp, &n);
            return sl_ingest__number_text(s, n, &v->f);
        }
        return false;
    case SL_TYPE_INT:
    case SL_TYPE_LONG: {
        double f;
        if (t->type == SL_JSON_NUMBER) {
            if (sl_json_number_i64(doc, t, &v->i) == 0)
                break;
            if (sl_json_number_double(doc, t, &f))
                return false;
        } else if (t->type == SL_JSON_STRING) {
            size_t n;
            const char *s = text_of(doc, t, tmp, &n);
            if (sl_parse_i64(s, n, &v->i) == 0)
                break;
            if (!sl_ingest__number_text(s, n, &f))
                return false;
        } else {
            return false;
        }
        /* Integral values written as reals ("3.0", 1e3) still fit. */
        if (f != floor(f) || f < -9.2e18 || f > 9.2e18)
            return false;
        v->i = (int64_t)f;
        break;
    }
    case SL_TYPE_BOOL:
        if (t->type == SL_JSON_TRUE || t->type == SL_JSON_FALSE) {
            v->b = t->type == SL_JSON_TRUE;
            return true;
        }
        if (t->type == SL_JSON_STRING) {
            size_t n;
            const char *s = text_of(doc, t, tmp, &n);
            if (n == 4 && !strncasecmp(s, "true", 4))
                v->b = true;
            else if (n == 5 && !strncasecmp(s, "false", 5))
                v->b = false;
            else
                return false;
            return true;
        }
        return false;
    case SL_TYPE_DATETIME:
        if (t->type == SL_JSON_STRING) {
            size_t n;
            const char *s = text_of(doc, t, tmp, &n);
            return sl_time_parse_iso8601(s, n, &v->i) == 0 ||
                   sl_time_parse_rfc1123(s, n, &v->i) == 0;
        }
        if (t->type == SL_JSON_NUMBER) {
            /* Epoch seconds (Fluent Bit's default time format). */
            double f;
            if (sl_json_number_double(doc, t, &f) || f < -6e10 || f > 2.5e11)
                return false;
            v->i = (sl_ticks_t)llround(f * (double)SL_TICKS_PER_SEC);
            return true;
        }
        return false;
    case SL_TYPE_TIMESPAN:
        if (t->type == SL_JSON_NUMBER) {
            double f;
            if (sl_json_number_double(doc, t, &f))
                return false;
            v->i = (sl_ticks_t)llround(f * (double)SL_TICKS_PER_SEC);
            return true;
        }
        return false;
    }
    if (type == SL_TYPE_INT && (v->i < INT32_MIN || v->i > INT32_MAX))
        return false;
    return true;
}

void sl_ingest__push(sl_col_t *c, const sl_ingest_val_t *v)
{
    switch (c->type) {
    case SL_TYPE_STRING:
    case SL_TYPE_GUID:
    case SL_TYPE_DYNAMIC:
        sl_col_push_text(c, v->text, v->len);
        break;
    case SL_TYPE_REAL:
        sl_col_push_f64(c, v->f);
        break;
    case SL_TYPE_BOOL:
        sl_col_push_bool(c, v->b);
        break;
    default:
        sl_col_push_i64(c, v->i);
        break;
    }
}
