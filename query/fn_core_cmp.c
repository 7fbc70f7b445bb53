/*
 * Comparison operators: == != < <= > >= over every comparable pair of
 * types.
 *
 * Families: numbers (int, long, real — compared by value, through double
 * only when a real is involved), datetimes, timespans, bools, and text
 * (string and guid, byte-wise; case-insensitive equality is `=~`, in the
 * text library). A dynamic operand is converted at bind time to the other
 * side's type (`Properties.Code == 200`), as is a constant string compared
 * with a datetime (`TimeGenerated > "2024-01-01"`).
 *
 * Nulls follow KQL's documented rules: `==` with exactly one null is false,
 * `!=` with exactly one null is true, both null gives null; ordering
 * comparisons with any null give null (which `where` treats as false).
 *
 * Loops are chosen at bind time (call->variant = family) and specialised
 * for a constant right-hand side, the shape of almost every filter.
 */
#include "query/query_int.h"

#include <string.h>

enum { FAM_I64 = 1, FAM_F64, FAM_BOOL, FAM_TEXT };
enum { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

typedef struct cmp_info {
    int op;
} cmp_info_t;

static int family(sl_type_t t)
{
    switch (t) {
    case SL_TYPE_INT:
    case SL_TYPE_LONG:
    case SL_TYPE_DATETIME:
    case SL_TYPE_TIMESPAN:
        return FAM_I64;
    case SL_TYPE_REAL:
        return FAM_F64;
    case SL_TYPE_BOOL:
        return FAM_BOOL;
    default:
        return FAM_TEXT;
    }
}

static int op_of(const char *name)
{
    static const char *const names[] = { "==", "!=", "<", "<=", ">", ">=" };
    for (int i = 0; i < 6; i++)
        if (!strcmp(names[i], name))
            return i;
    return OP_EQ;
}

static bool comparable(sl_type_t a, sl_type_t b, bool ordering)
{
    if (sl_qtype_is_numeric(a) && sl_qtype_is_numeric(b))
        return true;
    if (a == b)
        return !(ordering && a == SL_TYPE_BOOL);
    if ((a == SL_TYPE_STRING && b == SL_TYPE_GUID) || (a == SL_TYPE_GUID && b == SL_TYPE_STRING))
        return true;
    return false;
}

static int cmp_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    int op = op_of(call->fn->name);
    sl_qexpr_t **l = &call->args[0], **r = &call->args[1];
    /* A dynamic side takes the other side's type. */
    if ((*l)->type == SL_TYPE_DYNAMIC && (*r)->type != SL_TYPE_DYNAMIC) {
        int rc = sl_qbind_cast(b, l, (*r)->type, d);
        if (rc)
            return rc;
    } else if ((*r)->type == SL_TYPE_DYNAMIC && (*l)->type != SL_TYPE_DYNAMIC) {
        int rc = sl_qbind_cast(b, r, (*l)->type, d);
        if (rc)
            return rc;
    } else if ((*l)->type == SL_TYPE_DYNAMIC && (*r)->type == SL_TYPE_DYNAMIC) {
        /* Two dynamic values: compare their text forms. */
        int rc = sl_qbind_cast(b, l, SL_TYPE_STRING, d);
        if (!rc)
            rc = sl_qbind_cast(b, r, SL_TYPE_STRING, d);
        if (rc)
            return rc;
    }
    /* A constant string against a datetime or timespan is read as one. */
    sl_type_t lt = (*l)->type, rt = (*r)->type;
    if ((lt == SL_TYPE_DATETIME || lt == SL_TYPE_TIMESPAN) && rt == SL_TYPE_STRING &&
        sl_qexpr_is_const(*r)) {
        int rc = sl_qbind_cast(b, r, lt, d);
        if (rc)
            return rc;
    } else if ((rt == SL_TYPE_DATETIME || rt == SL_TYPE_TIMESPAN) && lt == SL_TYPE_STRING &&
               sl_qexpr_is_const(*l)) {
        int rc = sl_qbind_cast(b, l, rt, d);
        if (rc)
            return rc;
    }
    lt = (*l)->type;
    rt = (*r)->type;
    if (!comparable(lt, rt, op >= OP_LT))
        return sl_diag_set(d, SL_ESEMANTIC, "Cannot compare values of types %s and %s with '%s'",
                           sl_type_name(lt), sl_type_name(rt), call->fn->name);
    cmp_info_t *ci = sl_pool_calloc(sl_qbind_pool(b), sizeof *ci);
    ci->op = op;
    call->state = ci;
    int fl = family(lt), fr = family(rt);
    call->variant = fl == fr ? fl : FAM_F64; /* mixed numbers: by value as doubles */
    if (fl == FAM_I64 && fr == FAM_I64)
        call->variant = FAM_I64;
    *type = SL_TYPE_BOOL;
    return 0;
}

static inline bool apply(int op, int c)
{
    switch (op) {
    case OP_EQ:
        return c == 0;
    case OP_NE:
        return c != 0;
    case OP_LT:
        return c < 0;
    case OP_LE:
        return c <= 0;
    case OP_GT:
        return c > 0;
    default:
        return c >= 0;
    }
}

static inline bool has_nulls(const sl_qvec_t *v)
{
    return !sl_type_is_text(v->col.type) ? v->col.nulls.len > 0
                                         : v->col.type != SL_TYPE_STRING;
}

/* Null rules for one row where at least one side is null. Returns true and
 * sets *out (and *is_null) when the row is decided. */
static inline void null_rule(int op, bool ln, bool rn, uint8_t *out, bool *is_null)
{
    if (op == OP_EQ || op == OP_NE) {
        if (ln && rn) {
            *is_null = true;
            *out = 0;
        } else {
            *out = op == OP_NE;
        }
    } else {
        *is_null = true;
        *out = 0;
    }
}

#define CMP_LOOP(T, GET)                                                                           \
    do {                                                                                           \
        const T *lv = (const T *)a->col.data.data, *rv = (const T *)bv->col.data.data;             \
        if (bv->konst) {                                                                           \
            T y = rv[0];                                                                           \
            switch (op) {                                                                          \
            case OP_EQ: for (size_t i = 0; i < n; i++) o[i] = GET(lv, i) == y; break;              \
            case OP_NE: for (size_t i = 0; i < n; i++) o[i] = GET(lv, i) != y; break;              \
            case OP_LT: for (size_t i = 0; i < n; i++) o[i] = GET(lv, i) < y; break;               \
            case OP_LE: for (size_t i = 0; i < n; i++) o[i] = GET(lv, i) <= y; break;              \
            case OP_GT: for (size_t i = 0; i < n; i++) o[i] = GET(lv, i) > y; break;               \
            default: for (size_t i = 0; i < n; i++) o[i] = GET(lv, i) >= y; break;                 \
            }                                                                                      \
        } else {                                                                                   \
            for (size_t i = 0; i < n; i++) {                                                       \
                T x = GET(lv, i), y = rv[SL_QV_ROW(bv, i)];                                        \
                o[i] = apply(op, (x > y) - (x < y));                                               \
            }                                                                                      \
        }                                                                                          \
    } while (0)

#define GET_ROW(p, i) (p)[a->konst ? 0 : (i)]

static void cmp_text(int op, const sl_qvec_t *a, const sl_qvec_t *bv, size_t n, uint8_t *o)
{
    if (bv->konst && (op == OP_EQ || op == OP_NE) && !a->konst) {
        size_t yn;
        const char *y = sl_qvec_text(bv, 0, &yn);
        const uint32_t *off = (const uint32_t *)a->col.offs.data;
        const char *base = a->col.data.data;
        bool want = op == OP_EQ;
        for (size_t i = 0; i < n; i++) {
            size_t xn = off[i + 1] - off[i];
            o[i] = (xn == yn && (yn == 0 || memcmp(base + off[i], y, yn) == 0)) == want;
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        size_t xn, yn;
        const char *x = sl_qvec_text(a, i, &xn), *y = sl_qvec_text(bv, i, &yn);
        int c = memcmp(x, y, SL_MIN(xn, yn));
        if (!c)
            c = (xn > yn) - (xn < yn);
        o[i] = apply(op, c);
    }
}

static int cmp_eval(const sl_qcall_t *call, sl_qvec_t *const *args, size_t n, sl_qvec_t **out,
                    sl_qrt_t *rt)
{
    (void)rt;
    const cmp_info_t *ci = call->state;
    int op = ci->op;
    const sl_qvec_t *a = args[0], *bv = args[1];
    sl_qvec_t *r = sl_qvec_new(SL_TYPE_BOOL, n);
    uint8_t *o = sl_qvec_boolw(r);
    switch (call->variant) {
    case FAM_I64:
        CMP_LOOP(int64_t, GET_ROW);
        break;
    case FAM_F64:
        if (a->col.type == SL_TYPE_REAL && bv->col.type == SL_TYPE_REAL) {
            CMP_LOOP(double, GET_ROW);
        } else {
            for (size_t i = 0; i < n; i++) {
                double x = sl_qvec_num(a, i), y = sl_qvec_num(bv, i);
                o[i] = apply(op, (x > y) - (x < y));
            }
        }
        break;
    case FAM_BOOL:
        CMP_LOOP(uint8_t, GET_ROW);
        break;
    default:
        cmp_text(op, a, bv, n, o);
        break;
    }
    /* NaN is unordered: every comparison but != is false. */
    if (call->variant == FAM_F64) {
        for (size_t i = 0; i < n; i++) {
            double x = sl_qvec_num(a, i), y = sl_qvec_num(bv, i);
            if (x != x || y != y)
                o[i] = op == OP_NE;
        }
    }
    if (has_nulls(a) || has_nulls(bv)) {
        bool text_nullable = call->variant == FAM_TEXT;
        for (size_t i = 0; i < n; i++) {
            bool ln = text_nullable ? sl_qvec_is_null(a, i) : sl_qvec_is_null(a, i);
            bool rn = sl_qvec_is_null(bv, i);
            if (!ln && !rn)
                continue;
            bool isn = false;
            null_rule(op, ln, rn, &o[i], &isn);
            if (isn)
                sl_qvec_set_null(r, i);
        }
    }
    *out = r;
    return 0;
}

#define CMP(name) { name, 2, 2, false, cmp_bind, cmp_eval }

const sl_qfn_t sl_qfn_core_cmp[] = {
    CMP("=="), CMP("!="), CMP("<"), CMP("<="), CMP(">"), CMP(">="), { .name = NULL },
};
