/*
 * Vectors: the unit of data the executor passes around (query_int.h
 * "Vectors"). A vector is a column with a reference count, so a column read
 * from a block can be handed to several expressions and operators without
 * copying, and freed when the last one lets go. Reference counts are not
 * atomic: a vector belongs to one thread's batch at a time.
 */
#include "query/query_int.h"

#include <string.h>

static size_t width(sl_type_t t)
{
    return t == SL_TYPE_BOOL ? 1 : 8;
}

sl_qvec_t *sl_qvec_new(sl_type_t t, size_t n)
{
    sl_qvec_t *v = sl_xcalloc(1, sizeof *v);
    v->refs = 1;
    v->col.type = t;
    if (sl_type_is_text(t)) {
        uint32_t zero = 0;
        sl_buf_reserve(&v->col.offs, 4 * (n + 1));
        sl_buf_append(&v->col.offs, &zero, 4);
        return v;
    }
    size_t bytes = n * width(t);
    if (bytes) {
        sl_buf_reserve(&v->col.data, bytes);
        memset(v->col.data.data, 0, bytes);
    }
    v->col.data.len = bytes;
    v->col.n = n;
    return v;
}

sl_qvec_t *sl_qvec_const_i64(sl_type_t t, int64_t x)
{
    sl_qvec_t *v = sl_qvec_new(t, 1);
    sl_qvec_i64w(v)[0] = x;
    v->konst = true;
    return v;
}

sl_qvec_t *sl_qvec_const_f64(double x)
{
    sl_qvec_t *v = sl_qvec_new(SL_TYPE_REAL, 1);
    sl_qvec_f64w(v)[0] = x;
    v->konst = true;
    return v;
}

sl_qvec_t *sl_qvec_const_bool(bool x)
{
    sl_qvec_t *v = sl_qvec_new(SL_TYPE_BOOL, 1);
    sl_qvec_boolw(v)[0] = x;
    v->konst = true;
    return v;
}

sl_qvec_t *sl_qvec_const_text(sl_type_t t, const char *s, size_t n)
{
    sl_qvec_t *v = sl_qvec_new(t, 1);
    sl_qvec_push_text(v, s, n);
    v->konst = true;
    return v;
}

sl_qvec_t *sl_qvec_const_null(sl_type_t t)
{
    if (sl_type_is_text(t))
        return sl_qvec_const_text(t, "", 0);
    sl_qvec_t *v = sl_qvec_new(t, 1);
    sl_qvec_set_null(v, 0);
    v->konst = true;
    return v;
}

sl_qvec_t *sl_qvec_adopt(sl_col_t *c)
{
    sl_qvec_t *v = sl_xcalloc(1, sizeof *v);
    v->refs = 1;
    v->col = *c;
    sl_free(v->col.name);
    v->col.name = NULL;
    if (sl_type_is_text(v->col.type) && v->col.offs.len == 0) {
        uint32_t zero = 0;
        sl_buf_append(&v->col.offs, &zero, 4);
    }
    memset(c, 0, sizeof *c);
    return v;
}

sl_qvec_t *sl_qvec_ref(sl_qvec_t *v)
{
    v->refs++;
    return v;
}

void sl_qvec_unref(sl_qvec_t *v)
{
    if (!v || --v->refs)
        return;
    sl_buf_dispose(&v->col.nulls);
    sl_buf_dispose(&v->col.data);
    sl_buf_dispose(&v->col.offs);
    sl_free(v);
}

double sl_qvec_num(const sl_qvec_t *v, size_t i)
{
    switch (v->col.type) {
    case SL_TYPE_REAL:
        return sl_qvec_f64(v, i);
    case SL_TYPE_BOOL:
        return sl_qvec_bool(v, i);
    default:
        return (double)sl_qvec_i64(v, i);
    }
}

void sl_qvec_set_null(sl_qvec_t *v, size_t i)
{
    sl_col_t *c = &v->col;
    size_t need = (c->n + 7) / 8;
    if (need < i / 8 + 1)
        need = i / 8 + 1;
    if (c->nulls.len < need) {
        sl_buf_reserve(&c->nulls, need - c->nulls.len);
        memset(c->nulls.data + c->nulls.len, 0, need - c->nulls.len);
        c->nulls.len = need;
    }
    ((uint8_t *)c->nulls.data)[i >> 3] |= (uint8_t)(1u << (i & 7));
}

void sl_qvec_push_text(sl_qvec_t *v, const char *s, size_t n)
{
    sl_col_t *c = &v->col;
    if (n)
        sl_buf_append(&c->data, s, n);
    uint32_t end = (uint32_t)c->data.len;
    sl_buf_append(&c->offs, &end, 4);
    c->n++;
}

void sl_qvec_reserve_text(sl_qvec_t *v, size_t rows, size_t bytes)
{
    sl_buf_reserve(&v->col.offs, 4 * rows);
    sl_buf_reserve(&v->col.data, bytes);
}

static void push_fixed(sl_qvec_t *v, const void *p)
{
    sl_buf_append(&v->col.data, p, width(v->col.type));
    v->col.n++;
}

void sl_qagg_push_i64(sl_qvec_t *v, int64_t x)
{
    push_fixed(v, &x);
}

void sl_qagg_push_f64(sl_qvec_t *v, double x)
{
    push_fixed(v, &x);
}

void sl_qagg_push_bool(sl_qvec_t *v, bool x)
{
    uint8_t b = x;
    push_fixed(v, &b);
}

void sl_qagg_push_null(sl_qvec_t *v)
{
    if (sl_type_is_text(v->col.type)) {
        sl_qvec_push_text(v, "", 0);
        return;
    }
    static const uint8_t zero[8];
    push_fixed(v, zero);
    sl_qvec_set_null(v, v->col.n - 1);
}

void sl_qvec_push_from(sl_qvec_t *dst, const sl_qvec_t *src, size_t i)
{
    if (sl_type_is_text(dst->col.type)) {
        size_t n;
        const char *s = sl_qvec_text(src, i, &n);
        sl_qvec_push_text(dst, s, n);
        return;
    }
    if (sl_qvec_is_null(src, i)) {
        sl_qagg_push_null(dst);
        return;
    }
    size_t w = width(dst->col.type);
    push_fixed(dst, src->col.data.data + SL_QV_ROW(src, i) * w);
}
