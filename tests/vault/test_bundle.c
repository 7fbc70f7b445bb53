#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "vault/vault_int.h"

static const sl_vault_view_t view = { "https://vault.test:8444", "Recoverable", 90 };

static sl_vault_ver_t *version(sl_vault_kty_t kty, unsigned bits)
{
    sl_vault_ver_t *v = sl_vault_ver_create();
    sl_diag_t d;
    cr_assert_eq(sl_vault_mat_generate(kty, bits, 65537, &v->mat, &d), 0, "%s", d.msg);
    snprintf(v->id, sizeof v->id, "0123456789abcdef0123456789abcdef");
    v->seq = 1;
    v->kty = kty;
    v->bits = bits;
    v->ops = SL_VAULT_OP_WRAP | SL_VAULT_OP_UNWRAP;
    v->created = 1700000000;
    v->updated = 1700000100;
    return v;
}

static json_t *bundle_json(const sl_vault_ver_t *v)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_jw_t w;
    sl_jw_init(&w, &b);
    sl_vault_json_bundle(&w, &view, "MyKey", v);
    json_error_t err;
    json_t *j = json_loadb(b.data, b.len, 0, &err);
    cr_assert(j, "valid JSON: %s (%s)", err.text, b.data);
    sl_buf_dispose(&b);
    return j;
}

static bool b64url_unpadded(const char *s)
{
    for (; *s; s++)
        if (*s == '=' || *s == '+' || *s == '/')
            return false;
    return true;
}

Test(vault_bundle, rsa_jwk_has_public_parts_only_base64url_unpadded)
{
    sl_vault_ver_t *v = version(SL_VAULT_KTY_RSA, 2048);
    json_t *j = bundle_json(v);
    json_t *key = json_object_get(j, "key");
    cr_expect_str_eq(json_string_value(json_object_get(key, "kid")),
                     "https://vault.test:8444/keys/MyKey/0123456789abcdef0123456789abcdef");
    cr_expect_str_eq(json_string_value(json_object_get(key, "kty")), "RSA");
    const char *n = json_string_value(json_object_get(key, "n"));
    const char *e = json_string_value(json_object_get(key, "e"));
    cr_assert(n && e);
    cr_expect_eq(strlen(n), 342, "256 bytes as unpadded base64url");
    cr_expect(b64url_unpadded(n));
    cr_expect_str_eq(e, "AQAB");
    /* The modulus decodes to the key's own. */
    uint8_t raw[300];
    size_t rn;
    sl_buf_t nb = SL_BUF_INIT, eb = SL_BUF_INIT;
    cr_assert_eq(sl_base64_decode(n, strlen(n), raw, &rn), 0);
    cr_assert_eq(sl_vault_mat_rsa_public(v->mat, &nb, &eb), 0);
    cr_expect(rn == nb.len && !memcmp(raw, nb.data, rn));
    const char *priv[] = { "d", "p", "q", "dp", "dq", "qi", "k" };
    for (size_t i = 0; i < SL_ARRAY_SIZE(priv); i++)
        cr_expect_null(json_object_get(key, priv[i]), "no \"%s\" in a JWK", priv[i]);
    json_t *ops = json_object_get(key, "key_ops");
    cr_expect_eq(json_array_size(ops), 2);
    cr_expect_str_eq(json_string_value(json_array_get(ops, 0)), "wrapKey");
    cr_expect_str_eq(json_string_value(json_array_get(ops, 1)), "unwrapKey");
    cr_expect(json_is_false(json_object_get(j, "managed")));
    cr_expect_null(json_object_get(j, "tags"), "no tags member without tags");
    sl_buf_dispose(&nb);
    sl_buf_dispose(&eb);
    json_decref(j);
    sl_vault_ver_destroy(v);
}

Test(vault_bundle, attributes_in_unix_seconds_with_recovery_level)
{
    sl_vault_ver_t *v = version(SL_VAULT_KTY_OCT, 256);
    json_t *j = bundle_json(v);
    json_t *a = json_object_get(j, "attributes");
    cr_expect(json_is_true(json_object_get(a, "enabled")));
    cr_expect_eq(json_integer_value(json_object_get(a, "created")), 1700000000);
    cr_expect_eq(json_integer_value(json_object_get(a, "updated")), 1700000100);
    cr_expect_null(json_object_get(a, "nbf"), "unset nbf is absent");
    cr_expect_null(json_object_get(a, "exp"));
    cr_expect_str_eq(json_string_value(json_object_get(a, "recoveryLevel")), "Recoverable");
    cr_expect_eq(json_integer_value(json_object_get(a, "recoverableDays")), 90);
    json_decref(j);

    v->enabled = false;
    v->has_nbf = v->has_exp = true;
    v->nbf = 1700000000;
    v->exp = 1800000000;
    v->tags = sl_xstrdup("{\"env\":\"prod\"}");
    j = bundle_json(v);
    a = json_object_get(j, "attributes");
    cr_expect(json_is_false(json_object_get(a, "enabled")));
    cr_expect_eq(json_integer_value(json_object_get(a, "nbf")), 1700000000);
    cr_expect_eq(json_integer_value(json_object_get(a, "exp")), 1800000000);
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(j, "tags"), "env")),
                     "prod");
    json_t *key = json_object_get(j, "key");
    cr_expect_str_eq(json_string_value(json_object_get(key, "kty")), "oct");
    cr_expect_null(json_object_get(key, "k"), "an oct key's secret never leaves");
    cr_expect_null(json_object_get(key, "n"));
    json_decref(j);
    sl_vault_ver_destroy(v);
}

Test(vault_bundle, key_items_with_and_without_version)
{
    sl_vault_ver_t *v = version(SL_VAULT_KTY_OCT_HSM, 256);
    sl_buf_t b = SL_BUF_INIT;
    sl_jw_t w;
    sl_jw_init(&w, &b);
    sl_jw_arr_begin(&w);
    sl_vault_json_item(&w, &view, "k", v, true);
    sl_vault_json_item(&w, &view, "k", v, false);
    sl_jw_arr_end(&w);
    json_t *j = json_loads(b.data, 0, NULL);
    cr_assert(j, "%s", b.data);
    cr_expect_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "kid")),
                     "https://vault.test:8444/keys/k/0123456789abcdef0123456789abcdef");
    cr_expect_str_eq(json_string_value(json_object_get(json_array_get(j, 1), "kid")),
                     "https://vault.test:8444/keys/k");
    cr_expect_null(json_object_get(json_array_get(j, 0), "key"), "items carry no JWK");
    cr_expect(json_is_object(json_object_get(json_array_get(j, 0), "attributes")));
    json_decref(j);
    sl_buf_dispose(&b);
    sl_vault_ver_destroy(v);
}

Test(vault_bundle, error_shape)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_vault_json_error(&b, "Forbidden", "KeyDisabled",
                        "Operation unwrapKey is not allowed on a disabled key.");
    cr_expect_str_eq(b.data, "{\"error\":{\"code\":\"Forbidden\",\"message\":\"Operation "
                             "unwrapKey is not allowed on a disabled key.\",\"innererror\":"
                             "{\"code\":\"KeyDisabled\"}}}");
    sl_buf_reset(&b);
    sl_vault_json_error(&b, "Unauthorized", NULL, "Request is missing a Bearer or PoP token.");
    cr_expect_str_eq(b.data, "{\"error\":{\"code\":\"Unauthorized\",\"message\":\"Request is "
                             "missing a Bearer or PoP token.\"}}");
    sl_buf_dispose(&b);
}
