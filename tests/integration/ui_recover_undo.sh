#!/bin/bash
# A recovery file must never bring back edits that were undone: with a
# short autosave interval, type a note, let it reach the recovery file,
# undo it; then quitting (nothing is unsaved, so no question) or starting
# a new song removes the recovery file, and reopening offers nothing.
set -u
SOCK=hiss-ui-recover-undo-$$
. "$(dirname "$0")/lib/tmux_ui.sh"

start() { start_editor HISS_AUTOSAVE_SECONDS=3 "$1"; }

SONG=$TMP/song.hiss
RECOVER=$TMP/.song.hiss.recover

# type_then_undo: a note that reaches the recovery file, then undone.
type_then_undo() {
    keys z
    check "$1: the note is typed" wait_for "000│C-4"
    check "$1: the autosave writes it to the recovery file" \
        wait_file "$RECOVER" "000 |C-4"
    keys C-z
    check "$1: undo takes it back" wait_for "000│... .. .."
    check "$1: nothing is unsaved" wait_gone "[+]"
}

# ---- quitting ----
small_song "$SONG"
start song.hiss
check "the song opens" wait_for "000│"
type_then_undo "quit"
keys C-q
check "quit: it quits without asking" wait_for "hiss exited 0"
check "quit: the recovery file is gone" test ! -e "$RECOVER"
start song.hiss
check "quit: reopening offers nothing and opens the song" wait_for "000│... .. .."
keys C-q
check "quit: quits again" wait_for "hiss exited 0"

# ---- a new song replacing the unchanged one ----
rm -f "$RECOVER" # whatever the part above left, this part starts clean
start song.hiss
check "new: the song opens" wait_for "000│"
type_then_undo "new"
keys C-n
check "new: C-n starts a new song without asking" wait_for "new song"
check "new: the recovery file of the song left is gone" test ! -e "$RECOVER"
keys C-q
check "new: quits" wait_for "hiss exited 0"

# ---- a recovery file left for later by the user stays ----
small_song "$SONG"
sed 's/^000 |\.\.\. \.\. \.\./000 |D-4 01 ../' "$SONG" >"$RECOVER"
touch -d '+2 seconds' "$RECOVER"
start song.hiss
check "later: reopening offers the other edits" wait_for "(k)eep"
for _ in 1 2 3; do keys x; done # one key each, as every question
check "later: three answers that mean nothing leave it for later" \
    wait_for "unsaved edits left in"
keys C-q
check "later: quits" wait_for "hiss exited 0"
check "later: the recovery file left for later is kept" test -e "$RECOVER"

finish
