#!/bin/bash
# A/B against a reference track, through the editor as a user does it, on
# a private JACK server recorded by a JACK client: M-V names the file
# (a 800 Hz tone at 44.1 kHz, louder than the mix), the song plays (a
# 1 kHz tone), M-v switches to the reference and back while it plays. The
# recording holds the mix, then the reference, then the mix again, and the
# reference came out at the mix's level (both tones weigh the same in
# loudness, so matched loudness is matched RMS). Saving keeps the path,
# relative to the song, and the file is not copied. Then the same through
# hiss play: the song's reference is loaded and matched, and the key a
# switches it while playing. Last, a song five minutes long: its mix is
# measured on a thread while the editor takes keys (C-a opens the mixer,
# whose title shows the measure running, then the reference heard and
# its match), and C-b while a new measure runs stays on the mix.
SOCK=hiss-ui-reference-$$
. "$(dirname "$0")/../common/jackrec.sh"
. "$(dirname "$0")/lib/tmux_ui.sh"
trap 'T kill-server 2>/dev/null; cleanup' EXIT
unset HISS_AUDIO
SEG=$(dirname "$0")/lib/ab_segments.py

needs jackd sox python3
near() { python3 -c "import sys; sys.exit(not abs(float('$1') - float('$2')) < $3)"; }
# heard_ab REC_PID NAME WHO: stops that recorder, then checks what it
# recorded ($WORK/NAME.wav): the mix, the reference, the mix, the
# reference at the mix's level (10 dB louder unmatched).
heard_ab() {
    kill -TERM "$1"
    wait_exit "$1" 5
    sox "$WORK/$2.wav" -t f32 "$WORK/$2.f32" 2>/dev/null
    local order t1 r1 t2 r2
    { read -r order; read -r _ t1 r1 t2 r2; } < <(python3 "$SEG" "$WORK/$2.f32" 48000)
    echo "    tones heard: $order; RMS: $t1 Hz $r1 dB, $t2 Hz $r2 dB"
    check "$3: the mix, the reference, the mix" [ "$order" = "1000 800 1000" ]
    check "$3: the reference at the mix's level (within 0.5 dB)" \
        near "${r1:-0}" "${r2:-99}" 0.5
}

check "start a private jackd at 48 kHz (synchronous)" start_jackd 256 48000 -S -t 2000
spawn "$WORK/rec.log" "$JACKREC" record rec "$WORK/rec.wav" 40 2
REC_PID=$SPAWN_PID
check "a recorder to connect to" wait_line "$WORK/rec.log" '^ready' 10

mkdir -p "$TMP/songs" "$TMP/refs"
# The mix: 100 whole cycles of 1 kHz at 48 kHz, looped, well under the
# limiter's ceiling. The reference: 800 Hz at 44.1 kHz, 10 dB louder.
sox -n -r 48000 -c 1 -b 24 "$TMP/songs/tone.wav" synth 4800s sine 1000 vol 0.1
sox -n -r 44100 -c 2 -b 16 "$TMP/refs/ref.wav" synth 120 sine 800 vol 0.316
{
    printf 'hiss 1\ntitle "ab"\nbpm 120\nspeed 6\nrows_per_beat 4\nswing 0\n'
    printf 'master_gain 0.0\nlimiter on\nchannels 1\n\n'
    printf 'instrument 01 "tone" sample "tone.wav" volume 64 pan 0 '
    printf 'base C-4 finetune 0 loop forward 0 4800 interp raw\n\norder 00\n\npattern 00 4\n'
    printf '000 |C-4 01 .. ... ...|\n'
    for row in 001 002 003; do printf '%s |... .. .. ... ...|\n' "$row"; done
} >"$TMP/songs/ab.hiss"
new_server
T new-session -d -s ui -x 80 -y 24 "cd '$TMP' && '$HISS' songs/ab.hiss --audio jack --connect rec:in_1,rec:in_2; echo \"hiss exited \$?\"; sleep 60"
check "the editor runs on JACK" wait_backend JACK
check "its samples load" wait_for "? help"
keys C-b
check "A/B without a reference says how to load one" wait_for "no reference track: M-V loads one"
keys M-V
check "M-V asks for the file" wait_for "Reference file"
keys "refs/ref.wav" Enter
check "the reference loads, its loudness measured" wait_re "reference ref.wav \(-[0-9.]+ LUFS\): C-b for A/B"
keys M-Enter
sleep 2
keys M-v
check "C-b: the reference, matched by a cut in dB" \
    wait_re "A/B: REFERENCE ref.wav at -[0-9]+\.[0-9] dB"
sleep 2
keys M-v
check "M-v again: the mix" wait_for "A/B: the mix"
sleep 2
keys F8
keys C-s
check "saved" wait_for "saved songs/ab.hiss"
keys C-q
check "quits" wait_for "hiss exited 0"
heard_ab "$REC_PID" rec "heard"

check "the song keeps the path, relative to itself" \
    grep -qx 'reference "../refs/ref.wav"' "$TMP/songs/ab.hiss"
check "and the file is not copied beside it" \
    [ "$(find "$TMP/songs" -name '*ref*' | wc -l)" = 0 ]

# hiss play: the song now names the reference.
spawn "$WORK/rec2.log" "$JACKREC" record rec2 "$WORK/rec2.wav" 40 2
REC2_PID=$SPAWN_PID
check "a second recorder" wait_line "$WORK/rec2.log" '^ready' 10
T new-window -t ui -n play "cd '$TMP' && '$HISS' play songs/ab.hiss --loop --seconds 8 --audio jack --connect rec2:in_1,rec2:in_2; echo \"play exited \$?\"; sleep 60"
pscreen() { T capture-pane -pJ -t ui:play 2>/dev/null; }
pwait() { local i; for ((i = 0; i < 200; i++)); do pscreen | grep -qE -- "$1" && return 0; sleep 0.05; done; return 1; }
check "hiss play loads the song's reference, matched" \
    pwait "reference \.\./refs/ref\.wav: -[0-9.]+ LUFS, the mix -[0-9.]+ LUFS; heard at -[0-9.]+ dB; press a for A/B"
sleep 2
T send-keys -t ui:play a
check "a: the reference" pwait "A/B: REFERENCE"
sleep 2
T send-keys -t ui:play a
check "a again: the mix" pwait "A/B: the mix"
check "play ends by itself" pwait "play exited 0"
heard_ab "$REC2_PID" rec2 "hiss play"

# A/B while the mix is measured: a song five minutes long, so the
# measure (a render of a copy of the song) takes a while, and the editor
# answers keys meanwhile. The same tone started on the first row and held
# through 40 more 8-second patterns (5:20 in all), the same reference.
spawn "$WORK/rec3.log" "$JACKREC" record rec3 "$WORK/rec3.wav" 120 2
REC3_PID=$SPAWN_PID
check "a third recorder" wait_line "$WORK/rec3.log" '^ready' 10
{
    printf 'hiss 1\ntitle "long"\nbpm 120\nspeed 6\nrows_per_beat 4\nswing 0\n'
    printf 'master_gain 0.0\nlimiter on\nchannels 2\nreference "../refs/ref.wav"\n\n'
    printf 'instrument 01 "tone" sample "tone.wav" volume 64 pan 0 '
    printf 'base C-4 finetune 0 loop forward 0 4800 interp raw\n\norder 00'
    for _ in $(seq 40); do printf ' 01'; done
    printf '\n\npattern 00 4\n000 |C-4 01 .. ... ...|... .. .. ... ...|\n'
    for row in 001 002 003; do printf '%s |... .. .. ... ...|... .. .. ... ...|\n' "$row"; done
    printf '\npattern 01 64\n'
    for row in $(seq 0 63); do printf '%03d |... .. .. ... ...|... .. .. ... ...|\n' "$row"; done
} >"$TMP/songs/long.hiss"
new_server
T new-session -d -s ui -x 80 -y 24 "cd '$TMP' && '$HISS' songs/long.hiss --audio jack --connect rec3:in_1,rec3:in_2; echo \"hiss exited \$?\"; sleep 60"
check "the editor runs on JACK" wait_backend JACK
check "the song's reference loads" wait_re "reference ref.wav loaded: C-b for A/B"
keys M-Enter
sleep 2
keys C-b
check "C-b: the mix is measured first, said at once" wait_for "A/B: measuring the mix..."
keys C-a
check "C-a meanwhile: the mixer opens, its title showing the measure run" \
    wait_re " Mixer: \[channels\] .* A/B: measuring [0-9]+%"
# The measure renders the song's 5:20 on a shared machine: up to 90 s.
reference_shown() { WAIT_STEPS=900 wait_re " Mixer: .* A/B: REFERENCE -[0-9]+\.[0-9] dB"; }
check "the reference comes with the figure, shown on the mixer with its match" \
    reference_shown
check "... and on the status line, against the mix's loudness" \
    shows_re "A/B: REFERENCE ref.wav at -[0-9]+\.[0-9] dB \(-[0-9.]+ LUFS, the mix -[0-9.]+ LUFS\)"
sleep 2
keys C-b
check "C-b: the mix, the mixer keeping the match" wait_re " Mixer: .* A/B: mix \(match -[0-9.]+ dB\)"
# An edit (channel 2's fader, silent) calls for a new measure.
keys Down +
check "an edit on the mixer" wait_re "^ 02 +-14\.[0-9] "
keys C-b
check "C-b after the edit: measured again" wait_re " Mixer: .* A/B: measuring [0-9]+%"
keys C-b
check "C-b while measuring: back to the mix, the measure dropped" \
    wait_for "A/B: the mix (measuring stopped)"
check "... and the mixer says the mix is heard" shows_re " Mixer: .* A/B: mix \(match"
sleep 2
keys C-q
check "asks to save" wait_re "[Ss]ave"
keys n
check "quits" wait_exited 0
heard_ab "$REC3_PID" rec3 "measured in the background"
finish
