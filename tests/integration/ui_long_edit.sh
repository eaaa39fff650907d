#!/bin/bash
# A long edit does not hold the editor: a stretch of 20 s of audio runs on
# a thread of its own, so while it works the instruments screen still
# takes keys (another slot is selected and shown), a second edit is told
# to wait, and the result lands in the slot the stretch began on, as one
# undo step. Finding a loop's tempo (B, and F's first guess) runs on that
# thread too: while aubio listens to a long file the screen takes keys,
# and the found tempo is said for the slot it was asked for.
set -u
SOCK=hiss-ui-long-edit-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
needs() { command -v "$1" >/dev/null || { echo "FAIL needs $1"; exit 1; }; }
needs sox
mkdir -p "$TMP/songs"
sox -n -r 44100 -c 1 -b 16 "$TMP/songs/long.wav" synth 20 pinknoise gain -12 2>/dev/null
check "20 s of audio to stretch" [ "$(soxi -s "$TMP/songs/long.wav" 2>/dev/null)" = 882000 ]
# A 90 s loop at 100 BPM: the beat tracker listens to it twice over.
sox -n -r 44100 -c 1 -b 16 "$TMP/songs/beat.wav" synth 0.05 pinknoise gain -3 pad 0 0.55 \
    repeat 149 2>/dev/null
check "90 s of beats for the tempo" [ "$(soxi -s "$TMP/songs/beat.wav" 2>/dev/null)" = 3969000 ]
SONG=$TMP/songs/long.hiss
small_song "$SONG"
sed -i 's/^title .*/title "long"/; /^order/i instrument 01 "long" sample "long.wav" volume 64 pan 0 base C-4 finetune 0 interp linear\ninstrument 02 "other" sample "long.wav" volume 64 pan 0 base C-4 finetune 0 interp linear\ninstrument 03 "beat" sample "beat.wav" volume 64 pan 0 base C-4 finetune 0 interp linear\n' "$SONG"
start_editor "" "'$SONG'"
check "the song opens" wait_for "long"
keys C-t
check "the instruments screen" wait_for "Slot 01"
WAIT_STEPS=900 wait_for "882000 frames" >/dev/null
check "the samples are loaded" wait_for "882000 frames"
keys F
check "F asks how many beats" wait_re "Stretch to beats at 120 BPM"
keys C-u
T send-keys -t ui -l 48
keys Enter
check "the stretch works on its own thread" wait_for "stretch: working on it"
keys Down
check "while it works, the screen takes keys" wait_for "Slot 02"
check "and the stretch is still running" \
    bash -c "[ ! -s '$TMP/songs/long-120bpm.wav' ] || tmux -L '$SOCK-$RUNS' capture-pane -p -t ui | grep -qF 'working on it'"
keys F
keys C-u
T send-keys -t ui -l 4
keys Enter
check "a second edit is told to wait" wait_for "stretch is still running"
WAIT_STEPS=900 wait_re "stretch: wrote long-120bpm\.wav" >/dev/null
check "the stretch lands when done" wait_re "stretch: wrote long-120bpm\.wav"
check "24 s long: 48 beats at 120 BPM" \
    [ "$(soxi -s "$TMP/songs/long-120bpm.wav" 2>/dev/null)" = 1058400 ]
keys Up
check "in slot 01, where it began" wait_re "Sample +long-120bpm\.wav"
keys C-z
check "one undo puts the original back" wait_re "Sample +long\.wav"
keys Down Down
check "slot 03 holds the beats" wait_re "Sample +beat\.wav"
keys B
check "B finds the tempo on the editing thread" wait_for "tempo: working on it"
keys Up
check "while it listens, the screen takes keys" wait_for "Slot 02"
WAIT_STEPS=900 wait_re "tempo: slot 03 loops at" >/dev/null
check "the tempo is said for slot 03, where it was asked" \
    wait_re "tempo: slot 03 loops at (9[5-9]|10[0-5])\.[0-9]+ BPM"
keys Down
check "and shown on slot 03" wait_re "mono, (9[5-9]|10[0-5])\.[0-9]+ BPM"
keys B
check "B again asks for the song's BPM with the loop's" wait_re "Loop: (9[5-9]|10[0-5])\.[0-9]+ BPM"
keys Escape
keys C-q
discard_if_asked "hiss exited 0"
check "quits" wait_for "hiss exited 0"
finish
