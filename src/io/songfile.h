/* songfile: the .hiss text format (read and write). See man/hiss.5.
 *
 * A song file is UTF-8 text, one statement per line, in this order:
 *
 *   hiss 1                              version line, always first
 *   title "Dusty Tape"                  quoted; \" and \\ escape
 *   bpm 88                              32..255, one decimal allowed (92.5)
 *   speed 6                             ticks per row, 1..31
 *   rows_per_beat 4                     1..32
 *   swing 0                             0..100 (%)
 *   master_gain -3.0                    dB, one decimal, -60.0..12.0
 *   limiter on                          on|off
 *   channels 8                          1..64
 *   (blank line)
 *   instrument 01 "kick" sample "../samples/kick.wav" volume 64 pan 0 \
 *       base C-4 finetune 0 loop off 0 0 interp linear
 *                                       (one line; slot in hex 01..FF;
 *                                        pan -100..100; finetune cents
 *                                        -100..100; loop off|forward|pingpong
 *                                        start end in source frames;
 *                                        interp raw|linear|cubic|sinc)
 *   (blank line)
 *   order 00 01 00 02                   pattern numbers in hex, 0..256 of them
 *   (blank line)
 *   pattern 00 64                       number in hex, rows in decimal 1..256
 *   000 |C-4 01 40 A0F ...|... .. .. ... ...|
 *   001 |... .. .. ... ...|=== .. .. ... ...|
 *   ...                                 one line per row: decimal row number,
 *                                       then for every channel a cell of
 *                                       note(3) inst(2) vol(2) fx(3) fx2(3)
 *                                       separated by single spaces, between
 *                                       '|' bars. Empty fields are dots.
 *   (blank line between patterns)
 *
 * Notes: C-4, C#4 ... B-9, "===" note-off, "^^^" note-cut, "..." empty.
 * Instrument and volume are two hex digits (volume 00..40). An effect is its
 * letter (0-9, A-Z) and two hex digits, e.g. "A0F", "R21"; "..." when none.
 * Sample paths are relative to the song file's directory.
 *
 * Saving writes exactly this canonical form, so a file that hiss wrote loads
 * and saves back to the same bytes. Errors are "file:line:col: message".
 *
 * Loading is strict about content and lenient about layout: the version
 * line must be line 1; the settings (each at most once) are optional with
 * song_new_empty()'s defaults and may come in any order, except that
 * `channels` must precede the first pattern, and every pattern must have
 * exactly `channels` cells per row. Instrument fields after the name are
 * optional and may come in any order (defaults: volume 64, pan 0, base C-4,
 * finetune 0, loop off 0 0, interp linear, sample ""). A pattern's rows
 * follow its header line without a gap. Hex digits may be lowercase; CRLF
 * line ends, a UTF-8 BOM, blank lines and extra blanks between words are
 * accepted. Saving normalises all of that. Instrument slot 00 and cell
 * instrument 00 are refused ("..." means none). Every pattern is saved,
 * also those the order list does not use. */
#ifndef HISS_SONGFILE_H
#define HISS_SONGFILE_H

#include <stddef.h>

#include "base.h"
#include "song.h"

/* The largest song hiss can hold (256 patterns of 256 rows x 64 channels,
 * 255 instruments with the longest paths) is about 76 MB of text, so every
 * song hiss saves loads again. The longest canonical line is an instrument
 * with a 1023-byte path of backslashes and every shaping field at its
 * widest, about 4100 bytes, so the limit leaves room for new fields. */
enum {
    SONGFILE_VERSION = 1,
    SONGFILE_MAX_BYTES = 80 * 1024 * 1024,
    SONGFILE_MAX_LINE = 8192,
};

/* Parses text (not necessarily NUL-terminated). `name` is used in
 * diagnostics. Instruments get their name/path/params but no sample data:
 * the caller loads samples (sampleio) relative to the song file. */
HissError songfile_parse(const char *text, size_t len, const char *name,
                         Song **out, HissDiag *diag);

/* The canonical text of a song; *out is malloc'ed and NUL-terminated. */
HissError songfile_format(const Song *song, char **out, size_t *len);

#endif
