/*
 * Segments: one LMDB environment per time window (a UTC day by default),
 * DATA_DIR/segments/<start, e.g. 20261123T000000Z>/. Inside:
 *
 *   meta     "start", "end"            the window, int64 ticks
 *   blocks   ws | table id | tmin | id  → block header (88 bytes, clear)
 *   data     block id                   → sealed directory and columns
 *   applied  ws | table id | scope      → LSN u64 | rows u32 (see writer.c)
 *   usage    ws | table id              → records u64 | bytes u64
 *
 * Keys are big-endian so LMDB's byte order is numeric order: a scan of one
 * workspace's table over a time range is one cursor range, and dropping a
 * workspace's expired data is a range delete that touches nothing else.
 *
 * Segments are shared with readers (queries, dumps) by reference count: a
 * segment that retention removes is closed and deleted when its last
 * reader lets go.
 */
#include "store/store_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEG_MAPSIZE ((size_t)64 << 30)

struct sl_segs {
    char root[4096];
    pthread_rwlock_t lock;
    sl_segment_t **v; /* sorted by start */
    size_t n;
    int64_t span;
};

static void seg_free(sl_segment_t *s)
{
    if (s->env)
        mdb_env_close(s->env);
    if (s->dropped)
        sl_rmtree(s->dir);
    sl_free(s);
}

void sl_store__seg_unref(sl_segment_t *s)
{
    if (s && atomic_fetch_sub(&s->refs, 1) == 1)
        seg_free(s);
}

static int seg_open(const char *dir, sl_ticks_t start, sl_ticks_t end, bool create,
                    sl_segment_t **out, sl_diag_t *d)
{
    sl_segment_t *s = sl_xcalloc(1, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    atomic_init(&s->refs, 1);
    MDB_txn *txn = NULL;
    int rc = sl_store__env_open(dir, SEG_MAPSIZE, 8, MDB_NOMETASYNC, &s->env, d);
    if (rc)
        goto fail;
    rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    unsigned fl = MDB_CREATE;
    if (!rc)
        rc = mdb_dbi_open(txn, "meta", fl, &s->meta);
    if (!rc)
        rc = mdb_dbi_open(txn, "blocks", fl, &s->blocks);
    if (!rc)
        rc = mdb_dbi_open(txn, "data", fl, &s->data);
    if (!rc)
        rc = mdb_dbi_open(txn, "applied", fl, &s->applied);
    if (!rc)
        rc = mdb_dbi_open(txn, "usage", fl, &s->usage);
    if (!rc) {
        MDB_val k = { 5, "start" }, v;
        if (mdb_get(txn, s->meta, &k, &v) == 0 && v.mv_size == 8) {
            s->start = (sl_ticks_t)sl_load_u64le(v.mv_data);
            MDB_val ke = { 3, "end" };
            if (mdb_get(txn, s->meta, &ke, &v) == 0 && v.mv_size == 8)
                s->end = (sl_ticks_t)sl_load_u64le(v.mv_data);
        } else if (create) {
            uint8_t b[8];
            s->start = start;
            s->end = end;
            sl_store_u64le(b, (uint64_t)start);
            MDB_val vs = { 8, b };
            rc = mdb_put(txn, s->meta, &k, &vs, 0);
            if (!rc) {
                uint8_t e[8];
                sl_store_u64le(e, (uint64_t)end);
                MDB_val ke = { 3, "end" }, ve = { 8, e };
                rc = mdb_put(txn, s->meta, &ke, &ve, 0);
            }
        } else {
            rc = MDB_NOTFOUND;
        }
    }
    if (!rc) {
        rc = mdb_txn_commit(txn);
        txn = NULL;
    }
    if (rc) {
        rc = sl_store__mdb_err(rc, d, "open segment");
        sl_diag_prefix(d, "%s", dir);
        goto fail;
    }
    if (s->end <= s->start) {
        rc = sl_diag_set(d, SL_EINTEGRITY, "segment %s has no valid time window", dir);
        goto fail;
    }
    *out = s;
    return 0;
fail:
    if (txn)
        mdb_txn_abort(txn);
    seg_free(s);
    return rc;
}

static int cmp_seg(const void *a, const void *b)
{
    const sl_segment_t *x = *(sl_segment_t *const *)a, *y = *(sl_segment_t *const *)b;
    return x->start < y->start ? -1 : x->start > y->start;
}

int sl_store__segs_open(const char *root, int64_t span, sl_segs_t **out, sl_diag_t *d)
{
    int rc = sl_mkdirs(root, 0700);
    if (rc)
        return sl_diag_set(d, rc, "cannot create %s: %s", root, sl_strerror(rc));
    sl_segs_t *g = sl_xcalloc(1, sizeof *g);
    snprintf(g->root, sizeof g->root, "%s", root);
    pthread_rwlock_init(&g->lock, NULL);
    g->span = span;
    DIR *dh = opendir(root);
    struct dirent *e;
    while (dh && (e = readdir(dh))) {
        size_t nl = strlen(e->d_name);
        if (nl == 20 && !strcmp(e->d_name + 16, ".tmp")) {
            /* A segment whose creation a crash interrupted: it holds nothing. */
            char tmp[4200];
            snprintf(tmp, sizeof tmp, "%s/%s", root, e->d_name);
            sl_rmtree(tmp);
            continue;
        }
        if (e->d_name[0] == '.' || nl != 16 || e->d_name[8] != 'T')
            continue;
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/%s", root, e->d_name);
        sl_segment_t *s;
        rc = seg_open(dir, 0, 0, false, &s, d);
        if (rc)
            break;
        g->v = sl_xrealloc(g->v, (g->n + 1) * sizeof *g->v);
        g->v[g->n++] = s;
    }
    if (dh)
        closedir(dh);
    if (rc) {
        sl_store__segs_close(g);
        return rc;
    }
    if (g->n > 1)
        qsort(g->v, g->n, sizeof *g->v, cmp_seg);
    *out = g;
    return 0;
}

void sl_store__segs_close(sl_segs_t *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++)
        sl_store__seg_unref(g->v[i]);
    sl_free(g->v);
    pthread_rwlock_destroy(&g->lock);
    sl_free(g);
}

static sl_segment_t *find_locked(sl_segs_t *g, sl_ticks_t t)
{
    size_t lo = 0, hi = g->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (g->v[mid]->end <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < g->n && g->v[lo]->start <= t ? g->v[lo] : NULL;
}

int sl_store__segs_for(sl_segs_t *g, sl_ticks_t t, sl_segment_t **out, sl_diag_t *d)
{
    pthread_rwlock_rdlock(&g->lock);
    sl_segment_t *s = find_locked(g, t);
    pthread_rwlock_unlock(&g->lock);
    if (s) {
        *out = s;
        return 0;
    }
    /* Aligned to the span; clipped to neighbours created with another span. */
    sl_ticks_t start = t - (((t % g->span) + g->span) % g->span), end = start + g->span;
    pthread_rwlock_wrlock(&g->lock);
    for (size_t i = 0; i < g->n; i++) {
        if (g->v[i]->end <= t && g->v[i]->end > start)
            start = g->v[i]->end;
        if (g->v[i]->start > t && g->v[i]->start < end)
            end = g->v[i]->start;
    }
    int64_t days, rem = start;
    days = start / SL_TICKS_PER_DAY;
    rem = start % SL_TICKS_PER_DAY;
    if (rem < 0) {
        rem += SL_TICKS_PER_DAY;
        days--;
    }
    int64_t y;
    unsigned mo, dd;
    sl_civil_from_days(days, &y, &mo, &dd);
    int64_t secs = rem / SL_TICKS_PER_SEC;
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/%04lld%02u%02uT%02lld%02lld%02lldZ", g->root, (long long)y, mo,
             dd, (long long)(secs / 3600), (long long)(secs / 60 % 60), (long long)(secs % 60));
    /* Built under a temporary name and renamed: a crash half-way through
     * creating a segment must not leave one without its time window. */
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.tmp", dir);
    sl_rmtree(tmp);
    sl_segment_t *s2;
    int rc = seg_open(tmp, start, end, true, &s2, d);
    if (!rc) {
        mdb_env_sync(s2->env, 1);
        sl_store__seg_unref(s2);
        if (rename(tmp, dir))
            rc = sl_diag_set(d, -errno, "cannot create segment %s: %s", dir, strerror(errno));
        else
            sl_fsync_dir(g->root);
    }
    if (!rc)
        rc = seg_open(dir, start, end, false, &s2, d);
    if (!rc) {
        g->v = sl_xrealloc(g->v, (g->n + 1) * sizeof *g->v);
        g->v[g->n++] = s2;
        qsort(g->v, g->n, sizeof *g->v, cmp_seg);
        *out = s2;
    }
    pthread_rwlock_unlock(&g->lock);
    return rc;
}

size_t sl_store__segs_range(sl_segs_t *g, sl_ticks_t t0, sl_ticks_t t1, sl_segment_t ***out)
{
    pthread_rwlock_rdlock(&g->lock);
    size_t n = 0;
    *out = sl_xcalloc(g->n ? g->n : 1, sizeof **out);
    for (size_t i = 0; i < g->n; i++) {
        if (g->v[i]->end > t0 && g->v[i]->start <= t1) {
            atomic_fetch_add(&g->v[i]->refs, 1);
            (*out)[n++] = g->v[i];
        }
    }
    pthread_rwlock_unlock(&g->lock);
    return n;
}

void sl_store__segs_drop(sl_segs_t *g, sl_segment_t *s)
{
    pthread_rwlock_wrlock(&g->lock);
    for (size_t i = 0; i < g->n; i++) {
        if (g->v[i] == s) {
            memmove(&g->v[i], &g->v[i + 1], (g->n - i - 1) * sizeof *g->v);
            g->n--;
            s->dropped = true;
            sl_store__seg_unref(s);
            break;
        }
    }
    pthread_rwlock_unlock(&g->lock);
}

void sl_store__block_key(const sl_guid_t *ws, uint32_t table_id, sl_ticks_t tmin,
                         uint64_t block_id, uint8_t key[SL_BLOCK_KEY_LEN])
{
    memcpy(key, ws->b, 16);
    sl_store_u32be(key + 16, table_id);
    /* Flip the sign bit so that negative times sort first. */
    sl_store_u64be(key + 20, (uint64_t)tmin ^ (UINT64_C(1) << 63));
    sl_store_u64be(key + 28, block_id);
}
