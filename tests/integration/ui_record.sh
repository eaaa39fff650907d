#!/bin/bash
# Recording a take as a user would: the song opens with record off, so
# note keys while it plays only play; with record on they are written
# where the playhead is, and the whole pass is one undo step.
set -u
SOCK=hiss-ui-record-$$
. "$(dirname "$0")/lib/tmux_ui.sh"

# Slow enough that a row lasts 2.4 s (32 BPM, 31 ticks a row): the
# playhead stays on the screen and both notes fall in one pass.
{
    printf 'hiss 1\ntitle "take"\nbpm 32\nspeed 31\nrows_per_beat 4\nswing 0\n'
    printf 'master_gain 0.0\nlimiter on\nchannels 2\n\norder 00\n\npattern 00 16\n'
    for r in $(seq 0 15); do
        printf '%03d |... .. .. ... ...|... .. .. ... ...|\n' "$r"
    done
} >"$TMP/take.hiss"

start_editor "" take.hiss
check "the song opens" wait_for "take"
check "record is off when a song opens" shows_not "REC "
keys C-p
check "playing" wait_re "▶ loop P00:00[0-9] 0:0[0-9] "
keys q
keys @
check "the quantize key answers" wait_for "record quantize: beat"
check "with record off a note key while playing writes nothing" shows_not "C-5 01"
keys @ @
check "quantize back to row" wait_for "record quantize: row"
keys !
check "record on shows in the header" wait_for "REC row"
keys q Tab w
check "the first note is written" wait_for "C-5 01"
check "the second note is written on the next channel" wait_for "D-5 01"
keys !
check "record off" wait_for "record off"
keys F8
keys C-z
check "one undo takes the whole pass" wait_gone "D-5 01"
check "both notes went with it" shows_not "C-5 01"
keys C-y
check "redo brings the pass back" wait_for "D-5 01"
check "with both notes" shows "C-5 01"
keys C-q
check "asks to save" wait_re "[Ss]ave"
keys n
check "quits" wait_for "hiss exited 0"

# Replace: a 16-row pattern at 125 BPM (2 s a pass) with an old note on
# row 5 of the cursor's channel; recording in replace mode clears it as
# the playhead passes, and undo brings it back.
{
    printf 'hiss 1\ntitle "redo"\nbpm 125\nspeed 6\nrows_per_beat 4\nswing 0\n'
    printf 'master_gain 0.0\nlimiter on\nchannels 1\n\norder 00\n\npattern 00 16\n'
    for r in $(seq 0 15); do
        if [ "$r" = 5 ]; then printf '%03d |C-3 01 .. ... ...|\n' "$r"
        else printf '%03d |... .. .. ... ...|\n' "$r"; fi
    done
} >"$TMP/redo.hiss"
start_editor "" redo.hiss
check "the song with its old note opens" wait_for "C-3 01"
keys C-p
keys '^'
check "replace mode" wait_for "record replace"
check "overdub kept the note so far" shows "C-3 01"
keys !
check "recording" wait_for "REC row"
check "replace clears the old note as the playhead passes" wait_gone "C-3 01"
keys !
check "record off in replace mode" wait_for "record off (quantize row, replace)"
keys F8
keys C-z
check "undo brings the replaced note back" wait_for "C-3 01"
keys '^'
check "overdub says what it keeps and what a note replaces" \
    wait_for "record overdub: a note played on a row replaces its note, the rest stay"
keys C-q
check "quits without asking: undo left the song as saved" wait_for "hiss exited 0"
finish
