#!/bin/bash
# MIDI learn as a player does it, with a JACK MIDI client turning knobs
# (control changes) into hiss:midi_in: on the mixer, L and a knob bind
# channel 1's fader; the knob then moves the fader while the song plays;
# the binding is saved in midi_learn beside the hissrc and works again in
# the next session without learning; on the settings screen, L binds a
# knob to the tempo.
set -u
SOCK=hiss-ui-midi-learn-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
. "$(dirname "$0")/lib/tmux_jack.sh"
needs jackd

kick_song "$TMP/knobs.hiss" "C-4 01 .. ... ...|... .. .. ... ...|"
LEARNED="$XDG_CONFIG_HOME/hiss/midi_learn"

# knob CC VALUE: a control change on MIDI channel 1.
knob() { midi_in "0:B0:$1:$2"; }
# knob_shows CC VALUE RE: turns the knob until RE shows.
knob_shows() { midi_in_shows "$3" "0:B0:$1:$2"; }

check "a private JACK server starts" start_jackd
start_editor "" "knobs.hiss --audio jack"
check "the editor plays through JACK" wait_backend JACK
keys C-a
check "the mixer shows channel 1's fader at -15 dB" wait_re "^ 01 +-15\.0 "
keys L
check "L arms MIDI learn for the chosen field" \
    wait_for "MIDI learn: move a controller for strip 1 gain"
check "a knob turned is bound and the binding saved" \
    knob_shows 74 100 "CC 74 \(MIDI channel 1\) moves strip 1 gain; saved in"
check "the learning move already sets the fader (100 of 127: -3.3 dB)" wait_re "^ 01 +-3\.3 "
check "midi_learn holds the binding" grep -qx "midi_cc 1:74 strip 1 gain" "$LEARNED"
keys F5
check "playing" wait_re "▶ 00:00:0[0-9][0-9]"
check "the knob turned to 0 while it plays brings the fader to its bottom (off)" \
    knob_shows 74 0 "^ 01 +off "
check "without stopping" shows "▶"
check "another controller is not bound" knob 75 127
sleep 0.3
check "so the fader stays" wait_re "^ 01 +off "
keys F8
keys M-5
check "the settings screen" wait_for "Song settings"
keys L
check "L there arms MIDI learn for the tempo" wait_for "MIDI learn: move a controller for tempo"
check "a knob turned for the tempo sets it (60 of 127: 120 BPM)" \
    knob_shows 7 60 " 120 BPM"
check "both bindings are saved" grep -qx "midi_cc 1:7 tempo" "$LEARNED"
keys C-q
check "asks to save" wait_re "[Ss]ave"
keys n
check "quits" wait_for "hiss exited 0"

# The next session reads the bindings: no learning needed.
start_editor "" "knobs.hiss --audio jack"
check "the editor plays through JACK again" wait_backend JACK
keys C-a
check "the fader is as saved" wait_re "^ 01 +-15\.0 "
check "the knob turned all the way moves the fader at once (+12 dB)" \
    knob_shows 74 127 "^ 01 +\+?12\.0 "
keys C-q
check "asks to save" wait_re "[Ss]ave"
keys n
check "quits" wait_for "hiss exited 0"
finish
