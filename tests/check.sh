#!/bin/bash
# `make check`: every test stage in turn (plain, ASan+UBSan, TSan, a short
# fuzz), each ending with "N passed, N failed" over all of its binaries and
# scripts (tests/run.sh counts each one; a stage that ends without that
# line counts as a failure). The last lines add them up and say how many
# of the results are distinct checks and how many are the same checks run
# again under a sanitizer: a part of a sanitizer stage that also ran in the
# plain stage (same binary or script name) is a re-run; the rest
# (test_tsan_race, the fuzz targets) are checks of their own.
set -u
MAKE=${MAKE:-make}
source tests/common/result_counts.sh
# stage command, and whether it re-runs the plain stage's checks
# The fuzz stage is a smoke run (10 s a target) that keeps the whole check
# under 40 minutes; `make fuzz` alone runs each target for a minute.
stages=("test" "test-san" "tsan" "fuzz FUZZ_SECONDS=${CHECK_FUZZ_SECONDS:-10}")
sanitizer_stage=(no yes yes no)
pass=0
fail=0
distinct_pass=0
distinct_fail=0
rerun_pass=0
rerun_fail=0
# Each stage's build compiles a file a core (CHECK_JOBS; a `make -jN check`
# keeps its own N): one file after another, the three builds (some 7 of
# the check's 45 minutes on two cores) left one core idle.
case " ${MAKEFLAGS:-} " in
*" -j"* | *--jobserver*) jobs=() ;;
*) jobs=("-j${CHECK_JOBS:-$(nproc 2>/dev/null || echo 2)}") ;;
esac
plain_parts=$(mktemp)
trap 'rm -f "$plain_parts"' EXIT
# Each failing stage and the parts it named (tests/run.sh's "failing:"
# line), said again at the end: a CI log is often read from its last lines
# only, and what failed must be there.
failing=()

# parts LOG: "NAME PASSED FAILED" for each "== NAME" section tests/run.sh
# printed (its last result line; none = 0 passed, 1 failed).
parts() {
    awk '
        function flush() { if (name != "") print name, p, f }
        /^== / { flush(); name = $2; p = 0; f = 1; next }
        /^[0-9]+ passed, [0-9]+ failed/ { if (name != "") { p = $1; f = $3 } }
        END { flush() }' "$1"
}

# The plain stage's build first; then, while its tests run, the sanitizer
# stages' builds (ASan+UBSan, then TSan) beside them, at the lowest
# priority, one file at a time: those tests spend most of their time
# waiting on the clock (playback in real time), so the builds leave the
# check's path (some 3 of its minutes on two cores). The sanitizer stages
# wait for them and build whatever they did not; a failed build shows
# again there, in the stage's own log.
$MAKE --no-print-directory test-build "${jobs[@]}"
side_log=$(mktemp)
(nice -n 19 $MAKE --no-print-directory SAN=1 test-build &&
    nice -n 19 $MAKE --no-print-directory tsan-build) >"$side_log" 2>&1 &
side_pid=$!

for i in "${!stages[@]}"; do
    stage=${stages[$i]}
    if [ -n "$side_pid" ] && [ "$stage" != test ]; then
        wait "$side_pid"
        side_rc=$?
        echo "=== the sanitizer builds beside the plain tests: exit $side_rc"
        [ "$side_rc" = 0 ] || tail -n 20 "$side_log"
        rm -f "$side_log"
        side_pid=
    fi
    log=$(mktemp)
    echo "=== make $stage"
    # shellcheck disable=SC2086
    $MAKE --no-print-directory $stage "${jobs[@]}" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    result_counts "$log" "$rc" ||
        echo "!! make $stage ended (exit $rc) without a result line"
    pass=$((pass + p))
    fail=$((fail + f))
    if [ "$f" != 0 ]; then
        named=$(grep -E '^failing: ' "$log" | sed 's/^failing: //' | paste -sd' ')
        failing+=("make $stage: ${named:-(exit $rc; no part named, see above)}")
    fi
    # Which of this stage's results re-run a plain-stage check.
    rp=0
    rf=0
    if [ "${sanitizer_stage[$i]}" = yes ]; then
        while read -r name pp pf; do
            if grep -qxF "$name" "$plain_parts"; then
                rp=$((rp + pp))
                rf=$((rf + pf))
            fi
        done < <(parts "$log")
        # Never more than the stage's own total (a part cut off mid-way).
        [ "$rp" -gt "$p" ] && rp=$p
        [ "$rf" -gt "$f" ] && rf=$f
    fi
    [ "$stage" = test ] && parts "$log" | awk '{print $1}' >"$plain_parts"
    rerun_pass=$((rerun_pass + rp))
    rerun_fail=$((rerun_fail + rf))
    distinct_pass=$((distinct_pass + p - rp))
    distinct_fail=$((distinct_fail + f - rf))
    rm -f "$log"
done
for what in "${failing[@]}"; do
    echo "failed in $what"
done
echo "distinct checks: $distinct_pass passed, $distinct_fail failed"
echo "the same checks again under ASan+UBSan or TSan: $rerun_pass passed, $rerun_fail failed"
echo "$pass passed, $fail failed ($((distinct_pass + distinct_fail)) distinct checks," \
    "$((rerun_pass + rerun_fail)) sanitizer re-runs of them)"
[ "$fail" = 0 ]
