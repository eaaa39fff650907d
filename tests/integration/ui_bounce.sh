#!/bin/bash
# Stems from the editor, as a user does it, while the song plays on a
# private JACK server into a recorder: M-B on an unsaved song asks for a
# save; after C-s it asks for a folder, offering songs/beat-stems beside
# the song, and Enter bounces there (the mix, each channel, the two send
# returns), with its progress on the status line; the mix bounced is the
# same file `hiss render --stems` writes; a second M-B offers
# beat-stems-2 and leaves the first as it was; a folder typed in gets the
# stems, and so does an empty folder; a folder with files in it, a file
# and a planted link are refused with nothing written; a bounce of a song
# with a channel muted says its stem is silent; Escape cancels;
# and the editor's own playback went on throughout (the recording has no
# silent window from its first sound to its last).
SOCK=hiss-ui-bounce-$$
. "$(dirname "$0")/../common/jackrec.sh"
. "$(dirname "$0")/lib/tmux_ui.sh"
trap 'T kill-server 2>/dev/null; cleanup' EXIT
unset HISS_AUDIO
GAPS=$(dirname "$0")/lib/no_gaps.py

needs jackd sox python3

check "start a private jackd at 48 kHz (synchronous)" start_jackd 256 48000 -S -t 2000
spawn "$WORK/rec.log" "$JACKREC" record rec "$WORK/rec.wav" 60 2
REC_PID=$SPAWN_PID
check "a recorder to connect to" wait_line "$WORK/rec.log" '^ready' 10

mkdir -p "$TMP/songs"
sox -n -r 48000 -c 1 -b 24 "$TMP/songs/tone.wav" synth 4800s sine 1000 vol 0.1
{
    printf 'hiss 1\ntitle "beat"\nbpm 120\nspeed 6\nrows_per_beat 4\nswing 0\n'
    printf 'master_gain 0.0\nlimiter on\nchannels 2\n'
    printf 'channel 02 name "pad" gain -15.0 pan 0 mute off solo off send_b -10.0 send_b_pre off\n\n'
    printf 'instrument 01 "tone" sample "tone.wav" volume 64 pan 0 '
    printf 'base C-4 finetune 0 loop forward 0 4800 interp raw\n\norder 00\n\npattern 00 64\n'
    printf '000 |C-4 01 .. ... ...|G-4 01 .. ... ...|\n'
    for ((r = 1; r < 64; r++)); do printf '%03d |... .. .. ... ...|... .. .. ... ...|\n' $r; done
} >"$TMP/songs/beat.hiss"
new_server
T new-session -d -s ui -x 80 -y 24 "cd '$TMP' && '$HISS' songs/beat.hiss --audio jack --connect rec:in_1,rec:in_2; echo \"hiss exited \$?\"; sleep 60"
check "the editor runs on JACK" wait_backend JACK
check "its samples load" wait_for "? help"
keys M-Enter
sleep 1
keys = # an edit: the song now differs from its file
keys M-B
check "M-B on an unsaved song asks for a save" wait_for "stems: save the song first"
check "nothing was written" [ ! -e "$TMP/songs/beat-stems" ]
keys C-s
check "saved" wait_for "saved songs/beat.hiss"
keys M-B
check "M-B asks for the folder, offering one beside the song" \
    wait_for "Stems folder (new or empty): songs/beat-stems"
check "nothing is written while it asks" [ ! -e "$TMP/songs/beat-stems" ]
keys Enter
check "the bounce shows its progress" wait_re "stems: bouncing into songs/beat-stems"
check "then what it wrote" \
    wait_for "stems: 4 files written into songs/beat-stems"
ls "$TMP/songs/beat-stems" | sed 's/^/    /'
# Channel 2 sends to B (the reverb) and nothing to A: the reverb's
# return gets a stem, the delay's none.
check "the mix, each channel by name, the send in use" \
    [ -f "$TMP/songs/beat-stems/beat-master.wav" -a -f "$TMP/songs/beat-stems/beat-02-pad.wav" \
      -a -f "$TMP/songs/beat-stems/beat-send_b-reverb.wav" \
      -a ! -e "$TMP/songs/beat-stems/beat-send_a-delay.wav" \
      -a "$(ls "$TMP/songs/beat-stems" | wc -l)" = 4 ]
"$HISS" render "$TMP/songs/beat.hiss" --stems "$WORK/cli" --rate 48000 --bits 24 -q
check "the mix bounced is the one hiss render writes" \
    cmp "$TMP/songs/beat-stems/beat-master.wav" "$WORK/cli/beat-master.wav"
check "and so is the pad's stem" \
    cmp "$TMP/songs/beat-stems/beat-02-pad.wav" "$WORK/cli/beat-02-pad.wav"
before=$(cd "$TMP/songs/beat-stems" && md5sum * | md5sum)
keys M-B
check "a second bounce offers a new folder" \
    wait_for "Stems folder (new or empty): songs/beat-stems-2"
keys Enter
check "and goes there" wait_for "stems: 4 files written into songs/beat-stems-2"
check "the first is as it was" \
    [ "$(cd "$TMP/songs/beat-stems" && md5sum * | md5sum)" = "$before" ]

# bounce_into FOLDER: M-B, the offered name cleared, FOLDER typed, Enter.
bounce_into() {
    keys M-B
    wait_for "Stems folder (new or empty):" >/dev/null
    keys C-u
    T send-keys -t ui -l -- "$1"
    keys Enter
}
bounce_into songs/mine
check "a folder typed in gets the stems" wait_for "stems: 4 files written into songs/mine"
check "all four there" [ "$(ls "$TMP/songs/mine" | wc -l)" = 4 ]
check "the same mix" cmp "$TMP/songs/mine/beat-master.wav" "$WORK/cli/beat-master.wav"
mkdir "$TMP/songs/empty"
bounce_into songs/empty
check "an empty folder is taken" wait_for "stems: 4 files written into songs/empty"
check "and holds the four" [ "$(ls "$TMP/songs/empty" | wc -l)" = 4 ]
bounce_into songs/beat-stems
check "a folder with files in it is refused" wait_for "songs/beat-stems: already holds 4 files"
check "and nothing in it changed" \
    [ "$(cd "$TMP/songs/beat-stems" && md5sum * | md5sum)" = "$before" ]
mkdir "$WORK/elsewhere"
ln -s "$WORK/elsewhere" "$TMP/songs/link"
bounce_into songs/link
check "a planted link is refused" wait_for "it is a symbolic link; hiss does not write through links"
check "and nothing went where it points" [ -z "$(ls -A "$WORK/elsewhere")" ]
song_before=$(md5sum <"$TMP/songs/beat.hiss")
bounce_into songs/beat.hiss
check "a file is refused" wait_for "songs/beat.hiss: it is a file, not a folder"
check "and left as it was" [ "$(md5sum <"$TMP/songs/beat.hiss")" = "$song_before" ]
keys ,
check "a channel muted" wait_re "Ch 01 +MUTE"
keys C-s
check "and saved" wait_for "saved songs/beat.hiss"
bounce_into songs/muted
check "its silent stem is said, as a warning" \
    wait_for "stems: 4 files written into songs/muted; 1 of 2 channel stems are silent"
keys M-B
check "asked again" wait_for "Stems folder (new or empty): songs/beat-stems-3"
keys Escape
check "Escape cancels" wait_for "cancelled"
sleep 0.5
check "and nothing was made" [ ! -e "$TMP/songs/beat-stems-3" ]
sleep 1
keys F8
keys C-q
check "quits" wait_for "hiss exited 0"
kill -TERM "$REC_PID"
wait_exit "$REC_PID" 5

# A long bounce leaves other messages readable: the progress takes the
# status line back only after they have stood a while. The bounce's
# render is held (SIGSTOP) while this is looked at, so that however fast
# the machine it is still running.
{
    sed -n '1,/^order/{/^order/d;p}' "$TMP/songs/beat.hiss"
    printf 'order'
    for ((i = 0; i < 40; i++)); do printf ' 00'; done
    printf '\n\n'
    sed -n '/^pattern/,$p' "$TMP/songs/beat.hiss"
} >"$TMP/songs/long.hiss"
start_editor "" "songs/long.hiss --audio null"
check "a 5-minute song opens" wait_for "? help"
bounce_into songs/long-stems
bounce_render() { pgrep -f "render songs/long.hiss --stems songs/long-stems" | head -1; }
# Started, with its files open (the progress reads their sizes).
render_started() { [ -n "$(bounce_render)" ] && [ -n "$(ls -A "$TMP/songs/long-stems" 2>/dev/null)" ]; }
check "its render starts" wait_until render_started
RENDER_PID=$(bounce_render)
kill -STOP "$RENDER_PID" 2>/dev/null
check "the bounce shows its progress" wait_re "stems: bouncing into songs/long-stems, [0-9]+%"
keys M-B
check "M-B again says a bounce is running" wait_for "stems: a bounce is still running"
sleep 1.2
check "... and that stays readable while the bounce goes on" \
    shows "stems: a bounce is still running"
check "then the progress takes the line back" \
    wait_re "stems: bouncing into songs/long-stems, [0-9]+%"
kill -CONT "$RENDER_PID" 2>/dev/null
long_bounce_done() { WAIT_STEPS=600 wait_for "files written into songs/long-stems"; }
check "the bounce ends, saying what it wrote" long_bounce_done
keys C-q
check "quits after the bounce" wait_for "hiss exited 0"

sox "$WORK/rec.wav" -t f32 "$WORK/rec.f32" 2>/dev/null
read -r _ gaps _ sounding < <(python3 "$GAPS" "$WORK/rec.f32" 48000)
echo "    playback recorded: $sounding windows of 50 ms sounding, $gaps silent"
check "the editor played on through both bounces (no silent window)" \
    [ "${gaps:-1}" = 0 -a "${sounding:-0}" -gt 40 ]

finish
