#!/bin/sh
# Instructions per voice-frame that shaping adds: the stress song (32
# channels, linear) rendered for 4 s plain and with every voice shaped
# (envelope, pitch envelope, 24 dB filter, crush, drive), the rendering
# alone counted by valgrind's callgrind (build/bench/shape_cost). Wall time
# on a busy machine varies by half; instruction counts do not. Prints the
# figures and where the shaped voice's instructions went; asserts nothing.
BUILD=${BUILD:-build}
PROG=${SHAPE_COST:-$BUILD/bench/shape_cost}
SECONDS_RENDERED=${SHAPE_COST_SECONDS:-4}
. tests/bench/callgrind/prepare.sh
callgrind_prepare callgrind_shape "$PROG"
for kind in plain shaped; do
    valgrind --tool=callgrind --toggle-collect=shape_cost_render \
        --callgrind-out-file="$dir/$kind.out" "$PROG" $kind "$SECONDS_RENDERED" \
        > "$dir/$kind.frames" 2> "$dir/$kind.log" || { cat "$dir/$kind.log"; exit 1; }
    sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$dir/$kind.log" > "$dir/$kind.ir"
done
echo "callgrind_shape: stress song, linear, $SECONDS_RENDERED s, instructions per voice-frame:"
awk -v pi="$(cat "$dir/plain.ir")" -v pf="$(cat "$dir/plain.frames")" \
    -v si="$(cat "$dir/shaped.ir")" -v sf="$(cat "$dir/shaped.frames")" 'BEGIN {
    p = pi / pf; s = si / sf
    printf "  plain %.1f, shaped %.1f, added %.1f (%.0f and %.0f voice-frames)\n", p, s, s - p, pf, sf }'
# Where the shaped render's instructions went: each function's own count
# (inlined code counts where it was written), per voice-frame, the largest.
callgrind_annotate --auto=no --threshold=99 "$dir/shaped.out" 2>/dev/null |
    awk -v f="$(cat "$dir/shaped.frames")" '
        /^ *[0-9,]+ +\( *[0-9.]+%\) / && !/PROGRAM TOTALS/ {
            n = $1; gsub(",", "", n)
            name = $0; sub(/^[^)]*\) +/, "", name); sub(/ .*/, "", name); sub(/.*:/, "", name)
            own[name] += n
        }
        END { for (k in own) if (own[k] / f >= 0.5) printf "    %6.1f in %s\n", own[k] / f, k }' |
    sort -rn | head -12
