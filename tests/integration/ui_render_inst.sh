#!/bin/bash
# Render to instrument: the demo's first pattern resampled inside the
# editor into a new slot at 22050 Hz and 8 bits, as a beatmaker bounces two
# bars to crunch them and chop them again. The new file is what `hiss
# render` makes of the same bars within half an 8-bit step, every value on
# the 8-bit grid, sliced on its beats; one undo takes the slot back.
set -u
SOCK=hiss-ui-render-inst-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
JACKREC=$(dirname "$HISS")/tools/jackrec

open_demo_copy
SONG=$DEMO
SONGS=$(dirname "$SONG")
check "the song opens" wait_for ": Dusty"
check "its samples load" wait_for "? help"
keys C-t
check "the instruments screen opens" wait_for "Slot 01"
# G waits for the samples ("still loading; again in a moment"), and the
# key hints can show before the loading does: ask again until it asks.
# A G typed into the prompt meanwhile is cleared with it (C-u below).
ask_render() {
    for _ in $(seq 1 15); do
        keys G
        WAIT_STEPS=20 wait_re "Render pattern 00 to a new slot: rate bits \[tail\]: [0-9]+ 16" &&
            return 0
    done
    return 1
}
check "G asks the rate and bits" ask_render
keys C-u
T send-keys -t ui -l "22050 8"
keys Enter
check "the pattern lands in the first empty slot" \
    wait_re "render: pattern 00 into slot 0F as pattern00-22050hz8bit\.wav"
NEW=$SONGS/pattern00-22050hz8bit.wav
check "the slot is named after the pattern" wait_for "0F pattern 00 render"
check "sliced on its beats" wait_re "Slice 1/16 "
# The pattern's length: rows x speed ticks of 2.5/BPM s at 22050 Hz.
bpm=$(grep -oE "^bpm [0-9]+" "$SONG" | grep -oE "[0-9]+")
speed=$(grep -oE "^speed [0-9]+" "$SONG" | grep -oE "[0-9]+")
rows=$(awk '/^pattern 00/ {print $3; exit}' "$SONG")
want=$(awk -v r="$rows" -v s="$speed" -v b="$bpm" 'BEGIN {printf "%d", r * s * 22050 * 2.5 / b}')
got=$(soxi -s "$NEW" 2>/dev/null)
check "cut to the pattern's length ($rows rows: $want frames, got $got)" \
    [ "${got:-0}" -ge "$want" -a "${got:-0}" -le $((want + 1)) ]
check "at 22050 Hz" [ "$(soxi -r "$NEW" 2>/dev/null)" = 22050 ]
off_grid=$(sox "$NEW" -t s32 - | od -An -t d4 -v | tr -s ' ' '\n' |
    awk 'NF && $1 % 16777216 != 0' | head -1)
check "every value on the 8-bit grid" [ -z "$off_grid" ]
"$HISS" render "$SONG" --rate 22050 -o "$TMP/ref.wav" >"$TMP/render.log" 2>&1 || cat "$TMP/render.log"
check "the same bars as hiss render, within half an 8-bit step" \
    "$JACKREC" compare "$TMP/ref.wav" "$NEW" --tol 0.0040 --offset 0 --frames "$got" --min-frames "$got" >&2
# Matching to a twentieth of a step would mean the 8 bits did nothing.
coarser() { ! "$JACKREC" compare "$1" "$2" --tol 0.0002 --offset 0 --frames "$3" --min-frames "$3" >/dev/null; }
check "and not the same to a finer step (it was crushed)" coarser "$TMP/ref.wav" "$NEW" "$got"
keys C-z
check "undo empties the slot again" wait_re "0F +│"
keys C-y
check "redo brings it back" wait_for "0F pattern 00 render"
stamp=$(file_stamp "$SONG")
keys C-s
wait_written "$SONG" "$stamp"
check "the song names the new file" wait_file "$SONG" "pattern00-22050hz8bit.wav"

# With its tail: the pattern's last notes, delays and reverb ring out past
# its end instead of being cut; up to there it is the same bars.
keys G
keys C-u
T send-keys -t ui -l "22050 16 tail"
keys Enter
check "a render with its tail lands in the next slot" \
    wait_re "render: pattern 00 into slot 10 as pattern00-22050hz16bit-tail\.wav"
TAILED=$SONGS/pattern00-22050hz16bit-tail.wav
long=$(soxi -s "$TAILED" 2>/dev/null)
check "it runs on past the pattern's $got frames ($long)" [ "${long:-0}" -gt $((got + 2205)) ]
check "the bars before the tail are hiss render's, within half a 16-bit step" \
    "$JACKREC" compare "$TMP/ref.wav" "$TAILED" --tol 0.0000160 --offset 0 --frames "$got" \
    --min-frames "$got" >&2
tail_peak=$(sox "$TAILED" -n trim "${got}s" stat 2>&1 | awk '/Maximum amplitude/ {print $3}')
check "and the tail is sound, not silence (peak $tail_peak)" \
    awk -v p="${tail_peak:-0}" 'BEGIN { exit !(p > 0.001) }'
keys C-z
check "undo takes it back" wait_re "10 +│"

# A selection renders its rows and channels alone: channel 1 selected on
# the pattern screen is what hiss render --stems writes for it.
keys C-e
check "the pattern screen" wait_for "PATTERN"
keys M-l
keys C-t
keys G
check "G asks again" wait_re "Render pattern 00 to a new slot: rate bits"
keys C-u
T send-keys -t ui -l "22050 16"
keys Enter
check "the selection lands in the next slot" \
    wait_re "render: rows 0\.\.63 of channels 1\.\.1 into slot 10 as pattern00-22050hz16bit\.wav"
mkdir -p "$TMP/stems"
"$HISS" render "$SONG" --rate 22050 --stems "$TMP/stems" -o "$TMP/mix.wav" >"$TMP/stems.log" 2>&1 ||
    cat "$TMP/stems.log"
STEM=$(ls "$TMP"/stems/*-01-*.wav 2>/dev/null | head -1)
SEL=$SONGS/pattern00-22050hz16bit.wav
check "channel 1 alone, as its stem, within half a 16-bit step" \
    "$JACKREC" compare "$STEM" "$SEL" --tol 0.0000160 --offset 0 --frames "$got" --min-frames "$got"
check "not the whole mix" coarser "$TMP/ref.wav" "$SEL" "$got"
keys C-q
discard_if_asked "hiss exited 0"
check "quits" wait_for "hiss exited 0"

finish
