#!/bin/bash
# The pattern screen's mute and solo keys and the mixer's M and S columns
# are one state, the song's: a mute made on the pattern shows on the
# mixer and the reverse, saving keeps both, undo takes them back, and a
# mute at the next bar shows at once and silences the channel as it
# plays. Until that bar, a mute or solo asked for at it is marked on its
# channel: "MUTE@bar" in the pattern's channel header, "M@" on the mixer,
# while the channel still sounds; as the bar starts the mark goes. The
# same for an unmute and a solo. ASCII (LC_ALL=C).
set -u
SOCK=hiss-ui-mute-solo-$$
. "$(dirname "$0")/lib/tmux_ui.sh"
needs sox

tone_song "$TMP/mutes.hiss" mutes 125 6 16 440 0.5

# open_pattern TITLE: the song (its sample loaded) on the pattern page.
open_pattern() {
    wait_for "$1" >/dev/null
    wait_loaded 192000
    keys C-e
    wait_for " PATTERN " >/dev/null
}
start_editor "LC_ALL=C" mutes.hiss
open_pattern mutes
keys ,
check ", mutes channel 1 on the pattern" wait_for "Ch 01       MUTE"
keys C-a
check "... and the mixer shows it in its M column" wait_for " 01            -15.0    0 M ."
keys Down Right Right Right +
check "S on the mixer solos channel 2" wait_for " 02            -15.0    0 . S"
keys Escape
check "... and the pattern shows it" wait_re "Ch 02 .* SOLO"
check "... counted in the header" shows "M1  S1"
stamp=$(file_stamp "$TMP/mutes.hiss")
keys C-s
check "saves" wait_written "$TMP/mutes.hiss" "$stamp"
check "the song keeps the pattern's mute" \
    grep -qx 'channel 01 gain -15.0 pan 0 mute on solo off' "$TMP/mutes.hiss"
check "... and the mixer's solo" \
    grep -qx 'channel 02 gain -15.0 pan 0 mute off solo on' "$TMP/mutes.hiss"
keys C-z
check "undo takes the solo back" wait_for "M1  S0"
keys C-z
check "... and then the mute" wait_for "M0  S0"
check "... on the pattern too" shows_not "MUTE"
keys M
check "M on a stopped song mutes at once" wait_for "Ch 01       MUTE"
check "... and says so, with no bar to wait for" shows "channel 1 muted"
check "... not 'at the next bar'" shows_not "at the next bar"
keys M
check "M again unmutes" wait_for "channel 1 unmuted"

keys M-Enter C-a
# A sine at -6 dBFS through the -15 dB fader.
check "playing, channel 1 sounds" wait_re " 01 .*#.*\|-21\.0"
keys Escape
wait_for " PATTERN " >/dev/null
keys M
check "M mutes at the next bar: the song's flag shows at once" wait_for "Ch 01       MUTE"
check "... with a word about the bar" shows "channel 1 muted at the next bar"
keys C-a
check "... the mixer shows it" wait_for " 01            -15.0    0 M ."
check "... and from the bar on channel 1 is silent" wait_re " 01 .* \.{16}\| *$"
keys Space C-q
check "asks to save" wait_re "[Ss]ave"
keys n
check "quits" wait_exited 0

# Marked until the bar comes: a 16-row pattern at 60 BPM, a bar every 4 s.
tone_song "$TMP/pend.hiss" pend 60 6 16 440 0.5

start_editor "LC_ALL=C" pend.hiss
open_pattern pend
keys M-Enter
# Early in a bar (row 1 to 3 playing), so its end is 3 s away or more.
early_in_bar() { WAIT_STEPS=100 wait_re " 00:00:00[1-3] "; }
# first_state CH BEFORE_RE: channel CH's header as first drawn after a
# key, the first state read that no longer matches BEFORE_RE (what it
# showed before): the key's own redraw must already show what is coming.
first_state() {
    local h
    for _ in $(seq 1 300); do
        h=$(screen | grep -oE "\| Ch $1 [^|]*\|" | head -1)
        if [ -n "$h" ] && ! grep -qE -- "$2" <<<"$h"; then
            echo "$h"
            return
        fi
    done
}
# The header's count and a channel's mark on one screen: the count is
# what is heard, a change coming at the bar follows it (M0+1, M1-1).
counted_with() {
    local s
    s=$(screen)
    grep -qF -- "$1" <<<"$s" && grep -qF -- "$2" <<<"$s"
}
check "playing, early in a bar" early_in_bar
keys M
state=$(first_state 01 '^\| Ch 01 [#.]{5} +\|$')
check "M: the first redraw marks the mute for the bar ($state)" \
    test "$state" = "| Ch 01   MUTE@bar|"
check "M: channel 1 shows its mute coming at the bar" wait_for "| Ch 01   MUTE@bar|"
check "... the header counts it as coming, not yet muted" \
    wait_until counted_with "M0+1 " "| Ch 01   MUTE@bar|"
keys C-a
check "... the mixer marks it after its M" wait_re "^ 01 +-15\.0 +0 M@\. "
check "... while the channel still sounds" shows_re "^ 01 .* #+[+*.]*\|"
check "the mark goes when the bar comes" wait_re "^ 01 +-15\.0 +0 M \. "
check "... on the bar's first rows" shows_re " 00:00:00[0-2] "
check "... and the channel falls silent" wait_re "^ 01 .* \.{16}\| *$"
keys Escape
check "the pattern shows the mute, heard, unmarked" wait_for "| Ch 01       MUTE|"
check "... and the header counts it muted" shows "M1  S0"
check "... no mark left" shows_not "@bar"

check "early in the next bar" early_in_bar
keys M
state=$(first_state 01 '^\| Ch 01 +MUTE\|$')
check "M again: the first redraw marks the unmute for the bar ($state)" \
    test "$state" = "| Ch 01 UNMUTE@bar|"
check "M again: the unmute is marked till the bar" wait_for "| Ch 01 UNMUTE@bar|"
check "... counted as muted, one going" wait_until counted_with "M1-1 " "| Ch 01 UNMUTE@bar|"
check "... and goes with the bar" wait_re "\| Ch 01 [#.]{5}     \|"
check "... which brings the channel back" wait_re "\| Ch 01 #"

check "early in a bar once more" early_in_bar
keys Tab S
check "S on channel 2: its solo marked till the bar" wait_for "| Ch 02   SOLO@bar|"
check "... channel 1 still heard meanwhile" shows_re "\| Ch 01 #"
check "... the solo taken at the bar" wait_re "\| Ch 02 [#.]{5} SOLO\|"
check "... no mark left" shows_not "@bar"

check "early in a bar for a change of mind" early_in_bar
keys S
check "S: the unsolo marked till the bar" wait_for "| Ch 02 UNSOLO@bar|"
keys S
check "S again before the bar cancels it, and says so" \
    wait_for "channel 2: the solo change at the next bar is cancelled"
check "... the mark goes at once" wait_re "\| Ch 02 [#.]{5} SOLO\|"
check "... late in that bar" wait_re " 00:00:01[0-5] "
check "... and the solo stays past the bar" early_in_bar
check "... still soloed" shows_re "\| Ch 02 [#.]{5} SOLO\|"
keys Space C-q
check "asks to save" wait_re "[Ss]ave"
keys n
check "quits again" wait_exited 0
finish
