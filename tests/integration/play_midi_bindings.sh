#!/bin/bash
# MIDI bindings in `hiss play`, as the editor has them: a hissrc binds a
# pad (note 36, MIDI channel 10) to mute channel 1, and the midi_learn
# file beside it binds pad 37 to tap the tempo. A song whose kick on every
# row never leaves a gap plays through a private JACK server into a
# recorder while a JACK MIDI client hits the pads: the recording has a
# silence while channel 1 is muted and the kick again after, the pads
# themselves make no sound, four taps 2/3 s apart set about 90 BPM, and the song
# file is left as it was.
. "$(dirname "$0")/../common/jackrec.sh"
needs python3 sox

export XDG_CONFIG_HOME=$WORK/config
mkdir -p "$XDG_CONFIG_HOME/hiss"
printf 'midi_note 10:36 mute 1\n' >"$XDG_CONFIG_HOME/hiss/hissrc"
printf 'midi_note 10:37 tap\n' >"$XDG_CONFIG_HOME/hiss/midi_learn"
{
    printf 'hiss 1\ntitle "kick"\nbpm 125\nspeed 6\nrows_per_beat 4\nswing 0\n'
    printf 'master_gain 0.0\nlimiter on\nchannels 2\n\n'
    printf 'instrument 01 "kick" sample "%s/samples/kick.wav"\n\n' "$ROOT"
    printf 'order 00\n\npattern 00 16\n'
    for r in $(seq 0 15); do printf '%03d |C-4 01 .. ... ...|... .. .. ... ...|\n' "$r"; done
} >"$WORK/kick.hiss"
cp "$WORK/kick.hiss" "$WORK/kick.before"

check "start a private jackd" start_jackd 256
spawn "$WORK/rec.log" "$JACKREC" record rec "$WORK/rec.wav" 12 2
REC=$SPAWN_PID
check "a recorder is ready" wait_line "$WORK/rec.log" '^ready' 10
spawn "$WORK/play.log" "$HISS" play "$WORK/kick.hiss" --seconds 9 --loop --audio jack \
    --connect rec:in_1,rec:in_2
PLAYER=$SPAWN_PID
check "hiss play plays through JACK" wait_line "$WORK/play.log" 'playing .* through jack' 10
check "and says it has the two bindings" \
    grep -q "MIDI: 2 bindings from the hissrc and MIDI learn" "$WORK/play.log"
# At about 1.5 s the mute pad, 2.5 s later again; then four taps.
"$JACKREC" midi hiss:midi_in 1000:99:36:100 40:89:36:0 2500:99:36:100 40:89:36:0 \
    500:99:37:100 667:99:37:100 667:99:37:100 667:99:37:100 >"$WORK/send.log" 2>&1
check "the client sent the pads" grep -qx sent "$WORK/send.log"
wait_exit "$PLAYER" 20
check "hiss play ends well" test "$EXIT_STATUS" = 0
kill -TERM "$REC" 2>/dev/null
wait_exit "$REC" 10
cat "$WORK/play.log"
check "the pad muted channel 1" grep -q "channel 1 muted" "$WORK/play.log"
check "and unmuted it" grep -q "channel 1 unmuted" "$WORK/play.log"
check "the tap pad counted its taps" grep -q "tap 3 of 4" "$WORK/play.log"
# Sent by a client that sleeps between them on a loaded machine: 90 BPM
# give or take what its wake-ups and the server's xruns move them (the
# exact timing is test_perform's).
tapped=$(sed -n 's/^hiss: \([0-9]*\) BPM$/\1/p' "$WORK/play.log" | tail -1)
echo "     four taps 2/3 s apart: ${tapped:-none} BPM"
check "four taps 2/3 s apart set about 90 BPM" test "${tapped:-0}" -ge 85 -a "${tapped:-0}" -le 95
check "the song file is left as it was" cmp -s "$WORK/kick.hiss" "$WORK/kick.before"

# Sound (the kick every 0.12 s, each 0.4 s long: no gap), a silence while
# muted (no pad sounds either), then sound again.
. "$(dirname "$0")/lib/silence.sh"
measure_silence "$WORK/rec.wav"
check "the kick plays before the mute" python3 -c "import sys; sys.exit(not ${before:-0} >= 0.5)"
check "then a silence of the muted stretch (at least 1.5 s)" \
    python3 -c "import sys; sys.exit(not ${gap:-0} >= 1.5)"
check "then the kick again once unmuted" python3 -c "import sys; sys.exit(not ${after:-0} >= 2)"
finish
