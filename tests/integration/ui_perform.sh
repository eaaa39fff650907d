#!/bin/bash
# Performance capture from the pattern screen: P starts it while the song
# plays, a fader move in the mixer, a mute at the bar, a tempo nudge and
# a mute at once (inside a row) are performed, P again writes the rows
# played as new order entries (new patterns with Oxy for the mutes, an
# Oxy pair for the fader and Fxx for the tempo, on the tick they acted),
# the mixer's mutes go into them, and one undo takes them all back.
set -u
SOCK=hiss-ui-perform-$$
. "$(dirname "$0")/lib/tmux_ui.sh"

# Two 16-row patterns with a note on every row of channels 1 and 2, and
# a third channel whose effect columns leave room for the tempo's Fxx
# Txy: the keys come within a few rows, so the fader pair (channel 1's
# columns), the mute at once (one of channel 2's) and the tempo may all
# fall on one row, which two channels cannot hold exactly.
{
    printf 'hiss 1\ntitle "perform"\nbpm 125\nspeed 6\nrows_per_beat 4\nswing 0\n'
    printf 'master_gain 0.0\nlimiter on\nchannels 3\n\norder 00 01\n'
    for p in 00 01; do
        printf '\npattern %s 16\n' "$p"
        for r in $(seq 0 15); do
            printf '%03d |C-4 01 .. ... ...|E-4 01 .. ... ...|... .. .. ... ...|\n' "$r"
        done
    done
} >"$TMP/perform.hiss"

entry_gone() { ! shows_re "$1"; }

start_editor "" perform.hiss
check "the song opens" wait_for "perform"
keys P
check "P while stopped still starts the capture" wait_for "capturing the performance"
keys P
check "P with no row played writes nothing" wait_for "capture off: no rows were played"
keys F5
keys P
check "P starts the capture while the song plays" wait_for "capturing the performance"
sleep 0.7 # past the capture's first beat: a move, not where it began
keys C-a - -
check "channel 1's fader turned down 1 dB in the mixer" wait_re " 01 .*-16\.0"
keys F2
keys M
check "a mute at the next bar" wait_for "channel 1 muted at the next bar"
keys =
check "a tempo nudge" wait_re "126(\.0)? BPM"
keys Tab ,
# Channel 1's mute is counted as coming (+1) until its bar.
check "a mute at once on channel 2" wait_re " M(1\+1|2) "
sleep 4.5 # past the bar (1.9 s) and into the next pattern
keys P
check "P again writes the performance after the song's two entries" \
    wait_re "captured [0-9]+ rows as orders 02-[0-9A-F]{2} with their mutes \(undo removes them\)"
check "the mixer's mutes went into the arrangement" wait_re " M0 "
keys C-s
check "saved" wait_for "saved perform.hiss"
# The copies say where channels went out (O1y: channel 1 on tick 0 at
# the bar, channel 2 on whatever tick it came) and the new tempo (126 BPM,
# with Txy when it came inside a row).
new_has() { sed -n '/^pattern 0[2-9A-F]/,$p' "$TMP/perform.hiss" | grep -qE -- "$1"; }
check "the bar's mute as O10 on channel 1" new_has '^[0-9]{3} \|[^|]*O10'
check "the mute at once as O1y on channel 2" new_has '^[0-9]{3} \|[^|]*\|[^|]*O1[0-9A-F]'
check "the nudged tempo as F7E" new_has 'F7E'
check "the fader move as an O pair on channel 1 (-16.0 dB: 0x1B8)" \
    new_has '^[0-9]{3} \|[^|]*O9[0-9A-F] OB8'
keys F8
keys C-r
check "the order list has a new entry" wait_re "^ *02 +[0-9A-F]{2} "
check "playing a new pattern (the mute is in it)" shows_re "^ *0[2-9] +0[2-9A-F] "
keys C-z
check "one undo" wait_for "undone"
check "takes the new entries back" wait_until entry_gone "^ *02 +[0-9A-F]{2} "
keys C-q
check "quitting asks to save the mute" wait_for "Save changes before quitting?"
keys n
check "quits" wait_for "hiss exited 0"
finish
