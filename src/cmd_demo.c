/* ggscope demo: write the synthetic demo block to a GGUF file. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "demo.h"

static void
demo_usage(FILE *out)
{
	fprintf(out,
		"Usage: ggscope demo -o OUT.gguf [OPTION]...\n"
		"Write a synthetic llama-style transformer block (attn_q/k/v/output,\n"
		"ffn_gate/up/down, norms) in Q4_K_M types, Gaussian weights from a seed.\n"
		"The same seed and sizes always give the same bytes.\n\n"
		"  -o, --output FILE  the GGUF file to write (replaced atomically)\n"
		"  -s, --seed N       random seed (default 42)\n"
		"      --hidden N     embedding size (default 4096)\n"
		"      --ffn N        feed-forward size (default 14336)\n"
		"      --kv-dim N     key/value size, heads x 128 (default 1024)\n"
		"      --block N      the block number in tensor names (default 0)\n"
		"  -j, --threads N    worker threads (default: one per core)\n"
		"  -h, --help         display this help and exit\n\n"
		"Sizes must be multiples of 256. Exit status: 0 success, 1 error, 2 usage error.\n");
}

/* A whole decimal number in [0, max]. */
static int
parse_count(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return 0;
	*out = v;
	return 1;
}

int
cmd_demo(int argc, char **argv)
{
	enum { OPT_HIDDEN = 256, OPT_FFN, OPT_KV, OPT_BLOCK };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 's' },
		{ "hidden", required_argument, NULL, OPT_HIDDEN },
		{ "ffn", required_argument, NULL, OPT_FFN },
		{ "kv-dim", required_argument, NULL, OPT_KV },
		{ "block", required_argument, NULL, OPT_BLOCK },
		{ "threads", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	demo_config cfg;
	gguf_writer *w;
	errmsg err;
	unsigned long long v;
	int c;

	demo_config_default(&cfg);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:s:j:h", opts, NULL)) != -1) {
		const char *name = NULL;

		switch (c) {
		case 'o':
			out = optarg;
			continue;
		case 'h':
			demo_usage(stdout);
			return 0;
		case ':':
			return cli_usage_error("demo", "option '%s' needs an argument", argv[optind - 1]);
		case '?':
			return cli_usage_error("demo", "unknown option '%s'", argv[optind - 1]);
		case 's':
			if (!parse_count(optarg, ~0ull, &v))
				return cli_usage_error("demo", "--seed: '%s' is not a number from 0 to 2^64-1", optarg);
			cfg.seed = v;
			continue;
		case 'j':
			if (!parse_count(optarg, 64, &v) || v == 0)
				return cli_usage_error("demo", "--threads: '%s' is not a number from 1 to 64", optarg);
			cfg.threads = (int)v;
			continue;
		case OPT_BLOCK:
			if (!parse_count(optarg, 99999, &v))
				return cli_usage_error("demo", "--block: '%s' is not a number from 0 to 99999", optarg);
			cfg.block = (long)v;
			continue;
		case OPT_HIDDEN: name = "--hidden"; break;
		case OPT_FFN: name = "--ffn"; break;
		case OPT_KV: name = "--kv-dim"; break;
		default:
			return cli_usage_error("demo", "unexpected option");
		}
		/* The sizes; demo_build checks the multiple-of-256 rule. */
		if (!parse_count(optarg, 1u << 17, &v) || v == 0 || v % 256 != 0)
			return cli_usage_error("demo", "%s: '%s' is not a multiple of 256 from 256 to 131072",
				name, optarg);
		if (c == OPT_HIDDEN)
			cfg.hidden = (uint32_t)v;
		else if (c == OPT_FFN)
			cfg.ffn = (uint32_t)v;
		else
			cfg.kv_dim = (uint32_t)v;
	}
	if (optind < argc)
		return cli_usage_error("demo", "unexpected argument '%s'", argv[optind]);
	if (out == NULL)
		return cli_usage_error("demo", "no output file (use -o OUT.gguf)");

	w = demo_build(&cfg, &err);
	if (w == NULL)
		return cli_error("demo", "%s", err.text);
	if (gguf_writer_write_file(w, out, &err) != 0) {
		gguf_writer_free(w);
		return cli_error("demo", "%s", err.text);
	}
	gguf_writer_free(w);
	return 0;
}
