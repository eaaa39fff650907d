#!/bin/bash
# The runners count honestly: tests/run.sh and tests/check.sh fed fake
# parts and stages whose true totals are known, including the ways a part
# can lie (a crash before its result line, a non-zero exit under a clean
# result line, a result line that is not the last one printed).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib/results.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

part() { # part NAME BODY: a fake test binary
    printf '#!/bin/bash\n%s\n' "$2" >"$T/$1"
    chmod +x "$T/$1"
}
part good 'echo "ok   a"; echo "ok   b"; echo "2 passed, 0 failed"'
part failing 'echo "ok   a"; echo "FAIL b"; echo "1 passed, 1 failed"; exit 1'
part crashes 'echo "ok   a"; kill -SEGV $$'
part lies 'echo "3 passed, 0 failed"; exit 1'
part early 'echo "5 passed, 0 failed"; echo "FAIL late"; echo "0 passed, 1 failed"; exit 1'

RUN_NO_RECLAIM=1 BUILD=build tests/run.sh "$T/good" "$T/failing" "$T/crashes" "$T/lies" \
    "$T/early" >"$T/run.out" 2>&1
rc=$?
sed 's/^/    | /' "$T/run.out" | tail -3
# good 2+0, failing 1+1, crashes 0+1, lies 3+1, early 0+1 (its last line).
check "run.sh: the total counts every part, the liars as failures" \
    test "$(tail -1 "$T/run.out")" = "6 passed, 4 failed"
check "run.sh: and exits non-zero" test "$rc" != 0
check "run.sh: it names the failing parts" \
    grep -qx "failing: failing crashes lies early" "$T/run.out"
RUN_NO_RECLAIM=1 BUILD=build tests/run.sh "$T/good" >"$T/run1.out" 2>&1
check "run.sh: all good is 0 failed and exit 0" \
    bash -c "[ \$? = 0 ] && [ \"\$(tail -1 '$T/run1.out')\" = '2 passed, 0 failed' ]"

# Two lanes: the same totals and names, each part printed once and whole,
# and the lanes really run side by side: `server_side` (matched as a
# server part) and `other_side` each wait for the other's mark, so they
# both pass only if they run at the same time.
part server_side "touch $T/server.mark; for _ in \$(seq 100); do [ -e $T/other.mark ] && { echo 'ok   met'; echo '1 passed, 0 failed'; exit 0; }; sleep 0.1; done; echo '0 passed, 1 failed'"
part other_side "touch $T/other.mark; for _ in \$(seq 100); do [ -e $T/server.mark ] && { echo 'ok   met'; echo '1 passed, 0 failed'; exit 0; }; sleep 0.1; done; echo '0 passed, 1 failed'"
RUN_LANES=2 SERVER_PARTS='^(server_side|failing|lies)$' RUN_NO_RECLAIM=1 BUILD=build \
    tests/run.sh "$T/good" "$T/failing" "$T/crashes" "$T/server_side" "$T/lies" \
    "$T/other_side" "$T/early" >"$T/lanes.out" 2>&1
rc=$?
check "run.sh, two lanes: the same total" \
    test "$(tail -1 "$T/lanes.out")" = "8 passed, 4 failed"
check "run.sh, two lanes: the failing parts in their own order" \
    grep -qx "failing: failing crashes lies early" "$T/lanes.out"
check "run.sh, two lanes: exits non-zero" test "$rc" != 0
check "run.sh, two lanes: each part printed once" \
    test "$(grep -c '^== ' "$T/lanes.out")" = 7
check "run.sh, two lanes: a part's output stays in one piece" \
    bash -c "grep -A1 -x '== crashes' '$T/lanes.out' | grep -qx 'ok   a'"
check "run.sh, two lanes: they run side by side" \
    bash -c "[ \$(grep -cx 'ok   met' '$T/lanes.out') = 2 ]"

# check.sh with a make that prints known stages: the plain stage, a
# sanitizer stage re-running two of its parts plus one of its own, a stage
# that dies before its result line, and the fuzz stage.
cat >"$T/make" <<'MAKE'
#!/bin/bash
case $2 in
test) printf '== test_a\n4 passed, 0 failed\n== test_b\n2 passed, 1 failed\nfailing: test_b\n6 passed, 1 failed\n'; exit 1 ;;
test-san) printf '== test_a\n4 passed, 0 failed\n== test_b\n3 passed, 0 failed\n7 passed, 0 failed\n' ;;
tsan) printf '== test_b\n3 passed, 0 failed\n== test_tsan_race\n2 passed, 0 failed\n5 passed, 0 failed\n' ;;
fuzz) printf 'building...\n'; exit 2 ;;
esac
MAKE
chmod +x "$T/make"
MAKE="$T/make" tests/check.sh >"$T/check.out" 2>&1
rc=$?
sed 's/^/    | /' "$T/check.out" | tail -4
# Distinct: test 6+1, test_tsan_race 2, fuzz 0+1. Re-runs: 7 + 3.
check "check.sh: distinct checks counted once" \
    grep -qx "distinct checks: 8 passed, 2 failed" "$T/check.out"
check "check.sh: sanitizer re-runs apart" \
    grep -qx "the same checks again under ASan+UBSan or TSan: 10 passed, 0 failed" "$T/check.out"
check "check.sh: the total, with a stage that died counted as a failure" \
    grep -qE "^18 passed, 2 failed \(10 distinct checks, 10 sanitizer re-runs of them\)$" \
    "$T/check.out"
check "check.sh: and exits non-zero" test "$rc" != 0
check "check.sh: the last lines name the failing part of each stage" \
    grep -qx "failed in make test: test_b" "$T/check.out"
check "check.sh: and a stage that died without naming one" \
    grep -qx "failed in make fuzz FUZZ_SECONDS=10: (exit 2; no part named, see above)" "$T/check.out"
check "check.sh: a stage that passed is not named" \
    bash -c "! grep -q 'failed in make test-san' '$T/check.out'"
finish
