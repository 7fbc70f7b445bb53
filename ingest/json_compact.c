/*
 * Compaction: the minified text of one value, for storing nested objects and
 * arrays as text columns.
 *
 * Between two string tokens of a container the input holds only brackets,
 * commas, colons, numbers, literals and whitespace, and none of those can
 * contain a space that matters. So the value's span is copied as runs: the
 * bytes between strings with whitespace dropped, and each string (found
 * through its token, quotes included) copied whole, escapes verbatim. No
 * byte is examined twice and strings are never rescanned.
 */
#include "ingest/ingest_int.h"

#include <string.h>

/* Copies src[0..n) without JSON whitespace to w; returns the new end. */
static char *copy_no_ws(char *w, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
            *w++ = c;
        }
    }
    return w;
}

void sl_json_compact(const sl_json_doc_t *d, size_t i, sl_buf_t *out)
{
    const sl_json_tok_t *t = &d->tok[i];
    if (t->type == SL_JSON_STRING) {
        sl_buf_append(out, d->src + t->off - 1, (size_t)t->len + 2);
        return;
    }
    if (t->type != SL_JSON_ARRAY && t->type != SL_JSON_OBJECT) {
        sl_buf_append(out, d->src + t->off, t->len);
        return;
    }
    sl_buf_reserve(out, t->len);
    char *w = out->data + out->len;
    const char *p = d->src + t->off;
    for (size_t j = i + 1; j < t->end; j++) {
        const sl_json_tok_t *s = &d->tok[j];
        if (s->type != SL_JSON_STRING) {
            continue;
        }
        const char *q = d->src + s->off - 1; /* its opening quote */
        w = copy_no_ws(w, p, (size_t)(q - p));
        memcpy(w, q, (size_t)s->len + 2);
        w += (size_t)s->len + 2;
        p = q + s->len + 2;
    }
    w = copy_no_ws(w, p, (size_t)(d->src + t->off + t->len - p));
    out->len = (size_t)(w - out->data);
    out->data[out->len] = '\0';
}
