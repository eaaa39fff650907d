#!/bin/bash
# The header names the file as well as the song's title (several versions
# of a song share a title), and follows a save under a new name.
set -u
SOCK=hiss-ui-header-$$
. "$(dirname "$0")/lib/tmux_ui.sh"

# header_shows REGEX: the first line (the header) matches.
header_shows() {
    for _ in $(seq 1 100); do
        screen | head -1 | grep -qE -- "$1" && return 0
        sleep 0.1
    done
    return 1
}

small_song "$TMP/beat-v1.hiss"
start_editor "" beat-v1.hiss
check "the header shows the file and the title" header_shows "^ hiss +PATTERN +beat-v1\.hiss: safe "
keys C-w C-u
T send-keys -t ui -l "beat-v2.hiss"
keys Enter
check "save as: saved" wait_for "saved beat-v2.hiss"
check "save as: the header names the new file" header_shows " beat-v2\.hiss: safe "
keys z
check "an edit marks the header" header_shows " beat-v2\.hiss: safe \[\+\]"
keys C-q n
check "quits" wait_for "hiss exited 0"

# A title too long for the line gives way to the file name, marked as cut.
sed 's/^title .*/title "a very long title for a song that goes on and on"/' \
    "$TMP/beat-v1.hiss" >"$TMP/long.hiss"
start_editor "" long.hiss
check "a long title is cut with a mark, the file name whole" \
    header_shows " long\.hiss: a very long…"
keys C-q
check "quits again" wait_for "hiss exited 0"

# A title that just fits stays when [+] comes on, cut with the mark.
sed 's/^title .*/title "modgen"/' "$TMP/beat-v1.hiss" >"$TMP/beat-sketch.hiss"
start_editor "" beat-sketch.hiss
check "a title that fits is whole" header_shows " beat-sketch\.hiss: modgen "
keys z
check "with [+] it is cut with a mark, not dropped" \
    header_shows " beat-sketch\.hiss: m[a-z]*… \[\+\]"
keys C-q n
check "quits once more" wait_for "hiss exited 0"

# At 80x24, playing, with [+]: the clock and a long file name share the
# line; the page name's padding and the song's length give way, not the
# file name.
mkdir -p "$TMP/songs"
cp patterns/demo.hiss "$TMP/songs/dusty-tape-v2.hiss"
ln -sfn "$(pwd)/samples" "$TMP/samples"
start_editor "" songs/dusty-tape-v2.hiss
check "the demo opens" header_shows " dusty-tape-v2\.hiss: Du"
keys z Space
check "playing with [+], the file name stays whole" \
    header_shows "^ hiss +PATTERN +dusty-tape-v2\.hiss(: [^ ]+)? \[\+\] +. [0-9A-F]{2}:[0-9A-F]{2}:[0-9]{3} "
keys Space C-q n
check "quits after playing" wait_for "hiss exited 0"

start_editor "" ""
check "a new song without a name or title says so" header_shows " \(untitled\) "
keys C-q
check "quits a third time" wait_for "hiss exited 0"

finish
