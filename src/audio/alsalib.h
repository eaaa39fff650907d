/* alsa-lib, opened when hiss first plays through ALSA or reads the ALSA
 * sequencer rather than linked (see dynlib.h): a render, an export or
 * --help then never load it. */
#ifndef HISS_ALSALIB_H
#define HISS_ALSALIB_H

#include <alsa/asoundlib.h>

#include "dynlib.h"

/* The functions hiss calls, each a member of AlsaLib under its own name. */
#define ALSALIB_FUNCTIONS(X) \
    X(snd_lib_error_set_handler) \
    X(snd_pcm_avail_update) \
    X(snd_pcm_close) \
    X(snd_pcm_drain) \
    X(snd_pcm_drop) \
    X(snd_pcm_format_physical_width) \
    X(snd_pcm_hw_params) \
    X(snd_pcm_hw_params_any) \
    X(snd_pcm_hw_params_get_buffer_size) \
    X(snd_pcm_hw_params_get_period_size) \
    X(snd_pcm_hw_params_get_rate) \
    X(snd_pcm_hw_params_set_access) \
    X(snd_pcm_hw_params_set_buffer_size_near) \
    X(snd_pcm_hw_params_set_channels) \
    X(snd_pcm_hw_params_set_format) \
    X(snd_pcm_hw_params_set_period_size_near) \
    X(snd_pcm_hw_params_set_rate) \
    X(snd_pcm_hw_params_set_rate_near) \
    X(snd_pcm_hw_params_sizeof) \
    X(snd_pcm_open) \
    X(snd_pcm_prepare) \
    X(snd_pcm_readi) \
    X(snd_pcm_recover) \
    X(snd_pcm_resume) \
    X(snd_pcm_start) \
    X(snd_pcm_state) \
    X(snd_pcm_sw_params) \
    X(snd_pcm_sw_params_current) \
    X(snd_pcm_sw_params_set_avail_min) \
    X(snd_pcm_sw_params_set_start_threshold) \
    X(snd_pcm_sw_params_sizeof) \
    X(snd_pcm_wait) \
    X(snd_pcm_writei) \
    X(snd_seq_client_id) \
    X(snd_seq_close) \
    X(snd_seq_create_simple_port) \
    X(snd_seq_event_input) \
    X(snd_seq_open) \
    X(snd_seq_poll_descriptors) \
    X(snd_seq_poll_descriptors_count) \
    X(snd_seq_set_client_name) \
    X(snd_strerror)

typedef struct {
    ALSALIB_FUNCTIONS(DYNLIB_MEMBER)
} AlsaLib;

/* snd_pcm_hw_params_alloca and snd_pcm_sw_params_alloca (type is
 * snd_pcm_hw_params or snd_pcm_sw_params) through the loaded library:
 * the headers' macros call its sizeof functions directly. */
#define ALSALIB_ALLOCA(lib, ptr, type) \
    do { \
        *(ptr) = alloca((lib)->type##_sizeof()); \
        memset(*(ptr), 0, (lib)->type##_sizeof()); \
    } while (0)

/* The library's functions: filled by alsalib_load, read-only after. */
extern AlsaLib alsalib;

/* Opens the library once (thread-safe; cheap to call again), filling
 * alsalib; HISS_ERR_MISSING with a message when it is not installed. */
HissError alsalib_load(HissDiag *diag);

#endif
