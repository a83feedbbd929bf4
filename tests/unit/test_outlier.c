/* Unit tests for outlier.c and outlier_q8.c: known answers on hand-computed
 * vectors, the seed's four PMAT-806 cases, and the Q8_1 damage model. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "acts.h"
#include "outlier.h"
#include "quant.h"
#include "xalloc.h"

#define near(a, b, tol) assert_true(fabs((double)(a) - (double)(b)) <= (tol))

/* ------------------------------------------------------------ the seed's cases */

static float *
ones(size_t n)
{
	float *v = xmalloc(n * sizeof *v);
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = 1.0f;
	return v;
}

/* realizar massive_outlier_26x_rms_is_flagged */
static void
test_seed_26x_flagged(void **state)
{
	float *v = ones(1536);
	outlier_vec s;

	(void)state;
	v[408] = 26.0f;
	assert_true(outlier_seed_verdict(v, 1536, 8.0f));
	outlier_vec_stats(v, 1536, 8.0, &s);
	assert_true(s.seed_flag);
	assert_int_equal(s.argmax, 408);
	assert_int_equal(s.top[0].index, 408);
	assert_int_equal(s.n_above, 1);
	free(v);
}

/* ordinary_activation_5x_rms_is_not_flagged */
static void
test_seed_5x_not_flagged(void **state)
{
	float *v = ones(1536);

	(void)state;
	v[0] = 5.0f;
	assert_false(outlier_seed_verdict(v, 1536, 8.0f));
	free(v);
}

/* empty_and_zero_inputs_are_not_outliers */
static void
test_seed_empty_zero(void **state)
{
	float z[64] = { 0 };
	outlier_vec s;

	(void)state;
	assert_false(outlier_seed_verdict(NULL, 0, 8.0f));
	assert_false(outlier_seed_verdict(z, 64, 8.0f));
	outlier_vec_stats(z, 64, 8.0, &s);
	assert_false(s.seed_flag);
	assert_true(s.valid);
	assert_false(s.ratio_valid);
	assert_false(s.kurtosis_valid);
	outlier_vec_stats(NULL, 0, 8.0, &s);
	assert_false(s.valid);
	assert_false(s.seed_flag);
}

/* threshold_is_strict: 7.9x is not flagged, 9x is (N = 10000) */
static void
test_seed_strict_threshold(void **state)
{
	float *below = ones(10000), *above = ones(10000);

	(void)state;
	below[42] = 7.9f;
	above[42] = 9.0f;
	assert_false(outlier_seed_verdict(below, 10000, 8.0f));
	assert_true(outlier_seed_verdict(above, 10000, 8.0f));
	free(below);
	free(above);
}

/* Exactly at the threshold is not flagged: 4 values {2,0,0,0} have rms 1
 * and max/rms 2; the comparison is strict. */
static void
test_seed_exact_boundary(void **state)
{
	float v[4] = { 2.0f, 0.0f, 0.0f, 0.0f };

	(void)state;
	assert_false(outlier_seed_verdict(v, 4, 2.0f));
	assert_true(outlier_seed_verdict(v, 4, 1.999f));
}

/* ------------------------------------------------------------ vector statistics */

/* x = {3, -4, 0, 0}: rms = 2.5, max 4 at 1, mean -0.25,
 * m2 = 6.1875, m4 = 77.33203125, kurtosis = 2.019895928986838. */
static void
test_vec_known_answer(void **state)
{
	float x[4] = { 3.0f, -4.0f, 0.0f, 0.0f };
	outlier_vec s;

	(void)state;
	outlier_vec_stats(x, 4, 1.5, &s);
	assert_true(s.valid);
	near(s.rms, 2.5, 1e-15);
	near(s.max_abs, 4.0, 0);
	assert_int_equal(s.argmax, 1);
	near(s.max_over_rms, 1.6, 1e-15);
	near(s.mean, -0.25, 1e-15);
	assert_true(s.kurtosis_valid);
	near(s.kurtosis, 2.019895928986838, 1e-12);
	assert_int_equal(s.n_top, 4);
	assert_int_equal(s.top[0].index, 1);
	near(s.top[0].value, -4.0, 0);
	near(s.top[0].mult, 1.6, 1e-15);
	assert_int_equal(s.top[1].index, 0);
	near(s.top[1].mult, 1.2, 1e-15);
	assert_int_equal(s.top[2].index, 2); /* ties keep the lower index first */
	assert_int_equal(s.top[3].index, 3);
	assert_int_equal(s.n_above, 1);      /* |x| > 3.75 */
	outlier_vec_stats(x, 4, 1.0, &s);
	assert_int_equal(s.n_above, 2);      /* |x| > 2.5 */
}

static void
test_vec_kurtosis(void **state)
{
	float pm[4] = { 1, -1, 1, -1 }, spike[10] = { 0 }, c[3] = { 5, 5, 5 };
	outlier_vec s;

	(void)state;
	outlier_vec_stats(pm, 4, 8.0, &s);
	near(s.kurtosis, 1.0, 1e-15);
	/* One spike among n zeros: n - 2 + 1/(n - 1). */
	spike[7] = 3.0f;
	outlier_vec_stats(spike, 10, 8.0, &s);
	near(s.kurtosis, 8.0 + 1.0 / 9.0, 1e-12);
	/* Constant: m2 == 0, no kurtosis, but max/rms is 1. */
	outlier_vec_stats(c, 3, 8.0, &s);
	assert_false(s.kurtosis_valid);
	assert_true(s.ratio_valid);
	near(s.max_over_rms, 1.0, 1e-15);
}

static void
test_vec_top_many_and_ties(void **state)
{
	float x[20];
	outlier_vec s;
	int i;

	(void)state;
	for (i = 0; i < 20; i++)
		x[i] = (float)(i % 5);  /* 0 1 2 3 4 0 1 2 3 4 ... */
	outlier_vec_stats(x, 20, 8.0, &s);
	assert_int_equal(s.n_top, OUTLIER_TOP);
	assert_int_equal(s.top[0].index, 4);
	assert_int_equal(s.top[1].index, 9);
	assert_int_equal(s.top[2].index, 14);
	assert_int_equal(s.top[3].index, 19);
	assert_int_equal(s.top[4].index, 3);
	assert_int_equal(s.top[7].index, 18);
}

static void
test_vec_nonfinite(void **state)
{
	float x[5] = { 1, 2, NAN, 4, INFINITY };
	outlier_vec s;

	(void)state;
	outlier_vec_stats(x, 5, 8.0, &s);
	assert_false(s.valid);
	assert_int_equal(s.n_nonfinite, 2);
	assert_int_equal(s.first_nonfinite, 2);
	assert_false(s.seed_flag); /* the seed's rms is NaN: never flagged */
}

/* numpy.quantile([1,2,3,4,5], [.01,.1,.5,.9,.99]) = 1.04 1.4 3 4.6 4.96 */
static void
test_quantiles(void **state)
{
	double v[5] = { 5, 3, 1, 4, 2 }, one[1] = { 7 };
	outlier_quantiles q;

	(void)state;
	outlier_quantiles_of(v, 5, &q);
	assert_true(q.valid);
	near(q.min, 1, 0);
	near(q.p01, 1.04, 1e-12);
	near(q.p10, 1.4, 1e-12);
	near(q.p50, 3.0, 1e-12);
	near(q.p90, 4.6, 1e-12);
	near(q.p99, 4.96, 1e-12);
	near(q.max, 5, 0);
	outlier_quantiles_of(one, 1, &q);
	near(q.p50, 7, 0);
	outlier_quantiles_of(NULL, 0, &q);
	assert_false(q.valid);
}

/* ------------------------------------------------------------ Q8_1 */

/* One block: 127 sets d = 1 exactly; 1.4 -> 1, -0.6 -> -1 (errors 0.4 each). */
static void
test_q8_known_block(void **state)
{
	float x[32] = { 127.0f, 1.4f, -0.6f }, xq[32];
	double x2 = 127.0 * 127.0 + (double)1.4f * 1.4f + (double)0.6f * 0.6f;
	double e2 = ((double)1.4f - 1.0) * ((double)1.4f - 1.0) + ((double)0.6f - 1.0) * ((double)0.6f - 1.0);
	outlier_q8 q;

	(void)state;
	outlier_q8_analyze(x, 32, 8.0, xq, &q);
	assert_true(q.valid);
	assert_int_equal(q.n_blocks, 1);
	assert_int_equal(q.n_pad, 0);
	near(xq[0], 127.0, 0);
	near(xq[1], 1.0, 0);
	near(xq[2], -1.0, 0);
	near(xq[3], 0.0, 0);
	near(q.eps_x, sqrt(e2 / x2), 1e-12);
	near(q.eps_x, 0.00445389563118582, 1e-6);
	assert_int_equal(q.n_outlier_ch, 0); /* 127 < 8 x rms 22.45 */
	near(q.eps_bulk, q.eps_x, 1e-15);
	near(q.crest2, 127.0 * 127.0 * 32.0 / x2, 1e-9);
	assert_int_equal(q.n_zeroed, 0);
	assert_int_equal(q.n_worst, 1);
	near(q.worst[0].rel_err, q.eps_x, 1e-15);
	near(q.worst[0].amax, 127.0, 0);
	assert_false(q.hazard);
	near(q.gemv_pred, q.eps_x, 0);
	outlier_q8_free(&q);

	/* With mult 4 the 127 is an outlier: the bulk is {1.4, -0.6} only. */
	outlier_q8_analyze(x, 32, 4.0, NULL, &q);
	assert_int_equal(q.n_outlier_ch, 1);
	near(q.eps_bulk, sqrt(e2 / ((double)1.4f * 1.4f + (double)0.6f * 0.6f)), 1e-12);
	near(q.eps_bulk, 0.3713906763541038, 1e-6);
	outlier_q8_free(&q);
}

static void
test_q8_zeroed_and_padding(void **state)
{
	float x[40] = { 127.0f, 0.4f, -0.49f, 0.51f }, xq[40];
	outlier_q8 q;
	int i;

	(void)state;
	for (i = 32; i < 40; i++)
		x[i] = (float)(159 - i); /* 127, 126, ...: d = 1, exact */
	outlier_q8_analyze(x, 40, 8.0, xq, &q);
	assert_int_equal(q.n_blocks, 2);
	assert_int_equal(q.n_pad, 24);
	assert_int_equal(q.n_zeroed, 2);          /* 0.4 and -0.49 round to 0; 0.51 to 1 */
	near(xq[3], 1.0, 0);
	assert_int_equal(q.worst[0].block, 0);    /* block 1 is exact */
	near(q.block_err[1], 0.0, 0);
	assert_int_equal(q.worst[0].n_zeroed, 2);
	outlier_q8_free(&q);
}

/* The round trip equals d16 * round(x / d) computed here from the definition. */
static void
test_q8_roundtrip_definition(void **state)
{
	float x[256], xq[256];
	acts_rng r;
	int b, i;

	(void)state;
	acts_rng_seed(&r, 7);
	for (i = 0; i < 256; i++)
		x[i] = (float)(acts_rng_gauss(&r) * (i % 32 == 5 ? 40.0 : 1.0));
	outlier_q8_roundtrip(x, 256, xq);
	for (b = 0; b < 8; b++) {
		float amax = 0.0f, d, d16;

		for (i = 0; i < 32; i++)
			amax = fmaxf(amax, fabsf(x[32 * b + i]));
		d = amax / 127;
		d16 = quant_f16_to_f32(quant_f32_to_f16(d));
		for (i = 0; i < 32; i++)
			assert_true(xq[32 * b + i] == d16 * roundf(x[32 * b + i] / d));
	}
}

static void
test_q8_hazards(void **state)
{
	float x[32];
	outlier_q8 q;
	int i;

	(void)state;
	/* s = 32 x 3000 = 96000 is beyond fp16. */
	for (i = 0; i < 32; i++)
		x[i] = 3000.0f;
	outlier_q8_analyze(x, 32, 8.0, NULL, &q);
	assert_int_equal(q.n_s_overflow, 1);
	assert_int_equal(q.n_d_overflow, 0);
	near(q.max_block_sum, 96000.0, 0);
	assert_true(q.hazard);
	assert_non_null(strstr(q.hazard_why, "beyond fp16"));
	outlier_q8_free(&q);
	/* d = 1e7 / 127 > 65504. */
	memset(x, 0, sizeof x);
	x[3] = 1e7f;
	outlier_q8_analyze(x, 32, 8.0, NULL, &q);
	assert_int_equal(q.n_d_overflow, 1);
	assert_true(q.hazard);
	outlier_q8_free(&q);
	/* amax 1e-3: d = 7.9e-6 is an fp16 subnormal, in the only block. */
	for (i = 0; i < 32; i++)
		x[i] = i % 2 ? 1e-3f : -5e-4f;
	outlier_q8_analyze(x, 32, 8.0, NULL, &q);
	assert_int_equal(q.n_d_subnormal, 1);
	assert_true(q.hazard);
	assert_non_null(strstr(q.hazard_why, "subnormal"));
	outlier_q8_free(&q);
	/* amax 1e-7: d flushes to 0 and every value is lost. */
	for (i = 0; i < 32; i++)
		x[i] = 1e-7f;
	outlier_q8_analyze(x, 32, 8.0, NULL, &q);
	assert_int_equal(q.n_d_zero, 1);
	assert_int_equal(q.n_zeroed, 32);
	near(q.eps_x, 1.0, 1e-12);
	assert_true(q.hazard);
	outlier_q8_free(&q);
	/* A tiny block beside a normal one carries < 1% of the energy: no hazard. */
	{
		float y[64];

		for (i = 0; i < 32; i++) {
			y[i] = 1e-7f;
			y[32 + i] = 1.0f;
		}
		outlier_q8_analyze(y, 64, 8.0, NULL, &q);
		assert_int_equal(q.n_d_zero, 1);
		assert_false(q.hazard);
		outlier_q8_free(&q);
	}
}

static void
test_q8_invalid(void **state)
{
	float x[4] = { 1, NAN, 2, 3 };
	outlier_q8 q;

	(void)state;
	outlier_q8_analyze(x, 4, 8.0, NULL, &q);
	assert_false(q.valid);
	assert_non_null(strstr(q.why, "channel 1"));
	outlier_q8_free(&q);
	outlier_q8_analyze(NULL, 0, 8.0, NULL, &q);
	assert_false(q.valid);
	outlier_q8_free(&q);
}

/* outliers.md 2.2: eps_G = 0.534%; the saturated limit at K = 4096 is 8.72%. */
static void
test_q8_closed_form(void **state)
{
	(void)state;
	near(outlier_q8_eps_bulk_closed(0.0, 4096), 0.005338539126015656, 1e-12);
	near(outlier_q8_eps_bulk_closed(1e6, 4096), 0.08715996428980452, 1e-12);
	near(outlier_q8_eps_bulk_closed(10.0, 8), 0.04505630055432107, 1e-12);
	assert_true(isnan(outlier_q8_eps_bulk_closed(1.0, 0)));
}

/* Gaussian bulk plus one spike, the table of outliers.md 2.3: the error rises
 * with the spike, and the closed form tracks the exact eps_bulk. */
static void
test_q8_spike_raises_error(void **state)
{
	const uint64_t k = 4096;
	float *x = xmalloc(k * sizeof *x);
	acts_spike sp = { 1365, 26.0 };
	outlier_q8 q0, q26, q100;

	(void)state;
	acts_synth(x, k, 1, NULL, 0, NULL);
	outlier_q8_analyze(x, k, 8.0, NULL, &q0);
	acts_synth(x, k, 1, &sp, 1, NULL);
	outlier_q8_analyze(x, k, 8.0, NULL, &q26);
	sp.mult = 100.0;
	acts_synth(x, k, 1, &sp, 1, NULL);
	outlier_q8_analyze(x, k, 8.0, NULL, &q100);
	/* Baseline 0.54% (within Monte Carlo noise of one draw). */
	near(q0.eps_x, 0.0054, 0.0004);
	assert_int_equal(q0.n_outlier_ch, 0);
	assert_true(q26.eps_x > q0.eps_x);
	assert_true(q26.eps_bulk > q0.eps_bulk);
	assert_int_equal(q26.n_outlier_ch, 1);
	assert_true(q100.eps_bulk > 0.015 && q100.eps_bulk < 0.03); /* ~2.0% */
	near(q100.eps_bulk_pred, q100.eps_bulk, 0.2 * q100.eps_bulk);
	near(q26.eps_x_pred, q26.eps_x, 0.1 * q26.eps_x);
	assert_int_equal(q100.worst[0].block, 1365 / 32);
	outlier_q8_free(&q0);
	outlier_q8_free(&q26);
	outlier_q8_free(&q100);
	free(x);
}

/* ------------------------------------------------------------ profile */

/* ms = {4, 1 x 7}: R = sqrt(11/8), crest = 2/R, p = {4/11, 1/11...},
 * n_eff = 121/23, kurtosis = 8 x 23/121, max/median = 2. */
static void
test_profile_known_answer(void **state)
{
	double ms[8] = { 1, 1, 4, 1, 1, 1, 1, 1 };
	outlier_profile p;

	(void)state;
	outlier_profile_stats(ms, 8, 10.0, 1.5, &p);
	assert_true(p.valid);
	near(p.R, sqrt(11.0 / 8.0), 1e-15);
	near(p.crest, 1.7056057308448833, 1e-12);
	assert_int_equal(p.top_ch, 2);
	near(p.top1_share, 4.0 / 11.0, 1e-15);
	near(p.top8_share, 1.0, 1e-12);
	near(p.n_eff, 121.0 / 23.0, 1e-12);
	near(p.kurtosis, 8.0 * 23.0 / 121.0, 1e-12);
	assert_true(p.median_valid);
	near(p.max_over_median, 2.0, 1e-15);
	assert_true(p.peak_valid);
	near(p.c_peak, 10.0, 1e-12);   /* bulk rms 1 */
	near(p.eps_bulk_pred, 0.04505630055432107, 1e-12);
	assert_true(p.seed_flag);      /* crest 1.71 > 1.5 */
	assert_int_equal(p.top[0].index, 2);
	near(p.top[0].value, 2.0, 0);
	near(p.top[0].mult, p.crest, 1e-15);
	outlier_profile_stats(ms, 8, -1.0, 8.0, &p);
	assert_false(p.peak_valid);
	assert_false(p.seed_flag);
}

static void
test_profile_invalid(void **state)
{
	double z[4] = { 0 }, neg[3] = { 1, -1, 1 }, nan3[3] = { 1, NAN, 1 };
	outlier_profile p;

	(void)state;
	outlier_profile_stats(z, 4, -1, 8, &p);
	assert_false(p.valid);
	assert_non_null(strstr(p.why, "zero"));
	outlier_profile_stats(neg, 3, -1, 8, &p);
	assert_false(p.valid);
	assert_non_null(strstr(p.why, "channel 1"));
	outlier_profile_stats(nan3, 3, -1, 8, &p);
	assert_false(p.valid);
	outlier_profile_stats(NULL, 0, -1, 8, &p);
	assert_false(p.valid);
}

/* ------------------------------------------------------------ verdict */

static void
test_verdicts(void **state)
{
	outlier_vec v;
	outlier_q8 q;
	outlier_weights w;
	outlier_verdict d;

	(void)state;
	memset(&v, 0, sizeof v);
	memset(&q, 0, sizeof q);
	memset(&w, 0, sizeof w);
	v.n = 64;
	v.seed_flag = true;
	q.valid = q.eps_bulk_valid = true;
	q.eps_bulk = 0.01;
	outlier_verdict_vector(&v, &q, NULL, 0.02, &d);
	assert_true(d.valid);
	assert_true(d.seed_fp32);
	assert_false(d.fp32);
	q.eps_bulk = 0.03;
	outlier_verdict_vector(&v, &q, NULL, 0.02, &d);
	assert_true(d.fp32);
	assert_non_null(strstr(d.reason, "eps_bulk 3.00% > 2.00%"));
	q.eps_bulk = 0.01;
	w.gemv_valid = true;
	w.gemv_rel = 0.025;
	outlier_verdict_vector(&v, &q, &w, 0.02, &d);
	assert_true(d.fp32);
	assert_non_null(strstr(d.reason, "GEMV"));
	q.hazard = true;
	snprintf(q.hazard_why, sizeof q.hazard_why, "x");
	outlier_verdict_vector(&v, &q, NULL, 0.02, &d);
	assert_true(d.fp32);
	assert_non_null(strstr(d.reason, "fp16 hazard"));
	v.n_nonfinite = 1;
	outlier_verdict_vector(&v, &q, NULL, 0.02, &d);
	assert_true(d.fp32);
	assert_non_null(strstr(d.reason, "non-finite"));
	v.n = 0;
	outlier_verdict_vector(&v, &q, NULL, 0.02, &d);
	assert_false(d.valid);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_26x_flagged),
		cmocka_unit_test(test_seed_5x_not_flagged),
		cmocka_unit_test(test_seed_empty_zero),
		cmocka_unit_test(test_seed_strict_threshold),
		cmocka_unit_test(test_seed_exact_boundary),
		cmocka_unit_test(test_vec_known_answer),
		cmocka_unit_test(test_vec_kurtosis),
		cmocka_unit_test(test_vec_top_many_and_ties),
		cmocka_unit_test(test_vec_nonfinite),
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_q8_known_block),
		cmocka_unit_test(test_q8_zeroed_and_padding),
		cmocka_unit_test(test_q8_roundtrip_definition),
		cmocka_unit_test(test_q8_hazards),
		cmocka_unit_test(test_q8_invalid),
		cmocka_unit_test(test_q8_closed_form),
		cmocka_unit_test(test_q8_spike_raises_error),
		cmocka_unit_test(test_profile_known_answer),
		cmocka_unit_test(test_profile_invalid),
		cmocka_unit_test(test_verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
