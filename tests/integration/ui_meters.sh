#!/bin/bash
# Each channel's meter in the pattern's channel header shows that channel's
# own level while the song plays: a sine at full scale on channel 1 lights
# its cells (four of five at the default -15 dB fader, all five at 0 dB),
# the silent channel 2 stays dark. Drawn in ASCII (LC_ALL=C): '#' lit,
# '.' dark.
set -u
SOCK=hiss-ui-meters-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
needs sox

sox -q -n -r 48000 -c 1 -b 16 "$TMP/sine.wav" synth 2 sine 440 vol 0.999
song() { # GAIN_LINE
    printf 'hiss 1\ntitle "meters"\nbpm 125\nspeed 6\nrows_per_beat 4\nswing 0\n'
    printf 'master_gain 0.0\nlimiter on\nchannels 2\n%s\n' "$1"
    printf 'instrument 01 "sine" sample "sine.wav" volume 64 pan 0 base C-4 finetune 0 loop forward 0 96000 interp linear\n'
    printf '\norder 00\n\npattern 00 4\n'
    printf '000 |C-4 01 .. ... ...|... .. .. ... ...|\n'
    for r in 1 2 3; do printf '%03d |... .. .. ... ...|... .. .. ... ...|\n' "$r"; done
}
# The header cells of a channel: " Ch 0N " then the meter.
open_and_play() {
    new_server
    T new-session -d -s ui -x 80 -y 24 \
        "cd '$TMP' && env LC_ALL=C '$HISS' $1; echo \"hiss exited \$?\"; sleep 60"
    wait_for "meters" >/dev/null
}

song "" >"$TMP/default.hiss"
open_and_play default.hiss
check "stopped, every channel's meter is dark" wait_for "Ch 01 .....     | Ch 02 ....."
keys M-Enter
check "playing at the default fader, channel 1 lights four cells of five" \
    wait_for "Ch 01 ####."
check "... while the silent channel 2 stays dark" shows "Ch 02 ....."
keys Space
check "stopped, the meters fall back to dark" wait_for "Ch 01 ....."
keys C-q
check "quits" wait_for "hiss exited 0"

song "channel 01 gain 0.0 pan 0 mute off solo off" >"$TMP/unity.hiss"
open_and_play unity.hiss
keys M-Enter
check "at a 0 dB fader the full-scale sine lights all five" wait_for "Ch 01 #####"
keys C-q
check "quits" wait_for "hiss exited 0"
finish
