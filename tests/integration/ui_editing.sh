#!/bin/bash
# The editor driven through tmux as a person would: enter a beat in several
# channels, select/copy/paste/transpose, undo, save with Ctrl-S and read the
# saved text; save-as; the help screen; quitting with unsaved changes.
set -u
SOCK=hiss-ui-edit-$$
. "$(dirname "$0")/lib/tmux_ui.sh"

start() {
    start_editor "" "$1"
    wait_for "PATTERN"
}
# The cells of one saved row, e.g. row_of FILE 4 -> "C-4 01 .. ... ...|..."
row_of() { grep -E "^$(printf '%03d' "$2") \|" "$1"; }

SONG=$TMP/beat.hiss
check "a missing file opens as a new song" start beat.hiss
check "it says the file is created on first save" wait_for "created on first save"
check "edit mode is on at start" wait_for "EDIT"

# Channel 1: kick on every beat (edit step 4).
keys '}' '}' '}'
check "edit step goes to 4" wait_for "Step 4"
keys z z z z
check "notes land on rows 0 4 8 12" wait_for "012│C-4 01 .. ... ...│"
# Channel 2: D-4 on the off-beats; channel 3: notes from the upper row.
keys Tab Home Down Down Down Down x x
check "second channel gets notes" wait_for "008│C-4 01 .. ... ...│D-4 01"
keys Tab Home q w
check "third channel gets C-5" wait_for "000│C-4 01 .. ... ...│... .. .. ... ...│C-5 01"
keys C-s
check "Ctrl-S saves" wait_for "saved beat.hiss"
check "the file now exists" test -f "$SONG"
check "saved row 0" test "$(row_of "$SONG" 0)" = \
    "000 |C-4 01 .. ... ...|... .. .. ... ...|C-5 01 .. ... ...|... .. .. ... ...|"
check "saved row 4" test "$(row_of "$SONG" 4)" = \
    "004 |C-4 01 .. ... ...|D-4 01 .. ... ...|D-5 01 .. ... ...|... .. .. ... ...|"
check "saved row 8" test "$(row_of "$SONG" 8)" = \
    "008 |C-4 01 .. ... ...|D-4 01 .. ... ...|... .. .. ... ...|... .. .. ... ...|"
check "saved row 12" test "$(row_of "$SONG" 12)" = \
    "012 |C-4 01 .. ... ...|... .. .. ... ...|... .. .. ... ...|... .. .. ... ...|"
check "the header has no dirty marker after saving" wait_gone "[+]"

# Block: rows 0..4 of channel 1, copy, paste at row 16.
keys BTab BTab Home M-b Down Down Down Down M-e
keys M-c
check "copy reports the block size" wait_for "copied 5x1"
keys Home PageDown
keys C-v
check "paste puts the block at row 16" wait_for "016│C-4 01"
check "the dirty marker shows" wait_for "[+]"
# Transpose the whole channel up a semitone, then undo it.
keys M-l +
check "transpose raises every note of the channel" wait_for "000│C#4 01"
check "pasted notes are transposed too" wait_for "016│C#4 01"
keys C-z
check "undo brings C-4 back" wait_for "000│C-4 01"
check "and says what it took back" wait_re "undone: [0-9]+ notes in pattern 00"
check "undo restores the pasted rows too" wait_for "016│C-4 01"
keys C-y
check "redo transposes again" wait_for "000│C#4 01"
check "and says so" wait_re "redone: [0-9]+ notes in pattern 00"
keys C-z M-u
keys C-s
check "second save" wait_for "saved beat.hiss"
check "pasted row 16 saved" test "$(row_of "$SONG" 16)" = \
    "016 |C-4 01 .. ... ...|... .. .. ... ...|... .. .. ... ...|... .. .. ... ...|"
check "row 20 saved" test "$(row_of "$SONG" 20 | cut -c1-23)" = "020 |C-4 01 .. ... ...|"
check "row 1 stays empty" test "$(row_of "$SONG" 1 | cut -c1-23)" = "001 |... .. .. ... ...|"

# Note-off, note-cut, hex entry in the volume column, delete.
keys Home Right Right Right 4 0
check "volume typed as hex" wait_for "000│C-4 01 40"
keys Left Left Left Down Down a 1
check "note-off entered" wait_for "006│==="
check "note-cut on the next step" wait_for "010│^^^"
keys Up Up Up Up Delete
check "Delete clears the cell" wait_for "010│... .. .. ... ...│"

# Interpolate volumes across a block, set the instrument on its notes.
keys Home Right Right Right Down Down Down Down 0 0
check "volume 00 typed at row 4" wait_for "004│C-4 01 00"
keys Home M-b Down Down Down Down M-e
keys %
check "% interpolates the volumes in between" wait_for "002│... .. 20"
check "row 1 gets its share" wait_for "001│... .. 30"
keys ')'
check ") picks the next instrument" wait_for "Ins 02"
keys '$'
check "\$ sets it on the block's notes" wait_for "004│C-4 02 00"
check "the first note too" wait_for "000│C-4 02 40"
keys '(' M-u Left Left Left

# Help lists the keys of the pattern screen from the key table.
keys '?'
check "help opens" wait_for "Keys of the PATTERN screen"
check "help lists note_off" wait_for "note_off"
# The global keys follow the screen's own: page down until they show.
for _ in 1 2 3 4 5 6; do shows "save the song" && break; keys PageDown; sleep 0.3; done
check "help lists global keys" wait_for "save the song"
keys Escape
check "Esc closes help" wait_for "000│C-4 02 40"

# Save as: a one-line prompt for the path.
keys C-w
check "save-as prompts" wait_for "Save as:"
keys C-u
T send-keys -t ui -l "copy.hiss"
keys Enter
check "save-as writes the new file" wait_for "saved copy.hiss"
check "copy exists" test -f "$TMP/copy.hiss"
check "copy has the volume" test "$(row_of "$TMP/copy.hiss" 0 | cut -c1-23)" = "000 |C-4 02 40 ... ...|"

# Quitting with unsaved changes asks first; "c" cancels, "n" quits.
keys Home Down Down Down Down Down Down Down Down Down z
check "a note on row 9, not saved" wait_for "009│C-4"
keys C-q
check "quit asks about unsaved changes" wait_for "Save changes before quitting?"
keys c
check "cancel keeps the editor" wait_for "cancelled"
keys C-q
wait_for "Save changes before quitting?" >/dev/null
keys n
check "n quits without saving" wait_for "hiss exited 0"
check "the unsaved note is not in the file" \
    test "$(row_of "$TMP/copy.hiss" 9 | cut -c1-23)" = "009 |... .. .. ... ...|"

# Modes, octave, mute/solo, patterns: what the header and screen show.
check "reopen for the modes" start copy.hiss
keys '~'
check "~ turns jam mode on" wait_for "JAM"
# x (D-4) where C-4 stands: written, it would show. Each "nothing is
# written" look comes after a later key's own effect showed, so the x
# has been handled by then.
keys Home x
keys '~' Escape
check "Esc turns edit mode off" wait_for "edit jam"
check "in jam mode a note key only plays" shows "000│C-4 02 40"
keys x
# Esc followed at once by a printable key reads as Alt+key, so wait.
keys Escape
check "Esc turns edit mode on again" wait_for "EDIT"
check "with edit mode off nothing is written" shows "000│C-4 02 40"
keys ']' ']'
check "] raises the octave" wait_for "Oct 6"
keys Down z
check "notes go in at the new octave" wait_for "001│C-6 01"
keys ','
check ", mutes the channel" wait_for "MUTE"
check "the header counts muted channels" wait_for "M1"
keys '/'
check "/ solos it" wait_for "SOLO MUTE"
keys M-r C-u
T send-keys -t ui -l "24"
keys Enter
check "M-r sets the pattern length" wait_for "pattern 00 has 24 rows"
keys M-d
check "M-d clones the pattern" wait_for "pattern copied to 01"
keys '<'
check "< goes back to pattern 00" wait_for "Pat 00"
keys '>'
check "> goes to pattern 01" wait_for "Pat 01"
keys C-z
check "undo removes the clone" wait_for "Pat 00"
keys C-q n
check "quit without saving" wait_for "hiss exited 0"

# Opening an existing song shows its contents.
check "reopening shows the saved song" start copy.hiss
check "saved notes come back" wait_for "000│C-4 02 40"
keys C-q
check "quit with nothing unsaved is immediate" wait_for "hiss exited 0"

finish
