#!/bin/bash
# The JACK server dies under a playing hiss: hiss stays alive, says "JACK
# server gone", keeps its song, and plays again (sound on its ports) when a
# server comes back. With --fallback it moves to ALSA or null instead.
. "$(dirname "$0")/../common/jackrec.sh"

check "start a private jackd" start_jackd 512
spawn "$WORK/play.log" "$HISS" play "$DEMO" --loop --client-name hl --no-connect
HISS_PID=$SPAWN_PID
check "hiss plays through jack" wait_line "$WORK/play.log" "through jack" 15
sleep 2 # a few rows in, so that keeping the position means something

stop_jackd -KILL
check "hiss reports the server gone" wait_line "$WORK/play.log" "JACK server gone" 10
sleep 1
check "hiss is still running without a server" kill -0 "$HISS_PID"

# Back at another rate: hiss reconnects and converts its samples.
check "a new server starts" start_jackd 512 44100
check "hiss reconnects" wait_line "$WORK/play.log" "JACK server back at 44100 Hz" 15
check "hiss rebuilds for the new rate" wait_line "$WORK/play.log" "now at 44100 Hz" 10
check "and plays on from where it was, not from the top" \
    bash -c "grep 'now at 44100 Hz' '$WORK/play.log' | grep -qv 'order 00 row 000'"
check "hiss's ports are back" bash -c "'$JACKREC' ports '^hl:out_' | grep -c . | grep -qx 2"
spawn "$WORK/rec.log" "$JACKREC" record rec "$WORK/after.wav" 3 2
REC_PID=$SPAWN_PID
wait_line "$WORK/rec.log" '^ready' 10
"$JACKREC" connect hl:out_L rec:in_1 && "$JACKREC" connect hl:out_R rec:in_2
wait_exit "$REC_PID" 15
check "sound flows again after the reconnect" \
    bash -c "'$JACKREC' silent '$WORK/after.wav' >/dev/null; test \$? = 1"

kill -TERM "$HISS_PID"
check "hiss stops cleanly on SIGTERM" wait_exit "$HISS_PID" 10
check "exit status 0" test "${EXIT_STATUS:-1}" = 0
check "it says it stopped" wait_line "$WORK/play.log" "stopped after" 1
cat "$WORK/play.log"

# --fallback: no waiting for the server, straight to ALSA or null.
spawn "$WORK/fb.log" env ALSA_CONFIG_PATH=/nonexistent "$HISS" play "$DEMO" --loop \
    --fallback --client-name hf --no-connect
FB_PID=$SPAWN_PID
check "hiss --fallback plays through jack" wait_line "$WORK/fb.log" "through jack" 15
stop_jackd -KILL
check "it falls back" wait_line "$WORK/fb.log" "falling back to (alsa|null)" 10
sleep 0.5
check "and keeps running" kill -0 "$FB_PID"
kill -TERM "$FB_PID"
check "hiss --fallback stops cleanly" wait_exit "$FB_PID" 10
cat "$WORK/fb.log"

# --seconds counts what was played, whatever the rate: 1.5 s at 96 kHz
# under JACK, then the rest (about 2.5 s) on the null clock at 48 kHz.
# JACK's frames counted at the null clock's rate would make the first
# 1.5 s look like 3 and leave 1 s; the null clock's counted at JACK's rate
# would make the 2.5 s take 5.
check "a server at 96 kHz starts" start_jackd 512 96000
spawn "$WORK/secs.log" env ALSA_CONFIG_PATH=/nonexistent "$HISS" play "$DEMO" \
    --seconds 4 --fallback --client-name hs --no-connect
SECS_PID=$SPAWN_PID
check "hiss --seconds 4 plays through jack at 96000 Hz" \
    wait_line "$WORK/secs.log" "through jack at 96000 Hz" 15
sleep 1.5
stop_jackd -KILL
check "it falls back to the null clock at 48000 Hz" \
    wait_line "$WORK/secs.log" "falling back to null at 48000 Hz" 10
# Converting the samples to the new rate takes a while on a loaded machine
# (up to 5 s measured); the null clock plays from this line on.
check "it plays on at 48000 Hz" wait_line "$WORK/secs.log" "now at 48000 Hz" 15
resumed_at=$(date +%s.%N)
unset EXIT_STATUS
check "hiss --seconds 4 ends by itself" wait_exit "$SECS_PID" 15
played_null=$(awk -v a="$resumed_at" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
# Both sides, in wall time from the line above to the exit: about 2.5 s.
# A loaded machine only makes it longer (a late null clock), by up to
# 1.2 s here; either miscount above lands outside.
check "it plays the rest of its 4 s on the null clock (${played_null} s)" \
    awk -v t="$played_null" 'BEGIN { exit !(t >= 1.8 && t <= 3.7) }'
check "and ends with status 0" test "${EXIT_STATUS:-1}" = 0
cat "$WORK/secs.log"
reap_jackd
finish
