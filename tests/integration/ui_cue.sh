#!/bin/bash
# Cueing from the order list while the song plays: the cued entry is
# marked until it plays, a cue can be cancelled, and a cue on the bar
# takes over long before the pattern's end.
set -u
SOCK=hiss-ui-cue-$$
. "$(dirname "$0")/lib/tmux_ui.sh"

# Order 00 plays a 256-row pattern: 30 s at 125 BPM, speed 6, while a bar
# (16 rows) lasts 1.9 s. Order 01 plays pattern 01.
{
    printf 'hiss 1\ntitle "cues"\nbpm 125\nspeed 6\nrows_per_beat 4\nswing 0\n'
    printf 'master_gain 0.0\nlimiter on\nchannels 1\n\norder 00 01\n\npattern 00 256\n'
    for r in $(seq 0 255); do printf '%03d |... .. .. ... ...|\n' "$r"; done
    printf '\npattern 01 16\n'
    for r in $(seq 0 15); do printf '%03d |... .. .. ... ...|\n' "$r"; done
} >"$TMP/cues.hiss"

start_editor "" cues.hiss
check "the song opens" wait_for "cues"
keys F5
keys C-r
check "the order list shows order 00 playing" wait_re "▶ 00 +00"
keys End c
check "c on the end of the song says there is nothing to cue there" \
    wait_for "cue: the end of the song has no pattern to cue; pick an entry"
keys Home Down
keys C C
check "cues set to the pattern's end" wait_for "cues take over at the pattern's end"
keys c
check "the cued entry is marked" wait_re "01 +01 +16  CUED"
check "and said" shows "cued entry 01: plays at the pattern's end"
keys c
check "the same key on the cued entry cancels it" wait_for "cue of entry 01 cancelled"
check "the mark goes" wait_gone "CUED"
keys C
check "cues set to the next bar" wait_for "cues take over at the next bar"
keys c
check "cued on the bar" wait_for "cued entry 01: plays at the next bar"
# The pattern's end is 30 s away: only the bar brings entry 01 this soon.
check "entry 01 plays at the next bar" wait_re "▶ 01 +01"
check "and is no longer marked once it plays" shows_not "CUED"
keys C-e
keys M
check "a mute for the next bar from the pattern screen" \
    wait_for "channel 1 muted at the next bar"
check "counted in the header, as coming till the bar" wait_re "M0\+1 |M1 "
check "... and as muted once heard" wait_for "M1 "
# A pattern cued from the pattern screen: back in order 00's long pattern,
# with follow off so the cursor stays on pattern 01 (Enter on its order
# entry turns it off), Q cues it to loop.
check "the song goes on to order 00 again" wait_re "▶ 00:00:"
keys '>'
check "> while following says why it stays" \
    wait_for "follow is on: ' turns it off to pick another pattern to cue"
check "... and follow stays on" shows "FOLLOW "
# Entry 01 chosen in the order list while order 00 plays: follow goes
# off, or it would take the screen straight back to pattern 00.
keys C-r Home Down Enter
check "Enter on entry 01 while 00 plays turns follow off, and says so" \
    wait_for "follow off: pattern 01 stays on screen while 00 plays"
check "the cursor on pattern 01" wait_for "Pat 01"
check "... and the header says follow is off" shows "follow "
# At the pattern's end (order 00 lasts 30 s) the cue waits long enough
# to be seen, and the same key cancels it.
keys C-r C C
check "cues set to the pattern's end again" wait_for "cues take over at the pattern's end"
keys C-e
keys Q
check "Q cues the pattern" wait_for "cued pattern 01: loops from the pattern's end"
check "the header marks the cue" wait_for "cue P01"
keys Q
check "Q again cancels it" wait_for "cue of pattern 01 cancelled"
check "the mark goes" wait_gone "cue P01"
keys C-r C
check "cues at the next bar" wait_for "cues take over at the next bar"
keys C-e
keys Q
check "cued on the bar" wait_for "cued pattern 01: loops from the next bar"
# Outside the order list: the header names the pattern looping, not an
# order entry, and the clock goes on with the time played (no length: a
# loop has no end).
check "pattern 01 loops at the next bar" wait_re "▶ loop P01:0[01][0-9] [0-9]+:[0-9]{2} "
check "and is no longer marked once it plays" shows_not "cue P01"
check "no order entry is said to play" shows_not "▶ 00:"
# seconds shown now: m:ss to a count.
clock_now() {
    screen | head -1 | grep -oE "▶ loop P01:[0-9]{3} [0-9]+:[0-9]{2}" |
        awk '{ split($4, t, ":"); print t[1] * 60 + t[2] }'
}
was=$(clock_now)
sleep 2.5 # more than its 16 rows (1.9 s): a pattern cued loops
check "and it loops" shows_re "▶ loop P01:"
now=$(clock_now)
check "the clock goes on while it loops (${was:-none}s, then ${now:-none}s)" \
    test -n "$was" -a -n "$now" -a "${now:-0}" -ge "$((${was:-0} + 2))"
keys C-r
check "the order list marks no entry as playing" wait_re "^  00 +00 +256"
check "... nor order 01" shows_re "^  01 +01 +16"
keys C-e
keys C-q
# The mute is the song's (saved, undoable), so the song has changed.
check "the mute is a change to the song: quitting asks to save it" \
    wait_for "Save changes before quitting?"
keys n
check "quits" wait_for "hiss exited 0"
finish
