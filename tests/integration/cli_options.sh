#!/bin/bash
# The command line from the outside: --version and its licence, and the one
# option parser behind every subcommand. Every option of every subcommand
# is taken in each of its spellings (--opt VALUE, --opt=VALUE, -x VALUE,
# -xVALUE), numbers are held to the same limits wherever the option is
# taken, and the values arrive (measured on what render writes and what
# play says).
#
# Whether a command line parses is asked with a trailing --help: options
# are checked as they are read, so a bad one fails (exit 2) before the help
# is printed (exit 0). The editor needs a terminal for anything else.
set -u
HISS=${HISS:-build/hiss}
case $HISS in /*) ;; *) HISS=$PWD/$HISS ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/integration/lib/results.sh"
needs soxi cmp
DEMO=$ROOT/patterns/demo.hiss
T=$(mktemp -d "${TMPDIR:-/tmp}/hiss-cli-XXXXXX")
trap 'rm -rf "$T"' EXIT
export HOME=$T/home JACK_DEFAULT_SERVER=hiss_cli_none_$$
mkdir -p "$HOME"

# --- version and licence ---
version=$("$HISS" --version)
check "--version exits 0" bash -c "'$HISS' --version >/dev/null"
check "--version names hiss and its version" \
    grep -qE '^hiss [0-9]+\.[0-9]+\.[0-9]+$' <<<"$(head -1 <<<"$version")"
check "--version names the MIT licence" grep -q 'MIT licence' <<<"$version"
check "--version names the copyright holders and year" \
    grep -q 'Copyright (c) 2026 the hiss authors' <<<"$version"
check "-V says the same" test "$("$HISS" -V)" = "$version"
check "LICENSE holds the MIT text with the same holders" bash -c \
    "head -1 '$ROOT/LICENSE' | grep -qx 'MIT License' &&
     grep -qx 'Copyright (c) 2026 the hiss authors' '$ROOT/LICENSE'"

# --- every option, every spelling ---
# What each subcommand takes, with a value each option accepts ("" for a
# flag) and its letter, if any.
declare -A VALUE=(
    [--output]=x.wav [--rate]=44100 [--seconds]=1.5 [--stems]=stems
    [--bits]=16 [--interp]=raw [--audio]=null [--device]=hw:9 [--period]=128
    [--client-name]=me [--connect]=a:b,c:d [--ports]=per-channel
    [--transport]=follow [--no-limiter]= [--no-loudness]= [--allow-missing]= [--quiet]= [--json]=
    [--loop]= [--no-connect]= [--start-server]= [--fallback]= [--help]=
    [--midi-map]=10:02:4,1:1f [--midi-channel]=3 [--midi-clock-in]= [--midi-transport-in]=
)
declare -A LETTER=(
    [--output]=o [--rate]=r [--seconds]=s [--quiet]=q [--audio]=a [--help]=h
)
AUDIO="--audio --device --period --rate --client-name --no-connect --connect
    --ports --transport --start-server --fallback"
declare -A TAKES=(
    [render]="--output --rate --seconds --stems --bits --interp --no-limiter
        --no-loudness --allow-missing --quiet --json --help"
    [play]="--seconds --loop --quiet $AUDIO --midi-map --midi-channel --midi-clock-in
        --midi-transport-in --help"
    [editor]="$AUDIO --midi-map --help"
    [--recover]="--help"
    [convert]="--output --quiet --help"
)
# The words that start the subcommand (none for the editor).
sub_words() { [ "$1" = editor ] || printf '%s\n' "$1"; }

# parses SUB WORDS...: exit 0 and the usage when the words are followed by
# --help. Leaves the error in $T/err.
parses() {
    local sub=$1; shift
    local -a cmd
    mapfile -t cmd < <(sub_words "$sub")
    "$HISS" "${cmd[@]}" "$@" --help >"$T/out" 2>"$T/err" && grep -q usage "$T/out"
}
# refused SUB WANT WORDS...: exit 2 with one line naming WANT (grep -F),
# --help or not. (refused_last: without --help, for an option at the end.)
refused() { refused_last "$@" --help; }
refused_last() {
    local sub=$1 want=$2; shift 2
    local -a cmd
    mapfile -t cmd < <(sub_words "$sub")
    "$HISS" "${cmd[@]}" "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    [ "$rc" = 2 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -qF -- "$want" "$T/err"
}

for sub in render play editor --recover convert; do
    # The help lists exactly what this script tests, so a new option
    # cannot go untested. (hiss --help alone is the program's help; after
    # an option it is the editor's.)
    if [ "$sub" = editor ]; then parses editor --fallback; else parses "$sub"; fi
    shown=$(grep -oE -- '--[a-z][a-z-]+' "$T/out" | grep -vx -- "$sub" | sort -u | tr '\n' ' ')
    want=$(tr -s ' \n' '\n' <<<"${TAKES[$sub]}" | grep . | sort -u | tr '\n' ' ')
    check "$sub: its --help lists the options tested here" test "$shown" = "$want"
    for opt in ${TAKES[$sub]}; do
        v=${VALUE[$opt]}
        l=${LETTER[$opt]:-}
        if [ -z "$v" ]; then
            [ "$opt" = --help ] || check "$sub $opt" parses "$sub" "$opt"
            check "$sub $opt=1 is refused: no value" \
                refused "$sub" "$opt takes no value" "$opt=1"
            [ -n "$l" ] && check "$sub -$l" parses "$sub" "-$l"
        else
            check "$sub $opt $v" parses "$sub" "$opt" "$v"
            check "$sub $opt=$v" parses "$sub" "$opt=$v"
            check "$sub $opt with no value is refused" refused_last "$sub" "$opt needs" "$opt"
            if [ -n "$l" ]; then
                check "$sub -$l $v" parses "$sub" "-$l" "$v"
                check "$sub -$l$v" parses "$sub" "-$l$v"
            fi
        fi
    done
    check "$sub: an unknown option is refused" refused "$sub" "unknown option '--frob'" --frob
    check "$sub: no abbreviations" refused "$sub" "unknown option '--hel'" --hel
done

# HISS_AUDIO stands for --audio in the editor, with the same words; the
# command line wins.
check "HISS_AUDIO=oss is refused and named" bash -c \
    "HISS_AUDIO=oss '$HISS' --fallback --help 2>&1 >/dev/null | grep -qx \"hiss: HISS_AUDIO: audio backend 'oss' must be jack, alsa, null or auto (for usage, see hiss --help)\""
check "HISS_AUDIO=null is taken" bash -c "HISS_AUDIO=null '$HISS' --fallback --help >/dev/null"
check "--audio on the line wins over HISS_AUDIO" \
    bash -c "HISS_AUDIO=oss '$HISS' --audio null --help >/dev/null"

# --- the same limits wherever an option is taken ---
# limit OPTION GOOD... -- BAD...: every subcommand that takes OPTION takes
# the good values and refuses the bad ones with the same message.
limit() {
    local opt=$1; shift
    local good=() bad=() v sub
    while [ "$1" != -- ]; do good+=("$1"); shift; done
    shift
    bad=("$@")
    for v in "${bad[@]}"; do
        local first=""
        for sub in render play editor; do
            grep -qw -- "$opt" <<<"${TAKES[$sub]}" || continue
            for g in "${good[@]}"; do
                check "$sub $opt=$g is within the limits" parses "$sub" "$opt=$g"
            done
            check "$sub $opt $v is refused" refused "$sub" "'$v' must be" "$opt" "$v"
            # The message without its "PROG: " and "(for usage ...)".
            local msg
            msg=$(sed -E 's/^[^:]*: //; s/ \(for usage.*//' "$T/err")
            if [ -z "$first" ]; then
                first=$msg
            else
                check "$sub says the same of $opt $v" test "$msg" = "$first"
            fi
        done
    done
}
limit --rate 8000 192000 -- 7999 192001 48k
limit --seconds 0.001 1200 -- 0 -1 1200.5 nan
limit --period 16 8192 -- 15 8193
limit --bits 16 24 32 -- 8
limit --interp raw linear cubic sinc -- quintic
limit --audio jack alsa null auto -- oss
limit --ports per-channel stereo -- nine
limit --transport follow master none -- sideways
check "the rate's message gives its limits" \
    bash -c "'$HISS' play x --rate 7999 2>&1 | grep -q 'from 8000 to 192000'"
check "the seconds' message gives its limits" \
    bash -c "'$HISS' render x -o x.wav --seconds 0 2>&1 | grep -q 'above 0 and at most 1200'"

# --- the values arrive, in either spelling ---
cd "$T" || exit 1
for spell in "--output=o1.wav --rate=44100 --seconds=0.25 --bits=16" \
    "-oo2.wav -r 44100 -s0.25 --bits 16"; do
    # shellcheck disable=SC2086
    "$HISS" render "$DEMO" $spell -q >"$T/out" 2>&1
    f=$(grep -oE 'o[12]\.wav' <<<"$spell" | head -1)
    check "render $spell: the file, rate, length and bits" bash -c \
        "[ -f $f ] && [ \$(soxi -r $f) = 44100 ] && [ \$(soxi -s $f) = 11025 ] &&
         [ \$(soxi -b $f) = 16 ]"
    check "render $spell -q: nothing on stdout" test ! -s "$T/out"
done
"$HISS" render "$DEMO" -q -s 0.5 --stems=st1 --interp=raw -o raw1.wav
"$HISS" render "$DEMO" -q -s 0.5 --stems st2 --interp raw -o raw2.wav
"$HISS" render "$DEMO" -q -s 0.5 --interp=sinc -o sinc.wav
check "render --stems=DIR and --stems DIR write the same stems" bash -c \
    "[ -n \"\$(ls st1)\" ] && diff -r st1 st2 >/dev/null"
check "render --interp=raw and --interp raw give the same file" cmp -s raw1.wav raw2.wav
check "and not the file of --interp=sinc" bash -c "! cmp -s raw1.wav sinc.wav"

for spell in "--audio=null --rate=44100 --period=128 --seconds=0.3" \
    "-anull -r44100 --period 128 -s 0.3" "-a null -r 44100 --period=128 --seconds 0.3"; do
    # shellcheck disable=SC2086
    "$HISS" play "$DEMO" $spell >"$T/out" 2>&1
    check "play $spell: backend, rate and period arrive" \
        grep -q 'through null at 44100 Hz, period 128' "$T/out"
    check "play $spell: stops after 0.3 s" grep -q 'stopped after 0.3 s' "$T/out"
done
"$HISS" play "$DEMO" --audio=alsa --device=hiss_no_such_device --seconds=0.2 >"$T/out" 2>&1
check "play --device=NAME reaches ALSA" grep -q "ALSA device 'hiss_no_such_device'" "$T/out"
"$HISS" play "$DEMO" -anull -s0.2 -q >"$T/out" 2>&1
check "play -q: no start or stop line" test ! -s "$T/out"

finish
