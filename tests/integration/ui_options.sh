#!/bin/bash
# The editor's options arrive, in either spelling: the audio backend and
# the ALSA device given on the command line are the ones the editor opens
# (the header names the backend; a device that does not exist is named in
# the status line). cli_options.sh checks that they parse; this checks
# that they reach the editor.
set -u
SOCK=hiss-ui-options-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
unset HISS_AUDIO
DEMO=$(pwd)/patterns/demo.hiss
# Without --audio the editor would find this ALSA default device (and no
# JACK server): only the option can make it take the null clock.
export JACK_DEFAULT_SERVER=hiss_ui_options_none_$$
cat >"$HOME/.asoundrc" <<RC
pcm.!default {
    type file
    slave.pcm "null"
    file "/dev/null"
    format "raw"
}
RC

# start WORDS...: the editor on the demo with these options.
start() { start_editor "" "'$DEMO' $*"; }

for spelling in "--audio=alsa --device=hiss_no_such_dev" "-a alsa --device hiss_no_such_dev" \
    "-aalsa --device=hiss_no_such_dev"; do
    start "$spelling"
    check "$spelling: the editor opens that ALSA device" \
        wait_for "ALSA device 'hiss_no_such_dev'"
    keys C-q
    check "$spelling: and quits" wait_for "hiss exited 0"
done
start ""
check "without --audio: the ALSA default device" wait_re "■ stopped.* ALSA( |$)"
keys C-q
check "and quits" wait_for "hiss exited 0"
for spelling in "--audio=null" "-a null" "-anull"; do
    start "$spelling --period=128"
    check "$spelling: the header names the null clock" wait_re "■ stopped.* null( |$)"
    keys C-q
    check "$spelling: and quits" wait_for "hiss exited 0"
done
finish
