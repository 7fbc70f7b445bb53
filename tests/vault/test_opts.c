#include <criterion/criterion.h>
#include <string.h>

#include "vault/vault_int.h"

static int parse(sl_vault_opts_t **o, sl_diag_t *d, const char *const *args)
{
    char *argv[32] = { "sealog-vault" };
    int argc = 1;
    for (; args[argc - 1]; argc++)
        argv[argc] = (char *)args[argc - 1];
    sl_vault_action_t action;
    return sl_vault_opts_parse(argc, argv, o, &action, d);
}

Test(vault_opts, defaults)
{
    sl_vault_opts_t *o;
    sl_diag_t d;
    const char *args[] = { NULL };
    cr_assert_eq(parse(&o, &d, args), 0);
    cr_expect_str_eq(o->data_dir, "./sealog-vault-data");
    cr_assert_eq(o->nlisten, 1);
    cr_expect_str_eq(o->listen[0], "127.0.0.1:8444");
    cr_expect(o->soft_delete && o->purge_protection, "Recoverable by default, as CMK needs");
    cr_expect_str_eq(o->resource, "https://vault.azure.net");
    cr_expect(!o->mi_enabled);
    cr_expect_null(o->public_url);
    sl_vault_opts_destroy(o);
}

Test(vault_opts, flags_in_both_spellings)
{
    sl_vault_opts_t *o;
    sl_diag_t d;
    const char *args[] = { "--listen",
                           "127.0.0.1:0",
                           "--listen=[::1]:9000",
                           "--http-listen",
                           "127.0.0.1:0",
                           "--public-url",
                           "https://kv.example.internal:8444/",
                           "--resource=https://example.internal",
                           "--tenant",
                           "72f988bf-86f1-41af-91ab-2d7cd011db47",
                           "--managed-identity-permissions",
                           "get,wrapKey,unwrapKey",
                           "--soft-delete",
                           "false",
                           NULL };
    cr_assert_eq(parse(&o, &d, args), 0, "%s", d.msg);
    cr_expect_eq(o->nlisten, 2, "the first --listen replaces the default");
    cr_expect_str_eq(o->listen[1], "[::1]:9000");
    cr_expect_eq(o->nhttp, 1);
    cr_expect_str_eq(o->public_url, "https://kv.example.internal:8444", "trailing slash dropped");
    cr_expect_str_eq(o->resource, "https://example.internal");
    cr_expect(o->mi_enabled);
    cr_expect_eq(o->mi_perms, (unsigned)(SL_VAULT_PERM_GET | SL_VAULT_PERM_WRAP |
                                         SL_VAULT_PERM_UNWRAP));
    cr_expect(!o->soft_delete);
    cr_expect(!o->purge_protection, "no soft delete turns the default purge protection off");
    sl_vault_opts_destroy(o);
}

Test(vault_opts, bad_flags_give_one_clear_line)
{
    struct {
        const char *args[5];
        const char *mention;
    } cases[] = {
        { { "--bogus", "1", NULL }, "--bogus" },
        { { "--bogus", NULL }, "unknown flag --bogus" },
        { { "--listen", "example.com:80", NULL }, "--listen" },
        { { "--http-listen", "0.0.0.0:8080", NULL }, "loopback" },
        { { "--soft-delete", "maybe", NULL }, "true or false" },
        { { "--soft-delete", "false", "--purge-protection", "true" }, "needs --soft-delete" },
        { { "--public-url", "vault.local", NULL }, "http" },
        { { "--resource", "https://x/\"y", NULL }, "--resource" },
        { { "--managed-identity-permissions", "get,delete", NULL }, "delete" },
        { { "--tenant", "a/b", NULL }, "--tenant" },
        { { "--listen", NULL }, "needs a value" },
        { { "stray", NULL }, "stray" },
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(cases); i++) {
        sl_vault_opts_t *o = NULL;
        sl_diag_t d;
        cr_expect_eq(parse(&o, &d, cases[i].args), SL_ECONFIG, "case %zu", i);
        cr_expect(strstr(d.msg, cases[i].mention), "case %zu: \"%s\" mentions %s", i, d.msg,
                  cases[i].mention);
        cr_expect_null(strchr(d.msg, '\n'), "one line");
    }
}
