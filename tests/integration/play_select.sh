#!/bin/bash
# hiss play's backend choice and its command line: JACK when a server runs,
# else the ALSA default device, else the null clock, each fallback said in
# one line; hiss never starts a JACK server on its own. Also: the status
# line on a terminal, the song's end, and bad arguments.
. "$(dirname "$0")/../common/jackrec.sh"

export HOME=$WORK/home
mkdir -p "$HOME"
export JACK_DEFAULT_SERVER=hisstest_$$
alsa_default_file() {
    cat >"$HOME/.asoundrc" <<RC
pcm.!default {
    type file
    slave.pcm "null"
    file "$WORK/default.raw"
    format "raw"
}
RC
}
alsa_default_broken() {
    cat >"$HOME/.asoundrc" <<RC
pcm.!default {
    type hw
    card 97
}
RC
}

alsa_default_file
"$HISS" play "$DEMO" --seconds 1.5 >"$WORK/a.log" 2>&1
rc=$?
cat "$WORK/a.log"
check "no server: ALSA's default device, exit 0" \
    bash -c "[ $rc = 0 ] && grep -q 'through alsa' '$WORK/a.log'"
check "and it says why in one line" \
    grep -qx "hiss: no JACK server running; using ALSA device 'default'" "$WORK/a.log"
# Exit 1 is sound; 2 (no file, unreadable) is not.
check "the default device got sound" \
    bash -c "'$JACKREC' silent '$WORK/default.raw' >/dev/null; test \$? = 1"
check "hiss did not start a JACK server" bash -c "! '$JACKREC' wait-server 0.5 2>/dev/null"

alsa_default_broken
"$HISS" play "$DEMO" --seconds 1 >"$WORK/n.log" 2>&1
rc=$?
cat "$WORK/n.log"
check "no server, no ALSA: the null backend, exit 0" \
    bash -c "[ $rc = 0 ] && grep -q 'through null' '$WORK/n.log'"
check "and one line says why" \
    bash -c "grep 'playing silently' '$WORK/n.log' | grep 'no JACK server running' | grep -q 'ALSA device'"

check "with a server running" start_jackd 1024
"$HISS" play "$DEMO" --seconds 1 >"$WORK/j.log" 2>&1
rc=$?
cat "$WORK/j.log"
check "a server: JACK, and nothing to explain" \
    bash -c "[ $rc = 0 ] && grep -q 'through jack' '$WORK/j.log' && ! grep -q 'using\|silently' '$WORK/j.log'"
"$HISS" play "$DEMO" --seconds 1 --audio null >"$WORK/jn.log" 2>&1
check "--audio null wins over a running server" grep -q "through null" "$WORK/jn.log"
stop_jackd
"$HISS" play "$DEMO" --seconds 1 --audio jack >"$WORK/nj.log" 2>&1
rc=$?
cat "$WORK/nj.log"
check "--audio jack without a server fails with a reason" \
    bash -c "[ $rc = 1 ] && grep -q 'no JACK server running' '$WORK/nj.log'"

# A short song ends by itself.
cat >"$WORK/short.hiss" <<SONG
hiss 1
title "short"
bpm 125
speed 6
rows_per_beat 4
swing 0
master_gain 0.0
limiter on
channels 1

order 00

pattern 00 4
000 |... .. .. ... ...|
001 |... .. .. ... ...|
002 |... .. .. ... ...|
003 |... .. .. ... ...|
SONG
timeout 20 "$HISS" play "$WORK/short.hiss" --audio null >"$WORK/end.log" 2>&1
rc=$?
cat "$WORK/end.log"
check "a song ends by itself (0.48 s of rows)" \
    bash -c "[ $rc = 0 ] && grep -qE 'stopped after 0\.[4-9]' '$WORK/end.log'"
spawn "$WORK/loop.log" "$HISS" play "$WORK/short.hiss" --audio null --loop
LOOP_PID=$SPAWN_PID
sleep 1.5
check "--loop keeps playing past the end" kill -0 "$LOOP_PID"
kill -INT "$LOOP_PID"
check "Ctrl-C stops it cleanly" wait_exit "$LOOP_PID" 5
check "with exit status 0" test "${EXIT_STATUS:-1}" = 0

# The status line: only on a terminal, on one updating line.
script -qec "'$HISS' play '$DEMO' --audio null --seconds 1.2" "$WORK/tty.log" >/dev/null 2>&1
check "on a terminal, position and levels on one updating line" \
    bash -c "grep -q \$'\\r' '$WORK/tty.log' && grep -q 'row' '$WORK/tty.log' && grep -q 'L [#-]* R [#-]*' '$WORK/tty.log'"
"$HISS" play "$DEMO" --audio null --seconds 0.5 >"$WORK/plain.out" 2>/dev/null
check "not on a pipe" test ! -s "$WORK/plain.out"

"$HISS" play "$DEMO" --audio oss >/dev/null 2>"$WORK/e1.log"
check "--audio oss is a usage error (2)" test $? = 2
"$HISS" play "$DEMO" --seconds -1 >/dev/null 2>"$WORK/e2.log"
check "--seconds -1 is a usage error (2)" test $? = 2
"$HISS" play >/dev/null 2>&1
check "no song is a usage error (2)" test $? = 2
"$HISS" play "$WORK/nope.hiss" --audio null >/dev/null 2>"$WORK/e3.log"
rc=$?
check "a missing song fails (1) and names the file" \
    bash -c "[ $rc = 1 ] && grep -q nope.hiss '$WORK/e3.log'"
printf 'hiss 1\nbpm banana\n' >"$WORK/broken.hiss"
"$HISS" play "$WORK/broken.hiss" --audio null >/dev/null 2>"$WORK/e4.log"
rc=$?
cat "$WORK/e4.log"
check "a broken song fails (1) with file:line:col" \
    bash -c "[ $rc = 1 ] && grep -q 'broken.hiss:2:' '$WORK/e4.log'"

# The hissrc's clock switch counts as --midi-transport-in, as in the
# editor: on the null clock with no sequencer there is no clock to follow,
# and hiss play says so (and plays) rather than ignoring the setting.
mkdir -p "$WORK/rc/hiss"
printf 'set midi_transport_in on\n' >"$WORK/rc/hiss/hissrc"
XDG_CONFIG_HOME=$WORK/rc "$HISS" play "$DEMO" --audio null --seconds 0.3 \
    >/dev/null 2>"$WORK/rc.log"
rc=$?
check "the hissrc's midi_transport_in reaches hiss play" \
    grep -q "MIDI clock comes in through JACK's midi_in or the ALSA sequencer" "$WORK/rc.log"
check "... which still plays the song" bash -c "[ $rc = 0 ] && grep -q 'stopped after' '$WORK/rc.log'"
finish
