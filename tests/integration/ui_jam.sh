#!/bin/bash
# Jamming and capturing it, as a player would: with record off, note keys
# and MIDI notes (a JACK MIDI client into hiss:midi_in) while the song plays
# write nothing; J then writes the last pass into the pattern where
# recording would have put it, as one undo step. And a channel's groove
# from the pattern screen (G steps the MPC templates, M-g types it), the
# song's on the settings screen, saved in the song and undoable.
set -u
SOCK=hiss-ui-jam-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
. "$(dirname "$0")/lib/tmux_jack.sh"
needs jackd

# Rows of 2.4 s (32 BPM, 31 ticks a row): the jam falls in one pass and
# stays on the screen.
KIT=$(pwd)/samples
{
    printf 'hiss 1\ntitle "jam"\nbpm 32\nspeed 31\nrows_per_beat 4\nswing 0\n'
    printf 'master_gain 0.0\nlimiter on\nchannels 3\n\n'
    printf 'instrument 01 "keys" sample "%s/epiano.wav"\n\n' "$KIT"
    printf 'order 00\n\npattern 00 16\n'
    for r in $(seq 0 15); do
        printf '%03d |... .. .. ... ...|... .. .. ... ...|... .. .. ... ...|\n' "$r"
    done
} >"$TMP/jam.hiss"

check "a private JACK server starts" start_jackd
start_editor "" "jam.hiss --audio jack"
check "the editor plays through JACK" wait_backend JACK
keys J
check "nothing to capture before anything was played" \
    wait_for "jam capture: nothing was played in the last pass (16 rows)"
keys C-p
check "playing" wait_re "▶ loop P00:00[0-9]"
check "record is off" shows_not "REC "
keys q Tab w Tab
# E-5 at velocity 64 on MIDI channel 1, released 3 s (more than a row) on.
"$JACKREC" midi hiss:midi_in 0:90:76:64 3000:80:76:0 >"$TMP/send.log" 2>&1
check "the MIDI client sent its notes" grep -qx sent "$TMP/send.log"
check "the MIDI note played" wait_for "MIDI E-5 velocity 64"
check "with record off the keys wrote nothing" shows_not "C-5 01"
check "nor the MIDI note" shows_not "E-5 01"
keys J
check "J captures the jam" wait_re "jam capture: [0-9]+ notes of the last pass \(16 rows\) written"
check "the first key's note is in the pattern" wait_for "C-5 01"
check "the second key's on the next channel" shows_re "│D-5 01 .. ... ...│"
check "the MIDI note with its velocity as volume" shows "E-5 01 20"
check "and its release" shows "=== .. .."
keys J
check "a second J finds nothing new" wait_for "jam capture: nothing was played"
keys F8
keys C-z
check "one undo takes the whole capture" wait_gone "C-5 01"
check "with the MIDI note" shows_not "E-5 01 20"
keys C-y
check "redo brings it back" wait_for "C-5 01"

# Groove for the cursor's channel (channel 3 after the Tabs above).
keys G
check "G gives the channel its own groove at the first template" \
    wait_for "channel 3 groove: swing 50% on 16ths, humanize 0 ms, level +-0% (its own)"
keys G G
check "G steps through the MPC templates" wait_for "channel 3 groove: swing 58%"
keys M-g
check "M-g asks for the whole groove" wait_for "Channel 3 groove: swing grid ms level, or song"
keys C-u
keys "66 8 12 20" Enter
check "the typed groove is the channel's" \
    wait_for "channel 3 groove: swing 66% on 8ths, humanize 12 ms, level +-20% (its own)"
keys M-g C-u "61 12 0 0" Enter
check "a grid of 12 is refused with its range" wait_for "groove: grid 12 is out of range (8 or 16)"
stamp=$(file_stamp "$TMP/jam.hiss")
keys C-s
check "saved" wait_written "$TMP/jam.hiss" "$stamp"
check "the song file holds the channel's groove" \
    wait_file "$TMP/jam.hiss" "channel_groove 03 swing 66 grid 8 human_ms 12 human_vel 20"
keys C-z
keys M-g
check "undo takes the typed groove back to the template" wait_for "58 16 0 0"
keys C-g
check "the prompt is cancelled" wait_for "cancelled"
# While a row loop plays, the last pass is the loop's rows.
keys C-p
check "playing again" wait_re "▶ loop P00:"
keys Home S-Down S-Down S-Down L
check "rows 0-3 loop" wait_for "looping rows 000-003"
keys q
# The note comes back from the audio thread as a take a period or two
# later, and nothing on screen shows it: a J in the same instant would
# come first. A second is far longer than that at any load.
sleep 1
keys J
check "J captures the loop's last pass" \
    wait_re "jam capture: 1 note of the last pass \(4 rows\) written"
keys L F8
keys M-5
check "the settings screen lists the song's groove" wait_for "Groove swing (%)"
check "with its seed" shows "Groove seed"
keys C-q
check "asks to save" wait_re "[Ss]ave"
keys n
check "quits" wait_for "hiss exited 0"
finish
