#!/bin/sh
# Whole-process instructions per output frame of `hiss render`: a
# 4-channel song of 3 minutes (patterns/starter.hiss, its pattern played
# 17 times) rendered with linear interpolation to a 16-bit WAV, counted by
# valgrind's callgrind (loading, decoding, the engine and the writer: all
# of it). Prints the figure and where the instructions went; asserts
# nothing. Run by `make bench`, never by the tests (it takes a minute).
HISS=${HISS:-build/hiss}
if ! command -v valgrind >/dev/null 2>&1; then
    echo "callgrind_render: valgrind is not installed; no figure"
    exit 0
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/hiss-callgrind.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
orders=$(printf '00 %.0s' $(seq 17))
sed -e "s|\"\.\./samples/|\"$PWD/samples/|" -e "s|^order .*|order $orders|" \
    patterns/starter.hiss > "$dir/song.hiss"
seconds=180
rate=48000
valgrind --tool=callgrind --callgrind-out-file="$dir/cg.out" \
    "$HISS" render "$dir/song.hiss" -o "$dir/out.wav" --bits 16 --interp linear \
    -s $seconds -q 2> "$dir/log" || { cat "$dir/log"; exit 1; }
total=$(sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$dir/log")
frames=$((seconds * rate))
echo "callgrind_render: hiss render, 4 channels, 3 min, linear, 16-bit WAV:"
awk -v t="$total" -v f="$frames" 'BEGIN {
    printf "  %.1f instructions per output frame (%d in all, %d frames); target < 100\n",
           t / f, t, f }'
callgrind_annotate --inclusive=yes "$dir/cg.out" 2>/dev/null |
    awk -v f="$frames" '$3 ~ /:(songio_load|engine_render_channels|mixer_voice_render|sampleio_writer_write|sf_writef_short|sf_writef_float)$/ {
        gsub(",", "", $1); name = $3; sub(/.*:/, "", name)
        if (!seen[name]++) printf "    %7.1f per frame in %s\n", $1 / f, name }'
