#!/bin/bash
# The sample browser comes back where it was left: a kit loaded slot by
# slot from a folder of many files starts each time on the file loaded
# last (not at ../ with a scroll down for every slot), in its folder;
# left without loading, it keeps the file the cursor was on. C-f opens it
# for the instrument chosen at that moment.
set -u
SOCK=hiss-ui-browser-$$
. "$(dirname "$0")/lib/tmux_ui.sh"

# 30 files: more than a 24-line screen shows.
mkdir -p "$TMP/kit"
for i in $(seq -w 1 30); do cp samples/kick.wav "$TMP/kit/hit$i.wav"; done
small_song "$TMP/kit.hiss"
start_editor "" kit.hiss
check "the song opens" wait_for "safe"
keys C-t
check "the instruments screen opens on slot 01" wait_for "Slot 01"
keys L
check "the browser opens beside the song" wait_for "kit/"
keys /
T send-keys -t ui -l "kit"
keys Enter Enter
check "into kit/" wait_for "hit01.wav"
for _ in $(seq 1 25); do keys Down; done
keys Enter
check "hit25 goes into slot 01" wait_for "loaded hit25.wav into slot 01"

keys Down
check "slot 02" wait_for "Slot 02"
keys L
check "the browser opens again, in kit/" wait_re "Load into slot 02 from .*/kit *$"
check "where hit25 shows" wait_for "hit25.wav"
keys Enter
check "Enter at once loads the file loaded last: the cursor is on it" \
    wait_for "loaded hit25.wav into slot 02"

keys Down
check "slot 03" wait_for "Slot 03"
keys L
check "the browser opens for slot 03" wait_for "Load into slot 03"
keys Down Enter
check "the next file of the kit is one key away" wait_for "loaded hit26.wav into slot 03"

keys L
check "the browser opens for slot 03 again" wait_for "Load into slot 03"
keys Down Down Escape
check "left without loading" wait_for "Slot 03"
keys L
check "and opened again" wait_for "Load into slot 03"
keys Enter
check "the cursor is where it was left" wait_for "loaded hit28.wav into slot 03"
# C-f, the browser's own key, loads into the slot chosen now, not the one
# the browser loaded into last.
keys Down
check "slot 04" wait_for "Slot 04"
keys C-f
check "C-f opens the browser for slot 04" wait_for "Load into slot 04"
keys Escape
check "left without loading, back on slot 04" wait_for "Slot 04"
keys F2
check "on the pattern screen" wait_for "Ins 04"
keys ')'
check "with instrument 05 chosen" wait_for "Ins 05"
keys C-f
check "C-f there opens it for slot 05" wait_for "Load into slot 05"
keys Enter
check "and loads into slot 05" wait_re "loaded hit[0-9]+\.wav into slot 05"
keys C-q n
check "quits" wait_for "hiss exited 0"
finish
