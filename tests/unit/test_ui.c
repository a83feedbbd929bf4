/* Unit tests for the TUI's model: navigation, job results folded into
 * it, the key table, and the screen drawn from it with its click zones.
 * No terminal. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "canvas.h"
#include "job.h"
#include "keys.h"
#include "model.h"
#include "render.h"
#include "xalloc.h"

/* ------------------------------------------------------------ fixtures */

/* Like assert_true(canvas_contains()), but shows the screen on failure. */
#define assert_screen(c, needle) do { \
		if (!canvas_contains((c), (needle))) { \
			canvas_print((c), stderr); \
			fail_msg("screen lacks \"%s\"", (needle)); \
		} \
	} while (0)


static void
add_variant(model_tensor *t, const char *name, bool q8, const int *warps, int n)
{
	model_variant *v = &t->variants[t->n_variants++];
	int i;

	snprintf(v->name, sizeof(v->name), "%s", name);
	snprintf(v->file, sizeof(v->file), "q4k_%s.cu", name);
	v->q8_1 = q8;
	v->n_warps = n;
	for (i = 0; i < n; i++)
		v->warps[i] = warps[i];
}

/* What a load result would hold: a group outside blocks with a norm, and
 * block 3 with two q4_K matrices and a q6_K one. */
static job_result *
make_load(void)
{
	static const int w1[] = { 1 }, wm[] = { 1, 2, 3, 4, 8 }, wh[] = { 2, 4 };
	job_result *r = xcalloc(1, sizeof(*r));
	static const char *const names[] = { "output_norm.weight", "blk.3.attn_q.weight",
		"blk.3.ffn_up.weight", "blk.3.ffn_down.weight" };
	size_t i;

	r->job.kind = JOB_LOAD;
	r->ok = true;
	snprintf(r->src_name, sizeof(r->src_name), "model.gguf");
	r->file_bytes = 123456789;
	r->n_groups = 2;
	r->groups = xcalloc(2, sizeof(*r->groups));
	r->groups[0].block = -1;
	r->groups[0].first = 0;
	r->groups[0].count = 1;
	r->groups[1].block = 3;
	r->groups[1].first = 1;
	r->groups[1].count = 3;
	r->n_tensors = 4;
	r->tensors = xcalloc(4, sizeof(*r->tensors));
	for (i = 0; i < 4; i++) {
		model_tensor *t = &r->tensors[i];

		snprintf(t->name, sizeof(t->name), "%s", names[i]);
		t->group = i == 0 ? 0 : 1;
		t->block = i == 0 ? -1 : 3;
		t->n_dims = i == 0 ? 1 : 2;
		t->ne[0] = 4096;
		t->ne[1] = i == 0 ? 1 : 14336;
		t->bytes = 1000 * (i + 1);
		if (i == 0) {
			snprintf(t->type_name, sizeof(t->type_name), "f32");
			snprintf(t->no_variants, sizeof(t->no_variants), "no GEMV variants for f32");
			continue;
		}
		snprintf(t->type_name, sizeof(t->type_name), i == 3 ? "q6_K" : "q4_K");
		t->gemv = true;
		t->variants = xcalloc(3, sizeof(*t->variants));
		add_variant(t, "basic", false, w1, 1);
		add_variant(t, "mwv", false, wm, 5);
		add_variant(t, "hw_dp4a", true, wh, 2);
		if (i == 3)
			snprintf(t->variants[0].illegal, sizeof(t->variants[0].illegal), "k > 12288");
		t->cells = xcalloc((size_t)t->n_variants * MODEL_MAX_WARPS, sizeof(*t->cells));
	}
	r->n_act_sources = 2;
	snprintf(r->act_sources[0], 64, "synthetic (seed 42)");
	snprintf(r->act_sources[1], 64, "synthetic + planted outliers");
	return r;
}

static void
loaded_model(model *m)
{
	job_result *r = make_load();

	model_init(m);
	job_apply(m, r);
	free(r);
}

/* ------------------------------------------------------------ model */

static void
test_model_load_and_select(void **state)
{
	model m;
	model_tensor *t;

	(void)state;
	loaded_model(&m);
	assert_int_equal(m.load_state, LOAD_OK);
	assert_int_equal(m.n_tensors, 4);
	assert_int_equal(m.n_act_sources, 2);
	/* The norm vector is skipped: the first GEMV matrix is selected. */
	assert_int_equal(m.sel_tensor, 1);
	assert_int_equal(m.sel_variant, 0);
	assert_int_equal(m.sel_warps, 1);
	t = model_tensor_sel(&m);
	assert_string_equal(t->name, "blk.3.attn_q.weight");

	/* List rows: group, tensor, group, 3 tensors. */
	assert_int_equal(model_list_rows(&m), 6);
	assert_int_equal(model_tensor_of_row(&m, 0), -1);
	assert_int_equal(model_tensor_of_row(&m, 1), 0);
	assert_int_equal(model_tensor_of_row(&m, 2), -1);
	assert_int_equal(model_tensor_of_row(&m, 3), 1);
	assert_int_equal(model_tensor_of_row(&m, 5), 3);
	assert_int_equal(model_tensor_of_row(&m, 6), -1);
	assert_int_equal(model_row_of_tensor(&m, 3), 5);

	model_move_tensor(&m, 100);
	assert_int_equal(m.sel_tensor, 3);
	model_move_tensor(&m, -100);
	assert_int_equal(m.sel_tensor, 0);
	assert_null(model_variant_sel(&m));
	assert_null(model_cell_sel(&m));
	assert_true(model_select_tensor_name(&m, "blk.3.ffn_up.weight"));
	assert_int_equal(m.sel_tensor, 2);
	assert_false(model_select_tensor_name(&m, "nope"));
	model_free(&m);
}

static void
test_model_matrix_moves(void **state)
{
	int cols[MODEL_MAX_COLS];
	model m;

	(void)state;
	loaded_model(&m);
	assert_int_equal(model_columns(model_tensor_sel(&m), cols), 5);
	assert_int_equal(cols[0], 1);
	assert_int_equal(cols[4], 8);

	model_move_variant(&m, 1, false); /* mwv keeps w1 */
	assert_string_equal(model_variant_sel(&m)->name, "mwv");
	assert_int_equal(m.sel_warps, 1);
	model_move_warps(&m, 1, false);
	model_move_warps(&m, 1, false);
	model_move_warps(&m, 1, false);
	assert_int_equal(m.sel_warps, 4);
	model_move_variant(&m, 1, false); /* hw_dp4a has 2 and 4: keeps 4 */
	assert_int_equal(m.sel_warps, 4);
	model_move_variant(&m, -1, false);
	model_move_warps(&m, 1, false);
	assert_int_equal(m.sel_warps, 8);
	model_move_variant(&m, 1, false); /* 8 -> the nearest legal, 4 */
	assert_int_equal(m.sel_warps, 4);
	model_move_variant(&m, 1, true);  /* wraps to basic */
	assert_string_equal(model_variant_sel(&m)->name, "basic");
	assert_int_equal(m.sel_warps, 1);
	model_move_warps(&m, -1, true);   /* one column: stays */
	assert_int_equal(m.sel_warps, 1);
	model_move_variant(&m, -1, true);
	assert_string_equal(model_variant_sel(&m)->name, "hw_dp4a");
	model_move_warps(&m, 1, true);
	model_move_warps(&m, 1, true);
	assert_int_equal(m.sel_warps, 2);

	assert_false(model_select_cell(&m, 0, 2));
	assert_true(model_select_cell(&m, 1, 3));
	assert_non_null(model_cell_sel(&m));
	assert_null(model_cell_at(model_tensor_sel(&m), 1, 5));
	assert_null(model_cell_at(model_tensor_sel(&m), 7, 1));

	/* The variant is kept by name across tensors. */
	model_select_tensor(&m, 3);
	assert_string_equal(model_variant_sel(&m)->name, "mwv");
	assert_int_equal(m.sel_warps, 3);
	model_free(&m);
}

static void
test_model_scroll_and_input(void **state)
{
	model m;

	(void)state;
	loaded_model(&m);
	model_select_tensor(&m, 3);
	model_scroll_layers(&m, 2);
	assert_int_equal(m.layers_scroll, 4);
	model_select_tensor(&m, 1);
	model_scroll_layers(&m, 2);
	/* The group header above the first tensor stays visible. */
	assert_int_equal(m.layers_scroll, 2);
	model_scroll_layers(&m, 100);
	assert_int_equal(m.layers_scroll, 0);

	m.sel_variant = 2;
	model_scroll_matrix(&m, 1);
	assert_int_equal(m.matrix_scroll, 2);
	model_scroll_matrix(&m, 3);
	assert_int_equal(m.matrix_scroll, 0);

	model_input_begin(&m, "Planted", "40");
	model_input_char(&m, '8');
	model_input_char(&m, 1);     /* control: ignored */
	model_input_char(&m, 300);   /* not ASCII: ignored */
	assert_string_equal(m.input, "408");
	model_input_backspace(&m);
	model_input_backspace(&m);
	model_input_backspace(&m);
	model_input_backspace(&m);
	assert_string_equal(m.input, "");
	assert_int_equal(m.popup, POPUP_INPUT);
	model_free(&m);
}

/* ------------------------------------------------------------ job results */

static void
test_job_apply_cells(void **state)
{
	job_result r;
	model m;
	model_cell *cell;

	(void)state;
	loaded_model(&m);
	memset(&r, 0, sizeof(r));
	r.job.kind = JOB_COMPILE;
	r.job.tensor = 1;
	r.job.variant = 1;
	r.job.warps = 4;
	r.started = true;
	job_apply(&m, &r);
	cell = model_cell_at(&m.tensors[1], 1, 4);
	assert_int_equal(cell->state, CELL_RUNNING);

	memset(&r, 0, sizeof(r));
	r.job.kind = JOB_COMPILE;
	r.job.tensor = 1;
	r.job.variant = 1;
	r.job.warps = 4;
	r.comp.valid = r.comp.ok = true;
	r.comp.regs = 40;
	r.comp.log = xstrdup("ptxas info: Used 40 registers");
	job_apply(&m, &r);
	assert_null(r.comp.log); /* moved into the model */
	assert_int_equal(cell->state, CELL_DONE);
	assert_int_equal(cell->comp.regs, 40);
	assert_string_equal(cell->comp.log, "ptxas info: Used 40 registers");

	/* A failed rebuild shows its log and puts the error in the status. */
	memset(&r, 0, sizeof(r));
	r.job.kind = JOB_COMPILE;
	r.job.tensor = 1;
	r.job.variant = 1;
	r.job.warps = 4;
	r.comp.valid = true;
	snprintf(r.comp.why, sizeof(r.comp.why), "q4k_mwv.cu(12): error: expected a \";\"");
	r.comp.log = xstrdup("q4k_mwv.cu(12): error: expected a \";\"\n1 error detected");
	job_apply(&m, &r);
	assert_false(cell->comp.ok);
	assert_int_equal(m.status_level, LEVEL_ERROR);
	assert_non_null(strstr(m.status, "expected a"));

	/* A measurement taken before the input changed keeps its time but
	 * not its error. */
	memset(&r, 0, sizeof(r));
	r.job.kind = JOB_MEASURE;
	r.job.tensor = 1;
	r.job.variant = 1;
	r.job.warps = 4;
	r.job.act_gen = m.act_gen;
	r.meas.valid = true;
	r.meas.gbs = 2500;
	r.meas.err_valid = true;
	r.meas.err_pass = true;
	model_next_act_source(&m);
	job_apply(&m, &r);
	assert_true(cell->meas.valid);
	assert_false(cell->meas.err_valid);
	assert_non_null(strstr(cell->meas.err_why, "previous input"));

	/* Cancelled: back to what it was. */
	cell = model_cell_at(&m.tensors[2], 0, 1);
	cell->state = CELL_QUEUED;
	memset(&r, 0, sizeof(r));
	r.job.kind = JOB_COMPILE;
	r.job.tensor = 2;
	r.job.variant = 0;
	r.job.warps = 1;
	r.cancelled = true;
	job_apply(&m, &r);
	assert_int_equal(cell->state, CELL_EMPTY);

	/* A result for a tensor that no longer exists is dropped. */
	memset(&r, 0, sizeof(r));
	r.job.kind = JOB_COMPILE;
	r.job.tensor = 99;
	r.comp.log = xstrdup("x");
	job_apply(&m, &r);
	assert_null(r.comp.log);
	model_free(&m);
}

static void
test_job_apply_outlier_and_load_failure(void **state)
{
	job_result r;
	model m;

	(void)state;
	loaded_model(&m);
	memset(&r, 0, sizeof(r));
	r.job.kind = JOB_OUTLIER;
	r.job.tensor = 1;
	r.job.act_gen = m.act_gen;
	r.out.valid = true;
	r.out.k = 4;
	r.out.mag = xcalloc(4, sizeof(float));
	job_apply(&m, &r);
	assert_true(m.tensors[1].out.valid);
	assert_true(m.tensors[1].out.done);
	assert_non_null(m.tensors[1].out.mag);

	/* Stale: computed for an activation setting since replaced. */
	memset(&r, 0, sizeof(r));
	r.job.kind = JOB_OUTLIER;
	r.job.tensor = 2;
	r.job.act_gen = m.act_gen + 7;
	r.out.valid = true;
	r.out.mag = xcalloc(4, sizeof(float));
	job_apply(&m, &r);
	assert_false(m.tensors[2].out.valid);

	model_invalidate_acts(&m, "input changed");
	assert_false(m.tensors[1].out.valid);
	assert_null(m.tensors[1].out.mag);
	assert_string_equal(m.tensors[1].out.why, "input changed");

	memset(&r, 0, sizeof(r));
	r.job.kind = JOB_LOAD;
	snprintf(r.src_name, sizeof(r.src_name), "bad.gguf");
	snprintf(r.why, sizeof(r.why), "bad magic at offset 0");
	job_apply(&m, &r);
	assert_int_equal(m.load_state, LOAD_FAILED);
	assert_int_equal(m.n_tensors, 0);
	assert_non_null(strstr(m.status, "bad magic at offset 0"));
	model_free(&m);
}

static void
test_job_describe(void **state)
{
	char buf[128];
	model m;
	job j;

	(void)state;
	loaded_model(&m);
	memset(&j, 0, sizeof(j));
	j.kind = JOB_COMPILE;
	j.tensor = 1;
	j.variant = 1;
	j.warps = 4;
	job_describe(&j, &m, buf, sizeof(buf));
	assert_string_equal(buf, "compiling mwv w4");
	j.kind = JOB_LOAD;
	job_describe(&j, &m, buf, sizeof(buf));
	assert_string_equal(buf, "building demo layer");
	model_free(&m);
}

/* ------------------------------------------------------------ keys */

static void
test_keys_table(void **state)
{
	const key_binding *a, *b;
	int i, j, bar = 0;

	(void)state;
	for (a = keys_table; a->action != ACT_NONE; a++) {
		assert_non_null(a->keys);
		assert_non_null(a->help);
		assert_true(a->codes[0] != 0);
		assert_int_equal(keys_action(a->codes[0]), a->action);
		assert_int_equal(keys_code_for(a->action), a->codes[0]);
		if (a->bar != NULL) {
			assert_non_null(a->bar_key);
			bar++;
		}
		/* No key code is bound twice. */
		for (b = a + 1; b->action != ACT_NONE; b++)
			for (i = 0; i < KEYS_MAX_CODES && a->codes[i]; i++)
				for (j = 0; j < KEYS_MAX_CODES && b->codes[j]; j++)
					assert_int_not_equal(a->codes[i], b->codes[j]);
	}
	assert_true(bar >= 8);
	assert_int_equal(keys_action('q'), ACT_QUIT);
	assert_int_equal(keys_action('?'), ACT_HELP);
	assert_int_equal(keys_action('j'), ACT_DOWN);
	assert_int_equal(keys_action('r'), ACT_REBUILD);
	assert_int_equal(keys_action('Z'), ACT_NONE);
	assert_int_equal(keys_action(0), ACT_NONE);
}

/* ------------------------------------------------------------ render */

static render_out out;

static canvas *
draw(model *m, int w, int h, bool pct)
{
	render_opts o = { "9.9", pct };
	canvas *c = canvas_new(w, h, &canvas_glyphs_ascii);

	render_screen(c, m, &o, &out);
	return c;
}

static void
test_render_no_gpu(void **state)
{
	model m;
	model_cell *cell;
	canvas *c;

	(void)state;
	loaded_model(&m);
	m.dev.probed = true;
	snprintf(m.dev.why, sizeof(m.dev.why), "libcuda.so.1: cannot open shared object file");
	snprintf(m.dev.nvrtc, sizeof(m.dev.nvrtc), "13.0");
	cell = model_cell_at(&m.tensors[1], 0, 1);
	cell->state = CELL_DONE;
	cell->comp.valid = cell->comp.ok = true;
	cell->comp.regs = 40;
	cell->comp.spill_bytes = 0;
	cell->comp.smem_bytes = 512;
	cell->comp.compile_ms = 61;
	snprintf(cell->comp.arch, sizeof(cell->comp.arch), "sm_90");
	snprintf(cell->meas.why, sizeof(cell->meas.why), "no GPU");
	c = draw(&m, 160, 48, false);
	assert_screen(c, "ggscope 9.9");
	assert_screen(c, "measurement unavailable: libcuda.so.1");
	assert_screen(c, "NVRTC 13.0");
	assert_screen(c, "model: model.gguf");
	assert_screen(c, "(outside blocks)");
	assert_screen(c, "> attn_q.weight");
	assert_screen(c, "Variants x warps: blk.3.attn_q.weight");
	assert_screen(c, "hw_dp4a*");
	/* The selected cell is bracketed, with the registers of its build. */
	assert_screen(c, "[40 regs]");
	assert_screen(c, "40 regs  spill 0 B  smem 512 B");
	assert_screen(c, "61 ms  sm_90");
	assert_screen(c, "kernel time n/a: no GPU");
	assert_screen(c, "no GPU: cells show registers");
	canvas_free(c);
	model_free(&m);
}

static void
test_render_measured(void **state)
{
	model m;
	model_cell *cell;
	model_outlier *o;
	canvas *c;
	int i;

	(void)state;
	loaded_model(&m);
	m.dev.probed = m.dev.gpu_ok = true;
	snprintf(m.dev.name, sizeof(m.dev.name), "NVIDIA H100 80GB HBM3");
	m.dev.cc_major = 9;
	m.dev.n_sms = 132;
	m.dev.l2_bytes = 50u << 20;
	m.dev.ceiling_valid = true;
	m.dev.ceiling_gbs = 3070;
	m.dev.n_fields = 1;
	snprintf(m.dev.fields[0].name, 24, "q4k");
	snprintf(m.dev.fields[0].value, 48, "q4k_mwv");
	snprintf(m.dev.fields[0].origin, 16, "env");
	snprintf(m.dev.fields[0].source, 64, "MWV_Q4K (set: on, whatever the value)");
	snprintf(m.dev.profile_for, sizeof(m.dev.profile_for), "sm_90");
	model_select_cell(&m, 1, 4);
	m.focus = FOCUS_MATRIX;
	cell = model_cell_sel(&m);
	cell->state = CELL_DONE;
	cell->meas.valid = true;
	cell->meas.t_med_ns = 12345;
	cell->meas.t_min_ns = 12000;
	cell->meas.t_max_ns = 13000;
	cell->meas.reps = 50;
	snprintf(cell->meas.timing_src, sizeof(cell->meas.timing_src), "CUPTI activity");
	cell->meas.gbs = 2673.4;
	cell->meas.pct_valid = true;
	cell->meas.pct_ceiling = 87.1;
	cell->meas.theo_valid = true;
	cell->meas.occ_theoretical_pct = 75;
	snprintf(cell->meas.limiter, sizeof(cell->meas.limiter), "registers");
	snprintf(cell->meas.occ_why, sizeof(cell->meas.occ_why), "counters off");
	cell->meas.err_valid = true;
	cell->meas.err_pass = true;
	cell->meas.err_rel_l2 = 1e-6;
	snprintf(cell->meas.counters, sizeof(cell->meas.counters), "DRAM 52 %% of peak  L2 hit 3 %%  (2 passes)");
	snprintf(cell->meas.verdict, sizeof(cell->meas.verdict), "latency-bound: DRAM 52%% and SM 5%% are both "
		"below 60%%; theoretical occupancy 75%% limited by registers");
	o = &model_tensor_sel(&m)->out;
	o->valid = o->done = true;
	o->k = 4096;
	o->mag = xcalloc(4096, sizeof(float));
	for (i = 0; i < 4096; i++)
		o->mag[i] = 1;
	o->mag[408] = 26;
	o->rms = 1;
	o->max_abs = 26;
	o->max_over_rms = 26;
	o->argmax = 408;
	o->threshold = 8;
	o->route_fp32 = true;
	o->n_top = 1;
	o->top_ch[0] = 408;
	o->top_mult[0] = 26;
	snprintf(o->source, sizeof(o->source), "planted 408:26");

	c = draw(&m, 160, 48, false);
	assert_screen(c, "NVIDIA H100 80GB HBM3  sm_90  132 SMs  L2 50.0 MiB");
	assert_screen(c, "ceiling 3070 GB/s");
	assert_screen(c, "q4k=q4k_mwv (env)  for sm_90; p: all 1 fields");
	assert_screen(c, "[2673]");
	assert_screen(c, "12.3 us  min 12.0 us  max 13.0 us");
	assert_screen(c, "2673 GB/s  87.1 % of ceiling");
	assert_screen(c, "occupancy   theor. 75.0 % (registers), 0.00 waves");
	assert_screen(c, "achieved    n/a: counters off");
	assert_screen(c, "PASS");
	assert_screen(c, "counters    DRAM 52 % of peak  L2 hit 3 %  (2 passes)");
	/* The verdict wraps under its label rather than being cut. */
	assert_screen(c, "verdict     latency-bound: DRAM 52% and SM 5% are    |");
	assert_screen(c, "            both below 60%; theoretical occupancy    |");
	assert_screen(c, "26.0 at ch 408");
	assert_screen(c, "route to fp32");
	assert_screen(c, "408:26.0x");
	assert_screen(c, "Q8_1 n/a vs fp32 1.00e-06");
	canvas_free(c);

	c = draw(&m, 160, 48, true);
	assert_screen(c, "[87.1%]");
	canvas_free(c);
	model_free(&m);
}

static void
test_render_hits(void **state)
{
	model m;
	canvas *c;
	int x, y, seen_cell = 0, seen_tensor = 0, seen_key = 0;

	(void)state;
	loaded_model(&m);
	c = draw(&m, 160, 48, false);
	for (y = 0; y < 48; y++)
		for (x = 0; x < 160; x++) {
			render_hit h = render_hit_at(&out, x, y);

			if (h.kind == HIT_CELL) {
				/* A cell zone names a legal cell. */
				assert_non_null(model_cell_at(model_tensor_sel(&m), h.a, h.b));
				seen_cell++;
			} else if (h.kind == HIT_TENSOR) {
				assert_true(h.a >= 0 && (size_t)h.a < m.n_tensors);
				seen_tensor |= 1 << h.a;
			} else if (h.kind == HIT_KEY) {
				assert_int_not_equal(keys_action(h.a), ACT_NONE);
				seen_key++;
			}
		}
	assert_true(seen_cell > 0);
	assert_int_equal(seen_tensor, 0xf);
	assert_true(seen_key > 0);
	/* A popup takes every click. */
	m.popup = POPUP_HELP;
	canvas_free(c);
	c = draw(&m, 160, 48, false);
	assert_int_equal(render_hit_at(&out, 5, 5).kind, HIT_NONE);
	canvas_free(c);
	model_free(&m);
}

static void
test_render_help_lists_every_key(void **state)
{
	const key_binding *b;
	model m;
	canvas *c;

	(void)state;
	loaded_model(&m);
	m.popup = POPUP_HELP;
	c = draw(&m, 160, 60, false);
	for (b = keys_table; b->action != ACT_NONE; b++) {
		assert_screen(c, b->keys);
		assert_screen(c, b->help);
	}
	canvas_free(c);
	model_free(&m);
}

static void
test_render_popups(void **state)
{
	model m;
	canvas *c;

	(void)state;
	loaded_model(&m);
	model_set_log(&m, "NVRTC log: mwv", "line one\nline two\n");
	m.popup = POPUP_LOG;
	c = draw(&m, 100, 30, false);
	assert_screen(c, "NVRTC log: mwv");
	assert_screen(c, "line two");
	canvas_free(c);
	m.popup_scroll = 1;
	c = draw(&m, 100, 30, false);
	assert_false(canvas_contains(c, "line one"));
	canvas_free(c);

	m.popup = POPUP_PROFILE;
	snprintf(m.dev.profile_why, sizeof(m.dev.profile_why), "no device");
	c = draw(&m, 100, 30, false);
	assert_screen(c, "n/a: no device");
	canvas_free(c);

	model_input_begin(&m, "Planted outliers", "408:26");
	c = draw(&m, 100, 30, false);
	assert_screen(c, "Planted outliers");
	assert_screen(c, "408:26_");
	canvas_free(c);
	model_free(&m);
}

static void
test_render_profile_popup(void **state)
{
	model m;
	canvas *c;
	int i;

	(void)state;
	loaded_model(&m);
	m.dev.n_fields = 4;
	for (i = 0; i < 4; i++) {
		snprintf(m.dev.fields[i].name, 24, "field%d", i);
		snprintf(m.dev.fields[i].value, 48, "value%d", i);
		snprintf(m.dev.fields[i].origin, 16, i == 2 ? "user" : "auto");
		snprintf(m.dev.fields[i].source, 192, "rule %d", i);
	}
	snprintf(m.dev.fields[1].note, 160, "MWV_WARPS=5 is set but a user choice wins");
	snprintf(m.dev.profile_for, sizeof(m.dev.profile_for), "sm_90");
	m.popup = POPUP_PROFILE;
	c = draw(&m, 140, 40, false);
	assert_screen(c, "for sm_90");
	assert_screen(c, "field0             value0          auto   rule 0");
	assert_screen(c, "field2             value2          user   rule 2");
	assert_screen(c, "MWV_WARPS=5 is set but a user choice wins");
	assert_screen(c, "Selection: q4_K basic, 1 warp.");
	/* The header names the first four fields (the kernels and both warp
	 * counts) with their origin. */
	m.popup = POPUP_NONE;
	canvas_free(c);
	c = draw(&m, 160, 48, false);
	assert_screen(c, "field0=value0 (auto)  field1=value1 (auto)  field2=value2 (user)  field3=value3 (auto)  "
		"for sm_90");
	canvas_free(c);
	model_free(&m);
}

static void
test_render_loading(void **state)
{
	model m;
	canvas *c;

	(void)state;
	model_init(&m);
	m.load_state = LOAD_RUNNING;
	snprintf(m.src_name, sizeof(m.src_name), "<demo layer>");
	m.busy = 1;
	snprintf(m.busy_label, sizeof(m.busy_label), "building demo layer");
	c = draw(&m, 120, 40, false);
	assert_screen(c, "building demo layer...");
	assert_screen(c, "probing...");
	canvas_free(c);
	m.progress_active = true;
	m.progress_done = 3;
	m.progress_total = 12;
	snprintf(m.progress_label, sizeof(m.progress_label), "sweep");
	c = draw(&m, 120, 40, false);
	assert_screen(c, "sweep 3/12 [########......................]");
	canvas_free(c);
	model_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_load_and_select),
		cmocka_unit_test(test_model_matrix_moves),
		cmocka_unit_test(test_model_scroll_and_input),
		cmocka_unit_test(test_job_apply_cells),
		cmocka_unit_test(test_job_apply_outlier_and_load_failure),
		cmocka_unit_test(test_job_describe),
		cmocka_unit_test(test_keys_table),
		cmocka_unit_test(test_render_no_gpu),
		cmocka_unit_test(test_render_measured),
		cmocka_unit_test(test_render_hits),
		cmocka_unit_test(test_render_help_lists_every_key),
		cmocka_unit_test(test_render_popups),
		cmocka_unit_test(test_render_profile_popup),
		cmocka_unit_test(test_render_loading),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
