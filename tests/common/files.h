/* files: the temp directories and small files unit tests make and read.
 * A helper that cannot do its job ends the test binary with a message
 * (exit 2): a missing fixture must not look like a passing test. */
#ifndef HISS_TEST_FILES_H
#define HISS_TEST_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A new private directory $TMPDIR/hiss-NAME-XXXXXX (/tmp without TMPDIR). */
void test_make_tmpdir(char *out, size_t size, const char *name);
/* Removes dir and everything under it, read-only folders included;
 * symlinks are removed, never followed. */
void test_remove_tree(const char *dir);
/* Creates or replaces path with text. */
void test_write_text(const char *path, const char *text);
/* The whole file, NUL-terminated (malloc'ed), or NULL if it cannot be read;
 * *len (when not NULL) gets its length without the NUL. */
char *test_read_file(const char *path, size_t *len);
char *test_read_text(const char *path); /* the same, for text */
bool test_exists(const char *path);
/* How many entries dir holds (. and .. aside) whose names end in suffix
 * (NULL: all); -1 when it cannot be read. */
int test_count_entries(const char *dir, const char *suffix);
/* Calls fn with "dir/NAME" for each entry of dir (. and .. aside) whose
 * name ends in suffix (NULL: all); returns how many, -1 when dir cannot
 * be read. fn may be NULL (just count). */
int test_each_entry(const char *dir, const char *suffix,
                    void (*fn)(const char *path, void *ctx), void *ctx);
/* A WAV file written with libsndfile directly (not through hiss), so the
 * readers are tested on files they did not write: `frames` frames of a
 * quiet sine on every channel, 24-bit. */
void test_write_wav(const char *path, int rate, int channels, long frames);
/* The 44-byte header of a mono WAV claiming `frames` frames, for tests
 * that write the data (or too little of it, or absurd values) themselves:
 * format 1 is integer PCM, 3 is float. */
enum { TEST_WAV_PCM = 1, TEST_WAV_FLOAT = 3 };
void test_wav_header(unsigned char header[44], int format, uint32_t rate, int bits,
                     uint32_t frames);

#endif
