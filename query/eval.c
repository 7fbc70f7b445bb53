/*
 * Evaluating bound expressions over a batch.
 *
 * A column reference shares the batch's vector (a reference, no copy); a
 * constant shares its one-row vector; a call evaluates its arguments, then
 * runs the function over the batch's rows — or over one row when every
 * argument is constant, marking the result constant. Argument vectors are
 * released as soon as the function returns.
 */
#include "query/query_int.h"

#include <string.h>

#define MAX_STACK_ARGS 8

int sl_qexpr_eval(const sl_qexpr_t *e, const sl_qbatch_t *b, sl_qrt_t *rt, sl_qvec_t **out)
{
    switch (e->kind) {
    case SL_QX_COL:
        if (e->col >= b->ncols || !b->cols[e->col])
            return sl_diag_set(rt->d, SL_ESTATE, "internal error: column %zu was not loaded",
                               e->col);
        *out = sl_qvec_ref(b->cols[e->col]);
        return 0;
    case SL_QX_CONST:
        *out = sl_qvec_ref(e->konst);
        return 0;
    case SL_QX_CALL:
        break;
    }
    const sl_qcall_t *c = &e->call;
    sl_qvec_t *stack[MAX_STACK_ARGS];
    sl_qvec_t **args = c->nargs <= MAX_STACK_ARGS ? stack : sl_xcalloc(c->nargs, sizeof *args);
    int rc = 0;
    size_t k = 0;
    bool all_const = true;
    for (; k < c->nargs && !rc; k++) {
        args[k] = NULL;
        rc = sl_qexpr_eval(c->args[k], b, rt, &args[k]);
        if (!rc && !args[k]->konst)
            all_const = false;
    }
    if (!rc) {
        size_t n = all_const ? 1 : b->n;
        sl_qvec_t *r = NULL;
        rc = c->fn->eval(c, args, n, &r, rt);
        if (!rc) {
            if (all_const)
                r->konst = true;
            *out = r;
        } else {
            sl_qvec_unref(r);
        }
    }
    for (size_t j = 0; j < k; j++)
        sl_qvec_unref(args[j]);
    if (args != stack)
        sl_free(args);
    return rc;
}

void sl_qexpr_cols(const sl_qexpr_t *e, void (*fn)(size_t col, void *arg), void *arg)
{
    if (e->kind == SL_QX_COL) {
        fn(e->col, arg);
    } else if (e->kind == SL_QX_CALL) {
        for (size_t k = 0; k < e->call.nargs; k++)
            sl_qexpr_cols(e->call.args[k], fn, arg);
    }
}
