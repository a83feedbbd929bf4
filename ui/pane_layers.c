/* The layers pane: groups and their tensors, the cursor on one tensor. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "panes.h"

/* A tensor's name without the "blk.N." its group header already shows. */
static const char *
short_name(const model_tensor *t)
{
	const char *p = t->name;

	if (t->block >= 0 && strncmp(p, "blk.", 4) == 0) {
		const char *dot = strchr(p + 4, '.');

		if (dot != NULL)
			return dot + 1;
	}
	return p;
}

static void
draw_group_row(canvas *c, int x, int y, int w, const model_group *g)
{
	char sz[32];
	int n;

	if (g->block >= 0)
		n = canvas_printf(c, x, y, w, ROLE_TITLE, "blk.%ld", g->block);
	else
		n = canvas_text(c, x, y, w, ROLE_TITLE, "(outside blocks)");
	canvas_printf(c, x + n, y, w - n, ROLE_DIM, "  %zu tensor%s, %s", g->count,
		g->count == 1 ? "" : "s", fmt_bytes(sz, sizeof(sz), g->bytes));
}

static void
draw_tensor_row(canvas *c, int x, int y, int w, const model_tensor *t, bool sel, bool focus)
{
	char shape[48], sz[32];
	unsigned role = t->n_variants > 0 ? ROLE_NORMAL : ROLE_DIM;
	int typew = 5, shapew = 0, bytesw = 0, namew;
	layout_rect row = { x, y, w, 1 };

	fmt_shape(shape, sizeof(shape), t);
	fmt_bytes(sz, sizeof(sz), t->bytes);
	/* Columns appear as width allows: name and type always, then the
	 * byte size, then the shape. */
	if (w >= 36)
		bytesw = 9;
	if (w >= 46)
		shapew = 11;
	namew = w - 2 - typew - bytesw - shapew;
	canvas_text(c, x, y, 2, sel ? ROLE_TITLE | ROLE_F_BOLD : role, sel ? "> " : "  ");
	canvas_text(c, x + 2, y, namew - 1, role, short_name(t));
	canvas_text(c, x + 2 + namew, y, typew, ROLE_LABEL, t->type_name);
	if (shapew)
		canvas_text_right(c, x + 2 + namew + typew, y, shapew - 1, ROLE_DIM, shape);
	if (bytesw)
		canvas_text_right(c, x + w - bytesw, y, bytesw, ROLE_DIM, sz);
	if (sel)
		canvas_set_role(c, row, focus ? ROLE_NORMAL | ROLE_F_REVERSE : ROLE_NORMAL | ROLE_F_BOLD);
}

void
pane_layers(canvas *c, layout_rect r, model *m, render_out *out)
{
	layout_rect in = pane_inner(r);
	char title[64];
	size_t row, rows = model_list_rows(m);
	int y;

	snprintf(title, sizeof(title), "Layers (%zu)", m->n_tensors);
	pane_frame(c, r, title, m->focus == FOCUS_LAYERS);
	if (m->load_state == LOAD_RUNNING) {
		if (m->src_name[0] == '<')
			canvas_text(c, in.x + 1, in.y, in.w - 1, ROLE_WARN, "building demo layer...");
		else
			canvas_printf(c, in.x + 1, in.y, in.w - 1, ROLE_WARN, "opening %s...", m->src_name);
		if (m->load_progress >= 0 && in.h >= 2) {
			int n = canvas_printf(c, in.x + 1, in.y + 1, in.w - 1, ROLE_PROGRESS, "%3.0f%% ",
				m->load_progress * 100);

			canvas_hbar(c, in.x + 1 + n, in.y + 1, in.w - 2 - n, m->load_progress, ROLE_PROGRESS);
		}
		return;
	}
	if (m->n_tensors == 0) {
		canvas_printf(c, in.x + 1, in.y, in.w - 1, ROLE_NA, "n/a: %s",
			m->load_state == LOAD_FAILED ? m->load_why : "no tensors");
		return;
	}
	model_scroll_layers(m, (size_t)in.h);
	for (y = 0, row = m->layers_scroll; y < in.h && row < rows; y++, row++) {
		long ti = model_tensor_of_row(m, row);

		if (ti < 0) {
			size_t g, r0 = 0;

			/* The group whose header is this row. */
			for (g = 0; g < m->n_groups; g++) {
				if (r0 == row) {
					draw_group_row(c, in.x, in.y + y, in.w, &m->groups[g]);
					break;
				}
				r0 += m->groups[g].count + 1;
			}
		} else {
			layout_rect hit = { in.x, in.y + y, in.w, 1 };

			draw_tensor_row(c, in.x, in.y + y, in.w, &m->tensors[ti],
				(size_t)ti == m->sel_tensor, m->focus == FOCUS_LAYERS);
			render_add_hit(out, hit, HIT_TENSOR, (int)ti, 0);
		}
	}
	if (rows > (size_t)in.h) {
		/* Where the window is in the list, on the bottom border. */
		canvas_printf(c, r.x + r.w - 12, r.y + r.h - 1, 10, ROLE_DIM, " %zu/%zu ",
			model_row_of_tensor(m, m->sel_tensor) + 1, rows);
	}
}
