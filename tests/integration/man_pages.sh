#!/bin/bash
# The man pages say what a user needs where they will look for it: each
# check reads one entry of man/hiss.1 or man/hiss.5 (as man shows it) and
# looks for the facts that entry must carry.
set -u
. "$(dirname "$0")/lib/results.sh"

# entry PAGE TAG: the roff text of every entry ".B TAG" (to its next ".TP"),
# joined into one line with roff's escapes of - and spaces removed. A tag can
# have more than one entry (the effect list and the slide modes' table).
entry() {
    awk -v tag=".B $2" '$0 == tag {on = 1; next} on && /^\.(TP|SH|SS)/ {on = 0} on' "$1" |
        sed 's/\\-/-/g' | tr '\n' ' '
}
has() { grep -qiE -- "$2" <<<"$1"; }

E3=$(entry man/hiss.5 3xx)
check "hiss.5 has a 3xx entry" test -n "$E3"
check "3xx: a row without the effect stops the slide short of the note" \
    has "$E3" "row without 3xx or 5xy.*leaves the pitch where the slide had"
check "3xx: 300 is the way to keep sliding" has "$E3" "300.*continues with the last speed"

finish
