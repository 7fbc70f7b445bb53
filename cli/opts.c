/*
 * Option parsing shared by the commands: `--name value` and `--name=value`,
 * and the one-line usage error every command prints the same way.
 */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("sealog: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs(" (see sealog --help)\n", stderr);
    va_end(ap);
}

const char *cli_opt(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        cli_usage_error("option %s needs a value", name);
        exit(CLI_ERR_USAGE);
    }
    return argv[++*i];
}
