# Shared by tests/integration/{jack,alsa,play}_*.sh (sourced, not run).
# Results: ok/bad/check and finish, from tests/integration/lib/results.sh.
# Every process a test starts goes through spawn, and the EXIT trap kills
# them (the JACK server included) whatever happens.
set -u
BUILD=${BUILD:-build}
HISS=${HISS:-$BUILD/hiss}
JACKREC=${JACKREC:-$BUILD/tools/jackrec}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DEMO=$ROOT/patterns/demo.hiss
. "$ROOT/tests/integration/lib/results.sh"
SPAWNED=()
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hiss_audio_test.XXXXXX")

cleanup() {
    local p
    # Clients first, and given a moment to close: jackd told to stop while
    # a client lies dead writes to its socket and dies of SIGPIPE, and a
    # jackd that dies unstopped keeps its registry slot (jackd_pool.sh).
    for p in "${SPAWNED[@]}"; do
        [ "$p" = "$JACKD_PID" ] || kill -TERM "$p" 2>/dev/null
    done
    for p in "${SPAWNED[@]}"; do
        [ "$p" = "$JACKD_PID" ] || wait_exit "$p" 2 || kill -9 "$p" 2>/dev/null
    done
    sleep 0.2
    stop_jackd
    { wait; } 2>/dev/null
    # Semaphores of clients that outlived a killed server (this test's only).
    [ -n "${JACK_DEFAULT_SERVER:-}" ] && rm -f /dev/shm/jack_sem.*_"$JACK_DEFAULT_SERVER"_*
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# spawn LOG COMMAND...: runs it in the background; its pid is in $SPAWN_PID.
spawn() {
    local log=$1; shift
    "$@" >"$log" 2>&1 </dev/null &
    SPAWN_PID=$!
    SPAWNED+=("$SPAWN_PID")
}

# wait_line FILE REGEX SECONDS: until FILE has a line matching REGEX.
wait_line() {
    local i
    for ((i = 0; i < $3 * 20; i++)); do
        grep -qE "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

# wait_exit PID SECONDS: until the process is gone (then its status is in
# $EXIT_STATUS when it was our child).
wait_exit() {
    local i
    for ((i = 0; i < $2 * 20; i++)); do
        if ! kill -0 "$1" 2>/dev/null; then
            { wait "$1"; } 2>/dev/null
            EXIT_STATUS=$?
            return 0
        fi
        sleep 0.05
    done
    return 1
}

# start_jackd PERIOD [RATE [SERVER_OPTION...]]: a private dummy-driver
# server named from the pool (jackd_pool.sh); never realtime. The options
# go to jackd itself (e.g. -S -t MS). A restart keeps the server's name.
source "$ROOT/tests/common/jackd_pool.sh"
JACKD_PID=
start_jackd() {
    local period=$1 rate=${2:-48000}
    shift $(($# < 2 ? $# : 2))
    jackd_pool_start "$JACKREC" "$WORK/jackd.log" --no-realtime "$@" -- \
        -r "$rate" -p "$period" || return 1
    JACKD_PID=$JACKD_POOL_PID
    SPAWNED+=("$JACKD_PID")
}

# After a test killed its server with SIGKILL: start and stop one of the
# same name, which takes the stale registry entry back.
reap_jackd() {
    start_jackd 1024 >/dev/null 2>&1
    stop_jackd
}

stop_jackd() {
    [ -n "$JACKD_PID" ] || return 0
    kill "${1:--TERM}" "$JACKD_PID" 2>/dev/null
    wait_exit "$JACKD_PID" 5 || { kill -9 "$JACKD_PID" 2>/dev/null; wait_exit "$JACKD_PID" 5; }
    JACKD_PID=
}

# xruns_in LOG: the count hiss reported when it stopped (0 when none).
xruns_in() {
    sed -nE 's/.*stopped after .* ([0-9]+) xruns?$/\1/p' "$1" | tail -1 | grep . || echo 0
}
