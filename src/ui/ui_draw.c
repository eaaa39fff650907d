#include "ui_draw.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static attr_t attrs[UI_C_COUNT];
static const char *glyphs[UI_G_COUNT];
static bool use_utf8;

static const char *const GLYPHS_UTF8[UI_G_COUNT] = {
    "\u2502", "\u2500", "\u25b6", "\u25a0", "\u2588", "\u00b7", "\u25b8",
    "\u2026",
};
static const char *const GLYPHS_ASCII[UI_G_COUNT] = {
    "|", "-", ">", "#", "#", ".", "+", "...",
};

bool ui_draw_init(bool utf8)
{
    use_utf8 = utf8;
    for (int g = 0; g < UI_G_COUNT; g++)
        glyphs[g] = utf8 ? GLYPHS_UTF8[g] : GLYPHS_ASCII[g];

    /* Monochrome first: these are kept when there is no colour. */
    for (int i = 0; i < UI_C_COUNT; i++)
        attrs[i] = A_NORMAL;
    attrs[UI_C_HEADER] = A_NORMAL;
    attrs[UI_C_BADGE] = A_REVERSE;
    attrs[UI_C_ON] = A_BOLD;
    attrs[UI_C_BEAT] = A_NORMAL;
    attrs[UI_C_BAR] = A_BOLD;
    attrs[UI_C_PLAYROW] = A_REVERSE;
    /* Plain reverse video for the cursor and plain dots for empty fields,
     * in colour too: a cursor move then costs two short attribute changes
     * instead of colour-pair switches (bytes on a slow link). */
    attrs[UI_C_CURSOR] = A_REVERSE;
    attrs[UI_C_SELECT] = A_UNDERLINE;
    attrs[UI_C_MUTED] = A_DIM;
    attrs[UI_C_ERROR] = A_BOLD;
    attrs[UI_C_METER_HOT] = A_BOLD;
    attrs[UI_C_CLIP] = A_REVERSE | A_BOLD;
    attrs[UI_C_DIM] = A_DIM;
    attrs[UI_C_FOCUS] = A_REVERSE;

    const char *no_color = getenv("NO_COLOR");
    if ((no_color && no_color[0]) || !has_colors())
        return false;
    if (start_color() == ERR)
        return false;
    use_default_colors();
    /* Few attribute changes keep the bytes per frame low, so most roles
     * are a plain foreground colour on the terminal's own background. */
    static const struct {
        UiColor role;
        short fg, bg;
        attr_t extra;
    } PAIRS[] = {
        {UI_C_HEADER, -1, -1, A_NORMAL},
        {UI_C_BADGE, COLOR_BLACK, COLOR_CYAN, A_NORMAL},
        {UI_C_ON, COLOR_GREEN, -1, A_BOLD},
        {UI_C_ROWNUM, -1, -1, A_DIM},
        {UI_C_BEAT, COLOR_YELLOW, -1, A_NORMAL},
        {UI_C_BAR, COLOR_YELLOW, -1, A_BOLD},
        {UI_C_PLAYROW, COLOR_BLACK, COLOR_GREEN, A_NORMAL},
        {UI_C_NOTE, -1, -1, A_BOLD},
        {UI_C_INST, COLOR_CYAN, -1, A_NORMAL},
        {UI_C_VOL, COLOR_GREEN, -1, A_NORMAL},
        {UI_C_FX, COLOR_MAGENTA, -1, A_NORMAL},
        {UI_C_SELECT, COLOR_WHITE, COLOR_BLUE, A_NORMAL},
        {UI_C_MUTED, COLOR_RED, -1, A_NORMAL},
        {UI_C_ERROR, COLOR_WHITE, COLOR_RED, A_BOLD},
        {UI_C_METER, COLOR_GREEN, -1, A_NORMAL},
        {UI_C_METER_HOT, COLOR_YELLOW, -1, A_BOLD},
        {UI_C_CLIP, COLOR_WHITE, COLOR_RED, A_BOLD},
        {UI_C_DIM, -1, -1, A_DIM},
        {UI_C_FOCUS, COLOR_BLACK, COLOR_CYAN, A_NORMAL},
    };
    for (size_t i = 0; i < sizeof PAIRS / sizeof PAIRS[0]; i++) {
        short pair = (short)(i + 1);
        if (pair >= COLOR_PAIRS)
            break;
        if (init_pair(pair, PAIRS[i].fg, PAIRS[i].bg) == ERR)
            continue;
        attrs[PAIRS[i].role] = COLOR_PAIR(pair) | PAIRS[i].extra;
    }
    return true;
}

attr_t ui_attr(UiColor role)
{
    return (role >= 0 && role < UI_C_COUNT) ? attrs[role] : A_NORMAL;
}

const char *ui_glyph(UiGlyph g)
{
    return (g >= 0 && g < UI_G_COUNT && glyphs[g]) ? glyphs[g] : "?";
}

/* Walks one character of text: its byte length and its columns. Invalid
 * bytes (or any non-ASCII byte outside UTF-8) count as one '?'. */
static int next_char(const char *s, int *cols, bool *bad)
{
    unsigned char c = (unsigned char)*s;
    *bad = false;
    if (c < 0x80) {
        *cols = 1;
        *bad = c < 32 || c == 127; /* control characters show as '?' */
        return 1;
    }
    if (!use_utf8) {
        *cols = 1;
        *bad = true;
        return 1;
    }
    mbstate_t st;
    memset(&st, 0, sizeof st);
    wchar_t wc;
    size_t n = mbrtowc(&wc, s, strnlen(s, 8), &st);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        *cols = 1;
        *bad = true;
        return 1;
    }
    int w = wcwidth(wc);
    if (w < 0) {
        *cols = 1;
        *bad = true;
    } else {
        *cols = w;
    }
    return (int)n;
}

size_t ui_fit(const char *text, int width)
{
    size_t pos = 0;
    int used = 0;
    while (text[pos]) {
        int cols;
        bool bad;
        int len = next_char(text + pos, &cols, &bad);
        if (used + cols > width)
            break;
        used += cols;
        pos += (size_t)len;
    }
    return pos;
}

int ui_text_width(const char *text)
{
    int total = 0;
    while (*text) {
        int cols;
        bool bad;
        text += next_char(text, &cols, &bad);
        total += cols;
    }
    return total;
}

void ui_put(int y, int x, int width, attr_t attr, const char *text)
{
    if (width <= 0 || y < 0 || y >= LINES || x >= COLS)
        return;
    if (x + width > COLS)
        width = COLS - x;
    attrset(attr);
    move(y, x);
    int used = 0;
    while (*text) {
        int cols;
        bool bad;
        int len = next_char(text, &cols, &bad);
        if (used + cols > width)
            break;
        if (bad)
            addch('?');
        else if (len == 1)
            addch((chtype)(unsigned char)*text);
        else
            addnstr(text, len);
        used += cols;
        text += len;
    }
    for (; used < width; used++)
        addch(' ');
    attrset(A_NORMAL);
}

size_t ui_wrap_line(const char *text, int width, size_t *next)
{
    size_t pos = 0, cut = 0;
    int used = 0;
    bool cut_found = false;
    while (text[pos] && text[pos] != '\n') {
        int cols;
        bool bad;
        int len = next_char(text + pos, &cols, &bad);
        if (used + cols > width) {
            if (text[pos] == ' ')
                cut = pos; /* the line is full just before a space */
            else if (!cut_found)
                cut = pos ? pos : (size_t)len; /* one word wider than the line */
            break;
        }
        if (text[pos] == ' ') {
            cut = pos;
            cut_found = true;
        }
        used += cols;
        pos += (size_t)len;
    }
    if (!text[pos] || text[pos] == '\n') {
        *next = pos + (text[pos] == '\n');
        return pos;
    }
    size_t after = cut;
    while (text[after] == ' ')
        after++;
    *next = after;
    /* Spaces at the cut belong to neither line. */
    while (cut > 0 && text[cut - 1] == ' ')
        cut--;
    return cut;
}

int ui_wrap_count(const char *text, int width)
{
    int lines = 0;
    size_t next;
    do {
        ui_wrap_line(text, width - 1, &next);
        text += next;
        lines++;
    } while (*text);
    return lines;
}

int ui_put_wrapped(int y, int x, int width, int max_lines, attr_t attr,
                   const char *text)
{
    int lines = 0;
    char line[1024];
    while (lines < max_lines) {
        size_t next, len = ui_wrap_line(text, width - 1, &next);
        if (len >= sizeof line)
            len = sizeof line - 1;
        memcpy(line, text, len);
        line[len] = 0;
        ui_put(y + lines, x, width, attr, line);
        lines++;
        text += next;
        if (!*text)
            break;
    }
    return lines;
}

void ui_put_tail(int y, int x, int width, attr_t attr, const char *text)
{
    /* One column stays free, so a cut never ends flush with the edge. */
    if (ui_text_width(text) <= width - 1) {
        ui_put(y, x, width, attr, text);
        return;
    }
    const char *more = ui_glyph(UI_G_MORE);
    int room = width - 1 - ui_text_width(more);
    const char *tail = text;
    while (*tail && ui_text_width(tail) > room) {
        tail++;
        while ((*tail & 0xC0) == 0x80)
            tail++;
    }
    char shown[512];
    snprintf(shown, sizeof shown, "%s%s", more, tail);
    ui_put(y, x, width, attr, shown);
}

void ui_put_cut(int y, int x, int width, attr_t attr, const char *text)
{
    /* One column stays free, as ui_put_tail keeps it. */
    if (ui_text_width(text) <= width - 1) {
        ui_put(y, x, width, attr, text);
        return;
    }
    const char *more = ui_glyph(UI_G_MORE);
    size_t keep = ui_fit(text, width - 1 - ui_text_width(more));
    while (keep > 0 && text[keep - 1] == ' ')
        keep--;
    char shown[1024];
    snprintf(shown, sizeof shown, "%.*s%s", (int)keep, text, more);
    ui_put(y, x, width, attr, shown);
}

void ui_putf(int y, int x, int width, attr_t attr, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ui_put(y, x, width, attr, buf);
}

void ui_fill(int y, int x, int width, attr_t attr, UiGlyph g)
{
    if (y < 0 || y >= LINES)
        return;
    if (x + width > COLS)
        width = COLS - x;
    attrset(attr);
    move(y, x);
    for (int i = 0; i < width; i++)
        addstr(ui_glyph(g));
    attrset(A_NORMAL);
}

void ui_copy(char *dst, size_t size, const char *src)
{
    if (!size)
        return;
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memmove(dst, src, n);
    dst[n] = 0;
}
