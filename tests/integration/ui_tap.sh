#!/bin/bash
# Tap tempo as a user would: four taps of the tap key at 90 BPM (sent at
# fixed times, key presses only) set the song's tempo while it plays; the
# nudge keys move it by one and by a tenth; undo puts it back, live.
set -u
SOCK=hiss-ui-tap-$$
. "$(dirname "$0")/lib/tmux_ui.sh"

small_song "$TMP/tap.hiss"
start_editor "" tap.hiss
check "the song opens at 120 BPM" wait_for "120 BPM"
keys T T T
check "three taps set nothing yet" wait_for "tap 3 of 4"
check "still 120" shows " 120 BPM"
sleep 2.5 # a pause starts the count over
keys C-p
check "playing" wait_re "▶ loop P00:"
# Each tap after the first is sent at its own deadline from the first
# (2/3 s apart), so the time tmux and date take to start does not add up.
keys T
start=$(date +%s.%N)
for i in 1 2 3; do
    now=$(date +%s.%N)
    wait=$(echo "$start + $i * 60 / 90 - $now" | bc -l)
    case $wait in -*) ;; *) sleep "$wait" ;; esac
    keys T
done
# On a busy machine (2 cores, many builds) a key may reach hiss 100 ms
# late, so the taps read 75..105 BPM: nowhere near the song's 120, and
# only four taps set a tempo. The arithmetic itself is checked exactly
# with injected tap times in test_tap.
TAPPED=" (7[5-9]|8[0-9]|9[0-9]|10[0-5]) BPM"
check "four taps set about 90 BPM" wait_re "$TAPPED"
check "said as it happens" shows_re "^(7[5-9]|8[0-9]|9[0-9]|10[0-5]) BPM"
tapped=$(screen | grep -oE "$TAPPED" | head -1 | tr -dc 0-9)
keys =
check "the nudge key adds one" wait_for " $((tapped + 1)) BPM"
keys '&' '&'
check "the other takes one away" wait_for " $((tapped - 1)) BPM"
keys C-z
check "undo takes the last nudge back" wait_for " $tapped BPM"
keys M-=
check "the fine key adds a tenth" wait_for " $tapped.1 BPM"
keys M-'&' M-'&'
check "and takes tenths away" wait_for " $((tapped - 1)).9 BPM"
keys C-z C-z C-z
check "undo takes the tenths back" wait_for " $tapped BPM"
keys C-z C-z C-z
check "undo takes the taps back to the song's tempo" wait_for " 120 BPM"
keys C-q
check "quits without asking: undo left the song as saved" wait_for "hiss exited 0"
finish
