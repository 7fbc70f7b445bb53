/* Internals shared by the files of store/. */
#ifndef SL_STORE_INT_H
#define SL_STORE_INT_H

#include "store/store.h"

#include <lmdb.h>

/* Translates an LMDB return code to SL_E* and describes it in `d`. */
int sl_store__mdb_err(int rc, sl_diag_t *d, const char *what);

/* Opens an LMDB environment in `dir` with the flags sealog uses everywhere:
 * MDB_NOTLS (read txns may move between pool threads), MDB_NORDAHEAD. */
int sl_store__env_open(const char *dir, size_t mapsize, unsigned maxdbs, unsigned extra_flags,
                       MDB_env **out, sl_diag_t *d);

struct sl_catalog {
    MDB_env *env;
    MDB_dbi meta, ws, ws_name, tokens;
};

#endif
