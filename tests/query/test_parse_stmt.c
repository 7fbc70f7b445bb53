/*
 * Statements (let, set, tabular), functions and views, unsupported
 * statements, the KQL.md examples, error reporting and positions.
 */
#include "query_test.h"

Test(query_parse_stmt, kql_md_section_1_example)
{
    EXPECT_QUERY("let start = ago(1d);                              // scalar let\n"
                 "let fails = SecurityEvent                         // tabular let\n"
                 "    | where TimeGenerated > start and EventID == 4625;\n"
                 "fails\n"
                 "| summarize Attempts = count(), Accounts = dcount(TargetAccount)\n"
                 "    by Computer, bin(TimeGenerated, 1h)\n"
                 "| where Attempts > 10\n"
                 "| sort by Attempts desc\n",
                 "(query (let start (call ago (timespan 864000000000))) (let fails (pipe "
                 "SecurityEvent (where (and (> TimeGenerated start) (== EventID 4625))))) (pipe "
                 "fails (summarize (aggs (= Attempts (call count)) (= Accounts (call dcount "
                 "TargetAccount))) (by Computer (call bin TimeGenerated (timespan 36000000000)))) "
                 "(where (> Attempts 10)) (sort (key Attempts desc nulls-last))))");
}

Test(query_parse_stmt, kql_md_examples)
{
    EXPECT_QUERY("union Update, workspace(\"contoso\").Update | where x",
                 "(query (pipe (union outer Update (. (call workspace \"contoso\") Update)) (where "
                 "x)))");
    EXPECT_QUERY("union * | summarize count() by Type",
                 "(query (pipe (union outer *) (summarize (aggs (call count)) (by Type))))");
    EXPECT_QUERY("T | where x in (T2 | project y)",
                 "(query (pipe T (where (in x (pipe T2 (project y))))))");
    EXPECT_QUERY("set maxoutputcolumns=5000; T", "(query (set maxoutputcolumns 5000) T)");
    EXPECT_QUERY("T | where * has \"x\"", "(query (pipe T (where (has * \"x\"))))");
    EXPECT_QUERY("print datetime(2024-01-01 10:00:00Z)",
                 "(query (print (datetime 2024-01-01T10:00:00Z)))");
}

Test(query_parse_stmt, statements_and_semicolons)
{
    EXPECT_QUERY("T", "(query T)");
    EXPECT_QUERY("T;", "(query T)");
    EXPECT_QUERY("T; U | take 1;", "(query T (pipe U (take 1)))");
    EXPECT_QUERY("(T | take 1)", "(query (pipe T (take 1)))");
    EXPECT_QUERY("(T | take 1) | count", "(query (pipe (pipe T (take 1)) (count)))");
    EXPECT_QUERY("['My Table'] | take 1", "(query (pipe [\"My Table\"] (take 1)))");
    EXPECT_QUERY("table(\"T\") | take 1", "(query (pipe (call table \"T\") (take 1)))");
    EXPECT_QUERY("MyFunc(1, \"a\") | take 1", "(query (pipe (call MyFunc 1 \"a\") (take 1)))");
    EXPECT_ERROR("T;;", SL_EPARSE, 1, 3, ";");
    EXPECT_ERROR(";", SL_EPARSE, 1, 1, ";");
    EXPECT_ERROR("", SL_EPARSE, 1, 1, "");
    EXPECT_ERROR("  // nothing\n", SL_EPARSE, 2, 1, "");
    EXPECT_ERROR("T U", SL_EPARSE, 1, 3, "U");
}

Test(query_parse_stmt, let_forms)
{
    EXPECT_QUERY("let x = 5; print x", "(query (let x 5) (print x))");
    EXPECT_QUERY("let t = T | where a; t", "(query (let t (pipe T (where a))) t)");
    EXPECT_QUERY("let ['my name'] = 1; print 1", "(query (let [\"my name\"] 1) (print 1))");
    EXPECT_QUERY("let m = materialize(T | take 1); m",
                 "(query (let m (call materialize (pipe T (take 1)))) m)");
    EXPECT_QUERY("let x = (1 + 2); print x", "(query (let x (+ 1 2)) (print x))");
    EXPECT_QUERY("let t = (T | take 1); t", "(query (let t (pipe T (take 1))) t)");
    EXPECT_QUERY("let l = dynamic([\"a\", \"b\"]); T | where x in (l)",
                 "(query (let l (dynamic [\"a\",\"b\"])) (pipe T (where (in x l))))");
    EXPECT_QUERY("let d = datatable(a:int)[1]; d",
                 "(query (let d (datatable (schema (col a int)) (values 1))) d)");
    EXPECT_ERROR("let x 5; T", SL_EPARSE, 1, 7, "5");
    EXPECT_ERROR("let x = ; T", SL_EPARSE, 1, 9, ";");
    EXPECT_ERROR("let 1 = 2; T", SL_EPARSE, 1, 5, "1");
}

Test(query_parse_stmt, let_kinds_are_recorded)
{
    sl_pool_t *pool = sl_pool_create();
    sl_query_node_t *q;
    const char *text = "let a = 1; let f = (x:int) { x }; let v = view () { T }; v";
    cr_assert_eq(sl_query_parse(pool, text, strlen(text), &q, NULL, NULL), 0);
    cr_assert_eq(q->query.stmts.n, 4);
    cr_expect_eq(q->query.stmts.v[0]->let.let_kind, SL_QUERY_LET_VALUE);
    cr_expect_eq(q->query.stmts.v[1]->let.let_kind, SL_QUERY_LET_FUNCTION);
    cr_expect_eq(q->query.stmts.v[2]->let.let_kind, SL_QUERY_LET_VIEW);
    cr_expect(q->query.stmts.v[2]->let.value->fn.is_view);
    sl_pool_destroy(pool);
}

Test(query_parse_stmt, functions)
{
    EXPECT_QUERY("let f = (a:string, b:int = 5) { strcat(a, tostring(b)) }; print f(\"x\")",
                 "(query (let f (function (params (param a string) (param b int 5)) (body (call "
                 "strcat a (call tostring b))))) (print (call f \"x\")))");
    EXPECT_QUERY("let f = (T:(*), n:long) { T | take n }; f(U, 3)",
                 "(query (let f (function (params (param T (schema *)) (param n long)) (body (pipe "
                 "T (take n))))) (call f U 3))");
    EXPECT_QUERY("let f = (T:(x:long, y:string)) { T }; f(U)",
                 "(query (let f (function (params (param T (schema (col x long) (col y string)))) "
                 "(body T))) (call f U))");
    EXPECT_QUERY("let f = () { let y = 1; let z = y + 1; T | extend w = z }; f()",
                 "(query (let f (function (params) (body (let y 1) (let z (+ y 1)) (pipe T (extend "
                 "(= w z)))))) (call f))");
    EXPECT_QUERY("let f = () { T; }; f()", "(query (let f (function (params) (body T))) (call f))");
    EXPECT_QUERY("let f = () { }; T", "(query (let f (function (params) (body))) T)");
    EXPECT_QUERY("let f = (['p q']:dynamic) { 1 }; T",
                 "(query (let f (function (params (param [\"p q\"] dynamic)) (body 1))) T)");
    EXPECT_QUERY("let v = view (a:string = \"x\") { T | where c == a }; v",
                 "(query (let v (view (params (param a string \"x\")) (body (pipe T (where (== c "
                 "a)))))) v)");
    EXPECT_ERROR("let f = (a:nosuchtype) { 1 }; T", SL_EPARSE, 1, 12, "nosuchtype");
    EXPECT_ERROR("let f = (a:string) 1; T", SL_EPARSE, 1, 20, "1");
    EXPECT_ERROR("let f = () { let y = 1 T }; T", SL_EPARSE, 1, 24, "T");
    EXPECT_ERROR("let f = () { 1", SL_EPARSE, 1, 15, "");
}

Test(query_parse_stmt, function_bodies_nest_within_the_limit)
{
    sl_buf_t b = SL_BUF_INIT;
    for (int i = 0; i < 300; i++) {
        sl_buf_puts(&b, "let f = () { ");
    }
    sl_buf_puts(&b, "1");
    for (int i = 0; i < 300; i++) {
        sl_buf_puts(&b, " }; f()");
    }
    char msg[400];
    sl_query_error_t e = qt_error(b.data, msg, sizeof msg);
    cr_expect_eq(e.code, SL_ELIMIT, "%s", msg);
    sl_buf_dispose(&b);
}

Test(query_parse_stmt, set_statements)
{
    EXPECT_QUERY("set notruncation; T", "(query (set notruncation) T)");
    EXPECT_QUERY("set querytrace; set query_results_cache_max_age = time(5m); T",
                 "(query (set querytrace) (set query_results_cache_max_age (timespan 3000000000)) "
                 "T)");
    EXPECT_QUERY("set a = \"x\"; set b = -1; set c = hotcache; T",
                 "(query (set a \"x\") (set b -1) (set c hotcache) T)");
    EXPECT_QUERY("set | take 1", "(query (pipe set (take 1)))");
    EXPECT_ERROR("set a = ; T", SL_EPARSE, 1, 9, ";");
}

Test(query_parse_stmt, unsupported_statements_are_rejected_by_name)
{
    char msg[400];
    sl_query_error_t e =
      qt_error("alias database db = cluster(\"c\").database(\"d\"); T", msg, sizeof msg);
    cr_expect_eq(e.code, SL_EUNSUPPORTED);
    cr_expect_str_eq(msg, "`alias` is not supported (line 1, column 1)");
    e = qt_error("declare query_parameters(n:long = 10);\nT | take n", msg, sizeof msg);
    cr_expect_eq(e.code, SL_EUNSUPPORTED);
    cr_expect_str_eq(msg, "`declare query_parameters` is not supported (line 1, column 1)");
    e = qt_error("T;\n  restrict access to (T);", msg, sizeof msg);
    cr_expect_eq(e.code, SL_EUNSUPPORTED);
    cr_expect_str_eq(msg, "`restrict` is not supported (line 2, column 3)");
    e = qt_error("declare pattern app = (name:string) { (\"a\") = { T } };", msg, sizeof msg);
    cr_expect_eq(e.code, SL_EUNSUPPORTED);
    cr_expect_str_eq(msg, "`declare pattern` is not supported (line 1, column 1)");
    e = qt_error("let f = () { declare query_parameters(a:int); 1 }; T", msg, sizeof msg);
    cr_expect_eq(e.code, SL_EUNSUPPORTED);
    cr_expect_eq(e.pos.col, 14);
    /* The same words are still names elsewhere. */
    EXPECT_QUERY("alias | take 1", "(query (pipe alias (take 1)))");
    EXPECT_QUERY("restrict", "(query restrict)");
}

Test(query_parse_stmt, syntax_error_messages)
{
    char msg[400];
    sl_query_error_t e =
      qt_error("T\n| where x > 1\n| summarize count() by\n| take 5", msg, sizeof msg);
    cr_expect_eq(e.code, SL_EPARSE);
    cr_expect_str_eq(msg, "Syntax error at line 4, column 1 near '|': expected an expression");
    e = qt_error("T | where x ==", msg, sizeof msg);
    cr_expect_str_eq(msg,
                     "Syntax error at line 1, column 15 at the end of the query: expected an "
                     "expression");
    e = qt_error("T | where Name == \"unterminated", msg, sizeof msg);
    cr_expect_str_eq(msg,
                     "Syntax error at line 1, column 19 near '\"unterminated': unterminated "
                     "string literal");
    e = qt_error("T | where x == 1 project y", msg, sizeof msg);
    cr_expect_str_eq(msg,
                     "Syntax error at line 1, column 18 near 'project': expected '|', ';' or "
                     "the end of the query");
    e = qt_error("T | extend a = ((1 + 2)", msg, sizeof msg);
    cr_expect_str_eq(msg,
                     "Syntax error at line 1, column 24 at the end of the query: expected "
                     "')'");
}

Test(query_parse_stmt, error_columns_count_characters)
{
    /* "é" and "日本" are one column per character, and tabs one column. */
    EXPECT_ERROR("print \"é\" +", SL_EPARSE, 1, 12, "");
    EXPECT_ERROR("print \"日本\", )", SL_EPARSE, 1, 13, ")");
    EXPECT_ERROR("T\n\t| where\t)", SL_EPARSE, 2, 10, ")");
    EXPECT_ERROR("T\r\n| where )", SL_EPARSE, 2, 9, ")");
}

Test(query_parse_stmt, near_text_is_shortened)
{
    char msg[400];
    sl_query_error_t e =
      qt_error("print x y_very_long_identifier_name_that_keeps_going_on_and_on", msg, sizeof msg);
    cr_expect_eq(e.code, SL_EPARSE);
    cr_expect_str_eq(e.near, "y_very_long_identifier_name_that_keeps_g...");
    e = qt_error("print x ```first line\nsecond```", msg, sizeof msg);
    cr_expect_str_eq(e.near, "```first line");
}

Test(query_parse_stmt, first_error_wins)
{
    /* A syntax error before a lexical one is the one reported. */
    EXPECT_ERROR("T | where ) | where x == \"open", SL_EPARSE, 1, 11, ")");
    EXPECT_ERROR("T | where x == \"open\n| where )", SL_EPARSE, 1, 16, "\"open");
}

Test(query_parse_stmt, check_syntax_public_api)
{
    sl_diag_t d;
    cr_expect_eq(sl_query_syntax_check("T | take 1", 10, &d), 0);
    cr_expect_eq(sl_query_syntax_check("T | take", 8, &d), SL_EPARSE);
    cr_expect_eq(d.code, SL_EPARSE);
    cr_expect_str_eq(d.msg,
                     "Syntax error at line 1, column 9 at the end of the query: expected "
                     "an expression");
    const char *alias = "alias database x = y";
    cr_expect_eq(sl_query_syntax_check(alias, strlen(alias), &d), SL_EUNSUPPORTED);
    cr_expect_eq(
      sl_query_syntax_check("T | take 1 garbage", 10, NULL), 0, "only `len` bytes are read");
}

struct pos_check {
    const char *text;
    size_t len;
    int bad;
    int nodes;
};

static void check_positions(const sl_query_node_t *n, void *arg)
{
    struct pos_check *c = arg;
    c->nodes++;
    if ((size_t)n->pos.off + n->pos.len > c->len || n->pos.line < 1 || n->pos.col < 1) {
        c->bad++;
    }
    sl_query_node_foreach_child(n, check_positions, arg);
}

Test(query_parse_stmt, node_positions)
{
    sl_pool_t *pool = sl_pool_create();
    sl_query_node_t *q;
    const char *text = "T\n| where x > 1\n| extend y = f(a, b)";
    cr_assert_eq(sl_query_parse(pool, text, strlen(text), &q, NULL, NULL), 0);
    sl_query_node_t *pipe = q->query.stmts.v[0];
    cr_expect_eq(pipe->pos.off, 0);
    cr_expect_eq(pipe->pos.len, strlen(text));
    sl_query_node_t *where = pipe->pipe.ops.v[0];
    cr_expect_eq(where->pos.line, 2);
    cr_expect_eq(where->pos.col, 3);
    cr_expect_eq(where->pos.len, strlen("where x > 1"));
    sl_query_node_t *gt = where->where.pred;
    cr_expect_eq(gt->pos.col, 9);
    cr_expect_eq(gt->pos.len, 5);
    sl_query_node_t *call = pipe->pipe.ops.v[1]->items.items.v[0]->assign.value;
    cr_expect_eq(call->pos.line, 3);
    cr_expect_eq(call->pos.col, 14);
    cr_expect_eq(call->pos.len, strlen("f(a, b)"));
    struct pos_check c = { text, strlen(text), 0, 0 };
    check_positions(q, &c);
    cr_expect_eq(c.bad, 0);
    cr_expect_eq(c.nodes, 14);
    sl_pool_destroy(pool);
}

Test(query_parse_stmt, text_is_not_read_past_len)
{
    sl_pool_t *pool = sl_pool_create();
    sl_query_node_t *q;
    /* The buffer holds more than `len`: the rest must not be seen. */
    const char buf[] = "T | take 1) ) )";
    cr_expect_eq(sl_query_parse(pool, buf, 10, &q, NULL, NULL), 0);
    char exact[4] = { 'T', ' ', '|', ' ' };
    cr_expect_eq(sl_query_parse(pool, exact, 2, &q, NULL, NULL), 0);
    cr_expect_eq(sl_query_parse(pool, exact, 4, &q, NULL, NULL), SL_EPARSE);
    sl_pool_destroy(pool);
}

Test(query_parse_stmt, text_size_is_bounded)
{
    size_t n = SL_QUERY_MAX_TEXT + 1;
    char *big = malloc(n);
    cr_assert_not_null(big);
    memset(big, ' ', n);
    big[0] = 'T';
    sl_pool_t *pool = sl_pool_create();
    sl_query_node_t *q;
    sl_query_error_t err;
    sl_diag_t d;
    cr_expect_eq(sl_query_parse(pool, big, n, &q, &err, &d), SL_ELIMIT);
    cr_expect_null(q);
    cr_expect_str_eq(d.msg,
                     "Query limit exceeded at line 1, column 1: query text longer than "
                     "1048576 bytes");
    cr_expect_eq(sl_query_parse(pool, big, n - 1, &q, &err, &d), 0, "%s", d.msg);
    sl_pool_destroy(pool);
    free(big);
}

Test(query_parse_stmt, header_walk_example_works)
{
    /* The walking example at the top of query_int.h, run for real. */
    const char *text = "let start = ago(1d);\n"
                       "SecurityEvent | where TimeGenerated > start | summarize count() by "
                       "Computer | take 5";
    sl_pool_t *pool = sl_pool_create();
    sl_query_node_t *q;
    sl_query_error_t err;
    sl_diag_t diag;
    cr_assert_eq(sl_query_parse(pool, text, strlen(text), &q, &err, &diag), 0);
    int lets = 0, wheres = 0, summarizes = 0, others = 0;
    const char *source = NULL;
    for (size_t i = 0; i < q->query.stmts.n; i++) {
        sl_query_node_t *s = q->query.stmts.v[i];
        if (s->kind == SL_QUERY_N_LET || s->kind == SL_QUERY_N_SET) {
            lets++;
            continue;
        }
        if (s->kind != SL_QUERY_N_PIPELINE) {
            continue;
        }
        sl_query_node_t *src = s->pipe.source;
        source = src->name.s;
        for (size_t j = 0; j < s->pipe.ops.n; j++) {
            sl_query_node_t *op = s->pipe.ops.v[j];
            switch (op->kind) {
            case SL_QUERY_N_WHERE:
                wheres += op->where.pred->kind == SL_QUERY_N_BINARY;
                break;
            case SL_QUERY_N_SUMMARIZE:
                summarizes += (int)(op->summarize.aggs.n + op->summarize.by.n);
                break;
            default:
                others++;
                break;
            }
        }
    }
    cr_expect_eq(lets, 1);
    cr_expect_str_eq(source, "SecurityEvent");
    cr_expect_eq(wheres, 1);
    cr_expect_eq(summarizes, 2);
    cr_expect_eq(others, 1);
    sl_pool_destroy(pool);
}
