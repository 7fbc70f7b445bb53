/*
 * Regular expressions for `matches regex`, extract(), replace_regex() and
 * friends.
 *
 * KQL patterns are RE2 syntax; PCRE2 accepts nearly all of it (named
 * groups `(?P<n>...)`, classes, `(?i)` ...). Two RE2 guarantees PCRE2 does
 * not give are restored here: matching never runs away (a match limit and
 * a depth limit; hitting one is a clear error, not a hang) and invalid
 * UTF-8 in the data is safe (PCRE2_MATCH_INVALID_UTF).
 *
 * A pattern is compiled and JIT-compiled once per query, at bind time, and
 * then shared read-only by all scan threads. Per-thread match state (match
 * data, JIT stack, match context) lives in the thread's sl_qrt_t.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "query/query_int.h"

#include <pcre2.h>
#include <string.h>

/* Backtracking budget per match: generous for real patterns, small enough
 * that a catastrophic one fails in well under a second. */
#define RX_MATCH_LIMIT 2000000u
#define RX_DEPTH_LIMIT 20000u
#define RX_JIT_STACK_MAX (1u << 20)

struct sl_qregex {
    pcre2_code *code;
    uint32_t groups;
    bool jit;
};

struct sl_qrt_rx {
    uint32_t calls; /* matches since the last deadline check */
    pcre2_match_data *md;
    uint32_t md_pairs;
    pcre2_match_context *mc;
    pcre2_jit_stack *js;
};

static void regex_free(void *arg)
{
    sl_qregex_t *re = arg;
    pcre2_code_free(re->code);
}

int sl_qregex_compile(sl_qbind_t *b, const char *pat, size_t n, const char *flags,
                      sl_qregex_t **out, sl_diag_t *d)
{
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_UCP;
    for (const char *f = flags; f && *f; f++) {
        switch (*f) {
        case 'i':
            opts |= PCRE2_CASELESS;
            break;
        case 'm':
            opts |= PCRE2_MULTILINE;
            break;
        case 's':
            opts |= PCRE2_DOTALL;
            break;
        case 'U':
            opts |= PCRE2_UNGREEDY;
            break;
        default:
            return sl_diag_set(d, SL_ESEMANTIC, "unknown regex flag '%c' (use i, m, s or U)",
                               *f);
        }
    }
    int err;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, n, opts, &err, &off, NULL);
    if (!code) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(err, msg, sizeof msg);
        return sl_diag_set(d, SL_ESEMANTIC, "invalid regular expression \"%.*s\": %s at offset %zu",
                           (int)SL_MIN(n, 80), pat, (const char *)msg, (size_t)off);
    }
    sl_qregex_t *re = sl_pool_calloc(sl_qbind_pool(b), sizeof *re);
    re->code = code;
    re->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &re->groups);
    sl_pool_cleanup_add(sl_qbind_pool(b), regex_free, re);
    *out = re;
    return 0;
}

uint32_t sl_qregex_groups(const sl_qregex_t *re)
{
    return re->groups;
}

int sl_qregex_group_index(const sl_qregex_t *re, const char *name)
{
    int k = pcre2_substring_number_from_name(re->code, (PCRE2_SPTR)name);
    return k > 0 ? k : -1;
}

static struct sl_qrt_rx *rt_state(sl_qrt_t *rt, uint32_t pairs)
{
    struct sl_qrt_rx *x = rt->rx;
    if (!x) {
        x = sl_xcalloc(1, sizeof *x);
        x->mc = pcre2_match_context_create(NULL);
        pcre2_set_match_limit(x->mc, RX_MATCH_LIMIT);
        pcre2_set_depth_limit(x->mc, RX_DEPTH_LIMIT);
        x->js = pcre2_jit_stack_create(32 * 1024, RX_JIT_STACK_MAX, NULL);
        if (x->js)
            pcre2_jit_stack_assign(x->mc, NULL, x->js);
        rt->rx = x;
    }
    if (!x->md || x->md_pairs < pairs) {
        if (x->md)
            pcre2_match_data_free(x->md);
        x->md_pairs = pairs < 16 ? 16 : pairs;
        x->md = pcre2_match_data_create(x->md_pairs, NULL);
    }
    return x;
}

void sl_qrt_rx_free(sl_qrt_t *rt)
{
    struct sl_qrt_rx *x = rt->rx;
    if (!x)
        return;
    if (x->md)
        pcre2_match_data_free(x->md);
    if (x->js)
        pcre2_jit_stack_free(x->js);
    pcre2_match_context_free(x->mc);
    sl_free(x);
    rt->rx = NULL;
}

int sl_qregex_match(const sl_qregex_t *re, const char *s, size_t n, size_t from, size_t *ovec,
                    size_t nvec, sl_qrt_t *rt)
{
    struct sl_qrt_rx *x = rt_state(rt, re->groups + 1);
    /* A pathological pattern can take milliseconds per row: look at the
     * deadline often enough that a runaway query stops promptly. */
    if (++x->calls >= 32) {
        x->calls = 0;
        if (sl_qrt_stopped(rt))
            return sl_diag_set(rt->d, SL_ECANCELED, "query stopped");
    }
    int rc = re->jit ? pcre2_jit_match(re->code, (PCRE2_SPTR)(s ? s : ""), n, from, 0, x->md, x->mc)
                     : pcre2_match(re->code, (PCRE2_SPTR)(s ? s : ""), n, from, 0, x->md, x->mc);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0) {
        if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
            rc == PCRE2_ERROR_JIT_STACKLIMIT || rc == PCRE2_ERROR_HEAPLIMIT)
            return sl_diag_set(rt->d, SL_ELIMIT,
                               "regular expression exceeded its backtracking limit; "
                               "make the pattern more specific");
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(rc, msg, sizeof msg);
        return sl_diag_set(rt->d, SL_EINVAL, "regular expression match failed: %s",
                           (const char *)msg);
    }
    if (ovec && nvec) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(x->md);
        uint32_t have = pcre2_get_ovector_count(x->md);
        for (size_t k = 0; k < nvec / 2; k++) {
            if (k < have && k < (size_t)rc) {
                ovec[2 * k] = ov[2 * k] == PCRE2_UNSET ? SIZE_MAX : ov[2 * k];
                ovec[2 * k + 1] = ov[2 * k + 1] == PCRE2_UNSET ? SIZE_MAX : ov[2 * k + 1];
            } else {
                ovec[2 * k] = ovec[2 * k + 1] = SIZE_MAX;
            }
        }
    }
    return 1;
}
