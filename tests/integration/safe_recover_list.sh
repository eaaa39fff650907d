#!/bin/bash
# hiss --recover lists recovery files next to songs (index and directory
# scan) and in the state directory, with time and size, and exits 0.
set -u
HISS=${HISS:-build/hiss}
HISS=$(cd "$(dirname "$HISS")" && pwd)/$(basename "$HISS")
. "$(dirname "$0")/lib/results.sh"
# check_that NAME 'TEST': TEST is evaluated here, with this script's variables.
check_that() { if eval "$2"; then ok "$1"; else bad "$1" "failed: $2"; fi; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/hiss-recover-list-XXXXXX")
trap 'rm -rf "$dir"' EXIT
export XDG_STATE_HOME=$dir/state HOME=$dir
mkdir -p "$dir/beats" "$dir/elsewhere" "$dir/state/hiss"

out=$(cd "$dir" && "$HISS" --recover 2>&1); rc=$?
check_that "exit 0 with nothing to recover" '[ $rc = 0 ]'
check_that "says there is nothing" 'grep -q "nothing to recover" <<<"$out"'

printf 'hiss 1\n' >"$dir/beats/tape.hiss"
touch -d '2 hours ago' "$dir/beats/tape.hiss"
printf 'hiss 1\ntitle "tape, unsaved"\n' >"$dir/beats/.tape.hiss.recover"
printf 'hiss 1\ntitle "new"\n' >"$dir/state/hiss/untitled-20260101-120000-42.hiss"
printf 'hiss 1\n#x\n' >"$dir/elsewhere/.other.hiss.recover"

out=$(cd "$dir/beats" && "$HISS" --recover 2>&1); rc=$?
echo "$out"
check_that "exit 0 with files" '[ $rc = 0 ]'
check_that "lists the file next to the song in the current directory" \
    'grep -q "$dir/beats/.tape.hiss.recover" <<<"$out"'
check_that "names its song and says it is newer" \
    'grep -q "song: $dir/beats/tape.hiss (newer than the song" <<<"$out"'
check_that "gives its size" \
    'grep -E -q "^[0-9-]+ [0-9:]+ +29 bytes +$dir/beats/.tape.hiss.recover" <<<"$out"'
check_that "lists the new song in the state directory" \
    'grep -q "$dir/state/hiss/untitled-20260101-120000-42.hiss" <<<"$out"'
check_that "does not scan directories it was not given" \
    '! grep -q "other.hiss.recover" <<<"$out"'

out=$(cd "$dir/beats" && "$HISS" --recover "$dir/elsewhere" 2>&1); rc=$?
check_that "scans a directory given on the command line" \
    '[ $rc = 0 ] && grep -q "$dir/elsewhere/.other.hiss.recover" <<<"$out"'

# A song named with an escape sequence: the listing shows it escaped, so
# the name cannot retitle or clear the terminal.
esc=$(printf '\033]0;pwned\007x.hiss')
printf 'hiss 1\n' >"$dir/elsewhere/.$esc.recover"
out=$(cd "$dir" && "$HISS" --recover "$dir/elsewhere" 2>&1); rc=$?
check_that "a name with ESC is listed" 'grep -qF "\x1b]0;pwned\x07x.hiss.recover" <<<"$out"'
check_that "no raw control byte reaches the terminal" \
    '! LC_ALL=C grep -q "[[:cntrl:]]" <<<"$(tr -d "\n" <<<"$out")"'
rm -f "$dir/elsewhere/.$esc.recover"

# Temporary files of killed saves: removed and listed when a minute old,
# a fresh one (a save in progress) and other names are left alone.
printf 'half a song' >"$dir/beats/.tape.hiss.k1ll3d.tmp"
printf 'half a recovery' >"$dir/beats/..tape.hiss.recover.k2ll3d.tmp"
touch -d '2 minutes ago' "$dir/beats/.tape.hiss.k1ll3d.tmp" \
    "$dir/beats/..tape.hiss.recover.k2ll3d.tmp"
printf 'saving' >"$dir/beats/.tape.hiss.fresh0.tmp"
printf 'mine' >"$dir/beats/.tape.hiss.Mine00.tmp"
touch -d '2 minutes ago' "$dir/beats/.tape.hiss.Mine00.tmp"
out=$(cd "$dir/beats" && "$HISS" --recover 2>&1); rc=$?
check_that "stale temporary files are removed" \
    '[ ! -e "$dir/beats/.tape.hiss.k1ll3d.tmp" ] && [ ! -e "$dir/beats/..tape.hiss.recover.k2ll3d.tmp" ]'
check_that "and listed with their size" \
    'grep -qF "removed $dir/beats/.tape.hiss.k1ll3d.tmp (11 bytes)" <<<"$out"'
check_that "a fresh one is left (a save may be running)" '[ -e "$dir/beats/.tape.hiss.fresh0.tmp" ]'
check_that "a name outside the pattern is left" '[ -e "$dir/beats/.tape.hiss.Mine00.tmp" ]'

out=$(cd "$dir" && "$HISS" --recover --frobnicate 2>&1); rc=$?
check_that "an unknown option is refused" '[ $rc = 2 ] && grep -q usage <<<"$out"'

finish
