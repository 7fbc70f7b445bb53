/*
 * Key management: create (a new version), get, update, list versions, list
 * keys — the Key Vault operations of PROTOCOLS.md §4.3.
 *
 * Create generates the material on the thread pool (a 4096-bit RSA key
 * takes seconds) and then goes through the write queue; update goes
 * through the write queue only. Both answer after the record is durable.
 * Reads answer from memory.
 *
 * A disabled key refuses `get` with 403 KeyDisabled, as Azure does; update
 * always works, or a disabled key could never be enabled again. The key
 * list and the version list show disabled keys with enabled:false.
 */
#include "vault/vault_int.h"

#include <stdio.h>
#include <string.h>

#define PAGE_MAX 25 /* Key Vault's maxresults limit */
#define TAGS_MAX 15

json_t *sl_vault__body_object(sl_vault_req_t *r)
{
    size_t n;
    const char *body = sl_vault_req_body(r, &n);
    json_error_t err;
    json_t *j = n ? json_loadb(body, n, JSON_REJECT_DUPLICATES, &err) : NULL;
    if (!json_is_object(j)) {
        if (!n)
            sl_vault_respond_error(r, 400, "BadParameter", NULL,
                                   "The request body is empty; a JSON object is required.");
        else if (!j)
            sl_vault_respond_error(r, 400, "BadParameter", NULL,
                                   "The request body is not valid JSON: %s (line %d).", err.text,
                                   err.line);
        else
            sl_vault_respond_error(r, 400, "BadParameter", NULL,
                                   "The request body must be a JSON object.");
        json_decref(j);
        return NULL;
    }
    return j;
}

static bool not_found(sl_vault_req_t *r, const char *version)
{
    sl_vault_respond_error(r, 404, "KeyNotFound", NULL,
                           "A key with (name/id) %s%s%s was not found in this key vault.",
                           r->name, version && *version ? "/" : "", version ? version : "");
    return false;
}

sl_vault_ver_t *sl_vault__resolve(sl_vault_req_t *r, sl_vault_key_t **kout)
{
    sl_vault_key_t *k = sl_vault_model_find(&r->vault->model, r->name);
    if (!k || !k->nv) {
        not_found(r, NULL);
        return NULL;
    }
    sl_vault_ver_t *v = NULL;
    if (!r->version || !*r->version)
        v = sl_vault_key_latest(k);
    else if (sl_vault_version_valid(r->version))
        v = sl_vault_key_version(k, r->version);
    if (!v) {
        not_found(r, r->version);
        return NULL;
    }
    *kout = k;
    return v;
}

bool sl_vault__check_enabled(sl_vault_req_t *r, const sl_vault_key_t *k,
                             const sl_vault_ver_t *ver, const char *op)
{
    if (ver->enabled)
        return true;
    sl_vault_audit(r, op, k->name, ver->id, "denied:KeyDisabled");
    sl_vault_respond_error(r, 403, "Forbidden", "KeyDisabled",
                           "Operation %s is not allowed on a disabled key.", op);
    return false;
}

/* Sends the KeyBundle of `ver`. */
static void respond_bundle(sl_vault_req_t *r, const sl_vault_key_t *k, const sl_vault_ver_t *ver)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_jw_t w;
    sl_jw_init(&w, &b);
    sl_vault_json_bundle(&w, &r->vault->view, k->name, ver);
    sl_vault_respond_json(r, 200, &b);
}

/* ------------------------------------------------------------------------ */
/* Request fields shared by create and update                               */
/* ------------------------------------------------------------------------ */

/* The changes a create or update asks for. Parsed and validated before the
 * write is queued, applied to a copy when the write's turn comes, and to the
 * live version only once the record is durable. */
typedef struct fields {
    bool set_ops, set_enabled, set_nbf, set_exp, set_tags;
    unsigned ops;
    bool enabled;
    bool has_nbf, has_exp; /* false with set_*: clear it */
    int64_t nbf, exp;
    char *tags; /* compact JSON, NULL with set_tags: clear */
} fields_t;

static void fields_dispose(fields_t *f)
{
    sl_free(f->tags);
}

static bool bad(sl_vault_req_t *r, const char *fmt, const char *what)
{
    sl_vault_respond_error(r, 400, "BadParameter", NULL, fmt, what);
    return false;
}

static bool parse_time(sl_vault_req_t *r, json_t *j, const char *name, bool *set, bool *has,
                       int64_t *out)
{
    if (!j)
        return true;
    *set = true;
    if (json_is_null(j)) {
        *has = false;
        return true;
    }
    if (!json_is_number(j))
        return bad(r, "Property 'attributes.%s' must be a number of Unix seconds.", name);
    double t = json_number_value(j);
    if (t < 0 || t > 253402300799.0) /* 9999-12-31 */
        return bad(r, "Property 'attributes.%s' is out of range.", name);
    *has = true;
    *out = (int64_t)t;
    return true;
}

/* Reads key_ops, attributes and tags from `body` into `f`. */
static bool parse_fields(sl_vault_req_t *r, json_t *body, fields_t *f)
{
    json_t *ops = json_object_get(body, "key_ops");
    if (ops && !json_is_null(ops)) {
        if (!json_is_array(ops))
            return bad(r, "Property '%s' must be an array of operation names.", "key_ops");
        f->set_ops = true;
        size_t i;
        json_t *o;
        json_array_foreach(ops, i, o)
        {
            unsigned bit = json_is_string(o) ? sl_vault_op_parse(json_string_value(o)) : 0;
            if (!bit)
                return bad(r,
                           "Invalid key operation '%s' (use encrypt, decrypt, sign, verify, "
                           "wrapKey, unwrapKey, import or export).",
                           json_is_string(o) ? json_string_value(o) : "(not a string)");
            f->ops |= bit;
        }
    }
    json_t *attr = json_object_get(body, "attributes");
    if (attr && !json_is_null(attr)) {
        if (!json_is_object(attr))
            return bad(r, "Property '%s' must be an object.", "attributes");
        json_t *en = json_object_get(attr, "enabled");
        if (en && !json_is_null(en)) {
            if (!json_is_boolean(en))
                return bad(r, "Property 'attributes.%s' must be true or false.", "enabled");
            f->set_enabled = true;
            f->enabled = json_is_true(en);
        }
        if (!parse_time(r, json_object_get(attr, "nbf"), "nbf", &f->set_nbf, &f->has_nbf,
                        &f->nbf) ||
            !parse_time(r, json_object_get(attr, "exp"), "exp", &f->set_exp, &f->has_exp,
                        &f->exp))
            return false;
        if (json_is_true(json_object_get(attr, "exportable")))
            return bad(r, "%s keys need a release policy, which this vault does not support.",
                       "Exportable");
    }
    json_t *tags = json_object_get(body, "tags");
    if (tags) {
        f->set_tags = true;
        if (json_is_null(tags))
            return true;
        if (!json_is_object(tags))
            return bad(r, "Property '%s' must be an object of strings.", "tags");
        if (json_object_size(tags) > TAGS_MAX)
            return bad(r, "At most 15 tags are allowed%s.", "");
        const char *key;
        json_t *val;
        json_object_foreach(tags, key, val)
        {
            if (!json_is_string(val) || strlen(key) > 512 ||
                strlen(json_string_value(val)) > 256)
                return bad(r,
                           "Tag '%.60s' is invalid: names are up to 512 characters and values "
                           "are strings of up to 256.",
                           key);
        }
        if (json_object_size(tags)) {
            char *s = json_dumps(tags, JSON_COMPACT | JSON_SORT_KEYS);
            f->tags = sl_xstrdup(s);
            free(s);
        }
    }
    return true;
}

static void apply_fields(sl_vault_ver_t *v, const fields_t *f)
{
    if (f->set_ops)
        v->ops = f->ops;
    if (f->set_enabled)
        v->enabled = f->enabled;
    if (f->set_nbf) {
        v->has_nbf = f->has_nbf;
        v->nbf = f->nbf;
    }
    if (f->set_exp) {
        v->has_exp = f->has_exp;
        v->exp = f->exp;
    }
    if (f->set_tags) {
        sl_free(v->tags);
        v->tags = f->tags ? sl_xstrdup(f->tags) : NULL;
    }
}

/* Seals `ver` of key `k` into the write job `w`. */
static void stage_record(sl_vault_write_t *w, const sl_vault_key_t *k, const sl_vault_ver_t *ver)
{
    sl_vault_t *v = w->vault;
    char ident[SL_VAULT_NAME_MAX + 64];
    sl_vault_ver_ident(k->lname, ver->id, ident, sizeof ident);
    sl_buf_t pt = SL_BUF_INIT;
    sl_vault_ver_encode(k->name, ver, &pt);
    sl_vault_file_seal(v->rec_key, SL_VAULT_REC_KEY, ident, pt.data, pt.len, &w->data);
    sl_buf_wipe(&pt);
    sl_vault__ver_path(v, k->lname, ver->id, w->path, sizeof w->path);
    sl_vault__key_dir(v, k->lname, w->mkdir, sizeof w->mkdir);
}

static int64_t now_s(void)
{
    return sl_time_now() / SL_TICKS_PER_SEC;
}

/* ------------------------------------------------------------------------ */
/* Create                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct create_job {
    sl_vault_req_t *r;
    sl_vault_kty_t kty;
    unsigned bits;
    unsigned long exponent;
    fields_t f;
    sl_vault_mat_t *mat;
    sl_vault_key_t *key;
    sl_vault_ver_t *ver;
    int rc;
    sl_diag_t diag;
} create_job_t;

static void create_job_free(create_job_t *j)
{
    fields_dispose(&j->f);
    sl_vault_mat_unref(j->mat);
    sl_vault_ver_destroy(j->ver);
    sl_free(j);
}

static int create_prepare(sl_vault_write_t *w)
{
    create_job_t *j = w->arg;
    j->key = sl_vault_model_add(&w->vault->model, j->r->name);
    sl_vault_ver_t *ver = sl_vault_ver_create();
    /* The sequence number orders versions ("latest" = highest); it is taken
     * here, in write order, so concurrent creates of one key cannot share it. */
    ver->seq = j->key->next_seq++;
    do {
        sl_vault_version_new(ver->id);
    } while (sl_vault_key_version(j->key, ver->id));
    ver->kty = j->kty;
    ver->bits = j->bits;
    ver->ops = sl_vault_ops_default(j->kty);
    ver->created = ver->updated = now_s();
    apply_fields(ver, &j->f);
    ver->mat = sl_vault_mat_ref(j->mat);
    j->ver = ver;
    stage_record(w, j->key, ver);
    return 0;
}

static void create_done(sl_vault_write_t *w, int rc)
{
    create_job_t *j = w->arg;
    sl_vault_req_t *r = j->r;
    if (!rc) {
        sl_vault_key_insert(j->key, j->ver); /* seq and id are fresh: cannot collide */
        sl_vault_audit(r, "create", j->key->name, j->ver->id, "ok");
    } else {
        sl_log(w->vault->log, SL_LOG_ERROR, "vault", "key create failed: %s", w->diag.msg);
    }
    if (sl_vault_req_resume(r)) {
        if (rc)
            sl_vault_respond_error(r, 500, "InternalError", NULL,
                                   "The key could not be stored; nothing was created.");
        else
            respond_bundle(r, j->key, j->ver);
    }
    if (!rc)
        j->ver = NULL; /* owned by the key now */
    create_job_free(j);
}

static void create_generate(void *arg)
{
    create_job_t *j = arg;
    j->rc = sl_vault_mat_generate(j->kty, j->bits, j->exponent, &j->mat, &j->diag);
}

static void create_generated(void *arg)
{
    create_job_t *j = arg;
    if (j->rc) {
        sl_vault_req_t *r = j->r;
        if (sl_vault_req_resume(r))
            sl_vault_respond_error(r, 500, "InternalError", NULL, "Key generation failed: %s",
                                   j->diag.msg);
        create_job_free(j);
        return;
    }
    sl_vault_write_t *w = sl_xcalloc(1, sizeof *w);
    w->prepare = create_prepare;
    w->done = create_done;
    w->arg = j;
    sl_vault__write_submit(j->r->vault, w);
}

void sl_vault_h_key_create(sl_vault_req_t *r)
{
    json_t *body = sl_vault__body_object(r);
    if (!body)
        return;
    create_job_t *j = sl_xcalloc(1, sizeof *j);
    j->r = r;
    json_t *kty = json_object_get(body, "kty");
    j->kty = json_is_string(kty) ? sl_vault_kty_parse(json_string_value(kty)) : 0;
    if (!j->kty) {
        bad(r, "Key type '%s' is not supported by this vault; use RSA, oct or oct-HSM.",
            json_is_string(kty) ? json_string_value(kty) : "(missing)");
        goto fail;
    }
    json_t *size = json_object_get(body, "key_size");
    if (size && !json_is_null(size) && !json_is_integer(size)) {
        bad(r, "Property '%s' must be an integer.", "key_size");
        goto fail;
    }
    j->bits = json_is_integer(size) ? (unsigned)json_integer_value(size)
              : sl_vault_kty_is_oct(j->kty) ? 256
                                            : 2048;
    json_t *pe = json_object_get(body, "public_exponent");
    j->exponent = json_is_integer(pe) ? (unsigned long)json_integer_value(pe) : 65537;
    if (sl_vault_kty_is_oct(j->kty) ? j->bits != 256
                                    : (j->bits != 2048 && j->bits != 3072 && j->bits != 4096)) {
        char what[64];
        snprintf(what, sizeof what, "%lld for %s", (long long)json_integer_value(size),
                 sl_vault_kty_name(j->kty));
        bad(r, "Invalid key_size %s: RSA keys are 2048, 3072 or 4096 bits, oct keys 256.", what);
        goto fail;
    }
    if ((pe && !json_is_null(pe) && !json_is_integer(pe)) ||
        (j->exponent != 3 && j->exponent != 65537)) {
        bad(r, "Invalid public_exponent%s: use 65537 (or 3).", "");
        goto fail;
    }
    json_t *rp = json_object_get(body, "release_policy");
    if (rp && !json_is_null(rp)) {
        bad(r, "%s is not supported by this vault.", "release_policy");
        goto fail;
    }
    if (!parse_fields(r, body, &j->f))
        goto fail;
    json_decref(body);
    sl_vault_req_suspend(r);
    sl_vault__run(r->vault, create_generate, create_generated, j);
    return;
fail:
    json_decref(body);
    create_job_free(j);
}

/* ------------------------------------------------------------------------ */
/* Get and update                                                           */
/* ------------------------------------------------------------------------ */

void sl_vault_h_key_get(sl_vault_req_t *r)
{
    sl_vault_key_t *k;
    sl_vault_ver_t *ver = sl_vault__resolve(r, &k);
    if (!ver || !sl_vault__check_enabled(r, k, ver, "get"))
        return;
    sl_vault_audit(r, "get", k->name, ver->id, "ok");
    respond_bundle(r, k, ver);
}

typedef struct update_job {
    sl_vault_req_t *r;
    sl_vault_key_t *key;
    sl_vault_ver_t *ver;
    fields_t f;
    int64_t updated;
} update_job_t;

static int update_prepare(sl_vault_write_t *w)
{
    update_job_t *j = w->arg;
    /* Build the record from the current state plus this update; memory is
     * changed only once the record is on disk. */
    sl_vault_ver_t next = *j->ver;
    next.tags = j->ver->tags ? sl_xstrdup(j->ver->tags) : NULL;
    apply_fields(&next, &j->f);
    j->updated = next.updated = SL_MAX(now_s(), j->ver->created);
    stage_record(w, j->key, &next);
    sl_free(next.tags);
    return 0;
}

static void update_done(sl_vault_write_t *w, int rc)
{
    update_job_t *j = w->arg;
    sl_vault_req_t *r = j->r;
    if (!rc) {
        apply_fields(j->ver, &j->f);
        j->ver->updated = j->updated;
        sl_vault_audit(r, "update", j->key->name, j->ver->id,
                       j->f.set_enabled ? (j->f.enabled ? "ok:enabled" : "ok:disabled") : "ok");
    } else {
        sl_log(w->vault->log, SL_LOG_ERROR, "vault", "key update failed: %s", w->diag.msg);
    }
    if (sl_vault_req_resume(r)) {
        if (rc)
            sl_vault_respond_error(r, 500, "InternalError", NULL,
                                   "The update could not be stored; the key is unchanged.");
        else
            respond_bundle(r, j->key, j->ver);
    }
    fields_dispose(&j->f);
    sl_free(j);
}

void sl_vault_h_key_update(sl_vault_req_t *r)
{
    json_t *body = sl_vault__body_object(r);
    if (!body)
        return;
    update_job_t *j = sl_xcalloc(1, sizeof *j);
    j->r = r;
    bool ok = parse_fields(r, body, &j->f);
    json_decref(body);
    if (!ok || !(j->ver = sl_vault__resolve(r, &j->key))) {
        fields_dispose(&j->f);
        sl_free(j);
        return;
    }
    sl_vault_write_t *w = sl_xcalloc(1, sizeof *w);
    w->prepare = update_prepare;
    w->done = update_done;
    w->arg = j;
    sl_vault_req_suspend(r);
    sl_vault__write_submit(r->vault, w);
}

/* ------------------------------------------------------------------------ */
/* Lists                                                                    */
/* ------------------------------------------------------------------------ */

/* maxresults (1-25, default 25); answers 400 and returns 0 when invalid. */
static size_t page_size(sl_vault_req_t *r)
{
    const char *m = sl_target_param(&r->target, "maxresults");
    int64_t n = PAGE_MAX;
    if (m && (sl_parse_i64(m, strlen(m), &n) || n < 1 || n > PAGE_MAX)) {
        sl_vault_respond_error(r, 400, "BadParameter", NULL,
                               "Invalid maxresults '%.20s': use 1 to 25.", m);
        return 0;
    }
    return (size_t)n;
}

/* Writes "nextLink": an absolute URL to the next page, or null. Clients
 * follow it verbatim, so it carries the caller's api-version and maxresults;
 * the position is an opaque $skiptoken, as in Azure's links. */
static void next_link(sl_vault_req_t *r, sl_jw_t *w, const char *path, const sl_buf_t *tok)
{
    sl_jw_key(w, "nextLink");
    if (!tok) {
        sl_jw_null(w);
        return;
    }
    sl_buf_t u = SL_BUF_INIT;
    sl_buf_printf(&u, "%s%s?api-version=", r->vault->public_url, path);
    const char *api = sl_target_param(&r->target, "api-version");
    sl_percent_encode(&u, api, strlen(api));
    sl_buf_printf(&u, "&$skiptoken=%s", tok->data);
    const char *m = sl_target_param(&r->target, "maxresults");
    if (m)
        sl_buf_printf(&u, "&maxresults=%s", m);
    sl_jw_strn(w, u.data, u.len);
    sl_buf_dispose(&u);
}

void sl_vault_h_key_versions(sl_vault_req_t *r)
{
    size_t max = page_size(r);
    if (!max)
        return;
    sl_vault_key_t *k = sl_vault_model_find(&r->vault->model, r->name);
    if (!k || !k->nv) {
        not_found(r, NULL);
        return;
    }
    uint64_t after = 0;
    const char *skip = sl_target_param(&r->target, "$skiptoken");
    if (skip && sl_vault_skiptoken_parse_versions(skip, &after)) {
        bad(r, "Invalid %s.", "$skiptoken");
        return;
    }
    size_t first;
    bool more;
    size_t n = sl_vault_page_versions(k, after, max, &first, &more);
    sl_buf_t b = SL_BUF_INIT, tok = SL_BUF_INIT;
    sl_jw_t w;
    sl_jw_init(&w, &b);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "value");
    sl_jw_arr_begin(&w);
    for (size_t i = 0; i < n; i++)
        sl_vault_json_item(&w, &r->vault->view, k->name, k->v[first + i], true);
    sl_jw_arr_end(&w);
    if (more)
        sl_vault_skiptoken_versions(k->v[first + n - 1]->seq, &tok);
    char path[SL_VAULT_NAME_MAX + 32];
    snprintf(path, sizeof path, "/keys/%s/versions", k->name);
    next_link(r, &w, path, more ? &tok : NULL);
    sl_jw_obj_end(&w);
    sl_buf_dispose(&tok);
    sl_vault_audit(r, "listVersions", k->name, NULL, "ok");
    sl_vault_respond_json(r, 200, &b);
}

static bool principal_may_see(const sl_vault_key_t *k, void *arg)
{
    return sl_vault_principal_key_allowed(arg, k->name);
}

void sl_vault_h_key_list(sl_vault_req_t *r)
{
    size_t max = page_size(r);
    if (!max)
        return;
    char after[SL_VAULT_NAME_MAX + 1] = "";
    const char *skip = sl_target_param(&r->target, "$skiptoken");
    if (skip && sl_vault_skiptoken_parse_keys(skip, after)) {
        bad(r, "Invalid %s.", "$skiptoken");
        return;
    }
    sl_vault_key_t *page[PAGE_MAX];
    bool more;
    size_t n = sl_vault_page_keys(&r->vault->model, after, max, principal_may_see, &r->who, page,
                                  &more);
    sl_buf_t b = SL_BUF_INIT, tok = SL_BUF_INIT;
    sl_jw_t w;
    sl_jw_init(&w, &b);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "value");
    sl_jw_arr_begin(&w);
    for (size_t i = 0; i < n; i++)
        sl_vault_json_item(&w, &r->vault->view, page[i]->name, sl_vault_key_latest(page[i]),
                           false);
    sl_jw_arr_end(&w);
    if (more)
        sl_vault_skiptoken_keys(page[n - 1]->lname, &tok);
    next_link(r, &w, "/keys", more ? &tok : NULL);
    sl_jw_obj_end(&w);
    sl_buf_dispose(&tok);
    sl_vault_audit(r, "listKeys", NULL, NULL, "ok");
    sl_vault_respond_json(r, 200, &b);
}

void sl_vault_h_healthz(sl_vault_req_t *r)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_buf_puts(&b, "ok\n");
    sl_vault_respond(r, 200, "text/plain; charset=utf-8", &b);
}
