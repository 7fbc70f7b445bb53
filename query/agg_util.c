/*
 * Helpers shared by the aggregates (declared in agg_int.h): result
 * appenders, bind checks and generated names, hashing, owned value slots
 * and a walker over compact JSON containers. The exact value set has its
 * own file (agg_set.c).
 */
#include "query/agg_int.h"

#include <math.h>
#include <stdio.h>

/* ---- Results ------------------------------------------------------------ */

void sl_qagg_out_bits(sl_qvec_t *v, uint64_t bits)
{
    switch (v->col.type) {
    case SL_TYPE_BOOL:
        sl_qagg_push_bool(v, bits != 0);
        break;
    case SL_TYPE_REAL: {
        double f;
        memcpy(&f, &bits, 8);
        sl_qagg_push_f64(v, f);
        break;
    }
    default:
        sl_qagg_push_i64(v, (int64_t)bits);
        break;
    }
}

void sl_qagg_json_bits(sl_type_t t, uint64_t bits, sl_buf_t *out)
{
    /* A one-row vector over a local value, so that the JSON form is the
     * one sl_qvec_json gives every other dynamic element. */
    uint64_t cell = bits;
    uint8_t b = bits != 0;
    sl_qvec_t v;
    memset(&v, 0, sizeof v);
    v.refs = 1;
    v.col.type = t;
    v.col.n = 1;
    v.col.data.data = t == SL_TYPE_BOOL ? (char *)&b : (char *)&cell;
    v.col.data.len = t == SL_TYPE_BOOL ? 1 : 8;
    sl_qvec_json(&v, 0, out);
}

int sl_qagg_buf_append(sl_buf_t *b, const char *p, size_t n, sl_qrt_t *rt)
{
    size_t need = b->len + n + 1;
    if (need > b->cap) {
        /* The capacity sl_buf will grow to (it doubles from 64). */
        size_t cap = b->cap ? b->cap : 64;
        while (cap < need) {
            cap *= 2;
        }
        int rc = sl_qrt_charge(rt, (int64_t)(cap - b->cap));
        if (rc) {
            return rc;
        }
    }
    sl_buf_append(b, p, n);
    return 0;
}

/* ---- Binding ------------------------------------------------------------ */

void sl_qagg_outs(sl_qbind_t *b, sl_qaggcall_t *call, size_t nout)
{
    sl_pool_t *pool = sl_qbind_pool(b);
    call->nout = nout;
    call->out_types = sl_pool_calloc(pool, nout * sizeof *call->out_types);
    call->out_names = sl_pool_calloc(pool, nout * sizeof *call->out_names);
}

const char *sl_qagg_name(sl_qbind_t *b, const char *prefix, const char *argname)
{
    return sl_pool_printf(sl_qbind_pool(b), "%s%s", prefix, argname ? argname : "");
}

int sl_qagg_arg_error(sl_diag_t *d, const sl_qaggcall_t *call, size_t k, const char *what)
{
    const char *got = k < call->nargs ? sl_type_name(call->args[k]->type) : "nothing";
    return sl_diag_set(d,
                       SL_ESEMANTIC,
                       "%s(): argument %zu must be %s, got %s",
                       call->agg->name,
                       k + 1,
                       what,
                       got[0] ? got : "an unknown type");
}

int sl_qagg_check_pred(const sl_qaggcall_t *call, size_t k, sl_diag_t *d)
{
    if (call->args[k]->type != SL_TYPE_BOOL) {
        return sl_qagg_arg_error(d, call, k, "a bool predicate");
    }
    return 0;
}

int sl_qagg_const_num(const sl_qaggcall_t *call,
                      size_t k,
                      const char *what,
                      double *out,
                      sl_diag_t *d)
{
    const sl_qexpr_t *e = call->args[k];
    int64_t i;
    if (!sl_qexpr_is_const(e) || !sl_qtype_is_numeric(e->type)) {
        return sl_qagg_arg_error(d, call, k, what);
    }
    if (e->type == SL_TYPE_REAL) {
        if (!sl_qexpr_const_f64(e, out) || !isfinite(*out)) {
            return sl_qagg_arg_error(d, call, k, what);
        }
        return 0;
    }
    if (!sl_qexpr_const_i64(e, &i)) {
        return sl_qagg_arg_error(d, call, k, what);
    }
    *out = (double)i;
    return 0;
}

int sl_qagg_const_int(const sl_qaggcall_t *call,
                      size_t k,
                      const char *what,
                      int64_t *out,
                      sl_diag_t *d)
{
    const sl_qexpr_t *e = call->args[k];
    if (!sl_qexpr_is_const(e) || (e->type != SL_TYPE_INT && e->type != SL_TYPE_LONG) ||
        !sl_qexpr_const_i64(e, out)) {
        return sl_qagg_arg_error(d, call, k, what);
    }
    return 0;
}

int sl_qagg_max_size(const sl_qaggcall_t *call,
                     size_t k,
                     uint32_t dflt,
                     uint32_t *out,
                     sl_diag_t *d)
{
    int64_t v;
    *out = dflt;
    if (k >= call->nargs) {
        return 0;
    }
    int rc = sl_qagg_const_int(call, k, "a constant integer maxSize", &v, d);
    if (rc) {
        return rc;
    }
    if (v < 1) {
        return sl_diag_set(d,
                           SL_ESEMANTIC,
                           "%s(): maxSize must be at least 1, got %lld",
                           call->agg->name,
                           (long long)v);
    }
    /* The docs give 1048576 as both the default and the largest value; a
     * larger request is served with the largest rather than refused. */
    *out = v > SL_QAGG_MAX_SIZE ? SL_QAGG_MAX_SIZE : (uint32_t)v;
    return 0;
}

size_t sl_qagg_out_arg(const sl_qaggcall_t *call, size_t k)
{
    const sl_qagg_sel_t *sel = call->bstate;
    return sel ? sel->argidx[k] : 0;
}

/* ---- Hashing ------------------------------------------------------------ */

uint64_t sl_qagg_hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}

uint64_t sl_qagg_hash_bytes(const char *s, size_t n)
{
    /* Multiply-xorshift over 8-byte words, finished by the 64-bit mixer:
     * fast for the short strings sets mostly see. */
    uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ (n * UINT64_C(0xff51afd7ed558ccd));
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * UINT64_C(0x100000001b3);
        h ^= h >> 31;
    }
    uint64_t tail = 0;
    memcpy(&tail, s + i, n - i);
    h = (h ^ tail) * UINT64_C(0x100000001b3);
    return sl_qagg_hash_u64(h);
}

uint64_t sl_qagg_real_key(double x)
{
    uint64_t b;
    if (isnan(x)) {
        return UINT64_C(0x7ff8000000000000);
    }
    if (x == 0) {
        x = 0;
    }
    memcpy(&b, &x, 8);
    return b;
}

/* ---- Owned value slots -------------------------------------------------- */

int sl_qagg_slot_set(sl_qagg_slot_t *s, const sl_qagg_rd_t *rd, size_t r, sl_qrt_t *rt)
{
    if (!sl_type_is_text(rd->type)) {
        bool null = sl_qagg_rd_null(rd, r);
        s->len = null;
        s->i = null ? 0 : (int64_t)sl_qagg_rd_bits(rd, r);
        return 0;
    }
    size_t n;
    const char *p = sl_qagg_rd_text(rd, r, &n);
    if (n > s->cap) {
        size_t cap = n < 16 ? 16 : n;
        int rc = sl_qrt_charge(rt, (int64_t)cap - (int64_t)s->cap);
        if (rc) {
            return rc;
        }
        sl_free(s->p);
        s->p = sl_xmalloc(cap);
        s->cap = (uint32_t)cap;
    }
    if (n) {
        memcpy(s->p, p, n);
    }
    s->len = (uint32_t)n;
    return 0;
}

void sl_qagg_slot_out(const sl_qagg_slot_t *s, sl_type_t t, sl_qvec_t *out)
{
    if (sl_type_is_text(t)) {
        sl_qvec_push_text(out, s->p ? s->p : "", s->len);
    } else if (s->len) {
        sl_qagg_push_null(out);
    } else {
        sl_qagg_out_bits(out, (uint64_t)s->i);
    }
}

bool sl_qagg_slot_is_null(const sl_qagg_slot_t *s, sl_type_t t)
{
    if (sl_type_is_text(t)) {
        return t != SL_TYPE_STRING && s->len == 0;
    }
    return s->len != 0;
}

size_t sl_qagg_slot_bytes(const sl_qagg_slot_t *s, sl_type_t t)
{
    return sl_type_is_text(t) ? s->cap : 0;
}

void sl_qagg_slot_free(sl_qagg_slot_t *s, sl_type_t t)
{
    if (sl_type_is_text(t)) {
        sl_free(s->p);
    }
    memset(s, 0, sizeof *s);
}

static int cmp_text(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c) {
        return c < 0 ? -1 : 1;
    }
    return (an > bn) - (an < bn);
}

static int cmp_f64(double a, double b)
{
    /* NaN after every number, as sl_qvec_cmp orders them. */
    bool an = isnan(a), bn = isnan(b);
    if (an || bn) {
        return an - bn;
    }
    return (a > b) - (a < b);
}

static int cmp_bits(sl_type_t t, uint64_t a, uint64_t b)
{
    if (t == SL_TYPE_REAL) {
        double x, y;
        memcpy(&x, &a, 8);
        memcpy(&y, &b, 8);
        return cmp_f64(x, y);
    }
    int64_t x = (int64_t)a, y = (int64_t)b;
    return (x > y) - (x < y);
}

int sl_qagg_slot_cmp_row(const sl_qagg_slot_t *s, const sl_qagg_rd_t *rd, size_t r)
{
    if (sl_type_is_text(rd->type)) {
        size_t n;
        const char *p = sl_qagg_rd_text(rd, r, &n);
        return cmp_text(s->p ? s->p : "", s->len, p, n);
    }
    return cmp_bits(rd->type, (uint64_t)s->i, sl_qagg_rd_bits(rd, r));
}

int sl_qagg_slot_cmp(const sl_qagg_slot_t *a, const sl_qagg_slot_t *b, sl_type_t t)
{
    if (sl_type_is_text(t)) {
        return cmp_text(a->p ? a->p : "", a->len, b->p ? b->p : "", b->len);
    }
    return cmp_bits(t, (uint64_t)a->i, (uint64_t)b->i);
}

/* ---- Compact JSON ------------------------------------------------------- */

size_t sl_qagg_json_skip(const char *s, size_t n, size_t i)
{
    /* The text is compact and valid (dynamic values are validated when
     * they are made), so tracking quotes and bracket depth is enough. */
    if (s[i] == '"') {
        for (i++; i < n; i++) {
            if (s[i] == '\\') {
                i++;
            } else if (s[i] == '"') {
                return i + 1;
            }
        }
        return n;
    }
    if (s[i] == '{' || s[i] == '[') {
        size_t depth = 0;
        for (; i < n; i++) {
            char c = s[i];
            if (c == '"') {
                i = sl_qagg_json_skip(s, n, i) - 1;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return i + 1;
            }
        }
        return n;
    }
    while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ':') {
        i++;
    }
    return i;
}

bool sl_qagg_json_next(const char *s, size_t n, size_t *pos, const char **v, size_t *vn)
{
    size_t i = *pos;
    if (i < n && s[i] == ',') {
        i++;
    }
    if (i >= n || s[i] == ']' || s[i] == '}') {
        *pos = n;
        return false;
    }
    size_t e = sl_qagg_json_skip(s, n, i);
    *v = s + i;
    *vn = e - i;
    *pos = e;
    return true;
}
