#!/bin/bash
# Below 80x24 the editor asks to be enlarged, but the keys that still work
# there (quit, save) may ask a question or for a name: it must be seen
# before a key answers it, at every size, shortened on a tiny screen, and
# cancelled when even that cannot be shown. Long questions at 80x24 wrap
# instead of being cut. Play and stop work there too, and the request to
# enlarge begins with the transport's mark (playing or stopped).
set -u
SOCK=hiss-ui-small-$$
. "$(dirname "$0")/lib/tmux_ui.sh"

# ---- the quit question at 60x20 and at 10x5 ----
start_editor "" "small.hiss"
check "the editor opens" wait_for "000│"
keys z
check "a note makes the song unsaved" wait_for "000│C-4"
T resize-window -t ui -x 60 -y 20
check "60x20 asks to enlarge" wait_for "enlarge to 80x24 (now 60x20)"
check "... after the transport's mark: stopped" shows "■ enlarge to"
keys Space
check "Space still plays, and the mark says so" wait_for "▶ enlarge to"
keys Space
check "Space again stops" wait_for "■ enlarge to"
keys C-q
check "60x20: C-q shows its question" wait_for "Save changes before quitting? (y)es (n)o (c)ancel"
keys c
check "60x20: c cancels it" wait_for "cancelled"
T resize-window -t ui -x 10 -y 5
check "10x5 asks to enlarge" wait_for "10x5)"
keys C-q
check "10x5: C-q shows the question, shortened" wait_for "y/n/c"
check "10x5: and what it is about" wait_for "Save?"
keys n
T resize-window -t ui -x 80 -y 24 # the shell's last words, unwrapped
check "10x5: n answers it: quits without saving" wait_for "hiss exited 0"
check "nothing was saved" test ! -e "$TMP/small.hiss"

# ---- too small even for the short question: the key does nothing ----
start_editor "" "tiny.hiss"
check "tiny: the editor opens" wait_for "000│"
keys z
check "tiny: a note" wait_for "000│C-4"
T resize-window -t ui -x 4 -y 2
keys C-q
T resize-window -t ui -x 80 -y 24
check "tiny: back at 80x24 the editor shows again" wait_for "000│C-4"
check "tiny: the question that could not be shown was cancelled" wait_for "cancelled"
keys y
check "tiny: y is a note key again, not an answer" wait_for "001│A-5"
keys C-q n
check "tiny: quits" wait_for "hiss exited 0"

# ---- the name for a first save at 40x10 ----
start_editor "" ""
check "save as: a new song opens" wait_for "(untitled)"
keys z
check "save as: a note" wait_for "000│C-4"
T resize-window -t ui -x 40 -y 10
check "save as: 40x10 asks to enlarge" wait_for "(now 40x10)"
keys C-s
check "save as: C-s shows the prompt" wait_for "Save as:"
T send-keys -t ui -l "smallsave.hiss"
check "save as: the typed name shows" wait_for "smallsave.hiss"
keys Enter
check "save as: Enter saves" wait_file "$TMP/smallsave.hiss" "000 |C-4"
check "save as: the message shows below the note to enlarge" wait_for "saved smallsave.hiss"
keys C-q
check "save as: quits" wait_for "hiss exited 0"

# ---- a long question at 80x24 wraps ----
small_song "$TMP/a-long-name-for-a-song-x.hiss"
start_editor "" "a-long-name-for-a-song-x.hiss"
check "disk: the song opens" wait_for "000│"
keys z
check "disk: a note" wait_for "000│C-4"
sleep 1.1 # the file's time must move for the change to be seen
printf '# touched\n' >>"$TMP/a-long-name-for-a-song-x.hiss"
check "disk: the change on disk is asked about in full" wait_re "\(r\)eload"
check "disk: no line of the question is cut" \
    bash -c "! tmux -L '$SOCK-$RUNS' capture-pane -p -t ui | LC_ALL=C.UTF-8 grep -qE '^.{79}[[:alnum:]]'"
keys c
check "disk: c cancels" wait_gone "(r)eload"
keys C-q n
check "disk: quits" wait_for "hiss exited 0"

finish
