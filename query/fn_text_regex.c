/*
 * Regex predicates and extraction: `matches regex` (matches_regex),
 * extract(), extract_all() and countof().
 *
 * Patterns must be constant strings (literals or `let` constants): they
 * are compiled once at bind time with PCRE2 JIT (regex.c), and a bad
 * pattern is a bind error (SL_ESEMANTIC) naming the function. A pattern
 * that backtracks past the match limit fails the query with SL_ELIMIT
 * instead of hanging it.
 *
 * matches_regex over a column first asks fn_text_relit.c what literal text
 * any match must contain and runs whole-column substring scans for it, so
 * the regex only sees rows that can match; a pattern made of nothing but
 * literals (`(?i)(exception|fatal|panic)`) needs no regex at all.
 *
 * extract(regex, group, source [, typeof(T)]): the group's text of the
 * first match; "" (or a null of type T) when there is no match, the group
 * did not take part, or the text does not convert to T.
 * extract_all(regex, [groups,] source): every match's groups (1 to 16 of
 * them) as a dynamic array — of strings with one group, of arrays with
 * several; null when nothing matches.
 * countof(source, search [, kind]): occurrences of search — overlapping
 * ones for kind "normal" (the default), non-overlapping regex matches for
 * kind "regex" (countof("ababa", "aba") is 2, with "regex" it is 1).
 */
#include "query/fn_text_int.h"

#include <stdlib.h>
#include <string.h>

/* Loops that run a regex per row check for cancellation this often. */
#define CANCEL_EVERY 4096

int sl_qtext_rx_next(const sl_qregex_t *re,
                     const char *s,
                     size_t n,
                     sl_qtext_rx_iter_t *it,
                     size_t *ov,
                     size_t nov,
                     sl_qrt_t *rt)
{
    for (;;) {
        if (it->pos > n) {
            return 0;
        }
        int rc = sl_qregex_match(re, s, n, it->pos, ov, nov, rt);
        if (rc <= 0) {
            return rc;
        }
        size_t ms = ov[0], me = ov[1];
        if (ms == me && it->started && ms == it->last_end) {
            /* An empty match where the previous one ended: skip it. */
            it->pos = ms < n ? ms + sl_qutf8_char_len(s + ms, n - ms) : n + 1;
            continue;
        }
        it->started = true;
        it->last_end = me;
        if (me > ms) {
            it->pos = me;
        } else {
            it->pos = me < n ? me + sl_qutf8_char_len(s + me, n - me) : n + 1;
        }
        return 1;
    }
}

static int compile_arg(sl_qbind_t *b,
                       const sl_qcall_t *call,
                       size_t k,
                       sl_qregex_t **re,
                       const char **pat,
                       size_t *pn,
                       sl_diag_t *d)
{
    const char *s;
    size_t n;
    int rc = sl_qtext_const_arg(call, k, "regex", &s, &n, d);
    if (!rc) {
        rc = sl_qregex_compile(b, s, n, NULL, re, d);
        if (rc) {
            sl_diag_prefix(d, "%s()", call->fn->name);
        }
    }
    if (pat) {
        *pat = s;
        *pn = n;
    }
    return rc;
}

/* ---- matches_regex ------------------------------------------------------ */

typedef struct mr_state {
    sl_qregex_t *re;
    sl_qrelit_t lit;
    sl_qstr_finder_t *finder[SL_QRELIT_MAX_ALTS];
} mr_state_t;

int sl_query__txt_matches_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    sl_pool_t *pool = sl_qbind_pool(b);
    mr_state_t *st = sl_pool_calloc(pool, sizeof *st);
    const char *pat = NULL;
    size_t pn = 0;
    int rc = sl_qtext_want_string(b, call, 0, d);
    if (!rc) {
        rc = compile_arg(b, call, 1, &st->re, &pat, &pn, d);
    }
    if (rc) {
        return rc;
    }
    sl_qrelit_analyse(pool, pat, pn, false, &st->lit);
    for (size_t k = 0; k < st->lit.nalts; k++) {
        st->finder[k] = sl_qstr_finder_pool(pool, st->lit.alt[k], st->lit.altn[k], st->lit.cs);
    }
    call->state = st;
    *type = SL_TYPE_BOOL;
    return 0;
}

int sl_query__txt_matches_eval(const sl_qcall_t *call,
                               sl_qvec_t *const *args,
                               size_t n,
                               sl_qvec_t **out,
                               sl_qrt_t *rt)
{
    const mr_state_t *st = call->state;
    const sl_qvec_t *l = args[0];
    sl_qvec_t *res = sl_qvec_new(SL_TYPE_BOOL, n);
    uint8_t *m = sl_qvec_boolw(res);
    size_t ov[2];
    int rc = 0;
    if (l->konst || !st->lit.nalts) {
        /* No usable literal (or one value): the regex on every row. */
        size_t rows = l->konst ? 1 : n;
        for (size_t i = 0; i < rows && rc >= 0; i++) {
            size_t hn;
            const char *h = sl_qvec_text(l, i, &hn);
            rc = sl_qregex_match(st->re, h, hn, 0, ov, 2, rt);
            m[i] = rc == 1;
            if (i % CANCEL_EVERY == CANCEL_EVERY - 1 && sl_qrt_stopped(rt)) {
                rc = sl_diag_set(rt->d, SL_ECANCELED, "query canceled");
            }
        }
        if (l->konst) {
            memset(m, m[0], n);
        }
    } else {
        const char *data = sl_qtext_data(l);
        const uint32_t *offs = sl_qtext_offs(l);
        /* Rows holding one of the literals. */
        sl_qstr_scan_finder(st->finder[0], data, offs, n, SL_QSTR_CONTAINS, m);
        sl_buf_reset(&rt->scratch);
        sl_buf_reserve(&rt->scratch, 2 * n);
        uint8_t *tmp = (uint8_t *)rt->scratch.data, *high = tmp + n;
        for (size_t k = 1; k < st->lit.nalts; k++) {
            sl_qstr_scan_finder(st->finder[k], data, offs, n, SL_QSTR_CONTAINS, tmp);
            for (size_t i = 0; i < n; i++) {
                m[i] |= tmp[i];
            }
        }
        /* Rows with non-ASCII text may match by Unicode case folding. */
        if (st->lit.nonascii) {
            sl_qstr_scan_nonascii(data, offs, n, high);
        } else {
            memset(high, 0, n);
        }
        for (size_t i = 0; i < n && rc >= 0; i++) {
            bool candidate = m[i] || high[i];
            if (!candidate || (st->lit.exact && m[i])) {
                continue; /* decided by the scan */
            }
            const char *h = data + offs[i];
            size_t hn = offs[i + 1] - offs[i];
            rc = sl_qregex_match(st->re, h, hn, 0, ov, 2, rt);
            m[i] = rc == 1;
            if (i % CANCEL_EVERY == CANCEL_EVERY - 1 && sl_qrt_stopped(rt)) {
                rc = sl_diag_set(rt->d, SL_ECANCELED, "query canceled");
            }
        }
    }
    if (rc < 0) {
        sl_qvec_unref(res);
        return rc;
    }
    *out = res;
    return 0;
}

/* ---- extract ------------------------------------------------------------ */

typedef struct ex_state {
    sl_qregex_t *re;
    sl_type_t to; /* result type */
} ex_state_t;

/* The type named by a typeof(T) argument (the binder passes it as a
 * constant string holding the type's name). */
static int type_arg(const sl_qcall_t *call, size_t k, sl_type_t *t, sl_diag_t *d)
{
    const char *s;
    size_t n;
    if (!sl_qexpr_const_text(call->args[k], &s, &n)) {
        return sl_diag_set(d,
                           SL_ESEMANTIC,
                           "%s(): argument %zu must be a type, as typeof(long)",
                           call->fn->name,
                           k + 1);
    }
    switch (sl_query_type_parse(s, n)) {
    case SL_QUERY_TY_BOOL:
        *t = SL_TYPE_BOOL;
        return 0;
    case SL_QUERY_TY_INT:
        *t = SL_TYPE_INT;
        return 0;
    case SL_QUERY_TY_LONG:
        *t = SL_TYPE_LONG;
        return 0;
    case SL_QUERY_TY_REAL:
    case SL_QUERY_TY_DECIMAL:
        *t = SL_TYPE_REAL;
        return 0;
    case SL_QUERY_TY_STRING:
        *t = SL_TYPE_STRING;
        return 0;
    case SL_QUERY_TY_DATETIME:
        *t = SL_TYPE_DATETIME;
        return 0;
    case SL_QUERY_TY_TIMESPAN:
        *t = SL_TYPE_TIMESPAN;
        return 0;
    case SL_QUERY_TY_GUID:
        *t = SL_TYPE_GUID;
        return 0;
    case SL_QUERY_TY_DYNAMIC:
        *t = SL_TYPE_DYNAMIC;
        return 0;
    default:
        return sl_diag_set(
          d, SL_ESEMANTIC, "%s(): unknown type '%.*s'", call->fn->name, (int)SL_MIN(n, 40), s);
    }
}

int sl_query__txt_extract_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    ex_state_t *st = sl_pool_calloc(sl_qbind_pool(b), sizeof *st);
    st->to = SL_TYPE_STRING;
    int rc = compile_arg(b, call, 0, &st->re, NULL, NULL, d);
    if (!rc) {
        rc = sl_qtext_want_int(b, call, 1, "an integer capture group", d);
    }
    if (!rc) {
        rc = sl_qtext_want_string(b, call, 2, d);
    }
    if (!rc && call->nargs == 4) {
        rc = type_arg(call, 3, &st->to, d);
    }
    int64_t g;
    if (!rc && sl_qexpr_const_i64(call->args[1], &g) &&
        (g < 0 || g > (int64_t)sl_qregex_groups(st->re))) {
        rc = sl_diag_set(d,
                         SL_ESEMANTIC,
                         "extract(): capture group %lld does not exist (the regex has %u)",
                         (long long)g,
                         sl_qregex_groups(st->re));
    }
    call->state = st;
    *type = st->to;
    return rc;
}

/* Appends text s[0..n) converted to type t as row i of res (null if it does
 * not convert). Shared with no one else: extract's typeof() rules. */
static void push_converted(sl_qvec_t *res, sl_type_t t, const char *s, size_t n, bool found)
{
    if (sl_type_is_text(t)) {
        if (!found) {
            n = 0;
        }
        if (t == SL_TYPE_STRING) {
            sl_qvec_push_text(res, s, n);
        } else if (t == SL_TYPE_GUID) {
            sl_guid_t g;
            char txt[37];
            if (n && sl_guid_parse(s, n, &g) == 0) {
                sl_guid_format(&g, txt);
                sl_qvec_push_text(res, txt, 36);
            } else {
                sl_qvec_push_text(res, "", 0);
            }
        } else {
            size_t mark = res->col.data.len;
            if (n && sl_qdyn_compact(s, n, &res->col.data) != 0) {
                sl_qdyn_quote(s, n, &res->col.data);
            }
            if (res->col.data.len - mark == 4 &&
                memcmp(res->col.data.data + mark, "null", 4) == 0) {
                res->col.data.len = mark;
            }
            sl_qtext_push_end(res);
        }
        return;
    }
    bool ok = false, is_null = false;
    int64_t iv = 0;
    double dv = 0;
    char tmp[72];
    if (found && n) {
        switch (t) {
        case SL_TYPE_INT:
        case SL_TYPE_LONG:
            ok = sl_parse_i64(s, n, &iv) == 0 &&
                 (t == SL_TYPE_LONG || (iv >= INT32_MIN && iv <= INT32_MAX));
            break;
        case SL_TYPE_REAL:
            if (n < sizeof tmp) {
                memcpy(tmp, s, n);
                tmp[n] = '\0';
                char *end;
                dv = strtod(tmp, &end);
                ok = *end == '\0';
            }
            break;
        case SL_TYPE_BOOL:
            ok = true;
            if (sl_strn_ieq(s, n, "true", 4) || (n == 1 && s[0] == '1')) {
                iv = 1;
            } else if (!sl_strn_ieq(s, n, "false", 5) && !(n == 1 && s[0] == '0')) {
                ok = false;
            }
            break;
        case SL_TYPE_DATETIME:
            ok = sl_query_datetime_decode(s, n, &iv, &is_null) == 0 && !is_null;
            break;
        case SL_TYPE_TIMESPAN:
            ok = sl_query_timespan_decode(s, n, &iv, &is_null) == 0 && !is_null;
            break;
        default:
            break;
        }
    }
    if (!ok) {
        sl_qagg_push_null(res);
    } else if (t == SL_TYPE_REAL) {
        sl_qagg_push_f64(res, dv);
    } else if (t == SL_TYPE_BOOL) {
        sl_qagg_push_bool(res, iv != 0);
    } else {
        sl_qagg_push_i64(res, iv);
    }
}

int sl_query__txt_extract_eval(const sl_qcall_t *call,
                               sl_qvec_t *const *args,
                               size_t n,
                               sl_qvec_t **out,
                               sl_qrt_t *rt)
{
    const ex_state_t *st = call->state;
    uint32_t groups = sl_qregex_groups(st->re);
    size_t nov = 2 * ((size_t)groups + 1);
    size_t stack_ov[2 * 17];
    size_t *ov = nov <= SL_ARRAY_SIZE(stack_ov) ? stack_ov : sl_xmalloc(nov * sizeof *ov);
    sl_qvec_t *res = sl_qvec_new(st->to, 0);
    int rc = 0;
    for (size_t i = 0; i < n && rc >= 0; i++) {
        size_t hn;
        const char *h = sl_qvec_text(args[2], i, &hn);
        bool found = false;
        size_t a = 0, z = 0;
        if (!sl_qvec_is_null(args[1], i)) {
            int64_t g = sl_qvec_i64(args[1], i);
            rc = sl_qregex_match(st->re, h, hn, 0, ov, nov, rt);
            if (rc == 1 && g >= 0 && g <= (int64_t)groups && ov[2 * g] != SIZE_MAX) {
                found = true;
                a = ov[2 * g];
                z = ov[2 * g + 1];
            }
        }
        push_converted(res, st->to, h + a, z - a, found);
        if (i % CANCEL_EVERY == CANCEL_EVERY - 1 && sl_qrt_stopped(rt)) {
            rc = sl_diag_set(rt->d, SL_ECANCELED, "query canceled");
        }
    }
    if (ov != stack_ov) {
        sl_free(ov);
    }
    if (rc < 0) {
        sl_qvec_unref(res);
        return rc;
    }
    *out = res;
    return 0;
}

/* ---- extract_all -------------------------------------------------------- */

#define EXTRACT_ALL_MAX_GROUPS 16

typedef struct ea_state {
    sl_qregex_t *re;
    size_t nsel;
    uint32_t sel[EXTRACT_ALL_MAX_GROUPS];
} ea_state_t;

typedef struct sel_ctx {
    ea_state_t *st;
    const sl_qregex_t *re;
    const char *bad; /* the first element that names no group */
    size_t badn;
    bool too_many;
} sel_ctx_t;

static void add_sel(void *arg, const char *e, size_t en)
{
    sel_ctx_t *c = arg;
    int64_t g = -1;
    if (sl_qdyn_kind(e, en) == SL_QDYN_NUMBER) {
        if (sl_parse_i64(e, en, &g) != 0) {
            g = -1;
        }
    } else if (sl_qdyn_kind(e, en) == SL_QDYN_STRING) {
        sl_buf_t name = SL_BUF_INIT;
        if (sl_qdyn_unquote(e, en, &name)) {
            g = sl_qregex_group_index(c->re, name.data ? name.data : "");
        }
        sl_buf_dispose(&name);
    }
    if (g < 1 || g > (int64_t)sl_qregex_groups(c->re)) {
        if (!c->bad) {
            c->bad = e;
            c->badn = en;
        }
        return;
    }
    if (c->st->nsel == EXTRACT_ALL_MAX_GROUPS) {
        c->too_many = true;
        return;
    }
    c->st->sel[c->st->nsel++] = (uint32_t)g;
}

int sl_query__txt_extract_all_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    ea_state_t *st = sl_pool_calloc(sl_qbind_pool(b), sizeof *st);
    int rc = compile_arg(b, call, 0, &st->re, NULL, NULL, d);
    size_t src = call->nargs - 1;
    if (!rc) {
        rc = sl_qtext_want_string(b, call, src, d);
    }
    if (rc) {
        return rc;
    }
    uint32_t groups = sl_qregex_groups(st->re);
    if (groups < 1 || groups > EXTRACT_ALL_MAX_GROUPS) {
        return sl_diag_set(d,
                           SL_ESEMANTIC,
                           "extract_all(): the regex must contain between 1 and %d capture "
                           "groups, it has %u",
                           EXTRACT_ALL_MAX_GROUPS,
                           groups);
    }
    if (call->nargs == 3) {
        const char *s;
        size_t n;
        if (call->args[1]->type != SL_TYPE_DYNAMIC || !sl_qexpr_const_text(call->args[1], &s, &n)) {
            return sl_diag_set(d,
                               SL_ESEMANTIC,
                               "extract_all(): the capture groups must be a constant dynamic "
                               "array, as dynamic([1, \"name\"])");
        }
        sel_ctx_t c = { st, st->re, NULL, 0, false };
        bool array = sl_qtext_dyn_each(s, n, add_sel, &c);
        if (array && c.bad) {
            return sl_diag_set(d,
                               SL_ESEMANTIC,
                               "extract_all(): capture group %.*s does not exist in the regex",
                               (int)SL_MIN(c.badn, 60),
                               c.bad);
        }
        if (!array || c.too_many || !st->nsel) {
            return sl_diag_set(d,
                               SL_ESEMANTIC,
                               "extract_all(): the capture groups must be an array of 1 to %d "
                               "group numbers or names",
                               EXTRACT_ALL_MAX_GROUPS);
        }
    } else {
        for (uint32_t g = 1; g <= groups; g++) {
            st->sel[st->nsel++] = g;
        }
    }
    call->state = st;
    *type = SL_TYPE_DYNAMIC;
    return 0;
}

int sl_query__txt_extract_all_eval(const sl_qcall_t *call,
                                   sl_qvec_t *const *args,
                                   size_t n,
                                   sl_qvec_t **out,
                                   sl_qrt_t *rt)
{
    const ea_state_t *st = call->state;
    size_t nov = 2 * ((size_t)sl_qregex_groups(st->re) + 1);
    size_t ov[2 * (EXTRACT_ALL_MAX_GROUPS + 1)];
    const sl_qvec_t *src = args[call->nargs - 1];
    sl_qvec_t *res = sl_qtext_new(SL_TYPE_DYNAMIC, n, 0);
    sl_buf_t *o = &res->col.data;
    int rc = 0;
    for (size_t i = 0; i < n && rc >= 0; i++) {
        size_t hn;
        const char *h = sl_qvec_text(src, i, &hn);
        size_t mark = o->len;
        sl_qtext_rx_iter_t it = { 0, 0, false };
        bool any = false;
        while ((rc = sl_qtext_rx_next(st->re, h, hn, &it, ov, nov, rt)) == 1) {
            sl_buf_putc(o, any ? ',' : '[');
            any = true;
            if (st->nsel > 1) {
                sl_buf_putc(o, '[');
            }
            for (size_t k = 0; k < st->nsel; k++) {
                uint32_t g = st->sel[k];
                if (k) {
                    sl_buf_putc(o, ',');
                }
                size_t a = ov[2 * g], z = ov[2 * g + 1];
                if (a == SIZE_MAX) {
                    sl_buf_puts(o, "\"\"");
                } else {
                    sl_qdyn_quote(h + a, z - a, o);
                }
            }
            if (st->nsel > 1) {
                sl_buf_putc(o, ']');
            }
        }
        if (any) {
            sl_buf_putc(o, ']');
        } else {
            o->len = mark; /* no match: null */
        }
        sl_qtext_push_end(res);
        if (i % CANCEL_EVERY == CANCEL_EVERY - 1 && sl_qrt_stopped(rt)) {
            rc = sl_diag_set(rt->d, SL_ECANCELED, "query canceled");
        }
    }
    if (rc < 0) {
        sl_qvec_unref(res);
        return rc;
    }
    *out = res;
    return 0;
}

/* ---- countof ------------------------------------------------------------ */

typedef struct co_state {
    sl_qregex_t *re;           /* kind "regex" */
    const sl_qstr_finder_t *f; /* kind "normal" with a constant search */
} co_state_t;

int sl_query__txt_countof_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    co_state_t *st = sl_pool_calloc(sl_qbind_pool(b), sizeof *st);
    int rc = sl_qtext_want_string(b, call, 0, d);
    if (!rc) {
        rc = sl_qtext_want_string(b, call, 1, d);
    }
    bool regex = false;
    if (!rc && call->nargs == 3) {
        const char *k;
        size_t kn;
        rc = sl_qtext_const_arg(call, 2, "kind", &k, &kn, d);
        if (!rc && sl_strn_ieq(k, kn, "regex", 5)) {
            regex = true;
        } else if (!rc && !sl_strn_ieq(k, kn, "normal", 6)) {
            rc = sl_diag_set(d,
                             SL_ESEMANTIC,
                             "countof(): kind must be \"normal\" or \"regex\", got \"%.*s\"",
                             (int)SL_MIN(kn, 40),
                             k);
        }
    }
    if (!rc && regex) {
        rc = compile_arg(b, call, 1, &st->re, NULL, NULL, d);
    }
    const char *s;
    size_t sn;
    if (!rc && !regex && sl_qexpr_const_text(call->args[1], &s, &sn)) {
        st->f = sl_qstr_finder_pool(sl_qbind_pool(b), s, sn, true);
    }
    call->state = st;
    *type = SL_TYPE_LONG;
    return rc;
}

int sl_query__txt_countof_eval(const sl_qcall_t *call,
                               sl_qvec_t *const *args,
                               size_t n,
                               sl_qvec_t **out,
                               sl_qrt_t *rt)
{
    const co_state_t *st = call->state;
    sl_qvec_t *res = sl_qvec_new(SL_TYPE_LONG, n);
    int64_t *w = sl_qvec_i64w(res);
    int rc = 0;
    for (size_t i = 0; i < n && rc >= 0; i++) {
        size_t hn;
        const char *h = sl_qvec_text(args[0], i, &hn);
        if (st->re) {
            size_t ov[2];
            sl_qtext_rx_iter_t it = { 0, 0, false };
            int64_t k = 0;
            while ((rc = sl_qtext_rx_next(st->re, h, hn, &it, ov, 2, rt)) == 1) {
                k++;
            }
            w[i] = k;
        } else if (st->f) {
            w[i] = sl_qstr_finder_count(st->f, h, hn);
        } else {
            size_t nn;
            const char *nd = sl_qvec_text(args[1], i, &nn);
            sl_qstr_finder_t f;
            sl_qstr_finder_init(&f, nd, nn, true);
            w[i] = sl_qstr_finder_count(&f, h, hn);
            sl_qstr_finder_dispose(&f);
        }
    }
    if (rc < 0) {
        sl_qvec_unref(res);
        return rc;
    }
    *out = res;
    return 0;
}
