/*
 * Scalar expressions, with exactly the precedence of KQL.md §2.4 (lowest
 * first), one function per level:
 *
 *   1 or            left-associative
 *   2 and           left-associative
 *   3 == != <>, in !in in~ !in~ has_any has_all (list), [!]between (a .. b)
 *                   not chainable: `a == b == c` is a syntax error
 *   4 < <= > >=     not chainable
 *   5 + -           left-associative
 *   6 * / %         left-associative
 *   7 =~ !~ has contains startswith ... matches regex, and `Col:"term"`
 *                   not chainable
 *   8 unary + -     one sign (as Kql.g4's invocationExpression)
 *   9 postfix       f(args), .name, .['key'], [index], .[index]
 *
 * So `a < b == c` is `(a < b) == c` and `x * y has z` is `x * (y has z)`.
 * Sign and number fold: `-1` is the literal -1 (as Kql.g4's signed literals),
 * while `-x` is a UNARY node.
 *
 * `*` is an operand only where KQL gives it meaning: before `==` or a string
 * operator (`where * has "x"`, any column) and as a call argument
 * (`arg_max(TimeGenerated, *)`); `search *` is handled by search itself.
 *
 * The right side of `in`/`has_any` and each call argument is a full pipe
 * expression, so `x in (T | project y)` and `toscalar(T | count)` need no
 * special grammar: a `|` there can only continue a sub-query.
 */
#include "query/query_int.h"

#include <string.h>

/* The binary operator a token spells, if any. */
static bool tok_op(const sl_query_tok_t *t, sl_query_op_t *op)
{
    switch (t->kind) {
    case SL_QUERY_T_EQ:
        *op = SL_QUERY_OP_EQ;
        return true;
    case SL_QUERY_T_NE:
    case SL_QUERY_T_LTGT:
        *op = SL_QUERY_OP_NE;
        return true;
    case SL_QUERY_T_LT:
        *op = SL_QUERY_OP_LT;
        return true;
    case SL_QUERY_T_LE:
        *op = SL_QUERY_OP_LE;
        return true;
    case SL_QUERY_T_GT:
        *op = SL_QUERY_OP_GT;
        return true;
    case SL_QUERY_T_GE:
        *op = SL_QUERY_OP_GE;
        return true;
    case SL_QUERY_T_PLUS:
        *op = SL_QUERY_OP_ADD;
        return true;
    case SL_QUERY_T_MINUS:
        *op = SL_QUERY_OP_SUB;
        return true;
    case SL_QUERY_T_STAR:
        *op = SL_QUERY_OP_MUL;
        return true;
    case SL_QUERY_T_SLASH:
        *op = SL_QUERY_OP_DIV;
        return true;
    case SL_QUERY_T_PERCENT:
        *op = SL_QUERY_OP_MOD;
        return true;
    case SL_QUERY_T_EQ_CI:
        *op = SL_QUERY_OP_EQ_CI;
        return true;
    case SL_QUERY_T_NE_CI:
        *op = SL_QUERY_OP_NE_CI;
        return true;
    case SL_QUERY_T_COLON:
        *op = SL_QUERY_OP_TERM;
        return true;
    case SL_QUERY_T_IDENT:
    case SL_QUERY_T_KEYWORD:
        break;
    default:
        return false;
    }
    /* Operator words by keyword id (0 = not an operator; else op + 1). */
    static const uint8_t word_ops[SL_QUERY_KW__COUNT] = {
        [SL_QUERY_KW_OR] = SL_QUERY_OP_OR + 1,
        [SL_QUERY_KW_AND] = SL_QUERY_OP_AND + 1,
        [SL_QUERY_KW_IN] = SL_QUERY_OP_IN + 1,
        [SL_QUERY_KW_NOT_IN] = SL_QUERY_OP_NOT_IN + 1,
        [SL_QUERY_KW_IN_CI] = SL_QUERY_OP_IN_CI + 1,
        [SL_QUERY_KW_NOT_IN_CI] = SL_QUERY_OP_NOT_IN_CI + 1,
        [SL_QUERY_KW_HAS_ANY] = SL_QUERY_OP_HAS_ANY + 1,
        [SL_QUERY_KW_HAS_ALL] = SL_QUERY_OP_HAS_ALL + 1,
        [SL_QUERY_KW_BETWEEN] = SL_QUERY_OP_BETWEEN + 1,
        [SL_QUERY_KW_NOT_BETWEEN] = SL_QUERY_OP_NOT_BETWEEN + 1,
        [SL_QUERY_KW_HAS] = SL_QUERY_OP_HAS + 1,
        [SL_QUERY_KW_NOT_HAS] = SL_QUERY_OP_NOT_HAS + 1,
        [SL_QUERY_KW_HAS_CS] = SL_QUERY_OP_HAS_CS + 1,
        [SL_QUERY_KW_NOT_HAS_CS] = SL_QUERY_OP_NOT_HAS_CS + 1,
        [SL_QUERY_KW_HASPREFIX] = SL_QUERY_OP_HASPREFIX + 1,
        [SL_QUERY_KW_NOT_HASPREFIX] = SL_QUERY_OP_NOT_HASPREFIX + 1,
        [SL_QUERY_KW_HASPREFIX_CS] = SL_QUERY_OP_HASPREFIX_CS + 1,
        [SL_QUERY_KW_NOT_HASPREFIX_CS] = SL_QUERY_OP_NOT_HASPREFIX_CS + 1,
        [SL_QUERY_KW_HASSUFFIX] = SL_QUERY_OP_HASSUFFIX + 1,
        [SL_QUERY_KW_NOT_HASSUFFIX] = SL_QUERY_OP_NOT_HASSUFFIX + 1,
        [SL_QUERY_KW_HASSUFFIX_CS] = SL_QUERY_OP_HASSUFFIX_CS + 1,
        [SL_QUERY_KW_NOT_HASSUFFIX_CS] = SL_QUERY_OP_NOT_HASSUFFIX_CS + 1,
        [SL_QUERY_KW_CONTAINS] = SL_QUERY_OP_CONTAINS + 1,
        [SL_QUERY_KW_NOT_CONTAINS] = SL_QUERY_OP_NOT_CONTAINS + 1,
        [SL_QUERY_KW_NOTCONTAINS] = SL_QUERY_OP_NOT_CONTAINS + 1,
        [SL_QUERY_KW_CONTAINS_CS] = SL_QUERY_OP_CONTAINS_CS + 1,
        [SL_QUERY_KW_CONTAINSCS] = SL_QUERY_OP_CONTAINS_CS + 1,
        [SL_QUERY_KW_NOT_CONTAINS_CS] = SL_QUERY_OP_NOT_CONTAINS_CS + 1,
        [SL_QUERY_KW_NOTCONTAINSCS] = SL_QUERY_OP_NOT_CONTAINS_CS + 1,
        [SL_QUERY_KW_STARTSWITH] = SL_QUERY_OP_STARTSWITH + 1,
        [SL_QUERY_KW_NOT_STARTSWITH] = SL_QUERY_OP_NOT_STARTSWITH + 1,
        [SL_QUERY_KW_STARTSWITH_CS] = SL_QUERY_OP_STARTSWITH_CS + 1,
        [SL_QUERY_KW_NOT_STARTSWITH_CS] = SL_QUERY_OP_NOT_STARTSWITH_CS + 1,
        [SL_QUERY_KW_ENDSWITH] = SL_QUERY_OP_ENDSWITH + 1,
        [SL_QUERY_KW_NOT_ENDSWITH] = SL_QUERY_OP_NOT_ENDSWITH + 1,
        [SL_QUERY_KW_ENDSWITH_CS] = SL_QUERY_OP_ENDSWITH_CS + 1,
        [SL_QUERY_KW_NOT_ENDSWITH_CS] = SL_QUERY_OP_NOT_ENDSWITH_CS + 1,
        [SL_QUERY_KW_LIKE] = SL_QUERY_OP_LIKE + 1,
        [SL_QUERY_KW_NOTLIKE] = SL_QUERY_OP_NOT_LIKE + 1,
        [SL_QUERY_KW_LIKECS] = SL_QUERY_OP_LIKE_CS + 1,
        [SL_QUERY_KW_NOTLIKECS] = SL_QUERY_OP_NOT_LIKE_CS + 1,
        [SL_QUERY_KW_MATCHES_REGEX] = SL_QUERY_OP_MATCHES_REGEX + 1,
    };
    if ((unsigned)t->kw < SL_QUERY_KW__COUNT && word_ops[t->kw]) {
        *op = (sl_query_op_t)(word_ops[t->kw] - 1);
        return true;
    }
    return false;
}

/* The operator at the current token if it belongs to precedence `level`. */
static bool at_level(const sl_query__parser_t *p, int level, sl_query_op_t *op)
{
    return tok_op(sl_query__peek(p, 0), op) && sl_query_op_level(*op) == level;
}

static sl_query_node_t *binary(sl_query__parser_t *p,
                               sl_query_op_t op,
                               sl_query_node_t *lhs,
                               sl_query_node_t *rhs)
{
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_BINARY, NULL);
    n->pos = lhs->pos; /* a binary node spans from its left operand */
    n->bin.op = op;
    n->bin.lhs = lhs;
    n->bin.rhs = rhs;
    return sl_query__finish(p, n);
}

/* ------------------------------------------------------------------------ */
/* Primary and postfix                                                      */
/* ------------------------------------------------------------------------ */

static sl_query_node_t *primary(sl_query__parser_t *p);

/* `(arg, ...)` of a call; the current token is the '('. */
static sl_query_node_t *call(sl_query__parser_t *p, sl_query_node_t *fn)
{
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_CALL, NULL);
    n->pos = fn->pos;
    n->call.fn = fn;
    sl_query__next(p);
    sl_query__vec_t args;
    sl_query__vec_init(p, &args);
    while (!sl_query__at(p, SL_QUERY_T_RPAREN)) {
        const sl_query_tok_t *t = sl_query__peek(p, 0);
        sl_query_node_t *a;
        sl_query_tok_kind_t after = sl_query__peek(p, 1)->kind;
        if (t->kind == SL_QUERY_T_STAR &&
            (after == SL_QUERY_T_COMMA || after == SL_QUERY_T_RPAREN)) {
            a = sl_query__node(p, SL_QUERY_N_STAR, t);
            sl_query__next(p);
            a = sl_query__finish(p, a);
        } else if (t->kind == SL_QUERY_T_IDENT && after == SL_QUERY_T_ASSIGN) {
            a = sl_query__node(p, SL_QUERY_N_NAMED_ARG, t);
            a->named.name = sl_query__parse_name(p, "a parameter name");
            sl_query__next(p); /* = */
            a->named.value = sl_query__parse_pipe_expr(p);
            a = a->named.value ? sl_query__finish(p, a) : NULL;
        } else {
            a = sl_query__parse_pipe_expr(p);
        }
        if (!a) {
            return NULL;
        }
        sl_query__vec_push(&args, a);
        if (!sl_query__accept(p, SL_QUERY_T_COMMA)) {
            break;
        }
    }
    if (!sl_query__expect(p, SL_QUERY_T_RPAREN, "',' or ')'")) {
        return NULL;
    }
    n->call.args = sl_query__vec_done(&args);
    return sl_query__finish(p, n);
}

static sl_query_node_t *postfix_ops(sl_query__parser_t *p, sl_query_node_t *base)
{
    while (base) {
        const sl_query_tok_t *t = sl_query__peek(p, 0);
        if (t->kind == SL_QUERY_T_LPAREN &&
            ((base->kind == SL_QUERY_N_NAME && !base->name.wildcard) ||
             base->kind == SL_QUERY_N_MEMBER)) {
            base = call(p, base);
        } else if (t->kind == SL_QUERY_T_DOT) {
            const sl_query_tok_t *u = sl_query__peek(p, 1);
            if (u->kind == SL_QUERY_T_IDENT ||
                (u->kind == SL_QUERY_T_LBRACKET &&
                 sl_query__peek(p, 2)->kind == SL_QUERY_T_STRING &&
                 sl_query__peek(p, 3)->kind == SL_QUERY_T_RBRACKET)) {
                sl_query__next(p);
                sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_MEMBER, NULL);
                n->pos = base->pos;
                n->member.base = base;
                n->member.name = sl_query__parse_name(p, "a member name");
                base = n->member.name ? sl_query__finish(p, n) : NULL;
            } else if (u->kind == SL_QUERY_T_LBRACKET) {
                sl_query__next(p);
                sl_query__next(p);
                sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_INDEX, NULL);
                n->pos = base->pos;
                n->index.base = base;
                n->index.dotted = true;
                n->index.index = sl_query__parse_expr(p);
                if (!n->index.index || !sl_query__expect(p, SL_QUERY_T_RBRACKET, "']'")) {
                    return NULL;
                }
                base = sl_query__finish(p, n);
            } else {
                return sl_query__expected(p, "a name after '.'");
            }
        } else if (t->kind == SL_QUERY_T_LBRACKET) {
            sl_query__next(p);
            sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_INDEX, NULL);
            n->pos = base->pos;
            n->index.base = base;
            n->index.index = sl_query__parse_expr(p);
            if (!n->index.index || !sl_query__expect(p, SL_QUERY_T_RBRACKET, "']'")) {
                return NULL;
            }
            base = sl_query__finish(p, n);
        } else {
            break;
        }
    }
    return base;
}

sl_query_node_t *sl_query__parse_postfix(sl_query__parser_t *p)
{
    return postfix_ops(p, primary(p));
}

/* Words that are operators and can never start an operand. */
static bool is_operator_word(const sl_query_tok_t *t)
{
    sl_query_op_t op;
    return t->kind == SL_QUERY_T_IDENT && tok_op(t, &op);
}

/* `datatable [params] (schema) [values]`. */
static sl_query_node_t *datatable(sl_query__parser_t *p)
{
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_DATATABLE, NULL);
    sl_query__next(p);
    if (!sl_query__parse_params(p, &n->datatable.params, NULL, true) ||
        !sl_query__parse_schema(p, &n->datatable.columns, false, NULL) ||
        !sl_query__expect(p, SL_QUERY_T_LBRACKET, "'[' and the values")) {
        return NULL;
    }
    sl_query__vec_t v;
    sl_query__vec_init(p, &v);
    while (!sl_query__at(p, SL_QUERY_T_RBRACKET)) {
        sl_query_node_t *e = sl_query__parse_expr(p);
        if (!e) {
            return NULL;
        }
        sl_query__vec_push(&v, e);
        if (!sl_query__accept(p, SL_QUERY_T_COMMA)) {
            break; /* a trailing comma before ']' is allowed, as in Kql.g4 */
        }
    }
    if (!sl_query__expect(p, SL_QUERY_T_RBRACKET, "',' or ']'")) {
        return NULL;
    }
    n->datatable.values = sl_query__vec_done(&v);
    return sl_query__finish(p, n);
}

static sl_query_node_t *primary(sl_query__parser_t *p)
{
    const sl_query_tok_t *t = sl_query__peek(p, 0);
    sl_query_op_t op;
    if (sl_query__at_literal(p)) {
        return sl_query__parse_literal(p);
    }
    switch (t->kind) {
    case SL_QUERY_T_LPAREN: {
        sl_query__next(p);
        sl_query_node_t *e = sl_query__parse_pipe_expr(p);
        if (!e || !sl_query__expect(p, SL_QUERY_T_RPAREN, "')'")) {
            return NULL;
        }
        return e;
    }
    case SL_QUERY_T_LBRACKET:
        return sl_query__parse_name(p, "an expression");
    case SL_QUERY_T_STAR:
        /* `* == x`, `* has "x"`: the any-column operand. */
        if (tok_op(sl_query__peek(p, 1), &op) &&
            (op == SL_QUERY_OP_EQ || sl_query_op_level(op) == 7)) {
            sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_STAR, t);
            sl_query__next(p);
            return sl_query__finish(p, n);
        }
        break;
    case SL_QUERY_T_IDENT:
        if (is_operator_word(t)) {
            break;
        }
        if (t->kw == SL_QUERY_KW_DATATABLE && (sl_query__peek(p, 1)->kind == SL_QUERY_T_LPAREN ||
                                               sl_query__peek(p, 2)->kind == SL_QUERY_T_ASSIGN)) {
            return datatable(p);
        }
        if (t->kw == SL_QUERY_KW_EXTERNALDATA || t->kw == SL_QUERY_KW_EXTERNAL_DATA) {
            return sl_query__parse_unsupported(p);
        }
        return sl_query__parse_name(p, "an expression");
    default:
        break;
    }
    return sl_query__expected(p, "an expression");
}

/* ------------------------------------------------------------------------ */
/* Precedence levels                                                        */
/* ------------------------------------------------------------------------ */

static sl_query_node_t *unary(sl_query__parser_t *p)
{
    const sl_query_tok_t *t = sl_query__peek(p, 0);
    if (t->kind != SL_QUERY_T_MINUS && t->kind != SL_QUERY_T_PLUS) {
        return sl_query__parse_postfix(p);
    }
    bool neg = t->kind == SL_QUERY_T_MINUS;
    const sl_query_tok_t *u = sl_query__peek(p, 1);
    sl_query__next(p);
    sl_query_node_t *arg = sl_query__parse_postfix(p);
    if (!arg) {
        return NULL;
    }
    /* Fold a sign into the number right after it (a signed literal). */
    if (arg->kind == SL_QUERY_N_LITERAL && arg->pos.off == u->pos.off &&
        (u->kind == SL_QUERY_T_LONG || u->kind == SL_QUERY_T_REAL ||
         u->kind == SL_QUERY_T_TIMESPAN)) {
        if (neg) {
            if (u->kind == SL_QUERY_T_REAL) {
                arg->lit.r = -arg->lit.r;
            } else {
                arg->lit.i = (int64_t)(0 - (uint64_t)arg->lit.i); /* lit.t aliases lit.i */
            }
        }
        arg->pos.len += arg->pos.off - t->pos.off;
        arg->pos.off = t->pos.off;
        arg->pos.line = t->pos.line;
        arg->pos.col = t->pos.col;
        return arg;
    }
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_UNARY, t);
    n->un.op = neg ? SL_QUERY_OP_NEG : SL_QUERY_OP_PLUS;
    n->un.arg = arg;
    return sl_query__finish(p, n);
}

/* Levels 3, 4 and 7 do not chain (`a < b < c`); say so rather than leave
 * the caller to report a puzzling "expected '|'". */
static sl_query_node_t *no_chain(sl_query__parser_t *p, sl_query_node_t *n, int level)
{
    sl_query_op_t op;
    if (n && at_level(p, level, &op)) {
        return sl_query__fail(p,
                              NULL,
                              SL_EPARSE,
                              "'%s' cannot follow another operator of its precedence; add "
                              "parentheses",
                              sl_query_op_name(op));
    }
    return n;
}

static sl_query_node_t *string_level(sl_query__parser_t *p)
{
    sl_query_node_t *lhs = unary(p);
    sl_query_op_t op;
    if (lhs && at_level(p, 7, &op)) {
        sl_query__next(p);
        sl_query_node_t *rhs = unary(p);
        return no_chain(p, rhs ? binary(p, op, lhs, rhs) : NULL, 7);
    }
    return lhs;
}

/* Left-associative levels 5 and 6. */
static sl_query_node_t *left_assoc(sl_query__parser_t *p, int level)
{
    sl_query_node_t *lhs = level == 6 ? string_level(p) : left_assoc(p, 6);
    sl_query_op_t op;
    while (lhs && at_level(p, level, &op)) {
        sl_query__next(p);
        sl_query_node_t *rhs = level == 6 ? string_level(p) : left_assoc(p, 6);
        lhs = rhs ? binary(p, op, lhs, rhs) : NULL;
    }
    return lhs;
}

static sl_query_node_t *relational(sl_query__parser_t *p)
{
    sl_query_node_t *lhs = left_assoc(p, 5);
    sl_query_op_t op;
    if (lhs && at_level(p, 4, &op)) {
        sl_query__next(p);
        sl_query_node_t *rhs = left_assoc(p, 5);
        return no_chain(p, rhs ? binary(p, op, lhs, rhs) : NULL, 4);
    }
    return lhs;
}

static sl_query_node_t *in_list(sl_query__parser_t *p, sl_query_op_t op, sl_query_node_t *lhs)
{
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_IN, NULL);
    n->pos = lhs->pos;
    n->in.op = op;
    n->in.lhs = lhs;
    sl_query__next(p); /* the operator */
    if (!sl_query__expect(p, SL_QUERY_T_LPAREN, "'(' and a list")) {
        return NULL;
    }
    sl_query__vec_t v;
    sl_query__vec_init(p, &v);
    do {
        sl_query_node_t *e = sl_query__parse_pipe_expr(p);
        if (!e) {
            return NULL;
        }
        sl_query__vec_push(&v, e);
    } while (sl_query__accept(p, SL_QUERY_T_COMMA));
    if (!sl_query__expect(p, SL_QUERY_T_RPAREN, "',' or ')'")) {
        return NULL;
    }
    n->in.items = sl_query__vec_done(&v);
    return sl_query__finish(p, n);
}

static sl_query_node_t *between(sl_query__parser_t *p, sl_query_op_t op, sl_query_node_t *lhs)
{
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_BETWEEN, NULL);
    n->pos = lhs->pos;
    n->between.negated = op == SL_QUERY_OP_NOT_BETWEEN;
    n->between.lhs = lhs;
    sl_query__next(p);
    if (!sl_query__expect(p, SL_QUERY_T_LPAREN, "'(' and a range (a .. b)")) {
        return NULL;
    }
    n->between.lo = sl_query__parse_expr(p);
    if (!n->between.lo || !sl_query__expect(p, SL_QUERY_T_DOTDOT, "'..'")) {
        return NULL;
    }
    n->between.hi = sl_query__parse_expr(p);
    if (!n->between.hi || !sl_query__expect(p, SL_QUERY_T_RPAREN, "')'")) {
        return NULL;
    }
    return sl_query__finish(p, n);
}

static sl_query_node_t *equality(sl_query__parser_t *p)
{
    sl_query_node_t *lhs = relational(p);
    sl_query_op_t op;
    if (!lhs || !at_level(p, 3, &op)) {
        return lhs;
    }
    sl_query_node_t *n;
    switch (op) {
    case SL_QUERY_OP_EQ:
    case SL_QUERY_OP_NE: {
        sl_query__next(p);
        sl_query_node_t *rhs = relational(p);
        n = rhs ? binary(p, op, lhs, rhs) : NULL;
        break;
    }
    case SL_QUERY_OP_BETWEEN:
    case SL_QUERY_OP_NOT_BETWEEN:
        n = between(p, op, lhs);
        break;
    default:
        n = in_list(p, op, lhs);
        break;
    }
    return no_chain(p, n, 3);
}

static sl_query_node_t *logical(sl_query__parser_t *p, int level)
{
    sl_query_node_t *lhs = level == 2 ? equality(p) : logical(p, 2);
    sl_query_op_t op;
    while (lhs && at_level(p, level, &op)) {
        sl_query__next(p);
        sl_query_node_t *rhs = level == 2 ? equality(p) : logical(p, 2);
        lhs = rhs ? binary(p, op, lhs, rhs) : NULL;
    }
    return lhs;
}

sl_query_node_t *sl_query__parse_expr(sl_query__parser_t *p)
{
    if (!sl_query__enter(p)) {
        return NULL;
    }
    sl_query_node_t *n = logical(p, 1);
    sl_query__leave(p);
    return n;
}

/* ------------------------------------------------------------------------ */
/* Named expressions and sort keys                                          */
/* ------------------------------------------------------------------------ */

/* Length in tokens of a name at peek(k): 1 for a word, 3 for ['x'], 0. */
static size_t name_len_at(const sl_query__parser_t *p, size_t k)
{
    const sl_query_tok_t *t = sl_query__peek(p, k);
    if (t->kind == SL_QUERY_T_IDENT) {
        return 1;
    }
    if (t->kind == SL_QUERY_T_LBRACKET && sl_query__peek(p, k + 1)->kind == SL_QUERY_T_STRING &&
        sl_query__peek(p, k + 2)->kind == SL_QUERY_T_RBRACKET) {
        return 3;
    }
    return 0;
}

/* Number of names in `(a, b, ...) =` at the current token, or 0. */
static size_t tuple_names_at(const sl_query__parser_t *p)
{
    if (!sl_query__at(p, SL_QUERY_T_LPAREN)) {
        return 0;
    }
    size_t k = 1, count = 0;
    for (;;) {
        size_t len = name_len_at(p, k);
        if (!len) {
            return 0;
        }
        k += len;
        count++;
        sl_query_tok_kind_t next = sl_query__peek(p, k)->kind;
        if (next == SL_QUERY_T_RPAREN) {
            return sl_query__peek(p, k + 1)->kind == SL_QUERY_T_ASSIGN ? count : 0;
        }
        if (next != SL_QUERY_T_COMMA) {
            return 0;
        }
        k++;
    }
}

sl_query_node_t *sl_query__parse_named_expr(sl_query__parser_t *p)
{
    size_t len = name_len_at(p, 0);
    size_t tuple = len ? 0 : tuple_names_at(p);
    if (!(len && sl_query__peek(p, len)->kind == SL_QUERY_T_ASSIGN) && !tuple) {
        return sl_query__parse_expr(p);
    }
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_ASSIGN, NULL);
    sl_query__vec_t names;
    sl_query__vec_init(p, &names);
    if (tuple) {
        n->assign.tuple = true;
        sl_query__next(p);
        for (size_t i = 0; i < tuple; i++) {
            sl_query_node_t *name = sl_query__parse_name(p, "a column name");
            if (!name) {
                return NULL;
            }
            sl_query__vec_push(&names, name);
            sl_query__accept(p, SL_QUERY_T_COMMA);
        }
        sl_query__next(p); /* ) */
    } else {
        sl_query_node_t *name = sl_query__parse_name(p, "a column name");
        if (!name) {
            return NULL;
        }
        sl_query__vec_push(&names, name);
    }
    sl_query__next(p); /* = */
    n->assign.names = sl_query__vec_done(&names);
    n->assign.value = sl_query__parse_expr(p);
    return n->assign.value ? sl_query__finish(p, n) : NULL;
}

bool sl_query__parse_named_list(sl_query__parser_t *p, sl_query_list_t *out)
{
    sl_query__vec_t v;
    sl_query__vec_init(p, &v);
    do {
        sl_query_node_t *e = sl_query__parse_named_expr(p);
        if (!e) {
            return false;
        }
        sl_query__vec_push(&v, e);
    } while (sl_query__accept(p, SL_QUERY_T_COMMA));
    *out = sl_query__vec_done(&v);
    return true;
}

sl_query_node_t *sl_query__parse_sortkey(sl_query__parser_t *p, bool named)
{
    sl_query_node_t *n = sl_query__node(p, SL_QUERY_N_SORTKEY, NULL);
    n->sortkey.expr = named ? sl_query__parse_named_expr(p) : sl_query__parse_expr(p);
    if (!n->sortkey.expr) {
        return NULL;
    }
    n->sortkey.order = SL_QUERY_ORDER_DESC; /* KQL's default for sort and top */
    if (sl_query__accept_kw(p, SL_QUERY_KW_ASC)) {
        n->sortkey.order = SL_QUERY_ORDER_ASC;
        n->sortkey.explicit_order = true;
    } else if (sl_query__accept_kw(p, SL_QUERY_KW_DESC)) {
        n->sortkey.explicit_order = true;
    }
    n->sortkey.nulls_first = n->sortkey.order == SL_QUERY_ORDER_ASC;
    if (sl_query__accept_kw(p, SL_QUERY_KW_NULLS)) {
        n->sortkey.explicit_nulls = true;
        if (sl_query__accept_kw(p, SL_QUERY_KW_FIRST)) {
            n->sortkey.nulls_first = true;
        } else if (sl_query__accept_kw(p, SL_QUERY_KW_LAST)) {
            n->sortkey.nulls_first = false;
        } else {
            return sl_query__expected(p, "'first' or 'last'");
        }
    }
    return sl_query__finish(p, n);
}
