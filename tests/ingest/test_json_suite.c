/*
 * Accept/reject lists in the manner of JSONTestSuite (y_ must parse, n_ must
 * fail), written for this scanner from the RFC 8259 grammar and the edge
 * cases parsers commonly get wrong. Where RFC 8259 leaves a choice to the
 * implementation (i_ cases), the scanner's choice is listed with a comment.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "ingest/ingest_int.h"

typedef struct tcase {
    const char *name;
    const char *in;
    size_t len;
} tcase_t;

#define T(name, s) { name, s, sizeof(s) - 1 }

static const tcase_t accept[] = {
    /* arrays */
    T("y_array_empty", "[]"),
    T("y_array_empty_with_space", "[ ]"),
    T("y_array_arrays_with_spaces", "[[]   ]"),
    T("y_array_empty_string", "[\"\"]"),
    T("y_array_false", "[false]"),
    T("y_array_true", "[true]"),
    T("y_array_null", "[null]"),
    T("y_array_heterogeneous", "[null, 1, \"1\", {}]"),
    T("y_array_with_1_and_newline", "[1\n]"),
    T("y_array_with_leading_space", " [1]"),
    T("y_array_with_several_null", "[1,null,null,null,2]"),
    T("y_array_with_trailing_space", "[2] "),
    T("y_array_nested_5", "[[[[[]]]]]"),
    T("y_array_of_objects", "[{},{},{\"a\":[]}]"),
    /* numbers */
    T("y_number", "[123e65]"),
    T("y_number_0e+1", "[0e+1]"),
    T("y_number_0e1", "[0e1]"),
    T("y_number_after_space", "[ 4]"),
    T("y_number_double_close_to_zero",
      "[-0.000000000000000000000000000000000000000000000000000000000000000000000000000001]\n"),
    T("y_number_int_with_exp", "[20e1]"),
    T("y_number_minus_zero", "[-0]"),
    T("y_number_negative_int", "[-123]"),
    T("y_number_negative_one", "[-1]"),
    T("y_number_negative_zero_real", "[-0.0]"),
    T("y_number_real_capital_e", "[1E22]"),
    T("y_number_real_capital_e_neg_exp", "[1E-2]"),
    T("y_number_real_capital_e_pos_exp", "[1E+2]"),
    T("y_number_real_exponent", "[123e45]"),
    T("y_number_real_fraction_exponent", "[123.456e78]"),
    T("y_number_real_neg_exp", "[1e-2]"),
    T("y_number_real_pos_exponent", "[1e+2]"),
    T("y_number_simple_int", "[123]"),
    T("y_number_simple_real", "[123.456789]"),
    T("y_number_zero_fraction_zero_exp", "[0.0e0]"),
    T("y_number_exp_leading_zeros", "[1e007]"), /* zeros are fine in an exponent */
    T("y_number_fraction_trailing_zeros", "[1.000000]"),
    T("y_number_top_level", "42"),
    T("y_number_top_level_negative_real", "-0.1"),
    /* i_: any magnitude and precision parses; conversion reports range */
    T("i_number_huge_exp", "[1.5e999]"),
    T("i_number_neg_huge_exp", "[-1e-999]"),
    T("i_number_very_big_int", "[100000000000000000000000000000000000000000]"),
    T("i_number_very_long_fraction", "[0.10000000000000000000000000000000000000000000000001]"),
    /* objects */
    T("y_object", "{\"asd\":\"sdf\", \"dfg\":\"fgh\"}"),
    T("y_object_basic", "{\"asd\":\"sdf\"}"),
    T("y_object_keys_differ_by_space", "{\"a\":\"b\",\"a \":\"c\"}"),
    T("y_object_keys_differ_by_case", "{\"a\":1,\"A\":2}"),
    T("y_object_empty", "{}"),
    T("y_object_empty_key", "{\"\":0}"),
    T("y_object_escaped_nul_in_key", "{\"foo\\u0000bar\": 42}"),
    T("y_object_keys_differ_after_nul", "{\"a\\u0000b\":1,\"a\\u0000c\":2}"),
    T("y_object_extreme_numbers", "{ \"min\": -1.0e+28, \"max\": 1.0e+28 }"),
    T("y_object_long_strings", "{\"x\":[{\"id\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}], "
                               "\"id\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}"),
    T("y_object_simple", "{\"a\":[]}"),
    T("y_object_string_unicode", "{\"title\":\"\\u041f\\u043e\\u043b\\u0442\\u043e\\u0440\\u0430 "
                                 "\\u0417\\u0435\\u043c\\u043b\\u0435\\u043a\\u043e\\u043f\\u0430\" }"),
    T("y_object_with_newlines", "{\n\"a\": \"b\"\n}"),
    T("y_object_same_key_in_siblings", "[{\"a\":1},{\"a\":2}]"),
    T("y_object_same_key_nested", "{\"a\":{\"a\":{\"a\":1}}}"),
    T("y_object_deep", "{\"a\":{\"b\":{\"c\":{}}}}"),
    /* strings */
    T("y_string_1_2_3_bytes_utf8", "[\"\\u0060\\u012a\\u12AB\"]"),
    T("y_string_accepted_surrogate_pair", "[\"\\uD801\\udc37\"]"),
    T("y_string_accepted_surrogate_pairs", "[\"\\ud83d\\ude39\\ud83d\\udc8d\"]"),
    T("y_string_allowed_escapes", "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]"),
    T("y_string_backslash_and_u_escaped_zero", "[\"\\\\u0000\"]"),
    T("y_string_backslash_doublequotes", "[\"\\\"\"]"),
    T("y_string_comments", "[\"a/*b*/c/*d//e\"]"),
    T("y_string_double_escape_a", "[\"\\\\a\"]"),
    T("y_string_double_escape_n", "[\"\\\\n\"]"),
    T("y_string_escaped_control_character", "[\"\\u0012\"]"),
    T("y_string_escaped_noncharacter", "[\"\\uFFFF\"]"),
    T("y_string_in_array", "[\"asd\"]"),
    T("y_string_in_array_with_leading_space", "[ \"asd\"]"),
    T("y_string_last_surrogates_1_and_2", "[\"\\uDBFF\\uDFFF\"]"),
    T("y_string_nbsp_uescaped", "[\"new\\u00A0line\"]"),
    T("y_string_nonchar_U+10FFFF", "[\"\xf4\x8f\xbf\xbf\"]"),
    T("y_string_nonchar_U+FFFF", "[\"\xef\xbf\xbf\"]"),
    T("y_string_null_escape", "[\"\\u0000\"]"),
    T("y_string_one_byte_utf8", "[\"\\u002c\"]"),
    T("y_string_pi", "[\"\xcf\x80\"]"),
    T("y_string_reserved_character_in_utf8", "[\"\xf0\x9b\xbf\xbf\"]"),
    T("y_string_simple_ascii", "[\"asd \"]"),
    T("y_string_space", "\" \""),
    T("y_string_surrogates_U+1D11E", "[\"\\uD834\\uDd1e\"]"),
    T("y_string_three_byte_utf8", "[\"\\u0821\"]"),
    T("y_string_two_byte_utf8", "[\"\\u0123\"]"),
    T("y_string_u+2028_line_sep", "[\"\xe2\x80\xa8\"]"),
    T("y_string_u+2029_par_sep", "[\"\xe2\x80\xa9\"]"),
    T("y_string_uescape", "[\"\\u0061\\u30af\\u30EA\\u30b9\"]"),
    T("y_string_uescaped_newline", "[\"new\\u000Aline\"]"),
    T("y_string_unescaped_del", "[\"\x7f\"]"),
    T("y_string_unicode", "[\"\\uA66D\"]"),
    T("y_string_unicode_escaped_backslash", "[\"\\u005C\"]"),
    T("y_string_unicode_2", "[\"\xe2\x8d\x82\xe3\x88\xb4\xe2\x8d\x82\"]"),
    T("y_string_unicode_U+FDD0_nonchar", "[\"\\uFDD0\"]"),
    T("y_string_unicode_U+FFFE_nonchar", "[\"\\uFFFE\"]"),
    T("y_string_unicode_escaped_double_quote", "[\"\\u0022\"]"),
    T("y_string_utf8", "[\"\xe2\x82\xac\xf0\x9d\x84\x9e\"]"),
    T("y_string_with_del_character", "[\"a\x7f" "a\"]"),
    T("y_string_bom_inside", "[\"\xef\xbb\xbf\"]"),
    T("y_string_long_ascii", "\"0123456789012345678901234567890123456789012345678901234567890\""),
    /* structure */
    T("y_structure_lonely_false", "false"),
    T("y_structure_lonely_int", "42"),
    T("y_structure_lonely_negative_real", "-0.1"),
    T("y_structure_lonely_null", "null"),
    T("y_structure_lonely_string", "\"asd\""),
    T("y_structure_lonely_true", "true"),
    T("y_structure_string_empty", "\"\""),
    T("y_structure_trailing_newline", "[\"a\"]\n"),
    T("y_structure_true_in_array", "[true]"),
    T("y_structure_whitespace_array", " [] "),
    T("y_structure_all_whitespace_kinds", "\t\r\n [\t\r\n 1\t\r\n ,\t\r\n 2\t\r\n ]\t\r\n "),
};

static const tcase_t reject[] = {
    /* arrays */
    T("n_array_1_true_without_comma", "[1 true]"),
    T("n_array_a_invalid_utf8", "[a\xe5]"),
    T("n_array_colon_instead_of_comma", "[\"\": 1]"),
    T("n_array_comma_after_close", "[\"\"],"),
    T("n_array_comma_and_number", "[,1]"),
    T("n_array_double_comma", "[1,,2]"),
    T("n_array_double_extra_comma", "[\"x\",,]"),
    T("n_array_extra_close", "[\"x\"]]"),
    T("n_array_extra_comma", "[\"\",]"),
    T("n_array_incomplete", "[\"x\""),
    T("n_array_incomplete_invalid_value", "[x"),
    T("n_array_inner_array_no_comma", "[3[4]]"),
    T("n_array_invalid_utf8", "[\xff]"),
    T("n_array_items_separated_by_semicolon", "[1:2]"),
    T("n_array_just_comma", "[,]"),
    T("n_array_just_minus", "[-]"),
    T("n_array_missing_value", "[   , \"\"]"),
    T("n_array_newlines_unclosed", "[\"a\",\n4\n,1,"),
    T("n_array_number_and_comma", "[1,]"),
    T("n_array_number_and_several_commas", "[1,,]"),
    T("n_array_star_inside", "[*]"),
    T("n_array_unclosed", "[\"\""),
    T("n_array_unclosed_trailing_comma", "[1,"),
    T("n_array_unclosed_with_new_lines", "[1,\n1\n,1"),
    T("n_array_unclosed_with_object_inside", "[{}"),
    T("n_array_strings_without_comma", "[\"a\" \"b\"]"),
    T("n_incomplete_false", "[fals]"),
    T("n_incomplete_null", "[nul]"),
    T("n_incomplete_true", "[tru]"),
    T("n_literal_capitalised", "[True]"),
    T("n_literal_trailing_letters", "[nullx]"),
    /* numbers */
    T("n_multidigit_number_then_00", "123\x00"),
    T("n_number_++", "[++1234]"),
    T("n_number_+1", "[+1]"),
    T("n_number_+Inf", "[+Inf]"),
    T("n_number_-01", "[-01]"),
    T("n_number_-1.0.", "[-1.0.]"),
    T("n_number_-2.", "[-2.]"),
    T("n_number_-NaN", "[-NaN]"),
    T("n_number_.-1", "[.-1]"),
    T("n_number_.2e-3", "[.2e-3]"),
    T("n_number_0.1.2", "[0.1.2]"),
    T("n_number_0.3e+", "[0.3e+]"),
    T("n_number_0.3e", "[0.3e]"),
    T("n_number_0.e1", "[0.e1]"),
    T("n_number_0_capital_E+", "[0E+]"),
    T("n_number_0_capital_E", "[0E]"),
    T("n_number_0e+", "[0e+]"),
    T("n_number_0e", "[0e]"),
    T("n_number_1.0e+", "[1.0e+]"),
    T("n_number_1.0e-", "[1.0e-]"),
    T("n_number_1.0e", "[1.0e]"),
    T("n_number_1_000", "[1 000.0]"),
    T("n_number_1eE2", "[1eE2]"),
    T("n_number_2.e+3", "[2.e+3]"),
    T("n_number_2.e-3", "[2.e-3]"),
    T("n_number_2.e3", "[2.e3]"),
    T("n_number_9.e+", "[9.e+]"),
    T("n_number_Inf", "[Inf]"),
    T("n_number_NaN", "[NaN]"),
    T("n_number_U+FF11_fullwidth_digit_one", "[\xef\xbc\x91]"),
    T("n_number_expression", "[1+2]"),
    T("n_number_hex_1_digit", "[0x1]"),
    T("n_number_hex_2_digits", "[0x42]"),
    T("n_number_infinity", "[Infinity]"),
    T("n_number_invalid+-", "[0e+-1]"),
    T("n_number_invalid-negative-real", "[-123.123foo]"),
    T("n_number_invalid-utf-8-in-bigger-int", "[123\xe5]"),
    T("n_number_invalid-utf-8-in-exponent", "[1e1\xe5]"),
    T("n_number_invalid-utf-8-in-int", "[0\xe5]"),
    T("n_number_minus_infinity", "[-Infinity]"),
    T("n_number_minus_sign_with_trailing_garbage", "[-foo]"),
    T("n_number_minus_space_1", "[- 1]"),
    T("n_number_neg_int_starting_with_zero", "[-012]"),
    T("n_number_neg_real_without_int_part", "[-.123]"),
    T("n_number_neg_with_garbage_at_end", "[-1x]"),
    T("n_number_real_garbage_after_e", "[1ea]"),
    T("n_number_real_without_fractional_part", "[1.]"),
    T("n_number_starting_with_dot", "[.123]"),
    T("n_number_with_alpha", "[1.2a-3]"),
    T("n_number_with_alpha_char", "[1.8011670033376514H-308]"),
    T("n_number_with_leading_zero", "[012]"),
    T("n_number_double_leading_zero", "[00.5]"),
    /* objects */
    T("n_object_bad_value", "[\"x\", truth]"),
    T("n_object_bracket_key", "{[: \"x\"}"),
    T("n_object_comma_instead_of_colon", "{\"x\", null}"),
    T("n_object_double_colon", "{\"x\"::\"b\"}"),
    T("n_object_emoji", "{\xf0\x9f\x87\xa8\xf0\x9f\x87\xad}"),
    T("n_object_garbage_at_end", "{\"a\":\"a\" 123}"),
    T("n_object_key_with_single_quotes", "{key: 'value'}"),
    T("n_object_lone_continuation_byte_in_key_and_trailing_comma", "{\"\xb9\":\"0\",}"),
    T("n_object_missing_colon", "{\"a\" b}"),
    T("n_object_missing_key", "{:\"b\"}"),
    T("n_object_missing_semicolon", "{\"a\" \"b\"}"),
    T("n_object_missing_value", "{\"a\":"),
    T("n_object_no-colon", "{\"a\""),
    T("n_object_non_string_key", "{1:1}"),
    T("n_object_non_string_key_but_huge_number_instead", "{9999E9999:1}"),
    T("n_object_repeated_null_null", "{null:null,null:null}"),
    T("n_object_several_trailing_commas", "{\"id\":0,,,,,}"),
    T("n_object_single_quote", "{'a':0}"),
    T("n_object_trailing_comma", "{\"id\":0,}"),
    T("n_object_trailing_comment", "{\"a\":\"b\"}/**/"),
    T("n_object_trailing_comment_open", "{\"a\":\"b\"}/**//"),
    T("n_object_trailing_comment_slash_open", "{\"a\":\"b\"}//"),
    T("n_object_trailing_comment_slash_open_incomplete", "{\"a\":\"b\"}/"),
    T("n_object_two_commas_in_a_row", "{\"a\":\"b\",,\"c\":\"d\"}"),
    T("n_object_unquoted_key", "{a: \"b\"}"),
    T("n_object_unterminated-value", "{\"a\":\"a"),
    T("n_object_with_single_string", "{ \"foo\" : \"bar\", \"a\" }"),
    T("n_object_with_trailing_garbage", "{\"a\":\"b\"}#"),
    T("n_object_extra_close", "{\"a\":\"b\"}}"),
    T("n_object_duplicate_key", "{\"a\":1,\"a\":2}"),
    T("n_object_duplicate_key_escaped", "{\"a\":1,\"\\u0061\":2}"),
    T("n_object_duplicate_key_both_escaped", "{\"\\/\":1,\"\\u002f\":2}"),
    T("n_object_duplicate_key_utf8_vs_escape", "{\"\xc3\xa9\":1,\"\\u00e9\":2}"),
    T("n_object_duplicate_empty_key", "{\"\":1,\"\":2}"),
    /* strings */
    T("n_string_1_surrogate_then_escape", "[\"\\uD800\\\"]"),
    T("n_string_1_surrogate_then_escape_u", "[\"\\uD800\\u\"]"),
    T("n_string_1_surrogate_then_escape_u1", "[\"\\uD800\\u1\"]"),
    T("n_string_1_surrogate_then_escape_u1x", "[\"\\uD800\\u1x\"]"),
    T("n_string_accentuated_char_no_quotes", "[\xc3\xa9]"),
    T("n_string_backslash_00", "[\"\\\x00\"]"),
    T("n_string_escape_x", "[\"\\x00\"]"),
    T("n_string_escaped_backslash_bad", "[\"\\\\\\\"]"),
    T("n_string_escaped_ctrl_char_tab", "[\"\\\t\"]"),
    T("n_string_escaped_emoji", "[\"\\\xf0\x9f\x8c\x80\"]"),
    T("n_string_incomplete_escape", "[\"\\\"]"),
    T("n_string_incomplete_escaped_character", "[\"\\u00A\"]"),
    T("n_string_incomplete_surrogate", "[\"\\uD834\\uDd\"]"),
    T("n_string_incomplete_surrogate_escape_invalid", "[\"\\uD800\\uD800\\x\"]"),
    T("n_string_invalid_backslash_esc", "[\"\\a\"]"),
    T("n_string_invalid_unicode_escape", "[\"\\uqqqq\"]"),
    T("n_string_invalid_utf8_after_escape", "[\"\\\xe5\"]"),
    T("n_string_leading_uescaped_thinspace", "[\\u0020\"asd\"]"),
    T("n_string_no_quotes_with_bad_escape", "[\\n]"),
    T("n_string_single_doublequote", "\""),
    T("n_string_single_quote", "['single quote']"),
    T("n_string_single_string_no_double_quotes", "abc"),
    T("n_string_start_escape_unclosed", "[\"\\"),
    T("n_string_unescaped_ctrl_char", "[\"a\x00" "a\"]"),
    T("n_string_unescaped_newline", "[\"new\nline\"]"),
    T("n_string_unescaped_tab", "[\"\t\"]"),
    T("n_string_unicode_CapitalU", "\"\\UA66D\""),
    T("n_string_with_trailing_garbage", "\"\"x"),
    T("n_string_lone_high_surrogate", "[\"\\ud800\"]"),
    T("n_string_lone_high_surrogate_then_text", "[\"\\ud800abc\"]"),
    T("n_string_lone_low_surrogate", "[\"\\udc00\"]"),
    T("n_string_reversed_surrogates", "[\"\\udc00\\ud800\"]"),
    T("n_string_utf8_surrogate_encoded", "[\"\xed\xa0\x80\"]"),
    T("n_string_utf8_overlong_slash", "[\"\xc0\xaf\"]"),
    T("n_string_utf8_overlong_3byte", "[\"\xe0\x80\xaf\"]"),
    T("n_string_utf8_overlong_4byte", "[\"\xf0\x80\x80\xaf\"]"),
    T("n_string_utf8_above_max", "[\"\xf4\xbf\xbf\xbf\"]"),
    T("n_string_utf8_6_byte_form", "[\"\xfc\x80\x80\x80\x80\x80\"]"),
    T("n_string_utf8_lone_continuation", "[\"\x81\"]"),
    T("n_string_utf8_lone_lead", "[\"\xe9\"]"),
    T("n_string_utf8_bad_second_byte", "[\"\xe0\xff\"]"),
    T("n_string_utf8_truncated_before_quote", "[\"abc\xf0\x9f\x98\"]"),
    /* structure */
    T("n_structure_angle_bracket_.", "<.>"),
    T("n_structure_angle_bracket_null", "[<null>]"),
    T("n_structure_array_trailing_garbage", "[1]x"),
    T("n_structure_array_with_extra_array_close", "[1]]"),
    T("n_structure_array_with_unclosed_string", "[\"asd]"),
    T("n_structure_ascii-unicode-identifier", "a\xc3\xa5"),
    T("n_structure_capitalized_True", "[True]"),
    T("n_structure_close_unopened_array", "1]"),
    T("n_structure_comma_instead_of_closing_brace", "{\"x\": true,"),
    T("n_structure_double_array", "[][]"),
    T("n_structure_end_array", "]"),
    T("n_structure_lone-open-bracket", "["),
    T("n_structure_no_data", ""),
    T("n_structure_null-byte-outside-string", "[\x00]"),
    T("n_structure_number_with_trailing_garbage", "2@"),
    T("n_structure_object_followed_by_closing_object", "{}}"),
    T("n_structure_object_unclosed_no_value", "{\"\":"),
    T("n_structure_object_with_comment", "{\"a\":/*comment*/\"b\"}"),
    T("n_structure_object_with_trailing_garbage", "{\"a\": true} \"x\""),
    T("n_structure_open_array_apostrophe", "['"),
    T("n_structure_open_array_comma", "[,"),
    T("n_structure_open_array_open_object", "[{"),
    T("n_structure_open_array_open_string", "[\"a"),
    T("n_structure_open_array_string", "[\"a\""),
    T("n_structure_open_object", "{"),
    T("n_structure_open_object_close_array", "{]"),
    T("n_structure_open_object_comma", "{,"),
    T("n_structure_open_object_open_array", "{["),
    T("n_structure_open_object_open_string", "{\"a"),
    T("n_structure_open_object_string_with_apostrophes", "{'a'"),
    T("n_structure_open_open", "[\"\\{[\"\\{[\"\\{[\"\\{"),
    T("n_structure_single_star", "*"),
    T("n_structure_trailing_#", "{\"a\":\"b\"}#{}"),
    T("n_structure_uescaped_LF_before_string", "[\\u000A\"\"]"),
    T("n_structure_unclosed_array", "[1"),
    T("n_structure_unclosed_array_partial_null", "[ false, nul"),
    T("n_structure_unclosed_array_unfinished_false", "[ true, fals"),
    T("n_structure_unclosed_array_unfinished_true", "[ false, tru"),
    T("n_structure_unclosed_object", "{\"asd\":\"asd\""),
    T("n_structure_unicode-identifier", "\xc3\xa5"),
    T("n_structure_UTF8_BOM_no_data", "\xef\xbb\xbf"),
    T("n_structure_UTF8_BOM_empty_object", "\xef\xbb\xbf{}"),
    T("n_structure_whitespace_formfeed", "[\x0c]"),
    T("n_structure_whitespace_U+2060_word_joiner", "[\xe2\x81\xa0]"),
    T("n_structure_whitespace_nbsp", "\xc2\xa0[]"),
    T("n_structure_vertical_tab", "\x0b" "1"),
    T("n_structure_two_values", "2 3"),
    T("n_structure_two_arrays", "[1] [2]"),
    T("n_structure_only_whitespace", " \t\r\n"),
};

Test(ingest_json_suite, y_cases_parse)
{
    cr_assert_geq(SL_ARRAY_SIZE(accept), 100);
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    for (size_t i = 0; i < SL_ARRAY_SIZE(accept); i++) {
        sl_diag_t diag = { 0 };
        int rc = sl_json_parse(&d, accept[i].in, accept[i].len, NULL, &diag);
        cr_expect_eq(rc, 0, "%s: %s", accept[i].name, diag.msg);
        if (rc == 0) {
            cr_expect_eq(d.tok[0].end, d.ntok, "%s: root spans the tape", accept[i].name);
        }
    }
    sl_json_doc_dispose(&d);
}

Test(ingest_json_suite, n_cases_fail_with_a_positioned_message)
{
    cr_assert_geq(SL_ARRAY_SIZE(reject), 150);
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    for (size_t i = 0; i < SL_ARRAY_SIZE(reject); i++) {
        sl_diag_t diag = { 0 };
        int rc = sl_json_parse(&d, reject[i].in, reject[i].len, NULL, &diag);
        cr_expect_eq(rc, SL_EPARSE, "%s: rc %d", reject[i].name, rc);
        cr_expect(strstr(diag.msg, " at byte ") != NULL, "%s: %s", reject[i].name, diag.msg);
    }
    sl_json_doc_dispose(&d);
}

Test(ingest_json_suite, deep_nesting_is_a_limit_not_a_crash)
{
    /* n_structure_100000_opening_arrays and an unclosed deep object. */
    sl_json_doc_t d;
    sl_json_doc_init(&d);
    sl_diag_t diag;
    size_t n = 100000;
    char *s = malloc(n);
    memset(s, '[', n);
    cr_expect_eq(sl_json_parse(&d, s, n, NULL, &diag), SL_ELIMIT);
    sl_json_limits_t deep = { .max_depth = UINT32_MAX };
    cr_expect_eq(sl_json_parse(&d, s, n, &deep, &diag), SL_EPARSE, "unclosed, when allowed");
    for (size_t i = 0; i + 5 <= n; i += 5) {
        memcpy(s + i, "{\"a\":", 5);
    }
    cr_expect_eq(sl_json_parse(&d, s, n, NULL, &diag), SL_ELIMIT);
    free(s);
    sl_json_doc_dispose(&d);
}
