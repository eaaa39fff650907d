#!/bin/bash
# With edit mode off nothing changes the pattern: not Delete, and not the
# block keys either (cut, paste, transpose), whether typed as C-x, + or
# as Alt+key. Esc is the edit mode key, and Esc followed at once by a key
# arrives as Alt+key (Esc z is M-z, cut): it must be refused, not clear
# a note.
set -u
SOCK=hiss-ui-guard-$$
. "$(dirname "$0")/lib/tmux_ui.sh"

small_song "$TMP/guard.hiss"
sed -i 's/^000 |\.\.\. \.\. /000 |C-4 01 /' "$TMP/guard.hiss"
start_editor "" "guard.hiss"
check "the song opens with its note" wait_for "000│C-4 01"
keys Escape
check "Esc turns edit mode off" wait_for "edit jam"
keys Delete
check "Delete is refused" wait_for "clear: edit mode is off"
keys Escape z
check "Esc then z at once (M-z, cut) is refused" wait_for "cut: edit mode is off"
keys +
check "+ (transpose) is refused" wait_for "transpose: edit mode is off"
keys M-c
check "copying changes nothing, so it works" wait_for "copied 1x1"
keys C-v
check "C-v (paste) is refused" wait_for "paste: edit mode is off"
keys C-x
check "C-x (cut) is refused" wait_for "cut: edit mode is off"
keys ']'
check "] after them is handled" wait_for "Oct 5"
check "the note is still there, untransposed" shows "000│C-4 01"
check "edit mode is still off" shows "edit jam"
keys Escape
check "Esc alone turns edit mode on again" wait_for "EDIT jam"
keys C-x
check "with edit mode on, C-x cuts" wait_for "000│... .."
keys C-q n
check "quit" wait_for "hiss exited 0"

finish
