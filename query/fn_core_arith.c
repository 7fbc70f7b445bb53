/*
 * Arithmetic operators: + - * / % and unary minus.
 *
 * Result types follow KQL: the wider of int < long < real for numbers;
 * datetime ± timespan → datetime; datetime - datetime → timespan;
 * timespan ± timespan → timespan; timespan * number and number * timespan →
 * timespan; timespan / number → timespan; timespan / timespan → real.
 * Integer division truncates toward zero; dividing an integer by zero, or
 * the one overflowing division (INT64_MIN / -1), gives null; reals follow
 * IEEE 754 (1.0 / 0 is +inf). Integer overflow wraps (two's complement)
 * rather than being undefined behaviour. Any null operand gives null.
 */
#include "query/query_int.h"

#include <math.h>
#include <string.h>

enum { A_ADD, A_SUB, A_MUL, A_DIV, A_MOD };
/* How operands are read and the result computed. */
enum { K_I64, K_F64, K_SPAN_MUL_F, K_SPAN_DIV_F, K_SPAN_RATIO };

typedef struct arith {
    int op, kind;
    bool swap;       /* number * timespan: operands exchanged */
    sl_type_t rtype; /* the bound result type */
} arith_t;

static int op_of(const char *s)
{
    switch (s[0]) {
    case '+':
        return A_ADD;
    case '-':
        return A_SUB;
    case '*':
        return A_MUL;
    case '/':
        return A_DIV;
    default:
        return A_MOD;
    }
}

static int type_error(sl_diag_t *d, const sl_qcall_t *call, sl_type_t a, sl_type_t b)
{
    return sl_diag_set(d, SL_ESEMANTIC, "Operator '%s' cannot be applied to %s and %s",
                       call->fn->name, sl_type_name(a), sl_type_name(b));
}

static int arith_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    arith_t *ar = sl_pool_calloc(sl_qbind_pool(b), sizeof *ar);
    ar->op = op_of(call->fn->name);
    call->state = ar;
    /* Dynamic operands are read as numbers. */
    for (size_t k = 0; k < 2; k++)
        if (call->args[k]->type == SL_TYPE_DYNAMIC) {
            int rc = sl_qbind_cast(b, &call->args[k], SL_TYPE_REAL, d);
            if (rc)
                return rc;
        }
    sl_type_t l = call->args[0]->type, r = call->args[1]->type;
    sl_type_t num = sl_qtype_numeric_join(l, r);
    int op = ar->op;
    if (num) {
        *type = ar->rtype = num;
        ar->kind = num == SL_TYPE_REAL ? K_F64 : K_I64;
        return 0;
    }
    const sl_type_t DT = SL_TYPE_DATETIME, TS = SL_TYPE_TIMESPAN;
    ar->kind = K_I64;
    if (l == DT && r == TS && (op == A_ADD || op == A_SUB)) {
        *type = DT;
    } else if (l == TS && r == DT && op == A_ADD) {
        *type = DT;
    } else if (l == DT && r == DT && op == A_SUB) {
        *type = TS;
    } else if (l == TS && r == TS && (op == A_ADD || op == A_SUB || op == A_MOD)) {
        *type = TS;
    } else if (l == TS && r == TS && op == A_DIV) {
        *type = SL_TYPE_REAL;
        ar->kind = K_SPAN_RATIO;
    } else if (l == TS && sl_qtype_is_numeric(r) && (op == A_MUL || op == A_DIV)) {
        *type = TS;
        ar->kind = r == SL_TYPE_REAL ? (op == A_MUL ? K_SPAN_MUL_F : K_SPAN_DIV_F) : K_I64;
    } else if (sl_qtype_is_numeric(l) && r == TS && op == A_MUL) {
        *type = TS;
        ar->swap = true;
        ar->kind = l == SL_TYPE_REAL ? K_SPAN_MUL_F : K_I64;
    } else {
        return type_error(d, call, l, r);
    }
    ar->rtype = *type;
    return 0;
}

static inline int64_t wrap_add(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}
static inline int64_t wrap_sub(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a - (uint64_t)b);
}
static inline int64_t wrap_mul(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a * (uint64_t)b);
}

static int arith_eval(const sl_qcall_t *call, sl_qvec_t *const *args, size_t n,
                      sl_qvec_t **out, sl_qrt_t *rt)
{
    (void)rt;
    const arith_t *ar = call->state;
    const sl_qvec_t *a = args[ar->swap ? 1 : 0], *b = args[ar->swap ? 0 : 1];
    bool nullable = a->col.nulls.len || b->col.nulls.len;
    sl_qvec_t *r = sl_qvec_new(ar->rtype, n);
    int op = ar->op;
    if (ar->kind == K_I64) {
        int64_t *o = sl_qvec_i64w(r);
        const int64_t *x = (const int64_t *)a->col.data.data;
        const int64_t *y = (const int64_t *)b->col.data.data;
        size_t xs = a->konst ? 0 : 1, ys = b->konst ? 0 : 1;
        switch (op) {
        case A_ADD:
            for (size_t i = 0; i < n; i++)
                o[i] = wrap_add(x[i * xs], y[i * ys]);
            break;
        case A_SUB:
            for (size_t i = 0; i < n; i++)
                o[i] = wrap_sub(x[i * xs], y[i * ys]);
            break;
        case A_MUL:
            for (size_t i = 0; i < n; i++)
                o[i] = wrap_mul(x[i * xs], y[i * ys]);
            break;
        default:
            for (size_t i = 0; i < n; i++) {
                int64_t p = x[i * xs], q = y[i * ys];
                if (q == 0 || (q == -1 && p == INT64_MIN)) {
                    o[i] = 0;
                    sl_qvec_set_null(r, i);
                } else if (op == A_DIV) {
                    o[i] = p / q;
                } else {
                    /* Kusto's modulo is never negative: 0 <= N % D < abs(D). */
                    int64_t m = p % q;
                    o[i] = m >= 0 ? m : q < 0 ? m - q : m + q;
                }
            }
            break;
        }
    } else {
        double *o = sl_qvec_f64w(r);
        for (size_t i = 0; i < n; i++) {
            double p = sl_qvec_num(a, i), q = sl_qvec_num(b, i);
            double v;
            switch (ar->kind) {
            case K_SPAN_MUL_F:
                ((int64_t *)o)[i] = (int64_t)llround((double)sl_qvec_i64(a, i) * q);
                continue;
            case K_SPAN_DIV_F:
                if (q == 0) {
                    ((int64_t *)o)[i] = 0;
                    sl_qvec_set_null(r, i);
                } else {
                    ((int64_t *)o)[i] = (int64_t)llround((double)sl_qvec_i64(a, i) / q);
                }
                continue;
            case K_SPAN_RATIO:
                p = (double)sl_qvec_i64(a, i);
                q = (double)sl_qvec_i64(b, i);
                v = p / q;
                break;
            default:
                v = op == A_ADD   ? p + q
                    : op == A_SUB ? p - q
                    : op == A_MUL ? p * q
                    : op == A_DIV ? p / q
                                  : fmod(p, q);
                if (op == A_MOD && v < 0)
                    v += fabs(q);
                break;
            }
            o[i] = v;
        }
    }
    if (nullable)
        for (size_t i = 0; i < n; i++)
            if (sl_qvec_is_null(a, i) || sl_qvec_is_null(b, i)) {
                sl_qvec_i64w(r)[i] = 0;
                sl_qvec_set_null(r, i);
            }
    *out = r;
    return 0;
}

static int neg_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    if (call->args[0]->type == SL_TYPE_DYNAMIC) {
        int rc = sl_qbind_cast(b, &call->args[0], SL_TYPE_REAL, d);
        if (rc)
            return rc;
    }
    sl_type_t t = call->args[0]->type;
    if (!sl_qtype_is_numeric(t) && t != SL_TYPE_TIMESPAN)
        return sl_diag_set(d, SL_ESEMANTIC, "Unary '%s' cannot be applied to %s", call->fn->name,
                           sl_type_name(t));
    call->variant = call->fn->name[0] == '-';
    *type = t;
    return 0;
}

static int neg_eval(const sl_qcall_t *call, sl_qvec_t *const *args, size_t n, sl_qvec_t **out,
                    sl_qrt_t *rt)
{
    (void)rt;
    const sl_qvec_t *a = args[0];
    if (!call->variant) {
        *out = sl_qvec_ref(args[0]);
        return 0;
    }
    sl_qvec_t *r = sl_qvec_new(a->col.type, n);
    if (a->col.type == SL_TYPE_REAL) {
        for (size_t i = 0; i < n; i++)
            sl_qvec_f64w(r)[i] = -sl_qvec_f64(a, i);
    } else {
        for (size_t i = 0; i < n; i++)
            sl_qvec_i64w(r)[i] = wrap_sub(0, sl_qvec_i64(a, i));
    }
    if (a->col.nulls.len)
        for (size_t i = 0; i < n; i++)
            if (sl_qvec_is_null(a, i))
                sl_qvec_set_null(r, i);
    *out = r;
    return 0;
}

#define ARITH(name) { name, 2, 2, false, arith_bind, arith_eval }

const sl_qfn_t sl_qfn_core_arith[] = {
    ARITH("+"), ARITH("-"), ARITH("*"), ARITH("/"), ARITH("%"),
    { "-", 1, 1, false, neg_bind, neg_eval },
    { "+", 1, 1, false, neg_bind, neg_eval },
    { .name = NULL },
};
