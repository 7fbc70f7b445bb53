/*
 * Bearer tokens minted by the node.
 *
 *   sl1.<16 hex: token id>.<43 base64url: 32-byte secret>
 *
 * The catalog stores the id with HMAC-SHA256(token key, secret), where the
 * token key is derived from the service key: neither the catalog file nor a
 * backup of it can be turned back into a usable token. Verification looks
 * the id up and compares MACs in constant time; every failure (malformed,
 * unknown, wrong secret, expired, revoked) returns the same SL_EAUTH so
 * callers cannot leak which one it was.
 */
#include "node/node_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PREFIX "sl1."

void sl_node__token_id_hex(const uint8_t id[SL_TOKEN_ID_LEN], char out[17])
{
    sl_hex_encode(id, SL_TOKEN_ID_LEN, out);
}

static void secret_mac(sl_node_t *n, const char *secret, size_t len, uint8_t out[32])
{
    sl_hmac_sha256(sl_key_bytes(n->token_key), SL_KEY_LEN, secret, len, out);
}

int sl_node__token_mint(sl_node_t *n, sl_token_kind_t kind, const char *name,
                        const char *const *scopes, size_t nscopes, int64_t ttl_ms,
                        sl_token_rec_t *out, char secret[128], sl_diag_t *d)
{
    if (nscopes > SL_TOKEN_MAX_SCOPES)
        return sl_diag_set(d, SL_ELIMIT, "a token can have at most %d scopes",
                           SL_TOKEN_MAX_SCOPES);
    memset(out, 0, sizeof *out);
    sl_random_bytes(out->id, SL_TOKEN_ID_LEN);
    out->kind = kind;
    snprintf(out->name, sizeof out->name, "%s", name ? name : "");
    out->created = sl_time_now();
    out->expires = out->created + (ttl_ms > 0 ? ttl_ms : n->cfg->token_default_ttl_ms) *
                                      SL_TICKS_PER_MS;
    for (size_t i = 0; i < nscopes; i++) {
        if (strlen(scopes[i]) >= sizeof out->scopes[0])
            return sl_diag_set(d, SL_EINVAL, "scope \"%.40s...\" is too long", scopes[i]);
        snprintf(out->scopes[i], sizeof out->scopes[i], "%s", scopes[i]);
    }
    out->nscopes = nscopes;
    char hex[17], rnd[48];
    sl_node__token_id_hex(out->id, hex);
    sl_token_secret(rnd, 32);
    secret_mac(n, rnd, strlen(rnd), out->hash);
    snprintf(secret, 128, PREFIX "%s.%s", hex, rnd);
    sl_wipe(rnd, sizeof rnd);
    return sl_catalog_token_put(n->catalog, out, d);
}

int sl_node__token_verify(sl_node_t *n, const char *h, size_t len, sl_token_rec_t *out)
{
    /* "Bearer" is matched without regard to case (Fluent Bit sends "bearer"). */
    while (len && (*h == ' ' || *h == '\t')) {
        h++;
        len--;
    }
    if (len < 7 || strncasecmp(h, "bearer ", 7) != 0)
        return SL_EAUTH;
    h += 7;
    len -= 7;
    while (len && *h == ' ') {
        h++;
        len--;
    }
    while (len && (h[len - 1] == ' ' || h[len - 1] == '\t'))
        len--;
    size_t plen = strlen(PREFIX);
    if (len > 3 && !memcmp(h, "eyJ", 3))
        return sl_node__jwt_verify(n, h, len, out); /* an access token from /oauth2 */
    if (len < plen + 16 + 2 || memcmp(h, PREFIX, plen) != 0 || h[plen + 16] != '.')
        return SL_EAUTH;
    uint8_t id[SL_TOKEN_ID_LEN];
    if (sl_hex_decode(h + plen, 16, id))
        return SL_EAUTH;
    const char *secret = h + plen + 17;
    size_t slen = len - plen - 17;
    if (sl_catalog_token_get(n->catalog, id, out, NULL) != 0)
        return SL_EAUTH;
    uint8_t mac[32];
    secret_mac(n, secret, slen, mac);
    bool ok = sl_ct_equal(mac, out->hash, sizeof mac);
    sl_ticks_t now = sl_time_now();
    if (!ok || out->revoked != 0 || out->expires <= now)
        return SL_EAUTH;
    return 0;
}

bool sl_node__token_allows(const sl_token_rec_t *t, sl_token_kind_t kind, const char *scope)
{
    if (t->kind == SL_TOKEN_ADMIN)
        return true;
    if (t->kind != kind)
        return false;
    for (size_t i = 0; i < t->nscopes; i++)
        if (!strcmp(t->scopes[i], "*") || !strcasecmp(t->scopes[i], scope))
            return true;
    return false;
}
