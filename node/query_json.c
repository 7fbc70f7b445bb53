/*
 * The Log Analytics Query API's JSON: result tables with typed cells,
 * statistics, render information, partial-result and error objects
 * (PROTOCOLS.md §3.4–3.6).
 *
 * Cells: string → JSON string; int/long/real → numbers (NaN and infinities
 * as the strings "NaN", "Infinity", "-Infinity"); bool → true/false;
 * datetime → ISO 8601 UTC string; timespan → "[d.]hh:mm:ss[.fffffff]";
 * guid → string; dynamic → its JSON text inside a string (the SDKs
 * JSON.parse it); null → null. `tables` is always present, even with no
 * rows: both JS SDKs fail without it.
 */
#include "node/node_int.h"
#include "query/query.h"

#include <string.h>

static void cell(sl_jw_t *w, const sl_col_t *c, size_t i)
{
    size_t n;
    switch (c->type) {
    case SL_TYPE_STRING: {
        const char *s = sl_col_text(c, i, &n);
        sl_jw_strn(w, s, n);
        return;
    }
    case SL_TYPE_GUID:
    case SL_TYPE_DYNAMIC: {
        const char *s = sl_col_text(c, i, &n);
        if (!n)
            sl_jw_null(w);
        else
            sl_jw_strn(w, s, n);
        return;
    }
    default:
        break;
    }
    if (sl_col_is_null(c, i)) {
        sl_jw_null(w);
        return;
    }
    char t[40];
    switch (c->type) {
    case SL_TYPE_BOOL:
        sl_jw_bool(w, sl_col_bool(c, i));
        break;
    case SL_TYPE_REAL:
        sl_jw_real(w, sl_col_f64(c, i));
        break;
    case SL_TYPE_DATETIME:
        sl_jw_strn(w, t, sl_time_format_iso8601(sl_col_i64(c, i), t));
        break;
    case SL_TYPE_TIMESPAN:
        sl_jw_strn(w, t, sl_time_format_timespan(sl_col_i64(c, i), t));
        break;
    default:
        sl_jw_int(w, sl_col_i64(c, i));
        break;
    }
}

static void table(sl_jw_t *w, const sl_query_table_t *t)
{
    const sl_colset_t *rs = &t->rows;
    sl_jw_obj_begin(w);
    sl_jw_key(w, "name");
    sl_jw_str(w, t->name);
    sl_jw_key(w, "columns");
    sl_jw_arr_begin(w);
    for (size_t c = 0; c < rs->ncols; c++) {
        sl_jw_obj_begin(w);
        sl_jw_key(w, "name");
        sl_jw_str(w, rs->cols[c].name);
        sl_jw_key(w, "type");
        sl_jw_str(w, sl_type_name(rs->cols[c].type));
        sl_jw_obj_end(w);
    }
    sl_jw_arr_end(w);
    sl_jw_key(w, "rows");
    sl_jw_arr_begin(w);
    for (size_t i = 0; i < rs->nrows; i++) {
        sl_jw_arr_begin(w);
        for (size_t c = 0; c < rs->ncols; c++)
            cell(w, &rs->cols[c], i);
        sl_jw_arr_end(w);
    }
    sl_jw_arr_end(w);
    sl_jw_obj_end(w);
}

static void statistics(sl_jw_t *w, const sl_query_stats_t *st)
{
    sl_jw_key(w, "statistics");
    sl_jw_obj_begin(w);
    sl_jw_key(w, "query");
    sl_jw_obj_begin(w);
    sl_jw_key(w, "executionTime");
    sl_jw_real(w, st->exec_seconds);
    sl_jw_key(w, "resourceUsage");
    sl_jw_obj_begin(w);
    sl_jw_key(w, "memory");
    sl_jw_obj_begin(w);
    sl_jw_key(w, "peakPerNode");
    sl_jw_int(w, st->peak_memory);
    sl_jw_obj_end(w);
    sl_jw_obj_end(w);
    sl_jw_key(w, "inputDatasetStatistics");
    sl_jw_obj_begin(w);
    sl_jw_key(w, "extents");
    sl_jw_obj_begin(w);
    sl_jw_key(w, "total");
    sl_jw_uint(w, st->blocks_read + st->blocks_pruned);
    sl_jw_key(w, "scanned");
    sl_jw_uint(w, st->blocks_read);
    sl_jw_obj_end(w);
    sl_jw_key(w, "rows");
    sl_jw_obj_begin(w);
    sl_jw_key(w, "scanned");
    sl_jw_uint(w, st->rows_scanned);
    sl_jw_obj_end(w);
    sl_jw_obj_end(w);
    sl_jw_key(w, "datasetStatistics");
    sl_jw_arr_begin(w);
    sl_jw_obj_begin(w);
    sl_jw_key(w, "tableRowCount");
    sl_jw_uint(w, st->result_rows);
    sl_jw_key(w, "tableSize");
    sl_jw_uint(w, st->result_bytes);
    sl_jw_obj_end(w);
    sl_jw_arr_end(w);
    /* The same figures under sealog's own names (docs/PROTOCOLS.md). */
    sl_jw_key(w, "sealog");
    sl_jw_obj_begin(w);
    sl_jw_key(w, "blocksRead");
    sl_jw_uint(w, st->blocks_read);
    sl_jw_key(w, "blocksPruned");
    sl_jw_uint(w, st->blocks_pruned);
    sl_jw_key(w, "bytesDecrypted");
    sl_jw_uint(w, st->bytes_decrypted);
    sl_jw_key(w, "rowsScanned");
    sl_jw_uint(w, st->rows_scanned);
    sl_jw_obj_end(w);
    sl_jw_obj_end(w);
    sl_jw_obj_end(w);
}

void sl_node__query_result_json(const sl_query_result_t *res, bool stats, bool render,
                                sl_buf_t *out)
{
    sl_jw_t w;
    sl_jw_init(&w, out);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "tables");
    sl_jw_arr_begin(&w);
    for (size_t i = 0; i < res->ntables; i++)
        table(&w, &res->tables[i]);
    sl_jw_arr_end(&w);
    if (stats)
        statistics(&w, &res->stats);
    if (render && res->visualization[0]) {
        sl_jw_key(&w, "render");
        sl_jw_obj_begin(&w);
        sl_jw_key(&w, "visualization");
        sl_jw_str(&w, res->visualization);
        /* The operator's properties (title, kind, xcolumn ...) as written. */
        const sl_buf_t *p = &res->render_props;
        if (p->len > 2) {
            sl_buf_putc(out, ',');
            sl_buf_append(out, p->data + 1, p->len - 2);
        }
        sl_jw_obj_end(&w);
    }
    if (res->partial) {
        sl_jw_key(&w, "error");
        sl_jw_obj_begin(&w);
        sl_jw_key(&w, "code");
        sl_jw_str(&w, "PartialError");
        sl_jw_key(&w, "message");
        sl_jw_str(&w, "There were some errors when processing your query.");
        sl_jw_key(&w, "details");
        sl_jw_arr_begin(&w);
        sl_jw_obj_begin(&w);
        sl_jw_key(&w, "code");
        sl_jw_str(&w, "EngineError");
        sl_jw_key(&w, "message");
        sl_jw_str(&w, res->partial_msg);
        sl_jw_key(&w, "innererror");
        sl_jw_obj_begin(&w);
        sl_jw_key(&w, "code");
        sl_jw_str(&w, "E_QUERY_RESULT_SET_TOO_LARGE");
        sl_jw_key(&w, "message");
        sl_jw_str(&w, res->partial_msg);
        sl_jw_obj_end(&w);
        sl_jw_obj_end(&w);
        sl_jw_arr_end(&w);
        sl_jw_obj_end(&w);
    }
    sl_jw_obj_end(&w);
}

void sl_node__query_error_json(sl_buf_t *out, const char *code, const char *inner,
                               const char *msg)
{
    sl_jw_t w;
    sl_jw_init(&w, out);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "error");
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "message");
    sl_jw_str(&w, msg);
    sl_jw_key(&w, "code");
    sl_jw_str(&w, code);
    if (inner) {
        sl_jw_key(&w, "innererror");
        sl_jw_obj_begin(&w);
        sl_jw_key(&w, "code");
        sl_jw_str(&w, inner);
        sl_jw_key(&w, "message");
        sl_jw_str(&w, msg);
        sl_jw_obj_end(&w);
    }
    sl_jw_obj_end(&w);
    sl_jw_obj_end(&w);
}
