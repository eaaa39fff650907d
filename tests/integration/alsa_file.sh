#!/bin/bash
# ALSA without hardware: alsa-lib's `file` plugin writes what hiss plays to
# a raw file (through the `null` device), which must equal `hiss render`.
# Float devices are exact; a 16-bit device (alsa-lib's `linear` plugin turns
# hiss's 32-bit output into 16 bits by dropping the low bits) may differ by
# one 16-bit step, 2^-15.
. "$(dirname "$0")/../common/jackrec.sh"

export HOME=$WORK/home
mkdir -p "$HOME"
cat >"$HOME/.asoundrc" <<RC
pcm.hisscap {
    type file
    slave.pcm "null"
    file "$WORK/out.raw"
    format "raw"
}
pcm.hisscap16 {
    type linear
    slave {
        pcm {
            type file
            slave.pcm "null"
            file "$WORK/out16.raw"
            format "raw"
        }
        format S16_LE
    }
}
RC
# No JACK server may be found: the tests pick ALSA themselves anyway.
export JACK_DEFAULT_SERVER=hiss_none_$$
SECS=3
RATE=48000
"$HISS" render "$DEMO" -o "$WORK/ref.wav" --bits 32 -s 4 -q || bad "render the reference"

for period in 256 16 4096; do
    rm -f "$WORK/out.raw"
    "$HISS" play "$DEMO" --audio alsa --device hisscap --period "$period" --seconds $SECS \
        >"$WORK/p$period.log" 2>&1
    rc=$?
    cat "$WORK/p$period.log"
    check "period $period: hiss plays through ALSA" \
        bash -c "[ $rc = 0 ] && grep -q 'through alsa at $RATE Hz, period $period' '$WORK/p$period.log'"
    check "period $period: the device got what render makes, exactly" \
        "$JACKREC" compare "$WORK/ref.wav" "$WORK/out.raw" --frames $(((SECS - 1) * RATE)) \
        --min-frames $(((SECS - 1) * RATE - 2 * period))
done

"$HISS" play "$DEMO" --audio alsa --device hisscap16 --seconds $SECS >"$WORK/s16.log" 2>&1
check "a 16-bit device plays" grep -q "through alsa" "$WORK/s16.log"
check "16-bit output equals the render within one 16-bit step" \
    "$JACKREC" compare "$WORK/ref.wav" "$WORK/out16.raw" --raw-s16 --tol 0.000030518 \
    --frames $(((SECS - 1) * RATE)) --min-frames $(((SECS - 1) * RATE - 1024))

"$HISS" play "$DEMO" --audio alsa --device hiss_no_such_pcm --seconds 1 >"$WORK/bad.log" 2>&1
rc=$?
cat "$WORK/bad.log"
check "an ALSA device that does not exist is an error, said in one line" \
    bash -c "[ $rc = 1 ] && grep -c . '$WORK/bad.log' | grep -qx 1 && grep -q hiss_no_such_pcm '$WORK/bad.log'"
finish
