/*
 * The ingestion endpoints: HTTP Data Collector API and Logs Ingestion API.
 *
 *   loop:  headers, authentication, limits, backpressure   (cheap, no body work)
 *   pool:  gunzip, parse, type inference, submit to the store
 *   WAL:   group commit (fsync)
 *   loop:  200 / 204 once the commit is durable — never before
 *
 * The body is copied before the pool sees it: h2o frees it if the client
 * goes away while we work. Bytes of requests between acceptance and answer
 * are counted; past ingest_queue_max new requests get 503 + Retry-After
 * instead of memory.
 */
#include "ingest/ingest.h"
#include "node/node_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef enum { API_DC, API_LI } api_kind_t;

typedef struct job {
    sl_req_t *r;
    sl_node_t *n;
    api_kind_t api;
    sl_buf_t body;
    bool gzip;
    sl_ticks_t received;
    uint64_t wire_bytes;
    /* DC */
    sl_guid_t ws;
    char log_type[101];
    char time_field[256];
    bool has_time_field;
    char resource_id[1024];
    bool has_resource_id;
    /* LI */
    const sl_dcr_stream_t *stream;
    /* outcome */
    sl_ingest_err_t err;
    int rc;
    size_t submitted, committed_ok, committed_fail;
    bool work_returned; /* the pool part is over (set on the loop thread) */
    bool key_refused;   /* the workspace's customer-managed key is unavailable */
    int commit_status;
    uint64_t rows;
} job_t;

static void job_free(job_t *j)
{
    sl_node_t *n = j->n;
    n->ingest_inflight_bytes -= j->wire_bytes;
    sl_buf_dispose(&j->body);
    sl_free(j);
}

/* ---- answering --------------------------------------------------------- */

static void finish(job_t *j)
{
    sl_req_t *r = j->r;
    if (sl_req_resume(r)) {
        if (j->rc == SL_EPARSE) {
            sl_respond_error(r, j->err.http, j->err.code, NULL, "%s", j->err.msg);
        } else if (j->rc == SL_EBUSY || j->commit_status == SL_EBUSY) {
            sl_respond_retry_after(r, 503, 1, "ServiceUnavailable",
                                   "The node is busy writing; retry shortly.");
        } else if (j->key_refused) {
            sl_respond_retry_after(r, 503, (int)(r->node->cfg->cmk_check_interval_ms / 1000),
                                   "CustomerManagedKeyUnavailable", "%s", j->err.msg);
        } else if (j->rc == SL_EKEYUNAVAIL || j->commit_status == SL_EKEYUNAVAIL) {
            sl_respond_retry_after(r, 503, 60, "ServiceUnavailable",
                                   "The workspace's encryption key is unavailable.");
        } else if (j->rc == SL_EINVAL || j->rc == SL_ELIMIT) {
            sl_respond_error(r, 400, j->api == API_DC ? "InvalidDataFormat" : "InvalidRequest",
                             NULL, "%s", j->err.msg);
        } else if (j->rc || j->commit_status) {
            sl_respond_error(r, 500, j->api == API_DC ? "UnspecifiedError" : "InternalError", NULL,
                             "The records could not be stored; retry.");
        } else {
            sl_respond_empty(r, j->api == API_DC ? 200 : 204);
            r->node->ingest_rows += j->rows;
            r->node->ingest_requests[j->api]++;
        }
    }
    job_free(j);
}

void sl_node__ingest_done(void *arg, void *user, int status, uint64_t lsn)
{
    (void)arg;
    (void)lsn;
    job_t *j = user;
    if (status) {
        j->committed_fail++;
        j->commit_status = status;
    } else {
        j->committed_ok++;
    }
    /* A commit can come back before the pool's completion callback has run:
     * only the later of the two answers. */
    if (j->work_returned && j->committed_ok + j->committed_fail == j->submitted)
        finish(j);
}

/* ---- pool side ---------------------------------------------------------- */

static void submit(job_t *j, sl_batch_t *b)
{
    sl_diag_t d;
    /* Linked workspaces write under the customer's key; while it is
     * unavailable their records are refused, and counted. */
    sl_scope_t scope;
    if (sl_node__cmk_scope(j->n, &b->ws, &scope, j->err.msg, sizeof j->err.msg)) {
        sl_node__cmk_dropped(j->n, &b->ws, b->rows.nrows, j->wire_bytes);
        j->rc = SL_EKEYUNAVAIL;
        j->key_refused = true;
        sl_batch_destroy(b);
        return;
    }
    b->scope = scope;
    j->rows += b->rows.nrows;
    int rc = sl_store_submit(j->n->store, b, j, &d);
    if (rc) {
        j->rc = rc;
        snprintf(j->err.msg, sizeof j->err.msg, "%s", d.msg);
        return;
    }
    j->submitted++; /* read on the loop only after work_done */
}

static void parse_and_submit(job_t *j);

static void work(void *arg)
{
    job_t *j = arg;
    uint64_t t0 = sl_time_mono_ns();
    parse_and_submit(j);
    atomic_fetch_add(&j->n->ingest_ns_parse, sl_time_mono_ns() - t0);
}

static void parse_and_submit(job_t *j)
{
    sl_node_t *n = j->n;
    if (j->gzip) {
        sl_buf_t plain = SL_BUF_INIT;
        sl_diag_t d;
        int rc = sl_ingest_gunzip(j->body.data, j->body.len, n->cfg->li_max_body, &plain, &d);
        if (rc) {
            j->rc = SL_EPARSE;
            j->err.http = rc == SL_ELIMIT ? 413 : 400;
            j->err.code = rc == SL_ELIMIT ? "ContentLengthLimitExceeded" : "InvalidContentEncoding";
            snprintf(j->err.msg, sizeof j->err.msg, "%s", d.msg);
            sl_buf_dispose(&plain);
            return;
        }
        sl_buf_dispose(&j->body);
        j->body = plain;
    }
    sl_batch_t *b = NULL;
    if (j->api == API_DC) {
        sl_dc_req_t q = { 0 };
        q.log_type = j->log_type;
        q.log_type_len = strlen(j->log_type);
        if (j->has_time_field) {
            q.time_field = j->time_field;
            q.time_field_len = strlen(j->time_field);
        }
        if (j->has_resource_id) {
            q.resource_id = j->resource_id;
            q.resource_id_len = strlen(j->resource_id);
        }
        q.body = j->body.data ? j->body.data : "";
        q.body_len = j->body.len;
        q.received = j->received;
        char table[SL_TABLE_NAME_MAX + 1];
        snprintf(table, sizeof table, "%s_CL", j->log_type);
        sl_table_def_t existing;
        bool have = sl_store_table_get(n->store, &j->ws, table, &existing) == 0;
        j->rc = sl_ingest_dc_parse(&q, &j->ws, have ? &existing : NULL, &b, &j->err);
        if (have)
            sl_table_def_dispose(&existing);
        if (!j->rc && b->rows.nrows)
            submit(j, b);
        else
            sl_batch_destroy(b);
        return;
    }
    /* Logs Ingestion: one batch per output of the stream. */
    if (j->body.len > n->cfg->li_max_body) {
        j->rc = SL_EPARSE;
        j->err.http = 413;
        j->err.code = "ContentLengthLimitExceeded";
        snprintf(j->err.msg, sizeof j->err.msg, "The body is larger than %llu bytes.",
                 (unsigned long long)n->cfg->li_max_body);
        return;
    }
    for (size_t i = 0; i < j->stream->nout && !j->rc; i++) {
        j->rc = sl_ingest_li_parse(j->stream, &j->stream->out[i], j->body.data ? j->body.data : "",
                                   j->body.len, j->received, &b, &j->err);
        if (!j->rc && b->rows.nrows)
            submit(j, b);
        else
            sl_batch_destroy(b);
    }
}

static void work_done(void *arg)
{
    job_t *j = arg;
    j->work_returned = true;
    /* Answer now if every submitted batch has settled (or none was); else the
     * last commit answers. */
    if (j->committed_ok + j->committed_fail == j->submitted)
        finish(j);
}

/* ---- loop side ---------------------------------------------------------- */

static bool admit(sl_req_t *r, size_t body_len)
{
    sl_node_t *n = r->node;
    if (n->ingest_inflight_bytes + body_len > n->cfg->ingest_queue_max) {
        n->ingest_rejected_busy++;
        sl_respond_retry_after(r, 503, 1, "ServiceUnavailable",
                               "The node is at its ingestion limit; retry shortly.");
        return false;
    }
    return true;
}

static void start(sl_req_t *r, job_t *j, const char *body, size_t len)
{
    j->r = r;
    j->n = r->node;
    j->received = sl_time_now();
    j->wire_bytes = len;
    r->node->ingest_inflight_bytes += len;
    sl_buf_append(&j->body, body, len);
    sl_req_suspend(r);
    sl_node__run_blocking(r->node, work, work_done, j);
}

static bool header_copy(sl_req_t *r, const char *name, char *out, size_t n)
{
    const char *v;
    size_t len;
    if (!sl_req_header(r, name, &v, &len))
        return false;
    if (len >= n)
        len = n - 1;
    memcpy(out, v, len);
    out[len] = '\0';
    return true;
}

/* application/json, optionally with parameters. */
static bool is_json(const char *v, size_t len)
{
    size_t n = 0;
    while (n < len && v[n] != ';' && v[n] != ' ')
        n++;
    return sl_strn_ieq(v, n, "application/json", 16);
}

void sl_h_dc_post(sl_req_t *r)
{
    sl_node_t *n = r->node;
    const char *ver = sl_target_param(&r->target, "api-version");
    if (!ver) {
        sl_respond_error(r, 400, "MissingApiVersion", NULL, "The api-version query parameter is "
                         "missing; use api-version=2016-04-01.");
        return;
    }
    if (strcmp(ver, "2016-04-01")) {
        sl_respond_error(r, 400, "InvalidApiVersion", NULL, "api-version %s is not supported; use "
                         "2016-04-01.", ver);
        return;
    }
    const char *auth, *ctype, *date;
    size_t auth_n, ct_n, date_n;
    if (!sl_req_header(r, "authorization", &auth, &auth_n)) {
        sl_respond_error(r, 403, "InvalidAuthorization", NULL,
                         "The Authorization header is missing.");
        return;
    }
    if (auth_n < 10 || memcmp(auth, "SharedKey ", 10)) {
        sl_respond_error(r, 403, "InvalidAuthorization", NULL,
                         "An invalid scheme was specified in the Authorization header");
        return;
    }
    const char *cred = auth + 10, *colon = NULL;
    for (const char *p = cred; p < auth + auth_n; p++)
        if (*p == ':')
            colon = p;
    sl_guid_t wsid;
    if (!colon || sl_guid_parse(cred, (size_t)(colon - cred), &wsid)) {
        sl_respond_error(r, 400, "InvalidCustomerId", NULL,
                         "The workspace ID in the Authorization header is not a valid GUID.");
        return;
    }
    if (!sl_req_header(r, "content-type", &ctype, &ct_n)) {
        sl_respond_error(r, 400, "MissingContentType", NULL, "The Content-Type header is missing.");
        return;
    }
    if (!sl_req_header(r, "x-ms-date", &date, &date_n)) {
        sl_respond_error(r, 403, "InvalidAuthorization", NULL, "The x-ms-date header is missing.");
        return;
    }
    size_t body_len;
    const char *body = sl_req_body(r, &body_len);
    /* Authenticate before looking at anything the client controls further. */
    sl_ws_rec_t ws;
    char k[2][96];
    bool ok = false;
    if (sl_catalog_ws_get(n->catalog, &wsid, &ws, NULL) == 0) {
        if (sl_node__ws_keys(n, &ws, k[0], k[1]) == 0) {
            for (int i = 0; i < 2 && !ok; i++) {
                uint8_t raw[80];
                size_t raw_n;
                if (sl_base64_decode(k[i], strlen(k[i]), raw, &raw_n) == 0)
                    ok = sl_ingest_sharedkey_check(raw, raw_n, body_len, ctype, ct_n, date, date_n,
                                                   colon + 1,
                                                   (size_t)(auth + auth_n - colon - 1));
                sl_wipe(raw, sizeof raw);
            }
        }
        sl_wipe(k, sizeof k);
    } else {
        memset(&ws, 0, sizeof ws);
    }
    if (!ok) {
        sl_ws_rec_dispose(&ws);
        n->ingest_rejected_auth++;
        sl_respond_error(r, 403, "InvalidAuthorization", NULL,
                         "An invalid signature was specified in the Authorization header");
        return;
    }
    bool deleted = ws.deleted != 0;
    sl_ws_rec_dispose(&ws);
    sl_ticks_t when;
    sl_ticks_t now = sl_time_now();
    if (sl_time_parse_rfc1123(date, date_n, &when)) {
        sl_respond_error(r, 403, "InvalidAuthorization", NULL,
                         "x-ms-date is not an RFC 1123 date such as \"Mon, 04 Apr 2016 08:00:00 "
                         "GMT\".");
        return;
    }
    int64_t skew = n->cfg->dc_clock_skew_ms * SL_TICKS_PER_MS;
    if (when < now - skew || when > now + skew) {
        sl_respond_error(r, 403, "InvalidAuthorization", NULL,
                         "x-ms-date is more than %lld minutes away from the node's clock.",
                         (long long)(n->cfg->dc_clock_skew_ms / 60000));
        return;
    }
    if (deleted) {
        sl_respond_error(r, 400, "InactiveCustomer", NULL, "The workspace is deleted.");
        return;
    }
    if (!is_json(ctype, ct_n)) {
        sl_respond_error(r, 400, "UnsupportedContentType", NULL,
                         "Content-Type must be application/json.");
        return;
    }
    job_t *j = sl_xcalloc(1, sizeof *j);
    j->api = API_DC;
    j->ws = wsid;
    if (!header_copy(r, "log-type", j->log_type, sizeof j->log_type)) {
        sl_respond_error(r, 400, "MissingLogType", NULL, "The Log-Type header is missing.");
        sl_free(j);
        return;
    }
    const char *lt;
    size_t lt_n;
    sl_req_header(r, "log-type", &lt, &lt_n);
    if (!sl_ingest_log_type_valid(lt, lt_n)) {
        sl_respond_error(r, 400, "InvalidLogType", NULL, "Log-Type must be 1 to 100 letters, "
                         "digits or underscores.");
        sl_free(j);
        return;
    }
    if (body_len > n->cfg->dc_max_body) {
        sl_respond_error(r, 413, "RequestTooLarge", NULL, "The post is larger than %llu bytes; "
                         "split it.", (unsigned long long)n->cfg->dc_max_body);
        sl_free(j);
        return;
    }
    j->has_time_field = header_copy(r, "time-generated-field", j->time_field, sizeof j->time_field);
    j->has_resource_id = header_copy(r, "x-ms-azureresourceid", j->resource_id,
                                     sizeof j->resource_id);
    if (!admit(r, body_len)) {
        sl_free(j);
        return;
    }
    start(r, j, body, body_len);
}

void sl_h_li_post(sl_req_t *r)
{
    sl_node_t *n = r->node;
    const char *crid = sl_req_header_str(r, "x-ms-client-request-id");
    if (crid)
        sl_req_add_header(r, "x-ms-client-request-id", crid);
    const char *ver = sl_target_param(&r->target, "api-version");
    if (!ver) {
        sl_respond_error(r, 400, "MissingApiVersionParameter", NULL,
                         "The api-version query parameter is required (2023-01-01).");
        return;
    }
    if (strcmp(ver, "2023-01-01") && strcmp(ver, "2021-11-01-preview") &&
        strcmp(ver, "2023-04-01-preview")) {
        sl_respond_error(r, 400, "UnsupportedApiVersion", NULL, "api-version %s is not "
                         "supported; use 2023-01-01.", ver);
        return;
    }
    const char *dcr_id = r->params[0], *stream_name = r->params[1];
    if (!sl_node__token_allows(r->token, SL_TOKEN_INGEST, dcr_id)) {
        n->ingest_rejected_auth++;
        sl_respond_error(r, 403, "OperationFailed", NULL, "The authentication token provided does "
                         "not have access to ingest data for the data collection rule with "
                         "immutable Id '%s'.", dcr_id);
        return;
    }
    const sl_dcr_t *dcr = sl_node__dcr_find(n, dcr_id);
    if (!dcr) {
        sl_respond_error(r, 404, "NotFound", NULL, "Data collection rule with immutable Id '%s' "
                         "not found.", dcr_id);
        return;
    }
    const sl_dcr_stream_t *st = sl_ingest_dcr_stream(dcr, stream_name);
    if (!st) {
        sl_respond_error(r, 400, "InvalidStream", NULL, "Stream '%s' is not declared in data "
                         "collection rule '%s'.", stream_name, dcr_id);
        return;
    }
    const char *v;
    size_t vn;
    if (sl_req_header(r, "content-type", &v, &vn) && !is_json(v, vn)) {
        sl_respond_error(r, 415, "UnsupportedMediaType", NULL,
                         "Content-Type must be application/json.");
        return;
    }
    bool gzip = false;
    if (sl_req_header(r, "content-encoding", &v, &vn)) {
        if (sl_strn_ieq(v, vn, "gzip", 4))
            gzip = true;
        else if (!sl_strn_ieq(v, vn, "identity", 8)) {
            sl_respond_error(r, 415, "UnsupportedMediaType", NULL,
                             "Content-Encoding must be gzip or absent.");
            return;
        }
    }
    size_t body_len;
    const char *body = sl_req_body(r, &body_len);
    if (body_len > n->cfg->li_max_body) {
        sl_respond_error(r, 413, "ContentLengthLimitExceeded", NULL,
                         "The body is larger than %llu bytes.",
                         (unsigned long long)n->cfg->li_max_body);
        return;
    }
    if (!admit(r, body_len))
        return;
    job_t *j = sl_xcalloc(1, sizeof *j);
    j->api = API_LI;
    j->gzip = gzip;
    j->stream = st;
    start(r, j, body, body_len);
}
