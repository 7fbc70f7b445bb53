/*
 * LMDB plumbing shared by the catalog and the segments: opening
 * environments with one set of flags and turning MDB_* codes into ours.
 */
#include "store/store_int.h"

#include <errno.h>
#include <sys/stat.h>

int sl_store__mdb_err(int rc, sl_diag_t *d, const char *what)
{
    switch (rc) {
    case 0:
        return 0;
    case MDB_NOTFOUND:
        return sl_diag_set(d, SL_ENOTFOUND, "%s: not found", what);
    case MDB_KEYEXIST:
        return sl_diag_set(d, SL_EEXIST, "%s: already exists", what);
    case MDB_MAP_FULL:
        return sl_diag_set(d, SL_ELIMIT, "%s: storage map is full", what);
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
        return sl_diag_set(d, SL_EINTEGRITY, "%s: %s", what, mdb_strerror(rc));
    default:
        if (rc > 0) /* an errno */
            return sl_diag_set(d, -rc, "%s: %s", what, mdb_strerror(rc));
        return sl_diag_set(d, SL_ESTORE, "%s: %s", what, mdb_strerror(rc));
    }
}

int sl_store__env_open(const char *dir, size_t mapsize, unsigned maxdbs, unsigned extra_flags,
                       MDB_env **out, sl_diag_t *d)
{
    MDB_env *env = NULL;
    int rc = sl_mkdirs(dir, 0700);
    if (rc)
        return sl_diag_set(d, rc, "cannot create %s: %s", dir, sl_strerror(rc));
    rc = mdb_env_create(&env);
    if (!rc)
        rc = mdb_env_set_mapsize(env, mapsize);
    if (!rc)
        rc = mdb_env_set_maxdbs(env, maxdbs);
    if (!rc)
        rc = mdb_env_set_maxreaders(env, 512);
    if (!rc)
        rc = mdb_env_open(env, dir, MDB_NOTLS | MDB_NORDAHEAD | extra_flags, 0600);
    if (rc) {
        int r = sl_store__mdb_err(rc, d, "open LMDB environment");
        sl_diag_prefix(d, "%s", dir);
        mdb_env_close(env);
        return r;
    }
    *out = env;
    return 0;
}
