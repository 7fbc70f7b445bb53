/*
 * `in`, `!in`, `in~`, `!in~`: the value equals one of the items.
 *
 * The binder calls these with (lhs, item1, ... itemN). An item is a scalar
 * expression or a dynamic array (a `let` of dynamic([...]) or a sub-query
 * result the binder made into a constant array) whose elements count as
 * items. How items compare depends on the lhs type, decided at bind time:
 *
 *   string, guid, dynamic  text equality (in~: ASCII case folded); a
 *                          dynamic lhs compares by its tostring() text;
 *                          numbers and other scalars among the items are
 *                          compared by their tostring() text too;
 *   int, long              numeric equality with integral items (1 in
 *                          (1.0) holds; 1 in (1.5) does not);
 *   real                   numeric equality;
 *   datetime, timespan     equality with items of the same type, or with
 *                          dynamic strings holding such values (dynamic
 *                          stores datetimes as ISO 8601 strings);
 *   bool                   equality with bool items.
 * Elements of dynamic arrays that cannot be compared with the lhs type
 * (an object in a list of numbers, null) are skipped; a scalar item of an
 * incomparable type is a bind error. A null lhs is in no list: `in` gives
 * false and `!in` true, as `==`/`!=` do with one null side.
 *
 * Constant items (the usual case) are put into a hash set at bind time;
 * items that vary per row (columns) are compared row by row.
 */
#include "query/fn_text_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum fam {
    F_TEXT,
    F_INT, /* int, long */
    F_REAL,
    F_DATETIME,
    F_TIMESPAN,
    F_BOOL,
} fam_t;

typedef struct in_state {
    fam_t fam;
    bool ci, neg;
    sl_qset_t *set; /* constant items */
    size_t nvar;    /* items varying per row */
    size_t *var;    /* their argument indexes */
} in_state_t;

static fam_t family(sl_type_t t)
{
    switch (t) {
    case SL_TYPE_INT:
    case SL_TYPE_LONG:
        return F_INT;
    case SL_TYPE_REAL:
        return F_REAL;
    case SL_TYPE_DATETIME:
        return F_DATETIME;
    case SL_TYPE_TIMESPAN:
        return F_TIMESPAN;
    case SL_TYPE_BOOL:
        return F_BOOL;
    default:
        return F_TEXT;
    }
}

/* ---- Adding constant items ---------------------------------------------- */

/* A JSON number's value: integral (*isint) or real. */
static bool json_number(const char *s, size_t n, int64_t *iv, double *dv, bool *isint)
{
    if (sl_parse_i64(s, n, iv) == 0) {
        *isint = true;
        *dv = (double)*iv;
        return true;
    }
    char tmp[64];
    if (n >= sizeof tmp) {
        return false;
    }
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end;
    *dv = strtod(tmp, &end);
    *isint = false;
    return *end == '\0';
}

static void add_real_as(in_state_t *st, double v)
{
    if (st->fam == F_REAL) {
        sl_qset_add_f64(st->set, v);
    } else if (v == floor(v) && fabs(v) < 9.2e18) {
        sl_qset_add_i64(st->set, (int64_t)v);
    }
}

/* One element of a dynamic item (compact JSON text). */
static void add_json(void *arg, const char *e, size_t en)
{
    in_state_t *st = arg;
    sl_qdyn_kind_t k = sl_qdyn_kind(e, en);
    if (k == SL_QDYN_NONE || k == SL_QDYN_NULL) {
        return;
    }
    if (st->fam == F_TEXT) {
        sl_buf_t t = SL_BUF_INIT;
        sl_qtext_dyn_tostring(e, en, &t);
        sl_qset_add_text(st->set, t.data ? t.data : "", t.len);
        sl_buf_dispose(&t);
        return;
    }
    if (st->fam == F_INT || st->fam == F_REAL) {
        int64_t iv;
        double dv;
        bool isint;
        if (k == SL_QDYN_NUMBER && json_number(e, en, &iv, &dv, &isint)) {
            if (isint && st->fam == F_INT) {
                sl_qset_add_i64(st->set, iv);
            } else {
                add_real_as(st, dv);
            }
        }
        return;
    }
    if (st->fam == F_BOOL) {
        if (k == SL_QDYN_BOOL) {
            sl_qset_add_i64(st->set, e[0] == 't');
        }
        return;
    }
    /* datetime / timespan: JSON strings in their text forms. */
    if (k != SL_QDYN_STRING) {
        return;
    }
    sl_buf_t t = SL_BUF_INIT;
    sl_ticks_t v;
    bool is_null = false;
    if (sl_qdyn_unquote(e, en, &t)) {
        const char *p = t.data ? t.data : "";
        int rc = st->fam == F_DATETIME ? sl_query_datetime_decode(p, t.len, &v, &is_null)
                                       : sl_query_timespan_decode(p, t.len, &v, &is_null);
        if (rc == 0 && !is_null) {
            sl_qset_add_i64(st->set, v);
        }
    }
    sl_buf_dispose(&t);
}

/* A constant scalar item (a one-row vector). */
static int add_scalar(in_state_t *st,
                      const sl_qcall_t *call,
                      size_t k,
                      const sl_qvec_t *v,
                      sl_diag_t *d)
{
    sl_type_t t = v->col.type;
    if (t == SL_TYPE_DYNAMIC) {
        size_t n;
        const char *s = sl_qvec_text(v, 0, &n);
        if (!sl_qtext_dyn_each(s, n, add_json, st)) {
            add_json(st, s, n);
        }
        return 0;
    }
    if (st->fam == F_TEXT) {
        sl_buf_t b = SL_BUF_INIT;
        sl_qvec_tostring(v, 0, &b);
        if (!(t == SL_TYPE_GUID && b.len == 0) && (t == SL_TYPE_STRING || !sl_qvec_is_null(v, 0))) {
            sl_qset_add_text(st->set, b.data ? b.data : "", b.len);
        }
        sl_buf_dispose(&b);
        return 0;
    }
    bool ok;
    switch (st->fam) {
    case F_INT:
    case F_REAL:
        ok = sl_qtype_is_numeric(t);
        break;
    case F_DATETIME:
        ok = t == SL_TYPE_DATETIME;
        break;
    case F_TIMESPAN:
        ok = t == SL_TYPE_TIMESPAN;
        break;
    default:
        ok = t == SL_TYPE_BOOL;
        break;
    }
    if (!ok) {
        return sl_diag_set(d,
                           SL_ESEMANTIC,
                           "%s: item %zu is %s, which cannot be compared with %s",
                           call->fn->name,
                           k,
                           sl_type_name(t),
                           sl_type_name(call->args[0]->type));
    }
    if (sl_qvec_is_null(v, 0)) {
        return 0;
    }
    if (t == SL_TYPE_REAL) {
        add_real_as(st, sl_qvec_f64(v, 0));
    } else if (t == SL_TYPE_BOOL) {
        sl_qset_add_i64(st->set, sl_qvec_bool(v, 0));
    } else if (st->fam == F_REAL) {
        sl_qset_add_f64(st->set, (double)sl_qvec_i64(v, 0));
    } else {
        sl_qset_add_i64(st->set, sl_qvec_i64(v, 0));
    }
    return 0;
}

/* ---- Bind --------------------------------------------------------------- */

static bool var_item_ok(fam_t fam, sl_type_t t)
{
    switch (fam) {
    case F_INT:
    case F_REAL:
        return sl_qtype_is_numeric(t);
    case F_DATETIME:
        return t == SL_TYPE_DATETIME;
    case F_TIMESPAN:
        return t == SL_TYPE_TIMESPAN;
    case F_BOOL:
        return t == SL_TYPE_BOOL;
    default:
        return true;
    }
}

int sl_query__txt_in_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    const char *name = call->fn->name;
    sl_pool_t *pool = sl_qbind_pool(b);
    in_state_t *st = sl_pool_calloc(pool, sizeof *st);
    st->neg = name[0] == '!';
    st->ci = name[strlen(name) - 1] == '~';
    int rc = 0;
    if (call->args[0]->type == SL_TYPE_DYNAMIC || call->args[0]->type == SL_TYPE_GUID) {
        rc = sl_qbind_cast(b, &call->args[0], SL_TYPE_STRING, d);
    }
    if (rc) {
        return rc;
    }
    st->fam = family(call->args[0]->type);
    st->set = sl_qset_new(pool, st->ci && st->fam == F_TEXT);
    st->var = sl_pool_alloc(pool, call->nargs * sizeof *st->var);
    for (size_t k = 1; k < call->nargs && !rc; k++) {
        sl_qexpr_t *e = call->args[k];
        if (sl_qexpr_is_const(e)) {
            rc = add_scalar(st, call, k, e->konst, d);
            continue;
        }
        if (st->fam == F_TEXT) {
            rc = sl_qtext_want_string(b, call, k, d);
        } else if (!var_item_ok(st->fam, e->type)) {
            rc = sl_diag_set(d,
                             SL_ESEMANTIC,
                             "%s: item %zu is %s, which cannot be compared with %s",
                             name,
                             k,
                             sl_type_name(e->type),
                             sl_type_name(call->args[0]->type));
        }
        st->var[st->nvar++] = k;
    }
    if (rc) {
        return rc;
    }
    sl_qset_seal(st->set);
    call->state = st;
    *type = SL_TYPE_BOOL;
    return 0;
}

/* ---- Eval --------------------------------------------------------------- */

/* Does row i of the lhs equal row i of a varying item? */
static bool var_eq(const in_state_t *st, const sl_qvec_t *l, const sl_qvec_t *it, size_t i)
{
    if (sl_qvec_is_null(it, i)) {
        return false;
    }
    if (st->fam == F_TEXT) {
        size_t an, bn;
        const char *a = sl_qvec_text(l, i, &an), *b = sl_qvec_text(it, i, &bn);
        return sl_qstr_eq(a, an, b, bn, !st->ci);
    }
    if (st->fam == F_BOOL) {
        return sl_qvec_bool(l, i) == sl_qvec_bool(it, i);
    }
    if (st->fam == F_REAL || it->col.type == SL_TYPE_REAL) {
        return sl_qvec_num(l, i) == sl_qvec_num(it, i);
    }
    return sl_qvec_i64(l, i) == sl_qvec_i64(it, i);
}

static bool probe(const in_state_t *st, const sl_qvec_t *l, size_t i)
{
    switch (st->fam) {
    case F_TEXT: {
        size_t n;
        const char *s = sl_qvec_text(l, i, &n);
        return sl_qset_has_text(st->set, s, n);
    }
    case F_REAL:
        return sl_qset_has_f64(st->set, sl_qvec_f64(l, i));
    case F_BOOL:
        return sl_qset_has_i64(st->set, sl_qvec_bool(l, i));
    default:
        return sl_qset_has_i64(st->set, sl_qvec_i64(l, i));
    }
}

int sl_query__txt_in_eval(const sl_qcall_t *call,
                          sl_qvec_t *const *args,
                          size_t n,
                          sl_qvec_t **out,
                          sl_qrt_t *rt)
{
    const in_state_t *st = call->state;
    const sl_qvec_t *l = args[0];
    sl_qvec_t *res = sl_qvec_new(SL_TYPE_BOOL, n);
    uint8_t *m = sl_qvec_boolw(res);
    bool has_set = sl_qset_count(st->set) > 0;
    if (st->fam == F_TEXT && !st->nvar && !l->konst) {
        /* The common shape: a string column against a constant list. */
        const char *data = sl_qtext_data(l);
        const uint32_t *offs = sl_qtext_offs(l);
        for (size_t i = 0; i < n; i++) {
            m[i] = sl_qset_has_text(st->set, data + offs[i], offs[i + 1] - offs[i]);
        }
    } else {
        bool lnull_possible = l->col.type != SL_TYPE_STRING;
        for (size_t i = 0; i < n; i++) {
            if (lnull_possible && sl_qvec_is_null(l, i)) {
                m[i] = 0;
                continue;
            }
            bool hit = has_set && probe(st, l, i);
            for (size_t k = 0; !hit && k < st->nvar; k++) {
                hit = var_eq(st, l, args[st->var[k]], i);
            }
            m[i] = hit;
        }
    }
    if (st->neg) {
        for (size_t i = 0; i < n; i++) {
            m[i] ^= 1;
        }
    }
    *out = res;
    return 0;
}
