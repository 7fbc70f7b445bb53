/*
 * File and string helpers. File writes that must survive a crash go through
 * sl_write_file_atomic: write a temporary file, fsync it, rename it over the
 * target, then fsync the directory so the rename itself is durable.
 */
#include "common/common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

bool sl_strn_ieq(const char *a, size_t an, const char *b, size_t bn)
{
    return an == bn && strncasecmp(a, b, an) == 0;
}

bool sl_str_ieq(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

int sl_parse_i64(const char *s, size_t n, int64_t *out)
{
    if (n == 0 || n > 20)
        return SL_EPARSE;
    size_t i = 0;
    bool neg = false;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        if (++i == n)
            return SL_EPARSE;
    }
    uint64_t v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return SL_EPARSE;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return SL_EPARSE;
        v = v * 10 + d;
    }
    if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
        return SL_EPARSE;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

int sl_fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = fsync(fd) ? -errno : 0;
    close(fd);
    return rc;
}

static int write_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int sl_write_file_atomic(const char *path, const void *data, size_t n, unsigned mode)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof tmp)
        return -ENAMETOOLONG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
    if (fd < 0)
        return -errno;
    int rc = write_all(fd, data, n);
    if (!rc && fchmod(fd, (mode_t)mode))
        rc = -errno;
    if (!rc && fsync(fd))
        rc = -errno;
    if (close(fd) && !rc)
        rc = -errno;
    if (!rc && rename(tmp, path))
        rc = -errno;
    if (rc) {
        unlink(tmp);
        return rc;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        dir[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    return sl_fsync_dir(dir);
}

int sl_read_file(const char *path, size_t max, sl_buf_t *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = 0;
    char chunk[16384];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rc = -errno;
            break;
        }
        if (r == 0)
            break;
        if (out->len + (size_t)r > max) {
            rc = SL_ELIMIT;
            break;
        }
        sl_buf_append(out, chunk, (size_t)r);
    }
    sl_wipe(chunk, sizeof chunk); /* the file may hold a key */
    close(fd);
    return rc;
}

int sl_mkdirs(const char *path, unsigned mode)
{
    char tmp[PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof tmp)
        return -ENAMETOOLONG;
    memcpy(tmp, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] == '/' || tmp[i] == '\0') {
            char saved = tmp[i];
            tmp[i] = '\0';
            if (mkdir(tmp, (mode_t)mode) && errno != EEXIST)
                return -errno;
            tmp[i] = saved;
        }
    }
    struct stat st;
    if (stat(path, &st))
        return -errno;
    return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int sl_rmtree(const char *path)
{
    struct stat st;
    if (lstat(path, &st))
        return errno == ENOENT ? 0 : -errno;
    if (!S_ISDIR(st.st_mode))
        return unlink(path) ? -errno : 0;
    DIR *d = opendir(path);
    if (!d)
        return -errno;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char child[PATH_MAX];
        if (snprintf(child, sizeof child, "%s/%s", path, e->d_name) >= (int)sizeof child) {
            rc = -ENAMETOOLONG;
            continue;
        }
        int r = sl_rmtree(child);
        if (r && !rc)
            rc = r;
    }
    closedir(d);
    if (rmdir(path) && !rc)
        rc = -errno;
    return rc;
}

void sl_request_id(char out[17])
{
    uint8_t b[8];
    sl_random_bytes(b, sizeof b);
    sl_hex_encode(b, sizeof b, out);
}
