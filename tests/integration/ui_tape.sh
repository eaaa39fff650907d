#!/bin/bash
# Tape saturation as a user tries it: a 1 kHz sine peaking at -6 dBFS
# plays (-6.0 LUFS momentary, true peak -6.0 dBTP); the tape drive typed
# on the mixer's master view goes to 100; once the meter is reset the
# true peak reads under -7 dBTP (the peaks rounded off, which only the
# tape does here) while the momentary loudness stays within 0.5 LU of
# -6.0, where the old tanh(kx)/k took it to -10.9. The saved song keeps
# the drive, and `hiss render` of it reads the same loudness as without
# tape, with the third harmonic the drive added. ASCII (LC_ALL=C).
set -u
SOCK=hiss-ui-tape-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
needs sox python3

# 256 rows at 120 BPM, speed 6: 32 s, so the note never restarts while
# the meters are read.
tone_song "$TMP/tape.hiss" tape 120 6 256 1000 0.501187 \
    'channel 01 gain 0.0 pan 0 mute off solo off'
"$HISS" render "$TMP/tape.hiss" -o "$TMP/dry.wav" --bits 24 >"$TMP/dry.log" 2>&1

start_editor "LC_ALL=C" tape.hiss
wait_for "tape" >/dev/null
wait_loaded 192000
keys M-Enter C-a Tab Tab
check "the mixer's master view" wait_for " Mixer: channels inserts [master] sends"
check "playing, the loudness reads -6.0 LUFS and the true peak -6.0 dBTP" \
    wait_re " M -(5\.9|6\.0|6\.1) S .* TP -(5\.[7-9]|6\.[01]) dBTP"
keys End Up Up Up
type_into "Tape drive" 100
check "the drive is typed" wait_for "Tape drive         100 %"
sleep 0.5 # the make-up's average settles (100 ms)
keys R
# The render reads -8.5 dBTP; the live meter can read a little more where
# its tap joins blocks, so any reading under -7 dBTP will do.
check "the peaks come down: true peak under -7 dBTP" wait_re " TP -[78]\.[0-9] dBTP"
check "... at the same loudness: momentary -6.0 LUFS within 0.5 LU" \
    wait_re " M -(5\.[5-9]|6\.[0-5]) S "
screen | grep " LUFS" | sed 's/^/    /'
keys Space C-s
check "saved" wait_for "saved tape.hiss"
check "the song file keeps the drive" grep -qx "tape drive 100" "$TMP/tape.hiss"
keys C-q
check "quits" wait_exited 0

"$HISS" render "$TMP/tape.hiss" -o "$TMP/wet.wav" --bits 24 >"$TMP/wet.log" 2>&1
lufs() { sed -nE 's/^loudness: (-?[0-9.]+) LUFS.*/\1/p' "$1"; }
echo "    render without tape: $(lufs "$TMP/dry.log") LUFS; with drive 100: $(lufs "$TMP/wet.log") LUFS"
check "the render reads the same loudness within 0.5 LU" \
    python3 -c "import sys; sys.exit(abs($(lufs "$TMP/dry.log") - ($(lufs "$TMP/wet.log"))) > 0.5)"
# The third harmonic against the fundamental, over the second second.
h3() {
    sox "$1" -t f32 -c 1 - trim 1 1 2>/dev/null | python3 -c '
import sys, struct, math
d = sys.stdin.buffer.read(); x = struct.unpack("<%df" % (len(d) // 4), d)
def level(hz):
    w = 2 * math.pi * hz / 48000; c = 2 * math.cos(w); s1 = s2 = 0.0
    for v in x: s1, s2 = v + c * s1 - s2, s1
    return math.sqrt(max(s1 * s1 + s2 * s2 - c * s1 * s2, 1e-30))
print("%.1f" % (20 * math.log10(level(3000) / level(1000))))'
}
dry_h3=$(h3 "$TMP/dry.wav")
wet_h3=$(h3 "$TMP/wet.wav")
echo "    third harmonic: $dry_h3 dBc without tape, $wet_h3 dBc at drive 100"
check "the render has the harmonics the drive added (3rd above -20 dBc)" \
    python3 -c "import sys; sys.exit(not ($wet_h3 > -20 and $dry_h3 < -60))"

finish
