/*
 * The fixed vocabularies of the KQL front end: keywords, operators, type
 * names, node-kind and token-kind names.
 *
 * All tables are const and generated from the X-macros in query_int.h, so a
 * new keyword or operator is one line there. Keywords are looked up by binary
 * search over SL_QUERY_KW_MAP, which is written in byte order; the unit tests
 * look every entry up, so an out-of-order edit fails loudly rather than
 * silently hiding a keyword.
 */
#include "query/query_int.h"

#include <string.h>

static const char *const kw_names[] = { "",
#define KW_NAME(id, s) s,
                                        SL_QUERY_KW_MAP(KW_NAME)
#undef KW_NAME
};

/* Lengths, computed at compile time: the lookup runs once per word. */
static const uint8_t kw_lens[] = { 0,
#define KW_LEN(id, s) sizeof(s) - 1,
                                   SL_QUERY_KW_MAP(KW_LEN)
#undef KW_LEN
};

/* Binary search by bytes: the map is sorted with memcmp order, shorter
 * prefixes first, which is what the comparison below implements. */
sl_query_kw_t sl_query_kw_lookup(const char *s, size_t n)
{
    size_t lo = 1, hi = SL_QUERY_KW__COUNT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *k = kw_names[mid];
        size_t kn = kw_lens[mid];
        int c = memcmp(s, k, n < kn ? n : kn);
        if (c == 0) {
            c = n < kn ? -1 : n > kn ? 1 : 0;
        }
        if (c == 0) {
            return (sl_query_kw_t)mid;
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return SL_QUERY_KW_NONE;
}

const char *sl_query_kw_name(sl_query_kw_t kw)
{
    if ((unsigned)kw >= SL_QUERY_KW__COUNT) {
        return "";
    }
    return kw_names[kw];
}

static const struct {
    const char *name;
    int level;
} op_info[] = {
#define OP_INFO(id, s, lvl) { s, lvl },
    SL_QUERY_OP_MAP(OP_INFO)
#undef OP_INFO
};

const char *sl_query_op_name(sl_query_op_t op)
{
    return (unsigned)op < SL_QUERY_OP__COUNT ? op_info[op].name : "?";
}

int sl_query_op_level(sl_query_op_t op)
{
    return (unsigned)op < SL_QUERY_OP__COUNT ? op_info[op].level : 0;
}

/* The engine's type names, as the dump and error messages print them. */
const char *sl_query_type_name(sl_query_type_t t)
{
    switch (t) {
    case SL_QUERY_TY_NONE:
        return "none";
    case SL_QUERY_TY_BOOL:
        return "bool";
    case SL_QUERY_TY_INT:
        return "int";
    case SL_QUERY_TY_LONG:
        return "long";
    case SL_QUERY_TY_REAL:
        return "real";
    case SL_QUERY_TY_DECIMAL:
        return "decimal";
    case SL_QUERY_TY_STRING:
        return "string";
    case SL_QUERY_TY_DATETIME:
        return "datetime";
    case SL_QUERY_TY_TIMESPAN:
        return "timespan";
    case SL_QUERY_TY_GUID:
        return "guid";
    case SL_QUERY_TY_DYNAMIC:
        return "dynamic";
    case SL_QUERY_TY_TYPE:
        return "type";
    }
    return "?";
}

sl_query_type_t sl_query_type_parse(const char *s, size_t n)
{
    /* Kql.g4's parameterType and extendedParameterType: the narrow and
     * unsigned spellings fold onto the engine's int/long/real. */
    static const struct {
        const char *name;
        sl_query_type_t type;
    } names[] = {
        { "bool", SL_QUERY_TY_BOOL },       { "boolean", SL_QUERY_TY_BOOL },
        { "int", SL_QUERY_TY_INT },         { "int8", SL_QUERY_TY_INT },
        { "int16", SL_QUERY_TY_INT },       { "int32", SL_QUERY_TY_INT },
        { "uint8", SL_QUERY_TY_INT },       { "uint16", SL_QUERY_TY_INT },
        { "byte", SL_QUERY_TY_INT },        { "char", SL_QUERY_TY_INT },
        { "long", SL_QUERY_TY_LONG },       { "int64", SL_QUERY_TY_LONG },
        { "uint", SL_QUERY_TY_LONG },       { "uint32", SL_QUERY_TY_LONG },
        { "ulong", SL_QUERY_TY_LONG },      { "uint64", SL_QUERY_TY_LONG },
        { "real", SL_QUERY_TY_REAL },       { "double", SL_QUERY_TY_REAL },
        { "float", SL_QUERY_TY_REAL },      { "decimal", SL_QUERY_TY_DECIMAL },
        { "string", SL_QUERY_TY_STRING },   { "datetime", SL_QUERY_TY_DATETIME },
        { "date", SL_QUERY_TY_DATETIME },   { "timespan", SL_QUERY_TY_TIMESPAN },
        { "time", SL_QUERY_TY_TIMESPAN },   { "guid", SL_QUERY_TY_GUID },
        { "uuid", SL_QUERY_TY_GUID },       { "uniqueid", SL_QUERY_TY_GUID },
        { "dynamic", SL_QUERY_TY_DYNAMIC },
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(names); i++) {
        if (strlen(names[i].name) == n && memcmp(names[i].name, s, n) == 0) {
            return names[i].type;
        }
    }
    return SL_QUERY_TY_NONE;
}

/* Canonical kind names; aliases (anti, leftantisemi ...) are folded by the
 * parser before they reach the enum. */
const char *sl_query_join_kind_name(sl_query_join_kind_t k)
{
    static const char *const names[] = { "innerunique", "inner",     "leftouter",
                                         "rightouter",  "fullouter", "leftanti",
                                         "rightanti",   "leftsemi",  "rightsemi" };
    return (unsigned)k < SL_ARRAY_SIZE(names) ? names[k] : "?";
}

/* What an "expected X" message calls a token kind. */
const char *sl_query_tok_kind_name(sl_query_tok_kind_t k)
{
    static const char *const names[] = {
        [SL_QUERY_T_EOF] = "end of query",
        [SL_QUERY_T_ERROR] = "invalid token",
        [SL_QUERY_T_IDENT] = "name",
        [SL_QUERY_T_KEYWORD] = "keyword",
        [SL_QUERY_T_STRING] = "string literal",
        [SL_QUERY_T_LONG] = "number",
        [SL_QUERY_T_REAL] = "number",
        [SL_QUERY_T_TIMESPAN] = "timespan literal",
        [SL_QUERY_T_TYPED] = "literal",
        [SL_QUERY_T_PIPE] = "'|'",
        [SL_QUERY_T_LPAREN] = "'('",
        [SL_QUERY_T_RPAREN] = "')'",
        [SL_QUERY_T_LBRACKET] = "'['",
        [SL_QUERY_T_RBRACKET] = "']'",
        [SL_QUERY_T_LBRACE] = "'{'",
        [SL_QUERY_T_RBRACE] = "'}'",
        [SL_QUERY_T_COMMA] = "','",
        [SL_QUERY_T_SEMI] = "';'",
        [SL_QUERY_T_COLON] = "':'",
        [SL_QUERY_T_DOT] = "'.'",
        [SL_QUERY_T_DOTDOT] = "'..'",
        [SL_QUERY_T_ASSIGN] = "'='",
        [SL_QUERY_T_EQ] = "'=='",
        [SL_QUERY_T_NE] = "'!='",
        [SL_QUERY_T_LTGT] = "'<>'",
        [SL_QUERY_T_LT] = "'<'",
        [SL_QUERY_T_LE] = "'<='",
        [SL_QUERY_T_GT] = "'>'",
        [SL_QUERY_T_GE] = "'>='",
        [SL_QUERY_T_EQ_CI] = "'=~'",
        [SL_QUERY_T_NE_CI] = "'!~'",
        [SL_QUERY_T_PLUS] = "'+'",
        [SL_QUERY_T_MINUS] = "'-'",
        [SL_QUERY_T_STAR] = "'*'",
        [SL_QUERY_T_SLASH] = "'/'",
        [SL_QUERY_T_PERCENT] = "'%'",
        [SL_QUERY_T_AT] = "'@'",
        [SL_QUERY_T_ARROW] = "'=>'",
    };
    return (unsigned)k < SL_ARRAY_SIZE(names) && names[k] ? names[k] : "?";
}

/* Node kind names double as the dump's list heads, so they follow KQL's own
 * spelling where there is one (mv-expand, project-away). */
const char *sl_query_kind_name(sl_query_kind_t k)
{
    static const char *const names[] = {
        [SL_QUERY_N_QUERY] = "query",
        [SL_QUERY_N_LET] = "let",
        [SL_QUERY_N_SET] = "set",
        [SL_QUERY_N_FUNCTION] = "function",
        [SL_QUERY_N_FNPARAM] = "fparam",
        [SL_QUERY_N_NAME] = "name",
        [SL_QUERY_N_STAR] = "*",
        [SL_QUERY_N_LITERAL] = "literal",
        [SL_QUERY_N_BINARY] = "binary",
        [SL_QUERY_N_UNARY] = "unary",
        [SL_QUERY_N_IN] = "in",
        [SL_QUERY_N_BETWEEN] = "between",
        [SL_QUERY_N_CALL] = "call",
        [SL_QUERY_N_NAMED_ARG] = "arg",
        [SL_QUERY_N_MEMBER] = ".",
        [SL_QUERY_N_INDEX] = "[]",
        [SL_QUERY_N_ASSIGN] = "=",
        [SL_QUERY_N_SORTKEY] = "key",
        [SL_QUERY_N_COLDECL] = "col",
        [SL_QUERY_N_PARAM] = "param",
        [SL_QUERY_N_LIST] = "list",
        [SL_QUERY_N_PIPELINE] = "pipe",
        [SL_QUERY_N_UNION] = "union",
        [SL_QUERY_N_SEARCH] = "search",
        [SL_QUERY_N_PRINT] = "print",
        [SL_QUERY_N_RANGE] = "range",
        [SL_QUERY_N_DATATABLE] = "datatable",
        [SL_QUERY_N_WHERE] = "where",
        [SL_QUERY_N_PROJECT] = "project",
        [SL_QUERY_N_EXTEND] = "extend",
        [SL_QUERY_N_SUMMARIZE] = "summarize",
        [SL_QUERY_N_SORT] = "sort",
        [SL_QUERY_N_TOP] = "top",
        [SL_QUERY_N_TAKE] = "take",
        [SL_QUERY_N_DISTINCT] = "distinct",
        [SL_QUERY_N_COUNT] = "count",
        [SL_QUERY_N_JOIN] = "join",
        [SL_QUERY_N_LOOKUP] = "lookup",
        [SL_QUERY_N_PARSE] = "parse",
        [SL_QUERY_N_PARSE_WHERE] = "parse-where",
        [SL_QUERY_N_PARSE_KV] = "parse-kv",
        [SL_QUERY_N_MV_EXPAND] = "mv-expand",
        [SL_QUERY_N_MV_APPLY] = "mv-apply",
        [SL_QUERY_N_EXPAND_ITEM] = "item",
        [SL_QUERY_N_PROJECT_AWAY] = "project-away",
        [SL_QUERY_N_PROJECT_KEEP] = "project-keep",
        [SL_QUERY_N_PROJECT_RENAME] = "project-rename",
        [SL_QUERY_N_PROJECT_REORDER] = "project-reorder",
        [SL_QUERY_N_RENDER] = "render",
        [SL_QUERY_N_AS] = "as",
        [SL_QUERY_N_SERIALIZE] = "serialize",
        [SL_QUERY_N_SAMPLE] = "sample",
        [SL_QUERY_N_GETSCHEMA] = "getschema",
        [SL_QUERY_N_INVOKE] = "invoke",
        [SL_QUERY_N_EVALUATE] = "evaluate",
        [SL_QUERY_N_TOP_NESTED] = "top-nested",
        [SL_QUERY_N_TOP_NESTED_LEVEL] = "level",
        [SL_QUERY_N_UNSUPPORTED] = "unsupported",
    };
    return (unsigned)k < SL_ARRAY_SIZE(names) && names[k] ? names[k] : "?";
}

/* Tabular kinds are contiguous in the enum, except the helper nodes that
 * only appear inside an operator. */
bool sl_query_kind_is_tabular(sl_query_kind_t k)
{
    return k >= SL_QUERY_N_PIPELINE && k < SL_QUERY_N__COUNT && k != SL_QUERY_N_EXPAND_ITEM &&
           k != SL_QUERY_N_TOP_NESTED_LEVEL;
}
