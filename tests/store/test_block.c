#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <zstd.h>

#include "store/store_int.h"

static sl_key_t *infra;
static sl_keyring_t *kr;
static const uint64_t AEK_ID = 0x1122334455667788u;

static void setup(void)
{
    cr_assert_eq(sl_key_create_random(&infra), 0);
    kr = sl_keyring_create(infra, true);
    uint8_t aek[32];
    sl_random_bytes(aek, 32);
    sl_keyring_put(kr, SL_SCOPE_MMK, AEK_ID, 1, aek);
}

static void teardown(void)
{
    sl_keyring_destroy(kr);
    sl_key_destroy(infra);
}

TestSuite(store_block, .init = setup, .fini = teardown);

/* Rows with every type, nulls, a low- and a high-cardinality string. */
static void make_rows(sl_colset_t *s, size_t n)
{
    sl_colset_init(s);
    int tg = sl_colset_add(s, "TimeGenerated", SL_TYPE_DATETIME);
    int host = sl_colset_add(s, "Computer", SL_TYPE_STRING);
    int msg = sl_colset_add(s, "SyslogMessage", SL_TYPE_STRING);
    int cnt = sl_colset_add(s, "Count", SL_TYPE_LONG);
    int val = sl_colset_add(s, "Value", SL_TYPE_REAL);
    int ok = sl_colset_add(s, "Ok", SL_TYPE_BOOL);
    int dur = sl_colset_add(s, "Duration", SL_TYPE_TIMESPAN);
    for (size_t i = 0; i < n; i++) {
        sl_col_push_i64(&s->cols[tg], 1718000000LL * SL_TICKS_PER_SEC + (int64_t)i * 12345);
        char h[32], m[96];
        snprintf(h, sizeof h, "web-%02zu.prod", i % 7);
        sl_col_push_text(&s->cols[host], h, strlen(h));
        snprintf(m, sizeof m, "request %zu canary-%08zx done", i, i * 2654435761u);
        sl_col_push_text(&s->cols[msg], m, strlen(m));
        if (i % 5 == 3)
            sl_col_push_null(&s->cols[cnt]);
        else
            sl_col_push_i64(&s->cols[cnt], (int64_t)i * (i % 2 ? -1 : 1));
        sl_col_push_f64(&s->cols[val], (double)i / 3.0);
        if (i % 4 != 1)
            sl_col_push_bool(&s->cols[ok], i % 3 == 0);
        sl_col_push_i64(&s->cols[dur], (int64_t)i * SL_TICKS_PER_MS);
        sl_colset_end_row(s);
    }
}

static void assert_cols_equal(const sl_col_t *a, const sl_col_t *b)
{
    cr_assert_str_eq(a->name, b->name);
    cr_assert_eq(a->type, b->type);
    cr_assert_eq(a->n, b->n, "%s", a->name);
    for (size_t i = 0; i < a->n; i++) {
        cr_assert_eq(sl_col_is_null(a, i), sl_col_is_null(b, i), "%s row %zu null", a->name, i);
        if (sl_col_is_null(a, i))
            continue;
        if (sl_type_is_text(a->type)) {
            size_t la, lb;
            const char *x = sl_col_text(a, i, &la), *y = sl_col_text(b, i, &lb);
            cr_assert(la == lb && !memcmp(x, y, la), "%s row %zu", a->name, i);
        } else if (a->type == SL_TYPE_REAL) {
            cr_assert_eq(sl_col_f64(a, i), sl_col_f64(b, i));
        } else if (a->type == SL_TYPE_BOOL) {
            cr_assert_eq(sl_col_bool(a, i), sl_col_bool(b, i));
        } else {
            cr_assert_eq(sl_col_i64(a, i), sl_col_i64(b, i), "%s row %zu", a->name, i);
        }
    }
}

static int read_all(const uint8_t *hdr, const sl_buf_t *data, const sl_colset_t *want)
{
    sl_block_reader_t r;
    sl_store__block_reader_init(&r);
    sl_diag_t d;
    int rc = sl_store__block_open(&r, kr, hdr, SL_BLOCK_HDR_LEN, (uint8_t *)data->data,
                                  data->len, &d);
    for (size_t i = 0; !rc && i < r.ncols; i++) {
        sl_col_t c;
        memset(&c, 0, sizeof c);
        c.name = sl_xstrdup(r.cols[i].name);
        rc = sl_store__block_read_col(&r, i, &c, &d);
        /* The term filter is authenticated too, when it is used. */
        uint64_t probe = 1;
        bool may;
        if (!rc)
            rc = sl_store__block_may_have(&r, i, &probe, 1, &may, &d);
        if (!rc && want)
            assert_cols_equal(&want->cols[i], &c);
        sl_free(c.name);
        sl_buf_dispose(&c.nulls);
        sl_buf_dispose(&c.data);
        sl_buf_dispose(&c.offs);
    }
    sl_store__block_reader_dispose(&r);
    return rc;
}

Test(store_block, round_trip_every_type)
{
    sl_colset_t rows;
    make_rows(&rows, 5000);
    uint8_t hdr[SL_BLOCK_HDR_LEN];
    sl_buf_t data = SL_BUF_INIT;
    sl_guid_t ws;
    sl_guid_random(&ws);
    ZSTD_CCtx *zc = ZSTD_createCCtx();
    uint64_t ns[3] = { 0, 0, 0 };
    sl_diag_t d;
    cr_assert_eq(sl_store__block_build(kr, SL_SCOPE_MMK, &ws, 7, 42, &rows, zc, hdr, &data, ns, &d),
                 0, "%s", d.msg);
    sl_block_hdr_t h;
    cr_assert_eq(sl_store__block_hdr_read(hdr, sizeof hdr, &h), 0);
    cr_expect_eq(h.rows, 5000);
    cr_expect_eq(h.aek_id, AEK_ID);
    cr_expect_eq(h.table_id, 7);
    cr_expect_eq(h.tmin, 1718000000LL * SL_TICKS_PER_SEC);
    cr_expect_eq(h.tmax, 1718000000LL * SL_TICKS_PER_SEC + 4999LL * 12345);
    cr_expect(data.len < sl_colset_bytes(&rows), "compressed: %zu of %zu", data.len,
              sl_colset_bytes(&rows));
    /* Nothing readable: no canary, no column name, no host name. */
    cr_expect(!memmem(data.data, data.len, "canary", 6));
    cr_expect(!memmem(data.data, data.len, "SyslogMessage", 13));
    cr_expect(!memmem(data.data, data.len, "web-0", 5));
    cr_expect_eq(read_all(hdr, &data, &rows), 0);
    ZSTD_freeCCtx(zc);
    sl_buf_dispose(&data);
    sl_colset_dispose(&rows);
}

Test(store_block, every_flipped_byte_is_an_integrity_error)
{
    sl_colset_t rows;
    make_rows(&rows, 40);
    uint8_t hdr[SL_BLOCK_HDR_LEN];
    sl_buf_t data = SL_BUF_INIT;
    sl_guid_t ws;
    sl_guid_random(&ws);
    ZSTD_CCtx *zc = ZSTD_createCCtx();
    uint64_t ns[3] = { 0, 0, 0 };
    sl_diag_t d;
    cr_assert_eq(sl_store__block_build(kr, SL_SCOPE_MMK, &ws, 1, 9, &rows, zc, hdr, &data, ns, &d), 0);
    for (size_t i = 0; i < data.len; i++) {
        data.data[i] ^= 0x20;
        int rc = read_all(hdr, &data, NULL);
        cr_assert(rc == SL_EINTEGRITY, "data byte %zu: rc %d", i, rc);
        data.data[i] ^= 0x20;
    }
    for (size_t i = 0; i < SL_BLOCK_HDR_LEN; i++) {
        hdr[i] ^= 0x01;
        int rc = read_all(hdr, &data, NULL);
        /* A flipped scope or AEK id names a key we do not have: still a refusal. */
        cr_assert(rc == SL_EINTEGRITY || rc == SL_EVERSION || rc == SL_EKEYUNAVAIL,
                  "header byte %zu: rc %d", i, rc);
        hdr[i] ^= 0x01;
    }
    cr_expect_eq(read_all(hdr, &data, &rows), 0, "intact again");
    ZSTD_freeCCtx(zc);
    sl_buf_dispose(&data);
    sl_colset_dispose(&rows);
}

Test(store_block, unavailable_key_is_a_typed_error)
{
    sl_colset_t rows;
    make_rows(&rows, 10);
    uint8_t hdr[SL_BLOCK_HDR_LEN];
    sl_buf_t data = SL_BUF_INIT;
    sl_guid_t ws;
    sl_guid_random(&ws);
    ZSTD_CCtx *zc = ZSTD_createCCtx();
    uint64_t ns[3] = { 0, 0, 0 };
    sl_diag_t d;
    cr_assert_eq(sl_store__block_build(kr, SL_SCOPE_MMK, &ws, 1, 9, &rows, zc, hdr, &data, ns, &d), 0);
    sl_keyring_drop_scope(kr, SL_SCOPE_MMK);
    cr_expect(!sl_keyring_has(kr, SL_SCOPE_MMK, AEK_ID));
    cr_expect_eq(read_all(hdr, &data, NULL), SL_EKEYUNAVAIL);
    ZSTD_freeCCtx(zc);
    sl_buf_dispose(&data);
    sl_colset_dispose(&rows);
}

Test(store_colset, append_matches_columns_by_name)
{
    sl_colset_t a, b;
    sl_colset_init(&a);
    sl_colset_init(&b);
    int x = sl_colset_add(&a, "x", SL_TYPE_LONG);
    sl_col_push_i64(&a.cols[x], 1);
    sl_colset_end_row(&a);
    int y = sl_colset_add(&b, "y", SL_TYPE_STRING);
    int bx = sl_colset_add(&b, "x", SL_TYPE_LONG);
    sl_col_push_text(&b.cols[y], "hi", 2);
    sl_col_push_i64(&b.cols[bx], 2);
    sl_colset_end_row(&b);
    sl_col_push_text(&b.cols[y], "yo", 2);
    sl_colset_end_row(&b);
    sl_colset_append(&a, &b, 0, 2);
    cr_assert_eq(a.nrows, 3);
    cr_assert_eq(a.ncols, 2);
    int ay = sl_colset_find(&a, "y");
    size_t l;
    sl_col_text(&a.cols[ay], 0, &l);
    cr_expect_eq(l, 0);
    cr_expect(!strncmp(sl_col_text(&a.cols[ay], 2, &l), "yo", 2));
    cr_expect_eq(sl_col_i64(&a.cols[x], 1), 2);
    cr_expect(sl_col_is_null(&a.cols[x], 2), "missing value is null");
    sl_colset_dispose(&a);
    sl_colset_dispose(&b);
}

/* Whether the block's column `name` may hold every long term of text. */
static bool block_may_have(const uint8_t *hdr, const sl_buf_t *data, const char *name,
                           const char *text)
{
    sl_block_reader_t r;
    sl_store__block_reader_init(&r);
    sl_diag_t d;
    cr_assert_eq(sl_store__block_open(&r, kr, hdr, SL_BLOCK_HDR_LEN, (uint8_t *)data->data,
                                      data->len, &d),
                 0, "%s", d.msg);
    uint64_t h[8];
    size_t n = sl_store_terms(text, strlen(text), h, 8, NULL);
    bool may = true;
    for (size_t i = 0; i < r.ncols; i++)
        if (!strcmp(r.cols[i].name, name))
            cr_assert_eq(sl_store__block_may_have(&r, i, h, n, &may, &d), 0, "%s", d.msg);
    sl_store__block_reader_dispose(&r);
    return may;
}

/* An MMK block of make_rows(n). */
static void build_block(size_t n, uint8_t hdr[SL_BLOCK_HDR_LEN], sl_buf_t *data)
{
    sl_colset_t rows;
    make_rows(&rows, n);
    sl_guid_t ws;
    sl_guid_random(&ws);
    ZSTD_CCtx *zc = ZSTD_createCCtx();
    uint64_t ns[3] = { 0, 0, 0 };
    sl_diag_t d;
    cr_assert_eq(sl_store__block_build(kr, SL_SCOPE_MMK, &ws, 7, 42, &rows, zc, hdr, data, ns, &d),
                 0, "%s", d.msg);
    ZSTD_freeCCtx(zc);
    sl_colset_dispose(&rows);
}

Test(store_block, term_filters_never_miss_a_term_and_reject_most_others)
{
    uint8_t hdr[SL_BLOCK_HDR_LEN];
    sl_buf_t data = SL_BUF_INIT;
    build_block(2000, hdr, &data);
    /* Every row's 8-hex-digit term is found, in any case (has folds case). */
    for (size_t i = 0; i < 2000; i++) {
        char t[32];
        snprintf(t, sizeof t, "%08zX", i * 2654435761u);
        cr_assert(block_may_have(hdr, &data, "SyslogMessage", t), "row %zu: %s", i, t);
    }
    /* Terms nobody wrote are rejected, all but a few false positives. */
    int rejected = 0;
    for (int i = 0; i < 200; i++) {
        char t[32];
        snprintf(t, sizeof t, "absent%04dterm", i);
        rejected += !block_may_have(hdr, &data, "SyslogMessage", t);
    }
    cr_expect_geq(rejected, 190, "%d of 200 absent terms rejected", rejected);
    /* A column without long terms rejects every long probe; a probe of only
     * short terms cannot use the filter; a probe needs all its terms. */
    cr_expect(!block_may_have(hdr, &data, "Computer", "web-01.production"));
    cr_expect(block_may_have(hdr, &data, "Computer", "web-01.prod"));
    cr_expect(!block_may_have(hdr, &data, "SyslogMessage", "9E3779B1 absentterm"));
    /* The filters are sealed like the columns: still nothing readable. */
    cr_expect(!memmem(data.data, data.len, "canary", 6));
    sl_buf_dispose(&data);
}
