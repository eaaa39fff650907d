/* libjack, opened when hiss first plays through JACK rather than linked
 * (see dynlib.h): a render, an export or --help then never load it. */
#ifndef HISS_JACKLIB_H
#define HISS_JACKLIB_H

#include <jack/jack.h>
#include <jack/midiport.h>
#include <jack/transport.h>

#include "dynlib.h"

/* The functions hiss calls, each a member of JackLib under its own name. */
#define JACKLIB_FUNCTIONS(X) \
    X(jack_activate) \
    X(jack_client_close) \
    X(jack_client_open) \
    X(jack_connect) \
    X(jack_deactivate) \
    X(jack_free) \
    X(jack_get_buffer_size) \
    X(jack_get_cycle_times) \
    X(jack_get_ports) \
    X(jack_get_sample_rate) \
    X(jack_last_frame_time) \
    X(jack_midi_clear_buffer) \
    X(jack_midi_event_get) \
    X(jack_midi_event_write) \
    X(jack_midi_get_event_count) \
    X(jack_on_info_shutdown) \
    X(jack_on_shutdown) \
    X(jack_port_get_buffer) \
    X(jack_port_get_latency_range) \
    X(jack_port_name) \
    X(jack_port_register) \
    X(jack_port_set_latency_range) \
    X(jack_port_unregister) \
    X(jack_recompute_total_latencies) \
    X(jack_release_timebase) \
    X(jack_set_buffer_size_callback) \
    X(jack_set_error_function) \
    X(jack_set_info_function) \
    X(jack_set_latency_callback) \
    X(jack_set_process_callback) \
    X(jack_set_sample_rate_callback) \
    X(jack_set_sync_callback) \
    X(jack_set_timebase_callback) \
    X(jack_set_xrun_callback) \
    X(jack_transport_query) \
    X(jack_transport_start) \
    X(jack_transport_stop)

typedef struct {
    JACKLIB_FUNCTIONS(DYNLIB_MEMBER)
} JackLib;

/* The library's functions: filled by jacklib_load, read-only after. */
extern JackLib jacklib;

/* Opens the library once (thread-safe; cheap to call again), filling
 * jacklib; HISS_ERR_MISSING with a message when it is not installed. */
HissError jacklib_load(HissDiag *diag);

#endif
