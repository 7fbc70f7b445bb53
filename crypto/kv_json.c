/*
 * An allocation-free JSON reader for the few answers that carry secrets: an
 * unwrapkey answer (the AEK, base64url) and token endpoint answers (the
 * access token). jansson would copy those strings into heap blocks that are
 * freed without being wiped; here the document stays in the caller's locked
 * buffer and the caller decodes the one value it needs into memory it wipes.
 *
 * The scanner validates the whole document (RFC 8259 grammar, nesting at
 * most 32 deep) before answering, so a truncated or doctored answer is an
 * error rather than a partial read, and it refuses a document that names the
 * wanted member twice: two parsers could otherwise disagree about which one
 * counts.
 */
#include "crypto/crypto_int.h"

#include <string.h>

#define MAX_DEPTH 32

typedef struct scan {
    const char *p;
    const char *end;
    int depth;
} scan_t;

static void skip_ws(scan_t *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')) {
        s->p++;
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* At the opening quote; leaves p after the closing quote. */
static int scan_string(scan_t *s, sl_kvj_val_t *v)
{
    s->p++;
    const char *start = s->p;
    bool escaped = false;
    while (s->p < s->end) {
        unsigned char c = (unsigned char)*s->p;
        if (c == '"') {
            v->type = SL_KVJ_STRING;
            v->p = start;
            v->n = (size_t)(s->p - start);
            v->escaped = escaped;
            s->p++;
            return 0;
        }
        if (c < 0x20) {
            return SL_EPARSE;
        }
        if (c == '\\') {
            escaped = true;
            if (++s->p >= s->end) {
                return SL_EPARSE;
            }
            char e = *s->p;
            if (e == 'u') {
                if (s->end - s->p < 5) {
                    return SL_EPARSE;
                }
                for (int i = 1; i <= 4; i++) {
                    if (hexval(s->p[i]) < 0) {
                        return SL_EPARSE;
                    }
                }
                s->p += 4;
            } else if (!strchr("\"\\/bfnrt", e) || e == '\0') {
                return SL_EPARSE;
            }
        }
        s->p++;
    }
    return SL_EPARSE;
}

static int scan_number(scan_t *s, sl_kvj_val_t *v)
{
    const char *start = s->p;
    if (s->p < s->end && *s->p == '-') {
        s->p++;
    }
    if (s->p >= s->end || *s->p < '0' || *s->p > '9') {
        return SL_EPARSE;
    }
    if (*s->p == '0') {
        s->p++;
    } else {
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
            s->p++;
        }
    }
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (s->p >= s->end || *s->p < '0' || *s->p > '9') {
            return SL_EPARSE;
        }
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
            s->p++;
        }
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-')) {
            s->p++;
        }
        if (s->p >= s->end || *s->p < '0' || *s->p > '9') {
            return SL_EPARSE;
        }
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
            s->p++;
        }
    }
    v->type = SL_KVJ_NUMBER;
    v->p = start;
    v->n = (size_t)(s->p - start);
    v->escaped = false;
    return 0;
}

static int scan_word(scan_t *s, const char *w, sl_kvj_type_t t, sl_kvj_val_t *v)
{
    size_t n = strlen(w);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0) {
        return SL_EPARSE;
    }
    v->type = t;
    v->p = s->p;
    v->n = n;
    v->escaped = false;
    s->p += n;
    return 0;
}

/* Equality of a raw member name with `name` (escapes decoded on the fly). */
static bool name_eq(const sl_kvj_val_t *k, const char *name)
{
    if (!k->escaped) {
        return strlen(name) == k->n && memcmp(k->p, name, k->n) == 0;
    }
    char buf[128];
    size_t n;
    if (sl_crypto__json_str(k, buf, sizeof buf, &n)) {
        return false;
    }
    return strlen(name) == n && memcmp(buf, name, n) == 0;
}

static int scan_value(scan_t *s, sl_kvj_val_t *v, const char *want, sl_kvj_val_t *found,
                      int *hits);

/* At '{' or '['. With `want`, records the direct members named so. */
static int scan_container(scan_t *s, sl_kvj_val_t *v, const char *want, sl_kvj_val_t *found,
                          int *hits)
{
    const char *start = s->p;
    char close = *s->p == '{' ? '}' : ']';
    bool object = close == '}';
    if (++s->depth > MAX_DEPTH) {
        return SL_EPARSE;
    }
    s->p++;
    skip_ws(s);
    if (s->p < s->end && *s->p == close) {
        s->p++;
    } else {
        for (;;) {
            sl_kvj_val_t key = { 0 }, val;
            skip_ws(s);
            if (object) {
                if (s->p >= s->end || *s->p != '"' || scan_string(s, &key)) {
                    return SL_EPARSE;
                }
                skip_ws(s);
                if (s->p >= s->end || *s->p != ':') {
                    return SL_EPARSE;
                }
                s->p++;
            }
            int rc = scan_value(s, &val, NULL, NULL, NULL);
            if (rc) {
                return rc;
            }
            if (object && want && name_eq(&key, want)) {
                if (++*hits == 1) {
                    *found = val;
                }
            }
            skip_ws(s);
            if (s->p < s->end && *s->p == ',') {
                s->p++;
                continue;
            }
            if (s->p < s->end && *s->p == close) {
                s->p++;
                break;
            }
            return SL_EPARSE;
        }
    }
    s->depth--;
    v->type = object ? SL_KVJ_OBJECT : SL_KVJ_ARRAY;
    v->p = start;
    v->n = (size_t)(s->p - start);
    v->escaped = false;
    return 0;
}

static int scan_value(scan_t *s, sl_kvj_val_t *v, const char *want, sl_kvj_val_t *found,
                      int *hits)
{
    skip_ws(s);
    if (s->p >= s->end) {
        return SL_EPARSE;
    }
    switch (*s->p) {
    case '"':
        return scan_string(s, v);
    case '{':
    case '[':
        return scan_container(s, v, want, found, hits);
    case 't':
        return scan_word(s, "true", SL_KVJ_TRUE, v);
    case 'f':
        return scan_word(s, "false", SL_KVJ_FALSE, v);
    case 'n':
        return scan_word(s, "null", SL_KVJ_NULL, v);
    default:
        return scan_number(s, v);
    }
}

int sl_crypto__json_member(const char *json, size_t n, const char *name, sl_kvj_val_t *out)
{
    scan_t s = { json, json + n, 0 };
    skip_ws(&s);
    if (s.p >= s.end || *s.p != '{') {
        return SL_EPARSE;
    }
    sl_kvj_val_t top, found = { 0 };
    int hits = 0;
    int rc = scan_value(&s, &top, name, &found, &hits);
    if (rc) {
        return rc;
    }
    skip_ws(&s);
    if (s.p != s.end || hits > 1) {
        return SL_EPARSE;
    }
    if (hits == 0) {
        return 0;
    }
    *out = found;
    return 1;
}

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static uint32_t hex4(const char *p)
{
    return (uint32_t)(hexval(p[0]) << 12 | hexval(p[1]) << 8 | hexval(p[2]) << 4 | hexval(p[3]));
}

int sl_crypto__json_str(const sl_kvj_val_t *v, char *out, size_t cap, size_t *len)
{
    if (v->type != SL_KVJ_STRING || cap == 0) {
        return SL_EPARSE;
    }
    size_t o = 0;
    const char *p = v->p, *end = v->p + v->n;
    while (p < end) {
        char tmp[4];
        size_t tn = 1;
        if (*p != '\\') {
            tmp[0] = *p++;
        } else {
            char e = p[1];
            p += 2;
            switch (e) {
            case 'b':
                tmp[0] = '\b';
                break;
            case 'f':
                tmp[0] = '\f';
                break;
            case 'n':
                tmp[0] = '\n';
                break;
            case 'r':
                tmp[0] = '\r';
                break;
            case 't':
                tmp[0] = '\t';
                break;
            case 'u': {
                /* The scanner checked four hex digits follow. */
                uint32_t cp = hex4(p);
                p += 4;
                if (cp >= 0xD800 && cp < 0xDC00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                    bool all_hex = true;
                    for (int i = 2; i < 6; i++) {
                        all_hex &= hexval(p[i]) >= 0;
                    }
                    uint32_t lo = all_hex ? hex4(p + 2) : 0;
                    if (lo >= 0xDC00 && lo < 0xE000) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        p += 6;
                    }
                }
                if (cp >= 0xD800 && cp < 0xE000) {
                    cp = 0xFFFD; /* a lone surrogate */
                }
                if (cp == 0) {
                    sl_wipe(out, o);
                    return SL_EPARSE; /* no NULs inside C strings */
                }
                tn = put_utf8(tmp, cp);
                break;
            }
            default: /* '"', '\\', '/' */
                tmp[0] = e;
                break;
            }
        }
        if (o + tn >= cap) {
            sl_wipe(out, o);
            sl_wipe(tmp, sizeof tmp);
            return SL_ELIMIT;
        }
        memcpy(out + o, tmp, tn);
        o += tn;
    }
    out[o] = '\0';
    if (len) {
        *len = o;
    }
    return 0;
}

int sl_crypto__json_int(const sl_kvj_val_t *v, int64_t *out)
{
    if (v->type != SL_KVJ_NUMBER && v->type != SL_KVJ_STRING) {
        return SL_EPARSE;
    }
    if (v->type == SL_KVJ_STRING && v->escaped) {
        return SL_EPARSE;
    }
    /* A JSON number such as 3599.0 is not an integer count of seconds here. */
    return sl_parse_i64(v->p, v->n, out);
}
