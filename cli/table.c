/*
 * Aligned text tables for terminals: columns padded to their widest cell
 * (counted in UTF-8 characters, not bytes), a header and a rule.
 *
 * Cells are copied in with control characters turned into spaces, so one
 * row is always one line however a log message was written. Two print-time
 * options serve query results: numeric columns are right-aligned, and cells
 * wider than a limit are cut and end in "…" so one long message does not
 * push every other column off the screen. The header row is never cut: it
 * names the column. No line ends in spaces, even when its last cells are
 * empty.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

struct cli_table {
    size_t ncols, nrows, cap;
    char **cells; /* row-major, header first */
    bool *right;  /* per column: right-align */
    size_t max_width;
};

cli_table_t *cli_table_create(const char *const *headers, size_t ncols)
{
    cli_table_t *t = sl_xcalloc(1, sizeof *t);
    t->ncols = ncols;
    t->right = sl_xcalloc(ncols ? ncols : 1, sizeof *t->right);
    cli_table_add(t, headers);
    return t;
}

void cli_table_add(cli_table_t *t, const char *const *cells)
{
    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->cells = sl_xrealloc(t->cells, t->cap * (t->ncols ? t->ncols : 1) * sizeof *t->cells);
    }
    for (size_t i = 0; i < t->ncols; i++) {
        const char *s = cells[i] ? cells[i] : "";
        /* Keep one line per row: control characters become spaces. */
        char *copy = sl_xstrdup(s);
        for (char *p = copy; *p; p++) {
            if ((unsigned char)*p < 0x20 || *p == 0x7f) {
                *p = ' ';
            }
        }
        t->cells[t->nrows * t->ncols + i] = copy;
    }
    t->nrows++;
}

void cli_table_align_right(cli_table_t *t, size_t col)
{
    if (col < t->ncols) {
        t->right[col] = true;
    }
}

void cli_table_set_max_width(cli_table_t *t, size_t max)
{
    /* Room for at least one character and the ellipsis. */
    t->max_width = max == 1 ? 2 : max;
}

size_t cli_text_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++) {
        w += ((unsigned char)*s & 0xc0) != 0x80;
    }
    return w;
}

/* Bytes of `s` that hold its first `chars` characters. */
static size_t prefix_bytes(const char *s, size_t chars)
{
    size_t i = 0;
    for (size_t n = 0; s[i]; i++) {
        if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == chars) {
            break;
        }
    }
    return i;
}

/* The width a cell takes when printed: cut cells take exactly max_width. */
static size_t shown_width(const cli_table_t *t, size_t row, const char *s)
{
    size_t w = cli_text_width(s);
    return row && t->max_width && w > t->max_width ? t->max_width : w;
}

static void put_cell(const cli_table_t *t, size_t row, const char *s, sl_buf_t *line)
{
    size_t w = cli_text_width(s);
    if (row && t->max_width && w > t->max_width) {
        sl_buf_append(line, s, prefix_bytes(s, t->max_width - 1));
        sl_buf_puts(line, "\xe2\x80\xa6"); /* U+2026 HORIZONTAL ELLIPSIS, one column */
    } else {
        sl_buf_puts(line, s);
    }
}

static void pad(sl_buf_t *line, size_t n)
{
    while (n--) {
        sl_buf_putc(line, ' ');
    }
}

/* Lines are built whole so that padding before empty trailing cells can
 * be dropped: no line ends in spaces. */
static void end_line(sl_buf_t *line, FILE *f)
{
    while (line->len && line->data[line->len - 1] == ' ') {
        line->len--;
    }
    sl_buf_putc(line, '\n');
    fwrite(line->data, 1, line->len, f);
    sl_buf_reset(line);
}

void cli_table_print(cli_table_t *t, FILE *f)
{
    size_t *w = sl_xcalloc(t->ncols ? t->ncols : 1, sizeof *w);
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            w[c] = SL_MAX(w[c], shown_width(t, r, t->cells[r * t->ncols + c]));
        }
    }
    sl_buf_t line = SL_BUF_INIT;
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * t->ncols + c];
            size_t gap = w[c] - shown_width(t, r, s);
            if (c) {
                pad(&line, 2);
            }
            if (t->right[c]) {
                pad(&line, gap);
            }
            put_cell(t, r, s, &line);
            if (!t->right[c]) {
                pad(&line, gap);
            }
        }
        end_line(&line, f);
        if (r == 0) {
            for (size_t c = 0; c < t->ncols; c++) {
                if (c) {
                    pad(&line, 2);
                }
                for (size_t k = 0; k < w[c]; k++) {
                    sl_buf_putc(&line, '-');
                }
            }
            end_line(&line, f);
        }
    }
    sl_buf_dispose(&line);
    sl_free(w);
}

void cli_table_destroy(cli_table_t *t)
{
    if (!t) {
        return;
    }
    for (size_t i = 0; i < t->nrows * t->ncols; i++) {
        sl_free(t->cells[i]);
    }
    sl_free(t->cells);
    sl_free(t->right);
    sl_free(t);
}
