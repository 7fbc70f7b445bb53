/*
 * Required-literal analysis of regex patterns (the matches_regex
 * prefilter): what it finds must be in every match; what it cannot be sure
 * of, it must not report.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "query/fn_text_int.h"

/* "lit1|lit2 [ci] [exact] [nonascii]" or "-" for nothing. */
static char *analyse(const char *pat)
{
    sl_pool_t *pool = sl_pool_create();
    sl_qrelit_t r;
    sl_qrelit_analyse(pool, pat, strlen(pat), false, &r);
    sl_buf_t b = SL_BUF_INIT;
    if (!r.nalts) {
        sl_buf_puts(&b, "-");
    }
    for (size_t k = 0; k < r.nalts; k++) {
        sl_buf_printf(&b, "%s%.*s", k ? "|" : "", (int)r.altn[k], r.alt[k]);
    }
    if (r.nalts && !r.cs) {
        sl_buf_puts(&b, " ci");
    }
    if (r.exact) {
        sl_buf_puts(&b, " exact");
    }
    if (r.nonascii) {
        sl_buf_puts(&b, " nonascii");
    }
    char *s = strdup(b.data);
    sl_buf_dispose(&b);
    sl_pool_destroy(pool);
    return s;
}

#define expect_lit(pat, want)                                                                      \
    do {                                                                                           \
        char *got_ = analyse(pat);                                                                 \
        cr_expect_str_eq(got_, want, "pattern %s", pat);                                           \
        free(got_);                                                                                \
    } while (0)

Test(query_fn_text_relit, finds_the_longest_required_run)
{
    expect_lit("Failed password for invalid user \\w+ from (\\d{1,3}\\.){3}\\d{1,3}",
               "Failed password for invalid user ");
    expect_lit("error", "error exact");
    expect_lit("a\\.b\\-c", "a.b-c exact");
    expect_lit("ab", "ab exact");
    expect_lit("x{2}yzw", "yzw");
    expect_lit("timeout after \\d+ ms", "timeout after ");
    expect_lit("^GET /api/v1/", "GET /api/v1/");
    expect_lit("[a-z]+@example\\.com$", "@example.com");
}

Test(query_fn_text_relit, optional_atoms_leave_the_run)
{
    expect_lit("colou?r", "colo");
    expect_lit("abcd*e", "abc");
    expect_lit("abcd{0,3}efgh", "efgh");
    expect_lit("abcd+efgh", "abcd");
    expect_lit("abcd*?efgh", "efgh");
    expect_lit("a日?bcd", "bcd");
}

Test(query_fn_text_relit, alternations)
{
    expect_lit("(exception|fatal|panic|segfault)", "exception|fatal|panic|segfault exact");
    expect_lit("(?:foo|bar)", "foo|bar exact");
    expect_lit("foo|bar", "foo|bar exact");
    expect_lit("(?i)(exception|fatal|panic|segfault)",
               "exception|fatal|panic|segfault ci exact nonascii");
    expect_lit("(foo|ba.)", "-");
    expect_lit("foo|", "-");
    expect_lit("prefix (foo|bar)", "prefix ");
    expect_lit("(foo|bar)baz", "baz");
    expect_lit("abc|d(e)f", "-");
}

Test(query_fn_text_relit, gives_up_when_unsure)
{
    expect_lit("abc(?i)def", "-");
    expect_lit("(?x)a b c", "-");
    expect_lit("\\Qabc\\E", "-");
    expect_lit("abc)", "-");
    expect_lit("ab{c", "-");
    expect_lit("", "-");
    expect_lit("\\d+", "-");
    expect_lit("(?i)école", "cole ci");
    expect_lit("(?i)éé", "-");
    expect_lit("(?i)abc école", "abc  ci");
}

Test(query_fn_text_relit, case_insensitive_literals)
{
    expect_lit("(?i)password", "password ci exact nonascii");
    expect_lit("(?i)error", "error ci exact");
    expect_lit("(?is)timeout", "timeout ci exact");
    expect_lit("(?m)^error", "error");
    expect_lit("(?i:abc)def", "def");
}
