/*
 * Tabular operators: every operator of KQL.md §2.6 is recognised, and the
 * tier 1-2 ones parse into nodes with all their clauses.
 */
#include "query_test.h"

Test(query_parse_ops, where_and_filter)
{
    EXPECT_OP("where x > 1", "(where (> x 1))");
    EXPECT_OP("filter x", "(where x)");
    EXPECT_OP("where * has \"err\"", "(where (has * \"err\"))");
    EXPECT_OP("where hint.x=1 y", "(where (params (hint.x 1)) y)");
    EXPECT_ERROR("T | where", SL_EPARSE, 1, 10, "");
    EXPECT_ERROR("T | where x y", SL_EPARSE, 1, 13, "y");
}

Test(query_parse_ops, project_and_extend)
{
    EXPECT_OP("project a, b = c + 1, ['d e'] = 2", "(project a (= b (+ c 1)) (= [\"d e\"] 2))");
    EXPECT_OP("project", "(project)");
    EXPECT_OP("extend (a, b) = f(x)", "(extend (= (a b) (call f x)))");
    EXPECT_OP("extend x = y.z[0]", "(extend (= x ([] (. y z) 0)))");
    EXPECT_ERROR("T | extend", SL_EPARSE, 1, 11, "");
    EXPECT_ERROR("T | project a,", SL_EPARSE, 1, 15, "");
}

Test(query_parse_ops, summarize_clauses)
{
    EXPECT_OP("summarize count()", "(summarize (aggs (call count)))");
    EXPECT_OP("summarize by a, b", "(summarize (by a b))");
    EXPECT_OP("summarize N = count(), dcount(x) by bin(TimeGenerated, 1h), C = Computer",
              "(summarize (aggs (= N (call count)) (call dcount x)) (by (call bin TimeGenerated "
              "(timespan 36000000000)) (= C Computer)))");
    EXPECT_OP("summarize hint.strategy=shuffle hint.shufflekey=a count() by a",
              "(summarize (params (hint.strategy shuffle) (hint.shufflekey a)) (aggs (call count)) "
              "(by a))");
    EXPECT_OP("summarize kind = count() by a", "(summarize (aggs (= kind (call count))) (by a))");
    EXPECT_OP("summarize avg(x) by T bin=1h",
              "(summarize (aggs (call avg x)) (by T) (bin (timespan 36000000000)))");
    EXPECT_OP("summarize arg_max(TimeGenerated, *) by Computer",
              "(summarize (aggs (call arg_max TimeGenerated *)) (by Computer))");
    EXPECT_OP("summarize", "(summarize)");
    EXPECT_ERROR("T | summarize count() by", SL_EPARSE, 1, 25, "");
}

Test(query_parse_ops, sort_order)
{
    EXPECT_OP("sort by a", "(sort (key a desc nulls-last))");
    EXPECT_OP("order by a asc, b desc", "(sort (key a asc nulls-first) (key b desc nulls-last))");
    EXPECT_OP("sort by a asc nulls last, b nulls first",
              "(sort (key a asc nulls-last) (key b desc nulls-first))");
    EXPECT_OP("sort by f(x) + 1", "(sort (key (+ (call f x) 1) desc nulls-last))");
    EXPECT_ERROR("T | sort a", SL_EPARSE, 1, 10, "a");
    EXPECT_ERROR("T | sort by a nulls middle", SL_EPARSE, 1, 21, "middle");
}

Test(query_parse_ops, sort_keys_record_what_was_written)
{
    sl_pool_t *pool = sl_pool_create();
    sl_query_node_t *q;
    const char *text = "T | sort by a, b asc nulls last";
    cr_assert_eq(sl_query_parse(pool, text, strlen(text), &q, NULL, NULL), 0);
    sl_query_node_t *sort = q->query.stmts.v[0]->pipe.ops.v[0];
    sl_query_node_t *a = sort->sort.keys.v[0], *b = sort->sort.keys.v[1];
    cr_expect_eq(a->sortkey.order, SL_QUERY_ORDER_DESC);
    cr_expect(!a->sortkey.explicit_order);
    cr_expect(!a->sortkey.nulls_first);
    cr_expect_eq(b->sortkey.order, SL_QUERY_ORDER_ASC);
    cr_expect(b->sortkey.explicit_order && b->sortkey.explicit_nulls);
    cr_expect(!b->sortkey.nulls_first);
    sl_pool_destroy(pool);
}

Test(query_parse_ops, top_take_limit_sample)
{
    EXPECT_OP("top 10 by count_", "(top 10 (key count_ desc nulls-last))");
    EXPECT_OP("top n * 2 by x asc nulls last", "(top (* n 2) (key x asc nulls-last))");
    EXPECT_OP("take 5", "(take 5)");
    EXPECT_OP("limit 5", "(take 5)");
    EXPECT_OP("take hint.x=1 5", "(take (params (hint.x 1)) 5)");
    EXPECT_OP("sample 100", "(sample 100)");
    EXPECT_ERROR("T | top 10", SL_EPARSE, 1, 11, "");
    EXPECT_ERROR("T | top by x", SL_EPARSE, 1, 12, "x");
}

Test(query_parse_ops, distinct_count_getschema)
{
    EXPECT_OP("distinct *", "(distinct *)");
    EXPECT_OP("distinct a, tostring(b)", "(distinct a (call tostring b))");
    EXPECT_OP("distinct hint.strategy=shuffle a", "(distinct (params (hint.strategy shuffle)) a)");
    EXPECT_OP("count", "(count)");
    EXPECT_OP("count as N", "(count (as N))");
    EXPECT_OP("getschema", "(getschema)");
    EXPECT_ERROR("T | count x", SL_EPARSE, 1, 11, "x");
}

Test(query_parse_ops, join_kinds)
{
    static const struct {
        const char *spelling, *kind;
    } kinds[] = {
        { "innerunique", "innerunique" }, { "inner", "inner" },
        { "leftouter", "leftouter" },     { "rightouter", "rightouter" },
        { "fullouter", "fullouter" },     { "leftanti", "leftanti" },
        { "anti", "leftanti" },           { "leftantisemi", "leftanti" },
        { "rightanti", "rightanti" },     { "rightantisemi", "rightanti" },
        { "leftsemi", "leftsemi" },       { "rightsemi", "rightsemi" },
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char in[80], out[160];
        snprintf(in, sizeof in, "join kind=%s U on a", kinds[i].spelling);
        snprintf(out,
                 sizeof out,
                 "(join %s (params (kind %s)) U (on a))",
                 kinds[i].kind,
                 kinds[i].spelling);
        EXPECT_OP(in, out);
    }
    EXPECT_OP("join U on a", "(join innerunique U (on a))");
    EXPECT_ERROR("T | join kind=outer U on a", SL_EPARSE, 1, 15, "outer");
}

Test(query_parse_ops, join_sides_and_conditions)
{
    EXPECT_OP("join (U | where x) on a, b", "(join innerunique (pipe U (where x)) (on a b))");
    EXPECT_OP("join kind=inner hint.strategy=broadcast (U) on $left.a == $right.b",
              "(join inner (params (kind inner) (hint.strategy broadcast)) U (on (== (. $left a) "
              "(. $right b))))");
    EXPECT_OP("join U on a, $left.b == $right.c",
              "(join innerunique U (on a (== (. $left b) (. $right c))))");
    EXPECT_OP("join workspace(\"w\").U on a",
              "(join innerunique (. (call workspace \"w\") U) (on a))");
    EXPECT_OP("join kind=inner U where a == b",
              "(join inner (params (kind inner)) U (where (== a b)))");
    EXPECT_OP("join U", "(join innerunique U)");
    EXPECT_OP("join hint.remote=auto foo=bar U on a",
              "(join innerunique (params (hint.remote auto) (foo bar)) U (on a))");
}

Test(query_parse_ops, lookup)
{
    EXPECT_OP("lookup U on a", "(lookup leftouter U (on a))");
    EXPECT_OP("lookup kind=inner (U | take 1) on a, b",
              "(lookup inner (params (kind inner)) (pipe U (take 1)) (on a b))");
    EXPECT_OP("lookup kind=leftouter U on $left.a == $right.b",
              "(lookup leftouter (params (kind leftouter)) U (on (== (. $left a) (. $right b))))");
    EXPECT_ERROR("T | lookup kind=fullouter U on a", SL_EPARSE, 1, 17, "fullouter");
    EXPECT_ERROR("T | lookup U", SL_EPARSE, 1, 13, "");
}

Test(query_parse_ops, union_forms)
{
    EXPECT_QUERY("union T1, T2", "(query (union outer T1 T2))");
    EXPECT_QUERY("union *", "(query (union outer *))");
    EXPECT_QUERY("union Sec*, *Event, App*Logs", "(query (union outer Sec* *Event App*Logs))");
    EXPECT_QUERY("union kind=inner withsource=Src isfuzzy=true T, (U | take 1)",
                 "(query (union inner (params (kind inner) (withsource Src) (isfuzzy true)) T "
                 "(pipe U (take 1))))");
    EXPECT_QUERY("union with_source=S T", "(query (union outer (params (with_source S)) T))");
    EXPECT_QUERY("union workspace(\"a\").T, f(1)",
                 "(query (union outer (. (call workspace \"a\") T) (call f 1)))");
    EXPECT_OP("union U, V", "(union outer U V)");
    EXPECT_ERROR("union kind=sideways T", SL_EPARSE, 1, 12, "sideways");
    EXPECT_ERROR("union isfuzzy=maybe T", SL_EPARSE, 1, 15, "maybe");
    EXPECT_ERROR("union withsource=\"x\" T", SL_EPARSE, 1, 18, "\"x\"");
    EXPECT_ERROR("union", SL_EPARSE, 1, 6, "");
}

Test(query_parse_ops, union_fields_are_decoded)
{
    sl_pool_t *pool = sl_pool_create();
    sl_query_node_t *q;
    const char *text = "union kind=inner withsource=Src isfuzzy=true T";
    cr_assert_eq(sl_query_parse(pool, text, strlen(text), &q, NULL, NULL), 0);
    sl_query_node_t *u = q->query.stmts.v[0];
    cr_assert_eq(u->kind, SL_QUERY_N_UNION);
    cr_expect(!u->union_.outer);
    cr_expect(u->union_.isfuzzy);
    cr_assert_not_null(u->union_.withsource);
    cr_expect_str_eq(u->union_.withsource->name.s, "Src");
    cr_expect_eq(u->union_.params.n, 3);
    sl_pool_destroy(pool);
}

Test(query_parse_ops, search_forms)
{
    EXPECT_QUERY("search \"err\"", "(query (search ci \"err\"))");
    EXPECT_QUERY("search *", "(query (search ci *))");
    EXPECT_QUERY("search * and x > 1", "(query (search ci (and * (> x 1))))");
    EXPECT_QUERY("search kind=case_sensitive in (T, U*) Col:\"v\" or \"w\"",
                 "(query (search cs (params (kind case_sensitive)) (in T U*) (or (: Col \"v\") "
                 "\"w\")))");
    EXPECT_OP("search \"x\"", "(search ci \"x\")");
    EXPECT_ERROR("search kind=loud \"x\"", SL_EPARSE, 1, 13, "loud");
}

Test(query_parse_ops, parse_patterns)
{
    EXPECT_OP("parse Msg with \"a=\" A \" b=\" B:long *",
              "(parse simple Msg (with \"a=\" (col A) \" b=\" (col B long) *))");
    EXPECT_OP("parse Msg with A \":\" *", "(parse simple Msg (with (col A) \":\" *))");
    EXPECT_OP("parse Msg with * \"x\" X:datetime",
              "(parse simple Msg (with * \"x\" (col X datetime)))");
    EXPECT_OP("parse kind=regex flags=Ui Msg with @\"(\\d+)\" N:int",
              "(parse regex (params (kind regex) (flags Ui)) Msg (with \"(\\\\d+)\" (col N int)))");
    EXPECT_OP(
      "parse kind=relaxed tostring(d.x) with \"a\" A",
      "(parse relaxed (params (kind relaxed)) (call tostring (. d x)) (with \"a\" (col A)))");
    EXPECT_OP("parse-where Msg with \"a\" A", "(parse-where simple Msg (with \"a\" (col A)))");
    EXPECT_ERROR("T | parse Msg with A B", SL_EPARSE, 1, 22, "B");
    EXPECT_ERROR("T | parse Msg with * A", SL_EPARSE, 1, 22, "A");
    EXPECT_ERROR("T | parse Msg with \"a\" A:foo", SL_EPARSE, 1, 26, "foo");
    EXPECT_ERROR("T | parse kind=fuzzy Msg with A", SL_EPARSE, 1, 16, "fuzzy");
    EXPECT_ERROR("T | parse Msg \"a\" A", SL_EPARSE, 1, 15, "\"a\"");
}

Test(query_parse_ops, parse_kv)
{
    EXPECT_OP("parse-kv Msg as (a:string, b:long)",
              "(parse-kv Msg (as (col a string) (col b long)))");
    EXPECT_OP("parse-kv Msg as (a:string) with (pair_delimiter=\";\", kv_delimiter=\":\", "
              "quote='\"', greedy=true)",
              "(parse-kv Msg (as (col a string)) (with (pair_delimiter \";\") (kv_delimiter \":\") "
              "(quote \"\\\"\") (greedy true)))");
    EXPECT_ERROR("T | parse-kv Msg as (a)", SL_EPARSE, 1, 23, ")");
}

Test(query_parse_ops, mv_expand)
{
    EXPECT_OP("mv-expand x", "(mv-expand bag (item x))");
    EXPECT_OP("mvexpand x", "(mv-expand bag (item x))");
    EXPECT_OP(
      "mv-expand bagexpansion=array with_itemindex=I a = x to typeof(long), y limit 5",
      "(mv-expand array (params (bagexpansion array) (with_itemindex I)) (item (= a x) long) "
      "(item y) (limit 5))");
    EXPECT_OP("mv-expand kind=array x", "(mv-expand array (params (kind array)) (item x))");
    EXPECT_ERROR("T | mv-expand bagexpansion=set x", SL_EPARSE, 1, 28, "set");
    EXPECT_ERROR("T | mv-expand x to long", SL_EPARSE, 1, 20, "long");
}

Test(query_parse_ops, mv_apply)
{
    EXPECT_OP("mv-apply x on (take 1)", "(mv-apply bag (item x) (on (pipe _ (take 1))))");
    EXPECT_OP("mv-apply with_itemindex=i e = arr to typeof(dynamic) limit 3 on "
              "(where e.k == 1 | summarize n = count())",
              "(mv-apply bag (params (with_itemindex i)) (item (= e arr) dynamic) (limit 3) (on "
              "(pipe _ (where (== (. e k) 1)) (summarize (aggs (= n (call count)))))))");
    EXPECT_OP("mvapply x on (top 1 by x)",
              "(mv-apply bag (item x) (on (pipe _ (top 1 (key x desc nulls-last)))))");
    EXPECT_OP(
      "mv-apply x on (datatable(a:int)[1] | take 1)",
      "(mv-apply bag (item x) (on (pipe (datatable (schema (col a int)) (values 1)) (take 1))))");
    EXPECT_ERROR("T | mv-apply x limit 5 (take 1)", SL_EPARSE, 1, 24, "(");
    EXPECT_ERROR("T | mv-apply x on take 1", SL_EPARSE, 1, 19, "take");
}

Test(query_parse_ops, project_away_keep_rename_reorder)
{
    EXPECT_OP("project-away a, b*, *_s, ['c d']", "(project-away a b* *_s [\"c d\"])");
    EXPECT_OP("project-keep Event*, Time*Generated", "(project-keep Event* Time*Generated)");
    EXPECT_OP("project-rename New = Old, ['x y'] = z",
              "(project-rename (= New Old) (= [\"x y\"] z))");
    EXPECT_OP("project-reorder a, b* asc, c desc, d granny-asc, e granny-desc",
              "(project-reorder (key a) (key b* asc) (key c desc) (key d granny-asc) (key e "
              "granny-desc))");
    EXPECT_ERROR("T | project-rename a", SL_EPARSE, 1, 20, "a");
    EXPECT_ERROR("T | project-rename a = b + 1", SL_EPARSE, 1, 20, "a = b + 1");
    EXPECT_ERROR("T | project-keep", SL_EPARSE, 1, 17, "");
}

Test(query_parse_ops, render_forms)
{
    EXPECT_OP("render timechart", "(render timechart)");
    EXPECT_OP("render 3Dchart", "(render 3Dchart)");
    EXPECT_OP(
      "render barchart with (title=\"T\", kind=stacked, ycolumns=a, b, ymin=-1, legend=hidden)",
      "(render barchart (title \"T\") (kind stacked) (ycolumns (list a b)) (ymin -1) "
      "(legend hidden))");
    EXPECT_OP("render piechart with ()", "(render piechart)");
    EXPECT_OP("render columnchart kind=unstacked title=\"x\"",
              "(render columnchart (kind unstacked) (title \"x\"))");
    EXPECT_OP("render table with \"Title\"", "(render table (with \"Title\"))");
    EXPECT_OP("render areachart by a, b", "(render areachart (by (list a b)))");
    EXPECT_ERROR("T | render \"x\"", SL_EPARSE, 1, 12, "\"x\"");
    EXPECT_ERROR("T | render x with (title)", SL_EPARSE, 1, 20, "title");
}

Test(query_parse_ops, as_serialize_invoke_evaluate)
{
    EXPECT_OP("as X", "(as X)");
    EXPECT_OP("as hint.materialized=true X", "(as (params (hint.materialized true)) X)");
    EXPECT_OP("serialize", "(serialize)");
    EXPECT_OP("serialize rn = row_number(), p = prev(x)",
              "(serialize (= rn (call row_number)) (= p (call prev x)))");
    EXPECT_OP("invoke f(1, \"a\")", "(invoke (call f 1 \"a\"))");
    EXPECT_OP("evaluate bag_unpack(d)", "(evaluate (call bag_unpack d))");
    EXPECT_OP("evaluate hint.distribution=per_node pivot(k, sum(v)) : (a:string, b:long)",
              "(evaluate (params (hint.distribution per_node)) (call pivot k (call sum v)) (schema "
              "(col a string) (col b long)))");
    EXPECT_QUERY("evaluate python(typeof(*, x:int), 'code')",
                 "(query (evaluate (call python (typeof (schema \"*, x:int\")) \"code\")))");
    EXPECT_QUERY("print typeof(x: nope)",
                 "ERROR SL_EPARSE: Syntax error at line 1, column 7 near 'typeof(x: nope)': "
                 "unknown type 'x: nope' in typeof()");
    EXPECT_ERROR("T | mv-expand x to typeof(*, a:int)", SL_EPARSE, 1, 20, "typeof(*, a:int)");
    EXPECT_ERROR("T | invoke f", SL_EPARSE, 1, 12, "f");
    EXPECT_ERROR("T | evaluate x", SL_EPARSE, 1, 14, "x");
}

Test(query_parse_ops, top_nested)
{
    EXPECT_OP("top-nested 3 of a by count()",
              "(top-nested (level 3 a (key (call count) desc nulls-last)))");
    EXPECT_OP(
      "top-nested of a with others = \"other\" by m = max(x) asc, top-nested 2 of b by sum(y)",
      "(top-nested (level nil a (others \"other\") (key (= m (call max x)) asc nulls-first)) "
      "(level 2 b (key (call sum y) desc nulls-last)))");
    EXPECT_ERROR("T | top-nested 3 a by count()", SL_EPARSE, 1, 18, "a");
}

Test(query_parse_ops, print_range_datatable_sources)
{
    EXPECT_QUERY("print 1, x = 2", "(query (print 1 (= x 2)))");
    EXPECT_QUERY("range i from 1 to 10 step 2", "(query (range i 1 10 2))");
    EXPECT_QUERY("print range(1, 5, 1)", "(query (print (call range 1 5 1)))");
    EXPECT_QUERY(
      "datatable(a:int, b:string)[1, \"x\", 2, \"y\"]",
      "(query (datatable (schema (col a int) (col b string)) (values 1 \"x\" 2 \"y\")))");
    EXPECT_QUERY("datatable(a:int)[]", "(query (datatable (schema (col a int)) (values)))");
    EXPECT_QUERY("datatable(a:int,)[1,]", "(query (datatable (schema (col a int)) (values 1)))");
    EXPECT_ERROR("range i from 1 to 10", SL_EPARSE, 1, 21, "");
    EXPECT_ERROR("datatable(a)[1]", SL_EPARSE, 1, 12, ")");
    EXPECT_ERROR("datatable(a:int)[1", SL_EPARSE, 1, 19, "");
}

Test(query_parse_ops, unsupported_operators_are_captured_by_name)
{
    static const char *ops[] = { "make-series",
                                 "fork",
                                 "facet",
                                 "partition",
                                 "scan",
                                 "reduce",
                                 "top-hitters",
                                 "sample-distinct",
                                 "make-graph",
                                 "graph-match",
                                 "graph-to-table",
                                 "consume",
                                 "assert-schema",
                                 "macro-expand",
                                 "find",
                                 "graph-merge",
                                 "graph-shortest-paths",
                                 "graph-mark-components" };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        char in[80], out[80];
        snprintf(in, sizeof in, "%s x (a | b) [c; d] { e } y", ops[i]);
        snprintf(out, sizeof out, "(unsupported %s)", ops[i]);
        EXPECT_OP(in, out);
    }
    EXPECT_QUERY("T | make-series avg(x) on t from ago(1d) to now() step 1h by k | take 1",
                 "(query (pipe T (unsupported make-series) (take 1)))");
    EXPECT_QUERY("T | fork (where a) (take 1); U", "(query (pipe T (unsupported fork)) U)");
    EXPECT_QUERY("(T | partition by k (top 1 by x)) | count",
                 "(query (pipe (pipe T (unsupported partition)) (count)))");
    EXPECT_QUERY("find where x | take 1", "(query (pipe (unsupported find) (take 1)))");
    EXPECT_QUERY("externaldata(a:string)[\"u\"] with (format=\"csv\")",
                 "(query (unsupported externaldata))");
    /* Skipped text must still balance its brackets. */
    EXPECT_ERROR("find(t", SL_EPARSE, 1, 7, "");
    EXPECT_ERROR("T | fork (where x]", SL_EPARSE, 1, 18, "]");
    EXPECT_ERROR("T | scan with (step s: x == \"open)", SL_EPARSE, 1, 29, "\"open)");
}

Test(query_parse_ops, unsupported_node_records_the_keyword)
{
    sl_pool_t *pool = sl_pool_create();
    sl_query_node_t *q;
    const char *text = "T | make-series count() on t step 1h";
    cr_assert_eq(sl_query_parse(pool, text, strlen(text), &q, NULL, NULL), 0);
    sl_query_node_t *op = q->query.stmts.v[0]->pipe.ops.v[0];
    cr_assert_eq(op->kind, SL_QUERY_N_UNSUPPORTED);
    cr_expect_eq(op->unsupported.kw, SL_QUERY_KW_MAKE_SERIES);
    cr_expect_str_eq(op->unsupported.name, "make-series");
    cr_expect_eq(op->pos.off, 4);
    cr_expect_eq(op->pos.len, strlen(text) - 4, "the node covers the skipped tokens");
    sl_pool_destroy(pool);
}

Test(query_parse_ops, unknown_operator_is_a_syntax_error)
{
    char msg[400];
    sl_query_error_t e = qt_error("T | frobnicate x", msg, sizeof msg);
    cr_expect_eq(e.code, SL_EPARSE);
    cr_expect_str_eq(msg,
                     "Syntax error at line 1, column 5 near 'frobnicate': expected a "
                     "tabular operator (where, project, summarize ...)");
    EXPECT_ERROR("T | 5", SL_EPARSE, 1, 5, "5");
    EXPECT_ERROR("T || take 1", SL_EPARSE, 1, 4, "|");
}
