/*
 * query internals: the KQL front end (tokens, AST, parser) shared by the files
 * of query/. The executor (planner, operators, functions) is built on the AST
 * declared here; its own declarations go in a separate section below.
 *
 * ---------------------------------------------------------------------------
 * The AST in one page
 * ---------------------------------------------------------------------------
 *
 * Every node is an sl_query_node_t allocated from the caller's sl_pool_t, so a
 * parse tree lives exactly as long as that pool and is never freed piecemeal.
 * A node has a `kind` (one enum for statements, scalar expressions and tabular
 * expressions alike), a source position, and one member of an anonymous union
 * named after the kind (`n->bin` for SL_QUERY_N_BINARY, `n->join` for
 * SL_QUERY_N_JOIN, ...). Child lists are sl_query_list_t arrays. Optional
 * children are NULL when absent.
 *
 * KQL does not separate tabular and scalar syntax (a parenthesised pipeline
 * is an expression), and neither does this AST:
 *
 *   - A pipeline `T | where x > 1 | count` is SL_QUERY_N_PIPELINE with
 *     `source` = the head (NAME T) and `ops` = [WHERE, COUNT]. A head with no
 *     `|` after it is returned as itself, so `T` alone is just NAME T and
 *     `let n = 5;` binds LITERAL 5. The binder decides what a bare name is.
 *   - Pipeline heads are NAME, CALL (`f(x)`, `table("T")`), MEMBER
 *     (`workspace("w").T`), PIPELINE (parenthesised), UNION, SEARCH, PRINT,
 *     RANGE, DATATABLE, EVALUATE, UNSUPPORTED (find, externaldata ...).
 *   - In sub-queries with an implicit input (`mv-apply ... on (where ...)`)
 *     the pipeline's `source` is NULL.
 *
 * Operators are one node kind each (WHERE, PROJECT, SUMMARIZE, JOIN ...).
 * Their parameters (`kind=inner`, `hint.strategy=shuffle`, unknown ones too)
 * are kept in source order in a `params` list of PARAM nodes; the ones with
 * meaning are also decoded into typed fields (join.kind, union.isfuzzy ...).
 * Tier-3 operators parse into SL_QUERY_N_UNSUPPORTED, which records the
 * operator's name so the executor can say "`make-series` is not supported".
 *
 * Binary and string operators are sl_query_op_t values, never strings.
 *
 * Walking a pipeline (the statement list of a query, then its stages):
 *
 *     sl_query_node_t *q;                       // SL_QUERY_N_QUERY
 *     sl_query_parse(pool, text, len, &q, &err, &diag);
 *     for (size_t i = 0; i < q->query.stmts.n; i++) {
 *         sl_query_node_t *s = q->query.stmts.v[i];
 *         if (s->kind == SL_QUERY_N_LET || s->kind == SL_QUERY_N_SET)
 *             continue;                          // bindings and options
 *         if (s->kind != SL_QUERY_N_PIPELINE)
 *             continue;                          // a bare source (NAME ...)
 *         sl_query_node_t *src = s->pipe.source; // NAME "SecurityEvent"
 *         for (size_t j = 0; j < s->pipe.ops.n; j++) {
 *             sl_query_node_t *op = s->pipe.ops.v[j];
 *             switch (op->kind) {
 *             case SL_QUERY_N_WHERE:             // op->where.pred is a scalar tree
 *                 break;
 *             case SL_QUERY_N_SUMMARIZE:         // op->summarize.aggs / .by
 *                 break;
 *             default:
 *                 break;
 *             }
 *         }
 *     }
 *
 * sl_query_ast_dump() prints any node as a deterministic S-expression; the
 * tests use it to assert tree shapes, and docs/KQL-PARSER.md describes it.
 */
#ifndef SL_QUERY_INT_H
#define SL_QUERY_INT_H

#include "common/common.h"
#include "query/query.h"

/* ------------------------------------------------------------------------ */
/* Limits                                                                   */
/* ------------------------------------------------------------------------ */

/* Parser recursion (parentheses, calls, sub-queries, dynamic nesting). Deeper
 * input fails cleanly with SL_ELIMIT instead of exhausting the stack. */
#define SL_QUERY_MAX_NESTING 200
/* Height of any expression tree, so that a left-deep chain `a or b or ...`
 * cannot make recursive walkers (the dump, the planner) overflow either. */
#define SL_QUERY_MAX_HEIGHT 1000
/* Longest query text the parser accepts. A safety net under the Query API's
 * own (smaller) limit: it bounds the memory a request can make the lexer and
 * the pool allocate (tokens and nodes are tens of bytes per source byte in
 * the worst case), and keeps every position within 32 bits. */
#define SL_QUERY_MAX_TEXT (1024u * 1024u)

/* ------------------------------------------------------------------------ */
/* Positions                                                                */
/* ------------------------------------------------------------------------ */

/* Where a token or node sits in the query text. */
typedef struct sl_query_pos {
    uint32_t off;  /* byte offset from the start of the text */
    uint32_t len;  /* length in bytes */
    uint32_t line; /* 1-based line ("\n", "\r\n" and "\r" end a line) */
    uint32_t col;  /* 1-based column in characters (UTF-8 code points) */
} sl_query_pos_t;

/* ------------------------------------------------------------------------ */
/* Keywords, operators and types                                            */
/* ------------------------------------------------------------------------ */

/*
 * Words the parser dispatches on. KQL keywords are case-sensitive and mostly
 * contextual: a plain word token keeps its keyword id *and* can still be used
 * as a name where the grammar allows (a column called `kind` or `step`).
 * Multi-part spellings (`project-away`, `!has`, `in~`, `matches regex`) are
 * single tokens of kind SL_QUERY_T_KEYWORD and are never names.
 *
 * X(id, spelling) — kept sorted by spelling (the lookup is a binary search;
 * a unit test checks every entry is found).
 */
/* clang-format off */
#define SL_QUERY_KW_MAP(X)                                                                         \
    X(NOT_BETWEEN, "!between") X(NOT_CONTAINS, "!contains") X(NOT_CONTAINS_CS, "!contains_cs")     \
    X(NOT_ENDSWITH, "!endswith") X(NOT_ENDSWITH_CS, "!endswith_cs") X(NOT_HAS, "!has")             \
    X(NOT_HAS_CS, "!has_cs") X(NOT_HASPREFIX, "!hasprefix") X(NOT_HASPREFIX_CS, "!hasprefix_cs")   \
    X(NOT_HASSUFFIX, "!hassuffix") X(NOT_HASSUFFIX_CS, "!hassuffix_cs") X(NOT_IN, "!in")           \
    X(NOT_IN_CI, "!in~") X(NOT_STARTSWITH, "!startswith") X(NOT_STARTSWITH_CS, "!startswith_cs")   \
    X(FALSE_UPPER, "FALSE") X(FALSE_TITLE, "False") X(TRUE_UPPER, "TRUE") X(TRUE_TITLE, "True")    \
    X(ACCESS, "access") X(ALIAS, "alias") X(AND, "and") X(AS, "as") X(ASC, "asc")                  \
    X(ASSERT_SCHEMA, "assert-schema") X(BETWEEN, "between") X(BIN, "bin") X(BY, "by")              \
    X(CONSUME, "consume") X(CONTAINS, "contains") X(CONTAINS_CS, "contains_cs")                    \
    X(CONTAINSCS, "containscs") X(COUNT, "count") X(DATABASE, "database")                          \
    X(DATATABLE, "datatable") X(DECLARE, "declare") X(DESC, "desc") X(DISTINCT, "distinct")        \
    X(ENDSWITH, "endswith") X(ENDSWITH_CS, "endswith_cs") X(EVALUATE, "evaluate")                  \
    X(EXECUTE_AND_CACHE, "execute-and-cache") X(EXTEND, "extend")                                  \
    X(EXTERNAL_DATA, "external_data") X(EXTERNALDATA, "externaldata") X(FACET, "facet")            \
    X(FALSE, "false") X(FILTER, "filter") X(FIND, "find") X(FIRST, "first") X(FLAGS, "flags")      \
    X(FORK, "fork") X(FROM, "from") X(GETSCHEMA, "getschema") X(GRANNY_ASC, "granny-asc")          \
    X(GRANNY_DESC, "granny-desc") X(GRAPH_MARK_COMPONENTS, "graph-mark-components")                \
    X(GRAPH_MATCH, "graph-match") X(GRAPH_MERGE, "graph-merge")                                    \
    X(GRAPH_SHORTEST_PATHS, "graph-shortest-paths") X(GRAPH_TO_TABLE, "graph-to-table")            \
    X(HAS, "has") X(HAS_ALL, "has_all") X(HAS_ANY, "has_any") X(HAS_CS, "has_cs")                  \
    X(HASPREFIX, "hasprefix") X(HASPREFIX_CS, "hasprefix_cs") X(HASSUFFIX, "hassuffix")            \
    X(HASSUFFIX_CS, "hassuffix_cs") X(HINT, "hint") X(IN, "in") X(INVOKE, "invoke")                \
    X(IN_CI, "in~") X(JOIN, "join") X(KIND, "kind") X(LAST, "last") X(LET, "let")                  \
    X(LIKE, "like") X(LIKECS, "likecs") X(LIMIT, "limit") X(LOOKUP, "lookup")                      \
    X(MACRO_EXPAND, "macro-expand") X(MAKE_GRAPH, "make-graph") X(MAKE_SERIES, "make-series")      \
    X(MATCHES_REGEX, "matches regex") X(MV_APPLY, "mv-apply") X(MV_EXPAND, "mv-expand")            \
    X(MVAPPLY, "mvapply") X(MVEXPAND, "mvexpand") X(NOTCONTAINS, "notcontains")                    \
    X(NOTCONTAINSCS, "notcontainscs") X(NOTLIKE, "notlike") X(NOTLIKECS, "notlikecs")              \
    X(NULLS, "nulls") X(OF, "of") X(ON, "on") X(OR, "or") X(ORDER, "order") X(OTHERS, "others")    \
    X(PARSE, "parse") X(PARSE_KV, "parse-kv") X(PARSE_WHERE, "parse-where")                        \
    X(PARTITION, "partition") X(PATTERN, "pattern") X(PRINT, "print") X(PROJECT, "project")        \
    X(PROJECT_AWAY, "project-away") X(PROJECT_KEEP, "project-keep")                                \
    X(PROJECT_RENAME, "project-rename") X(PROJECT_REORDER, "project-reorder")                      \
    X(PROJECT_SMART, "project-smart") X(QUERY_PARAMETERS, "query_parameters") X(RANGE, "range")    \
    X(REDUCE, "reduce") X(RENDER, "render") X(RESTRICT, "restrict") X(SAMPLE, "sample")            \
    X(SAMPLE_DISTINCT, "sample-distinct") X(SCAN, "scan") X(SEARCH, "search")                      \
    X(SERIALIZE, "serialize") X(SET, "set") X(SORT, "sort") X(STARTSWITH, "startswith")            \
    X(STARTSWITH_CS, "startswith_cs") X(STEP, "step") X(SUMMARIZE, "summarize") X(TAKE, "take")    \
    X(TO, "to") X(TOP, "top") X(TOP_HITTERS, "top-hitters") X(TOP_NESTED, "top-nested")            \
    X(TRUE, "true") X(UNION, "union") X(VIEW, "view") X(WHERE, "where") X(WITH, "with")
/* clang-format on */

typedef enum sl_query_kw {
    SL_QUERY_KW_NONE = 0,
#define SL_QUERY__KW_ENUM(id, s) SL_QUERY_KW_##id,
    SL_QUERY_KW_MAP(SL_QUERY__KW_ENUM)
#undef SL_QUERY__KW_ENUM
      SL_QUERY_KW__COUNT
} sl_query_kw_t;

/* Keyword id of the word s[0..n), or SL_QUERY_KW_NONE. */
sl_query_kw_t sl_query_kw_lookup(const char *s, size_t n);
/* Spelling of a keyword ("project-away"); "" for NONE. */
const char *sl_query_kw_name(sl_query_kw_t kw);

/*
 * Operators of scalar expressions. The `_CI` suffix is "case-insensitive"
 * (=~, in~), `_CS` is KQL's case-sensitive variant, `NOT_` the negated form.
 * Legacy spellings map onto these (containscs → CONTAINS_CS, notcontains →
 * NOT_CONTAINS, <> → NE).
 *
 * X(id, canonical spelling, precedence level of KQL.md §2.4 — 1 lowest)
 */
/* clang-format off */
#define SL_QUERY_OP_MAP(X)                                                                         \
    X(OR, "or", 1) X(AND, "and", 2) X(EQ, "==", 3) X(NE, "!=", 3) X(IN, "in", 3)                   \
    X(NOT_IN, "!in", 3) X(IN_CI, "in~", 3) X(NOT_IN_CI, "!in~", 3) X(HAS_ANY, "has_any", 3)        \
    X(HAS_ALL, "has_all", 3) X(BETWEEN, "between", 3) X(NOT_BETWEEN, "!between", 3)                \
    X(LT, "<", 4) X(LE, "<=", 4) X(GT, ">", 4) X(GE, ">=", 4) X(ADD, "+", 5) X(SUB, "-", 5)        \
    X(MUL, "*", 6) X(DIV, "/", 6) X(MOD, "%", 6) X(EQ_CI, "=~", 7) X(NE_CI, "!~", 7)               \
    X(HAS, "has", 7) X(NOT_HAS, "!has", 7) X(HAS_CS, "has_cs", 7) X(NOT_HAS_CS, "!has_cs", 7)      \
    X(HASPREFIX, "hasprefix", 7) X(NOT_HASPREFIX, "!hasprefix", 7)                                 \
    X(HASPREFIX_CS, "hasprefix_cs", 7) X(NOT_HASPREFIX_CS, "!hasprefix_cs", 7)                     \
    X(HASSUFFIX, "hassuffix", 7) X(NOT_HASSUFFIX, "!hassuffix", 7)                                 \
    X(HASSUFFIX_CS, "hassuffix_cs", 7) X(NOT_HASSUFFIX_CS, "!hassuffix_cs", 7)                     \
    X(CONTAINS, "contains", 7) X(NOT_CONTAINS, "!contains", 7) X(CONTAINS_CS, "contains_cs", 7)    \
    X(NOT_CONTAINS_CS, "!contains_cs", 7) X(STARTSWITH, "startswith", 7)                           \
    X(NOT_STARTSWITH, "!startswith", 7) X(STARTSWITH_CS, "startswith_cs", 7)                       \
    X(NOT_STARTSWITH_CS, "!startswith_cs", 7) X(ENDSWITH, "endswith", 7)                           \
    X(NOT_ENDSWITH, "!endswith", 7) X(ENDSWITH_CS, "endswith_cs", 7)                               \
    X(NOT_ENDSWITH_CS, "!endswith_cs", 7) X(LIKE, "like", 7) X(NOT_LIKE, "notlike", 7)             \
    X(LIKE_CS, "likecs", 7) X(NOT_LIKE_CS, "notlikecs", 7) X(MATCHES_REGEX, "matches_regex", 7)    \
    X(TERM, ":", 7) X(NEG, "-", 8) X(PLUS, "+", 8)
/* clang-format on */

typedef enum sl_query_op {
#define SL_QUERY__OP_ENUM(id, s, p) SL_QUERY_OP_##id,
    SL_QUERY_OP_MAP(SL_QUERY__OP_ENUM)
#undef SL_QUERY__OP_ENUM
      SL_QUERY_OP__COUNT
} sl_query_op_t;

/* Canonical spelling of an operator ("!has", "=~", "matches_regex"). */
const char *sl_query_op_name(sl_query_op_t op);
/* Precedence level of KQL.md §2.4 (1 = `or` ... 8 = unary sign). */
int sl_query_op_level(sl_query_op_t op);

/* Scalar types, as written in `col:type`, `typeof(...)` and typed literals. */
typedef enum sl_query_type {
    SL_QUERY_TY_NONE = 0, /* not given (a parse capture without `:type`) */
    SL_QUERY_TY_BOOL,
    SL_QUERY_TY_INT,
    SL_QUERY_TY_LONG,
    SL_QUERY_TY_REAL,
    SL_QUERY_TY_DECIMAL,
    SL_QUERY_TY_STRING,
    SL_QUERY_TY_DATETIME,
    SL_QUERY_TY_TIMESPAN,
    SL_QUERY_TY_GUID,
    SL_QUERY_TY_DYNAMIC,
    SL_QUERY_TY_TYPE, /* the value of a `typeof(...)` literal */
} sl_query_type_t;

/* "long", "datetime", ... ("none" / "type" for the two special values). */
const char *sl_query_type_name(sl_query_type_t t);
/* Parses a KQL type name (bool, boolean, int, int32, long, int64, real,
 * double, float, decimal, string, datetime, date, timespan, time, guid, uuid,
 * uniqueid, dynamic, and the unsigned/narrow variants); NONE if unknown. */
sl_query_type_t sl_query_type_parse(const char *s, size_t n);

/* ------------------------------------------------------------------------ */
/* Tokens                                                                   */
/* ------------------------------------------------------------------------ */

typedef enum sl_query_tok_kind {
    SL_QUERY_T_EOF = 0,
    SL_QUERY_T_ERROR,    /* the lexer failed here; v.err says why          */
    SL_QUERY_T_IDENT,    /* a word; `kw` is its keyword id or NONE          */
    SL_QUERY_T_KEYWORD,  /* multi-part keyword (project-away, !has, in~)    */
    SL_QUERY_T_STRING,   /* any string form, decoded, adjacent ones joined  */
    SL_QUERY_T_LONG,     /* 123, 0x1F                                       */
    SL_QUERY_T_REAL,     /* 1.5, 1., 1e3                                    */
    SL_QUERY_T_TIMESPAN, /* 1d, 2.5h, 30min ... decoded to ticks            */
    SL_QUERY_T_TYPED,    /* datetime(...), guid(...), dynamic(...) ...      */
    SL_QUERY_T_PIPE,     /* |  */
    SL_QUERY_T_LPAREN,   /* (  */
    SL_QUERY_T_RPAREN,   /* )  */
    SL_QUERY_T_LBRACKET, /* [  */
    SL_QUERY_T_RBRACKET, /* ]  */
    SL_QUERY_T_LBRACE,   /* {  */
    SL_QUERY_T_RBRACE,   /* }  */
    SL_QUERY_T_COMMA,    /* ,  */
    SL_QUERY_T_SEMI,     /* ;  */
    SL_QUERY_T_COLON,    /* :  */
    SL_QUERY_T_DOT,      /* .  */
    SL_QUERY_T_DOTDOT,   /* .. */
    SL_QUERY_T_ASSIGN,   /* =  */
    SL_QUERY_T_EQ,       /* == */
    SL_QUERY_T_NE,       /* != */
    SL_QUERY_T_LTGT,     /* <> */
    SL_QUERY_T_LT,       /* <  */
    SL_QUERY_T_LE,       /* <= */
    SL_QUERY_T_GT,       /* >  */
    SL_QUERY_T_GE,       /* >= */
    SL_QUERY_T_EQ_CI,    /* =~ */
    SL_QUERY_T_NE_CI,    /* !~ */
    SL_QUERY_T_PLUS,     /* +  */
    SL_QUERY_T_MINUS,    /* -  */
    SL_QUERY_T_STAR,     /* *  */
    SL_QUERY_T_SLASH,    /* /  */
    SL_QUERY_T_PERCENT,  /* %  */
    SL_QUERY_T_AT,       /* @  */
    SL_QUERY_T_ARROW,    /* => */
} sl_query_tok_kind_t;

/* Short display name of a token kind ("'|'", "string literal", ...). */
const char *sl_query_tok_kind_name(sl_query_tok_kind_t k);

typedef struct sl_query_tok {
    sl_query_tok_kind_t kind;
    sl_query_kw_t kw; /* IDENT and KEYWORD; NONE otherwise */
    sl_query_pos_t pos;
    union {
        struct {
            const char *s; /* decoded value (pool); may hold NUL bytes */
            size_t n;
            bool obfuscated; /* an h"..." part was present */
        } str;               /* STRING */
        int64_t i;           /* LONG */
        double r;            /* REAL */
        sl_ticks_t ticks;    /* TIMESPAN */
        struct {
            sl_query_type_t type; /* DATETIME, TIMESPAN, GUID, INT, LONG, REAL,
                                     DECIMAL, BOOL, DYNAMIC, or TYPE (typeof) */
            uint32_t body_off;    /* raw text between the parentheses */
            uint32_t body_len;
        } typed;         /* TYPED */
        const char *err; /* ERROR: static message */
    } v;
} sl_query_tok_t;

/*
 * Splits text[0..len) into tokens, allocated from `pool`, ending with one
 * EOF token, or with an ERROR token at the first lexical error (the parser
 * reports it if it gets that far, so errors come out in source order).
 * `base` gives the position of text[0] (for re-lexing a literal's body);
 * pass NULL for the start of a query. Never fails otherwise.
 */
void sl_query_lex(sl_pool_t *pool,
                  const char *text,
                  size_t len,
                  const sl_query_pos_t *base,
                  sl_query_tok_t **out,
                  size_t *count);

/* ------------------------------------------------------------------------ */
/* Dynamic values                                                           */
/* ------------------------------------------------------------------------ */

typedef enum sl_query_dyn_kind {
    SL_QUERY_DYN_NULL = 0,
    SL_QUERY_DYN_BOOL,
    SL_QUERY_DYN_LONG,
    SL_QUERY_DYN_REAL,
    SL_QUERY_DYN_STRING,
    SL_QUERY_DYN_DATETIME,
    SL_QUERY_DYN_TIMESPAN,
    SL_QUERY_DYN_GUID,
    SL_QUERY_DYN_ARRAY,
    SL_QUERY_DYN_OBJECT,
} sl_query_dyn_kind_t;

/* The value of a `dynamic(...)` literal: a small JSON tree in the pool.
 * Objects keep their members in source order, duplicates included. */
typedef struct sl_query_dyn sl_query_dyn_t;
struct sl_query_dyn {
    sl_query_dyn_kind_t kind;
    union {
        bool b;
        int64_t i;
        double r;
        sl_ticks_t t; /* DATETIME and TIMESPAN */
        sl_guid_t g;
        struct {
            const char *s;
            size_t n;
        } str;
        struct {
            sl_query_dyn_t **v; /* elements / member values */
            const char **keys;  /* OBJECT: member names; NULL for ARRAY */
            size_t *key_lens;
            size_t n;
        } items;
    };
};

/* ------------------------------------------------------------------------ */
/* AST                                                                      */
/* ------------------------------------------------------------------------ */

typedef enum sl_query_kind {
    /* statements */
    SL_QUERY_N_QUERY,    /* query: the statement list                                */
    SL_QUERY_N_LET,      /* let: name = value                                        */
    SL_QUERY_N_SET,      /* set: name [= value]                                      */
    SL_QUERY_N_FUNCTION, /* fn: `(params) { body }` and `view (params) { body }`     */
    SL_QUERY_N_FNPARAM,  /* fparam: one function parameter                           */
    /* scalar expressions */
    SL_QUERY_N_NAME,      /* name: identifier, ['escaped'], Wild*card               */
    SL_QUERY_N_STAR,      /* `*` (any column / all arguments)                       */
    SL_QUERY_N_LITERAL,   /* lit                                                    */
    SL_QUERY_N_BINARY,    /* bin: lhs op rhs                                        */
    SL_QUERY_N_UNARY,     /* un: -x, +x                                             */
    SL_QUERY_N_IN,        /* in: lhs in/!in/in~/!in~/has_any/has_all (items)        */
    SL_QUERY_N_BETWEEN,   /* between: lhs [!]between (lo .. hi)                     */
    SL_QUERY_N_CALL,      /* call: f(args)                                          */
    SL_QUERY_N_NAMED_ARG, /* assign-like `name = value` inside a call: named        */
    SL_QUERY_N_MEMBER,    /* member: base.name, base.['k']                          */
    SL_QUERY_N_INDEX,     /* index: base[expr], base.[expr]                         */
    SL_QUERY_N_ASSIGN,    /* assign: Name = e, (A, B) = e                           */
    SL_QUERY_N_SORTKEY,   /* sortkey: expr asc|desc nulls first|last                */
    SL_QUERY_N_COLDECL,   /* coldecl: name[:type]                                   */
    SL_QUERY_N_PARAM,     /* param: operator parameter / render property           */
    SL_QUERY_N_LIST,      /* list: several values for one render property          */
    /* tabular expressions */
    SL_QUERY_N_PIPELINE, /* pipe: source | op | op ...                               */
    SL_QUERY_N_UNION,    /* union                                                    */
    SL_QUERY_N_SEARCH,   /* search                                                   */
    SL_QUERY_N_PRINT,    /* items (exprs)                                            */
    SL_QUERY_N_RANGE,    /* range                                                    */
    SL_QUERY_N_DATATABLE,
    SL_QUERY_N_WHERE,
    SL_QUERY_N_PROJECT, /* items */
    SL_QUERY_N_EXTEND,  /* items */
    SL_QUERY_N_SUMMARIZE,
    SL_QUERY_N_SORT,
    SL_QUERY_N_TOP,
    SL_QUERY_N_TAKE,
    SL_QUERY_N_DISTINCT, /* items */
    SL_QUERY_N_COUNT,
    SL_QUERY_N_JOIN,        /* join */
    SL_QUERY_N_LOOKUP,      /* join (kind: inner / leftouter) */
    SL_QUERY_N_PARSE,       /* parse */
    SL_QUERY_N_PARSE_WHERE, /* parse */
    SL_QUERY_N_PARSE_KV,
    SL_QUERY_N_MV_EXPAND, /* mv */
    SL_QUERY_N_MV_APPLY,  /* mv */
    SL_QUERY_N_EXPAND_ITEM,
    SL_QUERY_N_PROJECT_AWAY,    /* items (NAMEs, possibly wildcarded) */
    SL_QUERY_N_PROJECT_KEEP,    /* items (NAMEs, possibly wildcarded) */
    SL_QUERY_N_PROJECT_RENAME,  /* items (ASSIGN new = old) */
    SL_QUERY_N_PROJECT_REORDER, /* items (SORTKEY on NAMEs) */
    SL_QUERY_N_RENDER,
    SL_QUERY_N_AS,
    SL_QUERY_N_SERIALIZE, /* items */
    SL_QUERY_N_SAMPLE,
    SL_QUERY_N_GETSCHEMA,
    SL_QUERY_N_INVOKE,
    SL_QUERY_N_EVALUATE,
    SL_QUERY_N_TOP_NESTED,
    SL_QUERY_N_TOP_NESTED_LEVEL,
    SL_QUERY_N_UNSUPPORTED, /* a recognised operator we do not model */
    SL_QUERY_N__COUNT
} sl_query_kind_t;

/* The name of a node kind as used by the dump ("where", "mv-expand" ...). */
const char *sl_query_kind_name(sl_query_kind_t k);
/* True for kinds that denote a table (pipeline heads and operators). */
bool sl_query_kind_is_tabular(sl_query_kind_t k);

typedef struct sl_query_node sl_query_node_t;

/* A pool-allocated array of child nodes. */
typedef struct sl_query_list {
    sl_query_node_t **v;
    size_t n;
} sl_query_list_t;

typedef enum sl_query_let_kind {
    SL_QUERY_LET_VALUE,    /* let x = <expression or tabular expression>      */
    SL_QUERY_LET_FUNCTION, /* let f = (a:string) { ... }                      */
    SL_QUERY_LET_VIEW,     /* let v = view () { ... }                         */
} sl_query_let_kind_t;

typedef enum sl_query_join_kind {
    SL_QUERY_JOIN_INNERUNIQUE = 0, /* the default when `kind=` is absent */
    SL_QUERY_JOIN_INNER,
    SL_QUERY_JOIN_LEFTOUTER,
    SL_QUERY_JOIN_RIGHTOUTER,
    SL_QUERY_JOIN_FULLOUTER,
    SL_QUERY_JOIN_LEFTANTI,  /* also spelled anti, leftantisemi */
    SL_QUERY_JOIN_RIGHTANTI, /* also rightantisemi */
    SL_QUERY_JOIN_LEFTSEMI,
    SL_QUERY_JOIN_RIGHTSEMI,
} sl_query_join_kind_t;

const char *sl_query_join_kind_name(sl_query_join_kind_t k);

typedef enum sl_query_order {
    SL_QUERY_ORDER_NONE = 0, /* project-reorder without a direction */
    SL_QUERY_ORDER_ASC,
    SL_QUERY_ORDER_DESC,
    SL_QUERY_ORDER_GRANNY_ASC,  /* project-reorder only */
    SL_QUERY_ORDER_GRANNY_DESC, /* project-reorder only */
} sl_query_order_t;

typedef enum sl_query_parse_kind {
    SL_QUERY_PARSE_SIMPLE = 0,
    SL_QUERY_PARSE_REGEX,
    SL_QUERY_PARSE_RELAXED,
} sl_query_parse_kind_t;

typedef enum sl_query_bagexp {
    SL_QUERY_BAGEXP_BAG = 0, /* the default */
    SL_QUERY_BAGEXP_ARRAY,
} sl_query_bagexp_t;

/* A literal value. `is_null` marks typed nulls (`real(null)`, `datetime(null)`).
 * Decimals keep their validated text (the executor owns 128-bit arithmetic). */
typedef struct sl_query_lit {
    sl_query_type_t type; /* STRING, BOOL, INT, LONG, REAL, DECIMAL, DATETIME,
                             TIMESPAN, GUID, DYNAMIC, TYPE */
    bool is_null;
    bool obfuscated; /* STRING written with the h"..." prefix */
    union {
        struct {
            const char *s;
            size_t n;
        } str;               /* STRING; DECIMAL's text; TYPE's row schema */
        bool b;              /* BOOL */
        int64_t i;           /* INT, LONG */
        double r;            /* REAL (may be NaN or ±inf) */
        sl_ticks_t t;        /* DATETIME (since 1970), TIMESPAN */
        sl_guid_t g;         /* GUID */
        sl_query_dyn_t *dyn; /* DYNAMIC */
    };
    sl_query_type_t of_type; /* TYPE: the type named in typeof(...), or NONE for
                                a row schema typeof(*, x:int), whose text is
                                then in `str` */
} sl_query_lit_t;

struct sl_query_node {
    sl_query_kind_t kind;
    uint32_t height; /* 1 for leaves; used to bound tree depth */
    sl_query_pos_t pos;
    union {
        struct {
            sl_query_list_t stmts; /* LET, SET and tabular expressions, in order */
        } query;
        struct {
            sl_query_node_t *name; /* NAME */
            sl_query_let_kind_t let_kind;
            sl_query_node_t *value; /* expression, pipeline, or FUNCTION */
        } let;
        struct {
            const char *name;       /* option name, as written */
            sl_query_node_t *value; /* NAME or LITERAL; NULL for `set x;` */
        } set;
        struct {
            bool is_view;
            sl_query_list_t params; /* FNPARAM */
            sl_query_list_t body;   /* LETs, then the result expression (if any) */
        } fn;
        struct {
            sl_query_node_t *name;   /* NAME */
            sl_query_type_t type;    /* scalar parameter type; NONE if tabular */
            bool tabular;            /* T:(...) */
            bool open_schema;        /* T:(*) or a schema ending in `*` */
            sl_query_list_t columns; /* tabular: COLDECLs */
            sl_query_node_t *dflt;   /* default value or NULL */
        } fparam;
        struct {
            const char *s; /* as written; for ['x'] the decoded string */
            size_t n;
            bool bracketed; /* written as ['...'] or ["..."] */
            bool wildcard;  /* contains `*` (Sec*, *, *Event) */
        } name;
        sl_query_lit_t lit;
        struct {
            sl_query_op_t op;
            sl_query_node_t *lhs, *rhs;
        } bin;
        struct {
            sl_query_op_t op; /* NEG or PLUS */
            sl_query_node_t *arg;
        } un;
        struct {
            sl_query_op_t op; /* IN, NOT_IN, IN_CI, NOT_IN_CI, HAS_ANY, HAS_ALL */
            sl_query_node_t *lhs;
            sl_query_list_t items; /* the parenthesised list; an item may be a
                                      tabular sub-query or a dynamic array */
        } in;
        struct {
            bool negated; /* !between */
            sl_query_node_t *lhs, *lo, *hi;
        } between;
        struct {
            sl_query_node_t *fn;  /* NAME of the function; MEMBER for a scoped
                                     call such as database("d").f() */
            sl_query_list_t args; /* expressions, STAR, NAMED_ARG, pipelines */
        } call;
        struct {
            sl_query_node_t *name; /* NAME */
            sl_query_node_t *value;
        } named;
        struct {
            sl_query_node_t *base;
            sl_query_node_t *name; /* NAME (bracketed for .['k']) */
        } member;
        struct {
            sl_query_node_t *base;
            sl_query_node_t *index;
            bool dotted; /* legacy `.[expr]` */
        } index;
        struct {
            sl_query_list_t names; /* NAMEs: one, or several for (a, b) = ... */
            bool tuple;            /* written with parentheses */
            sl_query_node_t *value;
        } assign;
        struct {
            sl_query_node_t *expr;
            sl_query_order_t order; /* resolved: sort/top default DESC */
            bool nulls_first;       /* resolved: default first for ASC, last for DESC */
            bool explicit_order;    /* asc/desc was written */
            bool explicit_nulls;    /* nulls first/last was written */
            bool reorder;           /* a project-reorder key: order only, no nulls */
        } sortkey;
        struct {
            sl_query_node_t *name; /* NAME */
            sl_query_type_t type;  /* NONE when not written */
        } coldecl;
        struct {
            const char *name;       /* "kind", "hint.strategy", "title" ... */
            sl_query_node_t *value; /* NAME, LITERAL, LIST, or an expression */
        } param;
        struct {
            sl_query_list_t items;
        } list;
        struct {
            sl_query_node_t *source; /* NULL: the implicit input of a sub-query */
            sl_query_list_t ops;
        } pipe;
        struct {
            sl_query_list_t params;
            bool outer; /* kind=outer (default) vs kind=inner */
            bool isfuzzy;
            sl_query_node_t *withsource; /* NAME or NULL */
            sl_query_list_t legs;        /* expressions: NAME (maybe wildcard), CALL,
                                            MEMBER, PIPELINE ... */
        } union_;
        struct {
            sl_query_list_t params;
            bool case_sensitive;    /* kind=case_sensitive */
            sl_query_list_t tables; /* `in (T1, T2)`; empty = all tables */
            sl_query_node_t *pred;
        } search;
        struct {
            sl_query_list_t params; /* DISTINCT and SERIALIZE: hints */
            sl_query_list_t items;  /* PRINT/PROJECT/EXTEND/SERIALIZE: ASSIGN or expr;
                                       DISTINCT: exprs or STAR; PROJECT_*: names */
        } items;
        struct {
            sl_query_node_t *column; /* NAME */
            sl_query_node_t *from, *to, *step;
        } range;
        struct {
            sl_query_list_t params;
            sl_query_list_t columns; /* COLDECL */
            sl_query_list_t values;  /* literals, row-major */
        } datatable;
        struct {
            sl_query_list_t params;
            sl_query_node_t *pred;
        } where;
        struct {
            sl_query_list_t params;      /* hint.* */
            sl_query_list_t aggs;        /* ASSIGN or expr */
            sl_query_list_t by;          /* ASSIGN or expr */
            sl_query_node_t *bin_legacy; /* `by X bin=N`, or NULL */
        } summarize;
        struct {
            sl_query_list_t params;
            sl_query_list_t keys; /* SORTKEY */
        } sort;
        struct {
            sl_query_list_t params;
            sl_query_node_t *count;
            sl_query_node_t *key; /* SORTKEY */
        } top;
        struct {
            sl_query_list_t params;
            sl_query_node_t *count;
        } take; /* TAKE and SAMPLE */
        struct {
            sl_query_node_t *as_name; /* `count as X`, or NULL */
        } count;
        struct {
            sl_query_list_t params;
            sl_query_join_kind_t kind;
            sl_query_node_t *right;
            sl_query_list_t on;     /* NAMEs, `$left.a == $right.b`, ... */
            sl_query_node_t *where; /* legacy `join ... where pred`, or NULL */
        } join;
        struct {
            sl_query_list_t params;
            sl_query_parse_kind_t kind;
            const char *flags; /* regex flags (`flags=Ui`) or NULL */
            sl_query_node_t *expr;
            sl_query_list_t pattern; /* STAR, LITERAL (string), COLDECL */
        } parse;
        struct {
            sl_query_node_t *expr;
            sl_query_list_t columns; /* COLDECL */
            sl_query_list_t with;    /* PARAM */
        } parse_kv;
        struct {
            sl_query_list_t params;
            sl_query_bagexp_t bagexpansion;
            sl_query_node_t *itemindex; /* NAME or NULL */
            sl_query_list_t items;      /* EXPAND_ITEM */
            sl_query_node_t *limit;     /* or NULL */
            sl_query_node_t *id;        /* mv-apply `id` value, or NULL */
            sl_query_node_t *subquery;  /* mv-apply: PIPELINE with NULL source */
        } mv;
        struct {
            sl_query_node_t *value;  /* expr or ASSIGN */
            sl_query_type_t to_type; /* `to typeof(t)`; NONE if absent */
        } expand_item;
        struct {
            const char *visualization; /* "timechart", "3Dchart" ... */
            sl_query_list_t props;     /* PARAM, in order */
        } render;
        struct {
            sl_query_list_t params;
            sl_query_node_t *name; /* NAME */
        } as;
        struct {
            sl_query_node_t *call; /* CALL (or MEMBER chain ending in one) */
        } invoke;
        struct {
            sl_query_list_t params;
            sl_query_node_t *call;  /* CALL of the plugin */
            sl_query_list_t schema; /* `: (col:type, ...)`; may be empty */
            bool open_schema;       /* the schema ends with `*` */
        } evaluate;
        struct {
            sl_query_list_t levels; /* TOP_NESTED_LEVEL */
        } top_nested;
        struct {
            sl_query_node_t *count;  /* or NULL (all) */
            sl_query_node_t *of;     /* ASSIGN or expr */
            sl_query_node_t *others; /* `with others = e`, or NULL */
            sl_query_node_t *by;     /* SORTKEY over ASSIGN or expr */
        } tn_level;
        struct {
            sl_query_kw_t kw; /* which operator */
            const char *name; /* its spelling ("make-series") */
        } unsupported;
    };
};

/* ------------------------------------------------------------------------ */
/* Parsing                                                                  */
/* ------------------------------------------------------------------------ */

/* Where and why a parse failed (all zero on success). */
typedef struct sl_query_error {
    int code;           /* SL_EPARSE, SL_EUNSUPPORTED or SL_ELIMIT */
    sl_query_pos_t pos; /* the offending token */
    char near[48];      /* its text (first line, shortened); "" at the end */
    char expected[160]; /* what was expected, or what is wrong */
} sl_query_error_t;

/*
 * Parses a whole KQL request (statements separated by `;`) into an
 * SL_QUERY_N_QUERY node allocated from `pool`. On failure returns
 *   SL_EPARSE        a syntax error (also bad literals);
 *   SL_EUNSUPPORTED  a statement KQL has but Azure Monitor does not
 *                    (`alias`, `declare query_parameters`, `restrict`,
 *                    `declare pattern`) — the API's SemanticError;
 *   SL_ELIMIT        nesting deeper than SL_QUERY_MAX_NESTING, or text longer
 *                    than SL_QUERY_MAX_TEXT;
 * and describes the first error in `err` and `d` (either may be NULL), e.g.
 *   "Syntax error at line 3, column 12 near 'by': expected an expression".
 * The text need not be NUL-terminated. Nothing is logged; pure function of its
 * input, safe on any thread with its own pool.
 */
int sl_query_parse(sl_pool_t *pool,
                   const char *text,
                   size_t len,
                   sl_query_node_t **out,
                   sl_query_error_t *err,
                   sl_diag_t *d);

/* Calls fn(child, arg) for each direct child of `n`, in source order
 * (NULL children are skipped). The generic way to walk any subtree. */
void sl_query_node_foreach_child(const sl_query_node_t *n,
                                 void (*fn)(const sl_query_node_t *child, void *arg),
                                 void *arg);

/* Appends a deterministic S-expression for `n` (and its subtree) to `out`.
 * The format is described in docs/KQL-PARSER.md. NULL prints "nil". */
void sl_query_ast_dump(const sl_query_node_t *n, sl_buf_t *out);
/* Appends the dump of a dynamic value (JSON with typed leaves). */
void sl_query_dyn_dump(const sl_query_dyn_t *v, sl_buf_t *out);

/* ------------------------------------------------------------------------ */
/* Literal decoding (shared by the parser and the executor's casts)         */
/* ------------------------------------------------------------------------ */

/* Body of datetime(...): ISO 8601 (date, 'T' or ' ', fraction, Z/offset),
 * RFC 822/1123/850 with named zones; "null" sets *is_null. 0 or SL_EPARSE. */
int sl_query_datetime_decode(const char *s, size_t n, sl_ticks_t *out, bool *is_null);
/* Body of timespan(...)/time(...): "2" (days), "1.5h", "15 seconds",
 * "[-][d.]hh:mm[:ss[.f]]", "null". 0 or SL_EPARSE. */
int sl_query_timespan_decode(const char *s, size_t n, sl_ticks_t *out, bool *is_null);
/* Number + unit as in a bare timespan literal ("30min", "1.5h"); the unit
 * spellings are those of docs/KQL-PARSER.md. 0, SL_EPARSE, or SL_ELIMIT on
 * overflow. */
int sl_query_timespan_from_parts(const char *num,
                                 size_t num_n,
                                 const char *unit,
                                 size_t unit_n,
                                 sl_ticks_t *out);
/* Length of a timespan unit spelling (d, h, min, sec, ms, tick ...) as the
 * exact ratio *num / *den ticks (a nanosecond is 1/100 tick). Returns false
 * when the word is not a unit. */
bool sl_query_timespan_unit(const char *s, size_t n, int64_t *num, int64_t *den);


/* ======================================================================== */
/* Executor: values, scalar functions, aggregates                           */
/* ======================================================================== */
/*
 * The executor runs a bound plan over batches of rows. A batch is a set of
 * equally long vectors; a vector is an sl_col_t (store/store.h) with a
 * reference count and a "constant" flag:
 *
 *   - fixed-width types (bool, int, long, real, datetime, timespan) keep
 *     their values in col.data (uint8 for bool, int64 or double otherwise)
 *     and a null bitmap in col.nulls (empty when no value is null);
 *   - text types (string, guid, dynamic) keep n+1 uint32 offsets in
 *     col.offs into col.data. Strings are never null (KQL: ""); for guid
 *     and dynamic, "" is null. A dynamic value is compact JSON text
 *     (`{"a":1}`, `[1,2]`, `"s"`, `12`, `true`, `null`), as stored.
 *   - a constant vector (konst) holds one value (col.n == 1) that stands
 *     for every row. Use SL_QV_ROW(v, i) to index any vector.
 *
 * int is stored as int64 but keeps int's range (results are wrapped to 32
 * bits only by toint()). Datetimes and timespans are 100 ns ticks; datetime
 * 0 is 1970-01-01 (KQL allows 0001-01-01 .. 9999-12-31).
 *
 * Evaluation is vectorised: a scalar function gets its argument vectors and
 * the row count and returns a new vector of that many rows. When every
 * argument is constant the evaluator calls it with n == 1 and marks the
 * result constant, so functions never special-case that. Memory that
 * scales with data is charged to the query's budget (sl_qrt_charge).
 */

#include "store/store.h"

#include <stdatomic.h>

typedef struct sl_qctx sl_qctx_t;   /* one running query (exec_ctx.c) */
typedef struct sl_qbind sl_qbind_t; /* the binder (bind.c) */

/* ---- Vectors ------------------------------------------------------------ */

typedef struct sl_qvec {
    uint32_t refs;
    bool konst;
    sl_col_t col; /* col.name is NULL; col.type is the value type */
} sl_qvec_t;

#define SL_QV_ROW(v, i) ((v)->konst ? 0 : (i))

/* A vector of type t for n rows: fixed-width values allocated (zeroed, no
 * nulls, col.n == n); text vectors empty (col.n == 0, offsets [0]) to be
 * filled with sl_qvec_push_text. */
sl_qvec_t *sl_qvec_new(sl_type_t t, size_t n);
/* Constants (one row, konst). */
sl_qvec_t *sl_qvec_const_i64(sl_type_t t, int64_t v);
sl_qvec_t *sl_qvec_const_f64(double v);
sl_qvec_t *sl_qvec_const_bool(bool v);
sl_qvec_t *sl_qvec_const_text(sl_type_t t, const char *s, size_t n);
sl_qvec_t *sl_qvec_const_null(sl_type_t t);
/* Wraps an existing column (its buffers move into the vector; `c` is left
 * empty). */
sl_qvec_t *sl_qvec_adopt(sl_col_t *c);
sl_qvec_t *sl_qvec_ref(sl_qvec_t *v);
void sl_qvec_unref(sl_qvec_t *v);
/* Rows of v: col.n, or the batch's row count for a constant. */
static inline size_t sl_qvec_len(const sl_qvec_t *v) { return v->col.n; }

static inline bool sl_qvec_is_null(const sl_qvec_t *v, size_t i)
{
    i = SL_QV_ROW(v, i);
    if (sl_type_is_text(v->col.type)) {
        if (v->col.type == SL_TYPE_STRING)
            return false;
        const uint32_t *o = (const uint32_t *)v->col.offs.data;
        return o[i + 1] == o[i];
    }
    return sl_col_is_null(&v->col, i);
}
static inline int64_t sl_qvec_i64(const sl_qvec_t *v, size_t i)
{
    return ((const int64_t *)v->col.data.data)[SL_QV_ROW(v, i)];
}
static inline double sl_qvec_f64(const sl_qvec_t *v, size_t i)
{
    return ((const double *)v->col.data.data)[SL_QV_ROW(v, i)];
}
static inline bool sl_qvec_bool(const sl_qvec_t *v, size_t i)
{
    return ((const uint8_t *)v->col.data.data)[SL_QV_ROW(v, i)] != 0;
}
static inline const char *sl_qvec_text(const sl_qvec_t *v, size_t i, size_t *len)
{
    return sl_col_text(&v->col, SL_QV_ROW(v, i), len);
}
/* Any numeric (int, long, real) value as a double; bool as 0/1. */
double sl_qvec_num(const sl_qvec_t *v, size_t i);

/* Writers for vectors made by sl_qvec_new. */
static inline int64_t *sl_qvec_i64w(sl_qvec_t *v) { return (int64_t *)v->col.data.data; }
static inline double *sl_qvec_f64w(sl_qvec_t *v) { return (double *)v->col.data.data; }
static inline uint8_t *sl_qvec_boolw(sl_qvec_t *v) { return (uint8_t *)v->col.data.data; }
/* Marks row i null (fixed-width types; the value slot should hold 0). */
void sl_qvec_set_null(sl_qvec_t *v, size_t i);
/* Appends the next text value (text vectors; "" is null for guid/dynamic). */
void sl_qvec_push_text(sl_qvec_t *v, const char *s, size_t n);
/* Reserves room for `bytes` more text bytes and `rows` more offsets. */
void sl_qvec_reserve_text(sl_qvec_t *v, size_t rows, size_t bytes);

/* Rows i where the bool vector is true (not null, not false). */
static inline bool sl_qvec_true(const sl_qvec_t *v, size_t i)
{
    return !sl_qvec_is_null(v, i) && sl_qvec_bool(v, i);
}

/* ---- Runtime context (per thread, per query) ---------------------------- */

typedef struct sl_qrt {
    sl_qctx_t *q;          /* NULL outside a query: no budget, never stopped */
    sl_ticks_t now;        /* the query's now() */
    sl_diag_t *d;          /* where a runtime error is described */
    sl_buf_t scratch;      /* free for a function's temporary use within one call */
    struct sl_qrt_rx *rx;  /* regex match state (regex.c), made on first use */
} sl_qrt_t;

/* Frees what a runtime context holds (regex state, scratch). */
void sl_qrt_dispose(sl_qrt_t *rt);
void sl_qrt_rx_free(sl_qrt_t *rt);

/* Charges `bytes` (negative: releases) to the query's memory budget;
 * SL_ELIMIT with a message in rt->d once it is exceeded. */
int sl_qrt_charge(sl_qrt_t *rt, int64_t bytes);
/* The query's fixed "now" (now() and ago() agree within one query). */
sl_ticks_t sl_qrt_now(const sl_qrt_t *rt);
/* True once the query has been cancelled or has run past its deadline;
 * long loops check it every few thousand rows and return SL_ECANCELED. */
bool sl_qrt_stopped(const sl_qrt_t *rt);

/* ---- Regular expressions (regex.c) -------------------------------------- */

/* A compiled pattern (RE2 syntax as written in KQL; PCRE2 with JIT, UTF
 * mode, and match/depth limits so that analyst patterns cannot run away).
 * Compiled once per query at bind time; shared read-only by all threads. */
typedef struct sl_qregex sl_qregex_t;

/* Compiles `pat`. SL_ESEMANTIC with PCRE2's message and offset if the
 * pattern is invalid. `flags` are KQL regex flags ("i", "s", "m", "U"), or
 * NULL. Freed when the query ends. */
int sl_qregex_compile(sl_qbind_t *b, const char *pat, size_t n, const char *flags,
                      sl_qregex_t **out, sl_diag_t *d);
/* Number of capture groups. */
uint32_t sl_qregex_groups(const sl_qregex_t *re);
/* Index of the named group, or -1. */
int sl_qregex_group_index(const sl_qregex_t *re, const char *name);
/* Matches s[0..n) starting at byte `from`. Returns 1 on a match with
 * ovec[2k], ovec[2k+1] = bounds of group k (0 = whole match; unset groups
 * are SIZE_MAX) for k < nvec/2, 0 on no match, or SL_ELIMIT (match limit
 * hit; described in rt->d). Thread-safe. */
int sl_qregex_match(const sl_qregex_t *re, const char *s, size_t n, size_t from, size_t *ovec,
                    size_t nvec, sl_qrt_t *rt);

/* ---- String operators (strops.c) ---------------------------------------- */

/* KQL.md §2.8 on byte strings. Case-insensitive variants fold ASCII only.
 * Terms are maximal runs of ASCII letters, digits and bytes >= 0x80. */
bool sl_qstr_eq(const char *a, size_t an, const char *b, size_t bn, bool cs);
bool sl_qstr_contains(const char *h, size_t hn, const char *nd, size_t nn, bool cs);
bool sl_qstr_starts(const char *h, size_t hn, const char *nd, size_t nn, bool cs);
bool sl_qstr_ends(const char *h, size_t hn, const char *nd, size_t nn, bool cs);
bool sl_qstr_has(const char *h, size_t hn, const char *nd, size_t nn, bool cs);
bool sl_qstr_hasprefix(const char *h, size_t hn, const char *nd, size_t nn, bool cs);
bool sl_qstr_hassuffix(const char *h, size_t hn, const char *nd, size_t nn, bool cs);
void sl_qstr_lower(const char *s, size_t n, char *out);

typedef enum sl_qstr_op {
    SL_QSTR_CONTAINS,
    SL_QSTR_HAS,
    SL_QSTR_HASPREFIX,
    SL_QSTR_HASSUFFIX,
} sl_qstr_op_t;

/* Whole-column scan: match[i] = 1 when row i of the text column (n rows,
 * offsets `offs` into `data`) satisfies `op` with the needle. One pass over
 * the bytes, so a rare needle costs little more than a memory scan. */
void sl_qstr_scan(const char *data, const uint32_t *offs, size_t n, const char *nd, size_t nn,
                  bool cs, sl_qstr_op_t op, uint8_t *match);

/* ---- Dynamic values (dyn.c) --------------------------------------------- */

/* Kinds of a compact JSON value. */
typedef enum sl_qdyn_kind {
    SL_QDYN_NONE = 0, /* "" (a null dynamic cell) */
    SL_QDYN_NULL,
    SL_QDYN_BOOL,
    SL_QDYN_NUMBER,
    SL_QDYN_STRING,
    SL_QDYN_ARRAY,
    SL_QDYN_OBJECT,
} sl_qdyn_kind_t;

/* The kind of the compact JSON value s[0..n). */
sl_qdyn_kind_t sl_qdyn_kind(const char *s, size_t n);
/* Member `key` of the object s[0..n) (its compact JSON text in *v, *vn);
 * false if s is not an object or has no such member. */
bool sl_qdyn_member(const char *s, size_t n, const char *key, size_t kn, const char **v,
                    size_t *vn);
/* Element i of the array s[0..n) (negative i counts from the end). */
bool sl_qdyn_index(const char *s, size_t n, int64_t i, const char **v, size_t *vn);
/* Number of elements of an array (-1 if not an array). */
int64_t sl_qdyn_array_length(const char *s, size_t n);
/* Validates arbitrary JSON text and appends its compact form (strings
 * re-escaped canonically, numbers as written) to out; SL_EPARSE if the
 * text is not JSON. Used by parse_json/todynamic. */
int sl_qdyn_compact(const char *s, size_t n, sl_buf_t *out);
/* Decodes a JSON string value (with quotes) into raw bytes in out. */
bool sl_qdyn_unquote(const char *s, size_t n, sl_buf_t *out);
/* Appends a JSON string literal for raw bytes (quoted, escaped). */
void sl_qdyn_quote(const char *s, size_t n, sl_buf_t *out);

/* ---- Bound expressions -------------------------------------------------- */

typedef struct sl_qexpr sl_qexpr_t;
typedef struct sl_qfn sl_qfn_t;

typedef enum sl_qx_kind {
    SL_QX_COL,   /* a column of the operator's input */
    SL_QX_CONST, /* a constant (literal, folded expression, let value) */
    SL_QX_CALL,  /* a scalar function or operator */
} sl_qx_kind_t;

/* A call of a scalar function. Binary and unary operators are functions
 * named by their spelling ("+", "==", "has", "!contains_cs", "in~",
 * "between"; unary minus is "-" with one argument), so is dynamic access
 * (".member" with the key as a constant string argument, "[]" with an
 * index or key argument). */
typedef struct sl_qcall {
    const sl_qfn_t *fn;
    size_t nargs;
    sl_qexpr_t **args;
    void *state; /* set by the function's bind: precomputed constants */
    int variant; /* set by bind: which implementation (e.g. per arg types) */
} sl_qcall_t;

struct sl_qexpr {
    sl_qx_kind_t kind;
    sl_type_t type;
    sl_query_pos_t pos; /* for error messages */
    union {
        size_t col;       /* COL: index into the input schema */
        sl_qvec_t *konst; /* CONST: a one-row constant vector */
        sl_qcall_t call;  /* CALL */
    };
};

static inline bool sl_qexpr_is_const(const sl_qexpr_t *e) { return e->kind == SL_QX_CONST; }
/* The text of a constant string/guid/dynamic expression; false otherwise. */
bool sl_qexpr_const_text(const sl_qexpr_t *e, const char **s, size_t *n);
/* The value of a constant numeric/datetime/timespan expression (false when
 * not constant, or null). */
bool sl_qexpr_const_i64(const sl_qexpr_t *e, int64_t *v);
bool sl_qexpr_const_f64(const sl_qexpr_t *e, double *v);

/* ---- Scalar functions (fn_*.c, registered in fn_registry.c) ------------- */

/*
 * bind: checks argument types and count (call->args[i]->type,
 * sl_qexpr_is_const ...), sets *type to the result type, and may set
 * call->state (allocated from sl_qbind_pool) and call->variant. A type
 * error returns SL_ESEMANTIC with a message naming the function and the
 * argument ("strlen(): argument 1 must be string, got long").
 *
 * eval: computes n rows from the argument vectors (each has n rows or is
 * constant) into a new vector *out of the bound type. Returns 0, or a
 * runtime error described in rt->d (SL_ELIMIT, SL_ECANCELED). Must be
 * thread-safe: call->state is read-only here.
 */
struct sl_qfn {
    const char *name;
    uint8_t min_args, max_args; /* max 255 = variadic */
    bool volatile_;             /* not folded at bind time (e.g. rand) */
    int (*bind)(sl_qbind_t *b, sl_qcall_t *call, sl_type_t *type, sl_diag_t *d);
    int (*eval)(const sl_qcall_t *call, sl_qvec_t *const *args, size_t n, sl_qvec_t **out,
                sl_qrt_t *rt);
};

/* The function called `name` (exact, case-sensitive as in KQL) taking
 * nargs arguments, or NULL. Several entries may share a name with
 * different argument counts (unary and binary "-"). */
const sl_qfn_t *sl_qfn_find(const char *name, size_t n, size_t nargs);
/* True if some function has this name (for "wrong number of arguments"). */
bool sl_qfn_exists(const char *name, size_t n);

/* The registry is the concatenation of these tables, each ended by an entry
 * with a NULL name:
 *   sl_qfn_core_cmp/arith/logic  comparison, arithmetic and logic
 *                operators (fn_core_*.c)
 *   sl_qfn_text  string operators, in/between/regex, string, regex and
 *                dynamic functions (fn_text*.c)
 *   sl_qfn_misc  conversion, datetime, math and conditional functions
 *                (fn_misc*.c) */
extern const sl_qfn_t sl_qfn_core_cmp[];
extern const sl_qfn_t sl_qfn_core_arith[];
extern const sl_qfn_t sl_qfn_core_logic[];
extern const sl_qfn_t sl_qfn_text[];
extern const sl_qfn_t sl_qfn_misc[];

/* What the binder offers bind functions. */
sl_pool_t *sl_qbind_pool(sl_qbind_t *b);
sl_ticks_t sl_qbind_now(const sl_qbind_t *b);
/* Wraps *arg in a conversion to type t (tolong, todouble, tostring, ...)
 * unless it already has that type. */
int sl_qbind_cast(sl_qbind_t *b, sl_qexpr_t **arg, sl_type_t t, sl_diag_t *d);
/* SL_ESEMANTIC "f(): argument k must be <what>, got <type>". */
int sl_qbind_arg_error(sl_diag_t *d, const sl_qcall_t *call, size_t k, const char *what);

/* Numeric promotion shared by the arithmetic operators: the wider of
 * int < long < real; 0 if either is not numeric. */
sl_type_t sl_qtype_numeric_join(sl_type_t a, sl_type_t b);
static inline bool sl_qtype_is_numeric(sl_type_t t)
{
    return t == SL_TYPE_INT || t == SL_TYPE_LONG || t == SL_TYPE_REAL;
}

/* ---- Aggregates (agg_*.c, registered in agg_registry.c) ----------------- */

typedef struct sl_qagg sl_qagg_t;

/* One aggregate call in a summarize: `name = agg(args)`. */
typedef struct sl_qaggcall {
    const sl_qagg_t *agg;
    size_t nargs;
    sl_qexpr_t **args; /* bound over the summarize's input; a `*` argument
                          (arg_max(x, *)) arrives expanded into the input's
                          columns, in order */
    const char *argname; /* inferred name of args[0] ("" if none); for naming */
    /* Set by bind: */
    size_t nout;            /* result columns (arg_max: 1 + returned columns) */
    sl_type_t *out_types;   /* nout types (from sl_qbind_pool) */
    const char **out_names; /* nout generated names (count_, sum_X, ...) */
    size_t state_size;      /* bytes of per-group state (fixed; zeroed) */
    void *bstate;           /* bind-time constants (percentile ranks ...) */
    /* Set by the operator: */
    size_t state_off; /* offset of this call's state in a group's row */
} sl_qaggcall_t;

/*
 * The summarize operator keeps, per group, one fixed-size row of states
 * (zero-initialised). Partial results from several threads are merged.
 *
 * update: for rows r < n, folds args[*] row r into the state at
 *   base + gid[r] * stride + call->state_off.
 *   Variable-size data (sets, lists, value arrays) lives behind pointers in
 *   the state and is charged with sl_qrt_charge.
 * merge:  folds state `src` into `dst` (both of this call); src is
 *   disposed by the caller afterwards.
 * finish: appends the group's result value(s) to outs[0..nout) (vectors
 *   made with sl_qvec_new(type, 0), text ones filled by push; fixed-width
 *   ones are appended with sl_qagg_push_* below).
 * dispose: frees what the state points to (may be NULL if nothing).
 */
struct sl_qagg {
    const char *name;
    uint8_t min_args, max_args; /* 255 = variadic */
    int (*bind)(sl_qbind_t *b, sl_qaggcall_t *call, sl_diag_t *d);
    int (*update)(const sl_qaggcall_t *call, uint8_t *base, size_t stride, const uint32_t *gid,
                  sl_qvec_t *const *args, size_t n, sl_qrt_t *rt);
    int (*merge)(const sl_qaggcall_t *call, void *dst, void *src, sl_qrt_t *rt);
    int (*finish)(const sl_qaggcall_t *call, void *state, sl_qvec_t **outs, sl_qrt_t *rt);
    void (*dispose)(const sl_qaggcall_t *call, void *state);
};

/* The aggregate called `name` (count, dcount, make_set ...), or NULL. */
const sl_qagg_t *sl_qagg_find(const char *name, size_t n);
/* Every aggregate (agg_*.c), ended by an entry with a NULL name. */
extern const sl_qagg_t sl_qagg_all[];

/* Appending one value to a growing fixed-width result vector. */
void sl_qagg_push_i64(sl_qvec_t *v, int64_t x);
void sl_qagg_push_f64(sl_qvec_t *v, double x);
void sl_qagg_push_bool(sl_qvec_t *v, bool x);
void sl_qagg_push_null(sl_qvec_t *v);
/* Appends row i of `src` (any type) to `dst` of the same type. */
void sl_qvec_push_from(sl_qvec_t *dst, const sl_qvec_t *src, size_t i);

/* ---- Value helpers shared by functions and aggregates (value.c) --------- */

/* Hash of row i of v (equal values hash equal across int/long; strings by
 * bytes; case-sensitive). Used by dcount, make_set, distinct, group keys. */
uint64_t sl_qvec_hash(const sl_qvec_t *v, size_t i);
/* Total order used by sort, min/max and arg_min/arg_max: <0, 0, >0.
 * Nulls compare lowest. Numbers across int/long/real by value; strings by
 * bytes; bool false < true. */
int sl_qvec_cmp(const sl_qvec_t *a, size_t i, const sl_qvec_t *b, size_t j);
/* Appends the value of row i as compact JSON (a dynamic element): numbers,
 * strings quoted, datetimes as ISO 8601 strings, timespans as
 * "[-][d.]hh:mm:ss[.fffffff]" strings, guids as strings, dynamic as is,
 * null as null. */
void sl_qvec_json(const sl_qvec_t *v, size_t i, sl_buf_t *out);
/* Formats row i as KQL's tostring() does into out (strings as is, numbers
 * shortest round-trip, datetime as sl_qfmt_datetime, timespan
 * "[-][d.]hh:mm:ss[.fffffff]", bool "true"/"false", dynamic as compact JSON
 * except a top-level string without quotes; null → ""). */
void sl_qvec_tostring(const sl_qvec_t *v, size_t i, sl_buf_t *out);
/* Timespan text as above. */
void sl_qfmt_timespan(sl_ticks_t t, sl_buf_t *out);
/* Datetime as ISO 8601 UTC, fraction trimmed ("2024-06-10T06:13:20.123Z",
 * "2024-06-10T00:00:00Z"), as the Query API and tostring() show it. */
void sl_qfmt_datetime(sl_ticks_t t, sl_buf_t *out);



/* ======================================================================== */
/* Executor: batches, plans, binder (the integrator's part)                 */
/* ======================================================================== */

/* Column names and types of a table or an operator's output. */
typedef struct sl_qschema {
    size_t n;
    const char **names; /* pool strings */
    sl_type_t *types;
} sl_qschema_t;

/* Index of column `name` (exact), or -1. */
int sl_qschema_find(const sl_qschema_t *s, const char *name);

/* Rows flowing between operators: ncols vectors of n rows each (or
 * constant). A NULL vector is a column nobody downstream reads (the
 * planner did not load it). */
typedef struct sl_qbatch {
    size_t n;
    size_t ncols;
    sl_qvec_t **cols;
} sl_qbatch_t;

void sl_qbatch_init(sl_qbatch_t *b, size_t ncols);
void sl_qbatch_dispose(sl_qbatch_t *b);
/* Keeps the rows whose `keep` byte is non-zero (gathering every column). */
void sl_qbatch_filter(sl_qbatch_t *b, const uint8_t *keep);
/* Keeps rows idx[0..k) in that order. */
void sl_qbatch_gather(sl_qbatch_t *b, const uint32_t *idx, size_t k);
/* Appends src's rows to dst (same column count and types; a constant
 * column is expanded). */
void sl_qbatch_append(sl_qbatch_t *dst, const sl_qbatch_t *src);
/* Keeps the first k rows. */
void sl_qbatch_truncate(sl_qbatch_t *b, size_t k);
/* A non-constant copy of rows [from, from+k) of v (expands constants). */
sl_qvec_t *sl_qvec_slice(const sl_qvec_t *v, size_t from, size_t k);
/* Gathers rows idx[0..k) of v into a new vector. */
sl_qvec_t *sl_qvec_gather(const sl_qvec_t *v, const uint32_t *idx, size_t k);
/* Approximate bytes held (for budgets and result caps). */
size_t sl_qbatch_bytes(const sl_qbatch_t *b);

/* Evaluates a bound expression over a batch: *out gets a vector of b->n
 * rows, or a constant. */
int sl_qexpr_eval(const sl_qexpr_t *e, const sl_qbatch_t *b, sl_qrt_t *rt, sl_qvec_t **out);
/* Calls fn(col, arg) for each input column an expression reads. */
void sl_qexpr_cols(const sl_qexpr_t *e, void (*fn)(size_t col, void *arg), void *arg);


/* ---- Plans -------------------------------------------------------------- */

typedef enum sl_qp_kind {
    SL_QP_SCAN,      /* stored tables (one leg per workspace and table) */
    SL_QP_VALUES,    /* rows known at bind time (print) */
    SL_QP_UNION,     /* several inputs; columns matched by name */
    SL_QP_FILTER,    /* where */
    SL_QP_PROJECT,   /* project, extend, project-away/-rename/-keep/-reorder */
    SL_QP_SUMMARIZE, /* output: keys, then the aggregates' columns */
    SL_QP_SORT,      /* sort (limit < 0) and top (limit >= 0) */
    SL_QP_TAKE,      /* take / limit */
    SL_QP_DISTINCT,  /* output: the distinct expressions */
    SL_QP_COUNT,     /* one row, column Count */
} sl_qp_kind_t;

/* One stored table of one workspace read by a scan. */
typedef struct sl_qleg {
    sl_guid_t ws;
    const char *table;
    size_t ncols;           /* the table's stored columns */
    const char **colnames;
    sl_type_t *coltypes;
    int *map;               /* stored column i → scan output column, or -1 */
} sl_qleg_t;

typedef struct sl_qplan sl_qplan_t;
struct sl_qplan {
    sl_qp_kind_t kind;
    sl_qschema_t out;
    sl_qplan_t *input; /* NULL for SCAN, VALUES, UNION */
    bool *need;        /* out.n flags: read by a consumer (planner) */
    union {
        struct {
            sl_qleg_t *legs;
            size_t nlegs;
            int type_col;      /* output index of `Type` (table name), or -1 */
            int tenant_col;    /* `TenantId` (workspace id), or -1 */
            int source_col;    /* union withsource= column, or -1 */
            sl_ticks_t t0, t1; /* rows outside are dropped (timespan, pushed filters) */
            sl_snap_probe_t *probes; /* terms the filters require (block skipping) */
            size_t nprobes;
        } scan;
        struct {
            sl_qbatch_t rows;
        } values;
        struct {
            sl_qplan_t **inputs;
            size_t n;
            int **maps;         /* per input: output column → input column, or -1 */
            int source_col;     /* withsource= column, or -1 */
            const char **names; /* per input: its withsource value */
        } uni;
        struct {
            sl_qexpr_t *pred;
        } filter;
        struct {
            sl_qexpr_t **exprs; /* one per output column */
        } project;
        struct {
            size_t nkeys;
            sl_qexpr_t **keys;
            size_t naggs;
            sl_qaggcall_t *aggs;
        } summarize;
        struct {
            size_t nkeys;
            sl_qexpr_t **keys;
            bool *desc;
            bool *nulls_first;
            int64_t limit; /* top: n; sort: -1 */
        } sort;
        struct {
            int64_t n;
        } take;
        struct {
            size_t n;
            sl_qexpr_t **exprs;
        } distinct;
    };
};

/* A bound query: its result tables in order, and the render request. */
typedef struct sl_qbound {
    size_t ntables;
    sl_qplan_t **tables;
    const char *visualization; /* from `render`, or NULL */
    sl_query_list_t render_props;
} sl_qbound_t;

/* ---- The binder --------------------------------------------------------- */

/* Where tables come from: the store, the workspaces the request covers,
 * and a resolver for workspace("..."). */
typedef struct sl_qsources {
    sl_store_t *store;
    const sl_guid_t *ws; /* the request's workspaces, primary first */
    size_t nws;
    int (*resolve_ws)(void *arg, const char *text, size_t n, sl_guid_t *out, sl_diag_t *d);
    void *resolve_arg;
    /* Runs a tabular sub-query at bind time (`in (T | project x)`). */
    int (*subquery)(void *arg, sl_qplan_t *plan, sl_qbatch_t *out, sl_diag_t *d);
    void *subquery_arg;
} sl_qsources_t;

typedef struct sl_qlet sl_qlet_t;

struct sl_qbind {
    sl_pool_t *pool;
    sl_ticks_t now;
    sl_diag_t *d;
    sl_qrt_t rt;                /* folds constants */
    const sl_qsources_t *src;   /* NULL: no tables (expression tests) */
    sl_qlet_t *lets;            /* innermost binding first */
    const char *op;             /* the operator being bound, for messages */
    sl_qbound_t *bound;
    /* summarize: aggregate calls inside expressions stand for columns */
    const sl_query_node_t **aggsub;
    size_t *aggsub_col;
    size_t naggsub;
};

void sl_qbind_init(sl_qbind_t *b, sl_pool_t *pool, sl_ticks_t now, const sl_qsources_t *src,
                   sl_diag_t *d);
void sl_qbind_dispose(sl_qbind_t *b);
/* Binds a whole parsed query (SL_QUERY_N_QUERY). */
int sl_qbind_query(sl_qbind_t *b, const sl_query_node_t *q, sl_qbound_t *out);
/* Binds a scalar expression over `in` (NULL: no columns). */
int sl_qbind_expr(sl_qbind_t *b, const sl_query_node_t *n, const sl_qschema_t *in,
                  sl_qexpr_t **out);
/* The name KQL gives an unnamed expression's column: a column's name, a
 * path's parts joined by '_' (a.b → a_b), the column inside bin(), floor()
 * and conversions; NULL when there is none (then ColumnN). */
const char *sl_qbind_infer_name(sl_qbind_t *b, const sl_query_node_t *n);
/* Binds a call of function `name` over bound arguments (checks, types and
 * folds it). */
int sl_qbind_call(sl_qbind_t *b, const sl_query_node_t *at, const char *name, size_t nlen,
                  sl_qexpr_t **args, size_t nargs, sl_qexpr_t **out);
/* Binds one pipeline operator over `in`. */
int sl_qbind_operator(sl_qbind_t *b, const sl_query_node_t *op, sl_qplan_t *in,
                      sl_qplan_t **out);
/* summarize (bind_summarize.c). */
int sl_qbind_summarize(sl_qbind_t *b, const sl_query_node_t *op, sl_qplan_t *in,
                       sl_qplan_t **out);
/* A fresh "ColumnN" name not in `s` (N counts from *counter + 1). */
const char *sl_qbind_column_name(sl_qbind_t *b, const sl_qschema_t *s, int *counter);
/* A literal node's constant. */
int sl_qbind_literal(sl_qbind_t *b, const sl_query_node_t *n, sl_qexpr_t **out);
/* `let` bindings: a scalar constant or a tabular expression (bound where
 * it is used, with the bindings visible where it was defined). */
sl_qlet_t *sl_qbind_let_find(sl_qbind_t *b, const char *s, size_t n);
void sl_qbind_let_push(sl_qbind_t *b, const char *s, size_t n, sl_qexpr_t *scalar,
                       const sl_query_node_t *tabular);
const sl_query_node_t *sl_qbind_let_tabular(sl_qlet_t *l, sl_qlet_t **scope);
/* A constant expression node of the vector's type (takes the reference). */
sl_qexpr_t *sl_qbind_const(sl_qbind_t *b, sl_qvec_t *v, const sl_query_node_t *at);
/* Binds a tabular expression (a pipeline, a source, a let name). */
int sl_qbind_tabular(sl_qbind_t *b, const sl_query_node_t *n, sl_qplan_t **out);
/* New plan node of `kind` over `input` with `ncols` output columns. */
sl_qplan_t *sl_qplan_new(sl_qbind_t *b, sl_qp_kind_t kind, sl_qplan_t *input, size_t ncols);


/* ---- A running query ---------------------------------------------------- */

struct sl_qctx {
    sl_ticks_t now;
    uint64_t deadline_ns;          /* monotonic; 0: none */
    const _Atomic bool *cancel;    /* set by the caller to stop, or NULL */
    _Atomic bool stop;             /* an error or the deadline stopped the query */
    int64_t budget;                /* bytes; 0: unlimited */
    _Atomic int64_t mem, mem_peak;
    _Atomic uint64_t blocks_read, blocks_pruned, bytes_decrypted, rows_scanned;
};

void sl_qctx_init(sl_qctx_t *q, sl_ticks_t now, uint64_t deadline_ns, int64_t budget,
                  const _Atomic bool *cancel);
/* A runtime context for one thread of query q. */
void sl_qrt_init(sl_qrt_t *rt, sl_qctx_t *q, sl_diag_t *d);


/* ---- Operators (op_*.c) and the executor (exec*.c) ---------------------- */

/* Rewrites a bound plan: time-range pushdown (filters, API timespan) and
 * the columns each node must produce (plan.c). */
void sl_qplan_optimize(sl_pool_t *pool, sl_qplan_t *root, bool has_timespan, sl_ticks_t t0,
                       sl_ticks_t t1);

/* sort / top (op_sort.c). */
int sl_qop_sort(const sl_qplan_t *p, sl_qbatch_t *b, int64_t limit, sl_qrt_t *rt);
int sl_qop_top_add(const sl_qplan_t *p, sl_qbatch_t *acc, sl_qbatch_t *in, sl_qrt_t *rt);

/* Hash groups for summarize and distinct (op_groups.c). */
typedef struct sl_qgroups {
    const sl_qplan_t *p;
    size_t nkeys;
    sl_qexpr_t **keyx;
    const sl_qaggcall_t *aggs;
    size_t naggs;
    sl_qvec_t **keys; /* one row per group */
    uint64_t *hash;
    uint32_t *slots;  /* group index + 1, 0 = empty */
    size_t nslots, ngroups, cap;
    uint8_t *states;
    size_t stride;
} sl_qgroups_t;

/* Assigns each aggregate's state offset (once, before any thread runs). */
void sl_qgroups_layout(sl_qplan_t *summarize);
void sl_qgroups_init(sl_qgroups_t *g, const sl_qplan_t *p);
int sl_qgroups_add(sl_qgroups_t *g, const sl_qbatch_t *b, sl_qrt_t *rt);
int sl_qgroups_merge(sl_qgroups_t *dst, sl_qgroups_t *src, sl_qrt_t *rt);
int sl_qgroups_finish(sl_qgroups_t *g, sl_qbatch_t *out, sl_qrt_t *rt);
void sl_qgroups_dispose(sl_qgroups_t *g);

/* Row operators on one batch (exec_ops.c). */
int sl_qop_filter(const sl_qplan_t *p, sl_qbatch_t *b, sl_qrt_t *rt);
int sl_qop_project(const sl_qplan_t *p, sl_qbatch_t *b, sl_qrt_t *rt);

/* What the executor needs from its caller. */
typedef struct sl_qexec {
    sl_qctx_t *q;
    sl_store_t *store;
    void (*spawn)(void *arg, void (*fn)(void *task), void *task);
    void *spawn_arg;
    unsigned helpers; /* extra threads per scan */
    sl_diag_t *d;
} sl_qexec_t;

/* Runs a plan to a materialised batch (exec.c). */
int sl_qexec_run(sl_qexec_t *x, const sl_qplan_t *p, sl_qbatch_t *out);
/* Runs the scan chain under `sink` (a SUMMARIZE, SORT with limit, TAKE,
 * DISTINCT, COUNT node, or the top of a FILTER/PROJECT chain) over the
 * scan's blocks in parallel (exec_frag.c). */
int sl_qexec_fragment(sl_qexec_t *x, const sl_qplan_t *sink, const sl_qplan_t *scan,
                      sl_qbatch_t *out);

/* ---- Evaluating expressions outside a query (tests, tools) ------------- */

/*
 * Binds and evaluates the scalar KQL expression `expr` over the rows of
 * `rows` (NULL: no columns, one row), with now() = `now`. *out gets a
 * vector of rows->nrows rows (or a constant). Returns 0, SL_EPARSE /
 * SL_ESEMANTIC (bind errors) or a runtime error, described in d. The
 * vector and everything bound are released by sl_qvec_unref(*out) and
 * sl_pool_destroy(pool).
 */
int sl_qeval_over(sl_pool_t *pool, const sl_colset_t *rows, const char *expr, sl_ticks_t now,
                  sl_qvec_t **out, sl_diag_t *d);

/* ------------------------------------------------------------------------ */
/* Internal: shared by the lexer's files                                    */
/* ------------------------------------------------------------------------ */

typedef struct sl_query__lexer {
    sl_pool_t *pool;
    const unsigned char *s;
    size_t n;
    size_t i;      /* next byte */
    uint32_t line; /* position of s[i] */
    uint32_t col;
    uint32_t base_off; /* offset of s[0] in the whole query */
    sl_buf_t scratch;  /* decoded string values being built */
} sl_query__lexer_t;

/* Advances over k bytes, keeping line and column. */
void sl_query__lex_adv(sl_query__lexer_t *lx, size_t k);
/* Byte length of the whitespace character at s[i], or 0. */
size_t sl_query__lex_ws(const sl_query__lexer_t *lx, size_t i);
/* Skips whitespace and `//` comments. */
void sl_query__lex_trivia(sl_query__lexer_t *lx);
/* Turns `tok` (whose pos holds its start) into an ERROR token spanning up to
 * byte `end` (within its first line). `msg` must be static. */
void sl_query__lex_error(sl_query__lexer_t *lx, sl_query_tok_t *tok, size_t end, const char *msg);
/* The position of s[i] now. */
sl_query_pos_t sl_query__lex_pos(const sl_query__lexer_t *lx);
/* Byte length of the string-literal opener at s[i] (", ', @", h@', ```, h~~~
 * ...), or 0 if no string starts there. */
size_t sl_query__lex_string_start(const sl_query__lexer_t *lx, size_t i);
/* Lexes the string literal at s[i] and any literals adjacent to it (only
 * whitespace and comments between) into one STRING token, or an ERROR token.
 * `tok->pos` must hold the start position. */
void sl_query__lex_string(sl_query__lexer_t *lx, sl_query_tok_t *tok);

/* ------------------------------------------------------------------------ */
/* Internal: shared by the parser's files (not for the executor)            */
/* ------------------------------------------------------------------------ */

typedef struct sl_query__parser sl_query__parser_t;

/* Parser state. One per sl_query_parse() call. */
struct sl_query__parser {
    sl_pool_t *pool;
    const char *text;
    size_t text_len;
    sl_query_tok_t *toks;
    size_t ntoks;
    size_t i;    /* current token */
    int nesting; /* recursion depth, bounded by SL_QUERY_MAX_NESTING */
    bool failed; /* the first error is recorded; unwind */
    sl_query_error_t err;
};

/* Token cursor. */
const sl_query_tok_t *sl_query__peek(const sl_query__parser_t *p, size_t ahead);
const sl_query_tok_t *sl_query__next(sl_query__parser_t *p);
bool sl_query__at(const sl_query__parser_t *p, sl_query_tok_kind_t k);
bool sl_query__at_kw(const sl_query__parser_t *p, sl_query_kw_t kw);
bool sl_query__accept(sl_query__parser_t *p, sl_query_tok_kind_t k);
bool sl_query__accept_kw(sl_query__parser_t *p, sl_query_kw_t kw);
/* Consumes a token of kind k or records "expected <what>". */
bool sl_query__expect(sl_query__parser_t *p, sl_query_tok_kind_t k, const char *what);
bool sl_query__expect_kw(sl_query__parser_t *p, sl_query_kw_t kw);
/* True if tokens a and b touch (no whitespace or comment between them). */
bool sl_query__adjacent(const sl_query_tok_t *a, const sl_query_tok_t *b);

/* Error recording: the first call wins; later calls are ignored. Returns NULL
 * so that parse functions can `return sl_query__fail(...)`. */
void *sl_query__fail(sl_query__parser_t *p,
                     const sl_query_tok_t *at,
                     int code,
                     const char *fmt,
                     ...) SL_PRINTF(4, 5);
/* "expected X" at the current token. */
void *sl_query__expected(sl_query__parser_t *p, const char *what);

/* Recursion guard: returns false (and records SL_ELIMIT) when too deep. */
bool sl_query__enter(sl_query__parser_t *p);
void sl_query__leave(sl_query__parser_t *p);

/* Nodes and lists. */
sl_query_node_t *sl_query__node(sl_query__parser_t *p,
                                sl_query_kind_t kind,
                                const sl_query_tok_t *at);
/* Completes a node: extends its position to the end of the previous token
 * and computes its height from its children. Returns n, or NULL (recording
 * SL_ELIMIT) when the tree gets taller than SL_QUERY_MAX_HEIGHT. Every
 * constructor calls it last. */
sl_query_node_t *sl_query__finish(sl_query__parser_t *p, sl_query_node_t *n);

/* A growable list used while parsing; its storage lives in the pool, so an
 * abandoned parse leaks nothing. */
typedef struct sl_query__vec {
    sl_pool_t *pool;
    sl_query_node_t **v;
    size_t n, cap;
} sl_query__vec_t;
void sl_query__vec_init(sl_query__parser_t *p, sl_query__vec_t *vec);
void sl_query__vec_push(sl_query__vec_t *vec, sl_query_node_t *n);
sl_query_list_t sl_query__vec_done(sl_query__vec_t *vec);

/* Names: identifiers (any word) and ['escaped'] names. */
bool sl_query__at_name(const sl_query__parser_t *p);
sl_query_node_t *sl_query__parse_name(sl_query__parser_t *p, const char *what);
/* Names with `*` wildcards (Sec*, *, *_CL), for union, project-away ... */
sl_query_node_t *sl_query__parse_wild_name(sl_query__parser_t *p, const char *what);
/* A `name:type` column declaration; `type_optional` for parse captures. */
sl_query_node_t *sl_query__parse_coldecl(sl_query__parser_t *p, bool type_optional);
/* A parenthesised schema `(a:string, b:long)`; `allow_star` for `(*)`. */
bool sl_query__parse_schema(sl_query__parser_t *p,
                            sl_query_list_t *cols,
                            bool allow_star,
                            bool *star);

/* Literals (parse_literal.c): turns the current literal token into a node. */
bool sl_query__at_literal(const sl_query__parser_t *p);
sl_query_node_t *sl_query__parse_literal(sl_query__parser_t *p);
/* Decodes a dynamic(...) token body (parse_dynamic.c). */
sl_query_dyn_t *sl_query__parse_dynamic(sl_query__parser_t *p, const sl_query_tok_t *tok);

/* Expressions (parse_expr.c). */
sl_query_node_t *sl_query__parse_expr(sl_query__parser_t *p);       /* unnamed, `or` level */
sl_query_node_t *sl_query__parse_postfix(sl_query__parser_t *p);    /* calls and paths */
sl_query_node_t *sl_query__parse_named_expr(sl_query__parser_t *p); /* [Name =] expr */
/* Comma-separated named expressions until no comma follows. */
bool sl_query__parse_named_list(sl_query__parser_t *p, sl_query_list_t *out);
/* `expr [asc|desc] [nulls first|last]`; default order is DESC. */
sl_query_node_t *sl_query__parse_sortkey(sl_query__parser_t *p, bool named);

/* Tabular (parse_tabular.c). */
sl_query_node_t *sl_query__parse_pipe_expr(sl_query__parser_t *p);
/* A pipeline whose first stage may be an operator (implicit input). */
sl_query_node_t *sl_query__parse_subquery(sl_query__parser_t *p);
/* True when the current token ends an operator (|, ;, ), ], }, EOF). */
bool sl_query__at_op_end(const sl_query__parser_t *p);
/* Operator parameters `name=value ...`. `known` is a NULL-terminated list of
 * names accepted besides hint.*; `any` also accepts unknown names. */
bool sl_query__parse_params(sl_query__parser_t *p,
                            sl_query_list_t *out,
                            const char *const *known,
                            bool any);
/* The value of the param called `name` in `params`, or NULL. */
sl_query_node_t *sl_query__param(const sl_query_list_t *params, const char *name);
/* An operator parameter's or property's value: a name, a literal, or a
 * signed number. */
sl_query_node_t *sl_query__parse_param_value(sl_query__parser_t *p);
/* Skips an operator we do not model (balanced to the next top-level |, ;). */
sl_query_node_t *sl_query__parse_unsupported(sl_query__parser_t *p);

/* Operators (parse_ops.c, parse_join.c, parse_parse.c). Each is called with
 * the operator's keyword as the current token and returns its node. */
sl_query_node_t *sl_query__parse_operator(sl_query__parser_t *p);
sl_query_node_t *sl_query__op_join(sl_query__parser_t *p);
sl_query_node_t *sl_query__op_lookup(sl_query__parser_t *p);
sl_query_node_t *sl_query__op_union(sl_query__parser_t *p);
sl_query_node_t *sl_query__op_search(sl_query__parser_t *p);
sl_query_node_t *sl_query__op_parse(sl_query__parser_t *p);
sl_query_node_t *sl_query__op_parse_kv(sl_query__parser_t *p);
sl_query_node_t *sl_query__op_mv_expand(sl_query__parser_t *p);
sl_query_node_t *sl_query__op_mv_apply(sl_query__parser_t *p);
sl_query_node_t *sl_query__op_render(sl_query__parser_t *p);
sl_query_node_t *sl_query__op_evaluate(sl_query__parser_t *p);

/* Statements (parse_stmt.c): a `{ ... }` function body. */
bool sl_query__parse_body(sl_query__parser_t *p, sl_query_node_t *fn);

#endif /* SL_QUERY_INT_H */
