/* cli: the program's subcommands. main.c parses only the first word and
 * hands the rest to one of these; each lives in its own cli_*.c file. */
#ifndef HISS_CLI_H
#define HISS_CLI_H

/* argv[0] is the subcommand name (or the song path for the editor).
 * Each returns the process exit status. */
int cli_render(int argc, char **argv);  /* hiss render SONG -o OUT ... */
int cli_play(int argc, char **argv);    /* hiss play SONG ... */
int cli_edit(int argc, char **argv);    /* hiss [SONG]: the editor */
int cli_recover(int argc, char **argv); /* hiss --recover */
int cli_convert(int argc, char **argv); /* hiss convert MODULE */

/* hiss render's frames per engine call and file write (its engine runs
 * without channel meters); bench_render times the engine the same way. */
enum { CLI_RENDER_BLOCK = 1 << 15 };

#endif
