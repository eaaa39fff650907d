# Shared by the tmux-driven editor tests: source it after setting SOCK.
# Gives a private temp HOME, counters, and helpers to read the screen, wait
# for text, send keys and record checks. Waits are not assertions about
# speed, only about what eventually shows (up to ~10 s).
HISS=${HISS:-build/hiss}
HISS=$(cd "$(dirname "$HISS")" && pwd)/$(basename "$HISS")
pass=0
fail=0
RUNS=0
TMP=$(mktemp -d)
trap 'tmux -L "$SOCK-$RUNS" kill-server 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
export HOME=$TMP XDG_CONFIG_HOME=$TMP/cfg HISS_AUDIO=null

T() { tmux -L "$SOCK-$RUNS" "$@"; }
screen() { T capture-pane -p -t ui 2>/dev/null; }
keys() { T send-keys -t ui "$@"; }
wait_for() {
    for _ in $(seq 1 100); do
        screen | grep -qF -- "$1" && return 0
        sleep 0.1
    done
    return 1
}
wait_re() {
    for _ in $(seq 1 100); do
        screen | grep -qE -- "$1" && return 0
        sleep 0.1
    done
    return 1
}
wait_gone() {
    for _ in $(seq 1 100); do
        screen | grep -qF -- "$1" || return 0
        sleep 0.1
    done
    return 1
}
# shows TEXT: on the screen now (no waiting). For "nothing happened"
# checks, made only after a later key's own effect showed, so the key
# under test has certainly been handled.
shows() { screen | grep -qF -- "$1"; }
# file_stamp FILE: changes whenever FILE is written again (a write in
# place or a new file renamed over it), "none" while it does not exist.
file_stamp() { stat -c '%y %i %s' -- "$1" 2>/dev/null || echo none; }
# wait_written FILE STAMP: until FILE's stamp differs from STAMP, taken
# before the action, so only that action's write passes.
wait_written() {
    for _ in $(seq 1 100); do
        [ "$(file_stamp "$1")" != "$2" ] && return 0
        sleep 0.1
    done
    return 1
}
check() {
    local name=$1
    shift
    if "$@"; then
        pass=$((pass + 1))
        echo "ok   $name"
    else
        fail=$((fail + 1))
        echo "FAIL $name"
        screen | sed 's/^/    | /'
    fi
}
# A fresh tmux server for each start: a dying one must not take the next.
new_server() {
    T kill-server 2>/dev/null
    RUNS=$((RUNS + 1))
}
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" = 0 ]
}
