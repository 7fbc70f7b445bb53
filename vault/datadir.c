/*
 * The vault's data directory.
 *
 *   DIR/vault.dir                   marker: format version and tenant id (written last)
 *   DIR/lock                        flock()ed while the vault runs; holds its pid
 *   DIR/master.key                  the master key, mode 0600 (crypto/ key file)
 *   DIR/tls/cert.pem, key.pem       self-signed certificate; key PEM-encrypted
 *   DIR/keys/<name>/<version>.rec   one sealed record per key version
 *   DIR/tokens/<id>.rec             one sealed record per token or client
 *
 * Why files and not a database: records are few and small, each is written
 * whole with sl_write_file_atomic (temp file, fsync, rename, fsync of the
 * directory), so a crash leaves either the old record or the new one, never
 * a torn one; a leftover "*.tmp.<pid>" from a crash is removed at start.
 * One file per version means creating a version never rewrites another.
 *
 * Everything is sealed under keys derived from the master key: records
 * ("vault records"), token HMACs ("vault token hash"), access-token MACs
 * ("vault access token"), and the TLS private key's passphrase. The master
 * key file is the only secret in the clear — that is the vault's root of
 * trust, as the service key is the node's; protect it like an HSM's
 * wrapping key (docs/VAULT.md).
 *
 * First start builds everything, bootstrap token included, in
 * DIR.init-<pid> and renames it into place, so a failure at any step leaves
 * nothing half-made and the bootstrap token exists iff the directory does.
 */
#include "vault/vault_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define FORMAT 1
#define MARKER "vault.dir"
#define MAX_RECORD (1 << 20)

static void join(char *out, size_t n, const char *dir, const char *rel)
{
    snprintf(out, n, "%s/%s", dir, rel);
}

void sl_vault__key_dir(const sl_vault_t *v, const char *lname, char *out, size_t n)
{
    snprintf(out, n, "%s/keys/%s", v->data_dir, lname);
}

void sl_vault__ver_path(const sl_vault_t *v, const char *lname, const char *version, char *out,
                        size_t n)
{
    snprintf(out, n, "%s/keys/%s/%s.rec", v->data_dir, lname, version);
}

static void tok_path_in(const char *dir, const sl_vault_tok_t *t, char *out, size_t n)
{
    char hex[17];
    sl_vault_tok_id_hex(t, hex);
    snprintf(out, n, "%s/tokens/%s.rec", dir, hex);
}

void sl_vault__tok_path(const sl_vault_t *v, const sl_vault_tok_t *t, char *out, size_t n)
{
    tok_path_in(v->data_dir, t, out, n);
}

static int derive_keys(sl_vault_t *v, sl_diag_t *d)
{
    if (sl_key_derive(v->master, "vault records", NULL, 0, &v->rec_key) ||
        sl_key_derive(v->master, "vault token hash", NULL, 0, &v->hash_key) ||
        sl_key_derive(v->master, "vault access token", NULL, 0, &v->access_key))
        return sl_diag_set(d, SL_ECRYPTO, "cannot derive the vault's keys");
    return 0;
}

/* Writes the bootstrap admin token record into `dir`; its secret goes to
 * v->bootstrap_secret for the banner. */
static int write_bootstrap(sl_vault_t *v, const char *dir, sl_diag_t *d)
{
    sl_vault_tok_t t;
    memset(&t, 0, sizeof t);
    sl_vault_tok_mint(v->hash_key, SL_VAULT_TOK_ADMIN, &t, v->bootstrap_secret);
    snprintf(t.name, sizeof t.name, "bootstrap");
    t.perms = SL_VAULT_PERM_ALL;
    t.created = sl_time_now() / SL_TICKS_PER_SEC;
    char hex[17], ident[32], path[PATH_MAX];
    sl_vault_tok_id_hex(&t, hex);
    snprintf(ident, sizeof ident, "token:%s", hex);
    sl_buf_t pt = SL_BUF_INIT, sealed = SL_BUF_INIT;
    sl_vault_tok_encode(&t, &pt);
    sl_vault_file_seal(v->rec_key, SL_VAULT_REC_TOKEN, ident, pt.data, pt.len, &sealed);
    tok_path_in(dir, &t, path, sizeof path);
    int rc = sl_write_file_atomic(path, sealed.data, sealed.len, 0600);
    sl_buf_wipe(&pt);
    sl_buf_dispose(&sealed);
    if (rc)
        return sl_diag_set(d, rc, "cannot write %s: %s", path, sl_strerror(rc));
    return 0;
}

static int populate(sl_vault_t *v, const char *dir, sl_diag_t *d)
{
    char p[PATH_MAX], q[PATH_MAX];
    int rc;
    const char *subdirs[] = { "keys", "tokens", "tls" };
    for (size_t i = 0; i < SL_ARRAY_SIZE(subdirs); i++) {
        join(p, sizeof p, dir, subdirs[i]);
        if ((rc = sl_mkdirs(p, 0700)))
            return sl_diag_set(d, rc, "cannot create %s: %s", p, sl_strerror(rc));
    }
    join(p, sizeof p, dir, "master.key");
    if ((rc = sl_keyfile_load(p, true, &v->master, NULL, d)))
        return rc;
    if ((rc = derive_keys(v, d)))
        return rc;
    join(p, sizeof p, dir, "tls/cert.pem");
    join(q, sizeof q, dir, "tls/key.pem");
    bool created;
    if ((rc = sl_tls_ensure_selfsigned(p, q, v->master, &created, d)))
        return rc;
    if ((rc = write_bootstrap(v, dir, d)))
        return rc;
    sl_guid_t g;
    char tenant[37], ts[32], marker[256];
    sl_guid_random(&g);
    sl_guid_format(&g, tenant);
    sl_time_format_iso8601(sl_time_now(), ts);
    int mn = snprintf(marker, sizeof marker,
                      "sealog-vault data directory\nformat=%d\ntenant=%s\ncreated=%s\n", FORMAT,
                      tenant, ts);
    join(p, sizeof p, dir, MARKER);
    if ((rc = sl_write_file_atomic(p, marker, (size_t)mn, 0600)))
        return sl_diag_set(d, rc, "cannot write %s: %s", p, sl_strerror(rc));
    return 0;
}

static void drop_keys(sl_vault_t *v)
{
    sl_key_destroy(v->master);
    sl_key_destroy(v->rec_key);
    sl_key_destroy(v->hash_key);
    sl_key_destroy(v->access_key);
    v->master = v->rec_key = v->hash_key = v->access_key = NULL;
}

static int create_atomically(sl_vault_t *v, sl_diag_t *d)
{
    char tmp[PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s.init-%d", v->data_dir, (int)getpid());
    sl_rmtree(tmp);
    if (mkdir(tmp, 0700))
        return sl_diag_set(d, -errno, "cannot create data directory %s: %s", v->data_dir,
                           strerror(errno));
    int rc = populate(v, tmp, d);
    /* The keys are loaded again from the final place, like on any start. */
    drop_keys(v);
    if (!rc && rename(tmp, v->data_dir))
        rc = sl_diag_set(d, -errno, "cannot move %s into place: %s", tmp, strerror(errno));
    if (rc) {
        sl_wipe(v->bootstrap_secret, sizeof v->bootstrap_secret);
        sl_rmtree(tmp);
        return rc;
    }
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", v->data_dir);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent)
        *slash = '\0';
    else if (!slash)
        snprintf(parent, sizeof parent, ".");
    sl_fsync_dir(parent);
    v->first_start = true;
    return 0;
}

static bool dir_is_empty(const char *path)
{
    DIR *dh = opendir(path);
    if (!dh)
        return false;
    struct dirent *e;
    bool empty = true;
    while ((e = readdir(dh)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            empty = false;
            break;
        }
    closedir(dh);
    return empty;
}

static int take_lock(sl_vault_t *v, sl_diag_t *d)
{
    char p[PATH_MAX];
    join(p, sizeof p, v->data_dir, "lock");
    v->lock_fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (v->lock_fd < 0)
        return sl_diag_set(d, -errno, "cannot open %s: %s", p, strerror(errno));
    if (flock(v->lock_fd, LOCK_EX | LOCK_NB)) {
        char pid[32] = "";
        ssize_t r = pread(v->lock_fd, pid, sizeof pid - 1, 0);
        pid[r > 0 ? r : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        close(v->lock_fd);
        v->lock_fd = -1;
        return sl_diag_set(d, SL_EBUSY, "data directory %s is in use by another sealog-vault%s%s%s",
                           v->data_dir, *pid ? " (pid " : "", pid, *pid ? ")" : "");
    }
    char pid[32];
    int pn = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
    if (ftruncate(v->lock_fd, 0) || pwrite(v->lock_fd, pid, (size_t)pn, 0) != pn)
        return sl_diag_set(d, -errno, "cannot write %s: %s", p, strerror(errno));
    return 0;
}

/* Reads the marker: checks the format, takes the tenant. */
static int read_marker(sl_vault_t *v, sl_diag_t *d)
{
    char p[PATH_MAX];
    sl_buf_t m = SL_BUF_INIT;
    join(p, sizeof p, v->data_dir, MARKER);
    int rc = sl_read_file(p, 4096, &m);
    if (rc) {
        sl_buf_dispose(&m);
        return sl_diag_set(d, rc, "cannot read %s: %s", p, sl_strerror(rc));
    }
    const char *text = m.data ? m.data : "";
    const char *f = strstr(text, "format=");
    int format = f ? atoi(f + 7) : 0;
    const char *t = strstr(text, "tenant=");
    if (t) {
        t += 7;
        snprintf(v->tenant, sizeof v->tenant, "%.*s", (int)strcspn(t, "\n"), t);
    }
    sl_buf_dispose(&m);
    if (format != FORMAT)
        return sl_diag_set(d, SL_EVERSION,
                           "data directory %s has format %d; this sealog-vault reads format %d",
                           v->data_dir, format, FORMAT);
    return 0;
}

static bool is_temp(const char *name)
{
    return strstr(name, ".tmp.") != NULL;
}

/* Reads and unseals one record file. */
static int read_record(sl_vault_t *v, const char *path, int type, const char *ident,
                       sl_buf_t *pt, sl_diag_t *d)
{
    sl_buf_t raw = SL_BUF_INIT;
    int rc = sl_read_file(path, MAX_RECORD, &raw);
    if (rc)
        rc = sl_diag_set(d, rc, "cannot read %s: %s", path, sl_strerror(rc));
    else if ((rc = sl_vault_file_unseal(v->rec_key, type, ident, raw.data, raw.len, pt, d)))
        sl_diag_prefix(d, "%s", path);
    sl_buf_dispose(&raw);
    return rc;
}

static int load_tokens(sl_vault_t *v, sl_diag_t *d)
{
    char dir[PATH_MAX];
    join(dir, sizeof dir, v->data_dir, "tokens");
    DIR *dh = opendir(dir);
    if (!dh)
        return sl_diag_set(d, -errno, "cannot open %s: %s", dir, strerror(errno));
    int rc = 0;
    struct dirent *e;
    while (!rc && (e = readdir(dh))) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (e->d_name[0] == '.')
            continue;
        if (is_temp(e->d_name)) {
            unlink(path);
            continue;
        }
        size_t n = strlen(e->d_name);
        if (n != 16 + 4 || strcmp(e->d_name + 16, ".rec"))
            continue;
        char ident[32];
        snprintf(ident, sizeof ident, "token:%.16s", e->d_name);
        sl_buf_t pt = SL_BUF_INIT;
        sl_vault_tok_t *t = sl_xcalloc(1, sizeof *t);
        rc = read_record(v, path, SL_VAULT_REC_TOKEN, ident, &pt, d);
        if (!rc && (rc = sl_vault_tok_decode(pt.data, pt.len, t, d)))
            sl_diag_prefix(d, "%s", path);
        sl_buf_wipe(&pt);
        if (rc)
            sl_free(t);
        else
            sl_vault_toklist_add(&v->tokens, t);
    }
    closedir(dh);
    return rc;
}

static int load_key_dir(sl_vault_t *v, const char *lname, sl_diag_t *d)
{
    char dir[PATH_MAX];
    sl_vault__key_dir(v, lname, dir, sizeof dir);
    DIR *dh = opendir(dir);
    if (!dh)
        return sl_diag_set(d, -errno, "cannot open %s: %s", dir, strerror(errno));
    int rc = 0;
    struct dirent *e;
    while (!rc && (e = readdir(dh))) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (e->d_name[0] == '.')
            continue;
        if (is_temp(e->d_name)) {
            unlink(path);
            continue;
        }
        size_t n = strlen(e->d_name);
        if (n != SL_VAULT_VERSION_LEN + 4 || strcmp(e->d_name + SL_VAULT_VERSION_LEN, ".rec"))
            continue;
        char version[SL_VAULT_VERSION_LEN + 1], ident[SL_VAULT_NAME_MAX + 64];
        char name[SL_VAULT_NAME_MAX + 1];
        snprintf(version, sizeof version, "%.*s", SL_VAULT_VERSION_LEN, e->d_name);
        sl_vault_ver_ident(lname, version, ident, sizeof ident);
        sl_buf_t pt = SL_BUF_INIT;
        sl_vault_ver_t *ver = NULL;
        rc = read_record(v, path, SL_VAULT_REC_KEY, ident, &pt, d);
        if (!rc && (rc = sl_vault_ver_decode(pt.data, pt.len, name, &ver, d)))
            sl_diag_prefix(d, "%s", path);
        sl_buf_wipe(&pt);
        if (rc)
            break;
        sl_vault_key_t *k = sl_vault_model_add(&v->model, name);
        if (strcmp(k->lname, lname) || strcmp(ver->id, version) || sl_vault_key_insert(k, ver)) {
            sl_vault_ver_destroy(ver);
            rc = sl_diag_set(d, SL_EINTEGRITY, "%s does not belong where it is", path);
        }
    }
    closedir(dh);
    return rc;
}

static int load_keys(sl_vault_t *v, sl_diag_t *d)
{
    char dir[PATH_MAX];
    join(dir, sizeof dir, v->data_dir, "keys");
    DIR *dh = opendir(dir);
    if (!dh)
        return sl_diag_set(d, -errno, "cannot open %s: %s", dir, strerror(errno));
    int rc = 0;
    struct dirent *e;
    while (!rc && (e = readdir(dh)))
        if (e->d_name[0] != '.' && sl_vault_name_valid(e->d_name))
            rc = load_key_dir(v, e->d_name, d);
    closedir(dh);
    return rc;
}

int sl_vault__datadir_open(sl_vault_t *v, sl_diag_t *d)
{
    struct stat st;
    char p[PATH_MAX];
    int rc;
    v->lock_fd = -1;
    if (stat(v->data_dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return sl_diag_set(d, -ENOTDIR, "data directory %s exists and is not a directory",
                               v->data_dir);
        join(p, sizeof p, v->data_dir, MARKER);
        if (access(p, F_OK) != 0) {
            if (!dir_is_empty(v->data_dir))
                return sl_diag_set(d, SL_ESTATE,
                                   "%s is not empty and is not a sealog-vault data directory "
                                   "(no %s); choose another --data-dir",
                                   v->data_dir, MARKER);
            /* rename(2) replaces an empty directory, so it is used as if absent. */
            if ((rc = create_atomically(v, d)))
                return rc;
        }
    } else if (errno == ENOENT) {
        if ((rc = create_atomically(v, d)))
            return rc;
    } else {
        return sl_diag_set(d, -errno, "cannot use data directory %s: %s", v->data_dir,
                           strerror(errno));
    }
    if ((rc = read_marker(v, d)) || (rc = take_lock(v, d)))
        return rc;
    join(p, sizeof p, v->data_dir, "master.key");
    if ((rc = sl_keyfile_load(p, false, &v->master, NULL, d)) || (rc = derive_keys(v, d)))
        return rc;
    if ((rc = load_tokens(v, d)) || (rc = load_keys(v, d)))
        return rc;
    return 0;
}

void sl_vault__datadir_close(sl_vault_t *v)
{
    sl_vault_model_dispose(&v->model);
    sl_vault_toklist_dispose(&v->tokens);
    drop_keys(v);
    if (v->lock_fd >= 0) {
        close(v->lock_fd);
        v->lock_fd = -1;
    }
}
