# Shared by the tmux-driven editor tests: source it after setting SOCK.
# Gives a private temp HOME, the results of results.sh (a failed check
# shows the screen), and helpers to read the screen, wait
# for text, send keys and record checks. Waits are not assertions about
# speed, only about what eventually shows (up to ~10 s).
HISS=${HISS:-build/hiss}
HISS=$(cd "$(dirname "$HISS")" && pwd)/$(basename "$HISS")
. "$(dirname "${BASH_SOURCE[0]}")/results.sh"
RUNS=0
TMP=$(mktemp -d)
trap 'tmux -L "$SOCK-$RUNS" kill-server 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
export HOME=$TMP XDG_CONFIG_HOME=$TMP/cfg HISS_AUDIO=null

T() { tmux -L "$SOCK-$RUNS" "$@"; }
screen() { T capture-pane -p -t ui 2>/dev/null; }
keys() { T send-keys -t ui "$@"; }
# wait_until COMMAND...: until COMMAND succeeds, for WAIT_STEPS tenths of
# a second (100 unless the script sets it).
wait_until() {
    for _ in $(seq 1 "${WAIT_STEPS:-100}"); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}
# wait_for TEXT, wait_re REGEX, wait_gone TEXT: until the screen shows
# TEXT, matches REGEX, no longer shows TEXT.
wait_for() { wait_until shows "$1"; }
wait_re() { wait_until shows_re "$1"; }
wait_gone() { wait_until shows_not "$1"; }
# wait_exited CODE: until the pane's shell has printed "hiss exited CODE".
# Wrapped lines are joined: an editor that was killed leaves the cursor
# wherever it last drew, so the shell's line can wrap at the right edge.
wait_exited() { wait_until exit_shown "$1"; }
# discard_if_asked DONE_RE: after a key that asks "Save changes" only when
# the song has some (C-q, C-u), answers n if it asks; waits only until
# DONE_RE or the question shows, not the whole wait for a question that
# an unchanged song never gets.
discard_if_asked() {
    wait_re "Save changes|$1" >/dev/null
    if shows "Save changes"; then keys n; fi
    return 0
}
exit_shown() { T capture-pane -pJ -t ui 2>/dev/null | grep -qF -- "hiss exited $1"; }
# shows TEXT: on the screen now (no waiting). For "nothing happened"
# checks, made only after a later key's own effect showed, so the key
# under test has certainly been handled.
shows() { screen | grep -qF -- "$1"; }
shows_re() { screen | grep -qE -- "$1"; }
shows_not() { ! shows "$1"; }
# file_stamp FILE: changes whenever FILE is written again (a write in
# place or a new file renamed over it), "none" while it does not exist.
file_stamp() { stat -c '%y %i %s' -- "$1" 2>/dev/null || echo none; }
# wait_written FILE STAMP: until FILE's stamp differs from STAMP, taken
# before the action, so only that action's write passes.
wait_written() { wait_until stamp_differs "$1" "$2"; }
stamp_differs() { [ "$(file_stamp "$1")" != "$2" ]; }
check_failed_show() { screen | sed 's/^/    | /'; }
# wait_file FILE TEXT: until FILE exists and holds TEXT (5 s at most).
wait_file() { WAIT_STEPS=50 wait_until grep -qF -- "$2" "$1" 2>/dev/null; }
# The hiss process in the pane (the pane's shell runs it as a child).
hiss_pid() {
    local shell
    shell=$(T display -p -t ui '#{pane_pid}')
    pgrep -P "$shell" -x hiss | head -1
}
# small_song FILE: a two-channel, four-row song, small enough to read in a
# check.
small_song() {
    cat >"$1" <<'SONG'
hiss 1
title "safe"
bpm 120
speed 6
rows_per_beat 4
swing 0
master_gain 0.0
limiter on
channels 2

order 00

pattern 00 4
000 |... .. .. ... ...|... .. .. ... ...|
001 |... .. .. ... ...|... .. .. ... ...|
002 |... .. .. ... ...|... .. .. ... ...|
003 |... .. .. ... ...|... .. .. ... ...|
SONG
}
# tone_song FILE TITLE BPM SPEED ROWS FREQ AMP [LINE]: a two-channel song
# whose channel 1 plays sine.wav (made beside FILE: FREQ Hz at amplitude
# AMP, 4 s looped, 48 kHz) from row 0 of its one ROWS-row pattern; LINE
# (a channel line, say) goes before the instrument. Needs sox.
tone_song() {
    sox -q -n -r 48000 -c 1 -b 16 "$(dirname "$1")/sine.wav" synth 4 sine "$6" vol "$7"
    {
        printf 'hiss 1\ntitle "%s"\nbpm %s\nspeed %s\nrows_per_beat 4\nswing 0\n' "$2" "$3" "$4"
        printf 'master_gain 0.0\nlimiter on\nchannels 2\n'
        [ -n "${8:-}" ] && printf '%s\n' "$8"
        printf 'instrument 01 "sine" sample "sine.wav" volume 64 pan 0 base C-4 finetune 0 loop forward 0 192000 interp linear\n'
        printf '\norder 00\n\npattern 00 %s\n' "$5"
        printf '000 |C-4 01 .. ... ...|... .. .. ... ...|\n'
        for r in $(seq 1 $(($5 - 1))); do printf '%03d |... .. .. ... ...|... .. .. ... ...|\n' "$r"; done
    } >"$1"
}
# wait_loaded FRAMES: until the instruments screen (left open) shows the
# current instrument's sample loaded, FRAMES long at 48 kHz: samples load
# after the song opens, and a note played before is silent.
wait_loaded() {
    keys C-t
    wait_for "$1 frames at 48000 Hz" >/dev/null
}
# A fresh tmux server for each start: a dying one must not take the next.
new_server() {
    T kill-server 2>/dev/null
    RUNS=$((RUNS + 1))
}
# start_editor "ENV..." ARGS: hiss with ARGS in $TMP (or EDITOR_DIR), in a
# fresh 80x24 tmux server; "hiss exited N" shows when it ends.
start_editor() {
    new_server
    T new-session -d -s ui -x 80 -y 24 \
        "cd '${EDITOR_DIR:-$TMP}' && env $1 '$HISS' $2; echo \"hiss exited \$?\"; sleep 60"
}
# open_demo_copy: a copy of the demo (with the kit beside it, so a failing
# run leaves nothing beside the real one) open in the editor; DEMO is its
# path.
open_demo_copy() {
    mkdir -p "$TMP/songs"
    cp patterns/demo.hiss "$TMP/songs/demo.hiss"
    ln -sfn "$(pwd)/samples" "$TMP/samples"
    DEMO=$TMP/songs/demo.hiss
    start_editor "" "'$DEMO'"
}
# open_demo_fields: open_demo_copy, then the instruments screen with the
# focus on slot 01's parameters (SONG is the copy).
open_demo_fields() {
    open_demo_copy
    SONG=$DEMO
    check "the song opens" wait_for ": Dusty"
    keys C-t Tab
    check "the instruments screen opens on slot 01" wait_for "Slot 01"
}
# type_into LABEL TEXT: Enter on the focused field, replace its value.
type_into() {
    keys Enter
    wait_for "$1:" >/dev/null
    keys C-u
    T send-keys -t ui -l -- "$2" # "--": text may start with "-"
    keys Enter
}
# wait_backend NAME: the header names the running backend (JACK, ALSA,
# null) at its right end; its xrun count shows only once there is one.
wait_backend() { wait_re " $1( (xr|late) [0-9]+)? *$"; }
