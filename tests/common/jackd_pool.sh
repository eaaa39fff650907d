# Private JACK servers for test scripts (sourced, not run).
#
# libjack keeps a registry of servers (/dev/shm/jack-shm-registry) with
# eight slots for the whole machine. A server that dies without SIGTERM (a
# test that kills it on purpose, a run that was cut off) leaves its slot
# taken, and libjack gives the slot back only when a server of the same name
# starts again. So every test server takes its name from one fixed pool,
# shared with tests/common/jackrec.c: a stale slot left by one run is taken
# back by the next, instead of piling up until no server can start.
JACKD_POOL_NAMES=(hisstest0 hisstest1 hisstest2 hisstest3 hisstest4 hisstest5 hisstest6 hisstest7)
JACKD_POOL_NAME=
JACKD_POOL_PID=

# jackd_pool_start JACKREC LOG SERVER_OPTION... -- DRIVER_OPTION...
# Starts `jackd SERVER_OPTIONS -n NAME -d dummy DRIVER_OPTIONS` under the
# first pool name that comes up (a name whose server is alive, or a full
# registry, makes jackd exit at once; the next name may take a stale slot
# back). A restart keeps the name it had, so clients find it again. Sets
# JACK_DEFAULT_SERVER, JACKD_POOL_NAME and JACKD_POOL_PID.
jackd_pool_start() {
    local jackrec=$1 log=$2; shift 2
    local server_opts=() name i
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do server_opts+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    local names=("${JACKD_POOL_NAMES[@]}")
    [ -n "$JACKD_POOL_NAME" ] && names=("$JACKD_POOL_NAME" "${names[@]}")
    for name in "${names[@]}"; do
        export JACK_DEFAULT_SERVER=$name
        # Another run's live server: the probe below would find it, not ours.
        "$jackrec" wait-server 0 >/dev/null 2>&1 && continue
        jackd "${server_opts[@]}" -n "$name" -d dummy "$@" >"$log" 2>&1 </dev/null &
        JACKD_POOL_PID=$!
        for ((i = 0; i < 200; i++)); do
            kill -0 "$JACKD_POOL_PID" 2>/dev/null || break
            # Still ours a moment later, not a server of that name that
            # came up meanwhile elsewhere while ours was on its way out.
            if "$jackrec" wait-server 0 >/dev/null 2>&1 && sleep 0.1 &&
                kill -0 "$JACKD_POOL_PID" 2>/dev/null; then
                JACKD_POOL_NAME=$name
                return 0
            fi
            sleep 0.05
        done
        if kill -0 "$JACKD_POOL_PID" 2>/dev/null; then
            kill -TERM "$JACKD_POOL_PID"
            wait "$JACKD_POOL_PID" 2>/dev/null
            echo "jackd -n $name did not come up in 10 s" >&2
            JACKD_POOL_PID=
            return 1
        fi
        wait "$JACKD_POOL_PID" 2>/dev/null
    done
    JACKD_POOL_PID=
    grep -q "Too many servers" "$log" &&
        echo "jackd: all eight slots of /dev/shm/jack-shm-registry are taken" >&2
    return 1
}

# jackd_reclaim_stale JACKREC: takes back the registry slots of this user's
# servers that died without a word, whatever their names (runs from before
# the pool existed, servers started by hand). Each registered name gets a
# server started and gently stopped: a live server of that name makes the
# new one exit at once, so nothing running is touched.
jackd_reclaim_stale() {
    local jackrec=$1 registry=/dev/shm/jack-shm-registry name pid i
    [ -r "$registry" ] && command -v jackd >/dev/null || return 0
    for name in $(grep -aoE "jack-$(id -u):[A-Za-z0-9_.-]+:" "$registry" | cut -d: -f2); do
        JACK_DEFAULT_SERVER=$name jackd --no-realtime -n "$name" -d dummy \
            >/dev/null 2>&1 </dev/null &
        pid=$!
        for ((i = 0; i < 100; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            JACK_DEFAULT_SERVER=$name "$jackrec" wait-server 0 >/dev/null 2>&1 && break
            sleep 0.05
        done
        kill -TERM "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    return 0
}
