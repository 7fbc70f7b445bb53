/*
 * Registry table of the text functions (see query_int.h, sl_qfn_text):
 * string operators, in / has_any / between, dynamic access, and the
 * string, regex and dynamic functions. Each family shares one bind and one
 * eval (fn_text_*.c); the bind tells the spellings apart by call->fn->name.
 *
 * Names are exact and case-sensitive, as in KQL. Operators use the
 * canonical spellings of SL_QUERY_OP_MAP (query_int.h); member access is
 * ".member", element access "[]".
 */
#include "query/fn_text_int.h"

#define VARIADIC 255

#define FN(nm, lo, hi, fam)                                                                        \
    {                                                                                              \
        .name = nm, .min_args = lo, .max_args = hi, .bind = sl_query__txt_##fam##_bind,            \
        .eval = sl_query__txt_##fam##_eval                                                         \
    }

/* clang-format off */
const sl_qfn_t sl_qfn_text[] = {
    /* String operators (fn_text_ops.c). */
    FN("=~", 2, 2, ops), FN("!~", 2, 2, ops),
    FN("has", 2, 2, ops), FN("!has", 2, 2, ops), FN("has_cs", 2, 2, ops), FN("!has_cs", 2, 2, ops),
    FN("hasprefix", 2, 2, ops), FN("!hasprefix", 2, 2, ops),
    FN("hasprefix_cs", 2, 2, ops), FN("!hasprefix_cs", 2, 2, ops),
    FN("hassuffix", 2, 2, ops), FN("!hassuffix", 2, 2, ops),
    FN("hassuffix_cs", 2, 2, ops), FN("!hassuffix_cs", 2, 2, ops),
    FN("contains", 2, 2, ops), FN("!contains", 2, 2, ops),
    FN("contains_cs", 2, 2, ops), FN("!contains_cs", 2, 2, ops),
    FN("startswith", 2, 2, ops), FN("!startswith", 2, 2, ops),
    FN("startswith_cs", 2, 2, ops), FN("!startswith_cs", 2, 2, ops),
    FN("endswith", 2, 2, ops), FN("!endswith", 2, 2, ops),
    FN("endswith_cs", 2, 2, ops), FN("!endswith_cs", 2, 2, ops),
    FN("matches_regex", 2, 2, matches),

    /* Lists and ranges (fn_text_in.c, fn_text_hasany.c, fn_text_between.c). */
    FN("in", 2, VARIADIC, in), FN("!in", 2, VARIADIC, in),
    FN("in~", 2, VARIADIC, in), FN("!in~", 2, VARIADIC, in),
    FN("has_any", 2, VARIADIC, hasany), FN("has_all", 2, VARIADIC, hasany),
    FN("between", 3, 3, between), FN("!between", 3, 3, between),

    /* Dynamic access and functions (fn_text_dyn.c). */
    FN(".member", 2, 2, member), FN("[]", 2, 2, index),
    FN("parse_json", 1, 1, parse_json), FN("todynamic", 1, 1, parse_json),
    FN("parsejson", 1, 1, parse_json), FN("toobject", 1, 1, parse_json),
    FN("array_length", 1, 1, array_length),
    FN("pack", 2, VARIADIC, pack), FN("bag_pack", 2, VARIADIC, pack),
    FN("pack_array", 1, VARIADIC, pack_array),
    FN("bag_keys", 1, 1, bag_keys),

    /* Strings (fn_text_str.c, fn_text_case.c, fn_text_find.c). */
    FN("strcat", 1, 64, strcat), FN("strcat_delim", 3, 65, strcat),
    FN("strcat_array", 2, 2, strcat_array),
    FN("split", 2, 3, split),
    FN("strlen", 1, 1, measure), FN("isascii", 1, 1, measure), FN("isutf8", 1, 1, measure),
    FN("substring", 2, 3, substring),
    FN("reverse", 1, 1, reverse),
    FN("tolower", 1, 1, case), FN("toupper", 1, 1, case),
    FN("indexof", 2, 5, indexof),
    FN("replace_string", 3, 3, replace_string),
    FN("countof", 2, 3, countof),

    /* Regex functions (fn_text_regex.c, fn_text_rewrite.c). */
    FN("extract", 3, 4, extract),
    FN("extract_all", 2, 3, extract_all), FN("extractall", 2, 3, extract_all),
    FN("replace_regex", 3, 3, replace_regex), FN("replace", 3, 3, replace_regex),
    FN("trim", 2, 2, trim), FN("trim_start", 2, 2, trim), FN("trim_end", 2, 2, trim),

    { .name = NULL },
};
/* clang-format on */
