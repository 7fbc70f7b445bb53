/*
 * Keys and their versions in memory.
 *
 * The vault is small (a customer's handful of KEKs), so the whole model is
 * loaded at start-up and kept in two sorted arrays: keys by lower-cased
 * name (Key Vault names are case-insensitive) and each key's versions by
 * creation order. Versions are never removed while running — the subset has
 * no delete — so a pointer to a version stays valid for the life of the
 * process, and only the loop thread touches the model.
 *
 * Paging positions are the last name or sequence number returned, carried
 * in an opaque $skiptoken: stable while keys are added between pages.
 */
#include "vault/vault_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const op_names[] = {
    "encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey", "import", "export",
};

const char *sl_vault_op_name(unsigned op)
{
    for (unsigned i = 0; i < SL_ARRAY_SIZE(op_names); i++)
        if (op == 1u << i)
            return op_names[i];
    return NULL;
}

unsigned sl_vault_op_parse(const char *s)
{
    for (unsigned i = 0; i < SL_ARRAY_SIZE(op_names); i++)
        if (!strcmp(op_names[i], s))
            return 1u << i;
    return 0;
}

unsigned sl_vault_ops_default(sl_vault_kty_t kty)
{
    /* What Azure Key Vault gives a key created without key_ops. */
    if (sl_vault_kty_is_oct(kty))
        return SL_VAULT_OP_ENCRYPT | SL_VAULT_OP_DECRYPT | SL_VAULT_OP_WRAP | SL_VAULT_OP_UNWRAP;
    return SL_VAULT_OP_ENCRYPT | SL_VAULT_OP_DECRYPT | SL_VAULT_OP_SIGN | SL_VAULT_OP_VERIFY |
           SL_VAULT_OP_WRAP | SL_VAULT_OP_UNWRAP;
}

sl_vault_ver_t *sl_vault_ver_create(void)
{
    sl_vault_ver_t *v = sl_xcalloc(1, sizeof *v);
    v->enabled = true;
    return v;
}

void sl_vault_ver_destroy(sl_vault_ver_t *v)
{
    if (!v)
        return;
    sl_vault_mat_unref(v->mat);
    sl_free(v->tags);
    sl_free(v);
}

void sl_vault_version_new(char out[SL_VAULT_VERSION_LEN + 1])
{
    uint8_t b[SL_VAULT_VERSION_LEN / 2];
    sl_random_bytes(b, sizeof b);
    sl_hex_encode(b, sizeof b, out);
}

bool sl_vault_name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > SL_VAULT_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-')
            return false;
    return true;
}

bool sl_vault_version_valid(const char *s)
{
    if (strlen(s) != SL_VAULT_VERSION_LEN)
        return false;
    for (size_t i = 0; i < SL_VAULT_VERSION_LEN; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return true;
}

void sl_vault_model_init(sl_vault_model_t *m)
{
    memset(m, 0, sizeof *m);
}

void sl_vault_model_dispose(sl_vault_model_t *m)
{
    for (size_t i = 0; i < m->nk; i++) {
        sl_vault_key_t *k = m->k[i];
        for (size_t j = 0; j < k->nv; j++)
            sl_vault_ver_destroy(k->v[j]);
        sl_free(k->v);
        sl_free(k);
    }
    sl_free(m->k);
    memset(m, 0, sizeof *m);
}

static void lower(const char *s, char out[SL_VAULT_NAME_MAX + 1])
{
    size_t i = 0;
    for (; s[i] && i < SL_VAULT_NAME_MAX; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[i] = '\0';
}

/* Index of the first key whose lname is >= `lname`. */
static size_t lower_bound(const sl_vault_model_t *m, const char *lname)
{
    size_t lo = 0, hi = m->nk;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(m->k[mid]->lname, lname) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

sl_vault_key_t *sl_vault_model_find(const sl_vault_model_t *m, const char *name)
{
    char l[SL_VAULT_NAME_MAX + 1];
    lower(name, l);
    size_t i = lower_bound(m, l);
    return i < m->nk && !strcmp(m->k[i]->lname, l) ? m->k[i] : NULL;
}

sl_vault_key_t *sl_vault_model_add(sl_vault_model_t *m, const char *name)
{
    sl_vault_key_t *k = sl_vault_model_find(m, name);
    if (k)
        return k;
    k = sl_xcalloc(1, sizeof *k);
    snprintf(k->name, sizeof k->name, "%s", name);
    lower(name, k->lname);
    k->next_seq = 1;
    if (m->nk == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->k = sl_xrealloc(m->k, m->cap * sizeof *m->k);
    }
    size_t i = lower_bound(m, k->lname);
    memmove(m->k + i + 1, m->k + i, (m->nk - i) * sizeof *m->k);
    m->k[i] = k;
    m->nk++;
    return k;
}

int sl_vault_key_insert(sl_vault_key_t *k, sl_vault_ver_t *v)
{
    size_t i = k->nv;
    for (size_t j = 0; j < k->nv; j++) {
        if (k->v[j]->seq == v->seq || !strcmp(k->v[j]->id, v->id))
            return SL_EEXIST;
        if (k->v[j]->seq > v->seq && i == k->nv)
            i = j;
    }
    if (k->nv == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 4;
        k->v = sl_xrealloc(k->v, k->cap * sizeof *k->v);
    }
    memmove(k->v + i + 1, k->v + i, (k->nv - i) * sizeof *k->v);
    k->v[i] = v;
    k->nv++;
    if (v->seq >= k->next_seq)
        k->next_seq = v->seq + 1;
    return 0;
}

sl_vault_ver_t *sl_vault_key_latest(const sl_vault_key_t *k)
{
    return k->nv ? k->v[k->nv - 1] : NULL;
}

sl_vault_ver_t *sl_vault_key_version(const sl_vault_key_t *k, const char *id)
{
    /* Version ids are case-insensitive hex, like names. */
    for (size_t i = 0; i < k->nv; i++)
        if (!strcasecmp(k->v[i]->id, id))
            return k->v[i];
    return NULL;
}

size_t sl_vault_page_versions(const sl_vault_key_t *k, uint64_t after_seq, size_t max,
                              size_t *first, bool *more)
{
    size_t i = 0;
    while (i < k->nv && k->v[i]->seq <= after_seq)
        i++;
    size_t n = SL_MIN(max, k->nv - i);
    *first = i;
    *more = i + n < k->nv;
    return n;
}

static bool listed(const sl_vault_key_t *k, sl_vault_key_filter_fn keep, void *arg)
{
    return k->nv && (!keep || keep(k, arg));
}

size_t sl_vault_page_keys(const sl_vault_model_t *m, const char *after_lname, size_t max,
                          sl_vault_key_filter_fn keep, void *arg, sl_vault_key_t **out,
                          bool *more)
{
    size_t i = lower_bound(m, after_lname);
    if (i < m->nk && *after_lname && !strcmp(m->k[i]->lname, after_lname))
        i++;
    size_t n = 0;
    for (; i < m->nk && n < max; i++)
        if (listed(m->k[i], keep, arg))
            out[n++] = m->k[i];
    *more = false;
    for (; i < m->nk && !*more; i++)
        *more = listed(m->k[i], keep, arg);
    return n;
}

static void skiptoken(const char *text, sl_buf_t *out)
{
    size_t n = strlen(text);
    char enc[SL_BASE64_LEN(SL_VAULT_NAME_MAX + 8) + 1];
    size_t e = sl_base64url_encode(text, n, enc);
    sl_buf_append(out, enc, e);
}

void sl_vault_skiptoken_versions(uint64_t seq, sl_buf_t *out)
{
    char t[32];
    snprintf(t, sizeof t, "v:%llu", (unsigned long long)seq);
    skiptoken(t, out);
}

void sl_vault_skiptoken_keys(const char *lname, sl_buf_t *out)
{
    char t[SL_VAULT_NAME_MAX + 3];
    snprintf(t, sizeof t, "k:%s", lname);
    skiptoken(t, out);
}

/* Decodes a token of `kind` ('v' or 'k') into its text after "x:". */
static int untoken(const char *tok, char kind, char *out, size_t outn)
{
    size_t n = strlen(tok);
    uint8_t raw[SL_VAULT_NAME_MAX + 8];
    size_t rn;
    if (n == 0 || n > SL_BASE64_LEN(SL_VAULT_NAME_MAX + 2) ||
        sl_base64_decode(tok, n, raw, &rn) || rn < 2 || raw[0] != (uint8_t)kind ||
        raw[1] != ':' || rn - 2 >= outn)
        return SL_EPARSE;
    memcpy(out, raw + 2, rn - 2);
    out[rn - 2] = '\0';
    return 0;
}

int sl_vault_skiptoken_parse_versions(const char *tok, uint64_t *seq)
{
    char t[24];
    int64_t v;
    if (untoken(tok, 'v', t, sizeof t) || sl_parse_i64(t, strlen(t), &v) || v < 0)
        return SL_EPARSE;
    *seq = (uint64_t)v;
    return 0;
}

int sl_vault_skiptoken_parse_keys(const char *tok, char lname[SL_VAULT_NAME_MAX + 1])
{
    if (untoken(tok, 'k', lname, SL_VAULT_NAME_MAX + 1))
        return SL_EPARSE;
    return lname[0] && sl_vault_name_valid(lname) ? 0 : SL_EPARSE;
}

const char *sl_vault_recovery_level(bool soft_delete, bool purge_protection, int *days)
{
    /* "Purgeable" in a level means purge is possible, i.e. no purge
     * protection; without soft delete nothing is recoverable at all. The
     * retention of soft-deleted keys is Key Vault's default, 90 days. */
    if (!soft_delete) {
        *days = 0;
        return "Purgeable";
    }
    *days = 90;
    return purge_protection ? "Recoverable" : "Recoverable+Purgeable";
}
