#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "jit.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* One line per subcommand; `ggscope --help` is generated from this table. */
static const struct command commands[] = {
	{ "info", cmd_info, "show a GGUF file's header, metadata, tensors and layers" },
	{ "extract", cmd_extract, "write one block of a GGUF model to a file of its own" },
	{ "demo", cmd_demo, "write the synthetic demo block to a GGUF file" },
	{ "kernels", cmd_kernels, "list the kernel variants; compile-check them with NVRTC" },
	{ "bench", cmd_bench, "time and check GEMV variants on one Q4_K/Q6_K tensor" },
	{ "outliers", cmd_outliers, "outlier channels of each GEMV input and their Q8_1 damage" },
	{ "profile", cmd_profile, "show the GPU, driver, NVRTC/CUPTI versions, read ceiling and GpuProfile" },
	{ "report", cmd_report, "sweep a model's GEMV variants and write a tuning report" },
	{ NULL, NULL, NULL }
};

static void
print_help(FILE *out, const char *interactive_help)
{
	const struct command *c;

	fprintf(out,
		"Usage: ggscope [OPTION]... [MODEL.gguf]\n"
		"   or: ggscope COMMAND [ARG]...\n"
		"Explore, measure and tune Q4_K/Q6_K GEMV kernels on one layer of a GGUF model.\n"
		"Without a COMMAND, opens the interactive view on MODEL.gguf (default: the\n"
		"embedded demo layer).\n\n"
		"Commands:\n");
	for (c = commands; c->name != NULL; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\nOptions:\n%s", interactive_help);
	fprintf(out,
		"  -h, --help     display this help and exit\n"
		"  -V, --version  output version information and exit\n\n"
		"Run 'ggscope COMMAND --help' for a command's options.\n"
		"Exit status: 0 success, 1 error, 2 usage error.\n");
}

static void
print_version(void)
{
	printf("ggscope %s\n", PACKAGE_VERSION);
}

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ggscope%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'ggscope%s%s --help' for more information.\n", cmd ? " " : "", cmd ? cmd : "");
	return EXIT_USAGE;
}

int
cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ggscope%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int
cli_parse_long(const char *s, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	v = strtol(s, &end, 0);
	if (errno != 0 || *end != '\0')
		return 0;
	*out = v;
	return 1;
}

int
cli_main(int argc, char **argv, const struct cli_interactive *ui)
{
	const struct command *c;

	if (argc >= 2) {
		if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
			print_help(stdout, ui->options_help);
			return 0;
		}
		if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
			print_version();
			return 0;
		}
		for (c = commands; c->name != NULL; c++)
			if (strcmp(argv[1], c->name) == 0)
				return c->run(argc - 1, argv + 1);
	}
	return ui->run(argc, argv);
}

int
cli_add_define(const char *cmd, const char *arg, const char **defs, int *n)
{
	errmsg err;

	if (*n == JIT_MAX_DEFINES)
		return cli_usage_error(cmd, "at most %d --define options", JIT_MAX_DEFINES);
	if (jit_check_define(arg, &err) < 0)
		return cli_usage_error(cmd, "%s", err.text);
	defs[(*n)++] = arg;
	return -1;
}
