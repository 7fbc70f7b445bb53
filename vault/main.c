/*
 * sealog-vault entry point. Exit codes: 0 success, 1 start-up failure or a
 * refused client request, 2 bad flags or arguments, 3 vault unreachable.
 */
#include <unistd.h>

#include "vault/vault.h"

int main(int argc, char **argv)
{
    return sl_vault_main(argc, argv, STDOUT_FILENO, STDERR_FILENO);
}
