/*
 * One scope's part of the cache: its LMDB environment, its cache key, and
 * their life cycle.
 *
 *   CACHE_PATH/mmk/  data.mdb lock.mdb key state     (likewise cmk/)
 *   CACHE_PATH/trash/<scope>-<random>/               wiped, being deleted
 *
 *            sl_cache__scope_attach                 sl_cache_wipe_scope
 *   DETACHED ──────────────────────▶ ATTACHED ──────────────────────────▶ DETACHED
 *      ▲        keep: key file opens,     │        key destroyed, files to trash
 *      │        clean or same boot        │
 *      │        else: discard, new key    │ sl_cache__scope_close (sync, clean)
 *      └──────────────────────────────────┘
 *
 * sl_cache__scope_attach runs at sl_cache_open, sl_cache_attach and
 * sl_cache_reload. A scope whose AEK is missing at open is either discarded
 * there or (keep_detached) left DETACHED with its files on disk, unread,
 * until an attach keeps or discards them, or a wipe deletes them.
 *
 * Each scope has an environment of its own, not a database in a shared one,
 * because a wipe must take the same short time whatever the cache holds:
 * dropping an LMDB database visits every page of it (the first page of each
 * large value), while closing an environment and renaming its directory
 * away is constant work. The files are then deleted by the cache thread; the
 * key that could open them no longer exists.
 *
 * The cache key is sealed (file `key`) under an envelope of the scope's AEK
 * (purpose "cache key wrap", a random object id per sealing, so no sealing
 * key is ever used twice): it opens only while the node holds that AEK, and
 * the AEK id in the file's header says which one. A key file that does not
 * open means the cache cannot be vouched for: it is discarded, not repaired.
 *
 * Environments are written without fsync (the cache is never the only copy
 * of anything), which LMDB keeps consistent across a process crash but not
 * across a system crash. The `state` file records the boot id of the system
 * that last opened the environment and whether it was closed cleanly; an
 * environment left open by an earlier boot is discarded at attach.
 */
#include "cache/cache_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const uint8_t KEY_MAGIC[8] = { 'S', 'L', 'C', 'K', 'E', 'Y', '1', 0 };
#define KEY_HDR_LEN 40

int sl_cache__mdb_err(int rc, sl_diag_t *d, const char *what)
{
    int code = rc == MDB_MAP_FULL ? SL_ELIMIT : rc == ENOMEM ? SL_ENOMEM : SL_ESTORE;
    return sl_diag_set(d, code, "cache: %s: %s", what, mdb_strerror(rc));
}

static const char *scope_dir_name(sl_scope_t s)
{
    return s == SL_SCOPE_CMK ? "cmk" : "mmk";
}

/* ---- the key file ------------------------------------------------------ */

/*
 * key file: magic (8) | scope (1) | flags (1: double encrypted) | 0 (6) |
 *           AEK id (8) | wrap object id (8) | created (8) | sealed cache key
 * The sealed key is part 0 of envelope(AEK, "cache key wrap", object id),
 * with the 40-byte header as associated data.
 */
static int key_write(sl_cache_t *c, sl_cache_scope_t *sc, const sl_key_t *key, sl_diag_t *d)
{
    uint64_t aek;
    uint32_t kv;
    int rc = sl_keyring_active(c->kr, sc->id, &aek, &kv);
    if (rc) {
        return sl_diag_set(d, rc, "cache: no %s account key to seal the cache key under",
                           scope_dir_name(sc->id));
    }
    uint64_t obj;
    sl_random_bytes(&obj, sizeof obj);
    sl_envelope_t env;
    rc = sl_keyring_envelope(c->kr, sc->id, aek, "cache key wrap", obj, &env);
    if (rc) {
        return sl_diag_set(d, rc, "cache: cannot derive the cache key wrap");
    }
    uint8_t f[KEY_HDR_LEN + SL_KEY_LEN + 2 * SL_AEAD_TAG_LEN];
    memset(f, 0, KEY_HDR_LEN);
    memcpy(f, KEY_MAGIC, 8);
    f[8] = (uint8_t)sc->id;
    f[9] = env.twice ? 1 : 0;
    sl_store_u64le(f + 16, aek);
    sl_store_u64le(f + 24, obj);
    sl_store_u64le(f + 32, (uint64_t)sl_time_now());
    rc = sl_envelope_seal(&env, 0, f, KEY_HDR_LEN, sl_key_bytes(key), SL_KEY_LEN, f + KEY_HDR_LEN);
    size_t len = KEY_HDR_LEN + SL_KEY_LEN + SL_ENVELOPE_OVERHEAD(env.twice);
    sl_envelope_wipe(&env);
    if (rc) {
        return sl_diag_set(d, rc, "cache: cannot seal the cache key");
    }
    char path[PATH_MAX + 8];
    snprintf(path, sizeof path, "%s/key", sc->dir);
    rc = sl_write_file_atomic(path, f, len, 0600);
    return rc ? sl_diag_set(d, rc, "cache: cannot write %s", path) : 0;
}

/* Opens the sealed cache key; SL_EKEYUNAVAIL or SL_EINTEGRITY when it cannot
 * be vouched for. */
static int key_read(sl_cache_t *c, sl_cache_scope_t *sc, sl_key_t **out)
{
    char path[PATH_MAX + 8];
    snprintf(path, sizeof path, "%s/key", sc->dir);
    sl_buf_t f = SL_BUF_INIT;
    int rc = sl_read_file(path, 4096, &f);
    if (rc) {
        return rc;
    }
    const uint8_t *p = (const uint8_t *)f.data;
    bool twice = f.len > 9 && p[9] == 1;
    if (f.len != KEY_HDR_LEN + SL_KEY_LEN + SL_ENVELOPE_OVERHEAD(twice) ||
        memcmp(p, KEY_MAGIC, 8) != 0 || p[8] != sc->id ||
        twice != sl_keyring_double_encryption(c->kr)) {
        sl_buf_dispose(&f);
        return SL_EINTEGRITY;
    }
    sl_envelope_t env;
    rc = sl_keyring_envelope(c->kr, sc->id, sl_load_u64le(p + 16), "cache key wrap",
                             sl_load_u64le(p + 24), &env);
    if (!rc) {
        /* With double encryption sl_envelope_open uses `out` for the inner
         * ciphertext too (the key and one tag), not just the key. */
        uint8_t key[SL_KEY_LEN + 2 * SL_AEAD_TAG_LEN];
        rc = sl_envelope_open(&env, 0, p, KEY_HDR_LEN, p + KEY_HDR_LEN, f.len - KEY_HDR_LEN, key);
        if (!rc) {
            rc = sl_key_create_from(key, out);
        }
        sl_wipe(key, sizeof key);
        sl_envelope_wipe(&env);
    }
    sl_buf_dispose(&f);
    return rc;
}

/* Destroys the sealed copy: overwritten, synced, unlinked. (The overwrite is
 * hygiene; what makes the copy useless is that its AEK is gone.) */
static void key_delete(sl_cache_scope_t *sc)
{
    char path[PATH_MAX + 8];
    snprintf(path, sizeof path, "%s/key", sc->dir);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        struct stat stt;
        if (fstat(fd, &stt) == 0 && stt.st_size > 0 && stt.st_size < 4096) {
            uint8_t zero[4096] = { 0 };
            ssize_t w = pwrite(fd, zero, (size_t)stt.st_size, 0);
            (void)w;
            fdatasync(fd);
        }
        close(fd);
    }
    unlink(path);
    sl_fsync_dir(sc->dir);
}

/* ---- the state file ---------------------------------------------------- */

static int state_write(sl_cache_t *c, sl_cache_scope_t *sc, bool clean)
{
    char path[PATH_MAX + 8], text[160];
    snprintf(path, sizeof path, "%s/state", sc->dir);
    int n = snprintf(text, sizeof text, "boot=%s\nclean=%d\n", c->boot_id, clean ? 1 : 0);
    return sl_write_file_atomic(path, text, (size_t)n, 0600);
}

/* True if the environment may be trusted: closed cleanly, or last opened by
 * this very boot of the system (a process crash loses nothing LMDB wrote). */
static bool state_trusted(sl_cache_t *c, sl_cache_scope_t *sc)
{
    char path[PATH_MAX + 8];
    snprintf(path, sizeof path, "%s/state", sc->dir);
    sl_buf_t f = SL_BUF_INIT;
    if (sl_read_file(path, 4096, &f)) {
        return false;
    }
    bool ok = false;
    if (strstr(f.data, "clean=1\n")) {
        ok = true;
    } else if (c->boot_id[0]) {
        char want[96];
        snprintf(want, sizeof want, "boot=%s\n", c->boot_id);
        ok = strncmp(f.data, want, strlen(want)) == 0;
    }
    sl_buf_dispose(&f);
    return ok;
}

/* ---- the environment --------------------------------------------------- */

static int env_open(sl_cache_t *c, sl_cache_scope_t *sc, sl_diag_t *d)
{
    MDB_env *env = NULL;
    int rc = mdb_env_create(&env);
    if (!rc) {
        rc = mdb_env_set_maxdbs(env, 4);
    }
    if (!rc) {
        rc = mdb_env_set_mapsize(env, c->mapsize);
    }
    if (!rc) {
        rc = mdb_env_set_maxreaders(env, 1024);
    }
    if (!rc) {
        /* NOTLS: read transactions move between pool threads. NOSYNC: see
         * the state file above. */
        rc = mdb_env_open(env, sc->dir, MDB_NOTLS | MDB_NORDAHEAD | MDB_NOSYNC, 0600);
    }
    MDB_txn *txn = NULL;
    if (!rc) {
        rc = mdb_txn_begin(env, NULL, 0, &txn);
    }
    if (!rc) {
        rc = mdb_dbi_open(txn, "blocks", MDB_CREATE, &sc->blocks);
    }
    if (!rc) {
        rc = mdb_dbi_open(txn, "cols", MDB_CREATE, &sc->cols);
    }
    if (!rc) {
        rc = mdb_dbi_open(txn, "atime", MDB_CREATE, &sc->atime);
    }
    if (!rc) {
        rc = mdb_txn_commit(txn);
        txn = NULL;
    }
    if (txn) {
        mdb_txn_abort(txn);
    }
    if (rc) {
        if (env) {
            mdb_env_close(env);
        }
        return sl_cache__mdb_err(rc, d, sc->dir);
    }
    sc->env = env;
    return 0;
}

/* Rebuilds the index entries of a scope from its environment. */
static int index_load(sl_cache_t *c, sl_cache_scope_t *sc, sl_diag_t *d)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(sc->env, NULL, MDB_RDONLY, &txn);
    if (rc) {
        return sl_cache__mdb_err(rc, d, "index load");
    }
    MDB_cursor *cur;
    rc = mdb_cursor_open(txn, sc->blocks, &cur);
    MDB_val k, v;
    uint64_t bytes = 0, blocks = 0;
    pthread_mutex_lock(&c->mu);
    for (int op = MDB_FIRST; !rc && mdb_cursor_get(cur, &k, &v, op) == 0; op = MDB_NEXT) {
        sl_cache_meta_t m;
        if (k.mv_size != 8 || sl_cache__meta_read(v.mv_data, v.mv_size, &m) || m.scope != sc->id) {
            rc = sl_diag_set(d, SL_EINTEGRITY, "cache: a block entry in %s is damaged", sc->dir);
            break;
        }
        MDB_val av;
        sl_ticks_t atime = m.inserted;
        if (mdb_get(txn, sc->atime, &k, &av) == 0 && av.mv_size == 8) {
            atime = (sl_ticks_t)sl_load_u64le(av.mv_data);
        }
        sl_cache_ent_t e = { .id = sl_load_u64be(k.mv_data), .ws = m.ws, .tmin = m.tmin,
                             .tmax = m.tmax, .atime = atime, .bytes = m.bytes,
                             .scope = (uint8_t)sc->id,
                             .complete = (m.flags & SL_CACHE_META_COMPLETE) != 0 };
        sl_cache__idx_put(&c->idx, &e);
        bytes += m.bytes;
        blocks++;
    }
    c->bytes[sc->id] = bytes;
    c->blocks[sc->id] = blocks;
    pthread_mutex_unlock(&c->mu);
    if (!cur) {
        rc = rc ? rc : sl_diag_set(d, SL_ESTORE, "cache: cursor");
    } else {
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    return rc;
}

/* Removes a scope's entries from the index (the environment is gone). */
static void index_drop_scope(sl_cache_t *c, sl_scope_t s, uint64_t *blocks, uint64_t *bytes)
{
    pthread_mutex_lock(&c->mu);
    *blocks = c->blocks[s];
    *bytes = c->bytes[s];
    for (size_t i = 0; i < c->idx.cap;) {
        sl_cache_ent_t *e = &c->idx.slot[i];
        /* Deletion shifts later entries back into slot i: look at it again. */
        if (e->id && e->scope == s) {
            sl_cache__idx_del(&c->idx, e->id, NULL);
        } else {
            i++;
        }
    }
    c->bytes[s] = c->blocks[s] = 0;
    pthread_mutex_unlock(&c->mu);
}

static void env_close(sl_cache_scope_t *sc)
{
    if (sc->env) {
        mdb_env_close(sc->env);
        sc->env = NULL;
    }
}

int sl_cache__scope_discard(sl_cache_t *c, sl_scope_t s)
{
    sl_cache_scope_t *sc = &c->scope[s];
    struct stat stt;
    if (stat(sc->dir, &stt) != 0) {
        return errno == ENOENT ? 0 : -errno;
    }
    char trash[PATH_MAX], to[PATH_MAX + 64];
    snprintf(trash, sizeof trash, "%s/trash", c->path);
    int rc = sl_mkdirs(trash, 0700);
    if (rc) {
        return rc;
    }
    uint64_t r;
    sl_random_bytes(&r, sizeof r);
    snprintf(to, sizeof to, "%s/%s-%016llx", trash, scope_dir_name(s), (unsigned long long)r);
    if (rename(sc->dir, to) != 0) {
        return -errno;
    }
    sl_fsync_dir(c->path);
    pthread_mutex_lock(&c->qmu);
    c->trash = true;
    pthread_cond_signal(&c->qcv);
    pthread_mutex_unlock(&c->qmu);
    return 0;
}

void sl_cache__trash_empty(sl_cache_t *c)
{
    char trash[PATH_MAX];
    snprintf(trash, sizeof trash, "%s/trash", c->path);
    DIR *dir = opendir(trash);
    if (!dir) {
        return;
    }
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (de->d_name[0] == '.') {
            continue;
        }
        char p[PATH_MAX + 300];
        snprintf(p, sizeof p, "%s/%s", trash, de->d_name);
        sl_rmtree(p);
    }
    closedir(dir);
}

/* Keeps the existing entries if the key opens and the environment can be
 * trusted; false (and nothing attached) otherwise. */
static bool try_keep(sl_cache_t *c, sl_cache_scope_t *sc)
{
    struct stat stt;
    if (stat(sc->dir, &stt) != 0) {
        return false;
    }
    if (!state_trusted(c, sc)) {
        return false;
    }
    sl_key_t *key = NULL;
    if (key_read(c, sc, &key)) {
        return false;
    }
    sl_diag_t d;
    if (env_open(c, sc, &d) || state_write(c, sc, false) || index_load(c, sc, &d)) {
        uint64_t b, n;
        index_drop_scope(c, sc->id, &b, &n);
        env_close(sc);
        sl_key_destroy(key);
        return false;
    }
    sc->key = key;
    return true;
}

int sl_cache__scope_attach(sl_cache_t *c, sl_scope_t s, bool *kept, sl_diag_t *d)
{
    sl_cache_scope_t *sc = &c->scope[s];
    if (kept) {
        *kept = false;
    }
    if (sc->key) {
        if (kept) {
            *kept = true;
        }
        return 0;
    }
    uint64_t aek;
    uint32_t kv;
    if (sl_keyring_active(c->kr, s, &aek, &kv)) {
        return sl_diag_set(d, SL_EKEYUNAVAIL, "cache: the %s account key is unavailable",
                           scope_dir_name(s));
    }
    if (try_keep(c, sc)) {
        if (kept) {
            *kept = true;
        }
    } else {
        struct stat stt;
        if (stat(sc->dir, &stt) == 0) {
            atomic_fetch_add(&c->st.discarded, 1);
        }
        int rc = sl_cache__scope_discard(c, s);
        if (!rc) {
            rc = sl_mkdirs(sc->dir, 0700);
        }
        if (rc) {
            return sl_diag_set(d, rc, "cache: cannot prepare %s", sc->dir);
        }
        sl_key_t *key;
        if (sl_key_create_random(&key)) {
            return sl_diag_set(d, SL_ENOMEM, "cache: no memory for a key page");
        }
        /* The key file first: an environment without one is discarded. */
        rc = key_write(c, sc, key, d);
        if (!rc) {
            rc = state_write(c, sc, false);
            if (rc) {
                sl_diag_set(d, rc, "cache: cannot write the state of %s", sc->dir);
            }
        }
        if (!rc) {
            rc = env_open(c, sc, d);
        }
        if (rc) {
            sl_key_destroy(key);
            return rc;
        }
        sc->key = key;
    }
    atomic_fetch_add(&sc->gen, 1);
    atomic_store(&sc->attached, true);
    return 0;
}

void sl_cache__scope_close(sl_cache_t *c, sl_scope_t s)
{
    sl_cache_scope_t *sc = &c->scope[s];
    if (sc->env) {
        if (mdb_env_sync(sc->env, 1) == 0) {
            state_write(c, sc, true);
        }
        env_close(sc);
    }
    sl_key_destroy(sc->key);
    sc->key = NULL;
    atomic_store(&sc->attached, false);
}

int sl_cache__env_del_block(sl_cache_scope_t *sc, MDB_txn *txn, uint64_t id)
{
    uint8_t idk[8], ck[SL_CACHE_COL_KEY_LEN];
    sl_store_u64be(idk, id);
    MDB_val k = { 8, idk };
    int rc = mdb_del(txn, sc->blocks, &k, NULL);
    if (rc && rc != MDB_NOTFOUND) {
        return rc;
    }
    k = (MDB_val){ 8, idk };
    rc = mdb_del(txn, sc->atime, &k, NULL);
    if (rc && rc != MDB_NOTFOUND) {
        return rc;
    }
    MDB_cursor *cur;
    rc = mdb_cursor_open(txn, sc->cols, &cur);
    if (rc) {
        return rc;
    }
    /* The block's columns are one key range: find its first, delete, again. */
    for (;;) {
        sl_cache__col_key(id, 0, ck);
        MDB_val ckv = { sizeof ck, ck }, v;
        rc = mdb_cursor_get(cur, &ckv, &v, MDB_SET_RANGE);
        if (rc || ckv.mv_size != SL_CACHE_COL_KEY_LEN || memcmp(ckv.mv_data, idk, 8) != 0) {
            break;
        }
        rc = mdb_cursor_del(cur, 0);
        if (rc) {
            break;
        }
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

void sl_cache__forget(sl_cache_t *c, const uint64_t *ids, size_t n, bool evicted)
{
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < n; i++) {
        sl_cache_ent_t old;
        if (sl_cache__idx_del(&c->idx, ids[i], &old)) {
            c->bytes[old.scope] -= old.bytes;
            c->blocks[old.scope]--;
            if (evicted) {
                atomic_fetch_add(&c->st.evictions, 1);
                atomic_fetch_add(&c->st.evicted_bytes, old.bytes);
            }
        }
    }
    pthread_mutex_unlock(&c->mu);
}

/* ---- the wipe ---------------------------------------------------------- */

int sl_cache_wipe_scope(sl_cache_t *c, sl_scope_t s, sl_cache_wipe_stats_t *st, sl_diag_t *d)
{
    sl_cache_wipe_stats_t w = { 0 };
    sl_cache_scope_t *sc = &c->scope[s];
    uint64_t t0 = sl_time_mono_ns();
    /* Stale from now on: reloads stop, queued rows are not written. */
    atomic_fetch_add(&sc->gen, 1);
    atomic_store(&sc->attached, false);
    pthread_rwlock_wrlock(&sc->lock);
    uint64_t t1 = sl_time_mono_ns();
    atomic_fetch_add(&sc->gen, 1);
    /* Crypto-shredding: the key page is zeroed and unmapped, then the sealed
     * copy goes. Nothing else ever held the key. */
    sl_key_destroy(sc->key);
    sc->key = NULL;
    key_delete(sc);
    uint64_t t2 = sl_time_mono_ns();
    env_close(sc);
    int rc = sl_cache__scope_discard(c, s);
    index_drop_scope(c, s, &w.blocks, &w.bytes);
    pthread_rwlock_unlock(&sc->lock);
    sl_cache__queue_drop_scope(c, s);
    uint64_t t3 = sl_time_mono_ns();
    w.ns_wait = t1 - t0;
    w.ns_key = t2 - t1;
    w.ns_drop = t3 - t2;
    w.ns_total = t3 - t0;
    atomic_fetch_add(&c->st.wipes, 1);
    pthread_mutex_lock(&c->mu);
    c->last_wipe = w;
    pthread_mutex_unlock(&c->mu);
    if (st) {
        *st = w;
    }
    if (rc) {
        /* The key is gone; only moving the files failed. Delete them here. */
        sl_rmtree(sc->dir);
        return sl_diag_set(d, rc, "cache: wiped the key, but could not move %s away", sc->dir);
    }
    return 0;
}
