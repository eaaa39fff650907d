#!/bin/bash
# Chopping the kit's break by hand on the instruments screen, as a
# beatmaker would: pick a slice, audition it, move its point by a
# millisecond, to a typed frame and to a zero crossing, split and delete,
# drop a slice at the playhead while the break plays (lazy chop), find the
# loop's tempo and take it for the song, stretch the break to the song's
# tempo and reverse it: each edit a NEW file beside the song, the kit's own
# file untouched, the chops carried in the new file's cue points.
set -u
SOCK=hiss-ui-chop-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
JACKREC=$(dirname "$HISS")/tools/jackrec
# The 16-bit values of frames $2-1 and $2 of file $1.
two_frames() { sox "$1" -t s16 - trim "$(($2 - 1))s" 2s 2>/dev/null | od -An -t d2; }
# Whether the wave in $1 changes sign (or is zero) between frames $2-1 and $2.
crosses_zero() {
    local v
    read -r -a v <<<"$(two_frames "$1" "$2")"
    [ "${#v[@]}" = 2 ] || return 1
    [ "${v[1]}" = 0 ] || { [ "${v[0]}" -lt 0 ] && [ "${v[1]}" -ge 0 ]; } ||
        { [ "${v[0]}" -ge 0 ] && [ "${v[1]}" -lt 0 ]; }
}
frames_of() { soxi -s "$1" 2>/dev/null; }
KIT_BREAK=$(pwd)/samples/break.wav
kit_sum=$(md5sum <"$KIT_BREAK")

open_demo_copy
SONG=$DEMO
SONGS=$(dirname "$SONG")
check "the song opens" wait_for ": Dusty"
keys C-t
check "the instruments screen opens on slot 01" wait_for "Slot 01"
for _ in $(seq 1 12); do keys Down; done
check "slot 0D is the break, its first slice selected" \
    wait_for "Slice 1/8  frames 0..9984"
check "the waveform is drawn" wait_re "│ .*█.*█"
check "its markers show the slices, the selected one apart" wait_re "│ \^ +\| +\| "

keys '}'
check "} selects the next slice" wait_for "Slice 2/8  frames 9984..14848"
keys P
check "P auditions the selected slice" wait_for "playing slice 2 (frames 9984..14848)"
keys .
check ". moves the point a millisecond later" wait_for "slice 2 at frame 10028"
keys , ,
check ", moves it back" wait_for "slice 2 at frame 9940"
keys :
check ": asks for the frame" wait_for "Slice point at frame: 9940"
keys C-u
T send-keys -t ui -l 9984
keys Enter
check "the typed frame is taken" wait_for "slice 2 at frame 9984"
keys Z
check "Z snaps to a zero crossing" wait_re "slice 2 at frame [0-9]+ *$"
snapped=$(screen | grep -oE "slice 2 at frame [0-9]+" | tail -1 | grep -oE "[0-9]+$")
check "the point snapped to is a zero crossing of the file" \
    crosses_zero "$KIT_BREAK" "${snapped:-0}"
check "and near where it was" [ "${snapped:-0}" -gt 9500 -a "${snapped:-0}" -lt 10500 ]
keys A
check "A splits the slice in two" wait_re "slice 3 at frame [0-9]+ \(9 slices\)"
keys D
check "D deletes the selected point" wait_for "slice point deleted (8 slices)"
keys C-z
check "undo brings it back" wait_for "/9  frames"
keys C-z
check "undo again: eight slices" wait_for "/8  frames"

# Lazy chop: the break plays, one key drops a slice at the playhead.
keys O
check "O plays the whole break" wait_for "playing the sample"
check "the playhead moves" wait_re "playing at [1-9][0-9]*$"
keys A
check "A drops a slice at the playhead" wait_re "at frame [0-9]+ \(9 slices\)"
keys O
wait_re "playing at [1-9][0-9]*$" >/dev/null
# The slice after the new one (never the first, which stays at frame 0).
keys '}' K
check "K moves the selected point to the playhead" wait_re "slice [0-9]+ at frame [0-9]+ *$"
stamp=$(file_stamp "$SONG")
keys C-s
wait_written "$SONG" "$stamp"
check "the nine slices are saved" wait_file "$SONG" "slices 9 0 "

# Tempo: found in the loop and taken for the song.
keys B
check "B finds the break's tempo" wait_re "Loop: 89\.[01][0-9] BPM, 2 beats\. Song BPM: 89\.1 *$"
keys Enter
check "the song takes the tempo in tenths" wait_re "[^.0-9]89\.1 BPM"
keys B
check "B asks again" wait_re "Song BPM: 89\.1 *$"
keys C-u
T send-keys -t ui -l 96
keys Enter
check "the song takes 96 BPM" wait_for "96 BPM"
check "the tempo shows beside the sample" wait_re "44100 Hz, mono, 89\.[01][0-9] BPM \(2 beats\)"

# Fit by repitching first: four beats at 96 BPM from two at 89, the
# classic tracker way (base note and finetune), then undone.
keys F
check "F asks how many beats" wait_for "Stretch to beats at 96 BPM ('N pitch' repitches): 2"
keys C-u
T send-keys -t ui -l "4 pitch"
keys Enter
# 1200 log2(frames / (4 x 60 / 96 x 44100)) cents, as a base note and
# the finetune left over.
read -r cents semis fine < <(awk -v f="$(frames_of "$KIT_BREAK")" 'BEGIN {
    c = 1200 * log(f / (4 * 60 / 96 * 44100)) / log(2); t = int(c < 0 ? c - 0.5 : c + 0.5)
    s = t / 100; s = int(s < 0 ? s - 0.5 : s + 0.5); printf "%d %d %d", t, s, t - 100 * s }')
names=(C-4 C#4 D-4 D#4 E-4 F-4 F#4 G-4 G#4 A-4 A#4 B-4)
base=${names[$((-semis))]}
check "repitching moves the base note and finetune ($cents cents)" \
    wait_re "repitch: $cents cents, base $base finetune \+?$fine"
check "the base note shows it" wait_re "Base note +$base"
keys C-z C-z
check "two undos put the pitch back" wait_re "Base note +C-4"

# Stretch to the song's tempo: a new file, the kit's untouched.
keys F
check "F asks again" wait_for "Stretch to beats at 96 BPM ('N pitch' repitches): 2"
keys Enter
check "the stretched break is a new file" wait_re "stretch: wrote break-96bpm\.wav"
NEW=$SONGS/break-96bpm.wav
check "two beats at 96 BPM long" [ "$(frames_of "$NEW")" = $((2 * 60 * 44100 / 96)) ]
check "the slot plays it" wait_re "Sample +break-96bpm\.wav"
check "its slices came back from its cue points" wait_re "Slice [0-9]+/9 "
check "the kit's break is untouched" [ "$(md5sum <"$KIT_BREAK")" = "$kit_sum" ]
# Its message is longer than the line: cut with a mark, the slice markers
# above it left alone; the help screen has it whole.
check "the message keeps to its line, cut with a mark" \
    shows_re "^stretch: wrote break-96bpm\.wav .*(…|\.\.\.)$"
check "... the row above it is the slice markers' still" \
    test "$(screen | tail -2 | head -1 | grep -c '\^')" = 1
joined() { screen | tr '\n' ' ' | tr -s ' ' | grep -qF -- "$1"; }
keys '?'
check "help lists the latest messages first" wait_for "Messages, the latest first"
check "... this one whole" wait_until joined "); ../samples/break.wav is kept"
keys Escape
check "back to the instruments" wait_for "Sample "

keys X
check "X asks which edit, its prompt whole at 80 columns" \
    wait_for "Edit (trim slice used normalize reverse gain DB fadein/out MS):"
T send-keys -t ui -l reverse
keys Enter
check "reverse writes another new file" wait_re "reverse: wrote break-96bpm-reverse\.wav"
REV=$SONGS/break-96bpm-reverse.wav
check "it is the stretched break backwards" \
    cmp -s <(sox "$NEW" -t s32 - reverse) <(sox "$REV" -t s32 -)
keys X
T send-keys -t ui -l "fadein x"
keys Enter
check "a bad edit says what is allowed" wait_for "is not one of trim, slice"
keys C-z
check "undo puts the stretched break back" wait_re "Sample +break-96bpm\.wav"
stamp=$(file_stamp "$SONG")
keys C-s
wait_written "$SONG" "$stamp"
check "the song names the new file" wait_file "$SONG" "break-96bpm.wav"
check "and what the stretch follows" wait_file "$SONG" 'stretch 2 "../samples/break.wav"'

# The stretch follows the song's tempo: a new tempo rebuilds it, from the
# kit's break (never from the stretch), into a new file. B listens to
# the new file in the background, then asks.
keys B
check "B asks for the song's BPM once it has listened" wait_re "Song BPM: [0-9.]+ *$"
keys C-u
T send-keys -t ui -l 120
keys Enter
check "the song takes 120 BPM" wait_for "120 BPM"
check "the stretch follows into a new file" wait_re "tempo: slot 0D: wrote break-120bpm\.wav"
check "two beats at 120 BPM long" \
    [ "$(frames_of "$SONGS/break-120bpm.wav")" = $((2 * 60 * 44100 / 120)) ]
check "the slot plays it" wait_re "Sample +break-120bpm\.wav"
# The stretch joined the tempo edit's undo step: one undo takes back both,
# redo brings both, and neither stretches again (the files are counted
# at the end).
keys C-z
check "one undo puts back the first stretch" wait_re "Sample +break-96bpm\.wav"
check "and the tempo it was made for" wait_re " 96 BPM spd"
keys C-y
check "redo brings the stretch for 120 BPM" wait_re "Sample +break-120bpm\.wav"
check "with its tempo" wait_re " 120 BPM spd"
keys B
check "B asks again for the new file" wait_re "Song BPM: [0-9.]+ *$"
keys C-u
T send-keys -t ui -l 96
keys Enter
check "back at 96 BPM, a new file again" wait_re "tempo: slot 0D: wrote break-96bpm-2\.wav"
check "the first stretch's file is not written over" \
    [ "$(frames_of "$NEW")" = $((2 * 60 * 44100 / 96)) ]
check "stretched from the kit's break: the same as the first stretch" \
    "$JACKREC" compare "$NEW" "$SONGS/break-96bpm-2.wav" --ref-ch 0 --rec-ch 0 --tol 0.0002 \
    --offset 0 >&2
check "the kit's break is untouched after both" [ "$(md5sum <"$KIT_BREAK")" = "$kit_sum" ]
check "undo and redo wrote no stretch of their own" \
    [ "$(cd "$SONGS" && echo break-*.wav)" = \
      "break-120bpm.wav break-96bpm-2.wav break-96bpm-reverse.wav break-96bpm.wav" ]
stamp=$(file_stamp "$SONG")
keys C-s
wait_written "$SONG" "$stamp"
keys I
check "I zooms the waveform in" wait_for "waveform zoom x2"
check "the selected slice stays in view" wait_re "│.*\^"
keys C-q
check "quits at once" wait_for "hiss exited 0"
check "the kit's break is still untouched" [ "$(md5sum <"$KIT_BREAK")" = "$kit_sum" ]

# Under LANG=C the waveform falls back to ASCII.
start_editor "LC_ALL=C LANG=C" "'$SONG'"
check "the song opens under LANG=C" wait_for ": Dusty"
keys C-t
for _ in $(seq 1 12); do keys Down; done
check "the break's slices show" wait_re "Slice 1/[0-9]+ "
check "its wave is drawn with #" wait_re "\| .*#.*#"
check "no block characters are sent" shows_not "█"
keys C-q
check "quits" wait_for "hiss exited 0"

finish
