/* ui_param: what the pages made of lists of settings (song settings, the
 * mixer) share: a value of a described setting (SongParamInfo) as text
 * with its unit, read back from what the user typed, stepped by -/+ and
 * PageDown/PageUp, and the keys that move through such a list. */
#ifndef HISS_UI_PARAM_H
#define HISS_UI_PARAM_H

#include <stdbool.h>
#include <stddef.h>

#include "ui_app.h"

enum { UI_PARAM_TEXT = 24 };

/* v as a screen shows it: "-12.0 dB", "1/8d", "on", "off" for a level at
 * its floor, a cut at 0 Hz or no channel ("own" for a compressor's key). */
void ui_param_text(const SongParamInfo *info, int v, char out[UI_PARAM_TEXT]);
/* The same without the unit, as a prompt offers it for typing. */
void ui_param_plain(const SongParamInfo *info, int v, char out[UI_PARAM_TEXT]);
/* What the user typed ("-3.5", "on", "off", "1/16t", "200"), the unit
 * allowed after it; false when it is not a value of this kind (range is
 * the caller's: the edit says HISS_ERR_RANGE). */
bool ui_param_parse(const SongParamInfo *info, const char *text, int *out);
/* The next value from v one step up (dir 1) or down (-1); big for
 * PageUp/PageDown: 6 dB instead of half a dB, an octave instead of a
 * semitone, ten instead of one. Switches flip. Kept inside the range. */
int ui_param_step(const SongParamInfo *info, int v, int dir, bool big);
/* A step down that undoes the step up `up` (a function that only grows,
 * given no range): the largest value from `lowest` up that `up` takes to v
 * or below, or `lowest`. A step up then down comes back where it started,
 * and a value stepped in proportion to itself never falls to the floor
 * from far above it. */
int ui_param_step_back(int (*up)(int v, int size), int size, int v, int lowest);
/* The range as a message gives it: "-60.0..12.0 dB". */
void ui_param_range(const SongParamInfo *info, char *out, size_t size);

/* Says on the status line why `text` typed for the setting `label` was
 * refused: not a value of its kind (read false), or out of its range. */
void ui_param_refuse(UiApp *app, const char *label, const SongParamInfo *info,
                     const char *text, bool read);

/* A list of settings on a page: the keys every such list treats alike.
 * Up/Down (and Home/End) move through `count` rows, never wrapping round;
 * -/+ step the row's value, PageDown/PageUp step it more, Enter types it,
 * Esc goes back to the pattern. Left/Right are the page's own. */
typedef struct {
    int count;
    int *row;
    void (*step)(UiApp *app, int dir, bool big);
    void (*type)(UiApp *app);
} UiParamList;

/* Whether the list took the action. */
bool ui_param_list_key(UiApp *app, KeymapAction act, const UiParamList *list);

#endif
