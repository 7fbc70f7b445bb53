/* Entry formats: column images, directories, block keys. */
#include "cache_test.h"

static sl_key_t *cache_key;

static void setup(void)
{
    cr_assert_eq(sl_key_create_random(&cache_key), 0);
}

static void teardown(void)
{
    sl_key_destroy(cache_key);
}

TestSuite(cache_entry, .init = setup, .fini = teardown);

/* Seals column c and opens it again into a fresh column. */
static int round_trip(const sl_col_t *c, sl_col_t *out, uint32_t ordinal)
{
    uint8_t key[SL_KEY_LEN];
    cr_assert_eq(sl_cache__block_key(cache_key, 77, 5, key), 0);
    size_t n = sl_cache__col_sealed_len(c);
    uint8_t *v = sl_xmalloc(n);
    cr_assert_eq(sl_cache__col_seal(key, 77, ordinal, c, v), 0);
    memset(out, 0, sizeof *out);
    out->type = c->type;
    int rc = sl_cache__col_open(key, 77, ordinal, v, n, c->n, out);
    sl_free(v);
    return rc;
}

Test(cache_entry, every_column_type_round_trips)
{
    sl_batch_t *b = ct_batch(&(sl_guid_t){ { 1 } }, SL_SCOPE_MMK, 0, 300, 0);
    sl_colset_t got;
    sl_colset_init(&got);
    for (size_t i = 0; i < b->rows.ncols; i++) {
        const sl_col_t *c = &b->rows.cols[i];
        int at = sl_colset_add(&got, c->name, c->type);
        sl_col_t *o = &got.cols[at];
        sl_buf_dispose(&o->offs);
        char *name = o->name;
        cr_assert_eq(round_trip(c, o, (uint32_t)i), 0, "column %s", c->name);
        o->name = name;
    }
    got.nrows = b->rows.nrows;
    ct_expect_same(&b->rows, &got);
    /* Nulls survived for the types that have them. */
    int code = sl_colset_find(&got, "Code");
    cr_expect(sl_col_is_null(&got.cols[code], 3));
    cr_expect(!sl_col_is_null(&got.cols[code], 4));
    sl_colset_dispose(&got);
    sl_batch_destroy(b);
}

Test(cache_entry, an_empty_text_column_and_a_single_row_round_trip)
{
    sl_colset_t s;
    sl_colset_init(&s);
    int e = sl_colset_add(&s, "E", SL_TYPE_STRING);
    int f = sl_colset_add(&s, "F", SL_TYPE_REAL);
    sl_col_push_text(&s.cols[e], "", 0);
    sl_col_push_null(&s.cols[f]);
    sl_colset_end_row(&s);
    for (size_t i = 0; i < s.ncols; i++) {
        sl_col_t o;
        cr_assert_eq(round_trip(&s.cols[i], &o, 0), 0);
        cr_expect_eq(o.n, 1);
        if (i == 1) {
            cr_expect(sl_col_is_null(&o, 0));
        }
        sl_buf_dispose(&o.data);
        sl_buf_dispose(&o.offs);
        sl_buf_dispose(&o.nulls);
    }
    sl_colset_dispose(&s);
}

Test(cache_entry, altered_or_moved_columns_do_not_open)
{
    sl_batch_t *b = ct_batch(&(sl_guid_t){ { 1 } }, SL_SCOPE_MMK, 0, 50, 0);
    const sl_col_t *c = &b->rows.cols[sl_colset_find(&b->rows, "Msg")];
    uint8_t key[SL_KEY_LEN], other[SL_KEY_LEN];
    sl_cache__block_key(cache_key, 77, 5, key);
    sl_cache__block_key(cache_key, 77, 6, other); /* same block, another insertion */
    size_t n = sl_cache__col_sealed_len(c);
    uint8_t *v = sl_xmalloc(n);
    cr_assert_eq(sl_cache__col_seal(key, 77, 1, c, v), 0);
    /* The text is not in the sealed value. */
    cr_expect_null(memmem(v, n, "request 1", 9));
    sl_col_t o = { .type = c->type };
    cr_expect_eq(sl_cache__col_open(key, 78, 1, v, n, c->n, &o), SL_EINTEGRITY, "other block");
    cr_expect_eq(sl_cache__col_open(key, 77, 2, v, n, c->n, &o), SL_EINTEGRITY, "other place");
    cr_expect_eq(sl_cache__col_open(other, 77, 1, v, n, c->n, &o), SL_EINTEGRITY, "other key");
    cr_expect_eq(sl_cache__col_open(key, 77, 1, v, n, c->n + 1, &o), SL_EINTEGRITY, "row count");
    o.type = SL_TYPE_DYNAMIC;
    cr_expect_eq(sl_cache__col_open(key, 77, 1, v, n, c->n, &o), SL_EINTEGRITY, "type");
    o.type = c->type;
    v[n / 2] ^= 1;
    cr_expect_eq(sl_cache__col_open(key, 77, 1, v, n, c->n, &o), SL_EINTEGRITY, "bit flip");
    v[n / 2] ^= 1;
    cr_expect_eq(sl_cache__col_open(key, 77, 1, v, n - 1, c->n, &o), SL_EINTEGRITY, "truncated");
    cr_assert_eq(sl_cache__col_open(key, 77, 1, v, n, c->n, &o), 0);
    sl_buf_dispose(&o.data);
    sl_buf_dispose(&o.offs);
    sl_buf_dispose(&o.nulls);
    sl_free(v);
    sl_batch_destroy(b);
}

Test(cache_entry, the_directory_is_sealed_and_bound_to_its_header)
{
    sl_cache_dir_t dir = { 0 };
    sl_cache__dir_add(&dir, "SecretColumnName", SL_TYPE_STRING, 0);
    sl_cache__dir_add(&dir, "Seq", SL_TYPE_LONG, 1);
    sl_cache__dir_add(&dir, "Missing", SL_TYPE_BOOL, -1);
    cr_expect_eq(sl_cache__dir_next(&dir), 2);
    sl_cache_meta_t m = { .scope = SL_SCOPE_CMK, .flags = SL_CACHE_META_COMPLETE, .salt = 9,
                          .tmin = 100, .tmax = 200, .inserted = 300, .rows = 42 };
    m.bytes = 1000 + sl_cache__meta_len(&dir);
    uint8_t key[SL_KEY_LEN];
    sl_cache__block_key(cache_key, 5, 9, key);
    sl_buf_t v = SL_BUF_INIT;
    sl_cache__meta_seal(key, 5, &m, &dir, &v);
    cr_expect_eq(v.len, sl_cache__meta_len(&dir));
    cr_expect_null(memmem(v.data, v.len, "SecretColumnName", 16));
    sl_cache_meta_t r;
    cr_assert_eq(sl_cache__meta_read(v.data, v.len, &r), 0);
    cr_expect_eq(r.tmax, 200);
    cr_expect_eq(r.rows, 42);
    cr_expect_eq(r.bytes, m.bytes);
    sl_cache_dir_t got = { 0 };
    cr_assert_eq(sl_cache__dir_open(key, 5, v.data, v.len, &got), 0);
    cr_assert_eq(got.n, 3);
    cr_expect_str_eq(got.cols[0].name, "SecretColumnName");
    cr_expect_eq(got.cols[1].ordinal, 1);
    cr_expect_eq(got.cols[2].ordinal, -1);
    sl_cache__dir_dispose(&got);
    cr_expect_eq(sl_cache__dir_open(key, 6, v.data, v.len, &got), SL_EINTEGRITY, "other block");
    /* The clear header is authenticated: a moved time range is noticed. */
    v.data[40] ^= 1;
    cr_expect_eq(sl_cache__dir_open(key, 5, v.data, v.len, &got), SL_EINTEGRITY);
    cr_expect_eq(got.n, 0);
    sl_buf_dispose(&v);
    sl_cache__dir_dispose(&dir);
}

Test(cache_entry, block_keys_differ_per_block_and_per_insertion)
{
    uint8_t a[SL_KEY_LEN], b[SL_KEY_LEN], c[SL_KEY_LEN], d[SL_KEY_LEN];
    sl_cache__block_key(cache_key, 1, 1, a);
    sl_cache__block_key(cache_key, 2, 1, b);
    sl_cache__block_key(cache_key, 1, 2, c);
    sl_cache__block_key(cache_key, 1, 1, d);
    cr_expect_neq(memcmp(a, b, SL_KEY_LEN), 0);
    cr_expect_neq(memcmp(a, c, SL_KEY_LEN), 0);
    cr_expect_eq(memcmp(a, d, SL_KEY_LEN), 0);
}
