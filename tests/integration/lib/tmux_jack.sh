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

# midi_in MESSAGE...: a JACK MIDI client sends jackrec midi's
# MS:STATUS:KEY:VALUE messages to the editor's midi_in.
midi_in() {
    "$JACKREC" midi hiss:midi_in "$@" >"$TMP/midi_in.log" 2>&1 &&
        grep -qx sent "$TMP/midi_in.log"
}
# midi_in_shows RE MESSAGE...: sends the messages until RE shows, three
# times at most: a message in a period the loaded server skipped (an
# xrun) is lost on the way, and that is not what is under test.
midi_in_shows() {
    local re=$1 i
    shift
    for i in 1 2 3; do
        midi_in "$@" && wait_re "$re" && return 0
    done
    return 1
}
# kick_song FILE ROW [WORDS]: a two-channel song of one 16-row pattern at
# 125 BPM whose every row is ROW (the cells after "NNN |"), with the
# kit's kick as instrument 01 (WORDS added to its line).
kick_song() {
    local r
    {
        printf 'hiss 1\ntitle "kick"\nbpm 125\nspeed 6\nrows_per_beat 4\nswing 0\n'
        printf 'master_gain 0.0\nlimiter on\nchannels 2\n\n'
        printf 'instrument 01 "kick" sample "%s/samples/kick.wav" %s\n\n' "$(pwd)" "${3:-}"
        printf 'order 00\n\npattern 00 16\n'
        for r in $(seq 0 15); do
            printf '%03d |%s\n' "$r" "$2"
        done
    } >"$1"
}
