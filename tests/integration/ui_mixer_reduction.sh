#!/bin/bash
# What the mixer shows of the stages that turn a sound down, and of the
# sends' returns, while the song plays: a 1 kHz sine peaking at -6.0 dBFS
# into channel 1's compressor (threshold -30 dBFS, 4:1: its static curve
# takes 24 x (1 - 1/4) = 18.0 dB off the peaks; the 5 ms attack follows
# each peak only part of the way, so it reads up to 1.5 dB less) shows
# that reduction on the channels view ("c") and beside the compressor's
# switch ("GR"); off,
# the reading goes and the channel's hold comes back to the sine's -16.0
# dBFS through its -10 dB fader. The delay's return, fed by send A,
# lights its meter with a hold in dBFS; the reverb's, fed by nothing,
# stays dark. The glue on the master shows its reduction too, and the
# limiter its deepest since playback started. The reductions hold a
# second, so they read rather than flicker. ASCII (LC_ALL=C).
set -u
SOCK=hiss-ui-mixer-reduction-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
needs sox

tone_song "$TMP/gr.hiss" gr 60 12 64 1000 0.501187 "$(
    printf 'channel 01 gain -10.0 pan 0 mute off solo off send_a -6.0\n'
    printf 'channel_comp 01 active on threshold -30.0 ratio 4.0 attack 5 release 150 makeup 0.0\n'
    printf 'glue active on threshold -40.0 ratio 2.0 attack 10 release 100 makeup 0.0'
)"

start_editor "LC_ALL=C" gr.hiss
wait_for "gr" >/dev/null
wait_loaded 192000
keys C-a
check "the mixer opens on the channels view" wait_for " Mixer: [channels] inserts master sends"
check "the returns have a line each below the channels" shows "    reverb return (send B)"
keys Space
check "playing, channel 1's compressor shows its reduction: 16.5 to 18.0 dB" \
    wait_re " 01 .*\|c1(6\.[5-9]|7\.[0-9]|8\.0) *$"
check "the delay's return lights, its hold in dBFS" \
    wait_re "^    delay return \(send A\) +[#+*.]*\*[#+*.]*\|-[0-9]+\.[0-9] *$"
check "... the reverb's, fed by no send, stays dark" \
    shows_re "^    reverb return \(send B\) +\.{16}\| *$"
keys Tab
check "the inserts show the reduction beside the compressor's switch" \
    wait_re "Comp +on  GR 1(6\.[5-9]|7\.[0-9]|8\.0) dB"
check "... and none beside the ducker, which is off" shows_re "Duck depth +-12\.0 dB *$"
keys Right
keys -
check "- turns the compressor off: its reading goes" wait_re "Comp +off *$"
keys BTab
check "... and channel 1's hold comes back to -16.0 dBFS" wait_re " 01 .*\|-1(5\.9|6\.0|6\.1) *$"
keys Tab Tab
check "the master shows the glue's reduction beside its switch" \
    wait_re "Glue +on  GR [1-9][0-9]?\.[0-9] dB"
check "... the limiter has had nothing to do" shows_re "Limiter +on  GR 0\.0 dB max *$"
keys End
type_into "Master gain" 12
keys Up
type_into "Limiter ceiling" -20
check "12 dB more into a ceiling of -20 dBTP: the limiter shows its deepest reduction" \
    wait_re "Limiter +on  GR [1-9][0-9]?\.[0-9] dB max"
keys Space C-q
check "quits" wait_for "Save changes"
keys n
check "... without saving" wait_exited 0
finish
