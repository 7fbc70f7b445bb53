/*
 * Properties every registered aggregate must keep (query/agg_reg.c lists
 * them): splitting the rows into batches and partials, then merging the
 * partials in any order, gives the result of one pass over all rows. Data
 * is random (seeded), with nulls; aggregates whose result depends on the
 * arrival order (make_list, take_any, make_set's member order) are left
 * to their own tests.
 */
#include "agg_test.h"

#define N 600
#define GROUPS 5

static uint64_t seed;

static uint64_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

/* A random column of type t (about 1 in 8 null; strings never null). */
static sl_qvec_t *column(sl_type_t t, bool unique)
{
    static const char *const words[] = { "alpha", "beta",  "",       "gamma", "delta-long-value",
                                         "beta",  "Alpha", "epsilon" };
    sl_qvec_t *v = sl_qvec_new(t, sl_type_is_text(t) ? 0 : N);
    for (size_t i = 0; i < N; i++) {
        if (t == SL_TYPE_STRING) {
            const char *w = words[rnd() % 8];
            sl_qvec_push_text(v, w, strlen(w));
            continue;
        }
        if (!unique && rnd() % 8 == 0) {
            sl_qvec_set_null(v, i);
            continue;
        }
        switch (t) {
        case SL_TYPE_BOOL:
            sl_qvec_boolw(v)[i] = rnd() % 2;
            break;
        case SL_TYPE_REAL:
            /* Integral values: every order of addition is exact. */
            sl_qvec_f64w(v)[i] = (double)((int64_t)(rnd() % 2001) - 1000);
            break;
        default:
            sl_qvec_i64w(v)[i] = unique ? (int64_t)(i * 7919 % N) : (int64_t)(rnd() % 97) - 40;
            break;
        }
    }
    return v;
}

/* Rows [from, from+k) of v, as a vector of their own. */
static sl_qvec_t *slice(const sl_qvec_t *v, size_t from, size_t k)
{
    sl_qvec_t *s = sl_qvec_new(v->col.type, sl_type_is_text(v->col.type) ? 0 : k);
    for (size_t i = 0; i < k; i++) {
        if (sl_type_is_text(v->col.type)) {
            size_t n;
            const char *p = sl_qvec_text(v, from + i, &n);
            sl_qvec_push_text(s, p, n);
        } else if (sl_qvec_is_null(v, from + i)) {
            sl_qvec_set_null(s, i);
        } else if (v->col.type == SL_TYPE_BOOL) {
            sl_qvec_boolw(s)[i] = sl_qvec_bool(v, from + i);
        } else {
            sl_qvec_i64w(s)[i] = sl_qvec_i64(v, from + i);
        }
    }
    return s;
}

typedef struct acase {
    const char *agg;
    size_t nargs;
    qa_arg_t args[4];
    bool unique_key; /* args[0] has no repeated or null values (arg_max) */
} acase_t;

/* Results equal, or (for the floating statistics, whose last bit depends
 * on which value each partial took as its shift) equal to 12 digits. */
static bool same(const char *agg, const char *a, const char *b)
{
    if (strcmp(a, b) == 0) {
        return true;
    }
    if (!strstr(agg, "variance") && !strstr(agg, "stdev")) {
        return false;
    }
    while (*a && *b) {
        char *ea, *eb;
        double x = strtod(a, &ea), y = strtod(b, &eb);
        if (ea == a || eb == b || fabs(x - y) > 1e-12 * fmax(fabs(x), fabs(y))) {
            return false;
        }
        a = *ea ? ea + 1 : ea;
        b = *eb ? eb + 1 : eb;
    }
    return !*a && !*b;
}

/* Runs the case over the same data: one partial fed in one batch, and
 * `parts` partials fed in random batches, merged in a random order. */
static char *run_case(const acase_t *c,
                      sl_qvec_t **cols,
                      size_t ncols,
                      const uint32_t *gid,
                      size_t parts)
{
    qa_t q;
    qa_bind_v(&q, c->agg, "x", c->nargs, c->args);
    size_t at = 0;
    while (at < N) {
        size_t k = parts == 1 ? N : 1 + rnd() % 97;
        if (k > N - at) {
            k = N - at;
        }
        sl_qvec_t *batch[4];
        for (size_t i = 0; i < ncols; i++) {
            batch[i] = slice(cols[i], at, k);
        }
        size_t p = parts == 1 ? 0 : 1 + rnd() % parts;
        int rc = qa_update_v(&q, p, (qa_gids_t){ k, gid + at }, ncols, batch);
        cr_assert_eq(rc, 0, "%s update: %s", c->agg, q.d.msg);
        at += k;
    }
    if (parts > 1) {
        size_t order[QA_MAX_PARTIALS];
        for (size_t i = 0; i < parts; i++) {
            order[i] = i + 1;
        }
        for (size_t i = parts - 1; i > 0; i--) {
            size_t j = rnd() % (i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (size_t i = 0; i < parts; i++) {
            qa_merge(&q, 0, order[i]);
        }
    }
    char *s = qa_result(&q, 0, GROUPS);
    qa_done(&q);
    return s;
}

#define CASE(agg, uniq, ...)                                                                       \
    {                                                                                              \
        agg, sizeof((qa_arg_t[]){ __VA_ARGS__ }) / sizeof(qa_arg_t), { __VA_ARGS__ }, uniq         \
    }

Test(query_agg_reg, partials_merged_in_any_order_match_one_pass)
{
    const acase_t cases[] = {
        CASE("count", false, QA_COL(SL_TYPE_LONG)),
        CASE("countif", false, QA_COL(SL_TYPE_BOOL)),
        CASE("dcount", false, QA_COL(SL_TYPE_LONG)),
        CASE("dcount", false, QA_COL(SL_TYPE_STRING)),
        CASE("dcountif", false, QA_COL(SL_TYPE_REAL), QA_COL(SL_TYPE_BOOL)),
        CASE("count_distinct", false, QA_COL(SL_TYPE_DATETIME)),
        CASE("sum", false, QA_COL(SL_TYPE_LONG)),
        CASE("sum", false, QA_COL(SL_TYPE_REAL)),
        CASE("sumif", false, QA_COL(SL_TYPE_TIMESPAN), QA_COL(SL_TYPE_BOOL)),
        CASE("avg", false, QA_COL(SL_TYPE_INT)),
        CASE("avg", false, QA_COL(SL_TYPE_REAL)),
        CASE("avgif", false, QA_COL(SL_TYPE_DATETIME), QA_COL(SL_TYPE_BOOL)),
        CASE("variance", false, QA_COL(SL_TYPE_LONG)),
        CASE("stdevp", false, QA_COL(SL_TYPE_REAL)),
        CASE("min", false, QA_COL(SL_TYPE_LONG)),
        CASE("max", false, QA_COL(SL_TYPE_REAL)),
        CASE("max", false, QA_COL(SL_TYPE_STRING)),
        CASE("min", false, QA_COL(SL_TYPE_STRING)),
        CASE("minif", false, QA_COL(SL_TYPE_TIMESPAN), QA_COL(SL_TYPE_BOOL)),
        CASE("maxif", false, QA_COL(SL_TYPE_STRING), QA_COL(SL_TYPE_BOOL)),
        CASE("max", false, QA_COL(SL_TYPE_BOOL)),
        CASE("percentile", false, QA_COL(SL_TYPE_LONG), QA_K(SL_TYPE_LONG, "50")),
        CASE("percentiles",
             false,
             QA_COL(SL_TYPE_REAL),
             QA_K(SL_TYPE_LONG, "0"),
             QA_K(SL_TYPE_REAL, "12.5"),
             QA_K(SL_TYPE_LONG, "90")),
        CASE("arg_max", true, QA_COL(SL_TYPE_LONG), QA_COL(SL_TYPE_STRING), QA_COL(SL_TYPE_REAL)),
        CASE("arg_min", true, QA_COL(SL_TYPE_LONG), QA_COL(SL_TYPE_STRING)),
    };
    for (int trial = 0; trial < 4; trial++) {
        for (size_t c = 0; c < SL_ARRAY_SIZE(cases); c++) {
            seed = 0x5eed0000u + (uint64_t)trial * 1000 + c;
            uint32_t gid[N];
            for (size_t i = 0; i < N; i++) {
                gid[i] = (uint32_t)(rnd() % GROUPS);
            }
            sl_qvec_t *cols[4];
            size_t ncols = 0;
            for (size_t i = 0; i < cases[c].nargs; i++) {
                if (!cases[c].args[i].konst) {
                    cols[ncols++] = column(cases[c].args[i].type, i == 0 && cases[c].unique_key);
                }
            }
            char *one = run_case(&cases[c], cols, ncols, gid, 1);
            char *many = run_case(&cases[c], cols, ncols, gid, 2 + (size_t)trial);
            cr_expect(same(cases[c].agg, many, one),
                      "%s trial %d: %s vs %s",
                      cases[c].agg,
                      trial,
                      many,
                      one);
            free(one);
            free(many);
            for (size_t i = 0; i < ncols; i++) {
                sl_qvec_unref(cols[i]);
            }
        }
    }
}
