/* cli: command-line dispatch and the conventions every subcommand follows.
 *
 * Exit status: 0 success, 1 error (message on stderr), 2 usage error. */
#ifndef GGSCOPE_CLI_H
#define GGSCOPE_CLI_H

#define EXIT_USAGE 2

/* The interactive front end, linked only into the program (not the library
 * the tests link). */
struct cli_interactive {
	int (*run)(int argc, char **argv);
	const char *options_help; /* its options, for `ggscope --help` */
};

/* The whole program: main() only calls this. Runs a subcommand, or the
 * interactive front end when argv[1] is not one. */
int cli_main(int argc, char **argv, const struct cli_interactive *ui);

/* Print "ggscope CMD: message" and "Try 'ggscope CMD --help'." to stderr,
 * return EXIT_USAGE. cmd may be NULL for the top level. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print "ggscope CMD: message" to stderr and return 1. */
int cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse a whole decimal/hex number into *out; false on junk or overflow. */
int cli_parse_long(const char *s, long *out);

/* One -D NAME=VALUE of CMD: checked (jit_check_define) and appended to
 * defs[*n] (room for JIT_MAX_DEFINES). Returns -1 to go on, or the usage
 * error's exit status. */
int cli_add_define(const char *cmd, const char *arg, const char **defs, int *n);

#endif
