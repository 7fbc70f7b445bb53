/*
 * The local KEK provider: the service key (MMK) is the key-encryption key
 * for the MMK scope. AEKs are sealed with AES-256-GCM under a sub-key of it,
 * with the version string as associated data, so a wrapped AEK cannot be
 * replayed under another version. Failures are always integrity failures,
 * never transient: there is no network in the way.
 */
#include "crypto/crypto.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

typedef struct local {
    sl_key_t *wrap_key;
    char version[17];
} local_t;

static int local_wrap(void *ctx, const uint8_t aek[SL_KEY_LEN], sl_buf_t *wrapped,
                      char version[256], sl_diag_t *d)
{
    local_t *l = ctx;
    (void)d;
    snprintf(version, 256, "%s", l->version);
    sl_seal(l->wrap_key, l->version, strlen(l->version), aek, SL_KEY_LEN, wrapped);
    return 0;
}

static int local_unwrap(void *ctx, const uint8_t *wrapped, size_t n, const char *version,
                        uint8_t aek[SL_KEY_LEN], sl_diag_t *d)
{
    local_t *l = ctx;
    if (strcmp(version, l->version) != 0)
        return sl_diag_set(d, SL_EINTEGRITY,
                           "AEK was wrapped by service key %s, this node has %s", version,
                           l->version);
    sl_buf_t out = SL_BUF_INIT;
    int rc = sl_unseal(l->wrap_key, version, strlen(version), wrapped, n, &out);
    if (!rc && out.len != SL_KEY_LEN)
        rc = SL_EINTEGRITY;
    if (!rc)
        memcpy(aek, out.data, SL_KEY_LEN);
    sl_buf_wipe(&out);
    if (rc)
        sl_diag_set(d, rc, "wrapped AEK failed its integrity check");
    return rc;
}

static void local_describe(void *ctx, sl_buf_t *out)
{
    sl_buf_printf(out, "service key %s", ((local_t *)ctx)->version);
}

static sl_kek_class_t local_classify(void *ctx, int err)
{
    (void)ctx;
    (void)err;
    return SL_KEK_REVOKED;
}

static void local_destroy(void *ctx)
{
    local_t *l = ctx;
    sl_key_destroy(l->wrap_key);
    sl_free(l);
}

sl_kek_provider_t *sl_kek_local_create(const sl_key_t *service_key)
{
    local_t *l = sl_xcalloc(1, sizeof *l);
    if (sl_key_derive(service_key, "aek wrap", NULL, 0, &l->wrap_key))
        abort();
    uint8_t id[8];
    sl_store_u64be(id, sl_key_id(service_key));
    sl_hex_encode(id, 8, l->version);
    sl_kek_provider_t *p = sl_xcalloc(1, sizeof *p);
    p->ctx = l;
    p->kind = "local";
    p->wrap = local_wrap;
    p->unwrap = local_unwrap;
    p->describe = local_describe;
    p->classify = local_classify;
    p->destroy = local_destroy;
    return p;
}

void sl_kek_provider_destroy(sl_kek_provider_t *p)
{
    if (!p)
        return;
    p->destroy(p->ctx);
    sl_free(p);
}
