/*
 * The data directory: created atomically on first start, locked while the
 * node runs, and holding the node-local keys.
 *
 *   DATA_DIR/sealog.dir       marker with the format version (written last)
 *   DATA_DIR/lock             flock()ed by the running node
 *   DATA_DIR/keys/service.key the service key (MMK), mode 0600
 *   DATA_DIR/keys/infra.key   the infrastructure-layer key, mode 0600
 *   DATA_DIR/catalog/         LMDB catalog
 *   DATA_DIR/tls/             self-signed certificate and encrypted key
 *
 * First start builds everything in DATA_DIR.init-PID and renames it into
 * place, so a failure at any step leaves no half-made directory behind.
 */
#include "node/node_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define DATADIR_FORMAT 1
#define MARKER "sealog.dir"

static void path_join(char *out, size_t n, const char *dir, const char *rel)
{
    snprintf(out, n, "%s/%s", dir, rel);
}

static bool dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return false;
    struct dirent *e;
    bool empty = true;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            empty = false;
            break;
        }
    closedir(d);
    return empty;
}

/* Populates a fresh directory `dir` with keys, catalog, TLS files, marker. */
static int populate(const char *dir, bool double_encryption, sl_diag_t *d)
{
    char p[PATH_MAX], q[PATH_MAX];
    int rc;
    sl_key_t *service = NULL, *infra = NULL;
    sl_catalog_t *cat = NULL;
    path_join(p, sizeof p, dir, "keys");
    if ((rc = sl_mkdirs(p, 0700)))
        return sl_diag_set(d, rc, "cannot create %s: %s", p, sl_strerror(rc));
    path_join(p, sizeof p, dir, "keys/service.key");
    if ((rc = sl_keyfile_load(p, true, &service, NULL, d)))
        goto done;
    path_join(p, sizeof p, dir, "keys/infra.key");
    if ((rc = sl_keyfile_load(p, true, &infra, NULL, d)))
        goto done;
    path_join(p, sizeof p, dir, "catalog");
    if ((rc = sl_catalog_open(p, &cat, d)))
        goto done;
    sl_catalog_close(cat);
    path_join(p, sizeof p, dir, "tls");
    if ((rc = sl_mkdirs(p, 0700))) {
        sl_diag_set(d, rc, "cannot create %s: %s", p, sl_strerror(rc));
        goto done;
    }
    path_join(p, sizeof p, dir, "tls/cert.pem");
    path_join(q, sizeof q, dir, "tls/key.pem");
    bool created;
    if ((rc = sl_tls_ensure_selfsigned(p, q, service, &created, d)))
        goto done;
    char marker[256];
    char ts[32];
    sl_time_format_iso8601(sl_time_now(), ts);
    int mn = snprintf(marker, sizeof marker,
                      "sealog data directory\nformat=%d\ncreated=%s\ndouble_encryption=%s\n",
                      DATADIR_FORMAT, ts, double_encryption ? "true" : "false");
    path_join(p, sizeof p, dir, MARKER);
    if ((rc = sl_write_file_atomic(p, marker, (size_t)mn, 0600)))
        sl_diag_set(d, rc, "cannot write %s: %s", p, sl_strerror(rc));
done:
    sl_key_destroy(service);
    sl_key_destroy(infra);
    return rc;
}

static int create_atomically(sl_node_t *n, sl_diag_t *d)
{
    char tmp[PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s.init-%d", n->data_dir, (int)getpid());
    sl_rmtree(tmp);
    if (mkdir(tmp, 0700))
        return sl_diag_set(d, -errno, "cannot create data directory %s: %s", n->data_dir,
                           strerror(errno));
    int rc = populate(tmp, n->cfg->double_encryption, d);
    if (!rc && rename(tmp, n->data_dir))
        rc = sl_diag_set(d, -errno, "cannot move %s into place: %s", tmp, strerror(errno));
    if (rc) {
        sl_rmtree(tmp);
        return rc;
    }
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", n->data_dir);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent)
        *slash = '\0';
    else if (!slash)
        snprintf(parent, sizeof parent, ".");
    sl_fsync_dir(parent);
    n->first_start = true;
    return 0;
}

static int take_lock(sl_node_t *n, sl_diag_t *d)
{
    char p[PATH_MAX];
    path_join(p, sizeof p, n->data_dir, "lock");
    n->lock_fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (n->lock_fd < 0)
        return sl_diag_set(d, -errno, "cannot open %s: %s (is the data directory writable?)", p,
                           strerror(errno));
    if (flock(n->lock_fd, LOCK_EX | LOCK_NB)) {
        char pid[32] = "";
        ssize_t r = pread(n->lock_fd, pid, sizeof pid - 1, 0);
        pid[r > 0 ? r : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        int rc = sl_diag_set(d, SL_EBUSY, "data directory %s is in use by another sealogd%s%s",
                             n->data_dir, *pid ? " (pid " : "", *pid ? pid : "");
        if (*pid)
            strncat(d->msg, ")", sizeof d->msg - strlen(d->msg) - 1);
        close(n->lock_fd);
        n->lock_fd = -1;
        return rc;
    }
    char pid[32];
    int pn = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
    if (ftruncate(n->lock_fd, 0) || pwrite(n->lock_fd, pid, (size_t)pn, 0) != pn)
        return sl_diag_set(d, -errno, "cannot write %s: %s", p, strerror(errno));
    return 0;
}

int sl_node__datadir_open(sl_node_t *n, sl_diag_t *d)
{
    struct stat st;
    char p[PATH_MAX];
    int rc;
    n->lock_fd = -1;
    if (stat(n->data_dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return sl_diag_set(d, -ENOTDIR, "data directory %s exists and is not a directory",
                               n->data_dir);
        path_join(p, sizeof p, n->data_dir, MARKER);
        if (access(p, F_OK) != 0) {
            if (!dir_is_empty(n->data_dir))
                return sl_diag_set(d, SL_ESTATE,
                                   "%s is not empty and is not a sealog data directory "
                                   "(no %s); choose another --data-dir",
                                   n->data_dir, MARKER);
            if ((rc = create_atomically(n, d)))
                return rc;
        }
    } else if (errno == ENOENT) {
        if ((rc = create_atomically(n, d)))
            return rc;
    } else {
        return sl_diag_set(d, -errno, "cannot use data directory %s: %s", n->data_dir,
                           strerror(errno));
    }

    /* Check the format before touching anything else. */
    sl_buf_t marker = SL_BUF_INIT;
    path_join(p, sizeof p, n->data_dir, MARKER);
    rc = sl_read_file(p, 4096, &marker);
    if (rc) {
        sl_buf_dispose(&marker);
        return sl_diag_set(d, rc, "cannot read %s: %s", p, sl_strerror(rc));
    }
    const char *fmt = strstr(marker.data ? marker.data : "", "format=");
    int version = fmt ? atoi(fmt + 7) : 0;
    /* Fixed at creation; a data directory without the line predates the
     * setting and was created with the default (on). */
    n->double_encryption = !strstr(marker.data ? marker.data : "", "double_encryption=false");
    sl_buf_dispose(&marker);
    if (version != DATADIR_FORMAT)
        return sl_diag_set(d, SL_EVERSION,
                           "data directory %s has format %d; this sealogd reads format %d",
                           n->data_dir, version, DATADIR_FORMAT);

    if ((rc = take_lock(n, d)))
        return rc;
    path_join(p, sizeof p, n->data_dir, "keys/service.key");
    if ((rc = sl_keyfile_load(p, false, &n->service_key, NULL, d)))
        return rc;
    path_join(p, sizeof p, n->data_dir, "keys/infra.key");
    if ((rc = sl_keyfile_load(p, false, &n->infra_key, NULL, d)))
        return rc;
    if ((rc = sl_key_derive(n->service_key, "catalog secrets", NULL, 0, &n->secrets_key)) ||
        (rc = sl_key_derive(n->service_key, "token hash", NULL, 0, &n->token_key)))
        return sl_diag_set(d, rc, "cannot derive node keys");
    path_join(p, sizeof p, n->data_dir, "catalog");
    if ((rc = sl_catalog_open(p, &n->catalog, d)))
        return rc;
    return 0;
}

void sl_node__datadir_close(sl_node_t *n)
{
    sl_catalog_close(n->catalog);
    n->catalog = NULL;
    sl_key_destroy(n->service_key);
    sl_key_destroy(n->infra_key);
    sl_key_destroy(n->secrets_key);
    sl_key_destroy(n->token_key);
    n->service_key = n->infra_key = n->secrets_key = n->token_key = NULL;
    if (n->lock_fd >= 0) {
        close(n->lock_fd);
        n->lock_fd = -1;
    }
}
