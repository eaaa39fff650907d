/* ui_draw: colours, glyphs and text helpers shared by the pages.
 *
 * Colour is used when the terminal has it and NO_COLOR is unset; otherwise
 * every role falls back to bold/reverse/underline so a vt100 still shows
 * the cursor, the selection and the playing row. Box drawing is UTF-8 when
 * the locale's codeset is UTF-8, plain ASCII otherwise. */
#ifndef HISS_UI_DRAW_H
#define HISS_UI_DRAW_H

#include <curses.h>
#include <stdbool.h>

typedef enum {
    UI_C_NORMAL,
    UI_C_HEADER,   /* header lines */
    UI_C_BADGE,    /* "hiss", page name */
    UI_C_ON,       /* a mode that is on (EDIT, JAM...) */
    UI_C_ROWNUM,
    UI_C_BEAT,     /* row number on a beat */
    UI_C_BAR,      /* row number on a bar */
    UI_C_PLAYROW,  /* row number of the playing row */
    UI_C_NOTE,
    UI_C_INST,
    UI_C_VOL,
    UI_C_FX,
    UI_C_EMPTY,    /* the dots of empty fields */
    UI_C_CURSOR,
    UI_C_SELECT,
    UI_C_MUTED,
    UI_C_ERROR,
    UI_C_METER,
    UI_C_METER_HOT,
    UI_C_CLIP,
    UI_C_DIM,
    UI_C_FOCUS,    /* the selected line of a list */
    UI_C_COUNT
} UiColor;

typedef enum {
    UI_G_VLINE,
    UI_G_HLINE,
    UI_G_PLAY,    /* playing marker */
    UI_G_STOP,
    UI_G_METER_FULL,
    UI_G_METER_EMPTY,
    UI_G_DIR,     /* directory marker in the browser */
    UI_G_MORE,    /* text cut short: an ellipsis */
    UI_G_COUNT
} UiGlyph;

/* Chooses colours and glyphs; call after initscr. Returns true if colour
 * is in use. utf8 tells whether the locale is UTF-8. */
bool ui_draw_init(bool utf8);
attr_t ui_attr(UiColor role);
const char *ui_glyph(UiGlyph g);

/* Writes text at (y, x) in exactly `width` columns: truncated, or padded
 * with spaces. UTF-8 text is measured in columns; bytes that the locale
 * cannot show become '?'. */
void ui_put(int y, int x, int width, attr_t attr, const char *text);
void ui_putf(int y, int x, int width, attr_t attr, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* As ui_put, but text too wide keeps its end after a cut mark: the last
 * parts of a path say the most. */
void ui_put_tail(int y, int x, int width, attr_t attr, const char *text);
/* As ui_put, but text too wide keeps its start and ends with a cut mark:
 * a one-line message. */
void ui_put_cut(int y, int x, int width, attr_t attr, const char *text);
/* Word wrap: the bytes of text's first line in `width` columns, cut at a
 * space (or at a newline) so no word is split unless it alone is wider
 * than the line; *next is where the following line starts. */
size_t ui_wrap_line(const char *text, int width, size_t *next);
/* Draws text wrapped on at most max_lines lines from y, each padded to
 * width like ui_put; returns the lines drawn. The last column stays blank,
 * so no wrapped line ends flush with the edge, where it would read as cut.
 * ui_wrap_count tells how many lines that takes. */
int ui_wrap_count(const char *text, int width);
int ui_put_wrapped(int y, int x, int width, int max_lines, attr_t attr,
                   const char *text);
/* The bytes of text's longest start that fits in width columns (never
 * splitting a character). */
size_t ui_fit(const char *text, int width);
/* Columns that text takes on screen. */
int ui_text_width(const char *text);
/* strlcpy: copies what fits, always terminated. */
void ui_copy(char *dst, size_t size, const char *src);
/* Fills a line segment with a glyph. */
void ui_fill(int y, int x, int width, attr_t attr, UiGlyph g);

#endif
