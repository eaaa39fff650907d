#include "files.h"

#include <dirent.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void fatal(const char *what, const char *path)
{
    fprintf(stderr, "test fixture: %s %s\n", what, path);
    exit(2);
}

void test_make_tmpdir(char *out, size_t size, const char *name)
{
    const char *base = getenv("TMPDIR");
    snprintf(out, size, "%s/hiss-%s-XXXXXX", base && *base ? base : "/tmp", name);
    if (!mkdtemp(out))
        fatal("cannot create", out);
}

void test_remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            chmod(p, 0755); /* tests make read-only folders */
            test_remove_tree(p);
        } else {
            unlink(p);
        }
    }
    closedir(d);
    rmdir(dir);
}

void test_write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        fatal("cannot write", path);
}

char *test_read_text(const char *path)
{
    return test_read_file(path, NULL);
}

char *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *grown = realloc(buf, cap *= 2);
            if (!grown)
                free(buf);
            buf = grown;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = 0;
    if (len)
        *len = n;
    return buf;
}

bool test_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int test_each_entry(const char *dir, const char *suffix,
                    void (*fn)(const char *path, void *ctx), void *ctx)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    size_t sl = suffix ? strlen(suffix) : 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
            (!suffix || (l >= sl && !strcmp(e->d_name + l - sl, suffix)))) {
            n++;
            if (fn) {
                char path[4096];
                snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
                fn(path, ctx);
            }
        }
    }
    closedir(d);
    return n;
}

int test_count_entries(const char *dir, const char *suffix)
{
    return test_each_entry(dir, suffix, NULL, NULL);
}

void test_write_wav(const char *path, int rate, int channels, long frames)
{
    SF_INFO info = {.samplerate = rate, .channels = channels,
                    .format = SF_FORMAT_WAV | SF_FORMAT_PCM_24};
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    if (!sf)
        fatal("cannot write", path);
    float *d = malloc(sizeof(float) * (size_t)frames * (size_t)channels);
    if (!d)
        fatal("no memory for", path);
    for (long i = 0; i < frames * channels; i++)
        d[i] = (float)(0.5 * sin(i * 0.05));
    sf_count_t written = sf_writef_float(sf, d, frames);
    sf_close(sf);
    free(d);
    if (written != frames)
        fatal("short write", path);
}

void test_wav_header(unsigned char h[44], int format, uint32_t rate, int bits,
                     uint32_t frames)
{
    static const unsigned char START[22] = {'R', 'I', 'F', 'F', 0,   0,   0,   0,
                                            'W', 'A', 'V', 'E', 'f', 'm', 't', ' ',
                                            16,  0,   0,   0,   0,   0};
    uint32_t bytes = (uint32_t)bits / 8, byte_rate = rate * bytes, data = frames * bytes,
             riff = 36 + data;
    memset(h, 0, 44);
    memcpy(h, START, sizeof START);
    h[20] = (unsigned char)format;
    h[22] = 1; /* mono */
    memcpy(h + 4, &riff, 4);
    memcpy(h + 24, &rate, 4);
    memcpy(h + 28, &byte_rate, 4);
    h[32] = (unsigned char)bytes;
    h[34] = (unsigned char)bits;
    memcpy(h + 36, "data", 4);
    memcpy(h + 40, &data, 4);
}
