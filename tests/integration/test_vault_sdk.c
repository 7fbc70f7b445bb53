/*
 * The real @azure/keyvault-keys 4.10.2, unmodified, against sealog-vault:
 * tests/integration/js/vault_sdk.mjs run by Node with the vault's
 * certificate trusted through NODE_EXTRA_CA_CERTS. Needs `npm ci` in
 * tests/integration/js (scripts/deps.sh does it); without it this fails.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "vault_harness.h"

TestSuite(vault_sdk, .timeout = 240);

Test(vault_sdk, keyvault_keys_sdk_drives_the_vault)
{
    struct stat st;
    cr_assert_eq(stat(SEALOG_JS_DIR "/node_modules/@azure/keyvault-keys", &st), 0,
                 "run `npm ci` in tests/integration/js (or scripts/deps.sh) first");
    th_node_t n;
    th_node_init(&n);
    cr_assert_eq(th_vault_start(&n, NULL), 0);
    setenv("VAULT_URL", n.https, 1);
    setenv("VAULT_TOKEN", n.token, 1);
    setenv("NODE_EXTRA_CA_CERTS", n.cacert, 1);
    sl_buf_t out = SL_BUF_INIT;
    const char *args[] = { "vault_sdk.mjs", NULL };
    int rc = th_run(SEALOG_NODE_JS, args, SEALOG_JS_DIR, &out);
    cr_expect_eq(rc, 0, "node exited %d:\n%s", rc, out.data);
    const char *lines[] = {
        "created https://127.0.0.1:",
        "scope requested: https://vault.azure.net/.default",
        "wrap/unwrap RSA-OAEP-256 ok",
        "local RSA-OAEP wrap, vault unwrap ok",
        "versions: 1",
        "disabled: unwrap refused 403 KeyDisabled",
        "enabled: unwrap ok",
        "old version unwraps ok",
        "vault_sdk: all steps passed",
    };
    for (size_t i = 0; i < SL_ARRAY_SIZE(lines); i++)
        cr_expect(th_contains(&out, lines[i]), "missing \"%s\" in:\n%s", lines[i], out.data);
    /* The vault saw the challenge probe and logged the SDK's operations. */
    sl_buf_t log = SL_BUF_INIT;
    th_slurp(n.log_path, &log);
    cr_expect(th_contains(&log, "/create 401"), "the body-less probe was answered 401");
    cr_expect(th_contains(&log, "op=unwrapKey"));
    cr_expect(th_contains(&log, "outcome=denied:KeyDisabled"));
    cr_expect_eq(th_node_stop(&n), 0);
    sl_buf_dispose(&out);
    sl_buf_dispose(&log);
    th_node_cleanup(&n);
}
