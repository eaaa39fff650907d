#!/bin/bash
# Never lose a beat, driven through tmux as a person would:
# - kill -9 while editing, start again: the recovery offer appears and
#   "restore" brings back the edits up to the last autosave;
# - "discard" and "keep both" do what they say;
# - SIGHUP (explicit, and the terminal itself going away): the recovery
#   file holds every edit, the exit says why;
# - saves that fail (a file-size limit, a missing directory, a path under a
#   regular file) show the reason, keep the old file byte-identical and the
#   song in memory, and saving elsewhere then works.
# Works as root: nothing here relies on permissions.
set -u
SOCK=hiss-safe-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
export XDG_STATE_HOME=$TMP/state
DEMO=$(pwd)/patterns/demo.hiss

# start "SHELL PREFIX" ARGS: hiss in a fresh 80x24 tmux server.
start() {
    new_server
    T new-session -d -s ui -x 80 -y 24 \
        "cd '$TMP' && $1 '$HISS' $2; echo \"hiss exited \$?\"; sleep 60"
}

# ---- kill -9, then the offer: restore ----
small_song "$TMP/beat.hiss"
cp "$TMP/beat.hiss" "$TMP/beat.orig"
start "HISS_AUTOSAVE_SECONDS=2" "beat.hiss"
check "the song opens" wait_for "000│... .. .."
sleep 2.3 # a quiet spell longer than the interval: the next edit is written at once
keys z
check "the first note is autosaved next to the song" \
    wait_file "$TMP/.beat.hiss.recover" "000 |C-4"
keys x # due again only 2 s after that write: the kill comes first
check "the second note is on screen" wait_for "001│D-4"
pid=$(hiss_pid)
check "hiss is running" test -n "$pid"
kill -9 "$pid"
check "kill -9 ends it" wait_exited 137
cp "$TMP/.beat.hiss.recover" "$TMP/last-autosave" 2>/dev/null
check "the song file itself is untouched" cmp -s "$TMP/beat.hiss" "$TMP/beat.orig"
out=$(cd "$TMP" && "$HISS" --recover)
check "hiss --recover lists it" grep -qF "$TMP/.beat.hiss.recover" <<<"$out"
start "" "beat.hiss"
check "starting again offers the recovery" wait_for "has unsaved edits"
check "with restore, discard and keep both" wait_for "(k)eep both"
keys r
check "restore: the autosaved note is back" wait_for "000│C-4"
check "the status line says so" wait_for "restored unsaved edits"
check "the restored song counts as unsaved: [+] in the header" wait_for "safe [+]"
keys C-q
check "quitting asks before dropping the restored edits" \
    wait_for "Save changes before quitting?"
keys c
check "cancel keeps the editor" wait_for "cancelled"
keys C-s
check "saving the restored song works" wait_for "saved beat.hiss"
check "after the save the header shows no [+]" \
    bash -c "! tmux -L '$SOCK-$RUNS' capture-pane -p -t ui | grep -qF 'safe [+]'"
check "the save holds the restored note" grep -q "^000 |C-4" "$TMP/beat.hiss"
check "exactly the edits up to the last autosave" \
    cmp -s "$TMP/beat.hiss" "$TMP/last-autosave"
check "a backup of the old version is kept" cmp -s "$TMP/beat.hiss~" "$TMP/beat.orig"
check "saving removed the recovery file" test ! -e "$TMP/.beat.hiss.recover"
keys C-q
check "quit" wait_for "hiss exited 0"

# ---- the offer: discard, and keep both ----
for answer in d k; do
    small_song "$TMP/beat.hiss"
    touch -d '1 minute ago' "$TMP/beat.hiss"
    sed 's/^002 |\.\.\. /002 |E-5 /' "$TMP/beat.hiss" >"$TMP/.beat.hiss.recover"
    start "" "beat.hiss"
    check "[$answer] the offer appears" wait_for "has unsaved edits"
    keys "$answer"
    check "[$answer] the song opens as saved" wait_for "002│... .. .."
    check "[$answer] the recovery file is gone" test ! -e "$TMP/.beat.hiss.recover"
    if [ "$answer" = k ]; then
        kept=$(ls "$TMP"/beat.recovered-*.hiss 2>/dev/null | head -1)
        check "[k] the edits are kept as beat.recovered-DATE.hiss" \
            grep -q "^002 |E-5" "${kept:-/nonexistent}"
        check "[k] the status line names it" wait_for "kept as"
    else
        check "[d] the status line says discarded" wait_for "discarded"
    fi
    keys C-q
    check "[$answer] quit" wait_for "hiss exited 0"
done

# ---- SIGHUP: every edit is in the recovery file ----
small_song "$TMP/hup.hiss"
start "HISS_AUTOSAVE_SECONDS=600" "hup.hiss"
check "opens" wait_for "000│... .. .."
keys z x c v
check "four notes typed" wait_for "003│F-4"
pid=$(hiss_pid)
kill -HUP "$pid"
check "SIGHUP: hiss exits with 128+1" wait_for "hiss exited 129"
check "and says where the edits went" wait_for "SIGHUP: stopped; unsaved edits"
check "the recovery file holds every edit" \
    grep -q "^003 |F-4" "$TMP/.hup.hiss.recover"
check "including the first" grep -q "^000 |C-4" "$TMP/.hup.hiss.recover"

# The terminal itself goes away (as when an SSH connection drops): the
# kernel sends SIGHUP; nothing is there to read the exit, only the file.
rm -f "$TMP/.hup.hiss.recover"
start "HISS_AUTOSAVE_SECONDS=600" "hup.hiss"
check "opens again" wait_for "000│... .. .."
keys Down Down z
check "a note typed" wait_for "002│C-4"
pid=$(hiss_pid)
T kill-server
check "the terminal gone: the recovery file holds the edit" \
    wait_file "$TMP/.hup.hiss.recover" "002 |C-4"
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
check "and hiss is gone" bash -c "! kill -0 $pid 2>/dev/null"

# ---- a save that fails: file-size limit ----
cp "$DEMO" "$TMP/big.hiss"
cp "$DEMO" "$TMP/big.orig"
# 40 KiB: the demo's text is larger, so the save fails with EFBIG.
start "ulimit -f 40;" "big.hiss"
check "the demo opens under a file-size limit" wait_for ": Dusty"
keys Down Down Down Down Down z
check "a note typed" wait_for "005│C-4"
keys C-s
check "the failed save shows the reason" wait_for "File too large"
check "the old file is byte-identical" cmp -s "$TMP/big.hiss" "$TMP/big.orig"
check "no temporary file is left" \
    bash -c "! ls -A '$TMP' | grep -q '\.tmp$'"
check "the song is still in memory" wait_for "005│C-4"
keys C-q
check "quitting still asks to save" wait_for "Save changes before quitting?"
keys c
check "cancel keeps the editor" wait_for "cancelled"

# ---- a save that fails: missing directory, then a regular file as a
#      directory; then saving elsewhere works ----
small_song "$TMP/where.hiss"
cp "$TMP/where.hiss" "$TMP/where.orig"
printf 'not a directory\n' >"$TMP/plain"
start "" "where.hiss"
check "opens" wait_for "000│... .. .."
keys z
keys C-w C-u "gone/where.hiss" Enter
check "save as into a missing directory: the reason" \
    wait_for "No such file or directory"
keys C-w C-u "plain/where.hiss" Enter
check "save as under a regular file: the reason" wait_for "Not a directory"
check "the song is still in memory" wait_for "000│C-4"
check "the old file is untouched" cmp -s "$TMP/where.hiss" "$TMP/where.orig"
keys C-w C-u "elsewhere.hiss" Enter
check "saving elsewhere works" wait_for "saved elsewhere.hiss"
check "and holds the edit" grep -q "^000 |C-4" "$TMP/elsewhere.hiss"
keys C-q
check "quit" wait_for "hiss exited 0"

# ---- a new song: autosaved in the state directory until it has a name ----
start "HISS_AUTOSAVE_SECONDS=1" ""
check "a new song opens" wait_for "000│... .. .."
sleep 1.2
keys z
untitled=""
for _ in $(seq 1 50); do
    untitled=$(ls "$TMP"/state/hiss/untitled-*.hiss 2>/dev/null | head -1)
    [ -n "$untitled" ] && grep -q "^000 |C-4" "$untitled" && break
    sleep 0.1
done
check "its edits go to the state directory" grep -q "^000 |C-4" "${untitled:-/nonexistent}"
keys C-s
check "saving asks for a name" wait_for "Save as:"
keys "named.hiss" Enter
check "saved under the name" wait_for "saved named.hiss"
check "the untitled recovery file is gone" test ! -e "${untitled:-/nonexistent}"
keys C-q
check "quit" wait_for "hiss exited 0"

finish
