/*
 * The node's account keys. On first start the MMK scope gets an AEK: 32
 * random bytes, wrapped by the local KEK provider (a sub-key of the service
 * key) and kept wrapped in the catalog. Every start unwraps the AEKs into
 * the keyring. The unwrapped bytes exist only in the keyring's locked pages
 * and in a stack buffer wiped right after.
 */
#include "node/node_int.h"

#include <stdio.h>
#include <string.h>

static int create_mmk_aek(sl_node_t *n, sl_diag_t *d)
{
    uint8_t aek[SL_KEY_LEN];
    sl_random_bytes(aek, sizeof aek);
    sl_aek_rec_t rec = { 0 };
    rec.scope = SL_SCOPE_MMK;
    sl_random_bytes(&rec.aek_id, sizeof rec.aek_id);
    snprintf(rec.provider, sizeof rec.provider, "%s", n->kek_local->kind);
    rec.kek_version_no = 1;
    rec.created = sl_time_now();
    rec.active = true;
    int rc = n->kek_local->wrap(n->kek_local->ctx, aek, &rec.wrapped, rec.kek_version, d);
    if (!rc)
        rc = sl_catalog_aek_put(n->catalog, &rec, d);
    sl_wipe(aek, sizeof aek);
    sl_buf_dispose(&rec.wrapped);
    return rc;
}

int sl_node__keys_open(sl_node_t *n, sl_diag_t *d)
{
    n->kek_local = sl_kek_local_create(n->service_key);
    n->keyring = sl_keyring_create(n->infra_key, n->double_encryption);
    sl_aek_rec_t *list;
    size_t count;
    int rc = sl_catalog_aek_list(n->catalog, &list, &count, d);
    if (rc)
        return rc;
    bool have_mmk = false;
    for (size_t i = 0; i < count; i++)
        have_mmk |= list[i].scope == SL_SCOPE_MMK;
    if (!have_mmk) {
        sl_aek_list_free(list, count);
        if ((rc = create_mmk_aek(n, d)))
            return rc;
        if ((rc = sl_catalog_aek_list(n->catalog, &list, &count, d)))
            return rc;
    }
    /* Inactive keys first, so the active one ends up the scope's current key. */
    for (int pass = 0; pass < 2 && !rc; pass++) {
        for (size_t i = 0; i < count && !rc; i++) {
            sl_aek_rec_t *a = &list[i];
            if (a->active != (pass == 1) || a->scope != SL_SCOPE_MMK)
                continue;
            uint8_t aek[SL_KEY_LEN];
            rc = n->kek_local->unwrap(n->kek_local->ctx, (uint8_t *)a->wrapped.data,
                                      a->wrapped.len, a->kek_version, aek, d);
            if (!rc)
                sl_keyring_put(n->keyring, a->scope, a->aek_id, a->kek_version_no, aek);
            sl_wipe(aek, sizeof aek);
        }
    }
    sl_aek_list_free(list, count);
    if (rc)
        sl_diag_prefix(d, "cannot unwrap the service-managed account key");
    return rc;
}

void sl_node__keys_close(sl_node_t *n)
{
    sl_keyring_destroy(n->keyring);
    n->keyring = NULL;
    sl_kek_provider_destroy(n->kek_local);
    n->kek_local = NULL;
}
