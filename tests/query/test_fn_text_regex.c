/*
 * Regex functions: matches regex (with and without its literal
 * prefilter), extract, extract_all, replace_regex / replace, trim*,
 * countof(..., "regex"); bad patterns (bind errors) and runaway patterns
 * (SL_ELIMIT at run time, not a hang).
 */
#include "fn_text_test.h"

static const char *const logs[] = {
    "Failed password for invalid user admin from 10.0.0.1 port 22",
    "Failed password for root from 10.0.0.2 port 22",
    "",
    "kernel: segfault at 0 ip 00007f",
    "java.lang.NullPointerException at Foo.bar",
    "FATAL: could not open file",
    "Accepted publickey for bob",
};

Test(query_fn_text_regex, matches_regex_over_a_column)
{
    sl_colset_t t;
    ft_strings(&t, logs, SL_ARRAY_SIZE(logs));
    /* A required literal: rows without it never reach the regex. */
    et_expect(
      &t,
      "s matches regex @'Failed password for invalid user \\w+ from (\\d{1,3}\\.){3}\\d{1,3}'",
      "true|false|false|false|false|false|false:bool");
    /* Nothing but literals: decided by the scans alone. */
    et_expect(&t,
              "s matches regex @'(?i)(exception|fatal|panic|segfault)'",
              "false|false|false|true|true|true|false:bool");
    et_expect(&t,
              "s matches regex @'(exception|fatal|panic|segfault)'",
              "false|false|false|true|false|false|false:bool");
    et_expect(&t, "s matches regex 'port 22'", "true|true|false|false|false|false|false:bool");
    /* No usable literal: the regex on every row. */
    et_expect(&t, "s matches regex @'^\\w+:'", "false|false|false|true|false|true|false:bool");
    et_expect(&t, "s matches regex ''", "true|true|true|true|true|true|true:bool");
    et_expect(
      &t, "s matches regex @'for (root|bob)$'", "false|false|false|false|false|false|true:bool");
    sl_colset_dispose(&t);
    ft_both("Fabrikam", "s matches regex 'b.*k'", "true:bool");
    ft_both("Fabrikam", "s matches regex 'B.*K'", "false:bool");
    ft_both("Fabrikam", "s matches regex '(?i)B.*K'", "true:bool");
}

Test(query_fn_text_regex, case_insensitive_literals_respect_unicode_folding)
{
    /* (?i) folds by Unicode rules: KELVIN SIGN matches k and LONG S
     * matches s, which an ASCII scan for "kiss" would miss. */
    static const char *const v[] = { "KISS", "\xe2\x84\xaaI\xc5\xbf\xc5\xbf", "kis", "ÉCOLE" };
    sl_colset_t t;
    ft_strings(&t, v, SL_ARRAY_SIZE(v));
    et_expect(&t, "s matches regex '(?i)kiss'", "true|true|false|false:bool");
    et_expect(&t, "s matches regex '(?i)(kiss|kit)'", "true|true|false|false:bool");
    et_expect(&t, "s matches regex '(?i)école'", "false|false|false|true:bool");
    et_expect(&t, "s matches regex '(?i)xécolex|école'", "false|false|false|true:bool");
    sl_colset_dispose(&t);
}

Test(query_fn_text_regex, bad_patterns_fail_at_bind_time)
{
    static const char *const exprs[] = {
        "'x' matches regex '(a'",        "extract('[a', 0, 'x')", "extract_all('(a', 'x')",
        "replace_regex('x', 'a)', 'b')", "trim('(', 'x')",        "countof('x', '(', 'regex')",
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(exprs); i++) {
        char *got = et_eval(NULL, exprs[i]);
        cr_expect(strstr(got, "ERROR SL_ESEMANTIC") && strstr(got, "invalid regular expression"),
                  "%s -> %s",
                  exprs[i],
                  got);
        free(got);
    }
    sl_colset_t t;
    ft_strings(&t, logs, 2);
    char *got = et_eval(&t, "'x' matches regex s");
    cr_expect(strstr(got, "SL_ESEMANTIC") && strstr(got, "constant"), "%s", got);
    free(got);
    sl_colset_dispose(&t);
}

Test(query_fn_text_regex, runaway_backtracking_is_a_limit_error)
{
    static const char *const exprs[] = {
        "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!' matches regex '(a+)+$'",
        "extract('(a|aa)+$', 0, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!')",
        "replace_regex('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', '(a*)*$', 'x')",
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(exprs); i++) {
        char *got = et_eval(NULL, exprs[i]);
        cr_expect(strstr(got, "ERROR SL_ELIMIT"), "%s -> %s", exprs[i], got);
        free(got);
    }
    /* The same over a column (the vectorised path). */
    static const char *const v[] = { "ok",
                                     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!" };
    sl_colset_t t;
    ft_strings(&t, v, 2);
    char *got = et_eval(&t, "s matches regex '(a+)+$'");
    cr_expect(strstr(got, "ERROR SL_ELIMIT"), "%s", got);
    free(got);
    sl_colset_dispose(&t);
}

Test(query_fn_text_regex, extract_groups_and_types)
{
    ft_both("User: James, Email: James@example.com, Age: 29",
            "extract('User: ([^,]+)', 1, s)",
            "James:string");
    ft_both("User: James, Email: James@example.com, Age: 29",
            "extract(@'Email: (\\S+),', 1, s)",
            "James@example.com:string");
    ft_both("User: David, Age: 35", "extract(@'Email: (\\S+),', 1, s)", ":string");
    ft_both("User: David, Age: 35", "extract(@'\\d+', 0, s)", "35:string");
    ft_both("123456", "extract('^.{2,2}(.{4,4})', 1, s)", "3456:string");
    ft_both("ab", "extract('(x)?b', 1, s)", ":string");
    char *got = et_eval(NULL, "extract('(a)', 2, 'a')");
    cr_expect(strstr(got, "SL_ESEMANTIC") && strstr(got, "group 2"), "%s", got);
    free(got);
    sl_colset_t t;
    static const char *const v[] = { "15-12-2024", "21-07-2023", "x" };
    ft_strings(&t, v, 3);
    et_expect(&t, "extract(@'-(\\d{2})-', 1, s)", "12|07|:string");
    sl_colset_dispose(&t);
}

Test(query_fn_text_regex, extract_converts_to_the_requested_type)
{
    /* The binder passes typeof(T) to extract as a constant naming T. */
    et_expect(NULL,
              "extract(@'Duration=([0-9.]+)', 1, 'A=1, Duration=123.45, ...', 'real')",
              "123.45:real");
    et_expect(NULL, "extract(@'-(\\d{2})-', 1, '21-07-2023', 'int')", "7:int");
    et_expect(NULL, "extract(@'(\\d+)', 1, 'n=99999999999', 'int')", "null:int");
    et_expect(NULL, "extract(@'(\\d+)', 1, 'n=99999999999', 'long')", "99999999999:long");
    et_expect(NULL, "extract(@'(\\w+)', 1, 'none', 'long')", "null:long");
    et_expect(NULL, "extract(@'(x)', 1, 'none', 'long')", "null:long");
    et_expect(NULL,
              "extract(@'at (\\S+)', 1, 'at 2024-01-02T03:04:05Z', 'datetime')",
              "2024-01-02T03:04:05Z:datetime");
    et_expect(NULL,
              "extract(@'took (\\S+)', 1, 'took 00:00:01.5', 'timespan')",
              "00:00:01.5000000:timespan");
    et_expect(NULL, "extract(@'ok=(\\w+)', 1, 'ok=TRUE', 'bool')", "true:bool");
    et_expect(
      NULL, "extract(@'(\\{.*\\})', 1, 'x {\"a\": [1, 2]} y', 'dynamic')", "{\"a\":[1,2]}:dynamic");
    et_expect(NULL,
              "extract(@'id=(\\S+)', 1, 'id=74BE27DE-1E4E-49D9-B579-FE0B331D3642', 'guid')",
              "74be27de-1e4e-49d9-b579-fe0b331d3642:guid");
}

Test(query_fn_text_regex, extract_all_docs_examples)
{
    et_expect(NULL,
              "extract_all(@'(\\d+)', 'a set of numbers: 123, 567 and 789')",
              "[\"123\",\"567\",\"789\"]:dynamic");
    const char *id = "82b8be2d-dfa7-4bd1-8f63-24ad26d31449";
    ft_both(id,
            "extract_all(@'([\\da-f]{2})', s)",
            "[\"82\",\"b8\",\"be\",\"2d\",\"df\",\"a7\",\"4b\",\"d1\",\"8f\",\"63\",\"24\",\"ad\","
            "\"26\",\"d3\",\"14\",\"49\"]:dynamic");
    ft_both(
      id,
      "extract_all(@'(\\w)(\\w+)(\\w)', s)",
      "[[\"8\",\"2b8be2\",\"d\"],[\"d\",\"fa\",\"7\"],[\"4\",\"bd\",\"1\"],[\"8\",\"f6\",\"3\"],"
      "[\"2\",\"4ad26d3144\",\"9\"]]:dynamic");
    ft_both(id,
            "extract_all(@'(\\w)(\\w+)(\\w)', dynamic([1, 3]), s)",
            "[[\"8\",\"d\"],[\"d\",\"7\"],[\"4\",\"1\"],[\"8\",\"3\"],[\"2\",\"9\"]]:dynamic");
    ft_both(id,
            "extract_all(@'(?P<first>\\w)(\\w+)(?P<last>\\w)', dynamic(['first', 'last']), s)",
            "[[\"8\",\"d\"],[\"d\",\"7\"],[\"4\",\"1\"],[\"8\",\"3\"],[\"2\",\"9\"]]:dynamic");
    ft_both("no digits", "extract_all(@'(\\d)', s)", ":dynamic");
    et_expect(NULL, "array_length(extract_all(@'(\\d)', 'x'))", "null:long");
    char *got = et_eval(NULL, "extract_all(@'\\d+', 'x1')");
    cr_expect(strstr(got, "SL_ESEMANTIC") && strstr(got, "capture groups"), "%s", got);
    free(got);
    got = et_eval(NULL, "extract_all(@'(\\d)', dynamic([2]), 'x1')");
    cr_expect(strstr(got, "SL_ESEMANTIC") && strstr(got, "does not exist"), "%s", got);
    free(got);
}

Test(query_fn_text_regex, replace_regex_and_legacy_replace)
{
    sl_colset_t t;
    static const char *const v[] = { "Number is 1", "Number is 22", "none" };
    ft_strings(&t, v, 3);
    et_expect(&t,
              "replace_regex(s, @'is (\\d+)', @'was: \\1')",
              "Number was: 1|Number was: 22|none:string");
    et_expect(
      &t, "replace(@'is (\\d+)', @'was: \\1', s)", "Number was: 1|Number was: 22|none:string");
    et_expect(
      &t, "replace_regex(s, @'\\d', @'<\\0>')", "Number is <1>|Number is <2><2>|none:string");
    sl_colset_dispose(&t);
    /* RE2's empty-match rules. */
    et_expect(NULL, "replace_regex('abc', 'x*', '-')", "-a-b-c-:string");
    et_expect(NULL, "replace_regex('abc', 'b*', '-')", "-a-c-:string");
    et_expect(NULL, "replace_regex('', 'x*', '-')", "-:string");
    et_expect(NULL, "replace_regex('日本', '', '.')", ".日.本.:string");
    et_expect(NULL, "replace_regex('a.b', @'\\.', @'\\\\')", "a\\b:string");
    et_expect(NULL, "replace_regex('ab', '(x)?b', @'[\\1]')", "a[]:string");
    char *got = et_eval(NULL, "replace_regex('ab', '(a)', @'\\2')");
    cr_expect(strstr(got, "SL_ESEMANTIC") && strstr(got, "\\2"), "%s", got);
    free(got);
}

Test(query_fn_text_regex, rewrite_from_a_column)
{
    sl_colset_t t;
    sl_colset_init(&t);
    int s = sl_colset_add(&t, "s", SL_TYPE_STRING);
    int p = sl_colset_add(&t, "p", SL_TYPE_STRING);
    static const char *const rows[][2] = {
        { "abcb", "<\\1>" },
        { "bb", "" },
        { "xbx", "\\0\\0\\\\" },
        { "b", "1\\12\\13\\14\\15\\16\\17\\18\\19\\1a\\1b\\1c\\1d\\1e\\1f\\1g\\1h\\1" },
        { "b", "[\\2]" }, /* a group the regex lacks: "" */
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(rows); i++) {
        sl_col_push_text(&t.cols[s], rows[i][0], strlen(rows[i][0]));
        sl_col_push_text(&t.cols[p], rows[i][1], strlen(rows[i][1]));
        sl_colset_end_row(&t);
    }
    /* The last rewrite has more pieces than fit on the stack. */
    et_expect(&t,
              "replace_regex(s, '(b)', p)",
              "a<b>c<b>||xbb\\x|1b2b3b4b5b6b7b8b9babbbcbdbebfbgbhb|[]:string");
    sl_colset_dispose(&t);
}

Test(query_fn_text_regex, trim_functions)
{
    ft_both("https://bing.com", "trim_start('https://', s)", "bing.com:string");
    ft_both("- Te st1// $", "trim_start(@'[^\\w]+', s)", "Te st1// $:string");
    ft_both(" Hello, world! ", "trim_start(@'[ \\t]+', s)", "Hello, world! :string");
    ft_both("--https://bing.com--", "trim('--', s)", "https://bing.com:string");
    ft_both("- Te st1// $", "trim(@'[^\\w]+', s)", "Te st1:string");
    ft_both("https://bing.com", "trim_end('.com', s)", "https://bing:string");
    ft_both(" Hello, world!  ", "trim_end(@'[ \\t]+', s)", " Hello, world!:string");
    ft_both("----x--", "trim_start('-', s)", "x--:string");
    ft_both("----", "trim('-', s)", ":string");
    ft_both("", "trim('-', s)", ":string");
    ft_both("abc", "trim('x*', s)", "abc:string");
}

Test(query_fn_text_regex, countof_regex_does_not_overlap)
{
    et_expect(NULL, "countof('ababa', 'aba', 'regex')", "1:long");
    et_expect(NULL, "countof('abcabc', 'a.c', 'regex')", "2:long");
    et_expect(NULL, "countof('abcdefedcba', '[abc]', 'regex')", "6:long");
    et_expect(NULL, "countof('abc1234abcd1234', '[0-9]+', 'regex')", "2:long");
    et_expect(NULL, "countof('abc', 'x*', 'regex')", "4:long");
    sl_colset_t t;
    ft_strings(&t, logs, 3);
    et_expect(&t, "countof(s, @'\\d+', 'regex')", "5|5|0:long");
    sl_colset_dispose(&t);
}
