/*
 * A static bearer token kept in a file (a sealog-vault "svt1." token, or a
 * token some other agent refreshes on disk). The file is read when a token
 * is first asked for and again whenever its identity changes — mtime
 * (nanoseconds), size, inode or device — so an operator rotates the token by
 * writing a new file and renaming it over the old one; the next key check
 * picks it up. A vault that rejects the token makes the provider invalidate
 * it, which forces a re-read before the retry.
 *
 * STYLE.md keeps file and environment reading in config/; this source is
 * the exception the brief asks for, because the point is to follow the file
 * while the node runs. It reads only the one path it was given.
 */
#include "crypto/crypto_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct file_src {
    char *path;
    struct stat seen; /* of the file the cached token came from */
    bool have;
} file_src_t;

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static bool file_changed(void *impl)
{
    file_src_t *f = impl;
    struct stat st;
    if (stat(f->path, &st) != 0) {
        return true; /* gone: let the fetch say why */
    }
    return !f->have || !same_file(&st, &f->seen);
}

static int file_fetch(void *impl, const char *scope, sl_secbuf_t *tok, int64_t *lifetime_s,
                      sl_diag_t *d)
{
    file_src_t *f = impl;
    (void)scope;
    f->have = false;
    int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        return sl_diag_set(d, SL_ECONFIG, "token file %s: %s", f->path, strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return sl_diag_set(d, SL_ECONFIG, "token file %s is not a regular file", f->path);
    }
    if (st.st_size > SL_TOKEN_MAX) {
        close(fd);
        return sl_diag_set(d, SL_ECONFIG, "token file %s is larger than %d bytes", f->path,
                           SL_TOKEN_MAX);
    }
    sl_crypto__secbuf_reset(tok);
    char chunk[4096];
    ssize_t n;
    int rc = 0;
    while ((n = read(fd, chunk, sizeof chunk)) != 0) {
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            rc = sl_diag_set(d, SL_ECONFIG, "token file %s: %s", f->path, strerror(errno));
            break;
        }
        if (sl_crypto__secbuf_append(tok, chunk, (size_t)n)) {
            rc = sl_diag_set(d, SL_ECONFIG, "token file %s is larger than %d bytes", f->path,
                             SL_TOKEN_MAX);
            break;
        }
    }
    sl_wipe(chunk, sizeof chunk);
    close(fd);
    if (rc) {
        sl_crypto__secbuf_reset(tok);
        return rc;
    }
    /* Trim whitespace and an optional "Bearer " prefix, in place. */
    char *s = tok->data, *e = tok->data + tok->len;
    while (s < e && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
        s++;
    }
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n')) {
        e--;
    }
    if (e - s > 7 && !strncasecmp(s, "Bearer ", 7)) {
        s += 7;
        while (s < e && *s == ' ') {
            s++;
        }
    }
    size_t len = (size_t)(e - s);
    if (!sl_crypto__token_chars_ok(s, len)) {
        sl_crypto__secbuf_reset(tok);
        return sl_diag_set(d, SL_ECONFIG, "token file %s does not hold a bearer token%s", f->path,
                           len ? " (one line of [A-Za-z0-9-._~+/]=*)" : " (it is empty)");
    }
    memmove(tok->data, s, len);
    sl_wipe(tok->data + len, tok->len - len);
    tok->len = len;
    tok->data[len] = '\0';
    f->seen = st;
    f->have = true;
    *lifetime_s = SL_TOKEN_NO_EXPIRY;
    return 0;
}

static void file_describe(void *impl, sl_buf_t *out)
{
    sl_buf_printf(out, "token file %s", ((file_src_t *)impl)->path);
}

static void file_destroy(void *impl)
{
    file_src_t *f = impl;
    sl_free(f->path);
    sl_free(f);
}

static const sl_token_ops_t file_ops = {
    .kind = "file",
    .scoped = false,
    .fetch = file_fetch,
    .changed = file_changed,
    .describe = file_describe,
    .destroy = file_destroy,
};

int sl_token_file_create(const char *path, sl_token_source_t **out, sl_diag_t *d)
{
    if (!path || !*path) {
        return sl_diag_set(d, SL_EINVAL, "token file path is empty");
    }
    file_src_t *f = sl_xcalloc(1, sizeof *f);
    f->path = sl_xstrdup(path);
    *out = sl_crypto__token_source_new(&file_ops, f);
    return 0;
}
