/* layout: where every pane of the TUI goes, as a pure function of the
 * terminal size.
 *
 *   +-------------------------------------------------------------+
 *   | header: device, versions, counters, GpuProfile, model       |
 *   +------------+------------------------------------------------+
 *   | layers     | variant matrix (variants x warp counts)        |
 *   | and        +-----------------------+------------------------+
 *   | tensors    | detail of the cell    | outlier statistics     |
 *   +------------+-----------------------+------------------------+
 *   | status line                                                 |
 *   | function-key bar                                            |
 *   +-------------------------------------------------------------+
 *
 * The panes tile the screen exactly: no gaps, no overlaps. Below the minimum
 * size the layout says so (too_small) and the caller draws the "terminal too
 * small" box instead; no pane rectangle is meaningful then. */
#ifndef GGSCOPE_LAYOUT_H
#define GGSCOPE_LAYOUT_H

#include <stdbool.h>

#define LAYOUT_MIN_COLS 80
#define LAYOUT_MIN_ROWS 24
#define LAYOUT_HEADER_ROWS 4

/* Cells, origin top-left; x grows right, y down. */
typedef struct layout_rect {
	int x, y, w, h;
} layout_rect;

enum layout_pane {
	LP_HEADER,
	LP_LAYERS,
	LP_MATRIX,
	LP_DETAIL,
	LP_OUTLIER,
	LP_STATUS,
	LP_FKEYS,
	LP_COUNT
};

typedef struct layout {
	int cols, rows;     /* the terminal size given */
	bool too_small;     /* below LAYOUT_MIN_COLS x LAYOUT_MIN_ROWS */
	int need_cols, need_rows;
	layout_rect r[LP_COUNT];
} layout;

/* Compute the layout for a cols x rows terminal. matrix_rows is how many
 * variant rows the matrix would like to show (it gets fewer on a short
 * screen and scrolls). Never fails; negative sizes count as 0. */
void layout_compute(int cols, int rows, int matrix_rows, layout *out);

/* The pane containing cell (x, y), or -1 (outside the screen, or too small). */
int layout_pane_at(const layout *l, int x, int y);

/* A centred popup of at most want_w x want_h, kept one cell inside the
 * screen edges (smaller when the screen is). */
layout_rect layout_popup(int cols, int rows, int want_w, int want_h);

/* Whether (x, y) lies inside r. */
bool layout_rect_contains(layout_rect r, int x, int y);

/* A short name for a pane ("layers", "matrix", ...). */
const char *layout_pane_name(int pane);

#endif
