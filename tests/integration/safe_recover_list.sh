#!/bin/bash
# hiss --recover lists recovery files next to songs (index and directory
# scan) and in the state directory, with time and size, and exits 0.
set -u
HISS=${HISS:-build/hiss}
HISS=$(cd "$(dirname "$HISS")" && pwd)/$(basename "$HISS")
pass=0
fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/hiss-recover-list-XXXXXX")
trap 'rm -rf "$dir"' EXIT
export XDG_STATE_HOME=$dir/state HOME=$dir
mkdir -p "$dir/beats" "$dir/elsewhere" "$dir/state/hiss"

out=$(cd "$dir" && "$HISS" --recover 2>&1); rc=$?
check "exit 0 with nothing to recover" '[ $rc = 0 ]'
check "says there is nothing" 'grep -q "nothing to recover" <<<"$out"'

printf 'hiss 1\n' >"$dir/beats/tape.hiss"
touch -d '2 hours ago' "$dir/beats/tape.hiss"
printf 'hiss 1\ntitle "tape, unsaved"\n' >"$dir/beats/.tape.hiss.recover"
printf 'hiss 1\ntitle "new"\n' >"$dir/state/hiss/untitled-20260101-120000-42.hiss"
printf 'hiss 1\n#x\n' >"$dir/elsewhere/.other.hiss.recover"

out=$(cd "$dir/beats" && "$HISS" --recover 2>&1); rc=$?
echo "$out"
check "exit 0 with files" '[ $rc = 0 ]'
check "lists the file next to the song in the current directory" \
    'grep -q "$dir/beats/.tape.hiss.recover" <<<"$out"'
check "names its song and says it is newer" \
    'grep -q "song: $dir/beats/tape.hiss (newer than the song" <<<"$out"'
check "gives its size" \
    'grep -E -q "^[0-9-]+ [0-9:]+ +29 bytes +$dir/beats/.tape.hiss.recover" <<<"$out"'
check "lists the new song in the state directory" \
    'grep -q "$dir/state/hiss/untitled-20260101-120000-42.hiss" <<<"$out"'
check "does not scan directories it was not given" \
    '! grep -q "other.hiss.recover" <<<"$out"'

out=$(cd "$dir/beats" && "$HISS" --recover "$dir/elsewhere" 2>&1); rc=$?
check "scans a directory given on the command line" \
    '[ $rc = 0 ] && grep -q "$dir/elsewhere/.other.hiss.recover" <<<"$out"'

out=$(cd "$dir" && "$HISS" --recover --frobnicate 2>&1); rc=$?
check "an unknown option is refused" '[ $rc = 2 ] && grep -q usage <<<"$out"'

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
