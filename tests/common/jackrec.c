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

bool jackrec_server_start(JackrecServer *srv, const char *name, uint32_t rate,
                          uint32_t period)
{
    snprintf(srv->name, sizeof srv->name, "%s", name);
    char rate_s[16], period_s[16];
    snprintf(rate_s, sizeof rate_s, "%u", rate);
    snprintf(period_s, sizeof period_s, "%u", period);
    setenv("JACK_DEFAULT_SERVER", srv->name, 1);
    pid_t parent = getpid();
    srv->pid = fork();
    if (srv->pid < 0) {
        perror("fork");
        return false;
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
        execlp("jackd", "jackd", srv->realtime ? "-R" : "--no-realtime", "-n", srv->name, "-d", "dummy",
               "-r", rate_s, "-p", period_s, (char *)NULL);
        _exit(127);
    }
    jack_set_error_function(jackrec_quiet);
    jack_set_info_function(jackrec_quiet);
    /* Up to ten seconds for the server to accept clients. */
    for (int i = 0; i < 200; i++) {
        int status;
        if (waitpid(srv->pid, &status, WNOHANG) == srv->pid) {
            fprintf(stderr, "jackrec: jackd exited at once (status %d)%s\n", status,
                    WIFEXITED(status) && WEXITSTATUS(status) == 127
                        ? ": is jackd (jackd2) installed?" : "");
            srv->pid = 0;
            return false;
        }
        jack_status_t st;
        jack_client_t *c = jack_client_open("jackrec_probe", JackNoStartServer, &st);
        if (c) {
            jack_client_close(c);
            return true;
        }
        struct timespec nap = {0, 50000000};
        nanosleep(&nap, NULL);
    }
    fprintf(stderr, "jackrec: jackd -n %s did not come up\n", srv->name);
    jackrec_server_stop(srv, false);
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
