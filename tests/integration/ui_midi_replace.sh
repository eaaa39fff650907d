#!/bin/bash
# Replace recording over a mapped MIDI channel: with --midi-map, a drum
# machine on MIDI channel 10 records into channel 2 while the cursor is on
# channel 1. In replace mode the mapped channel's old notes go as the
# playhead passes, as the cursor channel's do, from its first take on; a
# mapped channel nothing was played into keeps its notes; one undo brings
# the cleared notes back.
set -u
SOCK=hiss-ui-midi-replace-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
. "$(dirname "$0")/lib/tmux_jack.sh"
needs jackd

# 16 rows of 0.24 s (125 BPM, 12 ticks a row): a pass every 3.84 s.
KIT=$(pwd)/samples
{
    printf 'hiss 1\ntitle "replace"\nbpm 125\nspeed 12\nrows_per_beat 4\nswing 0\n'
    printf 'master_gain 0.0\nlimiter on\nchannels 3\n\n'
    printf 'instrument 01 "keys" sample "%s/epiano.wav"\n' "$KIT"
    printf 'instrument 02 "kick" sample "%s/kick.wav"\n\n' "$KIT"
    printf 'order 00\n\npattern 00 16\n'
    for r in $(seq 0 15); do
        if [ $((r % 4)) = 2 ]; then
            printf '%03d |... .. .. ... ...|G-3 02 .. ... ...|A-3 01 .. ... ...|\n' "$r"
        else
            printf '%03d |... .. .. ... ...|... .. .. ... ...|... .. .. ... ...|\n' "$r"
        fi
    done
} >"$TMP/replace.hiss"

check "a private JACK server starts" start_jackd
start_editor "" "replace.hiss --audio jack --midi-map 10:02:2,2:01:3"
check "the editor plays through JACK" wait_backend JACK
check "the old notes of both mapped channels show" wait_for "G-3 02"
check "and of channel 3" shows "A-3 01"
keys '^'
check "replace mode" wait_for "record replace"
keys C-p
check "playing" wait_re "▶ loop P00:0[0-9][0-9]"
keys !
check "record on" wait_for "REC row"
# A kick on MIDI channel 10: instrument 02 on channel 2.
"$JACKREC" midi hiss:midi_in 0:99:36:127 >"$TMP/send.log" 2>&1
check "the MIDI client sent its note" grep -qx sent "$TMP/send.log"
check "the mapped channel's old notes go as the playhead passes" wait_gone "G-3 02"
check "channel 3, mapped but not played into, keeps its notes" shows "A-3 01"
keys !
check "record off" wait_for "record off"
keys F8
check "stopped" wait_re "■ stopped"
keys C-z
check "undo brings the mapped channel's notes back" wait_for "G-3 02"
# Whether changes are left to save depends on where the MIDI note landed:
# before the pass's first mapped note, the take is one undo step and the
# undo leaves the song as it was saved; after it, the pass that cleared
# the first note again is a step of its own and the undo leaves the rest.
asked_or_quit() { shows_re "[Ss]ave" || exit_shown 0; }
keys C-q
check "quitting asks to save what is left, or quits" wait_until asked_or_quit
if shows_re "[Ss]ave"; then keys n; fi
check "quits" wait_for "hiss exited 0"
finish
