#!/bin/bash
# Point envelopes edited on the instruments screen with the keyboard
# alone, as a user would: a volume envelope made, a point added, moved and
# set, a sustain and a loop, a fadeout; a point deleted and the deletion
# undone; another kind chosen; all saved in the song.
set -u
SOCK=hiss-ui-envelopes-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
open_demo_fields
keys End
check "the fadeout is the last field" wait_re "Fadeout +0 of 65536"
for _ in $(seq 1 8); do keys Up; done
check "the envelope field shows the volume's, empty" wait_re "Envelope +vol_env: 0 points"
keys Down Down Down Down
check "Add point is there" wait_re "Add point +Enter: a point after point 0"
keys Enter
check "Enter on an empty envelope makes two points" wait_re "Envelope +vol_env: 2 points"
check "... and says it added two" wait_for "vol_env: points 0 and 1 added (an envelope needs two)"
keys Enter
check "Enter again adds a point after the first" wait_for "vol_env: point 1 added"
check "three points now" wait_re "Envelope +vol_env: 3 points"
keys Up
check "the new point is halfway, at the level there" wait_re "Point level +64 of 64"
type_into "Point level" 20
check "a typed level shows" wait_re "Point level +20 of 64"
keys Up
check "its tick is halfway between its neighbours" wait_re "Point tick +8 *$"
keys Right
check "Right moves the point a tick on" wait_re "Point tick +9 *$"
type_into "Point tick" 16
check "a tick past the next point gives its range" wait_for "Point tick: 16 is out of range"
check "and the tick stays" wait_re "Point tick +9 *$"
keys Down Down Down Down
check "the sustain is off" wait_re "Env sustain +off"
keys Right
check "Right sustains on the point edited" wait_re "Env sustain +point 1"
keys Down
type_into "Env loop" "0 2"
check "a typed loop shows its points" wait_re "Env loop +points 0..2"
keys Down
type_into Fadeout 1024
check "a typed fadeout shows" wait_re "Fadeout +1024 of 65536 a tick"
keys Up Up Up
check "Delete point names the point edited" wait_re "Delete point +Enter: delete point 1"
keys Enter
check "Enter deletes it" wait_re "Envelope +vol_env: 2 points"
keys C-z
check "undo brings the point back" wait_re "Envelope +vol_env: 3 points"
for _ in $(seq 1 5); do keys Up; done
keys Right
check "Right shows the panning envelope" wait_re "Envelope +pan_env: 0 points"
keys Right Right
check "then the cutoff envelope" wait_re "Envelope +cutoff_env: 0 points"
keys Down Down Down Down Enter
check "its first points sit at the top" wait_re "Envelope +cutoff_env: 2 points"
stamp=$(file_stamp "$SONG")
keys C-s
wait_written "$SONG" "$stamp"
check "the volume envelope is saved with its sustain and loop" \
    wait_file "$SONG" "vol_env 3 0 64 9 20 16 64 vol_sustain 1 1 vol_loop 0 2"
check "the cutoff envelope is saved" wait_file "$SONG" "cutoff_env 2 0 64 16 64"
check "the fadeout is saved" wait_file "$SONG" "fadeout 1024"
keys C-q
check "quitting after the save asks nothing" wait_for "hiss exited 0"

finish
