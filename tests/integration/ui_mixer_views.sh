#!/bin/bash
# The mixer's other views as a user drives them (Tab goes through
# channels, inserts, master, sends): a channel's EQ cut is heard at once
# on its meter while the song plays, undo and redo take it back and bring
# it again, the master's EQ moves the loudness of what goes out, the
# delay's note value and the reverb's decay are set by keys and typed,
# bad input is refused with the range, each change is one undo step, the
# song file keeps them all, and the views survive a 10x5 terminal. The
# lists stop at their ends instead of wrapping round (as every list in
# the editor does). A cut's off lies past its gentle end: a key from off
# starts it there, either way. ASCII (LC_ALL=C).
set -u
SOCK=hiss-ui-mixer-views-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
needs sox

# A 1 kHz sine peaking at -6.0 dBFS through a fader at -10 dB: the
# channel's meter holds -16.0 dBFS; both sides carry it, so its momentary
# loudness is -16.0 LUFS (EBU R 128: a 1 kHz sine at -23 dBFS in both
# channels reads -23 LUFS).
tone_song "$TMP/views.hiss" views 60 12 64 1000 0.501187 'channel 01 gain -10.0 pan 0 mute off solo off'

start_editor "LC_ALL=C" views.hiss
wait_for "views" >/dev/null
wait_loaded 192000
keys C-a
check "the mixer opens on the channels view" wait_for " Mixer: [channels] inserts master sends"
keys Up Enter
check "Up on the first channel stays there (no wrap to the last)" \
    wait_for "Channel 1 Fader (dB):"
keys Escape
keys Tab
check "Tab shows channel 1's inserts" \
    wait_for " Mixer: channels [inserts] master sends  channel 01"
check "... its EQ with units" shows " EQ mid             1000 Hz"
check "... its compressor and key" shows "Comp key           own"
check "... and its ducker" shows "Duck release       200 ms"
check "... the field line gives the range" shows " EQ low cut (20..20000 Hz, or off) | master"
keys -
check "- on a low cut that is off starts it at its gentle end, 20 Hz (not 20000)" \
    wait_for " EQ low cut         20 Hz"
keys -
check "... and a step below that turns it off again" wait_for " EQ low cut         off"
keys Down Down Down Down Down Down Down Down
check "... the high cut gives the same range" shows " EQ high cut (20..20000 Hz, or off) | master"
keys +
check "+ on a high cut that is off starts it at its gentle end, 20000 Hz (not 20)" \
    wait_for " EQ high cut        20000 Hz"
keys +
check "... and a step above that turns it off again" wait_for " EQ high cut        off"
keys Down +
check "Down on a column's last line stays there: + then sets the high cut" \
    wait_for " EQ high cut        20000 Hz"
check "... not the compressor at the top of the next column" shows "Comp               off"
keys +
check "... + again turns the cut off" wait_for " EQ high cut        off"
keys End Up Up Up Up
type_into "Channel 1 Duck from inst" 0a
check "the ducker's key instrument is typed in hex, as the pattern shows it" \
    wait_for "Duck from inst     inst 0A"
keys Home Down Down Down Down
type_into "Channel 1 EQ mid gain" -12
check "Enter types the EQ's mid gain" wait_for " EQ mid gain        -12.0 dB"
keys M-Enter BTab
# -16.0 dBFS less the 12 dB the band takes at its centre.
check "playing, the cut is heard: channel 1's meter holds -28.0 dBFS" \
    wait_re " 01 .*\|-2(7\.9|8\.0|8\.1) *$"
keys C-z
check "undo takes the cut back at once: -16.0 dBFS" wait_re " 01 .*\|-1(5\.9|6\.0|6\.1) *$"
keys C-y
check "redo brings it again" wait_re " 01 .*\|-2(7\.9|8\.0|8\.1) *$"
check "the master's loudness follows: -28.0 LUFS" wait_re " M -2(7\.9|8\.0|8\.1) S "
keys Tab Tab
check "Tab Tab: the master's chain" wait_for " Mixer: channels inserts [master] sends"
check "... glue, tape and limiter with units" shows "Limiter ceiling    -1.0 dBTP"
keys Down Down Down Down
keys PgDn
check "PgDn takes the master EQ's mid 6 dB down" wait_for " EQ mid gain        -6.0 dB"
check "... heard in the momentary loudness: -34.0 LUFS" wait_re " M -3(3\.9|4\.0|4\.1) S "
keys Right
check "Right goes to the same line of the next column" wait_for " Glue release (1..5000 ms) | master"
glue_before=$(screen | grep -oE "Glue release +[0-9]+ ms")
type_into "Glue release" 1000
check "a typed glue release" wait_for "Glue release       1000 ms"
keys +
check "+ lengthens a time by a tenth" wait_for "Glue release       1100 ms"
keys -
check "- takes that tenth back" wait_for "Glue release       1000 ms"
keys C-z C-z C-z
check "undo takes the three changes back" wait_for "$glue_before"
keys End
type_into "Master gain" abc
check "a word is refused with the range" \
    wait_for "Master gain: not a number: abc (-60.0..12.0 dB)"
keys Space Tab
check "Tab: the sends" wait_for " Mixer: channels inserts master [sends]"
check "... the delay's time as a note value" shows " Delay time         1/8d"
keys +
check "+ makes the delay a step longer: 1/4" wait_for " Delay time         1/4 "
keys Right Down
type_into "Reverb decay" 3.5s
check "the reverb's decay is typed, with its unit" wait_for "Reverb decay       3.5 s"
type_into "Reverb decay" 40
check "... past its range it is refused" \
    wait_for "Reverb decay: 40 is out of range (0.1..30.0 s)"
check "... and stays" shows "Reverb decay       3.5 s"
keys Down Down Down Down Down
type_into "Reverb width" 0
check "Down stops on the last row: the width is typed" wait_for "Reverb width       0 %"
keys C-z
check "undo: one step takes back the width alone" wait_for "Reverb width       100 %"
check "... the decay stays" shows "Reverb decay       3.5 s"
keys C-y

T resize-window -t ui -x 10 -y 5
check "10x5 asks to enlarge" wait_for "10x5)"
T resize-window -t ui -x 80 -y 24
check "back at 80x24 the sends view draws again" wait_for "Reverb width       0 %"

stamp=$(file_stamp "$TMP/views.hiss")
keys C-s
check "saves" wait_written "$TMP/views.hiss" "$stamp"
check "the song keeps channel 1's ducker key instrument" \
    grep -qE '^channel 01 .* duck_inst 0A' "$TMP/views.hiss"
check "... channel 1's EQ cut" grep -qE '^channel_eq 01 .* mid 1000 -12\.0 ' \
    "$TMP/views.hiss"
check "... the master's EQ" grep -qE '^master_eq .* mid 1000 -6\.0 ' "$TMP/views.hiss"
check "... the delay's time" grep -qE '^delay time 1/4 ' "$TMP/views.hiss"
check "... the reverb's decay and width" grep -qE '^reverb .*decay 3\.5 .*width 0' \
    "$TMP/views.hiss"

keys C-g Home Up Enter
check "the settings list stops at its top too" wait_for "Title:"
keys Escape
keys C-q
check "quits" wait_exited 0
finish
