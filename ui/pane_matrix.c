/* The variant matrix (variants x warp counts) and the detail pane of its
 * selected cell. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "panes.h"

/* What one cell shows, and in which colour. */
static unsigned
cell_text(const model_cell *cell, const model_variant *v, const render_opts *o,
	int w, char *buf, size_t len)
{
	const model_measure *me;
	const model_compile *co;

	if (cell == NULL) {
		snprintf(buf, len, "-");
		return ROLE_DIM;
	}
	if (v->illegal[0] != '\0') {
		snprintf(buf, len, "n/a");
		return ROLE_DIM;
	}
	if (cell->state == CELL_QUEUED) {
		snprintf(buf, len, "queued");
		return ROLE_DIM;
	}
	if (cell->state == CELL_RUNNING) {
		snprintf(buf, len, "run");
		return ROLE_PROGRESS;
	}
	me = &cell->meas;
	co = &cell->comp;
	if (me->valid) {
		if (o->show_pct && me->pct_valid)
			snprintf(buf, len, "%.1f%%", me->pct_ceiling);
		else
			snprintf(buf, len, "%.0f", me->gbs);
		if (me->err_valid && !me->err_pass)
			snprintf(buf + strlen(buf), len - strlen(buf), "!");
		if (me->err_valid && !me->err_pass)
			return ROLE_BAD | ROLE_F_BOLD;
		return me->pct_valid ? role_for_pct(me->pct_ceiling) : ROLE_VALUE;
	}
	if (co->valid && !co->ok) {
		snprintf(buf, len, "ERR");
		return ROLE_BAD | ROLE_F_BOLD;
	}
	if (co->valid) {
		if (co->regs < 0)
			snprintf(buf, len, "built");
		else
			snprintf(buf, len, w >= 8 ? "%d regs" : "%dr", co->regs);
		return co->spill_bytes > 0 ? ROLE_WARN : ROLE_DIM;
	}
	snprintf(buf, len, ".");
	return ROLE_DIM;
}

void
pane_matrix(canvas *c, layout_rect r, model *m, const render_opts *o, render_out *out)
{
	layout_rect in = pane_inner(r);
	model_tensor *t = model_tensor_sel(m);
	int cols[MODEL_MAX_COLS], ncols, namew = 9, cw, j, row, visible, v;
	char title[160], shape[48];

	if (t == NULL) {
		pane_frame(c, r, "Variants x warps", m->focus == FOCUS_MATRIX);
		canvas_text(c, in.x + 1, in.y, in.w - 1, ROLE_NA, "n/a: no tensor loaded");
		return;
	}
	snprintf(title, sizeof(title), "Variants x warps: %s  %s %s", t->name, t->type_name,
		fmt_shape(shape, sizeof(shape), t));
	pane_frame(c, r, title, m->focus == FOCUS_MATRIX);
	if (t->n_variants == 0) {
		canvas_printf(c, in.x + 1, in.y, in.w - 1, ROLE_NA, "n/a: %s", t->no_variants);
		return;
	}
	ncols = model_columns(t, cols);
	for (v = 0; v < t->n_variants; v++) {
		int len = (int)strlen(t->variants[v].name) + 3;

		if (len > namew)
			namew = len > 18 ? 18 : len;
	}
	cw = ncols > 0 ? (in.w - namew) / ncols : 6;
	if (cw > 12)
		cw = 12;
	if (cw < 5)
		cw = 5;

	/* Column headers. */
	canvas_text(c, in.x + 1, in.y, namew - 1, ROLE_LABEL, "variant");
	for (j = 0; j < ncols; j++) {
		char h[16];

		snprintf(h, sizeof(h), "w%d", cols[j]);
		canvas_text_right(c, in.x + namew + j * cw, in.y, cw - 2, ROLE_LABEL, h);
	}

	visible = in.h - 2;
	if (visible < 1)
		visible = 1;
	model_scroll_matrix(m, visible);
	for (row = 0; row < visible && m->matrix_scroll + row < t->n_variants; row++) {
		int vi = m->matrix_scroll + row, y = in.y + 1 + row;
		const model_variant *var = &t->variants[vi];
		bool selrow = vi == m->sel_variant;

		canvas_text(c, in.x, y, 1, ROLE_TITLE, selrow ? ">" : " ");
		canvas_printf(c, in.x + 1, y, namew - 1, var->illegal[0] ? ROLE_DIM : ROLE_NORMAL,
			"%s%s", var->name, var->q8_1 ? "*" : "");
		for (j = 0; j < ncols; j++) {
			model_cell *cell = model_cell_at(t, vi, cols[j]);
			bool sel = selrow && cols[j] == m->sel_warps;
			int x = in.x + namew + j * cw;
			char txt[32];
			unsigned role = cell_text(cell, var, o, cw - 2, txt, sizeof(txt));
			layout_rect hit = { x - 1, y, cw, 1 };

			if (cell != NULL && cell->state == CELL_RUNNING)
				txt[0] = '\0';
			canvas_text_right(c, x, y, cw - 2, role, txt);
			if (cell != NULL && cell->state == CELL_RUNNING)
				canvas_put(c, x + cw - 3, y, c->g->spinner[m->tick % (unsigned)c->g->n_spinner],
					ROLE_PROGRESS);
			if (sel) {
				/* Brackets hug the text, so the cursor reads "[2673]". */
				int n = (int)strlen(txt) < cw - 2 ? (int)strlen(txt) : cw - 2;
				layout_rect cur = { x + cw - 3 - n, y, n + 2, 1 };

				canvas_put(c, cur.x, y, '[', ROLE_TITLE | ROLE_F_BOLD);
				canvas_put(c, x + cw - 2, y, ']', ROLE_TITLE | ROLE_F_BOLD);
				if (m->focus == FOCUS_MATRIX)
					canvas_set_role(c, cur, role | ROLE_F_REVERSE);
			}
			if (cell != NULL)
				render_add_hit(out, hit, HIT_CELL, vi, cols[j]);
		}
	}
	if (t->n_variants > visible)
		canvas_printf(c, r.x + r.w - 14, r.y + r.h - 1, 12, ROLE_DIM, " %d-%d/%d ",
			m->matrix_scroll + 1, m->matrix_scroll + visible, t->n_variants);

	/* Legend: what the numbers are. */
	if (in.h >= 3) {
		int y = in.y + in.h - 1;

		if (m->dev.probed && !m->dev.gpu_ok)
			canvas_text(c, in.x + 1, y, in.w - 1, ROLE_DIM,
				"no GPU: cells show registers per thread from the compile check   * = Q8_1 input");
		else
			canvas_printf(c, in.x + 1, y, in.w - 1, ROLE_DIM,
				"cells: %s, %s L2   * = Q8_1 input   Enter measures, s sweeps",
				o->show_pct ? "% of ceiling" : "GB/s", m->l2_cold ? "cold" : "warm");
	}
}

/* One "label  value" line of the detail pane. */
static void
line(canvas *c, layout_rect in, int *y, const char *label, unsigned role, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void
line(canvas *c, layout_rect in, int *y, const char *label, unsigned role, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (*y >= in.y + in.h)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	n = canvas_printf(c, in.x + 1, *y, 12, ROLE_LABEL, "%-12s", label);
	canvas_text(c, in.x + 1 + n, *y, in.w - 1 - n, role, buf);
	(*y)++;
}

/* A labelled line whose text wraps at word boundaries under the label's
 * column, as far as the pane goes. */
static void
wrap_line(canvas *c, layout_rect in, int *y, const char *label, unsigned role, const char *text)
{
	int w = in.w - 14, n = (int)strlen(text), at = 0;

	if (w < 10 || *y >= in.y + in.h)
		return;
	canvas_printf(c, in.x + 1, *y, 12, ROLE_LABEL, "%-12s", label);
	while (at < n && *y < in.y + in.h) {
		int len = n - at;
		char buf[256];

		if (len > w) {
			len = w;
			while (len > 0 && text[at + len] != ' ')
				len--;
			if (len == 0)
				len = w;
		}
		snprintf(buf, sizeof(buf), "%.*s", len > 255 ? 255 : len, text + at);
		canvas_text(c, in.x + 13, (*y)++, w, role, buf);
		at += len;
		while (text[at] == ' ')
			at++;
	}
}

static void
detail_measure(canvas *c, layout_rect in, int *y, const model_measure *me, const model_device *dev)
{
	char a[32], b[32], d[32];

	if (!me->valid) {
		line(c, in, y, "kernel time", ROLE_NA, "n/a: %s", me->why[0] ? me->why :
			dev->probed && !dev->gpu_ok ? "no GPU (see the header)" : "not measured (Enter)");
		return;
	}
	line(c, in, y, "kernel time", ROLE_VALUE, "%s  min %s  max %s", fmt_ns(a, sizeof(a), me->t_med_ns),
		fmt_ns(b, sizeof(b), me->t_min_ns), fmt_ns(d, sizeof(d), me->t_max_ns));
	line(c, in, y, "", ROLE_DIM, "median of %d, %s, L2 %s", me->reps, me->timing_src,
		me->l2_cold ? "cold" : "warm");
	if (me->pct_valid)
		line(c, in, y, "bandwidth", role_for_pct(me->pct_ceiling), "%.0f GB/s  %.1f %% of ceiling",
			me->gbs, me->pct_ceiling);
	else
		line(c, in, y, "bandwidth", ROLE_VALUE, "%.0f GB/s  (ceiling n/a)", me->gbs);
	if (me->q8_valid)
		line(c, in, y, "Q8_1 quant", ROLE_VALUE, "%s (in the total)", fmt_ns(a, sizeof(a), me->q8_ns));
	if (me->dram_valid)
		line(c, in, y, "DRAM read", me->dram_ratio > 1.05 ? ROLE_WARN : ROLE_VALUE, "%.2f x ideal",
			me->dram_ratio);
	else
		line(c, in, y, "DRAM read", ROLE_NA, "n/a%s%s", me->dram_why[0] ? ": " : "", me->dram_why);
	if (me->theo_valid)
		line(c, in, y, "occupancy", ROLE_VALUE, "theor. %.1f %% (%s), %.2f waves",
			me->occ_theoretical_pct, me->limiter[0] ? me->limiter : "?", me->waves);
	else
		line(c, in, y, "occupancy", ROLE_NA, "theor. n/a");
	if (me->occ_valid)
		line(c, in, y, "achieved", me->theo_valid && me->occ_achieved_pct < me->occ_theoretical_pct - 10 ?
			ROLE_WARN : ROLE_VALUE, "%.1f %%", me->occ_achieved_pct);
	else
		line(c, in, y, "achieved", ROLE_NA, "n/a%s%s", me->occ_why[0] ? ": " : "", me->occ_why);
	if (me->err_valid)
		line(c, in, y, "error", me->err_pass ? ROLE_GOOD : ROLE_BAD, "rel %.2e  max %.2e  %s",
			me->err_rel_l2, me->err_max_abs, me->err_pass ? "PASS" : "FAIL");
	else
		line(c, in, y, "error", ROLE_NA, "n/a%s%s", me->err_why[0] ? ": " : "", me->err_why);
	if (me->counters[0] != '\0')
		line(c, in, y, "counters", ROLE_VALUE, "%s", me->counters);
	if (me->verdict[0] != '\0')
		wrap_line(c, in, y, "verdict", me->err_valid && !me->err_pass ? ROLE_BAD : ROLE_WARN, me->verdict);
}

/* The first lines of a compile log, as many as fit. */
static void
detail_log(canvas *c, layout_rect in, int *y, const char *log)
{
	const char *p = log;

	while (p != NULL && *p != '\0' && *y < in.y + in.h) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);
		char buf[256];

		snprintf(buf, sizeof(buf), "%.*s", n > 255 ? 255 : n, p);
		canvas_text(c, in.x + 1, (*y)++, in.w - 1, ROLE_BAD, buf);
		p = nl ? nl + 1 : NULL;
	}
}

void
pane_detail(canvas *c, layout_rect r, model *m)
{
	layout_rect in = pane_inner(r);
	const model_variant *v = model_variant_sel(m);
	model_cell *cell = model_cell_sel(m);
	const model_compile *co;
	char title[96];
	int y = in.y;

	if (v == NULL || cell == NULL) {
		pane_frame(c, r, "Detail", false);
		canvas_text(c, in.x + 1, in.y, in.w - 1, ROLE_NA, "n/a: no variant selected");
		return;
	}
	snprintf(title, sizeof(title), "Detail: %s, %d warp%s", v->name, m->sel_warps, m->sel_warps == 1 ? "" : "s");
	pane_frame(c, r, title, false);
	if (v->illegal[0] != '\0') {
		line(c, in, &y, "shape", ROLE_NA, "n/a: %s", v->illegal);
		return;
	}
	co = &cell->comp;
	if (cell->state == CELL_RUNNING || cell->state == CELL_QUEUED)
		line(c, in, &y, "state", ROLE_PROGRESS, "%s", cell->state == CELL_RUNNING ? "running..." : "queued");
	detail_measure(c, in, &y, &cell->meas, &m->dev);
	if (!co->valid) {
		line(c, in, &y, "resources", ROLE_NA, "n/a: %s", co->why[0] ? co->why : "not built yet");
	} else if (co->ok) {
		char regs[16], spill[16], smem[16];

		snprintf(regs, sizeof(regs), co->regs >= 0 ? "%d" : "?", co->regs);
		snprintf(spill, sizeof(spill), co->spill_bytes >= 0 ? "%d B" : "? B", co->spill_bytes);
		snprintf(smem, sizeof(smem), co->smem_bytes >= 0 ? "%d B" : "? B", co->smem_bytes);
		line(c, in, &y, "resources", co->spill_bytes > 0 ? ROLE_WARN : ROLE_VALUE,
			"%s regs  spill %s  smem %s", regs, spill, smem);
		line(c, in, &y, "compile", ROLE_VALUE, "%.0f ms%s  %s", co->compile_ms,
			co->cache_hit ? " (cache hit)" : "", co->arch);
		if (co->why[0] != '\0')
			line(c, in, &y, "note", ROLE_WARN, "%s", co->why);
	} else {
		line(c, in, &y, "compile", ROLE_BAD | ROLE_F_BOLD, "FAILED (L: full log)");
		detail_log(c, in, &y, co->log && co->log[0] ? co->log : co->why);
	}
	line(c, in, &y, "kernel file", ROLE_DIM, "%s", v->file[0] ? v->file : "n/a");
	if (v->warps_means[0] != '\0')
		line(c, in, &y, "warps", ROLE_DIM, "%s", v->warps_means);
	if (v->about[0] != '\0')
		wrap_line(c, in, &y, "", ROLE_DIM, v->about);
}
