#!/bin/bash
# Nothing shown at 80x24 is cut in the middle of a word: every screen
# (pattern, orders, instruments, browser, settings, every page of help
# from each of them) and the recovery question hiss asks before the editor
# starts, with paths and file names too long for a line. A word cut at the
# right edge leaves a letter or digit in the 80th column; text that wraps,
# or keeps a long path's end, keeps that column free.
set -u
SOCK=hiss-ui-cuts-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
export LC_ALL=C.UTF-8

# cut_lines: the screen's lines whose 80th column holds a letter or digit.
cut_lines() { screen | grep -E '^.{79}[[:alnum:]]'; }
no_cuts() {
    local found
    found=$(cut_lines)
    [ -z "$found" ] && return 0
    echo "     cut: $found"
    return 1
}

# The demo, in folders deep enough that the browser's path does not fit,
# beside a sample whose name does not fit either.
# (The browser opens where the current instrument's sample is.)
DEEP=a-rather-long-folder-name-for-songs/and-another-one-inside-it-as-well
mkdir -p "$TMP/$DEEP"
cp patterns/demo.hiss "$TMP/$DEEP/demo.hiss"
cp -r samples "$TMP/$DEEP/../samples"
cp samples/kick.wav "$TMP/$DEEP/../samples/a-kick-whose-file-name-is-so-long-that-no-line-of-eighty-columns-holds-it.wav"
start_editor "" "$DEEP/demo.hiss"
check "the demo opens" wait_for "demo.hiss: Dusty Tape"

# page NAME KEY SHOWN: go to a screen and check it, then each page of its
# help, paging down until the last ("N/N").
page() {
    keys "$2"
    check "$1: the screen shows" wait_for "$3"
    check "$1: no word is cut" no_cuts
    keys '?'
    check "$1 help: opens" wait_for "Keys of the"
    local shown=0
    for _ in $(seq 1 12); do
        check "$1 help, page $((shown + 1)): no word is cut" no_cuts
        shown=$((shown + 1))
        screen | grep -qE ' ([0-9]+)/\1 *$' && break
        local before
        before=$(screen | grep -oE '[0-9]+/[0-9]+ *$')
        keys PageDown
        wait_gone "$before" >/dev/null
    done
    check "$1 help: the last page was reached" \
        bash -c "tmux -L '$SOCK-$RUNS' capture-pane -p -t ui | grep -qE ' ([0-9]+)/\\1 *\$'"
    keys Escape
    wait_gone "Keys of the" >/dev/null
}
page pattern C-e "000│"
page orders C-r "Orders: 7 entries."
page instruments C-t "Slot 01"
page browser C-f "Load into slot"
page settings C-g "Song settings"
keys C-q
check "quits" wait_for "hiss exited 0"

# ---- the recovery question, asked before the editor starts ----
small_song "$TMP/song.hiss"
sed 's/^000 |\.\.\. \.\. \.\./000 |D-4 01 ../' "$TMP/song.hiss" >"$TMP/.song.hiss.recover"
touch -d '+2 seconds' "$TMP/.song.hiss.recover"
start_editor "" "song.hiss"
check "the recovery question is asked" wait_for "(k)eep both"
check "recovery question: no word is cut" no_cuts
keys d # one key, as every question
check "recovery question: discard opens the song" wait_for "discarded the unsaved edits"
keys C-q
check "quits after the question" wait_for "hiss exited 0"

finish
