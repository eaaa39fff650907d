#!/bin/bash
# The test servers' housekeeping (tests/common/jackd_pool.sh): a JACK
# server killed with SIGKILL keeps its slot in libjack's registry of eight,
# machine-wide. A pool name whose server died is taken back when the pool
# starts a server, and jackd_reclaim_stale takes back any other name of
# this user, so killed servers never pile up until no test server starts.
. "$(dirname "$0")/../common/jackrec.sh"
REGISTRY=/dev/shm/jack-shm-registry

registered() { grep -aqE "jack-$(id -u):$1:" "$REGISTRY" 2>/dev/null; }

# kill_hard NAME: a server of that name that dies without a word.
kill_hard() {
    JACK_DEFAULT_SERVER=$1 jackd --no-realtime -n "$1" -d dummy -r 48000 -p 1024 \
        >"$WORK/hard.log" 2>&1 </dev/null &
    local pid=$!
    JACK_DEFAULT_SERVER=$1 "$JACKREC" wait-server 10 >/dev/null 2>&1
    kill -9 "$pid"
    wait "$pid" 2>/dev/null
}

stray=hissstray_$$
kill_hard "$stray"
check "a server killed hard stays registered" registered "$stray"
kill_hard "${JACKD_POOL_NAMES[0]}"
check "so does a pool name" registered "${JACKD_POOL_NAMES[0]}"

check "the pool starts a server" start_jackd 1024
check "under the stale pool name, taking its slot back" \
    test "$JACK_DEFAULT_SERVER" = "${JACKD_POOL_NAMES[0]}"
stop_jackd
check "stopped gently, it leaves the registry" \
    eval '! registered "${JACKD_POOL_NAMES[0]}"'

jackd_reclaim_stale "$JACKREC"
check "reclaiming takes back a name outside the pool" eval '! registered "$stray"'

check "a live server is left alone by reclaiming" start_jackd 1024
jackd_reclaim_stale "$JACKREC"
check "   (still running)" kill -0 "$JACKD_PID"
check "   (still taking clients)" "$JACKREC" wait-server 1
rm -f /dev/shm/jack_sem.*_"$stray"_*
finish
