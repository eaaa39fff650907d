#!/bin/bash
# Runs every unit/property test binary and every integration script (or,
# given arguments, just those binaries and scripts), then prints the total
# as the last line. Each part ends with "N passed, N failed"; a part that
# ends without that line, or exits non-zero with no failure counted, counts
# as one failure.
set -u
BUILD=${BUILD:-build}
export HISS=${HISS:-$BUILD/hiss}
total_pass=0
total_fail=0
failed_parts=()

run_part() {
    local name=$1; shift
    local log
    log=$(mktemp)
    echo "== $name"
    local started=$SECONDS
    "$@" >"$log" 2>&1
    local rc=$?
    cat "$log"
    # How long each part took, so a slow or stalled one shows in CI's log.
    echo "-- $name: $((SECONDS - started)) s"
    local line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
    rm -f "$log"
    if [ -z "$line" ]; then
        echo "!! $name ended (exit $rc) without a result line"
        total_fail=$((total_fail + 1))
        failed_parts+=("$name")
        return
    fi
    local p f
    p=$(echo "$line" | awk '{print $1}')
    f=$(echo "$line" | awk '{print $3}')
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    if [ "$f" != 0 ] || [ "$rc" != 0 ]; then
        failed_parts+=("$name")
        [ "$f" = 0 ] && total_fail=$((total_fail + 1))
    fi
}

# Registry slots of JACK servers that died unstopped (see jackd_pool.sh)
# would otherwise keep the tests' own servers from starting.
# (RUN_NO_RECLAIM: for runners.sh, whose fake parts start no server.)
source tests/common/jackd_pool.sh
[ -n "${RUN_NO_RECLAIM:-}" ] || jackd_reclaim_stale "$BUILD/tools/jackrec"

if [ $# -gt 0 ]; then
    for p in "$@"; do
        case $p in
        *.sh) run_part "$(basename "$p")" bash "$p" ;;
        *) run_part "$(basename "$p")" "$p" ;;
        esac
    done
else
    for t in "$BUILD"/tests/test_*; do
        [ -x "$t" ] || continue
        run_part "$(basename "$t")" "$t"
    done
    for s in tests/integration/*.sh; do
        [ -f "$s" ] || continue
        run_part "$(basename "$s")" bash "$s"
    done
fi

if [ ${#failed_parts[@]} -gt 0 ]; then
    echo "failing: ${failed_parts[*]}"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
