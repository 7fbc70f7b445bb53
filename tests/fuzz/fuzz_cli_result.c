/*
 * Fuzzes the CLI's printing of a Query API answer, which comes from
 * whatever the endpoint points at. Any answer that passes the shape check
 * is printed in every format, table by table, and the invariants the
 * formats promise are checked: a table is one line per row plus the header
 * and the rule, and the JSON output reads back as an array with one object
 * per row.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static char *render(json_t *resp, cli_format_t fmt, size_t max_cell, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (!f) {
        abort();
    }
    cli_fmt_opts_t o = { .format = fmt, .max_cell = max_cell };
    cli_result_write(resp, &o, f);
    fclose(f);
    return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *resp = json_loadb((const char *)data, size, JSON_ALLOW_NUL, NULL);
    if (!resp) {
        return 0;
    }
    sl_diag_t d;
    if (cli_result_check(resp, &d) == 0) {
        json_t *tables = json_object_get(resp, "tables");
        for (size_t i = 0; i < json_array_size(tables); i++) {
            json_t *one = json_pack("{s:[O]}", "tables", json_array_get(tables, i));
            size_t rows = json_array_size(json_object_get(json_array_get(tables, i), "rows"));
            size_t len;
            char *t = render(one, CLI_FORMAT_TABLE, 8, &len);
            size_t lines = 0;
            for (size_t k = 0; k < len; k++) {
                lines += t[k] == '\n';
            }
            if (lines != rows + 2) {
                abort();
            }
            free(t);
            t = render(one, CLI_FORMAT_JSON, 0, &len);
            json_t *back = json_loadb(t, len, JSON_ALLOW_NUL, NULL);
            if (!json_is_array(back) || json_array_size(back) != rows) {
                abort();
            }
            json_decref(back);
            free(t);
            free(render(one, CLI_FORMAT_CSV, 0, &len));
            json_decref(one);
        }
    }
    FILE *devnull = fopen("/dev/null", "w");
    if (devnull) {
        cli_stats_write(json_object_get(resp, "statistics"), devnull);
        fclose(devnull);
    }
    sl_buf_t b = SL_BUF_INIT;
    cli_partial_describe(json_object_get(resp, "error"), &b);
    sl_buf_dispose(&b);
    json_decref(resp);
    return 0;
}
