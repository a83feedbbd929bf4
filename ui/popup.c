/* Popups drawn over the screen (help, GpuProfile, compile log, text
 * input) and the "terminal too small" screen. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "panes.h"

/* A blank framed box; returns its inside. */
static layout_rect
popup_box(canvas *c, int want_w, int want_h, const char *title)
{
	layout_rect r = layout_popup(c->w, c->h, want_w, want_h);

	canvas_fill(c, r, ' ', ROLE_POPUP);
	canvas_box(c, r, ROLE_BORDER_FOCUS, title, ROLE_TITLE | ROLE_F_BOLD);
	return pane_inner(r);
}

/* Draw the lines of `text` from line `first`, clipped to the box; returns
 * the number of lines in text. */
static int
draw_lines(canvas *c, layout_rect in, const char *text, int first, unsigned role)
{
	const char *p = text;
	int n = 0, y = in.y;

	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		if (n >= first && y < in.y + in.h) {
			char buf[512];

			snprintf(buf, sizeof(buf), "%.*s", len > 511 ? 511 : len, p);
			canvas_text(c, in.x + 1, y++, in.w - 2, role, buf);
		}
		n++;
		p = nl ? nl + 1 : NULL;
	}
	return n;
}

static int
help_lines(void)
{
	const key_binding *b;
	int n = 0;

	for (b = keys_table; b->action != ACT_NONE; b++)
		n++;
	return n + 9;
}

static void
popup_help(canvas *c, model *m)
{
	const key_binding *b;
	layout_rect in = popup_box(c, 84, help_lines() + 3, "Help: ggscope keys");
	int row = 0, y = in.y, total = help_lines();

	if (m->popup_scroll > total - in.h)
		m->popup_scroll = total - in.h > 0 ? total - in.h : 0;
#define HELP_LINE(role, ...) do { \
		if (row++ >= m->popup_scroll && y < in.y + in.h) \
			canvas_printf(c, in.x + 1, y++, in.w - 2, role, __VA_ARGS__); \
	} while (0)
	for (b = keys_table; b->action != ACT_NONE; b++) {
		if (row++ >= m->popup_scroll && y < in.y + in.h) {
			canvas_printf(c, in.x + 1, y, 13, ROLE_FKEY_NUM, "%-12s", b->keys);
			canvas_text(c, in.x + 14, y++, in.w - 15, ROLE_POPUP, b->help);
		}
	}
	HELP_LINE(ROLE_POPUP, "%s", "");
	HELP_LINE(ROLE_LABEL, "%s", "Matrix cells: the last bandwidth measured (GB/s, or % of the device ceiling).");
	HELP_LINE(ROLE_GOOD, "  >= 75 %% of ceiling%s", m->color ? " (green)" : "");
	HELP_LINE(ROLE_WARN, "  40-75 %%%s", m->color ? " (yellow)" : "");
	HELP_LINE(ROLE_BAD, "  < 40 %%%s; a trailing ! marks a result that failed the reference check", m->color ? " (red)" : "");
	HELP_LINE(ROLE_POPUP, "%s", "  N regs: compiled, not measured (no GPU or not yet); ERR: compile failed (L)");
	HELP_LINE(ROLE_POPUP, "%s", "  * after a name: the variant quantizes its input to Q8_1 (dp4a)");
	HELP_LINE(ROLE_POPUP, "%s", "Mouse: click a tensor, a cell or a key label. Esc, q or F1 closes this help.");
	HELP_LINE(ROLE_DIM, "%s", "ggscope --help lists the command-line options.");
#undef HELP_LINE
}

static void
popup_profile(canvas *c, model *m)
{
	const model_device *d = &m->dev;
	const model_variant *v = model_variant_sel(m);
	const model_tensor *t = model_tensor_sel(m);
	layout_rect in;
	int y, i, lines = 7;

	/* title, header, fields and their notes, a blank, two lines of help */
	for (i = 0; i < d->n_fields; i++)
		lines += 1 + (d->fields[i].note[0] != '\0');
	in = popup_box(c, 120, lines, "GpuProfile");
	y = in.y;

	if (d->n_fields == 0) {
		canvas_printf(c, in.x + 1, y++, in.w - 2, ROLE_NA, "n/a: %s", d->profile_why);
	} else {
		canvas_printf(c, in.x + 1, y++, in.w - 2, ROLE_TITLE, "for %s", d->profile_for);
		canvas_printf(c, in.x + 1, y++, in.w - 2, ROLE_LABEL, "%-18s %-15s %-6s %s", "field", "value",
			"origin", "source");
		for (i = 0; i < d->n_fields && y < in.y + in.h; i++) {
			const model_field *f = &d->fields[i];

			canvas_printf(c, in.x + 1, y++, in.w - 2, f->origin[0] == 'u' ? ROLE_GOOD : ROLE_POPUP,
				"%-18s %-15s %-6s %s", f->name, f->value, f->origin, f->source);
			if (f->note[0] != '\0' && y < in.y + in.h)
				canvas_printf(c, in.x + 1, y++, in.w - 2, ROLE_WARN, "%-18s %s", "", f->note);
		}
	}
	y++;
	if (y < in.y + in.h && t != NULL && v != NULL)
		canvas_printf(c, in.x + 1, y++, in.w - 2, ROLE_POPUP,
			"Selection: %s %s, %d warp%s.", t->type_name, v->name, m->sel_warps, m->sel_warps == 1 ? "" : "s");
	if (y < in.y + in.h)
		canvas_text(c, in.x + 1, y++, in.w - 2, ROLE_DIM,
			"Enter: apply the selection to the profile (source: user choice).  Esc closes.");
}

static void
popup_log(canvas *c, model *m)
{
	layout_rect in = popup_box(c, 120, c->h - 4, m->log_title[0] ? m->log_title : "Log");
	int total;

	total = draw_lines(c, in, m->log_text ? m->log_text : "(empty)", m->popup_scroll, ROLE_POPUP);
	if (m->popup_scroll > 0 && m->popup_scroll >= total)
		m->popup_scroll = total > 0 ? total - 1 : 0;
}

static void
popup_input(canvas *c, model *m)
{
	layout_rect in = popup_box(c, 72, 6, m->input_prompt);
	int n;

	n = canvas_text(c, in.x + 1, in.y + 1, in.w - 3, ROLE_VALUE | ROLE_F_BOLD, m->input);
	canvas_put(c, in.x + 1 + n, in.y + 1, '_', ROLE_VALUE | ROLE_F_REVERSE);
	canvas_text(c, in.x + 1, in.y + 3, in.w - 2, ROLE_DIM,
		"e.g. 408:26,1415:80 (channel:multiple of rms); empty = none. Enter applies, Esc cancels.");
}

static void
popup_report(canvas *c, model *m)
{
	const model_tensor *t = model_tensor_sel(m);
	layout_rect in = popup_box(c, 76, 8, "Tuning report (F7)");

	canvas_printf(c, in.x + 1, in.y, in.w - 2, ROLE_POPUP, "t  this tensor: %s", t ? t->name : "n/a");
	canvas_text(c, in.x + 1, in.y + 1, in.w - 2, ROLE_POPUP,
		"f  the whole file (every q4_K/q6_K matrix, each shape measured once)");
	canvas_text(c, in.x + 1, in.y + 3, in.w - 2, ROLE_DIM,
		"Markdown with an SVG beside it, in the current directory; measured when a GPU is");
	canvas_text(c, in.x + 1, in.y + 4, in.w - 2, ROLE_DIM,
		"there, compile and outlier figures either way. Esc closes; Esc later stops it.");
}

void
popup_draw(canvas *c, model *m, const render_opts *o)
{
	(void)o;
	switch (m->popup) {
	case POPUP_HELP:
		popup_help(c, m);
		break;
	case POPUP_PROFILE:
		popup_profile(c, m);
		break;
	case POPUP_LOG:
		popup_log(c, m);
		break;
	case POPUP_INPUT:
		popup_input(c, m);
		break;
	case POPUP_REPORT:
		popup_report(c, m);
		break;
	default:
		break;
	}
}

void
popup_too_small(canvas *c, const layout *l)
{
	char need[64], have[64];
	layout_rect r;

	snprintf(need, sizeof(need), "need %dx%d, have %dx%d", l->need_cols, l->need_rows, l->cols, l->rows);
	snprintf(have, sizeof(have), "enlarge the window, or q to quit");
	r = layout_popup(c->w, c->h, 38, 6);
	if (r.w >= 20 && r.h >= 5) {
		layout_rect in = pane_inner(r);

		canvas_box(c, r, ROLE_BORDER_FOCUS, NULL, ROLE_TITLE);
		canvas_text(c, in.x + 1, in.y, in.w - 2, ROLE_BAD | ROLE_F_BOLD, "terminal too small:");
		canvas_text(c, in.x + 1, in.y + 1, in.w - 2, ROLE_NORMAL, need);
		canvas_text(c, in.x + 1, in.y + 3, in.w - 2, ROLE_DIM, have);
	} else {
		/* No room for a box: the facts, clipped. */
		canvas_text(c, 0, 0, c->w, ROLE_BAD, "terminal too small:");
		canvas_text(c, 0, 1, c->w, ROLE_NORMAL, need);
	}
}
