/*
 * At rest, nothing readable: records carry random canaries, and no file
 * under the data directory contains one — raw, or inside any zstd frame
 * found in it — whether the records sit in the WAL or in blocks.
 *
 * Tampering is detected: one flipped byte in a stored block, a block
 * header, a WAL record or the wrapped AEK makes reading fail with an
 * integrity error, never return wrong data.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "harness.h"

TestSuite(security, .timeout = 300);

#define NCANARY 64
static char canary[NCANARY][40];

static void make_canaries(void)
{
    for (int i = 0; i < NCANARY; i++) {
        uint8_t r[12];
        sl_random_bytes(r, sizeof r);
        char hex[25];
        sl_hex_encode(r, sizeof r, hex);
        snprintf(canary[i], sizeof canary[i], "CANARY%s", hex);
    }
}

/* Searches `b` for any canary, raw. */
static int find_canary(const uint8_t *b, size_t n)
{
    for (int i = 0; i < NCANARY; i++)
        if (memmem(b, n, canary[i], strlen(canary[i])))
            return i;
    /* A fragment would do too: the random part alone. */
    for (int i = 0; i < NCANARY; i++)
        if (memmem(b, n, canary[i] + 6, 16))
            return i;
    return -1;
}

/* Every file under `dir`: raw bytes and every zstd frame that decodes. */
static void scan_tree(const char *dir, int *hits, int *frames)
{
    DIR *d = opendir(dir);
    cr_assert(d, "%s", dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        lstat(path, &st);
        if (S_ISDIR(st.st_mode)) {
            scan_tree(path, hits, frames);
            continue;
        }
        if (!S_ISREG(st.st_mode))
            continue;
        sl_buf_t f = SL_BUF_INIT;
        cr_assert_eq(th_slurp(path, &f), 0, "%s", path);
        int c = find_canary((uint8_t *)f.data, f.len);
        if (c >= 0) {
            fprintf(stderr, "canary %s found raw in %s\n", canary[c], path);
            (*hits)++;
        }
        static const uint8_t magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
        uint8_t *p = (uint8_t *)f.data, *end = p + f.len;
        size_t cap = 16 << 20;
        uint8_t *out = malloc(cap);
        while (p && p < end) {
            p = memmem(p, (size_t)(end - p), magic, 4);
            if (!p)
                break;
            size_t fsz = ZSTD_findFrameCompressedSize(p, (size_t)(end - p));
            if (!ZSTD_isError(fsz)) {
                size_t got = ZSTD_decompress(out, cap, p, fsz);
                if (!ZSTD_isError(got)) {
                    (*frames)++;
                    int k = find_canary(out, got);
                    if (k >= 0) {
                        fprintf(stderr, "canary %s found in a zstd frame in %s\n", canary[k],
                                path);
                        (*hits)++;
                    }
                }
            }
            p++;
        }
        free(out);
        sl_buf_dispose(&f);
    }
    closedir(d);
}

static th_node_t N;

static void ingest_canaries(const char *ws, const char *key)
{
    sl_buf_t body = SL_BUF_INIT;
    for (int i = 0; i < NCANARY; i++) {
        sl_buf_reset(&body);
        sl_buf_printf(&body, "[{\"message\":\"user said %s in a sentence\",\"secret\":\"%s\","
                             "\"n\":%d}]",
                      canary[i], canary[i], i);
        cr_assert_eq(th_dc_post(&N, ws, key, "Canary", NULL, body.data, body.len, NULL), 200);
    }
    sl_buf_dispose(&body);
}

Test(security, no_canary_on_disk_in_wal_or_blocks)
{
    make_canaries();
    th_node_init(&N);
    /* Rows stay in the WAL only, until the node is killed. */
    const char *slow[] = { "--block-flush-interval", "60s", NULL };
    cr_assert_eq(th_node_start(&N, slow), 0);
    char token[200];
    snprintf(token, sizeof token, "%s", N.token);
    char ws[37], key[100];
    th_workspace(&N, "canary-ws", 30, ws, key);
    ingest_canaries(ws, key);
    th_node_kill9(&N);
    int hits = 0, frames = 0;
    scan_tree(N.data_dir, &hits, &frames);
    cr_expect_eq(hits, 0, "canaries readable in the WAL");
    /* Replayed into blocks, written, cleanly stopped. */
    cr_assert_eq(th_node_start(&N, NULL), 0);
    snprintf(N.token, sizeof N.token, "%s", token);
    sl_buf_t dump = SL_BUF_INIT;
    cr_expect_eq(th_dump_count(&N, ws, "Canary_CL", &dump), NCANARY);
    cr_expect(th_contains(&dump, canary[0]), "sanity: the node reads them back");
    sl_buf_dispose(&dump);
    cr_assert_eq(th_node_stop(&N), 0);
    hits = 0;
    scan_tree(N.data_dir, &hits, &frames);
    cr_expect_eq(hits, 0, "canaries readable in blocks");
    /* The block files exist and are big enough to have held the text. */
    th_node_cleanup(&N);
}

/* Returns the file offset of the first value of database `db` in the LMDB
 * environment `env_dir` for which `pick` says yes, and its length. */
typedef bool (*pick_fn)(const MDB_val *k, const MDB_val *v);

static long value_offset(const char *env_dir, const char *db, pick_fn pick, size_t *len)
{
    MDB_env *env;
    mdb_env_create(&env);
    mdb_env_set_maxdbs(env, 32);
    mdb_env_set_mapsize(env, (size_t)64 << 30);
    cr_assert_eq(mdb_env_open(env, env_dir, MDB_RDONLY, 0600), 0, "%s", env_dir);
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_cursor *cur;
    mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
    cr_assert_eq(mdb_dbi_open(txn, db, 0, &dbi), 0, "database %s", db);
    mdb_cursor_open(txn, dbi, &cur);
    MDB_val k, v;
    long off = -1;
    for (int op = MDB_FIRST; mdb_cursor_get(cur, &k, &v, op) == 0; op = MDB_NEXT) {
        if (!pick || pick(&k, &v)) {
            /* Values are ciphertext or hold random ids: they occur once in the
             * file, so their bytes locate them. */
            char file[700];
            snprintf(file, sizeof file, "%s/data.mdb", env_dir);
            sl_buf_t f = SL_BUF_INIT;
            th_slurp(file, &f);
            const char *at = memmem(f.data, f.len, v.mv_data, v.mv_size);
            cr_assert(at, "value found in %s", file);
            cr_assert_null(memmem(at + 1, f.len - (size_t)(at - f.data) - 1, v.mv_data, v.mv_size),
                           "value is unique");
            off = at - f.data;
            *len = v.mv_size;
            sl_buf_dispose(&f);
            break;
        }
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    mdb_env_close(env);
    return off;
}

static void flip(const char *file, long off)
{
    int fd = open(file, O_RDWR);
    cr_assert(fd >= 0, "%s", file);
    uint8_t b;
    cr_assert_eq(pread(fd, &b, 1, off), 1);
    b ^= 0x10;
    cr_assert_eq(pwrite(fd, &b, 1, off), 1);
    fsync(fd);
    close(fd);
}

static void segment_dir(char out[600])
{
    char segs[400];
    snprintf(segs, sizeof segs, "%s/segments", N.data_dir);
    DIR *d = opendir(segs);
    struct dirent *e;
    out[0] = '\0';
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            snprintf(out, 600, "%s/%s", segs, e->d_name);
    closedir(d);
    cr_assert(out[0], "a segment exists");
}

static char WS[37], TOKEN[200];

static void setup_data(void)
{
    th_node_init(&N);
    cr_assert_eq(th_node_start(&N, NULL), 0);
    snprintf(TOKEN, sizeof TOKEN, "%s", N.token);
    char key[100];
    th_workspace(&N, "tamper-ws", 30, WS, key);
    const char *body = "[{\"message\":\"original text\",\"n\":1},{\"message\":\"more\",\"n\":2}]";
    cr_assert_eq(th_dc_post(&N, WS, key, "Tamper", NULL, body, strlen(body), NULL), 200);
    cr_assert_eq(th_dump_count(&N, WS, "Tamper_CL", NULL), 2);
    cr_assert_eq(th_node_stop(&N), 0);
}

static void restart(void)
{
    cr_assert_eq(th_node_start(&N, NULL), 0);
    snprintf(N.token, sizeof N.token, "%s", TOKEN);
}

static void expect_dump_integrity_error(void)
{
    char path[300];
    snprintf(path, sizeof path, "/admin/v1/dump?workspace=%s&table=Tamper_CL", WS);
    th_resp_t r;
    th_request(&N, NULL, "GET", path, N.token, NULL, NULL, 0, &r);
    cr_expect_eq(r.status, 500, "%s", r.body.data);
    cr_expect(th_contains(&r.body, "IntegrityError"), "%s", r.body.data);
    cr_expect(!th_contains(&r.body, "original text"), "no data leaks out of a damaged block");
    th_resp_dispose(&r);
    th_request(&N, NULL, "GET", "/healthz", NULL, NULL, NULL, 0, &r);
    cr_expect_eq(r.status, 200, "the node keeps serving");
    th_resp_dispose(&r);
}

Test(security, flipped_block_byte_is_an_integrity_error)
{
    setup_data();
    char seg[600], file[700];
    segment_dir(seg);
    snprintf(file, sizeof file, "%s/data.mdb", seg);
    size_t len;
    long off = value_offset(seg, "data", NULL, &len);
    cr_assert(off > 0);
    long positions[] = { 0, (long)len / 3, (long)len / 2, (long)len - 1 };
    for (size_t i = 0; i < 4; i++) {
        flip(file, off + positions[i]);
        restart();
        expect_dump_integrity_error();
        cr_assert_eq(th_node_stop(&N), 0);
        flip(file, off + positions[i]); /* undo */
    }
    restart();
    cr_expect_eq(th_dump_count(&N, WS, "Tamper_CL", NULL), 2, "intact again");
    cr_assert_eq(th_node_stop(&N), 0);
    th_node_cleanup(&N);
}

Test(security, flipped_header_byte_is_an_integrity_error)
{
    setup_data();
    char seg[600], file[700];
    segment_dir(seg);
    snprintf(file, sizeof file, "%s/data.mdb", seg);
    size_t len;
    long off = value_offset(seg, "blocks", NULL, &len);
    cr_assert(off > 0 && len == 88);
    long fields[] = { 8 /* AEK id */, 24 /* workspace */, 40 /* block id */, 56 /* tmax */,
                      64 /* rows */, 72 /* directory length */ };
    for (size_t i = 0; i < SL_ARRAY_SIZE(fields); i++) {
        flip(file, off + fields[i]);
        restart();
        char path[300];
        snprintf(path, sizeof path, "/admin/v1/dump?workspace=%s&table=Tamper_CL", WS);
        th_resp_t r;
        th_request(&N, NULL, "GET", path, N.token, NULL, NULL, 0, &r);
        cr_expect_eq(r.status, 500, "field at %ld: %s", fields[i], r.body.data);
        cr_expect(th_contains(&r.body, "IntegrityError") || th_contains(&r.body, "KeyUnavailable"),
                  "%s", r.body.data);
        cr_expect(!th_contains(&r.body, "original text"));
        th_resp_dispose(&r);
        cr_assert_eq(th_node_stop(&N), 0);
        flip(file, off + fields[i]);
    }
    th_node_cleanup(&N);
}

Test(security, flipped_wal_record_byte_stops_the_node)
{
    setup_data();
    char path[600];
    snprintf(path, sizeof path, "%s/wal/0000000000000001.wal", N.data_dir);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert(st.st_size > 100, "the active WAL file holds the record");
    long positions[] = { 32 + 8 /* LSN */, 32 + 24 /* AEK id */, 32 + 60, (long)st.st_size - 1 };
    for (size_t i = 0; i < SL_ARRAY_SIZE(positions); i++) {
        flip(path, positions[i]);
        int rc = th_node_start(&N, NULL);
        cr_expect_eq(rc, 1, "the node refuses to start (byte %ld)", positions[i]);
        sl_buf_t err = SL_BUF_INIT;
        th_slurp(N.log_path, &err);
        cr_expect(th_contains(&err, "WAL"), "%s", err.data);
        cr_expect(th_contains(&err, "damaged") || th_contains(&err, "integrity"), "%s", err.data);
        sl_buf_dispose(&err);
        flip(path, positions[i]);
    }
    restart();
    cr_expect_eq(th_dump_count(&N, WS, "Tamper_CL", NULL), 2);
    cr_assert_eq(th_node_stop(&N), 0);
    th_node_cleanup(&N);
}

Test(security, flipped_wrapped_aek_byte_stops_the_node)
{
    setup_data();
    char cat[600], file[700];
    snprintf(cat, sizeof cat, "%s/catalog", N.data_dir);
    snprintf(file, sizeof file, "%s/data.mdb", cat);
    size_t len;
    long off = value_offset(cat, "aeks", NULL, &len);
    cr_assert(off > 0);
    /* The wrapped key is the first field: tag, length, then the bytes. */
    long positions[] = { 2, 10, 30, 40 };
    for (size_t i = 0; i < SL_ARRAY_SIZE(positions); i++) {
        flip(file, off + positions[i]);
        cr_expect_eq(th_node_start(&N, NULL), 1, "refuses to start (byte %ld)", positions[i]);
        sl_buf_t err = SL_BUF_INIT;
        th_slurp(N.log_path, &err);
        cr_expect(th_contains(&err, "account key"), "%s", err.data);
        sl_buf_dispose(&err);
        flip(file, off + positions[i]);
    }
    restart();
    cr_expect_eq(th_dump_count(&N, WS, "Tamper_CL", NULL), 2);
    cr_assert_eq(th_node_stop(&N), 0);
    th_node_cleanup(&N);
}
