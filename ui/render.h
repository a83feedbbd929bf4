/* render: draw the whole screen for a model into a canvas.
 *
 * Pure apart from the scroll offsets it keeps in the model (they depend on
 * how many rows fit). The same drawing serves the terminal, --snapshot and
 * the tests. Besides the picture it returns the clickable zones, so a mouse
 * click maps to exactly what was drawn there. */
#ifndef GGSCOPE_RENDER_H
#define GGSCOPE_RENDER_H

#include "canvas.h"
#include "layout.h"
#include "model.h"

enum render_hit_kind {
	HIT_NONE,
	HIT_PANE,    /* a = enum layout_pane */
	HIT_TENSOR,  /* a = tensor index */
	HIT_CELL,    /* a = variant index, b = warps */
	HIT_KEY      /* a = the key the label stands for */
};

typedef struct render_hit {
	layout_rect r;
	int kind;
	int a, b;
} render_hit;

#define RENDER_MAX_HITS 1024

typedef struct render_out {
	layout lay;
	int n_hits;
	render_hit hits[RENDER_MAX_HITS];
} render_out;

typedef struct render_opts {
	const char *version;  /* shown in the header */
	bool show_pct;        /* matrix cells in % of ceiling instead of GB/s */
} render_opts;

/* Draw the screen (or the "terminal too small" box) at the canvas size. */
void render_screen(canvas *c, model *m, const render_opts *o, render_out *out);

/* The innermost zone at (x, y); a HIT_NONE zone when nothing is there. */
render_hit render_hit_at(const render_out *out, int x, int y);

#endif
