#!/bin/bash
# Keep only the slices used, as a user: a song plays the kit's break in
# slice mode, only slices 2, 5 and 8 (two by note, one by S05); X then
# "used" writes a new file holding those three slices alone, renumbers
# the notes, and the song renders as before. One undo brings the
# old slot and notes back; the break's own file is untouched.
set -u
SOCK=hiss-ui-keep-slices-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
JACKREC=$(dirname "$HISS")/tools/jackrec
WORK=$TMP/work
mkdir -p "$WORK"
mkdir -p "$TMP/songs"
ln -sfn "$(pwd)/samples" "$TMP/samples"
SONG=$TMP/songs/keep.hiss
cat >"$SONG" <<'SONG'
hiss 1
title "keep"
bpm 120
speed 6
rows_per_beat 4
swing 0
master_gain 0.0
limiter off
channels 1

instrument 01 "break" sample "../samples/break.wav" volume 64 pan 0 base C-4 finetune 0 interp linear slice_mode on

order 00

pattern 00 16
000 |C#4 01 .. ... ...|
001 |... .. .. ... ...|
002 |... .. .. ... ...|
003 |... .. .. ... ...|
004 |E-4 01 .. ... ...|
005 |... .. .. ... ...|
006 |... .. .. ... ...|
007 |... .. .. ... ...|
008 |C-4 01 .. S05 ...|
009 |... .. .. ... ...|
010 |... .. .. ... ...|
011 |... .. .. ... ...|
012 |G-4 .. .. ... ...|
013 |... .. .. ... ...|
014 |... .. .. ... ...|
015 |... .. .. ... ...|
SONG
"$HISS" render "$SONG" -o "$WORK/before.wav" --bits 32 -q
check "the song renders" [ -s "$WORK/before.wav" ]
break_sum=$(md5sum samples/break.wav)

start_editor "" "'$SONG'"
check "the song opens" wait_for "keep"
keys C-t
check "the instruments screen" wait_for "Slot 01"
keys X
check "X offers 'used'" wait_for "Edit (trim slice used normalize reverse gain DB fadein/out MS):"
T send-keys -t ui -l "used"
keys Enter
check "used keeps three of the eight slices" \
    wait_re "used: wrote break-used\.wav \([0-9]+ frames, 3 slices\)"
stamp=$(file_stamp "$SONG")
keys C-s
wait_written "$SONG" "$stamp"
check "the slot plays the new file" wait_file "$SONG" 'sample "break-used.wav"'
check "slice 2 is now slice 1" wait_file "$SONG" "000 |C-4 01"
check "slice 5 is now slice 2" wait_file "$SONG" "004 |C#4 01"
check "S05 (the second kept) is now S02" wait_file "$SONG" "008 |C-4 01 .. S02"
check "slice 8 is now slice 3" wait_file "$SONG" "012 |D-4 .."
"$HISS" render "$SONG" -o "$WORK/after.wav" --bits 32 -q
check "the new file holds the three slices alone" \
    [ "$(soxi -s "$TMP/songs/break-used.wav")" -lt "$(soxi -s samples/break.wav)" ]
# The same within -140 dB: the last frame of a slice's end fade reads one
# frame past it (interpolation), now the next kept slice's first.
check "the song renders the same as before" \
    "$JACKREC" compare "$WORK/before.wav" "$WORK/after.wav" --tol 0.0000001 \
    --min-frames 96000 >&2
check "the break's own file is untouched" [ "$(md5sum samples/break.wav)" = "$break_sum" ]

keys C-z
stamp=$(file_stamp "$SONG")
keys C-s
wait_written "$SONG" "$stamp"
check "one undo brings the old slot back" wait_file "$SONG" 'sample "../samples/break.wav"'
check "and the old notes" wait_file "$SONG" "008 |C-4 01 .. S05"
check "and its eight slices" wait_file "$SONG" "slices 8 0 9984"

keys X
T send-keys -t ui -l "used"
keys Enter
keys X
T send-keys -t ui -l "used"
keys Enter
check "again on the kept slices: nothing to drop" \
    wait_for "used: every slice is played; nothing to drop"
keys C-q
check "the new edit asks to be saved" wait_for "Save changes before quitting?"
keys n
check "quits" wait_for "hiss exited 0"
finish
