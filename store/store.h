/*
 * store — everything sealog keeps on disk: the catalog (workspaces, tokens,
 * tables, DCRs, the cluster resource, audit log, usage), and later the WAL
 * and the encrypted segments. LMDB is used only inside this module.
 *
 * Threads: read functions may be called from any thread (each opens its own
 * read-only transaction, MDB_NOTLS). Write functions may be called from any
 * thread too — LMDB serialises writers — but they commit durably (fsync), so
 * the node calls them off its event loop.
 *
 * Nothing here logs; errors come back as SL_E* codes with an sl_diag_t.
 */
#ifndef SL_STORE_H
#define SL_STORE_H

#include "common/common.h"
#include "crypto/crypto.h"

/* ------------------------------------------------------------------------ */
/* Catalog                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct sl_catalog sl_catalog_t;

/* Opens (creating if needed) the catalog environment in directory `dir`. */
int sl_catalog_open(const char *dir, sl_catalog_t **out, sl_diag_t *d);
void sl_catalog_close(sl_catalog_t *c);

/* Small node-wide values ("format_version", "double_encryption", ...). */
int sl_catalog_meta_get(sl_catalog_t *c, const char *key, sl_buf_t *out, sl_diag_t *d);
int sl_catalog_meta_put(sl_catalog_t *c, const char *key, const void *v, size_t n, sl_diag_t *d);

/* Workspaces. Shared keys are stored sealed; the catalog never sees them in
 * the clear (the caller seals under the service key). */
#define SL_WS_NAME_MAX 63
typedef struct sl_ws_rec {
    sl_guid_t id;
    char name[SL_WS_NAME_MAX + 1];
    uint32_t retention_days;
    sl_ticks_t created;
    sl_ticks_t deleted; /* 0 while active */
    sl_buf_t sealed_key[2]; /* primary, secondary */
    sl_ticks_t linked;      /* linked to the cluster since; 0: not linked */
    sl_ticks_t unlinked;    /* last unlinked at (0: never) */
} sl_ws_rec_t;

void sl_ws_rec_dispose(sl_ws_rec_t *w);
/* Inserts a new workspace; SL_EEXIST if the id or the name is taken. */
int sl_catalog_ws_create(sl_catalog_t *c, const sl_ws_rec_t *w, sl_diag_t *d);
/* Replaces an existing workspace record (same id, same name). */
int sl_catalog_ws_update(sl_catalog_t *c, const sl_ws_rec_t *w, sl_diag_t *d);
int sl_catalog_ws_get(sl_catalog_t *c, const sl_guid_t *id, sl_ws_rec_t *out, sl_diag_t *d);
int sl_catalog_ws_by_name(sl_catalog_t *c, const char *name, sl_ws_rec_t *out, sl_diag_t *d);
/* All workspaces (deleted ones included), ordered by name. Free with
 * sl_ws_list_free. */
int sl_catalog_ws_list(sl_catalog_t *c, sl_ws_rec_t **out, size_t *n, sl_diag_t *d);
void sl_ws_list_free(sl_ws_rec_t *list, size_t n);

/* Tokens: stored by id with the SHA-256 of their secret, never the secret. */
typedef enum {
    SL_TOKEN_ADMIN = 1,  /* the admin API */
    SL_TOKEN_INGEST = 2, /* Logs Ingestion for the listed DCR ids ("*" = all) */
    SL_TOKEN_QUERY = 3,  /* the Query API for the listed workspace ids ("*" = all) */
} sl_token_kind_t;

#define SL_TOKEN_ID_LEN 8
#define SL_TOKEN_MAX_SCOPES 64
typedef struct sl_token_rec {
    uint8_t id[SL_TOKEN_ID_LEN];
    uint8_t hash[32];
    sl_token_kind_t kind;
    char name[64];
    sl_ticks_t created, expires, revoked; /* revoked 0 while valid */
    size_t nscopes;
    char scopes[SL_TOKEN_MAX_SCOPES][64];
} sl_token_rec_t;

int sl_catalog_token_put(sl_catalog_t *c, const sl_token_rec_t *t, sl_diag_t *d);
int sl_catalog_token_get(sl_catalog_t *c, const uint8_t id[SL_TOKEN_ID_LEN], sl_token_rec_t *out,
                         sl_diag_t *d);
/* All tokens, newest first. Free with sl_free. */
int sl_catalog_token_list(sl_catalog_t *c, sl_token_rec_t **out, size_t *n, sl_diag_t *d);

/* Data collection rules, stored as the JSON they were created from. */
typedef struct sl_dcr_rec {
    char immutable_id[72];
    sl_buf_t json;
    sl_ticks_t created, deleted;
} sl_dcr_rec_t;

int sl_catalog_dcr_put(sl_catalog_t *c, const sl_dcr_rec_t *r, bool create, sl_diag_t *d);
int sl_catalog_dcr_list(sl_catalog_t *c, sl_dcr_rec_t **out, size_t *n, sl_diag_t *d);
void sl_dcr_list_free(sl_dcr_rec_t *v, size_t n);

/* Wrapped account keys (AEKs), one record per (scope, AEK id). */
typedef struct sl_aek_rec {
    sl_scope_t scope;
    uint64_t aek_id;
    sl_buf_t wrapped;
    char provider[16];     /* "local", "vault" */
    char kek_version[256]; /* the provider's version string (a key id, a kid) */
    uint32_t kek_version_no;
    sl_ticks_t created;
    bool active;
} sl_aek_rec_t;

int sl_catalog_aek_put(sl_catalog_t *c, const sl_aek_rec_t *a, sl_diag_t *d);
/* All AEK records, oldest first. Free with sl_aek_list_free. */
int sl_catalog_aek_list(sl_catalog_t *c, sl_aek_rec_t **out, size_t *n, sl_diag_t *d);
void sl_aek_list_free(sl_aek_rec_t *v, size_t n);

/* The audit log: an append-only hash chain (catalog_audit.c). */
typedef struct sl_audit_rec {
    uint64_t seq;
    sl_ticks_t time;
    char kind[48];
    sl_buf_t details; /* JSON object text */
    uint8_t prev[32], hash[32];
} sl_audit_rec_t;

/* Appends a record (durably); *seq gets its number (may be NULL). */
int sl_catalog_audit_append(sl_catalog_t *c, sl_ticks_t time, const char *kind,
                            const char *details, uint64_t *seq, sl_diag_t *d);
/* Up to `limit` records from sequence number `from` on. Free with
 * sl_audit_list_free. */
int sl_catalog_audit_list(sl_catalog_t *c, uint64_t from, size_t limit, sl_audit_rec_t **out,
                          size_t *n, sl_diag_t *d);
void sl_audit_list_free(sl_audit_rec_t *v, size_t n);
/* Checks the whole chain: 0 with *records counted, or SL_EINTEGRITY with
 * *bad_seq the first record that does not match. */
int sl_catalog_audit_verify(sl_catalog_t *c, uint64_t *records, uint64_t *bad_seq, sl_diag_t *d);

/* ------------------------------------------------------------------------ */
/* Typed columns                                                            */
/* ------------------------------------------------------------------------ */

/* Column types, as KQL names them. int values are stored as 64-bit. */
typedef enum {
    SL_TYPE_BOOL = 1,
    SL_TYPE_INT = 2,
    SL_TYPE_LONG = 3,
    SL_TYPE_REAL = 4,
    SL_TYPE_DATETIME = 5,
    SL_TYPE_TIMESPAN = 6,
    SL_TYPE_STRING = 7,
    SL_TYPE_GUID = 8,    /* canonical text, like strings */
    SL_TYPE_DYNAMIC = 9, /* compact JSON text */
} sl_type_t;

const char *sl_type_name(sl_type_t t);
/* Parses a KQL or DCR type name ("string", "long", "boolean", "bool", "datetime",
 * "real", "double", "int", "timespan", "guid", "dynamic"). Returns 0 if unknown. */
sl_type_t sl_type_parse(const char *s, size_t n);
static inline bool sl_type_is_text(sl_type_t t)
{
    return t == SL_TYPE_STRING || t == SL_TYPE_GUID || t == SL_TYPE_DYNAMIC;
}
static inline bool sl_type_is_i64(sl_type_t t)
{
    return t == SL_TYPE_INT || t == SL_TYPE_LONG || t == SL_TYPE_DATETIME ||
           t == SL_TYPE_TIMESPAN;
}

/*
 * One column of values. Text columns keep n+1 offsets into one byte buffer;
 * they are never null (KQL: a missing string is ""). Other columns keep a
 * null bitmap (bit set = null) only once a null has been seen.
 */
typedef struct sl_col {
    char *name;
    sl_type_t type;
    size_t n;
    sl_buf_t nulls;  /* bitmap, empty when no value is null */
    sl_buf_t data;   /* int64 / double / uint8 values, or text bytes */
    sl_buf_t offs;   /* text: uint32 offsets, n + 1 of them */
} sl_col_t;

/* A set of equally long columns: the rows of one batch or one block. */
typedef struct sl_colset {
    size_t nrows;
    size_t ncols, cap;
    sl_col_t *cols;
} sl_colset_t;

void sl_colset_init(sl_colset_t *s);
void sl_colset_dispose(sl_colset_t *s);
/* Finds a column by exact name; -1 if absent. */
int sl_colset_find(const sl_colset_t *s, const char *name);
/* Adds a column (backfilled with nulls / "" for existing rows); returns its index. */
int sl_colset_add(sl_colset_t *s, const char *name, sl_type_t type);
/* Appends a value to column `c` (which must then have n == nrows or n == nrows+1
 * while a row is being built). */
void sl_col_push_null(sl_col_t *c);
void sl_col_push_i64(sl_col_t *c, int64_t v);
void sl_col_push_f64(sl_col_t *c, double v);
void sl_col_push_bool(sl_col_t *c, bool v);
void sl_col_push_text(sl_col_t *c, const char *p, size_t n);
/* Ends a row: columns that got no value for it get a null / "". */
void sl_colset_end_row(sl_colset_t *s);
/* Value access. */
static inline bool sl_col_is_null(const sl_col_t *c, size_t i)
{
    /* The bitmap only reaches the last null: rows past it are not null. */
    return (i >> 3) < c->nulls.len && (((const uint8_t *)c->nulls.data)[i >> 3] >> (i & 7) & 1);
}
static inline int64_t sl_col_i64(const sl_col_t *c, size_t i)
{
    return ((const int64_t *)c->data.data)[i];
}
static inline double sl_col_f64(const sl_col_t *c, size_t i)
{
    return ((const double *)c->data.data)[i];
}
static inline bool sl_col_bool(const sl_col_t *c, size_t i)
{
    return ((const uint8_t *)c->data.data)[i] != 0;
}
static inline const char *sl_col_text(const sl_col_t *c, size_t i, size_t *len)
{
    const uint32_t *o = (const uint32_t *)c->offs.data;
    *len = o[i + 1] - o[i];
    return c->data.data ? c->data.data + o[i] : "";
}
/* Appends rows [from, to) of `src` to `dst`, matching columns by name (adding
 * missing ones); src columns must have the same type as dst's. */
void sl_colset_append(sl_colset_t *dst, const sl_colset_t *src, size_t from, size_t to);
/* Bytes held by the values (for accounting and block size limits). */
size_t sl_colset_bytes(const sl_colset_t *s);

/* ------------------------------------------------------------------------ */
/* Batches: what ingestion hands to the store                               */
/* ------------------------------------------------------------------------ */

#define SL_TABLE_NAME_MAX 127
#define SL_TABLE_MAX_COLUMNS 500

/*
 * The rows of one request for one (workspace, table, key scope). `rows` must
 * hold a non-null "TimeGenerated" datetime column; other columns are the
 * table's (types must match the table's schema, see sl_store_table_schema).
 */
typedef struct sl_batch {
    sl_guid_t ws;
    char table[SL_TABLE_NAME_MAX + 1];
    sl_scope_t scope;
    sl_ticks_t received;
    uint64_t raw_bytes; /* request bytes, for usage accounting */
    sl_colset_t rows;
} sl_batch_t;

/* A table's schema as the store knows it. */
typedef struct sl_table_col {
    char *name;
    sl_type_t type;
} sl_table_col_t;

typedef struct sl_table_def {
    sl_guid_t ws;
    char name[SL_TABLE_NAME_MAX + 1];
    uint32_t table_id;
    sl_ticks_t created;
    size_t ncols;
    sl_table_col_t *cols;
} sl_table_def_t;

sl_batch_t *sl_batch_create(const sl_guid_t *ws, const char *table, sl_scope_t scope);
void sl_batch_destroy(sl_batch_t *b);

/* ------------------------------------------------------------------------ */
/* The store: WAL, segments, writer threads                                 */
/* ------------------------------------------------------------------------ */

typedef struct sl_store sl_store_t;

/* A block that has just been written (see sl_store_opts_t.on_block). */
typedef struct sl_store_block_info {
    uint64_t block_id;
    sl_scope_t scope;
    uint64_t aek_id;
    sl_guid_t ws;
    uint32_t table_id; /* the table's id in the catalog (sl_table_def_t.table_id) */
    sl_ticks_t tmin, tmax;
    uint32_t rows;
} sl_store_block_info_t;

/*
 * Called once per block after the transaction that wrote it committed, with
 * the block's rows in the clear. The callback may take the contents of
 * `rows` (move them out and leave it zeroed, as sl_colset_init does); the
 * store disposes whatever is left. It runs on the segment writer thread (or,
 * during sl_store_open's WAL replay, on the opening thread) while ingestion
 * waits for it: it must only hand the rows off (e.g. queue them) and return.
 */
typedef void (*sl_store_block_cb)(void *arg, const sl_store_block_info_t *info,
                                  sl_colset_t *rows);

typedef struct sl_store_opts {
    const char *data_dir;     /* the node's data directory */
    sl_keyring_t *keyring;    /* borrowed */
    sl_catalog_t *catalog;    /* borrowed */
    uint64_t wal_file_size;   /* rotate WAL files past this size */
    uint64_t queue_max_bytes; /* backpressure: submit answers SL_EBUSY when the rows
                                 waiting for the WAL and for the block builders
                                 together would exceed this */
    uint32_t block_max_rows;
    uint64_t block_max_bytes;
    int64_t flush_interval_ms; /* a block is written at the latest this long after its first row */
    int64_t segment_span_ms;   /* time window of one segment environment */
    /* Called on the WAL thread after each group commit: wake the loop, which
     * then drains sl_store_completions(). Must be async-signal-light (e.g.
     * uv_async_send). */
    void (*on_commit)(void *arg);
    void *on_commit_arg;
    /* Optional "block written" hook (the hot cache's feed); NULL: none. */
    sl_store_block_cb on_block;
    void *on_block_arg;
} sl_store_opts_t;

/*
 * Opens the store: loads the table registry, opens the segments, replays the
 * WAL (so that every acknowledged record is in a builder or a block), then
 * starts the WAL and segment writer threads.
 */
int sl_store_open(const sl_store_opts_t *o, sl_store_t **out, sl_diag_t *d);
/* Stops accepting, commits what is queued, writes every pending block,
 * stops the threads. */
void sl_store_close(sl_store_t *s);

/*
 * Submits a batch (ownership passes to the store whatever the result).
 * Returns 0 when queued — the outcome arrives later through
 * sl_store_completions() with `user` — or, without queuing: SL_EBUSY (the
 * queue is full: retry later), SL_EKEYUNAVAIL (the scope's key is not
 * available), SL_EINVAL / SL_ELIMIT (schema conflict, too many columns).
 * Thread-safe.
 */
int sl_store_submit(sl_store_t *s, sl_batch_t *b, void *user, sl_diag_t *d);

/* Calls cb(arg, user, status, lsn) for every batch whose commit finished
 * (status 0: durable). Call it from one thread (the loop). */
typedef void (*sl_store_done_cb)(void *arg, void *user, int status, uint64_t lsn);
size_t sl_store_completions(sl_store_t *s, sl_store_done_cb cb, void *arg);

/* Writes every pending block now and waits (for dumps and tests). */
void sl_store_flush(sl_store_t *s);

/* Table schemas (deep copies; free with sl_table_def_dispose). */
int sl_store_table_get(sl_store_t *s, const sl_guid_t *ws, const char *table, sl_table_def_t *out);
int sl_store_table_list(sl_store_t *s, const sl_guid_t *ws, sl_table_def_t **out, size_t *n);
void sl_table_def_dispose(sl_table_def_t *t);
void sl_table_list_free(sl_table_def_t *v, size_t n);

/* Reading blocks back. */
typedef struct sl_scan_spec {
    sl_guid_t ws;
    const char *table;
    sl_ticks_t t0, t1;          /* rows in [t0, t1] are wanted; blocks outside are pruned */
    const char *const *columns; /* NULL: every column */
    size_t ncolumns;
} sl_scan_spec_t;

typedef struct sl_scan_stats {
    uint64_t blocks_read, blocks_pruned, bytes_decrypted, rows;
} sl_scan_stats_t;

/* Information about the block handed to a scan callback. */
typedef struct sl_scan_block {
    uint64_t block_id;
    sl_scope_t scope;
    uint64_t aek_id;
    uint32_t kek_version;
    sl_ticks_t tmin, tmax;
    const char *segment; /* directory of its segment */
} sl_scan_block_t;

/* Called per block with its decoded columns (those asked for, that the block
 * has; the callback may take ownership of `rows` by moving its contents out).
 * A non-zero return stops the scan and is returned by sl_store_scan. */
typedef int (*sl_scan_cb)(void *arg, const sl_scan_block_t *blk, sl_colset_t *rows);

/*
 * Reads the blocks of one table overlapping [t0, t1], oldest first, on the
 * calling thread. SL_ENOTFOUND if the table does not exist; SL_EKEYUNAVAIL
 * if a block's key is unavailable; SL_EINTEGRITY if a block was altered.
 */
int sl_store_scan(sl_store_t *s, const sl_scan_spec_t *spec, sl_scan_cb cb, void *arg,
                  sl_scan_stats_t *st, sl_diag_t *d);

/*
 * Snapshots: a consistent view of some tables for parallel readers. A
 * snapshot lists the blocks that may hold rows of the given tables with
 * TimeGenerated in [t0, t1] (others are pruned by their clear header) plus,
 * as "memory" blocks, the acknowledged rows not yet written to a block, so
 * a query sees every acknowledged row exactly once. Blocks may hold rows
 * outside [t0, t1]: the reader filters.
 */
typedef struct sl_snap sl_snap_t;
typedef struct sl_snap_reader sl_snap_reader_t;

typedef struct sl_snap_table {
    sl_guid_t ws;
    const char *table;
} sl_snap_table_t;

typedef struct sl_snap_block {
    size_t table; /* index into the tables given to sl_store_snap_open */
    uint64_t block_id; /* 0 for memory blocks */
    sl_guid_t ws;      /* the table's workspace */
    sl_scope_t scope;
    uint64_t aek_id;
    uint32_t kek_version;
    sl_ticks_t tmin, tmax;
    uint32_t rows;
    uint64_t bytes; /* stored (sealed) size; in-memory size for memory blocks */
    bool memory;    /* rows not yet in a block (already in the clear) */
} sl_snap_block_t;

/* Opens a snapshot. Tables that do not exist are skipped. Thread-safe; the
 * snapshot must be closed on any thread with sl_store_snap_close (it pins
 * segments and LMDB read transactions until then). */
int sl_store_snap_open(sl_store_t *s, const sl_snap_table_t *tabs, size_t ntabs,
                       sl_ticks_t t0, sl_ticks_t t1, sl_snap_t **out, sl_diag_t *d);
void sl_store_snap_close(sl_snap_t *sn);
size_t sl_store_snap_count(const sl_snap_t *sn);
/* Borrowed until sl_store_snap_close. Blocks come table by table, in time order. */
const sl_snap_block_t *sl_store_snap_block(const sl_snap_t *sn, size_t i);
/* Blocks skipped by their time range while listing. */
uint64_t sl_store_snap_pruned(const sl_snap_t *sn);
/* Per-thread decoding state (decompression context, buffers). */
sl_snap_reader_t *sl_store_snap_reader_new(void);
void sl_store_snap_reader_free(sl_snap_reader_t *r);
/*
 * Decodes block i into `out` (an empty colset): only the columns named in
 * cols[0..ncols) that the block has (cols NULL: all). Blocks are decrypted
 * and verified; SL_EKEYUNAVAIL if the block's scope key is unavailable,
 * SL_EINTEGRITY if it was altered. Different blocks may be read at once
 * from different threads, each with its own reader. Adds the bytes
 * decrypted to *bytes_decrypted (may be NULL).
 */
int sl_store_snap_read(sl_snap_t *sn, size_t i, const char *const *cols, size_t ncols,
                       sl_snap_reader_t *r, sl_colset_t *out, uint64_t *bytes_decrypted,
                       sl_diag_t *d);

/*
 * Term filters. Blocks keep, for each string column, a filter of its terms
 * of SL_TERM_MIN_LEN+ characters (terms as KQL's `has` defines them: runs
 * of ASCII letters, digits and bytes >= 0x80, case-folded). A reader that
 * only wants rows whose column holds all of some terms gives them as a
 * probe; a block whose filter proves a term absent is skipped.
 */
#define SL_TERM_MIN_LEN 8
uint64_t sl_store_term_hash(const char *s, size_t n);
/* Hashes the indexable terms of s into hashes[0..max) and returns how many
 * there are; *short_term says whether shorter terms were skipped. */
size_t sl_store_terms(const char *s, size_t n, uint64_t *hashes, size_t max, bool *short_term);

typedef struct sl_snap_probe {
    const char *column;
    const uint64_t *hashes; /* every one must be present */
    size_t n;
} sl_snap_probe_t;

/* sl_store_snap_read, but first checks the probes against the block's term
 * filters: when one proves a term absent, *skipped is set and nothing is
 * decoded (out stays empty). Memory blocks are never skipped. */
/* Only the probes of sl_store_snap_read_probed: whether block i's term
 * filters prove a probe absent (*skipped), decrypting nothing but the block's
 * directory and filters (a memory block is never skipped). For readers that
 * hold the block elsewhere (the hot cache). */
int sl_store_snap_probe(sl_snap_t *sn, size_t i, const sl_snap_probe_t *probes, size_t nprobes,
                        sl_snap_reader_t *rd, bool *skipped, uint64_t *bytes_decrypted,
                        sl_diag_t *d);
int sl_store_snap_read_probed(sl_snap_t *sn, size_t i, const char *const *cols, size_t ncols,
                              const sl_snap_probe_t *probes, size_t nprobes, sl_snap_reader_t *r,
                              sl_colset_t *out, uint64_t *bytes_decrypted, bool *skipped,
                              sl_diag_t *d);

/* Retention: rows older than a workspace's cutoff are deleted. */
typedef struct sl_retention_rule {
    sl_guid_t ws;
    sl_ticks_t cutoff; /* rows with TimeGenerated < cutoff expire */
} sl_retention_rule_t;

typedef struct sl_purge_stats {
    uint64_t segments_dropped, blocks_deleted, blocks_rewritten, rows_deleted;
} sl_purge_stats_t;

/*
 * Deletes expired data, on the segment writer thread (this call waits):
 * whole segments when every workspace in them has expired there, else each
 * expired workspace's blocks by key range; a block that straddles a cutoff
 * is rewritten without its expired rows. Workspaces without a rule are left
 * alone. Work is proportional to what is deleted.
 */
int sl_store_purge(sl_store_t *s, const sl_retention_rule_t *rules, size_t n,
                   sl_purge_stats_t *st, sl_diag_t *d);

/* Counters for /metrics and benchmarks (monotonic since open). */
typedef struct sl_store_stats {
    uint64_t batches, rows, raw_bytes;
    uint64_t wal_groups, wal_records, wal_bytes, wal_files;
    uint64_t blocks, block_rows, block_bytes, segments;
    uint64_t queue_bytes, queue_rejects;
    uint64_t backlog_bytes; /* committed, waiting for the block builders */
    uint64_t ns_wal_seal, ns_wal_write, ns_wal_sync;
    uint64_t ns_encode, ns_compress, ns_encrypt, ns_commit;
    uint64_t durable_through;
} sl_store_stats_t;
void sl_store_stats(sl_store_t *s, sl_store_stats_t *out);

#endif /* SL_STORE_H */
