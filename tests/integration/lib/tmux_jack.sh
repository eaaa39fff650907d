# For editor scripts that run their own JACK server (sourced after
# tmux_ui.sh): a private dummy-driver jackd from the pool, stopped with
# the tmux server when the script ends.
unset HISS_AUDIO
JACKD_PID=
cleanup() {
    T kill-server 2>/dev/null
    [ -n "$JACKD_PID" ] && kill "$JACKD_PID" 2>/dev/null && wait "$JACKD_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
source "$(dirname "${BASH_SOURCE[0]}")/../../common/jackd_pool.sh"
JACKREC=$(dirname "$HISS")/tools/jackrec
# start_jackd [PERIOD]: 48 kHz, 256 frames unless told.
start_jackd() {
    jackd_pool_start "$JACKREC" "$TMP/jackd.log" --no-realtime -- -r 48000 \
        -p "${1:-256}" || return 1
    JACKD_PID=$JACKD_POOL_PID
}
stop_jackd() {
    kill "$JACKD_PID" 2>/dev/null
    wait "$JACKD_PID" 2>/dev/null
    JACKD_PID=
}
