/*
 * The exact value set behind dcount, make_set and make_bag
 * (query/agg_set.c).
 */
#include "agg_test.h"

typedef struct env {
    sl_pool_t *pool;
    qa_env_t env;
    sl_diag_t d;
    sl_qrt_t rt;
} env_t;

static void env_init(env_t *e)
{
    memset(e, 0, sizeof *e);
    e->pool = sl_pool_create();
    qa_env_init(&e->env, e->pool, &e->d);
    e->rt = qa_env_rt(&e->env, &e->d);
}

static void env_done(env_t *e)
{
    if (!e->env.limited) {
        cr_expect_eq(qa_env_charged(&e->env), 0, "everything charged was credited");
    }
    sl_qrt_dispose(&e->rt);
    qa_env_dispose(&e->env);
    sl_pool_destroy(e->pool);
}

static void set_free(env_t *e, sl_qagg_set_t *s)
{
    sl_qrt_charge(&e->rt, -(int64_t)sl_qagg_set_bytes(s));
    sl_qagg_set_destroy(s);
}

Test(query_agg_set, keeps_distinct_values_in_first_seen_order_through_growth)
{
    env_t e;
    env_init(&e);
    sl_qagg_set_t *s;
    cr_assert_eq(sl_qagg_set_create(false, &e.rt, &s), 0);
    /* Every value hashes to the same few slots: probing and growth must
     * still find each one. */
    for (int round = 0; round < 2; round++) {
        for (uint64_t k = 0; k < 5000; k++) {
            bool added;
            cr_assert_eq(sl_qagg_set_add_u64(s, k * 7, k % 3, &added, &e.rt), 0);
            cr_assert_eq(added, round == 0, "value %llu round %d", (unsigned long long)k, round);
        }
    }
    cr_expect_eq(s->n, 5000);
    for (uint32_t i = 0; i < s->n; i++) {
        cr_assert_eq(s->keys[i], (uint64_t)i * 7);
    }
    cr_expect_eq(qa_env_charged(&e.env), (int64_t)sl_qagg_set_bytes(s));
    set_free(&e, s);
    env_done(&e);
}

Test(query_agg_set, text_values_are_compared_by_all_their_bytes)
{
    env_t e;
    env_init(&e);
    sl_qagg_set_t *s;
    cr_assert_eq(sl_qagg_set_create(true, &e.rt, &s), 0);
    static const char *const vals[] = { "a\0b", "a\0c", "a", "", "a\0b" };
    static const size_t lens[] = { 3, 3, 1, 0, 3 };
    size_t added_count = 0;
    for (size_t i = 0; i < SL_ARRAY_SIZE(vals); i++) {
        bool added;
        /* A constant hash: only the byte comparison tells them apart. */
        cr_assert_eq(sl_qagg_set_add_text(s, vals[i], lens[i], 42, &added, &e.rt), 0);
        added_count += added;
    }
    cr_expect_eq(added_count, 4);
    size_t n;
    const char *p = sl_qagg_set_text(s, 1, &n);
    cr_expect(n == 3 && memcmp(p, "a\0c", 3) == 0);
    p = sl_qagg_set_text(s, 3, &n);
    cr_expect_eq(n, 0);
    set_free(&e, s);
    env_done(&e);
}

Test(query_agg_set, merge_into_moves_or_unions)
{
    env_t e;
    env_init(&e);
    sl_qagg_set_t *a = NULL, *b = NULL;
    cr_assert_eq(sl_qagg_set_get(&b, false, &e.rt), 0);
    sl_qagg_set_add_u64(b, 1, sl_qagg_hash_u64(1), NULL, &e.rt);
    cr_assert_eq(sl_qagg_set_merge_into(&a, &b, &e.rt), 0);
    cr_expect(a != NULL && b == NULL, "an empty destination takes the source whole");
    cr_assert_eq(sl_qagg_set_get(&b, false, &e.rt), 0);
    sl_qagg_set_add_u64(b, 2, sl_qagg_hash_u64(2), NULL, &e.rt);
    sl_qagg_set_add_u64(b, 1, sl_qagg_hash_u64(1), NULL, &e.rt);
    cr_assert_eq(sl_qagg_set_merge_into(&a, &b, &e.rt), 0);
    cr_expect(b == NULL);
    cr_expect_eq(a->n, 2);
    set_free(&e, a);
    env_done(&e);
}

Test(query_agg_set, growth_stops_at_the_budget)
{
    env_t e;
    env_init(&e);
    qa_env_limit(&e.env, 2000);
    sl_qagg_set_t *s;
    cr_assert_eq(sl_qagg_set_create(true, &e.rt, &s), 0);
    int rc = 0;
    char tmp[32];
    for (int i = 0; i < 1000 && !rc; i++) {
        int len = snprintf(tmp, sizeof tmp, "value-%d", i);
        rc = sl_qagg_set_add_text(
          s, tmp, (size_t)len, sl_qagg_hash_bytes(tmp, (size_t)len), NULL, &e.rt);
    }
    cr_expect_eq(rc, SL_ELIMIT);
    cr_expect(strstr(e.d.msg, "memory budget") != NULL, "%s", e.d.msg);
    /* The refused charge stays on the account (the query stops); what
     * the set holds was charged before it was taken. */
    cr_expect_gt(qa_env_charged(&e.env), (int64_t)sl_qagg_set_bytes(s));
    cr_expect_leq(sl_qagg_set_bytes(s), 2000);
    set_free(&e, s);
    env_done(&e);
}

Test(query_agg_set, hashes_normalise_reals)
{
    cr_expect_eq(sl_qagg_real_key(0.0), sl_qagg_real_key(-0.0));
    cr_expect_eq(sl_qagg_real_key(NAN), sl_qagg_real_key(-NAN));
    cr_expect_neq(sl_qagg_real_key(1.0), sl_qagg_real_key(-1.0));
    cr_expect_neq(sl_qagg_hash_bytes("ab", 2), sl_qagg_hash_bytes("ba", 2));
    cr_expect_neq(sl_qagg_hash_bytes("", 0), sl_qagg_hash_bytes("\0", 1));
}
