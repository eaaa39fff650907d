#!/bin/bash
# MIDI input in `hiss play`: a silent song played through a private JACK
# server into a recorder; a JACK MIDI client sends a note into hiss's
# midi_in while it plays. The recording is silent without the note and has
# sound with it (on --midi-channel, instrument 01; --midi-map moves a MIDI
# channel to another instrument). A bad map is refused with its reason.
. "$(dirname "$0")/../common/jackrec.sh"

KIT=$ROOT/samples
{
    printf 'hiss 1\ntitle "quiet"\nbpm 120\nspeed 6\nrows_per_beat 4\nswing 0\n'
    printf 'master_gain 0.0\nlimiter on\nchannels 2\n\n'
    printf 'instrument 01 "keys" sample "%s/epiano.wav"\n\n' "$KIT"
    printf 'order 00\n\npattern 00 4\n'
    for r in 0 1 2 3; do printf '%03d |... .. .. ... ...|... .. .. ... ...|\n' "$r"; done
} >"$WORK/quiet.hiss"

# play NAME [MIDI messages for jackrec midi] -- [hiss options]
play() {
    local name=$1; shift
    local msgs=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do msgs+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    spawn "$WORK/$name.rec.log" "$JACKREC" record "rec_$name" "$WORK/$name.wav" 6 2
    local rec=$SPAWN_PID
    wait_line "$WORK/$name.rec.log" '^ready' 10 || return 1
    spawn "$WORK/$name.play.log" "$HISS" play "$WORK/quiet.hiss" --seconds 3 --loop --audio jack \
        --client-name "hiss_$name" --connect "rec_$name:in_1,rec_$name:in_2" "$@"
    local player=$SPAWN_PID
    wait_line "$WORK/$name.play.log" 'playing .* through jack' 10 || return 1
    if [ ${#msgs[@]} -gt 0 ]; then
        "$JACKREC" midi "hiss_$name:midi_in" "${msgs[@]}" >"$WORK/$name.send.log" 2>&1
    fi
    wait_exit "$player" 15
    local rc=$EXIT_STATUS
    kill -TERM "$rec" 2>/dev/null
    wait_exit "$rec" 10
    cat "$WORK/$name.play.log"
    [ "$rc" = 0 ]
}

check "start a private jackd" start_jackd 256
check "hiss play runs without MIDI" play none --
check "the song alone is silent" "$JACKREC" silent "$WORK/none.wav"
if [ ! -e /dev/snd/seq ]; then
    check "hiss play says at start that there is no ALSA sequencer" \
        grep -q "no ALSA sequencer on this machine (/dev/snd/seq is missing); notes come in through JACK's midi_in port only" "$WORK/none.play.log"
fi
check "hiss play runs with a MIDI note" play note 500:90:60:127 -- --midi-channel 1
check "the client sent it" grep -qx sent "$WORK/note.send.log"
check "the note sounds in the recording" bash -c "'$JACKREC' silent '$WORK/note.wav'; test \$? = 1"
# MIDI channel 2 mapped to instrument 03, which the song lacks: nothing plays.
check "a note mapped to a missing instrument" play mapped 500:91:60:127 -- --midi-map 2:03
check "is silent" "$JACKREC" silent "$WORK/mapped.wav"

"$HISS" play "$WORK/quiet.hiss" --audio null --midi-map 2:xx >/dev/null 2>"$WORK/bad.log"
rc=$?
check "a bad --midi-map is a usage error (exit 2)" test "$rc" = 2
check "that names the entry" grep -q "MIDI map entry '2:xx' is not MIDI:INSTRUMENT\[:CHANNEL\]" "$WORK/bad.log"
finish
