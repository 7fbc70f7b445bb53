/*
 * wrapkey and unwrapkey — the two calls the sealog node depends on.
 *
 * Checks, in order: the body ({"alg","value"}, 400), the key and version
 * (404, an empty version meaning the latest), the key's state (403), the
 * key's key_ops (403), the algorithm against the key type (400); then the
 * RSA or AES operation runs on the thread pool and the answer is
 * {"kid": <full kid with version>, "value": <base64url>}.
 *
 * Key state rules (docs/VAULT.md):
 *
 *                      wrapKey                  unwrapKey
 *   disabled           403 KeyDisabled          403 KeyDisabled
 *   before nbf         403 KeyNotYetValid       403 KeyNotYetValid
 *   after exp          403 KeyExpired           allowed
 *
 * Unwrap stays allowed after `exp` so that data wrapped while the key was
 * valid never becomes unreadable ("do not crypto-lock customers"), while no
 * new data can be wrapped with an expired key. Wrap on a disabled key is
 * refused too (Azure reportedly allows it): a customer who disables a key
 * means "stop using it", and the node must not protect new data with it.
 *
 * An unwrap whose input this key did not produce (wrong key, wrong
 * algorithm, corrupted value) is 400 BadParameter with innererror
 * IntegrityCheckFailed — the node treats that as a refusal, not as a
 * transport failure.
 */
#include "vault/vault_int.h"

#include <string.h>

#define VALUE_MAX 8192 /* base64 characters: RSA-4096 needs 683 */

typedef struct crypt_job {
    sl_vault_req_t *r;
    bool unwrap;
    sl_vault_alg_t alg;
    sl_vault_mat_t *mat;
    const char *name, *version; /* the key's stored spelling; live for the process */
    sl_buf_t in, out;
    int rc;
    sl_diag_t diag;
} crypt_job_t;

static void crypt_run(void *arg)
{
    crypt_job_t *j = arg;
    const uint8_t *in = (const uint8_t *)j->in.data;
    j->rc = j->unwrap ? sl_vault_unwrap(j->mat, j->alg, in, j->in.len, &j->out, &j->diag)
                      : sl_vault_wrap(j->mat, j->alg, in, j->in.len, &j->out, &j->diag);
}

static void crypt_done(void *arg)
{
    crypt_job_t *j = arg;
    sl_vault_req_t *r = j->r;
    const char *op = j->unwrap ? "unwrapKey" : "wrapKey";
    char outcome[64];
    snprintf(outcome, sizeof outcome, "%s alg=%s",
             !j->rc                     ? "ok"
             : j->rc == SL_EINTEGRITY   ? "error:IntegrityCheckFailed"
             : j->rc == SL_EINVAL       ? "error:BadParameter"
                                        : "error:internal",
             sl_vault_alg_name(j->alg));
    sl_vault_audit(r, op, j->name, j->version, outcome);
    if (sl_vault_req_resume(r)) {
        if (j->rc == SL_EINTEGRITY) {
            sl_vault_respond_error(r, 400, "BadParameter", "IntegrityCheckFailed", "%s",
                                   j->diag.msg);
        } else if (j->rc == SL_EINVAL) {
            sl_vault_respond_error(r, 400, "BadParameter", NULL, "%s", j->diag.msg);
        } else if (j->rc) {
            sl_log(r->vault->log, SL_LOG_ERROR, "vault", "%s failed: %s", op, j->diag.msg);
            sl_vault_respond_error(r, 500, "InternalError", NULL, "The %s operation failed.", op);
        } else {
            sl_buf_t b = SL_BUF_INIT, kid = SL_BUF_INIT;
            sl_vault_kid(&kid, r->vault->public_url, j->name, j->version);
            char *enc = sl_xmalloc(SL_BASE64_LEN(j->out.len) + 1);
            size_t n = sl_base64url_encode(j->out.data, j->out.len, enc);
            sl_jw_t w;
            sl_jw_init(&w, &b);
            sl_jw_obj_begin(&w);
            sl_jw_key(&w, "kid");
            sl_jw_strn(&w, kid.data, kid.len);
            sl_jw_key(&w, "value");
            sl_jw_strn(&w, enc, n);
            sl_jw_obj_end(&w);
            sl_wipe(enc, n);
            sl_free(enc);
            sl_buf_dispose(&kid);
            sl_vault_respond_json(r, 200, &b);
        }
    }
    sl_buf_wipe(&j->in);
    sl_buf_wipe(&j->out);
    sl_vault_mat_unref(j->mat);
    sl_free(j);
}

/* The 403s of the state table in the header comment. */
static bool check_state(sl_vault_req_t *r, const sl_vault_key_t *k, const sl_vault_ver_t *ver,
                        bool unwrap)
{
    const char *op = unwrap ? "unwrapKey" : "wrapKey";
    if (!sl_vault__check_enabled(r, k, ver, op))
        return false;
    int64_t now = sl_time_now() / SL_TICKS_PER_SEC;
    const char *inner = NULL, *why = NULL;
    if (ver->has_nbf && now < ver->nbf) {
        inner = "KeyNotYetValid";
        why = "before the key's activation time (nbf)";
    } else if (!unwrap && ver->has_exp && now >= ver->exp) {
        inner = "KeyExpired";
        why = "on an expired key (exp has passed; unwrapKey still works)";
    }
    if (inner) {
        sl_vault_audit(r, op, k->name, ver->id, inner);
        sl_vault_respond_error(r, 403, "Forbidden", inner, "Operation %s is not allowed %s.", op,
                               why);
        return false;
    }
    unsigned need = unwrap ? SL_VAULT_OP_UNWRAP : SL_VAULT_OP_WRAP;
    if (!(ver->ops & need)) {
        sl_vault_audit(r, op, k->name, ver->id, "denied:key_ops");
        sl_vault_respond_error(r, 403, "Forbidden", "KeyOperationNotAllowed",
                               "Operation %s is not permitted by the key's key_ops.", op);
        return false;
    }
    return true;
}

static void handle(sl_vault_req_t *r, bool unwrap)
{
    json_t *body = sl_vault__body_object(r);
    if (!body)
        return;
    crypt_job_t *j = sl_xcalloc(1, sizeof *j);
    j->r = r;
    j->unwrap = unwrap;
    json_t *alg = json_object_get(body, "alg");
    json_t *val = json_object_get(body, "value");
    j->alg = json_is_string(alg) ? sl_vault_alg_parse(json_string_value(alg)) : 0;
    if (!j->alg) {
        sl_vault_respond_error(r, 400, "BadParameter", NULL,
                               "Invalid algorithm '%.40s': use RSA-OAEP-256, RSA-OAEP or RSA1_5 "
                               "with RSA keys, A256KW with oct keys.",
                               json_is_string(alg) ? json_string_value(alg) : "(missing)");
        goto fail;
    }
    const char *text = json_is_string(val) ? json_string_value(val) : NULL;
    size_t tn = text ? strlen(text) : 0;
    if (!tn) {
        sl_vault_respond_error(r, 400, "BadParameter", NULL, "Property 'value' is required.");
        goto fail;
    }
    /* base64url as Key Vault sends it; padded and standard base64 too. */
    sl_buf_reserve(&j->in, tn);
    if (tn > VALUE_MAX || sl_base64_decode(text, tn, (uint8_t *)j->in.data, &j->in.len)) {
        sl_vault_respond_error(r, 400, "BadParameter", NULL,
                               "Content of 'value' is not base64url (or is longer than %d "
                               "characters).",
                               VALUE_MAX);
        goto fail;
    }
    sl_vault_key_t *k;
    sl_vault_ver_t *ver = sl_vault__resolve(r, &k);
    if (!ver || !check_state(r, k, ver, unwrap))
        goto fail;
    if (!sl_vault_alg_fits(j->alg, ver->kty)) {
        sl_vault_respond_error(r, 400, "BadParameter", NULL,
                               "Algorithm %s is not supported for key type %s.",
                               sl_vault_alg_name(j->alg), sl_vault_kty_name(ver->kty));
        goto fail;
    }
    json_decref(body);
    j->mat = sl_vault_mat_ref(ver->mat);
    j->name = k->name;
    j->version = ver->id;
    sl_vault_req_suspend(r);
    sl_vault__run(r->vault, crypt_run, crypt_done, j);
    return;
fail:
    json_decref(body);
    sl_buf_wipe(&j->in);
    sl_free(j);
}

void sl_vault_h_wrap(sl_vault_req_t *r)
{
    handle(r, false);
}

void sl_vault_h_unwrap(sl_vault_req_t *r)
{
    handle(r, true);
}
