#!/bin/bash
# hiss convert from the outside: a module of each format becomes a .hiss,
# its samples WAV files in NAME-samples/, its report NAME.import.txt; the
# module is never written; the song renders like the module; bad input
# gets a message and an exit code.
set -u
HISS=${HISS:-build/hiss}
case $HISS in /*) ;; *) HISS=$PWD/$HISS ;; esac
GEN=${BUILD:-build}/tests/test_module
. "$(dirname "$0")/lib/results.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

check "the test modules are written" "$GEN" --write "$T"
for ext in mod s3m xm it; do
    # test_module --write's loss (libxmp drops IT's S0x itself).
    case $ext in it) lost="envelope switch (S77..S7C)" ;; *) lost="Amiga filter (E0x)" ;; esac
    before=$(cksum <"$T/demo.$ext")
    check "$ext: converts" "$HISS" convert -q "$T/demo.$ext" -o "$T/$ext.hiss"
    check "$ext: a WAV per instrument" compgen -G "$T/$ext-samples/01-*.wav" >/dev/null
    check "$ext: the report names the lost effect's place" \
        grep -qF "order 0 row 10 channel 2: dropped: $lost" "$T/$ext.import.txt"
    check "$ext: the module is untouched" test "$(cksum <"$T/demo.$ext")" = "$before"
    "$HISS" render -q "$T/demo.$ext" -o "$T/a.wav" && "$HISS" render -q "$T/$ext.hiss" -o "$T/b.wav"
    check "$ext: song and module render the same" cmp -s "$T/a.wav" "$T/b.wav"
done

"$HISS" convert "$T/demo.xm" >"$T/out" 2>"$T/err"
check "without -o the song goes beside the module" test -f "$T/demo.hiss"
check "and it says where" grep -qF "saved $T/demo.hiss" "$T/out"
check "the losses are printed" grep -qF "import: dropped: Amiga filter (E0x)" "$T/err"

"$HISS" convert "$T/demo.mod" -o "$T/demo.mod" 2>"$T/err"
check "writing over the module is a usage error" test $? -eq 2
check "saying the song must be .hiss" grep -qF "must be a .hiss file" "$T/err"
"$HISS" convert "$T/demo.xm" -o "$T/x.it.hiss" -q
check "a .hiss name with a module inside it is fine" test -f "$T/x.it.hiss"

head -c 100 "$T/demo.it" >"$T/cut.it"
"$HISS" convert "$T/cut.it" 2>"$T/err"
check "a truncated module fails" test $? -eq 1
check "with a message naming it" grep -qF "$T/cut.it: " "$T/err"
check "and nothing written" test ! -e "$T/cut.hiss"
"$HISS" convert 2>"$T/err"
check "no module is a usage error" test $? -eq 2
finish
