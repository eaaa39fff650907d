#!/bin/bash
# `make check`: every test stage in turn (plain, ASan+UBSan, TSan stress,
# a short fuzz), each ending with "N passed, N failed"; the last line adds
# them all up so one line tells the whole story.
set -u
MAKE=${MAKE:-make}
stages=("test" "test-san" "tsan" "fuzz FUZZ_SECONDS=${CHECK_FUZZ_SECONDS:-20}")
pass=0
fail=0
for stage in "${stages[@]}"; do
    log=$(mktemp)
    echo "=== make $stage"
    # shellcheck disable=SC2086
    $MAKE --no-print-directory $stage 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
    rm -f "$log"
    if [ -z "$line" ]; then
        echo "!! make $stage ended (exit $rc) without a result line"
        fail=$((fail + 1))
        continue
    fi
    p=$(echo "$line" | awk '{print $1}')
    f=$(echo "$line" | awk '{print $3}')
    pass=$((pass + p))
    fail=$((fail + f))
    [ "$rc" != 0 ] && [ "$f" = 0 ] && fail=$((fail + 1))
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
