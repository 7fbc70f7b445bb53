/*
 * The hot cache with real sealogd and sealog-vault processes: queries are
 * served from it; revoking the customer-managed key crypto-shreds its CMK
 * part (measured here, and a scan of the cache directory finds nothing)
 * while MMK entries stay; when the key comes back the node refills it by
 * itself and queries answer exactly as before; a restart keeps a cache whose
 * key is available and discards one whose key is gone.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmk_env.h"

TestSuite(hot_cache, .timeout = 300);

static const char *const FAST_BLOCKS[] = { "--block-flush-interval", "100ms", NULL };

static json_t *readyz_cache(env_t *e)
{
    th_resp_t r;
    th_request(&e->node, NULL, "GET", "/readyz", NULL, NULL, NULL, 0, &r);
    json_t *j = json_loadb(r.body.data ? r.body.data : "", r.body.len, 0, NULL);
    th_resp_dispose(&r);
    cr_assert_not_null(j);
    json_t *c = json_incref(json_object_get(json_object_get(j, "subsystems"), "hotCache"));
    json_decref(j);
    cr_assert_not_null(c, "readyz has no hotCache");
    return c;
}

static json_t *scope_of(json_t *cache, const char *scope)
{
    return json_object_get(json_object_get(cache, "scopes"), scope);
}

static long long scope_blocks(env_t *e, const char *scope)
{
    json_t *c = readyz_cache(e);
    long long n = json_integer_value(json_object_get(scope_of(c, scope), "blocks"));
    json_decref(c);
    return n;
}

/* Waits until the scope holds at least `want` blocks; returns what it holds. */
static long long wait_blocks(env_t *e, const char *scope, long long want, double limit)
{
    uint64_t t0 = sl_time_mono_ns();
    long long n;
    while ((n = scope_blocks(e, scope)) < want && (double)(sl_time_mono_ns() - t0) / 1e9 < limit)
        usleep(100000);
    return n;
}

/* Reloads of the scope finished so far. */
static long long reloads(env_t *e, const char *scope)
{
    json_t *c = readyz_cache(e);
    long long n = json_integer_value(
      json_object_get(json_object_get(scope_of(c, scope), "reload"), "finished"));
    json_decref(c);
    return n;
}

/* Waits until more than `after` reloads of the scope have finished; returns
 * the last one's figures. */
static json_t *wait_reloaded(env_t *e, const char *scope, long long after, double limit)
{
    uint64_t t0 = sl_time_mono_ns();
    for (;;) {
        json_t *c = readyz_cache(e);
        json_t *rl = json_object_get(scope_of(c, scope), "reload");
        bool done = json_integer_value(json_object_get(rl, "finished")) > after &&
                    !json_is_true(json_object_get(rl, "running"));
        if (done || (double)(sl_time_mono_ns() - t0) / 1e9 > limit) {
            cr_assert(done, "the %s part was not reloaded in %.0f s", scope, limit);
            json_t *out = json_incref(rl);
            json_decref(c);
            return out;
        }
        json_decref(c);
        usleep(100000);
    }
}

/* A counter or gauge from /metrics (the first line starting with `name`). */
static double metric(env_t *e, const char *name)
{
    th_resp_t r;
    th_request(&e->node, NULL, "GET", "/metrics", NULL, NULL, NULL, 0, &r);
    const char *p = r.body.data;
    double v = -1;
    size_t n = strlen(name);
    while (p && *p) {
        if (!strncmp(p, name, n) && p[n] == ' ') {
            v = strtod(p + n + 1, NULL);
            break;
        }
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    th_resp_dispose(&r);
    return v;
}

/* The query's rows as JSON text (a canonical form to compare). */
static char *query_rows(env_t *e, const char *ws, const char *kql, long *status)
{
    char path[120];
    snprintf(path, sizeof path, "/v1/workspaces/%s/query", ws);
    json_t *q = json_pack("{s:s}", "query", kql);
    char *body = json_dumps(q, 0);
    json_decref(q);
    const char *h[] = { "Content-Type: application/json", NULL };
    th_resp_t r;
    th_request(&e->node, NULL, "POST", path, e->node.token, h, body, strlen(body), &r);
    free(body);
    *status = r.status;
    json_t *j = json_loadb(r.body.data ? r.body.data : "", r.body.len, 0, NULL);
    th_resp_dispose(&r);
    json_t *rows = json_object_get(json_array_get(json_object_get(j, "tables"), 0), "rows");
    char *s = rows ? json_dumps(rows, JSON_COMPACT) : json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

/* Occurrences of `needle` in the files under dir, in the clear. */
static int scan_dir(const char *dir, const char *needle)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int hits = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char p[1200];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(p, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            hits += scan_dir(p, needle);
            continue;
        }
        sl_buf_t b = SL_BUF_INIT;
        if (th_slurp(p, &b) == 0 && b.len && memmem(b.data, b.len, needle, strlen(needle)))
            hits++;
        sl_buf_dispose(&b);
    }
    closedir(d);
    return hits;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* A workspace with MMK rows (before the link) and CMK rows, all in blocks. */
static void fill(env_t *e)
{
    cr_assert_eq(post_rows(e, e->ws_cmk, e->key_cmk, 40, NULL), 200);
    set_key(e, "");
    json_t *r;
    cr_assert_eq(th_admin(&e->node, "POST", "/admin/v1/workspaces/cmk-ws/link", NULL, &r), 200);
    json_decref(r);
    for (int i = 0; i < 5; i++) {
        /* A block per post: the next post waits for this one's block
         * (flush interval 100 ms). */
        cr_assert_eq(post_rows(e, e->ws_cmk, e->key_cmk, 60, NULL), 200);
        cr_assert_geq(wait_blocks(e, "CMK", i + 1, 20), i + 1, "block %d reaches the cache", i);
    }
    cr_assert_eq(post_rows(e, e->ws_mmk, e->key_mmk, 30, NULL), 200);
    long long got = wait_blocks(e, "CMK", 5, 20);
    if (got < 5) {
        json_t *c = readyz_cache(e);
        char *s = json_dumps(c, 0);
        fprintf(stderr, "readyz hotCache: %s\n", s);
        free(s);
        json_decref(c);
    }
    cr_assert_geq(got, 5, "CMK blocks reach the cache as written");
    cr_assert_geq(wait_blocks(e, "MMK", 2, 20), 2, "MMK blocks too");
}

static const char Q[] = "Cm_CL | summarize n = count(), s = sum(Seq_d), m = max(Msg_s)";

Test(hot_cache, revocation_shreds_the_cmk_part_and_recovery_refills_it)
{
    env_t e;
    up_with(&e, NULL, FAST_BLOCKS);
    fill(&e);
    char cache_dir[400];
    snprintf(cache_dir, sizeof cache_dir, "%s/cache", e.node.data_dir);

    long st;
    char *before = query_rows(&e, e.ws_cmk, Q, &st);
    cr_assert_eq(st, 200, "%s", before);
    cr_expect(strstr(before, "[[340,"), "40 MMK + 300 CMK rows: %s", before);
    double hits0 = metric(&e, "sealog_cache_reads_total{outcome=\"hit\"}");
    char *again = query_rows(&e, e.ws_cmk, Q, &st);
    cr_expect_str_eq(again, before);
    free(again);
    cr_expect_gt(metric(&e, "sealog_cache_reads_total{outcome=\"hit\"}"),
                 hits0,
                 "queries are served from the cache");
    cr_expect_eq(scan_dir(cache_dir, "cmk canary row"), 0, "cache entries are encrypted");
    long long mmk_blocks = scope_blocks(&e, "MMK");
    long long cmk_blocks = scope_blocks(&e, "CMK");
    char keyfile[500];
    snprintf(keyfile, sizeof keyfile, "%s/cmk/key", cache_dir);
    cr_assert(exists(keyfile), "the CMK part has its sealed cache key");

    /* Revoke. By the time the node says "revoked", the CMK part is gone. */
    vault_key_enabled(&e, e.key_version, false);
    cr_assert_geq(wait_state(&e, "revoked", 5), 0);
    json_t *c = readyz_cache(&e);
    cr_expect(!json_is_true(json_object_get(scope_of(c, "CMK"), "attached")));
    cr_expect_eq(json_integer_value(json_object_get(scope_of(c, "CMK"), "blocks")), 0);
    cr_expect_eq(json_integer_value(json_object_get(scope_of(c, "MMK"), "blocks")),
                 mmk_blocks,
                 "MMK entries stay");
    double wipe_ms = json_real_value(json_object_get(c, "lastWipeMs"));
    json_decref(c);
    cr_log_info("hot cache: CMK wipe of %lld block(s) took %.3f ms", cmk_blocks, wipe_ms);
    fprintf(stderr, "hot cache: CMK wipe of %lld block(s) took %.3f ms\n", cmk_blocks, wipe_ms);
    cr_expect(!exists(keyfile), "the sealed cache key is deleted");
    cr_expect_eq(scan_dir(cache_dir, "cmk canary row"), 0, "nothing in the clear after the wipe");
    cr_expect_eq(metric(&e, "sealog_cache_wipes_total"), 1);
    /* Queries of the linked workspace fail; MMK-only ones are served. */
    char *fail = query_rows(&e, e.ws_cmk, Q, &st);
    cr_expect_eq(st, 403, "%s", fail);
    free(fail);
    char *mmk = query_rows(&e, e.ws_mmk, "Cm_CL | count", &st);
    cr_expect_eq(st, 200);
    cr_expect_str_eq(mmk, "[[30]]");
    free(mmk);

    /* Recover: the node reloads the CMK window by itself. */
    long long runs = reloads(&e, "CMK");
    vault_key_enabled(&e, e.key_version, true);
    cr_assert_geq(wait_state(&e, "active", 5), 0);
    json_t *rl = wait_reloaded(&e, "CMK", runs, 30);
    long long reloaded = json_integer_value(json_object_get(rl, "blocks"));
    fprintf(stderr,
            "hot cache: CMK reload: %lld block(s) in %.3f s (%.0f blocks/s, %.2f MB/s)\n",
            reloaded,
            json_real_value(json_object_get(rl, "seconds")),
            json_real_value(json_object_get(rl, "blocksPerSecond")),
            json_real_value(json_object_get(rl, "mbPerSecond")));
    json_decref(rl);
    cr_expect_eq(reloaded, cmk_blocks, "every CMK block of the window is back");
    cr_expect_eq(scope_blocks(&e, "CMK"), cmk_blocks);
    cr_expect(exists(keyfile), "a new sealed cache key");
    double hits1 = metric(&e, "sealog_cache_reads_total{outcome=\"hit\"}");
    char *after = query_rows(&e, e.ws_cmk, Q, &st);
    cr_expect_eq(st, 200, "%s", after);
    cr_expect_str_eq(after, before, "the same answer as before the revocation");
    cr_expect_geq(metric(&e, "sealog_cache_reads_total{outcome=\"hit\"}") - hits1,
                  (double)cmk_blocks,
                  "served from the refilled cache");
    cr_expect_eq(scan_dir(cache_dir, "cmk canary row"), 0);
    free(after);
    free(before);
    down(&e);
}

Test(hot_cache, a_restart_keeps_the_cache_only_while_its_key_is_there)
{
    env_t e;
    up_with(&e, NULL, FAST_BLOCKS);
    fill(&e);
    long long cmk_blocks = scope_blocks(&e, "CMK");
    long st;
    char *before = query_rows(&e, e.ws_cmk, Q, &st);
    cr_assert_eq(st, 200);

    /* Restart with the key available: the entries are kept, nothing is read
     * again from storage. */
    cr_assert_eq(th_node_stop(&e.node), 0);
    node_start(&e);
    cr_assert_geq(wait_state(&e, "active", 10), 0);
    json_t *rl = wait_reloaded(&e, "CMK", 0, 30);
    cr_expect_eq(json_integer_value(json_object_get(rl, "blocks")), 0, "nothing to reload");
    json_decref(rl);
    cr_expect_eq(scope_blocks(&e, "CMK"), cmk_blocks, "the CMK entries survived the restart");
    double misses = metric(&e, "sealog_cache_reads_total{outcome=\"miss\"}");
    char *again = query_rows(&e, e.ws_cmk, Q, &st);
    cr_expect_str_eq(again, before);
    free(again);
    cr_expect_eq(metric(&e, "sealog_cache_reads_total{outcome=\"miss\"}"),
                 misses,
                 "every block came from the cache");

    /* Restart while the key is disabled: the CMK part is discarded. */
    cr_assert_eq(th_node_stop(&e.node), 0);
    vault_key_enabled(&e, e.key_version, false);
    node_start(&e);
    cr_assert_geq(wait_state(&e, "revoked", 10), 0);
    cr_expect_eq(scope_blocks(&e, "CMK"), 0);
    char keyfile[500];
    snprintf(keyfile, sizeof keyfile, "%s/cache/cmk/key", e.node.data_dir);
    cr_expect(!exists(keyfile), "a cache whose key is gone is discarded");
    vault_key_enabled(&e, e.key_version, true);
    cr_assert_geq(wait_state(&e, "active", 5), 0);
    rl = wait_reloaded(&e, "CMK", 0, 30);
    cr_expect_eq(json_integer_value(json_object_get(rl, "blocks")), cmk_blocks);
    json_decref(rl);
    char *after = query_rows(&e, e.ws_cmk, Q, &st);
    cr_expect_str_eq(after, before);
    free(after);
    free(before);
    down(&e);
}
