#!/bin/bash
# MIDI into the editor as a player would send it: a private JACK server, a
# JACK MIDI client playing notes into hiss:midi_in while the song plays
# with record on. The notes are played on the audio thread and written
# with their velocity as volume; a release is written as a note-off; MIDI
# channel 10, mapped with --midi-map, lands on its own channel with its
# own instrument; the whole take is one undo step.
set -u
SOCK=hiss-ui-midi-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
. "$(dirname "$0")/lib/tmux_jack.sh"
needs jackd

# Rows of 2.4 s (32 BPM, 31 ticks a row): every note of the take falls in
# one pass and stays on the screen.
KIT=$(pwd)/samples
{
    printf 'hiss 1\ntitle "midi take"\nbpm 32\nspeed 31\nrows_per_beat 4\nswing 0\n'
    printf 'master_gain 0.0\nlimiter on\nchannels 2\n\n'
    printf 'instrument 01 "keys" sample "%s/epiano.wav"\n' "$KIT"
    printf 'instrument 02 "kick" sample "%s/kick.wav"\n\n' "$KIT"
    printf 'order 00\n\npattern 00 16\n'
    for r in $(seq 0 15); do
        printf '%03d |... .. .. ... ...|... .. .. ... ...|\n' "$r"
    done
} >"$TMP/take.hiss"

check "a private JACK server starts" start_jackd
start_editor "" "take.hiss --audio jack --midi-map 10:02:2"
check "the editor plays through JACK" wait_backend JACK
if [ ! -e /dev/snd/seq ]; then
    check "it says at start that there is no ALSA sequencer" \
        wait_for "no ALSA sequencer on this machine"
fi
keys C-p
check "playing" wait_re "▶ loop P00:00[0-9]"
keys !
check "record on" wait_for "REC row"
# C-5 at velocity 100 on MIDI channel 1, released 3 s (more than a row) on.
"$JACKREC" midi hiss:midi_in 0:90:72:100 3000:80:72:0 >"$TMP/send1.log" 2>&1
check "the MIDI client sent its notes" grep -qx sent "$TMP/send1.log"
check "the note is written with its velocity as volume" wait_for "C-5 01 32"
check "the status line names what came in" shows "MIDI C-5 velocity 100 (MIDI channel 1)"
check "its release is written as a note-off" wait_for "=== .. .."
# A kick on MIDI channel 10: instrument 02 on channel 2, full velocity.
"$JACKREC" midi hiss:midi_in 0:99:36:127 >"$TMP/send2.log" 2>&1
check "the mapped MIDI channel plays its instrument on its channel" \
    wait_re "^[0-9]{3}│[^│]+│C-2 02 40"
[ -n "${SHOW_SCREEN:-}" ] && screen
keys !
check "record off" wait_for "record off"
keys F8
keys C-z
check "one undo takes the whole take" wait_gone "C-5 01 32"
check "with the mapped note" shows_not "C-2 02 40"
keys C-q
check "quits without asking: undo left the song as saved" wait_for "hiss exited 0"
finish
