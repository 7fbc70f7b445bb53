/*
 * GET /admin/v1/dump?workspace=WS&table=T[&from=ISO&to=ISO][&blocks=true]
 *
 * Reads stored blocks back with the node's keys, for tests and support:
 * NDJSON, one line per row (or, with blocks=true, one line per block with
 * its key scope, AEK id, KEK version and time range). Pending rows are
 * flushed into blocks first, so a dump shows everything acknowledged.
 * The scan runs on the thread pool; a dump larger than 256 MiB is refused.
 */
#include "node/node_int.h"

#include <stdio.h>
#include <string.h>

#define DUMP_MAX (256u << 20)

typedef struct dump_job {
    sl_req_t *r;
    sl_scan_spec_t spec;
    char table[SL_TABLE_NAME_MAX + 1];
    bool blocks;
    sl_buf_t out;
    int rc;
    sl_diag_t d;
} dump_job_t;

static void timespan_text(int64_t t, char out[40])
{
    bool neg = t < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
    uint64_t days = u / SL_TICKS_PER_DAY, rem = u % SL_TICKS_PER_DAY;
    uint64_t s = rem / SL_TICKS_PER_SEC, f = rem % SL_TICKS_PER_SEC;
    char d[24] = "";
    if (days)
        snprintf(d, sizeof d, "%llu.", (unsigned long long)days);
    snprintf(out, 40, "%s%s%02llu:%02llu:%02llu.%07llu", neg ? "-" : "", d,
             (unsigned long long)(s / 3600), (unsigned long long)(s / 60 % 60),
             (unsigned long long)(s % 60), (unsigned long long)f);
}

static int on_block(void *arg, const sl_scan_block_t *blk, sl_colset_t *rows)
{
    dump_job_t *j = arg;
    sl_jw_t w;
    if (j->blocks) {
        char a[32], b[32], aek[17];
        uint8_t id[8];
        sl_jw_init(&w, &j->out);
        sl_jw_obj_begin(&w);
        sl_jw_key(&w, "block");
        sl_store_u64be(id, blk->block_id);
        sl_hex_encode(id, 8, aek);
        sl_jw_str(&w, aek);
        sl_jw_key(&w, "segment");
        sl_jw_str(&w, strrchr(blk->segment, '/') ? strrchr(blk->segment, '/') + 1 : blk->segment);
        sl_jw_key(&w, "scope");
        sl_jw_str(&w, blk->scope == SL_SCOPE_CMK ? "CMK" : "MMK");
        sl_jw_key(&w, "aekId");
        sl_store_u64be(id, blk->aek_id);
        sl_hex_encode(id, 8, aek);
        sl_jw_str(&w, aek);
        sl_jw_key(&w, "kekVersion");
        sl_jw_uint(&w, blk->kek_version);
        sl_jw_key(&w, "rows");
        sl_jw_uint(&w, rows->nrows);
        sl_jw_key(&w, "tmin");
        sl_time_format_iso8601(blk->tmin, a);
        sl_jw_str(&w, a);
        sl_jw_key(&w, "tmax");
        sl_time_format_iso8601(blk->tmax, b);
        sl_jw_str(&w, b);
        sl_jw_obj_end(&w);
        sl_buf_putc(&j->out, '\n');
        return 0;
    }
    for (size_t i = 0; i < rows->nrows; i++) {
        sl_jw_init(&w, &j->out);
        sl_jw_obj_begin(&w);
        for (size_t c = 0; c < rows->ncols; c++) {
            const sl_col_t *col = &rows->cols[c];
            sl_jw_key(&w, col->name);
            if (sl_col_is_null(col, i)) {
                sl_jw_null(&w);
                continue;
            }
            char t[40];
            size_t n;
            const char *s;
            switch (col->type) {
            case SL_TYPE_STRING:
            case SL_TYPE_GUID:
                s = sl_col_text(col, i, &n);
                sl_jw_strn(&w, s, n);
                break;
            case SL_TYPE_DYNAMIC:
                s = sl_col_text(col, i, &n);
                sl_jw_raw(&w, n ? s : "null", n ? n : 4);
                break;
            case SL_TYPE_DATETIME:
                sl_time_format_iso8601(sl_col_i64(col, i), t);
                sl_jw_str(&w, t);
                break;
            case SL_TYPE_TIMESPAN:
                timespan_text(sl_col_i64(col, i), t);
                sl_jw_str(&w, t);
                break;
            case SL_TYPE_REAL:
                sl_jw_real(&w, sl_col_f64(col, i));
                break;
            case SL_TYPE_BOOL:
                sl_jw_bool(&w, sl_col_bool(col, i));
                break;
            default:
                sl_jw_int(&w, sl_col_i64(col, i));
            }
        }
        sl_jw_obj_end(&w);
        sl_buf_putc(&j->out, '\n');
    }
    return j->out.len > DUMP_MAX ? SL_ELIMIT : 0;
}

static void dump_work(void *arg)
{
    dump_job_t *j = arg;
    sl_store_flush(j->r->node->store);
    j->rc = sl_store_scan(j->r->node->store, &j->spec, on_block, j, NULL, &j->d);
}

static void dump_done(void *arg)
{
    dump_job_t *j = arg;
    if (sl_req_resume(j->r)) {
        if (j->rc == SL_ENOTFOUND)
            sl_respond_error(j->r, 404, "ResourceNotFound", NULL, "%s", j->d.msg);
        else if (j->rc == SL_ELIMIT)
            sl_respond_error(j->r, 413, "DumpTooLarge", NULL, "the dump exceeds %u MiB; narrow "
                             "it with from/to", DUMP_MAX >> 20);
        else if (j->rc == SL_EINTEGRITY || j->rc == SL_EKEYUNAVAIL)
            sl_respond_error(j->r, 500, j->rc == SL_EINTEGRITY ? "IntegrityError"
                                                             : "KeyUnavailable",
                             NULL, "%s", j->d.msg);
        else if (j->rc)
            sl_respond_error(j->r, 500, "InternalError", NULL, "%s", j->d.msg);
        else
            sl_respond(j->r, 200, "application/x-ndjson", &j->out);
    }
    sl_buf_dispose(&j->out);
    sl_free(j);
}

static bool time_param(sl_req_t *r, const char *name, sl_ticks_t *out)
{
    const char *v = sl_target_param(&r->target, name);
    if (!v)
        return true;
    if (sl_time_parse_iso8601(v, strlen(v), out) == 0)
        return true;
    sl_respond_error(r, 400, "InvalidProperty", NULL, "%s must be an ISO 8601 date-time", name);
    return false;
}

void sl_h_dump(sl_req_t *r)
{
    const char *ws = sl_target_param(&r->target, "workspace");
    const char *table = sl_target_param(&r->target, "table");
    if (!ws || !table) {
        sl_respond_error(r, 400, "InvalidProperty", NULL, "workspace and table are required");
        return;
    }
    sl_ws_rec_t rec;
    if (sl_node__ws_find(r->node, ws, &rec, NULL)) {
        sl_respond_error(r, 404, "ResourceNotFound", NULL, "workspace \"%s\" not found", ws);
        return;
    }
    dump_job_t *j = sl_xcalloc(1, sizeof *j);
    j->r = r;
    j->spec.ws = rec.id;
    sl_ws_rec_dispose(&rec);
    snprintf(j->table, sizeof j->table, "%s", table);
    j->spec.table = j->table;
    j->spec.t0 = INT64_MIN;
    j->spec.t1 = INT64_MAX;
    const char *b = sl_target_param(&r->target, "blocks");
    j->blocks = b && (!strcmp(b, "true") || !strcmp(b, "1"));
    if (!time_param(r, "from", &j->spec.t0) || !time_param(r, "to", &j->spec.t1)) {
        sl_free(j);
        return;
    }
    sl_req_suspend(r);
    sl_node__run_blocking(r->node, dump_work, dump_done, j);
}
