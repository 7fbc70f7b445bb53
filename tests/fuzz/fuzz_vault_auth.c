/*
 * Fuzzes what sealog-vault parses from callers before trusting them: the
 * Authorization header (static tokens and "sva1." access tokens, whose
 * payload is decoded after the MAC check), $skiptoken values, api-version,
 * permission lists; and the record decoders (records are authenticated
 * before decoding, but a decoder must never misbehave on any input).
 *
 * Invariants: verification of a random header never succeeds unless the
 * header holds a real token; decoded tokens keep their bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "vault/vault_int.h"

typedef struct fixture {
    sl_key_t *hash_key, *access_key;
    sl_vault_toklist_t tokens;
    sl_vault_authctx_t auth;
    char secret[96];
    sl_buf_t access;
} fixture_t;

/* Built once: libFuzzer calls the target many times in one process. */
static fixture_t *fixture(void)
{
    static fixture_t *f;
    if (f)
        return f;
    f = sl_xcalloc(1, sizeof *f);
    if (sl_key_create_random(&f->hash_key) || sl_key_create_random(&f->access_key))
        abort();
    sl_vault_tok_t *t = sl_xcalloc(1, sizeof *t);
    sl_vault_tok_mint(f->hash_key, SL_VAULT_TOK_CLIENT, t, f->secret);
    t->perms = SL_VAULT_PERM_GET;
    sl_vault_toklist_add(&f->tokens, t);
    f->auth = (sl_vault_authctx_t){ f->hash_key, f->access_key, &f->tokens,
                                    "https://vault.azure.net", true, SL_VAULT_PERM_GET };
    sl_vault_access_mint(f->access_key, t, "https://vault.azure.net", 1000, 3600, &f->access);
    return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fixture_t *f = fixture();
    if (size == 0)
        return 0;
    char *s = sl_xstrndup((const char *)data + 1, size - 1); /* stops at a NUL */
    sl_vault_principal_t p;
    switch (data[0] % 6) {
    case 0: {
        /* Random headers, and random tails glued to a real token's prefix. */
        if (sl_vault_auth_verify(&f->auth, s, strlen(s), 2000, &p) == 0 &&
            !strstr(s, f->access.data))
            abort();
        sl_buf_t h = SL_BUF_INIT;
        int keep = (int)SL_MIN(f->access.len, (size - 1) % 64);
        sl_buf_printf(&h, "Bearer %.*s%s", keep, f->access.data, s);
        if (sl_vault_auth_verify(&f->auth, h.data, h.len, 2000, &p) == 0 &&
            !strstr(h.data, f->access.data))
            abort();
        sl_buf_dispose(&h);
        break;
    }
    case 1: {
        uint64_t seq;
        char lname[SL_VAULT_NAME_MAX + 1];
        if (sl_vault_skiptoken_parse_keys(s, lname) == 0 && !sl_vault_name_valid(lname))
            abort();
        (void)sl_vault_skiptoken_parse_versions(s, &seq);
        break;
    }
    case 2: {
        unsigned perms;
        sl_diag_t d;
        if (sl_vault_perms_parse(s, &perms, &d) == 0 && (perms & ~(unsigned)SL_VAULT_PERM_ALL))
            abort();
        (void)sl_vault_api_version_ok(s);
        break;
    }
    case 3: {
        sl_vault_tok_t t;
        sl_diag_t d;
        if (sl_vault_tok_decode(data + 1, size - 1, &t, &d) == 0 &&
            t.nkeys > SL_VAULT_TOK_MAX_KEYS)
            abort();
        break;
    }
    case 4: {
        char name[SL_VAULT_NAME_MAX + 1];
        sl_vault_ver_t *v = NULL;
        sl_diag_t d;
        if (sl_vault_ver_decode(data + 1, size - 1, name, &v, &d) == 0) {
            if (!sl_vault_name_valid(name) || !v->mat)
                abort();
            sl_vault_ver_destroy(v);
        }
        break;
    }
    default: {
        sl_buf_t pt = SL_BUF_INIT;
        sl_diag_t d;
        if (sl_vault_file_unseal(f->hash_key, SL_VAULT_REC_KEY, "key:k/v", data + 1, size - 1,
                                 &pt, &d) == 0)
            abort(); /* forging a sealed record without the key */
        sl_buf_dispose(&pt);
        break;
    }
    }
    sl_free(s);
    return 0;
}
