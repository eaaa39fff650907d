#!/bin/bash
# MIDI learn of notes and actions as a player does it, with a JACK MIDI
# client playing a pad and turning a knob into hiss:midi_in while a JACK
# client records hiss's output. In learn mode (M-L) the mute key on
# channel 2 is picked, not done, and the pad (note 36, MIDI channel 10)
# that comes is bound to it: the pad then mutes and unmutes channel 2
# while the song plays, on screen and in the recording (a silence between
# sound, where the kick on every row never leaves one), and plays no
# sound of its own. On the instruments screen, + on the cutoff in learn
# mode and a knob bind the knob to instrument 01's cutoff; a sweep of it
# is one undo step (the learning move before it another).
# The bindings are listed on the help screen, saved, read
# again by the next session, and one is removed with Delete; a target is
# typed at Enter's prompt. Bindings in
# the hissrc start and stop, cue and record.
set -u
SOCK=hiss-ui-midi-learn-actions-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
. "$(dirname "$0")/lib/tmux_jack.sh"
needs jackd sox python3

kick_song "$TMP/pads.hiss" "... .. .. ... ...|C-4 01 .. ... ...|" "filter lp12 cutoff 5000"
LEARNED="$XDG_CONFIG_HOME/hiss/midi_learn"

# pad: a hit of pad 36 on MIDI channel 10, and its release.
pad() { midi_in 0:99:36:100 40:89:36:0; }
# pad_shows RE: hits the pad until RE shows (each hit toggles, so another
# comes only while RE does not show).
pad_shows() { midi_in_shows "$1" 0:99:36:100 40:89:36:0; }

check "a private JACK server starts" start_jackd
"$JACKREC" record rec "$TMP/rec.wav" 90 2 >"$TMP/rec.log" 2>&1 &
REC_PID=$!
for _ in $(seq 1 100); do grep -q '^ready' "$TMP/rec.log" && break; sleep 0.1; done
check "a recorder is ready" grep -q '^ready' "$TMP/rec.log"
start_editor "" "pads.hiss --audio jack --connect rec:in_1,rec:in_2"
check "the editor plays through JACK" wait_backend JACK

keys Tab M-L
check "M-L enters learn mode" wait_for "MIDI learn: do the action to bind"
keys ,
check "the mute key on channel 2 is picked as the target" \
    wait_for "MIDI learn: move a controller for mute 2, or play a note"
check "and not done: channel 2 is not muted" shows_not "MUTE"
# Back to channel 1: a pad that played would sound there.
keys BTab
check "the pad is bound and the binding saved" \
    pad_shows "note C-2 \(MIDI channel 10\) does mute 2; saved in"
check "midi_learn holds the binding" grep -qx "midi_note 10:36 mute 2" "$LEARNED"
check "the hit that bound it did not mute" shows_not "MUTE"

keys C-p
check "playing" wait_re "▶ loop P00:"
sleep 2
check "the pad mutes channel 2 while it plays" pad_shows "Ch 02 +MUTE"
check "the status line says so" shows "channel 2 muted"
sleep 2.5
check "the pad again unmutes it" pad_shows "channel 2 unmuted"
check "without stopping" shows "▶"
sleep 2
keys F8
kill -TERM "$REC_PID"
for _ in $(seq 1 50); do kill -0 "$REC_PID" 2>/dev/null || break; sleep 0.1; done
wait "$REC_PID" 2>/dev/null

# The recording: sound (the kick on every row, 0.12 s apart, each 0.4 s
# long, so no gap), then a gap of about 2.5 s (muted: nothing, also not
# the pad), then sound again.
. "$(dirname "$0")/lib/silence.sh"
measure_silence "$TMP/rec.wav"
check "the recording has the kick before the mute" python3 -c "import sys; sys.exit(not ${before:-0} >= 0.5)"
check "then a silence of the muted stretch (at least 1.5 s)" \
    python3 -c "import sys; sys.exit(not ${gap:-0} >= 1.5)"
check "then the kick again once unmuted" python3 -c "import sys; sys.exit(not ${after:-0} >= 0.5)"

# A knob learned for instrument 01's cutoff on the instruments screen.
keys C-t Tab End
for _ in $(seq 1 34); do keys Up; done # past the 9 envelope fields too
check "the instruments screen shows the cutoff" wait_re "Cutoff +5000 Hz"
keys M-L +
check "+ on the cutoff in learn mode picks it" \
    wait_for "MIDI learn: move a controller for instrument 01 cutoff"
check "the cutoff is as it was" shows_re "Cutoff +5000 Hz"
check "a knob turned is bound (knob at 0: 20 Hz)" midi_in 0:B0:71:0
check "the binding is said and saved" \
    wait_for "CC 71 (MIDI channel 1) moves instrument 01 cutoff; saved in"
check "the learning move set the cutoff" wait_re "Cutoff +20 Hz"
# The move that bound the knob is a step of its own; the sweep right
# after it is one more, however its values are spread in time. The top
# comes once, last: once it shows, no move of the sweep is still on its
# way to undo it again (midi_in_shows sends the sweep again should a
# loaded server lose the last one).
sweep=()
for v in 8 16 24 32 40 48 56 64 72 80 88 96 104 112 120 127; do
    sweep+=("20:B0:71:$v")
done
check "a sweep of the knob takes the cutoff to the top (20000 Hz)" \
    midi_in_shows "Cutoff +20000 Hz" "${sweep[@]}"
keys C-z
check "one undo brings the cutoff back to before the sweep (20 Hz)" \
    wait_re "Cutoff +20 Hz"
keys C-z
check "the next undoes the learning move (5000 Hz)" wait_re "Cutoff +5000 Hz"
keys C-y C-y
check "two redos take it to the sweep's end" wait_re "Cutoff +20000 Hz"
keys M-L Left
check "Left on the cutoff in learn mode picks it too (it steps it as - does)" \
    wait_for "MIDI learn: move a controller for instrument 01 cutoff"
check "... and does not move it" shows_re "Cutoff +20000 Hz"
keys M-L
check "M-L again leaves learn mode" wait_for "MIDI learn: left"
keys ? End
check "the help screen lists the pad's binding" wait_for "midi_note 10:36 mute 2"
check "and the knob's" shows "midi_cc 1:71 instrument 01 cutoff"
keys ?
keys C-q
check "asks to save" wait_re "[Ss]ave"
keys n
check "quits" wait_for "hiss exited 0"

# The next session reads the bindings, and the hissrc's: the pad mutes
# at once; other pads and a button start and stop, cue and record.
printf 'midi_note 10:38 play\nmidi_note 10:39 cue_next\nmidi_cc 1:20 record\n' \
    >"$XDG_CONFIG_HOME/hiss/hissrc"
start_editor "" "pads.hiss --audio jack"
check "the editor plays through JACK again" wait_backend JACK
check "the saved pad mutes channel 2 without learning" pad_shows "Ch 02 +MUTE"
check "pad 38 starts the song" midi_in_shows "▶ 00:" 0:99:38:100
check "pad 39 cues the next entry (the song has one: 00)" \
    midi_in_shows "cued entry 00: plays at" 0:99:39:100
check "a button (CC 20) pressed turns record on" midi_in_shows "record on" 0:B0:20:127
check "held (127 again)" midi_in 0:B0:20:127
sleep 0.5
check "it does nothing more" shows "record on"
check "released and pressed again: record off" \
    midi_in_shows "record off" 0:B0:20:0 40:B0:20:127
check "pad 38 again stops" midi_in_shows "■ stopped" 0:99:38:100
keys M-L
check "learn mode again" wait_for "MIDI learn: do the action to bind"
check "the pad in learn mode says what it does" \
    pad_shows "MIDI learn: note C-2 \(MIDI channel 10\) does mute 2 \(Delete: unbind"
check "and did not unmute" shows "MUTE"
keys Delete
check "Delete removes the binding" \
    wait_for "note C-2 (MIDI channel 10) is no longer bound; saved in"
check "midi_learn no longer holds it" bash -c "! grep -q 'midi_note 10:36' '$LEARNED'"
check "the knob's binding stays" grep -qx "midi_cc 1:71 instrument 01 cutoff" "$LEARNED"
pad
sleep 0.5
check "the pad no longer unmutes" shows "MUTE"
# A binding of the hissrc's: removed for this session, and the user told
# where it lives (hiss never writes the hissrc).
keys M-L
check "learn mode to remove the hissrc's pad" wait_for "MIDI learn: do the action to bind"
check "pad 38 says what it does" \
    midi_in_shows "note D-2 \(MIDI channel 10\) does play" 0:99:38:100
keys Delete
check "Delete says the hissrc binds it" \
    wait_for "note D-2 (MIDI channel 10) is unbound until hiss quits: the hissrc binds it"
check "the hissrc is left as it was" grep -qx "midi_note 10:38 play" "$XDG_CONFIG_HOME/hiss/hissrc"
check "midi_learn no longer has it" bash -c "! grep -q 'midi_note 10:38' '$LEARNED'"
# A target typed instead of done: Enter in learn mode.
keys M-L
check "learn mode once more" wait_for "MIDI learn: do the action to bind"
keys Enter
check "Enter asks for the target" wait_for "Bind to (mute 2, tap"
T send-keys -t ui -l "mute"
keys Enter
check "a target without its channel is refused, saying why" \
    wait_for "MIDI learn: mute takes a channel, 1..64"
keys Enter
check "asks again" wait_for "Bind to (mute 2, tap"
T send-keys -t ui -l "solo 1"
keys Enter
check "a typed target is taken" wait_for "MIDI learn: move a controller for solo 1"
check "the pad is bound to it" pad_shows "note C-2 \(MIDI channel 10\) does solo 1; saved in"
check "and solos channel 1" pad_shows "Ch 01 .*SOLO"
keys C-q
check "asks to save" wait_re "[Ss]ave"
keys n
check "quits" wait_for "hiss exited 0"
finish
