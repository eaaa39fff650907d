#!/bin/sh
# Whole-process instructions per output frame of `hiss render`: a
# 4-channel song of 3 minutes (patterns/starter.hiss, its pattern played
# 17 times) rendered with linear interpolation to a 16-bit WAV, counted by
# valgrind's callgrind (loading, decoding, the engine and the writer: all
# of it). Twice: with -q, which prints nothing and so measures no
# loudness, and as a user's render runs, printing its summary with the
# true peak and loudness (loudness_add is the share --no-loudness saves).
# Prints the figures and where the instructions went; asserts nothing.
# The memset line is mostly the clearing of the mix, 32 KiB a chunk (a
# render's voices add straight into it, no channel bus read), and of the
# channel buses where they are used (2 KiB a chunk): listed apart because
# glibc clears anything over 2 KiB with `rep stosb`, which callgrind
# counts as an instruction a byte (about 8 a frame here).
# Run by `make bench`, never by the tests (it takes two minutes).
#
# It counts build/bench/render_only, which is `hiss render` (the same
# cli_render) linked without the libraries a render never calls: hiss
# itself links libaubio, which pulls in libhwy, whose start-up code runs
# an instruction (rdtscp) valgrind 3.19 stops on. The script first checks
# that the two write the same file.
BUILD=${BUILD:-build}
HISS=${HISS:-$BUILD/hiss}
RENDER=${RENDER:-$BUILD/bench/render_only}
. tests/bench/callgrind/prepare.sh
callgrind_prepare callgrind_render "$RENDER"
orders=$(printf '00 %.0s' $(seq 17))
sed -e "s|\"\.\./samples/|\"$PWD/samples/|" -e "s|^order .*|order $orders|" \
    patterns/starter.hiss > "$dir/song.hiss"
seconds=180
rate=48000
set -- "$dir/song.hiss" --bits 16 --interp linear -s $seconds -q
"$HISS" render "$@" -o "$dir/hiss.wav" &&
    "$RENDER" "$@" -o "$dir/out.wav" || exit 1
if ! cmp -s "$dir/hiss.wav" "$dir/out.wav"; then
    echo "callgrind_render: $RENDER and hiss render wrote different files; no figure"
    exit 1
fi
rm -f "$dir/hiss.wav" "$dir/out.wav"
frames=$((seconds * rate))
# Counts one render (its options after the common ones) and prints the
# figure and where the instructions went.
count() {
    what=$1
    shift
    valgrind --tool=callgrind --callgrind-out-file="$dir/cg.out" \
        "$RENDER" "$@" -o "$dir/out.wav" 2> "$dir/log" > /dev/null || { cat "$dir/log"; exit 1; }
    total=$(sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$dir/log")
    callgrind_annotate --inclusive=yes --threshold=100 "$dir/cg.out" > "$dir/annotate" 2>/dev/null
    # Inclusive counts of the parts worth naming, once each (the summary lines:
    # count, share, file:function; calls listed under a source start "=>").
    awk '!/=>/ { for (i = 2; i <= NF; i++)
            if ($i ~ /:(songio_load|engine_render_stems|mixer_voice_render|bus_sum|limiter_process|truepeak_add|loudness_add|sampleio_writer_write|sf_writef_short|__memset_[a-z0-9_]+)$/) {
                gsub(",", "", $1); name = $i; sub(/.*:/, "", name)
                if (!seen[name]++) print name, $1
            } }' "$dir/annotate" > "$dir/parts"
    echo "callgrind_render: hiss render, 4 channels, 3 min, linear, 16-bit WAV, $what:"
    awk -v t="$total" -v f="$frames" 'BEGIN {
        printf "  %.1f instructions per output frame (%.0f in all, %d frames); target < 100\n",
               t / f, t, f }'
    awk -v f="$frames" '{ printf "    %7.1f per frame in %s\n", $2 / f, $1 }' "$dir/parts"
}
count "-q (nothing printed, so nothing measured)" "$@"
shift $#
set -- "$dir/song.hiss" --bits 16 --interp linear -s $seconds
count "its summary printed (true peak and loudness measured)" "$@"
