/* Unit tests for ui/layout (a pure function of the terminal size) and for
 * the whole screen drawn at a sweep of sizes. */
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
#include "layout.h"
#include "model.h"
#include "render.h"

static bool
overlap(layout_rect a, layout_rect b)
{
	return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/* Every property a usable layout must have, for one size. */
static void
check_layout(int cols, int rows, int matrix_rows)
{
	layout l;
	long area = 0;
	int i, j, x, y;

	layout_compute(cols, rows, matrix_rows, &l);
	assert_int_equal(l.cols, cols < 0 ? 0 : cols);
	assert_int_equal(l.rows, rows < 0 ? 0 : rows);
	assert_int_equal(l.need_cols, LAYOUT_MIN_COLS);
	assert_int_equal(l.need_rows, LAYOUT_MIN_ROWS);
	if (cols < LAYOUT_MIN_COLS || rows < LAYOUT_MIN_ROWS) {
		assert_true(l.too_small);
		assert_int_equal(layout_pane_at(&l, 0, 0), -1);
		return;
	}
	assert_false(l.too_small);
	for (i = 0; i < LP_COUNT; i++) {
		layout_rect r = l.r[i];

		/* Inside the screen, and big enough to draw a bordered pane. */
		assert_true(r.x >= 0 && r.y >= 0);
		assert_true(r.x + r.w <= cols);
		assert_true(r.y + r.h <= rows);
		assert_true(r.w >= 1 && r.h >= 1);
		if (i == LP_LAYERS || i == LP_MATRIX || i == LP_DETAIL || i == LP_OUTLIER) {
			assert_true(r.w >= 20);
			assert_true(r.h >= 5);
		}
		area += (long)r.w * r.h;
		for (j = i + 1; j < LP_COUNT; j++)
			assert_false(overlap(r, l.r[j]));
	}
	/* Disjoint and inside, with the areas adding up: an exact tiling. */
	assert_int_equal(area, (long)cols * rows);
	assert_int_equal(l.r[LP_HEADER].y, 0);
	assert_int_equal(l.r[LP_FKEYS].y, rows - 1);
	assert_int_equal(l.r[LP_STATUS].y, rows - 2);
	/* The outlier pane sits beside the detail pane. */
	assert_int_equal(l.r[LP_DETAIL].y, l.r[LP_OUTLIER].y);
	assert_int_equal(l.r[LP_DETAIL].x + l.r[LP_DETAIL].w, l.r[LP_OUTLIER].x);
	/* Hit testing agrees with the rectangles at a few sample points. */
	for (y = 0; y < rows; y += 7)
		for (x = 0; x < cols; x += 11) {
			int p = layout_pane_at(&l, x, y);

			assert_true(p >= 0 && p < LP_COUNT);
			assert_true(layout_rect_contains(l.r[p], x, y));
		}
	assert_int_equal(layout_pane_at(&l, cols, 0), -1);
	assert_int_equal(layout_pane_at(&l, 0, rows), -1);
	assert_int_equal(layout_pane_at(&l, -1, 0), -1);
}

static void
test_layout_sweep(void **state)
{
	static const int hints[] = { 0, 1, 3, 8, 50 };
	int cols, rows;
	size_t h;

	(void)state;
	for (cols = 0; cols <= 320; cols += (cols < 90 ? 1 : 7))
		for (rows = 0; rows <= 110; rows += (rows < 30 ? 1 : 5))
			for (h = 0; h < sizeof(hints) / sizeof(hints[0]); h++)
				check_layout(cols, rows, hints[h]);
	check_layout(300, 100, 8);
	check_layout(40, 12, 8);
	check_layout(-5, -5, 8);
}

static void
test_layout_named_sizes(void **state)
{
	layout l;

	(void)state;
	layout_compute(40, 12, 8, &l);
	assert_true(l.too_small);
	layout_compute(79, 24, 8, &l);
	assert_true(l.too_small);
	layout_compute(80, 23, 8, &l);
	assert_true(l.too_small);
	layout_compute(80, 24, 8, &l);
	assert_false(l.too_small);
	layout_compute(300, 100, 8, &l);
	assert_false(l.too_small);
	/* A wide screen gives its width to the matrix, not the list. */
	assert_true(l.r[LP_LAYERS].w <= 56);
	assert_true(l.r[LP_MATRIX].w >= 240);
	layout_compute(160, 48, 8, &l);
	assert_int_equal(l.r[LP_LAYERS].w, 48);
	/* The matrix asks for one row per variant plus its frame. */
	assert_int_equal(l.r[LP_MATRIX].h, 8 + 4);
	layout_compute(160, 48, 40, &l);
	assert_true(l.r[LP_MATRIX].h <= (48 - LAYOUT_HEADER_ROWS - 2) / 2);
	assert_string_equal(layout_pane_name(LP_MATRIX), "matrix");
	assert_string_equal(layout_pane_name(99), "none");
}

static void
test_layout_popup(void **state)
{
	int cols, rows;

	(void)state;
	for (cols = 0; cols < 200; cols += 13)
		for (rows = 0; rows < 80; rows += 7) {
			layout_rect r = layout_popup(cols, rows, 84, 40);

			assert_true(r.x >= 0 && r.y >= 0);
			assert_true(r.x + r.w <= cols);
			assert_true(r.y + r.h <= rows);
			if (cols >= 86)
				assert_int_equal(r.w, 84);
		}
}

/* A small model: one group, a q4_K tensor with two variants. */
static void
fill_model(model *m)
{
	model_tensor *t;

	model_init(m);
	m->load_state = LOAD_OK;
	snprintf(m->src_name, sizeof(m->src_name), "test.gguf");
	m->n_groups = 1;
	m->groups = calloc(1, sizeof(*m->groups));
	m->groups[0].block = 0;
	m->groups[0].count = 1;
	m->n_tensors = 1;
	m->tensors = calloc(1, sizeof(*m->tensors));
	t = &m->tensors[0];
	snprintf(t->name, sizeof(t->name), "blk.0.ffn_down.weight");
	snprintf(t->type_name, sizeof(t->type_name), "q4_K");
	t->n_dims = 2;
	t->ne[0] = 14336;
	t->ne[1] = 4096;
	t->n_variants = 2;
	t->variants = calloc(2, sizeof(*t->variants));
	snprintf(t->variants[0].name, 32, "basic");
	t->variants[0].n_warps = 1;
	t->variants[0].warps[0] = 1;
	snprintf(t->variants[1].name, 32, "mwv");
	t->variants[1].n_warps = 3;
	t->variants[1].warps[0] = 2;
	t->variants[1].warps[1] = 3;
	t->variants[1].warps[2] = 4;
	t->cells = calloc(2 * MODEL_MAX_WARPS, sizeof(*t->cells));
	model_select_tensor(m, 0);
}

/* The whole screen at every size: never out of bounds (canvas clips, the
 * sanitizers watch), the too-small screen exactly below the minimum, and
 * each pane's title when the layout fits. */
static void
test_render_sweep(void **state)
{
	static render_out out;
	render_opts o = { "0.0", false };
	model m;
	int cols, rows;

	(void)state;
	fill_model(&m);
	for (cols = 1; cols <= 300; cols += (cols < 100 ? 3 : 25))
		for (rows = 1; rows <= 100; rows += (rows < 30 ? 1 : 10)) {
			canvas *c = canvas_new(cols, rows, &canvas_glyphs_ascii);
			bool small = cols < LAYOUT_MIN_COLS || rows < LAYOUT_MIN_ROWS;

			render_screen(c, &m, &o, &out);
			assert_int_equal(out.lay.too_small, small);
			if (small && cols >= 24 && rows >= 2) {
				assert_true(canvas_contains(c, "terminal too small"));
			} else if (!small) {
				assert_true(canvas_contains(c, "Layers (1)"));
				assert_true(canvas_contains(c, "Variants x warps"));
				assert_true(canvas_contains(c, "Detail: basic, 1 warp"));
				assert_true(canvas_contains(c, "Outliers"));
				assert_true(canvas_contains(c, "F10Quit"));
			}
			canvas_free(c);
		}
	model_free(&m);
}

static void
test_render_too_small_text(void **state)
{
	static render_out out;
	render_opts o = { "0.0", false };
	canvas *c = canvas_new(40, 12, &canvas_glyphs_ascii);
	model m;

	(void)state;
	model_init(&m);
	render_screen(c, &m, &o, &out);
	assert_true(canvas_contains(c, "terminal too small"));
	assert_true(canvas_contains(c, "need 80x24, have 40x12"));
	assert_int_equal(out.n_hits, 0);
	canvas_free(c);
	model_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_sweep),
		cmocka_unit_test(test_layout_named_sizes),
		cmocka_unit_test(test_layout_popup),
		cmocka_unit_test(test_render_sweep),
		cmocka_unit_test(test_render_too_small_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
