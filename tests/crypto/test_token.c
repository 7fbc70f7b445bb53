/*
 * Token sources without a network: the static token file (re-read when it
 * changes, refused when it holds no token) and the cache every source
 * shares (per-scope slots, refresh before expiry, riding out a failed
 * refresh, invalidation), driven through a scripted source.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto_int.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/sl-token-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    sl_rmtree(dir);
}

TestSuite(crypto_token_file, .init = setup, .fini = teardown);

static void write_file(const char *path, const char *text)
{
    /* Written aside and renamed over, as an operator rotating a token would. */
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    cr_assert_eq(rename(tmp, path), 0);
}

Test(crypto_token_file, reads_trims_and_follows_the_file)
{
    char path[128], tok[256];
    snprintf(path, sizeof path, "%s/token", dir);
    write_file(path, "  svt1.0011223344556677.c2VjcmV0\n");
    sl_token_source_t *s;
    sl_diag_t d;
    cr_assert_eq(sl_token_file_create(path, &s, &d), 0);
    cr_assert_eq(sl_token_get(s, "https://vault.azure.net/.default", tok, sizeof tok, &d), 0,
                 "%s", d.msg);
    cr_expect_str_eq(tok, "svt1.0011223344556677.c2VjcmV0");
    cr_assert_eq(sl_token_get(s, "https://other/.default", tok, sizeof tok, &d), 0);
    cr_expect_str_eq(tok, "svt1.0011223344556677.c2VjcmV0", "one token whatever the scope");

    write_file(path, "Bearer second-token\r\n");
    cr_assert_eq(sl_token_get(s, "x", tok, sizeof tok, &d), 0);
    cr_expect_str_eq(tok, "second-token", "a replaced file is read again");

    sl_buf_t desc = SL_BUF_INIT;
    sl_token_describe(s, &desc);
    cr_expect(strstr(desc.data, path) && !strstr(desc.data, "second-token"), "%s", desc.data);
    sl_buf_dispose(&desc);

    char small[5];
    cr_expect_eq(sl_token_get(s, "x", small, sizeof small, &d), SL_ELIMIT);
    sl_token_source_destroy(s);
}

Test(crypto_token_file, missing_empty_and_bad_files_are_config_errors)
{
    char path[128], tok[256];
    snprintf(path, sizeof path, "%s/token", dir);
    sl_token_source_t *s;
    sl_diag_t d;
    cr_assert_eq(sl_token_file_create(path, &s, &d), 0);
    cr_expect_eq(sl_token_get(s, "x", tok, sizeof tok, &d), SL_ECONFIG);
    cr_expect(strstr(d.msg, "No such file"), "%s", d.msg);
    write_file(path, " \n");
    cr_expect_eq(sl_token_get(s, "x", tok, sizeof tok, &d), SL_ECONFIG);
    cr_expect(strstr(d.msg, "empty"), "%s", d.msg);
    write_file(path, "two words\n");
    cr_expect_eq(sl_token_get(s, "x", tok, sizeof tok, &d), SL_ECONFIG);
    write_file(path, "line1\nX-Injected: yes\n");
    cr_expect_eq(sl_token_get(s, "x", tok, sizeof tok, &d), SL_ECONFIG,
                 "a header injection never reaches a request");
    cr_expect(!strstr(d.msg, "Injected"), "the content is not quoted: %s", d.msg);
    write_file(path, "good\n");
    cr_expect_eq(sl_token_get(s, "x", tok, sizeof tok, &d), 0, "recovers once fixed");
    cr_expect_str_eq(tok, "good");
    sl_token_source_destroy(s);
    cr_expect_eq(sl_token_file_create("", &s, &d), SL_EINVAL);
}

Test(crypto_token_file, invalidate_forces_a_reread)
{
    char path[128], tok[256];
    snprintf(path, sizeof path, "%s/token", dir);
    write_file(path, "first\n");
    sl_token_source_t *s;
    sl_diag_t d;
    cr_assert_eq(sl_token_file_create(path, &s, &d), 0);
    cr_assert_eq(sl_token_get(s, "x", tok, sizeof tok, &d), 0);
    /* Overwrite in place keeping size and mtime, so only invalidation can tell. */
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    FILE *f = fopen(path, "r+");
    fputs("other", f);
    fclose(f);
    struct timespec times[2] = { st.st_atim, st.st_mtim };
    cr_assert_eq(utimensat(AT_FDCWD, path, times, 0), 0);
    cr_assert_eq(sl_token_get(s, "x", tok, sizeof tok, &d), 0);
    cr_expect_str_eq(tok, "first", "cached while the file looks unchanged");
    sl_token_invalidate(s, "x", "not-the-cached-one");
    cr_assert_eq(sl_token_get(s, "x", tok, sizeof tok, &d), 0);
    cr_expect_str_eq(tok, "first", "invalidating another token keeps this one");
    sl_token_invalidate(s, "x", "first");
    cr_assert_eq(sl_token_get(s, "x", tok, sizeof tok, &d), 0);
    cr_expect_str_eq(tok, "other");
    sl_token_source_destroy(s);
}

/* ------------------------------------------------------------------------ */
/* The shared cache, with a scripted source                                 */
/* ------------------------------------------------------------------------ */

typedef struct script {
    int fetches;
    int64_t lifetime;
    int fail; /* non-zero: the next fetches fail with this code */
} script_t;

static int script_fetch(void *impl, const char *scope, sl_secbuf_t *tok, int64_t *life,
                        sl_diag_t *d)
{
    script_t *s = impl;
    s->fetches++;
    if (s->fail) {
        return sl_diag_set(d, s->fail, "scripted failure");
    }
    char t[128];
    snprintf(t, sizeof t, "tok%d.%s", s->fetches, scope[0] == 'a' ? "a" : "b");
    sl_crypto__secbuf_puts(tok, t);
    *life = s->lifetime;
    return 0;
}

static void script_describe(void *impl, sl_buf_t *out)
{
    (void)impl;
    sl_buf_puts(out, "script");
}

static void script_destroy(void *impl)
{
    (void)impl;
}

static const sl_token_ops_t script_ops = {
    .kind = "script",
    .scoped = true,
    .fetch = script_fetch,
    .describe = script_describe,
    .destroy = script_destroy,
};

Test(crypto_token, cached_per_scope_until_refresh_time)
{
    script_t sc = { .lifetime = 3600 };
    sl_token_source_t *s = sl_crypto__token_source_new(&script_ops, &sc);
    char tok[64];
    sl_diag_t d;
    cr_assert_eq(sl_token_get(s, "a-scope", tok, sizeof tok, &d), 0);
    cr_expect_str_eq(tok, "tok1.a");
    cr_assert_eq(sl_token_get(s, "a-scope", tok, sizeof tok, &d), 0);
    cr_expect_str_eq(tok, "tok1.a");
    cr_assert_eq(sl_token_get(s, "b-scope", tok, sizeof tok, &d), 0);
    cr_expect_str_eq(tok, "tok2.b", "another scope, another token");
    cr_assert_eq(sl_token_get(s, "a-scope", tok, sizeof tok, &d), 0);
    cr_expect_str_eq(tok, "tok1.a");
    cr_expect_eq(sc.fetches, 2);
    sl_token_invalidate(s, "a-scope", "tok1.a");
    cr_assert_eq(sl_token_get(s, "a-scope", tok, sizeof tok, &d), 0);
    cr_expect_str_eq(tok, "tok3.a");
    sl_token_source_destroy(s);
}

Test(crypto_token, unknown_lifetime_is_not_cached)
{
    script_t sc = { .lifetime = 0 };
    sl_token_source_t *s = sl_crypto__token_source_new(&script_ops, &sc);
    char tok[64];
    sl_diag_t d;
    cr_assert_eq(sl_token_get(s, "a", tok, sizeof tok, &d), 0);
    cr_assert_eq(sl_token_get(s, "a", tok, sizeof tok, &d), 0);
    cr_expect_str_eq(tok, "tok2.a");
    sc.fail = SL_ETRANSIENT;
    cr_expect_eq(sl_token_get(s, "a", tok, sizeof tok, &d), SL_ETRANSIENT,
                 "nothing to fall back on");
    cr_expect_str_eq(d.msg, "scripted failure");
    sl_token_source_destroy(s);
}

Test(crypto_token, a_failed_refresh_serves_the_unexpired_token)
{
    /* lifetime 4 s: refresh after 2 s, expiry after 4 s (monotonic seconds) */
    script_t sc = { .lifetime = 4 };
    sl_token_source_t *s = sl_crypto__token_source_new(&script_ops, &sc);
    char tok[64];
    sl_diag_t d;
    cr_assert_eq(sl_token_get(s, "a", tok, sizeof tok, &d), 0);
    int64_t t0 = sl_crypto__mono_s(); /* not before the fetch's own clock reading */
    while (sl_crypto__mono_s() < t0 + 2) {
        usleep(20000);
    }
    sc.fail = SL_ETRANSIENT;
    cr_assert_eq(sl_token_get(s, "a", tok, sizeof tok, &d), 0, "%s", d.msg);
    cr_expect_str_eq(tok, "tok1.a");
    cr_expect_eq(sc.fetches, 2, "a refresh was attempted");
    sc.fail = SL_EAUTH;
    while (sl_crypto__mono_s() < t0 + 5) {
        usleep(20000);
    }
    cr_expect_eq(sl_token_get(s, "a", tok, sizeof tok, &d), SL_EAUTH, "expired: the error");
    sc.fail = 0;
    cr_assert_eq(sl_token_get(s, "a", tok, sizeof tok, &d), 0);
    cr_expect_str_eq(tok, "tok4.a");
    sl_token_source_destroy(s);
}
