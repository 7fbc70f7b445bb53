/*
 * Who may call the vault, and with which Key Vault permissions.
 *
 * Three kinds of stored principal, all kept as records whose secret part is
 * only an HMAC under a key derived from the master key (so neither a copy
 * of the data directory nor a backup yields a usable credential):
 *
 *   admin   the bootstrap token printed on first start: every permission,
 *           plus the admin API that mints the others;
 *   static  a bearer token "svt1.<id>.<secret>" with chosen permissions,
 *           optionally limited to some keys, with an expiry;
 *   client  a client_id/client_secret pair for the OAuth2 client-credentials
 *           endpoint, with the same kind of permissions.
 *
 * The two token endpoints (client credentials, managed identity) issue
 * short-lived access tokens that are not stored at all:
 *
 *   sva1.<base64url payload>.<base64url HMAC-SHA256(access key, "sva1."+payload)>
 *   payload (sl_rec): 1 kind  2 subject id  3 audience  4 issued  5 expires  6 nonce
 *
 * An access token for a client is checked against the client's record on
 * every request, so the record's permissions and expiry always apply; one
 * for the managed identity gets the permissions given at start-up, and
 * stops working when the vault restarts without the identity.
 *
 * Verification gives the same SL_EAUTH for every failure, so a caller
 * cannot probe which part of a token was wrong.
 */
#include "vault/vault_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define STATIC_PREFIX "svt1."
#define ACCESS_PREFIX "sva1."

static const char *const perm_names[] = {
    "get", "list", "create", "update", "wrapKey", "unwrapKey",
};

const char *sl_vault_perm_name(unsigned perm)
{
    for (unsigned i = 0; i < SL_ARRAY_SIZE(perm_names); i++)
        if (perm == 1u << i)
            return perm_names[i];
    return "?";
}

int sl_vault_perms_parse(const char *list, unsigned *out, sl_diag_t *d)
{
    unsigned perms = 0;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        const char *s = p;
        size_t sn = n;
        while (sn && (*s == ' ')) {
            s++;
            sn--;
        }
        while (sn && s[sn - 1] == ' ')
            sn--;
        bool found = false;
        if (sl_strn_ieq(s, sn, "all", 3)) {
            perms |= SL_VAULT_PERM_ALL;
            found = true;
        }
        for (unsigned i = 0; !found && i < SL_ARRAY_SIZE(perm_names); i++)
            if (sl_strn_ieq(s, sn, perm_names[i], strlen(perm_names[i]))) {
                perms |= 1u << i;
                found = true;
            }
        if (!found && sn)
            return sl_diag_set(d, SL_EPARSE,
                               "unknown permission \"%.*s\" (use get, list, create, update, "
                               "wrapKey, unwrapKey or all)",
                               (int)SL_MIN(sn, 40), s);
        p += n;
        if (*p == ',')
            p++;
    }
    if (!perms)
        return sl_diag_set(d, SL_EPARSE, "no permissions given");
    *out = perms;
    return 0;
}

void sl_vault_perms_format(unsigned perms, sl_buf_t *out)
{
    if ((perms & SL_VAULT_PERM_ALL) == SL_VAULT_PERM_ALL) {
        sl_buf_puts(out, "all");
        return;
    }
    bool first = true;
    for (unsigned i = 0; i < SL_ARRAY_SIZE(perm_names); i++)
        if (perms & (1u << i)) {
            sl_buf_printf(out, "%s%s", first ? "" : ",", perm_names[i]);
            first = false;
        }
}

void sl_vault_toklist_dispose(sl_vault_toklist_t *l)
{
    for (size_t i = 0; i < l->n; i++) {
        sl_wipe(l->t[i]->hash, sizeof l->t[i]->hash);
        sl_free(l->t[i]);
    }
    sl_free(l->t);
    memset(l, 0, sizeof *l);
}

void sl_vault_toklist_add(sl_vault_toklist_t *l, sl_vault_tok_t *t)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->t = sl_xrealloc(l->t, l->cap * sizeof *l->t);
    }
    l->t[l->n++] = t;
}

sl_vault_tok_t *sl_vault_toklist_find(const sl_vault_toklist_t *l,
                                      const uint8_t id[SL_VAULT_TOK_ID_LEN])
{
    for (size_t i = 0; i < l->n; i++)
        if (!memcmp(l->t[i]->id, id, SL_VAULT_TOK_ID_LEN))
            return l->t[i];
    return NULL;
}

void sl_vault_tok_id_hex(const sl_vault_tok_t *t, char out[17])
{
    sl_hex_encode(t->id, SL_VAULT_TOK_ID_LEN, out);
}

enum { T_ID = 1, T_KIND, T_NAME, T_HASH, T_PERMS, T_KEY, T_CREATED, T_EXPIRES, T_CLIENT };

void sl_vault_tok_encode(const sl_vault_tok_t *t, sl_buf_t *out)
{
    sl_rec_put_bytes(out, T_ID, t->id, SL_VAULT_TOK_ID_LEN);
    sl_rec_put_u(out, T_KIND, (uint64_t)t->kind);
    sl_rec_put_str(out, T_NAME, t->name);
    sl_rec_put_bytes(out, T_HASH, t->hash, sizeof t->hash);
    sl_rec_put_u(out, T_PERMS, t->perms);
    for (size_t i = 0; i < t->nkeys; i++)
        sl_rec_put_str(out, T_KEY, t->keys[i]);
    sl_rec_put_i(out, T_CREATED, t->created);
    sl_rec_put_i(out, T_EXPIRES, t->expires);
    if (t->kind == SL_VAULT_TOK_CLIENT)
        sl_rec_put_bytes(out, T_CLIENT, t->client_id.b, sizeof t->client_id.b);
}

static bool take_bytes(const sl_rec_field_t *f, void *out, size_t n)
{
    if (f->kind != SL_REC_BYTES || f->n != n)
        return false;
    memcpy(out, f->p, n);
    return true;
}

static bool take_str(const sl_rec_field_t *f, char *out, size_t n)
{
    if (f->kind != SL_REC_BYTES || f->n >= n || memchr(f->p, 0, f->n))
        return false;
    memcpy(out, f->p, f->n);
    out[f->n] = '\0';
    return true;
}

int sl_vault_tok_decode(const void *p, size_t n, sl_vault_tok_t *t, sl_diag_t *d)
{
    memset(t, 0, sizeof *t);
    sl_rec_reader_t r;
    sl_rec_field_t f;
    bool ok = true, have_id = false, have_hash = false;
    int st;
    sl_rec_reader_init(&r, p, n);
    while (ok && (st = sl_rec_next(&r, &f)) == 1) {
        switch (f.field) {
        case T_ID:
            ok = have_id = take_bytes(&f, t->id, SL_VAULT_TOK_ID_LEN);
            break;
        case T_KIND:
            t->kind = (sl_vault_tok_kind_t)f.u;
            break;
        case T_NAME:
            ok = take_str(&f, t->name, sizeof t->name);
            break;
        case T_HASH:
            ok = have_hash = take_bytes(&f, t->hash, sizeof t->hash);
            break;
        case T_PERMS:
            t->perms = (unsigned)f.u & SL_VAULT_PERM_ALL;
            break;
        case T_KEY:
            ok = t->nkeys < SL_VAULT_TOK_MAX_KEYS &&
                 take_str(&f, t->keys[t->nkeys], sizeof t->keys[0]);
            if (ok)
                t->nkeys++;
            break;
        case T_CREATED:
            t->created = f.i;
            break;
        case T_EXPIRES:
            t->expires = f.i;
            break;
        case T_CLIENT:
            ok = take_bytes(&f, t->client_id.b, sizeof t->client_id.b);
            break;
        default:
            break;
        }
    }
    if (!ok || st < 0 || !have_id || !have_hash || t->kind < SL_VAULT_TOK_ADMIN ||
        t->kind > SL_VAULT_TOK_CLIENT)
        return sl_diag_set(d, SL_EINTEGRITY, "token record is malformed");
    return 0;
}

static void secret_mac(const sl_key_t *k, const char *s, size_t n, uint8_t out[SL_SHA256_LEN])
{
    sl_hmac_sha256(sl_key_bytes(k), SL_KEY_LEN, s, n, out);
}

void sl_vault_tok_mint(const sl_key_t *hash_key, sl_vault_tok_kind_t kind, sl_vault_tok_t *t,
                       char secret[96])
{
    char rnd[48];
    t->kind = kind;
    sl_random_bytes(t->id, SL_VAULT_TOK_ID_LEN);
    if (kind == SL_VAULT_TOK_CLIENT)
        sl_guid_random(&t->client_id);
    sl_token_secret(rnd, 32);
    secret_mac(hash_key, rnd, strlen(rnd), t->hash);
    if (kind == SL_VAULT_TOK_CLIENT) {
        snprintf(secret, 96, "%s", rnd);
    } else {
        char hex[17];
        sl_vault_tok_id_hex(t, hex);
        snprintf(secret, 96, STATIC_PREFIX "%s.%s", hex, rnd);
    }
    sl_wipe(rnd, sizeof rnd);
}

static bool live(const sl_vault_tok_t *t, int64_t now)
{
    return t->expires == 0 || t->expires > now;
}

static void principal_of(const sl_vault_tok_t *t, sl_vault_principal_t *p)
{
    char hex[17];
    sl_vault_tok_id_hex(t, hex);
    p->tok = t;
    p->admin = t->kind == SL_VAULT_TOK_ADMIN;
    p->perms = p->admin ? SL_VAULT_PERM_ALL : t->perms;
    snprintf(p->id, sizeof p->id, "%s:%s",
             t->kind == SL_VAULT_TOK_ADMIN    ? "admin"
             : t->kind == SL_VAULT_TOK_CLIENT ? "client"
                                              : "token",
             hex);
}

/* "svt1." 16 hex digits of id "." secret: the id finds the record, the
 * secret's HMAC must match it. Client records are not bearer tokens. */
static int verify_static(const sl_vault_authctx_t *a, const char *s, size_t n, int64_t now,
                         sl_vault_principal_t *out)
{
    size_t pl = strlen(STATIC_PREFIX);
    uint8_t id[SL_VAULT_TOK_ID_LEN];
    if (n < pl + 16 + 2 || s[pl + 16] != '.' || sl_hex_decode(s + pl, 16, id))
        return SL_EAUTH;
    const sl_vault_tok_t *t = sl_vault_toklist_find(a->tokens, id);
    uint8_t mac[SL_SHA256_LEN];
    secret_mac(a->hash_key, s + pl + 17, n - pl - 17, mac);
    if (!t || !sl_ct_equal(mac, t->hash, sizeof mac) || t->kind == SL_VAULT_TOK_CLIENT ||
        !live(t, now))
        return SL_EAUTH;
    principal_of(t, out);
    return 0;
}

/* Audiences compare without a trailing slash ("https://vault.azure.net/"). */
static bool same_audience(const char *a, size_t an, const char *b)
{
    size_t bn = strlen(b);
    while (an && a[an - 1] == '/')
        an--;
    while (bn && b[bn - 1] == '/')
        bn--;
    return sl_strn_ieq(a, an, b, bn);
}

enum { A_KIND = 1, A_SUB, A_AUD, A_IAT, A_EXP, A_NONCE };

void sl_vault_access_mint(const sl_key_t *access_key, const sl_vault_tok_t *tok, const char *aud,
                          int64_t now, int64_t ttl_s, sl_buf_t *out)
{
    sl_buf_t pl = SL_BUF_INIT;
    uint8_t nonce[8];
    sl_random_bytes(nonce, sizeof nonce);
    sl_rec_put_u(&pl, A_KIND, tok ? SL_VAULT_ACCESS_CLIENT : SL_VAULT_ACCESS_MI);
    if (tok)
        sl_rec_put_bytes(&pl, A_SUB, tok->id, SL_VAULT_TOK_ID_LEN);
    sl_rec_put_str(&pl, A_AUD, aud);
    sl_rec_put_i(&pl, A_IAT, now);
    sl_rec_put_i(&pl, A_EXP, now + ttl_s);
    sl_rec_put_bytes(&pl, A_NONCE, nonce, sizeof nonce);
    size_t start = out->len;
    sl_buf_puts(out, ACCESS_PREFIX);
    sl_buf_reserve(out, SL_BASE64_LEN(pl.len) + SL_BASE64_LEN(SL_SHA256_LEN) + 2);
    out->len += sl_base64url_encode(pl.data, pl.len, out->data + out->len);
    uint8_t mac[SL_SHA256_LEN];
    sl_hmac_sha256(sl_key_bytes(access_key), SL_KEY_LEN, out->data + start, out->len - start,
                   mac);
    out->data[out->len++] = '.';
    out->len += sl_base64url_encode(mac, sizeof mac, out->data + out->len);
    out->data[out->len] = '\0';
    sl_buf_dispose(&pl);
}

static int verify_access(const sl_vault_authctx_t *a, const char *s, size_t n, int64_t now,
                         sl_vault_principal_t *out)
{
    const char *dot = memrchr(s, '.', n);
    size_t signed_n = dot ? (size_t)(dot - s) : 0;
    if (!dot || signed_n <= strlen(ACCESS_PREFIX) || n - signed_n - 1 != 43 || n > 1024)
        return SL_EAUTH;
    /* Compare the MAC as text: base64 has spare bits in its last character,
     * and a token must have exactly one spelling. */
    uint8_t mac[SL_SHA256_LEN];
    char want[SL_BASE64_LEN(SL_SHA256_LEN) + 1];
    sl_hmac_sha256(sl_key_bytes(a->access_key), SL_KEY_LEN, s, signed_n, mac);
    if (sl_base64url_encode(mac, sizeof mac, want) != 43 || !sl_ct_equal(want, dot + 1, 43))
        return SL_EAUTH;
    /* The MAC holds, so the payload is ours; decode it. */
    const char *pb = s + strlen(ACCESS_PREFIX);
    size_t pbn = signed_n - strlen(ACCESS_PREFIX);
    uint8_t pl[768];
    size_t pn;
    if (pbn > 1000 || sl_base64_decode(pb, pbn, pl, &pn))
        return SL_EAUTH;
    sl_rec_reader_t r;
    sl_rec_field_t f;
    uint64_t kind = 0;
    int64_t exp = 0;
    const uint8_t *sub = NULL;
    bool aud_ok = false;
    sl_rec_reader_init(&r, pl, pn);
    int st;
    while ((st = sl_rec_next(&r, &f)) == 1) {
        if (f.field == A_KIND)
            kind = f.u;
        else if (f.field == A_SUB && f.kind == SL_REC_BYTES && f.n == SL_VAULT_TOK_ID_LEN)
            sub = f.p;
        else if (f.field == A_AUD && f.kind == SL_REC_BYTES)
            aud_ok = same_audience((const char *)f.p, f.n, a->resource);
        else if (f.field == A_EXP)
            exp = f.i;
    }
    if (st < 0 || !aud_ok || exp <= now)
        return SL_EAUTH;
    if (kind == SL_VAULT_ACCESS_MI) {
        if (!a->mi_enabled)
            return SL_EAUTH;
        memset(out, 0, sizeof *out);
        out->perms = a->mi_perms;
        snprintf(out->id, sizeof out->id, "mi");
        return 0;
    }
    if (kind != SL_VAULT_ACCESS_CLIENT || !sub)
        return SL_EAUTH;
    const sl_vault_tok_t *t = sl_vault_toklist_find(a->tokens, sub);
    if (!t || t->kind != SL_VAULT_TOK_CLIENT || !live(t, now))
        return SL_EAUTH;
    principal_of(t, out);
    return 0;
}

int sl_vault_auth_verify(const sl_vault_authctx_t *a, const char *h, size_t len, int64_t now,
                         sl_vault_principal_t *out)
{
    memset(out, 0, sizeof *out);
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
    if (len > strlen(STATIC_PREFIX) && !memcmp(h, STATIC_PREFIX, strlen(STATIC_PREFIX)))
        return verify_static(a, h, len, now, out);
    if (len > strlen(ACCESS_PREFIX) && !memcmp(h, ACCESS_PREFIX, strlen(ACCESS_PREFIX)))
        return verify_access(a, h, len, now, out);
    return SL_EAUTH;
}

bool sl_vault_principal_key_allowed(const sl_vault_principal_t *p, const char *name)
{
    if (!p->tok || p->tok->nkeys == 0)
        return true;
    for (size_t i = 0; i < p->tok->nkeys; i++)
        if (!strcasecmp(p->tok->keys[i], name))
            return true;
    return false;
}

const sl_vault_tok_t *sl_vault_client_check(const sl_vault_authctx_t *a, const char *client_id,
                                            const char *secret, int64_t now)
{
    sl_guid_t g;
    if (sl_guid_parse(client_id, strlen(client_id), &g))
        return NULL;
    for (size_t i = 0; i < a->tokens->n; i++) {
        const sl_vault_tok_t *t = a->tokens->t[i];
        if (t->kind != SL_VAULT_TOK_CLIENT || memcmp(t->client_id.b, g.b, sizeof g.b))
            continue;
        uint8_t mac[SL_SHA256_LEN];
        secret_mac(a->hash_key, secret, strlen(secret), mac);
        return sl_ct_equal(mac, t->hash, sizeof mac) && live(t, now) ? t : NULL;
    }
    return NULL;
}
