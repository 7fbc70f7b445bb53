/*
 * Logs Ingestion API bodies → batches (PROTOCOLS.md §2.4, §2.9).
 *
 * The stream declaration is the schema: each declared column takes the
 * record's field of the same name (JSON keys are case-sensitive), coerced to
 * the declared type; a value that does not convert becomes null (strings:
 * empty), undeclared fields are dropped, as Azure does. The transformation
 * is "source", so the output table's columns are the stream's.
 */
#include "ingest/ingest_int.h"

#include <stdio.h>
#include <string.h>

static int fail(sl_ingest_err_t *e, int http, const char *code, const char *fmt, ...)
    SL_PRINTF(4, 5);
static int fail(sl_ingest_err_t *e, int http, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->http = http;
    e->code = code;
    return SL_EPARSE;
}

int sl_ingest_li_parse(const sl_dcr_stream_t *st, const sl_dcr_output_t *o, const char *body,
                       size_t n, sl_ticks_t received, sl_batch_t **out, sl_ingest_err_t *e)
{
    *out = NULL;
    memset(e, 0, sizeof *e);
    sl_json_doc_t doc;
    sl_json_doc_init(&doc);
    sl_buf_t tmp = SL_BUF_INIT;
    sl_diag_t d;
    sl_batch_t *b = NULL;
    int rc = sl_json_parse(&doc, body, n, NULL, &d);
    if (rc) {
        rc = fail(e, 400, "InvalidRequest", "the body is not valid JSON: %s", d.msg);
        goto done;
    }
    if (doc.tok[0].type != SL_JSON_ARRAY) {
        rc = fail(e, 400, "InvalidRequest", "the body must be a JSON array of records");
        goto done;
    }
    b = sl_batch_create(&o->ws, o->table, SL_SCOPE_MMK);
    b->received = received;
    b->raw_bytes = n;
    /* Column order: TimeGenerated, the stream's columns, then system columns. */
    int tg = sl_colset_add(&b->rows, "TimeGenerated", SL_TYPE_DATETIME);
    int *map = sl_xcalloc(st->ncols ? st->ncols : 1, sizeof *map);
    for (size_t i = 0; i < st->ncols; i++)
        map[i] = strcmp(st->cols[i].name, "TimeGenerated")
                     ? sl_colset_add(&b->rows, st->cols[i].name, st->cols[i].type)
                     : -1;
    int rid = sl_colset_add(&b->rows, "_ResourceId", SL_TYPE_STRING);
    int recv = sl_colset_add(&b->rows, "_TimeReceived", SL_TYPE_DATETIME);
    int billed = sl_colset_add(&b->rows, "_BilledSize", SL_TYPE_REAL);
    size_t row = 0;
    const sl_json_tok_t *root = &doc.tok[0];
    for (size_t r = 1; r < root->end && !rc; r = sl_json_next(&doc, r), row++) {
        if (doc.tok[r].type != SL_JSON_OBJECT) {
            rc = fail(e, 400, "InvalidRequest", "record %zu is not a JSON object", row);
            break;
        }
        sl_ticks_t when = received;
        for (size_t k = r + 1; k < doc.tok[r].end; k = sl_json_next(&doc, k + 1)) {
            const sl_json_tok_t *key = &doc.tok[k];
            /* Stream declarations are short: a linear match is cheapest. */
            for (size_t i = 0; i < st->ncols; i++) {
                const char *cn = st->cols[i].name;
                if (!sl_json_string_eq(&doc, key, cn, strlen(cn)))
                    continue;
                if (doc.tok[k + 1].type == SL_JSON_NULL)
                    break;
                sl_ingest_val_t v;
                if (!sl_ingest__convert(&doc, k + 1, st->cols[i].type, SL_LI_FIELD_MAX, &v, &tmp))
                    break;
                if (map[i] < 0) {
                    when = v.i;
                } else if (b->rows.cols[map[i]].n == row) {
                    sl_ingest__push(&b->rows.cols[map[i]], &v);
                }
                break;
            }
        }
        sl_col_push_i64(&b->rows.cols[tg], when);
        sl_col_push_text(&b->rows.cols[rid], "", 0);
        sl_col_push_i64(&b->rows.cols[recv], received);
        sl_col_push_f64(&b->rows.cols[billed], (double)doc.tok[r].len);
        sl_colset_end_row(&b->rows);
    }
    sl_free(map);
done:
    if (rc) {
        sl_batch_destroy(b);
        rc = SL_EPARSE;
    } else {
        *out = b;
    }
    sl_json_doc_dispose(&doc);
    sl_buf_dispose(&tmp);
    return rc;
}
