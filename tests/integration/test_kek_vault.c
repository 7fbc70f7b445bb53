/*
 * The node's Key Vault client against real sealog-vault processes over
 * HTTPS: wrap/unwrap with RSA and oct keys, rotation (old versions keep
 * unwrapping, "" follows the latest), what a customer's actions look like
 * to the key monitor (disabled, unknown, vault down, vault silent), the
 * three token sources, the 401 challenge, and the CMK configure-time check.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "vault_harness.h"

TestSuite(kek_vault, .timeout = 180);

typedef struct env {
    th_node_t n;
    char token_path[400];
    sl_token_source_t *tokens;
    sl_kek_provider_t *p;
} env_t;

static void vault_up(env_t *e, const char *const *extra)
{
    memset(e, 0, sizeof *e);
    th_node_init(&e->n);
    cr_assert_eq(th_vault_start(&e->n, extra), 0, "vault did not start");
}

static void env_down(env_t *e)
{
    sl_kek_provider_destroy(e->p);
    sl_token_source_destroy(e->tokens);
    if (e->n.pid) {
        cr_expect_eq(th_node_stop(&e->n), 0);
    }
    th_node_cleanup(&e->n);
}

static void write_token_file(env_t *e, const char *token)
{
    snprintf(e->token_path, sizeof e->token_path, "%s/node.token", e->n.dir);
    FILE *f = fopen(e->token_path, "w");
    cr_assert_not_null(f);
    fprintf(f, "%s\n", token);
    fclose(f);
}

/* A token source reading `token` from a file. */
static void file_tokens(env_t *e, const char *token)
{
    write_token_file(e, token);
    sl_diag_t d;
    cr_assert_eq(sl_token_file_create(e->token_path, &e->tokens, &d), 0, "%s", d.msg);
}

static sl_kek_provider_t *provider_at(env_t *e, const char *uri, const char *key,
                                      const char *version, int64_t timeout_ms)
{
    sl_kv_config_t c = {
        .vault_uri = uri,
        .key_name = key,
        .key_version = version,
        .ca_file = e->n.cacert[0] ? e->n.cacert : NULL,
        .tokens = e->tokens,
        .timeout_ms = timeout_ms,
        .disable_challenge_resource_verification = true,
    };
    sl_kek_provider_t *p = NULL;
    sl_diag_t d;
    cr_assert_eq(sl_kek_vault_create(&c, &p, &d), 0, "%s", d.msg);
    return p;
}

static sl_kek_provider_t *provider(env_t *e, const char *key, const char *version)
{
    return provider_at(e, e->n.https, key, version, 10000);
}

/* Wraps a random AEK; fills kid and the wrapped bytes. */
static void wrap(sl_kek_provider_t *p, uint8_t aek[32], sl_buf_t *wrapped, char kid[256])
{
    sl_random_bytes(aek, 32);
    sl_diag_t d;
    sl_buf_reset(wrapped);
    cr_assert_eq(p->wrap(p->ctx, aek, wrapped, kid, &d), 0, "%s", d.msg);
}

static int unwrap(sl_kek_provider_t *p, const sl_buf_t *wrapped, const char *kid,
                  uint8_t out[32], sl_diag_t *d)
{
    return p->unwrap(p->ctx, (const uint8_t *)wrapped->data, wrapped->len, kid, out, d);
}

static void expect_round_trip(sl_kek_provider_t *p, const sl_buf_t *wrapped, const char *kid,
                              const uint8_t aek[32])
{
    uint8_t back[32];
    sl_diag_t d;
    cr_assert_eq(unwrap(p, wrapped, kid, back, &d), 0, "%s", d.msg);
    cr_expect(!memcmp(back, aek, 32), "the AEK came back");
}

static void patch_enabled(env_t *e, const char *key, const char *version, bool on)
{
    char path[200];
    snprintf(path, sizeof path, "/keys/%s/%s?" TH_KV_API, key, version);
    th_resp_t r;
    cr_assert_eq(th_kv(&e->n, e->n.token, "PATCH", path,
                       on ? "{\"attributes\":{\"enabled\":true}}"
                          : "{\"attributes\":{\"enabled\":false}}",
                       &r),
                 0);
    cr_assert_eq(r.status, 200, "%s", r.body.data);
    th_resp_dispose(&r);
}

static const char *kid_version(const char *kid)
{
    return strrchr(kid, '/') + 1;
}

/* ------------------------------------------------------------------------ */

Test(kek_vault, rsa_2048_round_trip_with_a_token_file)
{
    env_t e;
    vault_up(&e, NULL);
    char v[33], tok[160];
    th_kv_create(&e.n, "cmk", "{\"kty\":\"RSA\",\"key_size\":2048}", v);
    th_vault_token(&e.n, "{\"permissions\":\"get,wrapKey,unwrapKey\"}", tok);
    file_tokens(&e, tok);
    e.p = provider(&e, "cmk", "");
    cr_expect_str_eq(e.p->kind, "vault");

    uint8_t aek[32];
    char kid[256], want[256];
    sl_buf_t w = SL_BUF_INIT;
    wrap(e.p, aek, &w, kid);
    snprintf(want, sizeof want, "%s/keys/cmk/%s", e.n.https, v);
    cr_expect_str_eq(kid, want, "the version out is the full kid used");
    cr_expect_eq(w.len, 256, "RSA-OAEP-256 under a 2048-bit key");
    cr_expect(memmem(w.data, w.len, aek, 32) == NULL);
    expect_round_trip(e.p, &w, kid, aek);
    expect_round_trip(e.p, &w, v, aek); /* a bare version id works too */

    sl_buf_t desc = SL_BUF_INIT;
    e.p->describe(e.p->ctx, &desc);
    cr_expect(strstr(desc.data, e.n.https) && strstr(desc.data, "'cmk'") &&
                  strstr(desc.data, e.token_path),
              "%s", desc.data);
    cr_expect(!strstr(desc.data, tok), "no token in the description");
    sl_buf_dispose(&desc);

    sl_kv_key_info_t info;
    sl_diag_t d;
    cr_assert_eq(sl_kek_vault_key_info(e.p, NULL, &info, &d), 0, "%s", d.msg);
    cr_expect_str_eq(info.kid, want);
    cr_expect_str_eq(info.kty, "RSA");
    cr_expect_eq(info.key_size, 2048);
    cr_expect(info.enabled && (info.key_ops & SL_KV_OP_WRAP) && (info.key_ops & SL_KV_OP_UNWRAP));
    cr_expect_str_eq(info.recovery_level, "Recoverable");
    cr_expect_eq(info.recoverable_days, 90);
    sl_buf_dispose(&w);
    env_down(&e);
}

Test(kek_vault, oct_256_round_trip)
{
    env_t e;
    vault_up(&e, NULL);
    char v[33];
    th_kv_create(&e.n, "octk", "{\"kty\":\"oct\",\"key_size\":256}", v);
    file_tokens(&e, e.n.token);
    e.p = provider(&e, "octk", v);
    uint8_t aek[32];
    char kid[256];
    sl_buf_t w = SL_BUF_INIT;
    wrap(e.p, aek, &w, kid);
    cr_expect_eq(w.len, 40, "A256KW of 32 bytes");
    cr_expect_str_eq(kid_version(kid), v);
    expect_round_trip(e.p, &w, kid, aek);
    /* a flipped bit: the vault's integrity check fails; the key is not ours to trust */
    w.data[5] ^= 1;
    uint8_t back[32];
    sl_diag_t d;
    int rc = unwrap(e.p, &w, kid, back, &d);
    cr_expect_eq(rc, SL_EINTEGRITY, "%s", d.msg);
    cr_expect_eq(e.p->classify(e.p->ctx, rc), SL_KEK_REVOKED);
    cr_expect(strstr(d.msg, "HTTP 400") && strstr(d.msg, "IntegrityCheckFailed"), "%s", d.msg);
    sl_buf_dispose(&w);
    env_down(&e);
}

Test(kek_vault, rotation_keeps_old_versions_and_latest_follows)
{
    env_t e;
    vault_up(&e, NULL);
    char v1[33], v2[33];
    th_kv_create(&e.n, "cmk", "{\"kty\":\"RSA\"}", v1);
    file_tokens(&e, e.n.token);
    e.p = provider(&e, "cmk", "");
    uint8_t aek1[32], aek2[32];
    char kid1[256], kid2[256], latest[256];
    sl_buf_t w1 = SL_BUF_INIT, w2 = SL_BUF_INIT;
    sl_diag_t d;
    wrap(e.p, aek1, &w1, kid1);
    cr_expect_str_eq(kid_version(kid1), v1);
    cr_assert_eq(sl_kek_vault_latest_version(e.p, latest, &d), 0, "%s", d.msg);
    cr_expect_str_eq(latest, kid1);

    th_kv_create(&e.n, "cmk", "{\"kty\":\"RSA\"}", v2); /* the customer rotates */
    cr_assert_eq(sl_kek_vault_latest_version(e.p, latest, &d), 0, "%s", d.msg);
    cr_expect_str_eq(kid_version(latest), v2, "keyVersion \"\" sees the new version");
    cr_expect_str_neq(latest, kid1);
    wrap(e.p, aek2, &w2, kid2);
    cr_expect_str_eq(kid2, latest, "and wraps with it");
    expect_round_trip(e.p, &w1, kid1, aek1);
    expect_round_trip(e.p, &w2, kid2, aek2);

    /* An explicit version stays pinned whatever is latest. */
    sl_kek_provider_t *pinned = provider(&e, "cmk", v1);
    uint8_t aek3[32];
    char kid3[256];
    wrap(pinned, aek3, &w2, kid3);
    cr_expect_str_eq(kid3, kid1);
    expect_round_trip(e.p, &w2, kid3, aek3);
    sl_kek_provider_destroy(pinned);
    sl_buf_dispose(&w1);
    sl_buf_dispose(&w2);
    env_down(&e);
}

Test(kek_vault, disabled_key_is_revoked_until_enabled)
{
    env_t e;
    vault_up(&e, NULL);
    char v[33];
    th_kv_create(&e.n, "cmk", "{\"kty\":\"RSA\"}", v);
    file_tokens(&e, e.n.token);
    e.p = provider(&e, "cmk", "");
    uint8_t aek[32], back[32];
    char kid[256];
    sl_buf_t w = SL_BUF_INIT;
    wrap(e.p, aek, &w, kid);
    patch_enabled(&e, "cmk", v, false);
    sl_diag_t d;
    int rc = unwrap(e.p, &w, kid, back, &d);
    cr_expect_eq(rc, SL_EFORBIDDEN, "%s", d.msg);
    cr_expect_eq(e.p->classify(e.p->ctx, rc), SL_KEK_REVOKED);
    cr_expect(strstr(d.msg, "unwrapKey") && strstr(d.msg, "HTTP 403 Forbidden/KeyDisabled") &&
                  strstr(d.msg, "Operation unwrapKey is not allowed on a disabled key."),
              "%s", d.msg);
    rc = e.p->wrap(e.p->ctx, aek, &w, kid, &d);
    cr_expect_eq(e.p->classify(e.p->ctx, rc), SL_KEK_REVOKED, "no new wraps either: %s", d.msg);
    patch_enabled(&e, "cmk", v, true);
    expect_round_trip(e.p, &w, kid, aek);
    sl_buf_dispose(&w);
    env_down(&e);
}

Test(kek_vault, unknown_key_or_version_is_revoked)
{
    env_t e;
    vault_up(&e, NULL);
    char v[33];
    th_kv_create(&e.n, "cmk", "{\"kty\":\"RSA\"}", v);
    file_tokens(&e, e.n.token);
    e.p = provider(&e, "gone", "");
    uint8_t aek[32] = { 1 };
    char kid[256];
    sl_buf_t w = SL_BUF_INIT;
    sl_diag_t d;
    int rc = e.p->wrap(e.p->ctx, aek, &w, kid, &d);
    cr_expect_eq(rc, SL_ENOTFOUND, "%s", d.msg);
    cr_expect_eq(e.p->classify(e.p->ctx, rc), SL_KEK_REVOKED);
    cr_expect(strstr(d.msg, "HTTP 404 KeyNotFound"), "%s", d.msg);

    /* A wrapped AEK whose version no longer exists. */
    sl_kek_provider_t *p = provider(&e, "cmk", "");
    wrap(p, aek, &w, kid);
    char stale[300];
    snprintf(stale, sizeof stale, "%s/keys/cmk/00000000000000000000000000000000", e.n.https);
    uint8_t back[32];
    rc = unwrap(p, &w, stale, back, &d);
    cr_expect_eq(rc, SL_ENOTFOUND, "%s", d.msg);
    cr_expect_eq(p->classify(p->ctx, rc), SL_KEK_REVOKED);

    /* A kid of another key or vault is refused without asking. */
    snprintf(stale, sizeof stale, "%s/keys/other/%s", e.n.https, v);
    cr_expect_eq(unwrap(p, &w, stale, back, &d), SL_EINVAL);
    cr_expect(strstr(d.msg, "rewrap"), "%s", d.msg);
    cr_expect_eq(unwrap(p, &w, "https://elsewhere.example/keys/cmk/abc", back, &d), SL_EINVAL);
    sl_kek_provider_destroy(p);
    sl_buf_dispose(&w);
    env_down(&e);
}

Test(kek_vault, stopped_vault_is_transient_and_recovers)
{
    env_t e;
    vault_up(&e, NULL);
    char v[33];
    th_kv_create(&e.n, "cmk", "{\"kty\":\"oct\"}", v);
    file_tokens(&e, e.n.token);
    e.p = provider(&e, "cmk", "");
    uint8_t aek[32], back[32];
    char kid[256], listen[64];
    sl_buf_t w = SL_BUF_INIT;
    wrap(e.p, aek, &w, kid);
    snprintf(listen, sizeof listen, "%s", e.n.https + strlen("https://"));
    cr_assert_eq(th_node_stop(&e.n), 0);
    e.n.pid = 0;
    sl_diag_t d;
    int rc = unwrap(e.p, &w, kid, back, &d);
    cr_expect_eq(rc, SL_ETRANSIENT, "%s", d.msg);
    cr_expect_eq(e.p->classify(e.p->ctx, rc), SL_KEK_TRANSIENT);
    cr_expect(strstr(d.msg, "cannot connect"), "%s", d.msg);

    /* The vault comes back on the same address: the same provider recovers. */
    const char *again[] = { "--listen", listen, NULL };
    cr_assert_eq(th_vault_start(&e.n, again), 0);
    expect_round_trip(e.p, &w, kid, aek);
    sl_buf_dispose(&w);
    env_down(&e);
}

Test(kek_vault, silent_listener_times_out_as_transient)
{
    /* Accepts connections (the kernel does, into the backlog) and never answers. */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(s, 16), 0);
    socklen_t al = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &al);
    char uri[64];
    snprintf(uri, sizeof uri, "https://127.0.0.1:%d", ntohs(a.sin_port));
    env_t e;
    memset(&e, 0, sizeof e);
    th_node_init(&e.n);
    file_tokens(&e, "svt1.unused.unused");
    e.n.cacert[0] = '\0'; /* no vault, no certificate: the system store will do */
    e.p = provider_at(&e, uri, "cmk", "", 700);
    uint8_t wrapped[40] = { 0 }, back[32];
    sl_diag_t d;
    int rc = e.p->unwrap(e.p->ctx, wrapped, sizeof wrapped, "0123456789abcdef", back, &d);
    cr_expect_eq(rc, SL_ETIMEOUT, "%s", d.msg);
    cr_expect_eq(e.p->classify(e.p->ctx, rc), SL_KEK_TRANSIENT);
    cr_expect(strstr(d.msg, "timed out after 700 ms"), "%s", d.msg);
    close(s);
    env_down(&e);
}

Test(kek_vault, unresolvable_vault_is_transient)
{
    env_t e;
    memset(&e, 0, sizeof e);
    th_node_init(&e.n);
    file_tokens(&e, "svt1.unused.unused");
    e.n.cacert[0] = '\0';
    /* .invalid never resolves (RFC 2606). */
    e.p = provider_at(&e, "https://kv.vault.invalid", "cmk", "", 3000);
    sl_kv_key_info_t info;
    sl_diag_t d;
    int rc = sl_kek_vault_key_info(e.p, NULL, &info, &d);
    cr_expect(rc == SL_ETRANSIENT || rc == SL_ETIMEOUT, "%s", d.msg);
    cr_expect_eq(e.p->classify(e.p->ctx, rc), SL_KEK_TRANSIENT);
    cr_expect(rc != SL_ETRANSIENT || strstr(d.msg, "DNS: "), "%s", d.msg);
    env_down(&e);
}

Test(kek_vault, token_refused_after_a_fresh_read_is_revoked)
{
    env_t e;
    vault_up(&e, NULL);
    char v[33];
    th_kv_create(&e.n, "cmk", "{\"kty\":\"RSA\"}", v);
    file_tokens(&e, "svt1.0000000000000000.bm90LWEtdG9rZW4");
    e.p = provider(&e, "cmk", "");
    uint8_t aek[32] = { 2 };
    char kid[256];
    sl_buf_t w = SL_BUF_INIT;
    sl_diag_t d;
    int rc = e.p->wrap(e.p->ctx, aek, &w, kid, &d);
    cr_expect_eq(rc, SL_EAUTH, "%s", d.msg);
    cr_expect_eq(e.p->classify(e.p->ctx, rc), SL_KEK_REVOKED);
    cr_expect(strstr(d.msg, "HTTP 401") && strstr(d.msg, "fresh token"), "%s", d.msg);
    cr_expect(!strstr(d.msg, "bm90LWEtdG9rZW4"), "the token is never quoted: %s", d.msg);

    /* The operator fixes the file: the next call reads it. */
    write_token_file(&e, e.n.token);
    wrap(e.p, aek, &w, kid);

    /* A token without unwrapKey permission: 403, revoked. */
    char weak[160];
    th_vault_token(&e.n, "{\"permissions\":\"get,wrapKey\"}", weak);
    write_token_file(&e, weak);
    uint8_t back[32];
    rc = unwrap(e.p, &w, kid, back, &d);
    cr_expect_eq(rc, SL_EFORBIDDEN, "%s", d.msg);
    cr_expect_eq(e.p->classify(e.p->ctx, rc), SL_KEK_REVOKED);
    cr_expect(strstr(d.msg, "ForbiddenByPolicy"), "%s", d.msg);
    sl_buf_dispose(&w);
    env_down(&e);
}

Test(kek_vault, client_credentials_from_the_vault_token_url)
{
    env_t e;
    vault_up(&e, NULL);
    char v[33], url[300];
    th_kv_create(&e.n, "cmk", "{\"kty\":\"RSA\"}", v);
    th_resp_t r;
    th_kv(&e.n, e.n.token, "POST", "/admin/tokens",
          "{\"client\":true,\"permissions\":\"get,wrapKey,unwrapKey\",\"name\":\"node\"}", &r);
    cr_assert_eq(r.status, 200, "%s", r.body.data);
    char cid[64], secret[96];
    cr_assert(th_json_str(&r.body, "client_id", cid, sizeof cid));
    cr_assert(th_json_str(&r.body, "client_secret", secret, sizeof secret));
    th_resp_dispose(&r);
    /* The banner's "token url:" is {authority}/{tenant}/oauth2/v2.0/token. */
    cr_assert(th_vault_banner(&e.n, "token url:", url, sizeof url));
    char *tenant = url + strlen(e.n.https) + 1;
    *strchr(tenant, '/') = '\0';
    sl_token_client_config_t cc = {
        .authority = e.n.https,
        .tenant = tenant,
        .client_id = cid,
        .client_secret = secret,
        .ca_file = e.n.cacert,
    };
    sl_diag_t d;
    cr_assert_eq(sl_token_client_create(&cc, &e.tokens, &d), 0, "%s", d.msg);
    e.p = provider(&e, "cmk", "");
    uint8_t aek[32];
    char kid[256];
    sl_buf_t w = SL_BUF_INIT;
    wrap(e.p, aek, &w, kid);
    expect_round_trip(e.p, &w, kid, aek);
    sl_buf_t desc = SL_BUF_INIT;
    sl_token_describe(e.tokens, &desc);
    cr_expect(strstr(desc.data, cid) && !strstr(desc.data, secret), "%s", desc.data);
    sl_buf_dispose(&desc);

    /* A wrong secret: the endpoint refuses the identity, which revokes. */
    sl_token_source_t *bad;
    cc.client_secret = "not-the-secret";
    cr_assert_eq(sl_token_client_create(&cc, &bad, &d), 0);
    sl_kv_config_t kc = {
        .vault_uri = e.n.https,
        .key_name = "cmk",
        .ca_file = e.n.cacert,
        .tokens = bad,
        .disable_challenge_resource_verification = true,
    };
    sl_kek_provider_t *p;
    cr_assert_eq(sl_kek_vault_create(&kc, &p, &d), 0);
    uint8_t back[32];
    int rc = unwrap(p, &w, kid, back, &d);
    cr_expect_eq(rc, SL_EAUTH, "%s", d.msg);
    cr_expect_eq(p->classify(p->ctx, rc), SL_KEK_REVOKED);
    cr_expect(strstr(d.msg, "invalid_client") && !strstr(d.msg, "not-the-secret"), "%s", d.msg);
    sl_kek_provider_destroy(p);
    sl_token_source_destroy(bad);
    sl_buf_dispose(&w);
    env_down(&e);
}

static sl_token_source_t *mi_tokens(const char *base, const char *ca)
{
    char ep[300];
    snprintf(ep, sizeof ep, "%s/metadata/identity/oauth2/token", base);
    sl_token_mi_config_t mc = { .kind = SL_TOKEN_MI_IMDS, .endpoint = ep, .ca_file = ca };
    sl_token_source_t *t;
    sl_diag_t d;
    cr_assert_eq(sl_token_mi_create(&mc, &t, &d), 0, "%s", d.msg);
    return t;
}

Test(kek_vault, managed_identity_in_the_imds_shape)
{
    env_t e;
    const char *extra[] = { "--managed-identity-permissions", "get,wrapKey,unwrapKey",
                            "--http-listen", "127.0.0.1:0", NULL };
    vault_up(&e, extra);
    char v[33];
    th_kv_create(&e.n, "cmk", "{\"kty\":\"RSA\"}", v);
    /* IMDS itself is plain http; the vault's http listener plays it here. */
    cr_assert(e.n.http[0]);
    e.tokens = mi_tokens(e.n.http, NULL);
    e.p = provider(&e, "cmk", "");
    uint8_t aek[32];
    char kid[256];
    sl_buf_t w = SL_BUF_INIT;
    wrap(e.p, aek, &w, kid);
    expect_round_trip(e.p, &w, kid, aek);
    sl_diag_t d;
    cr_expect_eq(sl_kek_vault_check(e.p, NULL, &d), 0, "%s", d.msg);
    sl_buf_dispose(&w);
    env_down(&e);

    /* A vault host without the identity ("identity type None"): revoked. */
    vault_up(&e, NULL);
    th_kv_create(&e.n, "cmk", "{\"kty\":\"RSA\"}", v);
    e.tokens = mi_tokens(e.n.https, e.n.cacert);
    e.p = provider(&e, "cmk", "");
    uint8_t back[32] = { 0 };
    sl_buf_t fake = SL_BUF_INIT;
    sl_buf_append(&fake, back, 32);
    sl_buf_append(&fake, back, 8);
    int rc = unwrap(e.p, &fake, "0123456789abcdef0123456789abcdef", back, &d);
    cr_expect_eq(rc, SL_EAUTH, "%s", d.msg);
    cr_expect_eq(e.p->classify(e.p->ctx, rc), SL_KEK_REVOKED);
    cr_expect(strstr(d.msg, "Identity not found"), "%s", d.msg);
    sl_buf_dispose(&fake);
    env_down(&e);
}

/* Finds the free port the kernel hands out now (the vault binds it next). */
static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    bind(s, (struct sockaddr *)&a, sizeof a);
    socklen_t al = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &al);
    close(s);
    return ntohs(a.sin_port);
}

Test(kek_vault, challenge_resource_is_verified_like_the_sdks)
{
    env_t e;
    vault_up(&e, NULL);
    char v[33];
    th_kv_create(&e.n, "cmk", "{\"kty\":\"RSA\"}", v);
    file_tokens(&e, e.n.token);
    /* 127.0.0.1 is not a sub-domain of vault.azure.net: refused unless disabled. */
    sl_kv_config_t c = {
        .vault_uri = e.n.https,
        .key_name = "cmk",
        .ca_file = e.n.cacert,
        .tokens = e.tokens,
    };
    sl_diag_t d;
    cr_assert_eq(sl_kek_vault_create(&c, &e.p, &d), 0);
    sl_kv_key_info_t info;
    int rc = sl_kek_vault_key_info(e.p, NULL, &info, &d);
    cr_expect_eq(rc, SL_ECONFIG, "%s", d.msg);
    cr_expect(strstr(d.msg, "The challenge resource 'vault.azure.net' does not match the "
                            "requested domain"),
              "%s", d.msg);
    cr_expect_eq(e.p->classify(e.p->ctx, rc), SL_KEK_TRANSIENT, "an operator's problem");
    env_down(&e);

    /* A vault named under its resource's domain passes: kv.localhost under
     * http://localhost (plain http, since the certificate only names localhost). */
    int port = free_port();
    char listen[64], pub[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    snprintf(pub, sizeof pub, "http://kv.localhost:%d", port);
    const char *extra[] = { "--http-listen", listen, "--public-url", pub,
                            "--resource", "http://localhost", NULL };
    vault_up(&e, extra);
    th_kv_create(&e.n, "cmk", "{\"kty\":\"oct\"}", v);
    file_tokens(&e, e.n.token);
    c.vault_uri = pub;
    c.tokens = e.tokens;
    cr_assert_eq(sl_kek_vault_create(&c, &e.p, &d), 0, "%s", d.msg);
    uint8_t aek[32];
    char kid[256];
    sl_buf_t w = SL_BUF_INIT;
    wrap(e.p, aek, &w, kid);
    cr_expect(!strncmp(kid, pub, strlen(pub)), "%s", kid);
    expect_round_trip(e.p, &w, kid, aek);
    sl_buf_dispose(&w);
    env_down(&e);
}

Test(kek_vault, the_first_request_carries_no_token)
{
    env_t e;
    vault_up(&e, NULL);
    char v[33];
    th_kv_create(&e.n, "cmk", "{\"kty\":\"oct\"}", v);
    file_tokens(&e, e.n.token);
    e.p = provider(&e, "cmk", "");
    uint8_t aek[32];
    char kid[256];
    sl_buf_t w = SL_BUF_INIT, log = SL_BUF_INIT;
    wrap(e.p, aek, &w, kid);
    expect_round_trip(e.p, &w, kid, aek);
    usleep(200000); /* let the vault's log line land */
    th_slurp(e.n.log_path, &log);
    /* The vault logs: the probe (401, no caller), then get, wrap, unwrap with a token. */
    const char *probe = strstr(log.data, "GET /keys/cmk 401");
    cr_assert_not_null(probe, "%s", log.data);
    cr_expect(strstr(probe, "caller=-"), "%s", log.data);
    const char *get = strstr(probe + 1, "GET /keys/cmk 200");
    cr_assert_not_null(get, "%s", log.data);
    cr_expect(strstr(get, "/wrapkey 200") && strstr(get, "/unwrapkey 200"), "%s", log.data);
    cr_expect(!strstr(get, " 401 "), "one challenge per provider: %s", log.data);
    sl_buf_dispose(&log);
    sl_buf_dispose(&w);
    env_down(&e);
}

typedef struct race {
    sl_kek_provider_t *p;
    const sl_buf_t *w;
    const char *kid;
    const uint8_t *aek;
    int failures;
} race_t;

static void *race_main(void *arg)
{
    race_t *r = arg;
    for (int i = 0; i < 15; i++) {
        uint8_t back[32];
        sl_diag_t d;
        if (unwrap(r->p, r->w, r->kid, back, &d) || memcmp(back, r->aek, 32)) {
            r->failures++;
        }
    }
    return NULL;
}

Test(kek_vault, concurrent_unwraps_from_several_threads)
{
    env_t e;
    vault_up(&e, NULL);
    char v[33];
    th_kv_create(&e.n, "cmk", "{\"kty\":\"oct\"}", v);
    file_tokens(&e, e.n.token);
    e.p = provider(&e, "cmk", "");
    uint8_t aek[32];
    char kid[256];
    sl_buf_t w = SL_BUF_INIT;
    wrap(e.p, aek, &w, kid);
    pthread_t t[6];
    race_t r[6];
    for (int i = 0; i < 6; i++) {
        r[i] = (race_t){ e.p, &w, kid, aek, 0 };
        pthread_create(&t[i], NULL, race_main, &r[i]);
    }
    for (int i = 0; i < 6; i++) {
        pthread_join(t[i], NULL);
        cr_expect_eq(r[i].failures, 0, "thread %d", i);
    }
    sl_buf_dispose(&w);
    env_down(&e);
}

/* ------------------------------------------------------------------------ */
/* The configure-time check                                                 */
/* ------------------------------------------------------------------------ */

static int check(env_t *e, const char *key, sl_diag_t *d)
{
    sl_kek_provider_t *p = provider(e, key, "");
    int rc = sl_kek_vault_check(p, NULL, d);
    sl_kek_provider_destroy(p);
    return rc;
}

#define VALIDATE "Failed to validate key in Key Vault. Could be due to lack of permissions or " \
                 "when key doesn't exist."

Test(kek_vault, check_accepts_a_good_key_and_names_each_bad_one)
{
    env_t e;
    vault_up(&e, NULL);
    char v[33];
    th_kv_create(&e.n, "good", "{\"kty\":\"RSA\",\"key_ops\":[\"wrapKey\",\"unwrapKey\"]}", v);
    th_kv_create(&e.n, "nowrap", "{\"kty\":\"RSA\",\"key_ops\":[\"unwrapKey\",\"decrypt\"]}", v);
    th_kv_create(&e.n, "off", "{\"kty\":\"RSA\"}", v);
    patch_enabled(&e, "off", v, false);
    th_kv_create(&e.n, "old", "{\"kty\":\"oct\",\"attributes\":{\"exp\":1000000000}}", v);
    file_tokens(&e, e.n.token);
    sl_diag_t d;
    sl_kek_provider_t *p = provider(&e, "good", "");
    sl_kv_key_info_t info;
    cr_expect_eq(sl_kek_vault_check(p, &info, &d), 0, "%s", d.msg);
    cr_expect_str_eq(info.recovery_level, "Recoverable");
    sl_kek_provider_destroy(p);

    cr_expect_eq(check(&e, "nowrap", &d), SL_EINVAL);
    cr_expect(strstr(d.msg, VALIDATE) && strstr(d.msg, "does not permit wrapKey"), "%s", d.msg);
    cr_expect_eq(check(&e, "off", &d), SL_EINVAL);
    cr_expect(strstr(d.msg, VALIDATE) && strstr(d.msg, "KeyDisabled"), "%s", d.msg);
    cr_expect_eq(check(&e, "old", &d), SL_EINVAL);
    cr_expect(strstr(d.msg, VALIDATE) && strstr(d.msg, "expired at 2001-09-09T01:46:40Z"), "%s",
              d.msg);
    cr_expect_eq(check(&e, "missing", &d), SL_EINVAL);
    cr_expect(strstr(d.msg, VALIDATE) && strstr(d.msg, "KeyNotFound"), "%s", d.msg);

    /* Permissions a GET cannot show: a token that may read but not wrap. */
    char weak[160];
    th_vault_token(&e.n, "{\"permissions\":\"get,unwrapKey\"}", weak);
    write_token_file(&e, weak);
    cr_expect_eq(check(&e, "good", &d), SL_EINVAL);
    cr_expect(strstr(d.msg, VALIDATE) && strstr(d.msg, "wrapKey permission"), "%s", d.msg);
    env_down(&e);
}

Test(kek_vault, check_rejects_a_vault_without_soft_delete_or_purge_protection)
{
    env_t e;
    const char *nosoft[] = { "--soft-delete", "false", NULL };
    vault_up(&e, nosoft);
    char v[33];
    th_kv_create(&e.n, "cmk", "{\"kty\":\"RSA\"}", v);
    file_tokens(&e, e.n.token);
    sl_diag_t d;
    cr_expect_eq(check(&e, "cmk", &d), SL_EINVAL);
    cr_expect(strstr(d.msg, "Key isn't recoverable. Key Vault must be set to Soft-delete and "
                            "Purge-protection.") &&
                  strstr(d.msg, "'Purgeable'"),
              "%s", d.msg);
    env_down(&e);

    const char *nopurge[] = { "--purge-protection", "false", NULL };
    vault_up(&e, nopurge);
    th_kv_create(&e.n, "cmk", "{\"kty\":\"RSA\"}", v);
    file_tokens(&e, e.n.token);
    cr_expect_eq(check(&e, "cmk", &d), SL_EINVAL);
    cr_expect(strstr(d.msg, "Key isn't recoverable") && strstr(d.msg, "Recoverable+Purgeable"),
              "%s", d.msg);
    env_down(&e);
}

Test(kek_vault, configuration_errors_are_refused_up_front)
{
    sl_token_source_t *t;
    sl_diag_t d;
    cr_assert_eq(sl_token_file_create("/nonexistent/token", &t, &d), 0);
    sl_kv_config_t c = { .vault_uri = "https://v.vault.azure.net", .key_name = "cmk", .tokens = t };
    sl_kek_provider_t *p = NULL;
    cr_expect_eq(sl_kek_vault_create(&c, &p, &d), 0, "%s", d.msg);
    sl_kek_provider_destroy(p);
    const char *bad_uri[] = { "http://v.vault.azure.net", "https://v.vault.azure.net/keys",
                              "ftp://v", "https://v?x=1", "" };
    for (size_t i = 0; i < SL_ARRAY_SIZE(bad_uri); i++) {
        c.vault_uri = bad_uri[i];
        cr_expect_eq(sl_kek_vault_create(&c, &p, &d), SL_EINVAL, "%s", bad_uri[i]);
    }
    c.vault_uri = "https://v.vault.azure.net/";
    c.key_name = "a/b";
    cr_expect_eq(sl_kek_vault_create(&c, &p, &d), SL_EINVAL);
    c.key_name = "cmk";
    c.key_version = "../x";
    cr_expect_eq(sl_kek_vault_create(&c, &p, &d), SL_EINVAL);
    c.key_version = NULL;
    c.tokens = NULL;
    cr_expect_eq(sl_kek_vault_create(&c, &p, &d), SL_EINVAL);
    sl_kv_key_info_t info;
    sl_kek_provider_t *local = NULL;
    sl_key_t *k;
    cr_assert_eq(sl_key_create_random(&k), 0);
    local = sl_kek_local_create(k);
    cr_expect_eq(sl_kek_vault_key_info(local, NULL, &info, &d), SL_EINVAL,
                 "not a vault provider");
    sl_kek_provider_destroy(local);
    sl_key_destroy(k);
    sl_token_source_destroy(t);
}
