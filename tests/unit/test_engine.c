/* Unit tests for ui/engine: the TUI's jobs run through the real library
 * (GGUF reader, variant registry, NVRTC, bench, outlier statistics) on a
 * small model file, measuring on the fake GPU backend, whose "kernels" are
 * host functions computing the GEMV. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine.h"
#include "fake_gpu.h"
#include "fake_kernels.h"
#include "gguf_write.h"
#include "jit.h"
#include "job.h"
#include "model.h"
#include "quant.h"
#include "xalloc.h"

#define K 512
#define ROWS 64

/* ---------------------------------------------------------------- simulated kernels */

static uint32_t sim_type; /* the weight type under test */

static void sim_ok(struct fake *f, const gpu_launch_cfg *c, void **p) { (void)c; fake_gemv(f, p, sim_type, false, 1.0f); }
static void sim_wrong(struct fake *f, const gpu_launch_cfg *c, void **p) { (void)c; fake_gemv(f, p, sim_type, false, 1.01f); }
static void sim_q8(struct fake *f, const gpu_launch_cfg *c, void **p) { (void)c; fake_gemv(f, p, sim_type, true, 1.0f); }

/* The registry's entry names: basic computes right, vectorized 1 % off,
 * the dp4a ones read Q8_1. */
static const struct fake_kernel kernels[] = {
	{ "q4k_basic", 5, { 8, 8, 8, 4, 4 }, sim_ok },
	{ "q4k_mwv", 5, { 8, 8, 8, 4, 4 }, sim_ok },
	{ "q4k_vectorized", 5, { 8, 8, 8, 4, 4 }, sim_wrong },
	{ "q4k_hw_dp4a", 5, { 8, 8, 8, 4, 4 }, sim_q8 },
	{ "quantize_q8_1", 3, { 8, 8, 4 }, fake_quantize_q8_1 },
	{ NULL, 0, { 0 }, NULL }
};

/* ---------------------------------------------------------------- fixture */

static char path[64];

/* A model file: a norm and two Q4_K matrices in block 0. */
static int
setup(void **state)
{
	static const char *const names[] = { "blk.0.attn_q.weight", "blk.0.ffn_up.weight" };
	gguf_writer *w = gguf_writer_new(0);
	float *x = xmalloc(K * sizeof(*x)), *norm = xmalloc(K * sizeof(*norm));
	uint64_t rb, ne[2] = { K, ROWS }, ne1[1] = { K };
	uint8_t *q;
	errmsg err;
	int i, r, c, fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/ggscope-engine-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_true(quant_row_bytes(QT_Q4_K, K, &rb));
	q = xmalloc(rb * ROWS);
	for (i = 0; i < 2; i++) {
		for (r = 0; r < ROWS; r++) {
			for (c = 0; c < K; c++)
				x[c] = (float)(((r * 31 + c * 17 + i * 7) % 101) - 50) / 50.0f;
			quant_quantize_q4_k(x, q + (uint64_t)r * rb, K);
		}
		assert_int_equal(gguf_writer_add_tensor(w, names[i], 2, ne, QT_Q4_K, q, rb * ROWS, 1, &err), 0);
	}
	for (c = 0; c < K; c++)
		norm[c] = 1;
	assert_int_equal(gguf_writer_add_tensor(w, "blk.0.attn_norm.weight", 1, ne1, QT_F32, norm, K * 4, 1, &err), 0);
	assert_int_equal(gguf_writer_write_file(w, path, &err), 0);
	gguf_writer_free(w);
	free(q);
	free(x);
	free(norm);
	sim_type = QT_Q4_K;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

/* Run one job inline and return its result (caller frees with free after
 * job_result_free or job_apply). */
static job_result *
run(engine *e, job *j)
{
	job_result *r = xcalloc(1, sizeof(*r));

	r->job = *j;
	engine_run(e, j, r, NULL);
	return r;
}

/* job_apply frees what a result owns, not the result itself: free both. */
static void
apply(model *m, job_result *r)
{
	job_apply(m, r);
	free(r);
}

/* An engine on the fake GPU with the file loaded into m. */
static engine *
open_engine(model *m, const char *file)
{
	engine_opts o;
	struct fake *f;
	job j;
	engine *e;

	memset(&o, 0, sizeof(o));
	e = engine_new(&o);
	engine_set_gpu(e, fake_gpu_open(&f, kernels));
	model_init(m);
	memset(&j, 0, sizeof(j));
	j.kind = JOB_PROBE;
	apply(m, run(e, &j));
	j.kind = JOB_LOAD;
	snprintf(j.path, sizeof(j.path), "%s", file);
	apply(m, run(e, &j));
	return e;
}

static int
variant_index(const model_tensor *t, const char *name)
{
	int v;

	for (v = 0; v < t->n_variants; v++)
		if (strcmp(t->variants[v].name, name) == 0)
			return v;
	fail_msg("no variant %s", name);
	return -1;
}

static job
cell_job(const model *m, int kind, size_t tensor, int vi, int warps)
{
	job j;

	memset(&j, 0, sizeof(j));
	j.kind = kind;
	j.tensor = tensor;
	j.variant = vi;
	j.warps = warps;
	j.l2_cold = true;
	j.act_gen = m->act_gen;
	return j;
}

/* ---------------------------------------------------------------- tests */

static void
test_probe_and_load(void **state)
{
	model m;
	engine *e;
	model_tensor *t;

	(void)state;
	e = open_engine(&m, path);
	assert_true(m.dev.probed);
	assert_true(m.dev.gpu_ok);
	assert_int_equal(m.dev.n_sms, 132);
	assert_string_equal(m.dev.arch, "sm_90");
	/* The fake gpu has no profiler path and cannot run the ceiling
	 * kernel: both say why instead of showing numbers. */
	assert_false(m.dev.counters_ok);
	assert_true(m.dev.counters[0] != '\0');
	assert_false(m.dev.ceiling_valid);
	assert_true(m.dev.ceiling_why[0] != '\0');
	/* The GpuProfile for the device's cc, every field with its origin:
	 * the seed's eleven and ggscope's stream_warps, by ggscope's rule. */
	assert_int_equal(m.dev.n_fields, 12);
	assert_string_equal(m.dev.profile_for, "sm_90");
	assert_string_equal(m.dev.fields[0].name, "q4k");
	assert_string_equal(m.dev.fields[0].value, "q4k_stream_dp4a");
	assert_string_equal(m.dev.fields[0].origin, "auto");
	assert_string_equal(m.dev.fields[3].name, "stream_warps");
	assert_string_equal(m.dev.fields[3].value, "4");
	assert_int_equal(m.load_state, LOAD_OK);
	assert_int_equal(m.n_tensors, 3);
	assert_int_equal(m.n_groups, 1);
	t = model_tensor_sel(&m);
	assert_non_null(t);
	assert_true(t->gemv);
	assert_string_equal(t->type_name, "q4_K");
	assert_true(t->n_variants >= 9);
	assert_string_equal(t->variants[0].name, "basic");
	assert_true(t->variants[variant_index(t, "hw_dp4a")].q8_1);
	assert_false(t->variants[variant_index(t, "mwv")].q8_1);
	/* k = 512 <= 12288: tiled is legal, chunked is for larger k but runs. */
	assert_string_equal(t->variants[variant_index(t, "tiled")].illegal, "");
	/* The norm is listed but has no variants, with the reason. */
	assert_false(m.tensors[2].gemv);
	assert_non_null(strstr(m.tensors[2].no_variants, "f32"));
	engine_free(e);
	model_free(&m);
}

static void
test_load_failure(void **state)
{
	engine_opts o;
	engine *e;
	job j;
	job_result *r;

	(void)state;
	memset(&o, 0, sizeof(o));
	e = engine_new(&o);
	memset(&j, 0, sizeof(j));
	j.kind = JOB_LOAD;
	snprintf(j.path, sizeof(j.path), "/nonexistent/model.gguf");
	r = run(e, &j);
	assert_false(r->ok);
	assert_non_null(strstr(r->why, "/nonexistent/model.gguf"));
	job_result_free(r);
	free(r);
	engine_free(e);
}

static void
test_compile_and_measure(void **state)
{
	model m;
	engine *e;
	model_tensor *t;
	model_cell *cell;
	job j;
	int v;

	(void)state;
	if (!jit_available())
		skip();
	e = open_engine(&m, path);
	t = &m.tensors[m.sel_tensor];

	v = variant_index(t, "basic");
	j = cell_job(&m, JOB_COMPILE, m.sel_tensor, v, 1);
	apply(&m, run(e, &j));
	cell = model_cell_at(t, v, 1);
	assert_true(cell->comp.valid);
	assert_true(cell->comp.ok);
	assert_true(cell->comp.regs > 0);
	assert_non_null(cell->comp.log);
	assert_false(cell->meas.valid);
	/* Again: from the cache. With r (force): a real compile. */
	apply(&m, run(e, &j));
	assert_true(cell->comp.cache_hit);
	j.force = true;
	apply(&m, run(e, &j));
	assert_true(cell->comp.ok);
	assert_false(cell->comp.cache_hit);
	assert_true(cell->comp.compile_ms > 0);
	j.force = false;

	/* Measured on the fake device: right answer, timed by its events. */
	j.kind = JOB_MEASURE;
	apply(&m, run(e, &j));
	assert_true(cell->meas.valid);
	assert_true(cell->meas.t_med_ns > 0);
	assert_true(cell->meas.gbs > 0);
	assert_true(cell->meas.l2_cold);
	assert_true(cell->meas.err_valid);
	assert_true(cell->meas.err_pass);
	assert_true(cell->meas.err_rel_l2 < 1e-5);
	assert_false(cell->meas.q8_valid);
	assert_string_equal(cell->meas.timing_src, "cuda events");
	assert_false(cell->meas.dram_valid); /* no counters on the fake */
	assert_true(cell->meas.dram_why[0] != '\0');
	assert_false(cell->meas.pct_valid);  /* no ceiling */

	/* A kernel 1 % off fails the reference check and says so. */
	v = variant_index(t, "vectorized");
	j = cell_job(&m, JOB_MEASURE, m.sel_tensor, v, 1);
	apply(&m, run(e, &j));
	cell = model_cell_at(t, v, 1);
	assert_true(cell->meas.valid);
	assert_true(cell->meas.err_valid);
	assert_false(cell->meas.err_pass);
	assert_true(cell->meas.verdict[0] != '\0');

	/* A dp4a variant runs the Q8_1 quantizer first; both are timed. */
	v = variant_index(t, "hw_dp4a");
	j = cell_job(&m, JOB_MEASURE, m.sel_tensor, v, 4);
	j.l2_cold = false;
	apply(&m, run(e, &j));
	cell = model_cell_at(t, v, 4);
	assert_true(cell->meas.valid);
	assert_true(cell->meas.q8_valid);
	assert_false(cell->meas.l2_cold);
	assert_true(cell->meas.err_pass);
	assert_true(cell->meas.err_rel_l2 > 1e-5); /* Q8_1 rounding shows */
	/* Forced (r): the GEMV compiled afresh, the quantizer from the cache;
	 * the GEMV's module stays alive through the measurement. */
	j.force = true;
	apply(&m, run(e, &j));
	assert_true(cell->meas.valid);
	assert_false(cell->comp.cache_hit);
	assert_true(cell->meas.err_pass);

	/* A kernel the device cannot find is a measurement error, not a crash. */
	v = variant_index(t, "wide");
	j = cell_job(&m, JOB_MEASURE, m.sel_tensor, v, 8);
	apply(&m, run(e, &j));
	cell = model_cell_at(t, v, 8);
	assert_true(cell->comp.ok);
	assert_false(cell->meas.valid);
	assert_true(cell->meas.why[0] != '\0');
	engine_free(e);
	model_free(&m);
}

static void
test_profile_apply(void **state)
{
	model m;
	engine *e;
	model_tensor *t;
	job j;

	(void)state;
	e = open_engine(&m, path);
	t = &m.tensors[m.sel_tensor];
	/* coalesced is not one of the seed's choices: refused, unchanged. */
	j = cell_job(&m, JOB_PROFILE_SET, m.sel_tensor, variant_index(t, "coalesced"), 1);
	apply(&m, run(e, &j));
	assert_non_null(strstr(m.status, "q4k_coalesced is not a variant the GpuProfile chooses between"));
	assert_string_equal(m.dev.fields[0].origin, "auto");
	/* At k = 512 the seed's Legacy is tiled: it applies as "legacy". */
	j = cell_job(&m, JOB_PROFILE_SET, m.sel_tensor, variant_index(t, "tiled"), 4);
	apply(&m, run(e, &j));
	assert_string_equal(m.dev.fields[0].value, "q4k_legacy");
	assert_string_equal(m.dev.fields[0].origin, "user");
	/* mwv with 4 warps sets the warp count too. */
	j = cell_job(&m, JOB_PROFILE_SET, m.sel_tensor, variant_index(t, "mwv"), 4);
	apply(&m, run(e, &j));
	assert_string_equal(m.dev.fields[0].value, "q4k_mwv");
	assert_string_equal(m.dev.fields[2].name, "mwv_warps");
	assert_string_equal(m.dev.fields[2].value, "4");
	assert_string_equal(m.dev.fields[2].origin, "user");
	assert_non_null(strstr(m.status, "mwv_warps = 4 (user choice)"));
	/* a stream kernel's warps go to stream_warps; mwv_warps stays */
	j = cell_job(&m, JOB_PROFILE_SET, m.sel_tensor, variant_index(t, "stream"), 3);
	apply(&m, run(e, &j));
	assert_string_equal(m.dev.fields[0].value, "q4k_stream");
	assert_string_equal(m.dev.fields[0].origin, "user");
	assert_string_equal(m.dev.fields[3].name, "stream_warps");
	assert_string_equal(m.dev.fields[3].value, "3");
	assert_string_equal(m.dev.fields[3].origin, "user");
	assert_string_equal(m.dev.fields[2].value, "4");
	assert_non_null(strstr(m.status, "GpuProfile: q4k = q4k_stream, stream_warps = 3 (user choice)"));
	engine_free(e);
	model_free(&m);
}

static void
test_outliers(void **state)
{
	model m;
	engine *e;
	model_tensor *t;
	job j;

	(void)state;
	e = open_engine(&m, path);
	t = &m.tensors[m.sel_tensor];
	j = cell_job(&m, JOB_OUTLIER, m.sel_tensor, 0, 0);
	apply(&m, run(e, &j));
	assert_true(t->out.valid);
	assert_int_equal(t->out.k, K);
	assert_non_null(t->out.mag);
	assert_false(t->out.route_fp32);
	assert_true(t->out.q8_valid);
	assert_true(t->out.q8_gemv_sim);

	/* Planted: the seed's 26x channel is flagged. */
	m.act_source = 1;
	model_invalidate_acts(&m, "changed");
	j = cell_job(&m, JOB_OUTLIER, m.sel_tensor, 0, 0);
	j.act_source = 1;
	snprintf(j.outlier_spec, sizeof(j.outlier_spec), "408:26");
	apply(&m, run(e, &j));
	assert_true(t->out.valid);
	assert_int_equal(t->out.argmax, 408);
	assert_true(t->out.route_fp32);
	assert_non_null(strstr(t->out.source, "planted 408:26"));

	/* A spec that does not parse is the pane's n/a, with the reason. */
	model_invalidate_acts(&m, "changed");
	j = cell_job(&m, JOB_OUTLIER, m.sel_tensor, 0, 0);
	j.act_source = 1;
	snprintf(j.outlier_spec, sizeof(j.outlier_spec), "x:y");
	apply(&m, run(e, &j));
	assert_false(t->out.valid);
	assert_true(t->out.why[0] != '\0');
	engine_free(e);
	model_free(&m);
}

static void
test_act_file_length_mismatch(void **state)
{
	char f32[64];
	float x[100] = { 0 };
	engine_opts o;
	engine *e;
	model m;
	job j;
	FILE *fp;
	int fd;

	(void)state;
	snprintf(f32, sizeof(f32), "/tmp/ggscope-act-XXXXXX");
	fd = mkstemp(f32);
	assert_true(fd >= 0);
	close(fd);
	fp = fopen(f32, "wb");
	fwrite(x, sizeof(x), 1, fp);
	fclose(fp);
	memset(&o, 0, sizeof(o));
	o.act_file = f32;
	e = engine_new(&o);
	model_init(&m);
	memset(&j, 0, sizeof(j));
	j.kind = JOB_LOAD;
	snprintf(j.path, sizeof(j.path), "%s", path);
	apply(&m, run(e, &j));
	assert_int_equal(m.n_act_sources, 3);
	assert_non_null(strstr(m.act_sources[2], f32));
	j = cell_job(&m, JOB_OUTLIER, m.sel_tensor, 0, 0);
	j.act_source = 2;
	apply(&m, run(e, &j));
	assert_false(m.tensors[m.sel_tensor].out.valid);
	/* Both lengths are named. */
	assert_non_null(strstr(m.tensors[m.sel_tensor].out.why, "100 channels"));
	assert_non_null(strstr(m.tensors[m.sel_tensor].out.why, "k = 512"));
	engine_free(e);
	model_free(&m);
	unlink(f32);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_and_load),
		cmocka_unit_test(test_load_failure),
		cmocka_unit_test(test_compile_and_measure),
		cmocka_unit_test(test_profile_apply),
		cmocka_unit_test(test_outliers),
		cmocka_unit_test(test_act_file_length_mismatch),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
