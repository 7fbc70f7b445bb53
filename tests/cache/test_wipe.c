/* Revocation (the CMK wipe) and recovery (the reload). */
#include "cache_test.h"

#include <pthread.h>

static ct_env_t e;

static void setup(void)
{
    ct_setup(&e, 512u << 20);
}

static void teardown(void)
{
    ct_teardown(&e);
}

TestSuite(cache_wipe, .init = setup, .fini = teardown);

#define NOW_T0 ct_day(1)

/* A sealed value of the CMK environment, copied before the wipe. */
typedef struct sealed {
    bool col;         /* a column value (else a meta value) */
    uint64_t id, salt;
    uint32_t ordinal;
    uint8_t *v;
    size_t n;
    size_t rows;
} sealed_t;

typedef struct capture {
    sealed_t *v;
    size_t n;
} capture_t;

static void capture_push(capture_t *c, const sealed_t *s)
{
    c->v = sl_xrealloc(c->v, (c->n + 1) * sizeof *c->v);
    c->v[c->n++] = *s;
}

/* Copies every value of the CMK environment. */
static void capture_cmk(capture_t *cap)
{
    sl_cache_scope_t *sc = &e.cache->scope[SL_SCOPE_CMK];
    MDB_txn *txn;
    cr_assert_eq(mdb_txn_begin(sc->env, NULL, MDB_RDONLY, &txn), 0);
    MDB_cursor *cur;
    MDB_val k, v;
    cr_assert_eq(mdb_cursor_open(txn, sc->blocks, &cur), 0);
    for (int op = MDB_FIRST; mdb_cursor_get(cur, &k, &v, op) == 0; op = MDB_NEXT) {
        sl_cache_meta_t m;
        cr_assert_eq(sl_cache__meta_read(v.mv_data, v.mv_size, &m), 0);
        sealed_t s = { false, sl_load_u64be(k.mv_data), m.salt, 0, sl_xmalloc(v.mv_size),
                       v.mv_size, m.rows };
        memcpy(s.v, v.mv_data, v.mv_size);
        capture_push(cap, &s);
    }
    mdb_cursor_close(cur);
    cr_assert_eq(mdb_cursor_open(txn, sc->cols, &cur), 0);
    for (int op = MDB_FIRST; mdb_cursor_get(cur, &k, &v, op) == 0; op = MDB_NEXT) {
        const uint8_t *kk = k.mv_data;
        sealed_t s = { true, sl_load_u64be(kk), 0, (uint32_t)(kk[8] << 8 | kk[9]),
                       sl_xmalloc(v.mv_size), v.mv_size, 0 };
        memcpy(s.v, v.mv_data, v.mv_size);
        for (size_t i = 0; i < cap->n; i++) {
            if (!cap->v[i].col && cap->v[i].id == s.id) {
                s.salt = cap->v[i].salt;
                s.rows = cap->v[i].rows;
            }
        }
        capture_push(cap, &s);
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
}

/* Whether `key` (used as a block key) opens a sealed value: a column's
 * authentication, whatever its content; a meta value's directory. */
static bool opens_with(const sealed_t *s, const uint8_t key[SL_KEY_LEN])
{
    if (!s->col) {
        sl_cache_dir_t dir = { 0 };
        bool ok = sl_cache__dir_open(key, s->id, s->v, s->n, &dir) == 0;
        sl_cache__dir_dispose(&dir);
        return ok;
    }
    /* Any type will do to test the tag: try them all. */
    for (int t = SL_TYPE_BOOL; t <= SL_TYPE_DYNAMIC; t++) {
        sl_col_t out = { .type = (sl_type_t)t };
        int rc = sl_cache__col_open(key, s->id, s->ordinal, s->v, s->n, s->rows, &out);
        sl_buf_dispose(&out.data);
        sl_buf_dispose(&out.offs);
        sl_buf_dispose(&out.nulls);
        if (rc == 0) {
            return true;
        }
    }
    return false;
}

/* Whether a raw 32-byte key opens `s`, directly or as the cache key the
 * block key is derived from. */
static bool opens_with_raw(const sealed_t *s, const uint8_t raw[SL_KEY_LEN])
{
    if (opens_with(s, raw)) {
        return true;
    }
    sl_key_t *k;
    cr_assert_eq(sl_key_create_from(raw, &k), 0);
    uint8_t bk[SL_KEY_LEN];
    sl_cache__block_key(k, s->id, s->salt, bk);
    sl_key_destroy(k);
    return opens_with(s, bk);
}

Test(cache_wipe, after_a_wipe_no_cmk_entry_opens_with_any_key_the_node_holds)
{
    ct_write_block(&e, SL_SCOPE_MMK, 0, 4000, NOW_T0);
    for (int i = 0; i < 6; i++) {
        ct_write_block(&e, SL_SCOPE_CMK, 10000 + (size_t)i * 4000, 4000,
                       NOW_T0 + i * SL_TICKS_PER_MIN);
    }
    /* The canary is written in every CMK row and is nowhere in the clear. */
    int files = 0;
    cr_expect_eq(ct_grep_tree(e.cache_dir, CT_CANARY, &files), 0, "canary before the wipe");
    cr_expect_geq(files, 6, "data, lock, key, state files of both scopes");
    char plain[300];
    snprintf(plain, sizeof plain, "%s/plain.txt", e.dir);
    sl_write_file_atomic(plain, CT_CANARY, strlen(CT_CANARY), 0600);
    cr_assert_eq(ct_grep_tree(e.dir, CT_CANARY, NULL), 1, "the scan finds a plain canary");
    unlink(plain);

    capture_t cap = { 0 };
    capture_cmk(&cap);
    cr_assert_geq(cap.n, 6 * 12, "6 blocks: a meta value and 11 columns each");
    /* Control: the CMK cache key opens them all, before the wipe. */
    uint8_t cmk_key[SL_KEY_LEN];
    memcpy(cmk_key, sl_key_bytes(e.cache->scope[SL_SCOPE_CMK].key), SL_KEY_LEN);
    for (size_t i = 0; i < cap.n; i++) {
        cr_assert(opens_with_raw(&cap.v[i], cmk_key), "control: value %zu opens", i);
    }

    /* Revocation: the node drops the AEK, then wipes the CMK part. */
    sl_keyring_drop_scope(e.kr, SL_SCOPE_CMK);
    sl_cache_wipe_stats_t w;
    sl_diag_t d;
    cr_assert_eq(sl_cache_wipe_scope(e.cache, SL_SCOPE_CMK, &w, &d), 0, "%s", d.msg);
    fprintf(stderr, "cache_wipe: wiped %llu CMK blocks (%llu bytes) in %.3f ms (wait %.3f, key "
            "%.3f, drop %.3f)\n", (unsigned long long)w.blocks, (unsigned long long)w.bytes,
            (double)w.ns_total / 1e6, (double)w.ns_wait / 1e6, (double)w.ns_key / 1e6,
            (double)w.ns_drop / 1e6);
    cr_expect_eq(w.blocks, 6);
    /* The duration is in the log (above); bench_cache_scan measures it too. */

    /* What the node still holds: the MMK cache key, the MMK AEK, the
     * infrastructure key, and the keyring's derivations of them. */
    cr_expect_null(e.cache->scope[SL_SCOPE_CMK].key);
    uint8_t mmk_aek[SL_KEY_LEN];
    ct_aek(SL_SCOPE_MMK, mmk_aek);
    const uint8_t *held[] = { sl_key_bytes(e.cache->scope[SL_SCOPE_MMK].key), mmk_aek,
                              sl_key_bytes(e.infra) };
    for (size_t i = 0; i < cap.n; i++) {
        const sealed_t *s = &cap.v[i];
        for (size_t h = 0; h < SL_ARRAY_SIZE(held); h++) {
            cr_assert_not(opens_with_raw(s, held[h]), "value %zu opens with held key %zu", i, h);
        }
        for (int scope = 0; scope < SL_SCOPE_COUNT; scope++) {
            sl_envelope_t env;
            uint64_t aek = scope == SL_SCOPE_CMK ? CT_AEK_CMK : CT_AEK_MMK;
            const char *purposes[] = { "cache block", "cache key wrap", "block" };
            for (size_t p = 0; p < SL_ARRAY_SIZE(purposes); p++) {
                int rc = sl_keyring_envelope(e.kr, (sl_scope_t)scope, aek, purposes[p], s->id,
                                             &env);
                if (scope == SL_SCOPE_CMK) {
                    cr_assert_eq(rc, SL_EKEYUNAVAIL, "the CMK AEK is gone");
                    continue;
                }
                cr_assert_eq(rc, 0);
                cr_assert_not(opens_with_raw(s, env.dek));
                cr_assert_not(opens_with_raw(s, env.infra));
                sl_envelope_wipe(&env);
            }
        }
        sl_free(s->v);
    }
    sl_free(cap.v);
    sl_wipe(cmk_key, sizeof cmk_key);

    /* The files are gone (the trash is emptied in the background), the
     * sealed key with them; the canary is still nowhere. */
    char p[300];
    snprintf(p, sizeof p, "%s/cmk", e.cache_dir);
    cr_expect_neq(access(p, F_OK), 0);
    sl_cache_flush(e.cache);
    for (int i = 0; i < 200; i++) {
        char t[300];
        snprintf(t, sizeof t, "%s/trash", e.cache_dir);
        files = 0;
        ct_grep_tree(t, "x", &files);
        if (!files) {
            break;
        }
        usleep(10000);
    }
    cr_expect_eq(files, 0, "the wiped environment is deleted");
    cr_expect_eq(ct_grep_tree(e.cache_dir, CT_CANARY, NULL), 0, "canary after the wipe");

    /* MMK entries stay and are served; CMK blocks are refused like the
     * store refuses them. */
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.scope_blocks[SL_SCOPE_MMK], 1);
    cr_expect_eq(st.scope_blocks[SL_SCOPE_CMK], 0);
    cr_expect_not(st.attached[SL_SCOPE_CMK]);
    cr_expect_eq(st.wipes, 1);
    sl_snap_t *sn = ct_snap(&e);
    for (size_t i = 0; i < sl_store_snap_count(sn); i++) {
        const sl_snap_block_t *b = sl_store_snap_block(sn, i);
        sl_colset_t out;
        sl_colset_init(&out);
        sl_snap_reader_t *rd = sl_store_snap_reader_new();
        sl_cache_read_stats_t rs;
        int rc = sl_cache_read(e.cache, sn, i, NULL, 0, rd, &out, &rs, &d);
        if (b->scope == SL_SCOPE_MMK) {
            cr_expect_eq(rc, 0);
            cr_expect(rs.hit, "MMK entries survive a CMK wipe");
        } else {
            cr_expect_eq(rc, SL_EKEYUNAVAIL);
        }
        sl_colset_dispose(&out);
        sl_store_snap_reader_free(rd);
    }
    sl_store_snap_close(sn);
}

Test(cache_wipe, a_cached_block_is_refused_once_its_account_key_is_dropped)
{
    ct_write_block(&e, SL_SCOPE_CMK, 0, 1000, NOW_T0);
    /* Revoked, and the wipe has not run yet: the cache must not serve what
     * the store could not. */
    sl_keyring_drop_scope(e.kr, SL_SCOPE_CMK);
    sl_snap_t *sn = ct_snap(&e);
    sl_colset_t out;
    sl_colset_init(&out);
    sl_snap_reader_t *rd = sl_store_snap_reader_new();
    sl_diag_t d;
    cr_expect_eq(sl_cache_read(e.cache, sn, 0, NULL, 0, rd, &out, NULL, &d), SL_EKEYUNAVAIL);
    cr_expect_eq(out.nrows, 0);
    sl_colset_dispose(&out);
    sl_store_snap_reader_free(rd);
    sl_store_snap_close(sn);
}

static void on_progress(void *arg, const sl_cache_reload_stats_t *st)
{
    int *calls = arg;
    (*calls)++;
    cr_expect_leq(st->blocks_done, st->blocks_total);
}

typedef struct spawned {
    void (*fn)(void *);
    void *task;
} spawned_t;

static void *spawn_main(void *arg)
{
    spawned_t s = *(spawned_t *)arg;
    free(arg);
    s.fn(s.task);
    return NULL;
}

static void spawn(void *arg, void (*fn)(void *), void *task)
{
    (void)arg;
    spawned_t *s = malloc(sizeof *s);
    s->fn = fn;
    s->task = task;
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, spawn_main, s), 0);
    pthread_detach(t);
}

Test(cache_wipe, reload_after_recovery_refills_the_cache_and_results_are_the_same)
{
    for (int i = 0; i < 5; i++) {
        ct_write_block(&e, SL_SCOPE_CMK, (size_t)i * 3000, 3000, NOW_T0 + i * SL_TICKS_PER_MIN);
    }
    /* An old block (outside the hot window) is not reloaded. */
    ct_write_block(&e, SL_SCOPE_CMK, 90000, 500, ct_day(30));
    ct_write_block(&e, SL_SCOPE_MMK, 50000, 3000, NOW_T0);
    sl_snap_t *sn = ct_snap(&e);
    size_t n = sl_store_snap_count(sn);
    cr_assert_eq(n, 7);
    sl_colset_t before[7];
    for (size_t i = 0; i < n; i++) {
        cr_expect(ct_read(&e, sn, i, NULL, 0, &before[i]));
    }
    sl_store_snap_close(sn);

    sl_keyring_drop_scope(e.kr, SL_SCOPE_CMK);
    sl_diag_t d;
    cr_assert_eq(sl_cache_wipe_scope(e.cache, SL_SCOPE_CMK, NULL, &d), 0, "%s", d.msg);
    /* Recovery: the key is back; queries work from the store meanwhile. */
    ct_put_keys(&e);
    sn = ct_snap(&e);
    sl_colset_t a;
    for (size_t i = 0; i < n; i++) {
        bool hit = ct_read(&e, sn, i, NULL, 0, &a);
        cr_expect_eq(hit, sl_store_snap_block(sn, i)->scope == SL_SCOPE_MMK);
        sl_colset_dispose(&a);
    }
    sl_store_snap_close(sn);

    int calls = 0;
    sl_cache_reload_opts_t o = { .store = e.store, .catalog = e.cat, .scope = SL_SCOPE_CMK,
                                 .spawn = spawn, .helpers = 2, .progress = on_progress,
                                 .progress_arg = &calls };
    sl_cache_reload_stats_t rs;
    cr_assert_eq(sl_cache_reload(e.cache, &o, &rs, &d), 0, "%s", d.msg);
    fprintf(stderr, "cache_wipe: reloaded %llu blocks, %.1f MB read, in %.3f s (%.0f blocks/s, "
            "%.1f MB/s)\n", (unsigned long long)rs.blocks_done, (double)rs.bytes_read / 1e6,
            rs.seconds, rs.blocks_per_sec, rs.mb_per_sec);
    cr_expect_geq(calls, 1);
    cr_expect_eq(rs.status, 0);
    cr_expect_not(rs.full);
    cr_expect_eq(rs.blocks_total, 5, "the five recent CMK blocks, not the old one");
    cr_expect_eq(rs.blocks_done, 5);
    cr_expect_gt(rs.bytes_read, 0);
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.reload.blocks_done, 5);
    cr_expect_not(st.reload.running);

    /* Hits again, and the same rows as before the revocation. */
    sn = ct_snap(&e);
    for (size_t i = 0; i < n; i++) {
        const sl_snap_block_t *b = sl_store_snap_block(sn, i);
        bool old = b->tmax < sl_time_now() - 14 * SL_TICKS_PER_DAY;
        cr_expect_eq(ct_read(&e, sn, i, NULL, 0, &a), !old, "block %zu", i);
        ct_expect_same(&before[i], &a);
        sl_colset_dispose(&a);
        sl_colset_dispose(&before[i]);
    }
    sl_store_snap_close(sn);
    /* A second reload finds everything cached. */
    cr_assert_eq(sl_cache_reload(e.cache, &o, &rs, &d), 0, "%s", d.msg);
    cr_expect_eq(rs.blocks_total, 0);
    cr_expect_eq(rs.blocks_cached, 5, "the old block is outside the window");
}

Test(cache_wipe, reload_needs_the_account_key)
{
    sl_keyring_drop_scope(e.kr, SL_SCOPE_CMK);
    sl_cache_wipe_scope(e.cache, SL_SCOPE_CMK, NULL, NULL);
    sl_cache_reload_opts_t o = { .store = e.store, .catalog = e.cat, .scope = SL_SCOPE_CMK };
    sl_diag_t d;
    cr_expect_eq(sl_cache_reload(e.cache, &o, NULL, &d), SL_EKEYUNAVAIL);
}

typedef struct wipe_arg {
    int calls;
    int rc;
    sl_cache_wipe_stats_t st;
} wipe_arg_t;

/* Revocation strikes while the reload runs: at its first progress report. */
static void wipe_on_progress(void *arg, const sl_cache_reload_stats_t *st)
{
    wipe_arg_t *w = arg;
    if (w->calls++ == 0) {
        cr_expect(st->running);
        w->rc = sl_cache_wipe_scope(e.cache, SL_SCOPE_CMK, &w->st, NULL);
    }
}

Test(cache_wipe, a_wipe_stops_a_reload_in_progress)
{
    for (int i = 0; i < 8; i++) {
        ct_write_block(&e, SL_SCOPE_CMK, (size_t)i * 2000, 2000, NOW_T0 + i * SL_TICKS_PER_MIN);
    }
    sl_cache_wipe_scope(e.cache, SL_SCOPE_CMK, NULL, NULL);
    wipe_arg_t w = { 0, 1, { 0 } };
    sl_cache_reload_opts_t o = { .store = e.store, .catalog = e.cat, .scope = SL_SCOPE_CMK,
                                 .progress = wipe_on_progress, .progress_arg = &w };
    sl_cache_reload_stats_t rs;
    sl_diag_t d;
    cr_expect_eq(sl_cache_reload(e.cache, &o, &rs, &d), SL_ECANCELED);
    cr_expect_eq(w.rc, 0);
    cr_expect_eq(rs.blocks_total, 8);
    cr_expect_lt(rs.blocks_done, 8);
    sl_cache_flush(e.cache);
    sl_cache_stats_t st;
    sl_cache_stats(e.cache, &st);
    cr_expect_eq(st.scope_blocks[SL_SCOPE_CMK], 0, "nothing the reload queued was written");
    cr_expect_not(st.attached[SL_SCOPE_CMK]);
}
