/* Unit tests for the TUI's pure parts: canvas, model navigation, job
 * results folded into the model, the key table, the drawn screen and its
 * click zones, the worker thread, and the editor helpers. No terminal. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "canvas.h"
#include "editor.h"
#include "job.h"
#include "keys.h"
#include "model.h"
#include "render.h"
#include "worker.h"
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

/* ------------------------------------------------------------ canvas */

static void
test_canvas_text_and_clip(void **state)
{
	canvas *c = canvas_new(10, 3, &canvas_glyphs_utf8);
	char row[64];

	(void)state;
	/* wcwidth needs a UTF-8 locale to know that U+00E9 is one column. */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		skip();
	assert_int_equal(canvas_text(c, 7, 0, 100, ROLE_NORMAL, "abcdef"), 3);
	canvas_row_text(c, 0, row, sizeof(row));
	assert_string_equal(row, "       abc");
	/* Off-grid drawing is ignored, never written. */
	canvas_text(c, -3, 1, 10, ROLE_NORMAL, "xyz");
	canvas_text(c, 0, 5, 10, ROLE_NORMAL, "xyz");
	canvas_put(c, 10, 0, 'Q', ROLE_NORMAL);
	assert_null(canvas_get(c, 10, 0));
	/* UTF-8 decodes to one cell per code point; control bytes, wide
	 * characters and malformed sequences become '?'. */
	canvas_clear(c);
	assert_int_equal(canvas_text(c, 0, 0, 10, ROLE_NORMAL, "\xc3\xa9\t\xe4\xb8\xad\xff"), 4);
	canvas_row_text(c, 0, row, sizeof(row));
	assert_string_equal(row, "\xc3\xa9???");
	canvas_free(c);

	c = canvas_new(6, 1, &canvas_glyphs_ascii);
	canvas_text(c, 0, 0, 6, ROLE_NORMAL, "\xc3\xa9x");
	canvas_row_text(c, 0, row, sizeof(row));
	assert_string_equal(row, "?x");
	assert_int_equal(canvas_text_right(c, 0, 0, 6, ROLE_NORMAL, "42"), 2);
	canvas_row_text(c, 0, row, sizeof(row));
	assert_string_equal(row, "?x  42");
	canvas_free(c);
}

static void
test_canvas_box_bars(void **state)
{
	canvas *c = canvas_new(12, 4, &canvas_glyphs_ascii);
	layout_rect r = { 0, 0, 12, 4 };
	char row[64];

	(void)state;
	canvas_box(c, r, ROLE_BORDER, "Title", ROLE_TITLE);
	canvas_row_text(c, 0, row, sizeof(row));
	assert_string_equal(row, "+- Title --+");
	canvas_row_text(c, 3, row, sizeof(row));
	assert_string_equal(row, "+----------+");
	canvas_hbar(c, 1, 1, 10, 0.5, ROLE_BAR);
	canvas_row_text(c, 1, row, sizeof(row));
	assert_string_equal(row, "|#####     |");
	canvas_vbar_cell(c, 1, 2, 1.0, ROLE_BAR);
	canvas_vbar_cell(c, 2, 2, 0.001, ROLE_BAR); /* never vanishes */
	canvas_vbar_cell(c, 3, 2, 0.0, ROLE_BAR);
	assert_int_equal(canvas_get(c, 1, 2)->ch, '#');
	assert_int_equal(canvas_get(c, 2, 2)->ch, '.');
	assert_int_equal(canvas_get(c, 3, 2)->ch, ' ');
	assert_screen(c, "Title");
	assert_false(canvas_contains(c, "Missing"));
	canvas_free(c);
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
	snprintf(m.dev.fields[0].source, 64, "env MWV_Q4K");
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
	assert_screen(c, "q4k=q4k_mwv (env MWV_Q4K)");
	assert_screen(c, "[2673]");
	assert_screen(c, "12.3 us  min 12.0 us  max 13.0 us");
	assert_screen(c, "2673 GB/s  87.1 % of ceiling");
	assert_screen(c, "occupancy   theor. 75.0 % (registers), 0.00 waves");
	assert_screen(c, "achieved    n/a: counters off");
	assert_screen(c, "PASS");
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

/* ------------------------------------------------------------ worker */

/* A job function that echoes its warps into regs; warps < 0 waits until
 * the worker cancels it. */
static void
fake_run(void *ctx, const job *j, job_result *r, worker *w)
{
	(void)ctx;
	if (j->warps == 100) {
		/* 0 %, 0 % again (not posted), 50 %, 100 % */
		worker_progress(w, j, 0.001);
		worker_progress(w, j, 0.005);
		worker_progress(w, j, 0.5);
		worker_progress(w, j, 1.0);
	}
	if (j->warps < 0) {
		while (!worker_cancelling(w))
			usleep(1000);
		snprintf(r->why, sizeof(r->why), "stopped");
		return;
	}
	r->ok = true;
	r->comp.valid = true;
	r->comp.regs = j->warps;
}

/* Pop until `n` final results arrived (bounded); count the kinds. */
static int
collect(worker *w, int n, int *started, int *cancelled, int *regs_sum)
{
	job_result r;
	int done = 0, spins;

	*started = *cancelled = *regs_sum = 0;
	for (spins = 0; done < n && spins < 5000; spins++) {
		if (!worker_pop(w, &r)) {
			usleep(1000);
			continue;
		}
		if (r.started)
			(*started)++;
		else {
			done++;
			if (r.cancelled)
				(*cancelled)++;
			else
				*regs_sum += r.comp.regs;
		}
	}
	return done;
}

/* Wait (bounded) for the notice that a job started running. */
static void
wait_started(worker *w)
{
	job_result r;
	int spins;

	for (spins = 0; spins < 5000; spins++) {
		if (worker_pop(w, &r) && r.started)
			return;
		usleep(1000);
	}
	fail_msg("no job started");
}

static void
test_worker_runs_and_cancels(void **state)
{
	errmsg err;
	worker *w = worker_new(fake_run, NULL, &err);
	int started, cancelled, sum, i;
	job j;

	(void)state;
	assert_non_null(w);
	memset(&j, 0, sizeof(j));
	j.kind = JOB_COMPILE;
	for (i = 1; i <= 4; i++) {
		j.warps = i;
		assert_int_not_equal(worker_push(w, &j), 0);
	}
	assert_int_equal(collect(w, 4, &started, &cancelled, &sum), 4);
	assert_int_equal(started, 4);
	assert_int_equal(sum, 1 + 2 + 3 + 4);
	assert_int_equal(worker_pending(w), 0);

	/* A blocking job holds the thread; the queued sweep jobs behind it are
	 * cancelled, then the running one is asked to stop. */
	j.warps = -1;
	j.group = JG_SWEEP;
	worker_push(w, &j);
	for (i = 1; i <= 3; i++) {
		j.warps = 10;
		worker_push(w, &j);
	}
	assert_true(worker_pending(w) >= 3);
	wait_started(w);
	assert_int_equal(worker_cancel_group(w, JG_SWEEP), 3);
	assert_int_equal(collect(w, 4, &started, &cancelled, &sum), 4);
	assert_int_equal(cancelled, 3);

	/* Coalescing: only the newest queued auto job survives. */
	j.warps = -1;
	j.group = JG_SWEEP;
	worker_push(w, &j);
	wait_started(w);
	j.group = JG_AUTO;
	j.coalesce = true;
	for (i = 1; i <= 5; i++) {
		j.warps = i;
		worker_push(w, &j);
	}
	worker_cancel_group(w, JG_SWEEP);
	assert_int_equal(collect(w, 6, &started, &cancelled, &sum), 6);
	assert_int_equal(cancelled, 4);
	assert_int_equal(sum, 5);
	assert_true(worker_fd(w) >= 0);
	worker_free(w);
	worker_free(NULL);
}

static void
test_worker_progress(void **state)
{
	errmsg err;
	worker *w = worker_new(fake_run, NULL, &err);
	job_result r;
	double fr[8];
	int n = 0, done = 0, spins;
	model m;
	job j;

	(void)state;
	memset(&j, 0, sizeof(j));
	j.kind = JOB_LOAD;
	j.warps = 100;
	worker_push(w, &j);
	for (spins = 0; !done && spins < 5000; spins++) {
		if (!worker_pop(w, &r)) {
			usleep(1000);
			continue;
		}
		if (r.progress && n < 8)
			fr[n++] = r.progress_frac;
		else if (!r.started)
			done = 1;
	}
	assert_true(done);
	assert_int_equal(n, 3);
	assert_true(fr[0] < 0.01 && fr[1] == 0.5 && fr[2] == 1.0);
	worker_progress(NULL, &j, 0.5); /* inline jobs: nothing to post to */
	worker_free(w);

	model_init(&m);
	memset(&r, 0, sizeof(r));
	r.job.kind = JOB_LOAD;
	r.started = true;
	job_apply(&m, &r);
	assert_true(m.load_progress < 0);
	memset(&r, 0, sizeof(r));
	r.job.kind = JOB_LOAD;
	r.progress = true;
	r.progress_frac = 0.25;
	job_apply(&m, &r);
	assert_true(m.load_progress == 0.25);
	assert_int_equal(m.load_state, LOAD_RUNNING);
	model_free(&m);
}

static void
test_worker_free_with_pending(void **state)
{
	errmsg err;
	worker *w = worker_new(fake_run, NULL, &err);
	job j;

	(void)state;
	memset(&j, 0, sizeof(j));
	j.warps = -1;
	worker_push(w, &j);
	j.warps = 1;
	worker_push(w, &j);
	/* Freed with a job running and one queued: stops, joins, no leak. */
	worker_free(w);
}

/* ------------------------------------------------------------ editor */

static void
test_editor_prepare(void **state)
{
	char base[] = "/tmp/ggscope-edXXXXXX", kdir[256], cache[256], path[512], dir[512], f[300];
	editor_stamp s0, s1;
	errmsg err;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(base));
	snprintf(kdir, sizeof(kdir), "%s/kernels", base);
	snprintf(cache, sizeof(cache), "%s/cache/ggscope/kernels", base);
	assert_int_equal(mkdir(kdir, 0755), 0);
	snprintf(f, sizeof(f), "%s/q4k_mwv.cu", kdir);
	fp = fopen(f, "w");
	fputs("// kernel\n", fp);
	fclose(fp);
	snprintf(f, sizeof(f), "%s/common.cuh", kdir);
	fp = fopen(f, "w");
	fputs("// header\n", fp);
	fclose(fp);

	/* Writable: edited in place. */
	assert_int_equal(editor_prepare(kdir, "q4k_mwv.cu", cache, path, sizeof(path), dir, sizeof(dir), &err), 0);
	assert_string_equal(dir, kdir);

	/* Bad names and missing files are errors with a message. */
	assert_int_equal(editor_prepare(kdir, "../x.cu", cache, path, sizeof(path), dir, sizeof(dir), &err), -1);
	assert_int_equal(editor_prepare(kdir, "nope.cu", cache, path, sizeof(path), dir, sizeof(dir), &err), -1);
	assert_non_null(strstr(err.text, "nope.cu"));

	/* Read-only (as root, access(W_OK) ignores modes: skip that part). */
	chmod(kdir, 0555);
	snprintf(f, sizeof(f), "%s/q4k_mwv.cu", kdir);
	chmod(f, 0444);
	if (access(f, W_OK) != 0) {
		assert_int_equal(editor_prepare(kdir, "q4k_mwv.cu", cache, path, sizeof(path), dir, sizeof(dir),
			&err), 0);
		assert_string_equal(dir, cache);
		snprintf(f, sizeof(f), "%s/common.cuh", cache);
		assert_int_equal(access(f, R_OK), 0); /* the headers came along */
	}

	s0 = editor_stat(path);
	assert_true(s0.exists);
	s1 = s0;
	assert_false(editor_changed(s0, s1));
	s1.size++;
	assert_true(editor_changed(s0, s1));
	assert_false(editor_stat("/nonexistent/x").exists);

	/* The editor runs through the shell with the file as "$1". */
	setenv("VISUAL", "sh -c 'echo edited >> \"$0\"'", 1);
	assert_int_equal(editor_run(path, &err), 0);
	assert_true(editor_changed(s0, editor_stat(path)));
	setenv("VISUAL", "false", 1);
	assert_int_equal(editor_run(path, &err), 1);
	setenv("VISUAL", "/nonexistent/editor", 1);
	assert_int_equal(editor_run(path, &err), -1);
	assert_non_null(strstr(err.text, "cannot run editor"));
	unsetenv("VISUAL");

	snprintf(f, sizeof(f), "chmod -R u+w '%s' && rm -rf '%s'", base, base);
	assert_int_equal(system(f), 0);
}

static void
test_editor_dirs(void **state)
{
	char buf[256];
	errmsg err;

	(void)state;
	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	assert_true(editor_cache_dir(buf, sizeof(buf), &err));
	assert_string_equal(buf, "/x/cache/ggscope/kernels");
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/home/u", 1);
	assert_true(editor_cache_dir(buf, sizeof(buf), &err));
	assert_string_equal(buf, "/home/u/.cache/ggscope/kernels");
	unsetenv("HOME");
	assert_false(editor_cache_dir(buf, sizeof(buf), &err));
	setenv("GGSCOPE_KERNELS_DIR", "/k", 1);
	assert_string_equal(editor_kernels_dir(), "/k");
	unsetenv("GGSCOPE_KERNELS_DIR");
	assert_non_null(strstr(editor_kernels_dir(), "/kernels"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canvas_text_and_clip),
		cmocka_unit_test(test_canvas_box_bars),
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
		cmocka_unit_test(test_render_loading),
		cmocka_unit_test(test_worker_runs_and_cancels),
		cmocka_unit_test(test_worker_progress),
		cmocka_unit_test(test_worker_free_with_pending),
		cmocka_unit_test(test_editor_prepare),
		cmocka_unit_test(test_editor_dirs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
