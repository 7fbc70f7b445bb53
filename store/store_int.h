/* Internals shared by the files of store/. */
#ifndef SL_STORE_INT_H
#define SL_STORE_INT_H

#include "crypto/crypto.h"
#include "store/store.h"

#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>

/* Translates an LMDB return code to SL_E* and describes it in `d`. */
int sl_store__mdb_err(int rc, sl_diag_t *d, const char *what);

/* Opens an LMDB environment in `dir` with the flags sealog uses everywhere:
 * MDB_NOTLS (read txns may move between pool threads), MDB_NORDAHEAD. */
int sl_store__env_open(const char *dir, size_t mapsize, unsigned maxdbs, unsigned extra_flags,
                       MDB_env **out, sl_diag_t *d);

/* codec.c: column encodings (before compression). `c` must be empty with its
 * name and type set; decode checks every length against the input. */
void sl_store__col_encode(const sl_col_t *c, sl_buf_t *out);
int sl_store__col_decode(const uint8_t *p, size_t len, sl_col_t *c, size_t max_rows);

/* batch.c: batch payloads inside WAL records. */
void sl_store__batch_encode(const sl_batch_t *b, sl_buf_t *out);
int sl_store__batch_decode(const uint8_t *p, size_t n, sl_batch_t **out);

/* wal.c: the write-ahead log. */
typedef struct sl_wal sl_wal_t;
typedef struct sl_wal_item {
    sl_scope_t scope;
    const uint8_t *payload;
    size_t n;
    uint64_t lsn; /* out */
    int status;   /* out: 0, SL_EKEYUNAVAIL, or a write error */
} sl_wal_item_t;
/* Called for every record in LSN order; `payload` is NULL when the record's
 * key is unavailable (it stays in the log). A non-zero return stops replay. */
typedef int (*sl_wal_replay_cb)(void *arg, uint64_t lsn, sl_scope_t scope, const uint8_t *payload,
                                size_t n, sl_diag_t *d);
int sl_store__wal_open(const char *dir, sl_keyring_t *kr, uint64_t file_size, sl_wal_t **out,
                       sl_diag_t *d);
/* Must be called once after open, before appending. */
int sl_store__wal_replay(sl_wal_t *w, sl_wal_replay_cb cb, void *arg, sl_diag_t *d);
/* Seals, writes and fdatasyncs a group of records; assigns LSNs. */
int sl_store__wal_append(sl_wal_t *w, sl_wal_item_t *items, size_t n, sl_diag_t *d);
uint64_t sl_store__wal_next_lsn(const sl_wal_t *w);
/* Deletes files whose records are all <= durable_through (never the active one). */
void sl_store__wal_release(sl_wal_t *w, uint64_t durable_through);
size_t sl_store__wal_files(const sl_wal_t *w);
void sl_store__wal_close(sl_wal_t *w);

/* schema.c: the table registry. */
typedef struct sl_schema sl_schema_t;
int sl_store__schema_load(sl_catalog_t *c, sl_schema_t **out, sl_diag_t *d);
void sl_store__schema_destroy(sl_schema_t *s);
/* Adds the table and any new columns of `rows`; fails on a type conflict
 * (SL_EINVAL) or past the column limit (SL_ELIMIT). */
int sl_store__schema_merge(sl_schema_t *s, const sl_guid_t *ws, const char *table,
                           const sl_colset_t *rows, uint32_t *table_id, sl_diag_t *d);
int sl_store__schema_persist(sl_schema_t *s, sl_catalog_t *c, sl_diag_t *d);
/* Deep copies; free with sl_store__table_def_dispose. */
int sl_store__schema_get(sl_schema_t *s, const sl_guid_t *ws, const char *table,
                         sl_table_def_t *out);
int sl_store__schema_list(sl_schema_t *s, const sl_guid_t *ws, sl_table_def_t **out, size_t *n);

/* segment.c: per-window LMDB environments. */
typedef struct sl_segment {
    char dir[4200];
    MDB_env *env;
    MDB_dbi meta, blocks, data, applied, usage;
    sl_ticks_t start, end;
    _Atomic int refs;
    bool dropped;
    bool dirty; /* written since the last sync (writer thread only) */
} sl_segment_t;
typedef struct sl_segs sl_segs_t;
#define SL_BLOCK_KEY_LEN 36
int sl_store__segs_open(const char *root, int64_t span, sl_segs_t **out, sl_diag_t *d);
void sl_store__segs_close(sl_segs_t *g);
/* The segment holding time t, created if needed (writer thread). Borrowed:
 * valid until sl_store__segs_drop. */
int sl_store__segs_for(sl_segs_t *g, sl_ticks_t t, sl_segment_t **out, sl_diag_t *d);
/* Segments overlapping [t0, t1], each referenced: release with seg_unref. */
size_t sl_store__segs_range(sl_segs_t *g, sl_ticks_t t0, sl_ticks_t t1, sl_segment_t ***out);
void sl_store__seg_unref(sl_segment_t *s);
void sl_store__segs_drop(sl_segs_t *g, sl_segment_t *s);
void sl_store__block_key(const sl_guid_t *ws, uint32_t table_id, sl_ticks_t tmin,
                         uint64_t block_id, uint8_t key[SL_BLOCK_KEY_LEN]);

/* block.c: the block format (docs/FORMAT.md "Blocks"). */
#define SL_BLOCK_MAGIC 0x31424c53u /* "SLB1" */
#define SL_BLOCK_VERSION 1
#define SL_BLOCK_HDR_LEN 88

typedef struct sl_block_hdr {
    uint8_t version, scope, flags;
    uint64_t aek_id;
    uint32_t kek_version, table_id;
    sl_guid_t ws;
    uint64_t block_id;
    sl_ticks_t tmin, tmax, created;
    uint32_t rows;
    uint16_t ncols;
    uint32_t dir_len, data_len;
} sl_block_hdr_t;

void sl_store__block_hdr_write(const sl_block_hdr_t *h, uint8_t out[SL_BLOCK_HDR_LEN]);
int sl_store__block_hdr_read(const void *p, size_t n, sl_block_hdr_t *h);

/* Builds a block from `rows` (which must have a TimeGenerated column):
 * fills `hdr` (clear, authenticated) and `data` (sealed directory and
 * columns). `zc` is a ZSTD_CCtx owned by the calling thread. */
int sl_store__block_build(sl_keyring_t *kr, sl_scope_t scope, const sl_guid_t *ws,
                          uint32_t table_id, uint64_t block_id, const sl_colset_t *rows,
                          void *zc, uint8_t hdr[SL_BLOCK_HDR_LEN], sl_buf_t *data,
                          uint64_t ns[3] /* += encode, compress, encrypt */, sl_diag_t *d);

/* Reading a block: open the directory, then decode columns by name. */
typedef struct sl_block_col_info {
    char *name;
    sl_type_t type;
    uint8_t compressed;
    uint32_t off, sealed_len, raw_len;
    uint32_t filter_off, filter_len; /* its sealed term filter; 0: none */
} sl_block_col_info_t;

typedef struct sl_block_reader {
    sl_block_hdr_t hdr;
    uint8_t hdr_bytes[SL_BLOCK_HDR_LEN];
    const uint8_t *data; /* borrowed: valid while the read txn lives */
    size_t data_len;
    sl_envelope_t env;
    size_t ncols;
    sl_block_col_info_t *cols;
    sl_buf_t scratch; /* opened ciphertext */
    sl_buf_t raw;     /* decompressed encoding */
    void *zd;         /* ZSTD_DCtx */
    uint64_t bytes_decrypted;
} sl_block_reader_t;

void sl_store__block_reader_init(sl_block_reader_t *r);
void sl_store__block_reader_dispose(sl_block_reader_t *r);
/* Verifies and opens the directory. SL_EKEYUNAVAIL if the scope's key is
 * gone, SL_EINTEGRITY if anything was altered. */
int sl_store__block_open(sl_block_reader_t *r, sl_keyring_t *kr, const uint8_t *hdr,
                         size_t hdr_len, const uint8_t *data, size_t data_len, sl_diag_t *d);
/* Whether column i may contain every term (hashes from sl_store_term_hash):
 * false only when its term filter proves one absent. */
int sl_store__block_may_have(sl_block_reader_t *r, size_t i, const uint64_t *hashes, size_t n,
                             bool *may, sl_diag_t *d);
/* Authenticates every term filter of the block (SL_EINTEGRITY if one was
 * altered). */
int sl_store__block_check_filters(sl_block_reader_t *r, sl_diag_t *d);
/* terms.c: builds a column's term filter into out (false: none, e.g. not a
 * string column); tests a filter for one term hash. */
bool sl_store__terms_build(const sl_col_t *c, sl_buf_t *out);
bool sl_store__terms_may_have(const uint8_t *f, size_t n, uint64_t h);
/* Decodes column `i` of the directory into `out` (an empty column). */
int sl_store__block_read_col(sl_block_reader_t *r, size_t i, sl_col_t *out, sl_diag_t *d);

struct sl_catalog {
    MDB_env *env;
    MDB_dbi meta, ws, ws_name, tokens, tables, dcrs, aeks, audit;
};

/* catalog_table.c */
int sl_store__catalog_table_put(sl_catalog_t *c, const sl_table_def_t *t, sl_diag_t *d);
int sl_store__catalog_table_list(sl_catalog_t *c, sl_table_def_t **out, size_t *n, sl_diag_t *d);
void sl_store__table_def_dispose(sl_table_def_t *t);

/* ------------------------------------------------------------------------ */
/* The store object (store.c, writer.c, builder.c)                          */
/* ------------------------------------------------------------------------ */

typedef struct sl_pending {
    struct sl_pending *next;
    sl_batch_t *batch;
    uint32_t table_id;
    sl_buf_t payload;
    size_t bytes; /* queue accounting */
    void *user;
    uint64_t lsn;
    int status;
    bool replayed; /* from the WAL at start: rows of applied parts are skipped */
} sl_pending_t;

typedef struct sl_run {
    uint64_t lsn;
    uint32_t start, count; /* rows [start, start+count) of that record's part */
} sl_run_t;

typedef struct sl_builder {
    struct sl_builder *next;
    sl_guid_t ws;
    uint32_t table_id;
    sl_scope_t scope;
    sl_segment_t *seg;
    sl_colset_t rows;
    sl_run_t *runs;
    size_t nruns, cap;
    uint64_t first_ns;
    uint64_t raw_bytes;
} sl_builder_t;

struct sl_store {
    sl_store_opts_t o;
    char data_dir[4096];
    sl_keyring_t *kr;
    sl_catalog_t *cat;
    sl_schema_t *schema;
    sl_segs_t *segs;
    sl_wal_t *wal;

    pthread_mutex_t mu;
    pthread_cond_t wal_cv, seg_cv, flush_cv;
    /* Held exclusively by the segment writer while rows move from its queue
     * to builders to blocks, shared by snapshots (snap.c): a reader sees
     * each acknowledged row exactly once. Lock order: vis, then mu. */
    pthread_rwlock_t vis;
    sl_pending_t *wal_head, *wal_tail; /* waiting for the WAL */
    sl_pending_t *seg_head, *seg_tail; /* committed, waiting for builders */
    sl_pending_t *done_head, *done_tail;
    uint64_t queued_bytes;
    uint64_t backlog_bytes; /* committed, not yet taken by the builders (mu) */
    bool stop_wal, stop_seg, started;
    uint64_t flush_req, flush_done;
    struct sl_purge_job *purge; /* handed to the segment writer */
    _Atomic uint64_t committed_through, durable_through;
    pthread_t wal_thr, seg_thr;

    /* segment writer state (its thread; read by snapshots under vis) */
    sl_builder_t *builders;
    sl_pending_t *seg_work; /* taken from the queue, not yet in builders */
    void *zc;
    uint64_t held_min_lsn; /* oldest record that could not be replayed (0: none) */

    struct {
        _Atomic uint64_t batches, rows, raw_bytes, wal_groups, wal_records, wal_bytes;
        _Atomic uint64_t blocks, block_rows, block_bytes, queue_rejects;
        _Atomic uint64_t ns_wal_seal, ns_wal_write, ns_wal_sync;
        _Atomic uint64_t ns_encode, ns_compress, ns_encrypt, ns_commit;
    } st;
};

/* builder.c: the segment writer's side. */
int sl_store__builders_add(sl_store_t *s, sl_pending_t *p, sl_diag_t *d);
/* Writes blocks for builders that are full, old (or all, when `all`). */
int sl_store__builders_flush(sl_store_t *s, bool all, sl_diag_t *d);
/* Oldest LSN still only in the WAL (builders, queue, held records). */
uint64_t sl_store__low_water(sl_store_t *s);
void sl_store__builders_free(sl_store_t *s);

/* retention.c */
typedef struct sl_purge_job {
    const sl_retention_rule_t *rules;
    size_t n;
    sl_purge_stats_t st;
    int rc;
    sl_diag_t d;
    bool done;
} sl_purge_job_t;
void sl_store__purge_run(sl_store_t *s, sl_purge_job_t *j);

/* writer.c: the two threads. */
int sl_store__threads_start(sl_store_t *s, sl_diag_t *d);
void sl_store__threads_stop(sl_store_t *s);

#endif
