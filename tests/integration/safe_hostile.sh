#!/bin/bash
# A hostile folder, a second editor and changes made behind hiss's back,
# driven through tmux as a person would:
# - a planted .song.hiss.recover -> ../victim: autosave refuses it (and
#   says so), the victim is untouched, quitting leaves the link alone;
# - two editors on one song: the second opens it read-only, says who holds
#   it, and saves only under another name; a lock left by hiss killed with
#   SIGKILL is taken over with a message; temporary files of killed saves
#   are removed at open;
# - the song changed on disk while open: hiss asks (overwrite / save as /
#   reload), on its own and at save, and never overwrites silently;
# - a hissrc that is a FIFO does not block; one that unbinds C-q keeps quit.
set -u
SOCK=hiss-safe-hostile-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
export XDG_STATE_HOME=$TMP/state
mkdir -p "$TMP/cfg/hiss"

# start ENV ARGS: hiss in a fresh 80x24 tmux server.
start() { EDITOR_DIR=$TMP/songs start_editor "$@"; }
# The second editor runs in its own tmux server.
T2() { tmux -L "$SOCK-second" "$@"; }
screen2() { T2 capture-pane -p -t ui 2>/dev/null; }
shows2() { screen2 | grep -qF -- "$1"; }
wait_for2() { wait_until shows2 "$1"; }
trap 'tmux -L "$SOCK-$RUNS" kill-server 2>/dev/null; T2 kill-server 2>/dev/null; rm -rf "$TMP"' EXIT
mkdir -p "$TMP/songs"
S=$TMP/songs

# ---- a planted recovery link ----
small_song "$S/song.hiss"
printf 'export PATH=/usr/bin\n' >"$TMP/victim"
cp "$TMP/victim" "$TMP/victim.orig"
ln -s ../victim "$S/.song.hiss.recover"
start "HISS_AUTOSAVE_SECONDS=1" "song.hiss"
check "the song opens" wait_for "000│... .. .."
keys z
check "autosave says it refused the link" wait_for "symbolic link"
check "the edits are autosaved in the state directory instead" \
    bash -c "grep -lq '^000 |C-4' '$TMP'/state/hiss/song-*.hiss"
check "the victim is untouched" cmp -s "$TMP/victim" "$TMP/victim.orig"
keys C-q
check "quit asks" wait_for "Save changes before quitting?"
keys n
check "quit" wait_for "hiss exited 0"
check "the link is still there for the user to see" test -L "$S/.song.hiss.recover"
check "the victim is still untouched" cmp -s "$TMP/victim" "$TMP/victim.orig"
rm -f "$S/.song.hiss.recover"
rm -rf "$TMP/state"

# ---- two editors; temporary files of killed saves ----
small_song "$S/beat.hiss"
printf 'half a so' >"$S/.beat.hiss.k1ll3d.tmp"
printf 'not ours' >"$S/.beat.hiss.KEEP99.tmp"
start "" "beat.hiss"
check "the first editor opens" wait_for "000│... .. .."
check "it removed the temporary file of a killed save" \
    test ! -e "$S/.beat.hiss.k1ll3d.tmp"
check "and says so" wait_for "removed 1 temporary file"
check "a file not of its pattern stays" test -e "$S/.beat.hiss.KEEP99.tmp"
check "the lock file names the holder" \
    grep -q "^$(hiss_pid) " "$S/.beat.hiss.lock"
T2 kill-server 2>/dev/null
T2 new-session -d -s ui -x 80 -y 24 \
    "cd '$S' && HISS_AUTOSAVE_SECONDS=1 '$HISS' beat.hiss; echo \"hiss exited \$?\"; sleep 60"
check "the second editor opens it read-only" wait_for2 "read-only"
check "and says who holds it" wait_for2 "pid $(hiss_pid)"
T2 send-keys -t ui z
second_autosaved() {
    for _ in $(seq 1 50); do
        grep -lq '^000 |C-4' "$TMP"/state/hiss/untitled-*-*.hiss 2>/dev/null &&
            return 0
        sleep 0.1
    done
    return 1
}
check "the second editor autosaves to its own pid-named file" second_autosaved
check "never to the holder's recovery file" test ! -e "$S/.beat.hiss.recover"
T2 send-keys -t ui C-s
check "saving in the second asks for another name" wait_for2 "Save as:"
T2 send-keys -t ui "beat.hiss" Enter
check "save as onto the held song is refused" \
    wait_for2 "not saved: beat.hiss is open in another hiss"
T2 send-keys -t ui C-s
check "asked again" wait_for2 "Save as:"
T2 send-keys -t ui "copy.hiss" Enter
check "saved under the other name" wait_for2 "saved copy.hiss"
check "the copy holds the second editor's note" grep -q "^000 |C-4" "$S/copy.hiss"
check "the first editor's song is untouched" bash -c "! grep -q 'C-4' '$S/beat.hiss'"
# Opened again with C-o, the held song says it is read-only ("opened"
# comes after that, not in its place).
T2 send-keys -t ui C-o C-u
T2 send-keys -t ui -l "beat.hiss"
T2 send-keys -t ui Enter
check "C-o on the held song says it is read-only" \
    wait_for2 "read-only: beat.hiss is open in another hiss (pid $(hiss_pid)"
T2 send-keys -t ui C-q
check "the second editor quits" wait_for2 "hiss exited 0"
T2 kill-server 2>/dev/null
# The first editor is killed: its lock file stays, its lock does not.
pid=$(hiss_pid)
kill -9 "$pid"
gone() {
    for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    return 1
}
check "kill -9 the first editor" gone "$pid"
check "its lock file is left behind" test -e "$S/.beat.hiss.lock"
start "" "beat.hiss"
check "the next editor takes the stale lock over and says so" \
    wait_for "took over the lock of a hiss that is gone (pid $pid"
keys C-q
check "quit" wait_for "hiss exited 0"
check "quitting removes the lock file" test ! -e "$S/.beat.hiss.lock"

# ---- the song changed on disk while open ----
small_song "$S/disk.hiss"
start "" "disk.hiss"
check "opens" wait_for "000│... .. .."
sed -i 's/^title "safe"/title "changed"/' "$S/disk.hiss"
check "a change on disk is noticed on its own" wait_for "changed on disk: (o)verwrite"
keys r
check "reload" wait_for "opened disk.hiss"
check "the header shows the title from disk" \
    bash -c "tmux -L '$SOCK-$RUNS' capture-pane -p -t ui | head -1 | grep -q changed"
keys z
check "a note typed" wait_for "000│C-4"
sed -i 's/^bpm 120/bpm 99/' "$S/disk.hiss"
cp "$S/disk.hiss" "$S/disk.theirs"
keys C-s
check "saving over a changed file asks first" wait_for "changed on disk: (o)verwrite"
check "and has not written yet" cmp -s "$S/disk.hiss" "$S/disk.theirs"
keys c
check "cancel: not saved" wait_for "not saved"
check "the other version is still there" cmp -s "$S/disk.hiss" "$S/disk.theirs"
keys C-s
check "the next save asks again" wait_for "changed on disk: (o)verwrite"
keys o
check "overwrite saves" wait_for "saved disk.hiss"
check "the file now holds this editor's note" grep -q "^000 |C-4" "$S/disk.hiss"
keys C-q
check "quit" wait_for "hiss exited 0"

# ---- a song that cannot be read starts a new one, and holds no lock ----
printf 'not a song\n' >"$S/broken.hiss"
start "" "broken.hiss"
check "a broken song starts a new one" wait_for "missing version line"
check "and leaves no lock on the file it did not open" test ! -e "$S/.broken.hiss.lock"
keys C-q
check "quit" wait_for "hiss exited 0"

# ---- hissrc: a FIFO, and one that takes quit away ----
mkfifo "$TMP/cfg/hiss/hissrc"
start "" "beat.hiss"
check "a FIFO hissrc does not block: the editor opens" wait_for "000│... .. .."
check "and says why it was not read" wait_for "not a regular file"
keys C-q
check "quit" wait_for "hiss exited 0"
rm -f "$TMP/cfg/hiss/hissrc"
printf 'unbind C-q\nbind C-x play_toggle\n' >"$TMP/cfg/hiss/hissrc"
start "" "beat.hiss"
check "a hissrc that unbinds C-q is told C-q still quits" wait_for "C-q quits again"
keys C-q
check "and C-q quits" wait_for "hiss exited 0"
# ---- names with escape sequences, printed by the command line ----
esc=$(printf '\033]0;pwned\007')
printf 'hiss 1\nchannels 1\norder 00\npattern 00 1\n000 |... .. .. ... ...|\n' \
    >"$S/s$esc.hiss"
raw_free() { ! LC_ALL=C grep -q "$(printf '\033')" <<<"$1"; }
out=$(cd "$S" && "$HISS" render "s$esc.hiss" -o "o$esc.wav" 2>&1)
check "render names its output escaped" grep -qF 'o\x1b]0;pwned\x07.wav:' <<<"$out"
check "render prints no raw ESC" raw_free "$out"
out=$(cd "$S" && "$HISS" render "missing$esc.hiss" -o x.wav 2>&1)
check "a missing song is named escaped" grep -qF 'missing\x1b]0;pwned' <<<"$out"
check "and no raw ESC" raw_free "$out"
out=$("$HISS" render "--$esc" 2>&1)
check "an unknown option is quoted escaped" grep -qF "'--\x1b]0;pwned\x07'" <<<"$out"
check "with no raw ESC" raw_free "$out"
finish
