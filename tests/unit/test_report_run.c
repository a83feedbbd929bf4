/* Unit tests for whole report runs: compile only (cancelled half-way),
 * report_generate, and a measured run on the fake GPU backend
 * (tests/unit/fake_gpu.c) whose host "kernels" are right, wrong or Q8_1. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_gpu.h"
#include "fake_kernels.h"
#include "gguf.h"
#include "gguf_write.h"
#include "profile.h"
#include "quant.h"
#include "report.h"
#include "variant.h"
#include "report_fixtures.h"

/* ---------------------------------------------------------------- a real run */

struct cancel_after {
	volatile sig_atomic_t flag;
	size_t calls, after;
	bool saw_compile;
};

static void
cancel_progress(void *arg, const report_progress *p)
{
	struct cancel_after *c = arg;

	c->calls++;
	c->saw_compile |= strcmp(p->phase, "compile") == 0;
	assert_true(p->done <= p->total);
	assert_true(p->tensors_done <= p->n_tensors);
	if (c->calls >= c->after)
		c->flag = 1;
}

/* Compile-only runs (no launch): the rows get their ptxas figures and stay
 * unmeasured; a cancelled run is partial and still writes. */
static void
test_run_static(void **state)
{
	gguf_file *f = test_model();
	report_select s;
	report_run_opts o;
	report *r;
	struct cancel_after ca = { 0, 0, 1000000, false };
	report_shape *sh;
	errmsg err;
	size_t j;

	(void)state;
	report_select_init(&s);
	assert_int_equal(report_parse_variants(&s, "q4k_mwv,q6k_dp4a", &err), 0);
	assert_int_equal(report_parse_warps(&s, "2,3", &err), 0);
	assert_int_equal(report_parse_layers(&s, "0", &err), 0);
	r = planned(f, &s);
	report_run_opts_default(&o);
	o.measure = false;
	o.outlier_weights = false;
	o.threads = 2;
	o.progress = cancel_progress;
	o.progress_arg = &ca;
	o.cancel = &ca.flag;
	if (report_run(r, f, &o, &err) != 0)
		fail_msg("report_run: %s", err.text);
	assert_false(r->partial);
	assert_true(ca.saw_compile);
	assert_non_null(strstr(r->env.measure_why, "--no-measure"));
	sh = shape_of(r, QT_Q4_K, 256, 256);
	for (j = 0; j < sh->n_rows; j++) {
		const report_row *row = &sh->rows[j];

		if (r->env.nvrtc_valid) {
			assert_int_equal(row->status, REPORT_ROW_UNMEASURED);
			assert_true(row->compiled);
			assert_true(row->res_valid);
			assert_true(row->regs > 0);
			assert_string_equal(row->target, "sm_90");
		} else
			assert_int_equal(row->status, REPORT_ROW_COMPILE_ERROR);
		assert_false(row->time_valid);
	}
	assert_true(r->outliers.available);
	assert_int_equal(r->outliers.n_rows, r->n_tensors);
	assert_non_null(strstr(r->outliers.source, "synthetic"));
	assert_false(r->profile.valid);
	report_free(r);

	/* cancelled at the first progress call: partial, rows left planned */
	r = planned(f, &s);
	ca.calls = 0;
	ca.after = 1;
	ca.flag = 0;
	assert_int_equal(report_run(r, f, &o, &err), 0);
	assert_true(r->partial);
	assert_non_null(strstr(r->partial_why, "interrupted after "));
	assert_false(r->outliers.available);
	{
		char *json = render(r, REPORT_JSON, NULL);
		json_object *root = json_tokener_parse(json), *x;

		assert_non_null(root);
		assert_true(json_object_object_get_ex(root, "partial", &x) && json_object_get_boolean(x));
		json_object_put(root);
		free(json);
	}
	report_free(r);
	gguf_close(f);
}

static void
test_generate(void **state)
{
	gguf_file *f = test_model();
	report_run_opts o;
	char dir[] = "/tmp/ggscope-report-gen.XXXXXX", path[256], *text;
	bool partial = true;
	errmsg err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/t.json", dir);
	report_run_opts_default(&o);
	o.measure = false;
	o.outliers = false;
	o.threads = 2;
	if (report_generate(f, "blk.0.ffn_down.weight", &o, REPORT_JSON, path, &partial, &err) != 0)
		fail_msg("report_generate: %s", err.text);
	assert_false(partial);
	text = slurp(path);
	assert_non_null(strstr(text, "\"selection\": \"tensor blk.0.ffn_down.weight"));
	assert_non_null(strstr(text, "\"reason\": \"not asked for\""));
	free(text);
	unlink(path);
	/* the plan fails: nothing is written */
	assert_int_equal(report_generate(f, "nope", &o, REPORT_JSON, path, &partial, &err), -1);
	assert_non_null(strstr(err.text, "no tensor named 'nope'"));
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(rmdir(dir), 0);
	gguf_close(f);
}

/* ---------------------------------------------------------------- a measured run (fake GPU) */

/* Host "kernels" on the fake backend (tests/unit/fake_gpu.c): q4k_mwv
 * computes y = W x right, q4k_vectorized 0.1% off (wrong for the fp32
 * tolerance), q4k_mwv_dp4a reads the Q8_1 x the quantizer wrote. */
static void sim_right(struct fake *f, const gpu_launch_cfg *c, void **p) { (void)c; fake_gemv(f, p, QT_Q4_K, false, 1.0f); }
static void sim_wrong(struct fake *f, const gpu_launch_cfg *c, void **p) { (void)c; fake_gemv(f, p, QT_Q4_K, false, 1.001f); }
static void sim_dp4a(struct fake *f, const gpu_launch_cfg *c, void **p) { (void)c; fake_gemv(f, p, QT_Q4_K, true, 1.0f); }

static const struct fake_kernel sim_kernels[] = {
	{ "q4k_mwv", 5, { 8, 8, 8, 4, 4 }, sim_right },
	{ "q4k_vectorized", 5, { 8, 8, 8, 4, 4 }, sim_wrong },
	{ "q4k_mwv_dp4a", 5, { 8, 8, 8, 4, 4 }, sim_dp4a },
	{ "quantize_q8_1", 3, { 8, 8, 4 }, fake_quantize_q8_1 },
	{ NULL, 0, { 0 }, NULL }
};

static void
test_run_measured(void **state)
{
	gguf_file *f = test_model();
	struct fake *fk;
	gpu *g = fake_gpu_open_l2(&fk, sim_kernels, 4096);
	report_select s;
	report_run_opts o;
	report *r;
	report_shape *sh;
	const report_row *row;
	errmsg err;

	(void)state;
	report_select_init(&s);
	assert_int_equal(report_parse_types(&s, "q4_K", &err), 0);
	assert_int_equal(report_parse_layers(&s, "0-1", &err), 0);
	assert_int_equal(report_parse_variants(&s, "q4k_mwv,q4k_vectorized,q4k_mwv_dp4a,q4k_wide", &err), 0);
	assert_int_equal(report_parse_warps(&s, "1,2,8", &err), 0);
	r = planned(f, &s);
	report_run_opts_default(&o);
	o.g = g;
	o.reps = 2;
	o.warmup = 0;
	o.no_ceiling = true;
	o.outliers = false;
	o.threads = 2;
	if (report_run(r, f, &o, &err) != 0)
		fail_msg("report_run: %s", err.text);
	if (!r->env.nvrtc_valid) {
		/* nothing compiled, nothing to launch */
		gpu_close(g);
		report_free(r);
		gguf_close(f);
		skip();
	}
	assert_true(r->env.device_valid);
	assert_string_equal(r->env.measure_why, "");
	assert_string_equal(r->env.arch, "sm_90");
	assert_non_null(strstr(r->env.ceiling_note, "--no-ceiling"));
	assert_int_equal(r->n_shapes, 1);
	sh = &r->shapes[0];
	assert_int_equal(sh->n_tensors, 3);
	assert_true(sh->done);
	/* right: pass, with every figure bench gives */
	row = row_of(sh, "q4k_mwv", 2);
	assert_int_equal(row->status, REPORT_ROW_PASS);
	assert_true(row->time_valid && row->total_valid && row->gbs_valid && row->err_valid);
	assert_true(row->time_us > 0);
	assert_true(row->rel_l2 < 1e-5);
	assert_false(row->ceiling_pct_valid); /* no ceiling: no % of it, not a 0 */
	assert_true(row->geom_valid);
	assert_int_equal(row->block, 64);
	assert_int_equal(row->grid, 256);
	/* 0.1% off fails the fp32 tolerance, saying so */
	row = row_of(sh, "q4k_vectorized", 1);
	assert_int_equal(row->status, REPORT_ROW_FAIL);
	assert_non_null(strstr(row->why, "rel_l2"));
	/* Q8_1 input: the quantizer ran first, its time is apart */
	row = row_of(sh, "q4k_mwv_dp4a", 8);
	assert_int_equal(row->status, REPORT_ROW_PASS);
	assert_true(row->quant_valid);
	assert_true(row->total_us > row->time_us);
	/* no host kernel for q4k_wide: an error naming it, never a winner */
	row = row_of(sh, "q4k_wide", 8);
	assert_int_equal(row->status, REPORT_ROW_ERROR);
	assert_non_null(strstr(row->why, "q4k_wide"));
	assert_false(row->winner);
	/* the fake times every launch alike: the first correct f32 row wins
	 * (the dp4a rows pay for the quantizer too) */
	assert_true(sh->winner >= 0);
	assert_string_equal(sh->rows[sh->winner].v->name, "q4k_mwv");
	assert_int_equal(sh->rows[sh->winner].warps, 1);
	assert_true(r->time_shares_valid);
	assert_true(r->profile.valid);
	assert_string_equal(r->profile.env, "MWV_Q4K=1 MWV_WARPS=1");
	gpu_close(g);
	report_free(r);
	gguf_close(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_static),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_run_measured),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
