#!/bin/bash
# The JACK server dies while hiss starts: after hiss opened its client and
# before it activated it. That is the same loss as one while playing: hiss
# play and the editor say "JACK server gone", wait, and play when a server
# returns, instead of exiting with "cannot start jack audio". A preloaded
# shim stops the server from inside hiss's first jack_activate and waits
# until it is gone, so the loss falls exactly in that gap.
SOCK=hiss-start-loss-$$
. "$(dirname "$0")/../common/jackrec.sh"
. "$(dirname "$0")/lib/tmux_ui.sh"
trap 'T kill-server 2>/dev/null; cleanup' EXIT

if ! command -v jackd >/dev/null; then
    echo "FAIL jackd is needed (make deps installs it)"
    echo "0 passed, 1 failed"
    exit 1
fi

cat >"$WORK/shim.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <jack/jack.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Gone or a zombie: the server's sockets are closed either way. */
static int server_dead(const char *pid)
{
    char path[64], line[128];
    snprintf(path, sizeof path, "/proc/%s/status", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 1;
    int dead = 0;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "State:", 6))
            dead = strchr(line, 'Z') != NULL;
    fclose(f);
    return dead;
}

int jack_activate(jack_client_t *client)
{
    static int done;
    int (*real)(jack_client_t *) = (int (*)(jack_client_t *))dlsym(RTLD_NEXT, "jack_activate");
    const char *pid = getenv("SHIM_STOP_SERVER");
    if (pid && !done) {
        done = 1;
        kill(atoi(pid), SIGTERM);
        struct timespec nap = {0, 10000000};
        for (int i = 0; i < 500 && !server_dead(pid); i++)
            nanosleep(&nap, NULL);
        FILE *note = fopen(getenv("SHIM_NOTE"), "w");
        if (note) {
            fputs(server_dead(pid) ? "server stopped before activate\n" : "server lives\n", note);
            fclose(note);
        }
    }
    return real(client);
}
C
SHIM=$WORK/shim.so
${CC:-cc} -shared -fPIC -O1 -Wall -Wextra -Werror -o "$SHIM" "$WORK/shim.c" -ldl \
    || bad "build the jack_activate shim"
# An ASan build of hiss wants its runtime first among the loaded libraries.
SHIM_ASAN="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

# ---- hiss play ----
check "start a private jackd" start_jackd 256
spawn "$WORK/play.log" env LD_PRELOAD="$SHIM" ASAN_OPTIONS="$SHIM_ASAN" \
    SHIM_STOP_SERVER="$JACKD_PID" SHIM_NOTE="$WORK/play.note" \
    "$HISS" play "$DEMO" --loop --audio jack --client-name hs --no-connect
HISS_PID=$SPAWN_PID
check "hiss play: the server stopped between open and activate" \
    wait_line "$WORK/play.note" "server stopped before activate" 10
stop_jackd # reaps it
check "hiss play says the server is gone" wait_line "$WORK/play.log" "JACK server gone" 10
sleep 1.5 # a reconnect try or two find no server
check "hiss play waits for it instead of exiting" kill -0 "$HISS_PID"
check "without 'cannot start'" bash -c "! grep -q 'cannot start' '$WORK/play.log'"

check "a server returns" start_jackd 256
check "hiss play is back on it" wait_line "$WORK/play.log" "JACK server back at 48000 Hz" 15
spawn "$WORK/rec.log" "$JACKREC" record rec "$WORK/after.wav" 2 2
REC_PID=$SPAWN_PID
wait_line "$WORK/rec.log" '^ready' 10
"$JACKREC" connect hs:out_L rec:in_1 && "$JACKREC" connect hs:out_R rec:in_2
wait_exit "$REC_PID" 15
# has_sound FILE: a recording with frames whose peak is clearly above zero.
has_sound() {
    "$JACKREC" silent "$1" | awk '/frames, peak/ { ok = $2 > 0 && $5 > 0.01 } END { exit !ok }'
}
check "and plays: sound on its ports" has_sound "$WORK/after.wav"
kill -TERM "$HISS_PID"
unset EXIT_STATUS
check "hiss play stops cleanly" wait_exit "$HISS_PID" 10
check "exit status 0" test "${EXIT_STATUS:-1}" = 0
cat "$WORK/play.log"

# ---- the editor ----
new_server
T new-session -d -s ui -x 120 -y 24 "LD_PRELOAD='$SHIM' ASAN_OPTIONS='$SHIM_ASAN' \
    SHIM_STOP_SERVER=$JACKD_PID SHIM_NOTE='$WORK/ui.note' \
    '$HISS' '$DEMO' --audio jack --client-name he --no-connect; echo \"hiss exited \$?\"; sleep 60"
check "editor: the server stopped between open and activate" \
    wait_line "$WORK/ui.note" "server stopped before activate" 10
stop_jackd
check "editor: it says the server is gone" wait_for "JACK server gone"
check "editor: and does not run silent for good" bash -c "! tmux -L '$SOCK-$RUNS' capture-pane -p -t ui | grep -q 'running silent'"
keys Space
check "a server returns" start_jackd 256
check "editor: back on JACK by itself" wait_backend JACK
check "editor: it plays" wait_for "▶ "
check "editor: its ports are there" bash -c "'$JACKREC' ports '^he:out_' | grep -c . | grep -qx 2"
keys Space C-q
discard_if_asked "hiss exited 0"
check "editor: quits cleanly" wait_for "hiss exited 0"
finish
