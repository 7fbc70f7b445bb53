#!/bin/sh
# Installs the Debian packages listed in packages.txt that are missing, and the
# npm packages the integration tests use (tests/integration/js). Idempotent: on
# a machine that has everything it only checks, and prints nothing.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

missing=""
for p in $(grep -v '^#' packages.txt | tr -s ' \n' ' '); do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Node 20 may come from a vendor package that also provides npm; only ask
# Debian for Node when the commands are absent.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"

if [ -n "$missing" ]; then
    echo "deps: installing:$missing"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
    # shellcheck disable=SC2086
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

# npm packages for the SDK integration tests, pinned by the committed lock file.
js="$top/tests/integration/js"
if [ -f "$js/package-lock.json" ]; then
    stamp="$js/node_modules/.sealog-lock"
    if [ ! -f "$stamp" ] || ! cmp -s "$js/package-lock.json" "$stamp"; then
        echo "deps: npm ci in tests/integration/js"
        (cd "$js" && npm ci --no-audit --no-fund --loglevel=error)
        cp "$js/package-lock.json" "$stamp"
    fi
fi
