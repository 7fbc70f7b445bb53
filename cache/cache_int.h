/* Internals shared by the files of cache/ (and its unit tests). */
#ifndef SL_CACHE_INT_H
#define SL_CACHE_INT_H

#include "cache/cache.h"

#include <lmdb.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>

/* ------------------------------------------------------------------------ */
/* Entry formats (entry.c; docs/FORMAT.md "Hot cache")                      */
/* ------------------------------------------------------------------------ */

#define SL_CACHE_META_VERSION 1
#define SL_CACHE_META_HDR 72          /* clear header of a block's meta value */
#define SL_CACHE_META_COMPLETE 1      /* flags: every column of the block is cached */
#define SL_CACHE_SEAL_OVER (SL_AEAD_NONCE_LEN + SL_AEAD_TAG_LEN)
#define SL_CACHE_COL_TRAILER 24       /* sizes at the end of a column image */
#define SL_CACHE_COL_KEY_LEN 10       /* block id (8, BE) | ordinal (2, BE) */

/* The clear part of a block's meta value: ids, times and sizes only. */
typedef struct sl_cache_meta {
    uint8_t scope, flags;
    uint64_t salt; /* random per insertion; with the block id, selects the block key */
    sl_guid_t ws;
    sl_ticks_t tmin, tmax, inserted;
    uint32_t rows;
    uint64_t bytes; /* this value plus the block's column values */
} sl_cache_meta_t;

void sl_cache__meta_write(const sl_cache_meta_t *m, uint8_t out[SL_CACHE_META_HDR]);
/* Reads the clear header of a meta value; SL_EINTEGRITY if malformed. */
int sl_cache__meta_read(const void *p, size_t n, sl_cache_meta_t *m);

/* The block's directory (sealed in its meta value): which columns the
 * cache holds, under which ordinal, and which the block is known to lack. */
typedef struct sl_cache_dcol {
    char *name;
    sl_type_t type;
    int32_t ordinal; /* -1: the block has no such column */
} sl_cache_dcol_t;

typedef struct sl_cache_dir {
    size_t n, cap;
    sl_cache_dcol_t *cols;
} sl_cache_dir_t;

void sl_cache__dir_add(sl_cache_dir_t *dir, const char *name, sl_type_t type, int32_t ordinal);
int sl_cache__dir_find(const sl_cache_dir_t *dir, const char *name);
/* The next free ordinal (one past the largest). */
int32_t sl_cache__dir_next(const sl_cache_dir_t *dir);
void sl_cache__dir_dispose(sl_cache_dir_t *dir);

/* The key of one block's entries: HKDF(cache key, "cache block", id | salt). */
int sl_cache__block_key(const sl_key_t *cache_key, uint64_t id, uint64_t salt,
                        uint8_t out[SL_KEY_LEN]);

/* Meta value = clear header | sealed directory. `m->bytes` must already
 * count the value's own length (sl_cache__meta_len). */
size_t sl_cache__meta_len(const sl_cache_dir_t *dir);
void sl_cache__meta_seal(const uint8_t key[SL_KEY_LEN], uint64_t id, const sl_cache_meta_t *m,
                         const sl_cache_dir_t *dir, sl_buf_t *out);
/* Opens the directory of a meta value (whose header was read already). */
int sl_cache__dir_open(const uint8_t key[SL_KEY_LEN], uint64_t id, const void *val, size_t n,
                       sl_cache_dir_t *dir);

/* Column values: nonce | AES-256-GCM(data | offsets | nulls | trailer) | tag,
 * the column exactly as it sits in memory, so reading it back is one
 * decryption straight into the column's buffer. */
size_t sl_cache__col_sealed_len(const sl_col_t *c);
/* Seals `c` into `out` (sl_cache__col_sealed_len bytes). */
int sl_cache__col_seal(const uint8_t key[SL_KEY_LEN], uint64_t id, uint32_t ordinal,
                       const sl_col_t *c, uint8_t *out);
/* Opens a sealed column into `out` (empty, with its type set); checks that
 * it has `rows` values and is well formed. SL_EINTEGRITY otherwise. */
int sl_cache__col_open(const uint8_t key[SL_KEY_LEN], uint64_t id, uint32_t ordinal,
                       const void *p, size_t n, size_t rows, sl_col_t *out);
void sl_cache__col_key(uint64_t id, uint32_t ordinal, uint8_t out[SL_CACHE_COL_KEY_LEN]);

/* ------------------------------------------------------------------------ */
/* The in-memory index (index.c)                                            */
/* ------------------------------------------------------------------------ */

typedef struct sl_cache_ent {
    uint64_t id; /* 0: empty slot */
    sl_guid_t ws;
    sl_ticks_t tmin, tmax;
    sl_ticks_t atime; /* last access, the LRU order */
    uint64_t bytes;
    uint8_t scope;
    bool complete;
    bool touched; /* atime not yet written to the environment */
} sl_cache_ent_t;

/* Open addressing keyed by block id (random, so used as its own hash). */
typedef struct sl_cache_idx {
    sl_cache_ent_t *slot;
    size_t cap, n;
} sl_cache_idx_t;

void sl_cache__idx_dispose(sl_cache_idx_t *x);
/* Borrowed until the next put or del. */
sl_cache_ent_t *sl_cache__idx_get(sl_cache_idx_t *x, uint64_t id);
/* Inserts or replaces; returns the stored entry (borrowed as above). */
sl_cache_ent_t *sl_cache__idx_put(sl_cache_idx_t *x, const sl_cache_ent_t *e);
/* Removes `id`; copies the entry to *old (may be NULL). False if absent. */
bool sl_cache__idx_del(sl_cache_idx_t *x, uint64_t id, sl_cache_ent_t *old);

typedef struct sl_cache_victim {
    uint64_t id;
    uint8_t scope;
} sl_cache_victim_t;

/*
 * Eviction order: blocks outside the hot window (tmax < win) first, least
 * recently used first; then blocks inside it, least recently used first.
 * Returns how many of the first blocks in that order free at least `need`
 * bytes (all of them if they do not), in *out (free with sl_free).
 */
size_t sl_cache__idx_victims(const sl_cache_idx_t *x, sl_ticks_t win, uint64_t need,
                             sl_cache_victim_t **out);
/* Bytes of the blocks that rank below a block of the window last used at
 * `atime`: all blocks outside the window, and those inside used before. */
uint64_t sl_cache__idx_below(const sl_cache_idx_t *x, sl_ticks_t win, sl_ticks_t atime);

/* ------------------------------------------------------------------------ */
/* The cache object                                                         */
/* ------------------------------------------------------------------------ */

typedef struct sl_cache_scope {
    sl_scope_t id;
    /* Shared by everything that uses the key or the environment (reads,
     * writes, evictions); exclusive for attach and wipe, which replace
     * them. Writer-preferring, so a wipe is never starved by reads. */
    pthread_rwlock_t lock;
    sl_key_t *key; /* the cache key; NULL while detached */
    MDB_env *env;
    MDB_dbi blocks, cols, atime;
    _Atomic bool attached;
    _Atomic uint64_t gen; /* changes at every attach and wipe: stale work is dropped */
    char dir[PATH_MAX];
} sl_cache_scope_t;

enum { SL_CACHE_JOB_PUT = 1, SL_CACHE_JOB_ADMIT = 2 };

/* A block waiting for the cache thread. */
typedef struct sl_cache_job {
    struct sl_cache_job *next;
    int kind;
    sl_cache_block_t b;
    uint64_t gen;
    sl_ticks_t atime;
    bool complete;    /* ADMIT: every column was read */
    bool replace;     /* ADMIT: the entry was damaged: replace, do not merge */
    bool reload;      /* part of a reload (counted in reload_inflight) */
    sl_colset_t rows; /* the plaintext rows (owned) */
    char **absent;    /* ADMIT: wanted names the block does not have */
    size_t nabsent;
    uint64_t qbytes;  /* queue accounting */
    uint64_t est;     /* bytes it will take in the cache */
} sl_cache_job_t;

struct sl_cache {
    sl_cache_opts_t o;
    char path[PATH_MAX];
    sl_keyring_t *kr;
    sl_ticks_t hot_ticks;
    size_t mapsize;
    char boot_id[64];
    sl_cache_scope_t scope[SL_SCOPE_COUNT];

    /* The index and byte counts. Lock order: scope lock, then mu. */
    pthread_mutex_t mu;
    sl_cache_idx_t idx;
    uint64_t bytes[SL_SCOPE_COUNT], blocks[SL_SCOPE_COUNT];
    sl_cache_wipe_stats_t last_wipe;

    /* The queue to the cache thread. */
    pthread_mutex_t qmu;
    pthread_cond_t qcv;   /* work (or stop) for the cache thread */
    pthread_cond_t qroom; /* room in the queue, or a batch finished */
    sl_cache_job_t *qhead, *qtail;
    uint64_t qbytes;
    bool busy; /* the cache thread holds a batch */
    bool stop;
    bool trash; /* wiped environments wait for deletion */
    pthread_t thr;
    bool started;

    /* Reloads. */
    _Atomic bool reloading;
    _Atomic uint64_t reload_inflight; /* estimated bytes of reload jobs not yet written */
    pthread_mutex_t rmu;
    sl_cache_reload_stats_t reload;

    struct {
        _Atomic uint64_t hits, misses, bypass, skipped, hit_bytes, miss_bytes;
        _Atomic uint64_t puts, admits, dropped, evictions, evicted_bytes;
        _Atomic uint64_t integrity, discarded, wipes;
    } st;
};

/* Translates an LMDB return code to SL_E* and describes it in `d`. */
int sl_cache__mdb_err(int rc, sl_diag_t *d, const char *what);
/* The start of the hot window at `now`. */
sl_ticks_t sl_cache__window(const sl_cache_t *c, sl_ticks_t now);
/* Bytes a block of `rows` will take in the cache. */
uint64_t sl_cache__estimate(const sl_colset_t *rows);

/* scope.c: attach (keep or start fresh), detach, wipe. */
/* With the scope's lock held exclusively. *kept (may be NULL) tells whether
 * existing entries were kept. SL_EKEYUNAVAIL without the scope's AEK. */
int sl_cache__scope_attach(sl_cache_t *c, sl_scope_t s, bool *kept, sl_diag_t *d);
/* Closes a scope cleanly (sync, mark clean, destroy the key in memory). */
void sl_cache__scope_close(sl_cache_t *c, sl_scope_t s);
/* Moves a scope's directory to the trash (for the cache thread to delete). */
int sl_cache__scope_discard(sl_cache_t *c, sl_scope_t s);
/* Removes the trash (wiped and discarded environments). */
void sl_cache__trash_empty(sl_cache_t *c);
/* Deletes block `id` from an environment in the open write txn. */
int sl_cache__env_del_block(sl_cache_scope_t *sc, MDB_txn *txn, uint64_t id);
/* Forgets the index entries of blocks, after their deletion committed. */
void sl_cache__forget(sl_cache_t *c, const uint64_t *ids, size_t n, bool evicted);

/* writer.c: the queue and the cache thread. */
int sl_cache__thread_start(sl_cache_t *c, sl_diag_t *d);
void sl_cache__thread_stop(sl_cache_t *c);
/* Queues a job: without waiting (false when the queue is full: the job is
 * freed and counted as dropped), or waiting for room (reloads; false when
 * `gen` went stale, the cache is stopping or *cancel is set). */
bool sl_cache__push(sl_cache_t *c, sl_cache_job_t *j, bool wait, const _Atomic bool *cancel);
void sl_cache__job_free(sl_cache_job_t *j);
/* Drops the queued jobs of a scope (their rows are wiped). */
void sl_cache__queue_drop_scope(sl_cache_t *c, sl_scope_t s);
/* Evicts until `need` more bytes fit under the bound. */
void sl_cache__make_room(sl_cache_t *c, uint64_t need);

#endif /* SL_CACHE_INT_H */
