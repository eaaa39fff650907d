# A private PipeWire as desktops run it, for tests (sourced after
# jackrec.sh, whose spawn and cleanup it uses): its own runtime folder and
# session bus under $WORK, WirePlumber, and a null sink "nullsink" (a
# device with its own clock, the dummy driver's) as the default sink, so
# ALSA's `default` (pipewire-alsa) and `pw-jack` both play into it.
# Everything it starts goes through spawn: the EXIT trap stops it all.

# pw_wait SECONDS COMMAND...: until the command succeeds.
pw_wait() {
    local i n=$(($1 * 20)); shift
    for ((i = 0; i < n; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    return 1
}

# pw_node_id NAME: the id of the node called NAME ("" when none).
pw_node_id() {
    pw-cli ls Node 2>/dev/null |
        awk -v n="node.name = \"$1\"" '$1 == "id" { id = $2 + 0 } index($0, n) { print id }'
}

pw_has_node() { [ -n "$(pw_node_id "$1")" ]; }

# pw_null_sink NAME: another null sink (object.linger keeps it after
# pw-cli exits).
pw_null_sink() {
    pw-cli create-node adapter "{ factory.name=support.null-audio-sink node.name=$1
        media.class=Audio/Sink object.linger=true audio.position=[FL FR] }" >/dev/null &&
        pw_wait 5 pw_has_node "$1"
}

start_pipewire() {
    export XDG_RUNTIME_DIR=$WORK/pw-run
    # WirePlumber keeps state (default sinks, volumes) under these.
    export XDG_STATE_HOME=$WORK/pw-state XDG_CONFIG_HOME=$WORK/pw-config
    unset PIPEWIRE_REMOTE PULSE_SERVER
    mkdir -p "$XDG_RUNTIME_DIR" "$XDG_STATE_HOME" "$XDG_CONFIG_HOME" &&
        chmod 700 "$XDG_RUNTIME_DIR" || return 1
    export DBUS_SESSION_BUS_ADDRESS=unix:path=$XDG_RUNTIME_DIR/bus
    spawn "$WORK/dbus.log" dbus-daemon --session --address="$DBUS_SESSION_BUS_ADDRESS" \
        --nofork --nopidfile
    pw_wait 5 test -S "$XDG_RUNTIME_DIR/bus" || return 1
    pw_start_daemons
}

# The server itself (again after stop_pipewire): pipewire, WirePlumber
# (which ends with it) and the null sink.
pw_start_daemons() {
    spawn "$WORK/pipewire.log" pipewire
    PIPEWIRE_PID=$SPAWN_PID
    pw_wait 10 test -S "$XDG_RUNTIME_DIR/pipewire-0" || return 1
    spawn "$WORK/wireplumber.log" wireplumber
    pw_wait 10 pw_has_node Dummy-Driver || return 1
    pw_null_sink nullsink || return 1
    # WirePlumber makes the only sink the default one.
    pw_wait 10 bash -c "pw-metadata 0 default.audio.sink | grep -q nullsink"
}

# Stops the server as a desktop's restart does (the session bus stays).
stop_pipewire() {
    kill -TERM "$PIPEWIRE_PID" 2>/dev/null
    wait_exit "$PIPEWIRE_PID" 5 || { kill -9 "$PIPEWIRE_PID"; wait_exit "$PIPEWIRE_PID" 5; }
    rm -f "$XDG_RUNTIME_DIR/pipewire-0" "$XDG_RUNTIME_DIR/pipewire-0.lock"
}

# pw_record SINK FILE: records what SINK plays (its monitor) into FILE,
# in the background; $SPAWN_PID stops it (SIGINT writes the file whole).
pw_record() {
    spawn "$WORK/pw-record-$1.log" pw-record --target "$1" \
        -P '{ stream.capture.sink=true }' "$2"
}

# pw_stop_record PID: ends a pw_record and waits for its file.
pw_stop_record() {
    kill -INT "$1" 2>/dev/null
    wait_exit "$1" 10
}
