/*
 * Fuzzes the cluster resource (config/cluster.c): the update body of
 * PATCH/PUT /admin/v1/cluster (sl_cluster_apply_update), from an admin
 * client, and the stored document (sl_cluster_from_json).
 *
 * Input: one byte choosing the current cluster (none; system identity
 * with a key; user identity with a key and double encryption; system
 * identity without a key), then the body.
 *
 * Invariants, for both functions: a failure is SL_EPARSE or SL_EINVAL with
 * a message; a success yields a cluster whose stored JSON parses back to
 * the same cluster, field for field, and whose API answer is JSON. For an
 * update also: the identity given is kept whole (never cut to fit), a
 * change is reported exactly when a field changed, identity and key never
 * change together, a new key always has an identity, and
 * isDoubleEncryptionEnabled, created and updated never change.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

static bool same(const sl_cluster_t *a, const sl_cluster_t *b)
{
    return a->identity == b->identity && !strcmp(a->user_identity, b->user_identity) &&
           !strcmp(a->kv_uri, b->kv_uri) && !strcmp(a->key_name, b->key_name) &&
           !strcmp(a->key_version, b->key_version) &&
           a->double_encryption == b->double_encryption && a->created == b->created &&
           a->updated == b->updated;
}

static bool same_key(const sl_cluster_t *a, const sl_cluster_t *b)
{
    return !strcmp(a->kv_uri, b->kv_uri) && !strcmp(a->key_name, b->key_name) &&
           !strcmp(a->key_version, b->key_version);
}

static void check_failure(int rc, const sl_diag_t *d)
{
    CHECK((rc == SL_EPARSE || rc == SL_EINVAL) && d->code == rc && d->msg[0] != '\0');
}

/* The stored form reads back as c; the API form is JSON. */
static void check_round_trip(const sl_cluster_t *c)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_cluster_to_json(c, true, &b);
    sl_cluster_t back;
    sl_diag_t d = { 0 };
    CHECK(b.len > 0 && sl_cluster_from_json(b.data, b.len, &back, &d) == 0);
    CHECK(same(c, &back));
    sl_buf_reset(&b);
    sl_cluster_to_json(c, false, &b);
    json_t *api = json_loadb(b.data, b.len, 0, NULL);
    CHECK(json_is_object(api));
    json_decref(api);
    sl_buf_dispose(&b);
}

/* The user-assigned identity an update names, read as cluster.c does. */
static const char *named_identity(json_t *body)
{
    json_t *id = json_object_get(body, "identity");
    json_t *uas = json_object_get(id, "userAssignedIdentities");
    if (json_is_object(uas) && json_object_size(uas) == 1)
        return json_object_iter_key(json_object_iter(uas));
    return json_string_value(json_object_get(id, "userAssignedIdentity"));
}

static void fixture(uint8_t which, sl_cluster_t *c)
{
    memset(c, 0, sizeof *c);
    c->created = INT64_C(17179776000000000);
    c->updated = c->created + SL_TICKS_PER_DAY;
    switch (which % 4) {
    case 1:
        c->identity = SL_IDENTITY_SYSTEM;
        strcpy(c->kv_uri, "https://kv.vault.azure.net/");
        strcpy(c->key_name, "k1");
        strcpy(c->key_version, "0123456789abcdef0123456789abcdef");
        break;
    case 2:
        c->identity = SL_IDENTITY_USER;
        strcpy(c->user_identity, "/subscriptions/s/resourceGroups/g/providers/"
                                 "Microsoft.ManagedIdentity/userAssignedIdentities/u");
        strcpy(c->kv_uri, "http://127.0.0.1:8200/");
        strcpy(c->key_name, "k2");
        c->double_encryption = true;
        break;
    case 3:
        c->identity = SL_IDENTITY_SYSTEM;
        break;
    default:
        break;
    }
}

static void fuzz_update(const sl_cluster_t *cur, const char *body, size_t n)
{
    sl_cluster_t out;
    sl_cluster_change_t what;
    sl_diag_t d = { 0 };
    int rc = sl_cluster_apply_update(cur, body, n, &out, &what, &d);
    if (rc) {
        check_failure(rc, &d);
        return;
    }
    check_round_trip(&out);
    CHECK(out.double_encryption == cur->double_encryption);
    CHECK(out.created == cur->created && out.updated == cur->updated);
    CHECK(!(what.identity && what.key));
    CHECK(what.key == !same_key(&out, cur));
    if (what.key)
        CHECK(out.identity != SL_IDENTITY_NONE);
    if (!what.identity)
        CHECK(out.identity == cur->identity && !strcmp(out.user_identity, cur->user_identity));
    CHECK((out.identity == SL_IDENTITY_USER) == (out.user_identity[0] != '\0'));

    /* A successful update parsed as a JSON object; what it names is kept. */
    json_t *j = json_loadb(body, n, JSON_REJECT_DUPLICATES, NULL);
    CHECK(json_is_object(j));
    if (json_object_get(j, "identity") && out.identity == SL_IDENTITY_USER) {
        const char *ua = named_identity(j);
        CHECK(ua && !strcmp(ua, out.user_identity));
    }
    json_decref(j);
}

static void fuzz_stored(const char *text, size_t n)
{
    sl_cluster_t c;
    sl_diag_t d = { 0 };
    int rc = sl_cluster_from_json(text, n, &c, &d);
    if (rc) {
        check_failure(rc, &d);
        return;
    }
    check_round_trip(&c);
}

/* UBSan reports and carries on by default: stop at the first report, so
 * undefined behaviour fails the run (UBSAN_OPTIONS still overrides). */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 16384)
        return 0;
    sl_cluster_t cur;
    fixture(data[0], &cur);
    check_round_trip(&cur);
    char *body = malloc(size - 1 ? size - 1 : 1); /* exact size for ASan */
    memcpy(body, data + 1, size - 1);
    fuzz_update(&cur, body, size - 1);
    fuzz_stored(body, size - 1);
    free(body);
    return 0;
}
