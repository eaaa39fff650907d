/* render_only: `hiss render` and nothing else, for callgrind_render.sh.
 * The same code as `hiss render` (cli_render), linked with only the
 * libraries a render calls: the whole hiss also links libaubio, which
 * pulls in libhwy, whose start-up code uses an instruction valgrind 3.19
 * cannot run, so callgrind could not count the real program. */
#include <signal.h>

#include "cli.h"

int main(int argc, char **argv)
{
    signal(SIGXFSZ, SIG_IGN); /* as hiss does: a full disk fails a write */
    return cli_render(argc, argv);
}
