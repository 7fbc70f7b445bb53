/*
 * Target URLs for the load generator. Only what a client needs to connect
 * and to build request targets: scheme, host, port, and a path prefix (so
 * the node can sit behind a reverse proxy under "/logs"). The token URL
 * keeps its whole path and query, since the request goes exactly there.
 */
#include "bench/load.h"

#include <stdio.h>
#include <string.h>

int sl_load_url_parse(const char *s, sl_load_url_t *out, sl_diag_t *d)
{
    memset(out, 0, sizeof *out);
    const char *p;
    if (!strncmp(s, "https://", 8)) {
        out->tls = true;
        out->port = 443;
        p = s + 8;
    } else if (!strncmp(s, "http://", 7)) {
        out->port = 80;
        p = s + 7;
    } else {
        return sl_diag_set(d, SL_EPARSE, "URL %s: scheme must be http or https", s);
    }
    size_t alen = strcspn(p, "/?#");
    const char *rest = p + alen;
    if (alen == 0)
        return sl_diag_set(d, SL_EPARSE, "URL %s: no host", s);
    if (memchr(p, '@', alen))
        return sl_diag_set(d, SL_EPARSE, "URL %s: user info is not supported", s);
    if (strchr(rest, '#'))
        return sl_diag_set(d, SL_EPARSE, "URL %s: fragments are not supported", s);
    if (alen >= sizeof out->authority)
        return sl_diag_set(d, SL_EPARSE, "URL %s: host too long", s);
    memcpy(out->authority, p, alen);

    /* Host: a bracketed IPv6 literal, or everything up to the last colon. */
    const char *hend, *port = NULL;
    if (p[0] == '[') {
        const char *rb = memchr(p, ']', alen);
        if (!rb)
            return sl_diag_set(d, SL_EPARSE, "URL %s: unterminated IPv6 literal", s);
        memcpy(out->host, p + 1, (size_t)(rb - p - 1));
        hend = rb + 1;
        if (hend < p + alen) {
            if (*hend != ':')
                return sl_diag_set(d, SL_EPARSE, "URL %s: junk after IPv6 literal", s);
            port = hend + 1;
        }
    } else {
        const char *colon = memchr(p, ':', alen);
        hend = colon ? colon : p + alen;
        memcpy(out->host, p, (size_t)(hend - p));
        if (colon)
            port = colon + 1;
    }
    if (!out->host[0])
        return sl_diag_set(d, SL_EPARSE, "URL %s: no host", s);
    if (port) {
        int64_t v;
        if (sl_parse_i64(port, (size_t)(p + alen - port), &v) || v < 1 || v > 65535)
            return sl_diag_set(d, SL_EPARSE, "URL %s: bad port", s);
        out->port = (uint16_t)v;
    }

    size_t rn = strlen(rest);
    if (rn >= sizeof out->path)
        return sl_diag_set(d, SL_EPARSE, "URL %s: path too long", s);
    memcpy(out->path, rest, rn);
    /* A trailing slash on a base URL would double up when paths are appended. */
    while (rn > 0 && out->path[rn - 1] == '/' && !strchr(out->path, '?'))
        out->path[--rn] = '\0';
    return 0;
}
