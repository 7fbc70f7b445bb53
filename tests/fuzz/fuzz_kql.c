/*
 * Fuzzes the KQL front end (lexer, parser, literal decoders, dump) with
 * arbitrary query text. Invariants checked on every input:
 *  - no crash, no leak, no undefined behaviour (ASan/UBSan/LSan);
 *  - recursion is bounded: deep nesting fails with SL_ELIMIT, never a stack
 *    overflow, and every tree is at most SL_QUERY_MAX_HEIGHT tall;
 *  - a failure is one of the documented codes, with a message and a
 *    position inside the text;
 *  - a success yields positions inside the text for every node, and its
 *    dump is deterministic: parsing the same text again prints the same.
 */
#include <stdlib.h>
#include <string.h>

#include "query/query_int.h"

struct walk {
    size_t size;
    uint32_t max_height;
};

static void check_node(const sl_query_node_t *n, void *arg)
{
    struct walk *w = arg;
    if ((uint64_t)n->pos.off + n->pos.len > w->size || n->pos.line < 1 || n->pos.col < 1) {
        abort();
    }
    if (n->height > w->max_height || n->height < 1) {
        abort();
    }
    sl_query_node_foreach_child(n, check_node, arg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    sl_pool_t *pool = sl_pool_create();
    sl_query_node_t *q = NULL;
    sl_query_error_t err;
    sl_diag_t d;
    int rc = sl_query_parse(pool, text, size, &q, &err, &d);
    if (rc != 0) {
        if (q || (rc != SL_EPARSE && rc != SL_EUNSUPPORTED && rc != SL_ELIMIT)) {
            abort();
        }
        if (err.code != rc || d.code != rc || d.msg[0] == '\0' || err.pos.off > size) {
            abort();
        }
    } else {
        if (!q || q->kind != SL_QUERY_N_QUERY) {
            abort();
        }
        struct walk w = { size, SL_QUERY_MAX_HEIGHT };
        check_node(q, &w);
        sl_buf_t a = SL_BUF_INIT, b = SL_BUF_INIT;
        sl_query_ast_dump(q, &a);
        sl_pool_t *pool2 = sl_pool_create();
        sl_query_node_t *q2 = NULL;
        if (sl_query_parse(pool2, text, size, &q2, NULL, NULL) != 0) {
            abort();
        }
        sl_query_ast_dump(q2, &b);
        if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0) {
            abort();
        }
        sl_buf_dispose(&a);
        sl_buf_dispose(&b);
        sl_pool_destroy(pool2);
    }
    sl_pool_destroy(pool);
    return 0;
}
