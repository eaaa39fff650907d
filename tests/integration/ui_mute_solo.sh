#!/bin/bash
# The pattern screen's mute and solo keys and the mixer's M and S columns
# are one state, the song's: a mute made on the pattern shows on the
# mixer and the reverse, saving keeps both, undo takes them back, and a
# mute at the next bar shows at once and silences the channel as it
# plays. ASCII (LC_ALL=C).
set -u
SOCK=hiss-ui-mute-solo-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
needs sox

tone_song "$TMP/mutes.hiss" mutes 125 6 16 440 0.5

start_editor "LC_ALL=C" mutes.hiss
wait_for "mutes" >/dev/null
wait_loaded 192000
keys C-e
wait_for " PATTERN " >/dev/null
keys ,
check ", mutes channel 1 on the pattern" wait_for "Ch 01       MUTE"
keys C-a
check "... and the mixer shows it in its M column" wait_for " 01            -15.0    0 M ."
keys Down Right Right Right +
check "S on the mixer solos channel 2" wait_for " 02            -15.0    0 . S"
keys Escape
check "... and the pattern shows it" wait_re "Ch 02 .* SOLO"
check "... counted in the header" shows "M1  S1"
stamp=$(file_stamp "$TMP/mutes.hiss")
keys C-s
check "saves" wait_written "$TMP/mutes.hiss" "$stamp"
check "the song keeps the pattern's mute" \
    grep -qx 'channel 01 gain -15.0 pan 0 mute on solo off' "$TMP/mutes.hiss"
check "... and the mixer's solo" \
    grep -qx 'channel 02 gain -15.0 pan 0 mute off solo on' "$TMP/mutes.hiss"
keys C-z
check "undo takes the solo back" wait_for "M1  S0"
keys C-z
check "... and then the mute" wait_for "M0  S0"
check "... on the pattern too" shows_not "MUTE"

keys M-Enter C-a
# A sine at -6 dBFS through the -15 dB fader.
check "playing, channel 1 sounds" wait_re " 01 .*#.*\|-21\.0"
keys Escape
wait_for " PATTERN " >/dev/null
keys M
check "M mutes at the next bar: the song's flag shows at once" wait_for "Ch 01       MUTE"
check "... with a word about the bar" shows "channel 1 muted at the next bar"
keys C-a
check "... the mixer shows it" wait_for " 01            -15.0    0 M ."
check "... and from the bar on channel 1 is silent" wait_re " 01 .* \.{16}\| *$"
keys Space C-q
check "asks to save" wait_re "[Ss]ave"
keys n
check "quits" wait_exited 0
finish
