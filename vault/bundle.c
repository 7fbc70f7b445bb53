/*
 * The JSON a Key Vault client reads: KeyBundle, KeyItem, errors.
 *
 * Shapes follow the service (PROTOCOLS.md §4.3–4.4): binary values are
 * base64url without padding, times are Unix seconds, `kid` is built from
 * the vault's public URL so clients can derive later calls from it, and a
 * JWK carries only public parts — an oct key's JWK has no "k" at all, an
 * RSA key's has "n" and "e" and never d, p, q, dp, dq or qi.
 */
#include "vault/vault_int.h"

#include <string.h>

void sl_vault_kid(sl_buf_t *out, const char *base, const char *name, const char *version)
{
    sl_buf_printf(out, "%s/keys/%s", base, name);
    if (version && *version)
        sl_buf_printf(out, "/%s", version);
}

static void b64url_field(sl_jw_t *w, const char *key, const sl_buf_t *bin)
{
    char *enc = sl_xmalloc(SL_BASE64_LEN(bin->len) + 1);
    size_t n = sl_base64url_encode(bin->data, bin->len, enc);
    sl_jw_key(w, key);
    sl_jw_strn(w, enc, n);
    sl_free(enc);
}

/* key_ops in one fixed order (the bit order, Key Vault's documentation
 * order), so the same key always serialises the same way. */
static void ops_array(sl_jw_t *w, unsigned ops)
{
    sl_jw_key(w, "key_ops");
    sl_jw_arr_begin(w);
    for (unsigned bit = 1; bit && bit <= SL_VAULT_OP_EXPORT; bit <<= 1)
        if (ops & bit)
            sl_jw_str(w, sl_vault_op_name(bit));
    sl_jw_arr_end(w);
}

static void attributes(sl_jw_t *w, const sl_vault_view_t *view, const sl_vault_ver_t *v)
{
    sl_jw_key(w, "attributes");
    sl_jw_obj_begin(w);
    sl_jw_key(w, "enabled");
    sl_jw_bool(w, v->enabled);
    if (v->has_nbf) {
        sl_jw_key(w, "nbf");
        sl_jw_int(w, v->nbf);
    }
    if (v->has_exp) {
        sl_jw_key(w, "exp");
        sl_jw_int(w, v->exp);
    }
    sl_jw_key(w, "created");
    sl_jw_int(w, v->created);
    sl_jw_key(w, "updated");
    sl_jw_int(w, v->updated);
    sl_jw_key(w, "recoveryLevel");
    sl_jw_str(w, view->recovery_level);
    if (view->recoverable_days > 0) {
        sl_jw_key(w, "recoverableDays");
        sl_jw_int(w, view->recoverable_days);
    }
    sl_jw_obj_end(w);
}

static void tags_and_managed(sl_jw_t *w, const sl_vault_ver_t *v)
{
    if (v->tags) {
        sl_jw_key(w, "tags");
        sl_jw_raw(w, v->tags, strlen(v->tags));
    }
    sl_jw_key(w, "managed");
    sl_jw_bool(w, false);
}

void sl_vault_json_bundle(sl_jw_t *w, const sl_vault_view_t *view, const char *name,
                          const sl_vault_ver_t *v)
{
    sl_buf_t kid = SL_BUF_INIT;
    sl_vault_kid(&kid, view->base_url, name, v->id);
    sl_jw_obj_begin(w);
    sl_jw_key(w, "key");
    sl_jw_obj_begin(w);
    sl_jw_key(w, "kid");
    sl_jw_strn(w, kid.data, kid.len);
    sl_jw_key(w, "kty");
    sl_jw_str(w, sl_vault_kty_name(v->kty));
    ops_array(w, v->ops);
    if (v->kty == SL_VAULT_KTY_RSA && v->mat) {
        sl_buf_t n = SL_BUF_INIT, e = SL_BUF_INIT;
        if (sl_vault_mat_rsa_public(v->mat, &n, &e) == 0) {
            b64url_field(w, "n", &n);
            b64url_field(w, "e", &e);
        }
        sl_buf_dispose(&n);
        sl_buf_dispose(&e);
    }
    sl_jw_obj_end(w);
    attributes(w, view, v);
    tags_and_managed(w, v);
    sl_jw_obj_end(w);
    sl_buf_dispose(&kid);
}

void sl_vault_json_item(sl_jw_t *w, const sl_vault_view_t *view, const char *name,
                        const sl_vault_ver_t *v, bool with_version)
{
    sl_buf_t kid = SL_BUF_INIT;
    sl_vault_kid(&kid, view->base_url, name, with_version ? v->id : NULL);
    sl_jw_obj_begin(w);
    sl_jw_key(w, "kid");
    sl_jw_strn(w, kid.data, kid.len);
    attributes(w, view, v);
    tags_and_managed(w, v);
    sl_jw_obj_end(w);
    sl_buf_dispose(&kid);
}

void sl_vault_json_error(sl_buf_t *out, const char *code, const char *inner, const char *msg)
{
    sl_jw_t w;
    sl_jw_init(&w, out);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "error");
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "code");
    sl_jw_str(&w, code);
    sl_jw_key(&w, "message");
    sl_jw_str(&w, msg);
    if (inner) {
        sl_jw_key(&w, "innererror");
        sl_jw_obj_begin(&w);
        sl_jw_key(&w, "code");
        sl_jw_str(&w, inner);
        sl_jw_obj_end(&w);
    }
    sl_jw_obj_end(&w);
    sl_jw_obj_end(&w);
}
