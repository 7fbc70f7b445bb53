#!/bin/sh
# Runs every fuzz target in BUILD_DIR/tests/fuzz for SECONDS each, starting
# from the committed seed corpus (copied, so runs never dirty the tree).
set -eu
build=$1; secs=$2
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
# Undefined behaviour is a finding like a crash: stop at the first report.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1"
for bin in "$build"/tests/fuzz/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin")
    mkdir -p "$work/$name"
    [ -d "$top/tests/fuzz/corpus/$name" ] && cp -r "$top/tests/fuzz/corpus/$name/." "$work/$name/"
    echo "fuzz: $name for ${secs}s"
    if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
         -artifact_prefix="$work/" "$work/$name" > "$work/$name.log" 2>&1; then
        echo "fuzz: $name FAILED"; tail -50 "$work/$name.log"; status=1
        ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null | while read -r f; do
            echo "reproducer: $f"; od -c "$f" | head -20; done
    else
        grep -E "^Done [0-9]+ runs" "$work/$name.log" | tail -1 || tail -1 "$work/$name.log"
    fi
done
exit $status
