/*
 * sealog-vault as a process: first start and its banner, restart keeping
 * keys and tokens, what is (and is not) in the data directory, the lock,
 * bad flags, busy ports, plain-HTTP listeners, and the client subcommands.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vault_harness.h"

TestSuite(vault_process, .timeout = 180);

static void start(th_node_t *n, const char *const *extra)
{
    cr_assert_eq(th_vault_start(n, extra), 0, "vault did not start");
}

Test(vault_process, first_start_creates_the_data_dir_and_prints_the_token_once)
{
    th_node_t n;
    th_node_init(&n);
    start(&n, NULL);
    sl_buf_t out = SL_BUF_INIT;
    th_slurp(n.out_path, &out);
    cr_expect(th_contains(&out, "(created)"));
    cr_expect(th_contains(&out, "listening:    https://127.0.0.1:"), "%s", out.data);
    cr_expect(th_contains(&out, "sha256:       "));
    cr_expect(th_contains(&out, "recovery:     Recoverable\n"));
    cr_expect(!strncmp(n.token, "svt1.", 5), "admin token %s", n.token);
    char p[400];
    struct stat st;
    snprintf(p, sizeof p, "%s/master.key", n.data_dir);
    cr_assert_eq(stat(p, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0600, "master key is 0600");
    cr_expect_eq(stat(n.cacert, &st), 0, "certificate in the data dir");
    /* The vault answers health checks without a token. */
    th_resp_t r;
    th_request(&n, NULL, "GET", "/healthz", NULL, NULL, NULL, 0, &r);
    cr_expect_eq(r.status, 200);
    th_resp_dispose(&r);
    cr_expect_eq(th_node_stop(&n), 0);

    sl_buf_reset(&out);
    start(&n, NULL);
    th_slurp(n.out_path, &out);
    cr_expect(!th_contains(&out, "(created)"));
    cr_expect(!th_contains(&out, "admin token"), "the token is shown on first start only");
    cr_expect_eq(th_node_stop(&n), 0);
    sl_buf_dispose(&out);
    th_node_cleanup(&n);
}

Test(vault_process, restart_keeps_keys_versions_and_tokens)
{
    th_node_t n;
    th_node_init(&n);
    start(&n, NULL);
    char v1[33], v2[33], tok[160];
    th_kv_create(&n, "cmk", "{\"kty\":\"RSA\",\"tags\":{\"k\":\"v\"}}", v1);
    th_kv_create(&n, "cmk", "{\"kty\":\"RSA\"}", v2);
    th_vault_token(&n, "{\"permissions\":\"get,unwrapKey\"}", tok);
    const uint8_t aek[32] = "0123456789abcdef0123456789abcdef";
    sl_buf_t w = SL_BUF_INIT, out = SL_BUF_INIT;
    char path[200];
    snprintf(path, sizeof path, "/keys/cmk/%s/wrapkey?" TH_KV_API, v1);
    cr_assert_eq(th_kv_wrap(&n, n.token, path, "RSA-OAEP-256", aek, 32, &w), 200);
    snprintf(path, sizeof path, "/keys/cmk/%s?" TH_KV_API, v2);
    th_resp_t r;
    th_kv(&n, n.token, "PATCH", path, "{\"attributes\":{\"enabled\":false}}", &r);
    cr_expect_eq(r.status, 200);
    th_resp_dispose(&r);
    cr_expect_eq(th_node_stop(&n), 0);

    start(&n, NULL);
    snprintf(path, sizeof path, "/keys/cmk/%s/unwrapkey?" TH_KV_API, v1);
    cr_expect_eq(th_kv_unwrap(&n, tok, path, "RSA-OAEP-256", w.data, &out), 200,
                 "the minted token and the key survived: %s", out.data);
    cr_expect(out.len == 32 && !memcmp(out.data, aek, 32));
    th_kv(&n, n.token, "GET", "/keys/cmk?" TH_KV_API, NULL, &r);
    cr_expect_eq(r.status, 403, "v2 is still the latest, and still disabled");
    th_resp_dispose(&r);
    snprintf(path, sizeof path, "/keys/cmk/%s?" TH_KV_API, v1);
    th_kv(&n, n.token, "GET", path, NULL, &r);
    cr_expect_eq(r.status, 200);
    cr_expect(th_contains(&r.body, "\"tags\":{\"k\":\"v\"}"), "%s", r.body.data);
    th_resp_dispose(&r);
    cr_expect_eq(th_node_stop(&n), 0);
    sl_buf_dispose(&w);
    sl_buf_dispose(&out);
    th_node_cleanup(&n);
}

/* Calls `fn` for every regular file under `dir`. */
static void walk(const char *dir, void (*fn)(const char *path, const sl_buf_t *data, void *arg),
                 void *arg)
{
    DIR *d = opendir(dir);
    cr_assert(d, "%s", dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        cr_assert_eq(lstat(p, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            walk(p, fn, arg);
        } else if (S_ISREG(st.st_mode)) {
            sl_buf_t b = SL_BUF_INIT;
            cr_assert_eq(th_slurp(p, &b), 0);
            fn(p, &b, arg);
            sl_buf_dispose(&b);
        }
    }
    closedir(d);
}

typedef struct secrets {
    uint8_t aek[32];
    sl_buf_t modulus;   /* of the RSA key */
    char admin[160];    /* the bootstrap token */
    char minted[160];   /* a static token */
    int files;
} secrets_t;

static void scan(const char *path, const sl_buf_t *b, void *arg)
{
    secrets_t *s = arg;
    s->files++;
    const char *data = b->data ? b->data : "";
    cr_expect_null(memmem(data, b->len, s->aek, sizeof s->aek), "AEK in %s", path);
    cr_expect_null(memmem(data, b->len, s->modulus.data, 32), "RSA modulus in %s", path);
    /* PKCS#1 RSAPrivateKey: version 0, then a 2048-bit modulus INTEGER. */
    cr_expect_null(memmem(data, b->len, "\x02\x01\x00\x02\x82\x01\x01\x00", 8),
                   "DER RSA private key in %s", path);
    cr_expect_null(memmem(data, b->len, "BEGIN RSA PRIVATE KEY", 21), "PEM in %s", path);
    cr_expect_null(memmem(data, b->len, "BEGIN PRIVATE KEY", 17), "PEM in %s", path);
    cr_expect_null(memmem(data, b->len, "BEGIN EC PRIVATE KEY", 20), "PEM in %s", path);
    if (memmem(data, b->len, "PRIVATE KEY-----", 16))
        cr_expect_not_null(memmem(data, b->len, "BEGIN ENCRYPTED PRIVATE KEY", 27),
                           "only the encrypted TLS key, in %s", path);
    const char *adm = strrchr(s->admin, '.'), *mint = strrchr(s->minted, '.');
    cr_expect_null(memmem(data, b->len, adm + 1, strlen(adm + 1)), "admin token in %s", path);
    cr_expect_null(memmem(data, b->len, mint + 1, strlen(mint + 1)), "token in %s", path);
}

Test(vault_process, no_key_material_in_any_file_of_the_data_dir)
{
    th_node_t n;
    th_node_init(&n);
    start(&n, NULL);
    secrets_t s = { .modulus = SL_BUF_INIT };
    snprintf(s.admin, sizeof s.admin, "%s", n.token);
    sl_random_bytes(s.aek, sizeof s.aek);
    char v[33], ov[33], nb64[400];
    th_kv_create(&n, "cmk", "{\"kty\":\"RSA\",\"key_size\":2048}", v);
    th_kv_create(&n, "aes", "{\"kty\":\"oct\"}", ov);
    th_vault_token(&n, "{\"permissions\":\"all\"}", s.minted);
    /* A known AEK goes through wrap and unwrap with both keys. */
    const char *keys[][2] = { { "cmk", "RSA-OAEP-256" }, { "aes", "A256KW" } };
    for (int i = 0; i < 2; i++) {
        char wp[100], up[100];
        snprintf(wp, sizeof wp, "/keys/%s//wrapkey?" TH_KV_API, keys[i][0]);
        snprintf(up, sizeof up, "/keys/%s//unwrapkey?" TH_KV_API, keys[i][0]);
        sl_buf_t w = SL_BUF_INIT, out = SL_BUF_INIT;
        cr_assert_eq(th_kv_wrap(&n, n.token, wp, keys[i][1], s.aek, 32, &w), 200);
        cr_assert_eq(th_kv_unwrap(&n, n.token, up, keys[i][1], w.data, &out), 200);
        cr_assert(out.len == 32 && !memcmp(out.data, s.aek, 32), "the raw AEK came back");
        sl_buf_dispose(&w);
        sl_buf_dispose(&out);
    }
    th_resp_t r;
    th_kv(&n, n.token, "GET", "/keys/cmk?" TH_KV_API, NULL, &r);
    cr_assert(th_json_str(&r.body, "key.n", nb64, sizeof nb64));
    th_resp_dispose(&r);
    uint8_t mod[300];
    size_t mn;
    cr_assert_eq(sl_base64_decode(nb64, strlen(nb64), mod, &mn), 0);
    cr_assert_eq(mn, 256);
    sl_buf_append(&s.modulus, mod, mn);
    cr_expect_eq(th_node_stop(&n), 0);

    walk(n.data_dir, scan, &s);
    cr_expect_geq(s.files, 7, "scanned keys, tokens, TLS files, marker");
    sl_buf_dispose(&s.modulus);
    th_node_cleanup(&n);
}

Test(vault_process, lock_busy_port_and_bad_flags)
{
    th_node_t a, b;
    th_node_init(&a);
    start(&a, NULL);
    /* Same data dir, another vault: refused while the first runs. */
    memcpy(&b, &a, sizeof b);
    b.pid = 0;
    cr_expect_eq(th_vault_start(&b, NULL), 1);
    sl_buf_t err = SL_BUF_INIT;
    th_slurp(b.log_path, &err);
    cr_expect(th_contains(&err, "in use by another sealog-vault"), "%s", err.data);
    sl_buf_reset(&err);

    /* A port in use fails start-up and creates nothing. */
    th_node_t c;
    th_node_init(&c);
    const char *port = strrchr(a.https, ':') + 1;
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%s", port);
    const char *busy[] = { "--listen", listen, NULL };
    cr_expect_eq(th_vault_start(&c, busy), 1);
    struct stat st;
    cr_expect_neq(stat(c.data_dir, &st), 0, "no data directory after a failed start");

    /* Bad flags: one line, exit 2. */
    const char *bad[][3] = {
        { "--soft-delete", "sometimes", NULL },
        { "--http-listen", "10.1.2.3:80", NULL },
        { "--no-such-flag", "x", NULL },
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(bad); i++) {
        cr_expect_eq(th_vault_start(&c, bad[i]), 2, "%s", bad[i][0]);
        th_slurp(c.log_path, &err);
        cr_expect(err.len > 0 && strchr(err.data, '\n') == err.data + err.len - 1,
                  "exactly one line: %s", err.data);
        cr_expect(!strncmp(err.data, "sealog-vault: ", 14));
        sl_buf_reset(&err);
    }
    cr_expect_eq(th_node_stop(&a), 0);
    sl_buf_dispose(&err);
    th_node_cleanup(&a);
    th_node_cleanup(&c);
}

Test(vault_process, plain_http_listener_on_loopback)
{
    th_node_t n;
    th_node_init(&n);
    const char *extra[] = { "--http-listen", "127.0.0.1:0", NULL };
    start(&n, extra);
    cr_assert(n.http[0], "an http:// listener in the banner");
    char v[33];
    th_kv_create(&n, "k", "{\"kty\":\"oct\"}", v);
    th_resp_t r;
    cr_assert_eq(th_request(&n, n.http, "GET", "/keys/k?" TH_KV_API, n.token, NULL, NULL, 0, &r),
                 0);
    cr_expect_eq(r.status, 200);
    char kid[300];
    cr_expect(th_json_str(&r.body, "key.kid", kid, sizeof kid));
    cr_expect(!strncmp(kid, n.https, strlen(n.https)), "kids use the HTTPS URL: %s", kid);
    th_resp_dispose(&r);
    cr_expect_eq(th_node_stop(&n), 0);
    th_node_cleanup(&n);
}

/* Runs the client with the global options in the environment. */
static int cli(const th_node_t *n, sl_buf_t *out, const char *const *args)
{
    setenv("SEALOG_VAULT_ENDPOINT", n->https, 1);
    setenv("SEALOG_VAULT_CA_FILE", n->cacert, 1);
    setenv("SEALOG_VAULT_TOKEN", n->token, 1);
    sl_buf_reset(out);
    return th_run(SEALOG_VAULT_PATH, args, NULL, out);
}

Test(vault_process, client_subcommands)
{
    th_node_t n;
    th_node_init(&n);
    start(&n, NULL);
    sl_buf_t out = SL_BUF_INIT;
    const char *create[] = { "key", "create", "cli-key", "--kty", "RSA", "--size", "2048",
                             "--ops", "wrapKey,unwrapKey", "--expires", "2099-01-01T00:00:00Z",
                             NULL };
    cr_assert_eq(cli(&n, &out, create), 0, "%s", out.data);
    cr_expect(th_contains(&out, "kty         RSA"), "%s", out.data);
    cr_expect(th_contains(&out, "key_ops     wrapKey,unwrapKey"));
    cr_expect(th_contains(&out, "expires     2099-01-01T00:00:00Z"));
    const char *list[] = { "key", "list", NULL };
    cr_assert_eq(cli(&n, &out, list), 0, "%s", out.data);
    cr_expect(th_contains(&out, "NAME"));
    cr_expect(th_contains(&out, "cli-key"));
    const char *rotate[] = { "key", "rotate", "cli-key", NULL };
    cr_assert_eq(cli(&n, &out, rotate), 0, "%s", out.data);
    const char *show[] = { "key", "show", "cli-key", "--json", NULL };
    cr_assert_eq(cli(&n, &out, show), 0, "%s", out.data);
    cr_expect(th_contains(&out, "\"versions\":[{"), "%s", out.data);
    char kid[300];
    cr_assert(th_json_str(&out, "key.kid", kid, sizeof kid));
    const char *disable[] = { "key", "disable", "cli-key", NULL };
    cr_assert_eq(cli(&n, &out, disable), 0, "%s", out.data);
    cr_expect(th_contains(&out, "disabled"));
    const char *show2[] = { "key", "show", "cli-key", NULL };
    cr_expect_eq(cli(&n, &out, show2), 1, "a disabled key cannot be shown");
    cr_expect(th_contains(&out, "KeyDisabled"), "%s", out.data);
    const char *enable[] = { "key", "enable", "cli-key", NULL };
    cr_assert_eq(cli(&n, &out, enable), 0, "%s", out.data);
    cr_assert_eq(cli(&n, &out, show2), 0, "%s", out.data);
    cr_expect(th_contains(&out, "VERSION"), "the versions table");
    cr_expect(th_contains(&out, "enabled     yes"));

    const char *tok[] = { "token", "create", "--permissions", "get,unwrapKey", "--keys",
                          "cli-key", "--expires-in", "1h", NULL };
    cr_assert_eq(cli(&n, &out, tok), 0, "%s", out.data);
    cr_expect(!strncmp(out.data, "svt1.", 5), "%s", out.data);
    const char *client[] = { "token", "create", "--client", "--json", NULL };
    cr_assert_eq(cli(&n, &out, client), 0, "%s", out.data);
    char cid[64];
    cr_expect(th_json_str(&out, "client_id", cid, sizeof cid) && strlen(cid) == 36);

    const char *bad[] = { "key", "frobnicate", "x", NULL };
    cr_expect_eq(cli(&n, &out, bad), 2);
    setenv("SEALOG_VAULT_ENDPOINT", "https://127.0.0.1:1", 1);
    cr_expect_eq(th_run(SEALOG_VAULT_PATH, list, NULL, &out), 3, "unreachable vault");
    cr_expect_eq(th_node_stop(&n), 0);
    sl_buf_dispose(&out);
    th_node_cleanup(&n);
}

typedef struct slow_create {
    th_node_t *n;
    char name[16];
    long status;
} slow_create_t;

static void *create_4096(void *arg)
{
    slow_create_t *c = arg;
    char path[64];
    snprintf(path, sizeof path, "/keys/%s/create?" TH_KV_API, c->name);
    th_resp_t r;
    if (th_kv(c->n, c->n->token, "POST", path, "{\"kty\":\"RSA\",\"key_size\":4096}", &r) == 0)
        c->status = r.status;
    th_resp_dispose(&r);
    return NULL;
}

Test(vault_process, sigterm_lets_requests_in_flight_finish_then_exits_zero)
{
    th_node_t n;
    th_node_init(&n);
    const char *patient[] = { "--shutdown-timeout", "120s", NULL };
    start(&n, patient);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    /* Three 4096-bit keys: generation takes long enough to be in flight. */
    slow_create_t c[3];
    pthread_t t[3];
    for (int i = 0; i < 3; i++) {
        c[i] = (slow_create_t){ .n = &n, .status = 0 };
        snprintf(c[i].name, sizeof c[i].name, "slow%d", i);
        pthread_create(&t[i], NULL, create_4096, &c[i]);
    }
    struct timespec ts = { 0, 150 * 1000000L };
    nanosleep(&ts, NULL);
    kill(n.pid, SIGTERM);
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
        cr_expect_eq(c[i].status, 200, "request %d finished during the drain", i);
    }
    int st = 0;
    cr_assert_eq(waitpid(n.pid, &st, 0), n.pid);
    n.pid = 0;
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit 0");
    sl_buf_t log = SL_BUF_INIT;
    th_slurp(n.log_path, &log);
    cr_expect(th_contains(&log, "SIGTERM: draining"), "%s", log.data);
    cr_expect(!th_contains(&log, "shutdown timeout"),
              "stopped when the work was done, not at the drain limit: %s", log.data);
    sl_buf_dispose(&log);
    /* What was acknowledged is on disk. */
    start(&n, NULL);
    for (int i = 0; i < 3; i++) {
        char path[64];
        snprintf(path, sizeof path, "/keys/%s?" TH_KV_API, c[i].name);
        th_resp_t r;
        th_kv(&n, n.token, "GET", path, NULL, &r);
        cr_expect_eq(r.status, 200, "%s after restart", c[i].name);
        th_resp_dispose(&r);
    }
    cr_expect_eq(th_node_stop(&n), 0);
    th_node_cleanup(&n);
}

Test(vault_process, damaged_or_moved_records_stop_start_up_with_the_file_named)
{
    th_node_t n;
    th_node_init(&n);
    start(&n, NULL);
    char a[33], b[33];
    th_kv_create(&n, "keya", "{\"kty\":\"oct\"}", a);
    th_kv_create(&n, "keyb", "{\"kty\":\"oct\"}", b);
    cr_expect_eq(th_node_stop(&n), 0);
    char pa[400], pb[400], stale[420];
    snprintf(pa, sizeof pa, "%s/keys/keya/%s.rec", n.data_dir, a);
    snprintf(pb, sizeof pb, "%s/keys/keyb/%s.rec", n.data_dir, b);
    /* A leftover of an interrupted write is cleaned up, not loaded. */
    snprintf(stale, sizeof stale, "%s.tmp.12345", pa);
    cr_assert_eq(sl_write_file_atomic(stale, "partial", 7, 0600), 0);
    start(&n, NULL);
    cr_expect_eq(th_node_stop(&n), 0);
    struct stat st;
    cr_expect_neq(stat(stale, &st), 0, "stale temp file removed");

    /* keyb's record copied over keya's file: it does not authenticate there. */
    sl_buf_t orig = SL_BUF_INIT, other = SL_BUF_INIT, err = SL_BUF_INIT;
    cr_assert_eq(th_slurp(pa, &orig), 0);
    cr_assert_eq(th_slurp(pb, &other), 0);
    cr_assert_eq(sl_write_file_atomic(pa, other.data, other.len, 0600), 0);
    cr_expect_eq(th_vault_start(&n, NULL), 1);
    th_slurp(n.log_path, &err);
    cr_expect(th_contains(&err, pa), "names the file: %s", err.data);
    cr_expect(th_contains(&err, "does not authenticate"), "%s", err.data);
    sl_buf_reset(&err);
    /* One flipped bit in the original. */
    orig.data[orig.len - 5] ^= 0x10;
    cr_assert_eq(sl_write_file_atomic(pa, orig.data, orig.len, 0600), 0);
    cr_expect_eq(th_vault_start(&n, NULL), 1);
    th_slurp(n.log_path, &err);
    cr_expect(th_contains(&err, "does not authenticate"), "%s", err.data);
    /* Restored, it starts again. */
    orig.data[orig.len - 5] ^= 0x10;
    cr_assert_eq(sl_write_file_atomic(pa, orig.data, orig.len, 0600), 0);
    start(&n, NULL);
    cr_expect_eq(th_node_stop(&n), 0);
    sl_buf_dispose(&orig);
    sl_buf_dispose(&other);
    sl_buf_dispose(&err);
    th_node_cleanup(&n);
}
