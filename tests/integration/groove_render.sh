#!/bin/bash
# hiss render with a groove: a swung and a humanized note land on the frames
# their settings give in the written file, a note the groove holds back past
# the song's last row still comes (the ring-out waits for it), and the same
# seed writes the same bytes while another seed does not.
set -u
HISS=${HISS:-build/hiss}
case $HISS in /*) ;; *) HISS=$PWD/$HISS ;; esac
. "$(dirname "$0")/lib/results.sh"

needs python3 cmp

T=$(mktemp -d "${TMPDIR:-/tmp}/hiss-groove-XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

# A click: 200 frames of a constant, so each onset is the first frame
# that is not silent after a silence.
python3 - <<'EOF'
import struct, wave
w = wave.open("click.wav", "wb")
w.setnchannels(1); w.setsampwidth(2); w.setframerate(48000)
w.writeframes(struct.pack("<h", 16384) * 200)
w.close()
EOF

# song GROOVE_LINE ROW2 ROW3: a 4-row pattern at 125 BPM, speed 6 (a row
# is 5760 frames at 48 kHz), one channel.
song() {
    cat <<EOF
hiss 1
title "Groove"
bpm 125
speed 6
rows_per_beat 4
swing 0
master_gain 0.0
limiter off
channels 1
$1

instrument 01 "click" sample "click.wav" volume 64 pan 0 base C-4 finetune 0 loop off 0 0 interp raw

order 00

pattern 00 4
000 |C-4 01 .. ... ...|
001 |... .. .. ... ...|
002 |$2 .. ... ...|
003 |$3 .. ... ...|
EOF
}

# onsets FILE: the frames where sound starts after silence, and the length.
onsets() {
    python3 - "$1" <<'EOF'
import sys, wave
w = wave.open(sys.argv[1]); n = w.getnframes(); ch = w.getnchannels(); sw = w.getsampwidth()
d = w.readframes(n); step = ch * sw; on = []; quiet = True
for i in range(n):
    loud = any(d[i * step + k] for k in range(sw))
    if loud and quiet:
        on.append(i)
    quiet = not loud
print(" ".join(map(str, on)), "/", n)
EOF
}

render() { "$HISS" render -q "$1" -o "$2" >/dev/null 2>&1; }

# 75% on 16ths: the last row's note sits at 75% of the pair of rows 2-3,
# 2880 frames into the silence after the song's last row began.
song "channel_groove 01 swing 75 grid 16 human_ms 0 human_vel 0" "... .." "C-4 01" >late.hiss
render late.hiss late.wav
got=$(onsets late.wav)
check "a swung last note sounds on its frame after the last row ($got)" \
    test "${got% /*}" = "0 20160"
check "the file holds that note whole ($got)" test "${got#*/ }" -gt 20360

# With 8 rows a beat, 75% on 8ths holds row 4 back two rows: a 5-row
# song has ended by then, and the ring-out waits for the note.
song "channel_groove 01 swing 75 grid 8 human_ms 0 human_vel 0" "... .." "... .." |
    sed 's/^rows_per_beat 4/rows_per_beat 8/; s/^pattern 00 4/pattern 00 5/' >past.hiss
echo "004 |C-4 01 .. ... ...|" >>past.hiss
render past.hiss past.wav
got=$(onsets past.wav)
check "a note held past the song's end still sounds on its frame ($got)" \
    test "${got% /*}" = "0 34560"
check "and the file holds it whole ($got)" test "${got#*/ }" -ge 34760

# 66% on 8ths from the song's groove: row 2 at 66% of the beat.
song "groove swing 66 grid 8 human_ms 0 human_vel 0 seed 0" "C-4 01" "... .." >eighth.hiss
render eighth.hiss eighth.wav
got=$(onsets eighth.wav)
check "the song's 8th swing puts row 2 at 66% of the beat ($got)" \
    test "${got% /*}" = "0 15206"

# Humanize 20 ms: every note 0..960 frames late; the same seed renders the
# same bytes, another seed other bytes.
human() {
    song "groove swing 50 grid 16 human_ms 20 human_vel 30 seed $1" "C-4 01" "C-4 01" >"h$1.hiss"
    render "h$1.hiss" "$2"
}
human 7 a.wav
human 7 b.wav
human 8 c.wav
check "the same seed writes the same file" cmp -s a.wav b.wav
check "another seed writes another file" bash -c '! cmp -s a.wav c.wav'
read -r -a on <<<"$(onsets a.wav)"
late_ok=1
for i in 0 1 2; do
    row=$(( (i == 0 ? 0 : i + 1) * 5760 ))
    late=$(( ${on[$i]:-0} - row ))
    [ "$late" -ge 0 ] && [ "$late" -le 960 ] || late_ok=0
done
check "humanized notes come 0..20 ms late (${on[*]})" test "$late_ok" = 1

finish
