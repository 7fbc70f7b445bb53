/*
 * Null tests and type introspection: isnull, isnotnull, isempty,
 * isnotempty, not, gettype.
 *
 * KQL's rules (KQL.md §2.8): a string is never null, so isnull("") is false
 * while isempty("") is true; isempty / isnotempty test "null or empty
 * string" for every type. A guid or dynamic cell is null when it holds no
 * text; a dynamic cell holding the JSON literal null is null as well
 * (parse_json("null") is a null value in Kusto), so isnull() sees both.
 * These functions never return null themselves; not(null) is null.
 *
 * gettype() names the type of the value: the column type for scalar types,
 * and for dynamic values the JSON kind as Kusto names it: "array",
 * "dictionary", "string", "bool", "int" / "long" (an integer that fits in 32
 * bits or not), "real", and "null" for a null dynamic.
 */
#include "query/fn_misc_int.h"

#include <string.h>

enum { N_ISNULL, N_ISNOTNULL, N_ISEMPTY, N_ISNOTEMPTY, N_NOT };

int sl_qmisc_bind_isnull(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    static const char *const names[] = { "isnull", "isnotnull", "isempty", "isnotempty", "not" };
    call->variant = -1;
    for (int i = 0; i < 5; i++) {
        if (sl_qmisc_named(call, names[i])) {
            call->variant = i;
        }
    }
    if (call->variant < 0) {
        return sl_qmisc_error(d, call, "unknown function");
    }
    *type = SL_TYPE_BOOL;
    if (call->variant == N_NOT) {
        return sl_qmisc_want(b, call, 0, SL_TYPE_BOOL, "a bool", d);
    }
    return 0;
}

/* A null cell of any type, counting the dynamic JSON literal null. */
static bool cell_null(const sl_qvec_t *v, size_t i)
{
    if (v->col.type == SL_TYPE_DYNAMIC) {
        size_t n;
        const char *s = sl_qvec_text(v, i, &n);
        return n == 0 || (n == 4 && memcmp(s, "null", 4) == 0);
    }
    return sl_qvec_is_null(v, i);
}

int sl_qmisc_eval_isnull(const sl_qcall_t *call,
                         sl_qvec_t *const *args,
                         size_t n,
                         sl_qvec_t **out,
                         sl_qrt_t *rt)
{
    (void)rt;
    const sl_qvec_t *a = args[0];
    int op = call->variant;
    sl_qvec_t *o = sl_qvec_new(SL_TYPE_BOOL, n);
    uint8_t *w = sl_qvec_boolw(o);
    if (op == N_NOT) {
        for (size_t i = 0; i < n; i++) {
            w[i] = !sl_qvec_bool(a, i);
        }
        sl_qmisc_copy_nulls(o, a, n);
        *out = o;
        return 0;
    }
    bool negate = op == N_ISNOTNULL || op == N_ISNOTEMPTY;
    bool empty = op == N_ISEMPTY || op == N_ISNOTEMPTY;
    if (a->col.type == SL_TYPE_STRING) {
        /* Strings: isnull is always false; isempty tests the length. */
        for (size_t i = 0; i < n; i++) {
            size_t len = 0;
            if (empty) {
                sl_qvec_text(a, i, &len);
            }
            w[i] = (empty && len == 0) != negate;
        }
    } else if (!sl_type_is_text(a->col.type) && a->col.nulls.len == 0) {
        memset(w, negate, n); /* no null at all */
    } else {
        for (size_t i = 0; i < n; i++) {
            w[i] = cell_null(a, i) != negate;
        }
    }
    *out = o;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* gettype                                                                  */
/* ------------------------------------------------------------------------ */

int sl_qmisc_bind_gettype(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    (void)b;
    (void)call;
    (void)d;
    *type = SL_TYPE_STRING;
    return 0;
}

static const char *dyn_type(const char *s, size_t n)
{
    switch (sl_qdyn_kind(s, n)) {
    case SL_QDYN_BOOL:
        return "bool";
    case SL_QDYN_STRING:
        return "string";
    case SL_QDYN_ARRAY:
        return "array";
    case SL_QDYN_OBJECT:
        return "dictionary";
    case SL_QDYN_NUMBER: {
        /* Integers without fraction or exponent: int if 32 bits hold them. */
        size_t i = s[0] == '-';
        for (size_t k = i; k < n; k++) {
            if (s[k] < '0' || s[k] > '9') {
                return "real";
            }
        }
        int64_t v;
        if (sl_parse_i64(s, n, &v) != 0) {
            return "real";
        }
        return v >= INT32_MIN && v <= INT32_MAX ? "int" : "long";
    }
    default:
        return "null";
    }
}

int sl_qmisc_eval_gettype(const sl_qcall_t *call,
                          sl_qvec_t *const *args,
                          size_t n,
                          sl_qvec_t **out,
                          sl_qrt_t *rt)
{
    (void)call;
    (void)rt;
    const sl_qvec_t *a = args[0];
    sl_qvec_t *o = sl_qvec_new(SL_TYPE_STRING, n);
    const char *fixed = a->col.type == SL_TYPE_DYNAMIC ? NULL : sl_type_name(a->col.type);
    for (size_t i = 0; i < n; i++) {
        const char *name = fixed;
        if (!name) {
            size_t len;
            const char *s = sl_qvec_text(a, i, &len);
            name = dyn_type(s, len);
        }
        sl_qvec_push_text(o, name, strlen(name));
    }
    *out = o;
    return 0;
}
