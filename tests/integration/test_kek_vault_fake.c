/*
 * The vault client against a scripted HTTP server on loopback, for what a
 * real sealog-vault will not do on demand: exact request sequences of the
 * challenge flow, throttling and server errors, redirects, oversized and
 * malformed answers, a second 401, and the App Service and IMDS identity
 * endpoints' own shapes and failures.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "vault_harness.h"

TestSuite(kek_vault_fake, .timeout = 60);

/* ------------------------------------------------------------------------ */
/* A scripted server: answers the i-th request with the i-th response       */
/* ------------------------------------------------------------------------ */

typedef struct seen {
    char method[8];
    char target[600];
    char auth[200];
    char identity[100];
    bool metadata;
    size_t body_len;
    char body[2048];
} seen_t;

typedef struct fake {
    int fd;
    int port;
    char base[64];
    pthread_t thread;
    pthread_mutex_t mu;
    char *resp[16];
    int nresp;
    int next;
    seen_t req[16];
    int nreq;
    volatile int stop;
} fake_t;

static void header(const char *head, const char *name, char *out, size_t size)
{
    out[0] = '\0';
    size_t n = strlen(name);
    for (const char *l = strstr(head, "\r\n"); l; l = strstr(l + 2, "\r\n")) {
        if (!strncasecmp(l + 2, name, n) && l[2 + n] == ':') {
            const char *v = l + 3 + n;
            while (*v == ' ') {
                v++;
            }
            snprintf(out, size, "%.*s", (int)strcspn(v, "\r"), v);
            return;
        }
    }
}

static void serve_one(fake_t *f, int c)
{
    char buf[200000];
    size_t n = 0;
    char *end = NULL;
    while (!end && n < sizeof buf - 1) {
        ssize_t r = read(c, buf + n, sizeof buf - 1 - n);
        if (r <= 0) {
            return;
        }
        n += (size_t)r;
        buf[n] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    if (!end) {
        return;
    }
    char cl[32];
    *end = '\0';
    header(buf, "Content-Length", cl, sizeof cl);
    size_t want = (size_t)atol(cl), have = n - (size_t)(end + 4 - buf);
    while (have < want && n < sizeof buf - 1) {
        ssize_t r = read(c, buf + n, sizeof buf - 1 - n);
        if (r <= 0) {
            break;
        }
        n += (size_t)r;
        have += (size_t)r;
    }
    pthread_mutex_lock(&f->mu);
    seen_t *s = &f->req[f->nreq < 16 ? f->nreq : 15];
    memset(s, 0, sizeof *s);
    sscanf(buf, "%7s %599s", s->method, s->target);
    header(buf, "Authorization", s->auth, sizeof s->auth);
    header(buf, "X-IDENTITY-HEADER", s->identity, sizeof s->identity);
    char md[16];
    header(buf, "Metadata", md, sizeof md);
    s->metadata = !strcmp(md, "true");
    s->body_len = want;
    snprintf(s->body, sizeof s->body, "%.*s", (int)SL_MIN(want, sizeof s->body - 1), end + 4);
    f->nreq++;
    const char *resp = f->resp[f->next < f->nresp ? f->next : f->nresp - 1];
    f->next++;
    pthread_mutex_unlock(&f->mu);
    size_t off = 0, len = strlen(resp);
    while (off < len) {
        ssize_t w = write(c, resp + off, len - off);
        if (w <= 0) {
            break;
        }
        off += (size_t)w;
    }
}

static void *fake_main(void *arg)
{
    fake_t *f = arg;
    while (!f->stop) {
        struct pollfd p = { f->fd, POLLIN, 0 };
        if (poll(&p, 1, 50) <= 0) {
            continue;
        }
        int c = accept(f->fd, NULL, NULL);
        if (c < 0) {
            continue;
        }
        serve_one(f, c);
        shutdown(c, SHUT_WR);
        close(c);
    }
    return NULL;
}

static void fake_start(fake_t *f)
{
    memset(f, 0, sizeof *f);
    f->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    cr_assert_eq(bind(f->fd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(f->fd, 16), 0);
    socklen_t al = sizeof a;
    getsockname(f->fd, (struct sockaddr *)&a, &al);
    f->port = ntohs(a.sin_port);
    snprintf(f->base, sizeof f->base, "http://127.0.0.1:%d", f->port);
    pthread_mutex_init(&f->mu, NULL);
    pthread_create(&f->thread, NULL, fake_main, f);
}

/* Queues a response: status line, extra header lines ("" for none), body. */
static void fake_add(fake_t *f, const char *status, const char *headers, const char *body)
{
    cr_assert_lt(f->nresp, 16);
    f->resp[f->nresp++] = sl_xasprintf("HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
                                       "Content-Length: %zu\r\nConnection: close\r\n%s\r\n%s",
                                       status, strlen(body), headers, body);
}

/* Queues a response delimited by the connection's close (no Content-Length). */
static void fake_add_unsized(fake_t *f, const char *body)
{
    cr_assert_lt(f->nresp, 16);
    f->resp[f->nresp++] = sl_xasprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                       "Connection: close\r\n\r\n%s",
                                       body);
}

static void fake_stop(fake_t *f)
{
    f->stop = 1;
    pthread_join(f->thread, NULL);
    close(f->fd);
    for (int i = 0; i < f->nresp; i++) {
        sl_free(f->resp[i]);
    }
}

#define CHALLENGE                                                                               \
    "WWW-Authenticate: Bearer authorization=\"https://login.example/tenant-1\", "            \
    "resource=\"https://vault.azure.net\"\r\n"
#define UNAUTHORIZED                                                                            \
    "{\"error\":{\"code\":\"Unauthorized\",\"message\":\"Request is missing a Bearer or PoP "   \
    "token.\"}}"
#define VERSION "0123456789abcdef0123456789abcdef"

static char token_path[128];

static sl_token_source_t *file_tokens(const char *token)
{
    snprintf(token_path, sizeof token_path, "/tmp/sl-kvfake-%d.token", (int)getpid());
    FILE *fp = fopen(token_path, "w");
    fprintf(fp, "%s\n", token);
    fclose(fp);
    sl_token_source_t *t;
    sl_diag_t d;
    cr_assert_eq(sl_token_file_create(token_path, &t, &d), 0);
    return t;
}

static sl_kek_provider_t *provider(const fake_t *f, sl_token_source_t *t)
{
    sl_kv_config_t c = {
        .vault_uri = f->base,
        .key_name = "cmk",
        .tokens = t,
        .timeout_ms = 5000,
        .disable_challenge_resource_verification = true,
    };
    sl_kek_provider_t *p;
    sl_diag_t d;
    cr_assert_eq(sl_kek_vault_create(&c, &p, &d), 0, "%s", d.msg);
    return p;
}

/* An unwrapkey answer carrying `n` bytes of 0x5A. */
static char *unwrap_answer(const fake_t *f, size_t n)
{
    uint8_t raw[64];
    memset(raw, 0x5A, sizeof raw);
    char b64[100];
    b64[sl_base64url_encode(raw, n, b64)] = '\0';
    return sl_xasprintf("{\"kid\":\"%s/keys/cmk/" VERSION "\",\"value\":\"%s\"}", f->base, b64);
}

static int unwrap(sl_kek_provider_t *p, uint8_t out[32], sl_diag_t *d)
{
    uint8_t wrapped[256];
    memset(wrapped, 7, sizeof wrapped);
    return p->unwrap(p->ctx, wrapped, sizeof wrapped, VERSION, out, d);
}

/* ------------------------------------------------------------------------ */

Test(kek_vault_fake, challenge_then_token_then_the_remembered_scope)
{
    fake_t f;
    fake_start(&f);
    char *ok = unwrap_answer(&f, 32);
    fake_add(&f, "401 Unauthorized", CHALLENGE, UNAUTHORIZED);
    fake_add(&f, "200 OK", "", ok);
    sl_token_source_t *t = file_tokens("tok-from-file");
    sl_kek_provider_t *p = provider(&f, t);
    uint8_t aek[32], want[32];
    memset(want, 0x5A, 32);
    sl_diag_t d;
    cr_assert_eq(unwrap(p, aek, &d), 0, "%s", d.msg);
    cr_expect(!memcmp(aek, want, 32));
    cr_assert_eq(unwrap(p, aek, &d), 0, "%s", d.msg);
    cr_assert_eq(f.nreq, 3, "probe, request, request: one challenge per provider");
    cr_expect_str_eq(f.req[0].method, "POST");
    cr_expect_str_eq(f.req[0].target, "/keys/cmk/" VERSION "/unwrapkey?api-version=7.4");
    cr_expect_str_eq(f.req[0].auth, "", "the probe has no token");
    cr_expect_eq(f.req[0].body_len, 0, "and no body");
    cr_expect_str_eq(f.req[1].auth, "Bearer tok-from-file");
    cr_expect(strstr(f.req[1].body, "\"alg\":\"RSA-OAEP-256\""), "%s", f.req[1].body);
    cr_expect_str_eq(f.req[2].auth, "Bearer tok-from-file");
    sl_buf_t desc = SL_BUF_INIT;
    p->describe(p->ctx, &desc);
    cr_expect(strstr(desc.data, f.base), "%s", desc.data);
    sl_buf_dispose(&desc);
    sl_kek_provider_destroy(p);
    sl_token_source_destroy(t);
    sl_free(ok);
    fake_stop(&f);
}

Test(kek_vault_fake, throttling_and_server_errors_are_transient)
{
    fake_t f;
    fake_start(&f);
    fake_add(&f, "401 Unauthorized", CHALLENGE, UNAUTHORIZED);
    fake_add(&f, "429 Too Many Requests", "Retry-After: 7\r\n",
             "{\"error\":{\"code\":\"Throttled\",\"message\":\"Rate limit exceeded.\"}}");
    fake_add(&f, "503 Service Unavailable", "", "{\"error\":{\"code\":\"ServiceUnavailable\"}}");
    fake_add(&f, "500 Internal Server Error", "", "oops");
    sl_token_source_t *t = file_tokens("tok");
    sl_kek_provider_t *p = provider(&f, t);
    uint8_t aek[32];
    sl_diag_t d;
    int rc = unwrap(p, aek, &d);
    cr_expect_eq(rc, SL_EBUSY, "%s", d.msg);
    cr_expect_eq(p->classify(p->ctx, rc), SL_KEK_TRANSIENT);
    cr_expect(strstr(d.msg, "HTTP 429 Throttled: Rate limit exceeded. (Retry-After 7 s)"), "%s",
              d.msg);
    rc = unwrap(p, aek, &d);
    cr_expect_eq(rc, SL_ETRANSIENT, "%s", d.msg);
    cr_expect_eq(p->classify(p->ctx, rc), SL_KEK_TRANSIENT);
    cr_expect(strstr(d.msg, "HTTP 503 ServiceUnavailable"), "%s", d.msg);
    rc = unwrap(p, aek, &d);
    cr_expect_eq(rc, SL_ETRANSIENT, "%s", d.msg);
    cr_expect(strstr(d.msg, "HTTP 500 -: (no message)"), "%s", d.msg);
    sl_kek_provider_destroy(p);
    sl_token_source_destroy(t);
    fake_stop(&f);
}

Test(kek_vault_fake, a_second_401_with_a_fresh_token_is_revoked)
{
    fake_t f;
    fake_start(&f);
    fake_add(&f, "401 Unauthorized", CHALLENGE, UNAUTHORIZED);
    fake_add(&f, "401 Unauthorized", CHALLENGE,
             "{\"error\":{\"code\":\"Unauthorized\",\"message\":\"AKV10032: Invalid issuer.\"}}");
    sl_token_source_t *t = file_tokens("tok");
    sl_kek_provider_t *p = provider(&f, t);
    uint8_t aek[32];
    sl_diag_t d;
    int rc = unwrap(p, aek, &d);
    cr_expect_eq(rc, SL_EAUTH, "%s", d.msg);
    cr_expect_eq(p->classify(p->ctx, rc), SL_KEK_REVOKED);
    cr_expect(strstr(d.msg, "AKV10032: Invalid issuer."), "%s", d.msg);
    cr_expect_eq(f.nreq, 3, "probe, token, fresh token; no more");
    cr_expect_str_eq(f.req[2].auth, "Bearer tok");
    sl_kek_provider_destroy(p);
    sl_token_source_destroy(t);
    fake_stop(&f);
}

Test(kek_vault_fake, a_401_without_a_challenge_is_refused)
{
    fake_t f;
    fake_start(&f);
    fake_add(&f, "401 Unauthorized", "WWW-Authenticate: Basic realm=\"x\"\r\n", UNAUTHORIZED);
    sl_token_source_t *t = file_tokens("tok");
    sl_kek_provider_t *p = provider(&f, t);
    uint8_t aek[32];
    sl_diag_t d;
    cr_expect_eq(unwrap(p, aek, &d), SL_EAUTH, "%s", d.msg);
    cr_expect(strstr(d.msg, "without a usable Bearer challenge"), "%s", d.msg);
    cr_expect_eq(f.nreq, 1);
    sl_kek_provider_destroy(p);
    sl_token_source_destroy(t);
    fake_stop(&f);
}

Test(kek_vault_fake, redirects_are_not_followed)
{
    fake_t f;
    fake_start(&f);
    fake_add(&f, "401 Unauthorized", CHALLENGE, UNAUTHORIZED);
    fake_add(&f, "307 Temporary Redirect", "Location: https://attacker.example/steal\r\n", "");
    sl_token_source_t *t = file_tokens("tok");
    sl_kek_provider_t *p = provider(&f, t);
    uint8_t aek[32];
    sl_diag_t d;
    int rc = unwrap(p, aek, &d);
    cr_expect_eq(rc, SL_ETRANSIENT, "%s", d.msg);
    cr_expect(strstr(d.msg, "redirect to 'https://attacker.example/steal' (not followed)"), "%s",
              d.msg);
    cr_expect_eq(f.nreq, 2);
    sl_kek_provider_destroy(p);
    sl_token_source_destroy(t);
    fake_stop(&f);
}

Test(kek_vault_fake, oversized_and_malformed_answers)
{
    fake_t f;
    fake_start(&f);
    char *big = sl_xmalloc(100001);
    memset(big, ' ', 100000);
    big[0] = '{';
    big[99999] = '}';
    big[100000] = '\0';
    char *short_key = unwrap_answer(&f, 16);
    fake_add(&f, "401 Unauthorized", CHALLENGE, UNAUTHORIZED);
    fake_add(&f, "200 OK", "", big);
    fake_add_unsized(&f, big);
    fake_add(&f, "200 OK", "", "<html>captive portal</html>");
    fake_add(&f, "200 OK", "", short_key);
    sl_token_source_t *t = file_tokens("tok");
    sl_kek_provider_t *p = provider(&f, t);
    uint8_t aek[32];
    sl_diag_t d;
    int rc = unwrap(p, aek, &d);
    cr_expect_eq(rc, SL_ELIMIT, "%s", d.msg);
    cr_expect_eq(p->classify(p->ctx, rc), SL_KEK_TRANSIENT);
    rc = unwrap(p, aek, &d);
    cr_expect_eq(rc, SL_ELIMIT, "without a Content-Length too: %s", d.msg);
    cr_expect(strstr(d.msg, "larger than 65536 bytes"), "%s", d.msg);
    rc = unwrap(p, aek, &d);
    cr_expect_eq(rc, SL_EPARSE, "not Key Vault's answer: %s", d.msg);
    cr_expect_eq(p->classify(p->ctx, rc), SL_KEK_TRANSIENT);
    rc = unwrap(p, aek, &d);
    cr_expect_eq(rc, SL_EINTEGRITY, "a 16-byte result: %s", d.msg);
    cr_expect_eq(p->classify(p->ctx, rc), SL_KEK_REVOKED);
    sl_kek_provider_destroy(p);
    sl_token_source_destroy(t);
    sl_free(big);
    sl_free(short_key);
    fake_stop(&f);
}

Test(kek_vault_fake, a_vault_that_wants_no_token_gets_none)
{
    fake_t f;
    fake_start(&f);
    char *bundle = sl_xasprintf("{\"key\":{\"kid\":\"%s/keys/cmk/" VERSION "\",\"kty\":\"oct\"},"
                                "\"attributes\":{\"enabled\":true,\"recoveryLevel\":"
                                "\"Recoverable\"}}",
                                f.base);
    fake_add(&f, "200 OK", "", bundle);
    sl_token_source_t *t = file_tokens("tok");
    sl_kek_provider_t *p = provider(&f, t);
    sl_kv_key_info_t info;
    sl_diag_t d;
    cr_assert_eq(sl_kek_vault_key_info(p, NULL, &info, &d), 0, "%s", d.msg);
    cr_expect_str_eq(info.version, VERSION);
    cr_expect_eq(f.nreq, 1, "the probe's answer is the answer");
    cr_expect_str_eq(f.req[0].target, "/keys/cmk/?api-version=7.4");
    cr_expect_str_eq(f.req[0].auth, "");
    sl_kek_provider_destroy(p);
    sl_token_source_destroy(t);
    sl_free(bundle);
    fake_stop(&f);
}

Test(kek_vault_fake, app_service_identity_shape)
{
    fake_t f;
    fake_start(&f);
    char *tok = sl_xasprintf("{\"access_token\":\"as-token\",\"expires_on\":\"%lld\","
                             "\"resource\":\"https://vault.azure.net\",\"token_type\":\"Bearer\","
                             "\"client_id\":\"cid\"}",
                             (long long)time(NULL) + 3600);
    fake_add(&f, "200 OK", "", tok);
    char ep[128];
    snprintf(ep, sizeof ep, "%s/msi/token", f.base);
    sl_token_mi_config_t mc = {
        .kind = SL_TOKEN_MI_APP_SERVICE,
        .endpoint = ep,
        .identity_header = "853b9a84-5bfa-4b22-a3f3-0b9a43d9ad8a",
        .client_id = "cid",
    };
    sl_token_source_t *t;
    sl_diag_t d;
    cr_assert_eq(sl_token_mi_create(&mc, &t, &d), 0, "%s", d.msg);
    char out[128];
    cr_assert_eq(sl_token_get(t, "https://vault.azure.net/.default", out, sizeof out, &d), 0,
                 "%s", d.msg);
    cr_expect_str_eq(out, "as-token");
    cr_assert_eq(sl_token_get(t, "https://vault.azure.net/.default", out, sizeof out, &d), 0);
    cr_expect_eq(f.nreq, 1, "cached until shortly before expires_on");
    cr_expect_str_eq(f.req[0].method, "GET");
    cr_expect_str_eq(f.req[0].target, "/msi/token?api-version=2019-08-01&resource=https%3A%2F%2F"
                                      "vault.azure.net&client_id=cid");
    cr_expect_str_eq(f.req[0].identity, "853b9a84-5bfa-4b22-a3f3-0b9a43d9ad8a");
    sl_token_source_destroy(t);
    mc.identity_header = NULL;
    cr_expect_eq(sl_token_mi_create(&mc, &t, &d), SL_EINVAL);
    mc.identity_header = "a\r\nX-Evil: 1";
    cr_expect_eq(sl_token_mi_create(&mc, &t, &d), SL_EINVAL);
    sl_free(tok);
    fake_stop(&f);
}

Test(kek_vault_fake, imds_shape_and_its_failures)
{
    fake_t f;
    fake_start(&f);
    fake_add(&f, "410 Gone", "", "");
    fake_add(&f, "400 Bad Request", "",
             "{\"error\":\"invalid_request\",\"error_description\":\"Identity not found\"}");
    fake_add(&f, "500 Internal Server Error", "", "");
    char ep[128];
    snprintf(ep, sizeof ep, "%s/metadata/identity/oauth2/token", f.base);
    sl_token_mi_config_t mc = { .kind = SL_TOKEN_MI_IMDS, .endpoint = ep };
    sl_token_source_t *t;
    sl_diag_t d;
    cr_assert_eq(sl_token_mi_create(&mc, &t, &d), 0, "%s", d.msg);
    char out[128];
    cr_expect_eq(sl_token_get(t, "https://vault.azure.net", out, sizeof out, &d), SL_ETRANSIENT,
                 "%s", d.msg);
    cr_expect_eq(sl_token_get(t, "https://vault.azure.net", out, sizeof out, &d), SL_EAUTH, "%s",
                 d.msg);
    cr_expect(strstr(d.msg, "HTTP 400 invalid_request: Identity not found"), "%s", d.msg);
    cr_expect_eq(sl_token_get(t, "https://vault.azure.net", out, sizeof out, &d), SL_ETRANSIENT,
                 "%s", d.msg);
    cr_expect(f.req[0].metadata, "Metadata: true");
    cr_expect_str_eq(f.req[0].target, "/metadata/identity/oauth2/token?api-version=2018-02-01&"
                                      "resource=https%3A%2F%2Fvault.azure.net");
    sl_token_source_destroy(t);
    fake_stop(&f);

    /* The default endpoint is IMDS's own address; plain http elsewhere is refused. */
    mc.endpoint = NULL;
    cr_assert_eq(sl_token_mi_create(&mc, &t, &d), 0, "%s", d.msg);
    sl_buf_t desc = SL_BUF_INIT;
    sl_token_describe(t, &desc);
    cr_expect(strstr(desc.data, "http://169.254.169.254/metadata/identity/oauth2/token"), "%s",
              desc.data);
    sl_buf_dispose(&desc);
    sl_token_source_destroy(t);
    mc.endpoint = "http://identity.example/token";
    cr_expect_eq(sl_token_mi_create(&mc, &t, &d), SL_EINVAL);
}

Test(kek_vault_fake, client_credentials_request_shape_and_throttling)
{
    fake_t f;
    fake_start(&f);
    fake_add(&f, "429 Too Many Requests", "Retry-After: 3\r\n",
             "{\"error\":\"temporarily_unavailable\"}");
    fake_add(&f, "200 OK", "", "{\"token_type\":\"Bearer\",\"expires_in\":3599,"
                               "\"access_token\":\"cc-token\"}");
    sl_token_client_config_t cc = {
        .authority = f.base,
        .tenant = "tenant-1",
        .client_id = "client 1",
        .client_secret = "s3cr&t=+",
    };
    sl_token_source_t *t;
    sl_diag_t d;
    cr_assert_eq(sl_token_client_create(&cc, &t, &d), 0, "%s", d.msg);
    char out[128];
    cr_expect_eq(sl_token_get(t, "https://vault.azure.net", out, sizeof out, &d), SL_EBUSY, "%s",
                 d.msg);
    cr_expect(!strstr(d.msg, "s3cr"), "the secret is never quoted: %s", d.msg);
    cr_assert_eq(sl_token_get(t, "https://vault.azure.net", out, sizeof out, &d), 0, "%s", d.msg);
    cr_expect_str_eq(out, "cc-token");
    cr_expect_str_eq(f.req[1].method, "POST");
    cr_expect_str_eq(f.req[1].target, "/tenant-1/oauth2/v2.0/token");
    cr_expect_str_eq(f.req[1].body, "grant_type=client_credentials&client_id=client%201&"
                                    "client_secret=s3cr%26t%3D%2B&scope=https%3A%2F%2F"
                                    "vault.azure.net%2F.default");
    sl_token_source_destroy(t);
    fake_stop(&f);
    cc.authority = "http://login.example";
    cr_expect_eq(sl_token_client_create(&cc, &t, &d), SL_EINVAL, "https only off loopback");
    cc.authority = "https://login.example";
    cc.tenant = "a/b";
    cr_expect_eq(sl_token_client_create(&cc, &t, &d), SL_EINVAL);
}
