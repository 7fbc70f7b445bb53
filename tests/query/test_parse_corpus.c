/*
 * The corpus: realistic Log Analytics and Sentinel queries (security
 * events, sign-ins, syslog, performance counters, heartbeats, Azure
 * activity ...) in the .kql files of tests/query/corpus. Every one must parse, with
 * sane positions, a bounded tree and a deterministic dump. The fuzzer is
 * seeded with the same files.
 */
#include <dirent.h>
#include <libgen.h>

#include "query_test.h"

static char *corpus_dir(void)
{
    char *file = strdup(__FILE__);
    char *dir = NULL;
    if (asprintf(&dir, "%s/corpus", dirname(file)) < 0) {
        abort();
    }
    free(file);
    return dir;
}

struct invariant {
    size_t len;
    int bad;
    int tabular_ops;
    int unsupported;
};

static void walk(const sl_query_node_t *n, void *arg)
{
    struct invariant *inv = arg;
    if ((size_t)n->pos.off + n->pos.len > inv->len || n->pos.line < 1 || n->pos.col < 1 ||
        n->height < 1 || n->height > SL_QUERY_MAX_HEIGHT) {
        inv->bad++;
    }
    if (n->kind == SL_QUERY_N_PIPELINE) {
        inv->tabular_ops += (int)n->pipe.ops.n;
    }
    if (n->kind == SL_QUERY_N_UNSUPPORTED) {
        inv->unsupported++;
    }
    sl_query_node_foreach_child(n, walk, arg);
}

Test(query_parse_corpus, every_query_parses)
{
    char *dir = corpus_dir();
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "corpus directory %s", dir);
    struct dirent *e;
    int files = 0, unsupported_files = 0;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".kql") != 0) {
            continue;
        }
        char *path = NULL;
        if (asprintf(&path, "%s/%s", dir, e->d_name) < 0) {
            abort();
        }
        sl_buf_t text = SL_BUF_INIT;
        cr_assert_eq(sl_read_file(path, 1 << 20, &text), 0, "%s", path);
        files++;

        sl_pool_t *pool = sl_pool_create();
        sl_query_node_t *q;
        sl_query_error_t err;
        sl_diag_t diag;
        int rc = sl_query_parse(pool, text.data, text.len, &q, &err, &diag);
        cr_expect_eq(rc, 0, "%s: %s", e->d_name, diag.msg);
        if (rc == 0) {
            struct invariant inv = { text.len, 0, 0, 0 };
            walk(q, &inv);
            cr_expect_eq(inv.bad, 0, "%s: node positions or heights out of range", e->d_name);
            unsupported_files += inv.unsupported > 0;

            sl_buf_t a = SL_BUF_INIT, b = SL_BUF_INIT;
            sl_query_ast_dump(q, &a);
            sl_pool_t *pool2 = sl_pool_create();
            sl_query_node_t *q2;
            cr_assert_eq(sl_query_parse(pool2, text.data, text.len, &q2, NULL, NULL), 0);
            sl_query_ast_dump(q2, &b);
            cr_expect_str_eq(a.data, b.data, "%s: dump is deterministic", e->d_name);
            sl_pool_destroy(pool2);
            sl_buf_dispose(&a);
            sl_buf_dispose(&b);
        }
        sl_pool_destroy(pool);
        sl_buf_dispose(&text);
        free(path);
    }
    closedir(d);
    free(dir);
    cr_expect_geq(files, 150, "the corpus holds at least 150 queries (has %d)", files);
    /* Tier-3 operators in the corpus are captured by name, not rejected. */
    cr_expect_geq(unsupported_files, 5);
}

Test(query_parse_corpus, truncated_queries_fail_cleanly)
{
    /* Every prefix of a real query either parses or fails with a located
     * syntax error: no crash, no other code, position inside the text. */
    const char *text = "let threshold = 5;\n"
                       "SecurityEvent\n"
                       "| where TimeGenerated > ago(1d) and EventID in (4624, 4625)\n"
                       "| extend Acct = tolower(tostring(split(Account, @\"\\\")[1]))\n"
                       "| summarize Failed = countif(EventID == 4625), Ok = countif(EventID == "
                       "4624) by Acct, bin(TimeGenerated, 1h)\n"
                       "| where Failed > threshold\n"
                       "| join kind=leftouter (IdentityInfo | project Acct = tolower(AccountName), "
                       "Dept = Department) on Acct\n"
                       "| project-away Acct1\n"
                       "| render timechart with (title=\"Failures\")";
    size_t len = strlen(text);
    int ok = 0, failed = 0;
    for (size_t n = 0; n <= len; n++) {
        sl_pool_t *pool = sl_pool_create();
        sl_query_node_t *q;
        sl_query_error_t err;
        int rc = sl_query_parse(pool, text, n, &q, &err, NULL);
        if (rc == 0) {
            ok++;
        } else {
            failed++;
            cr_expect_eq(rc, SL_EPARSE, "prefix %zu", n);
            cr_expect_leq(err.pos.off, n, "prefix %zu", n);
        }
        sl_pool_destroy(pool);
    }
    cr_expect_gt(ok, 10);
    cr_expect_gt(failed, 10);
}
