#!/bin/bash
# Saving from the editor keeps older versions: three by default
# (beat.hiss~, ~2~, ~3~), and `set backups N` in the hissrc changes it.
set -u
SOCK=hiss-ui-backups-$$
. "$(dirname "$0")/lib/tmux_ui.sh"

# Opens the song, types one note per save (so every version differs), saves
# `count` times and quits.
edit_and_save() {
    local song=$1 count=$2
    new_server
    T new-session -d -s ui -x 80 -y 24 "cd '$TMP' && '$HISS' $song; sleep 30"
    wait_for "PATTERN" || return 1
    for i in $(seq 1 "$count"); do
        T send-keys -t ui z
        sleep 0.2
        T send-keys -t ui C-s
        wait_for "saved $song" || return 1
        # The status line keeps the last message: wait until it has changed
        # before the next save so each save is seen on its own.
        T send-keys -t ui Down
        sleep 0.3
    done
    T send-keys -t ui C-q
    sleep 0.5
    T kill-server 2>/dev/null
    return 0
}

check "five saves with the default setting" edit_and_save beat.hiss 5
check "the newest backup exists" test -f "$TMP/beat.hiss~"
check "the second backup exists" test -f "$TMP/beat.hiss~2~"
check "the third backup exists" test -f "$TMP/beat.hiss~3~"
check "no fourth backup by default" test ! -e "$TMP/beat.hiss~4~"
differ() { ! cmp -s "$1" "$2"; }
check "the song differs from its newest backup" differ "$TMP/beat.hiss" "$TMP/beat.hiss~"
check "each backup is an older version" differ "$TMP/beat.hiss~" "$TMP/beat.hiss~2~"

mkdir -p "$TMP/cfg/hiss"
printf 'set backups 1\n' > "$TMP/cfg/hiss/hissrc"
check "three saves with set backups 1" edit_and_save other.hiss 3
check "one backup kept" test -f "$TMP/other.hiss~"
check "no second backup" test ! -e "$TMP/other.hiss~2~"

finish
