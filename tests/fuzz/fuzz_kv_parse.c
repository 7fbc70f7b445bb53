/*
 * Fuzzes what the vault client reads from peers: the allocation-free JSON
 * scanner (unwrapkey and token answers), token answers, WWW-Authenticate
 * challenges, Key Vault errors, KeyBundles and key identifiers. Checks the
 * invariants the client relies on: a token handed out is a clean b64token, a
 * scope always fits, decoded strings hold no NUL and stay in bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    const char *json = (const char *)data;

    static const char *names[] = { "value", "kid", "access_token", "expires_in", "error" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        sl_kvj_val_t v;
        int rc = sl_crypto__json_member(json, size, names[i], &v);
        if (rc == 1) {
            if (v.p < json || v.p + v.n > json + size) {
                abort();
            }
            char out[256];
            size_t n;
            if (v.type == SL_KVJ_STRING && !sl_crypto__json_str(&v, out, sizeof out, &n) &&
                (n >= sizeof out || strlen(out) != n)) {
                abort();
            }
            int64_t x;
            (void)sl_crypto__json_int(&v, &x);
        } else if (rc != 0 && rc != SL_EPARSE) {
            abort();
        }
    }

    sl_secbuf_t tok;
    if (sl_crypto__secbuf_init(&tok, SL_TOKEN_MAX) == 0) {
        int64_t life;
        if (sl_crypto__token_parse(json, size, 1700000000, &tok, &life) == 0 &&
            (!sl_crypto__token_chars_ok(tok.data, tok.len) || life < 0)) {
            abort();
        }
        sl_crypto__secbuf_dispose(&tok);
    }

    sl_kv_challenge_t c;
    if (sl_crypto__challenge_parse(text, &c) == 0) {
        char scope[512];
        if (sl_crypto__challenge_scope(&c, scope, sizeof scope) == 0) {
            if (strlen(scope) >= sizeof scope) {
                abort();
            }
            (void)sl_crypto__challenge_verify("myvault.vault.azure.net", scope, NULL);
        }
    }

    sl_kv_error_t e;
    sl_crypto__kv_error_parse(json, size, &e);
    for (const char *p = e.message; *p; p++) {
        if ((unsigned char)*p < 0x20) {
            abort(); /* messages are one clean line */
        }
    }
    sl_kv_key_info_t info;
    (void)sl_crypto__key_bundle_parse(json, size, &info);
    sl_kv_kid_t kid;
    if (size < 2048 && sl_crypto__kid_parse(text, &kid) == 0 &&
        (!sl_crypto__kv_name_ok(kid.name) || !sl_crypto__kv_version_ok(kid.version))) {
        abort();
    }
    free(text);
    return 0;
}
