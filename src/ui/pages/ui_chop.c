#include "ui_chop.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resample.h"
#include "sampleedit.h"
#include "sampleio.h"
#include "slicer.h"
#include "songio.h"
#include "tempofollow.h"
#include "ui_draw.h"
#include "ui_wave.h"

enum {
    CHOP_ROWS = 5,          /* the slice line, three rows of wave, markers */
    CHOP_MIN_LINES = 20,
    HIT_SNAP_MS = 30,       /* a tap this close to a hit lands on it */
    ZOOM_MAX = 12,          /* each step halves the frames shown */
};

static struct {
    int slot;
    int slice;              /* the selected slice (0-based) */
    int zoom;
    /* The audition: whether one plays and what, for the playhead, which
     * is where the engine's voice reads (EngineStatus.audition_frame). */
    double started;         /* 0: nothing playing */
    uint32_t from, to;
    uint32_t audition;      /* the engine's count of auditions once it plays */
    const UiApp *app;
    int drawn_col;          /* the playhead's last drawn column, in a view */
    uint32_t view_from, view_span; /* of view_cols columns: redrawn only */
    int view_cols;                 /* when the playhead changes column */
    /* The hits lazy chop snaps to, found when the sample starts playing
     * (kept for that sample: its address and length say which). */
    const Sample *hits_of;
    uint32_t hits_frames;
    int hit_count;
    uint32_t hits[SONG_MAX_SLICES];
    /* The loop's tempo, once found. */
    const Sample *tempo_of;
    uint32_t tempo_frames;
    double bpm;
    int beats;
} chop = {.slot = -1};

static const Instrument *current(const UiApp *app, int *slot)
{
    *slot = ui_instruments_slot(app);
    const Instrument *inst = song_instrument(app->song, *slot);
    if (*slot != chop.slot) {
        chop.slot = *slot;
        chop.slice = 0;
        chop.zoom = 0;
        chop.started = 0;
    }
    if (inst)
        chop.slice = hiss_clampi(chop.slice, 0, inst->slice_count ? inst->slice_count - 1 : 0);
    return inst;
}

int ui_chop_rows(void)
{
    return LINES >= CHOP_MIN_LINES ? CHOP_ROWS : 0;
}

/* The audition's playhead, where the engine's voice reads; false when
 * nothing plays (or it has ended). Until the engine has taken the
 * audition (its next period) the playhead is on its first frame. */
static bool playhead(uint32_t *frame)
{
    const EngineStatus *st = chop.started ? session_status(chop.app->session) : NULL;
    if (!st)
        return false;
    if (atomic_load(&st->auditions_started) != chop.audition) {
        /* Not taken yet, or the engine was replaced (a new rate): a
         * second at most before the playhead is given up. */
        *frame = chop.from;
        if (hiss_now_seconds() - chop.started < 1.0)
            return true;
        chop.started = 0;
        return false;
    }
    uint32_t at = atomic_load(&st->audition_frame);
    if (at == UINT32_MAX || at >= chop.to) {
        chop.started = 0;
        return false;
    }
    *frame = at;
    return true;
}

/* The end of slice k (exclusive). */
static uint32_t slice_end(const Instrument *inst, int k)
{
    return k + 1 < inst->slice_count ? inst->slices[k + 1] : inst->sample->frames;
}

/* Plays frames [from, to) of the instrument's sample, through a copy of it
 * whose one slice is that range (so the slice fades apply, as in a song). */
static void audition(UiApp *app, const Instrument *inst, uint32_t from, uint32_t to)
{
    Instrument *copy = song_instrument_clone(inst);
    if (!copy) {
        ui_report(app, HISS_ERR_NOMEM, "audition");
        return;
    }
    uint32_t points[2] = {from, to};
    song_instrument_set_slices(copy, points, to < inst->sample->frames ? 2 : 1);
    copy->shape[SHAPE_SLICE_MODE] = 1;
    copy->shape[SHAPE_START] = 0;
    copy->shape[SHAPE_END] = 0;
    copy->loop = LOOP_OFF;
    /* The engine hands the copy back when it is done with it. */
    const EngineStatus *st = session_status(app->session);
    chop.audition = st ? atomic_load(&st->auditions_started) + 1 : 0;
    ui_send(app, ENGINE_CMD_PREVIEW_SAMPLE, 0, NOTE_C4, VOLUME_MAX, copy);
    chop.started = hiss_now_seconds();
    chop.app = app;
    chop.from = from;
    chop.to = to;
    chop.drawn_col = -1;
}

static HissError set_points(UiApp *app, int slot, const uint32_t *points, int count,
                           const char *what)
{
    return ui_report(app, edit_instrument_set_slices(app->ed, slot, points, count), what);
}

/* Moves the selected point to `frame`, kept between its neighbours. */
static void move_point(UiApp *app, int slot, const Instrument *inst, int64_t frame,
                       const char *what)
{
    int k = chop.slice;
    int64_t lo = k > 0 ? (int64_t)inst->slices[k - 1] + 1 : 0;
    int64_t hi = k + 1 < inst->slice_count ? (int64_t)inst->slices[k + 1] - 1
                                           : (int64_t)inst->sample->frames - 1;
    frame = frame < lo ? lo : frame > hi ? hi : frame;
    uint32_t points[SONG_MAX_SLICES];
    memcpy(points, inst->slices, sizeof points[0] * (size_t)inst->slice_count);
    points[k] = (uint32_t)frame;
    if (set_points(app, slot, points, inst->slice_count, what) == HISS_OK)
        ui_set_message(app, false, "slice %d at frame %u", k + 1, (uint32_t)frame);
}

/* Adds a point at frame and selects the slice it starts. */
static void add_point(UiApp *app, int slot, const Instrument *inst, uint32_t frame)
{
    if (inst->slice_count >= SONG_MAX_SLICES) {
        ui_set_message(app, true, "slice: an instrument holds %d slices at most",
                       SONG_MAX_SLICES);
        return;
    }
    uint32_t points[SONG_MAX_SLICES + 1];
    int n = 0;
    if (!inst->slice_count && frame)
        points[n++] = 0;
    memcpy(points + n, inst->slices, sizeof points[0] * (size_t)inst->slice_count);
    n += inst->slice_count;
    points[n++] = frame;
    int before = inst->slice_count; /* inst is retired by the edit below */
    if (set_points(app, slot, points, n, "slice") != HISS_OK)
        return;
    const Instrument *now = song_instrument(app->song, slot);
    for (int k = 0; now && k < now->slice_count; k++)
        if (now->slices[k] == frame)
            chop.slice = k;
    if (now && now->slice_count == before)
        ui_set_message(app, false, "slice %d already starts at frame %u", chop.slice + 1, frame);
    else
        ui_set_message(app, false, "slice %d at frame %u (%d slices)", chop.slice + 1, frame,
                       now ? now->slice_count : 0);
}

static void slice_at_done(UiApp *app, const char *text)
{
    int slot;
    const Instrument *inst = current(app, &slot);
    char *end;
    long long v = strtoll(text, &end, 10);
    if (!inst || !inst->sample || !inst->slice_count) {
        ui_report(app, HISS_ERR_MISSING, "slice");
        return;
    }
    if (end == text || *end || v < 0 || v >= inst->sample->frames) {
        ui_set_message(app, true, "slice: %s is not a frame 0..%u", text,
                       inst->sample->frames - 1);
        return;
    }
    move_point(app, slot, inst, v, "move slice");
}

/* Finds (once per sample) the hits that lazy chop snaps to. */
static void find_hits(UiApp *app, const Sample *s)
{
    if (chop.hits_of == s && chop.hits_frames == s->frames)
        return;
    HissDiag diag = {{0}};
    chop.hit_count = 0;
    if (slicer_transients(s, SLICER_DEFAULT_SENSITIVITY, chop.hits, SONG_MAX_SLICES,
                          &chop.hit_count, &diag) != HISS_OK)
        ui_set_message(app, true, "lazy chop: %s", diag.text);
    chop.hits_of = s;
    chop.hits_frames = s->frames;
}

/* Whether the tempo of s was found already (aubio takes 50-250 ms on a
 * loop, more on a long file: it runs on the editing thread). */
static bool tempo_known(const Sample *s)
{
    return chop.tempo_of == s && chop.tempo_frames == s->frames;
}

void ui_chop_tempo_text(const UiApp *app, char *buf, size_t size)
{
    int slot = ui_instruments_slot(app);
    const Instrument *inst = song_instrument(app->song, slot);
    if (inst && inst->sample && inst->sample == chop.tempo_of &&
        inst->sample->frames == chop.tempo_frames)
        snprintf(buf, size, ", %.2f BPM (%d beats)", chop.bpm, chop.beats);
    else
        buf[0] = 0;
}

static void tempo_done(UiApp *app, const char *text)
{
    char *end;
    /* The song keeps tenths of a BPM: 89.1 stays 89.1. */
    double bpm = strtod(text, &end);
    if (end == text || *end || !(bpm >= SONG_BPM_MIN / 10.0 && bpm <= SONG_BPM_MAX / 10.0)) {
        ui_set_message(app, true, "song BPM: %s is not 32..255 (tenths allowed)", text);
        return;
    }
    ui_set_tempo(app, (int)lround(bpm * 10));
}

/* ---- edits into new files ---- */

/* The instrument's slices, loop and base note as a file's marks. */
static SampleMarks marks_of(const Instrument *inst)
{
    SampleMarks m;
    memset(&m, 0, sizeof m);
    m.root_note = inst->base_note;
    m.loop = (SampleLoop)inst->loop;
    m.loop_start = inst->loop_start;
    m.loop_end = inst->loop_end;
    m.cue_count = hiss_clampi(inst->slice_count, 0, SAMPLE_MAX_CUES);
    memcpy(m.cues, inst->slices, sizeof m.cues[0] * (size_t)m.cue_count);
    return m;
}

/* The file's name without directory and extension, for the new name. */
static void stem_of_path(const char *path, const char *name, char *out, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(out, size, "%s", base[0] ? base : name[0] ? name : "sample");
    char *dot = strrchr(out, '.');
    if (dot && dot != out)
        *dot = 0;
}

/* Writes audio and marks as a new file STEM-SUFFIX.wav beside the song
 * and reads it back, so the slot plays what the file holds. NULL (and a
 * message) on failure; *name is the file's name (relative to the song). */
static Sample *write_new_file(UiApp *app, const char *stem, const char *suffix,
                              const SampleioAudio *audio, const SampleMarks *marks,
                              char *name, size_t size, const char *what)
{
    char dir[UI_PATH_MAX], path[UI_PATH_MAX + SONG_PATH_MAX + 64];
    HissDiag diag = {{0}};
    ui_song_dir(app, dir, sizeof dir);
    HissError err = sampleedit_new_path(dir, stem, suffix, path, sizeof path, &diag);
    if (!err && (err = sampleedit_write(path, audio, marks, &diag)))
        unlink(path); /* the name taken for it, still empty */
    Sample *sample = NULL;
    if (!err)
        err = sampleio_load(path, &sample, NULL, &diag);
    if (err) {
        ui_set_message(app, true, "%s: %s", what, diag.text);
        return NULL;
    }
    snprintf(name, size, "%s", strrchr(path, '/') + 1);
    return sample;
}

/* Edits and renders are written beside the song: one never saved has no
 * place yet. */
static bool has_place(UiApp *app, const char *what)
{
    if (!app->path[0])
        ui_set_message(app, true, "%s: save the song first (new files go beside it)", what);
    return app->path[0] != 0;
}

/* A render of a song whose samples are still loading would miss them. */
static bool samples_loaded(UiApp *app, const char *what)
{
    if (app->loader)
        ui_set_message(app, true, "%s: the samples are still loading; again in a moment",
                       what);
    return !app->loader;
}

/* What an edit works on: the slot's own sample and marks, or for a
 * stretch that follows the tempo the file it was stretched from. */
typedef struct {
    const Sample *sample;
    SampleMarks marks;
    char stem[SONG_PATH_MAX];
    int stretch_beats; /* the result follows the tempo: 0 it does not */
    char stretch_from[SONG_PATH_MAX];
    int bpm_tenths;      /* the tempo a stretch is made for */
    uint64_t tempo_edit; /* a stretch following that tempo edit; 0: F's own */
} EditSource;

static void source_of(const Instrument *inst, EditSource *src)
{
    memset(src, 0, sizeof *src);
    src->sample = inst->sample;
    src->marks = marks_of(inst);
    stem_of_path(inst->path, inst->name, src->stem, sizeof src->stem);
}

/* A sample edit runs on a thread of its own (a stretch of a long file
 * takes seconds): the editor goes on drawing and taking keys, and the
 * result is put in the slot on the next poll after it ends. One at a
 * time. */
typedef enum {
    JOB_EDIT,  /* a sample edit into a new file */
    JOB_TEMPO, /* the loop's tempo, then a prompt that uses it */
} JobKind;

/* What opens once a tempo is found: B's prompt for the song's BPM or F's
 * prompt for the beats to stretch to. */
typedef enum {
    AFTER_TEMPO_BPM,
    AFTER_TEMPO_STRETCH,
} AfterTempo;

static void prompt_after_tempo(UiApp *app, AfterTempo then, bool found);

static struct {
    pthread_t thread;
    JobKind kind;
    AfterTempo then;       /* [ui] of a JOB_TEMPO */
    double bpm;            /* [job] of a JOB_TEMPO until done, then [ui] */
    int beats;
    bool running;          /* [ui] a thread was started and not joined */
    _Atomic bool done;     /* [both] the thread has finished */
    /* [ui] before the start, [job] after: what to do. */
    Sample *source;        /* retained */
    SampleMarks marks;
    SampleEdit edit;
    bool keep[SONG_MAX_SLICES];
    char path[UI_PATH_MAX + SONG_PATH_MAX + 64]; /* the name taken for the result */
    /* [job] until done, then [ui]: what came of it. */
    HissError err;
    HissDiag diag;
    Sample *result;
    SampleMarks out_marks;
    /* [ui] where it goes: the slot, as it was when the edit began. */
    int slot;
    const Instrument *inst;
    char was[SONG_PATH_MAX];
    int stretch_beats;
    char stretch_from[SONG_PATH_MAX];
    int bpm_tenths;
    uint64_t tempo_edit;
    char what[32];
} job;

/* [ui] Which stretches follow the tempo, and when. */
static TempoFollow follow;

static void stretch_to_tempo(UiApp *app, int slot, const Instrument *inst, int beats,
                             const char *what, uint64_t tempo_edit);

static void *job_run(void *arg)
{
    (void)arg;
    if (job.kind == JOB_TEMPO) {
        job.err = slicer_tempo(job.source, &job.bpm, &job.beats, &job.diag);
        atomic_store(&job.done, true);
        return NULL;
    }
    SampleioAudio audio;
    job.err = sampleedit_apply(job.source, &job.marks, &job.edit, &audio, &job.out_marks,
                               &job.diag);
    if (!job.err) {
        HissDiag write_diag = {{0}};
        job.err = sampleedit_write(job.path, &audio, &job.out_marks, &write_diag);
        if (!job.err)
            job.err = sampleio_load(job.path, &job.result, NULL, &write_diag);
        if (job.err)
            job.diag = write_diag;
        sampleio_audio_free(&audio);
    }
    atomic_store(&job.done, true);
    return NULL;
}

/* Keeps a found tempo for its sample and opens the prompt it was asked
 * for, if the slot still shows that sample and no other prompt is open;
 * else it is said and shown on the screen. */
static void tempo_finish(UiApp *app)
{
    const Sample *of = job.source;
    if (!job.err) {
        chop.tempo_of = of;
        chop.tempo_frames = of->frames;
        chop.bpm = job.bpm;
        chop.beats = job.beats;
    }
    const Instrument *inst = song_instrument(app->song, job.slot);
    bool same = job.slot == ui_instruments_slot(app) && inst && inst->sample == of &&
                app->page == UI_PAGE_INSTRUMENTS && !app->prompting;
    sample_release(job.source);
    job.source = NULL;
    if (same)
        prompt_after_tempo(app, job.then, !job.err);
    if (job.err)
        ui_set_message(app, true, "tempo: %s", job.diag.text);
    else if (!same)
        ui_set_message(app, false, "tempo: slot %02X loops at %.2f BPM (%d beats)", job.slot,
                       job.bpm, job.beats);
}

/* Puts a finished edit's result in its slot (one undo step), unless the
 * slot changed meanwhile: then the new file is kept and said so. */
static void job_finish(UiApp *app)
{
    pthread_join(job.thread, NULL);
    job.running = false;
    if (job.kind == JOB_TEMPO) {
        tempo_finish(app);
        return;
    }
    sample_release(job.source);
    job.source = NULL;
    Sample *sample = job.result;
    job.result = NULL;
    const char *name = strrchr(job.path, '/') ? strrchr(job.path, '/') + 1 : job.path;
    if (job.err) {
        unlink(job.path); /* the name taken for it: empty, or half written */
        ui_set_message(app, true, "%s: %s", job.what, job.diag.text);
        return;
    }
    const Instrument *inst = song_instrument(app->song, job.slot);
    /* A stretch that follows the tempo is the song's, not the user's: one
     * for a tempo the song no longer has (undone, redone, edited again)
     * never goes in, and its file goes too. */
    bool stale = job.tempo_edit
                     ? !tempo_follow_current(app->ed, job.tempo_edit, job.bpm_tenths)
                     : job.stretch_beats > 0 &&
                           atomic_load(&app->song->bpm_tenths) != job.bpm_tenths;
    if (job.tempo_edit && (stale || inst != job.inst)) {
        sample_release(sample);
        unlink(job.path);
        if (!stale)
            tempo_follow_retry(&follow, job.slot);
        ui_set_message(app, false, "%s: %s, dropped (the %s meanwhile)", job.what, name,
                       stale ? "tempo moved on" : "slot changed");
        return;
    }
    if (inst != job.inst) {
        sample_release(sample);
        ui_set_message(app, true, "%s: slot %02X changed meanwhile; the result is kept as %s",
                       job.what, job.slot, name);
        return;
    }
    if (stale) {
        /* F asked for beats at the song's tempo: the tempo it has now. */
        char what[sizeof job.what];
        snprintf(what, sizeof what, "%s", job.what);
        sample_release(sample);
        unlink(job.path);
        stretch_to_tempo(app, job.slot, inst, job.stretch_beats, what, 0);
        return;
    }
    Instrument *copy = song_instrument_clone(inst);
    if (!copy) {
        ui_report(app, HISS_ERR_NOMEM, job.what);
        sample_release(sample);
        return;
    }
    const SampleMarks *m = &job.out_marks;
    sample_release(copy->sample);
    copy->sample = sample;
    copy->missing = false;
    snprintf(copy->path, sizeof copy->path, "%.*s", (int)sizeof copy->path - 1, name);
    copy->shape[SHAPE_START] = 0;
    copy->shape[SHAPE_END] = 0;
    copy->loop = (LoopMode)m->loop;
    copy->loop_start = m->loop_start;
    copy->loop_end = m->loop_end;
    copy->slice_count = 0;
    song_instrument_set_slices(copy, m->cues, m->cue_count);
    /* Any other edit makes audio that is no longer a plain stretch. */
    copy->stretch_beats = job.stretch_beats;
    snprintf(copy->stretch_from, sizeof copy->stretch_from, "%s", job.stretch_from);
    /* Dropping slices renumbers the notes that play the ones kept. */
    bool keeps = job.edit.kind == SAMPLEEDIT_KEEP_SLICES;
    HissError err = keeps ? edit_instrument_keep_slices(app->ed, job.slot, copy, job.keep)
                    : job.tempo_edit ? edit_instrument_restretch(app->ed, job.slot, copy)
                                     : edit_instrument_replace(app->ed, job.slot, copy);
    if (ui_report(app, err, job.what) == HISS_OK)
        ui_set_message(app, false, "%s: wrote %s (%u frames, %d slices%s%s); %s is kept",
                       job.what, name, sample->frames, m->cue_count,
                       job.diag.text[0] ? ", " : "", job.diag.text,
                       job.was[0] ? job.was : "the original");
}

/* [ui] Finishes an edit whose thread has ended; true while one still runs. */
static bool job_poll(UiApp *app)
{
    if (job.running && atomic_load(&job.done))
        job_finish(app);
    return job.running;
}

/* Runs the job set up in job on its thread, named what in messages. */
static void job_start(UiApp *app, const char *what)
{
    snprintf(job.what, sizeof job.what, "%s", what);
    atomic_store(&job.done, false);
    if (pthread_create(&job.thread, NULL, job_run, NULL)) {
        sample_release(job.source);
        job.source = NULL;
        if (job.path[0])
            unlink(job.path);
        ui_set_message(app, true, "%s: cannot start a thread for it", what);
        return;
    }
    job.running = true;
    ui_set_message(app, false, "%s: working on it (the editor goes on)", what);
}

/* Starts applying edit to src on the editing thread; the result becomes a
 * new file beside the song, named STEM-SUFFIX.wav, and goes in the slot in
 * place of inst when it is done. The old file stays as it was. */
static void apply_edit_from(UiApp *app, int slot, const Instrument *inst,
                            const EditSource *src, const SampleEdit *edit, const char *suffix,
                            const char *what)
{
    if (!has_place(app, what))
        return;
    if (job_poll(app)) {
        ui_set_message(app, true, "%s: %s is still running; again when it ends", what,
                       job.what);
        return;
    }
    char dir[UI_PATH_MAX];
    HissDiag diag = {{0}};
    ui_song_dir(app, dir, sizeof dir);
    if (sampleedit_new_path(dir, src->stem, suffix, job.path, sizeof job.path, &diag)) {
        ui_set_message(app, true, "%s: %s", what, diag.text);
        return;
    }
    job.kind = JOB_EDIT;
    job.source = (Sample *)src->sample;
    sample_retain(job.source);
    job.marks = src->marks;
    job.edit = *edit;
    if (edit->kind == SAMPLEEDIT_KEEP_SLICES && edit->keep) {
        memcpy(job.keep, edit->keep, sizeof job.keep);
        job.edit.keep = job.keep;
    }
    job.err = HISS_OK;
    memset(&job.diag, 0, sizeof job.diag);
    job.result = NULL;
    job.slot = slot;
    job.inst = inst;
    snprintf(job.was, sizeof job.was, "%s", inst->path);
    job.stretch_beats = src->stretch_beats;
    snprintf(job.stretch_from, sizeof job.stretch_from, "%s", src->stretch_from);
    job.bpm_tenths = src->bpm_tenths;
    job.tempo_edit = src->tempo_edit;
    job_start(app, what);
}

/* Finds the tempo of the slot's sample on the editing thread; then opens
 * the prompt that asked for it. */
static void find_tempo(UiApp *app, int slot, const Instrument *inst, AfterTempo then)
{
    if (job_poll(app)) {
        ui_set_message(app, true, "tempo: %s is still running; again when it ends", job.what);
        return;
    }
    job.kind = JOB_TEMPO;
    job.then = then;
    job.source = (Sample *)inst->sample;
    sample_retain(job.source);
    job.err = HISS_OK;
    memset(&job.diag, 0, sizeof job.diag);
    job.slot = slot;
    job.inst = inst;
    job.path[0] = 0;
    job.tempo_edit = 0;
    job_start(app, "tempo");
}

void ui_chop_finish(void)
{
    if (job.running) {
        pthread_join(job.thread, NULL);
        job.running = false;
        sample_release(job.source);
        sample_release(job.result);
        job.source = job.result = NULL;
        if (job.tempo_edit)
            unlink(job.path); /* the song never had it */
    }
}

/* An edit of the current slot's own sample. */
static void apply_edit(UiApp *app, const SampleEdit *edit, const char *suffix,
                       const char *what)
{
    int slot;
    const Instrument *inst = current(app, &slot);
    if (!inst || !inst->sample) {
        ui_report(app, HISS_ERR_MISSING, what);
        return;
    }
    EditSource src;
    source_of(inst, &src);
    apply_edit_from(app, slot, inst, &src, edit, suffix, what);
}

/* Render to instrument: the cursor's pattern into the first empty slot,
 * sliced on its beats. */
static void render_done(UiApp *app, const char *text)
{
    long rate = 0, bits = 0;
    char word[8] = "", extra;
    int n = sscanf(text, "%ld %ld %7s %c", &rate, &bits, word, &extra);
    bool tail = n == 3 && !strcmp(word, "tail");
    if ((n != 2 && !tail) || rate < SAMPLEIO_RATE_MIN || rate > SAMPLEIO_RATE_MAX ||
        bits < RESAMPLE_MIN_BITS || bits > RESAMPLE_MAX_BITS) {
        ui_set_message(app, true,
                       "render: '%s' is not RATE BITS [tail] (%d..%d Hz, %d..%d bits)", text,
                       SAMPLEIO_RATE_MIN, SAMPLEIO_RATE_MAX, RESAMPLE_MIN_BITS,
                       RESAMPLE_MAX_BITS);
        return;
    }
    int slot = 1;
    while (slot <= SONG_MAX_INSTRUMENTS && song_instrument(app->song, slot))
        slot++;
    if (slot > SONG_MAX_INSTRUMENTS) {
        ui_set_message(app, true, "render: no empty instrument slot");
        return;
    }
    if (!samples_loaded(app, "render"))
        return;
    int pattern = app->ed->cursor.pattern;
    ResampleRange range = {.pattern = pattern, .mix = true, .tail = tail};
    int row1, ch1;
    /* A selection renders its rows and channels alone. */
    if (app->ed->selection.active &&
        edit_block_range(app->ed, &range.first, &range.channel_first, &row1, &ch1)) {
        range.rows = row1 - range.first + 1;
        range.mix = false;
        range.channel_last = ch1;
    }
    SampleioAudio audio;
    HissDiag diag = {{0}};
    if (resample_render(app->song, &range, (uint32_t)rate, (int)bits, &audio, &diag)) {
        ui_set_message(app, true, "render: %s", diag.text);
        return;
    }
    /* A slice on every beat, ready to chop again. */
    const Pattern *p = song_pattern(app->song, pattern);
    int beats = (range.rows ? range.rows : p->rows) /
                hiss_clampi(atomic_load(&app->song->rows_per_beat), 1, 32);
    SampleMarks marks;
    memset(&marks, 0, sizeof marks);
    marks.root_note = NOTE_C4;
    /* The beats of the rows alone: a tail is not a beat. */
    uint64_t musical = resample_frames(app->song, &range, (uint32_t)rate);
    if (beats >= SLICER_MIN_DIVISIONS)
        marks.cue_count = slicer_equal(musical < audio.count ? (uint32_t)musical : audio.count,
                                       beats, marks.cues);
    char stem[32], suffix[32], name[SONG_PATH_MAX];
    snprintf(stem, sizeof stem, "pattern%02X", pattern);
    snprintf(suffix, sizeof suffix, "%ldhz%ldbit%s", rate, bits, tail ? "-tail" : "");
    Sample *sample = write_new_file(app, stem, suffix, &audio, &marks, name, sizeof name,
                                    "render");
    sampleio_audio_free(&audio);
    Instrument *inst = sample ? song_instrument_new() : NULL;
    if (!inst) {
        if (sample)
            ui_report(app, HISS_ERR_NOMEM, "render");
        sample_release(sample);
        return;
    }
    inst->sample = sample;
    inst->missing = false;
    snprintf(inst->path, sizeof inst->path, "%s", name);
    snprintf(inst->name, sizeof inst->name, "pattern %02X render", pattern);
    song_instrument_set_slices(inst, marks.cues, marks.cue_count);
    if (ui_report(app, edit_instrument_replace(app->ed, slot, inst), "render") != HISS_OK)
        return;
    edit_set_instrument_current(app->ed, slot);
    if (range.mix)
        ui_set_message(app, false, "render: pattern %02X into slot %02X as %s (%u frames)",
                       pattern, slot, name, sample->frames);
    else
        ui_set_message(app, false, "render: rows %d..%d of channels %d..%d into slot %02X as "
                       "%s (%u frames)", range.first, range.first + range.rows - 1,
                       range.channel_first + 1, range.channel_last + 1, slot, name,
                       sample->frames);
}

/* Fit by repitching, the classic tracker way: the base note and finetune
 * move so the sample plays its length in `want` frames (faster is
 * higher). Slice mode plays every slice at the base note's own pitch, so
 * there only the finetune (one semitone either way) can do it. */
static void repitch(UiApp *app, int slot, const Instrument *inst, double want)
{
    double cents = 1200.0 * log2(inst->sample->frames / want);
    long total = lround(inst->finetune + cents);
    long down = inst->shape[SHAPE_SLICE_MODE] ? 0 : lround(total / 100.0);
    int base = inst->base_note - (int)down, fine = (int)(total - 100 * down);
    if (base < NOTE_FIRST || base > NOTE_LAST || fine < -100 || fine > 100) {
        ui_set_message(app, true, "repitch: %+.0f cents is out of reach%s", cents,
                       inst->shape[SHAPE_SLICE_MODE]
                           ? " (slice mode plays at the base pitch: stretch instead)"
                           : "");
        return;
    }
    if (ui_report(app, edit_instrument_set_base_note(app->ed, slot, (uint8_t)base),
                  "repitch") != HISS_OK ||
        ui_report(app, edit_instrument_set_finetune(app->ed, slot, fine), "repitch") !=
            HISS_OK)
        return;
    char note[4];
    song_note_name((uint8_t)base, note);
    ui_set_message(app, false, "repitch: %+.0f cents, base %s finetune %+d", cents, note,
                   fine);
}

/* The frames `beats` beats last at the song's tempo, at rate. */
static double beats_frames(const UiApp *app, int beats, uint32_t rate)
{
    return beats * 600.0 / atomic_load(&app->song->bpm_tenths) * rate;
}

/* Stretches the slot's sample to `beats` beats at the song's tempo into a
 * new file, STEM-TEMPObpm.wav, which then follows the tempo. A sample
 * that is already such a stretch is stretched again from the file it was
 * stretched from (never a stretch of a stretch), its slices and loop
 * carried back to that file's frames first. tempo_edit: the tempo edit a
 * follow stretch is for (0: the user's F). */
static void stretch_to_tempo(UiApp *app, int slot, const Instrument *inst, int beats,
                             const char *what, uint64_t tempo_edit)
{
    EditSource src;
    source_of(inst, &src);
    Sample *original = NULL;
    if (inst->stretch_beats > 0 && inst->stretch_from[0]) {
        char path[UI_PATH_MAX + SONG_PATH_MAX];
        HissDiag diag = {{0}};
        if (!songio_resolve(app->path, inst->stretch_from, path, sizeof path) ||
            sampleio_load(path, &original, NULL, &diag) != HISS_OK) {
            ui_set_message(app, true, "%s: %s", what,
                           diag.text[0] ? diag.text : "the source's path is too long");
            return;
        }
        double back = (double)original->frames / inst->sample->frames;
        for (int i = 0; i < src.marks.cue_count; i++)
            src.marks.cues[i] = (uint32_t)llround(src.marks.cues[i] * back);
        src.marks.loop_start = (uint32_t)llround(src.marks.loop_start * back);
        src.marks.loop_end = (uint32_t)llround(src.marks.loop_end * back);
        src.sample = original;
        stem_of_path(inst->stretch_from, inst->name, src.stem, sizeof src.stem);
        snprintf(src.stretch_from, sizeof src.stretch_from, "%s", inst->stretch_from);
    } else {
        snprintf(src.stretch_from, sizeof src.stretch_from, "%s", inst->path);
    }
    /* A sample with no file of its own has nothing to rebuild from. */
    src.stretch_beats = src.stretch_from[0] ? beats : 0;
    src.bpm_tenths = atomic_load(&app->song->bpm_tenths);
    src.tempo_edit = tempo_edit;
    SampleEdit e = {.kind = SAMPLEEDIT_STRETCH,
                    .ratio = beats_frames(app, beats, src.sample->rate) / src.sample->frames};
    char suffix[32];
    char bpm[SONG_BPM_TEXT];
    song_bpm_text(src.bpm_tenths, bpm);
    snprintf(suffix, sizeof suffix, "%sbpm", bpm);
    apply_edit_from(app, slot, inst, &src, &e, suffix, what);
    sample_release(original);
}

void ui_chop_follow_tempo(UiApp *app)
{
    /* One edit at a time: the tempo waits for it. A song still loading or
     * never saved has no files to stretch from or beside yet. */
    if (job_poll(app) || app->loader || !app->path[0])
        return;
    int slot = tempo_follow_due(&follow, app->ed, hiss_now_seconds());
    const Instrument *inst = slot ? song_instrument(app->song, slot) : NULL;
    if (!inst)
        return;
    char what[32];
    snprintf(what, sizeof what, "tempo: slot %02X", slot);
    stretch_to_tempo(app, slot, inst, inst->stretch_beats, what, app->ed->tempo_edit);
}

static void stretch_done(UiApp *app, const char *text)
{
    int slot;
    const Instrument *inst = current(app, &slot);
    char *end;
    long beats = strtol(text, &end, 10);
    bool by_pitch = !strcmp(end, " pitch");
    if (end == text || (*end && !by_pitch) || beats < 1 || beats > 256) {
        ui_set_message(app, true, "stretch: %s is not 1..256 beats (then 'pitch' to repitch)",
                       text);
        return;
    }
    if (!inst || !inst->sample) {
        ui_report(app, HISS_ERR_MISSING, "stretch");
        return;
    }
    int bpm_tenths = atomic_load(&app->song->bpm_tenths);
    double want = beats * 600.0 / bpm_tenths * inst->sample->rate;
    if (by_pitch) {
        repitch(app, slot, inst, want);
        return;
    }
    stretch_to_tempo(app, slot, inst, (int)beats, "stretch", 0);
}

/* B's prompt (the song's BPM, offered the loop's) or F's (the beats to
 * stretch to, offered the loop's count, or 4 when none was found). */
static void prompt_after_tempo(UiApp *app, AfterTempo then, bool found)
{
    char buf[64], label[96], bpm[SONG_BPM_TEXT];
    if (then == AFTER_TEMPO_BPM) {
        if (!found)
            return;
        song_bpm_text((int)lround(chop.bpm * 10), bpm);
        snprintf(buf, sizeof buf, "%s", bpm);
        snprintf(label, sizeof label, "Loop: %.2f BPM, %d beats. Song BPM", chop.bpm,
                 chop.beats);
        ui_prompt(app, label, buf, tempo_done);
        return;
    }
    snprintf(buf, sizeof buf, "%d", found ? chop.beats : 4);
    song_bpm_text(atomic_load(&app->song->bpm_tenths), bpm);
    snprintf(label, sizeof label, "Stretch to beats at %s BPM ('N pitch' repitches)", bpm);
    ui_prompt(app, label, buf, stretch_done);
}

/* Keep only the slices used: an edit that drops the slices no pattern
 * plays; false (and a message) when there is nothing to drop. */
static bool slices_used(UiApp *app, int slot, const Instrument *inst, SampleEdit *e,
                        bool played[SONG_MAX_SLICES])
{
    HissDiag diag = {{0}};
    if (edit_slices_played(app->song, slot, played, &diag) != HISS_OK) {
        ui_set_message(app, true, "used: %s", diag.text);
        return false;
    }
    int count = 0;
    for (int k = 0; k < inst->slice_count; k++)
        count += played[k];
    if (!count || count == inst->slice_count) {
        ui_set_message(app, true, "used: %s", count ? "every slice is played; nothing to drop"
                                                    : "no pattern plays a slice of it");
        return false;
    }
    *e = (SampleEdit){.kind = SAMPLEEDIT_KEEP_SLICES, .keep = played};
    return true;
}

static void edit_done(UiApp *app, const char *text)
{
    int slot;
    const Instrument *inst = current(app, &slot);
    if (!inst || !inst->sample) {
        ui_report(app, HISS_ERR_MISSING, "sample edit");
        return;
    }
    char word[16] = "";
    long ms = 0;
    double db = 0;
    int n = sscanf(text, "%15s %ld", word, &ms);
    uint32_t frames = inst->sample->frames;
    SampleEdit e = {0};
    bool played[SONG_MAX_SLICES];
    const char *suffix = word;
    if (n >= 1 && !strcmp(word, "trim")) {
        uint32_t start = (uint32_t)inst->shape[SHAPE_START];
        uint32_t stop = inst->shape[SHAPE_END] ? (uint32_t)inst->shape[SHAPE_END] : frames;
        if (!start && stop == frames) {
            ui_set_message(app, true, "trim: set Start or End first (or use 'slice')");
            return;
        }
        e = (SampleEdit){.kind = SAMPLEEDIT_TRIM, .from = start, .to = stop};
    } else if (n >= 1 && !strcmp(word, "slice") && inst->slice_count) {
        e = (SampleEdit){.kind = SAMPLEEDIT_TRIM, .from = inst->slices[chop.slice],
                         .to = slice_end(inst, chop.slice)};
    } else if (n >= 1 && !strcmp(word, "used")) {
        if (!slices_used(app, slot, inst, &e, played))
            return;
    } else if (n >= 1 && !strcmp(word, "normalize")) {
        e.kind = SAMPLEEDIT_NORMALIZE;
    } else if (n >= 1 && !strcmp(word, "reverse")) {
        e.kind = SAMPLEEDIT_REVERSE;
    } else if (n >= 1 && !strcmp(word, "gain") && sscanf(text, "%*s %lf", &db) == 1) {
        e.kind = SAMPLEEDIT_GAIN;
        e.ratio = db;
    } else if (n == 2 && (!strcmp(word, "fadein") || !strcmp(word, "fadeout")) && ms > 0 &&
               ms <= 600000) {
        e.kind = word[4] == 'i' ? SAMPLEEDIT_FADE_IN : SAMPLEEDIT_FADE_OUT;
        e.from = (uint32_t)((uint64_t)ms * inst->sample->rate / 1000);
    } else {
        ui_set_message(app, true, "sample edit: '%s' is not one of trim, slice, used, "
                       "normalize, gain DB, reverse, fadein MS, fadeout MS", text);
        return;
    }
    apply_edit(app, &e, suffix, word);
}

/* ---- keys ---- */

bool ui_chop_handle(UiApp *app, KeymapAction act)
{
    int slot;
    const Instrument *inst = current(app, &slot);
    bool has_sample = inst && inst->sample && inst->sample->frames;
    bool has_slices = has_sample && inst->slice_count > 0;
    uint32_t ms = has_sample ? inst->sample->rate / 1000 : 1;
    uint32_t frame;
    char buf[64];
    switch (act) {
    case ACT_SLICE_PREV:
    case ACT_SLICE_NEXT:
        if (!has_slices)
            break;
        chop.slice = hiss_clampi(chop.slice + (act == ACT_SLICE_NEXT ? 1 : -1), 0,
                                 inst->slice_count - 1);
        ui_set_message(app, false, "slice %d of %d at frame %u", chop.slice + 1,
                       inst->slice_count, inst->slices[chop.slice]);
        return true;
    case ACT_SLICE_EARLIER:
    case ACT_SLICE_LATER:
        if (!has_slices)
            break;
        move_point(app, slot, inst,
                   (int64_t)inst->slices[chop.slice] + (act == ACT_SLICE_LATER ? ms : -(int64_t)ms),
                   "move slice");
        return true;
    case ACT_SLICE_AT:
        if (!has_slices)
            break;
        snprintf(buf, sizeof buf, "%u", inst->slices[chop.slice]);
        ui_prompt(app, "Slice point at frame", buf, slice_at_done);
        return true;
    case ACT_SLICE_SNAP:
        if (!has_slices)
            break;
        move_point(app, slot, inst,
                   slicer_zero_crossing(inst->sample, inst->slices[chop.slice], 10 * ms),
                   "snap slice");
        return true;
    case ACT_SLICE_ADD:
        if (!has_sample)
            break;
        if (playhead(&frame)) {
            find_hits(app, inst->sample);
            add_point(app, slot, inst,
                      slicer_snap(inst->sample, chop.hits, chop.hit_count, frame,
                                  HIT_SNAP_MS * ms));
        } else if (has_slices) {
            uint32_t a = inst->slices[chop.slice], b = slice_end(inst, chop.slice);
            if (b - a < 2) {
                ui_set_message(app, true, "slice: too short to split");
                return true;
            }
            add_point(app, slot, inst, slicer_zero_crossing(inst->sample, a + (b - a) / 2, ms));
        } else {
            add_point(app, slot, inst,
                      slicer_zero_crossing(inst->sample, inst->sample->frames / 2, ms));
        }
        return true;
    case ACT_SLICE_DELETE:
        if (!has_slices)
            break;
        {
            uint32_t points[SONG_MAX_SLICES];
            int n = 0;
            for (int k = 0; k < inst->slice_count; k++)
                if (k != chop.slice)
                    points[n++] = inst->slices[k];
            if (set_points(app, slot, points, n, "delete slice") != HISS_OK)
                return true;
            ui_set_message(app, false, "slice point deleted (%d slices)", n);
            chop.slice = hiss_clampi(chop.slice - 1, 0, n ? n - 1 : 0);
        }
        return true;
    case ACT_SLICE_TO_PLAYHEAD:
        if (!has_slices)
            break;
        if (!playhead(&frame)) {
            ui_set_message(app, true, "slice: nothing is playing (%s plays the sample)", "O");
            return true;
        }
        move_point(app, slot, inst, frame, "slice to playhead");
        return true;
    case ACT_SLICE_AUDITION:
        if (!has_slices)
            break;
        audition(app, inst, inst->slices[chop.slice], slice_end(inst, chop.slice));
        ui_set_message(app, false, "playing slice %d (frames %u..%u)", chop.slice + 1,
                       inst->slices[chop.slice], slice_end(inst, chop.slice));
        return true;
    case ACT_SAMPLE_PLAY:
        if (!has_sample)
            break;
        find_hits(app, inst->sample);
        audition(app, inst, 0, inst->sample->frames);
        ui_set_message(app, false, "playing the sample: A drops a slice at the playhead");
        return true;
    case ACT_SAMPLE_TEMPO:
        if (!has_sample)
            break;
        if (tempo_known(inst->sample))
            prompt_after_tempo(app, AFTER_TEMPO_BPM, true);
        else
            find_tempo(app, slot, inst, AFTER_TEMPO_BPM);
        return true;
    case ACT_SAMPLE_STRETCH:
        if (!has_sample)
            break;
        if (tempo_known(inst->sample))
            prompt_after_tempo(app, AFTER_TEMPO_STRETCH, true);
        else
            find_tempo(app, slot, inst, AFTER_TEMPO_STRETCH);
        return true;
    case ACT_SAMPLE_EDIT:
        if (!has_sample)
            break;
        /* Under the 63 characters a prompt's label keeps, so it shows
         * whole on an 80-column screen. */
        ui_prompt(app, "Edit (trim slice used normalize reverse gain DB fadein/out MS)", "",
                  edit_done);
        return true;
    case ACT_RENDER_TO_INSTRUMENT:
        if (!has_place(app, "render") || !samples_loaded(app, "render"))
            return true;
        snprintf(buf, sizeof buf, "%u 16", app->rate ? app->rate : 44100);
        {
            char label[64];
            snprintf(label, sizeof label, "Render pattern %02X to a new slot: rate bits [tail]",
                     app->ed->cursor.pattern);
            ui_prompt(app, label, buf, render_done);
        }
        return true;
    case ACT_WAVE_ZOOM_IN:
    case ACT_WAVE_ZOOM_OUT:
        chop.zoom = hiss_clampi(chop.zoom + (act == ACT_WAVE_ZOOM_IN ? 1 : -1), 0, ZOOM_MAX);
        ui_set_message(app, false, "waveform zoom x%d", 1 << chop.zoom);
        return true;
    default:
        return false;
    }
    ui_report(app, HISS_ERR_MISSING, has_sample ? "slice" : "sample");
    return true;
}

/* ---- drawing ---- */

/* The waveform column of frame f in the view last drawn (-1 outside). */
static int view_column(uint32_t f)
{
    if (!chop.view_span || f < chop.view_from || f >= chop.view_from + chop.view_span)
        return -1;
    return (int)((uint64_t)(f - chop.view_from) * (uint64_t)chop.view_cols / chop.view_span);
}

/* Only a playhead that moved to another column costs a redraw: over SSH a
 * preview sends a few dozen small updates a second, not one per frame. */
void ui_chop_update(UiApp *app)
{
    uint32_t frame;
    if (!chop.started)
        return;
    if (!playhead(&frame) || view_column(frame) != chop.drawn_col)
        app->dirty |= UI_DIRTY_BODY;
}

void ui_chop_draw(UiApp *app, int y, int x, int w)
{
    if (!ui_chop_rows())
        return;
    int slot;
    const Instrument *inst = current(app, &slot);
    char line[160];
    if (!inst || !inst->sample || !inst->sample->frames) {
        for (int r = 0; r < CHOP_ROWS; r++)
            ui_put(y + r, x, w, A_NORMAL, "");
        return;
    }
    const Sample *s = inst->sample;
    uint32_t frame = 0;
    bool playing = playhead(&frame);
    if (inst->slice_count)
        snprintf(line, sizeof line, "Slice %d/%d  frames %u..%u%s", chop.slice + 1,
                 inst->slice_count, inst->slices[chop.slice], slice_end(inst, chop.slice),
                 playing ? "  playing at " : "");
    else
        snprintf(line, sizeof line, "No slices%s", playing ? "  playing at " : "");
    if (playing) {
        size_t used = strlen(line);
        snprintf(line + used, sizeof line - used, "%u", frame);
    }
    ui_put(y, x, w, ui_attr(UI_C_HEADER), line);
    /* Zoomed in, the view is centred on the selected slice. */
    uint32_t span = s->frames >> chop.zoom;
    span = span < (uint32_t)w ? (uint32_t)w : span;
    span = span > s->frames ? s->frames : span;
    uint32_t centre = inst->slice_count ? inst->slices[chop.slice] : 0;
    int64_t from = (int64_t)centre - span / 2;
    from = from < 0 ? 0 : from + span > s->frames ? s->frames - span : from;
    UiWave wave = {
        .sample = s,
        .view_from = (uint32_t)from,
        .view_to = (uint32_t)from + span,
        .slices = inst->slices,
        .slice_count = inst->slice_count,
        .selected = inst->slice_count ? chop.slice : -1,
        .start = (uint32_t)inst->shape[SHAPE_START],
        .end = (uint32_t)inst->shape[SHAPE_END],
        .loop = inst->loop != LOOP_OFF,
        .loop_start = inst->loop_start,
        .loop_end = inst->loop_end,
        .playing = playing,
        .playhead = frame,
    };
    chop.view_from = wave.view_from;
    chop.view_span = span;
    chop.view_cols = w;
    chop.drawn_col = playing ? view_column(frame) : -1;
    ui_wave_draw(y + 1, x, CHOP_ROWS - 1, w, &wave);
}
