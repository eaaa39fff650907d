#!/bin/bash
# Slices on the instruments screen: the kit's break comes with its hits as
# slices (its file's cue points), slice mode shows which notes play which
# slices, and both are saved.
set -u
SOCK=hiss-ui-slices-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
open_demo_copy
SONG=$DEMO
check "the song opens" wait_for "Dusty Tape"

keys C-t
check "the instruments screen opens on slot 01" wait_for "Slot 01"
for _ in $(seq 1 12); do keys Down; done
check "slot 0D is the break" wait_for "Slot 0D"
keys Tab
for _ in $(seq 1 40); do keys Down; done
keys Up
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
keys C-q
check "quits at once" wait_for "hiss exited 0"

finish
