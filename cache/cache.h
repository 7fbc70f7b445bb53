/*
 * cache — the hot cache: recent blocks (the last `hot_days` of TimeGenerated)
 * and blocks recently read by queries, kept on the SSD path in their own
 * LMDB environments in a form that is fast to scan, encrypted under
 * node-local cache keys, one per key scope. It is a read-through layer
 * above the store: queries read it first, misses read the store and are
 * admitted. It is never the only copy of anything: deleting its directory
 * costs speed, nothing else.
 *
 * Keys. Each scope has its own random cache key, held in a locked page. On
 * disk it exists only sealed under a key derived from that scope's account
 * key (AEK), so the cache is readable exactly when the scope is: when a
 * customer-managed key is revoked the node wipes the CMK part — the cache
 * key is destroyed (crypto-shredding) and the entries dropped — and MMK
 * entries stay. See docs/FORMAT.md "Hot cache" for the layout.
 *
 * Threads. Everything here is thread-safe. The cache runs one thread of its
 * own that writes admitted blocks, evicts, and removes wiped files; reads
 * run on the caller's threads (query workers); a reload runs on the thread
 * that calls it, plus helper tasks it offers to the caller's thread pool.
 *
 * Nothing here logs; errors come back as SL_E* codes with an sl_diag_t.
 */
#ifndef SL_CACHE_H
#define SL_CACHE_H

#include <stdatomic.h>

#include "common/common.h"
#include "crypto/crypto.h"
#include "store/store.h"

typedef struct sl_cache sl_cache_t;

typedef struct sl_cache_opts {
    const char *path;         /* directory of the cache (created if needed) */
    uint64_t max_bytes;       /* bound on the bytes of all entries (both scopes) */
    uint32_t hot_days;        /* the hot window; 0 means 14 */
    sl_keyring_t *keyring;    /* borrowed; must outlive the cache */
    uint64_t queue_max_bytes; /* rows waiting to be written (0: 64 MiB); beyond
                                 it new blocks and admissions are dropped */
    /* A scope whose AEK is not in the keyring at open: false discards its
     * entries at once; true leaves them on disk, detached and unread, for
     * sl_cache_attach (or sl_cache_reload) to keep once the AEK arrives,
     * if their sealed key still opens — or for sl_cache_wipe_scope to
     * delete. The node sets it: the CMK AEK is unwrapped after the store
     * (and so the cache) has opened. */
    bool keep_detached;
} sl_cache_opts_t;

/*
 * Opens the cache in o->path. For each scope whose active AEK is in the
 * keyring, the sealed cache key is opened and its entries are kept; a scope
 * whose key is unavailable, or whose sealed key does not open, has its
 * entries discarded (a cache is never half-trusted) and, if its AEK is
 * available, starts empty under a new cache key. A scope without an AEK
 * stays detached until sl_cache_attach or sl_cache_reload attaches it; its
 * entries are discarded at once, or with o->keep_detached left on disk
 * (sealed, unread) for that attach to keep if their key still opens. Entries left by a
 * system crash (the environment is written without fsync) are discarded
 * too. Starts the cache thread.
 * Returns 0, or -errno / SL_ESTORE for an unusable directory.
 */
int sl_cache_open(const sl_cache_opts_t *o, sl_cache_t **out, sl_diag_t *d);
/*
 * Attaches a detached scope now that its AEK is in the keyring: the entries
 * left on disk (sl_cache_opts_t.keep_detached) are kept when their sealed
 * cache key opens and the environment was closed cleanly (or by this boot);
 * otherwise they are discarded and the scope starts empty under a new cache
 * key. An attached scope is left as it is. *kept (may be NULL) says whether
 * entries were kept. Returns 0, SL_EKEYUNAVAIL (the AEK is not in the
 * keyring; nothing changes), or -errno / SL_ESTORE. Any thread; waits for
 * the reads and writes of the scope in flight.
 */
int sl_cache_attach(sl_cache_t *c, sl_scope_t scope, bool *kept, sl_diag_t *d);

/* Writes what is queued, records access times, syncs and closes. No read,
 * reload or wipe may be running. NULL is a no-op. */
void sl_cache_close(sl_cache_t *c);

/* ------------------------------------------------------------------------ */
/* Filling                                                                  */
/* ------------------------------------------------------------------------ */

/* A block entering the cache. */
typedef struct sl_cache_block {
    uint64_t block_id;
    sl_scope_t scope;
    sl_guid_t ws;
    sl_ticks_t tmin, tmax;
} sl_cache_block_t;

/*
 * Queues a whole block for the cache thread and returns at once. On success
 * the contents of `rows` are taken (it is left empty); the caller disposes
 * of `rows` either way. Returns 0, SL_EBUSY when the queue is full (the
 * block is dropped and counted, so ingestion never waits for the cache),
 * SL_EKEYUNAVAIL when the scope is detached, SL_EINVAL for block id 0.
 */
int sl_cache_put_block(sl_cache_t *c, const sl_cache_block_t *b, sl_colset_t *rows);

/* The store's "block written" hook (sl_store_opts_t.on_block, with the cache
 * as on_block_arg): sl_cache_put_block for every new block. */
void sl_cache_on_block_written(void *cache, const sl_store_block_info_t *info,
                               sl_colset_t *rows);

/* Waits until everything queued so far has been written (tests, benches). */
void sl_cache_flush(sl_cache_t *c);

/* ------------------------------------------------------------------------ */
/* Reading                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct sl_cache_read_stats {
    bool hit;                 /* served from the cache */
    uint64_t bytes_decrypted; /* from the cache or the store */
    bool skipped;             /* sl_cache_read_probed: the block's term filter
                                 proved a probe absent; `out` is empty */
} sl_cache_read_stats_t;

/*
 * The read-through that queries use instead of sl_store_snap_read (same
 * arguments, same results, same errors). Block i of the snapshot is served
 * from the cache when every wanted column is there; otherwise it is read
 * from the store with `rd`, and the columns read are queued for admission.
 * Memory blocks (rows not yet in a block) and blocks of a detached scope
 * always come from the store. A cached block is served only while the
 * store could serve it too: SL_EKEYUNAVAIL if its AEK is not in the keyring.
 * A damaged entry is dropped and the block read from the store. `c` may be
 * NULL (plain store read); `st` may be NULL. Any thread.
 */
int sl_cache_read(sl_cache_t *c, sl_snap_t *sn, size_t i, const char *const *cols, size_t ncols,
                  sl_snap_reader_t *rd, sl_colset_t *out, sl_cache_read_stats_t *st,
                  sl_diag_t *d);

/*
 * sl_cache_read with the term probes of sl_store_snap_read_probed. A block
 * read from the store is first checked against its term filters: when one
 * proves a probe absent, st->skipped is set, `out` stays empty, and the
 * block is neither admitted nor counted as a miss (it counts in
 * sl_cache_stats_t.skipped). A hit ignores the probes (the cache keeps no
 * term filters) and serves the block, with st->skipped false: the caller's
 * filter still removes the rows, so results are the same either way.
 */
int sl_cache_read_probed(sl_cache_t *c, sl_snap_t *sn, size_t i, const char *const *cols,
                         size_t ncols, const sl_snap_probe_t *probes, size_t nprobes,
                         sl_snap_reader_t *rd, sl_colset_t *out, sl_cache_read_stats_t *st,
                         sl_diag_t *d);

/* ------------------------------------------------------------------------ */
/* Revocation, recovery, retention                                          */
/* ------------------------------------------------------------------------ */

typedef struct sl_cache_wipe_stats {
    uint64_t blocks, bytes;   /* entries dropped */
    uint64_t ns_wait;         /* waiting for reads and writes in flight to finish */
    uint64_t ns_key;          /* destroying the cache key (memory and sealed copy) */
    uint64_t ns_drop;         /* dropping the entries (the environment leaves the cache) */
    uint64_t ns_total;
} sl_cache_wipe_stats_t;

/*
 * Crypto-shreds one scope: waits for the reads and writes of that scope in
 * flight, destroys its cache key in memory, deletes the sealed copy, closes
 * its environment and moves it out of the cache (its files are deleted in
 * the background; nothing can decrypt them any more), forgets its entries
 * and drops its queued rows. A reload of the scope in progress stops. The
 * scope stays detached until sl_cache_reload. Takes well under a second
 * whatever the cache size (the work does not depend on it). `st` may be
 * NULL. Returns 0 or -errno (the key is destroyed whatever happens).
 */
int sl_cache_wipe_scope(sl_cache_t *c, sl_scope_t scope, sl_cache_wipe_stats_t *st,
                        sl_diag_t *d);

typedef struct sl_cache_reload_stats {
    sl_scope_t scope;
    bool running;
    int status;              /* 0, SL_ECANCELED, or an error */
    bool full;               /* stopped because the cache reached its bound */
    uint64_t blocks_total;   /* window blocks of the scope not yet cached */
    uint64_t blocks_done;    /* written to the cache */
    uint64_t blocks_cached;  /* already there when the reload started */
    uint64_t bytes_read;     /* stored (sealed) bytes read from the store */
    uint64_t bytes_written;  /* cache bytes written */
    double seconds;          /* so far / to a full cache */
    double blocks_per_sec, mb_per_sec; /* MB/s of stored bytes read */
} sl_cache_reload_stats_t;

typedef struct sl_cache_reload_opts {
    sl_store_t *store;     /* borrowed */
    sl_catalog_t *catalog; /* borrowed: the workspaces whose tables are reloaded */
    sl_scope_t scope;
    sl_ticks_t now;        /* 0: the clock */
    /* Runs fn(task) on another thread (the node's pool); NULL: the calling
     * thread does all the work. `helpers` tasks are offered. */
    void (*spawn)(void *arg, void (*fn)(void *task), void *task);
    void *spawn_arg;
    unsigned helpers;
    /* Called on the calling thread after the first block, then about
     * every 250 ms, and at the end. */
    void (*progress)(void *arg, const sl_cache_reload_stats_t *st);
    void *progress_arg;
    const _Atomic bool *cancel; /* may be NULL */
} sl_cache_reload_opts_t;

/*
 * Refills one scope from the store after recovery (or after start): attaches
 * the scope if it is detached (a new cache key, sealed under its AEK), then
 * reads every block of the scope whose newest row is within the hot window
 * and is not cached, newest first, and writes it to the cache, at full speed
 * while queries go on (they read the store for what is not there yet).
 * Stops early, with `full` set, when the next block could only go in by
 * evicting blocks that rank above it (the bound is smaller than the window).
 * Blocks the calling thread until the cache is full or the window loaded
 * (run it on a pool thread); `st` (may be NULL) gets the figures. Returns 0,
 * SL_EKEYUNAVAIL (the AEK is not in the keyring), SL_ECANCELED (cancelled,
 * the scope wiped, the cache closing), SL_EBUSY (another reload is running),
 * or a store error.
 */
int sl_cache_reload(sl_cache_t *c, const sl_cache_reload_opts_t *o, sl_cache_reload_stats_t *st,
                    sl_diag_t *d);

/*
 * Retention: drops the cached blocks of each rule's workspace that hold rows
 * older than its cutoff (the store deletes or rewrites those blocks under
 * new ids; call this after sl_store_purge with the same rules). *dropped
 * (may be NULL) gets the number of blocks dropped.
 */
int sl_cache_purge(sl_cache_t *c, const sl_retention_rule_t *rules, size_t n,
                   uint64_t *dropped, sl_diag_t *d);

/* ------------------------------------------------------------------------ */
/* Metrics                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct sl_cache_stats {
    /* reads */
    uint64_t hits, misses;     /* served from the cache / from the store (then admitted) */
    uint64_t bypass;           /* from the store because the scope is detached */
    uint64_t skipped;          /* store reads the term filters skipped (no miss) */
    uint64_t hit_bytes;        /* bytes decrypted from the cache */
    uint64_t miss_bytes;       /* bytes decrypted from the store on misses */
    /* contents */
    uint64_t blocks, bytes, max_bytes;
    uint64_t scope_blocks[SL_SCOPE_COUNT], scope_bytes[SL_SCOPE_COUNT];
    bool attached[SL_SCOPE_COUNT];
    /* writes */
    uint64_t puts, admits;     /* blocks written: new blocks / read from the store */
    uint64_t dropped;          /* not written: the queue was full or the scope went away */
    uint64_t queue_bytes;
    uint64_t evictions, evicted_bytes;
    uint64_t integrity_failures;
    uint64_t discarded;        /* scopes discarded at open (key gone, crash) */
    /* revocation and recovery */
    uint64_t wipes;
    sl_cache_wipe_stats_t last_wipe;
    sl_cache_reload_stats_t reload; /* the running or last reload */
} sl_cache_stats_t;

void sl_cache_stats(sl_cache_t *c, sl_cache_stats_t *out);

#endif /* SL_CACHE_H */
