/* The outlier pane: the activation vector the selected tensor sees, its
 * per-channel magnitude chart, and what Q8_1 does to it. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "panes.h"

/* Bars of the per-channel |x|, one column per bucket of channels (the
 * bucket's maximum, so a single outlier channel is never averaged away),
 * scaled to the largest channel. Columns holding a channel above the
 * threshold are drawn hot. */
static void
chart(canvas *c, int x, int y, int w, int h, const model_outlier *o)
{
	double top = o->max_abs > 0 ? o->max_abs : 1, hot = o->threshold * o->rms;
	int col, row;

	if (w <= 0 || h <= 0 || o->k <= 0 || o->mag == NULL)
		return;
	for (col = 0; col < w; col++) {
		int64_t lo = o->k * col / w, hi = o->k * (col + 1) / w, ch;
		double mx = 0, frac;
		unsigned role;

		if (hi <= lo)
			hi = lo + 1;
		for (ch = lo; ch < hi && ch < o->k; ch++)
			if (o->mag[ch] > mx)
				mx = o->mag[ch];
		role = hot > 0 && mx > hot ? ROLE_BAR_HOT | ROLE_F_BOLD : ROLE_BAR;
		/* Stack h cells, each holding 1/h of the height. */
		frac = mx / top;
		for (row = 0; row < h; row++) {
			double part = frac * h - (h - 1 - row);

			canvas_vbar_cell(c, x + col, y + row, part, role);
		}
	}
}

/* "Q8_1 variants' error vs the fp32 variants'", from the measured cells. */
static void
measured_errors(const model_tensor *t, double *q8, double *fp, bool *have_q8, bool *have_fp)
{
	int v, i;

	*have_q8 = *have_fp = false;
	*q8 = *fp = 0;
	for (v = 0; v < t->n_variants; v++)
		for (i = 0; i < t->variants[v].n_warps && i < MODEL_MAX_WARPS; i++) {
			const model_measure *me = &t->cells[v * MODEL_MAX_WARPS + i].meas;

			if (!me->valid || !me->err_valid)
				continue;
			if (t->variants[v].q8_1) {
				if (!*have_q8 || me->err_rel_l2 > *q8)
					*q8 = me->err_rel_l2;
				*have_q8 = true;
			} else {
				if (!*have_fp || me->err_rel_l2 > *fp)
					*fp = me->err_rel_l2;
				*have_fp = true;
			}
		}
}

void
pane_outlier(canvas *c, layout_rect r, model *m)
{
	layout_rect in = pane_inner(r);
	model_tensor *t = model_tensor_sel(m);
	const model_outlier *o;
	int y = in.y, x = in.x + 1, w = in.w - 1, n, i, ch_h;
	char buf[256];
	double q8, fp;
	bool hq8, hfp;

	pane_frame(c, r, "Outliers", false);
	if (t == NULL) {
		canvas_text(c, x, y, w, ROLE_NA, "n/a: no tensor loaded");
		return;
	}
	o = &t->out;
	n = canvas_text(c, x, y, w, ROLE_LABEL, "input ");
	canvas_text(c, x + n, y++, w - n, ROLE_VALUE,
		o->source[0] ? o->source : m->n_act_sources > 0 ? m->act_sources[m->act_source] : "n/a");
	if (o->pending) {
		canvas_text(c, x, y, w, ROLE_PROGRESS, "computing...");
		return;
	}
	if (!o->valid) {
		canvas_printf(c, x, y, w, ROLE_NA, "n/a: %s", o->why[0] ? o->why : "not computed");
		return;
	}

	/* The chart takes what the numbers below leave, 1 to 12 rows. */
	ch_h = in.h - 10;
	if (ch_h > 12)
		ch_h = 12;
	if (ch_h < 1)
		ch_h = 1;
	chart(c, x, y, w, ch_h, o);
	y += ch_h;
	/* The channel axis: 0 at the left edge, k-1 at the right. */
	canvas_text(c, x, y, w, ROLE_DIM, "ch 0");
	snprintf(buf, sizeof(buf), "%lld", (long long)(o->k - 1));
	if ((int)strlen(buf) + 5 <= w)
		canvas_text_right(c, x, y, w, ROLE_DIM, buf);
	y++;

	if (y < in.y + in.h) {
		n = canvas_text(c, x, y, w, ROLE_LABEL, "max/rms ");
		n += canvas_printf(c, x + n, y, w - n, o->route_fp32 ? ROLE_BAD | ROLE_F_BOLD : ROLE_VALUE,
			"%.1f", o->max_over_rms);
		canvas_printf(c, x + n, y++, w - n, ROLE_VALUE, " at ch %lld  max %.3g  rms %.3g",
			(long long)o->argmax, o->max_abs, o->rms);
	}
	if (y < in.y + in.h) {
		n = canvas_text(c, x, y, w, ROLE_LABEL, "top ");
		for (i = 0; i < o->n_top && n < w; i++)
			n += canvas_printf(c, x + n, y, w - n, o->top_mult[i] > o->threshold ? ROLE_BAD : ROLE_VALUE,
				"%lld:%.1fx ", (long long)o->top_ch[i], o->top_mult[i]);
		y++;
	}
	if (y < in.y + in.h) {
		n = canvas_printf(c, x, y, w, ROLE_LABEL, "kurtosis ");
		canvas_printf(c, x + n, y++, w - n, ROLE_VALUE, "%.1f  above %gx rms: %lld", o->kurtosis,
			o->threshold, (long long)o->n_above);
	}
	if (y < in.y + in.h) {
		n = canvas_text(c, x, y, w, ROLE_LABEL, "Q8_1 err ");
		if (o->q8_valid)
			canvas_printf(c, x + n, y++, w - n, ROLE_VALUE, "x %.2e  GEMV %.2e (%s)", o->q8_rel_err,
				o->q8_gemv_err, o->q8_gemv_sim ? "simulated" : "predicted");
		else
			canvas_printf(c, x + n, y++, w - n, ROLE_NA, "n/a%s%s", o->q8_why[0] ? ": " : "", o->q8_why);
	}
	if (y < in.y + in.h) {
		n = canvas_text(c, x, y, w, ROLE_LABEL, "seed    ");
		if (o->route_fp32)
			canvas_printf(c, x + n, y++, w - n, ROLE_BAD | ROLE_F_BOLD,
				"route to fp32 (max > %g x rms)", o->threshold);
		else
			canvas_printf(c, x + n, y++, w - n, ROLE_GOOD, "Q8_1/dp4a ok (max <= %g x rms)",
				o->threshold);
	}
	if (y < in.y + in.h && o->gg_valid) {
		n = canvas_text(c, x, y, w, ROLE_LABEL, "ggscope ");
		canvas_printf(c, x + n, y++, w - n, o->gg_fp32 ? ROLE_BAD | ROLE_F_BOLD : ROLE_GOOD, "%s: %s",
			o->gg_fp32 ? "fp32" : "Q8_1 ok", o->gg_reason);
	}
	if (y < in.y + in.h && t->n_variants > 0) {
		measured_errors(t, &q8, &fp, &hq8, &hfp);
		n = canvas_text(c, x, y, w, ROLE_LABEL, "measured ");
		if (!hq8 && !hfp) {
			canvas_text(c, x + n, y, w - n, ROLE_NA, "n/a: no variant measured on this input");
		} else {
			char a[32] = "n/a", b[32] = "n/a";

			if (hq8)
				snprintf(a, sizeof(a), "%.2e", q8);
			if (hfp)
				snprintf(b, sizeof(b), "%.2e", fp);
			canvas_printf(c, x + n, y, w - n, hq8 && hfp && q8 > 10 * fp ? ROLE_WARN : ROLE_VALUE,
				"Q8_1 %s vs fp32 %s", a, b);
		}
	}
}
