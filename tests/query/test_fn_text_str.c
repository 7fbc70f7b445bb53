/*
 * String functions: strcat, strcat_delim, strcat_array, split, strlen,
 * substring, reverse, tolower/toupper, indexof, countof (plain),
 * replace_string, isascii, isutf8 — Kusto's documented examples, UTF-8
 * characters, empty values, and both evaluation paths.
 */
#include "fn_text_test.h"

Test(query_fn_text_str, strcat_and_strcat_delim)
{
    ft_both("b", "strcat('a', s, 'c')", "abc:string");
    ft_both("", "strcat(s)", ":string");
    ft_both("b", "strcat_delim('-', 'a', s, 'c')", "a-b-c:string");
    ft_both("", "strcat_delim('::', s, s)", ":::string");
    sl_colset_t t;
    static const char *const v[] = { "x", "", "yz" };
    ft_strings(&t, v, 3);
    et_expect(&t, "strcat(s, '|', s)", "x|x|||yz|yz:string");
    et_expect(&t, "strcat_delim(s, 'a', 'b')", "axb|ab|ayzb:string");
    sl_colset_dispose(&t);
    char *got = et_eval(NULL, "strcat_delim('-', 'a')");
    cr_expect(strstr(got, "SL_ESEMANTIC"), "%s", got);
    free(got);
}

Test(query_fn_text_str, strcat_converts_other_types)
{
    if (!ft_have_tostring()) {
        cr_skip_test("tostring() (conversion library) is not registered in this build");
    }
    et_expect(NULL, "strcat('a', 1, true, 1.5)", "a1true1.5:string");
    et_expect(NULL, "strcat('a', long(null), 'b')", "ab:string");
    et_expect(NULL, "strcat_delim(',', 1, 2)", "1,2:string");
}

Test(query_fn_text_str, strcat_array_joins_elements)
{
    et_expect(NULL, "strcat_array(dynamic([1, 2, 3]), '->')", "1->2->3:string");
    et_expect(NULL, "strcat_array(dynamic(['a', 'b']), '')", "ab:string");
    et_expect(NULL, "strcat_array(dynamic(['a', null, {\"k\":1}]), ',')", "a,,{\"k\":1}:string");
    et_expect(NULL, "strcat_array(dynamic([]), ',')", ":string");
    et_expect(NULL, "strcat_array(dynamic({\"a\":1}), ',')", ":string");
}

Test(query_fn_text_str, split_docs_examples)
{
    et_expect(NULL, "split('aa_bb', '_')", "[\"aa\",\"bb\"]:dynamic");
    et_expect(NULL, "split('aaa_bbb_ccc', '_', 1)", "[\"bbb\"]:dynamic");
    et_expect(NULL, "split('', '_')", "[\"\"]:dynamic");
    et_expect(NULL, "split('a__b', '_')", "[\"a\",\"\",\"b\"]:dynamic");
    et_expect(NULL, "split('aabbcc', 'bb')", "[\"aa\",\"cc\"]:dynamic");
    et_expect(NULL, "split('aaa_bbb_ccc', '_', 3)", "[]:dynamic");
    et_expect(NULL, "split('aaa_bbb_ccc', '_', -1)", "[]:dynamic");
    et_expect(NULL, "split('abc', '')", "[\"abc\"]:dynamic");
    et_expect(NULL, "split('a\"b', '\"')", "[\"a\",\"b\"]:dynamic");
    sl_colset_t t;
    static const char *const v[] = { "GET /a/b", "", "/" };
    ft_strings(&t, v, 3);
    et_expect(&t, "split(s, '/')", "[\"GET \",\"a\",\"b\"]|[\"\"]|[\"\",\"\"]:dynamic");
    et_expect(&t, "split(s, '/')[1]", "a||:dynamic");
    et_expect(&t, "split(s, '/', 2)", "[\"b\"]|[]|[]:dynamic");
    sl_colset_dispose(&t);
}

Test(query_fn_text_str, strlen_counts_characters)
{
    ft_both("hello", "strlen(s)", "5:long");
    ft_both("", "strlen(s)", "0:long");
    ft_both("⒦⒰⒮⒯⒪", "strlen(s)", "5:long");
    ft_both("Çedilla", "strlen(s)", "7:long");
    ft_both("日本語abc", "strlen(s)", "6:long");
    /* A stray byte that is not UTF-8 counts as a character of its own. */
    sl_colset_t t;
    static const char *const bad[] = { "\xc3", "a\xff\xfe", "\x80x" };
    ft_strings(&t, bad, 3);
    et_expect(&t, "strlen(s)", "1|3|2:long");
    et_expect(&t, "isutf8(s)", "false|false|false:bool");
    et_expect(&t, "strlen(toupper(s))", "1|3|2:long");
    et_expect(&t, "reverse(s) == s", "true|false|false:bool");
    sl_colset_dispose(&t);
}

Test(query_fn_text_str, substring_docs_examples)
{
    ft_both("123456", "substring(s, 1)", "23456:string");
    ft_both("123456", "substring(s, 2, 2)", "34:string");
    ft_both("ABCD", "substring(s, 0, 2)", "AB:string");
    ft_both("123456", "substring(s, -2, 2)", "56:string");
    ft_both("123456", "substring(s, -10, 2)", "12:string");
    ft_both("123456", "substring(s, 10)", ":string");
    ft_both("123456", "substring(s, 1, 0)", ":string");
    ft_both("123456", "substring(s, 1, -1)", ":string");
    ft_both("123456", "substring(s, 4, 100)", "56:string");
    ft_both("日本語テキスト", "substring(s, 2, 3)", "語テキ:string");
    ft_both("日本語テキスト", "substring(s, -1)", "ト:string");
    et_expect(NULL, "substring('abc', long(null))", ":string");
}

Test(query_fn_text_str, reverse_keeps_characters_whole)
{
    ft_both("abc", "reverse(s)", "cba:string");
    ft_both("", "reverse(s)", ":string");
    ft_both("añb日", "reverse(s)", "日bña:string");
}

Test(query_fn_text_str, tolower_toupper_are_unicode_aware)
{
    ft_both("Hello World", "tolower(s)", "hello world:string");
    ft_both("Hello World", "toupper(s)", "HELLO WORLD:string");
    ft_both("ÉCOLE Ünï", "tolower(s)", "école ünï:string");
    ft_both("straße", "toupper(s)", "STRAßE:string");
    ft_both("ΑΒΓ", "tolower(s)", "αβγ:string");
    ft_both("", "toupper(s)", ":string");
    ft_both("a1-_", "toupper(s)", "A1-_:string");
}

Test(query_fn_text_str, indexof_docs_examples)
{
    et_expect(NULL, "indexof('abcdefg', 'cde')", "2:long");
    et_expect(NULL, "indexof('abcdefg', 'cde', 1, 4)", "2:long");
    et_expect(NULL, "indexof('abcdefg', 'cde', 1, 2)", "-1:long");
    et_expect(NULL, "indexof('abcdefg', 'cde', 3, 4)", "-1:long");
    et_expect(NULL, "indexof('abcdefg', 'cde', -5)", "2:long");
    et_expect(NULL, "indexof('abcdefg', 'cde', 2, -1)", "2:long");
    et_expect(NULL, "indexof('abcdefgabcdefg', 'cde', 1, 10, 2)", "9:long");
    et_expect(NULL, "indexof('abcdefgabcdefg', 'cde', 1, -1, 3)", "-1:long");
    et_expect(NULL, "indexof('abcdefg', 'cde', 1, -2)", "null:long");
    et_expect(NULL, "indexof('abcdefg', 'cde', 0, -1, -1)", "null:long");
    et_expect(NULL, "indexof('abc', '')", "0:long");
    et_expect(NULL, "indexof('abc', '', 2)", "2:long");
    et_expect(NULL, "indexof('abc', 'c', 5)", "-1:long");
    et_expect(NULL, "indexof('abc', 'c', long(null))", "null:long");
    /* Positions are characters. */
    ft_both("日本語テキスト", "indexof(s, 'テ')", "3:long");
    ft_both("aaaa", "indexof(s, 'aa', 0, -1, 2)", "1:long");
    ft_both("Hello, world, hello!", "indexof(s, 'lo', 5)", "17:long");
}

Test(query_fn_text_str, indexof_converts_other_types)
{
    if (!ft_have_tostring()) {
        cr_skip_test("tostring() (conversion library) is not registered in this build");
    }
    et_expect(NULL, "indexof(1234567, 5, 1, 4)", "4:long");
}

Test(query_fn_text_str, countof_plain_counts_overlaps)
{
    et_expect(NULL, "countof('aaa', 'a')", "3:long");
    et_expect(NULL, "countof('aaaa', 'aa')", "3:long");
    et_expect(NULL, "countof('ababa', 'ab', 'normal')", "2:long");
    et_expect(NULL, "countof('ababa', 'aba')", "2:long");
    et_expect(NULL, "countof('abc', '')", "0:long");
    et_expect(NULL, "countof('', 'a')", "0:long");
    sl_colset_t t;
    static const char *const v[] = { "a.b.c", "", "..." };
    ft_strings(&t, v, 3);
    et_expect(&t, "countof(s, '.')", "2|0|3:long");
    et_expect(&t, "countof('a.b', s)", "0|0|0:long");
    sl_colset_dispose(&t);
    char *got = et_eval(NULL, "countof('a', 'a', 'fuzzy')");
    cr_expect(strstr(got, "SL_ESEMANTIC") && strstr(got, "kind"), "%s", got);
    free(got);
}

Test(query_fn_text_str, replace_string_is_plain_and_left_to_right)
{
    ft_both("A magic trick can turn a cat into a dog",
            "replace_string(s, 'cat', 'hamster')",
            "A magic trick can turn a hamster into a dog:string");
    ft_both("aaa", "replace_string(s, 'aa', 'b')", "ba:string");
    ft_both("a.b", "replace_string(s, '.', '\\\\0')", "a\\0b:string");
    ft_both("abc", "replace_string(s, '', 'x')", "abc:string");
    ft_both("abc", "replace_string(s, 'b', '')", "ac:string");
    ft_both("", "replace_string(s, 'b', 'c')", ":string");
    sl_colset_t t;
    static const char *const v[] = { "x", "y", "xyx" };
    ft_strings(&t, v, 3);
    et_expect(&t, "replace_string('xyx', s, '-')", "-y-|x-x|-:string");
    sl_colset_dispose(&t);
}

Test(query_fn_text_str, isascii_and_isutf8)
{
    ft_both("abc", "isascii(s)", "true:bool");
    ft_both("", "isascii(s)", "true:bool");
    ft_both("café", "isascii(s)", "false:bool");
    ft_both("café", "isutf8(s)", "true:bool");
    ft_both("日本語", "isutf8(s)", "true:bool");
}
