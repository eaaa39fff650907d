#!/bin/bash
# Slices on the instruments screen: the kit's break comes with its hits as
# slices (its file's cue points), slice mode shows which notes play which
# slices; a user slices it equally, then by its hits, and writes the
# slices into the pattern; all of it is saved.
set -u
SOCK=hiss-ui-slices-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
# The note that plays slice $1 in slice mode (C-4 is slice 1).
last_note() {
    local names=(C-4 C#4 D-4 D#4 E-4 F-4 F#4 G-4 G#4 A-4 A#4 B-4)
    echo "${names[$1 - 1]}"
}
open_demo_copy
SONG=$DEMO
check "the song opens" wait_for ": Dusty"

keys C-t
check "the instruments screen opens on slot 01" wait_for "Slot 01"
keys E
check "equal slicing offers 16 for a sample with no slices" \
    wait_for "Equal slices (2..128): 16"
keys Escape
check "... and is let be" wait_gone "Equal slices"
for _ in $(seq 1 12); do keys Down; done
check "slot 0D is the break" wait_for "Slot 0D"
keys Tab
# After slice mode come the slice fade and the nine envelope fields.
keys End
for _ in $(seq 1 10); do keys Up; done
check "the break has the eight hits of its file as slices" \
    wait_re "Slice mode +off \(8 slices: S01\.\.S08\)"
keys Right
check "slice mode on maps C-4..G-4 to the slices" \
    wait_re "Slice mode +on \(C-4\.\.G-4 = slices 1\.\.8\)"
stamp=$(file_stamp "$SONG")
keys C-s
wait_written "$SONG" "$stamp"
check "slice mode is saved" wait_file "$SONG" "slice_mode on"
check "the slices are saved" \
    wait_file "$SONG" "slices 8 0 9984 14848 24832 29696 39680 44544 54528"

keys E
check "equal slicing offers the eight slices the break has" \
    wait_for "Equal slices (2..128): 8"
keys BSpace 4 Enter
check "four equal slices" wait_for "4 equal slices"
check "slice mode shows the four" wait_re "Slice mode +on \(C-4\.\.D#4 = slices 1\.\.4\)"
keys E
check "then it offers the four" wait_for "Equal slices (2..128): 4"
keys Escape
check "... let be, the four stay" wait_gone "Equal slices"
keys H
check "slicing at the hits asks the sensitivity" wait_for "Hit sensitivity (0..100)"
keys Enter
check "slicing at the hits finds them" wait_re "[5-9] slices at the hits \(sensitivity 50\)"
count=$(screen | grep -oE "[0-9]+ slices at the hits" | grep -oE "^[0-9]+")
check "slice mode shows them" wait_re "Slice mode +on \(C-4\.\.[A-G][-#]4 = slices 1\.\.$count\)"
keys W
check "the slices go into the pattern at the cursor" \
    wait_for "slices written to pattern 00 from row 0"
stamp=$(file_stamp "$SONG")
keys C-s
wait_written "$SONG" "$stamp"
check "slice 1 is on row 0" wait_file "$SONG" "000 |C-4 0D"
check "slice 2 (a swung step) is on row 1" wait_file "$SONG" "001 |C#4 0D"
check "the last slice is on row 7" wait_file "$SONG" "007 |$(last_note "$count") 0D"
keys C-q
check "quits at once" wait_for "hiss exited 0"

finish
