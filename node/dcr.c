/*
 * The registry of data collection rules: parsed once (at start or when
 * created), looked up by immutable id on every Logs Ingestion request.
 * Entries are never freed while the node runs — a request being parsed on a
 * pool thread may hold a pointer into one — a deleted rule is only hidden.
 *
 * Admin API: POST /admin/v1/dataCollectionRules with the rule's JSON in the
 * shape Azure uses; the answer echoes it with properties.immutableId and
 * properties.endpoints.logsIngestion filled in, which is what agents need.
 */
#include "ingest/ingest.h"
#include "node/admin_json.h"

#include <stdio.h>
#include <string.h>

typedef struct sl_dcr_entry {
    struct sl_dcr_entry *next;
    sl_dcr_t *dcr;
    char *json;
    sl_ticks_t created;
    bool deleted;
} dcr_entry_t;

/* Resolves each output's workspace (GUID, name, or resource id ending in
 * /workspaces/<name>) to an active workspace id. */
static int resolve(sl_node_t *n, sl_dcr_t *dcr, sl_diag_t *d)
{
    for (size_t i = 0; i < dcr->nstreams; i++) {
        for (size_t k = 0; k < dcr->streams[i].nout; k++) {
            sl_dcr_output_t *o = &dcr->streams[i].out[k];
            const char *ref = o->workspace;
            const char *slash = strrchr(ref, '/');
            if (slash && strstr(ref, "/workspaces/"))
                ref = slash + 1;
            sl_ws_rec_t ws;
            if (sl_node__ws_find(n, ref, &ws, NULL))
                return sl_diag_set(d, SL_ENOTFOUND, "destination workspace \"%s\" not found",
                                   o->workspace);
            bool deleted = ws.deleted != 0;
            o->ws = ws.id;
            sl_ws_rec_dispose(&ws);
            if (deleted)
                return sl_diag_set(d, SL_ESTATE, "destination workspace \"%s\" is deleted",
                                   o->workspace);
        }
    }
    return 0;
}

static dcr_entry_t *add(sl_node_t *n, sl_dcr_t *dcr, const char *json, size_t len,
                        sl_ticks_t created, bool deleted)
{
    dcr_entry_t *e = sl_xcalloc(1, sizeof *e);
    e->dcr = dcr;
    e->json = sl_xstrndup(json, len);
    e->created = created;
    e->deleted = deleted;
    e->next = n->dcrs;
    n->dcrs = e;
    return e;
}

int sl_node__dcr_load(sl_node_t *n, sl_diag_t *d)
{
    sl_dcr_rec_t *list;
    size_t count;
    int rc = sl_catalog_dcr_list(n->catalog, &list, &count, d);
    if (rc)
        return rc;
    for (size_t i = 0; i < count; i++) {
        sl_dcr_t *dcr;
        sl_diag_t pd;
        if (sl_ingest_dcr_parse(list[i].json.data, list[i].json.len, &dcr, &pd)) {
            sl_log(n->log, SL_LOG_ERROR, "ingest", "stored data collection rule %s does not parse "
                   "any more (%s); it is disabled", list[i].immutable_id, pd.msg);
            continue;
        }
        snprintf(dcr->immutable_id, sizeof dcr->immutable_id, "%s", list[i].immutable_id);
        bool deleted = list[i].deleted != 0;
        if (!deleted && resolve(n, dcr, &pd)) {
            sl_log(n->log, SL_LOG_WARN, "ingest", "data collection rule %s: %s; ingestion "
                   "through it is refused", dcr->immutable_id, pd.msg);
            deleted = true;
        }
        add(n, dcr, list[i].json.data, list[i].json.len, list[i].created, deleted);
    }
    sl_dcr_list_free(list, count);
    return 0;
}

void sl_node__dcr_free(sl_node_t *n)
{
    while (n->dcrs) {
        dcr_entry_t *e = n->dcrs;
        n->dcrs = e->next;
        sl_ingest_dcr_free(e->dcr);
        sl_free(e->json);
        sl_free(e);
    }
}

static dcr_entry_t *find_entry(sl_node_t *n, const char *id)
{
    for (dcr_entry_t *e = n->dcrs; e; e = e->next)
        if (!e->deleted && !strcmp(e->dcr->immutable_id, id))
            return e;
    return NULL;
}

const struct sl_dcr *sl_node__dcr_find(sl_node_t *n, const char *id)
{
    dcr_entry_t *e = find_entry(n, id);
    return e ? e->dcr : NULL;
}

/* The rule as stored, with the fields Azure fills in. */
static void dcr_json(sl_node_t *n, const dcr_entry_t *e, sl_buf_t *out)
{
    json_t *root = json_loads(e->json, 0, NULL);
    if (!json_is_object(root)) {
        json_decref(root);
        root = json_object();
    }
    json_t *props = json_object_get(root, "properties");
    if (!json_is_object(props)) {
        /* Bare properties were submitted: wrap them like an ARM resource. */
        json_t *wrapped = json_object();
        json_object_set_new(wrapped, "properties", root);
        root = wrapped;
        props = json_object_get(root, "properties");
    }
    json_object_set_new(props, "immutableId", json_string(e->dcr->immutable_id));
    json_t *eps = json_object();
    json_object_set_new(eps, "logsIngestion", json_string(n->public_url));
    json_object_set_new(props, "endpoints", eps);
    json_object_set_new(props, "provisioningState",
                        json_string(e->deleted ? "Deleted" : "Succeeded"));
    if (!json_object_get(root, "name") && e->dcr->name[0])
        json_object_set_new(root, "name", json_string(e->dcr->name));
    char *s = json_dumps(root, JSON_COMPACT);
    sl_buf_puts(out, s ? s : "{}");
    free(s);
    json_decref(root);
}

void sl_h_dcr_list(sl_req_t *r)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_buf_puts(&b, "{\"value\":[");
    bool first = true;
    for (dcr_entry_t *e = r->node->dcrs; e; e = e->next) {
        if (e->deleted)
            continue;
        if (!first)
            sl_buf_putc(&b, ',');
        first = false;
        dcr_json(r->node, e, &b);
    }
    sl_buf_puts(&b, "]}");
    sl_respond_json(r, 200, &b);
}

void sl_h_dcr_show(sl_req_t *r)
{
    dcr_entry_t *e = find_entry(r->node, r->params[0]);
    if (!e) {
        sl_respond_error(r, 404, "ResourceNotFound", NULL, "data collection rule \"%s\" not found",
                         r->params[0]);
        return;
    }
    sl_buf_t b = SL_BUF_INIT;
    dcr_json(r->node, e, &b);
    sl_respond_json(r, 200, &b);
}

typedef struct dcr_job {
    sl_req_t *r;
    sl_dcr_rec_t rec;
    sl_dcr_t *dcr; /* NULL for a delete */
    dcr_entry_t *entry;
    int rc;
    sl_diag_t d;
} dcr_job_t;

static void job_write(void *arg)
{
    dcr_job_t *j = arg;
    j->rc = sl_catalog_dcr_put(j->r->node->catalog, &j->rec, j->dcr != NULL, &j->d);
}

static void job_done(void *arg)
{
    dcr_job_t *j = arg;
    sl_node_t *n = j->r->node;
    dcr_entry_t *e = j->entry;
    if (!j->rc) {
        if (j->dcr)
            e = add(n, j->dcr, j->rec.json.data, j->rec.json.len, j->rec.created, false);
        else
            e->deleted = true;
        j->dcr = NULL;
    }
    if (sl_req_resume(j->r)) {
        if (j->rc == SL_EEXIST) {
            sl_respond_error(j->r, 409, "Conflict", NULL, "%s", j->d.msg);
        } else if (j->rc) {
            sl_respond_error(j->r, 500, "InternalError", NULL, "%s", j->d.msg);
        } else {
            sl_buf_t b = SL_BUF_INIT;
            dcr_json(n, e, &b);
            sl_respond_json(j->r, j->rec.deleted ? 200 : 201, &b);
            sl_logr(n->log, SL_LOG_INFO, "admin", j->r->id, "data collection rule %s %s",
                    j->rec.immutable_id, j->rec.deleted ? "deleted" : "created");
        }
    }
    sl_ingest_dcr_free(j->dcr);
    sl_buf_dispose(&j->rec.json);
    sl_free(j);
}

void sl_h_dcr_create(sl_req_t *r)
{
    size_t n;
    const char *body = sl_req_body(r, &n);
    sl_dcr_t *dcr;
    sl_diag_t d;
    if (sl_ingest_dcr_parse(body, n, &dcr, &d)) {
        sl_respond_error(r, 400, "InvalidDataCollectionRule", NULL, "%s", d.msg);
        return;
    }
    if (resolve(r->node, dcr, &d)) {
        sl_ingest_dcr_free(dcr);
        sl_respond_error(r, 400, "InvalidDataCollectionRule", NULL, "%s", d.msg);
        return;
    }
    if (find_entry(r->node, dcr->immutable_id)) {
        sl_respond_error(r, 409, "Conflict", NULL, "a data collection rule with immutableId %s "
                         "exists", dcr->immutable_id);
        sl_ingest_dcr_free(dcr);
        return;
    }
    dcr_job_t *j = sl_xcalloc(1, sizeof *j);
    j->r = r;
    j->dcr = dcr;
    snprintf(j->rec.immutable_id, sizeof j->rec.immutable_id, "%s", dcr->immutable_id);
    sl_buf_append(&j->rec.json, body, n);
    j->rec.created = sl_time_now();
    sl_req_suspend(r);
    sl_node__run_blocking(r->node, job_write, job_done, j);
}

void sl_h_dcr_delete(sl_req_t *r)
{
    dcr_entry_t *e = find_entry(r->node, r->params[0]);
    if (!e) {
        sl_respond_error(r, 404, "ResourceNotFound", NULL, "data collection rule \"%s\" not found",
                         r->params[0]);
        return;
    }
    dcr_job_t *j = sl_xcalloc(1, sizeof *j);
    j->r = r;
    j->entry = e;
    snprintf(j->rec.immutable_id, sizeof j->rec.immutable_id, "%s", e->dcr->immutable_id);
    sl_buf_puts(&j->rec.json, e->json);
    j->rec.created = e->created;
    j->rec.deleted = sl_time_now();
    sl_req_suspend(r);
    sl_node__run_blocking(r->node, job_write, job_done, j);
}
