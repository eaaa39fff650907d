#!/bin/bash
# A module opens in the editor as a song to save beside it: the import
# report's news shows, saving writes demo.hiss, its samples as WAVs in
# demo-samples/ and demo.import.txt, never the module, and the saved song
# renders exactly like the module.
set -u
SOCK=hiss-ui-module-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
export XDG_STATE_HOME=$TMP/state
GEN=${BUILD:-build}/tests/test_module

mkdir -p "$TMP/mods"
check "the test modules are written" "$GEN" --write "$TMP/mods"
for ext in mod s3m xm it; do
    rm -rf "$TMP/mods/demo.hiss" "$TMP/mods/demo-samples" "$TMP/mods/demo.import.txt"
    before=$(cksum <"$TMP/mods/demo.$ext")
    EDITOR_DIR=$TMP/mods start_editor "" "demo.$ext"
    check "$ext: the editor opens it and says what the import lost" \
        wait_for "imported demo.$ext:"
    check "$ext: the header names the song it will save" wait_for "demo.hiss"
    keys C-s
    check "$ext: saving writes demo.hiss" wait_written "$TMP/mods/demo.hiss" none
    check "$ext: and says so" wait_for "saved demo.hiss"
    check "$ext: the samples are WAV files beside it" \
        compgen -G "$TMP/mods/demo-samples/01-*.wav"
    check "$ext: the report is saved beside it, with the tremolo's place" \
        grep -qF "order 0 row 8 channel 3: dropped: tremolo (7xy)" "$TMP/mods/demo.import.txt"
    check "$ext: the module is untouched" test "$(cksum <"$TMP/mods/demo.$ext")" = "$before"
    keys C-q
    check "$ext: quit" wait_for "hiss exited 0"
    check "$ext: the module renders" \
        "$HISS" render -q "$TMP/mods/demo.$ext" -o "$TMP/module.wav"
    check "$ext: the saved song renders" \
        "$HISS" render -q "$TMP/mods/demo.hiss" -o "$TMP/saved.wav"
    check "$ext: to the same audio" cmp -s "$TMP/module.wav" "$TMP/saved.wav"
done
finish
