/*
 * bench_query_parse: how fast the KQL front end parses real queries. Loads
 * every *.kql file of a directory (default: the test corpus), then times,
 * over many rounds, the full parse (lexing, AST in a fresh pool, checks)
 * through the public sl_query_syntax_check(), and prints queries/s and MB/s.
 *
 *   build/bench/bench_query_parse [corpus-dir] [rounds]
 *
 * A benchmark, not a test: it asserts nothing about time (STYLE.md rule 10).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/query.h"

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

    /* Warm-up round, then the timed ones. Each parse gets a fresh pool, as a
     * request would. */
    size_t failures = 0;
    for (size_t i = 0; i < n; i++) {
        failures += sl_query_syntax_check(qs[i].text, qs[i].len, NULL) != 0;
    }
    uint64_t t0 = sl_time_mono_ns();
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < n; i++) {
            failures += sl_query_syntax_check(qs[i].text, qs[i].len, NULL) != 0;
        }
    }
    uint64_t ns = sl_time_mono_ns() - t0;
    report("parse", n * (size_t)rounds, bytes * (size_t)rounds, ns);
    printf("mean %.1f us per query (%.0f bytes), failures %zu\n",
           (double)ns / 1e3 / (double)(n * (size_t)rounds), (double)bytes / (double)n, failures);
    for (size_t i = 0; i < n; i++) {
        sl_free(qs[i].text);
    }
    sl_free(qs);
    return failures ? 1 : 0;
}
