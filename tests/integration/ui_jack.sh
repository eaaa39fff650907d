#!/bin/bash
# The editor on a real JACK server (dummy driver, no realtime): the header
# names JACK, says "JACK server gone" when the server dies, and the
# reconnect key brings the sound back after the server returns, with the
# song still loaded and playable.
set -u
SOCK=hiss-ui-jack-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
. "$(dirname "$0")/lib/tmux_jack.sh"
WAIT_STEPS=150 # a server coming back takes a few reconnect tries
DEMO=$(pwd)/patterns/demo.hiss

needs jackd

start_jackd
T new-session -d -s ui -x 80 -y 24 "'$HISS' '$DEMO' --audio jack; echo \"hiss exited \$?\"; sleep 60"
check "the header names JACK" wait_backend JACK
keys Space
check "it plays" wait_for "▶ 00:00:"
keys Space
wait_for "stopped" >/dev/null
stop_jackd
check "a dead server shows as JACK server gone" wait_for "JACK server gone"
check "the editor hears of it and says it waits for the server" \
    wait_for "waiting for it to return"
keys Home z
check "editing goes on without a server" wait_for "000│C-4 01"
start_jackd
keys M-j
check "the reconnect key brings JACK back" wait_for "audio reconnected"
check "the header names JACK again" wait_backend JACK
keys Space
check "and it plays again" wait_for "▶ 00:00:"
keys Space
keys C-q
wait_for "Save changes" >/dev/null
keys n
check "quits" wait_for "hiss exited 0"

finish
