#!/bin/bash
# hiss render from the outside: exit codes and messages for every way it can
# fail, exact lengths, rates and formats (read back with soxi), stems, and
# byte-identical repeat renders. Songs and samples are made here, in a temp
# dir; samples with sox.
set -u
HISS=${HISS:-build/hiss}
case $HISS in /*) ;; *) HISS=$PWD/$HISS ;; esac
. "$(dirname "$0")/lib/results.sh"

# Runs hiss render with the arguments; leaves $rc, $out (stdout), $err.
render() {
    "$HISS" render "$@" >"$LOG/stdout" 2>"$LOG/stderr"
    rc=$?
    out=$(cat "$LOG/stdout")
    err=$(cat "$LOG/stderr")
}

# name, expected exit status, expected text in stderr (grep -E), args...
expect_fail() {
    local name=$1 want_rc=$2 want_msg=$3; shift 3
    render "$@"
    local lines
    lines=$(printf '%s\n' "$err" | grep -c .)
    if [ "$rc" != "$want_rc" ]; then
        bad "$name" "exit $rc, wanted $want_rc; stderr: $err"
    elif ! printf '%s\n' "$err" | grep -Eq -- "$want_msg"; then
        bad "$name" "stderr lacks /$want_msg/: $err"
    elif [ "$lines" != 1 ]; then
        bad "$name" "wanted one line of error, got $lines: $err"
    else
        ok "$name"
    fi
}

needs sox soxi cmp

REPO=$PWD
T=$(mktemp -d "${TMPDIR:-/tmp}/hiss-render-XXXXXX")
trap 'rm -rf "$T"' EXIT
LOG=$T/log
mkdir -p "$LOG" "$T/work/samples" "$T/work/songs"
cd "$T/work" || exit 1
sox -q -n -r 44100 -c 1 -b 16 samples/kick.wav synth 0.25 sine 55 fade 0 0.25 0.2
sox -q -n -r 48000 -c 2 -b 24 samples/hat.wav synth 0.05 whitenoise fade 0 0.05 0.04 vol 0.3

# bpm 125, speed 6: a row lasts 6 * 2.5 / 125 = 0.12 s; 16 rows = 1.92 s.
song_header() {
    cat <<EOF
hiss 1
title "Render test"
bpm 125
speed 6
rows_per_beat 4
swing 0
master_gain 0.0
limiter on
channels $1

EOF
}
inst() { # slot name path
    echo "instrument $1 \"$2\" sample \"$3\" volume 64 pan 0 base C-4 finetune 0 loop off 0 0 interp linear"
}
empty_row() { # row channels
    local line
    line=$(printf '%03d ' "$1")
    for ((c = 0; c < $2; c++)); do line+="|... .. .. ... ..."; done
    echo "$line|"
}

# songs/beat.hiss: kick on rows 0 and 8 (channel 1), hat on row 4 (channel 2).
{
    song_header 2
    inst 01 kick ../samples/kick.wav
    inst 02 "open hat" ../samples/hat.wav
    echo
    echo "order 00"
    echo
    echo "pattern 00 16"
    for r in $(seq 0 15); do
        case $r in
        0 | 8) printf '%03d |C-4 01 .. ... ...|... .. .. ... ...|\n' $r ;;
        4) printf '%03d |... .. .. ... ...|C-4 02 .. ... ...|\n' $r ;;
        *) empty_row $r 2 ;;
        esac
    done
} >songs/beat.hiss

# A song whose snare does not exist.
{
    song_header 1
    inst 01 kick ../samples/kick.wav
    inst 03 snare ../samples/snare.wav
    echo
    echo "order 00"
    echo
    echo "pattern 00 4"
    echo "000 |C-4 03 .. ... ...|"
    for r in 1 2 3; do empty_row $r 1; done
} >songs/missing.hiss

printf 'hiss 1\ntitle "Broken"\nbpm fast\n' >songs/bad.hiss
{
    song_header 1
    echo "order"
} >songs/empty.hiss

# --- usage errors: exit 2, one line ---
render --help
check "--help prints usage and exits 0" test "$rc" = 0 -a -n "$(echo "$out" | grep usage)"
expect_fail "no arguments" 2 "no song given"
expect_fail "no output" 2 "no output given" songs/beat.hiss
expect_fail "unknown option" 2 "unknown option '--loud'" songs/beat.hiss -o x.wav --loud
expect_fail "rate not a number" 2 "rate 'fast'" songs/beat.hiss -o x.wav --rate fast
expect_fail "rate too low" 2 "rate '4000'" songs/beat.hiss -o x.wav --rate 4000
expect_fail "rate too high" 2 "rate '400000'" songs/beat.hiss -o x.wav -r 400000
expect_fail "seconds negative" 2 "seconds '-1'" songs/beat.hiss -o x.wav --seconds -1
expect_fail "seconds zero" 2 "seconds '0'" songs/beat.hiss -o x.wav --seconds=0
expect_fail "seconds junk" 2 "seconds '2x'" songs/beat.hiss -o x.wav -s 2x
expect_fail "seconds past the cap" 2 "at most 1200" songs/beat.hiss -o x.wav -s 1201
expect_fail "unknown output format" 2 "x.mp3': unknown output format" songs/beat.hiss -o x.mp3
expect_fail "bad interp" 2 "interpolation 'quintic'" songs/beat.hiss -o x.wav --interp quintic
expect_fail "bad bits" 2 "bits '8'" songs/beat.hiss -o x.wav --bits 8
expect_fail "float needs wav" 2 "32-bit float needs a .wav" songs/beat.hiss -o x.flac --bits 32
expect_fail "missing option value" 2 "needs a file name" songs/beat.hiss -o
expect_fail "two songs" 2 "more than one song" songs/beat.hiss songs/bad.hiss -o x.wav
check "usage errors wrote nothing" test ! -e x.wav -a ! -e x.flac

# --- file errors: exit 1, one line ---
expect_fail "song file missing" 1 "^songs/nope.hiss: .*No such file" songs/nope.hiss -o x.wav
expect_fail "bad song file gives file:line:col" 1 "^songs/bad.hiss:3:[0-9]+: " \
    songs/bad.hiss -o x.wav
expect_fail "missing sample is an error" 1 \
    "^songs/missing.hiss: instrument 03 'snare': cannot open \.\./samples/snare\.wav: No such file or directory .*--allow-missing" \
    songs/missing.hiss -o x.wav
check "missing sample wrote nothing" test ! -e x.wav
expect_fail "empty order list" 1 "order list is empty" songs/empty.hiss -o x.wav
expect_fail "output directory missing" 1 "^nodir/x.wav: cannot create file: No such file" \
    songs/beat.hiss -o nodir/x.wav -s 1
mkdir dir.wav
expect_fail "output is a directory" 1 "^dir.wav: is a directory" songs/beat.hiss -o dir.wav -s 1
touch stems.txt
expect_fail "stems path is a file" 1 "stems.txt: not a directory" \
    songs/beat.hiss -o x.wav -s 1 --stems stems.txt
check "a failed render leaves no file or temporary" \
    test -z "$(ls -A . | grep -v -e '^songs$' -e '^samples$' -e '^dir.wav$' -e '^stems.txt$')"

echo "keep me" >keep.wav
render songs/missing.hiss -o keep.wav
check "a failed render keeps the old output" test "$rc" = 1 -a "$(cat keep.wav)" = "keep me"

render songs/missing.hiss -o silent.wav -s 0.5 --allow-missing
check "--allow-missing renders anyway" test "$rc" = 0 -a -f silent.wav
check "--allow-missing still names the sample" \
    grep -q "instrument 03 'snare'.*rendered silent" "$LOG/stderr"

# --- lengths, rates, formats ---
render songs/beat.hiss -o a.wav --seconds 1.5
check "render exits 0" test "$rc" = 0
check "default rate is 48000" test "$(soxi -r a.wav)" = 48000
check "--seconds 1.5 is exactly 72000 frames" test "$(soxi -s a.wav)" = 72000
check "stereo output" test "$(soxi -c a.wav)" = 2
check "24-bit WAV by default" test "$(soxi -b a.wav)" = 24 -a "$(soxi -t a.wav)" = wav
check "summary names the file, length, peak and clips" \
    grep -Eq '^a.wav: 0:01\.500 at 48000 Hz, WAV 24-bit, peak .* dBFS, [0-9]+ clipped, limiter (idle|reduced up to [0-9.]+ dB for [0-9.]+ s)$' "$LOG/stdout"
check "summary is one line, then the loudness" \
    test "$(grep -c . "$LOG/stdout")" = 2 -a "$(sed -n 2p "$LOG/stdout" | cut -d' ' -f1)" = loudness:
check "the second line gives the loudness, its range and the true peak" \
    grep -Eq '^loudness: (-?[0-9.]+ LUFS|-inf LUFS) integrated, LRA [0-9.]+ LU, true peak -?[0-9.]+ dBTP$' "$LOG/stdout"
check "no progress when stderr is not a terminal" test ! -s "$LOG/stderr"

render songs/beat.hiss -o b.wav --rate 44100 --seconds 2.5
check "--rate 44100" test "$rc" = 0 -a "$(soxi -r b.wav)" = 44100
check "--seconds 2.5 at 44100 is exactly 110250 frames" test "$(soxi -s b.wav)" = 110250

render songs/beat.hiss -o c.flac -r 96000 -s 0.01
check ".flac output" test "$rc" = 0 -a "$(soxi -t c.flac)" = flac
check "FLAC at 96000, 24-bit" test "$(soxi -r c.flac)" = 96000 -a "$(soxi -b c.flac)" = 24
check "--seconds 0.01 at 96000 is exactly 960 frames" test "$(soxi -s c.flac)" = 960

render songs/beat.hiss -oattached.wav -r44100 -s0.5
check "short options take attached values (-oFILE -r44100 -s0.5)" \
    test "$rc" = 0 -a "$(soxi -s attached.wav 2>/dev/null)" = 22050

render songs/beat.hiss -o d.wav -r 22050 -s 1 --bits 16
check "--bits 16 and an odd rate" test "$rc" = 0 -a "$(soxi -b d.wav)" = 16 -a "$(soxi -r d.wav)" = 22050
render songs/beat.hiss -o e.wav -s 1 --bits 32 --no-limiter --interp sinc
check "--bits 32 writes float" test "$rc" = 0 -a -n "$(soxi -e e.wav 2>/dev/null | grep -i float)"
render songs/beat.hiss -o f.aiff -s 1 --interp raw
check ".aiff output" test "$rc" = 0 -a "$(soxi -t f.aiff)" = aiff

render songs/beat.hiss -o q.wav -s 1 --quiet
check "--quiet prints nothing" test "$rc" = 0 -a -z "$out$err" -a -f q.wav

# --- stems ---
render songs/beat.hiss -o mix.wav --stems stems -s 1.25
check "--stems renders" test "$rc" = 0
check "one stem per channel, named after its first instrument" \
    test -f stems/beat-01-kick.wav -a -f stems/beat-02-open_hat.wav
check "and the master beside them, byte for byte the mix's samples" \
    test "$(sox stems/beat-master.wav -t f32 - | md5sum)" = "$(sox mix.wav -t f32 - | md5sum)"
check "no other files in the stems dir" test "$(ls stems | wc -l)" = 3
check "stems are stereo" test "$(soxi -c stems/beat-01-kick.wav)" = 2
check "stems are as long as the mix" \
    test "$(soxi -s stems/beat-02-open_hat.wav)" = 60000 -a "$(soxi -s mix.wav)" = 60000
check "stems get a summary line" \
    grep -Eq '^stems: 2 stems and the master, 0:01\.250' "$LOG/stdout"
check "with nothing muted, no note about silent stems" test -z "$err"
# Rendered again into the same folder: its own stems are written over
# without a word, and an earlier render's stem this one does not write
# (a channel since renamed) is left as it was, and named.
touch stems/beat-03-old_name.wav stems/other-01-kick.wav stems/beat-notes.txt
render songs/beat.hiss -o mix.wav --stems stems -s 1.25
check "stems again into the same folder" test "$rc" = 0
check "... an older stem of the song named, once" \
    test "$(grep -c 'stems: 1 older stem of this song left as it was.*beat-03-old_name.wav' \
        "$LOG/stderr")" = 1
check "... and nothing else said" test "$(grep -c . "$LOG/stderr")" = 1
check "... and every file kept" \
    test -f stems/beat-03-old_name.wav -a -f stems/other-01-kick.wav -a -f stems/beat-notes.txt
rm stems/beat-03-old_name.wav stems/other-01-kick.wav stems/beat-notes.txt
# A solo saved in the song silences the other channel's stem: said.
{ cat songs/beat.hiss; echo 'channel 02 solo on'; } >songs/solo.hiss
render songs/solo.hiss -o solo.wav --stems solostems -s 0.5
check "a saved solo: the silent stems are named in a note" \
    grep -q "note: 1 of 2 channel stems are silent: the song has channels soloed" "$LOG/stderr"
render songs/beat.hiss --stems flacstems -s 0.5
check "--stems alone, without -o" test "$rc" = 0 -a -f flacstems/beat-01-kick.wav -a ! -e mix2.wav
render songs/beat.hiss -o mix.flac --stems fstems -s 0.5
check "stems follow the output's format" test -f fstems/beat-01-kick.flac

# A channel sending to the delay adds that send bus's stem, and only it:
# the reverb, fed by nobody, would be a silent file. The echo of a
# sixteenth at 125 BPM comes one row (5760 frames at 48 kHz) after the kick.
sed 's/^channels 2$/channels 2\nchannel 01 send_a 0.0\ndelay time 1\/16 feedback 0 low_cut 0 high_cut 0/' \
    songs/beat.hiss >songs/sent.hiss
render songs/sent.hiss -o sent.wav --stems sstems -s 1 -r 48000
check "a song sending to the delay writes the delay's stem" \
    test "$rc" = 0 -a -f sstems/sent-send_a-delay.wav
check "... and not the reverb's, which nothing feeds" test ! -e sstems/sent-send_b-reverb.wav
check "... and says how many stems it wrote" \
    grep -Eq '^sstems: 2 stems, 1 send return and the master' "$LOG/stdout"
check "the delay stem is silent before the echo" \
    awk -v a="$(sox sstems/sent-send_a-delay.wav -n trim 0s 5760s stat 2>&1 |
        awk '/Maximum amplitude/ {print $3}')" 'BEGIN { exit !(a == 0) }'
check "the echo starts on the frame a sixteenth gives" \
    awk -v a="$(sox sstems/sent-send_a-delay.wav -n trim 5760s 2s stat 2>&1 |
        awk '/Maximum amplitude/ {print $3}')" 'BEGIN { exit !(a > 0) }'

# --- determinism ---
render songs/beat.hiss -o r1.wav -s 2 --stems r1
render songs/beat.hiss -o r2.wav -s 2 --stems r2
check "two renders are byte-identical" cmp -s r1.wav r2.wav
check "two stem renders are byte-identical" cmp -s r1/beat-01-kick.wav r2/beat-01-kick.wav
render songs/beat.hiss -o r1.flac -s 2
render songs/beat.hiss -o r2.flac -s 2
check "two FLAC renders are byte-identical" cmp -s r1.flac r2.flac

# --- sound: where notes fall, how songs end ---
# max_amp FILE START_FRAME FRAMES: the peak of that stretch.
max_amp() {
    sox "$1" -n trim "${2}s" "${3}s" stat 2>&1 | awk '/Maximum amplitude/ {print $3}'
}
# peak FILE FROM COUNT: the largest magnitude of those frames (max_amp is
# the largest value, below zero where all of them are).
peak() {
    sox "$1" -n trim "${2}s" "${3}s" stat 2>&1 |
        awk '/Maximum amplitude|Minimum amplitude/ { v = $3 < 0 ? -$3 : $3; if (v > p) p = v }
             END { printf "%f\n", p }'
}
# above A B: A > B, for decimals.
above() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

render songs/beat.hiss -o full.wav --stems fullstems
check "a song plays to its end by itself" test "$rc" = 0
# Nothing rings at the end of beat.hiss, so it lasts exactly its 16 rows.
check "the render lasts exactly the song: 16 rows = 92160 frames" \
    test "$(soxi -s full.wav)" = 92160
check "the output is not silent" above "$(max_amp full.wav 0 92160)" 0.1
# Row 8 starts at 8 * 0.12 s = 0.96 s = frame 46080: the kick there is
# heard from that frame and not before (the kick of row 0 is over by then).
check "nothing sounds just before row 8" \
    test "$(max_amp fullstems/beat-01-kick.wav 40000 6080)" = 0.000000
check "the kick of row 8 is heard at its frame" \
    above "$(max_amp fullstems/beat-01-kick.wav 46080 2400)" 0.1
check "the hat of row 4 is heard at its frame, on its own stem" \
    above "$(max_amp fullstems/beat-02-open_hat.wav 23040 1200)" 0.01
check "and not before it" test "$(max_amp fullstems/beat-02-open_hat.wav 0 23040)" = 0.000000
render songs/beat.hiss -o full44.wav -r 44100
check "at 44100 Hz row 8 starts at frame 42336" \
    test "$(max_amp full44.wav 36000 6336)" = 0.000000
check "at 44100 Hz the kick is heard from frame 42336" \
    above "$(max_amp full44.wav 42336 2205)" 0.1
check "at 44100 Hz the song lasts 84672 frames" test "$(soxi -s full44.wav)" = 84672

# The last row's kick (0.25 s, from frame 86400) rings out to its own end
# after the song's last row, not longer.
sed -e 's/^015 |\.\.\. \.\. /015 |C-4 01 /' songs/beat.hiss >songs/ringout.hiss
render songs/ringout.hiss -o ring.wav
frames=$(soxi -s ring.wav 2>/dev/null || echo 0)
check "a one-shot note on the last row rings out past the end" test "$frames" -gt $((92160 + 4800))
check "the ring-out stops with the sound (under 0.3 s)" test "$frames" -lt $((92160 + 14400))

# A looping sample would never end: it fades out (64 frames) at the end.
sed -e 's/loop off 0 0/loop forward 0 0/' songs/ringout.hiss >songs/loopend.hiss
render songs/loopend.hiss -o loopend.wav
frames=$(soxi -s loopend.wav 2>/dev/null || echo 0)
check "a looping note on the last row fades out at the end" \
    test "$frames" -gt 92160 -a "$frames" -le $((92160 + 64))
check "and fades, not cuts" test -n "$(max_amp loopend.wav $((frames - 4)) 4)" -a \
    "$(above "$(max_amp loopend.wav $((frames - 4)) 4)" 0.05 && echo loud)" = ""

# A one-shot longer than the 2 s ring-out is faded out there, not cut.
sox -q -n -r 48000 -c 1 -b 16 samples/long.wav synth 4 sine 220 vol 0.5
sed -e 's#\.\./samples/kick\.wav#../samples/long.wav#' songs/ringout.hiss >songs/longend.hiss
render songs/longend.hiss -o longend.wav
frames=$(soxi -s longend.wav 2>/dev/null || echo 0)
check "a long note rings out for 2 s at most" \
    test "$frames" -gt $((92160 + 90000)) -a "$frames" -le $((92160 + 96000))
check "then fades out instead of stopping dead" \
    above 0.02 "$(peak longend.wav $((frames - 4)) 4)"

# A reverb still ringing at the 2 s cap (a 10 s decay on the last row's
# kick, which ends long before) is faded out there too, not cut.
sed -e 's/^channels \(.*\)/channels \1\nchannel 01 gain 0.0 send_b 0.0\nreverb decay 10.0/' \
    songs/ringout.hiss >songs/reverbend.hiss
render songs/reverbend.hiss -o reverbend.wav
frames=$(soxi -s reverbend.wav 2>/dev/null || echo 0)
check "a reverb rings out for 2 s at most" \
    test "$frames" -gt $((92160 + 90000)) -a "$frames" -le $((92160 + 96000))
check "the reverb still sounds near the cap" \
    above "$(peak reverbend.wav $((frames - 9600)) 4800)" 0.002
check "and fades out at the cap instead of stopping dead" \
    above 0.002 "$(peak reverbend.wav $((frames - 4)) 4)"

# Progress goes to standard error when it is a terminal (see above for
# when it is not).
if command -v script >/dev/null; then
    tty_out=$(script -qec "'$HISS' render songs/beat.hiss -o tty.wav -s 30" /dev/null 2>&1)
    check "progress on a terminal shows the position" \
        grep -q "rendering 0:[0-9][0-9]\.[0-9]*/0:30\.000  order 00 row [0-9][0-9][0-9]" <<<"$tty_out"
fi

# EE2 on row 5 plays that row three times over: the song lasts 18 rows
# (the timing scan and the engine agree), and row 8's kick comes two rows
# later, at frame 10 * 5760.
sed -e 's/^005 |\.\.\. \.\. \.\. \.\.\. /005 |... .. .. EE2 /' songs/beat.hiss >songs/delay.hiss
render songs/delay.hiss -o delay.wav
check "a pattern delay lengthens the song: 18 rows = 103680 frames" \
    test "$rc" = 0 -a "$(soxi -s delay.wav)" = 103680
check "nothing sounds where row 8 would have been" \
    test "$(max_amp delay.wav 30000 27600)" = 0.000000
check "row 8's kick is heard two rows later" above "$(max_amp delay.wav 57600 2400)" 0.1

# A song that jumps back with B00 renders exactly one pass, with a note.
sed -e 's/^015 |\.\.\. \.\. \.\. \.\.\. /015 |... .. .. B00 /' songs/beat.hiss >songs/loop.hiss
render songs/loop.hiss -o loop.wav
check "a looping song renders" test "$rc" = 0
check "a looping song renders one pass, cut at the loop point" \
    test "$(soxi -s loop.wav)" = 92160
check "a looping song says so" grep -q "loops: rendered one pass" "$LOG/stderr"
render songs/loop.hiss -o loop3.wav -s 5.76
check "--seconds renders a looping song for as long as asked" \
    test "$rc" = 0 -a "$(soxi -s loop3.wav)" = 276480
check "and the third pass starts like the first" \
    above "$(max_amp loop3.wav 184320 2400)" 0.1

# A one-row pattern that jumps onto itself (B00 on row 000 of the only
# order) loops from its first row: one pass is that row, 0.12 s.
{
    song_header 1
    inst 01 kick ../samples/kick.wav
    echo
    echo "order 00"
    echo
    echo "pattern 00 1"
    echo "000 |C-4 01 .. B00 ...|"
} >songs/selfloop.hiss
render songs/selfloop.hiss -o selfloop.wav
check "a one-row B00 onto itself renders" test "$rc" = 0
check "a one-row B00 onto itself renders one pass: one row, 5760 frames" \
    test "$(soxi -s selfloop.wav)" = 5760
check "a one-row B00 onto itself says it loops" \
    grep -q "order 00 row 00 jumps back to order 00, so the song loops" "$LOG/stderr"

# An intro, then a loop: order 00 plays once, order 01 jumps onto itself.
# The file holds both (two rows, 11520 frames) and the note names both.
{
    song_header 1
    inst 01 kick ../samples/kick.wav
    echo
    echo "order 00 01"
    echo
    echo "pattern 00 1"
    echo "000 |C-4 01 .. ... ...|"
    echo "pattern 01 1"
    echo "000 |C-4 01 .. B01 ...|"
} >songs/introloop.hiss
render songs/introloop.hiss -o introloop.wav
check "an intro then a loop renders both: two rows, 11520 frames" \
    test "$rc" = 0 -a "$(soxi -s introloop.wav)" = 11520
check "and says it rendered the intro and one pass of the loop" \
    grep -q "rendered the intro (0:00.120) and one pass of the loop (0:00.120)" "$LOG/stderr"

# Tempo changes on the way: F03 on row 4, F50 (80 BPM) on row 8, B00 on
# row 15. Rows 0-3 last 0.12 s, 4-7 0.06 s, 8-15 3 x 2.5/80 s: 70560
# frames. The jump back keeps speed 3 at 80 BPM, so the second pass
# (16 x 0.09375 s = 72000 frames) is not the first; it is what repeats.
sed -e 's/^004 |\.\.\. \.\. \.\. \.\.\. /004 |... .. .. F03 /' \
    -e 's/^008 |C-4 01 \.\. \.\.\. /008 |C-4 01 .. F50 /' \
    -e 's/^015 |\.\.\. \.\. \.\. \.\.\. /015 |... .. .. B00 /' songs/beat.hiss >songs/tempo.hiss
render songs/tempo.hiss -o tempo.wav
check "a jump back at another tempo renders until the song repeats" \
    test "$rc" = 0 -a "$(soxi -s tempo.wav 2>/dev/null)" = $((70560 + 72000))
check "and the second pass is faster: row 8's kick at frame 70560 + 8 x 4500" \
    above "$(max_amp tempo.wav $((70560 + 36000)) 1200)" 0.1

# Writes come in large blocks: a 3-minute song (24 orders of 64 rows at
# 0.12 s a row, 184.32 s) takes fewer than 1000 write calls, counted by a
# write() interposed with LD_PRELOAD.
{
    song_header 1
    inst 01 kick ../samples/kick.wav
    echo
    echo "order$(printf ' 00%.0s' $(seq 24))"
    echo
    echo "pattern 00 64"
    for r in $(seq 0 63); do
        if [ $((r % 8)) = 0 ]; then printf '%03d |C-4 01 .. ... ...|\n' $r; else empty_row $r 1; fi
    done
} >songs/long.hiss
cat >writecount.c <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static unsigned long calls;

ssize_t write(int fd, const void *buf, size_t n)
{
    static ssize_t (*real)(int, const void *, size_t);
    if (!real)
        real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    calls++;
    return real(fd, buf, n);
}

__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("WRITECOUNT_FILE");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (f) {
        fprintf(f, "%lu\n", calls);
        fclose(f);
    }
}
EOF
if ${CC:-cc} -shared -fPIC -o writecount.so writecount.c -ldl; then
    # A sanitizer build wants its runtime first among preloaded libraries.
    san_rt=$(ldd "$HISS" 2>/dev/null | awk '/lib(a|ub|t)san/ {printf "%s ", $3}')
    WRITECOUNT_FILE=$T/writes LD_PRELOAD="$san_rt$PWD/writecount.so" \
        "$HISS" render songs/long.hiss -o long3.wav >"$LOG/stdout" 2>"$LOG/stderr"
    check "a 3-minute song renders whole: 8847360 frames" test "$(soxi -s long3.wav 2>/dev/null)" = 8847360
    writes=$(cat "$T/writes" 2>/dev/null || echo none)
    echo "     write calls for 3:04 of audio: $writes"
    check "a 3-minute song takes fewer than 1000 write calls" \
        test "$writes" != none -a "${writes:-0}" -gt 0 -a "${writes:-0}" -lt 1000
else
    bad "the write counter builds" "${CC:-cc} failed"
fi

# Interpolation and limiter options reach the engine: a kick an octave up
# (resampled) differs between raw and sinc; +6 dB (faders at 0 dB) clips
# without the limiter.
sed -e 's/^000 |C-4 01/000 |C-5 01/' songs/beat.hiss >songs/octave.hiss
render songs/octave.hiss -o raw.wav -s 1 --interp raw
render songs/octave.hiss -o sinc.wav -s 1 --interp sinc
check "--interp changes the sound" test -f raw.wav -a -f sinc.wav -a -n "$(cmp raw.wav sinc.wav 2>&1)"
sed -e 's/^master_gain 0.0/master_gain 6.0/' \
    -e 's/^channels 2$/channels 2\nchannel 01 gain 0.0\nchannel 02 gain 0.0/' songs/beat.hiss >songs/hot.hiss
render songs/hot.hiss -o hot.wav -s 1
check "the limiter keeps a hot mix from clipping, and says how much it did" \
    grep -Eq " 0 clipped, limiter reduced up to [0-9.]+ dB for [0-9.]+ s$" "$LOG/stdout"
render songs/hot.hiss -o hot2.wav -s 1 --no-limiter
check "--no-limiter lets it clip, says how often, and that the limiter was off" \
    grep -Eq " [1-9][0-9]* clipped, limiter off$" "$LOG/stdout"
render songs/hot.hiss -o hot2.wav -s 1 --no-limiter --json
check "... and in JSON" grep -q '"limiter": false, "limiter_frames": 0,' "$LOG/stdout"

# --- the demo and the kit that ships with hiss ---
if [ -f "$REPO/patterns/demo.hiss" ]; then
    render "$REPO/patterns/demo.hiss" -o demo.wav -s 2
    check "the demo renders" test "$rc" = 0 -a "$(soxi -s demo.wav 2>/dev/null)" = 96000
    check "every kit sample the demo uses loads, without notes" test -z "$err"
else
    bad "the demo song exists" "$REPO/patterns/demo.hiss is missing"
fi

# SIGTERM, Ctrl-C (SIGINT) or a dropped SSH link (SIGHUP) mid-render: exit
# 130, and no output or temporary file.
for sig in TERM INT HUP; do
    rm -f long.wav
    "$HISS" render songs/beat.hiss -o long.wav -s 1200 >"$LOG/stdout" 2>"$LOG/stderr" &
    pid=$!
    # Data in the temporary file means the render loop (and its handler) runs.
    for _ in $(seq 200); do
        [ -n "$(find . -maxdepth 1 -name '.long.wav.*.tmp' -size +8k)" ] && break
        sleep 0.1
    done
    kill -$sig $pid
    wait $pid
    rc=$?
    check "a render stopped by SIG$sig exits 130" test "$rc" = 130
    check "a render stopped by SIG$sig says so" \
        grep -q "interrupted; nothing written" "$LOG/stderr"
    check "a render stopped by SIG$sig leaves nothing" \
        test ! -e long.wav -a -z "$(find . -name '.long.wav.*')"
done

# A write failing mid-render (a full disk; here the file-size limit, which
# fails a write with EFBIG the same way) stops it with one line naming the
# file, keeps the old output and leaves no stem or temporary behind, also
# when the failing write is a block or two behind the engine.
mkdir -p cutstems
# After a render over cut.wav that was to fail ($rc, $LOG/stderr): named
# $1, its message matching $2.
check_failed_write() {
    check "$1 exits 1 with one line" test "$rc" = 1 -a "$(grep -c . "$LOG/stderr")" = 1
    check "$1 names the file and the reason" grep -Eq "$2" "$LOG/stderr"
    check "$1 keeps the old output" test "$(cat cut.wav)" = "keep me"
    check "$1 leaves nothing else" test -z "$(ls -A cutstems)" -a -z "$(find . -name '.cut*')"
}
for stems in "" "--stems cutstems"; do
    echo "keep me" >cut.wav
    # shellcheck disable=SC2086 # $stems is two words or none
    (ulimit -f 2000 && exec "$HISS" render songs/beat.hiss -o cut.wav -s 60 $stems) \
        >"$LOG/stdout" 2>"$LOG/stderr"
    rc=$?
    check_failed_write "a write failure${stems:+ with stems}" \
        "^(cut.wav|cutstems/beat-[a-z0-9_-]+.wav): write failed: File too large$"
done

# A long render is made durable a piece at a time as it is written: a
# disk that fails to write back what it was given (an fdatasync failing
# with EIO, interposed with LD_PRELOAD) stops the render with one line, keeps
# the old output and leaves nothing behind. The system reports such a
# failure to one sync only, so the sync at the end alone would not see it.
cat >syncfail.c <<'EOF'
#include <errno.h>

int fdatasync(int fd)
{
    (void)fd;
    errno = EIO;
    return -1;
}
EOF
if ${CC:-cc} -shared -fPIC -o syncfail.so syncfail.c; then
    echo "keep me" >cut.wav
    LD_PRELOAD="${san_rt:-}$PWD/syncfail.so" "$HISS" render songs/long.hiss -o cut.wav \
        >"$LOG/stdout" 2>"$LOG/stderr"
    rc=$?
    check_failed_write "a failed sync ahead" \
        "^cut.wav: (write failed|cannot sync the file): Input/output error$"
else
    bad "the failing sync builds" "${CC:-cc} failed"
fi

check "no temporary files left anywhere" test -z "$(find . -name '.*.tmp')"

finish
