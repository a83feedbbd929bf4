/* bench_layer: random quantized layers at any shape, quantized in parallel
 * (the reference quantizers take ~0.1 us per weight: a 14336 x 4096 layer
 * is seconds of work for one core). */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "quant.h"
#include "xalloc.h"

#define LAYER_MAX_THREADS 64

struct qjob {
	uint32_t type;
	int64_t k, row_begin, row_end; /* k: padded to whole super-blocks */
	uint64_t seed, row_bytes;
	uint8_t *w;
};

/* Each row draws from its own seed, so the bytes do not depend on the
 * thread count. */
static void *
quantize_rows(void *arg)
{
	const struct qjob *j = arg;
	float *row = xmalloc((size_t)j->k * sizeof *row), scale;
	int64_t r, c;

	for (r = j->row_begin; r < j->row_end; r++) {
		uint64_t rs = j->seed ^ (0x9e3779b97f4a7c15ull * (uint64_t)(r + 1));
		float z;

		bench_gaussian(&z, 1, rs ^ 0xa5a5a5a5a5a5a5a5ull);
		scale = 0.02f * expf(0.5f * z);
		bench_gaussian(row, j->k, rs);
		for (c = 0; c < j->k; c++)
			row[c] *= scale;
		if (j->type == QT_Q4_K)
			quant_quantize_q4_k(row, j->w + (uint64_t)r * j->row_bytes, j->k);
		else
			quant_quantize_q6_k(row, j->w + (uint64_t)r * j->row_bytes, j->k);
	}
	free(row);
	return NULL;
}

void *
bench_random_layer(uint32_t type, int64_t rows, int64_t k, uint64_t seed, int threads,
	bench_layer *layer, errmsg *err)
{
	struct qjob jobs[LAYER_MAX_THREADS];
	pthread_t tid[LAYER_MAX_THREADS];
	bool started[LAYER_MAX_THREADS];
	uint64_t row_bytes = 0;
	int64_t k_pad = (k + QK_K - 1) / QK_K * QK_K;
	uint8_t *w;
	int t, n;

	if (type != QT_Q4_K && type != QT_Q6_K) {
		errmsg_set(err, "random layers are Q4_K or Q6_K");
		return NULL;
	}
	if (rows <= 0 || k <= 0 || rows > INT32_MAX || k > INT32_MAX ||
	    !quant_row_bytes(type, (uint64_t)k_pad, &row_bytes)) {
		errmsg_set(err, "random layer %lld x %lld: rows and k must be positive",
			(long long)rows, (long long)k);
		return NULL;
	}
	if (threads <= 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);

		threads = cores > 0 ? (int)cores : 1;
	}
	n = threads < LAYER_MAX_THREADS ? threads : LAYER_MAX_THREADS;
	if (n > rows)
		n = (int)rows;
	w = xreallocarray(NULL, (size_t)rows, (size_t)row_bytes);
	for (t = 0; t < n; t++) {
		jobs[t] = (struct qjob){ type, k_pad, rows * t / n, rows * (t + 1) / n, seed, row_bytes, w };
		/* a thread that cannot start leaves its rows to this one */
		started[t] = t > 0 && pthread_create(&tid[t], NULL, quantize_rows, &jobs[t]) == 0;
	}
	for (t = 0; t < n; t++)
		if (!started[t])
			quantize_rows(&jobs[t]);
	for (t = 1; t < n; t++)
		if (started[t])
			pthread_join(tid[t], NULL);
	memset(layer, 0, sizeof *layer);
	layer->name = type == QT_Q4_K ? "random Q4_K layer" : "random Q6_K layer";
	layer->type = type;
	layer->rows = rows;
	layer->k = k;
	layer->w = w;
	layer->w_bytes = (uint64_t)rows * row_bytes;
	return w;
}
