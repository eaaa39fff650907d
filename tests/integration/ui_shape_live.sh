#!/bin/bash
# An envelope edited on the instruments screen reaches the note already
# sounding, heard: the editor on a private JACK server plays one long note
# of a looping sine (sustain 100%), the sustain is typed down to 20% while
# it sounds, then undone, and a JACK client records it. The same note
# (the pattern has no other) is a fifth as loud after the edit as before,
# and as loud again after the undo.
SOCK=hiss-ui-shape-live-$$
. "$(dirname "$0")/../common/jackrec.sh"
. "$(dirname "$0")/lib/tmux_ui.sh"
trap 'T kill-server 2>/dev/null; cleanup' EXIT
unset HISS_AUDIO

needs jackd sox python3

check "start a private jackd (synchronous)" start_jackd 256 48000 -S -t 2000
spawn "$WORK/rec.log" "$JACKREC" record rec "$WORK/rec.wav" 30 2
REC_PID=$SPAWN_PID
check "a recorder to connect to" wait_line "$WORK/rec.log" '^ready' 10

# 440 whole cycles in a second: a seamless loop. One note on row 0 of a
# 64-row pattern at 0.625 s a row, so nothing restarts it while recorded.
mkdir -p "$TMP/songs"
sox -n -r 48000 -c 1 -b 16 "$TMP/songs/sine.wav" synth 1 sine 440 vol 0.5
{
    printf 'hiss 1\ntitle "live"\nbpm 60\nspeed 15\nrows_per_beat 4\nswing 0\n'
    printf 'master_gain 0.0\nlimiter off\nchannels 1\n\n'
    printf 'instrument 01 "tone" sample "sine.wav" volume 64 pan 0 '
    printf 'base C-4 finetune 0 loop forward 0 48000 interp linear\n\norder 00\n\n'
    printf 'pattern 00 64\n000 |C-4 01 .. ... ...|\n'
    for ((row = 1; row < 64; row++)); do printf '%03d |... .. .. ... ...|\n' $row; done
} >"$TMP/songs/live.hiss"
new_server
T new-session -d -s ui -x 80 -y 24 "cd '$TMP' && '$HISS' songs/live.hiss --audio jack --connect rec:in_1,rec:in_2; echo \"hiss exited \$?\"; sleep 60"
check "the editor runs on JACK" wait_backend JACK
keys C-t
check "the instruments screen opens" wait_for "Slot 01"
keys Tab Home
for _ in $(seq 1 13); do keys Down; done
keys Space
check "the song plays" wait_for "▶"
sleep 1.5
type_into Sustain 20
check "the sustain is typed while the note sounds" wait_re "Sustain +20 %"
sleep 1.5
keys C-z
check "and undone" wait_re "Sustain +100 %"
sleep 1.5
keys Space
check "and stops" wait_for "■"
sleep 0.5
keys C-q
check "quits at once: after the undo nothing is left to save" wait_for "hiss exited 0"
kill -TERM "$REC_PID" 2>/dev/null
wait_exit "$REC_PID" 5

sox "$WORK/rec.wav" -t f32 "$WORK/rec.f32" 2>/dev/null
# The RMS of the left channel over 0.2 s windows of the note: the first
# half a second in, the quietest, and the last ending half a second
# before it stops.
read -r before quiet undone < <(python3 - "$WORK/rec.f32" <<'EOF'
import array, math, sys
x = array.array('f', open(sys.argv[1], 'rb').read())[0::2]
loud = [i for i, v in enumerate(x) if abs(v) > 1e-3]
if not loud:
    print(0, 0, 0)
    sys.exit()
on, off = loud[0], loud[-1]
rms = lambda a: math.sqrt(sum(v * v for v in x[a:a + 9600]) / 9600)
last = off - 24000 - 9600
print(rms(on + 24000), min(rms(a) for a in range(on + 24000, last, 4800)), rms(last))
EOF
)
echo "    level before the edit ${before:-?}, after it ${quiet:-?}, after the undo ${undone:-?}"
within() { python3 -c "import sys; sys.exit(not abs(float('$1') - float('$2')) <= float('$3'))"; }
check "the note is heard before the edit" python3 -c "import sys; sys.exit(not float('${before:-0}') > 0.05)"
check "the same note is a fifth as loud after it" within "${quiet:-0}" "$(python3 -c "print(0.2 * float('${before:-0}'))")" 0.01
check "and as loud as before after the undo" within "${undone:-0}" "${before:-0}" 0.01

finish
