/* `ggscope extract FILE --layer N -o OUT.gguf`: one transformer block (or
 * the non-block tensors) of a model as a GGUF file of its own, with all of
 * the model's metadata, so the rest of ggscope (and llama.cpp tools) can
 * work on one layer. The output is written to a temporary file and renamed. */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "gguf.h"
#include "gguf_write.h"
#include "layers.h"
#include "xalloc.h"

/* The blocks a file has, as ranges: "0..31", "0..3, 5, 7..9". */
static void
extract_block_ranges(const layer_map *m, char *out, size_t cap)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < m->n_groups && o < cap; i++) {
		long first = m->groups[i].block, last;

		if (first < 0)
			continue;
		while (i + 1 < m->n_groups && m->groups[i + 1].block == m->groups[i].block + 1)
			i++;
		last = m->groups[i].block;
		if (last == first)
			o += (size_t)snprintf(out + o, cap - o, "%s%ld", o > 0 ? ", " : "", first);
		else
			o += (size_t)snprintf(out + o, cap - o, "%s%ld..%ld", o > 0 ? ", " : "", first, last);
	}
}

/* Parse --layer: a block number, or "global" / -1 for the non-block group. */
static bool
extract_parse_layer(const char *s, long *block)
{
	if (strcmp(s, "global") == 0) {
		*block = -1;
		return true;
	}
	return cli_parse_long(s, block) && *block >= -1;
}

/* Copy the metadata and the group's tensors into a writer and write it. */
static int
extract_write(const gguf_file *f, const layer_group *g, const char *out, errmsg *err)
{
	gguf_writer *w = gguf_writer_new(gguf_alignment(f));
	size_t i;
	int rc = 0;

	for (i = 0; i < gguf_kv_count(f); i++)
		gguf_writer_set_value(w, gguf_kv_at(f, i)->key, &gguf_kv_at(f, i)->value);
	for (i = 0; i < g->n_tensors && rc == 0; i++) {
		const gguf_tensor *t = gguf_tensor_at(f, g->tensors[i]);

		rc = gguf_writer_add_tensor(w, t->name, t->n_dims, t->ne, t->type, t->data, t->n_bytes, 0, err);
	}
	if (rc == 0)
		rc = gguf_writer_write_file(w, out, err);
	gguf_writer_free(w);
	return rc;
}

static void
extract_help(void)
{
	printf("Usage: ggscope extract [OPTION]... FILE --layer N -o OUT.gguf\n"
		"Write the tensors of one transformer block (blk.N.*) of a GGUF model, with all\n"
		"of the model's metadata, to a new GGUF file (written to a temporary file in\n"
		"the same directory, then renamed).\n\n"
		"  -l, --layer N       the block to extract; 'global' or -1 for the tensors\n"
		"                      outside any block (token_embd, output, ...)\n"
		"  -o, --output FILE   where to write it\n"
		"  -h, --help          display this help and exit\n\n"
		"Exit status: 0 success, 1 error (unreadable file, no such block, write\n"
		"failure), 2 usage error.\n");
}

int
cmd_extract(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "layer", required_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *layer_arg = NULL, *out = NULL;
	const layer_group *g;
	gguf_file *f;
	layer_map *m;
	long block = 0;
	errmsg err;
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":l:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l': layer_arg = optarg; break;
		case 'o': out = optarg; break;
		case 'h': extract_help(); return 0;
		case ':': return cli_usage_error("extract", "option '%s' needs an argument", argv[optind - 1]);
		default:
			if (optopt != 0)
				return cli_usage_error("extract", "invalid option -- '%c'", optopt);
			return cli_usage_error("extract", "unrecognized option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("extract", "missing FILE");
	if (argc - optind > 1)
		return cli_usage_error("extract", "one FILE expected, got %d", argc - optind);
	if (layer_arg == NULL)
		return cli_usage_error("extract", "missing --layer N");
	if (!extract_parse_layer(layer_arg, &block))
		return cli_usage_error("extract", "--layer: '%s' is not a block number or 'global'", layer_arg);
	if (out == NULL || out[0] == '\0')
		return cli_usage_error("extract", "missing -o OUT.gguf");

	f = gguf_open(argv[optind], &err);
	if (f == NULL)
		return cli_error("extract", "%s", err.text);
	m = layers_group(f);
	g = layers_find_block(m, block);
	if (g == NULL) {
		char ranges[512];

		extract_block_ranges(m, ranges, sizeof ranges);
		if (block < 0)
			rc = cli_error("extract", "%s: no tensors outside the blocks", argv[optind]);
		else if (ranges[0] == '\0')
			rc = cli_error("extract", "%s: no block %ld: the file has no blk.N tensors", argv[optind], block);
		else
			rc = cli_error("extract", "%s: no block %ld: the file has blocks %s", argv[optind], block, ranges);
	} else if (extract_write(f, g, out, &err) != 0) {
		rc = cli_error("extract", "%s", err.text);
	} else {
		char what[32];

		if (block < 0)
			snprintf(what, sizeof what, "non-block tensors");
		else
			snprintf(what, sizeof what, "block %ld", block);
		printf("%s: %s, %zu tensors, %" PRIu64 " bytes of data\n", out, what, g->n_tensors, g->n_bytes);
		rc = 0;
	}
	layers_free(m);
	gguf_close(f);
	return rc;
}
