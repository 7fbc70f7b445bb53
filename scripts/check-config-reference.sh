#!/bin/sh
# The README's configuration reference must be exactly what sealogd
# generates from its settings table (sealogd --print-config-reference).
set -eu
sealogd=$1; readme=$2
expected=$(mktemp); actual=$(mktemp)
trap 'rm -f "$expected" "$actual"' EXIT
"$sealogd" --print-config-reference > "$expected"
sed -n '/<!-- config-reference:begin -->/,/<!-- config-reference:end -->/p' "$readme" \
    | sed '1d;$d' > "$actual"
if ! diff -u "$expected" "$actual"; then
    echo "README.md configuration reference is stale: regenerate it with"
    echo "  make readme-config"
    exit 1
fi
echo "README configuration reference matches the settings table"
