#!/bin/bash
# The mixer page as a user drives it: open it, turn channel 1's fader
# down, open a send, undo it, mute channel 2, name it (undo and redo the
# name), and save; the song file holds what the page showed, and the
# pattern screen's header shows the name, where N names a channel too. While the song plays, channel 1's meter
# lights with its peak hold at the level a full-scale sine reaches
# through the fader, the silent channel 2 stays dark, and the master's
# loudness reads what the sine's level gives. ASCII
# (LC_ALL=C): '#' lit, '*' the hold, '|' the 0 dBFS mark.
set -u
SOCK=hiss-ui-mixer-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
needs sox

sox -q -n -r 48000 -c 1 -b 16 "$TMP/sine.wav" synth 4 sine 440 vol 0.999
{
    printf 'hiss 1\ntitle "mixer"\nbpm 125\nspeed 6\nrows_per_beat 4\nswing 0\n'
    printf 'master_gain 0.0\nlimiter on\nchannels 2\n'
    printf 'instrument 01 "sine" sample "sine.wav" volume 64 pan 0 base C-4 finetune 0 loop forward 0 192000 interp linear\n'
    printf '\norder 00\n\npattern 00 4\n'
    printf '000 |C-4 01 .. ... ...|... .. .. ... ...|\n'
    for r in 1 2 3; do printf '%03d |... .. .. ... ...|... .. .. ... ...|\n' "$r"; done
} >"$TMP/mix.hiss"

new_server
T new-session -d -s ui -x 80 -y 24 \
    "cd '$TMP' && env LC_ALL=C '$HISS' mix.hiss; echo \"hiss exited \$?\"; sleep 60"
wait_for "mixer" >/dev/null
keys C-a
check "C-a opens the mixer page with a line per channel" wait_for " 02            -15.0"
keys - - -
check "three - turn channel 1's fader down half a dB each" wait_for " 01            -16.5"
keys Right Right Right Right PPage
check "PgUp opens send A 6 dB up from off" wait_for "-16.5    0 . . -54.0 .   off"
check "the bottom line names the field" shows " Send A (dB) | master 0.0 dB"
keys Right
check "... and the next column's field: send A's pre switch" wait_for " Send A pre | master"
keys Right
check "... then send B's level" wait_for " Send B (dB) | master"
keys '?'
check "the mixer's help says what its keys do there" \
    wait_for "On the mixer, Tab and S-Tab go to the next and the previous view"
check "... the switches among them" shows "p pre-fader send"
keys Escape
check "Escape is back on the mixer" wait_for " Send B (dB) | master"
keys Left Left
keys C-z
check "undo closes the send again" wait_for "-16.5    0 . .   off .   off"
keys Down Left +
check "+ on channel 2's Solo column solos it..." wait_for " 02            -15.0    0 . S"
keys - Left +
check "... - clears it, and + on Mute mutes channel 2" wait_for " 02            -15.0    0 M ."
keys N
check "N asks for channel 2's name" wait_for "Channel 2 name (empty: none):"
T send-keys -t ui -l '808 "sub"'
keys Enter
check "... which shows on its line, quotes and all" wait_for ' 02 808 "sub"  -15.0    0 M .'
keys C-z
check "undo takes the name back" wait_for " 02            -15.0    0 M ."
keys C-y
check "... and redo gives it again" wait_for ' 02 808 "sub"  -15.0    0 M .'
stamp=$(file_stamp "$TMP/mix.hiss")
keys C-s
check "saves" wait_written "$TMP/mix.hiss" "$stamp"
check "the song keeps channel 1's fader" grep -qx 'channel 01 gain -16.5 pan 0 mute off solo off' "$TMP/mix.hiss"
check "... and channel 2's mute and name, not the undone send" \
    grep -qx 'channel 02 name "808 \\"sub\\"" gain -15.0 pan 0 mute on solo off' "$TMP/mix.hiss"
keys C-e
check "the pattern's header names channel 2 (its first five columns)" \
    wait_re '^ *\| Ch 01 [.#]{5}     \| 808 "       MUTE\|'
keys N
check "N on the pattern screen asks for the cursor channel's name" \
    wait_for "Channel 1 name (empty: none):"
T send-keys -t ui -l 'kick'
keys Escape
check "Esc leaves channel 1 unnamed" wait_for "cancelled"
check "... its header as it was" shows "| Ch 01 "
keys C-a
check "back on the mixer, on channel 2's Mute" wait_for " Mute | master"
keys M-Enter
# A full-scale sine through -16.5 dB peaks at -16.5 dBFS: 10 of 16 cells
# (-40..0 dBFS) lit, the hold on the tenth, its level beside the mark.
check "playing, channel 1's meter lights with its hold and level" \
    wait_re " 01 .* #########\*\.\.\.\.\.\.\|-16\.5"
# Both sides a sine peaking at -16.5 dBFS: 20 log10(peak) - 0.691, the
# momentary loudness libebur128 reads from the engine's tap.
check "the mixer shows the master's momentary loudness" wait_for " M -17.2 S "
check "... and the muted channel 2 stays dark" shows ' 02 808 "sub"  -15.0    0 M . '
check "... its meter empty" shows_re " 02 .* \.{16}\|"
keys Space
check "stopped, channel 1's meter and its hold fall to nothing" wait_re " 01 .* \.{16}\| *$"
keys C-q
check "quits" wait_for "hiss exited 0"
finish
