#!/bin/sh
# Replaces the configuration reference block in README.md with the output
# of `sealogd --print-config-reference`.
set -eu
sealogd=$1; readme=$2
ref=$(mktemp); out=$(mktemp)
trap 'rm -f "$ref" "$out"' EXIT
"$sealogd" --print-config-reference > "$ref"
awk -v ref="$ref" '
    /<!-- config-reference:begin -->/ { print; while ((getline l < ref) > 0) print l; skip=1; next }
    /<!-- config-reference:end -->/ { skip=0 }
    !skip { print }' "$readme" > "$out"
cp "$out" "$readme"
echo "updated $readme"
