/*
 * Parsers of what vaults and token endpoints say: the secret-safe JSON
 * scanner, token answers of the three endpoint shapes, WWW-Authenticate
 * challenges, key identifiers and URLs, Key Vault errors and KeyBundles.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "crypto/crypto_int.h"

/* ------------------------------------------------------------------------ */
/* JSON scanner                                                             */
/* ------------------------------------------------------------------------ */

static int member(const char *json, const char *name, sl_kvj_val_t *v)
{
    return sl_crypto__json_member(json, strlen(json), name, v);
}

Test(crypto_kv_json, finds_top_level_members_of_every_type)
{
    const char *doc = " {\"kid\":\"https://v/keys/k/1\", \"n\": -12.5e3, \"ok\":true,"
                      "\"no\":false, \"nil\":null, \"o\":{\"value\":\"inner\"},"
                      "\"a\":[1,{\"value\":2},[]], \"value\":\"abc_-\"} ";
    sl_kvj_val_t v;
    cr_assert_eq(member(doc, "value", &v), 1);
    cr_expect_eq(v.type, SL_KVJ_STRING);
    cr_expect(v.n == 5 && !memcmp(v.p, "abc_-", 5), "the top-level value, not a nested one");
    cr_assert_eq(member(doc, "n", &v), 1);
    cr_expect(v.type == SL_KVJ_NUMBER && v.n == 7 && !memcmp(v.p, "-12.5e3", 7));
    cr_assert_eq(member(doc, "ok", &v), 1);
    cr_expect_eq(v.type, SL_KVJ_TRUE);
    cr_assert_eq(member(doc, "nil", &v), 1);
    cr_expect_eq(v.type, SL_KVJ_NULL);
    cr_assert_eq(member(doc, "o", &v), 1);
    cr_expect(v.type == SL_KVJ_OBJECT && v.p[0] == '{' && v.p[v.n - 1] == '}');
    cr_assert_eq(member(doc, "a", &v), 1);
    cr_expect_eq(v.type, SL_KVJ_ARRAY);
    cr_expect_eq(member(doc, "absent", &v), 0);
}

Test(crypto_kv_json, refuses_malformed_documents)
{
    const char *bad[] = {
        "",
        "[]",
        "\"value\"",
        "{",
        "{\"value\":\"abc}",
        "{\"value\":abc}",
        "{\"value\":\"a\",}",
        "{\"value\" \"a\"}",
        "{\"value\":\"a\"} x",
        "{\"value\":01}",
        "{\"value\":1.}",
        "{\"value\":\"\\x\"}",
        "{\"value\":\"\\u12\"}",
        "{\"value\":\"tab\there\"}",
        "{\"value\":tru}",
        "{\"a\":[1,2}",
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(bad); i++) {
        sl_kvj_val_t v;
        cr_expect_eq(member(bad[i], "value", &v), SL_EPARSE, "%s", bad[i]);
    }
}

Test(crypto_kv_json, duplicate_wanted_member_and_deep_nesting_are_refused)
{
    sl_kvj_val_t v;
    cr_expect_eq(member("{\"value\":\"a\",\"value\":\"b\"}", "value", &v), SL_EPARSE);
    cr_expect_eq(member("{\"value\":\"a\",\"x\":{\"value\":\"b\"}}", "value", &v), 1,
                 "a nested member of the same name is not a duplicate");
    char deep[200] = "{\"a\":";
    for (int i = 0; i < 40; i++) {
        strcat(deep, "[");
    }
    for (int i = 0; i < 40; i++) {
        strcat(deep, "]");
    }
    strcat(deep, "}");
    cr_expect_eq(member(deep, "a", &v), SL_EPARSE);
    cr_expect_eq(member("{\"\\u0076alue\":\"x\"}", "value", &v), 1, "escaped member names");
}

Test(crypto_kv_json, decodes_escapes_and_refuses_nul)
{
    sl_kvj_val_t v;
    char out[64];
    size_t n;
    cr_assert_eq(member("{\"s\":\"a\\/b\\\"c\\u00e9\\ud83d\\ude00\\n\"}", "s", &v), 1);
    cr_expect(v.escaped);
    cr_assert_eq(sl_crypto__json_str(&v, out, sizeof out, &n), 0);
    cr_expect_str_eq(out, "a/b\"c\xc3\xa9\xf0\x9f\x98\x80\n");
    cr_expect_eq(n, strlen(out));
    cr_assert_eq(member("{\"s\":\"a\\u0000b\"}", "s", &v), 1);
    cr_expect_eq(sl_crypto__json_str(&v, out, sizeof out, &n), SL_EPARSE);
    cr_assert_eq(member("{\"s\":\"abcdef\"}", "s", &v), 1);
    cr_expect_eq(sl_crypto__json_str(&v, out, 4, &n), SL_ELIMIT);
    int64_t x;
    cr_assert_eq(member("{\"a\":\"3599\",\"b\":42,\"c\":1.5,\"d\":true}", "a", &v), 1);
    cr_expect(!sl_crypto__json_int(&v, &x) && x == 3599);
    cr_assert_eq(member("{\"a\":\"3599\",\"b\":42,\"c\":1.5,\"d\":true}", "b", &v), 1);
    cr_expect(!sl_crypto__json_int(&v, &x) && x == 42);
    cr_assert_eq(member("{\"a\":\"3599\",\"b\":42,\"c\":1.5,\"d\":true}", "c", &v), 1);
    cr_expect_eq(sl_crypto__json_int(&v, &x), SL_EPARSE);
    cr_assert_eq(member("{\"a\":\"3599\",\"b\":42,\"c\":1.5,\"d\":true}", "d", &v), 1);
    cr_expect_eq(sl_crypto__json_int(&v, &x), SL_EPARSE);
}

/* ------------------------------------------------------------------------ */
/* Token answers                                                            */
/* ------------------------------------------------------------------------ */

static int token(const char *json, int64_t now, char *out, int64_t *life)
{
    sl_secbuf_t b;
    cr_assert_eq(sl_crypto__secbuf_init(&b, SL_TOKEN_MAX), 0);
    int rc = sl_crypto__token_parse(json, strlen(json), now, &b, life);
    snprintf(out, 256, "%s", rc ? "" : b.data);
    sl_crypto__secbuf_dispose(&b);
    return rc;
}

Test(crypto_kv_parse, entra_imds_and_app_service_answers)
{
    char t[256];
    int64_t life;
    /* Entra ID v2 client credentials */
    cr_assert_eq(token("{\"token_type\":\"Bearer\",\"expires_in\":3599,\"ext_expires_in\":3599,"
                       "\"access_token\":\"eyJ0eXAi.eyJhdWQi.c2ln\"}",
                       1000, t, &life),
                 0);
    cr_expect_str_eq(t, "eyJ0eXAi.eyJhdWQi.c2ln");
    cr_expect_eq(life, 3599);
    /* IMDS: numbers as strings */
    cr_assert_eq(token("{\"access_token\":\"sva1.abc.def\",\"expires_in\":\"3600\","
                       "\"expires_on\":\"1700003600\",\"ext_expires_in\":\"3600\","
                       "\"not_before\":\"1700000000\",\"resource\":\"https://vault.azure.net\","
                       "\"token_type\":\"Bearer\"}",
                       1700000000, t, &life),
                 0);
    cr_expect_str_eq(t, "sva1.abc.def");
    cr_expect_eq(life, 3600);
    /* App Service 2019-08-01: only expires_on, Unix seconds as a string */
    cr_assert_eq(token("{\"access_token\":\"tok/with+chars==\",\"expires_on\":\"1586984735\","
                       "\"resource\":\"https://vault.azure.net\",\"token_type\":\"Bearer\","
                       "\"client_id\":\"5E29463D-71DA-4FE0-8E69-999B57DB23B0\"}",
                       1586984735 - 1200, t, &life),
                 0);
    cr_expect_str_eq(t, "tok/with+chars==");
    cr_expect_eq(life, 1200);
    /* no expiry at all: usable, but not to be cached */
    cr_assert_eq(token("{\"access_token\":\"abc\"}", 5, t, &life), 0);
    cr_expect_eq(life, 0);
}

Test(crypto_kv_parse, unusable_answers_are_refused)
{
    char t[256];
    int64_t life;
    const char *bad[] = {
        "{\"token_type\":\"Bearer\",\"expires_in\":3599}",
        "{\"access_token\":\"\",\"expires_in\":1}",
        "{\"access_token\":\"two words\"}",
        "{\"access_token\":\"abc\\r\\nX-Injected: 1\"}",
        "{\"access_token\":\"abc\",\"token_type\":\"pop\"}",
        "{\"access_token\":42}",
        "{\"access_token\":\"a=b\"}",
        "<html>proxy login</html>",
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(bad); i++) {
        cr_expect_eq(token(bad[i], 0, t, &life), SL_EPARSE, "%s", bad[i]);
    }
    cr_expect(sl_crypto__token_chars_ok("abc==", 5));
    cr_expect(!sl_crypto__token_chars_ok("=abc", 4));
    cr_expect(!sl_crypto__token_chars_ok("", 0));
}

/* ------------------------------------------------------------------------ */
/* Challenges                                                               */
/* ------------------------------------------------------------------------ */

Test(crypto_kv_parse, key_vault_and_sealog_vault_shapes)
{
    sl_kv_challenge_t c;
    char scope[512];
    cr_assert_eq(sl_crypto__challenge_parse(
                     "Bearer authorization=\"https://login.microsoftonline.com/"
                     "72f988bf-86f1-41af-91ab-2d7cd011db47\", resource=\"https://vault.azure.net\"",
                     &c),
                 0);
    cr_expect_str_eq(c.tenant, "72f988bf-86f1-41af-91ab-2d7cd011db47");
    cr_expect_str_eq(c.resource, "https://vault.azure.net");
    cr_assert_eq(sl_crypto__challenge_scope(&c, scope, sizeof scope), 0);
    cr_expect_str_eq(scope, "https://vault.azure.net/.default");

    /* authorization_uri, a trailing slash, odd spacing, case */
    cr_assert_eq(sl_crypto__challenge_parse("bearer   authorization_uri=\"https://login.example/t1/"
                                            "\",resource=\"https://example.internal/\"",
                                            &c),
                 0);
    cr_expect_str_eq(c.tenant, "t1");
    cr_assert_eq(sl_crypto__challenge_scope(&c, scope, sizeof scope), 0);
    cr_expect_str_eq(scope, "https://example.internal/.default");

    /* scope only (Managed HSM style), with an escaped quote in another value */
    cr_assert_eq(sl_crypto__challenge_parse("Bearer error=\"x\\\"y\", scope=\"https://"
                                            "managedhsm.azure.net/.default\"",
                                            &c),
                 0);
    cr_expect_str_eq(c.error, "x\"y");
    cr_assert_eq(sl_crypto__challenge_scope(&c, scope, sizeof scope), 0);
    cr_expect_str_eq(scope, "https://managedhsm.azure.net/.default");
}

Test(crypto_kv_parse, picks_the_bearer_line_and_refuses_useless_ones)
{
    sl_kv_challenge_t c;
    cr_assert_eq(sl_crypto__challenge_parse("PoP nonce=\"abc\"\nBearer authorization=\"https://"
                                            "a/t\", resource=\"https://r\"",
                                            &c),
                 0);
    cr_expect_str_eq(c.resource, "https://r");
    cr_expect_eq(sl_crypto__challenge_parse("Basic realm=\"x\"", &c), SL_EPARSE);
    cr_expect_eq(sl_crypto__challenge_parse("Bearer authorization=\"https://a/t\"", &c),
                 SL_EPARSE, "neither resource nor scope");
    cr_expect_eq(sl_crypto__challenge_parse("", &c), SL_EPARSE);
    cr_expect_eq(sl_crypto__challenge_parse("Bearerx resource=\"https://r\"", &c), SL_EPARSE);
    /* over-long values are cut, never overflowed */
    char big[3000] = "Bearer resource=\"https://";
    memset(big + strlen(big), 'a', 2000);
    strcat(big, "\"");
    cr_expect_eq(sl_crypto__challenge_parse(big, &c), 0);
    cr_expect_eq(strlen(c.resource), sizeof c.resource - 1);
}

Test(crypto_kv_parse, resource_verification_as_the_sdks_do)
{
    sl_diag_t d;
    cr_expect_eq(sl_crypto__challenge_verify("myvault.vault.azure.net",
                                             "https://vault.azure.net/.default", &d),
                 0);
    cr_expect_eq(sl_crypto__challenge_verify("kv.example.internal", "https://example.internal",
                                             &d),
                 0);
    cr_expect_eq(sl_crypto__challenge_verify("127.0.0.1", "https://vault.azure.net/.default", &d),
                 SL_ECONFIG);
    cr_expect(strstr(d.msg, "does not match the requested domain"), "%s", d.msg);
    cr_expect_eq(sl_crypto__challenge_verify("evilvault.azure.net",
                                             "https://vault.azure.net/.default", &d),
                 SL_ECONFIG, "a suffix without the dot boundary");
    cr_expect_eq(sl_crypto__challenge_verify("vault.azure.net", "https://vault.azure.net", &d),
                 SL_ECONFIG, "the host itself is not a sub-domain");
    char res[64];
    sl_crypto__scope_to_resource("https://vault.azure.net/.default", res, sizeof res);
    cr_expect_str_eq(res, "https://vault.azure.net");
    sl_crypto__scope_to_resource("https://vault.azure.net", res, sizeof res);
    cr_expect_str_eq(res, "https://vault.azure.net");
}

/* ------------------------------------------------------------------------ */
/* URLs and kids                                                            */
/* ------------------------------------------------------------------------ */

Test(crypto_kv_url, kids_parse_and_normalize)
{
    sl_kv_kid_t k;
    cr_assert_eq(sl_crypto__kid_parse("https://myvault.vault.azure.net/keys/cmk/"
                                      "78deebed173b48e48f55abf87ed4cf71",
                                      &k),
                 0);
    cr_expect_str_eq(k.base, "https://myvault.vault.azure.net");
    cr_expect_str_eq(k.name, "cmk");
    cr_expect_str_eq(k.version, "78deebed173b48e48f55abf87ed4cf71");
    cr_assert_eq(sl_crypto__kid_parse("HTTPS://MyVault.Vault.Azure.NET:443/keys/Cmk-2/AB12", &k),
                 0);
    cr_expect_str_eq(k.base, "https://myvault.vault.azure.net");
    cr_expect_str_eq(k.name, "Cmk-2");
    cr_assert_eq(sl_crypto__kid_parse("https://127.0.0.1:8444/keys/k/v1", &k), 0);
    cr_expect_str_eq(k.base, "https://127.0.0.1:8444");
    const char *bad[] = {
        "https://v/keys/k",
        "https://v/keys/k/",
        "https://v/keys/k/v/extra",
        "https://v/secrets/k/v",
        "https://v/keys/k_x/v",
        "https://v/keys/k/v?x=1",
        "ftp://v/keys/k/v",
        "https://user@v/keys/k/v",
        "not a url",
        "",
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(bad); i++) {
        cr_expect_eq(sl_crypto__kid_parse(bad[i], &k), SL_EPARSE, "%s", bad[i]);
    }
}

Test(crypto_kv_url, urls_and_local_hosts)
{
    sl_kv_url_t u;
    sl_diag_t d;
    cr_assert_eq(sl_crypto__url_parse("http://[::1]:8080/x", &u, &d), 0);
    cr_expect_str_eq(u.base, "http://[::1]:8080");
    cr_expect_str_eq(u.path, "/x");
    cr_assert_eq(sl_crypto__url_parse("https://Example.COM", &u, &d), 0);
    cr_expect_str_eq(u.base, "https://example.com");
    cr_expect_str_eq(u.path, "/");
    cr_expect_eq(u.port, 443);
    cr_expect_eq(sl_crypto__url_parse("file:///etc/passwd", &u, &d), SL_EINVAL);
    cr_expect_eq(sl_crypto__url_parse("https://a:b@example.com/", &u, &d), SL_EINVAL);
    cr_expect(sl_crypto__host_is_local("127.0.0.1", false));
    cr_expect(sl_crypto__host_is_local("127.8.9.10", false));
    cr_expect(sl_crypto__host_is_local("localhost", false));
    cr_expect(sl_crypto__host_is_local("kv.localhost", false));
    cr_expect(!sl_crypto__host_is_local("evillocalhost", false));
    cr_expect(sl_crypto__host_is_local("[::1]", false));
    cr_expect(!sl_crypto__host_is_local("169.254.169.254", false));
    cr_expect(sl_crypto__host_is_local("169.254.169.254", true));
    cr_expect(!sl_crypto__host_is_local("10.0.0.1", true));
    cr_expect(!sl_crypto__host_is_local("127.0.0.1.evil.example", true));
    cr_expect(sl_crypto__kv_name_ok("cmk-1"));
    cr_expect(!sl_crypto__kv_name_ok("cmk/1"));
    cr_expect(!sl_crypto__kv_name_ok(""));
    cr_expect(sl_crypto__kv_version_ok("78deebed173b48e48f55abf87ed4cf71"));
    cr_expect(!sl_crypto__kv_version_ok("78de-ebed"));
}

/* ------------------------------------------------------------------------ */
/* Vault documents                                                          */
/* ------------------------------------------------------------------------ */

Test(crypto_kv_parse, errors_in_key_vault_and_oauth_shapes)
{
    sl_kv_error_t e;
    const char *kv = "{\"error\":{\"code\":\"Forbidden\",\"message\":\"Operation unwrapKey is not "
                     "allowed on a disabled key.\",\"innererror\":{\"code\":\"KeyDisabled\"}}}";
    sl_crypto__kv_error_parse(kv, strlen(kv), &e);
    cr_expect_str_eq(e.code, "Forbidden");
    cr_expect_str_eq(e.inner, "KeyDisabled");
    cr_expect_str_eq(e.message, "Operation unwrapKey is not allowed on a disabled key.");
    const char *oauth = "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: "
                        "Invalid client secret.\\r\\nTrace ID: 1\"}";
    sl_crypto__kv_error_parse(oauth, strlen(oauth), &e);
    cr_expect_str_eq(e.code, "invalid_client");
    cr_expect_str_eq(e.message, "AADSTS7000215: Invalid client secret.  Trace ID: 1",
                     "line breaks become spaces");
    sl_crypto__kv_error_parse("<html>", 6, &e);
    cr_expect(!e.code[0] && !e.message[0]);
}

/* A KeyBundle with an n of `bytes` bytes (a leading zero added, as some encoders do). */
static void bundle(char *out, size_t size, const char *kid, const char *kty, int bytes,
                   const char *attrs)
{
    uint8_t n[600] = { 0 };
    memset(n + 1, 0xC5, (size_t)bytes);
    char b64[900];
    b64[sl_base64url_encode(n, (size_t)bytes + 1, b64)] = '\0';
    snprintf(out, size,
             "{\"key\":{\"kid\":\"%s\",\"kty\":\"%s\",\"key_ops\":[\"wrapKey\",\"sign\","
             "\"unwrapKey\",\"bogus\"],\"n\":\"%s\",\"e\":\"AQAB\"},\"attributes\":%s,"
             "\"tags\":{},\"managed\":false}",
             kid, kty, bytes ? b64 : "", attrs);
}

Test(crypto_kv_parse, key_bundles)
{
    char doc[2000];
    sl_kv_key_info_t k;
    bundle(doc, sizeof doc, "https://Vault.Example:443/keys/cmk/ABC123", "RSA", 256,
           "{\"enabled\":true,\"nbf\":100,\"exp\":200,\"created\":50,\"updated\":60,"
           "\"recoveryLevel\":\"Recoverable\",\"recoverableDays\":90}");
    cr_assert_eq(sl_crypto__key_bundle_parse(doc, strlen(doc), &k), 0);
    cr_expect_str_eq(k.kid, "https://vault.example/keys/cmk/ABC123");
    cr_expect_str_eq(k.version, "ABC123");
    cr_expect_str_eq(k.kty, "RSA");
    cr_expect_eq(k.key_size, 2048);
    cr_expect(k.enabled && k.key_ops_listed);
    cr_expect_eq(k.key_ops, SL_KV_OP_WRAP | SL_KV_OP_UNWRAP | SL_KV_OP_SIGN);
    cr_expect(k.nbf == 100 && k.exp == 200 && k.created == 50 && k.updated == 60);
    cr_expect_str_eq(k.recovery_level, "Recoverable");
    cr_expect_eq(k.recoverable_days, 90);

    const char *oct = "{\"key\":{\"kid\":\"https://v/keys/k/1\",\"kty\":\"oct\"},"
                      "\"attributes\":{\"enabled\":false,\"recoveryLevel\":\"Purgeable\"}}";
    cr_assert_eq(sl_crypto__key_bundle_parse(oct, strlen(oct), &k), 0);
    cr_expect(!k.enabled && !k.key_ops_listed && k.key_size == 0);
    cr_expect_str_eq(k.recovery_level, "Purgeable");

    const char *bad[] = {
        "{\"key\":{\"kty\":\"RSA\"},\"attributes\":{}}",
        "{\"key\":{\"kid\":\"https://v/keys/k\",\"kty\":\"RSA\"},\"attributes\":{}}",
        "{\"key\":{\"kid\":\"https://v/keys/k/1\",\"kty\":\"RSA\"}}",
        "{\"error\":{\"code\":\"KeyNotFound\"}}",
        "not json",
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(bad); i++) {
        cr_expect_eq(sl_crypto__key_bundle_parse(bad[i], strlen(bad[i]), &k), SL_EPARSE, "%s",
                     bad[i]);
    }
}

Test(crypto_kv_http, status_codes_map_to_classes)
{
    cr_expect_eq(sl_crypto__http_status_code(401), SL_EAUTH);
    cr_expect_eq(sl_crypto__http_status_code(403), SL_EFORBIDDEN);
    cr_expect_eq(sl_crypto__http_status_code(404), SL_ENOTFOUND);
    cr_expect_eq(sl_crypto__http_status_code(400), SL_EINVAL);
    cr_expect_eq(sl_crypto__http_status_code(408), SL_ETIMEOUT);
    cr_expect_eq(sl_crypto__http_status_code(429), SL_EBUSY);
    cr_expect_eq(sl_crypto__http_status_code(500), SL_ETRANSIENT);
    cr_expect_eq(sl_crypto__http_status_code(503), SL_ETRANSIENT);
    cr_expect_eq(sl_crypto__http_status_code(302), SL_ETRANSIENT);
}

/* ------------------------------------------------------------------------ */
/* Secret buffers                                                           */
/* ------------------------------------------------------------------------ */

Test(crypto_keymem, fixed_capacity_and_form_encoding)
{
    sl_secbuf_t b;
    cr_assert_eq(sl_crypto__secbuf_init(&b, 40), 0);
    cr_expect_eq(b.cap, 40, "exactly the capacity asked for");
    size_t cap = b.cap;
    char fill[8192];
    memset(fill, 'x', sizeof fill);
    cr_expect_eq(sl_crypto__secbuf_append(&b, fill, cap), 0);
    cr_expect_eq(sl_crypto__secbuf_append(&b, "y", 1), SL_ELIMIT, "never grows");
    cr_expect_eq(b.len, cap);
    cr_expect_eq(b.data[cap], '\0');
    sl_crypto__secbuf_reset(&b);
    cr_expect_eq(b.len, 0);
    cr_expect_eq(sl_crypto__secbuf_put_form(&b, "a b+c/=~", 8), 0);
    cr_expect_str_eq(b.data, "a%20b%2Bc%2F%3D~");
    sl_crypto__secbuf_dispose(&b);
    cr_expect_null(b.data);
    sl_crypto__secbuf_dispose(&b);
}
