/*
 * Columns and column sets: the in-memory shape of rows everywhere in
 * sealog — a parsed request, a block being built, a decoded block being
 * scanned. Values of one column sit contiguously (int64, double, bytes, or
 * offsets into one text buffer) so encoders and filters run over arrays.
 *
 * Rows are built one at a time: push at most one value per column, then
 * sl_colset_end_row() pads the columns that got nothing. A column added
 * mid-way is backfilled so every column always has nrows values.
 */
#include "store/store.h"

#include <string.h>
#include <strings.h>

static const char *const type_names[] = { "",         "bool",     "int",    "long",
                                          "real",     "datetime", "timespan", "string",
                                          "guid",     "dynamic" };

const char *sl_type_name(sl_type_t t)
{
    return (unsigned)t < SL_ARRAY_SIZE(type_names) ? type_names[t] : "unknown";
}

sl_type_t sl_type_parse(const char *s, size_t n)
{
    static const struct {
        const char *name;
        sl_type_t t;
    } names[] = { { "bool", SL_TYPE_BOOL },         { "boolean", SL_TYPE_BOOL },
                  { "int", SL_TYPE_INT },           { "long", SL_TYPE_LONG },
                  { "real", SL_TYPE_REAL },         { "double", SL_TYPE_REAL },
                  { "datetime", SL_TYPE_DATETIME }, { "date", SL_TYPE_DATETIME },
                  { "timespan", SL_TYPE_TIMESPAN }, { "time", SL_TYPE_TIMESPAN },
                  { "string", SL_TYPE_STRING },     { "guid", SL_TYPE_GUID },
                  { "uuid", SL_TYPE_GUID },         { "uniqueid", SL_TYPE_GUID },
                  { "dynamic", SL_TYPE_DYNAMIC } };
    for (size_t i = 0; i < SL_ARRAY_SIZE(names); i++)
        if (strlen(names[i].name) == n && strncasecmp(names[i].name, s, n) == 0)
            return names[i].t;
    return 0;
}

void sl_colset_init(sl_colset_t *s)
{
    memset(s, 0, sizeof *s);
}

static void col_dispose(sl_col_t *c)
{
    sl_free(c->name);
    sl_buf_dispose(&c->nulls);
    sl_buf_dispose(&c->data);
    sl_buf_dispose(&c->offs);
}

void sl_colset_dispose(sl_colset_t *s)
{
    for (size_t i = 0; i < s->ncols; i++)
        col_dispose(&s->cols[i]);
    sl_free(s->cols);
    memset(s, 0, sizeof *s);
}

int sl_colset_find(const sl_colset_t *s, const char *name)
{
    for (size_t i = 0; i < s->ncols; i++)
        if (strcmp(s->cols[i].name, name) == 0)
            return (int)i;
    return -1;
}

static void set_null_bit(sl_col_t *c, size_t i)
{
    size_t need = i / 8 + 1;
    if (c->nulls.len < need) {
        sl_buf_reserve(&c->nulls, need - c->nulls.len);
        memset(c->nulls.data + c->nulls.len, 0, need - c->nulls.len);
        c->nulls.len = need;
    }
    ((uint8_t *)c->nulls.data)[i >> 3] |= (uint8_t)(1u << (i & 7));
}

static size_t value_size(sl_type_t t)
{
    if (t == SL_TYPE_BOOL)
        return 1;
    return 8;
}

void sl_col_push_null(sl_col_t *c)
{
    if (sl_type_is_text(c->type)) {
        sl_col_push_text(c, "", 0);
        return;
    }
    static const uint8_t zero[8];
    sl_buf_append(&c->data, zero, value_size(c->type));
    set_null_bit(c, c->n);
    c->n++;
}

void sl_col_push_i64(sl_col_t *c, int64_t v)
{
    sl_buf_append(&c->data, &v, 8);
    c->n++;
}

void sl_col_push_f64(sl_col_t *c, double v)
{
    sl_buf_append(&c->data, &v, 8);
    c->n++;
}

void sl_col_push_bool(sl_col_t *c, bool v)
{
    uint8_t b = v;
    sl_buf_append(&c->data, &b, 1);
    c->n++;
}

void sl_col_push_text(sl_col_t *c, const char *p, size_t n)
{
    if (c->offs.len == 0) {
        uint32_t zero = 0;
        sl_buf_append(&c->offs, &zero, 4);
    }
    sl_buf_append(&c->data, p, n);
    uint32_t end = (uint32_t)c->data.len;
    sl_buf_append(&c->offs, &end, 4);
    c->n++;
}

int sl_colset_add(sl_colset_t *s, const char *name, sl_type_t type)
{
    if (s->ncols == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->cols = sl_xrealloc(s->cols, s->cap * sizeof *s->cols);
    }
    sl_col_t *c = &s->cols[s->ncols];
    memset(c, 0, sizeof *c);
    c->name = sl_xstrdup(name);
    c->type = type;
    if (sl_type_is_text(type)) {
        uint32_t zero = 0;
        sl_buf_append(&c->offs, &zero, 4);
    }
    for (size_t i = 0; i < s->nrows; i++)
        sl_col_push_null(c);
    return (int)s->ncols++;
}

void sl_colset_end_row(sl_colset_t *s)
{
    for (size_t i = 0; i < s->ncols; i++)
        if (s->cols[i].n == s->nrows)
            sl_col_push_null(&s->cols[i]);
    s->nrows++;
}

void sl_colset_append(sl_colset_t *dst, const sl_colset_t *src, size_t from, size_t to)
{
    size_t count = to - from;
    if (count == 0)
        return;
    for (size_t k = 0; k < src->ncols; k++) {
        const sl_col_t *sc = &src->cols[k];
        int di = sl_colset_find(dst, sc->name);
        if (di < 0)
            di = sl_colset_add(dst, sc->name, sc->type);
        sl_col_t *dc = &dst->cols[di];
        if (sl_type_is_text(sc->type)) {
            const uint32_t *o = (const uint32_t *)sc->offs.data;
            uint32_t base = (uint32_t)dc->data.len;
            sl_buf_append(&dc->data, sc->data.data ? sc->data.data + o[from] : "",
                          o[to] - o[from]);
            sl_buf_reserve(&dc->offs, 4 * count);
            uint32_t *out = (uint32_t *)(dc->offs.data + dc->offs.len);
            for (size_t i = 0; i < count; i++)
                out[i] = base + (o[from + i + 1] - o[from]);
            dc->offs.len += 4 * count;
            dc->n += count;
        } else {
            size_t vs = value_size(sc->type);
            size_t start_row = dc->n;
            sl_buf_append(&dc->data, sc->data.data + from * vs, count * vs);
            dc->n += count;
            if (sc->nulls.len)
                for (size_t i = from; i < to; i++)
                    if (sl_col_is_null(sc, i))
                        set_null_bit(dc, start_row + (i - from));
        }
    }
    /* Columns of dst that src lacks get nulls for the appended rows. */
    size_t target = dst->nrows + count;
    for (size_t i = 0; i < dst->ncols; i++)
        while (dst->cols[i].n < target)
            sl_col_push_null(&dst->cols[i]);
    dst->nrows = target;
}

size_t sl_colset_bytes(const sl_colset_t *s)
{
    size_t b = 0;
    for (size_t i = 0; i < s->ncols; i++)
        b += s->cols[i].data.len + s->cols[i].offs.len;
    return b;
}
