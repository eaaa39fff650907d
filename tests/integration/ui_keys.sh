#!/bin/bash
# Keys as a terminal sends them: with a TERM that does not know the
# terminal's keys (vt100 inside tmux), PageDown, PageUp, Delete, Home, F5
# and F8 arrive as escape sequences the terminal database lacks. Each must
# be read whole and work, or be ignored as an unknown key, and never be
# typed into the pattern. The hint line names the keys actually bound.
set -u
SOCK=hiss-ui-keys-$$
. "$(dirname "$0")/lib/tmux_ui.sh"


# ---- escape sequences under TERM=vt100 ----
start_editor "TERM=vt100" "keys.hiss"
check "vt100: the editor opens" wait_for "000│"
# Nothing is written until a note key: the pattern must stay empty.
keys PageDown z
check "vt100: after PageDown the note lands far below row 0" \
    wait_re "^0(1[6-9]|[2-9][0-9])│C-4"
keys PageUp PageUp Home z
check "vt100: PageUp and Home go back up: the note lands on row 0" \
    wait_for "000│C-4"
keys Up Delete
check "vt100: Delete clears the cell" wait_for "000│... .. .. ... ...│"
keys F5
check "vt100: F5 plays the song" wait_re "▶ 00:00:"
keys F8
check "vt100: F8 stops" wait_for "stopped"
check "vt100: jam mode was not toggled by a '~'" wait_for "EDIT jam"
# A sequence no key of ours sends: ignored, and said so.
T send-keys -t ui -H 1b 5b 39 39 7e
check "an unknown sequence is reported" wait_for "unknown key (ESC [ 9 9 ~)"
T send-keys -t ui -H 1b 5b 32 30 30 7e
check "a second unknown sequence is reported too" wait_for "unknown key (ESC [ 2 0 0 ~)"
keys C-s
check "vt100: saved" wait_for "saved keys.hiss"
# No byte of any sequence reached the pattern: one note, the one typed
# after PageDown, is all the song holds.
# Rows of a saved song that hold anything, without their row numbers.
filled_rows() {
    grep -E '^[0-9]{3} [|]' "$1" | cut -c6- | grep -v '^\(\.\.\. \.\. \.\. \.\.\. \.\.\.|\)*$'
}
check "vt100: the song holds only the note typed after PageDown" \
    test "$(filled_rows "$TMP/keys.hiss")" = \
    "C-4 01 .. ... ...|... .. .. ... ...|... .. .. ... ...|... .. .. ... ...|"
keys C-q
check "vt100: quits" wait_for "hiss exited 0"

# ---- sequences inside a prompt are not typed either ----
start_editor "TERM=vt100" "prompt.hiss"
check "prompt: the editor opens" wait_for "000│"
keys C-w
check "prompt: save as asks for a name" wait_for "Save as:"
keys C-u
T send-keys -t ui -l "new"
keys PageDown Delete F5
T send-keys -t ui -l "name.hiss"
check "prompt: only the typed name is in the prompt" wait_for "Save as: newname.hiss"
keys Enter
check "prompt: it saves under that name" wait_for "saved newname.hiss"
keys C-q
check "prompt: quits" wait_for "hiss exited 0"

# ---- sequences longer than the reader keeps are read to their end ----
# A terminal's report can be long (a DA answer lists many parameters); its
# tail must not be typed: ';' would start the song, digits type notes.
start_editor "" "long.hiss"
check "long: the editor opens" wait_for "000│"
LONG55=$(printf '\033[12;34;56;78;90;12;34;56;78;90;11;22;33;44;55;66;77;8x')
LONG300=$(printf '\033[?'; printf '1;%.0s' $(seq 148); printf 'c')
check "long: the sequences are 55 and 300 bytes" \
    test "${#LONG55}:${#LONG300}" = "55:300"
# unknown_once WHAT BYTES SHOWN: BYTES typed at once are one unknown key,
# named by SHOWN (its first bytes and its last).
unknown_once() {
    T send-keys -t ui -l "$2"
    check "long: $1 is one unknown key" wait_for "unknown key ($3)"
}
unknown_once "a 55-byte sequence" "$LONG55" \
    "ESC [ 1 2 ; 3 4 ; 5 6 ; 7 8 ; 9 0 ; ... x"
unknown_once "a 300-byte sequence" "$LONG300" \
    "ESC [ ? 1 ; 1 ; 1 ; 1 ; 1 ; 1 ; 1 ; ... c"
# A colour report (OSC, ended by BEL) and a version report (DCS, ended by
# ESC \) carry letters and digits that are keys on their own.
unknown_once "an OSC report" "$(printf '\033]11;rgb:1a1a/2b2b/3c3c\007')" \
    "ESC ] 1 1 ; r g b : 1 a 1 a / 2 b 2 ... BEL"
unknown_once "a DCS report" "$(printf '\033P>|tmux 3.3a zxcv 1;2\033\\')" \
    "ESC P > | t m u x   3 . 3 a   z x c ... \\"
keys z
check "long: the next key is a key again: the note lands on row 0" \
    wait_for "000│C-4"
check "long: the song was not started" shows_not "▶"
keys C-s
check "long: saved" wait_for "saved long.hiss"
check "long: the song holds only the note typed after them" \
    test "$(filled_rows "$TMP/long.hiss")" = \
    "C-4 01 .. ... ...|... .. .. ... ...|... .. .. ... ...|... .. .. ... ...|"
keys C-w
check "long: save as asks for a name" wait_for "Save as:"
keys C-u
T send-keys -t ui -l "$LONG300"
T send-keys -t ui -l "x.hiss"
check "long: only the typed name is in the prompt" wait_for "Save as: x.hiss"
keys Escape
keys C-q
check "long: quits" wait_for "hiss exited 0"

# ---- the hint line names the keys that are bound ----
mkdir -p "$TMP/cfg/hiss"
printf 'bind Space jam_toggle\nbind F4 play_toggle\nunbind C-q\nbind F10 quit\n' \
    >"$TMP/cfg/hiss/hissrc"
start_editor "" "hint.hiss"
check "hint: the editor opens" wait_for "000│"
keys Down # clears the start-up message
check "hint: play/stop names the key that plays on this screen" \
    wait_for "F4 play/stop"
check "hint: quit names its new key" wait_for "F10 quit"
check "hint: Space is not offered for play/stop" \
    bash -c "! tmux -L '$SOCK-$RUNS' capture-pane -p -t ui | grep -q 'Space play/stop'"
keys F10
check "hint: F10 quits" wait_for "hiss exited 0"
printf 'unbind Space\n' >"$TMP/cfg/hiss/hissrc"
start_editor "" "hint2.hiss"
check "hint: the editor opens without a play key" wait_for "000│"
keys Down # clears the start-up message
check "hint: an action without a key leaves no blank" \
    wait_re "^\? help  C-s save  C-q quit"
keys C-q
check "hint: quits" wait_for "hiss exited 0"
rm -f "$TMP/cfg/hiss/hissrc"

finish
