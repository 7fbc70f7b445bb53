/*
 * Dynamic values: member and element access (`d.a`, `d["a"]`, `d[0]`,
 * `d[-1]`), parse_json / todynamic / parsejson, array_length, pack /
 * bag_pack, pack_array and bag_keys.
 *
 * A dynamic cell is compact JSON text (dyn.c); "" is null. Access walks the
 * text without building a tree. Results follow Kusto:
 *   - a missing member, an index out of range, or a base that is not an
 *     object/array gives null; so does a JSON null found there (isnull()
 *     is true for `parse_json('{"a":null}').a`);
 *   - a negative index counts from the end (d[-1] is the last element);
 *   - parse_json of text that is not JSON gives a dynamic string holding
 *     the text; of "" gives null; of a dynamic value gives it unchanged.
 *
 * Member lookup compares the key's raw JSON bytes with the wanted key
 * directly; only a key written with escapes is decoded (into the thread's
 * scratch buffer), so a lookup never allocates per row.
 */
#include "query/fn_text_int.h"

#include <string.h>

/* End of the compact JSON value starting at s[i] (i < n). */
static size_t skip(const char *s, size_t n, size_t i)
{
    char c = s[i];
    if (c == '"') {
        for (i++; i < n; i++) {
            if (s[i] == '\\') {
                i++;
            } else if (s[i] == '"') {
                return i + 1;
            }
        }
        return n;
    }
    if (c == '{' || c == '[') {
        int depth = 0;
        for (; i < n; i++) {
            char d = s[i];
            if (d == '"') {
                i = skip(s, n, i) - 1;
            } else if (d == '{' || d == '[') {
                depth++;
            } else if (d == '}' || d == ']') {
                if (--depth == 0) {
                    return i + 1;
                }
            }
        }
        return n;
    }
    while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']') {
        i++;
    }
    return i;
}

bool sl_qtext_dyn_member(const char *s,
                         size_t n,
                         const char *key,
                         size_t kn,
                         const char **v,
                         size_t *vn,
                         sl_buf_t *scratch)
{
    if (!n || s[0] != '{') {
        return false;
    }
    bool found = false;
    size_t i = 1;
    while (i < n && s[i] == '"') {
        size_t ke = skip(s, n, i);
        const char *raw = s + i + 1;
        size_t rawn = ke - i >= 2 ? ke - i - 2 : 0;
        bool match;
        if (!memchr(raw, '\\', rawn)) {
            match = rawn == kn && memcmp(raw, key, kn) == 0;
        } else {
            sl_buf_reset(scratch);
            match = sl_qdyn_unquote(s + i, ke - i, scratch) && scratch->len == kn &&
                    memcmp(scratch->data, key, kn) == 0;
        }
        i = ke + 1; /* past ':' */
        if (i >= n) {
            break;
        }
        size_t ve = skip(s, n, i);
        if (match) {
            /* Duplicate keys: the last one wins, as in sl_qdyn_member. */
            *v = s + i;
            *vn = ve - i;
            found = true;
        }
        i = ve;
        if (i < n && s[i] == ',') {
            i++;
        }
    }
    return found;
}

void sl_qtext_dyn_tostring(const char *s, size_t n, sl_buf_t *out)
{
    if (!n || (n == 4 && memcmp(s, "null", 4) == 0)) {
        return;
    }
    if (s[0] == '"' && sl_qdyn_unquote(s, n, out)) {
        return;
    }
    sl_buf_append(out, s, n);
}

bool sl_qtext_dyn_each(const char *s,
                       size_t n,
                       void (*fn)(void *arg, const char *e, size_t en),
                       void *arg)
{
    if (!n || s[0] != '[') {
        return false;
    }
    size_t i = 1;
    while (i < n && s[i] != ']') {
        size_t e = skip(s, n, i);
        fn(arg, s + i, e - i);
        i = e;
        if (i < n && s[i] == ',') {
            i++;
        }
    }
    return true;
}

/* Pushes a found element, mapping JSON null to a null cell. */
static void push_elem(sl_qvec_t *res, bool found, const char *v, size_t vn)
{
    if (!found || (vn == 4 && memcmp(v, "null", 4) == 0)) {
        vn = 0;
    }
    sl_qvec_push_text(res, v, vn);
}

/* ---- .member and [] ----------------------------------------------------- */

enum { IDX_INT, IDX_KEY, IDX_DYN };

static int want_dynamic_base(const sl_qcall_t *call, sl_diag_t *d)
{
    if (call->args[0]->type != SL_TYPE_DYNAMIC) {
        return sl_diag_set(d,
                           SL_ESEMANTIC,
                           "%s: member and element access needs a dynamic value, got %s "
                           "(use parse_json() to read JSON text)",
                           call->fn->name[0] == '.' ? "'.'" : "'[]'",
                           sl_type_name(call->args[0]->type));
    }
    return 0;
}

int sl_query__txt_member_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    int rc = want_dynamic_base(call, d);
    if (rc) {
        return rc;
    }
    const char *k;
    size_t kn;
    if (!sl_qexpr_const_text(call->args[1], &k, &kn)) {
        return sl_diag_set(d, SL_ESEMANTIC, "'.': the member name must be a constant string");
    }
    *type = SL_TYPE_DYNAMIC;
    return 0;
}

int sl_query__txt_member_eval(const sl_qcall_t *call,
                              sl_qvec_t *const *args,
                              size_t n,
                              sl_qvec_t **out,
                              sl_qrt_t *rt)
{
    const sl_qvec_t *base = args[0];
    size_t kn;
    const char *k = sl_qvec_text(args[1], 0, &kn);
    sl_qvec_t *res = sl_qtext_new(SL_TYPE_DYNAMIC, n, 0);
    for (size_t i = 0; i < n; i++) {
        size_t sn, vn = 0;
        const char *s = sl_qvec_text(base, i, &sn), *v = NULL;
        bool found = sl_qtext_dyn_member(s, sn, k, kn, &v, &vn, &rt->scratch);
        push_elem(res, found, v, vn);
    }
    *out = res;
    return 0;
}

int sl_query__txt_index_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    int rc = want_dynamic_base(call, d);
    if (rc) {
        return rc;
    }
    switch (call->args[1]->type) {
    case SL_TYPE_INT:
    case SL_TYPE_LONG:
        call->variant = IDX_INT;
        break;
    case SL_TYPE_REAL:
        rc = sl_qbind_cast(b, &call->args[1], SL_TYPE_LONG, d);
        call->variant = IDX_INT;
        break;
    case SL_TYPE_STRING:
        call->variant = IDX_KEY;
        break;
    case SL_TYPE_DYNAMIC:
        call->variant = IDX_DYN;
        break;
    default:
        return sl_diag_set(d,
                           SL_ESEMANTIC,
                           "'[]': the index must be a number or a string, got %s",
                           sl_type_name(call->args[1]->type));
    }
    *type = SL_TYPE_DYNAMIC;
    return rc;
}

static bool index_row(int variant,
                      const sl_qvec_t *ix,
                      size_t i,
                      const char *s,
                      size_t sn,
                      const char **v,
                      size_t *vn,
                      sl_qrt_t *rt)
{
    if (variant == IDX_INT) {
        return !sl_qvec_is_null(ix, i) && sl_qdyn_index(s, sn, sl_qvec_i64(ix, i), v, vn);
    }
    size_t kn;
    const char *k = sl_qvec_text(ix, i, &kn);
    if (variant == IDX_KEY) {
        return sl_qtext_dyn_member(s, sn, k, kn, v, vn, &rt->scratch);
    }
    /* A dynamic index: a number indexes an array, a string names a member. */
    switch (sl_qdyn_kind(k, kn)) {
    case SL_QDYN_NUMBER: {
        int64_t x;
        if (sl_parse_i64(k, kn, &x) != 0) {
            return false;
        }
        return sl_qdyn_index(s, sn, x, v, vn);
    }
    case SL_QDYN_STRING: {
        /* The key is decoded into the scratch buffer; the lookup gets its
         * own buffer, which allocates only for object keys with escapes. */
        sl_buf_reset(&rt->scratch);
        if (!sl_qdyn_unquote(k, kn, &rt->scratch)) {
            return false;
        }
        sl_buf_t tmp = SL_BUF_INIT;
        bool ok = sl_qtext_dyn_member(
          s, sn, rt->scratch.data ? rt->scratch.data : "", rt->scratch.len, v, vn, &tmp);
        sl_buf_dispose(&tmp);
        return ok;
    }
    default:
        return false;
    }
}

int sl_query__txt_index_eval(const sl_qcall_t *call,
                             sl_qvec_t *const *args,
                             size_t n,
                             sl_qvec_t **out,
                             sl_qrt_t *rt)
{
    const sl_qvec_t *base = args[0], *ix = args[1];
    sl_qvec_t *res = sl_qtext_new(SL_TYPE_DYNAMIC, n, 0);
    for (size_t i = 0; i < n; i++) {
        size_t sn, vn = 0;
        const char *s = sl_qvec_text(base, i, &sn), *v = NULL;
        bool found = sn && index_row(call->variant, ix, i, s, sn, &v, &vn, rt);
        push_elem(res, found, v, vn);
    }
    *out = res;
    return 0;
}

/* ---- parse_json / todynamic / parsejson --------------------------------- */

int sl_query__txt_parse_json_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    *type = SL_TYPE_DYNAMIC;
    call->variant = call->args[0]->type == SL_TYPE_DYNAMIC;
    return call->variant ? 0 : sl_qtext_want_string(b, call, 0, d);
}

int sl_query__txt_parse_json_eval(const sl_qcall_t *call,
                                  sl_qvec_t *const *args,
                                  size_t n,
                                  sl_qvec_t **out,
                                  sl_qrt_t *rt)
{
    if (call->variant) {
        *out = sl_qvec_ref(args[0]);
        return 0;
    }
    const sl_qvec_t *src = args[0];
    size_t bytes = src->konst ? 0 : src->col.data.len;
    sl_qvec_t *res = sl_qtext_new(SL_TYPE_DYNAMIC, n, bytes + n / 4);
    for (size_t i = 0; i < n; i++) {
        size_t sn;
        const char *s = sl_qvec_text(src, i, &sn);
        /* Valid JSON is compacted straight into the result; anything else
         * becomes a JSON string holding the text. */
        size_t mark = res->col.data.len;
        if (sn && sl_qdyn_compact(s, sn, &res->col.data) != 0) {
            sl_qdyn_quote(s, sn, &res->col.data);
        }
        if (res->col.data.len - mark == 4 && memcmp(res->col.data.data + mark, "null", 4) == 0) {
            res->col.data.len = mark; /* JSON null is a null dynamic */
        }
        sl_qtext_push_end(res);
    }
    *out = res;
    return 0;
}

/* ---- array_length ------------------------------------------------------- */

int sl_query__txt_array_length_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    if (call->args[0]->type != SL_TYPE_DYNAMIC) {
        return sl_qbind_arg_error(d, call, 0, "dynamic");
    }
    *type = SL_TYPE_LONG;
    return 0;
}

int sl_query__txt_array_length_eval(const sl_qcall_t *call,
                                    sl_qvec_t *const *args,
                                    size_t n,
                                    sl_qvec_t **out,
                                    sl_qrt_t *rt)
{
    sl_qvec_t *res = sl_qvec_new(SL_TYPE_LONG, n);
    int64_t *w = sl_qvec_i64w(res);
    for (size_t i = 0; i < n; i++) {
        size_t sn;
        const char *s = sl_qvec_text(args[0], i, &sn);
        int64_t len = sl_qdyn_array_length(s, sn);
        if (len < 0) {
            sl_qvec_set_null(res, i);
        } else {
            w[i] = len;
        }
    }
    *out = res;
    return 0;
}

/* ---- pack / bag_pack, pack_array ---------------------------------------- */

int sl_query__txt_pack_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    if (call->nargs % 2) {
        return sl_diag_set(d,
                           SL_ESEMANTIC,
                           "%s(): expects key/value pairs (an even number of arguments), got %zu",
                           call->fn->name,
                           call->nargs);
    }
    for (size_t k = 0; k < call->nargs; k += 2) {
        int rc = sl_qtext_want_string(b, call, k, d);
        if (rc) {
            return rc;
        }
    }
    *type = SL_TYPE_DYNAMIC;
    return 0;
}

int sl_query__txt_pack_eval(const sl_qcall_t *call,
                            sl_qvec_t *const *args,
                            size_t n,
                            sl_qvec_t **out,
                            sl_qrt_t *rt)
{
    sl_qvec_t *res = sl_qtext_new(SL_TYPE_DYNAMIC, n, 0);
    sl_buf_t *o = &res->col.data;
    for (size_t i = 0; i < n; i++) {
        sl_buf_putc(o, '{');
        for (size_t k = 0; k < call->nargs; k += 2) {
            size_t kn;
            const char *key = sl_qvec_text(args[k], i, &kn);
            if (k) {
                sl_buf_putc(o, ',');
            }
            sl_qdyn_quote(key, kn, o);
            sl_buf_putc(o, ':');
            sl_qvec_json(args[k + 1], i, o);
        }
        sl_buf_putc(o, '}');
        sl_qtext_push_end(res);
    }
    *out = res;
    return 0;
}

int sl_query__txt_pack_array_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    *type = SL_TYPE_DYNAMIC;
    return 0;
}

int sl_query__txt_pack_array_eval(const sl_qcall_t *call,
                                  sl_qvec_t *const *args,
                                  size_t n,
                                  sl_qvec_t **out,
                                  sl_qrt_t *rt)
{
    sl_qvec_t *res = sl_qtext_new(SL_TYPE_DYNAMIC, n, 0);
    sl_buf_t *o = &res->col.data;
    for (size_t i = 0; i < n; i++) {
        sl_buf_putc(o, '[');
        for (size_t k = 0; k < call->nargs; k++) {
            if (k) {
                sl_buf_putc(o, ',');
            }
            sl_qvec_json(args[k], i, o);
        }
        sl_buf_putc(o, ']');
        sl_qtext_push_end(res);
    }
    *out = res;
    return 0;
}

/* ---- bag_keys ----------------------------------------------------------- */

int sl_query__txt_bag_keys_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    if (call->args[0]->type != SL_TYPE_DYNAMIC) {
        return sl_qbind_arg_error(d, call, 0, "dynamic");
    }
    *type = SL_TYPE_DYNAMIC;
    return 0;
}

int sl_query__txt_bag_keys_eval(const sl_qcall_t *call,
                                sl_qvec_t *const *args,
                                size_t n,
                                sl_qvec_t **out,
                                sl_qrt_t *rt)
{
    sl_qvec_t *res = sl_qtext_new(SL_TYPE_DYNAMIC, n, 0);
    sl_buf_t *o = &res->col.data;
    for (size_t r = 0; r < n; r++) {
        size_t sn;
        const char *s = sl_qvec_text(args[0], r, &sn);
        if (sn && s[0] == '{') {
            /* Keys are JSON strings already: copied as written. */
            sl_buf_putc(o, '[');
            size_t i = 1;
            bool first = true;
            while (i < sn && s[i] == '"') {
                size_t ke = skip(s, sn, i);
                if (!first) {
                    sl_buf_putc(o, ',');
                }
                first = false;
                sl_buf_append(o, s + i, ke - i);
                i = ke + 1;
                if (i >= sn) {
                    break;
                }
                i = skip(s, sn, i);
                if (i < sn && s[i] == ',') {
                    i++;
                }
            }
            sl_buf_putc(o, ']');
        }
        sl_qtext_push_end(res);
    }
    *out = res;
    return 0;
}
