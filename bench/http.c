/*
 * A small incremental HTTP/1.1 message parser (RFC 9112), enough for a load
 * generator reading responses and a capture server reading requests: start
 * line, header fields, and the three ways a body is framed — Content-Length,
 * chunked transfer coding, or (responses only) the end of the connection.
 *
 *   HEAD --(head complete)--> BODY_LEN | CHUNK_SIZE | BODY_CLOSE | DONE
 *   CHUNK_SIZE --(size>0)--> CHUNK_DATA --> CHUNK_END --> CHUNK_SIZE
 *   CHUNK_SIZE --(size 0)--> TRAILER --(empty line)--> DONE
 *   BODY_CLOSE --(sl_load_http_eof)--> DONE
 *
 * Bytes arrive in arbitrary pieces; feed() consumes what belongs to the
 * current message and stops at its end, so the caller can tell a response
 * from stray bytes. Interim 1xx responses are dropped here. The head is
 * copied into its own buffer (responses are a few hundred bytes), and bodies
 * are only counted unless the caller asked to keep them.
 *
 * The parser treats its input as hostile: sizes are bounded, numbers are
 * checked for overflow, and malformed framing stops the stream with a
 * reason rather than guessing. It is fuzzed (tests/fuzz/fuzz_load_http.c).
 */
#include "bench/load.h"

#include <string.h>

enum {
    ST_HEAD = 0,
    ST_BODY_LEN,
    ST_CHUNK_SIZE,
    ST_CHUNK_DATA,
    ST_CHUNK_END,
    ST_TRAILER,
    ST_BODY_CLOSE,
    ST_DONE,
    ST_ERROR,
};

void sl_load_http_init(sl_load_http_t *p,
                       sl_load_http_kind_t kind,
                       bool keep_body,
                       size_t max_head,
                       size_t max_body)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->keep_body = keep_body;
    p->max_head = max_head;
    p->max_body = max_body;
    sl_load_http_reset(p);
}

void sl_load_http_dispose(sl_load_http_t *p)
{
    sl_buf_dispose(&p->head);
    sl_buf_dispose(&p->body);
}

void sl_load_http_reset(sl_load_http_t *p)
{
    sl_buf_reset(&p->head);
    sl_buf_reset(&p->body);
    p->state = ST_HEAD;
    p->nhdr = 0;
    p->status = 0;
    p->method_n = p->target_off = p->target_n = 0;
    p->minor = 1;
    p->conn_close = false;
    p->chunked = false;
    p->content_length = -1;
    p->body_n = 0;
    p->done = false;
    p->head_done = false;
    p->remaining = 0;
    p->until_close = false;
    p->line_n = 0;
    p->error = NULL;
}

static int fail(sl_load_http_t *p, int code, const char *why)
{
    p->state = ST_ERROR;
    p->error = why;
    return code;
}

static bool is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Does the comma-separated header value contain `token` (case-insensitive)? */
static bool list_has(const char *v, size_t n, const char *token)
{
    size_t tn = strlen(token), i = 0;
    while (i < n) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t s = i;
        while (i < n && v[i] != ',')
            i++;
        size_t e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (sl_strn_ieq(v + s, e - s, token, tn))
            return true;
    }
    return false;
}

const char *sl_load_http_header(const sl_load_http_t *p, const char *name, size_t *value_n)
{
    size_t nn = strlen(name);
    for (size_t i = 0; i < p->nhdr; i++) {
        const sl_load_http_hdr_t *h = &p->hdr[i];
        if (sl_strn_ieq(p->head.data + h->name_off, h->name_n, name, nn)) {
            if (value_n)
                *value_n = h->value_n;
            return p->head.data + h->value_off;
        }
    }
    return NULL;
}

/* "HTTP/1.x" at `s`; sets p->minor. */
static bool parse_version(sl_load_http_t *p, const char *s, size_t n)
{
    if (n != 8 || memcmp(s, "HTTP/1.", 7) || (s[7] != '0' && s[7] != '1'))
        return false;
    p->minor = s[7] - '0';
    return true;
}

static int parse_start_line(sl_load_http_t *p, const char *l, size_t n)
{
    if (p->kind == SL_LOAD_HTTP_RESPONSE) {
        /* HTTP/1.1 SP 3DIGIT SP reason */
        if (n < 12 || !parse_version(p, l, 8) || l[8] != ' ')
            return fail(p, SL_EPARSE, "bad status line");
        int st = 0;
        for (int i = 9; i < 12; i++) {
            if (l[i] < '0' || l[i] > '9')
                return fail(p, SL_EPARSE, "bad status code");
            st = st * 10 + (l[i] - '0');
        }
        if (st < 100 || st > 599 || (n > 12 && l[12] != ' '))
            return fail(p, SL_EPARSE, "bad status code");
        p->status = st;
        return 0;
    }
    /* method SP request-target SP HTTP/1.x */
    const char *sp1 = memchr(l, ' ', n);
    if (!sp1 || sp1 == l)
        return fail(p, SL_EPARSE, "bad request line");
    for (const char *c = l; c < sp1; c++)
        if (!is_tchar((unsigned char)*c))
            return fail(p, SL_EPARSE, "bad method");
    const char *t = sp1 + 1;
    const char *sp2 = memchr(t, ' ', (size_t)(l + n - t));
    if (!sp2 || sp2 == t || !parse_version(p, sp2 + 1, (size_t)(l + n - sp2 - 1)))
        return fail(p, SL_EPARSE, "bad request line");
    p->method_n = (uint32_t)(sp1 - l);
    p->target_off = (uint32_t)(t - p->head.data);
    p->target_n = (uint32_t)(sp2 - t);
    return 0;
}

/* Parses the complete head in p->head and decides how the body is framed. */
static int parse_head(sl_load_http_t *p)
{
    const char *s = p->head.data, *end = s + p->head.len;
    const char *eol = memchr(s, '\n', (size_t)(end - s));
    size_t ln = (size_t)(eol - s);
    if (ln && s[ln - 1] == '\r')
        ln--;
    int rc = parse_start_line(p, s, ln);
    if (rc)
        return rc;
    bool have_cl = false;
    for (s = eol + 1; s < end;) {
        eol = memchr(s, '\n', (size_t)(end - s));
        ln = (size_t)(eol - s);
        if (ln && s[ln - 1] == '\r')
            ln--;
        if (ln == 0)
            break; /* the empty line that ends the head */
        if (s[0] == ' ' || s[0] == '\t')
            return fail(p, SL_EPARSE, "obsolete header folding");
        const char *colon = memchr(s, ':', ln);
        if (!colon || colon == s)
            return fail(p, SL_EPARSE, "bad header line");
        for (const char *c = s; c < colon; c++)
            if (!is_tchar((unsigned char)*c))
                return fail(p, SL_EPARSE, "bad header name");
        const char *v = colon + 1, *ve = s + ln;
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        for (const char *c = v; c < ve; c++)
            if ((unsigned char)*c < 0x20 && *c != '\t')
                return fail(p, SL_EPARSE, "control character in header value");
        if (p->nhdr == SL_LOAD_HTTP_MAX_HEADERS)
            return fail(p, SL_ELIMIT, "too many headers");
        sl_load_http_hdr_t *h = &p->hdr[p->nhdr++];
        h->name_off = (uint32_t)(s - p->head.data);
        h->name_n = (uint32_t)(colon - s);
        h->value_off = (uint32_t)(v - p->head.data);
        h->value_n = (uint32_t)(ve - v);
        const char *name = s;
        size_t nn = h->name_n, vn = (size_t)(ve - v);
        if (sl_strn_ieq(name, nn, "content-length", 14)) {
            int64_t cl;
            if (vn == 0 || vn > 18 || v[0] == '-' || v[0] == '+' || sl_parse_i64(v, vn, &cl))
                return fail(p, SL_EPARSE, "bad Content-Length");
            if (have_cl && cl != p->content_length)
                return fail(p, SL_EPARSE, "conflicting Content-Length");
            have_cl = true;
            p->content_length = cl;
        } else if (sl_strn_ieq(name, nn, "transfer-encoding", 17)) {
            /* chunked must be the last coding; anything else we cannot frame. */
            size_t e = vn;
            while (e > 0 && v[e - 1] != ',')
                e--;
            const char *last = v + e;
            size_t lastn = vn - e;
            while (lastn && (*last == ' ' || *last == '\t')) {
                last++;
                lastn--;
            }
            if (!sl_strn_ieq(last, lastn, "chunked", 7))
                return fail(p, SL_EPARSE, "unsupported Transfer-Encoding");
            p->chunked = true;
        } else if (sl_strn_ieq(name, nn, "connection", 10)) {
            if (list_has(v, vn, "close"))
                p->conn_close = true;
            else if (p->minor == 0 && list_has(v, vn, "keep-alive"))
                p->conn_close = false;
        }
        s = eol + 1;
    }
    if (p->minor == 0) {
        size_t cn;
        const char *c = sl_load_http_header(p, "connection", &cn);
        if (!c || !list_has(c, cn, "keep-alive"))
            p->conn_close = true;
    }

    if (p->kind == SL_LOAD_HTTP_RESPONSE &&
        (p->status / 100 == 1 || p->status == 204 || p->status == 304)) {
        p->state = ST_DONE;
    } else if (p->chunked) {
        /* With both codings the length is untrustworthy (RFC 9112 §6.3). */
        if (have_cl)
            p->conn_close = true;
        p->content_length = -1;
        p->state = ST_CHUNK_SIZE;
    } else if (have_cl) {
        p->remaining = (uint64_t)p->content_length;
        p->state = p->remaining ? ST_BODY_LEN : ST_DONE;
    } else if (p->kind == SL_LOAD_HTTP_RESPONSE) {
        p->until_close = true;
        p->conn_close = true;
        p->state = ST_BODY_CLOSE;
    } else {
        p->state = ST_DONE;
    }
    if (p->keep_body && p->content_length > 0 && (uint64_t)p->content_length > p->max_body)
        return fail(p, SL_ELIMIT, "body too large");
    return 0;
}

static int take_body(sl_load_http_t *p, const char *d, size_t n)
{
    if (p->keep_body) {
        if (p->body.len + n > p->max_body)
            return fail(p, SL_ELIMIT, "body too large");
        sl_buf_append(&p->body, d, n);
    }
    p->body_n += n;
    return 0;
}

/* Collects one CRLF-terminated framing line into p->line; returns the bytes
 * consumed and sets *complete. Overlong chunk extensions are tolerated by
 * keeping only the start of the line. */
static size_t take_line(sl_load_http_t *p, const char *d, size_t n, bool *complete)
{
    const char *nl = memchr(d, '\n', n);
    size_t k = nl ? (size_t)(nl - d) + 1 : n;
    size_t copy = SL_MIN(k, sizeof p->line - 1 - p->line_n);
    memcpy(p->line + p->line_n, d, copy);
    p->line_n += copy;
    *complete = nl != NULL;
    return k;
}

static size_t line_len(const sl_load_http_t *p)
{
    size_t n = p->line_n;
    if (n && p->line[n - 1] == '\n')
        n--;
    if (n && p->line[n - 1] == '\r')
        n--;
    return n;
}

ssize_t sl_load_http_feed(sl_load_http_t *p, const char *data, size_t n)
{
    size_t used = 0;
    while (used < n && !p->done) {
        const char *d = data + used;
        size_t left = n - used;
        switch (p->state) {
        case ST_HEAD: {
            /* Look for the blank line, including across the previous piece. */
            size_t old = p->head.len;
            size_t take = left;
            if (old + take > p->max_head)
                take = p->max_head - old;
            sl_buf_append(&p->head, d, take);
            const char *h = p->head.data;
            size_t from = old >= 3 ? old - 3 : 0, end = 0;
            for (size_t i = from; i < p->head.len; i++) {
                if (h[i] != '\n')
                    continue;
                if (i + 1 < p->head.len && h[i + 1] == '\n') {
                    end = i + 2;
                    break;
                }
                if (i + 2 < p->head.len && h[i + 1] == '\r' && h[i + 2] == '\n') {
                    end = i + 3;
                    break;
                }
            }
            if (!end) {
                if (p->head.len >= p->max_head)
                    return fail(p, SL_ELIMIT, "head too large");
                used += take;
                break;
            }
            /* Leading empty lines before a request are allowed (RFC 9112 §2.2). */
            size_t skip = 0;
            while (skip < end && (h[skip] == '\r' || h[skip] == '\n'))
                skip++;
            if (skip == end) {
                used += end - old;
                sl_buf_reset(&p->head);
                break;
            }
            p->head.len = end;
            p->head.data[end] = '\0';
            used += end - old;
            if (skip) {
                memmove(p->head.data, p->head.data + skip, end - skip + 1);
                p->head.len -= skip;
            }
            int rc = parse_head(p);
            if (rc)
                return rc;
            if (p->kind == SL_LOAD_HTTP_RESPONSE && p->status / 100 == 1) {
                if (p->status == 101)
                    return fail(p, SL_EPARSE, "unexpected protocol switch");
                /* Interim response: forget it and parse the final one. */
                sl_load_http_reset(p);
                break;
            }
            p->head_done = true;
            if (p->state == ST_DONE)
                p->done = true;
            else if (p->pause_after_head)
                return (ssize_t)used;
            break;
        }
        case ST_BODY_LEN: {
            size_t k = (size_t)SL_MIN((uint64_t)left, p->remaining);
            int rc = take_body(p, d, k);
            if (rc)
                return rc;
            used += k;
            p->remaining -= k;
            if (!p->remaining) {
                p->state = ST_DONE;
                p->done = true;
            }
            break;
        }
        case ST_CHUNK_SIZE: {
            bool complete;
            used += take_line(p, d, left, &complete);
            if (!complete)
                break;
            size_t ln = line_len(p);
            uint64_t size = 0;
            size_t i = 0;
            for (; i < ln; i++) {
                char c = p->line[i];
                int v = c >= '0' && c <= '9'   ? c - '0'
                        : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                               : -1;
                if (v < 0)
                    break;
                if (size >> 59)
                    return fail(p, SL_EPARSE, "chunk size overflow");
                size = size << 4 | (uint64_t)v;
            }
            if (i == 0 || (i < ln && p->line[i] != ';' && p->line[i] != ' ' && p->line[i] != '\t'))
                return fail(p, SL_EPARSE, "bad chunk size");
            p->line_n = 0;
            if (size == 0) {
                p->state = ST_TRAILER;
            } else {
                p->remaining = size;
                p->state = ST_CHUNK_DATA;
            }
            break;
        }
        case ST_CHUNK_DATA: {
            size_t k = (size_t)SL_MIN((uint64_t)left, p->remaining);
            int rc = take_body(p, d, k);
            if (rc)
                return rc;
            used += k;
            p->remaining -= k;
            if (!p->remaining)
                p->state = ST_CHUNK_END;
            break;
        }
        case ST_CHUNK_END: {
            bool complete;
            used += take_line(p, d, left, &complete);
            if (!complete)
                break;
            if (line_len(p) != 0)
                return fail(p, SL_EPARSE, "missing CRLF after chunk");
            p->line_n = 0;
            p->state = ST_CHUNK_SIZE;
            break;
        }
        case ST_TRAILER: {
            bool complete;
            size_t k = take_line(p, d, left, &complete);
            used += k;
            p->remaining += k; /* trailer bytes, bounded like a head */
            if (p->remaining > p->max_head)
                return fail(p, SL_ELIMIT, "trailer too large");
            if (!complete)
                break;
            bool empty = line_len(p) == 0;
            p->line_n = 0;
            if (empty) {
                p->state = ST_DONE;
                p->done = true;
            }
            break;
        }
        case ST_BODY_CLOSE: {
            int rc = take_body(p, d, left);
            if (rc)
                return rc;
            used += left;
            break;
        }
        default:
            return fail(p, SL_EPARSE, p->error ? p->error : "stream already failed");
        }
    }
    return (ssize_t)used;
}

int sl_load_http_eof(sl_load_http_t *p)
{
    if (p->done)
        return 0;
    if (p->state == ST_BODY_CLOSE) {
        p->state = ST_DONE;
        p->done = true;
        return 0;
    }
    if (p->state == ST_HEAD && p->head.len == 0)
        return SL_ENOTFOUND;
    return fail(p, SL_EPARSE, "connection closed in the middle of a message");
}
