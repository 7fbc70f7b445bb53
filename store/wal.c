/*
 * The write-ahead log: an acknowledged request is a record here, fsynced,
 * before anything else happens to it.
 *
 * Files: DATA_DIR/wal/<seq as 16 hex>.wal, each starting with a 32-byte
 * header ("SLWALF01", seq, first LSN, created). Records:
 *
 *   0  u32 magic "SLW1"     4  u32 sealed payload length   8  u64 LSN
 *   16 u8 scope | u8 flags | u16 0                          20 u32 KEK version
 *   24 u64 AEK id           32 u32 0                        36 u32 CRC-32 of 0..35
 *   40 payload sealed with the scope's key: envelope(AEK, "wal", file seq),
 *      part = LSN, associated data = the 40 header bytes
 *
 * Group commit: many records go out in one writev and one fdatasync.
 *
 * Replay reads every file in order. A record cut short at the end of the
 * last file is a write that never completed (and was never acknowledged):
 * it is truncated away. Anything else that does not verify — a bad header
 * in the middle, a payload that fails authentication — is damage, and the
 * node refuses to start rather than guess.
 */
#include "store/store_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zlib.h>

#define FILE_MAGIC "SLWALF01"
#define FILE_HDR 32
#define REC_MAGIC 0x31574c53u /* "SLW1" */
#define REC_HDR 40
#define MAX_RECORD (64u << 20)

typedef struct wal_file {
    uint64_t seq, first_lsn;
} wal_file_t;

struct sl_wal {
    char dir[4096];
    sl_keyring_t *kr;
    uint64_t file_size;
    int fd;           /* active file */
    uint64_t fd_size; /* its length */
    wal_file_t *files;
    size_t nfiles;
    uint64_t next_lsn;
    /* cached envelopes for the active file, per scope */
    struct {
        bool ok;
        uint64_t aek_id;
        uint32_t kek_version;
        sl_envelope_t env;
    } cache[SL_SCOPE_COUNT];
};

static void file_path(const sl_wal_t *w, uint64_t seq, char *out, size_t n)
{
    snprintf(out, n, "%s/%016llx.wal", w->dir, (unsigned long long)seq);
}

static int cmp_files(const void *a, const void *b)
{
    const wal_file_t *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void drop_cache(sl_wal_t *w)
{
    for (int s = 0; s < SL_SCOPE_COUNT; s++) {
        sl_envelope_wipe(&w->cache[s].env);
        w->cache[s].ok = false;
    }
}

static int read_exact(int fd, void *buf, size_t n, uint64_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (int)got;
}

static uint32_t hdr_crc(const uint8_t *h)
{
    return (uint32_t)crc32(0, h, 36);
}

/* Creates file `seq` starting at `first_lsn` and makes it the active one. */
static int new_file(sl_wal_t *w, uint64_t seq, uint64_t first_lsn, sl_diag_t *d)
{
    char path[4200];
    file_path(w, seq, path, sizeof path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_APPEND, 0600);
    if (fd < 0)
        return sl_diag_set(d, -errno, "cannot create %s: %s", path, strerror(errno));
    uint8_t h[FILE_HDR] = { 0 };
    memcpy(h, FILE_MAGIC, 8);
    sl_store_u64le(h + 8, seq);
    sl_store_u64le(h + 16, first_lsn);
    sl_store_u64le(h + 24, (uint64_t)sl_time_now());
    if (write(fd, h, sizeof h) != (ssize_t)sizeof h || fdatasync(fd)) {
        int e = errno;
        close(fd);
        unlink(path);
        return sl_diag_set(d, -e, "cannot write %s: %s", path, strerror(e));
    }
    sl_fsync_dir(w->dir);
    if (w->fd >= 0)
        close(w->fd);
    w->fd = fd;
    w->fd_size = FILE_HDR;
    w->files = sl_xrealloc(w->files, (w->nfiles + 1) * sizeof *w->files);
    w->files[w->nfiles++] = (wal_file_t){ seq, first_lsn };
    drop_cache(w);
    return 0;
}

int sl_store__wal_open(const char *dir, sl_keyring_t *kr, uint64_t file_size, sl_wal_t **out,
                       sl_diag_t *d)
{
    int rc = sl_mkdirs(dir, 0700);
    if (rc)
        return sl_diag_set(d, rc, "cannot create %s: %s", dir, sl_strerror(rc));
    sl_wal_t *w = sl_xcalloc(1, sizeof *w);
    snprintf(w->dir, sizeof w->dir, "%s", dir);
    w->kr = kr;
    w->file_size = file_size;
    w->fd = -1;
    w->next_lsn = 1;
    DIR *dh = opendir(dir);
    if (!dh) {
        rc = sl_diag_set(d, -errno, "cannot read %s: %s", dir, strerror(errno));
        sl_free(w);
        return rc;
    }
    struct dirent *e;
    while ((e = readdir(dh))) {
        unsigned long long seq;
        char tail[8];
        if (sscanf(e->d_name, "%16llx.%7s", &seq, tail) == 2 && !strcmp(tail, "wal") &&
            strlen(e->d_name) == 20) {
            w->files = sl_xrealloc(w->files, (w->nfiles + 1) * sizeof *w->files);
            w->files[w->nfiles++] = (wal_file_t){ seq, 0 };
        }
    }
    closedir(dh);
    if (w->nfiles > 1)
        qsort(w->files, w->nfiles, sizeof *w->files, cmp_files);
    *out = w;
    return 0;
}

/* Verifies a record header; 0, or SL_EINTEGRITY. */
static int parse_rec_hdr(const uint8_t *h, uint32_t *len, uint64_t *lsn, uint8_t *scope,
                         uint8_t *flags, uint32_t *kek_version, uint64_t *aek_id)
{
    if (sl_load_u32le(h) != REC_MAGIC || sl_load_u32le(h + 36) != hdr_crc(h))
        return SL_EINTEGRITY;
    *len = sl_load_u32le(h + 4);
    *lsn = sl_load_u64le(h + 8);
    *scope = h[16];
    *flags = h[17];
    *kek_version = sl_load_u32le(h + 20);
    *aek_id = sl_load_u64le(h + 24);
    if (*len > MAX_RECORD || *scope >= SL_SCOPE_COUNT)
        return SL_EINTEGRITY;
    return 0;
}

static bool all_zero(int fd, uint64_t from, uint64_t to)
{
    uint8_t buf[4096];
    while (from < to) {
        size_t n = (size_t)SL_MIN((uint64_t)sizeof buf, to - from);
        if (read_exact(fd, buf, n, from) != (int)n)
            return false;
        for (size_t i = 0; i < n; i++)
            if (buf[i])
                return false;
        from += n;
    }
    return true;
}

int sl_store__wal_replay(sl_wal_t *w, sl_wal_replay_cb cb, void *arg, sl_diag_t *d)
{
    sl_buf_t rec = SL_BUF_INIT, plain = SL_BUF_INIT;
    int rc = 0;
    uint64_t expect_lsn = 0;
    for (size_t fi = 0; fi < w->nfiles && !rc; fi++) {
        bool last = fi + 1 == w->nfiles;
        char path[4200];
        file_path(w, w->files[fi].seq, path, sizeof path);
        int fd = open(path, (last ? O_RDWR : O_RDONLY) | O_CLOEXEC);
        if (fd < 0) {
            rc = sl_diag_set(d, -errno, "cannot open %s: %s", path, strerror(errno));
            break;
        }
        struct stat st;
        fstat(fd, &st);
        uint64_t size = (uint64_t)st.st_size;
        uint8_t fh[FILE_HDR];
        if (size < FILE_HDR || read_exact(fd, fh, FILE_HDR, 0) != FILE_HDR ||
            memcmp(fh, FILE_MAGIC, 8) || sl_load_u64le(fh + 8) != w->files[fi].seq) {
            if (last && size < FILE_HDR) {
                /* A crash while creating the file: nothing in it was acknowledged. */
                close(fd);
                unlink(path);
                w->nfiles--;
                break;
            }
            close(fd);
            rc = sl_diag_set(d, SL_EINTEGRITY, "WAL file %s has a damaged header", path);
            break;
        }
        w->files[fi].first_lsn = sl_load_u64le(fh + 16);
        if (expect_lsn && w->files[fi].first_lsn != expect_lsn) {
            close(fd);
            rc = sl_diag_set(d, SL_EINTEGRITY, "WAL file %s starts at LSN %llu, expected %llu",
                             path, (unsigned long long)w->files[fi].first_lsn,
                             (unsigned long long)expect_lsn);
            break;
        }
        expect_lsn = w->files[fi].first_lsn;
        uint64_t off = FILE_HDR;
        while (off < size) {
            uint8_t h[REC_HDR];
            uint32_t len, kv;
            uint64_t lsn, aek;
            uint8_t scope, flags;
            bool torn = size - off < REC_HDR;
            bool bad = !torn && (read_exact(fd, h, REC_HDR, off) != REC_HDR ||
                                 parse_rec_hdr(h, &len, &lsn, &scope, &flags, &kv, &aek));
            if (!torn && !bad && size - off - REC_HDR < len)
                torn = true;
            if (torn || (bad && last && all_zero(fd, off, size))) {
                if (!last) {
                    rc = sl_diag_set(d, SL_EINTEGRITY, "WAL file %s is cut short at byte %llu",
                                     path, (unsigned long long)off);
                } else if (ftruncate(fd, (off_t)off) || fdatasync(fd)) {
                    rc = sl_diag_set(d, -errno, "cannot truncate %s: %s", path, strerror(errno));
                }
                size = off;
                break;
            }
            if (bad) {
                rc = sl_diag_set(d, SL_EINTEGRITY, "WAL record at %s byte %llu is damaged", path,
                                 (unsigned long long)off);
                break;
            }
            if (lsn != expect_lsn) {
                rc = sl_diag_set(d, SL_EINTEGRITY, "WAL record at %s byte %llu has LSN %llu, "
                                 "expected %llu", path, (unsigned long long)off,
                                 (unsigned long long)lsn, (unsigned long long)expect_lsn);
                break;
            }
            sl_buf_reset(&rec);
            sl_buf_reserve(&rec, len);
            if (read_exact(fd, rec.data, len, off + REC_HDR) != (int)len) {
                rc = sl_diag_set(d, -EIO, "cannot read %s", path);
                break;
            }
            sl_envelope_t env;
            int krc = sl_keyring_envelope(w->kr, scope, aek, "wal", w->files[fi].seq, &env);
            if (!krc && env.twice != ((flags & 1) != 0))
                krc = SL_EINTEGRITY;
            if (krc == 0) {
                size_t over = SL_ENVELOPE_OVERHEAD(env.twice);
                sl_buf_reset(&plain);
                sl_buf_reserve(&plain, len);
                krc = len < over ? SL_EINTEGRITY
                                 : sl_envelope_open(&env, lsn, h, REC_HDR, rec.data, len,
                                                    (uint8_t *)plain.data);
                sl_envelope_wipe(&env);
                if (krc) {
                    rc = sl_diag_set(d, SL_EINTEGRITY, "WAL record LSN %llu (%s byte %llu) "
                                     "failed its integrity check", (unsigned long long)lsn,
                                     path, (unsigned long long)off);
                    break;
                }
                rc = cb(arg, lsn, (sl_scope_t)scope, (uint8_t *)plain.data, len - over, d);
            } else {
                /* The scope's key is not available now: the record stays in the
                 * WAL and the caller is told, so it can be replayed later. */
                rc = cb(arg, lsn, (sl_scope_t)scope, NULL, 0, d);
            }
            if (rc)
                break;
            off += REC_HDR + len;
            expect_lsn = lsn + 1;
        }
        if (last && !rc) {
            w->fd = fd;
            w->fd_size = size;
            lseek(fd, 0, SEEK_END);
        } else {
            close(fd);
        }
    }
    sl_buf_wipe(&plain);
    sl_buf_dispose(&rec);
    if (rc)
        return rc;
    w->next_lsn = expect_lsn ? expect_lsn : 1;
    if (w->fd >= 0) {
        /* Reopen for appending. */
        close(w->fd);
        char path[4200];
        file_path(w, w->files[w->nfiles - 1].seq, path, sizeof path);
        w->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (w->fd < 0)
            return sl_diag_set(d, -errno, "cannot open %s: %s", path, strerror(errno));
    } else {
        uint64_t seq = w->nfiles ? w->files[w->nfiles - 1].seq + 1 : 1;
        rc = new_file(w, seq, w->next_lsn, d);
    }
    return rc;
}

uint64_t sl_store__wal_next_lsn(const sl_wal_t *w)
{
    return w->next_lsn;
}

/* Envelope for `scope` in the active file, from the scope's active AEK. */
static int scope_env(sl_wal_t *w, sl_scope_t scope)
{
    uint64_t aek;
    uint32_t kv;
    int rc = sl_keyring_active(w->kr, scope, &aek, &kv);
    if (rc) {
        sl_envelope_wipe(&w->cache[scope].env);
        w->cache[scope].ok = false;
        return rc;
    }
    if (w->cache[scope].ok && w->cache[scope].aek_id == aek)
        return 0;
    rc = sl_keyring_envelope(w->kr, scope, aek, "wal", w->files[w->nfiles - 1].seq,
                             &w->cache[scope].env);
    if (rc)
        return rc;
    w->cache[scope].ok = true;
    w->cache[scope].aek_id = aek;
    w->cache[scope].kek_version = kv;
    return 0;
}

int sl_store__wal_append(sl_wal_t *w, sl_wal_item_t *items, size_t n, sl_diag_t *d)
{
    if (w->fd_size >= w->file_size) {
        int rc = new_file(w, w->files[w->nfiles - 1].seq + 1, w->next_lsn, d);
        if (rc) {
            for (size_t i = 0; i < n; i++)
                items[i].status = rc;
            return rc;
        }
    }
    sl_buf_t out = SL_BUF_INIT;
    uint64_t start_lsn = w->next_lsn;
    for (size_t i = 0; i < n; i++) {
        sl_wal_item_t *it = &items[i];
        it->status = scope_env(w, it->scope);
        if (it->status)
            continue;
        const sl_envelope_t *env = &w->cache[it->scope].env;
        size_t over = SL_ENVELOPE_OVERHEAD(env->twice);
        uint8_t h[REC_HDR] = { 0 };
        sl_store_u32le(h, REC_MAGIC);
        sl_store_u32le(h + 4, (uint32_t)(it->n + over));
        sl_store_u64le(h + 8, w->next_lsn);
        h[16] = (uint8_t)it->scope;
        h[17] = env->twice ? 1 : 0;
        sl_store_u32le(h + 20, w->cache[it->scope].kek_version);
        sl_store_u64le(h + 24, w->cache[it->scope].aek_id);
        sl_store_u32le(h + 36, hdr_crc(h));
        sl_buf_append(&out, h, REC_HDR);
        sl_buf_reserve(&out, it->n + over);
        it->status = sl_envelope_seal(env, w->next_lsn, h, REC_HDR, it->payload, it->n,
                                      (uint8_t *)out.data + out.len);
        if (it->status) {
            out.len -= REC_HDR;
            continue;
        }
        out.len += it->n + over;
        it->lsn = w->next_lsn++;
    }
    int rc = 0;
    size_t done = 0;
    while (done < out.len) {
        ssize_t wr = write(w->fd, out.data + done, out.len - done);
        if (wr < 0 && errno == EINTR)
            continue;
        if (wr <= 0) {
            rc = -errno;
            break;
        }
        done += (size_t)wr;
    }
    if (!rc && out.len && fdatasync(w->fd))
        rc = -errno;
    if (rc) {
        /* Nothing of this group counts: cut the file back so replay never sees
         * a half-written group, and hand the LSNs back. */
        if (ftruncate(w->fd, (off_t)w->fd_size) == 0)
            (void)fdatasync(w->fd);
        w->next_lsn = start_lsn;
        for (size_t i = 0; i < n; i++)
            if (!items[i].status)
                items[i].status = rc;
        sl_diag_set(d, rc, "WAL write failed: %s", sl_strerror(rc));
    } else {
        w->fd_size += out.len;
    }
    sl_buf_dispose(&out);
    return rc;
}

void sl_store__wal_release(sl_wal_t *w, uint64_t durable_through)
{
    /* File i holds LSNs [first_i, first_{i+1}); never drop the active file. */
    size_t drop = 0;
    while (drop + 1 < w->nfiles && w->files[drop + 1].first_lsn <= durable_through + 1)
        drop++;
    if (!drop)
        return;
    for (size_t i = 0; i < drop; i++) {
        char path[4200];
        file_path(w, w->files[i].seq, path, sizeof path);
        unlink(path);
    }
    memmove(w->files, w->files + drop, (w->nfiles - drop) * sizeof *w->files);
    w->nfiles -= drop;
    sl_fsync_dir(w->dir);
}

size_t sl_store__wal_files(const sl_wal_t *w)
{
    return w->nfiles;
}

void sl_store__wal_close(sl_wal_t *w)
{
    if (!w)
        return;
    drop_cache(w);
    if (w->fd >= 0)
        close(w->fd);
    sl_free(w->files);
    sl_free(w);
}
