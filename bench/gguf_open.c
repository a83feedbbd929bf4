/* gguf_open: show that opening a GGUF file costs the same whatever its size.
 *
 * Writes model-shaped files (a 152k-token vocabulary, ~400 tensors in 36
 * blocks) whose tensor data are holes (sparse files), at several total
 * sizes, then times gguf_open + gguf_close on each. Only the header is
 * parsed, so the times should match across sizes.
 *   bench/gguf_open [DIR] [REPEATS]     (default: $TMPDIR or /tmp, 50)
 * Prints one line per file: size, tensors, and the median / min open time.
 * Exit status 0, or 1 on an error (message on stderr). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gguf.h"
#include "gguf_write.h"
#include "quant.h"
#include "xalloc.h"

#define BENCH_BLOCKS 36
#define BENCH_VOCAB 151936

static double
bench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* A llama-like file of about `target` bytes: 11 tensors per block whose
 * row count is scaled so the data adds up to the target. */
static int
bench_write(const char *path, uint64_t target, errmsg *err)
{
	static const char *const parts[] = {
		"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down",
	};
	gguf_writer *w = gguf_writer_new(0);
	const char **tokens = xmalloc(BENCH_VOCAB * sizeof *tokens);
	char (*tok)[16] = xmalloc(BENCH_VOCAB * sizeof *tok);
	uint64_t per_tensor = target / (BENCH_BLOCKS * 7), rows, ne[2];
	int b, i, rc = 0;

	for (i = 0; i < BENCH_VOCAB; i++) {
		snprintf(tok[i], sizeof tok[i], "tok%d", i);
		tokens[i] = tok[i];
	}
	gguf_writer_set_str(w, "general.architecture", "llama");
	gguf_writer_set_u32(w, "llama.block_count", BENCH_BLOCKS);
	gguf_writer_set_str_array(w, "tokenizer.ggml.tokens", tokens, BENCH_VOCAB);
	rows = per_tensor / (16 * Q4_K_BYTES);
	if (rows == 0)
		rows = 1;
	for (b = 0; b < BENCH_BLOCKS && rc == 0; b++) {
		for (i = 0; i < 7 && rc == 0; i++) {
			char name[64];

			snprintf(name, sizeof name, "blk.%d.%s.weight", b, parts[i]);
			ne[0] = 4096;
			ne[1] = rows;
			rc = gguf_writer_add_tensor(w, name, 2, ne, QT_Q4_K, NULL, rows * 16 * Q4_K_BYTES, 0, err);
		}
		for (i = 0; i < 4 && rc == 0; i++) {
			char name[64];

			snprintf(name, sizeof name, "blk.%d.norm%d.weight", b, i);
			ne[0] = 4096;
			rc = gguf_writer_add_tensor(w, name, 1, ne, QT_F32, NULL, 4096 * 4, 0, err);
		}
	}
	if (rc == 0)
		rc = gguf_writer_write_file(w, path, err);
	gguf_writer_free(w);
	free(tokens);
	free(tok);
	return rc;
}

static int
bench_one(const char *path, int repeats)
{
	double *t = xmalloc((size_t)repeats * sizeof *t);
	gguf_file *f = NULL;
	uint64_t size = 0;
	size_t tensors = 0;
	errmsg err;
	int i;

	for (i = 0; i < repeats; i++) {
		double t0 = bench_now_us();

		f = gguf_open(path, &err);
		if (f == NULL) {
			fprintf(stderr, "gguf_open: %s\n", err.text);
			free(t);
			return 1;
		}
		size = gguf_size(f);
		tensors = gguf_tensor_count(f);
		gguf_close(f);
		t[i] = bench_now_us() - t0;
	}
	qsort(t, (size_t)repeats, sizeof *t, bench_cmp);
	printf("%12.1f MiB  %5zu tensors  open+close median %8.1f us  min %8.1f us\n",
		(double)size / (1 << 20), tensors, t[repeats / 2], t[0]);
	free(t);
	return 0;
}

int
main(int argc, char **argv)
{
	static const uint64_t sizes[] = { 10ull << 20, 2ull << 30, 64ull << 30 };
	const char *dir = argc > 1 ? argv[1] : getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
	int repeats = argc > 2 ? atoi(argv[2]) : 50;
	size_t i;
	int rc = 0;

	if (repeats < 1)
		repeats = 1;
	printf("gguf_open on sparse model-shaped files (%d vocabulary strings, %d blocks), %d runs each\n",
		BENCH_VOCAB, BENCH_BLOCKS, repeats);
	for (i = 0; i < sizeof sizes / sizeof sizes[0] && rc == 0; i++) {
		char path[4096];
		errmsg err;

		snprintf(path, sizeof path, "%s/ggscope-bench-%zu.gguf", dir, i);
		if (bench_write(path, sizes[i], &err) != 0) {
			fprintf(stderr, "writing %s: %s\n", path, err.text);
			return 1;
		}
		rc = bench_one(path, repeats);
		unlink(path);
	}
	return rc;
}
