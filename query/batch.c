/*
 * Batches: the rows operators pass to each other, and the row-moving
 * primitives every operator is built from (filter, gather, append,
 * truncate). Text columns are copied value by value into one new buffer,
 * so a gathered vector is as compact as a freshly decoded one.
 */
#include "query/query_int.h"

#include <string.h>

static size_t width(sl_type_t t)
{
    return t == SL_TYPE_BOOL ? 1 : 8;
}

int sl_qschema_find(const sl_qschema_t *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->names[i], name))
            return (int)i;
    return -1;
}

void sl_qbatch_init(sl_qbatch_t *b, size_t ncols)
{
    b->n = 0;
    b->ncols = ncols;
    b->cols = ncols ? sl_xcalloc(ncols, sizeof *b->cols) : NULL;
}

void sl_qbatch_dispose(sl_qbatch_t *b)
{
    for (size_t i = 0; i < b->ncols; i++)
        sl_qvec_unref(b->cols[i]);
    sl_free(b->cols);
    memset(b, 0, sizeof *b);
}

sl_qvec_t *sl_qvec_gather(const sl_qvec_t *v, const uint32_t *idx, size_t k)
{
    sl_type_t t = v->col.type;
    if (v->konst) {
        sl_qvec_t *c = sl_qvec_new(t, 0);
        sl_qvec_push_from(c, v, 0);
        c->konst = true;
        return c;
    }
    sl_qvec_t *r = sl_qvec_new(t, sl_type_is_text(t) ? k : k);
    if (sl_type_is_text(t)) {
        const uint32_t *o = (const uint32_t *)v->col.offs.data;
        size_t bytes = 0;
        for (size_t j = 0; j < k; j++)
            bytes += o[idx[j] + 1] - o[idx[j]];
        sl_qvec_reserve_text(r, k, bytes);
        uint32_t *ro = (uint32_t *)r->col.offs.data;
        char *rd = r->col.data.data;
        const char *src = v->col.data.data;
        uint32_t pos = 0;
        for (size_t j = 0; j < k; j++) {
            uint32_t a = o[idx[j]], len = o[idx[j] + 1] - a;
            if (len)
                memcpy(rd + pos, src + a, len);
            pos += len;
            ro[j + 1] = pos;
        }
        r->col.data.len = pos;
        r->col.offs.len = 4 * (k + 1);
        r->col.n = k;
        return r;
    }
    size_t w = width(t);
    if (w == 8) {
        const int64_t *src = (const int64_t *)v->col.data.data;
        int64_t *dst = sl_qvec_i64w(r);
        for (size_t j = 0; j < k; j++)
            dst[j] = src[idx[j]];
    } else {
        const uint8_t *src = (const uint8_t *)v->col.data.data;
        uint8_t *dst = sl_qvec_boolw(r);
        for (size_t j = 0; j < k; j++)
            dst[j] = src[idx[j]];
    }
    if (v->col.nulls.len)
        for (size_t j = 0; j < k; j++)
            if (sl_col_is_null(&v->col, idx[j]))
                sl_qvec_set_null(r, j);
    return r;
}

sl_qvec_t *sl_qvec_slice(const sl_qvec_t *v, size_t from, size_t k)
{
    uint32_t *idx = sl_xmalloc((k ? k : 1) * sizeof *idx);
    for (size_t j = 0; j < k; j++)
        idx[j] = v->konst ? 0 : (uint32_t)(from + j);
    sl_qvec_t *r;
    if (v->konst) {
        /* Expand: gather of a non-constant view of the one value. */
        sl_qvec_t tmp = *v;
        tmp.konst = false;
        r = sl_qvec_gather(&tmp, idx, k);
    } else {
        r = sl_qvec_gather(v, idx, k);
    }
    sl_free(idx);
    return r;
}

void sl_qbatch_gather(sl_qbatch_t *b, const uint32_t *idx, size_t k)
{
    for (size_t c = 0; c < b->ncols; c++) {
        sl_qvec_t *v = b->cols[c];
        if (!v || v->konst)
            continue;
        b->cols[c] = sl_qvec_gather(v, idx, k);
        sl_qvec_unref(v);
    }
    b->n = k;
}

void sl_qbatch_filter(sl_qbatch_t *b, const uint8_t *keep)
{
    size_t k = 0;
    for (size_t i = 0; i < b->n; i++)
        k += keep[i] != 0;
    if (k == b->n)
        return;
    uint32_t *idx = sl_xmalloc((k ? k : 1) * sizeof *idx);
    for (size_t i = 0, j = 0; i < b->n; i++)
        if (keep[i])
            idx[j++] = (uint32_t)i;
    sl_qbatch_gather(b, idx, k);
    sl_free(idx);
}

void sl_qbatch_truncate(sl_qbatch_t *b, size_t k)
{
    if (k >= b->n)
        return;
    for (size_t c = 0; c < b->ncols; c++) {
        sl_qvec_t *v = b->cols[c];
        if (!v || v->konst)
            continue;
        b->cols[c] = sl_qvec_slice(v, 0, k);
        sl_qvec_unref(v);
    }
    b->n = k;
}

/* Appends the n rows of src (possibly constant) to the growing vector dst. */
static void vec_append(sl_qvec_t *dst, const sl_qvec_t *src, size_t n)
{
    sl_type_t t = dst->col.type;
    size_t base = dst->col.n;
    if (sl_type_is_text(t)) {
        if (src->konst) {
            size_t len;
            const char *s = sl_qvec_text(src, 0, &len);
            sl_qvec_reserve_text(dst, n, len * n);
            for (size_t i = 0; i < n; i++)
                sl_qvec_push_text(dst, s, len);
            return;
        }
        const uint32_t *o = (const uint32_t *)src->col.offs.data;
        uint32_t shift = (uint32_t)dst->col.data.len;
        sl_buf_append(&dst->col.data, src->col.data.data ? src->col.data.data + o[0] : "",
                      o[n] - o[0]);
        sl_buf_reserve(&dst->col.offs, 4 * n);
        uint32_t *out = (uint32_t *)(dst->col.offs.data + dst->col.offs.len);
        for (size_t i = 0; i < n; i++)
            out[i] = shift + (o[i + 1] - o[0]);
        dst->col.offs.len += 4 * n;
        dst->col.n += n;
        return;
    }
    size_t w = width(t);
    if (src->konst) {
        for (size_t i = 0; i < n; i++)
            sl_buf_append(&dst->col.data, src->col.data.data, w);
    } else {
        sl_buf_append(&dst->col.data, src->col.data.data, n * w);
    }
    dst->col.n += n;
    if (src->col.nulls.len)
        for (size_t i = 0; i < n; i++)
            if (sl_qvec_is_null(src, i))
                sl_qvec_set_null(dst, base + i);
}

void sl_qbatch_append(sl_qbatch_t *dst, const sl_qbatch_t *src)
{
    for (size_t c = 0; c < dst->ncols; c++) {
        sl_qvec_t *s = src->cols[c];
        if (!s)
            continue;
        sl_qvec_t *d = dst->cols[c];
        if (!d) {
            d = dst->cols[c] = sl_qvec_new(s->col.type, 0);
            /* Rows appended before this column appeared are null. */
            for (size_t i = 0; i < dst->n; i++)
                sl_qagg_push_null(d);
        } else if (d->konst || d->refs > 1) {
            /* Appending needs an owned, expanded vector. */
            dst->cols[c] = sl_qvec_slice(d, 0, dst->n);
            sl_qvec_unref(d);
            d = dst->cols[c];
        }
        vec_append(d, s, src->n);
    }
    dst->n += src->n;
}

size_t sl_qbatch_bytes(const sl_qbatch_t *b)
{
    size_t s = 0;
    for (size_t c = 0; c < b->ncols; c++)
        if (b->cols[c])
            s += b->cols[c]->col.data.len + b->cols[c]->col.offs.len;
    return s;
}
