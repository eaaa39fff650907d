#!/bin/bash
# A module opens in the editor as a song to save beside it: the import
# report's news shows, saving writes demo.hiss, its samples as WAVs in
# demo-samples/ and demo.import.txt, never the module, and the saved song
# renders exactly like the module. The sample browser opens a module like
# a directory of its instruments, plays one and loads it into a song.
# A wrapped message leaves no letter behind on the instruments screen.
set -u
SOCK=hiss-ui-module-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
export XDG_STATE_HOME=$TMP/state
GEN=${BUILD:-build}/tests/test_module

mkdir -p "$TMP/mods"
check "the test modules are written" "$GEN" --write "$TMP/mods"
for ext in mod s3m xm it; do
    # test_module --write's loss: MOD, S3M and XM lose the Amiga filter;
    # the IT one panbrello (libxmp drops IT's S0x itself).
    case $ext in it) lost="panbrello (Yxy)" ;; *) lost="Amiga filter (E0x)" ;; esac
    said="1 kind of loss"
    rm -rf "$TMP/mods/demo.hiss" "$TMP/mods/demo-samples" "$TMP/mods/demo.import.txt"
    before=$(cksum <"$TMP/mods/demo.$ext")
    EDITOR_DIR=$TMP/mods start_editor "" "demo.$ext"
    check "$ext: the editor opens it and says what the import lost" \
        wait_for "imported demo.$ext: $said"
    check "$ext: the header names the song it will save" wait_for "demo.hiss"
    keys C-s
    check "$ext: saving writes demo.hiss" wait_written "$TMP/mods/demo.hiss" none
    check "$ext: and says so" wait_for "saved demo.hiss"
    check "$ext: the samples are WAV files beside it" \
        compgen -G "$TMP/mods/demo-samples/01-*.wav" >/dev/null
    check "$ext: the report is saved beside it, with the lost effect's place" \
        grep -qF "order 0 row 10 channel 2: dropped: $lost" "$TMP/mods/demo.import.txt"
    check "$ext: the module is untouched" test "$(cksum <"$TMP/mods/demo.$ext")" = "$before"
    keys C-q
    check "$ext: quit" wait_for "hiss exited 0"
    check "$ext: the module renders" \
        "$HISS" render -q "$TMP/mods/demo.$ext" -o "$TMP/module.wav"
    check "$ext: the saved song renders" \
        "$HISS" render -q "$TMP/mods/demo.hiss" -o "$TMP/saved.wav"
    check "$ext: to the same audio" cmp -s "$TMP/module.wav" "$TMP/saved.wav"
done

# demo.hiss is taken now: saving the module again offers the next free
# name, and leaves demo.hiss alone.
saved=$(cksum <"$TMP/mods/demo.hiss")
EDITOR_DIR=$TMP/mods start_editor "" "demo.xm"
check "a module whose .hiss name is taken opens" wait_for "imported demo.xm:"
keys C-s
check "saving offers the next free name" wait_for "Save as: demo-2.hiss"
keys Enter
check "Enter saves there" wait_written "$TMP/mods/demo-2.hiss" none
check "demo.hiss is untouched" test "$(cksum <"$TMP/mods/demo.hiss")" = "$saved"
keys C-q
check "quit" wait_for "hiss exited 0"

# A message longer than the line keeps to it, cut with a mark: none of
# its letters may land on the instruments screen, not even in the blank
# column right of the slot list, before or after a shorter one.
# body_clean: every body row's cell after the list's rule is blank.
body_clean() { ! screen | sed -n '4,23p' | grep -q -- '│[^ ]'; }
EDITOR_DIR=$TMP/mods start_editor "" "blank.hiss"
check "keymap: a new song opens" wait_for "new song"
keys C-t
check "keymap: the instruments screen opens" wait_for "Slot 01"
keys C-o
check "keymap: C-o asks what to open" wait_for "Open:"
T send-keys -t ui -l "demo-keymap.xm"
keys Enter
check "keymap: its long import report keeps to the last row, cut with a mark" \
    wait_re "^imported demo-keymap\.xm: .*(…|\.\.\.)$"
check "keymap: ... the body's rows above it are the screen's" body_clean
check "keymap: a sample of the module has no file until saved, and says so" \
    wait_re "Sample +\(written when the song is saved\)"
keys C-s
check "keymap: saving says so on one row" wait_re "^saved .*/demo-keymap\.hiss *$"
check "keymap: then the sample names its file" wait_for "demo-keymap-samples/01-instrument.wav"
check "keymap: no letter of the report left" body_clean
keys C-q
check "keymap: quit" wait_for "hiss exited 0"

# Sample digging: a new song takes an instrument out of a module.
mkdir -p "$TMP/dig"
cp "$TMP/mods/demo.xm" "$TMP/dig/demo.xm"
EDITOR_DIR=$TMP/dig start_editor "" "beat.hiss"
check "a new song opens" wait_for "new song"
keys C-t
check "the instruments screen opens" wait_for "Slot 01"
keys L
check "the browser lists the module like a directory" wait_for "demo.xm/"
keys Down Enter
check "Enter opens it: its instruments are listed" wait_for "01 instrument"
check "the header names the module" wait_for "/dig/demo.xm"
keys Down p
check "p plays the instrument" wait_for "playing 01 instrument"
keys Enter
check "Enter loads it into slot 01" wait_for "loaded 01 instrument into slot 01"
keys C-s
check "the song saves" wait_written "$TMP/dig/beat.hiss" none
check "with the module's sample written beside it" \
    compgen -G "$TMP/dig/beat-samples/01-*.wav" >/dev/null
check "and named by the song" grep -qF 'sample "beat-samples/01-' "$TMP/dig/beat.hiss"
check "the module is untouched" cmp -s "$TMP/dig/demo.xm" "$TMP/mods/demo.xm"
keys C-q
check "quit" wait_for "hiss exited 0"
check "the song renders with the sample found" \
    "$HISS" render -q "$TMP/dig/beat.hiss" -o "$TMP/dig.wav"
finish
