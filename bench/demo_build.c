/* demo_build: how long the full-size demo block takes to build, and how
 * fast the Q4_K / Q6_K quantizers run (one-group-at-a-time vs vector
 * lanes, byte-identical).
 *   bench/demo_build [THREADS...]    (default: 1 and one per core)
 * Prints wall and CPU seconds of demo_open (build + serialize + open in
 * memory) per thread count, then ns per element of each quantizer.
 * Exit status 0, or 1 on an error (message on stderr). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "demo.h"
#include "quant.h"
#include "quant_priv.h"
#include "xalloc.h"

static double
bench_sec(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
bench_open(int threads)
{
	demo_config c;
	gguf_file *f;
	errmsg err;
	double w0, c0, w1, c1;

	demo_config_default(&c);
	c.threads = threads;
	w0 = bench_sec(CLOCK_MONOTONIC);
	c0 = bench_sec(CLOCK_PROCESS_CPUTIME_ID);
	f = demo_open(&c, &err);
	w1 = bench_sec(CLOCK_MONOTONIC);
	c1 = bench_sec(CLOCK_PROCESS_CPUTIME_ID);
	if (f == NULL) {
		fprintf(stderr, "demo_build: %s\n", err.text);
		return -1;
	}
	printf("demo_open %ux%u/%u threads=%-3d %6.2f s wall %6.2f s cpu  %.1f MiB\n",
		c.hidden, c.ffn, c.kv_dim, threads, w1 - w0, c1 - c0, (double)gguf_size(f) / (1 << 20));
	gguf_close(f);
	return 0;
}

/* ns per element of quantizing n Gaussian-ish floats. */
static double
bench_quant(void (*q)(const float *, void *, int64_t), const float *x, void *dst, int64_t n)
{
	double t0 = bench_sec(CLOCK_PROCESS_CPUTIME_ID);

	q(x, dst, n);
	return (bench_sec(CLOCK_PROCESS_CPUTIME_ID) - t0) / (double)n * 1e9;
}

int
main(int argc, char **argv)
{
	const int64_t n = 1024 * QK_K;
	float *x = xmalloc((size_t)n * sizeof *x);
	uint8_t *q = xmalloc((size_t)n);
	uint64_t s = 1;

	if (argc > 1) {
		for (int i = 1; i < argc; i++) {
			long t;

			if (!cli_parse_long(argv[i], &t) || t < 0 || t > 64) {
				fprintf(stderr, "demo_build: '%s' is not a thread count (0..64)\n", argv[i]);
				return 1;
			}
			if (bench_open((int)t) != 0)
				return 1;
		}
	} else if (bench_open(1) != 0 || bench_open(0) != 0) {
		return 1;
	}
	for (int64_t i = 0; i < n; i++) {
		/* A sum of uniforms: close enough to Gaussian for timing. */
		double v = 0;

		for (int j = 0; j < 4; j++) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			v += (double)(s >> 11) * 0x1p-53 - 0.5;
		}
		x[i] = (float)(v * 0.03);
	}
	printf("q4_K: %.1f ns/element one group at a time, %.1f ns/element in lanes\n",
		bench_quant(quant_quantize_q4_k_scalar, x, q, n), bench_quant(quant_quantize_q4_k, x, q, n));
	printf("q6_K: %.1f ns/element one group at a time, %.1f ns/element in lanes\n",
		bench_quant(quant_quantize_q6_k_scalar, x, q, n), bench_quant(quant_quantize_q6_k, x, q, n));
	free(x);
	free(q);
	return 0;
}
