# Sourced by the callgrind benches: callgrind_prepare NAME PROGRAM checks
# that valgrind and PROGRAM are there (saying why there is no figure when
# not: exits 0 without valgrind, 1 without the program) and makes $dir, a
# scratch folder removed on exit unless KEEP_CALLGRIND is set.
callgrind_prepare() {
    if ! command -v valgrind >/dev/null 2>&1; then
        echo "$1: valgrind is not installed; no figure"
        exit 0
    fi
    if [ ! -x "$2" ]; then
        echo "$1: $2 is missing (make $2); no figure"
        exit 1
    fi
    dir=$(mktemp -d "${TMPDIR:-/tmp}/hiss-$1.XXXXXX") || exit 1
    [ -n "${KEEP_CALLGRIND:-}" ] || trap 'rm -rf "$dir"' EXIT
}
