/*
 * `and` / `or` with three-valued logic: null and false is false, null or
 * true is true, otherwise a null operand gives null. (`where` keeps a row
 * only when its predicate is true, so a null is dropped.) Dynamic operands
 * are read as bools.
 *
 * The where operator already splits top-level `and` chains into separate
 * filters, evaluated one after the other on the surviving rows; these
 * functions serve the nested cases.
 */
#include "query/query_int.h"

static int logic_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    for (size_t k = 0; k < 2; k++) {
        if (call->args[k]->type == SL_TYPE_DYNAMIC) {
            int rc = sl_qbind_cast(b, &call->args[k], SL_TYPE_BOOL, d);
            if (rc)
                return rc;
        }
        if (call->args[k]->type != SL_TYPE_BOOL)
            return sl_diag_set(d, SL_ESEMANTIC,
                               "The operands of '%s' must be bool; operand %zu is %s",
                               call->fn->name, k + 1, sl_type_name(call->args[k]->type));
    }
    call->variant = call->fn->name[0] == 'o';
    *type = SL_TYPE_BOOL;
    return 0;
}

static int logic_eval(const sl_qcall_t *call, sl_qvec_t *const *args, size_t n,
                      sl_qvec_t **out, sl_qrt_t *rt)
{
    (void)rt;
    const sl_qvec_t *a = args[0], *b = args[1];
    sl_qvec_t *r = sl_qvec_new(SL_TYPE_BOOL, n);
    uint8_t *o = sl_qvec_boolw(r);
    const uint8_t *x = (const uint8_t *)a->col.data.data, *y = (const uint8_t *)b->col.data.data;
    size_t xs = a->konst ? 0 : 1, ys = b->konst ? 0 : 1;
    bool is_or = call->variant;
    if (is_or)
        for (size_t i = 0; i < n; i++)
            o[i] = x[i * xs] | y[i * ys];
    else
        for (size_t i = 0; i < n; i++)
            o[i] = x[i * xs] & y[i * ys];
    if (a->col.nulls.len || b->col.nulls.len) {
        for (size_t i = 0; i < n; i++) {
            bool an = sl_qvec_is_null(a, i), bn = sl_qvec_is_null(b, i);
            if (!an && !bn)
                continue;
            /* The known side decides when it is the absorbing value. */
            bool av = !an && x[i * xs], bv = !bn && y[i * ys];
            bool decided = is_or ? av || bv : (!an && !av) || (!bn && !bv);
            if (decided) {
                o[i] = is_or;
            } else {
                o[i] = 0;
                sl_qvec_set_null(r, i);
            }
        }
    }
    *out = r;
    return 0;
}

const sl_qfn_t sl_qfn_core_logic[] = {
    { "and", 2, 2, false, logic_bind, logic_eval },
    { "or", 2, 2, false, logic_bind, logic_eval },
    { .name = NULL },
};
