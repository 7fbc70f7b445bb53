/*
 * Aligned text tables for terminals: columns padded to their widest cell
 * (counted in UTF-8 characters, not bytes), a header and a rule.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

struct cli_table {
    size_t ncols, nrows, cap;
    char **cells; /* row-major, header first */
};

cli_table_t *cli_table_create(const char *const *headers, size_t ncols)
{
    cli_table_t *t = sl_xcalloc(1, sizeof *t);
    t->ncols = ncols;
    cli_table_add(t, headers);
    return t;
}

void cli_table_add(cli_table_t *t, const char *const *cells)
{
    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->cells = sl_xrealloc(t->cells, t->cap * t->ncols * sizeof *t->cells);
    }
    for (size_t i = 0; i < t->ncols; i++) {
        const char *s = cells[i] ? cells[i] : "";
        /* Keep one line per row: control characters become spaces. */
        char *copy = sl_xstrdup(s);
        for (char *p = copy; *p; p++)
            if ((unsigned char)*p < 0x20)
                *p = ' ';
        t->cells[t->nrows * t->ncols + i] = copy;
    }
    t->nrows++;
}

static size_t width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xc0) != 0x80;
    return w;
}

void cli_table_print(cli_table_t *t, FILE *f)
{
    size_t *w = sl_xcalloc(t->ncols, sizeof *w);
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++)
            w[c] = SL_MAX(w[c], width(t->cells[r * t->ncols + c]));
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * t->ncols + c];
            fputs(s, f);
            if (c + 1 < t->ncols)
                fprintf(f, "%*s", (int)(w[c] - width(s) + 2), "");
        }
        fputc('\n', f);
        if (r == 0) {
            for (size_t c = 0; c < t->ncols; c++) {
                for (size_t k = 0; k < w[c]; k++)
                    fputc('-', f);
                if (c + 1 < t->ncols)
                    fputs("  ", f);
            }
            fputc('\n', f);
        }
    }
    sl_free(w);
}

void cli_table_destroy(cli_table_t *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        sl_free(t->cells[i]);
    sl_free(t->cells);
    sl_free(t);
}
