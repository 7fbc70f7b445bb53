/*
 * Request targets as real clients send them (PROTOCOLS.md §5): origin-form
 * and absolute-form (Fluent Bit), duplicate slashes (the JS SDK's
 * "//subscriptions"), percent-encoded parameter names ("api%2Dversion").
 *
 * The parser copies into the request pool and decodes in place, so routing
 * compares plain strings. It fuzzes cleanly: every byte of `raw` is checked
 * against the bounds before it is read.
 */
#include "common/common.h"

#include <string.h>

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

ssize_t sl_percent_decode(const char *in, size_t n, char *out, bool plus_space)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= n)
                return -1;
            int h = hexval((unsigned char)in[i + 1]), l = hexval((unsigned char)in[i + 2]);
            if (h < 0 || l < 0)
                return -1;
            c = (char)(h << 4 | l);
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        }
        if (c == '\0')
            return -1;
        out[o++] = c;
    }
    return (ssize_t)o;
}

/* Splits "a=b&c=d" into params; names and values are decoded. */
static int parse_query(sl_pool_t *pool, const char *q, size_t n, sl_qparam_t *params, size_t max,
                       size_t *count)
{
    size_t i = 0;
    *count = 0;
    while (i < n) {
        size_t end = i;
        while (end < n && q[end] != '&')
            end++;
        if (end > i) {
            size_t eq = i;
            while (eq < end && q[eq] != '=')
                eq++;
            if (*count == max)
                return SL_ELIMIT;
            size_t nlen = eq - i, vlen = eq < end ? end - eq - 1 : 0;
            char *name = sl_pool_alloc(pool, nlen + 1);
            char *value = sl_pool_alloc(pool, vlen + 1);
            ssize_t dn = sl_percent_decode(q + i, nlen, name, true);
            ssize_t dv = sl_percent_decode(q + eq + (eq < end), vlen, value, true);
            if (dn < 0 || dv < 0)
                return SL_EPARSE;
            name[dn] = '\0';
            value[dv] = '\0';
            params[*count].name = name;
            params[*count].value = value;
            (*count)++;
        }
        i = end + 1;
    }
    return 0;
}

int sl_form_parse(sl_pool_t *pool, const char *body, size_t n, sl_qparam_t *params, size_t max,
                  size_t *count)
{
    return parse_query(pool, body, n, params, max, count);
}

int sl_target_parse(sl_pool_t *pool, const char *raw, size_t n, bool keep_empty, sl_target_t *t)
{
    memset(t, 0, sizeof *t);
    size_t i = 0;
    if (n == 0)
        return SL_EPARSE;
    if (raw[0] != '/') {
        /* absolute-form: scheme "://" authority, then the path (or nothing). */
        size_t s = 0;
        while (s < n && raw[s] != ':' && raw[s] != '/' && raw[s] != '?')
            s++;
        if (s == 0 || s + 3 > n || memcmp(raw + s, "://", 3) != 0)
            return SL_EPARSE;
        i = s + 3;
        while (i < n && raw[i] != '/' && raw[i] != '?')
            i++;
    }
    size_t qpos = i;
    while (qpos < n && raw[qpos] != '?' && raw[qpos] != '#')
        qpos++;
    size_t qend = qpos;
    if (qpos < n && raw[qpos] == '?') {
        qend = qpos + 1;
        while (qend < n && raw[qend] != '#')
            qend++;
    }

    /* Path segments: split on '/', skipping the empty piece before the
     * leading slash; other empty pieces come from "//" or a trailing '/'. */
    char *path = sl_pool_alloc(pool, qpos - i + 2);
    size_t plen = 0;
    size_t p = i < qpos && raw[i] == '/' ? i + 1 : i;
    while (i < qpos) {
        size_t e = p;
        while (e < qpos && raw[e] != '/')
            e++;
        if (e > p || keep_empty) {
            if (t->nseg == SL_TARGET_MAX_SEGMENTS)
                return SL_ELIMIT;
            char *seg = sl_pool_alloc(pool, e - p + 1);
            ssize_t d = sl_percent_decode(raw + p, e - p, seg, false);
            if (d < 0)
                return SL_EPARSE;
            seg[d] = '\0';
            t->seg[t->nseg++] = seg;
            if (d > 0) {
                path[plen++] = '/';
                memcpy(path + plen, seg, (size_t)d);
                plen += (size_t)d;
            }
        }
        if (e >= qpos)
            break;
        p = e + 1;
    }
    if (plen == 0)
        path[plen++] = '/';
    path[plen] = '\0';
    t->path = path;

    if (qpos < n && raw[qpos] == '?')
        return parse_query(pool, raw + qpos + 1, qend - qpos - 1, t->param, SL_TARGET_MAX_PARAMS,
                           &t->nparam);
    return 0;
}

const char *sl_target_param(const sl_target_t *t, const char *name)
{
    for (size_t i = 0; i < t->nparam; i++)
        if (strcmp(t->param[i].name, name) == 0)
            return t->param[i].value;
    return NULL;
}

void sl_percent_encode(sl_buf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            sl_buf_putc(b, (char)c);
        } else {
            char e[3] = { '%', hex[c >> 4], hex[c & 15] };
            sl_buf_append(b, e, 3);
        }
    }
}
