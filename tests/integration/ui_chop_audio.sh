#!/bin/bash
# The slice audition key, heard: the editor on a private JACK server at the
# break's own 44.1 kHz, the second slice of the kit's break picked and
# played with P, recorded by a JACK client. The recording is that slice
# (one gain times its frames, its fades aside) and not another of the same
# length, and it lasts the slice, not the rest of the break. The recorder
# may lose whole periods on a loaded machine, so it is matched a period at
# a time (lib/slice_fit.py).
SOCK=hiss-ui-chop-audio-$$
. "$(dirname "$0")/../common/jackrec.sh"
. "$(dirname "$0")/lib/tmux_ui.sh"
trap 'T kill-server 2>/dev/null; cleanup' EXIT
unset HISS_AUDIO
FIT=$(dirname "$0")/lib/slice_fit.py

needs jackd sox python3

# The break's slices 2 and 4 are both 4864 frames long.
SLICE2=9984 SLICE4=24832 LEN=4864
FADE=$((2 * 441 / 10 + 8)) # the default 2 ms slice fade, and a margin

check "start a private jackd at 44.1 kHz (synchronous)" start_jackd 256 44100 -S -t 2000
spawn "$WORK/rec.log" "$JACKREC" record rec "$WORK/rec.wav" 30 2
REC_PID=$SPAWN_PID
check "a recorder to connect to" wait_line "$WORK/rec.log" '^ready' 10

# The break alone, unshaped, with nothing on the master, so what comes out
# is its frames times one gain.
mkdir -p "$TMP/songs"
ln -sfn "$(pwd)/samples" "$TMP/samples"
{
    printf 'hiss 1\ntitle "chop"\nbpm 125\nspeed 6\nrows_per_beat 4\nswing 0\n'
    printf 'master_gain 0.0\nlimiter off\nchannels 1\n\n'
    printf 'instrument 01 "break" sample "../samples/break.wav" volume 64 pan 0 '
    printf 'base C-4 finetune 0 interp raw\n\norder 00\n\npattern 00 4\n'
    for row in 000 001 002 003; do printf '%s |... .. .. ... ...|\n' "$row"; done
} >"$TMP/songs/demo.hiss"
new_server
T new-session -d -s ui -x 80 -y 24 "cd '$TMP' && '$HISS' songs/demo.hiss --audio jack --connect rec:in_1,rec:in_2; echo \"hiss exited \$?\"; sleep 60"
check "the editor runs on JACK" wait_backend JACK
check "its samples load" wait_for "? help"
keys C-t
check "the break's first slice is selected" wait_for "Slice 1/8  frames 0..9984"
keys '}'
check "then its second" wait_for "Slice 2/8  frames 9984..14848"
keys P
check "P plays it" wait_for "playing slice 2 (frames 9984..14848)"
sleep 1
keys C-q
check "quits" wait_for "hiss exited 0"
kill -TERM "$REC_PID"
wait_exit "$REC_PID" 5

sox "$WORK/rec.wav" -t f32 "$WORK/rec.f32" 2>/dev/null
sox samples/break.wav -t f32 "$WORK/break.f32" 2>/dev/null
# fit START: "periods N reached F worst W gain G" for the slice at START.
fit() { python3 "$FIT" "$WORK/rec.f32" "$WORK/break.f32" "$1" $LEN $FADE 256; }
read -r _ periods2 _ reached2 _ worst2 _ gain2 < <(fit $SLICE2)
read -r _ _ _ _ _ worst4 _ _ < <(fit $SLICE4)
echo "    as slice 2: $periods2 periods, to frame $reached2 of $LEN, worst difference $worst2 (gain $gain2); as slice 4: $worst4"
less_than() { python3 -c "import sys; sys.exit(not float('$1') < float('$2'))"; }
check "the recording sounds to the slice's end, not past it" \
    [ "${reached2:-0}" -ge $((LEN - FADE)) -a "${reached2:-0}" -le "$LEN" ]
check "it is the second slice times one gain, within 0.1% of its peak" \
    less_than "${worst2:-1}" 0.001
check "heard, not silence" less_than 0.01 "${gain2:-0}"
check "and not the fourth slice (as long, another hit)" less_than 0.1 "${worst4:-0}"

finish
