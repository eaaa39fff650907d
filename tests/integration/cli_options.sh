#!/bin/bash
# The command line from the outside: --version and its licence.
set -u
HISS=${HISS:-build/hiss}
case $HISS in /*) ;; *) HISS=$PWD/$HISS ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/integration/lib/results.sh"

version=$("$HISS" --version)
check "--version exits 0" bash -c "'$HISS' --version >/dev/null"
check "--version names hiss and its version" \
    grep -qE '^hiss [0-9]+\.[0-9]+\.[0-9]+$' <<<"$(head -1 <<<"$version")"
check "--version names the MIT licence" grep -q 'MIT licence' <<<"$version"
check "--version names the copyright holders and year" \
    grep -q 'Copyright (c) 2026 the hiss authors' <<<"$version"
check "-V says the same" test "$("$HISS" -V)" = "$version"
check "LICENSE holds the MIT text with the same holders" bash -c \
    "head -1 '$ROOT/LICENSE' | grep -qx 'MIT License' &&
     grep -qx 'Copyright (c) 2026 the hiss authors' '$ROOT/LICENSE'"

finish
