#include "config.h"

#include <string.h>

#include "layout.h"

static int
clampi(int v, int lo, int hi)
{
	if (v < lo)
		return lo;
	if (v > hi)
		return hi;
	return v;
}

static layout_rect
rect(int x, int y, int w, int h)
{
	layout_rect r = { x, y, w, h };
	return r;
}

void
layout_compute(int cols, int rows, int matrix_rows, layout *out)
{
	int body_y, body_h, left_w, right_x, right_w, mat_h, want_mat, low_h, det_w;

	memset(out, 0, sizeof(*out));
	cols = cols < 0 ? 0 : cols;
	rows = rows < 0 ? 0 : rows;
	out->cols = cols;
	out->rows = rows;
	out->need_cols = LAYOUT_MIN_COLS;
	out->need_rows = LAYOUT_MIN_ROWS;
	out->too_small = cols < LAYOUT_MIN_COLS || rows < LAYOUT_MIN_ROWS;
	if (out->too_small)
		return;

	/* Fixed rows: header on top, status line and key bar at the bottom. */
	out->r[LP_HEADER] = rect(0, 0, cols, LAYOUT_HEADER_ROWS);
	out->r[LP_STATUS] = rect(0, rows - 2, cols, 1);
	out->r[LP_FKEYS] = rect(0, rows - 1, cols, 1);
	body_y = LAYOUT_HEADER_ROWS;
	body_h = rows - LAYOUT_HEADER_ROWS - 2;

	/* The layers list needs room for "ffn_gate.weight q4_K 4096x14336
	 * 31.5 MiB" but not more: a wide screen gives its width to the matrix. */
	left_w = clampi(cols * 3 / 10, 26, 56);
	right_x = left_w;
	right_w = cols - left_w;
	out->r[LP_LAYERS] = rect(0, body_y, left_w, body_h);

	/* Matrix: two border rows, the warp header, one row per variant and a
	 * legend, but never more than half the body, so the detail and
	 * outlier panes keep room for their numbers. */
	want_mat = (matrix_rows < 1 ? 1 : matrix_rows) + 4;
	mat_h = clampi(want_mat, 6, body_h / 2);
	out->r[LP_MATRIX] = rect(right_x, body_y, right_w, mat_h);

	low_h = body_h - mat_h;
	det_w = right_w / 2;
	out->r[LP_DETAIL] = rect(right_x, body_y + mat_h, det_w, low_h);
	out->r[LP_OUTLIER] = rect(right_x + det_w, body_y + mat_h, right_w - det_w, low_h);
}

bool
layout_rect_contains(layout_rect r, int x, int y)
{
	return x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
}

int
layout_pane_at(const layout *l, int x, int y)
{
	int i;

	if (l->too_small)
		return -1;
	for (i = 0; i < LP_COUNT; i++)
		if (layout_rect_contains(l->r[i], x, y))
			return i;
	return -1;
}

layout_rect
layout_popup(int cols, int rows, int want_w, int want_h)
{
	int w = clampi(want_w, 1, cols > 2 ? cols - 2 : 1);
	int h = clampi(want_h, 1, rows > 2 ? rows - 2 : 1);

	if (w > cols)
		w = cols;
	if (h > rows)
		h = rows;
	return rect((cols - w) / 2, (rows - h) / 2, w, h);
}

const char *
layout_pane_name(int pane)
{
	static const char *const names[LP_COUNT] = {
		"header", "layers", "matrix", "detail", "outlier", "status", "fkeys"
	};

	if (pane < 0 || pane >= LP_COUNT)
		return "none";
	return names[pane];
}
