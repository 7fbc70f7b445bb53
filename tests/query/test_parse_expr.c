/*
 * Scalar expressions: the precedence table of KQL.md §2.4 (asserted as tree
 * shapes), every binary and string operator, postfix access, calls, lists.
 */
#include "query_test.h"

Test(query_parse_expr, or_binds_loosest_and_is_left_associative)
{
    EXPECT_EXPR("a or b and c", "(or a (and b c))");
    EXPECT_EXPR("a and b or c", "(or (and a b) c)");
    EXPECT_EXPR("a or b or c", "(or (or a b) c)");
    EXPECT_EXPR("a and b and c", "(and (and a b) c)");
}

Test(query_parse_expr, equality_is_looser_than_relational)
{
    /* KQL.md: relational binds tighter than equality. */
    EXPECT_EXPR("a < b == c", "(== (< a b) c)");
    EXPECT_EXPR("a == b < c", "(== a (< b c))");
    EXPECT_EXPR("a != b >= c", "(!= a (>= b c))");
    EXPECT_EXPR("a <> b", "(!= a b)");
    EXPECT_EXPR("a == b and c != d", "(and (== a b) (!= c d))");
}

Test(query_parse_expr, relational_is_looser_than_additive)
{
    EXPECT_EXPR("a + 1 > b - 2", "(> (+ a 1) (- b 2))");
    EXPECT_EXPR("a <= b * 2", "(<= a (* b 2))");
}

Test(query_parse_expr, additive_and_multiplicative)
{
    EXPECT_EXPR("a + b * c", "(+ a (* b c))");
    EXPECT_EXPR("a * b + c", "(+ (* a b) c)");
    EXPECT_EXPR("a - b - c", "(- (- a b) c)");
    EXPECT_EXPR("a / b % c * d", "(* (% (/ a b) c) d)");
    EXPECT_EXPR("(a + b) * c", "(* (+ a b) c)");
}

Test(query_parse_expr, string_operators_bind_tighter_than_arithmetic)
{
    /* KQL.md: `x * y has z` is `x * (y has z)`. */
    EXPECT_EXPR("x * y has z", "(* x (has y z))");
    EXPECT_EXPR("x has y * z", "(* (has x y) z)");
    EXPECT_EXPR("a + b contains c", "(+ a (contains b c))");
    EXPECT_EXPR("a =~ b == c", "(== (=~ a b) c)");
    EXPECT_EXPR("a has b and c !has d", "(and (has a b) (!has c d))");
}

Test(query_parse_expr, unary_binds_tighter_than_string_operators)
{
    EXPECT_EXPR("-a has b", "(has (- a) b)");
    EXPECT_EXPR("-x.y", "(- (. x y))");
    EXPECT_EXPR("+x", "(+ x)");
    EXPECT_EXPR("-f(x)[0]", "(- ([] (call f x) 0))");
    EXPECT_EXPR("a - -b", "(- a (- b))");
}

Test(query_parse_expr, signs_fold_into_number_literals)
{
    EXPECT_EXPR("-1", "-1");
    EXPECT_EXPR("-2.5", "(real -2.5)");
    EXPECT_EXPR("-1d", "(timespan -864000000000)");
    EXPECT_EXPR("+3", "3");
    EXPECT_EXPR("a - 1", "(- a 1)");
    EXPECT_EXPR("a * -1", "(* a -1)");
    EXPECT_EXPR("-int(5)", "(- (int 5))");
}

Test(query_parse_expr, non_chainable_levels_reject_chains)
{
    char msg[400];
    sl_query_error_t e = qt_error("print a == b == c", msg, sizeof msg);
    cr_expect_eq(e.code, SL_EPARSE);
    cr_expect_eq(e.pos.col, 14);
    cr_expect(strstr(msg, "add parentheses") != NULL, "%s", msg);
    EXPECT_ERROR("print a < b < c", SL_EPARSE, 1, 13, "<");
    EXPECT_ERROR("print a has b has c", SL_EPARSE, 1, 15, "has");
    EXPECT_ERROR("print a in (1) in (2)", SL_EPARSE, 1, 16, "in");
    EXPECT_EXPR("(a == b) == c", "(== (== a b) c)");
}

Test(query_parse_expr, every_string_operator)
{
    static const char *ops[] = {
        "=~",
        "!~",
        "has",
        "!has",
        "has_cs",
        "!has_cs",
        "hasprefix",
        "!hasprefix",
        "hasprefix_cs",
        "!hasprefix_cs",
        "hassuffix",
        "!hassuffix",
        "hassuffix_cs",
        "!hassuffix_cs",
        "contains",
        "!contains",
        "contains_cs",
        "!contains_cs",
        "startswith",
        "!startswith",
        "startswith_cs",
        "!startswith_cs",
        "endswith",
        "!endswith",
        "endswith_cs",
        "!endswith_cs",
        "like",
        "notlike",
        "likecs",
        "notlikecs",
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        char in[64], out[64];
        snprintf(in, sizeof in, "a %s \"x\"", ops[i]);
        snprintf(out, sizeof out, "(%s a \"x\")", ops[i]);
        EXPECT_EXPR(in, out);
    }
}

Test(query_parse_expr, legacy_spellings_map_to_the_same_operator)
{
    EXPECT_EXPR("a containscs b", "(contains_cs a b)");
    EXPECT_EXPR("a notcontains b", "(!contains a b)");
    EXPECT_EXPR("a notcontainscs b", "(!contains_cs a b)");
    EXPECT_EXPR("a matches regex \"x+\"", "(matches_regex a \"x+\")");
}

Test(query_parse_expr, operator_enum_values_are_distinct)
{
    sl_pool_t *pool = sl_pool_create();
    sl_query_node_t *q;
    const char *text = "print a has b, a !has b, a has_cs b, a =~ b, a in~ (b)";
    cr_assert_eq(sl_query_parse(pool, text, strlen(text), &q, NULL, NULL), 0);
    sl_query_list_t *items = &q->query.stmts.v[0]->items.items;
    cr_expect_eq(items->v[0]->bin.op, SL_QUERY_OP_HAS);
    cr_expect_eq(items->v[1]->bin.op, SL_QUERY_OP_NOT_HAS);
    cr_expect_eq(items->v[2]->bin.op, SL_QUERY_OP_HAS_CS);
    cr_expect_eq(items->v[3]->bin.op, SL_QUERY_OP_EQ_CI);
    cr_expect_eq(items->v[4]->kind, SL_QUERY_N_IN);
    cr_expect_eq(items->v[4]->in.op, SL_QUERY_OP_IN_CI);
    cr_expect_eq(sl_query_op_level(SL_QUERY_OP_HAS), 7);
    cr_expect_eq(sl_query_op_level(SL_QUERY_OP_LT), 4);
    cr_expect_eq(sl_query_op_level(SL_QUERY_OP_EQ), 3);
    sl_pool_destroy(pool);
}

Test(query_parse_expr, in_family_takes_lists)
{
    EXPECT_EXPR("x in (1, 2, 3)", "(in x 1 2 3)");
    EXPECT_EXPR("x !in (\"a\")", "(!in x \"a\")");
    EXPECT_EXPR("x in~ (\"a\", \"B\")", "(in~ x \"a\" \"B\")");
    EXPECT_EXPR("x !in~ (L)", "(!in~ x L)");
    EXPECT_EXPR("x has_any (\"a\", \"b\")", "(has_any x \"a\" \"b\")");
    EXPECT_EXPR("x has_all (L)", "(has_all x L)");
    EXPECT_EXPR("x in (dynamic([1, 2]))", "(in x (dynamic [1,2]))");
    EXPECT_EXPR("x in (T | project y)", "(in x (pipe T (project y)))");
    EXPECT_EXPR("x in (T | where z > 1 | distinct y) and w",
                "(and (in x (pipe T (where (> z 1)) (distinct y))) w)");
    EXPECT_EXPR("a + 1 in (2)", "(in (+ a 1) 2)");
}

Test(query_parse_expr, in_errors)
{
    EXPECT_ERROR("print x in 1", SL_EPARSE, 1, 12, "1");
    EXPECT_ERROR("print x in ()", SL_EPARSE, 1, 13, ")");
    EXPECT_ERROR("print x in (1, 2", SL_EPARSE, 1, 17, "");
}

Test(query_parse_expr, between)
{
    EXPECT_EXPR("x between (1 .. 10)", "(between x 1 10)");
    EXPECT_EXPR("x between(1..10)", "(between x 1 10)");
    EXPECT_EXPR("x !between (a - 1 .. a + 1)", "(!between x (- a 1) (+ a 1))");
    EXPECT_EXPR("t between (ago(1d) .. now())",
                "(between t (call ago (timespan 864000000000)) (call now))");
    EXPECT_EXPR("x between (1 .. 2) or y", "(or (between x 1 2) y)");
    EXPECT_ERROR("print x between (1, 2)", SL_EPARSE, 1, 19, ",");
    EXPECT_ERROR("print x between 1 .. 2", SL_EPARSE, 1, 17, "1");
}

Test(query_parse_expr, star_operand)
{
    EXPECT_EXPR("* has \"x\"", "(has * \"x\")");
    EXPECT_EXPR("* == 5", "(== * 5)");
    EXPECT_EXPR("* contains \"a\" or x", "(or (contains * \"a\") x)");
    EXPECT_ERROR("print * + 1", SL_EPARSE, 1, 7, "*");
}

Test(query_parse_expr, calls)
{
    EXPECT_EXPR("count()", "(call count)");
    EXPECT_EXPR("f(a, b + 1, \"c\")", "(call f a (+ b 1) \"c\")");
    EXPECT_EXPR("arg_max(TimeGenerated, *)", "(call arg_max TimeGenerated *)");
    EXPECT_EXPR("f(x, name = 5)", "(call f x (arg name 5))");
    EXPECT_EXPR("toscalar(T | count)", "(call toscalar (pipe T (count)))");
    EXPECT_EXPR("toscalar(kind=nooptimization, T | count)",
                "(call toscalar (arg kind nooptimization) (pipe T (count)))");
    EXPECT_EXPR("not(a)", "(call not a)");
    EXPECT_EXPR("f()()",
                "ERROR SL_EPARSE: Syntax error at line 1, column 10 near '(': "
                "expected '|', ';' or the end of the query");
    EXPECT_EXPR("database(\"d\").f(1)", "(call (. (call database \"d\") f) 1)");
}

Test(query_parse_expr, member_and_index_access)
{
    EXPECT_EXPR("d.a.b", "(. (. d a) b)");
    EXPECT_EXPR("d[\"key\"]", "([] d \"key\")");
    EXPECT_EXPR("d[0]", "([] d 0)");
    EXPECT_EXPR("d[-1]", "([] d -1)");
    EXPECT_EXPR("d.['odd key']", "(. d [\"odd key\"])");
    EXPECT_EXPR("d.[0]", "(.[] d 0)");
    EXPECT_EXPR("parse_json(x).a[0]", "([] (. (call parse_json x) a) 0)");
    EXPECT_EXPR("split(x, \"/\")[3]", "([] (call split x \"/\") 3)");
    EXPECT_EXPR("d.kind.count.type", "(. (. (. d kind) count) type)");
    EXPECT_EXPR("$left.a == $right.b", "(== (. $left a) (. $right b))");
    EXPECT_ERROR("print d.", SL_EPARSE, 1, 8, ".");
    EXPECT_ERROR("print d[0", SL_EPARSE, 1, 10, "");
}

Test(query_parse_expr, search_term_colon)
{
    EXPECT_EXPR("Col:\"x\"", "(: Col \"x\")");
    EXPECT_EXPR("Col:\"x\" and \"y\"", "(and (: Col \"x\") \"y\")");
}

Test(query_parse_expr, names_and_literals)
{
    EXPECT_EXPR("['a b']", "[\"a b\"]");
    EXPECT_EXPR("[\"where\"]", "[\"where\"]");
    EXPECT_EXPR("true", "true");
    EXPECT_EXPR("False", "false");
    EXPECT_EXPR("TRUE", "true");
    EXPECT_EXPR("1.5", "(real 1.5)");
    EXPECT_EXPR("\"s\"", "\"s\"");
    EXPECT_EXPR("h\"s\"", "(h \"s\")");
    EXPECT_EXPR("kind", "kind");
    EXPECT_ERROR("print and", SL_EPARSE, 1, 7, "and");
    EXPECT_ERROR("print has", SL_EPARSE, 1, 7, "has");
    EXPECT_ERROR("print [1]", SL_EPARSE, 1, 7, "[");
}

Test(query_parse_expr, named_expressions)
{
    EXPECT_QUERY("print x = 1, ['a b'] = 2, (c, d) = f(1), 3",
                 "(query (print (= x 1) (= [\"a b\"] 2) (= (c d) (call f 1)) 3))");
    EXPECT_QUERY("print (a) = 1", "(query (print (= (a) 1)))");
    EXPECT_QUERY("print (a + b)", "(query (print (+ a b)))");
    EXPECT_QUERY("print x == 1", "(query (print (== x 1)))");
}

Test(query_parse_expr, expression_heights_are_bounded)
{
    /* A flat chain of 1500 `or`s is a tree 1500 deep: refused cleanly. */
    sl_buf_t b = SL_BUF_INIT;
    sl_buf_puts(&b, "print a");
    for (int i = 0; i < 1500; i++) {
        sl_buf_puts(&b, " or a");
    }
    char msg[400];
    sl_query_error_t e = qt_error(b.data, msg, sizeof msg);
    cr_expect_eq(e.code, SL_ELIMIT, "%s", msg);
    cr_expect(strstr(msg, "Query limit exceeded") != NULL, "%s", msg);
    sl_buf_reset(&b);
    sl_buf_puts(&b, "print a");
    for (int i = 0; i < 900; i++) {
        sl_buf_puts(&b, " + a");
    }
    e = qt_error(b.data, msg, sizeof msg);
    cr_expect_eq(e.code, 0, "900 terms are fine: %s", msg);
    sl_buf_dispose(&b);
}

Test(query_parse_expr, nesting_is_bounded)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_buf_puts(&b, "print ");
    for (int i = 0; i < 5000; i++) {
        sl_buf_putc(&b, '(');
    }
    sl_buf_putc(&b, '1');
    for (int i = 0; i < 5000; i++) {
        sl_buf_putc(&b, ')');
    }
    char msg[400];
    sl_query_error_t e = qt_error(b.data, msg, sizeof msg);
    cr_expect_eq(e.code, SL_ELIMIT, "%s", msg);
    cr_expect(strstr(msg, "nesting deeper than 200 levels") != NULL, "%s", msg);
    sl_buf_reset(&b);
    sl_buf_puts(&b, "print ");
    for (int i = 0; i < 150; i++) {
        sl_buf_puts(&b, "f(");
    }
    sl_buf_putc(&b, '1');
    for (int i = 0; i < 150; i++) {
        sl_buf_putc(&b, ')');
    }
    e = qt_error(b.data, msg, sizeof msg);
    cr_expect_eq(e.code, 0, "150 nested calls are fine: %s", msg);
    sl_buf_dispose(&b);
}
