/* Unit tests for bench without a GPU: the pure helpers, and the whole
 * measurement loop on the fake backend, whose "kernels" are host functions
 * that compute y right, leave rows unwritten, compute it slightly wrong, or
 * poison the context. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bench.h"
#include "fake_gpu.h"
#include "fake_kernels.h"
#include "quant.h"

/* ---------------------------------------------------------------- simulated kernels */

static uint32_t sim_type; /* the weight type of the layer under test */

struct gemv_args {
	float *y;
	const uint8_t *w;
	const uint8_t *x;
	int k, n;
};

static void
gemv_args(struct fake *f, void **p, struct gemv_args *a)
{
	uint64_t y, w, x, row_bytes;

	memcpy(&y, p[0], 8);
	memcpy(&w, p[1], 8);
	memcpy(&x, p[2], 8);
	memcpy(&a->k, p[3], 4);
	memcpy(&a->n, p[4], 4);
	assert_true(quant_row_bytes(sim_type, (uint64_t)(a->k + 255) / 256 * 256, &row_bytes));
	a->y = (float *)fake_mem(f, y, (size_t)a->n * 4);
	a->w = fake_mem(f, w, (size_t)(row_bytes * (uint64_t)a->n));
	a->x = fake_mem(f, x, 4);
	assert_non_null(a->y);
	assert_non_null(a->w);
	assert_non_null(a->x);
}

/* y = W x in float, rows [0, n_rows), each times `scale`; x is float, or
 * Q8_1 blocks when q8. */
static void
gemv(struct fake *f, void **p, bool q8, int n_rows_div, float scale)
{
	struct gemv_args a;
	uint64_t row_bytes;
	float *row, *x;
	int r, c;

	gemv_args(f, p, &a);
	quant_row_bytes(sim_type, (uint64_t)(a.k + 255) / 256 * 256, &row_bytes);
	row = malloc((size_t)(a.k + 255) / 256 * 256 * sizeof *row);
	x = malloc((size_t)a.k * sizeof *x);
	if (q8)
		for (c = 0; c < a.k; c++) {
			const uint8_t *blk = a.x + (c / 32) * Q8_1_BYTES;

			x[c] = quant_f16_to_f32((uint16_t)(blk[0] | blk[1] << 8)) * (float)(int8_t)blk[4 + c % 32];
		}
	else
		memcpy(x, a.x, (size_t)a.k * sizeof *x);
	for (r = 0; r < a.n / n_rows_div; r++) {
		float acc = 0;

		assert_int_equal(quant_dequant_row(sim_type, a.w + (uint64_t)r * row_bytes, row,
			(a.k + 255) / 256 * 256, NULL), 0);
		for (c = 0; c < a.k; c++)
			acc += row[c] * x[c];
		a.y[r] = acc * scale;
	}
	free(row);
	free(x);
}

static void sim_ok(struct fake *f, const gpu_launch_cfg *c, void **p) { gemv(f, p, false, 1, 1.0f); }
static void sim_half(struct fake *f, const gpu_launch_cfg *c, void **p) { gemv(f, p, false, 2, 1.0f); }
static void sim_off(struct fake *f, const gpu_launch_cfg *c, void **p) { gemv(f, p, false, 1, 1.001f); }
static void sim_q8(struct fake *f, const gpu_launch_cfg *c, void **p) { gemv(f, p, true, 1, 1.0f); }
static void sim_crash(struct fake *f, const gpu_launch_cfg *c, void **p) { f->sticky_next_sync = 1; }

static const struct fake_kernel kernels[] = {
	{ "gemv_ok", 5, { 8, 8, 8, 4, 4 }, sim_ok },
	{ "gemv_half", 5, { 8, 8, 8, 4, 4 }, sim_half },
	{ "gemv_off", 5, { 8, 8, 8, 4, 4 }, sim_off },
	{ "gemv_q8", 5, { 8, 8, 8, 4, 4 }, sim_q8 },
	{ "gemv_crash", 5, { 8, 8, 8, 4, 4 }, sim_crash },
	{ "quantize_q8_1", 3, { 8, 8, 4 }, fake_quantize_q8_1 },
	{ "quantize_nothing", 3, { 8, 8, 4 }, NULL },
	{ NULL, 0, { 0 }, NULL }
};

static bench_kernel
kernel(const char *entry)
{
	static const char ptx[] = "// simulated";
	bench_kernel k = { entry, ptx, sizeof ptx, { { 64, 1, 1 }, { 128, 1, 1 }, 0 } };

	return k;
}

/* A small random layer and a session on a fake gpu. */
struct fixture {
	struct fake *f;
	gpu *g;
	void *w;
	bench_layer layer;
	float x[512];
	bench_session *s;
	bench_opts o;
};

static void
setup(struct fixture *t, uint32_t type)
{
	errmsg e;

	memset(t, 0, sizeof *t);
	sim_type = type;
	t->g = fake_gpu_open_l2(&t->f, kernels, 4096);
	t->w = bench_random_layer(type, 64, 512, 7, 2, &t->layer, &e);
	assert_non_null(t->w);
	bench_gaussian(t->x, 512, 11);
	t->s = bench_open(t->g, &t->layer, t->x, 1, &e);
	assert_non_null(t->s);
	bench_opts_default(&t->o);
	t->o.reps = 5;
	t->o.warmup = 1;
	t->o.warm_l2 = true;
}

static void
teardown(struct fixture *t)
{
	bench_close(t->s);
	gpu_close(t->g);
	free(t->w);
}

/* ---------------------------------------------------------------- pure helpers */

static void
test_time_of(void **state)
{
	double odd[3] = { 3, 1, 2 }, even[4] = { 4, 1, 3, 2 };
	bench_time t;

	(void)state;
	t = bench_time_of(odd, 3);
	assert_true(t.valid && t.median_us == 2 && t.min_us == 1 && t.max_us == 3);
	t = bench_time_of(even, 4);
	assert_true(t.valid && t.median_us == 2.5 && t.min_us == 1 && t.max_us == 4);
	t = bench_time_of(even, 0);
	assert_false(t.valid);
}

static void
test_gemv_bytes(void **state)
{
	(void)state;
	/* Q4_K 4096 x 14336: 33,030,144 weight bytes + 57,344 (x) + 16,384 (y) */
	assert_int_equal(bench_gemv_bytes(33030144, 4096, 14336, false), 33030144 + 57344 + 16384);
	/* as Q8_1: 448 blocks x 36 bytes */
	assert_int_equal(bench_gemv_bytes(33030144, 4096, 14336, true), 33030144 + 16128 + 16384);
}

static void
test_gaussian(void **state)
{
	enum { N = 100000 };
	float *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
	double sum = 0, sq = 0;
	int i;

	(void)state;
	bench_gaussian(a, N, 42);
	bench_gaussian(b, N, 42);
	assert_memory_equal(a, b, N * sizeof *a);
	for (i = 0; i < N; i++) {
		sum += a[i];
		sq += (double)a[i] * a[i];
	}
	assert_true(fabs(sum / N) < 0.02);
	assert_true(fabs(sq / N - 1) < 0.02);
	bench_gaussian(b, N, 43);
	assert_true(memcmp(a, b, N * sizeof *a) != 0);
	free(a);
	free(b);
}

static void
test_random_layer(void **state)
{
	bench_layer l1, l2;
	void *a, *b;
	errmsg e;

	(void)state;
	a = bench_random_layer(QT_Q6_K, 33, 512, 5, 1, &l1, &e);
	b = bench_random_layer(QT_Q6_K, 33, 512, 5, 4, &l2, &e);
	assert_non_null(a);
	assert_int_equal(l1.w_bytes, 33 * 2 * Q6_K_BYTES);
	assert_int_equal(l1.rows, 33);
	assert_memory_equal(a, b, l1.w_bytes); /* independent of the thread count */
	free(a);
	free(b);
	/* k = 300 gives rows of two super-blocks */
	a = bench_random_layer(QT_Q4_K, 8, 300, 5, 1, &l1, &e);
	assert_non_null(a);
	assert_int_equal(l1.k, 300);
	assert_int_equal(l1.w_bytes, 8 * 2 * Q4_K_BYTES);
	free(a);
	assert_null(bench_random_layer(QT_Q4_K, 0, 256, 5, 1, &l1, &e));
	assert_null(bench_random_layer(QT_Q8_0, 8, 256, 5, 1, &l1, &e));
}

static void
test_open_rejects(void **state)
{
	struct fake *f;
	gpu *g = fake_gpu_open(&f, kernels);
	uint8_t w[Q4_K_BYTES * 2] = { 0 };
	bench_layer l = { "t", QT_Q8_0, 2, 256, w, sizeof w };
	float x[256] = { 0 };
	errmsg e;

	(void)state;
	assert_null(bench_open(g, &l, x, 1, &e));
	assert_non_null(strstr(e.text, "Q4_K and Q6_K"));
	l.type = QT_Q4_K;
	l.w_bytes = sizeof w - 1;
	assert_null(bench_open(g, &l, x, 1, &e));
	assert_non_null(strstr(e.text, "(144 bytes a row) does not match its 287 bytes"));
	gpu_close(g);
}

/* ---------------------------------------------------------------- the loop */

static void
test_unavailable(void **state)
{
	gpu *g = gpu_open_lib("/nonexistent/libcuda.so.1", 0);
	bench_layer l;
	void *w = bench_random_layer(QT_Q4_K, 4, 256, 1, 1, &l, NULL);
	float x[256];
	bench_session *s;
	bench_result r;
	bench_opts o;
	bench_kernel k = kernel("gemv_ok");

	(void)state;
	bench_gaussian(x, 256, 1);
	s = bench_open(g, &l, x, 1, NULL);
	assert_non_null(s);
	bench_opts_default(&o);
	assert_int_equal(bench_measure(s, &k, NULL, &o, &r), GPU_EFAIL);
	assert_non_null(strstr(r.error, "measurement unavailable: /nonexistent/libcuda.so.1 not found"));
	assert_false(r.gemv.valid);
	assert_false(r.checked);
	assert_false(r.pass);
	bench_close(s);
	gpu_close(g);
	free(w);
}

static void
test_fp32_pass(void **state)
{
	struct fixture t;
	bench_kernel k = kernel("gemv_ok");
	bench_result r;

	(void)state;
	setup(&t, QT_Q4_K);
	assert_int_equal(bench_measure(t.s, &k, NULL, &t.o, &r), 0);
	assert_true(r.pass);
	assert_true(r.checked);
	assert_int_equal(r.unwritten, 0);
	assert_true(r.rel_l2 < 1e-6);
	assert_true(r.tol == BENCH_TOL_FP32);
	assert_false(r.q8_checked);
	assert_string_equal(r.timer, "cuda events");
	/* The fake's events always say 1.5 ms. */
	assert_true(r.gemv.valid && r.gemv.median_us == 1500 && r.total.median_us == 1500);
	assert_false(r.quant.valid);
	assert_int_equal(r.bytes, bench_gemv_bytes(t.layer.w_bytes, 64, 512, false));
	assert_true(fabs(r.gbs - (double)r.bytes / 1500 / 1e3) < 1e-9);
	assert_true(r.attrs_valid && r.attrs.num_regs == 40);
	assert_true(r.occupancy_valid && r.blocks_per_sm == 16 && r.occupancy_pct == 100);
	assert_int_equal(t.f->launches, 6); /* warm-up + reps */
	teardown(&t);
}

static void
test_unwritten_rows_fail(void **state)
{
	struct fixture t;
	bench_kernel k = kernel("gemv_half");
	bench_result r;

	(void)state;
	setup(&t, QT_Q6_K);
	assert_int_equal(bench_measure(t.s, &k, NULL, &t.o, &r), 0);
	assert_false(r.pass);
	assert_int_equal(r.unwritten, 32);
	assert_int_equal(r.non_finite, 0);
	/* Even after a correct run: every launch is poisoned afresh. */
	k = kernel("gemv_ok");
	assert_int_equal(bench_measure(t.s, &k, NULL, &t.o, &r), 0);
	assert_true(r.pass);
	teardown(&t);
}

static void
test_small_error_fails_fp32(void **state)
{
	struct fixture t;
	bench_kernel k = kernel("gemv_off");
	bench_result r;

	(void)state;
	setup(&t, QT_Q4_K);
	assert_int_equal(bench_measure(t.s, &k, NULL, &t.o, &r), 0);
	assert_false(r.pass);
	assert_true(r.rel_l2 > 0.9e-3 && r.rel_l2 < 1.1e-3);
	teardown(&t);
}

static void
test_q8_pass_and_times(void **state)
{
	struct fixture t;
	bench_kernel k = kernel("gemv_q8"), q = kernel("quantize_q8_1");
	bench_result r;

	(void)state;
	setup(&t, QT_Q6_K);
	assert_int_equal(bench_measure(t.s, &k, &q, &t.o, &r), 0);
	assert_true(r.pass);
	assert_true(r.tol == BENCH_TOL_Q8);
	assert_true(r.q8_checked && r.q8_rel_l2 < 1e-6);
	assert_true(r.rel_l2 > 1e-4 && r.rel_l2 < 2e-2); /* the activation rounding */
	assert_true(r.quant.valid && r.quant.median_us == 1500);
	assert_true(r.total.valid && r.total.median_us == 3000);
	assert_int_equal(r.bytes, bench_gemv_bytes(t.layer.w_bytes, 64, 512, true));
	teardown(&t);
}

/* The Q8_1 buffer is poisoned before each quantizer launch, so a GEMV
 * cannot pass on what an earlier launch left there. */
static void
test_q8_stale_input_fails(void **state)
{
	struct fixture t;
	bench_kernel k = kernel("gemv_q8"), q = kernel("quantize_q8_1"), none = kernel("quantize_nothing");
	bench_result r;

	(void)state;
	setup(&t, QT_Q4_K);
	assert_int_equal(bench_measure(t.s, &k, &q, &t.o, &r), 0);
	assert_true(r.pass);
	assert_int_equal(bench_measure(t.s, &k, &none, &t.o, &r), 0);
	assert_false(r.pass);
	teardown(&t);
}

static void
test_sticky_error_recovers(void **state)
{
	struct fixture t;
	bench_kernel crash = kernel("gemv_crash"), ok = kernel("gemv_ok");
	bench_result r;
	int allocs;

	(void)state;
	setup(&t, QT_Q4_K);
	assert_int_equal(bench_measure(t.s, &ok, NULL, &t.o, &r), 0);
	allocs = t.f->allocs;
	assert_int_equal(bench_measure(t.s, &crash, NULL, &t.o, &r), GPU_ERESET);
	assert_true(r.context_reset);
	assert_false(r.pass);
	assert_non_null(strstr(r.error, "CUDA_ERROR_ILLEGAL_ADDRESS"));
	assert_non_null(strstr(r.error, "after kernel gemv_crash"));
	assert_int_equal(gpu_generation(t.g), 2);
	/* The next kernel runs on re-uploaded buffers. */
	assert_int_equal(bench_measure(t.s, &ok, NULL, &t.o, &r), 0);
	assert_true(r.pass);
	assert_true(t.f->allocs > allocs);
	teardown(&t);
}

static void
test_cold_l2_flushes(void **state)
{
	struct fixture t;
	bench_kernel k = kernel("gemv_ok");
	bench_result r;
	int fills;

	(void)state;
	setup(&t, QT_Q4_K);
	fills = t.f->fills;
	assert_int_equal(bench_measure(t.s, &k, NULL, &t.o, &r), 0);
	assert_int_equal(t.f->fills - fills, 6); /* poison only */
	assert_true(r.warm_l2);
	t.o.warm_l2 = false;
	fills = t.f->fills;
	assert_int_equal(bench_measure(t.s, &k, NULL, &t.o, &r), 0);
	assert_int_equal(t.f->fills - fills, 12); /* poison + flush */
	assert_false(r.warm_l2);
	assert_true(r.pass);
	teardown(&t);
}

/* k = 300: rows of two super-blocks, the second one mostly padding. */
static void
test_padded_k(void **state)
{
	struct fake *f;
	gpu *g;
	bench_layer l;
	void *w;
	float x[300];
	bench_session *s;
	bench_result r;
	bench_opts o;
	bench_kernel k = kernel("gemv_ok");
	errmsg e;

	(void)state;
	sim_type = QT_Q4_K;
	g = fake_gpu_open_l2(&f, kernels, 4096);
	w = bench_random_layer(QT_Q4_K, 16, 300, 3, 1, &l, &e);
	bench_gaussian(x, 300, 9);
	s = bench_open(g, &l, x, 1, &e);
	assert_non_null(s);
	bench_opts_default(&o);
	o.reps = 2;
	assert_int_equal(bench_measure(s, &k, NULL, &o, &r), 0);
	assert_true(r.pass);
	assert_true(r.rel_l2 < 1e-6);
	bench_close(s);
	gpu_close(g);
	free(w);
}

static void
test_bad_opts(void **state)
{
	struct fixture t;
	bench_kernel k = kernel("gemv_ok");
	bench_result r;

	(void)state;
	setup(&t, QT_Q4_K);
	t.o.reps = 0;
	assert_int_equal(bench_measure(t.s, &k, NULL, &t.o, &r), GPU_EFAIL);
	assert_non_null(strstr(r.error, "0 reps"));
	teardown(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_of),
		cmocka_unit_test(test_gemv_bytes),
		cmocka_unit_test(test_gaussian),
		cmocka_unit_test(test_random_layer),
		cmocka_unit_test(test_open_rejects),
		cmocka_unit_test(test_unavailable),
		cmocka_unit_test(test_fp32_pass),
		cmocka_unit_test(test_unwritten_rows_fail),
		cmocka_unit_test(test_small_error_fails_fp32),
		cmocka_unit_test(test_q8_pass_and_times),
		cmocka_unit_test(test_q8_stale_input_fails),
		cmocka_unit_test(test_sticky_error_recovers),
		cmocka_unit_test(test_cold_l2_flushes),
		cmocka_unit_test(test_padded_k),
		cmocka_unit_test(test_bad_opts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
