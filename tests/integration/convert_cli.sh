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
# The hissrc read for `set backups` is this script's own.
export HOME=$T/home XDG_CONFIG_HOME=$T/config
mkdir -p "$HOME" "$XDG_CONFIG_HOME/hiss"

check "the test modules are written" "$GEN" --write "$T"
for ext in mod s3m xm it; do
    # test_module --write's loss (libxmp drops IT's S0x itself).
    case $ext in it) lost="panbrello (Yxy)" ;; *) lost="Amiga filter (E0x)" ;; esac
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

# A song already there is never written over without a backup: without -o
# the song takes the first free name, as the editor's save of a module
# offers it; -o keeps the old one as SONG.hiss~, as the editor's save does.
K=$T/keep
mkdir "$K"
cp "$T/demo.mod" "$K/beat.mod"
echo "my song" >"$K/beat.hiss"
"$HISS" convert "$K/beat.mod" >"$T/out" 2>/dev/null
check "a song beside the module is untouched" grep -qx "my song" "$K/beat.hiss"
check "and no backup of it was needed" test ! -e "$K/beat.hiss~"
check "the new song takes the next free name" test -f "$K/beat-2.hiss"
check "and says where" grep -qF "saved $K/beat-2.hiss" "$T/out"
check "and why" grep -qF "own song name was taken" "$T/out"
check "the -2 song has its own samples and report" \
    test -f "$K/beat-2-samples/01-sample_1.wav" -a -f "$K/beat-2.import.txt"
"$HISS" convert -q "$K/beat.mod"
check "a second conversion takes -3" test -f "$K/beat-3.hiss"
mkdir "$K/solo"; cp "$K/beat.mod" "$K/solo/"; mkdir "$K/solo/beat-samples"
echo "kept" >"$K/solo/beat-samples/01-sample_1.wav"
"$HISS" convert -q "$K/solo/beat.mod"
check "a samples folder alone takes the name too" test -f "$K/solo/beat-2.hiss"
check "and its files are untouched" grep -qx kept "$K/solo/beat-samples/01-sample_1.wav"

echo "my mix" >"$K/mine.hiss"
mkdir "$K/mine-samples"
echo "its sample" >"$K/mine-samples/01-sample_1.wav"
"$HISS" convert "$K/beat.mod" -o "$K/mine.hiss" >"$T/out" 2>/dev/null
check "-o over a song keeps it as SONG.hiss~" grep -qx "my mix" "$K/mine.hiss~"
check "and says so" grep -qF "kept as $K/mine.hiss~" "$T/out"
check "the new song is there" grep -qx "hiss 1" "$K/mine.hiss"
check "a sample file the old song plays is kept" \
    grep -qx "its sample" "$K/mine-samples/01-sample_1.wav"
check "the new sample takes a free name" \
    grep -qF '"mine-samples/01-sample_1-2.wav"' "$K/mine.hiss"
"$HISS" render -q "$K/mine.hiss" -o "$T/b.wav" && "$HISS" render -q "$K/beat.mod" -o "$T/a.wav"
check "and it renders as the module" cmp -s "$T/a.wav" "$T/b.wav"
echo "set backups 0" >"$XDG_CONFIG_HOME/hiss/hissrc"
"$HISS" convert "$K/beat.mod" -o "$K/mine.hiss" >"$T/out" 2>/dev/null
check "set backups 0 is followed as by a save, and said" \
    grep -qF "no older version kept" "$T/out"
check "so the backup is still the first" grep -qx "my mix" "$K/mine.hiss~"
check "converting again names the sample file that holds the same sound" \
    grep -qF '"mine-samples/01-sample_1-2.wav"' "$K/mine.hiss"
check "instead of writing a copy of it" test ! -e "$K/mine-samples/01-sample_1-3.wav"
rm "$XDG_CONFIG_HOME/hiss/hissrc"
"$HISS" convert --help >"$T/out"
check "--help says -o takes the song" grep -qE -- '--output SONG\.hiss +the song' "$T/out"
"$HISS" convert "$T/demo.mod" -o 2>"$T/err"
check "-o without a name asks for a .hiss" grep -qF "needs a song file name (.hiss)" "$T/err"

head -c 100 "$T/demo.it" >"$T/cut.it"
"$HISS" convert "$T/cut.it" 2>"$T/err"
check "a module cut inside its header fails" test $? -eq 1
check "with a message naming it and the cut" \
    grep -qF "$T/cut.it: module cut inside its header at byte 100: nothing to read" "$T/err"
check "and nothing written" test ! -e "$T/cut.hiss"
# A MOD's header is 1084 bytes; cut after it, the pattern data is read up
# to the cut (each row 16 bytes), however little of it is there.
head -c 1083 "$T/demo.mod" >"$T/cut.mod"
"$HISS" render -q "$T/cut.mod" -o "$T/cut.wav" 2>"$T/err"
check "a MOD cut in its header fails" test $? -eq 1
check "with the same message" \
    grep -qF "cut.mod: module cut inside its header at byte 1083: nothing to read" "$T/err"
head -c 1500 "$T/demo.mod" >"$T/cut.mod"
"$HISS" render "$T/cut.mod" -o "$T/cut.wav" >/dev/null 2>"$T/err"
check "a MOD cut in its pattern renders" test $? -eq 0
check "saying in which row" grep -qF \
    "cut.mod: import: module ends early (at byte 1500): pattern 00 is cut in row 26" "$T/err"

# Pattern loops that keep resetting each other's count never end: the
# render stops where the song comes back to the same place and loop
# state, at 9 s (64 rows, then 11 of pattern 1), as other players do.
"$HISS" render "$T/looptrap.mod" -o "$T/trap.wav" >"$T/out" 2>"$T/err"
check "a pattern-loop trap renders" test $? -eq 0
check "one pass of it: 9 s" grep -qF "trap.wav: 0:09.000 at 48000 Hz" "$T/out" "$T/err"
check "saying the song loops" grep -qF "so the song loops" "$T/err"
"$HISS" convert 2>"$T/err"
check "no module is a usage error" test $? -eq 2
finish
