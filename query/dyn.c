/*
 * Dynamic values as compact JSON text.
 *
 * A dynamic cell is stored exactly as ingestion wrote it: compact JSON
 * (no insignificant whitespace). Navigation (`.a`, `["k"]`, `[0]`) walks
 * that text without building a tree: skipping a value is a linear scan
 * that only has to track string quotes and bracket depth, which is valid
 * because the text was validated when it was made (sl_qdyn_compact, or the
 * ingest path). Values read from anywhere else go through sl_qdyn_compact.
 */
#include "query/query_int.h"

#include <string.h>

#define DYN_MAX_DEPTH 128

/* End of the compact value starting at s[i] (i < n). */
static size_t skip(const char *s, size_t n, size_t i)
{
    char c = s[i];
    if (c == '"') {
        for (i++; i < n; i++) {
            if (s[i] == '\\')
                i++;
            else if (s[i] == '"')
                return i + 1;
        }
        return n;
    }
    if (c == '{' || c == '[') {
        int depth = 0;
        for (; i < n; i++) {
            char d = s[i];
            if (d == '"') {
                i = skip(s, n, i) - 1;
            } else if (d == '{' || d == '[') {
                depth++;
            } else if (d == '}' || d == ']') {
                if (--depth == 0)
                    return i + 1;
            }
        }
        return n;
    }
    while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']')
        i++;
    return i;
}

sl_qdyn_kind_t sl_qdyn_kind(const char *s, size_t n)
{
    if (!n)
        return SL_QDYN_NONE;
    switch (s[0]) {
    case '{':
        return SL_QDYN_OBJECT;
    case '[':
        return SL_QDYN_ARRAY;
    case '"':
        return SL_QDYN_STRING;
    case 't':
    case 'f':
        return SL_QDYN_BOOL;
    case 'n':
        return SL_QDYN_NULL;
    default:
        return SL_QDYN_NUMBER;
    }
}

bool sl_qdyn_member(const char *s, size_t n, const char *key, size_t kn, const char **v,
                    size_t *vn)
{
    if (!n || s[0] != '{')
        return false;
    sl_buf_t k = SL_BUF_INIT;
    bool found = false;
    size_t i = 1;
    while (i < n && s[i] != '}') {
        size_t ke = skip(s, n, i);
        sl_buf_reset(&k);
        bool kok = sl_qdyn_unquote(s + i, ke - i, &k);
        i = ke + 1; /* past ':' */
        if (i >= n)
            break;
        size_t ve = skip(s, n, i);
        /* An empty key leaves k.data NULL, which memcmp may not be given. */
        if (kok && k.len == kn && (kn == 0 || memcmp(k.data, key, kn) == 0)) {
            /* Duplicate keys: the last one wins, as in most JSON readers. */
            *v = s + i;
            *vn = ve - i;
            found = true;
        }
        i = ve;
        if (i < n && s[i] == ',')
            i++;
    }
    sl_buf_dispose(&k);
    return found;
}

bool sl_qdyn_index(const char *s, size_t n, int64_t idx, const char **v, size_t *vn)
{
    if (!n || s[0] != '[')
        return false;
    if (idx < 0) {
        int64_t len = sl_qdyn_array_length(s, n);
        idx += len;
        if (idx < 0)
            return false;
    }
    size_t i = 1;
    for (int64_t k = 0; i < n && s[i] != ']'; k++) {
        size_t e = skip(s, n, i);
        if (k == idx) {
            *v = s + i;
            *vn = e - i;
            return true;
        }
        i = e;
        if (i < n && s[i] == ',')
            i++;
    }
    return false;
}

int64_t sl_qdyn_array_length(const char *s, size_t n)
{
    if (!n || s[0] != '[')
        return -1;
    int64_t k = 0;
    size_t i = 1;
    while (i < n && s[i] != ']') {
        i = skip(s, n, i);
        k++;
        if (i < n && s[i] == ',')
            i++;
    }
    return k;
}

/* ---- Validation and compaction ----------------------------------------- */

typedef struct jp {
    const char *s;
    size_t n, i;
    sl_buf_t *out;
    int depth;
} jp_t;

static void ws(jp_t *p)
{
    while (p->i < p->n &&
           (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void put_utf8(sl_buf_t *b, uint32_t cp)
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

/* Decodes the JSON string at s[*i] (a quote) into raw bytes; advances *i. */
static bool read_string(const char *s, size_t n, size_t *i, sl_buf_t *raw)
{
    size_t k = *i + 1;
    while (k < n) {
        unsigned char c = (unsigned char)s[k];
        if (c == '"') {
            *i = k + 1;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c != '\\') {
            size_t run = k;
            while (run < n && s[run] != '"' && s[run] != '\\' && (unsigned char)s[run] >= 0x20)
                run++;
            sl_buf_append(raw, s + k, run - k);
            k = run;
            continue;
        }
        if (++k >= n)
            return false;
        switch (s[k]) {
        case '"': sl_buf_putc(raw, '"'); break;
        case '\\': sl_buf_putc(raw, '\\'); break;
        case '/': sl_buf_putc(raw, '/'); break;
        case 'b': sl_buf_putc(raw, '\b'); break;
        case 'f': sl_buf_putc(raw, '\f'); break;
        case 'n': sl_buf_putc(raw, '\n'); break;
        case 'r': sl_buf_putc(raw, '\r'); break;
        case 't': sl_buf_putc(raw, '\t'); break;
        case 'u': {
            uint32_t cp = 0;
            for (int h = 0; h < 4; h++) {
                int x = k + 1 + (size_t)h < n ? hexval(s[k + 1 + h]) : -1;
                if (x < 0)
                    return false;
                cp = cp << 4 | (uint32_t)x;
            }
            k += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && k + 6 < n && s[k + 1] == '\\' && s[k + 2] == 'u') {
                uint32_t lo = 0;
                bool ok = true;
                for (int h = 0; h < 4; h++) {
                    int x = hexval(s[k + 3 + h]);
                    ok = ok && x >= 0;
                    lo = lo << 4 | (uint32_t)(x < 0 ? 0 : x);
                }
                if (ok && lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    k += 6;
                }
            }
            if (cp >= 0xD800 && cp < 0xE000)
                cp = 0xFFFD; /* a lone surrogate cannot be UTF-8 */
            put_utf8(raw, cp);
            break;
        }
        default:
            return false;
        }
        k++;
    }
    return false;
}

static int value(jp_t *p);

static int number(jp_t *p)
{
    size_t st = p->i;
    const char *s = p->s;
    size_t n = p->n, i = p->i;
    if (i < n && s[i] == '-')
        i++;
    if (i >= n || s[i] < '0' || s[i] > '9')
        return SL_EPARSE;
    if (s[i] == '0')
        i++;
    else
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return SL_EPARSE;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return SL_EPARSE;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    sl_buf_append(p->out, s + st, i - st);
    p->i = i;
    return 0;
}

static int string(jp_t *p)
{
    sl_buf_t raw = SL_BUF_INIT;
    bool ok = read_string(p->s, p->n, &p->i, &raw);
    if (ok)
        sl_qdyn_quote(raw.data ? raw.data : "", raw.len, p->out);
    sl_buf_dispose(&raw);
    return ok ? 0 : SL_EPARSE;
}

static int container(jp_t *p, char open, char close)
{
    if (++p->depth > DYN_MAX_DEPTH)
        return SL_EPARSE;
    sl_buf_putc(p->out, open);
    p->i++;
    ws(p);
    if (p->i < p->n && p->s[p->i] == close) {
        p->i++;
        sl_buf_putc(p->out, close);
        p->depth--;
        return 0;
    }
    for (;;) {
        ws(p);
        if (open == '{') {
            if (p->i >= p->n || p->s[p->i] != '"' || string(p))
                return SL_EPARSE;
            ws(p);
            if (p->i >= p->n || p->s[p->i] != ':')
                return SL_EPARSE;
            p->i++;
            sl_buf_putc(p->out, ':');
            ws(p);
        }
        int rc = value(p);
        if (rc)
            return rc;
        ws(p);
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
            sl_buf_putc(p->out, ',');
            continue;
        }
        if (p->i < p->n && p->s[p->i] == close) {
            p->i++;
            sl_buf_putc(p->out, close);
            p->depth--;
            return 0;
        }
        return SL_EPARSE;
    }
}

static bool word(jp_t *p, const char *w)
{
    size_t k = strlen(w);
    if (p->n - p->i < k || memcmp(p->s + p->i, w, k) != 0)
        return false;
    sl_buf_append(p->out, w, k);
    p->i += k;
    return true;
}

static int value(jp_t *p)
{
    if (p->i >= p->n)
        return SL_EPARSE;
    switch (p->s[p->i]) {
    case '{':
        return container(p, '{', '}');
    case '[':
        return container(p, '[', ']');
    case '"':
        return string(p);
    case 't':
        return word(p, "true") ? 0 : SL_EPARSE;
    case 'f':
        return word(p, "false") ? 0 : SL_EPARSE;
    case 'n':
        return word(p, "null") ? 0 : SL_EPARSE;
    default:
        return number(p);
    }
}

int sl_qdyn_compact(const char *s, size_t n, sl_buf_t *out)
{
    size_t mark = out->len;
    jp_t p = { s, n, 0, out, 0 };
    ws(&p);
    int rc = value(&p);
    ws(&p);
    if (!rc && p.i != n)
        rc = SL_EPARSE;
    if (rc)
        out->len = mark;
    return rc;
}

bool sl_qdyn_unquote(const char *s, size_t n, sl_buf_t *out)
{
    if (n < 2 || s[0] != '"')
        return false;
    size_t i = 0;
    return read_string(s, n, &i, out) && i == n;
}

void sl_qdyn_quote(const char *s, size_t n, sl_buf_t *out)
{
    static const char hex[] = "0123456789abcdef";
    sl_buf_reserve(out, n + 2);
    sl_buf_putc(out, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        sl_buf_append(out, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': sl_buf_puts(out, "\\\""); break;
        case '\\': sl_buf_puts(out, "\\\\"); break;
        case '\n': sl_buf_puts(out, "\\n"); break;
        case '\r': sl_buf_puts(out, "\\r"); break;
        case '\t': sl_buf_puts(out, "\\t"); break;
        default: {
            char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            sl_buf_append(out, u, 6);
        }
        }
    }
    sl_buf_append(out, s + run, n - run);
    sl_buf_putc(out, '"');
}
