#!/bin/bash
# The mixer's live loudness against EBU reference signals made here, as a
# user reads it: a 1 kHz sine at -23 dBFS in both channels reads -23.0
# LUFS integrated (EBU Tech 3341, within 0.1) and a true peak of -23.0
# dBTP; the figures stay after the song stops, and the reset key starts
# them afresh. A 1 kHz sine 5 s at -20 dBFS then 5 s at -30 dBFS has a
# loudness range of 10 LU (EBU Tech 3342's first case, shortened; its
# tolerance is 1 LU, 0.5 here). The channel's fader is at 0 dB, so what
# goes out is the sample as it is.
set -u
SOCK=hiss-ui-loudness-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
needs sox

# song FILE SAMPLE LOOP: one channel at 0 dB playing SAMPLE from row 0,
# looped over LOOP frames (0: once), in a pattern 32 s long.
song() {
    {
        printf 'hiss 1\ntitle "loudness"\nbpm 60\nspeed 12\nrows_per_beat 4\nswing 0\n'
        printf 'master_gain 0.0\nlimiter on\nchannels 1\n'
        printf 'channel 01 gain 0.0 pan 0 mute off solo off\n'
        if [ "$3" -gt 0 ]; then
            printf 'instrument 01 "ref" sample "%s" volume 64 pan 0 base C-4 finetune 0 loop forward 0 %d interp linear\n' "$2" "$3"
        else
            printf 'instrument 01 "ref" sample "%s" volume 64 pan 0 base C-4 finetune 0 interp linear\n' "$2"
        fi
        printf '\norder 00\n\npattern 00 64\n'
        printf '000 |C-4 01 .. ... ...|\n'
        for r in $(seq 1 63); do printf '%03d |... .. .. ... ...|\n' "$r"; done
    } >"$1"
}

# -23 dBFS is an amplitude of 10^(-23/20); 4 s hold whole cycles of 1 kHz.
sox -q -n -r 48000 -c 1 -b 16 "$TMP/ref23.wav" synth 4 sine 1000 vol 0.0707946
song "$TMP/ref23.hiss" ref23.wav 192000
sox -q -n -r 48000 -c 1 -b 16 "$TMP/loud.wav" synth 5 sine 1000 vol 0.1
sox -q -n -r 48000 -c 1 -b 16 "$TMP/quiet.wav" synth 5 sine 1000 vol 0.0316228
sox -q "$TMP/loud.wav" "$TMP/quiet.wav" "$TMP/step.wav"
# Looped (5 s of 1 kHz are whole cycles), so no window ever reaches
# silence: the range stays the step's.
song "$TMP/step.hiss" step.wav 480000

# play_once_loaded FRAMES: plays from the mixer once the sample loaded.
play_once_loaded() {
    wait_loaded "$1"
    keys C-a
    wait_for " Mixer: " >/dev/null
    keys M-Enter
}

# long_wait_re REGEX: wait_re for up to 30 s.
long_wait_re() { WAIT_STEPS=300 wait_re "$1"; }

start_editor "LC_ALL=C" ref23.hiss
wait_for "loudness" >/dev/null
keys C-a
check "the mixer shows no integrated loudness before anything played" \
    wait_re " M -inf S -inf I -inf LUFS, LRA -?[0-9inf.]+ LU, TP -inf dBTP \(R: reset\)"
play_once_loaded 192000
check "playing the -23 dBFS sine, integrated loudness reads -23.0 LUFS (+-0.1)" \
    wait_re " I -2(2\.9|3\.0|3\.1) LUFS"
check "... and its true peak -23.0 dBTP (+-0.1)" wait_re " TP -2(2\.9|3\.0|3\.1) dBTP"
# Stopped only once the short-term reading (3 s) has settled too: a stop
# in the first second leaves the blocks it cuts through most of what
# played, however fast the checks above came.
check "... and, 3 s in, the short-term loudness too" wait_re " S -2(2\.9|3\.0|3\.1) I "
keys Space
check "stopped, the momentary loudness falls to silence" wait_re " M -inf S "
# The blocks the stop cut through count too: a little below -23.
check "... while the integrated loudness keeps what played" shows_re " I -2[23]\.[0-9] LUFS"
check "... and the true peak too" shows_re " TP -2(2\.9|3\.0|3\.1) dBTP"
keys R
check "R starts the integrated loudness afresh" wait_for " I -inf LUFS"
check "... and the true peak" shows " TP -inf dBTP"
check "... and says so" shows "start afresh"
keys C-q
check "quits" wait_exited 0

start_editor "LC_ALL=C" step.hiss
wait_for "loudness" >/dev/null
play_once_loaded 480000
# The range needs short-term windows on both levels: 8 s at least.
check "a 10 dB step in level reads a loudness range of 10 LU (+-0.5)" \
    long_wait_re " LRA (9\.[5-9]|10\.[0-5]) LU"
keys C-q
check "quits" wait_exited 0
finish
