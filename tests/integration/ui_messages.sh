#!/bin/bash
# What the editor says, checked at 80x24 through tmux:
# - autosave's warning about a planted recovery link stays on screen
#   through the next key, so it can be read;
# - a save refused because of a backup link says "not saved" once;
# - the sample browser's filter starts afresh: a new filter on each `/`,
#   none after a load and reopening, and the hint says how to clear it
#   without losing its own last words;
# - nothing changes silently: a name cut to fit, a volume over 40 written
#   as 40, fewer channels dropping notes are each said on the status line;
# - a channel removed and added again comes back with a fresh strip, and
#   undo and redo of both bring back and take away its name and fader;
# - a note written or played that plays nothing (a slice the sample
#   lacks, an empty instrument slot) says why.
# - a sample missing from a song is said as it opens, over the passing
#   note on MIDI, after Ctrl-O, and after restoring unsaved edits.
# - a sample cut short is said too: loading it into a slot says it loaded
#   and that the file looks truncated, in one message; a song using one
#   says so as it opens, after Ctrl-O and after restoring, beside its
#   missing samples when it has both, with the reason kept for help.
set -u
SOCK=hiss-ui-msg-$$
. "$(dirname "$0")/lib/tmux_ui.sh"

# ---- the autosave link warning stays readable ----
small_song "$TMP/link.hiss"
printf 'not a song\n' >"$TMP/victim"
ln -s victim "$TMP/.link.hiss.recover"
start_editor "HISS_AUTOSAVE_SECONDS=1" "link.hiss"
check "the song opens" wait_for "000│... .. .."
keys z
check "autosave warns about the link" wait_for "symbolic link"
keys x
check "the next note is typed" wait_for "001│D-4"
check "the warning is still there after that key" shows "symbolic link"
check "the victim is untouched" grep -qx "not a song" "$TMP/victim"
keys C-q n
check "quit" wait_for "hiss exited 0"

# ---- a backup link: "not saved" said once ----
small_song "$TMP/s.hiss"
ln -s victim "$TMP/s.hiss~"
start_editor "" "s.hiss"
check "the song with a backup link opens" wait_for "000│... .. .."
keys z C-s
check "the save is refused because of the link" wait_for "is a symbolic link"
check "the message says 'not saved' once" \
    test "$(screen | grep -o 'not saved' | wc -l)" = 1
keys C-q n
check "quit" wait_for "hiss exited 0"

# into_kit FILE: from the pattern screen, the browser in kit/, showing FILE.
into_kit() {
    keys C-t
    check "the instruments screen opens" wait_for "Slot 01"
    keys L
    check "the browser opens" wait_for "kit/"
    keys Down Enter
    check "into kit/" wait_for "$1"
}

# ---- the browser's filter ----
mkdir -p "$TMP/kit"
cp samples/snare.wav samples/kick.wav samples/hat_closed.wav "$TMP/kit/"
start_editor "" "browse.hiss"
check "a new song opens" wait_for "PATTERN"
into_kit snare.wav
keys /
T send-keys -t ui -l "snare"
keys Enter
check "the filter shows with how to clear it" wait_for "[snare] (/ Enter: all)"
check "the hint keeps its keys whole" shows "Backspace up"
keys Down Enter
check "Enter loads the sample" wait_for "loaded snare.wav into slot 01"
keys L
check "the browser opens again" wait_for "Load into slot"
check "without the old filter: every file shows" wait_for "kick.wav"
check "and the hint shows no filter" shows_not "[snare]"
keys /
check "/ asks for a new filter, empty" wait_re "Filter \(empty shows all\): *$"
T send-keys -t ui -l "hat"
keys Enter
check "the new filter is only what was typed" wait_for "[hat]"
check "and shows only its file" shows_not "kick.wav"
keys / Enter
check "/ Enter shows all again" wait_for "kick.wav"
keys /
T send-keys -t ui -l "a-filter-far-too-long-for-the-hint-line-x"
keys Enter
check "a long filter is shortened in the hint" wait_for "[a-filter-f"
check "the hint still ends with how to clear it" shows "...] (/ Enter: all)"
check "and no key's name is cut" shows "Backspace up"
keys Escape C-q n
check "quit" wait_for "hiss exited 0"

# ---- changes that are said, not silent ----
small_song "$TMP/said.hiss"
sed -i 's/^000 |\(.*\)|\.\.\. \.\. /000 |\1|E-4 01 /' "$TMP/said.hiss"
start_editor "" "said.hiss"
check "the song with a note in channel 2 opens" wait_for "│E-4 01"
keys Right Right Right F
check "F in the volume column says the 40 cap" \
    wait_for "volume F0 is over the top (40): wrote 40"
check "and 40 is written" wait_for "000│... .. 40"
keys C-t
check "the instruments screen opens" wait_for "Slot 01"
keys R C-u
T send-keys -t ui -l "a-name-of-forty-bytes-for-a-slot-0123456"
keys Enter
check "a 40-byte name is cut to 31, and said" \
    wait_for "name cut to 31 bytes (the most a name holds): a-name-of-forty-bytes-for-a-slo"
keys C-g
check "the settings screen opens" wait_for "Channels"
# Channels: the seventh from the end (see ui_ports.sh).
keys End Up Up Up Up Up Up Left
check "Channels 2 -> 1 says channel 2's cell is gone" \
    wait_for "Channels 1: 1 filled cell of channel 2 and up is gone (undo brings it back)"
keys C-q n
check "quit" wait_for "hiss exited 0"

# ---- a channel removed and added again starts fresh ----
small_song "$TMP/chans.hiss"
start_editor "" "chans.hiss"
check "the two-channel song opens" wait_for "000│... .. .."
keys C-a Down N
T send-keys -t ui -l "clap"
keys Enter + +
check "channel 2 is named clap, its fader raised" wait_re " 02 clap +-14\.0 "
keys C-g End Up Up Up Up Up Up Left
check "Channels 2 -> 1" wait_re "Channels +1 *$"
keys Right C-a
check "channel 2 added again has no name and the default fader" \
    wait_re " 02 +-15\.0 +0 "
keys C-z C-z
check "undoing both brings back its name and fader" wait_re " 02 clap +-14\.0 "
keys C-y C-y
check "and redoing both takes them again" wait_re " 02 +-15\.0 +0 "
keys C-q n
check "quit" wait_for "hiss exited 0"

# ---- a note that plays nothing says why ----
mkdir -p "$TMP/songs"
ln -sfn "$(pwd)/samples" "$TMP/samples"
sed 's/^\(instrument 0D "break".*\)$/\1 slice_mode on/' patterns/demo.hiss >"$TMP/songs/slices.hiss"
start_editor "" songs/slices.hiss
check "the demo with the break in slice mode opens" wait_for ": Dusty"
for _ in $(seq 1 12); do keys ')'; done
check "instrument 0D is chosen" wait_for "Ins 0D"
# Samples load after the song opens; a note typed before has nothing to
# say yet (the instruments screen shows the break once it is there).
keys C-t
check "... and the break has loaded" wait_for "59392 frames at 44100 Hz"
keys C-e
keys m
check "B-4 is past the break's 8 slices, and said" \
    wait_for "slice 12 past the sample's 8 slices: the note plays nothing"
check "the note is written all the same" shows "000│B-4 0D"
keys z
check "C-4 plays slice 1: the warning goes" wait_for "001│C-4 0D"
check "... and is not left on the status line" shows_not "plays nothing"
for _ in $(seq 1 6); do keys ')'; done
check "instrument 13, an empty slot, is chosen" wait_for "Ins 13"
keys x
check "a note of an empty slot says it is empty" \
    wait_for "instrument 13 is empty: the note plays nothing"
check "and it is written" shows "002│D-4 13"
# Played, not written (edit mode off, stopped): the audition says so too.
for _ in $(seq 1 6); do keys '('; done
check "back on the break" wait_for "Ins 0D"
keys z
check "C-4 of the break again: the hint goes" wait_for "003│C-4 0D"
check "... from the status line" shows_not "plays nothing"
keys Escape
check "edit mode off" wait_re "Ins 0D edit "
for _ in $(seq 1 6); do keys ')'; done
check "the empty slot chosen" wait_re "Ins 13 edit "
keys c
check "a note of the empty slot played in says so too" \
    wait_for "instrument 13 is empty: the note plays nothing"
check "... and nothing is written" shows "004│... .. "
keys C-q n
check "quit" wait_for "hiss exited 0"

# ---- missing samples are said when a song opens ----
mkdir -p "$TMP/songs"
ln -sfn "$(pwd)/samples" "$TMP/samples"
sed 's#"../samples/break.wav"#"nothere.wav"#' patterns/demo.hiss >"$TMP/songs/miss.hiss"
MISSING='1 sample missing (see instruments): nothere.wav (0D "break")'
start_editor "" songs/miss.hiss
check "opening: the missing sample is named" wait_for "$MISSING"
check "... before the note on MIDI" shows_not "MIDI"
keys C-o C-u
T send-keys -t ui -l "songs/miss.hiss"
keys Enter
check "Ctrl-O: it is said again" wait_for "$MISSING"
check "... once" test "$(screen | grep -o 'nothere' | wc -l)" = 1
keys C-q
check "quit" wait_for "hiss exited 0"
touch -d '1 minute ago' "$TMP/songs/miss.hiss"
sed 's/^000 |\.\.\. \.\. /000 |E-4 01 /' "$TMP/songs/miss.hiss" >"$TMP/songs/.miss.hiss.recover"
start_editor "XDG_STATE_HOME=$TMP/state" songs/miss.hiss
check "the recovery is offered" wait_for "(k)eep both"
keys r
check "restored" wait_for "restored unsaved edits"
check "... and then the missing sample is named" wait_for "$MISSING"
keys C-q n
check "quit once more" wait_for "hiss exited 0"

# ---- a sample cut short: on loading it, and when a song using it opens ----
head -c 5000 samples/snare.wav >"$TMP/kit/cut.wav"
start_editor "" "cut.hiss"
check "a new song opens" wait_for "PATTERN"
into_kit cut.wav
keys /
T send-keys -t ui -l "cut"
keys Enter Down
check "the cut file is the one shown" wait_for "[cut]"
keys Enter
check "loading it says it loaded and that it looks truncated, with the frames" \
    wait_for "loaded cut.wav into slot 01 (the file looks truncated: loaded the 2478 frame"
keys C-q n
check "quit" wait_for "hiss exited 0"

head -c 5000 samples/snare.wav >"$TMP/songs/cut.wav"
sed 's#"../samples/break.wav"#"cut.wav"#' patterns/demo.hiss >"$TMP/songs/cut.hiss"
DAMAGED='1 sample damaged, loaded in part or repaired: cut.wav (0D "break")'
start_editor "" songs/cut.hiss
check "opening: the sample cut short is named" wait_for "$DAMAGED"
keys C-o C-u
T send-keys -t ui -l "songs/cut.hiss"
keys Enter
check "Ctrl-O: it is said again" wait_for "$DAMAGED"
keys '?'
check "help keeps the reason whole" \
    wait_for "songs/cut.hiss: instrument 0D 'break': cut.wav: the file looks truncated:"
check "... with the frames present" shows "loaded the 2478 frames present"
keys Escape
sed 's#"../samples/kick.wav"#"nothere.wav"#' "$TMP/songs/cut.hiss" >"$TMP/songs/both.hiss"
keys C-o C-u
T send-keys -t ui -l "songs/both.hiss"
keys Enter
check "missing and damaged: both counts on the line" \
    wait_for '1 sample missing (see instruments), 1 damaged: nothere.wav (01 "kick");'
keys '?'
check "help has the whole line" wait_for 'damaged, loaded in part or repaired: cut.wav (0D'
check "... and both reasons" shows "cannot open nothere.wav"
check "... and the cut one's" shows "cut.wav: the file looks truncated:"
keys Escape C-t
for _ in $(seq 1 12); do keys Down; done
check "the instruments list marks the damaged sample's slot" wait_re "0D break +!"
check "... and the missing one's" shows_re "01 kick +!"
check "the damaged one's sample field says so" \
    shows "cut.wav  [damaged: loaded in part or repaired]"
keys Escape C-q
check "quit" wait_for "hiss exited 0"
touch -d '1 minute ago' "$TMP/songs/cut.hiss"
sed 's/^000 |\.\.\. \.\. /000 |E-4 01 /' "$TMP/songs/cut.hiss" >"$TMP/songs/.cut.hiss.recover"
start_editor "XDG_STATE_HOME=$TMP/state" songs/cut.hiss
check "the recovery is offered" wait_for "(k)eep both"
keys r
check "restored" wait_for "restored unsaved edits"
check "... and then the sample cut short is named" wait_for "$DAMAGED"
keys C-q n
check "quit once more" wait_for "hiss exited 0"

finish
