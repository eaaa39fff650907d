#!/bin/bash
# The other screens through tmux: the order list (insert, duplicate, change,
# delete, jump), the sample browser (filter, listen, load into a slot), the
# instruments screen (rename, change a value) and the song settings (BPM,
# title); everything checked in the saved file.
set -u
SOCK=hiss-ui-pages-$$
. "$(dirname "$0")/lib/tmux_ui.sh"

start() {
    start_editor "" "$1"
    wait_for "PATTERN"
}

mkdir -p "$TMP/kit"
cp samples/snare.wav "$TMP/kit/snare.wav"
cp samples/kick.wav "$TMP/kit/kick.wav"
SONG=$TMP/song.hiss
check "a new song opens" start song.hiss

# ---- orders ----
keys M-n
check "M-n makes pattern 01" wait_for "new pattern 01"
keys C-r
check "the order list opens" wait_for "Orders: 1 entry."
keys Down i
check "insert puts the pattern on screen at the end" wait_for "Orders: 2 entries."
check "entry 01 plays pattern 01" wait_re "  01    01 +64"
check "the screen names d as it is described in help" wait_for "d duplicate the pattern"
keys d
check "d copies the entry's pattern into a new pattern" \
    wait_for "pattern 01 copied to new pattern 02"
check "the new pattern plays in a new entry after it" wait_re "  02    02 +64"
check "the order list grew" wait_for "Orders: 3 entries."
check "the cursor is on the copy" wait_for "Ord 02/03 Pat 02"
keys -
check "- gives the entry the previous pattern" wait_re "  02    01 +64"
# + and - stop at the song's first and last patterns, as lists do.
keys -
check "- again: pattern 00" wait_re "  02    00 +64"
keys - +
check "- at the first stays there: + then gives 01" wait_re "  02    01 +64"
keys +
check "+ gives 02, the last" wait_re "  02    02 +64"
keys + -
check "+ at the last stays there: - then gives 01" wait_re "  02    01 +64"
keys x
check "x deletes an entry" wait_for "Orders: 2 entries."
keys Home Enter
check "Enter edits the entry's pattern" wait_for "PATTERN"

# ---- browser and instruments ----
keys C-t
check "the instruments screen opens" wait_for "Slot 01"
keys L
check "L opens the browser at the song's directory" wait_for "kit/"
keys /
T send-keys -t ui -l "kit"
keys Enter
check "the filter keeps kit/" wait_for "[kit]"
# The cursor is on the first match, not on ../: Enter opens kit/.
keys Enter
check "Enter opens the first match" wait_for "snare.wav"
keys /
T send-keys -t ui -l "sna"
keys Enter
check "filtering by name leaves snare.wav" bash -c "tmux -L '$SOCK-$RUNS' capture-pane -p -t ui | grep -q snare.wav && ! tmux -L '$SOCK-$RUNS' capture-pane -p -t ui | grep -q kick.wav"
# The filter stays in its folder: the parent shows kit/ again.
keys Left
check "the parent folder is shown unfiltered" wait_re "^ +. kit/"
check "the filter is gone" bash -c "! tmux -L '$SOCK-$RUNS' capture-pane -p -t ui | grep -qF '[sna]'"
keys Enter
check "back in kit/, unfiltered" wait_for "kick.wav"
keys /
T send-keys -t ui -l "sna"
keys Enter
check "filtered again" wait_for "[sna]"
keys p
check "p plays the file" wait_for "playing snare.wav"
keys Enter
check "Enter loads it into slot 01" wait_for "loaded snare.wav into slot 01"
check "the instrument is named after the file" wait_for " 01 snare"
check "its path is relative to the song" wait_for "kit/snare.wav"
keys Tab Down Down
keys -
check "- lowers the volume" wait_for "Volume         63"
keys R C-u
T send-keys -t ui -l "crack"
keys Enter
check "R renames" wait_for " 01 crack"

# ---- settings ----
keys C-g
check "the settings screen opens" wait_for "Rows per beat"
keys Down +
check "+ raises the BPM" wait_for "121 BPM"
keys Enter C-u
T send-keys -t ui -l "90"
keys Enter
check "Enter types the BPM" wait_for " 90 BPM"
keys Up Enter C-u
T send-keys -t ui -l "Tape Loop"
keys Enter
check "the title shows in the header" wait_for "Tape Loop [+]"
keys Down Enter C-u
T send-keys -t ui -l "abc"
keys Enter
check "a bad number is refused with a message" wait_for "not a number"

keys C-s
check "saved" wait_for "saved song.hiss"
check "the title is saved" grep -q '^title "Tape Loop"' "$SONG"
check "the BPM is saved" grep -q '^bpm 90$' "$SONG"
check "the order list is saved" grep -q '^order 00 01$' "$SONG"
check "pattern 01 is saved" grep -q '^pattern 01 64$' "$SONG"
check "the instrument is saved with its relative path and volume" \
    grep -qE '^instrument 01 "crack" sample "kit/snare.wav" volume 63 ' "$SONG"
keys C-q
check "quits" wait_for "hiss exited 0"

# ---- reopen: the sample loads in the background and plays ----
check "reopening" start song.hiss
keys C-t
check "with its sample" wait_re "frames at [0-9]+ Hz"
keys C-q
check "quits again" wait_for "hiss exited 0"

finish
