# measure_silence WAV: the stereo recording WAV (its two sides summed) cut
# at its longest silence: sets before, gap and after (seconds of sound, of
# silence, of sound again; empty when the measure failed) and says them.
measure_silence() {
    local raw=${1%.wav}.f32
    sox "$1" -t f32 "$raw" remix 1,2 2>/dev/null
    read -r before gap after < <(python3 "$(dirname "${BASH_SOURCE[0]}")/longest_silence.py" "$raw")
    echo "     recording: ${before:-?} s of sound, a ${gap:-?} s silence, ${after:-?} s of sound"
}
