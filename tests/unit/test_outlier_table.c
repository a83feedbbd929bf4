/* Unit tests for the weight pass (column norms, scale quantiles, the
 * simulated Q8_1 GEMV), the detail report, the measured-error hook and the
 * per-layer table, on small matrices built here. */
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

#include "acts.h"
#include "gguf_write.h"
#include "outlier.h"
#include "quant.h"
#include "ref.h"
#include "xalloc.h"

#define near(a, b, tol) assert_true(fabs((double)(a) - (double)(b)) <= (tol))

static float *
gauss(uint64_t n, uint64_t seed, double scale)
{
	float *v = xmalloc(n * sizeof *v);
	acts_rng r;
	uint64_t i;

	acts_rng_seed(&r, seed);
	for (i = 0; i < n; i++)
		v[i] = (float)(scale * acts_rng_gauss(&r));
	return v;
}

/* ------------------------------------------------------------ weights */

/* W = I (f32, 32 x 32): every column norm is 1 and W q(x) - W x = q(x) - x,
 * so the simulated GEMV error is eps_x. */
static void
test_weights_identity(void **state)
{
	float w[32 * 32] = { 0 }, x[32], xq[32];
	outlier_weights ws;
	outlier_q8 q;
	errmsg e;
	int i;

	(void)state;
	for (i = 0; i < 32; i++) {
		w[i * 32 + i] = 1.0f;
		x[i] = (float)(i % 7) - 3.0f;
	}
	x[5] = 90.0f;
	outlier_q8_analyze(x, 32, 8.0, xq, &q);
	assert_int_equal(outlier_weights_analyze(QT_F32, w, 32, 32, x, xq, NULL, 1, &ws, &e), 0);
	for (i = 0; i < 32; i++)
		near(ws.col_norm[i], 1.0, 0);
	near(ws.col_rms, 1.0, 1e-15);
	assert_true(ws.gemv_valid);
	near(ws.gemv_rel, q.eps_x, 1e-12);
	assert_false(ws.gemv_bulk_valid);
	assert_false(ws.scales_valid);
	assert_non_null(strstr(ws.scales_why, "f32 has no block scales"));
	outlier_weights_free(&ws);
	outlier_q8_free(&q);
}

/* Q8_0, 2 rows x 64: block scales d = 1, 2 (row 0) and 3, 4 (row 1), every
 * quant 1, so column c of block b has norm sqrt(d_0b^2 + d_1b^2). */
static void
test_weights_q8_0_known(void **state)
{
	uint8_t w[4 * Q8_0_BYTES];
	const float d[4] = { 1, 2, 3, 4 };
	outlier_weights ws;
	errmsg e;
	int b, i;

	(void)state;
	for (b = 0; b < 4; b++) {
		uint16_t h = quant_f32_to_f16(d[b]);

		w[b * Q8_0_BYTES] = (uint8_t)h;
		w[b * Q8_0_BYTES + 1] = (uint8_t)(h >> 8);
		for (i = 0; i < 32; i++)
			w[b * Q8_0_BYTES + 2 + i] = 1;
	}
	assert_int_equal(outlier_weights_analyze(QT_Q8_0, w, 2, 64, NULL, NULL, NULL, 0, &ws, &e), 0);
	near(ws.col_norm[0], sqrt(10.0), 1e-12);
	near(ws.col_norm[63], sqrt(20.0), 1e-12);
	near(ws.col_rms, sqrt(15.0), 1e-12);
	assert_int_equal(ws.top[0].index, 32);          /* first of the larger columns */
	near(ws.top[0].mult, sqrt(20.0 / 15.0), 1e-12);
	assert_true(ws.scales_valid);
	assert_false(ws.has_dmin);
	assert_int_equal(ws.d.n, 4);
	near(ws.d.min, 1, 0);
	near(ws.d.p50, 2.5, 1e-12);
	near(ws.d.max, 4, 0);
	assert_false(ws.gemv_valid);
	outlier_weights_free(&ws);
}

/* A Q4_K matrix: results do not depend on the thread count, and the
 * simulated error agrees with the project's float64 reference GEMV. */
static void
test_weights_threads_and_ref(void **state)
{
	const uint64_t rows = 70, k = 512;
	uint64_t rb, r;
	float *wf = gauss(rows * k, 5, 0.02), *x = gauss(k, 6, 1.0), *xq = xmalloc(k * sizeof *xq);
	uint8_t *w;
	double *y = xmalloc(rows * sizeof *y), *yq = xmalloc(rows * sizeof *yq), e2 = 0, y2 = 0;
	outlier_weights a, b;
	errmsg e;

	(void)state;
	x[100] = 300.0f;
	assert_true(quant_row_bytes(QT_Q4_K, k, &rb));
	w = xmalloc(rb * rows);
	for (r = 0; r < rows; r++)
		quant_quantize_q4_k(wf + r * k, w + r * rb, (int64_t)k);
	outlier_q8_roundtrip(x, k, xq);
	assert_int_equal(outlier_weights_analyze(QT_Q4_K, w, rows, k, x, xq, NULL, 1, &a, &e), 0);
	assert_int_equal(outlier_weights_analyze(QT_Q4_K, w, rows, k, x, xq, NULL, 3, &b, &e), 0);
	assert_memory_equal(a.col_norm, b.col_norm, k * sizeof *a.col_norm);
	assert_true(a.gemv_rel == b.gemv_rel);
	assert_true(a.d.p50 == b.d.p50);
	assert_true(a.has_dmin && a.dmin.valid);
	assert_int_equal(a.d.n, rows * k / 256);

	assert_int_equal(ref_gemv(QT_Q4_K, w, (int64_t)rows, (int64_t)k, x, y, 1, &e), 0);
	assert_int_equal(ref_gemv(QT_Q4_K, w, (int64_t)rows, (int64_t)k, xq, yq, 1, &e), 0);
	for (r = 0; r < rows; r++) {
		e2 += (yq[r] - y[r]) * (yq[r] - y[r]);
		y2 += y[r] * y[r];
	}
	near(a.gemv_rel, sqrt(e2 / y2), 1e-9 * sqrt(e2 / y2));
	outlier_weights_free(&a);
	outlier_weights_free(&b);
	free(w);
	free(wf);
	free(x);
	free(xq);
	free(y);
	free(yq);
}

static void
test_weights_errors(void **state)
{
	uint8_t w[Q4_K_BYTES * 2] = { 0 };
	outlier_weights ws;
	errmsg e;

	(void)state;
	assert_int_equal(outlier_weights_analyze(QT_IQ2_XXS, w, 1, 256, NULL, NULL, NULL, 1, &ws, &e), -1);
	assert_non_null(strstr(e.text, "cannot be dequantized"));
	assert_int_equal(outlier_weights_analyze(QT_Q4_K, w, 1, 100, NULL, NULL, NULL, 1, &ws, &e), -1);
	assert_non_null(strstr(e.text, "k 100 is not a multiple of the q4_K block size 256"));
	assert_int_equal(outlier_weights_analyze(QT_Q4_K, w, 0, 256, NULL, NULL, NULL, 1, &ws, &e), -1);
	assert_non_null(strstr(e.text, "empty weight matrix"));
}

/* ------------------------------------------------------------ report and measured */

static char *
capture_report(const outlier_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	outlier_report_print(f, r);
	fclose(f);
	return buf;
}

static void
test_report_and_measured(void **state)
{
	float *w = xcalloc(256 * 256, sizeof *w);
	float *x = gauss(256, 9, 1.0);
	outlier_measured m;
	outlier_report r;
	json_object *j, *v;
	double wq, bf;
	errmsg e;
	char *txt, *buf = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	(void)state;
	for (i = 0; i < 256; i++)
		w[i * 256 + i] = 1.0f;
	x[40] = 400.0f; /* max/rms <= sqrt(k) = 16 here */
	assert_int_equal(outlier_report_build("blk.3.attn_q.weight", x, 256, QT_F32, w, 256, 8.0, 0.02, 1,
		&r, &e), 0);
	assert_true(r.have_weights);
	assert_true(r.verdict.seed_fp32);
	assert_true(r.w.gemv_bulk_valid);
	near(r.w.gemv_rel, r.q8.eps_x, 1e-12);         /* W = I */
	assert_true(r.verdict.valid && r.verdict.fp32);  /* c = 400 in k = 256: block 1 crushed */
	outlier_measured_init(&m);
	outlier_measured_add(&m, "q4k_dp4a", 4, true, true, 0.012, 0.5, 0, NULL);
	outlier_measured_add(&m, "q4k_dp4a_wide", 8, true, true, 0.010, 0.4, 0, NULL);
	outlier_measured_add(&m, "q4k_fp32", 4, false, true, 0.0001, 0.01, 0, NULL);
	outlier_measured_add(&m, "q4k_fp32_wide", 8, false, false, 0, 0, 0, "CUDA_ERROR_LAUNCH_FAILED");
	assert_true(outlier_measured_gap(&m, &wq, &bf));
	near(wq, 0.012, 0);
	near(bf, 0.0001, 0);
	r.measured = &m;
	txt = capture_report(&r);
	assert_non_null(strstr(txt, "input of blk.3.attn_q.weight"));
	assert_non_null(strstr(txt, "max/rms"));
	assert_non_null(strstr(txt, "simulated Q8_1 GEMV error"));
	assert_non_null(strstr(txt, "worst q8_1 1.20% vs best fp32 0.01%: 120.0x"));
	assert_non_null(strstr(txt, "n/a: CUDA_ERROR_LAUNCH_FAILED"));
	assert_non_null(strstr(txt, "verdict: seed rule (max|x| > 8x rms) FP32 | ggscope FP32"));
	free(txt);
	j = outlier_report_json(&r);
	assert_true(json_object_object_get_ex(j, "measured", &v));
	assert_true(json_object_object_get_ex(v, "variants", &v));
	assert_int_equal(json_object_array_length(v), 4);
	assert_true(json_object_object_get_ex(j, "verdict", &v));
	assert_true(json_object_object_get_ex(v, "seed", &v));
	assert_string_equal(json_object_get_string(v), "fp32");
	json_object_put(j);

	/* Measurements below the tolerance leave the verdict alone; above, they route. */
	{
		outlier_verdict vd = { .valid = true, .fp32 = false };

		assert_false(outlier_verdict_measured(&vd, &m, 0.02));
		assert_false(vd.fp32);
		assert_true(outlier_verdict_measured(&vd, &m, 0.011));
		assert_true(vd.fp32);
		assert_non_null(strstr(vd.reason, "measured Q8_1 variant error 1.20% > 1.10%"));
		assert_false(outlier_verdict_measured(&vd, NULL, 0.01));
	}
	/* A non-finite output is an infinite error; no GPU means a clear line. */
	outlier_measured_add(&m, "q6k_dp4a", 4, true, true, 0.0, 1.0, 3, NULL);
	assert_true(outlier_measured_gap(&m, &wq, &bf));
	assert_true(isinf(wq));
	outlier_measured_free(&m);
	f = open_memstream(&buf, &len);
	outlier_measured_print(f, &m, NAN);
	fclose(f);
	assert_non_null(strstr(buf, "no GPU measurements"));
	free(buf);
	outlier_report_free(&r);
	free(x);
	free(w);
}

/* ------------------------------------------------------------ table */

static void
add_t(gguf_writer *w, const char *name, uint32_t n_dims, uint64_t k, uint64_t rows, uint32_t type,
	uint64_t seed)
{
	uint64_t ne[2] = { k, rows }, rb, r;
	float *f = gauss(k * rows, seed, 0.05);
	uint8_t *q;
	errmsg e;

	assert_true(quant_row_bytes(type, k, &rb));
	q = xmalloc(rb * rows);
	for (r = 0; r < rows; r++) {
		if (type == QT_F32)
			memcpy(q + r * rb, f + r * k, k * 4);
		else if (type == QT_Q8_0)
			quant_quantize_q8_0(f + r * k, q + r * rb, (int64_t)k);
		else
			quant_quantize_q6_k(f + r * k, q + r * rb, (int64_t)k);
	}
	assert_int_equal(gguf_writer_add_tensor(w, name, n_dims, ne, type, q, rb * rows, 1, &e), 0);
	free(q);
	free(f);
}

static gguf_file *
small_model(void)
{
	gguf_writer *w = gguf_writer_new(0);
	uint8_t *buf;
	size_t len;
	errmsg e;
	gguf_file *g;

	gguf_writer_set_str(w, "general.architecture", "llama");
	add_t(w, "token_embd.weight", 2, 64, 10, QT_F32, 1);
	add_t(w, "output.weight", 2, 64, 16, QT_Q8_0, 2);
	add_t(w, "blk.1.attn_q.weight", 2, 64, 8, QT_Q8_0, 3);
	add_t(w, "blk.0.ffn_down.weight", 2, 256, 4, QT_Q6_K, 4);
	add_t(w, "blk.0.attn_norm.weight", 1, 64, 1, QT_F32, 5);
	add_t(w, "blk.0.attn_q.weight", 2, 64, 4, QT_F32, 6);
	assert_int_equal(gguf_writer_write_mem(w, &buf, &len, &e), 0);
	gguf_writer_free(w);
	g = gguf_open_owned(buf, len, "small.gguf", &e);
	assert_non_null(g);
	return g;
}

static outlier_table_opts
opts(enum outlier_source_kind kind)
{
	outlier_table_opts o;

	memset(&o, 0, sizeof o);
	o.kind = kind;
	o.mult = 8.0;
	o.tol = 0.02;
	o.seed = 42;
	o.weights = true;
	o.threads = 1;
	return o;
}

static char *
capture_table(const outlier_table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	outlier_table_print(f, t);
	fclose(f);
	return buf;
}

static void
test_table_synth(void **state)
{
	gguf_file *g = small_model();
	outlier_table_opts o = opts(OUTLIER_SRC_SYNTH);
	acts_spike sp = { 100, 300.0 };
	outlier_table *t;
	errmsg e;
	char *txt;

	(void)state;
	t = outlier_table_build(g, &o, &e);
	assert_non_null(t);
	assert_int_equal(t->n_rows, 4); /* not token_embd, not the 1-D norm */
	assert_string_equal(t->rows[0].tensor, "blk.0.attn_q.weight");
	assert_string_equal(t->rows[1].tensor, "blk.0.ffn_down.weight");
	assert_string_equal(t->rows[2].tensor, "blk.1.attn_q.weight");
	assert_string_equal(t->rows[3].tensor, "output.weight");
	assert_int_equal(t->rows[3].layer, -1);
	assert_int_equal(t->n_seed_flagged, 0);
	assert_true(t->rows[1].have_weights && t->rows[1].w.gemv_valid);
	assert_int_equal(t->n_fp32, 0);
	/* GPU results folded in: a 5% dp4a error routes blk.1's matrix to fp32. */
	{
		outlier_measured m;

		outlier_measured_init(&m);
		outlier_measured_add(&m, "q8_dp4a", 4, true, true, 0.05, 1.0, 0, NULL);
		outlier_measured_add(&m, "q8_fp32", 4, false, true, 0.0002, 0.01, 0, NULL);
		assert_int_equal(outlier_table_set_measured(t, "blk.1.attn_q.weight", &m, &e), 0);
		assert_true(t->rows[2].verdict.fp32);
		assert_non_null(strstr(t->rows[2].verdict.reason, "measured Q8_1 variant error 5.00% > 2.00%"));
		assert_int_equal(t->n_fp32, 1);
		assert_int_equal(t->worst[0], 1);
		txt = capture_table(t);
		assert_non_null(strstr(txt, "measured on the GPU: worst q8_1 variant 5.00%, best fp32 0.02%"));
		free(txt);
		assert_int_equal(outlier_table_set_measured(t, "blk.7.attn_q.weight", &m, &e), -1);
		assert_non_null(strstr(e.text, "no analysed row for tensor 'blk.7.attn_q.weight'"));
		outlier_measured_free(&m);
	}
	outlier_table_free(t);

	/* Channel 100 exists only in ffn_down (k 256): planted there, noted elsewhere. */
	o.spikes = &sp;
	o.n_spikes = 1;
	t = outlier_table_build(g, &o, &e);
	assert_non_null(t);
	assert_true(t->rows[1].verdict.seed_fp32);
	assert_int_equal(t->rows[1].vec.argmax, 100);
	assert_true(t->rows[1].verdict.fp32);           /* c = 300 in k = 256: eps_bulk >> 2% */
	assert_non_null(strstr(t->rows[0].note, "1 of 1 outliers not planted (channel >= k 64)"));
	assert_int_equal(t->n_seed_flagged, 1);
	assert_int_equal(t->n_fp32, 1);
	assert_int_equal(t->worst[0], 0);
	txt = capture_table(t);
	assert_non_null(strstr(txt, "worst layers: blk.0 ffn_down"));
	assert_non_null(strstr(txt, "seed rule flags 1 of 4 matrices; ggscope routes 1 to fp32"));
	free(txt);
	outlier_table_free(t);

	sp.channel = 500;
	assert_null(outlier_table_build(g, &o, &e));
	assert_non_null(strstr(e.text, "every outlier channel is >= the tensors' k (largest k 256)"));
	o.n_spikes = 0;
	o.only = "blk.9.attn_q.weight";
	assert_null(outlier_table_build(g, &o, &e));
	assert_non_null(strstr(e.text, "no weight matrix named 'blk.9.attn_q.weight' (4 matrices"));
	o.only = "blk.1.attn_q.weight";
	t = outlier_table_build(g, &o, &e);
	assert_int_equal(t->n_rows, 1);
	outlier_table_free(t);
	gguf_close(g);
}

static void
test_table_act(void **state)
{
	gguf_file *g = small_model();
	outlier_table_opts o = opts(OUTLIER_SRC_ACT);
	float *x = gauss(100, 3, 1.0);
	outlier_table *t;
	json_object *j, *rows, *row, *v;
	errmsg e;

	(void)state;
	o.act = x;
	o.act_len = 64;
	o.act_name = "x.npy";
	t = outlier_table_build(g, &o, &e);
	assert_non_null(t);
	assert_true(t->rows[1].skipped);
	assert_string_equal(t->rows[1].why, "source has 64 values, tensor k is 256");
	assert_false(t->rows[0].skipped);
	j = outlier_table_json(t);
	assert_true(json_object_object_get_ex(j, "rows", &rows));
	assert_int_equal(json_object_array_length(rows), 4);
	row = json_object_array_get_idx(rows, 1);
	assert_true(json_object_object_get_ex(row, "skipped", &v) && json_object_get_boolean(v));
	row = json_object_array_get_idx(rows, 0);
	assert_true(json_object_object_get_ex(row, "q8_1", &v));
	assert_true(json_object_object_get_ex(v, "eps_x", &v));
	assert_true(json_object_get_double(v) > 0.001);
	json_object_put(j);
	outlier_table_free(t);

	o.only = "blk.0.ffn_down.weight";
	assert_null(outlier_table_build(g, &o, &e));
	assert_non_null(strstr(e.text, "has 64 values, but the tensor's k is 256"));
	o.only = NULL;
	o.act_len = 100;
	assert_null(outlier_table_build(g, &o, &e));
	assert_non_null(strstr(e.text, "the activation source has 100 values, but the tensor k is 64, 256"));
	gguf_close(g);
	free(x);
}

/* An imatrix: blk.0.attn_q has a flat profile (k 64), blk.0.ffn_down one
 * massive channel (k 256; with k 64 max/rms could not pass 8 = sqrt(64)). */
static imatrix *
small_imatrix(bool wrong_k)
{
	gguf_writer *w = gguf_writer_new(0);
	float flat[64], spike[256], c[1] = { 512 };
	uint64_t ne[1] = { 64 }, ne1[1] = { 1 };
	uint8_t *buf;
	size_t len;
	errmsg e;
	imatrix *im;
	int i;

	for (i = 0; i < 256; i++)
		spike[i] = 512.0f * (1.0f + 0.01f * (float)(i % 64));
	memcpy(flat, spike, sizeof flat);
	spike[7] = 512.0f * 2000.0f * 2000.0f / 512.0f; /* one token per chunk at 2000 */
	gguf_writer_set_str(w, "general.type", "imatrix");
	gguf_writer_set_u32(w, "imatrix.chunk_count", 1);
	gguf_writer_set_u32(w, "imatrix.chunk_size", 512);
	if (wrong_k)
		ne[0] = 32;
	assert_int_equal(gguf_writer_add_tensor(w, "blk.0.attn_q.weight.in_sum2", 1, ne, QT_F32, flat,
		ne[0] * 4, 1, &e), 0);
	assert_int_equal(gguf_writer_add_tensor(w, "blk.0.attn_q.weight.counts", 1, ne1, QT_F32, c, 4, 1, &e), 0);
	ne[0] = 256;
	assert_int_equal(gguf_writer_add_tensor(w, "blk.0.ffn_down.weight.in_sum2", 1, ne, QT_F32, spike,
		sizeof spike, 1, &e), 0);
	assert_int_equal(gguf_writer_add_tensor(w, "blk.0.ffn_down.weight.counts", 1, ne1, QT_F32, c, 4, 1, &e), 0);
	assert_int_equal(gguf_writer_write_mem(w, &buf, &len, &e), 0);
	gguf_writer_free(w);
	im = imatrix_load_mem(buf, len, "im.gguf", &e);
	free(buf);
	assert_non_null(im);
	return im;
}

static void
test_table_imatrix(void **state)
{
	imatrix *im = small_imatrix(false);
	outlier_table_opts o = opts(OUTLIER_SRC_IMATRIX);
	gguf_file *g = small_model();
	outlier_table *t;
	errmsg e;
	char *txt;

	(void)state;
	o.im = im;
	t = outlier_table_build(NULL, &o, &e);
	assert_non_null(t);
	assert_int_equal(t->n_rows, 2);
	assert_false(t->rows[0].prof.seed_flag);
	assert_true(t->rows[1].prof.seed_flag);
	assert_int_equal(t->rows[1].prof.top_ch, 7);
	near(t->rows[1].prof.implied_peak, 2000.0, 1e-3);
	assert_true(t->rows[1].massive_valid);
	assert_true(t->rows[1].massive_eps_bulk > 0.1);  /* near saturation: sqrt(31/256) = 35% */
	assert_true(t->rows[1].verdict.fp32);
	assert_false(t->rows[0].verdict.fp32);
	near(t->rows[0].typical_eps_x, 0.0054, 0.002);
	assert_int_equal(t->worst[0], 0);
	txt = capture_table(t);
	assert_non_null(strstr(txt, "crest"));
	assert_non_null(strstr(txt, "worst layers: blk.0 ffn_down"));
	free(txt);
	outlier_table_free(t);

	/* With the model: both blk.0 entries match, the others have none. */
	t = outlier_table_build(g, &o, &e);
	assert_non_null(t);
	assert_false(t->rows[0].skipped);
	assert_true(t->rows[0].have_weights && t->rows[0].w.gemv_valid);
	assert_false(t->rows[1].skipped);
	assert_true(t->rows[1].have_weights);
	assert_true(t->rows[2].skipped); /* blk.1.attn_q */
	assert_string_equal(t->rows[2].why, "no imatrix entry");
	outlier_table_free(t);
	imatrix_free(im);

	im = small_imatrix(true);
	o.im = im;
	assert_null(outlier_table_build(g, &o, &e));
	assert_non_null(strstr(e.text, "blk.0.attn_q.weight has 32 input channels, but the tensor's k is 64"));
	imatrix_free(im);
	gguf_close(g);
}

static void
test_short_name(void **state)
{
	char b[80];

	(void)state;
	assert_string_equal(outlier_short_name("blk.12.ffn_down.weight", b, sizeof b), "ffn_down");
	assert_string_equal(outlier_short_name("output.weight", b, sizeof b), "output");
	assert_string_equal(outlier_short_name("blk.3.ffn_gate_exps.weight", b, sizeof b), "ffn_gate_exps");
	assert_string_equal(outlier_short_name("odd", b, sizeof b), "odd");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weights_identity),
		cmocka_unit_test(test_weights_q8_0_known),
		cmocka_unit_test(test_weights_threads_and_ref),
		cmocka_unit_test(test_weights_errors),
		cmocka_unit_test(test_report_and_measured),
		cmocka_unit_test(test_table_synth),
		cmocka_unit_test(test_table_act),
		cmocka_unit_test(test_table_imatrix),
		cmocka_unit_test(test_short_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
