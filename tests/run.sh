#!/bin/bash
# Runs every unit/property test binary and every integration script (or,
# given arguments, just those binaries and scripts), then prints the total
# as the last line. Each part ends with "N passed, N failed"; a part that
# ends without that line, or exits non-zero with no failure counted, counts
# as one failure.
#
# Two lanes (RUN_LANES=2): the parts that play
# through a sound server in real time (JACK, ALSA, PipeWire: named by
# SERVER_PARTS, or a script that starts a JACK server of its own) run one
# after another in one lane, everything else in the other. Those parts spend most of their time waiting for the clock, so the
# whole run takes about half as long on two cores, and no two of them ever
# play at once. Each part's output is printed whole when it ends.
set -u
BUILD=${BUILD:-build}
export HISS=${HISS:-$BUILD/hiss}
SERVER_PARTS=${SERVER_PARTS:-'^(pipewire|jack_.*|alsa_.*|ui_jack.*|ui_ports|play_.*|ui_reference)\.sh$|^test_(audio.*|play_clock|midi_jack|take_.*)$'}
RESULTS=$(mktemp -d)
trap 'rm -rf "$RESULTS"' EXIT

# run_part INDEX NAME COMMAND...: runs one part, prints its output and time
# in one piece, and leaves "INDEX NAME PASSED FAILED" in the results.
run_part() {
    local index=$1 name=$2; shift 2
    local log=$RESULTS/$index.log
    local started=$SECONDS
    "$@" >"$log" 2>&1
    local rc=$?
    local elapsed=$((SECONDS - started))
    local p f counted=yes
    result_counts "$log" "$rc" || counted=
    {
        echo "== $name"
        cat "$log"
        # How long each part took, so a slow or stalled one shows in CI's log.
        echo "-- $name: $elapsed s"
        [ -n "$counted" ] || echo "!! $name ended (exit $rc) without a result line"
    } >"$log.out"
    # One part's output at a time, whichever lane finishes it.
    flock "$RESULTS/print.lock" cat "$log.out"
    echo "$index $name $p $f" >>"$RESULTS/lane.$BASHPID"
    rm -f "$log" "$log.out"
}

# Registry slots of JACK servers that died unstopped (see jackd_pool.sh)
# would otherwise keep the tests' own servers from starting.
# (RUN_NO_RECLAIM: for runners.sh, whose fake parts start no server.)
source tests/common/jackd_pool.sh
source tests/common/result_counts.sh
[ -n "${RUN_NO_RECLAIM:-}" ] || jackd_reclaim_stale "$BUILD/tools/jackrec"

parts=()
if [ $# -gt 0 ]; then
    parts=("$@")
    lanes=${RUN_LANES:-1}
else
    for t in "$BUILD"/tests/test_*; do
        [ -x "$t" ] && parts+=("$t")
    done
    for s in tests/integration/*.sh; do
        [ -f "$s" ] && parts+=("$s")
    done
    lanes=${RUN_LANES:-1}
fi

# starts_a_server PART: a script that starts a JACK server (through
# tests/common/jackd_pool.sh, jackrec.sh's start_jackd or tmux_jack.sh).
starts_a_server() {
    case $1 in
    *.sh) grep -qE 'jackd_pool_start|start_jackd|tmux_jack\.sh' "$1" ;;
    *) return 1 ;;
    esac
}

# run_lane WHICH: the parts of one lane (server, other or all), in order.
run_lane() {
    local which=$1 i p name
    for i in "${!parts[@]}"; do
        p=${parts[$i]}
        name=$(basename "$p")
        if [ "$which" != all ]; then
            if [[ $name =~ $SERVER_PARTS ]] || starts_a_server "$p"; then
                [ "$which" = server ] || continue
            else
                [ "$which" = other ] || continue
            fi
        fi
        case $p in
        *.sh) run_part "$i" "$name" bash "$p" ;;
        *) run_part "$i" "$name" "$p" ;;
        esac
    done
}

if [ "$lanes" -ge 2 ]; then
    run_lane server &
    run_lane other &
    wait
else
    run_lane all
fi

total_pass=0
total_fail=0
failed_parts=()
# In the parts' own order, whichever lane ran them.
while read -r _ name p f; do
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    [ "$f" != 0 ] && failed_parts+=("$name")
done < <(cat "$RESULTS"/lane.* 2>/dev/null | sort -n)

if [ ${#failed_parts[@]} -gt 0 ]; then
    echo "failing: ${failed_parts[*]}"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
