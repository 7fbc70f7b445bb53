/*
 * After a scope is dropped (revocation), its account key's bytes are
 * nowhere in the process: the whole address space is scanned through
 * /proc/self/mem — what a core dump would hold — before and after.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/crypto.h"

/* Under AddressSanitizer, the shadow memory is terabytes of readable
 * NORESERVE mappings holding one metadata byte per eight bytes of the
 * program's memory: never a copy of data, and far too large to read. The
 * program's own memory, heap included, is scanned as usual. */
static bool in_shadow(unsigned long lo, unsigned long hi)
{
#if defined(__SANITIZE_ADDRESS__)
    return lo >= 0x00007fff8000UL && hi <= 0x10007fff8000UL;
#else
    (void)lo;
    (void)hi;
    return false;
#endif
}

/* Counts occurrences of needle[0..32) in readable memory, not counting the
 * needle buffer itself. */
static int scan_memory(const uint8_t *needle)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    int mem = open("/proc/self/mem", O_RDONLY);
    cr_assert(maps && mem >= 0);
    char line[512];
    int hits = 0;
    size_t cap = 1 << 20;
    uint8_t *buf = malloc(cap + 32);
    while (fgets(line, sizeof line, maps)) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[0] != 'r' ||
            strstr(line, "[vvar]") || strstr(line, "[vsyscall]") || in_shadow(lo, hi))
            continue;
        for (unsigned long at = lo; at < hi; at += cap) {
            size_t len = hi - at < cap + 31 ? hi - at : cap + 31;
            ssize_t got = pread(mem, buf, len, (off_t)at);
            if (got < 32)
                continue;
            for (ssize_t i = 0; i + 32 <= got; i++) {
                if (buf[i] != needle[0] || memcmp(buf + i, needle, 32))
                    continue;
                uintptr_t addr = (uintptr_t)(at + (unsigned long)i);
                bool ours = addr == (uintptr_t)needle ||
                            (addr >= (uintptr_t)buf && addr < (uintptr_t)buf + cap + 32);
                if (!ours)
                    hits++;
            }
        }
    }
    free(buf);
    close(mem);
    fclose(maps);
    return hits;
}

Test(crypto_keyring_wipe, dropped_account_keys_leave_no_bytes_in_memory)
{
    sl_key_t *infra;
    sl_key_create_random(&infra);
    sl_keyring_t *kr = sl_keyring_create(infra, true);
    /* The AEK, kept here only in masked form so the test's own copy is
     * not what the scan finds. */
    uint8_t masked[32], aek[32];
    sl_random_bytes(masked, sizeof masked);
    for (int i = 0; i < 32; i++)
        aek[i] = masked[i] ^ 0xA5;
    sl_keyring_put(kr, SL_SCOPE_CMK, 42, 1, aek);
    sl_wipe(aek, sizeof aek);
    /* Use it, as encryption does. */
    sl_envelope_t env;
    cr_assert_eq(sl_keyring_envelope(kr, SL_SCOPE_CMK, 42, "block", 7, &env), 0);
    sl_envelope_wipe(&env);

    uint8_t *needle = malloc(32);
    for (int i = 0; i < 32; i++)
        needle[i] = masked[i] ^ 0xA5;
    cr_expect_geq(scan_memory(needle), 1, "the scan must see the key while it is held");
    sl_keyring_drop_scope(kr, SL_SCOPE_CMK);
    cr_expect(!sl_keyring_has(kr, SL_SCOPE_CMK, 42));
    cr_expect_eq(scan_memory(needle), 0, "the account key is still in memory after revocation");
    sl_wipe(needle, 32);
    free(needle);
    sl_keyring_destroy(kr);
    sl_key_destroy(infra);
}
