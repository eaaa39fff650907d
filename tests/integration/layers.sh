#!/bin/bash
# The layering is enforced by the build: a file in a layer that includes a
# library or a higher layer's header it may not use fails to compile. Each
# case compiles a one-line probe with that layer's flags (make layer-probe).
# The policy is written out here on its own, so a Makefile that loosens a
# layer fails this test. Allowed includes are probed too, so the probe is
# shown able to pass.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib/results.sh
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# layer, include line -> 0 when it must build, 1 when it must fail.
probe() {
    local layer=$1 inc=$2 want=$3
    printf '%s\nint layer_probe_symbol;\n' "$inc" >"$TMP/probe.c"
    make -s --no-print-directory layer-probe LAYER="$layer" PROBE="$TMP/probe.c" \
        >"$TMP/out" 2>&1
    local rc=$?
    local name="$layer: $inc"
    if [ "$want" = 0 ] && [ "$rc" = 0 ]; then
        ok "$name builds"
    elif [ "$want" = 1 ] && [ "$rc" != 0 ] && case $inc in *'<'*) grep -q "may not include" "$TMP/out" ;; *) grep -q "No such file" "$TMP/out" ;; esac; then
        ok "$name is refused"
    else
        bad "$name" "exit $rc, wanted $([ "$want" = 0 ] && echo success || echo failure)"
        sed 's/^/    | /' "$TMP/out" | head -5
    fi
}

curses='#include <curses.h>'
jack='#include <jack/jack.h>'
alsa='#include <alsa/asoundlib.h>'
sndfile='#include <sndfile.h>'
samplerate='#include <samplerate.h>'

# The engine side is C11 + libm; libsamplerate builds sample levels in io.
for layer in core engine edit; do
    for inc in "$curses" "$jack" "$alsa" "$sndfile" '#include <ncursesw/curses.h>' \
        '#include <jack/midiport.h>'; do
        probe "$layer" "$inc" 1
    done
done
probe core "$samplerate" 1
probe edit "$samplerate" 1
probe engine "$samplerate" 1
probe io "$samplerate" 0
probe core '#include <math.h>' 0
probe engine '#include <stdatomic.h>' 0

# Lower layers cannot see higher layers' headers.
probe core '#include "engine.h"' 1
probe core '#include "base.h"' 0
probe engine '#include "edit.h"' 1
probe engine '#include "ui_app.h"' 1
probe engine '#include "audio.h"' 1
probe engine '#include "song.h"' 0
probe edit '#include "songio.h"' 1
probe io '#include "audio.h"' 1
probe io "$sndfile" 0
probe io '#include <rubberband/rubberband-c.h>' 0
probe engine '#include <rubberband/rubberband-c.h>' 1
probe io "$curses" 1
probe io "$jack" 1
probe audio "$jack" 0
probe audio "$alsa" 0
probe audio "$curses" 1
probe audio '#include "recovery.h"' 1
probe app '#include "ui_app.h"' 1
probe app "$curses" 1
probe app '#include "recovery.h"' 0
probe ui "$curses" 0
probe ui "$jack" 1
probe ui '#include "cli.h"' 1
probe cli '#include "ui_app.h"' 0
probe cli "$curses" 1

# Every file in the tree sits in a known layer folder.
stray=$(find src -name '*.[ch]' | grep -Ev '^src/(main\.c|(core|engine|edit|io|audio|app|ui|cli)/)')
if [ -z "$stray" ]; then
    ok "every source file is in a layer folder"
else
    bad "every source file is in a layer folder" "outside them: $stray"
fi

finish
