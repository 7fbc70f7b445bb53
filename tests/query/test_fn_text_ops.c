/*
 * The binary string operators (=~ has hasprefix hassuffix contains
 * startswith endswith, with `!` and `_cs`): Kusto's documented examples,
 * term rules, case rules, empty and long needles, UTF-8, needles that vary
 * per row, and both evaluation paths (column scans and constants).
 */
#include "fn_text_test.h"

Test(query_fn_text, docs_examples_of_every_operator)
{
    /* The examples of Kusto's "String operators" page, each true. */
    static const char *const cases[][2] = {
        { "North America", "s has 'america'" },
        { "North America", "s !has 'amer'" },
        { "North America", "s has_cs 'America'" },
        { "North America", "s !has_cs 'amer'" },
        { "North America", "s hasprefix 'ame'" },
        { "North America", "s !hasprefix 'mer'" },
        { "North America", "s hasprefix_cs 'Ame'" },
        { "North America", "s !hasprefix_cs 'CA'" },
        { "North America", "s hassuffix 'ica'" },
        { "North America", "s !hassuffix 'americ'" },
        { "North America", "s hassuffix_cs 'ica'" },
        { "North America", "s !hassuffix_cs 'icA'" },
        { "FabriKam", "s contains 'BRik'" },
        { "Fabrikam", "s !contains 'xyz'" },
        { "FabriKam", "s contains_cs 'Kam'" },
        { "Fabrikam", "s !contains_cs 'Kam'" },
        { "Fabrikam", "s startswith 'fab'" },
        { "Fabrikam", "s !startswith 'kam'" },
        { "Fabrikam", "s startswith_cs 'Fab'" },
        { "Fabrikam", "s !startswith_cs 'fab'" },
        { "Fabrikam", "s endswith 'Kam'" },
        { "Fabrikam", "s !endswith 'brik'" },
        { "Fabrikam", "s endswith_cs 'kam'" },
        { "Fabrikam", "s !endswith_cs 'brik'" },
        { "abc", "s =~ 'ABC'" },
        { "aBc", "s !~ 'xyz'" },
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(cases); i++) {
        ft_both(cases[i][0], cases[i][1], "true:bool");
    }
    /* And the negations of the same tests are false. */
    ft_both("North America", "s !has 'america'", "false:bool");
    ft_both("FabriKam", "s !contains 'BRik'", "false:bool");
    ft_both("abc", "s !~ 'ABC'", "false:bool");
    ft_both("Fabrikam", "s !endswith 'Kam'", "false:bool");
}

Test(query_fn_text, has_matches_whole_terms_only)
{
    /* KQL.md §2.8: the terms of this value are Kusto, ad67d136, c1db, 4f9f,
     * 88ef, d94f3b6b0b5a and KustoExplorerQueryRun. */
    const char *v = "Kusto: ad67d136-c1db-4f9f-88ef-d94f3b6b0b5a;KustoExplorerQueryRun";
    ft_both(v, "s has 'Explorer'", "false:bool");
    ft_both(v, "s contains 'Explorer'", "true:bool");
    ft_both(v, "s has 'KustoExplorerQueryRun'", "true:bool");
    ft_both(v, "s has 'c1db'", "true:bool");
    ft_both(v, "s has 'c1d'", "false:bool");
    ft_both(v, "s hasprefix 'c1d'", "true:bool");
    ft_both(v, "s hassuffix '1db'", "true:bool");
    ft_both(v, "s hasprefix '1db'", "false:bool");
    ft_both(v, "s has 'kusto'", "true:bool");
    ft_both(v, "s has_cs 'kusto'", "false:bool");
    ft_both("KustoExplorerQueryRun", "s has 'Explorer'", "false:bool");
}

Test(query_fn_text, has_with_several_terms_needs_them_in_sequence)
{
    ft_both("src=10.1.2.3 dst=10.9.9.9", "s has '10.1.2.3'", "true:bool");
    ft_both("src=110.1.2.3", "s has '10.1.2.3'", "false:bool");
    ft_both("src=10.1.2.30", "s has '10.1.2.3'", "false:bool");
    ft_both("src=10.1.2.30", "s hasprefix '10.1.2.3'", "true:bool");
    ft_both("a-b c", "s has 'a-b'", "true:bool");
    ft_both("a b", "s has 'a-b'", "false:bool");
    /* A needle ending in a separator carries its own boundary. */
    ft_both("error: disk", "s has 'error:'", "true:bool");
    ft_both("error:disk", "s has 'error:'", "true:bool");
}

Test(query_fn_text, empty_needles_and_values)
{
    const char *ops[] = {
        "has",         "has_cs",     "hasprefix", "hassuffix",     "contains",
        "contains_cs", "startswith", "endswith",  "startswith_cs", "endswith_cs"
    };
    char expr[64];
    for (size_t i = 0; i < SL_ARRAY_SIZE(ops); i++) {
        snprintf(expr, sizeof expr, "s %s ''", ops[i]);
        ft_both("abc", expr, "true:bool");
        ft_both("", expr, "true:bool");
        snprintf(expr, sizeof expr, "s !%s ''", ops[i]);
        ft_both("abc", expr, "false:bool");
        snprintf(expr, sizeof expr, "s %s 'x'", ops[i]);
        ft_both("", expr, "false:bool");
    }
    ft_both("", "s =~ ''", "true:bool");
    ft_both("a", "s =~ ''", "false:bool");
    ft_both("", "s !~ 'a'", "true:bool");
}

Test(query_fn_text, needles_longer_than_the_value)
{
    ft_both("err", "s contains 'error'", "false:bool");
    ft_both("err", "s has 'error'", "false:bool");
    ft_both("err", "s startswith 'error'", "false:bool");
    ft_both("err", "s endswith 'xerr'", "false:bool");
    ft_both("err", "s =~ 'errr'", "false:bool");
    ft_both("err", "s !contains 'error'", "true:bool");
    /* Longer than the finder keeps inline (120 bytes). */
    char lng[400], expr[600];
    memset(lng, 'a', 300);
    lng[300] = '\0';
    lng[150] = 'B';
    snprintf(expr, sizeof expr, "s contains '%.299s'", lng + 1);
    ft_both(lng, expr, "true:bool");
    snprintf(expr, sizeof expr, "s has '%.200s'", lng);
    ft_both(lng, expr, "false:bool");
    for (int i = 0; i < 300; i++) {
        lng[i] = i == 150 ? 'b' : 'A';
    }
    snprintf(expr, sizeof expr, "s =~ '%.300s'", lng);
    memset(lng, 'a', 300);
    lng[150] = 'B';
    ft_both(lng, expr, "true:bool");
}

Test(query_fn_text, case_folding_is_ascii_only)
{
    ft_both("Café au lait", "s has 'CAFé'", "true:bool");
    ft_both("CAFÉ", "s has 'café'", "false:bool"); /* É and é differ beyond ASCII */
    ft_both("CAFÉ", "s contains 'CAFÉ'", "true:bool");
    ft_both("naïve text", "s has 'NAïVE'", "true:bool");
    ft_both("naïve text", "s has 'NAÏVE'", "false:bool");
    /* Bytes >= 0x80 belong to terms: "na" is not a whole term of "naïve". */
    ft_both("naïve text", "s has 'na'", "false:bool");
    ft_both("naïve text", "s hasprefix 'na'", "true:bool");
    ft_both("日本語 テキスト", "s has 'テキスト'", "true:bool");
    ft_both("日本語 テキスト", "s endswith 'キスト'", "true:bool");
    ft_both("Ünïcode", "s startswith_cs 'Ünï'", "true:bool");
}

Test(query_fn_text, column_results_per_row)
{
    static const char *const v[] = {
        "Failed password for root",
        "",
        "accepted PASSWORD for bob",
        "passwords differ",
        "nothing here",
    };
    sl_colset_t t;
    ft_strings(&t, v, SL_ARRAY_SIZE(v));
    et_expect(&t, "s has 'password'", "true|false|true|false|false:bool");
    et_expect(&t, "s has_cs 'password'", "true|false|false|false|false:bool");
    et_expect(&t, "s hasprefix 'pass'", "true|false|true|true|false:bool");
    et_expect(&t, "s hassuffix 'words'", "false|false|false|true|false:bool");
    et_expect(&t, "s contains 'WORD'", "true|false|true|true|false:bool");
    et_expect(&t, "s !contains_cs 'word'", "false|true|true|false|true:bool");
    et_expect(&t, "s startswith 'failed'", "true|false|false|false|false:bool");
    et_expect(&t, "s endswith 'BOB'", "false|false|true|false|false:bool");
    et_expect(&t, "s =~ 'NOTHING HERE'", "false|false|false|false|true:bool");
    et_expect(&t, "s !~ ''", "true|false|true|true|true:bool");
    sl_colset_dispose(&t);
}

Test(query_fn_text, matches_never_span_adjacent_rows)
{
    /* Rows lie back to back in one buffer ("erroror..."): a scan must not
     * report a match that crosses from one row into the next. */
    static const char *const v[] = { "err", "or", "ab", "c", "xy error", "error" };
    sl_colset_t t;
    ft_strings(&t, v, SL_ARRAY_SIZE(v));
    et_expect(&t, "s contains 'error'", "false|false|false|false|true|true:bool");
    et_expect(&t, "s contains 'rora'", "false|false|false|false|false|false:bool");
    et_expect(&t, "s has 'abc'", "false|false|false|false|false|false:bool");
    et_expect(&t, "s hassuffix 'rr'", "true|false|false|false|false|false:bool");
    et_expect(&t, "s hasprefix 'or'", "false|true|false|false|false|false:bool");
    /* A term ending a row is whole even when the next row starts with a
     * letter. */
    et_expect(&t, "s has 'err'", "true|false|false|false|false|false:bool");
    et_expect(&t, "s has 'ab'", "false|false|true|false|false|false:bool");
    sl_colset_dispose(&t);
}

Test(query_fn_text, needle_from_a_column)
{
    sl_colset_t t;
    sl_colset_init(&t);
    int s = sl_colset_add(&t, "s", SL_TYPE_STRING);
    int p = sl_colset_add(&t, "p", SL_TYPE_STRING);
    static const char *const rows[][2] = {
        { "North America", "america" },
        { "North America", "amer" },
        { "abc", "" },
        { "abc", "ABCD" },
        { "x-y z", "X-Y" },
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(rows); i++) {
        sl_col_push_text(&t.cols[s], rows[i][0], strlen(rows[i][0]));
        sl_col_push_text(&t.cols[p], rows[i][1], strlen(rows[i][1]));
        sl_colset_end_row(&t);
    }
    et_expect(&t, "s has p", "true|false|true|false|true:bool");
    et_expect(&t, "s !has p", "false|true|false|true|false:bool");
    et_expect(&t, "s contains_cs p", "false|false|true|false|false:bool");
    et_expect(&t, "s hasprefix p", "true|true|true|false|true:bool");
    et_expect(&t, "p startswith 'A'", "true|true|false|true|false:bool");
    et_expect(&t, "'North America, ABCD' contains p", "true|true|true|true|false:bool");
    et_expect(&t, "s =~ p", "false|false|false|false|false:bool");
    sl_colset_dispose(&t);
}

Test(query_fn_text, non_string_operands_use_their_text)
{
    if (!ft_have_tostring()) {
        cr_skip_test("tostring() (conversion library) is not registered in this build");
    }
    et_expect(NULL, "404 has '40'", "false:bool");
    et_expect(NULL, "404 contains '40'", "true:bool");
    et_expect(NULL, "404 startswith 4", "true:bool");
    et_expect(NULL, "true =~ 'TRUE'", "true:bool");
    et_expect(NULL, "dynamic({\"a\":\"x\"}).a has 'x'", "true:bool");
}

Test(query_fn_text, wrong_argument_counts_are_bind_errors)
{
    char *got = et_eval(NULL, "strlen()");
    cr_expect(strstr(got, "SL_ESEMANTIC") != NULL, "%s", got);
    free(got);
}
