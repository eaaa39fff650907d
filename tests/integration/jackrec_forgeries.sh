#!/bin/bash
# The test suite's ears must be able to say no: jackrec compare and
# jackrec silent, fed forgeries they must reject (and the true case, so a
# comparator that rejects everything fails too). No JACK server needed.
#
# The files are made by sox, whose own float values survive its rounding
# through 32-bit integers, so every comparison here is exact (tolerance 0).
. "$(dirname "$0")/../common/jackrec.sh"

P=1024
SOXF=(-r 48000 -b 32 -e floating-point)
sox -n "${SOXF[@]}" -c 2 "$WORK/a440.wav" synth 3 sine 440 || bad "sox makes a 440 Hz file"
sox -n "${SOXF[@]}" -c 2 "$WORK/a660.wav" synth 3 sine 660 || bad "sox makes a 660 Hz file"
# Noise: no stretch of it repeats, so only the right alignment matches.
sox -n "${SOXF[@]}" -c 2 "$WORK/ref.wav" synth 3 whitenoise vol 0.5 || bad "sox makes noise"

# piece OUT FROM LEN: frames [FROM, FROM+LEN) of the reference (LEN - = to the end).
piece() {
    if [ "$3" = - ]; then sox "$WORK/ref.wav" "$1" trim "$2s"
    else sox "$WORK/ref.wav" "$1" trim "$2s" "$3s"; fi
}
AT=48000
piece "$WORK/head.wav" 0 $AT
piece "$WORK/tail.wav" $AT -
piece "$WORK/after_drop.wav" $((AT + P)) -
piece "$WORK/five.wav" $((AT - 5 * P)) $((5 * P))
piece "$WORK/p1.wav" $AT $P
piece "$WORK/p2.wav" $((AT + P)) $P
piece "$WORK/after2.wav" $((AT + 2 * P)) -
sox "$WORK/head.wav" "$WORK/after_drop.wav" "$WORK/dropped.wav"
sox "$WORK/head.wav" "$WORK/five.wav" "$WORK/tail.wav" "$WORK/repeated5.wav"
sox "$WORK/head.wav" "$WORK/p2.wav" "$WORK/p1.wav" "$WORK/after2.wav" "$WORK/reordered.wav"
sox -n "${SOXF[@]}" -c 2 "$WORK/silence.wav" trim 0 "${P}s"
sox "$WORK/head.wav" "$WORK/silence.wav" "$WORK/tail.wav" "$WORK/inserted.wav"

# rejects NAME REF REC [options]: exit status 1 (a difference, not bad use).
rejects() {
    local n=$1 ref=$2 rec=$3; shift 3
    "$JACKREC" compare "$ref" "$rec" "$@" >"$WORK/out" 2>&1
    local rc=$?
    sed 's/^/    | /' "$WORK/out"
    check "$n" test "$rc" = 1
}

check "the same file matches, max difference 0" \
    bash -c "'$JACKREC' compare '$WORK/a440.wav' '$WORK/a440.wav' >'$WORK/same' && grep -q 'max difference 0 ' '$WORK/same'"
rejects "440 Hz against 660 Hz fails" "$WORK/a440.wav" "$WORK/a660.wav"
check "and reports its real worst difference, not 0" \
    bash -c "grep -qE 'max difference (0\\.[0-9]*[1-9]|[1-9])' '$WORK/out' && ! grep -q 'max difference 0 ' '$WORK/out'"
rejects "440 against 660 Hz fails even with a loose minimum" \
    "$WORK/a440.wav" "$WORK/a660.wav" --min-frames 0 --max-gaps 16
sox "$WORK/ref.wav" "$WORK/louder.wav" vol 1.001
rejects "a 0.01 dB change fails at tolerance 0" "$WORK/ref.wav" "$WORK/louder.wav" \
    --period $P --max-gaps 4

rejects "a dropped period fails without a gap allowed" "$WORK/ref.wav" "$WORK/dropped.wav" \
    --period $P
check "and passes with one (a gap is missing frames)" \
    "$JACKREC" compare "$WORK/ref.wav" "$WORK/dropped.wav" --period $P --max-gaps 1
rejects "five repeated periods fail as an xrun gap" "$WORK/ref.wav" "$WORK/repeated5.wav" \
    --period $P --max-gaps 1
rejects "five repeated periods fail with many gaps allowed" "$WORK/ref.wav" \
    "$WORK/repeated5.wav" --period $P --max-gaps 16
rejects "two periods swapped fail as gaps" "$WORK/ref.wav" "$WORK/reordered.wav" \
    --period $P --max-gaps 4
rejects "a period of silence inserted fails (the recording gained frames)" \
    "$WORK/ref.wav" "$WORK/inserted.wav" --period $P --max-gaps 4
rejects "a recording shorter than --min-frames fails" "$WORK/ref.wav" "$WORK/head.wav" \
    --min-frames 96000

check "silent: silence passes" "$JACKREC" silent "$WORK/silence.wav"
sox "$WORK/silence.wav" "$WORK/p1.wav" "$WORK/silence.wav" "$WORK/not_silent.wav"
check "silent: a file with sound in the middle fails" \
    bash -c "'$JACKREC' silent '$WORK/not_silent.wav'; test \$? = 1"
check "silent: sound only on the second channel fails for --ch 1" \
    bash -c "sox '$WORK/not_silent.wav' '$WORK/right.wav' remix 0 1 && '$JACKREC' silent '$WORK/right.wav' --ch 0; a=\$?; '$JACKREC' silent '$WORK/right.wav' --ch 1; test \$a = 0 -a \$? = 1"
check "silent: a channel the file lacks is an error, not silence" \
    bash -c "'$JACKREC' silent '$WORK/silence.wav' --ch 5; test \$? = 2"
check "silent: a bad channel list is an error" \
    bash -c "'$JACKREC' silent '$WORK/silence.wav' --ch x; test \$? = 2"
sox -n "${SOXF[@]}" -c 2 "$WORK/empty.wav" trim 0 0s
check "silent: a file with no frames is not silence" \
    bash -c "'$JACKREC' silent '$WORK/empty.wav'; test \$? = 1"
finish
