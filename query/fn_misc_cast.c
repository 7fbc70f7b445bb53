/*
 * sl_qbind_cast: implicit conversions inserted by binds.
 *
 * A function whose argument must have some type (strlen() wants a string,
 * iff() wants both branches of one numeric type) calls
 * sl_qbind_cast(b, &call->args[i], T, d). The argument is wrapped in a call
 * of the conversion function for T (tostring, tolong, toint, todouble,
 * tobool, todatetime, totimespan, toguid, or the to-dynamic element
 * conversion), bound like any other call, so the conversion runs vectorised
 * with the rest of the expression.
 *
 * When the argument is a constant, the conversion runs once here and the
 * result replaces the argument as a constant: a cast of a literal costs
 * nothing per row, and the binder's folding and the planner's pushdowns see
 * a plain constant. The folded vector is released with the bind pool.
 */
#include "query/fn_misc_int.h"

int sl_qbind_cast(sl_qbind_t *b, sl_qexpr_t **arg, sl_type_t t, sl_diag_t *d)
{
    sl_qexpr_t *a = *arg;
    if (a->type == t) {
        return 0;
    }
    const sl_qfn_t *fn = sl_qconv_fn(t);
    if (!fn) {
        return sl_diag_set(d,
                           SL_ESEMANTIC,
                           "cannot convert a value of type %s to type %s",
                           sl_type_name(a->type),
                           sl_type_name(t));
    }
    sl_pool_t *pool = sl_qbind_pool(b);
    sl_qexpr_t *c = sl_pool_calloc(pool, sizeof *c);
    c->kind = SL_QX_CALL;
    c->pos = a->pos;
    c->call.fn = fn;
    c->call.nargs = 1;
    c->call.args = sl_pool_calloc(pool, sizeof *c->call.args);
    c->call.args[0] = a;
    int rc = fn->bind(b, &c->call, &c->type, d);
    if (rc != 0) {
        return rc;
    }
    if (!sl_qexpr_is_const(a)) {
        *arg = c;
        return 0;
    }

    /* Fold: convert the one constant row now, with the binder's runtime
     * context (the one it folds every constant call with). */
    sl_diag_t *saved = b->rt.d;
    b->rt.d = d;
    sl_qvec_t *v = NULL;
    rc = fn->eval(&c->call, &a->konst, 1, &v, &b->rt);
    b->rt.d = saved;
    if (rc != 0) {
        sl_qvec_unref(v);
        return rc;
    }
    sl_qexpr_t *k = sl_qbind_const(b, v, NULL); /* takes the reference */
    k->pos = a->pos;
    *arg = k;
    return 0;
}
