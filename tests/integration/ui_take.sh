#!/bin/bash
# Recording a take, as a user: the editor on a private JACK server, C on
# the instruments screen starts a take, a JACK client plays a known
# signal into hiss:in_L and hiss:in_R, C again stops it. The take is a
# new file beside the song holding exactly the frames played in (float,
# no gain), it lands in the first empty slot, undo takes the slot back
# and keeps the file, a second take never writes over the first, a
# threshold start leaves the silence out, a count-in and one input as a
# mono file work from the keys, a song never saved gets no
# take, and a take survives hiss being killed (last: a client killed
# mid-period can hold up the synchronous server for a while).
SOCK=hiss-ui-take-$$
. "$(dirname "$0")/../common/jackrec.sh"
. "$(dirname "$0")/lib/tmux_ui.sh"
trap 'T kill-server 2>/dev/null; cleanup' EXIT
unset HISS_AUDIO

needs jackd sox

# One second of two different tones, as float, so what comes back can be
# compared exactly.
sox -n -r 48000 -c 2 -b 32 -e floating-point "$WORK/ref.wav" synth 1 sine 440 sine 660 gain -6 2>/dev/null
check "a reference signal" [ -s "$WORK/ref.wav" ]

check "start a private jackd (synchronous)" start_jackd 256 48000 -S -t 2000
mkdir -p "$TMP/songs"
small_song "$TMP/songs/demo.hiss"
new_server
T new-session -d -s ui -x 80 -y 24 "cd '$TMP' && '$HISS' songs/demo.hiss --audio jack --no-connect; echo \"hiss exited \$?\"; sleep 60"
check "the editor runs on JACK" wait_backend JACK
check "with inputs to record from" "$JACKREC" ports 'hiss:in_[LR]'
keys C-t
check "the instruments screen" wait_for "Slot 01"
keys C
check "C starts a take beside the song" wait_re "recording demo-take\.wav: [0-9]+ s"
spawn "$WORK/play.log" "$JACKREC" play "$WORK/ref.wav" hiss:in_L hiss:in_R
check "a JACK client plays into hiss" wait_line "$WORK/play.log" '^played' 10
keys C
check "C again stops it; the take lands in slot 01" \
    wait_re "record: demo-take\.wav into slot 01 \([0-9.]+ s, [0-9]+ slices\)"
TAKE=$TMP/songs/demo-take.wav
check "the file is beside the song" [ -s "$TAKE" ]
check "it holds exactly what was played in" \
    "$JACKREC" compare "$WORK/ref.wav" "$TAKE" --tol 0 --min-frames 48000 >&2
check "the slot is named after the take" wait_re "01 demo-take\.wav"
keys C-z
check "undo empties the slot" wait_re "01 +│"
check "and keeps the file" [ -s "$TAKE" ]
keys C-y
check "redo brings it back" wait_re "01 demo-take\.wav"
stamp=$(file_stamp "$TAKE")

keys Down
keys C
check "a second take gets a name of its own" wait_re "recording demo-take-2\.wav"
keys C
check "and lands in the next empty slot" wait_re "record: demo-take-2\.wav into slot 02"
check "the first take is untouched" [ "$(file_stamp "$TAKE")" = "$stamp" ]

# A threshold start: nothing is written until the signal comes; the take
# then begins with it, the silence before it left out.
keys Down
keys V
check "V asks the level" wait_re "Record from a level \(dBFS\): -40"
keys Enter
check "and waits for it" wait_re "record: demo-take-3\.wav waits for a level of -40 dBFS"
sleep 1
spawn "$WORK/play2.log" "$JACKREC" play "$WORK/ref.wav" hiss:in_L hiss:in_R
check "a JACK client plays into hiss again" wait_line "$WORK/play2.log" '^played' 10
keys V
check "V again stops it" wait_re "record: demo-take-3\.wav into slot 03"
TAKE3=$TMP/songs/demo-take-3.wav
# The tone's first frame is 0 and the next ones under -40 dBFS: the take
# starts at the first frame that reaches the level, so its first frame is
# the reference's frame 1 or later, never the silence before.
first=$(sox "$TAKE3" -t f32 - trim 0 1s 2>/dev/null | od -An -t f4 | awk 'function abs(x) { return x < 0 ? -x : x }
    { loud = abs($1) >= 0.01 || abs($2) >= 0.01; print loud ? 1 : 0 }')
check "the take begins at the level, not in the silence before" [ "$first" = 1 ]
check "and holds the signal exactly from there" \
    "$JACKREC" compare "$WORK/ref.wav" "$TAKE3" --tol 0 --min-frames 47000 >&2

# A mono take with a count-in: Y sets one bar and the left input; C on a
# stopped song starts it playing, and the take waits for the bar after
# the first, then keeps the left input alone.
keys Down
keys Y
check "Y asks the count-in and inputs" \
    wait_re "Record: count-in bars, input \(stereo/left/right\): 0 stereo"
keys C-u
T send-keys -t ui -l "1 left"
keys Enter
check "and says what it set" wait_for "record: count-in 1 bar, left input (mono file)"
keys Y
keys C-u
T send-keys -t ui -l "9 left"
keys Enter
check "a count-in past 8 bars is refused" wait_for "is not a count-in of 0..8 bars"
keys C
check "C on a stopped song counts in first" \
    wait_for "record: demo-take-4.wav starts after a count-in of 1 bar"
check "playing the song, then recording" wait_re "recording demo-take-4\.wav: [0-9]+ s"
spawn "$WORK/play4.log" "$JACKREC" play "$WORK/ref.wav" hiss:in_L hiss:in_R
check "a JACK client plays into hiss" wait_line "$WORK/play4.log" '^played' 10
keys C
check "C stops the mono take" wait_re "record: demo-take-4\.wav into slot 04"
keys Space
TAKE4=$TMP/songs/demo-take-4.wav
check "the take is one channel" [ "$(soxi -c "$TAKE4" 2>/dev/null)" = 1 ]
check "holding the left input exactly" \
    "$JACKREC" compare "$WORK/ref.wav" "$TAKE4" --ref-ch 0 --rec-ch 0 --tol 0 \
    --min-frames 47000 >&2

stamp=$(file_stamp "$TMP/songs/demo.hiss")
keys C-s
wait_written "$TMP/songs/demo.hiss" "$stamp"
check "the saved song names the take" wait_file "$TMP/songs/demo.hiss" "demo-take.wav"
keys C-q
check "quits" wait_for "hiss exited 0"

# A song never saved has no place for a take.
new_server
T new-session -d -s ui -x 80 -y 24 "cd '$TMP' && '$HISS' --audio jack --no-connect; echo \"hiss exited \$?\"; sleep 60"
check "a new song on JACK" wait_backend JACK
keys C-t
keys C
check "C asks to save first" wait_for "record: save the song first"
keys C-q
wait_for "hiss exited" >/dev/null

# hiss killed mid-take: the file it streamed to already holds what came in.
new_server
T new-session -d -s ui -x 80 -y 24 "cd '$TMP' && '$HISS' songs/demo.hiss --audio jack --no-connect; echo \"hiss exited \$?\"; sleep 60"
check "the editor again" wait_backend JACK
keys C-t
keys C
check "a take runs" wait_re "recording demo-take-5\.wav"
spawn "$WORK/play3.log" "$JACKREC" play "$WORK/ref.wav" hiss:in_L hiss:in_R
check "played into it" wait_line "$WORK/play3.log" '^played' 10
sleep 0.5
pid=$(hiss_pid)
check "hiss is running" test -n "$pid"
kill -KILL "$pid"
check "hiss is killed" wait_exited 137
check "the take survives, exactly what came in" \
    "$JACKREC" compare "$WORK/ref.wav" "$TMP/songs/demo-take-5.wav" --tol 0 --min-frames 48000 >&2
finish
