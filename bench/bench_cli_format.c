/*
 * bench_cli_format: what `sealog query` costs on the client for a big
 * answer. Builds a Query API answer of N log-like rows (datetime, host,
 * an 80-character message, a long, a real, a bool, a dynamic value) as the
 * node writes it, then times parsing it (jansson) and printing it as a
 * table, CSV and JSON to /dev/null, and prints CPU seconds, rows/s and MB/s
 * of answer.
 *
 *   build/bench/bench_cli_format [rows]        (default 200000)
 *
 * A benchmark, not a test: it asserts nothing about time (STYLE.md rule 10).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli/cli.h"

static void build(size_t rows, sl_buf_t *out)
{
    static const char *const cols[][2] = { { "TimeGenerated", "datetime" },
                                           { "Computer", "string" },
                                           { "Message", "string" },
                                           { "Bytes", "long" },
                                           { "Latency", "real" },
                                           { "Ok", "bool" },
                                           { "Props", "dynamic" } };
    sl_jw_t w;
    sl_jw_init(&w, out);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "tables");
    sl_jw_arr_begin(&w);
    sl_jw_obj_begin(&w);
    sl_jw_key(&w, "name");
    sl_jw_str(&w, "PrimaryResult");
    sl_jw_key(&w, "columns");
    sl_jw_arr_begin(&w);
    for (size_t c = 0; c < SL_ARRAY_SIZE(cols); c++) {
        sl_jw_obj_begin(&w);
        sl_jw_key(&w, "name");
        sl_jw_str(&w, cols[c][0]);
        sl_jw_key(&w, "type");
        sl_jw_str(&w, cols[c][1]);
        sl_jw_obj_end(&w);
    }
    sl_jw_arr_end(&w);
    sl_jw_key(&w, "rows");
    sl_jw_arr_begin(&w);
    sl_ticks_t t = sl_time_now();
    for (size_t r = 0; r < rows; r++) {
        char ts[32], host[32], msg[128], dyn[64];
        sl_jw_arr_begin(&w);
        sl_jw_strn(&w, ts, sl_time_format_iso8601(t + (sl_ticks_t)r * 12345, ts));
        snprintf(host, sizeof host, "web-%zu", r % 37);
        sl_jw_str(&w, host);
        snprintf(msg, sizeof msg,
                 "GET /api/v1/items/%zu returned 200 after a cache miss, user agent curl/8", r);
        sl_jw_str(&w, msg);
        sl_jw_int(&w, (int64_t)(r * 7919 % 100000));
        sl_jw_real(&w, (double)(r % 1000) / 7.0);
        sl_jw_bool(&w, r % 3 != 0);
        snprintf(dyn, sizeof dyn, "{\"region\":\"eu-%zu\",\"tries\":%zu}", r % 4, r % 5);
        sl_jw_str(&w, dyn);
        sl_jw_arr_end(&w);
    }
    sl_jw_arr_end(&w);
    sl_jw_obj_end(&w);
    sl_jw_arr_end(&w);
    sl_jw_obj_end(&w);
}

/* CPU time, not wall time: the work is single-threaded, and a busy
 * machine then costs less accuracy. */
static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double secs_since(uint64_t t0)
{
    return (double)(cpu_ns() - t0) / 1e9;
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
    sl_buf_t text = SL_BUF_INIT;
    build(rows, &text);
    double mb = (double)text.len / (1 << 20);
    printf("answer: %zu rows, %.1f MiB\n", rows, mb);
    uint64_t t0 = cpu_ns();
    json_t *j = json_loadb(text.data, text.len, 0, NULL);
    double s = secs_since(t0);
    if (!j) {
        fprintf(stderr, "the answer does not parse\n");
        return 1;
    }
    printf("%-6s %8.3f s  %10.0f rows/s  %7.1f MiB/s\n", "parse", s, rows / s, mb / s);
    FILE *null = fopen("/dev/null", "w");
    static const struct {
        const char *name;
        cli_format_t f;
    } fmts[] = { { "table", CLI_FORMAT_TABLE },
                 { "csv", CLI_FORMAT_CSV },
                 { "json", CLI_FORMAT_JSON } };
    for (size_t i = 0; i < SL_ARRAY_SIZE(fmts); i++) {
        cli_fmt_opts_t o = { .format = fmts[i].f, .max_cell = CLI_CELL_MAX };
        t0 = cpu_ns();
        cli_result_write(j, &o, null);
        fflush(null);
        s = secs_since(t0);
        printf("%-6s %8.3f s  %10.0f rows/s  %7.1f MiB/s\n", fmts[i].name, s, rows / s, mb / s);
    }
    fclose(null);
    json_decref(j);
    sl_buf_dispose(&text);
    return 0;
}
