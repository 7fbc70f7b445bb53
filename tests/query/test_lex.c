/*
 * The KQL lexer: every token and literal form of KQL.md §2.1-2.3.
 */
#include "query_test.h"

Test(query_lex, keyword_table_is_sorted_and_complete)
{
    /* Every keyword must be found by the binary search (fails if the
     * X-macro list is edited out of byte order). */
    for (int kw = 1; kw < SL_QUERY_KW__COUNT; kw++) {
        const char *name = sl_query_kw_name((sl_query_kw_t)kw);
        cr_expect_eq(sl_query_kw_lookup(name, strlen(name)), (sl_query_kw_t)kw, "%s", name);
    }
    cr_expect_eq(sl_query_kw_lookup("Where", 5), SL_QUERY_KW_NONE, "keywords are case-sensitive");
    cr_expect_eq(sl_query_kw_lookup("wher", 4), SL_QUERY_KW_NONE);
    cr_expect_eq(sl_query_kw_lookup("zzz", 3), SL_QUERY_KW_NONE);
}

Test(query_lex, identifiers)
{
    EXPECT_LEX("Table_1 _x $left $right a1b2", "ID:Table_1 ID:_x ID:$left ID:$right ID:a1b2");
    EXPECT_LEX("3Dchart 1d2 0x1Fg", "ID:3Dchart ID:1d2 ID:0x1Fg");
    EXPECT_LEX("Where where WHERE", "ID:Where ID:where ID:WHERE");
}

Test(query_lex, keyword_ids_are_case_sensitive)
{
    sl_pool_t *pool = sl_pool_create();
    sl_query_tok_t *t;
    size_t n;
    sl_query_lex(pool, "where Where", 11, NULL, &t, &n);
    cr_assert_eq(n, 3);
    cr_expect_eq(t[0].kw, SL_QUERY_KW_WHERE);
    cr_expect_eq(t[1].kw, SL_QUERY_KW_NONE);
    sl_pool_destroy(pool);
}

Test(query_lex, hyphenated_keywords_are_single_tokens)
{
    const char *words[] = { "project-away",        "project-keep",   "project-rename",
                            "project-reorder",     "mv-expand",      "mv-apply",
                            "make-series",         "parse-where",    "parse-kv",
                            "top-nested",          "top-hitters",    "sample-distinct",
                            "assert-schema",       "graph-match",    "make-graph",
                            "macro-expand",        "graph-to-table", "granny-asc",
                            "graph-shortest-paths" };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        char expected[64];
        snprintf(expected, sizeof expected, "KW:%s", words[i]);
        EXPECT_LEX(words[i], expected);
    }
}

Test(query_lex, minus_between_words_stays_subtraction)
{
    EXPECT_LEX("a-b", "ID:a - ID:b");
    EXPECT_LEX("x - y", "ID:x - ID:y");
    EXPECT_LEX("project - away", "ID:project - ID:away");
    EXPECT_LEX("project-awayx", "ID:project - ID:awayx");
    EXPECT_LEX("mv-expand-x", "KW:mv-expand - ID:x");
}

Test(query_lex, matches_regex_is_one_token)
{
    EXPECT_LEX("x matches regex \"a\"", "ID:x KW:matches regex S\"a\"");
    EXPECT_LEX("x matches\t \n regex y", "ID:x KW:matches regex ID:y");
    EXPECT_LEX("matches regexp", "ID:matches ID:regexp");
    EXPECT_LEX("matches", "ID:matches");
}

Test(query_lex, negated_and_case_insensitive_operators)
{
    const char *ops[] = { "!has",        "!has_cs",        "!contains",  "!contains_cs",
                          "!startswith", "!startswith_cs", "!endswith",  "!endswith_cs",
                          "!hasprefix",  "!hasprefix_cs",  "!hassuffix", "!hassuffix_cs",
                          "!in",         "!in~",           "!between" };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        char expected[64];
        snprintf(expected, sizeof expected, "KW:%s", ops[i]);
        EXPECT_LEX(ops[i], expected);
    }
    EXPECT_LEX("in~ =~ !~ != <>", "KW:in~ =~ !~ != <>");
    EXPECT_LEX("in ~", "ID:in ERR(unexpected character)");
    EXPECT_LEX("! has", "ERR(unexpected '!': KQL has no `!` operator; use not(...))");
    EXPECT_LEX("!foo", "ERR(unexpected '!': KQL has no `!` operator; use not(...))");
}

Test(query_lex, punctuation)
{
    EXPECT_LEX("| ( ) [ ] { } , ; : . .. = == != <> < <= > >= + - * / % @ => =~ !~",
               "| ( ) [ ] { } , ; : . .. = == != <> < <= > >= + - * / % @ => =~ !~");
    EXPECT_LEX("a==b<=c>=d", "ID:a == ID:b <= ID:c >= ID:d");
    EXPECT_LEX("hint.strategy=shuffle", "ID:hint.strategy = ID:shuffle");
    EXPECT_LEX("hint.shufflekey hint.num_partitions hint.remote",
               "ID:hint.shufflekey ID:hint.num_partitions ID:hint.remote");
    EXPECT_LEX("hint.foo hint .strategy", "ID:hint . ID:foo ID:hint . ID:strategy");
}

Test(query_lex, whitespace_and_comments)
{
    EXPECT_LEX("a // comment | where\nb", "ID:a ID:b");
    EXPECT_LEX("a\t\f\r\nb", "ID:a ID:b");
    /* U+00A0, U+1680, U+180E, U+2000, U+200B, U+202F, U+205F, U+3000, U+FEFF */
    EXPECT_LEX("a\xc2\xa0"
               "b\xe1\x9a\x80"
               "c\xe1\xa0\x8e"
               "d\xe2\x80\x80"
               "e\xe2\x80\x8b"
               "f\xe2\x80\xaf"
               "g\xe2\x81\x9f"
               "h\xe3\x80\x80"
               "i\xef\xbb\xbf"
               "j",
               "ID:a ID:b ID:c ID:d ID:e ID:f ID:g ID:h ID:i ID:j");
    EXPECT_LEX("a /b", "ID:a / ID:b");
    EXPECT_LEX("// only a comment", "");
    EXPECT_LEX("a # b", "ID:a ERR(unexpected character)");
    EXPECT_LEX("a \xe2\x82\xac", "ID:a ERR(unexpected character)");
}

Test(query_lex, positions_are_lines_and_character_columns)
{
    sl_pool_t *pool = sl_pool_create();
    sl_query_tok_t *t;
    size_t n;
    /* "é" is two bytes but one column; \r\n is one line break; lone \r too. */
    const char *text = "T\r\n| where \"é\" == x\rfoo";
    sl_query_lex(pool, text, strlen(text), NULL, &t, &n);
    cr_assert_eq(n, 8);
    cr_expect_eq(t[0].pos.line, 1);
    cr_expect_eq(t[0].pos.col, 1);
    cr_expect_eq(t[1].pos.line, 2); /* | */
    cr_expect_eq(t[1].pos.col, 1);
    cr_expect_eq(t[3].pos.col, 9); /* "é" */
    cr_expect_eq(t[3].pos.len, 4);
    cr_expect_eq(t[4].pos.col, 13); /* == after the 3-column string */
    cr_expect_eq(t[4].pos.off, 16);
    cr_expect_eq(t[6].pos.line, 3); /* foo after a lone \r */
    cr_expect_eq(t[6].pos.col, 1);
    cr_expect_eq(t[7].kind, SL_QUERY_T_EOF);
    sl_pool_destroy(pool);
}

Test(query_lex, string_quotes_and_escapes)
{
    EXPECT_LEX("\"abc\" 'def'", "S\"abcdef\"");
    EXPECT_LEX("\"a\\\"b\" ", "S\"a\"b\"");
    EXPECT_LEX("'it\\'s'", "S\"it's\"");
    EXPECT_LEX("\"\\\\\"", "S\"\\\"");
    EXPECT_LEX("\"\\x41\\101\\7\\47\"", "S\"AA\a'\"");
    EXPECT_LEX("\"\\u00e9\\U0001F600\"", "S\"\xc3\xa9\xf0\x9f\x98\x80\"");
    EXPECT_LEX("\"\\uD83D\\uDE00\"", "S\"\xf0\x9f\x98\x80\"");
    EXPECT_LEX("\"\\uD83D\"", "S\"\xef\xbf\xbd\"");
    EXPECT_LEX("\"a\\tb\\nc\\rd\"", "S\"a\tb\nc\rd\"");
    EXPECT_LEX("\"\\a\\b\\f\\v\"", "S\"\a\b\f\v\"");
}

Test(query_lex, string_escape_errors)
{
    EXPECT_LEX("\"\\q\"", "ERR(invalid escape sequence in string literal)");
    EXPECT_LEX("\"\\x4\"", "ERR(invalid escape sequence in string literal)");
    EXPECT_LEX("\"\\u12\"", "ERR(invalid escape sequence in string literal)");
    EXPECT_LEX("\"\\U00110000\"", "ERR(invalid escape sequence in string literal)");
    EXPECT_LEX("\"abc", "ERR(unterminated string literal)");
    EXPECT_LEX("\"ab\ncd\"", "ERR(unterminated string literal)");
    EXPECT_LEX("'ab\r'", "ERR(unterminated string literal)");
}

Test(query_lex, verbatim_strings)
{
    EXPECT_LEX("@\"c:\\dir\\file\"", "S\"c:\\dir\\file\"");
    EXPECT_LEX("@'it''s'", "S\"it's\"");
    EXPECT_LEX("@\"say \"\"hi\"\"\"", "S\"say \"hi\"\"");
    EXPECT_LEX("@\"unterminated", "ERR(unterminated string literal)");
    EXPECT_LEX("@ x", "@ ID:x");
}

Test(query_lex, multi_line_strings)
{
    EXPECT_LEX("```line1\nline2 \\n \"q\"```", "S\"line1\nline2 \\n \"q\"\"");
    EXPECT_LEX("~~~a\r\nb~~~", "S\"a\r\nb\"");
    EXPECT_LEX("```never closed", "ERR(unterminated multi-line string literal)");
    EXPECT_LEX("~~x", "ERR(unexpected character)");
}

Test(query_lex, obfuscated_strings)
{
    EXPECT_LEX("h\"secret\"", "hS\"secret\"");
    EXPECT_LEX("H'secret'", "hS\"secret\"");
    EXPECT_LEX("h@\"c:\\x\"", "hS\"c:\\x\"");
    EXPECT_LEX("h```x```", "hS\"x\"");
    EXPECT_LEX("h \"x\"", "ID:h S\"x\"");
    EXPECT_LEX("hash", "ID:hash");
}

Test(query_lex, adjacent_strings_concatenate)
{
    EXPECT_LEX("\"a\" \"b\"", "S\"ab\"");
    EXPECT_LEX("\"a\" // c\n 'b' @\"\\c\" h\"d\"", "hS\"ab\\cd\"");
    EXPECT_LEX("\"a\", \"b\"", "S\"a\" , S\"b\"");
    EXPECT_LEX("\"a\" x \"b\"", "S\"a\" ID:x S\"b\"");

    sl_pool_t *pool = sl_pool_create();
    sl_query_tok_t *t;
    size_t n;
    const char *text = "\"a\"  \"b\" | x";
    sl_query_lex(pool, text, strlen(text), NULL, &t, &n);
    cr_expect_eq(t[0].pos.len, 8, "the token spans both literals");
    cr_expect_eq(t[1].pos.col, 10, "the next token keeps its column");
    sl_pool_destroy(pool);
}

Test(query_lex, numbers)
{
    EXPECT_LEX("0 123 9223372036854775807", "L0 L123 L9223372036854775807");
    EXPECT_LEX("0x1F 0XfF 0xFFFFFFFFFFFFFFFF", "L31 L255 L-1");
    EXPECT_LEX("1.5 1. 1e3 2.5E-3 6e+2", "R1.5 R1 R1000 R0.0025 R600");
    EXPECT_LEX("1..5", "L1 .. L5");
    EXPECT_LEX("1.5..2", "R1.5 .. L2");
    EXPECT_LEX("a.b", "ID:a . ID:b");
    EXPECT_LEX("x[0].y", "ID:x [ L0 ] . ID:y");
    EXPECT_LEX("1e", "ID:1e");
    EXPECT_LEX("9223372036854775808", "ERR(integer literal out of range)");
    EXPECT_LEX("0x1FFFFFFFFFFFFFFFF", "ERR(integer literal out of range)");
    EXPECT_LEX("1.5xyz", "ERR(invalid number)");
}

Test(query_lex, timespan_units)
{
    static const struct {
        const char *text;
        long long ticks;
    } cases[] = {
        { "2d", 1728000000000LL },
        { "1day", 864000000000LL },
        { "3days", 2592000000000LL },
        { "1h", 36000000000LL },
        { "1hr", 36000000000LL },
        { "2hrs", 72000000000LL },
        { "1hour", 36000000000LL },
        { "2hours", 72000000000LL },
        { "30m", 18000000000LL },
        { "30min", 18000000000LL },
        { "1minute", 600000000LL },
        { "2minutes", 1200000000LL },
        { "10s", 100000000LL },
        { "10sec", 100000000LL },
        { "1second", 10000000LL },
        { "2seconds", 20000000LL },
        { "100ms", 1000000LL },
        { "1milli", 10000LL },
        { "2millis", 20000LL },
        { "3millisec", 30000LL },
        { "1millisecond", 10000LL },
        { "5milliseconds", 50000LL },
        { "1micro", 10LL },
        { "2micros", 20LL },
        { "3microsec", 30LL },
        { "4microsecond", 40LL },
        { "10microseconds", 100LL },
        { "100nano", 1LL },
        { "200nanos", 2LL },
        { "300nanosec", 3LL },
        { "400nanosecond", 4LL },
        { "500nanoseconds", 5LL },
        { "1tick", 1LL },
        { "7ticks", 7LL },
        { "1.5h", 54000000000LL },
        { "2.5d", 2160000000000LL },
        { "0.1s", 1000000LL },
        { "0.5tick", 1LL },
        { "0.25ms", 2500LL },
        { "90min", 54000000000LL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char expected[64];
        snprintf(expected, sizeof expected, "TS%lld", cases[i].ticks);
        EXPECT_LEX(cases[i].text, expected);
    }
}

Test(query_lex, timespan_needs_an_adjacent_lowercase_unit)
{
    EXPECT_LEX("5 min", "L5 ID:min");
    EXPECT_LEX("1D", "ID:1D");
    EXPECT_LEX("1w", "ID:1w");
    EXPECT_LEX("1dd", "ID:1dd");
    EXPECT_LEX("1e3s", "ERR(invalid number)");
    EXPECT_LEX("99999999999999999d", "ERR(timespan literal out of range)");
}

Test(query_lex, typed_literals_keep_raw_bodies)
{
    EXPECT_LEX("datetime(2024-01-01 10:00:00Z)", "TY:datetime(2024-01-01 10:00:00Z)");
    EXPECT_LEX("time(1.02:03:04.5) timespan(2)", "TY:timespan(1.02:03:04.5) TY:timespan(2)");
    EXPECT_LEX("guid(x) uuid(y) uniqueid(z)", "TY:guid(x) TY:guid(y) TY:guid(z)");
    EXPECT_LEX("int(5) int32(6) long(7) int64(8)", "TY:int(5) TY:int(6) TY:long(7) TY:long(8)");
    EXPECT_LEX("real(nan) double(1) decimal(1.5) bool(null)",
               "TY:real(nan) TY:real(1) TY:decimal(1.5) TY:bool(null)");
    EXPECT_LEX("typeof(string)", "TY:type(string)");
    EXPECT_LEX("dynamic({\"a\": [1, (2)], \"b)\": datetime(2020-01-01)})",
               "TY:dynamic({\"a\": [1, (2)], \"b)\": datetime(2020-01-01)})");
    EXPECT_LEX("datetime (2024)", "ID:datetime ( L2024 )");
    EXPECT_LEX("todatetime(x)", "ID:todatetime ( ID:x )");
    EXPECT_LEX("datetime(2024", "ERR(unterminated literal: missing ')')");
    EXPECT_LEX("dynamic([1, 2)", "ERR(unterminated dynamic literal: missing ')')");
    EXPECT_LEX("dynamic([\"a)", "ERR(unterminated string literal in dynamic literal)");
}

Test(query_lex, bool_words)
{
    sl_pool_t *pool = sl_pool_create();
    sl_query_tok_t *t;
    size_t n;
    const char *text = "true false TRUE FALSE True False tRUE";
    sl_query_lex(pool, text, strlen(text), NULL, &t, &n);
    sl_query_kw_t expected[] = { SL_QUERY_KW_TRUE,       SL_QUERY_KW_FALSE,
                                 SL_QUERY_KW_TRUE_UPPER, SL_QUERY_KW_FALSE_UPPER,
                                 SL_QUERY_KW_TRUE_TITLE, SL_QUERY_KW_FALSE_TITLE,
                                 SL_QUERY_KW_NONE };
    cr_assert_eq(n, 8);
    for (size_t i = 0; i < 7; i++) {
        cr_expect_eq(t[i].kw, expected[i], "token %zu", i);
    }
    sl_pool_destroy(pool);
}

Test(query_lex, error_ends_the_token_stream)
{
    sl_pool_t *pool = sl_pool_create();
    sl_query_tok_t *t;
    size_t n;
    const char *text = "a \"open\nb c";
    sl_query_lex(pool, text, strlen(text), NULL, &t, &n);
    cr_assert_eq(n, 2);
    cr_expect_eq(t[1].kind, SL_QUERY_T_ERROR);
    cr_expect_eq(t[1].pos.col, 3);
    cr_expect_eq(t[1].pos.len, 5, "the error covers the rest of the line");
    sl_pool_destroy(pool);
}

Test(query_lex, nul_bytes_are_rejected)
{
    sl_pool_t *pool = sl_pool_create();
    sl_query_tok_t *t;
    size_t n;
    sl_query_lex(pool, "a\0b", 3, NULL, &t, &n);
    cr_assert_eq(n, 2);
    cr_expect_eq(t[1].kind, SL_QUERY_T_ERROR);
    sl_query_lex(pool, "\"a\0b\"", 5, NULL, &t, &n);
    cr_assert_eq(t[0].kind, SL_QUERY_T_STRING, "NUL inside a string is a byte like any other");
    cr_expect_eq(t[0].v.str.n, 3);
    sl_pool_destroy(pool);
}
