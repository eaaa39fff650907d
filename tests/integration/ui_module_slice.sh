#!/bin/bash
# A module sliced in the editor as a user would: open an XM, go to its
# instrument, slice the sample equally, see the slices listed, save
# as .hiss (never over the module), quit, and render both: the saved song
# with its slices sounds exactly like the module, and the slices are in it.
set -u
SOCK=hiss-ui-module-slice-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
export XDG_STATE_HOME=$TMP/state
GEN=${BUILD:-build}/tests/test_module

mkdir -p "$TMP/mods"
check "the test modules are written" "$GEN" --write "$TMP/mods"
before=$(cksum <"$TMP/mods/demo.xm")
EDITOR_DIR=$TMP/mods start_editor "" "demo.xm"
check "the editor opens the module" wait_for "imported demo.xm:"
keys C-t
check "the instruments screen opens on the module's instrument" wait_for "Slot 01"
keys Tab End Up
check "its sample has no slices yet" wait_re "Slice mode +off"
keys E
check "equal slicing asks how many" wait_for "Equal slices (2..128)"
keys BSpace BSpace 4 Enter
check "the sample is cut in four" wait_for "4 equal slices"
check "slice mode tells of the four" wait_re "Slice mode +off \(4 slices: S01\.\.S04\)"
# Slice mode stays off: the module's notes keep playing the whole sample.
keys C-s
check "saving writes demo.hiss" wait_written "$TMP/mods/demo.hiss" none
check "with the four slices of the 4096-frame sample" \
    wait_file "$TMP/mods/demo.hiss" "slices 4 0 1024 2048 3072"
check "the module is untouched" test "$(cksum <"$TMP/mods/demo.xm")" = "$before"
keys C-q
check "quit" wait_for "hiss exited 0"
check "the module renders" "$HISS" render -q "$TMP/mods/demo.xm" -o "$TMP/module.wav"
check "the sliced song renders" "$HISS" render -q "$TMP/mods/demo.hiss" -o "$TMP/sliced.wav"
check "to the same audio" cmp -s "$TMP/module.wav" "$TMP/sliced.wav"
finish
