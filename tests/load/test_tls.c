/*
 * TLS over memory buffers: a client and a server session pumped into each
 * other in memory, with the certificate checks a real client makes.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/load.h"
#include "crypto/crypto.h"

typedef struct pki {
    char dir[64], cert[96], key[96];
    sl_key_t *wrap;
    sl_tls_ctx_t *server;
} pki_t;

static void pki_init(pki_t *p)
{
    snprintf(p->dir, sizeof p->dir, "/tmp/sealog-tls-XXXXXX");
    cr_assert(mkdtemp(p->dir));
    snprintf(p->cert, sizeof p->cert, "%s/cert.pem", p->dir);
    snprintf(p->key, sizeof p->key, "%s/key.pem", p->dir);
    bool created;
    cr_assert_eq(sl_key_create_random(&p->wrap), 0);
    cr_assert_eq(sl_tls_ensure_selfsigned(p->cert, p->key, p->wrap, &created, NULL), 0);
    cr_assert_eq(sl_tls_ctx_create(p->cert, p->key, p->wrap, &p->server, NULL), 0);
}

static void pki_dispose(pki_t *p)
{
    sl_tls_ctx_destroy(p->server);
    sl_key_destroy(p->wrap);
    sl_rmtree(p->dir);
}

/* Moves bytes both ways until neither side has anything to say. Returns the
 * first error (client side first). */
static int pump(sl_load_tls_t *c,
                sl_load_tls_t *s,
                sl_buf_t *c_plain,
                sl_buf_t *s_plain,
                sl_diag_t *d)
{
    for (int round = 0; round < 20; round++) {
        size_t n;
        bool moved = false;
        char *out = sl_load_tls_take(c, &n);
        if (out) {
            sl_load_tls_feed(s, out, n);
            sl_free(out);
            moved = true;
        }
        int rc = sl_load_tls_read(s, s_plain, d);
        if (rc)
            return rc;
        out = sl_load_tls_take(s, &n);
        if (out) {
            sl_load_tls_feed(c, out, n);
            sl_free(out);
            moved = true;
        }
        rc = sl_load_tls_read(c, c_plain, d);
        if (rc)
            return rc;
        if (!moved)
            return 0;
    }
    return 0;
}

static int session(pki_t *p, const char *cacert, bool insecure, const char *host, sl_diag_t *d)
{
    sl_load_tls_ctx_t *cctx;
    cr_assert_eq(sl_load_tls_ctx_client(cacert, insecure, &cctx, d), 0, "%s", d->msg);
    sl_load_tls_t *c, *s;
    cr_assert_eq(sl_load_tls_create(cctx, false, host, &c, d), 0);
    cr_assert_eq(sl_load_tls_create(p->server, true, NULL, &s, d), 0);
    sl_buf_t cp = SL_BUF_INIT, sp = SL_BUF_INIT;
    int rc = sl_load_tls_connect(c, d);
    if (!rc)
        rc = pump(c, s, &cp, &sp, d);
    if (!rc) {
        cr_expect(sl_load_tls_ready(c) && sl_load_tls_ready(s));
        cr_assert_eq(sl_load_tls_write(c, "ping", 4, d), 0);
        cr_assert_eq(pump(c, s, &cp, &sp, d), 0);
        cr_expect(sp.len == 4 && !memcmp(sp.data, "ping", 4));
        /* A large write crosses many TLS records. */
        char *big = calloc(1, 300000);
        memset(big, 'z', 300000);
        cr_assert_eq(sl_load_tls_write(s, big, 300000, d), 0);
        cr_assert_eq(pump(c, s, &cp, &sp, d), 0);
        cr_expect_eq(cp.len, 300000);
        free(big);
    }
    sl_load_tls_destroy(c);
    sl_load_tls_destroy(s);
    sl_load_tls_ctx_destroy(cctx);
    sl_buf_dispose(&cp);
    sl_buf_dispose(&sp);
    return rc;
}

Test(load_tls, verified_session_carries_data_both_ways)
{
    pki_t p;
    pki_init(&p);
    sl_diag_t d = { 0 };
    cr_expect_eq(session(&p, p.cert, false, "127.0.0.1", &d), 0, "%s", d.msg);
    cr_expect_eq(session(&p, p.cert, false, "localhost", &d), 0, "%s", d.msg);
    pki_dispose(&p);
}

Test(load_tls, wrong_name_or_untrusted_certificate_fails)
{
    pki_t p, other;
    pki_init(&p);
    pki_init(&other);
    sl_diag_t d = { 0 };
    cr_expect_eq(session(&p, p.cert, false, "example.com", &d), SL_ECRYPTO);
    cr_expect(strstr(d.msg, "certificate") != NULL, "%s", d.msg);
    cr_expect_eq(session(&p, p.cert, false, "10.1.2.3", &d), SL_ECRYPTO, "IP SANs are checked");
    cr_expect_eq(session(&p, other.cert, false, "127.0.0.1", &d), SL_ECRYPTO);
    cr_expect(strstr(d.msg, "verification failed") != NULL, "%s", d.msg);
    cr_expect_eq(session(&p, other.cert, true, "example.com", &d),
                 0,
                 "--insecure skips verification: %s",
                 d.msg);
    pki_dispose(&p);
    pki_dispose(&other);
}
