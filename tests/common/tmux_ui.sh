# Helpers for driving the editor through tmux as a person would; sourced by
# tests/integration scripts. The caller sets SOCK and RUNS (one tmux server
# per run, so a dying one never takes the next session) and pass/fail.

T() { tmux -L "$SOCK-$RUNS" "$@"; }
screen() { T capture-pane -p -t ui 2>/dev/null; }
keys() { T send-keys -t ui "$@"; }
# Waits (up to ~10 s) until the screen shows the text: not an assertion
# about speed, only about what eventually shows.
wait_for() {
    for _ in $(seq 1 100); do
        screen | grep -qF -- "$1" && return 0
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
