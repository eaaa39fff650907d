#!/bin/bash
# A value typed where it does not fit is answered with what fits: every
# enumerated field lists its choices (raw|linear|sinc...), every number its
# range, instead of "not possible here". Nothing changes in the song.
set -u
SOCK=hiss-ui-values-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
open_demo_copy
check "the demo opens" wait_for ": Dusty"

# ---- instruments ----
keys C-t Tab
check "the instruments screen opens on slot 01" wait_for "Slot 01"
keys Down Down Down Down Down Down Down Down Down
type_into Interpolation wobbly
check "a wrong interpolation lists the modes" \
    wait_re "Interpolation: 'wobbly' is not one of raw\\|linear\\|(.*\\|)?sinc"
check "and the mode stays as it was" wait_re "Interpolation +linear"
keys Up Up Up
type_into Loop sideways
check "a wrong loop mode lists the modes" \
    wait_for "Loop: 'sideways' is not one of off|forward|pingpong"
keys Up Up Up Up
type_into Volume 99
check "a volume out of range gives the range" \
    wait_for "Volume: 99 is out of range (0..64)"
keys Down
type_into Pan 300
check "a pan out of range gives the range" \
    wait_for "Pan: 300 is out of range (-100..100)"
# A prompt offers the value marked: the first character typed replaces
# it; an editing key first keeps it to edit.
keys Up Enter
check "Enter offers the volume" wait_for "Volume: 64"
check "the value offered is marked (reverse video)" \
    wait_until bash -c "tmux -L '$SOCK-$RUNS' capture-pane -p -e -t ui | grep -qE $'Volume: \e\\[[0-9;]*7[0-9;]*m64'"
T send-keys -t ui -l "40"
check "typing replaces the value offered" wait_for "Volume: 40"
keys Enter
check "and Enter sets it" wait_re "Volume +40"
keys Enter
check "the new value is offered" wait_for "Volume: 40"
keys BSpace
T send-keys -t ui -l "2"
check "Backspace keeps the value to edit" wait_for "Volume: 42"
keys Enter
check "and Enter sets the edited one" wait_re "Volume +42"
keys Enter
check "offered again" wait_for "Volume: 42"
keys Left
T send-keys -t ui -l "1"
check "Left keeps it too: what is typed goes after it" wait_for "Volume: 421"
keys Escape
check "Esc leaves the volume as it was" wait_re "Volume +42"
keys C-z C-z
check "undo takes both changes back" wait_re "Volume +64"
# The kick's loop is off 0 0 (an end of 0 is the sample's end): moving
# its start leaves the end at the sample's end, not a one-frame loop.
keys Down Down Down Down Down +
check "+ moves the loop start by a hundredth of the sample" wait_re "Loop start +177"
check "and the loop end is the sample's end, 17640" wait_re "Loop end +17640"
keys C-z
check "undo puts the loop back" wait_re "Loop start +0"
# A loop value the sample cannot take is set to what it can, and said.
type_into "Loop start" 99999
check "a loop start past the end says what it took" \
    wait_for "loop start 99999 is past the sample's end: 17640"
keys Down
type_into "Loop end" 100
check "a loop end before the start says what it took" \
    wait_for "loop end 100 is before the loop start: 17640"
keys Up Up
type_into Loop forward
check "the loop goes on" wait_re "Loop +forward"
keys Down
type_into "Loop start" 20000
check "looping, the start stays a frame before the end" \
    wait_for "loop start 20000 is past the sample's end: 17639"
keys Down
type_into "Loop end" 100
check "and an end before it moves the start" \
    wait_for "loop end 100: the loop start moved to 99 to stay before it"
keys C-z C-z C-z C-z C-z
check "undo puts the loop back again" wait_re "Loop start +0"
keys Up Up Up Up Up Up

# ---- song settings ----
# How effects play, at the end of the page: shown, switched, typed, undone,
# and saved.
keys C-g End
check "FT2 tremor is last, off for the demo" wait_re "> *FT2 tremor +off|FT2 tremor +off"
check "FT2 vibrato, tremolo and glissando are shown" wait_re "FT2 vib/trem/gliss +off"
check "the global volume is shown" wait_re "Global volume \\(/64\\) +64"
keys Up Up
check "Amiga slides are off for the demo" wait_re "Amiga slides +off"
keys Enter
check "Enter switches them on" wait_re "Amiga slides +on"
keys C-z
check "undo switches them off again" wait_re "Amiga slides +off"
keys Enter Up
type_into "Global volume (/64)" 32
check "a typed global volume is taken" wait_re "Global volume \\(/64\\) +32"
type_into "Global volume (/64)" 65
check "and one too big gives the range" wait_for "Global volume (/64): 65 is out of range (0..64)"
before=$(file_stamp "$DEMO")
keys C-s
check "the song is saved" wait_written "$DEMO" "$before"
check "with the slides" grep -qx "slides amiga" "$DEMO"
check "and the global volume" grep -qx "global_volume 32" "$DEMO"
keys C-z
check "undo names the setting and its values" wait_for "undone: global volume 32 -> 64"
keys C-z
check "undo brings both back" wait_re "Global volume \\(/64\\) +64"
check "and names the next one" wait_for "undone: slides"
keys Up
check "the limiter is on" wait_re "Limiter +on"
keys Enter
check "Enter flips a switch rather than ask for a value" wait_re "Limiter +off"
keys Enter
check "and flips it back" wait_re "Limiter +on"
check "no prompt opened" shows_not "Limiter:"
keys C-z C-z
keys Home Down
type_into BPM 999
check "a tempo out of range gives the range" \
    wait_for "BPM: 999 is out of range (32.0..255.0 BPM)"
keys C-q
check "quitting asks to save the settings undone since the save" wait_for "Save changes"
keys n
check "and quits without" wait_for "hiss exited 0"

finish
