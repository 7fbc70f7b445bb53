/*
 * Regex rewriting: replace_regex(), its deprecated alias replace(), and
 * trim(), trim_start(), trim_end().
 *
 * replace_regex(source, lookup_regex, rewrite_pattern) replaces every
 * non-overlapping match (RE2's empty-match rules, see sl_qtext_rx_next).
 * In the rewrite, \0 is the whole match and \1..\9 the groups (a group
 * that did not take part gives ""); `\\` is one backslash; any other
 * backslash is kept as written. A reference to a group the regex does not
 * have is a bind error when the rewrite is constant, "" otherwise.
 * replace(regex, rewrite, source) is the same function with the legacy
 * argument order.
 *
 * trim_start(regex, source) removes the leading run of matches of regex
 * (as many consecutive matches as there are, e.g. trim_start("-", "--x")
 * is "x"), trim_end the trailing run, trim both. They are compiled once
 * into anchored patterns: \A(?:R)+ and (?:R)+\z.
 *
 * Regexes must be constant strings (bind error otherwise).
 */
#include "query/fn_text_int.h"

#include <string.h>

#define CANCEL_EVERY 4096

/* ---- Rewrite templates -------------------------------------------------- */

/* A rewrite pattern as pieces: literal text, or a group reference. */
typedef struct piece {
    int group; /* -1: literal */
    const char *s;
    size_t n;
} piece_t;

typedef struct tmpl {
    size_t n;
    piece_t *p;
    int max_group;
} tmpl_t;

/* Pieces a rewrite of a row can use without allocating. */
#define TMPL_STACK 32

/* Parses a rewrite into t. The pieces go into `pool`; without a pool into
 * `stack` (TMPL_STACK pieces) when they fit, else the heap (tmpl_free). */
static void tmpl_parse(sl_pool_t *pool, piece_t *stack, const char *s, size_t n, tmpl_t *t)
{
    size_t cap = 1;
    for (size_t i = 0; i < n; i++) {
        cap += s[i] == '\\';
    }
    cap = 2 * cap + 1;
    if (pool) {
        t->p = sl_pool_alloc(pool, cap * sizeof *t->p);
    } else {
        t->p = cap <= TMPL_STACK ? stack : sl_xmalloc(cap * sizeof *t->p);
    }
    t->n = 0;
    t->max_group = -1;
    size_t lit = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\' || i + 1 >= n) {
            continue;
        }
        char c = s[i + 1];
        if (c >= '0' && c <= '9') {
            if (i > lit) {
                t->p[t->n++] = (piece_t){ -1, s + lit, i - lit };
            }
            t->p[t->n++] = (piece_t){ c - '0', NULL, 0 };
            t->max_group = SL_MAX(t->max_group, c - '0');
            lit = i + 2;
            i++;
        } else if (c == '\\') {
            /* "\\" stands for one backslash: keep the first, drop the
             * second. */
            t->p[t->n++] = (piece_t){ -1, s + lit, i + 1 - lit };
            lit = i + 2;
            i++;
        }
    }
    if (n > lit) {
        t->p[t->n++] = (piece_t){ -1, s + lit, n - lit };
    }
}

static void tmpl_apply(const tmpl_t *t,
                       const char *h,
                       const size_t *ov,
                       uint32_t groups,
                       sl_buf_t *o)
{
    for (size_t k = 0; k < t->n; k++) {
        const piece_t *p = &t->p[k];
        if (p->group < 0) {
            sl_buf_append(o, p->s, p->n);
        } else if ((uint32_t)p->group <= groups && ov[2 * p->group] != SIZE_MAX) {
            sl_buf_append(o, h + ov[2 * p->group], ov[2 * p->group + 1] - ov[2 * p->group]);
        }
    }
}

/* ---- replace_regex / replace -------------------------------------------- */

typedef struct rr_state {
    sl_qregex_t *re;
    size_t src, rw; /* argument positions */
    tmpl_t tmpl;    /* when the rewrite is constant */
    bool const_rw;
} rr_state_t;

int sl_query__txt_replace_regex_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    sl_pool_t *pool = sl_qbind_pool(b);
    rr_state_t *st = sl_pool_calloc(pool, sizeof *st);
    bool legacy = strcmp(call->fn->name, "replace") == 0;
    size_t rx = legacy ? 0 : 1;
    st->src = legacy ? 2 : 0;
    st->rw = legacy ? 1 : 2;
    int rc = sl_qtext_want_string(b, call, st->src, d);
    if (!rc) {
        rc = sl_qtext_want_string(b, call, st->rw, d);
    }
    const char *s;
    size_t n;
    if (!rc) {
        rc = sl_qtext_const_arg(call, rx, "regex", &s, &n, d);
    }
    if (!rc) {
        rc = sl_qregex_compile(b, s, n, NULL, &st->re, d);
        if (rc) {
            sl_diag_prefix(d, "%s()", call->fn->name);
        }
    }
    if (rc) {
        return rc;
    }
    if (sl_qexpr_const_text(call->args[st->rw], &s, &n)) {
        st->const_rw = true;
        tmpl_parse(pool, NULL, s, n, &st->tmpl);
        if (st->tmpl.max_group > (int)sl_qregex_groups(st->re)) {
            return sl_diag_set(d,
                               SL_ESEMANTIC,
                               "%s(): the rewrite refers to group \\%d but the regex has %u",
                               call->fn->name,
                               st->tmpl.max_group,
                               sl_qregex_groups(st->re));
        }
    }
    call->state = st;
    *type = SL_TYPE_STRING;
    return 0;
}

int sl_query__txt_replace_regex_eval(const sl_qcall_t *call,
                                     sl_qvec_t *const *args,
                                     size_t n,
                                     sl_qvec_t **out,
                                     sl_qrt_t *rt)
{
    const rr_state_t *st = call->state;
    uint32_t groups = sl_qregex_groups(st->re);
    size_t nov = 2 * ((size_t)groups + 1);
    size_t stack_ov[2 * 17];
    size_t *ov = nov <= SL_ARRAY_SIZE(stack_ov) ? stack_ov : sl_xmalloc(nov * sizeof *ov);
    const sl_qvec_t *src = args[st->src];
    sl_qvec_t *res = sl_qtext_new(SL_TYPE_STRING, n, src->konst ? 0 : src->col.data.len);
    sl_buf_t *o = &res->col.data;
    int rc = 0;
    for (size_t i = 0; i < n && rc >= 0; i++) {
        size_t hn;
        const char *h = sl_qvec_text(src, i, &hn);
        tmpl_t local;
        piece_t stack[TMPL_STACK];
        const tmpl_t *t = &st->tmpl;
        if (!st->const_rw) {
            size_t rn;
            const char *r = sl_qvec_text(args[st->rw], i, &rn);
            tmpl_parse(NULL, stack, r, rn, &local);
            t = &local;
        }
        sl_qtext_rx_iter_t it = { 0, 0, false };
        size_t copied = 0;
        while ((rc = sl_qtext_rx_next(st->re, h, hn, &it, ov, nov, rt)) == 1) {
            sl_buf_append(o, h + copied, ov[0] - copied);
            tmpl_apply(t, h, ov, groups, o);
            copied = ov[1];
        }
        sl_buf_append(o, h + copied, hn - copied);
        sl_qtext_push_end(res);
        if (t == &local && local.p != stack) {
            sl_free(local.p);
        }
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

/* ---- trim, trim_start, trim_end ----------------------------------------- */

typedef struct tr_state {
    sl_qregex_t *start; /* \A(?:R)+, or NULL */
    sl_qregex_t *end;   /* (?:R)+\z, or NULL */
} tr_state_t;

static int compile_wrapped(sl_qbind_t *b,
                           const sl_qcall_t *call,
                           const char *pre,
                           const char *pat,
                           size_t n,
                           const char *post,
                           sl_qregex_t **re,
                           sl_diag_t *d)
{
    /* The user's pattern alone first, so that its errors point into it. */
    sl_qregex_t *plain;
    int rc = sl_qregex_compile(b, pat, n, NULL, &plain, d);
    if (!rc) {
        char *full = sl_pool_printf(sl_qbind_pool(b), "%s%.*s%s", pre, (int)n, pat, post);
        rc = sl_qregex_compile(b, full, strlen(full), NULL, re, d);
    }
    if (rc) {
        sl_diag_prefix(d, "%s()", call->fn->name);
    }
    return rc;
}

int sl_query__txt_trim_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    const char *name = call->fn->name;
    tr_state_t *st = sl_pool_calloc(sl_qbind_pool(b), sizeof *st);
    const char *s;
    size_t n;
    int rc = sl_qtext_const_arg(call, 0, "regex", &s, &n, d);
    if (!rc) {
        rc = sl_qtext_want_string(b, call, 1, d);
    }
    if (!rc && strcmp(name, "trim_end") != 0) {
        rc = compile_wrapped(b, call, "\\A(?:", s, n, ")+", &st->start, d);
    }
    if (!rc && strcmp(name, "trim_start") != 0) {
        rc = compile_wrapped(b, call, "(?:", s, n, ")+\\z", &st->end, d);
    }
    call->state = st;
    *type = SL_TYPE_STRING;
    return rc;
}

int sl_query__txt_trim_eval(const sl_qcall_t *call,
                            sl_qvec_t *const *args,
                            size_t n,
                            sl_qvec_t **out,
                            sl_qrt_t *rt)
{
    const tr_state_t *st = call->state;
    const sl_qvec_t *src = args[1];
    sl_qvec_t *res = sl_qtext_new(SL_TYPE_STRING, n, src->konst ? 0 : src->col.data.len);
    int rc = 0;
    for (size_t i = 0; i < n && rc >= 0; i++) {
        size_t hn, ov[2];
        const char *h = sl_qvec_text(src, i, &hn);
        size_t a = 0, z = hn;
        if (st->start && (rc = sl_qregex_match(st->start, h, hn, 0, ov, 2, rt)) == 1) {
            a = ov[1];
        }
        if (rc >= 0 && st->end && a < hn &&
            (rc = sl_qregex_match(st->end, h, hn, a, ov, 2, rt)) == 1) {
            z = ov[0];
        }
        sl_qvec_push_text(res, h + a, z - a);
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
