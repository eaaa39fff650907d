#!/bin/bash
# The editor with the audio options of `hiss play`: on a private JACK server
# (dummy driver), `hiss SONG --audio jack --client-name NAME --ports
# per-channel --connect ...` registers one port per song channel, connected
# as asked; changing the channel count on the settings screen (and undoing
# it) registers and unregisters ports to match, and a song opened inside
# the editor brings its own count, its new port carrying its channel's
# sound, also when it was opened while the server was gone. A bad audio
# option is refused before the terminal is touched.
SOCK=hiss-ui-ports-$$
. "$(dirname "$0")/../common/jackrec.sh"
. "$(dirname "$0")/lib/tmux_ui.sh"
trap 'T kill-server 2>/dev/null; cleanup' EXIT

needs jackd sox

# song FILE CHANNELS TONE_CHANNEL: a looped 1 kHz sine struck on row 0 of
# one channel (1-based), the other channels empty.
sox -n -r 48000 -b 16 -c 1 "$WORK/tone.wav" synth 1 sine 1000 vol 0.5
song() {
    local cell empty row c
    {
        printf 'hiss 1\ntitle "ports"\nbpm 125\nspeed 6\nrows_per_beat 4\nswing 0\n'
        printf 'master_gain 0.0\nlimiter off\nchannels %d\n\n' "$2"
        printf 'instrument 01 "sine" sample "tone.wav" volume 64 pan 0 base C-4 '
        printf 'finetune 0 loop forward 0 48000 interp linear\n\norder 00\n\n'
        printf 'pattern 00 16\n'
        for ((row = 0; row < 16; row++)); do
            printf '%03d ' "$row"
            for ((c = 1; c <= $2; c++)); do
                if [ "$row" = 0 ] && [ "$c" = "$3" ]; then
                    printf '|C-4 01 .. ... ...'
                else
                    printf '|... .. .. ... ...'
                fi
            done
            printf '|\n'
        done
    } >"$1"
}
song "$WORK/two.hiss" 2 1
song "$WORK/three.hiss" 3 3

# ports_are N: hissed has exactly out_L, out_R, midi_out, its inputs midi_in,
# in_L, in_R and ch01..chN (waits up to ~10 s for the editor to get there).
expected() {
    printf 'hissed:out_L\nhissed:out_R\nhissed:midi_out\nhissed:midi_in\nhissed:in_L\nhissed:in_R\n'
    local c
    for ((c = 1; c <= $1; c++)); do printf 'hissed:ch%02d\n' "$c"; done
}
ports_are() {
    local i want got
    want=$(expected "$1" | sort)
    for i in $(seq 1 100); do
        got=$("$JACKREC" ports '^hissed:' | sort)
        [ "$got" = "$want" ] && return 0
        sleep 0.1
    done
    echo "    ports: $(echo $got)"
    return 1
}
# connected PORT TARGET: (jack_lsp -c lists a port's connections indented)
connected() {
    local i
    for i in $(seq 1 50); do
        jack_lsp -c "$1" 2>/dev/null | grep -qx "   $2" && return 0
        sleep 0.1
    done
    return 1
}

check "a bad --ports is refused" \
    bash -c "'$HISS' '$WORK/two.hiss' --ports nine 2>&1 | grep -q \"ports 'nine' must be per-channel or stereo\""
check "a bad --transport is refused" \
    bash -c "! '$HISS' --transport sideways </dev/null >/dev/null 2>&1"
check "--help names the shared audio options" \
    bash -c "'$HISS' --fallback --help 2>&1 | grep -q -- '--ports per-channel'"
check "hiss --help lists them for the editor too" \
    bash -c "'$HISS' --help | grep -q -- '--fallback' && '$HISS' --help | grep -q 'hiss \\[SONG\\] \\[AUDIO OPTION'"

check "start a private jackd" start_jackd 256
spawn "$WORK/rec.log" "$JACKREC" record rec "$WORK/rec.wav" 60 6
check "a recorder to connect to" wait_line "$WORK/rec.log" '^ready' 10

new_server
CONNECT=rec:in_1,rec:in_2,rec:in_3,rec:in_4,rec:in_5,rec:in_6
T new-session -d -s ui -x 80 -y 24 "'$HISS' '$WORK/two.hiss' --audio jack --client-name hissed --ports per-channel --connect $CONNECT --transport master; echo \"hiss exited \$?\"; sleep 60"
check "the editor runs on JACK" wait_backend JACK
check "one port per channel: ch01, ch02" ports_are 2
check "out_L goes where --connect says" connected hissed:out_L rec:in_1
check "ch02 goes where --connect says" connected hissed:ch02 rec:in_4

keys C-g
check "the settings screen" wait_for "Channels"
# Channels comes before master gain, the limiter and the four settings of
# how effects play (global volume, slides, FT2 vib/trem/gliss, FT2 tremor): the
# seventh from the end, whatever comes before it.
keys End Up Up Up Up Up Up Right Right
check "channels set to 4" wait_re "Channels +4"
check "two more ports: ch01..ch04" ports_are 4
check "ch03 connected per --connect" connected hissed:ch03 rec:in_5
check "ch04 connected per --connect" connected hissed:ch04 rec:in_6
keys Left
check "down to 3" wait_re "Channels +3"
check "ch04 is gone" ports_are 3
keys C-z C-z C-z
check "undone back to 2" wait_re "Channels +2"
check "the ports follow the undo" ports_are 2

keys C-o
check "the open prompt" wait_for "Open"
keys C-u "$WORK/three.hiss" Enter
discard_if_asked "opened"
check "the three-channel song opens" wait_for "opened"
check "its count of ports: ch01..ch03" ports_are 3
check "the new ch03 connected per --connect" connected hissed:ch03 rec:in_5

# Its channel 3 holds the tone: playing, ch03 carries it and ch01 (an
# empty channel now) is silent.
keys Space
check "it plays" wait_for "▶ "
# Silence proves something only from a recorder that was listening: each
# step of the setup is a check, and the recording must be a whole second.
spawn "$WORK/ch.log" "$JACKREC" record chk "$WORK/ch.wav" 1 2
check "a recorder for the channel ports" wait_line "$WORK/ch.log" '^ready' 10
check "connected to ch03" "$JACKREC" connect hissed:ch03 chk:in_1
# The silence of ch01 counts only if the recorder listened to it.
ch01_heard=no
"$JACKREC" connect hissed:ch01 chk:in_2 && ch01_heard=yes
check "connected to ch01" test "$ch01_heard" = yes
check "the recording ends" wait_exit "$SPAWN_PID" 10
check "and is written whole" test "${EXIT_STATUS:-1}" = 0
check "the new ch03 port carries channel 3" \
    bash -c "'$JACKREC' silent '$WORK/ch.wav' --ch 0 >'$WORK/ch0.txt'; test \$? = 1"
check "ch01 (empty in this song) is silent, over a whole second" \
    bash -c "test $ch01_heard = yes && '$JACKREC' silent '$WORK/ch.wav' --ch 1 >'$WORK/ch1.txt' && grep -qE '^silent: 48000 frames' '$WORK/ch1.txt'"
keys Space

keys C-q
discard_if_asked "hiss exited 0"
check "quits cleanly" wait_for "hiss exited 0"

# A song opened while the server is gone: when a server returns, the
# editor finds it by itself and makes the ports for the song it has now.
new_server
T new-session -d -s ui -x 80 -y 24 "'$HISS' '$WORK/two.hiss' --audio jack --client-name hissed --ports per-channel --no-connect; echo \"hiss exited \$?\"; sleep 60"
check "gone: the editor runs on JACK" wait_backend JACK
check "gone: ch01, ch02" ports_are 2
stop_jackd
check "gone: the server is gone" wait_for "JACK server gone"
keys C-o
wait_for "Open" >/dev/null
keys C-u "$WORK/three.hiss" Enter
check "gone: the three-channel song opens meanwhile" wait_for "Ch 03"
check "gone: a server returns" start_jackd 256
check "gone: the editor is back on it by itself" wait_backend JACK
check "gone: with the new song's ports, ch01..ch03" ports_are 3
keys C-q
discard_if_asked "hiss exited 0"
check "gone: quits cleanly" wait_for "hiss exited 0"

# A server with a port limit: the editor opens all the same, says once how
# many channel ports it got, and plays.
stop_jackd
check "a server with room for few ports" start_jackd 256 48000 --port-max 8
new_server
T new-session -d -s ui -x 100 -y 24 "'$HISS' '$DEMO' --audio jack --ports per-channel --no-connect; echo \"hiss exited \$?\"; sleep 60"
check "port limit: the editor runs on JACK" wait_backend JACK
check "port limit: it says how many channel ports it got" \
    wait_re "JACK made only [0-9]+ of 13 channel ports"
keys Space
check "port limit: it plays" wait_for "▶ "
keys Space C-q
discard_if_asked "hiss exited 0"
check "port limit: quits cleanly" wait_for "hiss exited 0"
finish
