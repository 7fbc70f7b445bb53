/*
 * Implicit conversions the binder inserts (a dynamic operand compared
 * with a number, a string literal compared with a datetime ...): a call of
 * the matching KQL conversion function, folded at bind time when its
 * argument is constant, so converting a literal costs nothing per row.
 */
#include "query/query_int.h"

#include <string.h>

static const char *conv_fn(sl_type_t t)
{
    switch (t) {
    case SL_TYPE_BOOL:
        return "tobool";
    case SL_TYPE_INT:
        return "toint";
    case SL_TYPE_LONG:
        return "tolong";
    case SL_TYPE_REAL:
        return "todouble";
    case SL_TYPE_DATETIME:
        return "todatetime";
    case SL_TYPE_TIMESPAN:
        return "totimespan";
    case SL_TYPE_GUID:
        return "toguid";
    case SL_TYPE_DYNAMIC:
        return "todynamic";
    default:
        return "tostring";
    }
}

int sl_qbind_cast(sl_qbind_t *b, sl_qexpr_t **arg, sl_type_t t, sl_diag_t *d)
{
    if ((*arg)->type == t)
        return 0;
    const char *fn = conv_fn(t);
    sl_query_node_t at = { .pos = (*arg)->pos };
    sl_diag_t *saved = b->d;
    b->d = d;
    int rc = sl_qbind_call(b, &at, fn, strlen(fn), arg, 1, arg);
    b->d = saved;
    return rc;
}
