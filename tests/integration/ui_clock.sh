#!/bin/bash
# The editor's clock reads the song's timing scan: stopped, the header
# shows the song's length; playing, the time of the row playing. With an
# F50 (80 BPM) half way through the first order, that is not what the
# song's first tempo would give.
set -u
SOCK=hiss-ui-clock-$$
. "$(dirname "$0")/lib/tmux_ui.sh"

# Orders 00 00 of a 64-row pattern, speed 6: rows 0-31 of the first pass
# at 125 BPM (0.12 s a row, 3.84 s), every row after at 80 BPM (0.1875 s):
# 3.84 + 96 x 0.1875 = 21.84 s. Row 60 starts at 3.84 + 28 x 0.1875 =
# 9.09 s (at 125 BPM throughout it would be 7.2 s, and the song 15.36 s).
{
    printf 'hiss 1\ntitle "clock"\nbpm 125\nspeed 6\nrows_per_beat 4\nswing 0\n'
    printf 'master_gain 0.0\nlimiter on\nchannels 1\n\norder 00 00\n\npattern 00 64\n'
    for r in $(seq 0 63); do
        if [ "$r" = 32 ]; then
            printf '%03d |... .. .. F50 ...|\n' "$r"
        else
            printf '%03d |... .. .. ... ...|\n' "$r"
        fi
    done
} >"$TMP/clock.hiss"

new_server
T new-session -d -s ui -x 80 -y 24 \
    "cd '$TMP' && '$HISS' clock.hiss; echo \"hiss exited \$?\"; sleep 60"
check "the song opens" wait_for "clock"
check "stopped, the header shows the song's length through its tempo change" \
    wait_for "stopped 0:21"
# Row 60 comes 9 s after the start: wait up to 20 s.
wait_long_re() { WAIT_STEPS=200 wait_re "$1"; }
keys M-Enter
check "playing, row 60 shows its time: 0:09 of 0:21" \
    wait_long_re "00:00:06[0-3] 0:09/0:21"
keys Space
check "stopped again" wait_for "stopped 0:21"
keys C-q
check "quits" wait_for "hiss exited 0"
finish
