/*
 * tolower() and toupper().
 *
 * Kusto converts case with .NET's invariant culture, i.e. Unicode's simple
 * (one character to one character) case mappings: tolower("ÉCOLE") is
 * "école", toupper("straße") is "STRASSE" only under full mappings, which
 * .NET's invariant culture does not apply ("STRAßE"). We get the same
 * simple mappings from the C library's "C.UTF-8" locale (towlower_l /
 * towupper_l), opened once per call site at bind time with newlocale(), so
 * nothing depends on the process locale and nothing global changes.
 *
 * ASCII bytes take a table-free fast path; only bytes >= 0x80 are decoded.
 * Bytes that are not valid UTF-8 are copied unchanged. If the locale is
 * unavailable, non-ASCII characters are copied unchanged (ASCII only).
 */
#include "query/fn_text_int.h"

#include <locale.h>
#include <string.h>
#include <wctype.h>

typedef struct case_state {
    bool upper;
    locale_t loc; /* (locale_t)0 if C.UTF-8 could not be opened */
} case_state_t;

static void close_locale(void *arg)
{
    case_state_t *st = arg;
    if (st->loc) {
        freelocale(st->loc);
    }
}

int sl_query__txt_case_bind(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d)
{
    sl_pool_t *pool = sl_qbind_pool(b);
    case_state_t *st = sl_pool_calloc(pool, sizeof *st);
    st->upper = strcmp(call->fn->name, "toupper") == 0;
    st->loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    if (st->loc) {
        sl_pool_cleanup_add(pool, close_locale, st);
    }
    call->state = st;
    *type = SL_TYPE_STRING;
    return sl_qtext_want_string(b, call, 0, d);
}

/* Converts s into o. */
static void convert(const case_state_t *st, const char *s, size_t n, sl_buf_t *o)
{
    sl_buf_reserve(o, n);
    size_t i = 0;
    while (i < n) {
        /* ASCII run: converted in place in the output. */
        size_t run = i;
        while (run < n && (unsigned char)s[run] < 0x80) {
            run++;
        }
        if (run > i) {
            sl_buf_reserve(o, run - i);
            char *w = o->data + o->len;
            if (st->upper) {
                for (size_t k = i; k < run; k++) {
                    unsigned char c = (unsigned char)s[k];
                    w[k - i] = (char)((unsigned char)(c - 'a') < 26 ? c - 32 : c);
                }
            } else {
                for (size_t k = i; k < run; k++) {
                    w[k - i] = (char)sl_qstr_lower1((unsigned char)s[k]);
                }
            }
            o->len += run - i;
            i = run;
            continue;
        }
        uint32_t cp;
        size_t k = sl_qutf8_decode(s + i, n - i, &cp);
        if (!k) {
            sl_buf_putc(o, s[i]);
            i++;
            continue;
        }
        if (st->loc) {
            wint_t m =
              st->upper ? towupper_l((wint_t)cp, st->loc) : towlower_l((wint_t)cp, st->loc);
            if (m != WEOF && m > 0 && m <= 0x10FFFF && !(m >= 0xD800 && m < 0xE000)) {
                cp = (uint32_t)m;
            }
        }
        sl_qutf8_put(o, cp);
        i += k;
    }
    o->data[o->len] = '\0';
}

int sl_query__txt_case_eval(const sl_qcall_t *call,
                            sl_qvec_t *const *args,
                            size_t n,
                            sl_qvec_t **out,
                            sl_qrt_t *rt)
{
    const sl_qvec_t *src = args[0];
    sl_qvec_t *res = sl_qtext_new(SL_TYPE_STRING, n, src->konst ? 0 : src->col.data.len);
    for (size_t i = 0; i < n; i++) {
        size_t sn;
        const char *s = sl_qvec_text(src, i, &sn);
        convert(call->state, s, sn, &res->col.data);
        sl_qtext_push_end(res);
    }
    *out = res;
    return 0;
}
