#!/bin/bash
# The master limiter's lookahead reported as JACK port latency: while the
# song's limiter is on, hiss's output ports carry a capture latency of the
# lookahead (72 frames at 48 kHz, 1.5 ms) and its MIDI input a playback
# latency that much longer than the outputs', as read by another JACK
# client (jack_lsp -l); with the limiter off both are the plain figures.
# hiss first reports 0 (no period rendered yet), so reading 72 also shows
# the graph's latencies being worked out again when the engine's changed.
. "$(dirname "$0")/../common/jackrec.sh"

needs jack_lsp

RATE=48000
mkdir -p "$WORK/songs"
song() { # song FILE on|off
    {
        printf 'hiss 1\ntitle "late"\nbpm 120\nspeed 6\nrows_per_beat 4\nswing 0\n'
        printf 'master_gain 0.0\nlimiter %s\nchannels 1\n\norder 00\n\npattern 00 4\n' "$2"
        for row in 000 001 002 003; do printf '%s |... .. .. ... ...|\n' "$row"; done
    } >"$1"
}
song "$WORK/songs/on.hiss" on
song "$WORK/songs/off.hiss" off

# range PORT KIND: "min max" of the port's capture or playback latency.
range() {
    jack_lsp -l "$1" 2>/dev/null |
        sed -nE "s/.*$2 latency = \[ *([0-9]+) +([0-9]+) *\].*/\1 \2/p" | head -1
}
# wait_range PORT KIND WANT: until the port reports WANT ("min max").
wait_range() {
    local i got
    for ((i = 0; i < 100; i++)); do
        got=$(range "$1" "$2")
        [ "$got" = "$3" ] && return 0
        sleep 0.1
    done
    echo "    $1 $2 latency: '$got', wanted '$3'"
    return 1
}

check "start a private jackd at 48 kHz (period 256)" start_jackd 256 "$RATE"
for mode in on off; do
    spawn "$WORK/$mode.log" "$HISS" play "$WORK/songs/$mode.hiss" --loop --seconds 8 \
        --client-name "late_$mode" --audio jack
    pid=$SPAWN_PID
    check "limiter $mode: hiss plays" wait_line "$WORK/$mode.log" "through jack at $RATE Hz" 10
    want=$([ $mode = on ] && echo 72 || echo 0)
    check "limiter $mode: out_L's capture latency is $want frames" \
        wait_range "late_$mode:out_L" capture "$want $want"
    check "limiter $mode: out_R's too" wait_range "late_$mode:out_R" capture "$want $want"
    read -r out_min out_max < <(range "late_$mode:out_L" playback)
    check "limiter $mode: midi_in's playback latency is the outputs' ($out_min) + $want" \
        wait_range "late_$mode:midi_in" playback "$((out_min + want)) $((out_max + want))"
    kill -TERM "$pid"
    wait_exit "$pid" 10
done
stop_jackd
finish
