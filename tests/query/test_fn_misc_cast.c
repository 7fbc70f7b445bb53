/*
 * sl_qbind_cast (fn_misc_cast.c): a cast of a constant folds to a
 * constant; a cast of a column becomes a vectorised conversion call; a
 * cast to dynamic wraps values as dynamic elements.
 */
#include "fn_misc_test.h"

typedef struct cast_fx {
    sl_pool_t *pool;
    sl_diag_t d;
    sl_qbind_t b;
    sl_qschema_t in;
} cast_fx_t;

static void fx_init(cast_fx_t *fx)
{
    memset(fx, 0, sizeof *fx);
    fx->pool = sl_pool_create();
    sl_qbind_init(&fx->b, fx->pool, 0, NULL, &fx->d);
    static const char *names[] = { "l", "s" };
    static sl_type_t types[] = { SL_TYPE_LONG, SL_TYPE_STRING };
    fx->in.n = 2;
    fx->in.names = names;
    fx->in.types = types;
}

static void fx_fini(cast_fx_t *fx)
{
    sl_qbind_dispose(&fx->b);
    sl_pool_destroy(fx->pool);
}

static sl_qexpr_t *fx_bind(cast_fx_t *fx, const char *expr)
{
    char *text = sl_pool_printf(fx->pool, "print %s", expr);
    sl_query_node_t *q;
    sl_query_error_t perr;
    cr_assert_eq(
      sl_query_parse(fx->pool, text, strlen(text), &q, &perr, &fx->d), 0, "%s", fx->d.msg);
    const sl_query_node_t *p = q->query.stmts.v[0];
    if (p->kind == SL_QUERY_N_PIPELINE) {
        p = p->pipe.source;
    }
    sl_qexpr_t *e = NULL;
    cr_assert_eq(sl_qbind_expr(&fx->b, p->items.items.v[0], &fx->in, &e), 0, "%s", fx->d.msg);
    return e;
}

/* Evaluates e over two rows: l = 7, null; s = "x", "". Renders like et_eval. */
static char *fx_eval(cast_fx_t *fx, const sl_qexpr_t *e)
{
    sl_qbatch_t batch;
    sl_qbatch_init(&batch, 2);
    batch.n = 2;
    batch.cols[0] = sl_qvec_new(SL_TYPE_LONG, 2);
    sl_qvec_i64w(batch.cols[0])[0] = 7;
    sl_qvec_set_null(batch.cols[0], 1);
    batch.cols[1] = sl_qvec_new(SL_TYPE_STRING, 2);
    sl_qvec_push_text(batch.cols[1], "x", 1);
    sl_qvec_push_text(batch.cols[1], "", 0);
    sl_qrt_t rt = { .d = &fx->d };
    sl_qvec_t *v = NULL;
    cr_assert_eq(sl_qexpr_eval(e, &batch, &rt, &v), 0, "%s", fx->d.msg);
    sl_buf_t b = SL_BUF_INIT;
    for (size_t i = 0; i < 2; i++) {
        if (i) {
            sl_buf_putc(&b, '|');
        }
        if (!sl_type_is_text(v->col.type) && sl_qvec_is_null(v, i)) {
            sl_buf_puts(&b, "null");
        } else {
            sl_qvec_tostring(v, i, &b);
        }
    }
    sl_buf_printf(&b, ":%s", sl_type_name(v->col.type));
    sl_qvec_unref(v);
    sl_qrt_dispose(&rt);
    sl_qbatch_dispose(&batch);
    char *s = strdup(b.data);
    sl_buf_dispose(&b);
    return s;
}

Test(query_fn_misc_cast, a_constant_folds_to_a_constant)
{
    cast_fx_t fx;
    fx_init(&fx);
    sl_qexpr_t *e = fx_bind(&fx, "42");
    cr_assert_eq(sl_qbind_cast(&fx.b, &e, SL_TYPE_STRING, &fx.d), 0, "%s", fx.d.msg);
    cr_expect_eq(e->kind, SL_QX_CONST);
    cr_expect_eq(e->type, SL_TYPE_STRING);
    const char *s;
    size_t n;
    cr_assert(sl_qexpr_const_text(e, &s, &n));
    cr_expect(n == 2 && memcmp(s, "42", 2) == 0);

    e = fx_bind(&fx, "'12:30'");
    cr_assert_eq(sl_qbind_cast(&fx.b, &e, SL_TYPE_TIMESPAN, &fx.d), 0, "%s", fx.d.msg);
    int64_t ticks = 0;
    cr_expect_eq(e->kind, SL_QX_CONST);
    cr_expect(sl_qexpr_const_i64(e, &ticks) &&
              ticks == 12 * SL_TICKS_PER_HOUR + 30 * SL_TICKS_PER_MIN);

    /* A failed conversion of a constant is a null constant, not an error. */
    e = fx_bind(&fx, "'abc'");
    cr_assert_eq(sl_qbind_cast(&fx.b, &e, SL_TYPE_LONG, &fx.d), 0, "%s", fx.d.msg);
    cr_expect_eq(e->kind, SL_QX_CONST);
    cr_expect(sl_qvec_is_null(e->konst, 0));
    fx_fini(&fx);
}

Test(query_fn_misc_cast, a_column_becomes_a_conversion_call)
{
    cast_fx_t fx;
    fx_init(&fx);
    sl_qexpr_t *e = fx_bind(&fx, "l");
    cr_assert_eq(e->kind, SL_QX_COL);
    cr_assert_eq(sl_qbind_cast(&fx.b, &e, SL_TYPE_REAL, &fx.d), 0, "%s", fx.d.msg);
    cr_expect_eq(e->kind, SL_QX_CALL);
    cr_expect_eq(e->type, SL_TYPE_REAL);
    cr_expect_str_eq(e->call.fn->name, "todouble");
    char *got = fx_eval(&fx, e);
    cr_expect_str_eq(got, "7|null:real");
    free(got);

    e = fx_bind(&fx, "l");
    cr_assert_eq(sl_qbind_cast(&fx.b, &e, SL_TYPE_STRING, &fx.d), 0, "%s", fx.d.msg);
    got = fx_eval(&fx, e);
    cr_expect_str_eq(got, "7|:string");
    free(got);

    /* The same type: nothing to do, the expression is kept. */
    sl_qexpr_t *before = e = fx_bind(&fx, "l");
    cr_assert_eq(sl_qbind_cast(&fx.b, &e, SL_TYPE_LONG, &fx.d), 0);
    cr_expect_eq(e, before);
    fx_fini(&fx);
}

Test(query_fn_misc_cast, to_dynamic_wraps_values_as_elements)
{
    cast_fx_t fx;
    fx_init(&fx);
    sl_qexpr_t *e = fx_bind(&fx, "'[1,2]'");
    cr_assert_eq(sl_qbind_cast(&fx.b, &e, SL_TYPE_DYNAMIC, &fx.d), 0, "%s", fx.d.msg);
    const char *s;
    size_t n;
    cr_assert(sl_qexpr_const_text(e, &s, &n));
    /* A JSON string holding the text, not the parsed array. */
    cr_expect(n == 7 && memcmp(s, "\"[1,2]\"", 7) == 0, "%.*s", (int)n, s);

    e = fx_bind(&fx, "l");
    cr_assert_eq(sl_qbind_cast(&fx.b, &e, SL_TYPE_DYNAMIC, &fx.d), 0, "%s", fx.d.msg);
    char *got = fx_eval(&fx, e);
    cr_expect_str_eq(got, "7|:dynamic");
    free(got);

    e = fx_bind(&fx, "s");
    cr_assert_eq(sl_qbind_cast(&fx.b, &e, SL_TYPE_DYNAMIC, &fx.d), 0, "%s", fx.d.msg);
    cr_expect_eq(e->type, SL_TYPE_DYNAMIC);
    got = fx_eval(&fx, e);
    cr_expect_str_eq(got, "x|:dynamic"); /* tostring of "x" and of "" */
    free(got);

    e = fx_bind(&fx, "datetime(2020-01-02)");
    cr_assert_eq(sl_qbind_cast(&fx.b, &e, SL_TYPE_DYNAMIC, &fx.d), 0, "%s", fx.d.msg);
    cr_assert(sl_qexpr_const_text(e, &s, &n));
    cr_expect(n == 22 && memcmp(s, "\"2020-01-02T00:00:00Z\"", 22) == 0, "%.*s", (int)n, s);
    fx_fini(&fx);
}

Test(query_fn_misc_cast, functions_use_it_for_their_arguments)
{
    cast_fx_t fx;
    fx_init(&fx);
    /* iff's int and real branches meet as real; the int constant folds. */
    sl_qexpr_t *e = fx_bind(&fx, "iff(l > 0, 1, 2.5)");
    cr_assert_eq(e->kind, SL_QX_CALL);
    cr_expect_eq(e->type, SL_TYPE_REAL);
    cr_expect_eq(e->call.args[1]->kind, SL_QX_CONST);
    cr_expect_eq(e->call.args[1]->type, SL_TYPE_REAL);
    char *got = fx_eval(&fx, e);
    cr_expect_str_eq(got, "1|2.5:real");
    free(got);
    /* bin over a column stays a call with its step precomputed. */
    e = fx_bind(&fx, "bin(l, 5)");
    cr_expect_eq(e->kind, SL_QX_CALL);
    cr_expect_not_null(e->call.state);
    got = fx_eval(&fx, e);
    cr_expect_str_eq(got, "5|null:long");
    free(got);
    fx_fini(&fx);
}
