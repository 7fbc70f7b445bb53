/*
 * Printing a Query API answer (PROTOCOLS.md §3.4): its `tables`, each
 * {name, columns[{name, type}], rows[[cell, ...]]}, as an aligned table, as
 * CSV or as JSON, plus the statistics and partial-result notes for stderr.
 *
 * Cells arrive typed: strings, numbers, booleans, null, and strings that
 * carry datetimes, timespans, guids, NaN/Infinity and dynamic values (as
 * JSON text). Each format keeps what it can express:
 *
 *   table  null → empty; numbers right-aligned; long cells cut (…)
 *   csv    RFC 4180: CRLF lines, fields quoted when they hold a comma, a
 *          quote, CR or LF; null → an empty field, an empty string → ""
 *          (the convention PostgreSQL's COPY uses to tell them apart)
 *   json   one array per table, one object per row keyed by column name;
 *          numbers stay numbers, null stays null, and dynamic cells are
 *          parsed back into JSON values (what the SDKs do with them)
 *
 * Numbers are printed from the parsed double in the shortest form that
 * reads back the same (sl_format_double), which is exactly the text the
 * node wrote, so a value never changes on its way through the CLI.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

int cli_format_parse(const char *s, cli_format_t *out)
{
    static const struct {
        const char *name;
        cli_format_t f;
    } names[] = { { "table", CLI_FORMAT_TABLE },
                  { "csv", CLI_FORMAT_CSV },
                  { "json", CLI_FORMAT_JSON },
                  { "raw", CLI_FORMAT_RAW } };
    for (size_t i = 0; i < SL_ARRAY_SIZE(names); i++) {
        if (!strcmp(s, names[i].name)) {
            *out = names[i].f;
            return 0;
        }
    }
    return SL_EINVAL;
}

/* ---- Shape ------------------------------------------------------------- */

int cli_result_check(json_t *resp, sl_diag_t *d)
{
    json_t *tables = json_object_get(resp, "tables");
    if (!json_is_array(tables)) {
        return sl_diag_set(d, SL_EPARSE, "the answer has no \"tables\" array");
    }
    size_t i;
    json_t *t;
    json_array_foreach(tables, i, t)
    {
        json_t *cols = json_object_get(t, "columns");
        if (!json_is_string(json_object_get(t, "name")) || !json_is_array(cols) ||
            !json_is_array(json_object_get(t, "rows"))) {
            return sl_diag_set(d, SL_EPARSE,
                               "table %zu of the answer lacks a name, columns or rows", i);
        }
        size_t k;
        json_t *c;
        json_array_foreach(cols, k, c)
        {
            if (!json_is_string(json_object_get(c, "name"))) {
                return sl_diag_set(d, SL_EPARSE, "column %zu of table %zu has no name", k, i);
            }
        }
        size_t r;
        json_t *row;
        json_array_foreach(json_object_get(t, "rows"), r, row)
        {
            if (!json_is_array(row)) {
                return sl_diag_set(d, SL_EPARSE, "row %zu of table %zu is not an array", r, i);
            }
        }
    }
    return 0;
}

static const char *col_name(json_t *cols, size_t c)
{
    return json_string_value(json_object_get(json_array_get(cols, c), "name"));
}

static const char *col_type(json_t *cols, size_t c)
{
    const char *t = json_string_value(json_object_get(json_array_get(cols, c), "type"));
    return t ? t : "";
}

static bool is_numeric_type(const char *t)
{
    return !strcmp(t, "long") || !strcmp(t, "int") || !strcmp(t, "real") ||
           !strcmp(t, "decimal");
}

/* ---- Cells ------------------------------------------------------------- */

/* Recursive rather than through sl_jw_t, whose comma bookkeeping stops at
 * 64 levels: a dynamic value may nest as deep as jansson parses (2048). */
void cli_json_append(sl_buf_t *out, json_t *v)
{
    if (!v) {
        sl_buf_puts(out, "null");
        return;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *x;
        bool first = true;
        sl_buf_putc(out, '{');
        json_object_foreach(v, k, x)
        {
            if (!first) {
                sl_buf_putc(out, ',');
            }
            first = false;
            sl_buf_putc(out, '"');
            sl_json_escape(out, k, strlen(k));
            sl_buf_puts(out, "\":");
            cli_json_append(out, x);
        }
        sl_buf_putc(out, '}');
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *x;
        sl_buf_putc(out, '[');
        json_array_foreach(v, i, x)
        {
            if (i) {
                sl_buf_putc(out, ',');
            }
            cli_json_append(out, x);
        }
        sl_buf_putc(out, ']');
        break;
    }
    case JSON_STRING:
        sl_buf_putc(out, '"');
        sl_json_escape(out, json_string_value(v), json_string_length(v));
        sl_buf_putc(out, '"');
        break;
    case JSON_INTEGER:
        sl_buf_printf(out, "%lld", (long long)json_integer_value(v));
        break;
    case JSON_REAL: {
        /* Parsed JSON is always finite, so this is a JSON number. */
        char t[32];
        sl_buf_append(out, t, sl_format_double(json_real_value(v), t));
        break;
    }
    case JSON_TRUE:
        sl_buf_puts(out, "true");
        break;
    case JSON_FALSE:
        sl_buf_puts(out, "false");
        break;
    default:
        sl_buf_puts(out, "null");
        break;
    }
}

bool cli_cell_text(json_t *v, sl_buf_t *out)
{
    if (!v) {
        return true; /* a row shorter than the columns */
    }
    switch (json_typeof(v)) {
    case JSON_STRING:
        sl_buf_append(out, json_string_value(v), json_string_length(v));
        return false;
    case JSON_INTEGER:
        sl_buf_printf(out, "%lld", (long long)json_integer_value(v));
        return false;
    case JSON_REAL: {
        char t[32];
        sl_buf_append(out, t, sl_format_double(json_real_value(v), t));
        return false;
    }
    case JSON_TRUE:
        sl_buf_puts(out, "true");
        return false;
    case JSON_FALSE:
        sl_buf_puts(out, "false");
        return false;
    case JSON_OBJECT:
    case JSON_ARRAY: {
        /* Not in the contract (dynamic cells are strings), but shown rather
         * than dropped if a server sends them. */
        cli_json_append(out, v);
        return false;
    }
    default:
        return true; /* null, or a missing cell */
    }
}

void cli_csv_field(sl_buf_t *out, const char *s, size_t n, bool quote_empty)
{
    bool quote = n == 0 ? quote_empty : memchr(s, '"', n) || memchr(s, ',', n) ||
                                            memchr(s, '\n', n) || memchr(s, '\r', n);
    if (!quote) {
        sl_buf_append(out, s, n);
        return;
    }
    sl_buf_putc(out, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') {
            sl_buf_putc(out, '"');
        }
        sl_buf_putc(out, s[i]);
    }
    sl_buf_putc(out, '"');
}

/* ---- Formats ----------------------------------------------------------- */

static void write_table(json_t *t, size_t max_cell, FILE *f)
{
    json_t *cols = json_object_get(t, "columns");
    size_t ncols = json_array_size(cols);
    const char **cells = sl_xcalloc(ncols ? ncols : 1, sizeof *cells);
    for (size_t c = 0; c < ncols; c++) {
        cells[c] = col_name(cols, c);
    }
    cli_table_t *tab = cli_table_create(cells, ncols);
    cli_table_set_max_width(tab, max_cell);
    for (size_t c = 0; c < ncols; c++) {
        if (is_numeric_type(col_type(cols, c))) {
            cli_table_align_right(tab, c);
        }
    }
    /* One buffer per cell, reused row after row; the table copies them. */
    sl_buf_t *text = sl_xcalloc(ncols ? ncols : 1, sizeof *text);
    size_t r;
    json_t *row;
    json_array_foreach(json_object_get(t, "rows"), r, row)
    {
        for (size_t c = 0; c < ncols; c++) {
            sl_buf_reset(&text[c]);
            cli_cell_text(json_array_get(row, c), &text[c]);
            cells[c] = text[c].data ? text[c].data : "";
        }
        cli_table_add(tab, cells);
    }
    cli_table_print(tab, f);
    cli_table_destroy(tab);
    for (size_t c = 0; c < ncols; c++) {
        sl_buf_dispose(&text[c]);
    }
    sl_free(text);
    sl_free(cells);
}

static void write_csv(json_t *t, FILE *f)
{
    json_t *cols = json_object_get(t, "columns");
    size_t ncols = json_array_size(cols);
    sl_buf_t line = SL_BUF_INIT, cell = SL_BUF_INIT;
    for (size_t c = 0; c < ncols; c++) {
        const char *name = col_name(cols, c);
        if (c) {
            sl_buf_putc(&line, ',');
        }
        cli_csv_field(&line, name, strlen(name), true);
    }
    sl_buf_puts(&line, "\r\n");
    fwrite(line.data, 1, line.len, f);
    size_t r;
    json_t *row;
    json_array_foreach(json_object_get(t, "rows"), r, row)
    {
        sl_buf_reset(&line);
        for (size_t c = 0; c < ncols; c++) {
            if (c) {
                sl_buf_putc(&line, ',');
            }
            sl_buf_reset(&cell);
            if (!cli_cell_text(json_array_get(row, c), &cell)) {
                cli_csv_field(&line, cell.data ? cell.data : "", cell.len, true);
            }
        }
        sl_buf_puts(&line, "\r\n");
        fwrite(line.data, 1, line.len, f);
    }
    sl_buf_dispose(&cell);
    sl_buf_dispose(&line);
}

/* A dynamic cell is JSON text in a string; anything that does not parse
 * (or a server that sent the value itself) is written as it came. */
static void json_cell(sl_buf_t *out, json_t *v, bool dynamic)
{
    if (dynamic && json_is_string(v)) {
        json_t *parsed = json_loadb(json_string_value(v), json_string_length(v),
                                    JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        if (parsed) {
            cli_json_append(out, parsed);
            json_decref(parsed);
            return;
        }
    }
    cli_json_append(out, v);
}

/* "[\n{row},\n{row}\n]\n": one JSON document per table, one row per line,
 * so it suits both jq and grep. */
static void write_json(json_t *t, FILE *f)
{
    json_t *cols = json_object_get(t, "columns");
    size_t ncols = json_array_size(cols);
    bool *dyn = sl_xcalloc(ncols ? ncols : 1, sizeof *dyn);
    for (size_t c = 0; c < ncols; c++) {
        dyn[c] = !strcmp(col_type(cols, c), "dynamic");
    }
    sl_buf_t line = SL_BUF_INIT;
    json_t *rows = json_object_get(t, "rows");
    fputc('[', f);
    size_t r;
    json_t *row;
    json_array_foreach(rows, r, row)
    {
        sl_buf_reset(&line);
        sl_buf_puts(&line, r ? ",\n{" : "\n{");
        for (size_t c = 0; c < ncols; c++) {
            const char *name = col_name(cols, c);
            sl_buf_puts(&line, c ? ",\"" : "\"");
            sl_json_escape(&line, name, strlen(name));
            sl_buf_puts(&line, "\":");
            json_cell(&line, json_array_get(row, c), dyn[c]);
        }
        sl_buf_putc(&line, '}');
        fwrite(line.data, 1, line.len, f);
    }
    fputs(json_array_size(rows) ? "\n]\n" : "]\n", f);
    sl_buf_dispose(&line);
    sl_free(dyn);
}

void cli_result_write(json_t *resp, const cli_fmt_opts_t *o, FILE *f)
{
    json_t *tables = json_object_get(resp, "tables");
    size_t n = json_array_size(tables);
    for (size_t i = 0; i < n; i++) {
        json_t *t = json_array_get(tables, i);
        switch (o->format) {
        case CLI_FORMAT_CSV:
            /* Tables one after another, a blank line between them. */
            if (i) {
                fputs("\r\n", f);
            }
            write_csv(t, f);
            break;
        case CLI_FORMAT_JSON:
            write_json(t, f);
            break;
        default:
            /* Names only when there are several: one result needs no title. */
            if (n > 1) {
                size_t rows = json_array_size(json_object_get(t, "rows"));
                fprintf(f, "%s%s (%zu row%s)\n", i ? "\n" : "",
                        json_string_value(json_object_get(t, "name")), rows,
                        rows == 1 ? "" : "s");
            }
            write_table(t, o->max_cell, f);
            break;
        }
    }
}

/* ---- Notes for stderr ---------------------------------------------------- */

static void human_bytes(sl_buf_t *b, double v)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    size_t u = 0;
    while (v >= 1024 && u + 1 < SL_ARRAY_SIZE(units)) {
        v /= 1024;
        u++;
    }
    if (u == 0) {
        sl_buf_printf(b, "%.0f %s", v, units[u]);
    } else {
        sl_buf_printf(b, "%.1f %s", v, units[u]);
    }
}

/* A number at a path of object keys, or -1 when absent. */
static double num_at(json_t *v, const char *const *path)
{
    for (; *path && v; path++) {
        v = json_object_get(v, *path);
    }
    return json_is_number(v) ? json_number_value(v) : -1;
}

void cli_stats_write(json_t *stats, FILE *f)
{
    if (!stats) {
        fputs("statistics: the node sent none\n", f);
        return;
    }
    json_t *q = json_object_get(stats, "query");
    double secs = num_at(q, (const char *const[]){ "executionTime", NULL });
    if (secs < 0) {
        /* Not the shape sealog and Azure use: show it as it came. */
        sl_buf_t b = SL_BUF_INIT;
        cli_json_append(&b, stats);
        fprintf(f, "statistics: %.*s\n", (int)b.len, b.data);
        sl_buf_dispose(&b);
        return;
    }
    sl_buf_t b = SL_BUF_INIT;
    if (secs < 1) {
        sl_buf_printf(&b, "statistics: %.3f ms", secs * 1000);
    } else {
        sl_buf_printf(&b, "statistics: %.3f s", secs);
    }
    double rows = num_at(q, (const char *const[]){ "inputDatasetStatistics", "rows", "scanned",
                                                   NULL });
    double total = num_at(q, (const char *const[]){ "inputDatasetStatistics", "extents",
                                                    "total", NULL });
    double read = num_at(q, (const char *const[]){ "inputDatasetStatistics", "extents",
                                                   "scanned", NULL });
    if (rows >= 0) {
        sl_buf_printf(&b, ", %.0f row%s scanned", rows, rows == 1 ? "" : "s");
    }
    if (total >= 0 && read >= 0) {
        sl_buf_printf(&b, ", %.0f of %.0f block%s read", read, total, total == 1 ? "" : "s");
    }
    double dec = num_at(q, (const char *const[]){ "sealog", "bytesDecrypted", NULL });
    if (dec >= 0) {
        sl_buf_puts(&b, ", ");
        human_bytes(&b, dec);
        sl_buf_puts(&b, " decrypted");
    }
    double peak = num_at(q, (const char *const[]){ "resourceUsage", "memory", "peakPerNode",
                                                   NULL });
    if (peak >= 0) {
        sl_buf_puts(&b, ", peak memory ");
        human_bytes(&b, peak);
    }
    json_t *ds = json_array_get(json_object_get(q, "datasetStatistics"), 0);
    double rrows = num_at(ds, (const char *const[]){ "tableRowCount", NULL });
    double rsize = num_at(ds, (const char *const[]){ "tableSize", NULL });
    if (rrows >= 0) {
        sl_buf_printf(&b, ", result %.0f row%s", rrows, rrows == 1 ? "" : "s");
        if (rsize >= 0) {
            sl_buf_puts(&b, " / ");
            human_bytes(&b, rsize);
        }
    }
    fprintf(f, "%.*s\n", (int)b.len, b.data);
    sl_buf_dispose(&b);
}

void cli_partial_describe(json_t *err, sl_buf_t *out)
{
    /* The detail says what happened; the top-level message only that
     * something did ("There were some errors ..."). */
    json_t *det = json_array_get(json_object_get(err, "details"), 0);
    const char *msg = json_string_value(json_object_get(det, "message"));
    if (!msg) {
        msg = json_string_value(json_object_get(err, "message"));
    }
    const char *code = json_string_value(json_object_get(json_object_get(det, "innererror"),
                                                         "code"));
    if (!code) {
        code = json_string_value(json_object_get(det, "code"));
    }
    if (!code) {
        code = json_string_value(json_object_get(err, "code"));
    }
    sl_buf_puts(out, msg ? msg : "the node returned only part of the result");
    if (code) {
        sl_buf_printf(out, " (%s)", code);
    }
}
