#!/bin/bash
# A groove changed while the song plays, heard: the editor on a private
# (synchronous) JACK server loops a pattern of clicks, one on every row,
# recorded by a JACK client. G, pressed while it plays, gives the channel
# its own swing; with no stop, the recording's clicks go from straight
# (every row 5760 frames apart at 125 BPM, speed 6) to swung, each odd
# row exactly as late as the swing amount gives:
# floor((66 - 50) x 6 x 48000 / (2 x 1250)) = 1843 frames at 66%. Then a
# tempo change, also without a stop, is heard in the rows and the swing.
SOCK=hiss-ui-groove-live-$$
. "$(dirname "$0")/../common/jackrec.sh"
. "$(dirname "$0")/lib/tmux_ui.sh"
trap 'T kill-server 2>/dev/null; cleanup' EXIT
unset HISS_AUDIO

needs jackd sox python3

check "start a private jackd (synchronous)" start_jackd 256 48000 -S -t 2000
spawn "$WORK/rec.log" "$JACKREC" record rec "$WORK/rec.wav" 60 2
REC_PID=$SPAWN_PID
check "a recorder to connect to" wait_line "$WORK/rec.log" '^ready' 10

python3 - "$TMP/click.wav" <<'EOF'
import struct, sys, wave
w = wave.open(sys.argv[1], "wb")
w.setnchannels(1); w.setsampwidth(2); w.setframerate(48000)
w.writeframes(struct.pack("<h", 16384) * 200)
w.close()
EOF
{
    printf 'hiss 1\ntitle "groove"\nbpm 125\nspeed 6\nrows_per_beat 4\nswing 0\n'
    printf 'master_gain 0.0\nlimiter off\nchannels 1\n'
    printf 'channel 01 gain 0.0 pan 0 mute off solo off\n\n'
    printf 'instrument 01 "click" sample "click.wav" volume 64 pan 0 base C-4 '
    printf 'finetune 0 loop off 0 0 interp raw\n\norder 00\n\npattern 00 16\n'
    for ((r = 0; r < 16; r++)); do printf '%03d |C-4 01 .. ... ...|\n' "$r"; done
} >"$TMP/groove.hiss"
new_server
T new-session -d -s ui -x 80 -y 24 "cd '$TMP' && '$HISS' groove.hiss --audio jack --connect rec:in_1,rec:in_2; echo \"hiss exited \$?\"; sleep 60"
check "the editor runs on JACK" wait_backend JACK
keys C-p
check "it plays" wait_re "▶ loop P00:"
sleep 3
keys G G G G G
check "G set the channel's swing to 66% while it plays" \
    wait_for "channel 1 groove: swing 66% on 16ths"
sleep 3
# The tempo down to 120 BPM, still playing: rows of 6000 frames, and the
# swing follows: floor(16 x 6 x 48000 / (2 x 1200)) = 1920 frames.
keys '&' '&' '&' '&' '&'
check "the tempo goes down to 120 while it plays" wait_for " 120 BPM"
sleep 3
check "still playing: no stop" shows_re "▶ loop P00:"
keys F8 C-q
check "quits" wait_re "hiss exited 0|[Ss]ave"
keys n
kill -TERM "$REC_PID"
wait_exit "$REC_PID" 5

# The gaps between clicks, in order, as "straight" (5760 apart) or
# "swung" (a 7603 then a 3917) pairs, and how many of each came in which
# order: the change must come once, from straight to swung.
sox "$WORK/rec.wav" -t f32 "$WORK/rec.f32" remix 1 2>/dev/null
verdict=$(python3 - "$WORK/rec.f32" <<'EOF'
import array, sys
a = array.array("f")
a.frombytes(open(sys.argv[1], "rb").read())
on, quiet = [], 1000
for i, x in enumerate(a):
    if abs(x) > 1e-4:
        if quiet >= 1000:
            on.append(i)
        quiet = 0
    else:
        quiet += 1
gaps = [b - a for a, b in zip(on, on[1:])]
kinds = []
for g in gaps:
    k = "S" if abs(g - 5760) <= 1 else "L" if abs(g - 7603) <= 1 else \
        "E" if abs(g - 3917) <= 1 else "l" if abs(g - 7920) <= 1 else \
        "e" if abs(g - 4080) <= 1 else "?"
    kinds.append(k)
s = "".join(kinds)
straight = s.count("SSSS")
swung = s.count("LELE")
first_swung = s.find("LE")
last_straight = s.rfind("SS")
slow = s.count("lele")
later = int(s.rfind("LE") < s.find("le"))
print(straight, swung, int(first_swung > last_straight >= 0), slow, later, s[:12], s[-12:])
EOF
)
read -r straight swung order slow later head tail <<<"$verdict"
echo "    clicks: $head ... $tail (S 5760, L 7603, E 3917, l 7920, e 4080 frames apart)"
check "straight clicks before the change ($straight runs)" test "${straight:-0}" -ge 2
check "swung by exactly 1843 frames after it ($swung runs)" test "${swung:-0}" -ge 2
check "from straight to swung, once, with no stop" test "${order:-0}" = 1
check "at 120 BPM the rows and the swing follow the tempo ($slow runs)" test "${slow:-0}" -ge 2
check "after the change, not before" test "${later:-0}" = 1
finish
