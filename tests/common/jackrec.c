#include "jackrec.h"

#include <jack/jack.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void jackrec_quiet(const char *msg)
{
    (void)msg;
}

/* One name of the pool shared with tests/common/jackd_pool.sh, which says
 * why there is a pool: libjack gives a dead server's registry slot back
 * only to a server of the same name. */
enum { POOL_SIZE = 8 };

/* Starts jackd under srv->name and waits for it to take clients. 0 when
 * it is up, 1 when jackd exited at once (name taken, registry full), -1
 * when it could not be run or never came up. */
static int start_named(JackrecServer *srv, const char *rate_s, const char *period_s)
{
    setenv("JACK_DEFAULT_SERVER", srv->name, 1);
    jack_set_error_function(jackrec_quiet);
    jack_set_info_function(jackrec_quiet);
    /* Another run's live server: the probe below would find it, not ours. */
    jack_status_t taken_st;
    jack_client_t *taken = jack_client_open("jackrec_probe", JackNoStartServer, &taken_st);
    if (taken) {
        jack_client_close(taken);
        return 1;
    }
    pid_t parent = getpid();
    srv->pid = fork();
    if (srv->pid < 0) {
        perror("fork");
        return -1;
    }
    if (srv->pid == 0) {
        /* SIGTERM, not SIGKILL: a killed jackd stays in libjack's registry
         * of servers (eight at most, machine-wide). */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1);
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 1);
            dup2(devnull, 2);
        }
        if (srv->synchronous)
            execlp("jackd", "jackd", srv->realtime ? "-R" : "--no-realtime", "-S", "-t", "2000",
                   "-n", srv->name, "-d", "dummy", "-r", rate_s, "-p", period_s, (char *)NULL);
        else
            execlp("jackd", "jackd", srv->realtime ? "-R" : "--no-realtime", "-n", srv->name,
                   "-d", "dummy", "-r", rate_s, "-p", period_s, (char *)NULL);
        _exit(127);
    }
    /* Up to ten seconds for the server to accept clients. */
    for (int i = 0; i < 200; i++) {
        int status;
        if (waitpid(srv->pid, &status, WNOHANG) == srv->pid) {
            srv->pid = 0;
            if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
                fprintf(stderr, "jackrec: jackd cannot be run: is jackd (jackd2) installed?\n");
                return -1;
            }
            return 1;
        }
        jack_status_t st;
        jack_client_t *c = jack_client_open("jackrec_probe", JackNoStartServer, &st);
        if (c) {
            jack_client_close(c);
            /* Still ours a moment later, not a server of that name that
             * came up elsewhere while ours was on its way out. */
            struct timespec settle = {0, 100000000};
            nanosleep(&settle, NULL);
            if (waitpid(srv->pid, &status, WNOHANG) == 0)
                return 0;
            srv->pid = 0;
            return 1;
        }
        struct timespec nap = {0, 50000000};
        nanosleep(&nap, NULL);
    }
    fprintf(stderr, "jackrec: jackd -n %s did not come up\n", srv->name);
    jackrec_server_stop(srv, false);
    return -1;
}

bool jackrec_server_start(JackrecServer *srv, uint32_t rate, uint32_t period)
{
    char rate_s[16], period_s[16];
    snprintf(rate_s, sizeof rate_s, "%u", rate);
    snprintf(period_s, sizeof period_s, "%u", period);
    /* A restart keeps its name, so clients find the server again. */
    if (srv->name[0] && start_named(srv, rate_s, period_s) == 0)
        return true;
    for (int i = 0; i < POOL_SIZE; i++) {
        snprintf(srv->name, sizeof srv->name, "hisstest%d", i);
        int r = start_named(srv, rate_s, period_s);
        if (r == 0)
            return true;
        if (r < 0)
            return false;
    }
    fprintf(stderr, "jackrec: no jackd came up under any of the pool's names "
                    "(is /dev/shm/jack-shm-registry full of other servers?)\n");
    return false;
}

void jackrec_server_stop(JackrecServer *srv, bool hard)
{
    if (srv->pid <= 0)
        return;
    kill(srv->pid, hard ? SIGKILL : SIGTERM);
    for (int i = 0; i < 100; i++) {
        if (waitpid(srv->pid, NULL, WNOHANG) == srv->pid) {
            srv->pid = 0;
            return;
        }
        struct timespec nap = {0, 30000000};
        nanosleep(&nap, NULL);
    }
    kill(srv->pid, SIGKILL);
    waitpid(srv->pid, NULL, 0);
    srv->pid = 0;
}
