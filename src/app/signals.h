/* signals: hangups and termination requests, turned into an orderly exit.
 *
 * SIGHUP (the SSH link dropped or the terminal closed), SIGTERM and SIGINT
 * must not kill hiss mid-edit. The handler only records which signal came
 * (a sig_atomic_t) and writes one byte to a self-pipe; the UI loop sees
 * signals_pending() (or polls signals_fd() next to the terminal), writes the
 * recovery file, restores the terminal and exits with signals_exit_status().
 *
 * A third request while the first is still being handled (a save that
 * hangs on a dead network filesystem, say) ends the process at once from
 * the handler with _exit(), so hiss can always be stopped. */
#ifndef HISS_SIGNALS_H
#define HISS_SIGNALS_H

#include "base.h"

/* Installs the handlers and creates the self-pipe. Call once, on the UI
 * thread, before starting any other thread so that those threads inherit a
 * mask that leaves the signals to the UI thread (see signals_block_here). */
HissError signals_install(HissDiag *diag);
/* Puts the default dispositions back and closes the pipe. */
void signals_uninstall(void);

/* The first signal caught (SIGHUP, SIGTERM, SIGINT), or 0. Does not clear. */
int signals_pending(void);
/* The pipe's read end (non-blocking): readable once a signal has come.
 * -1 before signals_install. */
int signals_fd(void);
/* Reads whatever bytes are in the pipe, so poll() stops reporting it. */
void signals_drain(void);
/* Forgets a caught signal (after the UI decided to go on, e.g. SIGINT
 * bound to "are you sure?"). */
void signals_clear(void);

/* Blocks the handled signals in the calling thread, so the kernel delivers
 * them to the UI thread. Audio and helper threads call this first. */
void signals_block_here(void);

/* The exit status for a signal: 128 + its number, as shells report it. */
int signals_exit_status(int sig);
/* "SIGHUP", "SIGTERM", "SIGINT"; "signal N" for others. */
const char *signals_name(int sig);

#endif
