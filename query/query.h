/*
 * query — KQL for sealog: lexer, parser and (later) planner, operators,
 * functions and the result writer. See KQL.md (the language contract) and
 * docs/KQL-PARSER.md (the front end).
 *
 * Only the syntax check is public so far: the node uses it to answer a bad
 * query with the right error class before any execution exists. The parse
 * tree itself is declared in query/query_int.h for the module's own files.
 *
 * Nothing here logs; errors come back as SL_E* codes with an sl_diag_t.
 */
#ifndef SL_QUERY_H
#define SL_QUERY_H

#include "common/common.h"

/*
 * Checks that `text` (len bytes, need not be NUL-terminated) is a
 * syntactically valid KQL request. Returns
 *   0                on success;
 *   SL_EPARSE        for a syntax error ("Syntax error at line 3, column 12
 *                    near 'by': expected an expression");
 *   SL_EUNSUPPORTED  for statements Azure Monitor does not have (`alias`,
 *                    `declare query_parameters`, `restrict`, `declare
 *                    pattern`), which the Query API reports as SemanticError;
 *   SL_ELIMIT        when the query nests deeper than the parser allows;
 * with the message in `d` (may be NULL). Thread-safe; allocates only
 * temporary memory.
 */
int sl_query_syntax_check(const char *text, size_t len, sl_diag_t *d);


/* ------------------------------------------------------------------------ */
/* Running queries                                                          */
/* ------------------------------------------------------------------------ */

#include <stdatomic.h>

#include "cache/cache.h"
#include "store/store.h"

/* What a query runs against (provided by the node). */
typedef struct sl_query_env {
    sl_store_t *store;
    /* The hot cache: blocks are read through it (sl_cache_read) when set;
     * NULL reads the store directly. */
    sl_cache_t *cache;
    /* Resolves workspace("...") — a name, a GUID, or an Azure resource id —
     * to a workspace the caller may read: 0, SL_ENOTFOUND or SL_EFORBIDDEN
     * with a message in d. NULL: workspace() is not available. */
    int (*resolve_ws)(void *arg, const char *text, size_t n, sl_guid_t *out, sl_diag_t *d);
    void *resolve_arg;
    /* Runs fn(task) on a worker thread (the node's thread pool); NULL runs
     * everything on the calling thread. `helpers` tasks are offered per
     * parallel scan. */
    void (*spawn)(void *arg, void (*fn)(void *task), void *task);
    void *spawn_arg;
    unsigned helpers;
} sl_query_env_t;

typedef struct sl_query_req {
    const char *text; /* KQL, len bytes */
    size_t len;
    const sl_guid_t *ws; /* the workspaces table names resolve in, primary first */
    size_t nws;
    bool has_timespan; /* the API's timespan: rows outside [t0, t1] are not seen */
    sl_ticks_t t0, t1;
    sl_ticks_t now;              /* now() for the whole query */
    uint64_t deadline_ns;        /* monotonic (sl_time_mono_ns); 0: none */
    const _Atomic bool *cancel;  /* set to stop the query early; may be NULL */
    int64_t mem_budget;          /* bytes; 0: unlimited */
    uint64_t max_rows, max_bytes; /* result caps (0: none); beyond them the result
                                     is cut and marked partial */
} sl_query_req_t;

typedef struct sl_query_table {
    char name[32];    /* PrimaryResult, Table_1 ... */
    sl_colset_t rows; /* named, typed columns (store/store.h) */
} sl_query_table_t;

typedef struct sl_query_stats {
    double exec_seconds;
    uint64_t blocks_read, blocks_pruned, bytes_decrypted, rows_scanned;
    uint64_t result_rows, result_bytes;
    int64_t peak_memory;
} sl_query_stats_t;

typedef struct sl_query_result {
    size_t ntables;
    sl_query_table_t *tables;
    bool partial;          /* a result cap cut the rows */
    char partial_msg[200]; /* why */
    sl_query_stats_t stats;
    char visualization[48]; /* from `render`, or "" */
    sl_buf_t render_props;  /* the render properties as a JSON object ("{}" if none) */
} sl_query_result_t;

/*
 * Parses, binds, plans and runs a KQL request. Returns 0 with the result
 * tables in `out` (free with sl_query_result_dispose), or:
 *   SL_EPARSE        syntax error (message with line, column and token);
 *   SL_ESEMANTIC     unknown table or column, type error, bad regex ...;
 *   SL_EUNSUPPORTED  a construct this engine does not execute (named);
 *   SL_ELIMIT        the memory budget or an engine limit was exceeded;
 *   SL_ETIMEOUT      past the deadline; SL_ECANCELED cancelled;
 *   SL_EKEYUNAVAIL   a block's key is unavailable; SL_EINTEGRITY damage;
 * with the message in d. Thread-safe; the node runs it on its thread pool.
 */
int sl_query_run(const sl_query_env_t *env, const sl_query_req_t *req, sl_query_result_t *out,
                 sl_diag_t *d);
void sl_query_result_dispose(sl_query_result_t *r);

#endif /* SL_QUERY_H */
