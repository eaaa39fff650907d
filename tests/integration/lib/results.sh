# Results for integration scripts (sourced, not run): ok/bad/check record
# one line each, finish prints "N passed, N failed" and sets the exit status.
pass=0
fail=0
# ok NAME; bad NAME [WHY]
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ $# -gt 1 ] && echo "     $2"; return 0; }
# check NAME COMMAND...: passes when the command succeeds. A script that
# can show more on a failure (the editor's screen) defines check_failed_show.
check() {
    local name=$1
    shift
    if "$@"; then
        ok "$name"
    else
        bad "$name" "failed: $*"
        if declare -F check_failed_show >/dev/null; then check_failed_show; fi
    fi
}
# needs TOOL...: a missing tool ends the script as one failure that says
# so, instead of failures that look like hiss's.
needs() {
    local tool
    for tool; do
        command -v "$tool" >/dev/null && continue
        bad "$(basename "$0") needs $tool (make deps installs it)"
        finish
        exit 1
    done
}
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" = 0 ]
}
