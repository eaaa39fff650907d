#!/bin/bash
# Recording a take, as a user: the editor on a private JACK server, C on
# the instruments screen starts a take, a JACK client plays a known
# signal into hiss:in_L and hiss:in_R, C again stops it. The take is a
# new file beside the song holding exactly the frames played in (float,
# no gain), it lands in the first empty slot, undo takes the slot back
# and keeps the file, a second take never writes over the first, and a
# song never saved gets no take.
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
finish
