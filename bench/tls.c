/*
 * TLS over memory BIOs. OpenSSL normally owns the socket; an event loop
 * wants to own it instead. So each session gets two BIOs: bytes read from
 * the socket are written into a memory BIO (`rbio`) and OpenSSL decrypts
 * from there; OpenSSL's records go out through `wbio`, a small BIO of ours
 * that appends them to an sl_buf_t the caller queues on the socket. No call
 * here ever blocks or touches a file descriptor, which lets one libuv thread
 * drive thousands of sessions, and lets the client (sealog-load) and the
 * capture server share the code.
 *
 * Why not a memory BIO for output too: it grows with BUF_MEM_grow_clean,
 * which zeroes and copies the old buffer at every doubling, and the records
 * then need one more copy to come out. For a 2.4 MB request that was a
 * third of the client's CPU. Appending straight into a buffer the caller
 * keeps from request to request costs one copy and no page faults.
 *
 * This is the load generator's own code, outside crypto/, because it is
 * wired into the generator's hot path and is not something the node uses
 * (the node's listeners use h2o's TLS, its outbound calls use libcurl).
 * scripts/check-headers.sh allows OpenSSL headers in bench/ for that reason.
 */
#include "bench/load.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <string.h>

struct sl_load_tls {
    SSL *ssl;
    BIO *rbio, *wbio;
    BIO_METHOD *out_method;
    sl_buf_t own;  /* output when the caller set no buffer (see _take) */
    sl_buf_t *out; /* where records go */
    bool server;
};

/* The output BIO: every write appends to the session's current buffer. */
static int out_write(BIO *b, const char *in, int n)
{
    sl_load_tls_t *t = BIO_get_data(b);
    if (n > 0)
        sl_buf_append(t->out, in, (size_t)n);
    return n;
}

static long out_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)num;
    (void)ptr;
    if (cmd == BIO_CTRL_FLUSH)
        return 1;
    if (cmd == BIO_CTRL_WPENDING || cmd == BIO_CTRL_PENDING) {
        sl_load_tls_t *t = BIO_get_data(b);
        return (long)t->out->len;
    }
    return 0;
}

static int out_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static int ossl_fail(sl_diag_t *d, const char *what)
{
    char buf[200] = "unknown error";
    unsigned long e = ERR_get_error();
    if (e)
        ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return sl_diag_set(d, SL_ECRYPTO, "%s: %s", what, buf);
}

int sl_load_tls_ctx_client(const char *cacert, bool insecure, sl_load_tls_ctx_t **out, sl_diag_t *d)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        return ossl_fail(d, "cannot create TLS context");
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    /* Offer only HTTP/1.1 so an h2-capable server does not pick HTTP/2. */
    static const unsigned char alpn[] = "\x08http/1.1";
    SSL_CTX_set_alpn_protos(ctx, alpn, sizeof alpn - 1);
    if (insecure) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        int ok = cacert ? SSL_CTX_load_verify_locations(ctx, cacert, NULL)
                        : SSL_CTX_set_default_verify_paths(ctx);
        if (ok != 1) {
            int rc = ossl_fail(d, "cannot load CA certificates");
            if (cacert)
                sl_diag_prefix(d, "%s", cacert);
            SSL_CTX_free(ctx);
            return rc;
        }
    }
    *out = ctx;
    return 0;
}

void sl_load_tls_ctx_destroy(sl_load_tls_ctx_t *ctx)
{
    SSL_CTX_free(ctx);
}

int sl_load_tls_create(sl_load_tls_ctx_t *ctx,
                       bool server,
                       const char *host,
                       sl_load_tls_t **out,
                       sl_diag_t *d)
{
    sl_load_tls_t *t = sl_xcalloc(1, sizeof *t);
    t->server = server;
    t->out = &t->own;
    t->ssl = SSL_new(ctx);
    t->rbio = BIO_new(BIO_s_mem());
    /* The type number only matters to BIO_find_type(), which nothing uses;
     * BIO_get_new_index() would hand out one of only 128 per process. */
    t->out_method = BIO_meth_new(BIO_TYPE_SOURCE_SINK | 0xf0, "sl_load output");
    if (t->out_method) {
        BIO_meth_set_write(t->out_method, out_write);
        BIO_meth_set_ctrl(t->out_method, out_ctrl);
        BIO_meth_set_create(t->out_method, out_create);
        t->wbio = BIO_new(t->out_method);
    }
    if (!t->ssl || !t->rbio || !t->wbio) {
        int rc = ossl_fail(d, "cannot create TLS session");
        BIO_free(t->rbio);
        BIO_free(t->wbio);
        BIO_meth_free(t->out_method);
        SSL_free(t->ssl);
        sl_free(t);
        return rc;
    }
    BIO_set_data(t->wbio, t);
    /* An empty read BIO means "more to come", not end of stream. */
    BIO_set_mem_eof_return(t->rbio, -1);
    SSL_set_bio(t->ssl, t->rbio, t->wbio); /* the SSL owns both now */
    if (server) {
        SSL_set_accept_state(t->ssl);
    } else {
        SSL_set_connect_state(t->ssl);
        if (host && host[0]) {
            unsigned char addr[16];
            bool is_ip =
              inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
            if (is_ip) {
                /* No SNI for addresses (RFC 6066 §3); verify the IP SAN. */
                X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), host);
            } else {
                SSL_set_tlsext_host_name(t->ssl, host);
                SSL_set1_host(t->ssl, host);
            }
        }
    }
    *out = t;
    return 0;
}

void sl_load_tls_destroy(sl_load_tls_t *t)
{
    if (!t)
        return;
    SSL_free(t->ssl); /* frees both BIOs */
    BIO_meth_free(t->out_method);
    sl_buf_dispose(&t->own);
    sl_free(t);
}

void sl_load_tls_set_output(sl_load_tls_t *t, sl_buf_t *out)
{
    t->out = out ? out : &t->own;
}

void sl_load_tls_feed(sl_load_tls_t *t, const void *p, size_t n)
{
    /* Memory BIO writes only fail on allocation failure, which aborts anyway. */
    if (n)
        BIO_write(t->rbio, p, (int)n);
}

/* Describes a failed SSL call; adds the verification result when that is
 * what went wrong, since "certificate verify failed" alone helps nobody. */
static int ssl_fail(sl_load_tls_t *t, int ret, sl_diag_t *d, const char *what)
{
    int e = SSL_get_error(t->ssl, ret);
    if (e == SSL_ERROR_ZERO_RETURN) {
        ERR_clear_error();
        return sl_diag_set(d, SL_ECANCELED, "TLS peer closed the session");
    }
    long vr = SSL_get_verify_result(t->ssl);
    if (!t->server && vr != X509_V_OK) {
        ERR_clear_error();
        return sl_diag_set(d,
                           SL_ECRYPTO,
                           "%s: certificate verification failed: %s",
                           what,
                           X509_verify_cert_error_string(vr));
    }
    return ossl_fail(d, what);
}

int sl_load_tls_connect(sl_load_tls_t *t, sl_diag_t *d)
{
    ERR_clear_error();
    int r = SSL_do_handshake(t->ssl);
    if (r == 1)
        return 0;
    int e = SSL_get_error(t->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return 0;
    return ssl_fail(t, r, d, "TLS handshake");
}

bool sl_load_tls_ready(const sl_load_tls_t *t)
{
    return SSL_is_init_finished(t->ssl);
}

int sl_load_tls_read(sl_load_tls_t *t, sl_buf_t *plain, sl_diag_t *d)
{
    ERR_clear_error();
    if (!SSL_is_init_finished(t->ssl)) {
        int r = SSL_do_handshake(t->ssl);
        if (r != 1) {
            int e = SSL_get_error(t->ssl, r);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
                return 0;
            return ssl_fail(t, r, d, "TLS handshake");
        }
    }
    for (;;) {
        sl_buf_reserve(plain, 16384);
        int r = SSL_read(t->ssl, plain->data + plain->len, 16384);
        if (r > 0) {
            plain->len += (size_t)r;
            plain->data[plain->len] = '\0';
            continue;
        }
        int e = SSL_get_error(t->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
            return 0;
        return ssl_fail(t, r, d, "TLS read");
    }
}

int sl_load_tls_write(sl_load_tls_t *t, const void *p, size_t n, sl_diag_t *d)
{
    const char *c = p;
    while (n) {
        ERR_clear_error();
        int chunk = (int)SL_MIN(n, (size_t)1 << 30);
        int r = SSL_write(t->ssl, c, chunk);
        if (r <= 0)
            return ssl_fail(t, r, d, "TLS write");
        c += r;
        n -= (size_t)r;
    }
    return 0;
}

char *sl_load_tls_take(sl_load_tls_t *t, size_t *n)
{
    *n = 0;
    if (!t->own.len)
        return NULL;
    return sl_buf_steal(&t->own, n);
}
