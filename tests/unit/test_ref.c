/* Unit tests for ref: the float64 reference GEMV against hand-computed
 * values and a naive loop, thread-count independence, argument errors, and
 * ref_compare including non-finite values. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "quant.h"
#include "ref.h"

static uint64_t rng_state = 88172645463325252ull;

static float
rng_sym(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (float)((double)(rng_state >> 11) * 0x1p-53 * 2.0 - 1.0);
}

static void
test_f32_known(void **state)
{
	/* W = [[1, 2, 3], [-1, 0.5, 4]], x = [2, -4, 0.25]. */
	const float w[6] = { 1, 2, 3, -1, 0.5f, 4 }, x[3] = { 2, -4, 0.25f };
	double y[2] = { 99, 99 };
	errmsg err;

	(void)state;
	assert_int_equal(ref_gemv(QT_F32, w, 2, 3, x, y, 1, &err), 0);
	assert_true(y[0] == 2 - 8 + 0.75);
	assert_true(y[1] == -2 - 2 + 1);
}

/* Products and sums are formed in double: 1e8 + 1 - 1e8 keeps the 1 that a
 * float accumulator would lose. */
static void
test_accumulates_in_double(void **state)
{
	const float w[3] = { 1e8f, 1.0f, -1e8f }, x[3] = { 1, 1, 1 };
	double y;

	(void)state;
	assert_int_equal(ref_gemv(QT_F32, w, 1, 3, x, &y, 1, NULL), 0);
	assert_true(y == 1.0);
}

/* A quantized matrix against dequantize-then-naive-double-loop. */
static void
test_matches_naive(void **state)
{
	enum { rows = 7, k = 2 * QK_K };
	static float wf[rows * k], x[k], row[k];
	static uint8_t wq[rows * (k / QK_K) * Q6_K_BYTES];
	double y[rows];
	errmsg err;

	(void)state;
	for (int i = 0; i < rows * k; i++)
		wf[i] = rng_sym();
	for (int i = 0; i < k; i++)
		x[i] = rng_sym() * 3;
	quant_quantize_q6_k(wf, wq, rows * k);
	assert_int_equal(ref_gemv(QT_Q6_K, wq, rows, k, x, y, 2, &err), 0);
	for (int r = 0; r < rows; r++) {
		double acc = 0;

		assert_int_equal(quant_dequant_row(QT_Q6_K, wq + r * (k / QK_K) * Q6_K_BYTES, row, k, NULL), 0);
		for (int c = 0; c < k; c++)
			acc += (double)row[c] * x[c];
		assert_true(acc == y[r]);
		/* And it is close to the unquantized product. */
		double exact = 0;
		for (int c = 0; c < k; c++)
			exact += (double)wf[r * k + c] * x[c];
		assert_true(fabs(acc - exact) < 0.1 * sqrt(k));
	}
}

/* 1, 2, 3 and "all cores" threads give identical bits. */
static void
test_threads_identical(void **state)
{
	enum { rows = 67, k = 16 * QK_K };
	float *wf = malloc((size_t)rows * k * sizeof *wf), x[k];
	uint8_t *wq = malloc((size_t)rows * (k / QK_K) * Q4_K_BYTES);
	double y1[rows], yn[rows];

	(void)state;
	assert_non_null(wf);
	assert_non_null(wq);
	for (int i = 0; i < rows * k; i++)
		wf[i] = rng_sym();
	for (int i = 0; i < k; i++)
		x[i] = rng_sym();
	quant_quantize_q4_k(wf, wq, (int64_t)rows * k);
	assert_int_equal(ref_gemv(QT_Q4_K, wq, rows, k, x, y1, 1, NULL), 0);
	for (int t = 0; t <= 5; t++) {
		memset(yn, 0, sizeof yn);
		assert_int_equal(ref_gemv(QT_Q4_K, wq, rows, k, x, yn, t, NULL), 0);
		assert_memory_equal(y1, yn, sizeof y1);
	}
	free(wf);
	free(wq);
}

static void
test_errors(void **state)
{
	uint8_t w[Q4_K_BYTES] = { 0 };
	float x[QK_K] = { 0 };
	double y[1] = { 42 };
	errmsg err;

	(void)state;
	assert_int_equal(ref_gemv(QT_Q2_K, w, 1, QK_K, x, y, 1, &err), -1);
	assert_non_null(strstr(err.text, "q2_K"));
	assert_int_equal(ref_gemv(5, w, 1, QK_K, x, y, 1, &err), -1);
	assert_non_null(strstr(err.text, "unknown"));
	assert_int_equal(ref_gemv(QT_Q4_K, w, 1, 100, x, y, 1, &err), -1);
	assert_non_null(strstr(err.text, "100"));
	assert_int_equal(ref_gemv(QT_Q4_K, w, -1, QK_K, x, y, 1, &err), -1);
	assert_true(y[0] == 42);
	assert_int_equal(ref_gemv(QT_Q4_K, w, 0, QK_K, x, y, 0, &err), 0);
}

static void
test_compare(void **state)
{
	const double ref[3] = { 1, 4, 0 };
	const float same[3] = { 1, 4, 0 }, off[3] = { 1, 2, 0.5f };
	float bad[3] = { 1, 4, 0 };
	const double zero[2] = { 0, 0 };
	const float fzero[2] = { 0, 0 }, fone[2] = { 0, 1 };
	ref_error e;

	(void)state;
	e = ref_compare(same, ref, 3);
	assert_true(e.max_abs == 0 && e.rel_l2 == 0 && e.n_bad == 0);

	e = ref_compare(off, ref, 3);
	assert_true(e.max_abs == 2.0);
	assert_true(fabs(e.rel_l2 - sqrt(4.25 / 17.0)) < 1e-15);
	assert_int_equal(e.n_bad, 0);

	bad[1] = NAN;
	e = ref_compare(bad, ref, 3);
	assert_int_equal(e.n_bad, 1);
	assert_true(isinf(e.max_abs) && isinf(e.rel_l2));
	bad[0] = -INFINITY;
	e = ref_compare(bad, ref, 3);
	assert_int_equal(e.n_bad, 2);
	assert_true(isinf(e.rel_l2));

	e = ref_compare(fzero, zero, 2);
	assert_true(e.max_abs == 0 && e.rel_l2 == 0 && e.n_bad == 0);
	e = ref_compare(fone, zero, 2);
	assert_true(e.max_abs == 1 && isinf(e.rel_l2) && e.n_bad == 0);

	e = ref_compare(NULL, NULL, 0);
	assert_true(e.max_abs == 0 && e.rel_l2 == 0 && e.n_bad == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_f32_known),
		cmocka_unit_test(test_accumulates_in_double),
		cmocka_unit_test(test_matches_naive),
		cmocka_unit_test(test_threads_identical),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_compare),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
