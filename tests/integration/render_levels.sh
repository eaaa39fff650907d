#!/bin/bash
# Levels at their defaults, measured on rendered files: a beat of eight of
# the kit's samples at full volume, the demo and every example song render
# with headroom, without limiting and without a sample at full scale; and
# the render summary's clip count is what the file holds, with the
# limiter's work reported apart from it.
set -u
HISS=${HISS:-build/hiss}
case $HISS in /*) ;; *) HISS=$PWD/$HISS ;; esac
. "$(dirname "$0")/lib/results.sh"
needs sox od awk

REPO=$PWD
T=$(mktemp -d "${TMPDIR:-/tmp}/hiss-levels-XXXXXX")
trap 'rm -rf "$T"' EXIT

# Runs hiss render; leaves $rc and $out (the summary line).
render() {
    out=$("$HISS" render "$@" 2>"$T/stderr")
    rc=$?
}
# The peak of a file in dBFS, as sox measures it.
peak_db() { sox -V1 "$1" -n stats 2>&1 | awk '/^Pk lev dB/ {print $4}'; }
# Samples of a 16-bit file at its top or bottom code.
full_scale_count() {
    sox "$1" -t s16 - | od -An -v -td2 -w2 |
        awk '$1 == 32767 || $1 == -32768 {n++} END {print n + 0}'
}
# A number from the summary: the one before WORD.
summary_number() { printf '%s\n' "$out" | grep -Eo "[0-9]+ $1" | grep -Eo '^[0-9]+'; }
# awk as a test: between LOW HIGH VALUE.
between() { awk -v lo="$1" -v hi="$2" -v v="$3" 'BEGIN {exit !(v != "" && v >= lo && v <= hi)}'; }

# Eight channels of the shipped kit, every note at full volume, the master
# at 0 dB and no channel lines: the levels a new song starts with. Kick,
# 808 and the keys land together on the downbeats.
beat8() {
    cat <<H
hiss 1
title "Eight"
bpm 90
speed 6
rows_per_beat 4
swing 0
master_gain $1
limiter on
channels 8

H
    local i=1 s base loop
    for s in kick snare hat_closed hat_open clap bass808 epiano pad; do
        base=C-4 loop="off 0 0"
        [ $s = bass808 ] && base=C-2 loop="forward 22050 26096"
        [ $s = pad ] && loop="forward 22050 110250"
        printf 'instrument %02X "%s" sample "%s/samples/%s.wav" volume 64 pan 0 base %s finetune 0 loop %s interp linear\n' \
            $i $s "$REPO" $s $base "$loop"
        i=$((i + 1))
    done
    printf '\norder 00 00\n\npattern 00 16\n'
    local r line
    for r in $(seq 0 15); do
        line=$(printf '%03d ' "$r")
        cell() { line+="|$1 $2 .. ... ..."; }
        none() { line+="|... .. .. ... ..."; }
        case $r in 0 | 6 | 8 | 10) cell C-4 01 ;; *) none ;; esac
        case $r in 4 | 12) cell C-4 02 ;; *) none ;; esac
        if [ "$r" != 14 ] && [ $((r % 2)) = 0 ]; then cell C-4 03; else none; fi
        case $r in 14) cell C-4 04 ;; *) none ;; esac
        case $r in 4 | 12) cell C-4 05 ;; *) none ;; esac
        case $r in 0 | 8) cell C-2 06 ;; *) none ;; esac
        case $r in 0 | 3 | 8 | 11) cell C-4 07 ;; *) none ;; esac
        case $r in 0) cell C-4 08 ;; *) none ;; esac
        echo "$line|"
    done
}

beat8 0.0 >"$T/beat8.hiss"
render "$T/beat8.hiss" -o "$T/beat8.wav" --bits 16
pk=$(peak_db "$T/beat8.wav")
echo "     eight channels at default levels: peak $pk dBFS"
check "an 8-channel beat at default levels keeps about 6 dB of headroom (-9..-4 dBFS)" \
    between -9 -4 "$pk"
check "... and renders without limiting or clipping" \
    grep -Eq " 0 clipped, limiter idle$" <<<"$out"
check "... and holds no sample at full scale" test "$(full_scale_count "$T/beat8.wav")" = 0

for song in "$REPO"/patterns/*.hiss; do
    name=$(basename "$song" .hiss)
    render "$song" -o "$T/$name.wav" --bits 16
    pk=$(peak_db "$T/$name.wav")
    echo "     $name: peak $pk dBFS"
    check "$name renders without limiting or clipping" \
        grep -Eq " 0 clipped, limiter idle$" <<<"$out"
    check "$name peaks at -6 dBFS or below, and is not silent" between -20 -6 "$pk"
done

# Stems: stereo, after pan and fader, named after the channels, as long as
# the mix; summed, they are the mix before the master section (the master
# at 0 dB and the limiter idle here, so the master stem is that mix).
sed 's/^channels 8$/channels 8\nchannel 01 name "Kick Drum" gain -12.0 pan -60 mute off solo off\nchannel 06 gain -9.5 pan 40 mute off solo off/' \
    "$T/beat8.hiss" >"$T/named.hiss"
render "$T/named.hiss" --stems "$T/stems" --bits 32
check "stems are named after the channel, else its first instrument" \
    test -f "$T/stems/named-01-Kick_Drum.wav" -a -f "$T/stems/named-02-snare.wav"
check "a stem per channel and the master" test "$(ls "$T/stems" | wc -l)" = 9
check "the stems are stereo and as long as the master" \
    test "$(soxi -c "$T/stems/named-01-Kick_Drum.wav" 2>/dev/null)" = 2 \
    -a "$(soxi -s "$T/stems/named-08-pad.wav" 2>/dev/null)" = "$(soxi -s "$T/stems/named-master.wav" 2>/dev/null)"
inputs=()
for f in "$T"/stems/named-0*.wav; do inputs+=(-v 1 "$f"); done
sox -V1 -m "${inputs[@]}" -v -1 "$T/stems/named-master.wav" "$T/residue.wav"
res=$(peak_db "$T/residue.wav")
mpk=$(peak_db "$T/stems/named-master.wav")
echo "     stems summed minus the mix: $res dBFS against a mix peaking at $mpk dBFS"
check "the channel stems sum to the mix before the master within -60 dB" \
    awk -v r="$res" -v m="$mpk" 'BEGIN {exit !(r == "-inf" || r - m < -60)}'
right=$(sox -V1 "$T/stems/named-01-Kick_Drum.wav" -n remix 2 stats 2>&1 | awk '/^Pk lev dB/ {print $4}')
left=$(sox -V1 "$T/stems/named-01-Kick_Drum.wav" -n remix 1 stats 2>&1 | awk '/^Pk lev dB/ {print $4}')
check "a stem is after its pan: the kick, 60% left, is 8 dB down on the right" \
    awk -v l="$left" -v r="$right" 'BEGIN {d = l - r; exit !(d > 7.8 && d < 8.2)}'

# Pushed 12 dB: the limiter works and says how much; what still reaches
# full scale in the file is counted as clipped, exactly.
beat8 12.0 >"$T/hot.hiss"
render "$T/hot.hiss" -o "$T/hot.wav" --bits 16
depth=$(printf '%s\n' "$out" | sed -nE 's/.*limiter reduced up to ([0-9.]+) dB for ([0-9.]+) s$/\1 \2/p')
check "a hot mix reports the limiter's deepest reduction and its time" \
    test -n "$depth"
check "... about the 12 dB it was pushed, at most (3..12 dB), for a while (> 0.1 s)" \
    awk -v d="$depth" 'BEGIN {split(d, a, " "); exit !(a[1] >= 3 && a[1] <= 12 && a[2] > 0.1)}'
check "... and its clip count is the file's full-scale samples" \
    test "$(summary_number clipped)" = "$(full_scale_count "$T/hot.wav")"
# Limited all through, a render of one second: the limiter's time is no
# longer than the file (the ring-out past its end is not counted).
render "$T/hot.hiss" -o "$T/hot1.wav" -s 1 --json
check "a limiter's time is never longer than the file" \
    grep -Eq '"frames": 48000, .*"limiter_frames": ([0-9]{1,4}|[1-3][0-9]{4}|4[0-7][0-9]{3}|48000),' <<<"$out"
render "$T/hot.hiss" -o "$T/hot-nolim.wav" --bits 16 --no-limiter
n=$(full_scale_count "$T/hot-nolim.wav")
check "without the limiter the clip count is the file's full-scale samples ($n)" \
    test "$(summary_number clipped)" = "$n" -a "$n" -gt 1000
check "... and the limiter is reported off" grep -Eq " clipped, limiter off$" <<<"$out"

# Loudness of what is written: a full-scale 1 kHz sine on one centred
# channel, its fader at -23.0 dB, is a stereo sine at -23 dBFS: EBU Tech
# 3341's first case, which reads -23.0 LUFS.
sox -V1 -q -n -r 48000 -c 1 -b 24 "$T/sine1k.wav" synth 1 sine 1000
{
    printf 'hiss 1\ntitle "1k"\nbpm 125\nspeed 6\nrows_per_beat 4\nswing 0\n'
    printf 'master_gain 0.0\nlimiter on\nchannels 1\nchannel 01 gain -23.0 pan 0 mute off solo off\n\n'
    printf 'instrument 01 "sine" sample "sine1k.wav" volume 64 pan 0 base C-4 finetune 0 loop forward 0 48000 interp linear\n'
    # One note, then three empty 64-row patterns: 23 s of one sustained tone.
    printf '\norder 00 01 01 01\n\npattern 00 1\n000 |C-4 01 .. ... ...|\n'
    printf '\npattern 01 64\n'
    for r in $(seq 0 63); do printf '%03d |... .. .. ... ...|\n' "$r"; done
} >"$T/sine1k.hiss"
render "$T/sine1k.hiss" -o "$T/sine1k-out.wav" --seconds 20 --no-loudness
check "with --no-loudness, the true peak alone: -23 dBTP" \
    grep -Eq "^loudness: not measured \(--no-loudness\), true peak -2(2\.9|3\.0|3\.1) dBTP$" <<<"$out"
render "$T/sine1k.hiss" -o "$T/sine1k-out.wav" --seconds 20 --json --no-loudness
check "... and in JSON, null for what was not measured" \
    grep -Eq '"integrated_lufs": null, "lra_lu": null, "true_peak_dbtp": -2[23]\.[0-9]+\}$' <<<"$out"
render "$T/sine1k.hiss" -o "$T/sine1k-out.wav" --seconds 20
lufs=$(printf '%s\n' "$out" | sed -nE 's/^loudness: (-?[0-9.]+) LUFS integrated, LRA ([0-9.]+) LU, true peak (-?[0-9.]+) dBTP$/\1/p')
echo "     1 kHz at -23 dBFS: $lufs LUFS"
check "a render prints it: a 1 kHz sine at -23 dBFS reads -23.0 +- 0.1 LUFS" \
    between -23.1 -22.9 "$lufs"
check "... and its true peak, -23 dBTP" \
    grep -Eq "true peak -2(2\.9|3\.0|3\.1) dBTP$" <<<"$out"
render "$T/sine1k.hiss" -o "$T/sine1k-out.wav" --seconds 20 --json
check "--json prints one object with the same figures" \
    grep -Eq '^\{"output": ".*sine1k-out.wav", "frames": 960000, "rate": 48000, "peak_dbfs": -2[23]\.[0-9]+, "clipped": 0, "limiter": true, "limiter_frames": 0, "limiter_max_db": 0.00, "integrated_lufs": -2(2\.9|3\.0|3\.1)[0-9], "lra_lu": [0-9.]+, "true_peak_dbtp": -2[23]\.[0-9]+\}$' <<<"$out"
check "... and nothing else" test "$(printf '%s\n' "$out" | wc -l)" = 1
# -q prints nothing, so it measures nothing; the file stays the same, and
# --json still asks for the figures.
cp "$T/sine1k-out.wav" "$T/sine1k-measured.wav"
render "$T/sine1k.hiss" -o "$T/sine1k-out.wav" --seconds 20 -q
check "-q prints nothing" test -z "$out"
check "... and writes the file a measured render writes" cmp -s "$T/sine1k-out.wav" "$T/sine1k-measured.wav"
render "$T/sine1k.hiss" -o "$T/sine1k-out.wav" --seconds 20 -q --json
check "-q --json still measures: -23.0 LUFS, -23 dBTP" \
    grep -Eq '"integrated_lufs": -2(2\.9|3\.0|3\.1)[0-9], "lra_lu": [0-9.]+, "true_peak_dbtp": -2[23]\.[0-9]+\}$' <<<"$out"

finish
