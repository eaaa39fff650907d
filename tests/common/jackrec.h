/* jackrec (test side): a private JACK server for each test that needs one.
 *
 * jackrec_server_start runs `jackd --no-realtime -n NAME -d dummy` with the
 * given rate and period, points JACK_DEFAULT_SERVER at it, and waits until a
 * client can connect. NAME comes from a fixed pool (see jackd_pool.sh); a
 * server started again keeps the name it had. The server dies with the test process (parent-death
 * signal), so a crashing test never leaves one behind. */
#ifndef HISS_TEST_JACKREC_H
#define HISS_TEST_JACKREC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct {
    pid_t pid;
    char name[64]; /* set by the first start; zero it before */
    bool realtime; /* set before start: jackd -R instead of --no-realtime */
    /* Set before start: jackd -S -t 2000, which waits for every client each
     * cycle, so periods are lost between clients only on a 2 s stall, never
     * repeated or half written (see tests/integration/jack_play.sh). */
    bool synchronous;
} JackrecServer;

/* false (with a message on stderr) when jackd cannot be started. */
bool jackrec_server_start(JackrecServer *srv, uint32_t rate, uint32_t period);
/* hard = SIGKILL (a crash), else SIGTERM; waits for the process. */
void jackrec_server_stop(JackrecServer *srv, bool hard);

#endif
