#!/bin/bash
# The shaping parameters on the instruments screen at 80x24: every one is
# reachable (the list scrolls), shown with its unit or choice, typed or
# nudged, says its range or choices when a value does not fit, is
# undoable, and is saved.
set -u
SOCK=hiss-ui-shape-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
open_demo_fields
# Down to the last parameter: the list scrolls and it is on screen.
keys End
check "the last parameter is reachable at 80x24" wait_re "Fadeout +0 of 65536"
for _ in $(seq 1 9); do keys Up; done
check "the shaping parameters end with the slice fade" wait_re "Slice fade +2 ms"
keys Up Up Up Up
check "reverse shows its choice" wait_re "Reverse +off"
keys Right
check "Right turns reverse on" wait_re "Reverse +on"
keys Up Up Up
type_into Glide 80
check "a glide on poly notes says it does nothing" wait_re "Glide +80 ms \(unused: poly\)"
keys Up Right Right
check "Right picks legato" wait_re "Voice mode +legato"
check "and the glide is used" wait_re "Glide +80 ms *$"
keys Up
type_into "Drive vel" 40
check "the drive's velocity amount shows in percent" wait_re "Drive vel +40 %"
keys Up
type_into "Drive type" fuzzy
check "a wrong drive type lists the choices" \
    wait_for "Drive type: 'fuzzy' is not one of tape|hard"
keys Up Up Up Up Up Up Up Up Up Up Up Up Up Up Up Up
check "the filter shows its choice" wait_re "Filter +off"
check "with the filter off, the cutoff says it is unused" \
    shows_re "Cutoff +[0-9]+ Hz \(unused: filter off\)"
check "so do the resonance and key tracking" \
    shows_re "Key track +[0-9]+ % \(unused: filter off\)"
keys Right
check "Right picks the next filter" wait_re "Filter +lp12"
check "and the cutoff is used" wait_re "Cutoff +[0-9]+ Hz *$"
keys Down
type_into Cutoff 900
check "the cutoff shows in Hz" wait_re "Cutoff +900 Hz"
keys Right
check "Right moves the cutoff by a sixteenth, near a semitone" wait_re "Cutoff +956 Hz"
keys Left
check "and Left undoes it" wait_re "Cutoff +900 Hz"
# The big steps go in proportion both ways: < undoes >, never falling to
# the floor from far above it.
type_into Cutoff 1612
check "a typed cutoff" wait_re "Cutoff +1612 Hz"
keys '<'
check "< takes back what > would add from there" wait_re "Cutoff +992 Hz"
keys '>'
check "and > comes back to it" wait_re "Cutoff +1612 Hz"
check "the sample line stays" wait_re "frames at [0-9]+ Hz"
keys Down Down Down
check "the filter envelope comes from the amp's" wait_re "Filt env from +amp"
check "its own stages say they are unused" wait_re "Filt decay +0 ms \(unused: env from amp\)"
keys Right
check "Right gives the filter its own envelope" wait_re "Filt env from +own"
keys Down Down Down
type_into "Filt decay" 300
check "the filter's own decay shows in ms" wait_re "Filt decay +300 ms *$"
keys Home
for _ in $(seq 1 10); do keys Down; done
type_into Attack 25
check "a typed attack shows with its unit" wait_re "Attack +25 ms"
keys Down Down
type_into Decay 2000
check "a typed decay" wait_re "Decay +2000 ms"
keys '>'
check "> adds ten eighths of a time" wait_re "Decay +4500 ms"
keys '<'
check "< takes them back" wait_re "Decay +2000 ms"
keys '<'
check "< from a long decay keeps most of it" wait_re "Decay +890 ms"
keys '>'
check "and > brings it back" wait_re "Decay +2000 ms"
keys Down
type_into Sustain 101
check "a sustain out of range gives the range" \
    wait_for "Sustain: 101 is out of range (0..100 %)"
check "and it stays as it was" wait_re "Sustain +[0-9]+ %"
keys Down
before=$(screen | grep -oE "Release +[0-9]+ ms" | grep -oE "[0-9]+")
keys Right
check "Right nudges the release up" wait_until shows_re "Release +$((before + 1)) ms|Release +$((before + before / 8)) ms"
keys C-z
check "undo brings it back" wait_re "Release +$before ms"
stamp=$(file_stamp "$SONG")
keys C-s
wait_written "$SONG" "$stamp"
check "the attack is saved" wait_file "$SONG" "attack 25"
check "the filter is saved" wait_file "$SONG" "filter lp12 cutoff 1612"
check "its own envelope is saved" wait_file "$SONG" "filter_env_from own fenv_decay 300"
check "the drive's velocity amount is saved" wait_file "$SONG" "drive_vel 40"
check "reverse is saved" wait_file "$SONG" "reverse on"
check "legato and its glide are saved" wait_file "$SONG" "mode legato glide 80"
# At 10x5 the screen asks to be enlarged and leaves the values alone: a
# Right there is not taken, a Left back at 80x24 is.
T resize-window -t ui -x 10 -y 5
check "10x5 asks to be enlarged" wait_for "10x5)"
keys Right
T resize-window -t ui -x 80 -y 24
check "80x24 shows the parameters again" wait_re "Release +$before ms"
keys Left
check "only the key pressed at 80x24 moved the release" \
    wait_until shows_re "Release +$((before - 1)) ms|Release +$((before - before / 8)) ms"
keys C-q
check "quitting asks about the unsaved change" wait_for "Save changes before quitting?"
keys n
check "n quits without saving" wait_for "hiss exited 0"

finish
