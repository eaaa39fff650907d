#!/bin/bash
# ALSA without hardware: alsa-lib's `file` plugin writes what hiss plays to
# a raw file (through the `null` device), which must equal `hiss render`.
# Float devices are exact; a 16-bit device (alsa-lib's `linear` plugin turns
# hiss's 32-bit output into 16 bits by dropping the low bits) may differ by
# one 16-bit step, 2^-15. Then underruns and a lost device, injected.
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

# Underruns and a lost device, end to end: a preloaded shim makes alsa-lib's
# snd_pcm_writei fail the way a real card does (-EPIPE every 37th write, half
# a write every 5th, or -ENODEV for good from the 100th) and writes down how
# many underruns it injected. The file plugin records every frame the real
# write took, so underruns recovered right leave the file equal to the
# render: a retry writes exactly the frames not yet taken. (Each case on its
# own, suspends included: tests/unit/test_audio_alsa_recover.c.)
cat >"$WORK/shim.c" <<'C'
#define _GNU_SOURCE
#include <alsa/asoundlib.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

typedef snd_pcm_sframes_t (*WriteiFn)(snd_pcm_t *, const void *, snd_pcm_uframes_t);
static WriteiFn real_writei;
static long xrun_every, short_every, fail_from = -1, calls, injected;

__attribute__((constructor)) static void shim_init(void)
{
    const char *e = getenv("SHIM_XRUN_EVERY"), *f = getenv("SHIM_FAIL_FROM");
    const char *s = getenv("SHIM_SHORT_EVERY");
    xrun_every = e ? atol(e) : 0;
    short_every = s ? atol(s) : 0;
    fail_from = f ? atol(f) : -1;
}

__attribute__((destructor)) static void shim_report(void)
{
    const char *path = getenv("SHIM_COUNT");
    FILE *out = path ? fopen(path, "w") : NULL;
    if (out) {
        fprintf(out, "%ld\n", injected);
        fclose(out);
    }
}

snd_pcm_sframes_t snd_pcm_writei(snd_pcm_t *pcm, const void *buf, snd_pcm_uframes_t n)
{
    /* Looked up at the first write, not at start: hiss opens alsa-lib
     * only when it plays through ALSA. */
    if (!real_writei)
        real_writei = (WriteiFn)dlsym(RTLD_NEXT, "snd_pcm_writei");
    long call = ++calls;
    if (fail_from >= 0 && call >= fail_from)
        return -ENODEV;
    if (xrun_every > 0 && call % xrun_every == 0) {
        injected++;
        return -EPIPE;
    }
    if (short_every > 0 && call % short_every == 0 && n > 1)
        n /= 2;
    return real_writei(pcm, buf, n);
}
C
SHIM=$WORK/shim.so
${CC:-cc} -shared -fPIC -O1 -Wall -Wextra -Werror -o "$SHIM" "$WORK/shim.c" -ldl \
    || bad "build the writei shim"
# An ASan build of hiss wants its runtime first among the loaded libraries.
SHIM_ASAN="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

rm -f "$WORK/out.raw"
LD_PRELOAD=$SHIM ASAN_OPTIONS=$SHIM_ASAN SHIM_XRUN_EVERY=37 SHIM_SHORT_EVERY=5 \
    SHIM_COUNT=$WORK/xruns.count \
    "$HISS" play "$DEMO" --audio alsa --device hisscap --seconds $SECS >"$WORK/xrun.log" 2>&1
rc=$?
cat "$WORK/xrun.log"
injected=$(cat "$WORK/xruns.count" 2>/dev/null || echo none)
echo "underruns injected: $injected"
played_on() { [ "$rc" = 0 ] && grep -qE "stopped after $SECS\.[0-9] s" "$WORK/xrun.log"; }
reported() {
    [ "$injected" -ge 10 ] 2>/dev/null && grep -qE ", $injected xruns\$" "$WORK/xrun.log"
}
check "underruns: hiss plays on to the end" played_on
check "underruns: hiss play reports each one it recovered" reported
check "underruns: the device still got what render makes, exactly" \
    "$JACKREC" compare "$WORK/ref.wav" "$WORK/out.raw" --frames $(((SECS - 1) * RATE)) \
    --min-frames $(((SECS - 1) * RATE - 512))

LD_PRELOAD=$SHIM ASAN_OPTIONS=$SHIM_ASAN SHIM_FAIL_FROM=100 \
    "$HISS" play "$DEMO" --audio alsa --device hisscap --seconds 30 >"$WORK/gone.log" 2>&1
rc=$?
cat "$WORK/gone.log"
said_why() {
    [ "$rc" = 1 ] &&
        grep -qxF "hiss: audio failed: ALSA device 'hisscap': write failed: No such device" "$WORK/gone.log"
}
check "a device lost while playing: hiss play stops with status 1 and says why" said_why

# With --fallback the song plays on, on the null clock, to the end of its
# --seconds; the reason is still said.
LD_PRELOAD=$SHIM ASAN_OPTIONS=$SHIM_ASAN SHIM_FAIL_FROM=100 \
    "$HISS" play "$DEMO" --audio alsa --device hisscap --seconds 3 --fallback \
    >"$WORK/gonefb.log" 2>&1
rc=$?
cat "$WORK/gonefb.log"
fell_back() {
    [ "$rc" = 0 ] &&
        grep -qE "^hiss: audio failed: ALSA device 'hisscap': write failed: No such device; falling back to null at [0-9]+ Hz \(silent\)$" "$WORK/gonefb.log" &&
        grep -qE "stopped after 3\.[0-9] s" "$WORK/gonefb.log"
}
check "a device lost with --fallback: hiss play moves to null, plays to the end, status 0" fell_back

# The editor says why the device failed, and with --fallback plays on.
TSOCK=hiss-alsa-ui-$$
editor_says() { # OPTIONS TEXT
    tmux -L "$TSOCK" kill-server 2>/dev/null
    tmux -L "$TSOCK" new-session -d -s ui -x 200 -y 30 \
        "LD_PRELOAD=$SHIM ASAN_OPTIONS=$SHIM_ASAN SHIM_FAIL_FROM=100 '$HISS' '$DEMO' \
         --audio alsa --device hisscap $1; sleep 60"
    local i
    for ((i = 0; i < 100; i++)); do
        tmux -L "$TSOCK" capture-pane -p -t ui | grep -qF -- "$2" && break
        sleep 0.1
    done
    tmux -L "$TSOCK" capture-pane -p -t ui | grep -F -- "$2"
    local found=$?
    tmux -L "$TSOCK" kill-server 2>/dev/null
    return $found
}
check "the editor says why the ALSA device failed" \
    editor_says "" "audio failed: ALSA device 'hisscap': write failed: No such device"
check "the editor with --fallback moves to null and says so" \
    editor_says --fallback "No such device; falling back to null at 48000 Hz (silent)"

"$HISS" play "$DEMO" --audio alsa --device hiss_no_such_pcm --seconds 1 >"$WORK/bad.log" 2>&1
rc=$?
cat "$WORK/bad.log"
check "an ALSA device that does not exist is an error, said in one line" \
    bash -c "[ $rc = 1 ] && grep -c . '$WORK/bad.log' | grep -qx 1 && grep -q hiss_no_such_pcm '$WORK/bad.log'"
finish
