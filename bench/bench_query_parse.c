/*
 * bench_query_parse: how fast the KQL front end lexes and parses real
 * queries. Loads every *.kql file of a directory (default: the test corpus),
 * then times, over many rounds, (1) lexing only and (2) the full parse into
 * an AST in a fresh pool per query, and prints queries/s and MB/s for each.
 *
 *   build/bench/bench_query_parse [corpus-dir] [rounds]
 *
 * A benchmark, not a test: it asserts nothing about time (STYLE.md rule 10).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/query_int.h"

#ifndef SL_BENCH_CORPUS
#define SL_BENCH_CORPUS "tests/query/corpus"
#endif

typedef struct query_text {
    char *text;
    size_t len;
} query_text_t;

static size_t load(const char *dir, query_text_t **out, size_t *total_bytes)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "cannot open %s\n", dir);
        exit(2);
    }
    size_t n = 0, cap = 0;
    query_text_t *qs = NULL;
    *total_bytes = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".kql") != 0) {
            continue;
        }
        char *path = sl_xasprintf("%s/%s", dir, e->d_name);
        sl_buf_t b = SL_BUF_INIT;
        if (sl_read_file(path, 1 << 20, &b) == 0) {
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                qs = sl_xrealloc(qs, cap * sizeof *qs);
            }
            qs[n].text = sl_buf_steal(&b, &qs[n].len);
            *total_bytes += qs[n].len;
            n++;
        }
        sl_buf_dispose(&b);
        sl_free(path);
    }
    closedir(d);
    *out = qs;
    return n;
}

static void report(const char *what, size_t queries, size_t bytes, uint64_t ns)
{
    double s = (double)ns / 1e9;
    printf("%-6s %8zu queries %7.1f MB in %6.3f s: %9.0f queries/s %7.1f MB/s\n",
           what,
           queries,
           (double)bytes / 1e6,
           s,
           (double)queries / s,
           (double)bytes / 1e6 / s);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : SL_BENCH_CORPUS;
    int rounds = argc > 2 ? atoi(argv[2]) : 200;
    query_text_t *qs;
    size_t bytes;
    size_t n = load(dir, &qs, &bytes);
    if (n == 0 || rounds <= 0) {
        fprintf(stderr, "no queries in %s\n", dir);
        return 2;
    }
    printf("%zu queries, %zu bytes, %d rounds\n", n, bytes, rounds);

    uint64_t t0 = sl_time_mono_ns();
    size_t tokens = 0;
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < n; i++) {
            sl_pool_t *pool = sl_pool_create();
            sl_query_tok_t *toks;
            size_t count;
            sl_query_lex(pool, qs[i].text, qs[i].len, NULL, &toks, &count);
            tokens += count;
            sl_pool_destroy(pool);
        }
    }
    report("lex", n * (size_t)rounds, bytes * (size_t)rounds, sl_time_mono_ns() - t0);

    t0 = sl_time_mono_ns();
    size_t failures = 0, pool_bytes = 0;
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < n; i++) {
            sl_pool_t *pool = sl_pool_create();
            sl_query_node_t *q;
            if (sl_query_parse(pool, qs[i].text, qs[i].len, &q, NULL, NULL) != 0) {
                failures++;
            }
            pool_bytes += sl_pool_used(pool);
            sl_pool_destroy(pool);
        }
    }
    report("parse", n * (size_t)rounds, bytes * (size_t)rounds, sl_time_mono_ns() - t0);
    printf("tokens/query %.1f, pool bytes/query %.0f (%.1fx the text), failures %zu\n",
           (double)tokens / (double)(n * (size_t)rounds),
           (double)pool_bytes / (double)(n * (size_t)rounds),
           (double)pool_bytes / (double)(bytes * (size_t)rounds),
           failures);
    for (size_t i = 0; i < n; i++) {
        sl_free(qs[i].text);
    }
    sl_free(qs);
    return failures ? 1 : 0;
}
