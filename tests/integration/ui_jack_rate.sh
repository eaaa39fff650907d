#!/bin/bash
# The editor follows a JACK server that comes back at another rate, with
# no key pressed and no restart: it reconnects by itself, plays on at once with an engine timed for the new rate, converts the
# samples in the background, and the sound keeps its pitch. The song is a
# looped 1 kHz sine, so a recording from each server tells both: silence
# (the editor waiting for a restart) fails, and an engine left at the old
# rate would sound 8.8% off (919 Hz at 44.1 kHz).
SOCK=hiss-ui-rate-$$
. "$(dirname "$0")/../common/jackrec.sh"
. "$(dirname "$0")/lib/tmux_ui.sh"
trap 'T kill-server 2>/dev/null; cleanup' EXIT

needs jackd sox

sox -n -r 48000 -b 16 -c 1 "$WORK/tone.wav" synth 1 sine 1000 vol 0.5
SONG=$WORK/tone.hiss
{
    printf 'hiss 1\ntitle "tone"\nbpm 125\nspeed 6\nrows_per_beat 4\nswing 0\n'
    # The fader at 0 dB (a channel's default leaves headroom), so the tone
    # reaches the recording at the level the check expects.
    printf 'master_gain 0.0\nlimiter off\nchannels 1\n'
    printf 'channel 01 gain 0.0 pan 0 mute off solo off\n\n'
    printf 'instrument 01 "sine" sample "tone.wav" volume 64 pan 0 base C-4 '
    printf 'finetune 0 loop forward 0 48000 interp linear\n\norder 00\n\n'
    printf 'pattern 00 64\n'
    printf '000 |C-4 01 .. ... ...|\n'
    for ((r = 1; r < 64; r++)); do printf '%03d |... .. .. ... ...|\n' "$r"; done
} >"$SONG"

# record NAME: two seconds of hiss's stereo out from the running server.
record() {
    spawn "$WORK/$1.log" "$JACKREC" record "$1" "$WORK/$1.wav" 2 2
    local rec=$SPAWN_PID
    wait_line "$WORK/$1.log" '^ready' 10 || return 1
    "$JACKREC" connect hiss:out_L "$1:in_1" && "$JACKREC" connect hiss:out_R "$1:in_2" &&
        wait_exit "$rec" 10
}
# tone_near NAME RATE: the recording is at RATE and holds a loud 1 kHz
# tone. Judged in 50 ms windows after the first half second (the recorder
# is connected after it starts): the zero crossings of a window give its
# pitch, to within one crossing (2%). An xrun can break a window or two, so
# at least 3 in 4 windows must be in tune; silence or a tone 8.8% off fails
# them all.
tone_near() {
    local rate verdict
    rate=$(soxi -r "$WORK/$1.wav" 2>/dev/null)
    verdict=$(sox "$WORK/$1.wav" -t dat - remix 1 trim 0.5 2>/dev/null | awk -v rate="$rate" '
        /^;/ { next }
        {
            x = $2; n++; sq += x * x
            if (prev < 0 && x >= 0) up++
            prev = x
            if (n == int(rate / 20)) {
                windows++
                f = up * 20
                if (f >= 980 && f <= 1020 && sqrt(sq / n) > 0.2) good++
                n = 0; sq = 0; up = 0
            }
        }
        END { printf "%d of %d windows hold a loud 1 kHz tone\n", good, windows
              exit !(windows >= 20 && good * 4 >= windows * 3) }')
    local status=$?
    echo "    $1 at ${rate:-?} Hz: $verdict"
    [ "$rate" = "$2" ] && [ "$status" = 0 ]
}

check "start a private jackd at 48000 Hz" start_jackd 256 48000
new_server
T new-session -d -s ui -x 100 -y 24 "'$HISS' '$SONG' --audio jack; echo \"hiss exited \$?\"; sleep 60"
check "the editor runs on JACK" wait_backend JACK
keys Space
check "it plays" wait_for "▶ "
check "a recording at 48000 Hz" record first
check "holds the 1 kHz tone" tone_near first 48000

stop_jackd
check "the server is gone" wait_for "JACK server gone"
check "a server at 44100 Hz" start_jackd 256 44100
# No key: the editor finds the server by itself, as hiss play does.
check "the editor reconnects by itself" wait_for "JACK server back at 44100 Hz"
check "the editor follows the new rate" wait_for "now at 44100 Hz"
check "still playing" wait_for "▶ "
check "a recording at 44100 Hz" record second
check "holds the same tone: played on, at the right pitch" tone_near second 44100

keys Space C-q
discard_if_asked "hiss exited 0"
check "quits cleanly" wait_for "hiss exited 0"

# --fallback: the server goes away and the editor moves on by itself to
# ALSA, else the null clock (48 kHz here, so the rate is followed too).
new_server
T new-session -d -s ui -x 100 -y 24 "'$HISS' '$SONG' --audio jack --fallback; echo \"hiss exited \$?\"; sleep 60"
check "--fallback: the editor runs on JACK" wait_backend JACK
keys Space
check "--fallback: it plays" wait_for "▶ "
stop_jackd
check "--fallback: it falls back when the server goes" wait_re "falling back to (alsa|null)"
check "--fallback: the header names the new backend" wait_re " (ALSA|null) "
check "--fallback: the song keeps playing" wait_for "▶ "
row_now() { screen | sed -nE 's/.*▶ [0-9A-F]{2}:[0-9A-F]{2}:([0-9]{3}).*/\1/p' | head -1; }
first_row=$(row_now)
sleep 1
check "--fallback: and moves on (row $first_row, then $(row_now))" \
    test "$(row_now)" != "$first_row"
keys Space C-q
discard_if_asked "hiss exited 0"
check "--fallback: quits cleanly" wait_for "hiss exited 0"
finish
