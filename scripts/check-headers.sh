#!/bin/sh
# STYLE.md rule 3: a module's public header is the only header other modules
# include, and third-party headers stay inside the module that wraps them.
set -eu
cd "$(dirname "$0")/.."
fail=0
check() { # pattern allowed-dirs...
    pat=$1; shift
    for f in $(grep -rlE "#include <$pat" --include='*.c' --include='*.h' \
               common config crypto store ingest query cache node cli vault bench 2>/dev/null); do
        ok=0
        for d in "$@"; do case "$f" in "$d"/*) ok=1 ;; esac; done
        if [ $ok -eq 0 ]; then echo "header rule: $f includes <$pat...>"; fail=1; fi
    done
}
check 'lmdb\.h' store cache
# bench/ holds separate programs (sealog-load drives TLS over memory BIOs).
check 'openssl/' crypto vault bench
check 'h2o' node vault
check 'pcre2' query
check 'zstd\.h' store cache ingest
# Cross-module includes must name the public header: "mod/mod.h". The one
# exception: a benchmark of a module's internals, bench/bench_<mod>_*.c, may
# include <mod>/<mod>_int.h, as that module's unit tests do (rule 10).
for f in $(grep -rlE '#include "[a-z]+/[a-z_]+\.h"' --include='*.c' --include='*.h' \
           common config crypto store ingest query cache node cli vault bench 2>/dev/null); do
    mod=${f%%/*}
    grep -oE '#include "[a-z]+/[a-z_]+\.h"' "$f" | sed 's/#include "//;s/"$//' | while read -r inc; do
        imod=${inc%%/*}; base=${inc#*/}
        case "$f" in
            bench/bench_"$imod"_*.c) [ "$base" = "${imod}_int.h" ] && continue ;;
        esac
        if [ "$imod" != "$mod" ] && [ "$base" != "$imod.h" ]; then
            echo "header rule: $f includes $inc (another module's internal header)"; exit 1
        fi
    done || fail=1
done
[ $fail -eq 0 ] && echo "header rules hold"
exit $fail
