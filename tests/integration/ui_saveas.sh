#!/bin/bash
# "Save as" into other directories keeps the song's samples found: sample
# paths are written relative to the song file, so the editor rewrites them
# for the new place. Each saved copy must render (a render fails on a
# missing sample), and a save that fails leaves the paths as they were.
set -u
SOCK=hiss-ui-saveas-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
export XDG_STATE_HOME=$TMP/state
start() { EDITOR_DIR=$1 start_editor "" "$2"; }
renders() { "$HISS" render "$1" -o "$TMP/out.wav" -s 1 -q 2>"$TMP/render.err"; }

# The demo as shipped: patterns/demo.hiss names ../samples/*.wav.
mkdir -p "$TMP/proj/patterns" "$TMP/proj/patterns/sub" "$TMP/elsewhere/deep"
cp patterns/demo.hiss "$TMP/proj/patterns/beat.hiss"
cp -r samples "$TMP/proj/samples"
check "the copied song renders where it is" renders "$TMP/proj/patterns/beat.hiss"

start "$TMP/proj/patterns" "beat.hiss"
check "the song opens" wait_for ": Dusty"
check "its samples load" wait_gone "loading samples"
keys C-w C-u "sub/beat.hiss" Enter
check "save as into a subdirectory" wait_written "$TMP/proj/patterns/sub/beat.hiss" none
check "and says so" wait_for "saved sub/beat.hiss"
check "the sample paths now start from the subdirectory" \
    grep -qF 'sample "../../samples/kick.wav"' "$TMP/proj/patterns/sub/beat.hiss"
check "the saved copy renders: every sample is found" \
    renders "$TMP/proj/patterns/sub/beat.hiss"

# A save as that gets as far as writing: the target is a directory.
mkdir -p "$TMP/elsewhere/adir"
keys C-w C-u "$TMP/elsewhere/adir" Enter
check "a save as onto a directory fails" wait_for "not saved"
stamp=$(file_stamp "$TMP/proj/patterns/sub/beat.hiss")
keys C-s
check "a plain save after it goes to the subdirectory again" \
    wait_written "$TMP/proj/patterns/sub/beat.hiss" "$stamp"
check "and says so" wait_for "saved sub/beat.hiss"
check "with the paths as they were before the failed save" \
    grep -qF 'sample "../../samples/kick.wav"' "$TMP/proj/patterns/sub/beat.hiss"
check "and renders" renders "$TMP/proj/patterns/sub/beat.hiss"
keys C-w C-u "missing/beat.hiss" Enter
check "a save as into a missing directory fails" wait_for "No such file or directory"
keys C-w C-u "$TMP/elsewhere/deep/moved.hiss" Enter
check "save as from there into another tree" \
    wait_written "$TMP/elsewhere/deep/moved.hiss" none
check "and says so" wait_for "saved $TMP/elsewhere/deep/moved.hiss"
check "the paths climb out of that tree" \
    grep -qF 'sample "../../proj/samples/kick.wav"' "$TMP/elsewhere/deep/moved.hiss"
check "that copy renders too" renders "$TMP/elsewhere/deep/moved.hiss"
# The message of this save is the one already on screen: the file's
# new write is what shows it happened.
stamp=$(file_stamp "$TMP/elsewhere/deep/moved.hiss")
sleep 0.05 # a write in the same clock tick would keep the time stamp
keys C-s
check "a plain save writes the file again" \
    wait_written "$TMP/elsewhere/deep/moved.hiss" "$stamp"
check "keeping the same paths" \
    grep -qF 'sample "../../proj/samples/kick.wav"' "$TMP/elsewhere/deep/moved.hiss"
check "and still renders" renders "$TMP/elsewhere/deep/moved.hiss"
check "the first copy is untouched by the later moves" \
    grep -qF 'sample "../../samples/kick.wav"' "$TMP/proj/patterns/sub/beat.hiss"
keys C-q
check "quit" wait_for "hiss exited 0"
check "the original still names ../samples" \
    grep -qF 'sample "../samples/kick.wav"' "$TMP/proj/patterns/beat.hiss"

# A mistyped path to open: a new song, and said at once when its folder is
# not there either; saving then asks for a name and makes no folder.
start "$TMP/proj" ""
check "a new song opens" wait_for "PATTERN"
keys C-o C-u "nope/missing.hiss" Enter
check "opening a path whose folder is missing says so" \
    wait_for "nope/missing.hiss: no such file or folder: a new song; saving asks for a name"
keys z C-s
check "Ctrl-S asks for a name, offering the path typed" \
    wait_for "Save as (that folder does not exist): nope/missing.hiss"
keys Enter
check "the same name again is refused" wait_for "not saved: nope/missing.hiss"
check "... and no folder was made" test ! -e "$TMP/proj/nope"
keys C-o
check "a save first? no" wait_for "Save changes"
keys n C-u "new.hiss" Enter
check "a missing file in a folder that is there: a new song, made on saving" \
    wait_for "new.hiss: no such file: a new song, created on first save"
keys C-q
check "quit once more" wait_for "hiss exited 0"

finish
